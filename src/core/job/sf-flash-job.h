/* sf-flash-job.h — one session with a phone: connect, start the DA, run a plan
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sf-brom.h"
#include "sf-da-file.h"
#include "sf-plan.h"
#include "sf-usb-device.h"
#include "sf-worker.h"

G_BEGIN_DECLS

/**
 * SfFlashJob:
 *
 * What a worker does with a phone: open @port, pass the BootROM or preloader
 * handshake, check the chip against the firmware, start the download agent
 * from @da_file, then run the plan's steps (or, with no plan, only report
 * the phone) and let the phone go. Built on the main thread, then handed to
 * sf_worker_start() with sf_flash_job_run() and sf_flash_job_free().
 */
typedef struct _SfFlashJob SfFlashJob;

SfFlashJob  *sf_flash_job_new                (const char  *port,
                                              SfDaFile    *da_file) G_GNUC_WARN_UNUSED_RESULT;
/* A job on a phone the device monitor saw arrive: it waits (on the job's
 * own thread, so that one slow tty holds up no other phone) for the tty,
 * or uses the raw USB device; the handshake follows the USB id (BROM or
 * preloader) unless a mode is set. */
SfFlashJob  *sf_flash_job_new_for_device     (SfUsbDevice *device,
                                              SfDaFile    *da_file) G_GNUC_WARN_UNUSED_RESULT;
void         sf_flash_job_free               (SfFlashJob  *self);

void         sf_flash_job_set_mode           (SfFlashJob  *self,
                                              SfBromMode   mode);
/* How long a job waits for the tty of a phone that just arrived. */
#define SF_FLASH_JOB_PORT_WAIT_MS 3000
/* (nullable): without a plan the job reports the phone and stops. */
void         sf_flash_job_set_plan           (SfFlashJob  *self,
                                              SfPlan      *plan);
/* Read back every written partition and compare it with the image. */
void         sf_flash_job_set_verify         (SfFlashJob  *self,
                                              gboolean     verify);
/* Where a SF_STEP_READBACK of @partition goes. The file is written under a
 * temporary name and renamed when complete, so a failed readback never
 * leaves a partial file behind under the name the user asked for. */
void         sf_flash_job_set_readback_file  (SfFlashJob  *self,
                                              const char  *partition,
                                              GFile       *file);

/* Let the readback files (sf_flash_job_set_readback_file(),
 * sf_flash_job_add_read(), the table backup) replace existing regular
 * files; without it a file that exists, or appears while the phone is
 * read, is never overwritten. Device nodes, FIFOs and folders are never
 * replaced. */
void         sf_flash_job_set_force_output   (SfFlashJob  *self,
                                              gboolean     force);

/* Where SF_STEP_BACKUP puts the calibration it reads: a new folder
 * DIR/<phone id>/<date and time>/ with NAME.bin files, manifest.ini (sizes,
 * addresses, SHA-256) and a scatter file (sf-calibration.h; the journal
 * has its own place). Default: $XDG_DATA_HOME/scatterflash/backups. */
void         sf_flash_job_set_backup_dir     (SfFlashJob  *self,
                                              GFile       *dir);
/* Skip the plan's SF_STEP_RESTORE steps (the backup is still taken). */
void         sf_flash_job_set_restore        (SfFlashJob  *self,
                                              gboolean     restore);

/* Write a preloader even when it is built for another board than the
 * phone's (the phone's own is kept in the backup folder either way). */
void         sf_flash_job_set_force_preloader (SfFlashJob *self,
                                               gboolean    force);
/* A phone that comes up through its BootROM needs DRAM settings from a
 * preloader (protocol.md §13.2–13.4): take them from @file (a
 * preloader image, e.g. a backup of the phone's own) instead of the plan's
 * firmware. */
void         sf_flash_job_set_emi_file       (SfFlashJob  *self,
                                              GFile       *file);
/* For a job without a plan (a readback, a format, identifying the phone)
 * while a firmware is open: a BootROM phone gets the DRAM settings from
 * @firmware's preloader, as a download would. An EMI file comes first. */
void         sf_flash_job_set_emi_firmware   (SfFlashJob  *self,
                                              SfFirmware  *firmware);
/* Steps of the job's own plan (sf_plan_new_raw()), run after the plan's,
 * in the order they are added; a table backup comes before the rest.
 *
 * Erase @length bytes at @offset of eMMC partition @part
 * (SF_EMMC_PART_*); @length 0 means to the end of that partition. */
void         sf_flash_job_add_erase          (SfFlashJob  *self,
                                              guint        part,
                                              guint64      offset,
                                              guint64      length);
/* Read @length bytes at @offset of @part into @file
 * (written under a temporary name, renamed when complete). */
void         sf_flash_job_add_read           (SfFlashJob  *self,
                                              guint        part,
                                              guint64      offset,
                                              guint64      length,
                                              GFile       *file);
/* Read the boot area and every partition of the phone's own table into
 * @dir as NAME.bin, and write a scatter file there that describes them
 * (for `backup` of a phone nobody has firmware for). Fails when the phone
 * has no table. Each call adds one such backup; NULL adds none. */
void         sf_flash_job_set_table_backup   (SfFlashJob  *self,
                                              GFile       *dir);

gboolean     sf_flash_job_run                (SfWorker      *worker,
                                              gpointer       job,
                                              GCancellable  *cancellable,
                                              GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SfFlashJob, sf_flash_job_free)

G_END_DECLS
