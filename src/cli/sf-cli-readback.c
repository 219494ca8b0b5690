/* sf-cli-readback.c — `readback`: read partitions or a range of a phone into files
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
#include "sf-output-file.h"

int
sf_cli_readback (int    argc,
                 char **argv)
{
  g_auto(SfCliPhoneOptions) o = { 0 };
  g_autofree char *partition = NULL;
  g_autofree char *output = NULL;
  g_autofree char *region = NULL;
  g_autofree char *start_text = NULL;
  g_autofree char *length_text = NULL;
  g_auto(GStrv) args = NULL;
  gboolean force = FALSE;
  const GOptionEntry entries[] = {
    { "partition", 0, 0, G_OPTION_ARG_STRING, &partition, N_("The partition to read, by its scatter name"), N_("NAME") },
    { "output", 0, 0, G_OPTION_ARG_FILENAME, &output, N_("Where to write it"), N_("FILE") },
    { "force", 0, 0, G_OPTION_ARG_NONE, &force, N_("Replace the output file if it exists (a file only: never a device, FIFO or folder)"), NULL },
    { "region", 0, 0, G_OPTION_ARG_STRING, &region,
      N_("Instead of a partition: EMMC_USER, EMMC_BOOT_1 or EMMC_BOOT_2"), N_("R") },
    { "start", 0, 0, G_OPTION_ARG_STRING, &start_text, N_("With --region: first byte (0x… or decimal)"), N_("A") },
    { "length", 0, 0, G_OPTION_ARG_STRING, &length_text, N_("With --region: how many bytes"), N_("L") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &args, NULL, NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("[FIRMWARE]"));
  g_autoptr(SfPlan) plan = NULL;
  g_autoptr(SfFirmware) firmware = NULL;
  g_autoptr(SfDaFile) da_file = NULL;
  g_autoptr(GFile) out = NULL;
  const char *names[2] = { NULL, NULL };
  gboolean manual;
  guint part = 0;
  guint64 start = 0, length = 0;
  SfFlashJob *job;
  SfBromMode mode;
  int status;

  g_option_context_set_summary (context,
                                _("Read one partition of a phone in download mode into a file: by its name "
                                  "in FIRMWARE (scatter file, folder or archive), or a range with "
                                  "--region --start --length."));
  if ((status = sf_cli_parse_phone_command (context, "readback", entries, &o, &argc, &argv, &mode)) != SF_EXIT_OK)
    return status;

  manual = region != NULL || start_text != NULL || length_text != NULL;
  if (output == NULL)
    return sf_cli_usage_error ("readback", _("--output is required"));
  if (manual == (partition != NULL))
    return sf_cli_usage_error ("readback", _("give --partition NAME, or --region, --start and --length"));
  if (args != NULL && args[0] != NULL && args[1] != NULL)
    return sf_cli_usage_error ("readback", _("give at most one firmware"));
  if (!manual && (args == NULL || args[0] == NULL))
    return sf_cli_usage_error ("readback", _("--partition needs the FIRMWARE whose scatter says where it is"));
  if (manual &&
      (status = sf_cli_parse_range ("readback", region, start_text, length_text,
                                    &part, &start, &length)) != SF_EXIT_OK)
    return status;

  /* Refused before the phone is touched; the job checks again when it
   * writes, as the file may appear meanwhile. */
  out = g_file_new_for_commandline_arg (output);
  {
    g_autoptr(GError) error = NULL;

    /* A dry run may name a folder that is made later. */
    if (!sf_output_file_check (out, force, &error) &&
        !(o.dry_run && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)))
      return sf_cli_report_error (error);
  }

  if (!manual) {
    names[0] = partition;
    if ((status = sf_cli_open_plan ("readback", args[0], SF_SCENE_READBACK, names, &plan, &firmware)) != SF_EXIT_OK)
      return status;
  }
  if (o.dry_run) {
    g_autofree char *what = manual ? g_strdup_printf (_("readback %s 0x%" PRIx64 " + 0x%" PRIx64 " → %s"),
                                                      region, start, length, output) : NULL;

    return sf_cli_print_dry_run (&o, plan, what);
  }

  if ((status = sf_cli_choose_da (&o, firmware, &da_file)) != SF_EXIT_OK)
    return status;
  if ((status = sf_cli_new_phone_job (&o, da_file, mode, &job)) != SF_EXIT_OK)
    return status;
  sf_flash_job_set_force_output (job, force);
  if (manual) {
    sf_flash_job_add_read (job, part, start, length, out);
  } else {
    sf_flash_job_set_plan (job, plan);
    sf_flash_job_set_readback_file (job, partition, out);
  }
  status = sf_cli_run_job (job, o.json, NULL);
  if (status == SF_EXIT_OK && !o.json) {
    g_autofree char *name = g_file_get_parse_name (out);

    g_printerr (_("Done: %s written.\n"), name);
  }
  return status;
}
