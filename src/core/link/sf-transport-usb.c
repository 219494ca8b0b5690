/* sf-transport-usb.c — a transport over the bulk endpoints of the phone's CDC data interface (libusb)
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Used when the phone's tty cannot be used (no cdc_acm, or a tty we may
 * not open while the raw USB node is ours). Each transport has its own
 * libusb context: a job owns its phone from its worker thread, and nothing
 * is shared with other jobs or with the device monitor.
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sf-error.h"
#include "sf-transport-private.h"
#include "sf-units.h"
#include "sf-sysfs.h"
#include "sf-transport-usb.h"

#define USB_CLASS_COMM        0x02
#define USB_CLASS_CDC_DATA    0x0A
/* CDC PSTN requests (protocol.md §1.2): the phone ignores them, the
 * tools send them anyway. */
#define CDC_SET_LINE_CODING        0x20
#define CDC_SET_CONTROL_LINE_STATE 0x22
#define CDC_REQUEST_TYPE           0x21
#define CONTROL_TIMEOUT_MS         500
/* Reads ask for this much at a time (a multiple of every packet size). */
#define RX_BUFFER_SIZE             (64 * 1024)
#define TX_CHUNK_SIZE              (64 * 1024)

struct _SfTransportUsb
{
  SfTransport            parent_instance;

  libusb_context        *usb;
  libusb_device_handle  *handle;
  SfUsbEndpoints         ep;
  gboolean               data_claimed;
  gboolean               control_claimed;

  guint8                *rx;
  gsize                  rx_start;
  gsize                  rx_end;
};

G_DEFINE_FINAL_TYPE (SfTransportUsb, sf_transport_usb, SF_TYPE_TRANSPORT)

/* ---- descriptors ---------------------------------------------------------- */

static gboolean
bulk_pair (const struct libusb_interface_descriptor *alt,
           guint8                                   *in,
           guint8                                   *out,
           guint16                                  *max_packet)
{
  gboolean have_in = FALSE, have_out = FALSE;

  for (int e = 0; e < alt->bNumEndpoints; e++) {
    const struct libusb_endpoint_descriptor *ep = &alt->endpoint[e];

    if ((ep->bmAttributes & LIBUSB_TRANSFER_TYPE_MASK) != LIBUSB_TRANSFER_TYPE_BULK)
      continue;
    if ((ep->bEndpointAddress & LIBUSB_ENDPOINT_DIR_MASK) == LIBUSB_ENDPOINT_IN) {
      if (!have_in) {
        *in = ep->bEndpointAddress;
        *max_packet = ep->wMaxPacketSize;
        have_in = TRUE;
      }
    } else if (!have_out) {
      *out = ep->bEndpointAddress;
      have_out = TRUE;
    }
  }
  return have_in && have_out;
}

gboolean
sf_transport_usb_find_endpoints (const struct libusb_config_descriptor  *config,
                                 SfUsbEndpoints                         *out,
                                 GError                                **error)
{
  SfUsbEndpoints best = { .data_interface = -1, .control_interface = -1 };
  gboolean best_is_cdc = FALSE;

  g_return_val_if_fail (config != NULL && out != NULL, FALSE);

  for (int i = 0; i < config->bNumInterfaces; i++) {
    const struct libusb_interface *intf = &config->interface[i];

    for (int a = 0; a < intf->num_altsetting; a++) {
      const struct libusb_interface_descriptor *alt = &intf->altsetting[a];
      guint8 in = 0, ep_out = 0;
      guint16 max_packet = 0;

      if (alt->bInterfaceClass == USB_CLASS_COMM && best.control_interface < 0)
        best.control_interface = alt->bInterfaceNumber;
      if (!bulk_pair (alt, &in, &ep_out, &max_packet))
        continue;
      /* The CDC data class wins over any other interface with bulk
       * endpoints (mtkclient and bypass pick class 0x0A too). */
      if (best.data_interface < 0 || (!best_is_cdc && alt->bInterfaceClass == USB_CLASS_CDC_DATA)) {
        best.data_interface = alt->bInterfaceNumber;
        best.ep_in = in;
        best.ep_out = ep_out;
        best.max_packet = max_packet;
        best_is_cdc = alt->bInterfaceClass == USB_CLASS_CDC_DATA;
      }
    }
  }

  if (best.data_interface < 0) {
    sf_set_device_error (error, SF_ERROR_COM_PORT_OPEN_FAIL,
                         _("the USB device has no interface with a bulk IN and a bulk OUT endpoint"));
    return FALSE;
  }
  if (best.max_packet == 0)
    best.max_packet = 512;
  *out = best;
  return TRUE;
}

/* ---- I/O ---------------------------------------------------------------------- */

static void
set_usb_error (SfTransport  *transport,
               int           r,
               GError      **error)
{
  if (r == LIBUSB_ERROR_NO_DEVICE || r == LIBUSB_ERROR_IO || r == LIBUSB_ERROR_PIPE)
    sf_transport_set_disconnected (transport, libusb_strerror (r), error);
  else
    sf_set_device_error (error, SF_ERROR_DISCONNECTED, _("USB transfer on %s failed: %s"),
                         sf_transport_get_path (transport), libusb_strerror (r));
}

static gssize
sf_transport_usb_read (SfTransport   *transport,
                       guint8        *buf,
                       gsize          len,
                       guint          timeout_ms,
                       GCancellable  *cancellable,
                       GError       **error)
{
  SfTransportUsb *self = SF_TRANSPORT_USB (transport);
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;) {
    unsigned slice;
    int transferred = 0;
    int r;

    if (self->rx_end > self->rx_start) {
      gsize n = MIN (len, self->rx_end - self->rx_start);

      memcpy (buf, self->rx + self->rx_start, n);
      self->rx_start += n;
      return (gssize) n;
    }
    if (g_cancellable_set_error_if_cancelled (cancellable, error))
      return -1;

    /* libusb takes 0 as "no timeout": wait at least 1 ms. */
    slice = MAX (1u, MIN (sf_ms_until (deadline), SF_TRANSPORT_POLL_MS));
    r = libusb_bulk_transfer (self->handle, self->ep.ep_in, self->rx, RX_BUFFER_SIZE, &transferred, slice);
    if (transferred > 0) {
      self->rx_start = 0;
      self->rx_end = (gsize) transferred;
      continue;
    }
    if (r != LIBUSB_SUCCESS && r != LIBUSB_ERROR_TIMEOUT && r != LIBUSB_ERROR_INTERRUPTED) {
      set_usb_error (transport, r, error);
      return -1;
    }
    if (g_get_monotonic_time () >= deadline)
      return 0;
  }
}

static gboolean
sf_transport_usb_write_all (SfTransport   *transport,
                            const guint8  *buf,
                            gsize          len,
                            guint          timeout_ms,
                            GCancellable  *cancellable,
                            GError       **error)
{
  SfTransportUsb *self = SF_TRANSPORT_USB (transport);
  gint64 idle_since = g_get_monotonic_time ();
  gsize done = 0;

  while (done < len) {
    int chunk = (int) MIN (len - done, (gsize) TX_CHUNK_SIZE);
    int transferred = 0;
    int r;

    if (g_cancellable_set_error_if_cancelled (cancellable, error))
      return FALSE;

    r = libusb_bulk_transfer (self->handle, self->ep.ep_out, (guint8 *) buf + done, chunk,
                              &transferred, SF_TRANSPORT_POLL_MS);
    if (transferred > 0) {
      done += (gsize) transferred;
      idle_since = g_get_monotonic_time ();
    }
    if (r != LIBUSB_SUCCESS && r != LIBUSB_ERROR_TIMEOUT && r != LIBUSB_ERROR_INTERRUPTED) {
      set_usb_error (transport, r, error);
      return FALSE;
    }
    if (transferred == 0 && g_get_monotonic_time () - idle_since >= (gint64) timeout_ms * 1000) {
      sf_transport_set_write_timeout (error, timeout_ms, done, len);
      return FALSE;
    }
  }
  return TRUE;
}

static gboolean
sf_transport_usb_close (SfTransport  *transport,
                        GError      **error)
{
  SfTransportUsb *self = SF_TRANSPORT_USB (transport);

  if (self->handle != NULL) {
    /* Releasing gives the interfaces back to cdc_acm (auto-detach). */
    if (self->data_claimed)
      libusb_release_interface (self->handle, self->ep.data_interface);
    if (self->control_claimed)
      libusb_release_interface (self->handle, self->ep.control_interface);
    self->data_claimed = self->control_claimed = FALSE;
    g_clear_pointer (&self->handle, libusb_close);
  }
  g_clear_pointer (&self->usb, libusb_exit);
  return TRUE;
}

static void
sf_transport_usb_finalize (GObject *object)
{
  SfTransportUsb *self = SF_TRANSPORT_USB (object);

  g_clear_pointer (&self->rx, g_free);

  G_OBJECT_CLASS (sf_transport_usb_parent_class)->finalize (object);
}

static void
sf_transport_usb_class_init (SfTransportUsbClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  SfTransportClass *transport_class = SF_TRANSPORT_CLASS (klass);

  object_class->finalize = sf_transport_usb_finalize;
  transport_class->read = sf_transport_usb_read;
  transport_class->write_all = sf_transport_usb_write_all;
  transport_class->close = sf_transport_usb_close;
}

static void
sf_transport_usb_init (SfTransportUsb *self)
{
  self->rx = g_malloc (RX_BUFFER_SIZE);
  self->ep.data_interface = -1;
  self->ep.control_interface = -1;
}

/* ---- opening ------------------------------------------------------------------- */

static libusb_device *
find_device (libusb_context *usb,
             guint8          bus,
             const guint8   *ports,
             int             n_ports)
{
  libusb_device **list = NULL;
  libusb_device *found = NULL;
  ssize_t n = libusb_get_device_list (usb, &list);

  for (ssize_t i = 0; i < n && found == NULL; i++) {
    guint8 its_ports[8];
    int its_n = libusb_get_port_numbers (list[i], its_ports, sizeof its_ports);

    if (libusb_get_bus_number (list[i]) == bus && its_n == n_ports &&
        memcmp (its_ports, ports, (gsize) n_ports) == 0)
      found = libusb_ref_device (list[i]);
  }
  if (list != NULL)
    libusb_free_device_list (list, 1);
  return found;
}

static void
raise_lines (SfTransportUsb *self)
{
  /* 115200 8N1, little-endian rate (§1.2). */
  guint8 coding[7] = { 0x00, 0xC2, 0x01, 0x00, 0x00, 0x00, 0x08 };
  guint16 index = (guint16) (self->ep.control_interface >= 0 ? self->ep.control_interface : self->ep.data_interface);
  int r;

  r = libusb_control_transfer (self->handle, CDC_REQUEST_TYPE, CDC_SET_LINE_CODING, 0, index,
                               coding, sizeof coding, CONTROL_TIMEOUT_MS);
  if (r < 0)
    g_debug ("%s: SET_LINE_CODING: %s", sf_transport_get_path (SF_TRANSPORT (self)), libusb_strerror (r));
  /* DTR | RTS: the preloader may wait for DTR (§2.0). */
  r = libusb_control_transfer (self->handle, CDC_REQUEST_TYPE, CDC_SET_CONTROL_LINE_STATE, 0x0003, index,
                               NULL, 0, CONTROL_TIMEOUT_MS);
  if (r < 0)
    g_debug ("%s: SET_CONTROL_LINE_STATE: %s", sf_transport_get_path (SF_TRANSPORT (self)), libusb_strerror (r));
}

static gboolean
claim (SfTransportUsb  *self,
       int              interface_number,
       GError         **error)
{
  int r = libusb_claim_interface (self->handle, interface_number);

  /* The claim is what keeps a second job off the phone, as flock() does
   * for a tty. */
  if (r == LIBUSB_ERROR_BUSY) {
    sf_set_device_error (error, SF_ERROR_PORT_BUSY,
                         _("the phone on %s is busy with another Scatterflash job or program"),
                         sf_transport_get_path (SF_TRANSPORT (self)));
    return FALSE;
  }
  if (r != LIBUSB_SUCCESS) {
    sf_set_device_error (error, SF_ERROR_COM_PORT_OPEN_FAIL,
                         _("cannot claim interface %d of %s: %s (is another program using the phone?)"),
                         interface_number, sf_transport_get_path (SF_TRANSPORT (self)), libusb_strerror (r));
    return FALSE;
  }
  return TRUE;
}

SfTransportUsb *
sf_transport_usb_open (const char  *path,
                       GError     **error)
{
  g_autoptr(SfTransportUsb) self = NULL;
  struct libusb_config_descriptor *config = NULL;
  libusb_device *device;
  guint8 bus, ports[8];
  int n_ports;
  int r;

  g_return_val_if_fail (path != NULL, NULL);

  if (!sf_sysfs_parse_port_path (path, &bus, ports, &n_ports)) {
    sf_set_device_error (error, SF_ERROR_COM_PORT_OPEN_FAIL,
                         _("“%s” is not a USB port path like usb:1-2.3"), path);
    return NULL;
  }

  self = g_object_new (SF_TYPE_TRANSPORT_USB, "path", path, NULL);
  r = libusb_init (&self->usb);
  if (r != LIBUSB_SUCCESS) {
    self->usb = NULL;
    sf_set_device_error (error, SF_ERROR_COM_PORT_OPEN_FAIL, _("libusb cannot start: %s"), libusb_strerror (r));
    return NULL;
  }

  device = find_device (self->usb, bus, ports, n_ports);
  if (device == NULL) {
    sf_set_device_error (error, SF_ERROR_COM_PORT_OPEN_FAIL, _("no USB device at %s"), path);
    return NULL;
  }
  r = libusb_get_active_config_descriptor (device, &config);
  if (r == LIBUSB_SUCCESS) {
    gboolean found = sf_transport_usb_find_endpoints (config, &self->ep, error);

    libusb_free_config_descriptor (config);
    if (!found) {
      libusb_unref_device (device);
      return NULL;
    }
    r = libusb_open (device, &self->handle);
  }
  libusb_unref_device (device);
  if (r != LIBUSB_SUCCESS) {
    self->handle = NULL;
    sf_set_device_error (error, SF_ERROR_COM_PORT_OPEN_FAIL, _("cannot open the USB device %s: %s%s"),
                         path, libusb_strerror (r),
                         r == LIBUSB_ERROR_ACCESS ? _(" (install the udev rule: scatterflash-cli devices says how)") : "");
    return NULL;
  }

  /* Takes the interfaces from cdc_acm while we hold them. */
  r = libusb_set_auto_detach_kernel_driver (self->handle, 1);
  if (r != LIBUSB_SUCCESS)
    g_debug ("%s: no automatic kernel driver detach: %s", path, libusb_strerror (r));
  if (self->ep.control_interface >= 0 && self->ep.control_interface != self->ep.data_interface) {
    g_autoptr(GError) local = NULL;

    /* Not needed for the bytes; only so cdc_acm lets go of the port. */
    if (claim (self, self->ep.control_interface, &local))
      self->control_claimed = TRUE;
    else
      g_debug ("%s", local->message);
  }
  if (!claim (self, self->ep.data_interface, error))
    return NULL;
  self->data_claimed = TRUE;
  raise_lines (self);

  g_debug ("opened %s with libusb: interface %d, IN 0x%02x, OUT 0x%02x, %u-byte packets",
           path, self->ep.data_interface, self->ep.ep_in, self->ep.ep_out, self->ep.max_packet);
  return g_steal_pointer (&self);
}
