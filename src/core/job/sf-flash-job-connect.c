/* sf-flash-job-connect.c — a flash job meets its phone: the port, the
 * handshake, the DA and its DRAM settings, the user area's base, the
 * phone's own table, and the check that a preloader is for this board
 * (architecture.md §5)
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>

#include "sf-flash-job-private.h"
#include "sf-placement.h"
#include "sf-preloader.h"

/* @firmware's PRELOADER image, whole (a few hundred KiB); NULL when the
 * layout has none or it cannot be read. */
static GBytes *
read_preloader (SfFirmware    *firmware,
                SfLayout      *layout,
                char         **out_name,
                GCancellable  *cancellable)
{
  for (guint i = 0; layout != NULL && i < sf_layout_get_n_partitions (layout); i++) {
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
  return NULL;
}

/* The preloader whose DRAM settings a BootROM phone gets (§13.4): the one
 * given with sf_flash_job_set_emi_file(), else the firmware's PRELOADER
 * image (the plan's, or the one set with sf_flash_job_set_emi_firmware()).
 * NULL when there is none; an --emi-from file that cannot be read is an
 * error. */
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
  if (job->plan != NULL)
    return read_preloader (sf_plan_get_firmware (job->plan), sf_plan_get_layout (job->plan), out_name, cancellable);
  if (job->emi_firmware != NULL)
    return read_preloader (job->emi_firmware, sf_scatter_get_layout (sf_firmware_get_scatter (job->emi_firmware), 0),
                           out_name, cancellable);
  return NULL;
}

/* What the phone is, for SF_EVENT_DEVICE. */
static void
post_device (SfFlashSession *s,
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

/* ---- connecting ------------------------------------------------------------ */

gboolean
sf_flash_session_connect (SfFlashSession  *s,
                          GCancellable    *cancellable,
                          GError         **error)
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

/* ---- the universal-firmware trap: a preloader for another board ----------------- */

#define PRELOADER_LOOK_BYTES (1024 * 1024)

gboolean
sf_flash_session_check_preloader (SfFlashSession    *s,
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
    g_autoptr(GInputStream) fw = sf_flash_session_open_image (s, step, cancellable, error);
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
  if (!sf_calibration_ensure_folder (s->calibration, cancellable, error))
    return FALSE;
  saved = g_file_get_child (sf_calibration_get_folder (s->calibration), "PRELOADER.phone.bin");
  if (!g_file_replace_contents (saved, (const char *) phone_data, phone_len, NULL, FALSE,
                                G_FILE_CREATE_NONE, NULL, cancellable, error))
    return FALSE;

  image = sf_flash_session_open_image (s, step, cancellable, error);
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
