/* test-partition-table.c — the phone's partition table (PMT) records
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Records are built by hand here from protocol.md §13.6 (0x60 bytes,
 * little-endian fields: name[64], size u64, region/mask u64, linear offset
 * u64), not with the code under test.
 */

#include "config.h"

#include <string.h>

#include "sf-partition-table.h"
#include "sf-error.h"
#include "sf-test-util.h"

static void
put_le64 (guint8  *p,
          guint64  v)
{
  for (int i = 0; i < 8; i++, v >>= 8)
    p[i] = v & 0xFF;
}

/* One record of @stride bytes at @p. */
static void
make_record (guint8     *p,
             gsize       stride,
             const char *name,
             guint64     size,
             guint64     flags,
             guint64     offset)
{
  memset (p, 0, stride);
  memcpy (p, name, strlen (name));
  put_le64 (p + 0x40, size);
  put_le64 (p + 0x48, flags);
  put_le64 (p + 0x50, offset);
}

/* Where the user area starts on the DA's linear wire with 4 MiB BOOT1,
 * BOOT2 and RPMB (§13.9). */
#define BASE  G_GUINT64_CONSTANT (0xC00000)

START_TEST (test_parse_hand_made)
{
  guint8 data[3 * 0x60];
  g_autoptr(GError) error = NULL;
  g_autoptr(SfPartitionTable) t = NULL;
  const SfPartitionTableEntry *e;

  /* §13.6: 0x60-byte records, linear offsets; the DA reads back 0xFF
   * bytes at 0x48. */
  make_record (data, 0x60, "MBR", 0x80000, G_MAXUINT64, BASE);
  make_record (data + 0x60, 0x60, "NVRAM", 0x500000, G_MAXUINT64, BASE + 0x180000);
  make_record (data + 0xC0, 0x60, "ANDROID", 0x1800000, G_MAXUINT64, BASE + 0x1080000);
  t = sf_partition_table_parse (data, sizeof data, BASE, &error);
  ck_assert_msg (t != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (sf_partition_table_get_n_entries (t), 3);
  e = sf_partition_table_get_entry (t, 1);
  ck_assert_str_eq (e->name, "NVRAM");
  ck_assert_uint_eq (e->offset, 0x180000);
  ck_assert_uint_eq (e->size, 0x500000);
  /* Case-insensitive lookup. */
  e = sf_partition_table_lookup (t, "android");
  ck_assert_ptr_nonnull (e);
  ck_assert_uint_eq (e->offset, 0x1080000);
  ck_assert_uint_eq (e->size, 0x1800000);
  ck_assert_ptr_null (sf_partition_table_lookup (t, "CACHE"));
}
END_TEST

START_TEST (test_round_trip)
{
  g_autoptr(SfPartitionTable) t = sf_partition_table_new ();
  g_autoptr(SfPartitionTable) back = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *data;
  gsize len = 0;

  sf_partition_table_add (t, "PRO_INFO", 0x100000, 0x80000);
  sf_partition_table_add (t, "NVRAM", 0x180000, 0x500000);
  sf_partition_table_add (t, "A_NAME_OF_SIXTY_THREE_CHARACTERS_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", G_GUINT64_CONSTANT (0x123456789AB), 0x200);
  bytes = sf_partition_table_to_bytes (t, BASE);
  data = g_bytes_get_data (bytes, &len);
  ck_assert_uint_eq (len, 3 * 0x60);
  /* The wire layout itself: little-endian, region 8, linear offset. */
  ck_assert_str_eq ((const char *) data + 0x60, "NVRAM");
  ck_assert_uint_eq (data[0x60 + 0x40], 0x00);
  ck_assert_uint_eq (data[0x60 + 0x42], 0x50);
  ck_assert_uint_eq (data[0x60 + 0x48], 0x08);
  ck_assert_uint_eq (data[0x60 + 0x52], 0x18 + 0xC0);
  ck_assert_uint_eq (data[2 * 0x60 + 0x50], 0xAB);
  ck_assert_uint_eq (data[2 * 0x60 + 0x52], (0x67 + 0xC0) & 0xFF);
  ck_assert_uint_eq (data[2 * 0x60 + 0x53], 0x46);
  ck_assert_uint_eq (data[2 * 0x60 + 0x55], 0x01);

  back = sf_partition_table_parse (data, len, BASE, &error);
  ck_assert_msg (back != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (sf_partition_table_get_n_entries (back), 3);
  for (guint i = 0; i < 3; i++) {
    const SfPartitionTableEntry *a = sf_partition_table_get_entry (t, i);
    const SfPartitionTableEntry *b = sf_partition_table_get_entry (back, i);

    ck_assert_str_eq (a->name, b->name);
    ck_assert_uint_eq (a->offset, b->offset);
    ck_assert_uint_eq (a->size, b->size);
  }
}
END_TEST

START_TEST (test_at_most_forty)
{
  g_autoptr(SfPartitionTable) t = sf_partition_table_new ();
  g_autoptr(GBytes) bytes = NULL;

  for (guint i = 0; i < 45; i++) {
    g_autofree char *name = g_strdup_printf ("P%u", i);

    sf_partition_table_add (t, name, (guint64) i << 20, 1 << 20);
  }
  bytes = sf_partition_table_to_bytes (t, BASE);
  ck_assert_uint_eq (g_bytes_get_size (bytes), 40 * 0x60);
}
END_TEST

START_TEST (test_empty)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SfPartitionTable) t = sf_partition_table_parse (NULL, 0, BASE, &error);
  g_autoptr(SfPartitionTable) none = sf_partition_table_new ();
  g_autoptr(GBytes) bytes = sf_partition_table_to_bytes (none, BASE);

  ck_assert_ptr_nonnull (t);
  ck_assert (sf_partition_table_is_empty (t));
  ck_assert_uint_eq (g_bytes_get_size (bytes), 0);
}
END_TEST

START_TEST (test_truncated)
{
  guint8 data[2 * 0x60];
  g_autoptr(GError) error = NULL;

  make_record (data, 0x60, "MBR", 0x80000, 0, BASE);
  make_record (data + 0x60, 0x60, "EBR1", 0x80000, 0, BASE + 0x80000);
  for (gsize len = 1; len < sizeof data; len++) {
    g_autoptr(SfPartitionTable) t = NULL;

    if (len == 0x60)
      continue;
    t = sf_partition_table_parse (data, len, BASE, &error);
    ck_assert_msg (t == NULL, "%zu bytes parsed", len);
    ck_assert (g_error_matches (error, SF_ERROR, SF_ERROR_PMT_INVALID));
    g_clear_error (&error);
  }
}
END_TEST

START_TEST (test_bad_names)
{
  guint8 data[0x60];
  g_autoptr(GError) error = NULL;
  g_autoptr(SfPartitionTable) t = NULL;

  /* 64 name bytes without a NUL. */
  make_record (data, 0x60, "X", 1, 0, BASE);
  memset (data, 'A', 64);
  t = sf_partition_table_parse (data, sizeof data, BASE, &error);
  ck_assert_ptr_null (t);
  ck_assert (g_error_matches (error, SF_ERROR, SF_ERROR_PMT_INVALID));
  g_clear_error (&error);

  make_record (data, 0x60, "BAD\001NAME", 1, 0, BASE);
  t = sf_partition_table_parse (data, sizeof data, BASE, &error);
  ck_assert_ptr_null (t);
  ck_assert (g_error_matches (error, SF_ERROR, SF_ERROR_PMT_INVALID));
}
END_TEST

START_TEST (test_boot_records_and_end)
{
  guint8 data[3 * 0x60];
  g_autoptr(GError) error = NULL;
  g_autoptr(SfPartitionTable) t = NULL;

  /* A table SP Flash Tool wrote lists PRELOADER at linear 0: before the
   * user area, left out. An empty name ends the table. */
  make_record (data, 0x60, "PRELOADER", 0x40000, G_MAXUINT64, 0);
  make_record (data + 0x60, 0x60, "MBR", 0x80000, G_MAXUINT64, BASE + 0x80000);
  memset (data + 0xC0, 0, 0x60);
  t = sf_partition_table_parse (data, sizeof data, BASE, &error);
  ck_assert_msg (t != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (sf_partition_table_get_n_entries (t), 1);
  ck_assert_str_eq (sf_partition_table_get_entry (t, 0)->name, "MBR");
  ck_assert_uint_eq (sf_partition_table_get_entry (t, 0)->offset, 0x80000);
  ck_assert_uint_eq (sf_partition_table_get_entry (t, 0)->mask_flags, G_MAXUINT64);
}
END_TEST

START_TEST (test_from_sample_layout)
{
  const char *dir = g_getenv ("SF_SAMPLE_FIRMWARE");
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(SfScatter) scatter = NULL;
  g_autoptr(SfPartitionTable) t = NULL;
  g_autoptr(GError) error = NULL;
  const SfPartitionTableEntry *e;

  ck_assert_msg (dir != NULL, "SF_SAMPLE_FIRMWARE is not set");
  path = g_build_filename (dir, "MT6572_Android_scatter.txt", NULL);
  file = g_file_new_for_path (path);
  scatter = sf_scatter_new_from_file (file, NULL, &error);
  ck_assert_msg (scatter != NULL, "%s", error ? error->message : "");
  t = sf_partition_table_new_from_layout (scatter, sf_scatter_get_layout (scatter, 0), &error);
  ck_assert_msg (t != NULL, "%s", error ? error->message : "");

  /* V1.1.1: user offsets count from MBR (linear 0xC00000). */
  e = sf_partition_table_get_entry (t, 0);
  ck_assert_str_eq (e->name, "MBR");
  ck_assert_uint_eq (e->offset, 0);
  e = sf_partition_table_lookup (t, "NVRAM");
  ck_assert_ptr_nonnull (e);
  ck_assert_uint_eq (e->offset, 0x180000);
  ck_assert_uint_eq (e->size, 0x500000);
  e = sf_partition_table_lookup (t, "ANDROID");
  ck_assert_ptr_nonnull (e);
  ck_assert_uint_eq (e->offset, 0x1080000);
  ck_assert_uint_eq (e->size, 0x1800000);
  /* Boot area, size 0 and end-relative partitions are not in it. */
  ck_assert_ptr_null (sf_partition_table_lookup (t, "PRELOADER"));
  ck_assert_ptr_null (sf_partition_table_lookup (t, "FAT"));
  ck_assert_ptr_null (sf_partition_table_lookup (t, "BMTPOOL"));
  /* MBR EBR1 PRO_INFO NVRAM PROTECT_F PROTECT_S SECCFG UBOOT BOOTIMG RECOVERY
   * SEC_RO MISC LOGO EXPDB ANDROID CACHE USRDATA */
  ck_assert_uint_eq (sf_partition_table_get_n_entries (t), 17);
}
END_TEST

static Suite *
partition_table_suite (void)
{
  Suite *s = suite_create ("partition-table");
  TCase *tc = tcase_create ("pmt");

  tcase_add_test (tc, test_parse_hand_made);
  tcase_add_test (tc, test_round_trip);
  tcase_add_test (tc, test_empty);
  tcase_add_test (tc, test_truncated);
  tcase_add_test (tc, test_bad_names);
  tcase_add_test (tc, test_boot_records_and_end);
  tcase_add_test (tc, test_at_most_forty);
  tcase_add_test (tc, test_from_sample_layout);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return sf_test_run_suite (partition_table_suite ());
}
