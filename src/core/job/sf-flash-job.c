/* sf-flash-job.c — one session with a phone: connect, start the DA, run a plan
 *
 * This file holds the job, its events and the run; the connection is in
 * sf-flash-job-connect.c, the checks in sf-flash-job-checks.c, the
 * calibration's side in sf-flash-job-calibration.c.
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Runs on a worker thread only. Everything the user sees goes out as
 * SfEvents; every failure is a GError whose message names SP Flash Tool's
 * code, says what happened and what to do. */

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>

#include "sf-flash-job-private.h"
#include "sf-output-file.h"
#include "sf-placement.h"
#include "sf-scatter-writer.h"
#include "sf-units.h"

/* At most this often a progress event per step (the last one always goes). */
#define PROGRESS_INTERVAL_US (50 * 1000)

SfFlashJob *
sf_flash_job_new (const char *port,
                  SfDaFile   *da_file)
{
  SfFlashJob *self = g_new0 (SfFlashJob, 1);

  g_return_val_if_fail (port != NULL, NULL);
  g_return_val_if_fail (SF_IS_DA_FILE (da_file), NULL);

  self->port = g_strdup (port);
  self->da_file = g_object_ref (da_file);
  self->mode = SF_BROM_MODE_AUTO;
  self->restore = TRUE;
  self->backup_dir = g_file_new_build_filename (g_get_user_data_dir (), "scatterflash", "backups", NULL);
  self->readback_files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  return self;
}

SfFlashJob *
sf_flash_job_new_for_device (SfUsbDevice *device,
                             SfDaFile    *da_file)
{
  SfFlashJob *self;

  g_return_val_if_fail (SF_IS_USB_DEVICE (device), NULL);

  /* The port is known once the job runs; until then, the phone's id. */
  self = sf_flash_job_new (sf_usb_device_get_id (device), da_file);
  self->device = g_object_ref (device);
  return self;
}

void
sf_flash_job_free (SfFlashJob *self)
{
  if (self == NULL)
    return;
  g_free (self->port);
  g_clear_object (&self->device);
  g_clear_object (&self->da_file);
  g_clear_object (&self->plan);
  g_clear_pointer (&self->readback_files, g_hash_table_unref);
  g_clear_object (&self->backup_dir);
  g_clear_object (&self->raw);
  g_clear_object (&self->emi_file);
  g_clear_object (&self->emi_firmware);
  g_free (self);
}

/* The job's own steps, without a firmware: made on first use. */
static SfPlan *
raw_plan (SfFlashJob *self)
{
  if (self->raw == NULL)
    self->raw = sf_plan_new_raw ();
  return self->raw;
}

void
sf_flash_job_set_table_backup (SfFlashJob *self,
                               GFile      *dir)
{
  if (dir != NULL)
    sf_plan_add_table_backup (raw_plan (self), dir);
}

void
sf_flash_job_set_force_preloader (SfFlashJob *self,
                                  gboolean    force)
{
  self->force_preloader = force;
}

void
sf_flash_job_set_force_output (SfFlashJob *self,
                               gboolean    force)
{
  self->force_output = force;
}

void
sf_flash_job_set_emi_file (SfFlashJob *self,
                           GFile      *file)
{
  g_set_object (&self->emi_file, file);
}

void
sf_flash_job_set_emi_firmware (SfFlashJob *self,
                               SfFirmware *firmware)
{
  g_set_object (&self->emi_firmware, firmware);
}

void
sf_flash_job_add_erase (SfFlashJob *self,
                        guint       part,
                        guint64     offset,
                        guint64     length)
{
  sf_plan_add_raw_format (raw_plan (self), part, offset, length);
}

void
sf_flash_job_add_read (SfFlashJob *self,
                       guint       part,
                       guint64     offset,
                       guint64     length,
                       GFile      *file)
{
  sf_plan_add_raw_readback (raw_plan (self), part, offset, length, file);
}

void
sf_flash_job_set_backup_dir (SfFlashJob *self,
                             GFile      *dir)
{
  g_set_object (&self->backup_dir, dir);
}

void
sf_flash_job_set_restore (SfFlashJob *self,
                          gboolean    restore)
{
  self->restore = restore;
}

void
sf_flash_job_set_mode (SfFlashJob *self,
                       SfBromMode  mode)
{
  self->mode = mode;
}

void
sf_flash_job_set_plan (SfFlashJob *self,
                       SfPlan     *plan)
{
  g_set_object (&self->plan, plan);
}

void
sf_flash_job_set_verify (SfFlashJob *self,
                         gboolean    verify)
{
  self->verify = verify;
}

void
sf_flash_job_set_readback_file (SfFlashJob *self,
                                const char *partition,
                                GFile      *file)
{
  g_hash_table_replace (self->readback_files, g_ascii_strup (partition, -1), g_object_ref (file));
}

/* ---- events ------------------------------------------------------------- */

static void
post_step (SfFlashSession *s,
           SfEventKind     kind,
           const char     *what,
           guint64         total)
{
  SfEvent *event = sf_event_new (kind);

  event->step = s->step;
  event->partition = g_strdup (s->partition);
  event->message = g_strdup (what);
  event->total = total;
  event->done = kind == SF_EVENT_STEP_END ? total : 0;
  event->overall_done = s->overall_done;
  event->overall_total = s->overall_total;
  sf_worker_post (s->worker, event);
}

/* SfProgressFunc for the protocol calls: @done of @total for the current
 * step, which counts for s->step_bytes of the whole. */
void
sf_flash_session_on_progress (guint64  done,
                              guint64  total,
                              gpointer user_data)
{
  SfFlashSession *s = user_data;
  gint64 now = g_get_monotonic_time ();
  guint64 share;
  SfEvent *event;

  if (done < total && now - s->last_post_us < PROGRESS_INTERVAL_US)
    return;
  s->last_post_us = now;

  share = total > 0 ? (guint64) ((double) s->step_bytes * ((double) done / (double) total)) : 0;
  event = sf_event_new (SF_EVENT_PROGRESS);
  event->step = s->step;
  event->partition = g_strdup (s->partition);
  event->done = done;
  event->total = total;
  event->overall_done = s->overall_done + share;
  event->overall_total = s->overall_total;
  sf_worker_post (s->worker, event);
}

void
sf_flash_session_begin_step (SfFlashSession *s,
                             gint            step,
                             const char     *partition,
                             const char     *what,
                             guint64         bytes)
{
  s->step = step;
  s->partition = partition;
  s->step_bytes = bytes;
  s->last_post_us = 0;
  post_step (s, SF_EVENT_STEP_BEGIN, what, bytes);
}

void
sf_flash_session_end_step (SfFlashSession *s,
                           const char     *what)
{
  s->overall_done += s->step_bytes;
  post_step (s, SF_EVENT_STEP_END, what, s->step_bytes);
}

GInputStream *
sf_flash_session_open_image (SfFlashSession    *s,
                             const SfPlanStep  *step,
                             GCancellable      *cancellable,
                             GError           **error)
{
  return sf_firmware_open_image (sf_plan_get_firmware (s->job->plan), step->partition, cancellable, error);
}

/* ---- steps ------------------------------------------------------------------ */

static gboolean
run_download (SfFlashSession    *s,
              const SfPlanStep  *step,
              guint              part,
              guint64            offset,
              GCancellable      *cancellable,
              GError           **error)
{
  const SfDigest *digest = sf_firmware_get_image_digest (sf_plan_get_firmware (s->job->plan), step->partition);
  g_autoptr(GInputStream) file = NULL;
  g_autoptr(GInputStream) image = NULL;
  guint32 crc = 0;
  guint64 length = 0;
  gboolean ok;

  /* The plan refuses such an image; this is the last line before the
   * wire, so that no step ever writes past its partition. */
  if (step->length != 0 && step->image->data_size > step->length) {
    sf_set_device_error (error, SF_ERROR_IMAGE_TOO_LARGE,
                         _("the image of %s (%" PRIu64 " bytes) is larger than the partition (%" PRIu64 " bytes); nothing of it was written"),
                         step->partition->name, step->image->data_size, step->length);
    return FALSE;
  }
  file = sf_flash_session_open_image (s, step, cancellable, error);
  if (file == NULL)
    return FALSE;

  /* The bytes sent must be the bytes checked before the first write. */
  image = sf_crc_input_stream_new (file);
  if (step->image->kind == SF_IMAGE_KIND_SPARSE)
    ok = sf_da_write_sparse (s->da, part, offset, image, step->partition->file_name,
                             step->partition->size, sf_flash_session_on_progress, s, cancellable, error);
  else
    ok = sf_da_write (s->da, part, offset, image, step->image->file_size,
                      sf_flash_session_on_progress, s, cancellable, error);
  if (ok && digest != NULL &&
      (!sf_crc_input_stream_get_crc (SF_CRC_INPUT_STREAM (image), &crc, &length) ||
       !sf_digest_source_equal (digest, crc, length))) {
    sf_set_error_at (error, SF_ERROR_IMAGE_CHECKSUM, step->partition->file_name, 0,
                     _("the firmware changed on disk while it was written; open it again and download again"),
                     _("the image sent to partition %s is not the one checked before the download (S_CHKSUM_ERROR 1041)"),
                     step->partition->name);
    return FALSE;
  }
  return ok;
}

/* Reads @length bytes at @offset of @part into @target: under a temporary
 * name, renamed when complete, removed when not, so a failed readback never
 * leaves half a partition behind (sf-output-file.c). */
gboolean
sf_flash_session_read_to_file (SfFlashSession  *s,
                               guint            part,
                               guint64          offset,
                               guint64          length,
                               GFile           *target,
                               GCancellable    *cancellable,
                               GError         **error)
{
  g_autoptr(SfOutputFile) out = sf_output_file_new (target, s->job->force_output, error);

  return out != NULL &&
         sf_output_file_reserve (out, length, error) &&
         sf_da_read (s->da, part, offset, length, sf_output_file_get_stream (out),
                     sf_flash_session_on_progress, s, cancellable, error) &&
         sf_output_file_commit (out, cancellable, error);
}

static gboolean
run_readback (SfFlashSession    *s,
              const SfPlanStep  *step,
              guint              part,
              guint64            offset,
              GCancellable      *cancellable,
              GError           **error)
{
  g_autofree char *key = g_ascii_strup (step->partition->name, -1);
  GFile *target = g_hash_table_lookup (s->job->readback_files, key);

  if (target == NULL) {
    sf_set_device_error (error, SF_ERROR_FAILED, _("no output file for partition %s"), step->partition->name);
    return FALSE;
  }
  if (step->length == 0) {
    sf_set_device_error (error, SF_ERROR_UNSUPPORTED,
                         _("partition %s has no size in the scatter file"), step->partition->name);
    return FALSE;
  }
  /* A V1.1.1 PRELOADER's size is the whole boot reservation (12 MiB), more
   * than the phone's boot partition holds: read what the phone has. */
  if (part != SF_EMMC_PART_USER) {
    const SfDaInfo *da = sf_da_get_info (s->da);
    guint64 area = part == SF_EMMC_PART_BOOT1 ? da->emmc_boot1_size : da->emmc_boot2_size;

    if (offset < area)
      return sf_flash_session_read_to_file (s, part, offset, MIN (step->length, area - offset), target, cancellable, error);
  }
  return sf_flash_session_read_to_file (s, part, offset, step->length, target, cancellable, error);
}

/* The user area as the firmware addresses it: from its base (the scatter's
 * MBR) to the end of the phone's user area (§13.9). The two bases differ
 * when the firmware was made for an eMMC with other boot sizes. */
static guint64
user_span (SfFlashSession *s)
{
  guint64 end = sf_da_get_phone_user_base (s->da) + sf_da_get_info (s->da)->user_size;
  guint64 base = sf_da_get_user_base (s->da);

  return base < end ? end - base : 0;
}

/* SP Flash Tool's "Format All": the whole user area and both boot areas. */
static gboolean
run_format_all (SfFlashSession  *s,
                GCancellable    *cancellable,
                GError         **error)
{
  const SfDaInfo *da = sf_da_get_info (s->da);
  guint64 base = sf_da_get_user_base (s->da);
  gboolean ok;

  sf_worker_post_stage (s->worker, _("Erasing the whole flash"));
  /* The phone's whole user area, from where the phone starts it, whatever
   * the firmware's base. */
  sf_da_set_user_base (s->da, sf_da_get_phone_user_base (s->da));
  ok = sf_da_format (s->da, SF_EMMC_PART_USER, 0, da->user_size, sf_flash_session_on_progress, s, cancellable, error);
  sf_da_set_user_base (s->da, base);
  if (!ok)
    return FALSE;
  if (da->emmc_boot1_size > 0 &&
      !sf_da_format (s->da, SF_EMMC_PART_BOOT1, 0, da->emmc_boot1_size, sf_flash_session_on_progress, s, cancellable, error))
    return FALSE;
  /* "All" is BOOT1, BOOT2 and USER (protocol.md §13.10); RPMB never. */
  if (da->emmc_boot2_size > 0 &&
      !sf_da_format (s->da, SF_EMMC_PART_BOOT2, 0, da->emmc_boot2_size, sf_flash_session_on_progress, s, cancellable, error))
    return FALSE;
  return TRUE;
}

/* A partition of size 0 (MT6572's FAT) runs to the reserved tail at the
 * end of the user area, or to its very end (scatter-format.md §6.3, §6.4). */
static gboolean
run_to_end_length (SfFlashSession  *s,
                   SfPartition     *partition,
                   guint            part,
                   guint64          offset,
                   guint64         *out_length,
                   GError         **error)
{
  SfPlan *plan = s->job->plan;
  SfLayout *layout = sf_plan_get_layout (plan);
  SfScatter *scatter = sf_firmware_get_scatter (sf_plan_get_firmware (plan));
  guint64 end = user_span (s);

  if (part != SF_EMMC_PART_USER || partition->end_relative || !partition->has_size) {
    sf_set_device_error (error, SF_ERROR_UNSUPPORTED,
                         _("partition %s has no size in the scatter file"), partition->name);
    return FALSE;
  }
  for (guint i = partition->index + 1; i < layout->partitions->len; i++) {
    SfPartition *next = g_ptr_array_index (layout->partitions, i);
    guint next_part = 0;
    guint64 next_offset = 0;

    if (!next->end_relative)
      continue;
    if (!sf_placement_find (scatter, layout, next, end, &next_part, &next_offset, error))
      return FALSE;
    end = next_offset;
    break;
  }
  if (end <= offset) {
    sf_set_device_error (error, SF_ERROR_DA_INVALID_RANGE,
                         _("partition %s starts past the end of the phone's user area"), partition->name);
    return FALSE;
  }
  *out_length = end - offset;
  return TRUE;
}

/* A step of the firmware's plan. */
static gboolean
run_firmware_step (SfFlashSession  *s,
                   SfPlan          *plan,
                   guint            index,
                   GCancellable    *cancellable,
                   GError         **error)
{
  const SfPlanStep *step = sf_plan_get_step (plan, index);
  SfFirmware *firmware = sf_plan_get_firmware (plan);
  const char *kind = sf_step_kind_to_string (step->kind);
  guint part = 0;
  guint64 offset = 0;

  if (step->kind == SF_STEP_FORMAT_ALL) {
    sf_flash_session_begin_step (s, (gint) index, NULL, kind, 0);
    if (!run_format_all (s, cancellable, error))
      return FALSE;
    sf_flash_session_end_step (s, kind);
    return TRUE;
  }
  if (step->kind == SF_STEP_RESTORE && !s->job->restore) {
    sf_worker_post_log (s->worker, _("Not restoring %s, as asked; its backup is kept"), step->partition->name);
    s->overall_done += step->transfer_bytes;
    return TRUE;
  }

  if (!sf_placement_find (sf_firmware_get_scatter (firmware), sf_plan_get_layout (plan),
                                step->partition, user_span (s),
                                &part, &offset, error))
    return FALSE;

  if (step->kind == SF_STEP_DOWNLOAD && step->partition->operation == SF_OPERATION_BOOTLOADERS &&
      !sf_flash_session_check_preloader (s, step, part, cancellable, error))
    return FALSE;

  sf_flash_session_begin_step (s, (gint) index, step->partition->name, kind, step->transfer_bytes);
  switch (step->kind) {
  case SF_STEP_DOWNLOAD:
    if (!run_download (s, step, part, offset, cancellable, error))
      return FALSE;
    break;
  case SF_STEP_FORMAT: {
    guint64 length = step->length;

    if (length == 0 && !run_to_end_length (s, step->partition, part, offset, &length, error))
      return FALSE;
    if (!sf_da_format (s->da, part, offset, length, sf_flash_session_on_progress, s, cancellable, error))
      return FALSE;
    break;
  }
  case SF_STEP_READBACK:
    if (!run_readback (s, step, part, offset, cancellable, error))
      return FALSE;
    break;
  case SF_STEP_BACKUP: {
    const SfFlashMove *move = sf_flash_session_find_move (s, step->partition);

    /* A kept partition that moves is still at its old place, and goes
     * back at its new one. */
    if (!sf_flash_session_run_backup (s, step, part, move != NULL ? move->from : offset, cancellable, error))
      return FALSE;
    if (move != NULL)
      sf_calibration_set_target (s->calibration, step->partition->name, SF_EMMC_PART_USER, move->to);
    break;
  }
  case SF_STEP_RESTORE:
    if (!sf_flash_session_run_restore (s, step, part, offset, cancellable, error))
      return FALSE;
    break;
  case SF_STEP_FORMAT_ALL:
  default:
    g_assert_not_reached ();
  }
  sf_flash_session_end_step (s, kind);

  if (s->job->verify && step->kind == SF_STEP_DOWNLOAD) {
    sf_flash_session_begin_step (s, (gint) index, step->partition->name, "verify", step->transfer_bytes);
    if (!sf_flash_session_verify_download (s, step, part, offset, cancellable, error))
      return FALSE;
    sf_flash_session_end_step (s, "verify");
  }
  return TRUE;
}

/* An erase or a read of the phone's own range (SF_STEP_RAW_*). */
static gboolean
run_raw_step (SfFlashSession    *s,
              guint              index,
              const SfPlanStep  *erase,
              GCancellable      *cancellable,
              GError           **error)
{
  const SfDaInfo *da = sf_da_get_info (s->da);
  guint64 size = erase->part == SF_EMMC_PART_USER ? da->user_size :
                 erase->part == SF_EMMC_PART_BOOT1 ? da->emmc_boot1_size :
                 erase->part == SF_EMMC_PART_BOOT2 ? da->emmc_boot2_size : 0;
  guint64 length = erase->length != 0 ? erase->length : size - MIN (size, erase->offset);

  if (erase->offset >= size || length > size - erase->offset) {
    sf_set_device_error (error, SF_ERROR_DA_INVALID_RANGE,
                         _("0x%" PRIx64 " + 0x%" PRIx64 " is outside %s, which holds 0x%" PRIx64 " bytes"),
                         erase->offset, length, sf_emmc_part_to_region (erase->part), size);
    return FALSE;
  }
  if (erase->kind == SF_STEP_RAW_READBACK) {
    sf_flash_session_begin_step (s, (gint) index, sf_emmc_part_to_region (erase->part), "readback", length);
    if (!sf_flash_session_read_to_file (s, erase->part, erase->offset, length, erase->file, cancellable, error))
      return FALSE;
    sf_flash_session_end_step (s, "readback");
    return TRUE;
  }
  sf_flash_session_begin_step (s, (gint) index, sf_emmc_part_to_region (erase->part), "format", 0);
  if (!sf_da_format (s->da, erase->part, erase->offset, length, sf_flash_session_on_progress, s, cancellable, error))
    return FALSE;
  sf_flash_session_end_step (s, "format");
  return TRUE;
}

/* ---- a backup by the phone's own table --------------------------------------- */

static void
add_table_partition (SfLayout    *layout,
                     const char  *name,
                     const char  *type,
                     guint64      start,
                     guint64      size,
                     const char  *region,
                     SfOperation  operation)
{
  SfPartition *p = sf_partition_new ();

  g_free (p->name);
  p->name = g_strdup (name);
  p->index = layout->partitions->len;
  p->type = g_strdup (type);
  p->region = g_strdup (region);
  p->start = start;
  p->physical_start = start;
  p->has_physical_start = TRUE;
  p->size = size;
  p->has_size = TRUE;
  p->operation = operation;
  p->operation_type = g_strdup (sf_operation_to_string (operation));
  p->is_download = TRUE;
  p->has_is_download = TRUE;
  g_ptr_array_add (layout->partitions, p);
}

/* What was read, as a layout for a V1.1.2 scatter (addresses relative to
 * their region): the boot area as PRELOADER, then the phone's table. */
static SfLayout *
table_layout (SfFlashSession *s)
{
  const SfDaInfo *da = sf_da_get_info (s->da);
  SfLayout *layout = sf_layout_new ();

  layout->storage = g_strdup ("EMMC");
  layout->boot_channel = g_strdup ("MSDC_0");
  layout->block_size = 0x20000;
  add_table_partition (layout, "PRELOADER", "SV5_BL_BIN", 0, da->emmc_boot1_size, "EMMC_BOOT_1",
                       SF_OPERATION_BOOTLOADERS);
  for (guint i = 0; i < sf_partition_table_get_n_entries (s->table); i++) {
    const SfPartitionTableEntry *e = sf_partition_table_get_entry (s->table, i);
    SfOperation op = sf_operation_guess (e->name, TRUE);

    /* Every partition read here is to be written back by `restore`. */
    if (op != SF_OPERATION_PROTECTED && op != SF_OPERATION_BINREGION)
      op = SF_OPERATION_UPDATE;
    add_table_partition (layout, e->name, "NORMAL_ROM", e->offset, e->size, "EMMC_USER", op);
  }
  return layout;
}

static gboolean
run_table_backup (SfFlashSession  *s,
                  GFile           *dir,
                  GCancellable    *cancellable,
                  GError         **error)
{
  const SfDaInfo *da = sf_da_get_info (s->da);
  g_autoptr(SfLayout) layout = NULL;
  g_autoptr(SfScatterWriter) writer = NULL;
  g_autoptr(GBytes) text = NULL;
  g_autoptr(SfScatter) check = NULL;
  g_autofree char *scatter_name = NULL;
  g_autoptr(GFile) scatter = NULL;
  g_autoptr(GFile) preloader = g_file_get_child (dir, "PRELOADER.bin");

  if (s->table == NULL || sf_partition_table_is_empty (s->table)) {
    sf_set_device_error (error, SF_ERROR_UNSUPPORTED,
                         _("the phone has no partition table to name its partitions by; give the FIRMWARE whose scatter file describes it"));
    return FALSE;
  }

  sf_flash_session_begin_step (s, 0, "PRELOADER", "backup", da->emmc_boot1_size);
  if (!sf_flash_session_read_to_file (s, SF_EMMC_PART_BOOT1, 0, da->emmc_boot1_size, preloader, cancellable, error))
    return FALSE;
  sf_flash_session_end_step (s, "backup");
  for (guint i = 0; i < sf_partition_table_get_n_entries (s->table); i++) {
    const SfPartitionTableEntry *e = sf_partition_table_get_entry (s->table, i);
    g_autofree char *base = g_strconcat (e->name, ".bin", NULL);
    g_autoptr(GFile) file = g_file_get_child (dir, base);

    sf_flash_session_begin_step (s, (gint) i + 1, e->name, "backup", e->size);
    if (!sf_flash_session_read_to_file (s, SF_EMMC_PART_USER, e->offset, e->size, file, cancellable, error))
      return FALSE;
    sf_flash_session_end_step (s, "backup");
  }

  /* The scatter must read back as what it describes. */
  layout = table_layout (s);
  writer = sf_scatter_writer_new_for_layout (layout, sf_brom_get_info (s->brom)->chip->name, "scatterflash_backup");
  for (guint i = 0; i < layout->partitions->len; i++) {
    SfPartition *p = g_ptr_array_index (layout->partitions, i);
    g_autofree char *base = g_strconcat (p->name, ".bin", NULL);

    sf_scatter_writer_set_image (writer, p->name, base);
  }
  text = sf_scatter_writer_to_bytes (writer);
  scatter_name = sf_scatter_writer_get_default_name (writer);
  check = sf_scatter_new_from_data (g_bytes_get_data (text, NULL), g_bytes_get_size (text), scatter_name, error);
  if (check == NULL || !sf_scatter_check (check, error))
    return FALSE;
  scatter = g_file_get_child (dir, scatter_name);
  return g_file_replace_contents (scatter, g_bytes_get_data (text, NULL), g_bytes_get_size (text), NULL, FALSE,
                                  G_FILE_CREATE_NONE, NULL, cancellable, error);
}

/* One step of the job's one loop: of the firmware's plan, or of the job's
 * own (sf_plan_new_raw()). */
static gboolean
run_step (SfFlashSession  *s,
          SfPlan          *plan,
          guint            index,
          GCancellable    *cancellable,
          GError         **error)
{
  const SfPlanStep *step = sf_plan_get_step (plan, index);
  guint n_raw = 0;

  switch (step->kind) {
  case SF_STEP_RAW_FORMAT:
  case SF_STEP_RAW_READBACK:
    /* Numbered among the raw steps, after the table backups. */
    for (guint i = 0; i < index; i++)
      n_raw += sf_plan_get_step (plan, i)->kind != SF_STEP_TABLE_BACKUP;
    return run_raw_step (s, n_raw, step, cancellable, error);
  case SF_STEP_TABLE_BACKUP:
    return run_table_backup (s, step->file, cancellable, error);
  case SF_STEP_BACKUP:
  case SF_STEP_FORMAT:
  case SF_STEP_FORMAT_ALL:
  case SF_STEP_DOWNLOAD:
  case SF_STEP_RESTORE:
  case SF_STEP_READBACK:
  default:
    return run_firmware_step (s, plan, index, cancellable, error);
  }
}

/**
 * sf_flash_job_run:
 *
 * The #SfWorkerFunc of a flash job.
 */
gboolean
sf_flash_job_run (SfWorker      *worker,
                  gpointer       data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  SfFlashJob *job = data;
  SfFlashSession s = { 0 };
  guint n_plan = job->plan != NULL ? sf_plan_get_n_steps (job->plan) : 0;
  guint n_raw = job->raw != NULL ? sf_plan_get_n_steps (job->raw) : 0;
  gboolean ok = FALSE;

  s.worker = worker;
  s.job = job;
  s.step = -1;

  if (job->plan != NULL) {
    s.overall_total = sf_plan_get_total_bytes (job->plan);
    if (job->verify) {
      for (guint i = 0; i < sf_plan_get_n_steps (job->plan); i++) {
        const SfPlanStep *step = sf_plan_get_step (job->plan, i);

        if (step->kind == SF_STEP_DOWNLOAD)
          s.overall_total += step->transfer_bytes;
      }
    }
  }

  if (job->raw != NULL)
    s.overall_total += sf_plan_get_total_bytes (job->raw);

  s.moves = g_array_new (FALSE, FALSE, sizeof (SfFlashMove));
  if (job->plan != NULL && !sf_flash_session_check_images (&s, cancellable, error))
    goto out;
  if (job->device != NULL) {
    /* A phone that just arrived: its tty shows up a moment after it. */
    g_autofree char *port = sf_usb_device_wait_for_port (job->device, SF_FLASH_JOB_PORT_WAIT_MS,
                                                         cancellable, error);

    if (port == NULL)
      goto out;
    sf_worker_post_log (worker, _("Port %s ready %.1f ms after the phone arrived"), port,
                        (double) (g_get_monotonic_time () - sf_usb_device_get_arrival_time (job->device)) / 1000.0);
    g_free (job->port);
    job->port = g_steal_pointer (&port);
    if (job->mode == SF_BROM_MODE_AUTO)
      job->mode = sf_usb_device_get_mode (job->device);
  }
  if (!sf_flash_session_connect (&s, cancellable, error))
    goto out;
  if (!sf_flash_session_open_calibration (&s, cancellable, error))
    goto out;

  /* Every check that can refuse comes before the first write. */
  if (job->plan != NULL) {
    if (sf_plan_get_scene (job->plan) == SF_SCENE_DOWNLOAD_ONLY &&
        !sf_flash_session_check_download_only (&s, error))
      goto out;
    if (sf_plan_get_scene (job->plan) == SF_SCENE_FIRMWARE_UPGRADE &&
        !sf_flash_session_check_firmware_upgrade (&s, error))
      goto out;
    if (!sf_flash_session_check_table_fits (&s, error))
      goto out;
  }

  /* One loop over the steps: the firmware plan's, then the job's own (a
   * backup by the phone's table, raw reads and erases). */
  for (guint i = 0; i < n_plan + n_raw; i++) {
    gboolean own = i >= n_plan;
    SfPlan *plan = own ? job->raw : job->plan;
    guint index = own ? i - n_plan : i;
    const SfPlanStep *step = sf_plan_get_step (plan, index);

    /* The journal is written once every backup is on the host and
     * before the first step that changes the phone. */
    if (!own && step->kind != SF_STEP_BACKUP && !s.armed) {
      if (!sf_calibration_arm (s.calibration, sf_scene_to_string (sf_plan_get_scene (plan)), error))
        goto out;
      s.armed = TRUE;
    }
    /* Without a firmware, the phone's table says which calibration the
     * erases reach: backed up, and the journal written, before the first. */
    if (own && step->kind != SF_STEP_TABLE_BACKUP && !s.raw_begun) {
      if (!sf_flash_session_backup_before_raw_erase (&s, cancellable, error))
        goto out;
      s.raw_begun = TRUE;
    }
    if (!run_step (&s, plan, index, cancellable, error))
      goto out;
    /* What the firmware's plan leaves for its end. */
    if (!own && index + 1 == n_plan &&
        (!sf_flash_session_run_moves (&s, cancellable, error) ||
         !sf_flash_session_write_table (&s, cancellable, error) ||
         !sf_flash_session_settle_calibration (&s, cancellable, error)))
      goto out;
  }
  /* A range or whole-flash format erases what it was asked to: the
   * calibration stays in its backup. */
  if (job->plan == NULL && sf_calibration_is_pending (s.calibration) &&
      !sf_calibration_release (s.calibration, error))
    goto out;

  sf_worker_post_stage (worker, _("Letting the phone go"));
  if (!sf_da_finish (s.da, 0, cancellable, error))
    goto out;
  ok = TRUE;

out:
  if (!ok && s.calibration != NULL && sf_calibration_is_pending (s.calibration))
    sf_flash_session_put_calibration_back (&s, error);
  g_clear_pointer (&s.calibration, sf_calibration_free);
  g_clear_object (&s.da);
  g_clear_object (&s.brom);
  g_clear_pointer (&s.table, sf_partition_table_unref);
  g_clear_error (&s.table_error);
  g_clear_pointer (&s.moves, g_array_unref);
  return ok;
}
