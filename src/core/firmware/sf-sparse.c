/* sf-sparse.c — a streaming reader of Android sparse images (protocol.md §7)
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "sf-crc32.h"
#include "sf-error.h"
#include "sf-sparse.h"

struct _SfSparseReader
{
  GObject         parent_instance;

  GInputStream   *stream;
  char           *display_name;
  SfSparseHeader  header;
  SfSparseChunk   chunk;
  guint           chunks_read;
  guint64         blocks_seen;
  guint64         raw_left;      /* payload bytes of the current RAW chunk not yet read */
  gboolean        finished;
  /* The CRC-32 of the expanded image so far, DONT_CARE counting as zeros
   * (libsparse's sparse_crc32), for the CRC32 chunks and the header's
   * image_checksum. Only known while every RAW byte went through
   * sf_sparse_reader_read_data(): a skipped payload (a scan that seeks
   * past the data) leaves the checks to a reader that reads it all. */
  guint32         crc;
  gboolean        crc_known;
};

G_DEFINE_FINAL_TYPE (SfSparseReader, sf_sparse_reader, G_TYPE_OBJECT)

static void
sf_sparse_reader_dispose (GObject *object)
{
  SfSparseReader *self = SF_SPARSE_READER (object);

  g_clear_object (&self->stream);

  G_OBJECT_CLASS (sf_sparse_reader_parent_class)->dispose (object);
}

static void
sf_sparse_reader_finalize (GObject *object)
{
  SfSparseReader *self = SF_SPARSE_READER (object);

  g_clear_pointer (&self->display_name, g_free);

  G_OBJECT_CLASS (sf_sparse_reader_parent_class)->finalize (object);
}

static void
sf_sparse_reader_class_init (SfSparseReaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sf_sparse_reader_dispose;
  object_class->finalize = sf_sparse_reader_finalize;
}

static void
sf_sparse_reader_init (SfSparseReader *self)
{
  self->crc_known = TRUE;
}

static guint16
le16 (const guint8 *p)
{
  return (guint16) (p[0] | (p[1] << 8));
}

static guint32
le32 (const guint8 *p)
{
  return (guint32) p[0] | ((guint32) p[1] << 8) | ((guint32) p[2] << 16) | ((guint32) p[3] << 24);
}

gboolean
sf_sparse_is_sparse (const guint8 *head,
                     gsize         len)
{
  return head != NULL && len >= 4 && le32 (head) == SF_SPARSE_MAGIC;
}

static void
set_invalid (SfSparseReader  *self,
             GError         **error,
             const char      *format,
             ...) G_GNUC_PRINTF (3, 4);

static void
set_invalid (SfSparseReader  *self,
             GError         **error,
             const char      *format,
             ...)
{
  g_autofree char *what = NULL;
  va_list ap;

  va_start (ap, format);
  what = g_strdup_vprintf (format, ap);
  va_end (ap);

  sf_set_error_at (error, SF_ERROR_IMAGE_INVALID, self->display_name, 0,
                   _("the sparse image is damaged: make it again, or use the firmware's original file"),
                   "%s", what);
}

/* The data does not match a checksum the image carries: the file was
 * damaged after it was made (a bad download, a bad copy). */
static void
set_checksum_error (SfSparseReader  *self,
                    GError         **error,
                    const char      *what,
                    guint32          stored,
                    guint32          computed)
{
  sf_set_error_at (error, SF_ERROR_IMAGE_CHECKSUM, self->display_name, 0,
                   _("download the firmware again, or make the image again"),
                   _("the sparse image is damaged: %s says CRC-32 0x%08X, but its data gives 0x%08X (S_CHKSUM_ERROR 1041)"),
                   what, stored, computed);
}

/* Reads exactly @len bytes; a short read is a truncated image. */
static gboolean
read_exact (SfSparseReader  *self,
            guint8          *buf,
            gsize            len,
            const char      *what,
            GCancellable    *cancellable,
            GError         **error)
{
  gsize got = 0;

  if (!g_input_stream_read_all (self->stream, buf, len, &got, cancellable, error))
    return FALSE;
  if (got < len) {
    set_invalid (self, error, _("the sparse image ends inside %s"), what);
    return FALSE;
  }
  return TRUE;
}

/* Skips @len bytes: a seek on a file, reading on anything else. */
static gboolean
skip_exact (SfSparseReader  *self,
            guint64          len,
            const char      *what,
            GCancellable    *cancellable,
            GError         **error)
{
  while (len > 0) {
    gsize want = (gsize) MIN (len, (guint64) G_MAXSSIZE / 2);
    gssize n = g_input_stream_skip (self->stream, want, cancellable, error);

    if (n < 0)
      return FALSE;
    if (n == 0) {
      set_invalid (self, error, _("the sparse image ends inside %s"), what);
      return FALSE;
    }
    len -= (guint64) n;
  }
  return TRUE;
}

/**
 * sf_sparse_reader_new:
 * @stream: the image, positioned at its first byte
 * @display_name: (nullable): the image's name for messages
 * @max_size: the partition size, or 0 when unknown
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: (transfer full): a reader positioned before the first chunk.
 */
SfSparseReader *
sf_sparse_reader_new (GInputStream  *stream,
                      const char    *display_name,
                      guint64        max_size,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(SfSparseReader) self = NULL;
  guint8 h[SF_SPARSE_HEADER_LEN];
  SfSparseHeader *hdr;
  guint64 expanded;

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);

  self = g_object_new (SF_TYPE_SPARSE_READER, NULL);
  self->stream = g_object_ref (stream);
  self->display_name = g_strdup (display_name != NULL ? display_name : "sparse image");
  hdr = &self->header;

  if (!read_exact (self, h, sizeof h, _("its header"), cancellable, error))
    return NULL;

  if (le32 (h) != SF_SPARSE_MAGIC) {
    set_invalid (self, error, _("not an Android sparse image (magic 0x%08X)"), le32 (h));
    return NULL;
  }
  hdr->major_version = le16 (h + 4);
  hdr->minor_version = le16 (h + 6);
  hdr->file_hdr_sz = le16 (h + 8);
  hdr->chunk_hdr_sz = le16 (h + 10);
  hdr->blk_sz = le32 (h + 12);
  hdr->total_blks = le32 (h + 16);
  hdr->total_chunks = le32 (h + 20);
  hdr->image_checksum = le32 (h + 24);

  if (hdr->major_version != 1) {
    set_invalid (self, error, _("sparse format version %u.%u is not supported"),
                 hdr->major_version, hdr->minor_version);
    return NULL;
  }
  if (hdr->file_hdr_sz < SF_SPARSE_HEADER_LEN) {
    set_invalid (self, error, _("the sparse header says it is %u bytes long, less than %u"),
                 hdr->file_hdr_sz, SF_SPARSE_HEADER_LEN);
    return NULL;
  }
  if (hdr->chunk_hdr_sz < SF_SPARSE_CHUNK_HEADER_LEN) {
    set_invalid (self, error, _("the sparse chunk header size %u is less than %u"),
                 hdr->chunk_hdr_sz, SF_SPARSE_CHUNK_HEADER_LEN);
    return NULL;
  }
  if (hdr->blk_sz == 0 || hdr->blk_sz % 4 != 0) {
    set_invalid (self, error, _("the sparse block size %u is not a multiple of 4"), hdr->blk_sz);
    return NULL;
  }

  expanded = (guint64) hdr->total_blks * hdr->blk_sz;
  if (max_size > 0 && expanded > max_size) {
    sf_set_error_at (error, SF_ERROR_IMAGE_TOO_LARGE, self->display_name, 0,
                     _("use the firmware made for this phone"),
                     _("the sparse image expands to %" PRIu64 " bytes, more than the %" PRIu64 " bytes of its partition"),
                     expanded, max_size);
    return NULL;
  }

  if (!skip_exact (self, hdr->file_hdr_sz - SF_SPARSE_HEADER_LEN, _("its header"), cancellable, error))
    return NULL;

  g_debug ("%s: sparse %u.%u, %u chunks, %u blocks of %u bytes", self->display_name,
           hdr->major_version, hdr->minor_version, hdr->total_chunks, hdr->total_blks, hdr->blk_sz);
  return g_steal_pointer (&self);
}

const SfSparseHeader *
sf_sparse_reader_get_header (SfSparseReader *self)
{
  g_return_val_if_fail (SF_IS_SPARSE_READER (self), NULL);

  return &self->header;
}

guint64
sf_sparse_reader_get_expanded_size (SfSparseReader *self)
{
  g_return_val_if_fail (SF_IS_SPARSE_READER (self), 0);

  return (guint64) self->header.total_blks * self->header.blk_sz;
}

static const char *
type_name (guint16 type)
{
  switch (type) {
  case SF_SPARSE_CHUNK_RAW: return "RAW";
  case SF_SPARSE_CHUNK_FILL: return "FILL";
  case SF_SPARSE_CHUNK_DONT_CARE: return "DONT_CARE";
  case SF_SPARSE_CHUNK_CRC32: return "CRC32";
  default: return "?";
  }
}

gboolean
sf_sparse_reader_next (SfSparseReader       *self,
                       const SfSparseChunk **out_chunk,
                       GCancellable         *cancellable,
                       GError              **error)
{
  const SfSparseHeader *hdr;
  SfSparseChunk *c;
  guint8 h[SF_SPARSE_CHUNK_HEADER_LEN];
  guint16 type;
  guint32 chunk_sz, total_sz;
  guint64 payload, want_total;
  guint64 out_offset;

  g_return_val_if_fail (SF_IS_SPARSE_READER (self), FALSE);
  g_return_val_if_fail (out_chunk != NULL, FALSE);

  hdr = &self->header;
  *out_chunk = NULL;

  if (self->finished)
    return TRUE;

  if (self->raw_left > 0) {
    if (!skip_exact (self, self->raw_left, _("a RAW chunk"), cancellable, error))
      return FALSE;
    self->raw_left = 0;
    self->crc_known = FALSE;
  }

  out_offset = self->blocks_seen * hdr->blk_sz;

  if (self->chunks_read == hdr->total_chunks) {
    if (self->blocks_seen != hdr->total_blks) {
      set_invalid (self, error, _("the chunks add up to %" PRIu64 " blocks, but the header says %u"),
                   self->blocks_seen, hdr->total_blks);
      return FALSE;
    }
    if (hdr->image_checksum != 0 && self->crc_known && hdr->image_checksum != self->crc) {
      set_checksum_error (self, error, _("the sparse header"), hdr->image_checksum, self->crc);
      return FALSE;
    }
    self->finished = TRUE;
    return TRUE;
  }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  if (!read_exact (self, h, sizeof h, _("a chunk header"), cancellable, error))
    return FALSE;

  type = le16 (h);
  chunk_sz = le32 (h + 4);
  total_sz = le32 (h + 8);

  switch (type) {
  case SF_SPARSE_CHUNK_RAW:
    payload = (guint64) chunk_sz * hdr->blk_sz;
    break;
  case SF_SPARSE_CHUNK_FILL:
  case SF_SPARSE_CHUNK_CRC32:
    payload = 4;
    break;
  case SF_SPARSE_CHUNK_DONT_CARE:
    payload = 0;
    break;
  default:
    set_invalid (self, error, _("chunk %u has the unknown type 0x%04X"), self->chunks_read, type);
    return FALSE;
  }

  want_total = hdr->chunk_hdr_sz + payload;
  if (total_sz != want_total) {
    set_invalid (self, error, _("%s chunk %u says it is %u bytes long, but must be %" PRIu64),
                 type_name (type), self->chunks_read, total_sz, want_total);
    return FALSE;
  }
  if (type != SF_SPARSE_CHUNK_CRC32 && self->blocks_seen + chunk_sz > hdr->total_blks) {
    set_invalid (self, error, _("chunk %u runs past the %u blocks the header announces"),
                 self->chunks_read, hdr->total_blks);
    return FALSE;
  }

  if (!skip_exact (self, hdr->chunk_hdr_sz - SF_SPARSE_CHUNK_HEADER_LEN, _("a chunk header"),
                   cancellable, error))
    return FALSE;

  c = &self->chunk;
  memset (c, 0, sizeof *c);
  c->type = type;
  c->index = self->chunks_read;
  c->offset = out_offset;

  switch (type) {
  case SF_SPARSE_CHUNK_RAW:
    c->blocks = chunk_sz;
    c->length = payload;
    self->raw_left = payload;
    break;
  case SF_SPARSE_CHUNK_FILL:
    c->blocks = chunk_sz;
    c->length = (guint64) chunk_sz * hdr->blk_sz;
    if (!read_exact (self, c->fill, 4, _("a FILL chunk"), cancellable, error))
      return FALSE;
    self->crc = sf_crc32_repeat (self->crc, c->fill, c->length / 4);
    break;
  case SF_SPARSE_CHUNK_DONT_CARE: {
    static const guint8 zeros[4] = { 0 };

    c->blocks = chunk_sz;
    c->length = (guint64) chunk_sz * hdr->blk_sz;
    self->crc = sf_crc32_repeat (self->crc, zeros, c->length / 4);
    break;
  }
  case SF_SPARSE_CHUNK_CRC32: {
    guint8 v[4];

    /* It covers no output; its chunk_sz is meaningless (libsparse: 0). */
    if (!read_exact (self, v, 4, _("a CRC32 chunk"), cancellable, error))
      return FALSE;
    c->crc32 = le32 (v);
    if (!self->crc_known) {
      g_debug ("%s: CRC32 chunk %u not checked: the data before it was skipped",
               self->display_name, self->chunks_read);
    } else if (c->crc32 != self->crc) {
      g_autofree char *what = g_strdup_printf (_("CRC32 chunk %u"), self->chunks_read);

      set_checksum_error (self, error, what, c->crc32, self->crc);
      return FALSE;
    }
    break;
  }
  default:
    g_assert_not_reached ();
  }

  self->blocks_seen += c->blocks;
  self->chunks_read++;
  *out_chunk = c;
  return TRUE;
}

gssize
sf_sparse_reader_read_data (SfSparseReader  *self,
                            guint8          *buf,
                            gsize            len,
                            GCancellable    *cancellable,
                            GError         **error)
{
  gsize want;

  g_return_val_if_fail (SF_IS_SPARSE_READER (self), -1);

  if (self->raw_left == 0 || len == 0)
    return 0;

  want = (gsize) MIN ((guint64) len, self->raw_left);
  if (!read_exact (self, buf, want, _("a RAW chunk"), cancellable, error))
    return -1;
  self->raw_left -= want;
  if (self->crc_known)
    self->crc = sf_crc32 (self->crc, buf, want);
  return (gssize) want;
}

void
sf_sparse_fill_pattern (const guint8  fill[4],
                        guint64       offset,
                        guint8       *buf,
                        gsize         len)
{
  for (gsize i = 0; i < len; i++)
    buf[i] = fill[(offset + i) % 4];
}
