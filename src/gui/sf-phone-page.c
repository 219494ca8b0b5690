/* sf-phone-page.c — the Phone page: what the connected phone said about itself
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n.h>

#include "sf-phone-page.h"
#include "sf-units.h"

struct _SfPhonePage
{
  AdwBin               parent_instance;

  /* Template widgets */
  GtkStack            *stack;
  GtkLabel            *chip_label;
  GtkLabel            *hw_code_label;
  GtkLabel            *hw_sub_code_label;
  GtkLabel            *hw_ver_label;
  GtkLabel            *sw_ver_label;
  GtkLabel            *connection_label;
  GtkLabel            *seen_label;
  AdwPreferencesGroup *storage_group;
  GtkLabel            *storage_type_label;
  GtkLabel            *boot1_label;
  GtkLabel            *boot2_label;
  GtkLabel            *rpmb_label;
  GtkLabel            *user_label;
  GtkLabel            *ram_label;
  AdwPreferencesGroup *table_group;

  SfDeviceInfo        *info;
  GDateTime           *seen;         /* when the phone answered */
  GPtrArray           *table_rows;   /* the rows added to table_group */
  gboolean             busy;
};

G_DEFINE_FINAL_TYPE (SfPhonePage, sf_phone_page, ADW_TYPE_BIN)

enum {
  SIGNAL_IDENTIFY,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static char *
format_hex16 (guint16 value)
{
  return g_strdup_printf ("0x%04X", value);
}

static char *
format_size (guint64 size)
{
  if (size == 0)
    /* Translators: the phone has no such storage area */
    return g_strdup (_("None"));
  return sf_format_size (size);
}

static void
set_label (GtkLabel *label,
           char     *text)
{
  g_autofree char *owned = text;

  gtk_label_set_text (label, owned);
}

static void
clear_table (SfPhonePage *self)
{
  for (guint i = 0; i < self->table_rows->len; i++)
    adw_preferences_group_remove (self->table_group, g_ptr_array_index (self->table_rows, i));
  g_ptr_array_set_size (self->table_rows, 0);
}

static void
add_table_row (SfPhonePage *self,
               const char  *title,
               const char  *subtitle,
               const char  *tooltip)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  /* Partition names and addresses are data, never markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  if (tooltip != NULL)
    gtk_widget_set_tooltip_text (row, tooltip);
  adw_preferences_group_add (self->table_group, row);
  g_ptr_array_add (self->table_rows, row);
}

static void
show_table (SfPhonePage            *self,
            const SfPartitionTable *table)
{
  clear_table (self);
  gtk_widget_set_visible (GTK_WIDGET (self->table_group), table != NULL);
  if (table == NULL)
    return;

  if (sf_partition_table_is_empty (table)) {
    adw_preferences_group_set_description (self->table_group,
                                           _("The phone has no partition table: it was never flashed with a layout, or it was erased."));
    return;
  }
  adw_preferences_group_set_description (self->table_group,
                                         _("Where each partition lies in the user area, as the phone’s own table says."));
  for (guint i = 0; i < sf_partition_table_get_n_entries (table); i++) {
    const SfPartitionTableEntry *e = sf_partition_table_get_entry (table, i);
    g_autofree char *size = g_format_size_full (e->size, G_FORMAT_SIZE_IEC_UNITS);
    g_autofree char *subtitle = NULL;
    g_autofree char *tooltip = NULL;

    /* Translators: a partition's start address and size, e.g. "0x00C00000 · 512.0 KiB" */
    subtitle = g_strdup_printf (_("0x%08" PRIX64 " · %s"), e->offset, size);
    tooltip = g_strdup_printf (_("Start 0x%" PRIX64 ", length 0x%" PRIX64 " bytes"),
                               e->offset, e->size);
    add_table_row (self, e->name, subtitle, tooltip);
  }
}

static void
show_info (SfPhonePage *self)
{
  const SfDeviceInfo *info = self->info;

  if (info == NULL) {
    gtk_stack_set_visible_child_name (self->stack, "empty");
    clear_table (self);
    return;
  }

  if (info->chip != NULL) {
    gtk_label_set_text (self->chip_label, info->chip);
  } else {
    /* Translators: %04X is the chip's hardware code */
    set_label (self->chip_label, g_strdup_printf (_("Unknown chip (0x%04X)"), info->hw_code));
  }
  set_label (self->hw_code_label, format_hex16 (info->hw_code));
  set_label (self->hw_sub_code_label, format_hex16 (info->hw_sub_code));
  set_label (self->hw_ver_label, format_hex16 (info->hw_ver));
  set_label (self->sw_ver_label, format_hex16 (info->sw_ver));
  gtk_label_set_text (self->connection_label, info->is_brom ? _("BootROM") : _("Preloader"));
  if (self->seen != NULL)
    set_label (self->seen_label, g_date_time_format (self->seen, "%H:%M:%S"));

  gtk_widget_set_visible (GTK_WIDGET (self->storage_group), info->has_storage);
  if (info->has_storage) {
    gtk_label_set_text (self->storage_type_label, info->storage != NULL ? info->storage : _("Unknown"));
    set_label (self->boot1_label, format_size (info->boot1_size));
    set_label (self->boot2_label, format_size (info->boot2_size));
    set_label (self->rpmb_label, format_size (info->rpmb_size));
    set_label (self->user_label, format_size (info->user_size));
    set_label (self->ram_label, format_size (info->ram_size));
  }
  show_table (self, info->table);
  gtk_stack_set_visible_child_name (self->stack, "info");
}

static void
identify_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  g_signal_emit (widget, signals[SIGNAL_IDENTIFY], 0);
}

static void
sf_phone_page_dispose (GObject *object)
{
  SfPhonePage *self = SF_PHONE_PAGE (object);

  /* The rows belong to the group, which the template disposes. */
  if (self->table_rows != NULL)
    g_ptr_array_set_size (self->table_rows, 0);
  /* AdwBin would unparent its child after the template disposed it. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), SF_TYPE_PHONE_PAGE);
  g_clear_pointer (&self->info, sf_device_info_free);
  g_clear_pointer (&self->seen, g_date_time_unref);

  G_OBJECT_CLASS (sf_phone_page_parent_class)->dispose (object);
}

static void
sf_phone_page_finalize (GObject *object)
{
  SfPhonePage *self = SF_PHONE_PAGE (object);

  g_clear_pointer (&self->table_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (sf_phone_page_parent_class)->finalize (object);
}

static void
sf_phone_page_class_init (SfPhonePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sf_phone_page_dispose;
  object_class->finalize = sf_phone_page_finalize;

  /**
   * SfPhonePage::identify:
   *
   * The user asked to identify the phone: the window runs a job without a
   * plan and calls sf_phone_page_set_info() with what the phone said.
   */
  signals[SIGNAL_IDENTIFY] = g_signal_new ("identify", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/Scatterflash/ui/sf-phone-page.ui");
  gtk_widget_class_bind_template_child (widget_class, SfPhonePage, stack);
  gtk_widget_class_bind_template_child (widget_class, SfPhonePage, chip_label);
  gtk_widget_class_bind_template_child (widget_class, SfPhonePage, hw_code_label);
  gtk_widget_class_bind_template_child (widget_class, SfPhonePage, hw_sub_code_label);
  gtk_widget_class_bind_template_child (widget_class, SfPhonePage, hw_ver_label);
  gtk_widget_class_bind_template_child (widget_class, SfPhonePage, sw_ver_label);
  gtk_widget_class_bind_template_child (widget_class, SfPhonePage, connection_label);
  gtk_widget_class_bind_template_child (widget_class, SfPhonePage, seen_label);
  gtk_widget_class_bind_template_child (widget_class, SfPhonePage, storage_group);
  gtk_widget_class_bind_template_child (widget_class, SfPhonePage, storage_type_label);
  gtk_widget_class_bind_template_child (widget_class, SfPhonePage, boot1_label);
  gtk_widget_class_bind_template_child (widget_class, SfPhonePage, boot2_label);
  gtk_widget_class_bind_template_child (widget_class, SfPhonePage, rpmb_label);
  gtk_widget_class_bind_template_child (widget_class, SfPhonePage, user_label);
  gtk_widget_class_bind_template_child (widget_class, SfPhonePage, ram_label);
  gtk_widget_class_bind_template_child (widget_class, SfPhonePage, table_group);

  gtk_widget_class_install_action (widget_class, "phone.identify", NULL, identify_action);
}

static void
sf_phone_page_init (SfPhonePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->table_rows = g_ptr_array_new ();
  show_info (self);
}

SfPhonePage *
sf_phone_page_new (void)
{
  return g_object_new (SF_TYPE_PHONE_PAGE, NULL);
}

void
sf_phone_page_set_info (SfPhonePage        *self,
                        const SfDeviceInfo *info)
{
  g_return_if_fail (SF_IS_PHONE_PAGE (self));

  g_clear_pointer (&self->info, sf_device_info_free);
  g_clear_pointer (&self->seen, g_date_time_unref);
  if (info != NULL) {
    self->info = sf_device_info_copy (info);
    self->seen = g_date_time_new_now_local ();
  }
  show_info (self);
}

const SfDeviceInfo *
sf_phone_page_get_info (SfPhonePage *self)
{
  g_return_val_if_fail (SF_IS_PHONE_PAGE (self), NULL);
  return self->info;
}

void
sf_phone_page_set_busy (SfPhonePage *self,
                        gboolean     busy)
{
  g_return_if_fail (SF_IS_PHONE_PAGE (self));

  busy = !!busy;
  if (self->busy == busy)
    return;
  self->busy = busy;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "phone.identify", !busy);
}
