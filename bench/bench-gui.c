/* bench-gui.c — does a 1 GiB download make the window stutter?
 *
 * The desktop app downloads a 1 GiB image (an Android sparse image of FILL
 * chunks, expanded by the host into 1 GiB of flash data) to the virtual
 * phone, unpaced, while this program runs the main loop and measures:
 *   - the longest single main-loop dispatch (event handling, the queue
 *     drain, layout and drawing): the time the window could not react;
 *   - the longest gap between two frame-clock ticks of the window.
 * Goal: both under 50 ms (three frames at 60 Hz), the whole download long.
 * It also downloads the same image with `scatterflash-cli` to
 * `scatterflash-sim` on the same storage, once before and once after the
 * window's download, and prints the window's rate over the CLI's (goal
 * >= 0.85).
 *
 * The phone's storage lives in STORAGE_DIR (the build tree) and is kept
 * between runs: a fresh 1 GiB file per run made the file system's block
 * allocation part of the figure. The bench waits on the main loop (a
 * blocking g_main_context_iteration()), as the app does, and a poll
 * function of its own takes the time spent waiting out of each dispatch.
 * Figures are printed, not asserted (meson test --benchmark).
 *
 * Usage: bench-gui CLI SIM STORAGE_DIR
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sf-sim.h"
#include "sf-test-gui.h"
#include "sf-test-util.h"
#include "sf-window.h"

#define MIB (G_GUINT64_CONSTANT (1024) * 1024)
#define BLOCK 4096
#define IMAGE_MIB 1024
#define GOAL_MS 50.0

static const char scatter[] =
  "- general: MTK_PLATFORM_CFG\n"
  "  info:\n"
  "    - config_version: V1.1.2\n"
  "      platform: MT6572\n"
  "      project: bench_gui\n"
  "      storage: EMMC\n"
  "      boot_channel: MSDC_0\n"
  "      block_size: 0x20000\n"
  "- partition_index: SYS0\n"
  "  partition_name: system\n"
  "  file_name: system.img\n"
  "  is_download: true\n"
  "  type: EXT4_IMG\n"
  "  linear_start_addr: 0x1000000\n"
  "  physical_start_addr: 0x1000000\n"
  "  partition_size: 0x50000000\n"
  "  region: EMMC_USER\n"
  "  storage: HW_STORAGE_EMMC\n"
  "  boundary_check: true\n"
  "  is_reserved: false\n"
  "  operation_type: UPDATE\n"
  "  reserve: 0x00\n";

static void
put_le16 (guint8 *p, guint16 v)
{
  p[0] = v & 0xFF;
  p[1] = v >> 8;
}

static void
put_le32 (guint8 *p, guint32 v)
{
  put_le16 (p, v & 0xFFFF);
  put_le16 (p + 2, v >> 16);
}

/* IMAGE_MIB of FILL chunks, 8 MiB each with its own pattern: a tiny file
 * that puts 1 GiB of data on the link. */
static void
write_fill_image (const char *path)
{
  const guint32 run_blocks = 8 * MIB / BLOCK;
  const guint n_runs = IMAGE_MIB / 8;
  g_autoptr(GByteArray) out = g_byte_array_new ();
  guint8 hdr[28] = { 0 };
  guint8 chunk[16] = { 0 };

  put_le32 (hdr, 0xED26FF3A);
  put_le16 (hdr + 4, 1);
  put_le16 (hdr + 8, 28);
  put_le16 (hdr + 10, 12);
  put_le32 (hdr + 12, BLOCK);
  put_le32 (hdr + 16, run_blocks * n_runs);
  put_le32 (hdr + 20, n_runs);
  g_byte_array_append (out, hdr, sizeof hdr);
  for (guint r = 0; r < n_runs; r++) {
    put_le16 (chunk, 0xCAC2);
    put_le32 (chunk + 4, run_blocks);
    put_le32 (chunk + 8, 16);
    put_le32 (chunk + 12, 0x65720000u + r);
    g_byte_array_append (out, chunk, sizeof chunk);
  }
  if (!g_file_set_contents (path, (const char *) out->data, out->len, NULL)) {
    g_printerr ("cannot write %s\n", path);
    exit (1);
  }
}

typedef struct {
  gint64 start_us;
  gint64 last_tick_us;
  gint64 max_gap_us;
  gint64 max_gap_at;
  guint  ticks;
} Ticks;

static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  Ticks *t = user_data;
  gint64 now = g_get_monotonic_time ();

  if (t->last_tick_us != 0 && t->start_us != 0 && now - t->last_tick_us > t->max_gap_us) {
    t->max_gap_us = now - t->last_tick_us;
    t->max_gap_at = now - t->start_us;
  }
  t->last_tick_us = now;
  t->ticks++;
  return G_SOURCE_CONTINUE;
}

static gboolean
is_loaded (gpointer data)
{
  return !sf_window_is_loading (SF_WINDOW (data));
}

/* The time the main loop spent waiting in poll() during the current
 * iteration: what is left of the iteration is dispatch. */
static gint64 poll_us;

static gint
timed_poll (GPollFD *fds,
            guint    n_fds,
            gint     timeout_ms)
{
  gint64 before = g_get_monotonic_time ();
  gint r = g_poll (fds, n_fds, timeout_ms);

  poll_us += g_get_monotonic_time () - before;
  return r;
}

/* "time_ms":N of a JSON event line (the monotonic clock). */
static gint64
event_time_ms (const char *line)
{
  const char *t = strstr (line, "\"time_ms\":");

  return t != NULL ? g_ascii_strtoll (t + 10, NULL, 10) : -1;
}

/* A `scatterflash-cli download --json` of @fw to `scatterflash-sim` on
 * @storage. Returns its rate in bytes/s from the first progress event
 * with data done to the last step-end (as the window's figure is taken),
 * (the bytes after that first report over the time), or 0 when it
 * failed. */
static double
cli_download (const char *cli,
              const char *sim,
              const char *da,
              const char *fw,
              const char *storage)
{
  /* Through the preloader: the bench's firmware has no preloader for the
   * DRAM settings a BootROM entry asks for (protocol.md §13.2). */
  const char *sim_argv[] = { sim, "--storage", storage, "--emmc-user-size", "2G", "--mode", "preloader", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *port = NULL;
  g_auto(GStrv) lines = NULL;
  gint64 first = -1, last = -1;
  guint64 total = (guint64) IMAGE_MIB * MIB, first_done = 0;
  int status = 0, sim_out = -1;
  char buf[256];
  gsize len = 0;
  GPid pid;

  if (!g_spawn_async_with_pipes (NULL, (char **) sim_argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                 &pid, NULL, &sim_out, NULL, &error)) {
    g_printerr ("scatterflash-sim: %s\n", error->message);
    return 0;
  }
  while (len < sizeof buf - 1 && read (sim_out, buf + len, 1) == 1 && buf[len] != '\n')
    len++;
  buf[len] = '\0';
  if (g_str_has_prefix (buf, "PORT "))
    port = g_strdup (buf + 5);
  if (port != NULL) {
    const char *argv[] = { cli, "download", "--json", "--port", port, "--da", da, fw, NULL };

    if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL,
                       &status, &error)) {
      g_printerr ("scatterflash-cli: %s\n", error->message);
      status = 1;
    }
  }
  kill (pid, SIGTERM);
  waitpid (pid, NULL, 0);
  g_spawn_close_pid (pid);
  close (sim_out);
  if (port == NULL || out == NULL || !g_spawn_check_wait_status (status, NULL))
    return 0;

  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    if (first < 0 && strstr (lines[i], "\"event\":\"progress\"") != NULL &&
        strstr (lines[i], "\"overall_done\":0,") == NULL)
      first = event_time_ms (lines[i]);
    else if (strstr (lines[i], "\"event\":\"step-end\"") != NULL)
      last = event_time_ms (lines[i]);
  }
  if (first < 0 || last <= first || first_done >= total)
    return 0;
  return (double) (total - first_done) / ((double) (last - first) / 1000.0);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *dir = NULL;
  g_autofree char *fw = NULL;
  g_autofree char *scatter_path = NULL;
  g_autofree char *image_path = NULL;
  g_autoptr(GFile) fw_file = NULL;
  g_autoptr(GFile) da = NULL;
  g_autoptr(GError) error = NULL;
  const char *cli, *sim_path, *storage, *da_path;
  SfSim *sim;
  SfSimOptions opts;
  SfWindow *win;
  Ticks ticks = { 0 };
  gint64 start, first_at = -1, end, max_dispatch = 0, max_at = 0;
  guint64 done = 0, total = 0, first_done = 0;
  guint iterations = 0;
  double seconds, gui_rate = 0, cli_before, cli_after, cli_rate;
  gboolean ok;

  if (argc < 4) {
    g_printerr ("usage: bench-gui CLI SIM STORAGE_DIR\n");
    return 2;
  }
  cli = argv[1];
  sim_path = argv[2];
  storage = argv[3];
  da_path = g_getenv ("SF_SYNTHETIC_DA");
  if (!sf_test_gui_init ()) {
    printf ("no display: skipped\n");
    return 77;
  }

  dir = g_dir_make_tmp ("sf-bench-gui-XXXXXX", NULL);
  fw = g_build_filename (dir, "firmware", NULL);
  g_mkdir_with_parents (fw, 0755);
  g_mkdir_with_parents (storage, 0755);
  scatter_path = g_build_filename (fw, "MT6572_Android_scatter.txt", NULL);
  image_path = g_build_filename (fw, "system.img", NULL);
  g_file_set_contents (scatter_path, scatter, -1, NULL);
  write_fill_image (image_path);

  /* The CLI first: on the first run ever it also makes the storage's
   * 1 GiB, which every later run (and the window's) reuses. */
  cli_before = cli_download (cli, sim_path, da_path, fw, storage);

  sf_sim_options_init (&opts);
  opts.storage_dir = storage;
  opts.emmc_user_size = 2048 * MIB;
  opts.mode = SF_SIM_MODE_PRELOADER;
  sim = sf_sim_new (&opts, &error);
  if (sim == NULL || !sf_sim_start (sim, &error)) {
    g_printerr ("virtual phone: %s\n", error->message);
    return 1;
  }

  win = sf_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (win), 1000, 720);
  gtk_window_present (GTK_WINDOW (win));
  da = g_file_new_for_path (da_path);
  sf_window_set_da_file (win, da);
  fw_file = g_file_new_for_path (fw);
  sf_window_load_firmware (win, fw_file);
  if (!sf_test_gui_iterate_until (is_loaded, win, 20000)) {
    g_printerr ("the firmware did not load\n");
    return 1;
  }
  sf_window_set_port (win, sf_sim_get_port_path (sim));
  gtk_widget_add_tick_callback (GTK_WIDGET (win), on_tick, &ticks, NULL);
  g_main_context_set_poll_func (NULL, timed_poll);

  if (!gtk_widget_activate_action (GTK_WIDGET (win), "win.download", NULL) ||
      sf_window_get_result (win) != SF_WINDOW_RESULT_RUNNING) {
    g_printerr ("the download did not start\n");
    return 1;
  }
  start = g_get_monotonic_time ();
  ticks.start_us = start;
  while (sf_window_get_result (win) == SF_WINDOW_RESULT_RUNNING) {
    gint64 before = g_get_monotonic_time ();
    gint64 dispatch;

    /* Waits for what the window waits for (its queue drain, the frame
     * clock, X events) and dispatches it; the wait itself is not the
     * window's doing, so it is taken out. */
    poll_us = 0;
    g_main_context_iteration (NULL, TRUE);
    dispatch = g_get_monotonic_time () - before - poll_us;
    if (dispatch > max_dispatch) {
      max_dispatch = dispatch;
      max_at = before - start;
    }
    iterations++;
    if (first_at < 0) {
      sf_window_get_progress (win, &done, &total);
      if (done > 0) {
        first_at = g_get_monotonic_time ();
        first_done = done;
      }
    }
    if (g_get_monotonic_time () - start > 600 * G_USEC_PER_SEC) {
      g_printerr ("the download took more than 10 minutes\n");
      return 1;
    }
  }
  end = g_get_monotonic_time ();
  g_main_context_set_poll_func (NULL, g_poll);
  seconds = (double) (end - start) / G_USEC_PER_SEC;
  sf_window_get_progress (win, &done, &total);
  ok = sf_window_get_result (win) == SF_WINDOW_RESULT_DONE;
  if (ok && first_at > 0 && end > first_at && done > first_done)
    gui_rate = (double) (done - first_done) / ((double) (end - first_at) / G_USEC_PER_SEC);

  gtk_window_destroy (GTK_WINDOW (win));
  sf_test_gui_settle (200);
  sf_sim_stop (sim);
  sf_sim_free (sim);

  cli_after = cli_download (cli, sim_path, da_path, fw, storage);
  cli_rate = cli_before > 0 && cli_after > 0 ? (cli_before + cli_after) / 2 : 0;

  printf ("GUI download of %u MiB to the virtual phone (unpaced): %s in %.1f s, %.1f MB/s while writing\n",
          (guint) IMAGE_MIB, ok ? "done" : "FAILED", seconds, gui_rate / 1e6);
  printf ("CLI download of the same image to scatterflash-sim on the same storage: %.1f MB/s before, "
          "%.1f MB/s after%s\n", cli_before / 1e6, cli_after / 1e6, cli_rate > 0 ? "" : " (FAILED)");
  {
    g_autofree char *rate = g_strdup_printf ("%.2f (%.0f of %.0f MB/s)", cli_rate > 0 ? gui_rate / cli_rate : 0,
                                             gui_rate / 1e6, cli_rate / 1e6);
    g_autofree char *dispatch = g_strdup_printf ("%.1f ms over %u iterations", (double) max_dispatch / 1000.0,
                                                 iterations);
    g_autofree char *gap = g_strdup_printf ("%.1f ms over %u frames", (double) ticks.max_gap_us / 1000.0,
                                            ticks.ticks);

    printf ("ROW %s\t%s\t%s\t%s\n", "GUI, 1 GiB download: rate / the CLI's", rate, ">= 0.85",
            cli_rate > 0 && gui_rate / cli_rate >= 0.85 ? "met" : "NOT MET");
    printf ("ROW %s\t%s\t%s\t%s\n", "GUI, 1 GiB download: longest main-loop dispatch", dispatch, "< 50 ms",
            (double) max_dispatch / 1000.0 < GOAL_MS ? "met" : "NOT MET");
    printf ("ROW %s\t%s\t%s\t%s\n", "GUI, 1 GiB download: longest gap between frames", gap, "< 50 ms",
            (double) ticks.max_gap_us / 1000.0 < GOAL_MS ? "met" : "NOT MET");
  }
  printf ("  the longest dispatch came %.2f s into the download; the longest frame gap %.2f s\n",
          (double) max_at / G_USEC_PER_SEC, (double) ticks.max_gap_at / G_USEC_PER_SEC);
  printf ("  %u frames, %u main-loop iterations for %" G_GUINT64_FORMAT " bytes\n",
          ticks.ticks, iterations, done);

  sf_test_rm_rf (dir);
  return ok && cli_rate > 0 ? 0 : 1;
}
