/* sf-archive.c — placeholder, being written */
#include "config.h"
