/* sf-worker.h — one thread that owns a phone and reports over a queue
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "sf-event.h"

G_BEGIN_DECLS

#define SF_TYPE_WORKER (sf_worker_get_type ())

G_DECLARE_FINAL_TYPE (SfWorker, sf_worker, SF, WORKER, GObject)

/* Runs on the worker thread. Report with sf_worker_post(); return FALSE with
 * @error set on failure. The worker posts SF_EVENT_FINISHED or
 * SF_EVENT_FAILED itself when the function returns. */
typedef gboolean (*SfWorkerFunc) (SfWorker      *worker,
                                  gpointer       data,
                                  GCancellable  *cancellable,
                                  GError       **error);

SfWorker      *sf_worker_new              (void) G_GNUC_WARN_UNUSED_RESULT;
void           sf_worker_start            (SfWorker       *self,
                                           const char     *name,
                                           SfWorkerFunc    func,
                                           gpointer        data,
                                           GDestroyNotify  destroy);
GAsyncQueue   *sf_worker_get_queue        (SfWorker       *self);
GCancellable  *sf_worker_get_cancellable  (SfWorker       *self);
void           sf_worker_cancel           (SfWorker       *self);
void           sf_worker_join             (SfWorker       *self);
gboolean       sf_worker_is_running       (SfWorker       *self);

/* From the worker thread: */
void           sf_worker_post             (SfWorker       *self,
                                           SfEvent        *event);
void           sf_worker_post_stage       (SfWorker       *self,
                                           const char     *format,
                                           ...) G_GNUC_PRINTF (2, 3);
void           sf_worker_post_log         (SfWorker       *self,
                                           const char     *format,
                                           ...) G_GNUC_PRINTF (2, 3);

G_END_DECLS
