/* test-gui-pages.c — the Readback, Format and Phone pages and the preferences
 * window, each on its own, with real jobs against the virtual phone
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <adwaita.h>
#include <check.h>

#include "sf-device-page.h"
#include "sf-format-page.h"
#include "sf-mtk.h"
#include "sf-plan.h"
#include "sf-preferences-window.h"
#include "sf-readback-page.h"
#include "sf-sim.h"
#include "sf-test-gui.h"
#include "sf-test-util.h"

#define MB (1024 * 1024)

/* ---- main loop and widgets ------------------------------------------------------- */

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

/* Destroys @window and checks that it, and @widget in it, are finalised. */
static void
destroy_and_check (GtkWindow *window,
                   gpointer   widget)
{
  gboolean window_gone = FALSE;
  gboolean widget_gone = FALSE;

  g_object_weak_ref (G_OBJECT (window), on_finalized, &window_gone);
  if (widget != NULL)
    g_object_weak_ref (G_OBJECT (widget), on_finalized, &widget_gone);
  gtk_window_destroy (window);
  ck_assert_msg (sf_test_gui_iterate_until (is_true, &window_gone, 5000), "the window was not finalised");
  if (widget != NULL)
    ck_assert_msg (sf_test_gui_iterate_until (is_true, &widget_gone, 5000), "the page was not finalised");
}

/* A window of the main window's size around @page. */
static GtkWindow *
host (gpointer page)
{
  GtkWidget *window = adw_window_new ();

  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  adw_window_set_content (ADW_WINDOW (window), GTK_WIDGET (page));
  gtk_window_present (GTK_WINDOW (window));
  sf_test_gui_settle (50);
  return GTK_WINDOW (window);
}

/* Light and dark shots of @window's content. */
static void
screenshots (GtkWindow  *window,
             const char *name)
{
  g_autofree char *page_name = g_strdup_printf ("page-%s", name);

  sf_test_gui_set_dark (FALSE);
  sf_test_gui_screenshot (GTK_WIDGET (window), page_name);
  sf_test_gui_set_dark (TRUE);
  sf_test_gui_screenshot (GTK_WIDGET (window), page_name);
  sf_test_gui_set_dark (FALSE);
}

/* Depth-first: the first widget under @root (itself included) that @match takes. */
static GtkWidget *
find_widget (GtkWidget *root,
             gboolean (*match) (GtkWidget *, gconstpointer),
             gconstpointer data)
{
  if (match (root, data))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child)) {
    GtkWidget *found = find_widget (child, match, data);

    if (found != NULL)
      return found;
  }
  return NULL;
}

static gboolean
is_label_with_text (GtkWidget     *widget,
                    gconstpointer  text)
{
  /* Mapped: on screen, not on a stack page that is not shown. */
  return GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0 &&
         gtk_widget_get_mapped (widget);
}

static gboolean
shows_text (gpointer    root,
            const char *text)
{
  return find_widget (GTK_WIDGET (root), is_label_with_text, text) != NULL;
}

static gboolean
is_entry_row_titled (GtkWidget     *widget,
                     gconstpointer  title)
{
  return ADW_IS_ENTRY_ROW (widget) &&
         g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0;
}

/* The visible AdwMessageDialog, or NULL. */
static AdwMessageDialog *
find_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++) {
    g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

    if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (window))
      return ADW_MESSAGE_DIALOG (window);
  }
  return NULL;
}

static void
on_start (gpointer  page,
          gpointer  user_data)
{
  (*(guint *) user_data)++;
}

/* ---- the phone ----------------------------------------------------------------------- */

static SfSim *
start_phone (const char *storage)
{
  g_autoptr(GError) error = NULL;
  SfSimOptions opts;
  SfSim *sim;

  sf_sim_options_init (&opts);
  opts.storage_dir = storage;
  opts.emmc_user_size = 256 * MB;
  /* The pages read and erase without a firmware: through the preloader
   * the DRAM needs no settings (protocol.md §13.2). */
  opts.mode = SF_SIM_MODE_PRELOADER;
  sim = sf_sim_new (&opts, &error);
  ck_assert_msg (sim != NULL, "%s", error ? error->message : "");
  ck_assert_msg (sf_sim_start (sim, &error), "%s", error ? error->message : "");
  return sim;
}

/* The phone lets go after each job: a fresh one on the same storage. */
static SfSim *
restart_phone (SfSim      *sim,
               const char *storage)
{
  sf_sim_stop (sim);
  sf_sim_free (sim);
  return start_phone (storage);
}

static SfFlashJob *
new_job_on (const char *port)
{
  const char *da_path = g_getenv ("SF_SYNTHETIC_DA");
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SfDaFile) da = NULL;

  ck_assert_msg (da_path != NULL, "SF_SYNTHETIC_DA is not set");
  file = g_file_new_for_path (da_path);
  da = sf_da_file_new (file, NULL, &error);
  ck_assert_msg (da != NULL, "%s", error ? error->message : "");
  return sf_flash_job_new (port, da);
}

static SfFlashJob *
new_job (SfSim *sim)
{
  return new_job_on (sf_sim_get_port_path (sim));
}

/* Runs @job (taken) as the window would: on a worker, events drained on the
 * main loop. Returns the FAILED event's error, or NULL on success; hands
 * back what SF_EVENT_DEVICE said. */
static GError *
run_job (SfFlashJob    *job,
         SfDeviceInfo **out_info)
{
  g_autoptr(SfWorker) worker = sf_worker_new ();
  GAsyncQueue *queue = sf_worker_get_queue (worker);
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  GError *result = NULL;
  gboolean over = FALSE;

  sf_worker_start (worker, "sf-test", sf_flash_job_run, job, (GDestroyNotify) sf_flash_job_free);
  while (!over) {
    g_autoptr(SfEvent) e = g_async_queue_timeout_pop (queue, 1000);

    ck_assert_msg (g_get_monotonic_time () < deadline, "the job did not end");
    g_main_context_iteration (NULL, FALSE);
    if (e == NULL)
      continue;
    switch (e->kind) {
    case SF_EVENT_DEVICE:
      if (out_info != NULL && e->device != NULL) {
        g_clear_pointer (out_info, sf_device_info_free);
        *out_info = sf_device_info_copy (e->device);
      }
      break;
    case SF_EVENT_FINISHED:
      over = TRUE;
      break;
    case SF_EVENT_FAILED:
      result = g_error_copy (e->error);
      over = TRUE;
      break;
    default:
      break;
    }
  }
  sf_worker_join (worker);
  return result;
}

/* A job's error, with what the phone side saw. */
static void
assert_job_ok (const GError *error,
               SfSim        *sim)
{
  const GError *sim_error = sf_sim_get_error (sim);

  ck_assert_msg (error == NULL, "%s (phone: result %d, %s)", error != NULL ? error->message : "",
                 sf_sim_get_result (sim), sim_error != NULL ? sim_error->message : "no error");
}

static GBytes *
read_range (const char *storage,
            const char *device,
            guint64     offset,
            gsize       length)
{
  g_autofree char *path = g_build_filename (storage, device, NULL);
  guint8 *data = g_malloc0 (length);
  int fd = open (path, O_RDONLY);

  ck_assert_int_ge (fd, 0);
  ck_assert_int_eq (pread (fd, data, length, (off_t) offset), (gssize) length);
  close (fd);
  return g_bytes_new_take (data, length);
}

/* Fills @length bytes at @offset of the phone's @device with a pattern
 * that differs per offset and per @seed. */
static void
fill_range (const char *storage,
            const char *device,
            guint64     offset,
            gsize       length,
            guint8      seed)
{
  g_autofree char *path = g_build_filename (storage, device, NULL);
  g_autofree guint8 *data = g_malloc (length);
  int fd = open (path, O_WRONLY);

  for (gsize i = 0; i < length; i++)
    data[i] = (guint8) ((i * 31 + (i >> 9) + seed) | 1);
  ck_assert_int_ge (fd, 0);
  ck_assert_int_eq (pwrite (fd, data, length, (off_t) offset), (gssize) length);
  close (fd);
}

static gboolean
file_equals (const char *path,
             GBytes     *expected)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &data, &len, NULL))
    return FALSE;
  return len == g_bytes_get_size (expected) && memcmp (data, g_bytes_get_data (expected, NULL), len) == 0;
}

static gboolean
is_zero (GBytes *bytes)
{
  const guint8 *data = g_bytes_get_data (bytes, NULL);

  for (gsize i = 0; i < g_bytes_get_size (bytes); i++) {
    if (data[i] != 0)
      return FALSE;
  }
  return TRUE;
}

static SfFirmware *
open_sample (void)
{
  const char *dir = g_getenv ("SF_SAMPLE_FIRMWARE");
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  SfFirmware *firmware;

  ck_assert_msg (dir != NULL, "SF_SAMPLE_FIRMWARE is not set");
  file = g_file_new_for_path (dir);
  firmware = sf_firmware_open (file, NULL, &error);
  ck_assert_msg (firmware != NULL, "%s", error ? error->message : "");
  return firmware;
}

#define assert_error(error, domain, code) \
  ck_assert_msg (g_error_matches ((error), (domain), (code)), "unexpected error: %s", \
                 (error) != NULL ? (error)->message : "none")

static gboolean
strv_has (GStrv       strv,
          const char *name)
{
  return strv != NULL && g_strv_contains ((const char * const *) strv, name);
}

/* ---- Readback ---------------------------------------------------------------------- */

START_TEST (test_readback_empty)
{
  SfReadbackPage *page = sf_readback_page_new ();
  GtkWindow *window = host (page);
  g_auto(GStrv) names = sf_readback_page_get_partition_names (page);
  g_autoptr(GError) error = NULL;
  g_autoptr(SfFlashJob) job = NULL;
  g_autoptr(GFile) home_default = g_file_new_build_filename (g_get_home_dir (), "Scatterflash Readback", NULL);
  g_autofree char *text = NULL;

  ck_assert_uint_eq (g_strv_length (names), 0);
  ck_assert (shows_text (page, "No Partitions Known Yet"));
  screenshots (window, "readback-empty");
  /* No setting in the memory backend: the default folder. */
  ck_assert (g_file_equal (sf_readback_page_get_folder (page), home_default));

  /* Nothing ticked: the job is refused, nothing is made. */
  job = new_job_on ("/dev/null");
  ck_assert (!sf_readback_page_configure_job (page, job, &error));
  assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);

  /* With no firmware, the whole phone can still be backed up. */
  sf_readback_page_set_back_up_everything (page, TRUE);
  ck_assert (sf_readback_page_get_back_up_everything (page));
  text = sf_readback_page_describe (page);
  ck_assert_ptr_nonnull (strstr (text, "whole phone"));

  destroy_and_check (window, page);
}
END_TEST

START_TEST (test_readback_firmware)
{
  g_autofree char *storage = sf_test_make_tempdir ();
  g_autofree char *out = sf_test_make_tempdir ();
  g_autofree char *mbr_path = g_build_filename (out, "MBR.bin", NULL);
  g_autofree char *ebr_path = g_build_filename (out, "EBR1.bin", NULL);
  g_autofree char *text = NULL;
  g_autoptr(SfFirmware) firmware = open_sample ();
  g_autoptr(SfSim) sim = start_phone (storage);
  g_autoptr(GBytes) mbr = NULL;
  g_autoptr(GBytes) ebr = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) folder = g_file_new_for_path (out);
  g_auto(GStrv) names = NULL;
  g_auto(GStrv) selected = NULL;
  const char *wanted[] = { "MBR", "ebr1", NULL };
  SfReadbackPage *page = sf_readback_page_new ();
  GtkWindow *window = host (page);
  AdwMessageDialog *dialog;
  SfFlashJob *job;
  guint started = 0;

  g_signal_connect (page, "start", G_CALLBACK (on_start), &started);
  sf_readback_page_set_firmware (page, firmware);
  names = sf_readback_page_get_partition_names (page);
  ck_assert (strv_has (names, "PRELOADER"));
  ck_assert (strv_has (names, "MBR"));
  ck_assert (strv_has (names, "NVRAM"));
  /* A firmware and no phone table: no "everything" (the switch is hidden). */
  sf_readback_page_set_back_up_everything (page, TRUE);
  ck_assert (!sf_readback_page_get_back_up_everything (page));

  sf_readback_page_set_folder (page, folder);
  sf_readback_page_set_selected (page, wanted);
  selected = sf_readback_page_get_selected (page);
  ck_assert_uint_eq (g_strv_length (selected), 2);
  text = sf_readback_page_describe (page);
  ck_assert_ptr_nonnull (strstr (text, "2 partitions"));
  screenshots (window, "readback");

  /* Known bytes where the scatter puts MBR and EBR1: V1.1.1 addresses
   * count from MBR's, which is the first byte of the user area. */
  fill_range (storage, "user.bin", 0, 0x80000, 1);
  fill_range (storage, "user.bin", 0x80000, 0x80000, 2);
  mbr = read_range (storage, "user.bin", 0, 0x80000);
  ebr = read_range (storage, "user.bin", 0x80000, 0x80000);

  /* No file there yet: Read Back starts at once. */
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (page), "readback.start", NULL));
  ck_assert_uint_eq (started, 1);
  ck_assert_ptr_null (find_dialog ());
  job = new_job (sim);
  ck_assert_msg (sf_readback_page_configure_job (page, job, &error), "%s", error ? error->message : "");
  error = run_job (job, NULL);
  assert_job_ok (error, sim);
  ck_assert (file_equals (mbr_path, mbr));
  ck_assert (file_equals (ebr_path, ebr));

  /* Now both exist: never replaced silently. */
  job = new_job (sim);
  ck_assert (!sf_readback_page_configure_job (page, job, &error));
  assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);
  sf_flash_job_free (job);

  ck_assert (gtk_widget_activate_action (GTK_WIDGET (page), "readback.start", NULL));
  ck_assert_uint_eq (started, 1);
  dialog = find_dialog ();
  ck_assert_ptr_nonnull (dialog);
  ck_assert_ptr_nonnull (strstr (adw_message_dialog_get_heading (dialog), "2"));
  ck_assert_ptr_nonnull (strstr (adw_message_dialog_get_body (dialog), "EBR1.bin"));
  ck_assert_int_eq (adw_message_dialog_get_response_appearance (dialog, "replace"), ADW_RESPONSE_DESTRUCTIVE);
  screenshots (GTK_WINDOW (dialog), "readback-replace");
  adw_message_dialog_response (dialog, "cancel");
  sf_test_gui_settle (50);
  ck_assert_uint_eq (started, 1);

  /* Agreed: the files are replaced with what the phone has now. */
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (page), "readback.start", NULL));
  dialog = find_dialog ();
  ck_assert_ptr_nonnull (dialog);
  adw_message_dialog_response (dialog, "replace");
  sf_test_gui_settle (50);
  ck_assert_uint_eq (started, 2);
  fill_range (storage, "user.bin", 0, 0x80000, 7);
  g_clear_pointer (&mbr, g_bytes_unref);
  mbr = read_range (storage, "user.bin", 0, 0x80000);
  sim = restart_phone (sim, storage);
  job = new_job (sim);
  ck_assert_msg (sf_readback_page_configure_job (page, job, &error), "%s", error ? error->message : "");
  error = run_job (job, NULL);
  assert_job_ok (error, sim);
  ck_assert (file_equals (mbr_path, mbr));

  /* Busy: nothing can be started. */
  sf_readback_page_set_busy (page, TRUE);
  ck_assert (!gtk_widget_is_sensitive (gtk_widget_get_first_child (GTK_WIDGET (page))));
  sf_readback_page_set_busy (page, FALSE);

  destroy_and_check (window, page);
  sf_sim_stop (sim);
  sf_test_rm_rf (storage);
  sf_test_rm_rf (out);
}
END_TEST

/* SP Flash Tool's readback: an address range of a region, with no
 * firmware and no table, byte for byte; a bad field is refused where it is. */
START_TEST (test_readback_range)
{
  g_autofree char *storage = sf_test_make_tempdir ();
  g_autofree char *out = sf_test_make_tempdir ();
  g_autofree char *user_path = g_build_filename (out, "EMMC_USER_0x100000_0x40000.bin", NULL);
  g_autofree char *boot_path = g_build_filename (out, "EMMC_BOOT_1_0x200_0x400.bin", NULL);
  g_autoptr(SfSim) sim = start_phone (storage);
  g_autoptr(GBytes) user = NULL;
  g_autoptr(GBytes) boot = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) folder = g_file_new_for_path (out);
  g_autofree char *text = NULL;
  SfReadbackPage *page = sf_readback_page_new ();
  GtkWindow *window = host (page);
  SfFlashJob *job;

  sf_readback_page_set_folder (page, folder);
  /* Nothing asked for yet: nothing to start. */
  ck_assert (!gtk_widget_activate_action (GTK_WIDGET (page), "readback.start", NULL) ||
             find_dialog () == NULL);

  /* A bad begin address: said, and refused. */
  sf_readback_page_set_range (page, SF_EMMC_PART_USER, "0x101", "0x200");
  ck_assert_ptr_nonnull (sf_readback_page_get_range_error (page));
  ck_assert_ptr_nonnull (strstr (sf_readback_page_get_range_error (page), "Begin address"));
  job = new_job (sim);
  ck_assert (!sf_readback_page_configure_job (page, job, &error));
  assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  sf_flash_job_free (job);

  /* The user area from 1 MiB, 256 KiB of it. */
  fill_range (storage, "user.bin", 0x100000, 0x40000, 9);
  user = read_range (storage, "user.bin", 0x100000, 0x40000);
  sf_readback_page_set_range (page, SF_EMMC_PART_USER, "100000", "0x40000");
  ck_assert_ptr_null (sf_readback_page_get_range_error (page));
  text = sf_readback_page_describe (page);
  ck_assert_ptr_nonnull (strstr (text, "EMMC_USER 0x100000 + 0x40000"));
  job = new_job (sim);
  ck_assert_msg (sf_readback_page_configure_job (page, job, &error), "%s", error ? error->message : "");
  error = run_job (job, NULL);
  assert_job_ok (error, sim);
  ck_assert (file_equals (user_path, user));

  /* The same again is not written over silently. */
  job = new_job (sim);
  ck_assert (!sf_readback_page_configure_job (page, job, &error));
  assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);
  sf_flash_job_free (job);

  /* A boot area. */
  fill_range (storage, "boot1.bin", 0x200, 0x400, 4);
  boot = read_range (storage, "boot1.bin", 0x200, 0x400);
  sf_readback_page_set_range (page, SF_EMMC_PART_BOOT1, "0x200", "0x400");
  sim = restart_phone (sim, storage);
  job = new_job (sim);
  ck_assert_msg (sf_readback_page_configure_job (page, job, &error), "%s", error ? error->message : "");
  error = run_job (job, NULL);
  assert_job_ok (error, sim);
  ck_assert (file_equals (boot_path, boot));
  screenshots (window, "readback-range");

  destroy_and_check (window, page);
  sf_sim_stop (sim);
  sf_test_rm_rf (storage);
  sf_test_rm_rf (out);
}
END_TEST

START_TEST (test_readback_table)
{
  g_autofree char *storage = sf_test_make_tempdir ();
  g_autofree char *out = sf_test_make_tempdir ();
  g_autofree char *alpha_path = g_build_filename (out, "ALPHA.bin", NULL);
  g_autoptr(SfSim) sim = start_phone (storage);
  g_autoptr(SfPartitionTable) table = sf_partition_table_new ();
  g_autoptr(GBytes) alpha = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) folder = g_file_new_for_path (out);
  g_auto(GStrv) names = NULL;
  const char *wanted[] = { "ALPHA", NULL };
  SfReadbackPage *page = sf_readback_page_new ();
  GtkWindow *window = host (page);
  SfFlashJob *job;

  sf_partition_table_add (table, "ALPHA", 0x200000, 0x40000);
  sf_partition_table_add (table, "BETA", 0x240000, 0x40000);
  sf_partition_table_add (table, "../EVIL", 0x280000, 0x1000);
  sf_readback_page_set_partition_table (page, table);
  names = sf_readback_page_get_partition_names (page);
  /* A name that cannot be a file name is not offered. */
  ck_assert_uint_eq (g_strv_length (names), 2);
  ck_assert (shows_text (page, "ALPHA"));
  ck_assert (shows_text (page, "0x00200000 · 256.0\u00a0KiB"));

  sf_readback_page_set_folder (page, folder);
  sf_readback_page_set_selected (page, wanted);
  fill_range (storage, "user.bin", 0x200000, 0x40000, 3);
  alpha = read_range (storage, "user.bin", 0x200000, 0x40000);
  job = new_job (sim);
  ck_assert_msg (sf_readback_page_configure_job (page, job, &error), "%s", error ? error->message : "");
  error = run_job (job, NULL);
  assert_job_ok (error, sim);
  ck_assert (file_equals (alpha_path, alpha));

  /* Everything: a new timestamped folder each time, never an old one. */
  sf_readback_page_set_back_up_everything (page, TRUE);
  ck_assert (sf_readback_page_get_back_up_everything (page));
  job = new_job_on ("/dev/null");
  ck_assert_msg (sf_readback_page_configure_job (page, job, &error), "%s", error ? error->message : "");
  sf_flash_job_free (job);
  {
    g_autofree char *text = sf_readback_page_describe (page);
    g_autoptr(GDir) dir = g_dir_open (out, 0, NULL);
    const char *entry;
    gboolean found = FALSE;

    ck_assert_ptr_nonnull (strstr (text, "Phone Backup"));
    while ((entry = g_dir_read_name (dir)) != NULL)
      found = found || g_str_has_prefix (entry, "Phone Backup ");
    ck_assert (found);
  }

  destroy_and_check (window, page);
  sf_sim_stop (sim);
  sf_test_rm_rf (storage);
  sf_test_rm_rf (out);
}
END_TEST

/* With the phone's table known: the boot area and every partition of the
 * table into a new folder, with a scatter file. */
START_TEST (test_readback_everything)
{
  g_autofree char *storage = sf_test_make_tempdir ();
  g_autofree char *out = sf_test_make_tempdir ();
  g_autofree char *backup = NULL;
  g_autofree char *mbr_path = NULL;
  g_autofree char *scatter_path = NULL;
  g_autoptr(SfFirmware) firmware = open_sample ();
  g_autoptr(SfSim) sim = start_phone (storage);
  g_autoptr(SfPlan) plan = NULL;
  g_autoptr(SfDeviceInfo) info = NULL;
  g_autoptr(GBytes) mbr = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) folder = g_file_new_for_path (out);
  g_autoptr(GDir) dir = NULL;
  const SfPartitionTableEntry *entry;
  const char *name;
  SfReadbackPage *page = sf_readback_page_new ();
  GtkWindow *window = host (page);
  SfFlashJob *job;

  /* A blank phone gets its table with its first download. */
  plan = sf_plan_new (firmware, NULL, SF_SCENE_DOWNLOAD_ONLY, NULL, &error);
  ck_assert_msg (plan != NULL, "%s", error ? error->message : "");
  job = new_job (sim);
  sf_flash_job_set_plan (job, plan);
  error = run_job (job, NULL);
  assert_job_ok (error, sim);

  /* Identify: the table the page is given. */
  sim = restart_phone (sim, storage);
  error = run_job (new_job (sim), &info);
  assert_job_ok (error, sim);
  ck_assert (info != NULL && info->table != NULL && !sf_partition_table_is_empty (info->table));
  sf_readback_page_set_firmware (page, firmware);
  sf_readback_page_set_partition_table (page, info->table);
  sf_readback_page_set_folder (page, folder);
  sf_readback_page_set_back_up_everything (page, TRUE);
  ck_assert (sf_readback_page_get_back_up_everything (page));

  sim = restart_phone (sim, storage);
  job = new_job (sim);
  ck_assert_msg (sf_readback_page_configure_job (page, job, &error), "%s", error ? error->message : "");
  error = run_job (job, NULL);
  assert_job_ok (error, sim);

  dir = g_dir_open (out, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL) {
    if (g_str_has_prefix (name, "Phone Backup "))
      backup = g_build_filename (out, name, NULL);
  }
  ck_assert_ptr_nonnull (backup);
  entry = sf_partition_table_lookup (info->table, "MBR");
  ck_assert_ptr_nonnull (entry);
  mbr = read_range (storage, "user.bin", entry->offset, entry->size);
  mbr_path = g_build_filename (backup, "MBR.bin", NULL);
  ck_assert (file_equals (mbr_path, mbr));
  scatter_path = g_build_filename (backup, "MT6572_Android_scatter.txt", NULL);
  ck_assert (g_file_test (scatter_path, G_FILE_TEST_IS_REGULAR));
  g_clear_pointer (&mbr_path, g_free);
  mbr_path = g_build_filename (backup, "PRELOADER.bin", NULL);
  ck_assert (g_file_test (mbr_path, G_FILE_TEST_IS_REGULAR));

  destroy_and_check (window, page);
  sf_sim_stop (sim);
  sf_test_rm_rf (storage);
  sf_test_rm_rf (out);
}
END_TEST

/* ---- Format ---------------------------------------------------------------------------- */

START_TEST (test_format_validation)
{
  SfFormatPage *page = sf_format_page_new ();
  GtkWindow *window = host (page);
  GtkWidget *begin_row;
  g_autoptr(GError) error = NULL;
  g_autoptr(SfFlashJob) job = new_job_on ("/dev/null");
  guint started = 0;

  g_signal_connect (page, "start", G_CALLBACK (on_start), &started);
  /* No firmware: the modes that need one are not chosen. */
  ck_assert_int_eq (sf_format_page_get_mode (page), SF_FORMAT_MODE_MANUAL);
  begin_row = find_widget (GTK_WIDGET (page), is_entry_row_titled, "_Begin address (hex)");
  ck_assert_ptr_nonnull (begin_row);

  /* Misaligned: an error on the field, and the job is refused. */
  sf_format_page_set_manual (page, SF_EMMC_PART_USER, "0x101", "0x200");
  ck_assert_ptr_nonnull (sf_format_page_get_manual_error (page));
  ck_assert_ptr_nonnull (strstr (sf_format_page_get_manual_error (page), "Begin address"));
  ck_assert (gtk_widget_has_css_class (begin_row, "error"));
  ck_assert (!sf_format_page_configure_job (page, job, &error));
  assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  screenshots (window, "format-error");

  /* Garbage, an empty length, a zero length, an overflow. */
  sf_format_page_set_manual (page, SF_EMMC_PART_USER, "0xZZ", "0x200");
  ck_assert_ptr_nonnull (sf_format_page_get_manual_error (page));
  ck_assert (gtk_widget_has_css_class (begin_row, "error"));
  sf_format_page_set_manual (page, SF_EMMC_PART_USER, "0x0", "");
  ck_assert_ptr_nonnull (sf_format_page_get_manual_error (page));
  ck_assert (!gtk_widget_has_css_class (begin_row, "error"));
  sf_format_page_set_manual (page, SF_EMMC_PART_USER, "0x0", "0");
  ck_assert_ptr_nonnull (strstr (sf_format_page_get_manual_error (page), "Length"));
  sf_format_page_set_manual (page, SF_EMMC_PART_USER, "0x0", "0x123");
  ck_assert_ptr_nonnull (sf_format_page_get_manual_error (page));
  sf_format_page_set_manual (page, SF_EMMC_PART_USER, "0xFFFFFFFFFFFFFE00", "0x400");
  ck_assert_ptr_nonnull (sf_format_page_get_manual_error (page));
  sf_format_page_set_manual (page, SF_EMMC_PART_USER, "0x11223344556677889", "0x200");
  ck_assert_ptr_nonnull (sf_format_page_get_manual_error (page));
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (page), "format.start", NULL));
  ck_assert_ptr_null (find_dialog ());

  /* Fine: hex with or without 0x. The question comes before "start". */
  sf_format_page_set_manual (page, SF_EMMC_PART_BOOT2, "200", "0x1000");
  ck_assert_ptr_null (sf_format_page_get_manual_error (page));
  ck_assert (!gtk_widget_has_css_class (begin_row, "error"));
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (page), "format.start", NULL));
  ck_assert_uint_eq (started, 0);
  {
    AdwMessageDialog *dialog = find_dialog ();

    ck_assert_ptr_nonnull (dialog);
    ck_assert_ptr_nonnull (strstr (adw_message_dialog_get_body (dialog), "EMMC_BOOT_2 from 0x200 to 0x11FF"));
    ck_assert_int_eq (adw_message_dialog_get_response_appearance (dialog, "format"), ADW_RESPONSE_DESTRUCTIVE);
    adw_message_dialog_response (dialog, "format");
  }
  sf_test_gui_settle (50);
  ck_assert_uint_eq (started, 1);

  /* Whole flash: the warning is shown. */
  sf_format_page_set_mode (page, SF_FORMAT_MODE_WHOLE_FLASH);
  ck_assert (shows_text (page, "The phone will not start until you flash it again"));
  screenshots (window, "format-whole");
  ck_assert (sf_format_page_configure_job (page, job, &error));

  destroy_and_check (window, page);
}
END_TEST

START_TEST (test_format_manual)
{
  g_autofree char *storage = sf_test_make_tempdir ();
  g_autoptr(SfSim) sim = start_phone (storage);
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) erased = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autoptr(GBytes) around = NULL;
  g_autoptr(GError) error = NULL;
  SfFormatPage *page = sf_format_page_new ();
  GtkWindow *window = host (page);
  g_autofree char *text = NULL;
  SfFlashJob *job;

  fill_range (storage, "user.bin", 0x100000, 0x40000, 5);
  before = read_range (storage, "user.bin", 0x130000, 0x10000);
  sf_format_page_set_manual (page, SF_EMMC_PART_USER, "0x100000", "0x30000");
  ck_assert_ptr_null (sf_format_page_get_manual_error (page));
  text = sf_format_page_describe (page);
  ck_assert_ptr_nonnull (strstr (text, "EMMC_USER"));

  job = new_job (sim);
  ck_assert_msg (sf_format_page_configure_job (page, job, &error), "%s", error ? error->message : "");
  error = run_job (job, NULL);
  assert_job_ok (error, sim);
  erased = read_range (storage, "user.bin", 0x100000, 0x30000);
  ck_assert (is_zero (erased));
  /* Not one byte more. */
  after = read_range (storage, "user.bin", 0x130000, 0x10000);
  ck_assert (g_bytes_equal (before, after));
  around = read_range (storage, "user.bin", 0xFFE00, 0x200);
  ck_assert (is_zero (around));   /* never written: still erased */

  destroy_and_check (window, page);
  sf_sim_stop (sim);
  sf_test_rm_rf (storage);
}
END_TEST

START_TEST (test_format_auto)
{
  g_autofree char *storage = sf_test_make_tempdir ();
  g_autoptr(SfFirmware) firmware = open_sample ();
  g_autoptr(SfSim) sim = start_phone (storage);
  g_autoptr(GBytes) nvram_before = NULL;
  g_autoptr(GBytes) nvram_after = NULL;
  g_autoptr(GBytes) uboot = NULL;
  g_autoptr(GBytes) preloader_before = NULL;
  g_autoptr(GBytes) preloader_after = NULL;
  g_autoptr(GError) error = NULL;
  SfFormatPage *page = sf_format_page_new ();
  GtkWindow *window = host (page);
  SfFlashJob *job;
  guint started = 0;

  g_signal_connect (page, "start", G_CALLBACK (on_start), &started);
  sf_format_page_set_firmware (page, firmware);
  /* With a firmware and an untouched range, Auto is the choice. */
  ck_assert_int_eq (sf_format_page_get_mode (page), SF_FORMAT_MODE_AUTO);
  screenshots (window, "format");

  /* The question names what is erased and what is kept. */
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (page), "format.start", NULL));
  {
    AdwMessageDialog *dialog = find_dialog ();

    ck_assert_ptr_nonnull (dialog);
    ck_assert_ptr_nonnull (strstr (adw_message_dialog_get_body (dialog), "UBOOT"));
    ck_assert_ptr_null (strstr (adw_message_dialog_get_body (dialog), "NVRAM,"));
    ck_assert_ptr_nonnull (strstr (adw_message_dialog_get_body (dialog), "kept"));
    adw_message_dialog_response (dialog, "cancel");
  }
  sf_test_gui_settle (50);
  ck_assert_uint_eq (started, 0);

  /* UBOOT (0x1500000 − MBR's 0xC00000) is erased; NVRAM (0xD80000 −
   * 0xC00000) and the preloader are kept. */
  fill_range (storage, "user.bin", 0x900000, 0x80000, 9);
  fill_range (storage, "user.bin", 0x180000, 0x10000, 10);
  fill_range (storage, "boot1.bin", 0, 0x10000, 11);
  nvram_before = read_range (storage, "user.bin", 0x180000, 0x10000);
  preloader_before = read_range (storage, "boot1.bin", 0, 0x10000);
  job = new_job (sim);
  ck_assert_msg (sf_format_page_configure_job (page, job, &error), "%s", error ? error->message : "");
  error = run_job (job, NULL);
  assert_job_ok (error, sim);
  uboot = read_range (storage, "user.bin", 0x900000, 0x80000);
  ck_assert (is_zero (uboot));
  nvram_after = read_range (storage, "user.bin", 0x180000, 0x10000);
  ck_assert (g_bytes_equal (nvram_before, nvram_after));
  preloader_after = read_range (storage, "boot1.bin", 0, 0x10000);
  ck_assert (g_bytes_equal (preloader_before, preloader_after));

  /* Including calibration: the question says it is backed up first. */
  sf_format_page_set_mode (page, SF_FORMAT_MODE_AUTO_CALIBRATION);
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (page), "format.start", NULL));
  {
    AdwMessageDialog *dialog = find_dialog ();

    ck_assert_ptr_nonnull (dialog);
    ck_assert_ptr_nonnull (strstr (adw_message_dialog_get_body (dialog), "NVRAM"));
    ck_assert_ptr_nonnull (strstr (adw_message_dialog_get_body (dialog), "backed up"));
    screenshots (GTK_WINDOW (dialog), "format-confirm");
    adw_message_dialog_response (dialog, "cancel");
  }

  /* Without the firmware again, Auto cannot be the mode. */
  sf_format_page_set_firmware (page, NULL);
  ck_assert_int_ne (sf_format_page_get_mode (page), SF_FORMAT_MODE_AUTO);
  ck_assert_int_ne (sf_format_page_get_mode (page), SF_FORMAT_MODE_AUTO_CALIBRATION);

  destroy_and_check (window, page);
  sf_sim_stop (sim);
  sf_test_rm_rf (storage);
}
END_TEST

/* ---- Phone --------------------------------------------------------------------------------- */

START_TEST (test_device_page)
{
  g_autofree char *storage = sf_test_make_tempdir ();
  g_autoptr(SfSim) sim = start_phone (storage);
  g_autoptr(SfDeviceInfo) info = NULL;
  g_autoptr(SfDeviceInfo) fake = g_new0 (SfDeviceInfo, 1);
  g_autoptr(GError) error = NULL;
  SfDevicePage *page = sf_device_page_new ();
  GtkWindow *window = host (page);
  guint identify = 0;

  g_signal_connect (page, "identify", G_CALLBACK (on_start), &identify);
  ck_assert (shows_text (page, "No Phone Identified Yet"));
  screenshots (window, "device-empty");
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (page), "device.identify", NULL));
  ck_assert_uint_eq (identify, 1);

  /* What the window does on "identify": a job without a plan. */
  sf_device_page_set_busy (page, TRUE);
  error = run_job (new_job (sim), &info);
  assert_job_ok (error, sim);
  sf_device_page_set_busy (page, FALSE);
  ck_assert_ptr_nonnull (info);
  sf_device_page_set_info (page, info);
  ck_assert (!shows_text (page, "No Phone Identified Yet"));
  ck_assert (shows_text (page, "MT6572"));
  ck_assert (shows_text (page, "0x6572"));
  ck_assert (shows_text (page, "256.0\u00a0MiB"));
  ck_assert (shows_text (page, info->is_brom ? "BootROM" : "Preloader"));
  screenshots (window, "device");

  /* A phone with a table, and an unknown chip. */
  fake->hw_code = 0x1234;
  fake->has_storage = TRUE;
  fake->storage = g_strdup ("EMMC");
  fake->user_size = 8ULL << 30;
  fake->table = sf_partition_table_new ();
  sf_partition_table_add (fake->table, "PRO_INFO", 0xd00000, 0x80000);
  sf_device_page_set_info (page, fake);
  ck_assert (shows_text (page, "Unknown chip (0x1234)"));
  ck_assert (shows_text (page, "8.0\u00a0GiB"));
  ck_assert (shows_text (page, "PRO_INFO"));
  ck_assert (shows_text (page, "0x00D00000 · 512.0\u00a0KiB"));
  ck_assert (!shows_text (page, "MT6572"));

  sf_device_page_set_info (page, NULL);
  ck_assert (shows_text (page, "No Phone Identified Yet"));

  destroy_and_check (window, page);
  sf_sim_stop (sim);
  sf_test_rm_rf (storage);
}
END_TEST

/* ---- Preferences ------------------------------------------------------------------------------ */

/* What the preferences window binds; the schema that data/ installs has
 * these keys (and more). */
static const char test_schema[] =
  "<schemalist>\n"
  "  <schema id='" APP_ID "' path='/io/github/Scatterflash/'>\n"
  "    <key name='verify-after-write' type='b'><default>false</default></key>\n"
  "    <key name='usb-speed' type='s'><choices><choice value='full'/><choice value='high'/></choices>"
  "<default>'high'</default></key>\n"
  "    <key name='backup-folder' type='s'><default>''</default></key>\n"
  "    <key name='readback-folder' type='s'><default>''</default></key>\n"
  "  </schema>\n"
  "</schemalist>\n";

/* Constructs the window in this process, whatever the schema's state. */
static void
check_preferences (int expect_schema)
{
  GtkWidget *parent = adw_window_new ();
  GtkWidget *prefs;
  g_autoptr(GSettings) settings = sf_gui_settings_new ();

  /* XDG_DATA_DIRS stays (libadwaita needs the desktop's schemas): a copy
   * installed on this machine cannot be hidden from the child. */
  if (expect_schema == FALSE && settings != NULL) {
    g_printerr ("%s is installed on this machine: the no-schema case is not checked\n", APP_ID);
    gtk_window_destroy (GTK_WINDOW (parent));
    return;
  }
  gtk_window_set_default_size (GTK_WINDOW (parent), 1000, 700);
  gtk_window_present (GTK_WINDOW (parent));
  prefs = sf_preferences_window_new (GTK_WINDOW (parent));
  gtk_window_present (GTK_WINDOW (prefs));
  sf_test_gui_settle (100);
  if (expect_schema >= 0) {
    ck_assert_int_eq (settings != NULL, expect_schema);
    ck_assert_int_eq (sf_preferences_window_is_saving (SF_PREFERENCES_WINDOW (prefs)), expect_schema);
  }
  ck_assert (shows_text (prefs, "Verify After Writing"));

  if (settings != NULL) {
    g_autoptr(GFile) folder = NULL;

    /* The rows follow the settings, and the pages read them. */
    g_settings_set_string (settings, "backup-folder", "/tmp/sf-backups");
    sf_test_gui_settle (50);
    ck_assert (shows_text (prefs, "/tmp/sf-backups"));
    g_settings_set_string (settings, "readback-folder", "/tmp/sf-readback");
    folder = sf_gui_default_readback_folder (settings);
    ck_assert_str_eq (g_file_peek_path (folder), "/tmp/sf-readback");
    g_settings_set_string (settings, "usb-speed", "full");
    sf_test_gui_settle (50);
    ck_assert (shows_text (prefs, "Full speed"));
    screenshots (GTK_WINDOW (prefs), "preferences");
  } else {
    g_autoptr(GFile) folder = sf_gui_default_readback_folder (NULL);
    g_autoptr(GFile) expected = g_file_new_build_filename (g_get_home_dir (), "Scatterflash Readback", NULL);

    ck_assert (g_file_equal (folder, expected));
    ck_assert (shows_text (prefs, "These choices are not saved: the settings schema is not installed."));
  }

  destroy_and_check (GTK_WINDOW (prefs), NULL);
  destroy_and_check (GTK_WINDOW (parent), NULL);
}

START_TEST (test_preferences_here)
{
  check_preferences (-1);
}
END_TEST

/* GSettings reads its schema folders once per process: the two cases run
 * in a child process each. */
static void
run_child (const char *schema_dir,
           gboolean    expect_schema)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_auto(GStrv) env = g_get_environ ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { exe, expect_schema ? "--preferences-with-schema" : "--preferences-without-schema", NULL };
  int status = 0;

  if (schema_dir != NULL)
    env = g_environ_setenv (env, "GSETTINGS_SCHEMA_DIR", schema_dir, TRUE);
  else
    env = g_environ_unsetenv (env, "GSETTINGS_SCHEMA_DIR");
  /* Only one of the two children takes the screenshots. */
  if (schema_dir == NULL)
    env = g_environ_unsetenv (env, "SF_SCREENSHOT_DIR");
  ck_assert_msg (g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error),
                 "%s", error ? error->message : "");
  ck_assert_msg (g_spawn_check_wait_status (status, &error), "%s\n%s%s", error->message, out, err);
}

START_TEST (test_preferences_schema)
{
  g_autofree char *dir = sf_test_make_tempdir ();
  g_autofree char *xml = g_build_filename (dir, APP_ID ".gschema.xml", NULL);
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "glib-compile-schemas", dir, NULL };
  int status = 0;

  sf_test_write_file (xml, test_schema, strlen (test_schema));
  ck_assert_msg (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                               &status, &error), "%s", error ? error->message : "");
  ck_assert (g_spawn_check_wait_status (status, NULL));

  run_child (dir, TRUE);
  run_child (NULL, FALSE);
  sf_test_rm_rf (dir);
}
END_TEST

START_TEST (test_preferences_with_schema)
{
  check_preferences (TRUE);
}
END_TEST

START_TEST (test_preferences_without_schema)
{
  check_preferences (FALSE);
}
END_TEST

static Suite *
pages_suite (void)
{
  Suite *s = suite_create ("gui-pages");
  TCase *tc = tcase_create ("pages");

  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_readback_empty);
  tcase_add_test (tc, test_readback_firmware);
  tcase_add_test (tc, test_readback_range);
  tcase_add_test (tc, test_readback_table);
  tcase_add_test (tc, test_readback_everything);
  tcase_add_test (tc, test_format_validation);
  tcase_add_test (tc, test_format_manual);
  tcase_add_test (tc, test_format_auto);
  tcase_add_test (tc, test_device_page);
  tcase_add_test (tc, test_preferences_here);
  tcase_add_test (tc, test_preferences_schema);
  suite_add_tcase (s, tc);
  return s;
}

static Suite *
child_suite (gboolean with_schema)
{
  Suite *s = suite_create ("gui-pages-preferences");
  TCase *tc = tcase_create ("preferences");

  tcase_add_test (tc, with_schema ? test_preferences_with_schema : test_preferences_without_schema);
  suite_add_tcase (s, tc);
  return s;
}

int
main (int    argc,
      char **argv)
{
  SRunner *runner;
  Suite *suite;
  int failed;

  /* Skipped without a display. */
  if (!sf_test_gui_init ())
    return 77;

  if (argc > 1 && g_str_equal (argv[1], "--preferences-with-schema"))
    suite = child_suite (TRUE);
  else if (argc > 1 && g_str_equal (argv[1], "--preferences-without-schema"))
    suite = child_suite (FALSE);
  else
    suite = pages_suite ();

  runner = srunner_create (suite);
  srunner_set_fork_status (runner, CK_NOFORK);
  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
