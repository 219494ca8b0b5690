/* sf-station-view.c — several phones at once: one row, one worker per phone
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "sf-device-monitor.h"
#include "sf-error.h"
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
    set_status (p, "emblem-ok-symbolic", "success", took);
  } else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    self->n_failed++;
    set_status (p, "process-stop-symbolic", "warning", _("Stopped: flash it again before using it"));
  } else {
    self->n_failed++;
    set_status (p, "dialog-error-symbolic", "error", error->message);
    gtk_widget_set_tooltip_text (GTK_WIDGET (p->row), error->message);
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
        break;
      case SF_EVENT_DEVICE:
        if (e->device != NULL && e->device->chip != NULL) {
          g_autofree char *title = g_strdup_printf (_("#%u %s (%s)"), p->number,
                                                    sf_usb_device_get_name (p->device), e->device->chip);

          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (p->row), title);
        }
        break;
      case SF_EVENT_STEP_BEGIN:
        g_free (p->partition);
        p->partition = g_strdup (e->partition);
        dirty = TRUE;
        break;
      case SF_EVENT_PROGRESS:
        p->done = e->overall_done;
        p->total = e->overall_total;
        dirty = TRUE;
        break;
      case SF_EVENT_FINISHED:
        end_phone (self, p, NULL);
        break;
      case SF_EVENT_FAILED:
        end_phone (self, p, e->error);
        break;
      case SF_EVENT_LOG:
      case SF_EVENT_STEP_END:
      default:
        break;
      }
    }
    if (dirty && p->worker != NULL) {
      double fraction = p->total > 0 ? CLAMP ((double) p->done / (double) p->total, 0.0, 1.0) : 0.0;
      g_autofree char *text = g_strdup_printf (_("%s — %d %%"), p->partition != NULL ? p->partition : "",
                                               (int) (fraction * 100));

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
  g_autofree char *title = NULL;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *bar = gtk_progress_bar_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name ("phone-symbolic");

  p->number = self->phones->len + 1;
  p->device = g_object_ref (device);
  p->started_us = g_get_monotonic_time ();
  title = g_strdup_printf (_("#%u %s"), p->number, sf_usb_device_get_name (device));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
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
