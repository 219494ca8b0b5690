/* sf-output-file.c — the one way a readback or backup writes a file
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A readback takes minutes and its data cannot be had again cheaply, and
 * the name the user gave may be anything: an existing file, /dev/null, a
 * FIFO, a folder. So the data goes to "NAME.partial", created exclusively
 * beside the target, and the finished file is renamed onto the target only
 * after an fsync, with RENAME_NOREPLACE unless the user said --force: a
 * file that appears at the target meanwhile is never lost, and a failed
 * readback never leaves half a partition under the name asked for. Every
 * path is resolved against one open folder, so a folder renamed under us
 * cannot send the rename somewhere else. */

#include "config.h"

#include <inttypes.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "sf-error.h"
#include "sf-output-file.h"

#define MIB (G_GUINT64_CONSTANT (1024) * 1024)

struct _SfOutputFile {
  GFile          *target;
  char           *display;          /* the target as the user knows it */
  char           *partial_display;
  char           *dir_display;
  char           *base;             /* the target's name in @dir_fd */
  char           *partial_base;
  int             dir_fd;
  int             fd;               /* the .partial file while it is written */
  dev_t           partial_dev;
  ino_t           partial_ino;
  gboolean        force;
  gboolean        created;          /* the .partial is ours to delete */
  gboolean        committed;
  GOutputStream  *stream;
  guint64         reserved;
  guint64         written;
};

/* ---- the stream ---------------------------------------------------------- */

/* A GOutputStream over the .partial's fd whose errors name the file and say
 * what to do, which a GUnixOutputStream's "No space left on device" does not. */
#define SF_TYPE_OUTPUT_FILE_STREAM (sf_output_file_stream_get_type ())
G_DECLARE_FINAL_TYPE (SfOutputFileStream, sf_output_file_stream, SF, OUTPUT_FILE_STREAM, GOutputStream)

struct _SfOutputFileStream {
  GOutputStream  parent_instance;

  SfOutputFile  *file;              /* (unowned): cleared when the file goes */
};

G_DEFINE_FINAL_TYPE (SfOutputFileStream, sf_output_file_stream, G_TYPE_OUTPUT_STREAM)

static char *
format_mib (guint64 bytes)
{
  guint64 mib = (bytes + MIB - 1) / MIB;

  /* Translators: an amount of disk space to free, e.g. "12 MiB" */
  return g_strdup_printf (_("%" PRIu64 " MiB"), MAX (mib, 1));
}

/* The disk is full: say which file, and how much more room it needs when
 * that is known (@needed 0: not known). */
static void
set_disk_full (SfOutputFile  *self,
               int            errsv,
               guint64        needed,
               GError       **error)
{
  if (needed > 0) {
    g_autofree char *amount = format_mib (needed);

    /* Translators: the first %s is a file, the second an amount like "12 MiB" */
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                 _("the disk holding %s is full — free %s or choose another folder"),
                 self->display, amount);
  } else {
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                 _("the disk holding %s is full — free some space or choose another folder"),
                 self->display);
  }
}

static void
set_write_error (SfOutputFile  *self,
                 int            errsv,
                 GError       **error)
{
  switch (errsv) {
  case ENOSPC:
  case EDQUOT:
    set_disk_full (self, errsv, self->reserved > self->written ? self->reserved - self->written : 0, error);
    break;
  case EFBIG:
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                 _("%s is too large for the disk it is on (a FAT disk holds at most 4 GiB per file) — "
                   "choose a folder on another disk"), self->display);
    break;
  default:
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                 _("cannot write %s: %s — check the disk, or choose another folder"),
                 self->display, g_strerror (errsv));
    break;
  }
}

static gssize
sf_output_file_stream_write (GOutputStream  *stream,
                             const void     *buffer,
                             gsize           count,
                             GCancellable   *cancellable,
                             GError        **error)
{
  SfOutputFileStream *self = SF_OUTPUT_FILE_STREAM (stream);
  SfOutputFile *file = self->file;

  if (file == NULL || file->fd < 0) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED, _("the output file is already closed"));
    return -1;
  }
  for (;;) {
    ssize_t n = write (file->fd, buffer, count);

    if (n >= 0) {
      file->written += (guint64) n;
      return n;
    }
    if (errno != EINTR) {
      set_write_error (file, errno, error);
      return -1;
    }
  }
}

static void
sf_output_file_stream_class_init (SfOutputFileStreamClass *klass)
{
  GOutputStreamClass *stream_class = G_OUTPUT_STREAM_CLASS (klass);

  stream_class->write_fn = sf_output_file_stream_write;
}

static void
sf_output_file_stream_init (SfOutputFileStream *self)
{
}

/* ---- checks -------------------------------------------------------------- */

static void
set_not_file (const char  *display,
              mode_t       mode,
              GError     **error)
{
  if (S_ISDIR (mode))
    g_set_error (error, SF_ERROR, SF_ERROR_OUTPUT_NOT_FILE,
                 _("%s is a folder — give the name of a file to write, e.g. %s/out.bin"), display, display);
  else if (S_ISCHR (mode) || S_ISBLK (mode))
    g_set_error (error, SF_ERROR, SF_ERROR_OUTPUT_NOT_FILE,
                 _("%s is a device, not a file, and is never written over, even with --force — "
                   "choose a file name for the output"), display);
  else if (S_ISFIFO (mode))
    g_set_error (error, SF_ERROR, SF_ERROR_OUTPUT_NOT_FILE,
                 _("%s is a pipe (FIFO), not a file, and is never written over, even with --force — "
                   "choose a file name for the output"), display);
  else if (S_ISSOCK (mode))
    g_set_error (error, SF_ERROR, SF_ERROR_OUTPUT_NOT_FILE,
                 _("%s is a socket, not a file, and is never written over, even with --force — "
                   "choose a file name for the output"), display);
  else if (S_ISLNK (mode))
    g_set_error (error, SF_ERROR, SF_ERROR_OUTPUT_NOT_FILE,
                 _("%s is a link to a file that does not exist — remove the link or choose another name"),
                 display);
  else
    g_set_error (error, SF_ERROR, SF_ERROR_OUTPUT_NOT_FILE,
                 _("%s is not a regular file and is never written over, even with --force — "
                   "choose a file name for the output"), display);
}

static void
set_exists (const char  *display,
            GError     **error)
{
  g_set_error (error, SF_ERROR, SF_ERROR_OUTPUT_EXISTS,
               _("%s already exists — choose another name or pass --force"), display);
}

/* What stands at @base in @dir_fd: nothing (fine), a regular file (fine
 * with @force), anything else (never). A link is judged by what it points
 * to; a link to nothing is refused, as a rename would replace the link. */
static gboolean
check_target_at (int          dir_fd,
                 const char  *base,
                 const char  *display,
                 gboolean     force,
                 GError     **error)
{
  struct stat st;
  int errsv;

  if (fstatat (dir_fd, base, &st, 0) == 0) {
    if (!S_ISREG (st.st_mode)) {
      set_not_file (display, st.st_mode, error);
      return FALSE;
    }
    if (!force) {
      set_exists (display, error);
      return FALSE;
    }
    return TRUE;
  }
  errsv = errno;
  if (errsv == ENOENT && fstatat (dir_fd, base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
    set_not_file (display, st.st_mode, error);
    return FALSE;
  }
  if (errsv != ENOENT) {
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                 _("cannot look at %s: %s — choose another name or folder"), display, g_strerror (errsv));
    return FALSE;
  }
  return TRUE;
}

static void
set_partial_exists (const char  *partial_display,
                    GError     **error)
{
  g_set_error (error, SF_ERROR, SF_ERROR_OUTPUT_EXISTS,
               _("%s already exists (left by an earlier readback, or someone else's) — "
                 "move it away, or pass --force to replace it"), partial_display);
}

/* Fills in the names and opens the folder; FALSE with @error when the
 * folder cannot be used. */
static gboolean
resolve (SfOutputFile  *self,
         GFile         *target,
         GError       **error)
{
  g_autofree char *path = g_file_get_path (target);
  g_autofree char *dir_path = NULL;

  self->target = g_object_ref (target);
  self->display = g_file_get_parse_name (target);
  if (path == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                 _("%s is not on a disk of this computer — choose a local folder"), self->display);
    return FALSE;
  }
  dir_path = g_path_get_dirname (path);
  self->dir_display = g_filename_display_name (dir_path);
  self->base = g_path_get_basename (path);
  self->partial_base = g_strconcat (self->base, ".partial", NULL);
  self->partial_display = g_strconcat (self->display, ".partial", NULL);

  self->dir_fd = open (dir_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (self->dir_fd < 0) {
    int errsv = errno;

    if (errsv == ENOENT)
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("the folder %s does not exist — create it, or choose another folder"), self->dir_display);
    else if (errsv == ENOTDIR)
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY,
                   _("%s is not a folder — choose a file in a folder"), self->dir_display);
    else
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("cannot open the folder %s: %s — choose another folder"), self->dir_display,
                   g_strerror (errsv));
    return FALSE;
  }
  return TRUE;
}

/* ---- public -------------------------------------------------------------- */

static SfOutputFile *
output_file_alloc (gboolean force)
{
  SfOutputFile *self = g_new0 (SfOutputFile, 1);

  self->dir_fd = -1;
  self->fd = -1;
  self->force = force;
  return self;
}

static gboolean
create_partial (SfOutputFile  *self,
                GError       **error)
{
  struct stat st;

  for (guint attempt = 0;; attempt++) {
    int errsv;

    self->fd = openat (self->dir_fd, self->partial_base,
                       O_WRONLY | O_CREAT | O_EXCL | O_NOCTTY | O_CLOEXEC, 0666);
    if (self->fd >= 0)
      break;
    errsv = errno;
    if (errsv == EINTR)
      continue;
    if (errsv == EEXIST && attempt == 0) {
      if (!self->force) {
        set_partial_exists (self->partial_display, error);
        return FALSE;
      }
      /* --force replaces a leftover file, and only a file. */
      if (fstatat (self->dir_fd, self->partial_base, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG (st.st_mode)) {
        set_not_file (self->partial_display, st.st_mode, error);
        return FALSE;
      }
      if (unlinkat (self->dir_fd, self->partial_base, 0) != 0 && errno != ENOENT) {
        errsv = errno;
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                     _("cannot replace %s: %s — move it away and start again"), self->partial_display,
                     g_strerror (errsv));
        return FALSE;
      }
      continue;
    }
    if (errsv == EEXIST) {
      /* Someone made it again between our unlink and open. */
      set_partial_exists (self->partial_display, error);
      return FALSE;
    }
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                 _("cannot create %s: %s — choose a folder you may write to"), self->partial_display,
                 g_strerror (errsv));
    return FALSE;
  }

  self->created = TRUE;
  if (fstat (self->fd, &st) == 0) {
    self->partial_dev = st.st_dev;
    self->partial_ino = st.st_ino;
  }
  return TRUE;
}

/**
 * sf_output_file_new:
 * @target: where the finished file goes
 * @force: replace an existing regular file (and a leftover .partial)
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the file being written, or %NULL with @error.
 */
SfOutputFile *
sf_output_file_new (GFile     *target,
                    gboolean   force,
                    GError   **error)
{
  g_autoptr(SfOutputFile) self = NULL;
  SfOutputFileStream *stream;

  g_return_val_if_fail (G_IS_FILE (target), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = output_file_alloc (force);
  if (!resolve (self, target, error) ||
      !check_target_at (self->dir_fd, self->base, self->display, force, error) ||
      !create_partial (self, error))
    return NULL;

  stream = g_object_new (SF_TYPE_OUTPUT_FILE_STREAM, NULL);
  stream->file = self;
  self->stream = G_OUTPUT_STREAM (stream);
  return g_steal_pointer (&self);
}

/**
 * sf_output_file_get_stream:
 *
 * Returns: (transfer none): where the data goes.
 */
GOutputStream *
sf_output_file_get_stream (SfOutputFile *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->stream;
}

gboolean
sf_output_file_reserve (SfOutputFile  *self,
                        guint64        size,
                        GError       **error)
{
  struct statvfs vfs;
  int errsv;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (self->fd >= 0, FALSE);

  self->reserved = size;
  if (size == 0 || size > (guint64) G_MAXINT64)
    return TRUE;
  /* KEEP_SIZE: the file grows only as data comes, so a failed readback
   * never looks complete. */
  if (fallocate (self->fd, FALLOC_FL_KEEP_SIZE, 0, (off_t) size) == 0)
    return TRUE;
  errsv = errno;
  if (errsv == ENOSPC || errsv == EDQUOT) {
    guint64 avail = 0;

    if (fstatvfs (self->fd, &vfs) == 0)
      avail = (guint64) vfs.f_bavail * vfs.f_frsize;
    set_disk_full (self, errsv, size > avail ? size - avail : size, error);
    return FALSE;
  }
  if (errsv == EFBIG) {
    set_write_error (self, errsv, error);
    return FALSE;
  }
  /* Not every file system can reserve (FAT, NFS, …): then the writes say
   * when the disk is full. */
  g_debug ("%s: cannot reserve %" PRIu64 " bytes: %s", self->partial_display, size, g_strerror (errsv));
  return TRUE;
}

/* What was read stays in the .partial file when it cannot be put under the
 * target's name: minutes of reading are not thrown away. */
static void
keep_partial (SfOutputFile  *self,
              const char    *why,
              GError       **error)
{
  self->created = FALSE;
  /* Translators: the first %s says why, the second is the file that holds the data */
  g_set_error (error, SF_ERROR, SF_ERROR_OUTPUT_EXISTS,
               _("%s; what was read is kept in %s — rename that file to keep it"), why, self->partial_display);
}

gboolean
sf_output_file_commit (SfOutputFile  *self,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(GError) local = NULL;
  int r;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (!self->committed && self->fd >= 0, FALSE);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (!g_output_stream_is_closed (self->stream) && !g_output_stream_flush (self->stream, cancellable, error))
    return FALSE;
  /* Give back what was reserved and not used. */
  if (self->reserved > self->written && ftruncate (self->fd, (off_t) self->written) != 0)
    g_debug ("%s: ftruncate: %s", self->partial_display, g_strerror (errno));
  /* The data must be on the disk before the name says it is complete. */
  if (fsync (self->fd) != 0 && errno != EINVAL) {
    set_write_error (self, errno, error);
    return FALSE;
  }
  r = close (self->fd);
  self->fd = -1;
  if (r != 0 && errno != EINTR) {
    set_write_error (self, errno, error);
    return FALSE;
  }

  if (self->force) {
    /* Something that is not a file may have appeared meanwhile: a rename
     * would put a file in place of the device node or FIFO. */
    if (!check_target_at (self->dir_fd, self->base, self->display, TRUE, &local)) {
      keep_partial (self, local->message, error);
      return FALSE;
    }
    r = renameat (self->dir_fd, self->partial_base, self->dir_fd, self->base);
  } else {
    r = renameat2 (self->dir_fd, self->partial_base, self->dir_fd, self->base, RENAME_NOREPLACE);
    if (r != 0 && (errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP)) {
      /* No RENAME_NOREPLACE on this file system: link() never replaces. */
      r = linkat (self->dir_fd, self->partial_base, self->dir_fd, self->base, 0);
      if (r == 0 && unlinkat (self->dir_fd, self->partial_base, 0) != 0)
        g_debug ("%s: unlink: %s", self->partial_display, g_strerror (errno));
    }
    if (r != 0 && errno == EEXIST) {
      g_autofree char *why = g_strdup_printf (_("%s appeared while the phone was being read and was left as it is"),
                                              self->display);

      keep_partial (self, why, error);
      return FALSE;
    }
  }
  if (r != 0) {
    int errsv = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                 _("cannot rename %s to %s: %s — check the folder"), self->partial_display, self->display,
                 g_strerror (errsv));
    return FALSE;
  }
  self->committed = TRUE;

  /* The new name must survive a power cut too. */
  if (fsync (self->dir_fd) != 0 && errno != EINVAL && errno != EROFS)
    g_debug ("%s: fsync: %s", self->dir_display, g_strerror (errno));
  return TRUE;
}

void
sf_output_file_free (SfOutputFile *self)
{
  struct stat st;

  if (self == NULL)
    return;

  if (self->stream != NULL) {
    SF_OUTPUT_FILE_STREAM (self->stream)->file = NULL;
    g_clear_object (&self->stream);
  }
  if (self->fd >= 0)
    close (self->fd);
  /* Only the very file we created: never one that replaced it meanwhile. */
  if (!self->committed && self->created && self->dir_fd >= 0 &&
      fstatat (self->dir_fd, self->partial_base, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
      st.st_dev == self->partial_dev && st.st_ino == self->partial_ino)
    unlinkat (self->dir_fd, self->partial_base, 0);
  if (self->dir_fd >= 0)
    close (self->dir_fd);
  g_clear_object (&self->target);
  g_free (self->display);
  g_free (self->partial_display);
  g_free (self->dir_display);
  g_free (self->base);
  g_free (self->partial_base);
  g_free (self);
}

gboolean
sf_output_file_check (GFile     *target,
                      gboolean   force,
                      GError   **error)
{
  g_autoptr(SfOutputFile) self = NULL;
  struct stat st;

  g_return_val_if_fail (G_IS_FILE (target), FALSE);

  self = output_file_alloc (force);
  if (!resolve (self, target, error) ||
      !check_target_at (self->dir_fd, self->base, self->display, force, error))
    return FALSE;
  if (fstatat (self->dir_fd, self->partial_base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
    if (!S_ISREG (st.st_mode)) {
      set_not_file (self->partial_display, st.st_mode, error);
      return FALSE;
    }
    if (!force) {
      set_partial_exists (self->partial_display, error);
      return FALSE;
    }
  }
  return TRUE;
}

gboolean
sf_output_file_write_contents (GFile         *target,
                               const void    *data,
                               gsize          length,
                               gboolean       force,
                               GCancellable  *cancellable,
                               GError       **error)
{
  g_autoptr(SfOutputFile) out = sf_output_file_new (target, force, error);

  return out != NULL &&
         sf_output_file_reserve (out, length, error) &&
         g_output_stream_write_all (out->stream, data, length, NULL, cancellable, error) &&
         sf_output_file_commit (out, cancellable, error);
}
