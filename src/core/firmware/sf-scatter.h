/* sf-scatter.h
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "sf-issue.h"
#include "sf-layout.h"

G_BEGIN_DECLS

/* A scatter larger than this is not a scatter: real ones are under 200 KiB. */
#define SF_SCATTER_MAX_BYTES (8 * 1024 * 1024)

typedef enum {
  SF_SCATTER_FORMAT_LEGACY,   /* NAME 0xADDR { } blocks, MT6573–MT6589 era */
  SF_SCATTER_FORMAT_V1,       /* MTK_PLATFORM_CFG, config_version V1.x */
  SF_SCATTER_FORMAT_V2,       /* MTK_PLATFORM_CFG, V2.x combo with storage_type sections */
} SfScatterFormat;

/**
 * SfAddressing:
 *
 * How `linear_start_addr` is counted (scatter-format.md §6.2, protocol.md §11).
 */
typedef enum {
  SF_ADDRESSING_LINEAR,   /* legacy and V1.1.1: user area offset by the boot areas */
  SF_ADDRESSING_REGION,   /* V1.1.2 and later: relative to the partition's region */
} SfAddressing;

#define SF_TYPE_SCATTER (sf_scatter_get_type ())

G_DECLARE_FINAL_TYPE (SfScatter, sf_scatter, SF, SCATTER, GObject)

SfScatter       *sf_scatter_new_from_file       (GFile          *file,
                                                 GCancellable   *cancellable,
                                                 GError        **error) G_GNUC_WARN_UNUSED_RESULT;
SfScatter       *sf_scatter_new_from_stream     (GInputStream   *stream,
                                                 const char     *display_name,
                                                 GCancellable   *cancellable,
                                                 GError        **error) G_GNUC_WARN_UNUSED_RESULT;
SfScatter       *sf_scatter_new_from_data       (const char     *data,
                                                 gsize           length,
                                                 const char     *display_name,
                                                 GError        **error) G_GNUC_WARN_UNUSED_RESULT;

const char      *sf_scatter_get_display_name    (SfScatter      *self);
SfScatterFormat  sf_scatter_get_format          (SfScatter      *self);
const char      *sf_scatter_get_config_version  (SfScatter      *self);
const char      *sf_scatter_get_platform        (SfScatter      *self);
const char      *sf_scatter_get_project         (SfScatter      *self);
SfAddressing     sf_scatter_get_addressing      (SfScatter      *self);
GPtrArray       *sf_scatter_get_header_fields   (SfScatter      *self);

guint            sf_scatter_get_n_layouts       (SfScatter      *self);
SfLayout        *sf_scatter_get_layout          (SfScatter      *self,
                                                 guint           index);
SfLayout        *sf_scatter_find_layout         (SfScatter      *self,
                                                 const char     *storage);

GPtrArray       *sf_scatter_get_issues          (SfScatter      *self);
gboolean         sf_scatter_check               (SfScatter      *self,
                                                 GError        **error);

gboolean         sf_scatter_looks_like_name     (const char     *basename);

G_END_DECLS
