/* sf-usb-device.h — one phone the device monitor sees on the bus
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>


G_BEGIN_DECLS

/* How the phone on a port expects to be greeted (protocol.md §2): told
 * by its USB product ID, or AUTO when a port does not say. */
typedef enum {
  SF_BROM_MODE_AUTO,        /* BootROM handshake; switch to the preloader's on READY */
  SF_BROM_MODE_BROM,        /* USB PID 0003: no pre-handshake */
  SF_BROM_MODE_PRELOADER,   /* USB PID 2000: lone A0 first (§2.0) */
} SfBromMode;

/* protocol.md §1.1 */
#define SF_USB_VID_MEDIATEK      0x0E8D
#define SF_USB_PID_BROM          0x0003
#define SF_USB_PID_PRELOADER     0x2000
#define SF_USB_PID_DA            0x2001
#define SF_USB_VID_GOOGLE        0x18D1

/**
 * SfUsbDeviceKind:
 * @SF_USB_DEVICE_KIND_UNKNOWN: not a phone we can say anything about
 * @SF_USB_DEVICE_KIND_BROM: MediaTek BootROM download mode (0E8D:0003)
 * @SF_USB_DEVICE_KIND_PRELOADER: the preloader's download port (0E8D:2000
 *   and the other preloader ids); there for a few seconds only
 * @SF_USB_DEVICE_KIND_DA: a download agent's high-speed port (0E8D:2001)
 * @SF_USB_DEVICE_KIND_ANDROID_POWERED_ON: a phone running Android (MTP,
 *   PTP, ADB…): it must be switched off before it can be flashed
 * @SF_USB_DEVICE_KIND_VIRTUAL: a virtual phone (`scatterflash-sim
 *   --announce`) on a pseudo-terminal
 */
typedef enum {
  SF_USB_DEVICE_KIND_UNKNOWN,
  SF_USB_DEVICE_KIND_BROM,
  SF_USB_DEVICE_KIND_PRELOADER,
  SF_USB_DEVICE_KIND_DA,
  SF_USB_DEVICE_KIND_ANDROID_POWERED_ON,
  SF_USB_DEVICE_KIND_VIRTUAL,
} SfUsbDeviceKind;

#define SF_TYPE_USB_DEVICE_KIND (sf_usb_device_kind_get_type ())
GType             sf_usb_device_kind_get_type      (void) G_GNUC_CONST;

/* What a VID:PID says on its own (no interface look-up). */
SfUsbDeviceKind   sf_usb_device_kind_from_ids      (guint16          vid,
                                                    guint16          pid);
/* "brom", "preloader", "da", "android", "virtual", "unknown" (not translated). */
const char       *sf_usb_device_kind_to_string     (SfUsbDeviceKind  kind);
/* BootROM, preloader, DA or virtual: a job can be started on it. */
gboolean          sf_usb_device_kind_is_flashable  (SfUsbDeviceKind  kind);

#define SF_TYPE_USB_DEVICE (sf_usb_device_get_type ())

G_DECLARE_FINAL_TYPE (SfUsbDevice, sf_usb_device, SF, USB_DEVICE, GObject)

/* A device on the bus: @port_path is its sysfs name ("1-2.3", bus 1, hub
 * port 2, port 3), which stays the same for a physical socket. */
SfUsbDevice      *sf_usb_device_new                (guint16           vid,
                                                    guint16           pid,
                                                    SfUsbDeviceKind   kind,
                                                    guint8            bus,
                                                    guint8            address,
                                                    const char       *port_path,
                                                    const char       *sysfs_root) G_GNUC_WARN_UNUSED_RESULT;
/* A virtual phone: @id names its announce file, @tty_path is its pty. */
SfUsbDevice      *sf_usb_device_new_virtual        (const char       *id,
                                                    const char       *tty_path,
                                                    SfBromMode        mode,
                                                    const char       *chip) G_GNUC_WARN_UNUSED_RESULT;

guint16           sf_usb_device_get_vendor_id      (SfUsbDevice      *self);
guint16           sf_usb_device_get_product_id     (SfUsbDevice      *self);
SfUsbDeviceKind   sf_usb_device_get_kind           (SfUsbDevice      *self);
/* "1-2.3"; for a virtual phone, its announce file's name. */
const char       *sf_usb_device_get_port_path      (SfUsbDevice      *self);
/* (nullable): /dev/ttyACM0 (once cdc_acm made it), or the pty. */
const char       *sf_usb_device_get_tty_path       (SfUsbDevice      *self);
/* "MediaTek preloader on USB 1-2.3": for a row in a list (translated). */
const char       *sf_usb_device_get_name           (SfUsbDevice      *self);
/* (nullable): the chip a virtual phone says it is. */
const char       *sf_usb_device_get_chip           (SfUsbDevice      *self);
/* The handshake that fits: BROM for 0003, PRELOADER for 2000, else AUTO. */
SfBromMode        sf_usb_device_get_mode           (SfUsbDevice      *self);
/* g_get_monotonic_time() when the monitor saw it arrive. */
gint64            sf_usb_device_get_arrival_time   (SfUsbDevice      *self);
/* A key that names the socket: "usb:1-2.3" or "virtual:NAME". */
const char       *sf_usb_device_get_id             (SfUsbDevice      *self);
/* /dev/bus/usb/BBB/DDD (NULL for a virtual phone). */
char             *sf_usb_device_dup_node_path      (SfUsbDevice      *self) G_GNUC_WARN_UNUSED_RESULT;

/* Updates the tty once cdc_acm has bound (emits notify::tty-path).
 * Main-thread only, like every setter of an object the GUI shows. */
void              sf_usb_device_set_tty_path       (SfUsbDevice      *self,
                                                    const char       *tty_path);

/* Blocking, for a worker thread or the CLI: waits (up to @timeout_ms,
 * polling every few ms) until the phone's port can be opened and returns
 * what to hand to sf_transport_open_port(): its tty when the tty is there
 * and readable and writable by us; else "usb:1-2.3" (the libusb transport)
 * when the raw USB node is usable; else fails with
 * %SF_ERROR_COM_PORT_OPEN_FAIL saying which node we may not open. Reads
 * sysfs itself (never the tty-path property), so it is safe on any thread. */
char             *sf_usb_device_wait_for_port      (SfUsbDevice      *self,
                                                    guint             timeout_ms,
                                                    GCancellable     *cancellable,
                                                    GError          **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
