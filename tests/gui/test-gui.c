/* test-gui.c — the desktop app's window, against the sample firmware and the
 * virtual phone
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <adwaita.h>
#include <check.h>

#include "sf-phone-page.h"
#include "sf-error.h"
#include "sf-format-page.h"
#include "sf-readback-page.h"
#include "sf-partition-item.h"
#include "sf-preferences-window.h"
#include "sf-sim.h"
#include "sf-station-view.h"
#include "sf-test-gui.h"
#include "sf-test-util.h"
#include "sf-usb-device.h"
#include "sf-window.h"

#define MB (1024 * 1024)

static const char *sample_names[] = {
  "PRELOADER", "MBR", "EBR1", "UBOOT", "BOOTIMG", "RECOVERY",
  "SEC_RO", "LOGO", "ANDROID", "CACHE", "USRDATA",
};

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
  gtk_window_set_default_size (GTK_WINDOW (win), 1000, 720);
  gtk_window_present (GTK_WINDOW (win));
  sf_window_load_firmware (win, file);
  ck_assert (sf_window_is_loading (win));
  ck_assert_msg (sf_test_gui_iterate_until (is_loaded, win, 20000), "the firmware did not load");
  return win;
}

/* A virtual phone (256 MiB of user area) on @storage, plugged in. With
 * @board (sample-a, sample-b) it is a real phone in BootROM mode, whose
 * DRAM starts only with its board's own settings (protocol.md §13.3). */
static SfSim *
start_phone_on_board (const char *storage,
                      SfSimPace   pace,
                      const char *board)
{
  g_autoptr(GError) error = NULL;
  SfSimOptions opts;
  SfSim *sim;

  sf_sim_options_init (&opts);
  opts.storage_dir = storage;
  opts.emmc_user_size = 256 * MB;
  opts.pace = pace;
  if (board != NULL)
    ck_assert (sf_sim_parse_board (board, &opts.board, NULL));
  sim = sf_sim_new (&opts, &error);
  ck_assert_msg (sim != NULL, "%s", error ? error->message : "");
  ck_assert_msg (sf_sim_start (sim, &error), "%s", error ? error->message : "");
  return sim;
}

static SfSim *
start_phone (const char *storage,
             SfSimPace   pace)
{
  return start_phone_on_board (storage, pace, NULL);
}

static void
destroy_and_check (SfWindow *win)
{
  gboolean finalized = FALSE;

  g_object_weak_ref (G_OBJECT (win), on_finalized, &finalized);
  gtk_window_destroy (GTK_WINDOW (win));
  ck_assert_msg (sf_test_gui_iterate_until (is_true, &finalized, 5000), "the window was not finalised");
}

static SfPartitionItem *
find_item (SfWindow   *win,
           const char *name)
{
  GListModel *model = sf_window_get_partitions (win);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++) {
    g_autoptr(SfPartitionItem) item = g_list_model_get_item (model, i);

    if (g_str_equal (sf_partition_item_get_name (item), name))
      return item;
  }
  ck_abort_msg ("no row %s", name);
  return NULL;
}

static gboolean
log_has (SfWindow   *win,
         const char *text)
{
  g_autofree char *log = sf_window_get_log (win);

  return strstr (log, text) != NULL;
}

typedef struct {
  const char *path;
  const char *text;
} FileText;

static gboolean
file_text_there (gpointer data)
{
  FileText *ft = data;
  g_autofree char *contents = NULL;

  return g_file_get_contents (ft->path, &contents, NULL, NULL) && strstr (contents, ft->text) != NULL;
}

/* Whether @path comes to hold @text within @timeout_ms (files are written
 * in the background). */
static gboolean
file_has (const char *path,
          const char *text,
          guint       timeout_ms)
{
  FileText ft = { path, text };

  return sf_test_gui_iterate_until (file_text_there, &ft, timeout_ms);
}

static SfWindow *
practice_window_sized (const char *pace,
                       const char *fault,
                       int         width,
                       int         height)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) da = g_file_new_for_path (g_getenv ("SF_SYNTHETIC_DA"));
  SfWindow *win = sf_window_new (NULL);

  gtk_window_set_default_size (GTK_WINDOW (win), width, height);
  gtk_window_present (GTK_WINDOW (win));
  sf_window_set_da_file (win, da);
  ck_assert_msg (sf_window_set_practice_pace (win, pace, &error), "%s", error ? error->message : "");
  ck_assert_msg (sf_window_set_practice_fault (win, fault, &error), "%s", error ? error->message : "");
  sf_window_set_practice (win, TRUE);
  ck_assert (sf_window_get_practice (win));
  ck_assert_msg (sf_test_gui_iterate_until (is_loaded, win, 20000), "the sample firmware did not load");
  ck_assert_uint_eq (g_list_model_get_n_items (sf_window_get_partitions (win)), G_N_ELEMENTS (sample_names));
  return win;
}

static SfWindow *
practice_window (const char *pace,
                 const char *fault)
{
  return practice_window_sized (pace, fault, 1000, 720);
}


/* A copy of the sample firmware in a new folder (returned), without the
 * file @skip, and with @from replaced by @to in its scatter file. */
static char *
copy_sample (const char *skip,
             const char *from,
             const char *to)
{
  char *dir = sf_test_make_tempdir ();
  const char *sample = g_getenv ("SF_SAMPLE_FIRMWARE");
  g_autoptr(GDir) listing = g_dir_open (sample, 0, NULL);
  const char *name;

  ck_assert_ptr_nonnull (listing);
  while ((name = g_dir_read_name (listing)) != NULL) {
    g_autofree char *src = g_build_filename (sample, name, NULL);
    g_autofree char *dst = g_build_filename (dir, name, NULL);
    g_autofree char *contents = NULL;
    gsize len;

    if (skip != NULL && g_str_equal (name, skip))
      continue;
    ck_assert (g_file_get_contents (src, &contents, &len, NULL));
    if (from != NULL && g_str_has_suffix (name, "_scatter.txt")) {
      g_auto(GStrv) parts = g_strsplit (contents, from, -1);

      ck_assert_uint_eq (g_strv_length (parts), 2);
      g_free (contents);
      contents = g_strjoinv (to, parts);
      len = strlen (contents);
    }
    sf_test_write_file (dst, contents, len);
  }
  return dir;
}

static void
load_into (SfWindow   *win,
           const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  sf_window_load_firmware (win, file);
  ck_assert_msg (sf_test_gui_iterate_until (is_loaded, win, 20000), "%s did not load", path);
}

/* Chooses @scene in the Download page's Scene row, as a click in its list
 * would. */
static void
choose_scene (SfWindow *win,
              SfScene   scene)
{
  GtkWidget *row = sf_test_gui_find_row (GTK_WIDGET (win), "Scene");
  GListModel *model;

  ck_assert_msg (row != NULL && ADW_IS_COMBO_ROW (row), "no Scene row");
  model = adw_combo_row_get_model (ADW_COMBO_ROW (row));
  for (guint i = 0; i < g_list_model_get_n_items (model); i++) {
    if (g_str_equal (gtk_string_list_get_string (GTK_STRING_LIST (model), i), sf_scene_get_title (scene))) {
      adw_combo_row_set_selected (ADW_COMBO_ROW (row), i);
      return;
    }
  }
  ck_abort_msg ("the Scene row does not offer %s", sf_scene_get_title (scene));
}

static gboolean
banner_has (SfWindow   *win,
            const char *text)
{
  const char *banner = sf_window_get_banner (win);

  return banner != NULL && strstr (banner, text) != NULL;
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
  /* The bundled DA says it is for the virtual phone only. */
  ck_assert_msg (strstr (sf_window_get_da_status (win), "virtual phone only") != NULL, "%s",
                 sf_window_get_da_status (win));
  for (guint i = 0; i < G_N_ELEMENTS (sample_names); i++) {
    g_autoptr(SfPartitionItem) item = g_list_model_get_item (model, i);

    ck_assert_str_eq (sf_partition_item_get_name (item), sample_names[i]);
    ck_assert (sf_partition_item_get_selectable (item));
    ck_assert (sf_partition_item_get_enabled (item));
  }
  /* Let the column view draw its rows once. */
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
  sf_test_gui_set_dark (FALSE);
  sf_test_gui_screenshot (GTK_WIDGET (win), "download");
  sf_test_gui_set_dark (TRUE);
  sf_test_gui_screenshot (GTK_WIDGET (win), "download");
  sf_test_gui_set_dark (FALSE);
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
  ck_assert (sf_test_gui_iterate_until (is_loaded, win, 20000));
  /* Nothing is listed; the banner says why, with the line and the advice. */
  ck_assert_uint_eq (g_list_model_get_n_items (sf_window_get_partitions (win)), 0);
  ck_assert_msg (banner_has (win, "MT6572_Android_scatter.txt:7"), "%s",
                 sf_window_get_banner (win) ? sf_window_get_banner (win) : "no banner");
  ck_assert_msg (banner_has (win, " — "), "the advice is missing: %s", sf_window_get_banner (win));
  sf_test_gui_screenshot (GTK_WIDGET (win), "unreadable");
  /* A good firmware clears it. */
  load_into (win, g_getenv ("SF_SAMPLE_FIRMWARE"));
  ck_assert_ptr_null (sf_window_get_banner (win));
  destroy_and_check (win);
  sf_test_rm_rf (dir);
}
END_TEST

START_TEST (test_window_download)
{
  g_autofree char *storage = sf_test_make_tempdir ();
  g_autoptr(GFile) da = NULL;
  g_autoptr(SfSim) sim = NULL;
  const char *da_path = g_getenv ("SF_SYNTHETIC_DA");
  SfWindow *win;

  ck_assert_msg (da_path != NULL, "SF_SYNTHETIC_DA is not set");
  sim = start_phone (storage, SF_SIM_PACE_NONE);

  win = load_sample ();
  da = g_file_new_for_path (da_path);
  sf_window_set_da_file (win, da);
  sf_window_set_port (win, sf_sim_get_port_path (sim));
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.download", NULL));
  ck_assert_int_eq (sf_window_get_result (win), SF_WINDOW_RESULT_RUNNING);
  ck_assert_msg (sf_test_gui_iterate_until (is_finished, win, 100000), "the download did not end");
  ck_assert_msg (sf_window_get_result (win) == SF_WINDOW_RESULT_DONE, "%s",
                 sf_window_get_error (win) ? sf_window_get_error (win)->message : "?");
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
  g_autoptr(GFile) da = NULL;
  g_autoptr(SfSim) sim = NULL;
  SfWindow *win;

  /* ~1 MB/s: slow enough to be stopped in the middle. */
  sim = start_phone (storage, SF_SIM_PACE_FULL_SPEED);

  win = load_sample ();
  da = g_file_new_for_path (g_getenv ("SF_SYNTHETIC_DA"));
  sf_window_set_da_file (win, da);
  sf_window_set_port (win, sf_sim_get_port_path (sim));
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.download", NULL));
  ck_assert_msg (sf_test_gui_iterate_until (has_flash_bytes, sim, 30000), "no data reached the phone");
  ck_assert_int_eq (sf_window_get_result (win), SF_WINDOW_RESULT_RUNNING);
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.stop", NULL));
  ck_assert_msg (sf_test_gui_iterate_until (is_finished, win, 30000), "the download did not stop");
  ck_assert_int_eq (sf_window_get_result (win), SF_WINDOW_RESULT_STOPPED);

  destroy_and_check (win);
  sf_sim_stop (sim);
  sf_test_rm_rf (storage);
}
END_TEST


START_TEST (test_window_ticks)
{
  g_autofree char *storage = sf_test_make_tempdir ();
  g_autoptr(GFile) da = NULL;
  g_autoptr(SfSim) sim = NULL;
  SfWindow *win;
  SfPartitionItem *logo;

  win = load_sample ();
  /* Untick everything with "select all", then tick two rows back. */
  for (guint i = 0; i < G_N_ELEMENTS (sample_names); i++)
    sf_partition_item_set_enabled (find_item (win, sample_names[i]), FALSE);
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.download", NULL));
  /* Nothing ticked: nothing starts. */
  ck_assert_int_eq (sf_window_get_result (win), SF_WINDOW_RESULT_NONE);

  sf_partition_item_set_enabled (find_item (win, "PRELOADER"), TRUE);
  sf_partition_item_set_enabled (find_item (win, "BOOTIMG"), TRUE);
  logo = find_item (win, "LOGO");
  ck_assert (!sf_partition_item_get_enabled (logo));

  sim = start_phone (storage, SF_SIM_PACE_NONE);
  da = g_file_new_for_path (g_getenv ("SF_SYNTHETIC_DA"));
  sf_window_set_da_file (win, da);
  sf_window_set_port (win, sf_sim_get_port_path (sim));
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.download", NULL));
  ck_assert_msg (sf_test_gui_iterate_until (is_finished, win, 60000), "the download did not end");
  ck_assert_int_eq (sf_window_get_result (win), SF_WINDOW_RESULT_DONE);
  /* Only the ticked rows were written: boot.img and the preloader. */
  ck_assert_msg (log_has (win, "BOOTIMG"), "BOOTIMG was not written");
  ck_assert_msg (log_has (win, "PRELOADER"), "PRELOADER was not written");
  ck_assert_msg (!log_has (win, "LOGO"), "LOGO was written though unticked");
  ck_assert_msg (!log_has (win, "ANDROID"), "ANDROID was written though unticked");

  destroy_and_check (win);
  sf_sim_stop (sim);
  sf_test_rm_rf (storage);
}
END_TEST

/* A firmware folder with one image missing: that row cannot be ticked and
 * says why; picking another file makes it tickable. */
START_TEST (test_window_missing_image)
{
  g_autofree char *dir = sf_test_make_tempdir ();
  const char *sample = g_getenv ("SF_SAMPLE_FIRMWARE");
  g_autoptr(GDir) listing = g_dir_open (sample, 0, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) folder = g_file_new_for_path (dir);
  g_autofree char *logo_path = g_build_filename (sample, "logo.bin", NULL);
  g_autoptr(GFile) logo_file = g_file_new_for_path (logo_path);
  const char *name;
  SfPartitionItem *logo;
  SfWindow *win;

  while ((name = g_dir_read_name (listing)) != NULL) {
    g_autofree char *from = g_build_filename (sample, name, NULL);
    g_autofree char *to = g_build_filename (dir, name, NULL);
    g_autofree char *contents = NULL;
    gsize len;

    if (g_str_equal (name, "logo.bin"))
      continue;
    ck_assert (g_file_get_contents (from, &contents, &len, NULL));
    sf_test_write_file (to, contents, len);
  }

  win = sf_window_new (NULL);
  gtk_window_present (GTK_WINDOW (win));
  sf_window_load_firmware (win, folder);
  ck_assert (sf_test_gui_iterate_until (is_loaded, win, 20000));
  logo = find_item (win, "LOGO");
  ck_assert (!sf_partition_item_get_selectable (logo));
  ck_assert (!sf_partition_item_get_enabled (logo));
  ck_assert_ptr_nonnull (sf_partition_item_get_problem (logo));
  ck_assert_msg (strstr (sf_partition_item_get_problem (logo), "logo.bin") != NULL,
                 "%s", sf_partition_item_get_problem (logo));
  /* Ticking it is refused. */
  sf_partition_item_set_enabled (logo, TRUE);
  ck_assert (!sf_partition_item_get_enabled (logo));
  ck_assert (sf_partition_item_get_selectable (find_item (win, "BOOTIMG")));
  /* The others are ticked, and the banner says what is missing. */
  ck_assert (sf_partition_item_get_enabled (find_item (win, "BOOTIMG")));
  ck_assert (sf_partition_item_get_enabled (find_item (win, "ANDROID")));
  ck_assert_msg (banner_has (win, "LOGO") && banner_has (win, "logo.bin"), "%s",
                 sf_window_get_banner (win) ? sf_window_get_banner (win) : "no banner");
  sf_test_gui_settle (100);
  sf_test_gui_screenshot (GTK_WIDGET (win), "missing-image");
  sf_test_gui_set_dark (TRUE);
  sf_test_gui_screenshot (GTK_WIDGET (win), "missing-image");
  sf_test_gui_set_dark (FALSE);

  ck_assert_msg (sf_window_set_partition_image (win, "LOGO", logo_file, &error), "%s",
                 error ? error->message : "");
  ck_assert (sf_partition_item_get_selectable (logo));
  ck_assert (sf_partition_item_get_enabled (logo));
  ck_assert_str_eq (sf_partition_item_get_file (logo), logo_path);
  ck_assert_ptr_null (sf_window_get_banner (win));
  sf_test_gui_settle (100);

  destroy_and_check (win);
  sf_test_rm_rf (dir);
}
END_TEST

START_TEST (test_window_practice)
{
  g_autofree char *user_bin = g_build_filename (g_get_user_cache_dir (), "scatterflash", "practice-phone",
                                                "user.bin", NULL);
  SfWindow *win;

  sf_test_gui_set_dark (FALSE);
  win = practice_window ("high-speed", NULL);
  sf_test_gui_set_dark (TRUE);
  sf_test_gui_screenshot (GTK_WIDGET (win), "practice");
  sf_test_gui_set_dark (FALSE);

  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.download", NULL));
  ck_assert_int_eq (sf_window_get_result (win), SF_WINDOW_RESULT_RUNNING);
  ck_assert_msg (sf_test_gui_iterate_until (is_finished, win, 60000), "the practice download did not end");
  ck_assert_msg (sf_window_get_result (win) == SF_WINDOW_RESULT_DONE, "%s",
                 sf_window_get_error (win) ? sf_window_get_error (win)->message : "?");
  ck_assert_msg (log_has (win, "MT6572"), "the log does not name the phone");
  ck_assert (g_file_test (user_bin, G_FILE_TEST_IS_REGULAR));
  sf_test_gui_screenshot (GTK_WIDGET (win), "result");

  /* Again: the same job on the (same) next phone. */
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.again", NULL));
  ck_assert_int_eq (sf_window_get_result (win), SF_WINDOW_RESULT_RUNNING);
  ck_assert_msg (sf_test_gui_iterate_until (is_finished, win, 60000), "the second practice download did not end");
  ck_assert_int_eq (sf_window_get_result (win), SF_WINDOW_RESULT_DONE);

  destroy_and_check (win);
}
END_TEST

START_TEST (test_window_practice_fault)
{
  const GError *error;
  SfWindow *win;

  sf_test_gui_set_dark (FALSE);
  win = practice_window ("none", "dram-fail");
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.download", NULL));
  ck_assert_msg (sf_test_gui_iterate_until (is_finished, win, 60000), "the practice download did not end");
  ck_assert_int_eq (sf_window_get_result (win), SF_WINDOW_RESULT_FAILED);
  error = sf_window_get_error (win);
  ck_assert_ptr_nonnull (error);
  ck_assert_msg (g_error_matches (error, SF_ERROR, SF_ERROR_FT_ENABLE_DRAM_FAIL), "%s", error->message);
  /* The named error and its number are on screen and in the log. */
  ck_assert_msg (log_has (win, "S_FT_ENABLE_DRAM_FAIL (4032)"), "the log lacks the error name");
  sf_test_gui_screenshot (GTK_WIDGET (win), "error");

  /* Save Log writes the log as shown, error name and all. */
  {
    g_autofree char *dir = sf_test_make_tempdir ();
    g_autofree char *path = g_build_filename (dir, "saved.log", NULL);
    g_autoptr(GFile) file = g_file_new_for_path (path);

    ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.save-log", NULL));
    ck_assert_msg (sf_test_gui_choose_file (file, 5000), "Save Log opened no file chooser");
    ck_assert_msg (file_has (path, "S_FT_ENABLE_DRAM_FAIL (4032)", 5000), "the saved log lacks the error name");
    sf_test_rm_rf (dir);
  }

  /* The phone is recoverable: the next run, without the fault, succeeds. */
  ck_assert (sf_window_set_practice_fault (win, NULL, NULL));
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.again", NULL));
  ck_assert_msg (sf_test_gui_iterate_until (is_finished, win, 60000), "the second practice download did not end");
  ck_assert_int_eq (sf_window_get_result (win), SF_WINDOW_RESULT_DONE);
  destroy_and_check (win);
}
END_TEST

static gboolean
has_progress (gpointer data)
{
  guint64 done = 0;

  sf_window_get_progress (SF_WINDOW (data), &done, NULL);
  return done > 0 || sf_window_get_result (SF_WINDOW (data)) != SF_WINDOW_RESULT_RUNNING;
}

START_TEST (test_window_practice_stop)
{
  guint64 done = 0, total = 0;
  SfWindow *win;

  sf_test_gui_set_dark (FALSE);
  /* ~1 MB/s: slow enough to be stopped in the middle. */
  win = practice_window ("full-speed", NULL);
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.download", NULL));
  ck_assert_msg (sf_test_gui_iterate_until (has_progress, win, 30000), "no progress");
  ck_assert_int_eq (sf_window_get_result (win), SF_WINDOW_RESULT_RUNNING);
  sf_test_gui_settle (400);
  sf_window_get_progress (win, &done, &total);
  ck_assert_uint_gt (total, done);
  sf_test_gui_screenshot (GTK_WIDGET (win), "progress");
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.stop", NULL));
  ck_assert_msg (sf_test_gui_iterate_until (is_finished, win, 30000), "the download did not stop");
  ck_assert_int_eq (sf_window_get_result (win), SF_WINDOW_RESULT_STOPPED);
  destroy_and_check (win);
}
END_TEST

/* Readback and Identify from their pages, on the practice phone that the
 * download wrote. */
START_TEST (test_window_practice_pages)
{
  g_autofree char *dir = sf_test_make_tempdir ();
  g_autoptr(GFile) folder = g_file_new_for_path (dir);
  g_autofree char *boot_path = g_build_filename (g_getenv ("SF_SAMPLE_FIRMWARE"), "boot.img", NULL);
  g_autofree char *read_path = g_build_filename (dir, "BOOTIMG.bin", NULL);
  g_autofree char *boot = NULL;
  g_autofree char *read = NULL;
  const char *names[] = { "BOOTIMG", NULL };
  const SfDeviceInfo *info;
  gsize boot_len, read_len;
  SfWindow *win;
  GtkWidget *page;

  sf_test_gui_set_dark (FALSE);
  win = practice_window ("none", NULL);
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.download", NULL));
  ck_assert_msg (sf_test_gui_iterate_until (is_finished, win, 60000), "the practice download did not end");
  ck_assert_int_eq (sf_window_get_result (win), SF_WINDOW_RESULT_DONE);
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.back", NULL));

  /* Phone page: identify. */
  page = sf_window_get_page (win, "phone");
  ck_assert_ptr_nonnull (page);
  sf_window_show_page (win, "phone");
  sf_test_gui_screenshot (GTK_WIDGET (win), "device-empty");
  g_signal_emit_by_name (page, "identify");
  ck_assert_int_eq (sf_window_get_result (win), SF_WINDOW_RESULT_RUNNING);
  ck_assert_msg (sf_test_gui_iterate_until (is_finished, win, 60000), "identify did not end");
  ck_assert_msg (sf_window_get_result (win) == SF_WINDOW_RESULT_DONE, "%s",
                 sf_window_get_error (win) ? sf_window_get_error (win)->message : "?");
  info = sf_phone_page_get_info (SF_PHONE_PAGE (page));
  ck_assert_ptr_nonnull (info);
  ck_assert_str_eq (info->chip, "MT6572");
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.back", NULL));
  sf_window_show_page (win, "phone");
  sf_test_gui_screenshot (GTK_WIDGET (win), "device");

  /* Readback page: BOOTIMG into a folder of ours, equal to boot.img. */
  page = sf_window_get_page (win, "readback");
  sf_readback_page_set_folder (SF_READBACK_PAGE (page), folder);
  sf_readback_page_set_selected (SF_READBACK_PAGE (page), names);
  sf_window_show_page (win, "readback");
  sf_test_gui_screenshot (GTK_WIDGET (win), "readback");
  g_signal_emit_by_name (page, "start");
  ck_assert_msg (sf_test_gui_iterate_until (is_finished, win, 60000), "readback did not end");
  ck_assert_msg (sf_window_get_result (win) == SF_WINDOW_RESULT_DONE, "%s",
                 sf_window_get_error (win) ? sf_window_get_error (win)->message : "?");
  ck_assert (g_file_get_contents (boot_path, &boot, &boot_len, NULL));
  ck_assert_msg (g_file_get_contents (read_path, &read, &read_len, NULL), "no %s", read_path);
  ck_assert_uint_ge (read_len, boot_len);
  ck_assert_msg (memcmp (boot, read, boot_len) == 0, "the readback differs from boot.img");
  /* The result says where the file went. */
  ck_assert_msg (log_has (win, "saved in") && log_has (win, "BOOTIMG"), "the result does not say where the file went");
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.back", NULL));

  sf_window_show_page (win, "format");
  sf_test_gui_screenshot (GTK_WIDGET (win), "format");

  {
    GtkWidget *preferences = sf_preferences_window_new (GTK_WINDOW (win));

    gtk_window_set_default_size (GTK_WINDOW (preferences), 640, 560);
    gtk_window_present (GTK_WINDOW (preferences));
    sf_test_gui_screenshot (preferences, "preferences");
    gtk_window_destroy (GTK_WINDOW (preferences));
  }

  destroy_and_check (win);
  sf_test_rm_rf (dir);
}
END_TEST

/* A DA without the firmware's chip is refused on its row, before any phone
 * is involved. */
START_TEST (test_window_da_without_chip)
{
  g_autofree char *dir = sf_test_make_tempdir ();
  g_autofree char *path = g_build_filename (dir, "MTK_AllInOne_DA_other.bin", NULL);
  g_autoptr(GFile) da = NULL;
  g_autofree guint8 *bytes = NULL;
  gsize len, patched = 0;
  SfWindow *win;

  ck_assert (g_file_get_contents (g_getenv ("SF_SYNTHETIC_DA"), (char **) &bytes, &len, NULL));
  /* Entries of 0xDC bytes from 0x6C, each "DA DA" then its hw code. */
  for (gsize at = 0x6C; at + 0xDC <= len && bytes[at] == 0xDA && bytes[at + 1] == 0xDA; at += 0xDC) {
    if (bytes[at + 2] == 0x72 && bytes[at + 3] == 0x65) {
      bytes[at + 2] = 0x99;
      patched++;
    }
  }
  ck_assert_uint_gt (patched, 0);
  sf_test_write_file (path, (const char *) bytes, len);
  da = g_file_new_for_path (path);

  win = load_sample ();
  sf_window_set_da_file (win, da);
  ck_assert_msg (strstr (sf_window_get_da_status (win), "MT6572") != NULL, "%s", sf_window_get_da_status (win));
  ck_assert_msg (strstr (sf_window_get_da_status (win), "MTK_AllInOne_DA_other.bin") != NULL, "%s",
                 sf_window_get_da_status (win));
  sf_window_set_port (win, "/dev/null");
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.download", NULL));
  /* Nothing started. */
  ck_assert_int_eq (sf_window_get_result (win), SF_WINDOW_RESULT_NONE);
  destroy_and_check (win);
  sf_test_rm_rf (dir);
}
END_TEST

static gboolean
is_waiting (gpointer data)
{
  return log_has (SF_WINDOW (data), "Waiting for a phone");
}

/* The window is on screen with its size (a slow machine, or the
 * sanitizers, take longer than a fixed pause). */
static gboolean
has_width (gpointer data)
{
  return gtk_widget_get_width (GTK_WIDGET (data)) > 0;
}

/* With no port given, Download waits for a phone, and starts the moment one
 * arrives (here a virtual phone that announces itself to the device monitor). */
START_TEST (test_window_waits_for_phone)
{
  g_autofree char *announce = sf_test_make_tempdir ();
  g_autofree char *storage = sf_test_make_tempdir ();
  g_autoptr(GFile) da = g_file_new_for_path (g_getenv ("SF_SYNTHETIC_DA"));
  g_autoptr(GSubprocess) sim = NULL;
  g_autoptr(GError) error = NULL;
  SfWindow *win;

  g_setenv ("SCATTERFLASH_VIRTUAL_DIR", announce, TRUE);
  win = load_sample ();
  g_unsetenv ("SCATTERFLASH_VIRTUAL_DIR");
  sf_window_set_da_file (win, da);
  sf_window_set_port (win, NULL);

  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.download", NULL));
  ck_assert_int_eq (sf_window_get_result (win), SF_WINDOW_RESULT_RUNNING);
  /* The firmware's images are checked first, then it waits. */
  ck_assert_msg (sf_test_gui_iterate_until (is_waiting, win, 60000), "the log does not say it waits");
  sf_test_gui_settle (500);
  /* Still waiting: nothing is plugged in. */
  ck_assert_int_eq (sf_window_get_result (win), SF_WINDOW_RESULT_RUNNING);

  sim = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error, g_getenv ("SF_SIM"),
                          "--storage", storage, "--emmc-user-size", "256M", "--announce", announce, NULL);
  ck_assert_msg (sim != NULL, "%s", error ? error->message : "");
  ck_assert_msg (sf_test_gui_iterate_until (is_finished, win, 60000), "the download did not end");
  ck_assert_msg (sf_window_get_result (win) == SF_WINDOW_RESULT_DONE, "%s",
                 sf_window_get_error (win) ? sf_window_get_error (win)->message : "?");
  ck_assert_msg (log_has (win, "MT6572"), "the log does not name the phone");

  destroy_and_check (win);
  g_subprocess_force_exit (sim);
  g_subprocess_wait (sim, NULL, NULL);
  sf_test_rm_rf (storage);
  sf_test_rm_rf (announce);
}
END_TEST

static gboolean
emi_row_names_boot (gpointer data)
{
  return strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (data)), "boot.img") != NULL;
}


/* Stop while waiting for a phone. */
START_TEST (test_window_stop_waiting)
{
  g_autofree char *announce = sf_test_make_tempdir ();
  g_autoptr(GFile) da = g_file_new_for_path (g_getenv ("SF_SYNTHETIC_DA"));
  SfWindow *win;

  g_setenv ("SCATTERFLASH_VIRTUAL_DIR", announce, TRUE);
  win = load_sample ();
  g_unsetenv ("SCATTERFLASH_VIRTUAL_DIR");
  sf_window_set_da_file (win, da);
  sf_window_set_port (win, NULL);
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.download", NULL));
  ck_assert_int_eq (sf_window_get_result (win), SF_WINDOW_RESULT_RUNNING);
  ck_assert_msg (sf_test_gui_iterate_until (is_waiting, win, 20000), "Download does not wait for the phone");
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.stop", NULL));
  ck_assert_int_eq (sf_window_get_result (win), SF_WINDOW_RESULT_STOPPED);

  /* Stopped while the images are checked: at once, too. */
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.back", NULL));
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.download", NULL));
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.stop", NULL));
  ck_assert_int_eq (sf_window_get_result (win), SF_WINDOW_RESULT_STOPPED);
  sf_test_gui_settle (300);
  ck_assert_int_eq (sf_window_get_result (win), SF_WINDOW_RESULT_STOPPED);
  destroy_and_check (win);
  sf_test_rm_rf (announce);
}
END_TEST

static gboolean
station_has_done_three (gpointer data)
{
  SfStationView *station = SF_STATION_VIEW (sf_window_get_station (SF_WINDOW (data)));

  return sf_station_view_get_n_done (station) + sf_station_view_get_n_failed (station) >= 3;
}

static gboolean
station_stopped (gpointer data)
{
  return !sf_station_view_is_running (SF_STATION_VIEW (sf_window_get_station (SF_WINDOW (data))));
}

static gboolean
station_running (gpointer data)
{
  return !station_stopped (data);
}

/* A repair shop's station: three phones plugged in, each flashed by its own
 * worker with its own row; one fails (its RAM cannot be started), and its
 * row and the station's log say so. */
START_TEST (test_window_station)
{
  g_autofree char *announce = sf_test_make_tempdir ();
  g_autoptr(GFile) da = g_file_new_for_path (g_getenv ("SF_SYNTHETIC_DA"));
  GSubprocess *sims[3] = { NULL };
  char *storages[3] = { NULL };
  g_autofree char *log = NULL;
  SfStationView *station;
  SfWindow *win;

  g_setenv ("SCATTERFLASH_VIRTUAL_DIR", announce, TRUE);
  win = load_sample ();
  g_unsetenv ("SCATTERFLASH_VIRTUAL_DIR");
  sf_window_set_da_file (win, da);
  sf_window_set_port (win, NULL);
  sf_window_set_station (win, TRUE);
  station = SF_STATION_VIEW (sf_window_get_station (win));

  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.download", NULL));
  /* The images are checked first. */
  ck_assert_msg (sf_test_gui_iterate_until (station_running, win, 20000), "the station did not start");
  for (guint i = 0; i < G_N_ELEMENTS (sims); i++) {
    g_autoptr(GError) error = NULL;

    const char *argv[] = { g_getenv ("SF_SIM"), "--storage", NULL, "--emmc-user-size", "256M",
                           "--pace", "high-speed", "--announce", announce, "--fault", "dram-fail", NULL };

    storages[i] = sf_test_make_tempdir ();
    argv[2] = storages[i];
    /* The second phone fails. */
    if (i != 1)
      argv[9] = NULL;
    sims[i] = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
    ck_assert_msg (sims[i] != NULL, "%s", error ? error->message : "");
  }

  ck_assert_msg (sf_test_gui_iterate_until (station_has_done_three, win, 90000), "the three phones did not all end");
  ck_assert_uint_eq (sf_station_view_get_n_done (station), 2);
  ck_assert_uint_eq (sf_station_view_get_n_failed (station), 1);
  log = sf_station_view_get_log (station);
  ck_assert_msg (strstr (log, "S_FT_ENABLE_DRAM_FAIL (4032)") != NULL, "%s", log);
  ck_assert_msg (strstr (log, "#3") != NULL, "%s", log);
  /* The station's Save Log writes every phone's lines. */
  {
    g_autofree char *dir = sf_test_make_tempdir ();
    g_autofree char *path = g_build_filename (dir, "station.log", NULL);
    g_autoptr(GFile) file = g_file_new_for_path (path);

    ck_assert (gtk_widget_activate_action (GTK_WIDGET (station), "station.save-log", NULL));
    ck_assert_msg (sf_test_gui_choose_file (file, 5000), "the station's Save Log opened no file chooser");
    ck_assert_msg (file_has (path, "S_FT_ENABLE_DRAM_FAIL (4032)", 5000) && file_has (path, "#3", 0),
                   "the station's saved log lacks a phone");
    sf_test_rm_rf (dir);
  }
  sf_test_gui_settle (200);
  sf_test_gui_screenshot (GTK_WIDGET (win), "station");
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.stop", NULL));
  ck_assert_msg (sf_test_gui_iterate_until (station_stopped, win, 30000), "the station did not stop");

  destroy_and_check (win);
  for (guint i = 0; i < G_N_ELEMENTS (sims); i++) {
    g_subprocess_force_exit (sims[i]);
    g_subprocess_wait (sims[i], NULL, NULL);
    g_object_unref (sims[i]);
    sf_test_rm_rf (storages[i]);
    g_free (storages[i]);
  }
  sf_test_rm_rf (announce);
}
END_TEST


/* A scatter file the command line refuses (BOOTIMG moved onto UBOOT) is
 * refused on load too: the banner says why, in full, nothing is listed and
 * nothing can be downloaded; the next good firmware clears it. */
START_TEST (test_window_overlap_refused)
{
  g_autofree char *storage = sf_test_make_tempdir ();
  g_autofree char *dir = copy_sample (NULL, "linear_start_addr: 0x1580000", "linear_start_addr: 0x1540000");
  g_autoptr(SfSim) sim = NULL;
  g_autoptr(GFile) da = g_file_new_for_path (g_getenv ("SF_SYNTHETIC_DA"));
  const char *banner;
  SfWindow *win;

  sim = start_phone (storage, SF_SIM_PACE_NONE);
  win = load_sample ();
  sf_window_set_da_file (win, da);
  sf_window_set_port (win, sf_sim_get_port_path (sim));
  ck_assert_ptr_null (sf_window_get_banner (win));

  load_into (win, dir);
  banner = sf_window_get_banner (win);
  ck_assert_msg (banner != NULL, "no banner for an overlapping scatter file");
  ck_assert_msg (strstr (banner, "UBOOT") != NULL && strstr (banner, "overlaps BOOTIMG") != NULL, "%s", banner);
  /* In full: the advice too, and no machine paths. */
  ck_assert_msg (strstr (banner, "use the scatter file that came with the firmware") != NULL, "%s", banner);
  ck_assert_msg (strstr (banner, dir) == NULL, "%s", banner);
  ck_assert_uint_eq (g_list_model_get_n_items (sf_window_get_partitions (win)), 0);
  sf_test_gui_settle (100);
  sf_test_gui_screenshot (GTK_WIDGET (win), "refused");
  sf_test_gui_set_dark (TRUE);
  sf_test_gui_screenshot (GTK_WIDGET (win), "refused");
  sf_test_gui_set_dark (FALSE);

  /* The sample that was open before is gone: Download cannot start. */
  gtk_widget_activate_action (GTK_WIDGET (win), "win.download", NULL);
  ck_assert_int_eq (sf_window_get_result (win), SF_WINDOW_RESULT_NONE);
  ck_assert_uint_eq (sf_sim_get_flash_bytes (sim), 0);
  /* It stays while nothing else is opened. */
  sf_window_show_page (win, "readback");
  sf_window_show_page (win, "download");
  ck_assert (banner_has (win, "overlaps BOOTIMG"));

  load_into (win, g_getenv ("SF_SAMPLE_FIRMWARE"));
  ck_assert_ptr_null (sf_window_get_banner (win));
  ck_assert_uint_eq (g_list_model_get_n_items (sf_window_get_partitions (win)), G_N_ELEMENTS (sample_names));

  destroy_and_check (win);
  sf_sim_stop (sim);
  sf_test_rm_rf (dir);
  sf_test_rm_rf (storage);
}
END_TEST

/* Firmware Upgrade and Format All + Download write their own set: the
 * table shows it (ticks fixed, kept calibration marked) and Download
 * starts with everything ticked, to the end. */
static void
run_fixed_scene (SfScene     scene,
                 const char *shot)
{
  g_autofree char *storage = sf_test_make_tempdir ();
  g_autoptr(GFile) da = g_file_new_for_path (g_getenv ("SF_SYNTHETIC_DA"));
  g_autoptr(SfSim) sim = NULL;
  SfPartitionItem *nvram;
  SfWindow *win;

  sim = start_phone (storage, SF_SIM_PACE_NONE);
  win = load_sample ();
  sf_window_set_da_file (win, da);
  sf_window_set_port (win, sf_sim_get_port_path (sim));
  /* The user's own ticks in Download Only come back afterwards. */
  sf_partition_item_set_enabled (find_item (win, "USRDATA"), FALSE);

  choose_scene (win, scene);
  for (guint i = 0; i < G_N_ELEMENTS (sample_names); i++) {
    SfPartitionItem *item = find_item (win, sample_names[i]);

    ck_assert_msg (sf_partition_item_get_enabled (item), "%s is not ticked", sample_names[i]);
    ck_assert_msg (!sf_partition_item_get_selectable (item), "%s can be changed", sample_names[i]);
    /* A click cannot untick it. */
    sf_partition_item_set_enabled (item, FALSE);
    ck_assert (sf_partition_item_get_enabled (item));
  }
  nvram = find_item (win, "NVRAM");
  ck_assert (!sf_partition_item_get_enabled (nvram));
  ck_assert_msg (sf_partition_item_get_note (nvram) != NULL && strstr (sf_partition_item_get_note (nvram), "Kept"),
                 "NVRAM is not marked as kept");
  ck_assert_msg (sf_window_get_banner (win) == NULL, "%s", sf_window_get_banner (win));
  sf_test_gui_settle (100);
  sf_test_gui_screenshot (GTK_WIDGET (win), shot);

  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.download", NULL));
  ck_assert_int_eq (sf_window_get_result (win), SF_WINDOW_RESULT_RUNNING);
  ck_assert_msg (sf_test_gui_iterate_until (is_finished, win, 100000), "the download did not end");
  ck_assert_msg (sf_window_get_result (win) == SF_WINDOW_RESULT_DONE, "%s",
                 sf_window_get_error (win) ? sf_window_get_error (win)->message : "?");
  ck_assert_msg (log_has (win, "USRDATA"), "USRDATA was not written");
  ck_assert_msg (log_has (win, "NVRAM"), "the calibration was not backed up");
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.back", NULL));

  choose_scene (win, SF_SCENE_DOWNLOAD_ONLY);
  ck_assert (sf_partition_item_get_selectable (find_item (win, "LOGO")));
  ck_assert (sf_partition_item_get_enabled (find_item (win, "LOGO")));
  ck_assert (!sf_partition_item_get_enabled (find_item (win, "USRDATA")));
  ck_assert_uint_eq (g_list_model_get_n_items (sf_window_get_partitions (win)), G_N_ELEMENTS (sample_names));

  destroy_and_check (win);
  sf_sim_stop (sim);
  sf_test_rm_rf (storage);
}

START_TEST (test_window_scene_firmware_upgrade)
{
  run_fixed_scene (SF_SCENE_FIRMWARE_UPGRADE, "scene-upgrade");
}
END_TEST

START_TEST (test_window_scene_format_all)
{
  run_fixed_scene (SF_SCENE_FORMAT_ALL_DOWNLOAD, "scene-format-all");
}
END_TEST


/* Practice runs the user's firmware on the virtual phone and never
 * changes what is open; the sample comes only when nothing is open, and
 * goes again with practice. */
START_TEST (test_window_practice_keeps_firmware)
{
  g_autofree char *dir = copy_sample (NULL, NULL, NULL);
  g_autoptr(GFile) da = g_file_new_for_path (g_getenv ("SF_SYNTHETIC_DA"));
  g_autofree char *mine = NULL;
  SfWindow *win = sf_window_new (NULL);

  gtk_window_set_default_size (GTK_WINDOW (win), 1000, 720);
  gtk_window_present (GTK_WINDOW (win));
  ck_assert (sf_window_set_practice_pace (win, "none", NULL));
  load_into (win, dir);
  mine = g_strdup (sf_firmware_get_display_name (sf_window_get_firmware (win)));
  ck_assert_msg (strstr (mine, dir) != NULL, "%s", mine);

  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.practice", NULL));
  ck_assert (sf_window_get_practice (win));
  ck_assert (sf_test_gui_iterate_until (is_loaded, win, 20000));
  ck_assert_str_eq (sf_firmware_get_display_name (sf_window_get_firmware (win)), mine);
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.download", NULL));
  ck_assert_msg (sf_test_gui_iterate_until (is_finished, win, 60000), "the practice download did not end");
  ck_assert_msg (sf_window_get_result (win) == SF_WINDOW_RESULT_DONE, "%s",
                 sf_window_get_error (win) ? sf_window_get_error (win)->message : "?");
  {
    g_autofree char *base = g_path_get_basename (dir);

    ck_assert_msg (log_has (win, base), "practice did not flash the open firmware");
  }
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.back", NULL));

  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.practice", NULL));
  ck_assert (!sf_window_get_practice (win));
  sf_test_gui_settle (100);
  ck_assert (!sf_window_is_loading (win));
  ck_assert_str_eq (sf_firmware_get_display_name (sf_window_get_firmware (win)), mine);
  destroy_and_check (win);

  /* Nothing open: the sample, and nothing again afterwards. */
  win = sf_window_new (NULL);
  gtk_window_present (GTK_WINDOW (win));
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.practice", NULL));
  ck_assert (sf_test_gui_iterate_until (is_loaded, win, 20000));
  ck_assert_ptr_nonnull (sf_window_get_firmware (win));
  ck_assert_uint_eq (g_list_model_get_n_items (sf_window_get_partitions (win)), G_N_ELEMENTS (sample_names));
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.practice", NULL));
  ck_assert_ptr_null (sf_window_get_firmware (win));
  ck_assert_uint_eq (g_list_model_get_n_items (sf_window_get_partitions (win)), 0);
  destroy_and_check (win);
  sf_test_rm_rf (dir);
}
END_TEST


static GSubprocess *
spawn_phone (const char *storage,
             const char *announce,
             const char *pace)
{
  g_autoptr(GError) error = NULL;
  GSubprocess *sim = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                                       g_getenv ("SF_SIM"), "--storage", storage, "--emmc-user-size", "256M",
                                       "--pace", pace, "--announce", announce, NULL);

  ck_assert_msg (sim != NULL, "%s", error ? error->message : "");
  return sim;
}

/* Stop halfway, then Again: the page says to replug the phone, and Again
 * waits for it instead of failing at once on the phone that was stopped. */
START_TEST (test_window_stop_again_replug)
{
  g_autofree char *announce = sf_test_make_tempdir ();
  g_autofree char *storage1 = sf_test_make_tempdir ();
  g_autofree char *storage2 = sf_test_make_tempdir ();
  g_autoptr(GFile) da = g_file_new_for_path (g_getenv ("SF_SYNTHETIC_DA"));
  g_autoptr(GSubprocess) sim1 = NULL;
  g_autoptr(GSubprocess) sim2 = NULL;
  SfWindow *win;

  g_setenv ("SCATTERFLASH_VIRTUAL_DIR", announce, TRUE);
  win = load_sample ();
  g_unsetenv ("SCATTERFLASH_VIRTUAL_DIR");
  sf_window_set_da_file (win, da);
  sf_window_set_port (win, NULL);

  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.download", NULL));
  sim1 = spawn_phone (storage1, announce, "full-speed");
  ck_assert_msg (sf_test_gui_iterate_until (has_progress, win, 30000), "no progress");
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.stop", NULL));
  ck_assert_msg (sf_test_gui_iterate_until (is_finished, win, 30000), "the download did not stop");
  ck_assert_int_eq (sf_window_get_result (win), SF_WINDOW_RESULT_STOPPED);
  ck_assert_msg (log_has (win, "Unplug the phone and plug it in again, then press Again"),
                 "the page does not say to replug the phone");
  sf_test_gui_screenshot (GTK_WIDGET (win), "stopped");

  /* Again: it waits for the phone to come back, it does not fail at once. */
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.again", NULL));
  sf_test_gui_settle (1500);
  ck_assert_msg (sf_window_get_result (win) == SF_WINDOW_RESULT_RUNNING, "%s",
                 sf_window_get_error (win) ? sf_window_get_error (win)->message : "?");

  /* The replug: the stopped phone goes, a switched-off one arrives. */
  g_subprocess_force_exit (sim1);
  g_subprocess_wait (sim1, NULL, NULL);
  sim2 = spawn_phone (storage2, announce, "none");
  ck_assert_msg (sf_test_gui_iterate_until (is_finished, win, 60000), "the second download did not end");
  if (sf_window_get_result (win) != SF_WINDOW_RESULT_DONE) {
    g_autofree char *log = sf_window_get_log (win);

    ck_abort_msg ("%s\n%s", sf_window_get_error (win) ? sf_window_get_error (win)->message : "?", log);
  }

  destroy_and_check (win);
  g_subprocess_force_exit (sim2);
  g_subprocess_wait (sim2, NULL, NULL);
  sf_test_rm_rf (storage1);
  sf_test_rm_rf (storage2);
  sf_test_rm_rf (announce);
}
END_TEST



/* Long error titles and log lines wrap: the window never widens itself. */
START_TEST (test_window_width_kept)
{
  static const char *faults[] = {
    "wrong-chip=0x6582", "no-emmc", "bad-checksum", "dram-fail", "unplug-after=1M", "powered-on",
  };
  static const int widths[] = { 800, 1000 };

  for (guint w = 0; w < G_N_ELEMENTS (widths); w++) {
    SfWindow *win = practice_window_sized ("none", NULL, widths[w], 600);
    int before;

    ck_assert (sf_test_gui_iterate_until (has_width, win, 20000));
    sf_test_gui_settle (300);
    before = gtk_widget_get_width (GTK_WIDGET (win));
    ck_assert_int_le (before, widths[w]);
    for (guint i = 0; i < G_N_ELEMENTS (faults); i++) {
      ck_assert (sf_window_set_practice_fault (win, faults[i], NULL));
      if (i == 0)
        ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.download", NULL));
      else
        ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.again", NULL));
      ck_assert_msg (sf_test_gui_iterate_until (is_finished, win, 60000), "%s did not end", faults[i]);
      ck_assert_int_eq (sf_window_get_result (win), SF_WINDOW_RESULT_FAILED);
      sf_test_gui_settle (300);
      ck_assert_msg (gtk_widget_get_width (GTK_WIDGET (win)) == before, "%s: the window went from %d to %d pixels: %s",
                     faults[i], before, gtk_widget_get_width (GTK_WIDGET (win)), sf_window_get_error (win)->message);
      if (widths[w] == 800 && i == 0)
        sf_test_gui_screenshot (GTK_WIDGET (win), "error-800");
    }
    destroy_and_check (win);
  }
}
END_TEST


/* At 800×600 every page fits: the window stays 800 pixels wide, whatever
 * page is shown and whatever the scene. */
START_TEST (test_window_small)
{
  static const char *pages[] = { "download", "readback", "format", "phone" };
  g_autoptr(GFile) sample = g_file_new_for_path (g_getenv ("SF_SAMPLE_FIRMWARE"));
  SfWindow *win = sf_window_new (NULL);

  gtk_window_set_default_size (GTK_WINDOW (win), 800, 600);
  gtk_window_present (GTK_WINDOW (win));
  sf_test_gui_settle (200);
  ck_assert_int_le (gtk_widget_get_width (GTK_WIDGET (win)), 800);
  sf_test_gui_screenshot (GTK_WIDGET (win), "start-800");
  sf_window_load_firmware (win, sample);
  ck_assert (sf_test_gui_iterate_until (is_loaded, win, 20000));
  choose_scene (win, SF_SCENE_FORMAT_ALL_DOWNLOAD);
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++) {
    g_autofree char *name = g_strdup_printf ("%s-800", pages[i]);

    sf_window_show_page (win, pages[i]);
    sf_test_gui_settle (200);
    ck_assert_msg (gtk_widget_get_width (GTK_WIDGET (win)) <= 800, "%s: %d pixels wide", pages[i],
                   gtk_widget_get_width (GTK_WIDGET (win)));
    sf_test_gui_screenshot (GTK_WIDGET (win), name);
  }
  /* Format All + Download is not remembered (test_window_scene_remembered). */
  destroy_and_check (win);
}
END_TEST


static guint
scene_shown (SfWindow    *win,
             const char **out_subtitle)
{
  GtkWidget *row = sf_test_gui_find_row (GTK_WIDGET (win), "Scene");

  ck_assert_ptr_nonnull (row);
  *out_subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (row));
  return adw_combo_row_get_selected (ADW_COMBO_ROW (row));
}

/* The scene from last time comes back, but Format All + Download, which
 * erases everything, never by itself: the next window opens in Download
 * Only and its Scene row says why. */
START_TEST (test_window_scene_remembered)
{
  g_autoptr(GFile) sample = g_file_new_for_path (g_getenv ("SF_SAMPLE_FIRMWARE"));
  const char *subtitle = NULL;
  SfWindow *win = load_sample ();

  choose_scene (win, SF_SCENE_FIRMWARE_UPGRADE);
  destroy_and_check (win);
  win = load_sample ();
  ck_assert_uint_eq (scene_shown (win, &subtitle), 1);
  choose_scene (win, SF_SCENE_FORMAT_ALL_DOWNLOAD);
  ck_assert_msg (strstr (scene_shown (win, &subtitle) == 2 ? subtitle : "", "Erases everything") != NULL, "%s",
                 subtitle);
  destroy_and_check (win);

  win = sf_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (win), 800, 600);
  gtk_window_present (GTK_WINDOW (win));
  sf_window_load_firmware (win, sample);
  ck_assert (sf_test_gui_iterate_until (is_loaded, win, 20000));
  ck_assert_uint_eq (scene_shown (win, &subtitle), 0);
  ck_assert_msg (strstr (subtitle, "Format All + Download was chosen last time") != NULL, "%s", subtitle);
  /* Download Only's table: the user's ticks, nothing fixed. */
  ck_assert (sf_partition_item_get_selectable (find_item (win, "BOOTIMG")));
  sf_test_gui_settle (200);
  sf_test_gui_screenshot (GTK_WIDGET (win), "scene-remembered-800");
  destroy_and_check (win);
}
END_TEST


/* A scene that writes every image cannot run without one: the banner says
 * why in the window's words, and Download does not start. */
START_TEST (test_window_scene_missing_image)
{
  g_autofree char *dir = copy_sample ("logo.bin", NULL, NULL);
  SfWindow *win = sf_window_new (NULL);

  gtk_window_present (GTK_WINDOW (win));
  load_into (win, dir);
  sf_window_set_port (win, "/dev/null");
  choose_scene (win, SF_SCENE_FORMAT_ALL_DOWNLOAD);
  ck_assert_msg (banner_has (win, "Format All + Download cannot start") && banner_has (win, "logo.bin") &&
                 banner_has (win, "Download Only") && !banner_has (win, "download-only"), "%s",
                 sf_window_get_banner (win) ? sf_window_get_banner (win) : "no banner");
  ck_assert (!sf_partition_item_get_enabled (find_item (win, "BOOTIMG")));
  gtk_widget_activate_action (GTK_WIDGET (win), "win.download", NULL);
  ck_assert_int_eq (sf_window_get_result (win), SF_WINDOW_RESULT_NONE);
  /* Back in Download Only, the rest can be written. */
  choose_scene (win, SF_SCENE_DOWNLOAD_ONLY);
  ck_assert (sf_partition_item_get_enabled (find_item (win, "BOOTIMG")));
  ck_assert (banner_has (win, "LOGO"));
  destroy_and_check (win);
  sf_test_rm_rf (dir);
}
END_TEST


/* A firmware the command line refuses before it waits for a phone (a
 * sparse image cut short: it opens, but cannot be read to its end) is
 * refused by Download before anything is plugged in, in the same words. */
START_TEST (test_window_damaged_image_refused)
{
  g_autofree char *announce = sf_test_make_tempdir ();
  g_autofree char *dir = copy_sample (NULL, NULL, NULL);
  g_autofree char *system = g_build_filename (dir, "system.img", NULL);
  g_autoptr(GFile) da = g_file_new_for_path (g_getenv ("SF_SYNTHETIC_DA"));
  g_autofree char *cli_err = NULL;
  g_autofree char *cli_out = NULL;
  const GError *error;
  SfWindow *win;

  ck_assert_int_eq (truncate (system, 100000), 0);
  g_setenv ("SCATTERFLASH_VIRTUAL_DIR", announce, TRUE);
  win = sf_window_new (NULL);
  g_unsetenv ("SCATTERFLASH_VIRTUAL_DIR");
  gtk_window_set_default_size (GTK_WINDOW (win), 1000, 720);
  gtk_window_present (GTK_WINDOW (win));
  load_into (win, dir);
  sf_window_set_da_file (win, da);
  sf_window_set_port (win, NULL);

  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.download", NULL));
  ck_assert_msg (sf_test_gui_iterate_until (is_finished, win, 20000), "the damaged image was not refused");
  ck_assert_int_eq (sf_window_get_result (win), SF_WINDOW_RESULT_FAILED);
  error = sf_window_get_error (win);
  ck_assert_msg (!log_has (win, "Waiting for a phone"), "it waited for a phone");
  ck_assert_msg (log_has (win, "Checking system.img"), "the log does not say what was checked");
  ck_assert_msg (log_has (win, "Nothing was written to the phone"), "the result does not say nothing was written");
  ck_assert_msg (log_has (win, "An image of the firmware is damaged"), "the result's headline is not plain");
  /* The command line's words for the same firmware. */
  sf_test_run_cli (&cli_out, &cli_err, "download", "--port", "/dev/null", dir, NULL);
  ck_assert_msg (cli_err != NULL && strstr (cli_err, error->message) != NULL, "the CLI says: %s\nthe window: %s",
                 cli_err, error->message);
  destroy_and_check (win);
  sf_test_rm_rf (dir);
  sf_test_rm_rf (announce);
}
END_TEST


/* DRAM settings from a preloader of the user's (the CLI's --emi-from): the
 * Download page's row picks it, a dead phone (BootROM mode) is set up with
 * it, and 5054 says in plain words what it means. */
START_TEST (test_window_emi_from)
{
  g_autofree char *storage = sf_test_make_tempdir ();
  g_autofree char *boot = g_build_filename (g_getenv ("SF_SAMPLE_FIRMWARE"), "boot.img", NULL);
  g_autoptr(GFile) not_a_preloader = g_file_new_for_path (boot);
  g_autoptr(GFile) da = g_file_new_for_path (g_getenv ("SF_SYNTHETIC_DA"));
  g_autoptr(SfSim) sim = NULL;
  SfWindow *win = sf_window_new (NULL);
  GtkWidget *row;

  gtk_window_set_default_size (GTK_WINDOW (win), 800, 600);
  gtk_window_present (GTK_WINDOW (win));
  load_into (win, g_getenv ("SF_SAMPLE_FIRMWARE"));
  sf_window_set_da_file (win, da);
  row = sf_test_gui_find_row (GTK_WIDGET (win), "DRAM Settings From");
  ck_assert_msg (row != NULL, "no DRAM Settings From row");
  ck_assert_msg (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "firmware’s preloader") != NULL, "%s",
                 adw_action_row_get_subtitle (ADW_ACTION_ROW (row)));
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.choose-emi", NULL));
  ck_assert_msg (sf_test_gui_choose_file (not_a_preloader, 5000), "no file chooser");
  ck_assert_msg (sf_test_gui_iterate_until (emi_row_names_boot, row, 5000), "%s",
                 adw_action_row_get_subtitle (ADW_ACTION_ROW (row)));
  sf_test_gui_settle (200);
  ck_assert_int_le (gtk_widget_get_width (GTK_WIDGET (win)), 800);
  sf_test_gui_screenshot (GTK_WIDGET (win), "emi-from-800");

  sim = start_phone_on_board (storage, SF_SIM_PACE_NONE, "sample-a");
  sf_window_set_port (win, sf_sim_get_port_path (sim));
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.download", NULL));
  ck_assert_msg (sf_test_gui_iterate_until (is_finished, win, 60000), "the download did not end");
  ck_assert_int_eq (sf_window_get_result (win), SF_WINDOW_RESULT_FAILED);
  ck_assert_msg (g_error_matches (sf_window_get_error (win), SF_ERROR, SF_ERROR_DL_GET_DRAM_SETTING_FAIL), "%s",
                 sf_window_get_error (win)->message);
  ck_assert_msg (log_has (win, "boot.img"), "the log does not name the file the settings came from");
  ck_assert_msg (log_has (win, "built for another memory chip") && log_has (win, "BootROM mode") &&
                 log_has (win, "DRAM Settings From"), "the result does not explain 5054");
  ck_assert_uint_eq (sf_sim_get_flash_bytes (sim), 0);
  sf_test_gui_screenshot (GTK_WIDGET (win), "emi-5054-800");
  sf_sim_stop (sim);
  g_clear_pointer (&sim, sf_sim_free);

  /* Cleared: the firmware's preloader again, which knows this board. */
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.back", NULL));
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.clear-emi", NULL));
  ck_assert (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "firmware’s preloader") != NULL);
  sim = start_phone_on_board (storage, SF_SIM_PACE_NONE, "sample-a");
  sf_window_set_port (win, sf_sim_get_port_path (sim));
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.download", NULL));
  ck_assert_msg (sf_test_gui_iterate_until (is_finished, win, 60000), "the download did not end");
  ck_assert_msg (sf_window_get_result (win) == SF_WINDOW_RESULT_DONE, "%s",
                 sf_window_get_error (win) ? sf_window_get_error (win)->message : "?");
  ck_assert_msg (log_has (win, "DRAM set up with entry"), "the DRAM was not set up from the preloader");
  destroy_and_check (win);
  sf_sim_stop (sim);
  sf_test_rm_rf (storage);
}
END_TEST


/* With verify, the result names each partition once. */
START_TEST (test_window_verify_names_once)
{
  SfWindow *win = practice_window ("none", NULL);
  g_autofree char *log = NULL;
  const char *line;

  g_object_set (win, "verify", TRUE, NULL);
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.download", NULL));
  ck_assert_msg (sf_test_gui_iterate_until (is_finished, win, 60000), "the practice download did not end");
  ck_assert_int_eq (sf_window_get_result (win), SF_WINDOW_RESULT_DONE);
  log = sf_window_get_log (win);
  line = strstr (log, "Written and verified");
  ck_assert_msg (line != NULL, "%s", log);
  line = strstr (line, "BOOTIMG");
  ck_assert_ptr_nonnull (line);
  ck_assert_msg (strstr (line + 1, "BOOTIMG") == NULL || strchr (line, '\n') < strstr (line + 1, "BOOTIMG"),
                 "BOOTIMG is named twice: %s", line);
  destroy_and_check (win);
}
END_TEST


/* The item of the Phone row that is a phone (not "wait"), or
 * GTK_INVALID_LIST_POSITION. */
static guint
phone_position (GtkWidget *row)
{
  GListModel *model = adw_combo_row_get_model (ADW_COMBO_ROW (row));

  for (guint i = 0; i < g_list_model_get_n_items (model); i++) {
    g_autoptr(GObject) item = g_list_model_get_item (model, i);

    if (SF_IS_USB_DEVICE (item))
      return i;
  }
  return GTK_INVALID_LIST_POSITION;
}

static gboolean
phone_listed (gpointer data)
{
  return phone_position (data) != GTK_INVALID_LIST_POSITION;
}

static gboolean
phone_gone (gpointer data)
{
  return !phone_listed (data);
}

/* One Phone row for every page: it waits for the next phone by default,
 * lists the phones plugged in by name, USB port and chip, and a page's job
 * goes to the phone chosen there, never to the port typed on the Download
 * page. A chosen phone that leaves makes it wait again. */
START_TEST (test_window_phone_chooser)
{
  g_autofree char *announce = sf_test_make_tempdir ();
  g_autofree char *storage = sf_test_make_tempdir ();
  g_autoptr(GFile) da = g_file_new_for_path (g_getenv ("SF_SYNTHETIC_DA"));
  g_autoptr(GSubprocess) sim = NULL;
  g_autoptr(GFile) sample = g_file_new_for_path (g_getenv ("SF_SAMPLE_FIRMWARE"));
  GtkWidget *row;
  SfWindow *win;

  g_setenv ("SCATTERFLASH_VIRTUAL_DIR", announce, TRUE);
  win = sf_window_new (NULL);
  g_unsetenv ("SCATTERFLASH_VIRTUAL_DIR");
  gtk_window_set_default_size (GTK_WINDOW (win), 800, 600);
  gtk_window_present (GTK_WINDOW (win));
  sf_window_load_firmware (win, sample);
  ck_assert (sf_test_gui_iterate_until (is_loaded, win, 20000));
  sf_window_set_da_file (win, da);
  /* A port typed on the Download page is the Download page's. */
  sf_window_set_port (win, "/dev/null");
  row = sf_test_gui_find_row (GTK_WIDGET (win), "Phone");
  ck_assert_msg (row != NULL && ADW_IS_COMBO_ROW (row), "no Phone row");
  ck_assert_uint_eq (adw_combo_row_get_selected (ADW_COMBO_ROW (row)), 0);
  ck_assert_msg (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "Wait for the next phone") != NULL, "%s",
                 adw_action_row_get_subtitle (ADW_ACTION_ROW (row)));

  sim = spawn_phone (storage, announce, "none");
  ck_assert_msg (sf_test_gui_iterate_until (phone_listed, row, 20000), "the phone plugged in is not listed");
  /* Listed, not taken: the row still waits for the next phone. */
  ck_assert_uint_eq (adw_combo_row_get_selected (ADW_COMBO_ROW (row)), 0);
  sf_window_show_page (win, "phone");
  g_signal_emit_by_name (sf_window_get_page (win, "phone"), "identify");
  ck_assert_int_eq (sf_window_get_result (win), SF_WINDOW_RESULT_RUNNING);
  ck_assert_msg (log_has (win, "Waiting for a phone"), "the job did not wait for the next phone");
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.stop", NULL));
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.back", NULL));

  /* Chosen by name: the job goes to it, not to /dev/null. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (row), phone_position (row));
  ck_assert_msg (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "Virtual phone · MT6572") != NULL, "%s",
                 adw_action_row_get_subtitle (ADW_ACTION_ROW (row)));
  sf_window_show_page (win, "phone");
  sf_test_gui_settle (200);
  ck_assert_int_le (gtk_widget_get_width (GTK_WIDGET (win)), 800);
  sf_test_gui_screenshot (GTK_WIDGET (win), "phone-chooser-800");
  g_signal_emit_by_name (sf_window_get_page (win, "phone"), "identify");
  ck_assert_msg (sf_test_gui_iterate_until (is_finished, win, 60000), "identify did not end");
  ck_assert_msg (sf_window_get_result (win) == SF_WINDOW_RESULT_DONE, "%s",
                 sf_window_get_error (win) ? sf_window_get_error (win)->message : "?");
  ck_assert_msg (log_has (win, "Phone: ") && log_has (win, "Virtual phone · MT6572"), "the log does not name the phone");
  ck_assert_msg (!log_has (win, "/dev/null"), "the page job used the port typed on the Download page");
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.back", NULL));

  /* Unplugged (SIGTERM: the phone takes its announcement away, as a USB
   * phone leaves the bus): back to waiting for the next phone. */
  g_subprocess_send_signal (sim, SIGTERM);
  g_subprocess_wait (sim, NULL, NULL);
  ck_assert_msg (sf_test_gui_iterate_until (phone_gone, row, 20000), "the phone that left is still listed");
  ck_assert_uint_eq (adw_combo_row_get_selected (ADW_COMBO_ROW (row)), 0);
  destroy_and_check (win);
  sf_test_rm_rf (storage);
  sf_test_rm_rf (announce);
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
  tcase_add_test (tc, test_window_ticks);
  tcase_add_test (tc, test_window_missing_image);
  tcase_add_test (tc, test_window_da_without_chip);
  tcase_add_test (tc, test_window_waits_for_phone);
  tcase_add_test (tc, test_window_stop_waiting);
  tcase_add_test (tc, test_window_station);
  tcase_add_test (tc, test_window_practice);
  tcase_add_test (tc, test_window_practice_fault);
  tcase_add_test (tc, test_window_practice_stop);
  tcase_add_test (tc, test_window_practice_pages);
  suite_add_tcase (s, tc);

  /* What a hobbyist following a guide runs into (issue 16). */
  tc = tcase_create ("guide");
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_window_overlap_refused);
  tcase_add_test (tc, test_window_scene_firmware_upgrade);
  tcase_add_test (tc, test_window_scene_format_all);
  tcase_add_test (tc, test_window_scene_missing_image);
  tcase_add_test (tc, test_window_practice_keeps_firmware);
  tcase_add_test (tc, test_window_stop_again_replug);
  tcase_add_test (tc, test_window_width_kept);
  tcase_add_test (tc, test_window_small);
  tcase_add_test (tc, test_window_scene_remembered);
  tcase_add_test (tc, test_window_verify_names_once);
  tcase_add_test (tc, test_window_damaged_image_refused);
  tcase_add_test (tc, test_window_emi_from);
  tcase_add_test (tc, test_window_phone_chooser);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *runner;
  int failed;

  /* Skipped without a display. */
  if (!sf_test_gui_init ())
    return 77;

  runner = srunner_create (gui_suite ());
  srunner_set_fork_status (runner, CK_NOFORK);
  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
