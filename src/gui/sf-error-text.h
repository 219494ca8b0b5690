/* sf-error-text.h — what went wrong, in words for people
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* For a result page or a station row: a plain headline ("The phone was
 * unplugged"), SP Flash Tool's name and number where it has one
 * ("S_FT_ENABLE_DRAM_FAIL (4032)", else NULL), and one piece of advice.
 * The error's own message, with its protocol detail, is for the log. */
void  sf_gui_describe_error  (const GError  *error,
                              char         **out_title,
                              char         **out_code,
                              char         **out_advice);

G_END_DECLS
