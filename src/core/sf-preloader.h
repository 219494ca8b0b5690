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

G_END_DECLS
