/* sf-cli-watch.c — phones as they are plugged in: --port auto and download --watch
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sf-cli-common.h"
#include "sf-job-progress.h"
#include "sf-station.h"
#include "sf-cli-phone.h"
#include "sf-cli-progress.h"
#include "sf-device-monitor.h"
#include "sf-flash-job.h"
#include "sf-host-check.h"

/* How long after its arrival a phone's port may take to become usable
 * (cdc_acm binding, udev's ACL). */
#define TICK_MS          50
#define REDRAW_US        (200 * 1000)
/* A USB socket whose phone was just flashed: the phone reboots and its
 * preloader comes back in the same socket; do not flash it again. */

const char *
sf_cli_virtual_dir (const SfCliPhoneOptions *o)
{
  const char *env = g_getenv ("SCATTERFLASH_VIRTUAL_DIR");

  if (o->virtual_dir != NULL)
    return o->virtual_dir;
  return env != NULL && *env != '\0' ? env : NULL;
}

/* One NDJSON line (sf_cli_print_json() pretty-prints a whole document). */
static void
print_json_line (JsonNode *root)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, NULL);
  fputs (text, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
}

/* ---- what is in the way --------------------------------------------------------- */

static void
print_problem (const SfHostProblem *p)
{
  g_printerr (p->fatal ? _("Error: %s.\n") : _("Warning: %s.\n"), p->message);
  g_printerr (_("  To fix it, run: %s\n"), p->command);
}

static void
print_host_problems (void)
{
  g_autoptr(GPtrArray) problems = sf_host_check_system (NULL);

  for (guint i = 0; i < problems->len; i++)
    print_problem (g_ptr_array_index (problems, i));
}

/* The user must switch a phone that runs Android off before it can be
 * flashed; say so the moment it arrives. */
static void
print_powered_on (SfUsbDevice *device,
                  gboolean     json)
{
  if (json) {
    g_autoptr(JsonBuilder) b = json_builder_new ();
    g_autoptr(JsonNode) root = NULL;

    json_builder_begin_object (b);
    sf_cli_json_string (b, "event", "phone-powered-on");
    sf_cli_json_string (b, "port", sf_usb_device_get_id (device));
    sf_cli_json_string (b, "name", sf_usb_device_get_name (device));
    json_builder_end_object (b);
    root = json_builder_get_root (b);
    print_json_line (root);
  }
  g_printerr (_("%s: this phone is switched on. Switch it off first (hold the power key, or take the battery "
                "out), unplug it, and plug it in again while it is off. Still waiting…\n"),
              sf_usb_device_get_name (device));
}

/* --port auto: stdout is for the command's own result, so text only. */
static void
on_device_added_auto (SfDeviceMonitor *monitor,
                      SfUsbDevice     *device,
                      gpointer         user_data)
{
  if (sf_usb_device_get_kind (device) == SF_USB_DEVICE_KIND_ANDROID_POWERED_ON)
    print_powered_on (device, FALSE);
}

static gboolean
on_signal_cancel (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_CONTINUE;
}

/* Starts watching USB and the virtual phones' folder. NULL (after saying
 * why) when neither can be watched. */
static SfDeviceMonitor *
start_monitor (const SfCliPhoneOptions *o)
{
  /* For tests: a sysfs tree they built, polled instead of the real bus. */
  const char *sysfs_root = g_getenv ("SCATTERFLASH_SYSFS_ROOT");
  g_autoptr(SfDeviceMonitor) monitor = sysfs_root != NULL && *sysfs_root != '\0'
                                       ? sf_device_monitor_new_for_sysfs (sysfs_root)
                                       : sf_device_monitor_new ();
  g_autoptr(GError) error = NULL;
  const char *virtual_dir = sf_cli_virtual_dir (o);

  if (virtual_dir != NULL && !sf_device_monitor_add_virtual_dir (monitor, virtual_dir, &error)) {
    sf_cli_report_error (error);
    return NULL;
  }
  if (!sf_device_monitor_start (monitor, &error)) {
    if (virtual_dir == NULL) {
      sf_cli_report_error (error);
      return NULL;
    }
    g_debug ("%s; only virtual phones from %s", error->message, virtual_dir);
  }
  return g_steal_pointer (&monitor);
}

int
sf_cli_resolve_port (SfCliPhoneOptions *o,
                     SfBromMode        *mode)
{
  g_autoptr(SfDeviceMonitor) monitor = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  g_autoptr(SfUsbDevice) device = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *port = NULL;
  guint sigint, sigterm;

  if (o->port != NULL && g_strcmp0 (o->port, "auto") != 0) {
    /* A virtual phone's pty needs no udev rule. */
    if (!g_str_has_prefix (o->port, "/dev/pts/"))
      print_host_problems ();
    return SF_EXIT_OK;
  }
  print_host_problems ();

  monitor = start_monitor (o);
  if (monitor == NULL)
    return SF_EXIT_FAILED;
  g_signal_connect (monitor, "device-added", G_CALLBACK (on_device_added_auto), NULL);

  cancellable = g_cancellable_new ();
  sigint = g_unix_signal_add (SIGINT, on_signal_cancel, cancellable);
  sigterm = g_unix_signal_add (SIGTERM, on_signal_cancel, cancellable);
  g_printerr (_("Waiting for the phone: connect it powered off (press Ctrl-C to stop)…\n"));
  device = sf_device_monitor_wait_for_phone (monitor, 0, cancellable, &error);
  if (device != NULL) {
    g_printerr (_("Found: %s\n"), sf_usb_device_get_name (device));
    port = sf_usb_device_wait_for_port (device, SF_FLASH_JOB_PORT_WAIT_MS, cancellable, &error);
  }
  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_signal_handlers_disconnect_by_func (monitor, on_device_added_auto, NULL);

  if (port == NULL) {
    g_autoptr(SfHostProblem) problem = NULL;

    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      g_printerr (_("scatterflash-cli: stopped; nothing was sent to a phone\n"));
      return SF_EXIT_INTERRUPTED;
    }
    sf_cli_report_error (error);
    if (device != NULL && (problem = sf_host_check_device (device, NULL)) != NULL)
      print_problem (problem);
    return SF_EXIT_FAILED;
  }

  g_debug ("port %s ready %.1f ms after the phone arrived", port,
           (double) (g_get_monotonic_time () - sf_usb_device_get_arrival_time (device)) / 1000.0);
  if (o->mode == NULL || g_strcmp0 (o->mode, "auto") == 0)
    *mode = sf_usb_device_get_mode (device);
  g_free (o->port);
  o->port = g_steal_pointer (&port);
  /* Stopping the monitor (joining its thread, closing libusb) would delay
   * the handshake: the phone's window is short. It goes with @o. */
  g_clear_object (&o->monitor);
  o->monitor = G_OBJECT (g_steal_pointer (&monitor));
  return SF_EXIT_OK;
}

/* ---- download --watch ------------------------------------------------------------- */

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
  print_json_line (root);
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
    print_powered_on (device, w->o->json);
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
    g_autofree char *size = sf_cli_format_size (e->total);

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
    print_json_line (root);
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

  print_host_problems ();
  monitor = start_monitor (o);
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

/* ---- devices ------------------------------------------------------------------------ */

static void
device_to_json (JsonBuilder *b,
                SfUsbDevice *device)
{
  json_builder_begin_object (b);
  sf_cli_json_string (b, "port", sf_usb_device_get_id (device));
  sf_cli_json_string (b, "kind", sf_usb_device_kind_to_string (sf_usb_device_get_kind (device)));
  sf_cli_json_uint (b, "vendor_id", sf_usb_device_get_vendor_id (device));
  sf_cli_json_uint (b, "product_id", sf_usb_device_get_product_id (device));
  sf_cli_json_string (b, "tty", sf_usb_device_get_tty_path (device));
  sf_cli_json_string (b, "name", sf_usb_device_get_name (device));
  json_builder_end_object (b);
}

static void
problem_to_json (JsonBuilder         *b,
                 const SfHostProblem *p)
{
  static const char * const kinds[] = { "modem-manager", "brltty", "no-udev-rule", "no-permission" };

  json_builder_begin_object (b);
  sf_cli_json_string (b, "problem", kinds[p->kind]);
  json_builder_set_member_name (b, "fatal");
  json_builder_add_boolean_value (b, p->fatal);
  sf_cli_json_string (b, "message", p->message);
  sf_cli_json_string (b, "command", p->command);
  json_builder_end_object (b);
}

static void
print_device_line (SfUsbDevice *device)
{
  const char *tty = sf_usb_device_get_tty_path (device);

  g_print ("%-22s %-10s %04x:%04x  %-14s %s\n", sf_usb_device_get_id (device),
           sf_usb_device_kind_to_string (sf_usb_device_get_kind (device)),
           sf_usb_device_get_vendor_id (device), sf_usb_device_get_product_id (device),
           tty != NULL ? tty : "-", sf_usb_device_get_name (device));
}

typedef struct {
  gboolean   json;
  GMainLoop *loop;
} DevicesWatch;

static void
on_devices_event (SfUsbDevice *device,
                  gboolean     added,
                  DevicesWatch *dw)
{
  if (dw->json) {
    g_autoptr(JsonBuilder) b = json_builder_new ();
    g_autoptr(JsonNode) root = NULL;

    json_builder_begin_object (b);
    sf_cli_json_string (b, "event", added ? "device-added" : "device-removed");
    json_builder_set_member_name (b, "device");
    device_to_json (b, device);
    json_builder_end_object (b);
    root = json_builder_get_root (b);
    print_json_line (root);
    return;
  }
  g_print ("%s ", added ? "+" : "-");
  print_device_line (device);
  fflush (stdout);
  if (added && sf_usb_device_get_kind (device) == SF_USB_DEVICE_KIND_ANDROID_POWERED_ON)
    print_powered_on (device, FALSE);
}

static void
on_devices_added (SfDeviceMonitor *monitor,
                  SfUsbDevice     *device,
                  gpointer         user_data)
{
  on_devices_event (device, TRUE, user_data);
}

static void
on_devices_removed (SfDeviceMonitor *monitor,
                    SfUsbDevice     *device,
                    gpointer         user_data)
{
  on_devices_event (device, FALSE, user_data);
}

static gboolean
on_devices_quit (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static gboolean
on_devices_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

int
sf_cli_devices (int    argc,
                char **argv)
{
  g_auto(SfCliPhoneOptions) o = { 0 };
  gboolean watch = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &o.json, N_("Print one JSON document (with --watch: one JSON event per line)"), NULL },
    { "virtual-dir", 0, 0, G_OPTION_ARG_FILENAME, &o.virtual_dir,
      N_("Also list virtual phones announced in DIR (default: $SCATTERFLASH_VIRTUAL_DIR)"), N_("DIR") },
    { "watch", 0, 0, G_OPTION_ARG_NONE, &watch, N_("Keep printing phones as they come and go, until Ctrl-C"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(SfDeviceMonitor) monitor = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  GListModel *devices;
  gboolean fatal = FALSE;
  DevicesWatch dw = { 0 };

  g_option_context_set_summary (context,
                                _("List the phones connected now (in download mode, or switched on), and say what on "
                                  "this computer will get in the way of flashing them, with the command that fixes "
                                  "it: ModemManager, brltty, a missing udev rule, no permission."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!sf_cli_parse_options (context, "devices", &argc, &argv))
    return SF_EXIT_USAGE;
  if (argc > 1)
    return sf_cli_usage_error ("devices", _("devices takes no arguments"));

  monitor = start_monitor (&o);
  if (monitor == NULL)
    return SF_EXIT_FAILED;
  /* Let the first enumeration come in. */
  loop = g_main_loop_new (NULL, FALSE);
  g_timeout_add (250, on_devices_quit, loop);
  g_main_loop_run (loop);

  problems = sf_host_check_system (NULL);
  devices = sf_device_monitor_get_devices (monitor);
  for (guint i = 0; i < g_list_model_get_n_items (devices); i++) {
    g_autoptr(SfUsbDevice) device = g_list_model_get_item (devices, i);
    SfHostProblem *p = sf_host_check_device (device, NULL);

    if (p != NULL)
      g_ptr_array_add (problems, p);
  }
  for (guint i = 0; i < problems->len; i++)
    fatal |= ((SfHostProblem *) g_ptr_array_index (problems, i))->fatal;

  if (o.json && !watch) {
    g_autoptr(JsonBuilder) b = json_builder_new ();
    g_autoptr(JsonNode) root = NULL;

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "devices");
    json_builder_begin_array (b);
    for (guint i = 0; i < g_list_model_get_n_items (devices); i++) {
      g_autoptr(SfUsbDevice) device = g_list_model_get_item (devices, i);

      device_to_json (b, device);
    }
    json_builder_end_array (b);
    json_builder_set_member_name (b, "problems");
    json_builder_begin_array (b);
    for (guint i = 0; i < problems->len; i++)
      problem_to_json (b, g_ptr_array_index (problems, i));
    json_builder_end_array (b);
    json_builder_end_object (b);
    root = json_builder_get_root (b);
    sf_cli_print_json (root);
    return fatal ? SF_EXIT_FAILED : SF_EXIT_OK;
  }

  for (guint i = 0; i < problems->len; i++)
    print_problem (g_ptr_array_index (problems, i));
  if (!o.json) {
    if (problems->len == 0)
      g_printerr (_("Nothing on this computer is in the way of flashing.\n"));
    if (g_list_model_get_n_items (devices) == 0)
      g_printerr (_("No phone is connected.\n"));
  }
  for (guint i = 0; i < g_list_model_get_n_items (devices); i++) {
    g_autoptr(SfUsbDevice) device = g_list_model_get_item (devices, i);

    if (o.json)
      on_devices_event (device, TRUE, &dw);
    else
      print_device_line (device);
  }

  if (watch) {
    guint sigint, sigterm;

    dw.json = o.json;
    dw.loop = loop;
    fflush (stdout);
    if (!o.json)
      g_printerr (_("Watching for phones (press Ctrl-C to stop)…\n"));
    g_signal_connect (monitor, "device-added", G_CALLBACK (on_devices_added), &dw);
    g_signal_connect (monitor, "device-removed", G_CALLBACK (on_devices_removed), &dw);
    sigint = g_unix_signal_add (SIGINT, on_devices_signal, loop);
    sigterm = g_unix_signal_add (SIGTERM, on_devices_signal, loop);
    g_main_loop_run (loop);
    g_source_remove (sigint);
    g_source_remove (sigterm);
    g_signal_handlers_disconnect_by_data (monitor, &dw);
  }
  return fatal ? SF_EXIT_FAILED : SF_EXIT_OK;
}
