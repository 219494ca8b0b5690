/* sf-da-file.c — placeholder, being written */
#include "config.h"
