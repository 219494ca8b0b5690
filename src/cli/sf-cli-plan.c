/* sf-cli-plan.c — `scatterflash-cli plan`: what a scene would do
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n.h>

#include "sf-cli-common.h"
#include "sf-plan.h"
#include "sf-units.h"

static JsonNode *
plan_to_json (SfPlan *plan)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  SfFirmware *firmware = sf_plan_get_firmware (plan);
  SfScatter *scatter = sf_firmware_get_scatter (firmware);
  SfLayout *layout = sf_plan_get_layout (plan);

  json_builder_begin_object (b);
  sf_cli_json_string (b, "scene", sf_scene_to_string (sf_plan_get_scene (plan)));
  sf_cli_json_string (b, "firmware", sf_firmware_get_display_name (firmware));
  sf_cli_json_string (b, "platform", sf_scatter_get_platform (scatter));
  sf_cli_json_string (b, "storage", layout->storage);

  json_builder_set_member_name (b, "steps");
  json_builder_begin_array (b);
  for (guint i = 0; i < sf_plan_get_n_steps (plan); i++) {
    const SfPlanStep *step = sf_plan_get_step (plan, i);
    const char *path = step->partition && step->image
                         ? sf_firmware_get_image_path (firmware, step->partition) : NULL;

    json_builder_begin_object (b);
    sf_cli_json_uint (b, "index", i);
    sf_cli_json_string (b, "kind", sf_step_kind_to_string (step->kind));
    sf_cli_json_string (b, "partition", step->partition ? step->partition->name : NULL);
    sf_cli_json_string (b, "region", step->region);
    sf_cli_json_uint (b, "address", step->address);
    sf_cli_json_uint (b, "length", step->length);
    sf_cli_json_uint (b, "bytes", step->transfer_bytes);
    sf_cli_json_string (b, "file", path);
    sf_cli_json_string (b, "image_kind", step->image ? sf_image_kind_to_string (step->image->kind) : NULL);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);

  sf_cli_json_uint (b, "total_bytes", sf_plan_get_total_bytes (plan));
  sf_cli_json_issues (b, "warnings", sf_plan_get_warnings (plan));
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void print_text (SfPlan *plan);

/* The columns of a plan: #, step, partition, region, address, length, bytes, image. */
static const int plan_widths[] = { 3, -10, -16, -17, -14, -12, 14, 0 };

void
sf_cli_print_plan (SfPlan   *plan,
                   gboolean  json)
{
  if (json) {
    g_autoptr(JsonNode) root = plan_to_json (plan);

    sf_cli_print_json (root);
  } else {
    sf_cli_print_issues (sf_plan_get_warnings (plan));
    print_text (plan);
  }
}

static void
print_text (SfPlan *plan)
{
  SfFirmware *firmware = sf_plan_get_firmware (plan);
  SfScatter *scatter = sf_firmware_get_scatter (firmware);
  SfLayout *layout = sf_plan_get_layout (plan);
  guint64 total = sf_plan_get_total_bytes (plan);
  g_autofree char *total_text = sf_format_size (total);
  const char *platform = sf_scatter_get_platform (scatter);
  const char *head[] = { "#", _("Step"), _("Partition"), _("Region"), _("Address"), _("Length"), _("Bytes"), "" };
  g_autofree char *image_head = g_strdup_printf (" %s", _("Image"));

  g_print (_("Scene: %s\n"), sf_scene_get_title (sf_plan_get_scene (plan)));
  g_print (_("Firmware: %s (%s, %s)\n"), sf_firmware_get_display_name (firmware),
           platform ? platform : "?", layout->storage ? layout->storage : "?");
  head[G_N_ELEMENTS (head) - 1] = image_head;
  g_print ("\n");
  sf_cli_print_row (plan_widths, head, G_N_ELEMENTS (head));

  for (guint i = 0; i < sf_plan_get_n_steps (plan); i++) {
    const SfPlanStep *step = sf_plan_get_step (plan, i);
    g_autofree char *address = g_strdup_printf ("0x%" PRIx64 "", step->address);
    g_autofree char *length = step->length ? sf_format_size (step->length) : g_strdup (_("device"));
    g_autofree char *image = NULL;

    if (step->image != NULL)
      image = g_strdup_printf ("%s (%s)", step->partition->file_name ? step->partition->file_name
                                                                    : sf_firmware_get_image_path (firmware, step->partition),
                               sf_image_kind_to_string (step->image->kind));

    {
      g_autofree char *number = g_strdup_printf ("%u", i + 1);
      g_autofree char *bytes = g_strdup_printf ("%" PRIu64, step->transfer_bytes);
      g_autofree char *last = g_strdup_printf (" %s", image ? image : "");
      const char *row[] = {
        number, sf_step_kind_to_string (step->kind), step->partition ? step->partition->name : _("(all)"),
        step->region ? step->region : "-", step->partition ? address : "-", length, bytes, last,
      };

      sf_cli_print_row (plan_widths, row, G_N_ELEMENTS (row));
    }
  }
  g_print (g_dngettext (GETTEXT_PACKAGE, "\nTotal: %" PRIu64 " bytes (%s) over the link in %u step\n",
                        "\nTotal: %" PRIu64 " bytes (%s) over the link in %u steps\n", sf_plan_get_n_steps (plan)),
           total, total_text, sf_plan_get_n_steps (plan));
}

int
sf_cli_plan (int    argc,
             char **argv)
{
  g_autofree char *scene_text = NULL;
  g_autofree char *partitions_text = NULL;
  g_autofree char *storage = NULL;
  gboolean json = FALSE;
  g_auto(GStrv) args = NULL;
  g_auto(GStrv) partitions = NULL;
  const GOptionEntry entries[] = {
    { "scene", 0, 0, G_OPTION_ARG_STRING, &scene_text,
      N_("download-only, firmware-upgrade, format-all-download, format or readback"), N_("SCENE") },
    { "partitions", 0, 0, G_OPTION_ARG_STRING, &partitions_text,
      N_("Comma-separated partitions to tick (default: every image the scene writes)"), N_("A,B,…") },
    { "storage", 0, 0, G_OPTION_ARG_STRING, &storage,
      N_("Layout of a combo (V2) scatter: EMMC or UFS (default: the first)"), N_("STORAGE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the plan as JSON on stdout"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &args, NULL, NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("FIRMWARE"));
  g_autoptr(GError) error = NULL;
  g_autoptr(SfFirmware) firmware = NULL;
  g_autoptr(SfPlan) plan = NULL;
  SfScene scene;

  g_option_context_set_summary (context,
                                _("Print, before any phone is connected, what a scene will do: the ordered steps, "
                                  "the partitions, and the exact bytes. FIRMWARE is a scatter file, "
                                  "a firmware folder or a firmware archive."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!sf_cli_parse_options (context, "plan", &argc, &argv))
    return SF_EXIT_USAGE;

  if (scene_text == NULL)
    return sf_cli_usage_error ("plan", _("--scene is required"));
  if (!sf_scene_from_string (scene_text, &scene))
    return sf_cli_usage_error ("plan", _("unknown scene “%s”: use download-only, firmware-upgrade, "
                                         "format-all-download, format or readback"), scene_text);
  if (args == NULL || args[0] == NULL)
    return sf_cli_usage_error ("plan", _("give the firmware: a scatter file, a folder or an archive"));
  if (args[1] != NULL)
    return sf_cli_usage_error ("plan", _("give one firmware, not %u"), g_strv_length (args));
  if (partitions_text != NULL) {
    partitions = sf_cli_split_list (partitions_text);
    if (partitions[0] == NULL)
      return sf_cli_usage_error ("plan", _("--partitions names no partition"));
  }

  firmware = sf_cli_open_firmware (args[0], &error);
  if (firmware == NULL)
    return sf_cli_report_error (error);
  if (!sf_scatter_check (sf_firmware_get_scatter (firmware), &error))
    return sf_cli_report_error (error);

  plan = sf_plan_new (firmware, storage, scene, (const char * const *) partitions, &error);
  if (plan == NULL)
    return sf_cli_report_error (error);

  sf_cli_print_plan (plan, json);
  return SF_EXIT_OK;
}
