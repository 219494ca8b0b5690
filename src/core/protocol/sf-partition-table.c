/* sf-partition-table.c — the partition table that is on the phone (PMT)
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "sf-partition-table.h"
#include "sf-error.h"
#include "sf-placement.h"

/* Field offsets inside a record (§13.6). */
#define REC_SIZE_AT    0x40
#define REC_FLAGS_AT   0x48
#define REC_OFFSET_AT  0x50

struct _SfPartitionTable {
  gatomicrefcount  ref_count;
  GPtrArray       *entries;   /* (element-type SfPartitionTableEntry) */
};

static void
entry_free (SfPartitionTableEntry *e)
{
  g_free (e->name);
  g_free (e);
}

SfPartitionTable *
sf_partition_table_new (void)
{
  SfPartitionTable *self = g_new0 (SfPartitionTable, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  return self;
}

SfPartitionTable *
sf_partition_table_ref (SfPartitionTable *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
sf_partition_table_unref (SfPartitionTable *self)
{
  if (self == NULL)
    return;
  if (g_atomic_ref_count_dec (&self->ref_count)) {
    g_ptr_array_unref (self->entries);
    g_free (self);
  }
}

static void
add_entry (SfPartitionTable *self,
           const char    *name,
           guint64        offset,
           guint64        size,
           guint64        mask_flags)
{
  SfPartitionTableEntry *e = g_new0 (SfPartitionTableEntry, 1);

  e->name = g_strdup (name);
  e->offset = offset;
  e->size = size;
  e->mask_flags = mask_flags;
  g_ptr_array_add (self->entries, e);
}

void
sf_partition_table_add (SfPartitionTable *self,
                     const char    *name,
                     guint64        offset,
                     guint64        size)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (name != NULL && *name != '\0' && strlen (name) < SF_PMT_NAME_LEN);
  add_entry (self, name, offset, size, 0);
}

guint
sf_partition_table_get_n_entries (const SfPartitionTable *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->entries->len;
}

const SfPartitionTableEntry *
sf_partition_table_get_entry (const SfPartitionTable *self,
                           guint                index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->entries->len, NULL);
  return g_ptr_array_index (self->entries, index);
}

const SfPartitionTableEntry *
sf_partition_table_lookup (const SfPartitionTable *self,
                        const char          *name)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < self->entries->len; i++) {
    const SfPartitionTableEntry *e = g_ptr_array_index (self->entries, i);

    if (g_ascii_strcasecmp (e->name, name) == 0)
      return e;
  }
  return NULL;
}

gboolean
sf_partition_table_is_empty (const SfPartitionTable *self)
{
  return self == NULL || self->entries->len == 0;
}

static guint64
get_le64 (const guint8 *p)
{
  guint64 v = 0;

  for (int i = 7; i >= 0; i--)
    v = v << 8 | p[i];
  return v;
}

static void
put_le64 (guint8  *p,
          guint64  v)
{
  for (int i = 0; i < 8; i++) {
    p[i] = v & 0xFF;
    v >>= 8;
  }
}

SfPartitionTable *
sf_partition_table_parse (const guint8  *data,
                       gsize          len,
                       guint64        user_base,
                       GError       **error)
{
  g_autoptr(SfPartitionTable) table = sf_partition_table_new ();
  const gsize record = SF_PMT_RECORD_SIZE;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (len == 0)
    return g_steal_pointer (&table);

  if (len % record != 0 || len > SF_PMT_MAX_LEN) {
    sf_set_device_error (error, SF_ERROR_PMT_INVALID,
                         _("the table is %" "zu" " bytes, not a whole number of 0x%" "zX-byte records"),
                         len, record);
    return NULL;
  }

  for (gsize at = 0; at < len; at += record) {
    const guint8 *r = data + at;
    const guint8 *nul = memchr (r, '\0', SF_PMT_NAME_LEN);
    char name[SF_PMT_NAME_LEN];
    guint64 linear = get_le64 (r + REC_OFFSET_AT);

    if (r[0] == '\0')
      break;
    if (nul == NULL) {
      sf_set_device_error (error, SF_ERROR_PMT_INVALID,
                           _("record %" "zu" " has a name without an end"), at / record);
      return NULL;
    }
    memcpy (name, r, (gsize) (nul - r) + 1);
    for (const char *c = name; *c != '\0'; c++) {
      if (!g_ascii_isgraph (*c)) {
        sf_set_device_error (error, SF_ERROR_PMT_INVALID,
                             _("record %" "zu" " has a name that is not printable ASCII"), at / record);
        return NULL;
      }
    }
    /* A table SP Flash Tool wrote may list the boot-area partitions too;
     * ours are the user area's only (see the header). */
    if (linear < user_base) {
      g_debug ("PMT: %s at linear 0x%" PRIX64 " is before the user area, left out", name, linear);
      continue;
    }
    add_entry (table, name, linear - user_base, get_le64 (r + REC_SIZE_AT), get_le64 (r + REC_FLAGS_AT));
  }
  return g_steal_pointer (&table);
}

GBytes *
sf_partition_table_to_bytes (const SfPartitionTable *self,
                          guint64              user_base)
{
  gsize len;
  guint8 *data;

  g_return_val_if_fail (self != NULL, NULL);

  len = (gsize) MIN (self->entries->len, SF_PMT_MAX_RECORDS) * SF_PMT_RECORD_SIZE;
  data = g_malloc0 (MAX (len, 1));
  for (guint i = 0; i < self->entries->len && i < SF_PMT_MAX_RECORDS; i++) {
    const SfPartitionTableEntry *e = g_ptr_array_index (self->entries, i);
    guint8 *r = data + (gsize) i * SF_PMT_RECORD_SIZE;

    memcpy (r, e->name, MIN (strlen (e->name), (gsize) SF_PMT_NAME_LEN - 1));
    put_le64 (r + REC_SIZE_AT, e->size);
    /* The region, as realda's host sends it; the DA reads back 0xFF
     * bytes here whatever was sent (§13.6), so nothing depends on it. */
    put_le64 (r + REC_FLAGS_AT, SF_EMMC_PART_USER);
    put_le64 (r + REC_OFFSET_AT, user_base + e->offset);
  }
  return g_bytes_new_take (data, len);
}

gboolean
sf_partition_table_place (SfScatter    *scatter,
                       SfLayout     *layout,
                       SfPartition  *partition,
                       gboolean     *out_listed,
                       guint64      *out_offset,
                       guint64      *out_size,
                       GError      **error)
{
  guint part = 0;
  guint64 offset = 0;

  *out_listed = FALSE;
  if (partition->end_relative || !partition->has_size || partition->size == 0 ||
      *partition->name == '\0' || strlen (partition->name) >= SF_PMT_NAME_LEN ||
      partition->region == NULL || g_ascii_strcasecmp (partition->region, "EMMC_USER") != 0)
    return TRUE;
  if (!sf_placement_find (scatter, layout, partition, 0, &part, &offset, error))
    return FALSE;
  if (part != SF_EMMC_PART_USER)
    return TRUE;
  *out_listed = TRUE;
  if (out_offset != NULL)
    *out_offset = offset;
  if (out_size != NULL)
    *out_size = partition->size;
  return TRUE;
}

SfPartitionTable *
sf_partition_table_new_from_layout (SfScatter  *scatter,
                                 SfLayout   *layout,
                                 GError    **error)
{
  g_autoptr(SfPartitionTable) table = sf_partition_table_new ();

  for (guint i = 0; i < sf_layout_get_n_partitions (layout); i++) {
    SfPartition *p = sf_layout_get_partition (layout, i);
    gboolean listed = FALSE;
    guint64 offset = 0, size = 0;

    if (!sf_partition_table_place (scatter, layout, p, &listed, &offset, &size, error))
      return NULL;
    if (!listed)
      continue;
    /* A table cut short would leave partitions the phone cannot find. */
    if (table->entries->len == SF_PMT_MAX_RECORDS) {
      sf_set_error_at (error, SF_ERROR_UNSUPPORTED, sf_scatter_get_display_name (scatter), p->line,
                       _("use the scatter file made for this phone"),
                       _("the phone's partition table holds at most %u partitions, and %s would be one more; "
                         "nothing was written"), SF_PMT_MAX_RECORDS, p->name);
      return NULL;
    }
    add_entry (table, p->name, offset, size, 0);
  }
  return g_steal_pointer (&table);
}
