/* sf-transport.c — placeholder, being written */
#include "config.h"
