/* sf-cli-scatter.c — `scatterflash-cli scatter`: print a partition map
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n.h>

#include "sf-cli-common.h"
#include "sf-units.h"

static const char *
format_name (SfScatter *scatter)
{
  if (sf_scatter_get_format (scatter) == SF_SCATTER_FORMAT_LEGACY)
    return "legacy";
  return sf_scatter_get_config_version (scatter);
}

static void
add_nullable_bool (JsonBuilder *b,
                   const char  *key,
                   gboolean     has,
                   gboolean     value)
{
  json_builder_set_member_name (b, key);
  if (has)
    json_builder_add_boolean_value (b, value);
  else
    json_builder_add_null_value (b);
}

static JsonNode *
scatter_to_json (SfScatter *scatter)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  GPtrArray *issues = sf_scatter_get_issues (scatter);

  json_builder_begin_object (b);
  sf_cli_json_string (b, "format", format_name (scatter));
  sf_cli_json_string (b, "platform", sf_scatter_get_platform (scatter));
  sf_cli_json_string (b, "project", sf_scatter_get_project (scatter));

  json_builder_set_member_name (b, "layouts");
  json_builder_begin_array (b);
  for (guint l = 0; l < sf_scatter_get_n_layouts (scatter); l++) {
    SfLayout *layout = sf_scatter_get_layout (scatter, l);

    json_builder_begin_object (b);
    sf_cli_json_string (b, "storage", layout->storage);
    json_builder_set_member_name (b, "partitions");
    json_builder_begin_array (b);
    for (guint i = 0; i < layout->partitions->len; i++) {
      SfPartition *part = g_ptr_array_index (layout->partitions, i);

      json_builder_begin_object (b);
      sf_cli_json_uint (b, "index", part->index);
      sf_cli_json_string (b, "name", part->name);
      sf_cli_json_string (b, "file_name", part->file_name);
      add_nullable_bool (b, "is_download", part->has_is_download, part->is_download);
      sf_cli_json_string (b, "type", part->type);
      sf_cli_json_string (b, "operation_type", part->operation_type);
      sf_cli_json_string (b, "region", part->region);
      add_nullable_bool (b, "is_reserved", part->has_is_reserved, part->is_reserved);
      sf_cli_json_uint (b, "start", part->start);
      if (part->has_size) {
        sf_cli_json_uint (b, "size", part->size);
      } else {
        json_builder_set_member_name (b, "size");
        json_builder_add_null_value (b);
      }
      sf_cli_json_uint (b, "line", part->line);
      json_builder_end_object (b);
    }
    json_builder_end_array (b);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);

  sf_cli_json_issues (b, "warnings", issues);

  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* The columns of a layout: #, downloaded, name, start, size, region, operation, file. */
static const int partition_widths[] = { 3, -1, -20, -18, -12, -18, -12, 0 };

static void
print_text (SfScatter  *scatter,
            SfFirmware *firmware)
{
  const char *project = sf_scatter_get_project (scatter);
  const char *platform = sf_scatter_get_platform (scatter);

  g_print (_("Scatter file: %s\n"), sf_scatter_get_display_name (scatter));
  g_print (_("Format: %s   Platform: %s   Project: %s\n"),
           format_name (scatter), platform ? platform : "?", project ? project : "?");

  for (guint l = 0; l < sf_scatter_get_n_layouts (scatter); l++) {
    SfLayout *layout = sf_scatter_get_layout (scatter, l);

    g_print ("\n");
    g_print (g_dngettext (GETTEXT_PACKAGE, "Storage: %s, %u partition\n", "Storage: %s, %u partitions\n",
                          layout->partitions->len), layout->storage ? layout->storage : "?",
             layout->partitions->len);
    {
      const char *head[] = { "#", "", _("Name"), _("Start"), _("Size"), _("Region"), _("Operation"), _("File") };

      sf_cli_print_row (partition_widths, head, G_N_ELEMENTS (head));
    }
    for (guint i = 0; i < layout->partitions->len; i++) {
      SfPartition *part = g_ptr_array_index (layout->partitions, i);
      g_autofree char *start = g_strdup_printf ("0x%" PRIx64 "", part->start);
      g_autofree char *size = part->has_size ? sf_format_size (part->size) : g_strdup ("-");
      g_autofree char *file = NULL;

      if (part->has_size && part->size == 0) {
        g_free (size);
        size = g_strdup (_("to end"));
      }
      if (firmware != NULL && part->file_name != NULL)
        file = g_strdup_printf ("%s [%s]", part->file_name,
                                sf_image_state_to_string (sf_firmware_get_image_state (firmware, part)));
      else
        file = g_strdup (part->file_name ? part->file_name : "-");

      {
        g_autofree char *index = g_strdup_printf ("%u", part->index);
        const char *row[] = {
          index, part->is_download ? "*" : "", part->name, start, size, part->region ? part->region : "-",
          part->operation_type ? part->operation_type : sf_operation_to_string (part->operation), file,
        };

        sf_cli_print_row (partition_widths, row, G_N_ELEMENTS (row));
      }
    }
  }
  g_print ("\n%s\n", _("* = downloaded by default (is_download: true)"));
}

int
sf_cli_scatter (int    argc,
                char **argv)
{
  gboolean json = FALSE;
  gboolean timing = FALSE;
  g_auto(GStrv) args = NULL;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the map as JSON on stdout"), NULL },
    { "timing", 0, 0, G_OPTION_ARG_NONE, &timing, N_("Print the parse time on stderr"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &args, NULL, NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("FILE|FOLDER|ARCHIVE"));
  g_autoptr(GError) error = NULL;
  g_autoptr(SfFirmware) firmware = NULL;
  g_autoptr(SfScatter) owned = NULL;
  SfScatter *scatter;
  gint64 t0, t1;

  g_option_context_set_summary (context,
                                _("Print the partition map of a MediaTek scatter file: every legacy, V1.x and V2.x "
                                  "format, from the file itself, a firmware folder or a firmware archive."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!sf_cli_parse_options (context, "scatter", &argc, &argv))
    return SF_EXIT_USAGE;
  if (args == NULL || args[0] == NULL)
    return sf_cli_usage_error ("scatter", _("give a scatter file, a firmware folder or an archive"));
  if (args[1] != NULL)
    return sf_cli_usage_error ("scatter", _("give one scatter file, not %u"), g_strv_length (args));

  t0 = g_get_monotonic_time ();
  if (sf_cli_is_package (args[0])) {
    firmware = sf_cli_open_firmware (args[0], &error);
    scatter = firmware ? sf_firmware_get_scatter (firmware) : NULL;
  } else {
    g_autoptr(GFile) file = g_file_new_for_commandline_arg (args[0]);

    owned = sf_scatter_new_from_file (file, NULL, &error);
    scatter = owned;
  }
  t1 = g_get_monotonic_time ();

  if (scatter == NULL)
    return sf_cli_report_error (error);
  if (!sf_scatter_check (scatter, &error))
    return sf_cli_report_error (error);

  if (timing)
    g_printerr (_("parse time: %.3f ms\n"), (double) (t1 - t0) / 1000.0);

  if (json) {
    g_autoptr(JsonNode) root = scatter_to_json (scatter);

    sf_cli_print_json (root);
  } else {
    sf_cli_print_issues (sf_scatter_get_issues (scatter));
    print_text (scatter, firmware);
  }
  return SF_EXIT_OK;
}
