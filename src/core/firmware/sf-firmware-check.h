/* sf-firmware-check.h — what every face checks before a firmware is used
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sf-da-file.h"
#include "sf-firmware.h"

G_BEGIN_DECLS

gboolean  sf_firmware_check_load  (SfFirmware  *firmware,
                                   GError     **error);
gboolean  sf_firmware_check_da    (SfFirmware  *firmware,
                                   SfDaFile    *da,
                                   GError     **error);

G_END_DECLS
