/* sf-test-util.c — helpers shared by the Check suites
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "sf-test-util.h"

char *
sf_test_fixture_path (const char *name)
{
  const char *dir = g_getenv ("SF_FIXTURES_DIR");

  ck_assert_msg (dir != NULL, "SF_FIXTURES_DIR is not set: run the tests with meson test");
  return g_build_filename (dir, name, NULL);
}

SfScatter *
sf_test_load_fixture (const char *name)
{
  g_autofree char *path = sf_test_fixture_path (name);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  SfScatter *scatter;

  scatter = sf_scatter_new_from_file (file, NULL, &error);
  ck_assert_msg (scatter != NULL, "%s: %s", name, error ? error->message : "?");
  return scatter;
}

char *
sf_test_make_tempdir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("sftest-XXXXXX", &error);

  ck_assert_msg (dir != NULL, "%s", error ? error->message : "?");
  return dir;
}

void
sf_test_write_file (const char *path,
                    const void *data,
                    gsize       length)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (path);

  g_mkdir_with_parents (dir, 0755);
  ck_assert_msg (g_file_set_contents (path, data, (gssize) length, &error),
                 "%s", error ? error->message : "?");
}

void
sf_test_rm_rf (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (path == NULL)
    return;

  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK)) {
    dir = g_dir_open (path, 0, NULL);
    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
      g_autofree char *child = g_build_filename (path, name, NULL);
      sf_test_rm_rf (child);
    }
    g_rmdir (path);
  } else {
    g_unlink (path);
  }
}

int
sf_test_run_cliv (char              **out_stdout,
                  char              **out_stderr,
                  const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *cli = g_getenv ("SF_CLI");
  int wait_status = 0;

  ck_assert_msg (cli != NULL, "SF_CLI is not set: run the tests with meson test");
  /* Callers reuse the same two strings from run to run. */
  g_clear_pointer (out_stdout, g_free);
  g_clear_pointer (out_stderr, g_free);
  g_ptr_array_add (argv, (gpointer) cli);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  ck_assert_msg (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT,
                               NULL, NULL, out_stdout, out_stderr, &wait_status, &error),
                 "%s", error ? error->message : "?");
  ck_assert_msg (WIFEXITED (wait_status), "scatterflash-cli did not exit normally");
  return WEXITSTATUS (wait_status);
}

int
sf_test_run_cli (char       **out_stdout,
                 char       **out_stderr,
                 const char  *first_arg,
                 ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *arg;
  va_list ap;

  va_start (ap, first_arg);
  for (arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  return sf_test_run_cliv (out_stdout, out_stderr, (const char * const *) args->pdata);
}

int
sf_test_run_suite (Suite *suite)
{
  SRunner *runner = srunner_create (suite);
  int failed;

  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
