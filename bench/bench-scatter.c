/* bench-scatter.c — parse time of every scatter file in some folders, and of big synthetic ones
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Prints, per file, the median and best parse time over many runs (from the
 * file on disk, as `scatterflash-cli scatter` reads it). Goal: the largest
 * file under 2 ms (the test fixtures, and the real files of the extra corpus
 * when the build has one). Then the same for synthetic V1.1.2 scatters of 500,
 * 1,000, 2,000 and 5,000 partitions (from memory), with the time per
 * partition: it must stay flat (linear growth). Lines starting with "ROW"
 * are the figures bench/run puts in its table.
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
#define SYNTHETIC_RUNS 21

static void
row (const char *figure,
     const char *measured,
     const char *goal,
     gboolean    met)
{
  printf ("ROW %s\t%s\t%s\t%s\n", figure, measured, goal, met ? "met" : "NOT MET");
}

/* A V1.1.2 eMMC scatter with @n partitions of 1 MiB each, the fields the
 * real V1.1.2 files have. */
static GString *
synthetic_scatter (guint n)
{
  GString *s = g_string_new (
    "############################################################################################################\n"
    "#  General Setting\n"
    "############################################################################################################\n"
    "- general: MTK_PLATFORM_CFG\n"
    "  info:\n"
    "    - config_version: V1.1.2\n"
    "      platform: MT6572\n"
    "      project: synthetic\n"
    "      storage: EMMC\n"
    "      boot_channel: MSDC_0\n"
    "      block_size: 0x20000\n"
    "############################################################################################################\n"
    "#  Layout Setting\n"
    "############################################################################################################\n");

  for (guint i = 0; i < n; i++) {
    guint64 start = (guint64) i * 0x100000;

    g_string_append_printf (s,
      "- partition_index: SYS%u\n"
      "  partition_name: PART%05u\n"
      "  file_name: %s\n"
      "  is_download: %s\n"
      "  type: NORMAL_ROM\n"
      "  linear_start_addr: 0x%" G_GINT64_MODIFIER "x\n"
      "  physical_start_addr: 0x%" G_GINT64_MODIFIER "x\n"
      "  partition_size: 0x100000\n"
      "  region: %s\n"
      "  storage: HW_STORAGE_EMMC\n"
      "  boundary_check: true\n"
      "  is_reserved: false\n"
      "  operation_type: %s\n"
      "  reserve: 0x00\n"
      "\n",
      i, i, i == 0 ? "preloader.bin" : i % 3 == 0 ? "NONE" : "part.img", i % 3 == 0 ? "false" : "true",
      start, start, i == 0 ? "EMMC_BOOT_1" : "EMMC_USER", i % 3 == 0 ? "INVISIBLE" : "UPDATE");
  }
  return s;
}

/* Median parse time of @n synthetic partitions, in ms. */
static double
synthetic_median (guint n)
{
  g_autoptr(GString) text = synthetic_scatter (n);
  double times[SYNTHETIC_RUNS];

  for (guint r = 0; r < SYNTHETIC_RUNS; r++) {
    g_autoptr(GError) error = NULL;
    gint64 t0 = g_get_monotonic_time ();
    g_autoptr(SfScatter) scatter = sf_scatter_new_from_data (text->str, text->len, "synthetic", &error);
    gint64 t1 = g_get_monotonic_time ();

    if (scatter == NULL) {
      fprintf (stderr, "bench-scatter: the synthetic scatter of %u partitions: %s\n", n, error->message);
      exit (1);
    }
    times[r] = (double) (t1 - t0) / 1000.0;
  }
  qsort (times, SYNTHETIC_RUNS, sizeof times[0], compare_double);
  return times[SYNTHETIC_RUNS / 2];
}


int
main (int    argc,
      char **argv)
{
  double worst = 0;
  goffset largest_size = -1;
  g_autofree char *largest = NULL;
  double largest_median = 0;

  if (argc < 2) {
    fprintf (stderr, "usage: bench-scatter FOLDER...\n");
    return 2;
  }

  printf ("%-52s %8s %10s %10s\n", "file", "bytes", "median ms", "best ms");
  for (int f = 1; f < argc; f++) {
    g_autoptr(GDir) dir = g_dir_open (argv[f], 0, NULL);
    const char *name;

    if (dir == NULL) {
      fprintf (stderr, "bench-scatter: cannot open %s\n", argv[f]);
      return 2;
    }
    while ((name = g_dir_read_name (dir)) != NULL) {
      g_autofree char *path = g_build_filename (argv[f], name, NULL);
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
      /* With several folders the same name may be in two of them. */
      printf ("%-52s %8" G_GOFFSET_FORMAT " %10.3f %10.3f\n", argc > 2 ? path : name, size,
              times[RUNS / 2], times[0]);
      if (times[RUNS / 2] > worst)
        worst = times[RUNS / 2];
      if (size > largest_size) {
        largest_size = size;
        g_free (largest);
        largest = g_strdup (name);
        largest_median = times[RUNS / 2];
      }
    }
  }
  printf ("largest file %s: median parse %.3f ms (target < 2 ms)%s\n",
          largest ? largest : "-", largest_median, largest_median < 2.0 ? "" : "  OVER TARGET");
  printf ("slowest median: %.3f ms\n", worst);
  {
    g_autofree char *figure = g_strdup_printf ("scatter parse, largest file (%s, %" G_GOFFSET_FORMAT " bytes)",
                                               largest ? largest : "-", largest_size);
    g_autofree char *measured = g_strdup_printf ("%.3f ms", largest_median);

    row (figure, measured, "< 2 ms", largest_median < 2.0);
  }

  {
    const guint counts[] = { 500, 1000, 2000, 5000 };
    double per_part[G_N_ELEMENTS (counts)];

    printf ("\n%-30s %10s %14s\n", "synthetic V1.1.2 scatter", "median ms", "µs/partition");
    for (guint i = 0; i < G_N_ELEMENTS (counts); i++) {
      double ms = synthetic_median (counts[i]);

      per_part[i] = ms * 1000.0 / counts[i];
      printf ("%-30u %10.3f %14.3f\n", counts[i], ms, per_part[i]);
    }
    {
      /* Linear: the cost per partition at 5,000 within 1.5× of that at 500. */
      double growth = per_part[G_N_ELEMENTS (counts) - 1] / per_part[0];
      g_autofree char *m5000 = g_strdup_printf ("%.2f ms (%.2f µs/partition)", per_part[3] * 5, per_part[3]);
      g_autofree char *lin = g_strdup_printf ("%.2f µs → %.2f µs → %.2f µs → %.2f µs (×%.2f)",
                                              per_part[0], per_part[1], per_part[2], per_part[3], growth);

      row ("scatter parse, 5,000 synthetic partitions", m5000, "linear growth", growth < 1.5);
      row ("µs per partition at 500 / 1,000 / 2,000 / 5,000", lin, "flat (≤ ×1.5)", growth < 1.5);
    }
  }
  return 0;
}
