/* sf-phone-chooser.h — which phone a job talks to: the next one plugged
 * in, or one the device monitor lists
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "sf-usb-device.h"

G_BEGIN_DECLS

#define SF_TYPE_PHONE_CHOOSER (sf_phone_chooser_get_type ())

G_DECLARE_FINAL_TYPE (SfPhoneChooser, sf_phone_chooser, SF, PHONE_CHOOSER, AdwComboRow)

/**
 * SfPhoneChooser:
 *
 * The "Phone" row that every page's job goes by: "Wait for the next phone"
 * (the default: the job starts when a phone is plugged in), or one of the
 * phones the device monitor lists, named by where it is plugged in and
 * what it is ("Preloader · USB port 1-2 · MT6572"), never by its tty,
 * which changes with every replug. A chosen phone that leaves makes the
 * row wait for the next one again, so that a job never goes to another
 * phone by itself. Property "device" (SfUsbDevice, NULL: wait).
 */
SfPhoneChooser *sf_phone_chooser_new         (void) G_GNUC_WARN_UNUSED_RESULT;
/* @devices: (nullable): the phones to offer, a list of SfUsbDevice
 * (sf_device_monitor_get_devices()). */
void            sf_phone_chooser_set_devices (SfPhoneChooser *self,
                                              GListModel     *devices);
/* (transfer none) (nullable): the chosen phone; NULL: wait for the next. */
SfUsbDevice    *sf_phone_chooser_get_device  (SfPhoneChooser *self);
/* @device: (nullable): one of the devices offered; NULL: wait. */
void            sf_phone_chooser_set_device  (SfPhoneChooser *self,
                                              SfUsbDevice    *device);
/* How the app names @device: mode, USB port path and chip. (transfer full) */
char           *sf_phone_chooser_describe    (SfUsbDevice    *device) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
