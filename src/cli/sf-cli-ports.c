/* sf-cli-ports.c — finding the phone: --port auto, the device monitor, what is in the way
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

const char *
sf_cli_virtual_dir (const SfCliPhoneOptions *o)
{
  const char *env = g_getenv ("SCATTERFLASH_VIRTUAL_DIR");

  if (o->virtual_dir != NULL)
    return o->virtual_dir;
  return env != NULL && *env != '\0' ? env : NULL;
}

/* One NDJSON line (sf_cli_print_json() pretty-prints a whole document). */
void
sf_cli_print_json_line (JsonNode *root)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, NULL);
  fputs (text, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
}

/* ---- what is in the way --------------------------------------------------------- */

void
sf_cli_print_problem (const SfHostProblem *p)
{
  g_printerr (p->fatal ? _("Error: %s.\n") : _("Warning: %s.\n"), p->message);
  g_printerr (_("  To fix it, run: %s\n"), p->command);
}

void
sf_cli_print_host_problems (void)
{
  g_autoptr(GPtrArray) problems = sf_host_check_system (NULL);

  for (guint i = 0; i < problems->len; i++)
    sf_cli_print_problem (g_ptr_array_index (problems, i));
}

/* The user must switch a phone that runs Android off before it can be
 * flashed; say so the moment it arrives. */
void
sf_cli_print_powered_on (SfUsbDevice *device,
                  gboolean     json)
{
  if (json) {
    g_autoptr(JsonBuilder) b = json_builder_new ();
    g_autoptr(JsonNode) root = NULL;

    json_builder_begin_object (b);
    sf_cli_json_string (b, "event", "phone-powered-on");
    sf_cli_json_string (b, "port", sf_usb_device_get_id (device));
    sf_cli_json_string (b, "name", sf_usb_device_get_name (device));
    json_builder_end_object (b);
    root = json_builder_get_root (b);
    sf_cli_print_json_line (root);
  }
  g_printerr (_("%s: this phone is switched on. Switch it off first (hold the power key, or take the battery "
                "out), unplug it, and plug it in again while it is off. Still waiting…\n"),
              sf_usb_device_get_name (device));
}

/* --port auto: stdout is for the command's own result, so text only. */
static void
on_device_added_auto (SfDeviceMonitor *monitor,
                      SfUsbDevice     *device,
                      gpointer         user_data)
{
  if (sf_usb_device_get_kind (device) == SF_USB_DEVICE_KIND_ANDROID_POWERED_ON)
    sf_cli_print_powered_on (device, FALSE);
}

static gboolean
on_signal_cancel (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_CONTINUE;
}

/* Starts watching USB and the virtual phones' folder. NULL (after saying
 * why) when neither can be watched. */
SfDeviceMonitor *
sf_cli_start_monitor (const SfCliPhoneOptions *o)
{
  /* For tests: a sysfs tree they built, polled instead of the real bus. */
  const char *sysfs_root = g_getenv ("SCATTERFLASH_SYSFS_ROOT");
  g_autoptr(SfDeviceMonitor) monitor = sysfs_root != NULL && *sysfs_root != '\0'
                                       ? sf_device_monitor_new_for_sysfs (sysfs_root)
                                       : sf_device_monitor_new ();
  g_autoptr(GError) error = NULL;
  const char *virtual_dir = sf_cli_virtual_dir (o);

  if (virtual_dir != NULL && !sf_device_monitor_add_virtual_dir (monitor, virtual_dir, &error)) {
    sf_cli_report_error (error);
    return NULL;
  }
  if (!sf_device_monitor_start (monitor, &error)) {
    if (virtual_dir == NULL) {
      sf_cli_report_error (error);
      return NULL;
    }
    g_debug ("%s; only virtual phones from %s", error->message, virtual_dir);
  }
  return g_steal_pointer (&monitor);
}

int
sf_cli_resolve_port (SfCliPhoneOptions *o,
                     SfBromMode        *mode)
{
  g_autoptr(SfDeviceMonitor) monitor = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  g_autoptr(SfUsbDevice) device = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *port = NULL;
  guint sigint, sigterm;

  if (o->port != NULL && g_strcmp0 (o->port, "auto") != 0) {
    /* A virtual phone's pty needs no udev rule. */
    if (!g_str_has_prefix (o->port, "/dev/pts/"))
      sf_cli_print_host_problems ();
    return SF_EXIT_OK;
  }
  sf_cli_print_host_problems ();

  monitor = sf_cli_start_monitor (o);
  if (monitor == NULL)
    return SF_EXIT_FAILED;
  g_signal_connect (monitor, "device-added", G_CALLBACK (on_device_added_auto), NULL);

  cancellable = g_cancellable_new ();
  sigint = g_unix_signal_add (SIGINT, on_signal_cancel, cancellable);
  sigterm = g_unix_signal_add (SIGTERM, on_signal_cancel, cancellable);
  g_printerr (_("Waiting for the phone: connect it powered off (press Ctrl-C to stop)…\n"));
  device = sf_device_monitor_wait_for_phone (monitor, 0, cancellable, &error);
  if (device != NULL) {
    g_printerr (_("Found: %s\n"), sf_usb_device_get_name (device));
    port = sf_usb_device_wait_for_port (device, SF_FLASH_JOB_PORT_WAIT_MS, cancellable, &error);
  }
  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_signal_handlers_disconnect_by_func (monitor, on_device_added_auto, NULL);

  if (port == NULL) {
    g_autoptr(SfHostProblem) problem = NULL;

    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      g_printerr (_("scatterflash-cli: stopped; nothing was sent to a phone\n"));
      return SF_EXIT_INTERRUPTED;
    }
    sf_cli_report_error (error);
    if (device != NULL && (problem = sf_host_check_device (device, NULL)) != NULL)
      sf_cli_print_problem (problem);
    return SF_EXIT_FAILED;
  }

  g_debug ("port %s ready %.1f ms after the phone arrived", port,
           (double) (g_get_monotonic_time () - sf_usb_device_get_arrival_time (device)) / 1000.0);
  if (o->mode == NULL || g_strcmp0 (o->mode, "auto") == 0)
    *mode = sf_usb_device_get_mode (device);
  g_free (o->port);
  o->port = g_steal_pointer (&port);
  /* Stopping the monitor (joining its thread, closing libusb) would delay
   * the handshake: the phone's window is short. It goes with @o. */
  g_clear_object (&o->monitor);
  o->monitor = G_OBJECT (g_steal_pointer (&monitor));
  return SF_EXIT_OK;
}
