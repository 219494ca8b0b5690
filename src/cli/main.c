/* main.c — scatterflash-cli: the Scatterflash core for scripts and repair shops
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "sf-cli-common.h"

static const struct {
  const char   *name;
  SfCliCommand  run;
  const char   *summary;
} commands[] = {
  { "scatter", sf_cli_scatter, N_("Print the partition map of a scatter file, firmware folder or archive") },
  { "plan", sf_cli_plan, N_("Print what a download scene would do, step by step, with byte counts") },
  { "info", sf_cli_info, N_("Say what the connected phone is: chip, mode, storage sizes") },
  { "download", sf_cli_download, N_("Write a firmware to a phone") },
  { "readback", sf_cli_readback, N_("Read a partition of a phone into a file") },
  { "format", sf_cli_format, N_("Erase partitions, a range, or the whole flash of a phone") },
  { "backup", sf_cli_backup, N_("Read every partition of a phone into a folder that can be restored") },
  { "restore", sf_cli_restore, N_("Write a folder made by backup back to a phone") },
  { "da", sf_cli_da, N_("Show what a download agent (DA) file holds") },
  { "devices", sf_cli_devices, N_("List the connected phones, and what on this computer is in the way of flashing") },
};

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n\n", _("Usage: scatterflash-cli COMMAND [OPTIONS] [ARGS]"));
  fprintf (out, "%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (out, "\n%s\n", _("Run “scatterflash-cli COMMAND --help” for the options of a command."));
  fprintf (out, "%s\n", _("Exit status: 0 success, 1 the operation failed, 2 bad input or usage, 130 Ctrl-C."));
  fprintf (out, "%s\n", _("Without --port, a command waits for the phone: start it, then plug the phone in (switched off)."));
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  /* SCATTERFLASH_LOCALEDIR: the catalogs of a build that is not installed
   * (the tests, the screenshots of each language). */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("SCATTERFLASH_LOCALEDIR") ? g_getenv ("SCATTERFLASH_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc < 2) {
    print_usage (stderr);
    return SF_EXIT_USAGE;
  }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 || strcmp (argv[1], "help") == 0) {
    print_usage (stdout);
    return SF_EXIT_OK;
  }
  if (strcmp (argv[1], "--version") == 0) {
    g_print ("scatterflash-cli %s\n", PACKAGE_VERSION);
    return SF_EXIT_OK;
  }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++) {
    if (strcmp (argv[1], commands[i].name) == 0) {
      g_autofree char *prgname = g_strdup_printf ("scatterflash-cli %s", commands[i].name);

      /* What each command's --help shows after "Usage:". */
      g_set_prgname (prgname);
      return commands[i].run (argc - 1, argv + 1);
    }
  }

  g_printerr (_("scatterflash-cli: unknown command “%s”\n"), argv[1]);
  print_usage (stderr);
  return SF_EXIT_USAGE;
}
