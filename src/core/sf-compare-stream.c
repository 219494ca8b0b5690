/* sf-compare-stream.c — an output stream that checks what is written to it
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Verifying a write reads the partition back; this stream takes the bytes
 * the phone sends and compares them on the fly with the image, so a 2 GiB
 * verify needs no more memory than one packet. */

#include "config.h"

#include <string.h>

#include "sf-compare-stream.h"

struct _SfCompareStream {
  GOutputStream  parent_instance;

  SfExpectFunc   expect;
  gpointer       user_data;
  GInputStream  *source;       /* for sf_compare_stream_new_for_stream() */
  guint8        *scratch;
  gsize          scratch_len;
  guint64        compared;
  gboolean       mismatch;
  guint64        mismatch_offset;
};

G_DEFINE_FINAL_TYPE (SfCompareStream, sf_compare_stream, G_TYPE_OUTPUT_STREAM)

static gssize
sf_compare_stream_write (GOutputStream  *stream,
                         const void     *buffer,
                         gsize           count,
                         GCancellable   *cancellable,
                         GError        **error)
{
  SfCompareStream *self = SF_COMPARE_STREAM (stream);
  const guint8 *got = buffer;

  if (count > self->scratch_len) {
    self->scratch = g_realloc (self->scratch, count);
    self->scratch_len = count;
  }
  if (!self->expect (self->scratch, count, self->user_data, cancellable, error))
    return -1;

  if (!self->mismatch && memcmp (self->scratch, got, count) != 0) {
    for (gsize i = 0; i < count; i++) {
      if (self->scratch[i] != got[i]) {
        self->mismatch = TRUE;
        self->mismatch_offset = self->compared + i;
        break;
      }
    }
  }
  self->compared += count;
  return (gssize) count;
}

static void
sf_compare_stream_finalize (GObject *object)
{
  SfCompareStream *self = SF_COMPARE_STREAM (object);

  g_clear_object (&self->source);
  g_free (self->scratch);

  G_OBJECT_CLASS (sf_compare_stream_parent_class)->finalize (object);
}

static void
sf_compare_stream_class_init (SfCompareStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GOutputStreamClass *stream_class = G_OUTPUT_STREAM_CLASS (klass);

  object_class->finalize = sf_compare_stream_finalize;
  stream_class->write_fn = sf_compare_stream_write;
}

static void
sf_compare_stream_init (SfCompareStream *self)
{
}

/**
 * sf_compare_stream_new:
 *
 * Returns: (transfer full): a stream comparing with what @expect gives.
 */
GOutputStream *
sf_compare_stream_new (SfExpectFunc expect,
                       gpointer     user_data)
{
  SfCompareStream *self = g_object_new (SF_TYPE_COMPARE_STREAM, NULL);

  self->expect = expect;
  self->user_data = user_data;
  return G_OUTPUT_STREAM (self);
}

static gboolean
expect_from_source (guint8        *buf,
                    gsize          len,
                    gpointer       user_data,
                    GCancellable  *cancellable,
                    GError       **error)
{
  SfCompareStream *self = user_data;
  gsize got = 0;

  if (!g_input_stream_read_all (self->source, buf, len, &got, cancellable, error))
    return FALSE;
  /* Past the end of the source the expected bytes are zeros: the padding
   * a write adds up to a whole sector. */
  memset (buf + got, 0, len - got);
  return TRUE;
}

/**
 * sf_compare_stream_new_for_stream:
 *
 * Returns: (transfer full): a stream comparing with the bytes of @source
 *   (then zeros once @source ends).
 */
GOutputStream *
sf_compare_stream_new_for_stream (GInputStream *source)
{
  SfCompareStream *self = g_object_new (SF_TYPE_COMPARE_STREAM, NULL);

  self->expect = expect_from_source;
  self->user_data = self;
  self->source = g_object_ref (source);
  return G_OUTPUT_STREAM (self);
}

/**
 * sf_compare_stream_get_mismatch:
 * @out_offset: (out) (optional): where the first difference is
 *
 * Returns: %TRUE when a byte differed.
 */
gboolean
sf_compare_stream_get_mismatch (SfCompareStream *self,
                                guint64         *out_offset)
{
  g_return_val_if_fail (SF_IS_COMPARE_STREAM (self), FALSE);

  if (out_offset != NULL)
    *out_offset = self->mismatch_offset;
  return self->mismatch;
}

guint64
sf_compare_stream_get_compared (SfCompareStream *self)
{
  g_return_val_if_fail (SF_IS_COMPARE_STREAM (self), 0);
  return self->compared;
}
