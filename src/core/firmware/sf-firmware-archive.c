/* sf-firmware-archive.c — a firmware in an archive (.zip, .7z, .tar.*),
 * read in place with sf-archive.c, never unpacked: the scatter found in
 * it, its files streamed out of it
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sf-error.h"
#include "sf-firmware-private.h"

typedef struct {
  SfFirmwareSource      parent;
  SfArchive            *archive;
  const SfArchiveEntry *scatter_entry;
  char                 *dir;            /* the scatter's directory in the archive, "" at the top */
} ArchiveSource;

static guint
path_depth (const char *path)
{
  guint depth = 0;

  for (const char *p = path; *p; p++) {
    if (*p == '/')
      depth++;
  }
  return depth;
}

static gboolean
path_has_junk (const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);

  for (guint i = 0; parts[i] != NULL; i++) {
    if (sf_firmware_is_junk_name (parts[i]))
      return TRUE;
  }
  return FALSE;
}

/* While the archive is listed, keep what opening the firmware reads anyway:
 * each possible scatter whole (real ones are well under this), and the head
 * of every file near the top, where images sit next to the scatter. */
#define SCATTER_KEEP_BYTES (1024 * 1024)

static gsize
keep_for_probe (const char *path,
                gpointer    user_data)
{
  g_autofree char *base = NULL;

  if (path_depth (path) > SF_FIRMWARE_SCATTER_MAX_DEPTH || path_has_junk (path))
    return 0;
  base = g_path_get_basename (path);
  return sf_scatter_looks_like_name (base) ? SCATTER_KEEP_BYTES : SF_IMAGE_PROBE_BYTES;
}

static const SfArchiveEntry *
find_scatter_in_archive (SfArchive  *archive,
                         GError    **error)
{
  GPtrArray *entries = sf_archive_get_entries (archive);
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  const char *where = sf_archive_get_display_name (archive);
  guint best_depth = G_MAXUINT;
  gint pick;

  for (guint i = 0; i < entries->len; i++) {
    const SfArchiveEntry *entry = g_ptr_array_index (entries, i);
    g_autofree char *base = g_path_get_basename (entry->path);
    guint depth = path_depth (entry->path);

    if (depth > SF_FIRMWARE_SCATTER_MAX_DEPTH || depth > best_depth ||
        path_has_junk (entry->path) || !sf_scatter_looks_like_name (base))
      continue;
    if (depth < best_depth) {
      g_ptr_array_set_size (found, 0);
      best_depth = depth;
    }
    /* A path listed twice (tar) is one file. */
    if (!g_ptr_array_find_with_equal_func (found, entry->path, g_str_equal, NULL))
      g_ptr_array_add (found, g_strdup (entry->path));
  }

  if (found->len == 0) {
    sf_set_error_at (error, SF_ERROR_NO_SCATTER, where, 0,
                     _("pick the firmware package made for SP Flash Tool"),
                     _("no scatter file (…_Android_scatter.txt) in this archive"));
    return NULL;
  }

  pick = sf_firmware_pick_scatter (found, where, error);
  if (pick < 0)
    return NULL;

  return sf_archive_find_entry (archive, g_ptr_array_index (found, pick));
}

static void
archive_free (SfFirmwareSource *source)
{
  ArchiveSource *self = (ArchiveSource *) source;

  g_clear_object (&self->archive);
  g_clear_pointer (&self->dir, g_free);
}

static SfScatter *
archive_load_scatter (SfFirmwareSource  *source,
                      GCancellable      *cancellable,
                      GError           **error)
{
  ArchiveSource *self = (ArchiveSource *) source;
  g_autoptr(GInputStream) stream = NULL;
  g_autofree char *scatter_name = NULL;
  SfScatter *scatter;

  /* Messages about the scatter then point into the archive:
   * firmware.zip/sub/MT6572_Android_scatter.txt:185: … */
  scatter_name = g_strdup_printf ("%s/%s", sf_archive_get_display_name (self->archive), self->scatter_entry->path);
  /* Read whole while listing, as a rule; a scatter too large for that is
   * streamed (and most likely refused by the parser). */
  stream = sf_archive_open_entry (self->archive, self->scatter_entry, cancellable, error);
  if (stream == NULL)
    return NULL;
  scatter = sf_scatter_new_from_stream (stream, scatter_name, cancellable, error);
  if (scatter != NULL)
    g_input_stream_close (stream, NULL, NULL);
  return scatter;
}

static gboolean
archive_list_files (SfFirmwareSource  *source,
                    guint              level,
                    GPtrArray         *files,
                    GCancellable      *cancellable,
                    GError           **error)
{
  ArchiveSource *self = (ArchiveSource *) source;
  GPtrArray *entries = sf_archive_get_entries (self->archive);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);  /* name → its place in @files */
  g_autofree char *dir = NULL;

  if (level == 0) {
    dir = g_strdup (self->dir);
  } else {
    /* The top of the archive is as far up as it goes. */
    if (level > 1 || *self->dir == '\0')
      return TRUE;
    dir = g_path_get_dirname (self->dir);
    if (g_str_equal (dir, "."))
      dir[0] = '\0';
  }

  for (guint i = 0; i < entries->len; i++) {
    const SfArchiveEntry *entry = g_ptr_array_index (entries, i);
    g_autofree char *entry_dir = g_path_get_dirname (entry->path);
    SfFirmwareFile *df;
    gpointer at;

    if (g_str_equal (entry_dir, ".") ? *dir != '\0' : !g_str_equal (entry_dir, dir))
      continue;

    df = g_new0 (SfFirmwareFile, 1);
    df->source = source;
    df->name = g_path_get_basename (entry->path);
    /* A path listed twice in a tar: the last copy is the file, as when
     * unpacked; a hard link reads as the entry that holds its data. */
    df->entry = sf_archive_find_entry (self->archive, entry->path);
    df->size = df->entry->size;
    df->path = g_strdup_printf ("%s/%s", sf_archive_get_display_name (self->archive), entry->path);
    if (g_hash_table_lookup_extended (seen, df->name, NULL, &at)) {
      g_hash_table_replace (seen, df->name, at);
      sf_firmware_file_free (g_ptr_array_index (files, GPOINTER_TO_UINT (at)));
      g_ptr_array_index (files, GPOINTER_TO_UINT (at)) = df;
    } else {
      g_hash_table_insert (seen, df->name, GUINT_TO_POINTER (files->len));
      g_ptr_array_add (files, df);
    }
  }
  return TRUE;
}

static gboolean
on_archive_head (const SfArchiveEntry  *entry,
                 const guint8          *head,
                 gsize                  head_len,
                 const GError          *read_error,
                 gpointer               user_data,
                 GError               **error)
{
  GPtrArray *wanted = user_data;

  for (guint i = 0; i < wanted->len; i++) {
    SfFirmwareFile *df = g_ptr_array_index (wanted, i);

    if (df->entry != entry)
      continue;
    df->size = entry->size;
    if (read_error != NULL)
      df->error = g_error_copy (read_error);
    else
      df->image = sf_image_probe (head, head_len, df->size, df->name, &df->error);
  }

  return TRUE;
}

static gboolean
archive_probe_files (SfFirmwareSource  *source,
                     GPtrArray         *files,
                     GCancellable      *cancellable,
                     GError           **error)
{
  ArchiveSource *self = (ArchiveSource *) source;
  g_autoptr(GPtrArray) entries = g_ptr_array_new ();

  for (guint i = 0; i < files->len; i++)
    g_ptr_array_add (entries, (gpointer) ((SfFirmwareFile *) g_ptr_array_index (files, i))->entry);
  /* One pass over the archive, reading the first bytes of each image. */
  return sf_archive_read_heads (self->archive, entries, SF_IMAGE_PROBE_BYTES,
                                on_archive_head, files, cancellable, error);
}

static GInputStream *
archive_open_file (SfFirmwareSource  *source,
                   SfFirmwareFile    *file,
                   GCancellable      *cancellable,
                   GError           **error)
{
  ArchiveSource *self = (ArchiveSource *) source;

  return sf_archive_open_entry (self->archive, file->entry, cancellable, error);
}

typedef struct {
  ArchiveSource    *self;
  SfFirmwareCheck  *check;
} CheckRun;

static gboolean
on_check_entry (const SfArchiveEntry  *entry,
                GInputStream          *stream,
                gpointer               user_data,
                GCancellable          *cancellable,
                GError               **error)
{
  CheckRun *run = user_data;
  SfFirmwareFile *first = NULL;

  for (guint i = 0; i < run->check->files->len; i++) {
    SfFirmwareFile *df = g_ptr_array_index (run->check->files, i);

    if (df->entry != entry)
      continue;
    if (first == NULL) {
      sf_firmware_check_announce (run->check, df);
      if (!sf_firmware_digest_file (df, stream, cancellable, error))
        return FALSE;
      first = df;
    } else {
      /* The same data under another name (a hard link). */
      sf_firmware_check_announce (run->check, df);
      {
        g_autoptr(GInputStream) again = sf_archive_open_entry (run->self->archive, entry, cancellable, error);

        if (again == NULL || !sf_firmware_digest_file (df, again, cancellable, error))
          return FALSE;
      }
    }
  }
  return TRUE;
}

/* The archive once, to its end, so that every check it carries runs (zip
 * and 7z CRC-32s, the gzip trailer, xz and bzip2 checks). */
static gboolean
archive_check_files (SfFirmwareSource  *source,
                     SfFirmwareCheck   *check,
                     GCancellable      *cancellable,
                     GError           **error)
{
  ArchiveSource *self = (ArchiveSource *) source;
  g_autoptr(GPtrArray) entries = g_ptr_array_new ();
  CheckRun run = { self, check };

  for (guint i = 0; i < check->files->len; i++) {
    const SfFirmwareFile *df = g_ptr_array_index (check->files, i);

    if (!g_ptr_array_find (entries, df->entry, NULL))
      g_ptr_array_add (entries, (gpointer) df->entry);
  }
  return entries->len == 0 ||
         sf_archive_check_entries (self->archive, entries, on_check_entry, &run, cancellable, error);
}

static SfDaFile *
archive_open_da (SfFirmwareSource  *source,
                 SfFirmwareFile    *file,
                 GCancellable      *cancellable,
                 GError           **error)
{
  ArchiveSource *self = (ArchiveSource *) source;

  return sf_da_file_new_from_archive (self->archive, file->entry, cancellable, error);
}

static const SfFirmwareSourceClass archive_class = {
  .is_archive = TRUE,
  .free = archive_free,
  .load_scatter = archive_load_scatter,
  .list_files = archive_list_files,
  .probe_files = archive_probe_files,
  .open_file = archive_open_file,
  .check_files = archive_check_files,
  .open_da = archive_open_da,
};

SfFirmwareSource *
sf_firmware_archive_source_open (GFile         *location,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  g_autoptr(SfArchive) archive = NULL;
  const SfArchiveEntry *scatter_entry;
  g_autofree char *dir = NULL;
  ArchiveSource *self;

  archive = sf_archive_open_full (location, keep_for_probe, NULL, cancellable, error);
  if (archive == NULL)
    return NULL;
  scatter_entry = find_scatter_in_archive (archive, error);
  if (scatter_entry == NULL)
    return NULL;

  self = g_new0 (ArchiveSource, 1);
  self->parent.klass = &archive_class;
  self->parent.display_name = g_file_get_parse_name (sf_archive_get_file (archive));
  self->archive = g_steal_pointer (&archive);
  self->scatter_entry = scatter_entry;
  dir = g_path_get_dirname (scatter_entry->path);
  self->dir = g_str_equal (dir, ".") ? g_strdup ("") : g_steal_pointer (&dir);
  return &self->parent;
}
