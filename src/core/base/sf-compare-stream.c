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
#include "sf-crc32.h"

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
  /* sf_compare_stream_new_for_digest() */
  const SfDigest *digest;
  guint          pad_to;
  guint          region;       /* the region being received */
  guint64        in_region;    /* bytes of it (with its padding) so far */
  guint64        v_pos;        /* bytes of all regions so far, without padding */
  guint32        block_crc;
};

G_DEFINE_FINAL_TYPE (SfCompareStream, sf_compare_stream, G_TYPE_OUTPUT_STREAM)

/* ---- SfDigest -------------------------------------------------------------- */

typedef struct {
  guint64  offset;   /* in the partition */
  guint64  length;
  guint64  v_start;  /* where its bytes start among all regions' */
} Region;

struct _SfDigest {
  GArray   *regions;     /* (element-type Region) */
  GArray   *blocks;      /* (element-type guint32) CRC-32 of each SF_DIGEST_BLOCK */
  guint64   length;      /* all regions' bytes */
  guint32   block_crc;   /* of the block being filled */
  gboolean  finished;
  guint32   source_crc;
  guint64   source_length;
  gboolean  has_source;
};

SfDigest *
sf_digest_new (void)
{
  SfDigest *digest = g_new0 (SfDigest, 1);

  digest->regions = g_array_new (FALSE, FALSE, sizeof (Region));
  digest->blocks = g_array_new (FALSE, FALSE, sizeof (guint32));
  return digest;
}

void
sf_digest_free (SfDigest *digest)
{
  if (digest == NULL)
    return;
  g_array_unref (digest->regions);
  g_array_unref (digest->blocks);
  g_free (digest);
}

void
sf_digest_begin_region (SfDigest *digest,
                        guint64   offset)
{
  Region r = { offset, 0, digest->length };

  g_return_if_fail (!digest->finished);

  /* Chunks that follow one another are one read when verifying. */
  if (digest->regions->len > 0) {
    Region *last = &g_array_index (digest->regions, Region, digest->regions->len - 1);

    if (last->offset + last->length == offset || last->length == 0) {
      if (last->length == 0)
        last->offset = offset;
      return;
    }
  }
  g_array_append_val (digest->regions, r);
}

static guint64
digest_room (const SfDigest *digest)
{
  return SF_DIGEST_BLOCK - digest->length % SF_DIGEST_BLOCK;
}

/* @n bytes were added to the current block and region. */
static void
digest_advance (SfDigest *digest,
                guint64   n)
{
  g_array_index (digest->regions, Region, digest->regions->len - 1).length += n;
  digest->length += n;
  if (digest->length % SF_DIGEST_BLOCK == 0) {
    g_array_append_val (digest->blocks, digest->block_crc);
    digest->block_crc = 0;
  }
}

void
sf_digest_update (SfDigest   *digest,
                  const void *data,
                  gsize       len)
{
  const guint8 *p = data;

  g_return_if_fail (!digest->finished);
  if (digest->regions->len == 0)
    sf_digest_begin_region (digest, 0);

  while (len > 0) {
    gsize n = (gsize) MIN ((guint64) len, digest_room (digest));

    digest->block_crc = sf_crc32 (digest->block_crc, p, n);
    digest_advance (digest, n);
    p += n;
    len -= n;
  }
}

void
sf_digest_update_fill (SfDigest     *digest,
                       const guint8  pattern[4],
                       guint64       len)
{
  guint32 whole = 0;
  gboolean have_whole = FALSE;

  g_return_if_fail (!digest->finished);
  g_return_if_fail (len % 4 == 0 && digest->length % 4 == 0);
  if (digest->regions->len == 0)
    sf_digest_begin_region (digest, 0);

  while (len > 0) {
    guint64 n = MIN (len, digest_room (digest));

    if (n == SF_DIGEST_BLOCK) {
      /* Every whole block of one pattern has the same CRC. */
      if (!have_whole) {
        whole = sf_crc32_repeat (0, pattern, SF_DIGEST_BLOCK / 4);
        have_whole = TRUE;
      }
      digest->block_crc = whole;
    } else {
      digest->block_crc = sf_crc32_repeat (digest->block_crc, pattern, n / 4);
    }
    digest_advance (digest, n);
    len -= n;
  }
}

void
sf_digest_finish (SfDigest *digest)
{
  if (digest->finished)
    return;
  if (digest->length % SF_DIGEST_BLOCK != 0)
    g_array_append_val (digest->blocks, digest->block_crc);
  digest->finished = TRUE;
}

void
sf_digest_set_source (SfDigest *digest,
                      guint32   crc,
                      guint64   length)
{
  digest->source_crc = crc;
  digest->source_length = length;
  digest->has_source = TRUE;
}

gboolean
sf_digest_source_equal (const SfDigest *digest,
                        guint32         crc,
                        guint64         length)
{
  return digest->has_source && digest->source_crc == crc && digest->source_length == length;
}

guint
sf_digest_get_n_regions (const SfDigest *digest)
{
  return digest->regions->len;
}

void
sf_digest_get_region (const SfDigest *digest,
                      guint           index,
                      guint64        *out_offset,
                      guint64        *out_length)
{
  const Region *r;

  g_return_if_fail (index < digest->regions->len);
  r = &g_array_index (digest->regions, Region, index);
  *out_offset = r->offset;
  *out_length = r->length;
}

guint64
sf_digest_get_length (const SfDigest *digest)
{
  return digest->length;
}

/* Where byte @v of all regions' bytes is in the partition. */
static guint64
digest_partition_offset (const SfDigest *digest,
                         guint64         v)
{
  for (guint i = 0; i < digest->regions->len; i++) {
    const Region *r = &g_array_index (digest->regions, Region, i);

    if (v < r->v_start + r->length)
      return r->offset + (v - r->v_start);
  }
  return v;
}

static void
note_mismatch (SfCompareStream *self,
               guint64          offset)
{
  if (!self->mismatch) {
    self->mismatch = TRUE;
    self->mismatch_offset = offset;
  }
}

/* A block of the regions' bytes is complete: compare its CRC-32. */
static void
digest_block_done (SfCompareStream *self)
{
  guint64 index = (self->v_pos - 1) / SF_DIGEST_BLOCK;
  const GArray *blocks = self->digest->blocks;

  if (index >= blocks->len || g_array_index (blocks, guint32, index) != self->block_crc)
    note_mismatch (self, digest_partition_offset (self->digest, index * SF_DIGEST_BLOCK));
  self->block_crc = 0;
}

static void
compare_with_digest (SfCompareStream *self,
                     const guint8    *got,
                     gsize            count)
{
  const SfDigest *digest = self->digest;

  while (count > 0 && self->region < digest->regions->len) {
    const Region *r = &g_array_index (digest->regions, Region, self->region);
    guint64 padded = (r->length + self->pad_to - 1) / self->pad_to * self->pad_to;
    gsize n;

    if (self->in_region < r->length) {
      guint64 block_left = SF_DIGEST_BLOCK - self->v_pos % SF_DIGEST_BLOCK;

      n = (gsize) MIN ((guint64) count, MIN (r->length - self->in_region, block_left));
      self->block_crc = sf_crc32 (self->block_crc, got, n);
      self->v_pos += n;
      if (self->v_pos % SF_DIGEST_BLOCK == 0 || self->v_pos == digest->length)
        digest_block_done (self);
    } else {
      n = (gsize) MIN ((guint64) count, padded - self->in_region);
      for (gsize i = 0; i < n; i++) {
        if (got[i] != 0) {
          note_mismatch (self, r->offset + self->in_region + i);
          break;
        }
      }
    }
    got += n;
    count -= n;
    self->in_region += n;
    if (self->in_region == padded) {
      self->region++;
      self->in_region = 0;
    }
  }
}

static gssize
sf_compare_stream_write (GOutputStream  *stream,
                         const void     *buffer,
                         gsize           count,
                         GCancellable   *cancellable,
                         GError        **error)
{
  SfCompareStream *self = SF_COMPARE_STREAM (stream);
  const guint8 *got = buffer;

  if (self->digest != NULL) {
    compare_with_digest (self, got, count);
    self->compared += count;
    return (gssize) count;
  }

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
 * sf_compare_stream_new_for_digest:
 * @digest: what the partition should hold (finished)
 * @pad_to: the write's padding unit (a sector)
 *
 * Returns: (transfer full): a stream comparing with @digest, which must
 *   outlive it.
 */
GOutputStream *
sf_compare_stream_new_for_digest (const SfDigest *digest,
                                  guint           pad_to)
{
  SfCompareStream *self;

  g_return_val_if_fail (digest != NULL && digest->finished, NULL);
  g_return_val_if_fail (pad_to > 0, NULL);

  self = g_object_new (SF_TYPE_COMPARE_STREAM, NULL);
  self->digest = digest;
  self->pad_to = pad_to;
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

/* ---- SfCrcInputStream ------------------------------------------------------- */

#define CRC_SKIP_READ_MAX 4096

struct _SfCrcInputStream {
  GInputStream   parent_instance;

  GInputStream  *base;
  guint64        pos;       /* where @base is */
  guint64        length;    /* bytes in @crc: valid while pos == length */
  guint32        crc;
};

static void sf_crc_input_stream_seekable_init (GSeekableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SfCrcInputStream, sf_crc_input_stream, G_TYPE_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_SEEKABLE, sf_crc_input_stream_seekable_init))

static gssize
sf_crc_input_stream_read (GInputStream  *stream,
                          void          *buffer,
                          gsize          count,
                          GCancellable  *cancellable,
                          GError       **error)
{
  SfCrcInputStream *self = SF_CRC_INPUT_STREAM (stream);
  gssize n = g_input_stream_read (self->base, buffer, count, cancellable, error);

  if (n <= 0)
    return n;
  if (self->pos == self->length) {
    self->crc = sf_crc32 (self->crc, buffer, (gsize) n);
    self->length += (guint64) n;
  }
  self->pos += (guint64) n;
  return n;
}

static gssize
sf_crc_input_stream_skip (GInputStream  *stream,
                          gsize          count,
                          GCancellable  *cancellable,
                          GError       **error)
{
  SfCrcInputStream *self = SF_CRC_INPUT_STREAM (stream);
  gssize n;

  /* Short skips (the padding of a long sparse header) are read, so the run
   * goes on; a long one (a scan seeking past a RAW payload) leaves a gap. */
  if (count <= CRC_SKIP_READ_MAX) {
    guint8 scratch[CRC_SKIP_READ_MAX];

    return sf_crc_input_stream_read (stream, scratch, count, cancellable, error);
  }
  n = g_input_stream_skip (self->base, count, cancellable, error);
  if (n > 0)
    self->pos += (guint64) n;
  return n;
}

static gboolean
sf_crc_input_stream_close (GInputStream  *stream,
                           GCancellable  *cancellable,
                           GError       **error)
{
  return TRUE;
}

static void
sf_crc_input_stream_finalize (GObject *object)
{
  SfCrcInputStream *self = SF_CRC_INPUT_STREAM (object);

  g_clear_object (&self->base);

  G_OBJECT_CLASS (sf_crc_input_stream_parent_class)->finalize (object);
}

static void
sf_crc_input_stream_class_init (SfCrcInputStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = sf_crc_input_stream_finalize;
  stream_class->read_fn = sf_crc_input_stream_read;
  stream_class->skip = sf_crc_input_stream_skip;
  stream_class->close_fn = sf_crc_input_stream_close;
}

static void
sf_crc_input_stream_init (SfCrcInputStream *self)
{
}

static goffset
crc_tell (GSeekable *seekable)
{
  return (goffset) SF_CRC_INPUT_STREAM (seekable)->pos;
}

static gboolean
crc_can_seek (GSeekable *seekable)
{
  SfCrcInputStream *self = SF_CRC_INPUT_STREAM (seekable);

  return G_IS_SEEKABLE (self->base) && g_seekable_can_seek (G_SEEKABLE (self->base));
}

static gboolean
crc_seek (GSeekable     *seekable,
          goffset        offset,
          GSeekType      type,
          GCancellable  *cancellable,
          GError       **error)
{
  SfCrcInputStream *self = SF_CRC_INPUT_STREAM (seekable);

  if (!crc_can_seek (seekable)) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "cannot seek");
    return FALSE;
  }
  if (!g_seekable_seek (G_SEEKABLE (self->base), offset, type, cancellable, error))
    return FALSE;
  /* Relative to where this stream started, as the image's first byte. */
  self->pos = (guint64) g_seekable_tell (G_SEEKABLE (self->base));
  if (self->pos == 0) {
    self->crc = 0;
    self->length = 0;
  }
  return TRUE;
}

static gboolean
crc_can_truncate (GSeekable *seekable)
{
  return FALSE;
}

static gboolean
crc_truncate (GSeekable     *seekable,
              goffset        offset,
              GCancellable  *cancellable,
              GError       **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "cannot truncate");
  return FALSE;
}

static void
sf_crc_input_stream_seekable_init (GSeekableIface *iface)
{
  iface->tell = crc_tell;
  iface->can_seek = crc_can_seek;
  iface->seek = crc_seek;
  iface->can_truncate = crc_can_truncate;
  iface->truncate_fn = crc_truncate;
}

/**
 * sf_crc_input_stream_new:
 * @base: a stream at its first byte
 *
 * Returns: (transfer full): a stream of @base's bytes that takes their CRC-32.
 */
GInputStream *
sf_crc_input_stream_new (GInputStream *base)
{
  SfCrcInputStream *self;

  g_return_val_if_fail (G_IS_INPUT_STREAM (base), NULL);

  self = g_object_new (SF_TYPE_CRC_INPUT_STREAM, NULL);
  self->base = g_object_ref (base);
  return G_INPUT_STREAM (self);
}

gboolean
sf_crc_input_stream_get_crc (SfCrcInputStream *self,
                             guint32          *out_crc,
                             guint64          *out_length)
{
  g_return_val_if_fail (SF_IS_CRC_INPUT_STREAM (self), FALSE);

  *out_crc = self->crc;
  *out_length = self->length;
  return self->pos == self->length;
}
