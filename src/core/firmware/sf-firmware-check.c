/* sf-firmware-check.c — what every face checks before a firmware is used
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sf-chip.h"
#include "sf-error.h"
#include "sf-firmware-check.h"

/**
 * sf_firmware_check_load:
 * @firmware: a firmware just opened
 * @error: return location for a #GError
 *
 * The check `scatterflash-cli` makes before it prints, plans or flashes a
 * firmware, and the app makes when it opens one: the scatter file must not
 * contradict itself (partitions that overlap, addresses out of order,
 * impossible sizes, a name twice, bootloaders that disagree). Images are
 * checked per scene by sf_plan_new().
 *
 * Returns: %FALSE with @error set to the first contradiction, which names
 *   the file and line.
 */
gboolean
sf_firmware_check_load (SfFirmware  *firmware,
                        GError     **error)
{
  g_return_val_if_fail (SF_IS_FIRMWARE (firmware), FALSE);

  return sf_scatter_check (sf_firmware_get_scatter (firmware), error);
}

/**
 * sf_firmware_check_da:
 * @firmware: (nullable): the open firmware
 * @da: the download agent a job would use
 * @error: return location for a #GError
 *
 * Whether @da has an entry for the chip the firmware's scatter names: the
 * check SP Flash Tool makes only once the phone answers, made before
 * anything starts. A firmware whose platform is not a known chip passes.
 *
 * Returns: %FALSE with %SF_ERROR_DA_NO_ENTRY naming the DA file and the chip.
 */
gboolean
sf_firmware_check_da (SfFirmware  *firmware,
                      SfDaFile    *da,
                      GError     **error)
{
  const char *platform;
  const SfChip *chip;

  g_return_val_if_fail (SF_IS_DA_FILE (da), FALSE);

  if (firmware == NULL)
    return TRUE;
  platform = sf_scatter_get_platform (sf_firmware_get_scatter (firmware));
  chip = platform != NULL ? sf_chip_find_by_name (platform) : NULL;
  if (chip == NULL)
    return TRUE;
  for (guint i = 0; i < sf_da_file_get_n_entries (da); i++) {
    if (sf_da_file_get_entry (da, i)->hw_code == chip->da_code)
      return TRUE;
  }
  sf_set_error_at (error, SF_ERROR_DA_NO_ENTRY, sf_da_file_get_display_name (da), 0,
                   _("choose the DA file that came with the firmware, or one made for this chip"),
                   _("this download agent has no entry for %s"), chip->name);
  return FALSE;
}
