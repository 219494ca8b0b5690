/* sf-units.h — one home for sizes, byte counts and eMMC regions
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Sizes are shown in one system everywhere, the one scatter files and
 * partition tools count in: powers of two ("12.0 MiB"), with a plain
 * space, so that terminal columns line up. */
char        *sf_format_size            (guint64      bytes) G_GNUC_WARN_UNUSED_RESULT;
/* "1.5 MiB (1572864 bytes)": for messages where the exact count matters. */
char        *sf_format_size_exact      (guint64      bytes) G_GNUC_WARN_UNUSED_RESULT;

typedef enum {
  SF_NUMBER_DECIMAL,     /* a count: "3" */
  SF_NUMBER_BYTES,       /* hex with 0x, decimal, or with a K/M/G suffix: "0x1F600000", "524288", "4M" */
  SF_NUMBER_HEX,         /* hex with or without 0x, blanks around it allowed: a GUI field */
} SfNumberKind;

/* Parses @text into @out. Refuses signs (strtoull takes "-512" for
 * 2^64 - 512, a multiple of 512), blanks inside, junk after the number,
 * and anything above 2^63 - 1 (addresses go into off_t and JSON). On
 * failure returns FALSE and, in @out_problem, a phrase that follows the
 * field's name: "must not be negative", "is too large", … */
gboolean     sf_parse_number           (const char   *text,
                                        SfNumberKind  kind,
                                        guint64      *out,
                                        const char  **out_problem);

/* Whether @bytes is a whole number of 512-byte eMMC sectors. */
gboolean     sf_is_sector_aligned      (guint64      bytes);

/* "EMMC_USER", "EMMC_BOOT_1", "EMMC_BOOT_2" (and the spellings found in
 * scatter files and typed by people: "EMMC_BOOT1", "BOOT1", "USER", any
 * case) → SF_EMMC_PART_*; 0 when it is not an eMMC region. */
guint        sf_emmc_part_from_region  (const char   *region);
/* SF_EMMC_PART_* → "EMMC_USER", …; "?" for anything else. */
const char  *sf_emmc_part_to_region    (guint        part);

/* Whole milliseconds left until @deadline_us (g_get_monotonic_time()),
 * rounded up; 0 once it has passed. */
guint        sf_ms_until               (gint64        deadline_us);

G_END_DECLS
