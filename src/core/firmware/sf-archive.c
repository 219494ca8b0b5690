/* sf-archive.c
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>
#include <archive.h>
#include <archive_entry.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "sf-archive.h"
#include "sf-rar-headers.h"
#include "sf-crc32.h"
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

/* The entry's data failed the archive's own check (a zip, 7z or RAR CRC-32) or
 * could not be decompressed: what would be flashed is not what the firmware's
 * maker packed. */
static void
set_entry_damaged_error (GError     **error,
                         SfArchive   *self,
                         const char  *entry_path,
                         const char  *detail)
{
  sf_set_error_at (error, SF_ERROR_IMAGE_CHECKSUM, self->display_name, 0,
                   _("download the firmware again"),
                   _("%s is damaged: its data does not match the archive's check (%s; S_CHKSUM_ERROR 1041)"),
                   entry_path, detail);
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
  gboolean         borrowed;  /* @a belongs to sf_archive_check_entries() */
  guint64          size;      /* the entry's size, when known */
  gboolean         size_known;
  guint64          delivered;
  gboolean         at_end;    /* archive_read_data() said the entry ended */
  gboolean         check_crc; /* RAR: compare @crc with @want_crc at the end */
  guint32          want_crc;
  guint32          crc;
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
  if (self->a == NULL || count == 0 || self->at_end)
    return 0;

  n = archive_read_data (self->a, buffer, MIN (count, (gsize) G_MAXINT32));
  if (n < 0) {
    set_entry_damaged_error (error, self->archive, self->path, archive_message (self->a));
    return -1;
  }
  if (n == 0)
    self->at_end = TRUE;
  self->delivered += (guint64) n;
  if (self->check_crc)
    self->crc = sf_crc32 (self->crc, buffer, (gsize) n);

  /* Readers stop after the size the archive declared, so the format's own
   * check (the zip CRC-32, read after the last byte) would never run: ask
   * for the end now, and let the last bytes go only once it has passed. */
  if (n > 0 && self->size_known && self->delivered >= self->size) {
    guint8 extra;
    la_ssize_t m = archive_read_data (self->a, &extra, 1);

    if (m < 0) {
      set_entry_damaged_error (error, self->archive, self->path, archive_message (self->a));
      return -1;
    }
    if (m > 0) {
      set_entry_damaged_error (error, self->archive, self->path,
                               _("it holds more bytes than the archive says"));
      return -1;
    }
    self->at_end = TRUE;
  }

  if (self->at_end && self->check_crc) {
    self->check_crc = FALSE;
    if (self->crc != self->want_crc) {
      g_autofree char *detail = g_strdup_printf (_("its CRC-32 is 0x%08X, the archive says 0x%08X"),
                                                 self->crc, self->want_crc);

      set_entry_damaged_error (error, self->archive, self->path, detail);
      return -1;
    }
  }

  return (gssize) n;
}

static gboolean
sf_archive_entry_stream_close (GInputStream  *stream,
                               GCancellable  *cancellable,
                               GError       **error)
{
  SfArchiveEntryStream *self = SF_ARCHIVE_ENTRY_STREAM (stream);

  if (self->borrowed)
    self->a = NULL;
  g_clear_pointer (&self->a, archive_read_free);
  return TRUE;
}

static void
sf_archive_entry_stream_finalize (GObject *object)
{
  SfArchiveEntryStream *self = SF_ARCHIVE_ENTRY_STREAM (object);

  if (self->borrowed)
    self->a = NULL;
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
/* ---- RAR checksums (the headers are walked in sf-rar-headers.c) ---------- */

/* Two readers that disagree on the entries: check nothing rather than
 * call a good archive damaged. */
static void
rar_drop_crcs (SfArchive *self)
{
  g_debug ("%s: RAR file headers do not match the entries; their CRC-32s are not checked", self->display_name);
  for (guint i = 0; i < self->entries->len; i++)
    ((SfArchiveEntry *) g_ptr_array_index (self->entries, i))->has_crc32 = FALSE;
}

/* Gives @entry the CRC-32 of the file header at its place. Returns %FALSE
 * (and drops every CRC-32) when that header names another file. */
static gboolean
rar_take_crc (SfArchive      *self,
              GArray         *rar,
              SfArchiveEntry *entry)
{
  const SfRarFile *file;
  g_autofree char *name = NULL;

  if (entry->header_index >= rar->len) {
    rar_drop_crcs (self);
    return FALSE;
  }
  file = &g_array_index (rar, SfRarFile, entry->header_index);
  name = file->name != NULL ? normalise_path (file->name) : NULL;
  if (name != NULL && g_strcmp0 (name, entry->path) != 0) {
    rar_drop_crcs (self);
    return FALSE;
  }
  entry->has_crc32 = file->has_crc;
  entry->crc32 = file->crc;
  return TRUE;
}

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

  /* A whole entry in memory is used as it is from then on: make sure the
   * format's check at its end ran (see sf_archive_entry_stream_read()). */
  if (got == want && entry->size_known && got == entry->size) {
    guint8 extra;

    if (archive_read_data (cursor->a, &extra, 1) != 0) {
      g_free (buf);
      return FALSE;
    }
  }

  /* Kept whole, it is never read from the archive again: its RAR CRC-32
   * is compared now. Damaged, it is left for the stream to report. */
  if (entry->has_crc32 && (got < want || (entry->size_known && got == entry->size)) &&
      sf_crc32 (0, buf, got) != entry->crc32) {
    g_free (buf);
    return FALSE;
  }

  entry->kept_all = got < want || (entry->size_known && got == entry->size);
  entry->kept = g_bytes_new_take (g_realloc (buf, MAX (got, 1)), got);
  if (entry->kept_all && !entry->size_known) {
    entry->size = got;
    entry->size_known = TRUE;
  }
  return TRUE;
}

/* Lists the hard link @cursor is on under its own name, sharing the data
 * of the entry it links to: a firmware packed with `tar --hard-dereference`
 * off has each image once, however many names it has. */
static void
add_hard_link (SfArchive *self,
               Cursor    *cursor)
{
  const char *raw_target = archive_entry_hardlink_utf8 (cursor->ae);
  g_autofree char *target_path = NULL;
  g_autofree char *path = entry_pathname (cursor->ae);
  SfArchiveEntry *target;
  SfArchiveEntry *link;

  if (raw_target == NULL)
    raw_target = archive_entry_hardlink (cursor->ae);
  if (raw_target == NULL || path == NULL || *path == '\0')
    return;
  target_path = normalise_path (raw_target);
  target = g_hash_table_lookup (self->by_path, target_path);
  if (target == NULL) {
    /* Links only ever point back; one that points nowhere has no data. */
    g_debug ("%s: hard link %s to %s, which is not a file before it", self->display_name, path, target_path);
    return;
  }
  while (target->link_target != NULL)
    target = (SfArchiveEntry *) target->link_target;

  link = g_new0 (SfArchiveEntry, 1);
  link->path = g_steal_pointer (&path);
  link->header_index = target->header_index;
  link->size = target->size;
  link->size_known = target->size_known;
  link->encrypted = target->encrypted;
  link->kept = target->kept != NULL ? g_bytes_ref (target->kept) : NULL;
  link->kept_all = target->kept_all;
  link->link_target = target;
  g_ptr_array_add (self->entries, link);
  g_hash_table_insert (self->by_path, link->path, link);
}

static gboolean
list_entries (SfArchive          *self,
              SfArchiveKeepFunc   keep_func,
              gpointer            user_data,
              GCancellable       *cancellable,
              GError            **error)
{
  Cursor cursor = { NULL, NULL, -1 };
  g_autoptr(GArray) rar = NULL;
  gsize kept_total = 0;
  int r;

  cursor.a = open_reader (self, error);
  if (cursor.a == NULL)
    return FALSE;
  rar = sf_rar_list_files (self->file, self->display_name, cancellable);

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

    /* A tar hard link has no data of its own: it names an earlier entry
     * (pax may still give one data, which makes it a file like any other). */
    if (archive_entry_hardlink (cursor.ae) != NULL &&
        !(archive_entry_size_is_set (cursor.ae) && archive_entry_size (cursor.ae) > 0)) {
      add_hard_link (self, &cursor);
      continue;
    }
    if (archive_entry_filetype (cursor.ae) != AE_IFREG)
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
    if (rar != NULL && !rar_take_crc (self, rar, entry))
      g_clear_pointer (&rar, g_array_unref);
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
  if (rar != NULL && (guint) (cursor.index + 1) != rar->len)
    rar_drop_crcs (self);

  cursor_clear (&cursor);
  return TRUE;
}

/**
 * sf_archive_open:
 * @file: a local archive file: zip, 7z, RAR 4 or 5, tar, or tar compressed with gzip,
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
  SfArchiveEntry *entry;

  g_return_val_if_fail (SF_IS_ARCHIVE (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  entry = g_hash_table_lookup (self->by_path, path);
  /* A hard link reads as the entry that holds its data. */
  return entry != NULL && entry->link_target != NULL ? entry->link_target : entry;
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

  if (entry->link_target != NULL)
    entry = entry->link_target;
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
  stream->size = entry->size;
  stream->size_known = entry->size_known;
  stream->check_crc = entry->has_crc32;
  stream->want_crc = entry->crc32;

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

  if (entry->link_target != NULL)
    entry = mutable_entry = (SfArchiveEntry *) entry->link_target;
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

/* ---- checking every entry to its end ------------------------------------ */

/* For an archive inside a compression filter (tar.gz, tar.xz, …) the check
 * pass reads the decompressed stream through a "raw" reader of its own and
 * hands it to the archive reader, so it sees every byte that comes out:
 * libarchive does not check the gzip trailer (its CRC-32 and length), and a
 * compressed stream's own checks run only once it is read to its very end,
 * past the archive's last entry. */
typedef struct {
  SfArchive       *archive;
  struct archive  *outer;     /* the filter, raw format */
  guint32          crc;       /* of everything decompressed */
  guint64          total;
  gboolean         failed;
} Pipe;

static la_ssize_t
pipe_read (struct archive  *a,
           void            *user_data,
           const void     **buffer)
{
  Pipe *pipe = user_data;
  size_t size = 0;
  la_int64_t offset = 0;
  int r = archive_read_data_block (pipe->outer, buffer, &size, &offset);

  if (r == ARCHIVE_EOF)
    return 0;
  if (r < ARCHIVE_WARN) {
    pipe->failed = TRUE;
    archive_set_error (a, -1, "%s", archive_message (pipe->outer));
    return -1;
  }
  pipe->crc = sf_crc32 (pipe->crc, *buffer, size);
  pipe->total += size;
  return (la_ssize_t) size;
}

static struct archive *
open_outer (SfArchive  *self,
            GError    **error)
{
  struct archive *a = archive_read_new ();
  struct archive_entry *ae = NULL;

  archive_read_support_filter_all (a);
  archive_read_support_format_raw (a);
  if (archive_read_open_filename (a, self->path, READ_BLOCK_BYTES) != ARCHIVE_OK ||
      archive_read_next_header (a, &ae) != ARCHIVE_OK) {
    set_reader_error (error, self->display_name, a);
    archive_read_free (a);
    return NULL;
  }
  return a;
}

/* gzip's trailer: CRC-32 and length (mod 2^32) of the data, little-endian,
 * in the last 8 bytes. A file of several gzip members carries one per
 * member; only when the length matches the whole is it the single member's,
 * so a CRC-32 that differs then is damage, never a false alarm. */
static gboolean
check_gzip_trailer (SfArchive     *self,
                    const Pipe    *pipe,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(GFileInputStream) in = g_file_read (self->file, cancellable, error);
  guint8 t[8];
  gsize got = 0;
  guint32 crc, isize;

  if (in == NULL ||
      !g_seekable_seek (G_SEEKABLE (in), -8, G_SEEK_END, cancellable, error) ||
      !g_input_stream_read_all (G_INPUT_STREAM (in), t, sizeof t, &got, cancellable, error))
    return FALSE;
  if (got != sizeof t)
    return TRUE;
  crc = (guint32) t[0] | (guint32) t[1] << 8 | (guint32) t[2] << 16 | (guint32) t[3] << 24;
  isize = (guint32) t[4] | (guint32) t[5] << 8 | (guint32) t[6] << 16 | (guint32) t[7] << 24;
  if (isize != (guint32) pipe->total) {
    g_debug ("%s: gzip trailer length %u, data %" PRIu64 ": several members, not checked",
             self->display_name, isize, pipe->total);
    return TRUE;
  }
  if (crc != pipe->crc) {
    sf_set_error_at (error, SF_ERROR_IMAGE_CHECKSUM, self->display_name, 0,
                     _("download the firmware again"),
                     _("the archive is damaged: its gzip CRC-32 is 0x%08X, but the data gives 0x%08X, so none of its images can be trusted (S_CHKSUM_ERROR 1041)"),
                     crc, pipe->crc);
    return FALSE;
  }
  return TRUE;
}

/* Reads what is left of the entry @a is on, to its end. */
static gboolean
drain_entry (struct archive  *a,
             guint32         *crc,
             GCancellable    *cancellable)
{
  g_autofree guint8 *scratch = g_malloc (SCRATCH_BYTES);

  for (;;) {
    la_ssize_t n;

    if (g_cancellable_is_cancelled (cancellable))
      return FALSE;
    n = archive_read_data (a, scratch, SCRATCH_BYTES);
    if (n < 0)
      return FALSE;
    if (n == 0)
      return TRUE;
    if (crc != NULL)
      *crc = sf_crc32 (*crc, scratch, (gsize) n);
  }
}

/**
 * sf_archive_check_entries:
 * @entries: (element-type SfArchiveEntry): entries of @self to hand to @func
 * @func: called once per entry of @entries, in archive order, with a stream
 *   of its data
 * @user_data: data for @func
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads the whole archive once, to its end, so that every check the format
 * and its compression carry runs: the zip, 7z and RAR CRC-32 of each entry, the
 * gzip trailer, the xz, bzip2 and zstd checks. Each entry of @entries is
 * handed to @func as a stream; what @func leaves unread is read by the pass.
 * Nothing is held in memory beyond a block.
 *
 * Returns: %FALSE with %SF_ERROR_IMAGE_CHECKSUM naming the archive and the
 *   entry when data fails its check, or with what @func or @cancellable set.
 */
gboolean
sf_archive_check_entries (SfArchive            *self,
                          GPtrArray            *entries,
                          SfArchiveStreamFunc   func,
                          gpointer              user_data,
                          GCancellable         *cancellable,
                          GError              **error)
{
  g_autoptr(GHashTable) wanted = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) with_crc = g_hash_table_new (NULL, NULL);
  struct archive *a = NULL;
  struct archive_entry *ae = NULL;
  Pipe pipe = { self, NULL, 0, 0, FALSE };
  gboolean is_gzip = FALSE;
  gboolean ok = FALSE;
  gint index = -1;
  int r;

  g_return_val_if_fail (SF_IS_ARCHIVE (self), FALSE);
  g_return_val_if_fail (entries != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  for (guint i = 0; i < entries->len; i++) {
    const SfArchiveEntry *entry = g_ptr_array_index (entries, i);

    if (entry->link_target != NULL)
      entry = entry->link_target;
    g_hash_table_insert (wanted, GUINT_TO_POINTER (entry->header_index), (gpointer) entry);
  }
  /* RAR entries whose CRC-32 libarchive does not check: all of them, wanted
   * or not, as the other formats' checks run on every entry. */
  for (guint i = 0; i < self->entries->len; i++) {
    const SfArchiveEntry *entry = g_ptr_array_index (self->entries, i);

    if (entry->has_crc32 && entry->link_target == NULL)
      g_hash_table_insert (with_crc, GUINT_TO_POINTER (entry->header_index), (gpointer) entry);
  }

  /* Which compression, if any, wraps the archive. */
  a = open_reader (self, error);
  if (a == NULL)
    return FALSE;
  if (archive_filter_count (a) > 1) {
    is_gzip = archive_filter_code (a, 0) == ARCHIVE_FILTER_GZIP;
    archive_read_free (a);
    pipe.outer = open_outer (self, error);
    if (pipe.outer == NULL)
      return FALSE;
    a = archive_read_new ();
    archive_read_support_format_all (a);
    if (archive_read_open (a, &pipe, NULL, pipe_read, NULL) != ARCHIVE_OK) {
      set_reader_error (error, self->display_name, a);
      goto out;
    }
  }

  while ((r = archive_read_next_header (a, &ae)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
    const SfArchiveEntry *entry;
    const SfArchiveEntry *checked;
    g_autoptr(SfArchiveEntryStream) stream = NULL;
    g_autofree char *path = NULL;

    index++;
    if (g_cancellable_set_error_if_cancelled (cancellable, error))
      goto out;

    entry = g_hash_table_lookup (wanted, GINT_TO_POINTER (index));
    path = entry_pathname (ae);
    if (entry != NULL && g_strcmp0 (path, entry->path) != 0) {
      sf_set_error_at (error, SF_ERROR_ARCHIVE, self->display_name, 0,
                       _("open the archive again"),
                       _("%s is no longer where it was in the archive; it changed on disk"),
                       entry->path);
      goto out;
    }

    checked = entry != NULL ? entry : g_hash_table_lookup (with_crc, GINT_TO_POINTER (index));
    if (checked != NULL) {
      if (checked->encrypted) {
        set_encrypted_error (error, self, checked);
        goto out;
      }
      stream = g_object_new (SF_TYPE_ARCHIVE_ENTRY_STREAM, NULL);
      stream->archive = g_object_ref (self);
      stream->path = g_strdup (checked->path);
      stream->a = a;
      stream->borrowed = TRUE;
      stream->size = checked->size;
      stream->size_known = checked->size_known;
      stream->check_crc = checked->has_crc32;
      stream->want_crc = checked->crc32;
    }
    if (entry != NULL && !func (entry, G_INPUT_STREAM (stream), user_data, cancellable, error))
      goto out;

    /* Every entry to its end, wanted or not: its check runs there, and a
     * damaged stream before an image is damage in the image's archive. A
     * RAR CRC-32 goes on over what @func left unread. A folder has no data,
     * and libarchive's RAR 5 reader fails any read of one. */
    if (archive_entry_filetype (ae) == AE_IFDIR)
      continue;
    if (!drain_entry (a, stream != NULL && stream->check_crc ? &stream->crc : NULL, cancellable)) {
      if (!g_cancellable_set_error_if_cancelled (cancellable, error))
        set_entry_damaged_error (error, self, path != NULL ? path : "?", archive_message (a));
      goto out;
    }
    if (stream != NULL && stream->check_crc && stream->crc != stream->want_crc) {
      g_autofree char *detail = g_strdup_printf (_("its CRC-32 is 0x%08X, the archive says 0x%08X"),
                                                 stream->crc, stream->want_crc);

      set_entry_damaged_error (error, self, checked->path, detail);
      goto out;
    }
  }
  if (r != ARCHIVE_EOF) {
    set_reader_error (error, self->display_name, a);
    goto out;
  }

  if (pipe.outer != NULL) {
    /* Past the archive's end marker to the end of the compressed stream,
     * where its last checks are. */
    const void *buf;
    size_t size;
    la_int64_t offset;

    while ((r = archive_read_data_block (pipe.outer, &buf, &size, &offset)) == ARCHIVE_OK ||
           r == ARCHIVE_WARN) {
      pipe.crc = sf_crc32 (pipe.crc, buf, size);
      pipe.total += size;
    }
    if (r != ARCHIVE_EOF) {
      sf_set_error_at (error, SF_ERROR_IMAGE_CHECKSUM, self->display_name, 0,
                       _("download the firmware again"),
                       _("the archive is damaged at its end (%s; S_CHKSUM_ERROR 1041)"),
                       archive_message (pipe.outer));
      goto out;
    }
    if (is_gzip && !check_gzip_trailer (self, &pipe, cancellable, error))
      goto out;
  }
  ok = TRUE;

out:
  g_clear_pointer (&a, archive_read_free);
  g_clear_pointer (&pipe.outer, archive_read_free);
  return ok;
}
