/* sf-worker.c — one thread that owns a phone and reports over a queue
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The only channel between the protocol code and whoever watches it (the
 * GTK main loop or the CLI's) is a GAsyncQueue of SfEvents: the watcher
 * never blocks on the phone, and the protocol code never touches the UI. */

#include "config.h"

#include "sf-worker.h"

struct _SfWorker {
  GObject         parent_instance;

  GThread        *thread;
  GAsyncQueue    *queue;        /* (element-type SfEvent) */
  GCancellable   *cancellable;
  SfWorkerFunc    func;
  gpointer        data;
  GDestroyNotify  destroy;
  gint            running;      /* atomic */
};

G_DEFINE_FINAL_TYPE (SfWorker, sf_worker, G_TYPE_OBJECT)

static void
sf_worker_dispose (GObject *object)
{
  SfWorker *self = SF_WORKER (object);

  /* A worker outlived by nobody must not leave its thread behind. */
  if (self->thread != NULL) {
    g_cancellable_cancel (self->cancellable);
    sf_worker_join (self);
  }

  G_OBJECT_CLASS (sf_worker_parent_class)->dispose (object);
}

static void
sf_worker_finalize (GObject *object)
{
  SfWorker *self = SF_WORKER (object);

  g_clear_pointer (&self->queue, g_async_queue_unref);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (sf_worker_parent_class)->finalize (object);
}

static void
sf_worker_class_init (SfWorkerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sf_worker_dispose;
  object_class->finalize = sf_worker_finalize;
}

static void
sf_worker_init (SfWorker *self)
{
  self->queue = g_async_queue_new_full ((GDestroyNotify) sf_event_free);
  self->cancellable = g_cancellable_new ();
}

/**
 * sf_worker_new:
 *
 * Returns: (transfer full): a worker that has not started.
 */
SfWorker *
sf_worker_new (void)
{
  return g_object_new (SF_TYPE_WORKER, NULL);
}

static gpointer
worker_thread (gpointer user_data)
{
  SfWorker *self = user_data;
  g_autoptr(GError) error = NULL;
  SfEvent *done;

  if (self->func (self, self->data, self->cancellable, &error)) {
    done = sf_event_new (SF_EVENT_FINISHED);
  } else {
    done = sf_event_new (SF_EVENT_FAILED);
    if (error == NULL)
      g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_FAILED, "the job failed without saying why");
    done->error = g_steal_pointer (&error);
  }

  if (self->destroy != NULL)
    self->destroy (self->data);
  self->data = NULL;

  g_atomic_int_set (&self->running, FALSE);
  g_async_queue_push (self->queue, done);
  return NULL;
}

/**
 * sf_worker_start:
 * @name: the thread's name, for debuggers
 * @func: what to run on the thread
 * @data: (transfer full): handed to @func, freed with @destroy on the thread
 *
 * Starts the thread. A worker runs one job.
 */
void
sf_worker_start (SfWorker       *self,
                 const char     *name,
                 SfWorkerFunc    func,
                 gpointer        data,
                 GDestroyNotify  destroy)
{
  g_return_if_fail (SF_IS_WORKER (self));
  g_return_if_fail (self->thread == NULL);
  g_return_if_fail (func != NULL);

  self->func = func;
  self->data = data;
  self->destroy = destroy;
  g_atomic_int_set (&self->running, TRUE);
  self->thread = g_thread_new (name, worker_thread, self);
}

/**
 * sf_worker_get_queue:
 *
 * Returns: (transfer none): where the events arrive; the watcher pops them.
 */
GAsyncQueue *
sf_worker_get_queue (SfWorker *self)
{
  g_return_val_if_fail (SF_IS_WORKER (self), NULL);
  return self->queue;
}

/**
 * sf_worker_get_cancellable:
 *
 * Returns: (transfer none): cancelled by sf_worker_cancel().
 */
GCancellable *
sf_worker_get_cancellable (SfWorker *self)
{
  g_return_val_if_fail (SF_IS_WORKER (self), NULL);
  return self->cancellable;
}

/* Asks the job to stop at the next packet; it then fails with
 * G_IO_ERROR_CANCELLED, which watchers show as "stopped". */
void
sf_worker_cancel (SfWorker *self)
{
  g_return_if_fail (SF_IS_WORKER (self));
  g_cancellable_cancel (self->cancellable);
}

void
sf_worker_join (SfWorker *self)
{
  g_return_if_fail (SF_IS_WORKER (self));

  if (self->thread != NULL) {
    g_thread_join (self->thread);
    self->thread = NULL;
  }
}

gboolean
sf_worker_is_running (SfWorker *self)
{
  g_return_val_if_fail (SF_IS_WORKER (self), FALSE);
  return g_atomic_int_get (&self->running);
}

/**
 * sf_worker_post:
 * @event: (transfer full): what happened
 */
void
sf_worker_post (SfWorker *self,
                SfEvent  *event)
{
  g_return_if_fail (SF_IS_WORKER (self));
  g_async_queue_push (self->queue, event);
}

static void
post_text (SfWorker    *self,
           SfEventKind  kind,
           const char  *format,
           va_list      ap)
{
  SfEvent *event = sf_event_new (kind);

  event->message = g_strdup_vprintf (format, ap);
  sf_worker_post (self, event);
}

void
sf_worker_post_stage (SfWorker   *self,
                      const char *format,
                      ...)
{
  va_list ap;

  va_start (ap, format);
  post_text (self, SF_EVENT_STAGE, format, ap);
  va_end (ap);
}

void
sf_worker_post_log (SfWorker   *self,
                    const char *format,
                    ...)
{
  va_list ap;

  va_start (ap, format);
  post_text (self, SF_EVENT_LOG, format, ap);
  va_end (ap);
}
