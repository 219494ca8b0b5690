/* test-cli.c — scatterflash-cli: exit codes, the JSON contract, messages
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "sf-test-util.h"

static JsonObject *
parse_json (const char  *text,
            JsonParser **out_parser)
{
  g_autoptr(GError) error = NULL;
  JsonParser *parser = json_parser_new ();

  ck_assert_msg (json_parser_load_from_data (parser, text, -1, &error),
                 "stdout is not JSON: %s", error ? error->message : "");
  ck_assert (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  *out_parser = parser;
  return json_node_get_object (json_parser_get_root (parser));
}

/* A fixture copied under the name a user's file has. */
static char *
copy_fixture (const char *fixture,
              const char *as_name,
              char      **out_dir)
{
  g_autofree char *src = sf_test_fixture_path (fixture);
  g_autofree char *contents = NULL;
  gsize len = 0;
  char *dir = sf_test_make_tempdir ();
  char *dst = g_build_filename (dir, as_name, NULL);

  ck_assert (g_file_get_contents (src, &contents, &len, NULL));
  sf_test_write_file (dst, contents, len);
  *out_dir = dir;
  return dst;
}

static JsonObject *
partition_at (JsonObject *root,
              guint       layout,
              guint       index)
{
  JsonArray *layouts = json_object_get_array_member (root, "layouts");
  JsonObject *lay = json_array_get_object_element (layouts, layout);
  JsonArray *parts = json_object_get_array_member (lay, "partitions");

  return json_array_get_object_element (parts, index);
}

START_TEST (test_scatter_json_v111)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = copy_fixture ("mt6572-v1.1.1-emmc.txt", "MT6572_Android_scatter.txt", &dir);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *root, *part;
  JsonArray *layouts;
  int status;

  status = sf_test_run_cli (&out, &err, "scatter", "--json", path, NULL);
  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  root = parse_json (out, &parser);

  ck_assert_str_eq (json_object_get_string_member (root, "format"), "V1.1.1");
  ck_assert_str_eq (json_object_get_string_member (root, "platform"), "MT6572");
  ck_assert_str_eq (json_object_get_string_member (root, "project"), "hx72_a40_emmc");
  layouts = json_object_get_array_member (root, "layouts");
  ck_assert_uint_eq (json_array_get_length (layouts), 1);
  ck_assert_str_eq (json_object_get_string_member (json_array_get_object_element (layouts, 0), "storage"), "EMMC");
  ck_assert_uint_eq (json_array_get_length (json_object_get_array_member (json_array_get_object_element (layouts, 0),
                                                                          "partitions")), 20);

  part = partition_at (root, 0, 0);
  ck_assert_int_eq (json_object_get_int_member (part, "index"), 0);
  ck_assert_str_eq (json_object_get_string_member (part, "name"), "PRELOADER");
  ck_assert_str_eq (json_object_get_string_member (part, "file_name"), "preloader_hx72_a40_emmc.bin");
  ck_assert (json_object_get_boolean_member (part, "is_download"));
  ck_assert_str_eq (json_object_get_string_member (part, "type"), "SV5_BL_BIN");
  ck_assert_str_eq (json_object_get_string_member (part, "operation_type"), "BOOTLOADERS");
  ck_assert_str_eq (json_object_get_string_member (part, "region"), "EMMC_BOOT_1");
  ck_assert (!json_object_get_boolean_member (part, "is_reserved"));
  ck_assert_int_eq (json_object_get_int_member (part, "start"), 0);
  ck_assert_int_eq (json_object_get_int_member (part, "size"), 12582912);
  ck_assert_int_eq (json_object_get_int_member (part, "line"), 21);

  part = partition_at (root, 0, 19);
  ck_assert_str_eq (json_object_get_string_member (part, "name"), "BMTPOOL");
  ck_assert (json_object_get_null_member (part, "file_name"));
  ck_assert (json_object_get_null_member (part, "type"));
  ck_assert (json_object_get_boolean_member (part, "is_reserved"));
  /* End-relative addresses stay as written. */
  ck_assert_int_eq (json_object_get_int_member (part, "start"), 4294901888);
  ck_assert_int_eq (json_object_get_int_member (part, "size"), 0x1000000);
  ck_assert_int_eq (json_object_get_int_member (part, "line"), 306);

  /* Integers, never hex strings. */
  ck_assert (json_node_get_value_type (json_object_get_member (part, "start")) == G_TYPE_INT64);
  sf_test_rm_rf (dir);
}
END_TEST

START_TEST (test_scatter_json_legacy)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = copy_fixture ("mt6589-legacy-emmc.txt", "MT6589_Android_scatter_emmc.txt", &dir);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *root, *part;
  int status;

  status = sf_test_run_cli (&out, &err, "scatter", "--json", path, NULL);
  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  root = parse_json (out, &parser);
  ck_assert_str_eq (json_object_get_string_member (root, "format"), "legacy");
  ck_assert_str_eq (json_object_get_string_member (root, "platform"), "MT6589");
  ck_assert (json_object_get_null_member (root, "project"));
  ck_assert_str_eq (json_object_get_string_member (
                      json_array_get_object_element (json_object_get_array_member (root, "layouts"), 0),
                      "storage"), "EMMC");
  part = partition_at (root, 0, 3);
  ck_assert_str_eq (json_object_get_string_member (part, "name"), "PMT");
  ck_assert (!json_object_get_boolean_member (part, "is_download"));
  ck_assert (json_object_get_null_member (part, "size"));
  ck_assert_int_eq (json_object_get_int_member (part, "start"), 0x700000);
  ck_assert_int_eq (json_object_get_int_member (part, "line"), 10);
  sf_test_rm_rf (dir);
}
END_TEST

START_TEST (test_scatter_json_combo)
{
  g_autofree char *path = sf_test_fixture_path ("mt6785-v2.1.0-combo-crlf.txt");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *root;
  JsonArray *layouts;
  int status;

  status = sf_test_run_cli (&out, &err, "scatter", "--json", path, NULL);
  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  root = parse_json (out, &parser);
  ck_assert_str_eq (json_object_get_string_member (root, "format"), "V2.1.0");
  layouts = json_object_get_array_member (root, "layouts");
  ck_assert_uint_eq (json_array_get_length (layouts), 2);
  ck_assert_str_eq (json_object_get_string_member (json_array_get_object_element (layouts, 1), "storage"), "UFS");
  ck_assert_str_eq (json_object_get_string_member (partition_at (root, 1, 0), "region"), "UFS_LU0_LU1");
  ck_assert_int_eq (json_object_get_int_member (partition_at (root, 1, 0), "line"), 668);
}
END_TEST

START_TEST (test_scatter_text_and_timing)
{
  g_autofree char *path = sf_test_fixture_path ("mt6785-v2.1.0-combo-crlf.txt");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  status = sf_test_run_cli (&out, &err, "scatter", "--timing", path, NULL);
  ck_assert_int_eq (status, 0);
  ck_assert_ptr_nonnull (strstr (out, "Storage: UFS, 37 partitions"));
  ck_assert_ptr_nonnull (strstr (out, "UFS_LU0_LU1"));
  ck_assert_ptr_nonnull (strstr (err, "parse time: "));
}
END_TEST

START_TEST (test_usage_errors)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  ck_assert_int_eq (sf_test_run_cli (&out, &err, NULL), 2);
  ck_assert_int_eq (sf_test_run_cli (&out, &err, "frobnicate", NULL), 2);
  ck_assert_ptr_nonnull (strstr (err, "frobnicate"));
  ck_assert_int_eq (sf_test_run_cli (&out, &err, "scatter", NULL), 2);
  ck_assert_ptr_nonnull (strstr (err, "scatterflash-cli scatter --help"));
  ck_assert_int_eq (sf_test_run_cli (&out, &err, "scatter", "--bogus", "x", NULL), 2);
  ck_assert_int_eq (sf_test_run_cli (&out, &err, "plan", "--scene", "download-all", "x", NULL), 2);
  ck_assert_ptr_nonnull (strstr (err, "download-all"));
  ck_assert_int_eq (sf_test_run_cli (&out, &err, "scatter", "--help", NULL), 0);
  ck_assert_ptr_nonnull (strstr (out, "--json"));
  ck_assert_int_eq (sf_test_run_cli (&out, &err, "plan", "--help", NULL), 0);
  ck_assert_ptr_nonnull (strstr (out, "--partitions"));
  ck_assert_int_eq (sf_test_run_cli (&out, &err, "--version", NULL), 0);
  ck_assert_ptr_nonnull (strstr (out, PACKAGE_VERSION));
}
END_TEST

/* Bad input: exit 2, one message `FILE:LINE: … — …` on stderr, nothing on stdout. */
START_TEST (test_bad_scatter_exit_2)
{
  g_autofree char *dir = sf_test_make_tempdir ();
  g_autofree char *bad = g_build_filename (dir, "MT6572_Android_scatter.txt", NULL);
  g_autofree char *missing = g_build_filename (dir, "nothing-here.txt", NULL);
  static const char text[] =
    "- general: MTK_PLATFORM_CFG\n  info:\n    - config_version: V1.1.2\n"
    "- partition_index: SYS0\n  partition_name: a\n  linear_start_addr: 0x0\n  partition_size: 0x1000\n"
    "- partition_index: SYS1\n  partition_name: b\n  linear_start_addr: 0x800\n  partition_size: 0x1000\n";
  const char *targets[] = { bad, missing, dir };

  sf_test_write_file (bad, text, strlen (text));
  for (guint i = 0; i < G_N_ELEMENTS (targets); i++) {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int status = sf_test_run_cli (&out, &err, "scatter", "--json", targets[i], NULL);

    ck_assert_msg (status == 2, "%s: exit %d", targets[i], status);
    ck_assert_str_eq (out, "");
    ck_assert_msg (strstr (err, " — ") != NULL, "no advice: %s", err);
    ck_assert_uint_eq (strchr (err, '\n') - err + 1, strlen (err));  /* one line */
  }
  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autofree char *want = g_strdup_printf ("%s:8: ", bad);

    sf_test_run_cli (&out, &err, "scatter", bad, NULL);
    ck_assert_msg (strstr (err, want) != NULL, "want %s in %s", want, err);
    ck_assert_ptr_nonnull (strstr (err, "overlaps"));
  }
  sf_test_rm_rf (dir);
}
END_TEST

/* The junk real files carry (scatter-format.md §12): the file loads, and
 * `scatter --json` names each piece under "warnings" with file and line. */
static const struct {
  const char *fixture;
  guint       line;
  const char *needle;
} junk[] = {
  { "mt6572-v1.1.1-emmc-tool-filler.txt", 321, "left out" },
  { "mt6739-v1.1.6-emmc-reserved-tail-absolute.txt", 413, "sgpt at 0xea0fbd80 is out of place" },
  { "mt6580-v1.1.2-emmc-tool-marker-line.txt", 1, "BIRDTOOLMINVER[3.0]" },
  { "mt6735-v1.1.2-emmc-index-from-1.txt", 21, "partition_index starts at SYS1" },
};

START_TEST (test_scatter_json_junk_warnings)
{
  g_autofree char *path = sf_test_fixture_path (junk[_i].fixture);
  g_autofree char *where = g_strdup_printf ("%s:%u: ", path, junk[_i].line);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonParser) parser = NULL;
  JsonArray *warnings;
  guint found = 0;
  int status;

  status = sf_test_run_cli (&out, &err, "scatter", "--json", path, NULL);
  ck_assert_msg (status == 0, "%s: exit %d: %s", junk[_i].fixture, status, err);
  warnings = json_object_get_array_member (parse_json (out, &parser), "warnings");
  for (guint i = 0; i < json_array_get_length (warnings); i++) {
    const char *text = json_array_get_string_element (warnings, i);

    if (g_str_has_prefix (text, where) && strstr (text, junk[_i].needle) != NULL)
      found++;
  }
  ck_assert_msg (found == 1, "%s: %u warnings “%s…%s”", junk[_i].fixture, found, where, junk[_i].needle);
}
END_TEST

/* An OTA package's partition list is not a scatter file: refused, saying so. */
START_TEST (test_scatter_ota_list_exit_2)
{
  g_autofree char *name = g_build_filename ("bad", "ota-partition-list.txt", NULL);
  g_autofree char *path = sf_test_fixture_path (name);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  status = sf_test_run_cli (&out, &err, "scatter", "--json", path, NULL);
  ck_assert_int_eq (status, 2);
  ck_assert_str_eq (out, "");
  ck_assert_msg (strstr (err, ":1: ") != NULL && strstr (err, "OTA update") != NULL, "%s", err);
}
END_TEST

START_TEST (test_plan_sample_firmware)
{
  const char *sample = g_getenv ("SF_SAMPLE_FIRMWARE");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *root;
  JsonArray *steps;
  gint64 sum = 0;
  int status;

  ck_assert_ptr_nonnull (sample);
  status = sf_test_run_cli (&out, &err, "plan", "--scene", "download-only", "--json", sample, NULL);
  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  root = parse_json (out, &parser);
  ck_assert_str_eq (json_object_get_string_member (root, "scene"), "download-only");
  ck_assert_str_eq (json_object_get_string_member (root, "platform"), "MT6572");
  steps = json_object_get_array_member (root, "steps");
  ck_assert_uint_gt (json_array_get_length (steps), 5);
  for (guint i = 0; i < json_array_get_length (steps); i++) {
    JsonObject *step = json_array_get_object_element (steps, i);

    ck_assert_str_eq (json_object_get_string_member (step, "kind"), "download");
    sum += json_object_get_int_member (step, "bytes");
  }
  ck_assert_str_eq (json_object_get_string_member (json_array_get_object_element (steps, 0), "partition"),
                    "PRELOADER");
  ck_assert_int_eq (json_object_get_int_member (root, "total_bytes"), sum);

  status = sf_test_run_cli (&out, &err, "plan", "--scene", "download-only", "--partitions", "BOOTIMG,NO_SUCH",
                            sample, NULL);
  ck_assert_int_eq (status, 2);
  ck_assert_ptr_nonnull (strstr (err, "NO_SUCH"));
  ck_assert_str_eq (out, "");

  status = sf_test_run_cli (&out, &err, "plan", "--scene", "download-only", "--partitions", "BOOTIMG",
                            sample, NULL);
  ck_assert_int_eq (status, 0);
  ck_assert_ptr_nonnull (strstr (out, "BOOTIMG"));
  ck_assert_ptr_null (strstr (out, "ANDROID"));
}
END_TEST

/* A copy of the sample firmware the test may spoil. */
static char *
copy_sample (void)
{
  const char *sample = g_getenv ("SF_SAMPLE_FIRMWARE");
  g_autoptr(GDir) dir = NULL;
  const char *name;
  char *copy = sf_test_make_tempdir ();

  ck_assert_ptr_nonnull (sample);
  dir = g_dir_open (sample, 0, NULL);
  ck_assert_ptr_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *src = g_build_filename (sample, name, NULL);
    g_autofree char *dst = g_build_filename (copy, name, NULL);
    g_autofree char *data = NULL;
    gsize len = 0;

    ck_assert (g_file_get_contents (src, &data, &len, NULL));
    sf_test_write_file (dst, data, len);
  }
  return copy;
}

static guint
scatter_line_of (const char *folder,
                 const char *partition)
{
  g_autofree char *path = g_build_filename (folder, "MT6572_Android_scatter.txt", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(SfScatter) scatter = sf_scatter_new_from_file (file, NULL, NULL);
  SfPartition *part;

  ck_assert_ptr_nonnull (scatter);
  part = sf_layout_find_partition (sf_scatter_get_layout (scatter, 0), partition);
  ck_assert_ptr_nonnull (part);
  return part->line;
}

START_TEST (test_plan_bad_images_exit_2)
{
  g_autofree char *dir = copy_sample ();
  g_autofree char *boot = g_build_filename (dir, "boot.img", NULL);
  g_autofree char *system = g_build_filename (dir, "system.img", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *want = NULL;
  /* An Android sparse header that claims 1 GiB of blocks: larger than ANDROID. */
  const guint8 sparse[28] = { 0x3A, 0xFF, 0x26, 0xED, 1, 0, 0, 0, 28, 0, 12, 0,
                              0x00, 0x10, 0, 0, 0x00, 0x00, 0x04, 0x00, 0, 0, 0, 0, 0, 0, 0, 0 };
  int status;

  ck_assert_int_eq (g_remove (boot), 0);
  status = sf_test_run_cli (&out, &err, "plan", "--scene", "download-only", dir, NULL);
  ck_assert_int_eq (status, 2);
  ck_assert_str_eq (out, "");
  want = g_strdup_printf ("MT6572_Android_scatter.txt:%u: ", scatter_line_of (dir, "BOOTIMG"));
  ck_assert_msg (strstr (err, want) != NULL && strstr (err, "boot.img") != NULL && strstr (err, " — ") != NULL,
                 "%s", err);

  /* Without BOOTIMG ticked the rest plans fine. */
  status = sf_test_run_cli (&out, &err, "plan", "--scene", "download-only", "--partitions",
                            "PRELOADER,ANDROID", dir, NULL);
  ck_assert_msg (status == 0, "%s", err);

  sf_test_write_file (system, sparse, sizeof sparse);
  g_free (want);
  want = g_strdup_printf ("MT6572_Android_scatter.txt:%u: ", scatter_line_of (dir, "ANDROID"));
  status = sf_test_run_cli (&out, &err, "plan", "--scene", "download-only", "--partitions", "ANDROID",
                            "--json", dir, NULL);
  ck_assert_int_eq (status, 2);
  ck_assert_str_eq (out, "");
  ck_assert_msg (strstr (err, want) != NULL && strstr (err, "system.img") != NULL, "%s", err);
  sf_test_rm_rf (dir);
}
END_TEST

START_TEST (test_zip_without_scatter_exit_2)
{
  g_autofree char *dir = sf_test_make_tempdir ();
  g_autofree char *zip = g_build_filename (dir, "firmware.zip", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  struct archive *a = archive_write_new ();
  struct archive_entry *e = archive_entry_new ();
  static const char text[] = "not a scatter\n";

  archive_write_set_format_zip (a);
  ck_assert_int_eq (archive_write_open_filename (a, zip), ARCHIVE_OK);
  archive_entry_set_pathname (e, "firmware/readme.txt");
  archive_entry_set_size (e, sizeof text - 1);
  archive_entry_set_filetype (e, AE_IFREG);
  archive_entry_set_perm (e, 0644);
  archive_write_header (a, e);
  archive_write_data (a, text, sizeof text - 1);
  archive_entry_free (e);
  archive_write_close (a);
  archive_write_free (a);

  ck_assert_int_eq (sf_test_run_cli (&out, &err, "scatter", "--json", zip, NULL), 2);
  ck_assert_str_eq (out, "");
  ck_assert_msg (strstr (err, "firmware.zip") != NULL && strstr (err, " — ") != NULL, "%s", err);
  ck_assert_int_eq (sf_test_run_cli (&out, &err, "plan", "--scene", "download-only", zip, NULL), 2);
  sf_test_rm_rf (dir);
}
END_TEST

START_TEST (test_dry_run_touches_nothing)
{
  const char *sample = g_getenv ("SF_SAMPLE_FIRMWARE");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  /* No phone at that port: a dry run never opens it. */
  status = sf_test_run_cli (&out, &err, "download", "--port", "/dev/no-such-port", "--dry-run",
                            "--scene", "format-all-download", sample, NULL);
  ck_assert_msg (status == 0, "%s", err);
  ck_assert_ptr_nonnull (strstr (out, "format-all"));
  ck_assert_ptr_nonnull (strstr (out, "restore"));
  ck_assert_ptr_nonnull (strstr (err, "Dry run"));

  status = sf_test_run_cli (&out, &err, "format", "--port", "/dev/no-such-port", "--dry-run",
                            "--region", "EMMC_USER", "--start", "0", "--length", "1M", NULL);
  ck_assert_msg (status == 0, "%s", err);
  ck_assert_ptr_nonnull (strstr (out, "EMMC_USER"));

  status = sf_test_run_cli (&out, &err, "readback", "--port", "/dev/no-such-port", "--dry-run",
                            "--partition", "NVRAM", "--output", "/nonexistent/nvram.bin", sample, NULL);
  ck_assert_msg (status == 0, "%s", err);
  ck_assert_ptr_nonnull (strstr (out, "readback"));
}
END_TEST

static Suite *
cli_suite (void)
{
  Suite *s = suite_create ("cli");
  TCase *tc = tcase_create ("cli");

  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_scatter_json_v111);
  tcase_add_test (tc, test_scatter_json_legacy);
  tcase_add_test (tc, test_scatter_json_combo);
  tcase_add_test (tc, test_scatter_text_and_timing);
  tcase_add_loop_test (tc, test_scatter_json_junk_warnings, 0, G_N_ELEMENTS (junk));
  tcase_add_test (tc, test_scatter_ota_list_exit_2);
  tcase_add_test (tc, test_usage_errors);
  tcase_add_test (tc, test_bad_scatter_exit_2);
  tcase_add_test (tc, test_plan_sample_firmware);
  tcase_add_test (tc, test_plan_bad_images_exit_2);
  tcase_add_test (tc, test_zip_without_scatter_exit_2);
  tcase_add_test (tc, test_dry_run_touches_nothing);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return sf_test_run_suite (cli_suite ());
}
