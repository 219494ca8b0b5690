/* sf-cli-progress.h — showing a worker's events on a terminal or as JSON lines
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sf-worker.h"

G_BEGIN_DECLS

/* Runs the CLI's main loop until @worker is done: drains its queue, shows
 * each event (a progress bar on a terminal, plain lines otherwise, one JSON
 * object per line on stdout with @json), and cancels the worker on Ctrl-C.
 * Returns the exit status: 0 done, 1 failed, 130 interrupted; @out_device
 * receives what the phone said about itself, when it said it. */
int   sf_cli_run_worker   (SfWorker       *worker,
                           gboolean        json,
                           SfDeviceInfo  **out_device);

/* One event as a JSON line on stdout; with @phone > 0 (download --watch)
 * it carries "phone": @phone and "port": @port. */
void  sf_cli_print_json_event (const SfEvent  *e,
                               guint           phone,
                               const char     *port);

G_END_DECLS
