/* sf-transport-usb.h — a transport over the bulk endpoints of the phone's CDC data interface (libusb)
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libusb.h>

#include "sf-transport.h"

G_BEGIN_DECLS

#define SF_TYPE_TRANSPORT_USB (sf_transport_usb_get_type ())

G_DECLARE_FINAL_TYPE (SfTransportUsb, sf_transport_usb, SF, TRANSPORT_USB, SfTransport)

/* Where the protocol bytes go (protocol.md §1.2). */
typedef struct {
  int      data_interface;     /* bInterfaceClass 0x0A */
  int      control_interface;  /* bInterfaceClass 0x02, or -1 */
  guint8   ep_in;              /* bulk IN of the data interface */
  guint8   ep_out;             /* bulk OUT of the data interface */
  guint16  max_packet;         /* wMaxPacketSize of ep_in */
} SfUsbEndpoints;

/* Picks the CDC data interface (class 0x0A; else the first interface with
 * a bulk IN and a bulk OUT endpoint) and its endpoints from @config, and
 * the communications interface (class 0x02) when there is one. Fails with
 * %SF_ERROR_COM_PORT_OPEN_FAIL when no interface has a bulk pair. */
gboolean         sf_transport_usb_find_endpoints (const struct libusb_config_descriptor  *config,
                                                  SfUsbEndpoints                         *out,
                                                  GError                                **error);

/* Opens "usb:1-2.3" (bus 1, ports 2.3): claims the data interface (and the
 * communications one), letting libusb detach cdc_acm while we hold them,
 * raises DTR/RTS. Fails with %SF_ERROR_COM_PORT_OPEN_FAIL (no such device,
 * no permission, claimed by someone else). */
SfTransportUsb  *sf_transport_usb_open           (const char   *path,
                                                  GError      **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
