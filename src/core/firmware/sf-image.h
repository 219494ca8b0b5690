/* sf-image.h
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* How many bytes from the start of an image sf_image_probe() needs to look at
 * (the ext4 superblock magic sits at 1024 + 0x38). */
#define SF_IMAGE_PROBE_BYTES 4096

typedef enum {
  SF_IMAGE_KIND_RAW,          /* nothing recognised: written as it is */
  SF_IMAGE_KIND_SPARSE,       /* Android sparse, 0xED26FF3A: expanded while written */
  SF_IMAGE_KIND_EXT4,         /* ext2/3/4 file system image */
  SF_IMAGE_KIND_GFH,          /* MediaTek bootloader with a GFH header (preloader) */
  SF_IMAGE_KIND_MTK_HEADER,   /* MediaTek 512-byte image header (lk, logo, modem) */
  SF_IMAGE_KIND_ANDROID_BOOT, /* "ANDROID!" boot or recovery image */
  SF_IMAGE_KIND_UBI,          /* UBI erase-counter header, NAND */
} SfImageKind;

/**
 * SfImage:
 *
 * What an image file is: its kind by magic bytes, its size as stored, and the
 * number of bytes it puts on the flash (the expanded size for a sparse image).
 */
typedef struct {
  /*< private >*/
  gatomicrefcount  ref_count;

  /*< public >*/
  SfImageKind      kind;
  guint64          file_size;      /* bytes in the file or archive entry */
  guint64          data_size;      /* bytes written to the partition */
  /* Android sparse only: */
  guint32          sparse_block_size;
  guint32          sparse_total_blocks;
  guint32          sparse_total_chunks;
} SfImage;

#define SF_TYPE_IMAGE (sf_image_get_type ())

GType         sf_image_get_type      (void) G_GNUC_CONST;
SfImage      *sf_image_probe         (const guint8  *head,
                                      gsize          head_len,
                                      guint64        file_size,
                                      const char    *display_name,
                                      GError       **error) G_GNUC_WARN_UNUSED_RESULT;
SfImage      *sf_image_probe_stream  (GInputStream  *stream,
                                      guint64        file_size,
                                      const char    *display_name,
                                      GCancellable  *cancellable,
                                      GError       **error) G_GNUC_WARN_UNUSED_RESULT;
SfImage      *sf_image_ref           (SfImage       *self);
void          sf_image_unref         (SfImage       *self);
const char   *sf_image_kind_to_string (SfImageKind  kind);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SfImage, sf_image_unref)

G_END_DECLS
