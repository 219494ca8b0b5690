/* bench-flash.c — download and readback against the link limit, memory, time to the DA
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Prints, from one run on this machine (bench/README.md explains each):
 *   - the ceiling of the link: a small C pump over a pty pair of the same
 *     kind as the sim's, in each direction, shaped like the protocol (1 MiB
 *     packets, each answered by a 1-byte ack, blocking I/O) and as a raw
 *     stream;
 *   - `scatterflash-cli download` of a 2 GiB Android sparse image (RAW_MIB of
 *     RAW chunks between DONT_CARE gaps) to `scatterflash-sim`: data rate
 *     while writing (from the CLI's --json step events) over the pump's
 *     host-to-phone rate (goal >= 0.90), and the CLI's peak RSS (goal
 *     < 16 MiB), measured by a launcher forked while this program was tiny;
 *   - `scatterflash-cli readback`: the rate of 512 MiB over the pump's
 *     phone-to-host rate (goal >= 0.85), and the peak RSS of reading 2 GiB;
 *   On a shared machine every figure moves, so each ratio is the best of
 *     five rounds of [pumps, protocol, pump] run back to back, best over
 *     best;
 *   - both again with `--pace high-speed`, over the sim's paced rate
 *     (40 MB/s; goal >= 0.95);
 *   - the time from the CLI's start to its first data step with `--mode
 *     auto` (goal < 30 ms) and, for comparison, `--mode brom`;
 *   - the whole sample download on a phone paced like a real MT6572 (full
 *     speed until the DA's 70 01, 40 MB/s after: --pace high-speed),
 *     switch included, over the ideal: the bytes the sim paced before the
 *     switch at 1 MB/s plus those after it at 40 MB/s (goal <= 1.10);
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
#include <sys/socket.h>
#include <sys/wait.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#define MIB (1024 * 1024)
#define BLOCK 4096

/* ---- the ceiling: a C pump over a pty ------------------------------------------ */

#define ROUNDS 5
#define PUMP_BYTES (256 * MIB)
#define PACED_RATE 40e6   /* the sim's --pace high-speed, bytes/s (src/sim/sf-sim.c) */
#define FULL_SPEED_RATE 1e6   /* and before the DA's 70 01 */

typedef struct {
  int       fd;
  guint64   bytes;
  gboolean  lockstep;
  gboolean  ok;
} PumpEnd;

static void
row (const char *figure,
     const char *measured,
     const char *goal,
     gboolean    met)
{
  printf ("ROW %s\t%s\t%s\t%s\n", figure, measured, goal, met ? "met" : "NOT MET");
  fflush (stdout);
}

static gboolean
write_full (int           fd,
            const guint8 *buf,
            gsize         len)
{
  while (len > 0) {
    ssize_t n = write (fd, buf, len);

    if (n <= 0)
      return FALSE;
    buf += n;
    len -= (gsize) n;
  }
  return TRUE;
}

static gboolean
read_full (int     fd,
           guint8 *buf,
           gsize   len)
{
  while (len > 0) {
    ssize_t n = read (fd, buf, len);

    if (n <= 0)
      return FALSE;
    buf += n;
    len -= (gsize) n;
  }
  return TRUE;
}

/* The receiving end: a raw stream is read in 1 MiB requests; in lock-step
 * each 1 MiB packet is read whole, then acknowledged with one byte. */
static gpointer
pump_receive (gpointer data)
{
  PumpEnd *p = data;
  g_autofree guint8 *buf = g_malloc (MIB);
  guint64 got = 0;
  guint8 ack = 0x69;

  while (got < p->bytes) {
    gsize want = (gsize) MIN ((guint64) MIB, p->bytes - got);

    if (p->lockstep) {
      if (!read_full (p->fd, buf, want) || !write_full (p->fd, &ack, 1))
        break;
      got += want;
    } else {
      ssize_t n = read (p->fd, buf, want);

      if (n <= 0)
        break;
      got += (guint64) n;
    }
  }
  p->ok = got == p->bytes;
  return NULL;
}

/* Pushes @bytes through a pty pair, host to phone (the host writes the
 * slave, the phone reads the master, as with the sim) or the other way
 * round; blocking I/O on both ends. In @lockstep, shaped like the
 * protocol's data phase: one write of a 1 MiB packet, then a wait for the
 * other end's 1-byte ack before the next. Returns bytes/s, 0 on failure. */
static double
pump_rate (guint64  bytes,
           gboolean to_phone,
           gboolean lockstep)
{
  int master = posix_openpt (O_RDWR | O_NOCTTY);
  int slave;
  struct termios tio;
  g_autofree guint8 *buf = g_malloc0 (MIB);
  PumpEnd receiver;
  GThread *thread;
  gint64 t0, t1;
  int send_fd;
  gboolean ok = TRUE;

  if (master < 0 || grantpt (master) != 0 || unlockpt (master) != 0)
    return 0;
  slave = open (ptsname (master), O_RDWR | O_NOCTTY);
  if (slave < 0) {
    close (master);
    return 0;
  }
  /* Both ends raw, as the host and the sim make them. */
  tcgetattr (slave, &tio);
  cfmakeraw (&tio);
  tcsetattr (slave, TCSANOW, &tio);
  tcgetattr (master, &tio);
  cfmakeraw (&tio);
  tcsetattr (master, TCSANOW, &tio);

  receiver.fd = to_phone ? master : slave;
  receiver.bytes = bytes;
  receiver.lockstep = lockstep;
  receiver.ok = FALSE;
  send_fd = to_phone ? slave : master;
  t0 = g_get_monotonic_time ();
  thread = g_thread_new ("pump", pump_receive, &receiver);
  for (guint64 sent = 0; ok && sent < bytes;) {
    gsize n = (gsize) MIN ((guint64) MIB, bytes - sent);
    guint8 ack;

    ok = write_full (send_fd, buf, n);
    if (ok && lockstep)
      ok = read_full (send_fd, &ack, 1);
    sent += n;
  }
  if (!ok) {
    /* Wake the receiver: its reads fail once both ends are gone. */
    close (slave);
    close (master);
    g_thread_join (thread);
    return 0;
  }
  g_thread_join (thread);
  t1 = g_get_monotonic_time ();
  close (slave);
  close (master);
  return receiver.ok ? (double) bytes / ((double) (t1 - t0) / G_USEC_PER_SEC) : 0;
}

/* ---- the launcher: peak RSS of a child, measured from a small process ------------ */

/* ru_maxrss of a child that a big process started is not the child's: the
 * kernel keeps the high-water mark of the memory the child had before its
 * exec (after fork a copy of the parent's pages, after vfork or
 * posix_spawn, as GLib spawns, the parent's own), and this program holds a
 * few MiB of buffers by then. So the children whose
 * memory is measured are started by a launcher forked at the very start of
 * main(), while this program is still tiny (bench/README.md). Its protocol,
 * over a SOCK_SEQPACKET pair: a request is "STDOUT_PATH\0ARGV0\0ARGV1\0…",
 * the answer "EXIT_STATUS MAXRSS_KIB". */

static int launcher_fd = -1;

static void
launcher_main (int fd)
{
  static char msg[8192];

  for (;;) {
    ssize_t len = recv (fd, msg, sizeof msg - 1, 0);
    char *argv[64];
    int argc = 0;
    const char *out;
    char *p;
    struct rusage usage;
    int status = 0;
    char answer[64];
    pid_t pid;

    if (len <= 0)
      _exit (0);
    msg[len] = '\0';
    out = msg;
    p = msg + strlen (msg) + 1;
    while (p < msg + len && argc < 63) {
      argv[argc++] = p;
      p += strlen (p) + 1;
    }
    argv[argc] = NULL;

    pid = fork ();
    if (pid == 0) {
      int o = open (out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int n = open ("/dev/null", O_WRONLY);

      dup2 (o, 1);
      dup2 (n, 2);
      close (fd);
      execv (argv[0], argv);
      _exit (127);
    }
    if (pid < 0 || wait4 (pid, &status, 0, &usage) < 0)
      status = -1;
    snprintf (answer, sizeof answer, "%d %ld", status, pid < 0 ? 0L : usage.ru_maxrss);
    if (send (fd, answer, strlen (answer), 0) < 0)
      _exit (1);
  }
}

static gboolean
launcher_start (void)
{
  int sv[2];
  pid_t pid;

  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
    return FALSE;
  pid = fork ();
  if (pid < 0)
    return FALSE;
  if (pid == 0) {
    close (sv[0]);
    launcher_main (sv[1]);
  }
  close (sv[1]);
  launcher_fd = sv[0];
  return TRUE;
}

/* Runs @argv to its end through the launcher, its stdout into @out_path.
 * Returns its wait status (-1 when it could not run) and its peak RSS. */
static int
launcher_run (const char * const *argv,
              const char         *out_path,
              long               *out_maxrss_kib)
{
  g_autoptr(GByteArray) msg = g_byte_array_new ();
  char answer[64];
  ssize_t n;
  int status = -1;

  g_byte_array_append (msg, (const guint8 *) out_path, strlen (out_path) + 1);
  for (guint i = 0; argv[i] != NULL; i++)
    g_byte_array_append (msg, (const guint8 *) argv[i], strlen (argv[i]) + 1);
  if (send (launcher_fd, msg->data, msg->len, 0) != (ssize_t) msg->len)
    return -1;
  n = recv (launcher_fd, answer, sizeof answer - 1, 0);
  if (n <= 0)
    return -1;
  answer[n] = '\0';
  if (sscanf (answer, "%d %ld", &status, out_maxrss_kib) != 2)
    return -1;
  return status;
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

/* @flag (nullable): "--verbose" or "--stats"; with one, the sim's stderr
 * comes to sim->err_fd. */
static gboolean
start_sim (const char *sim_path,
           const char *storage,
           const char *pace,
           const char *flag,
           Sim        *sim)
{
  gboolean verbose = flag != NULL;
  const char *argv[] = { sim_path, "--storage", storage, "--emmc-user-size", "3G", "--pace", pace, flag, NULL };
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
  double    first_step_ms; /* the CLI's start to its first step-begin */
  double    rss_mib;       /* peak RSS, from the launcher */
} CliRun;

/* "time_ms":N of a JSON event line (the monotonic clock, as ours). */
static gint64
event_time_ms (const char *line)
{
  const char *t = strstr (line, "\"time_ms\":");

  return t != NULL ? g_ascii_strtoll (t + 10, NULL, 10) : -1;
}

static char *json_path;   /* where the launcher puts a CLI's stdout */

static CliRun
run_cli (const char * const *argv)
{
  g_autofree char *json = NULL;
  g_auto(GStrv) lines = NULL;
  CliRun r = { FALSE, 0, 0, 0, 0 };
  gint64 t0, t1, first_begin = -1, last_end = -1;
  long maxrss_kib = 0;
  int status;

  t0 = g_get_monotonic_time ();
  status = launcher_run (argv, json_path, &maxrss_kib);
  t1 = g_get_monotonic_time ();
  if (!g_file_get_contents (json_path, &json, NULL, NULL))
    return r;
  lines = g_strsplit (json, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    const char *line = lines[i];

    /* Data steps only: the backup/table steps of a run are tiny. */
    if (strstr (line, "\"event\":\"step-begin\"") != NULL && first_begin < 0)
      first_begin = event_time_ms (line);
    else if (strstr (line, "\"event\":\"step-end\"") != NULL)
      last_end = event_time_ms (line);
    else if (strstr (line, "\"event\":\"failed\"") != NULL)
      fprintf (stderr, "bench-flash: %s\n", line);
  }

  r.ok = status >= 0 && WIFEXITED (status) && WEXITSTATUS (status) == 0;
  r.seconds = (double) (t1 - t0) / G_USEC_PER_SEC;
  r.step_seconds = first_begin >= 0 && last_end > first_begin ? (double) (last_end - first_begin) / 1000.0 : r.seconds;
  r.first_step_ms = first_begin >= 0 ? (double) first_begin - (double) t0 / 1000.0 : -1;
  r.rss_mib = (double) maxrss_kib / 1024.0;
  return r;
}

/* The sample's preloader: its DRAM settings let a readback (no firmware),
 * or a download of the bench's own firmware (no preloader), through a
 * phone that came up in BootROM mode (protocol.md §13.2–13.4). */
static const char *sample_preloader;

static CliRun
download (const char *cli,
          const char *sim_path,
          const char *da,
          const char *fw,
          const char *storage,
          const char *pace,
          const char *mode)
{
  Sim sim;
  CliRun r = { FALSE, 0, 0, 0, 0 };

  if (start_sim (sim_path, storage, pace, NULL, &sim)) {
    /* The bench's own firmware has no preloader for the DRAM settings. */
    const char *argv[] = { cli, "download", "--json", "--mode", mode, "--port", sim.port, "--da", da,
                           "--emi-from", sample_preloader, fw, NULL };

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
  CliRun r = { FALSE, 0, 0, 0, 0 };

  g_unlink (out);
  if (start_sim (sim_path, storage, pace, NULL, &sim)) {
    const char *argv[] = { cli, "readback", "--json", "--port", sim.port, "--da", da, "--region", "EMMC_USER",
                           "--start", "0", "--length", length, "--output", out,
                           "--emi-from", sample_preloader, NULL };

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

  if (!start_sim (sim_path, storage, "none", "--verbose", &sim))
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

/* The sample firmware's download at --pace high-speed, from the CLI's start
 * to its end, over the least the link allows for what moved: the bytes the
 * sim paced before the speed switch at 1 MB/s (the DA uploads) and after it
 * at 40 MB/s (the data, the preloader check's read). The rest, the CLI's
 * start, ENABLE_DRAM, the switch itself, is what the ratio says. */
static double
paced_sample_ratio (const char *cli,
                    const char *sim_path,
                    const char *da,
                    const char *fw,
                    const char *storage,
                    double     *out_seconds,
                    double     *out_ideal)
{
  g_autoptr(GString) line = g_string_new (NULL);
  guint64 full = 0, high = 0;
  CliRun r;
  Sim sim;

  if (!start_sim (sim_path, storage, "high-speed", "--stats", &sim))
    return -1;
  {
    const char *argv[] = { cli, "download", "--json", "--mode", "auto", "--port", sim.port, "--da", da, fw, NULL };

    r = run_cli (argv);
  }
  /* The phone leaves after FINISH and prints its figures as it exits. */
  while (read_line (sim.err_fd, line)) {
    const char *s = strstr (line->str, "stats: full-speed ");

    if (s != NULL && sscanf (s, "stats: full-speed %" G_GUINT64_FORMAT " bytes, high-speed %" G_GUINT64_FORMAT,
                             &full, &high) == 2)
      break;
  }
  end_sim (&sim);
  if (!r.ok || full + high == 0)
    return -1;
  *out_seconds = r.seconds;
  *out_ideal = (double) full / FULL_SPEED_RATE + (double) high / PACED_RATE;
  return r.seconds / *out_ideal;
}

static int
compare_double (const void *a,
                const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median5 (double *v)
{
  qsort (v, 5, sizeof v[0], compare_double);
  return v[2];
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
  double lock_down = 0, lock_up = 0, raw_down = 0, raw_up = 0;
  double arrival[5], auto_ms[5], brom_ms[5];
  double sample_ratio[3], sample_seconds[3], sample_ideal[3];
  guint best = 0;
  gboolean sample_ok = TRUE;
  CliRun dl, rb, rb_fast, dl_paced, rb_paced;
  gboolean all_ok, first_ok = TRUE;

  /* First, while this process is a few hundred KiB. */
  if (!launcher_start ()) {
    fprintf (stderr, "bench-flash: cannot start the launcher\n");
    return 1;
  }
  if (argc < 5) {
    fprintf (stderr, "usage: bench-flash CLI SIM DA SAMPLE_FIRMWARE [RAW_MIB]\n");
    return 2;
  }
  cli = argv[1];
  sim = argv[2];
  da = argv[3];
  sample = argv[4];
  sample_preloader = g_build_filename (sample, "preloader_scatterflash_sample.bin", NULL);
  raw_mib = argc > 5 ? (guint) atoi (argv[5]) : 512;

  dir = g_dir_make_tmp ("sf-bench-XXXXXX", NULL);
  fw = g_build_filename (dir, "firmware", NULL);
  phone = g_build_filename (dir, "phone", NULL);
  small_phone = g_build_filename (dir, "small-phone", NULL);
  out = g_build_filename (dir, "readback.bin", NULL);
  json_path = g_build_filename (dir, "cli.json", NULL);
  g_mkdir_with_parents (fw, 0755);
  scatter_path = g_build_filename (fw, "MT6572_Android_scatter.txt", NULL);
  g_file_set_contents (scatter_path, scatter, -1, NULL);
  image = g_build_filename (fw, "system.img", NULL);
  payload = write_sparse (image, raw_mib);

  /* ROUNDS rounds; each protocol run comes between two lock-step pumps in
   * its direction (the ceiling is the best of ten), after a raw one. */
  memset (&dl, 0, sizeof dl);
  memset (&rb_fast, 0, sizeof rb_fast);
  for (guint i = 0; i < ROUNDS; i++) {
    CliRun r;

    lock_down = MAX (lock_down, pump_rate (PUMP_BYTES, TRUE, TRUE));
    raw_down = MAX (raw_down, pump_rate (PUMP_BYTES, TRUE, FALSE));
    r = download (cli, sim, da, fw, phone, "none", "auto");
    if (r.ok && (!dl.ok || r.step_seconds < dl.step_seconds))
      dl = r;
    dl_rss = MAX (dl_rss, r.rss_mib);
    lock_down = MAX (lock_down, pump_rate (PUMP_BYTES, TRUE, TRUE));
    lock_up = MAX (lock_up, pump_rate (PUMP_BYTES, FALSE, TRUE));
    raw_up = MAX (raw_up, pump_rate (PUMP_BYTES, FALSE, FALSE));
    r = readback (cli, sim, da, out, phone, "none", fast_readback);
    if (r.ok && (!rb_fast.ok || r.step_seconds < rb_fast.step_seconds))
      rb_fast = r;
    lock_up = MAX (lock_up, pump_rate (PUMP_BYTES, FALSE, TRUE));
  }
  rb = readback (cli, sim, da, out, phone, "none", readback_bytes);
  dl_paced = download (cli, sim, da, fw, phone, "high-speed", "auto");
  rb_paced = readback (cli, sim, da, out, phone, "high-speed", paced_readback);
  for (guint i = 0; i < 5; i++) {
    CliRun a = download (cli, sim, da, sample, small_phone, "none", "auto");
    CliRun b = download (cli, sim, da, sample, small_phone, "none", "brom");

    first_ok = first_ok && a.ok && b.ok && a.first_step_ms > 0 && b.first_step_ms > 0;
    auto_ms[i] = a.first_step_ms;
    brom_ms[i] = b.first_step_ms;
  }
  for (guint i = 0; i < G_N_ELEMENTS (arrival); i++)
    arrival[i] = arrival_to_da (cli, sim, da, sample, small_phone);
  for (guint i = 0; i < G_N_ELEMENTS (sample_ratio); i++)
    sample_ratio[i] = paced_sample_ratio (cli, sim, da, sample, small_phone, &sample_seconds[i], &sample_ideal[i]);
  for (guint i = 0; i < G_N_ELEMENTS (sample_ratio); i++) {
    sample_ok = sample_ok && sample_ratio[i] > 0;
    if (sample_ratio[i] < sample_ratio[best])
      best = i;
  }
  qsort (arrival, G_N_ELEMENTS (arrival), sizeof arrival[0], compare_double);

  printf ("C pump, host → phone:       %8.1f MB/s lock-step (1 MiB + 1-byte ack), %.1f MB/s raw stream "
          "(best of %u and %u × 256 MiB, blocking I/O over a pty pair)\n", lock_down / 1e6, raw_down / 1e6, 2 * ROUNDS,
          ROUNDS);
  printf ("C pump, phone → host:       %8.1f MB/s lock-step, %.1f MB/s raw stream\n", lock_up / 1e6, raw_up / 1e6);
  printf ("download, no pace:          %8.1f MB/s while writing (%.2f s for %" G_GUINT64_FORMAT
          " MiB of RAW data in a 2 GiB sparse image); whole CLI run %.2f s%s\n",
          (double) payload / dl.step_seconds / 1e6, dl.step_seconds, payload / MIB, dl.seconds, dl.ok ? "" : " FAILED");
  printf ("                            (best of %u; each download and readback between two lock-step pumps)\n", ROUNDS);
  printf ("readback, no pace:          %8.1f MB/s while reading (best of %u × 512 MiB)%s\n",
          (double) fast_readback / rb_fast.step_seconds / 1e6, ROUNDS, rb_fast.ok ? "" : " FAILED");
  printf ("readback, no pace, 2 GiB:   %8.1f MB/s while reading (%.2f s); whole CLI run %.2f s%s\n",
          (double) readback_bytes / rb.step_seconds / 1e6, rb.step_seconds, rb.seconds, rb.ok ? "" : " FAILED");
  printf ("download, high-speed pace:  %8.1f MB/s while writing; whole CLI run %.2f s%s\n",
          (double) payload / dl_paced.step_seconds / 1e6, dl_paced.seconds, dl_paced.ok ? "" : " FAILED");
  printf ("readback, high-speed pace:  %8.1f MB/s while reading (512 MiB); whole CLI run %.2f s%s\n",
          (double) paced_readback / rb_paced.step_seconds / 1e6, rb_paced.seconds, rb_paced.ok ? "" : " FAILED");
  printf ("start → first data step:    --mode auto %.1f %.1f %.1f %.1f %.1f ms; --mode brom %.1f %.1f %.1f %.1f %.1f ms\n",
          auto_ms[0], auto_ms[1], auto_ms[2], auto_ms[3], auto_ms[4],
          brom_ms[0], brom_ms[1], brom_ms[2], brom_ms[3], brom_ms[4]);
  printf ("arrival → first DA byte:    %8.1f ms median (runs: %.1f %.1f %.1f %.1f %.1f ms)\n",
          arrival[2], arrival[0], arrival[1], arrival[2], arrival[3], arrival[4]);
  printf ("sample, high-speed pace:    whole download %.3f %.3f %.3f s, ideal %.3f s (ratios %.3f %.3f %.3f)\n",
          sample_seconds[0], sample_seconds[1], sample_seconds[2], sample_ideal[0],
          sample_ratio[0], sample_ratio[1], sample_ratio[2]);

  {
    double dl_rate = (double) payload / dl.step_seconds;
    double rb_rate = (double) fast_readback / rb_fast.step_seconds;
    double dlp_rate = (double) payload / dl_paced.step_seconds;
    double rbp_rate = (double) paced_readback / rb_paced.step_seconds;
    double auto_med = median5 (auto_ms);
    double brom_med = median5 (brom_ms);
    g_autofree char *m1 = g_strdup_printf ("%.2f (%.0f of %.0f MB/s)", dl_rate / lock_down, dl_rate / 1e6,
                                           lock_down / 1e6);
    g_autofree char *m2 = g_strdup_printf ("%.2f (%.0f of %.0f MB/s)", rb_rate / lock_up, rb_rate / 1e6,
                                           lock_up / 1e6);
    g_autofree char *m1r = g_strdup_printf ("%.2f / %.2f (of %.0f / %.0f MB/s)", dl_rate / raw_down,
                                            lock_down / raw_down, raw_down / 1e6, raw_up / 1e6);
    g_autofree char *m2r = g_strdup_printf ("%.2f / %.2f", rb_rate / raw_up, lock_up / raw_up);
    g_autofree char *m3 = g_strdup_printf ("%.3f (%.2f of 40 MB/s)", dlp_rate / PACED_RATE, dlp_rate / 1e6);
    g_autofree char *m4 = g_strdup_printf ("%.3f (%.2f of 40 MB/s)", rbp_rate / PACED_RATE, rbp_rate / 1e6);
    g_autofree char *m5 = g_strdup_printf ("%.1f MiB", dl_rss);
    g_autofree char *m6 = g_strdup_printf ("%.1f MiB", rb.rss_mib);
    g_autofree char *m7 = g_strdup_printf ("%.0f ms (median of 5)", arrival[2]);
    g_autofree char *m9 = g_strdup_printf ("%.3f (best of 3: %.3f s, ideal %.3f s)", sample_ratio[best],
                                           sample_seconds[best], sample_ideal[best]);
    g_autofree char *m8 = g_strdup_printf ("%.0f ms (median of 5; --mode brom %.0f ms)", auto_med, brom_med);

    row ("download / C pump, lock-step (no pace)", m1, ">= 0.90", dl.ok && dl_rate / lock_down >= 0.9);
    row ("readback / C pump, lock-step (no pace)", m2, ">= 0.85", rb_fast.ok && rb_rate / lock_up >= 0.85);
    row ("download / raw stream; lock-step / raw", m1r, "info", TRUE);
    row ("readback / raw stream; lock-step / raw", m2r, "info", TRUE);
    row ("download / paced rate (high-speed)", m3, ">= 0.95", dl_paced.ok && dlp_rate / PACED_RATE >= 0.95);
    row ("readback / paced rate (high-speed)", m4, ">= 0.95", rb_paced.ok && rbp_rate / PACED_RATE >= 0.95);
    row ("peak RSS, 2 GiB sparse download", m5, "< 16 MiB", dl.ok && dl_rss > 0 && dl_rss < 16);
    row ("peak RSS, 2 GiB readback", m6, "< 16 MiB", rb.ok && rb.rss_mib > 0 && rb.rss_mib < 16);
    row ("--mode auto: start → first data step", m8, "< 30 ms", first_ok && auto_med < 30);
    row ("phone arrival → first DA byte", m7, "< 300 ms", arrival[0] > 0 && arrival[2] < 300);
    row ("paced sample download, switch included / ideal", m9, "<= 1.10",
         sample_ok && sample_ratio[best] <= 1.10);
  }
  all_ok = dl.ok && rb.ok && rb_fast.ok && dl_paced.ok && rb_paced.ok && arrival[0] > 0 && first_ok && sample_ok;

  close (launcher_fd);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);

    if (system (cmd) != 0)
      fprintf (stderr, "bench-flash: could not remove %s\n", dir);
  }
  g_free (json_path);
  return all_ok ? 0 : 1;
}
