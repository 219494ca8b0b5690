/* sf-image.c
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "sf-error.h"
#include "sf-image.h"

/* Android sparse file header (protocol.md §7), all little-endian. */
#define SPARSE_MAGIC            0xED26FF3Au
#define SPARSE_HEADER_BYTES     28
#define SPARSE_CHUNK_HEADER_MIN 12

/* ext2/3/4: the superblock starts at byte 1024, s_magic sits 0x38 into it. */
#define EXT4_MAGIC_OFFSET       (1024 + 0x38)
#define EXT4_MAGIC              0xEF53u

/* MediaTek's 512-byte image header in front of lk.bin, logo.bin, modem. */
#define MTK_HEADER_MAGIC        0x58881688u

/* A GFH block starts with "MMM", a version byte (1) and, for the first block
 * of a file, type 0 = GFH_FILE_INFO. */
#define GFH_MAGIC_VERSION       0x014D4D4Du

/* A preloader read back from the flash carries a boot device header first;
 * the BootROM layout header ("BRLYT") follows it. */
#define BRLYT_OFFSET            0x200

G_DEFINE_BOXED_TYPE (SfImage, sf_image, sf_image_ref, sf_image_unref)

static guint16
read_le16 (const guint8 *p)
{
  return (guint16) (p[0] | (p[1] << 8));
}

static guint32
read_le32 (const guint8 *p)
{
  return (guint32) p[0] | ((guint32) p[1] << 8) | ((guint32) p[2] << 16) | ((guint32) p[3] << 24);
}

static gboolean
has_prefix (const guint8 *head,
            gsize         head_len,
            gsize         offset,
            const char   *magic)
{
  gsize len = strlen (magic);

  return offset <= head_len && head_len - offset >= len && memcmp (head + offset, magic, len) == 0;
}

static SfImage *
image_new (SfImageKind kind,
           guint64     file_size,
           guint64     data_size)
{
  SfImage *self = g_new0 (SfImage, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->kind = kind;
  self->file_size = file_size;
  self->data_size = data_size;
  return self;
}

static gboolean
is_gfh_file (const guint8 *head,
             gsize         head_len)
{
  /* GFH common header: magic+version u32, size u16, type u16 (0 = FILE_INFO). */
  return head_len >= 8 &&
         read_le32 (head) == GFH_MAGIC_VERSION &&
         read_le16 (head + 6) == 0;
}

static gboolean
is_boot_region_dump (const guint8 *head,
                     gsize         head_len)
{
  /* eMMC, serial flash and SD boot headers are padded to 0x200 bytes; the
   * NAND one is padded to a page, so look for BRLYT on any 0x200 boundary. */
  if (has_prefix (head, head_len, 0, "EMMC_BOOT") ||
      has_prefix (head, head_len, 0, "SF_BOOT") ||
      has_prefix (head, head_len, 0, "SDMMC_BOOT"))
    return has_prefix (head, head_len, BRLYT_OFFSET, "BRLYT");

  if (has_prefix (head, head_len, 0, "BOOTLOADER!")) {
    for (gsize off = BRLYT_OFFSET; off < head_len; off += BRLYT_OFFSET) {
      if (has_prefix (head, head_len, off, "BRLYT"))
        return TRUE;
    }
  }

  return FALSE;
}

static SfImage *
probe_sparse (const guint8  *head,
              gsize          head_len,
              guint64        file_size,
              const char    *display_name,
              GError       **error)
{
  const char *advice = _("the image is damaged or was cut short; get the firmware again");
  guint16 major, file_hdr_sz, chunk_hdr_sz;
  guint32 blk_sz, total_blks, total_chunks;
  SfImage *self;

  if (head_len < SPARSE_HEADER_BYTES || file_size < SPARSE_HEADER_BYTES) {
    sf_set_error_at (error, SF_ERROR_IMAGE_INVALID, display_name, 0, advice,
                     _("Android sparse image ends inside its %d-byte header"),
                     SPARSE_HEADER_BYTES);
    return NULL;
  }

  major = read_le16 (head + 4);
  file_hdr_sz = read_le16 (head + 8);
  chunk_hdr_sz = read_le16 (head + 10);
  blk_sz = read_le32 (head + 12);
  total_blks = read_le32 (head + 16);
  total_chunks = read_le32 (head + 20);

  if (major != 1) {
    sf_set_error_at (error, SF_ERROR_IMAGE_INVALID, display_name, 0,
                     _("convert it with img2simg from a current Android SDK, or use a raw image"),
                     _("Android sparse image has major version %u; only version 1 is known"),
                     major);
    return NULL;
  }
  if (file_hdr_sz < SPARSE_HEADER_BYTES) {
    sf_set_error_at (error, SF_ERROR_IMAGE_INVALID, display_name, 0, advice,
                     _("Android sparse header size is %u bytes, less than the %d it must be"),
                     file_hdr_sz, SPARSE_HEADER_BYTES);
    return NULL;
  }
  if (file_size < file_hdr_sz) {
    sf_set_error_at (error, SF_ERROR_IMAGE_INVALID, display_name, 0, advice,
                     _("Android sparse image ends inside its %u-byte header"),
                     file_hdr_sz);
    return NULL;
  }
  if (chunk_hdr_sz < SPARSE_CHUNK_HEADER_MIN) {
    sf_set_error_at (error, SF_ERROR_IMAGE_INVALID, display_name, 0, advice,
                     _("Android sparse chunk header size is %u bytes, less than the %d it must be"),
                     chunk_hdr_sz, SPARSE_CHUNK_HEADER_MIN);
    return NULL;
  }
  if (blk_sz == 0 || blk_sz % 4 != 0) {
    sf_set_error_at (error, SF_ERROR_IMAGE_INVALID, display_name, 0, advice,
                     _("Android sparse block size is %u bytes; it must be a non-zero multiple of 4"),
                     blk_sz);
    return NULL;
  }

  self = image_new (SF_IMAGE_KIND_SPARSE, file_size, (guint64) total_blks * blk_sz);
  self->sparse_block_size = blk_sz;
  self->sparse_total_blocks = total_blks;
  self->sparse_total_chunks = total_chunks;
  return self;
}

/**
 * sf_image_probe:
 * @head: the first bytes of the image
 * @head_len: how many bytes @head holds (up to %SF_IMAGE_PROBE_BYTES are used;
 *   fewer only when the file is that short)
 * @file_size: the size of the whole file or archive entry
 * @display_name: (nullable): the name used in error messages
 * @error: return location for a #GError
 *
 * Tells what kind of image the bytes are by their magic numbers. Only an
 * Android sparse header is checked any further, since its header decides how
 * many bytes the image puts on the flash.
 *
 * Returns: (transfer full): the image description, or %NULL with
 *   %SF_ERROR_IMAGE_INVALID when the header is broken.
 */
SfImage *
sf_image_probe (const guint8  *head,
                gsize          head_len,
                guint64        file_size,
                const char    *display_name,
                GError       **error)
{
  SfImageKind kind = SF_IMAGE_KIND_RAW;

  g_return_val_if_fail (head != NULL || head_len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  head_len = MIN (head_len, SF_IMAGE_PROBE_BYTES);
  head_len = (gsize) MIN ((guint64) head_len, file_size);

  if (head_len >= 4 && read_le32 (head) == SPARSE_MAGIC)
    return probe_sparse (head, head_len, file_size, display_name, error);

  /* Magic numbers at offset 0 first: the ext4 one sits at 1080 and could be
   * any two bytes of another format. */
  if (is_gfh_file (head, head_len) || is_boot_region_dump (head, head_len))
    kind = SF_IMAGE_KIND_GFH;
  else if (head_len >= 4 && read_le32 (head) == MTK_HEADER_MAGIC)
    kind = SF_IMAGE_KIND_MTK_HEADER;
  else if (has_prefix (head, head_len, 0, "ANDROID!"))
    kind = SF_IMAGE_KIND_ANDROID_BOOT;
  else if (has_prefix (head, head_len, 0, "UBI#"))
    kind = SF_IMAGE_KIND_UBI;
  else if (head_len >= EXT4_MAGIC_OFFSET + 2 && read_le16 (head + EXT4_MAGIC_OFFSET) == EXT4_MAGIC)
    kind = SF_IMAGE_KIND_EXT4;

  return image_new (kind, file_size, file_size);
}

/**
 * sf_image_probe_stream:
 * @stream: a stream at the start of the image; up to %SF_IMAGE_PROBE_BYTES
 *   are read from it
 * @file_size: the size of the whole file or archive entry
 * @display_name: (nullable): the name used in error messages
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads the head of @stream and calls sf_image_probe() on it.
 *
 * Returns: (transfer full): the image description, or %NULL on error.
 */
SfImage *
sf_image_probe_stream (GInputStream  *stream,
                       guint64        file_size,
                       const char    *display_name,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autofree guint8 *head = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize n_read = 0;

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  head = g_malloc (SF_IMAGE_PROBE_BYTES);
  /* read_all keeps reading until the buffer is full or the stream ends. */
  if (!g_input_stream_read_all (stream, head, SF_IMAGE_PROBE_BYTES, &n_read,
                                cancellable, &local_error)) {
    if (display_name != NULL)
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", display_name);
    else
      g_propagate_error (error, g_steal_pointer (&local_error));
    return NULL;
  }

  return sf_image_probe (head, n_read, file_size, display_name, error);
}

SfImage *
sf_image_ref (SfImage *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
sf_image_unref (SfImage *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    g_free (self);
}

/**
 * sf_image_kind_to_string:
 *
 * Returns: a short, stable, untranslated name for @kind ("raw", "sparse",
 *   "ext4", "gfh-bootloader", "mtk-header", "android-boot", "ubi").
 */
const char *
sf_image_kind_to_string (SfImageKind kind)
{
  switch (kind) {
  case SF_IMAGE_KIND_RAW: return "raw";
  case SF_IMAGE_KIND_SPARSE: return "sparse";
  case SF_IMAGE_KIND_EXT4: return "ext4";
  case SF_IMAGE_KIND_GFH: return "gfh-bootloader";
  case SF_IMAGE_KIND_MTK_HEADER: return "mtk-header";
  case SF_IMAGE_KIND_ANDROID_BOOT: return "android-boot";
  case SF_IMAGE_KIND_UBI: return "ubi";
  default: return "unknown";
  }
}
