/* main.c — the scatterflash desktop app
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "sf-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(SfApplication) app = NULL;

  /* SCATTERFLASH_LOCALEDIR: the catalogs of a build that is not installed
   * (the tests, the screenshots of each language). */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("SCATTERFLASH_LOCALEDIR") ? g_getenv ("SCATTERFLASH_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = sf_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
