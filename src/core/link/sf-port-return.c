/* sf-port-return.c — following a phone that leaves the bus and comes back
 * (protocol.md §13.8)
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "sf-port-return.h"

/* What is remembered: the last arrivals, for a minute. A phone comes back
 * within seconds of leaving. */
#define MAX_ARRIVALS   64
#define KEEP_US        (60 * G_USEC_PER_SEC)

typedef struct {
  SfUsbDevice *device;
  char        *id;        /* "usb:1-2.3" or "virtual:NAME": the socket */
  char        *tty_path;  /* NULL until known */
  gint64       noted_us;  /* when it arrived */
} Arrival;

static GMutex lock;
static GPtrArray *arrivals;   /* (element-type Arrival), oldest first; under lock */

static void
arrival_free (Arrival *a)
{
  g_clear_object (&a->device);
  g_free (a->id);
  g_free (a->tty_path);
  g_free (a);
}

void
sf_port_return_note_device (SfUsbDevice *device,
                            const char  *tty_path)
{
  gint64 now = g_get_monotonic_time ();
  Arrival *a = NULL;

  g_return_if_fail (SF_IS_USB_DEVICE (device));

  g_mutex_lock (&lock);
  if (arrivals == NULL)
    arrivals = g_ptr_array_new_with_free_func ((GDestroyNotify) arrival_free);
  for (guint i = 0; i < arrivals->len && a == NULL; i++) {
    if (((Arrival *) g_ptr_array_index (arrivals, i))->device == device)
      a = g_ptr_array_index (arrivals, i);
  }
  if (a == NULL) {
    while (arrivals->len > 0 &&
           (arrivals->len >= MAX_ARRIVALS ||
            now - ((Arrival *) g_ptr_array_index (arrivals, 0))->noted_us > KEEP_US))
      g_ptr_array_remove_index (arrivals, 0);
    a = g_new0 (Arrival, 1);
    a->device = g_object_ref (device);
    a->id = g_strdup (sf_usb_device_get_id (device));
    a->noted_us = now;
    g_ptr_array_add (arrivals, a);
  }
  if (tty_path != NULL && g_strcmp0 (a->tty_path, tty_path) != 0) {
    g_free (a->tty_path);
    a->tty_path = g_strdup (tty_path);
  }
  g_mutex_unlock (&lock);
}

SfUsbDevice *
sf_port_return_find (const char *old_path,
                     gint64      since_us)
{
  const char *id = NULL;
  SfUsbDevice *found = NULL;

  g_return_val_if_fail (old_path != NULL, NULL);

  g_mutex_lock (&lock);
  /* Which socket the phone was on: the newest arrival that had this tty
   * (a job opened by path knows no more than the path). */
  for (guint i = arrivals != NULL ? arrivals->len : 0; i > 0 && id == NULL; i--) {
    Arrival *a = g_ptr_array_index (arrivals, i - 1);

    if (g_strcmp0 (a->tty_path, old_path) == 0 || g_strcmp0 (a->id, old_path) == 0)
      id = a->id;
  }
  for (guint i = id != NULL ? arrivals->len : 0; i > 0 && found == NULL; i--) {
    Arrival *a = g_ptr_array_index (arrivals, i - 1);
    SfUsbDeviceKind kind = sf_usb_device_get_kind (a->device);

    if (a->noted_us >= since_us && g_strcmp0 (a->id, id) == 0 &&
        (kind == SF_USB_DEVICE_KIND_DA || kind == SF_USB_DEVICE_KIND_VIRTUAL))
      found = g_object_ref (a->device);
  }
  g_mutex_unlock (&lock);
  return found;
}

SfTransport *
sf_port_return_open (const char  *old_path,
                     gint64       since_us,
                     char       **out_path,
                     GError     **error)
{
  g_autoptr(SfUsbDevice) device = sf_port_return_find (old_path, since_us);
  g_autofree char *path = NULL;
  SfTransport *transport;

  g_return_val_if_fail (old_path != NULL, NULL);

  /* The monitor saw it come back: its port once it can be opened (the
   * tty appears a moment after the device); not yet, then not the old
   * path either, which is gone. */
  if (device != NULL) {
    path = sf_usb_device_wait_for_port (device, 0, NULL, error);
    if (path == NULL)
      return NULL;
  } else {
    path = g_strdup (old_path);
  }
  transport = sf_transport_open_port (path, error);
  if (transport != NULL && out_path != NULL)
    *out_path = g_steal_pointer (&path);
  return transport;
}
