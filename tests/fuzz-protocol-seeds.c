/* fuzz-protocol-seeds.c — seeds for fuzz-protocol from sessions with the virtual phone
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs the fuzz target's host code against the in-process virtual phone over
 * a real pty, records every byte the phone sent, and writes one input per
 * start point (fuzz-protocol.c explains the layout). The files in
 * tests/fuzz-corpus/protocol/ were made with:
 *
 *   build/tests/fuzz-protocol-seeds tests/fuzz-corpus/protocol
 */

#include "config.h"

#include <stdio.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "fuzz-protocol.h"
#include "sf-brom.h"
#include "sf-error.h"
#include "sf-sim.h"

typedef struct {
  GByteArray  *replies;
  gsize        marks[3];
} Recording;

static void
on_trace (SfTransport   *transport,
          gboolean       to_device,
          const guint8  *data,
          gsize          len,
          gpointer       user_data)
{
  Recording *rec = user_data;

  if (!to_device)
    g_byte_array_append (rec->replies, data, (guint) len);
}

static void
on_mark (guint    stage,
         gpointer user_data)
{
  Recording *rec = user_data;

  rec->marks[stage] = rec->replies->len;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *child = g_build_filename (path, name, NULL);

    g_unlink (child);
  }
  g_rmdir (path);
}

static gboolean
record_session (const char    *name,
                const guint8  *ops,
                SfSimMode      mode,
                const char    *fault,
                const char    *out_dir,
                GError       **error)
{
  g_autofree char *storage = g_dir_make_tmp ("sf-seeds-XXXXXX", error);
  g_autoptr(SfSim) sim = NULL;
  g_autoptr(SfTransport) transport = NULL;
  g_autoptr(SfBrom) brom = NULL;
  g_autoptr(GError) run_error = NULL;
  Recording rec = { g_byte_array_new (), { 0 } };
  SfSimOptions opts;

  if (storage == NULL)
    return FALSE;
  sf_sim_options_init (&opts);
  opts.storage_dir = storage;
  opts.emmc_user_size = 64 * 1024 * 1024;
  opts.mode = mode;
  if (fault != NULL && !sf_sim_options_add_fault (&opts, fault, error))
    return FALSE;
  sim = sf_sim_new (&opts, error);
  if (sim == NULL || !sf_sim_start (sim, error))
    return FALSE;
  transport = sf_transport_open_port (sf_sim_get_port_path (sim), error);
  if (transport == NULL)
    return FALSE;
  brom = sf_brom_new (transport);
  if (!sf_brom_connect (brom, mode == SF_SIM_MODE_BROM ? SF_BROM_MODE_BROM : SF_BROM_MODE_PRELOADER, NULL, error))
    return FALSE;

  sf_transport_set_trace (transport, on_trace, &rec);
  if (!sf_fuzz_protocol_run (transport, SF_FUZZ_START_BROM, ops, on_mark, &rec, &run_error))
    g_printerr ("%s: the session ended with: %s\n", name, run_error->message);
  sf_transport_set_trace (transport, NULL, NULL);
  sf_sim_stop (sim);

  for (guint start = SF_FUZZ_START_BROM; start <= SF_FUZZ_START_COMMANDS; start++) {
    g_autofree char *path = g_strdup_printf ("%s/%s-%u", out_dir, name, start);
    g_autoptr(GByteArray) input = g_byte_array_new ();
    guint8 s = (guint8) start;

    g_byte_array_append (input, &s, 1);
    g_byte_array_append (input, ops, SF_FUZZ_PROTOCOL_N_OPS);
    g_byte_array_append (input, rec.replies->data + rec.marks[start],
                         rec.replies->len - (guint) rec.marks[start]);
    if (!g_file_set_contents (path, (const char *) input->data, input->len, error))
      return FALSE;
    printf ("%s: %u bytes\n", path, input->len);
  }
  g_byte_array_unref (rec.replies);
  g_clear_pointer (&sim, sf_sim_free);
  remove_tree (storage);
  return TRUE;
}

#define OP(kind, k) ((guint8) ((kind) | (((k) - 1) << 3)))

int
main (int    argc,
      char **argv)
{
  const guint8 everything[SF_FUZZ_PROTOCOL_N_OPS] = {
    OP (SF_FUZZ_OP_READ_PMT, 1), OP (SF_FUZZ_OP_WRITE, 7), OP (SF_FUZZ_OP_READ, 3),
    OP (SF_FUZZ_OP_FORMAT, 2), OP (SF_FUZZ_OP_WRITE_PMT, 4), OP (SF_FUZZ_OP_READ_PMT, 1),
    OP (SF_FUZZ_OP_USB_STATUS, 1), OP (SF_FUZZ_OP_SWITCH_PART, 2), OP (SF_FUZZ_OP_SWITCH_PART, 1),
    OP (SF_FUZZ_OP_READ, 1), OP (SF_FUZZ_OP_FINISH, 1),
  };
  const guint8 write_read[SF_FUZZ_PROTOCOL_N_OPS] = {
    OP (SF_FUZZ_OP_WRITE, 32), OP (SF_FUZZ_OP_READ, 8), OP (SF_FUZZ_OP_FINISH, 1),
  };
  /* §13.6: A5 on a blank phone (the error reply 1037), A4 with 0x60
   * records, A5 with them; §13.7: a write refused with an error reply. */
  const guint8 table[SF_FUZZ_PROTOCOL_N_OPS] = {
    OP (SF_FUZZ_OP_READ_PMT, 1), OP (SF_FUZZ_OP_WRITE_PMT, 2), OP (SF_FUZZ_OP_READ_PMT, 1),
    OP (SF_FUZZ_OP_WRITE_PMT, 9), OP (SF_FUZZ_OP_READ_PMT, 1), OP (SF_FUZZ_OP_FINISH, 1),
  };
  const guint8 refused[SF_FUZZ_PROTOCOL_N_OPS] = {
    OP (SF_FUZZ_OP_READ_PMT, 1), OP (SF_FUZZ_OP_WRITE, 4), OP (SF_FUZZ_OP_FINISH, 1),
  };
  g_autoptr(GError) error = NULL;

  if (argc != 2) {
    g_printerr ("usage: fuzz-protocol-seeds OUT_DIR\n");
    return 2;
  }
  g_mkdir_with_parents (argv[1], 0755);
  /* BootROM entry: 0xBBF, the report and E8 before DA2 (§13.2–13.3). */
  if (!record_session ("session-all", everything, SF_SIM_MODE_BROM, NULL, argv[1], &error) ||
      !record_session ("session-write-read", write_read, SF_SIM_MODE_PRELOADER, NULL, argv[1], &error) ||
      !record_session ("session-table", table, SF_SIM_MODE_PRELOADER, NULL, argv[1], &error) ||
      !record_session ("session-error-reply", refused, SF_SIM_MODE_PRELOADER, "write-error-at=0x100000",
                       argv[1], &error) ||
      !record_session ("session-pmt-missing", table, SF_SIM_MODE_BROM, "pmt-missing", argv[1], &error)) {
    g_printerr ("fuzz-protocol-seeds: %s\n", error->message);
    return 1;
  }
  return 0;
}
