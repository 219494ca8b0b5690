/* sf-transport.c — the base of every byte pipe to a phone
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "sf-error.h"
#include "sf-units.h"
#include "sf-transport.h"
#include "sf-transport-fd.h"
#include "sf-transport-private.h"
#include "sf-transport-serial.h"
#include "sf-transport-usb.h"

typedef struct
{
  char                 *path;
  gboolean              closed;
  SfTransportTraceFunc  trace;
  gpointer              trace_data;
} SfTransportPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (SfTransport, sf_transport, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PATH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
sf_transport_dispose (GObject *object)
{
  SfTransport *self = SF_TRANSPORT (object);
  SfTransportPrivate *priv = sf_transport_get_instance_private (self);

  if (!priv->closed) {
    g_autoptr(GError) error = NULL;

    if (!sf_transport_close (self, &error))
      g_debug ("closing %s: %s", priv->path, error->message);
  }

  G_OBJECT_CLASS (sf_transport_parent_class)->dispose (object);
}

static void
sf_transport_finalize (GObject *object)
{
  SfTransport *self = SF_TRANSPORT (object);
  SfTransportPrivate *priv = sf_transport_get_instance_private (self);

  g_clear_pointer (&priv->path, g_free);

  G_OBJECT_CLASS (sf_transport_parent_class)->finalize (object);
}

static void
sf_transport_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  SfTransport *self = SF_TRANSPORT (object);
  SfTransportPrivate *priv = sf_transport_get_instance_private (self);

  switch (prop_id) {
  case PROP_PATH:
    g_value_set_string (value, priv->path);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
sf_transport_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  SfTransport *self = SF_TRANSPORT (object);
  SfTransportPrivate *priv = sf_transport_get_instance_private (self);

  switch (prop_id) {
  case PROP_PATH:
    g_free (priv->path);
    priv->path = g_value_dup_string (value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
sf_transport_class_init (SfTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sf_transport_dispose;
  object_class->finalize = sf_transport_finalize;
  object_class->get_property = sf_transport_get_property;
  object_class->set_property = sf_transport_set_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sf_transport_init (SfTransport *self)
{
}

gboolean
sf_transport_check_node (const char  *path,
                         GError     **error)
{
  struct stat st;

  if (stat (path, &st) != 0)
    return TRUE;
  if (S_ISDIR (st.st_mode)) {
    sf_set_device_error (error, SF_ERROR_COM_PORT_OPEN_FAIL,
                         _("%s is a folder, not a phone's port — pass the tty, e.g. /dev/ttyACM0"), path);
    return FALSE;
  }
  if (!S_ISCHR (st.st_mode)) {
    sf_set_device_error (error, SF_ERROR_COM_PORT_OPEN_FAIL,
                         _("%s is not a serial port — pass the phone's tty, e.g. /dev/ttyACM0"), path);
    return FALSE;
  }
  return TRUE;
}

void
sf_transport_set_busy (const char  *path,
                       GError     **error)
{
  sf_set_device_error (error, SF_ERROR_PORT_BUSY,
                       _("the phone on %s is busy with another Scatterflash job"), path);
}

/* Two jobs on one port interleave their bytes: the running one then fails
 * halfway with a misleading error (a "worn-out" eMMC). flock() holds
 * between Scatterflash processes even for root, TIOCEXCL keeps out other
 * programs (but not root's). */
gboolean
sf_transport_claim_fd (int          fd,
                       const char  *path,
                       GError     **error)
{
  if (flock (fd, LOCK_EX | LOCK_NB) != 0) {
    int errsv = errno;

    if (errsv == EWOULDBLOCK) {
      sf_transport_set_busy (path, error);
      return FALSE;
    }
    /* A file system without locks: go on, as before. */
    g_debug ("%s: flock: %s", path, g_strerror (errsv));
  }
#ifdef TIOCEXCL
  if (isatty (fd) && ioctl (fd, TIOCEXCL) != 0)
    g_debug ("%s: TIOCEXCL: %s", path, g_strerror (errno));
#endif
  return TRUE;
}

void
sf_transport_release_fd (int fd)
{
#ifdef TIOCNXCL
  if (fd >= 0 && isatty (fd) && ioctl (fd, TIOCNXCL) != 0)
    g_debug ("TIOCNXCL: %s", g_strerror (errno));
#endif
}

/**
 * sf_transport_open_port:
 * @path: a device node: `/dev/ttyACM0`, or the virtual phone's `/dev/pts/N`,
 *   or `usb:BUS-PORT.PORT` (e.g. `usb:1-2.3`) for the raw USB device
 * @error: return location for a #GError
 *
 * Opens @path with the transport that suits it: a pseudo-terminal (the
 * virtual phone) as a plain fd, `usb:` paths through libusb (the CDC data
 * interface's bulk endpoints, cdc_acm detached), anything else through
 * libserialport.
 *
 * The port is this process's alone while the transport is open: a second
 * job on the same port fails at once with %SF_ERROR_PORT_BUSY, and the
 * running one goes on untouched.
 *
 * Returns: (transfer full): the open transport, or %NULL with
 *   %SF_ERROR_COM_PORT_OPEN_FAIL or %SF_ERROR_PORT_BUSY.
 */
SfTransport *
sf_transport_open_port (const char  *path,
                        GError     **error)
{
  g_return_val_if_fail (path != NULL, NULL);

  if (g_str_has_prefix (path, "/dev/pts/"))
    return SF_TRANSPORT (sf_transport_fd_open (path, error));
  if (g_str_has_prefix (path, "usb:"))
    return SF_TRANSPORT (sf_transport_usb_open (path, error));
  return SF_TRANSPORT (sf_transport_serial_open (path, error));
}

/**
 * sf_transport_get_path:
 *
 * Returns: the device node this transport was opened on.
 */
const char *
sf_transport_get_path (SfTransport *self)
{
  SfTransportPrivate *priv;

  g_return_val_if_fail (SF_IS_TRANSPORT (self), NULL);

  priv = sf_transport_get_instance_private (self);
  return priv->path != NULL ? priv->path : "";
}

void
sf_transport_set_trace (SfTransport          *self,
                        SfTransportTraceFunc  func,
                        gpointer              user_data)
{
  SfTransportPrivate *priv;

  g_return_if_fail (SF_IS_TRANSPORT (self));

  priv = sf_transport_get_instance_private (self);
  priv->trace = func;
  priv->trace_data = user_data;
}

static gboolean
check_open (SfTransport  *self,
            GError      **error)
{
  SfTransportPrivate *priv = sf_transport_get_instance_private (self);

  if (priv->closed) {
    sf_set_device_error (error, SF_ERROR_DISCONNECTED,
                         _("the connection to %s is already closed"), priv->path);
    return FALSE;
  }
  return TRUE;
}

/**
 * sf_transport_read:
 * @self: a #SfTransport
 * @buf: (out caller-allocates): where the bytes go
 * @len: at most this many bytes
 * @timeout_ms: how long to wait for the first byte (0: only what is there)
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: the number of bytes read, 0 when none came in time, -1 on error.
 */
gssize
sf_transport_read (SfTransport   *self,
                   guint8        *buf,
                   gsize          len,
                   guint          timeout_ms,
                   GCancellable  *cancellable,
                   GError       **error)
{
  SfTransportPrivate *priv;
  gssize n;

  g_return_val_if_fail (SF_IS_TRANSPORT (self), -1);
  g_return_val_if_fail (buf != NULL || len == 0, -1);

  priv = sf_transport_get_instance_private (self);
  if (!check_open (self, error))
    return -1;
  if (len == 0)
    return 0;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;

  n = SF_TRANSPORT_GET_CLASS (self)->read (self, buf, len, timeout_ms, cancellable, error);
  if (n > 0 && priv->trace != NULL)
    priv->trace (self, FALSE, buf, (gsize) n, priv->trace_data);
  return n;
}

/**
 * sf_transport_read_exact:
 * @timeout_ms: how long the phone may stay silent before this gives up
 *   (a gap between two bytes, not the time for all of @len)
 *
 * Reads exactly @len bytes. Fails with %SF_ERROR_TIMEOUT,
 * %SF_ERROR_DISCONNECTED or %G_IO_ERROR_CANCELLED.
 */
gboolean
sf_transport_read_exact (SfTransport   *self,
                         guint8        *buf,
                         gsize          len,
                         guint          timeout_ms,
                         GCancellable  *cancellable,
                         GError       **error)
{
  gsize done = 0;

  while (done < len) {
    gssize n = sf_transport_read (self, buf + done, len - done, timeout_ms, cancellable, error);

    if (n < 0)
      return FALSE;
    if (n == 0) {
      sf_set_device_error (error, SF_ERROR_TIMEOUT,
                           _("no answer from the phone within %u ms (%" "zu" " of %" "zu" " bytes came)"),
                           timeout_ms, done, len);
      return FALSE;
    }
    done += (gsize) n;
  }
  return TRUE;
}

gboolean
sf_transport_read_byte (SfTransport   *self,
                        guint8        *out_byte,
                        guint          timeout_ms,
                        GCancellable  *cancellable,
                        GError       **error)
{
  return sf_transport_read_exact (self, out_byte, 1, timeout_ms, cancellable, error);
}

/**
 * sf_transport_write_all:
 * @timeout_ms: how long the phone may take no bytes before this gives up
 *
 * Writes all of @buf.
 */
gboolean
sf_transport_write_all (SfTransport   *self,
                        const guint8  *buf,
                        gsize          len,
                        guint          timeout_ms,
                        GCancellable  *cancellable,
                        GError       **error)
{
  SfTransportPrivate *priv;

  g_return_val_if_fail (SF_IS_TRANSPORT (self), FALSE);
  g_return_val_if_fail (buf != NULL || len == 0, FALSE);

  priv = sf_transport_get_instance_private (self);
  if (!check_open (self, error))
    return FALSE;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (len == 0)
    return TRUE;

  if (priv->trace != NULL)
    priv->trace (self, TRUE, buf, len, priv->trace_data);
  return SF_TRANSPORT_GET_CLASS (self)->write_all (self, buf, len, timeout_ms, cancellable, error);
}

/**
 * sf_transport_drain:
 * @ms: for how long to read and throw away what comes in (0: only what is
 *   there already)
 * @out_drained: (out) (optional): how many bytes were thrown away
 *
 * Discards input, such as the preloader's `READY` strings (protocol.md
 * §2.0).
 */
gboolean
sf_transport_drain (SfTransport   *self,
                    guint          ms,
                    gsize         *out_drained,
                    GCancellable  *cancellable,
                    GError       **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) ms * 1000;
  gsize total = 0;
  guint8 buf[256];

  for (;;) {
    guint wait = sf_ms_until (deadline);
    gssize n = sf_transport_read (self, buf, sizeof buf, wait, cancellable, error);

    if (n < 0)
      return FALSE;
    total += (gsize) n;
    if (n == 0 && wait == 0)
      break;
    if (n == 0 && g_get_monotonic_time () >= deadline)
      break;
  }

  if (total > 0)
    g_debug ("%s: drained %" "zu" " bytes", sf_transport_get_path (self), total);
  if (out_drained != NULL)
    *out_drained = total;
  return TRUE;
}

/**
 * sf_transport_close:
 *
 * Releases the port. Later reads and writes fail with
 * %SF_ERROR_DISCONNECTED. Closing twice does nothing.
 */
gboolean
sf_transport_close (SfTransport  *self,
                    GError      **error)
{
  SfTransportPrivate *priv;

  g_return_val_if_fail (SF_IS_TRANSPORT (self), FALSE);

  priv = sf_transport_get_instance_private (self);
  if (priv->closed)
    return TRUE;
  priv->closed = TRUE;
  return SF_TRANSPORT_GET_CLASS (self)->close (self, error);
}

void
sf_transport_set_disconnected (SfTransport  *transport,
                          const char   *why,
                          GError      **error)
{
  sf_set_device_error (error, SF_ERROR_DISCONNECTED,
                       _("%s went away (%s)"), sf_transport_get_path (transport), why);
}

void
sf_transport_set_write_timeout (GError **error,
                           guint    timeout_ms,
                           gsize    done,
                           gsize    len)
{
  sf_set_device_error (error, SF_ERROR_TIMEOUT,
                       _("the phone took no data for %u ms (%" "zu" " of %" "zu" " bytes sent)"),
                       timeout_ms, done, len);
}
