/* sf-phone-page.h — the Phone page: what the connected phone said about itself
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "sf-event.h"

G_BEGIN_DECLS

#define SF_TYPE_PHONE_PAGE (sf_phone_page_get_type ())

G_DECLARE_FINAL_TYPE (SfPhonePage, sf_phone_page, SF, PHONE_PAGE, AdwBin)

SfPhonePage         *sf_phone_page_new      (void) G_GNUC_WARN_UNUSED_RESULT;
/* @info: (nullable): NULL when nothing is known yet. Copied. */
void                 sf_phone_page_set_info (SfPhonePage        *self,
                                             const SfDeviceInfo *info);
/* (nullable) (transfer none) */
const SfDeviceInfo  *sf_phone_page_get_info (SfPhonePage        *self);
/* A job runs: the Identify buttons are insensitive. */
void                 sf_phone_page_set_busy (SfPhonePage        *self,
                                             gboolean            busy);

/* Signal "identify" (no arguments, G_SIGNAL_RUN_LAST): the user pressed
 * Identify Phone. The page's action "phone.identify" emits it too. */

G_END_DECLS
