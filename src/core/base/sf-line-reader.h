/* sf-line-reader.h
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * SfLineReader:
 *
 * Reads a text stream one line at a time through a fixed buffer, so that a
 * huge or binary file is refused early instead of being loaded. `\n` and
 * `\r\n` both end a line; the line handed out has neither.
 */
typedef struct _SfLineReader SfLineReader;

SfLineReader  *sf_line_reader_new           (GInputStream   *stream,
                                             const char     *display_name,
                                             gsize           max_line,
                                             guint64         max_total) G_GNUC_WARN_UNUSED_RESULT;
void           sf_line_reader_free          (SfLineReader   *self);
gboolean       sf_line_reader_next          (SfLineReader   *self,
                                             const char    **line,
                                             gsize          *length,
                                             GCancellable   *cancellable,
                                             GError        **error);
guint          sf_line_reader_get_line      (SfLineReader   *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SfLineReader, sf_line_reader_free)

G_END_DECLS
