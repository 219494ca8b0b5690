/* sf-firmware-private.h — where a firmware's files come from: a folder
 * (sf-firmware-folder.c) or an archive read in place (sf-firmware-archive.c),
 * behind one small table of functions, so that sf-firmware.c never asks
 * which
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sf-archive.h"
#include "sf-firmware.h"

G_BEGIN_DECLS

/* How deep below the folder (or archive root) a scatter is looked for:
 * the top level, then one or two levels down. */
#define SF_FIRMWARE_SCATTER_MAX_DEPTH 2

typedef struct _SfFirmwareSource SfFirmwareSource;

/* One file in the folder (or archive directory) next to the scatter. Probed
 * at most once, however many partitions use it. */
typedef struct {
  SfFirmwareSource      *source;      /* where it is read from (borrowed) */
  char                  *name;        /* the name as stored */
  char                  *path;        /* for sf_firmware_get_image_path() */
  GFile                 *file;        /* a file in a folder */
  const SfArchiveEntry  *entry;       /* an entry of an archive (owned by the archive) */
  guint64                size;
  gboolean               wanted;      /* some partition uses it */
  SfImage               *image;       /* once probed */
  GError                *error;       /* why it could not be probed */
  SfDigest              *digest;      /* once read whole by sf_firmware_check_images() */
} SfFirmwareFile;

void  sf_firmware_file_free (SfFirmwareFile *file);

/* One sf_firmware_check_images() run: the files to read, and who hears of
 * each as it is begun. */
typedef struct {
  GPtrArray              *files;      /* (element-type SfFirmwareFile) this source's */
  guint                   done;
  guint                   total;      /* files of every source */
  SfFirmwareCheckFunc     func;
  gpointer                user_data;
} SfFirmwareCheck;

/* What a source does; sf-firmware.c calls only these. */
typedef struct {
  gboolean        is_archive;
  void          (*free)         (SfFirmwareSource  *self);
  /* The scatter the source was opened for. */
  SfScatter    *(*load_scatter) (SfFirmwareSource  *self,
                                 GCancellable      *cancellable,
                                 GError           **error);
  /* Adds to @files an SfFirmwareFile for each file in the scatter's
   * folder (@level 0), or in the one above it (@level 1; nothing when that
   * is above what was opened). */
  gboolean      (*list_files)   (SfFirmwareSource  *self,
                                 guint              level,
                                 GPtrArray         *files,
                                 GCancellable      *cancellable,
                                 GError           **error);
  /* Reads the first SF_IMAGE_PROBE_BYTES of each of @files (its own) and
   * sets their image, or their error. */
  gboolean      (*probe_files)  (SfFirmwareSource  *self,
                                 GPtrArray         *files,
                                 GCancellable      *cancellable,
                                 GError           **error);
  GInputStream *(*open_file)    (SfFirmwareSource  *self,
                                 SfFirmwareFile    *file,
                                 GCancellable      *cancellable,
                                 GError           **error);
  /* Reads each of @check's files (its own) whole with
   * sf_firmware_digest_file(). */
  gboolean      (*check_files)  (SfFirmwareSource  *self,
                                 SfFirmwareCheck   *check,
                                 GCancellable      *cancellable,
                                 GError           **error);
  SfDaFile     *(*open_da)      (SfFirmwareSource  *self,
                                 SfFirmwareFile    *file,
                                 GCancellable      *cancellable,
                                 GError           **error);
} SfFirmwareSourceClass;

struct _SfFirmwareSource
{
  const SfFirmwareSourceClass *klass;
  char                        *display_name;  /* the folder or the archive, for people */
};

void              sf_firmware_source_free (SfFirmwareSource *self);

/* sf-firmware-folder.c. @root is the folder the user gave, above which
 * nothing is looked at; NULL for the scatter's own folder. */
SfFirmwareSource *sf_firmware_folder_source_new         (GFile         *scatter_file,
                                                         GFile         *root);
SfFirmwareSource *sf_firmware_folder_source_new_search  (GFile         *folder,
                                                         GCancellable  *cancellable,
                                                         GError       **error);
/* Files the user picked by hand, wherever they are. */
SfFirmwareSource *sf_firmware_folder_source_new_loose   (void);
SfFirmwareFile   *sf_firmware_folder_file_new           (SfFirmwareSource  *self,
                                                         GFile             *file,
                                                         const char        *name,
                                                         guint64            size);

/* sf-firmware-archive.c: @location opened as an archive, and its scatter
 * found; SF_ERROR_ARCHIVE when it is no archive libarchive can read. */
SfFirmwareSource *sf_firmware_archive_source_open       (GFile         *location,
                                                         GCancellable  *cancellable,
                                                         GError       **error);

/* sf-firmware.c, for the sources */
gboolean  sf_firmware_is_junk_name    (const char  *name);
gint      sf_firmware_compare_names   (gconstpointer a,
                                       gconstpointer b);
gint      sf_firmware_pick_scatter    (GPtrArray   *candidates,
                                       const char  *where,
                                       GError     **error);
void      sf_firmware_check_announce  (SfFirmwareCheck      *check,
                                       const SfFirmwareFile *file);
gboolean  sf_firmware_digest_file     (SfFirmwareFile  *file,
                                       GInputStream    *stream,
                                       GCancellable    *cancellable,
                                       GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SfFirmwareSource, sf_firmware_source_free)

G_END_DECLS
