/* fuzz-protocol.c — libFuzzer target for the host side of the protocol
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Whatever a phone (or a broken cable, or something that is not a phone)
 * sends back, the host must end with a named error and never crash, read
 * out of bounds or loop. The input is:
 *
 *   byte 0        where to start: 0 the BootROM commands after the
 *                 handshake (identify, watchdog, SEND_DA, JUMP_DA) and then
 *                 everything below; 1 the DA start (sync, stage-2 config,
 *                 DA2, storage report, USB status) and then the commands;
 *                 2 the DA commands alone
 *                 (a BootROM phone's 0xBBF report and E8 included: the
 *                 DRAM settings come from a small MTK_BLOADER_INFO_v11
 *                 block with an entry for the virtual phone's board)
 *   bytes 1–15    the DA commands to run, one byte each (see run_ops())
 *   the rest      the phone's replies, in the order the host reads them
 *
 * The transport below hands out the replies and swallows what the host
 * writes; at the end of the input it reports a disconnect, so that nothing
 * waits for a timeout. The start handshake (sf_brom_connect) is not in
 * here: its drains are timed by the real clock (100 ms + 50 ms per try),
 * which would slow a run to a few inputs a second, and it only compares
 * single bytes (test-brom covers it).
 *
 * Seeds: tests/fuzz-corpus/protocol/, made from a session with the virtual
 * phone by `fuzz-protocol-seeds` (tests/fuzz-protocol-seeds.c).
 */

#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "fuzz-protocol.h"
#include "sf-brom.h"
#include "sf-da.h"
#include "sf-partition-table.h"
#include "sf-preloader.h"
#include "sf-error.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

/* ---- a transport that replays the input ------------------------------------ */

#define SF_TYPE_FUZZ_TRANSPORT (sf_fuzz_transport_get_type ())
G_DECLARE_FINAL_TYPE (SfFuzzTransport, sf_fuzz_transport, SF, FUZZ_TRANSPORT, SfTransport)

struct _SfFuzzTransport
{
  SfTransport    parent_instance;

  const guint8  *data;
  gsize          len;
  gsize          pos;
};

G_DEFINE_FINAL_TYPE (SfFuzzTransport, sf_fuzz_transport, SF_TYPE_TRANSPORT)

static gssize
sf_fuzz_transport_read (SfTransport   *transport,
                        guint8        *buf,
                        gsize          len,
                        guint          timeout_ms,
                        GCancellable  *cancellable,
                        GError       **error)
{
  SfFuzzTransport *self = SF_FUZZ_TRANSPORT (transport);
  gsize n;

  if (self->pos >= self->len) {
    g_set_error_literal (error, SF_ERROR, SF_ERROR_DISCONNECTED, "end of the fuzz input");
    return -1;
  }
  n = MIN (len, self->len - self->pos);
  memcpy (buf, self->data + self->pos, n);
  self->pos += n;
  return (gssize) n;
}

static gboolean
sf_fuzz_transport_write_all (SfTransport   *transport,
                             const guint8  *buf,
                             gsize          len,
                             guint          timeout_ms,
                             GCancellable  *cancellable,
                             GError       **error)
{
  return TRUE;
}

static gboolean
sf_fuzz_transport_close (SfTransport  *transport,
                         GError      **error)
{
  return TRUE;
}

static void
sf_fuzz_transport_class_init (SfFuzzTransportClass *klass)
{
  SfTransportClass *transport_class = SF_TRANSPORT_CLASS (klass);

  transport_class->read = sf_fuzz_transport_read;
  transport_class->write_all = sf_fuzz_transport_write_all;
  transport_class->close = sf_fuzz_transport_close;
}

static void
sf_fuzz_transport_init (SfFuzzTransport *self)
{
}

/* ---- the host side ---------------------------------------------------------- */

/* A small stand-in DA: DA1 and DA2 contents do not matter to the phone's
 * replies, only their lengths (DA2 spans two 4 KiB packets). */
static guint8 fake_da[SF_FUZZ_PROTOCOL_DA2_LEN];

static gboolean
check_error (gboolean   ok,
             GError   **error)
{
  if (!ok) {
    /* Every failure has a name the user can look up. */
    g_assert (*error != NULL);
    g_assert (*error != NULL && (*error)->message[0] != '\0');
    if ((*error)->domain != SF_ERROR)
      g_error ("error outside SF_ERROR: %s", (*error)->message);
  }
  return ok;
}

static gboolean
run_brom (SfTransport  *transport,
          SfBromInfo   *out_info,
          GError      **error)
{
  g_autoptr(SfBrom) brom = sf_brom_new (transport);
  g_autoptr(GInputStream) da1 = g_memory_input_stream_new_from_data (fake_da, SF_FUZZ_PROTOCOL_DA1_LEN, NULL);
  const SfBromInfo *info;

  if (!sf_brom_identify (brom, NULL, error))
    return FALSE;
  info = sf_brom_get_info (brom);
  /* A chip we cannot flash ends here, as in a real run. */
  if (!sf_brom_check_chip (brom, NULL, error))
    return FALSE;
  if (info->chip != NULL && !sf_brom_disable_watchdog (brom, info->chip, NULL, error))
    return FALSE;
  if (!sf_brom_send_da (brom, SF_FUZZ_PROTOCOL_DA1_ADDR, SF_FUZZ_PROTOCOL_DA1_LEN, 0, da1, NULL, NULL, NULL,
                        error) ||
      !sf_brom_jump_da (brom, SF_FUZZ_PROTOCOL_DA1_ADDR, NULL, error))
    return FALSE;
  *out_info = *info;
  return TRUE;
}

static gboolean
run_da_start (SfDa              *da,
              const SfBromInfo  *brom,
              GError           **error)
{
  g_autoptr(GInputStream) da2 = g_memory_input_stream_new_from_data (fake_da, sizeof fake_da, NULL);

  return sf_da_sync (da, NULL, error) &&
         sf_da_send_stage2_config (da, brom, NULL, error) &&
         sf_da_upload_da2 (da, SF_FUZZ_PROTOCOL_DA2_ADDR, sizeof fake_da, da2, NULL, NULL, NULL, error) &&
         sf_da_read_flash_info (da, NULL, error) &&
         sf_da_check_usb_status (da, NULL, error);
}

static void
count_progress (guint64  done,
                guint64  total,
                gpointer user_data)
{
  g_assert (done <= total);
}

/* One DA command per byte: the low 3 bits pick it, the high 5 its size. */
static gboolean
run_ops (SfDa          *da,
         const guint8  *ops,
         GError       **error)
{
  for (guint i = 0; i < SF_FUZZ_PROTOCOL_N_OPS; i++) {
    guint k = (guint) (ops[i] >> 3) + 1;

    switch (ops[i] & 7) {
    case SF_FUZZ_OP_USB_STATUS:
      if (!sf_da_check_usb_status (da, NULL, error))
        return FALSE;
      break;
    case SF_FUZZ_OP_SWITCH_PART:
      if (!sf_da_switch_part (da, k % 2 ? SF_EMMC_PART_USER : SF_EMMC_PART_BOOT1, NULL, error))
        return FALSE;
      break;
    case SF_FUZZ_OP_READ: {
      g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();

      if (!sf_da_read (da, SF_EMMC_PART_USER, 0, k * 1000, out, count_progress, NULL, NULL, error))
        return FALSE;
      g_assert (g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)) == k * 1000);
      break;
    }
    case SF_FUZZ_OP_WRITE: {
      g_autoptr(GInputStream) in = g_memory_input_stream_new_from_data (fake_da, k * 100, NULL);

      if (!sf_da_write (da, SF_EMMC_PART_USER, 0x100000, in, k * 100, count_progress, NULL, NULL, error))
        return FALSE;
      break;
    }
    case SF_FUZZ_OP_FORMAT:
      if (!sf_da_format (da, SF_EMMC_PART_USER, 0, (guint64) k << 20, count_progress, NULL, NULL, error))
        return FALSE;
      break;
    case SF_FUZZ_OP_READ_PMT: {
      g_autoptr(SfPartitionTable) table = sf_da_read_pmt (da, NULL, error);

      if (table == NULL)
        return FALSE;
      break;
    }
    case SF_FUZZ_OP_WRITE_PMT: {
      g_autoptr(SfPartitionTable) table = sf_partition_table_new ();

      sf_partition_table_add (table, "boot", 0x100000, 0x600000);
      sf_partition_table_add (table, "system", 0x700000, (guint64) k << 20);
      if (!sf_da_write_pmt (da, table, NULL, error))
        return FALSE;
      break;
    }
    case SF_FUZZ_OP_FINISH:
    default:
      return sf_da_finish (da, 0, NULL, error);
    }
  }
  return TRUE;
}

/* §13.4: a bare MTK_BLOADER_INFO_v11 block with one EMI entry for the
 * memory of the virtual phone's default board (its CID's first 9 bytes). */
static GBytes *
emi_block (void)
{
  static const guint8 cid9[9] = { 0x15, 0x01, 0x00, 0x4B, 0x41, 0x4C, 0x41, 0x35, 0x32 };
  static const char head[] = "MTK_BLOADER_INFO_v11\0\0\0\0MTK_BIN\0\x01\0\0\0";
  guint8 *block = g_malloc0 (sizeof head - 1 + SF_EMI_V11_ENTRY_LEN);
  guint8 *e = block + sizeof head - 1;

  memcpy (block, head, sizeof head - 1);
  e[0] = e[1] = 0x02;                           /* type 0x0202 */
  memcpy (e + SF_EMI_ID_AT, cid9, sizeof cid9);
  e[SF_EMI_ID_LEN_AT] = sizeof cid9;
  e[SF_EMI_SPIN_WORD_AT + 2] = 0x01;            /* not an entry DA1 spins on */
  return g_bytes_new_take (block, sizeof head - 1 + SF_EMI_V11_ENTRY_LEN);
}

gboolean
sf_fuzz_protocol_run (SfTransport       *transport,
                      guint              start,
                      const guint8      *ops,
                      SfFuzzMarkFunc     mark,
                      gpointer           user_data,
                      GError           **error)
{
  g_autoptr(SfDa) da = NULL;
  SfBromInfo brom = { 0 };

  memset (fake_da, 0x5A, sizeof fake_da);
  brom.hw_code = SF_HW_CODE_MT6572;
  brom.bl_ver = 0xFE;
  brom.brom_ver = 0x05;
  brom.is_brom = TRUE;

  if (start == SF_FUZZ_START_BROM && !run_brom (transport, &brom, error))
    return FALSE;
  if (mark != NULL)
    mark (SF_FUZZ_START_DA, user_data);
  da = sf_da_new (transport);
  {
    g_autoptr(GBytes) emi = emi_block ();

    sf_da_set_emi_source (da, emi, "the fuzz EMI block");
  }
  if (start <= SF_FUZZ_START_DA && !run_da_start (da, &brom, error))
    return FALSE;
  if (mark != NULL)
    mark (SF_FUZZ_START_COMMANDS, user_data);
  return run_ops (da, ops, error);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(SfFuzzTransport) transport = NULL;
  g_autoptr(GError) error = NULL;
  guint8 ops[SF_FUZZ_PROTOCOL_N_OPS] = { 0 };
  gboolean ok;

  if (size < 1 + SF_FUZZ_PROTOCOL_N_OPS)
    return 0;
  memcpy (ops, data + 1, SF_FUZZ_PROTOCOL_N_OPS);

  transport = g_object_new (SF_TYPE_FUZZ_TRANSPORT, "path", "fuzz", NULL);
  transport->data = data + 1 + SF_FUZZ_PROTOCOL_N_OPS;
  transport->len = size - 1 - SF_FUZZ_PROTOCOL_N_OPS;

  ok = sf_fuzz_protocol_run (SF_TRANSPORT (transport), data[0] % 3, ops, NULL, NULL, &error);
  check_error (ok, &error);
  return 0;
}
