/* sf-sparse.h — a streaming reader of Android sparse images (protocol.md §7)
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SF_SPARSE_MAGIC           0xED26FF3Au
#define SF_SPARSE_HEADER_LEN      28
#define SF_SPARSE_CHUNK_HEADER_LEN 12

typedef enum {
  SF_SPARSE_CHUNK_RAW       = 0xCAC1,
  SF_SPARSE_CHUNK_FILL      = 0xCAC2,
  SF_SPARSE_CHUNK_DONT_CARE = 0xCAC3,
  SF_SPARSE_CHUNK_CRC32     = 0xCAC4,
} SfSparseChunkType;

/* The file header, fields as in libsparse's sparse_format.h. */
typedef struct {
  guint16  major_version;
  guint16  minor_version;
  guint16  file_hdr_sz;
  guint16  chunk_hdr_sz;
  guint32  blk_sz;
  guint32  total_blks;
  guint32  total_chunks;
  guint32  image_checksum;
} SfSparseHeader;

/**
 * SfSparseChunk:
 * @type: what the chunk holds
 * @index: 0-based position in the file
 * @blocks: `chunk_sz`, in output blocks
 * @offset: where its bytes go in the expanded image
 * @length: how many bytes it stands for there (0 for CRC32)
 * @fill: FILL: the 4-byte pattern, in file order
 * @crc32: CRC32: the value stored in the chunk
 *
 * One chunk; the RAW payload is read with sf_sparse_reader_read_data().
 */
typedef struct {
  SfSparseChunkType  type;
  guint              index;
  guint32            blocks;
  guint64            offset;
  guint64            length;
  guint8             fill[4];
  guint32            crc32;
} SfSparseChunk;

#define SF_TYPE_SPARSE_READER (sf_sparse_reader_get_type ())

G_DECLARE_FINAL_TYPE (SfSparseReader, sf_sparse_reader, SF, SPARSE_READER, GObject)

/* Whether @head starts with the sparse magic. */
gboolean               sf_sparse_is_sparse              (const guint8     *head,
                                                         gsize             len);

/* Reads and checks the file header from @stream. @max_size (0: no limit) is
 * the partition size: total_blks × blk_sz must fit in it
 * (SF_ERROR_IMAGE_TOO_LARGE). Other problems are SF_ERROR_IMAGE_INVALID.
 * @display_name names the image in messages. */
SfSparseReader        *sf_sparse_reader_new             (GInputStream     *stream,
                                                         const char       *display_name,
                                                         guint64           max_size,
                                                         GCancellable     *cancellable,
                                                         GError          **error) G_GNUC_WARN_UNUSED_RESULT;
const SfSparseHeader  *sf_sparse_reader_get_header      (SfSparseReader   *self);
/* total_blks × blk_sz */
guint64                sf_sparse_reader_get_expanded_size (SfSparseReader *self);

/* Moves to the next chunk, skipping what is left of a RAW payload. Sets
 * *@out_chunk to the chunk (owned by the reader, valid until the next
 * call), or to %NULL after the last one. Returns FALSE on error, which
 * includes chunk sizes that do not add up to total_blks. */
gboolean               sf_sparse_reader_next            (SfSparseReader   *self,
                                                         const SfSparseChunk **out_chunk,
                                                         GCancellable     *cancellable,
                                                         GError          **error);
/* Reads up to @len bytes of the current RAW chunk's payload; 0 when it is
 * all read. A short file is an error. */
gssize                 sf_sparse_reader_read_data       (SfSparseReader   *self,
                                                         guint8           *buf,
                                                         gsize             len,
                                                         GCancellable     *cancellable,
                                                         GError          **error);

/* Fills @buf with @fill repeated, as if @buf started @offset bytes into a
 * FILL chunk (offsets are 4-aligned in practice, since blk_sz is). */
void                   sf_sparse_fill_pattern           (const guint8      fill[4],
                                                         guint64           offset,
                                                         guint8           *buf,
                                                         gsize             len);

G_END_DECLS
