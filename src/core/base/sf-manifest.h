/* sf-manifest.h — manifest.ini, what a backup folder holds: the address,
 * size and SHA-256 of every file, written by `backup` and by the
 * calibration backups of a job, checked before a restore writes anything
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SF_MANIFEST_NAME "manifest.ini"

typedef struct _SfManifest SfManifest;

SfManifest  *sf_manifest_new          (void) G_GNUC_WARN_UNUSED_RESULT;
/* @folder's manifest.ini. */
SfManifest  *sf_manifest_load         (GFile          *folder,
                                       GError        **error) G_GNUC_WARN_UNUSED_RESULT;
void         sf_manifest_free         (SfManifest     *self);

/* What the folder is a backup of, in @group ("backup", "phone"). */
void         sf_manifest_set_info     (SfManifest     *self,
                                       const char     *group,
                                       const char     *key,
                                       const char     *value);
void         sf_manifest_set_info_uint64 (SfManifest  *self,
                                       const char     *group,
                                       const char     *key,
                                       guint64         value);

/* @partition's file, in a group of its own. */
void         sf_manifest_add_file     (SfManifest     *self,
                                       const char     *partition,
                                       const char     *file_name,
                                       guint64         address,
                                       guint64         size,
                                       const char     *sha256);
/* Every byte of @partition's file is the same: no calibration in it. */
void         sf_manifest_set_blank    (SfManifest     *self,
                                       const char     *partition,
                                       gboolean        blank);
/* sf_manifest_add_file() with the size and SHA-256 read from @file. */
gboolean     sf_manifest_add_file_from_disk (SfManifest    *self,
                                       const char     *partition,
                                       GFile          *file,
                                       guint64         address,
                                       GCancellable   *cancellable,
                                       GError        **error);

/* What the manifest says of @partition; FALSE when it has no SHA-256 for it. */
gboolean     sf_manifest_lookup       (SfManifest     *self,
                                       const char     *partition,
                                       guint64        *out_size,
                                       char          **out_sha256,
                                       gboolean       *out_blank);

/* The file's text. */
char        *sf_manifest_to_data      (SfManifest     *self,
                                       gsize          *length) G_GNUC_WARN_UNUSED_RESULT;

/* SHA-256 (lower-case hex) of what @in gives, to its end. */
char        *sf_manifest_hash_stream  (GInputStream   *in,
                                       guint64        *out_size,
                                       GCancellable   *cancellable,
                                       GError        **error) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SfManifest, sf_manifest_free)

G_END_DECLS
