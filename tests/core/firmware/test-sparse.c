/* test-sparse.c — the Android sparse reader, §11 addresses, checksums, chips
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "sf-brom.h"
#include "sf-chip.h"
#include "sf-crc32.h"
#include "sf-da.h"
#include "sf-error.h"
#include "sf-placement.h"
#include "sf-sparse.h"
#include "sf-test-util.h"

/* ---- building images by hand ---------------------------------------------- */

static void
put16 (GByteArray *a,
       guint16     v)
{
  guint8 b[2] = { v & 0xFF, v >> 8 };

  g_byte_array_append (a, b, 2);
}

static void
put32 (GByteArray *a,
       guint32     v)
{
  guint8 b[4] = { v & 0xFF, (v >> 8) & 0xFF, (v >> 16) & 0xFF, v >> 24 };

  g_byte_array_append (a, b, 4);
}

static GByteArray *
sparse_header (guint32 blk_sz,
               guint32 total_blks,
               guint32 total_chunks,
               guint16 file_hdr_sz,
               guint16 chunk_hdr_sz)
{
  GByteArray *a = g_byte_array_new ();

  put32 (a, SF_SPARSE_MAGIC);
  put16 (a, 1);
  put16 (a, 0);
  put16 (a, file_hdr_sz);
  put16 (a, chunk_hdr_sz);
  put32 (a, blk_sz);
  put32 (a, total_blks);
  put32 (a, total_chunks);
  put32 (a, 0);
  for (guint i = 28; i < file_hdr_sz; i++)
    g_byte_array_append (a, (const guint8 *) "\xAB", 1);
  return a;
}

static void
chunk_header (GByteArray *a,
              guint16     type,
              guint32     chunk_sz,
              guint32     total_sz,
              guint16     chunk_hdr_sz)
{
  put16 (a, type);
  put16 (a, 0);
  put32 (a, chunk_sz);
  put32 (a, total_sz);
  for (guint i = 12; i < chunk_hdr_sz; i++)
    g_byte_array_append (a, (const guint8 *) "\xCD", 1);
}

static void
raw_chunk (GByteArray *a,
           guint32     blk_sz,
           guint32     blocks,
           guint8      seed,
           guint16     chunk_hdr_sz)
{
  chunk_header (a, SF_SPARSE_CHUNK_RAW, blocks, chunk_hdr_sz + blocks * blk_sz, chunk_hdr_sz);
  for (guint32 i = 0; i < blocks * blk_sz; i++) {
    guint8 b = (guint8) (seed + i * 7);

    g_byte_array_append (a, &b, 1);
  }
}

static void
fill_chunk (GByteArray *a,
            guint32     blocks,
            guint32     pattern,
            guint16     chunk_hdr_sz)
{
  chunk_header (a, SF_SPARSE_CHUNK_FILL, blocks, chunk_hdr_sz + 4, chunk_hdr_sz);
  put32 (a, pattern);
}

static GInputStream *
stream_for (GByteArray *a)
{
  return g_memory_input_stream_new_from_data (g_memdup2 (a->data, a->len), a->len, g_free);
}

/* Expands @a with the reader into a buffer of 0xEE (so DONT_CARE shows). */
static guint8 *
expand (GByteArray  *a,
        guint64      max_size,
        gsize       *out_len,
        guint       *out_n_crc,
        GError     **error)
{
  g_autoptr(GInputStream) in = stream_for (a);
  g_autoptr(SfSparseReader) r = NULL;
  g_autofree guint8 *out = NULL;
  gsize len;
  guint n_crc = 0;

  r = sf_sparse_reader_new (in, "test.img", max_size, NULL, error);
  if (r == NULL)
    return NULL;
  len = sf_sparse_reader_get_expanded_size (r);
  out = g_malloc (len);
  memset (out, 0xEE, len);

  for (;;) {
    const SfSparseChunk *c = NULL;

    if (!sf_sparse_reader_next (r, &c, NULL, error))
      return NULL;
    if (c == NULL)
      break;
    ck_assert_uint_le (c->offset + c->length, len);
    switch (c->type) {
    case SF_SPARSE_CHUNK_RAW: {
      guint64 at = c->offset;

      /* Odd-sized reads on purpose. */
      for (;;) {
        gssize n = sf_sparse_reader_read_data (r, out + at, 1000, NULL, error);

        if (n < 0)
          return NULL;
        if (n == 0)
          break;
        at += (guint64) n;
      }
      ck_assert_uint_eq (at, c->offset + c->length);
      break;
    }
    case SF_SPARSE_CHUNK_FILL:
      sf_sparse_fill_pattern (c->fill, 0, out + c->offset, c->length);
      break;
    case SF_SPARSE_CHUNK_CRC32:
      n_crc++;
      break;
    case SF_SPARSE_CHUNK_DONT_CARE:
    default:
      break;
    }
  }

  *out_len = len;
  if (out_n_crc != NULL)
    *out_n_crc = n_crc;
  return g_steal_pointer (&out);
}

static void
expect_raw (const guint8 *out,
            guint64       at,
            guint32       len,
            guint8        seed)
{
  for (guint32 i = 0; i < len; i++)
    ck_assert_msg (out[at + i] == (guint8) (seed + i * 7), "byte %" G_GUINT64_FORMAT, at + i);
}

static void
expect_fill (const guint8 *out,
             guint64       at,
             guint32       len,
             guint32       pattern)
{
  for (guint32 i = 0; i < len; i++)
    ck_assert_uint_eq (out[at + i], (pattern >> (8 * ((at + i) % 4))) & 0xFF);
}

static void
expect_byte (const guint8 *out,
             guint64       at,
             guint32       len,
             guint8        v)
{
  for (guint32 i = 0; i < len; i++)
    ck_assert_uint_eq (out[at + i], v);
}

/* The CRC-32 of RAW(@raw blocks of 4096, seed 0x11) FILL(@fill, @pattern)
 * DONT_CARE(@skip), expanded as libsparse counts it (DONT_CARE as zeros). */
static guint32
expanded_crc (guint32 raw,
              guint32 fill,
              guint32 pattern,
              guint32 skip)
{
  const guint32 bs = 4096;
  gsize len = (gsize) (raw + fill + skip) * bs;
  g_autofree guint8 *buf = g_malloc0 (len);

  for (guint32 i = 0; i < raw * bs; i++)
    buf[i] = (guint8) (0x11 + i * 7);
  for (guint32 i = 0; i < fill * bs; i++)
    buf[raw * bs + i] = (pattern >> (8 * (i % 4))) & 0xFF;
  return sf_crc32 (0, buf, len);
}

/* ---- sparse tests --------------------------------------------------------- */

START_TEST (test_sparse_all_chunk_types)
{
  const guint32 bs = 4096;
  g_autoptr(GByteArray) a = sparse_header (bs, 2 + 3 + 4 + 1, 5, 28, 12);
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *out = NULL;
  gsize len = 0;
  guint n_crc = 0;

  raw_chunk (a, bs, 2, 0x11, 12);
  fill_chunk (a, 3, 0xDEADBEEF, 12);
  chunk_header (a, SF_SPARSE_CHUNK_DONT_CARE, 4, 12, 12);
  chunk_header (a, SF_SPARSE_CHUNK_CRC32, 0, 16, 12);
  put32 (a, expanded_crc (2, 3, 0xDEADBEEF, 4));
  raw_chunk (a, bs, 1, 0x99, 12);

  out = expand (a, 0, &len, &n_crc, &error);
  ck_assert_msg (out != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (len, 10 * bs);
  ck_assert_uint_eq (n_crc, 1);
  expect_raw (out, 0, 2 * bs, 0x11);
  expect_fill (out, 2 * bs, 3 * bs, 0xDEADBEEF);
  expect_byte (out, 5 * bs, 4 * bs, 0xEE);
  expect_raw (out, 9 * bs, bs, 0x99);
}
END_TEST

START_TEST (test_sparse_long_headers)
{
  /* file_hdr_sz > 28 and chunk_hdr_sz > 12: the extra bytes are skipped. */
  const guint32 bs = 512;
  g_autoptr(GByteArray) a = sparse_header (bs, 3, 2, 40, 16);
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *out = NULL;
  gsize len = 0;

  raw_chunk (a, bs, 1, 0x42, 16);
  fill_chunk (a, 2, 0x01020304, 16);

  out = expand (a, 3 * bs, &len, NULL, &error);
  ck_assert_msg (out != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (len, 3 * bs);
  expect_raw (out, 0, bs, 0x42);
  expect_fill (out, bs, 2 * bs, 0x01020304);
}
END_TEST

static void
expect_invalid (GByteArray *a,
                guint64     max_size,
                SfError     code,
                const char *needle)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *out = NULL;
  gsize len = 0;

  out = expand (a, max_size, &len, NULL, &error);
  ck_assert_ptr_null (out);
  ck_assert_msg (g_error_matches (error, SF_ERROR, code), "%s", error ? error->message : "no error");
  if (needle != NULL)
    ck_assert_msg (strstr (error->message, needle) != NULL, "%s", error->message);
}

START_TEST (test_sparse_bad_raw_size)
{
  g_autoptr(GByteArray) a = sparse_header (512, 2, 1, 28, 12);

  chunk_header (a, SF_SPARSE_CHUNK_RAW, 2, 12 + 512, 12);   /* should be 12 + 1024 */
  g_byte_array_set_size (a, a->len + 1024);
  expect_invalid (a, 0, SF_ERROR_IMAGE_INVALID, "RAW chunk 0");
}
END_TEST

START_TEST (test_sparse_bad_fill_size)
{
  g_autoptr(GByteArray) a = sparse_header (512, 2, 1, 28, 12);

  chunk_header (a, SF_SPARSE_CHUNK_FILL, 2, 12 + 8, 12);
  put32 (a, 0);
  put32 (a, 0);
  expect_invalid (a, 0, SF_ERROR_IMAGE_INVALID, "FILL chunk 0");
}
END_TEST

START_TEST (test_sparse_bad_dont_care_size)
{
  g_autoptr(GByteArray) a = sparse_header (512, 2, 1, 28, 12);

  chunk_header (a, SF_SPARSE_CHUNK_DONT_CARE, 2, 16, 12);
  put32 (a, 0);
  expect_invalid (a, 0, SF_ERROR_IMAGE_INVALID, "DONT_CARE chunk 0");
}
END_TEST

/* A RAW block and a FILL run whose sum disagrees with total_blks. */
static const struct {
  guint32      total_blks;
  guint32      fill_blocks;
  const char  *message;
} sum_cases[] = {
  { 5, 1, "add up to 2 blocks" },   /* too small */
  { 2, 2, "runs past" },            /* too large */
};

START_TEST (test_sparse_sum_mismatch)
{
  g_autoptr(GByteArray) a = sparse_header (512, sum_cases[_i].total_blks, 2, 28, 12);

  raw_chunk (a, 512, 1, 0, 12);
  fill_chunk (a, sum_cases[_i].fill_blocks, 0, 12);
  expect_invalid (a, 0, SF_ERROR_IMAGE_INVALID, sum_cases[_i].message);
}
END_TEST

START_TEST (test_sparse_bad_header)
{
  g_autoptr(GByteArray) magic = sparse_header (512, 1, 1, 28, 12);
  g_autoptr(GByteArray) major = sparse_header (512, 1, 1, 28, 12);
  g_autoptr(GByteArray) blk = sparse_header (510, 1, 1, 28, 12);
  g_autoptr(GByteArray) short_hdr = sparse_header (512, 1, 1, 24, 12);
  g_autoptr(GByteArray) minor = sparse_header (512, 1, 1, 28, 12);
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *out = NULL;
  gsize len = 0;

  magic->data[0] = 0x3B;
  expect_invalid (magic, 0, SF_ERROR_IMAGE_INVALID, "not an Android sparse image");
  major->data[4] = 2;
  expect_invalid (major, 0, SF_ERROR_IMAGE_INVALID, "version 2.0");
  expect_invalid (blk, 0, SF_ERROR_IMAGE_INVALID, "block size 510");
  expect_invalid (short_hdr, 0, SF_ERROR_IMAGE_INVALID, "24 bytes");

  /* A higher minor version is fine. */
  minor->data[6] = 7;
  fill_chunk (minor, 1, 0x55555555, 12);
  out = expand (minor, 0, &len, NULL, &error);
  ck_assert_msg (out != NULL, "%s", error ? error->message : "");
  expect_byte (out, 0, 512, 0x55);
}
END_TEST

START_TEST (test_sparse_too_large_for_partition)
{
  g_autoptr(GByteArray) a = sparse_header (4096, 256, 1, 28, 12);

  chunk_header (a, SF_SPARSE_CHUNK_DONT_CARE, 256, 12, 12);
  expect_invalid (a, 1024 * 1024 - 1, SF_ERROR_IMAGE_TOO_LARGE, NULL);
}
END_TEST

START_TEST (test_sparse_truncated_and_unknown)
{
  g_autoptr(GByteArray) trunc = sparse_header (512, 2, 1, 28, 12);
  g_autoptr(GByteArray) unknown = sparse_header (512, 2, 1, 28, 12);
  g_autoptr(GByteArray) missing = sparse_header (512, 2, 2, 28, 12);

  raw_chunk (trunc, 512, 2, 0, 12);
  g_byte_array_set_size (trunc, trunc->len - 100);
  expect_invalid (trunc, 0, SF_ERROR_IMAGE_INVALID, "ends inside a RAW chunk");

  chunk_header (unknown, 0xCAC5, 2, 12, 12);
  expect_invalid (unknown, 0, SF_ERROR_IMAGE_INVALID, "unknown type 0xCAC5");

  raw_chunk (missing, 512, 1, 0, 12);
  expect_invalid (missing, 0, SF_ERROR_IMAGE_INVALID, "chunk header");
}
END_TEST

START_TEST (test_sparse_skips_unread_raw)
{
  /* next() without reading a RAW payload skips it. */
  g_autoptr(GByteArray) a = sparse_header (512, 3, 2, 28, 12);
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(SfSparseReader) r = NULL;
  g_autoptr(GError) error = NULL;
  const SfSparseChunk *c = NULL;

  raw_chunk (a, 512, 2, 0, 12);
  fill_chunk (a, 1, 0xA1B2C3D4, 12);
  in = stream_for (a);
  r = sf_sparse_reader_new (in, NULL, 0, NULL, &error);
  ck_assert_ptr_nonnull (r);
  ck_assert (sf_sparse_reader_next (r, &c, NULL, &error));
  ck_assert_uint_eq (c->type, SF_SPARSE_CHUNK_RAW);
  ck_assert_uint_eq (c->length, 1024);
  ck_assert (sf_sparse_reader_next (r, &c, NULL, &error));
  ck_assert_uint_eq (c->type, SF_SPARSE_CHUNK_FILL);
  ck_assert_uint_eq (c->offset, 1024);
  ck_assert_uint_eq (c->fill[0], 0xD4);
  ck_assert_uint_eq (c->fill[3], 0xA1);
  ck_assert (sf_sparse_reader_next (r, &c, NULL, &error));
  ck_assert_ptr_null (c);
  ck_assert (sf_sparse_reader_next (r, &c, NULL, &error));
  ck_assert_ptr_null (c);
}
END_TEST

/* ---- checksums ------------------------------------------------------------ */

START_TEST (test_checksums)
{
  const guint8 da[] = { 0x01, 0x02, 0x03, 0x04 };
  const guint8 odd[] = { 0x01, 0x02, 0x03 };
  guint8 packet[512] = { 0x01, 0x02, 0x03, 0xFF };
  g_autofree guint8 *big = g_malloc (70000);
  guint16 whole, pieces;

  /* protocol.md §3.7 worked example. */
  ck_assert_uint_eq (sf_brom_checksum_update (0, da, 4), 0x0602);
  /* An odd last byte counts as 0x00XX. */
  ck_assert_uint_eq (sf_brom_checksum_update (0, odd, 3), 0x0201 ^ 0x0003);
  /* Even pieces give the same as one go. */
  for (guint i = 0; i < 70000; i++)
    big[i] = (guint8) (i * 13 + 5);
  whole = sf_brom_checksum_update (0, big, 70000);
  pieces = sf_brom_checksum_update (sf_brom_checksum_update (0, big, 65536), big + 65536, 70000 - 65536);
  ck_assert_uint_eq (whole, pieces);

  /* §6.8 worked example. */
  ck_assert_uint_eq (sf_da_checksum_update (0, packet, sizeof packet), 0x0105);
  memset (packet, 0xFF, sizeof packet);
  ck_assert_uint_eq (sf_da_checksum_update (0, packet, sizeof packet), (512 * 255) & 0xFFFF);
}
END_TEST

/* ---- chips and errors ---------------------------------------------------- */

START_TEST (test_chip_table)
{
  const SfChip *c = sf_chip_find_by_hw_code (0x6572);

  ck_assert_ptr_eq (sf_chip_get_nth (0), c);
  ck_assert_str_eq (c->name, "MT6572");
  ck_assert_uint_eq (c->wdt_addr, 0x10007000);
  ck_assert_uint_eq (c->wdt_value, 0x22000064);
  ck_assert (sf_chip_is_supported (c));
  ck_assert_ptr_eq (sf_chip_find_by_name ("mt6572"), c);

  c = sf_chip_find_by_hw_code (0x0321);
  ck_assert_str_eq (c->name, "MT6735");
  ck_assert_uint_eq (c->da_code, 0x6735);
  ck_assert_uint_eq (c->wdt_value, 0x22000000);
  ck_assert_uint_eq (sf_chip_find_by_name ("MT6592")->wdt_addr2, 0x10000500);
  ck_assert (!sf_chip_is_supported (sf_chip_find_by_hw_code (0x0766)));
  ck_assert_ptr_null (sf_chip_find_by_hw_code (0x1234));
  ck_assert_ptr_null (sf_chip_find_by_name ("MT9999"));
  ck_assert_uint_eq (sf_chip_get_n_chips (), 6);
}
END_TEST

START_TEST (test_error_codes)
{
  g_autoptr(GError) error = NULL;

  ck_assert_str_eq (sf_error_get_name (SF_ERROR_BROM_STARTCMD_FAIL), "S_BROM_CMD_STARTCMD_FAIL");
  ck_assert_uint_eq (sf_error_get_number (SF_ERROR_BROM_STARTCMD_FAIL), 2005);
  ck_assert_uint_eq (sf_error_get_number (SF_ERROR_BROM_STARTCMD_TIMEOUT), 2006);
  ck_assert_uint_eq (sf_error_get_number (SF_ERROR_BROM_DOWNLOAD_DA_FAIL), 2004);
  ck_assert_uint_eq (sf_error_get_number (SF_ERROR_BROM_SEND_DA_FAIL), 2033);
  ck_assert_uint_eq (sf_error_get_number (SF_ERROR_BROM_SEND_DA_CHKSUM_DIFF), 2034);
  ck_assert_uint_eq (sf_error_get_number (SF_ERROR_BROM_JUMP_DA_FAIL), 2035);
  ck_assert_uint_eq (sf_error_get_number (SF_ERROR_BROM_SET_WATCHDOG_FAIL), 2045);
  ck_assert_uint_eq (sf_error_get_number (SF_ERROR_BROM_GET_HW_VER_FAIL), 2022);
  ck_assert_uint_eq (sf_error_get_number (SF_ERROR_CHIP_TYPE_NOT_MATCH), 3184);
  ck_assert_uint_eq (sf_error_get_number (SF_ERROR_FT_DA_NO_RESPONSE), 4001);
  ck_assert_uint_eq (sf_error_get_number (SF_ERROR_FT_DA_SYNC_INCORRECT), 4002);
  ck_assert_uint_eq (sf_error_get_number (SF_ERROR_FT_DA_INIT_SYNC_ERROR), 4004);
  ck_assert_uint_eq (sf_error_get_number (SF_ERROR_FT_ENABLE_DRAM_FAIL), 4032);
  ck_assert_uint_eq (sf_error_get_number (SF_ERROR_DA_EMMC_NOT_FOUND), 3149);
  ck_assert_uint_eq (sf_error_get_number (SF_ERROR_FT_DOWNLOAD_FAIL), 4008);
  ck_assert_uint_eq (sf_error_get_number (SF_ERROR_FT_READBACK_FAIL), 4009);
  ck_assert_uint_eq (sf_error_get_number (SF_ERROR_FT_FORMAT_FAIL), 4010);
  ck_assert_uint_eq (sf_error_get_number (SF_ERROR_FT_FINISH_CMD_FAIL), 4011);
  ck_assert_uint_eq (sf_error_get_number (SF_ERROR_DA_SDMMC_WRITE_FAILED), 3154);
  ck_assert_uint_eq (sf_error_get_number (SF_ERROR_COM_PORT_OPEN_FAIL), 1013);
  ck_assert_uint_eq (sf_error_get_number (SF_ERROR_TIMEOUT), 1042);
  ck_assert_uint_eq (sf_error_get_number (SF_ERROR_DA_INVALID_RANGE), 3040);
  ck_assert_uint_eq (sf_error_get_number (SF_ERROR_INVALID_DA_FILE), 5002);
  ck_assert_ptr_nonnull (sf_error_get_advice (SF_ERROR_NOT_IN_DOWNLOAD_MODE));
  ck_assert_ptr_nonnull (strstr (sf_error_get_advice (SF_ERROR_NOT_IN_DOWNLOAD_MODE), "volume-down"));

  sf_set_device_error (&error, SF_ERROR_BROM_STARTCMD_FAIL, "the phone did not answer the BootROM handshake");
  ck_assert (g_error_matches (error, SF_ERROR, SF_ERROR_BROM_STARTCMD_FAIL));
  ck_assert_msg (g_str_has_prefix (error->message,
                                   "S_BROM_CMD_STARTCMD_FAIL (2005): the phone did not answer the BootROM handshake — power the phone off completely"),
                 "%s", error->message);
  ck_assert_ptr_null (strchr (error->message, '\n'));
}
END_TEST

/* ---- §11 addresses -------------------------------------------------------- */

static void
expect_address (SfScatter  *scatter,
                const char *name,
                guint64     user_size,
                guint       want_part,
                guint64     want_offset)
{
  SfLayout *layout = sf_scatter_get_layout (scatter, 0);
  SfPartition *p = sf_layout_find_partition (layout, name);
  g_autoptr(GError) error = NULL;
  guint part = 0;
  guint64 offset = 0;

  ck_assert_msg (p != NULL, "no %s", name);
  ck_assert_msg (sf_placement_find (scatter, layout, p, user_size, &part, &offset, &error),
                 "%s: %s", name, error ? error->message : "");
  ck_assert_msg (part == want_part, "%s: part %u", name, part);
  ck_assert_msg (offset == want_offset, "%s: offset 0x%" G_GINT64_MODIFIER "x, want 0x%" G_GINT64_MODIFIER "x",
                 name, offset, want_offset);
}

static void
expect_no_address (SfScatter  *scatter,
                   const char *name,
                   guint64     user_size)
{
  SfLayout *layout = sf_scatter_get_layout (scatter, 0);
  SfPartition *p = sf_layout_find_partition (layout, name);
  g_autoptr(GError) error = NULL;
  guint part = 0;
  guint64 offset = 0;

  ck_assert_msg (p != NULL, "no %s", name);
  ck_assert (!sf_placement_find (scatter, layout, p, user_size, &part, &offset, &error));
  ck_assert_ptr_nonnull (error);
}

START_TEST (test_address_v111)
{
  g_autoptr(SfScatter) s = sf_test_load_fixture ("mt6572-v1.1.1-emmc.txt");
  const guint64 user = 0xE8BCF8000ull >> 4;   /* any plausible size */

  expect_address (s, "PRELOADER", 0, SF_EMMC_PART_BOOT1, 0);
  expect_address (s, "MBR", 0, SF_EMMC_PART_USER, 0);
  expect_address (s, "FAT", 0, SF_EMMC_PART_USER, 0x8c860000 - 0xc00000);
  expect_address (s, "BMTPOOL", user, SF_EMMC_PART_USER, user - 0x1000000);
  expect_no_address (s, "BMTPOOL", 0);
  expect_no_address (s, "BMTPOOL", 0x1000);
}
END_TEST

START_TEST (test_address_16m_boot_area)
{
  /* MBR at 16 MiB in this one. */
  g_autoptr(SfScatter) s = sf_test_load_fixture ("mt6572-v1.1.1-emmc-16m-boot-upper-hex.txt");

  expect_address (s, "PRELOADER", 0, SF_EMMC_PART_BOOT1, 0);
  expect_address (s, "MBR", 0, SF_EMMC_PART_USER, 0);
}
END_TEST

START_TEST (test_address_v112)
{
  g_autoptr(SfScatter) s = sf_test_load_fixture ("mt6580-v1.1.2-emmc-gpt.txt");
  const guint64 user = 8ull << 30;

  expect_address (s, "preloader", 0, SF_EMMC_PART_BOOT1, 0);
  expect_address (s, "pgpt", 0, SF_EMMC_PART_USER, 0);
  expect_address (s, "proinfo", 0, SF_EMMC_PART_USER, 0x80000);
  expect_address (s, "nvram", 0, SF_EMMC_PART_USER, 0x380000);
  expect_address (s, "sgpt", user, SF_EMMC_PART_USER, user - 0x80000);
  expect_address (s, "flashinfo", user, SF_EMMC_PART_USER, user - 0x80000 - 0x1000000);
  expect_no_address (s, "flashinfo", 0);
}
END_TEST

START_TEST (test_address_legacy)
{
  g_autoptr(SfScatter) s = sf_test_load_fixture ("mt6589-legacy-emmc.txt");
  const guint64 user = 4ull << 30;

  expect_address (s, "PRELOADER", 0, SF_EMMC_PART_BOOT1, 0);
  expect_address (s, "MBR", 0, SF_EMMC_PART_USER, 0);
  expect_address (s, "EBR1", 0, SF_EMMC_PART_USER, 0x80000);
  expect_address (s, "BMTPOOL", user, SF_EMMC_PART_USER, user - 0xa8 * 128 * 1024);
}
END_TEST

/* ---- CRC-32 and the sparse checksums (issue 13) ---------------------------- */

START_TEST (test_crc32_vectors)
{
  static const guint8 pattern[4] = { 0xDE, 0xAD, 0xBE, 0xEF };
  g_autofree guint8 *big = g_malloc (4 * 300001);

  /* The check value of CRC-32/ISO-HDLC, and zlib's. */
  ck_assert_uint_eq (sf_crc32 (0, "123456789", 9), 0xCBF43926);
  ck_assert_uint_eq (sf_crc32 (0, "", 0), 0);
  ck_assert_uint_eq (sf_crc32 (0, "The quick brown fox jumps over the lazy dog", 43), 0x414FA339);
  /* Chained in uneven pieces (odd alignments for the 8-byte loop). */
  ck_assert_uint_eq (sf_crc32 (sf_crc32 (sf_crc32 (0, "1", 1), "23456", 5), "789", 3), 0xCBF43926);
  ck_assert_uint_eq (sf_crc32_combine (sf_crc32 (0, "1234", 4), sf_crc32 (0, "56789", 5), 5), 0xCBF43926);

  /* A repeated pattern without the bytes: the same as with them. */
  for (guint i = 0; i < 300001; i++)
    memcpy (big + 4 * i, pattern, 4);
  for (guint n = 0; n < 300001; n = n * 3 + 1)
    ck_assert_uint_eq (sf_crc32_repeat (0x1234, pattern, n), sf_crc32 (0x1234, big, 4 * (gsize) n));
}
END_TEST

START_TEST (test_sparse_bad_crc32_chunk)
{
  const guint32 bs = 4096;
  g_autoptr(GByteArray) a = sparse_header (bs, 2 + 3 + 4 + 1, 5, 28, 12);

  raw_chunk (a, bs, 2, 0x11, 12);
  fill_chunk (a, 3, 0xDEADBEEF, 12);
  chunk_header (a, SF_SPARSE_CHUNK_DONT_CARE, 4, 12, 12);
  chunk_header (a, SF_SPARSE_CHUNK_CRC32, 0, 16, 12);
  put32 (a, expanded_crc (2, 3, 0xDEADBEEF, 4));
  raw_chunk (a, bs, 1, 0x99, 12);

  /* One byte of the first RAW chunk flipped: the data no longer matches. */
  a->data[28 + 12 + 100] ^= 0x01;
  expect_invalid (a, 0, SF_ERROR_IMAGE_CHECKSUM, "CRC32 chunk 3");
}
END_TEST

START_TEST (test_sparse_header_checksum)
{
  const guint32 bs = 4096;
  g_autoptr(GByteArray) good = sparse_header (bs, 2 + 3, 2, 28, 12);
  g_autoptr(GByteArray) bad = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *out = NULL;
  guint32 crc = expanded_crc (2, 3, 0xDEADBEEF, 0);
  gsize len = 0;

  raw_chunk (good, bs, 2, 0x11, 12);
  fill_chunk (good, 3, 0xDEADBEEF, 12);
  bad = g_byte_array_new ();
  g_byte_array_append (bad, good->data, good->len);

  /* image_checksum, at 24: the CRC-32 of the whole expanded image. */
  good->data[24] = crc & 0xFF;
  good->data[25] = (crc >> 8) & 0xFF;
  good->data[26] = (crc >> 16) & 0xFF;
  good->data[27] = crc >> 24;
  out = expand (good, 0, &len, NULL, &error);
  ck_assert_msg (out != NULL, "%s", error ? error->message : "");

  crc ^= 0x80;
  bad->data[24] = crc & 0xFF;
  bad->data[25] = (crc >> 8) & 0xFF;
  bad->data[26] = (crc >> 16) & 0xFF;
  bad->data[27] = crc >> 24;
  expect_invalid (bad, 0, SF_ERROR_IMAGE_CHECKSUM, "sparse header");
}
END_TEST

START_TEST (test_sparse_crc_after_skip)
{
  /* A scan that skips RAW payloads cannot know the CRC: it does not claim
   * damage (the write, which reads every byte, checks it). */
  const guint32 bs = 4096;
  g_autoptr(GByteArray) a = sparse_header (bs, 2 + 1, 3, 28, 12);
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(SfSparseReader) r = NULL;
  g_autoptr(GError) error = NULL;
  const SfSparseChunk *c = NULL;
  guint n = 0;

  raw_chunk (a, bs, 2, 0x11, 12);
  chunk_header (a, SF_SPARSE_CHUNK_CRC32, 0, 16, 12);
  put32 (a, 0xBAD0BAD0);
  fill_chunk (a, 1, 0, 12);

  in = stream_for (a);
  r = sf_sparse_reader_new (in, "test.img", 0, NULL, &error);
  ck_assert_ptr_nonnull (r);
  while (sf_sparse_reader_next (r, &c, NULL, &error) && c != NULL)
    n++;
  ck_assert_msg (error == NULL, "%s", error->message);
  ck_assert_uint_eq (n, 3);
}
END_TEST

static Suite *
sparse_suite (void)
{
  Suite *s = suite_create ("sparse");
  TCase *tc = tcase_create ("sparse");
  TCase *misc = tcase_create ("misc");
  TCase *addr = tcase_create ("address");

  tcase_add_test (tc, test_sparse_all_chunk_types);
  tcase_add_test (tc, test_sparse_long_headers);
  tcase_add_test (tc, test_sparse_bad_raw_size);
  tcase_add_test (tc, test_sparse_bad_fill_size);
  tcase_add_test (tc, test_sparse_bad_dont_care_size);
  tcase_add_loop_test (tc, test_sparse_sum_mismatch, 0, G_N_ELEMENTS (sum_cases));
  tcase_add_test (tc, test_sparse_bad_header);
  tcase_add_test (tc, test_sparse_too_large_for_partition);
  tcase_add_test (tc, test_sparse_truncated_and_unknown);
  tcase_add_test (tc, test_sparse_skips_unread_raw);
  tcase_add_test (tc, test_crc32_vectors);
  tcase_add_test (tc, test_sparse_bad_crc32_chunk);
  tcase_add_test (tc, test_sparse_header_checksum);
  tcase_add_test (tc, test_sparse_crc_after_skip);
  suite_add_tcase (s, tc);

  tcase_add_test (misc, test_checksums);
  tcase_add_test (misc, test_chip_table);
  tcase_add_test (misc, test_error_codes);
  suite_add_tcase (s, misc);

  tcase_add_test (addr, test_address_v111);
  tcase_add_test (addr, test_address_16m_boot_area);
  tcase_add_test (addr, test_address_v112);
  tcase_add_test (addr, test_address_legacy);
  suite_add_tcase (s, addr);

  return s;
}

int
main (void)
{
  return sf_test_run_suite (sparse_suite ());
}
