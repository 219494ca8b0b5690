/* sf-cli-ports.h — finding the phone, shared by the commands that wait for one
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "sf-cli-phone.h"
#include "sf-device-monitor.h"
#include "sf-host-check.h"

G_BEGIN_DECLS

/* One NDJSON line on stdout (sf_cli_print_json() pretty-prints a whole
 * document). */
void              sf_cli_print_json_line     (JsonNode                *root);
/* What on this computer is in the way of flashing, on stderr. */
void              sf_cli_print_problem       (const SfHostProblem     *p);
void              sf_cli_print_host_problems (void);
/* A phone that runs Android: it must be switched off first. */
void              sf_cli_print_powered_on    (SfUsbDevice             *device,
                                              gboolean                 json);
/* Starts watching USB and the virtual phones' folder; NULL (after saying
 * why) when neither can be watched. */
SfDeviceMonitor  *sf_cli_start_monitor       (const SfCliPhoneOptions *o);

G_END_DECLS
