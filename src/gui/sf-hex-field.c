/* sf-hex-field.c — hexadecimal address fields, as SP Flash Tool's Format
 * and Readback tabs have them
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "sf-hex-field.h"
#include "sf-mtk.h"

static const struct {
  guint       part;
  const char *name;
} regions[SF_HEX_FIELD_N_REGIONS] = {
  { SF_EMMC_PART_USER, "EMMC_USER" },
  { SF_EMMC_PART_BOOT1, "EMMC_BOOT_1" },
  { SF_EMMC_PART_BOOT2, "EMMC_BOOT_2" },
};

guint
sf_hex_field_region_part (guint index)
{
  return regions[MIN (index, SF_HEX_FIELD_N_REGIONS - 1)].part;
}

const char *
sf_hex_field_region_name (guint index)
{
  return regions[MIN (index, SF_HEX_FIELD_N_REGIONS - 1)].name;
}

const char *
sf_hex_field_parse (const char *text,
                    guint64    *out)
{
  const char *p = text;
  guint64 value = 0;
  guint digits = 0;

  while (g_ascii_isspace (*p))
    p++;
  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
    p += 2;
  for (; g_ascii_isxdigit (*p); p++) {
    if (value > G_MAXUINT64 >> 4)
      return _("is too large");
    value = (value << 4) | (guint64) g_ascii_xdigit_value (*p);
    digits++;
  }
  while (g_ascii_isspace (*p))
    p++;
  if (digits == 0 || *p != '\0')
    return _("is not a hexadecimal number, e.g. 0x100000");
  *out = value;
  return NULL;
}

char *
sf_hex_field_check_range (const char *begin_text,
                          const char *length_text,
                          const char *what,
                          guint64    *out_begin,
                          guint64    *out_length,
                          gboolean   *out_on_length,
                          gboolean   *out_length_empty)
{
  g_autofree char *stripped = g_strstrip (g_strdup (length_text));
  const char *problem;

  *out_begin = 0;
  *out_length = 0;
  *out_on_length = FALSE;
  *out_length_empty = stripped[0] == '\0';

  problem = sf_hex_field_parse (begin_text, out_begin);
  if (problem == NULL && *out_begin % SF_EMMC_SECTOR != 0)
    problem = _("must be a multiple of 0x200 (512): eMMC works in whole sectors");
  if (problem != NULL)
    /* Translators: a field name and what is wrong with it, e.g. "Begin address is not a hexadecimal number" */
    return g_strdup_printf (_("%s %s"), _("Begin address"), problem);

  *out_on_length = TRUE;
  if (*out_length_empty)
    /* Translators: %s says what for: "how many bytes to erase" */
    return g_strdup_printf (_("Length is needed: %s"), what);
  problem = sf_hex_field_parse (length_text, out_length);
  if (problem == NULL && *out_length == 0)
    problem = _("must not be 0");
  else if (problem == NULL && *out_length % SF_EMMC_SECTOR != 0)
    problem = _("must be a multiple of 0x200 (512): eMMC works in whole sectors");
  else if (problem == NULL && *out_begin > G_MAXUINT64 - *out_length)
    problem = _("runs past the end of any storage");
  if (problem != NULL)
    return g_strdup_printf (_("%s %s"), _("Length"), problem);
  *out_on_length = FALSE;
  return NULL;
}

void
sf_hex_field_show_error (AdwEntryRow *row,
                         GtkLabel    *label,
                         const char  *problem)
{
  if (problem != NULL) {
    gtk_label_set_text (label, problem);
    gtk_widget_add_css_class (GTK_WIDGET (row), "error");
    gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, problem, -1);
    gtk_accessible_update_state (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_STATE_INVALID,
                                 GTK_ACCESSIBLE_INVALID_TRUE, -1);
  } else {
    gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
    gtk_accessible_reset_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
    gtk_accessible_reset_state (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_STATE_INVALID);
  }
  gtk_widget_set_visible (GTK_WIDGET (label), problem != NULL);
}
