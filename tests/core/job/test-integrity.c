/* test-integrity.c — a damaged firmware is refused before the phone is touched
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Issue 13: a stored zip entry with a flipped byte, a tar.gz whose gzip
 * trailer fails and a sparse image with a wrong CRC32 chunk were written and
 * "verified". Here the real CLI flashes such firmware onto the virtual phone
 * (running in this process, as in test-protocol.c) and must fail, name the
 * damaged file, and leave the phone's storage as it was.
 */

#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <glib/gstdio.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "sf-archive.h"
#include "sf-compare-stream.h"
#include "sf-crc32.h"
#include "sf-error.h"
#include "sf-firmware.h"
#include "sf-flash-job.h"
#include "sf-worker.h"
#include "sf-sim.h"
#include "sf-sparse.h"
#include "sf-test-util.h"

#define MB (1024 * 1024)
#define SCATTER "MT6572_Android_scatter.txt"

static char *storage;   /* the virtual phone's eMMC files */
static char *tmpdir;    /* the firmware the tests make */

static void
setup (void)
{
  storage = sf_test_make_tempdir ();
  tmpdir = sf_test_make_tempdir ();
}

static void
teardown (void)
{
  sf_test_rm_rf (storage);
  sf_test_rm_rf (tmpdir);
  g_clear_pointer (&storage, g_free);
  g_clear_pointer (&tmpdir, g_free);
}

static const char *
sample (void)
{
  const char *dir = g_getenv ("SF_SAMPLE_FIRMWARE");

  ck_assert_msg (dir != NULL, "SF_SAMPLE_FIRMWARE is not set");
  return dir;
}

static GBytes *
sample_bytes (const char *name)
{
  g_autofree char *path = g_build_filename (sample (), name, NULL);
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize len = 0;

  ck_assert_msg (g_file_get_contents (path, &data, &len, &error), "%s", error ? error->message : "");
  return g_bytes_new_take (data, len);
}

/* The names of the sample firmware's files, sorted. */
static GPtrArray *
sample_names (void)
{
  g_autoptr(GDir) dir = g_dir_open (sample (), 0, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  ck_assert_ptr_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_ascii_strcasecmp);
  return names;
}

static SfSim *
start_phone (void)
{
  SfSimOptions opts;
  g_autoptr(GError) error = NULL;
  SfSim *sim;

  sf_sim_options_init (&opts);
  opts.storage_dir = storage;
  opts.mode = SF_SIM_MODE_BROM;
  opts.emmc_user_size = 256 * MB;
  sim = sf_sim_new (&opts, &error);
  ck_assert_msg (sim != NULL, "%s", error ? error->message : "");
  ck_assert_msg (sf_sim_start (sim, &error), "%s", error ? error->message : "");
  return sim;
}

/* Nothing but zeros in any of the phone's storage files (a fresh phone). */
static void
assert_phone_untouched (void)
{
  g_autoptr(GDir) dir = g_dir_open (storage, 0, NULL);
  g_autofree guint8 *buf = g_malloc (MB);
  const char *name;

  ck_assert_ptr_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *path = g_build_filename (storage, name, NULL);
    int fd;

    /* The storage files; "serial" is the eMMC's serial number. */
    if (!g_str_has_suffix (name, ".bin"))
      continue;
    fd = open (path, O_RDONLY);
    ck_assert_int_ge (fd, 0);
    /* Sparse files: look only where data is. */
    for (off_t at = lseek (fd, 0, SEEK_DATA); at >= 0; at = lseek (fd, at, SEEK_DATA)) {
      gssize n = pread (fd, buf, MB, at);

      if (n <= 0)
        break;
      for (gssize i = 0; i < n; i++)
        ck_assert_msg (buf[i] == 0, "%s was written at byte %" G_GINT64_FORMAT, name, (gint64) (at + i));
      at += n;
    }
    close (fd);
  }
}

/* ---- archives of the sample firmware ---------------------------------------- */

typedef enum {
  KIND_ZIP_STORED,
  KIND_TAR_GZ,
  KIND_TAR,
} Kind;

static void
add_entry (struct archive *a,
           const char     *path,
           GBytes         *bytes,
           const char     *hardlink)
{
  struct archive_entry *entry = archive_entry_new ();
  gsize len = 0;
  const void *data = bytes != NULL ? g_bytes_get_data (bytes, &len) : NULL;

  archive_entry_set_pathname (entry, path);
  archive_entry_set_filetype (entry, AE_IFREG);
  archive_entry_set_perm (entry, 0644);
  archive_entry_set_size (entry, (la_int64_t) len);
  archive_entry_set_mtime (entry, 1767225600, 0);
  if (hardlink != NULL)
    archive_entry_set_hardlink (entry, hardlink);
  ck_assert_msg (archive_write_header (a, entry) == ARCHIVE_OK, "%s", archive_error_string (a));
  if (len > 0)
    ck_assert_msg (archive_write_data (a, data, len) == (la_ssize_t) len, "%s", archive_error_string (a));
  archive_entry_free (entry);
}

static struct archive *
begin_archive (const char *path,
               Kind        kind)
{
  struct archive *a = archive_write_new ();

  switch (kind) {
  case KIND_ZIP_STORED:
    archive_write_set_format_zip (a);
    ck_assert (archive_write_set_options (a, "zip:compression=store") == ARCHIVE_OK);
    break;
  case KIND_TAR_GZ:
    archive_write_set_format_pax_restricted (a);
    archive_write_add_filter_gzip (a);
    break;
  case KIND_TAR:
  default:
    archive_write_set_format_pax_restricted (a);
    break;
  }
  ck_assert_msg (archive_write_open_filename (a, path) == ARCHIVE_OK, "%s", archive_error_string (a));
  return a;
}

static void
end_archive (struct archive *a)
{
  ck_assert_msg (archive_write_close (a) == ARCHIVE_OK, "%s", archive_error_string (a));
  archive_write_free (a);
}

/* The sample firmware under "firmware/" in a new archive @name in tmpdir. */
static char *
write_sample_archive (const char *name,
                      Kind        kind)
{
  char *path = g_build_filename (tmpdir, name, NULL);
  g_autoptr(GPtrArray) names = sample_names ();
  struct archive *a = begin_archive (path, kind);

  for (guint i = 0; i < names->len; i++) {
    const char *file = g_ptr_array_index (names, i);
    g_autofree char *entry = g_strconcat ("firmware/", file, NULL);
    g_autoptr(GBytes) bytes = sample_bytes (file);

    add_entry (a, entry, bytes, NULL);
  }
  end_archive (a);
  return path;
}

/* Flips one byte of @path where the bytes of sample file @name are stored
 * (found by their content), past the first 4 KiB, which opening the
 * firmware reads to probe it. */
static void
flip_stored_byte (const char *path,
                  const char *name)
{
  g_autoptr(GBytes) image = sample_bytes (name);
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize len = 0, image_len = 0;
  const guint8 *image_data = g_bytes_get_data (image, &image_len);

  ck_assert_msg (g_file_get_contents (path, &data, &len, &error), "%s", error ? error->message : "");
  /* From the end back: 64 bytes found exactly once in the archive. */
  for (gsize from = image_len - 64; from > 4096; from -= 97) {
    const guint8 *needle = image_data + from;
    guint8 *at = memmem (data, len, needle, 64);

    if (at == NULL || memmem (at + 1, len - (gsize) (at + 1 - (guint8 *) data), needle, 64) != NULL)
      continue;
    at[10] ^= 0x20;
    sf_test_write_file (path, data, len);
    return;
  }
  ck_abort_msg ("%s is not stored as it is in %s", name, path);
}

static int
download (const char  *firmware,
          SfSim       *sim,
          char       **out_err)
{
  g_autofree char *out = NULL;

  return sf_test_run_cli (&out, out_err, "download", "--port", sf_sim_get_port_path (sim), "--verify",
                          firmware, NULL);
}

static void
assert_mentions (const char *text,
                 const char *needle)
{
  ck_assert_msg (text != NULL && strstr (text, needle) != NULL, "\"%s\" not in: %s", needle, text);
}

static SfPartition *
find_part (SfFirmware *fw,
           const char *name)
{
  SfPartition *part = sf_layout_find_partition (sf_scatter_get_layout (sf_firmware_get_scatter (fw), 0), name);

  ck_assert_msg (part != NULL, "no partition %s", name);
  return part;
}

/* ---- the CLI against the virtual phone -------------------------------------- */

START_TEST (test_zip_stored_flipped_byte)
{
  g_autofree char *zip = write_sample_archive ("firmware.zip", KIND_ZIP_STORED);
  g_autoptr(SfSim) sim = NULL;
  g_autofree char *err = NULL;
  int status;

  flip_stored_byte (zip, "boot.img");

  sim = start_phone ();
  status = download (zip, sim, &err);
  /* The firmware's fault, found before the phone is waited for. */
  ck_assert_msg (status == 2, "exit %d: %s", status, err);
  assert_mentions (err, "firmware.zip");
  assert_mentions (err, "boot.img is damaged");
  assert_mentions (err, "S_CHKSUM_ERROR");
  assert_mentions (err, "Nothing was written to the phone");
  ck_assert_int_ne (sf_sim_get_result (sim), SF_SIM_RESULT_FINISHED);
  assert_phone_untouched ();
}
END_TEST

START_TEST (test_tar_gz_bad_trailer)
{
  g_autofree char *tgz = write_sample_archive ("firmware.tar.gz", KIND_TAR_GZ);
  g_autoptr(SfSim) sim = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  g_autofree char *err = NULL;
  gsize len = 0;
  int status;

  /* The gzip trailer: CRC-32, then the length. Every byte inflates fine. */
  ck_assert (g_file_get_contents (tgz, &data, &len, &error));
  data[len - 8] ^= 0x01;
  sf_test_write_file (tgz, data, len);

  sim = start_phone ();
  status = download (tgz, sim, &err);
  ck_assert_msg (status == 2, "exit %d: %s", status, err);
  assert_mentions (err, "firmware.tar.gz");
  assert_mentions (err, "gzip CRC-32");
  assert_mentions (err, "S_CHKSUM_ERROR");
  ck_assert_int_ne (sf_sim_get_result (sim), SF_SIM_RESULT_FINISHED);
  assert_phone_untouched ();
}
END_TEST

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

static void
chunk (GByteArray *a,
       guint16     type,
       guint32     blocks,
       guint32     total)
{
  put16 (a, type);
  put16 (a, 0);
  put32 (a, blocks);
  put32 (a, total);
}

/* A sparse image of RAW(2) FILL(1) CRC32 RAW(1); the CRC32 chunk is right
 * unless @damaged. */
static GByteArray *
make_sparse_with_crc (gboolean damaged)
{
  const guint32 bs = 4096;
  GByteArray *a = g_byte_array_new ();
  g_autofree guint8 *expanded = g_malloc0 (3 * bs);
  guint32 crc;

  /* A file header of 40 bytes, not 28: the reader skips the rest. */
  put32 (a, SF_SPARSE_MAGIC);
  put16 (a, 1); put16 (a, 0); put16 (a, 40); put16 (a, 12);
  put32 (a, bs); put32 (a, 4); put32 (a, 4); put32 (a, 0);
  put32 (a, 0xAAAAAAAA); put32 (a, 0xBBBBBBBB); put32 (a, 0xCCCCCCCC);
  chunk (a, SF_SPARSE_CHUNK_RAW, 2, 12 + 2 * bs);
  for (guint32 i = 0; i < 2 * bs; i++) {
    expanded[i] = (guint8) (i * 13 + 5);
    g_byte_array_append (a, &expanded[i], 1);
  }
  chunk (a, SF_SPARSE_CHUNK_FILL, 1, 16);
  put32 (a, 0x0C0B0A09);
  for (guint32 i = 0; i < bs; i++)
    expanded[2 * bs + i] = (guint8) (9 + i % 4);
  crc = sf_crc32 (0, expanded, 3 * bs);
  chunk (a, SF_SPARSE_CHUNK_CRC32, 0, 16);
  put32 (a, damaged ? crc ^ 0x00010000 : crc);
  chunk (a, SF_SPARSE_CHUNK_RAW, 1, 12 + bs);
  for (guint32 i = 0; i < bs; i++)
    g_byte_array_append (a, (guint8[]) { (guint8) (i ^ 0x5A) }, 1);
  return a;
}

/* The sample firmware copied to tmpdir/firmware, cache.img replaced. */
static char *
sample_folder_with_cache (GByteArray *cache)
{
  g_autoptr(GPtrArray) names = sample_names ();
  char *dir = g_build_filename (tmpdir, "firmware", NULL);

  ck_assert_int_eq (g_mkdir (dir, 0755), 0);
  for (guint i = 0; i < names->len; i++) {
    const char *name = g_ptr_array_index (names, i);
    g_autofree char *path = g_build_filename (dir, name, NULL);
    g_autoptr(GBytes) bytes = sample_bytes (name);

    if (g_str_equal (name, "cache.img"))
      sf_test_write_file (path, cache->data, cache->len);
    else
      sf_test_write_file (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  }
  return dir;
}

START_TEST (test_sparse_bad_crc_chunk_folder)
{
  g_autoptr(GByteArray) cache = make_sparse_with_crc (TRUE);
  g_autofree char *dir = sample_folder_with_cache (cache);
  g_autoptr(SfSim) sim = start_phone ();
  g_autofree char *err = NULL;
  int status;

  status = download (dir, sim, &err);
  ck_assert_msg (status == 2, "exit %d: %s", status, err);
  assert_mentions (err, "cache.img");
  assert_mentions (err, "CRC32 chunk 2");
  assert_mentions (err, "S_CHKSUM_ERROR");
  ck_assert_int_ne (sf_sim_get_result (sim), SF_SIM_RESULT_FINISHED);
  assert_phone_untouched ();
}
END_TEST

START_TEST (test_sparse_good_crc_chunk_flashes)
{
  g_autoptr(GByteArray) cache = make_sparse_with_crc (FALSE);
  g_autofree char *dir = sample_folder_with_cache (cache);
  g_autofree char *cache_path = g_build_filename (dir, "cache.img", NULL);
  g_autoptr(SfSim) sim = start_phone ();
  g_autofree char *err = NULL;
  int status;

  status = download (dir, sim, &err);
  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  ck_assert (sf_sim_wait (sim, 5000));
  ck_assert_int_eq (sf_sim_get_result (sim), SF_SIM_RESULT_FINISHED);
  sf_test_assert_image_at (storage, cache_path, "user.bin", 0x3480000 - 0xc00000);
}
END_TEST

START_TEST (test_good_archives_flash_and_verify)
{
  static const struct {
    const char *name;
    Kind        kind;
  } cases[] = {
    { "firmware.zip", KIND_ZIP_STORED },
    { "firmware.tar.gz", KIND_TAR_GZ },
  };
  g_autofree char *path = write_sample_archive (cases[_i].name, cases[_i].kind);
  g_autoptr(SfSim) sim = start_phone ();
  g_autofree char *err = NULL;
  int status;

  status = download (path, sim, &err);
  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  assert_mentions (err, "Checking");
  ck_assert (sf_sim_wait (sim, 5000));
  ck_assert_int_eq (sf_sim_get_result (sim), SF_SIM_RESULT_FINISHED);
  sf_test_assert_sample_on (storage);
}
END_TEST

START_TEST (test_tar_hard_link)
{
  g_autofree char *path = g_build_filename (tmpdir, "firmware.tar", NULL);
  g_autoptr(GPtrArray) names = sample_names ();
  struct archive *a = begin_archive (path, KIND_TAR);
  g_autoptr(GBytes) boot = sample_bytes ("boot.img");
  g_autoptr(GFile) file = NULL;
  g_autoptr(SfFirmware) fw = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SfSim) sim = NULL;
  g_autofree char *err = NULL;
  SfPartition *part;
  int status;

  /* boot.img is a hard link to a file packed before it. */
  add_entry (a, "firmware/boot-original.img", boot, NULL);
  for (guint i = 0; i < names->len; i++) {
    const char *name = g_ptr_array_index (names, i);
    g_autofree char *entry = g_strconcat ("firmware/", name, NULL);
    g_autoptr(GBytes) bytes = sample_bytes (name);

    if (g_str_equal (name, "boot.img"))
      add_entry (a, entry, NULL, "firmware/boot-original.img");
    else
      add_entry (a, entry, bytes, NULL);
  }
  end_archive (a);

  file = g_file_new_for_path (path);
  fw = sf_firmware_open (file, NULL, &error);
  ck_assert_msg (fw != NULL, "%s", error ? error->message : "");
  part = find_part (fw, "BOOTIMG");
  ck_assert_ptr_nonnull (part);
  ck_assert_str_eq (sf_image_state_to_string (sf_firmware_get_image_state (fw, part)),
                    sf_image_state_to_string (SF_IMAGE_STATE_OK));
  ck_assert_uint_eq (sf_firmware_get_image (fw, part)->file_size, g_bytes_get_size (boot));

  sim = start_phone ();
  status = download (path, sim, &err);
  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  ck_assert (sf_sim_wait (sim, 5000));
  sf_test_assert_sample_on (storage);
}
END_TEST

START_TEST (test_job_checks_before_connecting)
{
  /* The app runs the job without the CLI's check: the job checks first,
   * before it waits for the phone. */
  g_autofree char *zip = write_sample_archive ("firmware.zip", KIND_ZIP_STORED);
  g_autoptr(GFile) file = g_file_new_for_path (zip);
  g_autoptr(GFile) da_path = g_file_new_for_path (g_getenv ("SF_SYNTHETIC_DA"));
  g_autoptr(SfFirmware) fw = NULL;
  g_autoptr(SfPlan) plan = NULL;
  g_autoptr(SfDaFile) da = NULL;
  g_autoptr(SfWorker) worker = sf_worker_new ();
  g_autoptr(SfSim) sim = NULL;
  g_autoptr(GError) error = NULL;
  gboolean checked = FALSE;
  SfFlashJob *job;

  flip_stored_byte (zip, "boot.img");
  fw = sf_firmware_open (file, NULL, &error);
  ck_assert_msg (fw != NULL, "%s", error ? error->message : "");
  plan = sf_plan_new (fw, NULL, SF_SCENE_DOWNLOAD_ONLY, NULL, &error);
  ck_assert_msg (plan != NULL, "%s", error ? error->message : "");
  da = sf_da_file_new (da_path, NULL, &error);
  ck_assert_msg (da != NULL, "%s", error ? error->message : "");

  sim = start_phone ();
  job = sf_flash_job_new (sf_sim_get_port_path (sim), da);
  sf_flash_job_set_plan (job, plan);
  sf_flash_job_set_verify (job, TRUE);
  sf_worker_start (worker, "test-job", sf_flash_job_run, job, (GDestroyNotify) sf_flash_job_free);
  for (;;) {
    g_autoptr(SfEvent) e = g_async_queue_timeout_pop (sf_worker_get_queue (worker), 30 * G_USEC_PER_SEC);

    ck_assert_msg (e != NULL, "the job did not end");
    ck_assert_int_ne (e->kind, SF_EVENT_DEVICE);
    ck_assert_int_ne (e->kind, SF_EVENT_STEP_BEGIN);
    if (e->kind == SF_EVENT_STAGE && strstr (e->message, "Checking") != NULL)
      checked = TRUE;
    if (e->kind == SF_EVENT_FINISHED)
      ck_abort_msg ("a damaged firmware was flashed");
    if (e->kind == SF_EVENT_FAILED) {
      ck_assert_msg (g_error_matches (e->error, SF_ERROR, SF_ERROR_IMAGE_CHECKSUM), "%s", e->error->message);
      assert_mentions (e->error->message, "boot.img is damaged");
      break;
    }
  }
  sf_worker_join (worker);
  ck_assert (checked);
  assert_phone_untouched ();
}
END_TEST

/* ---- the pieces --------------------------------------------------------------- */

START_TEST (test_entry_stream_checks_crc)
{
  /* A reader that takes exactly the declared size, as a write does, still
   * learns that the entry is damaged. */
  g_autofree char *zip = write_sample_archive ("firmware.zip", KIND_ZIP_STORED);
  g_autoptr(GFile) file = g_file_new_for_path (zip);
  g_autoptr(SfFirmware) fw = NULL;
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *buf = NULL;
  SfPartition *part;
  gsize got = 0;
  gsize size;

  flip_stored_byte (zip, "boot.img");
  fw = sf_firmware_open (file, NULL, &error);
  ck_assert_msg (fw != NULL, "%s", error ? error->message : "");
  part = find_part (fw, "BOOTIMG");
  size = sf_firmware_get_image (fw, part)->file_size;
  buf = g_malloc (size);
  in = sf_firmware_open_image (fw, part, NULL, &error);
  ck_assert_ptr_nonnull (in);
  ck_assert (!g_input_stream_read_all (in, buf, size, &got, NULL, &error));
  ck_assert_msg (g_error_matches (error, SF_ERROR, SF_ERROR_IMAGE_CHECKSUM), "%s", error->message);
  assert_mentions (error->message, "boot.img");
}
END_TEST

START_TEST (test_check_images_keeps_digest)
{
  g_autofree char *zip = write_sample_archive ("firmware.zip", KIND_ZIP_STORED);
  g_autoptr(GFile) file = g_file_new_for_path (zip);
  g_autoptr(SfFirmware) fw = NULL;
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *names[] = { "BOOTIMG", "ANDROID", "CACHE" };

  fw = sf_firmware_open (file, NULL, &error);
  ck_assert_msg (fw != NULL, "%s", error ? error->message : "");
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_ptr_array_add (parts, find_part (fw, names[i]));
  ck_assert_ptr_null (sf_firmware_get_image_digest (fw, g_ptr_array_index (parts, 0)));
  ck_assert_msg (sf_firmware_check_images (fw, parts, TRUE, NULL, NULL, NULL, &error),
                 "%s", error ? error->message : "");
  for (guint i = 0; i < parts->len; i++) {
    const SfDigest *digest = sf_firmware_get_image_digest (fw, g_ptr_array_index (parts, i));

    ck_assert_msg (digest != NULL, "no digest for %s", names[i]);
    ck_assert_uint_gt (sf_digest_get_length (digest), 0);
  }
  /* boot.img as it is: one region, the whole file. */
  {
    const SfDigest *digest = sf_firmware_get_image_digest (fw, g_ptr_array_index (parts, 0));
    guint64 offset = 1, length = 0;

    ck_assert_uint_eq (sf_digest_get_n_regions (digest), 1);
    sf_digest_get_region (digest, 0, &offset, &length);
    ck_assert_uint_eq (offset, 0);
    ck_assert_uint_eq (length, sf_firmware_get_image (fw, g_ptr_array_index (parts, 0))->file_size);
  }
}
END_TEST

/* Feeds @data (with its regions as in @digest, padded to 512) to a compare
 * stream; returns whether it matched, and where not. */
static gboolean
compare_digest (const SfDigest *digest,
                const guint8   *partition,
                guint64        *out_at)
{
  g_autoptr(GOutputStream) compare = sf_compare_stream_new_for_digest (digest, 512);
  guint64 at = 0;

  for (guint i = 0; i < sf_digest_get_n_regions (digest); i++) {
    guint64 offset = 0, length = 0;
    gsize written = 0;

    sf_digest_get_region (digest, i, &offset, &length);
    length = (length + 511) / 512 * 512;
    /* In odd pieces, as packets arrive. */
    while (written < length) {
      gsize n = MIN ((gsize) 77777, (gsize) length - written);

      ck_assert (g_output_stream_write_all (compare, partition + offset + written, n, NULL, NULL, NULL));
      written += n;
    }
  }
  if (sf_compare_stream_get_mismatch (SF_COMPARE_STREAM (compare), &at)) {
    *out_at = at;
    return FALSE;
  }
  return TRUE;
}

START_TEST (test_digest_compare)
{
  static const guint8 pattern[4] = { 1, 2, 3, 4 };
  const gsize size = 8 * MB;
  g_autofree guint8 *p = g_malloc0 (size);
  g_autoptr(SfDigest) digest = sf_digest_new ();
  guint64 at = 0;

  /* RAW 3 MiB + 1000 bytes at 0, then a gap, FILL 2 MiB at 4 MiB + 4096, and
   * RAW right after it (one region with the FILL). */
  for (gsize i = 0; i < 3 * MB + 1000; i++)
    p[i] = (guint8) (i * 31 + 7);
  sf_digest_begin_region (digest, 0);
  sf_digest_update (digest, p, 3 * MB + 1000);
  for (gsize i = 0; i < 2 * MB; i++)
    p[4 * MB + 4096 + i] = pattern[i % 4];
  sf_digest_begin_region (digest, 4 * MB + 4096);
  sf_digest_update_fill (digest, pattern, 2 * MB);
  for (gsize i = 0; i < 8192; i++)
    p[6 * MB + 4096 + i] = (guint8) (i ^ 0x33);
  sf_digest_begin_region (digest, 6 * MB + 4096);
  sf_digest_update (digest, p + 6 * MB + 4096, 8192);
  sf_digest_finish (digest);

  ck_assert_uint_eq (sf_digest_get_n_regions (digest), 2);
  ck_assert (compare_digest (digest, p, &at));

  /* A byte off in the second MiB of the RAW: found in that MiB. */
  p[MB + 12345] ^= 1;
  ck_assert (!compare_digest (digest, p, &at));
  ck_assert_uint_eq (at, MB);
  p[MB + 12345] ^= 1;

  /* In the FILL: the MiB of the regions' bytes it falls in, in the partition. */
  p[4 * MB + 4096 + MB + 10] ^= 1;
  ck_assert (!compare_digest (digest, p, &at));
  ck_assert_uint_le (at, 4 * MB + 4096 + MB + 10);
  ck_assert_uint_gt (at + MB, 4 * MB + 4096 + MB + 10);
  p[4 * MB + 4096 + MB + 10] ^= 1;

  /* In the padding after the first region's last sector: the exact byte. */
  p[3 * MB + 1000 + 5] = 0xFF;
  ck_assert (!compare_digest (digest, p, &at));
  ck_assert_uint_eq (at, 3 * MB + 1000 + 5);
}
END_TEST

START_TEST (test_crc_input_stream)
{
  const gsize size = 20000;
  g_autofree guint8 *data = g_malloc (size);
  g_autoptr(GInputStream) base = NULL;
  g_autoptr(GInputStream) tap = NULL;
  g_autofree guint8 *buf = g_malloc (size);
  guint32 crc = 0;
  guint64 len = 0;
  gsize got = 0;

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) (i * 11);
  base = g_memory_input_stream_new_from_data (data, size, NULL);
  tap = sf_crc_input_stream_new (base);

  /* A short skip (a long sparse header's padding) is read: one run. */
  ck_assert_int_eq (g_input_stream_skip (tap, 12, NULL, NULL), 12);
  ck_assert (g_input_stream_read_all (tap, buf, 100, &got, NULL, NULL));
  ck_assert (sf_crc_input_stream_get_crc (SF_CRC_INPUT_STREAM (tap), &crc, &len));
  ck_assert_uint_eq (len, 112);
  ck_assert_uint_eq (crc, sf_crc32 (0, data, 112));

  /* A long one (a scan seeking past data) leaves a gap... */
  ck_assert_int_eq (g_input_stream_skip (tap, 10000, NULL, NULL), 10000);
  ck_assert (g_input_stream_read_all (tap, buf, 10, &got, NULL, NULL));
  ck_assert (!sf_crc_input_stream_get_crc (SF_CRC_INPUT_STREAM (tap), &crc, &len));

  /* ...and back at the start it begins again. */
  ck_assert (g_seekable_seek (G_SEEKABLE (tap), 0, G_SEEK_SET, NULL, NULL));
  ck_assert (g_input_stream_read_all (tap, buf, size, &got, NULL, NULL));
  ck_assert (sf_crc_input_stream_get_crc (SF_CRC_INPUT_STREAM (tap), &crc, &len));
  ck_assert_uint_eq (crc, sf_crc32 (0, data, size));
  ck_assert_uint_eq (len, size);
}
END_TEST

static Suite *
integrity_suite (void)
{
  Suite *s = suite_create ("integrity");
  TCase *cli = tcase_create ("cli");
  TCase *core = tcase_create ("core");

  tcase_add_checked_fixture (cli, setup, teardown);
  tcase_set_timeout (cli, 60);
  tcase_add_test (cli, test_zip_stored_flipped_byte);
  tcase_add_test (cli, test_tar_gz_bad_trailer);
  tcase_add_test (cli, test_sparse_bad_crc_chunk_folder);
  tcase_add_test (cli, test_sparse_good_crc_chunk_flashes);
  tcase_add_loop_test (cli, test_good_archives_flash_and_verify, 0, 2);
  tcase_add_test (cli, test_tar_hard_link);
  tcase_add_test (cli, test_job_checks_before_connecting);
  suite_add_tcase (s, cli);

  tcase_add_checked_fixture (core, setup, teardown);
  tcase_add_test (core, test_entry_stream_checks_crc);
  tcase_add_test (core, test_check_images_keeps_digest);
  tcase_add_test (core, test_digest_compare);
  tcase_add_test (core, test_crc_input_stream);
  suite_add_tcase (s, core);

  return s;
}

int
main (void)
{
  return sf_test_run_suite (integrity_suite ());
}
