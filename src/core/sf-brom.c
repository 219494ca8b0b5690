/* sf-brom.c — placeholder, being written */
#include "config.h"
