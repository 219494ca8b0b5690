/* sf-calibration.h — the phone's calibration kept safe across jobs: backups and the journal
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "sf-da.h"
#include "sf-scatter.h"

G_BEGIN_DECLS

/**
 * SfCalibration:
 *
 * What keeps a phone's calibration (NVRAM, PRO_INFO, …: the IMEI, the radio
 * calibration; irreplaceable) safe while a job may erase it.
 *
 * Each partition is read into `DIR/<phone id>/<date and time>/NAME.bin`
 * (written as NAME.bin.partial, synced, then renamed, with its SHA-256 in
 * manifest.ini). Before the first step that may erase any of it, the
 * journal `$XDG_DATA_HOME/scatterflash/journal/<phone id>.ini` is written:
 * those backups are *pending restore* at their places on that phone. It
 * has one place per user, whichever DIR the backups went to. It is removed only once
 * the phone has been read back and found to hold exactly the backed-up
 * bytes. Any later job on the same phone (same chip and eMMC CID) that
 * finds the journal puts the calibration back first, from that backup, and
 * so never takes a fresh "backup" of erased calibration in its place.
 *
 * A partition that reads as one byte value throughout (all 0x00 or all
 * 0xFF) holds no calibration: it is saved but never made pending.
 *
 * Used on a worker thread only; one per job.
 */
typedef struct _SfCalibration SfCalibration;

/* Where the module's sentences for the job's log go. */
typedef void (*SfCalibrationLogFunc) (const char *message,
                                      gpointer    user_data);

/* @backup_dir: the folder that holds one folder per phone; @journal_dir:
 * (nullable) where the journals are (NULL: the user's); @phone_id: the
 * phone's name there ("MT6572-<CID in hex>", sf_calibration_phone_id()). */
SfCalibration  *sf_calibration_new               (GFile                *backup_dir,
                                                  GFile                *journal_dir,
                                                  const char           *phone_id) G_GNUC_WARN_UNUSED_RESULT;
void            sf_calibration_free              (SfCalibration        *self);

/* "MT6572-1501004b…": the chip and the eMMC CID, which tells one phone from
 * another. */
char           *sf_calibration_phone_id          (const char           *chip,
                                                  const guint8         *cid,
                                                  gsize                 cid_len) G_GNUC_WARN_UNUSED_RESULT;

/* What the manifest says of the phone, and the scatter (with its layout)
 * whose partitions are backed up: the folder gets a scatter file naming
 * its images, so that `scatterflash-cli restore FOLDER` (and SP Flash
 * Tool) can write them back. */
void            sf_calibration_set_phone         (SfCalibration        *self,
                                                  const char           *chip,
                                                  guint64               user_size);
void            sf_calibration_set_scatter       (SfCalibration        *self,
                                                  SfScatter            *scatter,
                                                  SfLayout             *layout);

void            sf_calibration_set_log_func      (SfCalibration        *self,
                                                  SfCalibrationLogFunc  func,
                                                  gpointer              user_data);

/* Reads the journal, if the phone has one. FALSE only when it exists and
 * cannot be read (a damaged journal is an error, never ignored). */
gboolean        sf_calibration_load_journal      (SfCalibration        *self,
                                                  GError              **error);
gboolean        sf_calibration_is_pending        (SfCalibration        *self);
/* (nullable) (transfer none): the folder of the pending backup. */
GFile          *sf_calibration_get_pending_folder (SfCalibration       *self);
/* "NVRAM, PRO_INFO": the partitions pending restore. */
char           *sf_calibration_list_pending      (SfCalibration        *self) G_GNUC_WARN_UNUSED_RESULT;

/* (nullable) (transfer none): this job's backup folder, once made. */
GFile          *sf_calibration_get_folder        (SfCalibration        *self);
/* Makes this job's backup folder (a new one, never one that exists). */
gboolean        sf_calibration_ensure_folder     (SfCalibration        *self,
                                                  GCancellable         *cancellable,
                                                  GError              **error);

/* Reads @size bytes at @offset of eMMC partition @part into NAME.bin of
 * this job's folder and records it, with @address (the scatter's) for the
 * manifest. The place is also where a restore writes it back, unless
 * sf_calibration_set_target() moves it. */
gboolean        sf_calibration_backup            (SfCalibration        *self,
                                                  SfDa                 *da,
                                                  const char           *name,
                                                  guint                 part,
                                                  guint64               offset,
                                                  guint64               size,
                                                  guint64               address,
                                                  SfProgressFunc        progress,
                                                  gpointer              user_data,
                                                  GCancellable         *cancellable,
                                                  GError              **error);
/* Whether this job's backup of @name read as one byte value throughout. */
gboolean        sf_calibration_is_blank          (SfCalibration        *self,
                                                  const char           *name);
/* A backup goes back elsewhere (Firmware Upgrade: a kept partition that the
 * new layout moves). */
void            sf_calibration_set_target        (SfCalibration        *self,
                                                  const char           *name,
                                                  guint                 part,
                                                  guint64               offset);

/* Writes the journal: every backup of this job that holds data is pending
 * restore. Call before the first step that may erase calibration. Does
 * nothing (and returns TRUE) when there is nothing to keep. */
gboolean        sf_calibration_arm               (SfCalibration        *self,
                                                  const char           *what,
                                                  GError              **error);

/* Writes the backup of @name to its place and reads it back against its
 * SHA-256. */
gboolean        sf_calibration_restore           (SfCalibration        *self,
                                                  SfDa                 *da,
                                                  const char           *name,
                                                  SfProgressFunc        progress,
                                                  gpointer              user_data,
                                                  GCancellable         *cancellable,
                                                  GError              **error);

/* Puts back what the journal says is pending: each partition is read and
 * compared with its backup; one that differs is written back and checked
 * again. When all match, the journal is removed. */
gboolean        sf_calibration_recover           (SfCalibration        *self,
                                                  SfDa                 *da,
                                                  SfProgressFunc        progress,
                                                  gpointer              user_data,
                                                  GCancellable         *cancellable,
                                                  GError              **error);

/* Removes the journal without a restore: the erase was what the user asked
 * for (Format with calibration). The backup folder stays. */
gboolean        sf_calibration_release           (SfCalibration        *self,
                                                  GError              **error);

/* One or two sentences for a job that failed while calibration is pending:
 * where the backup is and the command that puts it back. NULL when nothing
 * is pending. */
char           *sf_calibration_describe_pending  (SfCalibration        *self) G_GNUC_WARN_UNUSED_RESULT;

/* The newest earlier backup of this phone in which @name holds data, or
 * NULL: said when the phone's own copy reads blank. */
GFile          *sf_calibration_find_earlier      (SfCalibration        *self,
                                                  const char           *name) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SfCalibration, sf_calibration_free)

G_END_DECLS
