/* sf-scatter-writer.h — writes a V1.x scatter file for one layout of a scatter
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "sf-scatter.h"

G_BEGIN_DECLS

#define SF_TYPE_SCATTER_WRITER (sf_scatter_writer_get_type ())

G_DECLARE_FINAL_TYPE (SfScatterWriter, sf_scatter_writer, SF, SCATTER_WRITER, GObject)

/**
 * SfScatterWriter:
 *
 * Writes one layout of @scatter again as a V1.x (`MTK_PLATFORM_CFG`) scatter
 * file in the key layout of MediaTek's own files (scatter-format.md §4), so
 * that SP Flash Tool loads it as well as Scatterflash. Every partition keeps
 * its addresses, size, region, type and operation type as written in the
 * source; only `file_name` and `is_download` change: a partition given an
 * image with sf_scatter_writer_set_image() gets `file_name: FILE` and
 * `is_download: true`, every other one `NONE` and `false`.
 *
 * The config_version is the source's for a V1.x file, V1.1.1 for a legacy
 * one (both count addresses linearly) and V1.1.2 for a V2.x layout (both
 * count them per region).
 */

/* @layout: (nullable): one of @scatter's layouts; NULL for the first. */
SfScatterWriter  *sf_scatter_writer_new               (SfScatter        *scatter,
                                                       SfLayout         *layout) G_GNUC_WARN_UNUSED_RESULT;

/* A V1.1.2 scatter of partitions that come from elsewhere (the phone's
 * own table), addresses relative to their region. */
SfScatterWriter  *sf_scatter_writer_new_for_layout    (SfLayout         *layout,
                                                       const char       *platform,
                                                       const char       *project) G_GNUC_WARN_UNUSED_RESULT;

/* @file_name: (nullable): the image's name relative to the scatter file;
 * NULL takes the partition's image away again. Names are matched without
 * regard to case. Returns FALSE when the layout has no such partition. */
gboolean          sf_scatter_writer_set_image         (SfScatterWriter  *self,
                                                       const char       *partition,
                                                       const char       *file_name);

/* "MT6572_Android_scatter.txt": the name SP Flash Tool looks for. */
char             *sf_scatter_writer_get_default_name  (SfScatterWriter  *self) G_GNUC_WARN_UNUSED_RESULT;

/* The whole file, LF line ends. */
GBytes           *sf_scatter_writer_to_bytes          (SfScatterWriter  *self) G_GNUC_WARN_UNUSED_RESULT;

/* Writes the file (replacing @file atomically if it exists). */
gboolean          sf_scatter_writer_write             (SfScatterWriter  *self,
                                                       GFile            *file,
                                                       GCancellable     *cancellable,
                                                       GError          **error);

G_END_DECLS
