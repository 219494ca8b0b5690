/* sf-test-gui.h — what the GUI tests share: the main loop, the style,
 * screenshots
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <check.h>

G_BEGIN_DECLS

/* GTK and libadwaita, animations off (screenshots show pages, not
 * transitions), and the app's style sheet (an AdwApplication would load
 * it). FALSE without a display: the test is then skipped. */
gboolean  sf_test_gui_init          (void);
/* Runs the main loop until @done says so, or @timeout_ms passes. */
gboolean  sf_test_gui_iterate_until (gboolean   (*done) (gpointer),
                                     gpointer     data,
                                     guint        timeout_ms);
/* Runs the main loop for @ms. */
void      sf_test_gui_settle        (guint        ms);
void      sf_test_gui_set_dark      (gboolean     dark);
/* With SF_SCREENSHOT_DIR set, saves what @widget shows there as
 * NAME-light.png or NAME-dark.png (by the current style). */
void      sf_test_gui_screenshot    (GtkWidget   *widget,
                                     const char  *name);

/* The first widget under @root (itself included, depth first) that @match
 * says yes to, or NULL. (transfer none) */
GtkWidget *sf_test_gui_find_widget  (GtkWidget   *root,
                                     gboolean   (*match) (GtkWidget *, gconstpointer),
                                     gconstpointer data);
/* The row (AdwPreferencesRow) titled @title under @root, or NULL. */
GtkWidget *sf_test_gui_find_row     (GtkWidget   *root,
                                     const char  *title);
/* A visible window of @type (a dialog, say), or NULL. (transfer none) */
GtkWidget *sf_test_gui_find_window  (GType        type);
/* The file chooser a Save or Open button opened (GtkFileChooserNative's
 * own dialog, as without a portal): chooses @file in it and presses its
 * accept button. FALSE when no chooser opened within @timeout_ms. */
gboolean  sf_test_gui_choose_file   (GFile       *file,
                                     guint        timeout_ms);

G_END_DECLS
