/* sf-image.c — placeholder, being written */
#include "config.h"
