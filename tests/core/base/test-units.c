/* test-units.c — sizes, byte counts and regions, one way everywhere
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "sf-mtk.h"
#include "sf-mtk-checksum.h"
#include "sf-test-util.h"
#include "sf-units.h"

static void
assert_parses (const char   *text,
               SfNumberKind  kind,
               guint64       want)
{
  const char *problem = NULL;
  guint64 got = 0;

  ck_assert_msg (sf_parse_number (text, kind, &got, &problem), "“%s”: %s", text, problem);
  ck_assert_msg (got == want, "“%s” gave %" G_GUINT64_FORMAT, text, got);
}

static void
assert_refused (const char   *text,
                SfNumberKind  kind,
                const char   *problem_part)
{
  const char *problem = NULL;
  guint64 got = 7;

  ck_assert_msg (!sf_parse_number (text, kind, &got, &problem), "“%s” was taken as %" G_GUINT64_FORMAT, text, got);
  ck_assert_msg (problem != NULL && strstr (problem, problem_part) != NULL, "“%s”: %s", text, problem);
  ck_assert_uint_eq (got, 7);
}

START_TEST (test_numbers)
{
  assert_parses ("0x1F600000", SF_NUMBER_BYTES, 0x1F600000);
  assert_parses ("0XFFE00", SF_NUMBER_BYTES, 0xFFE00);
  assert_parses ("524288", SF_NUMBER_BYTES, 524288);
  assert_parses ("512K", SF_NUMBER_BYTES, 512 * 1024);
  assert_parses ("4m", SF_NUMBER_BYTES, 4 * 1024 * 1024);
  assert_parses ("1G", SF_NUMBER_BYTES, G_GUINT64_CONSTANT (1) << 30);
  assert_parses ("9223372036854775807", SF_NUMBER_BYTES, G_MAXINT64);
  assert_parses ("3", SF_NUMBER_DECIMAL, 3);
  assert_parses (" 0x100000 ", SF_NUMBER_HEX, 0x100000);
  assert_parses ("200", SF_NUMBER_HEX, 0x200);

  assert_refused ("-512", SF_NUMBER_BYTES, "negative");
  assert_refused ("-0x200", SF_NUMBER_HEX, "negative");
  /* strtoull's wrap-around and 2^63 and up are refused, not reduced. */
  assert_refused ("99999999999999999999", SF_NUMBER_BYTES, "too large");
  assert_refused ("18446744073709551615", SF_NUMBER_DECIMAL, "too large");
  assert_refused ("9223372036854775808", SF_NUMBER_BYTES, "too large");
  assert_refused ("17179869184G", SF_NUMBER_BYTES, "too large");
  assert_refused ("0x10000000000000000", SF_NUMBER_HEX, "too large");
  assert_refused ("", SF_NUMBER_BYTES, "byte count");
  assert_refused ("0x", SF_NUMBER_BYTES, "byte count");
  assert_refused ("+512", SF_NUMBER_BYTES, "byte count");
  assert_refused (" 512", SF_NUMBER_BYTES, "byte count");
  assert_refused ("4T", SF_NUMBER_BYTES, "byte count");
  assert_refused ("12abc", SF_NUMBER_DECIMAL, "whole number");
  assert_refused ("0x1F", SF_NUMBER_DECIMAL, "whole number");
  assert_refused ("0xZZ", SF_NUMBER_HEX, "hexadecimal");
  assert_refused ("1 2", SF_NUMBER_HEX, "hexadecimal");

  ck_assert (sf_is_sector_aligned (0));
  ck_assert (sf_is_sector_aligned (0x200));
  ck_assert (!sf_is_sector_aligned (0x201));
}
END_TEST

START_TEST (test_sizes_and_regions)
{
  g_autofree char *mib = sf_format_size (12 * 1024 * 1024);
  g_autofree char *exact = sf_format_size_exact (3 * 1024 * 1024 / 2);

  /* One system (powers of two) and a plain space. */
  ck_assert_str_eq (mib, "12.0 MiB");
  ck_assert_str_eq (exact, "1.5 MiB (1572864 bytes)");

  ck_assert_uint_eq (sf_emmc_part_from_region ("EMMC_USER"), SF_EMMC_PART_USER);
  ck_assert_uint_eq (sf_emmc_part_from_region ("emmc_boot_1"), SF_EMMC_PART_BOOT1);
  ck_assert_uint_eq (sf_emmc_part_from_region ("EMMC_BOOT1_BOOT2"), SF_EMMC_PART_BOOT1);
  ck_assert_uint_eq (sf_emmc_part_from_region ("BOOT2"), SF_EMMC_PART_BOOT2);
  ck_assert_uint_eq (sf_emmc_part_from_region ("NAND"), 0);
  ck_assert_uint_eq (sf_emmc_part_from_region (NULL), 0);
  ck_assert_str_eq (sf_emmc_part_to_region (SF_EMMC_PART_USER), "EMMC_USER");
  ck_assert_str_eq (sf_emmc_part_to_region (SF_EMMC_PART_BOOT1), "EMMC_BOOT_1");
  ck_assert_str_eq (sf_emmc_part_to_region (SF_EMMC_PART_BOOT2), "EMMC_BOOT_2");
  ck_assert_str_eq (sf_emmc_part_to_region (99), "?");
}
END_TEST

/* The DA's packet checksum, word at a time, against its definition (the
 * byte sum & 0xFFFF) for every small length, every start alignment, the
 * 128-word block boundary and the carry out of the 16-bit lanes. */
static guint16
reference_sum (guint16       sum,
               const guint8 *data,
               gsize         len)
{
  guint32 s = sum;

  for (gsize i = 0; i < len; i++)
    s += data[i];
  return (guint16) (s & 0xFFFF);
}

START_TEST (test_byte_sum)
{
  gsize big = 1024 * 1024 + 64;
  g_autofree guint8 *data = g_malloc (big);
  g_autofree guint8 *ones = g_malloc (big);
  GRand *rand = g_rand_new_with_seed (6572);
  const guint16 starts[] = { 0, 0xFFFF, 0x1234 };

  for (gsize i = 0; i < big; i++)
    data[i] = (guint8) g_rand_int (rand);
  memset (ones, 0xFF, big);
  g_rand_free (rand);

  for (guint k = 0; k < G_N_ELEMENTS (starts); k++) {
    for (gsize off = 0; off < 16; off++) {
      for (gsize len = 0; len <= 300; len++)
        ck_assert_uint_eq (sf_mtk_byte_sum16 (starts[k], data + off, len),
                           reference_sum (starts[k], data + off, len));
      for (gsize extra = 0; extra < 18; extra++) {
        gsize len = 1024 * 1024 - 8 + extra;

        ck_assert_uint_eq (sf_mtk_byte_sum16 (starts[k], data + off, len),
                           reference_sum (starts[k], data + off, len));
      }
    }
    /* All 0xFF: the lanes come closest to their limit. */
    for (gsize len = 1016; len <= 1040; len++)
      ck_assert_uint_eq (sf_mtk_byte_sum16 (starts[k], ones, len), reference_sum (starts[k], ones, len));
    ck_assert_uint_eq (sf_mtk_byte_sum16 (starts[k], ones, big), reference_sum (starts[k], ones, big));
  }
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("units");
  TCase *tc = tcase_create ("units");

  tcase_add_test (tc, test_numbers);
  tcase_add_test (tc, test_sizes_and_regions);
  tcase_add_test (tc, test_byte_sum);
  suite_add_tcase (s, tc);
  return sf_test_run_suite (s);
}
