/* sf-window-job.c — the window's job view: progress, speed and time left, the result, the log
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "sf-error.h"
#include "sf-error-text.h"
#include "sf-preferences-window.h"
#include "sf-window-private.h"

/* The queue is drained at most this often (about a frame at 30 Hz): a 1 GB
 * download posts a thousand progress events, the window draws 30 a second. */
#define DRAIN_INTERVAL_MS 33

void
sf_window_log_line (SfWindow   *self,
                    const char *format,
                    ...)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->log_view);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%H:%M:%S");
  g_autofree char *text = NULL;
  g_autofree char *line = NULL;
  GtkTextIter end;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  line = g_strdup_printf ("%s.%03d  %s\n", stamp, g_date_time_get_microsecond (now) / 1000, text);
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, line, -1);
  /* The log follows what is new. */
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_move_mark (buffer, gtk_text_buffer_get_insert (buffer), &end);
  gtk_text_view_scroll_mark_onscreen (self->log_view, gtk_text_buffer_get_insert (buffer));
}

static char *
format_duration (gint64 us)
{
  gint64 s = us / G_USEC_PER_SEC;

  if (s < 60)
    return g_strdup_printf (ngettext ("%d second", "%d seconds", (int) s), (int) s);
  if (s < 3600)
    /* Translators: minutes and seconds */
    return g_strdup_printf (_("%d min %02d s"), (int) (s / 60), (int) (s % 60));
  /* Translators: hours and minutes */
  return g_strdup_printf (_("%d h %02d min"), (int) (s / 3600), (int) (s % 3600 / 60));
}

static const char *
job_progress_title (SfWindowJobKind kind)
{
  switch (kind) {
  case SF_WINDOW_JOB_DOWNLOAD: return _("Downloading…");
  case SF_WINDOW_JOB_READBACK: return _("Reading Back…");
  case SF_WINDOW_JOB_FORMAT: return _("Formatting…");
  case SF_WINDOW_JOB_IDENTIFY: return _("Identifying the Phone…");
  default: return "";
  }
}

static const char *
step_verb (const char *kind)
{
  if (kind == NULL)
    return _("Working on");
  if (g_str_equal (kind, "download"))
    return _("Writing");
  if (g_str_equal (kind, "readback"))
    return _("Reading");
  if (g_str_equal (kind, "backup"))
    return _("Backing up");
  if (g_str_equal (kind, "restore"))
    return _("Restoring");
  if (g_str_equal (kind, "format") || g_str_equal (kind, "format-all"))
    return _("Erasing");
  if (g_str_equal (kind, "verify"))
    return _("Verifying");
  return kind;
}

/* "It went wrong while writing BOOTIMG.": one whole sentence per step, so
 * that each language can build it its own way. */
static char *
step_failed_sentence (const char *kind,
                      const char *partition)
{
  if (kind != NULL && g_str_equal (kind, "download"))
    return g_strdup_printf (_("It went wrong while writing %s."), partition);
  if (kind != NULL && g_str_equal (kind, "readback"))
    return g_strdup_printf (_("It went wrong while reading %s."), partition);
  if (kind != NULL && g_str_equal (kind, "backup"))
    return g_strdup_printf (_("It went wrong while backing up %s."), partition);
  if (kind != NULL && g_str_equal (kind, "restore"))
    return g_strdup_printf (_("It went wrong while restoring %s."), partition);
  if (kind != NULL && (g_str_equal (kind, "format") || g_str_equal (kind, "format-all")))
    return g_strdup_printf (_("It went wrong while erasing %s."), partition);
  if (kind != NULL && g_str_equal (kind, "verify"))
    return g_strdup_printf (_("It went wrong while verifying %s."), partition);
  return g_strdup_printf (_("It went wrong at %s."), partition);
}

/* The result page's title when a job ends well. */
static const char *
job_complete_title (SfWindowJobKind kind)
{
  switch (kind) {
  case SF_WINDOW_JOB_DOWNLOAD: return _("Download Complete");
  case SF_WINDOW_JOB_READBACK: return _("Readback Complete");
  case SF_WINDOW_JOB_FORMAT: return _("Format Complete");
  case SF_WINDOW_JOB_IDENTIFY: return _("Identification Complete");
  default: return _("Done");
  }
}

static void
show_progress (SfWindow *self)
{
  SfJobProgress *p = self->progress;
  gint64 now = g_get_monotonic_time ();
  double total_fraction = sf_job_progress_get_fraction (p);
  double step_fraction = sf_job_progress_get_step_fraction (p);
  double speed = sf_job_progress_get_speed (p, now);
  double left_s = sf_job_progress_get_eta (p, now);
  guint64 overall_done = sf_job_progress_get_done (p);
  guint64 overall_total = sf_job_progress_get_total (p);
  g_autofree char *total_text = NULL;
  g_autofree char *step_text = NULL;
  g_autofree char *done = NULL;
  g_autofree char *of = NULL;
  g_autofree char *stats = NULL;

  gtk_progress_bar_set_fraction (self->total_bar, total_fraction);
  gtk_progress_bar_set_fraction (self->partition_bar, step_fraction);
  total_text = g_strdup_printf ("%d %%", (int) (total_fraction * 100));
  step_text = g_strdup_printf ("%d %%", (int) (step_fraction * 100));
  gtk_label_set_text (self->total_percent, total_text);
  gtk_label_set_text (self->partition_percent, self->partition != NULL ? step_text : "");

  if (self->partition != NULL) {
    g_autofree char *label = g_strdup_printf ("%s %s", step_verb (self->step_kind), self->partition);

    gtk_label_set_text (self->partition_label, label);
    gtk_label_set_text (self->job_title, job_progress_title (self->job_kind));
  }

  /* One unit system everywhere: powers of two, as the sizes in the table. */
  done = g_format_size_full (overall_done, G_FORMAT_SIZE_IEC_UNITS);
  of = g_format_size_full (overall_total, G_FORMAT_SIZE_IEC_UNITS);
  if (speed > 0 && left_s >= 0) {
    g_autofree char *rate = g_format_size_full ((guint64) speed, G_FORMAT_SIZE_IEC_UNITS);
    gint64 left_us = (gint64) (left_s * G_USEC_PER_SEC);
    g_autofree char *left = format_duration (left_us);

    if (left_us < G_USEC_PER_SEC)
      /* Translators: "120 MB of 1.2 GB · 35.2 MB/s · almost done" */
      stats = g_strdup_printf (_("%s of %s · %s/s · almost done"), done, of, rate);
    else
      /* Translators: "120 MB of 1.2 GB · 35.2 MB/s · about 32 seconds left" */
      stats = g_strdup_printf (_("%s of %s · %s/s · about %s left"), done, of, rate, left);
  } else if (overall_total > 0) {
    stats = g_strdup_printf (_("%s of %s"), done, of);
  }
  gtk_label_set_text (self->stats_label, stats != NULL ? stats : "");
}

void
sf_window_set_instructions (SfWindow   *self,
                            const char *title,
                            const char *text)
{
  gtk_label_set_text (self->job_title, title);
  gtk_label_set_text (self->job_instructions, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->job_instructions), text != NULL);
}

const char *
sf_window_connect_instructions (void)
{
  return _("Now connect the powered-off phone with its USB cable. If it has a removable battery, "
           "take it out and put it back first. If nothing happens, hold Volume Down while you "
           "plug it in.");
}

static char *
join_finished (SfWindow *self)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < self->finished->len; i++) {
    if (i > 0)
      g_string_append (s, ", ");
    g_string_append (s, g_ptr_array_index (self->finished, i));
  }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static const char *
replug_advice (SfWindow *self)
{
  if (self->practice)
    return _("The virtual phone is unplugged and plugged in again for you: press Again to run it once more.");
  return _("Unplug the phone and plug it in again, then press Again.");
}

static void
show_result (SfWindow *self)
{
  g_autofree char *title = NULL;
  g_autofree char *code = NULL;
  g_autofree char *text = NULL;
  g_autofree char *finished = join_finished (self);
  g_autofree char *took = format_duration (g_get_monotonic_time () - self->started_us);
  GtkWidget *icon = GTK_WIDGET (self->result_icon);

  gtk_widget_remove_css_class (icon, "success");
  gtk_widget_remove_css_class (icon, "error");
  gtk_widget_remove_css_class (icon, "warning");

  switch (self->result) {
  case SF_WINDOW_RESULT_DONE: {
    title = g_strdup (job_complete_title (self->job_kind));
    if (self->job_kind == SF_WINDOW_JOB_DOWNLOAD && self->practice)
      text = g_strdup_printf (self->verify ? _("Written and verified in %s: %s.\n\nWith a real phone you would now "
                                               "unplug it and switch it on.")
                                           : _("Written in %s: %s.\n\nWith a real phone you would now unplug it "
                                               "and switch it on."),
                              took, finished[0] ? finished : _("nothing"));
    else if (self->job_kind == SF_WINDOW_JOB_DOWNLOAD)
      text = g_strdup_printf (self->verify ? _("Written and verified in %s: %s.\n\nUnplug the phone and switch it on.")
                                           : _("Written in %s: %s.\n\nUnplug the phone and switch it on."),
                              took, finished[0] ? finished : _("nothing"));
    else if (self->job_kind == SF_WINDOW_JOB_READBACK && sf_readback_page_get_output_folder (self->readback_page) != NULL) {
      g_autofree char *folder = sf_gui_folder_display_name (sf_readback_page_get_output_folder (self->readback_page));

      /* Translators: a time, a folder, then partition names */
      text = g_strdup_printf (_("Read in %s, saved in %s: %s."), took, folder,
                              finished[0] ? finished : _("an address range"));
    } else if (self->job_kind == SF_WINDOW_JOB_IDENTIFY && self->device != NULL)
      text = g_strdup_printf (_("The phone’s chip is %s. Its storage and partition table are on the Phone page."),
                              self->device->chip != NULL ? self->device->chip : _("unknown chip"));
    else
      text = g_strdup_printf (_("Done in %s."), took);
    if (self->practice) {
      g_autofree char *with = g_strdup_printf (_("%s\n\nThis was practice: only the virtual phone on this "
                                                 "computer was written."), text);

      g_free (text);
      text = g_steal_pointer (&with);
    }
    gtk_image_set_from_icon_name (self->result_icon, "emblem-ok-symbolic");
    gtk_widget_add_css_class (icon, "success");
    break;
  }
  case SF_WINDOW_RESULT_STOPPED: {
    g_autoptr(GString) s = g_string_new (NULL);

    title = g_strdup (_("Stopped"));
    if (finished[0] != '\0')
      g_string_append_printf (s, _("You stopped it after %s. Already written: %s. The phone is left in download "
                                   "mode: run the job to the end before you use the phone."), took, finished);
    else if (self->reached_phone)
      g_string_append (s, _("You stopped it before anything was written to the phone."));
    else
      g_string_append (s, _("You stopped it before the phone was connected."));
    if (self->reached_phone)
      g_string_append_printf (s, "\n\n%s", replug_advice (self));
    text = g_string_free (g_steal_pointer (&s), FALSE);
    gtk_image_set_from_icon_name (self->result_icon, "process-stop-symbolic");
    gtk_widget_add_css_class (icon, "warning");
    break;
  }
  case SF_WINDOW_RESULT_FAILED: {
    g_autoptr(GString) s = g_string_new (NULL);
    g_autofree char *advice = NULL;

    sf_gui_describe_error (self->error, &title, &code, &advice);
    if (self->step_open && self->partition != NULL) {
      g_autofree char *sentence = step_failed_sentence (self->step_kind, self->partition);

      g_string_append (s, sentence);
    }
    /* What was changed on the phone, not what was only read from it. */
    if (sf_job_progress_get_written (self->progress)->len > 0) {
      GPtrArray *written = sf_job_progress_get_written (self->progress);
      g_autoptr(GString) list = g_string_new (NULL);

      for (guint i = 0; i < written->len; i++)
        g_string_append_printf (list, "%s%s", i > 0 ? ", " : "", (const char *) g_ptr_array_index (written, i));
      if (s->len > 0)
        g_string_append_c (s, ' ');
      g_string_append_printf (s, _("Already written: %s."), list->str);
    } else if (!self->reached_phone) {
      g_string_append (s, _("Nothing was written to the phone."));
    }
    if (s->len > 0)
      g_string_append (s, "\n\n");
    /* Translators: one piece of advice follows */
    g_string_append_printf (s, _("What to do: %s"), advice);
    if (self->reached_phone)
      g_string_append_printf (s, "\n\n%s", replug_advice (self));
    text = g_string_free (g_steal_pointer (&s), FALSE);
    gtk_image_set_from_icon_name (self->result_icon, "dialog-error-symbolic");
    gtk_widget_add_css_class (icon, "error");
    /* The error's own words, with its protocol detail, for whoever helps. */
    sf_window_log_line (self, "%s", self->error->message);
    break;
  }
  case SF_WINDOW_RESULT_NONE:
  case SF_WINDOW_RESULT_RUNNING:
  default:
    return;
  }
  gtk_label_set_text (self->result_title, title);
  gtk_label_set_text (self->result_code, code != NULL ? code : "");
  gtk_widget_set_visible (GTK_WIDGET (self->result_code), code != NULL);
  gtk_label_set_text (self->result_text, text);
  gtk_widget_set_visible (self->open_folder_button,
                          self->result == SF_WINDOW_RESULT_DONE && self->job_kind == SF_WINDOW_JOB_READBACK);
  gtk_stack_set_visible_child_name (self->job_stack, "result");
  sf_window_log_line (self, "%s%s%s: %s", title, code != NULL ? " · " : "", code != NULL ? code : "", text);
  if (self->result == SF_WINDOW_RESULT_FAILED)
    gtk_expander_set_expanded (self->log_expander, TRUE);
}

void
sf_window_finish_job (SfWindow       *self,
                      SfWindowResult  result,
                      const GError   *error)
{
  /* The FINISHED or FAILED event is the worker's last word: joining is immediate. */
  if (self->worker != NULL) {
    sf_worker_join (self->worker);
    g_clear_object (&self->worker);
  }
  g_clear_handle_id (&self->drain_id, g_source_remove);
  g_clear_handle_id (&self->plug_id, g_source_remove);
  g_clear_pointer (&self->pending_job, sf_flash_job_free);
  if (self->sim != NULL) {
    /* Unplug the virtual phone. */
    sf_sim_stop (self->sim);
    g_clear_pointer (&self->sim, sf_sim_free);
  }
  g_clear_error (&self->error);
  if (error != NULL)
    self->error = g_error_copy (error);
  self->result = result;
  self->keep_log = FALSE;
  self->images_checked = FALSE;
  g_clear_object (&self->arrived);
  gtk_spinner_stop (self->job_spinner);
  show_progress (self);
  show_result (self);
  sf_window_update_actions (self);
}

static void
log_device (SfWindow           *self,
            const SfDeviceInfo *d)
{
  sf_window_log_line (self, _("Phone: %s (hw code 0x%04x, sub 0x%04x, hw 0x%04x, sw 0x%04x), %s"),
                      d->chip != NULL ? d->chip : _("unknown chip"), d->hw_code, d->hw_sub_code, d->hw_ver, d->sw_ver,
                      d->is_brom ? _("BootROM mode") : _("preloader mode"));
  if (d->has_storage) {
    g_autofree char *user = g_format_size_full (d->user_size, G_FORMAT_SIZE_IEC_UNITS);
    g_autofree char *boot = g_format_size_full (d->boot1_size, G_FORMAT_SIZE_IEC_UNITS);
    g_autofree char *ram = g_format_size_full (d->ram_size, G_FORMAT_SIZE_IEC_UNITS);

    sf_window_log_line (self, _("Storage: %s, user area %s, boot areas %s each, RAM %s"),
                        d->storage != NULL ? d->storage : "?", user, boot, ram);
  }
}

static gboolean
on_drain (gpointer user_data)
{
  SfWindow *self = user_data;
  GAsyncQueue *queue = sf_worker_get_queue (self->worker);
  gboolean dirty = FALSE;
  SfEvent *raw;

  /* Progress is coalesced: only the last numbers of this frame are drawn. */
  while ((raw = g_async_queue_try_pop (queue)) != NULL) {
    g_autoptr(SfEvent) e = raw;

    sf_job_progress_add_event (self->progress, e);
    switch (e->kind) {
    case SF_EVENT_STAGE:
      sf_window_set_instructions (self, e->message, NULL);
      sf_window_log_line (self, "%s", e->message);
      break;
    case SF_EVENT_DEVICE:
      if (e->device != NULL) {
        g_clear_pointer (&self->device, sf_device_info_free);
        self->device = sf_device_info_copy (e->device);
        log_device (self, e->device);
        sf_phone_page_set_info (self->phone_page, self->device);
        if (self->device->table != NULL)
          sf_readback_page_set_partition_table (self->readback_page, self->device->table);
        if (e->device->chip != NULL) {
          g_autofree char *title = g_strdup_printf (_("Connected to %s"), e->device->chip);

          sf_window_set_instructions (self, title, _("Keep the cable plugged in until this is done."));
        }
      }
      break;
    case SF_EVENT_STEP_BEGIN:
      g_free (self->partition);
      self->partition = g_strdup (e->partition != NULL ? e->partition : _("the whole flash"));
      g_free (self->step_kind);
      self->step_kind = g_strdup (e->message);
      self->step_open = TRUE;
      gtk_widget_set_visible (GTK_WIDGET (self->job_instructions), FALSE);
      sf_window_log_line (self, "%s %s (%" PRIu64 " bytes)", step_verb (e->message), self->partition, e->total);
      dirty = TRUE;
      break;
    case SF_EVENT_PROGRESS:
      dirty = TRUE;
      break;
    case SF_EVENT_STEP_END:
      self->step_open = FALSE;
      /* Written, then verified: named once. */
      if (e->partition != NULL &&
          !g_ptr_array_find_with_equal_func (self->finished, e->partition, g_str_equal, NULL))
        g_ptr_array_add (self->finished, g_strdup (e->partition));
      dirty = TRUE;
      break;
    case SF_EVENT_LOG:
      sf_window_log_line (self, "%s", e->message);
      break;
    case SF_EVENT_FINISHED:
      self->drain_id = 0;
      sf_window_finish_job (self, SF_WINDOW_RESULT_DONE, NULL);
      return G_SOURCE_REMOVE;
    case SF_EVENT_FAILED:
      self->drain_id = 0;
      sf_window_finish_job (self,
                            g_error_matches (e->error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                              ? SF_WINDOW_RESULT_STOPPED : SF_WINDOW_RESULT_FAILED,
                            e->error);
      return G_SOURCE_REMOVE;
    default:
      break;
    }
  }
  if (dirty)
    show_progress (self);
  return G_SOURCE_CONTINUE;
}

void
sf_window_start_worker (SfWindow *self)
{
  SfFlashJob *job = g_steal_pointer (&self->pending_job);

  self->worker = sf_worker_new ();
  self->reached_phone = TRUE;
  sf_worker_start (self->worker, "sf-flash", sf_flash_job_run, job, (GDestroyNotify) sf_flash_job_free);
  self->drain_id = g_timeout_add (DRAIN_INTERVAL_MS, on_drain, self);
  sf_window_update_actions (self);
}

void
sf_window_begin_job_view (SfWindow        *self,
                          SfWindowJobKind  kind,
                          const char      *first_line)
{
  self->job_kind = kind;
  self->result = SF_WINDOW_RESULT_RUNNING;
  g_clear_error (&self->error);
  g_clear_pointer (&self->partition, g_free);
  g_clear_pointer (&self->step_kind, g_free);
  g_ptr_array_set_size (self->finished, 0);
  self->reached_phone = FALSE;
  self->step_open = FALSE;
  g_clear_object (&self->replugged);
  /* A new fold per job; the plan's byte count comes with the first event. */
  g_clear_object (&self->progress);
  self->progress = sf_job_progress_new ();
  self->started_us = g_get_monotonic_time ();

  /* A job that follows its own firmware check or wait keeps their lines. */
  if (!self->keep_log)
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->log_view), "", -1);
  sf_window_log_line (self, "%s", first_line);
  gtk_label_set_text (self->partition_label, "");
  gtk_stack_set_visible_child_name (self->job_stack, "running");
  gtk_stack_set_visible_child_name (self->mode_stack, "job");
  gtk_spinner_start (self->job_spinner);
  show_progress (self);
}

/* Takes @job and shows the job view until it ends. */
void
sf_window_run_job (SfWindow        *self,
                   SfWindowJobKind  kind,
                   SfFlashJob      *job,
                   const char      *description)
{
  sf_window_begin_job_view (self, kind, description);
  self->keep_log = FALSE;
  self->images_checked = FALSE;
  self->pending_job = job;

  if (self->practice) {
    sf_window_set_instructions (self, _("Connect the Phone"),
                                _("Practice: the virtual phone is plugged in for you in a moment, as a real one would be "
                                  "when you connect it switched off."));
    sf_window_plug_virtual_phone_later (self);
  } else {
    sf_window_set_instructions (self, _("Connect the Phone"), sf_window_connect_instructions ());
    sf_window_start_worker (self);
  }
  sf_window_update_actions (self);
}

/* No phone yet: the job view asks for one, and the job starts the moment
 * the monitor sees it arrive (a preloader port is there for seconds only). */
void
sf_window_start_waiting (SfWindow        *self,
                         SfWindowJobKind  kind)
{
  sf_window_begin_job_view (self, kind, _("Waiting for a phone in download mode"));
  self->waiting = TRUE;
  self->waiting_kind = kind;
  self->keep_log = TRUE;
  sf_window_set_instructions (self, _("Connect the Phone"), sf_window_connect_instructions ());
  sf_window_update_actions (self);
}

char *
sf_window_get_log_text (SfWindow *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->log_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}
