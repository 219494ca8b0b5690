/* sf-readback-page.c — the Readback page: partitions of the phone into files
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n.h>

#include "sf-mtk.h"
#include "sf-plan.h"
#include "sf-preferences-window.h"
#include "sf-hex-field.h"
#include "sf-readback-page.h"

/* At most this many file names are listed in the "replace?" question. */
#define MAX_LISTED_FILES 8

/* ---- one partition of the list -------------------------------------------- */

/* A file-local model item: the page's rows, and what configure_job reads. */
#define SF_TYPE_READBACK_ITEM (sf_readback_item_get_type ())
G_DECLARE_FINAL_TYPE (SfReadbackItem, sf_readback_item, SF, READBACK_ITEM, GObject)

struct _SfReadbackItem
{
  GObject   parent_instance;

  char     *name;
  char     *region;     /* as the scatter says, or NULL */
  guint64   address;    /* scatter address, or user-area offset for a table entry */
  guint64   size;
  gboolean  enabled;
};

G_DEFINE_FINAL_TYPE (SfReadbackItem, sf_readback_item, G_TYPE_OBJECT)

enum {
  ITEM_PROP_0,
  ITEM_PROP_ENABLED,
  ITEM_N_PROPS
};

static GParamSpec *item_properties[ITEM_N_PROPS];

static void
sf_readback_item_set_enabled (SfReadbackItem *self,
                              gboolean        enabled)
{
  enabled = !!enabled;
  if (self->enabled == enabled)
    return;
  self->enabled = enabled;
  g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_ENABLED]);
}

static void
sf_readback_item_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  SfReadbackItem *self = SF_READBACK_ITEM (object);

  switch (prop_id) {
  case ITEM_PROP_ENABLED:
    g_value_set_boolean (value, self->enabled);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
sf_readback_item_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  SfReadbackItem *self = SF_READBACK_ITEM (object);

  switch (prop_id) {
  case ITEM_PROP_ENABLED:
    sf_readback_item_set_enabled (self, g_value_get_boolean (value));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
sf_readback_item_finalize (GObject *object)
{
  SfReadbackItem *self = SF_READBACK_ITEM (object);

  g_free (self->name);
  g_free (self->region);

  G_OBJECT_CLASS (sf_readback_item_parent_class)->finalize (object);
}

static void
sf_readback_item_class_init (SfReadbackItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = sf_readback_item_get_property;
  object_class->set_property = sf_readback_item_set_property;
  object_class->finalize = sf_readback_item_finalize;

  item_properties[ITEM_PROP_ENABLED] =
    g_param_spec_boolean ("enabled", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, ITEM_N_PROPS, item_properties);
}

static void
sf_readback_item_init (SfReadbackItem *self)
{
}

static SfReadbackItem *
sf_readback_item_new (const char *name,
                      const char *region,
                      guint64     address,
                      guint64     size)
{
  SfReadbackItem *self = g_object_new (SF_TYPE_READBACK_ITEM, NULL);

  self->name = g_strdup (name);
  self->region = g_strdup (region);
  self->address = address;
  self->size = size;
  return self;
}

/* ---- the page -------------------------------------------------------------- */

struct _SfReadbackPage
{
  AdwBin               parent_instance;

  /* Template widgets */
  GtkWidget           *content;
  AdwActionRow        *folder_row;
  AdwActionRow        *everything_row;
  GtkSwitch           *everything_switch;
  AdwPreferencesGroup *partitions_group;
  GtkStack            *partitions_stack;
  GtkListBox          *partition_list;
  AdwPreferencesGroup *range_group;
  GtkLabel            *summary_label;
  GtkSwitch           *range_switch;
  AdwComboRow         *range_region_row;
  AdwEntryRow         *range_begin_row;
  AdwEntryRow         *range_length_row;
  GtkLabel            *range_error_label;
  guint64              range_begin;
  guint64              range_length;
  char                *range_error;   /* NULL when the range is fine */

  GSettings           *settings;      /* NULL without the schema */
  SfFirmware          *firmware;
  SfPartitionTable       *table;
  GListStore          *items;         /* SfReadbackItem */
  gboolean             from_table;    /* items come from the phone's table */
  GFile               *folder;
  GFile               *backup_dir;    /* the last table backup folder configured */
  GHashTable          *confirmed;     /* paths the user agreed to replace */
  GtkNativeDialog     *chooser;
  GtkWidget           *dialog;        /* the "replace?" question (weak) */
  gboolean             busy;
};

G_DEFINE_FINAL_TYPE (SfReadbackPage, sf_readback_page, ADW_TYPE_BIN)

enum {
  SIGNAL_START,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
name_is_file_safe (const char *name)
{
  return name != NULL && name[0] != '\0' && name[0] != '.' && strchr (name, '/') == NULL &&
         strchr (name, '\\') == NULL;
}

static GFile *
item_file (SfReadbackPage *self,
           SfReadbackItem *item)
{
  g_autofree char *base = g_strconcat (item->name, ".bin", NULL);

  return g_file_get_child (self->folder, base);
}

static GPtrArray *
selected_items (SfReadbackPage *self)
{
  GPtrArray *selected = g_ptr_array_new_with_free_func (g_object_unref);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->items));

  for (guint i = 0; i < n; i++) {
    g_autoptr(SfReadbackItem) item = g_list_model_get_item (G_LIST_MODEL (self->items), i);

    if (item->enabled)
      g_ptr_array_add (selected, g_steal_pointer (&item));
  }
  return selected;
}

/* The address range to read as well (SP Flash Tool's readback): on, and
 * both fields fine. */
static gboolean
range_chosen (SfReadbackPage *self)
{
  return gtk_switch_get_active (self->range_switch) && self->range_error == NULL;
}

static void
validate_range (SfReadbackPage *self)
{
  const char *begin_text = gtk_editable_get_text (GTK_EDITABLE (self->range_begin_row));
  const char *length_text = gtk_editable_get_text (GTK_EDITABLE (self->range_length_row));
  gboolean on_length, length_empty, on = gtk_switch_get_active (self->range_switch);
  const char *problem;

  g_free (self->range_error);
  self->range_error = sf_hex_field_check_range (begin_text, length_text, _("how many bytes to read"),
                                                &self->range_begin, &self->range_length,
                                                &on_length, &length_empty);
  problem = on && !(on_length && length_empty) ? self->range_error : NULL;
  /* One label under the group for both fields: the one at fault is marked. */
  sf_hex_field_show_error (on_length ? self->range_begin_row : self->range_length_row, self->range_error_label,
                           NULL);
  sf_hex_field_show_error (on_length ? self->range_length_row : self->range_begin_row, self->range_error_label,
                           problem);
  gtk_widget_set_sensitive (GTK_WIDGET (self->range_region_row), on);
  gtk_widget_set_sensitive (GTK_WIDGET (self->range_begin_row), on);
  gtk_widget_set_sensitive (GTK_WIDGET (self->range_length_row), on);
}

/* Where the range goes: REGION_0xBEGIN_0xLENGTH.bin in the folder. */
static GFile *
range_file (SfReadbackPage *self)
{
  g_autofree char *base = g_strdup_printf ("%s_0x%" PRIx64 "_0x%" PRIx64 ".bin",
                                           sf_hex_field_region_name (adw_combo_row_get_selected (self->range_region_row)),
                                           self->range_begin, self->range_length);

  return g_file_get_child (self->folder, base);
}

static gboolean
everything_available (SfReadbackPage *self)
{
  return self->table != NULL || self->firmware == NULL;
}

static gboolean
everything_chosen (SfReadbackPage *self)
{
  return everything_available (self) && gtk_switch_get_active (self->everything_switch);
}

static void
update_state (SfReadbackPage *self)
{
  g_autoptr(GPtrArray) selected = selected_items (self);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->items));
  gboolean everything = everything_chosen (self);
  g_autofree char *summary = NULL;

  if (everything) {
    summary = g_strdup (_("The boot area and every partition of the phone’s own table"));
  } else if (n == 0) {
    summary = g_strdup ("");
  } else if (selected->len == 0) {
    summary = g_strdup (_("Tick the partitions to read back"));
  } else {
    guint64 total = 0;
    g_autofree char *size = NULL;

    for (guint i = 0; i < selected->len; i++)
      total += ((SfReadbackItem *) g_ptr_array_index (selected, i))->size;
    size = g_format_size_full (total, G_FORMAT_SIZE_IEC_UNITS);
    /* Translators: "3 of 20 partitions, 12.5 MiB" */
    summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u partition, %s", "%u of %u partitions, %s", n),
                               selected->len, n, size);
  }
  if (!everything && gtk_switch_get_active (self->range_switch)) {
    g_autofree char *with = NULL;

    if (self->range_error != NULL)
      with = g_strdup (self->range_error);
    else if (selected->len == 0)
      with = sf_readback_page_describe (self);
    else
      /* Translators: the partitions, then "and an address range" */
      with = g_strdup_printf (_("%s, and an address range"), summary);
    g_free (summary);
    summary = g_steal_pointer (&with);
  }
  gtk_label_set_text (self->summary_label, summary);

  gtk_widget_set_visible (GTK_WIDGET (self->everything_row), everything_available (self));
  gtk_widget_set_sensitive (GTK_WIDGET (self->partitions_group), !everything);
  gtk_widget_set_sensitive (GTK_WIDGET (self->range_group), !everything);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "readback.start",
                                 !self->busy && (everything || selected->len > 0 || range_chosen (self)));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "readback.select-all", !self->busy && n > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "readback.select-none", !self->busy && selected->len > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "readback.choose-folder", !self->busy);
}

static void
on_item_enabled_notify (SfReadbackPage *self)
{
  update_state (self);
}

static void
show_folder (SfReadbackPage *self)
{
  g_autofree char *name = sf_gui_folder_display_name (self->folder);
  g_autofree char *escaped = g_markup_escape_text (name, -1);

  adw_action_row_set_subtitle (self->folder_row, escaped);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->folder_row), name);
}

static GtkWidget *
create_row (gpointer item_ptr,
            gpointer user_data)
{
  SfReadbackItem *item = item_ptr;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *check = gtk_check_button_new ();
  g_autofree char *size = g_format_size_full (item->size, G_FORMAT_SIZE_IEC_UNITS);
  g_autofree char *subtitle = NULL;

  if (item->region != NULL && g_ascii_strcasecmp (item->region, "EMMC_USER") != 0)
    /* Translators: region, begin address and size of a partition */
    subtitle = g_strdup_printf (_("%s · 0x%08" PRIX64 " · %s"), item->region, item->address, size);
  else
    /* Translators: begin address and size of a partition */
    subtitle = g_strdup_printf (_("0x%08" PRIX64 " · %s"), item->address, size);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), item->name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL, item->name, -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
  g_object_bind_property (item, "enabled", check, "active", G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  return row;
}

static void
add_item (SfReadbackPage *self,
          SfReadbackItem *item)
{
  g_signal_connect_object (item, "notify::enabled", G_CALLBACK (on_item_enabled_notify), self,
                           G_CONNECT_SWAPPED);
  g_list_store_append (self->items, item);
}

static void
rebuild (SfReadbackPage *self)
{
  g_autoptr(GPtrArray) previous = selected_items (self);
  g_autofree char *description = NULL;

  g_list_store_remove_all (self->items);
  self->from_table = FALSE;

  if (self->firmware != NULL) {
    SfScatter *scatter = sf_firmware_get_scatter (self->firmware);
    SfLayout *layout = sf_scatter_get_layout (scatter, 0);
    g_autofree char *base = g_path_get_basename (sf_firmware_get_display_name (self->firmware));

    for (guint i = 0; layout != NULL && i < sf_layout_get_n_partitions (layout); i++) {
      SfPartition *p = sf_layout_get_partition (layout, i);
      g_autoptr(SfReadbackItem) item = NULL;

      /* Only what the scatter alone places: the rest only the phone knows. */
      if (!name_is_file_safe (p->name) || p->end_relative || p->size == 0)
        continue;
      item = sf_readback_item_new (p->name, p->region, p->start, p->size);
      add_item (self, item);
    }
    /* Translators: %s is the firmware's file or folder name */
    description = g_strdup_printf (_("Where the scatter file of %s places them. Each is saved as NAME.bin."), base);
  } else if (self->table != NULL && !sf_partition_table_is_empty (self->table)) {
    for (guint i = 0; i < sf_partition_table_get_n_entries (self->table); i++) {
      const SfPartitionTableEntry *e = sf_partition_table_get_entry (self->table, i);
      g_autoptr(SfReadbackItem) item = NULL;

      if (!name_is_file_safe (e->name) || e->size == 0)
        continue;
      item = sf_readback_item_new (e->name, "EMMC_USER", e->offset, e->size);
      add_item (self, item);
    }
    self->from_table = TRUE;
    description = g_strdup (_("Where the phone’s own partition table places them. Each is saved as NAME.bin."));
  }

  /* Keep what was ticked when the same names come back. */
  for (guint i = 0; i < previous->len; i++) {
    SfReadbackItem *old = g_ptr_array_index (previous, i);

    for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (self->items)); j++) {
      g_autoptr(SfReadbackItem) item = g_list_model_get_item (G_LIST_MODEL (self->items), j);

      if (g_ascii_strcasecmp (item->name, old->name) == 0)
        sf_readback_item_set_enabled (item, TRUE);
    }
  }

  adw_preferences_group_set_description (self->partitions_group, description);
  gtk_stack_set_visible_child_name (self->partitions_stack,
                                    g_list_model_get_n_items (G_LIST_MODEL (self->items)) > 0 ? "list" : "empty");
  if (!everything_available (self))
    gtk_switch_set_active (self->everything_switch, FALSE);
  update_state (self);
}

static void
set_all (SfReadbackPage *self,
         gboolean        enabled)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->items)); i++) {
    g_autoptr(SfReadbackItem) item = g_list_model_get_item (G_LIST_MODEL (self->items), i);

    sf_readback_item_set_enabled (item, enabled);
  }
}

static void
select_all_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  set_all (SF_READBACK_PAGE (widget), TRUE);
}

static void
select_none_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  set_all (SF_READBACK_PAGE (widget), FALSE);
}

static void
on_everything_active_notify (SfReadbackPage *self)
{
  update_state (self);
}

/* ---- the destination ------------------------------------------------------- */

static void
on_settings_changed (GSettings  *settings,
                     const char *key,
                     gpointer    user_data)
{
  SfReadbackPage *self = user_data;
  g_autoptr(GFile) folder = NULL;

  if (g_strcmp0 (key, "readback-folder") != 0)
    return;
  folder = sf_gui_default_readback_folder (self->settings);
  sf_readback_page_set_folder (self, folder);
}

static void
on_chooser_response (GtkNativeDialog *dialog,
                     int              response,
                     gpointer         user_data)
{
  SfReadbackPage *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT) {
    g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
    g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

    if (path != NULL) {
      sf_readback_page_set_folder (self, file);
      /* Remembered for next time (readback-folder is "the folder used last"). */
      if (sf_gui_settings_has_key (self->settings, "readback-folder"))
        g_settings_set_string (self->settings, "readback-folder", path);
    }
  }
  gtk_native_dialog_destroy (dialog);
  g_clear_object (&self->chooser);
}

static void
choose_folder_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  SfReadbackPage *self = SF_READBACK_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *chooser;

  if (self->chooser != NULL)
    return;
  chooser = gtk_file_chooser_native_new (_("Readback Folder"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Select"), _("_Cancel"));
  /* Only a stat: the folder may not exist yet. */
  if (g_file_query_file_type (self->folder, G_FILE_QUERY_INFO_NONE, NULL) == G_FILE_TYPE_DIRECTORY)
    gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), self->folder, NULL);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_chooser_response), self);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->chooser);
}

/* ---- starting --------------------------------------------------------------- */

/* The files of the ticked partitions that exist already. */
static GPtrArray *
existing_files (SfReadbackPage *self)
{
  g_autoptr(GPtrArray) selected = selected_items (self);
  GPtrArray *existing = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < selected->len; i++) {
    g_autoptr(GFile) file = item_file (self, g_ptr_array_index (selected, i));

    /* A few stats, no reading: fine on the main thread. */
    if (g_file_query_exists (file, NULL))
      g_ptr_array_add (existing, g_steal_pointer (&file));
  }
  if (range_chosen (self)) {
    g_autoptr(GFile) file = range_file (self);

    if (g_file_query_exists (file, NULL))
      g_ptr_array_add (existing, g_steal_pointer (&file));
  }
  return existing;
}

static void
on_replace_response (AdwMessageDialog *dialog,
                     const char       *response,
                     gpointer          user_data)
{
  SfReadbackPage *self = user_data;
  GPtrArray *files = g_object_get_data (G_OBJECT (dialog), "sf-files");

  if (g_strcmp0 (response, "replace") != 0)
    return;
  g_hash_table_remove_all (self->confirmed);
  for (guint i = 0; files != NULL && i < files->len; i++)
    g_hash_table_add (self->confirmed, g_file_get_path (g_ptr_array_index (files, i)));
  g_signal_emit (self, signals[SIGNAL_START], 0);
}

static void
ask_replace (SfReadbackPage *self,
             GPtrArray      *files)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autoptr(GString) body = g_string_new (NULL);
  g_autofree char *heading = NULL;
  g_autofree char *folder = sf_gui_folder_display_name (self->folder);
  GtkWidget *dialog;

  heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Replace %u Existing File?",
                                          "Replace %u Existing Files?", files->len),
                             files->len);
  /* Translators: %s is a folder */
  g_string_append_printf (body, g_dngettext (GETTEXT_PACKAGE,
                                             "This file in %s will be replaced by what is read from the phone:",
                                             "These files in %s will be replaced by what is read from the phone:",
                                             files->len),
                          folder);
  g_string_append_c (body, '\n');
  for (guint i = 0; i < files->len && i < MAX_LISTED_FILES; i++) {
    g_autofree char *base = g_file_get_basename (g_ptr_array_index (files, i));

    g_string_append_printf (body, "\n%s", base);
  }
  if (files->len > MAX_LISTED_FILES) {
    guint more = files->len - MAX_LISTED_FILES;

    g_string_append_c (body, '\n');
    g_string_append_printf (body, g_dngettext (GETTEXT_PACKAGE, "and %u more", "and %u more", more), more);
  }

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading, body->str);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "replace", _("_Replace"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "replace",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "sf-files", g_ptr_array_ref (files),
                          (GDestroyNotify) g_ptr_array_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_replace_response), self, 0);

  if (self->dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->dialog));
  g_set_weak_pointer (&self->dialog, dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
start_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  SfReadbackPage *self = SF_READBACK_PAGE (widget);
  g_autoptr(GPtrArray) existing = NULL;

  if (self->busy)
    return;
  g_hash_table_remove_all (self->confirmed);
  /* A table backup goes into a new folder: nothing can be replaced. */
  if (!everything_chosen (self)) {
    existing = existing_files (self);
    if (existing->len > 0) {
      ask_replace (self, existing);
      return;
    }
  }
  g_signal_emit (self, signals[SIGNAL_START], 0);
}

/* ---- GObject ---------------------------------------------------------------- */

static void
sf_readback_page_dispose (GObject *object)
{
  SfReadbackPage *self = SF_READBACK_PAGE (object);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  if (self->dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->dialog));
  g_clear_weak_pointer (&self->dialog);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);

  /* AdwBin would unparent its child after the template disposed it. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), SF_TYPE_READBACK_PAGE);

  g_clear_object (&self->settings);
  g_clear_object (&self->items);
  g_clear_object (&self->firmware);
  g_clear_pointer (&self->table, sf_partition_table_unref);
  g_clear_object (&self->folder);
  g_clear_object (&self->backup_dir);

  G_OBJECT_CLASS (sf_readback_page_parent_class)->dispose (object);
}

static void
sf_readback_page_finalize (GObject *object)
{
  SfReadbackPage *self = SF_READBACK_PAGE (object);

  g_free (self->range_error);
  g_clear_pointer (&self->confirmed, g_hash_table_unref);

  G_OBJECT_CLASS (sf_readback_page_parent_class)->finalize (object);
}

static void
sf_readback_page_class_init (SfReadbackPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sf_readback_page_dispose;
  object_class->finalize = sf_readback_page_finalize;

  /**
   * SfReadbackPage::start:
   *
   * The user pressed Read Back and agreed to replace any existing file.
   */
  signals[SIGNAL_START] = g_signal_new ("start", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/Scatterflash/ui/sf-readback-page.ui");
  gtk_widget_class_bind_template_child (widget_class, SfReadbackPage, content);
  gtk_widget_class_bind_template_child (widget_class, SfReadbackPage, folder_row);
  gtk_widget_class_bind_template_child (widget_class, SfReadbackPage, everything_row);
  gtk_widget_class_bind_template_child (widget_class, SfReadbackPage, everything_switch);
  gtk_widget_class_bind_template_child (widget_class, SfReadbackPage, partitions_group);
  gtk_widget_class_bind_template_child (widget_class, SfReadbackPage, partitions_stack);
  gtk_widget_class_bind_template_child (widget_class, SfReadbackPage, partition_list);
  gtk_widget_class_bind_template_child (widget_class, SfReadbackPage, summary_label);
  gtk_widget_class_bind_template_child (widget_class, SfReadbackPage, range_group);
  gtk_widget_class_bind_template_child (widget_class, SfReadbackPage, range_switch);
  gtk_widget_class_bind_template_child (widget_class, SfReadbackPage, range_region_row);
  gtk_widget_class_bind_template_child (widget_class, SfReadbackPage, range_begin_row);
  gtk_widget_class_bind_template_child (widget_class, SfReadbackPage, range_length_row);
  gtk_widget_class_bind_template_child (widget_class, SfReadbackPage, range_error_label);
  gtk_widget_class_bind_template_callback (widget_class, on_everything_active_notify);

  gtk_widget_class_install_action (widget_class, "readback.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "readback.select-all", NULL, select_all_action);
  gtk_widget_class_install_action (widget_class, "readback.select-none", NULL, select_none_action);
  gtk_widget_class_install_action (widget_class, "readback.choose-folder", NULL, choose_folder_action);
}

static void
on_range_changed (SfReadbackPage *self)
{
  validate_range (self);
  update_state (self);
}

static void
sf_readback_page_init (SfReadbackPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->items = g_list_store_new (SF_TYPE_READBACK_ITEM);
  self->confirmed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gtk_list_box_bind_model (self->partition_list, G_LIST_MODEL (self->items), create_row, NULL, NULL);

  self->settings = sf_gui_settings_new ();
  if (self->settings != NULL)
    g_signal_connect (self->settings, "changed", G_CALLBACK (on_settings_changed), self);
  self->folder = sf_gui_default_readback_folder (self->settings);
  show_folder (self);
  g_signal_connect_swapped (self->range_switch, "notify::active", G_CALLBACK (on_range_changed), self);
  g_signal_connect_swapped (self->range_region_row, "notify::selected", G_CALLBACK (on_range_changed), self);
  g_signal_connect_swapped (self->range_begin_row, "changed", G_CALLBACK (on_range_changed), self);
  g_signal_connect_swapped (self->range_length_row, "changed", G_CALLBACK (on_range_changed), self);
  validate_range (self);
  rebuild (self);
}

/* ---- public API ------------------------------------------------------------- */

SfReadbackPage *
sf_readback_page_new (void)
{
  return g_object_new (SF_TYPE_READBACK_PAGE, NULL);
}

void
sf_readback_page_set_firmware (SfReadbackPage *self,
                               SfFirmware     *firmware)
{
  g_return_if_fail (SF_IS_READBACK_PAGE (self));
  g_return_if_fail (firmware == NULL || SF_IS_FIRMWARE (firmware));

  if (g_set_object (&self->firmware, firmware))
    rebuild (self);
}

void
sf_readback_page_set_partition_table (SfReadbackPage *self,
                                   SfPartitionTable  *table)
{
  g_return_if_fail (SF_IS_READBACK_PAGE (self));

  if (table == self->table)
    return;
  if (table != NULL)
    sf_partition_table_ref (table);
  g_clear_pointer (&self->table, sf_partition_table_unref);
  self->table = table;
  rebuild (self);
}

void
sf_readback_page_set_busy (SfReadbackPage *self,
                           gboolean        busy)
{
  g_return_if_fail (SF_IS_READBACK_PAGE (self));

  self->busy = !!busy;
  gtk_widget_set_sensitive (self->content, !self->busy);
  update_state (self);
}

void
sf_readback_page_set_selected (SfReadbackPage     *self,
                               const char * const *names)
{
  g_return_if_fail (SF_IS_READBACK_PAGE (self));

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->items)); i++) {
    g_autoptr(SfReadbackItem) item = g_list_model_get_item (G_LIST_MODEL (self->items), i);
    gboolean ticked = FALSE;

    for (guint j = 0; names != NULL && names[j] != NULL; j++)
      ticked = ticked || g_ascii_strcasecmp (names[j], item->name) == 0;
    sf_readback_item_set_enabled (item, ticked);
  }
}

GStrv
sf_readback_page_get_selected (SfReadbackPage *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GPtrArray) selected = NULL;

  g_return_val_if_fail (SF_IS_READBACK_PAGE (self), NULL);

  selected = selected_items (self);
  for (guint i = 0; i < selected->len; i++)
    g_strv_builder_add (builder, ((SfReadbackItem *) g_ptr_array_index (selected, i))->name);
  return g_strv_builder_end (builder);
}

GStrv
sf_readback_page_get_partition_names (SfReadbackPage *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (SF_IS_READBACK_PAGE (self), NULL);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->items)); i++) {
    g_autoptr(SfReadbackItem) item = g_list_model_get_item (G_LIST_MODEL (self->items), i);

    g_strv_builder_add (builder, item->name);
  }
  return g_strv_builder_end (builder);
}

void
sf_readback_page_set_folder (SfReadbackPage *self,
                             GFile          *folder)
{
  g_return_if_fail (SF_IS_READBACK_PAGE (self));
  g_return_if_fail (G_IS_FILE (folder));

  if (g_file_equal (folder, self->folder))
    return;
  g_set_object (&self->folder, folder);
  /* An agreement to replace files was about the old folder. */
  g_hash_table_remove_all (self->confirmed);
  show_folder (self);
}

GFile *
sf_readback_page_get_folder (SfReadbackPage *self)
{
  g_return_val_if_fail (SF_IS_READBACK_PAGE (self), NULL);
  return self->folder;
}

void
sf_readback_page_set_back_up_everything (SfReadbackPage *self,
                                         gboolean        everything)
{
  g_return_if_fail (SF_IS_READBACK_PAGE (self));

  gtk_switch_set_active (self->everything_switch, everything && everything_available (self));
}

gboolean
sf_readback_page_get_back_up_everything (SfReadbackPage *self)
{
  g_return_val_if_fail (SF_IS_READBACK_PAGE (self), FALSE);
  return everything_chosen (self);
}

static gboolean
ensure_folder (GFile   *folder,
               GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *name = sf_gui_folder_display_name (folder);

  if (g_file_make_directory_with_parents (folder, NULL, &local_error))
    return TRUE;
  if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_EXISTS)) {
    /* Translators: %s is a folder, the second %s why it cannot be made */
    g_set_error (error, local_error->domain, local_error->code, _("Cannot make the folder %s: %s"),
                 name, local_error->message);
    return FALSE;
  }
  if (g_file_query_file_type (folder, G_FILE_QUERY_INFO_NONE, NULL) != G_FILE_TYPE_DIRECTORY) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY,
                 _("%s is not a folder: choose another destination"), name);
    return FALSE;
  }
  return TRUE;
}

static gboolean
configure_backup (SfReadbackPage  *self,
                  SfFlashJob      *job,
                  GError         **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%d %H.%M.%S");
  /* Translators: the folder of a whole-phone backup; %s is the date and time */
  g_autofree char *base = g_strdup_printf (_("Phone Backup %s"), stamp);
  g_autoptr(GFile) dir = g_file_get_child (self->folder, base);
  g_autoptr(GError) local_error = NULL;

  if (!ensure_folder (self->folder, error))
    return FALSE;
  /* A new folder: a backup never replaces files. */
  if (!g_file_make_directory (dir, NULL, &local_error)) {
    g_autofree char *name = sf_gui_folder_display_name (dir);

    g_set_error (error, local_error->domain, local_error->code, _("Cannot make the folder %s: %s"),
                 name, local_error->message);
    return FALSE;
  }
  sf_flash_job_set_table_backup (job, dir);
  g_set_object (&self->backup_dir, dir);
  return TRUE;
}

gboolean
sf_readback_page_configure_job (SfReadbackPage  *self,
                                SfFlashJob      *job,
                                GError         **error)
{
  g_autoptr(GPtrArray) selected = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(SfPlan) plan = NULL;

  g_return_val_if_fail (SF_IS_READBACK_PAGE (self), FALSE);
  g_return_val_if_fail (job != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_clear_object (&self->backup_dir);
  if (everything_chosen (self))
    return configure_backup (self, job, error);

  selected = selected_items (self);
  if (gtk_switch_get_active (self->range_switch) && self->range_error != NULL) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, self->range_error);
    return FALSE;
  }
  if (selected->len == 0 && !range_chosen (self)) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                         _("Tick at least one partition to read back, or give an address range"));
    return FALSE;
  }
  if (range_chosen (self)) {
    g_autoptr(GFile) file = range_file (self);
    g_autofree char *path = g_file_get_path (file);

    if (g_file_query_exists (file, NULL) && (path == NULL || !g_hash_table_contains (self->confirmed, path))) {
      g_autofree char *name = sf_gui_folder_display_name (file);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("%s exists already: choose another folder, or agree to replace it"), name);
      return FALSE;
    }
  }

  /* Never overwrite silently: only files the user agreed to replace. */
  for (guint i = 0; i < selected->len; i++) {
    g_autoptr(GFile) file = item_file (self, g_ptr_array_index (selected, i));
    g_autofree char *path = g_file_get_path (file);

    if (g_file_query_exists (file, NULL) && (path == NULL || !g_hash_table_contains (self->confirmed, path))) {
      g_autofree char *name = sf_gui_folder_display_name (file);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("%s exists already: choose another folder, or agree to replace it"), name);
      return FALSE;
    }
  }
  if (!ensure_folder (self->folder, error))
    return FALSE;

  names = g_ptr_array_new ();
  for (guint i = 0; i < selected->len; i++)
    g_ptr_array_add (names, ((SfReadbackItem *) g_ptr_array_index (selected, i))->name);
  g_ptr_array_add (names, NULL);

  if (!self->from_table && selected->len > 0) {
    /* As `scatterflash-cli readback --partition`: a Readback plan names the
     * partitions, and each gets its file. */
    plan = sf_plan_new (self->firmware, NULL, SF_SCENE_READBACK, (const char * const *) names->pdata, error);
    if (plan == NULL)
      return FALSE;
    sf_flash_job_set_plan (job, plan);
  }
  for (guint i = 0; i < selected->len; i++) {
    SfReadbackItem *item = g_ptr_array_index (selected, i);
    g_autoptr(GFile) file = item_file (self, item);

    if (self->from_table)
      /* No scatter: the phone's table says where, in the user area. */
      sf_flash_job_add_read (job, SF_EMMC_PART_USER, item->address, item->size, file);
    else
      sf_flash_job_set_readback_file (job, item->name, file);
  }
  if (range_chosen (self)) {
    g_autoptr(GFile) file = range_file (self);

    /* As `scatterflash-cli readback --region --start --length`. */
    sf_flash_job_add_read (job, sf_hex_field_region_part (adw_combo_row_get_selected (self->range_region_row)),
                           self->range_begin, self->range_length, file);
  }
  /* The files checked above are new, or ones the user agreed to replace. */
  sf_flash_job_set_force_output (job, g_hash_table_size (self->confirmed) > 0);
  g_hash_table_remove_all (self->confirmed);
  return TRUE;
}

GFile *
sf_readback_page_get_output_folder (SfReadbackPage *self)
{
  g_return_val_if_fail (SF_IS_READBACK_PAGE (self), NULL);
  return self->backup_dir != NULL ? self->backup_dir : self->folder;
}

char *
sf_readback_page_describe (SfReadbackPage *self)
{
  g_autoptr(GPtrArray) selected = NULL;
  g_autofree char *folder = NULL;

  g_return_val_if_fail (SF_IS_READBACK_PAGE (self), NULL);

  if (everything_chosen (self)) {
    if (self->backup_dir != NULL) {
      folder = sf_gui_folder_display_name (self->backup_dir);
      /* Translators: %s is a folder */
      return g_strdup_printf (_("Backing up the whole phone into %s"), folder);
    }
    folder = sf_gui_folder_display_name (self->folder);
    /* Translators: %s is a folder */
    return g_strdup_printf (_("Backing up the whole phone into a new folder in %s"), folder);
  }

  selected = selected_items (self);
  folder = sf_gui_folder_display_name (self->folder);
  if (selected->len == 0 && range_chosen (self))
    /* Translators: a region, a begin address, a length, then a folder */
    return g_strdup_printf (_("Reading back %s 0x%" PRIx64 " + 0x%" PRIx64 " into %s"),
                            sf_hex_field_region_name (adw_combo_row_get_selected (self->range_region_row)),
                            self->range_begin, self->range_length, folder);
  if (selected->len == 1)
    /* Translators: a partition name, then a folder */
    return g_strdup_printf (_("Reading back %s into %s"),
                            ((SfReadbackItem *) g_ptr_array_index (selected, 0))->name, folder);
  /* Translators: a number of partitions, then a folder */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Reading back %u partition into %s",
                                       "Reading back %u partitions into %s", selected->len),
                          selected->len, folder);
}

void
sf_readback_page_set_range (SfReadbackPage *self,
                            guint           part,
                            const char     *begin,
                            const char     *length)
{
  g_return_if_fail (SF_IS_READBACK_PAGE (self));

  for (guint i = 0; i < SF_HEX_FIELD_N_REGIONS; i++) {
    if (sf_hex_field_region_part (i) == part)
      adw_combo_row_set_selected (self->range_region_row, i);
  }
  gtk_editable_set_text (GTK_EDITABLE (self->range_begin_row), begin != NULL ? begin : "");
  gtk_editable_set_text (GTK_EDITABLE (self->range_length_row), length != NULL ? length : "");
  gtk_switch_set_active (self->range_switch, begin != NULL);
  validate_range (self);
  update_state (self);
}

const char *
sf_readback_page_get_range_error (SfReadbackPage *self)
{
  g_return_val_if_fail (SF_IS_READBACK_PAGE (self), NULL);
  return gtk_switch_get_active (self->range_switch) ? self->range_error : NULL;
}
