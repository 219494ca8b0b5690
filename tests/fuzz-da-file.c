/* fuzz-da-file.c — libFuzzer target for the DA file parser
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A DA file comes from anywhere (a forum download, a firmware zip), so no
 * byte sequence may crash the parser or make it read out of bounds.
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "sf-da-file.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(SfDaFile) da = NULL;
  int fd = g_file_open_tmp ("fuzz-da-XXXXXX", &path, NULL);

  g_assert (fd >= 0);
  g_assert (write (fd, data, size) == (gssize) size);
  close (fd);

  file = g_file_new_for_path (path);
  da = sf_da_file_new (file, NULL, &error);
  if (da == NULL) {
    g_assert (error != NULL && error->message[0] != '\0');
  } else {
    for (guint i = 0; i < sf_da_file_get_n_entries (da); i++) {
      const SfDaEntry *entry = sf_da_file_get_entry (da, i);

      for (guint r = 0; r < entry->n_regions; r++) {
        g_autoptr(GError) region_error = NULL;
        g_autoptr(GInputStream) in = sf_da_file_open_region (da, entry, r, NULL, &region_error);
        guint8 buf[4096];
        gsize total = 0;
        gssize n;

        if (in == NULL)
          continue;
        while ((n = g_input_stream_read (in, buf, sizeof buf, NULL, NULL)) > 0)
          total += (gsize) n;
        /* A region stream gives exactly the region's bytes. */
        g_assert (n < 0 || total == entry->regions[r].length);
      }
    }
    (void) sf_da_file_find_entry (da, 0x6572, 0xCA00, 0, NULL);
  }
  g_unlink (path);
  return 0;
}
