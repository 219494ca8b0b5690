/* sf-transport.h — a byte pipe to a phone: tty, pty or USB
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Every blocking call wakes at least this often to look at its
 * GCancellable. */
#define SF_TRANSPORT_POLL_MS 100

#define SF_TYPE_TRANSPORT (sf_transport_get_type ())

G_DECLARE_DERIVABLE_TYPE (SfTransport, sf_transport, SF, TRANSPORT, GObject)

/**
 * SfTransportClass:
 * @read: reads up to @len bytes, waiting at most @timeout_ms for the first
 *   one. Returns the number read (> 0), 0 when nothing came in time, or -1
 *   with @error set (%SF_ERROR_DISCONNECTED when the phone went away,
 *   %G_IO_ERROR_CANCELLED). Must look at @cancellable at least every
 *   %SF_TRANSPORT_POLL_MS.
 * @write_all: writes all @len bytes, failing with %SF_ERROR_TIMEOUT when the
 *   phone takes none of them for @timeout_ms.
 * @close: releases the port; called at most once, also from dispose.
 */
struct _SfTransportClass
{
  GObjectClass parent_class;

  gssize    (*read)      (SfTransport   *self,
                          guint8        *buf,
                          gsize          len,
                          guint          timeout_ms,
                          GCancellable  *cancellable,
                          GError       **error);
  gboolean  (*write_all) (SfTransport   *self,
                          const guint8  *buf,
                          gsize          len,
                          guint          timeout_ms,
                          GCancellable  *cancellable,
                          GError       **error);
  gboolean  (*close)     (SfTransport   *self,
                          GError       **error);

  /*< private >*/
  gpointer padding[8];
};

SfTransport  *sf_transport_open_port   (const char    *path,
                                        GError       **error) G_GNUC_WARN_UNUSED_RESULT;

const char   *sf_transport_get_path    (SfTransport   *self);

gssize        sf_transport_read        (SfTransport   *self,
                                        guint8        *buf,
                                        gsize          len,
                                        guint          timeout_ms,
                                        GCancellable  *cancellable,
                                        GError       **error);
gboolean      sf_transport_read_exact  (SfTransport   *self,
                                        guint8        *buf,
                                        gsize          len,
                                        guint          timeout_ms,
                                        GCancellable  *cancellable,
                                        GError       **error);
gboolean      sf_transport_read_byte   (SfTransport   *self,
                                        guint8        *out_byte,
                                        guint          timeout_ms,
                                        GCancellable  *cancellable,
                                        GError       **error);
gboolean      sf_transport_write_all   (SfTransport   *self,
                                        const guint8  *buf,
                                        gsize          len,
                                        guint          timeout_ms,
                                        GCancellable  *cancellable,
                                        GError       **error);
gboolean      sf_transport_drain       (SfTransport   *self,
                                        guint          ms,
                                        gsize         *out_drained,
                                        GCancellable  *cancellable,
                                        GError       **error);
gboolean      sf_transport_close       (SfTransport   *self,
                                        GError       **error);

/* Observes what went over the wire, for logs and tests: @to_device is TRUE
 * for bytes written. Called from the thread doing the I/O. */
typedef void (*SfTransportTraceFunc) (SfTransport   *transport,
                                      gboolean       to_device,
                                      const guint8  *data,
                                      gsize          len,
                                      gpointer       user_data);
void          sf_transport_set_trace   (SfTransport          *self,
                                        SfTransportTraceFunc  func,
                                        gpointer              user_data);

G_END_DECLS
