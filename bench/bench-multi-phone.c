/* bench-multi-phone.c — four virtual phones flashed at once with `download --watch`, against one alone
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A repair-shop station: `scatterflash-cli download --watch --verify
 * --json` runs, then phones are "plugged in" (scatterflash-sim --announce
 * DIR, paced like USB 2.0 high speed). Prints, from one run on this
 * machine:
 *   - each phone's throughput (bytes written and read back for the verify,
 *     over the time from its first step to its last), four at once and one
 *     alone, and the ratio of the two (goal >= 0.80);
 *   - each phone's time from its arrival (the announce file appearing) to
 *     the first byte it received from the host (goal < 100 ms);
 *   - whether every phone's storage holds the image.
 *
 * The phones are paced so that the link, not the CPU, is the limit: a
 * real phone moves at most ~40 MB/s, and this machine may have only two
 * cores for four phones, four simulators and the CLI.
 *
 * Usage: bench-multi-phone CLI SIM DA [MIB]
 */

#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define MIB (1024 * 1024)
#define N_PHONES 4
#define USER_BASE 0x1000000

static const char scatter_text[] =
  "- general: MTK_PLATFORM_CFG\n"
  "  info:\n"
  "    - config_version: V1.1.2\n"
  "      platform: MT6572\n"
  "      project: bench\n"
  "      storage: EMMC\n"
  "      boot_channel: MSDC_0\n"
  "      block_size: 0x20000\n"
  "- partition_index: SYS0\n"
  "  partition_name: LOGO\n"
  "  file_name: logo.bin\n"
  "  is_download: true\n"
  "  type: NORMAL_ROM\n"
  "  linear_start_addr: 0x1000000\n"
  "  physical_start_addr: 0x1000000\n"
  "  partition_size: 0x10000000\n"
  "  region: EMMC_USER\n"
  "  storage: HW_STORAGE_EMMC\n"
  "  boundary_check: true\n"
  "  is_reserved: false\n"
  "  operation_type: UPDATE\n"
  "  reserve: 0x00\n";

typedef struct {
  GPid    pid;
  char   *storage;
  char   *err_path;
  double  first_byte_ms;   /* from the sim's stderr, -1 if unknown */
} Sim;

typedef struct {
  char     *port;
  gint64    arrived_ms;
  gint64    first_step_ms;
  gint64    last_end_ms;
  guint64   bytes;          /* overall_total */
  gboolean  finished;
  gboolean  failed;
} PhoneResult;

static const char *cli_path, *sim_path, *da_path;

static void
die (const char *what)
{
  fprintf (stderr, "bench-multi-phone: %s\n", what);
  exit (1);
}

static void
start_sim (Sim        *sim,
           const char *dir,
           const char *announce,
           guint       index)
{
  g_autofree char *name = g_strdup_printf ("phone%u", index);
  g_autofree char *err_name = g_strdup_printf ("phone%u.err", index);
  /* Through the preloader: the bench's firmware (one logo.bin) has no
   * preloader for the DRAM settings a BootROM entry asks for (protocol.md
   * §13.2), so the BootROM path is not in this figure. */
  const char *argv[] = { sim_path, "--storage", NULL, "--emmc-user-size", "512M", "--pace", "high-speed",
                         "--mode", "preloader", "--announce", announce, NULL };
  g_autoptr(GError) error = NULL;
  int err_fd;

  sim->storage = g_build_filename (dir, name, NULL);
  sim->err_path = g_build_filename (dir, err_name, NULL);
  sim->first_byte_ms = -1;
  argv[2] = sim->storage;
  err_fd = open (sim->err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (err_fd < 0 ||
      !g_spawn_async_with_fds (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &sim->pid,
                               -1, open ("/dev/null", O_WRONLY), err_fd, &error))
    die (error ? error->message : "cannot start the virtual phone");
}

static void
sim_finish (Sim    *sim,
            double *cpu_s)
{
  g_autofree char *text = NULL;
  const char *key = "first byte from the host ";
  struct rusage usage;
  char *at;

  wait4 (sim->pid, NULL, 0, &usage);
  *cpu_s += (double) usage.ru_utime.tv_sec + (double) usage.ru_utime.tv_usec / 1e6 +
            (double) usage.ru_stime.tv_sec + (double) usage.ru_stime.tv_usec / 1e6;
  g_spawn_close_pid (sim->pid);
  if (g_file_get_contents (sim->err_path, &text, NULL, NULL) && (at = strstr (text, key)) != NULL)
    sim->first_byte_ms = g_ascii_strtod (at + strlen (key), NULL);
}

/* The image's bytes landed where the scatter says. */
static gboolean
storage_holds (const Sim  *sim,
               const char *image)
{
  g_autofree char *user = g_build_filename (sim->storage, "user.bin", NULL);
  g_autofree guint8 *want = NULL;
  g_autofree guint8 *got = NULL;
  gsize len = 0;
  int fd;
  gboolean same;

  if (!g_file_get_contents (image, (char **) &want, &len, NULL))
    return FALSE;
  got = g_malloc (len);
  fd = open (user, O_RDONLY);
  if (fd < 0)
    return FALSE;
  same = pread (fd, got, len, USER_BASE) == (ssize_t) len && memcmp (want, got, len) == 0;
  close (fd);
  return same;
}

static gboolean
stderr_says (const char *path,
             const char *what)
{
  g_autofree char *text = NULL;

  return g_file_get_contents (path, &text, NULL, NULL) && strstr (text, what) != NULL;
}

/* One station run: the CLI first, then @n phones at once. Fills @results
 * (by phone number - 1) and @sims. Returns the CLI's exit status. */
static int
run_station (const char  *dir,
             const char  *firmware,
             guint        n,
             Sim         *sims,
             PhoneResult *results,
             double      *out_cpu_s,
             double      *out_sim_cpu_s)
{
  g_autofree char *announce = g_build_filename (dir, n == 1 ? "station1" : "station4", NULL);
  g_autofree char *out_path = g_build_filename (dir, "cli.out", NULL);
  g_autofree char *err_path = g_build_filename (dir, "cli.err", NULL);
  g_autofree char *count = g_strdup_printf ("%u", n);
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  const char *argv[] = { cli_path, "download", "--watch", "--count", count, "--verify", "--json",
                         "--virtual-dir", announce, "--da", da_path, firmware, NULL };
  g_autoptr(GError) error = NULL;
  struct rusage usage;
  GPid cli;
  int status = 0;
  gint64 deadline;

  g_mkdir_with_parents (announce, 0700);
  if (!g_spawn_async_with_fds (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &cli,
                               -1, open (out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644),
                               open (err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644), &error))
    die (error->message);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!stderr_says (err_path, "Waiting for phones") && g_get_monotonic_time () < deadline)
    g_usleep (10 * 1000);

  for (guint i = 0; i < n; i++)
    start_sim (&sims[i], dir, announce, i);
  wait4 (cli, &status, 0, &usage);
  *out_cpu_s = (double) usage.ru_utime.tv_sec + (double) usage.ru_utime.tv_usec / 1e6 +
               (double) usage.ru_stime.tv_sec + (double) usage.ru_stime.tv_usec / 1e6;
  *out_sim_cpu_s = 0;
  for (guint i = 0; i < n; i++)
    sim_finish (&sims[i], out_sim_cpu_s);

  if (!g_file_get_contents (out_path, &out, NULL, NULL))
    die ("no output from the CLI");
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL && *lines[i] != '\0'; i++) {
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonObject *obj;
    const char *event;
    gint64 phone, time_ms;
    PhoneResult *r;

    if (!json_parser_load_from_data (parser, lines[i], -1, NULL))
      continue;
    obj = json_node_get_object (json_parser_get_root (parser));
    event = json_object_get_string_member_with_default (obj, "event", "");
    phone = json_object_get_int_member_with_default (obj, "phone", 0);
    time_ms = json_object_get_int_member_with_default (obj, "time_ms", 0);
    if (phone < 1 || phone > (gint64) n)
      continue;
    r = &results[phone - 1];
    if (g_str_equal (event, "phone-arrived")) {
      r->port = g_strdup (json_object_get_string_member (obj, "port"));
      r->arrived_ms = time_ms;
    } else if (g_str_equal (event, "step-begin") && r->first_step_ms == 0) {
      r->first_step_ms = time_ms;
    } else if (g_str_equal (event, "step-end")) {
      r->last_end_ms = time_ms;
      r->bytes = (guint64) json_object_get_int_member (obj, "overall_total");
    } else if (g_str_equal (event, "finished")) {
      r->finished = TRUE;
    } else if (g_str_equal (event, "failed")) {
      r->failed = TRUE;
    }
  }
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static double
rate (const PhoneResult *r)
{
  double s = (double) (r->last_end_ms - r->first_step_ms) / 1000.0;

  return r->finished && s > 0 ? (double) r->bytes / s : 0;
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *dir = NULL;
  g_autofree char *firmware = NULL;
  g_autofree char *scatter = NULL;
  g_autofree char *image = NULL;
  g_autofree guint8 *data = NULL;
  guint mib = argc > 4 ? (guint) atoi (argv[4]) : 64;
  Sim one_sim[1] = { { 0 } }, sims[N_PHONES] = { { 0 } };
  PhoneResult one[1] = { { 0 } }, four[N_PHONES] = { { 0 } };
  double cpu_one = 0, cpu_four = 0, sim_cpu_one = 0, sim_cpu_four = 0, single, sum = 0, worst = G_MAXDOUBLE, worst_first_byte = 0;
  gboolean all_ok = TRUE;
  int status_one, status_four;
  GRand *rnd;

  if (argc < 4) {
    fprintf (stderr, "usage: bench-multi-phone CLI SIM DA [MIB]\n");
    return 2;
  }
  cli_path = argv[1];
  sim_path = argv[2];
  da_path = argv[3];

  dir = g_dir_make_tmp ("sf-bench-multi-XXXXXX", NULL);
  firmware = g_build_filename (dir, "firmware", NULL);
  g_mkdir_with_parents (firmware, 0755);
  scatter = g_build_filename (firmware, "MT6572_Android_scatter.txt", NULL);
  g_file_set_contents (scatter, scatter_text, -1, NULL);
  image = g_build_filename (firmware, "logo.bin", NULL);
  data = g_malloc ((gsize) mib * MIB);
  rnd = g_rand_new_with_seed (6572);
  for (gsize i = 0; i < (gsize) mib * MIB; i += 4) {
    guint32 v = g_rand_int (rnd);

    memcpy (data + i, &v, 4);
  }
  g_rand_free (rnd);
  g_file_set_contents (image, (const char *) data, (gssize) mib * MIB, NULL);

  status_one = run_station (dir, firmware, 1, one_sim, one, &cpu_one, &sim_cpu_one);
  status_four = run_station (dir, firmware, N_PHONES, sims, four, &cpu_four, &sim_cpu_four);

  single = rate (&one[0]);
  printf ("Four virtual phones flashed at once with `download --watch --verify` (%u MiB written and read back "
          "per phone),\nagainst one alone. The phones are paced like USB 2.0 high speed (~40 MB/s), so the link, "
          "not the CPU,\nis the limit: this machine has %u CPU cores for the CLI and the simulators.\n\n",
          mib, g_get_num_processors ());
  printf ("one phone alone:           %8.1f MB/s  %s  first byte %5.1f ms after arrival  CLI exit %d\n",
          single / 1e6, storage_holds (&one_sim[0], image) ? "verified" : "WRONG   ", one_sim[0].first_byte_ms,
          status_one);
  all_ok &= status_one == 0 && one[0].finished && storage_holds (&one_sim[0], image);
  for (guint i = 0; i < N_PHONES; i++) {
    double r = rate (&four[i]);
    gboolean holds = FALSE;

    for (guint j = 0; j < N_PHONES; j++) {
      g_autofree char *id = g_strdup_printf ("virtual:%d", (int) sims[j].pid);

      if (g_strcmp0 (four[i].port, id) == 0) {
        holds = storage_holds (&sims[j], image);
        worst_first_byte = MAX (worst_first_byte, sims[j].first_byte_ms);
        printf ("phone %u of 4: %8.1f MB/s  %s  first byte %5.1f ms after arrival\n", i + 1,
                r / 1e6, holds ? "verified" : "WRONG   ", sims[j].first_byte_ms);
      }
    }
    all_ok &= four[i].finished && holds;
    sum += r;
    worst = MIN (worst, r);
  }
  printf ("\nper-phone throughput, four at once / one alone: %.2f on average, %.2f for the slowest (goal >= 0.80)\n",
          single > 0 ? sum / N_PHONES / single : 0, single > 0 ? worst / single : 0);
  printf ("slowest arrival-to-first-byte: %.1f ms (goal < 100 ms)\n", worst_first_byte);
  printf ("CPU time: the CLI %.2f s for one phone, %.2f s for four; the simulators %.2f s and %.2f s; "
          "CLI exit %d\n", cpu_one, cpu_four, sim_cpu_one, sim_cpu_four, status_four);
  all_ok &= status_four == 0;
  printf ("%s\n", all_ok ? "every phone flashed and verified" : "SOME PHONE FAILED");
  /* The lines bench/run puts in its table. */
  printf ("ROW four phones at once / one alone (slowest)\t%.2f, all verified: %s\t>= 0.80\t%s\n",
          single > 0 ? worst / single : 0, all_ok ? "yes" : "NO",
          all_ok && single > 0 && worst / single >= 0.8 ? "met" : "NOT MET");
  printf ("ROW phone arrival (known USB id) → first byte, slowest of 4\t%.1f ms\t< 100 ms\t%s\n",
          worst_first_byte, worst_first_byte < 100 ? "met" : "NOT MET");

  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);

    if (system (cmd) != 0)
      fprintf (stderr, "bench-multi-phone: could not remove %s\n", dir);
  }
  for (guint i = 0; i < N_PHONES; i++) {
    g_free (sims[i].storage);
    g_free (sims[i].err_path);
    g_free (four[i].port);
  }
  g_free (one_sim[0].storage);
  g_free (one_sim[0].err_path);
  g_free (one[0].port);
  return all_ok ? 0 : 1;
}
