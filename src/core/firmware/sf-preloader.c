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

#include <glib/gi18n-lib.h>

#include "sf-error.h"
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

static guint32
le32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

static gboolean
emi_matches (const guint8 *entry,
             const guint8 *cid)
{
  guint32 n = le32 (entry + SF_EMI_ID_LEN_AT);
  guint8 swapped[16];

  if (n == 0 || n > 16)
    return FALSE;
  for (guint i = 0; i < 16; i++)
    swapped[i] = cid[(i & ~3u) + 3 - (i & 3)];
  return memcmp (entry + SF_EMI_ID_AT, cid, n) == 0 ||
         memcmp (entry + SF_EMI_ID_AT, swapped, n) == 0;
}

gboolean
sf_preloader_find_emi (const guint8  *data,
                       gsize          len,
                       const char    *name,
                       const guint8  *cid,
                       guint8        *entry,
                       guint         *out_n_entries,
                       GError       **error)
{
  const guint8 *end = data + len;
  const guint8 *info, *bin;
  char version[8] = "";
  guint32 count;
  guint n = 0;

  if (out_n_entries != NULL)
    *out_n_entries = 0;
  info = find (data, len, BLOADER_MARKER, strlen (BLOADER_MARKER));
  if (info == NULL) {
    sf_set_device_error (error, SF_ERROR_DL_GET_DRAM_SETTING_FAIL,
                         _("%s carries no DRAM settings (no MTK_BLOADER_INFO)"), name);
    return FALSE;
  }
  copy_text (version, sizeof version, info + strlen (BLOADER_MARKER) - 1,
             MIN ((gsize) 4, (gsize) (end - info) - strlen (BLOADER_MARKER) + 1));
  if (strcmp (version, "v11") != 0) {
    sf_set_error_at (error, SF_ERROR_UNSUPPORTED, NULL, 0, NULL,
                     _("the DRAM settings in %s are MTK_BLOADER_INFO_%s, which Scatterflash cannot send yet (it knows v11, MT6572's)"),
                     name, version);
    return FALSE;
  }
  bin = find (info, (gsize) (end - info), "MTK_BIN\0", 8);
  if (bin == NULL || end - bin < 12) {
    sf_set_device_error (error, SF_ERROR_DL_GET_DRAM_SETTING_FAIL,
                         _("the MTK_BLOADER_INFO_v11 of %s has no DRAM settings after it"), name);
    return FALSE;
  }
  count = le32 (bin + 8);
  /* A truncated block says more than it holds: never read past the end. */
  for (const guint8 *e = bin + 12; n < count && end - e >= SF_EMI_V11_ENTRY_LEN; e += SF_EMI_V11_ENTRY_LEN, n++) {
    guint32 spin;

    if (!emi_matches (e, cid))
      continue;
    if (out_n_entries != NULL)
      *out_n_entries = n + 1;
    spin = (le32 (e + SF_EMI_SPIN_WORD_AT) >> 16) & 3;
    if (spin == 0 || spin == 2) {
      sf_set_device_error (error, SF_ERROR_FT_ENABLE_DRAM_FAIL,
                           _("the DRAM settings for this phone's memory chip (entry %u of %s) are of a kind MediaTek's MT6572 download agent hangs on"),
                           n + 1, name);
      return FALSE;
    }
    memcpy (entry, e, SF_EMI_V11_ENTRY_LEN);
    return TRUE;
  }
  if (out_n_entries != NULL)
    *out_n_entries = n;
  sf_set_device_error (error, SF_ERROR_DL_GET_DRAM_SETTING_FAIL,
                       _("%s does not know this phone's memory chip (none of its %u DRAM settings is for "
                         "eMMC CID %02X%02X%02X%02X%02X%02X%02X%02X…): writing it would leave the phone dead"),
                       name, n, cid[0], cid[1], cid[2], cid[3], cid[4], cid[5], cid[6], cid[7]);
  return FALSE;
}
