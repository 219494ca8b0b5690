/* sf-wire.h — host-side byte helpers shared by the BROM and DA sessions
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Host only: the virtual phone (src/sim) keeps its own, so that a bug here
 * cannot hide behind the same bug on the other end of the wire.
 */

#pragma once

#include <gio/gio.h>

#include "sf-error.h"
#include "sf-transport.h"

G_BEGIN_DECLS

/* Who answers on the other end, for the "no answer from …" message. */
typedef enum {
  SF_WIRE_PEER_PHONE,
  SF_WIRE_PEER_DA,
} SfWirePeer;

/* A session's end of the link: the transport (owned by the session) and
 * the timeouts its writes and fixed-size replies use. */
typedef struct {
  SfTransport  *transport;
  SfWirePeer    peer;
  guint         write_timeout_ms;
  guint         reply_timeout_ms;
} SfWire;

static inline guint16
sf_wire_be16 (const guint8 *p)
{
  return (guint16) ((p[0] << 8) | p[1]);
}

static inline guint32
sf_wire_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static inline guint64
sf_wire_be64 (const guint8 *p)
{
  return ((guint64) sf_wire_be32 (p) << 32) | sf_wire_be32 (p + 4);
}

static inline void
sf_wire_put_be32 (guint8  *p,
                  guint32  v)
{
  p[0] = v >> 24;
  p[1] = v >> 16;
  p[2] = v >> 8;
  p[3] = v;
}

static inline void
sf_wire_put_be64 (guint8  *p,
                  guint64  v)
{
  sf_wire_put_be32 (p, (guint32) (v >> 32));
  sf_wire_put_be32 (p + 4, (guint32) v);
}


void      sf_wire_fail_io            (const SfWire   *wire,
                                      GError        **error,
                                      GError         *local,
                                      SfError         code,
                                      const char     *what);
gboolean  sf_wire_write              (const SfWire   *wire,
                                      const guint8   *buf,
                                      gsize           len,
                                      SfError         code,
                                      const char     *what,
                                      GCancellable   *cancellable,
                                      GError        **error);
gboolean  sf_wire_write_u8           (const SfWire   *wire,
                                      guint8          value,
                                      SfError         code,
                                      const char     *what,
                                      GCancellable   *cancellable,
                                      GError        **error);
gboolean  sf_wire_read               (const SfWire   *wire,
                                      guint8         *buf,
                                      gsize           len,
                                      guint           timeout_ms,
                                      SfError         code,
                                      const char     *what,
                                      GCancellable   *cancellable,
                                      GError        **error);
gboolean  sf_wire_read_be            (const SfWire   *wire,
                                      guint           n_bytes,
                                      guint32        *out,
                                      SfError         code,
                                      const char     *what,
                                      GCancellable   *cancellable,
                                      GError        **error);

G_END_DECLS
