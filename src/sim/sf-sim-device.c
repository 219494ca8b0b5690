/* sf-sim-device.c — the virtual phone's protocol: start handshake, BootROM
 * and preloader commands, then the legacy download agent
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Written from docs/protocol.md (section numbers below), as the
 * DEVICE side only. Everything on the wire is big-endian (§0).
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "sf-mtk.h"
#include "sf-mtk-checksum.h"
#include "sf-sim-private.h"

/* §2.2: the start sequence must complete within 300 ms (project contract:
 * both modes). §2.0: the preloader says READY every 20 ms. */
#define HANDSHAKE_WINDOW_MS  300
#define READY_INTERVAL_MS    20
/* At most this many READY bytes wait for a host that has not opened the
 * port: the real preloader only talks while a tool is present (§2.0). */
#define READY_BACKLOG        20

/* Largest packet a host may ask for in 62/D6/DA2 (the contract uses 1 MiB). */
#define MAX_PACKET           (16 * 1024 * 1024)
/* Piece size for pacing and fault accounting (even, for the §3.7 checksum). */
#define IO_CHUNK             (64 * 1024)
/* One §6.10 progress round per this much erased. */
#define FORMAT_CHUNK         (G_GUINT64_CONSTANT (64) * 1024 * 1024)

/* The board's eMMC CID as 13.1's report sends it (4 × u32, the eMMC
 * specification's order; also the CID in the DA2 report). */
static const SfSimBoard *
board (SfSim *self)
{
  return self->opts.board != NULL ? self->opts.board : sf_sim_default_board ();
}

/* §13.6 / §13.10: the DA keeps its partition table at linear (user end −
 * 1 MiB), with a copy 4 KiB further on. The layout inside is the virtual
 * phone's own: magic, entry count (little-endian), the 0x60-byte records. */
#define PMT_FROM_END   (1024 * 1024)
#define PMT_COPY_AT    4096
#define PMT_MAGIC      "SFPT"

/* §3.9 GET_ME_ID: any 16 bytes will do. */
static const guint8 me_id[16] = {
  0x53, 0x46, 0x53, 0x49, 0x4D, 0x2D, 0x36, 0x35, 0x37, 0x32, 0x2D, 0x4D, 0x45, 0x49, 0x44, 0x00,
};

/* ---- wire helpers ------------------------------------------------------- */

static void
put_be16 (guint8  *p,
          guint16  v)
{
  p[0] = v >> 8;
  p[1] = v & 0xFF;
}

static void
put_be32 (guint8  *p,
          guint32  v)
{
  put_be16 (p, v >> 16);
  put_be16 (p + 2, v & 0xFFFF);
}

static void
put_be64 (guint8  *p,
          guint64  v)
{
  put_be32 (p, v >> 32);
  put_be32 (p + 4, v & 0xFFFFFFFF);
}

static guint16
get_be16 (const guint8 *p)
{
  return (guint16) (p[0] << 8 | p[1]);
}

static guint32
get_be32 (const guint8 *p)
{
  return (guint32) get_be16 (p) << 16 | get_be16 (p + 2);
}

static guint64
get_be64 (const guint8 *p)
{
  return (guint64) get_be32 (p) << 32 | get_be32 (p + 4);
}

static gboolean
send_u8 (SfSim  *self,
         guint8  v)
{
  return sf_sim_send (self, &v, 1);
}

static gboolean
send_u16 (SfSim   *self,
          guint16  v)
{
  guint8 b[2];

  put_be16 (b, v);
  return sf_sim_send (self, b, sizeof b);
}

static gboolean
send_u32 (SfSim   *self,
          guint32  v)
{
  guint8 b[4];

  put_be32 (b, v);
  return sf_sim_send (self, b, sizeof b);
}

static gboolean
recv_u8 (SfSim  *self,
         guint8 *v)
{
  return sf_sim_recv (self, v, 1);
}

/* §0: every u32 parameter of a BootROM command is echoed byte for byte. */
static gboolean
recv_echo_u32 (SfSim   *self,
               guint32 *v)
{
  guint8 b[4];

  if (!sf_sim_recv (self, b, sizeof b) || !sf_sim_send (self, b, sizeof b))
    return FALSE;
  *v = get_be32 (b);
  return TRUE;
}

static guint32
reg_get (SfSim   *self,
         guint32  addr)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (self->regs, GUINT_TO_POINTER (addr)));
}

static void
reg_set (SfSim   *self,
         guint32  addr,
         guint32  value)
{
  g_hash_table_insert (self->regs, GUINT_TO_POINTER (addr), GUINT_TO_POINTER (value));
}

/* ---- §2 start handshake ------------------------------------------------- */

/* §2.2 device rule. @deadline (monotonic µs) ends the window; -1 opens it
 * at the first byte (BootROM). TRUE once A0 0A 50 05 went through; FALSE
 * on timeout or when the session is over (self->end set). */
static gboolean
run_start_sequence (SfSim  *self,
                    gint64  deadline)
{
  static const guint8 seq[4] = {
    SF_MTK_HANDSHAKE_0, SF_MTK_HANDSHAKE_1, SF_MTK_HANDSHAKE_2, SF_MTK_HANDSHAKE_3,
  };
  guint i = 0;

  while (i < G_N_ELEMENTS (seq)) {
    int timeout = -1;
    guint8 reply;
    guint8 c;

    if (deadline >= 0) {
      gint64 left = deadline - g_get_monotonic_time ();

      timeout = left <= 0 ? 0 : (int) ((left + 999) / 1000);
    }
    if (sf_sim_recv_timeout (self, &c, 1, timeout) != 1)
      return FALSE;
    if (deadline < 0)
      deadline = g_get_monotonic_time () + HANDSHAKE_WINDOW_MS * G_TIME_SPAN_MILLISECOND;

    if (c == seq[i]) {
      reply = (guint8) ~c;
      i++;
    } else {
      /* A mismatching A0 resets too; it does not start a new match. */
      reply = (guint8) (c + 1);
      i = 0;
    }
    if (!send_u8 (self, reply))
      return FALSE;
  }
  return TRUE;
}

static gboolean
wait_for_tool (SfSim *self)
{
  if (self->opts.mode == SF_SIM_MODE_BROM) {
    /* The BootROM waits silently; a window that expires just resets i. */
    while (!run_start_sequence (self, -1)) {
      if (self->end != SF_SIM_END_NONE)
        return FALSE;
      g_debug ("start sequence timed out, waiting again");
    }
    return TRUE;
  }

  /* §2.0 preloader: READY every 20 ms until a byte arrives; a first A0 is
   * swallowed and opens the 300 ms window; anything else would be a meta
   * mode token, which this phone ignores. */
  for (;;) {
    gint64 deadline;

    for (;;) {
      guint8 c;
      int r;

      sf_sim_trim_output (self, READY_BACKLOG);
      sf_sim_send_try (self, SF_MTK_PRELOADER_READY, strlen (SF_MTK_PRELOADER_READY));
      r = sf_sim_recv_timeout (self, &c, 1, READY_INTERVAL_MS);
      if (r < 0)
        return FALSE;
      if (r == 1 && c == SF_MTK_HANDSHAKE_0)
        break;
      if (r == 1)
        g_debug ("preloader: ignoring byte %02X before the handshake", c);
    }

    deadline = g_get_monotonic_time () + HANDSHAKE_WINDOW_MS * G_TIME_SPAN_MILLISECOND;
    if (run_start_sequence (self, deadline))
      return TRUE;
    if (self->end != SF_SIM_END_NONE)
      return FALSE;
    g_debug ("preloader: ignore garbage, back to READY");
  }
}

/* ---- §3 BootROM / preloader commands ------------------------------------ */

/* §3.5: PL6582's argument checks; non-zero means "send only this status". */
static guint16
check_mem_args (guint32 addr,
                guint32 count,
                guint   unit)
{
  if (addr % unit != 0)
    return SF_BROM_STATUS_MISALIGNED;
  if (count == 0)
    return SF_BROM_STATUS_ZERO_LENGTH;
  if ((guint64) addr + (guint64) count * unit > G_GUINT64_CONSTANT (0x100000000))
    return SF_BROM_STATUS_OVERFLOW;
  return SF_BROM_STATUS_OK;
}

/* §3.5 READ32 D1 / READ16 D0 and §3.6 WRITE32 D4 / WRITE16 D2 /
 * WRITE16_NO_ECHO D3: the echoes, the argument check (a refusal is the only
 * status sent), @ok_status, the words, @ok_status again. */
static gboolean
brom_mem (SfSim   *self,
          guint8   cmd,
          guint16  ok_status)
{
  gboolean is_read = cmd == SF_BROM_CMD_READ32 || cmd == SF_BROM_CMD_READ16;
  guint unit = cmd == SF_BROM_CMD_READ32 || cmd == SF_BROM_CMD_WRITE32 ? 4 : 2;
  gboolean echo = cmd != SF_BROM_CMD_WRITE16_NO_ECHO;
  guint32 addr = 0;
  guint32 count = 0;
  guint16 status;

  if (!send_u8 (self, cmd) || !recv_echo_u32 (self, &addr) || !recv_echo_u32 (self, &count))
    return FALSE;
  status = check_mem_args (addr, count, unit);
  if (status != SF_BROM_STATUS_OK)
    return send_u16 (self, status);
  if (!send_u16 (self, ok_status))
    return FALSE;
  for (guint32 i = 0; i < count; i++) {
    guint32 at = addr + i * unit;
    guint8 b[4];

    if (is_read) {
      guint32 value = reg_get (self, at);

      if (!(unit == 4 ? send_u32 (self, value) : send_u16 (self, value & 0xFFFF)))
        return FALSE;
      continue;
    }
    if (!sf_sim_recv (self, b, unit) || (echo && !sf_sim_send (self, b, unit)))
      return FALSE;
    reg_set (self, at, unit == 4 ? get_be32 (b) : get_be16 (b));
    g_debug ("write%u [%08X] = %0*X", unit * 8, at, unit * 2,
             unit == 4 ? get_be32 (b) : get_be16 (b));
  }
  return send_u16 (self, ok_status);
}

/* §3.7 SEND_DA D7: any payload is accepted; the checksum is the XOR of the
 * bytes as little-endian u16 words (an odd last byte as 0x00XX), sent
 * big-endian. */
static gboolean
brom_send_da (SfSim *self)
{
  g_autofree guint8 *buf = NULL;
  guint32 addr = 0;
  guint32 len = 0;
  guint32 sig_len = 0;
  guint16 checksum = 0;
  guint32 done = 0;

  if (!send_u8 (self, SF_BROM_CMD_SEND_DA) ||
      !recv_echo_u32 (self, &addr) || !recv_echo_u32 (self, &len) || !recv_echo_u32 (self, &sig_len))
    return FALSE;
  g_debug ("SEND_DA addr %08X len %u sig %u", addr, len, sig_len);
  if (len == 0)
    return send_u16 (self, SF_BROM_STATUS_DA_LEN_IS_ZERO);
  if (sig_len > len)
    return send_u16 (self, SF_BROM_STATUS_DA_SIG_LEN_EXCEED);
  if (!send_u16 (self, SF_BROM_STATUS_OK))
    return FALSE;

  buf = g_malloc (IO_CHUNK);
  while (done < len) {
    guint32 n = MIN (IO_CHUNK, len - done);

    if (!sf_sim_recv (self, buf, n) || !sf_sim_pace (self, n))
      return FALSE;
    /* IO_CHUNK is even, so only the very last piece can be odd. */
    for (guint32 i = 0; i + 1 < n; i += 2)
      checksum ^= (guint16) (buf[i] | buf[i + 1] << 8);
    if (n % 2 != 0)
      checksum ^= buf[n - 1];
    done += n;
  }

  if (self->opts.faults.bad_checksum)
    checksum ^= 0x0001;
  if (!send_u16 (self, checksum) || !send_u16 (self, SF_BROM_STATUS_OK))
    return FALSE;
  self->da_sent = TRUE;
  return TRUE;
}

/* §3.8 JUMP_DA D5: refused (DA_NOT_EXIST) without an earlier SEND_DA. */
static gboolean
brom_jump_da (SfSim    *self,
              gboolean *jumped)
{
  guint32 addr = 0;

  *jumped = FALSE;
  if (!send_u8 (self, SF_BROM_CMD_JUMP_DA) || !recv_echo_u32 (self, &addr))
    return FALSE;
  if (!self->da_sent) {
    g_debug ("JUMP_DA %08X refused: no DA was sent", addr);
    return send_u16 (self, SF_BROM_STATUS_DA_NOT_EXIST);
  }
  if (!send_u16 (self, SF_BROM_STATUS_OK))
    return FALSE;
  g_debug ("JUMP_DA %08X", addr);
  *jumped = TRUE;
  return TRUE;
}

/* Runs commands until JUMP_DA succeeds (TRUE) or the session ends. */
static gboolean
brom_loop (SfSim *self)
{
  gboolean brom = self->opts.mode == SF_SIM_MODE_BROM;
  /* §3.6 project contract: 0001 from the BootROM, 0000 from the preloader. */
  guint16 write_status = brom ? 0x0001 : 0x0000;
  guint16 hw_code = self->opts.faults.wrong_chip >= 0 ?
                    (guint16) self->opts.faults.wrong_chip : self->opts.hw_code;

  for (;;) {
    gboolean ok = TRUE;
    guint8 cmd;

    if (!recv_u8 (self, &cmd))
      return FALSE;
    g_debug ("%s command %02X", brom ? "BROM" : "preloader", cmd);

    switch (cmd) {
    case SF_BROM_CMD_GET_HW_CODE: {
      guint8 r[5] = { cmd, 0, 0, 0x00, 0x00 };

      put_be16 (r + 1, hw_code);
      ok = sf_sim_send (self, r, sizeof r);
      break;
    }
    case SF_BROM_CMD_GET_HW_SW_VER: {
      guint8 r[9] = { cmd };

      put_be16 (r + 1, SF_SIM_HW_SUB_CODE);
      put_be16 (r + 3, SF_SIM_HW_VER);
      put_be16 (r + 5, SF_SIM_SW_VER);
      put_be16 (r + 7, SF_BROM_STATUS_OK);
      ok = sf_sim_send (self, r, sizeof r);
      break;
    }
    case SF_BROM_CMD_GET_BL_VER:
      /* §2.4: the BootROM echoes; the preloader answers its version, no echo. */
      ok = send_u8 (self, brom ? SF_BROM_BL_VER_IS_BROM : SF_PRELOADER_BL_VER_SIM);
      break;
    case SF_BROM_CMD_GET_VERSION:
      /* §2.4: the preloader has no handler, so this is only the echo. */
      ok = send_u8 (self, brom ? SF_BROM_VERSION_SIM : SF_BROM_CMD_GET_VERSION);
      break;
    case SF_BROM_CMD_GET_TARGET_CONFIG: {
      guint8 r[7] = { cmd, 0, 0, 0, 0, 0, 0 };  /* no SBC/SLA/DAA, status OK */

      ok = sf_sim_send (self, r, sizeof r);
      break;
    }
    case SF_BROM_CMD_READ16:
    case SF_BROM_CMD_READ32:
      ok = brom_mem (self, cmd, SF_BROM_STATUS_OK);
      break;
    case SF_BROM_CMD_WRITE16:
    case SF_BROM_CMD_WRITE16_NO_ECHO:
    case SF_BROM_CMD_WRITE32:
      ok = brom_mem (self, cmd, write_status);
      break;
    case SF_BROM_CMD_SEND_DA:
      ok = brom_send_da (self);
      break;
    case SF_BROM_CMD_JUMP_DA: {
      gboolean jumped = FALSE;

      if (!brom_jump_da (self, &jumped))
        return FALSE;
      if (jumped)
        return TRUE;
      break;
    }
    case SF_BROM_CMD_UART1_LOG_EN: {
      guint8 r[3] = { cmd, 0, 0 };

      ok = sf_sim_send (self, r, sizeof r);
      break;
    }
    case SF_BROM_CMD_GET_ME_ID: {
      guint8 r[1 + 4 + sizeof me_id + 2] = { cmd };

      put_be32 (r + 1, sizeof me_id);
      memcpy (r + 5, me_id, sizeof me_id);
      ok = sf_sim_send (self, r, sizeof r);
      break;
    }
    case SF_BROM_CMD_GET_PL_CAP:
      if (!brom) {
        guint8 r[9] = { cmd };  /* cap0 = cap1 = 0 */

        ok = sf_sim_send (self, r, sizeof r);
        break;
      }
      G_GNUC_FALLTHROUGH;
    default:
      /* §3.9 project contract: echo an unknown command, nothing more. */
      ok = send_u8 (self, cmd);
      break;
    }
    if (!ok)
      return FALSE;
  }
}

/* ---- §6 legacy DA, as MediaTek's MT6572 DA does it (§13) ---------------- */

/* §13.9: the store under linear address @addr, the offset inside it and
 * how many bytes of the store follow; NULL past the end. */
static SfSimStore *
locate (SfSim    *self,
        guint64   addr,
        guint64  *offset,
        guint64  *avail,
        int      *index)
{
  for (int i = 0; i < SF_SIM_N_STORES; i++) {
    SfSimStore *store = &self->stores[i];

    if (addr < store->size) {
      *offset = addr;
      *avail = store->size - addr;
      if (index != NULL)
        *index = i;
      return store;
    }
    addr -= store->size;
  }
  return NULL;
}

static guint64
linear_size (SfSim *self)
{
  guint64 total = 0;

  for (int i = 0; i < SF_SIM_N_STORES; i++)
    total += self->stores[i].size;
  return total;
}

static guint64
user_base (SfSim *self)
{
  return linear_size (self) - self->stores[SF_SIM_STORE_USER].size;
}

static gboolean
range_ok (SfSim    *self,
          guint64   addr,
          guint64   len)
{
  guint64 size = linear_size (self);

  return !self->opts.faults.no_emmc && addr <= size && len <= size - addr;
}

/* §13.7: A5 + u32 code, unasked. */
static gboolean
send_error_reply (SfSim   *self,
                  guint32  code)
{
  g_debug ("error reply %u", code);
  return send_u8 (self, SF_DA_NACK) && send_u32 (self, code);
}

/* Bytes left before the unplug or stall fault fires, or -1. */
static gint64
fault_budget (SfSim    *self,
              gboolean *unplug)
{
  const SfSimFaults *f = &self->opts.faults;
  gint64 moved = (gint64) self->flash_bytes;
  gint64 budget = -1;

  *unplug = FALSE;
  if (f->unplug_after >= 0 && !self->unplug_fired) {
    budget = MAX (f->unplug_after - moved, 0);
    *unplug = TRUE;
  }
  if (f->stall_after >= 0 && (budget < 0 || MAX (f->stall_after - moved, 0) < budget)) {
    budget = MAX (f->stall_after - moved, 0);
    *unplug = FALSE;
  }
  return budget;
}

/* Moves flash data (62 payload in, D6 data out), paced, and fires the
 * unplug/stall faults as soon as their byte count is reached, before any
 * reply to the packet: the host never sees that packet acknowledged. */
static gboolean
move_flash_data (SfSim    *self,
                 guint8   *buf,
                 gsize     len,
                 gboolean  receive)
{
  gsize done = 0;

  for (;;) {
    gboolean unplug = FALSE;
    gint64 budget = fault_budget (self, &unplug);
    gsize n;

    if (budget == 0) {
      if (unplug) {
        g_debug ("fault: unplugging after %" G_GUINT64_FORMAT " bytes", self->flash_bytes);
        self->unplug_fired = TRUE;
        self->end = SF_SIM_END_UNPLUG;
      } else {
        g_debug ("fault: stalling after %" G_GUINT64_FORMAT " bytes", self->flash_bytes);
        sf_sim_hang (self);
      }
      return FALSE;
    }
    if (done == len)
      return TRUE;

    n = MIN (len - done, IO_CHUNK);
    if (budget > 0 && (guint64) budget < n)
      n = (gsize) budget;
    if (!(receive ? sf_sim_recv (self, buf + done, n) : sf_sim_send (self, buf + done, n)))
      return FALSE;
    sf_sim_add_flash_bytes (self, n);
    done += n;
    if (!sf_sim_pace (self, n))
      return FALSE;
  }
}

static guint16
byte_sum (const guint8 *buf,
          gsize         len)
{
  /* The host's routine: a byte at a time cost 0.7 ms a MiB inside the
   * lock-step, and the definition is tested on its own. */
  return sf_mtk_byte_sum16 (0, buf, len);
}

static gboolean
pwrite_all (int           fd,
            const guint8 *buf,
            gsize         len,
            guint64       offset)
{
  while (len > 0) {
    ssize_t n = pwrite (fd, buf, len, (off_t) offset);

    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return FALSE;
    buf += n;
    len -= (gsize) n;
    offset += (guint64) n;
  }
  return TRUE;
}

static gboolean
pread_all (int      fd,
           guint8  *buf,
           gsize    len,
           guint64  offset)
{
  while (len > 0) {
    ssize_t n = pread (fd, buf, len, (off_t) offset);

    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return FALSE;
    if (n == 0) {
      /* Past the end of a file grown by hand: reads as erased. */
      memset (buf, 0, len);
      return TRUE;
    }
    buf += n;
    len -= (gsize) n;
    offset += (guint64) n;
  }
  return TRUE;
}

/* Erased eMMC reads as zeros: punch a hole (keeps the file sparse), or
 * write zeros where the file system cannot. */
static gboolean
erase_range (SfSimStore *store,
             guint64     offset,
             guint64     len)
{
  static const guint8 zeros[IO_CHUNK];

  if (len == 0)
    return TRUE;
  if (fallocate (store->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                 (off_t) offset, (off_t) len) == 0)
    return TRUE;
  if (errno != EOPNOTSUPP && errno != ENOSYS)
    return FALSE;
  while (len > 0) {
    gsize n = (gsize) MIN (len, sizeof zeros);

    if (!pwrite_all (store->fd, zeros, n, offset))
      return FALSE;
    offset += n;
    len -= n;
  }
  return TRUE;
}

/* Runs @fn over the stores under [@addr, @addr + @len) of the linear
 * space, piece by piece. */
typedef gboolean (*PieceFunc) (SfSim      *self,
                               int         index,
                               SfSimStore *store,
                               guint64     offset,
                               guint8     *buf,
                               gsize       len);

static gboolean
for_pieces (SfSim     *self,
            guint64    addr,
            guint8    *buf,
            gsize      len,
            PieceFunc  fn)
{
  while (len > 0) {
    guint64 offset = 0, avail = 0;
    int index = 0;
    SfSimStore *store = locate (self, addr, &offset, &avail, &index);
    gsize n;

    if (store == NULL)
      return FALSE;
    n = (gsize) MIN ((guint64) len, avail);
    if (!fn (self, index, store, offset, buf, n))
      return FALSE;
    addr += n;
    if (buf != NULL)
      buf += n;
    len -= n;
  }
  return TRUE;
}

static gboolean
write_piece (SfSim      *self,
             int         index,
             SfSimStore *store,
             guint64     offset,
             guint8     *buf,
             gsize       len)
{
  /* §13.9: the RPMB slice is skipped silently. */
  if (index == SF_SIM_STORE_RPMB)
    return TRUE;
  if (!pwrite_all (store->fd, buf, len, offset)) {
    g_warning ("Cannot write %zu bytes at 0x%" G_GINT64_MODIFIER "X of store %d: %s",
               len, offset, index, g_strerror (errno));
    return FALSE;
  }
  return TRUE;
}

static gboolean
read_piece (SfSim      *self,
            int         index,
            SfSimStore *store,
            guint64     offset,
            guint8     *buf,
            gsize       len)
{
  if (index == SF_SIM_STORE_RPMB) {
    memset (buf, 0xFF, len);   /* reads come back unfilled (realda: FF) */
    return TRUE;
  }
  if (!pread_all (store->fd, buf, len, offset)) {
    g_warning ("Cannot read %zu bytes at 0x%" G_GINT64_MODIFIER "X of store %d: %s",
               len, offset, index, g_strerror (errno));
    memset (buf, 0, len);
  }
  return TRUE;
}

static gboolean
erase_piece (SfSim      *self,
             int         index,
             SfSimStore *store,
             guint64     offset,
             guint8     *buf,
             gsize       len)
{
  if (index == SF_SIM_STORE_RPMB)
    return TRUE;   /* replay-protected: never erased (§13.10) */
  return erase_range (store, offset, len);
}

/* §13.5 / §13.9 SDMMC_WRITE_DATA 62: the storage byte is a "verify the
 * checksum" flag, the partition byte is ignored, the address linear. A
 * packet with a wrong checksum gets the error reply 3060, and the DA then
 * waits for that packet again: 5A + packet + checksum (→ 69), or 96, which
 * abandons the write; any other byte makes the real DA spin for good. */
static gboolean
da_write (SfSim *self)
{
  g_autofree guint8 *buf = NULL;
  const SfSimFaults *f = &self->opts.faults;
  guint8 hdr[22];
  guint8 storage;
  guint64 addr;
  guint64 len;
  guint32 packet_size;

  if (!sf_sim_recv (self, hdr, sizeof hdr))
    return FALSE;
  storage = hdr[0];
  addr = get_be64 (hdr + 2);
  len = get_be64 (hdr + 10);
  packet_size = get_be32 (hdr + 18);
  g_debug ("WRITE storage %u part %u (ignored) addr 0x%" G_GINT64_MODIFIER "X len 0x%"
           G_GINT64_MODIFIER "X packet 0x%X", storage, hdr[1], addr, len, packet_size);

  if (packet_size == 0 || packet_size > MAX_PACKET || !range_ok (self, addr, len)) {
    g_debug ("WRITE refused");
    return send_error_reply (self, f->no_emmc ? SF_DA_STATUS_DEVICE_NOT_FOUND : SF_DA_STATUS_UNDEFINED_ERROR);
  }
  if (!send_u8 (self, SF_DA_ACK))
    return FALSE;
  if (len == 0)
    return TRUE;

  buf = g_malloc ((gsize) MIN (packet_size, len));
  for (guint64 off = 0; off < len;) {
    gsize n = (gsize) MIN (packet_size, len - off);
    guint64 at = addr + off;
    guint8 sum[2];
    guint8 ack;

    if (!recv_u8 (self, &ack))
      return FALSE;
    if (ack == SF_DA_STOP_CHAR && off > 0) {
      g_debug ("WRITE abandoned by the host (96)");
      return TRUE;
    }
    if (ack != SF_DA_ACK) {
      g_debug ("WRITE: expected 5A before a packet, got %02X: the DA spins", ack);
      sf_sim_hang (self);
      return FALSE;
    }
    if (!move_flash_data (self, buf, n, TRUE) || !sf_sim_recv (self, sum, sizeof sum))
      return FALSE;
    if (storage != 0 && get_be16 (sum) != byte_sum (buf, n)) {
      g_debug ("WRITE: packet checksum %04X, expected %04X", get_be16 (sum), byte_sum (buf, n));
      if (!send_error_reply (self, SF_DA_ERR_CHECKSUM))
        return FALSE;
      /* The same packet again: the host's next byte decides. */
      if (!recv_u8 (self, &ack))
        return FALSE;
      if (ack == SF_DA_STOP_CHAR) {
        g_debug ("WRITE abandoned by the host (96)");
        return TRUE;
      }
      if (ack != SF_DA_ACK) {
        g_debug ("WRITE: %02X after a checksum error: the DA spins", ack);
        sf_sim_hang (self);
        return FALSE;
      }
      if (!move_flash_data (self, buf, n, TRUE) || !sf_sim_recv (self, sum, sizeof sum))
        return FALSE;
      if (get_be16 (sum) != byte_sum (buf, n)) {
        /* Resent damaged again: the host is told the same way. */
        if (!send_error_reply (self, SF_DA_ERR_CHECKSUM) || !recv_u8 (self, &ack))
          return FALSE;
        if (ack == SF_DA_STOP_CHAR)
          return TRUE;
        sf_sim_hang (self);
        return FALSE;
      }
    }
    if (f->write_error_at >= 0 && at + n > user_base (self) &&
        (guint64) f->write_error_at + user_base (self) >= at &&
        (guint64) f->write_error_at + user_base (self) < at + n) {
      g_debug ("fault: write error at user offset 0x%" G_GINT64_MODIFIER "X", (guint64) f->write_error_at);
      return send_error_reply (self, 3154);
    }
    if (!for_pieces (self, at, buf, n, write_piece))
      return send_error_reply (self, 3154);
    if (!send_u8 (self, SF_DA_CONT_CHAR))
      return FALSE;
    off += n;
  }
  return TRUE;
}

/* §13.5 READ D6: linear address; storage 2 or 3; 5A before the data. */
static gboolean
da_read (SfSim *self)
{
  g_autofree guint8 *buf = NULL;
  guint8 hdr[22];
  guint8 storage;
  guint64 addr;
  guint64 len;
  guint32 packet_size;

  if (!sf_sim_recv (self, hdr, sizeof hdr))
    return FALSE;
  storage = hdr[1];
  addr = get_be64 (hdr + 2);
  len = get_be64 (hdr + 10);
  packet_size = get_be32 (hdr + 18);
  g_debug ("READ storage %u addr 0x%" G_GINT64_MODIFIER "X len 0x%"
           G_GINT64_MODIFIER "X packet 0x%X", storage, addr, len, packet_size);

  if ((storage != 2 && storage != 3) || packet_size == 0 ||
      packet_size > MAX_PACKET || !range_ok (self, addr, len)) {
    g_debug ("READ refused");
    return send_error_reply (self, self->opts.faults.no_emmc ? SF_DA_STATUS_DEVICE_NOT_FOUND
                                                             : SF_DA_STATUS_UNDEFINED_ERROR);
  }
  if (!send_u8 (self, SF_DA_ACK))
    return FALSE;
  if (len == 0)
    return TRUE;

  buf = g_malloc ((gsize) MIN (packet_size, len));
  for (guint64 off = 0; off < len;) {
    gsize n = (gsize) MIN (packet_size, len - off);
    guint8 ack;

    for_pieces (self, addr + off, buf, n, read_piece);
    if (!move_flash_data (self, buf, n, FALSE) || !send_u16 (self, byte_sum (buf, n)) ||
        !recv_u8 (self, &ack))
      return FALSE;
    if (ack != SF_DA_ACK) {
      g_debug ("READ: host answered %02X, stopping", ack);
      return TRUE;
    }
    off += n;
  }
  return TRUE;
}

/* §6.10 / §13.10 FORMAT D4 over a linear range; the RPMB slice is never
 * erased. A refused format gets an error reply where the first progress
 * round would be. */
static gboolean
da_format (SfSim *self)
{
  guint8 hdr[20];
  guint64 addr;
  guint64 len;
  guint64 done = 0;

  if (!sf_sim_recv (self, hdr, sizeof hdr))
    return FALSE;
  addr = get_be64 (hdr + 4);
  len = get_be64 (hdr + 12);
  g_debug ("FORMAT storage %u addr 0x%" G_GINT64_MODIFIER "X len 0x%"
           G_GINT64_MODIFIER "X", hdr[0], addr, len);

  if (hdr[0] != SF_DA_STORAGE_EMMC || !range_ok (self, addr, len)) {
    g_debug ("FORMAT refused");
    return send_error_reply (self, self->opts.faults.no_emmc ? SF_DA_STATUS_DEVICE_NOT_FOUND
                                                             : SF_DA_STATUS_UNDEFINED_ERROR);
  }

  for (;;) {
    guint64 n = MIN (FORMAT_CHUNK, len - done);
    guint8 round[2 + 4 + 1] = { SF_DA_ACK, SF_DA_ACK, 0, 0, 0, 0, 0 };
    guint8 ack;

    /* Erase piece by piece: for_pieces wants a buffer it never touches
     * for erasing, and a length that fits a gsize. */
    for (guint64 at = 0; at < n;) {
      gsize piece = (gsize) MIN (n - at, (guint64) G_MAXINT32);

      if (!for_pieces (self, addr + done + at, NULL, piece, erase_piece)) {
        g_warning ("Cannot erase at linear 0x%" G_GINT64_MODIFIER "X: %s", addr + done + at, g_strerror (errno));
        return send_error_reply (self, SF_DA_STATUS_UNDEFINED_ERROR);
      }
      at += piece;
    }
    done += n;
    round[6] = len == 0 ? SF_DA_FORMAT_PROGRESS_DONE : (guint8) (done * 100 / len);
    if (!sf_sim_send (self, round, sizeof round) || !recv_u8 (self, &ack))
      return FALSE;
    if (ack != SF_DA_ACK) {
      g_debug ("FORMAT: host answered %02X, stopping", ack);
      return TRUE;
    }
    if (round[6] == SF_DA_FORMAT_PROGRESS_DONE)
      break;
  }
  return send_u8 (self, SF_DA_ACK) && send_u8 (self, SF_DA_ACK);
}

/* Where the table lives in user.bin (§13.10). */
static guint64
pmt_offset (SfSim *self)
{
  guint64 size = self->stores[SF_SIM_STORE_USER].size;

  return size > PMT_FROM_END ? size - PMT_FROM_END : 0;
}

/* The stored table: its records (count × 0x60 bytes), or NULL when the
 * phone has none (blank or erased: zeros there). */
static guint8 *
pmt_load (SfSim  *self,
          guint  *count)
{
  SfSimStore *store = &self->stores[SF_SIM_STORE_USER];
  guint8 head[8];
  guint8 *records;
  guint32 n;

  *count = 0;
  if (self->opts.faults.pmt_missing ||
      !pread_all (store->fd, head, sizeof head, pmt_offset (self)) ||
      memcmp (head, PMT_MAGIC, 4) != 0)
    return NULL;
  n = (guint32) head[4] | (guint32) head[5] << 8 | (guint32) head[6] << 16 | (guint32) head[7] << 24;
  if (n == 0 || n > SF_PMT_MAX_RECORDS)
    return NULL;
  records = g_malloc ((gsize) n * SF_PMT_RECORD_SIZE);
  if (!pread_all (store->fd, records, (gsize) n * SF_PMT_RECORD_SIZE, pmt_offset (self) + sizeof head)) {
    g_free (records);
    return NULL;
  }
  *count = n;
  return records;
}

/* §13.6 SDMMC_READ_PMT A5: 5A, len u32, (host 5A), len bytes, (host 5A);
 * no table: the error reply 1037 (§13.10). The field at 0x48 reads back
 * as FF bytes whatever was written. */
static gboolean
da_read_pmt (SfSim *self)
{
  guint count = 0;
  g_autofree guint8 *data = pmt_load (self, &count);
  gsize len = (gsize) count * SF_PMT_RECORD_SIZE;
  guint8 ack;

  if (data == NULL) {
    g_debug ("READ_PMT: no table");
    return send_error_reply (self, SF_DA_ERR_NO_PMT);
  }
  for (guint i = 0; i < count; i++)
    memset (data + (gsize) i * SF_PMT_RECORD_SIZE + 0x48, 0xFF, 8);
  g_debug ("READ_PMT: %u records", count);
  if (!send_u8 (self, SF_DA_ACK) || !send_u32 (self, (guint32) len) || !recv_u8 (self, &ack))
    return FALSE;
  if (ack != SF_DA_ACK)
    return TRUE;
  if (!sf_sim_send (self, data, len))
    return FALSE;
  return recv_u8 (self, &ack);
}

/* §13.6 SDMMC_WRITE_PMT A4: 5A; (count u32) 5A; per record (0x60 bytes)
 * 69; (mode u32) 5A; then 5A, or the error reply 5069. More than 40
 * entries: the error reply at once. */
static gboolean
da_write_pmt (SfSim *self)
{
  SfSimStore *store = &self->stores[SF_SIM_STORE_USER];
  g_autofree guint8 *data = NULL;
  guint8 b[4];
  guint32 count;
  guint32 mode;

  if (!send_u8 (self, SF_DA_ACK) || !sf_sim_recv (self, b, sizeof b))
    return FALSE;
  count = get_be32 (b);
  g_debug ("WRITE_PMT: %u entries", count);
  if (count > SF_PMT_MAX_RECORDS)
    return send_error_reply (self, SF_DA_ERR_WRITE_PMT);
  if (!send_u8 (self, SF_DA_ACK))
    return FALSE;
  data = g_malloc0 (8 + (gsize) count * SF_PMT_RECORD_SIZE);
  memcpy (data, PMT_MAGIC, 4);
  data[4] = count & 0xFF;
  data[5] = (count >> 8) & 0xFF;
  for (guint32 i = 0; i < count; i++) {
    if (!sf_sim_recv (self, data + 8 + (gsize) i * SF_PMT_RECORD_SIZE, SF_PMT_RECORD_SIZE) ||
        !send_u8 (self, SF_DA_CONT_CHAR))
      return FALSE;
  }
  if (!sf_sim_recv (self, b, sizeof b))
    return FALSE;
  mode = get_be32 (b);
  g_debug ("WRITE_PMT: mode %u", mode);
  if (!send_u8 (self, SF_DA_ACK))
    return FALSE;
  if (store->size < PMT_FROM_END ||
      !pwrite_all (store->fd, data, 8 + (gsize) count * SF_PMT_RECORD_SIZE, pmt_offset (self)) ||
      !pwrite_all (store->fd, data, 8 + (gsize) count * SF_PMT_RECORD_SIZE, pmt_offset (self) + PMT_COPY_AT)) {
    g_warning ("Cannot store the partition table: %s", g_strerror (errno));
    return send_error_reply (self, SF_DA_ERR_WRITE_PMT);
  }
  return send_u8 (self, SF_DA_ACK);
}

static void
da_loop (SfSim *self)
{
  for (;;) {
    gboolean ok = TRUE;
    guint8 cmd;

    if (!recv_u8 (self, &cmd))
      return;
    g_debug ("DA command %02X", cmd);

    switch (cmd) {
    case SF_DA_CMD_USB_CHECK_STATUS: {
      /* §13.8: full speed until the host's 70 01. */
      guint8 r[2] = { SF_DA_ACK, self->high_speed ? SF_DA_USB_HIGH_SPEED : SF_DA_USB_FULL_SPEED };

      ok = sf_sim_send (self, r, sizeof r);
      break;
    }
    case SF_DA_CMD_USB_SETUP_PORT: {
      guint8 speed;

      ok = recv_u8 (self, &speed) && send_u8 (self, SF_DA_ACK);
      if (!ok || speed != SF_DA_USB_HIGH_SPEED)
        break;
      if (self->opts.faults.no_reenumerate) {
        /* Leaves the bus and never comes back: the pty goes away. */
        /* Gone for good. The pty stays allocated but locked, so the path
         * cannot be opened again (EIO) and is not handed to another
         * program's pty meanwhile, as a freed one would be. */
        int lock = 1;

        g_debug ("fault: gone after the switch to high speed");
        if (ioctl (self->master_fd, TIOCSPTLCK, &lock) != 0)
          g_warning ("Cannot lock the pty: %s", g_strerror (errno));
        sf_sim_hang (self);
        return;
      }
      /* The phone re-enumerates, on the same port unless
       * new_port_on_switch; behind a USB 1.1 port (--pace full-speed) it
       * comes back at full speed. */
      if (self->opts.pace != SF_SIM_PACE_FULL_SPEED)
        self->high_speed = TRUE;
      self->pace_bytes = 0;
      g_debug ("USB: %s speed after 70 01", self->high_speed ? "high" : "full");
      /* A tty that gets another name when the phone comes back. */
      if (self->opts.new_port_on_switch && !sf_sim_reenumerate (self))
        return;
      break;
    }
    case SF_DA_CMD_SDMMC_SWITCH_PART: {
      /* §13.9: answered and ignored; addresses are linear. */
      guint8 part;

      ok = send_u8 (self, SF_DA_ACK) && recv_u8 (self, &part) && send_u8 (self, SF_DA_ACK);
      if (ok)
        g_debug ("SWITCH_PART %u ignored", part);
      break;
    }
    case SF_DA_CMD_SDMMC_WRITE_DATA:
      ok = da_write (self);
      break;
    case SF_DA_CMD_READ:
      ok = da_read (self);
      break;
    case SF_DA_CMD_FORMAT:
      ok = da_format (self);
      break;
    case SF_DA_CMD_READ_REG32: {
      guint8 b[4];

      ok = sf_sim_recv (self, b, sizeof b) &&
           send_u32 (self, reg_get (self, get_be32 (b))) && send_u8 (self, SF_DA_ACK);
      break;
    }
    case SF_DA_CMD_WRITE_REG32: {
      guint8 b[8];

      ok = sf_sim_recv (self, b, sizeof b);
      if (ok) {
        reg_set (self, get_be32 (b), get_be32 (b + 4));
        ok = send_u8 (self, SF_DA_ACK);
      }
      break;
    }
    case SF_DA_CMD_SDMMC_READ_PMT:
      ok = da_read_pmt (self);
      break;
    case SF_DA_CMD_SDMMC_WRITE_PMT:
      ok = da_write_pmt (self);
      break;
    case SF_DA_CMD_FINISH: {
      /* §6.11 project contract: 5A, mode u32, 5A, then the phone leaves. */
      guint8 mode[4];

      if (send_u8 (self, SF_DA_ACK) && sf_sim_recv (self, mode, sizeof mode) &&
          send_u8 (self, SF_DA_ACK)) {
        g_debug ("FINISH mode %u", get_be32 (mode));
        self->end = SF_SIM_END_FINISH;
      }
      return;
    }
    default:
      ok = send_u8 (self, SF_DA_UNKNOWN_CMD);
      break;
    }
    if (!ok)
      return;
  }
}

/* §13.2: after the DRAM status 0xBBF, unasked: eMMC status, the CID in raw
 * byte order (each u32 of 13.1's order byte-swapped), NAND status, 7 NAND
 * IDs. */
static gboolean
send_brom_report (SfSim *self)
{
  guint8 r[4 + 4 + 16 + 4 + 2 + 2 * SF_DA1_NAND_ID_COUNT] = { 0 };

  put_be32 (r, SF_DA_STATUS_RAM_ERROR_OLD);
  for (guint i = 0; i < 16; i++)
    r[8 + i] = self->cid[(i & ~3u) + 3 - (i & 3)];
  put_be32 (r + 24, SF_DA_STATUS_DEVICE_NOT_FOUND);
  put_be16 (r + 28, SF_DA1_NAND_ID_COUNT);
  return sf_sim_send (self, r, sizeof r);
}

/* §13.3 ENABLE_DRAM for the dram-fail fault: the EMI entry is taken and
 * checksummed, and the DRAM does not come up (ext_ram_ret ≠ 0); the DA is
 * dead from then on. */
static void
da_dram_fail (SfSim *self)
{
  guint8 cmd;
  guint8 version[4];
  guint8 entry[0xA8];
  guint8 tail[5];
  guint8 id[16 + 4] = { 0 };

  if (!send_brom_report (self) || !recv_u8 (self, &cmd) ||
      !sf_sim_recv (self, version, sizeof version) || !send_u8 (self, SF_DA_ACK))
    return;
  put_be32 (id + 16, sizeof entry);
  if (!sf_sim_send (self, id, sizeof id) ||
      !sf_sim_recv (self, &cmd, 1) || !sf_sim_recv (self, entry, sizeof entry) ||
      !send_u16 (self, byte_sum (entry, sizeof entry)) ||
      !sf_sim_recv (self, tail, sizeof tail) ||
      !send_u32 (self, SF_DA_STATUS_RAM_ERROR))
    return;
  g_debug ("fault: DRAM init failed, the DA is dead");
  sf_sim_hang (self);
}

static guint32
get_le32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

/* §13.4: the entry's memory-chip ID against the board's CID, in either
 * byte order. */
static gboolean
emi_for_board (SfSim        *self,
               const guint8 *entry)
{
  const SfSimBoard *b = board (self);
  guint32 n = get_le32 (entry + 0x14);
  guint8 raw[16];

  for (guint i = 0; i < 16; i++)
    raw[i] = b->cid[(i & ~3u) + 3 - (i & 3)];
  return get_le32 (entry) == 0x0202 && n >= 1 && n <= 16 &&
         (memcmp (entry + 4, b->cid, n) == 0 || memcmp (entry + 4, raw, n) == 0);
}

/* §13.2–13.3, a phone entered through its BootROM: 0xBBF and the report,
 * then ENABLE_DRAM. The DRAM comes up only with the EMI entry made for the
 * board's memory; any other gives ext_ram_ret ≠ 0 and the DA is dead. An
 * entry whose word at 0x8C has bits 16–17 = 0 or 2 hangs it, as it hangs
 * MediaTek's DA1. FALSE when the session is over. */
static gboolean
da_enable_dram (SfSim *self)
{
  guint8 cmd;
  guint8 version[4];
  guint8 entry[0xA8];
  guint8 tail[5];
  guint8 id[16 + 4] = { 0 };
  guint32 spin;

  if (!send_brom_report (self) || !recv_u8 (self, &cmd) ||
      !sf_sim_recv (self, version, sizeof version) || !send_u8 (self, SF_DA_ACK))
    return FALSE;
  g_debug ("ENABLE_DRAM: command %02X, EMI version %u", cmd, get_be32 (version));
  put_be32 (id + 16, sizeof entry);
  if (!sf_sim_send (self, id, sizeof id) ||
      !sf_sim_recv (self, &cmd, 1) || !sf_sim_recv (self, entry, sizeof entry) ||
      !send_u16 (self, byte_sum (entry, sizeof entry)) ||
      !sf_sim_recv (self, tail, sizeof tail))
    return FALSE;
  if (tail[0] != SF_DA_ACK) {
    g_debug ("ENABLE_DRAM: aborted by the host");
    sf_sim_hang (self);
    return FALSE;
  }
  spin = (get_le32 (entry + 0x8C) >> 16) & 3;
  if (spin == 0 || spin == 2) {
    g_debug ("ENABLE_DRAM: an entry DA1 spins on");
    sf_sim_hang (self);
    return FALSE;
  }
  if (get_be32 (version) != 0x0B || !emi_for_board (self, entry)) {
    g_debug ("ENABLE_DRAM: not this board's memory: the DRAM does not come up");
    if (send_u32 (self, SF_DA_STATUS_RAM_ERROR))
      sf_sim_hang (self);
    return FALSE;
  }
  {
    guint8 r[4 + 1 + 1 + 8] = { 0 };

    r[4] = 0x02;   /* DRAM */
    put_be64 (r + 6, board (self)->dram_size);
    g_debug ("ENABLE_DRAM: %s's DRAM is up", board (self)->name);
    return sf_sim_send (self, r, sizeof r);
  }
}

/* §6.4: DA2 arrives in packets; any payload is accepted. */
static gboolean
da2_upload (SfSim *self)
{
  g_autofree guint8 *buf = g_malloc (IO_CHUNK);

  for (;;) {
    guint8 hdr[12];
    guint32 len;
    guint32 packet_size;
    guint8 ack;

    if (!sf_sim_recv (self, hdr, sizeof hdr))
      return FALSE;
    len = get_be32 (hdr + 4);
    packet_size = get_be32 (hdr + 8);
    g_debug ("DA2 addr %08X len %u packet %u", get_be32 (hdr), len, packet_size);
    if (packet_size == 0 || packet_size > MAX_PACKET) {
      if (!send_u8 (self, SF_DA_NACK))
        return FALSE;
      continue;
    }
    if (!send_u8 (self, SF_DA_ACK))
      return FALSE;

    for (guint32 off = 0; off < len;) {
      guint32 n = MIN (packet_size, len - off);

      for (guint32 got = 0; got < n;) {
        guint32 piece = MIN (IO_CHUNK, n - got);

        if (!sf_sim_recv (self, buf, piece) || !sf_sim_pace (self, piece))
          return FALSE;
        got += piece;
      }
      if (!send_u8 (self, SF_DA_ACK))
        return FALSE;
      off += n;
    }

    /* The host's closing 5A; anything else is NACKed until it comes. */
    for (;;) {
      if (!recv_u8 (self, &ack))
        return FALSE;
      if (ack == SF_DA_ACK)
        break;
      if (!send_u8 (self, SF_DA_NACK))
        return FALSE;
    }
    return send_u8 (self, SF_DA_ACK);
  }
}

/* §13.10: the 232-byte DA2 report of the MT6572 DA. */
static void
build_report (SfSim  *self,
              guint8 *r)
{
  gboolean emmc = !self->opts.faults.no_emmc;
  guint8 *p = r;

  memset (r, 0, SF_DA2_REPORT_LEN);

  /* NOR (28): ret 0xBC3, chip select 00 08, id FFFF */
  put_be32 (p, SF_DA_STATUS_RAM_ERROR);
  p[4] = 0x00;
  p[5] = 0x08;
  put_be16 (p + 6, 0xFFFF);
  p += 28;
  /* NAND (17 + 10), 32-bit layout: ret, cs, flash_id, size u32, 7 ids, 7 codes */
  put_be32 (p, SF_DA_STATUS_DEVICE_NOT_FOUND);
  put_be16 (p + 11, SF_DA1_NAND_ID_COUNT);
  p += 17 + 2 * SF_DA1_NAND_ID_COUNT - 4;
  /* NAND2 (9) */
  p += 9;
  /* eMMC (92) */
  if (emmc) {
    put_be32 (p, SF_DA_STATUS_OK);
    put_be64 (p + 4, self->stores[SF_SIM_STORE_BOOT1].size);
    put_be64 (p + 12, self->stores[SF_SIM_STORE_BOOT2].size);
    put_be64 (p + 20, self->stores[SF_SIM_STORE_RPMB].size);
    put_be64 (p + 60, self->stores[SF_SIM_STORE_USER].size);
    /* As realda-phone shows MediaTek's DA2 sending it: each u32 of the
     * CID byte-swapped (the DA1 report has the specification's order). */
    for (guint i = 0; i < SF_DA_EMMC_ID_LEN; i++)
      p[68 + i] = self->cid[(i & ~3u) + 3 - (i & 3)];
  } else {
    put_be32 (p, SF_DA_STATUS_DEVICE_NOT_FOUND);
  }
  p += 92;
  /* SDC (28) */
  put_be32 (p, 0x00000C4A);
  p += 28;
  /* config (38) */
  put_be32 (p + 4, 0x00020000);
  p[12] = 0x02;
  put_be64 (p + 14, G_GUINT64_CONSTANT (0x20000000));
  p += 38;
  /* pass info (10): 5A, download status, boot style, C1 */
  p[0] = SF_DA_ACK;
  put_be32 (p + 1, 0x00000C06);
  put_be32 (p + 5, 0x00000409);
  p[9] = SF_DA_SOC_OK;
  p += 10;

  g_assert (p - r == SF_DA2_REPORT_LEN);
}

static void
da_session (SfSim *self)
{
  gboolean emmc = !self->opts.faults.no_emmc;
  guint8 start[1 + 4 + 2 + 2 * SF_DA1_NAND_ID_COUNT + 4 + SF_DA_EMMC_ID_LEN] = { SF_DA_SYNC_CHAR };
  guint8 version[3] = { SF_DA_MAJOR_VER, SF_DA_MINOR_VER, SF_DA_BUILD_VER };
  guint8 report[SF_DA2_REPORT_LEN];
  guint8 config[SF_DA_STAGE2_CONFIG_LEN];
  guint8 answer;
  guint8 *p;

  /* §13.1: C0, nand_ret 0xBC0, 7 NAND IDs, emmc_ret, CID, (host byte),
   * 04 02 88. */
  put_be32 (start + 1, SF_DA_STATUS_NAND_RET_REAL);
  put_be16 (start + 5, SF_DA1_NAND_ID_COUNT);
  p = start + 7 + 2 * SF_DA1_NAND_ID_COUNT;
  put_be32 (p, emmc ? SF_DA_STATUS_OK : SF_DA_STATUS_DEVICE_NOT_FOUND);
  if (emmc)
    memcpy (p + 4, self->cid, SF_DA_EMMC_ID_LEN);
  if (!sf_sim_send (self, start, sizeof start) || !recv_u8 (self, &answer) ||
      !sf_sim_send (self, version, sizeof version))
    return;

  /* §13.2: 18 bytes, read and not validated */
  if (!sf_sim_recv (self, config, sizeof config))
    return;
  g_debug ("stage-2 config: bromver %02X blver %02X", config[0], config[1]);
  if (self->opts.faults.dram_fail) {
    da_dram_fail (self);
    return;
  }
  /* §13.2: entered through the BootROM, the DRAM always needs setting up,
   * with the EMI entry made for this board's memory. */
  if (self->opts.mode == SF_SIM_MODE_BROM) {
    if (!da_enable_dram (self))
      return;
  } else if (!send_u32 (self, SF_DA_STATUS_OK)) {
    return;
  }
  if (!da2_upload (self))
    return;

  build_report (self, report);
  if (!sf_sim_send (self, report, sizeof report))
    return;
  da_loop (self);
}

/* A phone that runs Android: its ACM port is a modem that echoes what it
 * gets and says OK to a carriage return, never the handshake's NOT. */
static void
run_powered_on (SfSim *self)
{
  static const char ok[] = "\r\nOK\r\n";

  for (;;) {
    guint8 c;

    if (!recv_u8 (self, &c) || !send_u8 (self, c))
      return;
    if (c == '\r' && !sf_sim_send (self, ok, strlen (ok)))
      return;
  }
}

void
sf_sim_device_run_session (SfSim *self)
{
  if (self->opts.faults.powered_on) {
    run_powered_on (self);
    return;
  }
  if (!wait_for_tool (self))
    return;
  g_debug ("start sequence done (%s)", self->opts.mode == SF_SIM_MODE_BROM ? "BROM" : "preloader");
  if (!brom_loop (self))
    return;
  da_session (self);
}
