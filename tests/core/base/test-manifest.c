/* test-manifest.c — manifest.ini: written once, read back as written
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "sf-manifest.h"
#include "sf-test-util.h"

/* SHA-256 of "abc" (FIPS 180-2, appendix B.1). */
#define ABC_SHA256 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

START_TEST (test_round_trip)
{
  g_autofree char *dir = sf_test_make_tempdir ();
  g_autofree char *image = g_build_filename (dir, "NVRAM.bin", NULL);
  g_autofree char *path = g_build_filename (dir, SF_MANIFEST_NAME, NULL);
  g_autoptr(GFile) folder = g_file_new_for_path (dir);
  g_autoptr(GFile) image_file = g_file_new_for_path (image);
  g_autoptr(SfManifest) manifest = sf_manifest_new ();
  g_autoptr(SfManifest) again = NULL;
  g_autoptr(GKeyFile) keys = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *file = NULL;
  g_auto(GStrv) groups = NULL;
  guint64 size = 0;
  gboolean blank = TRUE;
  gsize len = 0;

  sf_test_write_file (image, "abc", 3);
  sf_manifest_set_info (manifest, "phone", "chip", NULL);
  sf_manifest_set_info_uint64 (manifest, "phone", "user-size", 0x1D1F00000);
  ck_assert (sf_manifest_add_file_from_disk (manifest, "NVRAM", image_file, 0x380000, NULL, &error));
  sf_manifest_set_blank (manifest, "NVRAM", FALSE);
  sf_manifest_add_file (manifest, "PROTECT1", "PROTECT1.bin", 0x1000000, 0xA00000, "00ff");
  data = sf_manifest_to_data (manifest, &len);
  sf_test_write_file (path, data, len);

  /* The layout `restore` and earlier versions read. */
  ck_assert (g_key_file_load_from_data (keys, data, len, G_KEY_FILE_NONE, NULL));
  groups = g_key_file_get_groups (keys, NULL);
  ck_assert_str_eq (groups[0], "phone");
  file = g_key_file_get_string (keys, "phone", "chip", NULL);
  ck_assert_str_eq (file, "");
  g_clear_pointer (&file, g_free);
  file = g_key_file_get_string (keys, "NVRAM", "file", NULL);
  ck_assert_str_eq (file, "NVRAM.bin");
  ck_assert_uint_eq (g_key_file_get_uint64 (keys, "NVRAM", "address", NULL), 0x380000);
  ck_assert_uint_eq (g_key_file_get_uint64 (keys, "phone", "user-size", NULL), 0x1D1F00000);

  again = sf_manifest_load (folder, &error);
  ck_assert_msg (again != NULL, "%s", error != NULL ? error->message : "");
  ck_assert (sf_manifest_lookup (again, "NVRAM", &size, &sha, &blank));
  ck_assert_uint_eq (size, 3);
  ck_assert_str_eq (sha, ABC_SHA256);
  ck_assert (!blank);
  ck_assert (sf_manifest_lookup (again, "PROTECT1", &size, NULL, NULL));
  ck_assert_uint_eq (size, 0xA00000);
  ck_assert (!sf_manifest_lookup (again, "SYSTEM", NULL, NULL, NULL));

  sf_test_rm_rf (dir);
}
END_TEST

START_TEST (test_missing)
{
  g_autofree char *dir = sf_test_make_tempdir ();
  g_autoptr(GFile) folder = g_file_new_for_path (dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(SfManifest) manifest = sf_manifest_load (folder, &error);

  ck_assert_ptr_null (manifest);
  ck_assert_ptr_nonnull (error);
  sf_test_rm_rf (dir);
}
END_TEST

START_TEST (test_hash_stream)
{
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_data ("abc", 3, NULL);
  g_autoptr(GInputStream) empty = g_memory_input_stream_new ();
  g_autofree char *sha = NULL;
  g_autofree char *none = NULL;
  guint64 size = 7;

  sha = sf_manifest_hash_stream (in, &size, NULL, NULL);
  ck_assert_str_eq (sha, ABC_SHA256);
  ck_assert_uint_eq (size, 3);
  none = sf_manifest_hash_stream (empty, &size, NULL, NULL);
  ck_assert_str_eq (none, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  ck_assert_uint_eq (size, 0);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("manifest");
  TCase *tc = tcase_create ("manifest");

  tcase_add_test (tc, test_round_trip);
  tcase_add_test (tc, test_missing);
  tcase_add_test (tc, test_hash_stream);
  suite_add_tcase (s, tc);
  return sf_test_run_suite (s);
}
