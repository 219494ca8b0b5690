/* sf-flash-job-private.h — what the files of a flash job share: the job,
 * the session it runs, and the steps each file provides
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sf-calibration.h"
#include "sf-da.h"
#include "sf-flash-job.h"
#include "sf-partition-table.h"

G_BEGIN_DECLS

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
  SfFirmware  *emi_firmware;     /* without a plan: the open firmware, for its preloader's */
  GHashTable  *readback_files;   /* upper-case partition name → GFile */
  GFile       *backup_dir;       /* where backup folders are made */
  SfPlan      *raw;              /* (nullable) sf_plan_new_raw(): the job's own erases, reads and
                                  * table backups, run after @plan's steps */
};

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
  GArray      *moves;          /* (element-type SfFlashMove) Firmware Upgrade: kept partitions that moved */
  SfCalibration *calibration;  /* the phone's calibration backups and journal (sf-calibration.h) */
  gboolean     armed;          /* the journal is written (or there was nothing to keep) */
  gboolean     raw_begun;      /* the calibration a raw erase reaches is backed up */
} SfFlashSession;

/* A PROTECTED/BINREGION partition the new layout puts elsewhere with the
 * same size: backed up at @from, restored at @to after the downloads. */
typedef struct {
  SfPartition *partition;
  guint64      from;
  guint64      to;
  guint64      size;
} SfFlashMove;

/* sf-flash-job.c: events and reading */
void sf_flash_session_on_progress (guint64  done,
                                   guint64  total,
                                   gpointer user_data);
void sf_flash_session_begin_step (SfFlashSession *s,
                                  gint            step,
                                  const char     *partition,
                                  const char     *what,
                                  guint64         bytes);
void sf_flash_session_end_step (SfFlashSession *s,
                                const char     *what);
gboolean sf_flash_session_read_to_file (SfFlashSession  *s,
                                        guint            part,
                                        guint64          offset,
                                        guint64          length,
                                        GFile           *target,
                                        GCancellable    *cancellable,
                                        GError         **error);
GInputStream *sf_flash_session_open_image (SfFlashSession    *s,
                                           const SfPlanStep  *step,
                                           GCancellable      *cancellable,
                                           GError           **error);

/* sf-flash-job-connect.c */
gboolean sf_flash_session_connect (SfFlashSession  *s,
                                   GCancellable    *cancellable,
                                   GError         **error);
gboolean sf_flash_session_check_preloader (SfFlashSession    *s,
                                           const SfPlanStep  *step,
                                           guint              part,
                                           GCancellable      *cancellable,
                                           GError           **error);

/* sf-flash-job-checks.c */
gboolean sf_flash_session_check_images (SfFlashSession  *s,
                                        GCancellable    *cancellable,
                                        GError         **error);
gboolean sf_flash_session_check_download_only (SfFlashSession  *s,
                                               GError         **error);
gboolean sf_flash_session_check_firmware_upgrade (SfFlashSession  *s,
                                                  GError         **error);
const SfFlashMove *sf_flash_session_find_move (SfFlashSession    *s,
                                               const SfPartition *partition);
gboolean sf_flash_session_check_table_fits (SfFlashSession  *s,
                                            GError         **error);
gboolean sf_flash_session_write_table (SfFlashSession  *s,
                                       GCancellable    *cancellable,
                                       GError         **error);
gboolean sf_flash_session_verify_download (SfFlashSession    *s,
                                           const SfPlanStep  *step,
                                           guint              part,
                                           guint64            offset,
                                           GCancellable      *cancellable,
                                           GError           **error);

/* sf-flash-job-calibration.c */
gboolean sf_flash_session_open_calibration (SfFlashSession  *s,
                                            GCancellable    *cancellable,
                                            GError         **error);
gboolean sf_flash_session_backup_before_raw_erase (SfFlashSession  *s,
                                                   GCancellable    *cancellable,
                                                   GError         **error);
gboolean sf_flash_session_run_backup (SfFlashSession    *s,
                                      const SfPlanStep  *step,
                                      guint              part,
                                      guint64            offset,
                                      GCancellable      *cancellable,
                                      GError           **error);
gboolean sf_flash_session_run_restore (SfFlashSession    *s,
                                       const SfPlanStep  *step,
                                       guint              part,
                                       guint64            offset,
                                       GCancellable      *cancellable,
                                       GError           **error);
gboolean sf_flash_session_run_moves (SfFlashSession  *s,
                                     GCancellable    *cancellable,
                                     GError         **error);
gboolean sf_flash_session_settle_calibration (SfFlashSession  *s,
                                              GCancellable    *cancellable,
                                              GError         **error);
void sf_flash_session_put_calibration_back (SfFlashSession  *s,
                                            GError         **error);
G_END_DECLS
