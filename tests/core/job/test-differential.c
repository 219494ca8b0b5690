/* test-differential.c — the same protocol tests against two phones
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Run as `test-differential sim` (our virtual phone) and `test-differential
 * realda` (MediaTek's own MT6572 DA in an emulator, protocol.md §13):
 * the bodies below do not know which phone they talk to. Where the host and
 * our virtual phone share a misreading of the protocol, the realda run
 * fails. Without realda-phone, python3-unicorn or the DA file the realda
 * run prints why and exits 77 (skipped).
 *
 * Every check looks at the phone's eMMC files: bytes must land at the
 * scatter's linear addresses (§13.9): linear 0 is byte 0 of boot1.bin, the
 * user area (MBR, linear 0xC00000) byte 0 of user.bin.
 */

#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "sf-test-util.h"

#define USER_BASE        G_GUINT64_CONSTANT (0xC00000)
#define NVRAM_LINEAR     G_GUINT64_CONSTANT (0xD80000)
#define NVRAM_SIZE       (5 * SF_TEST_MB)
#define UBOOT_LINEAR     G_GUINT64_CONSTANT (0x1500000)

static SfTestPhoneKind kind;
static char *work;
static char *storage;
static guint n_sessions;
static gboolean brom_entry;   /* the phone comes up through its BootROM */

static void
setup (void)
{
  brom_entry = FALSE;
  work = sf_test_make_tempdir ();
  storage = g_build_filename (work, "emmc", NULL);
}

static void
teardown (void)
{
  sf_test_rm_rf (work);
  g_clear_pointer (&work, g_free);
  g_clear_pointer (&storage, g_free);
}

static const char *
sample (void)
{
  const char *dir = g_getenv ("SF_SAMPLE_FIRMWARE");

  ck_assert_msg (dir != NULL, "SF_SAMPLE_FIRMWARE is not set");
  return dir;
}

/* Powers the phone on, runs `scatterflash-cli COMMAND --port P --da DA
 * ARGS…` (NULL-ended) against it, and switches it off (realda: about 1 s
 * plus 2 MB/s of data a session). */
static int
run (char       **out,
     char       **err,
     const char  *command,
     ...)
{
  /* BootROM entry (§13.2): the DA answers 0xBBF and needs E8. Both phones
   * carry the memory of the sample preloader's first EMI entry (the sim's
   * default board, sample-a, has realda-phone's default CID): the same
   * option, the same phone. */
  static const char * const brom[] = { "--entry", "brom", NULL };
  SfTestPhone *phone = sf_test_phone_start (kind, storage, brom_entry ? brom : NULL);
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  /* One folder per session: backups are named by the second. */
  g_autofree char *backups = g_strdup_printf ("%s/backups-%u", work, ++n_sessions);
  gint64 t0 = g_get_monotonic_time ();
  const char *arg;
  va_list ap;
  int status;

  g_ptr_array_add (args, (gpointer) command);
  g_ptr_array_add (args, (gpointer) "--port");
  g_ptr_array_add (args, (gpointer) sf_test_phone_get_port (phone));
  g_ptr_array_add (args, (gpointer) "--da");
  g_ptr_array_add (args, (gpointer) sf_test_phone_get_da (phone));
  if (g_str_equal (command, "download") || g_str_equal (command, "format")) {
    g_ptr_array_add (args, (gpointer) "--backup-dir");
    g_ptr_array_add (args, backups);
  }
  va_start (ap, command);
  for (arg = va_arg (ap, const char *); arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  status = sf_test_run_cliv (out, err, (const char * const *) args->pdata);
  g_print ("%s on %s: exit %d, %.1f s\n", command, kind == SF_TEST_PHONE_REALDA ? "realda" : "sim", status,
           (g_get_monotonic_time () - t0) / 1e6);
  /* realda sessions stay well under 30 s on an idle machine; the limit
   * leaves room for a loaded one (the emulator needs a CPU of its own). */
  ck_assert_msg (g_get_monotonic_time () - t0 < 60 * G_USEC_PER_SEC, "%s took more than 60 s", command);
  sf_test_phone_stop (phone);
  return status;
}

static GBytes *
read_storage (const char *device,
              guint64     offset,
              gsize       length)
{
  g_autofree char *path = g_build_filename (storage, device, NULL);
  guint8 *data = g_malloc0 (length);
  int fd = open (path, O_RDONLY);

  ck_assert_msg (fd >= 0, "no %s", path);
  ck_assert_int_eq (pread (fd, data, length, (off_t) offset), (gssize) length);
  close (fd);
  return g_bytes_new_take (data, length);
}

static GBytes *
read_file (const char *path)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  ck_assert_msg (g_file_get_contents (path, &data, &len, NULL), "cannot read %s", path);
  return g_bytes_new_take (g_steal_pointer (&data), len);
}

static void
assert_file_is_storage (const char *path,
                        const char *device,
                        guint64     offset)
{
  g_autoptr(GBytes) file = read_file (path);
  g_autoptr(GBytes) dev = read_storage (device, offset, g_bytes_get_size (file));

  ck_assert_msg (g_bytes_equal (file, dev), "%s differs from %s at 0x%" G_GINT64_MODIFIER "X",
                 path, device, offset);
}

static gboolean
storage_is_zero (const char *device,
                 guint64     offset,
                 gsize       length)
{
  g_autoptr(GBytes) b = read_storage (device, offset, length);
  const guint8 *p = g_bytes_get_data (b, NULL);

  for (gsize i = 0; i < length; i++) {
    if (p[i] != 0)
      return FALSE;
  }
  return TRUE;
}

/* The calibration a phone carries: random bytes at NVRAM's place. */
static GBytes *
plant_nvram (void)
{
  g_autofree char *user = g_build_filename (storage, "user.bin", NULL);
  guint8 *data = g_malloc (NVRAM_SIZE);
  GRand *rand = g_rand_new_with_seed (0x6572);
  int fd;

  for (gsize i = 0; i < NVRAM_SIZE; i++)
    data[i] = (guint8) g_rand_int (rand);
  g_rand_free (rand);
  fd = open (user, O_RDWR);
  ck_assert_int_ge (fd, 0);
  ck_assert_int_eq (pwrite (fd, data, NVRAM_SIZE, (off_t) (NVRAM_LINEAR - USER_BASE)), NVRAM_SIZE);
  close (fd);
  return g_bytes_new_take (data, NVRAM_SIZE);
}

static void
download (const char *scene)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  status = run (&out, &err, "download", "--verify", "--scene", scene, sample (), NULL);
  ck_assert_msg (status == 0, "download --scene %s: exit %d: %s", scene, status, err);
  ck_assert_msg (strstr (err, "verified") != NULL, "%s", err);
  /* Every image at its scatter's linear address; the preloader at the
   * start of boot1 is whole, not overwritten by MBR. */
  sf_test_assert_sample_on (storage);
}

/* ---- the tests --------------------------------------------------------------- */

START_TEST (test_info_blank)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  /* §13.10: a blank phone answers A5 with 1037: no table yet, no error. */
  status = run (&out, &err, "info", NULL);
  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  ck_assert_msg (strstr (out, "MT6572") != NULL, "%s", out);
  ck_assert_msg (strstr (out, "Boot1: 4.0 MiB") != NULL, "%s", out);
  ck_assert_msg (strstr (out, "Partition table: none") != NULL, "%s", out);
  /* §13.8: the DA starts at full speed and is switched. */
  ck_assert_msg (strstr (err, "USB high speed") != NULL, "%s", err);
}
END_TEST

START_TEST (test_download_scenes)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *preloader = g_build_filename (sample (), "preloader_scatterflash_sample.bin", NULL);
  g_autoptr(GBytes) nvram = NULL;
  int status;

  /* A blank phone: Download Only writes the table (A4) too. */
  download ("download-only");
  assert_file_is_storage (preloader, "boot1.bin", 0);
  status = run (&out, &err, "info", NULL);
  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  ck_assert_msg (strstr (out, "NVRAM") != NULL && strstr (out, "0x0000180000") != NULL, "%s", out);

  /* Firmware Upgrade and Format All + Download keep the calibration. */
  nvram = plant_nvram ();
  download ("firmware-upgrade");
  {
    g_autoptr(GBytes) now = read_storage ("user.bin", NVRAM_LINEAR - USER_BASE, NVRAM_SIZE);

    ck_assert (g_bytes_equal (nvram, now));
  }
  download ("format-all-download");
  {
    g_autoptr(GBytes) now = read_storage ("user.bin", NVRAM_LINEAR - USER_BASE, NVRAM_SIZE);

    ck_assert (g_bytes_equal (nvram, now));
  }
  /* Download Only again, now against the table the phone holds. */
  download ("download-only");
}
END_TEST

START_TEST (test_readback)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *mbr = g_build_filename (work, "MBR.bin", NULL);
  g_autofree char *nvram = g_build_filename (work, "NVRAM.bin", NULL);
  g_autofree char *boot = g_build_filename (work, "boot.bin", NULL);
  g_autofree char *range = g_build_filename (work, "range.bin", NULL);
  g_autofree char *mbr_image = g_build_filename (sample (), "MBR", NULL);
  g_autoptr(GBytes) planted = NULL;
  int status;

  download ("download-only");
  planted = plant_nvram ();

  status = run (&out, &err, "readback", "--partition", "MBR", "--output", mbr, sample (), NULL);
  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  assert_file_is_storage (mbr, "user.bin", 0);
  {
    g_autoptr(GBytes) image = read_file (mbr_image);
    g_autoptr(GBytes) head = read_storage ("user.bin", 0, g_bytes_get_size (image));

    ck_assert (g_bytes_equal (image, head));
  }

  status = run (&out, &err, "readback", "--partition", "NVRAM", "--output", nvram, sample (), NULL);
  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  {
    g_autoptr(GBytes) got = read_file (nvram);

    ck_assert (g_bytes_equal (got, planted));
  }

  /* Ranges: the start of BOOT1 (the preloader) and one inside UBOOT. */
  status = run (&out, &err, "readback", "--region", "EMMC_BOOT_1", "--start", "0", "--length", "0x20000",
                "--output", boot, NULL);
  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  assert_file_is_storage (boot, "boot1.bin", 0);
  status = run (&out, &err, "readback", "--region", "EMMC_USER", "--start", "0x900000", "--length", "0x10000",
                "--output", range, NULL);
  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  assert_file_is_storage (range, "user.bin", UBOOT_LINEAR - USER_BASE);
  ck_assert (!storage_is_zero ("user.bin", UBOOT_LINEAR - USER_BASE, 0x1000));
}
END_TEST

START_TEST (test_format_auto)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *preloader = g_build_filename (sample (), "preloader_scatterflash_sample.bin", NULL);
  g_autoptr(GBytes) nvram = NULL;
  int status;

  download ("download-only");
  nvram = plant_nvram ();
  ck_assert (!storage_is_zero ("user.bin", UBOOT_LINEAR - USER_BASE, 0x1000));

  status = run (&out, &err, "format", "--auto", sample (), NULL);
  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  /* UBOOT is erased; the preloader and the calibration are not. */
  ck_assert (storage_is_zero ("user.bin", UBOOT_LINEAR - USER_BASE, 0x10000));
  assert_file_is_storage (preloader, "boot1.bin", 0);
  {
    g_autoptr(GBytes) now = read_storage ("user.bin", NVRAM_LINEAR - USER_BASE, NVRAM_SIZE);

    ck_assert (g_bytes_equal (nvram, now));
  }
}
END_TEST

/* The sample's scatter cut after PROTECT_S, with the images it needs:
 * small enough to back up and restore at realda's 2 MB/s. */
static char *
small_firmware (void)
{
  g_autofree char *dir = g_build_filename (work, "small", NULL);
  g_autofree char *scatter = g_build_filename (sample (), "MT6572_Android_scatter.txt", NULL);
  g_autofree char *text = NULL;
  g_autofree char *cut = NULL;
  g_autofree char *to = NULL;
  const char *files[] = { "preloader_scatterflash_sample.bin", "MBR", "EBR1" };
  char *end;

  ck_assert_int_eq (g_mkdir_with_parents (dir, 0755), 0);
  ck_assert (g_file_get_contents (scatter, &text, NULL, NULL));
  end = strstr (text, "- partition_index: SYS7\n");
  ck_assert_ptr_nonnull (end);
  cut = g_strndup (text, (gsize) (end - text));
  to = g_build_filename (dir, "MT6572_Android_scatter.txt", NULL);
  ck_assert (g_file_set_contents (to, cut, -1, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (files); i++) {
    g_autofree char *from = g_build_filename (sample (), files[i], NULL);
    g_autofree char *copy = g_build_filename (dir, files[i], NULL);
    g_autoptr(GBytes) data = read_file (from);

    ck_assert (g_file_set_contents (copy, g_bytes_get_data (data, NULL), (gssize) g_bytes_get_size (data), NULL));
  }
  return g_steal_pointer (&dir);
}

START_TEST (test_backup_restore)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *small = small_firmware ();
  g_autofree char *backup = g_build_filename (work, "backup", NULL);
  g_autoptr(GBytes) nvram = NULL;
  g_autoptr(GBytes) boot_before = NULL;
  g_autoptr(GBytes) user_before = NULL;
  g_autoptr(GBytes) boot_after = NULL;
  g_autoptr(GBytes) user_after = NULL;
  const gsize user_covered = 0x880000;   /* MBR … PROTECT_S */
  int status;

  status = run (&out, &err, "download", small, NULL);
  ck_assert_msg (status == 0, "download: exit %d: %s", status, err);
  nvram = plant_nvram ();
  boot_before = read_storage ("boot1.bin", 0, 4 * SF_TEST_MB);
  user_before = read_storage ("user.bin", 0, user_covered);

  status = run (&out, &err, "backup", "--output-dir", backup, small, NULL);
  ck_assert_msg (status == 0, "backup: exit %d: %s", status, err);

  /* Lose everything it covers, through the DA. */
  status = run (&out, &err, "format", "--region", "EMMC_USER", "--start", "0", "--length", "0x880000", NULL);
  ck_assert_msg (status == 0, "format: exit %d: %s", status, err);
  status = run (&out, &err, "format", "--region", "EMMC_BOOT_1", "--start", "0", "--length", "0x400000", NULL);
  ck_assert_msg (status == 0, "format: exit %d: %s", status, err);
  ck_assert (storage_is_zero ("user.bin", 0, user_covered));
  ck_assert (storage_is_zero ("boot1.bin", 0, 0x20000));

  status = run (&out, &err, "restore", backup, NULL);
  ck_assert_msg (status == 0, "restore: exit %d: %s", status, err);
  boot_after = read_storage ("boot1.bin", 0, 4 * SF_TEST_MB);
  user_after = read_storage ("user.bin", 0, user_covered);
  ck_assert (g_bytes_equal (boot_before, boot_after));
  ck_assert (g_bytes_equal (user_before, user_after));
}
END_TEST

/* §13.2–13.4: a blank phone entered through its BootROM. */
START_TEST (test_brom_rescue)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *universal = g_strconcat (sample (), "-universal", NULL);
  g_autofree char *emi = g_build_filename (sample (), "preloader_scatterflash_sample.bin", NULL);
  int status;

  brom_entry = TRUE;

  /* The "universal" firmware's preloader does not know this memory chip:
   * refused before E8, nothing written. */
  status = run (&out, &err, "download", universal, NULL);
  ck_assert_int_eq (status, 1);
  ck_assert_msg (strstr (err, "S_DL_GET_DRAM_SETTING_FAIL (5054)") != NULL, "%s", err);
  ck_assert (storage_is_zero ("boot1.bin", 0, 0x40000));
  ck_assert (storage_is_zero ("user.bin", 0, 0x100000));

  /* The sample's preloader knows it: DRAM up, all written and verified. */
  download ("download-only");

  /* Without a firmware the DRAM settings come from --emi-from only. */
  status = run (&out, &err, "info", NULL);
  ck_assert_int_eq (status, 1);
  ck_assert_msg (strstr (err, "S_DL_GET_DRAM_SETTING_FAIL (5054)") != NULL, "%s", err);
  status = run (&out, &err, "info", "--emi-from", emi, NULL);
  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  ck_assert_msg (strstr (out, "NVRAM") != NULL, "%s", out);

  /* --emi-from a preloader that knows the memory, with the universal
   * firmware (its preloader is written: the run says so, the phone's own is
   * kept in the backup folder). */
  status = run (&out, &err, "download", "--emi-from", emi, "--force-preloader", universal, NULL);
  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  ck_assert_msg (strstr (err, "DRAM set up with entry 1") != NULL, "%s", err);
}
END_TEST

static Suite *
differential_suite (void)
{
  Suite *s = suite_create ("differential");
  TCase *tc = tcase_create ("phone");

  /* realda: a few sessions of about 1 s plus 2 MB/s each. */
  tcase_set_timeout (tc, 400);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_info_blank);
  tcase_add_test (tc, test_download_scenes);
  tcase_add_test (tc, test_readback);
  tcase_add_test (tc, test_format_auto);
  tcase_add_test (tc, test_backup_restore);
  tcase_add_test (tc, test_brom_rescue);
  suite_add_tcase (s, tc);
  return s;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *why = NULL;

  if (argc != 2 || !sf_test_phone_parse_kind (argv[1], &kind)) {
    g_printerr ("Usage: %s sim|realda\n", argv[0]);
    return EXIT_FAILURE;
  }
  if (!sf_test_phone_usable (kind, &why)) {
    g_print ("SKIP: %s: %s\n", sf_test_phone_kind_name (kind), why);
    return 77;
  }
  g_print ("Phone: %s\n", sf_test_phone_kind_name (kind));
  return sf_test_run_suite (differential_suite ());
}
