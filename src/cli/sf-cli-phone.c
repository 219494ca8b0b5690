/* sf-cli-phone.c — what every command that talks to a phone shares
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "sf-cli-common.h"
#include "sf-cli-phone.h"
#include "sf-cli-progress.h"

void
sf_cli_phone_options_clear (SfCliPhoneOptions *o)
{
  g_free (o->port);
  g_free (o->virtual_dir);
  g_free (o->da);
  g_free (o->mode);
  g_free (o->emi_from);
  g_clear_object (&o->monitor);
}

void
sf_cli_apply_emi_from (SfFlashJob              *job,
                       const SfCliPhoneOptions *o)
{
  if (o->emi_from != NULL) {
    g_autoptr(GFile) file = g_file_new_for_commandline_arg (o->emi_from);

    sf_flash_job_set_emi_file (job, file);
  }
}

void
sf_cli_add_phone_entries (GOptionContext    *context,
                          SfCliPhoneOptions *o)
{
  const GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_FILENAME, &o->port,
      N_("The phone's port: auto (the default: wait for a phone to be plugged in), /dev/ttyACM0, "
         "usb:BUS-PORT (libusb, e.g. usb:1-2.3), or the virtual phone's /dev/pts/N"), N_("PORT") },
    { "virtual-dir", 0, 0, G_OPTION_ARG_FILENAME, &o->virtual_dir,
      N_("With --port auto: also take virtual phones announced in DIR (scatterflash-sim --announce DIR; "
         "default: $SCATTERFLASH_VIRTUAL_DIR)"), N_("DIR") },
    { "da", 0, 0, G_OPTION_ARG_FILENAME, &o->da,
      N_("Download agent file (default: one in the firmware folder or archive, else the bundled one)"), N_("FILE") },
    { "mode", 0, 0, G_OPTION_ARG_STRING, &o->mode,
      N_("auto, brom or preloader (default: auto)"), N_("MODE") },
    { "emi-from", 0, 0, G_OPTION_ARG_FILENAME, &o->emi_from,
      N_("A phone in BootROM mode: take its DRAM settings from this preloader (e.g. a backup of the phone's own) "
         "instead of the firmware's"), N_("FILE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &o->json, N_("Print one JSON event per line on stdout"), NULL },
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &o->dry_run, N_("Print what would be done and touch nothing"), NULL },
    { NULL }
  };
  /* In the main list, so that --help shows them. */
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
}

static gboolean
parse_mode (const char *text,
            SfBromMode *out)
{
  if (text == NULL || g_strcmp0 (text, "auto") == 0)
    *out = SF_BROM_MODE_AUTO;
  else if (g_strcmp0 (text, "brom") == 0)
    *out = SF_BROM_MODE_BROM;
  else if (g_strcmp0 (text, "preloader") == 0)
    *out = SF_BROM_MODE_PRELOADER;
  else
    return FALSE;
  return TRUE;
}

/* Checks the common options; returns 0 when fine, else the exit status. */
int
sf_cli_check_phone_options (const char              *command,
                            const SfCliPhoneOptions *o,
                            SfBromMode              *mode)
{
  if (o->port != NULL && *o->port == '\0')
    return sf_cli_usage_error (command, _("--port needs a value: auto, or the phone's /dev/ttyACM*"));
  if (o->port != NULL && g_strcmp0 (o->port, "auto") != 0 && g_file_test (o->port, G_FILE_TEST_IS_DIR))
    return sf_cli_usage_error (command, _("%s is a folder, not a phone's port — pass the tty, e.g. /dev/ttyACM0"),
                               o->port);
  if (!parse_mode (o->mode, mode))
    return sf_cli_usage_error (command, _("unknown mode “%s”: use auto, brom or preloader"), o->mode);
  return SF_EXIT_OK;
}

int
sf_cli_parse_phone_command (GOptionContext      *context,
                            const char          *command,
                            const GOptionEntry  *entries,
                            SfCliPhoneOptions   *o,
                            int                 *argc,
                            char              ***argv,
                            SfBromMode          *mode)
{
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  sf_cli_add_phone_entries (context, o);
  if (!sf_cli_parse_options (context, command, argc, argv))
    return SF_EXIT_USAGE;
  return sf_cli_check_phone_options (command, o, mode);
}

/* --da when given; else the DA that ships with @firmware (a file in its
 * folder or archive), when there is one; else the bundled one
 * (sf_da_file_choose()). A DA file that cannot be read is the user's input
 * to fix: say so (exit 2) before any phone is touched. */
int
sf_cli_choose_da (const SfCliPhoneOptions  *o,
                  SfFirmware               *firmware,
                  SfDaFile                **out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(SfDaFile) shipped = NULL;
  g_autoptr(SfDaFile) da = NULL;

  if (o->da != NULL) {
    file = g_file_new_for_commandline_arg (o->da);
  } else if (firmware != NULL) {
    shipped = sf_firmware_open_da (firmware, NULL, &error);
    if (shipped == NULL && error != NULL)
      return sf_cli_report_error (error);
  }
  da = sf_da_file_choose (file, shipped, &error);
  if (da == NULL)
    return sf_cli_report_error (error);

  if (!o->json)
    g_printerr (_("Download agent: %s\n"), sf_da_file_get_display_name (da));
  *out = g_steal_pointer (&da);
  return SF_EXIT_OK;
}

/* --dry-run: the plan, or a line per range, and nothing else. */
int
sf_cli_print_dry_run (const SfCliPhoneOptions *o,
                      SfPlan                  *plan,
                      const char              *what)
{
  if (plan != NULL)
    sf_cli_print_plan (plan, o->json);
  if (what != NULL)
    g_print ("%s\n", what);
  g_printerr (_("Dry run: nothing was sent to the phone.\n"));
  return SF_EXIT_OK;
}

int
sf_cli_run_job (SfFlashJob    *job,
                gboolean       json,
                SfDeviceInfo **out_device)
{
  g_autoptr(SfWorker) worker = sf_worker_new ();

  sf_worker_start (worker, "scatterflash-job", sf_flash_job_run, job, (GDestroyNotify) sf_flash_job_free);
  return sf_cli_run_worker (worker, json, out_device);
}

int
sf_cli_new_phone_job (SfCliPhoneOptions  *o,
                      SfDaFile           *da_file,
                      SfBromMode          mode,
                      SfFlashJob        **out_job)
{
  int status = sf_cli_resolve_port (o, &mode);

  if (status != SF_EXIT_OK)
    return status;
  *out_job = sf_flash_job_new (o->port, da_file);
  sf_cli_apply_emi_from (*out_job, o);
  sf_flash_job_set_mode (*out_job, mode);
  return SF_EXIT_OK;
}

