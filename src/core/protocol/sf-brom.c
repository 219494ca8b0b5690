/* sf-brom.c — the BootROM / preloader download protocol (protocol.md §2, §3)
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "sf-brom.h"
#include "sf-error.h"
#include "sf-mtk.h"
#include "sf-units.h"
#include "sf-wire.h"

#define SEND_DA_CHUNK 0x10000   /* even, so every piece but the last is */

struct _SfBrom
{
  GObject       parent_instance;

  SfWire        wire;
  SfBromInfo    info;
};

G_DEFINE_FINAL_TYPE (SfBrom, sf_brom, G_TYPE_OBJECT)

static void
sf_brom_dispose (GObject *object)
{
  SfBrom *self = SF_BROM (object);

  g_clear_object (&self->wire.transport);

  G_OBJECT_CLASS (sf_brom_parent_class)->dispose (object);
}

static void
sf_brom_class_init (SfBromClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sf_brom_dispose;
}

static void
sf_brom_init (SfBrom *self)
{
}

/**
 * sf_brom_new:
 * @transport: an open transport to a phone in BootROM or preloader mode
 *
 * Returns: (transfer full): a protocol session over @transport.
 */
SfBrom *
sf_brom_new (SfTransport *transport)
{
  SfBrom *self;

  g_return_val_if_fail (SF_IS_TRANSPORT (transport), NULL);

  self = g_object_new (SF_TYPE_BROM, NULL);
  self->wire.transport = g_object_ref (transport);
  self->wire.peer = SF_WIRE_PEER_PHONE;
  self->wire.write_timeout_ms = SF_BROM_REPLY_TIMEOUT_MS;
  self->wire.reply_timeout_ms = SF_BROM_REPLY_TIMEOUT_MS;
  return self;
}

/**
 * sf_brom_get_info:
 *
 * Returns: what sf_brom_identify() (or the single commands) found out.
 */
const SfBromInfo *
sf_brom_get_info (SfBrom *self)
{
  g_return_val_if_fail (SF_IS_BROM (self), NULL);

  return &self->info;
}

static gboolean
read_u16 (SfBrom        *self,
          guint16       *out,
          SfError        code,
          const char    *what,
          GCancellable  *cancellable,
          GError       **error)
{
  guint32 v;

  if (!sf_wire_read_be (&self->wire, 2, &v, code, what, cancellable, error))
    return FALSE;
  *out = (guint16) v;
  return TRUE;
}

static char *
hex_bytes (const guint8 *buf,
           gsize         len)
{
  GString *s = g_string_new (NULL);

  for (gsize i = 0; i < len; i++)
    g_string_append_printf (s, i == 0 ? "%02X" : " %02X", buf[i]);
  return g_string_free (s, FALSE);
}

/* Writes @buf and reads the same bytes back (§0 "Echo"). */
static gboolean
echo (SfBrom        *self,
      const guint8  *buf,
      gsize          len,
      SfError        code,
      const char    *what,
      GCancellable  *cancellable,
      GError       **error)
{
  guint8 back[8];

  g_assert (len <= sizeof back);

  if (!sf_wire_write (&self->wire, buf, len, code, what, cancellable, error))
    return FALSE;
  if (!sf_wire_read (&self->wire, back, len, SF_BROM_REPLY_TIMEOUT_MS, code, what, cancellable, error))
    return FALSE;
  if (memcmp (buf, back, len) != 0) {
    g_autofree char *sent = hex_bytes (buf, len);
    g_autofree char *got = hex_bytes (back, len);

    sf_set_device_error (error, code, _("the phone answered %s with %s instead of echoing it (%s)"),
                         sent, got, what);
    return FALSE;
  }
  return TRUE;
}

static gboolean
echo_u8 (SfBrom        *self,
         guint8         value,
         SfError        code,
         const char    *what,
         GCancellable  *cancellable,
         GError       **error)
{
  return echo (self, &value, 1, code, what, cancellable, error);
}

static gboolean
echo_u32 (SfBrom        *self,
          guint32        value,
          SfError        code,
          const char    *what,
          GCancellable  *cancellable,
          GError       **error)
{
  guint8 b[4];

  sf_wire_put_be32 (b, value);
  return echo (self, b, 4, code, what, cancellable, error);
}

static gboolean
check_status (guint16      status,
              guint16      max_ok,
              SfError      code,
              const char  *what,
              GError     **error)
{
  if (status <= max_ok)
    return TRUE;
  sf_set_device_error (error, code, _("the phone answered %s with status 0x%04X"), what, status);
  return FALSE;
}

/* ---- §2 start handshake ------------------------------------------------ */

/* See sf_brom_connect(): only what is buffered already is thrown away. */
#define START_DRAIN_MS 0

static const guint8 handshake_seq[4] = {
  SF_MTK_HANDSHAKE_0, SF_MTK_HANDSHAKE_1, SF_MTK_HANDSHAKE_2, SF_MTK_HANDSHAKE_3,
};

static gboolean
is_ready_byte (guint8 b)
{
  return strchr (SF_MTK_PRELOADER_READY, b) != NULL && b != '\0';
}

/* Reads and throws away input for @ms; says whether any of it looked like
 * the preloader's READY. */
static gboolean
drain_watching_ready (SfBrom        *self,
                      guint          ms,
                      gboolean      *out_saw_ready,
                      GCancellable  *cancellable,
                      GError       **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) ms * 1000;
  gboolean saw_ready = FALSE;
  gsize total = 0;
  guint8 buf[256];

  for (;;) {
    guint wait = sf_ms_until (deadline);
    gssize n = sf_transport_read (self->wire.transport, buf, sizeof buf, wait, cancellable, error);

    if (n < 0)
      return FALSE;
    for (gssize i = 0; i < n; i++)
      saw_ready |= is_ready_byte (buf[i]);
    total += (gsize) n;
    if (g_get_monotonic_time () >= deadline || (n == 0 && wait == 0))
      break;
  }

  if (total > 0)
    g_debug ("handshake: drained %" "zu" " bytes%s", total, saw_ready ? " (READY)" : "");
  if (out_saw_ready != NULL)
    *out_saw_ready = saw_ready;
  return TRUE;
}

/* §2.0: the preloader swallows the first A0 without answering. */
static gboolean
preloader_prehandshake (SfBrom        *self,
                        GCancellable  *cancellable,
                        GError       **error)
{
  const guint8 a0 = SF_MTK_HANDSHAKE_0;

  g_debug ("handshake: preloader, sending a lone A0");
  if (!sf_transport_write_all (self->wire.transport, &a0, 1, SF_BROM_HANDSHAKE_BYTE_MS, cancellable, error))
    return FALSE;
  return drain_watching_ready (self, SF_BROM_PRELOADER_WAIT_MS, NULL, cancellable, error);
}

typedef enum {
  REPLY_OK,
  REPLY_WRONG,
  REPLY_NONE,
  REPLY_READY,   /* AUTO mode, first byte: this is a preloader */
} ReplyKind;

/* Sends one handshake byte and waits for its answer, skipping stray READY
 * bytes. */
static gboolean
handshake_step (SfBrom        *self,
                guint          index,
                gboolean       watch_ready,
                guint          answer_ms,
                ReplyKind     *out_kind,
                guint8        *out_got,
                GCancellable  *cancellable,
                GError       **error)
{
  guint8 sent = handshake_seq[index];
  guint8 want = (guint8) ~sent;
  gint64 deadline;
  GError *local = NULL;

  if (!sf_transport_write_all (self->wire.transport, &sent, 1, SF_BROM_HANDSHAKE_BYTE_MS, cancellable, &local)) {
    if (g_error_matches (local, SF_ERROR, SF_ERROR_TIMEOUT)) {
      g_clear_error (&local);
      *out_kind = REPLY_NONE;
      return TRUE;
    }
    sf_wire_fail_io (&self->wire, error, local, SF_ERROR_BROM_STARTCMD_FAIL, _("the BootROM handshake"));
    return FALSE;
  }

  deadline = g_get_monotonic_time () + (gint64) answer_ms * 1000;
  for (;;) {
    guint wait = sf_ms_until (deadline);
    guint8 got;
    gssize n;

    if (wait == 0) {
      *out_kind = REPLY_NONE;
      return TRUE;
    }
    n = sf_transport_read (self->wire.transport, &got, 1, wait, cancellable, &local);
    if (n < 0) {
      sf_wire_fail_io (&self->wire, error, local, SF_ERROR_BROM_STARTCMD_FAIL, _("the BootROM handshake"));
      return FALSE;
    }
    if (n == 0)
      continue;
    *out_got = got;
    if (got == want) {
      *out_kind = REPLY_OK;
      return TRUE;
    }
    if (is_ready_byte (got)) {
      if (watch_ready) {
        *out_kind = REPLY_READY;
        return TRUE;
      }
      continue;   /* a stray READY from the preloader's loop */
    }
    *out_kind = REPLY_WRONG;
    return TRUE;
  }
}

/**
 * sf_brom_connect:
 * @self: a #SfBrom
 * @mode: BootROM, preloader, or find out
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Runs the start handshake of protocol.md §2 under the project
 * contract: throw away what is buffered (in AUTO mode a READY there means
 * a preloader); in preloader mode a lone A0, 50 ms, drain; then
 * A0 0A 50 05, one byte at a time, 500 ms per answer, back to A0 on a wrong
 * one; five failed attempts or 10 s in all end it. In AUTO mode the first
 * A0 is a probe: a BootROM answers it at once; a READY says preloader; no
 * answer within SF_BROM_AUTO_PROBE_MS means a preloader took it as its lone
 * A0, and the handshake starts over at once, inside its 300 ms window.
 *
 * Returns: %TRUE when the phone is in its command loop.
 */
gboolean
sf_brom_connect (SfBrom        *self,
                 SfBromMode     mode,
                 GCancellable  *cancellable,
                 GError       **error)
{
  gint64 deadline;
  gboolean saw_ready = FALSE;
  gboolean ever_ok = FALSE;
  guint failures = 0;
  guint wrong = 0;
  guint8 garbage[8];
  guint n_garbage = 0;
  guint index = 0;
  gboolean probing = mode == SF_BROM_MODE_AUTO;

  g_return_val_if_fail (SF_IS_BROM (self), FALSE);

  deadline = g_get_monotonic_time () + (gint64) SF_BROM_HANDSHAKE_TOTAL_MS * 1000;

  /* Only what is buffered already is thrown away and the first byte goes
   * out at once: a preloader port lives for a few seconds, and the
   * handshake must start within 100 ms of its arrival. Later READY bytes
   * are skipped as strays. In AUTO mode a READY already there says
   * preloader; otherwise the first A0 tells (see above). */
  if (!drain_watching_ready (self, START_DRAIN_MS, &saw_ready, cancellable, error))
    return FALSE;
  if (mode == SF_BROM_MODE_AUTO && saw_ready)
    mode = SF_BROM_MODE_PRELOADER;
  if (mode == SF_BROM_MODE_PRELOADER &&
      !preloader_prehandshake (self, cancellable, error))
    return FALSE;

  while (index < G_N_ELEMENTS (handshake_seq)) {
    ReplyKind kind = REPLY_NONE;
    guint8 got = 0;

    if (g_get_monotonic_time () >= deadline) {
      sf_set_device_error (error, SF_ERROR_BROM_STARTCMD_TIMEOUT,
                           _("the BootROM handshake did not finish within %u s"),
                           SF_BROM_HANDSHAKE_TOTAL_MS / 1000);
      return FALSE;
    }

    if (!handshake_step (self, index, mode == SF_BROM_MODE_AUTO && index == 0,
                         probing ? SF_BROM_AUTO_PROBE_MS : SF_BROM_HANDSHAKE_BYTE_MS,
                         &kind, &got, cancellable, error))
      return FALSE;
    if (probing) {
      probing = FALSE;
      if (kind == REPLY_NONE) {
        /* Its window of 300 ms runs from that A0: start again now, without
         * another lone A0 (which it would take as the first of the four). */
        g_debug ("handshake: no answer to the first A0 in %u ms: a preloader took it as its lone A0",
                 SF_BROM_AUTO_PROBE_MS);
        mode = SF_BROM_MODE_PRELOADER;
        continue;
      }
    }

    switch (kind) {
    case REPLY_OK:
      ever_ok = TRUE;
      index++;
      continue;

    case REPLY_READY:
      g_debug ("handshake: the phone sent READY, so this is a preloader");
      mode = SF_BROM_MODE_PRELOADER;
      if (!preloader_prehandshake (self, cancellable, error))
        return FALSE;
      index = 0;
      continue;

    case REPLY_WRONG:
      g_debug ("handshake: sent %02X, got %02X; starting again from A0", handshake_seq[index], got);
      wrong++;
      if (n_garbage < G_N_ELEMENTS (garbage))
        garbage[n_garbage++] = got;
      break;

    case REPLY_NONE:
    default:
      g_debug ("handshake: no answer to %02X", handshake_seq[index]);
      break;
    }

    failures++;
    index = 0;
    if (failures >= SF_BROM_HANDSHAKE_ATTEMPTS)
      break;
    /* Throw away the rest of whatever answered wrongly, then start over. */
    if (!sf_transport_drain (self->wire.transport, 10, NULL, cancellable, error))
      return FALSE;
  }

  if (index == G_N_ELEMENTS (handshake_seq)) {
    g_debug ("handshake: done (%s)", mode == SF_BROM_MODE_PRELOADER ? "preloader" : "BootROM");
    return TRUE;
  }

  /* A phone in download mode always answers A0 with 5F when it is waiting
   * for A0; one that only ever sends other bytes is running something else
   * (Android, a modem port). */
  if (wrong == failures && !ever_ok) {
    g_autofree char *seen = hex_bytes (garbage, n_garbage);

    sf_set_device_error (error, SF_ERROR_NOT_IN_DOWNLOAD_MODE,
                         _("the phone answered the BootROM handshake with %s, which a phone in download mode never sends"),
                         seen);
    return FALSE;
  }
  sf_set_device_error (error, SF_ERROR_BROM_STARTCMD_FAIL,
                       _("the phone did not answer the BootROM handshake (%u attempts)"), failures);
  return FALSE;
}

/* ---- §3 commands -------------------------------------------------------- */

/**
 * sf_brom_get_hw_code:
 *
 * GET_HW_CODE (FD, §3.2). Fails with SF_ERROR_BROM_GET_HW_VER_FAIL.
 */
gboolean
sf_brom_get_hw_code (SfBrom        *self,
                     guint16       *out_hw_code,
                     GCancellable  *cancellable,
                     GError       **error)
{
  const SfError code = SF_ERROR_BROM_GET_HW_VER_FAIL;
  const char *what = "GET_HW_CODE (FD)";
  g_autoptr(GError) first = NULL;
  guint16 hw_code, status;

  g_return_val_if_fail (SF_IS_BROM (self), FALSE);

  /* mtkclient tries the echo twice before it gives up. */
  if (!echo_u8 (self, SF_BROM_CMD_GET_HW_CODE, code, what, cancellable, &first)) {
    if (!g_error_matches (first, SF_ERROR, code)) {
      g_propagate_error (error, g_steal_pointer (&first));
      return FALSE;
    }
    g_debug ("%s: %s; trying once more", what, first->message);
    if (!sf_transport_drain (self->wire.transport, 50, NULL, cancellable, error))
      return FALSE;
    if (!echo_u8 (self, SF_BROM_CMD_GET_HW_CODE, code, what, cancellable, error))
      return FALSE;
  }
  if (!read_u16 (self, &hw_code, code, what, cancellable, error) ||
      !read_u16 (self, &status, code, what, cancellable, error) ||
      !check_status (status, SF_BROM_STATUS_SUCCESS_MAX, code, what, error))
    return FALSE;

  self->info.hw_code = hw_code;
  self->info.chip = sf_chip_find_by_hw_code (hw_code);
  g_debug ("hw code 0x%04X (%s)", hw_code, self->info.chip != NULL ? self->info.chip->name : "unknown");
  if (out_hw_code != NULL)
    *out_hw_code = hw_code;
  return TRUE;
}

/**
 * sf_brom_get_hw_sw_ver:
 *
 * GET_HW_SW_VER (FC, §3.3).
 */
gboolean
sf_brom_get_hw_sw_ver (SfBrom        *self,
                       guint16       *out_hw_sub_code,
                       guint16       *out_hw_ver,
                       guint16       *out_sw_ver,
                       GCancellable  *cancellable,
                       GError       **error)
{
  const SfError code = SF_ERROR_BROM_GET_HW_VER_FAIL;
  const char *what = "GET_HW_SW_VER (FC)";
  guint16 sub, hw, sw, status;

  g_return_val_if_fail (SF_IS_BROM (self), FALSE);

  if (!echo_u8 (self, SF_BROM_CMD_GET_HW_SW_VER, code, what, cancellable, error) ||
      !read_u16 (self, &sub, code, what, cancellable, error) ||
      !read_u16 (self, &hw, code, what, cancellable, error) ||
      !read_u16 (self, &sw, code, what, cancellable, error) ||
      !read_u16 (self, &status, code, what, cancellable, error) ||
      !check_status (status, SF_BROM_STATUS_SUCCESS_MAX, code, what, error))
    return FALSE;

  self->info.hw_sub_code = sub;
  self->info.hw_ver = hw;
  self->info.sw_ver = sw;
  g_debug ("hw sub code 0x%04X, hw ver 0x%04X, sw ver 0x%04X", sub, hw, sw);
  if (out_hw_sub_code != NULL)
    *out_hw_sub_code = sub;
  if (out_hw_ver != NULL)
    *out_hw_ver = hw;
  if (out_sw_ver != NULL)
    *out_sw_ver = sw;
  return TRUE;
}

/* FE and FF: one byte out, one byte back, with no echo to check. */
static gboolean
ask_byte (SfBrom        *self,
          guint8         cmd,
          const char    *what,
          guint8        *out_reply,
          GCancellable  *cancellable,
          GError       **error)
{
  const SfError code = SF_ERROR_BROM_GET_HW_VER_FAIL;

  return sf_wire_write_u8 (&self->wire, cmd, code, what, cancellable, error) &&
         sf_wire_read (&self->wire, out_reply, 1, SF_BROM_REPLY_TIMEOUT_MS, code, what, cancellable, error);
}

/**
 * sf_brom_get_bl_ver:
 * @out_is_brom: (out) (optional): TRUE for the BootROM, FALSE for a preloader
 *
 * GET_BL_VER (FE, §2.4): the BootROM echoes FE, a preloader answers its
 * version without an echo.
 */
gboolean
sf_brom_get_bl_ver (SfBrom        *self,
                    guint8        *out_bl_ver,
                    gboolean      *out_is_brom,
                    GCancellable  *cancellable,
                    GError       **error)
{
  guint8 reply;

  g_return_val_if_fail (SF_IS_BROM (self), FALSE);

  if (!ask_byte (self, SF_BROM_CMD_GET_BL_VER, "GET_BL_VER (FE)", &reply, cancellable, error))
    return FALSE;

  self->info.bl_ver = reply;
  self->info.is_brom = reply == SF_BROM_BL_VER_IS_BROM;
  g_debug ("%s", self->info.is_brom ? "BootROM" : "preloader");
  if (out_bl_ver != NULL)
    *out_bl_ver = reply;
  if (out_is_brom != NULL)
    *out_is_brom = self->info.is_brom;
  return TRUE;
}

/**
 * sf_brom_get_version:
 *
 * GET_VERSION (FF, §2.4): the BootROM's version byte; a preloader has no
 * handler and only echoes FF, which is what gets recorded then.
 */
gboolean
sf_brom_get_version (SfBrom        *self,
                     guint8        *out_brom_ver,
                     GCancellable  *cancellable,
                     GError       **error)
{
  guint8 reply;

  g_return_val_if_fail (SF_IS_BROM (self), FALSE);

  if (!ask_byte (self, SF_BROM_CMD_GET_VERSION, "GET_VERSION (FF)", &reply, cancellable, error))
    return FALSE;

  self->info.brom_ver = reply;
  if (out_brom_ver != NULL)
    *out_brom_ver = reply;
  return TRUE;
}

/**
 * sf_brom_get_target_config:
 *
 * GET_TARGET_CONFIG (D8, §3.4).
 */
gboolean
sf_brom_get_target_config (SfBrom        *self,
                           guint32       *out_config,
                           GCancellable  *cancellable,
                           GError       **error)
{
  const SfError code = SF_ERROR_BROM_GET_HW_VER_FAIL;
  const char *what = "GET_TARGET_CONFIG (D8)";
  guint32 config;
  guint16 status;

  g_return_val_if_fail (SF_IS_BROM (self), FALSE);

  if (!echo_u8 (self, SF_BROM_CMD_GET_TARGET_CONFIG, code, what, cancellable, error) ||
      !sf_wire_read_be (&self->wire, 4, &config, code, what, cancellable, error) ||
      !read_u16 (self, &status, code, what, cancellable, error) ||
      !check_status (status, SF_BROM_STATUS_SUCCESS_MAX, code, what, error))
    return FALSE;

  self->info.target_config = config;
  g_debug ("target config 0x%08X", config);
  if (out_config != NULL)
    *out_config = config;
  return TRUE;
}

/**
 * sf_brom_identify:
 *
 * Asks FD, FE, FF, FC and D8 in the order of protocol.md §8, filling
 * sf_brom_get_info().
 */
gboolean
sf_brom_identify (SfBrom        *self,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_return_val_if_fail (SF_IS_BROM (self), FALSE);

  return sf_brom_get_hw_code (self, NULL, cancellable, error) &&
         sf_brom_get_bl_ver (self, NULL, NULL, cancellable, error) &&
         sf_brom_get_version (self, NULL, cancellable, error) &&
         sf_brom_get_hw_sw_ver (self, NULL, NULL, NULL, cancellable, error) &&
         sf_brom_get_target_config (self, NULL, cancellable, error);
}

gboolean
sf_brom_check_chip (SfBrom      *self,
                    const char  *platform,
                    GError     **error)
{
  const SfChip *chip;

  g_return_val_if_fail (SF_IS_BROM (self), FALSE);

  chip = self->info.chip;
  if (chip == NULL) {
    sf_set_device_error (error, SF_ERROR_BROM_HW_VER_INCORRECT,
                         _("the phone has an unknown chip (hw code 0x%04X)"), self->info.hw_code);
    return FALSE;
  }
  if (!sf_chip_is_supported (chip)) {
    sf_set_device_error (error, SF_ERROR_BROM_HW_VER_INCORRECT,
                         _("the phone’s chip, %s, needs a newer download agent protocol"), chip->name);
    return FALSE;
  }
  if (self->info.target_config & (SF_BROM_CFG_SLA | SF_BROM_CFG_DAA)) {
    sf_set_device_error (error, SF_ERROR_SECURITY_SLA_FAIL,
                         _("the phone's %s has secure download enabled (target config 0x%08X)"),
                         chip->name, self->info.target_config);
    return FALSE;
  }
  if (platform != NULL && *platform != '\0') {
    const SfChip *want = sf_chip_find_by_name (platform);

    /* The DA code, not the name: an MT6582 firmware says MT6582 for an
     * MT8382 too. */
    if (want == NULL || want->da_code != chip->da_code) {
      sf_set_device_error (error, SF_ERROR_CHIP_TYPE_NOT_MATCH,
                           _("the firmware is for %s, but the phone’s chip is %s"), platform, chip->name);
      return FALSE;
    }
  }
  return TRUE;
}

/* The body of WRITE32 (§3.6) with the failure code of the caller. */
static gboolean
write32_as (SfBrom         *self,
            guint32         addr,
            const guint32  *values,
            guint           n_values,
            SfError         code,
            GCancellable   *cancellable,
            GError        **error)
{
  g_autofree char *what = g_strdup_printf ("WRITE32 (D4) at 0x%08X", addr);
  guint16 status;

  if (!echo_u8 (self, SF_BROM_CMD_WRITE32, code, what, cancellable, error) ||
      !echo_u32 (self, addr, code, what, cancellable, error) ||
      !echo_u32 (self, n_values, code, what, cancellable, error) ||
      !read_u16 (self, &status, code, what, cancellable, error))
    return FALSE;

  /* The argument check: a failing one is the only status sent (PL6582). */
  if (!check_status (status, 0x0003, code, what, error))
    return FALSE;

  for (guint i = 0; i < n_values; i++) {
    if (!echo_u32 (self, values[i], code, what, cancellable, error))
      return FALSE;
  }

  return read_u16 (self, &status, code, what, cancellable, error) &&
         check_status (status, SF_BROM_STATUS_SUCCESS_MAX, code, what, error);
}

gboolean
sf_brom_disable_watchdog (SfBrom        *self,
                          const SfChip  *chip,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_return_val_if_fail (SF_IS_BROM (self), FALSE);
  g_return_val_if_fail (chip != NULL, FALSE);

  g_debug ("watchdog: 0x%08X = 0x%08X", chip->wdt_addr, chip->wdt_value);
  if (!write32_as (self, chip->wdt_addr, &chip->wdt_value, 1, SF_ERROR_BROM_SET_WATCHDOG_FAIL,
                   cancellable, error))
    return FALSE;

  if (chip->wdt_addr2 != 0) {
    const guint32 value = 0x22000000;

    if (!write32_as (self, chip->wdt_addr2, &value, 1, SF_ERROR_BROM_SET_WATCHDOG_FAIL,
                     cancellable, error))
      return FALSE;
  }
  return TRUE;
}

guint16
sf_brom_checksum_update (guint16       sum,
                         const guint8 *data,
                         gsize         len)
{
  gsize i;

  for (i = 0; i + 1 < len; i += 2)
    sum ^= (guint16) (data[i] | (data[i + 1] << 8));
  if (i < len)
    sum ^= data[i];
  return sum;
}

gboolean
sf_brom_send_da (SfBrom          *self,
                 guint32          load_addr,
                 guint32          length,
                 guint32          sig_len,
                 GInputStream    *data,
                 SfProgressFunc   progress,
                 gpointer         user_data,
                 GCancellable    *cancellable,
                 GError         **error)
{
  const char *what = "SEND_DA (D7)";
  const SfError code = SF_ERROR_BROM_DOWNLOAD_DA_FAIL;
  g_autofree guint8 *buf = NULL;
  guint16 status, device_sum, sum = 0;
  guint32 sent = 0;

  g_return_val_if_fail (SF_IS_BROM (self), FALSE);
  g_return_val_if_fail (G_IS_INPUT_STREAM (data), FALSE);

  g_debug ("send DA: %u bytes (signature %u) to 0x%08X", length, sig_len, load_addr);
  if (!echo_u8 (self, SF_BROM_CMD_SEND_DA, code, what, cancellable, error) ||
      !echo_u32 (self, load_addr, code, what, cancellable, error) ||
      !echo_u32 (self, length, code, what, cancellable, error) ||
      !echo_u32 (self, sig_len, code, what, cancellable, error) ||
      !read_u16 (self, &status, code, what, cancellable, error))
    return FALSE;

  if (status == SF_BROM_STATUS_SLA_REQUIRED) {
    sf_set_device_error (error, SF_ERROR_SECURITY_SLA_FAIL,
                         _("the phone asks for serial link authorisation before it takes a DA (status 0x%04X)"),
                         status);
    return FALSE;
  }
  if (!check_status (status, SF_BROM_STATUS_SUCCESS_MAX, SF_ERROR_BROM_SEND_DA_FAIL, what, error))
    return FALSE;

  buf = g_malloc (SEND_DA_CHUNK);
  while (sent < length) {
    gsize want = MIN ((gsize) SEND_DA_CHUNK, (gsize) (length - sent));
    gsize got = 0;

    if (!g_input_stream_read_all (data, buf, want, &got, cancellable, error))
      return FALSE;
    if (got < want) {
      sf_set_device_error (error, SF_ERROR_INVALID_DA_FILE,
                           _("the DA region ends after %u of its %u bytes"), sent + (guint32) got, length);
      return FALSE;
    }
    sum = sf_brom_checksum_update (sum, buf, got);
    if (!sf_wire_write (&self->wire, buf, got, code, what, cancellable, error))
      return FALSE;
    sent += (guint32) got;
    if (progress != NULL)
      progress (sent, length, user_data);
  }

  {
    guint8 b[2];

    if (!sf_wire_read (&self->wire, b, 2, SF_BROM_SEND_DA_TIMEOUT_MS, code, what, cancellable, error))
      return FALSE;
    device_sum = sf_wire_be16 (b);
  }
  if (!read_u16 (self, &status, code, what, cancellable, error))
    return FALSE;

  /* §13.11: 0 means the phone did not compute one. */
  if (device_sum == 0 && sum != 0) {
    g_debug ("send DA: the phone sent checksum 0 (not computed); ours is 0x%04X", sum);
  } else if (device_sum != sum) {
    sf_set_device_error (error, SF_ERROR_BROM_SEND_DA_CHKSUM_DIFF,
                         _("the phone computed checksum 0x%04X over the DA, the host 0x%04X"),
                         device_sum, sum);
    return FALSE;
  }
  if (!check_status (status, SF_BROM_STATUS_SUCCESS_MAX, SF_ERROR_BROM_SEND_DA_FAIL, what, error))
    return FALSE;

  g_debug ("send DA: done, checksum 0x%04X", sum);
  return TRUE;
}

gboolean
sf_brom_jump_da (SfBrom        *self,
                 guint32        addr,
                 GCancellable  *cancellable,
                 GError       **error)
{
  const char *what = "JUMP_DA (D5)";
  const SfError code = SF_ERROR_BROM_JUMP_DA_FAIL;
  guint16 status;

  g_return_val_if_fail (SF_IS_BROM (self), FALSE);

  /* No pause before the status: the DA starts right after it (§3.8). */
  return echo_u8 (self, SF_BROM_CMD_JUMP_DA, code, what, cancellable, error) &&
         echo_u32 (self, addr, code, what, cancellable, error) &&
         read_u16 (self, &status, code, what, cancellable, error) &&
         check_status (status, SF_BROM_STATUS_SUCCESS_MAX, code, what, error);
}
