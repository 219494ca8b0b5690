/* sf-placement.c — where a scatter entry lands on the eMMC (protocol.md §11, §13.9)
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The firmware's own knowledge: which hardware partition a scatter entry
 * is in and at what offset, counted the way the firmware counts. The DA
 * session, the partition table and the jobs all ask here, so the answer
 * cannot differ between them.
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>

#include "sf-error.h"
#include "sf-mtk.h"
#include "sf-placement.h"
#include "sf-units.h"

static gboolean
is_preloader (const SfPartition *p)
{
  return g_ascii_strcasecmp (p->name, "PRELOADER") == 0;
}

/* The eMMC partition of a scatter entry, or 0 when it is not on eMMC. */
static guint
region_part (const SfPartition *p)
{
  const char *r = p->region;

  if (r == NULL)   /* legacy block format */
    return is_preloader (p) ? SF_EMMC_PART_BOOT1 : SF_EMMC_PART_USER;
  return sf_emmc_part_from_region (r);
}

/* The size an end-relative entry takes from the end of the user area
 * (scatter-format.md §6.3): its partition_size; a legacy entry has none,
 * so its address's low 16 bits count 128 KiB blocks. */
static guint64
tail_size (const SfPartition *p)
{
  if (p->has_size)
    return p->size;
  return (p->start & 0xFFFF) * 128 * 1024;
}

gboolean
sf_placement_user_base (SfScatter  *scatter,
                         SfLayout   *layout,
                         guint64    *out_base)
{
  g_return_val_if_fail (SF_IS_SCATTER (scatter), FALSE);
  g_return_val_if_fail (layout != NULL, FALSE);

  if (sf_scatter_get_addressing (scatter) != SF_ADDRESSING_LINEAR)
    return FALSE;
  for (guint i = 0; i < sf_layout_get_n_partitions (layout); i++) {
    SfPartition *p = sf_layout_get_partition (layout, i);

    if (region_part (p) == SF_EMMC_PART_USER && !p->end_relative) {
      if (out_base != NULL)
        *out_base = p->start;
      return TRUE;
    }
  }
  return FALSE;
}

gboolean
sf_placement_find (SfScatter    *scatter,
                         SfLayout     *layout,
                         SfPartition  *partition,
                         guint64       user_size,
                         guint        *out_part,
                         guint64      *out_offset,
                         GError      **error)
{
  guint part;
  guint64 offset;

  g_return_val_if_fail (SF_IS_SCATTER (scatter), FALSE);
  g_return_val_if_fail (layout != NULL, FALSE);
  g_return_val_if_fail (partition != NULL, FALSE);

  part = region_part (partition);
  if (part == 0) {
    sf_set_error_at (error, SF_ERROR_UNSUPPORTED, sf_scatter_get_display_name (scatter), partition->line,
                     _("Scatterflash writes eMMC phones only"),
                     _("%s is in the %s region, which is not on eMMC"), partition->name, partition->region);
    return FALSE;
  }

  if (part != SF_EMMC_PART_USER) {
    offset = partition->start;
  } else if (partition->end_relative) {
    guint64 end = user_size;
    guint last = sf_layout_get_n_partitions (layout);
    gboolean found = FALSE;

    if (user_size == 0) {
      sf_set_error_at (error, SF_ERROR_UNSUPPORTED, sf_scatter_get_display_name (scatter), partition->line,
                       NULL,
                       _("%s is placed from the end of the storage (0x%" PRIX64 "), which only the phone can tell"),
                       partition->name, partition->start);
      return FALSE;
    }

    /* Walk the tail backwards: each one ends where the next begins. */
    for (guint i = last; i-- > 0;) {
      SfPartition *p = sf_layout_get_partition (layout, i);
      guint64 size;

      if (!p->end_relative)
        break;
      size = tail_size (p);
      if (size == 0 || size > end) {
        sf_set_device_error (error, SF_ERROR_DA_INVALID_RANGE,
                             _("%s (0x%" PRIX64 " bytes from the end) does not fit in the phone's user area of %" PRIu64 " bytes"),
                             p->name, size, user_size);
        return FALSE;
      }
      end -= size;
      if (p == partition) {
        found = TRUE;
        break;
      }
    }
    if (!found) {
      sf_set_error_at (error, SF_ERROR_UNSUPPORTED, sf_scatter_get_display_name (scatter), partition->line,
                       NULL,
                       _("%s is placed from the end of the storage, but a partition after it is not"),
                       partition->name);
      return FALSE;
    }
    offset = end;
  } else if (sf_scatter_get_addressing (scatter) == SF_ADDRESSING_LINEAR) {
    guint64 user_base = G_MAXUINT64;

    for (guint i = 0; i < sf_layout_get_n_partitions (layout); i++) {
      SfPartition *p = sf_layout_get_partition (layout, i);

      if (region_part (p) == SF_EMMC_PART_USER && !p->end_relative) {
        user_base = p->start;
        break;
      }
    }
    if (user_base == G_MAXUINT64 || partition->start < user_base) {
      sf_set_error_at (error, SF_ERROR_SCATTER_FIELD, sf_scatter_get_display_name (scatter), partition->line,
                       NULL, _("%s starts before the user area"), partition->name);
      return FALSE;
    }
    offset = partition->start - user_base;
  } else {
    offset = partition->start;
  }

  if (out_part != NULL)
    *out_part = part;
  if (out_offset != NULL)
    *out_offset = offset;
  return TRUE;
}
