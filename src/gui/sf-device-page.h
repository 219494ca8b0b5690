/* sf-device-page.h — the Phone page: what the connected phone said about itself
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "sf-event.h"

G_BEGIN_DECLS

#define SF_TYPE_DEVICE_PAGE (sf_device_page_get_type ())

G_DECLARE_FINAL_TYPE (SfDevicePage, sf_device_page, SF, DEVICE_PAGE, AdwBin)

SfDevicePage        *sf_device_page_new      (void) G_GNUC_WARN_UNUSED_RESULT;
/* @info: (nullable): NULL when nothing is known yet. Copied. */
void                 sf_device_page_set_info (SfDevicePage       *self,
                                              const SfDeviceInfo *info);
/* (nullable) (transfer none) */
const SfDeviceInfo  *sf_device_page_get_info (SfDevicePage       *self);
/* A job runs: the Identify buttons are insensitive. */
void                 sf_device_page_set_busy (SfDevicePage       *self,
                                              gboolean            busy);

/* Signal "identify" (no arguments, G_SIGNAL_RUN_LAST): the user pressed
 * Identify Phone. The page's action "device.identify" emits it too. */

G_END_DECLS
