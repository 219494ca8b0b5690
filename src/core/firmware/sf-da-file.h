/* sf-da-file.h — a download agent file (MTK_AllInOne_DA.bin layout)
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "sf-archive.h"
#include "sf-mtk.h"

G_BEGIN_DECLS

/* One region record of an entry (protocol.md §5.2). */
typedef struct {
  guint32 offset;        /* m_buf: where the bytes are in the file */
  guint32 length;        /* m_len: bytes, signature included */
  guint32 address;       /* m_start_addr: load address on the phone */
  guint32 sig_offset;    /* m_start_offset */
  guint32 sig_length;    /* m_sig_len */
} SfDaRegion;

/* One entry: the DA for one chip (§5.2). */
typedef struct {
  guint16     hw_code;
  guint16     hw_sub_code;
  guint16     hw_version;
  guint16     sw_version;     /* 0 in the old 0xD8-byte layout */
  guint16     page_size;
  guint16     region_index;
  guint16     n_regions;
  SfDaRegion  regions[SF_DA_MAX_REGIONS];
} SfDaEntry;

#define SF_TYPE_DA_FILE (sf_da_file_get_type ())

G_DECLARE_FINAL_TYPE (SfDaFile, sf_da_file, SF, DA_FILE, GObject)

/* Reads the header and the entry table only: a real DA file is ~4 MB and
 * its regions are read on demand. Fails with SF_ERROR_INVALID_DA_FILE. */
SfDaFile         *sf_da_file_new             (GFile         *file,
                                              GCancellable  *cancellable,
                                              GError       **error) G_GNUC_WARN_UNUSED_RESULT;
/* The same for a DA file inside a firmware archive, read in place: never
 * unpacked to disk nor held whole in memory. Keeps a reference on
 * @archive; messages name it "firmware.zip/dir/MTK_AllInOne_DA.bin".
 * Fails with SF_ERROR_INVALID_DA_FILE, or SF_ERROR_ARCHIVE when the entry
 * cannot be read out of the archive. */
SfDaFile         *sf_da_file_new_from_archive (SfArchive             *archive,
                                               const SfArchiveEntry  *entry,
                                               GCancellable          *cancellable,
                                               GError               **error) G_GNUC_WARN_UNUSED_RESULT;

const char       *sf_da_file_get_display_name (SfDaFile     *self);
const char       *sf_da_file_get_identifier  (SfDaFile      *self);
/* The version field at 0x60: 4 in real files; other values are accepted. */
guint32           sf_da_file_get_version     (SfDaFile      *self);
/* SF_DA_ENTRY_LEN (0xDC) or SF_DA_ENTRY_LEN_OLD (0xD8). */
guint             sf_da_file_get_entry_size  (SfDaFile      *self);
/* The file's size in bytes when it was opened. */
guint64           sf_da_file_get_size        (SfDaFile      *self);
guint             sf_da_file_get_n_entries   (SfDaFile      *self);
const SfDaEntry  *sf_da_file_get_entry       (SfDaFile      *self,
                                              guint          index);
/* §5.4: the first entry with this hw code whose hw_version/sw_version the
 * chip's (GET_HW_SW_VER) values reach; SF_ERROR_DA_NO_ENTRY if none.
 * @hw_code is the chip's DA code (§4; SfChip.da_code), which differs from
 * the GET_HW_CODE answer on some chips (MT6735: 0x0321 vs 0x6735). */
const SfDaEntry  *sf_da_file_find_entry      (SfDaFile      *self,
                                              guint16        hw_code,
                                              guint16        hw_version,
                                              guint16        sw_version,
                                              GError       **error);
/* Exactly region->length bytes of region @index of @entry, streamed. */
GInputStream     *sf_da_file_open_region     (SfDaFile         *self,
                                              const SfDaEntry  *entry,
                                              guint             index,
                                              GCancellable     *cancellable,
                                              GError          **error) G_GNUC_WARN_UNUSED_RESULT;

/* "MT6572" for an entry hw code whose hex digits spell the chip number,
 * else NULL; and "MT6572 (hw code 0x6572)" / "hw code 0x0321" for messages. */
/* A file that a build tree keeps @build_relative to its top (found from
 * the running program, in build/src/X/ or build/tests/), else the one
 * installed as PKGDATADIR/@installed_name. (transfer full) */
GFile            *sf_find_data_file          (const char    *build_relative,
                                              const char    *installed_name) G_GNUC_WARN_UNUSED_RESULT;
/* The download agent that ships with Scatterflash (SF_BUNDLED_DA_NAME). */
GFile            *sf_da_file_find_bundled    (void) G_GNUC_WARN_UNUSED_RESULT;
/* The DA a job uses: @override, else @shipped (the firmware's), else the
 * bundled one. */
SfDaFile         *sf_da_file_choose          (GFile         *override,
                                              SfDaFile      *shipped,
                                              GError       **error) G_GNUC_WARN_UNUSED_RESULT;

char             *sf_da_file_chip_name       (guint16        hw_code) G_GNUC_WARN_UNUSED_RESULT;
char             *sf_da_file_describe_chip   (guint16        hw_code) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
