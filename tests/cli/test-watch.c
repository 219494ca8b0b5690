/* test-watch.c — phones as they are plugged in: --port auto and download --watch, against virtual phones
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The phones are scatterflash-sim processes started with --announce DIR,
 * which is how a virtual phone gets "plugged in"; the CLI watches DIR with
 * --virtual-dir (or SCATTERFLASH_VIRTUAL_DIR). What lands on each phone is
 * compared with the sample firmware's images, with the offsets of the
 * sample scatter worked out here (as test-protocol.c does).
 */

#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sf-sparse.h"
#include "sf-test-util.h"

#define MB (1024 * 1024)

static char *tmp;
static char *announce_dir;

static void
setup (void)
{
  tmp = sf_test_make_tempdir ();
  announce_dir = g_build_filename (tmp, "phones", NULL);
  g_mkdir_with_parents (announce_dir, 0700);
}

static void
teardown (void)
{
  sf_test_rm_rf (tmp);
  g_clear_pointer (&tmp, g_free);
  g_clear_pointer (&announce_dir, g_free);
}

static const char *
env (const char *name)
{
  const char *value = g_getenv (name);

  ck_assert_msg (value != NULL, "%s is not set: run the tests with meson test", name);
  return value;
}

/* ---- virtual phones ----------------------------------------------------------------- */

typedef struct {
  GPid   pid;
  char  *storage;
  char  *port;
} Phone;

static void
start_phone (Phone      *phone,
             const char *name,
             const char *mode)
{
  const char *argv[] = { env ("SF_SIM"), "--storage", NULL, "--emmc-user-size", "256M", "--mode", mode,
                         "--announce", announce_dir, NULL };
  g_autoptr(GError) error = NULL;
  char line[256] = { 0 };
  gsize len = 0;
  int out_fd;

  phone->storage = g_build_filename (tmp, name, NULL);
  argv[2] = phone->storage;
  ck_assert_msg (g_spawn_async_with_pipes (NULL, (char **) argv, NULL,
                                           G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                                           &phone->pid, NULL, &out_fd, NULL, &error),
                 "%s", error ? error->message : "");
  while (len < sizeof line - 1 && read (out_fd, line + len, 1) == 1 && line[len] != '\n')
    len++;
  close (out_fd);
  line[len] = '\0';
  ck_assert_msg (g_str_has_prefix (line, "PORT "), "the sim said “%s”", line);
  phone->port = g_strdup (line + 5);
}

/* Waits for a phone that finished (the sim exits after FINISH); TRUE when
 * it exited by itself, with status 0. */
static gboolean
phone_exited (Phone *phone,
              guint  timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  int status = 0;

  while (g_get_monotonic_time () < deadline) {
    pid_t r = waitpid (phone->pid, &status, WNOHANG);

    if (r == phone->pid) {
      phone->pid = 0;
      return WIFEXITED (status) && WEXITSTATUS (status) == 0;
    }
    g_usleep (10 * 1000);
  }
  return FALSE;
}

static void
phone_clear (Phone *phone)
{
  if (phone->pid > 0) {
    kill (phone->pid, SIGTERM);
    waitpid (phone->pid, NULL, 0);
    phone->pid = 0;
  }
  g_clear_pointer (&phone->storage, g_free);
  g_clear_pointer (&phone->port, g_free);
}

/* ---- what landed on a phone ------------------------------------------------------------ */

/* ---- the CLI in the background ------------------------------------------------------------- */

typedef struct {
  GSubprocess *process;
  char        *out_path;
  char        *err_path;
} Cli;

static void
cli_start_with_sysfs (Cli                *cli,
                      const char * const *args,
                      const char         *sysfs_root)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  cli->out_path = g_build_filename (tmp, "cli.out", NULL);
  cli->err_path = g_build_filename (tmp, "cli.err", NULL);
  g_subprocess_launcher_set_stdout_file_path (launcher, cli->out_path);
  g_subprocess_launcher_set_stderr_file_path (launcher, cli->err_path);
  g_subprocess_launcher_unsetenv (launcher, "SCATTERFLASH_VIRTUAL_DIR");
  if (sysfs_root != NULL)
    g_subprocess_launcher_setenv (launcher, "SCATTERFLASH_SYSFS_ROOT", sysfs_root, TRUE);
  g_ptr_array_add (argv, (gpointer) env ("SF_CLI"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  cli->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  ck_assert_msg (cli->process != NULL, "%s", error ? error->message : "");
}

static void
cli_start (Cli                *cli,
           const char * const *args)
{
  cli_start_with_sysfs (cli, args, NULL);
}

static char *
cli_stderr (Cli *cli)
{
  char *text = NULL;

  if (!g_file_get_contents (cli->err_path, &text, NULL, NULL))
    return g_strdup ("");
  return text;
}

/* Waits until the CLI's stderr says @what (10 s at most). */
static void
cli_wait_for_stderr (Cli        *cli,
                     const char *what)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  for (;;) {
    g_autofree char *err = cli_stderr (cli);

    if (strstr (err, what) != NULL)
      return;
    ck_assert_msg (g_get_monotonic_time () < deadline, "the CLI never said “%s”: %s", what, err);
    g_usleep (20 * 1000);
  }
}

static int
cli_finish (Cli   *cli,
            char **out_stdout,
            char **out_stderr)
{
  g_autoptr(GError) error = NULL;
  int status;

  ck_assert_msg (g_subprocess_wait (cli->process, NULL, &error), "%s", error ? error->message : "");
  ck_assert (g_subprocess_get_if_exited (cli->process));
  status = g_subprocess_get_exit_status (cli->process);
  ck_assert (g_file_get_contents (cli->out_path, out_stdout, NULL, NULL));
  *out_stderr = cli_stderr (cli);
  g_clear_object (&cli->process);
  g_clear_pointer (&cli->out_path, g_free);
  g_clear_pointer (&cli->err_path, g_free);
  return status;
}

/* ---- download --watch ---------------------------------------------------------------------- */

START_TEST (test_watch_three_phones)
{
  Phone phones[3] = { { 0 } };
  const char *modes[3] = { "brom", "preloader", "brom" };
  const char *args[] = { "download", "--watch", "--count", "3", "--verify", "--json",
                         "--virtual-dir", announce_dir, "--da", env ("SF_SYNTHETIC_DA"),
                         env ("SF_SAMPLE_FIRMWARE"), NULL };
  g_autoptr(GHashTable) finished = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autoptr(GHashTable) ports = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean summary = FALSE;
  Cli cli = { 0 };
  int status;

  /* One phone is there before the CLI starts, two arrive while it watches. */
  start_phone (&phones[0], "phone0", modes[0]);
  cli_start (&cli, args);
  cli_wait_for_stderr (&cli, "Waiting for phones");
  start_phone (&phones[1], "phone1", modes[1]);
  start_phone (&phones[2], "phone2", modes[2]);

  status = cli_finish (&cli, &out, &err);
  ck_assert_msg (status == 0, "exit %d: %s", status, err);

  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL && *lines[i] != '\0'; i++) {
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonObject *obj;
    const char *kind;

    ck_assert_msg (json_parser_load_from_data (parser, lines[i], -1, NULL), "not JSON: %s", lines[i]);
    obj = json_node_get_object (json_parser_get_root (parser));
    kind = json_object_get_string_member (obj, "event");
    if (g_strcmp0 (kind, "summary") == 0) {
      ck_assert_int_eq (json_object_get_int_member (obj, "succeeded"), 3);
      ck_assert_int_eq (json_object_get_int_member (obj, "failed"), 0);
      summary = TRUE;
      continue;
    }
    /* Every phone event says which phone. */
    ck_assert_msg (json_object_has_member (obj, "phone") && json_object_has_member (obj, "port"),
                   "no phone in %s", lines[i]);
    if (g_strcmp0 (kind, "finished") == 0) {
      g_hash_table_add (finished, GINT_TO_POINTER (json_object_get_int_member (obj, "phone")));
      g_hash_table_add (ports, g_strdup (json_object_get_string_member (obj, "port")));
    }
  }
  ck_assert (summary);
  ck_assert_uint_eq (g_hash_table_size (finished), 3);
  ck_assert_uint_eq (g_hash_table_size (ports), 3);

  for (guint i = 0; i < G_N_ELEMENTS (phones); i++) {
    g_autofree char *id = g_strdup_printf ("virtual:%d", (int) phones[i].pid);

    ck_assert_msg (g_hash_table_contains (ports, id), "%s was not flashed", id);
    ck_assert_msg (phone_exited (&phones[i], 5000), "phone %u did not finish", i);
    sf_test_assert_sample_on (phones[i].storage);
    phone_clear (&phones[i]);
  }
}
END_TEST

/* Text output: one line per phone event, a summary, exit 0 on Ctrl-C when
 * no phone was halfway. */
START_TEST (test_watch_text_and_ctrl_c)
{
  Phone phone = { 0 };
  const char *args[] = { "download", "--watch", "--virtual-dir", announce_dir, "--da", env ("SF_SYNTHETIC_DA"),
                         "--partitions", "MBR,EBR1", env ("SF_SAMPLE_FIRMWARE"), NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *id = NULL;
  g_autofree char *mbr = g_build_filename (env ("SF_SAMPLE_FIRMWARE"), "MBR", NULL);
  Cli cli = { 0 };
  int status;

  cli_start (&cli, args);
  cli_wait_for_stderr (&cli, "Waiting for phones");
  start_phone (&phone, "phone", "preloader");
  id = g_strdup_printf ("#1 virtual:%d", (int) phone.pid);
  ck_assert (phone_exited (&phone, 20000));
  cli_wait_for_stderr (&cli, "done in");
  g_subprocess_send_signal (cli.process, SIGINT);
  status = cli_finish (&cli, &out, &err);
  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  ck_assert_msg (strstr (err, id) != NULL, "%s", err);
  ck_assert_msg (strstr (err, "1 phone: 1 flashed, 0 failed") != NULL, "%s", err);
  sf_test_assert_image_at (phone.storage, mbr, "user.bin", 0);
  phone_clear (&phone);
}
END_TEST

START_TEST (test_watch_usage)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  status = sf_test_run_cli (&out, &err, "download", "--watch", "--port", "/dev/pts/0", env ("SF_SAMPLE_FIRMWARE"),
                            NULL);
  ck_assert_int_eq (status, 2);
  status = sf_test_run_cli (&out, &err, "download", "--count", "2", env ("SF_SAMPLE_FIRMWARE"), NULL);
  ck_assert_int_eq (status, 2);
}
END_TEST

/* ---- --port auto ------------------------------------------------------------------------------ */

START_TEST (test_port_auto_info)
{
  Phone phone = { 0 };
  const char *args[] = { "info", "--json", "--da", env ("SF_SYNTHETIC_DA"), "--virtual-dir", announce_dir, NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  JsonObject *obj;
  Cli cli = { 0 };
  int status;

  /* No --port: the CLI waits, then the phone is plugged in. */
  cli_start (&cli, args);
  cli_wait_for_stderr (&cli, "Waiting for the phone: connect it powered off");
  start_phone (&phone, "phone", "preloader");
  status = cli_finish (&cli, &out, &err);
  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  ck_assert_msg (json_parser_load_from_data (parser, out, -1, NULL), "not JSON: %s", out);
  obj = json_node_get_object (json_parser_get_root (parser));
  ck_assert_str_eq (json_object_get_string_member (obj, "chip"), "MT6572");
  ck_assert_str_eq (json_object_get_string_member (obj, "mode"), "preloader");
  phone_clear (&phone);
}
END_TEST

static void
put (const char *dir,
     const char *rel,
     const char *text)
{
  g_autofree char *path = g_build_filename (dir, rel, NULL);

  sf_test_write_file (path, text, strlen (text));
}

/* A phone that runs Android is plugged in first: the CLI says to switch it
 * off and keeps waiting; then a phone in download mode comes. */
START_TEST (test_port_auto_powered_on)
{
  g_autofree char *sysfs = g_build_filename (tmp, "sys", NULL);
  g_autofree char *usb = g_build_filename (sysfs, "bus", "usb", "devices", NULL);
  g_autofree char *staged = g_build_filename (tmp, "staged", NULL);
  g_autofree char *plugged = g_build_filename (usb, "1-3", NULL);
  g_autofree char *emi = g_build_filename (env ("SF_SAMPLE_FIRMWARE"), "preloader_scatterflash_sample.bin", NULL);
  /* A BootROM phone: the DRAM settings from the sample's preloader (§13.4). */
  const char *args[] = { "info", "--da", env ("SF_SYNTHETIC_DA"), "--virtual-dir", announce_dir,
                         "--emi-from", emi, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  Phone phone = { 0 };
  Cli cli = { 0 };
  int status;

  g_mkdir_with_parents (usb, 0755);
  cli_start_with_sysfs (&cli, args, sysfs);
  cli_wait_for_stderr (&cli, "Waiting for the phone");

  put (staged, "idVendor", "0e8d\n");
  put (staged, "idProduct", "200a\n");   /* MediaTek's MTP + ADB */
  put (staged, "busnum", "1\n");
  put (staged, "devnum", "4\n");
  ck_assert_int_eq (g_rename (staged, plugged), 0);
  cli_wait_for_stderr (&cli, "this phone is switched on. Switch it off first");

  start_phone (&phone, "phone", "brom");
  status = cli_finish (&cli, &out, &err);
  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  ck_assert_msg (strstr (out, "Mode: BootROM") != NULL, "%s", out);
  phone_clear (&phone);
}
END_TEST

START_TEST (test_port_auto_ctrl_c)
{
  const char *args[] = { "info", "--da", env ("SF_SYNTHETIC_DA"), "--virtual-dir", announce_dir, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  Cli cli = { 0 };
  int status;

  cli_start (&cli, args);
  cli_wait_for_stderr (&cli, "Waiting for the phone");
  g_subprocess_send_signal (cli.process, SIGINT);
  status = cli_finish (&cli, &out, &err);
  ck_assert_msg (status == 130, "exit %d: %s", status, err);
}
END_TEST

/* ---- §13.8: the phone comes back on another port after the speed switch -------------------- */

static char *read_port_line (int fd);

/* A phone that, after 70 01, comes back on a NEW pty (a new PORT line and
 * a new announce); its stdout stays open here for that second line. */
static int
start_reenumerating_phone (Phone *phone)
{
  const char *argv[] = { env ("SF_SIM"), "--storage", NULL, "--emmc-user-size", "256M", "--mode", "preloader",
                         "--announce", announce_dir, "--reenumerate", "new-port", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  int out_fd;

  phone->storage = g_build_filename (tmp, "phone", NULL);
  argv[2] = phone->storage;
  ck_assert_msg (g_spawn_async_with_pipes (NULL, (char **) argv, NULL,
                                           G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                                           &phone->pid, NULL, &out_fd, NULL, &error),
                 "%s", error ? error->message : "");
  line = read_port_line (out_fd);
  ck_assert_msg (line != NULL, "the sim printed no PORT line");
  phone->port = g_steal_pointer (&line);
  return out_fd;
}

static char *
read_port_line (int fd)
{
  char line[256] = { 0 };
  gsize len = 0;

  while (len < sizeof line - 1 && read (fd, line + len, 1) == 1 && line[len] != '\n')
    len++;
  line[len] = '\0';
  return g_str_has_prefix (line, "PORT ") ? g_strdup (line + 5) : NULL;
}

/* The host follows the phone through the device monitor (--port auto,
 * the announce folder) to the port it came back on. */
START_TEST (test_speed_switch_new_port_followed)
{
  Phone phone = { 0 };
  const char *args[] = { "download", "--virtual-dir", announce_dir, "--da", env ("SF_SYNTHETIC_DA"),
                         "--partitions", "MBR,EBR1", env ("SF_SAMPLE_FIRMWARE"), NULL };
  g_autofree char *mbr = g_build_filename (env ("SF_SAMPLE_FIRMWARE"), "MBR", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *second = NULL;
  int out_fd = start_reenumerating_phone (&phone);
  Cli cli = { 0 };
  int status;

  cli_start (&cli, args);
  second = read_port_line (out_fd);
  status = cli_finish (&cli, &out, &err);
  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  ck_assert_msg (second != NULL && g_strcmp0 (second, phone.port) != 0,
                 "the phone did not come back on a new port (%s, then %s)", phone.port, second ? second : "nothing");
  ck_assert_msg (strstr (err, "USB high speed") != NULL, "%s", err);
  sf_test_assert_image_at (phone.storage, mbr, "user.bin", 0);
  close (out_fd);
  phone_clear (&phone);
}
END_TEST

/* Given the first port by hand, with no device monitor, the host cannot
 * know where the phone went: a named error with advice, within 10 s. */
START_TEST (test_speed_switch_new_port_lost)
{
  Phone phone = { 0 };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int out_fd = start_reenumerating_phone (&phone);
  gint64 t0 = g_get_monotonic_time ();
  int status;

  status = sf_test_run_cli (&out, &err, "download", "--port", phone.port, "--da", env ("SF_SYNTHETIC_DA"),
                            "--partitions", "MBR", env ("SF_SAMPLE_FIRMWARE"), NULL);
  ck_assert_msg (status == 1, "exit %d: %s", status, err);
  ck_assert_msg (strstr (err, "SF_USB_SPEED_SWITCH_FAIL") != NULL && strstr (err, " — ") != NULL, "%s", err);
  ck_assert_msg (g_get_monotonic_time () - t0 < 10 * G_USEC_PER_SEC, "took %.1f s",
                 (g_get_monotonic_time () - t0) / 1e6);
  close (out_fd);
  phone_clear (&phone);
}
END_TEST

static Suite *
watch_suite (void)
{
  Suite *s = suite_create ("watch");
  TCase *tc = tcase_create ("watch");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_watch_three_phones);
  tcase_add_test (tc, test_watch_text_and_ctrl_c);
  tcase_add_test (tc, test_watch_usage);
  suite_add_tcase (s, tc);

  tc = tcase_create ("port-auto");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_port_auto_info);
  tcase_add_test (tc, test_port_auto_powered_on);
  tcase_add_test (tc, test_port_auto_ctrl_c);
  suite_add_tcase (s, tc);

  tc = tcase_create ("speed-switch");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_speed_switch_new_port_followed);
  tcase_add_test (tc, test_speed_switch_new_port_lost);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return sf_test_run_suite (watch_suite ());
}
