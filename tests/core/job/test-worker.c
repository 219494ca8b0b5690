/* test-worker.c — the worker thread and its event queue
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "sf-test-util.h"
#include "sf-worker.h"

typedef struct {
  guint  steps;
  gint  *destroyed;
} Job;

static void
job_free (gpointer data)
{
  Job *job = data;

  g_atomic_int_inc (job->destroyed);
  g_free (job);
}

static gboolean
counting_job (SfWorker      *worker,
              gpointer       data,
              GCancellable  *cancellable,
              GError       **error)
{
  Job *job = data;

  sf_worker_post_stage (worker, "counting to %u", job->steps);
  for (guint i = 0; i < job->steps; i++) {
    SfEvent *event = sf_event_new (SF_EVENT_PROGRESS);

    event->step = 0;
    event->done = i + 1;
    event->total = job->steps;
    sf_worker_post (worker, event);
  }
  return TRUE;
}

static gboolean
waiting_job (SfWorker      *worker,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  sf_worker_post_log (worker, "waiting for a cancel");
  /* Like a protocol loop: look at the cancellable between packets. */
  for (guint i = 0; i < 5000; i++) {
    if (g_cancellable_set_error_if_cancelled (cancellable, error))
      return FALSE;
    g_usleep (1000);
  }
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "never cancelled");
  return FALSE;
}

static SfEvent *
pop (SfWorker *worker)
{
  SfEvent *event = g_async_queue_timeout_pop (sf_worker_get_queue (worker), 5 * G_USEC_PER_SEC);

  ck_assert_msg (event != NULL, "no event within 5 s");
  return event;
}

START_TEST (test_events_in_order)
{
  g_autoptr(SfWorker) worker = sf_worker_new ();
  gint destroyed = 0;
  Job *job = g_new0 (Job, 1);
  gint64 last = 0;

  job->steps = 100;
  job->destroyed = &destroyed;
  sf_worker_start (worker, "test", counting_job, job, job_free);

  {
    g_autoptr(SfEvent) stage = pop (worker);

    ck_assert_int_eq (stage->kind, SF_EVENT_STAGE);
    ck_assert_str_eq (stage->message, "counting to 100");
  }
  for (guint i = 0; i < 100; i++) {
    g_autoptr(SfEvent) event = pop (worker);

    ck_assert_int_eq (event->kind, SF_EVENT_PROGRESS);
    ck_assert_uint_eq (event->done, i + 1);
    ck_assert_int_ge (event->time_us, last);
    last = event->time_us;
  }
  {
    g_autoptr(SfEvent) end = pop (worker);

    ck_assert_int_eq (end->kind, SF_EVENT_FINISHED);
    ck_assert_ptr_null (end->error);
  }
  sf_worker_join (worker);
  ck_assert_int_eq (g_atomic_int_get (&destroyed), 1);
  ck_assert (!sf_worker_is_running (worker));
}
END_TEST

START_TEST (test_cancel)
{
  g_autoptr(SfWorker) worker = sf_worker_new ();
  g_autoptr(SfEvent) log = NULL;
  g_autoptr(SfEvent) end = NULL;

  sf_worker_start (worker, "test", waiting_job, NULL, NULL);
  log = pop (worker);
  ck_assert_int_eq (log->kind, SF_EVENT_LOG);
  ck_assert (sf_worker_is_running (worker));
  sf_worker_cancel (worker);
  end = pop (worker);
  ck_assert_int_eq (end->kind, SF_EVENT_FAILED);
  ck_assert (g_error_matches (end->error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
}
END_TEST

START_TEST (test_dispose_stops_thread)
{
  SfWorker *worker = sf_worker_new ();

  sf_worker_start (worker, "test", waiting_job, NULL, NULL);
  /* Dropping the last reference cancels and joins: no thread is left
   * running on freed memory (ASan would see it). */
  g_object_unref (worker);
}
END_TEST

START_TEST (test_device_info_copy)
{
  SfDeviceInfo info = { .chip = (char *) "MT6572", .hw_code = 0x6572, .storage = (char *) "EMMC",
                        .user_size = G_GUINT64_CONSTANT (4294967296) };
  g_autoptr(SfDeviceInfo) copy = sf_device_info_copy (&info);

  ck_assert_str_eq (copy->chip, "MT6572");
  ck_assert_ptr_ne (copy->chip, info.chip);
  ck_assert_str_eq (copy->storage, "EMMC");
  ck_assert_uint_eq (copy->user_size, G_GUINT64_CONSTANT (4294967296));
  ck_assert_str_eq (sf_event_kind_to_string (SF_EVENT_STEP_END), "step-end");
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("worker");
  TCase *tc = tcase_create ("worker");

  tcase_add_test (tc, test_events_in_order);
  tcase_add_test (tc, test_cancel);
  tcase_add_test (tc, test_dispose_stops_thread);
  tcase_add_test (tc, test_device_info_copy);
  suite_add_tcase (s, tc);
  return sf_test_run_suite (s);
}
