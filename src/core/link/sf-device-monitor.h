/* sf-device-monitor.h — phones arriving and leaving: libusb hotplug and virtual phones
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "sf-usb-device.h"

G_BEGIN_DECLS

/* A phone just flashed reboots, and its preloader port comes back on the
 * same socket for a moment: that is not a new phone to flash. Arrivals on
 * a socket this soon after its phone finished are to be let be. */
#define SF_DEVICE_MONITOR_REFLASH_GUARD_US (15 * G_USEC_PER_SEC)

#define SF_TYPE_DEVICE_MONITOR (sf_device_monitor_get_type ())

G_DECLARE_FINAL_TYPE (SfDeviceMonitor, sf_device_monitor, SF, DEVICE_MONITOR, GObject)

/**
 * SfDeviceMonitor:
 *
 * Watches the USB bus for MediaTek phones in download mode (BootROM,
 * preloader, DA) and for phones that are switched on (Android), and
 * optionally a folder where virtual phones announce themselves
 * (`scatterflash-sim --announce DIR`).
 *
 * One thread handles libusb's hotplug events (or, where libusb has no
 * hotplug, polls sysfs); everything the monitor tells its user happens on
 * the #GMainContext that was the thread-default one when it was created:
 * the `device-added` and `device-removed` signals, the list model's
 * `items-changed`, and the devices' `notify::tty-path`. Create it on the
 * GTK main thread and bind a list view to sf_device_monitor_get_devices().
 *
 * Signals:
 * - `device-added (SfUsbDevice *device)`: a phone (or an Android phone to
 *   switch off) arrived; also for each one already there when watching
 *   starts.
 * - `device-removed (SfUsbDevice *device)`: it left.
 */

/* Watches the real /sys and USB bus. */
SfDeviceMonitor  *sf_device_monitor_new               (void) G_GNUC_WARN_UNUSED_RESULT;
/* For tests: a sysfs tree somewhere else is polled instead of asking
 * libusb (which only knows the real bus). */
SfDeviceMonitor  *sf_device_monitor_new_for_sysfs     (const char       *sysfs_root) G_GNUC_WARN_UNUSED_RESULT;

/* Starts watching the USB bus. Fails with %SF_ERROR_UNSUPPORTED when this
 * machine has no USB to watch (no usbfs, no sysfs): virtual phones still
 * work then. Devices already plugged in are announced too. */
gboolean          sf_device_monitor_start             (SfDeviceMonitor  *self,
                                                       GError          **error);
/* Also watches @dir for virtual phones' announce files (NAME.phone, a key
 * file with port=, mode=, chip=, pid=); those already there are announced
 * at once. Call it on the monitor's thread. */
gboolean          sf_device_monitor_add_virtual_dir   (SfDeviceMonitor  *self,
                                                       const char       *dir,
                                                       GError          **error);
/* Stops every watch; also done by dispose. No signal is emitted after it. */
void              sf_device_monitor_stop              (SfDeviceMonitor  *self);

/* (transfer none): the devices there now, a list of #SfUsbDevice in the
 * order they came. */
GListModel       *sf_device_monitor_get_devices       (SfDeviceMonitor  *self);

/* For the CLI, on the monitor's thread: iterates the monitor's main
 * context until a phone that can be flashed (BootROM, preloader, DA or
 * virtual) is there that this function has not returned before, and
 * returns it (the oldest first). @timeout_ms 0 waits forever. Fails with
 * %SF_ERROR_TIMEOUT or %G_IO_ERROR_CANCELLED. Android phones are not
 * returned: connect to `device-added` to tell the user about them. */
SfUsbDevice      *sf_device_monitor_wait_for_phone    (SfDeviceMonitor  *self,
                                                       guint             timeout_ms,
                                                       GCancellable     *cancellable,
                                                       GError          **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
