/* sf-cli-phone.h — what every command that talks to a phone shares
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sf-da-file.h"
#include "sf-firmware.h"
#include "sf-flash-job.h"
#include "sf-plan.h"

G_BEGIN_DECLS

/* --port, --da, --mode, --json, --dry-run */
typedef struct {
  char      *port;
  char      *da;
  char      *mode;
  gboolean   json;
  gboolean   dry_run;
} SfCliPhoneOptions;

void   sf_cli_phone_options_clear  (SfCliPhoneOptions        *o);
void   sf_cli_add_phone_entries    (GOptionContext           *context,
                                    SfCliPhoneOptions        *o);
/* Adds @entries (nullable) and the phone options to @context, parses the
 * command line and checks the phone options: 0 when fine, else the exit
 * status. */
int    sf_cli_parse_phone_command  (GOptionContext           *context,
                                    const char               *command,
                                    const GOptionEntry       *entries,
                                    SfCliPhoneOptions        *o,
                                    int                      *argc,
                                    char                   ***argv,
                                    SfBromMode               *mode);
/* 0 when fine, else the usage error's exit status. */
int    sf_cli_check_phone_options  (const char               *command,
                                    const SfCliPhoneOptions  *o,
                                    SfBromMode               *mode);
/* --da when given; else the DA that ships with @firmware (nullable); else
 * the bundled one. 0 when fine, else the exit status (2: a bad DA file). */
int    sf_cli_choose_da            (const SfCliPhoneOptions  *o,
                                    SfFirmware               *firmware,
                                    SfDaFile                **out);
/* --dry-run: prints @plan and/or @what, touches nothing; returns 0. */
int    sf_cli_print_dry_run        (const SfCliPhoneOptions  *o,
                                    SfPlan                   *plan,
                                    const char               *what);
/* Runs @job (transfer full) on a worker; the exit status. */
int    sf_cli_run_job              (SfFlashJob               *job,
                                    gboolean                  json,
                                    SfDeviceInfo            **out_device);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SfCliPhoneOptions, sf_cli_phone_options_clear)

G_END_DECLS
