/* test-transport.c — the fd transport over a pty: bulk reads and writes,
 * timeouts, cancellation and hang-ups
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "sf-error.h"
#include "sf-test-util.h"
#include "sf-transport-fd.h"

#define KIB 1024
#define MIB (1024 * 1024)

/* A pty pair: the host's transport on the slave, as with the virtual
 * phone; the test plays the phone on the master (blocking, raw). */
typedef struct {
  int           master;
  SfTransport  *host;
} Pty;

static void
pty_open (Pty *p)
{
  struct termios tio;
  int slave;

  p->master = posix_openpt (O_RDWR | O_NOCTTY);
  ck_assert_int_ge (p->master, 0);
  ck_assert_int_eq (grantpt (p->master), 0);
  ck_assert_int_eq (unlockpt (p->master), 0);
  ck_assert_int_eq (tcgetattr (p->master, &tio), 0);
  cfmakeraw (&tio);
  ck_assert_int_eq (tcsetattr (p->master, TCSANOW, &tio), 0);
  slave = open (ptsname (p->master), O_RDWR | O_NOCTTY);
  ck_assert_int_ge (slave, 0);
  p->host = SF_TRANSPORT (sf_transport_fd_new (slave, "test-pty"));
}

static void
pty_close (Pty *p)
{
  g_clear_object (&p->host);
  if (p->master >= 0)
    close (p->master);
  p->master = -1;
}

static guint8 *
pattern (gsize len)
{
  guint8 *buf = g_malloc (len);

  for (gsize i = 0; i < len; i++)
    buf[i] = (guint8) (i * 7 + (i >> 12));
  return buf;
}

typedef struct {
  int     fd;
  guint8 *data;
  gsize   len;
  gsize   stop_after;   /* write this much, then stop (a stall) */
  guint   hang_up_ms;   /* then close the fd after this long (0: keep it) */
} Writer;

static gpointer
write_thread (gpointer data)
{
  Writer *w = data;
  gsize len = MIN (w->len, w->stop_after);
  gsize done = 0;

  while (done < len) {
    ssize_t n = write (w->fd, w->data + done, MIN (len - done, 4 * KIB + 123));

    if (n <= 0)
      break;
    done += (gsize) n;
  }
  if (w->hang_up_ms > 0) {
    g_usleep (w->hang_up_ms * 1000);
    close (w->fd);
  }
  return NULL;
}

/* A 1 MiB packet and its checksum, sent in odd-sized pieces, come in whole
 * and in order through one read_exact. */
START_TEST (test_bulk_read)
{
  Pty p;
  g_autofree guint8 *sent = pattern (MIB + 2);
  g_autofree guint8 *got = g_malloc0 (MIB + 2);
  g_autoptr(GError) error = NULL;
  Writer w;
  GThread *t;

  pty_open (&p);
  w = (Writer) { p.master, sent, MIB + 2, G_MAXSIZE, 0 };
  for (guint round = 0; round < 3; round++) {
    t = g_thread_new ("writer", write_thread, &w);
    ck_assert (sf_transport_read_exact (p.host, got, MIB + 2, 2000, NULL, &error));
    g_assert_no_error (error);
    g_thread_join (t);
    ck_assert (memcmp (sent, got, MIB + 2) == 0);
    memset (got, 0, MIB + 2);
  }
  pty_close (&p);
}
END_TEST

/* What is there already comes back from one read call, past the 4 KiB a
 * pty hands over per read(2). */
START_TEST (test_read_takes_all_there_is)
{
  Pty p;
  g_autofree guint8 *sent = pattern (6 * KIB);
  guint8 got[8 * KIB];
  g_autoptr(GError) error = NULL;
  gssize n;

  pty_open (&p);
  ck_assert_int_eq (write (p.master, sent, 6 * KIB), 6 * KIB);
  g_usleep (50000);
  n = sf_transport_read (p.host, got, sizeof got, 1000, NULL, &error);
  g_assert_no_error (error);
  ck_assert_int_eq (n, 6 * KIB);
  ck_assert (memcmp (sent, got, 6 * KIB) == 0);
  /* Nothing more: 0 after the timeout, not an end of file. */
  n = sf_transport_read (p.host, got, sizeof got, 150, NULL, &error);
  g_assert_no_error (error);
  ck_assert_int_eq (n, 0);
  pty_close (&p);
}
END_TEST

static gboolean
cancel_later (gpointer data)
{
  g_cancellable_cancel (G_CANCELLABLE (data));
  return G_SOURCE_REMOVE;
}

typedef struct {
  GCancellable *cancellable;
  guint         ms;
} Canceller;

static gpointer
cancel_thread (gpointer data)
{
  Canceller *c = data;

  g_usleep (c->ms * 1000);
  cancel_later (c->cancellable);
  return NULL;
}

/* A phone that stops half-way through a packet: the read ends with
 * SF_ERROR_TIMEOUT after the gap, or promptly when cancelled. */
START_TEST (test_stalled_read)
{
  Pty p;
  g_autofree guint8 *sent = pattern (MIB);
  g_autofree guint8 *got = g_malloc0 (MIB);
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Canceller c = { cancellable, 300 };
  Writer w;
  GThread *t, *ct;
  gint64 t0;

  pty_open (&p);
  w = (Writer) { p.master, sent, MIB, 300 * KIB, 0 };
  t = g_thread_new ("writer", write_thread, &w);
  t0 = g_get_monotonic_time ();
  ck_assert (!sf_transport_read_exact (p.host, got, MIB, 250, NULL, &error));
  g_assert_error (error, SF_ERROR, SF_ERROR_TIMEOUT);
  ck_assert_int_lt (g_get_monotonic_time () - t0, 5 * G_USEC_PER_SEC);
  g_thread_join (t);
  g_clear_error (&error);

  /* Still stalled, with a long timeout: a cancel stops it within a poll
   * slice. */
  ct = g_thread_new ("cancel", cancel_thread, &c);
  t0 = g_get_monotonic_time ();
  ck_assert (!sf_transport_read_exact (p.host, got, MIB, 10000, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  ck_assert_int_lt (g_get_monotonic_time () - t0, (300 + 2 * SF_TRANSPORT_POLL_MS + 200) * 1000);
  g_thread_join (ct);
  pty_close (&p);
}
END_TEST

/* The phone hangs up after part of a packet: what came first is read, then
 * SF_ERROR_DISCONNECTED, not a timeout. */
START_TEST (test_hangup_mid_packet)
{
  Pty p;
  g_autofree guint8 *sent = pattern (MIB);
  g_autofree guint8 *got = g_malloc0 (MIB);
  g_autoptr(GError) error = NULL;
  Writer w;
  GThread *t;
  gint64 t0;

  pty_open (&p);
  w = (Writer) { p.master, sent, MIB, 100 * KIB, 100 };
  t = g_thread_new ("writer", write_thread, &w);
  t0 = g_get_monotonic_time ();
  ck_assert (!sf_transport_read_exact (p.host, got, MIB, 5000, NULL, &error));
  g_assert_error (error, SF_ERROR, SF_ERROR_DISCONNECTED);
  ck_assert_int_lt (g_get_monotonic_time () - t0, 3 * G_USEC_PER_SEC);
  ck_assert (memcmp (sent, got, 100 * KIB) == 0);
  g_thread_join (t);
  p.master = -1;   /* closed by the writer */
  pty_close (&p);
}
END_TEST

typedef struct {
  int     fd;
  guint8 *buf;
  gsize   len;
} Reader;

static gpointer
read_thread (gpointer data)
{
  Reader *r = data;
  gsize done = 0;

  while (done < r->len) {
    ssize_t n = read (r->fd, r->buf + done, r->len - done);

    if (n <= 0)
      break;
    done += (gsize) n;
  }
  return GSIZE_TO_POINTER (done);
}

/* A packet written whole arrives whole; a phone that takes nothing makes
 * write_all time out, or stop at once when cancelled. */
START_TEST (test_write)
{
  Pty p;
  g_autofree guint8 *sent = pattern (MIB + 3);
  g_autofree guint8 *got = g_malloc0 (MIB + 3);
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Canceller c = { cancellable, 300 };
  Reader r = { 0, got, MIB + 3 };
  GThread *t, *ct;
  gint64 t0;

  pty_open (&p);
  r.fd = p.master;
  t = g_thread_new ("reader", read_thread, &r);
  ck_assert (sf_transport_write_all (p.host, sent, MIB + 3, 2000, NULL, &error));
  g_assert_no_error (error);
  ck_assert_uint_eq (GPOINTER_TO_SIZE (g_thread_join (t)), MIB + 3);
  ck_assert (memcmp (sent, got, MIB + 3) == 0);

  /* Nobody reads now. */
  t0 = g_get_monotonic_time ();
  ck_assert (!sf_transport_write_all (p.host, sent, MIB, 250, NULL, &error));
  g_assert_error (error, SF_ERROR, SF_ERROR_TIMEOUT);
  ck_assert_int_lt (g_get_monotonic_time () - t0, 5 * G_USEC_PER_SEC);
  g_clear_error (&error);

  ct = g_thread_new ("cancel", cancel_thread, &c);
  t0 = g_get_monotonic_time ();
  ck_assert (!sf_transport_write_all (p.host, sent, MIB, 10000, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  ck_assert_int_lt (g_get_monotonic_time () - t0, (300 + 2 * SF_TRANSPORT_POLL_MS + 200) * 1000);
  g_thread_join (ct);
  pty_close (&p);
}
END_TEST

static Suite *
transport_suite (void)
{
  Suite *s = suite_create ("transport");
  TCase *tc = tcase_create ("fd");

  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_bulk_read);
  tcase_add_test (tc, test_read_takes_all_there_is);
  tcase_add_test (tc, test_stalled_read);
  tcase_add_test (tc, test_hangup_mid_packet);
  tcase_add_test (tc, test_write);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return sf_test_run_suite (transport_suite ());
}
