/* sf-device-monitor.c — phones arriving and leaving: libusb hotplug and virtual phones
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <libusb.h>
#include <glib-unix.h>
#include <signal.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "sf-device-monitor.h"
#include "sf-error.h"
#include "sf-port-return.h"
#include "sf-sysfs.h"

/* How often the sysfs fallback looks at the bus: a preloader port lives
 * for a few seconds and the handshake must start within 100 ms of it. */
#define SYSFS_POLL_MS        20
/* The libusb event loop wakes this often to look at the stop flag and at
 * devices whose interfaces were not there yet. */
#define EVENT_WAKE_MS        100
/* How long after arrival an unknown device may still turn out to have ADB
 * or MTP interfaces (the kernel adds them after the device). */
#define RECHECK_US           (1000 * 1000)
/* How long after arrival the monitor looks for a tty that cdc_acm makes. */
#define TTY_LOOK_US          (3000 * 1000)
#define TTY_POLL_MS          10

#define ANNOUNCE_SUFFIX      ".phone"
#define ANNOUNCE_GROUP       "phone"

typedef struct {
  gboolean         arrived;
  guint16          vid;
  guint16          pid;
  guint8           bus;
  guint8           address;
  SfUsbDeviceKind  kind;
  char            *port_path;
} UsbEvent;

static void
usb_event_free (UsbEvent *event)
{
  g_free (event->port_path);
  g_free (event);
}

/* An unknown device seen by the libusb thread, looked at again until its
 * interfaces show whether it runs Android. Event thread only. */
typedef struct {
  UsbEvent  *event;
  gint64     since;
} Recheck;

struct _SfDeviceMonitor
{
  GObject          parent_instance;

  GMainContext    *context;        /* where signals are emitted */
  char            *sysfs_root;
  gboolean         use_libusb;     /* FALSE for a test's sysfs tree */
  GListStore      *devices;        /* SfUsbDevice, owner thread only */
  GHashTable      *claimed;        /* SfUsbDevice* returned by wait_for_phone */

  /* USB watching */
  libusb_context  *usb;
  libusb_hotplug_callback_handle hotplug;
  gboolean         hotplug_registered;
  GThread         *thread;
  int              stop_flag;      /* read by the thread, set by stop() */
  GPtrArray       *rechecks;       /* (element-type Recheck), thread only */

  /* Hand-over from the thread to the context */
  GAsyncQueue     *events;
  GMutex           lock;
  GSource         *dispatch;       /* guarded by lock */
  gboolean         stopped;        /* guarded by lock */

  GSource         *tty_poll;

  /* Virtual phones */
  GPtrArray       *inotify_watches; /* InotifyWatch */
  GPtrArray       *file_monitors;  /* GFileMonitor, where inotify is not */
};

/* A folder of announce files, watched with inotify itself: GFileMonitor's
 * inotify backend holds back bursts of events for up to 100 ms, and four
 * phones plugged in at once must each get their first byte sooner. */
typedef struct {
  SfDeviceMonitor *monitor;   /* not a reference: stop() destroys the watch */
  GFile           *folder;
  int              fd;
  GSource         *source;
} InotifyWatch;

G_DEFINE_FINAL_TYPE (SfDeviceMonitor, sf_device_monitor, G_TYPE_OBJECT)

enum {
  SIGNAL_DEVICE_ADDED,
  SIGNAL_DEVICE_REMOVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- the list ---------------------------------------------------------------- */

static gboolean
find_device (SfDeviceMonitor *self,
             const char      *id,
             guint           *out_position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->devices));

  for (guint i = 0; i < n; i++) {
    g_autoptr(SfUsbDevice) device = g_list_model_get_item (G_LIST_MODEL (self->devices), i);

    if (g_strcmp0 (sf_usb_device_get_id (device), id) == 0) {
      if (out_position != NULL)
        *out_position = i;
      return TRUE;
    }
  }
  return FALSE;
}

static gboolean on_tty_poll (gpointer user_data);

static void
ensure_tty_poll (SfDeviceMonitor *self)
{
  if (self->tty_poll != NULL)
    return;
  self->tty_poll = g_timeout_source_new (TTY_POLL_MS);
  g_source_set_callback (self->tty_poll, on_tty_poll, self, NULL);
  g_source_attach (self->tty_poll, self->context);
}

static void
add_device (SfDeviceMonitor *self,
            SfUsbDevice     *device)
{
  if (find_device (self, sf_usb_device_get_id (device), NULL))
    return;
  g_debug ("device monitor: + %s", sf_usb_device_get_name (device));
  g_list_store_append (self->devices, device);
  /* A job whose phone left the bus looks for it there (§13.8). */
  sf_port_return_note_device (device, sf_usb_device_get_tty_path (device));
  if (sf_usb_device_get_tty_path (device) == NULL &&
      sf_usb_device_kind_is_flashable (sf_usb_device_get_kind (device)))
    ensure_tty_poll (self);
  g_signal_emit (self, signals[SIGNAL_DEVICE_ADDED], 0, device);
}

static void
remove_device (SfDeviceMonitor *self,
               const char      *id)
{
  g_autoptr(SfUsbDevice) device = NULL;
  guint position;

  if (!find_device (self, id, &position))
    return;
  device = g_list_model_get_item (G_LIST_MODEL (self->devices), position);
  g_debug ("device monitor: - %s", sf_usb_device_get_name (device));
  g_list_store_remove (self->devices, position);
  g_hash_table_remove (self->claimed, device);
  g_signal_emit (self, signals[SIGNAL_DEVICE_REMOVED], 0, device);
}

/* cdc_acm makes the tty a moment after the device arrives. */
static gboolean
on_tty_poll (gpointer user_data)
{
  SfDeviceMonitor *self = user_data;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->devices));
  gint64 now = g_get_monotonic_time ();
  gboolean pending = FALSE;

  for (guint i = 0; i < n; i++) {
    g_autoptr(SfUsbDevice) device = g_list_model_get_item (G_LIST_MODEL (self->devices), i);
    g_autofree char *name = NULL;
    SfUsbDeviceKind kind = sf_usb_device_get_kind (device);

    if (kind == SF_USB_DEVICE_KIND_VIRTUAL || !sf_usb_device_kind_is_flashable (kind) ||
        sf_usb_device_get_tty_path (device) != NULL ||
        now - sf_usb_device_get_arrival_time (device) > TTY_LOOK_US)
      continue;
    name = sf_sysfs_find_tty (self->sysfs_root, sf_usb_device_get_port_path (device));
    if (name != NULL) {
      g_autofree char *path = g_build_filename ("/dev", name, NULL);

      sf_usb_device_set_tty_path (device, path);
      sf_port_return_note_device (device, path);
    } else {
      pending = TRUE;
    }
  }

  if (pending)
    return G_SOURCE_CONTINUE;
  g_clear_pointer (&self->tty_poll, g_source_unref);
  return G_SOURCE_REMOVE;
}

/* ---- hand-over from the USB thread ---------------------------------------------- */

static void
handle_usb_event (SfDeviceMonitor *self,
                  UsbEvent        *event)
{
  g_autofree char *id = g_strconcat ("usb:", event->port_path, NULL);

  if (event->arrived) {
    g_autoptr(SfUsbDevice) device = NULL;

    /* A device re-enumerated in the same socket before we heard it go. */
    remove_device (self, id);
    device = sf_usb_device_new (event->vid, event->pid, event->kind, event->bus, event->address,
                                event->port_path, self->sysfs_root);
    add_device (self, device);
  } else {
    remove_device (self, id);
  }
}

static gboolean
dispatch_events (gpointer user_data)
{
  SfDeviceMonitor *self = user_data;
  UsbEvent *event;

  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->dispatch, g_source_unref);
  g_mutex_unlock (&self->lock);

  g_object_ref (self);
  while ((event = g_async_queue_try_pop (self->events)) != NULL) {
    handle_usb_event (self, event);
    usb_event_free (event);
  }
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

/* From any thread: queue @event for the monitor's context. */
static void
post_event (SfDeviceMonitor *self,
            UsbEvent        *event)
{
  g_mutex_lock (&self->lock);
  if (self->stopped) {
    g_mutex_unlock (&self->lock);
    usb_event_free (event);
    return;
  }
  g_async_queue_push (self->events, event);
  if (self->dispatch == NULL) {
    /* An idle source, never g_main_context_invoke(): that would run the
     * handlers inside libusb's callback when called on the owner thread. */
    self->dispatch = g_idle_source_new ();
    g_source_set_priority (self->dispatch, G_PRIORITY_HIGH_IDLE);
    g_source_set_callback (self->dispatch, dispatch_events, self, NULL);
    g_source_set_static_name (self->dispatch, "[scatterflash] device monitor");
    g_source_attach (self->dispatch, self->context);
  }
  g_mutex_unlock (&self->lock);
}

static UsbEvent *
usb_event_new (gboolean     arrived,
               guint16      vid,
               guint16      pid,
               guint8       bus,
               guint8       address,
               const char  *port_path)
{
  UsbEvent *event = g_new0 (UsbEvent, 1);

  event->arrived = arrived;
  event->vid = vid;
  event->pid = pid;
  event->bus = bus;
  event->address = address;
  event->port_path = g_strdup (port_path);
  event->kind = sf_usb_device_kind_from_ids (vid, pid);
  return event;
}

/* Decides what an arrival is; FALSE when it is nothing we announce (yet). */
static gboolean
classify (SfDeviceMonitor *self,
          UsbEvent        *event)
{
  if (event->kind != SF_USB_DEVICE_KIND_UNKNOWN)
    return TRUE;
  if (sf_sysfs_has_android_interface (self->sysfs_root, event->port_path)) {
    event->kind = SF_USB_DEVICE_KIND_ANDROID_POWERED_ON;
    return TRUE;
  }
  return FALSE;
}

/* ---- libusb ------------------------------------------------------------------------ */

static int LIBUSB_CALL
on_hotplug (libusb_context        *ctx,
            libusb_device         *dev,
            libusb_hotplug_event   what,
            void                  *user_data)
{
  SfDeviceMonitor *self = user_data;
  struct libusb_device_descriptor desc;
  guint8 ports[8];
  int n_ports;
  g_autofree char *port_path = NULL;
  UsbEvent *event;
  guint8 bus = libusb_get_bus_number (dev);

  /* Only descriptor look-ups here: no I/O inside a hotplug callback. */
  if (libusb_get_device_descriptor (dev, &desc) != LIBUSB_SUCCESS)
    return 0;
  n_ports = libusb_get_port_numbers (dev, ports, sizeof ports);
  if (n_ports <= 0)
    return 0;   /* a root hub */
  port_path = sf_sysfs_port_path (bus, ports, n_ports);
  event = usb_event_new (what == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED, desc.idVendor, desc.idProduct,
                         bus, libusb_get_device_address (dev), port_path);

  if (!event->arrived) {
    /* Not to be announced after it left. */
    for (guint i = self->rechecks->len; i > 0; i--) {
      Recheck *r = g_ptr_array_index (self->rechecks, i - 1);

      if (g_strcmp0 (r->event->port_path, event->port_path) == 0)
        g_ptr_array_remove_index (self->rechecks, i - 1);
    }
    post_event (self, event);
  } else if (classify (self, event)) {
    post_event (self, event);
  } else {
    Recheck *r = g_new0 (Recheck, 1);

    r->event = event;
    r->since = g_get_monotonic_time ();
    g_ptr_array_add (self->rechecks, r);
  }
  return 0;
}

static void
recheck_free (Recheck *r)
{
  if (r->event != NULL)
    usb_event_free (r->event);
  g_free (r);
}

static void
run_rechecks (SfDeviceMonitor *self)
{
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; i < self->rechecks->len;) {
    Recheck *r = g_ptr_array_index (self->rechecks, i);

    if (classify (self, r->event)) {
      post_event (self, g_steal_pointer (&r->event));
      g_ptr_array_remove_index (self->rechecks, i);
    } else if (now - r->since > RECHECK_US) {
      g_ptr_array_remove_index (self->rechecks, i);
    } else {
      i++;
    }
  }
}

static gpointer
libusb_thread (gpointer data)
{
  SfDeviceMonitor *self = data;

  while (!g_atomic_int_get (&self->stop_flag)) {
    struct timeval tv = { 0, EVENT_WAKE_MS * 1000 };
    int r = libusb_handle_events_timeout_completed (self->usb, &tv, &self->stop_flag);

    if (r != LIBUSB_SUCCESS && r != LIBUSB_ERROR_INTERRUPTED && r != LIBUSB_ERROR_TIMEOUT) {
      g_warning ("device monitor: libusb: %s", libusb_strerror (r));
      g_usleep (EVENT_WAKE_MS * 1000);
    }
    if (self->rechecks->len > 0)
      run_rechecks (self);
  }
  return NULL;
}

/* ---- sysfs polling (no hotplug in libusb, or a test's tree) -------------------- */

typedef struct {
  guint16  vid;
  guint16  pid;
  guint8   bus;
  guint8   address;
  gint64   since;
  gboolean announced;
} Seen;

static gpointer
sysfs_thread (gpointer data)
{
  SfDeviceMonitor *self = data;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  while (!g_atomic_int_get (&self->stop_flag)) {
    g_autoptr(GPtrArray) now_there = sf_sysfs_list_usb_devices (self->sysfs_root);
    g_autoptr(GHashTable) present = g_hash_table_new (g_str_hash, g_str_equal);
    gint64 now = g_get_monotonic_time ();
    GHashTableIter iter;
    gpointer key, value;

    for (guint i = 0; i < now_there->len; i++) {
      SfSysfsUsbDevice *d = g_ptr_array_index (now_there, i);
      Seen *s = g_hash_table_lookup (seen, d->port_path);

      g_hash_table_add (present, d->port_path);
      /* Same socket, another device: it left and came back. */
      if (s != NULL && (s->vid != d->vid || s->pid != d->pid || s->address != d->address || s->bus != d->bus)) {
        if (s->announced)
          post_event (self, usb_event_new (FALSE, s->vid, s->pid, s->bus, s->address, d->port_path));
        g_hash_table_remove (seen, d->port_path);
        s = NULL;
      }
      if (s == NULL) {
        s = g_new0 (Seen, 1);
        s->vid = d->vid;
        s->pid = d->pid;
        s->bus = d->bus;
        s->address = d->address;
        s->since = now;
        g_hash_table_insert (seen, g_strdup (d->port_path), s);
      }
      if (!s->announced && now - s->since <= RECHECK_US) {
        UsbEvent *event = usb_event_new (TRUE, d->vid, d->pid, d->bus, d->address, d->port_path);

        if (classify (self, event)) {
          s->announced = TRUE;
          post_event (self, event);
        } else {
          usb_event_free (event);
        }
      }
    }

    g_hash_table_iter_init (&iter, seen);
    while (g_hash_table_iter_next (&iter, &key, &value)) {
      Seen *s = value;

      if (g_hash_table_contains (present, key))
        continue;
      if (s->announced)
        post_event (self, usb_event_new (FALSE, s->vid, s->pid, s->bus, s->address, key));
      g_hash_table_iter_remove (&iter);
    }

    g_usleep (SYSFS_POLL_MS * 1000);
  }
  return NULL;
}

/* ---- virtual phones -------------------------------------------------------------- */

static gboolean
process_alive (gint64 pid)
{
  if (pid <= 0)
    return TRUE;   /* no pid: trust the file */
  return kill ((pid_t) pid, 0) == 0 || errno == EPERM;
}

static SfUsbDevice *
read_announce (const char *path,
               const char *id)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autofree char *port = NULL;
  g_autofree char *mode = NULL;
  g_autofree char *chip = NULL;
  gint64 pid;
  SfBromMode brom_mode = SF_BROM_MODE_AUTO;

  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, NULL))
    return NULL;
  port = g_key_file_get_string (kf, ANNOUNCE_GROUP, "port", NULL);
  mode = g_key_file_get_string (kf, ANNOUNCE_GROUP, "mode", NULL);
  chip = g_key_file_get_string (kf, ANNOUNCE_GROUP, "chip", NULL);
  pid = g_key_file_get_int64 (kf, ANNOUNCE_GROUP, "pid", NULL);
  if (port == NULL || *port == '\0')
    return NULL;
  /* A simulator that was killed cannot take its file away. */
  if (!process_alive (pid) || !g_file_test (port, G_FILE_TEST_EXISTS)) {
    g_debug ("device monitor: ignoring stale %s", path);
    return NULL;
  }
  if (g_strcmp0 (mode, "brom") == 0)
    brom_mode = SF_BROM_MODE_BROM;
  else if (g_strcmp0 (mode, "preloader") == 0)
    brom_mode = SF_BROM_MODE_PRELOADER;
  return sf_usb_device_new_virtual (id, port, brom_mode, chip);
}

/* Looks at DIR/NAME again: announces, replaces or removes its phone. */
static void
refresh_virtual (SfDeviceMonitor *self,
                 GFile           *file)
{
  g_autofree char *basename = g_file_get_basename (file);
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *name = NULL;
  g_autofree char *key = NULL;
  g_autoptr(SfUsbDevice) device = NULL;
  guint position;

  if (basename == NULL || path == NULL || basename[0] == '.' ||
      !g_str_has_suffix (basename, ANNOUNCE_SUFFIX))
    return;
  name = g_strndup (basename, strlen (basename) - strlen (ANNOUNCE_SUFFIX));
  key = g_strconcat ("virtual:", name, NULL);
  device = read_announce (path, name);

  if (find_device (self, key, &position)) {
    g_autoptr(SfUsbDevice) old = g_list_model_get_item (G_LIST_MODEL (self->devices), position);

    if (device != NULL &&
        g_strcmp0 (sf_usb_device_get_tty_path (old), sf_usb_device_get_tty_path (device)) == 0)
      return;
    remove_device (self, key);
  }
  if (device != NULL)
    add_device (self, device);
}

static void
on_virtual_dir_changed (GFileMonitor      *monitor,
                        GFile             *file,
                        GFile             *other_file,
                        GFileMonitorEvent  event,
                        gpointer           user_data)
{
  SfDeviceMonitor *self = user_data;

  switch (event) {
  case G_FILE_MONITOR_EVENT_CREATED:
  case G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT:
  case G_FILE_MONITOR_EVENT_DELETED:
  case G_FILE_MONITOR_EVENT_MOVED_IN:
  case G_FILE_MONITOR_EVENT_MOVED_OUT:
    refresh_virtual (self, file);
    break;
  case G_FILE_MONITOR_EVENT_RENAMED:
    refresh_virtual (self, file);
    if (other_file != NULL)
      refresh_virtual (self, other_file);
    break;
  case G_FILE_MONITOR_EVENT_CHANGED:
  case G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED:
  case G_FILE_MONITOR_EVENT_PRE_UNMOUNT:
  case G_FILE_MONITOR_EVENT_UNMOUNTED:
  case G_FILE_MONITOR_EVENT_MOVED:
  default:
    break;
  }
}

static void
inotify_watch_free (InotifyWatch *w)
{
  if (w->source != NULL) {
    g_source_destroy (w->source);
    g_source_unref (w->source);
  }
  if (w->fd >= 0)
    close (w->fd);
  g_clear_object (&w->folder);
  g_free (w);
}

static gboolean
on_inotify (int          fd,
            GIOCondition condition,
            gpointer     user_data)
{
  InotifyWatch *w = user_data;
  /* Aligned for struct inotify_event, as inotify(7) shows. */
  char buf[4096] __attribute__ ((aligned (__alignof__ (struct inotify_event))));

  for (;;) {
    ssize_t n = read (fd, buf, sizeof buf);

    if (n <= 0)
      break;
    for (char *p = buf; p < buf + n;) {
      const struct inotify_event *event = (const struct inotify_event *) p;

      if (event->len > 0) {
        g_autoptr(GFile) file = g_file_get_child (w->folder, event->name);

        refresh_virtual (w->monitor, file);
      }
      p += sizeof (struct inotify_event) + event->len;
    }
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
watch_with_inotify (SfDeviceMonitor *self,
                    GFile           *folder,
                    const char      *dir)
{
  InotifyWatch *w;
  int fd = inotify_init1 (IN_NONBLOCK | IN_CLOEXEC);

  if (fd < 0)
    return FALSE;
  if (inotify_add_watch (fd, dir, IN_CREATE | IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE) < 0) {
    close (fd);
    return FALSE;
  }
  w = g_new0 (InotifyWatch, 1);
  w->monitor = self;
  w->folder = g_object_ref (folder);
  w->fd = fd;
  w->source = g_unix_fd_source_new (fd, G_IO_IN);
  g_source_set_callback (w->source, G_SOURCE_FUNC (on_inotify), w, NULL);
  g_source_set_static_name (w->source, "[scatterflash] virtual phones");
  g_source_attach (w->source, self->context);
  g_ptr_array_add (self->inotify_watches, w);
  return TRUE;
}

gboolean
sf_device_monitor_add_virtual_dir (SfDeviceMonitor  *self,
                                   const char       *dir,
                                   GError          **error)
{
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GFileMonitor) monitor = NULL;
  g_autoptr(GDir) listing = NULL;
  const char *name;

  g_return_val_if_fail (SF_IS_DEVICE_MONITOR (self), FALSE);
  g_return_val_if_fail (dir != NULL, FALSE);

  if (g_mkdir_with_parents (dir, 0700) != 0) {
    int saved = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                 _("cannot make the folder for virtual phones %s: %s"), dir, g_strerror (saved));
    return FALSE;
  }
  folder = g_file_new_for_path (dir);

  if (!watch_with_inotify (self, folder, dir)) {
    /* The monitor's events come on the thread-default context of the
     * thread that makes it: make it on ours. */
    g_main_context_push_thread_default (self->context);
    monitor = g_file_monitor_directory (folder, G_FILE_MONITOR_WATCH_MOVES, NULL, error);
    g_main_context_pop_thread_default (self->context);
    if (monitor == NULL)
      return FALSE;
    g_signal_connect_object (monitor, "changed", G_CALLBACK (on_virtual_dir_changed), self, 0);
    g_ptr_array_add (self->file_monitors, g_steal_pointer (&monitor));
  }

  listing = g_dir_open (dir, 0, error);
  if (listing == NULL)
    return FALSE;
  while ((name = g_dir_read_name (listing)) != NULL) {
    g_autoptr(GFile) file = g_file_get_child (folder, name);

    refresh_virtual (self, file);
  }
  return TRUE;
}

/* ---- life ----------------------------------------------------------------------------- */

static gboolean
start_libusb (SfDeviceMonitor  *self,
              GError          **error)
{
  int r = libusb_init (&self->usb);

  if (r != LIBUSB_SUCCESS) {
    self->usb = NULL;
    g_set_error (error, SF_ERROR, SF_ERROR_UNSUPPORTED, _("libusb cannot start: %s"), libusb_strerror (r));
    return FALSE;
  }
  if (!libusb_has_capability (LIBUSB_CAP_HAS_HOTPLUG)) {
    g_clear_pointer (&self->usb, libusb_exit);
    g_set_error (error, SF_ERROR, SF_ERROR_UNSUPPORTED, _("this libusb has no hotplug support"));
    return FALSE;
  }

  /* The thread handles every event from here on; the ENUMERATE callbacks
   * for devices already there run now, on this thread, and are queued. */
  r = libusb_hotplug_register_callback (self->usb,
                                        LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT,
                                        LIBUSB_HOTPLUG_ENUMERATE,
                                        LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
                                        LIBUSB_HOTPLUG_MATCH_ANY,
                                        on_hotplug, self, &self->hotplug);
  if (r != LIBUSB_SUCCESS) {
    g_clear_pointer (&self->usb, libusb_exit);
    g_set_error (error, SF_ERROR, SF_ERROR_UNSUPPORTED, _("libusb cannot watch the bus: %s"), libusb_strerror (r));
    return FALSE;
  }
  self->hotplug_registered = TRUE;
  self->thread = g_thread_new ("sf-usb-monitor", libusb_thread, self);
  return TRUE;
}

gboolean
sf_device_monitor_start (SfDeviceMonitor  *self,
                         GError          **error)
{
  g_autoptr(GError) usb_error = NULL;
  g_autofree char *bus_dir = NULL;

  g_return_val_if_fail (SF_IS_DEVICE_MONITOR (self), FALSE);

  if (self->thread != NULL)
    return TRUE;
  g_atomic_int_set (&self->stop_flag, 0);
  g_mutex_lock (&self->lock);
  self->stopped = FALSE;
  g_mutex_unlock (&self->lock);

  if (self->use_libusb && start_libusb (self, &usb_error))
    return TRUE;
  if (usb_error != NULL)
    g_debug ("device monitor: %s; polling sysfs instead", usb_error->message);

  bus_dir = g_build_filename (self->sysfs_root, "bus", "usb", "devices", NULL);
  if (!g_file_test (bus_dir, G_FILE_TEST_IS_DIR)) {
    g_set_error (error, SF_ERROR, SF_ERROR_UNSUPPORTED,
                 _("cannot watch for phones on USB: %s, and there is no %s"),
                 usb_error != NULL ? usb_error->message : _("no libusb"), bus_dir);
    return FALSE;
  }
  self->thread = g_thread_new ("sf-usb-monitor", sysfs_thread, self);
  return TRUE;
}

void
sf_device_monitor_stop (SfDeviceMonitor *self)
{
  UsbEvent *event;

  g_return_if_fail (SF_IS_DEVICE_MONITOR (self));

  g_mutex_lock (&self->lock);
  self->stopped = TRUE;
  g_mutex_unlock (&self->lock);

  g_atomic_int_set (&self->stop_flag, 1);
  if (self->hotplug_registered) {
    /* Also wakes the event thread. */
    libusb_hotplug_deregister_callback (self->usb, self->hotplug);
    self->hotplug_registered = FALSE;
  }
  if (self->thread != NULL) {
    g_thread_join (self->thread);
    self->thread = NULL;
  }
  g_clear_pointer (&self->usb, libusb_exit);
  g_ptr_array_set_size (self->rechecks, 0);

  g_mutex_lock (&self->lock);
  if (self->dispatch != NULL) {
    g_source_destroy (self->dispatch);
    g_clear_pointer (&self->dispatch, g_source_unref);
  }
  g_mutex_unlock (&self->lock);
  while ((event = g_async_queue_try_pop (self->events)) != NULL)
    usb_event_free (event);

  if (self->tty_poll != NULL) {
    g_source_destroy (self->tty_poll);
    g_clear_pointer (&self->tty_poll, g_source_unref);
  }
  for (guint i = 0; i < self->file_monitors->len; i++) {
    GFileMonitor *monitor = g_ptr_array_index (self->file_monitors, i);

    g_signal_handlers_disconnect_by_data (monitor, self);
    g_file_monitor_cancel (monitor);
  }
  g_ptr_array_set_size (self->file_monitors, 0);
  g_ptr_array_set_size (self->inotify_watches, 0);
}

static void
sf_device_monitor_dispose (GObject *object)
{
  SfDeviceMonitor *self = SF_DEVICE_MONITOR (object);

  sf_device_monitor_stop (self);
  if (self->devices != NULL)
    g_list_store_remove_all (self->devices);
  g_hash_table_remove_all (self->claimed);

  G_OBJECT_CLASS (sf_device_monitor_parent_class)->dispose (object);
}

static void
sf_device_monitor_finalize (GObject *object)
{
  SfDeviceMonitor *self = SF_DEVICE_MONITOR (object);

  g_clear_object (&self->devices);
  g_clear_pointer (&self->claimed, g_hash_table_unref);
  g_clear_pointer (&self->rechecks, g_ptr_array_unref);
  g_clear_pointer (&self->file_monitors, g_ptr_array_unref);
  g_clear_pointer (&self->inotify_watches, g_ptr_array_unref);
  g_clear_pointer (&self->events, g_async_queue_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->sysfs_root, g_free);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (sf_device_monitor_parent_class)->finalize (object);
}

static void
sf_device_monitor_class_init (SfDeviceMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sf_device_monitor_dispose;
  object_class->finalize = sf_device_monitor_finalize;

  signals[SIGNAL_DEVICE_ADDED] =
    g_signal_new ("device-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, SF_TYPE_USB_DEVICE);
  signals[SIGNAL_DEVICE_REMOVED] =
    g_signal_new ("device-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, SF_TYPE_USB_DEVICE);
}

static void
sf_device_monitor_init (SfDeviceMonitor *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->devices = g_list_store_new (SF_TYPE_USB_DEVICE);
  self->claimed = g_hash_table_new (NULL, NULL);
  self->rechecks = g_ptr_array_new_with_free_func ((GDestroyNotify) recheck_free);
  self->file_monitors = g_ptr_array_new_with_free_func (g_object_unref);
  self->inotify_watches = g_ptr_array_new_with_free_func ((GDestroyNotify) inotify_watch_free);
  self->events = g_async_queue_new ();
  self->sysfs_root = g_strdup (SF_SYSFS_DEFAULT_ROOT);
  self->use_libusb = TRUE;
  g_mutex_init (&self->lock);
}

/**
 * sf_device_monitor_new:
 *
 * Returns: (transfer full): a monitor whose signals come on the calling
 *   thread's thread-default main context. Call sf_device_monitor_start().
 */
SfDeviceMonitor *
sf_device_monitor_new (void)
{
  return g_object_new (SF_TYPE_DEVICE_MONITOR, NULL);
}

SfDeviceMonitor *
sf_device_monitor_new_for_sysfs (const char *sysfs_root)
{
  SfDeviceMonitor *self;

  g_return_val_if_fail (sysfs_root != NULL, NULL);

  self = g_object_new (SF_TYPE_DEVICE_MONITOR, NULL);
  g_free (self->sysfs_root);
  self->sysfs_root = g_strdup (sysfs_root);
  self->use_libusb = g_strcmp0 (sysfs_root, SF_SYSFS_DEFAULT_ROOT) == 0;
  return self;
}

GListModel *
sf_device_monitor_get_devices (SfDeviceMonitor *self)
{
  g_return_val_if_fail (SF_IS_DEVICE_MONITOR (self), NULL);
  return G_LIST_MODEL (self->devices);
}

/* The oldest flashable device not handed out yet. */
static SfUsbDevice *
next_unclaimed (SfDeviceMonitor *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->devices));

  for (guint i = 0; i < n; i++) {
    g_autoptr(SfUsbDevice) device = g_list_model_get_item (G_LIST_MODEL (self->devices), i);

    if (sf_usb_device_kind_is_flashable (sf_usb_device_get_kind (device)) &&
        !g_hash_table_contains (self->claimed, device)) {
      g_hash_table_add (self->claimed, device);
      return g_steal_pointer (&device);
    }
  }
  return NULL;
}

static gboolean
on_wait_timeout (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
on_wait_cancelled (GCancellable *cancellable,
                   gpointer      user_data)
{
  return G_SOURCE_REMOVE;
}

SfUsbDevice *
sf_device_monitor_wait_for_phone (SfDeviceMonitor  *self,
                                  guint             timeout_ms,
                                  GCancellable     *cancellable,
                                  GError          **error)
{
  GSource *timeout = NULL;
  GSource *cancel = NULL;
  gboolean timed_out = FALSE;
  SfUsbDevice *device = NULL;

  g_return_val_if_fail (SF_IS_DEVICE_MONITOR (self), NULL);

  if (timeout_ms > 0) {
    timeout = g_timeout_source_new (timeout_ms);
    g_source_set_callback (timeout, on_wait_timeout, &timed_out, NULL);
    g_source_attach (timeout, self->context);
  }
  if (cancellable != NULL) {
    /* Only there to wake the loop below. */
    cancel = g_cancellable_source_new (cancellable);
    g_source_set_callback (cancel, G_SOURCE_FUNC (on_wait_cancelled), NULL, NULL);
    g_source_attach (cancel, self->context);
  }

  for (;;) {
    device = next_unclaimed (self);
    if (device != NULL)
      break;
    if (g_cancellable_set_error_if_cancelled (cancellable, error))
      break;
    if (timed_out) {
      sf_set_device_error (error, SF_ERROR_TIMEOUT,
                           _("no phone in download mode arrived within %u s"), timeout_ms / 1000);
      break;
    }
    g_main_context_iteration (self->context, TRUE);
  }

  if (timeout != NULL) {
    g_source_destroy (timeout);
    g_source_unref (timeout);
  }
  if (cancel != NULL) {
    g_source_destroy (cancel);
    g_source_unref (cancel);
  }
  return device;
}
