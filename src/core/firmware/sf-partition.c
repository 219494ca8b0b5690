/* sf-partition.c
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "sf-partition.h"

G_DEFINE_BOXED_TYPE (SfPartition, sf_partition, sf_partition_ref, sf_partition_unref)

void
sf_scatter_field_free (SfScatterField *field)
{
  if (field == NULL)
    return;
  g_free (field->key);
  g_free (field->value);
  g_free (field);
}

/**
 * sf_partition_new:
 *
 * Returns: (transfer full): an empty entry, for the parser to fill in.
 */
SfPartition *
sf_partition_new (void)
{
  SfPartition *self = g_new0 (SfPartition, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->name = g_strdup ("");
  self->boundary_check = TRUE;
  self->fields = g_ptr_array_new_with_free_func ((GDestroyNotify) sf_scatter_field_free);
  return self;
}

SfPartition *
sf_partition_ref (SfPartition *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
sf_partition_unref (SfPartition *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_free (self->name);
  g_free (self->file_name);
  g_free (self->type);
  g_free (self->operation_type);
  g_free (self->region);
  g_free (self->storage);
  g_clear_pointer (&self->fields, g_ptr_array_unref);
  g_free (self);
}

/**
 * sf_partition_get_field:
 * @key: a scatter key, such as `combo_partsize_check`
 *
 * Returns: (nullable): the value of the last line with that key, as written.
 */
const char *
sf_partition_get_field (const SfPartition *self,
                        const char        *key)
{
  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = self->fields->len; i > 0; i--) {
    const SfScatterField *field = g_ptr_array_index (self->fields, i - 1);

    if (strcmp (field->key, key) == 0)
      return field->value;
  }
  return NULL;
}

gboolean
sf_partition_is_bootloader (const SfPartition *self)
{
  return self->operation == SF_OPERATION_BOOTLOADERS;
}

/**
 * sf_partition_is_calibration:
 *
 * Returns: %TRUE for the partitions that hold what belongs to this one phone
 *   (IMEI, MAC addresses, RF calibration): PROTECTED and BINREGION ones.
 */
gboolean
sf_partition_is_calibration (const SfPartition *self)
{
  return self->operation == SF_OPERATION_PROTECTED ||
         self->operation == SF_OPERATION_BINREGION;
}

static const struct {
  SfOperation  op;
  const char  *name;
} operation_names[] = {
  { SF_OPERATION_BOOTLOADERS, "BOOTLOADERS" },
  { SF_OPERATION_UPDATE, "UPDATE" },
  { SF_OPERATION_INVISIBLE, "INVISIBLE" },
  { SF_OPERATION_PROTECTED, "PROTECTED" },
  { SF_OPERATION_BINREGION, "BINREGION" },
  { SF_OPERATION_RESERVED, "RESERVED" },
};

/**
 * sf_operation_from_string:
 * @text: (nullable): an `operation_type` value
 *
 * Returns: its meaning; %SF_OPERATION_NONE for %NULL or `NONE`,
 *   %SF_OPERATION_UNKNOWN for anything not known.
 */
SfOperation
sf_operation_from_string (const char *text)
{
  if (text == NULL || *text == '\0' || g_ascii_strcasecmp (text, "NONE") == 0)
    return SF_OPERATION_NONE;

  for (guint i = 0; i < G_N_ELEMENTS (operation_names); i++) {
    if (g_ascii_strcasecmp (text, operation_names[i].name) == 0)
      return operation_names[i].op;
  }
  return SF_OPERATION_UNKNOWN;
}

const char *
sf_operation_to_string (SfOperation op)
{
  for (guint i = 0; i < G_N_ELEMENTS (operation_names); i++) {
    if (operation_names[i].op == op)
      return operation_names[i].name;
  }
  return op == SF_OPERATION_NONE ? "NONE" : "UNKNOWN";
}

/**
 * sf_operation_guess:
 * @name: a partition name, such as `NVRAM` or `protect1`
 * @download: whether the partition is written by default
 *
 * What a partition of that name is, for the files that do not say: legacy
 * scatters, and the scatter a backup writes from the phone's own table
 * (scatter-format.md §3, §7).
 *
 * Returns: the operation a scatter would give it.
 */
SfOperation
sf_operation_guess (const char *name,
                    gboolean    download)
{
  static const char * const binregion[] = { "NVRAM", "NVDATA" };
  static const char * const protected[] = {
    "PRO_INFO", "PROINFO", "PROTECT_F", "PROTECT_S", "PROTECT1", "PROTECT2", "NVCFG", "PERSIST", "FRP",
  };

  if (g_ascii_strcasecmp (name, "PRELOADER") == 0 || g_ascii_strcasecmp (name, "DSP_BL") == 0)
    return SF_OPERATION_BOOTLOADERS;
  for (guint i = 0; i < G_N_ELEMENTS (binregion); i++) {
    if (g_ascii_strcasecmp (name, binregion[i]) == 0)
      return SF_OPERATION_BINREGION;
  }
  for (guint i = 0; i < G_N_ELEMENTS (protected); i++) {
    if (g_ascii_strcasecmp (name, protected[i]) == 0)
      return SF_OPERATION_PROTECTED;
  }
  if (g_str_has_prefix (name, "RSV_") || g_ascii_strcasecmp (name, "BMTPOOL") == 0 ||
      g_ascii_strcasecmp (name, "OTP") == 0)
    return SF_OPERATION_RESERVED;
  return download ? SF_OPERATION_UPDATE : SF_OPERATION_INVISIBLE;
}
