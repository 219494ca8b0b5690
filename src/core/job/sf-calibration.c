/* sf-calibration.c — the phone's calibration kept safe across jobs: backups and the journal
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The journal is the one promise this file keeps: between the moment a job
 * may erase a phone's calibration and the moment the phone is read back
 * holding it again, a file on the host says where the backup is. A crash,
 * an unplugged cable or a killed process leaves the file behind, and the
 * next job on that phone acts on it before anything else. */

#include "config.h"

#include <inttypes.h>
#include <errno.h>
#include <fcntl.h>
#include <gio/gunixoutputstream.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "sf-calibration.h"
#include "sf-compare-stream.h"
#include "sf-error.h"
#include "sf-manifest.h"
#include "sf-mtk.h"
#include "sf-scatter-writer.h"

#define JOURNAL_DIR   "journal"
#define JOURNAL_GROUP "journal"
#define READ_CHUNK    (1024 * 1024)

typedef struct {
  char    *name;
  GFile   *file;
  guint    part;       /* where it goes back (SF_EMMC_PART_*) … */
  guint64  offset;     /* … and at which byte of it */
  guint64  address;    /* the scatter's address, for people */
  guint64  linear;     /* where it is on the wire (§13.9); 0 when not known */
  guint64  size;
  char    *sha256;
  gboolean blank;      /* one byte value throughout: no calibration in it */
  gboolean checked;    /* written back and read back equal in this job */
} Item;

struct _SfCalibration {
  GFile                *backup_dir;
  char                 *phone_id;
  GFile                *phone_dir;     /* backup_dir/phone_id */
  GFile                *journal;       /* journal_dir/phone_id.ini */
  char                 *chip;
  guint64               user_size;
  SfScatter            *scatter;
  SfLayout             *layout;
  SfCalibrationLogFunc  log_func;
  gpointer              log_data;

  GFile                *folder;        /* this job's backups */
  GPtrArray            *items;         /* (element-type Item) this job's backups */

  GFile                *pending_folder; /* from the journal */
  GPtrArray            *pending;        /* (element-type Item) what the journal holds */
};

static void
item_free (Item *item)
{
  g_free (item->name);
  g_clear_object (&item->file);
  g_free (item->sha256);
  g_free (item);
}

SfCalibration *
sf_calibration_new (GFile      *backup_dir,
                    GFile      *journal_dir,
                    const char *phone_id)
{
  g_autofree char *journal_name = NULL;
  g_autoptr(GFile) default_dir = NULL;
  SfCalibration *self;

  g_return_val_if_fail (G_IS_FILE (backup_dir), NULL);
  g_return_val_if_fail (phone_id != NULL, NULL);

  /* One place per user, whatever folder a job's backups go to, so that
   * every later job finds it. */
  if (journal_dir == NULL)
    journal_dir = default_dir = g_file_new_build_filename (g_get_user_data_dir (), "scatterflash", JOURNAL_DIR, NULL);
  journal_name = g_strconcat (phone_id, ".ini", NULL);

  self = g_new0 (SfCalibration, 1);
  self->backup_dir = g_object_ref (backup_dir);
  self->phone_id = g_strdup (phone_id);
  self->phone_dir = g_file_get_child (backup_dir, phone_id);
  self->journal = g_file_get_child (journal_dir, journal_name);
  self->items = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);
  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);
  return self;
}

void
sf_calibration_free (SfCalibration *self)
{
  if (self == NULL)
    return;
  g_clear_object (&self->backup_dir);
  g_free (self->phone_id);
  g_clear_object (&self->phone_dir);
  g_clear_object (&self->journal);
  g_free (self->chip);
  g_clear_object (&self->scatter);
  g_clear_pointer (&self->layout, sf_layout_unref);
  g_clear_object (&self->folder);
  g_ptr_array_unref (self->items);
  g_clear_object (&self->pending_folder);
  g_ptr_array_unref (self->pending);
  g_free (self);
}

char *
sf_calibration_phone_id (const char   *chip,
                         const guint8 *cid,
                         gsize         cid_len)
{
  GString *id = g_string_new (chip != NULL && *chip != '\0' ? chip : "phone");

  g_string_append_c (id, '-');
  for (gsize i = 0; i < cid_len; i++)
    g_string_append_printf (id, "%02x", cid[i]);
  return g_string_free (id, FALSE);
}

void
sf_calibration_set_phone (SfCalibration *self,
                          const char    *chip,
                          guint64        user_size)
{
  g_free (self->chip);
  self->chip = g_strdup (chip);
  self->user_size = user_size;
}

void
sf_calibration_set_scatter (SfCalibration *self,
                            SfScatter     *scatter,
                            SfLayout      *layout)
{
  g_set_object (&self->scatter, scatter);
  g_clear_pointer (&self->layout, sf_layout_unref);
  if (layout != NULL)
    self->layout = sf_layout_ref (layout);
}

void
sf_calibration_set_log_func (SfCalibration        *self,
                             SfCalibrationLogFunc  func,
                             gpointer              user_data)
{
  self->log_func = func;
  self->log_data = user_data;
}

static void log_line (SfCalibration *self, const char *format, ...) G_GNUC_PRINTF (2, 3);
static gboolean folder_has_scatter (GFile *folder);

static void
log_line (SfCalibration *self,
          const char    *format,
          ...)
{
  g_autofree char *text = NULL;
  va_list ap;

  if (self->log_func == NULL)
    return;
  va_start (ap, format);
  text = g_strdup_vprintf (format, ap);
  va_end (ap);
  self->log_func (text, self->log_data);
}

static Item *
find_item (GPtrArray  *items,
           const char *name)
{
  for (guint i = 0; i < items->len; i++) {
    Item *item = g_ptr_array_index (items, i);

    if (g_ascii_strcasecmp (item->name, name) == 0)
      return item;
  }
  return NULL;
}

static char *
display_name (GFile *file)
{
  return g_file_get_parse_name (file);
}

/* ---- files ----------------------------------------------------------------- */

/* Writes @data to @file through FILE.tmp, synced before the rename, so the
 * file is either the old one or the whole new one, even after a power cut. */
static gboolean
write_atomically (GFile         *file,
                  const char    *data,
                  gsize          len,
                  GError       **error)
{
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *tmp = g_strconcat (path, ".tmp", NULL);
  gsize done = 0;
  int fd;

  fd = g_open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    goto fail;
  while (done < len) {
    gssize n = write (fd, data + done, len - done);

    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int saved = errno;

      close (fd);
      errno = saved;
      goto fail;
    }
    done += (gsize) n;
  }
  if (fsync (fd) != 0 || close (fd) != 0 || g_rename (tmp, path) != 0)
    goto fail;
  return TRUE;

fail:
  {
    int saved = errno;

    g_unlink (tmp);
    sf_set_device_error (error, SF_ERROR_FAILED, _("cannot write %s: %s"), path, g_strerror (saved));
  }
  return FALSE;
}

/* SHA-256 of @file, and whether every byte of it is the same. */
static char *
file_digest (GFile         *file,
             guint64       *out_size,
             gboolean      *out_blank,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GFileInputStream) in = g_file_read (file, cancellable, error);
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guint8 *buf = g_malloc (READ_CHUNK);
  gboolean blank = TRUE;
  guint64 size = 0;
  guint8 first = 0;
  gssize n;

  if (in == NULL)
    return NULL;
  while ((n = g_input_stream_read (G_INPUT_STREAM (in), buf, READ_CHUNK, cancellable, error)) > 0) {
    if (size == 0)
      first = buf[0];
    for (gssize i = 0; blank && i < n; i++)
      blank = buf[i] == first;
    g_checksum_update (sum, buf, (gsize) n);
    size += (guint64) n;
  }
  if (n < 0)
    return NULL;
  if (out_size != NULL)
    *out_size = size;
  if (out_blank != NULL)
    *out_blank = blank;
  return g_strdup (g_checksum_get_string (sum));
}

gboolean
sf_calibration_ensure_folder (SfCalibration  *self,
                              GCancellable   *cancellable,
                              GError        **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autoptr(GError) local_error = NULL;

  if (self->folder != NULL)
    return TRUE;

  if (!g_file_make_directory_with_parents (self->phone_dir, cancellable, &local_error) &&
      !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_EXISTS)) {
    g_autofree char *name = display_name (self->phone_dir);

    sf_set_device_error (error, SF_ERROR_FAILED, _("cannot make the backup folder %s: %s"),
                         name, local_error->message);
    return FALSE;
  }
  g_clear_error (&local_error);

  /* A new folder every time: two runs in the same second never share one,
   * and an earlier backup is never written over. */
  for (guint n = 1; n < 1000; n++) {
    g_autofree char *base = n == 1 ? g_strdup (stamp) : g_strdup_printf ("%s-%u", stamp, n);
    g_autoptr(GFile) folder = g_file_get_child (self->phone_dir, base);

    if (g_file_make_directory (folder, cancellable, &local_error)) {
      g_autofree char *name = display_name (folder);

      self->folder = g_steal_pointer (&folder);
      log_line (self, _("Backups go to %s"), name);
      return TRUE;
    }
    if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_EXISTS)) {
      g_autofree char *name = display_name (folder);

      sf_set_device_error (error, SF_ERROR_FAILED, _("cannot make the backup folder %s: %s"),
                           name, local_error->message);
      return FALSE;
    }
    g_clear_error (&local_error);
  }
  sf_set_device_error (error, SF_ERROR_FAILED, _("cannot make a new backup folder in %s"),
                       g_file_peek_path (self->phone_dir));
  return FALSE;
}

GFile *
sf_calibration_get_folder (SfCalibration *self)
{
  return self->folder;
}

/* manifest.ini in the layout `backup` writes and `restore` checks: one group
 * per partition. Rewritten after each backup, so that an interrupted run
 * still leaves a usable description. */
static gboolean
write_manifest (SfCalibration  *self,
                GError        **error)
{
  g_autoptr(SfManifest) manifest = sf_manifest_new ();
  g_autoptr(GFile) file = g_file_get_child (self->folder, SF_MANIFEST_NAME);
  g_autofree char *data = NULL;
  gsize len = 0;

  sf_manifest_set_info (manifest, "phone", "chip", self->chip);
  sf_manifest_set_info (manifest, "phone", "id", self->phone_id);
  sf_manifest_set_info_uint64 (manifest, "phone", "user-size", self->user_size);
  for (guint i = 0; i < self->items->len; i++) {
    Item *item = g_ptr_array_index (self->items, i);
    g_autofree char *base = g_file_get_basename (item->file);

    sf_manifest_add_file (manifest, item->name, base, item->address, item->size, item->sha256);
    sf_manifest_set_blank (manifest, item->name, item->blank);
  }
  data = sf_manifest_to_data (manifest, &len);
  return write_atomically (file, data, len, error);
}

/* The folder's scatter file: the firmware's layout, with the backups as
 * its only images, so that `restore FOLDER` writes exactly them back. */
static gboolean
write_scatter (SfCalibration  *self,
               GError        **error)
{
  g_autoptr(SfScatterWriter) writer = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *base = NULL;
  g_autoptr(GFile) file = NULL;
  gsize len = 0;
  const char *data;

  if (self->scatter == NULL)
    return TRUE;
  writer = sf_scatter_writer_new (self->scatter, self->layout);
  for (guint i = 0; i < self->items->len; i++) {
    Item *item = g_ptr_array_index (self->items, i);
    g_autofree char *image = g_file_get_basename (item->file);

    sf_scatter_writer_set_image (writer, item->name, image);
  }
  base = sf_scatter_writer_get_default_name (writer);
  file = g_file_get_child (self->folder, base);
  bytes = sf_scatter_writer_to_bytes (writer);
  data = g_bytes_get_data (bytes, &len);
  return write_atomically (file, data, len, error);
}

gboolean
sf_calibration_backup (SfCalibration   *self,
                       SfDa            *da,
                       const char      *name,
                       guint            part,
                       guint64          offset,
                       guint64          size,
                       guint64          address,
                       SfProgressFunc   progress,
                       gpointer         user_data,
                       GCancellable    *cancellable,
                       GError         **error)
{
  g_autofree char *base = NULL;
  g_autofree char *partial_base = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) partial = NULL;
  g_autofree char *partial_path = NULL;
  g_autoptr(GOutputStream) out = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *shown = NULL;
  gboolean blank = FALSE;
  guint64 got = 0;
  Item *item;
  int fd;

  g_return_val_if_fail (self != NULL && name != NULL, FALSE);

  if (!sf_calibration_ensure_folder (self, cancellable, error))
    return FALSE;
  if (find_item (self->items, name) != NULL) {
    sf_set_device_error (error, SF_ERROR_FAILED, _("partition %s was backed up twice in one job"), name);
    return FALSE;
  }

  base = g_strconcat (name, ".bin", NULL);
  partial_base = g_strconcat (base, ".partial", NULL);
  file = g_file_get_child (self->folder, base);
  partial = g_file_get_child (self->folder, partial_base);
  partial_path = g_file_get_path (partial);
  shown = display_name (file);

  /* .partial until it is whole and on disk: a half backup never looks like
   * a backup. The folder is new, so O_EXCL only guards against a bug. */
  fd = g_open (partial_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    int saved = errno;

    sf_set_device_error (error, SF_ERROR_FAILED, _("cannot write the backup %s: %s"),
                         partial_path, g_strerror (saved));
    return FALSE;
  }
  out = g_unix_output_stream_new (fd, TRUE);
  if (!sf_da_read (da, part, offset, size, out, progress, user_data, cancellable, error) ||
      !g_output_stream_flush (out, cancellable, error))
    goto fail;
  if (fsync (fd) != 0) {
    int saved = errno;

    sf_set_device_error (error, SF_ERROR_FAILED, _("cannot write the backup %s: %s"),
                         partial_path, g_strerror (saved));
    goto fail;
  }
  if (!g_output_stream_close (out, cancellable, error))
    goto fail;

  sha = file_digest (partial, &got, &blank, cancellable, error);
  if (sha == NULL)
    goto fail;
  if (got != size) {
    sf_set_device_error (error, SF_ERROR_FAILED,
                         _("the backup %s holds %" PRIu64 " bytes instead of %" PRIu64),
                         partial_path, got, size);
    goto fail;
  }
  if (!g_file_move (partial, file, G_FILE_COPY_NONE, cancellable, NULL, NULL, error))
    goto fail;

  item = g_new0 (Item, 1);
  item->name = g_strdup (name);
  item->file = g_object_ref (file);
  item->part = part;
  item->offset = offset;
  item->linear = sf_da_linear_address (da, part, offset);
  item->address = address;
  item->size = size;
  item->sha256 = g_steal_pointer (&sha);
  item->blank = blank;
  g_ptr_array_add (self->items, item);

  if (blank) {
    g_autoptr(GFile) earlier = sf_calibration_find_earlier (self, name);

    log_line (self, _("%s on the phone holds no data (every byte is the same): there is no calibration in it to keep"),
              name);
    if (earlier != NULL) {
      g_autofree char *where = display_name (earlier);

      log_line (self, _("An earlier backup of this phone's %s holds data: %s. To put it back: scatterflash-cli restore %s"),
                name, where, where);
    }
  }
  return write_manifest (self, error) && write_scatter (self, error);

fail:
  g_output_stream_close (out, NULL, NULL);
  g_file_delete (partial, NULL, NULL);
  return FALSE;
}

gboolean
sf_calibration_is_blank (SfCalibration *self,
                         const char    *name)
{
  Item *item = find_item (self->items, name);

  return item != NULL && item->blank;
}

void
sf_calibration_set_target (SfCalibration *self,
                           const char    *name,
                           guint          part,
                           guint64        offset)
{
  Item *item = find_item (self->items, name);

  g_return_if_fail (item != NULL);
  item->part = part;
  item->offset = offset;
  item->linear = 0;
}

/* ---- the journal ----------------------------------------------------------- */

static GFile *
journal_file (SfCalibration *self)
{
  return g_object_ref (self->journal);
}

static Item *
copy_item (const Item *from)
{
  Item *item = g_new0 (Item, 1);

  *item = *from;
  item->name = g_strdup (from->name);
  item->file = g_object_ref (from->file);
  item->sha256 = g_strdup (from->sha256);
  return item;
}

gboolean
sf_calibration_arm (SfCalibration  *self,
                    const char     *what,
                    GError        **error)
{
  g_autoptr(GKeyFile) journal = g_key_file_new ();
  g_autoptr(GFile) file = journal_file (self);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format_iso8601 (now);
  g_autofree char *data = NULL;
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  g_auto(GStrv) list = NULL;
  gsize len = 0;

  for (guint i = 0; i < self->items->len; i++) {
    Item *item = g_ptr_array_index (self->items, i);

    if (!item->blank)
      g_strv_builder_add (names, item->name);
  }
  list = g_strv_builder_end (names);
  if (list[0] == NULL)
    return TRUE;

  g_key_file_set_string (journal, JOURNAL_GROUP, "folder", g_file_peek_path (self->folder));
  g_key_file_set_string (journal, JOURNAL_GROUP, "phone", self->phone_id);
  g_key_file_set_string (journal, JOURNAL_GROUP, "job", what != NULL ? what : "");
  g_key_file_set_string (journal, JOURNAL_GROUP, "since", stamp);
  g_key_file_set_string_list (journal, JOURNAL_GROUP, "partitions", (const char * const *) list,
                              g_strv_length (list));
  g_ptr_array_set_size (self->pending, 0);
  for (guint i = 0; i < self->items->len; i++) {
    Item *item = g_ptr_array_index (self->items, i);
    g_autofree char *base = NULL;

    if (item->blank)
      continue;
    base = g_file_get_basename (item->file);
    g_key_file_set_string (journal, item->name, "file", base);
    g_key_file_set_uint64 (journal, item->name, "part", item->part);
    g_key_file_set_uint64 (journal, item->name, "offset", item->offset);
    if (item->linear != 0)
      g_key_file_set_uint64 (journal, item->name, "linear", item->linear);
    g_key_file_set_uint64 (journal, item->name, "address", item->address);
    g_key_file_set_uint64 (journal, item->name, "size", item->size);
    g_key_file_set_string (journal, item->name, "sha256", item->sha256);
    g_ptr_array_add (self->pending, copy_item (item));
  }
  data = g_key_file_to_data (journal, &len, NULL);
  {
    g_autoptr(GFile) dir = g_file_get_parent (file);
    g_autoptr(GError) local_error = NULL;

    if (!g_file_make_directory_with_parents (dir, NULL, &local_error) &&
        !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_EXISTS)) {
      sf_set_device_error (error, SF_ERROR_FAILED, _("cannot make the journal's folder %s: %s"),
                           g_file_peek_path (dir), local_error->message);
      return FALSE;
    }
  }
  if (!write_atomically (file, data, len, error))
    return FALSE;
  g_set_object (&self->pending_folder, self->folder);
  return TRUE;
}

static gboolean
journal_damaged (GFile   *file,
                 GError **error,
                 const char *why)
{
  g_autofree char *name = display_name (file);

  sf_set_error_at (error, SF_ERROR_FAILED, name, 0,
                   _("restore the phone's calibration by hand from the folder it names (scatterflash-cli restore FOLDER), then delete this file"),
                   _("the journal of this phone's calibration backup cannot be read: %s"), why);
  return FALSE;
}

gboolean
sf_calibration_load_journal (SfCalibration  *self,
                             GError        **error)
{
  g_autoptr(GKeyFile) journal = g_key_file_new ();
  g_autoptr(GFile) file = journal_file (self);
  g_autofree char *path = g_file_get_path (file);
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) names = NULL;
  g_autofree char *folder = NULL;

  g_ptr_array_set_size (self->pending, 0);
  g_clear_object (&self->pending_folder);

  if (!g_key_file_load_from_file (journal, path, G_KEY_FILE_NONE, &local_error)) {
    if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
      return TRUE;
    return journal_damaged (file, error, local_error->message);
  }
  folder = g_key_file_get_string (journal, JOURNAL_GROUP, "folder", NULL);
  names = g_key_file_get_string_list (journal, JOURNAL_GROUP, "partitions", NULL, NULL);
  if (folder == NULL || names == NULL)
    return journal_damaged (file, error, _("it names no folder or no partition"));
  self->pending_folder = g_file_new_for_path (folder);

  for (guint i = 0; names[i] != NULL; i++) {
    g_autofree char *base = g_key_file_get_string (journal, names[i], "file", NULL);
    Item *item;

    if (base == NULL || strchr (base, '/') != NULL)
      return journal_damaged (file, error, names[i]);
    item = g_new0 (Item, 1);
    item->name = g_strdup (names[i]);
    item->file = g_file_get_child (self->pending_folder, base);
    item->part = (guint) g_key_file_get_uint64 (journal, names[i], "part", NULL);
    item->offset = g_key_file_get_uint64 (journal, names[i], "offset", NULL);
    item->linear = g_key_file_get_uint64 (journal, names[i], "linear", NULL);
    item->address = g_key_file_get_uint64 (journal, names[i], "address", NULL);
    item->size = g_key_file_get_uint64 (journal, names[i], "size", NULL);
    item->sha256 = g_key_file_get_string (journal, names[i], "sha256", NULL);
    g_ptr_array_add (self->pending, item);
    if (item->sha256 == NULL || item->size == 0)
      return journal_damaged (file, error, names[i]);
  }
  return TRUE;
}

gboolean
sf_calibration_is_pending (SfCalibration *self)
{
  return self->pending->len > 0;
}

GFile *
sf_calibration_get_pending_folder (SfCalibration *self)
{
  return self->pending_folder;
}

char *
sf_calibration_list_pending (SfCalibration *self)
{
  GString *list = g_string_new (NULL);

  for (guint i = 0; i < self->pending->len; i++) {
    Item *item = g_ptr_array_index (self->pending, i);

    if (list->len > 0)
      g_string_append (list, ", ");
    g_string_append (list, item->name);
  }
  return g_string_free (list, FALSE);
}

static gboolean
remove_journal (SfCalibration  *self,
                GError        **error)
{
  g_autoptr(GFile) file = journal_file (self);
  g_autoptr(GError) local_error = NULL;

  if (!g_file_delete (file, NULL, &local_error) &&
      !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)) {
    g_propagate_error (error, g_steal_pointer (&local_error));
    return FALSE;
  }
  g_ptr_array_set_size (self->pending, 0);
  g_clear_object (&self->pending_folder);
  return TRUE;
}

gboolean
sf_calibration_release (SfCalibration  *self,
                        GError        **error)
{
  if (self->pending->len > 0 && self->pending_folder != NULL) {
    g_autofree char *where = display_name (self->pending_folder);
    g_autofree char *list = sf_calibration_list_pending (self);

    if (folder_has_scatter (self->pending_folder))
      log_line (self, _("%s erased as asked; the backup stays in %s (scatterflash-cli restore %s puts it back)"),
                list, where, where);
    else
      log_line (self, _("%s erased as asked; the backup stays in %s"), list, where);
  }
  return remove_journal (self, error);
}

/* The backup file must still be what was read from the phone. */
static gboolean
check_backup_file (const Item  *item,
                   GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *name = display_name (item->file);
  guint64 size = 0;

  sha = file_digest (item->file, &size, NULL, NULL, &local_error);
  if (sha == NULL) {
    sf_set_device_error (error, SF_ERROR_FAILED,
                         _("the backup of %s (%s) cannot be read: %s; nothing was written"),
                         item->name, name, local_error->message);
    return FALSE;
  }
  if (size != item->size || g_ascii_strcasecmp (sha, item->sha256) != 0) {
    sf_set_device_error (error, SF_ERROR_IMAGE_INVALID,
                         _("the backup of %s (%s) has changed since it was taken (size or SHA-256); nothing was written"),
                         item->name, name);
    return FALSE;
  }
  return TRUE;
}

/* Whether the phone holds exactly the backup of @item at its place. */
static gboolean
phone_matches (SfDa          *da,
               const Item    *item,
               gboolean      *out_same,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(GFileInputStream) in = g_file_read (item->file, cancellable, error);
  g_autoptr(GOutputStream) compare = NULL;
  guint64 at = 0;

  if (in == NULL)
    return FALSE;
  compare = sf_compare_stream_new_for_stream (G_INPUT_STREAM (in));
  if (!sf_da_read (da, item->part, item->offset, item->size, compare, NULL, NULL, cancellable, error))
    return FALSE;
  *out_same = !sf_compare_stream_get_mismatch (SF_COMPARE_STREAM (compare), &at);
  return TRUE;
}

static gboolean
restore_item (SfDa            *da,
              const Item      *item,
              SfProgressFunc   progress,
              gpointer         user_data,
              GCancellable    *cancellable,
              GError         **error)
{
  g_autoptr(GFileInputStream) in = NULL;
  gboolean same = FALSE;

  if (!check_backup_file (item, error))
    return FALSE;
  in = g_file_read (item->file, cancellable, error);
  if (in == NULL ||
      !sf_da_write (da, item->part, item->offset, G_INPUT_STREAM (in), item->size,
                    progress, user_data, cancellable, error))
    return FALSE;
  /* The phone's own calibration is too precious to trust a write blindly. */
  if (!phone_matches (da, item, &same, cancellable, error))
    return FALSE;
  if (!same) {
    sf_set_device_error (error, SF_ERROR_VERIFY_MISMATCH,
                         _("partition %s reads back different from its backup after it was written back"),
                         item->name);
    return FALSE;
  }
  return TRUE;
}

gboolean
sf_calibration_restore (SfCalibration   *self,
                        SfDa            *da,
                        const char      *name,
                        SfProgressFunc   progress,
                        gpointer         user_data,
                        GCancellable    *cancellable,
                        GError         **error)
{
  Item *item = find_item (self->items, name);

  if (item == NULL) {
    sf_set_device_error (error, SF_ERROR_FAILED, _("no backup of partition %s to restore"), name);
    return FALSE;
  }
  if (item->blank) {
    log_line (self, _("Not writing %s back: its backup holds no data"), name);
    return TRUE;
  }
  if (!restore_item (da, item, progress, user_data, cancellable, error))
    return FALSE;
  /* The journal's copy need not be read again at the end. */
  {
    Item *pending = find_item (self->pending, name);

    if (pending != NULL && pending->part == item->part && pending->offset == item->offset &&
        g_strcmp0 (pending->sha256, item->sha256) == 0)
      pending->checked = TRUE;
  }
  return TRUE;
}

gboolean
sf_calibration_recover (SfCalibration   *self,
                        SfDa            *da,
                        SfProgressFunc   progress,
                        gpointer         user_data,
                        GCancellable    *cancellable,
                        GError         **error)
{
  /* The user area's base comes from the firmware a job loaded (its MBR
   * address), so a job without one may count user offsets from elsewhere:
   * the wire address the backup was read from is what counts. */
  for (guint i = 0; i < self->pending->len; i++) {
    Item *item = g_ptr_array_index (self->pending, i);
    guint64 base = sf_da_get_user_base (da);

    if (item->part == SF_EMMC_PART_USER && item->linear != 0 && base != 0 && item->linear >= base)
      item->offset = item->linear - base;
  }

  /* Every backup first: a journal whose backup is gone must say so, not
   * fail some read half-way. */
  for (guint i = 0; i < self->pending->len; i++) {
    g_autoptr(GError) local_error = NULL;

    if (!check_backup_file (g_ptr_array_index (self->pending, i), &local_error)) {
      g_autofree char *journal = display_name (self->journal);

      sf_set_error_at (error, SF_ERROR_IMAGE_INVALID, journal, 0,
                       _("put the backup folder back where the journal says, or delete this journal to go on "
                         "without it (the phone's calibration may then stay erased)"),
                       _("this phone's calibration is pending restore, but %s"), local_error->message);
      return FALSE;
    }
  }

  for (guint i = 0; i < self->pending->len; i++) {
    Item *item = g_ptr_array_index (self->pending, i);
    gboolean same = FALSE;

    if (item->checked)
      continue;
    if (!phone_matches (da, item, &same, cancellable, error))
      return FALSE;
    if (same)
      continue;
    {
      g_autofree char *where = display_name (item->file);

      log_line (self, _("Putting %s back from %s"), item->name, where);
    }
    if (!restore_item (da, item, progress, user_data, cancellable, error))
      return FALSE;
  }
  if (self->pending->len > 0) {
    g_autofree char *list = sf_calibration_list_pending (self);

    log_line (self, _("The phone's calibration (%s) is on the phone and checked"), list);
  }
  return remove_journal (self, error);
}

static gboolean
folder_has_scatter (GFile *folder)
{
  g_autoptr(GFileEnumerator) children = g_file_enumerate_children (folder, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                                                   G_FILE_QUERY_INFO_NONE, NULL, NULL);
  GFileInfo *info;

  while (children != NULL && (info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL) {
    g_autoptr(GFileInfo) owned = info;

    if (g_str_has_suffix (g_file_info_get_name (info), "_scatter.txt"))
      return TRUE;
  }
  return FALSE;
}

char *
sf_calibration_describe_pending (SfCalibration *self)
{
  g_autofree char *list = NULL;
  g_autofree char *where = NULL;

  if (self->pending->len == 0 || self->pending_folder == NULL)
    return NULL;
  list = sf_calibration_list_pending (self);
  where = display_name (self->pending_folder);
  /* `restore` needs the scatter file that a job with a firmware leaves. */
  if (!folder_has_scatter (self->pending_folder))
    return g_strdup_printf (_("The phone's calibration (%s) may be erased; its backup is safe in %s. "
                              "The next Scatterflash job on this phone puts it back first."),
                            list, where);
  return g_strdup_printf (_("The phone's calibration (%s) may be erased; its backup is safe in %s. "
                            "The next Scatterflash job on this phone puts it back first, "
                            "or put it back now with: scatterflash-cli restore %s"),
                          list, where, where);
}

GFile *
sf_calibration_find_earlier (SfCalibration *self,
                             const char    *name)
{
  g_autoptr(GFileEnumerator) children = NULL;
  g_autofree char *best_name = NULL;
  g_autoptr(GFile) best = NULL;
  GFileInfo *info;

  children = g_file_enumerate_children (self->phone_dir, G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                        G_FILE_ATTRIBUTE_STANDARD_TYPE, G_FILE_QUERY_INFO_NONE,
                                        NULL, NULL);
  if (children == NULL)
    return NULL;
  while ((info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL) {
    g_autoptr(GFileInfo) owned = info;
    const char *base = g_file_info_get_name (info);
    g_autoptr(GFile) folder = NULL;
    g_autoptr(SfManifest) manifest = NULL;
    gboolean blank = FALSE;

    if (g_file_info_get_file_type (info) != G_FILE_TYPE_DIRECTORY)
      continue;
    folder = g_file_get_child (self->phone_dir, base);
    if (self->folder != NULL && g_file_equal (folder, self->folder))
      continue;
    manifest = sf_manifest_load (folder, NULL);
    if (manifest == NULL || !sf_manifest_lookup (manifest, name, NULL, NULL, &blank) || blank)
      continue;
    /* Folder names are dates: the greatest is the newest. */
    if (best_name == NULL || strcmp (base, best_name) > 0) {
      g_free (best_name);
      best_name = g_strdup (base);
      g_set_object (&best, folder);
    }
  }
  return g_steal_pointer (&best);
}
