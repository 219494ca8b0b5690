/* sf-job-progress.h — what a job has done so far, folded from its events
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "sf-event.h"

G_BEGIN_DECLS

/**
 * SfJobProgress:
 *
 * One job's events (sf-event.h) folded into what a person wants to see:
 * the stage, the step and its partition, bytes done of the total, the
 * speed over the last few seconds, the time left, the log lines, which
 * partitions were written, erased or only read, and the result. The
 * command line's progress bar, `download --watch`, the window and the
 * station view all read it, so they show the same figures.
 *
 * Plain data, no GTK, no threads: feed it the events of one worker on the
 * thread that drains the worker's queue.
 */
typedef enum {
  SF_JOB_STATE_RUNNING,
  SF_JOB_STATE_DONE,
  SF_JOB_STATE_FAILED,
  SF_JOB_STATE_STOPPED,     /* cancelled: Stop, Ctrl-C */
} SfJobState;

/* How far back the speed is measured. */
#define SF_JOB_PROGRESS_SPEED_WINDOW_US (3 * G_USEC_PER_SEC)

#define SF_TYPE_JOB_PROGRESS (sf_job_progress_get_type ())

G_DECLARE_FINAL_TYPE (SfJobProgress, sf_job_progress, SF, JOB_PROGRESS, GObject)

SfJobProgress       *sf_job_progress_new              (void) G_GNUC_WARN_UNUSED_RESULT;

/* Folds @event in. Returns TRUE when more than the byte counts changed
 * (a stage, a step, a log line, the result): worth a redraw now. */
gboolean             sf_job_progress_add_event        (SfJobProgress  *self,
                                                       const SfEvent  *event);

SfJobState           sf_job_progress_get_state        (SfJobProgress  *self);
/* (nullable): the last stage ("Sending the download agent"). */
const char          *sf_job_progress_get_stage        (SfJobProgress  *self);
/* (nullable): the partition of the step under way (or of the last one). */
const char          *sf_job_progress_get_partition    (SfJobProgress  *self);
/* (nullable): the step's kind ("download", "verify", …). */
const char          *sf_job_progress_get_step_kind    (SfJobProgress  *self);
gboolean             sf_job_progress_in_step          (SfJobProgress  *self);
/* Whether bytes of the step under way have moved. */
gboolean             sf_job_progress_step_moved       (SfJobProgress  *self);
guint64              sf_job_progress_get_step_done    (SfJobProgress  *self);
guint64              sf_job_progress_get_step_total   (SfJobProgress  *self);
guint64              sf_job_progress_get_done         (SfJobProgress  *self);
guint64              sf_job_progress_get_total        (SfJobProgress  *self);
/* 0 … 1 of the whole job; 0 while the total is unknown. */
double               sf_job_progress_get_fraction     (SfJobProgress  *self);
double               sf_job_progress_get_step_fraction (SfJobProgress *self);

/* Bytes a second over the last SF_JOB_PROGRESS_SPEED_WINDOW_US before
 * @now_us (g_get_monotonic_time()); 0 until two samples are that close. */
double               sf_job_progress_get_speed        (SfJobProgress  *self,
                                                       gint64          now_us);
/* Bytes a second from the first byte to the end (or to @now_us). */
double               sf_job_progress_get_average_speed (SfJobProgress *self,
                                                       gint64          now_us);
/* Seconds left at the current speed; < 0 when not known. */
double               sf_job_progress_get_eta          (SfJobProgress  *self,
                                                       gint64          now_us);
/* When the first event, the first moved byte and the end came (0: not yet). */
gint64               sf_job_progress_get_started_us   (SfJobProgress  *self);
gint64               sf_job_progress_get_first_byte_us (SfJobProgress *self);
gint64               sf_job_progress_get_ended_us     (SfJobProgress  *self);

/* (nullable): the phone, once it answered. */
const SfDeviceInfo  *sf_job_progress_get_device       (SfJobProgress  *self);
/* (nullable): why it failed or stopped. */
const GError        *sf_job_progress_get_error        (SfJobProgress  *self);
/* (element-type utf8): stage and log lines, in order. */
GPtrArray           *sf_job_progress_get_log          (SfJobProgress  *self);

/* (element-type utf8): partitions, in order, whose write (download,
 * restore) ended; whose erase ended ("the whole flash" for Format All);
 * and those only read (backup, readback). */
GPtrArray           *sf_job_progress_get_written      (SfJobProgress  *self);
GPtrArray           *sf_job_progress_get_erased       (SfJobProgress  *self);
GPtrArray           *sf_job_progress_get_read         (SfJobProgress  *self);
/* How many steps ended. */
guint                sf_job_progress_get_n_steps_done (SfJobProgress  *self);

G_END_DECLS
