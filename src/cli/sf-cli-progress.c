/* sf-cli-progress.c — showing a worker's events on a terminal or as JSON lines
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
#include "sf-cli-progress.h"
#include "sf-job-progress.h"
#include "sf-units.h"

#define BAR_WIDTH 30
#define REDRAW_US (100 * 1000)

typedef struct {
  SfWorker      *worker;
  GMainLoop     *loop;
  gboolean       json;
  gboolean       tty;
  int            status;
  gboolean       interrupted;
  gboolean       bar_shown;
  gint64         last_draw_us;
  SfJobProgress *progress;       /* the job's events, folded (sf-job-progress.h) */
} Runner;

static void
clear_bar (Runner *r)
{
  if (r->bar_shown) {
    fputs ("\r\033[K", stderr);
    r->bar_shown = FALSE;
  }
}

static char *
format_eta (double seconds)
{
  guint s = (guint) (seconds + 0.5);

  if (s >= 3600)
    return g_strdup_printf ("%u:%02u:%02u", s / 3600, (s / 60) % 60, s % 60);
  return g_strdup_printf ("%u:%02u", s / 60, s % 60);
}

static void
draw_bar (Runner *r,
          gint64  now)
{
  SfJobProgress *p = r->progress;
  double fraction = sf_job_progress_get_fraction (p);
  double rate = sf_job_progress_get_speed (p, now);
  double left = sf_job_progress_get_eta (p, now);
  const char *partition = sf_job_progress_get_partition (p);
  g_autofree char *eta = left >= 0 ? format_eta (left) : g_strdup ("-:--");
  char bar[BAR_WIDTH + 1];
  guint filled = (guint) (fraction * BAR_WIDTH);

  for (guint i = 0; i < BAR_WIDTH; i++)
    bar[i] = i < filled ? '#' : '-';
  bar[BAR_WIDTH] = '\0';

  /* The speed of the last few seconds, as the window shows it. */
  fprintf (stderr, "\r\033[K[%s] %3u%%  %-14.14s %7.2f MB/s  ETA %s",
           bar, (guint) (fraction * 100.0), partition ? partition : "", rate / 1e6, eta);
  fflush (stderr);
  r->bar_shown = TRUE;
}

static void
print_device (const SfDeviceInfo *d)
{
  /* The first report comes from the BootROM, the second (with storage)
   * from the download agent. */
  if (!d->has_storage)
    g_printerr (_("Phone: %s (hw code 0x%04x) in %s mode\n"),
                d->chip ? d->chip : _("unknown chip"), d->hw_code,
                d->is_brom ? "BootROM" : "preloader");
  if (d->has_storage) {
    g_autofree char *boot1 = sf_format_size (d->boot1_size);
    g_autofree char *boot2 = sf_format_size (d->boot2_size);
    g_autofree char *user = sf_format_size (d->user_size);

    g_printerr (_("Storage: %s, boot1 %s, boot2 %s, user %s\n"),
                d->storage ? d->storage : "?", boot1, boot2, user);
  }
}

static void
print_json_event (const SfEvent *e)
{
  sf_cli_print_json_event (e, 0, NULL);
}

void
sf_cli_print_json_event (const SfEvent *e,
                         guint          phone,
                         const char    *port)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;

  json_builder_begin_object (b);
  sf_cli_json_string (b, "event", sf_event_kind_to_string (e->kind));
  if (phone > 0) {
    sf_cli_json_uint (b, "phone", phone);
    sf_cli_json_string (b, "port", port);
  }
  sf_cli_json_uint (b, "time_ms", (guint64) (e->time_us / 1000));
  if (e->step >= 0)
    sf_cli_json_uint (b, "step", (guint64) e->step);
  if (e->partition != NULL)
    sf_cli_json_string (b, "partition", e->partition);
  if (e->message != NULL)
    sf_cli_json_string (b, "message", e->message);
  if (e->kind == SF_EVENT_PROGRESS || e->kind == SF_EVENT_STEP_BEGIN || e->kind == SF_EVENT_STEP_END) {
    sf_cli_json_uint (b, "done", e->done);
    sf_cli_json_uint (b, "total", e->total);
    sf_cli_json_uint (b, "overall_done", e->overall_done);
    sf_cli_json_uint (b, "overall_total", e->overall_total);
  }
  if (e->device != NULL) {
    json_builder_set_member_name (b, "device");
    json_builder_begin_object (b);
    sf_cli_json_string (b, "chip", e->device->chip);
    sf_cli_json_uint (b, "hw_code", e->device->hw_code);
    sf_cli_json_string (b, "mode", e->device->is_brom ? "brom" : "preloader");
    if (e->device->has_storage) {
      sf_cli_json_string (b, "storage", e->device->storage);
      sf_cli_json_uint (b, "boot1_size", e->device->boot1_size);
      sf_cli_json_uint (b, "boot2_size", e->device->boot2_size);
      sf_cli_json_uint (b, "user_size", e->device->user_size);
    }
    json_builder_end_object (b);
  }
  if (e->error != NULL) {
    sf_cli_json_string (b, "error", e->error->message);
    if (e->error->domain == SF_ERROR)
      sf_cli_json_string (b, "code", sf_error_get_name ((SfError) e->error->code));
  }
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, NULL);
  fputs (text, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
}

static char *
join_names (GPtrArray *names)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < names->len; i++) {
    if (i > 0)
      g_string_append (text, ", ");
    g_string_append (text, g_ptr_array_index (names, i));
  }
  return g_string_free (text, FALSE);
}

/* After a failure the user needs to know where the phone stands: what was
 * changed on it, kept apart from what was only read. */
static void
print_failure_summary (Runner *r)
{
  SfJobProgress *p = r->progress;
  GPtrArray *written = sf_job_progress_get_written (p);
  GPtrArray *erased = sf_job_progress_get_erased (p);
  GPtrArray *read = sf_job_progress_get_read (p);

  if (written->len == 0 && erased->len == 0 && !sf_job_progress_step_moved (p))
    g_printerr (_("Nothing was written to the phone.\n"));
  if (written->len > 0) {
    g_autofree char *list = join_names (written);

    g_printerr (_("Written before the failure: %s.\n"), list);
  }
  if (erased->len > 0) {
    g_autofree char *list = join_names (erased);

    g_printerr (_("Erased before the failure: %s.\n"), list);
  }
  if (read->len > 0) {
    g_autofree char *list = join_names (read);

    g_printerr (_("Read from the phone (not changed): %s.\n"), list);
  }
  if (sf_job_progress_in_step (p) && sf_job_progress_get_partition (p) != NULL)
    g_printerr (_("Failed on: %s (incomplete; run the same command again once the cause is fixed).\n"),
                sf_job_progress_get_partition (p));
}

static void
show_event (Runner        *r,
            const SfEvent *e)
{
  sf_job_progress_add_event (r->progress, e);

  if (r->json) {
    print_json_event (e);
    return;
  }

  switch (e->kind) {
  case SF_EVENT_PROGRESS:
    if (r->tty && e->time_us - r->last_draw_us >= REDRAW_US) {
      draw_bar (r, e->time_us);
      r->last_draw_us = e->time_us;
    }
    break;
  case SF_EVENT_STAGE:
  case SF_EVENT_LOG:
    clear_bar (r);
    g_printerr ("%s\n", e->message);
    break;
  case SF_EVENT_DEVICE:
    clear_bar (r);
    print_device (e->device);
    break;
  case SF_EVENT_STEP_END: {
    g_autofree char *size = sf_format_size (e->total);

    clear_bar (r);
    g_printerr (_("  %s %s: done (%s)\n"), e->message ? e->message : "", e->partition ? e->partition : "", size);
    break;
  }
  case SF_EVENT_FINISHED:
    clear_bar (r);
    break;
  case SF_EVENT_FAILED:
    clear_bar (r);
    if (g_error_matches (e->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      g_printerr (_("scatterflash-cli: stopped\n"));
    else
      g_printerr ("scatterflash-cli: %s\n", e->error->message);
    print_failure_summary (r);
    break;
  case SF_EVENT_STEP_BEGIN:
  default:
    break;
  }
}

static gboolean
on_tick (gpointer user_data)
{
  Runner *r = user_data;
  GAsyncQueue *queue = sf_worker_get_queue (r->worker);
  SfEvent *raw;

  while ((raw = g_async_queue_try_pop (queue)) != NULL) {
    g_autoptr(SfEvent) e = raw;

    show_event (r, e);
    if (e->kind == SF_EVENT_FINISHED) {
      r->status = SF_EXIT_OK;
      g_main_loop_quit (r->loop);
      return G_SOURCE_REMOVE;
    }
    if (e->kind == SF_EVENT_FAILED) {
      r->status = (r->interrupted || g_error_matches (e->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
                    ? SF_EXIT_INTERRUPTED : SF_EXIT_FAILED;
      g_main_loop_quit (r->loop);
      return G_SOURCE_REMOVE;
    }
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_sigint (gpointer user_data)
{
  Runner *r = user_data;

  r->interrupted = TRUE;
  sf_worker_cancel (r->worker);
  return G_SOURCE_CONTINUE;
}

int
sf_cli_run_worker (SfWorker      *worker,
                   gboolean       json,
                   SfDeviceInfo **out_device)
{
  Runner r = { 0 };
  guint sigint, sigterm;

  r.worker = worker;
  r.json = json;
  r.tty = isatty (STDERR_FILENO);
  r.status = SF_EXIT_FAILED;
  r.loop = g_main_loop_new (NULL, FALSE);
  r.progress = sf_job_progress_new ();

  /* on_tick removes itself when the job is over. */
  g_timeout_add (20, on_tick, &r);
  sigint = g_unix_signal_add (SIGINT, on_sigint, &r);
  sigterm = g_unix_signal_add (SIGTERM, on_sigint, &r);
  g_main_loop_run (r.loop);

  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_main_loop_unref (r.loop);
  sf_worker_join (worker);

  if (out_device != NULL && sf_job_progress_get_device (r.progress) != NULL)
    *out_device = sf_device_info_copy (sf_job_progress_get_device (r.progress));
  g_object_unref (r.progress);
  return r.status;
}
