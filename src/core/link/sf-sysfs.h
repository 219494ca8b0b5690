/* sf-sysfs.h — what Linux's sysfs says about USB devices and their ttys
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every function takes the sysfs root ("/sys" on a real system) so that
 * tests can hand it a tree they built.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SF_SYSFS_DEFAULT_ROOT "/sys"

/* One USB device, as ROOT/bus/usb/devices/PORT_PATH describes it. */
typedef struct {
  char     *port_path;   /* "1-2.3" */
  guint16   vid;
  guint16   pid;
  guint8    bus;         /* busnum */
  guint8    address;     /* devnum */
} SfSysfsUsbDevice;

void                sf_sysfs_usb_device_free      (SfSysfsUsbDevice  *device);

/* "1-2.3" from bus 1 and ports {2, 3}: the kernel's name for the device. */
char               *sf_sysfs_port_path            (guint8             bus,
                                                   const guint8      *ports,
                                                   int                n_ports) G_GNUC_WARN_UNUSED_RESULT;
/* Splits "1-2.3" (an optional "usb:" in front) into bus 1 and ports {2, 3}
 * (at most 7). FALSE when it is not such a name. */
gboolean            sf_sysfs_parse_port_path      (const char        *text,
                                                   guint8            *out_bus,
                                                   guint8            *out_ports,
                                                   int               *out_n_ports);

/* Reads idVendor, idProduct, busnum and devnum of @port_path; NULL with
 * @error when the device is not there (or has gone). */
SfSysfsUsbDevice   *sf_sysfs_read_usb_device      (const char        *sysfs_root,
                                                   const char        *port_path,
                                                   GError           **error) G_GNUC_WARN_UNUSED_RESULT;
/* Every USB device (not root hubs' interfaces): (element-type SfSysfsUsbDevice). */
GPtrArray          *sf_sysfs_list_usb_devices     (const char        *sysfs_root) G_GNUC_WARN_UNUSED_RESULT;
/* The port path of the device at @bus / @address, or NULL. */
char               *sf_sysfs_find_port_path       (const char        *sysfs_root,
                                                   guint8             bus,
                                                   guint8             address) G_GNUC_WARN_UNUSED_RESULT;

/* The tty name ("ttyACM0") that a driver made for one of @port_path's
 * interfaces (ROOT/bus/usb/devices/1-2/1-2:1.1/tty/ttyACM0, or the old
 * tty:ttyACM0 link), or NULL when there is none (yet). */
char               *sf_sysfs_find_tty             (const char        *sysfs_root,
                                                   const char        *port_path) G_GNUC_WARN_UNUSED_RESULT;
/* TRUE when one of the interfaces is ADB, fastboot, MTP or PTP: a phone
 * that runs Android (or its bootloader), not one in download mode. */
gboolean            sf_sysfs_has_android_interface (const char       *sysfs_root,
                                                    const char       *port_path);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SfSysfsUsbDevice, sf_sysfs_usb_device_free)

G_END_DECLS
