/* sf-phone-chooser.c — which phone a job talks to: the next one plugged
 * in, or one the device monitor lists
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "sf-phone-chooser.h"

struct _SfPhoneChooser
{
  AdwComboRow  parent_instance;

  GListStore  *parts;     /* (element-type GListModel): the "wait" entry, then the phones */
  GListModel  *devices;   /* the monitor's list, or NULL */
  SfUsbDevice *device;    /* the chosen phone, or NULL: wait */
  gboolean     choosing;  /* the row's selection is being set from here */
};

G_DEFINE_FINAL_TYPE (SfPhoneChooser, sf_phone_chooser, ADW_TYPE_COMBO_ROW)

enum {
  PROP_0,
  PROP_DEVICE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

char *
sf_phone_chooser_describe (SfUsbDevice *device)
{
  SfUsbDeviceKind kind = sf_usb_device_get_kind (device);
  const char *chip = sf_usb_device_get_chip (device);
  const char *tty = sf_usb_device_get_tty_path (device);

  g_return_val_if_fail (SF_IS_USB_DEVICE (device), NULL);

  if (kind == SF_USB_DEVICE_KIND_ANDROID_POWERED_ON)
    return g_strdup (_("Switched on: switch it off to flash it"));
  if (kind == SF_USB_DEVICE_KIND_VIRTUAL)
    /* Translators: the chip of a virtual phone, then its tty */
    return g_strdup_printf (_("Virtual phone · %s · %s"), chip != NULL ? chip : "MT6572", tty != NULL ? tty : "?");
  if (chip != NULL)
    /* Translators: the mode (BootROM, preloader), the USB port path, the chip */
    return g_strdup_printf (_("%s · USB port %s · %s"), sf_usb_device_kind_to_string (kind),
                            sf_usb_device_get_port_path (device), chip);
  /* Translators: the mode (BootROM, preloader), then the USB port path */
  return g_strdup_printf (_("%s · USB port %s"), sf_usb_device_kind_to_string (kind),
                          sf_usb_device_get_port_path (device));
}

/* The row's subtitle for the chosen item. */
static char *
item_summary (GObject *item)
{
  if (!SF_IS_USB_DEVICE (item))
    return g_strdup (_("Wait for the next phone plugged in"));
  return sf_phone_chooser_describe (SF_USB_DEVICE (item));
}

static void
on_item_setup (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *subtitle = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_xalign (GTK_LABEL (subtitle), 0);
  gtk_label_set_wrap (GTK_LABEL (subtitle), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (subtitle), 40);
  gtk_widget_add_css_class (subtitle, "dim-label");
  gtk_widget_add_css_class (subtitle, "caption");
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), subtitle);
  gtk_list_item_set_child (item, box);
}

static void
on_item_bind (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  GObject *thing = gtk_list_item_get_item (item);
  GtkWidget *title = gtk_widget_get_first_child (gtk_list_item_get_child (item));
  GtkWidget *subtitle = gtk_widget_get_next_sibling (title);
  g_autofree char *what = NULL;

  if (SF_IS_USB_DEVICE (thing)) {
    what = sf_phone_chooser_describe (SF_USB_DEVICE (thing));
    gtk_label_set_text (GTK_LABEL (title), sf_usb_device_get_name (SF_USB_DEVICE (thing)));
  } else {
    what = g_strdup (_("The job starts when a phone is plugged in, switched off"));
    gtk_label_set_text (GTK_LABEL (title), _("Wait for the Next Phone"));
  }
  gtk_label_set_text (GTK_LABEL (subtitle), what);
}

static void
choose (SfPhoneChooser *self,
        SfUsbDevice    *device)
{
  if (self->device == device)
    return;
  g_set_object (&self->device, device);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEVICE]);
}

/* The row's selection is the list's: the "wait" entry is 0, phone i is i + 1. */
static void
select_device (SfPhoneChooser *self)
{
  guint position = 0;

  for (guint i = 0; self->device != NULL && self->devices != NULL && i < g_list_model_get_n_items (self->devices);
       i++) {
    g_autoptr(SfUsbDevice) device = g_list_model_get_item (self->devices, i);

    if (device == self->device) {
      position = i + 1;
      break;
    }
  }
  self->choosing = TRUE;
  adw_combo_row_set_selected (ADW_COMBO_ROW (self), position);
  self->choosing = FALSE;
}

static void
on_selected (SfPhoneChooser *self,
             GParamSpec     *pspec,
             gpointer        user_data)
{
  guint selected = adw_combo_row_get_selected (ADW_COMBO_ROW (self));
  g_autoptr(GObject) item = NULL;

  if (self->choosing)
    return;
  item = selected != GTK_INVALID_LIST_POSITION
           ? g_list_model_get_item (adw_combo_row_get_model (ADW_COMBO_ROW (self)), selected) : NULL;
  choose (self, item != NULL && SF_IS_USB_DEVICE (item) ? SF_USB_DEVICE (item) : NULL);
}

/* Before the row hears of a change of the list: whatever it does to its
 * selection then is not the user's choice. */
static void
on_devices_changing (GListModel     *devices,
                     guint           position,
                     guint           removed,
                     guint           added,
                     SfPhoneChooser *self)
{
  self->choosing = TRUE;
}

static void
on_devices_changed (GListModel     *devices,
                    guint           position,
                    guint           removed,
                    guint           added,
                    SfPhoneChooser *self)
{
  gboolean there = FALSE;

  self->choosing = FALSE;
  for (guint i = 0; self->device != NULL && i < g_list_model_get_n_items (devices); i++) {
    g_autoptr(SfUsbDevice) device = g_list_model_get_item (devices, i);

    there |= device == self->device;
  }
  /* A chosen phone that left: wait for the next one, never another one. */
  if (!there)
    choose (self, NULL);
  /* After the list's own change: the row may have moved its selection. */
  select_device (self);
}

void
sf_phone_chooser_set_devices (SfPhoneChooser *self,
                              GListModel     *devices)
{
  g_autoptr(GListStore) wait = NULL;
  g_autoptr(GtkStringObject) waiting = gtk_string_object_new ("wait");

  g_return_if_fail (SF_IS_PHONE_CHOOSER (self));
  g_return_if_fail (devices == NULL || G_IS_LIST_MODEL (devices));

  if (self->devices != NULL)
    g_signal_handlers_disconnect_by_data (self->devices, self);
  g_set_object (&self->devices, devices);
  g_list_store_remove_all (self->parts);
  wait = g_list_store_new (GTK_TYPE_STRING_OBJECT);
  g_list_store_append (wait, waiting);
  g_list_store_append (self->parts, wait);
  if (devices != NULL) {
    /* Around the flattened model, which passes the change on to the row. */
    g_signal_connect_object (devices, "items-changed", G_CALLBACK (on_devices_changing), self, 0);
    g_list_store_append (self->parts, devices);
    g_signal_connect_object (devices, "items-changed", G_CALLBACK (on_devices_changed), self, G_CONNECT_AFTER);
  }
  choose (self, NULL);
  select_device (self);
}

SfUsbDevice *
sf_phone_chooser_get_device (SfPhoneChooser *self)
{
  g_return_val_if_fail (SF_IS_PHONE_CHOOSER (self), NULL);
  return self->device;
}

void
sf_phone_chooser_set_device (SfPhoneChooser *self,
                             SfUsbDevice    *device)
{
  g_return_if_fail (SF_IS_PHONE_CHOOSER (self));
  g_return_if_fail (device == NULL || SF_IS_USB_DEVICE (device));

  choose (self, device);
  select_device (self);
}

static void
sf_phone_chooser_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  SfPhoneChooser *self = SF_PHONE_CHOOSER (object);

  switch (prop_id) {
  case PROP_DEVICE:
    g_value_set_object (value, self->device);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
sf_phone_chooser_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  SfPhoneChooser *self = SF_PHONE_CHOOSER (object);

  switch (prop_id) {
  case PROP_DEVICE:
    sf_phone_chooser_set_device (self, g_value_get_object (value));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
sf_phone_chooser_dispose (GObject *object)
{
  SfPhoneChooser *self = SF_PHONE_CHOOSER (object);

  if (self->devices != NULL)
    g_signal_handlers_disconnect_by_data (self->devices, self);
  g_clear_object (&self->devices);
  g_clear_object (&self->device);
  g_clear_object (&self->parts);

  G_OBJECT_CLASS (sf_phone_chooser_parent_class)->dispose (object);
}

static void
sf_phone_chooser_class_init (SfPhoneChooserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = sf_phone_chooser_get_property;
  object_class->set_property = sf_phone_chooser_set_property;
  object_class->dispose = sf_phone_chooser_dispose;

  properties[PROP_DEVICE] =
    g_param_spec_object ("device", NULL, NULL, SF_TYPE_USB_DEVICE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sf_phone_chooser_init (SfPhoneChooser *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkExpression) summary = NULL;
  g_autoptr(GtkFlattenListModel) flat = NULL;

  self->parts = g_list_store_new (G_TYPE_LIST_MODEL);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), _("Phone"));
  g_signal_connect (factory, "setup", G_CALLBACK (on_item_setup), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (on_item_bind), NULL);
  adw_combo_row_set_list_factory (ADW_COMBO_ROW (self), factory);
  /* The row itself says what is chosen in its subtitle. */
  summary = gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 0, NULL, G_CALLBACK (item_summary), NULL, NULL);
  adw_combo_row_set_expression (ADW_COMBO_ROW (self), summary);
  adw_combo_row_set_use_subtitle (ADW_COMBO_ROW (self), TRUE);
  flat = gtk_flatten_list_model_new (g_object_ref (G_LIST_MODEL (self->parts)));
  adw_combo_row_set_model (ADW_COMBO_ROW (self), G_LIST_MODEL (flat));
  g_signal_connect (self, "notify::selected", G_CALLBACK (on_selected), NULL);
  sf_phone_chooser_set_devices (self, NULL);
}

SfPhoneChooser *
sf_phone_chooser_new (void)
{
  return g_object_new (SF_TYPE_PHONE_CHOOSER, NULL);
}
