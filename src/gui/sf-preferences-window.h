/* sf-preferences-window.h — the preferences window, and the app's settings
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SF_TYPE_PREFERENCES_WINDOW (sf_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (SfPreferencesWindow, sf_preferences_window, SF, PREFERENCES_WINDOW, AdwPreferencesWindow)

/* @parent: (nullable): the window it is transient for. */
GtkWidget  *sf_preferences_window_new        (GtkWindow  *parent) G_GNUC_WARN_UNUSED_RESULT;
/* Whether the choices made here are saved (the schema is installed). */
gboolean    sf_preferences_window_is_saving  (SfPreferencesWindow *self);

/* The app's settings (schema APP_ID), or NULL when the schema is not
 * installed (an uninstalled build): callers then use the defaults and save
 * nothing. (transfer full) (nullable) */
GSettings  *sf_gui_settings_new              (void) G_GNUC_WARN_UNUSED_RESULT;
/* Whether @settings (nullable) has @key: an older schema may lack one. */
gboolean    sf_gui_settings_has_key          (GSettings  *settings,
                                              const char *key);
/* Where readback files go: the `readback-folder` setting when set, else
 * ~/Scatterflash Readback. @settings: (nullable). (transfer full) */
GFile      *sf_gui_default_readback_folder   (GSettings  *settings) G_GNUC_WARN_UNUSED_RESULT;
/* Where calibration backups go: the `backup-folder` setting when set,
 * else $XDG_DATA_HOME/scatterflash/backups. (transfer full) */
GFile      *sf_gui_default_backup_folder     (GSettings  *settings) G_GNUC_WARN_UNUSED_RESULT;
/* A folder as the user reads it: "~/Backups" for a folder under home. */
char       *sf_gui_folder_display_name       (GFile      *folder) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
