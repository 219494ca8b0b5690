/* sf-window-columns.c — the window's partition list: ticks, addresses, images
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n.h>

#include "sf-error.h"
#include "sf-firmware-check.h"
#include "sf-window-private.h"

typedef enum {
  COLUMN_NAME,
  COLUMN_BEGIN,
  COLUMN_END,
  COLUMN_REGION,
} Column;

static void pick_image (SfWindow *self, SfPartitionItem *item);

void
sf_window_update_select_all (SfWindow *self)
{
  GListModel *model = G_LIST_MODEL (self->partitions);
  guint n = g_list_model_get_n_items (model), ticked = 0, tickable = 0;

  for (guint i = 0; i < n; i++) {
    g_autoptr(SfPartitionItem) item = g_list_model_get_item (model, i);

    tickable += sf_partition_item_get_selectable (item);
    ticked += sf_partition_item_get_enabled (item);
  }
  self->select_all_busy = TRUE;
  gtk_check_button_set_inconsistent (self->select_all_check, ticked > 0 && ticked < tickable);
  gtk_check_button_set_active (self->select_all_check, tickable > 0 && ticked == tickable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->select_all_check), tickable > 0);
  self->select_all_busy = FALSE;
}

static void
on_select_all_toggled (GtkCheckButton *check,
                       SfWindow       *self)
{
  GListModel *model = G_LIST_MODEL (self->partitions);
  gboolean active;

  if (self->select_all_busy)
    return;
  /* From "some" a click ticks everything. */
  active = gtk_check_button_get_active (check) || gtk_check_button_get_inconsistent (check);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++) {
    g_autoptr(SfPartitionItem) item = g_list_model_get_item (model, i);

    sf_partition_item_set_enabled (item, active);
  }
  sf_window_update_select_all (self);
}

static void
on_check_setup (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  GtkWidget *check = gtk_check_button_new ();

  gtk_list_item_set_child (item, check);
}

static void
on_check_bind (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  SfPartitionItem *row = gtk_list_item_get_item (item);
  GtkWidget *check = gtk_list_item_get_child (item);
  g_autofree char *label = g_strdup_printf (_("Write %s"), sf_partition_item_get_name (row));
  GBinding *active, *sensitive;

  gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  active = g_object_bind_property (row, "enabled", check, "active",
                                   G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  sensitive = g_object_bind_property (row, "selectable", check, "sensitive", G_BINDING_SYNC_CREATE);
  g_object_set_data (G_OBJECT (item), "sf-binding", active);
  g_object_set_data (G_OBJECT (item), "sf-binding-sensitive", sensitive);
}

static void
on_check_unbind (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  user_data)
{
  GBinding *active = g_object_steal_data (G_OBJECT (item), "sf-binding");
  GBinding *sensitive = g_object_steal_data (G_OBJECT (item), "sf-binding-sensitive");

  if (active != NULL)
    g_binding_unbind (active);
  if (sensitive != NULL)
    g_binding_unbind (sensitive);
}

static void
on_label_setup (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  if (GPOINTER_TO_INT (user_data) != 0)
    gtk_widget_add_css_class (label, "monospace");
  gtk_list_item_set_child (item, label);
}

static void
on_label_bind (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  SfPartitionItem *row = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);
  Column column = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (factory), "sf-column"));
  g_autofree char *text = NULL;

  switch (column) {
  case COLUMN_NAME:
    text = g_strdup (sf_partition_item_get_name (row));
    break;
  case COLUMN_BEGIN:
    text = g_strdup_printf ("0x%016" PRIx64 "", sf_partition_item_get_begin (row));
    break;
  case COLUMN_END:
    text = g_strdup_printf ("0x%016" PRIx64 "", sf_partition_item_get_end (row));
    break;
  case COLUMN_REGION:
    text = g_strdup (sf_partition_item_get_region (row));
    break;
  default:
    g_assert_not_reached ();
  }
  gtk_label_set_text (GTK_LABEL (label), text != NULL ? text : "");
}

static void
set_label_factory (GtkColumnViewColumn *column,
                   Column               which,
                   gboolean             monospace)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  g_object_set_data (G_OBJECT (factory), "sf-column", GINT_TO_POINTER (which));
  g_signal_connect (factory, "setup", G_CALLBACK (on_label_setup), GINT_TO_POINTER (monospace));
  g_signal_connect (factory, "bind", G_CALLBACK (on_label_bind), NULL);
  gtk_column_view_column_set_factory (column, factory);
}

/* The image column: a warning sign, where the image is, and a button to
 * pick another one. */
static void
update_file_cell (GtkWidget       *box,
                  SfPartitionItem *row)
{
  GtkWidget *icon = gtk_widget_get_first_child (box);
  GtkWidget *label = gtk_widget_get_next_sibling (icon);
  const char *file = sf_partition_item_get_file (row);
  const char *problem = sf_partition_item_get_problem (row);
  const char *warning = sf_partition_item_get_warning (row);
  const char *note = sf_partition_item_get_note (row);
  g_autofree char *text = NULL;
  g_autofree char *tooltip = NULL;

  gtk_widget_remove_css_class (icon, "success");
  if (note != NULL) {
    /* What the scene does to a row it does not write: kept calibration. */
    gtk_image_set_from_icon_name (GTK_IMAGE (icon), "security-high-symbolic");
    gtk_widget_add_css_class (icon, "success");
    gtk_widget_remove_css_class (icon, "warning");
    gtk_widget_remove_css_class (icon, "error");
    text = g_strdup (note);
    tooltip = g_strdup (note);
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  } else if (problem != NULL) {
    const char *colon = strstr (problem, ": ");
    g_autofree char *where = colon != NULL ? g_strndup (problem, colon - problem) : NULL;

    gtk_image_set_from_icon_name (GTK_IMAGE (icon), "dialog-error-symbolic");
    gtk_widget_add_css_class (icon, "error");
    gtk_widget_remove_css_class (icon, "warning");
    /* The cell starts with what is wrong ("logo.bin is missing"); the
     * scatter file's line is in the tooltip and the banner. */
    text = g_strdup (where != NULL && strstr (where, ".txt:") != NULL ? colon + 2 : problem);
    tooltip = g_strdup (problem);
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  } else if (warning != NULL) {
    gtk_image_set_from_icon_name (GTK_IMAGE (icon), "dialog-warning-symbolic");
    gtk_widget_add_css_class (icon, "warning");
    gtk_widget_remove_css_class (icon, "error");
    text = g_strdup_printf ("%s — %s", file != NULL ? file : "", warning);
    tooltip = g_strdup (warning);
  } else {
    const char *folder = g_object_get_data (G_OBJECT (row), "sf-folder");

    if (file != NULL && folder != NULL && g_str_has_prefix (file, folder))
      text = g_strdup (file + strlen (folder));
    else
      text = g_strdup (file != NULL ? file : _("(no image)"));
    tooltip = g_strdup (file);
  }
  if (note == NULL && problem == NULL)
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_START);
  /* A kept partition has no image to choose. */
  gtk_widget_set_visible (gtk_widget_get_last_child (box), note == NULL);
  gtk_widget_set_visible (icon, note != NULL || problem != NULL || warning != NULL);
  gtk_label_set_text (GTK_LABEL (label), text);
  gtk_widget_set_tooltip_text (label, tooltip);
  gtk_widget_set_sensitive (label, problem == NULL);
}

static void
on_row_notify (SfPartitionItem *row,
               GParamSpec      *pspec,
               GtkWidget       *box)
{
  update_file_cell (box, row);
}

static void
on_pick_clicked (GtkButton   *button,
                 GtkListItem *item)
{
  SfPartitionItem *row = gtk_list_item_get_item (item);
  SfWindow *self = SF_WINDOW (gtk_widget_get_root (GTK_WIDGET (button)));

  if (row != NULL)
    pick_image (self, row);
}

static void
on_file_setup (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *icon = gtk_image_new ();
  GtkWidget *label = gtk_label_new (NULL);
  GtkWidget *button = gtk_button_new_from_icon_name ("document-open-symbolic");

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_START);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, _("Choose Another Image"));
  g_signal_connect (button, "clicked", G_CALLBACK (on_pick_clicked), item);
  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), button);
  gtk_list_item_set_child (item, box);
}

static void
on_file_bind (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  SfPartitionItem *row = gtk_list_item_get_item (item);
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *button = gtk_widget_get_last_child (box);
  g_autofree char *label = g_strdup_printf (_("Choose another image for %s"), sf_partition_item_get_name (row));
  gulong id;

  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  update_file_cell (box, row);
  id = g_signal_connect (row, "notify", G_CALLBACK (on_row_notify), box);
  g_object_set_data (G_OBJECT (item), "sf-notify", GSIZE_TO_POINTER ((gsize) id));
}

static void
on_file_unbind (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  SfPartitionItem *row = gtk_list_item_get_item (item);
  gulong id = (gulong) GPOINTER_TO_SIZE (g_object_steal_data (G_OBJECT (item), "sf-notify"));

  if (row != NULL && id != 0)
    g_signal_handler_disconnect (row, id);
}

static void
on_partition_activate (GtkColumnView *view,
                       guint          position,
                       SfWindow      *self)
{
  g_autoptr(SfPartitionItem) item = g_list_model_get_item (G_LIST_MODEL (self->partitions), position);

  if (item != NULL && !sf_window_is_busy (self))
    pick_image (self, item);
}

/* @text without the firmware's folder in front of file names: the user
 * knows where the firmware is (the Firmware row says it). */
static char *
strip_folder (SfFirmware *firmware,
              const char *text)
{
  const char *where = firmware != NULL ? sf_firmware_get_display_name (firmware) : NULL;
  g_autofree char *parent = where != NULL ? g_path_get_dirname (where) : NULL;
  const char *folders[] = { where, parent };
  char *result = g_strdup (text);

  for (guint i = 0; i < G_N_ELEMENTS (folders); i++) {
    g_autofree char *prefix = NULL;
    g_auto(GStrv) parts = NULL;

    if (folders[i] == NULL || g_str_equal (folders[i], ".") || g_str_equal (folders[i], "/"))
      continue;
    prefix = g_strconcat (folders[i], G_DIR_SEPARATOR_S, NULL);
    parts = g_strsplit (result, prefix, -1);
    g_free (result);
    result = g_strjoinv ("", parts);
  }
  return result;
}

/* Why @partition's image cannot be written, or NULL when it can. */
static char *
image_problem (SfFirmware  *firmware,
               SfPartition *partition)
{
  g_autoptr(GError) error = NULL;

  if (sf_firmware_check_image (firmware, partition, &error))
    return NULL;
  return strip_folder (firmware, error->message);
}

void
sf_window_set_item_image (SfWindow        *self,
                          SfPartitionItem *item,
                          gboolean         tick)
{
  SfPartition *p = sf_partition_item_get_partition (item);
  g_autofree char *problem = image_problem (self->firmware, p);

  sf_partition_item_set_image (item, sf_firmware_get_image_path (self->firmware, p), problem, tick);
  /* The Image Location column shows names inside the firmware's folder. */
  g_object_set_data_full (G_OBJECT (item), "sf-folder",
                          g_strconcat (sf_firmware_get_display_name (self->firmware), G_DIR_SEPARATOR_S, NULL),
                          g_free);
}

gboolean
sf_window_set_partition_image (SfWindow    *self,
                               const char  *name,
                               GFile       *file,
                               GError     **error)
{
  GListModel *model;

  g_return_val_if_fail (SF_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (name != NULL && G_IS_FILE (file), FALSE);

  model = G_LIST_MODEL (self->partitions);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++) {
    g_autoptr(SfPartitionItem) item = g_list_model_get_item (model, i);

    if (!g_str_equal (sf_partition_item_get_name (item), name))
      continue;
    if (!sf_firmware_set_image_file (self->firmware, sf_partition_item_get_partition (item), file,
                                     NULL, error))
      return FALSE;
    if (sf_partition_item_get_fixed (item)) {
      /* The scene may run now: what it writes is worked out again. */
      sf_window_populate_partitions (self);
      return TRUE;
    }
    sf_window_set_item_image (self, item, TRUE);
    sf_window_update_select_all (self);
    sf_window_update_firmware_banner (self);
    return TRUE;
  }
  g_set_error (error, SF_ERROR, SF_ERROR_UNKNOWN_PARTITION, _("No partition %s in the checklist"), name);
  return FALSE;
}

static void
on_image_chosen (GtkNativeDialog *dialog,
                 int              response,
                 gpointer         user_data)
{
  SfWindow *self = user_data;
  SfPartitionItem *item = g_object_get_data (G_OBJECT (dialog), "sf-item");

  if (response == GTK_RESPONSE_ACCEPT && item != NULL && self->firmware != NULL) {
    g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
    g_autoptr(GError) error = NULL;

    if (file != NULL &&
        !sf_window_set_partition_image (self, sf_partition_item_get_name (item), file, &error))
      sf_window_show_toast (self, error->message, 0);
  }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
pick_image (SfWindow        *self,
            SfPartitionItem *item)
{
  g_autofree char *title = g_strdup_printf (_("Image for %s"), sf_partition_item_get_name (item));
  GtkFileChooserNative *chooser;

  if (self->firmware == NULL || sf_window_is_busy (self))
    return;
  chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Choose"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_object_set_data_full (G_OBJECT (chooser), "sf-item", g_object_ref (item), g_object_unref);
  g_signal_connect (chooser, "response", G_CALLBACK (on_image_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

void
sf_window_columns_init (SfWindow *self)
{
  g_autoptr(GtkListItemFactory) check_factory = NULL;
  g_autoptr(GtkListItemFactory) file_factory = NULL;
  g_autoptr(GtkNoSelection) selection = NULL;

  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->partitions)));
  gtk_column_view_set_model (self->partition_view, GTK_SELECTION_MODEL (selection));
  g_signal_connect (self->partition_view, "activate", G_CALLBACK (on_partition_activate), self);
  g_signal_connect (self->select_all_check, "toggled", G_CALLBACK (on_select_all_toggled), self);

  check_factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (check_factory, "setup", G_CALLBACK (on_check_setup), NULL);
  g_signal_connect (check_factory, "bind", G_CALLBACK (on_check_bind), NULL);
  g_signal_connect (check_factory, "unbind", G_CALLBACK (on_check_unbind), NULL);
  gtk_column_view_column_set_factory (self->check_column, check_factory);
  set_label_factory (self->name_column, COLUMN_NAME, FALSE);
  set_label_factory (self->begin_column, COLUMN_BEGIN, TRUE);
  set_label_factory (self->end_column, COLUMN_END, TRUE);
  set_label_factory (self->region_column, COLUMN_REGION, FALSE);
  file_factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (file_factory, "setup", G_CALLBACK (on_file_setup), NULL);
  g_signal_connect (file_factory, "bind", G_CALLBACK (on_file_bind), NULL);
  g_signal_connect (file_factory, "unbind", G_CALLBACK (on_file_unbind), NULL);
  gtk_column_view_column_set_factory (self->file_column, file_factory);
}
