/* sf-port-return.h — following a phone that leaves the bus and comes back
 * (protocol.md §13.8)
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sf-transport.h"
#include "sf-usb-device.h"

G_BEGIN_DECLS

/* After the DA's switch to USB high speed the phone drops off the bus and
 * enumerates again as the DA's port (0e8d:2001). Its tty may keep its
 * name, or get another one (ttyACM0 still held, a virtual phone on a new
 * pty). Every SfDeviceMonitor in the process notes here what arrived on
 * which socket and with which tty, so that a job on any thread can find
 * the phone again without owning the monitor. */

/* Called by the monitor (any thread) when @device arrived, and again once
 * its tty is known (@tty_path, nullable). */
void          sf_port_return_note_device  (SfUsbDevice  *device,
                                           const char   *tty_path);

/* (nullable): the phone that the monitor saw arrive, at or after
 * @since_us (g_get_monotonic_time()), on the socket of the phone that was
 * on @old_path — a DA port or a virtual phone, not a BootROM or a
 * preloader, which would mean the phone started over. Thread-safe. */
SfUsbDevice  *sf_port_return_find         (const char   *old_path,
                                           gint64        since_us) G_GNUC_WARN_UNUSED_RESULT;

/* One try at opening the phone that was on @old_path and left the bus at
 * @since_us: its new port when the monitor saw it come back (once that
 * port can be opened), else @old_path again. @out_path (optional) gets
 * the path opened. NULL with the reason when neither opens yet. */
SfTransport  *sf_port_return_open         (const char   *old_path,
                                           gint64        since_us,
                                           char        **out_path,
                                           GError      **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
