/* bench-flash.c — download throughput to the virtual phone, and the host's memory
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Prints, from one run on this machine:
 *   - the raw throughput of a pty (bytes pushed through a pty pair, no protocol);
 *   - the throughput of `scatterflash-cli download` of a 2 GiB Android sparse
 *     image (RAW chunks with DONT_CARE gaps) to `scatterflash-sim`, and its
 *     ratio to the raw figure (target >= 0.9);
 *   - the peak RSS of the CLI process while it flashes (target < 64 MiB).
 *
 * Usage: bench-flash CLI SIM DA [RAW_MIB]
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
#include <termios.h>
#include <unistd.h>

#define MIB (1024 * 1024)
#define BLOCK 4096

/* ---- the raw pty --------------------------------------------------------------- */

typedef struct {
  int      fd;
  guint64  bytes;
} Pump;

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

static double
raw_pty_rate (guint64 bytes)
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

  /* The host writes to the slave; the phone reads the master. */
  pump.fd = master;
  pump.bytes = bytes;
  t0 = g_get_monotonic_time ();
  thread = g_thread_new ("drain", drain_thread, &pump);
  for (guint64 sent = 0; sent < bytes;) {
    ssize_t n = write (slave, buf, (size_t) MIN ((guint64) MIB, bytes - sent));

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

/* ---- the run ------------------------------------------------------------------ */

static char *
start_sim (const char *sim,
           const char *storage,
           GPid       *pid)
{
  const char *argv[] = { sim, "--storage", storage, "--emmc-user-size", "3G", NULL };
  g_autoptr(GError) error = NULL;
  int out_fd;
  char line[256] = { 0 };
  gsize len = 0;

  if (!g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                 pid, NULL, &out_fd, NULL, &error)) {
    fprintf (stderr, "bench-flash: %s\n", error->message);
    return NULL;
  }
  while (len < sizeof line - 1 && read (out_fd, line + len, 1) == 1 && line[len] != '\n')
    len++;
  close (out_fd);
  if (!g_str_has_prefix (line, "PORT "))
    return NULL;
  line[len] = '\0';
  return g_strdup (line + 5);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *dir = NULL;
  g_autofree char *fw = NULL;
  g_autofree char *image = NULL;
  g_autofree char *phone = NULL;
  g_autofree char *port = NULL;
  g_autofree char *scatter_path = NULL;
  guint raw_mib = argc > 4 ? (guint) atoi (argv[4]) : 512;
  guint64 payload;
  double raw_rate, flash_rate;
  struct rusage usage;
  GPid sim_pid, cli_pid;
  int status = 0;
  gint64 t0, t1;

  if (argc < 4) {
    fprintf (stderr, "usage: bench-flash CLI SIM DA [RAW_MIB]\n");
    return 2;
  }

  dir = g_dir_make_tmp ("sf-bench-XXXXXX", NULL);
  fw = g_build_filename (dir, "firmware", NULL);
  phone = g_build_filename (dir, "phone", NULL);
  g_mkdir_with_parents (fw, 0755);
  scatter_path = g_build_filename (fw, "MT6572_Android_scatter.txt", NULL);
  g_file_set_contents (scatter_path, scatter, -1, NULL);
  image = g_build_filename (fw, "system.img", NULL);
  payload = write_sparse (image, raw_mib);

  /* The link limit: the best of three raw runs, so that a slow moment on
   * a busy machine does not flatter the ratio. */
  raw_rate = 0;
  for (guint i = 0; i < 3; i++)
    raw_rate = MAX (raw_rate, raw_pty_rate (payload));

  port = start_sim (argv[2], phone, &sim_pid);
  if (port == NULL) {
    fprintf (stderr, "bench-flash: the virtual phone did not start\n");
    return 1;
  }
  {
    const char *cli_argv[] = { argv[1], "download", "--port", port, "--da", argv[3], fw, NULL };
    g_autoptr(GError) error = NULL;

    t0 = g_get_monotonic_time ();
    if (!g_spawn_async (NULL, (char **) cli_argv, NULL,
                        G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                        NULL, NULL, &cli_pid, &error)) {
      fprintf (stderr, "bench-flash: %s\n", error->message);
      return 1;
    }
    wait4 (cli_pid, &status, 0, &usage);
    t1 = g_get_monotonic_time ();
  }
  waitpid (sim_pid, NULL, 0);

  flash_rate = (double) payload / ((double) (t1 - t0) / G_USEC_PER_SEC);
  printf ("raw pty throughput:        %8.1f MB/s (best of 3 × %" G_GUINT64_FORMAT " MiB through a pty pair)\n",
          raw_rate / 1e6, payload / MIB);
  printf ("download to virtual phone: %8.1f MB/s (2 GiB sparse image, %" G_GUINT64_FORMAT " MiB of data, whole CLI run)\n",
          flash_rate / 1e6, payload / MIB);
  printf ("ratio download/raw:        %8.2f (target >= 0.90)\n", flash_rate / raw_rate);
  printf ("peak RSS of the CLI:       %8.1f MiB (target < 64 MiB)\n", (double) usage.ru_maxrss / 1024.0);
  printf ("CLI exit status:           %8d\n", WIFEXITED (status) ? WEXITSTATUS (status) : -1);

  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);

    if (system (cmd) != 0)
      fprintf (stderr, "bench-flash: could not remove %s\n", dir);
  }
  return WIFEXITED (status) && WEXITSTATUS (status) == 0 ? 0 : 1;
}
