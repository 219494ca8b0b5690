/* sf-plan.c — placeholder, being written */
#include "config.h"
