/* sf-device-table.h — the partition table that is on the phone (PMT)
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Project contract (mtk-protocol.md §6.12; see also src/sim/README.md):
 *
 * - The phone's table is the PMT the DA reads with A5 SDMMC_READ_PMT:
 *   H→D A5; D→H 5A; D→H len u32 (big-endian, §0); H→D 5A; D→H len bytes;
 *   H→D 5A. len 0 means the phone has no table (never flashed with a
 *   layout); the two 5A are still exchanged.
 * - It is written with A4 SDMMC_WRITE_PMT, defined symmetrically:
 *   H→D A4; D→H 5A; H→D len u32; D→H 5A (A5: refused, the command ends);
 *   H→D len bytes; D→H 5A (A5: not stored). len 0 removes the table.
 * - The data is a sequence of records with little-endian fields. The host
 *   writes 64-bit records of SF_PMT_RECORD_SIZE (0x58) bytes: name[64]
 *   (ASCII, NUL-padded, at least one NUL), size u64, mask_flags u64 (always
 *   0, so byte 0x48 is never 0xFF), offset u64. @offset is the byte offset
 *   in the eMMC user area (part 8), i.e. the scatter's address converted as
 *   mtk-protocol.md §11 says (V1.1.1: linear_start_addr − MBR's).
 * - The reader also takes SF_PMT_RECORD_SIZE_EXT (0x60) records, chosen when
 *   byte 0x48 of the data is 0xFF (§6.12), with the same first fields. The
 *   32-bit 0x4C records of §6.12 are not supported (the data is then refused
 *   unless its length happens to be a multiple of 0x58). A record whose name
 *   starts with NUL ends the table (real PMTs are fixed arrays).
 * - What goes in: every partition of the scatter's EMMC_USER region that is
 *   not end-relative and has a size > 0, in scatter order. The boot-area
 *   PRELOADER, end-relative reserved partitions (BMTPOOL) and size-0
 *   partitions (FAT, which runs to the end) are left out; the same rule
 *   decides which partitions Download Only compares.
 */

#pragma once

#include <glib.h>

#include "sf-layout.h"
#include "sf-mtk.h"
#include "sf-scatter.h"

G_BEGIN_DECLS

typedef struct {
  char     *name;
  guint64   offset;      /* in the user area */
  guint64   size;
  guint64   mask_flags;
} SfDeviceTableEntry;

typedef struct _SfDeviceTable SfDeviceTable;

SfDeviceTable             *sf_device_table_new          (void) G_GNUC_WARN_UNUSED_RESULT;
SfDeviceTable             *sf_device_table_ref          (SfDeviceTable       *self);
void                       sf_device_table_unref        (SfDeviceTable       *self);

void                       sf_device_table_add          (SfDeviceTable       *self,
                                                         const char          *name,
                                                         guint64              offset,
                                                         guint64              size);
guint                      sf_device_table_get_n_entries (const SfDeviceTable *self);
const SfDeviceTableEntry  *sf_device_table_get_entry    (const SfDeviceTable *self,
                                                         guint                index);
/* Case-insensitive; NULL when absent. */
const SfDeviceTableEntry  *sf_device_table_lookup       (const SfDeviceTable *self,
                                                         const char          *name);
gboolean                   sf_device_table_is_empty     (const SfDeviceTable *self);

/* PMT bytes → table (0 bytes: an empty table). SF_ERROR_PMT_INVALID when
 * the data is not whole records or a name is not NUL-terminated ASCII. */
SfDeviceTable             *sf_device_table_parse        (const guint8        *data,
                                                         gsize                len,
                                                         GError             **error) G_GNUC_WARN_UNUSED_RESULT;
/* Table → 0x58-byte records. */
GBytes                    *sf_device_table_to_bytes     (const SfDeviceTable *self) G_GNUC_WARN_UNUSED_RESULT;

/* Whether @partition belongs in the phone's table (see above), and if so
 * its user-area offset and size. FALSE with @error set only on a real
 * failure (an address that cannot be converted). */
gboolean                   sf_device_table_place        (SfScatter           *scatter,
                                                         SfLayout            *layout,
                                                         SfPartition         *partition,
                                                         gboolean            *out_listed,
                                                         guint64             *out_offset,
                                                         guint64             *out_size,
                                                         GError             **error);
/* The table a phone flashed with @layout should hold. */
SfDeviceTable             *sf_device_table_new_from_layout (SfScatter        *scatter,
                                                            SfLayout         *layout,
                                                            GError          **error) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SfDeviceTable, sf_device_table_unref)

G_END_DECLS
