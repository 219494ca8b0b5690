/* sf-archive.h
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * SfArchiveEntry:
 * @path: the entry's path inside the archive, `/`-separated, without a
 *   leading `./` or `/`
 * @size: the entry's size in bytes (valid when @size_known)
 * @size_known: %FALSE when the archive does not record the size up front
 *   (a streamed zip entry); sf_archive_measure_entry() counts it then
 * @encrypted: the entry's data is encrypted; it cannot be read
 * @kept: (nullable): the entry's first bytes, read while the archive was
 *   listed because the #SfArchiveKeepFunc asked for them
 * @kept_all: @kept holds the whole entry
 *
 * One regular file of an archive. Owned by its #SfArchive.
 */
typedef struct _SfArchiveEntry {
  char      *path;
  guint64    size;
  gboolean   size_known;
  gboolean   encrypted;
  GBytes    *kept;
  gboolean   kept_all;
  /*< private >*/
  guint      header_index;   /* position among all headers, from 0 */
  gboolean   has_crc32;      /* RAR: the CRC-32 its header gives the data, which */
  guint32    crc32;          /* libarchive does not check for stored entries */
  const struct _SfArchiveEntry *link_target;  /* a tar hard link: the entry with its data */
} SfArchiveEntry;

/* Asked once per regular file while the archive is listed: how many of its
 * first bytes to keep in memory (0 for none). Reading them then costs
 * nothing extra where the listing has to decompress anyway (tar.gz, tar.xz),
 * and saves a pass over the archive later. All entries together keep at
 * most SF_ARCHIVE_KEEP_MAX bytes. */
typedef gsize (*SfArchiveKeepFunc) (const char *path,
                                    gpointer    user_data);

#define SF_ARCHIVE_KEEP_MAX (4 * 1024 * 1024)

/* Called by sf_archive_read_heads() once for each entry, in archive order.
 * @head holds up to the requested number of bytes (fewer for a short entry),
 * or is %NULL with @read_error saying why the entry could not be read. By
 * then @entry->size is known. Return %FALSE with @error set to stop. */
typedef gboolean (*SfArchiveHeadFunc) (const SfArchiveEntry  *entry,
                                       const guint8          *head,
                                       gsize                  head_len,
                                       const GError          *read_error,
                                       gpointer               user_data,
                                       GError               **error);

/* Called by sf_archive_check_entries() with a stream of one entry's data,
 * valid only during the call. */
typedef gboolean (*SfArchiveStreamFunc) (const SfArchiveEntry  *entry,
                                         GInputStream          *stream,
                                         gpointer               user_data,
                                         GCancellable          *cancellable,
                                         GError               **error);

#define SF_TYPE_ARCHIVE (sf_archive_get_type ())

G_DECLARE_FINAL_TYPE (SfArchive, sf_archive, SF, ARCHIVE, GObject)

SfArchive             *sf_archive_open              (GFile           *file,
                                                     GCancellable    *cancellable,
                                                     GError         **error) G_GNUC_WARN_UNUSED_RESULT;
SfArchive             *sf_archive_open_full         (GFile              *file,
                                                     SfArchiveKeepFunc   keep_func,
                                                     gpointer            user_data,
                                                     GCancellable       *cancellable,
                                                     GError            **error) G_GNUC_WARN_UNUSED_RESULT;

GFile                 *sf_archive_get_file          (SfArchive       *self);
const char            *sf_archive_get_display_name  (SfArchive       *self);
GPtrArray             *sf_archive_get_entries       (SfArchive       *self);
const SfArchiveEntry  *sf_archive_find_entry        (SfArchive       *self,
                                                     const char      *path);

GInputStream          *sf_archive_open_entry        (SfArchive             *self,
                                                     const SfArchiveEntry  *entry,
                                                     GCancellable          *cancellable,
                                                     GError               **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean               sf_archive_measure_entry     (SfArchive             *self,
                                                     const SfArchiveEntry  *entry,
                                                     guint64               *out_size,
                                                     GCancellable          *cancellable,
                                                     GError               **error);
gboolean               sf_archive_read_heads        (SfArchive             *self,
                                                     GPtrArray             *entries,
                                                     gsize                  max_bytes,
                                                     SfArchiveHeadFunc      func,
                                                     gpointer               user_data,
                                                     GCancellable          *cancellable,
                                                     GError               **error);
gboolean               sf_archive_check_entries     (SfArchive             *self,
                                                     GPtrArray             *entries,
                                                     SfArchiveStreamFunc    func,
                                                     gpointer               user_data,
                                                     GCancellable          *cancellable,
                                                     GError               **error);

G_END_DECLS
