/* sf-partition-item.h — one row of the partition checklist
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define SF_TYPE_PARTITION_ITEM (sf_partition_item_get_type ())

G_DECLARE_FINAL_TYPE (SfPartitionItem, sf_partition_item, SF, PARTITION_ITEM, GObject)

SfPartitionItem *sf_partition_item_new            (const char      *name,
                                                   const char      *region,
                                                   guint64          begin,
                                                   guint64          end,
                                                   const char      *file,
                                                   gboolean         selectable) G_GNUC_WARN_UNUSED_RESULT;

const char      *sf_partition_item_get_name       (SfPartitionItem *self);
const char      *sf_partition_item_get_region     (SfPartitionItem *self);
guint64          sf_partition_item_get_begin      (SfPartitionItem *self);
guint64          sf_partition_item_get_end        (SfPartitionItem *self);
const char      *sf_partition_item_get_file       (SfPartitionItem *self);
gboolean         sf_partition_item_get_enabled    (SfPartitionItem *self);
void             sf_partition_item_set_enabled    (SfPartitionItem *self,
                                                   gboolean         enabled);
gboolean         sf_partition_item_get_selectable (SfPartitionItem *self);

G_END_DECLS
