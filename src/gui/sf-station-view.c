/* sf-station-view.c — several phones at once: one row, one worker per phone
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "sf-error.h"
#include "sf-error-text.h"
#include "sf-log-export.h"
#include "sf-station-view.h"
#include "sf-station.h"

/* The rules of who is taken, the workers and the folding of their events
 * are SfStation's (sf-station.h), shared with `download --watch`; this is
 * how a window shows it: one row per phone. */

typedef struct {
  guint            number;
  SfUsbDevice     *device;
  SfStationPhone  *phone;      /* NULL for a phone running Android (never taken) */
  AdwActionRow    *row;
  GtkProgressBar  *bar;
  GtkImage        *icon;
  GString         *log;        /* what happened to this phone, for Save Log */
} Row;

struct _SfStationView
{
  AdwBin       parent_instance;

  GtkLabel    *title_label;
  GtkLabel    *summary_label;
  GtkListBox  *phones_list;
  GtkWidget   *back_button;

  SfPlan      *plan;
  SfDaFile    *da;
  GFile       *backup_dir;
  gboolean     verify;
  gboolean     taking;       /* started, not stopped */
  SfStation   *station;
  GPtrArray   *rows;         /* (element-type Row) */
  guint        n_done;
  guint        n_failed;
  guint        finished_id;
};

G_DEFINE_FINAL_TYPE (SfStationView, sf_station_view, ADW_TYPE_BIN)

enum {
  SIGNAL_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
row_free (Row *r)
{
  g_clear_object (&r->device);
  g_string_free (r->log, TRUE);
  g_free (r);
}

static guint
n_running (SfStationView *self)
{
  return self->station != NULL ? sf_station_get_n_running (self->station) : 0;
}

static void
update_summary (SfStationView *self)
{
  g_autofree char *text = NULL;
  guint running = n_running (self);

  gtk_widget_set_visible (self->back_button, !self->taking && running == 0);

  if (!self->taking && running == 0)
    gtk_label_set_text (self->title_label, _("Station Stopped"));
  else if (running > 0)
    /* Translators: the station's title while phones are being flashed */
    gtk_label_set_text (self->title_label, _("Flashing…"));
  else
    gtk_label_set_text (self->title_label, _("Plug In the Phones"));

  if (self->n_done + self->n_failed == 0 && self->taking)
    return;
  /* Translators: e.g. "3 flashed, 1 failed, 2 in progress" */
  text = g_strdup_printf (_("%u flashed, %u failed, %u in progress"), self->n_done, self->n_failed, running);
  gtk_label_set_text (self->summary_label, text);
}

static void
set_status (Row        *r,
            const char *icon_name,
            const char *css_class,
            const char *text)
{
  GtkWidget *icon = GTK_WIDGET (r->icon);

  gtk_image_set_from_icon_name (r->icon, icon_name);
  gtk_widget_remove_css_class (icon, "success");
  gtk_widget_remove_css_class (icon, "error");
  gtk_widget_remove_css_class (icon, "warning");
  if (css_class != NULL)
    gtk_widget_add_css_class (icon, css_class);
  adw_action_row_set_subtitle (r->row, text);
}

static void
row_log (Row        *r,
         const char *text)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%H:%M:%S");

  g_string_append_printf (r->log, "%s  #%u  %s\n", stamp, r->number, text);
}

/* A phone is named by where it is plugged in (the USB port path stays
 * with the socket, unlike /dev/ttyACM0) and, once it answers, its chip. */
static void
update_title (Row *r)
{
  g_autofree char *title = NULL;
  const char *port = sf_usb_device_get_port_path (r->device);
  const SfDeviceInfo *info = r->phone != NULL ? sf_job_progress_get_device (r->phone->progress) : NULL;
  const char *chip = info != NULL && info->chip != NULL ? info->chip : sf_usb_device_get_chip (r->device);

  if (sf_usb_device_get_kind (r->device) == SF_USB_DEVICE_KIND_VIRTUAL)
    /* Translators: a number, then "virtual phone" and its chip */
    title = g_strdup_printf (_("#%u · Virtual phone · %s"), r->number, chip != NULL ? chip : "?");
  else if (chip != NULL)
    /* Translators: a number, the USB port path ("1-1.2"), then the chip */
    title = g_strdup_printf (_("#%u · USB port %s · %s"), r->number, port, chip);
  else
    /* Translators: a number, then the USB port path ("1-1.2") */
    title = g_strdup_printf (_("#%u · USB port %s"), r->number, port);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (r->row), title);
}

static Row *
add_row (SfStationView *self,
         SfUsbDevice   *device)
{
  Row *r = g_new0 (Row, 1);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *bar = gtk_progress_bar_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name ("phone-symbolic");

  r->number = self->rows->len + 1;
  r->device = g_object_ref (device);
  r->log = g_string_new (NULL);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
  gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (bar, 160, -1);
  gtk_image_set_pixel_size (GTK_IMAGE (icon), 24);
  gtk_widget_add_css_class (icon, "result-icon");
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), bar);
  gtk_list_box_append (self->phones_list, row);
  r->row = ADW_ACTION_ROW (row);
  r->bar = GTK_PROGRESS_BAR (bar);
  r->icon = GTK_IMAGE (icon);
  update_title (r);
  row_log (r, sf_usb_device_get_name (device));
  g_ptr_array_add (self->rows, r);
  return r;
}

static SfFlashJob *
make_job (SfUsbDevice *device,
          gpointer     user_data)
{
  SfStationView *self = user_data;
  /* The job finds the tty on its own thread, as soon as it is there. */
  SfFlashJob *job = sf_flash_job_new_for_device (device, self->da);

  sf_flash_job_set_plan (job, self->plan);
  sf_flash_job_set_verify (job, self->verify);
  if (self->backup_dir != NULL)
    sf_flash_job_set_backup_dir (job, self->backup_dir);
  return job;
}

static void
on_phone_added (SfStation      *station,
                SfStationPhone *phone,
                gpointer        user_data)
{
  SfStationView *self = user_data;
  Row *r = add_row (self, phone->device);

  r->phone = phone;
  phone->face_data = r;
  set_status (r, "phone-symbolic", NULL, _("Connecting…"));
  update_summary (self);
}

static void
on_phone_refused (SfStation   *station,
                  SfUsbDevice *device,
                  guint        why,
                  gpointer     user_data)
{
  SfStationView *self = user_data;

  /* A phone that came back right after it was flashed is restarting: not
   * a phone to show. */
  if (why == SF_STATION_REFUSED_POWERED_ON) {
    Row *r = add_row (self, device);

    set_status (r, "dialog-warning-symbolic", "warning",
                _("Running Android: unplug it, switch it off, and plug it in again"));
  }
}

static void
on_phone_event (SfStation      *station,
                SfStationPhone *phone,
                const SfEvent  *e,
                gpointer        user_data)
{
  Row *r = phone->face_data;

  switch (e->kind) {
  case SF_EVENT_STAGE:
    adw_action_row_set_subtitle (r->row, e->message);
    row_log (r, e->message);
    break;
  case SF_EVENT_LOG:
    row_log (r, e->message);
    break;
  case SF_EVENT_DEVICE:
    update_title (r);
    break;
  case SF_EVENT_STEP_BEGIN:
    if (e->partition != NULL)
      row_log (r, e->partition);
    break;
  case SF_EVENT_PROGRESS:
  case SF_EVENT_STEP_END:
  case SF_EVENT_FINISHED:
  case SF_EVENT_FAILED:
  default:
    break;
  }
}

/* Drawn once a drain per phone, from its SfJobProgress. */
static void
on_phone_changed (SfStation      *station,
                  SfStationPhone *phone,
                  gpointer        user_data)
{
  SfJobProgress *progress = phone->progress;
  Row *r = phone->face_data;
  gint64 now = g_get_monotonic_time ();
  double fraction = sf_job_progress_get_fraction (progress);
  double speed = sf_job_progress_get_speed (progress, now);
  double left = sf_job_progress_get_eta (progress, now);
  const char *partition = sf_job_progress_get_partition (progress);
  g_autofree char *text = NULL;

  if (sf_job_progress_get_state (progress) != SF_JOB_STATE_RUNNING ||
      sf_job_progress_get_first_byte_us (progress) == 0)
    return;
  if (speed > 0 && left >= 0) {
    g_autofree char *rate = g_format_size_full ((guint64) speed, G_FORMAT_SIZE_IEC_UNITS);

    /* Translators: partition, percent, speed, seconds left: "BOOTIMG — 45 % · 12.3 MiB/s · about 8 s left" */
    text = g_strdup_printf (_("%s — %d %% · %s/s · about %d s left"), partition != NULL ? partition : "",
                            (int) (fraction * 100), rate, MAX ((int) (left + 0.5), 1));
  } else {
    text = g_strdup_printf (_("%s — %d %%"), partition != NULL ? partition : "", (int) (fraction * 100));
  }
  gtk_progress_bar_set_fraction (r->bar, fraction);
  adw_action_row_set_subtitle (r->row, text);
}

static void
on_phone_finished (SfStation      *station,
                   SfStationPhone *phone,
                   gpointer        user_data)
{
  SfStationView *self = user_data;
  SfJobProgress *progress = phone->progress;
  const GError *error = sf_job_progress_get_error (progress);
  Row *r = phone->face_data;

  switch (sf_job_progress_get_state (progress)) {
  case SF_JOB_STATE_DONE: {
    g_autofree char *took = g_strdup_printf (_("Done in %d s: unplug it"),
                                             (int) ((g_get_monotonic_time () - phone->started_us) / G_USEC_PER_SEC));

    self->n_done++;
    gtk_progress_bar_set_fraction (r->bar, 1.0);
    gtk_widget_add_css_class (GTK_WIDGET (r->bar), "done");
    set_status (r, "emblem-ok-symbolic", "success", took);
    row_log (r, took);
    break;
  }
  case SF_JOB_STATE_STOPPED:
    self->n_failed++;
    gtk_widget_add_css_class (GTK_WIDGET (r->bar), "stopped");
    set_status (r, "process-stop-symbolic", "warning", _("Stopped: flash it again before using it"));
    row_log (r, _("Stopped"));
    break;
  case SF_JOB_STATE_FAILED:
  case SF_JOB_STATE_RUNNING:
  default: {
    g_autofree char *title = NULL;
    g_autofree char *code = NULL;
    g_autofree char *advice = NULL;
    g_autofree char *text = NULL;

    /* The row says it plainly; the whole message is in its tooltip and log. */
    sf_gui_describe_error (error, &title, &code, &advice);
    text = code != NULL ? g_strdup_printf ("%s (%s). %s", title, code, advice)
                        : g_strdup_printf ("%s. %s", title, advice);
    self->n_failed++;
    gtk_widget_add_css_class (GTK_WIDGET (r->bar), "failed");
    set_status (r, "dialog-error-symbolic", "error", text);
    if (error != NULL) {
      gtk_widget_set_tooltip_text (GTK_WIDGET (r->row), error->message);
      row_log (r, error->message);
    }
    break;
  }
  }
  update_summary (self);
}

static gboolean
emit_finished (gpointer user_data)
{
  SfStationView *self = user_data;

  self->finished_id = 0;
  update_summary (self);
  g_signal_emit (self, signals[SIGNAL_FINISHED], 0);
  return G_SOURCE_REMOVE;
}

static void
on_idle (SfStation *station,
         gpointer   user_data)
{
  SfStationView *self = user_data;

  /* Never from inside sf_station_view_stop(): the caller gets its signal
   * from the main loop, as when phones were still running. */
  if (!self->taking && self->finished_id == 0)
    self->finished_id = g_idle_add (emit_finished, self);
}

static void
drop_station (SfStationView *self)
{
  if (self->station != NULL) {
    g_signal_handlers_disconnect_by_data (self->station, self);
    /* Stops and joins every phone's worker. */
    g_clear_object (&self->station);
  }
}

void
sf_station_view_add_phone (SfStationView *self,
                           SfUsbDevice   *device)
{
  g_return_if_fail (SF_IS_STATION_VIEW (self));
  g_return_if_fail (SF_IS_USB_DEVICE (device));

  if (self->taking && self->station != NULL)
    sf_station_add_device (self->station, device);
}

void
sf_station_view_start (SfStationView *self,
                       SfPlan        *plan,
                       SfDaFile      *da,
                       gboolean       verify,
                       GFile         *backup_dir)
{
  GtkListBoxRow *row;

  g_return_if_fail (SF_IS_STATION_VIEW (self));
  g_return_if_fail (SF_IS_PLAN (plan));
  g_return_if_fail (SF_IS_DA_FILE (da));
  g_return_if_fail (!sf_station_view_is_running (self));

  g_set_object (&self->plan, plan);
  g_set_object (&self->da, da);
  g_set_object (&self->backup_dir, backup_dir);
  self->verify = verify;
  self->taking = TRUE;
  self->n_done = self->n_failed = 0;
  g_clear_handle_id (&self->finished_id, g_source_remove);
  drop_station (self);
  g_ptr_array_set_size (self->rows, 0);
  while ((row = gtk_list_box_get_row_at_index (self->phones_list, 0)) != NULL)
    gtk_list_box_remove (self->phones_list, GTK_WIDGET (row));

  self->station = sf_station_new (make_job, self, NULL);
  g_signal_connect (self->station, "phone-added", G_CALLBACK (on_phone_added), self);
  g_signal_connect (self->station, "phone-refused", G_CALLBACK (on_phone_refused), self);
  g_signal_connect (self->station, "phone-event", G_CALLBACK (on_phone_event), self);
  g_signal_connect (self->station, "phone-changed", G_CALLBACK (on_phone_changed), self);
  g_signal_connect (self->station, "phone-finished", G_CALLBACK (on_phone_finished), self);
  g_signal_connect (self->station, "idle", G_CALLBACK (on_idle), self);

  gtk_label_set_text (self->summary_label,
                      _("Connect each powered-off phone with its own cable. Every phone is flashed the moment it "
                        "is plugged in; unplug it when its row says Done."));
  update_summary (self);
}

void
sf_station_view_stop (SfStationView *self)
{
  g_return_if_fail (SF_IS_STATION_VIEW (self));

  self->taking = FALSE;
  if (self->station != NULL)
    /* "finished" follows once every worker has said its last word. */
    sf_station_stop (self->station);
  else if (self->finished_id == 0)
    self->finished_id = g_idle_add (emit_finished, self);
}

gboolean
sf_station_view_is_running (SfStationView *self)
{
  g_return_val_if_fail (SF_IS_STATION_VIEW (self), FALSE);
  return self->taking || n_running (self) > 0;
}

char *
sf_station_view_get_log (SfStationView *self)
{
  GString *text;

  g_return_val_if_fail (SF_IS_STATION_VIEW (self), NULL);

  text = g_string_new (NULL);
  for (guint i = 0; i < self->rows->len; i++)
    g_string_append (text, ((Row *) g_ptr_array_index (self->rows, i))->log->str);
  return g_string_free (text, FALSE);
}

guint
sf_station_view_get_n_done (SfStationView *self)
{
  g_return_val_if_fail (SF_IS_STATION_VIEW (self), 0);
  return self->n_done;
}

guint
sf_station_view_get_n_failed (SfStationView *self)
{
  g_return_val_if_fail (SF_IS_STATION_VIEW (self), 0);
  return self->n_failed;
}

static char *
log_text (GtkWidget *owner)
{
  return sf_station_view_get_log (SF_STATION_VIEW (owner));
}

static void
save_log_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  GtkWidget *toasts = gtk_widget_get_ancestor (widget, ADW_TYPE_TOAST_OVERLAY);

  sf_log_export_save (widget, toasts != NULL ? ADW_TOAST_OVERLAY (toasts) : NULL, _("Save the Station’s Log"),
                      "scatterflash-station-%Y%m%d-%H%M%S.log", log_text);
}

static void
sf_station_view_dispose (GObject *object)
{
  SfStationView *self = SF_STATION_VIEW (object);

  g_clear_handle_id (&self->finished_id, g_source_remove);
  drop_station (self);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  /* AdwBin keeps its child past the template's dispose otherwise. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), SF_TYPE_STATION_VIEW);
  g_clear_object (&self->plan);
  g_clear_object (&self->da);
  g_clear_object (&self->backup_dir);

  G_OBJECT_CLASS (sf_station_view_parent_class)->dispose (object);
}

static void
sf_station_view_class_init (SfStationViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sf_station_view_dispose;

  signals[SIGNAL_FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/Scatterflash/ui/sf-station-view.ui");
  gtk_widget_class_bind_template_child (widget_class, SfStationView, title_label);
  gtk_widget_class_bind_template_child (widget_class, SfStationView, summary_label);
  gtk_widget_class_bind_template_child (widget_class, SfStationView, phones_list);
  gtk_widget_class_bind_template_child (widget_class, SfStationView, back_button);
  gtk_widget_class_install_action (widget_class, "station.save-log", NULL, save_log_action);
}

static void
sf_station_view_init (SfStationView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
}

SfStationView *
sf_station_view_new (void)
{
  return g_object_new (SF_TYPE_STATION_VIEW, NULL);
}
