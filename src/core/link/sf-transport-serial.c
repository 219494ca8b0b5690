/* sf-transport-serial.c — a transport over a real serial port (libserialport)
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libserialport.h>

#include <glib/gi18n-lib.h>

#include "sf-error.h"
#include "sf-units.h"
#include "sf-transport-private.h"
#include "sf-transport-serial.h"

struct _SfTransportSerial
{
  SfTransport      parent_instance;

  struct sp_port  *port;
  int              fd;      /* the port's, once claimed; -1 before */
};

G_DEFINE_FINAL_TYPE (SfTransportSerial, sf_transport_serial, SF_TYPE_TRANSPORT)

static char *
last_error_message (void)
{
  char *sp_msg = sp_last_error_message ();
  char *msg = g_strdup (sp_msg != NULL ? sp_msg : "?");

  sp_free_error_message (sp_msg);
  return msg;
}

/* A ttyACM node disappears when the phone re-enumerates or is unplugged;
 * libserialport then reports a failure or just silence. */
static void
set_disconnected (SfTransport  *self,
                  GError      **error)
{
  g_autofree char *why = last_error_message ();

  sf_transport_set_disconnected (self, why, error);
}

static gboolean
node_exists (SfTransport *self)
{
  return g_file_test (sf_transport_get_path (self), G_FILE_TEST_EXISTS);
}

static gssize
sf_transport_serial_read (SfTransport   *transport,
                          guint8        *buf,
                          gsize          len,
                          guint          timeout_ms,
                          GCancellable  *cancellable,
                          GError       **error)
{
  SfTransportSerial *self = SF_TRANSPORT_SERIAL (transport);
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;) {
    unsigned slice = MIN (sf_ms_until (deadline), SF_TRANSPORT_POLL_MS);
    enum sp_return r;

    if (g_cancellable_set_error_if_cancelled (cancellable, error))
      return -1;

    /* A timeout of 0 means "wait forever" to sp_blocking_read. */
    if (slice == 0)
      r = sp_nonblocking_read (self->port, buf, len);
    else
      r = sp_blocking_read (self->port, buf, len, slice);

    if (r < 0) {
      set_disconnected (transport, error);
      return -1;
    }
    if (r > 0)
      return r;
    if (g_get_monotonic_time () >= deadline) {
      if (!node_exists (transport)) {
        set_disconnected (transport, error);
        return -1;
      }
      return 0;
    }
  }
}

static gboolean
sf_transport_serial_write_all (SfTransport   *transport,
                               const guint8  *buf,
                               gsize          len,
                               guint          timeout_ms,
                               GCancellable  *cancellable,
                               GError       **error)
{
  SfTransportSerial *self = SF_TRANSPORT_SERIAL (transport);
  gint64 idle_since = g_get_monotonic_time ();
  gsize done = 0;

  while (done < len) {
    enum sp_return r;

    if (g_cancellable_set_error_if_cancelled (cancellable, error))
      return FALSE;

    r = sp_blocking_write (self->port, buf + done, len - done, SF_TRANSPORT_POLL_MS);
    if (r < 0) {
      set_disconnected (transport, error);
      return FALSE;
    }
    if (r > 0) {
      done += (gsize) r;
      idle_since = g_get_monotonic_time ();
      continue;
    }
    if (g_get_monotonic_time () - idle_since >= (gint64) timeout_ms * 1000) {
      if (!node_exists (transport)) {
        set_disconnected (transport, error);
        return FALSE;
      }
      sf_transport_set_write_timeout (error, timeout_ms, done, len);
      return FALSE;
    }
  }
  return TRUE;
}

static gboolean
sf_transport_serial_close (SfTransport  *transport,
                           GError      **error)
{
  SfTransportSerial *self = SF_TRANSPORT_SERIAL (transport);

  if (self->port != NULL) {
    sf_transport_release_fd (self->fd);
    self->fd = -1;
    sp_close (self->port);
    g_clear_pointer (&self->port, sp_free_port);
  }
  return TRUE;
}

static void
sf_transport_serial_class_init (SfTransportSerialClass *klass)
{
  SfTransportClass *transport_class = SF_TRANSPORT_CLASS (klass);

  transport_class->read = sf_transport_serial_read;
  transport_class->write_all = sf_transport_serial_write_all;
  transport_class->close = sf_transport_serial_close;
}

static void
sf_transport_serial_init (SfTransportSerial *self)
{
  self->fd = -1;
}

/**
 * sf_transport_serial_open:
 * @path: a serial device node, e.g. `/dev/ttyACM0`
 * @error: return location for a #GError
 *
 * Takes the port for this process alone (sf_transport_claim_fd()).
 *
 * Returns: (transfer full): the open transport, or %NULL with
 *   %SF_ERROR_COM_PORT_OPEN_FAIL or %SF_ERROR_PORT_BUSY.
 */
SfTransportSerial *
sf_transport_serial_open (const char  *path,
                          GError     **error)
{
  g_autoptr(SfTransportSerial) self = NULL;
  struct sp_port *port = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  /* libserialport says "…: Success" for a folder. */
  if (!sf_transport_check_node (path, error))
    return NULL;
  if (sp_get_port_by_name (path, &port) != SP_OK) {
    g_autofree char *why = last_error_message ();

    sf_set_device_error (error, SF_ERROR_COM_PORT_OPEN_FAIL,
                         _("cannot find the serial port %s: %s"), path, why);
    return NULL;
  }

  self = g_object_new (SF_TYPE_TRANSPORT_SERIAL, "path", path, NULL);
  self->port = port;

  if (sp_open (port, SP_MODE_READ_WRITE) != SP_OK) {
    int code = sp_last_error_code ();
    g_autofree char *why = last_error_message ();

    g_clear_pointer (&self->port, sp_free_port);
    /* TIOCEXCL of another process. */
    if (code == EBUSY)
      sf_transport_set_busy (path, error);
    else
      sf_set_device_error (error, SF_ERROR_COM_PORT_OPEN_FAIL,
                           _("cannot open %s: %s"), path, why);
    return NULL;
  }
  /* Before the line settings: a running job's are not ours to change. */
  if (sp_get_port_handle (port, &self->fd) != SP_OK) {
    self->fd = -1;
  } else if (fcntl (self->fd, F_SETFD, FD_CLOEXEC) != 0) {
    /* Else a program the app starts would hold the port's lock on. */
    g_debug ("%s: FD_CLOEXEC: %s", path, g_strerror (errno));
  }
  if (self->fd >= 0 && !sf_transport_claim_fd (self->fd, path, error)) {
    /* Not released: TIOCEXCL is the running job's. */
    self->fd = -1;
    sp_close (port);
    g_clear_pointer (&self->port, sp_free_port);
    return NULL;
  }

  if (sp_set_baudrate (port, 115200) != SP_OK ||
      sp_set_bits (port, 8) != SP_OK ||
      sp_set_parity (port, SP_PARITY_NONE) != SP_OK ||
      sp_set_stopbits (port, 1) != SP_OK ||
      sp_set_flowcontrol (port, SP_FLOWCONTROL_NONE) != SP_OK) {
    g_autofree char *why = last_error_message ();

    sf_set_device_error (error, SF_ERROR_COM_PORT_OPEN_FAIL,
                         _("cannot set up %s: %s"), path, why);
    return NULL;
  }

  /* The preloader may only talk to a tool that raised DTR
   * (protocol.md §2.0, §10). */
  if (sp_set_dtr (port, SP_DTR_ON) != SP_OK || sp_set_rts (port, SP_RTS_ON) != SP_OK)
    g_debug ("%s: cannot raise DTR/RTS", path);

  g_debug ("opened %s with libserialport", path);
  return g_steal_pointer (&self);
}
