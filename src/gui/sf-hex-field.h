/* sf-hex-field.h — hexadecimal address fields, as SP Flash Tool's Format
 * and Readback tabs have them
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* The regions a range can be in, in the order of the region combo rows:
 * EMMC_USER, EMMC_BOOT_1, EMMC_BOOT_2. */
#define SF_HEX_FIELD_N_REGIONS 3
guint        sf_hex_field_region_part  (guint         index);   /* SF_EMMC_PART_* */
const char  *sf_hex_field_region_name  (guint         index);

/* A hex number as SP Flash Tool's fields take it: "0x1F600000" or
 * "1F600000". NULL when fine, else why not (translated, to follow the
 * field's name: "is not a hexadecimal number, e.g. 0x100000"). */
const char  *sf_hex_field_parse        (const char   *text,
                                        guint64      *out);

/* A begin address and a length, both whole eMMC sectors: NULL when fine,
 * else the sentence to show ("Length must not be 0"), and which of the two
 * fields it is about in @out_on_length. An empty length is reported with
 * @out_length_empty set, as "not done yet" rather than wrong. */
char        *sf_hex_field_check_range  (const char   *begin_text,
                                        const char   *length_text,
                                        const char   *what,
                                        guint64      *out_begin,
                                        guint64      *out_length,
                                        gboolean     *out_on_length,
                                        gboolean     *out_length_empty) G_GNUC_WARN_UNUSED_RESULT;

/* Shows @problem (NULL: none) under @row in @label, with the error style
 * and the accessible "invalid" state. */
void         sf_hex_field_show_error   (AdwEntryRow  *row,
                                        GtkLabel     *label,
                                        const char   *problem);

G_END_DECLS
