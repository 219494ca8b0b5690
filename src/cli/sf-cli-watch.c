/* sf-cli-watch.c — `download --watch`: flash every phone plugged in, one after another
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <stdio.h>

#include "sf-cli-common.h"
#include "sf-station.h"
#include "sf-cli-progress.h"
#include "sf-cli-ports.h"
#include "sf-units.h"

/* How often the block of phones is looked at, and redrawn at most. */
#define TICK_MS          50
#define REDRAW_US        (200 * 1000)

/* The rules of who is taken, the workers and the folding of their events
 * are SfStation's (sf-station.h), shared with the window's station view;
 * this is only how a terminal shows it. */
typedef struct {
  const SfCliPhoneOptions *o;
  const SfCliWatchJob     *job;
  SfStation               *station;
  GMainLoop               *loop;
  gboolean                 tty;
  gboolean                 interrupted;  /* Ctrl-C stopped a phone halfway */
  guint                    lines_drawn;
  gint64                   last_draw_us;
} Watch;

static char *
phone_line (const SfStationPhone *p,
            gint64                now)
{
  SfJobProgress *progress = p->progress;
  const char *id = sf_usb_device_get_id (p->device);
  SfJobState state = sf_job_progress_get_state (progress);
  gint64 end = state == SF_JOB_STATE_RUNNING ? now : sf_job_progress_get_ended_us (progress);
  double seconds = (double) (end - p->started_us) / G_USEC_PER_SEC;
  guint percent = (guint) (100.0 * sf_job_progress_get_fraction (progress));
  const char *stage = sf_job_progress_get_stage (progress);
  const char *partition = sf_job_progress_get_partition (progress);
  const GError *error = sf_job_progress_get_error (progress);

  switch (state) {
  case SF_JOB_STATE_DONE:
    return g_strdup_printf (_("#%u %-22s done in %.1f s, %.1f MB/s%s"), p->number, id, seconds,
                            sf_job_progress_get_average_speed (progress, now) / 1e6,
                            p->present ? _(" — unplug it") : "");
  case SF_JOB_STATE_FAILED:
    return g_strdup_printf (_("#%u %-22s FAILED: %s"), p->number, id, error != NULL ? error->message : "?");
  case SF_JOB_STATE_STOPPED:
    return g_strdup_printf (_("#%u %-22s stopped"), p->number, id);
  case SF_JOB_STATE_RUNNING:
  default:
    if (sf_job_progress_get_first_byte_us (progress) == 0)
      return g_strdup_printf (_("#%u %-22s %s"), p->number, id, stage ? stage : _("starting"));
    /* The speed of the last few seconds, as the window shows it. */
    return g_strdup_printf (_("#%u %-22s %3u%%  %-12.12s %6.1f MB/s"), p->number, id, percent,
                            partition ? partition : "", sf_job_progress_get_speed (progress, now) / 1e6);
  }
}

/* On a terminal the phones' lines stay at the bottom and are redrawn. */
static void
clear_block (Watch *w)
{
  if (w->tty && w->lines_drawn > 0) {
    fprintf (stderr, "\033[%uA\033[J", w->lines_drawn);
    w->lines_drawn = 0;
  }
}

static void
draw_block (Watch *w)
{
  gint64 now = g_get_monotonic_time ();

  if (!w->tty || w->o->json)
    return;
  clear_block (w);
  for (guint i = 0; i < sf_station_get_n_phones (w->station); i++) {
    g_autofree char *line = phone_line (sf_station_get_phone (w->station, i), now);

    fprintf (stderr, "%s\n", line);
    w->lines_drawn++;
  }
  fflush (stderr);
  w->last_draw_us = now;
}

/* A line that scrolls up, above the block on a terminal. */
static void
say (Watch      *w,
     const char *format,
     ...) G_GNUC_PRINTF (2, 3);

static void
say (Watch      *w,
     const char *format,
     ...)
{
  g_autofree char *text = NULL;
  va_list ap;

  va_start (ap, format);
  text = g_strdup_vprintf (format, ap);
  va_end (ap);
  clear_block (w);
  g_printerr ("%s\n", text);
  draw_block (w);
}

static void
print_phone_json (const char           *event,
                  const SfStationPhone *p,
                  SfUsbDevice          *device)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  sf_cli_json_string (b, "event", event);
  if (p != NULL)
    sf_cli_json_uint (b, "phone", p->number);
  sf_cli_json_string (b, "port", sf_usb_device_get_id (device));
  sf_cli_json_string (b, "kind", sf_usb_device_kind_to_string (sf_usb_device_get_kind (device)));
  sf_cli_json_string (b, "name", sf_usb_device_get_name (device));
  sf_cli_json_uint (b, "time_ms", (guint64) (g_get_monotonic_time () / 1000));
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  sf_cli_print_json_line (root);
}

static SfFlashJob *
make_job (SfUsbDevice *device,
          gpointer     user_data)
{
  Watch *w = user_data;
  const SfCliWatchJob *spec = w->job;
  SfFlashJob *job = sf_flash_job_new_for_device (device, spec->da_file);

  /* Without --mode, the handshake follows the phone's USB id. */
  if (spec->mode_given)
    sf_flash_job_set_mode (job, spec->mode);
  sf_flash_job_set_plan (job, spec->plan);
  sf_flash_job_set_verify (job, spec->verify);
  sf_flash_job_set_restore (job, spec->restore);
  sf_flash_job_set_force_preloader (job, spec->force_preloader);
  if (spec->backup_dir != NULL)
    sf_flash_job_set_backup_dir (job, spec->backup_dir);
  return job;
}

static void
on_phone_added (SfStation      *station,
                SfStationPhone *p,
                gpointer        user_data)
{
  Watch *w = user_data;

  if (w->o->json)
    print_phone_json ("phone-arrived", p, p->device);
  else
    say (w, _("#%u %s: %s"), p->number, sf_usb_device_get_id (p->device), sf_usb_device_get_name (p->device));
}

static void
on_phone_refused (SfStation   *station,
                  SfUsbDevice *device,
                  guint        why,
                  gpointer     user_data)
{
  Watch *w = user_data;

  if (why == SF_STATION_REFUSED_POWERED_ON) {
    clear_block (w);
    sf_cli_print_powered_on (device, w->o->json);
    draw_block (w);
  } else if (!w->o->json) {
    say (w, _("%s came back right after it was flashed (it is restarting): not flashing it again. "
              "Unplug it; plug in the next phone."), sf_usb_device_get_name (device));
  }
}

static void
on_phone_event (SfStation      *station,
                SfStationPhone *p,
                const SfEvent  *e,
                gpointer        user_data)
{
  Watch *w = user_data;
  const char *id = sf_usb_device_get_id (p->device);

  if (w->o->json) {
    sf_cli_print_json_event (e, p->number, id);
    return;
  }
  if (w->tty)
    return;
  switch (e->kind) {
  case SF_EVENT_STAGE:
  case SF_EVENT_LOG:
    g_printerr ("#%u %s: %s\n", p->number, id, e->message);
    break;
  case SF_EVENT_STEP_END: {
    g_autofree char *size = sf_format_size (e->total);

    g_printerr (_("#%u %s:   %s %s: done (%s)\n"), p->number, id, e->message ? e->message : "",
                e->partition ? e->partition : "", size);
    break;
  }
  case SF_EVENT_STEP_BEGIN:
  case SF_EVENT_PROGRESS:
  case SF_EVENT_DEVICE:
  case SF_EVENT_FINISHED:
  case SF_EVENT_FAILED:
  default:
    break;
  }
}

static void
on_phone_finished (SfStation      *station,
                   SfStationPhone *p,
                   gpointer        user_data)
{
  Watch *w = user_data;

  if (sf_job_progress_get_state (p->progress) == SF_JOB_STATE_STOPPED)
    w->interrupted = TRUE;
  if (!w->o->json && !w->tty) {
    g_autofree char *line = phone_line (p, g_get_monotonic_time ());

    g_printerr ("%s\n", line);
  }
  draw_block (w);
}

static void
on_phone_changed (SfStation      *station,
                  SfStationPhone *p,
                  gpointer        user_data)
{
  Watch *w = user_data;

  if (g_get_monotonic_time () - w->last_draw_us >= REDRAW_US)
    draw_block (w);
}

static void
on_phone_left (SfStation      *station,
               SfStationPhone *p,
               gpointer        user_data)
{
  Watch *w = user_data;

  if (w->o->json)
    print_phone_json ("phone-left", p, p->device);
  draw_block (w);
}

static void
on_idle (SfStation *station,
         gpointer   user_data)
{
  g_main_loop_quit (((Watch *) user_data)->loop);
}

static gboolean
on_stop_signal (gpointer user_data)
{
  Watch *w = user_data;

  sf_station_stop (w->station);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_redraw (gpointer user_data)
{
  Watch *w = user_data;

  /* Times and speeds move even when no event came. */
  if (sf_station_get_n_running (w->station) > 0 && g_get_monotonic_time () - w->last_draw_us >= REDRAW_US)
    draw_block (w);
  return G_SOURCE_CONTINUE;
}

static void
print_summary (Watch *w)
{
  guint ok = 0, failed = 0, stopped = 0;
  guint n = sf_station_get_n_phones (w->station);

  for (guint i = 0; i < n; i++) {
    SfJobState state = sf_job_progress_get_state (sf_station_get_phone (w->station, i)->progress);

    ok += state == SF_JOB_STATE_DONE;
    failed += state == SF_JOB_STATE_FAILED || state == SF_JOB_STATE_RUNNING;
    stopped += state == SF_JOB_STATE_STOPPED;
  }

  if (w->o->json) {
    g_autoptr(JsonBuilder) b = json_builder_new ();
    g_autoptr(JsonNode) root = NULL;

    json_builder_begin_object (b);
    sf_cli_json_string (b, "event", "summary");
    sf_cli_json_uint (b, "phones", n);
    sf_cli_json_uint (b, "succeeded", ok);
    sf_cli_json_uint (b, "failed", failed);
    sf_cli_json_uint (b, "stopped", stopped);
    json_builder_end_object (b);
    root = json_builder_get_root (b);
    sf_cli_print_json_line (root);
    return;
  }
  draw_block (w);
  w->lines_drawn = 0;
  g_printerr (g_dngettext (GETTEXT_PACKAGE, "%u phone: %u flashed, %u failed, %u stopped.\n",
                           "%u phones: %u flashed, %u failed, %u stopped.\n", n),
              n, ok, failed, stopped);
}

int
sf_cli_download_watch (const SfCliPhoneOptions *o,
                       const SfCliWatchJob     *job)
{
  g_autoptr(SfDeviceMonitor) monitor = NULL;
  g_autoptr(SfStation) station = NULL;
  Watch w = { 0 };
  guint sigint, sigterm, redraw;
  gboolean any_failed = FALSE;

  sf_cli_print_host_problems ();
  monitor = sf_cli_start_monitor (o);
  if (monitor == NULL)
    return SF_EXIT_FAILED;

  w.o = o;
  w.job = job;
  w.tty = isatty (STDERR_FILENO) && !o->json;
  w.loop = g_main_loop_new (NULL, FALSE);
  station = sf_station_new (make_job, &w, NULL);
  w.station = station;
  sf_station_set_limit (station, job->count);
  g_signal_connect (station, "phone-added", G_CALLBACK (on_phone_added), &w);
  g_signal_connect (station, "phone-refused", G_CALLBACK (on_phone_refused), &w);
  g_signal_connect (station, "phone-event", G_CALLBACK (on_phone_event), &w);
  g_signal_connect (station, "phone-changed", G_CALLBACK (on_phone_changed), &w);
  g_signal_connect (station, "phone-finished", G_CALLBACK (on_phone_finished), &w);
  g_signal_connect (station, "phone-left", G_CALLBACK (on_phone_left), &w);
  g_signal_connect (station, "idle", G_CALLBACK (on_idle), &w);

  g_printerr (_("Waiting for phones: connect them powered off, as many as you like; each is flashed as it "
                "arrives (press Ctrl-C to stop)…\n"));
  sf_station_watch (station, monitor);

  redraw = g_timeout_add (TICK_MS, on_redraw, &w);
  sigint = g_unix_signal_add (SIGINT, on_stop_signal, &w);
  sigterm = g_unix_signal_add (SIGTERM, on_stop_signal, &w);
  if (!sf_station_is_closed (station) || sf_station_get_n_running (station) > 0)
    g_main_loop_run (w.loop);
  g_source_remove (redraw);
  g_source_remove (sigint);
  g_source_remove (sigterm);

  g_signal_handlers_disconnect_by_data (station, &w);
  sf_device_monitor_stop (monitor);
  print_summary (&w);

  for (guint i = 0; i < sf_station_get_n_phones (station); i++)
    any_failed |= sf_job_progress_get_state (sf_station_get_phone (station, i)->progress) == SF_JOB_STATE_FAILED;

  g_main_loop_unref (w.loop);
  if (any_failed)
    return SF_EXIT_FAILED;
  return w.interrupted ? SF_EXIT_INTERRUPTED : SF_EXIT_OK;
}
