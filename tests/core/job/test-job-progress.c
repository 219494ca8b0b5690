/* test-job-progress.c — one job's events folded into what people see
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "sf-error.h"
#include "sf-job-progress.h"
#include "sf-test-util.h"

#define S G_USEC_PER_SEC

static void
feed (SfJobProgress *p,
      SfEventKind    kind,
      gint64         time_us,
      const char    *partition,
      const char    *message,
      guint64        done,
      guint64        total,
      guint64        overall_done,
      guint64        overall_total)
{
  g_autoptr(SfEvent) e = sf_event_new (kind);

  e->time_us = time_us;
  e->partition = g_strdup (partition);
  e->message = g_strdup (message);
  e->done = done;
  e->total = total;
  e->overall_done = overall_done;
  e->overall_total = overall_total;
  sf_job_progress_add_event (p, e);
}

/* The speed is what moved over the last three seconds, from the first
 * byte on (the handshake before it does not count); a link that went
 * quiet has no speed; the time left follows from it. */
START_TEST (test_speed_window_and_eta)
{
  g_autoptr(SfJobProgress) p = sf_job_progress_new ();
  const guint64 total = 100 * SF_TEST_MB;
  gint64 t0 = 1000 * S;

  feed (p, SF_EVENT_STAGE, t0, NULL, "Sending the download agent", 0, 0, 0, total);
  feed (p, SF_EVENT_STEP_BEGIN, t0 + 5 * S, "SYSTEM", "download", 0, total, 0, total);
  ck_assert_double_eq (sf_job_progress_get_speed (p, t0 + 5 * S), 0);
  ck_assert_double_lt (sf_job_progress_get_eta (p, t0 + 5 * S), 0);

  /* 1 MB every 100 ms for 10 s: 10 MB/s. */
  for (guint i = 1; i <= 100; i++)
    feed (p, SF_EVENT_PROGRESS, t0 + 5 * S + i * S / 10, "SYSTEM", NULL, i * SF_TEST_MB / 2, total,
          i * 1000000, total);
  ck_assert_double_eq_tol (sf_job_progress_get_speed (p, t0 + 15 * S), 10e6, 0.5e6);
  /* 0 to 100 MB at 10 MB/s took 10 s since the first byte, not 15. */
  ck_assert_double_eq_tol (sf_job_progress_get_average_speed (p, t0 + 15 * S), 100e6 / 9.9, 0.5e6);
  ck_assert_double_eq_tol (sf_job_progress_get_fraction (p), 100e6 / (double) total, 1e-9);
  ck_assert_double_eq_tol (sf_job_progress_get_eta (p, t0 + 15 * S),
                           (double) (total - 100000000) / 10e6, 0.3);

  /* Then it slows to 1 MB/s: three seconds later the speed says so. */
  for (guint i = 1; i <= 40; i++)
    feed (p, SF_EVENT_PROGRESS, t0 + 15 * S + i * S / 10, "SYSTEM", NULL, 0, total,
          100000000 + i * 100000, total);
  ck_assert_double_eq_tol (sf_job_progress_get_speed (p, t0 + 19 * S), 1e6, 0.1e6);

  /* And stops: no speed, no time left. */
  ck_assert_double_eq (sf_job_progress_get_speed (p, t0 + 30 * S), 0);
  ck_assert_double_lt (sf_job_progress_get_eta (p, t0 + 30 * S), 0);
}
END_TEST

/* What changed on the phone is kept apart from what was only read, and a
 * failure keeps its error and the step it hit. */
START_TEST (test_lists_and_failure)
{
  g_autoptr(SfJobProgress) p = sf_job_progress_new ();
  g_autoptr(SfEvent) failed = sf_event_new (SF_EVENT_FAILED);
  const char *steps[][2] = {
    { "NVRAM", "backup" }, { NULL, "format-all" }, { "BOOTIMG", "download" },
    { "BOOTIMG", "verify" }, { "LOGO", "readback" }, { "NVRAM", "restore" }, { "CACHE", "format" },
  };
  GPtrArray *list;

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++) {
    feed (p, SF_EVENT_STEP_BEGIN, (i + 1) * S, steps[i][0], steps[i][1], 0, 10, 0, 0);
    feed (p, SF_EVENT_PROGRESS, (i + 1) * S + 1, steps[i][0], NULL, 5, 10, 0, 0);
    feed (p, SF_EVENT_STEP_END, (i + 1) * S + 2, steps[i][0], steps[i][1], 10, 10, 0, 0);
  }
  ck_assert (!sf_job_progress_in_step (p));
  ck_assert_uint_eq (sf_job_progress_get_n_steps_done (p), G_N_ELEMENTS (steps));
  list = sf_job_progress_get_written (p);
  ck_assert_uint_eq (list->len, 2);
  ck_assert_str_eq (g_ptr_array_index (list, 0), "BOOTIMG");
  ck_assert_str_eq (g_ptr_array_index (list, 1), "NVRAM");
  list = sf_job_progress_get_erased (p);
  ck_assert_uint_eq (list->len, 2);
  ck_assert_str_eq (g_ptr_array_index (list, 0), "the whole flash");
  ck_assert_str_eq (g_ptr_array_index (list, 1), "CACHE");
  list = sf_job_progress_get_read (p);
  ck_assert_uint_eq (list->len, 2);
  ck_assert_str_eq (g_ptr_array_index (list, 0), "NVRAM");
  ck_assert_str_eq (g_ptr_array_index (list, 1), "LOGO");

  feed (p, SF_EVENT_STEP_BEGIN, 20 * S, "ANDROID", "download", 0, 100, 0, 0);
  feed (p, SF_EVENT_PROGRESS, 21 * S, "ANDROID", NULL, 40, 100, 0, 0);
  ck_assert (sf_job_progress_step_moved (p));
  ck_assert_double_eq_tol (sf_job_progress_get_step_fraction (p), 0.4, 1e-9);
  failed->time_us = 22 * S;
  g_set_error_literal (&failed->error, SF_ERROR, SF_ERROR_DISCONNECTED, "gone");
  sf_job_progress_add_event (p, failed);
  ck_assert_int_eq (sf_job_progress_get_state (p), SF_JOB_STATE_FAILED);
  ck_assert (g_error_matches (sf_job_progress_get_error (p), SF_ERROR, SF_ERROR_DISCONNECTED));
  ck_assert_str_eq (sf_job_progress_get_partition (p), "ANDROID");
  ck_assert (sf_job_progress_in_step (p));
  ck_assert_int_eq (sf_job_progress_get_ended_us (p), 22 * S);
}
END_TEST

/* Stop is not a failure; success fills the bar; stages and logs are kept
 * in order; the phone's report is kept. */
START_TEST (test_states_log_device)
{
  g_autoptr(SfJobProgress) stopped = sf_job_progress_new ();
  g_autoptr(SfJobProgress) done = sf_job_progress_new ();
  g_autoptr(SfEvent) cancel = sf_event_new (SF_EVENT_FAILED);
  g_autoptr(SfEvent) device = sf_event_new (SF_EVENT_DEVICE);
  GPtrArray *log;

  g_set_error_literal (&cancel->error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "stopped");
  ck_assert (sf_job_progress_add_event (stopped, cancel));
  ck_assert_int_eq (sf_job_progress_get_state (stopped), SF_JOB_STATE_STOPPED);

  device->device = g_new0 (SfDeviceInfo, 1);
  device->device->chip = g_strdup ("MT6572");
  ck_assert (sf_job_progress_add_event (done, device));
  feed (done, SF_EVENT_STAGE, S, NULL, "Waiting for the phone", 0, 0, 0, 0);
  feed (done, SF_EVENT_LOG, S, NULL, "Port ready", 0, 0, 0, 0);
  feed (done, SF_EVENT_PROGRESS, 2 * S, "BOOT", NULL, 5, 10, 50, 100);
  ck_assert (sf_job_progress_add_event (done, device));
  feed (done, SF_EVENT_FINISHED, 3 * S, NULL, NULL, 0, 0, 0, 0);
  ck_assert_int_eq (sf_job_progress_get_state (done), SF_JOB_STATE_DONE);
  ck_assert_double_eq (sf_job_progress_get_fraction (done), 1.0);
  ck_assert_str_eq (sf_job_progress_get_device (done)->chip, "MT6572");
  ck_assert_str_eq (sf_job_progress_get_stage (done), "Waiting for the phone");
  log = sf_job_progress_get_log (done);
  ck_assert_uint_eq (log->len, 2);
  ck_assert_str_eq (g_ptr_array_index (log, 1), "Port ready");
}
END_TEST

static Suite *
job_progress_suite (void)
{
  Suite *s = suite_create ("job-progress");
  TCase *tc = tcase_create ("fold");

  tcase_add_test (tc, test_speed_window_and_eta);
  tcase_add_test (tc, test_lists_and_failure);
  tcase_add_test (tc, test_states_log_device);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return sf_test_run_suite (job_progress_suite ());
}
