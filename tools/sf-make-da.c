/* sf-make-da.c — placeholder, being written */
#include "config.h"
#include <stdio.h>
int main (int argc, char **argv);
int main (int argc, char **argv) { FILE *f = fopen (argv[1], "wb"); if (f) fclose (f); return f ? 0 : 1; }
