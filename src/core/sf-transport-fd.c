/* sf-transport-fd.c — placeholder, being written */
#include "config.h"
