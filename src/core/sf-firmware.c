/* sf-firmware.c — placeholder, being written */
#include "config.h"
