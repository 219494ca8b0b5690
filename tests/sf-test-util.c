/* sf-test-util.c — helpers shared by the Check suites
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "sf-sparse.h"
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
sf_test_mangle (const char *text,
                gboolean    crlf,
                gboolean    trailing,
                gboolean    bom,
                gboolean    indent)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  GString *out = g_string_new (bom ? "\xEF\xBB\xBF" : "");

  for (guint i = 0; lines[i] != NULL; i++) {
    char *line = lines[i];
    gsize len = strlen (line);

    if (len > 0 && line[len - 1] == '\r')
      line[len - 1] = '\0';
    if (indent && line[0] == ' ')
      g_string_append (out, "  ");
    g_string_append (out, line);
    if (trailing && *line != '\0')
      g_string_append (out, "  \t");
    if (lines[i + 1] != NULL)
      g_string_append (out, crlf ? "\r\n" : "\n");
  }
  return g_string_free (out, FALSE);
}

void
sf_test_assert_same_map (SfScatter *a,
                         SfScatter *b)
{
  ck_assert_uint_eq (sf_scatter_get_n_layouts (a), sf_scatter_get_n_layouts (b));
  ck_assert_pstr_eq (sf_scatter_get_platform (a), sf_scatter_get_platform (b));
  for (guint l = 0; l < sf_scatter_get_n_layouts (a); l++) {
    SfLayout *la = sf_scatter_get_layout (a, l);
    SfLayout *lb = sf_scatter_get_layout (b, l);

    ck_assert_uint_eq (la->partitions->len, lb->partitions->len);
    for (guint i = 0; i < la->partitions->len; i++) {
      SfPartition *pa = g_ptr_array_index (la->partitions, i);
      SfPartition *pb = g_ptr_array_index (lb->partitions, i);

      ck_assert_str_eq (pa->name, pb->name);
      ck_assert_pstr_eq (pa->file_name, pb->file_name);
      ck_assert_pstr_eq (pa->region, pb->region);
      ck_assert_uint_eq (pa->start, pb->start);
      ck_assert_uint_eq (pa->size, pb->size);
      ck_assert_uint_eq (pa->line, pb->line);
      ck_assert_int_eq (pa->is_download, pb->is_download);
    }
  }
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

/* Compares the image @path (expanded, when it is sparse) with the storage
 * file @storage/@device at @offset. */
void
sf_test_assert_image_at (const char *storage,
                         const char *path,
                         const char *device,
                         guint64     offset)
{
  g_autofree char *dev_path = g_build_filename (storage, device, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) in = G_INPUT_STREAM (g_file_read (file, NULL, &error));
  g_autofree guint8 *want = g_malloc (SF_TEST_MB);
  g_autofree guint8 *got = g_malloc (SF_TEST_MB);
  guint8 magic[4] = { 0 };
  int fd = open (dev_path, O_RDONLY);

  ck_assert_msg (in != NULL, "%s", error ? error->message : "");
  ck_assert_int_ge (fd, 0);
  ck_assert (g_input_stream_read_all (in, magic, 4, NULL, NULL, NULL));
  g_clear_object (&in);
  in = G_INPUT_STREAM (g_file_read (file, NULL, NULL));

  if (sf_sparse_is_sparse (magic, 4)) {
    g_autoptr(SfSparseReader) reader = sf_sparse_reader_new (in, path, 0, NULL, &error);
    const SfSparseChunk *chunk;

    ck_assert_msg (reader != NULL, "%s", error ? error->message : "");
    while (sf_sparse_reader_next (reader, &chunk, NULL, &error) && chunk != NULL) {
      for (guint64 done = 0; done < chunk->length && chunk->type != SF_SPARSE_CHUNK_DONT_CARE &&
                             chunk->type != SF_SPARSE_CHUNK_CRC32;) {
        gsize n = (gsize) MIN ((guint64) SF_TEST_MB, chunk->length - done);

        if (chunk->type == SF_SPARSE_CHUNK_FILL) {
          sf_sparse_fill_pattern (chunk->fill, done, want, n);
        } else {
          gsize got_n = 0;

          while (got_n < n) {
            gssize r = sf_sparse_reader_read_data (reader, want + got_n, n - got_n, NULL, &error);

            ck_assert_msg (r > 0, "%s", error ? error->message : "short sparse data");
            got_n += (gsize) r;
          }
        }
        ck_assert_int_eq (pread (fd, got, n, (off_t) (offset + chunk->offset + done)), (gssize) n);
        ck_assert_msg (memcmp (want, got, n) == 0, "%s differs on %s/%s at 0x%" G_GINT64_MODIFIER "x",
                       path, storage, device, offset + chunk->offset + done);
        done += n;
      }
    }
    ck_assert_msg (error == NULL, "%s", error ? error->message : "");
  } else {
    guint64 done = 0;
    gsize n;

    while (g_input_stream_read_all (in, want, SF_TEST_MB, &n, NULL, NULL) && n > 0) {
      ck_assert_int_eq (pread (fd, got, n, (off_t) (offset + done)), (gssize) n);
      ck_assert_msg (memcmp (want, got, n) == 0, "%s differs on %s/%s near 0x%" G_GINT64_MODIFIER "x",
                     path, storage, device, offset + done);
      done += n;
    }
    ck_assert_uint_gt (done, 0);
  }
  close (fd);
}

/* Where the sample scatter (V1.1.1) puts each image: the preloader at the
 * start of boot1; the rest in the user area, counted from MBR's address. */
static const struct {
  const char *file;
  guint64     linear_start;
} sample_parts[] = {
  { "preloader_scatterflash_sample.bin", 0x0 },
  { "MBR", 0xc00000 },
  { "EBR1", 0xc80000 },
  { "lk.bin", 0x1500000 },
  { "boot.img", 0x1580000 },
  { "recovery.img", 0x1780000 },
  { "secro.img", 0x1980000 },
  { "logo.bin", 0x1a80000 },
  { "system.img", 0x1c80000 },
  { "cache.img", 0x3480000 },
  { "userdata.img", 0x3880000 },
};
#define SAMPLE_USER_BASE 0xc00000

void
sf_test_assert_sample_on (const char *storage)
{
  const char *sample = g_getenv ("SF_SAMPLE_FIRMWARE");

  ck_assert_msg (sample != NULL, "SF_SAMPLE_FIRMWARE is not set");
  for (guint i = 0; i < G_N_ELEMENTS (sample_parts); i++) {
    g_autofree char *path = g_build_filename (sample, sample_parts[i].file, NULL);

    if (i == 0)
      sf_test_assert_image_at (storage, path, "boot1.bin", 0);
    else
      sf_test_assert_image_at (storage, path, "user.bin", sample_parts[i].linear_start - SAMPLE_USER_BASE);
  }
}

/* ---- a phone for differential tests ------------------------------------ */

struct _SfTestPhone {
  SfTestPhoneKind  kind;
  GPid             pid;
  gboolean         exited;
  int              out_fd;
  char            *port;
  char            *da;
};

gboolean
sf_test_phone_parse_kind (const char      *name,
                          SfTestPhoneKind *kind)
{
  if (g_strcmp0 (name, "sim") == 0) {
    *kind = SF_TEST_PHONE_SIM;
    return TRUE;
  }
  if (g_strcmp0 (name, "realda") == 0) {
    *kind = SF_TEST_PHONE_REALDA;
    return TRUE;
  }
  return FALSE;
}

const char *
sf_test_phone_kind_name (SfTestPhoneKind kind)
{
  return kind == SF_TEST_PHONE_REALDA ? "realda-phone (MediaTek's MT6572 DA)" : "scatterflash-sim";
}

gboolean
sf_test_phone_usable (SfTestPhoneKind   kind,
                      char            **why)
{
  const char *phone, *da;
  const char *python_argv[] = { "/usr/bin/python3", "-c", "import unicorn", NULL };
  int status = -1;

  if (kind == SF_TEST_PHONE_SIM)
    return TRUE;

  phone = g_getenv ("SF_REALDA");
  da = g_getenv ("SF_REALDA_DA");
  if (phone == NULL || !g_file_test (phone, G_FILE_TEST_IS_EXECUTABLE)) {
    *why = g_strdup_printf ("no realda-phone at %s", phone != NULL ? phone : "(SF_REALDA not set)");
    return FALSE;
  }
  if (da == NULL || !g_file_test (da, G_FILE_TEST_IS_REGULAR)) {
    *why = g_strdup_printf ("no MediaTek DA file at %s", da != NULL ? da : "(SF_REALDA_DA not set)");
    return FALSE;
  }
  if (!g_spawn_sync (NULL, (char **) python_argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, &status, NULL) ||
      !WIFEXITED (status) || WEXITSTATUS (status) != 0) {
    *why = g_strdup ("/usr/bin/python3 cannot import unicorn (apt-get install python3-unicorn)");
    return FALSE;
  }
  return TRUE;
}

/* One line of the phone's stdout, or NULL after @timeout_ms. */
static char *
phone_read_line (SfTestPhone *phone,
                 int          timeout_ms)
{
  g_autoptr(GString) line = g_string_new (NULL);
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;) {
    struct pollfd pfd = { phone->out_fd, POLLIN, 0 };
    gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
    char c;

    if (left <= 0 || poll (&pfd, 1, (int) left) <= 0)
      return NULL;
    if (read (phone->out_fd, &c, 1) != 1)
      return NULL;
    if (c == '\n')
      return g_string_free (g_steal_pointer (&line), FALSE);
    g_string_append_c (line, c);
  }
}

SfTestPhone *
sf_test_phone_start (SfTestPhoneKind     kind,
                     const char         *storage,
                     const char * const *extra_args)
{
  SfTestPhone *phone = g_new0 (SfTestPhone, 1);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;

  phone->kind = kind;
  phone->out_fd = -1;
  g_mkdir_with_parents (storage, 0755);
  if (kind == SF_TEST_PHONE_REALDA) {
    phone->da = g_strdup (g_getenv ("SF_REALDA_DA"));
    /* Each power-on appends its transcript here, next to the eMMC. */
    log = g_strconcat (storage, ".log", NULL);
    g_ptr_array_add (argv, g_strdup (g_getenv ("SF_REALDA")));
    g_ptr_array_add (argv, g_strdup ("--da"));
    g_ptr_array_add (argv, g_strdup (phone->da));
    g_ptr_array_add (argv, g_strdup ("--log"));
    g_ptr_array_add (argv, g_strdup (log));
  } else {
    phone->da = g_strdup (g_getenv ("SF_SYNTHETIC_DA"));
    g_ptr_array_add (argv, g_strdup (g_getenv ("SF_SIM")));
    g_ptr_array_add (argv, g_strdup ("--mode"));
    g_ptr_array_add (argv, g_strdup ("preloader"));
  }
  ck_assert_msg (((char *) argv->pdata[0]) != NULL && phone->da != NULL,
                 "SF_SIM / SF_REALDA and their DA files are not set: run the tests with meson test");
  g_ptr_array_add (argv, g_strdup ("--storage"));
  g_ptr_array_add (argv, g_strdup (storage));
  for (guint i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (extra_args[i]));
  g_ptr_array_add (argv, NULL);

  ck_assert_msg (g_spawn_async_with_pipes (NULL, (char **) argv->pdata, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                           NULL, NULL, &phone->pid, NULL, &phone->out_fd, NULL, &error),
                 "%s", error ? error->message : "?");
  for (;;) {
    g_autofree char *line = phone_read_line (phone, 30000);

    ck_assert_msg (line != NULL, "%s printed no PORT line within 30 s", sf_test_phone_kind_name (kind));
    if (g_str_has_prefix (line, "PORT ")) {
      phone->port = g_strdup (line + 5);
      break;
    }
  }
  return phone;
}

const char *
sf_test_phone_get_port (SfTestPhone *phone)
{
  return phone->port;
}

const char *
sf_test_phone_get_da (SfTestPhone *phone)
{
  return phone->da;
}

void
sf_test_phone_stop (SfTestPhone *phone)
{
  int status = 0;
  gint64 deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;

  if (phone == NULL)
    return;
  /* scatterflash-sim leaves by itself after FINISH; realda-phone powers
   * on again and waits for the next host until told to stop. */
  if (waitpid (phone->pid, &status, WNOHANG) != phone->pid) {
    kill (phone->pid, SIGTERM);
    while (waitpid (phone->pid, &status, WNOHANG) != phone->pid) {
      if (g_get_monotonic_time () > deadline) {
        kill (phone->pid, SIGKILL);
        waitpid (phone->pid, &status, 0);
        break;
      }
      g_usleep (20 * 1000);
    }
  }
  g_spawn_close_pid (phone->pid);
  if (phone->out_fd >= 0)
    close (phone->out_fd);
  g_free (phone->port);
  g_free (phone->da);
  g_free (phone);
}
