/* sf-preferences-window.c — the preferences window, and the app's settings
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "sf-preferences-window.h"

/* The two folder rows work the same way; these index them. */
typedef enum {
  FOLDER_BACKUP,
  FOLDER_READBACK,
  N_FOLDERS,
} Folder;

static const char * const folder_keys[N_FOLDERS] = { "backup-folder", "readback-folder" };

struct _SfPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  /* Template widgets */
  AdwPreferencesGroup  *flashing_group;
  GtkSwitch            *verify_switch;
  AdwComboRow          *usb_speed_row;
  AdwActionRow         *backup_row;
  GtkButton            *backup_reset_button;
  AdwActionRow         *readback_row;
  GtkButton            *readback_reset_button;

  /* NULL when the schema is not installed: the rows then keep their
   * values in these fields only. */
  GSettings            *settings;
  char                 *folders[N_FOLDERS];
  GtkNativeDialog      *chooser;
  Folder                chooser_folder;
};

G_DEFINE_FINAL_TYPE (SfPreferencesWindow, sf_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* ---- settings helpers shared by the pages -------------------------------- */

GSettings *
sf_gui_settings_new (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  /* No schema is normal for a build run from its tree: never abort. */
  if (source == NULL)
    return NULL;
  schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL) {
    g_debug ("settings schema %s is not installed: choices are not saved", APP_ID);
    return NULL;
  }
  return g_settings_new_full (schema, NULL, NULL);
}

gboolean
sf_gui_settings_has_key (GSettings  *settings,
                         const char *key)
{
  g_autoptr(GSettingsSchema) schema = NULL;

  if (settings == NULL)
    return FALSE;
  g_object_get (settings, "settings-schema", &schema, NULL);
  return schema != NULL && g_settings_schema_has_key (schema, key);
}

static char *
get_folder_setting (GSettings  *settings,
                    const char *key)
{
  g_autofree char *value = NULL;

  if (!sf_gui_settings_has_key (settings, key))
    return NULL;
  value = g_settings_get_string (settings, key);
  if (value == NULL || value[0] == '\0')
    return NULL;
  return g_steal_pointer (&value);
}

GFile *
sf_gui_default_readback_folder (GSettings *settings)
{
  g_autofree char *value = get_folder_setting (settings, "readback-folder");

  if (value != NULL)
    return g_file_new_for_path (value);
  /* Translators: the folder readback files go to by default, in the home folder */
  return g_file_new_build_filename (g_get_home_dir (), _("Scatterflash Readback"), NULL);
}

GFile *
sf_gui_default_backup_folder (GSettings *settings)
{
  g_autofree char *value = get_folder_setting (settings, "backup-folder");

  if (value != NULL)
    return g_file_new_for_path (value);
  /* The same default as SfFlashJob's. */
  return g_file_new_build_filename (g_get_user_data_dir (), "scatterflash", "backups", NULL);
}

char *
sf_gui_folder_display_name (GFile *folder)
{
  g_autoptr(GFile) home = g_file_new_for_path (g_get_home_dir ());
  g_autofree char *relative = NULL;

  g_return_val_if_fail (G_IS_FILE (folder), NULL);

  if (g_file_equal (folder, home))
    return g_strdup ("~");
  relative = g_file_get_relative_path (home, folder);
  if (relative != NULL)
    return g_build_filename ("~", relative, NULL);
  return g_file_get_parse_name (folder);
}

/* ---- the window ----------------------------------------------------------- */

static const char *
folder_value (SfPreferencesWindow *self,
              Folder               which)
{
  return self->folders[which] != NULL && self->folders[which][0] != '\0' ? self->folders[which] : NULL;
}

static void
show_folder (SfPreferencesWindow *self,
             Folder               which)
{
  AdwActionRow *row = which == FOLDER_BACKUP ? self->backup_row : self->readback_row;
  GtkButton *reset = which == FOLDER_BACKUP ? self->backup_reset_button : self->readback_reset_button;
  const char *value = folder_value (self, which);
  g_autoptr(GFile) folder = NULL;
  g_autofree char *name = NULL;
  g_autofree char *subtitle = NULL;

  if (value != NULL) {
    folder = g_file_new_for_path (value);
  } else if (which == FOLDER_BACKUP) {
    folder = sf_gui_default_backup_folder (NULL);
  } else {
    folder = sf_gui_default_readback_folder (NULL);
  }
  name = sf_gui_folder_display_name (folder);
  if (value != NULL)
    subtitle = g_markup_escape_text (name, -1);
  else
    /* Translators: %s is a folder, e.g. ~/.local/share/scatterflash/backups */
    subtitle = g_markup_printf_escaped (_("%s (default)"), name);
  adw_action_row_set_subtitle (row, subtitle);
  gtk_widget_set_tooltip_text (GTK_WIDGET (row), name);
  gtk_widget_set_sensitive (GTK_WIDGET (reset), value != NULL);
}

static void
load_folder (SfPreferencesWindow *self,
             Folder               which)
{
  if (sf_gui_settings_has_key (self->settings, folder_keys[which])) {
    g_free (self->folders[which]);
    self->folders[which] = g_settings_get_string (self->settings, folder_keys[which]);
  }
  show_folder (self, which);
}

static void
store_folder (SfPreferencesWindow *self,
              Folder               which,
              const char          *path)
{
  g_free (self->folders[which]);
  self->folders[which] = g_strdup (path != NULL ? path : "");
  /* "changed" comes back and shows it; without settings, show it here. */
  if (sf_gui_settings_has_key (self->settings, folder_keys[which]))
    g_settings_set_string (self->settings, folder_keys[which], self->folders[which]);
  show_folder (self, which);
}

static void
on_settings_changed (GSettings  *settings,
                     const char *key,
                     gpointer    user_data)
{
  SfPreferencesWindow *self = user_data;

  for (guint i = 0; i < N_FOLDERS; i++) {
    if (g_strcmp0 (key, folder_keys[i]) == 0)
      load_folder (self, i);
  }
}

static void
on_chooser_response (GtkNativeDialog *dialog,
                     int              response,
                     gpointer         user_data)
{
  SfPreferencesWindow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT) {
    g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
    g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

    /* A folder without a local path (a remote mount) cannot hold backups. */
    if (path != NULL)
      store_folder (self, self->chooser_folder, path);
  }
  gtk_native_dialog_destroy (dialog);
  g_clear_object (&self->chooser);
}

static void
choose_folder (SfPreferencesWindow *self,
               Folder               which)
{
  GtkFileChooserNative *chooser;
  const char *value = folder_value (self, which);

  if (self->chooser != NULL)
    return;
  chooser = gtk_file_chooser_native_new (which == FOLDER_BACKUP ? _("Calibration Backup Folder")
                                                                : _("Readback Folder"),
                                         GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                         _("_Select"), _("_Cancel"));
  if (value != NULL && g_file_test (value, G_FILE_TEST_IS_DIR)) {
    g_autoptr(GFile) current = g_file_new_for_path (value);

    gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), current, NULL);
  }
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_chooser_response), self);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  self->chooser_folder = which;
  gtk_native_dialog_show (self->chooser);
}

static void
on_backup_choose_clicked (SfPreferencesWindow *self)
{
  choose_folder (self, FOLDER_BACKUP);
}

static void
on_backup_reset_clicked (SfPreferencesWindow *self)
{
  store_folder (self, FOLDER_BACKUP, NULL);
}

static void
on_readback_choose_clicked (SfPreferencesWindow *self)
{
  choose_folder (self, FOLDER_READBACK);
}

static void
on_readback_reset_clicked (SfPreferencesWindow *self)
{
  store_folder (self, FOLDER_READBACK, NULL);
}

/* usb-speed "high"/"full" ↔ the combo row's position */
static gboolean
usb_speed_get_mapping (GValue   *value,
                       GVariant *variant,
                       gpointer  user_data)
{
  g_value_set_uint (value, g_strcmp0 (g_variant_get_string (variant, NULL), "full") == 0 ? 1 : 0);
  return TRUE;
}

static GVariant *
usb_speed_set_mapping (const GValue       *value,
                       const GVariantType *expected_type,
                       gpointer            user_data)
{
  return g_variant_new_string (g_value_get_uint (value) == 1 ? "full" : "high");
}

static void
sf_preferences_window_dispose (GObject *object)
{
  SfPreferencesWindow *self = SF_PREFERENCES_WINDOW (object);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);

  gtk_widget_dispose_template (GTK_WIDGET (self), SF_TYPE_PREFERENCES_WINDOW);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (sf_preferences_window_parent_class)->dispose (object);
}

static void
sf_preferences_window_finalize (GObject *object)
{
  SfPreferencesWindow *self = SF_PREFERENCES_WINDOW (object);

  for (guint i = 0; i < N_FOLDERS; i++)
    g_free (self->folders[i]);

  G_OBJECT_CLASS (sf_preferences_window_parent_class)->finalize (object);
}

static void
sf_preferences_window_class_init (SfPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sf_preferences_window_dispose;
  object_class->finalize = sf_preferences_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/Scatterflash/ui/sf-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SfPreferencesWindow, flashing_group);
  gtk_widget_class_bind_template_child (widget_class, SfPreferencesWindow, verify_switch);
  gtk_widget_class_bind_template_child (widget_class, SfPreferencesWindow, usb_speed_row);
  gtk_widget_class_bind_template_child (widget_class, SfPreferencesWindow, backup_row);
  gtk_widget_class_bind_template_child (widget_class, SfPreferencesWindow, backup_reset_button);
  gtk_widget_class_bind_template_child (widget_class, SfPreferencesWindow, readback_row);
  gtk_widget_class_bind_template_child (widget_class, SfPreferencesWindow, readback_reset_button);
  gtk_widget_class_bind_template_callback (widget_class, on_backup_choose_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_backup_reset_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_readback_choose_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_readback_reset_clicked);
}

static void
sf_preferences_window_init (SfPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = sf_gui_settings_new ();
  if (self->settings == NULL) {
    adw_preferences_group_set_description (self->flashing_group,
                                           _("These choices are not saved: the settings schema is not installed."));
  }

  if (sf_gui_settings_has_key (self->settings, "verify-after-write"))
    g_settings_bind (self->settings, "verify-after-write", self->verify_switch, "active",
                     G_SETTINGS_BIND_DEFAULT);
  if (sf_gui_settings_has_key (self->settings, "usb-speed"))
    g_settings_bind_with_mapping (self->settings, "usb-speed", self->usb_speed_row, "selected",
                                  G_SETTINGS_BIND_DEFAULT, usb_speed_get_mapping, usb_speed_set_mapping,
                                  NULL, NULL);
  if (self->settings != NULL)
    g_signal_connect (self->settings, "changed", G_CALLBACK (on_settings_changed), self);

  for (guint i = 0; i < N_FOLDERS; i++)
    load_folder (self, i);
}

GtkWidget *
sf_preferences_window_new (GtkWindow *parent)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  return g_object_new (SF_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       "application", parent != NULL ? gtk_window_get_application (parent) : NULL,
                       NULL);
}

gboolean
sf_preferences_window_is_saving (SfPreferencesWindow *self)
{
  g_return_val_if_fail (SF_IS_PREFERENCES_WINDOW (self), FALSE);
  return self->settings != NULL;
}
