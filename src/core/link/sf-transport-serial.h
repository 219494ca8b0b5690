/* sf-transport-serial.h — a transport over a real serial port (libserialport)
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sf-transport.h"

G_BEGIN_DECLS

#define SF_TYPE_TRANSPORT_SERIAL (sf_transport_serial_get_type ())

G_DECLARE_FINAL_TYPE (SfTransportSerial, sf_transport_serial, SF, TRANSPORT_SERIAL, SfTransport)

/* Opens a CDC-ACM node such as /dev/ttyACM0: 115200 8N1 (the rate means
 * nothing on USB), no flow control, DTR and RTS on. Fails with
 * SF_ERROR_COM_PORT_OPEN_FAIL. */
SfTransportSerial  *sf_transport_serial_open (const char  *path,
                                              GError     **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
