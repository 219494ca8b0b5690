/* bench-flash.c — download and readback against the link limit, memory, time to the DA
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Prints, from one run on this machine (bench/README.md explains each):
 *   - the raw throughput of a pty pair in each direction (no protocol);
 *   - `scatterflash-cli download` of a 2 GiB Android sparse image (RAW_MIB of
 *     RAW chunks between DONT_CARE gaps) to `scatterflash-sim`: data rate
 *     while writing (from the CLI's --json step events) over the raw rate
 *     (goal >= 0.9), and the CLI's peak RSS (goal < 64 MiB);
 *   - `scatterflash-cli readback`: the rate of 512 MiB over the raw rate in
 *     that direction (phone to host), and the peak RSS of reading 2 GiB;
 *   On a shared machine every figure moves, so each ratio is the best of
 *   five rounds of [raw, protocol] run back to back, best over best;
 *   - both again with `--pace high-speed`, over the sim's paced rate
 *     (40 MB/s; goal >= 0.95);
 *   - the time from the phone's port appearing to its first DA byte: the
 *     CLI is started when the sim prints its PORT line; the end is the
 *     sim's own log line for the SEND_DA header (the DA bytes follow at
 *     once). The median of five runs with the sample firmware.
 * Lines starting with "ROW" are the figures bench/run puts in its table.
 *
 * Usage: bench-flash CLI SIM DA SAMPLE_FIRMWARE [RAW_MIB]
 */

#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#define MIB (1024 * 1024)
#define BLOCK 4096

/* ---- the raw pty --------------------------------------------------------------- */

typedef struct {
  int      fd;
  guint64  bytes;
} Pump;

#define ROUNDS 5
#define PACED_RATE 40e6   /* the sim's --pace high-speed, bytes/s (src/sim/sf-sim.c) */

static void
row (const char *figure,
     const char *measured,
     const char *goal,
     gboolean    met)
{
  printf ("ROW %s\t%s\t%s\t%s\n", figure, measured, goal, met ? "met" : "NOT MET");
  fflush (stdout);
}

static gpointer
drain_thread (gpointer data)
{
  Pump *p = data;
  g_autofree guint8 *buf = g_malloc (MIB);
  guint64 got = 0;

  while (got < p->bytes) {
    ssize_t n = read (p->fd, buf, MIB);

    if (n <= 0)
      break;
    got += (guint64) n;
  }
  return GSIZE_TO_POINTER ((gsize) (got == p->bytes));
}

/* Pushes @bytes through a pty pair: host to phone (the host writes the
 * slave, the phone reads the master) or the other way round. */
static double
raw_pty_rate (guint64  bytes,
              gboolean to_phone)
{
  int master = posix_openpt (O_RDWR | O_NOCTTY);
  int slave;
  struct termios tio;
  g_autofree guint8 *buf = g_malloc0 (MIB);
  Pump pump;
  GThread *thread;
  gint64 t0, t1;

  if (master < 0 || grantpt (master) != 0 || unlockpt (master) != 0)
    return 0;
  slave = open (ptsname (master), O_RDWR | O_NOCTTY);
  tcgetattr (slave, &tio);
  cfmakeraw (&tio);
  tcsetattr (slave, TCSANOW, &tio);

  pump.fd = to_phone ? master : slave;
  pump.bytes = bytes;
  t0 = g_get_monotonic_time ();
  thread = g_thread_new ("drain", drain_thread, &pump);
  for (guint64 sent = 0; sent < bytes;) {
    ssize_t n = write (to_phone ? slave : master, buf, (size_t) MIN ((guint64) MIB, bytes - sent));

    if (n <= 0)
      break;
    sent += (guint64) n;
  }
  g_thread_join (thread);
  t1 = g_get_monotonic_time ();
  close (slave);
  close (master);
  return (double) bytes / ((double) (t1 - t0) / G_USEC_PER_SEC);
}

/* ---- the firmware ------------------------------------------------------------- */

static void
put_le16 (guint8 *p, guint16 v) { p[0] = v & 0xFF; p[1] = v >> 8; }

static void
put_le32 (guint8 *p, guint32 v) { put_le16 (p, v & 0xFFFF); put_le16 (p + 2, v >> 16); }

/* A 2 GiB sparse image: RAW runs of 8 MiB of pseudo-random data with
 * DONT_CARE gaps, @raw_mib MiB of RAW in all. */
static guint64
write_sparse (const char *path,
              guint       raw_mib)
{
  const guint32 total_blocks = (guint32) (G_GUINT64_CONSTANT (2048) * MIB / BLOCK);
  const guint32 run_blocks = 8 * MIB / BLOCK;
  guint n_runs = raw_mib / 8;
  guint32 gap_blocks = (total_blocks - n_runs * run_blocks) / (n_runs + 1);
  g_autofree guint8 *data = g_malloc (8 * MIB);
  FILE *f = fopen (path, "wb");
  guint8 hdr[28] = { 0 };
  guint8 chunk[12] = { 0 };
  guint32 used = 0;
  guint32 chunks = 0;
  GRand *rand = g_rand_new_with_seed (6572);

  for (gsize i = 0; i < 8 * MIB; i += 4)
    put_le32 (data + i, g_rand_int (rand));
  g_rand_free (rand);

  fwrite (hdr, 1, sizeof hdr, f);
  for (guint r = 0; r < n_runs; r++) {
    put_le16 (chunk, 0xCAC3);
    put_le32 (chunk + 4, gap_blocks);
    put_le32 (chunk + 8, 12);
    fwrite (chunk, 1, 12, f);
    put_le16 (chunk, 0xCAC1);
    put_le32 (chunk + 4, run_blocks);
    put_le32 (chunk + 8, 12 + 8 * MIB);
    fwrite (chunk, 1, 12, f);
    data[0] = (guint8) r;
    fwrite (data, 1, 8 * MIB, f);
    used += gap_blocks + run_blocks;
    chunks += 2;
  }
  put_le16 (chunk, 0xCAC3);
  put_le32 (chunk + 4, total_blocks - used);
  put_le32 (chunk + 8, 12);
  fwrite (chunk, 1, 12, f);
  chunks++;

  put_le32 (hdr, 0xED26FF3A);
  put_le16 (hdr + 4, 1);
  put_le16 (hdr + 8, 28);
  put_le16 (hdr + 10, 12);
  put_le32 (hdr + 12, BLOCK);
  put_le32 (hdr + 16, total_blocks);
  put_le32 (hdr + 20, chunks);
  fseek (f, 0, SEEK_SET);
  fwrite (hdr, 1, sizeof hdr, f);
  fclose (f);
  return (guint64) n_runs * 8 * MIB;
}

static const char scatter[] =
  "- general: MTK_PLATFORM_CFG\n"
  "  info:\n"
  "    - config_version: V1.1.2\n"
  "      platform: MT6572\n"
  "      project: bench\n"
  "      storage: EMMC\n"
  "      boot_channel: MSDC_0\n"
  "      block_size: 0x20000\n"
  "- partition_index: SYS0\n"
  "  partition_name: system\n"
  "  file_name: system.img\n"
  "  is_download: true\n"
  "  type: EXT4_IMG\n"
  "  linear_start_addr: 0x1000000\n"
  "  physical_start_addr: 0x1000000\n"
  "  partition_size: 0x90000000\n"
  "  region: EMMC_USER\n"
  "  storage: HW_STORAGE_EMMC\n"
  "  boundary_check: true\n"
  "  is_reserved: false\n"
  "  operation_type: UPDATE\n"
  "  reserve: 0x00\n";

/* ---- the runs ----------------------------------------------------------------- */

typedef struct {
  GPid   pid;
  int    out_fd;
  int    err_fd;
  char  *port;
  gint64 port_time;    /* when the PORT line came */
} Sim;

static gboolean
read_line (int      fd,
           GString *line)
{
  char c;

  g_string_truncate (line, 0);
  while (read (fd, &c, 1) == 1) {
    if (c == '\n')
      return TRUE;
    g_string_append_c (line, c);
  }
  return line->len > 0;
}

static gboolean
start_sim (const char *sim_path,
           const char *storage,
           const char *pace,
           gboolean    verbose,
           Sim        *sim)
{
  const char *argv[] = { sim_path, "--storage", storage, "--emmc-user-size", "3G", "--pace", pace,
                         verbose ? "--verbose" : NULL, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) line = g_string_new (NULL);

  memset (sim, 0, sizeof *sim);
  sim->err_fd = -1;
  if (!g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                 &sim->pid, NULL, &sim->out_fd, verbose ? &sim->err_fd : NULL, &error)) {
    fprintf (stderr, "bench-flash: %s\n", error->message);
    return FALSE;
  }
  if (!read_line (sim->out_fd, line) || !g_str_has_prefix (line->str, "PORT ")) {
    fprintf (stderr, "bench-flash: the virtual phone did not start\n");
    return FALSE;
  }
  sim->port_time = g_get_monotonic_time ();
  sim->port = g_strdup (line->str + 5);
  return TRUE;
}

static void
end_sim (Sim *sim)
{
  kill (sim->pid, SIGTERM);
  waitpid (sim->pid, NULL, 0);
  g_spawn_close_pid (sim->pid);
  close (sim->out_fd);
  if (sim->err_fd >= 0)
    close (sim->err_fd);
  g_clear_pointer (&sim->port, g_free);
}

typedef struct {
  gboolean  ok;
  double    seconds;       /* the whole CLI run */
  double    step_seconds;  /* first step-begin to last step-end of the data steps */
  double    rss_mib;
} CliRun;

/* "time_ms":N of a JSON event line. */
static gint64
event_time_ms (const char *line)
{
  const char *t = strstr (line, "\"time_ms\":");

  return t != NULL ? g_ascii_strtoll (t + 10, NULL, 10) : -1;
}

static CliRun
run_cli (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) line = g_string_new (NULL);
  CliRun r = { FALSE, 0, 0, 0 };
  gint64 t0, t1, first_begin = -1, last_end = -1;
  struct rusage usage;
  int status = 0;
  int out_fd;
  GPid pid;

  t0 = g_get_monotonic_time ();
  if (!g_spawn_async_with_pipes (NULL, (char **) argv, NULL,
                                 G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL,
                                 NULL, NULL, &pid, NULL, &out_fd, NULL, &error)) {
    fprintf (stderr, "bench-flash: %s\n", error->message);
    return r;
  }
  while (read_line (out_fd, line)) {
    /* Data steps only: the backup/table steps of a run are tiny. */
    if (strstr (line->str, "\"event\":\"step-begin\"") != NULL && first_begin < 0)
      first_begin = event_time_ms (line->str);
    else if (strstr (line->str, "\"event\":\"step-end\"") != NULL)
      last_end = event_time_ms (line->str);
    else if (strstr (line->str, "\"event\":\"failed\"") != NULL)
      fprintf (stderr, "bench-flash: %s\n", line->str);
  }
  close (out_fd);
  wait4 (pid, &status, 0, &usage);
  t1 = g_get_monotonic_time ();
  g_spawn_close_pid (pid);

  r.ok = WIFEXITED (status) && WEXITSTATUS (status) == 0;
  r.seconds = (double) (t1 - t0) / G_USEC_PER_SEC;
  r.step_seconds = first_begin >= 0 && last_end > first_begin ? (double) (last_end - first_begin) / 1000.0 : r.seconds;
  r.rss_mib = (double) usage.ru_maxrss / 1024.0;
  return r;
}

static CliRun
download (const char *cli,
          const char *sim_path,
          const char *da,
          const char *fw,
          const char *storage,
          const char *pace)
{
  Sim sim;
  CliRun r = { FALSE, 0, 0, 0 };

  if (start_sim (sim_path, storage, pace, FALSE, &sim)) {
    const char *argv[] = { cli, "download", "--json", "--port", sim.port, "--da", da, fw, NULL };

    r = run_cli (argv);
    end_sim (&sim);
  }
  return r;
}

static CliRun
readback (const char *cli,
          const char *sim_path,
          const char *da,
          const char *out,
          const char *storage,
          const char *pace,
          guint64     bytes)
{
  g_autofree char *length = g_strdup_printf ("%" G_GUINT64_FORMAT, bytes);
  Sim sim;
  CliRun r = { FALSE, 0, 0, 0 };

  g_unlink (out);
  if (start_sim (sim_path, storage, pace, FALSE, &sim)) {
    const char *argv[] = { cli, "readback", "--json", "--port", sim.port, "--da", da, "--region", "EMMC_USER",
                           "--start", "0", "--length", length, "--output", out, NULL };

    r = run_cli (argv);
    end_sim (&sim);
  }
  g_unlink (out);
  return r;
}

/* Milliseconds from the PORT line to the sim's SEND_DA log line. */
static double
arrival_to_da (const char *cli,
               const char *sim_path,
               const char *da,
               const char *fw,
               const char *storage)
{
  g_autoptr(GString) line = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  double ms = -1;
  GPid pid;
  Sim sim;

  if (!start_sim (sim_path, storage, "none", TRUE, &sim))
    return -1;
  {
    const char *argv[] = { cli, "download", "--port", sim.port, "--da", da, fw, NULL };

    if (!g_spawn_async (NULL, (char **) argv, NULL,
                        G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                        NULL, NULL, &pid, &error)) {
      fprintf (stderr, "bench-flash: %s\n", error->message);
      end_sim (&sim);
      return -1;
    }
  }
  while (read_line (sim.err_fd, line)) {
    if (strstr (line->str, "SEND_DA addr") != NULL) {
      ms = (double) (g_get_monotonic_time () - sim.port_time) / 1000.0;
      break;
    }
  }
  /* Let the download finish: the sim goes on logging. */
  while (read_line (sim.err_fd, line))
    ;
  waitpid (pid, NULL, 0);
  g_spawn_close_pid (pid);
  end_sim (&sim);
  return ms;
}

static int
compare_double (const void *a,
                const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *dir = NULL;
  g_autofree char *fw = NULL;
  g_autofree char *image = NULL;
  g_autofree char *phone = NULL;
  g_autofree char *small_phone = NULL;
  g_autofree char *out = NULL;
  g_autofree char *scatter_path = NULL;
  const char *cli, *sim, *da, *sample;
  guint raw_mib;
  guint64 payload, readback_bytes = G_GUINT64_CONSTANT (2048) * MIB, paced_readback = 512 * MIB;
  guint64 fast_readback = 512 * MIB;
  double dl_rss = 0;
  double raw_down = 0, raw_up = 0;
  double arrival[5];
  CliRun dl, rb, rb_fast, dl_paced, rb_paced;
  gboolean all_ok;

  if (argc < 5) {
    fprintf (stderr, "usage: bench-flash CLI SIM DA SAMPLE_FIRMWARE [RAW_MIB]\n");
    return 2;
  }
  cli = argv[1];
  sim = argv[2];
  da = argv[3];
  sample = argv[4];
  raw_mib = argc > 5 ? (guint) atoi (argv[5]) : 512;

  dir = g_dir_make_tmp ("sf-bench-XXXXXX", NULL);
  fw = g_build_filename (dir, "firmware", NULL);
  phone = g_build_filename (dir, "phone", NULL);
  small_phone = g_build_filename (dir, "small-phone", NULL);
  out = g_build_filename (dir, "readback.bin", NULL);
  g_mkdir_with_parents (fw, 0755);
  scatter_path = g_build_filename (fw, "MT6572_Android_scatter.txt", NULL);
  g_file_set_contents (scatter_path, scatter, -1, NULL);
  image = g_build_filename (fw, "system.img", NULL);
  payload = write_sparse (image, raw_mib);

  /* ROUNDS rounds, each protocol run right after its raw run. */
  memset (&dl, 0, sizeof dl);
  memset (&rb_fast, 0, sizeof rb_fast);
  for (guint i = 0; i < ROUNDS; i++) {
    CliRun r;

    raw_down = MAX (raw_down, raw_pty_rate (256 * MIB, TRUE));
    r = download (cli, sim, da, fw, phone, "none");
    if (r.ok && (!dl.ok || r.step_seconds < dl.step_seconds))
      dl = r;
    dl_rss = MAX (dl_rss, r.rss_mib);
    raw_up = MAX (raw_up, raw_pty_rate (256 * MIB, FALSE));
    r = readback (cli, sim, da, out, phone, "none", fast_readback);
    if (r.ok && (!rb_fast.ok || r.step_seconds < rb_fast.step_seconds))
      rb_fast = r;
  }
  rb = readback (cli, sim, da, out, phone, "none", readback_bytes);
  dl_paced = download (cli, sim, da, fw, phone, "high-speed");
  rb_paced = readback (cli, sim, da, out, phone, "high-speed", paced_readback);
  for (guint i = 0; i < G_N_ELEMENTS (arrival); i++)
    arrival[i] = arrival_to_da (cli, sim, da, sample, small_phone);
  qsort (arrival, G_N_ELEMENTS (arrival), sizeof arrival[0], compare_double);

  printf ("raw pty, host → phone:      %8.1f MB/s (best of %u × 256 MiB through a pty pair)\n", raw_down / 1e6,
          ROUNDS);
  printf ("raw pty, phone → host:      %8.1f MB/s\n", raw_up / 1e6);
  printf ("download, no pace:          %8.1f MB/s while writing (%.2f s for %" G_GUINT64_FORMAT
          " MiB of RAW data in a 2 GiB sparse image); whole CLI run %.2f s%s\n",
          (double) payload / dl.step_seconds / 1e6, dl.step_seconds, payload / MIB, dl.seconds, dl.ok ? "" : " FAILED");
  printf ("                            (best of %u; each download and readback right after a raw run)\n", ROUNDS);
  printf ("readback, no pace:          %8.1f MB/s while reading (best of %u × 512 MiB)%s\n",
          (double) fast_readback / rb_fast.step_seconds / 1e6, ROUNDS, rb_fast.ok ? "" : " FAILED");
  printf ("readback, no pace, 2 GiB:   %8.1f MB/s while reading (%.2f s); whole CLI run %.2f s%s\n",
          (double) readback_bytes / rb.step_seconds / 1e6, rb.step_seconds, rb.seconds, rb.ok ? "" : " FAILED");
  printf ("download, high-speed pace:  %8.1f MB/s while writing; whole CLI run %.2f s%s\n",
          (double) payload / dl_paced.step_seconds / 1e6, dl_paced.seconds, dl_paced.ok ? "" : " FAILED");
  printf ("readback, high-speed pace:  %8.1f MB/s while reading (512 MiB); whole CLI run %.2f s%s\n",
          (double) paced_readback / rb_paced.step_seconds / 1e6, rb_paced.seconds, rb_paced.ok ? "" : " FAILED");
  printf ("arrival → first DA byte:    %8.1f ms median (runs: %.1f %.1f %.1f %.1f %.1f ms)\n",
          arrival[2], arrival[0], arrival[1], arrival[2], arrival[3], arrival[4]);

  {
    double dl_rate = (double) payload / dl.step_seconds;
    double rb_rate = (double) fast_readback / rb_fast.step_seconds;
    double dlp_rate = (double) payload / dl_paced.step_seconds;
    double rbp_rate = (double) paced_readback / rb_paced.step_seconds;
    g_autofree char *m1 = g_strdup_printf ("%.2f (%.0f of %.0f MB/s)", dl_rate / raw_down, dl_rate / 1e6, raw_down / 1e6);
    g_autofree char *m2 = g_strdup_printf ("%.2f (%.0f of %.0f MB/s)", rb_rate / raw_up, rb_rate / 1e6, raw_up / 1e6);
    g_autofree char *m3 = g_strdup_printf ("%.3f (%.2f of 40 MB/s)", dlp_rate / PACED_RATE, dlp_rate / 1e6);
    g_autofree char *m4 = g_strdup_printf ("%.3f (%.2f of 40 MB/s)", rbp_rate / PACED_RATE, rbp_rate / 1e6);
    g_autofree char *m5 = g_strdup_printf ("%.1f MiB", dl_rss);
    g_autofree char *m6 = g_strdup_printf ("%.1f MiB", rb.rss_mib);
    g_autofree char *m7 = g_strdup_printf ("%.0f ms (median of 5)", arrival[2]);

    row ("download / raw pty (no pace)", m1, ">= 0.90", dl.ok && dl_rate / raw_down >= 0.9);
    row ("readback / raw pty (no pace)", m2, ">= 0.90", rb_fast.ok && rb_rate / raw_up >= 0.9);
    row ("download / paced rate (high-speed)", m3, ">= 0.95", dl_paced.ok && dlp_rate / PACED_RATE >= 0.95);
    row ("readback / paced rate (high-speed)", m4, ">= 0.95", rb_paced.ok && rbp_rate / PACED_RATE >= 0.95);
    row ("peak RSS, 2 GiB sparse download", m5, "< 64 MiB", dl.ok && dl_rss < 64);
    row ("peak RSS, 2 GiB readback", m6, "< 64 MiB", rb.ok && rb.rss_mib < 64);
    row ("phone arrival → first DA byte", m7, "< 300 ms", arrival[0] > 0 && arrival[2] < 300);
  }
  all_ok = dl.ok && rb.ok && rb_fast.ok && dl_paced.ok && rb_paced.ok && arrival[0] > 0;

  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);

    if (system (cmd) != 0)
      fprintf (stderr, "bench-flash: could not remove %s\n", dir);
  }
  return all_ok ? 0 : 1;
}
