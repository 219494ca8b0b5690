/* sf-mtk.h — byte values of MediaTek's BootROM, preloader and legacy DA protocols
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Constants only, never logic: the host (src/core) and the virtual phone
 * (src/sim) both include this file, and each implements the protocol on its
 * own from docs/protocol.md, so that a bug on one side shows up
 * as a failing test instead of being shared. Section numbers below refer to
 * that document. Every multi-byte integer on the wire is big-endian (§0).
 */

#pragma once

/* §1.1 USB identities */
#define SF_MTK_USB_VID                 0x0E8D
#define SF_MTK_USB_PID_BROM            0x0003
#define SF_MTK_USB_PID_PRELOADER       0x2000
#define SF_MTK_USB_PID_DA              0x2001

/* §2 start handshake: the host sends these one at a time; the device
 * answers each with its bitwise NOT. */
#define SF_MTK_HANDSHAKE_0             0xA0
#define SF_MTK_HANDSHAKE_1             0x0A
#define SF_MTK_HANDSHAKE_2             0x50
#define SF_MTK_HANDSHAKE_3             0x05
#define SF_MTK_PRELOADER_READY         "READY"

/* §3.1 BootROM / preloader commands */
#define SF_BROM_CMD_GET_HW_CODE        0xFD
#define SF_BROM_CMD_GET_HW_SW_VER      0xFC
#define SF_BROM_CMD_GET_BL_VER         0xFE
#define SF_BROM_CMD_GET_VERSION        0xFF
#define SF_BROM_CMD_GET_TARGET_CONFIG  0xD8
#define SF_BROM_CMD_READ16             0xD0
#define SF_BROM_CMD_READ32             0xD1
#define SF_BROM_CMD_WRITE16            0xD2
#define SF_BROM_CMD_WRITE16_NO_ECHO    0xD3
#define SF_BROM_CMD_WRITE32            0xD4
#define SF_BROM_CMD_JUMP_DA            0xD5
#define SF_BROM_CMD_JUMP_BL            0xD6
#define SF_BROM_CMD_SEND_DA            0xD7
#define SF_BROM_CMD_UART1_LOG_EN       0xDB
#define SF_BROM_CMD_GET_ME_ID          0xE1
#define SF_BROM_CMD_GET_SOC_ID         0xE7
#define SF_BROM_CMD_GET_PL_CAP         0xFB

/* §2.4 project contract: the BootROM's answers to FE and FF */
#define SF_BROM_BL_VER_IS_BROM         0xFE
#define SF_BROM_VERSION_SIM            0x05
#define SF_PRELOADER_BL_VER_SIM        0x01

/* §3.4 GET_TARGET_CONFIG bits */
#define SF_BROM_CFG_SBC                0x01
#define SF_BROM_CFG_SLA                0x02
#define SF_BROM_CFG_DAA                0x04

/* §9.1 BootROM status words (u16; <= 0x00FF counts as success) */
#define SF_BROM_STATUS_OK              0x0000
#define SF_BROM_STATUS_SUCCESS_MAX     0x00FF
#define SF_BROM_STATUS_SLA_REQUIRED    0x1D0D
#define SF_BROM_STATUS_MISALIGNED      0xFFFF
#define SF_BROM_STATUS_ZERO_LENGTH     0xFFFE
#define SF_BROM_STATUS_OVERFLOW        0xFFFD

/* §6 legacy DA single-byte responses */
#define SF_DA_SYNC_CHAR                0xC0
#define SF_DA_SOC_OK                   0xC1
#define SF_DA_SOC_FAIL                 0xCF
#define SF_DA_CONT_CHAR                0x69
#define SF_DA_STOP_CHAR                0x96
#define SF_DA_ACK                      0x5A
#define SF_DA_NACK                     0xA5
#define SF_DA_UNKNOWN_CMD              0xBB

/* §6.1 legacy DA commands */
#define SF_DA_CMD_SDMMC_SWITCH_PART    0x60
#define SF_DA_CMD_SDMMC_WRITE_DATA     0x62
#define SF_DA_CMD_USB_SETUP_PORT       0x70
#define SF_DA_CMD_USB_CHECK_STATUS     0x72
#define SF_DA_CMD_READ_REG32           0x7A
#define SF_DA_CMD_WRITE_REG32          0x7B
#define SF_DA_CMD_SDMMC_WRITE_PMT      0xA4   /* §13.6 */
#define SF_DA_CMD_SDMMC_READ_PMT       0xA5
#define SF_DA_CMD_FORMAT               0xD4
#define SF_DA_CMD_READ                 0xD6
#define SF_DA_CMD_FINISH               0xD9
#define SF_DA_CMD_ENABLE_WATCHDOG      0xDB
#define SF_DA_CMD_ENABLE_DRAM          0xE8

/* §6.1 parameter enums */
#define SF_DA_STORAGE_NOR              0x00
#define SF_DA_STORAGE_NAND             0x01
#define SF_DA_STORAGE_EMMC             0x02
#define SF_DA_STORAGE_EMMC_ALT         0x01   /* mtkclient's write; the simulator accepts both (§6.8) */
#define SF_DA_STORAGE_UFS              0x04
#define SF_EMMC_PART_BOOT1             1
#define SF_EMMC_PART_BOOT2             2
#define SF_EMMC_PART_RPMB              3
#define SF_EMMC_PART_GP1               4
#define SF_EMMC_PART_USER              8
#define SF_DA_HOST_OS_LINUX            0x0C
#define SF_DA_ERASE_NORMAL             0x00
#define SF_DA_ADDR_LOGICAL             0x00

/* §6.4, §6.8, §6.9 packet sizes */
#define SF_DA2_PACKET_SIZE             0x1000
#define SF_DA_WRITE_PACKET_SIZE        0x100000
#define SF_DA_READ_PACKET_SIZE         0x100000
#define SF_EMMC_SECTOR                 512

/* §6.2 / §6.3 / §9.3 / §13 status values on the DA wire (u32) */
#define SF_DA_STATUS_OK                0x00000000
#define SF_DA_STATUS_RAM_ERROR_OLD     0x00000BBF   /* §13.2: MT6572 v7.1504 after the BootROM: EMI settings needed */
#define SF_DA_STATUS_RAM_ERROR         0x00000BC3   /* S_DA_RAM_ERROR: EMI settings needed (other DA builds) */
#define SF_DA_STATUS_DEVICE_NOT_FOUND  0x00000BC4   /* S_DA_DEVICE_NOT_FOUND */
#define SF_DA_STATUS_NAND_RET_REAL     0x00000BC0   /* §13.1: nand_ret of the running MT6572 DA */

/* §13.7 error replies: A5 + u32 code (big-endian), unasked */
#define SF_DA_ERR_NO_PMT               1037   /* §13.10: no partition table yet (first download) */
#define SF_DA_ERR_CHECKSUM             3060   /* §13.5: a 62 packet arrived with a wrong checksum */
#define SF_DA_ERR_WRITE_PMT            5069   /* §13.6: the partition table was not stored */
#define SF_DA_ERR_SEC_DOWNLOAD         6011   /* §13.10: security DA forbids writing */
#define SF_DA_ERR_SEC_READBACK         6012
#define SF_DA_ERR_SEC_FORMAT           6013

/* §13.1: the third version byte FF means DA1 skips the stage-2 config */
#define SF_DA_VERSION_NO_STAGE2        0xFF

/* §6.2, §6.3, §6.5, §13 sizes */
#define SF_DA_STAGE2_CONFIG_LEN        18
#define SF_DA2_REPORT_LEN              232    /* §13.10: what the MT6572 DA sends; hosts read by counts */
#define SF_DA_EMMC_ID_LEN              16
#define SF_DA1_NAND_ID_COUNT           7      /* §13.1 */

/* §13.6 PMT records (little-endian fields): always 0x60 bytes, at most 40:
 * name[64], size u64, region/mask u64 at 0x48 (0xFF bytes when read back
 * from the running DA), LINEAR offset u64 at 0x50 (§13.9), 8 spare bytes. */
#define SF_PMT_NAME_LEN                64
#define SF_PMT_RECORD_SIZE             0x60
#define SF_PMT_MAX_RECORDS             40
#define SF_PMT_MAX_LEN                 (SF_PMT_MAX_RECORDS * SF_PMT_RECORD_SIZE)
#define SF_PMT_MODE_NEW                0      /* §13.6: A4 mode word */

/* §5 DA file (little-endian) */
#define SF_DA_FILE_DESCRIPTION         "MTK_DOWNLOAD_AGENT"
#define SF_DA_FILE_HEADER_LEN          0x6C
#define SF_DA_FILE_VERSION             4
#define SF_DA_FILE_MAGIC               0x22668899u
#define SF_DA_ENTRY_MAGIC              0xDADA
#define SF_DA_ENTRY_LEN                0xDC
#define SF_DA_ENTRY_LEN_OLD            0xD8
#define SF_DA_REGION_LEN               20
#define SF_DA_MAX_REGIONS              10
#define SF_DA_REGION_DA1               1
#define SF_DA_REGION_DA2               2

/* §4 hw codes (GET_HW_CODE) */
#define SF_HW_CODE_MT6572              0x6572
#define SF_HW_CODE_MT6580              0x6580
#define SF_HW_CODE_MT6582              0x6582
#define SF_HW_CODE_MT6592              0x6592

/* §3.3 / §12: the simulator's GET_HW_SW_VER answer (project contract) */
#define SF_SIM_HW_SUB_CODE             0x8A00
#define SF_SIM_HW_VER                  0xCA00
#define SF_SIM_SW_VER                  0x0000

/* §9.1 SEND_DA / JUMP_DA refusals (u16 status) */
#define SF_BROM_STATUS_DA_LEN_IS_ZERO      0x1D13
#define SF_BROM_STATUS_DA_SIG_LEN_EXCEED   0x1D14
#define SF_BROM_STATUS_DA_NOT_EXIST        0x1D16

/* §13.1 / §13.10: DA version sent after the DA1 start report, major first */
#define SF_DA_MAJOR_VER                0x04
#define SF_DA_MINOR_VER                0x02
#define SF_DA_BUILD_VER                0x88

/* §6.6 / §13.8 USB speed */
#define SF_DA_USB_FULL_SPEED           0x00
#define SF_DA_USB_HIGH_SPEED           0x01

/* §6.10 format progress that ends the loop; §9.4 S_UNDEFINED_ERROR (1001) */
#define SF_DA_FORMAT_PROGRESS_DONE     100
#define SF_DA_STATUS_UNDEFINED_ERROR   0x000003E9
