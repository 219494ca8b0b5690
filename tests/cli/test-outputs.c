/* test-outputs.c — what the CLI writes and what it shares: output files,
 * the phone's port, number options and JSON text (issue 13, items 5, 7, 8)
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every test runs scatterflash-cli against the virtual phone, in process
 * (src/sim), so the test sees how many flash bytes moved.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "sf-error.h"
#include "sf-output-file.h"
#include "sf-sim.h"
#include "sf-test-util.h"
#include "sf-transport.h"

#define MB (1024 * 1024)
#define USER_SIZE (64 * MB)
/* The sample scatter's CACHE, counted from MBR, where the user area starts. */
#define CACHE_USER_OFFSET (0x3480000 - 0xc00000)

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
env (const char *name)
{
  const char *value = g_getenv (name);

  ck_assert_msg (value != NULL, "%s is not set: run the tests with meson test", name);
  return value;
}

static SfSim *
start_phone_with (SfSimPace pace,
                  gboolean  powered_on)
{
  SfSimOptions opts;
  g_autoptr(GError) error = NULL;
  SfSim *sim;

  sf_sim_options_init (&opts);
  opts.storage_dir = storage;
  opts.emmc_user_size = USER_SIZE;
  opts.pace = pace;
  /* Readbacks need no firmware through the preloader (§13.2). */
  opts.mode = SF_SIM_MODE_PRELOADER;
  opts.faults.powered_on = powered_on;
  sim = sf_sim_new (&opts, &error);
  ck_assert_msg (sim != NULL, "%s", error ? error->message : "");
  ck_assert_msg (sf_sim_start (sim, &error), "%s", error ? error->message : "");
  return sim;
}

static SfSim *
start_phone (SfSimPace pace)
{
  return start_phone_with (pace, FALSE);
}

/* ---- the CLI in the background ------------------------------------------------------ */

typedef struct {
  GSubprocess *process;
  char        *err_path;
} Cli;

/* Starts @prefix (nullable, NULL-ended: a command that runs the rest)
 * then scatterflash-cli @args. */
static void
cli_start (Cli                *cli,
           const char * const *prefix,
           const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  static guint n;

  cli->err_path = g_strdup_printf ("%s/cli-%u.err", work, n++);
  g_subprocess_launcher_set_stderr_file_path (launcher, cli->err_path);
  for (guint i = 0; prefix != NULL && prefix[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) prefix[i]);
  g_ptr_array_add (argv, (gpointer) env ("SF_CLI"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  cli->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  ck_assert_msg (cli->process != NULL, "%s", error ? error->message : "");
}

/* Waits for the CLI; its exit status, and its stderr in *@err. */
static int
cli_finish (Cli   *cli,
            char **err)
{
  g_autoptr(GError) error = NULL;
  int status;

  ck_assert_msg (g_subprocess_wait (cli->process, NULL, &error), "%s", error ? error->message : "");
  ck_assert_msg (g_subprocess_get_if_exited (cli->process), "scatterflash-cli did not exit normally");
  status = g_subprocess_get_exit_status (cli->process);
  g_clear_pointer (err, g_free);
  ck_assert (g_file_get_contents (cli->err_path, err, NULL, NULL));
  g_clear_object (&cli->process);
  g_clear_pointer (&cli->err_path, g_free);
  return status;
}

/* Until the phone has moved flash data: the job is well under way. */
static void
wait_for_flash_bytes (SfSim *sim)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (sf_sim_get_flash_bytes (sim) == 0) {
    ck_assert_msg (g_get_monotonic_time () < deadline, "the phone moved no flash data in 30 s");
    g_usleep (10 * 1000);
  }
}

/* Runs a readback of EMMC_USER 0 + @length into @output (with --force when
 * @force) on a new phone; its exit status. */
static int
readback_on_phone (char       **err,
                   const char  *length,
                   const char  *output,
                   gboolean     force,
                   guint64     *out_flash_bytes)
{
  g_autoptr(SfSim) sim = start_phone (SF_SIM_PACE_NONE);
  g_autofree char *out = NULL;
  const char *args[] = {
    "readback", "--port", sf_sim_get_port_path (sim), "--region", "EMMC_USER", "--start", "0",
    "--length", length, "--output", output, force ? "--force" : NULL, NULL
  };
  int status = sf_test_run_cliv (&out, err, args);

  if (out_flash_bytes != NULL)
    *out_flash_bytes = sf_sim_get_flash_bytes (sim);
  return status;
}

static void
assert_contents (const char *path,
                 const char *want)
{
  g_autofree char *got = NULL;

  ck_assert_msg (g_file_get_contents (path, &got, NULL, NULL), "%s is gone", path);
  ck_assert_str_eq (got, want);
}

static goffset
file_size (const char *path)
{
  GStatBuf st;

  ck_assert_msg (g_lstat (path, &st) == 0, "%s: %s", path, g_strerror (errno));
  ck_assert_msg (S_ISREG (st.st_mode), "%s is not a regular file", path);
  return st.st_size;
}

/* ---- output files ------------------------------------------------------------------- */

/* --force replaced a FIFO (and, as root, /dev/null) with a regular file:
 * what is not a regular file is never replaced, before the phone is
 * touched. /dev/null itself is reached through a link, so that a broken
 * build cannot replace the real one. */
START_TEST (test_force_never_replaces_special_files)
{
  g_autofree char *fifo = g_build_filename (work, "fifo", NULL);
  g_autofree char *to_null = g_build_filename (work, "to-null", NULL);
  g_autofree char *folder = g_build_filename (work, "folder", NULL);
  g_autofree char *err = NULL;
  g_autofree char *link = NULL;
  GStatBuf st;
  guint64 moved = 0;
  int status;

  ck_assert_int_eq (mkfifo (fifo, 0644), 0);
  ck_assert_int_eq (symlink ("/dev/null", to_null), 0);
  ck_assert_int_eq (g_mkdir (folder, 0755), 0);

  status = readback_on_phone (&err, "512", fifo, TRUE, &moved);
  ck_assert_msg (status == 2, "exit %d: %s", status, err);
  ck_assert_msg (strstr (err, "is a pipe (FIFO), not a file, and is never written over, even with --force — "
                              "choose a file name") != NULL, "%s", err);
  ck_assert_int_eq (moved, 0);
  ck_assert_int_eq (g_lstat (fifo, &st), 0);
  ck_assert (S_ISFIFO (st.st_mode));

  status = readback_on_phone (&err, "512", to_null, TRUE, &moved);
  ck_assert_msg (status == 2, "exit %d: %s", status, err);
  ck_assert_msg (strstr (err, "is a device, not a file") != NULL, "%s", err);
  ck_assert_int_eq (moved, 0);
  link = g_file_read_link (to_null, NULL);
  ck_assert_str_eq (link, "/dev/null");
  ck_assert_int_eq (g_stat ("/dev/null", &st), 0);
  ck_assert (S_ISCHR (st.st_mode));

  status = readback_on_phone (&err, "512", folder, TRUE, &moved);
  ck_assert_msg (status == 2, "exit %d: %s", status, err);
  ck_assert_msg (strstr (err, "is a folder") != NULL, "%s", err);
  ck_assert (g_file_test (folder, G_FILE_TEST_IS_DIR));
}
END_TEST

START_TEST (test_existing_file_needs_force)
{
  g_autofree char *output = g_build_filename (work, "out.bin", NULL);
  g_autofree char *partial = g_strconcat (output, ".partial", NULL);
  g_autofree char *err = NULL;
  g_autofree char *want = NULL;
  int status;

  sf_test_write_file (output, "old", 3);
  status = readback_on_phone (&err, "512K", output, FALSE, NULL);
  ck_assert_msg (status == 2, "exit %d: %s", status, err);
  want = g_strdup_printf ("%s already exists — choose another name or pass --force", output);
  ck_assert_msg (strstr (err, want) != NULL, "%s", err);
  assert_contents (output, "old");

  status = readback_on_phone (&err, "512K", output, TRUE, NULL);
  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  ck_assert_int_eq (file_size (output), 512 * 1024);
  ck_assert (!g_file_test (partial, G_FILE_TEST_EXISTS));
}
END_TEST

/* An X.partial of the user's was deleted without --force. */
START_TEST (test_users_partial_file_is_kept)
{
  g_autofree char *output = g_build_filename (work, "out.bin", NULL);
  g_autofree char *partial = g_strconcat (output, ".partial", NULL);
  g_autofree char *err = NULL;
  guint64 moved = 0;
  int status;

  sf_test_write_file (partial, "mine", 4);
  status = readback_on_phone (&err, "512K", output, FALSE, &moved);
  ck_assert_msg (status == 2, "exit %d: %s", status, err);
  ck_assert_msg (strstr (err, "out.bin.partial already exists") != NULL && strstr (err, "--force") != NULL,
                 "%s", err);
  ck_assert_int_eq (moved, 0);
  assert_contents (partial, "mine");
  ck_assert (!g_file_test (output, G_FILE_TEST_EXISTS));

  /* --force: the leftover goes, the readback lands. */
  status = readback_on_phone (&err, "512K", output, TRUE, NULL);
  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  ck_assert_int_eq (file_size (output), 512 * 1024);
  ck_assert (!g_file_test (partial, G_FILE_TEST_EXISTS));
}
END_TEST

/* A file made at --output while the phone is read was overwritten at the
 * end: now it is left alone, and what was read is kept in X.partial. */
START_TEST (test_file_appearing_meanwhile_is_not_overwritten)
{
  g_autoptr(SfSim) sim = start_phone (SF_SIM_PACE_FULL_SPEED);
  g_autofree char *output = g_build_filename (work, "out.bin", NULL);
  g_autofree char *partial = g_strconcat (output, ".partial", NULL);
  g_autofree char *err = NULL;
  const char *args[] = {
    "readback", "--port", sf_sim_get_port_path (sim), "--region", "EMMC_USER", "--start", "0",
    "--length", "3M", "--output", output, NULL
  };
  Cli cli = { 0 };
  int status;

  cli_start (&cli, NULL, args);
  wait_for_flash_bytes (sim);
  ck_assert_msg (sf_sim_get_flash_bytes (sim) < 3 * MB, "the readback ended before the test could race it");
  sf_test_write_file (output, "mine", 4);

  status = cli_finish (&cli, &err);
  ck_assert_msg (status == 1, "exit %d: %s", status, err);
  ck_assert_msg (strstr (err, "appeared while the phone was being read and was left as it is") != NULL &&
                 strstr (err, "out.bin.partial") != NULL, "%s", err);
  assert_contents (output, "mine");
  ck_assert_int_eq (file_size (partial), 3 * MB);
}
END_TEST

/* Disk full during a readback named no file and gave no advice. A 1 MiB
 * tmpfs in a private mount namespace stands for the full disk. */
START_TEST (test_disk_full_names_the_file)
{
  g_autoptr(SfSim) sim = NULL;
  g_autofree char *mnt = g_build_filename (work, "small-disk", NULL);
  g_autofree char *output = g_build_filename (mnt, "out.bin", NULL);
  g_autofree char *err = NULL;
  g_autofree char *want = NULL;
  const char *probe[] = { "unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=1m none \"$1\"", "sh", mnt, NULL };
  const char *prefix[] = {
    "unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=1m none \"$1\" && shift && exec \"$@\"", "sh", mnt, NULL
  };
  const char *args[] = {
    "readback", "--port", NULL, "--region", "EMMC_USER", "--start", "0", "--length", "4M",
    "--output", output, NULL
  };
  Cli cli = { 0 };
  int wait_status = 0;
  int status;

  ck_assert_int_eq (g_mkdir (mnt, 0755), 0);
  if (!g_spawn_sync (NULL, (char **) probe, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                     G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &wait_status, NULL) ||
      !g_spawn_check_wait_status (wait_status, NULL)) {
    g_printerr ("test_disk_full_names_the_file: skipped, no tmpfs in a user namespace here\n");
    return;
  }

  sim = start_phone (SF_SIM_PACE_NONE);
  args[2] = sf_sim_get_port_path (sim);
  cli_start (&cli, prefix, args);
  status = cli_finish (&cli, &err);
  ck_assert_msg (status == 1, "exit %d: %s", status, err);
  want = g_strdup_printf ("the disk holding %s is full — free 3 MiB or choose another folder", output);
  ck_assert_msg (strstr (err, want) != NULL, "%s", err);
}
END_TEST

/* ---- SfOutputFile itself -------------------------------------------------------------- */

static gboolean
write_string (SfOutputFile *out,
              const char   *text)
{
  return g_output_stream_write_all (sf_output_file_get_stream (out), text, strlen (text), NULL, NULL, NULL);
}

START_TEST (test_output_file_api)
{
  g_autofree char *path = g_build_filename (work, "data.bin", NULL);
  g_autofree char *partial = g_strconcat (path, ".partial", NULL);
  g_autoptr(GFile) target = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  SfOutputFile *out;

  /* Freed without a commit: nothing is left behind. */
  out = sf_output_file_new (target, FALSE, &error);
  ck_assert_msg (out != NULL, "%s", error ? error->message : "");
  ck_assert (g_file_test (partial, G_FILE_TEST_IS_REGULAR));
  ck_assert (write_string (out, "half"));
  sf_output_file_free (out);
  ck_assert (!g_file_test (partial, G_FILE_TEST_EXISTS));
  ck_assert (!g_file_test (path, G_FILE_TEST_EXISTS));

  /* Committed: the data under the target's name, and no .partial. */
  out = sf_output_file_new (target, FALSE, &error);
  ck_assert_msg (out != NULL, "%s", error ? error->message : "");
  ck_assert (sf_output_file_reserve (out, 1000, &error));
  ck_assert (write_string (out, "whole"));
  ck_assert_msg (sf_output_file_commit (out, NULL, &error), "%s", error ? error->message : "");
  sf_output_file_free (out);
  assert_contents (path, "whole");
  /* What was reserved and not written is given back. */
  ck_assert_int_eq (file_size (path), 5);
  ck_assert (!g_file_test (partial, G_FILE_TEST_EXISTS));

  /* An existing file: refused without force, before anything is made. */
  ck_assert (!sf_output_file_check (target, FALSE, &error));
  ck_assert (g_error_matches (error, SF_ERROR, SF_ERROR_OUTPUT_EXISTS));
  g_clear_error (&error);
  ck_assert (sf_output_file_new (target, FALSE, &error) == NULL);
  ck_assert (g_error_matches (error, SF_ERROR, SF_ERROR_OUTPUT_EXISTS));
  g_clear_error (&error);
  ck_assert (!g_file_test (partial, G_FILE_TEST_EXISTS));
  ck_assert (sf_output_file_write_contents (target, "new", 3, TRUE, NULL, &error));
  assert_contents (path, "new");

  /* A .partial that replaced ours meanwhile is someone else's: kept. */
  g_unlink (path);
  out = sf_output_file_new (target, FALSE, &error);
  ck_assert_msg (out != NULL, "%s", error ? error->message : "");
  g_unlink (partial);
  sf_test_write_file (partial, "theirs", 6);
  sf_output_file_free (out);
  assert_contents (partial, "theirs");
  g_unlink (partial);

  /* Without force, a file that appears before the commit is kept, and
   * so is what was written, in the .partial. */
  out = sf_output_file_new (target, FALSE, &error);
  ck_assert_msg (out != NULL, "%s", error ? error->message : "");
  ck_assert (write_string (out, "read"));
  sf_test_write_file (path, "mine", 4);
  ck_assert (!sf_output_file_commit (out, NULL, &error));
  ck_assert (g_error_matches (error, SF_ERROR, SF_ERROR_OUTPUT_EXISTS));
  ck_assert_msg (strstr (error->message, "data.bin.partial") != NULL, "%s", error->message);
  g_clear_error (&error);
  sf_output_file_free (out);
  assert_contents (path, "mine");
  assert_contents (partial, "read");

  /* With force, a FIFO that appears before the commit is not replaced. */
  g_unlink (path);
  g_unlink (partial);
  out = sf_output_file_new (target, TRUE, &error);
  ck_assert_msg (out != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (mkfifo (path, 0644), 0);
  ck_assert (!sf_output_file_commit (out, NULL, &error));
  ck_assert_msg (strstr (error->message, "pipe") != NULL, "%s", error->message);
  g_clear_error (&error);
  sf_output_file_free (out);
  ck_assert (!g_file_test (path, G_FILE_TEST_IS_REGULAR));
}
END_TEST

/* A write that fails halfway names the file and says what to do, where a
 * plain GUnixOutputStream said "Error writing to file: …". The file size
 * limit stands for a disk that refuses more. */
START_TEST (test_output_file_write_error_names_the_file)
{
  g_autofree char *path = g_build_filename (work, "big.bin", NULL);
  g_autoptr(GFile) target = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(SfOutputFile) out = NULL;
  g_autofree char *data = g_malloc0 (64 * 1024);
  struct rlimit saved, small;
  void (*old_handler) (int);
  gboolean ok;

  out = sf_output_file_new (target, FALSE, &error);
  ck_assert_msg (out != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (getrlimit (RLIMIT_FSIZE, &saved), 0);
  small = saved;
  small.rlim_cur = 16 * 1024;
  old_handler = signal (SIGXFSZ, SIG_IGN);
  ck_assert_int_eq (setrlimit (RLIMIT_FSIZE, &small), 0);
  ok = g_output_stream_write_all (sf_output_file_get_stream (out), data, 64 * 1024, NULL, NULL, &error);
  setrlimit (RLIMIT_FSIZE, &saved);
  signal (SIGXFSZ, old_handler);

  ck_assert (!ok);
  ck_assert_msg (strstr (error->message, path) != NULL && strstr (error->message, " — ") != NULL,
                 "%s", error->message);
}
END_TEST

/* ---- the port is the job's alone ------------------------------------------------------ */

/* Whether the tty at @path is in exclusive mode: TRUE also when it cannot
 * be opened because of it (not root). */
static gboolean
port_is_exclusive (const char *path)
{
  int fd = open (path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  int excl = 0;

  if (fd < 0)
    return errno == EBUSY;
  ck_assert_int_eq (ioctl (fd, TIOCGEXCL, &excl), 0);
  close (fd);
  return excl != 0;
}

/* `info --port P` during a download on P broke the download, which then
 * blamed a worn-out eMMC. */
START_TEST (test_second_job_on_a_busy_port_fails_at_once)
{
  g_autoptr(SfSim) sim = start_phone (SF_SIM_PACE_FULL_SPEED);
  g_autofree char *port = g_strdup (sf_sim_get_port_path (sim));
  g_autofree char *cache = g_build_filename (env ("SF_SAMPLE_FIRMWARE"), "cache.img", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *want = NULL;
  const char *args[] = {
    "download", "--port", port, "--partitions", "CACHE", env ("SF_SAMPLE_FIRMWARE"), NULL
  };
  Cli cli = { 0 };
  gint64 t0;
  int status;

  cli_start (&cli, NULL, args);
  wait_for_flash_bytes (sim);

  t0 = g_get_monotonic_time ();
  status = sf_test_run_cli (&out, &err, "info", "--port", port, NULL);
  ck_assert_msg (status == 1, "exit %d: %s", status, err);
  want = g_strdup_printf ("The phone on %s is busy with another Scatterflash job — wait for it to finish", port);
  ck_assert_msg (strcasestr (err, want) != NULL, "%s", err);
  ck_assert_msg (g_get_monotonic_time () - t0 < 5 * G_USEC_PER_SEC, "the second job waited for the port");
  ck_assert_msg (sf_sim_get_result (sim) == SF_SIM_RESULT_RUNNING, "the download ended before the second job ran");
  ck_assert (port_is_exclusive (port));

  /* The running job never noticed. */
  status = cli_finish (&cli, &err);
  ck_assert_msg (status == 0, "download: exit %d: %s", status, err);
  sf_test_assert_image_at (storage, cache, "user.bin", CACHE_USER_OFFSET);
}
END_TEST

/* The port is let go at the end: the virtual phone keeps its pty open, so
 * a TIOCEXCL left behind would lock everyone else (but root) out. A phone
 * that runs Android stays on the bus after the command gives up on it. */
START_TEST (test_port_is_released)
{
  g_autoptr(SfSim) sim = start_phone_with (SF_SIM_PACE_NONE, TRUE);
  g_autofree char *port = g_strdup (sf_sim_get_port_path (sim));
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  status = sf_test_run_cli (&out, &err, "info", "--port", port, NULL);
  ck_assert_msg (status == 1, "exit %d: %s", status, err);
  ck_assert_msg (strstr (err, "SF_PORT_BUSY") == NULL, "%s", err);
  ck_assert_msg (sf_sim_get_result (sim) == SF_SIM_RESULT_RUNNING, "the phone left the bus");
  ck_assert (!port_is_exclusive (port));

  /* And the next command may have it. */
  status = sf_test_run_cli (&out, &err, "info", "--port", port, NULL);
  ck_assert_msg (status == 1 && strstr (err, "SF_PORT_BUSY") == NULL, "exit %d: %s", status, err);
}
END_TEST

/* Two opens of one port, even in one process (the app's pages, or its
 * station view), are refused alike; the refused one leaves the holder's
 * exclusive mode alone. (libserialport does not open ptys, so the
 * /dev/ttyACM* transport has no test of its own here.) */
START_TEST (test_tty_transport_is_exclusive)
{
  g_autoptr(SfSim) sim = start_phone (SF_SIM_PACE_NONE);
  const char *port = sf_sim_get_port_path (sim);
  g_autoptr(GError) error = NULL;
  g_autoptr(SfTransport) first = NULL;
  g_autoptr(SfTransport) second = NULL;

  first = sf_transport_open_port (port, &error);
  ck_assert_msg (first != NULL, "%s", error ? error->message : "");
  ck_assert (port_is_exclusive (port));

  second = sf_transport_open_port (port, &error);
  ck_assert (second == NULL);
  ck_assert_msg (g_error_matches (error, SF_ERROR, SF_ERROR_PORT_BUSY), "%s", error->message);
  g_clear_error (&error);
  ck_assert (port_is_exclusive (port));

  ck_assert (sf_transport_close (first, NULL));
  ck_assert (!port_is_exclusive (port));
  second = sf_transport_open_port (port, &error);
  ck_assert_msg (second != NULL, "%s", error ? error->message : "");
}
END_TEST

/* ---- options ------------------------------------------------------------------------- */

/* Runs readback --dry-run with @start and @length; its exit status. */
static int
dry_readback (char       **err,
              const char  *start,
              const char  *length)
{
  g_autofree char *out = NULL;
  g_autofree char *output = g_build_filename (work, "x.bin", NULL);

  return sf_test_run_cli (&out, err, "readback", "--port", "/dev/no-such-port", "--dry-run",
                          "--region", "EMMC_USER", "--start", start, "--length", length, "--output", output, NULL);
}

static void
assert_usage_error (int         status,
                    const char *err,
                    const char *want)
{
  ck_assert_msg (status == 2, "exit %d: %s", status, err);
  ck_assert_msg (strstr (err, want) != NULL, "wanted “%s” in: %s", want, err);
}

START_TEST (test_number_options)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  /* strtoull() made -512 a huge multiple of 512. */
  status = dry_readback (&err, "-512", "512");
  assert_usage_error (status, err, "--start must not be negative");
  status = dry_readback (&err, "0", "-512");
  assert_usage_error (status, err, "--length must not be negative");
  /* Overflow was reported as "must be multiples of 512". */
  status = dry_readback (&err, "0", "99999999999999999999");
  assert_usage_error (status, err, "--length is too large");
  status = dry_readback (&err, "0", "17179869184G");
  assert_usage_error (status, err, "--length is too large");
  status = dry_readback (&err, "0x8000000000000000", "512");
  assert_usage_error (status, err, "--start is too large");
  status = dry_readback (&err, "0x7ffffffffffffe00", "512");
  assert_usage_error (status, err, "--start plus --length is too large");
  status = dry_readback (&err, "0", " 512");
  assert_usage_error (status, err, "--length takes a byte count");
  status = dry_readback (&err, "+512", "512");
  assert_usage_error (status, err, "--start takes a byte count");
  status = dry_readback (&err, "0", "0x");
  assert_usage_error (status, err, "--length takes a byte count");
  status = dry_readback (&err, "0", "4T");
  assert_usage_error (status, err, "--length takes a byte count");
  status = dry_readback (&err, "0", "0");
  assert_usage_error (status, err, "--length must not be 0");
  status = dry_readback (&err, "0", "100");
  assert_usage_error (status, err, "must be multiples of 512");

  /* What was accepted still is: hex, decimal, K, M and G. */
  status = dry_readback (&err, "1K", "0x400000");
  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  status = dry_readback (&err, "1048576", "1g");
  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  status = dry_readback (&err, "0xFFE00", "0X200");
  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  status = sf_test_run_cli (&out, &err, "readback", "--port", "/dev/no-such-port", "--dry-run", "--region", "EMMC_USER",
                            "--start", "0x1F600000", "--length", "512K", "--output", "x.bin", NULL);
  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  ck_assert_msg (strstr (out, "0x1f600000 + 0x80000") != NULL, "%s", out);

  status = sf_test_run_cli (&out, &err, "format", "--port", "/dev/no-such-port", "--dry-run",
                            "--region", "EMMC_USER", "--start", "-512", "--length", "512", NULL);
  assert_usage_error (status, err, "--start must not be negative");
  status = sf_test_run_cli (&out, &err, "download", "--watch", "--count", "-1", env ("SF_SAMPLE_FIRMWARE"), NULL);
  assert_usage_error (status, err, "--count must not be negative");
  status = sf_test_run_cli (&out, &err, "download", "--watch", "--count", "99999999999999999999",
                            env ("SF_SAMPLE_FIRMWARE"), NULL);
  assert_usage_error (status, err, "--count is too large");
}
END_TEST

/* `--port /some/dir` said "…: Success". */
START_TEST (test_port_naming_a_folder)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *want = g_strdup_printf ("%s is a folder, not a phone's port — pass the tty, e.g. /dev/ttyACM0", work);
  int status;

  status = sf_test_run_cli (&out, &err, "info", "--port", work, NULL);
  assert_usage_error (status, err, want);
  ck_assert_msg (strstr (err, "Success") == NULL, "%s", err);
}
END_TEST

/* ---- JSON is UTF-8 -------------------------------------------------------------------- */

/* A Latin-1 byte in a scatter's comment and in a value went into
 * `scatter --json` as it was: not UTF-8, so not JSON. */
START_TEST (test_scatter_json_is_utf8)
{
  g_autofree char *src = g_build_filename (env ("SF_SAMPLE_FIRMWARE"), "MT6572_Android_scatter.txt", NULL);
  g_autofree char *path = g_build_filename (work, "MT6572_Android_scatter.txt", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GString) text = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *root;
  gsize len = 0;
  int status;

  ck_assert (g_file_get_contents (src, &contents, &len, NULL));
  text = g_string_new_len (contents, (gssize) len);
  /* "é" in Latin-1, in the project's value and in the banner comment. */
  ck_assert_uint_eq (g_string_replace (text, "scatterflash_sample", "scatterflash_\xe9" "chantillon", 1), 1);
  ck_assert_uint_eq (g_string_replace (text, "General Setting", "G\xe9n\xe9ral Setting", 1), 1);
  sf_test_write_file (path, text->str, text->len);

  status = sf_test_run_cli (&out, &err, "scatter", "--json", path, NULL);
  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  ck_assert_msg (g_utf8_validate (out, -1, NULL), "stdout is not UTF-8");
  ck_assert_msg (json_parser_load_from_data (parser, out, -1, &error), "%s", error ? error->message : "");
  root = json_node_get_object (json_parser_get_root (parser));
  ck_assert_str_eq (json_object_get_string_member (root, "project"), "scatterflash_\xef\xbf\xbd" "chantillon");
  ck_assert_str_eq (json_object_get_string_member (root, "platform"), "MT6572");
}
END_TEST

static Suite *
outputs_suite (void)
{
  Suite *s = suite_create ("outputs");
  TCase *files = tcase_create ("files");
  TCase *port = tcase_create ("port");
  TCase *options = tcase_create ("options");

  tcase_add_checked_fixture (files, setup, teardown);
  tcase_set_timeout (files, 120);
  tcase_add_test (files, test_output_file_api);
  tcase_add_test (files, test_output_file_write_error_names_the_file);
  tcase_add_test (files, test_force_never_replaces_special_files);
  tcase_add_test (files, test_existing_file_needs_force);
  tcase_add_test (files, test_users_partial_file_is_kept);
  tcase_add_test (files, test_file_appearing_meanwhile_is_not_overwritten);
  tcase_add_test (files, test_disk_full_names_the_file);
  suite_add_tcase (s, files);

  tcase_add_checked_fixture (port, setup, teardown);
  tcase_set_timeout (port, 120);
  tcase_add_test (port, test_second_job_on_a_busy_port_fails_at_once);
  tcase_add_test (port, test_port_is_released);
  tcase_add_test (port, test_tty_transport_is_exclusive);
  suite_add_tcase (s, port);

  tcase_add_checked_fixture (options, setup, teardown);
  tcase_add_test (options, test_number_options);
  tcase_add_test (options, test_port_naming_a_folder);
  tcase_add_test (options, test_scatter_json_is_utf8);
  suite_add_tcase (s, options);
  return s;
}

int
main (void)
{
  return sf_test_run_suite (outputs_suite ());
}
