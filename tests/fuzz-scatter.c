/* fuzz-scatter.c — libFuzzer target for the scatter parser
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Build:  CC=clang meson setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined
 *         ninja -C build-fuzz tests/fuzz-scatter
 * Run:    build-fuzz/tests/fuzz-scatter -max_total_time=60 CORPUS_DIR tests/data/scatter tests/data/scatter/bad
 */

#include "config.h"

#include "sf-scatter.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SfScatter) scatter = NULL;

  /* The name matters to legacy files (platform, storage). */
  scatter = sf_scatter_new_from_data ((const char *) data, size, "MT6572_Android_scatter_emmc.txt", &error);
  if (scatter == NULL) {
    g_assert (error != NULL && error->domain == SF_ERROR && error->message[0] != '\0');
    return 0;
  }

  g_assert (sf_scatter_get_n_layouts (scatter) > 0);
  for (guint l = 0; l < sf_scatter_get_n_layouts (scatter); l++) {
    SfLayout *layout = sf_scatter_get_layout (scatter, l);

    g_assert (layout->partitions->len > 0);
    for (guint i = 0; i < layout->partitions->len; i++) {
      SfPartition *part = sf_layout_get_partition (layout, i);

      g_assert (part->name != NULL);
      g_assert (part->index == i);
      (void) sf_layout_find_partition (layout, part->name);
    }
  }
  (void) sf_scatter_check (scatter, NULL);
  (void) sf_scatter_get_addressing (scatter);
  return 0;
}
