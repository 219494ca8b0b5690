/* fuzz-replay.c — runs the fuzz target over files, without libFuzzer
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * So that every build (and every sanitizer build) runs the fuzz target on its
 * seeds (for scatter files: the fixtures, the broken ones and the extra corpus
 * of real files when there is one) and on every prefix of them.
 */

#include "config.h"

#include <gio/gio.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
replay_file (const char *path,
             guint      *runs)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &data, &len, NULL))
    return;
  for (gsize cut = 0; cut <= len; cut += 1 + len / 200) {
    LLVMFuzzerTestOneInput ((const guint8 *) data, cut);
    (*runs)++;
  }
  LLVMFuzzerTestOneInput ((const guint8 *) data, len);
  (*runs)++;
}

int
main (int    argc,
      char **argv)
{
  guint runs = 0;

  for (int i = 1; i < argc; i++) {
    if (g_file_test (argv[i], G_FILE_TEST_IS_DIR)) {
      g_autoptr(GDir) dir = g_dir_open (argv[i], 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
        g_autofree char *path = g_build_filename (argv[i], name, NULL);

        replay_file (path, &runs);
      }
    } else {
      replay_file (argv[i], &runs);
    }
  }
  printf ("%u inputs replayed\n", runs);
  return runs > 0 ? 0 : 1;
}
