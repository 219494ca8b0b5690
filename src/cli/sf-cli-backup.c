/* sf-cli-backup.c — `backup` and `restore`: a whole phone to a folder and back
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A backup folder is a firmware folder: NAME.bin per partition, a scatter
 * file that names them (SP Flash Tool loads it too) and manifest.ini with
 * the size and SHA-256 of every file, checked before a restore writes
 * anything.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sf-cli-common.h"
#include "sf-cli-phone.h"
#include "sf-cli-progress.h"
#include "sf-da.h"
#include "sf-da-file.h"
#include "sf-flash-job.h"
#include "sf-manifest.h"
#include "sf-output-file.h"
#include "sf-placement.h"
#include "sf-scatter-writer.h"

#define MANIFEST_GROUP "backup"

/* ---- shared ------------------------------------------------------------------ */

/* A partition name that is also a safe file name: no folders, no dot files. */
static gboolean
name_is_file_safe (const char *name)
{
  return *name != '\0' && *name != '.' && strchr (name, '/') == NULL && strchr (name, '\\') == NULL;
}

/* ---- backup ------------------------------------------------------------------ */

/* Every partition with a place and a size of its own; says why the others
 * are left out, and adds their names to @skipped. */
static GPtrArray *
backup_partitions (SfLayout  *layout,
                   gboolean   quiet,
                   GPtrArray *skipped)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();

  for (guint i = 0; i < layout->partitions->len; i++) {
    SfPartition *part = g_ptr_array_index (layout->partitions, i);
    const char *why = NULL;

    if (*part->name == '\0')
      continue;
    if (part->end_relative)
      why = _("its address is counted from the end of the storage");
    else if (!part->has_size || part->size == 0)
      why = _("it has no size of its own (it runs to the end of the storage)");
    else if (!name_is_file_safe (part->name))
      why = _("its name cannot be a file name");

    if (why == NULL) {
      g_ptr_array_add (parts, part);
      continue;
    }
    if (!quiet)
      g_printerr (_("Skipping %s: %s\n"), part->name, why);
    g_ptr_array_add (skipped, part->name);
  }
  return g_steal_pointer (&parts);
}

/* D must be new or empty, unless --force. */
static int
check_output_dir (GFile    *dir,
                  gboolean  force)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileEnumerator) children = NULL;
  g_autoptr(GFileInfo) first = NULL;
  g_autofree char *name = g_file_get_parse_name (dir);
  GFileType type = g_file_query_file_type (dir, G_FILE_QUERY_INFO_NONE, NULL);

  if (type == G_FILE_TYPE_UNKNOWN)
    return SF_EXIT_OK;
  if (type != G_FILE_TYPE_DIRECTORY) {
    sf_set_error_at (&error, SF_ERROR_OUTPUT_EXISTS, name, 0,
                     _("choose a folder that does not exist yet"), _("this is not a folder"));
    return sf_cli_report_error (error);
  }
  children = g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME, G_FILE_QUERY_INFO_NONE, NULL, &error);
  if (children == NULL)
    return sf_cli_report_error (error);
  first = g_file_enumerator_next_file (children, NULL, &error);
  if (error != NULL)
    return sf_cli_report_error (error);
  if (first != NULL && !force) {
    sf_set_error_at (&error, SF_ERROR_OUTPUT_EXISTS, name, 0,
                     _("choose an empty or new folder, or pass --force to replace the files in it"),
                     _("the folder is not empty; a backup never overwrites files silently"));
    return sf_cli_report_error (error);
  }
  return SF_EXIT_OK;
}

static gboolean
write_manifest (GFile       *dir,
                SfFirmware  *firmware,
                GPtrArray   *parts,
                const char  *scatter_name,
                gboolean     force,
                GError     **error)
{
  g_autoptr(SfManifest) manifest = sf_manifest_new ();
  g_autoptr(GFile) file = g_file_get_child (dir, SF_MANIFEST_NAME);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format_iso8601 (now);
  SfScatter *scatter = sf_firmware_get_scatter (firmware);
  g_autofree char *data = NULL;
  gsize len = 0;

  sf_manifest_set_info (manifest, MANIFEST_GROUP, "scatter", scatter_name);
  sf_manifest_set_info (manifest, MANIFEST_GROUP, "source", sf_firmware_get_display_name (firmware));
  sf_manifest_set_info (manifest, MANIFEST_GROUP, "platform", sf_scatter_get_platform (scatter));
  sf_manifest_set_info (manifest, MANIFEST_GROUP, "created", stamp);
  for (guint i = 0; i < parts->len; i++) {
    SfPartition *part = g_ptr_array_index (parts, i);
    g_autofree char *base = g_strconcat (part->name, ".bin", NULL);
    g_autoptr(GFile) image = g_file_get_child (dir, base);

    if (!sf_manifest_add_file_from_disk (manifest, part->name, image, part->start, NULL, error))
      return FALSE;
  }
  data = sf_manifest_to_data (manifest, &len);
  return sf_output_file_write_contents (file, data, len, force, NULL, error);
}

static gboolean
write_scatter (SfScatterWriter  *writer,
               GFile            *file,
               gboolean          force,
               GError          **error)
{
  g_autoptr(GBytes) text = sf_scatter_writer_to_bytes (writer);
  gsize len = 0;
  const char *data = g_bytes_get_data (text, &len);

  return sf_output_file_write_contents (file, data, len, force, NULL, error);
}

/* No FIRMWARE: the phone's own partition table names the partitions, and
 * the job writes the scatter of what it read. */
static int
backup_by_phone_table (SfCliPhoneOptions       *o,
                       SfBromMode               mode,
                       const char              *output_dir,
                       gboolean                 force)
{
  g_autoptr(GFile) dir = g_file_new_for_commandline_arg (output_dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(SfDaFile) da_file = NULL;
  g_autoptr(SfFirmware) written = NULL;
  g_autoptr(GPtrArray) parts = NULL;
  g_autofree char *scatter_name = NULL;
  SfLayout *layout;
  SfFlashJob *job;
  int status;

  if ((status = check_output_dir (dir, force)) != SF_EXIT_OK)
    return status;
  if (o->dry_run) {
    g_autofree char *what = g_strdup_printf (_("backup of the boot area and every partition of the phone's own "
                                               "table to %s"), output_dir);

    return sf_cli_print_dry_run (o, NULL, what);
  }
  if (!g_file_make_directory_with_parents (dir, NULL, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    return sf_cli_report_error (error);
  g_clear_error (&error);

  if ((status = sf_cli_choose_da (o, NULL, &da_file)) != SF_EXIT_OK)
    return status;
  if ((status = sf_cli_new_phone_job (o, da_file, mode, &job)) != SF_EXIT_OK)
    return status;
  sf_flash_job_set_force_output (job, force);
  sf_flash_job_set_table_backup (job, dir);
  status = sf_cli_run_job (job, o->json, NULL);
  if (status != SF_EXIT_OK)
    return status;

  /* The folder is now a firmware: describe it in the manifest. */
  written = sf_firmware_open (dir, NULL, &error);
  if (written == NULL) {
    g_printerr ("scatterflash-cli: %s\n", error->message);
    return SF_EXIT_FAILED;
  }
  layout = sf_scatter_get_layout (sf_firmware_get_scatter (written), 0);
  parts = g_ptr_array_new ();
  for (guint i = 0; i < layout->partitions->len; i++)
    g_ptr_array_add (parts, g_ptr_array_index (layout->partitions, i));
  scatter_name = g_path_get_basename (sf_scatter_get_display_name (sf_firmware_get_scatter (written)));
  if (!write_manifest (dir, written, parts, scatter_name, force, &error)) {
    g_printerr ("scatterflash-cli: %s\n", error->message);
    return SF_EXIT_FAILED;
  }
  if (!o->json) {
    g_autofree char *name = g_file_get_parse_name (dir);

    g_printerr (g_dngettext (GETTEXT_PACKAGE, "Done: %u partition backed up in %s, named by the phone's own table.\n",
                             "Done: %u partitions backed up in %s, named by the phone's own table.\n", parts->len),
                parts->len, name);
  }
  return SF_EXIT_OK;
}

int
sf_cli_backup (int    argc,
               char **argv)
{
  g_auto(SfCliPhoneOptions) o = { 0 };
  g_autofree char *output_dir = NULL;
  g_auto(GStrv) args = NULL;
  gboolean force = FALSE;
  const GOptionEntry entries[] = {
    { "output-dir", 0, 0, G_OPTION_ARG_FILENAME, &output_dir,
      N_("The folder for the backup (created; must be empty)"), N_("DIR") },
    { "force", 0, 0, G_OPTION_ARG_NONE, &force, N_("Write into a folder that is not empty, replacing files"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &args, NULL, N_("FIRMWARE") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("FIRMWARE"));
  g_autoptr(GError) error = NULL;
  g_autoptr(SfFirmware) firmware = NULL;
  g_autoptr(SfPlan) plan = NULL;
  g_autoptr(SfDaFile) da_file = NULL;
  g_autoptr(GPtrArray) parts = NULL;
  g_autoptr(GPtrArray) plan_names = NULL;
  g_autoptr(GPtrArray) skipped = NULL;
  g_autoptr(SfScatterWriter) writer = NULL;
  g_autoptr(GFile) dir = NULL;
  g_autoptr(GFile) scatter_file = NULL;
  g_autofree char *scatter_name = NULL;
  SfScatter *scatter;
  SfLayout *layout;
  SfFlashJob *job;
  SfBromMode mode;
  int status;

  g_option_context_set_summary (context,
                                _("Read every partition of a phone in download mode into DIR/NAME.bin and "
                                  "write a scatter file next to them, so that this tool or SP Flash Tool "
                                  "can put the phone back as it was (see `restore`). FIRMWARE (scatter "
                                  "file, folder or archive) says where the partitions are; without it, "
                                  "the phone's own partition table does."));
  if ((status = sf_cli_parse_phone_command (context, "backup", entries, &o, &argc, &argv, &mode)) != SF_EXIT_OK)
    return status;
  if (output_dir == NULL)
    return sf_cli_usage_error ("backup", _("--output-dir is required"));
  if (args != NULL && args[0] != NULL && args[1] != NULL)
    return sf_cli_usage_error ("backup", _("give at most one firmware"));
  if (args == NULL || args[0] == NULL)
    return backup_by_phone_table (&o, mode, output_dir, force);

  firmware = sf_cli_open_firmware (args[0], &error);
  if (firmware == NULL)
    return sf_cli_report_error (error);
  scatter = sf_firmware_get_scatter (firmware);
  if (!sf_scatter_check (scatter, &error))
    return sf_cli_report_error (error);
  layout = sf_scatter_get_layout (scatter, 0);
  skipped = g_ptr_array_new ();
  parts = backup_partitions (layout, o.json, skipped);
  if (parts->len == 0) {
    sf_set_error_at (&error, SF_ERROR_NOTHING_SELECTED, sf_scatter_get_display_name (scatter), 0,
                     _("use a scatter file that gives the partitions' addresses and sizes"),
                     _("no partition has a place and a size of its own"));
    return sf_cli_report_error (error);
  }

  dir = g_file_new_for_commandline_arg (output_dir);
  if ((status = check_output_dir (dir, force)) != SF_EXIT_OK)
    return status;

  /* The scatter is made (and read back) before the phone is touched. */
  writer = sf_scatter_writer_new (scatter, layout);
  for (guint i = 0; i < parts->len; i++) {
    SfPartition *part = g_ptr_array_index (parts, i);
    g_autofree char *base = g_strconcat (part->name, ".bin", NULL);

    sf_scatter_writer_set_image (writer, part->name, base);
  }
  {
    g_autoptr(GBytes) text = sf_scatter_writer_to_bytes (writer);
    g_autoptr(SfScatter) again = sf_scatter_new_from_data (g_bytes_get_data (text, NULL), g_bytes_get_size (text),
                                                           "generated scatter", &error);

    if (again == NULL || !sf_scatter_check (again, &error))
      return sf_cli_report_error (error);
  }

  /* Partitions in the boot areas are read from the phone as a whole boot
   * area: a V1.1.1 PRELOADER's size is the whole boot reservation
   * (BOOT1 + BOOT2 + RPMB), larger than the phone's BOOT1. The rest is a
   * readback plan. */
  plan_names = g_ptr_array_new ();
  {
    g_autoptr(GPtrArray) boot_reads = g_ptr_array_new ();

    for (guint i = 0; i < parts->len; i++) {
      SfPartition *part = g_ptr_array_index (parts, i);
      guint emmc_part = SF_EMMC_PART_USER;
      guint64 offset = 0;

      if (sf_placement_find (scatter, layout, part, 0, &emmc_part, &offset, NULL) &&
          emmc_part != SF_EMMC_PART_USER)
        g_ptr_array_add (boot_reads, part);
      else
        g_ptr_array_add (plan_names, part->name);
    }
    g_ptr_array_add (plan_names, NULL);

    if (plan_names->len > 1) {
      plan = sf_plan_new (firmware, NULL, SF_SCENE_READBACK, (const char * const *) plan_names->pdata, &error);
      if (plan == NULL)
        return sf_cli_report_error (error);
      sf_cli_print_issues (sf_plan_get_warnings (plan));
    }

    if (!g_file_make_directory_with_parents (dir, NULL, &error) &&
        !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
      return sf_cli_report_error (error);
    g_clear_error (&error);

    if (o.dry_run) {
      g_autofree char *what = g_strdup_printf (_("backup of the boot areas and every listed partition to %s"),
                                               output_dir);

      return sf_cli_print_dry_run (&o, plan, what);
    }
    if ((status = sf_cli_choose_da (&o, firmware, &da_file)) != SF_EXIT_OK)
      return status;
    if ((status = sf_cli_new_phone_job (&o, da_file, mode, &job)) != SF_EXIT_OK)
      return status;
    sf_flash_job_set_force_output (job, force);
    if (plan != NULL)
      sf_flash_job_set_plan (job, plan);
    for (guint i = 0; i + 1 < plan_names->len; i++) {
      const char *name = g_ptr_array_index (plan_names, i);
      g_autofree char *base = g_strconcat (name, ".bin", NULL);
      g_autoptr(GFile) file = g_file_get_child (dir, base);

      sf_flash_job_set_readback_file (job, name, file);
    }
    for (guint i = 0; i < boot_reads->len; i++) {
      SfPartition *part = g_ptr_array_index (boot_reads, i);
      g_autofree char *base = g_strconcat (part->name, ".bin", NULL);
      g_autoptr(GFile) file = g_file_get_child (dir, base);
      guint emmc_part = 0;
      guint64 offset = 0;

      sf_placement_find (scatter, layout, part, 0, &emmc_part, &offset, NULL);
      sf_flash_job_add_read (job, emmc_part, offset, 0, file);
    }
  }

  status = sf_cli_run_job (job, o.json, NULL);
  if (status != SF_EXIT_OK)
    return status;

  scatter_name = sf_scatter_writer_get_default_name (writer);
  scatter_file = g_file_get_child (dir, scatter_name);
  if (!write_manifest (dir, firmware, parts, scatter_name, force, &error) ||
      !write_scatter (writer, scatter_file, force, &error)) {
    g_printerr ("scatterflash-cli: %s\n", error->message);
    return SF_EXIT_FAILED;
  }
  if (!o.json) {
    g_autofree char *name = g_file_get_parse_name (dir);

    g_printerr (g_dngettext (GETTEXT_PACKAGE, "Done: %u partition backed up in %s.\n",
                             "Done: %u partitions backed up in %s.\n", parts->len), parts->len, name);
    /* A backup that leaves something out says so where people look. */
    if (skipped->len > 0) {
      g_autoptr(GString) list = g_string_new (NULL);

      for (guint i = 0; i < skipped->len; i++)
        g_string_append_printf (list, "%s%s", i > 0 ? ", " : "", (const char *) g_ptr_array_index (skipped, i));
      g_printerr (_("Not in this backup: %s (see above why); read them with `readback --region` if you need them.\n"),
                  list->str);
    }
    {
      gboolean boot2 = FALSE;

      for (guint i = 0; i < parts->len; i++)
        boot2 |= g_strcmp0 (((SfPartition *) g_ptr_array_index (parts, i))->region, "EMMC_BOOT_2") == 0;
      if (!boot2)
        g_printerr (_("Not in this backup: the EMMC_BOOT_2 area, which the scatter file does not list.\n"));
    }
  }
  return SF_EXIT_OK;
}

/* ---- restore ----------------------------------------------------------------- */

/* Every image of the backup against manifest.ini, before anything is sent. */
static gboolean
check_manifest (SfFirmware  *firmware,
                GFile       *dir,
                GPtrArray   *names,
                GError     **error)
{
  g_autoptr(SfManifest) manifest = NULL;
  g_autoptr(GFile) file = g_file_get_child (dir, SF_MANIFEST_NAME);
  g_autofree char *manifest_name = g_file_get_parse_name (file);
  g_autofree char *path = g_file_get_path (file);
  g_autoptr(GError) local_error = NULL;
  SfLayout *layout = sf_scatter_get_layout (sf_firmware_get_scatter (firmware), 0);

  if (path != NULL)
    manifest = sf_manifest_load (dir, &local_error);
  if (manifest == NULL) {
    sf_set_error_at (error, SF_ERROR_IMAGE_MISSING, manifest_name, 0,
                     _("restore reads folders made by `backup`, which have one"),
                     _("cannot read the backup's manifest: %s"),
                     local_error != NULL ? local_error->message : _("not a local file"));
    return FALSE;
  }

  for (guint i = 0; i < layout->partitions->len; i++) {
    SfPartition *part = g_ptr_array_index (layout->partitions, i);
    g_autoptr(GInputStream) in = NULL;
    g_autofree char *want = NULL;
    g_autofree char *got = NULL;
    const char *image_name;
    guint64 want_size = 0, got_size = 0;

    if (part->file_name == NULL)
      continue;
    image_name = sf_firmware_get_image_path (firmware, part);
    if (image_name == NULL)
      image_name = part->file_name;
    if (!sf_manifest_lookup (manifest, part->name, &want_size, &want, NULL)) {
      sf_set_error_at (error, SF_ERROR_IMAGE_INVALID, manifest_name, 0,
                       _("use the folder as `backup` wrote it"),
                       _("%s is not in the manifest"), part->name);
      return FALSE;
    }
    in = sf_firmware_open_image (firmware, part, NULL, error);
    if (in == NULL)
      return FALSE;
    got = sf_manifest_hash_stream (in, &got_size, NULL, error);
    if (got == NULL)
      return FALSE;
    if (got_size != want_size || g_ascii_strcasecmp (got, want) != 0) {
      sf_set_error_at (error, SF_ERROR_IMAGE_INVALID, image_name, 0,
                       _("the backup is damaged: restore it from another copy"),
                       _("the file differs from the backup's manifest (size or SHA-256); nothing was written"));
      return FALSE;
    }
    g_ptr_array_add (names, part->name);
  }
  return TRUE;
}

int
sf_cli_restore (int    argc,
                char **argv)
{
  g_auto(SfCliPhoneOptions) o = { 0 };
  g_auto(GStrv) args = NULL;
  gboolean no_verify = FALSE;
  gboolean force_preloader = FALSE;
  const GOptionEntry entries[] = {
    { "no-verify", 0, 0, G_OPTION_ARG_NONE, &no_verify, N_("Do not read the partitions back to compare"), NULL },
    { "force-preloader", 0, 0, G_OPTION_ARG_NONE, &force_preloader,
      N_("Write the backup's preloader even if it is built for another board than the phone's"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &args, NULL, N_("DIR") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("DIR"));
  g_autoptr(GError) error = NULL;
  g_autoptr(SfFirmware) firmware = NULL;
  g_autoptr(SfPlan) plan = NULL;
  g_autoptr(SfDaFile) da_file = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GFile) dir = NULL;
  SfFlashJob *job;
  SfBromMode mode;
  int status;

  g_option_context_set_summary (context,
                                _("Write a folder made by `backup` back to a phone in download mode: every "
                                  "partition it holds, bootloader and calibration included, each checked "
                                  "against the backup's manifest first and read back after writing."));
  if ((status = sf_cli_parse_phone_command (context, "restore", entries, &o, &argc, &argv, &mode)) != SF_EXIT_OK)
    return status;
  if (args == NULL || args[0] == NULL || args[1] != NULL)
    return sf_cli_usage_error ("restore", _("give one folder made by `backup`"));

  dir = g_file_new_for_commandline_arg (args[0]);
  if (g_file_query_file_type (dir, G_FILE_QUERY_INFO_NONE, NULL) != G_FILE_TYPE_DIRECTORY)
    return sf_cli_usage_error ("restore", _("“%s” is not a folder made by `backup`"), args[0]);
  firmware = sf_cli_open_firmware (args[0], &error);
  if (firmware == NULL)
    return sf_cli_report_error (error);
  if (!sf_scatter_check (sf_firmware_get_scatter (firmware), &error))
    return sf_cli_report_error (error);
  if (!check_manifest (firmware, dir, names, &error))
    return sf_cli_report_error (error);
  if (names->len == 0) {
    sf_set_error_at (&error, SF_ERROR_NOTHING_SELECTED, sf_firmware_get_display_name (firmware), 0,
                     _("restore reads folders made by `backup`"), _("the backup holds no partition"));
    return sf_cli_report_error (error);
  }
  g_ptr_array_add (names, NULL);

  plan = sf_plan_new (firmware, NULL, SF_SCENE_DOWNLOAD_ONLY, (const char * const *) names->pdata, &error);
  if (plan == NULL)
    return sf_cli_report_error (error);
  /* The plan warns about every calibration partition it is told to write,
   * as it should for a firmware; for a backup one sentence says it. */
  {
    g_autoptr(GStrvBuilder) calibration = g_strv_builder_new ();
    g_auto(GStrv) list = NULL;

    for (guint i = 0; i < sf_plan_get_n_steps (plan); i++) {
      const SfPlanStep *step = sf_plan_get_step (plan, i);

      if (step->partition != NULL && sf_partition_is_calibration (step->partition))
        g_strv_builder_add (calibration, step->partition->name);
    }
    list = g_strv_builder_end (calibration);
    if (list[0] != NULL && !o.json) {
      g_autofree char *joined = g_strjoinv (", ", list);

      g_printerr (_("This restores the phone's own calibration too (%s): restore a backup only to the phone "
                    "it was made from.\n"), joined);
    }
  }

  if (o.dry_run)
    return sf_cli_print_dry_run (&o, plan, NULL);
  if ((status = sf_cli_choose_da (&o, firmware, &da_file)) != SF_EXIT_OK)
    return status;
  if ((status = sf_cli_new_phone_job (&o, da_file, mode, &job)) != SF_EXIT_OK)
    return status;
  sf_flash_job_set_plan (job, plan);
  sf_flash_job_set_verify (job, !no_verify);
  sf_flash_job_set_force_preloader (job, force_preloader);
  status = sf_cli_run_job (job, o.json, NULL);
  if (status == SF_EXIT_OK && !o.json)
    g_printerr (no_verify ? _("Done: the backup is written back.\n")
                          : _("Done: the backup is written back and verified.\n"));
  return status;
}
