/* sf-scatter-writer.c — writes a V1.x scatter file for one layout of a scatter
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "sf-scatter-writer.h"

struct _SfScatterWriter
{
  GObject      parent_instance;

  SfScatter   *scatter;   /* NULL for sf_scatter_writer_new_for_layout() */
  SfLayout    *layout;
  GHashTable  *images;    /* upper-case partition name → file name */
  /* the header, from @scatter or given */
  char        *platform;
  char        *project;
  char        *config_version;
  GPtrArray   *header;    /* (element-type SfScatterField) (nullable) @scatter's */
  SfAddressing addressing;
};

G_DEFINE_FINAL_TYPE (SfScatterWriter, sf_scatter_writer, G_TYPE_OBJECT)

#define BANNER "############################################################################################################\n"

/* The keys of a partition entry in the order MediaTek's ptgen prints them;
 * keys of the source that are not here (is_upgradable, d_type, …) go
 * between operation_type and reserve, as in the V1.1.8 files. */
static const char * const partition_keys[] = {
  "partition_index", "partition_name", "file_name", "is_download", "type",
  "linear_start_addr", "physical_start_addr", "partition_size", "region",
  "storage", "boundary_check", "is_reserved", "operation_type", "reserve",
};

/* Header keys written from the scatter itself, not copied. */
static const char * const header_keys[] = {
  "general", "info", "config_version", "platform", "project", "storage",
  "boot_channel", "block_size", "storage_type",
};

static void
sf_scatter_writer_dispose (GObject *object)
{
  SfScatterWriter *self = SF_SCATTER_WRITER (object);

  g_clear_object (&self->scatter);
  g_clear_pointer (&self->layout, sf_layout_unref);

  G_OBJECT_CLASS (sf_scatter_writer_parent_class)->dispose (object);
}

static void
sf_scatter_writer_finalize (GObject *object)
{
  SfScatterWriter *self = SF_SCATTER_WRITER (object);

  g_clear_pointer (&self->images, g_hash_table_unref);
  g_free (self->platform);
  g_free (self->project);
  g_free (self->config_version);

  G_OBJECT_CLASS (sf_scatter_writer_parent_class)->finalize (object);
}

static void
sf_scatter_writer_class_init (SfScatterWriterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sf_scatter_writer_dispose;
  object_class->finalize = sf_scatter_writer_finalize;
}

static void
sf_scatter_writer_init (SfScatterWriter *self)
{
  self->images = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static const char *
config_version (SfScatter *scatter)
{
  switch (sf_scatter_get_format (scatter)) {
  case SF_SCATTER_FORMAT_V1:
    return sf_scatter_get_config_version (scatter);
  case SF_SCATTER_FORMAT_LEGACY:
    return "V1.1.1";
  case SF_SCATTER_FORMAT_V2:
  default:
    return "V1.1.2";
  }
}

/**
 * sf_scatter_writer_new:
 * @scatter: the scatter whose layout to write
 * @layout: (nullable): one of its layouts; %NULL for the first
 *
 * Returns: (transfer full): a writer with no images set.
 */
SfScatterWriter *
sf_scatter_writer_new (SfScatter *scatter,
                       SfLayout  *layout)
{
  SfScatterWriter *self;

  g_return_val_if_fail (SF_IS_SCATTER (scatter), NULL);
  g_return_val_if_fail (layout != NULL || sf_scatter_get_n_layouts (scatter) > 0, NULL);

  self = g_object_new (SF_TYPE_SCATTER_WRITER, NULL);
  self->scatter = g_object_ref (scatter);
  self->layout = sf_layout_ref (layout != NULL ? layout : sf_scatter_get_layout (scatter, 0));
  self->platform = g_strdup (sf_scatter_get_platform (scatter));
  self->project = g_strdup (sf_scatter_get_project (scatter));
  self->config_version = g_strdup (config_version (scatter));
  self->header = sf_scatter_get_header_fields (scatter);
  self->addressing = sf_scatter_get_addressing (scatter);
  return self;
}

/**
 * sf_scatter_writer_new_for_layout:
 * @layout: partitions that come from elsewhere than a scatter file (the
 *   phone's own table), with their addresses relative to their region
 * @platform: the chip, e.g. "MT6572"
 * @project: (nullable): the project's name
 *
 * Returns: (transfer full): a writer of a V1.1.2 scatter for @layout, with
 *   no images set.
 */
SfScatterWriter *
sf_scatter_writer_new_for_layout (SfLayout   *layout,
                                  const char *platform,
                                  const char *project)
{
  SfScatterWriter *self;

  g_return_val_if_fail (layout != NULL, NULL);
  g_return_val_if_fail (platform != NULL, NULL);

  self = g_object_new (SF_TYPE_SCATTER_WRITER, NULL);
  self->layout = sf_layout_ref (layout);
  self->platform = g_strdup (platform);
  self->project = g_strdup (project);
  self->config_version = g_strdup ("V1.1.2");
  self->addressing = SF_ADDRESSING_REGION;
  return self;
}

gboolean
sf_scatter_writer_set_image (SfScatterWriter *self,
                             const char      *partition,
                             const char      *file_name)
{
  g_return_val_if_fail (SF_IS_SCATTER_WRITER (self), FALSE);
  g_return_val_if_fail (partition != NULL, FALSE);

  if (sf_layout_find_partition (self->layout, partition) == NULL)
    return FALSE;
  if (file_name != NULL) {
    g_hash_table_replace (self->images, g_ascii_strup (partition, -1), g_strdup (file_name));
  } else {
    g_autofree char *key = g_ascii_strup (partition, -1);

    g_hash_table_remove (self->images, key);
  }
  return TRUE;
}

char *
sf_scatter_writer_get_default_name (SfScatterWriter *self)
{
  const char *platform;

  g_return_val_if_fail (SF_IS_SCATTER_WRITER (self), NULL);

  platform = self->platform;
  if (platform == NULL || *platform == '\0')
    return g_strdup ("Android_scatter.txt");
  return g_strdup_printf ("%s_Android_scatter.txt", platform);
}

static gboolean
in_list (const char * const *list,
         gsize               n,
         const char         *key)
{
  for (gsize i = 0; i < n; i++) {
    if (strcmp (list[i], key) == 0)
      return TRUE;
  }
  return FALSE;
}

static const char *
find_field (GPtrArray  *fields,
            const char *key)
{
  for (guint i = 0; fields != NULL && i < fields->len; i++) {
    SfScatterField *f = g_ptr_array_index (fields, i);

    if (strcmp (f->key, key) == 0)
      return f->value;
  }
  return NULL;
}

static const char *
layout_storage (SfScatterWriter *self)
{
  const char *storage = self->layout->storage;

  if (storage == NULL)
    storage = find_field (self->header, "storage");
  return storage != NULL && *storage != '\0' ? storage : "EMMC";
}

static void
write_header (SfScatterWriter *self,
              GString         *out)
{
  GPtrArray *header = self->header;
  const char *project = self->project;
  const char *platform = self->platform;
  const char *boot_channel = self->layout->boot_channel;
  const char *block_size = find_field (self->layout->fields, "block_size");

  if (boot_channel == NULL)
    boot_channel = find_field (header, "boot_channel");
  if (block_size == NULL)
    block_size = find_field (header, "block_size");

  g_string_append (out, BANNER "#\n#  General Setting \n#    \n" BANNER);
  g_string_append (out, "- general: MTK_PLATFORM_CFG\n  info: \n");
  g_string_append_printf (out, "    - config_version: %s\n", self->config_version);
  g_string_append_printf (out, "      platform: %s\n", platform != NULL ? platform : "");
  g_string_append_printf (out, "      project: %s\n", project != NULL ? project : "");
  g_string_append_printf (out, "      storage: %s\n", layout_storage (self));
  if (boot_channel != NULL)
    g_string_append_printf (out, "      boot_channel: %s\n", boot_channel);
  if (block_size != NULL)
    g_string_append_printf (out, "      block_size: %s\n", block_size);
  else if (self->layout->block_size != 0)
    g_string_append_printf (out, "      block_size: 0x%" PRIx64 "\n", self->layout->block_size);

  /* modem_check, skip_pmt_operate, …: as the source has them. */
  for (guint i = 0; header != NULL && i < header->len; i++) {
    SfScatterField *f = g_ptr_array_index (header, i);

    if (!in_list (header_keys, G_N_ELEMENTS (header_keys), f->key))
      g_string_append_printf (out, "      %s: %s\n", f->key, f->value);
  }
  g_string_append (out, BANNER "#\n#  Layout Setting\n#\n" BANNER);
}

/* A key's value as the source wrote it, else made from the parsed fields. */
static char *
partition_value (SfScatterWriter   *self,
                 const SfPartition *part,
                 guint              position,
                 const char        *key)
{
  const char *written = sf_partition_get_field (part, key);
  g_autofree char *upper = NULL;
  const char *image;

  if (strcmp (key, "partition_index") == 0)
    return g_strdup_printf ("SYS%u", position);
  if (strcmp (key, "partition_name") == 0)
    return g_strdup (part->name);

  upper = g_ascii_strup (part->name, -1);
  image = g_hash_table_lookup (self->images, upper);
  if (strcmp (key, "file_name") == 0)
    return g_strdup (image != NULL ? image : "NONE");
  if (strcmp (key, "is_download") == 0)
    return g_strdup (image != NULL ? "true" : "false");

  if (written != NULL && *written != '\0')
    return g_strdup (written);

  if (strcmp (key, "type") == 0)
    return g_strdup (part->type != NULL ? part->type : "NONE");
  if (strcmp (key, "linear_start_addr") == 0)
    return g_strdup_printf ("0x%" PRIx64 "", part->start);
  if (strcmp (key, "physical_start_addr") == 0) {
    guint64 physical = part->has_physical_start ? part->physical_start
                       : self->addressing == SF_ADDRESSING_REGION ? part->start : 0;

    return g_strdup_printf ("0x%" PRIx64 "", physical);
  }
  if (strcmp (key, "partition_size") == 0)
    return g_strdup_printf ("0x%" PRIx64 "", part->has_size ? part->size : 0);
  if (strcmp (key, "region") == 0) {
    if (part->region != NULL)
      return g_strdup (part->region);
    if (g_ascii_strcasecmp (layout_storage (self), "EMMC") == 0)
      return g_strdup (sf_partition_is_bootloader (part) ? "EMMC_BOOT_1" : "EMMC_USER");
    return g_strdup ("NONE");
  }
  if (strcmp (key, "storage") == 0) {
    g_autofree char *storage = g_ascii_strup (layout_storage (self), -1);

    return part->storage != NULL ? g_strdup (part->storage) : g_strconcat ("HW_STORAGE_", storage, NULL);
  }
  if (strcmp (key, "boundary_check") == 0)
    return g_strdup (part->boundary_check ? "true" : "false");
  if (strcmp (key, "is_reserved") == 0)
    return g_strdup (part->is_reserved ? "true" : "false");
  if (strcmp (key, "operation_type") == 0) {
    if (part->operation_type != NULL)
      return g_strdup (part->operation_type);
    if (part->operation == SF_OPERATION_NONE)
      return g_strdup (sf_partition_is_bootloader (part) ? "BOOTLOADERS" : "UPDATE");
    return g_strdup (sf_operation_to_string (part->operation));
  }
  if (strcmp (key, "reserve") == 0)
    return g_strdup ("0x00");
  return g_strdup ("");
}

static void
write_partition (SfScatterWriter   *self,
                 const SfPartition *part,
                 guint              position,
                 GString           *out)
{
  g_string_append_printf (out, "- partition_index: SYS%u\n", position);
  for (guint k = 1; k < G_N_ELEMENTS (partition_keys); k++) {
    g_autofree char *value = NULL;

    /* The source's own extra keys, in its order, before `reserve`. */
    if (strcmp (partition_keys[k], "reserve") == 0) {
      for (guint i = 0; part->fields != NULL && i < part->fields->len; i++) {
        SfScatterField *f = g_ptr_array_index (part->fields, i);

        if (!in_list (partition_keys, G_N_ELEMENTS (partition_keys), f->key))
          g_string_append_printf (out, "  %s: %s\n", f->key, f->value);
      }
    }
    value = partition_value (self, part, position, partition_keys[k]);
    g_string_append_printf (out, "  %s: %s\n", partition_keys[k], value);
  }
  g_string_append_c (out, '\n');
}

/**
 * sf_scatter_writer_to_bytes:
 *
 * Returns: (transfer full): the scatter file's text.
 */
GBytes *
sf_scatter_writer_to_bytes (SfScatterWriter *self)
{
  g_autoptr(GString) out = g_string_sized_new (16384);
  guint position = 0;

  g_return_val_if_fail (SF_IS_SCATTER_WRITER (self), NULL);

  write_header (self, out);
  for (guint i = 0; i < self->layout->partitions->len; i++) {
    const SfPartition *part = g_ptr_array_index (self->layout->partitions, i);

    /* Anonymous entries cannot be written in this format. */
    if (*part->name == '\0')
      continue;
    write_partition (self, part, position++, out);
  }
  return g_string_free_to_bytes (g_steal_pointer (&out));
}

gboolean
sf_scatter_writer_write (SfScatterWriter  *self,
                         GFile            *file,
                         GCancellable     *cancellable,
                         GError          **error)
{
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (SF_IS_SCATTER_WRITER (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  bytes = sf_scatter_writer_to_bytes (self);
  return g_file_replace_contents (file, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                  NULL, FALSE, G_FILE_CREATE_NONE, NULL, cancellable, error);
}
