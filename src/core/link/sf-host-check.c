/* sf-host-check.c — what on this Linux machine will get in the way of flashing, and the one command that fixes it
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * scenes.md §7: ModemManager probes every new ttyACM, brltty grabs
 * USB serial adapters, and without a udev rule the nodes are root's. We
 * say so before the first phone arrives, with the command that fixes it,
 * instead of failing later with a timeout.
 */

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <string.h>
#include <unistd.h>

#include "sf-host-check.h"

/* Where udev reads rules (udev(7)); /usr/local is not one of them. */
static const char * const default_rules_dirs[] = {
  "/etc/udev/rules.d",
  "/run/udev/rules.d",
  "/usr/lib/udev/rules.d",
  "/lib/udev/rules.d",
  NULL
};

void
sf_host_problem_free (SfHostProblem *problem)
{
  if (problem == NULL)
    return;
  g_free (problem->message);
  g_free (problem->command);
  g_free (problem);
}

static SfHostProblem *
problem_new (SfHostProblemKind  kind,
             gboolean           fatal,
             char              *message,
             char              *command)
{
  SfHostProblem *p = g_new0 (SfHostProblem, 1);

  p->kind = kind;
  p->fatal = fatal;
  p->message = message;
  p->command = command;
  return p;
}

gboolean
sf_host_process_running (const char *proc_root,
                         const char *comm)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_return_val_if_fail (comm != NULL, FALSE);

  if (proc_root == NULL)
    proc_root = "/proc";
  dir = g_dir_open (proc_root, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *path = NULL;
    g_autofree char *text = NULL;

    if (!g_ascii_isdigit (name[0]))
      continue;
    path = g_build_filename (proc_root, name, "comm", NULL);
    if (g_file_get_contents (path, &text, NULL, NULL) && g_strcmp0 (g_strstrip (text), comm) == 0)
      return TRUE;
  }
  return FALSE;
}

char *
sf_host_find_rules_file (void)
{
  g_autofree char *installed = g_build_filename (SF_UDEV_RULES_DIR, SF_UDEV_RULES_NAME, NULL);
  g_autofree char *source = g_build_filename (SF_SOURCE_DIR, "data", "udev", SF_UDEV_RULES_NAME, NULL);

  if (!g_file_test (installed, G_FILE_TEST_IS_REGULAR) && g_file_test (source, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&source);
  return g_steal_pointer (&installed);
}

char *
sf_host_install_rule_command (const char *rules_file)
{
  g_autofree char *file = rules_file != NULL ? g_strdup (rules_file) : sf_host_find_rules_file ();
  g_autofree char *quoted = NULL;

  /* Quotes only where the shell needs them: the command is for people. */
  for (const char *p = file; *p != '\0' && quoted == NULL; p++) {
    if (!g_ascii_isalnum (*p) && strchr ("/._+-", *p) == NULL)
      quoted = g_shell_quote (file);
  }
  if (quoted == NULL)
    quoted = g_strdup (file);

  return g_strdup_printf ("sudo cp %s /etc/udev/rules.d/ && sudo udevadm control --reload", quoted);
}

static gboolean
rule_installed (const SfHostCheckOptions *o)
{
  const char * const *dirs = o->rules_dirs != NULL ? o->rules_dirs : default_rules_dirs;

  for (guint i = 0; dirs[i] != NULL; i++) {
    g_autofree char *path = g_build_filename (dirs[i], SF_UDEV_RULES_NAME, NULL);

    if (g_file_test (path, G_FILE_TEST_EXISTS))
      return TRUE;
  }
  return FALSE;
}

static const char *
remove_brltty_command (void)
{
  if (g_file_test ("/usr/bin/apt", G_FILE_TEST_IS_EXECUTABLE))
    return "sudo apt remove brltty";
  if (g_file_test ("/usr/bin/dnf", G_FILE_TEST_IS_EXECUTABLE))
    return "sudo dnf remove brltty";
  if (g_file_test ("/usr/bin/pacman", G_FILE_TEST_IS_EXECUTABLE))
    return "sudo pacman -R brltty";
  if (g_file_test ("/usr/bin/zypper", G_FILE_TEST_IS_EXECUTABLE))
    return "sudo zypper remove brltty";
  return "sudo systemctl disable --now brltty.service brltty-udev.service";
}

/**
 * sf_host_check_system:
 * @options: (nullable): where to look; %NULL for this machine
 *
 * Returns: (transfer full): the problems found, the most important first.
 */
GPtrArray *
sf_host_check_system (const SfHostCheckOptions *options)
{
  SfHostCheckOptions o = { 0 };
  GPtrArray *problems = g_ptr_array_new_with_free_func ((GDestroyNotify) sf_host_problem_free);
  gboolean have_rule;
  gboolean as_root;

  if (options != NULL)
    o = *options;
  have_rule = rule_installed (&o);
  as_root = geteuid () == 0 && !o.as_user;

  /* Our rule sets ID_MM_DEVICE_IGNORE, which ModemManager ≥ 1.12 obeys. */
  if (!have_rule && sf_host_process_running (o.proc_root, "ModemManager"))
    g_ptr_array_add (problems,
                     problem_new (SF_HOST_PROBLEM_MODEM_MANAGER, FALSE,
                                  g_strdup (_("ModemManager is running: it sends AT commands to every new "
                                              "serial port, which breaks the phone's handshake")),
                                  g_strdup ("sudo systemctl disable --now ModemManager.service")));

  if (!have_rule && !as_root)
    g_ptr_array_add (problems,
                     problem_new (SF_HOST_PROBLEM_NO_UDEV_RULE, FALSE,
                                  g_strdup (_("Scatterflash's udev rule is not installed: without it only root "
                                              "may open the phone's port, and ModemManager probes it")),
                                  sf_host_install_rule_command (o.rules_file)));

  if (sf_host_process_running (o.proc_root, "brltty"))
    g_ptr_array_add (problems,
                     problem_new (SF_HOST_PROBLEM_BRLTTY, FALSE,
                                  g_strdup (_("brltty (a Braille display service) is running: it takes over "
                                              "USB serial adapters, so a UART cable disconnects at once")),
                                  g_strdup (remove_brltty_command ())));
  return problems;
}

static gboolean
may_open (const char *path,
          int        *out_errno)
{
  if (access (path, R_OK | W_OK) == 0)
    return TRUE;
  *out_errno = errno;
  return FALSE;
}

/**
 * sf_host_check_device:
 *
 * Returns: (transfer full) (nullable): %NULL when we may open the phone's
 *   tty or its raw USB node (or when neither exists yet to look at).
 */
SfHostProblem *
sf_host_check_device (SfUsbDevice              *device,
                      const SfHostCheckOptions *options)
{
  SfHostCheckOptions o = { 0 };
  g_autofree char *node = NULL;
  g_autofree char *what = NULL;
  const char *tty;
  int tty_errno = 0, node_errno = 0;
  gboolean tty_ok, node_ok;

  g_return_val_if_fail (SF_IS_USB_DEVICE (device), NULL);

  if (options != NULL)
    o = *options;
  tty = sf_usb_device_get_tty_path (device);
  node = sf_usb_device_dup_node_path (device);
  tty_ok = tty != NULL && may_open (tty, &tty_errno);
  node_ok = node != NULL && may_open (node, &node_errno);
  if (tty_ok || node_ok)
    return NULL;
  /* Nodes that are not there (yet) say nothing about permissions. */
  if ((tty == NULL || tty_errno == ENOENT) && (node == NULL || node_errno == ENOENT))
    return NULL;

  what = g_strdup_printf (_("you may not open the phone's port (%s) nor its USB device (%s)"),
                          tty != NULL ? tty : _("no tty"), node != NULL ? node : "?");
  if (rule_installed (&o))
    /* The rule is there but gives this login nothing: not at the seat (an
     * SSH session, a kiosk user). */
    return problem_new (SF_HOST_PROBLEM_NO_PERMISSION, TRUE,
                        g_strdup_printf (_("%s, although the udev rule is installed: log in at the "
                                           "machine itself, or join the dialout group and log in again"), what),
                        g_strdup ("sudo usermod -aG dialout \"$USER\""));
  return problem_new (SF_HOST_PROBLEM_NO_PERMISSION, TRUE,
                      g_strdup_printf (_("%s: install Scatterflash's udev rule, then unplug the phone "
                                         "and plug it in again"), what),
                      sf_host_install_rule_command (o.rules_file));
}
