/* sf-transport-serial.c — placeholder, being written */
#include "config.h"
