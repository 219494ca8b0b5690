/* sf-flash-job.c — one session with a phone: connect, start the DA, run a plan
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
#include <string.h>

#include "sf-calibration.h"
#include "sf-compare-stream.h"
#include "sf-da.h"
#include "sf-flash-job.h"
#include "sf-output-file.h"
#include "sf-placement.h"
#include "sf-preloader.h"
#include "sf-sparse.h"
#include "sf-units.h"
#include "sf-usb-device.h"

/* At most this often a progress event per step (the last one always goes). */
#define PROGRESS_INTERVAL_US (50 * 1000)

struct _SfFlashJob {
  char        *port;
  SfUsbDevice *device;           /* when set, its port is found on the job's thread */
  SfDaFile    *da_file;
  SfBromMode   mode;
  SfPlan      *plan;
  gboolean     verify;
  gboolean     restore;
  gboolean     force_preloader;
  gboolean     force_output;     /* readbacks may replace existing files */
  GFile       *emi_file;         /* DRAM settings for a BootROM phone, instead of the firmware's */
  GHashTable  *readback_files;   /* upper-case partition name → GFile */
  GFile       *backup_dir;       /* where backup folders are made */
  GFile       *table_backup_dir;
  GArray      *raw_steps;        /* (element-type RawStep) plan-less erases and reads */
};

/* A plan-less erase, or a read when @file is set. */
typedef struct {
  guint    part;
  guint64  offset;
  guint64  length;
  GFile   *file;
} RawStep;

static void
raw_step_clear (RawStep *erase)
{
  g_clear_object (&erase->file);
}

typedef struct {
  SfWorker    *worker;
  SfFlashJob  *job;
  SfBrom      *brom;
  SfDa        *da;
  guint64      overall_done;
  guint64      overall_total;
  /* the step in progress */
  gint         step;
  const char  *partition;
  guint64      step_bytes;     /* what the step adds to overall_done */
  gint64       last_post_us;
  /* the phone's own partition table (sf-partition-table.h) */
  SfPartitionTable *table;        /* NULL until read, or when it could not be parsed */
  GError      *table_error;    /* why it could not be parsed */
  GArray      *moves;          /* (element-type Move) Firmware Upgrade: kept partitions that moved */
  SfCalibration *calibration;  /* the phone's calibration backups and journal (sf-calibration.h) */
  gboolean     armed;          /* the journal is written (or there was nothing to keep) */
} Session;

/* A PROTECTED/BINREGION partition the new layout puts elsewhere with the
 * same size: backed up at @from, restored at @to after the downloads. */
typedef struct {
  SfPartition *partition;
  guint64      from;
  guint64      to;
  guint64      size;
} Move;

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
  self->raw_steps = g_array_new (FALSE, FALSE, sizeof (RawStep));
  g_array_set_clear_func (self->raw_steps, (GDestroyNotify) raw_step_clear);
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
  g_clear_pointer (&self->raw_steps, g_array_unref);
  g_clear_object (&self->table_backup_dir);
  g_clear_object (&self->emi_file);
  g_free (self);
}

void
sf_flash_job_set_table_backup (SfFlashJob *self,
                               GFile      *dir)
{
  g_set_object (&self->table_backup_dir, dir);
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

/* The preloader whose DRAM settings a BootROM phone gets (§13.4): the one
 * given with sf_flash_job_set_emi_file(), else the firmware's PRELOADER
 * image. NULL when there is none; an --emi-from file that cannot be read
 * is an error. */
static GBytes *
load_emi_source (SfFlashJob    *job,
                 char         **out_name,
                 GCancellable  *cancellable,
                 GError       **error)
{
  if (job->emi_file != NULL) {
    g_autoptr(GBytes) bytes = g_file_load_bytes (job->emi_file, cancellable, NULL, error);

    /* The whole name: it is not the firmware's preloader, though it may
     * be called the same (§13.4). */
    *out_name = g_file_get_parse_name (job->emi_file);
    return g_steal_pointer (&bytes);
  }
  if (job->plan != NULL) {
    SfFirmware *firmware = sf_plan_get_firmware (job->plan);
    SfLayout *layout = sf_plan_get_layout (job->plan);

    for (guint i = 0; i < sf_layout_get_n_partitions (layout); i++) {
      SfPartition *p = sf_layout_get_partition (layout, i);
      g_autoptr(GInputStream) in = NULL;
      g_autoptr(GByteArray) data = NULL;
      guint8 buf[65536];
      gssize n;

      if (g_ascii_strcasecmp (p->name, "PRELOADER") != 0)
        continue;
      in = sf_firmware_open_image (firmware, p, cancellable, NULL);
      if (in == NULL)
        return NULL;
      data = g_byte_array_new ();
      /* A preloader is a few hundred KiB; its boot reservation is 12 MiB. */
      while (data->len < 16 * 1024 * 1024 &&
             (n = g_input_stream_read (in, buf, sizeof buf, cancellable, NULL)) > 0)
        g_byte_array_append (data, buf, (guint) n);
      *out_name = g_strdup (p->file_name != NULL ? p->file_name : p->name);
      return g_byte_array_free_to_bytes (g_steal_pointer (&data));
    }
  }
  return NULL;
}

void
sf_flash_job_add_erase (SfFlashJob *self,
                        guint       part,
                        guint64     offset,
                        guint64     length)
{
  RawStep erase = { part, offset, length, NULL };

  g_array_append_val (self->raw_steps, erase);
}

void
sf_flash_job_add_read (SfFlashJob *self,
                       guint       part,
                       guint64     offset,
                       guint64     length,
                       GFile      *file)
{
  RawStep read = { part, offset, length, g_object_ref (file) };

  g_array_append_val (self->raw_steps, read);
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
post_device (Session        *s,
             const SfDaInfo *da)
{
  const SfBromInfo *b = sf_brom_get_info (s->brom);
  SfEvent *event = sf_event_new (SF_EVENT_DEVICE);
  SfDeviceInfo *d = g_new0 (SfDeviceInfo, 1);

  d->chip = g_strdup (b->chip != NULL ? b->chip->name : NULL);
  d->hw_code = b->hw_code;
  d->hw_sub_code = b->hw_sub_code;
  d->hw_ver = b->hw_ver;
  d->sw_ver = b->sw_ver;
  d->is_brom = b->is_brom;
  if (da != NULL) {
    d->has_storage = TRUE;
    d->storage = g_strdup (da->storage_type == SF_DA_STORAGE_TYPE_EMMC ? "EMMC" :
                           da->storage_type == SF_DA_STORAGE_TYPE_NAND ? "NAND" :
                           da->storage_type == SF_DA_STORAGE_TYPE_SDMMC ? "SDMMC" :
                           da->storage_type == SF_DA_STORAGE_TYPE_NOR ? "NOR" : NULL);
    d->boot1_size = da->emmc_boot1_size;
    d->boot2_size = da->emmc_boot2_size;
    d->rpmb_size = da->emmc_rpmb_size;
    d->user_size = da->user_size;
    d->ram_size = da->ext_ram_size;
  }
  if (s->table != NULL)
    d->table = sf_partition_table_ref (s->table);
  event->device = d;
  sf_worker_post (s->worker, event);
}

static void
post_step (Session     *s,
           SfEventKind  kind,
           const char  *what,
           guint64      total)
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
static void
on_progress (guint64  done,
             guint64  total,
             gpointer user_data)
{
  Session *s = user_data;
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

static void
begin_step (Session    *s,
            gint        step,
            const char *partition,
            const char *what,
            guint64     bytes)
{
  s->step = step;
  s->partition = partition;
  s->step_bytes = bytes;
  s->last_post_us = 0;
  post_step (s, SF_EVENT_STEP_BEGIN, what, bytes);
}

static void
end_step (Session    *s,
          const char *what)
{
  s->overall_done += s->step_bytes;
  post_step (s, SF_EVENT_STEP_END, what, s->step_bytes);
}

/* ---- connecting ------------------------------------------------------------ */

static gboolean
connect_and_start_da (Session       *s,
                      GCancellable  *cancellable,
                      GError       **error)
{
  SfFlashJob *job = s->job;
  g_autoptr(SfTransport) transport = NULL;
  SfDaFile *da_file = job->da_file;
  g_autoptr(GInputStream) da1 = NULL;
  const SfBromInfo *info;
  const SfDaEntry *entry;
  const SfDaRegion *region;
  const char *platform = NULL;
  g_autofree char *emi_name = NULL;
  g_autoptr(GError) emi_error = NULL;
  g_autoptr(GBytes) emi = NULL;

  /* Read before the phone is touched: a file that cannot be read stops
   * the run with nothing sent. */
  emi = load_emi_source (job, &emi_name, cancellable, &emi_error);
  if (emi_error != NULL) {
    g_propagate_error (error, g_steal_pointer (&emi_error));
    return FALSE;
  }

  sf_worker_post_stage (s->worker, _("Waiting for the phone on %s"), job->port);
  transport = sf_transport_open_port (job->port, error);
  if (transport == NULL)
    return FALSE;

  s->brom = sf_brom_new (transport);
  if (!sf_brom_connect (s->brom, job->mode, cancellable, error) ||
      !sf_brom_identify (s->brom, cancellable, error))
    return FALSE;
  info = sf_brom_get_info (s->brom);
  post_device (s, NULL);

  if (job->plan != NULL)
    platform = sf_scatter_get_platform (sf_firmware_get_scatter (sf_plan_get_firmware (job->plan)));
  if (!sf_brom_check_chip (s->brom, platform, error))
    return FALSE;

  entry = sf_da_file_find_entry (da_file, info->chip->da_code, info->hw_ver, info->sw_ver, error);
  if (entry == NULL)
    return FALSE;
  if (entry->n_regions <= SF_DA_REGION_DA2) {
    sf_set_device_error (error, SF_ERROR_INVALID_DA_FILE,
                         _("the DA entry for %s has %u regions, not the 3 of a legacy DA"),
                         info->chip->name, entry->n_regions);
    return FALSE;
  }

  if (!sf_brom_disable_watchdog (s->brom, info->chip, cancellable, error))
    return FALSE;

  sf_worker_post_stage (s->worker, _("Sending the download agent"));
  region = &entry->regions[SF_DA_REGION_DA1];
  da1 = sf_da_file_open_region (da_file, entry, SF_DA_REGION_DA1, cancellable, error);
  if (da1 == NULL ||
      !sf_brom_send_da (s->brom, region->address, region->length, region->sig_length, da1,
                        NULL, NULL, cancellable, error) ||
      !sf_brom_jump_da (s->brom, region->address, cancellable, error))
    return FALSE;

  sf_worker_post_stage (s->worker, _("Starting the download agent"));
  s->da = sf_da_new (transport);
  if (emi != NULL)
    sf_da_set_emi_source (s->da, emi, emi_name);
  if (!sf_da_start (s->da, info, da_file, entry, NULL, NULL, cancellable, error))
    return FALSE;
  if (sf_da_get_info (s->da)->emi_entry > 0)
    sf_worker_post_log (s->worker, _("The phone came up through its BootROM: DRAM set up with entry %u of %s"),
                        sf_da_get_info (s->da)->emi_entry, emi_name);
  /* §13.8: the transcript says whether the switch worked. */
  if (sf_da_get_info (s->da)->usb_speed == SF_DA_USB_FULL_SPEED)
    sf_worker_post_log (s->worker, _("The phone stayed at USB full speed (about 1 MB/s): "
                                     "a USB 1.1 port or hub is in the way"));
  else
    sf_worker_post_log (s->worker, _("USB high speed"));

  /* §13.9: the DA's addresses are linear, and a linear scatter's
   * linear_start_addr goes on the wire unchanged. */
  if (job->plan != NULL) {
    SfFirmware *firmware = sf_plan_get_firmware (job->plan);
    guint64 base = 0;

    if (sf_placement_user_base (sf_firmware_get_scatter (firmware), sf_plan_get_layout (job->plan), &base)) {
      guint64 phone = sf_da_get_user_base (s->da);

      if (base != phone)
        sf_worker_post_log (s->worker,
                            _("The firmware puts the user area at linear 0x%" PRIX64 ", this phone's starts at 0x%" PRIX64 ": the firmware was made for another eMMC"),
                            base, phone);
      sf_da_set_user_base (s->da, base);
    }
  }

  /* The phone's own partition table (§6.12). One that cannot be parsed is
   * reported, not fatal: Format All + Download and Firmware Upgrade write
   * a new one; Download Only refuses (it cannot check the layout). */
  {
    g_autoptr(GError) local_error = NULL;

    s->table = sf_da_read_pmt (s->da, cancellable, &local_error);
    if (s->table == NULL) {
      if (!g_error_matches (local_error, SF_ERROR, SF_ERROR_PMT_INVALID)) {
        g_propagate_error (error, g_steal_pointer (&local_error));
        return FALSE;
      }
      sf_worker_post_log (s->worker, "%s", local_error->message);
      s->table_error = g_steal_pointer (&local_error);
    } else if (sf_partition_table_is_empty (s->table)) {
      sf_worker_post_log (s->worker, _("The phone has no partition table yet"));
    }
  }
  post_device (s, sf_da_get_info (s->da));
  return TRUE;
}

/* ---- the phone's partition table ------------------------------------------- */

static gboolean
is_ticked (SfPlan      *plan,
           SfPartition *partition)
{
  for (guint i = 0; i < sf_plan_get_n_steps (plan); i++) {
    const SfPlanStep *step = sf_plan_get_step (plan, i);

    if (step->kind == SF_STEP_DOWNLOAD && step->partition == partition)
      return TRUE;
  }
  return FALSE;
}

/* scatter-format.md §7: Download Only first compares every unticked
 * partition's place and size with the phone's table; if the layout moved,
 * writing only some partitions would leave a phone whose table and data
 * disagree, so nothing is written (SP Flash Tool's 8038). */
static gboolean
check_download_only (Session  *s,
                     GError  **error)
{
  SfPlan *plan = s->job->plan;
  SfScatter *scatter = sf_firmware_get_scatter (sf_plan_get_firmware (plan));
  SfLayout *layout = sf_plan_get_layout (plan);

  if (s->table_error != NULL) {
    sf_set_device_error (error, SF_ERROR_ROM_MUST_ENABLE,
                         _("the phone's partition table cannot be read (%s), so the layout cannot be checked"),
                         s->table_error->message);
    return FALSE;
  }
  if (sf_partition_table_is_empty (s->table))
    return TRUE;   /* a fresh phone: nothing to compare with */

  for (guint i = 0; i < sf_layout_get_n_partitions (layout); i++) {
    SfPartition *p = sf_layout_get_partition (layout, i);
    const SfPartitionTableEntry *e;
    gboolean listed = FALSE;
    guint64 offset = 0, size = 0;

    if (is_ticked (plan, p))
      continue;
    if (!sf_partition_table_place (scatter, layout, p, &listed, &offset, &size, error))
      return FALSE;
    if (!listed)
      continue;
    e = sf_partition_table_lookup (s->table, p->name);
    if (e == NULL) {
      sf_set_device_error (error, SF_ERROR_ROM_MUST_ENABLE,
                           _("PMT changed for the ROM: partition %s of the scatter file is not in the phone's partition table"),
                           p->name);
      return FALSE;
    }
    if (e->offset != offset || e->size != size) {
      sf_set_device_error (error, SF_ERROR_ROM_MUST_ENABLE,
                           _("PMT changed for the ROM: partition %s is at user offset 0x%" PRIX64 " "
                             "(0x%" PRIX64 " bytes) on the phone but at 0x%" PRIX64 " "
                             "(0x%" PRIX64 " bytes) in the scatter file"),
                           p->name, e->offset, e->size, offset, size);
      return FALSE;
    }
  }
  return TRUE;
}

static gboolean
is_kept (const SfPartition *p)
{
  return p->operation == SF_OPERATION_PROTECTED || p->operation == SF_OPERATION_BINREGION;
}

/* scatter-format.md §7, Firmware Upgrade: a PROTECTED or BINREGION partition
 * at the same place and size is left alone; one that moved with the same
 * size is read at its old place and written at the new one after the
 * downloads; one whose size changed would lose its data, so nothing is
 * written. A partition the phone's table does not have stays as it is. */
static gboolean
check_firmware_upgrade (Session  *s,
                        GError  **error)
{
  SfPlan *plan = s->job->plan;
  SfScatter *scatter = sf_firmware_get_scatter (sf_plan_get_firmware (plan));
  SfLayout *layout = sf_plan_get_layout (plan);

  if (sf_partition_table_is_empty (s->table))
    return TRUE;

  for (guint i = 0; i < sf_layout_get_n_partitions (layout); i++) {
    SfPartition *p = sf_layout_get_partition (layout, i);
    const SfPartitionTableEntry *e;
    gboolean listed = FALSE;
    guint64 offset = 0, size = 0;
    Move move;

    if (!is_kept (p))
      continue;
    if (!sf_partition_table_place (scatter, layout, p, &listed, &offset, &size, error))
      return FALSE;
    if (!listed || (e = sf_partition_table_lookup (s->table, p->name)) == NULL)
      continue;
    if (e->size != size) {
      sf_set_device_error (error, SF_ERROR_DATA_LOST,
                           _("partition %s holds 0x%" PRIX64 " bytes on the phone but "
                             "0x%" PRIX64 " in the scatter file"),
                           p->name, e->size, size);
      return FALSE;
    }
    if (e->offset == offset)
      continue;
    move.partition = p;
    move.from = e->offset;
    move.to = offset;
    move.size = size;
    g_array_append_val (s->moves, move);
    s->overall_total += size;
    sf_worker_post_log (s->worker,
                        _("%s moves from user offset 0x%" PRIX64 " to 0x%" PRIX64 ": "
                          "it is backed up at the old place and written at the new one"),
                        p->name, move.from, move.to);
  }
  return TRUE;
}

static const Move *
find_move (Session           *s,
           const SfPartition *partition)
{
  for (guint i = 0; s->moves != NULL && i < s->moves->len; i++) {
    const Move *m = &g_array_index (s->moves, Move, i);

    if (m->partition == partition)
      return m;
  }
  return NULL;
}

static gboolean
writes_table (Session *s)
{
  SfScene scene = sf_plan_get_scene (s->job->plan);

  return scene == SF_SCENE_FORMAT_ALL_DOWNLOAD || scene == SF_SCENE_FIRMWARE_UPGRADE ||
         (scene == SF_SCENE_DOWNLOAD_ONLY && s->table != NULL && sf_partition_table_is_empty (s->table));
}

/* The table the job will write at its end must fit, before the first write. */
static gboolean
check_table_fits (Session  *s,
                  GError  **error)
{
  SfPlan *plan = s->job->plan;
  g_autoptr(SfPartitionTable) table = NULL;

  if (!writes_table (s))
    return TRUE;
  table = sf_partition_table_new_from_layout (sf_firmware_get_scatter (sf_plan_get_firmware (plan)),
                                           sf_plan_get_layout (plan), error);
  return table != NULL;
}

static gboolean
write_table (Session       *s,
             GCancellable  *cancellable,
             GError       **error)
{
  SfPlan *plan = s->job->plan;
  g_autoptr(SfPartitionTable) table = NULL;

  if (!writes_table (s))
    return TRUE;

  table = sf_partition_table_new_from_layout (sf_firmware_get_scatter (sf_plan_get_firmware (plan)),
                                           sf_plan_get_layout (plan), error);
  if (table == NULL)
    return FALSE;
  if (sf_partition_table_is_empty (table))
    return TRUE;
  sf_worker_post_stage (s->worker, _("Writing the partition table"));
  if (!sf_da_write_pmt (s->da, table, cancellable, error))
    return FALSE;
  g_clear_pointer (&s->table, sf_partition_table_unref);
  s->table = g_steal_pointer (&table);
  sf_worker_post_log (s->worker, _("The phone's partition table now lists %u partitions"),
                      sf_partition_table_get_n_entries (s->table));
  return TRUE;
}

/* ---- verify ----------------------------------------------------------------- */

typedef struct {
  SfSparseReader  *reader;
  guint8           fill[4];
  guint64          fill_offset;
  gboolean         is_fill;
} SparseExpect;

static gboolean
expect_sparse (guint8        *buf,
               gsize          len,
               gpointer       user_data,
               GCancellable  *cancellable,
               GError       **error)
{
  SparseExpect *e = user_data;
  gsize got = 0;

  if (e->is_fill) {
    sf_sparse_fill_pattern (e->fill, e->fill_offset, buf, len);
    e->fill_offset += len;
    return TRUE;
  }
  while (got < len) {
    gssize n = sf_sparse_reader_read_data (e->reader, buf + got, len - got, cancellable, error);

    if (n < 0)
      return FALSE;
    if (n == 0)
      break;
    got += (gsize) n;
  }
  /* The DA's write pads the last run to a whole sector with zeros. */
  memset (buf + got, 0, len - got);
  return TRUE;
}

static gboolean
check_compare (SfCompareStream *compare,
               const char      *partition,
               guint64          base,
               GError         **error)
{
  guint64 at = 0;

  if (sf_compare_stream_get_mismatch (compare, &at)) {
    sf_set_device_error (error, SF_ERROR_VERIFY_MISMATCH,
                         _("partition %s differs from its image at byte %" PRIu64),
                         partition, base + at);
    return FALSE;
  }
  return TRUE;
}

static GInputStream *
open_step_image (Session           *s,
                 const SfPlanStep  *step,
                 GCancellable      *cancellable,
                 GError           **error)
{
  return sf_firmware_open_image (sf_plan_get_firmware (s->job->plan), step->partition, cancellable, error);
}

static guint64
round_up_sector (guint64 n)
{
  return (n + SF_EMMC_SECTOR - 1) / SF_EMMC_SECTOR * SF_EMMC_SECTOR;
}

/* Compares the partition with what was taken from its image before the
 * write (sf_firmware_check_images()), region by region: the image is not
 * read again, so a source that gives other bytes on a second read cannot
 * make a bad write look good. */
static gboolean
verify_with_digest (Session         *s,
                    const char      *partition,
                    const SfDigest  *digest,
                    guint            part,
                    guint64          offset,
                    GCancellable    *cancellable,
                    GError         **error)
{
  g_autoptr(GOutputStream) compare = sf_compare_stream_new_for_digest (digest, SF_EMMC_SECTOR);
  guint n = sf_digest_get_n_regions (digest);
  guint64 at = 0;

  for (guint i = 0; i < n; i++) {
    guint64 r_offset = 0, r_length = 0;

    sf_digest_get_region (digest, i, &r_offset, &r_length);
    if (r_length == 0)
      continue;
    if (!sf_da_read (s->da, part, offset + r_offset, round_up_sector (r_length), compare,
                     n == 1 ? on_progress : NULL, s, cancellable, error))
      return FALSE;
  }
  if (sf_compare_stream_get_mismatch (SF_COMPARE_STREAM (compare), &at)) {
    sf_set_device_error (error, SF_ERROR_VERIFY_MISMATCH,
                         _("partition %s differs from what was written, in the MiB from byte %" PRIu64),
                         partition, at);
    return FALSE;
  }
  return TRUE;
}

static gboolean
verify_download (Session           *s,
                 const SfPlanStep  *step,
                 guint              part,
                 guint64            offset,
                 GCancellable      *cancellable,
                 GError           **error)
{
  const SfDigest *digest = sf_firmware_get_image_digest (sf_plan_get_firmware (s->job->plan), step->partition);
  g_autoptr(GInputStream) image = NULL;

  if (digest != NULL)
    return verify_with_digest (s, step->partition->name, digest, part, offset, cancellable, error);

  image = open_step_image (s, step, cancellable, error);
  if (image == NULL)
    return FALSE;

  if (step->image->kind != SF_IMAGE_KIND_SPARSE) {
    g_autoptr(GOutputStream) compare = sf_compare_stream_new_for_stream (image);

    return sf_da_read (s->da, part, offset, round_up_sector (step->image->file_size), compare,
                       on_progress, s, cancellable, error) &&
           check_compare (SF_COMPARE_STREAM (compare), step->partition->name, 0, error);
  } else {
    g_autoptr(SfSparseReader) reader = NULL;
    const SfSparseChunk *chunk;
    SparseExpect e = { 0 };

    reader = sf_sparse_reader_new (image, step->partition->file_name, 0, cancellable, error);
    if (reader == NULL)
      return FALSE;
    e.reader = reader;
    /* Each RAW and FILL run is read back and compared; DONT_CARE runs were
     * not written, so whatever the phone has there is fine. */
    while (sf_sparse_reader_next (reader, &chunk, cancellable, error)) {
      g_autoptr(GOutputStream) compare = NULL;

      if (chunk == NULL)
        return TRUE;
      if (chunk->type != SF_SPARSE_CHUNK_RAW && chunk->type != SF_SPARSE_CHUNK_FILL)
        continue;
      e.is_fill = chunk->type == SF_SPARSE_CHUNK_FILL;
      memcpy (e.fill, chunk->fill, sizeof e.fill);
      e.fill_offset = 0;
      compare = sf_compare_stream_new (expect_sparse, &e);
      if (!sf_da_read (s->da, part, offset + chunk->offset, chunk->length, compare,
                       NULL, NULL, cancellable, error) ||
          !check_compare (SF_COMPARE_STREAM (compare), step->partition->name, chunk->offset, error))
        return FALSE;
    }
    return FALSE;
  }
}

/* ---- the images, before the phone ------------------------------------------ */

static void
on_check_image (const char *image_name,
                guint       index,
                guint       n,
                gpointer    user_data)
{
  Session *s = user_data;

  sf_worker_post_stage (s->worker, _("Checking %s (%u of %u)"), image_name, index + 1, n);
}

/* Every image the plan writes is read whole and checked (archive CRCs, sparse
 * CRC32 chunks) before the phone is waited for: a damaged firmware fails
 * here, with nothing written. */
static gboolean
check_images (Session       *s,
              GCancellable  *cancellable,
              GError       **error)
{
  SfPlan *plan = s->job->plan;
  g_autoptr(GPtrArray) partitions = g_ptr_array_new ();

  for (guint i = 0; i < sf_plan_get_n_steps (plan); i++) {
    const SfPlanStep *step = sf_plan_get_step (plan, i);

    if (step->kind == SF_STEP_DOWNLOAD)
      g_ptr_array_add (partitions, step->partition);
  }
  return partitions->len == 0 ||
         sf_firmware_check_images (sf_plan_get_firmware (plan), partitions, s->job->verify,
                                   on_check_image, s, cancellable, error);
}

/* ---- steps ------------------------------------------------------------------ */

static gboolean
run_download (Session           *s,
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
  file = open_step_image (s, step, cancellable, error);
  if (file == NULL)
    return FALSE;

  /* The bytes sent must be the bytes checked before the first write. */
  image = sf_crc_input_stream_new (file);
  if (step->image->kind == SF_IMAGE_KIND_SPARSE)
    ok = sf_da_write_sparse (s->da, part, offset, image, step->partition->file_name,
                             step->partition->size, on_progress, s, cancellable, error);
  else
    ok = sf_da_write (s->da, part, offset, image, step->image->file_size,
                      on_progress, s, cancellable, error);
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
static gboolean
read_to_file (Session       *s,
              guint          part,
              guint64        offset,
              guint64        length,
              GFile         *target,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(SfOutputFile) out = sf_output_file_new (target, s->job->force_output, error);

  return out != NULL &&
         sf_output_file_reserve (out, length, error) &&
         sf_da_read (s->da, part, offset, length, sf_output_file_get_stream (out),
                     on_progress, s, cancellable, error) &&
         sf_output_file_commit (out, cancellable, error);
}

static gboolean
run_readback (Session           *s,
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
      return read_to_file (s, part, offset, MIN (step->length, area - offset), target, cancellable, error);
  }
  return read_to_file (s, part, offset, step->length, target, cancellable, error);
}

static gboolean
ensure_backup_folder (Session       *s,
                      GCancellable  *cancellable,
                      GError       **error)
{
  return sf_calibration_ensure_folder (s->calibration, cancellable, error);
}

static gboolean
run_backup (Session           *s,
            const SfPlanStep  *step,
            guint              part,
            guint64            offset,
            GCancellable      *cancellable,
            GError           **error)
{
  if (step->length == 0) {
    sf_set_device_error (error, SF_ERROR_UNSUPPORTED,
                         _("cannot back up partition %s: the scatter file gives it no size, so nothing was erased"),
                         step->partition->name);
    return FALSE;
  }
  return sf_calibration_backup (s->calibration, s->da, step->partition->name, part, offset, step->length,
                                step->address, on_progress, s, cancellable, error);
}

static gboolean
run_restore (Session           *s,
             const SfPlanStep  *step,
             guint              part,
             guint64            offset,
             GCancellable      *cancellable,
             GError           **error)
{
  (void) part;
  (void) offset;
  return sf_calibration_restore (s->calibration, s->da, step->partition->name, on_progress, s,
                                 cancellable, error);
}

/* Firmware Upgrade: the kept partitions that moved, at their new places. */
static gboolean
run_moves (Session       *s,
           GCancellable  *cancellable,
           GError       **error)
{
  for (guint i = 0; s->moves != NULL && i < s->moves->len; i++) {
    const Move *m = &g_array_index (s->moves, Move, i);

    begin_step (s, -1, m->partition->name, "restore", m->size);
    if (!sf_calibration_restore (s->calibration, s->da, m->partition->name, on_progress, s,
                                 cancellable, error))
      return FALSE;
    end_step (s, "restore");
  }
  return TRUE;
}

/* The user area as the firmware addresses it: from its base (the scatter's
 * MBR) to the end of the phone's user area (§13.9). The two bases differ
 * when the firmware was made for an eMMC with other boot sizes. */
static guint64
user_span (Session *s)
{
  guint64 end = sf_da_get_phone_user_base (s->da) + sf_da_get_info (s->da)->user_size;
  guint64 base = sf_da_get_user_base (s->da);

  return base < end ? end - base : 0;
}

/* SP Flash Tool's "Format All": the whole user area and both boot areas. */
static gboolean
run_format_all (Session       *s,
                GCancellable  *cancellable,
                GError       **error)
{
  const SfDaInfo *da = sf_da_get_info (s->da);
  guint64 base = sf_da_get_user_base (s->da);
  gboolean ok;

  sf_worker_post_stage (s->worker, _("Erasing the whole flash"));
  /* The phone's whole user area, from where the phone starts it, whatever
   * the firmware's base. */
  sf_da_set_user_base (s->da, sf_da_get_phone_user_base (s->da));
  ok = sf_da_format (s->da, SF_EMMC_PART_USER, 0, da->user_size, on_progress, s, cancellable, error);
  sf_da_set_user_base (s->da, base);
  if (!ok)
    return FALSE;
  if (da->emmc_boot1_size > 0 &&
      !sf_da_format (s->da, SF_EMMC_PART_BOOT1, 0, da->emmc_boot1_size, on_progress, s, cancellable, error))
    return FALSE;
  /* "All" is BOOT1, BOOT2 and USER (protocol.md §13.10); RPMB never. */
  if (da->emmc_boot2_size > 0 &&
      !sf_da_format (s->da, SF_EMMC_PART_BOOT2, 0, da->emmc_boot2_size, on_progress, s, cancellable, error))
    return FALSE;
  return TRUE;
}

/* ---- the universal-firmware trap: a preloader for another board ----------------- */

#define PRELOADER_LOOK_BYTES (1024 * 1024)

static gboolean
check_preloader (Session           *s,
                 const SfPlanStep  *step,
                 guint              part,
                 GCancellable      *cancellable,
                 GError           **error)
{
  const SfDaInfo *da = sf_da_get_info (s->da);
  guint64 look = MIN ((guint64) PRELOADER_LOOK_BYTES, da->emmc_boot1_size);
  g_autoptr(GOutputStream) mem = g_memory_output_stream_new_resizable ();
  g_autoptr(GInputStream) image = NULL;
  g_autofree guint8 *head = NULL;
  g_autoptr(GFile) saved = NULL;
  SfPreloaderInfo phone, firmware;
  gsize head_len = 0;
  const guint8 *phone_data;
  gsize phone_len;

  if (part != SF_EMMC_PART_BOOT1 || look == 0)
    return TRUE;

  /* Through the BootROM the phone's memory chip is known (its eMMC CID,
   * §13.2): the preloader to be written must carry DRAM settings for it,
   * or the phone will not start again (§13.4) — whatever the phone has on
   * boot1 now, which may be nothing. */
  if (da->have_brom_cid) {
    g_autoptr(GInputStream) fw = open_step_image (s, step, cancellable, error);
    g_autofree guint8 *fw_head = NULL;
    guint8 entry[SF_EMI_V11_ENTRY_LEN];
    g_autoptr(GError) local = NULL;
    gsize fw_len = 0;

    if (fw == NULL)
      return FALSE;
    fw_head = g_malloc (PRELOADER_LOOK_BYTES);
    if (!g_input_stream_read_all (fw, fw_head, PRELOADER_LOOK_BYTES, &fw_len, cancellable, error))
      return FALSE;
    if (!sf_preloader_find_emi (fw_head, fw_len, step->partition->file_name, da->brom_cid, entry, NULL, &local)) {
      if (!s->job->force_preloader) {
        sf_set_device_error (error, SF_ERROR_PRELOADER_MISMATCH,
                             _("the firmware's preloader has no DRAM settings for this phone's memory chip (%s)"),
                             local->message);
        return FALSE;
      }
      sf_worker_post_log (s->worker, _("Writing %s although it has no DRAM settings for this phone's memory chip, as asked"),
                          step->partition->file_name);
    }
  }

  sf_worker_post_stage (s->worker, _("Reading the phone's own preloader"));
  if (!sf_da_read (s->da, part, 0, look, mem, NULL, NULL, cancellable, error) ||
      !g_output_stream_close (mem, cancellable, error))
    return FALSE;
  phone_data = g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (mem));
  phone_len = g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (mem));
  if (!sf_preloader_parse (phone_data, phone_len, &phone)) {
    sf_worker_post_log (s->worker, _("The phone has no preloader yet: nothing to compare"));
    return TRUE;
  }

  /* Keep the phone's own preloader whatever happens next. */
  if (!ensure_backup_folder (s, cancellable, error))
    return FALSE;
  saved = g_file_get_child (sf_calibration_get_folder (s->calibration), "PRELOADER.phone.bin");
  if (!g_file_replace_contents (saved, (const char *) phone_data, phone_len, NULL, FALSE,
                                G_FILE_CREATE_NONE, NULL, cancellable, error))
    return FALSE;

  image = open_step_image (s, step, cancellable, error);
  if (image == NULL)
    return FALSE;
  head = g_malloc (PRELOADER_LOOK_BYTES);
  if (!g_input_stream_read_all (image, head, PRELOADER_LOOK_BYTES, &head_len, cancellable, error))
    return FALSE;
  sf_preloader_parse (head, head_len, &firmware);

  /* Checked above by memory chip; two preloaders for the same chip may
   * still differ byte for byte. */
  if (da->have_brom_cid)
    return TRUE;
  if (sf_preloader_same_board (&phone, &firmware))
    return TRUE;
  if (s->job->force_preloader) {
    sf_worker_post_log (s->worker, _("Writing %s over the phone's %s although their DRAM settings differ, as asked"),
                        firmware.name, phone.name);
    return TRUE;
  }
  sf_set_device_error (error, SF_ERROR_PRELOADER_MISMATCH,
                       _("the phone's preloader (%s) and the firmware's (%s) have different DRAM settings"),
                       *phone.name ? phone.name : "?", *firmware.name ? firmware.name : "?");
  return FALSE;
}

/* A partition of size 0 (MT6572's FAT) runs to the reserved tail at the
 * end of the user area, or to its very end (scatter-format.md §6.3, §6.4). */
static gboolean
run_to_end_length (Session      *s,
                   SfPartition  *partition,
                   guint         part,
                   guint64       offset,
                   guint64      *out_length,
                   GError      **error)
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

static gboolean
run_step (Session       *s,
          guint          index,
          GCancellable  *cancellable,
          GError       **error)
{
  SfPlan *plan = s->job->plan;
  const SfPlanStep *step = sf_plan_get_step (plan, index);
  SfFirmware *firmware = sf_plan_get_firmware (plan);
  const char *kind = sf_step_kind_to_string (step->kind);
  guint part = 0;
  guint64 offset = 0;

  if (step->kind == SF_STEP_FORMAT_ALL) {
    begin_step (s, (gint) index, NULL, kind, 0);
    if (!run_format_all (s, cancellable, error))
      return FALSE;
    end_step (s, kind);
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
      !check_preloader (s, step, part, cancellable, error))
    return FALSE;

  begin_step (s, (gint) index, step->partition->name, kind, step->transfer_bytes);
  switch (step->kind) {
  case SF_STEP_DOWNLOAD:
    if (!run_download (s, step, part, offset, cancellable, error))
      return FALSE;
    break;
  case SF_STEP_FORMAT: {
    guint64 length = step->length;

    if (length == 0 && !run_to_end_length (s, step->partition, part, offset, &length, error))
      return FALSE;
    if (!sf_da_format (s->da, part, offset, length, on_progress, s, cancellable, error))
      return FALSE;
    break;
  }
  case SF_STEP_READBACK:
    if (!run_readback (s, step, part, offset, cancellable, error))
      return FALSE;
    break;
  case SF_STEP_BACKUP: {
    const Move *move = find_move (s, step->partition);

    /* A kept partition that moves is still at its old place, and goes
     * back at its new one. */
    if (!run_backup (s, step, part, move != NULL ? move->from : offset, cancellable, error))
      return FALSE;
    if (move != NULL)
      sf_calibration_set_target (s->calibration, step->partition->name, SF_EMMC_PART_USER, move->to);
    break;
  }
  case SF_STEP_RESTORE:
    if (!run_restore (s, step, part, offset, cancellable, error))
      return FALSE;
    break;
  case SF_STEP_FORMAT_ALL:
  default:
    g_assert_not_reached ();
  }
  end_step (s, kind);

  if (s->job->verify && step->kind == SF_STEP_DOWNLOAD) {
    begin_step (s, (gint) index, step->partition->name, "verify", step->transfer_bytes);
    if (!verify_download (s, step, part, offset, cancellable, error))
      return FALSE;
    end_step (s, "verify");
  }
  return TRUE;
}

static const char *
part_name (guint part)
{
  return sf_emmc_part_to_region (part);
}

static gboolean
run_raw_step (Session       *s,
           guint          index,
           const RawStep   *erase,
           GCancellable  *cancellable,
           GError       **error)
{
  const SfDaInfo *da = sf_da_get_info (s->da);
  guint64 size = erase->part == SF_EMMC_PART_USER ? da->user_size :
                 erase->part == SF_EMMC_PART_BOOT1 ? da->emmc_boot1_size :
                 erase->part == SF_EMMC_PART_BOOT2 ? da->emmc_boot2_size : 0;
  guint64 length = erase->length != 0 ? erase->length : size - MIN (size, erase->offset);

  if (erase->offset >= size || length > size - erase->offset) {
    sf_set_device_error (error, SF_ERROR_DA_INVALID_RANGE,
                         _("0x%" PRIx64 " + 0x%" PRIx64 " is outside %s, which holds 0x%" PRIx64 " bytes"),
                         erase->offset, length, part_name (erase->part), size);
    return FALSE;
  }
  if (erase->file != NULL) {
    begin_step (s, (gint) index, part_name (erase->part), "readback", length);
    if (!read_to_file (s, erase->part, erase->offset, length, erase->file, cancellable, error))
      return FALSE;
    end_step (s, "readback");
    return TRUE;
  }
  begin_step (s, (gint) index, part_name (erase->part), "format", 0);
  if (!sf_da_format (s->da, erase->part, erase->offset, length, on_progress, s, cancellable, error))
    return FALSE;
  end_step (s, "format");
  return TRUE;
}

/* ---- a backup by the phone's own table --------------------------------------- */

static void
append_entry (GString    *text,
              guint       index,
              const char *name,
              const char *type,
              guint64     start,
              guint64     size,
              const char *region,
              const char *operation)
{
  g_string_append_printf (text,
                          "- partition_index: SYS%u\n"
                          "  partition_name: %s\n"
                          "  file_name: %s.bin\n"
                          "  is_download: true\n"
                          "  type: %s\n"
                          "  linear_start_addr: 0x%" PRIx64 "\n"
                          "  physical_start_addr: 0x%" PRIx64 "\n"
                          "  partition_size: 0x%" PRIx64 "\n"
                          "  region: %s\n"
                          "  storage: HW_STORAGE_EMMC\n"
                          "  boundary_check: true\n"
                          "  is_reserved: false\n"
                          "  operation_type: %s\n"
                          "  reserve: 0x00\n\n",
                          index, name, name, type, start, start, size, region, operation);
}

/* A V1.1.2 scatter (addresses relative to their region) of what was read. */
static GString *
table_scatter (Session *s)
{
  const SfBromInfo *brom = sf_brom_get_info (s->brom);
  const SfDaInfo *da = sf_da_get_info (s->da);
  GString *text = g_string_new (NULL);

  g_string_append_printf (text,
                          "############################################################################################################\n"
                          "#\n"
                          "#  General Setting\n"
                          "#  (written by Scatterflash from the phone's own partition table)\n"
                          "#\n"
                          "############################################################################################################\n"
                          "- general: MTK_PLATFORM_CFG\n"
                          "  info:\n"
                          "    - config_version: V1.1.2\n"
                          "      platform: %s\n"
                          "      project: scatterflash_backup\n"
                          "      storage: EMMC\n"
                          "      boot_channel: MSDC_0\n"
                          "      block_size: 0x20000\n"
                          "############################################################################################################\n"
                          "#\n"
                          "#  Layout Setting\n"
                          "#\n"
                          "############################################################################################################\n",
                          brom->chip->name);
  append_entry (text, 0, "PRELOADER", "SV5_BL_BIN", 0, da->emmc_boot1_size, "EMMC_BOOT_1", "BOOTLOADERS");
  for (guint i = 0; i < sf_partition_table_get_n_entries (s->table); i++) {
    const SfPartitionTableEntry *e = sf_partition_table_get_entry (s->table, i);
    SfOperation op = sf_operation_guess (e->name, TRUE);

    /* Every partition read here is to be written back by `restore`. */
    if (op != SF_OPERATION_PROTECTED && op != SF_OPERATION_BINREGION)
      op = SF_OPERATION_UPDATE;
    append_entry (text, i + 1, e->name, "NORMAL_ROM", e->offset, e->size, "EMMC_USER", sf_operation_to_string (op));
  }
  return text;
}

static gboolean
run_table_backup (Session       *s,
                  GCancellable  *cancellable,
                  GError       **error)
{
  GFile *dir = s->job->table_backup_dir;
  const SfDaInfo *da = sf_da_get_info (s->da);
  g_autoptr(GString) text = NULL;
  g_autoptr(SfScatter) check = NULL;
  g_autofree char *scatter_name = NULL;
  g_autoptr(GFile) scatter = NULL;
  g_autoptr(GFile) preloader = g_file_get_child (dir, "PRELOADER.bin");

  if (s->table == NULL || sf_partition_table_is_empty (s->table)) {
    sf_set_device_error (error, SF_ERROR_UNSUPPORTED,
                         _("the phone has no partition table to name its partitions by; give the FIRMWARE whose scatter file describes it"));
    return FALSE;
  }

  begin_step (s, 0, "PRELOADER", "backup", da->emmc_boot1_size);
  if (!read_to_file (s, SF_EMMC_PART_BOOT1, 0, da->emmc_boot1_size, preloader, cancellable, error))
    return FALSE;
  end_step (s, "backup");
  for (guint i = 0; i < sf_partition_table_get_n_entries (s->table); i++) {
    const SfPartitionTableEntry *e = sf_partition_table_get_entry (s->table, i);
    g_autofree char *base = g_strconcat (e->name, ".bin", NULL);
    g_autoptr(GFile) file = g_file_get_child (dir, base);

    begin_step (s, (gint) i + 1, e->name, "backup", e->size);
    if (!read_to_file (s, SF_EMMC_PART_USER, e->offset, e->size, file, cancellable, error))
      return FALSE;
    end_step (s, "backup");
  }

  /* The scatter must read back as what it describes. */
  text = table_scatter (s);
  scatter_name = g_strdup_printf ("%s_Android_scatter.txt", sf_brom_get_info (s->brom)->chip->name);
  check = sf_scatter_new_from_data (text->str, text->len, scatter_name, error);
  if (check == NULL || !sf_scatter_check (check, error))
    return FALSE;
  scatter = g_file_get_child (dir, scatter_name);
  return g_file_replace_contents (scatter, text->str, text->len, NULL, FALSE, G_FILE_CREATE_NONE,
                                  NULL, cancellable, error);
}

/* ---- the calibration journal (sf-calibration.h) ------------------------------ */

/* The error stays what it was (its name and number lead the message);
 * what became of the calibration follows it. */
static void
append_to_error (GError     **error,
                 const char  *text)
{
  char *joined;

  if (error == NULL || *error == NULL || text == NULL)
    return;
  joined = g_strconcat ((*error)->message, "\n", text, NULL);
  g_free ((*error)->message);
  (*error)->message = joined;
}

static void
on_calibration_log (const char *message,
                    gpointer    user_data)
{
  Session *s = user_data;

  sf_worker_post_log (s->worker, "%s", message);
}

/* Once the phone is known: its journal, and what an earlier job left
 * pending is put back before this job does anything else. */
static gboolean
open_calibration (Session       *s,
                  GCancellable  *cancellable,
                  GError       **error)
{
  const SfBromInfo *brom = sf_brom_get_info (s->brom);
  const SfDaInfo *da = sf_da_get_info (s->da);
  g_autofree char *id = sf_calibration_phone_id (brom->chip != NULL ? brom->chip->name : NULL,
                                                 da->emmc_cid, G_N_ELEMENTS (da->emmc_cid));

  s->calibration = sf_calibration_new (s->job->backup_dir, NULL, id);
  sf_calibration_set_phone (s->calibration, brom->chip != NULL ? brom->chip->name : NULL, da->user_size);
  sf_calibration_set_log_func (s->calibration, on_calibration_log, s);
  if (s->job->plan != NULL)
    sf_calibration_set_scatter (s->calibration, sf_firmware_get_scatter (sf_plan_get_firmware (s->job->plan)),
                                sf_plan_get_layout (s->job->plan));
  if (!sf_calibration_load_journal (s->calibration, error))
    return FALSE;
  if (!sf_calibration_is_pending (s->calibration))
    return TRUE;

  {
    g_autofree char *list = sf_calibration_list_pending (s->calibration);
    g_autofree char *where = g_file_get_parse_name (sf_calibration_get_pending_folder (s->calibration));

    sf_worker_post_stage (s->worker, _("Putting back the calibration an earlier job left in %s"), where);
    sf_worker_post_log (s->worker, _("An earlier job on this phone stopped while its calibration (%s) was at risk"), list);
  }
  if (!sf_calibration_recover (s->calibration, s->da, NULL, NULL, cancellable, error)) {
    g_autofree char *what = sf_calibration_describe_pending (s->calibration);

    append_to_error (error, what);
    return FALSE;
  }
  return TRUE;
}

/* A plan that ran to its end: calibration that was to be kept is checked
 * on the phone (and the journal goes); calibration the user chose to erase
 * stays in its backup. */
static gboolean
settle_calibration (Session       *s,
                    GCancellable  *cancellable,
                    GError       **error)
{
  SfScene scene = sf_plan_get_scene (s->job->plan);
  gboolean kept = scene == SF_SCENE_FIRMWARE_UPGRADE ||
                  (scene == SF_SCENE_FORMAT_ALL_DOWNLOAD && s->job->restore);

  if (!sf_calibration_is_pending (s->calibration))
    return TRUE;
  if (!kept)
    return sf_calibration_release (s->calibration, error);
  sf_worker_post_stage (s->worker, _("Checking the phone's calibration"));
  return sf_calibration_recover (s->calibration, s->da, NULL, NULL, cancellable, error);
}

/* The job failed while calibration was at risk: put it back over the same
 * connection if the phone still answers, else say where it is. */
static void
put_calibration_back (Session  *s,
                      GError  **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *list = sf_calibration_list_pending (s->calibration);
  g_autofree char *what = NULL;

  if (s->da != NULL) {
    sf_worker_post_stage (s->worker, _("Putting the phone's calibration back"));
    /* Not the job's cancellable: after Stop, this is still worth doing. */
    if (sf_calibration_recover (s->calibration, s->da, NULL, NULL, NULL, &local_error)) {
      g_autofree char *done = g_strdup_printf (_("The phone's calibration (%s) was put back and checked."), list);

      append_to_error (error, done);
      return;
    }
    sf_worker_post_log (s->worker, _("Could not put the calibration back: %s"), local_error->message);
  }
  what = sf_calibration_describe_pending (s->calibration);
  append_to_error (error, what);
}

/* A range format (or the whole flash) without a firmware: the phone's own
 * table says where its calibration is. Every calibration partition the
 * erases reach is backed up, and the journal written, before the first. */
static gboolean
backup_before_raw_erase (Session       *s,
                         GCancellable  *cancellable,
                         GError       **error)
{
  gboolean any_erase = FALSE;

  for (guint i = 0; i < s->job->raw_steps->len; i++)
    any_erase |= g_array_index (s->job->raw_steps, RawStep, i).file == NULL;
  if (!any_erase)
    return TRUE;
  if (s->table == NULL || sf_partition_table_is_empty (s->table)) {
    sf_worker_post_log (s->worker, _("The phone has no partition table, so no calibration can be found to back up"));
    return TRUE;
  }

  for (guint t = 0; t < sf_partition_table_get_n_entries (s->table); t++) {
    const SfPartitionTableEntry *e = sf_partition_table_get_entry (s->table, t);
    SfOperation op = sf_operation_guess (e->name, TRUE);
    gboolean reached = FALSE;

    if (op != SF_OPERATION_PROTECTED && op != SF_OPERATION_BINREGION)
      continue;
    for (guint i = 0; i < s->job->raw_steps->len && !reached; i++) {
      const RawStep *r = &g_array_index (s->job->raw_steps, RawStep, i);
      guint64 end = r->length != 0 ? r->offset + r->length : G_MAXUINT64;

      reached = r->file == NULL && r->part == SF_EMMC_PART_USER &&
                r->offset < e->offset + e->size && e->offset < end;
    }
    if (!reached)
      continue;
    begin_step (s, -1, e->name, "backup", e->size);
    if (!sf_calibration_backup (s->calibration, s->da, e->name, SF_EMMC_PART_USER, e->offset, e->size,
                                e->offset, on_progress, s, cancellable, error))
      return FALSE;
    end_step (s, "backup");
  }
  return sf_calibration_arm (s->calibration, "format", error);
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
  Session s = { 0 };
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

  for (guint i = 0; i < job->raw_steps->len; i++)
    s.overall_total += g_array_index (job->raw_steps, RawStep, i).file != NULL
                         ? g_array_index (job->raw_steps, RawStep, i).length : 0;

  s.moves = g_array_new (FALSE, FALSE, sizeof (Move));
  if (job->plan != NULL && !check_images (&s, cancellable, error))
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
  if (!connect_and_start_da (&s, cancellable, error))
    goto out;
  if (!open_calibration (&s, cancellable, error))
    goto out;

  if (job->plan != NULL) {
    /* Every check that can refuse comes before the first write. */
    if (sf_plan_get_scene (job->plan) == SF_SCENE_DOWNLOAD_ONLY &&
        !check_download_only (&s, error))
      goto out;
    if (sf_plan_get_scene (job->plan) == SF_SCENE_FIRMWARE_UPGRADE &&
        !check_firmware_upgrade (&s, error))
      goto out;
    if (!check_table_fits (&s, error))
      goto out;
    for (guint i = 0; i < sf_plan_get_n_steps (job->plan); i++) {
      const SfPlanStep *step = sf_plan_get_step (job->plan, i);

      /* The journal is written once every backup is on the host and
       * before the first step that changes the phone. */
      if (step->kind != SF_STEP_BACKUP && !s.armed) {
        if (!sf_calibration_arm (s.calibration, sf_scene_to_string (sf_plan_get_scene (job->plan)), error))
          goto out;
        s.armed = TRUE;
      }
      if (!run_step (&s, i, cancellable, error))
        goto out;
    }
    if (!run_moves (&s, cancellable, error) ||
        !write_table (&s, cancellable, error) ||
        !settle_calibration (&s, cancellable, error))
      goto out;
  }
  if (job->table_backup_dir != NULL && !run_table_backup (&s, cancellable, error))
    goto out;
  if (!backup_before_raw_erase (&s, cancellable, error))
    goto out;
  for (guint i = 0; i < job->raw_steps->len; i++) {
    if (!run_raw_step (&s, i, &g_array_index (job->raw_steps, RawStep, i), cancellable, error))
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
    put_calibration_back (&s, error);
  g_clear_pointer (&s.calibration, sf_calibration_free);
  g_clear_object (&s.da);
  g_clear_object (&s.brom);
  g_clear_pointer (&s.table, sf_partition_table_unref);
  g_clear_error (&s.table_error);
  g_clear_pointer (&s.moves, g_array_unref);
  return ok;
}
