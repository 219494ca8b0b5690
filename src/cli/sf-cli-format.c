/* sf-cli-format.c — `format`: erase partitions, a range, or the whole flash
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n.h>

#include "sf-cli-common.h"
#include "sf-cli-phone.h"

int
sf_cli_format (int    argc,
               char **argv)
{
  g_auto(SfCliPhoneOptions) o = { 0 };
  g_auto(GStrv) args = NULL;
  g_auto(GStrv) partitions = NULL;
  g_autofree char *partitions_text = NULL;
  g_autofree char *region = NULL;
  g_autofree char *start_text = NULL;
  g_autofree char *length_text = NULL;
  g_autofree char *backup_dir = NULL;
  gboolean auto_format = FALSE, include_calibration = FALSE, whole_flash = FALSE, yes = FALSE;
  const GOptionEntry entries[] = {
    { "auto", 0, 0, G_OPTION_ARG_NONE, &auto_format,
      N_("Erase every partition of FIRMWARE but the bootloaders and the phone's calibration"), NULL },
    { "include-calibration", 0, 0, G_OPTION_ARG_NONE, &include_calibration,
      N_("With --auto: erase the calibration (NVRAM, PROTECT…) too, after backing it up"), NULL },
    { "partitions", 0, 0, G_OPTION_ARG_STRING, &partitions_text,
      N_("Erase these partitions of FIRMWARE (calibration ones are backed up first)"), N_("A,B,…") },
    { "whole-flash", 0, 0, G_OPTION_ARG_NONE, &whole_flash,
      N_("Erase everything: boot areas and the whole user area (needs --yes)"), NULL },
    { "yes", 0, 0, G_OPTION_ARG_NONE, &yes, N_("Confirm --whole-flash"), NULL },
    { "region", 0, 0, G_OPTION_ARG_STRING, &region, N_("Manual: EMMC_USER, EMMC_BOOT_1 or EMMC_BOOT_2"), N_("R") },
    { "start", 0, 0, G_OPTION_ARG_STRING, &start_text, N_("Manual: first byte (hex 0x… or decimal)"), N_("A") },
    { "length", 0, 0, G_OPTION_ARG_STRING, &length_text, N_("Manual: how many bytes"), N_("L") },
    { "backup-dir", 0, 0, G_OPTION_ARG_FILENAME, &backup_dir,
      N_("Where calibration is backed up (default: ~/.local/share/scatterflash/backups)"), N_("DIR") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &args, NULL, NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("[FIRMWARE]"));
  g_autoptr(SfPlan) plan = NULL;
  g_autoptr(SfFirmware) firmware = NULL;
  g_autoptr(SfDaFile) da_file = NULL;
  gboolean manual;
  guint how_many;
  guint manual_part = 0;
  guint64 manual_start = 0, manual_length = 0;
  SfFlashJob *job;
  SfBromMode mode;
  int status;

  g_option_context_set_summary (context,
                                _("Erase a phone in download mode: the partitions of a firmware (--auto, "
                                  "--partitions), the whole flash (--whole-flash --yes), or a range "
                                  "(--region --start --length). The phone's calibration is backed up before "
                                  "anything could erase it."));
  if ((status = sf_cli_parse_phone_command (context, "format", entries, &o, &argc, &argv, &mode)) != SF_EXIT_OK)
    return status;

  manual = region != NULL || start_text != NULL || length_text != NULL;
  how_many = (auto_format ? 1 : 0) + (partitions_text != NULL ? 1 : 0) + (whole_flash ? 1 : 0) + (manual ? 1 : 0);
  if (how_many != 1)
    return sf_cli_usage_error ("format", _("choose one of --auto, --partitions, --whole-flash or --region/--start/--length"));
  if (include_calibration && !auto_format)
    return sf_cli_usage_error ("format", _("--include-calibration goes with --auto"));
  if (whole_flash && !yes)
    return sf_cli_usage_error ("format", _("--whole-flash erases the bootloader and the phone's calibration too; "
                                           "add --yes if that is what you want"));
  if (args != NULL && args[0] != NULL && args[1] != NULL)
    return sf_cli_usage_error ("format", _("give at most one firmware"));
  if ((auto_format || partitions_text != NULL) && (args == NULL || args[0] == NULL))
    return sf_cli_usage_error ("format", _("--auto and --partitions need the FIRMWARE whose partitions to erase"));
  if (manual &&
      (status = sf_cli_parse_range ("format", region, start_text, length_text,
                                    &manual_part, &manual_start, &manual_length)) != SF_EXIT_OK)
    return status;

  if (auto_format || partitions_text != NULL) {
    g_autoptr(GError) error = NULL;

    firmware = sf_cli_open_firmware (args[0], &error);
    if (firmware == NULL)
      return sf_cli_report_error (error);
    if (partitions_text != NULL && (partitions = sf_cli_split_list (partitions_text))[0] == NULL)
      return sf_cli_usage_error ("format", _("--partitions names no partition"));
    if (include_calibration)
      partitions = sf_layout_list_erasable (sf_scatter_get_layout (sf_firmware_get_scatter (firmware), 0));
    g_clear_object (&firmware);
    if ((status = sf_cli_open_plan ("format", args[0], SF_SCENE_FORMAT, (const char * const *) partitions,
                             &plan, &firmware)) != SF_EXIT_OK)
      return status;
  }

  if (o.dry_run) {
    g_autofree char *what = whole_flash ? g_strdup (_("format the whole flash: EMMC_BOOT_1, EMMC_BOOT_2 and EMMC_USER"))
                          : manual ? g_strdup_printf (_("format %s 0x%" PRIx64 " + 0x%" PRIx64 ""),
                                                      region, manual_start, manual_length)
                          : NULL;

    return sf_cli_print_dry_run (&o, plan, what);
  }

  if ((status = sf_cli_choose_da (&o, firmware, &da_file)) != SF_EXIT_OK)
    return status;
  if ((status = sf_cli_new_phone_job (&o, da_file, mode, &job)) != SF_EXIT_OK)
    return status;
  if (backup_dir != NULL) {
    g_autoptr(GFile) dir = g_file_new_for_commandline_arg (backup_dir);

    sf_flash_job_set_backup_dir (job, dir);
  }

  if (plan != NULL) {
    sf_flash_job_set_plan (job, plan);
  } else if (whole_flash) {
    sf_flash_job_add_erase (job, SF_EMMC_PART_USER, 0, 0);
    sf_flash_job_add_erase (job, SF_EMMC_PART_BOOT1, 0, 0);
    sf_flash_job_add_erase (job, SF_EMMC_PART_BOOT2, 0, 0);
  } else {
    sf_flash_job_add_erase (job, manual_part, manual_start, manual_length);
  }

  status = sf_cli_run_job (job, o.json, NULL);
  if (status == SF_EXIT_OK && !o.json)
    g_printerr (_("Done: erased.\n"));
  return status;
}

