/* sf-cli-device.c — `info`, `download` and `readback`: the commands that talk to a phone
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n.h>
#include <string.h>

#include "sf-cli-common.h"
#include "sf-units.h"
#include "sf-cli-phone.h"
#include "sf-cli-progress.h"
#include "sf-da-file.h"
#include "sf-flash-job.h"
#include "sf-output-file.h"

/* ---- info ------------------------------------------------------------------- */

static void
print_device_json (const SfDeviceInfo *d)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  sf_cli_json_string (b, "chip", d->chip);
  sf_cli_json_uint (b, "hw_code", d->hw_code);
  sf_cli_json_uint (b, "hw_sub_code", d->hw_sub_code);
  sf_cli_json_uint (b, "hw_version", d->hw_ver);
  sf_cli_json_uint (b, "sw_version", d->sw_ver);
  sf_cli_json_string (b, "mode", d->is_brom ? "brom" : "preloader");
  sf_cli_json_string (b, "storage", d->storage);
  sf_cli_json_uint (b, "boot1_size", d->boot1_size);
  sf_cli_json_uint (b, "boot2_size", d->boot2_size);
  sf_cli_json_uint (b, "rpmb_size", d->rpmb_size);
  sf_cli_json_uint (b, "user_size", d->user_size);
  sf_cli_json_uint (b, "ram_size", d->ram_size);
  /* The phone's own partition table; [] for a phone that has none, left
   * out when it could not be read. */
  if (d->table != NULL) {
    json_builder_set_member_name (b, "partitions");
    json_builder_begin_array (b);
    for (guint i = 0; i < sf_partition_table_get_n_entries (d->table); i++) {
      const SfPartitionTableEntry *e = sf_partition_table_get_entry (d->table, i);

      json_builder_begin_object (b);
      sf_cli_json_string (b, "name", e->name);
      sf_cli_json_uint (b, "offset", e->offset);
      sf_cli_json_uint (b, "size", e->size);
      json_builder_end_object (b);
    }
    json_builder_end_array (b);
  }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  sf_cli_print_json (root);
}

static void
print_partition_table (const SfPartitionTable *table)
{
  if (table == NULL) {
    g_print (_("Partition table: cannot be read\n"));
    return;
  }
  if (sf_partition_table_is_empty (table)) {
    g_print (_("Partition table: none (the phone was never flashed with a layout)\n"));
    return;
  }
  g_print (_("Partition table (user-area offsets):\n"));
  for (guint i = 0; i < sf_partition_table_get_n_entries (table); i++) {
    const SfPartitionTableEntry *e = sf_partition_table_get_entry (table, i);
    g_autofree char *size = sf_cli_format_size (e->size);

    g_print ("  %-12s 0x%010" PRIx64 "  0x%010" PRIx64 "  %s\n",
             e->name, e->offset, e->size, size);
  }
}

int
sf_cli_info (int    argc,
             char **argv)
{
  g_auto(SfCliPhoneOptions) o = { 0 };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(SfDaFile) da_file = NULL;
  g_autoptr(SfDeviceInfo) device = NULL;
  SfFlashJob *job;
  SfBromMode mode;
  int status;

  g_option_context_set_summary (context,
                                _("Connect to a phone in download mode and say what it is: chip, hw code, "
                                  "BootROM or preloader, the sizes of its eMMC partitions and "
                                  "the partition table (PMT) stored on it."));
  if ((status = sf_cli_parse_phone_command (context, "info", NULL, &o, &argc, &argv, &mode)) != SF_EXIT_OK)
    return status;
  if (argc > 1)
    return sf_cli_usage_error ("info", _("info takes no arguments"));

  if ((status = sf_cli_choose_da (&o, NULL, &da_file)) != SF_EXIT_OK)
    return status;
  if ((status = sf_cli_resolve_port (&o, &mode)) != SF_EXIT_OK)
    return status;
  job = sf_flash_job_new (o.port, da_file);
  sf_cli_apply_emi_from (job, &o);
  sf_flash_job_set_mode (job, mode);
  /* Events go to stderr; the answer is the one document on stdout. */
  status = sf_cli_run_job (job, FALSE, &device);
  if (status == SF_EXIT_OK && device != NULL) {
    if (o.json) {
      print_device_json (device);
    } else {
      g_autofree char *boot1 = sf_cli_format_size (device->boot1_size);
      g_autofree char *boot2 = sf_cli_format_size (device->boot2_size);
      g_autofree char *user = sf_cli_format_size (device->user_size);

      g_print (_("Chip: %s\nHW code: 0x%04x\nMode: %s\nStorage: %s\nBoot1: %s\nBoot2: %s\nUser: %s (%" PRIu64 " bytes)\n"),
               device->chip ? device->chip : "?", device->hw_code,
               device->is_brom ? "BootROM" : "preloader",
               device->storage ? device->storage : "?", boot1, boot2, user, device->user_size);
      print_partition_table (device->table);
    }
  }
  return status;
}

/* ---- download / readback ---------------------------------------------------- */

/* Opens the firmware once: for the plan, and for the DA it may ship. */
static int
open_plan (const char          *command,
           const char          *firmware_path,
           SfScene              scene,
           const char * const  *partitions,
           SfPlan             **out_plan,
           SfFirmware         **out_firmware)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SfFirmware) firmware = NULL;

  firmware = sf_cli_open_firmware (firmware_path, &error);
  if (firmware == NULL)
    return sf_cli_report_error (error);
  if (!sf_scatter_check (sf_firmware_get_scatter (firmware), &error))
    return sf_cli_report_error (error);
  *out_plan = sf_plan_new (firmware, NULL, scene, partitions, &error);
  if (*out_plan == NULL)
    return sf_cli_report_error (error);
  sf_cli_print_issues (sf_plan_get_warnings (*out_plan));
  *out_firmware = g_steal_pointer (&firmware);
  return SF_EXIT_OK;
}

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

  if ((status = open_plan ("download", args[0], scene,
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
  if ((status = sf_cli_resolve_port (&o, &mode)) != SF_EXIT_OK)
    return status;
  job = sf_flash_job_new (o.port, da_file);
  sf_cli_apply_emi_from (job, &o);
  sf_flash_job_set_mode (job, mode);
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

static gboolean
parse_region (const char *text,
              guint      *out_part)
{
  *out_part = sf_emmc_part_from_region (text);
  return *out_part != 0;
}

/* --region/--start/--length of format and readback; 0 when fine, else the
 * usage error's exit status. */
static int
parse_manual_range (const char *command,
                    const char *region,
                    const char *start_text,
                    const char *length_text,
                    guint      *part,
                    guint64    *start,
                    guint64    *length)
{
  g_autoptr(GError) error = NULL;

  if (region == NULL || !parse_region (region, part))
    return sf_cli_usage_error (command, _("--region must be EMMC_USER, EMMC_BOOT_1 or EMMC_BOOT_2"));
  if (length_text == NULL)
    return sf_cli_usage_error (command, _("--length is required with --region: how many bytes"));
  if (!sf_cli_parse_number ("--start", start_text ? start_text : "0", TRUE, start, &error) ||
      !sf_cli_parse_number ("--length", length_text, TRUE, length, &error))
    return sf_cli_usage_error (command, "%s", error->message);
  if (*length == 0)
    return sf_cli_usage_error (command, _("--length must not be 0"));
  if (*start > G_MAXINT64 - *length)
    return sf_cli_usage_error (command, _("--start plus --length is too large"));
  if (*start % SF_EMMC_SECTOR != 0 || *length % SF_EMMC_SECTOR != 0)
    return sf_cli_usage_error (command, _("eMMC works in whole 512-byte sectors: --start and --length "
                                          "must be multiples of 512"));
  return SF_EXIT_OK;
}

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
      (status = parse_manual_range ("readback", region, start_text, length_text,
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
    if ((status = open_plan ("readback", args[0], SF_SCENE_READBACK, names, &plan, &firmware)) != SF_EXIT_OK)
      return status;
  }
  if (o.dry_run) {
    g_autofree char *what = manual ? g_strdup_printf (_("readback %s 0x%" PRIx64 " + 0x%" PRIx64 " → %s"),
                                                      region, start, length, output) : NULL;

    return sf_cli_print_dry_run (&o, plan, what);
  }

  if ((status = sf_cli_choose_da (&o, firmware, &da_file)) != SF_EXIT_OK)
    return status;
  if ((status = sf_cli_resolve_port (&o, &mode)) != SF_EXIT_OK)
    return status;
  job = sf_flash_job_new (o.port, da_file);
  sf_cli_apply_emi_from (job, &o);
  sf_flash_job_set_mode (job, mode);
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

/* ---- format ------------------------------------------------------------------- */

/* Every partition an "include calibration" auto format erases: all but
 * the bootloaders, the reserved tail and what has no place of its own. */
static GStrv
all_but_bootloaders (SfFirmware *firmware)
{
  SfLayout *layout = sf_scatter_get_layout (sf_firmware_get_scatter (firmware), 0);
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();

  for (guint i = 0; i < layout->partitions->len; i++) {
    SfPartition *part = g_ptr_array_index (layout->partitions, i);

    if (part->operation == SF_OPERATION_BOOTLOADERS || part->operation == SF_OPERATION_RESERVED ||
        part->end_relative || !part->has_size || part->size == 0 || *part->name == '\0')
      continue;
    g_strv_builder_add (names, part->name);
  }
  return g_strv_builder_end (names);
}

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
      (status = parse_manual_range ("format", region, start_text, length_text,
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
      partitions = all_but_bootloaders (firmware);
    g_clear_object (&firmware);
    if ((status = open_plan ("format", args[0], SF_SCENE_FORMAT, (const char * const *) partitions,
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
  if ((status = sf_cli_resolve_port (&o, &mode)) != SF_EXIT_OK)
    return status;
  job = sf_flash_job_new (o.port, da_file);
  sf_cli_apply_emi_from (job, &o);
  sf_flash_job_set_mode (job, mode);
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
