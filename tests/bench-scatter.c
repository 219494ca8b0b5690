/* bench-scatter.c — parse time of every scatter file in a folder
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Prints, per file, the median and best parse time over many runs (from the
 * file on disk, as `scatterflash-cli scatter` reads it). Target: the largest
 * real file under 2 ms.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "sf-scatter.h"

#define RUNS 200

static int
compare_double (const void *a,
                const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;
  double worst = 0;
  goffset largest_size = -1;
  g_autofree char *largest = NULL;
  double largest_median = 0;

  if (argc != 2) {
    fprintf (stderr, "usage: bench-scatter FOLDER\n");
    return 2;
  }
  dir = g_dir_open (argv[1], 0, NULL);
  if (dir == NULL) {
    fprintf (stderr, "bench-scatter: cannot open %s\n", argv[1]);
    return 2;
  }

  printf ("%-52s %8s %10s %10s\n", "file", "bytes", "median ms", "best ms");
  while ((name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *path = g_build_filename (argv[1], name, NULL);
    g_autoptr(GFile) file = g_file_new_for_path (path);
    double times[RUNS];
    goffset size = 0;

    if (!g_str_has_suffix (name, ".txt"))
      continue;

    for (guint r = 0; r < RUNS; r++) {
      g_autoptr(GError) error = NULL;
      gint64 t0 = g_get_monotonic_time ();
      g_autoptr(SfScatter) scatter = sf_scatter_new_from_file (file, NULL, &error);
      gint64 t1 = g_get_monotonic_time ();

      if (scatter == NULL) {
        fprintf (stderr, "%s\n", error->message);
        return 1;
      }
      times[r] = (double) (t1 - t0) / 1000.0;
    }
    qsort (times, RUNS, sizeof times[0], compare_double);
    {
      g_autoptr(GFileInfo) info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, 0, NULL, NULL);

      size = info ? g_file_info_get_size (info) : 0;
    }
    printf ("%-52s %8" G_GOFFSET_FORMAT " %10.3f %10.3f\n", name, size, times[RUNS / 2], times[0]);
    if (times[RUNS / 2] > worst)
      worst = times[RUNS / 2];
    if (size > largest_size) {
      largest_size = size;
      g_free (largest);
      largest = g_strdup (name);
      largest_median = times[RUNS / 2];
    }
  }
  printf ("largest file %s: median parse %.3f ms (target < 2 ms)%s\n",
          largest ? largest : "-", largest_median, largest_median < 2.0 ? "" : "  OVER TARGET");
  printf ("slowest median: %.3f ms\n", worst);
  return 0;
}
