/* sf-error.h
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SF_ERROR (sf_error_quark ())

/**
 * SfError:
 *
 * The one error domain of Scatterflash. Where SP Flash Tool has a name for the
 * same failure, sf_error_get_name() returns it, so users can search for it.
 */
typedef enum {
  SF_ERROR_FAILED,                /* anything without a better code */
  SF_ERROR_SCATTER_OPEN,          /* S_DL_SCAT_OPEN_FAIL */
  SF_ERROR_SCATTER_FORMAT,        /* S_DL_SCAT_INCORRECT_FORMAT */
  SF_ERROR_SCATTER_VERSION,       /* S_DL_SCAT_VERSION_UNSUPPORTED */
  SF_ERROR_SCATTER_TOO_LARGE,     /* a "scatter" far larger than any real one */
  SF_ERROR_SCATTER_BINARY,        /* NUL bytes: not a text file */
  SF_ERROR_SCATTER_TRUNCATED,     /* ends in the middle of an entry */
  SF_ERROR_SCATTER_FIELD,         /* a field with a value that cannot be */
  SF_ERROR_SCATTER_ORDER,         /* S_DL_SCAT_ADDR_IS_NOT_ASCENDING_ORDER */
  SF_ERROR_SCATTER_OVERLAP,       /* S_DL_LOAD_REGION_IS_OVERLAP */
  SF_ERROR_SCATTER_DUPLICATE,     /* the same partition name twice */
  SF_ERROR_BL_INCONSISTENT,       /* ERROR_BL_INCONSISTENT */
  SF_ERROR_NO_SCATTER,            /* a folder or archive without a scatter */
  SF_ERROR_MANY_SCATTERS,         /* more than one scatter, none chosen */
  SF_ERROR_ARCHIVE,               /* libarchive could not read the package */
  SF_ERROR_IMAGE_MISSING,         /* S_FTHND_FILE_IS_NOT_LOADED_YET */
  SF_ERROR_IMAGE_EMPTY,           /* "File size is zero" */
  SF_ERROR_IMAGE_TOO_LARGE,       /* S_DL_PMT_ERR_NO_SPACE */
  SF_ERROR_IMAGE_INVALID,         /* corrupt sparse header, bad GFH, … */
  SF_ERROR_NOTHING_SELECTED,      /* "Please select one ROM at least" */
  SF_ERROR_UNKNOWN_PARTITION,     /* a ticked name the scatter does not have */
  SF_ERROR_NOT_DOWNLOADABLE,      /* ticked a partition that has no image */
  SF_ERROR_NO_NVRAM,              /* Firmware Upgrade without NVRAM in the scatter */
  SF_ERROR_UNSUPPORTED,           /* valid, but not something we can do yet */
  SF_ERROR_INVALID_DA_FILE,       /* S_INVALID_DA_FILE (5002) */
  SF_ERROR_DA_NO_ENTRY,           /* the DA file has no entry for this chip */
  /* Device and protocol failures (SP Flash Tool's names, protocol.md §9.4). */
  SF_ERROR_COM_PORT_OPEN_FAIL,    /* S_COM_PORT_OPEN_FAIL (1013) */
  SF_ERROR_TIMEOUT,               /* S_TIMEOUT (1042) */
  SF_ERROR_DISCONNECTED,          /* the port went away mid-operation */
  SF_ERROR_NOT_IN_DOWNLOAD_MODE,  /* a switched-on phone answers the handshake with garbage */
  SF_ERROR_BROM_DOWNLOAD_DA_FAIL, /* S_BROM_DOWNLOAD_DA_FAIL (2004) */
  SF_ERROR_BROM_STARTCMD_FAIL,    /* S_BROM_CMD_STARTCMD_FAIL (2005) */
  SF_ERROR_BROM_STARTCMD_TIMEOUT, /* S_BROM_CMD_STARTCMD_TIMEOUT (2006) */
  SF_ERROR_BROM_WRITE32_FAIL,     /* S_BROM_CMD_WRITE32_MEM_FAIL (2013) */
  SF_ERROR_BROM_HW_VER_INCORRECT, /* S_BROM_BBCHIP_HW_VER_INCORRECT (2021): unsupported chip */
  SF_ERROR_BROM_GET_HW_VER_FAIL,  /* S_BROM_FAIL_TO_GET_BBCHIP_HW_VER (2022) */
  SF_ERROR_BROM_SEND_DA_FAIL,     /* S_BROM_CMD_SEND_DA_FAIL (2033) */
  SF_ERROR_BROM_SEND_DA_CHKSUM_DIFF, /* S_BROM_CMD_SEND_DA_CHKSUM_DIFF (2034) */
  SF_ERROR_BROM_JUMP_DA_FAIL,     /* S_BROM_CMD_JUMP_DA_FAIL (2035) */
  SF_ERROR_BROM_SET_WATCHDOG_FAIL, /* S_BROM_SET_WATCHDOG_FAIL (2045) */
  SF_ERROR_DA_INVALID_RANGE,      /* S_DA_INVALID_RANGE (3040) */
  SF_ERROR_DA_EMMC_NOT_FOUND,     /* S_DA_EMMC_FLASH_NOT_FOUND (3149) */
  SF_ERROR_DA_SDMMC_READ_FAILED,  /* S_DA_SDMMC_READ_FAILED (3153) */
  SF_ERROR_DA_SDMMC_WRITE_FAILED, /* S_DA_SDMMC_WRITE_FAILED (3154) */
  SF_ERROR_CHIP_TYPE_NOT_MATCH,   /* S_CHIP_TYPE_NOT_MATCH (3184) */
  SF_ERROR_FT_DA_NO_RESPONSE,     /* S_FT_DA_NO_RESPONSE (4001) */
  SF_ERROR_FT_DA_SYNC_INCORRECT,  /* S_FT_DA_SYNC_INCORRECT (4002) */
  SF_ERROR_FT_DA_INIT_SYNC_ERROR, /* S_FT_DA_INIT_SYNC_ERROR (4004) */
  SF_ERROR_FT_DOWNLOAD_FAIL,      /* S_FT_DOWNLOAD_FAIL (4008) */
  SF_ERROR_FT_READBACK_FAIL,      /* S_FT_READBACK_FAIL (4009) */
  SF_ERROR_FT_FORMAT_FAIL,        /* S_FT_FORMAT_FAIL (4010) */
  SF_ERROR_FT_FINISH_CMD_FAIL,    /* S_FT_FINISH_CMD_FAIL (4011) */
  SF_ERROR_FT_ENABLE_DRAM_FAIL,   /* S_FT_ENABLE_DRAM_FAIL (4032) */
  SF_ERROR_SECURITY_SLA_FAIL,     /* S_SECURITY_SLA_FAIL (6004): SLA/DAA-secured chip */
  SF_ERROR_VERIFY_MISMATCH,       /* what was read back differs from what was written */
  SF_ERROR_OUTPUT_EXISTS,         /* readback would overwrite a file */
  SF_ERROR_PRELOADER_MISMATCH,    /* the new preloader is for another board */
  SF_ERROR_ROM_MUST_ENABLE,       /* ERROR_ROM_MUST_ENABLE (8038): PMT changed, Download Only refused */
  SF_ERROR_DATA_LOST,             /* ERROR_DATA_LOST: a kept partition changed size */
  SF_ERROR_PMT_INVALID,           /* the phone's partition table cannot be read */
  SF_ERROR_IMAGE_CHECKSUM,        /* S_CHKSUM_ERROR (1041): an image fails its own check (zip CRC, gzip trailer, sparse CRC32) */
  SF_ERROR_PORT_BUSY,             /* another job (or program) holds the phone's port */
  SF_ERROR_OUTPUT_NOT_FILE,       /* an output names a device, FIFO, folder or socket */
  SF_ERROR_FT_DA_VERSION_INCORRECT, /* S_FT_DA_VERSION_INCORRECT (4003): DA1 version byte FF (§13.1) */
  SF_ERROR_DL_GET_DRAM_SETTING_FAIL, /* S_DL_GET_DRAM_SETTING_FAIL (5054): no EMI entry for this phone (§13.4) */
  SF_ERROR_SEC_DOWNLOAD_FORBIDDEN, /* S_SECURITY_SF_CODE_DOWNLOAD_FORBIDDEN (6011, §13.10) */
  SF_ERROR_SEC_READBACK_FORBIDDEN, /* S_SECURITY_SF_CODE_READBACK_FORBIDDEN (6012) */
  SF_ERROR_SEC_FORMAT_FORBIDDEN,   /* S_SECURITY_SF_CODE_FORMAT_FORBIDDEN (6013) */
  SF_ERROR_USB_SPEED_SWITCH,       /* the phone did not come back after the high-speed switch (§13.8) */
} SfError;

GQuark       sf_error_quark      (void);
const char  *sf_error_get_name   (SfError code);
guint        sf_error_get_number (SfError code);
const char  *sf_error_get_summary (SfError code);
const char  *sf_error_get_advice (SfError code);

void         sf_set_device_error (GError      **error,
                                  SfError       code,
                                  const char   *format,
                                  ...) G_GNUC_PRINTF (3, 4);

char        *sf_format_located   (const char   *file,
                                  guint         line,
                                  const char   *what,
                                  const char   *advice) G_GNUC_WARN_UNUSED_RESULT;
void         sf_set_error_at     (GError      **error,
                                  SfError       code,
                                  const char   *file,
                                  guint         line,
                                  const char   *advice,
                                  const char   *format,
                                  ...) G_GNUC_PRINTF (6, 7);

G_END_DECLS
