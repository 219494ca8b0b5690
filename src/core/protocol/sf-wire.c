/* sf-wire.c — host-side byte helpers shared by the BROM and DA sessions
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sf-units.h"
#include "sf-wire.h"

/* Turns a transport failure during @what into the protocol's code: a
 * timeout becomes @code, a cancel or a disconnect stays what it is.
 * Takes @local. */
void
sf_wire_fail_io (const SfWire  *wire,
                 GError       **error,
                 GError        *local,
                 SfError        code,
                 const char    *what)
{
  if (g_error_matches (local, SF_ERROR, SF_ERROR_TIMEOUT)) {
    if (wire->peer == SF_WIRE_PEER_DA)
      sf_set_device_error (error, code, _("no answer from the download agent to %s"), what);
    else
      sf_set_device_error (error, code, _("no answer from the phone to %s"), what);
  } else if (g_error_matches (local, SF_ERROR, SF_ERROR_DISCONNECTED)) {
    sf_set_device_error (error, SF_ERROR_DISCONNECTED,
                         _("%s went away during %s"), sf_transport_get_path (wire->transport), what);
  } else {
    g_propagate_error (error, g_steal_pointer (&local));
  }
  g_clear_error (&local);
}

gboolean
sf_wire_write (const SfWire   *wire,
               const guint8   *buf,
               gsize           len,
               SfError         code,
               const char     *what,
               GCancellable   *cancellable,
               GError        **error)
{
  GError *local = NULL;

  if (!sf_transport_write_all (wire->transport, buf, len, wire->write_timeout_ms, cancellable, &local)) {
    sf_wire_fail_io (wire, error, local, code, what);
    return FALSE;
  }
  return TRUE;
}

gboolean
sf_wire_write_u8 (const SfWire   *wire,
                  guint8          value,
                  SfError         code,
                  const char     *what,
                  GCancellable   *cancellable,
                  GError        **error)
{
  return sf_wire_write (wire, &value, 1, code, what, cancellable, error);
}

gboolean
sf_wire_read (const SfWire   *wire,
              guint8         *buf,
              gsize           len,
              guint           timeout_ms,
              SfError         code,
              const char     *what,
              GCancellable   *cancellable,
              GError        **error)
{
  GError *local = NULL;

  if (!sf_transport_read_exact (wire->transport, buf, len, timeout_ms, cancellable, &local)) {
    sf_wire_fail_io (wire, error, local, code, what);
    return FALSE;
  }
  return TRUE;
}

/* A big-endian number of @n_bytes (at most 4) in the reply timeout. */
gboolean
sf_wire_read_be (const SfWire   *wire,
                 guint           n_bytes,
                 guint32        *out,
                 SfError         code,
                 const char     *what,
                 GCancellable   *cancellable,
                 GError        **error)
{
  guint8 b[4];
  guint32 v = 0;

  g_return_val_if_fail (n_bytes <= sizeof b, FALSE);

  if (!sf_wire_read (wire, b, n_bytes, wire->reply_timeout_ms, code, what, cancellable, error))
    return FALSE;
  for (guint i = 0; i < n_bytes; i++)
    v = (v << 8) | b[i];
  *out = v;
  return TRUE;
}
