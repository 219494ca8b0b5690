/* sf-host-check.h — what on this Linux machine will get in the way of flashing, and the one command that fixes it
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "sf-usb-device.h"

G_BEGIN_DECLS

#define SF_UDEV_RULES_NAME "60-scatterflash.rules"

typedef enum {
  SF_HOST_PROBLEM_MODEM_MANAGER,  /* probes every new ttyACM with AT commands */
  SF_HOST_PROBLEM_BRLTTY,         /* grabs USB serial adapters (UART cables) */
  SF_HOST_PROBLEM_NO_UDEV_RULE,   /* our rule is not where udev reads rules */
  SF_HOST_PROBLEM_NO_PERMISSION,  /* we may not open the phone's nodes */
} SfHostProblemKind;

/**
 * SfHostProblem:
 * @fatal: nothing will work until it is fixed (else a warning)
 * @message: one translated sentence: what is wrong and what it breaks
 * @command: the one shell command that fixes it
 */
typedef struct {
  SfHostProblemKind  kind;
  gboolean           fatal;
  char              *message;
  char              *command;
} SfHostProblem;

void            sf_host_problem_free       (SfHostProblem  *problem);

/* Where to look; every field may be NULL for the real system. */
typedef struct {
  const char          *proc_root;    /* "/proc" */
  const char * const  *rules_dirs;   /* where udev reads rules */
  const char          *rules_file;   /* our rule file, to copy from */
  gboolean             as_user;      /* check as a normal user even when root */
} SfHostCheckOptions;

/* ModemManager or brltty running, our udev rule missing.
 * Returns: (transfer full) (element-type SfHostProblem): possibly empty. */
GPtrArray      *sf_host_check_system       (const SfHostCheckOptions  *options) G_GNUC_WARN_UNUSED_RESULT;
/* Whether we may open @device's tty or raw USB node (/dev/bus/usb/BBB/DDD).
 * Returns: (transfer full) (nullable): the fatal problem, or %NULL. */
SfHostProblem  *sf_host_check_device       (SfUsbDevice               *device,
                                            const SfHostCheckOptions  *options) G_GNUC_WARN_UNUSED_RESULT;
/* TRUE when a process named @comm runs (looks at PROC/NNN/comm). */
gboolean        sf_host_process_running    (const char                *proc_root,
                                            const char                *comm);
/* The rule file shipped with this build: the installed one, else the one
 * in the source tree (running from the build folder). */
char           *sf_host_find_rules_file    (void) G_GNUC_WARN_UNUSED_RESULT;
/* "sudo cp FILE /etc/udev/rules.d/ && sudo udevadm control --reload" */
char           *sf_host_install_rule_command (const char              *rules_file) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SfHostProblem, sf_host_problem_free)

G_END_DECLS
