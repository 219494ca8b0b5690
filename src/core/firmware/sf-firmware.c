/* sf-firmware.c
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "sf-compare-stream.h"
#include "sf-error.h"
#include "sf-firmware-private.h"
#include "sf-units.h"
#include "sf-sparse.h"

/* What one partition's image is. */
typedef struct {
  char          *file_name;  /* the name looked for; NULL when there is none */
  SfFirmwareFile *dir_file;   /* NULL when missing */
  char          *note;       /* extra advice when missing */
  SfImageState   state;
} ImageInfo;

struct _SfFirmware
{
  GObject      parent_instance;

  SfScatter   *scatter;
  char        *display_name;
  SfFirmwareSource *source;  /* the folder or archive the scatter is in */
  SfFirmwareSource *loose;   /* the files picked by hand (sf_firmware_set_image_file()) */

  GHashTable  *files;        /* name → SfFirmwareFile (owned) */
  GHashTable  *folded;       /* casefolded name → SfFirmwareFile (borrowed) */
  GHashTable  *images;       /* SfPartition → ImageInfo (owned) */
  GPtrArray   *overrides;    /* DirFiles the user picked by hand (owned) */
  GMutex       check_lock;   /* one sf_firmware_check_images() at a time: the digests */
};

G_DEFINE_FINAL_TYPE (SfFirmware, sf_firmware, G_TYPE_OBJECT)

void
sf_firmware_file_free (SfFirmwareFile *df)
{
  g_free (df->name);
  g_free (df->path);
  g_clear_object (&df->file);
  g_clear_pointer (&df->image, sf_image_unref);
  g_clear_error (&df->error);
  g_clear_pointer (&df->digest, sf_digest_free);
  g_free (df);
}

void
sf_firmware_source_free (SfFirmwareSource *self)
{
  if (self == NULL)
    return;
  self->klass->free (self);
  g_free (self->display_name);
  g_free (self);
}

static void
image_info_free (ImageInfo *info)
{
  g_free (info->file_name);
  g_free (info->note);
  g_free (info);
}

static void
sf_firmware_dispose (GObject *object)
{
  SfFirmware *self = SF_FIRMWARE (object);

  g_clear_pointer (&self->images, g_hash_table_unref);
  g_clear_pointer (&self->folded, g_hash_table_unref);
  g_clear_pointer (&self->files, g_hash_table_unref);
  g_clear_pointer (&self->overrides, g_ptr_array_unref);
  g_clear_object (&self->scatter);
  /* After the files, which point at them. */
  g_clear_pointer (&self->source, sf_firmware_source_free);
  g_clear_pointer (&self->loose, sf_firmware_source_free);

  G_OBJECT_CLASS (sf_firmware_parent_class)->dispose (object);
}

static void
sf_firmware_finalize (GObject *object)
{
  SfFirmware *self = SF_FIRMWARE (object);

  g_free (self->display_name);
  g_mutex_clear (&self->check_lock);

  G_OBJECT_CLASS (sf_firmware_parent_class)->finalize (object);
}

static void
sf_firmware_class_init (SfFirmwareClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sf_firmware_dispose;
  object_class->finalize = sf_firmware_finalize;
}

static void
sf_firmware_init (SfFirmware *self)
{
  self->files = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) sf_firmware_file_free);
  self->folded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->images = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) image_info_free);
  self->overrides = g_ptr_array_new_with_free_func ((GDestroyNotify) sf_firmware_file_free);
  g_mutex_init (&self->check_lock);
}

/* ---- finding the scatter ------------------------------------------------ */

gboolean
sf_firmware_is_junk_name (const char *name)
{
  /* Hidden files, and the "._name" resource forks macOS puts in zips. */
  return name[0] == '.' || g_str_equal (name, "__MACOSX");
}

static gboolean
is_preferred_scatter_name (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *lower = g_ascii_strdown (base, -1);

  return g_pattern_match_simple ("*_android_scatter*.txt", lower);
}

gint
sf_firmware_compare_names (gconstpointer a,
                           gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Picks one of the scatter candidates found at the same depth, and sorts
 * them. Returns the index of the one picked, or -1 with @error set. */
gint
sf_firmware_pick_scatter (GPtrArray   *candidates,
                          const char  *where,
                          GError     **error)
{
  g_autofree char *list = NULL;
  gint preferred = -1;
  guint n_preferred = 0;

  g_ptr_array_sort (candidates, sf_firmware_compare_names);
  if (candidates->len == 1)
    return 0;

  for (guint i = 0; i < candidates->len; i++) {
    if (is_preferred_scatter_name (g_ptr_array_index (candidates, i))) {
      preferred = (gint) i;
      n_preferred++;
    }
  }
  if (n_preferred == 1)
    return preferred;

  g_ptr_array_add (candidates, NULL);
  list = g_strjoinv (", ", (char **) candidates->pdata);
  g_ptr_array_remove_index (candidates, candidates->len - 1);
  sf_set_error_at (error, SF_ERROR_MANY_SCATTERS, where, 0,
                   _("open the scatter file for your phone itself"),
                   g_dngettext (GETTEXT_PACKAGE, "%u scatter file: %s", "%u scatter files: %s", candidates->len),
                   candidates->len, list);
  return -1;
}

/* ---- the files next to the scatter -------------------------------------- */


/* The case-insensitive index, built once all names are in: when two names
 * differ only in case, the one that sorts first wins, so the result does
 * not depend on listing order. */
static void
build_folded_index (SfFirmware *self)
{
  g_autofree const char **names = (const char **) g_hash_table_get_keys_as_array (self->files, NULL);
  guint n = g_hash_table_size (self->files);

  qsort (names, n, sizeof (char *), sf_firmware_compare_names);
  for (guint i = 0; i < n; i++) {
    char *key = g_utf8_casefold (names[i], -1);

    if (g_hash_table_contains (self->folded, key))
      g_free (key);
    else
      g_hash_table_insert (self->folded, key, g_hash_table_lookup (self->files, names[i]));
  }
}

/* The files next to the scatter. */
static gboolean
list_files (SfFirmware    *self,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) sf_firmware_file_free);

  if (!self->source->klass->list_files (self->source, 0, files, cancellable, error))
    return FALSE;
  for (guint i = 0; i < files->len; i++) {
    SfFirmwareFile *df = g_ptr_array_index (files, i);

    g_hash_table_replace (self->files, df->name, df);
  }
  /* The table holds them now. */
  g_ptr_array_set_free_func (files, NULL);
  build_folded_index (self);
  return TRUE;
}

static SfFirmwareFile *
lookup_file (SfFirmware *self,
             const char *name)
{
  g_autofree char *folded = NULL;
  SfFirmwareFile *df = g_hash_table_lookup (self->files, name);

  if (df != NULL)
    return df;

  /* Firmware put together on Windows mixes case: LK.bin, System.img. */
  folded = g_utf8_casefold (name, -1);
  return g_hash_table_lookup (self->folded, folded);
}

/* ---- which file belongs to which partition ------------------------------ */

static const char *
strip_legacy_prefixes (const char *name)
{
  if (g_str_has_prefix (name, "__NODL_"))
    name += strlen ("__NODL_");
  if (g_str_has_prefix (name, "RSV_"))
    name += strlen ("RSV_");
  return name;
}

static gboolean
is_ebr_name (const char *name)
{
  if (g_ascii_strncasecmp (name, "EBR", 3) != 0 || name[3] == '\0')
    return FALSE;
  for (const char *p = name + 3; *p; p++) {
    if (!g_ascii_isdigit (*p))
      return FALSE;
  }
  return TRUE;
}

/* The file a legacy scatter implies for a partition (scatter-format.md §3),
 * or NULL for none. PRELOADER without a project is handled by the caller. */
static char *
legacy_file_name (const char *partition_name,
                  const char *project)
{
  static const struct {
    const char *partition;
    const char *file;
  } table[] = {
    { "DSP_BL", "DSP_BL" },
    { "UBOOT", "lk.bin" },
    { "BOOTIMG", "boot.img" },
    { "RECOVERY", "recovery.img" },
    { "SEC_RO", "secro.img" },
    { "LOGO", "logo.bin" },
    { "ANDROID", "system.img" },
    { "CACHE", "cache.img" },
    { "USRDATA", "userdata.img" },
  };
  const char *name = strip_legacy_prefixes (partition_name);

  if (g_ascii_strcasecmp (name, "PRELOADER") == 0)
    return project != NULL && *project ? g_strdup_printf ("preloader_%s.bin", project) : NULL;
  if (g_ascii_strcasecmp (name, "MBR") == 0 || is_ebr_name (name))
    return g_ascii_strup (name, -1);
  for (guint i = 0; i < G_N_ELEMENTS (table); i++) {
    if (g_ascii_strcasecmp (name, table[i].partition) == 0)
      return g_strdup (table[i].file);
  }
  return NULL;
}

static gboolean
is_preloader_file_name (const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  return g_str_has_prefix (lower, "preloader") && g_str_has_suffix (lower, ".bin");
}

/* A legacy PRELOADER without a project: the one preloader*.bin there is. */
static void
resolve_legacy_preloader (SfFirmware *self,
                          ImageInfo  *info)
{
  g_autoptr(GPtrArray) matches = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->files);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    SfFirmwareFile *df = value;

    if (is_preloader_file_name (df->name))
      g_ptr_array_add (matches, df->name);
  }

  if (matches->len == 1) {
    info->file_name = g_strdup (g_ptr_array_index (matches, 0));
    info->dir_file = g_hash_table_lookup (self->files, info->file_name);
    return;
  }

  info->file_name = g_strdup ("preloader*.bin");
  if (matches->len > 1) {
    g_autofree char *list = NULL;

    g_ptr_array_sort (matches, sf_firmware_compare_names);
    g_ptr_array_add (matches, NULL);
    list = g_strjoinv (", ", (char **) matches->pdata);
    info->note = g_strdup_printf (_("several files could be the preloader (%s); keep only the one for this phone"),
                                  list);
  }
}

static ImageInfo *
resolve_partition (SfFirmware  *self,
                   SfPartition *partition)
{
  ImageInfo *info = g_new0 (ImageInfo, 1);
  gboolean legacy = sf_scatter_get_format (self->scatter) == SF_SCATTER_FORMAT_LEGACY;

  if (partition->file_name != NULL) {
    info->file_name = g_strdup (partition->file_name);
  } else if (legacy) {
    info->file_name = legacy_file_name (partition->name, sf_scatter_get_project (self->scatter));
    if (info->file_name == NULL &&
        g_ascii_strcasecmp (strip_legacy_prefixes (partition->name), "PRELOADER") == 0) {
      resolve_legacy_preloader (self, info);
      if (info->dir_file != NULL)
        info->dir_file->wanted = TRUE;
      return info;
    }
  }

  if (info->file_name != NULL) {
    info->dir_file = lookup_file (self, info->file_name);
    if (info->dir_file != NULL)
      info->dir_file->wanted = TRUE;
  }

  return info;
}

/* ---- probing ------------------------------------------------------------ */

static gboolean
probe_files (SfFirmware    *self,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GPtrArray) wanted = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->files);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    SfFirmwareFile *df = value;

    if (df->wanted)
      g_ptr_array_add (wanted, df);
  }

  return self->source->klass->probe_files (self->source, wanted, cancellable, error);
}

static SfImageState
compute_state (const SfPartition *partition,
               const ImageInfo   *info)
{
  const SfFirmwareFile *df = info->dir_file;

  if (info->file_name == NULL)
    return SF_IMAGE_STATE_NONE;
  if (df == NULL)
    return SF_IMAGE_STATE_MISSING;
  if (df->size == 0 && df->error == NULL)
    return SF_IMAGE_STATE_EMPTY;
  if (df->image == NULL)
    return SF_IMAGE_STATE_INVALID;
  /* Whatever boundary_check says: SP Flash Tool's "false" lets an image
   * spill into the next partitions (PRO_INFO, NVRAM: the IMEI), which no
   * user wants. A legacy entry's size comes from its neighbour, which is
   * where the spill would land, so it counts too. */
  if (partition->size != 0 && !partition->end_relative &&
      df->image->data_size > partition->size)
    return SF_IMAGE_STATE_TOO_LARGE;
  return SF_IMAGE_STATE_OK;
}

static gboolean
resolve_images (SfFirmware    *self,
                GCancellable  *cancellable,
                GError       **error)
{
  guint n_layouts = sf_scatter_get_n_layouts (self->scatter);
  GHashTableIter iter;
  gpointer key, value;

  for (guint l = 0; l < n_layouts; l++) {
    SfLayout *layout = sf_scatter_get_layout (self->scatter, l);

    for (guint i = 0; i < layout->partitions->len; i++) {
      SfPartition *partition = g_ptr_array_index (layout->partitions, i);

      g_hash_table_insert (self->images, partition, resolve_partition (self, partition));
    }
  }

  if (!probe_files (self, cancellable, error))
    return FALSE;

  g_hash_table_iter_init (&iter, self->images);
  while (g_hash_table_iter_next (&iter, &key, &value))
    ((ImageInfo *) value)->state = compute_state (key, value);

  return TRUE;
}

/* ---- opening ------------------------------------------------------------ */

static gboolean
has_archive_extension (const char *name)
{
  static const char * const extensions[] = {
    ".zip", ".7z", ".tar", ".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.bz2", ".tbz2", ".tbz",
    ".tar.zst", ".tzst", ".tar.lzma", ".rar",
  };
  g_autofree char *lower = g_ascii_strdown (name, -1);

  for (guint i = 0; i < G_N_ELEMENTS (extensions); i++) {
    if (g_str_has_suffix (lower, extensions[i]))
      return TRUE;
  }
  return FALSE;
}

static gboolean
has_text_extension (const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  return g_str_has_suffix (lower, ".txt") || g_str_has_suffix (lower, ".xml");
}

/* Reads the scatter from @source, and looks at the files next to it. */
static gboolean
open_source (SfFirmware        *self,
             SfFirmwareSource  *source,
             GCancellable      *cancellable,
             GError           **error)
{
  self->source = source;
  self->display_name = g_strdup (source->display_name);
  self->scatter = source->klass->load_scatter (source, cancellable, error);
  if (self->scatter == NULL)
    return FALSE;

  return list_files (self, cancellable, error) &&
         resolve_images (self, cancellable, error);
}

/**
 * sf_firmware_open:
 * @location: a scatter file, a folder that holds one (at the top or one or
 *   two levels down), or a firmware archive (.zip, .tar.gz, .tar.xz, .7z, …)
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Loads the scatter and looks at every image it names: whether it is there,
 * its size, its kind (from its first %SF_IMAGE_PROBE_BYTES bytes) and
 * whether it fits its partition. An archive is read in place, never
 * unpacked. Missing or unfit images do not make this fail; see
 * sf_firmware_get_image_state() and sf_firmware_check_image().
 *
 * Returns: (transfer full): the firmware, or %NULL when no scatter can be
 *   found or loaded (%SF_ERROR_NO_SCATTER, %SF_ERROR_MANY_SCATTERS,
 *   %SF_ERROR_ARCHIVE, or the parser's errors).
 */
SfFirmware *
sf_firmware_open (GFile         *location,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(SfFirmware) self = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(SfFirmwareSource) source = NULL;
  g_autofree char *where = NULL;
  const char *name;

  g_return_val_if_fail (G_IS_FILE (location), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (SF_TYPE_FIRMWARE, NULL);
  where = g_file_get_parse_name (location);

  info = g_file_query_info (location, G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                      G_FILE_ATTRIBUTE_STANDARD_TYPE,
                            G_FILE_QUERY_INFO_NONE, cancellable, &local_error);
  if (info == NULL) {
    if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      g_propagate_error (error, g_steal_pointer (&local_error));
    else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
      sf_set_error_at (error, SF_ERROR_SCATTER_OPEN, where, 0, _("check the path"),
                       _("no such file or folder"));
    else
      sf_set_error_at (error, SF_ERROR_SCATTER_OPEN, where, 0, NULL, "%s", local_error->message);
    return NULL;
  }
  name = g_file_info_get_name (info);

  if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY) {
    source = sf_firmware_folder_source_new_search (location, cancellable, error);
    if (source == NULL || !open_source (self, g_steal_pointer (&source), cancellable, error))
      return NULL;
    return g_steal_pointer (&self);
  }

  /* A file: a scatter by its name, else an archive if libarchive reads it. */
  if (sf_scatter_looks_like_name (name) || has_text_extension (name)) {
    if (!open_source (self, sf_firmware_folder_source_new (location, NULL), cancellable, error))
      return NULL;
    return g_steal_pointer (&self);
  }

  source = sf_firmware_archive_source_open (location, cancellable, &local_error);
  if (source == NULL) {
    g_autoptr(GError) scatter_error = NULL;

    if (has_archive_extension (name) ||
        !g_error_matches (local_error, SF_ERROR, SF_ERROR_ARCHIVE)) {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
    /* Not readable as an archive, and not named like one: perhaps a scatter
     * with an odd name. For binary data the archive's complaint is the one
     * that helps. */
    if (!open_source (self, sf_firmware_folder_source_new (location, NULL), cancellable, &scatter_error)) {
      if (g_error_matches (scatter_error, SF_ERROR, SF_ERROR_SCATTER_BINARY))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_propagate_error (error, g_steal_pointer (&scatter_error));
      return NULL;
    }
    return g_steal_pointer (&self);
  }

  if (!open_source (self, g_steal_pointer (&source), cancellable, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * sf_firmware_get_scatter:
 *
 * Returns: (transfer none): the scatter.
 */
SfScatter *
sf_firmware_get_scatter (SfFirmware *self)
{
  g_return_val_if_fail (SF_IS_FIRMWARE (self), NULL);

  return self->scatter;
}

/**
 * sf_firmware_get_display_name:
 *
 * Returns: the folder that holds the scatter, or the archive, as a path for
 *   people to read.
 */
const char *
sf_firmware_get_display_name (SfFirmware *self)
{
  g_return_val_if_fail (SF_IS_FIRMWARE (self), NULL);

  return self->display_name;
}

gboolean
sf_firmware_is_archive (SfFirmware *self)
{
  g_return_val_if_fail (SF_IS_FIRMWARE (self), FALSE);

  return self->source->klass->is_archive;
}

/* The partition may come from another load of the same scatter (the plan
 * keeps its own references): then match it by name and line. */
static ImageInfo *
lookup_info (SfFirmware  *self,
             SfPartition *partition)
{
  ImageInfo *info = g_hash_table_lookup (self->images, partition);
  guint n_layouts;

  if (info != NULL)
    return info;

  n_layouts = sf_scatter_get_n_layouts (self->scatter);
  for (guint l = 0; l < n_layouts; l++) {
    SfLayout *layout = sf_scatter_get_layout (self->scatter, l);

    for (guint i = 0; i < layout->partitions->len; i++) {
      SfPartition *p = g_ptr_array_index (layout->partitions, i);

      if (p->line == partition->line && g_str_equal (p->name, partition->name))
        return g_hash_table_lookup (self->images, p);
    }
  }

  g_debug ("partition %s (line %u) is not in %s", partition->name, partition->line,
           sf_scatter_get_display_name (self->scatter));
  return NULL;
}

/* lookup_info(), with an error when @partition is not in the scatter. */
static ImageInfo *
lookup_info_or_error (SfFirmware   *self,
                      SfPartition  *partition,
                      GError      **error)
{
  ImageInfo *info = lookup_info (self, partition);

  if (info == NULL)
    sf_set_error_at (error, SF_ERROR_UNKNOWN_PARTITION, sf_scatter_get_display_name (self->scatter),
                     0, NULL, _("partition %s is not in this scatter file"), partition->name);
  return info;
}

/* The file next to the scatter that holds @partition's image; %NULL when
 * the scatter names none, it is missing, or the partition is unknown. */
static SfFirmwareFile *
lookup_dir_file (SfFirmware  *self,
                 SfPartition *partition)
{
  ImageInfo *info = lookup_info (self, partition);

  return info != NULL ? info->dir_file : NULL;
}

/**
 * sf_firmware_get_image_state:
 * @partition: a partition of the firmware's scatter
 *
 * Returns: whether @partition's image is there and fits.
 */
SfImageState
sf_firmware_get_image_state (SfFirmware  *self,
                             SfPartition *partition)
{
  ImageInfo *info;

  g_return_val_if_fail (SF_IS_FIRMWARE (self), SF_IMAGE_STATE_NONE);
  g_return_val_if_fail (partition != NULL, SF_IMAGE_STATE_NONE);

  info = lookup_info (self, partition);
  return info != NULL ? info->state : SF_IMAGE_STATE_NONE;
}

/**
 * sf_firmware_get_image:
 * @partition: a partition of the firmware's scatter
 *
 * Returns: (transfer none) (nullable): what the image is, for the states
 *   %SF_IMAGE_STATE_EMPTY, %SF_IMAGE_STATE_TOO_LARGE and %SF_IMAGE_STATE_OK;
 *   %NULL otherwise.
 */
SfImage *
sf_firmware_get_image (SfFirmware  *self,
                       SfPartition *partition)
{
  SfFirmwareFile *df;

  g_return_val_if_fail (SF_IS_FIRMWARE (self), NULL);
  g_return_val_if_fail (partition != NULL, NULL);

  df = lookup_dir_file (self, partition);
  return df != NULL ? df->image : NULL;
}

/**
 * sf_firmware_get_image_path:
 * @partition: a partition of the firmware's scatter
 *
 * Returns: (nullable): where @partition's image is: an absolute path for a
 *   folder, `firmware.zip/dir/file` for an archive; %NULL when the scatter
 *   names no file or the file is missing.
 */
const char *
sf_firmware_get_image_path (SfFirmware  *self,
                            SfPartition *partition)
{
  SfFirmwareFile *df;

  g_return_val_if_fail (SF_IS_FIRMWARE (self), NULL);
  g_return_val_if_fail (partition != NULL, NULL);

  df = lookup_dir_file (self, partition);
  return df != NULL ? df->path : NULL;
}

static gboolean
set_state_error (SfFirmware   *self,
                 SfPartition  *partition,
                 ImageInfo    *info,
                 GError      **error)
{
  const char *scatter = sf_scatter_get_display_name (self->scatter);
  const char *pname = partition->name;
  guint line = partition->line;
  g_autofree char *advice = NULL;

  switch (info->state) {
  case SF_IMAGE_STATE_NONE:
    advice = g_strdup_printf (_("untick %s"), pname);
    sf_set_error_at (error, SF_ERROR_NOT_DOWNLOADABLE, scatter, line, advice,
                     _("partition %s has no image file"), pname);
    return FALSE;

  case SF_IMAGE_STATE_MISSING:
    if (info->note != NULL)
      advice = g_strdup_printf (_("%s, or untick %s"), info->note, pname);
    else
      advice = g_strdup_printf (_("put it next to the scatter file or untick %s"), pname);
    sf_set_error_at (error, SF_ERROR_IMAGE_MISSING, scatter, line, advice,
                     _("%s is missing (partition %s)"), info->file_name, pname);
    return FALSE;

  case SF_IMAGE_STATE_EMPTY:
    advice = g_strdup_printf (_("the copy or download was probably cut short; get the firmware again or untick %s"),
                              pname);
    sf_set_error_at (error, SF_ERROR_IMAGE_EMPTY, scatter, line, advice,
                     _("%s is empty (0 bytes, partition %s)"), info->dir_file->name, pname);
    return FALSE;

  case SF_IMAGE_STATE_INVALID:
    sf_set_error_at (error, SF_ERROR_IMAGE_INVALID, scatter, line, NULL,
                     _("partition %s: %s"), pname,
                     info->dir_file->error != NULL ? info->dir_file->error->message : "?");
    return FALSE;

  case SF_IMAGE_STATE_TOO_LARGE:
    {
      const SfImage *image = info->dir_file->image;
      g_autofree char *have = sf_format_size_exact (image->data_size);
      g_autofree char *room = sf_format_size_exact (partition->size);

      sf_set_error_at (error, SF_ERROR_IMAGE_TOO_LARGE, scatter, line,
                       _("use the firmware made for this phone"),
                       image->kind == SF_IMAGE_KIND_SPARSE
                         ? _("%s expands to %s but partition %s holds %s")
                         : _("%s is %s but partition %s holds %s"),
                       info->dir_file->name, have, pname, room);
      return FALSE;
    }

  case SF_IMAGE_STATE_OK:
  default:
    return TRUE;
  }
}

/**
 * sf_firmware_check_image:
 * @partition: a partition of the firmware's scatter
 * @error: return location for a #GError
 *
 * Checks that @partition can be written: its image is there, not empty,
 * readable and not larger than the partition. The message points at the
 * partition's line in the scatter, e.g.
 * `MT6572_Android_scatter.txt:185: system.img is 812.0 MB (…) but partition
 * ANDROID holds 650.0 MB (…) — use the firmware made for this phone`.
 *
 * Returns: %TRUE when the state is %SF_IMAGE_STATE_OK.
 */
gboolean
sf_firmware_check_image (SfFirmware   *self,
                         SfPartition  *partition,
                         GError      **error)
{
  ImageInfo *info;

  g_return_val_if_fail (SF_IS_FIRMWARE (self), FALSE);
  g_return_val_if_fail (partition != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  info = lookup_info_or_error (self, partition, error);
  if (info == NULL)
    return FALSE;

  return set_state_error (self, partition, info, error);
}

/**
 * sf_firmware_open_image:
 * @partition: a partition of the firmware's scatter
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Opens @partition's image file as it is stored (a sparse image is not
 * expanded). From an archive the bytes are streamed out of it.
 *
 * Returns: (transfer full): a stream of the file, or %NULL when the scatter
 *   names no file, the file is missing or cannot be opened.
 */
GInputStream *
sf_firmware_open_image (SfFirmware    *self,
                        SfPartition   *partition,
                        GCancellable  *cancellable,
                        GError       **error)
{
  ImageInfo *info;

  g_return_val_if_fail (SF_IS_FIRMWARE (self), NULL);
  g_return_val_if_fail (partition != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  info = lookup_info_or_error (self, partition, error);
  if (info == NULL)
    return NULL;
  if (info->dir_file == NULL) {
    /* No file: the state (none or missing) says why. */
    set_state_error (self, partition, info, error);
    return NULL;
  }

  return info->dir_file->source->klass->open_file (info->dir_file->source, info->dir_file, cancellable, error);
}

/**
 * sf_firmware_set_image_file:
 * @partition: a partition of the firmware's scatter
 * @file: a local image file to write into @partition instead of the one the
 *   scatter names
 *
 * Uses @file for @partition from now on, as SP Flash Tool's "pick another
 * image" does. The file is probed at once (its first bytes only), and the
 * partition's state follows what it is: a sparse image that does not fit
 * gives %SF_IMAGE_STATE_TOO_LARGE, a broken one %SF_IMAGE_STATE_INVALID.
 *
 * Returns: %FALSE with @error set when @partition is unknown or @file cannot
 *   be read at all; the partition keeps its image then.
 */
gboolean
sf_firmware_set_image_file (SfFirmware    *self,
                            SfPartition   *partition,
                            GFile         *file,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_autoptr(GFileInfo) file_info = NULL;
  g_autoptr(GFileInputStream) stream = NULL;
  g_autofree char *base = NULL;
  ImageInfo *info;
  SfFirmwareFile *df;

  g_return_val_if_fail (SF_IS_FIRMWARE (self), FALSE);
  g_return_val_if_fail (partition != NULL, FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  info = lookup_info_or_error (self, partition, error);
  if (info == NULL)
    return FALSE;

  file_info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                 G_FILE_QUERY_INFO_NONE, cancellable, error);
  if (file_info == NULL)
    return FALSE;
  if (g_file_info_get_file_type (file_info) != G_FILE_TYPE_REGULAR) {
    g_autofree char *name = g_file_get_parse_name (file);

    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                 _("%s is not an image file: choose a file, not a folder or a device"), name);
    return FALSE;
  }
  stream = g_file_read (file, cancellable, error);
  if (stream == NULL)
    return FALSE;

  if (self->loose == NULL)
    self->loose = sf_firmware_folder_source_new_loose ();
  base = g_file_get_basename (file);
  df = sf_firmware_folder_file_new (self->loose, file, base, (guint64) g_file_info_get_size (file_info));
  df->wanted = TRUE;
  df->image = sf_image_probe_stream (G_INPUT_STREAM (stream), df->size, df->name, cancellable, &df->error);
  g_input_stream_close (G_INPUT_STREAM (stream), NULL, NULL);
  if (g_error_matches (df->error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    g_propagate_error (error, g_steal_pointer (&df->error));
    sf_firmware_file_free (df);
    return FALSE;
  }
  g_ptr_array_add (self->overrides, df);

  g_free (info->file_name);
  info->file_name = g_strdup (df->name);
  g_clear_pointer (&info->note, g_free);
  info->dir_file = df;
  info->state = compute_state (partition, info);
  return TRUE;
}

/* ---- reading every image whole before the phone is touched -------------- */

#define CHECK_BUFFER_BYTES (256 * 1024)

/* Reads @df's image from @stream to its end, as the write will: a sparse
 * image chunk by chunk (its CRC32 chunks are checked on the way), anything
 * else its first file_size bytes. Keeps what the partition should then hold
 * in @df->digest. */
gboolean
sf_firmware_digest_file (SfFirmwareFile  *df,
                         GInputStream    *stream,
                         GCancellable    *cancellable,
                         GError         **error)
{
  g_autoptr(GInputStream) tap = sf_crc_input_stream_new (stream);
  g_autoptr(SfDigest) digest = sf_digest_new ();
  g_autofree guint8 *buf = g_malloc (CHECK_BUFFER_BYTES);
  guint32 crc = 0;
  guint64 length = 0;

  if (df->image->kind == SF_IMAGE_KIND_SPARSE) {
    g_autoptr(SfSparseReader) reader = sf_sparse_reader_new (tap, df->path, 0, cancellable, error);
    const SfSparseChunk *chunk = NULL;

    if (reader == NULL)
      return FALSE;
    for (;;) {
      if (!sf_sparse_reader_next (reader, &chunk, cancellable, error))
        return FALSE;
      if (chunk == NULL)
        break;
      if (chunk->type == SF_SPARSE_CHUNK_FILL && chunk->length > 0) {
        sf_digest_begin_region (digest, chunk->offset);
        sf_digest_update_fill (digest, chunk->fill, chunk->length);
      } else if (chunk->type == SF_SPARSE_CHUNK_RAW && chunk->length > 0) {
        gssize n;

        sf_digest_begin_region (digest, chunk->offset);
        while ((n = sf_sparse_reader_read_data (reader, buf, CHECK_BUFFER_BYTES, cancellable, error)) > 0)
          sf_digest_update (digest, buf, (gsize) n);
        if (n < 0)
          return FALSE;
      }
    }
  } else {
    guint64 left = df->image->file_size;

    sf_digest_begin_region (digest, 0);
    while (left > 0) {
      gsize got = 0;
      gsize want = (gsize) MIN (left, (guint64) CHECK_BUFFER_BYTES);

      if (!g_input_stream_read_all (tap, buf, want, &got, cancellable, error))
        return FALSE;
      if (got == 0) {
        sf_set_error_at (error, SF_ERROR_IMAGE_INVALID, df->path, 0,
                         _("open the firmware again"),
                         _("the image ended after %" PRIu64 " of %" PRIu64 " bytes; it changed on disk"),
                         df->image->file_size - left, df->image->file_size);
        return FALSE;
      }
      sf_digest_update (digest, buf, got);
      left -= got;
    }
  }

  sf_digest_finish (digest);
  sf_crc_input_stream_get_crc (SF_CRC_INPUT_STREAM (tap), &crc, &length);
  sf_digest_set_source (digest, crc, length);
  df->digest = g_steal_pointer (&digest);
  return TRUE;
}

void
sf_firmware_check_announce (SfFirmwareCheck      *check,
                            const SfFirmwareFile *df)
{
  if (check->func != NULL)
    check->func (df->name, check->done, check->total, check->user_data);
  check->done++;
}

/**
 * sf_firmware_check_images:
 * @partitions: (element-type SfPartition): the partitions about to be written
 * @for_verify: also read plain images in a folder, which carry no check of
 *   their own, so that verifying has what each partition should hold
 * @func: (nullable): called as each image is begun
 * @user_data: data for @func
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads the images of @partitions whole, streaming, before anything is
 * written: an archive once, to its end, so that every check it carries runs
 * (zip and 7z CRC-32s, the gzip trailer, xz and bzip2 checks), and every
 * sparse image chunk by chunk with its CRC32 chunks checked. What each
 * partition should hold afterwards is kept (sf_firmware_get_image_digest()),
 * so a verify needs no second read of the firmware. Images already checked
 * are not read again; partitions without a usable image are passed over
 * (their state says why).
 *
 * Returns: %FALSE with %SF_ERROR_IMAGE_CHECKSUM naming the image when one
 *   is damaged.
 */
gboolean
sf_firmware_check_images (SfFirmware           *self,
                          GPtrArray            *partitions,
                          gboolean              for_verify,
                          SfFirmwareCheckFunc   func,
                          gpointer              user_data,
                          GCancellable         *cancellable,
                          GError              **error)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new ();
  g_autoptr(GPtrArray) sources = g_ptr_array_new ();
  g_autoptr(GMutexLocker) locker = NULL;
  SfFirmwareCheck check = { NULL, 0, 0, func, user_data };

  g_return_val_if_fail (SF_IS_FIRMWARE (self), FALSE);
  g_return_val_if_fail (partitions != NULL, FALSE);

  locker = g_mutex_locker_new (&self->check_lock);

  for (guint i = 0; i < partitions->len; i++) {
    ImageInfo *info = lookup_info (self, g_ptr_array_index (partitions, i));
    SfFirmwareFile *df = info != NULL ? info->dir_file : NULL;

    if (df == NULL || df->image == NULL || df->digest != NULL || g_ptr_array_find (files, df, NULL))
      continue;
    /* A plain image in a folder carries no check of its own: read it only
     * when verify needs its digest. An archive's entries all carry one. */
    if (!df->source->klass->is_archive && !for_verify && df->image->kind != SF_IMAGE_KIND_SPARSE)
      continue;
    g_ptr_array_add (files, df);
    if (!g_ptr_array_find (sources, df->source, NULL))
      g_ptr_array_add (sources, df->source);
  }

  /* Each source reads its own files: an archive in one pass. */
  check.total = files->len;
  for (guint s = 0; s < sources->len; s++) {
    SfFirmwareSource *source = g_ptr_array_index (sources, s);
    g_autoptr(GPtrArray) own = g_ptr_array_new ();

    for (guint i = 0; i < files->len; i++) {
      SfFirmwareFile *df = g_ptr_array_index (files, i);

      if (df->source == source)
        g_ptr_array_add (own, df);
    }
    check.files = own;
    if (!source->klass->check_files (source, &check, cancellable, error))
      return FALSE;
  }

  return TRUE;
}

/**
 * sf_firmware_get_image_digest:
 *
 * Returns: (transfer none) (nullable): what @partition should hold once its
 *   image is written, as read by sf_firmware_check_images(); %NULL before.
 */
const SfDigest *
sf_firmware_get_image_digest (SfFirmware  *self,
                              SfPartition *partition)
{
  ImageInfo *info;
  const SfDigest *digest = NULL;

  g_return_val_if_fail (SF_IS_FIRMWARE (self), NULL);

  g_mutex_lock (&self->check_lock);
  info = lookup_info (self, partition);
  if (info != NULL && info->dir_file != NULL)
    digest = info->dir_file->digest;
  g_mutex_unlock (&self->check_lock);
  return digest;
}

/* ---- the download agent that ships with the firmware -------------------- */

/* A DA file by its name: `*.bin` with "da" as a part of the name, alone or
 * with a version (MTK_AllInOne_DA.bin, DA_SWSEC.bin, da_pl.bin,
 * MTK_DA_V5.bin, DA6765.bin), or an "AllInOne" name. Not data.bin, lk_dapp.bin. */
static gboolean
is_da_file_name (const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);
  g_auto(GStrv) parts = NULL;

  if (sf_firmware_is_junk_name (name) || !g_str_has_suffix (lower, ".bin"))
    return FALSE;
  lower[strlen (lower) - strlen (".bin")] = '\0';
  if (strstr (lower, "allinone") != NULL)
    return TRUE;

  parts = g_strsplit_set (lower, "_-. ", -1);
  for (guint i = 0; parts[i] != NULL; i++) {
    const char *rest;

    if (!g_str_has_prefix (parts[i], "da"))
      continue;
    rest = parts[i] + 2;
    if (*rest == 'v')
      rest++;
    while (g_ascii_isdigit (*rest))
      rest++;
    if (*rest == '\0')
      return TRUE;
  }
  return FALSE;
}

/* "AllInOne" names first, then by name, so the pick does not depend on
 * listing order. */
static gint
compare_da_candidates (gconstpointer a,
                       gconstpointer b)
{
  const SfFirmwareFile *ca = *(const SfFirmwareFile * const *) a;
  const SfFirmwareFile *cb = *(const SfFirmwareFile * const *) b;
  g_autofree char *la = g_ascii_strdown (ca->name, -1);
  g_autofree char *lb = g_ascii_strdown (cb->name, -1);
  gboolean aio_a = strstr (la, "allinone") != NULL;
  gboolean aio_b = strstr (lb, "allinone") != NULL;

  if (aio_a != aio_b)
    return aio_a ? -1 : 1;
  return strcmp (ca->name, cb->name);
}

/* Tries @candidates in order; the first valid DA file wins. */
static SfDaFile *
open_first_da (SfFirmware    *self,
               GPtrArray     *candidates,
               GCancellable  *cancellable,
               GError       **error)
{
  g_ptr_array_sort (candidates, compare_da_candidates);

  for (guint i = 0; i < candidates->len; i++) {
    SfFirmwareFile *c = g_ptr_array_index (candidates, i);
    g_autoptr(GError) local_error = NULL;
    SfDaFile *da;

    da = c->source->klass->open_da (c->source, c, cancellable, &local_error);
    if (da != NULL)
      return da;
    if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
    g_debug ("not a download agent: %s", local_error->message);
  }
  return NULL;
}

/**
 * sf_firmware_open_da:
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The download agent that ships with the firmware, as SP Flash Tool
 * packages often have it: a `*.bin` named like a DA file (e.g.
 * `MTK_AllInOne_DA.bin`, `DA_SWSEC.bin`) next to the scatter, else one
 * level up — but never above the folder or archive that was opened. Names
 * with "AllInOne" are tried first; a file that does not parse as a DA file
 * is passed over. sf_da_file_get_display_name() tells which one it is.
 *
 * Returns: (transfer full) (nullable): the DA file, or %NULL when the
 *   firmware has none (without an error), or %NULL with @error set
 *   (%G_IO_ERROR_CANCELLED).
 */
SfDaFile *
sf_firmware_open_da (SfFirmware    *self,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_return_val_if_fail (SF_IS_FIRMWARE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  for (guint level = 0; level < 2; level++) {
    g_autoptr(GPtrArray) candidates = g_ptr_array_new_with_free_func ((GDestroyNotify) sf_firmware_file_free);
    g_autoptr(GError) local_error = NULL;
    SfDaFile *da;

    /* A folder that cannot be listed has none. */
    if (!self->source->klass->list_files (self->source, level, candidates, cancellable, &local_error) &&
        g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
    g_clear_error (&local_error);
    for (guint i = candidates->len; i > 0; i--) {
      if (!is_da_file_name (((SfFirmwareFile *) g_ptr_array_index (candidates, i - 1))->name))
        g_ptr_array_remove_index (candidates, i - 1);
    }

    da = open_first_da (self, candidates, cancellable, &local_error);
    if (local_error != NULL) {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
    if (da != NULL)
      return da;
  }
  return NULL;
}

/**
 * sf_image_state_to_string:
 *
 * Returns: a short, stable, untranslated name for @state.
 */
const char *
sf_image_state_to_string (SfImageState state)
{
  switch (state) {
  case SF_IMAGE_STATE_NONE: return "none";
  case SF_IMAGE_STATE_MISSING: return "missing";
  case SF_IMAGE_STATE_EMPTY: return "empty";
  case SF_IMAGE_STATE_INVALID: return "invalid";
  case SF_IMAGE_STATE_TOO_LARGE: return "too-large";
  case SF_IMAGE_STATE_OK: return "ok";
  default: return "unknown";
  }
}
