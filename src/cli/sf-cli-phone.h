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

/* --port, --virtual-dir, --da, --mode, --json, --dry-run */
typedef struct {
  char      *port;          /* a path, or "auto" (the default) */
  char      *virtual_dir;   /* also SCATTERFLASH_VIRTUAL_DIR */
  char      *da;
  char      *mode;
  char      *emi_from;      /* --emi-from: DRAM settings for a BootROM phone */
  gboolean   json;
  gboolean   dry_run;
  GObject   *monitor;       /* --port auto: kept until the command ends */
} SfCliPhoneOptions;

void   sf_cli_phone_options_clear  (SfCliPhoneOptions        *o);
/* Hands --emi-from to @job. */
void   sf_cli_apply_emi_from       (SfFlashJob               *job,
                                    const SfCliPhoneOptions  *o);
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
/* --port auto (the default): prints what on this machine will get in the
 * way, waits for the first phone to arrive (saying so on stderr, and
 * telling the user to switch off a phone that runs Android), waits for its
 * port, and replaces o->port with it; *mode becomes the phone's mode unless
 * --mode was given. With an explicit --port it only prints the warnings.
 * 0 when fine, else the exit status (1: no phone or no access, 130: Ctrl-C). */
int    sf_cli_resolve_port         (SfCliPhoneOptions        *o,
                                    SfBromMode               *mode);
/* What `download --watch` does with every phone (sf-cli-watch.c). */
typedef struct {
  SfDaFile  *da_file;
  SfPlan    *plan;
  SfBromMode mode;
  gboolean   mode_given;
  gboolean   verify;
  gboolean   restore;
  gboolean   force_preloader;
  GFile     *backup_dir;
  guint      count;         /* stop after this many phones; 0: until Ctrl-C */
} SfCliWatchJob;
/* `download --watch`: flashes every phone that arrives, one worker each,
 * until Ctrl-C (or @job->count phones). The exit status. */
int    sf_cli_download_watch       (const SfCliPhoneOptions  *o,
                                    const SfCliWatchJob      *job);
/* The folder virtual phones announce themselves in: --virtual-dir, else
 * $SCATTERFLASH_VIRTUAL_DIR, else NULL. */
const char *sf_cli_virtual_dir     (const SfCliPhoneOptions  *o);

/* The job every phone command starts from: waits for the phone (or takes
 * --port, sf_cli_resolve_port()), then a job on its port with @da_file,
 * the DRAM settings of --emi-from and the handshake @mode (the phone's
 * own unless --mode was given). The exit status; *out_job is set on 0. */
int    sf_cli_new_phone_job        (SfCliPhoneOptions        *o,
                                    SfDaFile                 *da_file,
                                    SfBromMode                mode,
                                    SfFlashJob              **out_job);
/* Runs @job (transfer full) on a worker; the exit status. */
int    sf_cli_run_job              (SfFlashJob               *job,
                                    gboolean                  json,
                                    SfDeviceInfo            **out_device);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SfCliPhoneOptions, sf_cli_phone_options_clear)

G_END_DECLS
