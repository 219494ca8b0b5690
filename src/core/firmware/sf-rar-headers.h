/* sf-rar-headers.h — the CRC-32s in a RAR archive's file headers
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* One file header of a RAR 4 or RAR 5 archive, in archive order. */
typedef struct {
  gboolean  has_crc;
  guint32   crc;
  char     *name;     /* as the header has it, `/`-separated */
} SfRarFile;

void      sf_rar_file_clear  (SfRarFile     *file);
/* The file headers of @file (SfRarFile, in archive order) when it is a RAR
 * archive whose headers we can walk; %NULL when it is not RAR, is a
 * self-extracting one, encrypts its headers or cannot be walked. */
GArray   *sf_rar_list_files  (GFile         *file,
                              const char    *display_name,
                              GCancellable  *cancellable);

G_END_DECLS
