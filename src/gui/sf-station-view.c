/* sf-station-view.c — several phones at once: one row, one worker per phone
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "sf-device-monitor.h"
#include "sf-error.h"
#include "sf-error-text.h"
#include "sf-flash-job.h"
#include "sf-station-view.h"
#include "sf-worker.h"

/* Draw at most this often, whatever the number of phones. */
#define DRAIN_INTERVAL_MS 33


typedef struct {
  guint            number;
  SfUsbDevice     *device;
  SfWorker        *worker;     /* NULL once ended, and for a phone running Android */
  AdwActionRow    *row;
  GtkProgressBar  *bar;
  GtkImage        *icon;
  char            *partition;
  guint64          done;
  guint64          total;
  gint64           started_us;
  gint64           first_byte_us;
  char            *chip;
  GString         *log;        /* what happened to this phone, for Save Log */
} Phone;

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
  GPtrArray   *phones;       /* (element-type Phone) */
  GHashTable  *flashed_at;   /* socket id → gint64 when its phone finished */
  guint        drain_id;
  guint        n_done;
  guint        n_failed;
};

G_DEFINE_FINAL_TYPE (SfStationView, sf_station_view, ADW_TYPE_BIN)

enum {
  SIGNAL_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
phone_free (Phone *p)
{
  if (p->worker != NULL) {
    sf_worker_cancel (p->worker);
    sf_worker_join (p->worker);
    g_clear_object (&p->worker);
  }
  g_clear_object (&p->device);
  g_free (p->partition);
  g_free (p->chip);
  g_string_free (p->log, TRUE);
  g_free (p);
}

static guint
n_running (SfStationView *self)
{
  guint n = 0;

  for (guint i = 0; i < self->phones->len; i++)
    n += ((Phone *) g_ptr_array_index (self->phones, i))->worker != NULL;
  return n;
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
    /* Translators: how many phones are being flashed now */
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
set_status (Phone      *p,
            const char *icon_name,
            const char *css_class,
            const char *text)
{
  GtkWidget *icon = GTK_WIDGET (p->icon);

  gtk_image_set_from_icon_name (p->icon, icon_name);
  gtk_widget_remove_css_class (icon, "success");
  gtk_widget_remove_css_class (icon, "error");
  gtk_widget_remove_css_class (icon, "warning");
  if (css_class != NULL)
    gtk_widget_add_css_class (icon, css_class);
  adw_action_row_set_subtitle (p->row, text);
}

static void
phone_log (Phone      *p,
           const char *text)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%H:%M:%S");

  g_string_append_printf (p->log, "%s  #%u  %s\n", stamp, p->number, text);
}

/* A phone is named by where it is plugged in (the USB port path stays
 * with the socket, unlike /dev/ttyACM0) and, once it answers, its chip. */
static void
update_title (Phone *p)
{
  g_autofree char *title = NULL;
  const char *port = sf_usb_device_get_port_path (p->device);

  if (sf_usb_device_get_kind (p->device) == SF_USB_DEVICE_KIND_VIRTUAL)
    /* Translators: a number, then "virtual phone" and its chip */
    title = g_strdup_printf (_("#%u · Virtual phone · %s"), p->number, p->chip != NULL ? p->chip : "?");
  else if (p->chip != NULL)
    /* Translators: a number, the USB port path ("1-1.2"), then the chip */
    title = g_strdup_printf (_("#%u · USB port %s · %s"), p->number, port, p->chip);
  else
    /* Translators: a number, then the USB port path ("1-1.2") */
    title = g_strdup_printf (_("#%u · USB port %s"), p->number, port);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (p->row), title);
}

static void
end_phone (SfStationView *self,
           Phone         *p,
           const GError  *error)
{
  sf_worker_join (p->worker);
  g_clear_object (&p->worker);
  g_hash_table_replace (self->flashed_at, g_strdup (sf_usb_device_get_id (p->device)),
                        g_memdup2 (&(gint64) { g_get_monotonic_time () }, sizeof (gint64)));

  if (error == NULL) {
    g_autofree char *took = g_strdup_printf (_("Done in %d s: unplug it"),
                                             (int) ((g_get_monotonic_time () - p->started_us) / G_USEC_PER_SEC));

    self->n_done++;
    gtk_progress_bar_set_fraction (p->bar, 1.0);
    gtk_widget_add_css_class (GTK_WIDGET (p->bar), "done");
    set_status (p, "emblem-ok-symbolic", "success", took);
    phone_log (p, took);
  } else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    self->n_failed++;
    gtk_widget_add_css_class (GTK_WIDGET (p->bar), "stopped");
    set_status (p, "process-stop-symbolic", "warning", _("Stopped: flash it again before using it"));
    phone_log (p, _("Stopped"));
  } else {
    g_autofree char *title = NULL;
    g_autofree char *code = NULL;
    g_autofree char *advice = NULL;
    g_autofree char *text = NULL;

    /* The row says it plainly; the whole message is in its tooltip and log. */
    sf_gui_describe_error (error, &title, &code, &advice);
    text = code != NULL ? g_strdup_printf ("%s (%s). %s", title, code, advice)
                        : g_strdup_printf ("%s. %s", title, advice);
    self->n_failed++;
    gtk_widget_add_css_class (GTK_WIDGET (p->bar), "failed");
    set_status (p, "dialog-error-symbolic", "error", text);
    gtk_widget_set_tooltip_text (GTK_WIDGET (p->row), error->message);
    phone_log (p, error->message);
  }
}

static gboolean
on_drain (gpointer user_data)
{
  SfStationView *self = user_data;

  for (guint i = 0; i < self->phones->len; i++) {
    Phone *p = g_ptr_array_index (self->phones, i);
    gboolean dirty = FALSE;
    SfEvent *raw;

    if (p->worker == NULL)
      continue;
    /* Coalesced per phone: only the last numbers of this frame are drawn. */
    while (p->worker != NULL && (raw = g_async_queue_try_pop (sf_worker_get_queue (p->worker))) != NULL) {
      g_autoptr(SfEvent) e = raw;

      switch (e->kind) {
      case SF_EVENT_STAGE:
        adw_action_row_set_subtitle (p->row, e->message);
        phone_log (p, e->message);
        break;
      case SF_EVENT_DEVICE:
        if (e->device != NULL && e->device->chip != NULL) {
          g_free (p->chip);
          p->chip = g_strdup (e->device->chip);
          update_title (p);
        }
        break;
      case SF_EVENT_STEP_BEGIN:
        g_free (p->partition);
        p->partition = g_strdup (e->partition);
        if (p->first_byte_us == 0)
          p->first_byte_us = g_get_monotonic_time ();
        if (e->partition != NULL)
          phone_log (p, e->partition);
        dirty = TRUE;
        break;
      case SF_EVENT_PROGRESS:
        p->done = e->overall_done;
        p->total = e->overall_total;
        dirty = TRUE;
        break;
      case SF_EVENT_LOG:
        phone_log (p, e->message);
        break;
      case SF_EVENT_FINISHED:
        end_phone (self, p, NULL);
        break;
      case SF_EVENT_FAILED:
        end_phone (self, p, e->error);
        break;
      case SF_EVENT_STEP_END:
      default:
        break;
      }
    }
    if (dirty && p->worker != NULL) {
      double fraction = p->total > 0 ? CLAMP ((double) p->done / (double) p->total, 0.0, 1.0) : 0.0;
      gint64 elapsed = p->first_byte_us > 0 ? g_get_monotonic_time () - p->first_byte_us : 0;
      double speed = elapsed > G_USEC_PER_SEC / 2 ? (double) p->done * G_USEC_PER_SEC / (double) elapsed : 0;
      g_autofree char *text = NULL;

      if (speed > 0 && p->total > p->done) {
        g_autofree char *rate = g_format_size ((guint64) speed);
        int left = (int) ((double) (p->total - p->done) / speed + 0.5);

        /* Translators: partition, percent, speed, seconds left: "BOOTIMG — 45 % · 12.3 MB/s · about 8 s left" */
        text = g_strdup_printf (_("%s — %d %% · %s/s · about %d s left"), p->partition != NULL ? p->partition : "",
                                (int) (fraction * 100), rate, MAX (left, 1));
      } else {
        text = g_strdup_printf (_("%s — %d %%"), p->partition != NULL ? p->partition : "", (int) (fraction * 100));
      }

      gtk_progress_bar_set_fraction (p->bar, fraction);
      adw_action_row_set_subtitle (p->row, text);
    }
  }
  update_summary (self);

  if (n_running (self) == 0 && !self->taking) {
    self->drain_id = 0;
    g_signal_emit (self, signals[SIGNAL_FINISHED], 0);
    return G_SOURCE_REMOVE;
  }
  return G_SOURCE_CONTINUE;
}

static Phone *
add_row (SfStationView *self,
         SfUsbDevice   *device)
{
  Phone *p = g_new0 (Phone, 1);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *bar = gtk_progress_bar_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name ("phone-symbolic");

  p->number = self->phones->len + 1;
  p->device = g_object_ref (device);
  p->started_us = g_get_monotonic_time ();
  p->log = g_string_new (NULL);
  p->chip = g_strdup (sf_usb_device_get_chip (device));
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
  gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (bar, 160, -1);
  gtk_image_set_pixel_size (GTK_IMAGE (icon), 24);
  gtk_widget_add_css_class (icon, "result-icon");
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), bar);
  gtk_list_box_append (self->phones_list, row);
  p->row = ADW_ACTION_ROW (row);
  p->bar = GTK_PROGRESS_BAR (bar);
  p->icon = GTK_IMAGE (icon);
  update_title (p);
  phone_log (p, sf_usb_device_get_name (device));
  g_ptr_array_add (self->phones, p);
  return p;
}

void
sf_station_view_add_phone (SfStationView *self,
                           SfUsbDevice   *device)
{
  g_autofree char *name = NULL;
  SfUsbDeviceKind kind;
  SfFlashJob *job;
  gint64 *flashed_at;
  Phone *p;

  g_return_if_fail (SF_IS_STATION_VIEW (self));
  g_return_if_fail (SF_IS_USB_DEVICE (device));

  if (!self->taking)
    return;
  kind = sf_usb_device_get_kind (device);
  if (kind == SF_USB_DEVICE_KIND_ANDROID_POWERED_ON) {
    p = add_row (self, device);
    set_status (p, "dialog-warning-symbolic", "warning",
                _("Running Android: unplug it, switch it off, and plug it in again"));
    return;
  }
  if (!sf_usb_device_kind_is_flashable (kind))
    return;
  flashed_at = g_hash_table_lookup (self->flashed_at, sf_usb_device_get_id (device));
  if (flashed_at != NULL && g_get_monotonic_time () - *flashed_at < SF_DEVICE_MONITOR_REFLASH_GUARD_US)
    return;

  p = add_row (self, device);
  set_status (p, "phone-symbolic", NULL, _("Connecting…"));
  /* The job finds the tty on its own thread, as soon as it is there. */
  job = sf_flash_job_new_for_device (device, self->da);
  sf_flash_job_set_plan (job, self->plan);
  sf_flash_job_set_verify (job, self->verify);
  if (self->backup_dir != NULL)
    sf_flash_job_set_backup_dir (job, self->backup_dir);

  name = g_strdup_printf ("sf-phone-%u", p->number);
  p->worker = sf_worker_new ();
  sf_worker_start (p->worker, name, sf_flash_job_run, job, (GDestroyNotify) sf_flash_job_free);
  if (self->drain_id == 0)
    self->drain_id = g_timeout_add (DRAIN_INTERVAL_MS, on_drain, self);
  update_summary (self);
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
  g_ptr_array_set_size (self->phones, 0);
  while ((row = gtk_list_box_get_row_at_index (self->phones_list, 0)) != NULL)
    gtk_list_box_remove (self->phones_list, GTK_WIDGET (row));
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
  for (guint i = 0; i < self->phones->len; i++) {
    Phone *p = g_ptr_array_index (self->phones, i);

    if (p->worker != NULL)
      sf_worker_cancel (p->worker);
  }
  /* The last drain reports "finished" once every worker has said its last word. */
  if (self->drain_id == 0)
    self->drain_id = g_timeout_add (DRAIN_INTERVAL_MS, on_drain, self);
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
  for (guint i = 0; i < self->phones->len; i++)
    g_string_append (text, ((Phone *) g_ptr_array_index (self->phones, i))->log->str);
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

static void
on_log_saved (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    g_message ("Station log: %s", error->message);
}

static void
on_log_chooser_response (GtkNativeDialog *dialog,
                         int              response,
                         gpointer         user_data)
{
  SfStationView *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT) {
    g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
    char *text = sf_station_view_get_log (self);
    g_autoptr(GBytes) bytes = g_bytes_new_take (text, strlen (text));

    if (file != NULL)
      g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                           NULL, on_log_saved, NULL);
  }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
save_log_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  SfStationView *self = SF_STATION_VIEW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *name = g_date_time_format (now, "scatterflash-station-%Y%m%d-%H%M%S.log");
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Save the Station’s Log"), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_log_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
sf_station_view_dispose (GObject *object)
{
  SfStationView *self = SF_STATION_VIEW (object);

  g_clear_handle_id (&self->drain_id, g_source_remove);
  /* Stops and joins every phone's worker. */
  g_clear_pointer (&self->phones, g_ptr_array_unref);
  /* AdwBin keeps its child past the template's dispose otherwise. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), SF_TYPE_STATION_VIEW);
  g_clear_object (&self->plan);
  g_clear_object (&self->da);
  g_clear_object (&self->backup_dir);
  g_clear_pointer (&self->flashed_at, g_hash_table_unref);

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
  self->phones = g_ptr_array_new_with_free_func ((GDestroyNotify) phone_free);
  self->flashed_at = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

SfStationView *
sf_station_view_new (void)
{
  return g_object_new (SF_TYPE_STATION_VIEW, NULL);
}
