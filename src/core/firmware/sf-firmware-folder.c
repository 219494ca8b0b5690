/* sf-firmware-folder.c — a firmware in a folder: the scatter found in it
 * (at the top or one or two levels down), its files read where they are
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sf-error.h"
#include "sf-firmware-private.h"

/* Stop descending when a folder has this many subfolders in all: someone
 * pointed us at their home folder. */
#define SCATTER_MAX_FOLDERS 2000

typedef struct {
  SfFirmwareSource  parent;
  GFile            *scatter_file;  /* NULL for loose files */
  GFile            *folder;        /* where the scatter is */
  GFile            *root;          /* the folder the user gave, or @folder */
} FolderSource;

static GFile *
find_scatter_in_folder (GFile         *folder,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(GPtrArray) level = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *where = g_file_get_parse_name (folder);
  guint n_folders = 0;

  /* Relative paths of the folders to look in at the current depth. */
  g_ptr_array_add (level, g_strdup (""));

  for (guint depth = 0; depth <= SF_FIRMWARE_SCATTER_MAX_DEPTH && level->len > 0; depth++) {
    g_autoptr(GPtrArray) next = g_ptr_array_new_with_free_func (g_free);
    g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
    gint pick;

    for (guint i = 0; i < level->len; i++) {
      const char *rel = g_ptr_array_index (level, i);
      g_autoptr(GFile) dir = *rel ? g_file_resolve_relative_path (folder, rel) : g_object_ref (folder);
      g_autoptr(GFileEnumerator) children = NULL;
      g_autoptr(GError) local_error = NULL;
      GFileInfo *info;

      children = g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                                 G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                            G_FILE_QUERY_INFO_NONE, cancellable, &local_error);
      if (children == NULL) {
        /* The folder itself must be readable; below it, skip what is not. */
        if (depth == 0) {
          sf_set_error_at (error, SF_ERROR_SCATTER_OPEN, where, 0, NULL, "%s", local_error->message);
          return NULL;
        }
        continue;
      }

      /* iterate() keeps ownership of @info; an error ends this folder. */
      while (g_file_enumerator_iterate (children, &info, NULL, cancellable, &local_error) && info != NULL) {
        const char *name = g_file_info_get_name (info);
        GFileType type = g_file_info_get_file_type (info);
        char *child = *rel ? g_build_path ("/", rel, name, NULL) : g_strdup (name);

        if (sf_firmware_is_junk_name (name)) {
          g_free (child);
        } else if (type == G_FILE_TYPE_REGULAR && sf_scatter_looks_like_name (name)) {
          g_ptr_array_add (found, child);
        } else if (type == G_FILE_TYPE_DIRECTORY && depth < SF_FIRMWARE_SCATTER_MAX_DEPTH &&
                   n_folders < SCATTER_MAX_FOLDERS) {
          n_folders++;
          g_ptr_array_add (next, child);
        } else {
          g_free (child);
        }
      }
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
        g_propagate_error (error, g_steal_pointer (&local_error));
        return NULL;
      }
    }

    if (found->len > 0) {
      pick = sf_firmware_pick_scatter (found, where, error);
      if (pick < 0)
        return NULL;
      return g_file_resolve_relative_path (folder, g_ptr_array_index (found, pick));
    }

    g_ptr_array_sort (next, sf_firmware_compare_names);
    g_clear_pointer (&level, g_ptr_array_unref);
    level = g_steal_pointer (&next);
  }

  sf_set_error_at (error, SF_ERROR_NO_SCATTER, where, 0,
                   _("pick the folder the firmware was unpacked to"),
                   _("no scatter file (…_Android_scatter.txt) in this folder"));
  return NULL;
}

static void
folder_free (SfFirmwareSource *source)
{
  FolderSource *self = (FolderSource *) source;

  g_clear_object (&self->scatter_file);
  g_clear_object (&self->folder);
  g_clear_object (&self->root);
}

static SfScatter *
folder_load_scatter (SfFirmwareSource  *source,
                     GCancellable      *cancellable,
                     GError           **error)
{
  FolderSource *self = (FolderSource *) source;

  return sf_scatter_new_from_file (self->scatter_file, cancellable, error);
}

static gboolean
folder_list_files (SfFirmwareSource  *source,
                   guint              level,
                   GPtrArray         *files,
                   GCancellable      *cancellable,
                   GError           **error)
{
  FolderSource *self = (FolderSource *) source;
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GFileEnumerator) children = NULL;
  g_autoptr(GError) local_error = NULL;
  GFileInfo *info;

  if (self->folder == NULL)
    return TRUE;
  if (level == 0) {
    folder = g_object_ref (self->folder);
  } else {
    /* Not above the folder the user gave. */
    if (level > 1 || g_file_equal (self->folder, self->root))
      return TRUE;
    folder = g_file_get_parent (self->folder);
  }

  children = g_file_enumerate_children (folder,
                                        G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                        G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                                        G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                        G_FILE_QUERY_INFO_NONE, cancellable, &local_error);
  if (children == NULL) {
    g_autofree char *where = g_file_get_parse_name (folder);

    if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      g_propagate_error (error, g_steal_pointer (&local_error));
    else
      sf_set_error_at (error, SF_ERROR_SCATTER_OPEN, where, 0, NULL, "%s", local_error->message);
    return FALSE;
  }

  while (g_file_enumerator_iterate (children, &info, NULL, cancellable, &local_error) && info != NULL) {
    g_autoptr(GFile) file = NULL;

    if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
      continue;
    file = g_file_get_child (folder, g_file_info_get_name (info));
    g_ptr_array_add (files, sf_firmware_folder_file_new (source, file, g_file_info_get_name (info),
                                                         (guint64) MAX (g_file_info_get_size (info), 0)));
  }
  if (local_error != NULL) {
    g_propagate_error (error, g_steal_pointer (&local_error));
    return FALSE;
  }
  return TRUE;
}

static gboolean
folder_probe_files (SfFirmwareSource  *source,
                    GPtrArray         *files,
                    GCancellable      *cancellable,
                    GError           **error)
{
  for (guint i = 0; i < files->len; i++) {
    SfFirmwareFile *df = g_ptr_array_index (files, i);
    g_autoptr(GFileInputStream) stream = NULL;

    if (g_cancellable_set_error_if_cancelled (cancellable, error))
      return FALSE;

    stream = g_file_read (df->file, cancellable, &df->error);
    if (stream != NULL) {
      df->image = sf_image_probe_stream (G_INPUT_STREAM (stream), df->size, df->name,
                                         cancellable, &df->error);
      g_input_stream_close (G_INPUT_STREAM (stream), NULL, NULL);
    }
    /* A file that cannot be read is that file's problem; cancelling is ours. */
    if (g_error_matches (df->error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      g_propagate_error (error, g_steal_pointer (&df->error));
      return FALSE;
    }
  }

  return TRUE;
}

static GInputStream *
folder_open_file (SfFirmwareSource  *source,
                  SfFirmwareFile    *file,
                  GCancellable      *cancellable,
                  GError           **error)
{
  return G_INPUT_STREAM (g_file_read (file->file, cancellable, error));
}

static gboolean
folder_check_files (SfFirmwareSource  *source,
                    SfFirmwareCheck   *check,
                    GCancellable      *cancellable,
                    GError           **error)
{
  for (guint i = 0; i < check->files->len; i++) {
    SfFirmwareFile *df = g_ptr_array_index (check->files, i);
    g_autoptr(GFileInputStream) stream = NULL;

    sf_firmware_check_announce (check, df);
    stream = g_file_read (df->file, cancellable, error);
    if (stream == NULL || !sf_firmware_digest_file (df, G_INPUT_STREAM (stream), cancellable, error))
      return FALSE;
  }
  return TRUE;
}

static SfDaFile *
folder_open_da (SfFirmwareSource  *source,
                SfFirmwareFile    *file,
                GCancellable      *cancellable,
                GError           **error)
{
  return sf_da_file_new (file->file, cancellable, error);
}

static const SfFirmwareSourceClass folder_class = {
  .is_archive = FALSE,
  .free = folder_free,
  .load_scatter = folder_load_scatter,
  .list_files = folder_list_files,
  .probe_files = folder_probe_files,
  .open_file = folder_open_file,
  .check_files = folder_check_files,
  .open_da = folder_open_da,
};

/* A file of this source, as it is on disk. */
SfFirmwareFile *
sf_firmware_folder_file_new (SfFirmwareSource  *self,
                             GFile             *file,
                             const char        *name,
                             guint64            size)
{
  SfFirmwareFile *df = g_new0 (SfFirmwareFile, 1);

  df->source = self;
  df->name = g_strdup (name);
  df->file = g_object_ref (file);
  df->path = g_file_get_path (file);
  if (df->path == NULL)
    df->path = g_file_get_uri (file);
  df->size = size;
  return df;
}

SfFirmwareSource *
sf_firmware_folder_source_new (GFile *scatter_file,
                               GFile *root)
{
  FolderSource *self = g_new0 (FolderSource, 1);

  self->parent.klass = &folder_class;
  self->scatter_file = g_object_ref (scatter_file);
  self->folder = g_file_get_parent (scatter_file);
  self->root = g_object_ref (root != NULL ? root : self->folder);
  self->parent.display_name = g_file_get_parse_name (self->folder);
  return &self->parent;
}

/* The scatter in @folder, at the top or below (find_scatter_in_folder()). */
SfFirmwareSource *
sf_firmware_folder_source_new_search (GFile         *folder,
                                      GCancellable  *cancellable,
                                      GError       **error)
{
  g_autoptr(GFile) scatter_file = find_scatter_in_folder (folder, cancellable, error);

  if (scatter_file == NULL)
    return NULL;
  return sf_firmware_folder_source_new (scatter_file, folder);
}

SfFirmwareSource *
sf_firmware_folder_source_new_loose (void)
{
  FolderSource *self = g_new0 (FolderSource, 1);

  self->parent.klass = &folder_class;
  self->parent.display_name = g_strdup ("");
  return &self->parent;
}
