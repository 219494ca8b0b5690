/* sf-transport-private.h — what the tty transports share
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "sf-transport.h"

G_BEGIN_DECLS

/* Refuses a @path that cannot be a phone's port (a folder, a regular
 * file) with a message that says what to pass instead; a missing node is
 * left to the open, which says so. */
gboolean  sf_transport_check_node  (const char  *path,
                                    GError     **error);
/* Takes the port open on @fd for this job alone: flock(LOCK_EX) against
 * every other Scatterflash process (root included), TIOCEXCL against
 * other programs that are not root. Fails with %SF_ERROR_PORT_BUSY. */
gboolean  sf_transport_claim_fd    (int          fd,
                                    const char  *path,
                                    GError     **error);
/* Undoes TIOCEXCL before the fd is closed (the flock goes with the fd): a
 * tty that someone else keeps open, like the virtual phone's pty, would
 * otherwise stay exclusive. */
void      sf_transport_release_fd  (int          fd);
/* The error for a port another process holds (@errsv EBUSY from open()). */
void      sf_transport_set_busy    (const char  *path,
                                    GError     **error);

/* The errors every transport gives: the port went away; a write the
 * phone did not take within @timeout_ms. */
void      sf_transport_set_disconnected  (SfTransport  *transport,
                                          const char   *why,
                                          GError      **error);
void      sf_transport_set_write_timeout (GError      **error,
                                          guint         timeout_ms,
                                          gsize         done,
                                          gsize         len);

G_END_DECLS
