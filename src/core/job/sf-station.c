/* sf-station.c — several phones at once: one worker per phone, as they arrive
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The command line's `download --watch` and the window's station view each
 * had their own copy of this, and their rules had drifted apart (one
 * skipped a busy socket, the other did not; one guarded only phones that
 * succeeded). This is the one copy. */

#include "config.h"

#include "sf-station.h"

typedef struct {
  SfStationPhone  pub;          /* first: the faces see only this */
  SfWorker       *worker;       /* NULL once it ended */
} Phone;

struct _SfStation {
  GObject           parent_instance;

  SfStationJobFunc  make_job;
  gpointer          make_job_data;
  GDestroyNotify    make_job_destroy;
  guint             limit;
  gboolean          stopped;
  guint             taken;

  SfDeviceMonitor  *monitor;
  GPtrArray        *phones;      /* (element-type Phone) */
  GHashTable       *finished_at; /* device id → gint64* when its job ended */
  guint             drain_id;
  gboolean          idle_said;
};

enum {
  SIGNAL_PHONE_ADDED,
  SIGNAL_PHONE_REFUSED,
  SIGNAL_PHONE_EVENT,
  SIGNAL_PHONE_CHANGED,
  SIGNAL_PHONE_FINISHED,
  SIGNAL_PHONE_LEFT,
  SIGNAL_IDLE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SfStation, sf_station, G_TYPE_OBJECT)

static void
phone_free (Phone *p)
{
  if (p->worker != NULL) {
    sf_worker_cancel (p->worker);
    sf_worker_join (p->worker);
  }
  g_clear_object (&p->worker);
  g_clear_object (&p->pub.device);
  g_clear_object (&p->pub.progress);
  g_free (p);
}

static void
sf_station_dispose (GObject *object)
{
  SfStation *self = SF_STATION (object);

  g_clear_handle_id (&self->drain_id, g_source_remove);
  if (self->monitor != NULL) {
    g_signal_handlers_disconnect_by_data (self->monitor, self);
    g_clear_object (&self->monitor);
  }
  /* Workers are cancelled and joined: nothing runs after the station. */
  if (self->phones != NULL)
    g_ptr_array_set_size (self->phones, 0);

  G_OBJECT_CLASS (sf_station_parent_class)->dispose (object);
}

static void
sf_station_finalize (GObject *object)
{
  SfStation *self = SF_STATION (object);

  g_ptr_array_unref (self->phones);
  g_hash_table_unref (self->finished_at);
  if (self->make_job_destroy != NULL)
    self->make_job_destroy (self->make_job_data);

  G_OBJECT_CLASS (sf_station_parent_class)->finalize (object);
}

static void
sf_station_class_init (SfStationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sf_station_dispose;
  object_class->finalize = sf_station_finalize;

  /* (SfStationPhone *) a phone was taken and its job started. */
  signals[SIGNAL_PHONE_ADDED] =
    g_signal_new ("phone-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_POINTER);
  /* (SfUsbDevice *, SfStationRefusal) a phone that arrived and is not taken. */
  signals[SIGNAL_PHONE_REFUSED] =
    g_signal_new ("phone-refused", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, SF_TYPE_USB_DEVICE, G_TYPE_UINT);
  /* (SfStationPhone *, const SfEvent *) each event, once folded. */
  signals[SIGNAL_PHONE_EVENT] =
    g_signal_new ("phone-event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_POINTER, G_TYPE_POINTER);
  /* (SfStationPhone *) its figures changed: at most once a drain. */
  signals[SIGNAL_PHONE_CHANGED] =
    g_signal_new ("phone-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_POINTER);
  /* (SfStationPhone *) its job ended: its progress has the result. */
  signals[SIGNAL_PHONE_FINISHED] =
    g_signal_new ("phone-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_POINTER);
  /* (SfStationPhone *) it was unplugged. */
  signals[SIGNAL_PHONE_LEFT] =
    g_signal_new ("phone-left", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_POINTER);
  /* The station takes no more phones and none runs. */
  signals[SIGNAL_IDLE] =
    g_signal_new ("idle", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
sf_station_init (SfStation *self)
{
  self->phones = g_ptr_array_new_with_free_func ((GDestroyNotify) phone_free);
  self->finished_at = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

SfStation *
sf_station_new (SfStationJobFunc make_job,
                gpointer         user_data,
                GDestroyNotify   destroy)
{
  SfStation *self;

  g_return_val_if_fail (make_job != NULL, NULL);

  self = g_object_new (SF_TYPE_STATION, NULL);
  self->make_job = make_job;
  self->make_job_data = user_data;
  self->make_job_destroy = destroy;
  return self;
}

void
sf_station_set_limit (SfStation *self,
                      guint      count)
{
  g_return_if_fail (SF_IS_STATION (self));
  self->limit = count;
}

gboolean
sf_station_is_closed (SfStation *self)
{
  g_return_val_if_fail (SF_IS_STATION (self), TRUE);
  return self->stopped || (self->limit > 0 && self->taken >= self->limit);
}

guint
sf_station_get_n_running (SfStation *self)
{
  guint n = 0;

  g_return_val_if_fail (SF_IS_STATION (self), 0);
  for (guint i = 0; i < self->phones->len; i++)
    n += ((Phone *) g_ptr_array_index (self->phones, i))->worker != NULL;
  return n;
}

guint
sf_station_get_n_phones (SfStation *self)
{
  g_return_val_if_fail (SF_IS_STATION (self), 0);
  return self->phones->len;
}

SfStationPhone *
sf_station_get_phone (SfStation *self,
                      guint      index)
{
  g_return_val_if_fail (SF_IS_STATION (self), NULL);
  g_return_val_if_fail (index < self->phones->len, NULL);
  return &((Phone *) g_ptr_array_index (self->phones, index))->pub;
}

static void
say_idle_if_so (SfStation *self)
{
  if (!self->idle_said && sf_station_is_closed (self) && sf_station_get_n_running (self) == 0) {
    self->idle_said = TRUE;
    g_signal_emit (self, signals[SIGNAL_IDLE], 0);
  }
}

static Phone *
running_on (SfStation  *self,
            const char *id)
{
  for (guint i = 0; i < self->phones->len; i++) {
    Phone *p = g_ptr_array_index (self->phones, i);

    if (p->worker != NULL && g_strcmp0 (sf_usb_device_get_id (p->pub.device), id) == 0)
      return p;
  }
  return NULL;
}

static void
phone_ended (SfStation *self,
             Phone     *p)
{
  gint64 *at = g_new (gint64, 1);

  sf_worker_join (p->worker);
  g_clear_object (&p->worker);
  *at = g_get_monotonic_time ();
  g_hash_table_replace (self->finished_at, g_strdup (sf_usb_device_get_id (p->pub.device)), at);
  g_signal_emit (self, signals[SIGNAL_PHONE_FINISHED], 0, &p->pub);
}

static gboolean
on_drain (gpointer user_data)
{
  SfStation *self = user_data;

  /* Phones may be added by a signal handler: index, never iterate. */
  for (guint i = 0; i < self->phones->len; i++) {
    Phone *p = g_ptr_array_index (self->phones, i);
    gboolean changed = FALSE;
    SfEvent *raw;

    while (p->worker != NULL && (raw = g_async_queue_try_pop (sf_worker_get_queue (p->worker))) != NULL) {
      g_autoptr(SfEvent) e = raw;

      sf_job_progress_add_event (p->pub.progress, e);
      g_signal_emit (self, signals[SIGNAL_PHONE_EVENT], 0, &p->pub, e);
      changed = TRUE;
      if (e->kind == SF_EVENT_FINISHED || e->kind == SF_EVENT_FAILED)
        phone_ended (self, p);
    }
    /* Drawn once a drain, however many events came. */
    if (changed)
      g_signal_emit (self, signals[SIGNAL_PHONE_CHANGED], 0, &p->pub);
  }

  say_idle_if_so (self);
  if (sf_station_get_n_running (self) == 0) {
    self->drain_id = 0;
    return G_SOURCE_REMOVE;
  }
  return G_SOURCE_CONTINUE;
}

void
sf_station_add_device (SfStation   *self,
                       SfUsbDevice *device)
{
  SfUsbDeviceKind kind;
  const char *id;
  gint64 *finished;
  SfFlashJob *job;
  g_autofree char *name = NULL;
  Phone *p;

  g_return_if_fail (SF_IS_STATION (self));
  g_return_if_fail (SF_IS_USB_DEVICE (device));

  if (sf_station_is_closed (self))
    return;
  kind = sf_usb_device_get_kind (device);
  id = sf_usb_device_get_id (device);
  if (kind == SF_USB_DEVICE_KIND_ANDROID_POWERED_ON) {
    g_signal_emit (self, signals[SIGNAL_PHONE_REFUSED], 0, device, (guint) SF_STATION_REFUSED_POWERED_ON);
    return;
  }
  if (!sf_usb_device_kind_is_flashable (kind))
    return;
  /* The same socket is still busy: its phone re-enumerated mid-job. */
  if (running_on (self, id) != NULL)
    return;
  finished = g_hash_table_lookup (self->finished_at, id);
  if (finished != NULL && kind != SF_USB_DEVICE_KIND_VIRTUAL &&
      g_get_monotonic_time () - *finished < SF_DEVICE_MONITOR_REFLASH_GUARD_US) {
    g_signal_emit (self, signals[SIGNAL_PHONE_REFUSED], 0, device, (guint) SF_STATION_REFUSED_JUST_FLASHED);
    return;
  }

  job = self->make_job (device, self->make_job_data);
  if (job == NULL)
    return;
  p = g_new0 (Phone, 1);
  p->pub.number = self->phones->len + 1;
  p->pub.device = g_object_ref (device);
  p->pub.progress = sf_job_progress_new ();
  p->pub.present = TRUE;
  p->pub.started_us = g_get_monotonic_time ();
  p->worker = sf_worker_new ();
  g_ptr_array_add (self->phones, p);
  self->taken++;
  self->idle_said = FALSE;

  g_signal_emit (self, signals[SIGNAL_PHONE_ADDED], 0, &p->pub);
  name = g_strdup_printf ("sf-phone-%u", p->pub.number);
  sf_worker_start (p->worker, name, sf_flash_job_run, job, (GDestroyNotify) sf_flash_job_free);
  if (self->drain_id == 0)
    self->drain_id = g_timeout_add (SF_STATION_DRAIN_MS, on_drain, self);
}

void
sf_station_remove_device (SfStation   *self,
                          SfUsbDevice *device)
{
  const char *id;

  g_return_if_fail (SF_IS_STATION (self));
  g_return_if_fail (SF_IS_USB_DEVICE (device));

  id = sf_usb_device_get_id (device);
  for (guint i = 0; i < self->phones->len; i++) {
    Phone *p = g_ptr_array_index (self->phones, i);

    /* A job still running notices the disconnect by itself. */
    if (p->pub.present && g_strcmp0 (sf_usb_device_get_id (p->pub.device), id) == 0) {
      p->pub.present = FALSE;
      g_signal_emit (self, signals[SIGNAL_PHONE_LEFT], 0, &p->pub);
    }
  }
}

static void
on_device_added (SfDeviceMonitor *monitor,
                 SfUsbDevice     *device,
                 gpointer         user_data)
{
  sf_station_add_device (SF_STATION (user_data), device);
}

static void
on_device_removed (SfDeviceMonitor *monitor,
                   SfUsbDevice     *device,
                   gpointer         user_data)
{
  sf_station_remove_device (SF_STATION (user_data), device);
}

void
sf_station_watch (SfStation       *self,
                  SfDeviceMonitor *monitor)
{
  GListModel *devices;

  g_return_if_fail (SF_IS_STATION (self));
  g_return_if_fail (SF_IS_DEVICE_MONITOR (monitor));
  g_return_if_fail (self->monitor == NULL);

  self->monitor = g_object_ref (monitor);
  g_signal_connect (monitor, "device-added", G_CALLBACK (on_device_added), self);
  g_signal_connect (monitor, "device-removed", G_CALLBACK (on_device_removed), self);
  /* Phones plugged in before the station started are taken too. */
  devices = sf_device_monitor_get_devices (monitor);
  for (guint i = 0; i < g_list_model_get_n_items (devices); i++) {
    g_autoptr(SfUsbDevice) device = g_list_model_get_item (devices, i);

    sf_station_add_device (self, device);
  }
}

void
sf_station_stop (SfStation *self)
{
  g_return_if_fail (SF_IS_STATION (self));

  self->stopped = TRUE;
  for (guint i = 0; i < self->phones->len; i++) {
    Phone *p = g_ptr_array_index (self->phones, i);

    if (p->worker != NULL)
      sf_worker_cancel (p->worker);
  }
  /* With nothing running, there is no drain to say so. */
  say_idle_if_so (self);
}
