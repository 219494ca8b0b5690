/* sf-da.h — a legacy download agent session (protocol.md §6, §11)
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "sf-brom.h"
#include "sf-da-file.h"
#include "sf-partition-table.h"
#include "sf-layout.h"
#include "sf-mtk.h"
#include "sf-scatter.h"
#include "sf-transport.h"

G_BEGIN_DECLS

/* How long the DA may stay silent (protocol.md §6; project choices). */
#define SF_DA_SYNC_TIMEOUT_MS     2000    /* the C0 after JUMP_DA */
#define SF_DA_REPLY_TIMEOUT_MS    5000    /* a command's answer */
#define SF_DA_PACKET_TIMEOUT_MS   10000   /* a packet's ACK: a 1 MiB eMMC write takes well under 1 s */
#define SF_DA_FORMAT_TIMEOUT_MS   120000  /* between two format progress reports */
/* §13.8: how long the phone may stay away after 70 01 before that is an
 * error, and how often its port is tried meanwhile. */
#define SF_DA_REENUMERATE_TIMEOUT_MS  8000
/* §13.3: DA1 sets the DRAM up (EMI init, DQS training) before it answers. */
#define SF_DA_DRAM_TIMEOUT_MS     30000
#define SF_DA_REENUMERATE_POLL_MS     20

typedef enum {
  SF_DA_STORAGE_TYPE_UNKNOWN,
  SF_DA_STORAGE_TYPE_EMMC,
  SF_DA_STORAGE_TYPE_SDMMC,
  SF_DA_STORAGE_TYPE_NAND,
  SF_DA_STORAGE_TYPE_NOR,
} SfDaStorageType;

/**
 * SfDaInfo:
 *
 * What DA1 (§6.2, §6.3) and DA2 (§6.5, §6.6) reported.
 */
typedef struct {
  /* §6.2 */
  guint32          nand_ret;
  guint16          nand_id_count;
  guint16          nand_ids[16];     /* the first ones */
  guint32          emmc_ret;
  guint8           emmc_id[SF_DA_EMMC_ID_LEN];
  guint8           da_version[3];    /* §13.1: major, minor, build; build FF = no stage 2 */
  /* §6.3, §13.2 */
  guint32          dram_status;
  gboolean         have_brom_cid;    /* entered through the BootROM (0xBBF/0xBC3) */
  guint8           brom_cid[16];     /* the CID in raw byte order (§13.2) */
  guint            emi_entry;        /* §13.4: which preloader entry was sent (1-based; 0: none) */
  guint32          ext_ram_ret_e8;   /* §13.3 step 8 */
  /* §6.5 */
  SfDaStorageType  storage_type;
  guint32          nor_ret;
  guint64          nor_size;
  guint32          nand_ret2;
  guint64          nand_size;
  guint16          nand_page_size;
  guint32          emmc_ret2;
  guint64          emmc_boot1_size;
  guint64          emmc_boot2_size;
  guint64          emmc_rpmb_size;
  guint64          emmc_gp_size[4];
  guint64          emmc_user_size;
  guint8           emmc_cid[16];
  guint8           emmc_fw_ver[8];
  guint32          sdc_ret;
  guint64          sdc_user_size;
  guint32          int_sram_ret;
  guint32          int_sram_size;
  guint32          ext_ram_ret;
  guint8           ext_ram_type;
  guint8           ext_ram_chip_select;
  guint64          ext_ram_size;
  guint32          download_status;
  guint32          boot_style;
  /* §6.6 */
  guint8           usb_speed;        /* 0 full, 1 high, 2 ultra high speed */
  /* derived */
  guint64          user_size;        /* emmc_user_size, or sdc_user_size if that is 0 */
} SfDaInfo;

#define SF_TYPE_DA (sf_da_get_type ())

G_DECLARE_FINAL_TYPE (SfDa, sf_da, SF, DA, GObject)

SfDa            *sf_da_new                 (SfTransport       *transport) G_GNUC_WARN_UNUSED_RESULT;
const SfDaInfo  *sf_da_get_info            (SfDa              *self);

/* Everything between JUMP_DA and the first flash command: §6.2 sync and
 * report, §6.3 stage-2 config (values from @brom), §6.4 DA2 from region 2
 * of @entry in @da_file, §6.5 report, §13.8 USB status and the switch to
 * high speed. @progress sees the DA2 bytes sent. */
gboolean         sf_da_start               (SfDa              *self,
                                            const SfBromInfo  *brom,
                                            SfDaFile          *da_file,
                                            const SfDaEntry   *entry,
                                            SfProgressFunc     progress,
                                            gpointer           user_data,
                                            GCancellable      *cancellable,
                                            GError           **error);

/* §13.2–13.4: where the DRAM settings come from when the phone came up
 * through its BootROM: a preloader image (the firmware's, or another one
 * such as a backup of the phone's own) or a bare MTK_BLOADER_INFO block.
 * @name is for messages. Without one, a BootROM phone stops with
 * S_DL_GET_DRAM_SETTING_FAIL before anything is sent. */
void             sf_da_set_emi_source      (SfDa              *self,
                                            GBytes            *preloader,
                                            const char        *name);

/* The steps of sf_da_start() one by one. */
gboolean         sf_da_sync                (SfDa              *self,
                                            GCancellable      *cancellable,
                                            GError           **error);
gboolean         sf_da_send_stage2_config  (SfDa              *self,
                                            const SfBromInfo  *brom,
                                            GCancellable      *cancellable,
                                            GError           **error);
gboolean         sf_da_upload_da2          (SfDa              *self,
                                            guint32            addr,
                                            guint32            length,
                                            GInputStream      *data,
                                            SfProgressFunc     progress,
                                            gpointer           user_data,
                                            GCancellable      *cancellable,
                                            GError           **error);
gboolean         sf_da_read_flash_info     (SfDa              *self,
                                            GCancellable      *cancellable,
                                            GError           **error);
gboolean         sf_da_check_usb_status    (SfDa              *self,
                                            GCancellable      *cancellable,
                                            GError           **error);
/* §13.8: at full speed, 70 01; the phone drops off the bus and comes back
 * as the DA's high-speed port: the device monitor's next arrival on its
 * socket, or the same path opened again (sf_port_return_open()), within
 * SF_DA_REENUMERATE_TIMEOUT_MS, else SF_ERROR_USB_SPEED_SWITCH;
 * then 72 once more, and the session goes on over the new transport.
 * Nothing happens when the link is already fast. */
gboolean         sf_da_switch_usb_speed    (SfDa              *self,
                                            GCancellable      *cancellable,
                                            GError           **error);

/* §13.9: the DA addresses one linear space BOOT1 | BOOT2 | RPMB | GP1–4 |
 * USER. The functions below take a hardware partition (SF_EMMC_PART_*) and
 * an offset inside it, check the range against the sizes of the DA2 report
 * and send base + offset. By default the user area's base is the sum of
 * the sizes before it; sf_da_set_user_base() makes it the firmware's own
 * (the scatter's MBR linear_start_addr), so that every scatter address
 * goes on the wire unchanged. */
void             sf_da_set_user_base       (SfDa              *self,
                                            guint64            linear);
guint64          sf_da_get_user_base       (SfDa              *self);
/* Where the phone's own user area starts in the linear space (the sizes
 * before it in the DA2 report), whatever the firmware's base. */
guint64          sf_da_get_phone_user_base (SfDa              *self);
/* The linear address of @offset in @part (0 if the report is not in). */
guint64          sf_da_linear_address      (SfDa              *self,
                                            guint              part,
                                            guint64            offset);

/* SDMMC_SWITCH_PART (60, §6.7); the MT6572 DA ignores it (§13.9). */
gboolean         sf_da_switch_part         (SfDa              *self,
                                            guint              part,
                                            GCancellable      *cancellable,
                                            GError           **error);

/* §6.8: writes @length bytes of @data at @offset of eMMC partition @part
 * (SF_EMMC_PART_*), in 1 MiB packets, zero-padded to 512 bytes. @progress
 * gets the bytes of @data sent so far. */
gboolean         sf_da_write               (SfDa              *self,
                                            guint              part,
                                            guint64            offset,
                                            GInputStream      *data,
                                            guint64            length,
                                            SfProgressFunc     progress,
                                            gpointer           user_data,
                                            GCancellable      *cancellable,
                                            GError           **error);
/* §7: expands the Android sparse image @data on the fly: one 62 command per
 * run of RAW/FILL chunks, DONT_CARE skipped. @partition_size (0: unknown)
 * bounds the expanded size. When @data can seek, the whole image is
 * checked before the first byte is written. @progress counts expanded
 * bytes, skipped ones included. */
gboolean         sf_da_write_sparse        (SfDa              *self,
                                            guint              part,
                                            guint64            offset,
                                            GInputStream      *data,
                                            const char        *display_name,
                                            guint64            partition_size,
                                            SfProgressFunc     progress,
                                            gpointer           user_data,
                                            GCancellable      *cancellable,
                                            GError           **error);
/* §6.9: reads @length bytes at @offset of @part into @out. */
gboolean         sf_da_read                (SfDa              *self,
                                            guint              part,
                                            guint64            offset,
                                            guint64            length,
                                            GOutputStream     *out,
                                            SfProgressFunc     progress,
                                            gpointer           user_data,
                                            GCancellable      *cancellable,
                                            GError           **error);
/* §6.10: erases; @progress gets bytes (the DA reports percent). */
gboolean         sf_da_format              (SfDa              *self,
                                            guint              part,
                                            guint64            offset,
                                            guint64            length,
                                            SfProgressFunc     progress,
                                            gpointer           user_data,
                                            GCancellable      *cancellable,
                                            GError           **error);
/* §6.11 with @mode (0: DISCONNECT_USB_AND_RELEASE_POWERKEY). */
gboolean         sf_da_finish              (SfDa              *self,
                                            guint32            mode,
                                            GCancellable      *cancellable,
                                            GError           **error);

/* §6.12 SDMMC_READ_PMT (A5): the phone's partition table (the contract is in
 * sf-partition-table.h); an empty table when the phone has none. */
SfPartitionTable   *sf_da_read_pmt            (SfDa              *self,
                                            GCancellable      *cancellable,
                                            GError           **error) G_GNUC_WARN_UNUSED_RESULT;
/* SDMMC_WRITE_PMT (A4, project contract in sf-partition-table.h). */
gboolean         sf_da_write_pmt           (SfDa              *self,
                                            const SfPartitionTable *table,
                                            GCancellable      *cancellable,
                                            GError           **error);


/* §6.8: sum of the bytes, & 0xFFFF, continued from @sum. */
guint16          sf_da_checksum_update     (guint16            sum,
                                            const guint8      *data,
                                            gsize              len);


const char      *sf_da_storage_type_to_string (SfDaStorageType type);

G_END_DECLS
