/* sf-compare-stream.h — an output stream that checks what is written to it
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Fills @buf with the @len bytes that should come next. */
typedef gboolean (*SfExpectFunc) (guint8        *buf,
                                  gsize          len,
                                  gpointer       user_data,
                                  GCancellable  *cancellable,
                                  GError       **error);

#define SF_TYPE_COMPARE_STREAM (sf_compare_stream_get_type ())

G_DECLARE_FINAL_TYPE (SfCompareStream, sf_compare_stream, SF, COMPARE_STREAM, GOutputStream)

/* Compares every byte written with what @expect provides; keeps nothing. */
GOutputStream  *sf_compare_stream_new            (SfExpectFunc     expect,
                                                  gpointer         user_data) G_GNUC_WARN_UNUSED_RESULT;
/* Compares with the bytes of @source. */
GOutputStream  *sf_compare_stream_new_for_stream (GInputStream    *source) G_GNUC_WARN_UNUSED_RESULT;
gboolean        sf_compare_stream_get_mismatch   (SfCompareStream *self,
                                                  guint64         *out_offset);

/* ---- digests taken while the source is read ---------------------------- */

/* What a partition should hold after a write, as taken while the image was
 * read: the regions written (offsets in the partition, in the order they
 * were written), a CRC-32 for each MiB of their bytes one after the other,
 * and the CRC-32 and length of the image file as stored. Verifying compares
 * the phone with this, so it never needs the image again. */
typedef struct _SfDigest SfDigest;

#define SF_DIGEST_BLOCK (1024 * 1024)

SfDigest       *sf_digest_new                    (void) G_GNUC_WARN_UNUSED_RESULT;
void            sf_digest_free                   (SfDigest        *digest);
/* The bytes that follow go at @offset of the partition. */
void            sf_digest_begin_region           (SfDigest        *digest,
                                                  guint64          offset);
void            sf_digest_update                 (SfDigest        *digest,
                                                  const void      *data,
                                                  gsize            len);
/* @len bytes (a multiple of 4) of @pattern repeated, as a sparse FILL. */
void            sf_digest_update_fill            (SfDigest        *digest,
                                                  const guint8     pattern[4],
                                                  guint64          len);
void            sf_digest_finish                 (SfDigest        *digest);
void            sf_digest_set_source             (SfDigest        *digest,
                                                  guint32          crc,
                                                  guint64          length);
gboolean        sf_digest_source_equal           (const SfDigest  *digest,
                                                  guint32          crc,
                                                  guint64          length);
guint           sf_digest_get_n_regions          (const SfDigest  *digest);
void            sf_digest_get_region             (const SfDigest  *digest,
                                                  guint            index,
                                                  guint64         *out_offset,
                                                  guint64         *out_length);
guint64         sf_digest_get_length             (const SfDigest  *digest);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SfDigest, sf_digest_free)

/* Compares the bytes of the digest's regions, one after the other, each
 * followed by zeros up to a multiple of @pad_to (the write's padding), with
 * @digest. The mismatch offset is in the partition: the start of the MiB
 * whose CRC-32 differs, or the exact byte in the padding. */
GOutputStream  *sf_compare_stream_new_for_digest (const SfDigest  *digest,
                                                  guint            pad_to) G_GNUC_WARN_UNUSED_RESULT;

/* Passes @base through and takes the CRC-32 of the bytes read from its start
 * on, in one run (a seek back to the start begins again). */
#define SF_TYPE_CRC_INPUT_STREAM (sf_crc_input_stream_get_type ())

G_DECLARE_FINAL_TYPE (SfCrcInputStream, sf_crc_input_stream, SF, CRC_INPUT_STREAM, GInputStream)

GInputStream   *sf_crc_input_stream_new          (GInputStream    *base) G_GNUC_WARN_UNUSED_RESULT;
/* Returns FALSE when the bytes were not all read in one run from the start. */
gboolean        sf_crc_input_stream_get_crc      (SfCrcInputStream *self,
                                                  guint32          *out_crc,
                                                  guint64          *out_length);

G_END_DECLS
