/* sf-da.c — a legacy download agent session (protocol.md §6, §11): the
 * object, its replies, the start (DA1 report, stage-2 config, DA2 upload,
 * flash info, USB speed) and the finish. The eMMC commands are in
 * sf-da-emmc.c, the partition table's in sf-da-pmt.c.
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "sf-da-private.h"
#include "sf-mtk-checksum.h"
#include "sf-error.h"
#include "sf-port-return.h"
#include "sf-preloader.h"

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
void
sf_da_set_reply_error (GError     **error,
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
gboolean
sf_da_read_reply_code (SfDa          *self,
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
gboolean
sf_da_expect_status (SfDa          *self,
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

    if (!sf_da_read_reply_code (self, code, what, &status, cancellable, error))
      return FALSE;
    if (out_status != NULL)
      *out_status = status;
    sf_da_set_reply_error (error, code, what, status);
    return FALSE;
  }
  sf_set_device_error (error, code, _("the download agent answered %s with 0x%02X instead of 0x%02X"),
                       what, got, want);
  return FALSE;
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

