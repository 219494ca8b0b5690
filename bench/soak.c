/* soak.c — many downloads in a row to the virtual phone, one in three with a fault
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs SF_SOAK_RUNS (default 200) downloads of the sample firmware (Download
 * Only, every image) to the in-process virtual phone, each through the same
 * worker thread and flash job the CLI and the app use. Every third run
 * (runs 2, 5, 8, …) injects a random fault (the sim's --fault kinds, with
 * random byte counts and offsets); SF_SOAK_SEED makes a run reproducible
 * (the seed is printed). After each run:
 *
 *   - success: every image is compared with the phone's storage files;
 *   - failure: only with a fault, and the error is a named SfError (a
 *     GError in SF_ERROR whose code has an SP Flash Tool style name);
 *   - the run after a fault uses the storage the fault left behind and must
 *     succeed: the phone is recoverable by the next run.
 *
 * The storage is wiped before the other runs, so a success proves the bytes
 * arrived in that run. At the end the process must have as many threads and
 * file descriptors as after the first run (run it under ASan for leaks:
 * build-asan). Prints one line per fault and a summary.
 *
 * Usage: soak FIRMWARE_DIR DA_FILE
 */

#include "config.h"

#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "sf-da-file.h"
#include "sf-error.h"
#include "sf-event.h"
#include "sf-firmware.h"
#include "sf-flash-job.h"
#include "sf-plan.h"
#include "sf-sim.h"
#include "sf-sparse.h"
#include "sf-worker.h"

#define MIB (1024 * 1024)

/* Where the sample scatter (V1.1.1) puts each image: PRELOADER at the start
 * of boot1, the rest in the user area from MBR's address on
 * (protocol.md §11). */
typedef struct {
  const char *file;
  guint64     linear_start;
} Image;

static const Image sample_images[] = {
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

typedef enum {
  FAULT_NONE,
  FAULT_UNPLUG,
  FAULT_STALL,
  FAULT_WRITE_ERROR,
  FAULT_BAD_CHECKSUM,
  FAULT_DRAM,
  FAULT_NO_EMMC,
  FAULT_WRONG_CHIP,
  FAULT_POWERED_ON,
  N_FAULTS
} FaultKind;

static const char *const fault_names[N_FAULTS] = {
  "none", "unplug-after", "stall-after", "write-error-at", "bad-checksum", "dram-fail", "no-emmc",
  "wrong-chip", "powered-on",
};

typedef struct {
  const char  *firmware_dir;
  char        *storage;
  SfDaFile    *da_file;
  SfPlan      *plan;
  guint64      payload;       /* bytes of the images */
  guint        faults[N_FAULTS];
  guint        failed[N_FAULTS];
  GHashTable  *error_names;   /* "fault: S_NAME" → count */
} Soak;

/* ---- the process ------------------------------------------------------------ */

static guint
count_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* Bytes malloc has handed out and not had back (all arenas): flat when
 * nothing leaks, whatever the RSS does. */
static double
heap_in_use_mib (void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  struct mallinfo2 mi = mallinfo2 ();

  return (double) mi.uordblks / (1024.0 * 1024.0);
#else
  return 0;
#endif
}

static double
rss_mib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  line = strstr (status, "VmRSS:");
  return line != NULL ? g_ascii_strtod (line + 6, NULL) / 1024.0 : 0;
}

/* ---- the phone's storage ------------------------------------------------------ */

static void
wipe_storage (const char *storage)
{
  const char *files[] = { "boot1.bin", "boot2.bin", "user.bin", "pmt.bin" };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++) {
    g_autofree char *path = g_build_filename (storage, files[i], NULL);

    g_unlink (path);
  }
}

static gboolean
same_bytes (int           fd,
            guint64       at,
            const guint8 *want,
            gsize         n,
            guint8       *scratch)
{
  return pread (fd, scratch, n, (off_t) at) == (gssize) n && memcmp (want, scratch, n) == 0;
}

/* Whether the image @path is on the phone at @offset of @device: every RAW
 * and FILL byte of a sparse image, every byte of a plain one. */
static gboolean
image_on_phone (const char *path,
                const char *storage,
                const char *device,
                guint64     offset,
                GError    **error)
{
  g_autofree char *dev_path = g_build_filename (storage, device, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GInputStream) in = NULL;
  g_autofree guint8 *want = g_malloc (MIB);
  g_autofree guint8 *got = g_malloc (MIB);
  guint8 magic[4] = { 0 };
  gsize n = 0;
  gboolean ok = TRUE;
  int fd;

  in = G_INPUT_STREAM (g_file_read (file, NULL, error));
  if (in == NULL || !g_input_stream_read_all (in, magic, 4, &n, NULL, error) ||
      !g_seekable_seek (G_SEEKABLE (in), 0, G_SEEK_SET, NULL, error))
    return FALSE;
  fd = open (dev_path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s: no %s on the phone", path, device);
    return FALSE;
  }

  if (sf_sparse_is_sparse (magic, n)) {
    g_autoptr(SfSparseReader) reader = sf_sparse_reader_new (in, path, 0, NULL, error);
    const SfSparseChunk *chunk = NULL;

    ok = reader != NULL;
    while (ok && (ok = sf_sparse_reader_next (reader, &chunk, NULL, error)) && chunk != NULL) {
      if (chunk->type != SF_SPARSE_CHUNK_RAW && chunk->type != SF_SPARSE_CHUNK_FILL)
        continue;
      for (guint64 done = 0; ok && done < chunk->length;) {
        gsize len = (gsize) MIN ((guint64) MIB, chunk->length - done);

        if (chunk->type == SF_SPARSE_CHUNK_FILL) {
          sf_sparse_fill_pattern (chunk->fill, done, want, len);
        } else {
          for (gsize have = 0; ok && have < len;) {
            gssize r = sf_sparse_reader_read_data (reader, want + have, len - have, NULL, error);

            ok = r > 0;
            have += r > 0 ? (gsize) r : 0;
          }
        }
        if (ok && !same_bytes (fd, offset + chunk->offset + done, want, len, got)) {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s differs on %s near 0x%" G_GINT64_MODIFIER "x",
                       path, device, offset + chunk->offset + done);
          ok = FALSE;
        }
        done += len;
      }
    }
  } else {
    guint64 done = 0;

    while (ok && (ok = g_input_stream_read_all (in, want, MIB, &n, NULL, error)) && n > 0) {
      if (!same_bytes (fd, offset + done, want, n, got)) {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s differs on %s near 0x%" G_GINT64_MODIFIER "x",
                     path, device, offset + done);
        ok = FALSE;
      }
      done += n;
    }
  }
  close (fd);
  return ok;
}

static gboolean
firmware_on_phone (Soak    *soak,
                   GError **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (sample_images); i++) {
    g_autofree char *path = g_build_filename (soak->firmware_dir, sample_images[i].file, NULL);

    if (i == 0 ? !image_on_phone (path, soak->storage, "boot1.bin", 0, error)
               : !image_on_phone (path, soak->storage, "user.bin",
                                  sample_images[i].linear_start - SAMPLE_USER_BASE, error))
      return FALSE;
  }
  return TRUE;
}

/* ---- one run ------------------------------------------------------------------- */

static char *
pick_fault (Soak      *soak,
            GRand     *rand,
            FaultKind *out_kind)
{
  FaultKind kind = (FaultKind) g_rand_int_range (rand, FAULT_UNPLUG, N_FAULTS);
  const Image *image = &sample_images[g_rand_int_range (rand, 1, G_N_ELEMENTS (sample_images))];

  *out_kind = kind;
  switch (kind) {
  case FAULT_UNPLUG:
  case FAULT_STALL:
    return g_strdup_printf ("%s=%u", fault_names[kind], g_rand_int_range (rand, 0, (gint32) soak->payload));
  case FAULT_WRITE_ERROR:
    /* Somewhere in an image (a sparse one's gaps are not written: then
     * nothing fails). */
    return g_strdup_printf ("write-error-at=%" G_GUINT64_FORMAT,
                            image->linear_start - SAMPLE_USER_BASE + (guint64) g_rand_int_range (rand, 0, 64 * 1024));
  case FAULT_WRONG_CHIP:
    return g_strdup ("wrong-chip=0x6582");
  default:
    return g_strdup (fault_names[kind]);
  }
}

/* Runs one download; returns its error, or NULL on success. */
static GError *
download (Soak       *soak,
          const char *fault)
{
  g_autoptr(SfSim) sim = NULL;
  g_autoptr(SfWorker) worker = NULL;
  GError *error = NULL;
  SfFlashJob *job;
  SfSimOptions opts;

  sf_sim_options_init (&opts);
  opts.storage_dir = soak->storage;
  opts.emmc_user_size = 256 * MIB;
  if (fault != NULL && !sf_sim_options_add_fault (&opts, fault, &error))
    return error;
  sim = sf_sim_new (&opts, &error);
  if (sim == NULL || !sf_sim_start (sim, &error))
    return error;

  job = sf_flash_job_new (sf_sim_get_port_path (sim), soak->da_file);
  sf_flash_job_set_mode (job, SF_BROM_MODE_AUTO);
  sf_flash_job_set_plan (job, soak->plan);
  worker = sf_worker_new ();
  sf_worker_start (worker, "soak-job", sf_flash_job_run, job, (GDestroyNotify) sf_flash_job_free);
  for (;;) {
    g_autoptr(SfEvent) event = g_async_queue_pop (sf_worker_get_queue (worker));

    if (event->kind == SF_EVENT_FINISHED)
      break;
    if (event->kind == SF_EVENT_FAILED) {
      error = g_steal_pointer (&event->error);
      break;
    }
  }
  sf_worker_join (worker);
  sf_sim_stop (sim);
  return error;
}

static gboolean
is_named (const GError *error)
{
  return error->domain == SF_ERROR && error->code != SF_ERROR_FAILED &&
         sf_error_get_name ((SfError) error->code) != NULL;
}

int
main (int    argc,
      char **argv)
{
  Soak soak = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) da_path = NULL;
  g_autoptr(GFile) fw_path = NULL;
  g_autoptr(SfFirmware) firmware = NULL;
  g_autoptr(GRand) rand = NULL;
  const char *runs_env = g_getenv ("SF_SOAK_RUNS");
  const char *seed_env = g_getenv ("SF_SOAK_SEED");
  guint runs = runs_env != NULL ? (guint) atoi (runs_env) : 200;
  guint32 seed = seed_env != NULL ? (guint32) strtoul (seed_env, NULL, 0) : (guint32) g_get_real_time ();
  guint threads0 = 0, fds0 = 0, threads1, fds1;
  double rss0 = 0, rss_mid = 0, rss1;
  double heap0 = 0, heap_mid = 0, heap1;
  guint stalls = 0, max_stalls;
  guint ok_runs = 0, bad = 0;
  gboolean after_fault = FALSE;
  gint64 t0;

  if (argc != 3) {
    fprintf (stderr, "usage: soak FIRMWARE_DIR DA_FILE\n");
    return 2;
  }
  soak.firmware_dir = argv[1];
  soak.error_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  soak.storage = g_dir_make_tmp ("sf-soak-XXXXXX", &error);
  da_path = g_file_new_for_path (argv[2]);
  fw_path = g_file_new_for_path (argv[1]);
  if (soak.storage == NULL ||
      (soak.da_file = sf_da_file_new (da_path, NULL, &error)) == NULL ||
      (firmware = sf_firmware_open (fw_path, NULL, &error)) == NULL ||
      (soak.plan = sf_plan_new (firmware, NULL, SF_SCENE_DOWNLOAD_ONLY, NULL, &error)) == NULL) {
    fprintf (stderr, "soak: %s\n", error->message);
    return 1;
  }
  for (guint i = 0; i < G_N_ELEMENTS (sample_images); i++) {
    g_autofree char *path = g_build_filename (argv[1], sample_images[i].file, NULL);
    GStatBuf st;

    if (g_stat (path, &st) == 0)
      soak.payload += (guint64) st.st_size;
  }
  rand = g_rand_new_with_seed (seed);
  max_stalls = MAX (1, runs / 40);
  printf ("soak: %u downloads of %s (%.1f MiB of images), a fault in runs 2, 5, 8, … (at most %u stall%s); "
          "SF_SOAK_SEED=%u\n", runs, argv[1], (double) soak.payload / MIB, max_stalls, max_stalls == 1 ? "" : "s",
          seed);
  fflush (stdout);

  t0 = g_get_monotonic_time ();
  for (guint run = 0; run < runs; run++) {
    g_autofree char *fault = NULL;
    g_autoptr(GError) run_error = NULL;
    FaultKind kind = FAULT_NONE;
    gint64 r0 = g_get_monotonic_time ();

    if (run % 3 == 1) {
      fault = pick_fault (&soak, rand, &kind);
      /* A stall costs the host's 10 s packet timeout: a few are enough. */
      while (kind == FAULT_STALL && stalls >= max_stalls) {
        g_free (fault);
        fault = pick_fault (&soak, rand, &kind);
      }
      stalls += kind == FAULT_STALL;
    }
    /* A fresh phone, except right after a fault: that run must repair
     * whatever the fault left. */
    if (!after_fault)
      wipe_storage (soak.storage);

    run_error = download (&soak, fault);
    soak.faults[kind]++;
    if (run_error == NULL) {
      g_autoptr(GError) verify_error = NULL;

      if (!firmware_on_phone (&soak, &verify_error)) {
        printf ("run %3u: FAIL: success, but %s\n", run + 1, verify_error->message);
        bad++;
      } else {
        ok_runs++;
      }
    } else {
      const char *name = run_error->domain == SF_ERROR ? sf_error_get_name ((SfError) run_error->code) : "?";
      g_autofree char *key = g_strdup_printf ("%s → %s", fault_names[kind], name);
      guint seen = GPOINTER_TO_UINT (g_hash_table_lookup (soak.error_names, key));

      g_hash_table_replace (soak.error_names, g_steal_pointer (&key), GUINT_TO_POINTER (seen + 1));
      soak.failed[kind]++;
      if (kind == FAULT_NONE) {
        printf ("run %3u: FAIL: no fault, yet: %s\n", run + 1, run_error->message);
        bad++;
      } else if (!is_named (run_error)) {
        printf ("run %3u: FAIL: %s ended with an unnamed error: %s\n", run + 1, fault, run_error->message);
        bad++;
      }
    }
    if (fault != NULL)
      printf ("run %3u: %-24s → %-32s %5.2f s\n", run + 1, fault,
              run_error != NULL ? sf_error_get_name ((SfError) run_error->code) : "success, bytes verified",
              (double) (g_get_monotonic_time () - r0) / G_USEC_PER_SEC);
    fflush (stdout);
    after_fault = fault != NULL;

    if (run == runs / 2) {
      rss_mid = rss_mib ();
      heap_mid = heap_in_use_mib ();
    }
    if (run == 0) {
      threads0 = count_dir ("/proc/self/task");
      fds0 = count_dir ("/proc/self/fd");
      rss0 = rss_mib ();
      heap0 = heap_in_use_mib ();
    }
  }

  threads1 = count_dir ("/proc/self/task");
  fds1 = count_dir ("/proc/self/fd");
  rss1 = rss_mib ();
  heap1 = heap_in_use_mib ();
  printf ("soak: %u runs in %.1f s: %u succeeded with verified bytes, %u failed with a named error, %u wrong\n",
          runs, (double) (g_get_monotonic_time () - t0) / G_USEC_PER_SEC, ok_runs,
          runs - ok_runs - bad, bad);
  for (guint k = FAULT_UNPLUG; k < N_FAULTS; k++)
    printf ("  %-16s %3u injected, %3u failed\n", fault_names[k], soak.faults[k], soak.failed[k]);
  {
    GHashTableIter iter;
    gpointer key, value;

    g_hash_table_iter_init (&iter, soak.error_names);
    while (g_hash_table_iter_next (&iter, &key, &value))
      printf ("  %-48s %3u\n", (const char *) key, GPOINTER_TO_UINT (value));
  }
  printf ("  threads %u → %u, fds %u → %u (after run 1 → at the end)\n", threads0, threads1, fds0, fds1);
  /* Under ASan, malloc is the sanitizer's (mallinfo2 says 0), and its
   * quarantine holds freed memory: LeakSanitizer is the judge there. */
  if (heap0 > 0 || heap1 > 0)
    printf ("  heap in use %.2f → %.2f → %.2f MiB, ", heap0, heap_mid, heap1);
  else
    printf ("  heap in use n/a (sanitizer allocator), ");
  printf ("RSS %.1f → %.1f → %.1f MiB (after run 1, half-way, at the end)\n", rss0, rss_mid, rss1);
  if (threads1 > threads0 || fds1 > fds0) {
    printf ("soak: FAIL: threads or file descriptors leaked\n");
    bad++;
  }

  wipe_storage (soak.storage);
  g_rmdir (soak.storage);
  g_free (soak.storage);
  g_clear_object (&soak.plan);
  g_clear_object (&soak.da_file);
  g_hash_table_unref (soak.error_names);
  return bad == 0 ? 0 : 1;
}
