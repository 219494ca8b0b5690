/* fuzz-sparse.c — libFuzzer target for the Android sparse reader
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every image a user hands the tool goes through this reader on its way to
 * the phone, so no byte sequence may crash it or make it loop.
 */

#include "config.h"

#include <gio/gio.h>

#include "sf-sparse.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_data (data, (gssize) size, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SfSparseReader) reader = sf_sparse_reader_new (in, "fuzz.img", 0, NULL, &error);
  const SfSparseChunk *chunk = NULL;
  guint8 buf[4096];
  guint64 last_end = 0;

  if (reader == NULL) {
    g_assert (error != NULL && error->message[0] != '\0');
    return 0;
  }
  while (sf_sparse_reader_next (reader, &chunk, NULL, &error) && chunk != NULL) {
    /* Chunks come in order and never run backwards. */
    g_assert (chunk->offset >= last_end);
    last_end = chunk->offset + chunk->length;
    g_assert (last_end <= sf_sparse_reader_get_expanded_size (reader));
    if (chunk->type == SF_SPARSE_CHUNK_RAW) {
      gssize n;

      while ((n = sf_sparse_reader_read_data (reader, buf, sizeof buf, NULL, &error)) > 0)
        ;
      if (n < 0)
        return 0;
    }
  }
  return 0;
}
