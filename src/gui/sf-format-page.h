/* sf-format-page.h — the Format page: erase partitions, the whole flash or a range
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "sf-firmware.h"
#include "sf-flash-job.h"

G_BEGIN_DECLS

/* What Format erases; the same choices as `scatterflash-cli format`. */
typedef enum {
  SF_FORMAT_MODE_AUTO,              /* --auto: all but bootloader and calibration */
  SF_FORMAT_MODE_AUTO_CALIBRATION,  /* --auto --include-calibration (backed up first) */
  SF_FORMAT_MODE_WHOLE_FLASH,       /* --whole-flash: USER, BOOT1 and BOOT2 */
  SF_FORMAT_MODE_MANUAL,            /* --region --start --length */
} SfFormatMode;

#define SF_TYPE_FORMAT_PAGE (sf_format_page_get_type ())

G_DECLARE_FINAL_TYPE (SfFormatPage, sf_format_page, SF, FORMAT_PAGE, AdwBin)

SfFormatPage  *sf_format_page_new              (void) G_GNUC_WARN_UNUSED_RESULT;
/* @firmware: (nullable): needed by the two Auto modes. */
void           sf_format_page_set_firmware     (SfFormatPage  *self,
                                                SfFirmware    *firmware);
/* A job runs: the page is insensitive. */
void           sf_format_page_set_busy         (SfFormatPage  *self,
                                                gboolean       busy);
/* Adds this page's work to @job (built by the window with port + DA).
 * FALSE with @error when the mode cannot run (no firmware) or the manual
 * range is not valid (the field shows why, too). */
gboolean       sf_format_page_configure_job    (SfFormatPage  *self,
                                                SfFlashJob    *job,
                                                GError       **error);
/* One line for the job view, e.g. "Erasing EMMC_USER 0x0 + 0x100000". (transfer full) */
char          *sf_format_page_describe         (SfFormatPage  *self) G_GNUC_WARN_UNUSED_RESULT;

SfFormatMode   sf_format_page_get_mode         (SfFormatPage  *self);
void           sf_format_page_set_mode         (SfFormatPage  *self,
                                                SfFormatMode   mode);
/* Fills the manual fields as if typed: @part is SF_EMMC_PART_USER, _BOOT1
 * or _BOOT2; @begin and @length are the texts of the two hex fields. */
void           sf_format_page_set_manual       (SfFormatPage  *self,
                                                guint          part,
                                                const char    *begin,
                                                const char    *length);
/* Why the manual range is not usable, as shown under the fields, or NULL. */
const char    *sf_format_page_get_manual_error (SfFormatPage  *self);

/* Signal "start" (no arguments, G_SIGNAL_RUN_LAST): the user pressed
 * Format (action "format.start") and confirmed the question that says
 * exactly what is erased and whether the calibration is backed up first. */

G_END_DECLS
