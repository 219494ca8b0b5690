/* sf-preloader.h — what identifies the board a MediaTek preloader is built for
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How much of the EMI (DRAM) settings after "MTK_BIN" is compared. */
#define SF_PRELOADER_EMI_BYTES 256

/**
 * SfPreloaderInfo:
 *
 * The parts of a preloader image (a firmware's preloader_*.bin, or what a
 * phone has at the start of its boot area) that tell boards apart: the GFH
 * file info and the MTK_BLOADER_INFO block, with the preloader's name and
 * its DRAM (EMI) settings. Writing a preloader whose EMI settings do not
 * fit the board is the classic hard brick.
 */
typedef struct {
  gboolean  has_gfh;                      /* "MMM" 01 … "FILE_INFO" found */
  gboolean  has_bloader_info;             /* "MTK_BLOADER_INFO_v…" found */
  char      bloader_version[8];           /* "v13" */
  char      name[65];                     /* "preloader_konka72_i128_emmc.bin" */
  guint32   n_emi;                        /* EMI settings after "MTK_BIN" */
  guint8    emi[SF_PRELOADER_EMI_BYTES];
  gsize     emi_len;
} SfPreloaderInfo;

/* Looks for the markers anywhere in @data (an on-flash boot area has a
 * header before the GFH). Returns %TRUE when a GFH was found. */
gboolean   sf_preloader_parse        (const guint8           *data,
                                      gsize                   len,
                                      SfPreloaderInfo        *out);
/* %TRUE unless both carry EMI settings and they differ. */
gboolean   sf_preloader_same_board   (const SfPreloaderInfo  *a,
                                      const SfPreloaderInfo  *b);

/* §13.4: an MT6572 preloader's MTK_BLOADER_INFO_v11 EMI entries. */
#define SF_EMI_V11_ENTRY_LEN   0xA8
#define SF_EMI_V11_VERSION     0x0B    /* what E8 announces (§13.3) */
#define SF_EMI_ID_AT           0x04
#define SF_EMI_ID_LEN_AT       0x14
#define SF_EMI_SPIN_WORD_AT    0x8C    /* §13.10: bits 16–17 = 0 or 2 hang DA1 */

/* Finds, among the EMI entries of the preloader image (or bare
 * MTK_BLOADER_INFO block) @data, the one made for the memory chip whose
 * eMMC CID is @cid (16 bytes; compared as given and with each u32
 * byte-swapped, §13.4), and copies it to @entry. Errors:
 * S_DL_GET_DRAM_SETTING_FAIL (5054) when there is no MTK_BLOADER_INFO or no
 * entry matches; SF_ERROR_UNSUPPORTED for another MTK_BLOADER_INFO version
 * (v12 MT6582, v13 MT6592, v21 MT6580: their layouts are not known yet);
 * S_FT_ENABLE_DRAM_FAIL (4032) when the matching entry is one MediaTek's
 * MT6572 DA hangs on. @name (the file) is for messages. @out_n_entries
 * gets the number of entries read. */
gboolean   sf_preloader_find_emi     (const guint8           *data,
                                      gsize                   len,
                                      const char             *name,
                                      const guint8           *cid,
                                      guint8                 *entry,
                                      guint                  *out_n_entries,
                                      GError                **error);

G_END_DECLS
