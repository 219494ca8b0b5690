/* sf-da.c — placeholder, being written */
#include "config.h"
