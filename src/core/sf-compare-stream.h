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
guint64         sf_compare_stream_get_compared   (SfCompareStream *self);

G_END_DECLS
