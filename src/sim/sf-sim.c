/* sf-sim.c — placeholder, being written */
#include "config.h"
