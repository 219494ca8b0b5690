/* sf-cli-da.c — `scatterflash-cli da`: what a download agent file holds
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "sf-cli-common.h"
#include "sf-da-file.h"
#include "sf-units.h"

/* The --json document is a contract with tests outside the project:
 * {"identifier": …, "entries": [{"hw_code", "hw_sub_code", "hw_version",
 * "sw_version", "page_size", "regions": [{"offset", "length", "address",
 * "sig_length"}]}]}, integers, entries in file order, used regions only. */
static JsonNode *
da_file_to_json (SfDaFile *da)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  sf_cli_json_string (b, "identifier", sf_da_file_get_identifier (da));
  json_builder_set_member_name (b, "entries");
  json_builder_begin_array (b);
  for (guint i = 0; i < sf_da_file_get_n_entries (da); i++) {
    const SfDaEntry *entry = sf_da_file_get_entry (da, i);

    json_builder_begin_object (b);
    sf_cli_json_uint (b, "hw_code", entry->hw_code);
    sf_cli_json_uint (b, "hw_sub_code", entry->hw_sub_code);
    sf_cli_json_uint (b, "hw_version", entry->hw_version);
    sf_cli_json_uint (b, "sw_version", entry->sw_version);
    sf_cli_json_uint (b, "page_size", entry->page_size);
    json_builder_set_member_name (b, "regions");
    json_builder_begin_array (b);
    for (guint r = 0; r < entry->n_regions; r++) {
      const SfDaRegion *region = &entry->regions[r];

      json_builder_begin_object (b);
      sf_cli_json_uint (b, "offset", region->offset);
      sf_cli_json_uint (b, "length", region->length);
      sf_cli_json_uint (b, "address", region->address);
      sf_cli_json_uint (b, "sig_length", region->sig_length);
      json_builder_end_object (b);
    }
    json_builder_end_array (b);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static const char *
region_label (guint index)
{
  switch (index) {
  case SF_DA_REGION_DA1: return "DA1";
  case SF_DA_REGION_DA2: return "DA2";
  default: return "";
  }
}

/* The columns of a DA entry's regions. */
static const int region_widths[] = { -10, -12, -12, -12, 0 };

static void
print_text (SfDaFile *da)
{
  g_autofree char *size = sf_format_size (sf_da_file_get_size (da));

  g_print (_("DA file: %s (%s)\n"), sf_da_file_get_display_name (da), size);
  g_print (_("Identifier: %s   Version: %u   Entries: %u of 0x%X bytes\n"),
           sf_da_file_get_identifier (da), sf_da_file_get_version (da),
           sf_da_file_get_n_entries (da), sf_da_file_get_entry_size (da));

  for (guint i = 0; i < sf_da_file_get_n_entries (da); i++) {
    const SfDaEntry *entry = sf_da_file_get_entry (da, i);
    g_autofree char *chip = sf_da_file_chip_name (entry->hw_code);

    g_print ("\n");
    g_print (_("Entry %u: %s   hw code 0x%04X   hw sub code 0x%04X   hw version 0x%04X   "
               "sw version 0x%04X   page size %u\n"),
             i, chip != NULL ? chip : "?", entry->hw_code, entry->hw_sub_code,
             entry->hw_version, entry->sw_version, entry->page_size);
    {
      const char *head[] = { _("Region"), _("Offset"), _("Length"), _("Address"), _("Signature") };

      sf_cli_print_row (region_widths, head, G_N_ELEMENTS (head));
    }
    for (guint r = 0; r < entry->n_regions; r++) {
      const SfDaRegion *region = &entry->regions[r];
      g_autofree char *label = g_strdup_printf ("%u %s", r, region_label (r));
      g_autofree char *offset = g_strdup_printf ("0x%X", region->offset);
      g_autofree char *length = g_strdup_printf ("0x%X", region->length);
      g_autofree char *address = g_strdup_printf ("0x%08X", region->address);

      g_autofree char *signature = region->sig_length > 0 ? g_strdup_printf ("0x%X", region->sig_length) : g_strdup ("-");
      const char *row[] = { label, offset, length, address, signature };

      sf_cli_print_row (region_widths, row, G_N_ELEMENTS (row));
    }
  }
}

int
sf_cli_da (int    argc,
           char **argv)
{
  gboolean json = FALSE;
  g_auto(GStrv) args = NULL;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the entries as JSON on stdout"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &args, NULL, NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("FILE"));
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(SfDaFile) da = NULL;

  g_option_context_set_summary (context,
                                _("Show what a download agent (DA) file such as MTK_AllInOne_DA.bin holds: "
                                  "its identifier and, for each chip, the versions it needs and where its "
                                  "DA1 and DA2 are."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!sf_cli_parse_options (context, "da", &argc, &argv))
    return SF_EXIT_USAGE;
  if (args == NULL || args[0] == NULL)
    return sf_cli_usage_error ("da", _("give a DA file, such as MTK_AllInOne_DA.bin"));
  if (args[1] != NULL)
    return sf_cli_usage_error ("da", _("give one DA file, not %u"), g_strv_length (args));

  file = g_file_new_for_commandline_arg (args[0]);
  da = sf_da_file_new (file, NULL, &error);
  if (da == NULL)
    return sf_cli_report_error (error);

  if (json) {
    g_autoptr(JsonNode) root = da_file_to_json (da);

    sf_cli_print_json (root);
  } else {
    print_text (da);
  }
  return SF_EXIT_OK;
}
