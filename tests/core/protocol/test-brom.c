/* test-brom.c — the host side of the handshake, BROM commands and DA writes
 * against a scripted fake phone on a pty (protocol.md §2, §3.7, §6.8, §7)
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The fake phone here is deliberately tiny and scripted byte by byte from
 * the spec: it is not the virtual phone (src/sim), which is tested on its own.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "sf-brom.h"
#include "sf-crc32.h"
#include "sf-da.h"
#include "sf-error.h"
#include "sf-mtk.h"
#include "sf-preloader.h"
#include "sf-sparse.h"
#include "sf-test-util.h"
#include "sf-transport-fd.h"

/* ---- the fake phone ---------------------------------------------------- */

typedef struct _Fake Fake;
typedef void (*FakeScript) (Fake *fake);

struct _Fake {
  int           master;
  GThread      *thread;
  FakeScript    script;
  SfTransport  *host;
  /* script knobs and results */
  gboolean      preloader;
  guint         stray_before_first;   /* stray bytes sent before the first reply */
  gboolean      bad_checksum;
  gboolean      zero_checksum;        /* §13.11: SEND_DA checksum "not computed" */
  guint         damaged_packets;      /* §13.5: answer this many 62 packets with 3060 */
  guint32       refuse_code;          /* §13.7: answer the 62 header with A5 + this */
  gboolean      extra_byte_after_refusal; /* the host sent something after an error reply */
  guint8       *storage;
  gsize         storage_len;
  GArray       *writes;               /* (offset, length) of each 62 */
  guint         n_resends;
  gboolean      abandoned;            /* the host sent 96 */
  guint         n_commands;
};

typedef struct {
  guint64 offset;
  guint64 length;
} WriteRec;

/* Reads one byte, waiting at most @ms; FALSE on timeout or hang-up. */
static gboolean
dev_read (Fake   *f,
          guint8 *out,
          int     ms)
{
  struct pollfd pfd = { .fd = f->master, .events = POLLIN };

  if (poll (&pfd, 1, ms) <= 0 || !(pfd.revents & POLLIN))
    return FALSE;
  return read (f->master, out, 1) == 1;
}

static gboolean
dev_read_n (Fake   *f,
            guint8 *buf,
            gsize   n)
{
  for (gsize i = 0; i < n; i++) {
    if (!dev_read (f, buf + i, 5000))
      return FALSE;
  }
  return TRUE;
}

static void
dev_write (Fake         *f,
           const guint8 *buf,
           gsize         n)
{
  while (n > 0) {
    ssize_t w = write (f->master, buf, n);

    if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
      g_usleep (1000);
      continue;
    }
    if (w <= 0)
      return;
    buf += w;
    n -= (gsize) w;
  }
}

static void
dev_put8 (Fake  *f,
          guint8 b)
{
  dev_write (f, &b, 1);
}

static guint32
be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static guint64
be64 (const guint8 *p)
{
  return ((guint64) be32 (p) << 32) | be32 (p + 4);
}

/* §2.0/§2.2, device side. Returns FALSE if the host went away. */
static gboolean
dev_handshake (Fake *f)
{
  static const guint8 seq[4] = { 0xA0, 0x0A, 0x50, 0x05 };
  guint i = 0;
  guint8 c;

  if (f->preloader) {
    /* READY every 20 ms until the first byte; swallow it if it is A0. */
    for (;;) {
      if (dev_read (f, &c, 20))
        break;
      dev_write (f, (const guint8 *) "READY", 5);
    }
    if (c != 0xA0)
      return FALSE;
  }

  while (i < 4) {
    if (!dev_read (f, &c, 5000))
      return FALSE;
    while (f->stray_before_first > 0) {
      dev_put8 (f, 0x00);
      f->stray_before_first--;
    }
    if (c == seq[i]) {
      dev_put8 (f, (guint8) ~c);
      i++;
    } else {
      dev_put8 (f, (guint8) (c + 1));
      i = 0;
    }
  }
  return TRUE;
}

static void
dev_echo (Fake  *f,
          gsize  n)
{
  guint8 buf[8];

  if (dev_read_n (f, buf, n))
    dev_write (f, buf, n);
}

/* The BROM command loop for the commands sf_brom_identify and friends use. */
static void
script_brom (Fake *f)
{
  guint8 c;

  if (!dev_handshake (f))
    return;

  while (dev_read (f, &c, 5000)) {
    switch (c) {
    case 0xFD:
      dev_write (f, (const guint8 *) "\xFD\x65\x72\x00\x00", 5);
      break;
    case 0xFE:
      dev_put8 (f, f->preloader ? 0x01 : 0xFE);
      break;
    case 0xFF:
      dev_put8 (f, f->preloader ? 0xFF : 0x05);
      break;
    case 0xFC:
      dev_write (f, (const guint8 *) "\xFC\x8A\x00\xCA\x00\x00\x00\x00\x00", 9);
      break;
    case 0xD8:
      dev_write (f, (const guint8 *) "\xD8\x00\x00\x00\x00\x00\x00", 7);
      break;
    case 0xD4: {
      guint8 cnt[4];

      dev_put8 (f, c);
      dev_echo (f, 4);
      if (!dev_read_n (f, cnt, 4))
        return;
      dev_write (f, cnt, 4);
      dev_write (f, (const guint8 *) "\x00\x01", 2);
      for (guint32 k = 0; k < be32 (cnt); k++)
        dev_echo (f, 4);
      dev_write (f, (const guint8 *) "\x00\x01", 2);
      break;
    }
    case 0xD7: {
      guint8 len[4];
      guint16 sum = 0;
      guint8 out[2];

      dev_put8 (f, c);
      dev_echo (f, 4);
      if (!dev_read_n (f, len, 4))
        return;
      dev_write (f, len, 4);
      dev_echo (f, 4);
      dev_write (f, (const guint8 *) "\x00\x00", 2);
      for (guint32 k = 0; k < be32 (len); k += 2) {
        guint8 w[2] = { 0, 0 };

        if (!dev_read_n (f, w, MIN (2u, be32 (len) - k)))
          return;
        sum ^= (guint16) (w[0] | (w[1] << 8));
      }
      if (f->bad_checksum)
        sum ^= 1;
      if (f->zero_checksum)
        sum = 0;
      out[0] = sum >> 8;
      out[1] = sum & 0xFF;
      dev_write (f, out, 2);
      dev_write (f, (const guint8 *) "\x00\x00", 2);
      break;
    }
    case 0xD5:
      dev_put8 (f, c);
      dev_echo (f, 4);
      dev_write (f, (const guint8 *) "\x00\x00", 2);
      break;
    default:
      dev_put8 (f, c);
      break;
    }
  }
}

/* Never answers. */
static void
script_silent (Fake *f)
{
  guint8 c;

  while (dev_read (f, &c, 3000))
    ;
}

/* A switched-on phone: chatter for every byte. */
static void
script_garbage (Fake *f)
{
  guint8 c;

  while (dev_read (f, &c, 3000))
    dev_write (f, (const guint8 *) "OK\r\n", 4);
}

/* Answers the first handshake byte, then hangs up. */
static void
script_hangup (Fake *f)
{
  guint8 c;

  if (dev_read (f, &c, 3000))
    dev_put8 (f, 0x5F);
}

/* §6.8, device side: SDMMC_WRITE_DATA into f->storage. */
static void
script_da_write (Fake *f)
{
  guint8 c;

  while (dev_read (f, &c, 5000)) {
    guint8 hdr[2 + 8 + 8 + 4];
    guint64 addr, len, done = 0;
    guint32 pkt;
    WriteRec rec;

    if (c != 0x62)
      return;
    if (!dev_read_n (f, hdr, sizeof hdr))
      return;
    ck_assert_uint_eq (hdr[0], 0x02);
    ck_assert_uint_eq (hdr[1], 0x08);
    addr = be64 (hdr + 2);
    len = be64 (hdr + 10);
    pkt = be32 (hdr + 18);
    ck_assert_uint_eq (pkt, 0x100000);
    ck_assert_uint_eq (len % 512, 0);
    ck_assert_uint_eq (addr % 512, 0);
    ck_assert_uint_le (addr + len, f->storage_len);
    rec.offset = addr;
    rec.length = len;
    g_array_append_val (f->writes, rec);
    f->n_commands++;
    if (f->refuse_code != 0) {
      guint8 e[5] = { 0xA5, f->refuse_code >> 24, f->refuse_code >> 16, f->refuse_code >> 8, f->refuse_code };

      dev_write (f, e, sizeof e);
      /* §13.7: the host must send nothing back. */
      f->extra_byte_after_refusal = dev_read (f, &c, 300);
      return;
    }
    dev_put8 (f, 0x5A);

    while (done < len) {
      guint32 n = (guint32) MIN ((guint64) pkt, len - done);
      guint8 ack, sum_be[2];
      guint16 sum = 0;

      if (!dev_read (f, &ack, 5000) || ack != 0x5A)
        return;
      if (!dev_read_n (f, f->storage + addr + done, n) || !dev_read_n (f, sum_be, 2))
        return;
      for (guint32 k = 0; k < n; k++)
        sum += f->storage[addr + done + k];
      ck_assert_uint_eq (sum, (guint16) ((sum_be[0] << 8) | sum_be[1]));
      if (f->damaged_packets > 0) {
        /* As if it arrived damaged: 3060, then the DA waits for that
         * packet again (5A + packet + sum) or 96. */
        f->damaged_packets--;
        f->n_resends++;
        dev_write (f, (const guint8 *) "\xA5\x00\x00\x0B\xF4", 5);
        if (!dev_read (f, &ack, 5000))
          return;
        if (ack == 0x96) {
          f->abandoned = TRUE;
          break;
        }
        ck_assert_uint_eq (ack, 0x5A);
        if (!dev_read_n (f, f->storage + addr + done, n) || !dev_read_n (f, sum_be, 2))
          return;
        while (f->damaged_packets > 0) {
          f->damaged_packets--;
          f->n_resends++;
          dev_write (f, (const guint8 *) "\xA5\x00\x00\x0B\xF4", 5);
          if (!dev_read (f, &ack, 5000))
            return;
          if (ack == 0x96) {
            f->abandoned = TRUE;
            break;
          }
          if (!dev_read_n (f, f->storage + addr + done, n) || !dev_read_n (f, sum_be, 2))
            return;
        }
        if (f->abandoned)
          break;
      }
      done += n;
      dev_put8 (f, 0x69);
    }
  }
}

static gpointer
fake_thread (gpointer data)
{
  Fake *f = data;

  f->script (f);
  close (f->master);
  f->master = -1;
  return NULL;
}

static Fake *
fake_new (FakeScript script)
{
  Fake *f = g_new0 (Fake, 1);
  int slave;
  struct termios tio;

  f->master = posix_openpt (O_RDWR | O_NOCTTY);
  ck_assert_int_ge (f->master, 0);
  ck_assert_int_eq (grantpt (f->master), 0);
  ck_assert_int_eq (unlockpt (f->master), 0);
  slave = open (ptsname (f->master), O_RDWR | O_NOCTTY);
  ck_assert_int_ge (slave, 0);
  tcgetattr (slave, &tio);
  cfmakeraw (&tio);
  tcsetattr (slave, TCSANOW, &tio);
  f->host = SF_TRANSPORT (sf_transport_fd_new (slave, "fake-phone"));
  f->script = script;
  f->writes = g_array_new (FALSE, FALSE, sizeof (WriteRec));
  return f;
}

static void
fake_start (Fake *f)
{
  f->thread = g_thread_new ("fake-phone", fake_thread, f);
}

/* Closing the host side ends every script's read loop. */
static void
fake_stop (Fake *f)
{
  g_autoptr(GError) error = NULL;

  sf_transport_close (f->host, &error);
  if (f->thread != NULL)
    g_thread_join (g_steal_pointer (&f->thread));
}

static void
fake_free (Fake *f)
{
  fake_stop (f);
  g_object_unref (f->host);
  g_array_unref (f->writes);
  g_free (f->storage);
  g_free (f);
}

/* ---- handshake ------------------------------------------------------------ */

START_TEST (test_handshake_brom)
{
  Fake *f = fake_new (script_brom);
  g_autoptr(SfBrom) brom = sf_brom_new (f->host);
  g_autoptr(GError) error = NULL;
  const SfBromInfo *info;

  fake_start (f);
  ck_assert_msg (sf_brom_connect (brom, SF_BROM_MODE_AUTO, NULL, &error), "%s", error ? error->message : "");
  ck_assert_msg (sf_brom_identify (brom, NULL, &error), "%s", error ? error->message : "");
  info = sf_brom_get_info (brom);
  ck_assert_uint_eq (info->hw_code, 0x6572);
  ck_assert (info->is_brom);
  ck_assert_uint_eq (info->bl_ver, 0xFE);
  ck_assert_uint_eq (info->brom_ver, 0x05);
  ck_assert_uint_eq (info->hw_sub_code, 0x8A00);
  ck_assert_uint_eq (info->hw_ver, 0xCA00);
  ck_assert_uint_eq (info->target_config, 0);
  ck_assert_ptr_nonnull (info->chip);
  ck_assert_msg (sf_brom_check_chip (brom, "MT6572", &error), "%s", error ? error->message : "");
  ck_assert (!sf_brom_check_chip (brom, "MT6582", &error));
  ck_assert (g_error_matches (error, SF_ERROR, SF_ERROR_CHIP_TYPE_NOT_MATCH));
  g_clear_error (&error);
  /* D4 statuses of 0x0001, as bypass sees on BootROMs (§3.6). */
  ck_assert_msg (sf_brom_disable_watchdog (brom, info->chip, NULL, &error), "%s", error ? error->message : "");
  fake_free (f);
}
END_TEST

START_TEST (test_handshake_preloader_auto)
{
  Fake *f = fake_new (script_brom);
  g_autoptr(SfBrom) brom = sf_brom_new (f->host);
  g_autoptr(GError) error = NULL;

  f->preloader = TRUE;
  fake_start (f);
  g_usleep (60 * 1000);   /* let some READY pile up */
  ck_assert_msg (sf_brom_connect (brom, SF_BROM_MODE_AUTO, NULL, &error), "%s", error ? error->message : "");
  ck_assert_msg (sf_brom_identify (brom, NULL, &error), "%s", error ? error->message : "");
  ck_assert (!sf_brom_get_info (brom)->is_brom);
  ck_assert_uint_eq (sf_brom_get_info (brom)->bl_ver, 0x01);
  ck_assert_uint_eq (sf_brom_get_info (brom)->brom_ver, 0xFF);
  fake_free (f);
}
END_TEST

/* AUTO mode (issue 17): what is buffered is thrown away and the first A0
 * goes out at once (it waited 100 ms for a READY before). A BootROM answers
 * it at once, so AUTO costs it nothing over BROM mode; a preloader that has
 * sent no READY yet swallows it without a word (§2.0), and the host takes
 * that silence for a preloader and starts the four bytes inside its
 * window. */
static const struct {
  gboolean preloader;
  guint    limit_ms;
} auto_cases[] = {
  { FALSE, 30 },
  { TRUE, 300 },
};

START_TEST (test_handshake_auto_at_once)
{
  Fake *f = fake_new (script_brom);
  g_autoptr(SfBrom) brom = sf_brom_new (f->host);
  g_autoptr(GError) error = NULL;
  gint64 t0;

  f->preloader = auto_cases[_i].preloader;
  fake_start (f);
  t0 = g_get_monotonic_time ();
  ck_assert_msg (sf_brom_connect (brom, SF_BROM_MODE_AUTO, NULL, &error), "%s", error ? error->message : "");
  ck_assert_msg (g_get_monotonic_time () - t0 < (gint64) auto_cases[_i].limit_ms * 1000,
                 "AUTO handshake took %.1f ms", (g_get_monotonic_time () - t0) / 1000.0);
  ck_assert_msg (sf_brom_identify (brom, NULL, &error), "%s", error ? error->message : "");
  ck_assert (sf_brom_get_info (brom)->is_brom == !auto_cases[_i].preloader);
  fake_free (f);
}
END_TEST

/* Handshakes that must pass, then answer FD. */
static const struct {
  SfBromMode  mode;
  gboolean    preloader;
  guint       stray_before_first;
} connect_cases[] = {
  { SF_BROM_MODE_PRELOADER, TRUE, 0 },   /* a preloader, said so up front */
  { SF_BROM_MODE_BROM, FALSE, 2 },       /* a stray byte before the first answer: start again from A0 */
};

START_TEST (test_handshake_connects)
{
  Fake *f = fake_new (script_brom);
  g_autoptr(SfBrom) brom = sf_brom_new (f->host);
  g_autoptr(GError) error = NULL;

  f->preloader = connect_cases[_i].preloader;
  f->stray_before_first = connect_cases[_i].stray_before_first;
  fake_start (f);
  ck_assert_msg (sf_brom_connect (brom, connect_cases[_i].mode, NULL, &error), "%s", error ? error->message : "");
  ck_assert_msg (sf_brom_get_hw_code (brom, NULL, NULL, &error), "%s", error ? error->message : "");
  fake_free (f);
}
END_TEST

START_TEST (test_handshake_silent)
{
  Fake *f = fake_new (script_silent);
  g_autoptr(SfBrom) brom = sf_brom_new (f->host);
  g_autoptr(GError) error = NULL;
  gint64 t0 = g_get_monotonic_time ();

  fake_start (f);
  ck_assert (!sf_brom_connect (brom, SF_BROM_MODE_BROM, NULL, &error));
  ck_assert_msg (g_error_matches (error, SF_ERROR, SF_ERROR_BROM_STARTCMD_FAIL), "%s", error->message);
  ck_assert_msg (g_str_has_prefix (error->message, "S_BROM_CMD_STARTCMD_FAIL (2005): "), "%s", error->message);
  /* 5 attempts of 500 ms, give or take the drains. */
  ck_assert_int_ge (g_get_monotonic_time () - t0, 2500 * 1000);
  ck_assert_int_lt (g_get_monotonic_time () - t0, 4000 * 1000);
  fake_free (f);
}
END_TEST

START_TEST (test_handshake_garbage)
{
  Fake *f = fake_new (script_garbage);
  g_autoptr(SfBrom) brom = sf_brom_new (f->host);
  g_autoptr(GError) error = NULL;

  fake_start (f);
  ck_assert (!sf_brom_connect (brom, SF_BROM_MODE_AUTO, NULL, &error));
  ck_assert_msg (g_error_matches (error, SF_ERROR, SF_ERROR_NOT_IN_DOWNLOAD_MODE), "%s", error->message);
  ck_assert_msg (strstr (error->message, "volume-down") != NULL, "%s", error->message);
  fake_free (f);
}
END_TEST

START_TEST (test_handshake_hangup)
{
  Fake *f = fake_new (script_hangup);
  g_autoptr(SfBrom) brom = sf_brom_new (f->host);
  g_autoptr(GError) error = NULL;

  fake_start (f);
  ck_assert (!sf_brom_connect (brom, SF_BROM_MODE_BROM, NULL, &error));
  ck_assert_msg (g_error_matches (error, SF_ERROR, SF_ERROR_DISCONNECTED), "%s", error->message);
  fake_free (f);
}
END_TEST

static gboolean
cancel_later (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static gpointer
cancel_thread (gpointer data)
{
  g_usleep (300 * 1000);
  cancel_later (data);
  return NULL;
}

START_TEST (test_handshake_cancel)
{
  Fake *f = fake_new (script_silent);
  g_autoptr(SfBrom) brom = sf_brom_new (f->host);
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  GThread *canceller;
  gint64 t0 = g_get_monotonic_time ();

  fake_start (f);
  canceller = g_thread_new ("cancel", cancel_thread, cancellable);
  ck_assert (!sf_brom_connect (brom, SF_BROM_MODE_BROM, cancellable, &error));
  ck_assert_msg (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED), "%s", error->message);
  ck_assert_int_lt (g_get_monotonic_time () - t0, 300 * 1000 + 250 * 1000);
  g_thread_join (canceller);
  fake_free (f);
}
END_TEST

/* ---- SEND_DA -------------------------------------------------------------- */

static void
run_send_da (gboolean  bad_checksum,
             GError  **error_out)
{
  Fake *f = fake_new (script_brom);
  g_autoptr(SfBrom) brom = sf_brom_new (f->host);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) in = NULL;
  gsize len = 0xE9D4 + 1;   /* odd on purpose */
  guint8 *da = g_malloc (len);

  for (gsize i = 0; i < len; i++)
    da[i] = (guint8) (i * 31 + 7);
  in = g_memory_input_stream_new_from_data (da, len, g_free);
  f->bad_checksum = bad_checksum;
  fake_start (f);
  ck_assert_msg (sf_brom_connect (brom, SF_BROM_MODE_BROM, NULL, &error), "%s", error ? error->message : "");
  if (sf_brom_send_da (brom, 0x02007000, len, 0x100, in, NULL, NULL, NULL, &error)) {
    ck_assert_msg (sf_brom_jump_da (brom, 0x02007000, NULL, &error), "%s", error ? error->message : "");
  }
  fake_free (f);
  if (error != NULL)
    g_propagate_error (error_out, g_steal_pointer (&error));
}

START_TEST (test_send_da_zero_checksum)
{
  Fake *f = fake_new (script_brom);
  g_autoptr(SfBrom) brom = sf_brom_new (f->host);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_data ("\x01\x02\x03\x04", 4, NULL);

  /* §13.11: a device checksum of 0 means "not computed": accepted. */
  f->zero_checksum = TRUE;
  fake_start (f);
  ck_assert_msg (sf_brom_connect (brom, SF_BROM_MODE_BROM, NULL, &error), "%s", error ? error->message : "");
  ck_assert_msg (sf_brom_send_da (brom, 0x02007000, 4, 0, in, NULL, NULL, NULL, &error),
                 "%s", error ? error->message : "");
  fake_free (f);
}
END_TEST

START_TEST (test_send_da)
{
  g_autoptr(GError) error = NULL;

  run_send_da (FALSE, &error);
  ck_assert_msg (error == NULL, "%s", error ? error->message : "");
  run_send_da (TRUE, &error);
  ck_assert_msg (g_error_matches (error, SF_ERROR, SF_ERROR_BROM_SEND_DA_CHKSUM_DIFF), "%s",
                 error ? error->message : "no error");
  ck_assert_msg (g_str_has_prefix (error->message, "S_BROM_CMD_SEND_DA_CHKSUM_DIFF (2034): "), "%s", error->message);
}
END_TEST

/* ---- DA writes ------------------------------------------------------------ */

static Fake *
da_fake (gsize storage_len)
{
  Fake *f = fake_new (script_da_write);

  f->storage_len = storage_len;
  f->storage = g_malloc (storage_len);
  memset (f->storage, 0xEE, storage_len);
  fake_start (f);
  return f;
}

static void
on_progress (guint64  done,
             guint64  total,
             gpointer user_data)
{
  guint64 *last = user_data;

  ck_assert_uint_ge (done, *last);
  ck_assert_uint_le (done, total);
  *last = done;
}

START_TEST (test_da_write_packets)
{
  const gsize img_len = 2 * 1024 * 1024 + 1000;   /* 3 packets, the last padded */
  Fake *f = da_fake (8 * 1024 * 1024);
  g_autoptr(SfDa) da = sf_da_new (f->host);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) in = NULL;
  guint8 *img = g_malloc (img_len);
  guint64 last = 0;

  for (gsize i = 0; i < img_len; i++)
    img[i] = (guint8) (i * 7 + (i >> 12));
  in = g_memory_input_stream_new_from_data (g_memdup2 (img, img_len), img_len, g_free);

  ck_assert_msg (sf_da_write (da, SF_EMMC_PART_USER, 0x80000, in, img_len, on_progress, &last, NULL, &error),
                 "%s", error ? error->message : "");
  ck_assert_uint_eq (last, img_len);
  fake_stop (f);

  ck_assert_uint_eq (f->writes->len, 1);
  ck_assert_uint_eq (g_array_index (f->writes, WriteRec, 0).offset, 0x80000);
  ck_assert_uint_eq (g_array_index (f->writes, WriteRec, 0).length, (img_len + 511) / 512 * 512);
  ck_assert_int_eq (memcmp (f->storage + 0x80000, img, img_len), 0);
  for (gsize i = img_len; i < (img_len + 511) / 512 * 512; i++)
    ck_assert_uint_eq (f->storage[0x80000 + i], 0);
  g_free (img);
  fake_free (f);
}
END_TEST

static void
put16 (GByteArray *a,
       guint16     v)
{
  guint8 b[2] = { v & 0xFF, v >> 8 };

  g_byte_array_append (a, b, 2);
}

static void
put32 (GByteArray *a,
       guint32     v)
{
  guint8 b[4] = { v & 0xFF, (v >> 8) & 0xFF, (v >> 16) & 0xFF, v >> 24 };

  g_byte_array_append (a, b, 4);
}

static void
chunk (GByteArray *a,
       guint16     type,
       guint32     blocks,
       guint32     total)
{
  put16 (a, type);
  put16 (a, 0);
  put32 (a, blocks);
  put32 (a, total);
}

/* §13.5: a packet the DA found damaged (3060) is sent again; after three
 * resends the write is abandoned with 96, never with another command. */
START_TEST (test_da_write_resend)
{
  const gsize img_len = 8192;   /* one packet */
  guint8 *img = g_malloc (img_len);

  for (gsize i = 0; i < img_len; i++)
    img[i] = (guint8) (i * 13 + 5);

  for (guint damaged = 1; damaged <= 4; damaged += 3) {
    Fake *f = fake_new (script_da_write);
    g_autoptr(SfDa) da = sf_da_new (f->host);
    g_autoptr(GError) error = NULL;
    g_autoptr(GInputStream) in = g_memory_input_stream_new_from_data (img, img_len, NULL);
    gboolean ok;

    f->storage_len = 4 * 1024 * 1024;
    f->storage = g_malloc0 (f->storage_len);
    f->damaged_packets = damaged;
    fake_start (f);
    ok = sf_da_write (da, SF_EMMC_PART_USER, 0x100000, in, img_len, NULL, NULL, NULL, &error);
    g_clear_object (&da);
    fake_stop (f);
    if (damaged == 1) {
      ck_assert_msg (ok, "%s", error ? error->message : "");
      ck_assert_uint_eq (f->n_resends, 1);
      ck_assert_int_eq (memcmp (f->storage + 0x100000, img, img_len), 0);
    } else {
      ck_assert (!ok);
      ck_assert_msg (g_error_matches (error, SF_ERROR, SF_ERROR_DA_SDMMC_WRITE_FAILED), "%s", error->message);
      ck_assert_msg (strstr (error->message, "3060") != NULL, "%s", error->message);
      ck_assert (f->abandoned);
      ck_assert_uint_eq (f->n_resends, 4);
    }
    fake_free (f);
  }
  g_free (img);
}
END_TEST

/* §13.7: an error reply is A5 + a big-endian code, and the host sends
 * nothing back; the security DA's refusals have names (§13.10). */
START_TEST (test_da_error_reply)
{
  static const struct { guint32 code; SfError error; } cases[] = {
    { 3154, SF_ERROR_FT_DOWNLOAD_FAIL },
    { 6013, SF_ERROR_SEC_FORMAT_FORBIDDEN },
    { 6011, SF_ERROR_SEC_DOWNLOAD_FORBIDDEN },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    Fake *f = fake_new (script_da_write);
    g_autoptr(SfDa) da = sf_da_new (f->host);
    g_autoptr(GError) error = NULL;
    g_autoptr(GInputStream) in = g_memory_input_stream_new_from_data ("data", 4, NULL);
    g_autofree char *number = g_strdup_printf ("%u", cases[i].code);

    f->storage_len = 1024 * 1024;
    f->storage = g_malloc0 (f->storage_len);
    f->refuse_code = cases[i].code;
    fake_start (f);
    ck_assert (!sf_da_write (da, SF_EMMC_PART_USER, 0, in, 4, NULL, NULL, NULL, &error));
    ck_assert_msg (g_error_matches (error, SF_ERROR, cases[i].error), "%s", error->message);
    if (cases[i].error == SF_ERROR_FT_DOWNLOAD_FAIL)
      ck_assert_msg (strstr (error->message, number) != NULL, "%s", error->message);
    g_clear_object (&da);
    fake_stop (f);
    ck_assert (!f->extra_byte_after_refusal);
    fake_free (f);
  }
}
END_TEST

START_TEST (test_da_write_sparse)
{
  /* RAW(2) FILL(1) DONT_CARE(3) CRC32 RAW(300) FILL(2): two runs. */
  const guint32 bs = 4096;
  const guint64 base = 0x100000;
  g_autoptr(GByteArray) a = g_byte_array_new ();
  g_autofree char *dir = sf_test_make_tempdir ();
  g_autofree char *path = g_build_filename (dir, "system.img", NULL);
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInputStream) in = NULL;
  g_autoptr(SfDa) da = NULL;
  g_autoptr(GError) error = NULL;
  guint64 last = 0;
  Fake *f;
  WriteRec *w;

  put32 (a, SF_SPARSE_MAGIC);
  put16 (a, 1); put16 (a, 0); put16 (a, 28); put16 (a, 12);
  put32 (a, bs); put32 (a, 2 + 1 + 3 + 300 + 2); put32 (a, 6); put32 (a, 0);
  chunk (a, SF_SPARSE_CHUNK_RAW, 2, 12 + 2 * bs);
  for (guint32 i = 0; i < 2 * bs; i++)
    g_byte_array_append (a, (guint8[]) { (guint8) (i * 3) }, 1);
  chunk (a, SF_SPARSE_CHUNK_FILL, 1, 16);
  put32 (a, 0x04030201);
  chunk (a, SF_SPARSE_CHUNK_DONT_CARE, 3, 12);
  chunk (a, SF_SPARSE_CHUNK_CRC32, 0, 16);
  {
    /* The CRC-32 of the 6 blocks expanded so far (DONT_CARE as zeros). */
    g_autofree guint8 *so_far = g_malloc0 (6 * bs);

    for (guint32 i = 0; i < 2 * bs; i++)
      so_far[i] = (guint8) (i * 3);
    for (guint32 i = 0; i < bs; i++)
      so_far[2 * bs + i] = (guint8) (1 + i % 4);
    put32 (a, sf_crc32 (0, so_far, 6 * bs));
  }
  chunk (a, SF_SPARSE_CHUNK_RAW, 300, 12 + 300 * bs);
  for (guint32 i = 0; i < 300 * bs; i++)
    g_byte_array_append (a, (guint8[]) { (guint8) (i * 5 + 1) }, 1);
  chunk (a, SF_SPARSE_CHUNK_FILL, 2, 16);
  put32 (a, 0xFFFFFFFF);

  sf_test_write_file (path, a->data, a->len);
  file = g_file_new_for_path (path);
  in = g_file_read (file, NULL, &error);
  ck_assert_ptr_nonnull (in);

  f = da_fake (base + 8 * 1024 * 1024);
  da = sf_da_new (f->host);
  ck_assert_msg (sf_da_write_sparse (da, SF_EMMC_PART_USER, base, G_INPUT_STREAM (in), "system.img",
                                     308 * bs, on_progress, &last, NULL, &error),
                 "%s", error ? error->message : "");
  ck_assert_uint_eq (last, 308 * bs);

  /* One command per run (§7 step 3). */
  g_clear_object (&da);
  fake_stop (f);
  ck_assert_uint_eq (f->writes->len, 2);
  w = &g_array_index (f->writes, WriteRec, 0);
  ck_assert_uint_eq (w->offset, base);
  ck_assert_uint_eq (w->length, 3 * bs);
  w = &g_array_index (f->writes, WriteRec, 1);
  ck_assert_uint_eq (w->offset, base + 6 * bs);
  ck_assert_uint_eq (w->length, 302 * bs);

  for (guint32 i = 0; i < 2 * bs; i++)
    ck_assert_uint_eq (f->storage[base + i], (guint8) (i * 3));
  for (guint32 i = 0; i < bs; i++)
    ck_assert_uint_eq (f->storage[base + 2 * bs + i], i % 4 + 1);
  for (guint32 i = 0; i < 3 * bs; i++)
    ck_assert_uint_eq (f->storage[base + 3 * bs + i], 0xEE);
  for (guint32 i = 0; i < 300 * bs; i++)
    ck_assert_uint_eq (f->storage[base + 6 * bs + i], (guint8) (i * 5 + 1));
  for (guint32 i = 0; i < 2 * bs; i++)
    ck_assert_uint_eq (f->storage[base + 306 * bs + i], 0xFF);

  fake_free (f);
  sf_test_rm_rf (dir);
}
END_TEST

START_TEST (test_da_write_sparse_bad_sum)
{
  /* The chunks add up to less than total_blks: refused before any write. */
  const guint32 bs = 4096;
  g_autoptr(GByteArray) a = g_byte_array_new ();
  g_autofree char *dir = sf_test_make_tempdir ();
  g_autofree char *path = g_build_filename (dir, "bad.img", NULL);
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInputStream) in = NULL;
  g_autoptr(SfDa) da = NULL;
  g_autoptr(GError) error = NULL;
  Fake *f;

  put32 (a, SF_SPARSE_MAGIC);
  put16 (a, 1); put16 (a, 0); put16 (a, 28); put16 (a, 12);
  put32 (a, bs); put32 (a, 4); put32 (a, 1); put32 (a, 0);
  chunk (a, SF_SPARSE_CHUNK_FILL, 2, 16);
  put32 (a, 0);
  sf_test_write_file (path, a->data, a->len);
  file = g_file_new_for_path (path);
  in = g_file_read (file, NULL, &error);

  f = da_fake (1024 * 1024);
  da = sf_da_new (f->host);
  ck_assert (!sf_da_write_sparse (da, SF_EMMC_PART_USER, 0, G_INPUT_STREAM (in), "bad.img", 0,
                                  NULL, NULL, NULL, &error));
  ck_assert_msg (g_error_matches (error, SF_ERROR, SF_ERROR_IMAGE_INVALID), "%s", error->message);
  ck_assert_uint_eq (f->n_commands, 0);
  g_clear_object (&da);
  fake_free (f);
  sf_test_rm_rf (dir);
}
END_TEST

/* ---- EMI entries from real MT6572 preloaders (§13.4) ------------------------- */

static GBytes *
emi_fixture (const char *name)
{
  g_autofree char *scatter_dir = sf_test_fixture_path ("");
  g_autofree char *path = g_build_filename (scatter_dir, "..", "emi", name, NULL);
  g_autofree char *data = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &data, &len, NULL))
    return NULL;
  return g_bytes_new_take (g_steal_pointer (&data), len);
}

START_TEST (test_emi_from_real_preloaders)
{
  g_autoptr(GBytes) bird = emi_fixture ("preloader_bird72_cwet_a_kk_6572.emi.bin");
  g_autoptr(GBytes) vanzo = emi_fixture ("preloader_vanzo72_cwet_kk.emi.bin");
  g_autoptr(GError) error = NULL;
  guint8 entry[SF_EMI_V11_ENTRY_LEN];
  guint8 cid[16] = { 0x15, 0x01, 0x00, 0x4E, 0x35, 0x55, 0x30, 0x30, 0x4D, 0x10, 0x12, 0x34, 0x56, 0x78, 0x5D, 0x01 };
  guint8 raw[16];
  const guint8 *data;
  gsize len;
  guint n = 0;

  if (bird == NULL || vanzo == NULL) {
    g_print ("SKIP: no ../shared/fixtures/emi\n");
    return;
  }
  data = g_bytes_get_data (bird, &len);
  /* The CID in the eMMC specification's order (13.1) and raw (13.2). */
  ck_assert_msg (sf_preloader_find_emi (data, len, "bird72", cid, entry, &n, &error), "%s", error ? error->message : "");
  ck_assert_uint_eq (n, 1);
  ck_assert_mem_eq (entry + 4, cid, 9);
  for (guint i = 0; i < 16; i++)
    raw[i] = cid[(i & ~3u) + 3 - (i & 3)];
  ck_assert_msg (sf_preloader_find_emi (data, len, "bird72", raw, entry, &n, &error), "%s", error ? error->message : "");
  ck_assert_uint_eq (n, 1);

  /* Another board's memory: 5054, all 8 entries looked at. */
  cid[3] = 0x4F;
  ck_assert (!sf_preloader_find_emi (data, len, "bird72", cid, entry, &n, &error));
  ck_assert_msg (g_error_matches (error, SF_ERROR, SF_ERROR_DL_GET_DRAM_SETTING_FAIL), "%s", error->message);
  ck_assert_uint_eq (n, 8);
  g_clear_error (&error);

  /* A block whose count says 16 but holds 10: never read past the end. */
  data = g_bytes_get_data (vanzo, &len);
  ck_assert (!sf_preloader_find_emi (data, len, "vanzo72", cid, entry, &n, &error));
  ck_assert_uint_eq (n, 10);
  g_clear_error (&error);

  /* Not a preloader at all. */
  ck_assert (!sf_preloader_find_emi ((const guint8 *) "nothing", 7, "x", cid, entry, &n, &error));
  ck_assert (g_error_matches (error, SF_ERROR, SF_ERROR_DL_GET_DRAM_SETTING_FAIL));
}
END_TEST

static Suite *
brom_suite (void)
{
  Suite *s = suite_create ("brom");
  TCase *hs = tcase_create ("handshake");
  TCase *cmd = tcase_create ("commands");

  tcase_set_timeout (hs, 30);
  tcase_add_test (hs, test_handshake_brom);
  tcase_add_test (hs, test_handshake_preloader_auto);
  tcase_add_loop_test (hs, test_handshake_auto_at_once, 0, G_N_ELEMENTS (auto_cases));
  tcase_add_loop_test (hs, test_handshake_connects, 0, G_N_ELEMENTS (connect_cases));
  tcase_add_test (hs, test_handshake_silent);
  tcase_add_test (hs, test_handshake_garbage);
  tcase_add_test (hs, test_handshake_hangup);
  tcase_add_test (hs, test_handshake_cancel);
  suite_add_tcase (s, hs);

  tcase_set_timeout (cmd, 30);
  tcase_add_test (cmd, test_send_da);
  tcase_add_test (cmd, test_send_da_zero_checksum);
  tcase_add_test (cmd, test_da_write_resend);
  tcase_add_test (cmd, test_da_error_reply);
  tcase_add_test (cmd, test_emi_from_real_preloaders);
  tcase_add_test (cmd, test_da_write_packets);
  tcase_add_test (cmd, test_da_write_sparse);
  tcase_add_test (cmd, test_da_write_sparse_bad_sum);
  suite_add_tcase (s, cmd);

  return s;
}

int
main (void)
{
  return sf_test_run_suite (brom_suite ());
}
