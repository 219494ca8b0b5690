/* sf-sysfs.c — what Linux's sysfs says about USB devices and their ttys
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdlib.h>
#include <string.h>

#include "sf-error.h"
#include "sf-sysfs.h"

#define SF_SYSFS_MAX_PORTS 7

void
sf_sysfs_usb_device_free (SfSysfsUsbDevice *device)
{
  if (device == NULL)
    return;
  g_free (device->port_path);
  g_free (device);
}

char *
sf_sysfs_port_path (guint8        bus,
                    const guint8 *ports,
                    int           n_ports)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "%u", bus);
  for (int i = 0; i < n_ports; i++)
    g_string_append_printf (s, "%c%u", i == 0 ? '-' : '.', ports[i]);
  return g_string_free (s, FALSE);
}

static gboolean
parse_decimal (const char  *text,
               const char **end,
               guint8      *out)
{
  guint64 value = 0;
  const char *p = text;

  if (!g_ascii_isdigit (*p))
    return FALSE;
  while (g_ascii_isdigit (*p)) {
    value = value * 10 + (guint64) (*p - '0');
    if (value > 255)
      return FALSE;
    p++;
  }
  *end = p;
  *out = (guint8) value;
  return TRUE;
}

gboolean
sf_sysfs_parse_port_path (const char *text,
                          guint8     *out_bus,
                          guint8     *out_ports,
                          int        *out_n_ports)
{
  const char *p;
  guint8 bus;
  int n = 0;

  g_return_val_if_fail (out_bus != NULL && out_ports != NULL && out_n_ports != NULL, FALSE);

  if (text == NULL)
    return FALSE;
  if (g_str_has_prefix (text, "usb:"))
    text += 4;
  if (!parse_decimal (text, &p, &bus) || bus == 0 || *p != '-')
    return FALSE;
  do {
    guint8 port;

    p++;
    if (n >= SF_SYSFS_MAX_PORTS || !parse_decimal (p, &p, &port) || port == 0)
      return FALSE;
    out_ports[n++] = port;
  } while (*p == '.');
  if (*p != '\0')
    return FALSE;

  *out_bus = bus;
  *out_n_ports = n;
  return TRUE;
}

/* The contents of ROOT/bus/usb/devices/NAME/ATTR without the newline. */
static char *
read_attr (const char *sysfs_root,
           const char *name,
           const char *attr)
{
  g_autofree char *path = g_build_filename (sysfs_root, "bus", "usb", "devices", name, attr, NULL);
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  return g_strstrip (text);
}

static gboolean
read_number (const char *sysfs_root,
             const char *name,
             const char *attr,
             guint       base,
             guint64     max,
             guint64    *out)
{
  g_autofree char *text = read_attr (sysfs_root, name, attr);
  char *end = NULL;

  if (text == NULL || *text == '\0')
    return FALSE;
  *out = g_ascii_strtoull (text, &end, base);
  return end != text && *end == '\0' && *out <= max;
}

SfSysfsUsbDevice *
sf_sysfs_read_usb_device (const char  *sysfs_root,
                          const char  *port_path,
                          GError     **error)
{
  g_autoptr(SfSysfsUsbDevice) device = NULL;
  guint64 vid, pid, bus, address;

  g_return_val_if_fail (sysfs_root != NULL && port_path != NULL, NULL);

  if (!read_number (sysfs_root, port_path, "idVendor", 16, 0xFFFF, &vid) ||
      !read_number (sysfs_root, port_path, "idProduct", 16, 0xFFFF, &pid) ||
      !read_number (sysfs_root, port_path, "busnum", 10, 255, &bus) ||
      !read_number (sysfs_root, port_path, "devnum", 10, 255, &address)) {
    g_set_error (error, SF_ERROR, SF_ERROR_DISCONNECTED,
                 _("the USB device %s is not there (no readable ids in %s)"), port_path, sysfs_root);
    return NULL;
  }

  device = g_new0 (SfSysfsUsbDevice, 1);
  device->port_path = g_strdup (port_path);
  device->vid = (guint16) vid;
  device->pid = (guint16) pid;
  device->bus = (guint8) bus;
  device->address = (guint8) address;
  return g_steal_pointer (&device);
}

/* "1-2", "1-2.3": a device. Not "usb1" (a root hub) nor "1-2:1.0" (an
 * interface). */
static gboolean
is_device_name (const char *name)
{
  guint8 bus, ports[SF_SYSFS_MAX_PORTS];
  int n;

  return sf_sysfs_parse_port_path (name, &bus, ports, &n) && !g_str_has_prefix (name, "usb:");
}

GPtrArray *
sf_sysfs_list_usb_devices (const char *sysfs_root)
{
  g_autofree char *path = g_build_filename (sysfs_root, "bus", "usb", "devices", NULL);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  GPtrArray *devices = g_ptr_array_new_with_free_func ((GDestroyNotify) sf_sysfs_usb_device_free);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    SfSysfsUsbDevice *device;

    if (!is_device_name (name))
      continue;
    device = sf_sysfs_read_usb_device (sysfs_root, name, NULL);
    if (device != NULL)
      g_ptr_array_add (devices, device);
  }
  return devices;
}

char *
sf_sysfs_find_port_path (const char *sysfs_root,
                         guint8      bus,
                         guint8      address)
{
  g_autoptr(GPtrArray) devices = sf_sysfs_list_usb_devices (sysfs_root);

  for (guint i = 0; i < devices->len; i++) {
    SfSysfsUsbDevice *d = g_ptr_array_index (devices, i);

    if (d->bus == bus && d->address == address)
      return g_strdup (d->port_path);
  }
  return NULL;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* The interfaces of @port_path: "1-2:1.0", "1-2:1.1", … in name order. */
static GPtrArray *
list_interfaces (const char *sysfs_root,
                 const char *port_path)
{
  g_autofree char *path = g_build_filename (sysfs_root, "bus", "usb", "devices", port_path, NULL);
  g_autofree char *prefix = g_strconcat (port_path, ":", NULL);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    if (g_str_has_prefix (name, prefix))
      g_ptr_array_add (names, g_strdup (name));
  }
  g_ptr_array_sort (names, compare_names);
  return names;
}

static gboolean
is_tty_name (const char *name)
{
  return g_str_has_prefix (name, "tty") && name[3] != '\0';
}

char *
sf_sysfs_find_tty (const char *sysfs_root,
                   const char *port_path)
{
  g_autoptr(GPtrArray) interfaces = NULL;

  g_return_val_if_fail (sysfs_root != NULL && port_path != NULL, NULL);

  interfaces = list_interfaces (sysfs_root, port_path);
  for (guint i = 0; i < interfaces->len; i++) {
    const char *intf = g_ptr_array_index (interfaces, i);
    g_autofree char *intf_path = g_build_filename (sysfs_root, "bus", "usb", "devices", port_path, intf, NULL);
    g_autofree char *tty_dir = g_build_filename (intf_path, "tty", NULL);
    g_autoptr(GDir) dir = g_dir_open (tty_dir, 0, NULL);
    const char *name;

    /* Today's layout: INTERFACE/tty/ttyACM0/ */
    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
      if (is_tty_name (name))
        return g_strdup (name);
    }

    /* Before Linux 2.6.29 or so: INTERFACE/tty:ttyACM0 */
    g_clear_pointer (&dir, g_dir_close);
    dir = g_dir_open (intf_path, 0, NULL);
    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
      if (g_str_has_prefix (name, "tty:") && is_tty_name (name + 4))
        return g_strdup (name + 4);
    }
  }
  return NULL;
}

gboolean
sf_sysfs_has_android_interface (const char *sysfs_root,
                                const char *port_path)
{
  g_autoptr(GPtrArray) interfaces = NULL;

  g_return_val_if_fail (sysfs_root != NULL && port_path != NULL, FALSE);

  interfaces = list_interfaces (sysfs_root, port_path);
  for (guint i = 0; i < interfaces->len; i++) {
    g_autofree char *name = g_build_filename (port_path, g_ptr_array_index (interfaces, i), NULL);
    g_autofree char *label = read_attr (sysfs_root, name, "interface");
    guint64 cls = 0, sub = 0, proto = 0;

    if (!read_number (sysfs_root, name, "bInterfaceClass", 16, 0xFF, &cls) ||
        !read_number (sysfs_root, name, "bInterfaceSubClass", 16, 0xFF, &sub) ||
        !read_number (sysfs_root, name, "bInterfaceProtocol", 16, 0xFF, &proto))
      continue;
    /* ADB (ff/42/01) and fastboot (ff/42/03): Google's own numbers. */
    if (cls == 0xFF && sub == 0x42 && (proto == 0x01 || proto == 0x03))
      return TRUE;
    /* PTP, the still-image class (06/01/01). */
    if (cls == 0x06 && sub == 0x01 && proto == 0x01)
      return TRUE;
    /* Android's MTP is vendor-specific; its interface string says so. */
    if (cls == 0xFF && label != NULL && g_ascii_strcasecmp (label, "MTP") == 0)
      return TRUE;
  }
  return FALSE;
}
