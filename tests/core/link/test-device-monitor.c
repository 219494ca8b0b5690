/* test-device-monitor.c — phones arriving: ids, sysfs, the udev rule, virtual phones, libusb descriptors, host checks
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * No USB hardware here: sysfs is a tree the tests build (laid out like
 * /sys/bus/usb/devices on Linux 6.x), virtual phones are scatterflash-sim
 * processes that announce themselves in a folder, and the libusb
 * transport's endpoint choice runs on descriptors made up in memory.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sf-device-monitor.h"
#include "sf-error.h"
#include "sf-host-check.h"
#include "sf-port-return.h"
#include "sf-sysfs.h"
#include "sf-test-util.h"
#include "sf-transport-usb.h"
#include "sf-usb-device.h"

static char *tmp;

static void
setup (void)
{
  tmp = sf_test_make_tempdir ();
}

static void
teardown (void)
{
  sf_test_rm_rf (tmp);
  g_clear_pointer (&tmp, g_free);
}

/* ---- ids ---------------------------------------------------------------------- */

static const struct {
  guint16          vid;
  guint16          pid;
  SfUsbDeviceKind  kind;
} id_cases[] = {
  { 0x0E8D, 0x0003, SF_USB_DEVICE_KIND_BROM },
  { 0x0E8D, 0x2000, SF_USB_DEVICE_KIND_PRELOADER },
  { 0x0E8D, 0x2001, SF_USB_DEVICE_KIND_DA },
  { 0x0E8D, 0x20FF, SF_USB_DEVICE_KIND_PRELOADER },
  { 0x0E8D, 0x3000, SF_USB_DEVICE_KIND_PRELOADER },
  { 0x0E8D, 0x6000, SF_USB_DEVICE_KIND_PRELOADER },
  { 0x0FCE, 0xF200, SF_USB_DEVICE_KIND_BROM },
  { 0x1004, 0x6000, SF_USB_DEVICE_KIND_PRELOADER },
  { 0x22D9, 0x0006, SF_USB_DEVICE_KIND_PRELOADER },
  { 0x0E8D, 0x2008, SF_USB_DEVICE_KIND_ANDROID_POWERED_ON },  /* MTP */
  { 0x0E8D, 0x200A, SF_USB_DEVICE_KIND_ANDROID_POWERED_ON },  /* MTP + ADB */
  { 0x0E8D, 0x2006, SF_USB_DEVICE_KIND_ANDROID_POWERED_ON },
  { 0x18D1, 0x4EE1, SF_USB_DEVICE_KIND_ANDROID_POWERED_ON },  /* Google MTP */
  { 0x18D1, 0x4EE2, SF_USB_DEVICE_KIND_ANDROID_POWERED_ON },  /* MTP + ADB */
  { 0x18D1, 0x4EE7, SF_USB_DEVICE_KIND_ANDROID_POWERED_ON },  /* ADB */
  { 0x18D1, 0x4EE0, SF_USB_DEVICE_KIND_ANDROID_POWERED_ON },  /* fastboot */
  { 0x18D1, 0xD001, SF_USB_DEVICE_KIND_ANDROID_POWERED_ON },
  { 0x0E8D, 0x0000, SF_USB_DEVICE_KIND_UNKNOWN },
  { 0x0E8D, 0x2009, SF_USB_DEVICE_KIND_UNKNOWN },
  { 0x046D, 0xC52B, SF_USB_DEVICE_KIND_UNKNOWN },   /* a Logitech receiver */
  { 0x1A86, 0x7523, SF_USB_DEVICE_KIND_UNKNOWN },   /* a CH340 UART cable */
  { 0x18D1, 0x0003, SF_USB_DEVICE_KIND_UNKNOWN },
};

START_TEST (test_id_table)
{
  for (guint i = 0; i < G_N_ELEMENTS (id_cases); i++)
    ck_assert_msg (sf_usb_device_kind_from_ids (id_cases[i].vid, id_cases[i].pid) == id_cases[i].kind,
                   "%04x:%04x is not %s", id_cases[i].vid, id_cases[i].pid,
                   sf_usb_device_kind_to_string (id_cases[i].kind));

  ck_assert (sf_usb_device_kind_is_flashable (SF_USB_DEVICE_KIND_BROM));
  ck_assert (sf_usb_device_kind_is_flashable (SF_USB_DEVICE_KIND_PRELOADER));
  ck_assert (sf_usb_device_kind_is_flashable (SF_USB_DEVICE_KIND_DA));
  ck_assert (sf_usb_device_kind_is_flashable (SF_USB_DEVICE_KIND_VIRTUAL));
  ck_assert (!sf_usb_device_kind_is_flashable (SF_USB_DEVICE_KIND_ANDROID_POWERED_ON));
  ck_assert (!sf_usb_device_kind_is_flashable (SF_USB_DEVICE_KIND_UNKNOWN));
  ck_assert_str_eq (sf_usb_device_kind_to_string (SF_USB_DEVICE_KIND_ANDROID_POWERED_ON), "android");
  ck_assert (G_TYPE_IS_ENUM (SF_TYPE_USB_DEVICE_KIND));
}
END_TEST

/* ---- a sysfs tree ---------------------------------------------------------------- */

static void
put (const char *root,
     const char *rel,
     const char *text)
{
  g_autofree char *path = g_build_filename (root, rel, NULL);

  sf_test_write_file (path, text, strlen (text));
}

static void
mkdirs (const char *root,
        const char *rel)
{
  g_autofree char *path = g_build_filename (root, rel, NULL);

  ck_assert_int_eq (g_mkdir_with_parents (path, 0755), 0);
}

/* ROOT/bus/usb/devices/NAME with its ids, built aside and renamed into
 * place so that a monitor polling the tree never sees half of it. */
static void
add_usb_device (const char *root,
                const char *name,
                guint16     vid,
                guint16     pid,
                guint       busnum,
                guint       devnum)
{
  g_autofree char *stage_rel = g_strdup_printf ("staging/%s", name);
  g_autofree char *stage = g_build_filename (root, stage_rel, NULL);
  g_autofree char *final = g_build_filename (root, "bus", "usb", "devices", name, NULL);
  g_autofree char *text = NULL;

  text = g_strdup_printf ("%04x\n", vid);
  put (stage, "idVendor", text);
  g_free (text);
  text = g_strdup_printf ("%04x\n", pid);
  put (stage, "idProduct", text);
  g_free (text);
  text = g_strdup_printf ("%u\n", busnum);
  put (stage, "busnum", text);
  g_free (text);
  text = g_strdup_printf ("%u\n", devnum);
  put (stage, "devnum", text);
  mkdirs (root, "bus/usb/devices");
  ck_assert_int_eq (g_rename (stage, final), 0);
}

static void
add_interface (const char *root,
               const char *device,
               const char *intf,
               const char *cls,
               const char *sub,
               const char *proto,
               const char *label)
{
  g_autofree char *rel = g_build_filename ("bus", "usb", "devices", device, intf, NULL);
  g_autofree char *dir = g_build_filename (root, rel, NULL);

  put (dir, "bInterfaceClass", cls);
  put (dir, "bInterfaceSubClass", sub);
  put (dir, "bInterfaceProtocol", proto);
  if (label != NULL)
    put (dir, "interface", label);
}

/* Like Linux: devices, their interfaces at the top level too, a root hub. */
static char *
make_sysfs (void)
{
  char *root = g_build_filename (tmp, "sys", NULL);

  /* A preloader, cdc_acm bound: 1-2/1-2:1.1/tty/ttyACM0 */
  add_usb_device (root, "1-2", 0x0E8D, 0x2000, 1, 5);
  add_interface (root, "1-2", "1-2:1.0", "02\n", "02\n", "01\n", NULL);
  add_interface (root, "1-2", "1-2:1.1", "0a\n", "00\n", "00\n", NULL);
  mkdirs (root, "bus/usb/devices/1-2/1-2:1.1/tty/ttyACM0");
  /* A BootROM behind a hub, in the old tty:NAME layout */
  add_usb_device (root, "3-1.4", 0x0E8D, 0x0003, 3, 9);
  add_interface (root, "3-1.4", "3-1.4:1.0", "02\n", "02\n", "01\n", NULL);
  mkdirs (root, "bus/usb/devices/3-1.4/3-1.4:1.0/tty:ttyACM1");
  /* A phone of some brand running Android with ADB … */
  add_usb_device (root, "1-3", 0x2717, 0xFF48, 1, 6);
  add_interface (root, "1-3", "1-3:1.0", "ff\n", "ff\n", "00\n", "MTP\n");
  add_interface (root, "1-3", "1-3:1.1", "ff\n", "42\n", "01\n", "ADB Interface\n");
  /* … one with MTP only, and a keyboard */
  add_usb_device (root, "1-4", 0x04E8, 0x6860, 1, 7);
  add_interface (root, "1-4", "1-4:1.0", "ff\n", "ff\n", "00\n", "MTP\n");
  add_usb_device (root, "1-5", 0x046D, 0xC31C, 1, 8);
  add_interface (root, "1-5", "1-5:1.0", "03\n", "01\n", "01\n", NULL);
  /* Not devices: a root hub and an interface entry */
  put (root, "bus/usb/devices/usb1/idVendor", "1d6b\n");
  mkdirs (root, "bus/usb/devices/1-2:1.0");
  return root;
}

START_TEST (test_port_paths)
{
  guint8 bus = 0, ports[8];
  int n = 0;
  g_autofree char *text = NULL;
  const char *bad[] = { "", "1", "1-", "-2", "1-2.", "0-1", "1-0", "1-2:1.0", "usb1", "1-2.3.4.5.6.7.8.9",
                        "256-1", "1-2x", "usb:", NULL };

  ck_assert (sf_sysfs_parse_port_path ("1-2.3", &bus, ports, &n));
  ck_assert_uint_eq (bus, 1);
  ck_assert_int_eq (n, 2);
  ck_assert_uint_eq (ports[0], 2);
  ck_assert_uint_eq (ports[1], 3);
  text = sf_sysfs_port_path (bus, ports, n);
  ck_assert_str_eq (text, "1-2.3");
  ck_assert (sf_sysfs_parse_port_path ("usb:3-1", &bus, ports, &n));
  ck_assert_uint_eq (bus, 3);
  ck_assert_int_eq (n, 1);
  for (guint i = 0; bad[i] != NULL; i++)
    ck_assert_msg (!sf_sysfs_parse_port_path (bad[i], &bus, ports, &n), "“%s” parsed", bad[i]);
}
END_TEST

START_TEST (test_sysfs_tty)
{
  g_autofree char *root = make_sysfs ();
  g_autofree char *tty0 = sf_sysfs_find_tty (root, "1-2");
  g_autofree char *tty1 = sf_sysfs_find_tty (root, "3-1.4");
  g_autofree char *none = sf_sysfs_find_tty (root, "1-3");
  g_autofree char *gone = sf_sysfs_find_tty (root, "2-7");
  g_autofree char *found = sf_sysfs_find_port_path (root, 3, 9);
  g_autoptr(GPtrArray) devices = sf_sysfs_list_usb_devices (root);
  g_autoptr(SfSysfsUsbDevice) d = NULL;
  g_autoptr(GError) error = NULL;

  ck_assert_str_eq (tty0, "ttyACM0");
  ck_assert_str_eq (tty1, "ttyACM1");
  ck_assert_ptr_null (none);
  ck_assert_ptr_null (gone);
  ck_assert_str_eq (found, "3-1.4");
  ck_assert_uint_eq (devices->len, 5);

  d = sf_sysfs_read_usb_device (root, "1-2", &error);
  ck_assert_msg (d != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (d->vid, 0x0E8D);
  ck_assert_uint_eq (d->pid, 0x2000);
  ck_assert_uint_eq (d->bus, 1);
  ck_assert_uint_eq (d->address, 5);
  ck_assert_ptr_null (sf_sysfs_read_usb_device (root, "2-7", NULL));

  ck_assert (sf_sysfs_has_android_interface (root, "1-3"));
  ck_assert (sf_sysfs_has_android_interface (root, "1-4"));
  ck_assert (!sf_sysfs_has_android_interface (root, "1-5"));
  ck_assert (!sf_sysfs_has_android_interface (root, "1-2"));
}
END_TEST

START_TEST (test_usb_device_object)
{
  g_autofree char *root = make_sysfs ();
  g_autoptr(SfUsbDevice) pl = sf_usb_device_new (0x0E8D, 0x2000, SF_USB_DEVICE_KIND_PRELOADER, 1, 5, "1-2", root);
  g_autoptr(SfUsbDevice) brom = sf_usb_device_new (0x0E8D, 0x0003, SF_USB_DEVICE_KIND_BROM, 3, 9, "3-1.4", root);
  g_autoptr(SfUsbDevice) virt = sf_usb_device_new_virtual ("42", "/dev/null", SF_BROM_MODE_PRELOADER, "MT6572");
  g_autofree char *node = sf_usb_device_dup_node_path (brom);
  g_autofree char *tty = NULL;
  g_autofree char *port = NULL;
  SfUsbDeviceKind kind = SF_USB_DEVICE_KIND_UNKNOWN;

  ck_assert_str_eq (sf_usb_device_get_tty_path (pl), "/dev/ttyACM0");
  ck_assert_str_eq (sf_usb_device_get_tty_path (brom), "/dev/ttyACM1");
  ck_assert_int_eq (sf_usb_device_get_mode (pl), SF_BROM_MODE_PRELOADER);
  ck_assert_int_eq (sf_usb_device_get_mode (brom), SF_BROM_MODE_BROM);
  ck_assert_str_eq (sf_usb_device_get_id (pl), "usb:1-2");
  ck_assert_ptr_nonnull (strstr (sf_usb_device_get_name (pl), "1-2"));
  ck_assert_str_eq (node, "/dev/bus/usb/003/009");
  g_object_get (pl, "kind", &kind, "tty-path", &tty, NULL);
  ck_assert_int_eq (kind, SF_USB_DEVICE_KIND_PRELOADER);
  ck_assert_str_eq (tty, "/dev/ttyACM0");

  ck_assert_int_eq (sf_usb_device_get_kind (virt), SF_USB_DEVICE_KIND_VIRTUAL);
  ck_assert_str_eq (sf_usb_device_get_id (virt), "virtual:42");
  ck_assert_ptr_null (sf_usb_device_dup_node_path (virt));
  port = sf_usb_device_wait_for_port (virt, 100, NULL, NULL);
  ck_assert_str_eq (port, "/dev/null");
}
END_TEST

/* ---- the monitor on a sysfs tree --------------------------------------------------- */

typedef struct {
  GPtrArray *added;    /* SfUsbDevice */
  GPtrArray *removed;
  GThread   *thread;   /* where the signals came */
  gboolean   wrong_thread;
} Seen;

static void
on_added (SfDeviceMonitor *monitor,
          SfUsbDevice     *device,
          Seen            *seen)
{
  seen->wrong_thread |= g_thread_self () != seen->thread;
  g_ptr_array_add (seen->added, g_object_ref (device));
}

static void
on_removed (SfDeviceMonitor *monitor,
            SfUsbDevice     *device,
            Seen            *seen)
{
  seen->wrong_thread |= g_thread_self () != seen->thread;
  g_ptr_array_add (seen->removed, g_object_ref (device));
}

static void
seen_init (Seen *seen)
{
  seen->added = g_ptr_array_new_with_free_func (g_object_unref);
  seen->removed = g_ptr_array_new_with_free_func (g_object_unref);
  seen->thread = g_thread_self ();
  seen->wrong_thread = FALSE;
}

static void
seen_clear (Seen *seen)
{
  g_ptr_array_unref (seen->added);
  g_ptr_array_unref (seen->removed);
}

/* Iterates the default context until *@count reaches @want (10 s at most). */
static gboolean
iterate_until (guint *count,
               guint  want)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (*count < want && g_get_monotonic_time () < deadline) {
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
  }
  return *count >= want;
}

static SfUsbDevice *
find_added (Seen       *seen,
            const char *id)
{
  for (guint i = 0; i < seen->added->len; i++) {
    SfUsbDevice *d = g_ptr_array_index (seen->added, i);

    if (g_strcmp0 (sf_usb_device_get_id (d), id) == 0)
      return d;
  }
  return NULL;
}

START_TEST (test_monitor_sysfs)
{
  g_autofree char *root = make_sysfs ();
  g_autoptr(SfDeviceMonitor) monitor = sf_device_monitor_new_for_sysfs (root);
  g_autoptr(GError) error = NULL;
  g_autoptr(SfUsbDevice) first = NULL;
  g_autofree char *gone = NULL;
  SfUsbDevice *d;
  Seen seen;

  seen_init (&seen);
  g_signal_connect (monitor, "device-added", G_CALLBACK (on_added), &seen);
  g_signal_connect (monitor, "device-removed", G_CALLBACK (on_removed), &seen);
  ck_assert_msg (sf_device_monitor_start (monitor, &error), "%s", error ? error->message : "");

  /* Already there: the preloader, the BootROM and two Android phones; not
   * the keyboard. */
  ck_assert (iterate_until (&seen.added->len, 4));
  g_usleep (100 * 1000);
  while (g_main_context_iteration (NULL, FALSE));
  ck_assert_uint_eq (seen.added->len, 4);
  ck_assert_uint_eq (g_list_model_get_n_items (sf_device_monitor_get_devices (monitor)), 4);
  d = find_added (&seen, "usb:1-2");
  ck_assert_ptr_nonnull (d);
  ck_assert_int_eq (sf_usb_device_get_kind (d), SF_USB_DEVICE_KIND_PRELOADER);
  ck_assert_str_eq (sf_usb_device_get_tty_path (d), "/dev/ttyACM0");
  ck_assert_int_eq (sf_usb_device_get_kind (find_added (&seen, "usb:3-1.4")), SF_USB_DEVICE_KIND_BROM);
  ck_assert_int_eq (sf_usb_device_get_kind (find_added (&seen, "usb:1-3")), SF_USB_DEVICE_KIND_ANDROID_POWERED_ON);
  ck_assert_int_eq (sf_usb_device_get_kind (find_added (&seen, "usb:1-4")), SF_USB_DEVICE_KIND_ANDROID_POWERED_ON);
  ck_assert_ptr_null (find_added (&seen, "usb:1-5"));

  /* The CLI's helper hands out phones that can be flashed, oldest first,
   * each once. */
  first = sf_device_monitor_wait_for_phone (monitor, 1000, NULL, &error);
  ck_assert_msg (first != NULL, "%s", error ? error->message : "");
  ck_assert (sf_usb_device_kind_is_flashable (sf_usb_device_get_kind (first)));
  g_clear_object (&first);
  first = sf_device_monitor_wait_for_phone (monitor, 1000, NULL, &error);
  ck_assert (first != NULL);
  ck_assert_ptr_null (sf_device_monitor_wait_for_phone (monitor, 100, NULL, &error));
  ck_assert (g_error_matches (error, SF_ERROR, SF_ERROR_TIMEOUT));
  g_clear_error (&error);

  /* A BootROM arrives; cdc_acm makes its tty a moment later. */
  add_usb_device (root, "2-1", 0x0E8D, 0x0003, 2, 3);
  ck_assert (iterate_until (&seen.added->len, 5));
  d = find_added (&seen, "usb:2-1");
  ck_assert_ptr_nonnull (d);
  ck_assert_ptr_null (sf_usb_device_get_tty_path (d));
  add_interface (root, "2-1", "2-1:1.0", "02\n", "02\n", "01\n", NULL);
  mkdirs (root, "bus/usb/devices/2-1/2-1:1.0/tty/ttyACM4");
  {
    gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

    while (sf_usb_device_get_tty_path (d) == NULL && g_get_monotonic_time () < deadline) {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (2000);
    }
  }
  ck_assert_str_eq (sf_usb_device_get_tty_path (d), "/dev/ttyACM4");

  /* … and leaves. */
  gone = g_build_filename (root, "bus", "usb", "devices", "2-1", NULL);
  sf_test_rm_rf (gone);
  ck_assert (iterate_until (&seen.removed->len, 1));
  ck_assert_str_eq (sf_usb_device_get_id (g_ptr_array_index (seen.removed, 0)), "usb:2-1");
  ck_assert_uint_eq (g_list_model_get_n_items (sf_device_monitor_get_devices (monitor)), 4);
  ck_assert (!seen.wrong_thread);

  sf_device_monitor_stop (monitor);
  seen_clear (&seen);
}
END_TEST

/* The signals come on the context that was the thread default when the
 * monitor was made, not on the thread that polls. */
static gpointer
monitor_thread (gpointer data)
{
  const char *root = data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(SfDeviceMonitor) monitor = NULL;
  gint64 deadline;
  Seen seen;
  gboolean ok;

  g_main_context_push_thread_default (context);
  monitor = sf_device_monitor_new_for_sysfs (root);
  seen_init (&seen);
  g_signal_connect (monitor, "device-added", G_CALLBACK (on_added), &seen);
  ok = sf_device_monitor_start (monitor, NULL);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (ok && seen.added->len < 4 && g_get_monotonic_time () < deadline) {
    if (!g_main_context_iteration (context, FALSE))
      g_usleep (2000);
  }
  ok = ok && seen.added->len == 4 && !seen.wrong_thread;
  g_clear_object (&monitor);
  seen_clear (&seen);
  g_main_context_pop_thread_default (context);
  return GINT_TO_POINTER (ok);
}

START_TEST (test_monitor_context)
{
  g_autofree char *root = make_sysfs ();
  GThread *thread = g_thread_new ("test-monitor", monitor_thread, root);

  ck_assert (GPOINTER_TO_INT (g_thread_join (thread)));
}
END_TEST

/* ---- virtual phones --------------------------------------------------------------- */

/* scatterflash-sim --announce DIR; returns its port. */
static char *
start_sim (const char *storage,
           const char *mode,
           const char *announce_dir,
           GPid       *pid)
{
  const char *sim = g_getenv ("SF_SIM");
  const char *argv[] = { sim, "--storage", storage, "--emmc-user-size", "64M", "--mode", mode,
                         "--announce", announce_dir, NULL };
  g_autoptr(GError) error = NULL;
  char line[256] = { 0 };
  gsize len = 0;
  int out_fd;

  ck_assert_msg (sim != NULL, "SF_SIM is not set");
  ck_assert_msg (g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                           pid, NULL, &out_fd, NULL, &error),
                 "%s", error ? error->message : "");
  while (len < sizeof line - 1 && read (out_fd, line + len, 1) == 1 && line[len] != '\n')
    len++;
  close (out_fd);
  line[len] = '\0';
  ck_assert_msg (g_str_has_prefix (line, "PORT "), "the sim said “%s”", line);
  return g_strdup (line + 5);
}

static void
stop_sim (GPid pid)
{
  int status = 0;

  kill (pid, SIGTERM);
  ck_assert_int_eq (waitpid (pid, &status, 0), pid);
  ck_assert (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  g_spawn_close_pid (pid);
}

START_TEST (test_monitor_virtual)
{
  g_autofree char *dir = g_build_filename (tmp, "announce", NULL);
  g_autofree char *storage = g_build_filename (tmp, "phone", NULL);
  g_autofree char *stale = g_build_filename (dir, "99.phone", NULL);
  g_autoptr(SfDeviceMonitor) monitor = sf_device_monitor_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *port = NULL;
  g_autofree char *ready = NULL;
  g_autofree char *announce = NULL;
  g_autoptr(SfUsbDevice) phone = NULL;
  SfUsbDevice *d;
  GPid pid;
  Seen seen;

  /* A file a killed simulator left behind does not count. */
  g_mkdir_with_parents (dir, 0700);
  put (dir, "99.phone", "[phone]\nport=/dev/pts/999\nmode=brom\nchip=MT6572\npid=2147483600\n");

  seen_init (&seen);
  g_signal_connect (monitor, "device-added", G_CALLBACK (on_added), &seen);
  g_signal_connect (monitor, "device-removed", G_CALLBACK (on_removed), &seen);
  ck_assert_msg (sf_device_monitor_add_virtual_dir (monitor, dir, &error), "%s", error ? error->message : "");
  ck_assert_uint_eq (seen.added->len, 0);

  port = start_sim (storage, "preloader", dir, &pid);
  ck_assert (iterate_until (&seen.added->len, 1));
  d = g_ptr_array_index (seen.added, 0);
  ck_assert_int_eq (sf_usb_device_get_kind (d), SF_USB_DEVICE_KIND_VIRTUAL);
  ck_assert_str_eq (sf_usb_device_get_tty_path (d), port);
  ck_assert_int_eq (sf_usb_device_get_mode (d), SF_BROM_MODE_PRELOADER);
  ck_assert_str_eq (sf_usb_device_get_chip (d), "MT6572");
  announce = g_strdup_printf ("virtual:%d", (int) pid);
  ck_assert_str_eq (sf_usb_device_get_id (d), announce);

  phone = sf_device_monitor_wait_for_phone (monitor, 1000, NULL, &error);
  ck_assert_ptr_eq (phone, d);
  ready = sf_usb_device_wait_for_port (phone, 1000, NULL, &error);
  ck_assert_str_eq (ready, port);

  /* A second monitor finds it at once (the initial scan). */
  {
    g_autoptr(SfDeviceMonitor) other = sf_device_monitor_new ();

    ck_assert (sf_device_monitor_add_virtual_dir (other, dir, NULL));
    ck_assert_uint_eq (g_list_model_get_n_items (sf_device_monitor_get_devices (other)), 1);
  }

  stop_sim (pid);
  ck_assert (iterate_until (&seen.removed->len, 1));
  ck_assert_ptr_eq (g_ptr_array_index (seen.removed, 0), d);
  ck_assert_uint_eq (g_list_model_get_n_items (sf_device_monitor_get_devices (monitor)), 0);
  ck_assert (g_file_test (stale, G_FILE_TEST_EXISTS));
  seen_clear (&seen);
}
END_TEST

/* ---- the udev rule ------------------------------------------------------------------ */

static gboolean
is_match_key (const char *key)
{
  const char *keys[] = { "ACTION", "SUBSYSTEM", "SUBSYSTEMS", "KERNEL", "KERNELS", "ATTR", "ATTRS", "ENV",
                         "TAG", "TAGS", "DRIVER", "DRIVERS", "DEVPATH", "TEST", "PROGRAM", "RESULT", NULL };

  return g_strv_contains (keys, key);
}

static gboolean
is_assign_key (const char *key)
{
  const char *keys[] = { "ENV", "TAG", "MODE", "GROUP", "OWNER", "GOTO", "LABEL", "RUN", "SYMLINK", "NAME",
                         "OPTIONS", "IMPORT", "ATTR", NULL };

  return g_strv_contains (keys, key);
}

/* Splits a rule line on the commas between KEY OP "VALUE" pairs. */
static GStrv
split_rule (const char *line)
{
  g_autoptr(GStrvBuilder) parts = g_strv_builder_new ();
  GString *cur = g_string_new (NULL);
  gboolean quoted = FALSE;

  for (const char *p = line; *p != '\0'; p++) {
    if (*p == '"')
      quoted = !quoted;
    if (*p == ',' && !quoted) {
      g_strv_builder_add (parts, g_strstrip (cur->str));
      g_string_truncate (cur, 0);
      continue;
    }
    g_string_append_c (cur, *p);
  }
  ck_assert_msg (!quoted, "unbalanced quotes in: %s", line);
  g_strv_builder_add (parts, g_strstrip (cur->str));
  g_string_free (cur, TRUE);
  return g_strv_builder_end (parts);
}

START_TEST (test_udev_rule)
{
  const char *source = g_getenv ("SF_UDEV_RULES");
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GRegex) pair = g_regex_new ("^([A-Z_]+)(\\{([A-Za-z0-9_]+)\\})?(==|!=|\\+=|-=|:=|=)\"([^\"]*)\"$",
                                        0, 0, NULL);
  g_autoptr(GHashTable) gotos = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gboolean brom = FALSE, preloader = FALSE, da = FALSE, uaccess = FALSE, mm_ignore = FALSE, tty_rule = FALSE;
  guint rules = 0;

  ck_assert_msg (source != NULL, "SF_UDEV_RULES is not set");
  ck_assert (g_file_get_contents (source, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++) {
    g_autofree char *line = g_strstrip (g_strdup (lines[i]));
    g_auto(GStrv) parts = NULL;
    gboolean has_match = FALSE, has_assign = FALSE, matches_mtk = FALSE;

    if (*line == '\0' || *line == '#')
      continue;
    ck_assert_msg (!g_str_has_suffix (line, "\\"), "line %u: no continuation lines, please", i + 1);
    parts = split_rule (line);
    for (guint j = 0; parts[j] != NULL; j++) {
      g_autoptr(GMatchInfo) m = NULL;
      g_autofree char *key = NULL;
      g_autofree char *attr = NULL;
      g_autofree char *op = NULL;
      g_autofree char *value = NULL;
      gboolean is_match;

      ck_assert_msg (g_regex_match (pair, parts[j], 0, &m), "line %u: “%s” is not KEY==\"VALUE\"", i + 1, parts[j]);
      key = g_match_info_fetch (m, 1);
      attr = g_match_info_fetch (m, 3);
      op = g_match_info_fetch (m, 4);
      value = g_match_info_fetch (m, 5);
      is_match = g_str_equal (op, "==") || g_str_equal (op, "!=");
      ck_assert_msg (is_match ? is_match_key (key) : is_assign_key (key), "line %u: %s cannot take %s", i + 1, key, op);
      /* Keys with an {attribute} and keys without one. */
      ck_assert_msg ((*attr != '\0') == (g_str_equal (key, "ATTR") || g_str_equal (key, "ATTRS") ||
                                         g_str_equal (key, "ENV") || g_str_equal (key, "TEST")),
                     "line %u: %s{%s}", i + 1, key, attr);
      has_match |= is_match;
      has_assign |= !is_match;

      if (is_match && g_str_equal (attr, "idVendor") && g_str_equal (value, "0e8d"))
        matches_mtk = TRUE;
      if (is_match && g_str_equal (attr, "idProduct") && matches_mtk) {
        g_auto(GStrv) pids = g_strsplit (value, "|", -1);

        brom |= g_strv_contains ((const char * const *) pids, "0003");
        preloader |= g_strv_contains ((const char * const *) pids, "2000");
        da |= g_strv_contains ((const char * const *) pids, "2001");
      }
      if (matches_mtk && g_str_equal (key, "TAG") && g_str_equal (op, "+=") && g_str_equal (value, "uaccess"))
        uaccess = TRUE;
      if (matches_mtk && g_str_equal (key, "ENV") && g_str_equal (attr, "ID_MM_DEVICE_IGNORE") &&
          g_str_equal (op, "=") && g_str_equal (value, "1"))
        mm_ignore = TRUE;
      if (is_match && g_str_equal (key, "SUBSYSTEM") && g_str_equal (value, "tty") && g_str_equal (op, "=="))
        tty_rule = TRUE;
      if (g_str_equal (key, "GOTO"))
        g_hash_table_add (gotos, g_strdup (value));
      if (g_str_equal (key, "LABEL"))
        g_hash_table_add (labels, g_strdup (value));
    }
    ck_assert_msg (has_match || g_str_has_prefix (line, "LABEL"), "line %u matches nothing", i + 1);
    ck_assert_msg (has_assign, "line %u does nothing", i + 1);
    rules++;
  }

  ck_assert_uint_gt (rules, 0);
  ck_assert_msg (brom && preloader && da, "the MediaTek BootROM, preloader and DA ids must all be there");
  ck_assert_msg (uaccess, "TAG+=\"uaccess\" is missing for 0e8d");
  ck_assert_msg (mm_ignore, "ENV{ID_MM_DEVICE_IGNORE}=\"1\" is missing for 0e8d");
  ck_assert_msg (tty_rule, "no rule for the tty");
  {
    GHashTableIter iter;
    gpointer label;

    g_hash_table_iter_init (&iter, gotos);
    while (g_hash_table_iter_next (&iter, &label, NULL))
      ck_assert_msg (g_hash_table_contains (labels, label), "GOTO=\"%s\" without its LABEL", (char *) label);
  }

  /* systemd ≥ 254 can check it too; Debian 12's udev 252 has no "verify". */
  {
    g_autofree char *udevadm = g_find_program_in_path ("udevadm");
    const char *help[] = { udevadm, "verify", "--help", NULL };
    const char *verify[] = { udevadm, "verify", source, NULL };
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int status = 0;

    if (udevadm != NULL &&
        g_spawn_sync (NULL, (char **) help, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                      NULL, NULL, NULL, NULL, &status, NULL) &&
        g_spawn_check_wait_status (status, NULL)) {
      ck_assert (g_spawn_sync (NULL, (char **) verify, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, NULL));
      ck_assert_msg (g_spawn_check_wait_status (status, NULL), "udevadm verify: %s%s", out, err);
    }
  }
}
END_TEST

/* ---- the libusb transport without hardware ---------------------------------------- */

START_TEST (test_usb_endpoints)
{
  struct libusb_endpoint_descriptor notify_ep[] = {
    { .bEndpointAddress = 0x83, .bmAttributes = LIBUSB_TRANSFER_TYPE_INTERRUPT, .wMaxPacketSize = 16 },
  };
  struct libusb_endpoint_descriptor data_ep[] = {
    { .bEndpointAddress = 0x81, .bmAttributes = LIBUSB_TRANSFER_TYPE_BULK, .wMaxPacketSize = 512 },
    { .bEndpointAddress = 0x01, .bmAttributes = LIBUSB_TRANSFER_TYPE_BULK, .wMaxPacketSize = 512 },
  };
  struct libusb_endpoint_descriptor vendor_ep[] = {
    { .bEndpointAddress = 0x02, .bmAttributes = LIBUSB_TRANSFER_TYPE_BULK, .wMaxPacketSize = 64 },
    { .bEndpointAddress = 0x82, .bmAttributes = LIBUSB_TRANSFER_TYPE_BULK, .wMaxPacketSize = 64 },
  };
  struct libusb_interface_descriptor comm_alt = {
    .bInterfaceNumber = 0, .bNumEndpoints = 1, .bInterfaceClass = 0x02, .endpoint = notify_ep,
  };
  struct libusb_interface_descriptor data_alt = {
    .bInterfaceNumber = 1, .bNumEndpoints = 2, .bInterfaceClass = 0x0A, .endpoint = data_ep,
  };
  struct libusb_interface_descriptor vendor_alt = {
    .bInterfaceNumber = 0, .bNumEndpoints = 2, .bInterfaceClass = 0xFF, .endpoint = vendor_ep,
  };
  struct libusb_interface cdc_interfaces[] = {
    { .altsetting = &comm_alt, .num_altsetting = 1 },
    { .altsetting = &data_alt, .num_altsetting = 1 },
  };
  struct libusb_interface mixed_interfaces[] = {
    { .altsetting = &vendor_alt, .num_altsetting = 1 },
    { .altsetting = &data_alt, .num_altsetting = 1 },
  };
  struct libusb_config_descriptor config = { .bNumInterfaces = 2, .interface = cdc_interfaces };
  SfUsbEndpoints ep;
  g_autoptr(GError) error = NULL;

  /* MediaTek's CDC-ACM: the data interface's bulk pair (protocol.md §1.2). */
  ck_assert_msg (sf_transport_usb_find_endpoints (&config, &ep, &error), "%s", error ? error->message : "");
  ck_assert_int_eq (ep.data_interface, 1);
  ck_assert_int_eq (ep.control_interface, 0);
  ck_assert_uint_eq (ep.ep_in, 0x81);
  ck_assert_uint_eq (ep.ep_out, 0x01);
  ck_assert_uint_eq (ep.max_packet, 512);

  /* A vendor interface with bulk endpoints comes first: class 0x0A wins. */
  config.interface = mixed_interfaces;
  ck_assert (sf_transport_usb_find_endpoints (&config, &ep, NULL));
  ck_assert_int_eq (ep.data_interface, 1);
  ck_assert_int_eq (ep.control_interface, -1);

  /* Only the vendor one: take it. */
  config.bNumInterfaces = 1;
  ck_assert (sf_transport_usb_find_endpoints (&config, &ep, NULL));
  ck_assert_int_eq (ep.data_interface, 0);
  ck_assert_uint_eq (ep.ep_in, 0x82);
  ck_assert_uint_eq (ep.ep_out, 0x02);

  /* No bulk pair at all. */
  config.interface = cdc_interfaces;
  ck_assert (!sf_transport_usb_find_endpoints (&config, &ep, &error));
  ck_assert (g_error_matches (error, SF_ERROR, SF_ERROR_COM_PORT_OPEN_FAIL));
}
END_TEST

START_TEST (test_usb_paths)
{
  const char *paths[] = { "usb:", "usb:x", "usb:1-2:1.0", "usb:250-7.7.7" };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(SfTransport) t = sf_transport_open_port (paths[i], &error);

    ck_assert_msg (t == NULL, "%s opened", paths[i]);
    ck_assert_msg (g_error_matches (error, SF_ERROR, SF_ERROR_COM_PORT_OPEN_FAIL), "%s: %s", paths[i],
                   error ? error->message : "");
  }
}
END_TEST

/* ---- what is in the way --------------------------------------------------------------- */

static const SfHostProblem *
find_problem (GPtrArray         *problems,
              SfHostProblemKind  kind)
{
  for (guint i = 0; i < problems->len; i++) {
    const SfHostProblem *p = g_ptr_array_index (problems, i);

    if (p->kind == kind)
      return p;
  }
  return NULL;
}

START_TEST (test_host_check)
{
  g_autofree char *proc = g_build_filename (tmp, "proc", NULL);
  g_autofree char *rules = g_build_filename (tmp, "rules.d", NULL);
  g_autofree char *rule = g_build_filename (rules, SF_UDEV_RULES_NAME, NULL);
  const char *dirs[] = { rules, NULL };
  SfHostCheckOptions opts = { .proc_root = proc, .rules_dirs = dirs, .rules_file = "/opt/sf/60-scatterflash.rules",
                              .as_user = TRUE };
  g_autoptr(GPtrArray) problems = NULL;
  const SfHostProblem *p;

  put (proc, "1/comm", "systemd\n");
  put (proc, "412/comm", "ModemManager\n");
  put (proc, "977/comm", "brltty\n");
  put (proc, "sys/comm", "ModemManager\n");   /* not a process */
  g_mkdir_with_parents (rules, 0755);

  ck_assert (sf_host_process_running (proc, "ModemManager"));
  ck_assert (!sf_host_process_running (proc, "Modem"));

  problems = sf_host_check_system (&opts);
  ck_assert_uint_eq (problems->len, 3);
  p = find_problem (problems, SF_HOST_PROBLEM_MODEM_MANAGER);
  ck_assert_ptr_nonnull (p);
  ck_assert_str_eq (p->command, "sudo systemctl disable --now ModemManager.service");
  ck_assert (!p->fatal);
  p = find_problem (problems, SF_HOST_PROBLEM_NO_UDEV_RULE);
  ck_assert_ptr_nonnull (p);
  ck_assert_str_eq (p->command, "sudo cp /opt/sf/60-scatterflash.rules /etc/udev/rules.d/ && sudo udevadm control --reload");
  p = find_problem (problems, SF_HOST_PROBLEM_BRLTTY);
  ck_assert_ptr_nonnull (p);
  ck_assert_ptr_nonnull (strstr (p->command, "brltty"));
  g_clear_pointer (&problems, g_ptr_array_unref);

  /* With the rule, ModemManager leaves MediaTek ports alone. */
  put (rules, SF_UDEV_RULES_NAME, "# installed\n");
  problems = sf_host_check_system (&opts);
  ck_assert_uint_eq (problems->len, 1);
  ck_assert_ptr_nonnull (find_problem (problems, SF_HOST_PROBLEM_BRLTTY));
  g_clear_pointer (&problems, g_ptr_array_unref);
  g_unlink (rule);

  /* A virtual phone's pty we may open: nothing to say. */
  {
    g_autoptr(SfUsbDevice) virt = sf_usb_device_new_virtual ("1", "/dev/null", SF_BROM_MODE_BROM, NULL);

    ck_assert_ptr_null (sf_host_check_device (virt, &opts));
  }
}
END_TEST

/* §13.8: where a phone that left the bus came back, as the monitors in
 * the process noted it. */
START_TEST (test_port_return)
{
  g_autoptr(SfUsbDevice) preloader = sf_usb_device_new (0x0E8D, 0x2000, SF_USB_DEVICE_KIND_PRELOADER, 1, 5,
                                                        "1-7", "/nonexistent");
  g_autoptr(SfUsbDevice) brom = NULL;
  g_autoptr(SfUsbDevice) da = NULL;
  g_autoptr(SfUsbDevice) found = NULL;
  g_autoptr(SfUsbDevice) phone = sf_usb_device_new_virtual ("4242", "/dev/pts/4242", SF_BROM_MODE_PRELOADER, "MT6572");
  g_autoptr(SfUsbDevice) phone_back = NULL;
  gint64 left;

  sf_port_return_note_device (preloader, NULL);
  sf_port_return_note_device (preloader, "/dev/ttyACM7");   /* its tty, once cdc_acm made it */
  sf_port_return_note_device (phone, sf_usb_device_get_tty_path (phone));
  g_usleep (1000);
  left = g_get_monotonic_time ();
  /* Nothing came back yet: the same path is all there is to try. */
  ck_assert_ptr_null (sf_port_return_find ("/dev/ttyACM7", left));
  ck_assert_ptr_null (sf_port_return_find ("/dev/pts/4242", left));
  /* On the same socket, a BootROM: the phone started over, not our DA. */
  brom = sf_usb_device_new (0x0E8D, 0x0003, SF_USB_DEVICE_KIND_BROM, 1, 6, "1-7", "/nonexistent");
  sf_port_return_note_device (brom, NULL);
  ck_assert_ptr_null (sf_port_return_find ("/dev/ttyACM7", left));
  /* The DA's port on the same socket, whatever its tty will be called. */
  da = sf_usb_device_new (0x0E8D, 0x2001, SF_USB_DEVICE_KIND_DA, 1, 7, "1-7", "/nonexistent");
  sf_port_return_note_device (da, NULL);
  found = sf_port_return_find ("/dev/ttyACM7", left);
  ck_assert_ptr_eq (found, da);
  g_clear_object (&found);
  /* ...but not for a switch after it arrived. */
  ck_assert_ptr_null (sf_port_return_find ("/dev/ttyACM7", g_get_monotonic_time () + 1));
  /* A virtual phone announced again with another pty. */
  phone_back = sf_usb_device_new_virtual ("4242", "/dev/pts/4243", SF_BROM_MODE_AUTO, "MT6572");
  sf_port_return_note_device (phone_back, sf_usb_device_get_tty_path (phone_back));
  found = sf_port_return_find ("/dev/pts/4242", left);
  ck_assert_ptr_eq (found, phone_back);
  g_clear_object (&found);
  /* An unknown path: nobody to follow. */
  ck_assert_ptr_null (sf_port_return_find ("/dev/ttyUSB9", 0));
}
END_TEST

static Suite *
device_monitor_suite (void)
{
  Suite *s = suite_create ("device-monitor");
  TCase *tc = tcase_create ("ids");

  tcase_add_test (tc, test_id_table);
  tcase_add_test (tc, test_port_paths);
  suite_add_tcase (s, tc);

  tc = tcase_create ("sysfs");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_sysfs_tty);
  tcase_add_test (tc, test_usb_device_object);
  tcase_add_test (tc, test_monitor_sysfs);
  tcase_add_test (tc, test_monitor_context);
  suite_add_tcase (s, tc);

  tc = tcase_create ("virtual");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_monitor_virtual);
  tcase_add_test (tc, test_port_return);
  suite_add_tcase (s, tc);

  tc = tcase_create ("udev-rule");
  tcase_add_test (tc, test_udev_rule);
  suite_add_tcase (s, tc);

  tc = tcase_create ("usb-transport");
  tcase_add_test (tc, test_usb_endpoints);
  tcase_add_test (tc, test_usb_paths);
  suite_add_tcase (s, tc);

  tc = tcase_create ("host-check");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_host_check);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return sf_test_run_suite (device_monitor_suite ());
}
