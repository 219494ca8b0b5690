/* sf-layout.c
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "sf-layout.h"

G_DEFINE_BOXED_TYPE (SfLayout, sf_layout, sf_layout_ref, sf_layout_unref)

/**
 * sf_layout_new:
 *
 * Returns: (transfer full): an empty layout, for the parser to fill in.
 */
SfLayout *
sf_layout_new (void)
{
  SfLayout *self = g_new0 (SfLayout, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->partitions = g_ptr_array_new_with_free_func ((GDestroyNotify) sf_partition_unref);
  self->fields = g_ptr_array_new_with_free_func ((GDestroyNotify) sf_scatter_field_free);
  return self;
}

SfLayout *
sf_layout_ref (SfLayout *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
sf_layout_unref (SfLayout *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_free (self->storage);
  g_free (self->boot_channel);
  g_clear_pointer (&self->partitions, g_ptr_array_unref);
  g_clear_pointer (&self->fields, g_ptr_array_unref);
  g_free (self);
}

guint
sf_layout_get_n_partitions (const SfLayout *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->partitions->len;
}

/**
 * sf_layout_get_partition:
 *
 * Returns: (transfer none): the partition at @index.
 */
SfPartition *
sf_layout_get_partition (const SfLayout *self,
                         guint           index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->partitions->len, NULL);

  return g_ptr_array_index (self->partitions, index);
}

/**
 * sf_layout_find_partition:
 * @name: a partition name; case does not matter (`NVRAM` finds `nvram`)
 *
 * Returns: (transfer none) (nullable): the first partition with that name.
 */
SfPartition *
sf_layout_find_partition (const SfLayout *self,
                          const char     *name)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < self->partitions->len; i++) {
    SfPartition *part = g_ptr_array_index (self->partitions, i);

    if (g_ascii_strcasecmp (part->name, name) == 0)
      return part;
  }
  return NULL;
}

GStrv
sf_layout_list_erasable (const SfLayout *self)
{
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();

  for (guint i = 0; self != NULL && i < self->partitions->len; i++) {
    SfPartition *part = g_ptr_array_index (self->partitions, i);

    if (part->operation == SF_OPERATION_BOOTLOADERS || part->operation == SF_OPERATION_RESERVED ||
        part->end_relative || !part->has_size || part->size == 0 || *part->name == '\0')
      continue;
    g_strv_builder_add (names, part->name);
  }
  return g_strv_builder_end (names);
}
