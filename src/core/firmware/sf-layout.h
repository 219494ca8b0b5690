/* sf-layout.h
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sf-partition.h"

G_BEGIN_DECLS

/**
 * SfLayout:
 *
 * One partition list of a scatter file, for one kind of storage. V1.x and
 * legacy files have one; a V2.x "combo" file has one per `storage_type`
 * section, in file order. Immutable once its #SfScatter is loaded.
 */
typedef struct {
  /*< private >*/
  gatomicrefcount  ref_count;

  /*< public >*/
  char            *storage;        /* "EMMC", "NAND", "UFS", … or NULL */
  char            *boot_channel;   /* NULL when absent */
  guint64          block_size;     /* 0 when absent */
  guint            line;           /* where the section begins (1 for V1.x) */
  GPtrArray       *partitions;     /* (element-type SfPartition) */
  GPtrArray       *fields;         /* (element-type SfScatterField): storage header keys */
} SfLayout;

#define SF_TYPE_LAYOUT (sf_layout_get_type ())

GType         sf_layout_get_type         (void) G_GNUC_CONST;
SfLayout     *sf_layout_new              (void) G_GNUC_WARN_UNUSED_RESULT;
SfLayout     *sf_layout_ref              (SfLayout   *self);
void          sf_layout_unref            (SfLayout   *self);

guint         sf_layout_get_n_partitions (const SfLayout *self);
SfPartition  *sf_layout_get_partition    (const SfLayout *self,
                                          guint           index);
SfPartition  *sf_layout_find_partition   (const SfLayout *self,
                                          const char     *name);
/* Every partition an "including calibration" automatic format erases: all
 * but the bootloaders, the reserved tail and what has no place of its own
 * (end-relative, no size, no name). The CLI's `format --auto
 * --include-calibration` and the app's Format page use the same list. */
GStrv         sf_layout_list_erasable    (const SfLayout *self) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SfLayout, sf_layout_unref)

G_END_DECLS
