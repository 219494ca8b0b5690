/* test-sim.c — the virtual phone, driven byte for byte over its pty as
 * protocol.md §8 describes (no host code from src/core involved)
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "sf-mtk.h"
#include "sf-sim.h"
#include "sf-test-util.h"

#define TEST_USER_SIZE  (128 * 1024 * 1024)
/* §13.9: the user area on the linear wire, after 4 MiB BOOT1, BOOT2, RPMB */
#define USER_BASE       (G_GUINT64_CONSTANT (0xC00000))
#define REPLY_MS        1000
#define DA1_ADDR        0x02007000
#define DA2_ADDR        0x80000000
#define DA1_LEN         5001    /* odd on purpose: §3.7 odd-length rule */
#define DA2_LEN         9000    /* three 4096-byte packets, the last one short */

/* The folder, phone and host port of one test; made and dropped around it. */
static char *tmpdir;
static SfSim *sim;
static int host_fd = -1;

static void
setup (void)
{
  tmpdir = sf_test_make_tempdir ();
}

static void
teardown (void)
{
  if (host_fd >= 0)
    close (host_fd);
  host_fd = -1;
  g_clear_pointer (&sim, sf_sim_free);
  sf_test_rm_rf (tmpdir);
  g_clear_pointer (&tmpdir, g_free);
}

/* ---- raw host side ------------------------------------------------------ */

static int
host_open (const char *path)
{
  struct termios tio;
  int fd = open (path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);

  ck_assert_msg (fd >= 0, "open %s: %s", path, g_strerror (errno));
  ck_assert_int_eq (tcgetattr (fd, &tio), 0);
  cfmakeraw (&tio);
  ck_assert_int_eq (tcsetattr (fd, TCSANOW, &tio), 0);
  return fd;
}

/* Reads up to @len bytes within @timeout_ms; stops early at EOF/hang-up. */
static gsize
host_read (int    fd,
           void  *buf,
           gsize  len,
           int    timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint8 *p = buf;
  gsize done = 0;

  while (done < len) {
    gint64 left = deadline - g_get_monotonic_time ();
    struct pollfd pfd = { fd, POLLIN, 0 };
    ssize_t n;
    int r;

    if (left <= 0)
      break;
    r = poll (&pfd, 1, (int) ((left + 999) / 1000));
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      break;
    n = read (fd, p + done, len - done);
    if (n > 0)
      done += (gsize) n;
    else if (n < 0 && (errno == EAGAIN || errno == EINTR))
      continue;
    else
      break;
  }
  return done;
}

static gboolean
host_write_timeout (int         fd,
                    const void *buf,
                    gsize       len,
                    int         timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  const guint8 *p = buf;
  gsize done = 0;

  while (done < len) {
    gint64 left = deadline - g_get_monotonic_time ();
    struct pollfd pfd = { fd, POLLOUT, 0 };
    ssize_t n;

    if (left <= 0 || poll (&pfd, 1, (int) ((left + 999) / 1000)) <= 0)
      return FALSE;
    if (pfd.revents & (POLLHUP | POLLERR))
      return FALSE;
    n = write (fd, p + done, len - done);
    if (n > 0)
      done += (gsize) n;
    else if (n < 0 && (errno == EAGAIN || errno == EINTR))
      continue;
    else
      return FALSE;
  }
  return TRUE;
}

static void
host_write (int         fd,
            const void *buf,
            gsize       len)
{
  ck_assert_msg (host_write_timeout (fd, buf, len, 5000), "host write of %zu bytes failed", len);
}

static GByteArray *
hex (const char *text)
{
  GByteArray *bytes = g_byte_array_new ();

  for (const char *p = text; *p != '\0';) {
    guint8 b;

    if (*p == ' ') {
      p++;
      continue;
    }
    ck_assert_msg (g_ascii_isxdigit (p[0]) && g_ascii_isxdigit (p[1]), "bad hex “%s”", text);
    b = (guint8) (g_ascii_xdigit_value (p[0]) << 4 | g_ascii_xdigit_value (p[1]));
    g_byte_array_append (bytes, &b, 1);
    p += 2;
  }
  return bytes;
}

static char *
to_hex (const guint8 *buf,
        gsize         len)
{
  GString *s = g_string_new (NULL);

  for (gsize i = 0; i < len && i < 64; i++)
    g_string_append_printf (s, "%s%02X", i ? " " : "", buf[i]);
  if (len > 64)
    g_string_append (s, " …");
  return g_string_free (s, FALSE);
}

static void
send_hex (const char *text)
{
  g_autoptr(GByteArray) bytes = hex (text);

  host_write (host_fd, bytes->data, bytes->len);
}

static void
expect_bytes (const guint8 *want,
              gsize         len,
              const char   *what)
{
  g_autofree guint8 *got = g_malloc0 (len + 1);
  gsize n = host_read (host_fd, got, len, REPLY_MS);

  if (n != len || memcmp (got, want, len) != 0) {
    g_autofree char *got_hex = to_hex (got, n);
    g_autofree char *want_hex = to_hex (want, len);

    ck_abort_msg ("%s: got [%s] (%zu bytes), expected [%s]", what, got_hex, n, want_hex);
  }
}

static void
expect_hex (const char *text,
            const char *what)
{
  g_autoptr(GByteArray) bytes = hex (text);

  expect_bytes (bytes->data, bytes->len, what);
}

/* §13.1's emmc_ret and CID: sample-a's (realda-phone's default) with the
 * serial number this phone's storage was given (its file "serial"). */
static void
expect_cid_report (void)
{
  g_autofree char *path = g_build_filename (tmpdir, "serial", NULL);
  g_autofree char *text = NULL;
  g_autofree char *want = NULL;
  guint32 serial;

  ck_assert_msg (g_file_get_contents (path, &text, NULL, NULL), "the phone has no serial number file");
  serial = (guint32) g_ascii_strtoull (text, NULL, 16);
  ck_assert_uint_le (serial, 0xFFFFFF);
  want = g_strdup_printf ("00 00 00 00 15 01 00 4B 41 4C 41 35 32 10 12 34 %02X %02X %02X 01",
                          (serial >> 16) & 0xFF, (serial >> 8) & 0xFF, serial & 0xFF);
  expect_hex (want, "DA1 emmc");
}

/* Sends @text and expects it back: the §0 echo rule. */
static void
send_echo (const char *text,
           const char *what)
{
  send_hex (text);
  expect_hex (text, what);
}

static void
expect_silence (int         ms,
                const char *what)
{
  guint8 b[64];
  gsize n = host_read (host_fd, b, sizeof b, ms);

  if (n != 0) {
    g_autofree char *got = to_hex (b, n);

    ck_abort_msg ("%s: expected nothing, got [%s]", what, got);
  }
}

/* TRUE when the port hangs up (EOF, EIO or POLLHUP) within @timeout_ms. */
static gboolean
host_wait_hangup (int fd,
                  int timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (g_get_monotonic_time () < deadline) {
    struct pollfd pfd = { fd, POLLIN, 0 };
    guint8 b[256];
    ssize_t n;

    if (poll (&pfd, 1, 50) <= 0)
      continue;
    if (pfd.revents & (POLLHUP | POLLERR))
      return TRUE;
    n = read (fd, b, sizeof b);
    if (n == 0 || (n < 0 && errno == EIO))
      return TRUE;
  }
  return FALSE;
}

static void
put_be32 (guint8  *p,
          guint32  v)
{
  p[0] = v >> 24;
  p[1] = (v >> 16) & 0xFF;
  p[2] = (v >> 8) & 0xFF;
  p[3] = v & 0xFF;
}

static void
put_be64 (guint8  *p,
          guint64  v)
{
  put_be32 (p, v >> 32);
  put_be32 (p + 4, v & 0xFFFFFFFF);
}

static guint32
get_be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

static guint64
get_be64 (const guint8 *p)
{
  return (guint64) get_be32 (p) << 32 | get_be32 (p + 4);
}

static guint8 *
pattern (gsize  len,
         guint  seed)
{
  guint8 *buf = g_malloc (len);

  for (gsize i = 0; i < len; i++)
    buf[i] = (guint8) ((i * 31 + seed * 7 + (i >> 8)) & 0xFF);
  return buf;
}

/* ---- the phone ---------------------------------------------------------- */

static void
test_options (SfSimOptions *opts)
{
  sf_sim_options_init (opts);
  opts->storage_dir = tmpdir;
  opts->emmc_user_size = TEST_USER_SIZE;
}

static void
start_phone (const SfSimOptions *opts)
{
  g_autoptr(GError) error = NULL;

  sim = sf_sim_new (opts, &error);
  ck_assert_msg (sim != NULL, "%s", error ? error->message : "?");
  ck_assert_msg (g_str_has_prefix (sf_sim_get_port_path (sim), "/dev/pts/"),
                 "port %s", sf_sim_get_port_path (sim));
  ck_assert_msg (sf_sim_start (sim, &error), "%s", error ? error->message : "?");
  host_fd = host_open (sf_sim_get_port_path (sim));
}

static void
start_default_phone (SfSimMode mode)
{
  SfSimOptions opts;

  test_options (&opts);
  opts.mode = mode;
  start_phone (&opts);
}

/* §2.0 + §2.1 */
static void
start_sequence (SfSimMode mode)
{
  if (mode == SF_SIM_MODE_PRELOADER) {
    guint8 junk[256];

    send_hex ("A0");
    g_usleep (50 * 1000);
    host_read (host_fd, junk, sizeof junk, 20);
  }
  send_hex ("A0");
  expect_hex ("5F", "A0");
  send_hex ("0A");
  expect_hex ("F5", "0A");
  send_hex ("50");
  expect_hex ("AF", "50");
  send_hex ("05");
  expect_hex ("FA", "05");
}

/* §3.7 checksum, computed here on its own. */
static guint16
xor_checksum (const guint8 *buf,
              gsize         len)
{
  guint16 sum = 0;

  for (gsize i = 0; i < len; i += 2)
    sum ^= (guint16) (buf[i] | (i + 1 < len ? buf[i + 1] << 8 : 0));
  return sum;
}

static void
send_da (guint32       addr,
         const guint8 *data,
         guint32       len,
         guint32       sig_len,
         guint16       want_checksum)
{
  guint8 word[4];
  guint8 tail[4] = { want_checksum >> 8, want_checksum & 0xFF, 0, 0 };

  send_echo ("D7", "SEND_DA echo");
  put_be32 (word, addr);
  host_write (host_fd, word, 4);
  expect_bytes (word, 4, "SEND_DA addr echo");
  put_be32 (word, len);
  host_write (host_fd, word, 4);
  expect_bytes (word, 4, "SEND_DA len echo");
  put_be32 (word, sig_len);
  host_write (host_fd, word, 4);
  expect_bytes (word, 4, "SEND_DA sig echo");
  expect_hex ("00 00", "SEND_DA status");
  host_write (host_fd, data, len);
  expect_bytes (tail, 4, "SEND_DA checksum + status");
}

static void
jump_da (void)
{
  send_echo ("D5", "JUMP_DA echo");
  send_echo ("02 00 70 00", "JUMP_DA addr echo");
  expect_hex ("00 00", "JUMP_DA status");
}

/* §13.2–13.3: a phone entered through its BootROM always asks for DRAM
 * settings (0xBBF and the report); E8 with the EMI entry made for board
 * sample-a's memory (the default board) brings its 512 MiB up. */
static void
enable_dram_sample_a (void)
{
  static const guint8 cid9[9] = { 0x15, 0x01, 0x00, 0x4B, 0x41, 0x4C, 0x41, 0x35, 0x32 };
  guint8 entry[1 + 0xA8] = { 0x5A };
  guint8 *e = entry + 1;
  guint8 junk[4 + 16 + 4 + 2 + 14];
  guint16 sum = 0;
  char want[8];

  expect_hex ("00 00 0B BF 00 00 00 00", "DRAM status 0xBBF, eMMC status");
  ck_assert_uint_eq (host_read (host_fd, junk, 16 + 4 + 2 + 14, REPLY_MS), 16 + 4 + 2 + 14);
  send_hex ("E8 00 00 00 0B");
  expect_hex ("5A", "ENABLE_DRAM");
  expect_hex ("00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 A8", "DRAM id, EMI length");
  e[0] = 0x02;                      /* type 0x0202, little-endian */
  e[1] = 0x02;
  memcpy (e + 4, cid9, sizeof cid9);
  e[0x14] = sizeof cid9;            /* id_length */
  e[0x8C + 2] = 0x01;               /* bits 16–17 = 1: an entry DA1 does not spin on */
  host_write (host_fd, entry, sizeof entry);
  for (guint i = 0; i < 0xA8; i++)
    sum += e[i];
  g_snprintf (want, sizeof want, "%02X %02X", sum >> 8, sum & 0xFF);
  expect_hex (want, "EMI checksum");
  send_hex ("5A 80 00 00 01");
  expect_hex ("00 00 00 00 02 00 00 00 00 00 20 00 00 00", "ext_ram_ret 0, DRAM, cs 0, 512 MiB");
}

/* §6.2 (start report checked by the caller's @emmc), §6.3, §6.4, §6.5. */
static void
enter_da (SfSimMode  mode,
          gboolean   emmc,
          guint8    *report)
{
  g_autofree guint8 *da1 = pattern (DA1_LEN, 1);
  g_autofree guint8 *da2 = pattern (DA2_LEN, 2);
  guint8 hdr[12];

  send_da (DA1_ADDR, da1, DA1_LEN, 0x100, xor_checksum (da1, DA1_LEN));
  jump_da ();

  /* §13.1: nand_ret 0xBC0, 7 NAND IDs, the CID in 4 × u32, "DA v4.2". */
  expect_hex ("C0 00 00 0B C0 00 07 00 00 00 00 00 00 00 00 00 00 00 00 00 00", "DA1 sync, nand_ret, nand ids");
  if (emmc)
    expect_cid_report ();
  else
    expect_hex ("00 00 0B C4 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00", "DA1 no emmc");
  send_hex ("5A");
  expect_hex ("04 02 88", "DA version");

  if (mode == SF_SIM_MODE_PRELOADER) {
    send_hex ("FF 01 00 08 00 70 07 FF FF 00 00 00 00 A8 01 01 02 00");
    expect_hex ("00 00 00 00", "DRAM status");
  } else {
    send_hex ("05 FE 00 08 00 70 07 FF FF 00 00 00 00 A8 01 01 02 00");
    enable_dram_sample_a ();
  }

  put_be32 (hdr, DA2_ADDR);
  put_be32 (hdr + 4, DA2_LEN);
  put_be32 (hdr + 8, 0x1000);
  host_write (host_fd, hdr, sizeof hdr);
  expect_hex ("5A", "DA2 header ack");
  for (guint32 off = 0; off < DA2_LEN; off += 0x1000) {
    host_write (host_fd, da2 + off, MIN (0x1000, DA2_LEN - off));
    expect_hex ("5A", "DA2 packet ack");
  }
  send_hex ("5A");
  expect_hex ("5A", "DA2 done");

  ck_assert_uint_eq (host_read (host_fd, report, SF_DA2_REPORT_LEN, REPLY_MS), SF_DA2_REPORT_LEN);
}

/* Everything from the handshake to the DA command loop, §8 steps 2–16. */
static void
bring_up (SfSimMode  mode,
          guint8    *report)
{
  guint8 local[SF_DA2_REPORT_LEN];

  start_sequence (mode);
  send_hex ("FD");
  expect_hex ("FD 65 72 00 00", "FD");
  enter_da (mode, TRUE, report ? report : local);
  /* §13.8: full speed until the host switches. */
  send_hex ("72");
  expect_hex ("5A 00", "USB_CHECK_STATUS");
}

static guint8
da_write_cmd (guint8        storage,
              guint8        part,
              guint64       addr,
              const guint8 *data,
              guint64       len,
              guint32       packet_size)
{
  guint8 hdr[23] = { 0x62, storage, part };
  guint8 reply = 0;

  put_be64 (hdr + 3, addr);
  put_be64 (hdr + 11, len);
  put_be32 (hdr + 19, packet_size);
  host_write (host_fd, hdr, sizeof hdr);
  if (host_read (host_fd, &reply, 1, REPLY_MS) != 1 || reply != 0x5A)
    return reply;
  for (guint64 off = 0; off < len; off += packet_size) {
    gsize n = (gsize) MIN (packet_size, len - off);
    guint32 sum = 0;
    guint8 cks[2];

    for (gsize i = 0; i < n; i++)
      sum += data[off + i];
    cks[0] = (sum >> 8) & 0xFF;
    cks[1] = sum & 0xFF;
    send_hex ("5A");
    host_write (host_fd, data + off, n);
    host_write (host_fd, cks, 2);
    if (host_read (host_fd, &reply, 1, REPLY_MS) != 1 || reply != 0x69)
      return reply;
  }
  return 0x69;
}

static void
switch_part (guint8 part)
{
  guint8 cmd[1] = { part };

  send_hex ("60");
  expect_hex ("5A", "SWITCH_PART ack");
  host_write (host_fd, cmd, 1);
  expect_hex ("5A", "SWITCH_PART done");
}

/* §6.9: returns the bytes read, checking each packet's byte sum. */
static guint8 *
da_read_cmd (guint64 addr,
             guint64 len,
             guint32 packet_size)
{
  guint8 hdr[23] = { 0xD6, 0x0C, 0x02 };
  guint8 *data = g_malloc (len);

  put_be64 (hdr + 3, addr);
  put_be64 (hdr + 11, len);
  put_be32 (hdr + 19, packet_size);
  host_write (host_fd, hdr, sizeof hdr);
  expect_hex ("5A", "READ ack");
  for (guint64 off = 0; off < len; off += packet_size) {
    gsize n = (gsize) MIN (packet_size, len - off);
    guint32 sum = 0;
    guint8 cks[2];

    ck_assert_uint_eq (host_read (host_fd, data + off, n, REPLY_MS), n);
    ck_assert_uint_eq (host_read (host_fd, cks, 2, REPLY_MS), 2);
    for (gsize i = 0; i < n; i++)
      sum += data[off + i];
    ck_assert_uint_eq ((guint) (cks[0] << 8 | cks[1]), sum & 0xFFFF);
    send_hex ("5A");
  }
  return data;
}

/* §6.10: returns the number of progress rounds. */
static guint
da_format_cmd (guint64 addr,
               guint64 len)
{
  guint8 hdr[21] = { 0xD4, 0x02, 0x00, 0x00, 0x00 };
  guint rounds = 0;
  guint last = 0;

  put_be64 (hdr + 5, addr);
  put_be64 (hdr + 13, len);
  host_write (host_fd, hdr, sizeof hdr);
  for (;;) {
    guint8 round[7];

    ck_assert_uint_eq (host_read (host_fd, round, sizeof round, 5000), sizeof round);
    ck_assert_msg (round[0] == 0x5A && round[1] == 0x5A, "format round %02X %02X", round[0], round[1]);
    ck_assert_uint_le (round[6], 100);
    ck_assert_uint_ge (round[6], last);
    last = round[6];
    rounds++;
    send_hex ("5A");
    if (round[6] == 100)
      break;
  }
  expect_hex ("5A 5A", "FORMAT done");
  return rounds;
}

static guint8 *
read_store (const char *name,
            guint64     offset,
            gsize       len)
{
  g_autofree char *path = g_build_filename (tmpdir, name, NULL);
  guint8 *buf = g_malloc0 (len);
  int fd = open (path, O_RDONLY | O_CLOEXEC);

  ck_assert_msg (fd >= 0, "open %s", path);
  ck_assert_int_eq (pread (fd, buf, len, (off_t) offset), (ssize_t) len);
  close (fd);
  return buf;
}

static void
finish (void)
{
  send_hex ("D9");
  expect_hex ("5A", "FINISH ack");
  send_hex ("00 00 00 00");
  expect_hex ("5A", "FINISH mode ack");
  ck_assert_msg (host_wait_hangup (host_fd, 3000), "the port did not hang up after FINISH");
}

/* ---- tests -------------------------------------------------------------- */

START_TEST (test_brom_handshake_and_commands)
{
  start_default_phone (SF_SIM_MODE_BROM);

  /* §2.0 does not apply: the BootROM says nothing by itself. */
  expect_silence (60, "BootROM before the handshake");

  /* §2.2: a wrong byte gets (c + 1) and resets; so does a mismatching A0. */
  send_hex ("42");
  expect_hex ("43", "wrong byte");
  send_hex ("A0");
  expect_hex ("5F", "A0");
  send_hex ("0A");
  expect_hex ("F5", "0A");
  send_hex ("A0");
  expect_hex ("A1", "A0 in place of 50");
  send_hex ("50");
  expect_hex ("51", "50 after the reset");
  start_sequence (SF_SIM_MODE_BROM);

  send_hex ("FD");
  expect_hex ("FD 65 72 00 00", "GET_HW_CODE");
  send_hex ("FE");
  expect_hex ("FE", "GET_BL_VER (BootROM echoes)");
  send_hex ("FF");
  expect_hex ("05", "GET_VERSION (project contract)");
  send_hex ("FC");
  expect_hex ("FC 8A 00 CA 00 00 00 00 00", "GET_HW_SW_VER");
  send_hex ("D8");
  expect_hex ("D8 00 00 00 00 00 00", "GET_TARGET_CONFIG");

  /* §3.6 watchdog, BootROM statuses 0001 */
  send_echo ("D4", "WRITE32");
  send_echo ("10 00 70 00", "WRITE32 addr");
  send_echo ("00 00 00 01", "WRITE32 count");
  expect_hex ("00 01", "WRITE32 arg status");
  send_echo ("22 00 00 64", "WRITE32 value");
  expect_hex ("00 01", "WRITE32 status");

  /* §3.5: the value reads back; a misaligned read sends only the status. */
  send_echo ("D1", "READ32");
  send_echo ("10 00 70 00", "READ32 addr");
  send_echo ("00 00 00 01", "READ32 count");
  expect_hex ("00 00 22 00 00 64 00 00", "READ32 data");
  send_echo ("D1", "READ32");
  send_echo ("10 00 70 02", "READ32 addr");
  send_echo ("00 00 00 01", "READ32 count");
  expect_hex ("FF FF", "READ32 misaligned");
  expect_silence (50, "after a refused READ32");

  /* §3.9: unknown command, echo only */
  send_hex ("99");
  expect_hex ("99", "unknown command");
  expect_silence (50, "after an unknown command");

  /* §3.8: no JUMP_DA before a SEND_DA */
  send_echo ("D5", "JUMP_DA");
  send_echo ("02 00 70 00", "JUMP_DA addr");
  expect_hex ("1D 16", "JUMP_DA refused");

  /* §3.7 worked example: 01 02 03 04 → 06 02; odd length → 0x00XX */
  {
    const guint8 four[] = { 0x01, 0x02, 0x03, 0x04 };
    const guint8 three[] = { 0x01, 0x02, 0x03 };

    send_da (DA1_ADDR, four, sizeof four, 0, 0x0602);
    send_da (DA1_ADDR, three, sizeof three, 0, 0x0202);
  }
  jump_da ();
  expect_hex ("C0", "DA sync after JUMP_DA");
}
END_TEST

START_TEST (test_preloader_ready_and_commands)
{
  guint8 buf[64] = { 0 };
  gsize n;

  start_default_phone (SF_SIM_MODE_PRELOADER);

  /* §2.0: READY every 20 ms, a few of them waiting for a late host. */
  n = host_read (host_fd, buf, sizeof buf - 1, 200);
  ck_assert_msg (n >= 5 && strstr ((char *) buf, "READY") != NULL, "no READY: %zu bytes", n);

  /* The first A0 is swallowed: after it, no reply and no more READY. */
  send_hex ("A0");
  g_usleep (50 * 1000);
  tcflush (host_fd, TCIFLUSH);
  expect_silence (80, "after the swallowed A0");
  send_hex ("A0");
  expect_hex ("5F", "A0");
  send_hex ("0A");
  expect_hex ("F5", "0A");
  send_hex ("50");
  expect_hex ("AF", "50");
  send_hex ("05");
  expect_hex ("FA", "05");

  send_hex ("FD");
  expect_hex ("FD 65 72 00 00", "GET_HW_CODE");
  send_hex ("FE");
  expect_hex ("01", "GET_BL_VER (preloader: version, no echo)");
  send_hex ("FF");
  expect_hex ("FF", "GET_VERSION (preloader: echo only)");
  expect_silence (50, "after FF");
  send_hex ("FC");
  expect_hex ("FC 8A 00 CA 00 00 00 00 00", "GET_HW_SW_VER");
  send_hex ("D8");
  expect_hex ("D8 00 00 00 00 00 00", "GET_TARGET_CONFIG");
  send_echo ("D4", "WRITE32");
  send_echo ("10 00 70 00", "WRITE32 addr");
  send_echo ("00 00 00 01", "WRITE32 count");
  expect_hex ("00 00", "WRITE32 arg status");
  send_echo ("22 00 00 64", "WRITE32 value");
  expect_hex ("00 00", "WRITE32 status");
}
END_TEST

START_TEST (test_preloader_window_expires)
{
  guint8 buf[64] = { 0 };

  start_default_phone (SF_SIM_MODE_PRELOADER);
  g_usleep (30 * 1000);
  send_hex ("A0");
  g_usleep (20 * 1000);
  tcflush (host_fd, TCIFLUSH);
  send_hex ("A0");
  expect_hex ("5F", "A0");
  /* §2.2: 300 ms after the swallowed A0 the preloader goes back to READY. */
  g_usleep (400 * 1000);
  ck_assert_uint_ge (host_read (host_fd, buf, sizeof buf - 1, 200), 5);
  ck_assert_ptr_nonnull (strstr ((char *) buf, "READY"));
}
END_TEST

START_TEST (test_full_flow_brom)
{
  g_autofree guint8 *data = pattern (8192, 3);
  g_autofree guint8 *boot = pattern (2048, 4);
  g_autofree guint8 *on_disk = NULL;
  g_autofree guint8 *back = NULL;
  guint8 report[SF_DA2_REPORT_LEN];
  const guint64 at = 0x100000;
  guint8 *emmc;

  start_default_phone (SF_SIM_MODE_BROM);
  bring_up (SF_SIM_MODE_BROM, report);

  /* §13.10: the 232-byte report, NAND in the 32-bit layout with 7 IDs */
  ck_assert_uint_eq (get_be32 (report), 0xBC3);
  ck_assert_uint_eq (report[5], 0x08);
  ck_assert_uint_eq (get_be32 (report + 28), 0xBC4);
  ck_assert_uint_eq (report[28 + 12], 0x07);
  emmc = report + 28 + 17 + 10 + 9;
  ck_assert_uint_eq (get_be32 (emmc), 0);
  ck_assert_uint_eq (get_be64 (emmc + 4), 4 * 1024 * 1024);
  ck_assert_uint_eq (get_be64 (emmc + 12), 4 * 1024 * 1024);
  ck_assert_uint_eq (get_be64 (emmc + 20), 4 * 1024 * 1024);
  ck_assert_uint_eq (get_be64 (emmc + 60), TEST_USER_SIZE);
  /* The CID with each u32 byte-swapped, as MediaTek's DA2 sends it. */
  ck_assert_uint_eq (emmc[68], 0x4B);
  ck_assert_uint_eq (emmc[71], 0x15);
  ck_assert_uint_eq (get_be32 (emmc + 92 + 28 + 4), 0x20000);
  ck_assert_uint_eq (emmc[92 + 28 + 12], 0x02);
  ck_assert_uint_eq (get_be64 (emmc + 92 + 28 + 14), 0x20000000);
  ck_assert_uint_eq (report[222], 0x5A);
  ck_assert_uint_eq (get_be32 (report + 223), 0xC06);
  ck_assert_uint_eq (get_be32 (report + 227), 0x409);
  ck_assert_uint_eq (report[231], 0xC1);

  send_hex ("70 01");
  expect_hex ("5A", "USB_SETUP_PORT");

  /* §13.9: linear addresses. Two 4 KiB packets to the user area (linear
   * USER_BASE + at), then to BOOT1 at linear 0 with storage 01 and a
   * partition byte that is ignored. */
  ck_assert_uint_eq (da_write_cmd (0x02, 8, USER_BASE + at, data, 8192, 4096), 0x69);
  on_disk = read_store ("user.bin", at, 8192);
  ck_assert_mem_eq (on_disk, data, 8192);
  g_clear_pointer (&on_disk, g_free);
  ck_assert_uint_eq (da_write_cmd (0x01, 8, 0, boot, 2048, 0x100000), 0x69);
  on_disk = read_store ("boot1.bin", 0, 2048);
  ck_assert_mem_eq (on_disk, boot, 2048);
  g_clear_pointer (&on_disk, g_free);
  /* A write across BOOT2's end into RPMB: the RPMB part is dropped. */
  ck_assert_uint_eq (da_write_cmd (0x02, 8, 2 * SF_SIM_BOOT_SIZE - 1024, boot, 2048, 0x100000), 0x69);
  on_disk = read_store ("boot2.bin", SF_SIM_BOOT_SIZE - 1024, 1024);
  ck_assert_mem_eq (on_disk, boot, 1024);
  g_clear_pointer (&on_disk, g_free);
  on_disk = read_store ("rpmb.bin", 0, 1024);
  for (gsize i = 0; i < 1024; i++)
    ck_assert_uint_eq (on_disk[i], 0);
  g_clear_pointer (&on_disk, g_free);

  /* §13.5 readback, 3000-byte packets so the last one is short; 60 is
   * answered and ignored. */
  switch_part (1);
  back = da_read_cmd (USER_BASE + at, 8192, 3000);
  ck_assert_mem_eq (back, data, 8192);
  g_clear_pointer (&back, g_free);
  switch_part (8);
  back = da_read_cmd (0, 2048, 0x100000);
  ck_assert_mem_eq (back, boot, 2048);
  g_clear_pointer (&back, g_free);
  /* RPMB reads come back unfilled. */
  back = da_read_cmd (2 * SF_SIM_BOOT_SIZE, 512, 0x100000);
  for (gsize i = 0; i < 512; i++)
    ck_assert_uint_eq (back[i], 0xFF);
  g_clear_pointer (&back, g_free);

  /* §6.10: zero the middle 4 KiB only */
  ck_assert_uint_eq (da_format_cmd (USER_BASE + at + 2048, 4096), 1);
  on_disk = read_store ("user.bin", at, 8192);
  ck_assert_mem_eq (on_disk, data, 2048);
  for (gsize i = 2048; i < 6144; i++)
    ck_assert_uint_eq (on_disk[i], 0);
  ck_assert_mem_eq (on_disk + 6144, data + 6144, 2048);
  back = da_read_cmd (USER_BASE + at, 8192, 0x100000);
  ck_assert_mem_eq (back, on_disk, 8192);
  /* The whole user area: one progress round per 64 MiB. */
  ck_assert_uint_eq (da_format_cmd (USER_BASE, TEST_USER_SIZE), 2);
  g_clear_pointer (&on_disk, g_free);
  on_disk = read_store ("user.bin", at, 8192);
  for (gsize i = 0; i < 8192; i++)
    ck_assert_uint_eq (on_disk[i], 0);

  /* §6.12 */
  send_hex ("7B 10 00 70 00 22 00 00 64");
  expect_hex ("5A", "WRITE_REG32");
  send_hex ("7A 10 00 70 00");
  expect_hex ("22 00 00 64 5A", "READ_REG32");
  /* §13.10: a blank phone has no table: the error reply 1037. */
  send_hex ("A5");
  expect_hex ("A5 00 00 04 0D", "READ_PMT on a blank phone");
  send_hex ("EE");
  expect_hex ("BB", "unknown DA command");

  finish ();
  ck_assert (sf_sim_wait (sim, 2000));
  ck_assert_int_eq (sf_sim_get_result (sim), SF_SIM_RESULT_FINISHED);
}
END_TEST

START_TEST (test_full_flow_preloader)
{
  start_default_phone (SF_SIM_MODE_PRELOADER);
  bring_up (SF_SIM_MODE_PRELOADER, NULL);
  finish ();
  ck_assert (sf_sim_wait (sim, 2000));
  ck_assert_int_eq (sf_sim_get_result (sim), SF_SIM_RESULT_FINISHED);
}
END_TEST

START_TEST (test_da_refusals)
{
  g_autofree guint8 *data = pattern (4096, 5);
  guint8 hdr[23] = { 0x62, 0x02, 0x08 };
  guint8 reply[8];

  start_default_phone (SF_SIM_MODE_BROM);
  bring_up (SF_SIM_MODE_BROM, NULL);

  /* Past the end of the linear space: an error reply (§13.7) instead of
   * the header ACK; the host sends nothing back. */
  ck_assert_uint_eq (da_write_cmd (0x02, 8, USER_BASE + TEST_USER_SIZE - 2048, data, 4096, 4096), 0xA5);
  ck_assert_uint_eq (host_read (host_fd, reply, 4, REPLY_MS), 4);
  ck_assert_uint_ne (get_be32 (reply), 0);

  /* §13.5: a bad packet checksum gets A5 + 3060; the DA then waits for
   * that packet again. Resent right, it is stored (69). */
  put_be64 (hdr + 3, USER_BASE + 0x4000);
  put_be64 (hdr + 11, 4096);
  put_be32 (hdr + 19, 4096);
  host_write (host_fd, hdr, sizeof hdr);
  expect_hex ("5A", "WRITE header");
  send_hex ("5A");
  host_write (host_fd, data, 4096);
  send_hex ("00 00");
  expect_hex ("A5 00 00 0B F4", "bad packet checksum: 3060");
  {
    g_autofree guint8 *on_disk = read_store ("user.bin", 0x4000, 4096);
    guint32 sum = 0;
    guint8 cks[2];

    for (gsize i = 0; i < 4096; i++)
      ck_assert_uint_eq (on_disk[i], 0);
    for (gsize i = 0; i < 4096; i++)
      sum += data[i];
    cks[0] = (sum >> 8) & 0xFF;
    cks[1] = sum & 0xFF;
    send_hex ("5A");
    host_write (host_fd, data, 4096);
    host_write (host_fd, cks, 2);
    expect_hex ("69", "the packet resent");
    g_clear_pointer (&on_disk, g_free);
    on_disk = read_store ("user.bin", 0x4000, 4096);
    ck_assert_mem_eq (on_disk, data, 4096);
  }
  /* Damaged again, then 96 abandons the write: back in the command loop. */
  host_write (host_fd, hdr, sizeof hdr);
  expect_hex ("5A", "WRITE header");
  send_hex ("5A");
  host_write (host_fd, data, 4096);
  send_hex ("00 00");
  expect_hex ("A5 00 00 0B F4", "bad packet checksum: 3060");
  send_hex ("96");

  /* Readback: storage 1 (NAND) and out of range: error replies */
  hdr[0] = 0xD6;
  hdr[1] = 0x0C;
  hdr[2] = 0x01;
  put_be64 (hdr + 3, USER_BASE);
  put_be64 (hdr + 11, 512);
  host_write (host_fd, hdr, sizeof hdr);
  expect_hex ("A5", "READ of NAND refused");
  ck_assert_uint_eq (host_read (host_fd, reply, 4, REPLY_MS), 4);
  hdr[2] = 0x02;
  put_be64 (hdr + 3, USER_BASE + TEST_USER_SIZE);
  host_write (host_fd, hdr, sizeof hdr);
  expect_hex ("A5", "READ refused");
  ck_assert_uint_eq (host_read (host_fd, reply, 4, REPLY_MS), 4);
  ck_assert_uint_ne (get_be32 (reply), 0);

  /* Format out of range */
  hdr[0] = 0xD4;
  hdr[1] = 0x02;
  hdr[2] = hdr[3] = hdr[4] = 0;
  put_be64 (hdr + 5, USER_BASE);
  put_be64 (hdr + 13, (guint64) TEST_USER_SIZE + 512);
  host_write (host_fd, hdr, 21);
  expect_hex ("A5", "FORMAT refused");
  ck_assert_uint_eq (host_read (host_fd, reply, 4, REPLY_MS), 4);
  /* §13.9: 60 is answered for any partition and ignored. */
  send_hex ("60");
  expect_hex ("5A", "SWITCH_PART ack");
  send_hex ("05");
  expect_hex ("5A", "SWITCH_PART ignored");

  /* Still alive */
  send_hex ("72");
  expect_hex ("5A 00", "USB_CHECK_STATUS");
}
END_TEST

/* §13.6: A4 with an entry count, 0x60-byte records each answered 69 and a
 * mode word; A5 gives them back (0xFF bytes at 0x48), kept near the end
 * of the user area (§13.10) and across power-ons. */
static void
write_pmt_records (guint count)
{
  guint8 w[4];

  send_hex ("A4");
  expect_hex ("5A", "WRITE_PMT");
  put_be32 (w, count);
  host_write (host_fd, w, 4);
  expect_hex ("5A", "WRITE_PMT count");
  for (guint i = 0; i < count; i++) {
    guint8 r[0x60] = { 0 };

    g_snprintf ((char *) r, 64, "PART%u", i);
    r[0x40] = 0x00;
    r[0x42] = 0x08;                       /* size 0x80000 */
    r[0x48] = 0x08;                       /* region */
    put_be32 (w, 0);
    r[0x52] = (guint8) (0xC0 + 8 * i);    /* linear 0xC00000 + i × 0x80000 */
    host_write (host_fd, r, sizeof r);
    expect_hex ("69", "WRITE_PMT record");
  }
  send_hex ("00 00 00 00");
  expect_hex ("5A 5A", "WRITE_PMT mode, result");
}

START_TEST (test_pmt)
{
  guint8 len[4];
  guint8 data[2 * 0x60];

  start_default_phone (SF_SIM_MODE_PRELOADER);
  bring_up (SF_SIM_MODE_PRELOADER, NULL);
  send_hex ("A5");
  expect_hex ("A5 00 00 04 0D", "no table yet: 1037");

  write_pmt_records (2);
  send_hex ("A5");
  expect_hex ("5A", "READ_PMT");
  ck_assert_uint_eq (host_read (host_fd, len, 4, REPLY_MS), 4);
  ck_assert_uint_eq (get_be32 (len), 2 * 0x60);
  send_hex ("5A");
  ck_assert_uint_eq (host_read (host_fd, data, sizeof data, REPLY_MS), sizeof data);
  send_hex ("5A");
  ck_assert_str_eq ((const char *) data + 0x60, "PART1");
  ck_assert_uint_eq (data[0x60 + 0x42], 0x08);
  for (guint i = 0x48; i < 0x50; i++)
    ck_assert_uint_eq (data[0x60 + i], 0xFF);
  ck_assert_uint_eq (data[0x60 + 0x52], 0xC8);

  /* More than 40 entries: the error reply 5069 at once. */
  send_hex ("A4");
  expect_hex ("5A", "WRITE_PMT");
  send_hex ("00 00 00 29");
  expect_hex ("A5 00 00 13 CD", "41 entries refused: 5069");

  /* Erasing the end of the user area takes the table with it. */
  ck_assert_uint_eq (da_format_cmd (USER_BASE + TEST_USER_SIZE - 2 * 1024 * 1024, 2 * 1024 * 1024), 1);
  send_hex ("A5");
  expect_hex ("A5 00 00 04 0D", "erased: 1037 again");
}
END_TEST

START_TEST (test_fault_pmt_missing)
{
  SfSimOptions opts;

  test_options (&opts);
  ck_assert (sf_sim_options_add_fault (&opts, "pmt-missing", NULL));
  start_phone (&opts);
  bring_up (SF_SIM_MODE_BROM, NULL);
  write_pmt_records (1);
  send_hex ("A5");
  expect_hex ("A5 00 00 04 0D", "pmt-missing: 1037");
}
END_TEST

START_TEST (test_storage_kept_between_runs)
{
  g_autofree char *user = g_build_filename (tmpdir, "user.bin", NULL);
  g_autofree guint8 *planted = pattern (1024, 6);
  g_autofree guint8 *back = NULL;
  struct stat st;
  int fd;

  /* A test plants data before the phone is switched on. */
  fd = open (user, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  ck_assert_int_ge (fd, 0);
  ck_assert_int_eq (pwrite (fd, planted, 1024, 0x20000), 1024);
  close (fd);

  start_default_phone (SF_SIM_MODE_BROM);
  ck_assert_int_eq (g_stat (user, &st), 0);
  ck_assert_int_eq (st.st_size, TEST_USER_SIZE);
  /* sparse: nowhere near 128 MiB allocated */
  ck_assert_int_lt ((gint64) st.st_blocks * 512, 16 * 1024 * 1024);

  bring_up (SF_SIM_MODE_BROM, NULL);
  back = da_read_cmd (USER_BASE + 0x20000, 1024, 0x100000);
  ck_assert_mem_eq (back, planted, 1024);
}
END_TEST

START_TEST (test_reopen_port)
{
  start_default_phone (SF_SIM_MODE_BROM);
  start_sequence (SF_SIM_MODE_BROM);

  /* The host closing the port does not unplug the phone. */
  close (host_fd);
  host_fd = host_open (sf_sim_get_port_path (sim));
  send_hex ("FD");
  expect_hex ("FD 65 72 00 00", "FD after a reopen");
  enter_da (SF_SIM_MODE_BROM, TRUE, (guint8[SF_DA2_REPORT_LEN]) { 0 });

  /* In the DA, a reopen continues the command loop without a handshake. */
  close (host_fd);
  g_usleep (20 * 1000);
  host_fd = host_open (sf_sim_get_port_path (sim));
  send_hex ("72");
  expect_hex ("5A 00", "72 after a reopen");
  finish ();
}
END_TEST

START_TEST (test_chips)
{
  SfSimOptions opts;
  guint16 code = 0;

  test_options (&opts);
  ck_assert (sf_sim_parse_chip ("MT6580", &opts.hw_code, NULL));
  start_phone (&opts);
  start_sequence (SF_SIM_MODE_BROM);
  send_hex ("FD");
  expect_hex ("FD 65 80 00 00", "MT6580 hw code");

  ck_assert (sf_sim_parse_chip ("mt6582", &code, NULL));
  ck_assert_uint_eq (code, 0x6582);
  ck_assert (sf_sim_parse_chip ("0x6572", &code, NULL));
  ck_assert_uint_eq (code, 0x6572);
  ck_assert (!sf_sim_parse_chip ("MT6589", &code, NULL));
}
END_TEST

START_TEST (test_option_parsing)
{
  g_autoptr(GError) error = NULL;
  SfSimOptions opts;
  guint64 size = 0;

  ck_assert (sf_sim_parse_size ("4G", &size, NULL));
  ck_assert_uint_eq (size, G_GUINT64_CONSTANT (4) << 30);
  ck_assert (sf_sim_parse_size ("64m", &size, NULL));
  ck_assert_uint_eq (size, 64 << 20);
  ck_assert (sf_sim_parse_size ("512K", &size, NULL));
  ck_assert_uint_eq (size, 512 << 10);
  ck_assert (sf_sim_parse_size ("1024", &size, NULL));
  ck_assert (!sf_sim_parse_size ("1000", &size, NULL));
  ck_assert (!sf_sim_parse_size ("0", &size, NULL));
  ck_assert (!sf_sim_parse_size ("-4G", &size, NULL));
  ck_assert (!sf_sim_parse_size ("4X", &size, NULL));

  sf_sim_options_init (&opts);
  ck_assert_uint_eq (opts.hw_code, 0x6572);
  ck_assert_uint_eq (opts.emmc_user_size, G_GUINT64_CONSTANT (4) << 30);
  ck_assert (sf_sim_options_add_fault (&opts, "unplug-after=4096", NULL));
  ck_assert_int_eq (opts.faults.unplug_after, 4096);
  ck_assert (sf_sim_options_add_fault (&opts, "stall-after=1M", NULL));
  ck_assert_int_eq (opts.faults.stall_after, 1 << 20);
  ck_assert (sf_sim_options_add_fault (&opts, "write-error-at=0x101000", NULL));
  ck_assert_int_eq (opts.faults.write_error_at, 0x101000);
  ck_assert (sf_sim_options_add_fault (&opts, "wrong-chip=0x6589", NULL));
  ck_assert_int_eq (opts.faults.wrong_chip, 0x6589);
  ck_assert (sf_sim_options_add_fault (&opts, "bad-checksum", NULL));
  ck_assert (sf_sim_options_add_fault (&opts, "dram-fail", NULL));
  ck_assert (sf_sim_options_add_fault (&opts, "no-emmc", NULL));
  ck_assert (sf_sim_options_add_fault (&opts, "powered-on", NULL));
  ck_assert (opts.faults.bad_checksum && opts.faults.dram_fail && opts.faults.no_emmc &&
             opts.faults.powered_on);
  ck_assert (!sf_sim_options_add_fault (&opts, "unplug-after=", &error));
  g_clear_error (&error);
  ck_assert (!sf_sim_options_add_fault (&opts, "melt", &error));
  ck_assert (g_error_matches (error, SF_SIM_ERROR, SF_SIM_ERROR_INVALID_OPTION));
}
END_TEST

/* ---- faults: each one must make the host fail ----------------------------- */

/* Starts a phone with @fault and opens an 8 KiB SDMMC_WRITE_DATA at 0, up
 * to the first packet's ACK. */
static void
start_write_with_fault (const char *fault)
{
  guint8 hdr[23] = { 0x62, 0x02, 0x08 };
  SfSimOptions opts;

  test_options (&opts);
  ck_assert (sf_sim_options_add_fault (&opts, fault, NULL));
  start_phone (&opts);
  bring_up (SF_SIM_MODE_BROM, NULL);

  put_be64 (hdr + 3, 0);
  put_be64 (hdr + 11, 8192);
  put_be32 (hdr + 19, 0x100000);
  host_write (host_fd, hdr, sizeof hdr);
  expect_hex ("5A", "WRITE header");
  send_hex ("5A");
}

START_TEST (test_fault_unplug_after)
{
  g_autofree guint8 *data = pattern (8192, 7);
  guint8 reply;

  start_write_with_fault ("unplug-after=4096");
  /* The phone goes away mid-packet; the rest may or may not be accepted. */
  host_write_timeout (host_fd, data, 8192, 1000);
  host_write_timeout (host_fd, "\0\0", 2, 200);
  ck_assert_uint_eq (host_read (host_fd, &reply, 1, 500), 0);
  ck_assert_msg (host_wait_hangup (host_fd, 2000), "no hang-up");
  ck_assert (sf_sim_wait (sim, 2000));
  ck_assert_int_eq (sf_sim_get_result (sim), SF_SIM_RESULT_UNPLUGGED);
  ck_assert_uint_eq (sf_sim_get_flash_bytes (sim), 4096);
}
END_TEST

START_TEST (test_fault_stall_after)
{
  g_autofree guint8 *data = pattern (8192, 8);
  struct pollfd pfd;

  start_write_with_fault ("stall-after=4096");
  host_write_timeout (host_fd, data, 8192, 500);
  host_write_timeout (host_fd, "\0\0", 2, 200);
  expect_silence (500, "a stalled phone");
  /* The port is still there, only silent. */
  pfd.fd = host_fd;
  pfd.events = POLLIN;
  pfd.revents = 0;
  ck_assert_int_eq (poll (&pfd, 1, 0), 0);
  ck_assert (!sf_sim_wait (sim, 0));
  ck_assert_uint_eq (sf_sim_get_flash_bytes (sim), 4096);
}
END_TEST

START_TEST (test_fault_bad_checksum)
{
  const guint8 four[] = { 0x01, 0x02, 0x03, 0x04 };
  SfSimOptions opts;

  test_options (&opts);
  ck_assert (sf_sim_options_add_fault (&opts, "bad-checksum", NULL));
  start_phone (&opts);
  start_sequence (SF_SIM_MODE_BROM);
  /* §3.7 worked example says 06 02: one bit off. */
  send_da (DA1_ADDR, four, sizeof four, 0, 0x0603);
}
END_TEST

START_TEST (test_fault_dram_fail)
{
  g_autofree guint8 *da1 = pattern (DA1_LEN, 1);
  SfSimOptions opts;

  test_options (&opts);
  opts.mode = SF_SIM_MODE_PRELOADER;
  ck_assert (sf_sim_options_add_fault (&opts, "dram-fail", NULL));
  start_phone (&opts);
  start_sequence (SF_SIM_MODE_PRELOADER);
  send_da (DA1_ADDR, da1, DA1_LEN, 0x100, xor_checksum (da1, DA1_LEN));
  jump_da ();
  expect_hex ("C0 00 00 0B C0 00 07 00 00 00 00 00 00 00 00 00 00 00 00 00 00", "DA1 report");
  expect_cid_report ();
  send_hex ("5A");
  expect_hex ("04 02 88", "DA version");
  send_hex ("FF 01 00 08 00 70 07 FF FF 00 00 00 00 A8 01 01 02 00");
  /* §13.2: 0xBBF, eMMC status, the CID raw (each u32 byte-swapped), NAND
   * status, 7 NAND IDs; §13.3: E8 with one 168-byte entry, its checksum,
   * then ext_ram_ret ≠ 0, and nothing works any more. */
  expect_hex ("00 00 0B BF 00 00 00 00", "DRAM status: RAM error, eMMC status");
  {
    g_autofree char *path = g_build_filename (tmpdir, "serial", NULL);
    g_autofree char *text = NULL;
    g_autofree char *want = NULL;
    guint32 serial;

    ck_assert (g_file_get_contents (path, &text, NULL, NULL));
    serial = (guint32) g_ascii_strtoull (text, NULL, 16);
    /* The last word, 56 78 5D 01 with this phone's serial number, swapped. */
    want = g_strdup_printf ("4B 00 01 15 35 41 4C 41 34 12 10 32 01 %02X %02X %02X",
                            serial & 0xFF, (serial >> 8) & 0xFF, (serial >> 16) & 0xFF);
    expect_hex (want, "CID, raw order");
  }
  expect_hex ("00 00 0B C4 00 07 00 00 00 00 00 00 00 00 00 00 00 00 00 00", "NAND status, 7 NAND ids");
  send_hex ("E8 00 00 00 0B");
  expect_hex ("5A", "ENABLE_DRAM");
  expect_hex ("00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 A8", "DRAM id, EMI length");
  {
    guint8 entry[1 + 0xA8] = { 0x5A };

    entry[1] = 0x01;
    entry[0xA8] = 0x02;
    host_write (host_fd, entry, sizeof entry);
  }
  expect_hex ("00 03", "EMI checksum");
  send_hex ("5A 80 00 00 01");
  expect_hex ("00 00 0B C3", "ext_ram_ret: the DRAM did not come up");
  send_hex ("72");
  expect_silence (300, "a dead DA");
}
END_TEST

START_TEST (test_fault_no_emmc)
{
  g_autofree guint8 *data = pattern (512, 9);
  guint8 report[SF_DA2_REPORT_LEN];
  guint8 *emmc = report + 28 + 17 + 10 + 9;
  SfSimOptions opts;

  test_options (&opts);
  ck_assert (sf_sim_options_add_fault (&opts, "no-emmc", NULL));
  start_phone (&opts);
  start_sequence (SF_SIM_MODE_BROM);
  enter_da (SF_SIM_MODE_BROM, FALSE, report);
  ck_assert_uint_eq (get_be32 (emmc), 0xBC4);
  ck_assert_uint_eq (get_be64 (emmc + 60), 0);
  ck_assert_uint_eq (get_be64 (emmc + 4), 0);
  ck_assert_uint_eq (emmc[68], 0);
  ck_assert_uint_eq (da_write_cmd (0x02, 8, 0, data, 512, 4096), 0xA5);
}
END_TEST

START_TEST (test_fault_wrong_chip)
{
  SfSimOptions opts;

  test_options (&opts);
  ck_assert (sf_sim_options_add_fault (&opts, "wrong-chip=0x6589", NULL));
  start_phone (&opts);
  start_sequence (SF_SIM_MODE_BROM);
  send_hex ("FD");
  expect_hex ("FD 65 89 00 00", "wrong hw code");
}
END_TEST

START_TEST (test_fault_powered_on)
{
  SfSimOptions opts;

  test_options (&opts);
  ck_assert (sf_sim_options_add_fault (&opts, "powered-on", NULL));
  start_phone (&opts);
  for (guint attempt = 0; attempt < 3; attempt++) {
    send_hex ("A0");
    expect_hex ("A0", "Android echoes, no 5F");
  }
  send_hex ("41 54 0D");
  expect_hex ("41 54 0D 0D 0A 4F 4B 0D 0A", "AT → OK");
}
END_TEST

START_TEST (test_fault_write_error_at)
{
  g_autofree guint8 *data = pattern (8192, 10);
  SfSimOptions opts;

  test_options (&opts);
  ck_assert (sf_sim_options_add_fault (&opts, "write-error-at=0x101000", NULL));
  start_phone (&opts);
  bring_up (SF_SIM_MODE_BROM, NULL);
  /* The first packet [0x100000, 0x101000) of the user area is fine, the
   * second gets an error reply. */
  ck_assert_uint_eq (da_write_cmd (0x02, 8, USER_BASE + 0x100000, data, 8192, 4096), 0xA5);
  expect_hex ("00 00 0C 52", "S_DA_SDMMC_WRITE_FAILED (3154)");
  ck_assert_uint_eq (da_write_cmd (0x02, 8, USER_BASE + 0x200000, data, 8192, 4096), 0x69);
  ck_assert_uint_eq (da_write_cmd (0x02, 8, USER_BASE + (0x100FFF & ~0x1FF), data, 512, 512), 0x69);
  ck_assert_uint_eq (da_write_cmd (0x02, 8, USER_BASE + 0x101000, data, 512, 512), 0xA5);
  expect_hex ("00 00 0C 52", "S_DA_SDMMC_WRITE_FAILED (3154)");
}
END_TEST

START_TEST (test_pace)
{
  g_autofree guint8 *data = pattern (4 * 1024 * 1024, 11);
  SfSimOptions opts;
  gint64 t0;
  gint64 fast_us;
  gint64 paced_us;

  /* Unpaced, 4 MiB in 1 MiB packets moves at pty speed. */
  test_options (&opts);
  start_phone (&opts);
  bring_up (SF_SIM_MODE_BROM, NULL);
  t0 = g_get_monotonic_time ();
  ck_assert_uint_eq (da_write_cmd (0x02, 8, 0, data, 4 * 1024 * 1024, 0x100000), 0x69);
  fast_us = g_get_monotonic_time () - t0;
  close (host_fd);
  host_fd = -1;
  g_clear_pointer (&sim, sf_sim_free);

  /* Full speed (~1 MB/s): 300 KiB take about 0.3 s. */
  test_options (&opts);
  ck_assert (sf_sim_parse_pace ("full-speed", &opts.pace, NULL));
  start_phone (&opts);
  bring_up (SF_SIM_MODE_BROM, NULL);
  t0 = g_get_monotonic_time ();
  ck_assert_uint_eq (da_write_cmd (0x02, 8, 0, data, 300 * 1024, 0x100000), 0x69);
  paced_us = g_get_monotonic_time () - t0;
  ck_assert_msg (paced_us >= 250000 && paced_us < 2000000, "paced: %" G_GINT64_FORMAT " us", paced_us);
  /* Behind a USB 1.1 port the switch brings no speed (§13.8). */
  send_hex ("70 01");
  expect_hex ("5A", "USB_SETUP_PORT");
  send_hex ("72");
  expect_hex ("5A 00", "USB_CHECK_STATUS: still full speed");
  g_debug ("4 MiB unpaced in %" G_GINT64_FORMAT " us", fast_us);
  ck_assert_msg (fast_us < 2000000, "unpaced: %" G_GINT64_FORMAT " us", fast_us);
  close (host_fd);
  host_fd = -1;
  g_clear_pointer (&sim, sf_sim_free);

  /* High speed: full speed until 70 01, then ~40 MB/s (4 MiB ≈ 0.1 s). */
  test_options (&opts);
  ck_assert (sf_sim_parse_pace ("high-speed", &opts.pace, NULL));
  start_phone (&opts);
  bring_up (SF_SIM_MODE_BROM, NULL);
  t0 = g_get_monotonic_time ();
  ck_assert_uint_eq (da_write_cmd (0x02, 8, 0, data, 300 * 1024, 0x100000), 0x69);
  paced_us = g_get_monotonic_time () - t0;
  ck_assert_msg (paced_us >= 250000, "before the switch: %" G_GINT64_FORMAT " us", paced_us);
  send_hex ("70 01");
  expect_hex ("5A", "USB_SETUP_PORT");
  /* The host may close the port and open it again (re-enumeration). */
  close (host_fd);
  g_usleep (100 * 1000);
  host_fd = host_open (sf_sim_get_port_path (sim));
  send_hex ("72");
  expect_hex ("5A 01", "USB_CHECK_STATUS: high speed");
  t0 = g_get_monotonic_time ();
  ck_assert_uint_eq (da_write_cmd (0x02, 8, 0, data, 4 * 1024 * 1024, 0x100000), 0x69);
  paced_us = g_get_monotonic_time () - t0;
  ck_assert_msg (paced_us >= 80000 && paced_us < 1500000, "after the switch: %" G_GINT64_FORMAT " us", paced_us);
}
END_TEST

START_TEST (test_fault_no_reenumerate)
{
  SfSimOptions opts;

  test_options (&opts);
  ck_assert (sf_sim_options_add_fault (&opts, "no-reenumerate", NULL));
  start_phone (&opts);
  bring_up (SF_SIM_MODE_BROM, NULL);
  send_hex ("70 01");
  expect_hex ("5A", "USB_SETUP_PORT");
  /* Gone: the port cannot be opened again, and nothing answers. */
  close (host_fd);
  host_fd = -1;
  g_usleep (100 * 1000);
  {
    int fd = open (sf_sim_get_port_path (sim), O_RDWR | O_NOCTTY | O_CLOEXEC);

    ck_assert_msg (fd < 0, "the port opened again");
  }
  ck_assert (!sf_sim_wait (sim, 300));
}
END_TEST

/* ---- persist mode and the binary ----------------------------------------- */

START_TEST (test_persist_replugs)
{
  g_autofree char *first = NULL;
  SfSimOptions opts;
  gint64 deadline;

  test_options (&opts);
  opts.persist = TRUE;
  start_phone (&opts);
  first = g_strdup (sf_sim_get_port_path (sim));
  bring_up (SF_SIM_MODE_BROM, NULL);
  finish ();

  deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  while (g_strcmp0 (sf_sim_get_port_path (sim), first) == 0 && g_get_monotonic_time () < deadline)
    g_usleep (10 * 1000);
  /* Usually a new pts number; the kernel may hand out the same one again. */
  g_usleep (100 * 1000);
  ck_assert (!sf_sim_wait (sim, 0));
  close (host_fd);
  host_fd = host_open (sf_sim_get_port_path (sim));
  start_sequence (SF_SIM_MODE_BROM);
  send_hex ("FE");
  expect_hex ("FE", "a fresh BootROM after the re-plug");
}
END_TEST

static GPid
spawn_sim (int          *out_fd,
           const char   *first_arg,
           ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *bin = g_getenv ("SF_SIM");
  const char *arg;
  GPid pid = 0;
  va_list ap;

  ck_assert_msg (bin != NULL, "SF_SIM is not set: run the tests with meson test");
  g_ptr_array_add (argv, (gpointer) bin);
  va_start (ap, first_arg);
  for (arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  ck_assert_msg (g_spawn_async_with_pipes (NULL, (char **) argv->pdata, NULL,
                                           G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid,
                                           NULL, out_fd, NULL, &error),
                 "%s", error ? error->message : "?");
  return pid;
}

static char *
read_line (int fd,
           int timeout_ms)
{
  GString *line = g_string_new (NULL);
  char c;

  while (host_read (fd, &c, 1, timeout_ms) == 1 && c != '\n')
    g_string_append_c (line, c);
  return g_string_free (line, FALSE);
}

/* Exit status, or -1 if the process is still running after @timeout_ms. */
static int
wait_exit (GPid pid,
           int  timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  int status = 0;

  while (g_get_monotonic_time () < deadline) {
    if (waitpid (pid, &status, WNOHANG) == pid)
      return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
    g_usleep (10 * 1000);
  }
  return -1;
}

START_TEST (test_binary_flow)
{
  g_autofree char *line = NULL;
  guint8 report[SF_DA2_REPORT_LEN];
  int out = -1;
  GPid pid;

  pid = spawn_sim (&out, "--storage", tmpdir, "--emmc-user-size", "64M", "--mode", "brom", NULL);
  line = read_line (out, 3000);
  ck_assert_msg (g_regex_match_simple ("^PORT /dev/pts/[0-9]+$", line, 0, 0), "stdout: “%s”", line);
  host_fd = host_open (line + 5);
  bring_up (SF_SIM_MODE_BROM, report);
  ck_assert_uint_eq (get_be64 (report + 28 + 17 + 10 + 9 + 60), 64 * 1024 * 1024);
  finish ();
  ck_assert_int_eq (wait_exit (pid, 3000), 0);
  g_spawn_close_pid (pid);
  close (out);
}
END_TEST

START_TEST (test_binary_signal_and_errors)
{
  g_autofree char *line = NULL;
  g_autofree char *bad_dir = g_build_filename (tmpdir, "x", NULL);
  int out = -1;
  int status;
  GPid pid;

  pid = spawn_sim (&out, "--storage", tmpdir, "--mode", "preloader", NULL);
  line = read_line (out, 3000);
  ck_assert_msg (g_str_has_prefix (line, "PORT /dev/pts/"), "stdout: “%s”", line);
  kill (pid, SIGTERM);
  status = wait_exit (pid, 3000);
  if (status < 0)
    kill (pid, SIGKILL);
  ck_assert_int_eq (status, 0);
  g_spawn_close_pid (pid);
  close (out);

  pid = spawn_sim (&out, "--storage", bad_dir, "--fault", "melt", NULL);
  ck_assert_int_eq (wait_exit (pid, 3000), 1);
  g_spawn_close_pid (pid);
  close (out);

  pid = spawn_sim (&out, NULL);
  ck_assert_int_eq (wait_exit (pid, 3000), 1);
  g_spawn_close_pid (pid);
  close (out);
}
END_TEST

/* A test case with the phone fixture, already in @s. */
static TCase *
add_tcase (Suite       *s,
           const char  *name)
{
  TCase *tc = tcase_create (name);

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 20);
  suite_add_tcase (s, tc);
  return tc;
}

static Suite *
sim_suite (void)
{
  Suite *s = suite_create ("sim");
  TCase *tc;

  tc = add_tcase (s, "brom");
  tcase_add_test (tc, test_brom_handshake_and_commands);
  tcase_add_test (tc, test_preloader_ready_and_commands);
  tcase_add_test (tc, test_preloader_window_expires);
  tcase_add_test (tc, test_chips);
  tcase_add_test (tc, test_option_parsing);

  tc = add_tcase (s, "da");
  tcase_add_test (tc, test_full_flow_brom);
  tcase_add_test (tc, test_full_flow_preloader);
  tcase_add_test (tc, test_da_refusals);
  tcase_add_test (tc, test_pmt);
  tcase_add_test (tc, test_storage_kept_between_runs);
  tcase_add_test (tc, test_reopen_port);
  tcase_add_test (tc, test_pace);

  tc = add_tcase (s, "faults");
  tcase_add_test (tc, test_fault_unplug_after);
  tcase_add_test (tc, test_fault_stall_after);
  tcase_add_test (tc, test_fault_bad_checksum);
  tcase_add_test (tc, test_fault_dram_fail);
  tcase_add_test (tc, test_fault_no_emmc);
  tcase_add_test (tc, test_fault_wrong_chip);
  tcase_add_test (tc, test_fault_powered_on);
  tcase_add_test (tc, test_fault_write_error_at);
  tcase_add_test (tc, test_fault_pmt_missing);
  tcase_add_test (tc, test_fault_no_reenumerate);

  tc = add_tcase (s, "binary");
  tcase_add_test (tc, test_persist_replugs);
  tcase_add_test (tc, test_binary_flow);
  tcase_add_test (tc, test_binary_signal_and_errors);

  return s;
}

int
main (void)
{
  return sf_test_run_suite (sim_suite ());
}
