/* sf-firmware.h
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "sf-compare-stream.h"
#include "sf-da-file.h"
#include "sf-image.h"
#include "sf-scatter.h"

G_BEGIN_DECLS

typedef enum {
  SF_IMAGE_STATE_NONE,        /* the scatter names no file for this partition */
  SF_IMAGE_STATE_MISSING,     /* a file is named but is not there */
  SF_IMAGE_STATE_EMPTY,       /* the file is there but has no bytes */
  SF_IMAGE_STATE_INVALID,     /* recognised but broken (bad sparse header, …) */
  SF_IMAGE_STATE_TOO_LARGE,   /* puts more bytes on the flash than the partition holds */
  SF_IMAGE_STATE_OK,
} SfImageState;

#define SF_TYPE_FIRMWARE (sf_firmware_get_type ())

G_DECLARE_FINAL_TYPE (SfFirmware, sf_firmware, SF, FIRMWARE, GObject)

/* @location: a scatter file, a folder that holds one, or a firmware archive
 * (.zip, .tar.gz, .tar.xz, .7z, …) read in place, never unpacked to disk. */
SfFirmware    *sf_firmware_open             (GFile          *location,
                                             GCancellable   *cancellable,
                                             GError        **error) G_GNUC_WARN_UNUSED_RESULT;

SfScatter     *sf_firmware_get_scatter      (SfFirmware     *self);
const char    *sf_firmware_get_display_name (SfFirmware     *self);
gboolean       sf_firmware_is_archive       (SfFirmware     *self);

/* Per partition (of any layout of the scatter): */
SfImageState   sf_firmware_get_image_state  (SfFirmware     *self,
                                             SfPartition    *partition);
SfImage       *sf_firmware_get_image        (SfFirmware     *self,
                                             SfPartition    *partition);
const char    *sf_firmware_get_image_path   (SfFirmware     *self,
                                             SfPartition    *partition);
gboolean       sf_firmware_check_image      (SfFirmware     *self,
                                             SfPartition    *partition,
                                             GError        **error);
GInputStream  *sf_firmware_open_image       (SfFirmware     *self,
                                             SfPartition    *partition,
                                             GCancellable   *cancellable,
                                             GError        **error) G_GNUC_WARN_UNUSED_RESULT;

/* Writes @file into @partition instead of the scatter's image (probed now). */
gboolean       sf_firmware_set_image_file   (SfFirmware     *self,
                                             SfPartition    *partition,
                                             GFile          *file,
                                             GCancellable   *cancellable,
                                             GError        **error);

/* The DA file that ships with the firmware (next to the scatter, else one
 * level up, within what was opened), or NULL without an error when there
 * is none. Files named like a DA that do not parse are passed over. */
SfDaFile      *sf_firmware_open_da          (SfFirmware     *self,
                                             GCancellable   *cancellable,
                                             GError        **error) G_GNUC_WARN_UNUSED_RESULT;

/* Called by sf_firmware_check_images() as it begins image @index of @n. */
typedef void (*SfFirmwareCheckFunc) (const char *image_name,
                                     guint       index,
                                     guint       n,
                                     gpointer    user_data);

gboolean        sf_firmware_check_images     (SfFirmware          *self,
                                              GPtrArray           *partitions,
                                              gboolean             for_verify,
                                              SfFirmwareCheckFunc  func,
                                              gpointer             user_data,
                                              GCancellable        *cancellable,
                                              GError             **error);
const SfDigest *sf_firmware_get_image_digest (SfFirmware          *self,
                                              SfPartition         *partition);

const char    *sf_image_state_to_string     (SfImageState    state);

G_END_DECLS
