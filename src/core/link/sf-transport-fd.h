/* sf-transport-fd.h — a transport over a plain file descriptor (tty or pty)
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sf-transport.h"

G_BEGIN_DECLS

#define SF_TYPE_TRANSPORT_FD (sf_transport_fd_get_type ())

G_DECLARE_FINAL_TYPE (SfTransportFd, sf_transport_fd, SF, TRANSPORT_FD, SfTransport)

/* Opens @path O_RDWR | O_NOCTTY | O_NONBLOCK and puts it in raw mode.
 * Fails with SF_ERROR_COM_PORT_OPEN_FAIL. */
SfTransportFd  *sf_transport_fd_open     (const char  *path,
                                          GError     **error) G_GNUC_WARN_UNUSED_RESULT;
/* Takes over @fd (made non-blocking; raw mode if it is a terminal). */
SfTransportFd  *sf_transport_fd_new      (int          fd,
                                          const char  *name) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
