/* sf-transport-fd.c — a transport over a plain file descriptor (tty or pty)
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "sf-error.h"
#include "sf-units.h"
#include "sf-transport-fd.h"
#include "sf-transport-private.h"

struct _SfTransportFd
{
  SfTransport  parent_instance;

  int          fd;
  gboolean     read_full;   /* the last read filled its buffer: more is likely waiting */
  gboolean     claimed;     /* sf_transport_claim_fd() took the port */
};

G_DEFINE_FINAL_TYPE (SfTransportFd, sf_transport_fd, SF_TYPE_TRANSPORT)

/* Waits for @events for at most @timeout_ms, waking every
 * SF_TRANSPORT_POLL_MS for the cancellable. Returns 1 when ready, 0 on
 * timeout, -1 with @error set. */
static int
wait_for (SfTransportFd  *self,
          short           events,
          guint           timeout_ms,
          GCancellable   *cancellable,
          GError        **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;) {
    struct pollfd pfd = { .fd = self->fd, .events = events };
    int slice = (int) MIN (sf_ms_until (deadline), SF_TRANSPORT_POLL_MS);
    int r;

    if (g_cancellable_set_error_if_cancelled (cancellable, error))
      return -1;

    r = poll (&pfd, 1, slice);
    if (r < 0) {
      int saved = errno;

      if (saved == EINTR)
        continue;
      sf_transport_set_disconnected (SF_TRANSPORT (self), g_strerror (saved), error);
      return -1;
    }
    if (r > 0) {
      /* Data that arrived before a hang-up is still read first. */
      if (pfd.revents & events)
        return 1;
      if (pfd.revents & (POLLHUP | POLLERR | POLLNVAL)) {
        sf_transport_set_disconnected (SF_TRANSPORT (self), _("hang-up"), error);
        return -1;
      }
    }
    if (g_get_monotonic_time () >= deadline)
      return 0;
  }
}

/* Reads what the port has, up to @len, without waiting: one read after
 * another until @len is complete or the port has nothing more. A pty (and
 * the n_tty line discipline of a ttyACM) hands over at most 4 KiB per
 * read, so a 1 MiB packet takes ~256 reads; a poll before each of them
 * would double the system calls and put the thread to sleep for data that
 * is often already there. Returns the number of bytes read (0 when none
 * was there), or -1 with @error set. *out_eof is TRUE when a read answered
 * 0 at once: nothing there, or (after a poll said there was) end of file. */
static gssize
read_available (SfTransportFd  *self,
                guint8         *buf,
                gsize           len,
                gboolean       *out_eof,
                GError        **error)
{
  gsize done = 0;

  *out_eof = FALSE;
  while (done < len) {
    ssize_t n = read (self->fd, buf + done, len - done);

    if (n > 0) {
      done += (gsize) n;
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (n == 0) {
      /* A raw tty (VMIN = VTIME = 0) answers 0 when it has nothing. */
      *out_eof = done == 0;
      break;
    }
    if (errno == EAGAIN)
      break;
    if (done > 0)
      break;   /* the error comes back on the next call */
    /* A pty whose other end closed answers EIO: the phone hung up. */
    sf_transport_set_disconnected (SF_TRANSPORT (self), errno == EIO ? _("hang-up") : g_strerror (errno), error);
    return -1;
  }
  return (gssize) done;
}

static gssize
sf_transport_fd_read (SfTransport   *transport,
                      guint8        *buf,
                      gsize          len,
                      guint          timeout_ms,
                      GCancellable  *cancellable,
                      GError       **error)
{
  SfTransportFd *self = SF_TRANSPORT_FD (transport);
  gboolean polled = FALSE;

  /* When the last read filled its buffer, more is probably waiting: read
   * at once and poll only when nothing is there. Otherwise poll first, as
   * a read would most likely find nothing (a reply to what was just
   * written). Either way, once something is there, everything that is
   * there is read before the next poll (read_available()). */
  if (!self->read_full) {
    int r = wait_for (self, POLLIN, timeout_ms, cancellable, error);

    if (r <= 0)
      return r;
    polled = TRUE;
  }
  for (;;) {
    gboolean eof = FALSE;
    gssize n = read_available (self, buf, len, &eof, error);
    int r;

    if (n < 0) {
      self->read_full = FALSE;
      return -1;
    }
    if (n > 0) {
      self->read_full = (gsize) n == len;
      return n;
    }
    self->read_full = FALSE;
    /* 0 means end of file only once poll said the port was ready. */
    if (eof && polled) {
      sf_transport_set_disconnected (transport, _("end of file"), error);
      return -1;
    }
    r = wait_for (self, POLLIN, timeout_ms, cancellable, error);
    if (r <= 0)
      return r;
    polled = TRUE;
  }
}

static gboolean
sf_transport_fd_write_all (SfTransport   *transport,
                           const guint8  *buf,
                           gsize          len,
                           guint          timeout_ms,
                           GCancellable  *cancellable,
                           GError       **error)
{
  SfTransportFd *self = SF_TRANSPORT_FD (transport);
  gsize done = 0;

  /* Write first; after a short write the port is full, so poll before the
   * next one: a tty reports POLLOUT only once its buffer has drained, and
   * the next write then fills all of it, where writing again at once would
   * move a few bytes per system call. */
  while (done < len) {
    ssize_t n = write (self->fd, buf + done, len - done);
    int r;

    if (n > 0) {
      done += (gsize) n;
      if (done == len)
        break;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n == 0 || errno != EAGAIN) {
      sf_transport_set_disconnected (transport,
                                n == 0 ? _("short write") : errno == EIO ? _("hang-up") : g_strerror (errno),
                                error);
      return FALSE;
    }

    r = wait_for (self, POLLOUT, timeout_ms, cancellable, error);
    if (r < 0)
      return FALSE;
    if (r == 0) {
      sf_transport_set_write_timeout (error, timeout_ms, done, len);
      return FALSE;
    }
  }
  return TRUE;
}

static gboolean
sf_transport_fd_close (SfTransport  *transport,
                       GError      **error)
{
  SfTransportFd *self = SF_TRANSPORT_FD (transport);

  if (self->fd >= 0) {
    if (self->claimed)
      sf_transport_release_fd (self->fd);
    close (self->fd);
    self->fd = -1;
  }
  return TRUE;
}

static void
sf_transport_fd_class_init (SfTransportFdClass *klass)
{
  SfTransportClass *transport_class = SF_TRANSPORT_CLASS (klass);

  transport_class->read = sf_transport_fd_read;
  transport_class->write_all = sf_transport_fd_write_all;
  transport_class->close = sf_transport_fd_close;
}

static void
sf_transport_fd_init (SfTransportFd *self)
{
  self->fd = -1;
}

static void
make_raw (int fd)
{
  struct termios tio;

  if (!isatty (fd) || tcgetattr (fd, &tio) != 0)
    return;
  cfmakeraw (&tio);
  tio.c_cflag |= CLOCAL | CREAD;
  tio.c_cc[VMIN] = 0;
  tio.c_cc[VTIME] = 0;
  cfsetispeed (&tio, B115200);
  cfsetospeed (&tio, B115200);
  if (tcsetattr (fd, TCSANOW, &tio) != 0)
    g_debug ("tcsetattr: %s", g_strerror (errno));
}

/**
 * sf_transport_fd_new:
 * @fd: an open descriptor; the transport owns it from now on
 * @name: what to call it in messages
 *
 * Returns: (transfer full): a transport over @fd.
 */
SfTransportFd *
sf_transport_fd_new (int         fd,
                     const char *name)
{
  SfTransportFd *self;
  int flags;

  g_return_val_if_fail (fd >= 0, NULL);

  flags = fcntl (fd, F_GETFL);
  if (flags >= 0)
    fcntl (fd, F_SETFL, flags | O_NONBLOCK);
  make_raw (fd);

  self = g_object_new (SF_TYPE_TRANSPORT_FD, "path", name, NULL);
  self->fd = fd;
  return self;
}

/**
 * sf_transport_fd_open:
 * @path: a tty or pty node
 * @error: return location for a #GError
 *
 * Takes the port for this process alone (sf_transport_claim_fd()).
 *
 * Returns: (transfer full): the open transport, or %NULL with
 *   %SF_ERROR_COM_PORT_OPEN_FAIL or %SF_ERROR_PORT_BUSY.
 */
SfTransportFd *
sf_transport_fd_open (const char  *path,
                      GError     **error)
{
  SfTransportFd *self;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  if (!sf_transport_check_node (path, error))
    return NULL;
  fd = open (path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    int saved = errno;

    /* TIOCEXCL of another process. */
    if (saved == EBUSY)
      sf_transport_set_busy (path, error);
    else
      sf_set_device_error (error, SF_ERROR_COM_PORT_OPEN_FAIL,
                           _("cannot open %s: %s"), path, g_strerror (saved));
    return NULL;
  }
  /* Before anything is sent or the line is set up: the running job's
   * settings are not ours to change. */
  if (!sf_transport_claim_fd (fd, path, error)) {
    close (fd);
    return NULL;
  }
  g_debug ("opened %s as fd %d", path, fd);
  self = sf_transport_fd_new (fd, path);
  self->claimed = TRUE;
  return self;
}

