/* test-backup.c — `backup` and `restore` against the virtual phone
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A phone with the sample firmware and planted calibration is backed up,
 * wiped and restored; its storage files must come back byte for byte
 * wherever a backed-up partition lies. Each CLI run powers on a new phone
 * on the same storage, as unplugging and replugging a real one would.
 */

#include "config.h"

#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <unistd.h>

#include "sf-scatter-writer.h"
#include "sf-sim.h"
#include "sf-test-util.h"

#define MB (1024 * 1024)
#define USER_SIZE (256 * MB)
#define NVRAM_USER_OFFSET 0x180000
#define NVRAM_SIZE (5 * MB)

static char *storage;
static char *work;

static void
setup (void)
{
  storage = sf_test_make_tempdir ();
  work = sf_test_make_tempdir ();
}

static void
teardown (void)
{
  sf_test_rm_rf (storage);
  sf_test_rm_rf (work);
  g_clear_pointer (&storage, g_free);
  g_clear_pointer (&work, g_free);
}

static const char *
sample (void)
{
  const char *dir = g_getenv ("SF_SAMPLE_FIRMWARE");

  ck_assert_msg (dir != NULL, "SF_SAMPLE_FIRMWARE is not set");
  return dir;
}

static SfSim *
start_phone (void)
{
  SfSimOptions opts;
  g_autoptr(GError) error = NULL;
  SfSim *sim;

  sf_sim_options_init (&opts);
  opts.storage_dir = storage;
  opts.emmc_user_size = USER_SIZE;
  /* Backups and readbacks need no firmware: through the preloader the
   * DRAM is up already (§13.2). */
  opts.mode = SF_SIM_MODE_PRELOADER;
  sim = sf_sim_new (&opts, &error);
  ck_assert_msg (sim != NULL, "%s", error ? error->message : "");
  ck_assert_msg (sf_sim_start (sim, &error), "%s", error ? error->message : "");
  return sim;
}

/* Runs COMMAND --port P ARGS… (NULL-ended) against a freshly powered-on
 * phone; with @out_flash_bytes, says how many flash bytes it moved. */
static int
run_on_phone (char       **out,
              char       **err,
              guint64     *out_flash_bytes,
              const char  *command,
              ...)
{
  g_autoptr(SfSim) sim = start_phone ();
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *arg;
  va_list ap;
  int status;

  g_ptr_array_add (args, (gpointer) command);
  g_ptr_array_add (args, (gpointer) "--port");
  g_ptr_array_add (args, (gpointer) sf_sim_get_port_path (sim));
  va_start (ap, command);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  status = sf_test_run_cliv (out, err, (const char * const *) args->pdata);
  if (out_flash_bytes != NULL)
    *out_flash_bytes = sf_sim_get_flash_bytes (sim);
  return status;
}

static void
plant_nvram (void)
{
  g_autofree char *user = g_build_filename (storage, "user.bin", NULL);
  g_autofree guint8 *data = g_malloc (NVRAM_SIZE);
  GRand *rand = g_rand_new_with_seed (0xbac);
  int fd;

  for (gsize i = 0; i < NVRAM_SIZE; i++)
    data[i] = (guint8) g_rand_int (rand);
  g_rand_free (rand);
  fd = open (user, O_RDWR | O_CREAT, 0644);
  ck_assert_int_ge (fd, 0);
  ck_assert_int_eq (ftruncate (fd, USER_SIZE), 0);
  ck_assert_int_eq (pwrite (fd, data, NVRAM_SIZE, NVRAM_USER_OFFSET), NVRAM_SIZE);
  close (fd);
}

static GBytes *
read_range (const char *device,
            guint64     offset,
            gsize       length)
{
  g_autofree char *path = g_build_filename (storage, device, NULL);
  guint8 *data = g_malloc0 (length);
  int fd = open (path, O_RDONLY);

  ck_assert_int_ge (fd, 0);
  ck_assert_int_eq (pread (fd, data, length, (off_t) offset), (gssize) length);
  close (fd);
  return g_bytes_new_take (data, length);
}

/* The sample scatter's partitions as `scatter --json` prints them:
 * "NAME start size" lines, in order. */
static char *
partition_lines (const char *scatter)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GString) lines = g_string_new (NULL);
  JsonArray *parts;
  int status;

  status = sf_test_run_cli (&out, &err, "scatter", "--json", scatter, NULL);
  ck_assert_msg (status == 0, "scatter --json %s: exit %d: %s", scatter, status, err);
  ck_assert (json_parser_load_from_data (parser, out, -1, NULL));
  parts = json_object_get_array_member (
    json_array_get_object_element (json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                                                  "layouts"), 0),
    "partitions");
  for (guint i = 0; i < json_array_get_length (parts); i++) {
    JsonObject *p = json_array_get_object_element (parts, i);

    g_string_append_printf (lines, "%s %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %s\n",
                            json_object_get_string_member (p, "name"),
                            json_object_get_int_member (p, "start"),
                            json_object_get_int_member (p, "size"),
                            json_object_get_string_member (p, "region"));
  }
  return g_string_free (g_steal_pointer (&lines), FALSE);
}

/* Byte ranges the backup covers: PRELOADER's boot1 (the whole 4 MiB the
 * phone has), and the user area from MBR (linear 0xc00000 = user 0) to the
 * end of USRDATA (linear 0x4080000). */
#define BOOT1_COVERED SF_SIM_BOOT_SIZE
#define USER_COVERED (0x4080000 - 0xc00000)

START_TEST (test_backup_wipe_restore)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *backup = g_build_filename (work, "backup", NULL);
  g_autofree char *scatter = g_build_filename (backup, "MT6572_Android_scatter.txt", NULL);
  g_autofree char *manifest = g_build_filename (backup, "manifest.ini", NULL);
  g_autofree char *nvram_bin = g_build_filename (backup, "NVRAM.bin", NULL);
  g_autofree char *want_parts = NULL;
  g_autofree char *got_parts = NULL;
  g_autoptr(GBytes) boot1_before = NULL;
  g_autoptr(GBytes) user_before = NULL;
  g_autoptr(GBytes) boot1_after = NULL;
  g_autoptr(GBytes) user_after = NULL;
  g_autoptr(GKeyFile) keys = g_key_file_new ();
  int status;

  status = run_on_phone (&out, &err, NULL, "download", sample (), NULL);
  ck_assert_msg (status == 0, "download: exit %d: %s", status, err);
  plant_nvram ();
  boot1_before = read_range ("boot1.bin", 0, BOOT1_COVERED);
  user_before = read_range ("user.bin", 0, USER_COVERED);

  status = run_on_phone (&out, &err, NULL, "backup", "--output-dir", backup, sample (), NULL);
  ck_assert_msg (status == 0, "backup: exit %d: %s", status, err);
  ck_assert_ptr_nonnull (strstr (err, "FAT"));
  ck_assert_ptr_nonnull (strstr (err, "BMTPOOL"));
  ck_assert (g_file_test (nvram_bin, G_FILE_TEST_IS_REGULAR));
  {
    g_autofree char *fat = g_build_filename (backup, "FAT.bin", NULL);

    ck_assert (!g_file_test (fat, G_FILE_TEST_EXISTS));
  }

  /* The manifest has every file's size and SHA-256. */
  ck_assert (g_key_file_load_from_file (keys, manifest, G_KEY_FILE_NONE, NULL));
  ck_assert_uint_eq (g_key_file_get_uint64 (keys, "NVRAM", "size", NULL), NVRAM_SIZE);
  {
    g_autofree char *sha = g_key_file_get_string (keys, "NVRAM", "sha256", NULL);
    g_autofree char *data = NULL;
    g_autofree char *want = NULL;
    gsize len = 0;

    ck_assert (g_file_get_contents (nvram_bin, &data, &len, NULL));
    want = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, len);
    ck_assert_str_eq (sha, want);
  }

  /* The scatter parses, with the sample's partitions where they were, and
   * names the backed-up files. */
  {
    g_autofree char *sample_scatter = g_build_filename (sample (), "MT6572_Android_scatter.txt", NULL);
    g_autofree char *text = NULL;

    want_parts = partition_lines (sample_scatter);
    got_parts = partition_lines (scatter);
    ck_assert_str_eq (got_parts, want_parts);
    ck_assert (g_file_get_contents (scatter, &text, NULL, NULL));
    ck_assert_ptr_nonnull (strstr (text, "config_version: V1.1.1"));
    ck_assert_ptr_nonnull (strstr (text, "  partition_name: NVRAM\n  file_name: NVRAM.bin\n  is_download: true\n"));
    ck_assert_ptr_nonnull (strstr (text, "  partition_name: FAT\n  file_name: NONE\n  is_download: false\n"));
    ck_assert_ptr_nonnull (strstr (text, "linear_start_addr: 0xFFFF0008\n"));
  }

  /* Wipe, then restore. */
  status = run_on_phone (&out, &err, NULL, "format", "--whole-flash", "--yes", NULL);
  ck_assert_msg (status == 0, "format: exit %d: %s", status, err);
  {
    g_autoptr(GBytes) wiped = read_range ("user.bin", 0, USER_COVERED);

    ck_assert (!g_bytes_equal (wiped, user_before));
  }
  status = run_on_phone (&out, &err, NULL, "restore", backup, NULL);
  ck_assert_msg (status == 0, "restore: exit %d: %s", status, err);
  ck_assert_ptr_nonnull (strstr (err, "verified"));

  boot1_after = read_range ("boot1.bin", 0, BOOT1_COVERED);
  user_after = read_range ("user.bin", 0, USER_COVERED);
  ck_assert_msg (g_bytes_equal (boot1_before, boot1_after), "boot1 differs after the restore");
  ck_assert_msg (g_bytes_equal (user_before, user_after), "the user area differs after the restore");
}
END_TEST

START_TEST (test_backup_by_phone_table)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *backup = g_build_filename (work, "by-table", NULL);
  g_autofree char *scatter = g_build_filename (backup, "MT6572_Android_scatter.txt", NULL);
  g_autofree char *nvram_bin = g_build_filename (backup, "NVRAM.bin", NULL);
  g_autoptr(GBytes) boot1_before = NULL;
  g_autoptr(GBytes) user_before = NULL;
  g_autoptr(GBytes) boot1_after = NULL;
  g_autoptr(GBytes) user_after = NULL;
  int status;

  /* A fresh phone has no table: no names to back up by. */
  status = run_on_phone (&out, &err, NULL, "backup", "--output-dir", backup, NULL);
  ck_assert_int_eq (status, 1);
  ck_assert_ptr_nonnull (strstr (err, "FIRMWARE"));

  status = run_on_phone (&out, &err, NULL, "download", sample (), NULL);
  ck_assert_msg (status == 0, "download: exit %d: %s", status, err);
  plant_nvram ();
  boot1_before = read_range ("boot1.bin", 0, BOOT1_COVERED);
  user_before = read_range ("user.bin", 0, USER_COVERED);

  /* No FIRMWARE: the phone's own table names the partitions. */
  status = run_on_phone (&out, &err, NULL, "backup", "--force", "--output-dir", backup, NULL);
  ck_assert_msg (status == 0, "backup: exit %d: %s", status, err);
  ck_assert (g_file_test (nvram_bin, G_FILE_TEST_IS_REGULAR));
  status = sf_test_run_cli (&out, &err, "scatter", "--json", scatter, NULL);
  ck_assert_msg (status == 0, "the generated scatter: %s", err);
  ck_assert_ptr_nonnull (strstr (out, "\"NVRAM\""));

  status = run_on_phone (&out, &err, NULL, "format", "--whole-flash", "--yes", NULL);
  ck_assert_msg (status == 0, "format: exit %d: %s", status, err);
  status = run_on_phone (&out, &err, NULL, "restore", backup, NULL);
  ck_assert_msg (status == 0, "restore: exit %d: %s", status, err);

  boot1_after = read_range ("boot1.bin", 0, BOOT1_COVERED);
  user_after = read_range ("user.bin", 0, USER_COVERED);
  ck_assert_msg (g_bytes_equal (boot1_before, boot1_after), "boot1 differs after the restore");
  ck_assert_msg (g_bytes_equal (user_before, user_after), "the user area differs after the restore");
}
END_TEST

START_TEST (test_backup_refuses_non_empty_folder)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *backup = g_build_filename (work, "backup", NULL);
  g_autofree char *keep = g_build_filename (backup, "keep.txt", NULL);
  g_autofree char *kept = NULL;
  guint64 moved = 1;
  int status;

  g_mkdir_with_parents (backup, 0755);
  sf_test_write_file (keep, "mine", 4);
  status = run_on_phone (&out, &err, &moved, "backup", "--output-dir", backup, sample (), NULL);
  ck_assert_int_eq (status, 2);
  ck_assert_ptr_nonnull (strstr (err, "--force"));
  ck_assert_uint_eq (moved, 0);
  ck_assert (g_file_get_contents (keep, &kept, NULL, NULL));
  ck_assert_str_eq (kept, "mine");
  g_clear_pointer (&kept, g_free);

  /* Without FIRMWARE (names from the phone's table): refused the same way,
   * before any phone is touched. */
  status = sf_test_run_cli (&out, &err, "backup", "--port", "/dev/null", "--output-dir", backup, NULL);
  ck_assert_int_eq (status, 2);
  ck_assert_ptr_nonnull (strstr (err, "--force"));
  ck_assert (g_file_get_contents (keep, &kept, NULL, NULL));
}
END_TEST

START_TEST (test_restore_refuses_damaged_backup)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *backup = g_build_filename (work, "backup", NULL);
  g_autofree char *boot = g_build_filename (backup, "BOOTIMG.bin", NULL);
  g_autoptr(GBytes) user_before = NULL;
  g_autoptr(GBytes) user_after = NULL;
  guint64 moved = 1;
  int status;
  int fd;

  status = run_on_phone (&out, &err, NULL, "download", sample (), NULL);
  ck_assert_msg (status == 0, "download: exit %d: %s", status, err);
  status = run_on_phone (&out, &err, NULL, "backup", "--output-dir", backup, sample (), NULL);
  ck_assert_msg (status == 0, "backup: exit %d: %s", status, err);

  /* One flipped byte in the middle of BOOTIMG.bin. */
  fd = open (boot, O_RDWR);
  ck_assert_int_ge (fd, 0);
  ck_assert_int_eq (pwrite (fd, "\xa5", 1, 0x1234), 1);
  close (fd);

  plant_nvram ();
  user_before = read_range ("user.bin", 0, USER_COVERED);
  status = run_on_phone (&out, &err, &moved, "restore", backup, NULL);
  ck_assert_int_eq (status, 2);
  ck_assert_ptr_nonnull (strstr (err, "BOOTIMG.bin"));
  ck_assert_uint_eq (moved, 0);
  user_after = read_range ("user.bin", 0, USER_COVERED);
  ck_assert (g_bytes_equal (user_before, user_after));
}
END_TEST

/* ---- the scatter writer on the fixtures ----------------------------------- */

static const char * const fixtures[] = {
  "mt6572-v1.1.1-emmc.txt",
  "mt6580-v1.1.2-emmc-gpt.txt",
  "mt6589-legacy-emmc.txt",
  "mt6765-v1.1.2-emmc-tool-generated.txt",
  "mt6768-v1.1.8-emmc-crlf-ab.txt",
  "mt6785-v2.1.0-combo-crlf.txt",
};

START_TEST (test_writer_round_trip)
{
  g_autoptr(SfScatter) source = sf_test_load_fixture (fixtures[_i]);
  SfLayout *layout = sf_scatter_get_layout (source, 0);
  g_autoptr(SfScatterWriter) writer = sf_scatter_writer_new (source, NULL);
  g_autoptr(GBytes) text = NULL;
  g_autoptr(SfScatter) again = NULL;
  g_autoptr(GError) error = NULL;
  SfLayout *written;
  guint n = 0;

  ck_assert (sf_scatter_writer_set_image (writer, sf_layout_get_partition (layout, 0)->name, "first.bin"));
  ck_assert (!sf_scatter_writer_set_image (writer, "no such partition", "x.bin"));
  text = sf_scatter_writer_to_bytes (writer);
  again = sf_scatter_new_from_data (g_bytes_get_data (text, NULL), g_bytes_get_size (text), fixtures[_i], &error);
  ck_assert_msg (again != NULL, "%s: %s", fixtures[_i], error ? error->message : "");
  ck_assert_int_eq (sf_scatter_get_format (again), SF_SCATTER_FORMAT_V1);
  ck_assert_str_eq (sf_scatter_get_platform (again), sf_scatter_get_platform (source));
  written = sf_scatter_get_layout (again, 0);
  for (guint i = 0; i < layout->partitions->len; i++) {
    SfPartition *want = g_ptr_array_index (layout->partitions, i);
    SfPartition *got;

    if (*want->name == '\0')
      continue;
    got = sf_layout_get_partition (written, n++);
    ck_assert_str_eq (got->name, want->name);
    ck_assert_uint_eq (got->start, want->start);
    if (want->has_size)
      ck_assert_uint_eq (got->size, want->size);
    ck_assert_str_eq (sf_operation_to_string (got->operation),
                      want->operation == SF_OPERATION_NONE ? sf_operation_to_string (got->operation)
                                                           : sf_operation_to_string (want->operation));
    ck_assert_int_eq (got->is_download, n == 1);
    ck_assert_str_eq (got->file_name != NULL ? got->file_name : "NONE", n == 1 ? "first.bin" : "NONE");
  }
  ck_assert_uint_eq (written->partitions->len, n);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("backup");
  TCase *tc = tcase_create ("backup");
  TCase *writer;

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_backup_wipe_restore);
  tcase_add_test (tc, test_backup_by_phone_table);
  tcase_add_test (tc, test_backup_refuses_non_empty_folder);
  tcase_add_test (tc, test_restore_refuses_damaged_backup);
  suite_add_tcase (s, tc);

  writer = tcase_create ("writer");
  tcase_add_loop_test (writer, test_writer_round_trip, 0, G_N_ELEMENTS (fixtures));
  suite_add_tcase (s, writer);
  return sf_test_run_suite (s);
}
