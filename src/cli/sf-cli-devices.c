/* sf-cli-devices.c — `devices`: the connected phones, and what on this computer is in the way of flashing
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <stdio.h>

#include "sf-cli-common.h"
#include "sf-cli-ports.h"

static void
device_to_json (JsonBuilder *b,
                SfUsbDevice *device)
{
  json_builder_begin_object (b);
  sf_cli_json_string (b, "port", sf_usb_device_get_id (device));
  sf_cli_json_string (b, "kind", sf_usb_device_kind_to_string (sf_usb_device_get_kind (device)));
  sf_cli_json_uint (b, "vendor_id", sf_usb_device_get_vendor_id (device));
  sf_cli_json_uint (b, "product_id", sf_usb_device_get_product_id (device));
  sf_cli_json_string (b, "tty", sf_usb_device_get_tty_path (device));
  sf_cli_json_string (b, "name", sf_usb_device_get_name (device));
  json_builder_end_object (b);
}

static void
problem_to_json (JsonBuilder         *b,
                 const SfHostProblem *p)
{
  static const char * const kinds[] = { "modem-manager", "brltty", "no-udev-rule", "no-permission" };

  json_builder_begin_object (b);
  sf_cli_json_string (b, "problem", kinds[p->kind]);
  json_builder_set_member_name (b, "fatal");
  json_builder_add_boolean_value (b, p->fatal);
  sf_cli_json_string (b, "message", p->message);
  sf_cli_json_string (b, "command", p->command);
  json_builder_end_object (b);
}

static void
print_device_line (SfUsbDevice *device)
{
  const char *tty = sf_usb_device_get_tty_path (device);

  g_print ("%-22s %-10s %04x:%04x  %-14s %s\n", sf_usb_device_get_id (device),
           sf_usb_device_kind_to_string (sf_usb_device_get_kind (device)),
           sf_usb_device_get_vendor_id (device), sf_usb_device_get_product_id (device),
           tty != NULL ? tty : "-", sf_usb_device_get_name (device));
}

typedef struct {
  gboolean   json;
  GMainLoop *loop;
} DevicesWatch;

static void
on_devices_event (SfUsbDevice *device,
                  gboolean     added,
                  DevicesWatch *dw)
{
  if (dw->json) {
    g_autoptr(JsonBuilder) b = json_builder_new ();
    g_autoptr(JsonNode) root = NULL;

    json_builder_begin_object (b);
    sf_cli_json_string (b, "event", added ? "device-added" : "device-removed");
    json_builder_set_member_name (b, "device");
    device_to_json (b, device);
    json_builder_end_object (b);
    root = json_builder_get_root (b);
    sf_cli_print_json_line (root);
    return;
  }
  g_print ("%s ", added ? "+" : "-");
  print_device_line (device);
  fflush (stdout);
  if (added && sf_usb_device_get_kind (device) == SF_USB_DEVICE_KIND_ANDROID_POWERED_ON)
    sf_cli_print_powered_on (device, FALSE);
}

static void
on_devices_added (SfDeviceMonitor *monitor,
                  SfUsbDevice     *device,
                  gpointer         user_data)
{
  on_devices_event (device, TRUE, user_data);
}

static void
on_devices_removed (SfDeviceMonitor *monitor,
                    SfUsbDevice     *device,
                    gpointer         user_data)
{
  on_devices_event (device, FALSE, user_data);
}

static gboolean
on_devices_quit (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static gboolean
on_devices_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

int
sf_cli_devices (int    argc,
                char **argv)
{
  g_auto(SfCliPhoneOptions) o = { 0 };
  gboolean watch = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &o.json, N_("Print one JSON document (with --watch: one JSON event per line)"), NULL },
    { "virtual-dir", 0, 0, G_OPTION_ARG_FILENAME, &o.virtual_dir,
      N_("Also list virtual phones announced in DIR (default: $SCATTERFLASH_VIRTUAL_DIR)"), N_("DIR") },
    { "watch", 0, 0, G_OPTION_ARG_NONE, &watch, N_("Keep printing phones as they come and go, until Ctrl-C"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(SfDeviceMonitor) monitor = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  GListModel *devices;
  gboolean fatal = FALSE;
  DevicesWatch dw = { 0 };

  g_option_context_set_summary (context,
                                _("List the phones connected now (in download mode, or switched on), and say what on "
                                  "this computer will get in the way of flashing them, with the command that fixes "
                                  "it: ModemManager, brltty, a missing udev rule, no permission."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!sf_cli_parse_options (context, "devices", &argc, &argv))
    return SF_EXIT_USAGE;
  if (argc > 1)
    return sf_cli_usage_error ("devices", _("devices takes no arguments"));

  monitor = sf_cli_start_monitor (&o);
  if (monitor == NULL)
    return SF_EXIT_FAILED;
  /* Let the first enumeration come in. */
  loop = g_main_loop_new (NULL, FALSE);
  g_timeout_add (250, on_devices_quit, loop);
  g_main_loop_run (loop);

  problems = sf_host_check_system (NULL);
  devices = sf_device_monitor_get_devices (monitor);
  for (guint i = 0; i < g_list_model_get_n_items (devices); i++) {
    g_autoptr(SfUsbDevice) device = g_list_model_get_item (devices, i);
    SfHostProblem *p = sf_host_check_device (device, NULL);

    if (p != NULL)
      g_ptr_array_add (problems, p);
  }
  for (guint i = 0; i < problems->len; i++)
    fatal |= ((SfHostProblem *) g_ptr_array_index (problems, i))->fatal;

  if (o.json && !watch) {
    g_autoptr(JsonBuilder) b = json_builder_new ();
    g_autoptr(JsonNode) root = NULL;

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "devices");
    json_builder_begin_array (b);
    for (guint i = 0; i < g_list_model_get_n_items (devices); i++) {
      g_autoptr(SfUsbDevice) device = g_list_model_get_item (devices, i);

      device_to_json (b, device);
    }
    json_builder_end_array (b);
    json_builder_set_member_name (b, "problems");
    json_builder_begin_array (b);
    for (guint i = 0; i < problems->len; i++)
      problem_to_json (b, g_ptr_array_index (problems, i));
    json_builder_end_array (b);
    json_builder_end_object (b);
    root = json_builder_get_root (b);
    sf_cli_print_json (root);
    return fatal ? SF_EXIT_FAILED : SF_EXIT_OK;
  }

  for (guint i = 0; i < problems->len; i++)
    sf_cli_print_problem (g_ptr_array_index (problems, i));
  if (!o.json) {
    if (problems->len == 0)
      g_printerr (_("Nothing on this computer is in the way of flashing.\n"));
    if (g_list_model_get_n_items (devices) == 0)
      g_printerr (_("No phone is connected.\n"));
  }
  for (guint i = 0; i < g_list_model_get_n_items (devices); i++) {
    g_autoptr(SfUsbDevice) device = g_list_model_get_item (devices, i);

    if (o.json)
      on_devices_event (device, TRUE, &dw);
    else
      print_device_line (device);
  }

  if (watch) {
    guint sigint, sigterm;

    dw.json = o.json;
    dw.loop = loop;
    fflush (stdout);
    if (!o.json)
      g_printerr (_("Watching for phones (press Ctrl-C to stop)…\n"));
    g_signal_connect (monitor, "device-added", G_CALLBACK (on_devices_added), &dw);
    g_signal_connect (monitor, "device-removed", G_CALLBACK (on_devices_removed), &dw);
    sigint = g_unix_signal_add (SIGINT, on_devices_signal, loop);
    sigterm = g_unix_signal_add (SIGTERM, on_devices_signal, loop);
    g_main_loop_run (loop);
    g_source_remove (sigint);
    g_source_remove (sigterm);
    g_signal_handlers_disconnect_by_data (monitor, &dw);
  }
  return fatal ? SF_EXIT_FAILED : SF_EXIT_OK;
}

