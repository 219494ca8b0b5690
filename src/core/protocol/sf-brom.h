/* sf-brom.h — the BootROM / preloader download protocol (protocol.md §2, §3)
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "sf-chip.h"
#include "sf-transport.h"
#include "sf-usb-device.h"

G_BEGIN_DECLS

/* protocol.md §2.3, project contract */
/* AUTO mode: how long the first A0 may go unanswered before the phone
 * counts as a preloader that took it as its lone A0 (§2.0). More than the
 * preloader's 20 ms READY interval; a BootROM answers within a millisecond. */
#define SF_BROM_AUTO_PROBE_MS        40
#define SF_BROM_PRELOADER_WAIT_MS    50
#define SF_BROM_HANDSHAKE_BYTE_MS    500
#define SF_BROM_HANDSHAKE_ATTEMPTS   5
#define SF_BROM_HANDSHAKE_TOTAL_MS   10000
/* How long a command reply may take. */
#define SF_BROM_REPLY_TIMEOUT_MS     1000
/* How long the phone may take to check an uploaded DA. */
#define SF_BROM_SEND_DA_TIMEOUT_MS   5000


/**
 * SfBromInfo:
 *
 * What the BootROM or preloader said about the chip (§3.2–3.4, §2.4).
 */
typedef struct {
  guint16        hw_code;        /* FD */
  guint16        hw_sub_code;    /* FC */
  guint16        hw_ver;
  guint16        sw_ver;
  gboolean       is_brom;        /* FE echoed: BootROM, else preloader */
  guint8         bl_ver;         /* FE answer (0xFE from the BootROM) */
  guint8         brom_ver;       /* FF answer (0xFF, the echo, from a preloader) */
  guint32        target_config;  /* D8: SF_BROM_CFG_* bits */
  const SfChip  *chip;           /* NULL when the hw code is not in the table */
} SfBromInfo;

/* Called after each piece of an upload with the bytes sent so far. */
typedef void (*SfProgressFunc) (guint64   done,
                                guint64   total,
                                gpointer  user_data);

#define SF_TYPE_BROM (sf_brom_get_type ())

G_DECLARE_FINAL_TYPE (SfBrom, sf_brom, SF, BROM, GObject)

SfBrom            *sf_brom_new                (SfTransport    *transport) G_GNUC_WARN_UNUSED_RESULT;
const SfBromInfo  *sf_brom_get_info           (SfBrom         *self);

/* The start handshake (§2), with the preloader pre-handshake when @mode
 * says so or (AUTO) when the phone sends READY. Fails with
 * SF_ERROR_BROM_STARTCMD_FAIL, _STARTCMD_TIMEOUT, _NOT_IN_DOWNLOAD_MODE. */
gboolean           sf_brom_connect            (SfBrom         *self,
                                               SfBromMode      mode,
                                               GCancellable   *cancellable,
                                               GError        **error);
/* FD, FE, FF, FC, D8 in the order of §8; fills the info. */
gboolean           sf_brom_identify           (SfBrom         *self,
                                               GCancellable   *cancellable,
                                               GError        **error);
/* Fails with SF_ERROR_BROM_HW_VER_INCORRECT for a chip Scatterflash cannot
 * flash, SF_ERROR_SECURITY_SLA_FAIL for a secured one, and
 * SF_ERROR_CHIP_TYPE_NOT_MATCH when @platform (a scatter's, may be NULL)
 * names another chip. Call after sf_brom_identify(). */
gboolean           sf_brom_check_chip         (SfBrom         *self,
                                               const char     *platform,
                                               GError        **error);

gboolean           sf_brom_get_hw_code        (SfBrom         *self,
                                               guint16        *out_hw_code,
                                               GCancellable   *cancellable,
                                               GError        **error);
gboolean           sf_brom_get_hw_sw_ver      (SfBrom         *self,
                                               guint16        *out_hw_sub_code,
                                               guint16        *out_hw_ver,
                                               guint16        *out_sw_ver,
                                               GCancellable   *cancellable,
                                               GError        **error);
gboolean           sf_brom_get_bl_ver         (SfBrom         *self,
                                               guint8         *out_bl_ver,
                                               gboolean       *out_is_brom,
                                               GCancellable   *cancellable,
                                               GError        **error);
gboolean           sf_brom_get_version        (SfBrom         *self,
                                               guint8         *out_brom_ver,
                                               GCancellable   *cancellable,
                                               GError        **error);
gboolean           sf_brom_get_target_config  (SfBrom         *self,
                                               guint32        *out_config,
                                               GCancellable   *cancellable,
                                               GError        **error);
/* The chip's watchdog writes (§3.6). Fails with SF_ERROR_BROM_SET_WATCHDOG_FAIL. */
gboolean           sf_brom_disable_watchdog   (SfBrom         *self,
                                               const SfChip   *chip,
                                               GCancellable   *cancellable,
                                               GError        **error);
/* SEND_DA (D7, §3.7): streams exactly @length bytes of @data (the DA1
 * region, signature included) and checks the XOR checksum. */
gboolean           sf_brom_send_da            (SfBrom         *self,
                                               guint32         load_addr,
                                               guint32         length,
                                               guint32         sig_len,
                                               GInputStream   *data,
                                               SfProgressFunc  progress,
                                               gpointer        user_data,
                                               GCancellable   *cancellable,
                                               GError        **error);
/* JUMP_DA (D5, §3.8). */
gboolean           sf_brom_jump_da            (SfBrom         *self,
                                               guint32         addr,
                                               GCancellable   *cancellable,
                                               GError        **error);

/* §3.7: XOR of little-endian 16-bit words, continued from @sum. @len must
 * be even except for the last piece, whose odd byte counts as 0x00XX. */
guint16            sf_brom_checksum_update    (guint16         sum,
                                               const guint8   *data,
                                               gsize           len);

G_END_DECLS
