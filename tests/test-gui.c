/* test-gui.c — the desktop app's window, against the sample firmware and the
 * virtual phone
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>

#include <adwaita.h>
#include <check.h>

#include "sf-partition-item.h"
#include "sf-sim.h"
#include "sf-test-util.h"
#include "sf-window.h"

#define MB (1024 * 1024)

static const char *sample_names[] = {
  "PRELOADER", "MBR", "EBR1", "UBOOT", "BOOTIMG", "RECOVERY",
  "SEC_RO", "LOGO", "ANDROID", "CACHE", "USRDATA",
};

/* Runs the main loop until @done says so, or @timeout_ms passes. */
static gboolean
iterate_until (gboolean (*done) (gpointer),
               gpointer   data,
               guint      timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!done (data)) {
    if (g_get_monotonic_time () > deadline)
      return FALSE;
    g_main_context_iteration (NULL, FALSE);
    g_usleep (1000);
  }
  return TRUE;
}

static gboolean
is_loaded (gpointer data)
{
  return !sf_window_is_loading (SF_WINDOW (data));
}

static gboolean
is_finished (gpointer data)
{
  SfWindowResult result = sf_window_get_result (SF_WINDOW (data));

  return result != SF_WINDOW_RESULT_RUNNING;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

static void
on_finalized (gpointer  data,
              GObject  *where_the_object_was)
{
  *(gboolean *) data = TRUE;
}

static SfWindow *
load_sample (void)
{
  const char *dir = g_getenv ("SF_SAMPLE_FIRMWARE");
  g_autoptr(GFile) file = NULL;
  SfWindow *win;

  ck_assert_msg (dir != NULL, "SF_SAMPLE_FIRMWARE is not set");
  file = g_file_new_for_path (dir);

  win = sf_window_new (NULL);
  gtk_window_present (GTK_WINDOW (win));
  sf_window_load_firmware (win, file);
  ck_assert (sf_window_is_loading (win));
  ck_assert_msg (iterate_until (is_loaded, win, 20000), "the firmware did not load");
  return win;
}

static void
destroy_and_check (SfWindow *win)
{
  gboolean finalized = FALSE;

  g_object_weak_ref (G_OBJECT (win), on_finalized, &finalized);
  gtk_window_destroy (GTK_WINDOW (win));
  ck_assert_msg (iterate_until (is_true, &finalized, 5000), "the window was not finalised");
}

START_TEST (test_window_empty)
{
  SfWindow *win = sf_window_new (NULL);

  gtk_window_present (GTK_WINDOW (win));
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  ck_assert_uint_eq (g_list_model_get_n_items (sf_window_get_partitions (win)), 0);
  ck_assert_int_eq (sf_window_get_result (win), SF_WINDOW_RESULT_NONE);
  destroy_and_check (win);
}
END_TEST

START_TEST (test_window_loads_sample)
{
  SfWindow *win = load_sample ();
  GListModel *model = sf_window_get_partitions (win);

  ck_assert_uint_eq (g_list_model_get_n_items (model), G_N_ELEMENTS (sample_names));
  for (guint i = 0; i < G_N_ELEMENTS (sample_names); i++) {
    g_autoptr(SfPartitionItem) item = g_list_model_get_item (model, i);

    ck_assert_str_eq (sf_partition_item_get_name (item), sample_names[i]);
    ck_assert (sf_partition_item_get_selectable (item));
    ck_assert (sf_partition_item_get_enabled (item));
  }
  /* Let the column view draw its rows once. */
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
  destroy_and_check (win);
}
END_TEST

START_TEST (test_window_bad_scatter)
{
  g_autofree char *dir = sf_test_make_tempdir ();
  g_autofree char *path = g_build_filename (dir, "MT6572_Android_scatter.txt", NULL);
  const char *text = "############\n- general: MTK_PLATFORM_CFG\n  info:\n    - config_version: V1.1.2\n"
                     "- partition_index: SYS0\n  partition_name: PRELOADER\n  linear_start_addr: zz\n";
  g_autoptr(GFile) file = NULL;
  SfWindow *win;

  sf_test_write_file (path, text, strlen (text));
  file = g_file_new_for_path (path);
  win = sf_window_new (NULL);
  gtk_window_present (GTK_WINDOW (win));
  sf_window_load_firmware (win, file);
  ck_assert (iterate_until (is_loaded, win, 20000));
  /* The error went to a toast; nothing is listed. */
  ck_assert_uint_eq (g_list_model_get_n_items (sf_window_get_partitions (win)), 0);
  destroy_and_check (win);
  sf_test_rm_rf (dir);
}
END_TEST

START_TEST (test_window_download)
{
  g_autofree char *storage = sf_test_make_tempdir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) da = NULL;
  g_autoptr(SfSim) sim = NULL;
  const char *da_path = g_getenv ("SF_SYNTHETIC_DA");
  SfSimOptions opts;
  SfWindow *win;

  ck_assert_msg (da_path != NULL, "SF_SYNTHETIC_DA is not set");
  sf_sim_options_init (&opts);
  opts.storage_dir = storage;
  opts.emmc_user_size = 256 * MB;
  sim = sf_sim_new (&opts, &error);
  ck_assert_msg (sim != NULL, "%s", error ? error->message : "");
  ck_assert_msg (sf_sim_start (sim, &error), "%s", error ? error->message : "");

  win = load_sample ();
  da = g_file_new_for_path (da_path);
  sf_window_set_da_file (win, da);
  sf_window_set_port (win, sf_sim_get_port_path (sim));
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.download", NULL));
  ck_assert_int_eq (sf_window_get_result (win), SF_WINDOW_RESULT_RUNNING);
  ck_assert_msg (iterate_until (is_finished, win, 100000), "the download did not end");
  ck_assert_int_eq (sf_window_get_result (win), SF_WINDOW_RESULT_DONE);
  ck_assert_uint_gt (sf_sim_get_flash_bytes (sim), 0);

  destroy_and_check (win);
  sf_sim_stop (sim);
  sf_test_rm_rf (storage);
}
END_TEST

static gboolean
has_flash_bytes (gpointer data)
{
  return sf_sim_get_flash_bytes (data) > 0;
}

START_TEST (test_window_stop)
{
  g_autofree char *storage = sf_test_make_tempdir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) da = NULL;
  g_autoptr(SfSim) sim = NULL;
  SfSimOptions opts;
  SfWindow *win;

  sf_sim_options_init (&opts);
  opts.storage_dir = storage;
  opts.emmc_user_size = 256 * MB;
  /* ~1 MB/s: slow enough to be stopped in the middle. */
  opts.pace = SF_SIM_PACE_FULL_SPEED;
  sim = sf_sim_new (&opts, &error);
  ck_assert_msg (sim != NULL, "%s", error ? error->message : "");
  ck_assert_msg (sf_sim_start (sim, &error), "%s", error ? error->message : "");

  win = load_sample ();
  da = g_file_new_for_path (g_getenv ("SF_SYNTHETIC_DA"));
  sf_window_set_da_file (win, da);
  sf_window_set_port (win, sf_sim_get_port_path (sim));
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.download", NULL));
  ck_assert_msg (iterate_until (has_flash_bytes, sim, 30000), "no data reached the phone");
  ck_assert_int_eq (sf_window_get_result (win), SF_WINDOW_RESULT_RUNNING);
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.stop", NULL));
  ck_assert_msg (iterate_until (is_finished, win, 30000), "the download did not stop");
  ck_assert_int_eq (sf_window_get_result (win), SF_WINDOW_RESULT_STOPPED);

  destroy_and_check (win);
  sf_sim_stop (sim);
  sf_test_rm_rf (storage);
}
END_TEST

static Suite *
gui_suite (void)
{
  Suite *s = suite_create ("gui");
  TCase *tc = tcase_create ("window");

  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_window_empty);
  tcase_add_test (tc, test_window_loads_sample);
  tcase_add_test (tc, test_window_bad_scatter);
  tcase_add_test (tc, test_window_download);
  tcase_add_test (tc, test_window_stop);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *runner;
  int failed;

  /* GTK cannot live across fork(): run in-process, and skip without a display. */
  if (!gtk_init_check ())
    return 77;
  adw_init ();

  runner = srunner_create (gui_suite ());
  srunner_set_fork_status (runner, CK_NOFORK);
  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
