/* sf-cli-download.c — `download`: write a firmware to a phone
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "sf-cli-common.h"
#include "sf-cli-phone.h"

static void
on_check_image (const char *image_name,
                guint       index,
                guint       n,
                gpointer    user_data)
{
  if (!*(const gboolean *) user_data)
    g_printerr (_("Checking %s (%u of %u)\n"), image_name, index + 1, n);
}

/* Reads every image @plan writes, with its checks, before waiting for a
 * phone: a preloader waits for the handshake only a moment, and a damaged
 * firmware is the input's fault. The job finds them checked. */
static int
check_plan_images (SfPlan   *plan,
                   gboolean  verify,
                   gboolean  json)
{
  g_autoptr(GPtrArray) partitions = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < sf_plan_get_n_steps (plan); i++) {
    const SfPlanStep *step = sf_plan_get_step (plan, i);

    if (step->kind == SF_STEP_DOWNLOAD)
      g_ptr_array_add (partitions, step->partition);
  }
  if (!sf_firmware_check_images (sf_plan_get_firmware (plan), partitions, verify,
                                 on_check_image, &json, NULL, &error)) {
    int status = sf_cli_report_error (error);

    if (!json)
      g_printerr (_("Nothing was written to the phone.\n"));
    return status;
  }
  return SF_EXIT_OK;
}

int
sf_cli_download (int    argc,
                 char **argv)
{
  g_auto(SfCliPhoneOptions) o = { 0 };
  g_autofree char *partitions_text = NULL;
  g_auto(GStrv) args = NULL;
  g_auto(GStrv) partitions = NULL;
  g_autofree char *scene_text = NULL;
  g_autofree char *backup_dir = NULL;
  gboolean verify = FALSE;
  gboolean no_restore = FALSE;
  gboolean force_preloader = FALSE;
  gboolean watch = FALSE;
  g_autofree char *count_text = NULL;
  guint64 count = 0;
  SfScene scene = SF_SCENE_DOWNLOAD_ONLY;
  const GOptionEntry entries[] = {
    { "scene", 0, 0, G_OPTION_ARG_STRING, &scene_text,
      N_("download-only (default), firmware-upgrade or format-all-download"), N_("SCENE") },
    { "partitions", 0, 0, G_OPTION_ARG_STRING, &partitions_text,
      N_("Comma-separated partitions to write (default: every image the firmware has)"), N_("A,B,…") },
    { "verify", 0, 0, G_OPTION_ARG_NONE, &verify, N_("Read every written partition back and compare"), NULL },
    { "backup-dir", 0, 0, G_OPTION_ARG_FILENAME, &backup_dir,
      N_("Where the phone's calibration is backed up (default: ~/.local/share/scatterflash/backups)"), N_("DIR") },
    { "no-restore", 0, 0, G_OPTION_ARG_NONE, &no_restore,
      N_("Format All + Download: keep the backup but do not write the calibration back"), NULL },
    { "force-preloader", 0, 0, G_OPTION_ARG_NONE, &force_preloader,
      N_("Write the firmware's preloader even if it is built for another board than the phone's"), NULL },
    { "watch", 0, 0, G_OPTION_ARG_NONE, &watch,
      N_("Flash every phone that is plugged in, several at once, until Ctrl-C: one status line per phone"), NULL },
    { "count", 0, 0, G_OPTION_ARG_STRING, &count_text,
      N_("With --watch: stop once N phones are done"), N_("N") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &args, NULL, NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("FIRMWARE"));
  g_autoptr(SfPlan) plan = NULL;
  g_autoptr(SfFirmware) firmware = NULL;
  g_autoptr(SfDaFile) da_file = NULL;
  SfFlashJob *job;
  SfBromMode mode;
  int status;

  g_option_context_set_summary (context,
                                _("Write a firmware (scatter file, folder or archive) to a phone in download mode: "
                                  "Download Only, the partitions you name or every image the firmware has."));
  g_option_context_set_description (context,
                                    _("Without --port, or with --port auto, it waits for a phone: start the command "
                                      "first, then plug the phone in, switched off (hold volume-down for the "
                                      "BootROM).\n"
                                      "With --watch it flashes every phone that is plugged in, each on its own, until "
                                      "Ctrl-C (or --count N phones). Exit status with --watch: 0 when every phone "
                                      "flashed, 1 when one failed, 130 when Ctrl-C stopped a phone halfway.\n"
                                      "Exit status otherwise: 0 done, 1 failed, 2 bad input, 130 Ctrl-C."));
  if ((status = sf_cli_parse_phone_command (context, "download", entries, &o, &argc, &argv, &mode)) != SF_EXIT_OK)
    return status;
  if (watch && o.port != NULL && g_strcmp0 (o.port, "auto") != 0)
    return sf_cli_usage_error ("download", _("--watch takes the phones as they arrive: leave out --port"));
  if (count_text != NULL) {
    g_autoptr(GError) error = NULL;

    if (!sf_cli_parse_number ("--count", count_text, FALSE, &count, &error))
      return sf_cli_usage_error ("download", "%s", error->message);
    if (count > G_MAXUINT)
      return sf_cli_usage_error ("download", _("--count is too large"));
  }
  if ((count_text != NULL && count == 0) || (count > 0 && !watch))
    return sf_cli_usage_error ("download", _("--count N goes with --watch, and N is 1 or more"));
  if (args == NULL || args[0] == NULL || args[1] != NULL)
    return sf_cli_usage_error ("download", _("give one firmware: a scatter file, a folder or an archive"));
  if (partitions_text != NULL && (partitions = sf_cli_split_list (partitions_text))[0] == NULL)
    return sf_cli_usage_error ("download", _("--partitions names no partition"));
  if (scene_text != NULL &&
      (!sf_scene_from_string (scene_text, &scene) ||
       (scene != SF_SCENE_DOWNLOAD_ONLY && scene != SF_SCENE_FIRMWARE_UPGRADE &&
        scene != SF_SCENE_FORMAT_ALL_DOWNLOAD)))
    return sf_cli_usage_error ("download", _("unknown scene “%s”: use download-only, firmware-upgrade "
                                             "or format-all-download"), scene_text);

  if ((status = sf_cli_open_plan ("download", args[0], scene,
                           (const char * const *) partitions, &plan, &firmware)) != SF_EXIT_OK)
    return status;
  if (o.dry_run)
    return sf_cli_print_dry_run (&o, plan, NULL);

  if ((status = sf_cli_choose_da (&o, firmware, &da_file)) != SF_EXIT_OK ||
      (status = check_plan_images (plan, verify, o.json)) != SF_EXIT_OK)
    return status;
  if (watch) {
    g_autoptr(GFile) dir = backup_dir != NULL ? g_file_new_for_commandline_arg (backup_dir) : NULL;
    SfCliWatchJob spec = {
      .da_file = da_file,
      .plan = plan,
      .mode = mode,
      .mode_given = o.mode != NULL && g_strcmp0 (o.mode, "auto") != 0,
      .verify = verify,
      .restore = !no_restore,
      .force_preloader = force_preloader,
      .backup_dir = dir,
      .count = (guint) count,
    };

    return sf_cli_download_watch (&o, &spec);
  }
  if ((status = sf_cli_new_phone_job (&o, da_file, mode, &job)) != SF_EXIT_OK)
    return status;
  sf_flash_job_set_plan (job, plan);
  sf_flash_job_set_verify (job, verify);
  sf_flash_job_set_restore (job, !no_restore);
  sf_flash_job_set_force_preloader (job, force_preloader);
  if (backup_dir != NULL) {
    g_autoptr(GFile) dir = g_file_new_for_commandline_arg (backup_dir);

    sf_flash_job_set_backup_dir (job, dir);
  }
  status = sf_cli_run_job (job, o.json, NULL);
  if (status == SF_EXIT_OK && !o.json)
    g_printerr (verify ? _("Done: every partition written and verified.\n") : _("Done: every partition written.\n"));
  return status;
}
