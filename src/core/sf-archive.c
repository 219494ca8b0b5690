/* sf-archive.c
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "sf-archive.h"
#include "sf-error.h"

/* libarchive reads the file in blocks of this size. Together with the
 * decompressor's own state this is what an open entry costs in memory,
 * whatever the entry's size. */
#define READ_BLOCK_BYTES (64 * 1024)

/* Scratch buffer for counting and skipping entry bytes. */
#define SCRATCH_BYTES    (64 * 1024)

struct _SfArchive
{
  GObject      parent_instance;

  GFile       *file;
  char        *path;          /* local path handed to libarchive */
  char        *display_name;  /* the archive's file name, for messages */
  GPtrArray   *entries;       /* (element-type SfArchiveEntry) in archive order */
  GHashTable  *by_path;       /* path → SfArchiveEntry (borrowed); the last one wins, as in tar */
};

G_DEFINE_FINAL_TYPE (SfArchive, sf_archive, G_TYPE_OBJECT)

static void
sf_archive_entry_free (SfArchiveEntry *entry)
{
  g_free (entry->path);
  g_clear_pointer (&entry->kept, g_bytes_unref);
  g_free (entry);
}

/* A reader positioned on one header of the archive. */
typedef struct {
  struct archive        *a;
  struct archive_entry  *ae;     /* owned by @a */
  gint                   index;  /* header @ae is, -1 before the first */
} Cursor;

static void
cursor_clear (Cursor *cursor)
{
  g_clear_pointer (&cursor->a, archive_read_free);
  cursor->ae = NULL;
  cursor->index = -1;
}

static const char *
archive_message (struct archive *a)
{
  const char *msg = a != NULL ? archive_error_string (a) : NULL;

  return msg != NULL ? msg : _("unknown error");
}

static void
set_archive_error (GError     **error,
                   const char  *where,
                   const char  *what,
                   const char  *detail)
{
  sf_set_error_at (error, SF_ERROR_ARCHIVE, where, 0,
                   _("the archive may be damaged or only partly downloaded; get it again, or unpack it with another tool and open the folder"),
                   "%s (%s)", what, detail);
}

/* Why a reader failed on the archive as a whole: not an archive at all,
 * encrypted beyond reading, or damaged. */
static void
set_reader_error (GError         **error,
                  const char      *where,
                  struct archive  *a)
{
  const char *detail = archive_message (a);
  g_autofree char *lower = g_ascii_strdown (detail, -1);

  if (strstr (lower, "encrypt") != NULL) {
    sf_set_error_at (error, SF_ERROR_ARCHIVE, where, 0,
                     _("unpack it with its password, then open the folder"),
                     _("the archive is encrypted (password-protected) and cannot be read (%s)"), detail);
  } else if (archive_format (a) == 0) {
    sf_set_error_at (error, SF_ERROR_ARCHIVE, where, 0,
                     _("open the firmware folder or its scatter file, or a zip, 7z or tar archive of it"),
                     _("not an archive Scatterflash can read (%s)"), detail);
  } else {
    set_archive_error (error, where, _("the archive is damaged or incomplete"), detail);
  }
}

/* Paths as the user and the scatter see them: `/`-separated (some Windows
 * zip tools write `\`), no `./` or leading `/`, valid UTF-8. */
static char *
normalise_path (const char *raw)
{
  g_autofree char *valid = g_utf8_make_valid (raw, -1);
  g_auto(GStrv) parts = NULL;
  GString *out = g_string_new (NULL);

  g_strdelimit (valid, "\\", '/');
  parts = g_strsplit (valid, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++) {
    if (parts[i][0] == '\0' || strcmp (parts[i], ".") == 0)
      continue;
    if (out->len > 0)
      g_string_append_c (out, '/');
    g_string_append (out, parts[i]);
  }

  return g_string_free (out, FALSE);
}

static char *
entry_pathname (struct archive_entry *ae)
{
  const char *raw = archive_entry_pathname_utf8 (ae);

  if (raw == NULL)
    raw = archive_entry_pathname (ae);
  if (raw == NULL)
    return NULL;

  return normalise_path (raw);
}

static struct archive *
open_reader (SfArchive  *self,
             GError    **error)
{
  struct archive *a = archive_read_new ();

  if (a == NULL) {
    sf_set_error_at (error, SF_ERROR_ARCHIVE, self->display_name, 0, NULL,
                     _("cannot set up the archive reader (out of memory)"));
    return NULL;
  }

  /* Every compression and every archive format, but not the "raw" format,
   * which would take any file at all for a one-entry archive. */
  archive_read_support_filter_all (a);
  archive_read_support_format_all (a);

  if (archive_read_open_filename (a, self->path, READ_BLOCK_BYTES) != ARCHIVE_OK) {
    set_reader_error (error, self->display_name, a);
    archive_read_free (a);
    return NULL;
  }

  return a;
}

/* Moves @cursor to header @index, reopening the archive when it is already
 * past it. */
static gboolean
cursor_seek (SfArchive     *self,
             Cursor        *cursor,
             guint          index,
             GCancellable  *cancellable,
             GError       **error)
{
  if (cursor->a != NULL && cursor->index > (gint) index)
    cursor_clear (cursor);

  if (cursor->a == NULL) {
    cursor->a = open_reader (self, error);
    cursor->index = -1;
    if (cursor->a == NULL)
      return FALSE;
  }

  while (cursor->index < (gint) index) {
    int r;

    if (g_cancellable_set_error_if_cancelled (cancellable, error))
      return FALSE;

    r = archive_read_next_header (cursor->a, &cursor->ae);
    if (r == ARCHIVE_EOF) {
      sf_set_error_at (error, SF_ERROR_ARCHIVE, self->display_name, 0,
                       _("open the archive again"),
                       _("the archive has fewer entries than when it was opened; it changed on disk"));
      return FALSE;
    }
    if (r < ARCHIVE_WARN) {
      set_reader_error (error, self->display_name, cursor->a);
      return FALSE;
    }
    cursor->index++;
  }

  return TRUE;
}

static gboolean
cursor_seek_entry (SfArchive             *self,
                   Cursor                *cursor,
                   const SfArchiveEntry  *entry,
                   GCancellable          *cancellable,
                   GError               **error)
{
  g_autofree char *path = NULL;

  if (!cursor_seek (self, cursor, entry->header_index, cancellable, error))
    return FALSE;

  path = entry_pathname (cursor->ae);
  if (g_strcmp0 (path, entry->path) != 0) {
    sf_set_error_at (error, SF_ERROR_ARCHIVE, self->display_name, 0,
                     _("open the archive again"),
                     _("%s is no longer where it was in the archive; it changed on disk"),
                     entry->path);
    return FALSE;
  }

  return TRUE;
}

static void
set_entry_read_error (GError     **error,
                      SfArchive   *self,
                      const char  *entry_path,
                      const char  *detail)
{
  g_autofree char *where = g_strdup_printf ("%s/%s", self->display_name, entry_path);

  set_archive_error (error, where, _("cannot read this file from the archive"), detail);
}

static gboolean
set_encrypted_error (GError              **error,
                     SfArchive            *self,
                     const SfArchiveEntry *entry)
{
  g_autofree char *where = g_strdup_printf ("%s/%s", self->display_name, entry->path);

  sf_set_error_at (error, SF_ERROR_ARCHIVE, where, 0,
                   _("unpack the archive with its password, then open the folder"),
                   _("this file is encrypted (password-protected) and cannot be read"));
  return FALSE;
}

/* ---- the entry stream --------------------------------------------------- */

#define SF_TYPE_ARCHIVE_ENTRY_STREAM (sf_archive_entry_stream_get_type ())
G_DECLARE_FINAL_TYPE (SfArchiveEntryStream, sf_archive_entry_stream, SF, ARCHIVE_ENTRY_STREAM, GInputStream)

/* Streams one entry straight out of the archive: it owns a reader of its own,
 * positioned on the entry, and hands out what archive_read_data() gives. */
struct _SfArchiveEntryStream
{
  GInputStream     parent_instance;

  SfArchive       *archive;   /* for the file name in messages */
  char            *path;
  struct archive  *a;
};

G_DEFINE_FINAL_TYPE (SfArchiveEntryStream, sf_archive_entry_stream, G_TYPE_INPUT_STREAM)

static gssize
sf_archive_entry_stream_read (GInputStream  *stream,
                              void          *buffer,
                              gsize          count,
                              GCancellable  *cancellable,
                              GError       **error)
{
  SfArchiveEntryStream *self = SF_ARCHIVE_ENTRY_STREAM (stream);
  la_ssize_t n;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;
  if (self->a == NULL || count == 0)
    return 0;

  n = archive_read_data (self->a, buffer, MIN (count, (gsize) G_MAXINT32));
  if (n < 0) {
    set_entry_read_error (error, self->archive, self->path, archive_message (self->a));
    return -1;
  }

  return (gssize) n;
}

static gboolean
sf_archive_entry_stream_close (GInputStream  *stream,
                               GCancellable  *cancellable,
                               GError       **error)
{
  SfArchiveEntryStream *self = SF_ARCHIVE_ENTRY_STREAM (stream);

  g_clear_pointer (&self->a, archive_read_free);
  return TRUE;
}

static void
sf_archive_entry_stream_finalize (GObject *object)
{
  SfArchiveEntryStream *self = SF_ARCHIVE_ENTRY_STREAM (object);

  g_clear_pointer (&self->a, archive_read_free);
  g_clear_object (&self->archive);
  g_free (self->path);

  G_OBJECT_CLASS (sf_archive_entry_stream_parent_class)->finalize (object);
}

static void
sf_archive_entry_stream_class_init (SfArchiveEntryStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = sf_archive_entry_stream_finalize;
  stream_class->read_fn = sf_archive_entry_stream_read;
  stream_class->close_fn = sf_archive_entry_stream_close;
}

static void
sf_archive_entry_stream_init (SfArchiveEntryStream *self)
{
}

/* ---- SfArchive ---------------------------------------------------------- */

static void
sf_archive_finalize (GObject *object)
{
  SfArchive *self = SF_ARCHIVE (object);

  g_clear_object (&self->file);
  g_free (self->path);
  g_free (self->display_name);
  g_clear_pointer (&self->by_path, g_hash_table_unref);
  g_clear_pointer (&self->entries, g_ptr_array_unref);

  G_OBJECT_CLASS (sf_archive_parent_class)->finalize (object);
}

static void
sf_archive_class_init (SfArchiveClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sf_archive_finalize;
}

static void
sf_archive_init (SfArchive *self)
{
  self->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) sf_archive_entry_free);
  self->by_path = g_hash_table_new (g_str_hash, g_str_equal);
}

/* Reads up to @want bytes of the entry @cursor is on into @entry->kept. */
static gboolean
keep_entry_head (Cursor          *cursor,
                 SfArchiveEntry  *entry,
                 gsize            want)
{
  guint8 *buf = g_malloc (want);
  gsize got = 0;

  while (got < want) {
    la_ssize_t n = archive_read_data (cursor->a, buf + got, want - got);

    if (n < 0) {
      g_free (buf);
      return FALSE;
    }
    if (n == 0)
      break;
    got += (gsize) n;
  }

  entry->kept_all = got < want || (entry->size_known && got == entry->size);
  entry->kept = g_bytes_new_take (g_realloc (buf, MAX (got, 1)), got);
  if (entry->kept_all && !entry->size_known) {
    entry->size = got;
    entry->size_known = TRUE;
  }
  return TRUE;
}

static gboolean
list_entries (SfArchive          *self,
              SfArchiveKeepFunc   keep_func,
              gpointer            user_data,
              GCancellable       *cancellable,
              GError            **error)
{
  Cursor cursor = { NULL, NULL, -1 };
  gsize kept_total = 0;
  int r;

  cursor.a = open_reader (self, error);
  if (cursor.a == NULL)
    return FALSE;

  while ((r = archive_read_next_header (cursor.a, &cursor.ae)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
    SfArchiveEntry *entry;
    char *path;

    cursor.index++;
    if (g_cancellable_set_error_if_cancelled (cancellable, error)) {
      cursor_clear (&cursor);
      return FALSE;
    }
    if (r == ARCHIVE_WARN)
      g_debug ("%s: %s", self->display_name, archive_message (cursor.a));

    /* Regular files with data of their own; a tar hard link has none. */
    if (archive_entry_filetype (cursor.ae) != AE_IFREG || archive_entry_hardlink (cursor.ae) != NULL)
      continue;
    path = entry_pathname (cursor.ae);
    if (path == NULL || *path == '\0') {
      g_free (path);
      continue;
    }

    entry = g_new0 (SfArchiveEntry, 1);
    entry->path = path;
    entry->header_index = (guint) cursor.index;
    entry->size_known = archive_entry_size_is_set (cursor.ae) && archive_entry_size (cursor.ae) >= 0;
    entry->size = entry->size_known ? (guint64) archive_entry_size (cursor.ae) : 0;
    entry->encrypted = archive_entry_is_data_encrypted (cursor.ae) != 0;
    g_ptr_array_add (self->entries, entry);
    g_hash_table_insert (self->by_path, entry->path, entry);

    if (keep_func != NULL && !entry->encrypted && kept_total < SF_ARCHIVE_KEEP_MAX) {
      gsize want = MIN (keep_func (entry->path, user_data), SF_ARCHIVE_KEEP_MAX - kept_total);

      if (want > 0 && keep_entry_head (&cursor, entry, want)) {
        kept_total += g_bytes_get_size (entry->kept);
      } else if (want > 0) {
        /* Damaged data: leave it for whoever reads the entry to report.
         * The reader may refuse to go on, so take a fresh one. */
        g_debug ("%s/%s: %s", self->display_name, entry->path, archive_message (cursor.a));
        cursor_clear (&cursor);
        if (!cursor_seek (self, &cursor, entry->header_index, cancellable, error)) {
          cursor_clear (&cursor);
          return FALSE;
        }
      }
    }
  }

  if (r != ARCHIVE_EOF) {
    set_reader_error (error, self->display_name, cursor.a);
    cursor_clear (&cursor);
    return FALSE;
  }

  cursor_clear (&cursor);
  return TRUE;
}

/**
 * sf_archive_open:
 * @file: a local archive file: zip, 7z, tar, or tar compressed with gzip,
 *   bzip2, xz, zstd, … (whatever libarchive reads; recognised by content)
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Opens @file and lists its regular files in one pass. Nothing is unpacked.
 *
 * Returns: (transfer full): the archive, or %NULL with %SF_ERROR_ARCHIVE
 *   when @file is not an archive or cannot be read.
 */
SfArchive *
sf_archive_open (GFile         *file,
                 GCancellable  *cancellable,
                 GError       **error)
{
  return sf_archive_open_full (file, NULL, NULL, cancellable, error);
}

/**
 * sf_archive_open_full:
 * @file: a local archive file, as for sf_archive_open()
 * @keep_func: (nullable): says how many first bytes of each entry to keep
 * @user_data: data for @keep_func
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Like sf_archive_open(), and keeps the first bytes of the entries
 * @keep_func asks for in #SfArchiveEntry.kept, read in the same pass.
 *
 * Returns: (transfer full): the archive, or %NULL with %SF_ERROR_ARCHIVE.
 */
SfArchive *
sf_archive_open_full (GFile              *file,
                      SfArchiveKeepFunc   keep_func,
                      gpointer            user_data,
                      GCancellable       *cancellable,
                      GError            **error)
{
  g_autoptr(SfArchive) self = NULL;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (SF_TYPE_ARCHIVE, NULL);
  self->file = g_object_ref (file);
  self->display_name = g_file_get_basename (file);
  self->path = g_file_get_path (file);
  if (self->display_name == NULL)
    self->display_name = g_file_get_parse_name (file);

  if (self->path == NULL) {
    g_autofree char *name = g_file_get_parse_name (file);

    sf_set_error_at (error, SF_ERROR_ARCHIVE, name, 0,
                     _("copy it to a local folder first"),
                     _("archives can only be read from local files"));
    return NULL;
  }

  if (!list_entries (self, keep_func, user_data, cancellable, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * sf_archive_get_file:
 *
 * Returns: (transfer none): the archive file.
 */
GFile *
sf_archive_get_file (SfArchive *self)
{
  g_return_val_if_fail (SF_IS_ARCHIVE (self), NULL);

  return self->file;
}

/**
 * sf_archive_get_display_name:
 *
 * Returns: the archive's file name, as used in messages.
 */
const char *
sf_archive_get_display_name (SfArchive *self)
{
  g_return_val_if_fail (SF_IS_ARCHIVE (self), NULL);

  return self->display_name;
}

/**
 * sf_archive_get_entries:
 *
 * Returns: (transfer none) (element-type SfArchiveEntry): the regular files,
 *   in archive order.
 */
GPtrArray *
sf_archive_get_entries (SfArchive *self)
{
  g_return_val_if_fail (SF_IS_ARCHIVE (self), NULL);

  return self->entries;
}

/**
 * sf_archive_find_entry:
 * @path: a path as in #SfArchiveEntry (exact, case-sensitive)
 *
 * Returns: (transfer none) (nullable): the entry, or %NULL.
 */
const SfArchiveEntry *
sf_archive_find_entry (SfArchive  *self,
                       const char *path)
{
  g_return_val_if_fail (SF_IS_ARCHIVE (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  return g_hash_table_lookup (self->by_path, path);
}

/**
 * sf_archive_open_entry:
 * @entry: an entry of @self
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Opens @entry for reading. The stream reads the archive itself: nothing is
 * written to disk and the entry is never held in memory as a whole. Each
 * stream has its own reader, so several may be open at once.
 *
 * Returns: (transfer full): a stream of the entry's bytes, or %NULL.
 */
GInputStream *
sf_archive_open_entry (SfArchive             *self,
                       const SfArchiveEntry  *entry,
                       GCancellable          *cancellable,
                       GError               **error)
{
  Cursor cursor = { NULL, NULL, -1 };
  SfArchiveEntryStream *stream;

  g_return_val_if_fail (SF_IS_ARCHIVE (self), NULL);
  g_return_val_if_fail (entry != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (entry->encrypted) {
    set_encrypted_error (error, self, entry);
    return NULL;
  }
  if (entry->kept_all)
    return g_memory_input_stream_new_from_bytes (entry->kept);

  if (!cursor_seek_entry (self, &cursor, entry, cancellable, error)) {
    cursor_clear (&cursor);
    return NULL;
  }

  stream = g_object_new (SF_TYPE_ARCHIVE_ENTRY_STREAM, NULL);
  stream->archive = g_object_ref (self);
  stream->path = g_strdup (entry->path);
  stream->a = g_steal_pointer (&cursor.a);

  return G_INPUT_STREAM (stream);
}

/* Reads from the entry @cursor is on: up to @max_head bytes into @head, then
 * (when @count_rest) the rest into a scratch buffer, counting. */
static gboolean
read_entry_data (Cursor   *cursor,
                 guint8   *head,
                 gsize     max_head,
                 gsize    *out_head_len,
                 gboolean  count_rest,
                 guint64  *out_total,
                 GCancellable *cancellable)
{
  g_autofree guint8 *scratch = NULL;
  gsize head_len = 0;
  guint64 total = 0;

  while (head_len < max_head) {
    la_ssize_t n = archive_read_data (cursor->a, head + head_len, max_head - head_len);

    if (n < 0)
      return FALSE;
    if (n == 0) {
      *out_head_len = head_len;
      *out_total = head_len;
      return TRUE;
    }
    head_len += (gsize) n;
  }
  total = head_len;

  if (count_rest) {
    scratch = g_malloc (SCRATCH_BYTES);
    for (;;) {
      la_ssize_t n;

      if (g_cancellable_is_cancelled (cancellable))
        return FALSE;
      n = archive_read_data (cursor->a, scratch, SCRATCH_BYTES);
      if (n < 0)
        return FALSE;
      if (n == 0)
        break;
      total += (guint64) n;
    }
  }

  *out_head_len = head_len;
  *out_total = total;
  return TRUE;
}

/**
 * sf_archive_measure_entry:
 * @entry: an entry of @self
 * @out_size: (out): the entry's size
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Gives the entry's size, reading through the entry to count it when the
 * archive does not record it (and remembering it in @entry).
 *
 * Returns: %TRUE on success.
 */
gboolean
sf_archive_measure_entry (SfArchive             *self,
                          const SfArchiveEntry  *entry,
                          guint64               *out_size,
                          GCancellable          *cancellable,
                          GError               **error)
{
  Cursor cursor = { NULL, NULL, -1 };
  SfArchiveEntry *mutable_entry = (SfArchiveEntry *) entry;
  gsize head_len = 0;
  guint64 total = 0;

  g_return_val_if_fail (SF_IS_ARCHIVE (self), FALSE);
  g_return_val_if_fail (entry != NULL, FALSE);

  if (entry->size_known) {
    *out_size = entry->size;
    return TRUE;
  }
  if (entry->encrypted)
    return set_encrypted_error (error, self, entry);

  if (!cursor_seek_entry (self, &cursor, entry, cancellable, error)) {
    cursor_clear (&cursor);
    return FALSE;
  }
  if (!read_entry_data (&cursor, NULL, 0, &head_len, TRUE, &total, cancellable)) {
    if (!g_cancellable_set_error_if_cancelled (cancellable, error))
      set_entry_read_error (error, self, entry->path, archive_message (cursor.a));
    cursor_clear (&cursor);
    return FALSE;
  }
  cursor_clear (&cursor);

  mutable_entry->size = total;
  mutable_entry->size_known = TRUE;
  *out_size = total;
  return TRUE;
}

static gint
compare_header_index (gconstpointer a,
                      gconstpointer b)
{
  const SfArchiveEntry *ea = *(const SfArchiveEntry * const *) a;
  const SfArchiveEntry *eb = *(const SfArchiveEntry * const *) b;

  return (ea->header_index > eb->header_index) - (ea->header_index < eb->header_index);
}

/**
 * sf_archive_read_heads:
 * @entries: (element-type SfArchiveEntry): entries of @self
 * @max_bytes: how many bytes of each entry to read at most
 * @func: called once per entry, in archive order
 * @user_data: data for @func
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads the first @max_bytes of each entry: from #SfArchiveEntry.kept when
 * the listing kept enough of it, else in as few passes over the archive as
 * it can (one, unless an entry's data is damaged). An entry whose size
 * was not known is read to its end to count it, and its size is recorded.
 * When one entry cannot be read, @func gets %NULL bytes and the reason in
 * @read_error, and the other entries are still read. Encrypted entries are
 * passed to @func with a read error too.
 *
 * Returns: %FALSE when the archive cannot be read at all, or @func or
 *   @cancellable stopped the pass.
 */
gboolean
sf_archive_read_heads (SfArchive          *self,
                       GPtrArray          *entries,
                       gsize               max_bytes,
                       SfArchiveHeadFunc   func,
                       gpointer            user_data,
                       GCancellable       *cancellable,
                       GError            **error)
{
  g_autoptr(GPtrArray) sorted = NULL;
  g_autofree guint8 *head = NULL;
  Cursor cursor = { NULL, NULL, -1 };
  gboolean ok = TRUE;

  g_return_val_if_fail (SF_IS_ARCHIVE (self), FALSE);
  g_return_val_if_fail (entries != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  sorted = g_ptr_array_copy (entries, NULL, NULL);
  g_ptr_array_sort (sorted, compare_header_index);
  head = g_malloc (MAX (max_bytes, 1));

  for (guint i = 0; ok && i < sorted->len; i++) {
    SfArchiveEntry *entry = g_ptr_array_index (sorted, i);
    g_autoptr(GError) read_error = NULL;
    gsize head_len = 0;
    guint64 total = 0;

    if (i > 0 && g_ptr_array_index (sorted, i - 1) == entry)
      continue;

    if (entry->encrypted) {
      set_encrypted_error (&read_error, self, entry);
      ok = func (entry, NULL, 0, read_error, user_data, error);
      continue;
    }

    /* Read while listing already? */
    if (entry->kept != NULL && entry->size_known) {
      gsize kept_len = 0;
      const guint8 *kept = g_bytes_get_data (entry->kept, &kept_len);

      if (entry->kept_all || kept_len >= max_bytes) {
        ok = func (entry, kept, MIN (kept_len, max_bytes), NULL, user_data, error);
        continue;
      }
    }

    if (!cursor_seek_entry (self, &cursor, entry, cancellable, error)) {
      ok = FALSE;
      break;
    }

    if (!read_entry_data (&cursor, head, max_bytes, &head_len, !entry->size_known, &total,
                          cancellable)) {
      if (g_cancellable_set_error_if_cancelled (cancellable, error)) {
        ok = FALSE;
        break;
      }
      set_entry_read_error (&read_error, self, entry->path, archive_message (cursor.a));
      /* After a data error the reader may refuse everything else; start
       * again from the top for the next entry. */
      cursor_clear (&cursor);
      ok = func (entry, NULL, 0, read_error, user_data, error);
      continue;
    }

    if (!entry->size_known) {
      entry->size = total;
      entry->size_known = TRUE;
    }
    ok = func (entry, head, head_len, NULL, user_data, error);
  }

  cursor_clear (&cursor);
  return ok;
}
