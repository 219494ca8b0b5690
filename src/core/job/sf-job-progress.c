/* sf-job-progress.c — what a job has done so far, folded from its events
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* One fold for every face: the command line and the window used to keep
 * four copies of this and measured speed two ways (an average since the
 * start on the terminal, three seconds in the window). */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sf-job-progress.h"

/* A speed sample at most this often; the ring covers the speed window. */
#define SAMPLE_INTERVAL_US (100 * 1000)
#define N_SAMPLES          64

typedef struct {
  gint64  time_us;
  guint64 done;
} Sample;

struct _SfJobProgress {
  GObject       parent_instance;

  SfJobState    state;
  char         *stage;
  char         *partition;
  char         *step_kind;
  gboolean      in_step;
  gboolean      step_moved;
  guint64       step_done;
  guint64       step_total;
  guint64       done;
  guint64       total;
  guint         n_steps_done;

  gint64        started_us;
  gint64        first_byte_us;
  gint64        ended_us;

  Sample        samples[N_SAMPLES];
  guint         n_samples;

  SfDeviceInfo *device;
  GError       *error;
  GPtrArray    *log;
  GPtrArray    *written;
  GPtrArray    *erased;
  GPtrArray    *read;
};

G_DEFINE_FINAL_TYPE (SfJobProgress, sf_job_progress, G_TYPE_OBJECT)

static void
sf_job_progress_finalize (GObject *object)
{
  SfJobProgress *self = SF_JOB_PROGRESS (object);

  g_free (self->stage);
  g_free (self->partition);
  g_free (self->step_kind);
  g_clear_pointer (&self->device, sf_device_info_free);
  g_clear_error (&self->error);
  g_ptr_array_unref (self->log);
  g_ptr_array_unref (self->written);
  g_ptr_array_unref (self->erased);
  g_ptr_array_unref (self->read);

  G_OBJECT_CLASS (sf_job_progress_parent_class)->finalize (object);
}

static void
sf_job_progress_class_init (SfJobProgressClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sf_job_progress_finalize;
}

static void
sf_job_progress_init (SfJobProgress *self)
{
  self->state = SF_JOB_STATE_RUNNING;
  self->log = g_ptr_array_new_with_free_func (g_free);
  self->written = g_ptr_array_new_with_free_func (g_free);
  self->erased = g_ptr_array_new_with_free_func (g_free);
  self->read = g_ptr_array_new_with_free_func (g_free);
}

SfJobProgress *
sf_job_progress_new (void)
{
  return g_object_new (SF_TYPE_JOB_PROGRESS, NULL);
}

static void
add_once (GPtrArray  *names,
          const char *name)
{
  if (name != NULL && !g_ptr_array_find_with_equal_func (names, name, g_str_equal, NULL))
    g_ptr_array_add (names, g_strdup (name));
}

static void
set_string (char       **field,
            const char  *value)
{
  if (g_strcmp0 (*field, value) != 0) {
    g_free (*field);
    *field = g_strdup (value);
  }
}

static void
add_sample (SfJobProgress *self,
            gint64         time_us,
            gboolean       force)
{
  Sample *last = self->n_samples > 0 ? &self->samples[(self->n_samples - 1) % N_SAMPLES] : NULL;

  /* A thousand events a second need not be a thousand samples. */
  if (last != NULL && !force && time_us - last->time_us < SAMPLE_INTERVAL_US) {
    last->done = MAX (last->done, self->done);
    return;
  }
  self->samples[self->n_samples % N_SAMPLES] = (Sample) { time_us, self->done };
  self->n_samples++;
}

/* Where a step's end puts its partition. */
static void
file_step (SfJobProgress *self,
           const char    *kind,
           const char    *partition)
{
  if (kind == NULL)
    return;
  if (strcmp (kind, "download") == 0 || strcmp (kind, "restore") == 0)
    add_once (self->written, partition);
  else if (strcmp (kind, "format") == 0 || strcmp (kind, "format-all") == 0)
    add_once (self->erased, partition != NULL ? partition : _("the whole flash"));
  else if (strcmp (kind, "backup") == 0 || strcmp (kind, "readback") == 0)
    add_once (self->read, partition);
}

gboolean
sf_job_progress_add_event (SfJobProgress *self,
                           const SfEvent *e)
{
  g_return_val_if_fail (SF_IS_JOB_PROGRESS (self), FALSE);
  g_return_val_if_fail (e != NULL, FALSE);

  if (self->started_us == 0)
    self->started_us = e->time_us;
  if (e->overall_total > 0) {
    self->done = e->overall_done;
    self->total = e->overall_total;
  }

  switch (e->kind) {
  case SF_EVENT_STAGE:
    set_string (&self->stage, e->message);
    g_ptr_array_add (self->log, g_strdup (e->message));
    return TRUE;

  case SF_EVENT_LOG:
    g_ptr_array_add (self->log, g_strdup (e->message));
    return TRUE;

  case SF_EVENT_DEVICE:
    g_clear_pointer (&self->device, sf_device_info_free);
    if (e->device != NULL)
      self->device = sf_device_info_copy (e->device);
    return TRUE;

  case SF_EVENT_STEP_BEGIN:
    set_string (&self->partition, e->partition);
    set_string (&self->step_kind, e->message);
    self->in_step = TRUE;
    self->step_moved = FALSE;
    self->step_done = 0;
    self->step_total = e->total;
    return TRUE;

  case SF_EVENT_PROGRESS:
    self->step_done = e->done;
    self->step_total = e->total;
    if (e->done > 0) {
      self->step_moved = TRUE;
      if (self->first_byte_us == 0) {
        self->first_byte_us = e->time_us;
        /* The speed counts from the first byte, not from the handshake. */
        add_sample (self, e->time_us, TRUE);
        return FALSE;
      }
    }
    add_sample (self, e->time_us, FALSE);
    return FALSE;

  case SF_EVENT_STEP_END:
    self->in_step = FALSE;
    self->step_done = self->step_total = e->total;
    self->n_steps_done++;
    file_step (self, e->message, e->partition);
    if (self->first_byte_us != 0)
      add_sample (self, e->time_us, FALSE);
    return TRUE;

  case SF_EVENT_FINISHED:
    self->state = SF_JOB_STATE_DONE;
    self->ended_us = e->time_us;
    self->done = self->total;
    return TRUE;

  case SF_EVENT_FAILED:
    self->ended_us = e->time_us;
    g_clear_error (&self->error);
    if (e->error != NULL)
      self->error = g_error_copy (e->error);
    self->state = g_error_matches (e->error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                    ? SF_JOB_STATE_STOPPED : SF_JOB_STATE_FAILED;
    return TRUE;

  default:
    return FALSE;
  }
}

SfJobState
sf_job_progress_get_state (SfJobProgress *self)
{
  g_return_val_if_fail (SF_IS_JOB_PROGRESS (self), SF_JOB_STATE_RUNNING);
  return self->state;
}

const char *
sf_job_progress_get_stage (SfJobProgress *self)
{
  g_return_val_if_fail (SF_IS_JOB_PROGRESS (self), NULL);
  return self->stage;
}

const char *
sf_job_progress_get_partition (SfJobProgress *self)
{
  g_return_val_if_fail (SF_IS_JOB_PROGRESS (self), NULL);
  return self->partition;
}

const char *
sf_job_progress_get_step_kind (SfJobProgress *self)
{
  g_return_val_if_fail (SF_IS_JOB_PROGRESS (self), NULL);
  return self->step_kind;
}

gboolean
sf_job_progress_in_step (SfJobProgress *self)
{
  g_return_val_if_fail (SF_IS_JOB_PROGRESS (self), FALSE);
  return self->in_step;
}

gboolean
sf_job_progress_step_moved (SfJobProgress *self)
{
  g_return_val_if_fail (SF_IS_JOB_PROGRESS (self), FALSE);
  return self->in_step && self->step_moved;
}

guint64
sf_job_progress_get_step_done (SfJobProgress *self)
{
  g_return_val_if_fail (SF_IS_JOB_PROGRESS (self), 0);
  return self->step_done;
}

guint64
sf_job_progress_get_step_total (SfJobProgress *self)
{
  g_return_val_if_fail (SF_IS_JOB_PROGRESS (self), 0);
  return self->step_total;
}

guint64
sf_job_progress_get_done (SfJobProgress *self)
{
  g_return_val_if_fail (SF_IS_JOB_PROGRESS (self), 0);
  return self->done;
}

guint64
sf_job_progress_get_total (SfJobProgress *self)
{
  g_return_val_if_fail (SF_IS_JOB_PROGRESS (self), 0);
  return self->total;
}

double
sf_job_progress_get_fraction (SfJobProgress *self)
{
  g_return_val_if_fail (SF_IS_JOB_PROGRESS (self), 0);
  if (self->total == 0)
    return 0;
  return CLAMP ((double) self->done / (double) self->total, 0.0, 1.0);
}

double
sf_job_progress_get_step_fraction (SfJobProgress *self)
{
  g_return_val_if_fail (SF_IS_JOB_PROGRESS (self), 0);
  if (self->step_total == 0)
    return 0;
  return CLAMP ((double) self->step_done / (double) self->step_total, 0.0, 1.0);
}

double
sf_job_progress_get_speed (SfJobProgress *self,
                           gint64         now_us)
{
  const Sample *last, *first = NULL;
  guint from;

  g_return_val_if_fail (SF_IS_JOB_PROGRESS (self), 0);

  if (self->n_samples < 2)
    return 0;
  last = &self->samples[(self->n_samples - 1) % N_SAMPLES];
  /* A link that went quiet has no speed, whatever it had a while ago. */
  if (self->state == SF_JOB_STATE_RUNNING && now_us - last->time_us > SF_JOB_PROGRESS_SPEED_WINDOW_US)
    return 0;
  from = self->n_samples > N_SAMPLES ? self->n_samples - N_SAMPLES : 0;
  for (guint i = from; i + 1 < self->n_samples; i++) {
    const Sample *s = &self->samples[i % N_SAMPLES];

    if (last->time_us - s->time_us <= SF_JOB_PROGRESS_SPEED_WINDOW_US) {
      first = s;
      break;
    }
  }
  if (first == NULL || last->time_us <= first->time_us || last->done < first->done)
    return 0;
  return (double) (last->done - first->done) * G_USEC_PER_SEC / (double) (last->time_us - first->time_us);
}

double
sf_job_progress_get_average_speed (SfJobProgress *self,
                                   gint64         now_us)
{
  gint64 end;
  double seconds;

  g_return_val_if_fail (SF_IS_JOB_PROGRESS (self), 0);

  if (self->first_byte_us == 0)
    return 0;
  end = self->ended_us != 0 ? self->ended_us : now_us;
  seconds = (double) (end - self->first_byte_us) / G_USEC_PER_SEC;
  if (seconds <= 0.05)
    return 0;
  return (double) self->done / seconds;
}

double
sf_job_progress_get_eta (SfJobProgress *self,
                         gint64         now_us)
{
  double speed;

  g_return_val_if_fail (SF_IS_JOB_PROGRESS (self), -1);

  if (self->state != SF_JOB_STATE_RUNNING || self->total == 0 || self->done >= self->total)
    return -1;
  speed = sf_job_progress_get_speed (self, now_us);
  if (speed <= 0)
    return -1;
  return (double) (self->total - self->done) / speed;
}

gint64
sf_job_progress_get_started_us (SfJobProgress *self)
{
  g_return_val_if_fail (SF_IS_JOB_PROGRESS (self), 0);
  return self->started_us;
}

gint64
sf_job_progress_get_first_byte_us (SfJobProgress *self)
{
  g_return_val_if_fail (SF_IS_JOB_PROGRESS (self), 0);
  return self->first_byte_us;
}

gint64
sf_job_progress_get_ended_us (SfJobProgress *self)
{
  g_return_val_if_fail (SF_IS_JOB_PROGRESS (self), 0);
  return self->ended_us;
}

const SfDeviceInfo *
sf_job_progress_get_device (SfJobProgress *self)
{
  g_return_val_if_fail (SF_IS_JOB_PROGRESS (self), NULL);
  return self->device;
}

const GError *
sf_job_progress_get_error (SfJobProgress *self)
{
  g_return_val_if_fail (SF_IS_JOB_PROGRESS (self), NULL);
  return self->error;
}

GPtrArray *
sf_job_progress_get_log (SfJobProgress *self)
{
  g_return_val_if_fail (SF_IS_JOB_PROGRESS (self), NULL);
  return self->log;
}

GPtrArray *
sf_job_progress_get_written (SfJobProgress *self)
{
  g_return_val_if_fail (SF_IS_JOB_PROGRESS (self), NULL);
  return self->written;
}

GPtrArray *
sf_job_progress_get_erased (SfJobProgress *self)
{
  g_return_val_if_fail (SF_IS_JOB_PROGRESS (self), NULL);
  return self->erased;
}

GPtrArray *
sf_job_progress_get_read (SfJobProgress *self)
{
  g_return_val_if_fail (SF_IS_JOB_PROGRESS (self), NULL);
  return self->read;
}

guint
sf_job_progress_get_n_steps_done (SfJobProgress *self)
{
  g_return_val_if_fail (SF_IS_JOB_PROGRESS (self), 0);
  return self->n_steps_done;
}
