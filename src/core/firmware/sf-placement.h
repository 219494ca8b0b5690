/* sf-placement.h — where a scatter entry lands on the eMMC
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "sf-layout.h"
#include "sf-scatter.h"

G_BEGIN_DECLS

/* Where a scatter partition goes: eMMC partition (SF_EMMC_PART_*) and
 * byte offset inside it, the user area counted from the scatter's first
 * EMMC_USER partition (MBR), so that with sf_da_set_user_base() at that
 * partition's linear_start_addr the wire carries the scatter's linear
 * address unchanged (§13.9). @user_size is the user area's size counted
 * from that base: the phone's user area ends at its own start (DA2 report)
 * plus its size, which differs from the firmware's base plus the size when
 * the firmware was made for another eMMC. 0 if not known yet: end-relative
 * partitions then fail. */
gboolean         sf_placement_find         (SfScatter         *scatter,
                                            SfLayout          *layout,
                                            SfPartition       *partition,
                                            guint64            user_size,
                                            guint             *out_part,
                                            guint64           *out_offset,
                                            GError           **error);

/* The linear address where @scatter puts the user area (its first
 * EMMC_USER partition's linear_start_addr); FALSE when the scatter does not
 * use linear addresses. */
gboolean         sf_placement_user_base    (SfScatter         *scatter,
                                            SfLayout          *layout,
                                            guint64           *out_base);

G_END_DECLS
