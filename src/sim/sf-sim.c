/* sf-sim.c — the virtual phone's plumbing: options, storage files, the pty
 * pair, the device thread and its I/O
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "sf-mtk.h"
#include "sf-sim-private.h"

G_DEFINE_QUARK (sf-sim-error-quark, sf_sim_error)

/* Payload rates for --pace, in bytes per second. */
#define PACE_FULL_SPEED_RATE  1000000
#define PACE_HIGH_SPEED_RATE  40000000
/* A pause longer than this does not earn the link credit for a burst. */
#define PACE_IDLE_US          100000

/* ---- options ------------------------------------------------------------ */

void
sf_sim_options_init (SfSimOptions *opts)
{
  g_return_if_fail (opts != NULL);

  memset (opts, 0, sizeof *opts);
  opts->hw_code = SF_HW_CODE_MT6572;
  opts->mode = SF_SIM_MODE_BROM;
  opts->emmc_user_size = SF_SIM_DEFAULT_USER_SIZE;
  opts->pace = SF_SIM_PACE_NONE;
  opts->faults.unplug_after = -1;
  opts->faults.stall_after = -1;
  opts->faults.write_error_at = -1;
  opts->faults.wrong_chip = -1;
}

static gboolean
parse_u64 (const char  *text,
           guint64      max,
           guint64     *out,
           const char  *what,
           GError     **error)
{
  guint64 value = 0;
  char *end = NULL;

  if (text == NULL || *text == '\0' || *text == '-' || *text == '+')
    goto bad;
  errno = 0;
  value = g_ascii_strtoull (text, &end, 0);
  if (errno != 0 || end == text || *end != '\0' || value > max)
    goto bad;
  *out = value;
  return TRUE;

bad:
  g_set_error (error, SF_SIM_ERROR, SF_SIM_ERROR_INVALID_OPTION,
               "Invalid %s “%s”", what, text ? text : "");
  return FALSE;
}

gboolean
sf_sim_parse_size (const char  *text,
                   guint64     *size,
                   GError     **error)
{
  g_autofree char *digits = NULL;
  guint64 mult = 1;
  guint64 value = 0;
  gsize len;

  g_return_val_if_fail (size != NULL, FALSE);

  if (text == NULL || *text == '\0')
    goto bad;
  digits = g_strdup (text);
  len = strlen (digits);
  switch (g_ascii_toupper (digits[len - 1])) {
  case 'K': mult = G_GUINT64_CONSTANT (1) << 10; break;
  case 'M': mult = G_GUINT64_CONSTANT (1) << 20; break;
  case 'G': mult = G_GUINT64_CONSTANT (1) << 30; break;
  case 'T': mult = G_GUINT64_CONSTANT (1) << 40; break;
  default: break;
  }
  if (mult != 1)
    digits[len - 1] = '\0';
  if (!parse_u64 (digits, G_MAXUINT64 / mult, &value, "size", NULL))
    goto bad;
  value *= mult;
  if (value == 0 || value % SF_EMMC_SECTOR != 0)
    goto bad;
  *size = value;
  return TRUE;

bad:
  g_set_error (error, SF_SIM_ERROR, SF_SIM_ERROR_INVALID_OPTION,
               "Invalid size “%s”: expected a non-zero multiple of 512 bytes, "
               "optionally with a K, M or G suffix", text ? text : "");
  return FALSE;
}

gboolean
sf_sim_parse_chip (const char  *text,
                   guint16     *hw_code,
                   GError     **error)
{
  static const guint16 known[] = { SF_HW_CODE_MT6572, SF_HW_CODE_MT6582, SF_HW_CODE_MT6580 };
  const char *p = text;
  guint64 value = 0;

  g_return_val_if_fail (hw_code != NULL, FALSE);

  if (p != NULL && g_ascii_strncasecmp (p, "MT", 2) == 0)
    p += 2;
  if (p != NULL && !g_str_has_prefix (p, "0x") && !g_str_has_prefix (p, "0X")) {
    g_autofree char *hex = g_strconcat ("0x", p, NULL);

    if (!parse_u64 (hex, G_MAXUINT16, &value, "chip", NULL))
      value = 0;
  } else if (p != NULL && !parse_u64 (p, G_MAXUINT16, &value, "chip", NULL)) {
    value = 0;
  }

  for (gsize i = 0; i < G_N_ELEMENTS (known); i++) {
    if (known[i] == value) {
      *hw_code = known[i];
      return TRUE;
    }
  }

  g_set_error (error, SF_SIM_ERROR, SF_SIM_ERROR_INVALID_OPTION,
               "Unknown chip “%s”: expected MT6572, MT6582 or MT6580", text ? text : "");
  return FALSE;
}

typedef struct {
  const char  *name;
  int          value;
} Choice;

/* One of the fixed words in @choices; @expected lists them for the error. */
static gboolean
parse_choice (const char    *text,
              const Choice  *choices,
              gsize          n_choices,
              const char    *what,
              const char    *expected,
              int           *out_value,
              GError       **error)
{
  for (gsize i = 0; i < n_choices; i++) {
    if (g_strcmp0 (text, choices[i].name) == 0) {
      *out_value = choices[i].value;
      return TRUE;
    }
  }
  g_set_error (error, SF_SIM_ERROR, SF_SIM_ERROR_INVALID_OPTION,
               "Unknown %s “%s”: expected %s", what, text ? text : "", expected);
  return FALSE;
}

gboolean
sf_sim_parse_mode (const char  *text,
                   SfSimMode   *mode,
                   GError     **error)
{
  static const Choice modes[] = {
    { "brom", SF_SIM_MODE_BROM },
    { "preloader", SF_SIM_MODE_PRELOADER },
  };
  int value;

  if (!parse_choice (text, modes, G_N_ELEMENTS (modes), "mode", "brom or preloader", &value, error))
    return FALSE;
  *mode = value;
  return TRUE;
}

gboolean
sf_sim_parse_pace (const char  *text,
                   SfSimPace   *pace,
                   GError     **error)
{
  static const Choice paces[] = {
    { "none", SF_SIM_PACE_NONE },
    { "full-speed", SF_SIM_PACE_FULL_SPEED },
    { "high-speed", SF_SIM_PACE_HIGH_SPEED },
  };
  int value;

  if (!parse_choice (text, paces, G_N_ELEMENTS (paces), "pace", "none, full-speed or high-speed", &value, error))
    return FALSE;
  *pace = value;
  return TRUE;
}

/* The boards. sample-a's CID is realda-phone's default. */
static const SfSimBoard boards[] = {
  { "sample-a",
    { 0x15, 0x01, 0x00, 0x4B, 0x41, 0x4C, 0x41, 0x35, 0x32, 0x10, 0x12, 0x34, 0x56, 0x78, 0x5D, 0x01 },
    9, G_GUINT64_CONSTANT (0x20000000) },
  { "sample-b",
    { 0x90, 0x01, 0x4A, 0x48, 0x38, 0x47, 0x32, 0x61, 0x34, 0xA5, 0x12, 0x34, 0x56, 0x78, 0x9A, 0x01 },
    8, G_GUINT64_CONSTANT (0x40000000) },
};

const SfSimBoard *
sf_sim_default_board (void)
{
  return &boards[0];
}

gboolean
sf_sim_parse_board (const char        *text,
                    const SfSimBoard **board,
                    GError           **error)
{
  for (gsize i = 0; i < G_N_ELEMENTS (boards); i++) {
    if (g_ascii_strcasecmp (text, boards[i].name) == 0) {
      *board = &boards[i];
      return TRUE;
    }
  }
  g_set_error (error, SF_SIM_ERROR, SF_SIM_ERROR_INVALID_OPTION,
               "Unknown board “%s”: expected sample-a or sample-b", text);
  return FALSE;
}

gboolean
sf_sim_options_add_fault (SfSimOptions  *opts,
                          const char    *spec,
                          GError       **error)
{
  g_auto(GStrv) kv = NULL;
  const char *name;
  const char *value;
  guint64 n = 0;

  g_return_val_if_fail (opts != NULL, FALSE);

  if (spec == NULL || *spec == '\0')
    goto bad;
  kv = g_strsplit (spec, "=", 2);
  name = kv[0];
  value = kv[1];

  if (value == NULL) {
    if (g_str_equal (name, "bad-checksum"))
      opts->faults.bad_checksum = TRUE;
    else if (g_str_equal (name, "dram-fail"))
      opts->faults.dram_fail = TRUE;
    else if (g_str_equal (name, "no-emmc"))
      opts->faults.no_emmc = TRUE;
    else if (g_str_equal (name, "powered-on"))
      opts->faults.powered_on = TRUE;
    else if (g_str_equal (name, "pmt-missing"))
      opts->faults.pmt_missing = TRUE;
    else if (g_str_equal (name, "no-reenumerate"))
      opts->faults.no_reenumerate = TRUE;
    else
      goto bad;
    return TRUE;
  }

  if (g_str_equal (name, "wrong-chip")) {
    if (!parse_u64 (value, G_MAXUINT16, &n, "hw code", error))
      return FALSE;
    opts->faults.wrong_chip = (gint64) n;
    return TRUE;
  }

  if (!sf_sim_parse_size (value, &n, NULL) &&
      !parse_u64 (value, G_MAXINT64, &n, "byte count", error))
    return FALSE;
  if (n > G_MAXINT64) {
    g_set_error (error, SF_SIM_ERROR, SF_SIM_ERROR_INVALID_OPTION,
                 "Fault value too large: “%s”", spec);
    return FALSE;
  }
  if (g_str_equal (name, "unplug-after"))
    opts->faults.unplug_after = (gint64) n;
  else if (g_str_equal (name, "stall-after"))
    opts->faults.stall_after = (gint64) n;
  else if (g_str_equal (name, "write-error-at"))
    opts->faults.write_error_at = (gint64) n;
  else
    goto bad;
  return TRUE;

bad:
  g_set_error (error, SF_SIM_ERROR, SF_SIM_ERROR_INVALID_OPTION,
               "Unknown fault “%s”: expected unplug-after=BYTES, stall-after=BYTES, "
               "write-error-at=OFFSET, wrong-chip=HWCODE, bad-checksum, dram-fail, "
               "no-emmc, powered-on, pmt-missing or no-reenumerate", spec ? spec : "");
  return FALSE;
}

/* ---- storage and pty ---------------------------------------------------- */

static gboolean
open_store (SfSim       *self,
            int          index,
            const char  *name,
            guint64      size,
            GError     **error)
{
  g_autofree char *path = g_build_filename (self->storage_dir, name, NULL);
  struct stat st;
  int fd;

  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    int saved = errno;
    g_set_error (error, SF_SIM_ERROR, SF_SIM_ERROR_STORAGE,
                 "Cannot open %s: %s", path, g_strerror (saved));
    return FALSE;
  }
  /* A phone keeps its data: only grow the file (sparsely), never shrink it. */
  if (fstat (fd, &st) != 0 ||
      ((guint64) st.st_size < size && ftruncate (fd, (off_t) size) != 0)) {
    int saved = errno;
    g_set_error (error, SF_SIM_ERROR, SF_SIM_ERROR_STORAGE,
                 "Cannot size %s to %" G_GUINT64_FORMAT " bytes: %s",
                 path, size, g_strerror (saved));
    close (fd);
    return FALSE;
  }
  self->stores[index].fd = fd;
  self->stores[index].size = size;
  return TRUE;
}

static void
close_pty (SfSim *self)
{
  if (self->master_fd >= 0)
    close (self->master_fd);
  if (self->slave_fd >= 0)
    close (self->slave_fd);
  self->master_fd = -1;
  self->slave_fd = -1;
}

static gboolean
open_pty (SfSim   *self,
          GError **error)
{
  struct termios tio;
  const char *name;
  int master;
  int slave;

  master = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0 || grantpt (master) != 0 || unlockpt (master) != 0 ||
      (name = ptsname (master)) == NULL) {
    int saved = errno;
    g_set_error (error, SF_SIM_ERROR, SF_SIM_ERROR_PTY,
                 "Cannot create a pseudo-terminal: %s", g_strerror (saved));
    if (master >= 0)
      close (master);
    return FALSE;
  }

  /* Holding the slave open ourselves means a host that closes the port does
   * not leave the master reading EIO: the phone stays plugged in and the
   * host may open the port again. Raw mode, so the line discipline neither
   * echoes our bytes back nor mangles CR/LF. */
  slave = g_open (name, O_RDWR | O_NOCTTY | O_CLOEXEC, 0);
  if (slave < 0 || tcgetattr (slave, &tio) != 0) {
    int saved = errno;
    g_set_error (error, SF_SIM_ERROR, SF_SIM_ERROR_PTY,
                 "Cannot open %s: %s", name, g_strerror (saved));
    if (slave >= 0)
      close (slave);
    close (master);
    return FALSE;
  }
  cfmakeraw (&tio);
  tio.c_cc[VMIN] = 1;
  tio.c_cc[VTIME] = 0;
  if (tcsetattr (slave, TCSANOW, &tio) != 0 ||
      !g_unix_set_fd_nonblocking (master, TRUE, NULL)) {
    int saved = errno;
    g_set_error (error, SF_SIM_ERROR, SF_SIM_ERROR_PTY,
                 "Cannot set up %s: %s", name, g_strerror (saved));
    close (slave);
    close (master);
    return FALSE;
  }

  g_mutex_lock (&self->lock);
  if (self->port_path != NULL)
    g_ptr_array_add (self->old_paths, self->port_path);
  self->port_path = g_strdup (name);
  g_mutex_unlock (&self->lock);
  self->master_fd = master;
  self->slave_fd = slave;
  return TRUE;
}

static void
free_internal (SfSim *self)
{
  close_pty (self);
  for (int i = 0; i < SF_SIM_N_STORES; i++) {
    if (self->stores[i].fd >= 0)
      close (self->stores[i].fd);
  }
  if (self->wake_fds[0] >= 0)
    close (self->wake_fds[0]);
  if (self->wake_fds[1] >= 0)
    close (self->wake_fds[1]);
  for (guint i = 0; self->gone_masters != NULL && i < self->gone_masters->len; i++)
    close (g_array_index (self->gone_masters, int, i));
  g_clear_pointer (&self->gone_masters, g_array_unref);
  g_clear_pointer (&self->regs, g_hash_table_unref);
  g_clear_pointer (&self->old_paths, g_ptr_array_unref);
  g_clear_pointer (&self->port_path, g_free);
  g_clear_pointer (&self->storage_dir, g_free);
  g_clear_error (&self->error);
  g_clear_error (&self->thread_error);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self);
}

/* An eMMC's serial number belongs to the chip, so it lives with the
 * storage: made at random the first time, read back ever after. */
static gboolean
load_serial (SfSim   *self,
             GError **error)
{
  const SfSimBoard *b = self->opts.board != NULL ? self->opts.board : sf_sim_default_board ();
  g_autofree char *path = g_build_filename (self->storage_dir, "serial", NULL);
  g_autofree char *text = NULL;
  guint32 serial = 0;
  g_autoptr(GError) local_error = NULL;

  memcpy (self->cid, b->cid, sizeof self->cid);
  if (g_file_get_contents (path, &text, NULL, NULL)) {
    char *end = NULL;
    guint64 value = g_ascii_strtoull (text, &end, 16);

    if (end == text || value > 0xFFFFFF) {
      g_set_error (error, SF_SIM_ERROR, SF_SIM_ERROR_STORAGE,
                   "%s does not hold an eMMC serial number (6 hex digits); delete it to get a new one", path);
      return FALSE;
    }
    serial = (guint32) value;
  } else {
    g_autofree char *line = NULL;

    serial = g_random_int () & 0xFFFFFF;
    line = g_strdup_printf ("%06x\n", serial);
    if (!g_file_set_contents (path, line, -1, &local_error)) {
      g_set_error (error, SF_SIM_ERROR, SF_SIM_ERROR_STORAGE, "Cannot write %s: %s", path, local_error->message);
      return FALSE;
    }
  }
  /* The low bytes of the serial number and the manufacturing date: an EMI
   * entry's ID holds at most the first 9 bytes, in either byte order
   * (§13.4), and so never these. */
  self->cid[12] = (guint8) (serial >> 16);
  self->cid[13] = (guint8) (serial >> 8);
  self->cid[14] = (guint8) serial;
  return TRUE;
}

SfSim *
sf_sim_new (const SfSimOptions  *opts,
            GError             **error)
{
  SfSim *self;

  g_return_val_if_fail (opts != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (opts->storage_dir == NULL || *opts->storage_dir == '\0') {
    g_set_error (error, SF_SIM_ERROR, SF_SIM_ERROR_INVALID_OPTION,
                 "No storage folder given");
    return NULL;
  }
  if (opts->emmc_user_size == 0 || opts->emmc_user_size % SF_EMMC_SECTOR != 0) {
    g_set_error (error, SF_SIM_ERROR, SF_SIM_ERROR_INVALID_OPTION,
                 "The eMMC user size must be a non-zero multiple of 512 bytes");
    return NULL;
  }

  self = g_new0 (SfSim, 1);
  self->opts = *opts;
  self->storage_dir = g_strdup (opts->storage_dir);
  self->opts.storage_dir = self->storage_dir;
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->old_paths = g_ptr_array_new_with_free_func (g_free);
  self->regs = g_hash_table_new (NULL, NULL);
  self->gone_masters = g_array_new (FALSE, FALSE, sizeof (int));
  self->master_fd = -1;
  self->slave_fd = -1;
  self->wake_fds[0] = self->wake_fds[1] = -1;
  for (int i = 0; i < SF_SIM_N_STORES; i++)
    self->stores[i].fd = -1;

  if (g_mkdir_with_parents (self->storage_dir, 0755) != 0) {
    int saved = errno;
    g_set_error (error, SF_SIM_ERROR, SF_SIM_ERROR_STORAGE,
                 "Cannot create %s: %s", self->storage_dir, g_strerror (saved));
    free_internal (self);
    return NULL;
  }
  if (!load_serial (self, error)) {
    free_internal (self);
    return NULL;
  }
  if (!open_store (self, SF_SIM_STORE_BOOT1, "boot1.bin", SF_SIM_BOOT_SIZE, error) ||
      !open_store (self, SF_SIM_STORE_BOOT2, "boot2.bin", SF_SIM_BOOT_SIZE, error) ||
      !open_store (self, SF_SIM_STORE_RPMB, "rpmb.bin", SF_SIM_RPMB_SIZE, error) ||
      !open_store (self, SF_SIM_STORE_USER, "user.bin", opts->emmc_user_size, error)) {
    free_internal (self);
    return NULL;
  }
  if (!g_unix_open_pipe (self->wake_fds, FD_CLOEXEC, error) ||
      !open_pty (self, error)) {
    free_internal (self);
    return NULL;
  }
  return self;
}

const char *
sf_sim_get_port_path (SfSim *self)
{
  const char *path;

  g_return_val_if_fail (self != NULL, NULL);

  g_mutex_lock (&self->lock);
  path = self->port_path;
  g_mutex_unlock (&self->lock);
  return path;
}

/* ---- the device thread -------------------------------------------------- */

static void
emit (SfSim      *self,
      SfSimEvent  event)
{
  if (self->opts.event_func != NULL)
    self->opts.event_func (self, event, self->opts.event_data);
}

/* Waits (briefly) until the host has read what the phone sent. */
static void
hang_up_drain (SfSim *self)
{
  if (self->slave_fd >= 0) {
    int quiet = 0;

    /* The pty moves bytes to the slave side asynchronously, so an empty
     * queue counts only once it has stayed empty for a while. */
    for (int waited = 0; waited < 1000 && quiet < 10; waited += 2) {
      int pending = 0;

      if (ioctl (self->slave_fd, FIONREAD, &pending) != 0)
        break;
      quiet = pending == 0 ? quiet + 1 : 0;
      if (!sf_sim_sleep (self, 2))
        break;
    }
  }
}

/* A finished phone leaves the bus: wait (briefly) until the host has read
 * our last reply, then close the master so the host sees a hang-up. */
static void
hang_up (SfSim    *self,
         gboolean  drain)
{
  if (drain)
    hang_up_drain (self);
  close_pty (self);
}

/* How long the phone is off the bus when it re-enumerates on a new port:
 * a real one takes a second or so; a pty needs no more than a moment. */
#define REENUMERATE_MS  20

gboolean
sf_sim_reenumerate (SfSim *self)
{
  g_autoptr(GError) error = NULL;
  int old_master, old_slave;
  int lock = 1;

  hang_up_drain (self);
  /* The old node stays taken, and locked (opening it fails with EIO), as
   * long as the phone lives: the new one gets another number, as a ttyACM0
   * still held open makes the phone come back as ttyACM1, and no other
   * program's pty can take the old number meanwhile, which a host that
   * tries the old path again would then be talking to. */
  if (ioctl (self->master_fd, TIOCSPTLCK, &lock) != 0)
    g_debug ("cannot lock the old pty: %s", g_strerror (errno));
  old_master = self->master_fd;
  old_slave = self->slave_fd;
  self->master_fd = self->slave_fd = -1;
  close (old_slave);
  g_array_append_val (self->gone_masters, old_master);
  if (!sf_sim_sleep (self, REENUMERATE_MS) || !open_pty (self, &error)) {
    if (error != NULL)
      sf_sim_set_thread_error (self, g_steal_pointer (&error));
    return FALSE;
  }
  g_debug ("USB: back on %s", self->port_path);
  emit (self, SF_SIM_EVENT_PORT_CHANGED);
  return TRUE;
}

static gpointer
device_thread (gpointer data)
{
  SfSim *self = data;
  SfSimResult result = SF_SIM_RESULT_STOPPED;

  for (;;) {
    self->end = SF_SIM_END_NONE;
    self->da_sent = FALSE;
    self->first_byte_seen = FALSE;
    self->high_speed = FALSE;
    self->pace_bytes = 0;
    g_mutex_lock (&self->lock);
    self->flash_bytes = 0;
    g_mutex_unlock (&self->lock);

    sf_sim_device_run_session (self);

    if (self->end == SF_SIM_END_FINISH || self->end == SF_SIM_END_UNPLUG) {
      g_autoptr(GError) error = NULL;
      gboolean finished = self->end == SF_SIM_END_FINISH;

      g_debug ("%s: hanging up", finished ? "finished" : "unplugged");
      hang_up (self, finished);
      result = finished ? SF_SIM_RESULT_FINISHED : SF_SIM_RESULT_UNPLUGGED;
      self->end = SF_SIM_END_NONE;
      if (!self->opts.persist)
        break;
      /* Re-plugged: a new ttyACM node, the phone starts over. */
      if (!sf_sim_sleep (self, 50)) {
        result = SF_SIM_RESULT_STOPPED;
        break;
      }
      if (!open_pty (self, &error)) {
        sf_sim_set_thread_error (self, g_steal_pointer (&error));
        result = SF_SIM_RESULT_FAILED;
        break;
      }
      emit (self, SF_SIM_EVENT_PORT_CHANGED);
      continue;
    }
    result = self->end == SF_SIM_END_ERROR ? SF_SIM_RESULT_FAILED : SF_SIM_RESULT_STOPPED;
    break;
  }

  g_mutex_lock (&self->lock);
  self->result = result;
  if (result == SF_SIM_RESULT_FAILED && self->thread_error != NULL)
    self->error = g_error_copy (self->thread_error);
  self->done = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  emit (self, SF_SIM_EVENT_DONE);
  return NULL;
}

gboolean
sf_sim_start (SfSim   *self,
              GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (self->thread == NULL, FALSE);

  self->thread = g_thread_try_new ("sf-sim", device_thread, self, error);
  return self->thread != NULL;
}

gboolean
sf_sim_wait (SfSim *self,
             int    timeout_ms)
{
  gint64 deadline;
  gboolean done;

  g_return_val_if_fail (self != NULL, FALSE);

  deadline = g_get_monotonic_time () + (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND;
  g_mutex_lock (&self->lock);
  while (!self->done) {
    if (timeout_ms < 0)
      g_cond_wait (&self->cond, &self->lock);
    else if (!g_cond_wait_until (&self->cond, &self->lock, deadline))
      break;
  }
  done = self->done;
  g_mutex_unlock (&self->lock);
  return done;
}

SfSimResult
sf_sim_get_result (SfSim *self)
{
  SfSimResult result;

  g_return_val_if_fail (self != NULL, SF_SIM_RESULT_FAILED);

  g_mutex_lock (&self->lock);
  result = self->result;
  g_mutex_unlock (&self->lock);
  return result;
}

const GError *
sf_sim_get_error (SfSim *self)
{
  const GError *error;

  g_return_val_if_fail (self != NULL, NULL);

  g_mutex_lock (&self->lock);
  error = self->error;
  g_mutex_unlock (&self->lock);
  return error;
}

guint64
sf_sim_get_flash_bytes (SfSim *self)
{
  guint64 n;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->lock);
  n = self->flash_bytes;
  g_mutex_unlock (&self->lock);
  return n;
}

void
sf_sim_get_paced_bytes (SfSim   *self,
                        guint64 *full_speed,
                        guint64 *high_speed)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->lock);
  if (full_speed != NULL)
    *full_speed = self->paced_full;
  if (high_speed != NULL)
    *high_speed = self->paced_high;
  g_mutex_unlock (&self->lock);
}

void
sf_sim_stop (SfSim *self)
{
  g_return_if_fail (self != NULL);

  if (self->thread == NULL)
    return;
  g_atomic_int_set (&self->stop_requested, TRUE);
  while (write (self->wake_fds[1], "x", 1) < 0 && errno == EINTR)
    ;
  g_thread_join (g_steal_pointer (&self->thread));
}

void
sf_sim_free (SfSim *self)
{
  if (self == NULL)
    return;
  sf_sim_stop (self);
  free_internal (self);
}

/* ---- I/O for the device thread ------------------------------------------ */

void
sf_sim_set_thread_error (SfSim  *self,
                         GError *error)
{
  g_debug ("device error: %s", error->message);
  if (self->thread_error == NULL)
    self->thread_error = error;
  else
    g_error_free (error);
  self->end = SF_SIM_END_ERROR;
}

static void
set_io_error (SfSim      *self,
              const char *what,
              int         saved_errno)
{
  sf_sim_set_thread_error (self, g_error_new (SF_SIM_ERROR, SF_SIM_ERROR_IO,
                                              "%s on the pty failed: %s",
                                              what, g_strerror (saved_errno)));
}

/* Waits until the master is ready for @events, the stop pipe fires, or
 * @deadline (monotonic µs, -1 = never) passes. 1 ready, 0 timeout, -1 over. */
static int
wait_master (SfSim  *self,
             short   events,
             gint64  deadline)
{
  struct pollfd fds[2];

  if (self->end != SF_SIM_END_NONE)
    return -1;

  for (;;) {
    int timeout = -1;
    int r;

    if (deadline >= 0) {
      gint64 left = deadline - g_get_monotonic_time ();

      timeout = left <= 0 ? 0 : (int) ((left + 999) / 1000);
    }
    fds[0].fd = self->master_fd;
    fds[0].events = events;
    fds[0].revents = 0;
    fds[1].fd = self->wake_fds[0];
    fds[1].events = POLLIN;
    fds[1].revents = 0;
    r = poll (fds, 2, timeout);
    if (r < 0) {
      if (errno == EINTR)
        continue;
      set_io_error (self, "poll", errno);
      return -1;
    }
    if (fds[1].revents != 0) {
      self->end = SF_SIM_END_STOP;
      return -1;
    }
    if (fds[0].revents & POLLNVAL) {
      set_io_error (self, "poll", EBADF);
      return -1;
    }
    if (fds[0].revents != 0)
      return 1;
    if (r == 0 || (deadline >= 0 && g_get_monotonic_time () >= deadline))
      return 0;
  }
}

/* FALSE once the session is over or sf_sim_stop() asked, without a
 * system call: the I/O below polls only when the pty makes it wait. */
static gboolean
still_on (SfSim *self)
{
  if (self->end != SF_SIM_END_NONE)
    return FALSE;
  if (g_atomic_int_get (&self->stop_requested)) {
    self->end = SF_SIM_END_STOP;
    return FALSE;
  }
  return TRUE;
}

int
sf_sim_recv_timeout (SfSim *self,
                     void  *buf,
                     gsize  len,
                     int    timeout_ms)
{
  guint8 *p = buf;
  gsize done = 0;
  gint64 deadline = timeout_ms < 0 ? -1 :
                    g_get_monotonic_time () + (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND;

  /* Issue 17: read first, and poll only when the pty has nothing (a pty
   * hands over at most 4 KiB per read, so a poll before each one doubled
   * the system calls of a 1 MiB packet). */
  while (done < len) {
    ssize_t n;

    if (!still_on (self))
      return -1;
    n = read (self->master_fd, p + done, len - done);
    if (n > 0) {
      done += (gsize) n;
      if (!self->first_byte_seen) {
        self->first_byte_seen = TRUE;
        emit (self, SF_SIM_EVENT_FIRST_BYTE);
      }
    } else if (n < 0 && errno == EAGAIN) {
      int r = wait_master (self, POLLIN, deadline);

      if (r <= 0)
        return r;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && errno == EIO) {
      /* Nobody holds the slave: cannot happen while we keep it open, but
       * do not spin if it does. */
      if (!sf_sim_sleep (self, 10))
        return -1;
    } else {
      set_io_error (self, "read", n == 0 ? EIO : errno);
      return -1;
    }
  }
  return 1;
}

gboolean
sf_sim_recv (SfSim *self,
             void  *buf,
             gsize  len)
{
  return sf_sim_recv_timeout (self, buf, len, -1) == 1;
}

gboolean
sf_sim_send (SfSim      *self,
             const void *buf,
             gsize       len)
{
  const guint8 *p = buf;
  gsize done = 0;

  while (done < len) {
    ssize_t n;

    if (!still_on (self))
      return FALSE;
    n = write (self->master_fd, p + done, len - done);
    if (n > 0) {
      done += (gsize) n;
    } else if (n < 0 && errno == EAGAIN) {
      if (wait_master (self, POLLOUT, -1) <= 0)
        return FALSE;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      set_io_error (self, "write", n == 0 ? EIO : errno);
      return FALSE;
    }
  }
  return TRUE;
}

void
sf_sim_send_try (SfSim      *self,
                 const void *buf,
                 gsize       len)
{
  if (write (self->master_fd, buf, len) < 0 && errno != EAGAIN && errno != EINTR)
    g_debug ("dropped %zu bytes: %s", len, g_strerror (errno));
}

void
sf_sim_trim_output (SfSim *self,
                    gsize  max)
{
  int pending = 0;

  if (ioctl (self->slave_fd, FIONREAD, &pending) == 0 && (gsize) pending > max)
    tcflush (self->slave_fd, TCIFLUSH);
}

gboolean
sf_sim_sleep (SfSim *self,
              int    ms)
{
  struct pollfd fd = { self->wake_fds[0], POLLIN, 0 };
  gint64 deadline = g_get_monotonic_time () + (gint64) ms * G_TIME_SPAN_MILLISECOND;

  for (;;) {
    gint64 left = deadline - g_get_monotonic_time ();
    int r;

    if (left <= 0)
      return TRUE;
    r = poll (&fd, 1, (int) ((left + 999) / 1000));
    if (r > 0) {
      self->end = SF_SIM_END_STOP;
      return FALSE;
    }
    if (r < 0 && errno != EINTR)
      return TRUE;
  }
}

void
sf_sim_hang (SfSim *self)
{
  while (sf_sim_sleep (self, 1000))
    ;
}

gboolean
sf_sim_pace (SfSim *self,
             gsize  len)
{
  gint64 rate;
  gint64 now;
  gint64 due;

  g_mutex_lock (&self->lock);
  if (self->high_speed)
    self->paced_high += len;
  else
    self->paced_full += len;
  g_mutex_unlock (&self->lock);

  switch (self->opts.pace) {
  case SF_SIM_PACE_FULL_SPEED: rate = PACE_FULL_SPEED_RATE; break;
  case SF_SIM_PACE_HIGH_SPEED: rate = self->high_speed ? PACE_HIGH_SPEED_RATE : PACE_FULL_SPEED_RATE; break;
  case SF_SIM_PACE_NONE:
  default:
    return TRUE;
  }

  now = g_get_monotonic_time ();
  due = self->pace_t0 + (gint64) (self->pace_bytes * G_USEC_PER_SEC / (guint64) rate);
  if (self->pace_bytes == 0 || now > due + PACE_IDLE_US) {
    self->pace_t0 = now;
    self->pace_bytes = 0;
  }
  self->pace_bytes += len;
  due = self->pace_t0 + (gint64) (self->pace_bytes * G_USEC_PER_SEC / (guint64) rate);
  if (due > now + 1000)
    return sf_sim_sleep (self, (int) ((due - now) / 1000));
  return TRUE;
}

void
sf_sim_add_flash_bytes (SfSim *self,
                        gsize  len)
{
  g_mutex_lock (&self->lock);
  self->flash_bytes += len;
  g_mutex_unlock (&self->lock);
}
