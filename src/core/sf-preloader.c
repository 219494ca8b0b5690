/* sf-preloader.c — what identifies the board a MediaTek preloader is built for
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Layout of MTK_BLOADER_INFO (public MediaTek preloader sources): a
 * 24-byte identifier "MTK_BLOADER_INFO_vNN", the 64-byte file name, a
 * 4-byte version, checksum seed and start address (u32 each), then
 * "MTK_BIN" in 8 bytes, the number of EMI settings (u32 LE) and the
 * settings themselves, whose size differs between versions: so a fixed
 * prefix of them is compared. */

#include "config.h"

#include <string.h>

#include "sf-preloader.h"

#define BLOADER_MARKER "MTK_BLOADER_INFO_v"
#define BIN_MARKER     "MTK_BIN"

static const guint8 *
find (const guint8 *data,
      gsize         len,
      const char   *needle,
      gsize         needle_len)
{
  return needle_len <= len ? memmem (data, len, needle, needle_len) : NULL;
}

static void
copy_text (char         *dst,
           gsize         dst_size,
           const guint8 *src,
           gsize         src_len)
{
  gsize n = 0;

  while (n < src_len && n + 1 < dst_size && src[n] >= 0x20 && src[n] < 0x7F) {
    dst[n] = (char) src[n];
    n++;
  }
  dst[n] = '\0';
}

gboolean
sf_preloader_parse (const guint8    *data,
                    gsize            len,
                    SfPreloaderInfo *out)
{
  const guint8 *gfh;
  const guint8 *info;
  const guint8 *end = data + len;

  memset (out, 0, sizeof *out);

  gfh = find (data, len, "MMM\x01", 4);
  while (gfh != NULL && (gsize) (end - gfh) >= 17 && memcmp (gfh + 8, "FILE_INFO", 9) != 0)
    gfh = find (gfh + 1, (gsize) (end - gfh - 1), "MMM\x01", 4);
  out->has_gfh = gfh != NULL && (gsize) (end - gfh) >= 17;

  info = find (data, len, BLOADER_MARKER, strlen (BLOADER_MARKER));
  if (info != NULL && (gsize) (end - info) >= 24 + 64 + 4 + 4 + 4 + 8 + 4) {
    const guint8 *bin = info + 24 + 64 + 4 + 4 + 4;

    out->has_bloader_info = TRUE;
    copy_text (out->bloader_version, sizeof out->bloader_version,
               info + strlen (BLOADER_MARKER) - 1, 24 - strlen (BLOADER_MARKER) + 1);
    copy_text (out->name, sizeof out->name, info + 24, 64);
    if (memcmp (bin, BIN_MARKER, strlen (BIN_MARKER)) == 0) {
      out->n_emi = bin[8] | (bin[9] << 8) | (bin[10] << 16) | ((guint32) bin[11] << 24);
      out->emi_len = MIN ((gsize) SF_PRELOADER_EMI_BYTES, (gsize) (end - (bin + 12)));
      memcpy (out->emi, bin + 12, out->emi_len);
    }
  }
  return out->has_gfh;
}

gboolean
sf_preloader_same_board (const SfPreloaderInfo *a,
                         const SfPreloaderInfo *b)
{
  gsize n;

  if (!a->has_bloader_info || !b->has_bloader_info || a->emi_len == 0 || b->emi_len == 0)
    return TRUE;
  if (a->n_emi != b->n_emi)
    return FALSE;
  n = MIN (a->emi_len, b->emi_len);
  return memcmp (a->emi, b->emi, n) == 0;
}
