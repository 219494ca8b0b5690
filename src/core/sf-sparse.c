/* sf-sparse.c — placeholder, being written */
#include "config.h"
