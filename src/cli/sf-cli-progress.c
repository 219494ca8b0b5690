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
  gint64         started_us;     /* first progress event */
  gint64         last_draw_us;
  SfDeviceInfo  *device;
  GPtrArray     *written;        /* partitions written (download, restore) */
  GPtrArray     *erased;         /* partitions formatted */
  GPtrArray     *read;           /* partitions backed up or read back */
  char          *current;        /* the partition of the step under way */
  gboolean       current_moved;  /* … and bytes of it have moved */
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
draw_bar (Runner        *r,
          const SfEvent *e)
{
  double fraction = e->overall_total ? (double) e->overall_done / (double) e->overall_total : 0.0;
  double elapsed = (double) (e->time_us - r->started_us) / G_USEC_PER_SEC;
  double rate = elapsed > 0.05 ? (double) e->overall_done / elapsed : 0.0;
  g_autofree char *eta = NULL;
  char bar[BAR_WIDTH + 1];
  guint filled = (guint) (fraction * BAR_WIDTH);

  for (guint i = 0; i < BAR_WIDTH; i++)
    bar[i] = i < filled ? '#' : '-';
  bar[BAR_WIDTH] = '\0';

  if (rate > 0 && e->overall_total > e->overall_done)
    eta = format_eta ((double) (e->overall_total - e->overall_done) / rate);
  else
    eta = g_strdup ("-:--");

  fprintf (stderr, "\r\033[K[%s] %3u%%  %-14.14s %7.2f MB/s  ETA %s",
           bar, (guint) (fraction * 100.0), e->partition ? e->partition : "",
           rate / 1e6, eta);
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
    g_autofree char *boot1 = sf_cli_format_size (d->boot1_size);
    g_autofree char *boot2 = sf_cli_format_size (d->boot2_size);
    g_autofree char *user = sf_cli_format_size (d->user_size);

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
  if (r->written->len == 0 && r->erased->len == 0 && !r->current_moved)
    g_printerr (_("Nothing was written to the phone.\n"));
  if (r->written->len > 0) {
    g_autofree char *list = join_names (r->written);

    g_printerr (_("Written before the failure: %s.\n"), list);
  }
  if (r->erased->len > 0) {
    g_autofree char *list = join_names (r->erased);

    g_printerr (_("Erased before the failure: %s.\n"), list);
  }
  if (r->read->len > 0) {
    g_autofree char *list = join_names (r->read);

    g_printerr (_("Read from the phone (not changed): %s.\n"), list);
  }
  if (r->current != NULL)
    g_printerr (_("Failed on: %s (incomplete; run the same command again once the cause is fixed).\n"),
                r->current);
}

static void
add_once (GPtrArray  *names,
          const char *name)
{
  if (name != NULL && !g_ptr_array_find_with_equal_func (names, name, g_str_equal, NULL))
    g_ptr_array_add (names, g_strdup (name));
}

static void
track_steps (Runner        *r,
             const SfEvent *e)
{
  if (e->kind == SF_EVENT_STEP_BEGIN) {
    g_free (r->current);
    r->current = g_strdup (e->partition);
    r->current_moved = FALSE;
  } else if (e->kind == SF_EVENT_PROGRESS && e->done > 0) {
    r->current_moved = TRUE;
  } else if (e->kind == SF_EVENT_STEP_END) {
    const char *what = e->message != NULL ? e->message : "";

    g_clear_pointer (&r->current, g_free);
    if (strcmp (what, "download") == 0 || strcmp (what, "restore") == 0)
      add_once (r->written, e->partition);
    else if (strcmp (what, "format") == 0 || strcmp (what, "format-all") == 0)
      add_once (r->erased, e->partition != NULL ? e->partition : _("the whole flash"));
    else if (strcmp (what, "backup") == 0 || strcmp (what, "readback") == 0)
      add_once (r->read, e->partition);
  }
}

static void
show_event (Runner        *r,
            const SfEvent *e)
{
  track_steps (r, e);

  if (e->kind == SF_EVENT_PROGRESS && r->started_us == 0)
    r->started_us = e->time_us;
  if (e->kind == SF_EVENT_DEVICE && e->device != NULL) {
    g_clear_pointer (&r->device, sf_device_info_free);
    r->device = sf_device_info_copy (e->device);
  }

  if (r->json) {
    print_json_event (e);
    return;
  }

  switch (e->kind) {
  case SF_EVENT_PROGRESS:
    if (r->tty && e->time_us - r->last_draw_us >= REDRAW_US) {
      draw_bar (r, e);
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
    g_autofree char *size = sf_cli_format_size (e->total);

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
  r.written = g_ptr_array_new_with_free_func (g_free);
  r.erased = g_ptr_array_new_with_free_func (g_free);
  r.read = g_ptr_array_new_with_free_func (g_free);

  /* on_tick removes itself when the job is over. */
  g_timeout_add (20, on_tick, &r);
  sigint = g_unix_signal_add (SIGINT, on_sigint, &r);
  sigterm = g_unix_signal_add (SIGTERM, on_sigint, &r);
  g_main_loop_run (r.loop);

  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_main_loop_unref (r.loop);
  sf_worker_join (worker);

  if (out_device != NULL)
    *out_device = g_steal_pointer (&r.device);
  g_clear_pointer (&r.device, sf_device_info_free);
  g_ptr_array_unref (r.written);
  g_ptr_array_unref (r.erased);
  g_ptr_array_unref (r.read);
  g_free (r.current);
  return r.status;
}
