/* sf-manifest.c — manifest.ini, what a backup folder holds: one group for
 * what the folder is a backup of, one group per partition with its file,
 * address, size and SHA-256 (and whether it is blank)
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "sf-manifest.h"

#define HASH_CHUNK (1024 * 1024)

struct _SfManifest
{
  GKeyFile *keys;
};

SfManifest *
sf_manifest_new (void)
{
  SfManifest *self = g_new0 (SfManifest, 1);

  self->keys = g_key_file_new ();
  return self;
}

/**
 * sf_manifest_load:
 * @folder: a backup folder
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the manifest of @folder, or %NULL with @error
 *   set (%G_KEY_FILE_ERROR, %G_FILE_ERROR, or %G_IO_ERROR_NOT_SUPPORTED for
 *   a folder that is not local).
 */
SfManifest *
sf_manifest_load (GFile   *folder,
                  GError **error)
{
  g_autoptr(SfManifest) self = sf_manifest_new ();
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (G_IS_FILE (folder), NULL);

  file = g_file_get_child (folder, SF_MANIFEST_NAME);
  path = g_file_get_path (file);
  if (path == NULL) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "not a local file");
    return NULL;
  }
  if (!g_key_file_load_from_file (self->keys, path, G_KEY_FILE_NONE, error))
    return NULL;
  return g_steal_pointer (&self);
}

void
sf_manifest_free (SfManifest *self)
{
  if (self == NULL)
    return;
  g_key_file_unref (self->keys);
  g_free (self);
}

void
sf_manifest_set_info (SfManifest *self,
                      const char *group,
                      const char *key,
                      const char *value)
{
  g_return_if_fail (self != NULL);

  g_key_file_set_string (self->keys, group, key, value != NULL ? value : "");
}

void
sf_manifest_set_info_uint64 (SfManifest *self,
                             const char *group,
                             const char *key,
                             guint64     value)
{
  g_return_if_fail (self != NULL);

  g_key_file_set_uint64 (self->keys, group, key, value);
}

void
sf_manifest_add_file (SfManifest *self,
                      const char *partition,
                      const char *file_name,
                      guint64     address,
                      guint64     size,
                      const char *sha256)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (partition != NULL && file_name != NULL && sha256 != NULL);

  g_key_file_set_string (self->keys, partition, "file", file_name);
  g_key_file_set_uint64 (self->keys, partition, "address", address);
  g_key_file_set_uint64 (self->keys, partition, "size", size);
  g_key_file_set_string (self->keys, partition, "sha256", sha256);
}

void
sf_manifest_set_blank (SfManifest *self,
                       const char *partition,
                       gboolean    blank)
{
  g_return_if_fail (self != NULL);

  g_key_file_set_boolean (self->keys, partition, "blank", blank);
}

gboolean
sf_manifest_add_file_from_disk (SfManifest    *self,
                                const char    *partition,
                                GFile         *file,
                                guint64        address,
                                GCancellable  *cancellable,
                                GError       **error)
{
  g_autoptr(GFileInputStream) in = NULL;
  g_autofree char *sha256 = NULL;
  g_autofree char *base = NULL;
  guint64 size = 0;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  in = g_file_read (file, cancellable, error);
  if (in == NULL)
    return FALSE;
  sha256 = sf_manifest_hash_stream (G_INPUT_STREAM (in), &size, cancellable, error);
  if (sha256 == NULL)
    return FALSE;
  base = g_file_get_basename (file);
  sf_manifest_add_file (self, partition, base, address, size, sha256);
  return TRUE;
}

gboolean
sf_manifest_lookup (SfManifest  *self,
                    const char  *partition,
                    guint64     *out_size,
                    char       **out_sha256,
                    gboolean    *out_blank)
{
  g_autofree char *sha256 = NULL;

  g_return_val_if_fail (self != NULL, FALSE);

  sha256 = g_key_file_get_string (self->keys, partition, "sha256", NULL);
  if (sha256 == NULL)
    return FALSE;
  if (out_size != NULL)
    *out_size = g_key_file_get_uint64 (self->keys, partition, "size", NULL);
  if (out_blank != NULL)
    *out_blank = g_key_file_get_boolean (self->keys, partition, "blank", NULL);
  if (out_sha256 != NULL)
    *out_sha256 = g_steal_pointer (&sha256);
  return TRUE;
}

char *
sf_manifest_to_data (SfManifest *self,
                     gsize      *length)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_key_file_to_data (self->keys, length, NULL);
}

char *
sf_manifest_hash_stream (GInputStream  *in,
                         guint64       *out_size,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guint8 *buf = g_malloc (HASH_CHUNK);
  guint64 size = 0;
  gssize n;

  while ((n = g_input_stream_read (in, buf, HASH_CHUNK, cancellable, error)) > 0) {
    g_checksum_update (sum, buf, (gsize) n);
    size += (guint64) n;
  }
  if (n < 0)
    return NULL;
  if (out_size != NULL)
    *out_size = size;
  return g_strdup (g_checksum_get_string (sum));
}
