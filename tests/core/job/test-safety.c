/* test-safety.c — nothing the phone owns is lost: the calibration journal and the size guard
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A virtual phone gets calibration of its own (random bytes in PRO_INFO,
 * NVRAM, PROTECT_F and PROTECT_S), then jobs that erase it fail at chosen
 * points. After every failure the calibration must be on the phone as it
 * was, or the journal must point at a backup that holds exactly it; the
 * next command on that phone must leave it on the phone. The checks read
 * the phone's storage files and the journal's key file directly, not
 * through the code under test.
 *
 * --sweep runs the fault sweep instead (the `calibration-sweep` test of
 * the soak suite): every fault at ten or more points of each scene.
 */

#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "sf-test-util.h"

#define MB (1024 * 1024)
#define USER_SIZE (64 * MB)
/* The sample scatter's calibration, as user-area offsets (its MBR, at
 * linear 0xC00000, is the user area's first byte). */
#define CAL_BEGIN 0x100000               /* PRO_INFO */
#define CAL_END   0x880000               /* end of PROTECT_S */
#define CAL_SIZE  (CAL_END - CAL_BEGIN)
#define UBOOT_USER_OFFSET 0x900000

static const struct {
  const char *name;
  guint64     offset;   /* in the user area */
  guint64     size;
} calibration[] = {
  { "PRO_INFO", 0x100000, 0x80000 },
  { "NVRAM", 0x180000, 0x500000 },
  { "PROTECT_F", 0x680000, 0x100000 },
  { "PROTECT_S", 0x780000, 0x100000 },
};

typedef struct {
  char   *storage;
  char   *xdg;          /* XDG_DATA_HOME of every command: the journal's home */
  GBytes *original;     /* CAL_BEGIN..CAL_END as planted */
} Phone;

static const char *
sample (void)
{
  const char *dir = g_getenv ("SF_SAMPLE_FIRMWARE");

  ck_assert_msg (dir != NULL, "SF_SAMPLE_FIRMWARE is not set");
  return dir;
}

static void
phone_free (Phone *p)
{
  sf_test_rm_rf (p->storage);
  sf_test_rm_rf (p->xdg);
  g_free (p->storage);
  g_free (p->xdg);
  g_clear_pointer (&p->original, g_bytes_unref);
  g_free (p);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Phone, phone_free)

static gboolean
pwrite_all (const char   *path,
            const void   *data,
            gsize         len,
            guint64       offset)
{
  int fd = open (path, O_RDWR | O_CREAT, 0644);
  gboolean ok;

  if (fd < 0)
    return FALSE;
  ok = ftruncate (fd, USER_SIZE) == 0 && pwrite (fd, data, len, (off_t) offset) == (gssize) len;
  close (fd);
  return ok;
}

static GBytes *
read_user (const Phone *p,
           guint64      offset,
           gsize        len)
{
  g_autofree char *path = g_build_filename (p->storage, "user.bin", NULL);
  guint8 *data = g_malloc0 (len);
  int fd = open (path, O_RDONLY);

  if (fd >= 0) {
    if (pread (fd, data, len, (off_t) offset) < 0)
      memset (data, 0, len);
    close (fd);
  }
  return g_bytes_new_take (data, len);
}

/* Random calibration, different for every phone. */
static void
plant_calibration (Phone   *p,
                   guint32  seed)
{
  g_autofree char *path = g_build_filename (p->storage, "user.bin", NULL);
  guint8 *data = g_malloc (CAL_SIZE);
  GRand *rand = g_rand_new_with_seed (seed);

  for (gsize i = 0; i < CAL_SIZE; i++)
    data[i] = (guint8) g_rand_int (rand);
  g_rand_free (rand);
  g_assert_true (pwrite_all (path, data, CAL_SIZE, CAL_BEGIN));
  g_clear_pointer (&p->original, g_bytes_unref);
  p->original = g_bytes_new_take (data, CAL_SIZE);
}

static Phone *
phone_new (void)
{
  Phone *p = g_new0 (Phone, 1);

  p->storage = sf_test_make_tempdir ();
  p->xdg = sf_test_make_tempdir ();
  return p;
}

/* Runs scatterflash-cli ARGS against a freshly powered-on phone with
 * @faults (NULL-ended specs, or NULL). The phone is a scatterflash-sim
 * process, so that the sweep's threads share no file descriptors; no
 * Check calls, so it runs on any thread. */
static int
run_on_phone_once (Phone              *p,
                   const char * const *faults,
              char              **out_err,
              const char * const *args)
{
  g_autoptr(GPtrArray) sim_argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = g_get_environ ();
  g_autofree char *out = NULL;
  g_autofree char *port = NULL;
  GPid sim_pid = 0;
  int sim_out = -1;
  int wait_status = 0;
  FILE *lines;
  char line[256];

  g_ptr_array_add (sim_argv, g_strdup (g_getenv ("SF_SIM")));
  g_ptr_array_add (sim_argv, g_strdup_printf ("--storage=%s", p->storage));
  g_ptr_array_add (sim_argv, g_strdup_printf ("--emmc-user-size=%u", USER_SIZE));
  /* Raw formats and restores need no firmware through the preloader (§13.2). */
  g_ptr_array_add (sim_argv, g_strdup ("--mode=preloader"));
  for (guint i = 0; faults != NULL && faults[i] != NULL; i++)
    g_ptr_array_add (sim_argv, g_strdup_printf ("--fault=%s", faults[i]));
  g_ptr_array_add (sim_argv, NULL);
  if (!g_spawn_async_with_pipes (NULL, (char **) sim_argv->pdata, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                 NULL, NULL, &sim_pid, NULL, &sim_out, NULL, &error))
    g_error ("%s", error->message);
  lines = fdopen (sim_out, "r");
  while (fgets (line, sizeof line, lines) != NULL) {
    if (g_str_has_prefix (line, "PORT ")) {
      port = g_strstrip (g_strdup (line + 5));
      break;
    }
  }
  if (port == NULL)
    g_error ("scatterflash-sim printed no PORT line");

  g_ptr_array_add (argv, (gpointer) g_getenv ("SF_CLI"));
  g_ptr_array_add (argv, (gpointer) args[0]);
  g_ptr_array_add (argv, (gpointer) "--port");
  g_ptr_array_add (argv, port);
  for (guint i = 1; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  env = g_environ_setenv (env, "XDG_DATA_HOME", p->xdg, TRUE);
  env = g_environ_setenv (env, "LC_ALL", "C", TRUE);

  if (out_err != NULL)
    g_clear_pointer (out_err, g_free);
  if (!g_spawn_sync (NULL, (char **) argv->pdata, env, G_SPAWN_DEFAULT, NULL, NULL,
                     &out, out_err, &wait_status, &error))
    g_error ("%s", error->message);

  /* The phone is unplugged: its files are complete once it has exited. */
  kill (sim_pid, SIGTERM);
  waitpid (sim_pid, NULL, 0);
  g_spawn_close_pid (sim_pid);
  fclose (lines);
  return WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : 255;
}

/* run_on_phone_once(), again once when a run without faults found the
 * virtual phone's port hung up before anything was written. Under the
 * sanitizers and load this happens about once in several sweeps and is not
 * understood yet (the session note of 2026-12-07 says what is known); the
 * property the sweep checks is the same on the second try, and the retry
 * is said on stderr so that it is not hidden. */
static int
run_on_phone (Phone              *p,
              const char * const *faults,
              char              **out_err,
              const char * const *args)
{
  g_autofree char *err = NULL;
  int status = run_on_phone_once (p, faults, &err, args);

  if (status != 0 && faults == NULL && err != NULL && strstr (err, "went away (end of file)") != NULL &&
      strstr (err, "Nothing was written to the phone") != NULL) {
    g_printerr ("%s: the phone's port hung up before anything was written; once more\n", args[0]);
    g_clear_pointer (&err, g_free);
    status = run_on_phone_once (p, faults, &err, args);
  }
  if (out_err != NULL) {
    g_free (*out_err);
    *out_err = g_steal_pointer (&err);
  }
  return status;
}

static char *
backups_dir (const Phone *p)
{
  return g_build_filename (p->xdg, "scatterflash", "backups", NULL);
}

/* The one phone folder under the backups (there is one virtual phone). */
static char *
phone_dir (const Phone *p)
{
  g_autofree char *dir = backups_dir (p);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name = d != NULL ? g_dir_read_name (d) : NULL;

  return name != NULL ? g_build_filename (dir, name, NULL) : NULL;
}

/* The journal of the one virtual phone, where the README says it is. */
static char *
journal_path (const Phone *p)
{
  g_autofree char *dir = g_build_filename (p->xdg, "scatterflash", "journal", NULL);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL) {
    if (g_str_has_suffix (name, ".ini"))
      return g_build_filename (dir, name, NULL);
  }
  return NULL;
}

static gboolean
journal_exists (const Phone *p)
{
  g_autofree char *path = journal_path (p);

  return path != NULL && g_file_test (path, G_FILE_TEST_EXISTS);
}

/* NULL when the phone's calibration is as planted, or when the journal
 * names a backup of every planted partition holding exactly its bytes;
 * otherwise why not. */
static char *
check_calibration_safe (const Phone *p)
{
  g_autoptr(GBytes) now = read_user (p, CAL_BEGIN, CAL_SIZE);
  g_autofree char *path = NULL;
  g_autoptr(GKeyFile) journal = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = NULL;
  const guint8 *want = g_bytes_get_data (p->original, NULL);

  if (g_bytes_equal (now, p->original))
    return NULL;
  path = journal_path (p);
  if (path == NULL || !g_key_file_load_from_file (journal, path, G_KEY_FILE_NONE, &error))
    return g_strdup_printf ("the calibration on the phone changed and there is no journal (%s)",
                            error != NULL ? error->message : "no backup folder at all");
  folder = g_key_file_get_string (journal, "journal", "folder", NULL);
  if (folder == NULL)
    return g_strdup ("the journal names no folder");
  for (guint i = 0; i < G_N_ELEMENTS (calibration); i++) {
    g_autofree char *base = g_key_file_get_string (journal, calibration[i].name, "file", NULL);
    g_autofree char *file = NULL;
    g_autofree char *data = NULL;
    gsize len = 0;

    if (base == NULL)
      return g_strdup_printf ("the journal does not hold %s", calibration[i].name);
    file = g_build_filename (folder, base, NULL);
    if (!g_file_get_contents (file, &data, &len, NULL))
      return g_strdup_printf ("the journal's backup %s cannot be read", file);
    if (len != calibration[i].size ||
        memcmp (data, want + (calibration[i].offset - CAL_BEGIN), len) != 0)
      return g_strdup_printf ("the journal's backup %s is not the phone's %s", file, calibration[i].name);
  }
  return NULL;
}

static void
assert_calibration_on_phone (const Phone *p)
{
  g_autoptr(GBytes) now = read_user (p, CAL_BEGIN, CAL_SIZE);

  for (guint i = 0; i < G_N_ELEMENTS (calibration); i++) {
    gsize off = calibration[i].offset - CAL_BEGIN;

    ck_assert_msg (memcmp ((const guint8 *) g_bytes_get_data (now, NULL) + off,
                           (const guint8 *) g_bytes_get_data (p->original, NULL) + off,
                           calibration[i].size) == 0,
                   "%s on the phone is not what was planted", calibration[i].name);
  }
}

/* The sample firmware on the phone, with its partition table, and then
 * calibration of its own. */
static Phone *
prepared_phone (guint32 seed)
{
  Phone *p = phone_new ();
  g_autofree char *err = NULL;
  const char *args[] = { "download", "--scene", "format-all-download", sample (), NULL };

  ck_assert_msg (run_on_phone (p, NULL, &err, args) == 0, "%s", err);
  plant_calibration (p, seed);
  return p;
}

static char *check_newest_backup (const Phone *p, gboolean any);

/* ---- the defects as first seen ------------------------------------------------ */

/* Format All + Download fails after the erase (a write error in UBOOT): the
 * calibration goes back over the same connection, the message says so, and
 * a second run keeps it. */
START_TEST (test_failed_format_all_puts_calibration_back)
{
  g_autoptr(Phone) p = prepared_phone (1);
  g_autofree char *err = NULL;
  g_autofree char *fault = g_strdup_printf ("write-error-at=0x%x", UBOOT_USER_OFFSET);
  const char *faults[] = { fault, NULL };
  const char *args[] = { "download", "--scene", "format-all-download", sample (), NULL };

  ck_assert_int_ne (run_on_phone (p, faults, &err, args), 0);
  ck_assert_msg (strstr (err, "was put back and checked") != NULL, "%s", err);
  /* What was only read is not mixed with what was changed. */
  ck_assert_msg (strstr (err, "Read from the phone (not changed): PRO_INFO, NVRAM, PROTECT_F, PROTECT_S.") != NULL,
                 "%s", err);
  ck_assert_msg (strstr (err, "Erased before the failure: the whole flash.") != NULL, "%s", err);
  assert_calibration_on_phone (p);
  ck_assert (!journal_exists (p));

  ck_assert_msg (run_on_phone (p, NULL, &err, args) == 0, "%s", err);
  assert_calibration_on_phone (p);
  ck_assert (!journal_exists (p));
}
END_TEST

/* The write error is in NVRAM itself, so the calibration cannot go back
 * on that connection: the journal keeps it; the message names the folder
 * and the command; the next command of any kind puts it back first, and
 * the run after that never backs up the erased partitions over it. */
START_TEST (test_pending_calibration_restored_by_next_command)
{
  g_autoptr(Phone) p = prepared_phone (2);
  g_autofree char *err = NULL;
  g_autofree char *fault = g_strdup_printf ("write-error-at=0x%" G_GINT64_MODIFIER "x", calibration[1].offset + 0x1000);
  const char *faults[] = { fault, NULL };
  const char *fad[] = { "download", "--scene", "format-all-download", sample (), NULL };
  const char *info[] = { "info", NULL };
  g_autofree char *why = NULL;

  ck_assert_int_ne (run_on_phone (p, faults, &err, fad), 0);
  ck_assert_msg (strstr (err, "scatterflash-cli restore") != NULL, "%s", err);
  ck_assert_msg (strstr (err, "backup is safe in") != NULL, "%s", err);
  ck_assert (journal_exists (p));
  why = check_calibration_safe (p);
  ck_assert_msg (why == NULL, "%s", why);

  /* A read-only command on the same phone puts it back first. */
  ck_assert_msg (run_on_phone (p, NULL, &err, info) == 0, "%s", err);
  ck_assert_msg (strstr (err, "Putting") != NULL, "%s", err);
  assert_calibration_on_phone (p);
  ck_assert (!journal_exists (p));

  ck_assert_msg (run_on_phone (p, NULL, &err, fad) == 0, "%s", err);
  assert_calibration_on_phone (p);
}
END_TEST

/* `restore FOLDER` with the folder the failure named. */
START_TEST (test_restore_command_takes_the_named_folder)
{
  g_autoptr(Phone) p = prepared_phone (3);
  g_autofree char *err = NULL;
  g_autofree char *fault = g_strdup_printf ("write-error-at=0x%" G_GINT64_MODIFIER "x", calibration[0].offset);
  const char *faults[] = { fault, NULL };
  const char *fad[] = { "download", "--scene", "format-all-download", sample (), NULL };
  g_autoptr(GKeyFile) journal = g_key_file_new ();
  g_autofree char *path = NULL;
  g_autofree char *folder = NULL;

  ck_assert_int_ne (run_on_phone (p, faults, &err, fad), 0);
  path = journal_path (p);
  ck_assert (g_key_file_load_from_file (journal, path, G_KEY_FILE_NONE, NULL));
  folder = g_key_file_get_string (journal, "journal", "folder", NULL);
  ck_assert_msg (strstr (err, folder) != NULL, "the message does not name %s: %s", folder, err);
  {
    const char *restore[] = { "restore", folder, NULL };

    ck_assert_msg (run_on_phone (p, NULL, &err, restore) == 0, "%s", err);
  }
  assert_calibration_on_phone (p);
  ck_assert (!journal_exists (p));
}
END_TEST

/* A phone whose calibration is already gone: nothing is made pending, and
 * an earlier backup that holds data is pointed at. */
START_TEST (test_blank_calibration_is_no_backup)
{
  g_autoptr(Phone) p = prepared_phone (4);
  g_autofree char *err = NULL;
  const char *fad[] = { "download", "--scene", "format-all-download", sample (), NULL };
  g_autofree char *zeros = g_malloc0 (CAL_SIZE);
  g_autofree char *user = g_build_filename (p->storage, "user.bin", NULL);

  /* A first run backs up the real calibration; then it is lost by hand. */
  ck_assert_msg (run_on_phone (p, NULL, &err, fad) == 0, "%s", err);
  ck_assert (pwrite_all (user, zeros, CAL_SIZE, CAL_BEGIN));

  ck_assert_msg (run_on_phone (p, NULL, &err, fad) == 0, "%s", err);
  ck_assert_msg (strstr (err, "holds no data") != NULL, "%s", err);
  ck_assert_msg (strstr (err, "An earlier backup of this phone's NVRAM holds data") != NULL, "%s", err);
  ck_assert (!journal_exists (p));
}
END_TEST

/* Unplugged while NVRAM is being backed up: no NVRAM.bin (nor .partial)
 * that looks like a backup, nothing pending, nothing erased. */
START_TEST (test_partial_backup_leaves_nothing)
{
  g_autoptr(Phone) p = prepared_phone (5);
  g_autofree char *err = NULL;
  /* PRO_INFO (512 KiB) and 1 MiB of NVRAM. */
  const char *faults[] = { "unplug-after=1572864", NULL };
  const char *fad[] = { "download", "--scene", "format-all-download", sample (), NULL };
  g_autofree char *dir = NULL;
  g_autoptr(GDir) d = NULL;
  const char *name;
  guint folders = 0;

  ck_assert_int_ne (run_on_phone (p, faults, &err, fad), 0);
  assert_calibration_on_phone (p);
  ck_assert (!journal_exists (p));
  dir = phone_dir (p);
  ck_assert (dir != NULL);
  d = g_dir_open (dir, 0, NULL);
  while ((name = g_dir_read_name (d)) != NULL) {
    g_autofree char *folder = g_build_filename (dir, name, NULL);
    g_autofree char *nvram = g_build_filename (folder, "NVRAM.bin", NULL);
    g_autofree char *partial = g_build_filename (folder, "NVRAM.bin.partial", NULL);
    g_autofree char *pro_info = g_build_filename (folder, "PRO_INFO.bin", NULL);
    g_autofree char *data = NULL;
    gsize len = 0;

    if (!g_file_test (folder, G_FILE_TEST_IS_DIR))
      continue;
    /* The prepared phone's own run made one folder; this run the other. */
    if (!g_file_get_contents (pro_info, &data, &len, NULL) ||
        memcmp (data, g_bytes_get_data (p->original, NULL), MIN (len, 16)) != 0)
      continue;
    folders++;
    ck_assert_msg (!g_file_test (nvram, G_FILE_TEST_EXISTS), "a partial NVRAM.bin was left in %s", folder);
    ck_assert_msg (!g_file_test (partial, G_FILE_TEST_EXISTS), "NVRAM.bin.partial was left in %s", folder);
    ck_assert_uint_eq (len, calibration[0].size);
  }
  ck_assert_uint_eq (folders, 1);
}
END_TEST

/* Two runs in the same second get two folders, never "File exists". */
START_TEST (test_backup_folders_never_clash)
{
  g_autoptr(Phone) p = prepared_phone (6);
  g_autofree char *err = NULL;
  const char *format[] = { "format", "--auto", "--include-calibration", sample (), NULL };
  g_autofree char *dir = NULL;
  g_autoptr(GDir) d = NULL;
  guint folders = 0;

  for (guint i = 0; i < 3; i++) {
    plant_calibration (p, 60 + i);
    ck_assert_msg (run_on_phone (p, NULL, &err, format) == 0, "%s", err);
  }
  dir = phone_dir (p);
  d = g_dir_open (dir, 0, NULL);
  while (g_dir_read_name (d) != NULL)
    folders++;
  /* The prepared phone's run and three more. */
  ck_assert_uint_ge (folders, 4);
  ck_assert (!journal_exists (p));
}
END_TEST

/* A whole-flash format, and a range over NVRAM, with no firmware: the
 * phone's own table says where the calibration is; it is backed up before
 * the erase and the journal goes once the erase (asked for) is done. */
START_TEST (test_raw_format_backs_up_calibration)
{
  g_autoptr(Phone) p = prepared_phone (7);
  g_autofree char *err = NULL;
  const char *whole[] = { "format", "--whole-flash", "--yes", NULL };
  const char *range[] = { "format", "--region", "EMMC_USER", "--start", "0x200000", "--length", "0x100000", NULL };
  g_autofree char *why = NULL;

  ck_assert_msg (run_on_phone (p, NULL, &err, range) == 0, "%s", err);
  ck_assert_msg (strstr (err, "NVRAM erased as asked") != NULL, "%s", err);
  ck_assert_msg (strstr (err, "PRO_INFO") == NULL, "only NVRAM is in the range: %s", err);
  why = check_newest_backup (p, FALSE);
  ck_assert_msg (why == NULL, "%s", why);
  ck_assert (!journal_exists (p));

  plant_calibration (p, 8);
  ck_assert_msg (run_on_phone (p, NULL, &err, whole) == 0, "%s", err);
  g_clear_pointer (&why, g_free);
  why = check_newest_backup (p, FALSE);
  ck_assert_msg (why == NULL, "%s", why);
  ck_assert (!journal_exists (p));
}
END_TEST

/* `backup` says what it left out instead of a bare "Done". */
START_TEST (test_backup_names_what_it_leaves_out)
{
  g_autoptr(Phone) p = prepared_phone (9);
  g_autofree char *err = NULL;
  g_autofree char *out_dir = g_build_filename (p->xdg, "full-backup", NULL);
  const char *backup[] = { "backup", "--output-dir", out_dir, sample (), NULL };

  ck_assert_msg (run_on_phone (p, NULL, &err, backup) == 0, "%s", err);
  ck_assert_msg (strstr (err, "Not in this backup: FAT, BMTPOOL") != NULL, "%s", err);
  ck_assert_msg (strstr (err, "EMMC_BOOT_2") != NULL, "%s", err);
}
END_TEST

/* The journal's backup went missing: every job on that phone stops with a
 * sentence that names the journal and both ways on. */
START_TEST (test_missing_backup_is_said)
{
  g_autoptr(Phone) p = prepared_phone (10);
  g_autofree char *err = NULL;
  g_autofree char *fault = g_strdup_printf ("write-error-at=0x%" G_GINT64_MODIFIER "x", calibration[1].offset);
  const char *faults[] = { fault, NULL };
  const char *fad[] = { "download", "--scene", "format-all-download", sample (), NULL };
  const char *info[] = { "info", NULL };
  g_autoptr(GKeyFile) journal = g_key_file_new ();
  g_autofree char *path = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *nvram = NULL;

  ck_assert_int_ne (run_on_phone (p, faults, &err, fad), 0);
  path = journal_path (p);
  ck_assert (path != NULL && g_key_file_load_from_file (journal, path, G_KEY_FILE_NONE, NULL));
  folder = g_key_file_get_string (journal, "journal", "folder", NULL);
  nvram = g_build_filename (folder, "NVRAM.bin", NULL);
  ck_assert_int_eq (g_unlink (nvram), 0);

  ck_assert_int_ne (run_on_phone (p, NULL, &err, info), 0);
  ck_assert_msg (strstr (err, path) != NULL && strstr (err, "pending restore") != NULL &&
                 strstr (err, "delete this journal") != NULL, "%s", err);
  ck_assert (journal_exists (p));
}
END_TEST

/* ---- the size guard ---------------------------------------------------------- */

static char *
copy_sample (void)
{
  g_autofree char *dir = sf_test_make_tempdir ();
  g_autoptr(GDir) d = g_dir_open (sample (), 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (d)) != NULL) {
    g_autofree char *from = g_build_filename (sample (), name, NULL);
    g_autofree char *to = g_build_filename (dir, name, NULL);
    g_autofree char *data = NULL;
    gsize len = 0;

    if (!g_file_test (from, G_FILE_TEST_IS_REGULAR))
      continue;
    ck_assert (g_file_get_contents (from, &data, &len, NULL));
    ck_assert (g_file_set_contents (to, data, (gssize) len, NULL));
  }
  return g_steal_pointer (&dir);
}

/* An EBR1 image of 1.5 MiB where the scatter gives 512 KiB and says
 * boundary_check: false: refused when planned, naming file, partition
 * and both sizes; nothing reaches the phone. */
START_TEST (test_image_larger_than_partition_refused)
{
  g_autofree char *fw = copy_sample ();
  g_autofree char *scatter = g_build_filename (fw, "MT6572_Android_scatter.txt", NULL);
  g_autofree char *ebr1 = g_build_filename (fw, "EBR1", NULL);
  g_autofree char *text = NULL;
  g_autofree char *big = g_malloc0 (3 * MB / 2);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GString) edited = g_string_new (NULL);
  int status;

  ck_assert (g_file_get_contents (scatter, &text, NULL, NULL));
  /* boundary_check: false on EBR1's entry only. */
  {
    const char *entry = strstr (text, "partition_name: EBR1");
    const char *flag = entry != NULL ? strstr (entry, "boundary_check: true") : NULL;

    ck_assert (flag != NULL);
    g_string_append_len (edited, text, flag - text);
    g_string_append (edited, "boundary_check: false");
    g_string_append (edited, flag + strlen ("boundary_check: true"));
  }
  ck_assert (g_file_set_contents (scatter, edited->str, (gssize) edited->len, NULL));
  memset (big, 0xEB, 3 * MB / 2);
  ck_assert (g_file_set_contents (ebr1, big, 3 * MB / 2, NULL));

  status = sf_test_run_cli (&out, &err, "plan", "--scene", "download-only", fw, NULL);
  ck_assert_int_eq (status, 2);
  ck_assert_msg (strstr (err, "EBR1") != NULL && strstr (err, "1.5 MiB (1572864 bytes)") != NULL &&
                 strstr (err, "524288") != NULL, "%s", err);
  ck_assert_msg (strstr (err, ":") != NULL, "%s", err);

  status = sf_test_run_cli (&out, &err, "download", "--dry-run", "--partitions", "EBR1", fw, NULL);
  ck_assert_int_eq (status, 2);
  sf_test_rm_rf (fw);
}
END_TEST

/* A scatter with more partitions than the phone's table holds (40) is
 * refused before anything is written, instead of a table cut short. */
START_TEST (test_table_too_long_refused)
{
  g_autoptr(Phone) p = phone_new ();
  g_autofree char *fw = copy_sample ();
  g_autofree char *scatter = g_build_filename (fw, "MT6572_Android_scatter.txt", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GString) edited = g_string_new (NULL);
  g_autofree char *err = NULL;
  const char *fad[] = { "download", "--scene", "format-all-download", fw, NULL };
  const char *fat;
  guint64 at = 0x4080000;

  ck_assert (g_file_get_contents (scatter, &text, NULL, NULL));
  fat = strstr (text, "- partition_index: SYS18\n  partition_name: FAT");
  ck_assert (fat != NULL);
  g_string_append_len (edited, text, fat - text);
  for (guint i = 0; i < 30; i++, at += 0x80000)
    g_string_append_printf (edited,
                            "- partition_index: SYS%u\n  partition_name: EXTRA%u\n  file_name: NONE\n"
                            "  is_download: false\n  type: NONE\n  linear_start_addr: 0x%" G_GINT64_MODIFIER "x\n"
                            "  physical_start_addr: 0x0\n  partition_size: 0x80000\n  region: EMMC_USER\n"
                            "  storage: HW_STORAGE_EMMC\n  boundary_check: true\n  is_reserved: false\n"
                            "  operation_type: INVISIBLE\n  reserve: 0x00\n\n", 100 + i, i, at);
  {
    g_autofree char *moved = g_strdup_printf ("linear_start_addr: 0x%" G_GINT64_MODIFIER "x", at);
    g_autofree char *rest = g_strdup (fat);
    char *addr = strstr (rest, "linear_start_addr: 0x4080000");

    ck_assert (addr != NULL);
    g_string_append_len (edited, rest, addr - rest);
    g_string_append (edited, moved);
    g_string_append (edited, addr + strlen ("linear_start_addr: 0x4080000"));
  }
  ck_assert (g_file_set_contents (scatter, edited->str, (gssize) edited->len, NULL));

  ck_assert_int_ne (run_on_phone (p, NULL, &err, fad), 0);
  ck_assert_msg (strstr (err, "at most 40 partitions") != NULL, "%s", err);
  ck_assert_msg (strstr (err, "Nothing was written to the phone") != NULL, "%s", err);
  sf_test_rm_rf (fw);
}
END_TEST

/* ---- the sweep ----------------------------------------------------------------- */

typedef struct {
  const char *scene;      /* what runs */
  const char *fault;      /* "unplug-after=%" G_GUINT64_FORMAT, … */
  guint64     at;
  guint32     seed;
  char       *failure;    /* NULL: fine */
} SweepCase;

static const char *const *
scene_args (const char *scene)
{
  static const char *fad[] = { "download", "--scene", "format-all-download", NULL, NULL };
  static const char *fu[] = { "download", "--scene", "firmware-upgrade", NULL, NULL };
  static const char *format[] = { "format", "--auto", "--include-calibration", NULL, NULL };

  if (strcmp (scene, "format-all-download") == 0)
    return fad;
  if (strcmp (scene, "firmware-upgrade") == 0)
    return fu;
  return format;
}

/* NULL when the newest backup folder of the phone (with @any: any of
 * them) holds its planted NVRAM. */
static char *
check_newest_backup (const Phone *p,
                     gboolean     any)
{
  g_autofree char *dir = phone_dir (p);
  g_autoptr(GDir) d = dir != NULL ? g_dir_open (dir, 0, NULL) : NULL;
  g_autofree char *newest = NULL;
  g_autofree char *nvram = NULL;
  g_autofree char *data = NULL;
  const char *name;
  gsize len = 0;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL) {
    if (any && g_ascii_isdigit (name[0])) {
      g_autofree char *path = g_build_filename (dir, name, "NVRAM.bin", NULL);
      g_autofree char *bytes = NULL;

      if (g_file_get_contents (path, &bytes, &len, NULL) && len == calibration[1].size &&
          memcmp (bytes, (const guint8 *) g_bytes_get_data (p->original, NULL) +
                         (calibration[1].offset - CAL_BEGIN), len) == 0)
        return NULL;
    }
    if (g_ascii_isdigit (name[0]) && (newest == NULL || strcmp (name, newest) > 0)) {
      g_free (newest);
      newest = g_strdup (name);
    }
  }
  if (newest == NULL)
    return g_strdup ("no backup folder");
  nvram = g_build_filename (dir, newest, "NVRAM.bin", NULL);
  if (!g_file_get_contents (nvram, &data, &len, NULL) || len != calibration[1].size ||
      memcmp (data, (const guint8 *) g_bytes_get_data (p->original, NULL) +
                    (calibration[1].offset - CAL_BEGIN), len) != 0)
    return g_strdup_printf ("the newest backup %s is not the phone's NVRAM", nvram);
  return NULL;
}

static void
run_sweep_case (gpointer item,
                gpointer user_data)
{
  SweepCase *c = item;
  g_autoptr(Phone) p = phone_new ();
  g_autofree char *err = NULL;
  g_autofree char *fault = g_strdup_printf ("%s=%" G_GUINT64_FORMAT, c->fault, c->at);
  const char *faults[] = { fault, NULL };
  const char *args[6] = { 0 };
  const char *const *scene = scene_args (c->scene);
  const char *prepare[] = { "download", "--scene", "format-all-download", sample (), NULL };
  g_autofree char *why = NULL;
  int status, status_first;

  (void) user_data;
  for (guint i = 0; scene[i] != NULL; i++)
    args[i] = scene[i];
  args[g_strv_length ((char **) scene)] = sample ();

  if (run_on_phone (p, NULL, &err, prepare) != 0) {
    c->failure = g_strdup_printf ("preparing: %s", err);
    return;
  }
  plant_calibration (p, c->seed);

  status = status_first = run_on_phone (p, faults, &err, args);
  /* A format the fault did not stop erased the calibration as asked. */
  if (status == 0 && strcmp (c->scene, "format") == 0)
    why = journal_exists (p) ? g_strdup ("the journal stayed after the format") : check_newest_backup (p, FALSE);
  else
    why = check_calibration_safe (p);
  if (why != NULL) {
    c->failure = g_strdup_printf ("after the fault (exit %d): %s\n%s", status, why, err);
    return;
  }
  if (status != 0 && journal_exists (p) && strstr (err, "backup is safe in") == NULL) {
    c->failure = g_strdup_printf ("pending calibration not said: %s", err);
    return;
  }

  /* The same command again without the fault. */
  status = run_on_phone (p, NULL, &err, args);
  if (status != 0) {
    c->failure = g_strdup_printf ("the second run failed: %s", err);
    return;
  }
  if (journal_exists (p)) {
    c->failure = g_strdup ("the journal is still there after a good run");
    return;
  }
  if (strcmp (c->scene, "format") != 0) {
    g_autoptr(GBytes) now = read_user (p, CAL_BEGIN, CAL_SIZE);

    if (!g_bytes_equal (now, p->original))
      c->failure = g_strdup ("the calibration is not on the phone after the second run");
  } else {
    /* Erased as asked: a backup must hold the original bytes (the newest
     * one, unless the first run already erased them as asked). */
    c->failure = check_newest_backup (p, status_first == 0);
  }
}

START_TEST (test_fault_sweep)
{
  static const char *scenes[] = { "format-all-download", "firmware-upgrade", "format" };
  /* Data bytes a scene moves, roughly: backups 7.5 MiB, then the sample's
   * images (about 40 MiB) and the restores. */
  static const guint64 byte_points[] = {
    256 * 1024, 600 * 1024, 3 * MB, 7 * MB + 700 * 1024, 8 * MB, 9 * MB,
    12 * MB, 20 * MB, 30 * MB, 45 * MB, 50 * MB, 53 * MB,
  };
  /* User-area offsets written: the calibration itself, the boot images,
   * system, cache, userdata. */
  static const guint64 write_points[] = {
    0x100000, 0x181000, 0x400000, 0x690000, 0x7f0000, 0x900000,
    0x980000, 0x1080000, 0x1880000, 0x2880000, 0x2c80000, 0x3000000,
  };
  /* Format moves only the backups (7.5 MiB) over the wire. */
  static const guint64 format_points[] = {
    1024, 128 * 1024, 512 * 1024, 520 * 1024, 1 * MB, 2 * MB, 3 * MB + 300 * 1024,
    5 * MB, 5 * MB + 600 * 1024, 6 * MB + 512 * 1024, 7 * MB, 7 * MB + 400 * 1024,
  };
  static const char *byte_faults[] = { "unplug-after", "stall-after" };
  G_STATIC_ASSERT (G_N_ELEMENTS (format_points) == G_N_ELEMENTS (byte_points));
  g_autoptr(GPtrArray) cases = g_ptr_array_new_with_free_func (g_free);
  GThreadPool *pool = g_thread_pool_new (run_sweep_case, NULL, 6, FALSE, NULL);
  guint failures = 0;

  for (guint s = 0; s < G_N_ELEMENTS (scenes); s++) {
    for (guint f = 0; f < G_N_ELEMENTS (byte_faults); f++) {
      gboolean format = strcmp (scenes[s], "format") == 0;

      for (guint i = 0; i < G_N_ELEMENTS (byte_points); i++) {
        SweepCase *c = g_new0 (SweepCase, 1);

        c->scene = scenes[s];
        c->fault = byte_faults[f];
        c->at = format ? format_points[i] : byte_points[i];
        c->seed = cases->len + 100;
        g_ptr_array_add (cases, c);
      }
    }
    for (guint i = 0; i < G_N_ELEMENTS (write_points); i++) {
      SweepCase *c = g_new0 (SweepCase, 1);

      c->scene = scenes[s];
      c->fault = "write-error-at";
      c->at = write_points[i];
      c->seed = cases->len + 100;
      g_ptr_array_add (cases, c);
    }
  }
  for (guint i = 0; i < cases->len; i++)
    g_thread_pool_push (pool, g_ptr_array_index (cases, i), NULL);
  g_thread_pool_free (pool, FALSE, TRUE);

  for (guint i = 0; i < cases->len; i++) {
    SweepCase *c = g_ptr_array_index (cases, i);

    if (c->failure != NULL) {
      g_printerr ("%s, %s=%" G_GUINT64_FORMAT ": %s\n", c->scene, c->fault, c->at, c->failure);
      failures++;
      g_free (c->failure);
    }
  }
  g_printerr ("calibration sweep: %u cases, %u failed\n", cases->len, failures);
  ck_assert_uint_eq (failures, 0);
}
END_TEST

static Suite *
safety_suite (void)
{
  Suite *s = suite_create ("safety");
  TCase *tc = tcase_create ("journal");

  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_failed_format_all_puts_calibration_back);
  tcase_add_test (tc, test_pending_calibration_restored_by_next_command);
  tcase_add_test (tc, test_restore_command_takes_the_named_folder);
  tcase_add_test (tc, test_blank_calibration_is_no_backup);
  tcase_add_test (tc, test_partial_backup_leaves_nothing);
  tcase_add_test (tc, test_backup_folders_never_clash);
  tcase_add_test (tc, test_raw_format_backs_up_calibration);
  tcase_add_test (tc, test_backup_names_what_it_leaves_out);
  tcase_add_test (tc, test_missing_backup_is_said);
  suite_add_tcase (s, tc);

  tc = tcase_create ("size-guard");
  tcase_add_test (tc, test_image_larger_than_partition_refused);
  tcase_add_test (tc, test_table_too_long_refused);
  suite_add_tcase (s, tc);
  return s;
}

static Suite *
sweep_suite (void)
{
  Suite *s = suite_create ("calibration-sweep");
  TCase *tc = tcase_create ("sweep");

  tcase_set_timeout (tc, 1500);
  tcase_add_test (tc, test_fault_sweep);
  suite_add_tcase (s, tc);
  return s;
}

int
main (int    argc,
      char **argv)
{
  if (argc > 1 && g_strcmp0 (argv[1], "--sweep") == 0)
    return sf_test_run_suite (sweep_suite ());
  return sf_test_run_suite (safety_suite ());
}
