/* sf-error.c
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sf-error.h"

G_DEFINE_QUARK (sf-error-quark, sf_error)

/* The device and protocol codes: SP Flash Tool's name and number (primary
 * numbering, protocol.md §9.2, recounted from mtk_status.h), what the
 * failure means, and the fix users report (scenes.md §6). */
typedef struct {
  SfError      code;
  const char  *name;
  guint        number;
  const char  *summary;
  const char  *advice;
} DeviceError;

static const DeviceError device_errors[] = {
  { SF_ERROR_COM_PORT_OPEN_FAIL, "S_COM_PORT_OPEN_FAIL", 1013,
    N_("the serial port of the phone could not be opened"),
    N_("check that you may use the port (the udev rule, or the dialout group), stop ModemManager, or try another USB port or cable") },
  { SF_ERROR_TIMEOUT, "S_TIMEOUT", 1042,
    N_("the phone stopped answering"),
    N_("try another USB cable or port (no hub), and stop ModemManager") },
  { SF_ERROR_DISCONNECTED, "SF_DEVICE_DISCONNECTED", 0,
    N_("the phone disconnected"),
    N_("keep the cable still, try another USB port or cable (no hub), check the battery, and start again") },
  { SF_ERROR_NOT_IN_DOWNLOAD_MODE, "SF_PHONE_NOT_IN_DOWNLOAD_MODE", 0,
    N_("the phone is switched on, not in download mode"),
    N_("power the phone off, unplug it, and plug it in again while holding volume-down") },
  { SF_ERROR_BROM_DOWNLOAD_DA_FAIL, "S_BROM_DOWNLOAD_DA_FAIL", 2004,
    N_("sending the download agent to the phone failed"),
    N_("keep the battery in and charged, try another cable or port, and use the DA file made for this chip") },
  { SF_ERROR_BROM_STARTCMD_FAIL, "S_BROM_CMD_STARTCMD_FAIL", 2005,
    N_("the phone did not answer the BootROM handshake"),
    N_("power the phone off completely, start the download, then plug it in (hold volume-down, or take the battery out and in)") },
  { SF_ERROR_BROM_STARTCMD_TIMEOUT, "S_BROM_CMD_STARTCMD_TIMEOUT", 2006,
    N_("the BootROM handshake did not finish in time"),
    N_("power the phone off completely, start the download, then plug it in (hold volume-down, or take the battery out and in)") },
  { SF_ERROR_BROM_WRITE32_FAIL, "S_BROM_CMD_WRITE32_MEM_FAIL", 2013,
    N_("the phone refused a memory write"),
    N_("reconnect the phone and start again") },
  { SF_ERROR_BROM_HW_VER_INCORRECT, "S_BROM_BBCHIP_HW_VER_INCORRECT", 2021,
    N_("this chip is not supported"),
    N_("Scatterflash only flashes MediaTek chips with the legacy download agent (MT6572, MT6582, MT6580, MT6592, MT6735)") },
  { SF_ERROR_BROM_GET_HW_VER_FAIL, "S_BROM_FAIL_TO_GET_BBCHIP_HW_VER", 2022,
    N_("the phone did not say which chip it has"),
    N_("reconnect the phone: power it off completely, start the download again, then plug it in") },
  { SF_ERROR_BROM_SEND_DA_FAIL, "S_BROM_CMD_SEND_DA_FAIL", 2033,
    N_("the phone refused the download agent"),
    N_("use the DA file made for this chip; a secured phone needs its vendor's DA and auth file") },
  { SF_ERROR_BROM_SEND_DA_CHKSUM_DIFF, "S_BROM_CMD_SEND_DA_CHKSUM_DIFF", 2034,
    N_("the download agent arrived damaged"),
    N_("try another USB cable or port (no hub), keep the battery in, and start again") },
  { SF_ERROR_BROM_JUMP_DA_FAIL, "S_BROM_CMD_JUMP_DA_FAIL", 2035,
    N_("the phone would not start the download agent"),
    N_("use the DA file made for this chip, reconnect and start again") },
  { SF_ERROR_BROM_SET_WATCHDOG_FAIL, "S_BROM_SET_WATCHDOG_FAIL", 2045,
    N_("the phone's watchdog could not be turned off"),
    N_("reconnect the phone and start again; check that the firmware is for this chip") },
  { SF_ERROR_DA_INVALID_RANGE, "S_DA_INVALID_RANGE", 3040,
    N_("the data does not fit where it should go on the phone's storage"),
    N_("use the firmware made for this phone: its partition table does not match this phone's storage") },
  { SF_ERROR_DA_EMMC_NOT_FOUND, "S_DA_EMMC_FLASH_NOT_FOUND", 3149,
    N_("the phone reported no eMMC storage"),
    N_("use a scatter file for this phone's storage type (eMMC or NAND)") },
  { SF_ERROR_DA_SDMMC_READ_FAILED, "S_DA_SDMMC_READ_FAILED", 3153,
    N_("reading the phone's eMMC failed"),
    N_("try another cable or PC; the eMMC may be worn out") },
  { SF_ERROR_DA_SDMMC_WRITE_FAILED, "S_DA_SDMMC_WRITE_FAILED", 3154,
    N_("writing to the phone's eMMC failed"),
    N_("format, then download again, or try another cable or PC; the eMMC may be worn out") },
  { SF_ERROR_CHIP_TYPE_NOT_MATCH, "S_CHIP_TYPE_NOT_MATCH", 3184,
    N_("the firmware is for another chip"),
    N_("use the firmware made for this phone") },
  { SF_ERROR_FT_DA_NO_RESPONSE, "S_FT_DA_NO_RESPONSE", 4001,
    N_("the download agent stopped answering"),
    N_("stop ModemManager, try another USB port or cable, keep the battery in") },
  { SF_ERROR_FT_DA_SYNC_INCORRECT, "S_FT_DA_SYNC_INCORRECT", 4002,
    N_("the download agent did not start properly"),
    N_("use the DA file made for this chip, reconnect and start again") },
  { SF_ERROR_FT_DA_INIT_SYNC_ERROR, "S_FT_DA_INIT_SYNC_ERROR", 4004,
    N_("setting up the download agent failed"),
    N_("use the DA file made for this chip, reconnect and start again") },
  { SF_ERROR_FT_DOWNLOAD_FAIL, "S_FT_DOWNLOAD_FAIL", 4008,
    N_("writing to the phone failed"),
    N_("take the battery out and in, try another cable or PC, or format first") },
  { SF_ERROR_FT_READBACK_FAIL, "S_FT_READBACK_FAIL", 4009,
    N_("reading from the phone failed"),
    N_("check there is free disk space for the output, try another cable or port") },
  { SF_ERROR_FT_FORMAT_FAIL, "S_FT_FORMAT_FAIL", 4010,
    N_("erasing the phone's storage failed"),
    N_("check the format range, or use automatic format") },
  { SF_ERROR_FT_FINISH_CMD_FAIL, "S_FT_FINISH_CMD_FAIL", 4011,
    N_("the phone did not accept the final command"),
    N_("the data is written; unplug the phone and switch it on") },
  { SF_ERROR_FT_ENABLE_DRAM_FAIL, "S_FT_ENABLE_DRAM_FAIL", 4032,
    N_("the download agent could not bring up the phone's RAM"),
    N_("connect through the preloader (plug in the switched-off phone without holding any key), and use firmware made for this board") },
  { SF_ERROR_SECURITY_SLA_FAIL, "S_SECURITY_SLA_FAIL", 6004,
    N_("the phone is secured and needs an authenticated download agent"),
    N_("this phone needs its vendor's DA and auth file, which Scatterflash does not support") },
  { SF_ERROR_VERIFY_MISMATCH, "SF_VERIFY_MISMATCH", 0,
    N_("what was read back differs from what was written"),
    N_("try another cable and USB port; if it happens again at the same place, the phone's storage may be failing") },
  { SF_ERROR_PRELOADER_MISMATCH, "SF_PRELOADER_BOARD_MISMATCH", 0,
    N_("the firmware's preloader is built for another board than the phone's"),
    N_("writing it would most likely leave the phone dead: use the firmware made for this phone's board; "
       "if you are sure, run again with --force-preloader (the phone's own preloader is kept in the backup folder)") },
  { SF_ERROR_OUTPUT_EXISTS, "SF_OUTPUT_EXISTS", 0,
    N_("the output file already exists"),
    N_("choose another name, or pass --force to replace it") },
  /* scatter-format.md §7: SP Flash Tool's "PMT changed for the ROM; it must
   * be downloaded", which users know as 8038. */
  { SF_ERROR_ROM_MUST_ENABLE, "ERROR_ROM_MUST_ENABLE", 8038,
    N_("PMT changed for the ROM: the phone's partition layout differs from the scatter file's"),
    N_("nothing was written; use Firmware Upgrade (keeps the calibration) or Format All + Download "
       "(--scene firmware-upgrade or --scene format-all-download)") },
  { SF_ERROR_DATA_LOST, "ERROR_DATA_LOST", 0,
    N_("a partition that must be kept has another size in the new layout, so its data would be lost"),
    N_("nothing was written; back the partition up and use Format All + Download, or use the firmware made for this layout") },
  { SF_ERROR_PMT_INVALID, "SF_PMT_INVALID", 0,
    N_("the phone's partition table (PMT) cannot be read"),
    N_("Format All + Download writes a new one") },
  /* Two jobs on one port mix their bytes, and the one that was running
   * then fails with what looks like a worn-out eMMC: the second is
   * refused before it sends anything. */
  { SF_ERROR_PORT_BUSY, "SF_PORT_BUSY", 0,
    N_("the phone's port is in use by another Scatterflash job"),
    N_("wait for it to finish") },
  { SF_ERROR_OUTPUT_NOT_FILE, "SF_OUTPUT_NOT_FILE", 0,
    N_("the output is not a regular file"),
    N_("choose a file name for the output") },
  { SF_ERROR_FT_DA_VERSION_INCORRECT, "S_FT_DA_VERSION_INCORRECT", 4003,
    N_("this download agent does not take the setup Scatterflash sends"),
    N_("use SP Flash Tool's standard MTK_AllInOne_DA.bin for this chip") },
  { SF_ERROR_DL_GET_DRAM_SETTING_FAIL, "S_DL_GET_DRAM_SETTING_FAIL", 5054,
    N_("the preloader the DRAM settings come from does not know this phone's memory chip — writing it would leave the phone dead"),
    N_("nothing was sent or written; use the firmware made for this phone's board, or take the DRAM settings "
       "from a preloader that knows it (a backup of the phone's own) with --emi-from FILE") },
  { SF_ERROR_SEC_DOWNLOAD_FORBIDDEN, "S_SECURITY_SF_CODE_DOWNLOAD_FORBIDDEN", 6011,
    N_("this download agent enforces secure download and refused to write"),
    N_("use SP Flash Tool's standard MTK_AllInOne_DA.bin") },
  { SF_ERROR_SEC_READBACK_FORBIDDEN, "S_SECURITY_SF_CODE_READBACK_FORBIDDEN", 6012,
    N_("this download agent enforces secure download and refused to read"),
    N_("use SP Flash Tool's standard MTK_AllInOne_DA.bin") },
  { SF_ERROR_SEC_FORMAT_FORBIDDEN, "S_SECURITY_SF_CODE_FORMAT_FORBIDDEN", 6013,
    N_("this download agent enforces secure download and refused to erase"),
    N_("use SP Flash Tool's standard MTK_AllInOne_DA.bin") },
  { SF_ERROR_USB_SPEED_SWITCH, "SF_USB_SPEED_SWITCH_FAIL", 0,
    N_("the phone did not come back after switching to USB high speed"),
    N_("unplug the phone, plug it into a USB port on the computer itself (no hub), and start again") },
};

static const DeviceError *
find_device_error (SfError code)
{
  for (gsize i = 0; i < G_N_ELEMENTS (device_errors); i++) {
    if (device_errors[i].code == code)
      return &device_errors[i];
  }
  return NULL;
}

/**
 * sf_error_get_name:
 * @code: an #SfError
 *
 * Returns: the name SP Flash Tool gives the same failure where it has one
 *   (so that users can search for it), else a name of our own.
 */
const char *
sf_error_get_name (SfError code)
{
  switch (code) {
  case SF_ERROR_FAILED: return "SF_ERROR_FAILED";
  case SF_ERROR_SCATTER_OPEN: return "S_DL_SCAT_OPEN_FAIL";
  case SF_ERROR_SCATTER_FORMAT: return "S_DL_SCAT_INCORRECT_FORMAT";
  case SF_ERROR_SCATTER_VERSION: return "S_DL_SCAT_VERSION_UNSUPPORTED";
  case SF_ERROR_SCATTER_TOO_LARGE: return "SF_SCATTER_TOO_LARGE";
  case SF_ERROR_SCATTER_BINARY: return "SF_SCATTER_BINARY";
  case SF_ERROR_SCATTER_TRUNCATED: return "SF_SCATTER_TRUNCATED";
  case SF_ERROR_SCATTER_FIELD: return "S_DL_SCAT_INCORRECT_FORMAT";
  case SF_ERROR_SCATTER_ORDER: return "S_DL_SCAT_ADDR_IS_NOT_ASCENDING_ORDER";
  case SF_ERROR_SCATTER_OVERLAP: return "S_DL_LOAD_REGION_IS_OVERLAP";
  case SF_ERROR_SCATTER_DUPLICATE: return "SF_SCATTER_DUPLICATE_PARTITION";
  case SF_ERROR_BL_INCONSISTENT: return "ERROR_BL_INCONSISTENT";
  case SF_ERROR_NO_SCATTER: return "S_DL_SCAT_OPEN_FAIL";
  case SF_ERROR_MANY_SCATTERS: return "SF_MANY_SCATTERS";
  case SF_ERROR_ARCHIVE: return "SF_ARCHIVE";
  case SF_ERROR_IMAGE_MISSING: return "S_FTHND_FILE_IS_NOT_LOADED_YET";
  case SF_ERROR_IMAGE_EMPTY: return "E_APP_BAT_DATA";
  case SF_ERROR_IMAGE_TOO_LARGE: return "S_DL_PMT_ERR_NO_SPACE";
  case SF_ERROR_IMAGE_INVALID: return "SF_IMAGE_INVALID";
  case SF_ERROR_IMAGE_CHECKSUM: return "S_CHKSUM_ERROR";
  case SF_ERROR_NOTHING_SELECTED: return "SF_NOTHING_SELECTED";
  case SF_ERROR_UNKNOWN_PARTITION: return "SF_UNKNOWN_PARTITION";
  case SF_ERROR_NOT_DOWNLOADABLE: return "SF_NOT_DOWNLOADABLE";
  case SF_ERROR_NO_NVRAM: return "FT_UPGRADE_BACKUP_ROM_NOT_EXIST";
  case SF_ERROR_UNSUPPORTED: return "SF_UNSUPPORTED";
  case SF_ERROR_INVALID_DA_FILE: return "S_INVALID_DA_FILE";
  case SF_ERROR_DA_NO_ENTRY: return "S_DA_FILE_NO_ENTRY_FOR_CHIP";
  default: {
    const DeviceError *d = find_device_error (code);
    return d != NULL ? d->name : "SF_ERROR_UNKNOWN";
  }
  }
}

/**
 * sf_error_get_number:
 * @code: an #SfError
 *
 * Returns: SP Flash Tool's number for the same failure in the primary
 *   numbering of `BootRom/mtk_status.h` (protocol.md §9.2), or 0 where
 *   SP Flash Tool has no such code.
 */
guint
sf_error_get_number (SfError code)
{
  const DeviceError *d = find_device_error (code);

  if (d != NULL)
    return d->number;

  switch (code) {
  case SF_ERROR_SCATTER_OPEN: return 5044;
  case SF_ERROR_SCATTER_FORMAT: return 5011;
  case SF_ERROR_SCATTER_VERSION: return 5079;
  case SF_ERROR_SCATTER_FIELD: return 5011;
  case SF_ERROR_SCATTER_ORDER: return 5014;
  case SF_ERROR_SCATTER_OVERLAP: return 5016;
  case SF_ERROR_NO_SCATTER: return 5044;
  case SF_ERROR_IMAGE_MISSING: return 5007;
  case SF_ERROR_IMAGE_TOO_LARGE: return 5069;
  case SF_ERROR_INVALID_DA_FILE: return 5002;
  case SF_ERROR_IMAGE_CHECKSUM: return 1041;
  default: return 0;
  }
}

/**
 * sf_error_get_summary:
 * @code: an #SfError
 *
 * Returns: one translated sentence saying what the failure means, or %NULL
 *   for codes that have none (the scatter and firmware codes carry all of it
 *   in their messages).
 */
const char *
sf_error_get_summary (SfError code)
{
  const DeviceError *d = find_device_error (code);

  return d != NULL ? _(d->summary) : NULL;
}

/**
 * sf_error_get_advice:
 * @code: an #SfError
 *
 * Returns: the translated usual fix (scenes.md §6), or %NULL.
 */
const char *
sf_error_get_advice (SfError code)
{
  const DeviceError *d = find_device_error (code);

  return d != NULL ? _(d->advice) : NULL;
}

/**
 * sf_set_device_error:
 * @error: return location for a #GError
 * @code: a device or protocol #SfError
 * @format: printf-style text saying what happened
 *
 * Sets @error to one line: `NAME (NUMBER): what happened — what to do`,
 * with the advice of @code. `(NUMBER)` is left out for codes that SP Flash
 * Tool has no number for.
 */
void
sf_set_device_error (GError     **error,
                     SfError      code,
                     const char  *format,
                     ...)
{
  g_autofree char *what = NULL;
  GString *msg;
  const char *advice;
  guint number;
  va_list ap;

  if (error == NULL)
    return;

  va_start (ap, format);
  what = g_strdup_vprintf (format, ap);
  va_end (ap);

  msg = g_string_new (sf_error_get_name (code));
  number = sf_error_get_number (code);
  if (number != 0)
    g_string_append_printf (msg, " (%u)", number);
  g_string_append_printf (msg, ": %s", what);
  advice = sf_error_get_advice (code);
  if (advice != NULL && *advice != '\0')
    g_string_append_printf (msg, " — %s", advice);

  g_set_error_literal (error, SF_ERROR, code, msg->str);
  g_string_free (msg, TRUE);
}

/**
 * sf_format_located:
 *
 * Returns: (transfer full): `FILE:LINE: what — advice`, leaving out the
 *   parts that are %NULL (or a line of 0).
 */
char *
sf_format_located (const char *file,
                   guint       line,
                   const char *what,
                   const char *advice)
{
  GString *msg = g_string_new (NULL);

  if (file != NULL && line > 0)
    g_string_append_printf (msg, "%s:%u: ", file, line);
  else if (file != NULL)
    g_string_append_printf (msg, "%s: ", file);
  g_string_append (msg, what);
  if (advice != NULL && *advice != '\0')
    g_string_append_printf (msg, " — %s", advice);

  return g_string_free (msg, FALSE);
}

/**
 * sf_set_error_at:
 * @error: return location for a #GError
 * @code: the #SfError code
 * @file: (nullable): the file the problem is in, as the user knows it
 * @line: 1-based line, or 0 when no line applies
 * @advice: (nullable): what the user can do about it
 * @format: printf-style text saying what is wrong
 *
 * Sets @error to one message in the project's shape:
 * `FILE:LINE: what is wrong — what to do`.
 */
void
sf_set_error_at (GError     **error,
                 SfError      code,
                 const char  *file,
                 guint        line,
                 const char  *advice,
                 const char  *format,
                 ...)
{
  g_autofree char *what = NULL;
  g_autofree char *msg = NULL;
  va_list ap;

  if (error == NULL)
    return;

  va_start (ap, format);
  what = g_strdup_vprintf (format, ap);
  va_end (ap);

  msg = sf_format_located (file, line, what, advice);
  g_set_error_literal (error, SF_ERROR, code, msg);
}
