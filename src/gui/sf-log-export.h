/* sf-log-export.h — Save Log: a log's text into a file the user chooses
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* The log's text when the user has chosen where it goes. (transfer full) */
typedef char *(*SfLogTextFunc) (GtkWidget *owner);

/* Asks where to save a log (a file chooser titled @title, the file named
 * after @name_format, a g_date_time_format() pattern such as
 * "scatterflash-%Y%m%d-%H%M%S.log") and writes what @get_text returns for
 * @owner then. Whether it worked goes to @toasts, else to the debug log.
 * @owner is kept alive until the file is written. */
void  sf_log_export_save  (GtkWidget       *owner,
                           AdwToastOverlay *toasts,
                           const char      *title,
                           const char      *name_format,
                           SfLogTextFunc    get_text);

G_END_DECLS
