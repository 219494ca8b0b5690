/* sf-chip.c — placeholder, being written */
#include "config.h"
