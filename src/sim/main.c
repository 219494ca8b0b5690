/* main.c — scatterflash-sim: the virtual phone as a program
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "sf-sim.h"

typedef struct {
  GMainLoop  *loop;
  gboolean    signalled;
  /* --announce */
  char       *announce_path;   /* DIR/<pid>.phone, NULL without --announce */
  const char *mode_name;
  char       *chip_name;
  gint64      announced_us;    /* g_get_monotonic_time() of the last announce */
} App;

/* Tells a device monitor watching DIR that the phone is there: a key file
 * written under a temporary name and renamed, so that it appears whole. */
static gboolean
announce (App         *app,
          const char  *port,
          GError     **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autofree char *dir = g_path_get_dirname (app->announce_path);
  g_autofree char *base = g_path_get_basename (app->announce_path);
  g_autofree char *tmp_name = g_strconcat (".", base, ".tmp", NULL);
  g_autofree char *tmp = g_build_filename (dir, tmp_name, NULL);
  gint64 now = g_get_monotonic_time ();

  g_key_file_set_string (kf, "phone", "port", port);
  g_key_file_set_string (kf, "phone", "mode", app->mode_name);
  g_key_file_set_string (kf, "phone", "chip", app->chip_name);
  g_key_file_set_int64 (kf, "phone", "pid", (gint64) getpid ());
  /* CLOCK_MONOTONIC is the same clock in every process. */
  g_key_file_set_int64 (kf, "phone", "announced_us", now);
  if (!g_key_file_save_to_file (kf, tmp, error))
    return FALSE;
  app->announced_us = now;
  if (g_rename (tmp, app->announce_path) != 0) {
    int saved = errno;

    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                 "cannot rename %s to %s: %s", tmp, app->announce_path, g_strerror (saved));
    g_unlink (tmp);
    return FALSE;
  }
  return TRUE;
}

static gboolean
quit_idle (gpointer user_data)
{
  App *app = user_data;

  g_main_loop_quit (app->loop);
  return G_SOURCE_REMOVE;
}

static void
on_sim_event (SfSim      *sim,
              SfSimEvent  event,
              gpointer    user_data)
{
  App *app = user_data;

  /* Runs on the simulator's thread; stdio and g_main_loop_quit are safe here. */
  if (event == SF_SIM_EVENT_PORT_CHANGED) {
    printf ("PORT %s\n", sf_sim_get_port_path (sim));
    fflush (stdout);
    if (app->announce_path != NULL) {
      g_autoptr(GError) error = NULL;

      if (!announce (app, sf_sim_get_port_path (sim), &error))
        g_printerr ("scatterflash-sim: %s\n", error->message);
    }
  } else if (event == SF_SIM_EVENT_FIRST_BYTE) {
    /* How quickly a host reacted to the phone's arrival (issue 7: within
     * 100 ms, a preloader's window is short). */
    if (app->announce_path != NULL)
      g_printerr ("scatterflash-sim: first byte from the host %.1f ms after the announce\n",
                  (double) (g_get_monotonic_time () - app->announced_us) / 1000.0);
  } else if (event == SF_SIM_EVENT_DONE) {
    /* Quit from the loop itself: a quit before g_main_loop_run() would be lost. */
    g_idle_add (quit_idle, app);
  }
}

static gboolean
on_signal (gpointer user_data)
{
  App *app = user_data;

  app->signalled = TRUE;
  g_main_loop_quit (app->loop);
  return G_SOURCE_CONTINUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SfSim) sim = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *storage = NULL;
  g_autofree char *chip = NULL;
  g_autofree char *mode = NULL;
  g_autofree char *size = NULL;
  g_autofree char *pace = NULL;
  g_autofree char *board = NULL;
  g_autofree char *reenumerate = NULL;
  g_auto(GStrv) faults = NULL;
  g_autofree char *announce_dir = NULL;
  gboolean persist = FALSE;
  gboolean once = FALSE;
  gboolean verbose = FALSE;
  gboolean stats = FALSE;
  SfSimOptions opts;
  SfSimResult result;
  App app = { 0 };
  guint sigint_id;
  guint sigterm_id;
  const GOptionEntry entries[] = {
    { "storage", 's', 0, G_OPTION_ARG_FILENAME, &storage,
      "Folder holding boot1.bin, boot2.bin, rpmb.bin and user.bin (required; created if missing, data kept between runs)", "DIR" },
    { "chip", 'c', 0, G_OPTION_ARG_STRING, &chip,
      "MT6572 (default), MT6582 or MT6580", "CHIP" },
    { "mode", 'm', 0, G_OPTION_ARG_STRING, &mode,
      "brom (default; USB PID 0003) or preloader (PID 2000: READY, first A0 swallowed)", "MODE" },
    /* The same variable: the last one given wins. */
    { "entry", 0, 0, G_OPTION_ARG_STRING, &mode,
      "The same as --mode, by realda-phone's name: brom or preloader", "ENTRY" },
    { "emmc-user-size", 0, 0, G_OPTION_ARG_STRING, &size,
      "Size of the eMMC user area, with an optional K, M or G suffix (default 4G)", "BYTES" },
    { "board", 'b', 0, G_OPTION_ARG_STRING, &board,
      "sample-a (default: realda-phone's CID, 512 MiB) or sample-b (1 GiB): the eMMC CID and DRAM of the phone; "
      "in BootROM mode the DRAM must be set up with that board's EMI entry (E8), as on a real phone", "NAME" },
    { "pace", 0, 0, G_OPTION_ARG_STRING, &pace,
      "none (default), full-speed (~1 MB/s all along) or high-speed (~1 MB/s until the DA switches with 70 01, then ~40 MB/s)", "PACE" },
    { "reenumerate", 0, 0, G_OPTION_ARG_STRING, &reenumerate,
      "Where the phone comes back after the DA's switch to high speed (70 01): same-port (default: the same "
      "pty path) or new-port (a new pty and a new PORT line, and a new announce, as a tty that gets another name)",
      "WHERE" },
    { "fault", 'f', 0, G_OPTION_ARG_STRING_ARRAY, &faults,
      "Inject a fault (repeatable): unplug-after=BYTES, stall-after=BYTES, write-error-at=OFFSET, "
      "wrong-chip=0xHWCODE, bad-checksum, dram-fail, no-emmc, powered-on, pmt-missing, no-reenumerate", "SPEC" },
    { "once", 0, 0, G_OPTION_ARG_NONE, &once,
      "Exit after the DA's FINISH (or an injected unplug): the default", NULL },
    { "persist", 0, 0, G_OPTION_ARG_NONE, &persist,
      "After a FINISH or an unplug, re-plug on a new pty (a new PORT line) and start over, like a replugged phone", NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose,
      "Log every protocol step to stderr", NULL },
    { "stats", 0, 0, G_OPTION_ARG_NONE, &stats,
      "At exit, print on stderr the payload bytes moved at USB full speed and at high speed", NULL },
    { "announce", 0, 0, G_OPTION_ARG_FILENAME, &announce_dir,
      "Once the port is ready, write DIR/<pid>.phone (port=, mode=, chip=) for a device monitor "
      "(scatterflash-cli --virtual-dir DIR), as if the phone had been plugged in; removed on exit", "DIR" },
    { NULL }
  };

  setlocale (LC_ALL, "");

  context = g_option_context_new ("- a virtual MediaTek phone on a pseudo-terminal");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context,
    "Acts as the BootROM (or preloader) of an MT6572-family phone, then as the legacy\n"
    "download agent once one is sent, on a pseudo-terminal. Prints “PORT <path>” on\n"
    "stdout once the port can be opened.");
  g_option_context_set_description (context,
    "Exit status: 0 after the DA's FINISH, an injected unplug, SIGINT or SIGTERM;\n"
    "1 on an error (bad options, storage or pty failure).");
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    g_printerr ("scatterflash-sim: %s\n", error->message);
    return EXIT_FAILURE;
  }
  if (argc > 1) {
    g_printerr ("scatterflash-sim: unexpected argument “%s”\n", argv[1]);
    return EXIT_FAILURE;
  }
  if (storage == NULL) {
    g_printerr ("scatterflash-sim: --storage DIR is required\n");
    return EXIT_FAILURE;
  }
  if (persist && once) {
    g_printerr ("scatterflash-sim: --once and --persist exclude each other\n");
    return EXIT_FAILURE;
  }

  /* stdout carries only the PORT lines; logs go to stderr, and only when asked. */
  g_log_writer_default_set_use_stderr (TRUE);
  if (verbose)
    g_log_set_debug_enabled (TRUE);

  sf_sim_options_init (&opts);
  opts.storage_dir = storage;
  opts.persist = persist;
  if ((chip != NULL && !sf_sim_parse_chip (chip, &opts.hw_code, &error)) ||
      (mode != NULL && !sf_sim_parse_mode (mode, &opts.mode, &error)) ||
      (size != NULL && !sf_sim_parse_size (size, &opts.emmc_user_size, &error)) ||
      (pace != NULL && !sf_sim_parse_pace (pace, &opts.pace, &error)) ||
      (board != NULL && !sf_sim_parse_board (board, &opts.board, &error))) {
    g_printerr ("scatterflash-sim: %s\n", error->message);
    return EXIT_FAILURE;
  }
  if (reenumerate != NULL) {
    if (g_strcmp0 (reenumerate, "new-port") == 0) {
      opts.new_port_on_switch = TRUE;
    } else if (g_strcmp0 (reenumerate, "same-port") != 0) {
      g_printerr ("scatterflash-sim: unknown --reenumerate “%s”: expected same-port or new-port\n", reenumerate);
      return EXIT_FAILURE;
    }
  }
  for (guint i = 0; faults != NULL && faults[i] != NULL; i++) {
    if (!sf_sim_options_add_fault (&opts, faults[i], &error)) {
      g_printerr ("scatterflash-sim: %s\n", error->message);
      return EXIT_FAILURE;
    }
  }

  loop = g_main_loop_new (NULL, FALSE);
  app.loop = loop;
  opts.event_func = on_sim_event;
  opts.event_data = &app;

  sim = sf_sim_new (&opts, &error);
  if (sim == NULL) {
    g_printerr ("scatterflash-sim: %s\n", error->message);
    return EXIT_FAILURE;
  }
  sigint_id = g_unix_signal_add (SIGINT, on_signal, &app);
  sigterm_id = g_unix_signal_add (SIGTERM, on_signal, &app);

  printf ("PORT %s\n", sf_sim_get_port_path (sim));
  fflush (stdout);
  if (!sf_sim_start (sim, &error)) {
    g_printerr ("scatterflash-sim: %s\n", error->message);
    return EXIT_FAILURE;
  }
  if (announce_dir != NULL) {
    g_autofree char *name = g_strdup_printf ("%d.phone", (int) getpid ());

    app.announce_path = g_build_filename (announce_dir, name, NULL);
    app.mode_name = opts.mode == SF_SIM_MODE_PRELOADER ? "preloader" : "brom";
    app.chip_name = g_strdup_printf ("MT%04X", opts.hw_code);
    if (g_mkdir_with_parents (announce_dir, 0700) != 0 ||
        !announce (&app, sf_sim_get_port_path (sim), &error)) {
      g_printerr ("scatterflash-sim: cannot announce the phone in %s: %s\n", announce_dir,
                  error != NULL ? error->message : g_strerror (errno));
      sf_sim_stop (sim);
      g_clear_pointer (&app.announce_path, g_free);
      g_free (app.chip_name);
      return EXIT_FAILURE;
    }
  }

  g_main_loop_run (loop);
  sf_sim_stop (sim);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  /* The phone leaves the bus. */
  if (app.announce_path != NULL)
    g_unlink (app.announce_path);
  g_clear_pointer (&app.announce_path, g_free);
  g_clear_pointer (&app.chip_name, g_free);

  result = sf_sim_get_result (sim);
  if (stats) {
    guint64 full = 0, high = 0;

    sf_sim_get_paced_bytes (sim, &full, &high);
    g_printerr ("scatterflash-sim: stats: full-speed %" G_GUINT64_FORMAT " bytes, high-speed %" G_GUINT64_FORMAT
                " bytes\n", full, high);
  }
  if (result == SF_SIM_RESULT_FAILED) {
    const GError *sim_error = sf_sim_get_error (sim);

    g_printerr ("scatterflash-sim: %s\n", sim_error ? sim_error->message : "failed");
    return EXIT_FAILURE;
  }
  if (verbose)
    g_printerr ("scatterflash-sim: %s\n",
                app.signalled ? "stopped by a signal" :
                result == SF_SIM_RESULT_UNPLUGGED ? "unplugged (fault)" : "finished");
  return EXIT_SUCCESS;
}
