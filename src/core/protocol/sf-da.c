/* sf-da.c — a legacy download agent session (protocol.md §6, §11)
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "sf-da.h"
#include "sf-mtk-checksum.h"
#include "sf-error.h"
#include "sf-preloader.h"
#include "sf-port-return.h"
#include "sf-sparse.h"
#include "sf-wire.h"

struct _SfDa
{
  GObject       parent_instance;

  SfWire        wire;
  SfDaInfo      info;
  gboolean      have_flash_info;
  guint8       *packets[2];      /* PACKET_ALLOC bytes each, made on first use */
  /* §13.9: where the user area starts on the linear wire, when the
   * firmware says (sf_da_set_user_base()); else from the DA2 report. */
  gboolean      have_user_base;
  guint64       user_base;
  GBytes       *emi_source;      /* a preloader image, for a BootROM phone */
  char         *emi_name;
};

/* §13.5: how often a 62 packet the DA found damaged (3060) is sent again
 * before the write is abandoned with 96. */
#define WRITE_RESENDS  3

/* Two buffers for every packet of a session, made once. A 62 packet goes
 * out as [5A][data][checksum] in a single write, so the data sits at
 * offset 1; while the phone stores it, the next one is filled in the other
 * buffer. A D6 packet comes in as [data][checksum] in a single read. */
#define PACKET_ALLOC  (MAX (SF_DA_WRITE_PACKET_SIZE, SF_DA_READ_PACKET_SIZE) + 3)

static guint8 *
packet_buffer (SfDa  *self,
               guint  i)
{
  if (self->packets[i] == NULL)
    self->packets[i] = g_malloc (PACKET_ALLOC);
  return self->packets[i];
}

G_DEFINE_FINAL_TYPE (SfDa, sf_da, G_TYPE_OBJECT)

static void
sf_da_dispose (GObject *object)
{
  SfDa *self = SF_DA (object);

  g_clear_object (&self->wire.transport);

  G_OBJECT_CLASS (sf_da_parent_class)->dispose (object);
}

static void
sf_da_finalize (GObject *object)
{
  SfDa *self = SF_DA (object);

  g_clear_pointer (&self->packets[0], g_free);
  g_clear_pointer (&self->packets[1], g_free);
  g_clear_pointer (&self->emi_source, g_bytes_unref);
  g_clear_pointer (&self->emi_name, g_free);

  G_OBJECT_CLASS (sf_da_parent_class)->finalize (object);
}

static void
sf_da_class_init (SfDaClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sf_da_dispose;
  object_class->finalize = sf_da_finalize;
}

static void
sf_da_init (SfDa *self)
{
}

/**
 * sf_da_new:
 * @transport: the link right after a successful JUMP_DA
 *
 * Returns: (transfer full): a DA session over @transport.
 */
SfDa *
sf_da_new (SfTransport *transport)
{
  SfDa *self;

  g_return_val_if_fail (SF_IS_TRANSPORT (transport), NULL);

  self = g_object_new (SF_TYPE_DA, NULL);
  self->wire.transport = g_object_ref (transport);
  self->wire.peer = SF_WIRE_PEER_DA;
  self->wire.write_timeout_ms = SF_DA_PACKET_TIMEOUT_MS;
  self->wire.reply_timeout_ms = SF_DA_REPLY_TIMEOUT_MS;
  return self;
}

const SfDaInfo *
sf_da_get_info (SfDa *self)
{
  g_return_val_if_fail (SF_IS_DA (self), NULL);

  return &self->info;
}

const char *
sf_da_storage_type_to_string (SfDaStorageType type)
{
  switch (type) {
  case SF_DA_STORAGE_TYPE_EMMC: return "EMMC";
  case SF_DA_STORAGE_TYPE_SDMMC: return "SDMMC";
  case SF_DA_STORAGE_TYPE_NAND: return "NAND";
  case SF_DA_STORAGE_TYPE_NOR: return "NOR";
  case SF_DA_STORAGE_TYPE_UNKNOWN:
  default: return "unknown";
  }
}

/* Every data byte goes through here once: add eight at a time, as four
 * 16-bit lanes of a 64-bit word (a lane takes 2 × 255 per word, so 128
 * words fit before it could carry), then fold the lanes. */
guint16
sf_da_checksum_update (guint16       sum,
                       const guint8 *data,
                       gsize         len)
{
  return sf_mtk_byte_sum16 (sum, data, len);
}

/* ---- wire helpers -------------------------------------------------------- */

static const char *
da_status_name (guint32 status)
{
  switch (status) {
  case 3007: return "S_DA_RAM_ERROR (older numbering)";
  case 3011: return "S_DA_RAM_ERROR";
  case 3012: return "S_DA_DEVICE_NOT_FOUND";
  case 3015: return "S_DA_NOR_FLASH_NOT_FOUND";
  case 3016: return "S_DA_NAND_FLASH_NOT_FOUND";
  case 3149: return "S_DA_EMMC_FLASH_NOT_FOUND";
  case 3153: return "S_DA_SDMMC_READ_FAILED";
  case 3154: return "S_DA_SDMMC_WRITE_FAILED";
  case SF_DA_ERR_NO_PMT: return "no partition table";
  case SF_DA_ERR_CHECKSUM: return "packet checksum";
  case SF_DA_ERR_WRITE_PMT: return "partition table not stored";
  default: return "?";
  }
}

/* §13.7: the DA answered A5 + @status where @what needed something else.
 * The security DA builds' refusals have their own names (§13.10); any
 * other code fails the operation (@code) with the number in the message. */
static void
set_reply_error (GError     **error,
                 SfError      code,
                 const char  *what,
                 guint32      status)
{
  switch (status) {
  case SF_DA_ERR_SEC_DOWNLOAD:
    sf_set_device_error (error, SF_ERROR_SEC_DOWNLOAD_FORBIDDEN, _("the download agent refused %s"), what);
    return;
  case SF_DA_ERR_SEC_READBACK:
    sf_set_device_error (error, SF_ERROR_SEC_READBACK_FORBIDDEN, _("the download agent refused %s"), what);
    return;
  case SF_DA_ERR_SEC_FORMAT:
    sf_set_device_error (error, SF_ERROR_SEC_FORMAT_FORBIDDEN, _("the download agent refused %s"), what);
    return;
  default:
    if (g_strcmp0 (da_status_name (status), "?") == 0)
      sf_set_device_error (error, code, _("the download agent refused %s with error %u"), what, status);
    else
      sf_set_device_error (error, code, _("the download agent refused %s with error %u (%s)"),
                           what, status, da_status_name (status));
    return;
  }
}

/* Reads the u32 of an error reply whose A5 was just read; nothing is sent
 * back (§13.7: another A5 would run as READ_PMT). */
static gboolean
read_reply_code (SfDa          *self,
                 SfError        code,
                 const char    *what,
                 guint32       *status,
                 GCancellable  *cancellable,
                 GError       **error)
{
  if (!sf_wire_read_be (&self->wire, 4, status, code, what, cancellable, error))
    return FALSE;
  g_debug ("DA: error reply A5 + %u (0x%X) to %s", *status, *status, what);
  return TRUE;
}

/* Reads one byte that must be @want; an error reply (A5 + u32) instead is
 * read whole and reported, with its code in @out_status when given. */
static gboolean
expect_status (SfDa          *self,
               guint8         want,
               guint          timeout_ms,
               SfError        code,
               const char    *what,
               guint32       *out_status,
               GCancellable  *cancellable,
               GError       **error)
{
  guint8 got;

  if (out_status != NULL)
    *out_status = 0;
  if (!sf_wire_read (&self->wire, &got, 1, timeout_ms, code, what, cancellable, error))
    return FALSE;
  if (got == want)
    return TRUE;
  if (got == SF_DA_NACK) {
    guint32 status = 0;

    if (!read_reply_code (self, code, what, &status, cancellable, error))
      return FALSE;
    if (out_status != NULL)
      *out_status = status;
    set_reply_error (error, code, what, status);
    return FALSE;
  }
  sf_set_device_error (error, code, _("the download agent answered %s with 0x%02X instead of 0x%02X"),
                       what, got, want);
  return FALSE;
}

static gboolean
expect (SfDa          *self,
        guint8         want,
        guint          timeout_ms,
        SfError        code,
        const char    *what,
        GCancellable  *cancellable,
        GError       **error)
{
  return expect_status (self, want, timeout_ms, code, what, NULL, cancellable, error);
}

/* ---- §6.2 DA1 start report ------------------------------------------------ */

gboolean
sf_da_sync (SfDa          *self,
            GCancellable  *cancellable,
            GError       **error)
{
  const SfError code = SF_ERROR_FT_DA_INIT_SYNC_ERROR;
  const char *what = _("the start report of the download agent");
  SfDaInfo *info;
  GError *local = NULL;
  guint8 sync, b[4];

  g_return_val_if_fail (SF_IS_DA (self), FALSE);

  info = &self->info;
  if (!sf_transport_read_byte (self->wire.transport, &sync, SF_DA_SYNC_TIMEOUT_MS, cancellable, &local)) {
    sf_wire_fail_io (&self->wire, error, local, SF_ERROR_FT_DA_NO_RESPONSE, _("JUMP_DA (no sync byte)"));
    return FALSE;
  }
  if (sync != SF_DA_SYNC_CHAR) {
    sf_set_device_error (error, SF_ERROR_FT_DA_SYNC_INCORRECT,
                         _("the download agent started with 0x%02X instead of the sync byte 0x%02X"),
                         sync, SF_DA_SYNC_CHAR);
    return FALSE;
  }

  if (!sf_wire_read_be (&self->wire, 4, &info->nand_ret, code, what, cancellable, error) ||
      !sf_wire_read (&self->wire, b, 2, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error))
    return FALSE;
  info->nand_id_count = sf_wire_be16 (b);
  /* A real count is a handful; more means we are out of step. */
  if (info->nand_id_count > 64) {
    sf_set_device_error (error, code, _("the download agent reports %u NAND IDs"), info->nand_id_count);
    return FALSE;
  }
  for (guint i = 0; i < info->nand_id_count; i++) {
    if (!sf_wire_read (&self->wire, b, 2, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error))
      return FALSE;
    if (i < G_N_ELEMENTS (info->nand_ids))
      info->nand_ids[i] = sf_wire_be16 (b);
  }
  if (!sf_wire_read_be (&self->wire, 4, &info->emmc_ret, code, what, cancellable, error) ||
      !sf_wire_read (&self->wire, info->emmc_id, sizeof info->emmc_id, SF_DA_REPLY_TIMEOUT_MS, code, what,
            cancellable, error))
    return FALSE;

  if (!sf_wire_write_u8 (&self->wire, SF_DA_ACK, code, what, cancellable, error) ||
      !sf_wire_read (&self->wire, info->da_version, 3, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error))
    return FALSE;

  g_debug ("DA1: nand_ret 0x%X, %u NAND IDs, emmc_ret 0x%X, emmc id %02X%02X%02X%02X…, DA v%u.%u (%02X)",
           info->nand_ret, info->nand_id_count, info->emmc_ret,
           info->emmc_id[0], info->emmc_id[1], info->emmc_id[2], info->emmc_id[3],
           info->da_version[0], info->da_version[1], info->da_version[2]);

  /* §13.1: with FF here DA1 skips the stage-2 config and goes to its
   * finish handler; sending the config would hang both ends. */
  if (info->da_version[2] == SF_DA_VERSION_NO_STAGE2) {
    sf_set_device_error (error, SF_ERROR_FT_DA_VERSION_INCORRECT,
                         _("the download agent (v%u.%u) ended its setup before the stage-2 configuration"),
                         info->da_version[0], info->da_version[1]);
    return FALSE;
  }
  return TRUE;
}

/* ---- §6.3 stage-2 config --------------------------------------------------- */

void
sf_da_set_emi_source (SfDa       *self,
                      GBytes     *preloader,
                      const char *name)
{
  g_return_if_fail (SF_IS_DA (self));

  g_clear_pointer (&self->emi_source, g_bytes_unref);
  g_clear_pointer (&self->emi_name, g_free);
  if (preloader != NULL) {
    self->emi_source = g_bytes_ref (preloader);
    self->emi_name = g_strdup (name != NULL ? name : "the preloader");
  }
}

/* §13.3 ENABLE_DRAM with the one EMI entry made for this phone's memory
 * chip (§13.4). The entry is chosen before E8 goes out: without one,
 * nothing is sent — another board's settings are how "universal" firmware
 * kills phones. */
static gboolean
enable_dram (SfDa          *self,
             GCancellable  *cancellable,
             GError       **error)
{
  const SfError code = SF_ERROR_FT_ENABLE_DRAM_FAIL;
  const char *what = "ENABLE_DRAM (E8)";
  SfDaInfo *info = &self->info;
  guint8 entry[1 + SF_EMI_V11_ENTRY_LEN];
  guint8 b[5];
  guint8 dram_id[16];
  guint32 emi_len = 0, ret = 0;
  guint16 sum;
  guint n = 0;

  if (self->emi_source == NULL) {
    sf_set_device_error (error, SF_ERROR_DL_GET_DRAM_SETTING_FAIL,
                         _("the phone came up through its BootROM, and its DRAM must be set up with settings from a preloader, but none was given"));
    return FALSE;
  }
  {
    gsize len = 0;
    const guint8 *data = g_bytes_get_data (self->emi_source, &len);

    if (!sf_preloader_find_emi (data, len, self->emi_name, info->brom_cid, entry + 1, &n, error))
      return FALSE;
  }
  info->emi_entry = n;

  b[0] = SF_DA_CMD_ENABLE_DRAM;
  sf_wire_put_be32 (b + 1, SF_EMI_V11_VERSION);
  if (!sf_wire_write (&self->wire, b, 5, code, what, cancellable, error) ||
      !expect (self, SF_DA_ACK, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error) ||
      !sf_wire_read (&self->wire, dram_id, sizeof dram_id, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error) ||
      !sf_wire_read_be (&self->wire, 4, &emi_len, code, what, cancellable, error))
    return FALSE;
  if (emi_len != SF_EMI_V11_ENTRY_LEN) {
    /* Not the DA this code knows: do not guess what it wants. */
    sf_set_device_error (error, code, _("the download agent asks for %u bytes of DRAM settings, not %u"),
                         emi_len, SF_EMI_V11_ENTRY_LEN);
    return FALSE;
  }
  entry[0] = SF_DA_ACK;
  if (!sf_wire_write (&self->wire, entry, sizeof entry, code, what, cancellable, error) ||
      !sf_wire_read (&self->wire, b, 2, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error))
    return FALSE;
  sum = sf_da_checksum_update (0, entry + 1, SF_EMI_V11_ENTRY_LEN);
  if (sf_wire_be16 (b) != sum) {
    sf_set_device_error (error, code, _("the DRAM settings arrived damaged (checksum 0x%04X, sent 0x%04X)"),
                         sf_wire_be16 (b), sum);
    return FALSE;
  }
  b[0] = SF_DA_ACK;
  sf_wire_put_be32 (b + 1, 0x80000001);   /* mtkclient's value (§13.3 step 7) */
  if (!sf_wire_write (&self->wire, b, 5, code, what, cancellable, error))
    return FALSE;
  {
    guint8 r[4];

    if (!sf_wire_read (&self->wire, r, 4, SF_DA_DRAM_TIMEOUT_MS, code, what, cancellable, error))
      return FALSE;
    ret = sf_wire_be32 (r);
  }
  info->ext_ram_ret_e8 = ret;
  if (ret != 0) {
    sf_set_device_error (error, code,
                         _("the phone's DRAM did not start with the settings for its memory chip (entry %u of %s, status 0x%X)"),
                         n, self->emi_name, ret);
    return FALSE;
  }
  {
    guint8 r[10];

    if (!sf_wire_read (&self->wire, r, sizeof r, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error))
      return FALSE;
    info->ext_ram_type = r[0];
    info->ext_ram_chip_select = r[1];
    info->ext_ram_size = sf_wire_be64 (r + 2);
  }
  g_debug ("DA1: DRAM up: type %u, %" PRIu64 " bytes", info->ext_ram_type, info->ext_ram_size);
  return TRUE;
}

/* §13.2: after 0xBBF/0xBC3 DA1 sends, unasked, the eMMC status, the CID in
 * raw byte order, the NAND status and the NAND IDs. Sizes come from the
 * count on the wire. */
static gboolean
read_brom_report (SfDa          *self,
                  GCancellable  *cancellable,
                  GError       **error)
{
  const SfError code = SF_ERROR_FT_ENABLE_DRAM_FAIL;
  const char *what = _("the BootROM storage report");
  SfDaInfo *info = &self->info;
  guint32 emmc_status = 0, nand_status = 0;
  guint8 b[2];
  guint16 n;

  if (!sf_wire_read_be (&self->wire, 4, &emmc_status, code, what, cancellable, error) ||
      !sf_wire_read (&self->wire, info->brom_cid, sizeof info->brom_cid, SF_DA_REPLY_TIMEOUT_MS, code, what,
                     cancellable, error) ||
      !sf_wire_read_be (&self->wire, 4, &nand_status, code, what, cancellable, error) ||
      !sf_wire_read (&self->wire, b, 2, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error))
    return FALSE;
  n = sf_wire_be16 (b);
  if (n > 64) {
    sf_set_device_error (error, code, _("the download agent reports %u NAND IDs"), n);
    return FALSE;
  }
  for (guint i = 0; i < n; i++) {
    if (!sf_wire_read (&self->wire, b, 2, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error))
      return FALSE;
  }
  info->have_brom_cid = TRUE;
  g_debug ("DA1 (BootROM): eMMC status 0x%X, CID %02X%02X%02X%02X…, NAND status 0x%X, %u NAND IDs",
           emmc_status, info->brom_cid[0], info->brom_cid[1], info->brom_cid[2], info->brom_cid[3],
           nand_status, n);
  return TRUE;
}

gboolean
sf_da_send_stage2_config (SfDa              *self,
                          const SfBromInfo  *brom,
                          GCancellable      *cancellable,
                          GError           **error)
{
  const SfError code = SF_ERROR_FT_DA_INIT_SYNC_ERROR;
  const char *what = _("the stage-2 configuration");
  guint8 cfg[SF_DA_STAGE2_CONFIG_LEN + 4 + 20];
  gsize len = SF_DA_STAGE2_CONFIG_LEN;
  guint16 hw_code;
  guint32 status;

  g_return_val_if_fail (SF_IS_DA (self), FALSE);
  g_return_val_if_fail (brom != NULL, FALSE);

  hw_code = brom->hw_code;

  /* mtkclient's values (set_stage2_config), field by field as in §6.3;
   * the BMT flag and size and the tail per chip as §13.11 lists them. */
  cfg[0] = brom->brom_ver;
  cfg[1] = brom->bl_ver;
  cfg[2] = 0x00;                   /* nor_chip_select: 0x0008, CS_WITH_DECODER */
  cfg[3] = 0x08;
  cfg[4] = 0x00;                   /* nand_chip_select */
  sf_wire_put_be32 (cfg + 5, 0x7007FFFF);  /* nand_acccon */
  cfg[9] = 0x00;                   /* BMT present (MT6572 eMMC: 0) */
  sf_wire_put_be32 (cfg + 10, 0x000000A8); /* BMT size (MT6572 eMMC: 0xA8) */
  cfg[14] = 0x01;                  /* force_charge */
  cfg[15] = 0x01;                  /* reset_key */
  cfg[16] = 0x02;                  /* ext_clock: 26 MHz */
  cfg[17] = 0x00;                  /* MSDC boot channel */

  switch (hw_code) {
  case SF_HW_CODE_MT6582:
    cfg[9] = 0x02;
    sf_wire_put_be32 (cfg + 10, 0x01500000);
    sf_wire_put_be32 (cfg + len, 1);
    len += 4;
    break;
  case SF_HW_CODE_MT6592:
    cfg[9] = 0x01;
    sf_wire_put_be32 (cfg + 10, 0x01500000);
    sf_wire_put_be32 (cfg + len, 0);
    len += 4;
    break;
  case SF_HW_CODE_MT6580: {
    static const guint8 tail[20] = { 0x46, 0x46, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0, 0, 0 };

    cfg[9] = 0x01;
    sf_wire_put_be32 (cfg + 10, 0);
    sf_wire_put_be32 (cfg + len, 1);
    len += 4;
    memcpy (cfg + len, tail, sizeof tail);
    len += sizeof tail;
    break;
  }
  default:
    break;
  }

  if (!sf_wire_write (&self->wire, cfg, len, code, what, cancellable, error) ||
      !sf_wire_read_be (&self->wire, 4, &status, code, what, cancellable, error))
    return FALSE;

  self->info.dram_status = status;
  if (status == SF_DA_STATUS_RAM_ERROR || status == SF_DA_STATUS_RAM_ERROR_OLD) {
    if (!read_brom_report (self, cancellable, error) ||
        !enable_dram (self, cancellable, error))
      return FALSE;
    g_debug ("DA1: DRAM set up from %s, entry %u", self->emi_name, self->info.emi_entry);
    return TRUE;
  }
  if (status != SF_DA_STATUS_OK) {
    sf_set_device_error (error, code, _("the download agent reported status 0x%X (%u, %s) after the stage-2 configuration"),
                         status, status, da_status_name (status));
    return FALSE;
  }

  if (hw_code == SF_HW_CODE_MT6592) {
    guint8 extra[20];

    if (!sf_wire_read (&self->wire, extra, sizeof extra, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error))
      return FALSE;
  }

  g_debug ("DA1: DRAM ready");
  return TRUE;
}

/* ---- §6.4 DA2 upload ------------------------------------------------------- */

gboolean
sf_da_upload_da2 (SfDa            *self,
                  guint32          addr,
                  guint32          length,
                  GInputStream    *data,
                  SfProgressFunc   progress,
                  gpointer         user_data,
                  GCancellable    *cancellable,
                  GError         **error)
{
  const SfError code = SF_ERROR_BROM_DOWNLOAD_DA_FAIL;
  const char *what = _("the second stage of the download agent");
  guint8 hdr[12];
  guint8 buf[SF_DA2_PACKET_SIZE];
  guint32 sent = 0;

  g_return_val_if_fail (SF_IS_DA (self), FALSE);
  g_return_val_if_fail (G_IS_INPUT_STREAM (data), FALSE);

  g_debug ("DA2: %u bytes to 0x%08X", length, addr);
  sf_wire_put_be32 (hdr, addr);
  sf_wire_put_be32 (hdr + 4, length);
  sf_wire_put_be32 (hdr + 8, SF_DA2_PACKET_SIZE);
  if (!sf_wire_write (&self->wire, hdr, sizeof hdr, code, what, cancellable, error) ||
      !expect (self, SF_DA_ACK, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error))
    return FALSE;

  while (sent < length) {
    gsize want = MIN ((gsize) SF_DA2_PACKET_SIZE, (gsize) (length - sent));
    gsize got = 0;

    if (!g_input_stream_read_all (data, buf, want, &got, cancellable, error))
      return FALSE;
    if (got < want) {
      sf_set_device_error (error, SF_ERROR_INVALID_DA_FILE,
                           _("the DA2 region ends after %u of its %u bytes"), sent + (guint32) got, length);
      return FALSE;
    }
    if (!sf_wire_write (&self->wire, buf, got, code, what, cancellable, error) ||
        !expect (self, SF_DA_ACK, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error))
      return FALSE;
    sent += (guint32) got;
    if (progress != NULL)
      progress (sent, length, user_data);
  }

  if (!sf_wire_write_u8 (&self->wire, SF_DA_ACK, code, what, cancellable, error) ||
      !expect (self, SF_DA_ACK, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error))
    return FALSE;

  g_debug ("DA2: running");
  return TRUE;
}

/* ---- §6.5 flash report ----------------------------------------------------- */

gboolean
sf_da_read_flash_info (SfDa          *self,
                       GCancellable  *cancellable,
                       GError       **error)
{
  const SfError code = SF_ERROR_FT_DA_INIT_SYNC_ERROR;
  const char *what = _("the storage report of the download agent");
  SfDaInfo *info;
  guint8 nor[28], nand[17], nand2[9], emmc[92], sdc[28], cfg[38], pass[10];
  guint16 id_count;
  gsize more;

  g_return_val_if_fail (SF_IS_DA (self), FALSE);

  info = &self->info;

  if (!sf_wire_read (&self->wire, nor, sizeof nor, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error) ||
      !sf_wire_read (&self->wire, nand, sizeof nand, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error))
    return FALSE;

  info->nor_ret = sf_wire_be32 (nor);
  info->nor_size = sf_wire_be32 (nor + 8);

  /* The NAND block is 17 bytes in the "64-bit" layout; an id_count of 0
   * there means the "32-bit" layout, whose last 4 bytes are already the
   * first two dev codes (§6.5, project contract). */
  info->nand_ret2 = sf_wire_be32 (nand);
  id_count = sf_wire_be16 (nand + 15);
  if (id_count != 0) {
    info->nand_size = sf_wire_be64 (nand + 7);
    more = 2 * (gsize) id_count;
  } else {
    info->nand_size = sf_wire_be32 (nand + 7);
    id_count = sf_wire_be16 (nand + 11);
    more = id_count > 2 ? 2 * (gsize) id_count - 4 : 0;
  }
  if (id_count > 64) {
    sf_set_device_error (error, code, _("the download agent reports %u NAND device codes"), id_count);
    return FALSE;
  }
  while (more > 0) {
    guint8 skip[2];

    if (!sf_wire_read (&self->wire, skip, 2, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error))
      return FALSE;
    more -= 2;
  }

  if (!sf_wire_read (&self->wire, nand2, sizeof nand2, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error) ||
      !sf_wire_read (&self->wire, emmc, sizeof emmc, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error) ||
      !sf_wire_read (&self->wire, sdc, sizeof sdc, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error) ||
      !sf_wire_read (&self->wire, cfg, sizeof cfg, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error) ||
      !sf_wire_read (&self->wire, pass, sizeof pass, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error))
    return FALSE;

  info->nand_page_size = sf_wire_be16 (nand2);

  info->emmc_ret2 = sf_wire_be32 (emmc);
  info->emmc_boot1_size = sf_wire_be64 (emmc + 4);
  info->emmc_boot2_size = sf_wire_be64 (emmc + 12);
  info->emmc_rpmb_size = sf_wire_be64 (emmc + 20);
  for (guint i = 0; i < 4; i++)
    info->emmc_gp_size[i] = sf_wire_be64 (emmc + 28 + 8 * i);
  info->emmc_user_size = sf_wire_be64 (emmc + 60);
  memcpy (info->emmc_cid, emmc + 68, 16);
  memcpy (info->emmc_fw_ver, emmc + 84, 8);

  info->sdc_ret = sf_wire_be32 (sdc);
  info->sdc_user_size = sf_wire_be64 (sdc + 4);

  info->int_sram_ret = sf_wire_be32 (cfg);
  info->int_sram_size = sf_wire_be32 (cfg + 4);
  info->ext_ram_ret = sf_wire_be32 (cfg + 8);
  info->ext_ram_type = cfg[12];
  info->ext_ram_chip_select = cfg[13];
  info->ext_ram_size = sf_wire_be64 (cfg + 14);

  info->download_status = sf_wire_be32 (pass + 1);
  info->boot_style = sf_wire_be32 (pass + 5);
  if (pass[0] != SF_DA_ACK) {
    /* mtkclient also accepts the report one byte late. */
    if ((info->download_status & 0xFF) == SF_DA_ACK) {
      guint8 extra;

      if (!sf_wire_read (&self->wire, &extra, 1, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error))
        return FALSE;
    } else {
      sf_set_device_error (error, code, _("the storage report ends with 0x%02X instead of 0x%02X"),
                           pass[0], SF_DA_ACK);
      return FALSE;
    }
  } else if (pass[9] != SF_DA_SOC_OK) {
    g_debug ("DA2: report ends with 0x%02X, not SOC_OK", pass[9]);
  }

  info->user_size = info->emmc_user_size != 0 ? info->emmc_user_size : info->sdc_user_size;
  if (info->emmc_ret2 == SF_DA_STATUS_OK && info->emmc_user_size != 0)
    info->storage_type = SF_DA_STORAGE_TYPE_EMMC;
  else if (info->sdc_ret == SF_DA_STATUS_OK && info->sdc_user_size != 0)
    info->storage_type = SF_DA_STORAGE_TYPE_SDMMC;
  else if (info->nand_ret2 == SF_DA_STATUS_OK && info->nand_size != 0)
    info->storage_type = SF_DA_STORAGE_TYPE_NAND;
  else if (info->nor_ret == SF_DA_STATUS_OK && info->nor_size != 0)
    info->storage_type = SF_DA_STORAGE_TYPE_NOR;
  else
    info->storage_type = SF_DA_STORAGE_TYPE_UNKNOWN;
  self->have_flash_info = TRUE;

  g_debug ("DA2: %s, boot1 %" PRIu64 ", boot2 %" PRIu64 ", rpmb %" PRIu64
           ", user %" PRIu64 ", RAM %" PRIu64,
           sf_da_storage_type_to_string (info->storage_type), info->emmc_boot1_size,
           info->emmc_boot2_size, info->emmc_rpmb_size, info->user_size, info->ext_ram_size);
  return TRUE;
}

/* ---- §6.6 ----------------------------------------------------------------- */

/* 72: 5A and the speed byte, within @timeout_ms. */
static gboolean
usb_status (SfDa          *self,
            guint          timeout_ms,
            GCancellable  *cancellable,
            GError       **error)
{
  const SfError code = SF_ERROR_FT_DA_NO_RESPONSE;
  const char *what = "USB_CHECK_STATUS (72)";

  if (!sf_wire_write_u8 (&self->wire, SF_DA_CMD_USB_CHECK_STATUS, code, what, cancellable, error) ||
      !expect (self, SF_DA_ACK, timeout_ms, code, what, cancellable, error) ||
      !sf_wire_read (&self->wire, &self->info.usb_speed, 1, timeout_ms, code, what, cancellable, error))
    return FALSE;
  g_debug ("DA: USB %s speed", self->info.usb_speed == SF_DA_USB_FULL_SPEED ? "full" : "high");
  return TRUE;
}

gboolean
sf_da_check_usb_status (SfDa          *self,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_return_val_if_fail (SF_IS_DA (self), FALSE);

  return usb_status (self, SF_DA_REPLY_TIMEOUT_MS, cancellable, error);
}

gboolean
sf_da_switch_usb_speed (SfDa          *self,
                        GCancellable  *cancellable,
                        GError       **error)
{
  const SfError code = SF_ERROR_FT_DA_NO_RESPONSE;
  const char *what = "USB_SETUP_PORT (70)";
  const guint8 cmd[2] = { SF_DA_CMD_USB_SETUP_PORT, SF_DA_USB_HIGH_SPEED };
  g_autofree char *path = NULL;
  g_autoptr(GError) last_error = NULL;
  gint64 t0, deadline;
  guint tries = 0, asked = 0;

  g_return_val_if_fail (SF_IS_DA (self), FALSE);

  if (self->info.usb_speed != SF_DA_USB_FULL_SPEED)
    return TRUE;

  path = g_strdup (sf_transport_get_path (self->wire.transport));
  /* Whatever arrives from here on may be the phone coming back. */
  t0 = g_get_monotonic_time ();
  if (!sf_wire_write (&self->wire, cmd, sizeof cmd, code, what, cancellable, error) ||
      !expect (self, SF_DA_ACK, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error))
    return FALSE;

  /* The phone leaves the bus and comes back as the DA's own port
   * (0e8d:2001): the device monitor's next arrival on its socket (another
   * tty name), or the same tty path once cdc_acm has bound it again
   * (sf-port-return.c). No handshake is repeated. The node may show up
   * before the phone answers on it, or still be the old one for a moment:
   * the port is back when 72 is answered on it. */
  g_debug ("DA: switching to USB high speed, waiting for %s to come back", path);
  sf_transport_close (self->wire.transport, NULL);
  deadline = t0 + (gint64) SF_DA_REENUMERATE_TIMEOUT_MS * 1000;
  for (;;) {
    g_autoptr(SfTransport) again = NULL;
    g_autofree char *back = NULL;
    gint64 left;

    if (g_cancellable_set_error_if_cancelled (cancellable, error))
      return FALSE;
    left = (deadline - g_get_monotonic_time ()) / 1000;
    if (left <= 0) {
      sf_set_device_error (error, SF_ERROR_USB_SPEED_SWITCH,
                           _("%s did not come back within %u s of the switch to USB high speed, neither on "
                             "that port nor on a new one (%s)"),
                           path, SF_DA_REENUMERATE_TIMEOUT_MS / 1000,
                           last_error != NULL ? last_error->message : "?");
      return FALSE;
    }
    /* The first try at once: a port that stays (a pty, a tty kept by
     * cdc_acm) answers within a millisecond. */
    if (tries++ > 0)
      g_usleep (SF_DA_REENUMERATE_POLL_MS * 1000);
    g_clear_error (&last_error);
    again = sf_port_return_open (path, t0, &back, &last_error);
    if (again == NULL)
      continue;
    g_debug ("DA: trying %s", back);
    g_set_object (&self->wire.transport, again);
    /* What an earlier try's 72 left behind is not this one's answer. */
    sf_transport_drain (self->wire.transport, 0, NULL, cancellable, NULL);
    if (usb_status (self, (guint) CLAMP (left, SF_DA_REENUMERATE_POLL_MS, 2000), cancellable, &last_error)) {
      /* A 72 of an earlier try may still be answered: nothing else comes
       * unasked now, so let it pass. The first 72 has none before it. */
      if (asked > 0)
        sf_transport_drain (self->wire.transport, 100, NULL, cancellable, NULL);
      break;
    }
    asked++;
    if (g_error_matches (last_error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      g_propagate_error (error, g_steal_pointer (&last_error));
      return FALSE;
    }
    sf_transport_close (self->wire.transport, NULL);
  }
  g_debug ("DA: %s back after %.1f s", path, (g_get_monotonic_time () - t0) / 1e6);

  /* A phone behind a USB 1.1 port or hub stays at full speed: slow, but
   * not an error. */
  if (self->info.usb_speed == SF_DA_USB_FULL_SPEED)
    g_debug ("DA: still at USB full speed after the switch");
  return TRUE;
}

gboolean
sf_da_start (SfDa              *self,
             const SfBromInfo  *brom,
             SfDaFile          *da_file,
             const SfDaEntry   *entry,
             SfProgressFunc     progress,
             gpointer           user_data,
             GCancellable      *cancellable,
             GError           **error)
{
  g_autoptr(GInputStream) da2 = NULL;
  const SfDaRegion *region;

  g_return_val_if_fail (SF_IS_DA (self), FALSE);
  g_return_val_if_fail (brom != NULL, FALSE);
  g_return_val_if_fail (SF_IS_DA_FILE (da_file), FALSE);
  g_return_val_if_fail (entry != NULL, FALSE);

  if (entry->n_regions <= SF_DA_REGION_DA2) {
    sf_set_device_error (error, SF_ERROR_INVALID_DA_FILE,
                         _("the DA entry for 0x%04X has %u regions, not 3"), entry->hw_code, entry->n_regions);
    return FALSE;
  }
  region = &entry->regions[SF_DA_REGION_DA2];

  if (!sf_da_sync (self, cancellable, error) ||
      !sf_da_send_stage2_config (self, brom, cancellable, error))
    return FALSE;

  da2 = sf_da_file_open_region (da_file, entry, SF_DA_REGION_DA2, cancellable, error);
  if (da2 == NULL)
    return FALSE;

  return sf_da_upload_da2 (self, region->address, region->length, da2, progress, user_data,
                           cancellable, error) &&
         sf_da_read_flash_info (self, cancellable, error) &&
         sf_da_check_usb_status (self, cancellable, error) &&
         sf_da_switch_usb_speed (self, cancellable, error);
}

/* ---- flash commands ------------------------------------------------------ */

static gboolean
check_storage (SfDa     *self,
               GError  **error)
{
  if (self->have_flash_info && self->info.storage_type != SF_DA_STORAGE_TYPE_EMMC) {
    sf_set_device_error (error, SF_ERROR_DA_EMMC_NOT_FOUND,
                         _("the phone's storage is %s, and Scatterflash only writes eMMC"),
                         sf_da_storage_type_to_string (self->info.storage_type));
    return FALSE;
  }
  return TRUE;
}

/* The hardware partition's size from the DA2 report, its real place in
 * the linear space (§13.9). */
static guint64
hw_size (SfDa  *self,
         guint  part)
{
  switch (part) {
  case SF_EMMC_PART_BOOT1: return self->info.emmc_boot1_size;
  case SF_EMMC_PART_BOOT2: return self->info.emmc_boot2_size;
  case SF_EMMC_PART_RPMB: return self->info.emmc_rpmb_size;
  case SF_EMMC_PART_USER: return self->info.user_size;
  default:
    if (part >= SF_EMMC_PART_GP1 && part < SF_EMMC_PART_GP1 + 4)
      return self->info.emmc_gp_size[part - SF_EMMC_PART_GP1];
    return 0;
  }
}

static guint64
hw_base (SfDa  *self,
         guint  part)
{
  guint64 base = 0;

  for (guint p = SF_EMMC_PART_BOOT1; p < part && p < SF_EMMC_PART_USER; p++)
    base += hw_size (self, p);
  return base;
}

void
sf_da_set_user_base (SfDa    *self,
                     guint64  linear)
{
  g_return_if_fail (SF_IS_DA (self));

  self->have_user_base = TRUE;
  self->user_base = linear;
  g_debug ("user area at linear 0x%" PRIX64 " (the phone's: 0x%" PRIX64 ")",
           linear, hw_base (self, SF_EMMC_PART_USER));
}

guint64
sf_da_get_user_base (SfDa *self)
{
  g_return_val_if_fail (SF_IS_DA (self), 0);

  if (self->have_user_base)
    return self->user_base;
  return hw_base (self, SF_EMMC_PART_USER);
}

guint64
sf_da_get_phone_user_base (SfDa *self)
{
  g_return_val_if_fail (SF_IS_DA (self), 0);
  return hw_base (self, SF_EMMC_PART_USER);
}

static guint64
part_base (SfDa  *self,
           guint  part)
{
  return part == SF_EMMC_PART_USER ? sf_da_get_user_base (self) : hw_base (self, part);
}

guint64
sf_da_linear_address (SfDa    *self,
                      guint    part,
                      guint64  offset)
{
  g_return_val_if_fail (SF_IS_DA (self), 0);

  return part_base (self, part) + offset;
}

/* What the host may address as @part: the user area runs from its base
 * (the firmware's, if set) to the end of the card. */
static guint64
part_size (SfDa  *self,
           guint  part)
{
  if (!self->have_flash_info)
    return 0;
  if (part == SF_EMMC_PART_USER) {
    guint64 end = hw_base (self, SF_EMMC_PART_USER) + self->info.user_size;
    guint64 base = sf_da_get_user_base (self);

    return base < end ? end - base : 0;
  }
  return hw_size (self, part);
}

static const char *
part_name (guint part)
{
  switch (part) {
  case SF_EMMC_PART_BOOT1: return "BOOT1";
  case SF_EMMC_PART_BOOT2: return "BOOT2";
  case SF_EMMC_PART_RPMB: return "RPMB";
  case SF_EMMC_PART_USER: return "USER";
  default: return "GP";
  }
}

/* S_DA_INVALID_RANGE when [offset, offset + length) is not inside @part. */
static gboolean
check_range (SfDa     *self,
             guint     part,
             guint64   offset,
             guint64   length,
             GError  **error)
{
  guint64 size = part_size (self, part);

  if (part < SF_EMMC_PART_BOOT1 || part > SF_EMMC_PART_USER) {
    sf_set_device_error (error, SF_ERROR_DA_INVALID_RANGE, _("there is no eMMC partition %u"), part);
    return FALSE;
  }
  if (part == SF_EMMC_PART_USER && self->have_flash_info &&
      sf_da_get_user_base (self) < hw_base (self, SF_EMMC_PART_USER)) {
    /* The scatter's user area would begin inside BOOT or RPMB: writing
     * there overwrites the preloader (§13.9). */
    sf_set_device_error (error, SF_ERROR_DA_INVALID_RANGE,
                         _("the firmware puts the user area at linear 0x%" PRIX64 ", inside this phone's boot partitions (the user area starts at 0x%" PRIX64 ")"),
                         sf_da_get_user_base (self), hw_base (self, SF_EMMC_PART_USER));
    return FALSE;
  }
  if (size == 0)
    return TRUE;   /* not known: the DA checks */
  if (offset > size || length > size - offset) {
    sf_set_device_error (error, SF_ERROR_DA_INVALID_RANGE,
                         _("%" PRIu64 " bytes at 0x%" PRIX64 " run past the end of the phone's %s area (%" PRIu64 " bytes)"),
                         length, offset, part_name (part), size);
    return FALSE;
  }
  return TRUE;
}

gboolean
sf_da_switch_part (SfDa          *self,
                   guint          part,
                   GCancellable  *cancellable,
                   GError       **error)
{
  const SfError code = SF_ERROR_FT_DA_NO_RESPONSE;
  const char *what = "SDMMC_SWITCH_PART (60)";

  g_return_val_if_fail (SF_IS_DA (self), FALSE);

  return sf_wire_write_u8 (&self->wire, SF_DA_CMD_SDMMC_SWITCH_PART, code, what, cancellable, error) &&
         expect (self, SF_DA_ACK, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error) &&
         sf_wire_write_u8 (&self->wire, (guint8) part, code, what, cancellable, error) &&
         expect (self, SF_DA_ACK, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error);
}

/* One SDMMC_WRITE_DATA (62) command in progress: bytes are fed in any
 * pieces and go out in 1 MiB packets. */
typedef struct {
  SfDa            *da;
  guint64          length;        /* data bytes announced */
  guint64          padded;        /* the same, rounded up to 512 */
  guint64          fed;
  guint64          sent;          /* packet bytes sent, padding included */
  gsize            fill;          /* bytes in the packet buffer */
  guint            n_packets;     /* packets sent */
  guint            cur;           /* the packet buffer being filled */
  gboolean         ack_pending;   /* the last packet sent still awaits its 69 */
  gsize            pending_data;  /* data bytes (not padding) in that packet */
  gsize            pending_len;   /* its wire bytes: 5A, data, checksum */
  guint            pending_buf;   /* the buffer that holds it */
  /* progress of the whole operation */
  guint64         *done;
  guint64          total;
  SfProgressFunc   progress;
  gpointer         user_data;
} WriteCmd;

static gboolean
write_begin (WriteCmd      *w,
             SfDa          *self,
             guint          part,
             guint64        offset,
             guint64        length,
             GCancellable  *cancellable,
             GError       **error)
{
  const SfError code = SF_ERROR_FT_DOWNLOAD_FAIL;
  const char *what = "SDMMC_WRITE_DATA (62)";
  guint8 hdr[3 + 8 + 8 + 4];

  w->da = self;
  w->length = length;
  w->padded = (length + SF_EMMC_SECTOR - 1) / SF_EMMC_SECTOR * SF_EMMC_SECTOR;
  w->fed = 0;
  w->sent = 0;
  w->fill = 0;
  w->n_packets = 0;

  if (!check_range (self, part, offset, w->padded, error))
    return FALSE;

  packet_buffer (self, 0);
  packet_buffer (self, 1);
  w->cur = 0;
  w->ack_pending = FALSE;

  g_debug ("write: %s 0x%" PRIX64 " (linear 0x%" PRIX64 "), %" PRIu64 " bytes",
           part_name (part), offset, sf_da_linear_address (self, part, offset), length);
  hdr[0] = SF_DA_CMD_SDMMC_WRITE_DATA;
  hdr[1] = SF_DA_STORAGE_EMMC;     /* §13.5: a "verify checksum" flag, any non-zero */
  hdr[2] = (guint8) part;          /* ignored by the MT6572 DA (§13.9) */
  sf_wire_put_be64 (hdr + 3, sf_da_linear_address (self, part, offset));
  sf_wire_put_be64 (hdr + 11, w->padded);
  sf_wire_put_be32 (hdr + 19, SF_DA_WRITE_PACKET_SIZE);
  return sf_wire_write (&self->wire, hdr, sizeof hdr, code, what, cancellable, error) &&
         expect (self, SF_DA_ACK, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error);
}

static gsize
write_packet_len (WriteCmd *w)
{
  return (gsize) MIN ((guint64) SF_DA_WRITE_PACKET_SIZE, w->padded - w->sent);
}

/* Where the next bytes of the packet go. */
static inline guint8 *
write_cursor (WriteCmd *w)
{
  return w->da->packets[w->cur] + 1 + w->fill;
}

/* Reads the 69 of the last packet sent (§6.8). */
static gboolean
write_wait_ack (WriteCmd      *w,
                GCancellable  *cancellable,
                GError       **error)
{
  SfDa *self = w->da;
  char what[128];
  guint8 reply;

  if (!w->ack_pending)
    return TRUE;
  w->ack_pending = FALSE;
  g_snprintf (what, sizeof what, _("packet %u of SDMMC_WRITE_DATA (62)"), w->n_packets);
  for (guint resends = 0;; resends++) {
    guint32 status = 0;

    if (!sf_wire_read (&self->wire, &reply, 1, SF_DA_PACKET_TIMEOUT_MS, SF_ERROR_FT_DOWNLOAD_FAIL, what,
                       cancellable, error))
      return FALSE;
    if (reply != SF_DA_NACK)
      break;
    if (!read_reply_code (self, SF_ERROR_FT_DOWNLOAD_FAIL, what, &status, cancellable, error))
      return FALSE;
    if (status != SF_DA_ERR_CHECKSUM) {
      set_reply_error (error, SF_ERROR_FT_DOWNLOAD_FAIL, what, status);
      return FALSE;
    }
    /* §13.5: the DA waits for that packet again; 5A + packet + checksum
     * resends it, 96 abandons the write. Anything else would make it
     * spin for good. */
    if (resends == WRITE_RESENDS) {
      sf_wire_write_u8 (&self->wire, SF_DA_STOP_CHAR, SF_ERROR_FT_DOWNLOAD_FAIL, what, cancellable, NULL);
      sf_set_device_error (error, SF_ERROR_DA_SDMMC_WRITE_FAILED,
                           _("%s arrived damaged %u times (error %u); the write was abandoned"),
                           what, resends + 1, status);
      return FALSE;
    }
    g_debug ("write: %s arrived damaged, sending it again", what);
    if (!sf_wire_write (&self->wire, self->packets[w->pending_buf], w->pending_len, SF_ERROR_FT_DOWNLOAD_FAIL,
                        what, cancellable, error))
      return FALSE;
  }
  if (reply != SF_DA_CONT_CHAR) {
    sf_set_device_error (error, SF_ERROR_DA_SDMMC_WRITE_FAILED,
                         _("the download agent answered %s with 0x%02X instead of 0x%02X"),
                         what, reply, SF_DA_CONT_CHAR);
    return FALSE;
  }
  if (w->done != NULL) {
    *w->done += w->pending_data;
    if (w->progress != NULL)
      w->progress (*w->done, w->total, w->user_data);
  }
  return TRUE;
}

/* Sends the full packet: 5A, the data, its checksum in one write, once the
 * phone has taken the one before (§6.8: strictly one packet at a time).
 * Its 69 is read before the next packet goes, or by write_end(); the next
 * packet is filled meanwhile. */
static gboolean
write_flush (WriteCmd      *w,
             GCancellable  *cancellable,
             GError       **error)
{
  SfDa *self = w->da;
  guint8 *packet = self->packets[w->cur];
  guint16 sum = sf_da_checksum_update (0, packet + 1, w->fill);
  char what[128];

  packet[0] = SF_DA_ACK;
  packet[1 + w->fill] = sum >> 8;
  packet[2 + w->fill] = sum & 0xFF;
  if (!write_wait_ack (w, cancellable, error))
    return FALSE;

  g_snprintf (what, sizeof what, _("packet %u of SDMMC_WRITE_DATA (62)"), w->n_packets + 1);
  if (!sf_wire_write (&self->wire, packet, w->fill + 3, SF_ERROR_FT_DOWNLOAD_FAIL, what, cancellable, error))
    return FALSE;

  /* Progress counts data, not padding. */
  w->pending_data = (gsize) MIN ((guint64) w->fill, w->length - MIN (w->length, w->sent));
  w->pending_len = w->fill + 3;
  w->pending_buf = w->cur;
  w->ack_pending = TRUE;
  w->sent += w->fill;
  w->fill = 0;
  w->n_packets++;
  w->cur ^= 1;
  return TRUE;
}

/* How many data bytes fit at write_cursor(): the rest of the packet, and
 * never more than the command announced. */
static gsize
write_room (WriteCmd *w)
{
  return (gsize) MIN ((guint64) (write_packet_len (w) - w->fill), w->length - w->fed);
}

/* @n bytes were put at write_cursor(); sends the packet once it is full. */
static gboolean
write_commit (WriteCmd      *w,
              gsize          n,
              GCancellable  *cancellable,
              GError       **error)
{
  w->fill += n;
  w->fed += n;
  if (w->fill == write_packet_len (w))
    return write_flush (w, cancellable, error);
  return TRUE;
}

/* Feeds the RAW data of the current chunk of @reader, read straight into
 * the packet buffer. */
static gboolean
write_feed_raw (WriteCmd        *w,
                SfSparseReader  *reader,
                GCancellable    *cancellable,
                GError         **error)
{
  for (;;) {
    gsize room = write_room (w);
    gssize n;

    if (room == 0) {
      /* The command is complete; the chunk must be too. */
      guint8 extra;

      n = sf_sparse_reader_read_data (reader, &extra, 1, cancellable, error);
      if (n < 0)
        return FALSE;
      if (n > 0) {
        sf_set_error_at (error, SF_ERROR_FAILED, NULL, 0, NULL, "internal: more data than announced");
        return FALSE;
      }
      return TRUE;
    }
    n = sf_sparse_reader_read_data (reader, write_cursor (w), room, cancellable, error);
    if (n < 0)
      return FALSE;
    if (n == 0)
      return TRUE;
    if (!write_commit (w, (gsize) n, cancellable, error))
      return FALSE;
  }
}

/* Feeds @len bytes of a FILL pattern, generated in place. */
static gboolean
write_feed_fill (WriteCmd      *w,
                 const guint8   fill[4],
                 guint64        len,
                 GCancellable  *cancellable,
                 GError       **error)
{
  guint64 at = 0;

  if (len > w->length - w->fed) {
    sf_set_error_at (error, SF_ERROR_FAILED, NULL, 0, NULL,
                     "internal: %" PRIu64 " bytes more than announced", len);
    return FALSE;
  }
  while (at < len) {
    gsize n = (gsize) MIN ((guint64) write_room (w), len - at);

    sf_sparse_fill_pattern (fill, at, write_cursor (w), n);
    if (!write_commit (w, n, cancellable, error))
      return FALSE;
    at += n;
  }
  return TRUE;
}

static gboolean
write_end (WriteCmd      *w,
           GCancellable  *cancellable,
           GError       **error)
{
  if (w->fed != w->length) {
    sf_set_error_at (error, SF_ERROR_FAILED, NULL, 0, NULL,
                     "internal: %" PRIu64 " of %" PRIu64 " bytes fed",
                     w->fed, w->length);
    return FALSE;
  }
  if (w->sent < w->padded) {
    gsize pad = write_packet_len (w) - w->fill;

    memset (write_cursor (w), 0, pad);
    w->fill += pad;
    if (!write_flush (w, cancellable, error))
      return FALSE;
  }
  return write_wait_ack (w, cancellable, error);
}

static gboolean
write_from_stream (WriteCmd      *w,
                   GInputStream  *data,
                   guint64        length,
                   const char    *display_name,
                   GCancellable  *cancellable,
                   GError       **error)
{
  /* Read straight into the packet buffer: no copy for plain images. */
  while (w->fed < length) {
    gsize room = write_room (w);
    gsize got = 0;

    if (g_cancellable_set_error_if_cancelled (cancellable, error))
      return FALSE;
    room = (gsize) MIN ((guint64) room, length - w->fed);
    if (!g_input_stream_read_all (data, write_cursor (w), room, &got, cancellable, error))
      return FALSE;
    if (got < room) {
      sf_set_error_at (error, SF_ERROR_IMAGE_INVALID, display_name, 0, NULL,
                       _("the image ended after %" PRIu64 " of %" PRIu64 " bytes"),
                       w->fed + got, length);
      return FALSE;
    }
    if (!write_commit (w, got, cancellable, error))
      return FALSE;
  }
  return TRUE;
}

gboolean
sf_da_write (SfDa            *self,
             guint            part,
             guint64          offset,
             GInputStream    *data,
             guint64          length,
             SfProgressFunc   progress,
             gpointer         user_data,
             GCancellable    *cancellable,
             GError         **error)
{
  WriteCmd w = { 0 };
  guint64 done = 0;

  g_return_val_if_fail (SF_IS_DA (self), FALSE);
  g_return_val_if_fail (G_IS_INPUT_STREAM (data), FALSE);

  if (!check_storage (self, error))
    return FALSE;
  if (length == 0)
    return TRUE;

  w.done = &done;
  w.total = length;
  w.progress = progress;
  w.user_data = user_data;

  return write_begin (&w, self, part, offset, length, cancellable, error) &&
         write_from_stream (&w, data, length, NULL, cancellable, error) &&
         write_end (&w, cancellable, error);
}

/* A run of RAW/FILL chunks with no gap: one 62 command. */
typedef struct {
  guint64  offset;   /* in the expanded image */
  guint64  length;
} SparseRun;

/* Walks the whole image once, without writing, to find the runs. */
static GArray *
scan_sparse_runs (GInputStream  *data,
                  const char    *display_name,
                  guint64        partition_size,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(SfSparseReader) reader = NULL;
  g_autoptr(GArray) runs = g_array_new (FALSE, FALSE, sizeof (SparseRun));

  reader = sf_sparse_reader_new (data, display_name, partition_size, cancellable, error);
  if (reader == NULL)
    return NULL;

  for (;;) {
    const SfSparseChunk *chunk = NULL;

    if (!sf_sparse_reader_next (reader, &chunk, cancellable, error))
      return NULL;
    if (chunk == NULL)
      break;
    if (chunk->type != SF_SPARSE_CHUNK_RAW && chunk->type != SF_SPARSE_CHUNK_FILL)
      continue;
    if (chunk->length == 0)
      continue;
    if (runs->len > 0) {
      SparseRun *last = &g_array_index (runs, SparseRun, runs->len - 1);

      if (last->offset + last->length == chunk->offset) {
        last->length += chunk->length;
        continue;
      }
    }
    {
      SparseRun run = { chunk->offset, chunk->length };

      g_array_append_val (runs, run);
    }
  }
  return g_steal_pointer (&runs);
}

gboolean
sf_da_write_sparse (SfDa            *self,
                    guint            part,
                    guint64          offset,
                    GInputStream    *data,
                    const char      *display_name,
                    guint64          partition_size,
                    SfProgressFunc   progress,
                    gpointer         user_data,
                    GCancellable    *cancellable,
                    GError         **error)
{
  g_autoptr(SfSparseReader) reader = NULL;
  g_autoptr(GArray) runs = NULL;
  WriteCmd w = { 0 };
  gboolean in_cmd = FALSE;
  guint run_index = 0;
  guint64 done = 0;
  guint64 expanded;
  gboolean ok = FALSE;

  g_return_val_if_fail (SF_IS_DA (self), FALSE);
  g_return_val_if_fail (G_IS_INPUT_STREAM (data), FALSE);

  if (!check_storage (self, error))
    return FALSE;

  /* Check the whole image before the phone sees a byte, when we can go
   * back to the start afterwards. */
  if (G_IS_SEEKABLE (data) && g_seekable_can_seek (G_SEEKABLE (data))) {
    goffset start = g_seekable_tell (G_SEEKABLE (data));

    runs = scan_sparse_runs (data, display_name, partition_size, cancellable, error);
    if (runs == NULL)
      return FALSE;
    if (!g_seekable_seek (G_SEEKABLE (data), start, G_SEEK_SET, cancellable, error))
      return FALSE;
  }

  reader = sf_sparse_reader_new (data, display_name, partition_size, cancellable, error);
  if (reader == NULL)
    return FALSE;
  if (sf_sparse_reader_get_header (reader)->blk_sz % SF_EMMC_SECTOR != 0) {
    sf_set_error_at (error, SF_ERROR_UNSUPPORTED, display_name, 0, NULL,
                     _("the sparse block size %u is not a multiple of %u"),
                     sf_sparse_reader_get_header (reader)->blk_sz, SF_EMMC_SECTOR);
    return FALSE;
  }
  expanded = sf_sparse_reader_get_expanded_size (reader);
  if (!check_range (self, part, offset, expanded, error))
    return FALSE;

  w.done = &done;
  w.total = expanded;
  w.progress = progress;
  w.user_data = user_data;

  for (;;) {
    const SfSparseChunk *chunk = NULL;

    if (!sf_sparse_reader_next (reader, &chunk, cancellable, error))
      goto out;
    if (chunk == NULL)
      break;

    if (chunk->type == SF_SPARSE_CHUNK_CRC32)
      continue;
    if (chunk->type == SF_SPARSE_CHUNK_DONT_CARE || chunk->length == 0) {
      done += chunk->length;
      if (progress != NULL && chunk->length > 0)
        progress (done, expanded, user_data);
      continue;
    }

    /* Start a command: for the whole run when it is known, else for this
     * chunk alone. */
    if (!in_cmd) {
      guint64 len = chunk->length;

      if (runs != NULL) {
        const SparseRun *run;

        if (run_index >= runs->len ||
            (run = &g_array_index (runs, SparseRun, run_index))->offset != chunk->offset) {
          sf_set_error_at (error, SF_ERROR_IMAGE_INVALID, display_name, 0, NULL,
                           _("the sparse image changed while it was written"));
          goto out;
        }
        len = run->length;
        run_index++;
      }
      if (!write_begin (&w, self, part, offset + chunk->offset, len, cancellable, error))
        goto out;
      in_cmd = TRUE;
    }

    if (chunk->type == SF_SPARSE_CHUNK_RAW) {
      if (!write_feed_raw (&w, reader, cancellable, error))
        goto out;
    } else if (!write_feed_fill (&w, chunk->fill, chunk->length, cancellable, error)) {
      goto out;
    }

    if (w.fed == w.length) {
      if (!write_end (&w, cancellable, error))
        goto out;
      in_cmd = FALSE;
    }
  }

  if (in_cmd) {
    sf_set_error_at (error, SF_ERROR_IMAGE_INVALID, display_name, 0, NULL,
                     _("the sparse image changed while it was written"));
    goto out;
  }
  ok = TRUE;

out:
  return ok;
}

gboolean
sf_da_read (SfDa            *self,
            guint            part,
            guint64          offset,
            guint64          length,
            GOutputStream   *out,
            SfProgressFunc   progress,
            gpointer         user_data,
            GCancellable    *cancellable,
            GError         **error)
{
  const SfError code = SF_ERROR_FT_READBACK_FAIL;
  const char *what = "READ (D6)";
  guint8 hdr[3 + 8 + 8 + 4];
  guint8 *packet;
  guint64 done = 0;
  guint n_packets = 0;

  g_return_val_if_fail (SF_IS_DA (self), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);

  if (!check_storage (self, error) ||
      !check_range (self, part, offset, length, error))
    return FALSE;
  if (length == 0)
    return TRUE;

  /* No 60 before it: addresses are linear and the DA ignores 60 (§13.9). */
  packet = packet_buffer (self, 0);

  g_debug ("read: %s 0x%" PRIX64 " (linear 0x%" PRIX64 "), %" PRIu64 " bytes",
           part_name (part), offset, sf_da_linear_address (self, part, offset), length);
  hdr[0] = SF_DA_CMD_READ;
  hdr[1] = SF_DA_HOST_OS_LINUX;
  hdr[2] = SF_DA_STORAGE_EMMC;
  sf_wire_put_be64 (hdr + 3, sf_da_linear_address (self, part, offset));
  sf_wire_put_be64 (hdr + 11, length);
  sf_wire_put_be32 (hdr + 19, SF_DA_READ_PACKET_SIZE);
  if (!sf_wire_write (&self->wire, hdr, sizeof hdr, code, what, cancellable, error) ||
      !expect (self, SF_DA_ACK, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error))
    return FALSE;

  while (done < length) {
    gsize n = (gsize) MIN ((guint64) SF_DA_READ_PACKET_SIZE, length - done);
    guint16 sum;

    if (g_cancellable_set_error_if_cancelled (cancellable, error))
      return FALSE;
    /* The data and its checksum in one read. */
    if (!sf_wire_read (&self->wire, packet, n + 2, SF_DA_PACKET_TIMEOUT_MS, code, what, cancellable, error))
      return FALSE;
    n_packets++;

    sum = sf_da_checksum_update (0, packet, n);
    if (sum != sf_wire_be16 (packet + n)) {
      sf_set_device_error (error, SF_ERROR_DA_SDMMC_READ_FAILED,
                           _("packet %u of %s arrived damaged (checksum 0x%04X, the phone said 0x%04X)"),
                           n_packets, what, sum, sf_wire_be16 (packet + n));
      return FALSE;
    }

    /* ACK first: the phone sends the next packet while this one is
     * stored. */
    if (!sf_wire_write_u8 (&self->wire, SF_DA_ACK, code, what, cancellable, error))
      return FALSE;
    if (!g_output_stream_write_all (out, packet, n, NULL, cancellable, error)) {
      g_prefix_error (error, "%s (%u) ", sf_error_get_name (code), sf_error_get_number (code));
      return FALSE;
    }

    done += n;
    if (progress != NULL)
      progress (done, length, user_data);
  }
  return TRUE;
}

gboolean
sf_da_format (SfDa            *self,
              guint            part,
              guint64          offset,
              guint64          length,
              SfProgressFunc   progress,
              gpointer         user_data,
              GCancellable    *cancellable,
              GError         **error)
{
  const SfError code = SF_ERROR_FT_FORMAT_FAIL;
  const char *what = "FORMAT (D4)";
  guint8 hdr[5 + 8 + 8];

  g_return_val_if_fail (SF_IS_DA (self), FALSE);

  if (!check_storage (self, error) ||
      !check_range (self, part, offset, length, error))
    return FALSE;
  if (length == 0)
    return TRUE;

  /* One hardware partition per command, so a range never crosses RPMB
   * (§13.10); no 60 before it (§13.9). */
  g_debug ("format: %s 0x%" PRIX64 " (linear 0x%" PRIX64 "), %" PRIu64 " bytes",
           part_name (part), offset, sf_da_linear_address (self, part, offset), length);
  hdr[0] = SF_DA_CMD_FORMAT;
  hdr[1] = SF_DA_STORAGE_EMMC;
  hdr[2] = SF_DA_ERASE_NORMAL;
  hdr[3] = 0x00;                 /* validation off */
  hdr[4] = SF_DA_ADDR_LOGICAL;
  sf_wire_put_be64 (hdr + 5, sf_da_linear_address (self, part, offset));
  sf_wire_put_be64 (hdr + 13, length);
  if (!sf_wire_write (&self->wire, hdr, sizeof hdr, code, what, cancellable, error))
    return FALSE;

  for (;;) {
    guint8 acks[2], pct;
    guint32 init;

    if (!expect (self, SF_DA_ACK, SF_DA_FORMAT_TIMEOUT_MS, code, what, cancellable, error) ||
        !sf_wire_read (&self->wire, acks + 1, 1, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error))
      return FALSE;
    if (acks[1] != SF_DA_ACK) {
      sf_set_device_error (error, code, _("the download agent answered %s with %02X %02X"),
                           what, SF_DA_ACK, acks[1]);
      return FALSE;
    }
    if (!sf_wire_read_be (&self->wire, 4, &init, code, what, cancellable, error) ||
        !sf_wire_read (&self->wire, &pct, 1, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error) ||
        !sf_wire_write_u8 (&self->wire, SF_DA_ACK, code, what, cancellable, error))
      return FALSE;

    if (pct > 100) {
      sf_set_device_error (error, code, _("the download agent reported %u %% done"), pct);
      return FALSE;
    }
    if (progress != NULL)
      progress (length / 100 * pct + length % 100 * pct / 100, length, user_data);
    if (pct == 100)
      break;
  }

  {
    if (!expect (self, SF_DA_ACK, SF_DA_FORMAT_TIMEOUT_MS, code, what, cancellable, error) ||
        !expect (self, SF_DA_ACK, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error))
      return FALSE;
  }
  return TRUE;
}

gboolean
sf_da_finish (SfDa          *self,
              guint32        mode,
              GCancellable  *cancellable,
              GError       **error)
{
  const SfError code = SF_ERROR_FT_FINISH_CMD_FAIL;
  const char *what = "FINISH (D9)";
  guint8 m[4];

  g_return_val_if_fail (SF_IS_DA (self), FALSE);

  sf_wire_put_be32 (m, mode);
  return sf_wire_write_u8 (&self->wire, SF_DA_CMD_FINISH, code, what, cancellable, error) &&
         expect (self, SF_DA_ACK, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error) &&
         sf_wire_write (&self->wire, m, 4, code, what, cancellable, error) &&
         expect (self, SF_DA_ACK, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error);
}

/* ---- §6.12 the phone's partition table ----------------------------------- */

SfPartitionTable *
sf_da_read_pmt (SfDa          *self,
                GCancellable  *cancellable,
                GError       **error)
{
  const SfError code = SF_ERROR_FT_DA_NO_RESPONSE;
  const char *what = "SDMMC_READ_PMT (A5)";
  g_autofree guint8 *data = NULL;
  guint32 len = 0;
  guint32 status = 0;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (SF_IS_DA (self), NULL);

  if (!sf_wire_write_u8 (&self->wire, SF_DA_CMD_SDMMC_READ_PMT, code, what, cancellable, error))
    return NULL;
  if (!expect_status (self, SF_DA_ACK, SF_DA_REPLY_TIMEOUT_MS, code, what, &status, cancellable, &local_error)) {
    /* §13.10: a blank phone has no table yet; that is a first download. */
    if (status == SF_DA_ERR_NO_PMT) {
      g_debug ("PMT: none on the phone (error reply %u)", status);
      return sf_partition_table_new ();
    }
    g_propagate_error (error, g_steal_pointer (&local_error));
    return NULL;
  }
  if (!sf_wire_read_be (&self->wire, 4, &len, code, what, cancellable, error))
    return NULL;
  if (len > SF_PMT_MAX_LEN) {
    /* Do not read an absurd amount: the DA and we disagree on the wire. */
    sf_set_device_error (error, SF_ERROR_PMT_INVALID,
                         _("the download agent announced a table of %u bytes (at most %u expected)"),
                         len, (guint) SF_PMT_MAX_LEN);
    return NULL;
  }
  data = g_malloc (MAX (len, 1));
  if (!sf_wire_write_u8 (&self->wire, SF_DA_ACK, code, what, cancellable, error) ||
      (len > 0 && !sf_wire_read (&self->wire, data, len, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error)) ||
      !sf_wire_write_u8 (&self->wire, SF_DA_ACK, code, what, cancellable, error))
    return NULL;
  return sf_partition_table_parse (data, len, sf_da_get_user_base (self), error);
}

gboolean
sf_da_write_pmt (SfDa                *self,
                 const SfPartitionTable *table,
                 GCancellable        *cancellable,
                 GError             **error)
{
  const SfError code = SF_ERROR_FT_DOWNLOAD_FAIL;
  const char *what = "SDMMC_WRITE_PMT (A4)";
  g_autoptr(GBytes) bytes = NULL;
  const guint8 *data;
  gsize len = 0;
  guint8 w[4];
  guint32 count;

  g_return_val_if_fail (SF_IS_DA (self), FALSE);
  g_return_val_if_fail (table != NULL, FALSE);

  bytes = sf_partition_table_to_bytes (table, sf_da_get_user_base (self));
  data = g_bytes_get_data (bytes, &len);
  count = (guint32) (len / SF_PMT_RECORD_SIZE);

  /* §13.6: the entry count, each record answered 69, the mode word. */
  sf_wire_put_be32 (w, count);
  if (!sf_wire_write_u8 (&self->wire, SF_DA_CMD_SDMMC_WRITE_PMT, code, what, cancellable, error) ||
      !expect (self, SF_DA_ACK, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error) ||
      !sf_wire_write (&self->wire, w, 4, code, what, cancellable, error) ||
      !expect (self, SF_DA_ACK, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error))
    return FALSE;
  for (guint32 i = 0; i < count; i++) {
    if (!sf_wire_write (&self->wire, data + (gsize) i * SF_PMT_RECORD_SIZE, SF_PMT_RECORD_SIZE, code, what,
                        cancellable, error) ||
        !expect (self, SF_DA_CONT_CHAR, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error))
      return FALSE;
  }
  sf_wire_put_be32 (w, SF_PMT_MODE_NEW);
  return sf_wire_write (&self->wire, w, 4, code, what, cancellable, error) &&
         expect (self, SF_DA_ACK, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error) &&
         expect (self, SF_DA_ACK, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error);
}
