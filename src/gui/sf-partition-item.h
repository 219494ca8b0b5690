/* sf-partition-item.h — one row of the partition checklist
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "sf-partition.h"

G_BEGIN_DECLS

#define SF_TYPE_PARTITION_ITEM (sf_partition_item_get_type ())

G_DECLARE_FINAL_TYPE (SfPartitionItem, sf_partition_item, SF, PARTITION_ITEM, GObject)

/* A row for @partition of the open firmware. The row is tickable once it
 * has a usable image (sf_partition_item_set_image()). */
SfPartitionItem *sf_partition_item_new            (SfPartition     *partition) G_GNUC_WARN_UNUSED_RESULT;

SfPartition     *sf_partition_item_get_partition  (SfPartitionItem *self);
const char      *sf_partition_item_get_name       (SfPartitionItem *self);
const char      *sf_partition_item_get_region     (SfPartitionItem *self);
guint64          sf_partition_item_get_begin      (SfPartitionItem *self);
/* The last byte of the partition (the begin when its size is unknown). */
guint64          sf_partition_item_get_end        (SfPartitionItem *self);

/* Where the image is (a path, or archive/path), or NULL when there is none. */
const char      *sf_partition_item_get_file       (SfPartitionItem *self);
/* Why the row cannot be ticked ("system.img is missing"), or NULL. */
const char      *sf_partition_item_get_problem    (SfPartitionItem *self);
/* @problem NULL: the image is usable and the row becomes tickable (and
 * ticked when @tick); otherwise it is unticked and cannot be ticked. */
void             sf_partition_item_set_image      (SfPartitionItem *self,
                                                   const char      *file,
                                                   const char      *problem,
                                                   gboolean         tick);

/* Something to know before writing this row ("this would overwrite the
 * phone's IMEI"), shown on the row; NULL for none. */
const char      *sf_partition_item_get_warning    (SfPartitionItem *self);
void             sf_partition_item_set_warning    (SfPartitionItem *self,
                                                   const char      *warning);

gboolean         sf_partition_item_get_enabled    (SfPartitionItem *self);
void             sf_partition_item_set_enabled    (SfPartitionItem *self,
                                                   gboolean         enabled);
gboolean         sf_partition_item_get_selectable (SfPartitionItem *self);

/* The row shows what a scene does by itself (Firmware Upgrade, Format All +
 * Download): ticked when the scene writes it, and the tick cannot change. */
void             sf_partition_item_set_fixed      (SfPartitionItem *self,
                                                   gboolean         written);
gboolean         sf_partition_item_get_fixed      (SfPartitionItem *self);
/* What the scene does to a row it does not write ("Kept: backed up
 * first…"), shown on the row; NULL for none. */
const char      *sf_partition_item_get_note       (SfPartitionItem *self);
void             sf_partition_item_set_note       (SfPartitionItem *self,
                                                   const char      *note);

G_END_DECLS
