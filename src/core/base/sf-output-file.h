/* sf-output-file.h — the one way a readback or backup writes a file
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * SfOutputFile:
 *
 * A file being written from the phone: the data goes to "TARGET.partial"
 * beside the target, and only a complete, synced file is renamed onto the
 * target. Nothing that is not a regular file is ever replaced (a device
 * node, a FIFO, a folder, a socket), not even with @force; without @force
 * no existing file is replaced, including one that appears at the target
 * while the data is being read.
 */
typedef struct _SfOutputFile SfOutputFile;

/* Refuses a @target that exists and is not a regular file (always, even
 * with @force), or that exists while !@force. Creates "TARGET.partial"
 * beside it with O_CREAT|O_EXCL; an existing .partial that we did not
 * create is refused unless @force, which replaces it. Errors are in the
 * %SF_ERROR domain (%SF_ERROR_OUTPUT_EXISTS, %SF_ERROR_OUTPUT_NOT_FILE) or
 * %G_IO_ERROR, and name the file. */
SfOutputFile  *sf_output_file_new        (GFile         *target,
                                          gboolean       force,
                                          GError       **error) G_GNUC_WARN_UNUSED_RESULT;
/* The stream the data goes to (owned by @self). Its write errors name the
 * file and say what to do (a full disk: how much to free). */
GOutputStream *sf_output_file_get_stream (SfOutputFile  *self);
/* Optional: @size bytes will be written. Reserves the space on the disk
 * now, so that a disk too small fails at once rather than after minutes of
 * reading, and lets a full disk say how much more room is needed. */
gboolean       sf_output_file_reserve    (SfOutputFile  *self,
                                          guint64        size,
                                          GError       **error);
/* fsync, close, then rename onto the target: without @force with
 * renameat2(RENAME_NOREPLACE) (or link() + unlink()), so that a file that
 * appeared at the target meanwhile is never overwritten (the data is then
 * kept in the .partial file, and the error says so); then fsync the
 * folder. */
gboolean       sf_output_file_commit     (SfOutputFile  *self,
                                          GCancellable  *cancellable,
                                          GError       **error);
/* Without a successful commit: deletes the .partial it created (never one
 * it did not create). */
void           sf_output_file_free       (SfOutputFile  *self);

/* The checks of sf_output_file_new() without creating anything: for a
 * command to refuse a bad output before it talks to the phone. */
gboolean       sf_output_file_check      (GFile         *target,
                                          gboolean       force,
                                          GError       **error);
/* Writes @data to @target through an #SfOutputFile and commits it: for the
 * small files (manifests, scatter files) that go with a readback. */
gboolean       sf_output_file_write_contents (GFile         *target,
                                              const void    *data,
                                              gsize          length,
                                              gboolean       force,
                                              GCancellable  *cancellable,
                                              GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SfOutputFile, sf_output_file_free)

G_END_DECLS
