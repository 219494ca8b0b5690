/* sf-partition-table.h — the partition table that is on the phone (PMT)
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The PMT as MediaTek's MT6572 DA keeps it (protocol.md §13.6, §13.9):
 *
 * - Read with A5 SDMMC_READ_PMT: H→D A5; D→H 5A; D→H len u32 (big-endian,
 *   §0); H→D 5A; D→H len bytes; H→D 5A. A phone that has no table yet (a
 *   blank or fully erased eMMC) answers the error reply A5 + 1037 instead
 *   (§13.10): that is a first download, and an empty table here.
 * - Written with A4 SDMMC_WRITE_PMT: H→D A4; D→H 5A; H→D entry count u32
 *   (≤ 40); D→H 5A; per entry H→D 0x60 bytes, D→H 69; H→D mode u32 (0: a
 *   new table); D→H 5A; D→H 5A, or the error reply A5 + 5069.
 * - The data is count records of SF_PMT_RECORD_SIZE (0x60) bytes with
 *   little-endian fields: name[64] (ASCII, NUL-padded, at least one NUL),
 *   size u64 at 0x40, region/mask u64 at 0x48 (the host writes 8; the DA
 *   reads back 0xFF bytes), LINEAR offset u64 at 0x50, 8 spare bytes. A
 *   record whose name starts with NUL ends the table.
 * - This API keeps offsets in the eMMC user area; sf_partition_table_parse()
 *   and sf_partition_table_to_bytes() convert with the linear address where
 *   the user area starts (the DA's, see sf_da_get_user_base()). Records
 *   before it (a table SP Flash Tool wrote lists PRELOADER too) are left
 *   out when reading.
 * - What goes in: every partition of the scatter's EMMC_USER region that is
 *   not end-relative and has a size > 0, in scatter order, at most 40. The
 *   boot-area PRELOADER, end-relative reserved partitions (BMTPOOL) and
 *   size-0 partitions (FAT, which runs to the end) are left out; the same
 *   rule decides which partitions Download Only compares.
 */

#pragma once

#include <glib.h>

#include "sf-layout.h"
#include "sf-mtk.h"
#include "sf-scatter.h"

G_BEGIN_DECLS

typedef struct {
  char     *name;
  guint64   offset;      /* in the user area (the wire has it linear) */
  guint64   size;
  guint64   mask_flags;
} SfPartitionTableEntry;

typedef struct _SfPartitionTable SfPartitionTable;

SfPartitionTable             *sf_partition_table_new          (void) G_GNUC_WARN_UNUSED_RESULT;
SfPartitionTable             *sf_partition_table_ref          (SfPartitionTable       *self);
void                       sf_partition_table_unref        (SfPartitionTable       *self);

void                       sf_partition_table_add          (SfPartitionTable       *self,
                                                         const char          *name,
                                                         guint64              offset,
                                                         guint64              size);
guint                      sf_partition_table_get_n_entries (const SfPartitionTable *self);
const SfPartitionTableEntry  *sf_partition_table_get_entry    (const SfPartitionTable *self,
                                                         guint                index);
/* Case-insensitive; NULL when absent. */
const SfPartitionTableEntry  *sf_partition_table_lookup       (const SfPartitionTable *self,
                                                         const char          *name);
gboolean                   sf_partition_table_is_empty     (const SfPartitionTable *self);

/* PMT bytes → table (0 bytes: an empty table); @user_base is the linear
 * address of the user area. SF_ERROR_PMT_INVALID when the data is not
 * whole records or a name is not NUL-terminated ASCII. */
SfPartitionTable             *sf_partition_table_parse        (const guint8        *data,
                                                         gsize                len,
                                                         guint64              user_base,
                                                         GError             **error) G_GNUC_WARN_UNUSED_RESULT;
/* Table → 0x60-byte records with linear offsets (the first 40 entries). */
GBytes                    *sf_partition_table_to_bytes     (const SfPartitionTable *self,
                                                         guint64              user_base) G_GNUC_WARN_UNUSED_RESULT;

/* Whether @partition belongs in the phone's table (see above), and if so
 * its user-area offset and size. FALSE with @error set only on a real
 * failure (an address that cannot be converted). */
gboolean                   sf_partition_table_place        (SfScatter           *scatter,
                                                         SfLayout            *layout,
                                                         SfPartition         *partition,
                                                         gboolean            *out_listed,
                                                         guint64             *out_offset,
                                                         guint64             *out_size,
                                                         GError             **error);
/* The table a phone flashed with @layout should hold. */
SfPartitionTable             *sf_partition_table_new_from_layout (SfScatter        *scatter,
                                                            SfLayout         *layout,
                                                            GError          **error) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SfPartitionTable, sf_partition_table_unref)

G_END_DECLS
