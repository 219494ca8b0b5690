/* sf-usb-device.c — one phone the device monitor sees on the bus
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <unistd.h>

#include "sf-error.h"
#include "sf-sysfs.h"
#include "sf-usb-device.h"

/* How often wait_for_port looks again; small, since a preloader port is
 * there for a few seconds only (protocol.md §1.3). */
#define POLL_US            (5 * 1000)
/* A tty we may not open yet may still get its uaccess ACL from udev. */
#define TTY_ACL_GRACE_US   (300 * 1000)
/* No tty this long after arrival: cdc_acm is not going to bind. */
#define NO_TTY_GRACE_US    (1000 * 1000)

struct _SfUsbDevice
{
  GObject          parent_instance;

  guint16          vid;
  guint16          pid;
  SfUsbDeviceKind  kind;
  guint8           bus;
  guint8           address;
  char            *port_path;
  char            *sysfs_root;
  char            *tty_path;
  char            *chip;
  char            *name;
  char            *id;
  SfBromMode       mode;
  gint64           arrival_time;
};

G_DEFINE_FINAL_TYPE (SfUsbDevice, sf_usb_device, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (SfUsbDeviceKind, sf_usb_device_kind,
  G_DEFINE_ENUM_VALUE (SF_USB_DEVICE_KIND_UNKNOWN, "unknown"),
  G_DEFINE_ENUM_VALUE (SF_USB_DEVICE_KIND_BROM, "brom"),
  G_DEFINE_ENUM_VALUE (SF_USB_DEVICE_KIND_PRELOADER, "preloader"),
  G_DEFINE_ENUM_VALUE (SF_USB_DEVICE_KIND_DA, "da"),
  G_DEFINE_ENUM_VALUE (SF_USB_DEVICE_KIND_ANDROID_POWERED_ON, "android"),
  G_DEFINE_ENUM_VALUE (SF_USB_DEVICE_KIND_VIRTUAL, "virtual"))

enum {
  PROP_0,
  PROP_VENDOR_ID,
  PROP_PRODUCT_ID,
  PROP_KIND,
  PROP_BUS,
  PROP_ADDRESS,
  PROP_PORT_PATH,
  PROP_TTY_PATH,
  PROP_NAME,
  PROP_CHIP,
  PROP_ARRIVAL_TIME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- ids ------------------------------------------------------------------ */

typedef struct {
  guint16          vid;
  guint16          pid;
  SfUsbDeviceKind  kind;
} IdEntry;

/* protocol.md §1.1 for the download ids. The Android ids are the
 * gadget configurations of MediaTek's and Google's init.usb.rc (mass
 * storage, MTP, PTP, RNDIS, each with and without ADB; fastboot). Phones
 * of other brands are recognised by their ADB/MTP interfaces instead
 * (sf_sysfs_has_android_interface()). */
static const IdEntry id_table[] = {
  { SF_USB_VID_MEDIATEK, SF_USB_PID_BROM, SF_USB_DEVICE_KIND_BROM },
  { SF_USB_VID_MEDIATEK, SF_USB_PID_PRELOADER, SF_USB_DEVICE_KIND_PRELOADER },
  { SF_USB_VID_MEDIATEK, SF_USB_PID_DA, SF_USB_DEVICE_KIND_DA },
  { SF_USB_VID_MEDIATEK, 0x20FF, SF_USB_DEVICE_KIND_PRELOADER },
  { SF_USB_VID_MEDIATEK, 0x3000, SF_USB_DEVICE_KIND_PRELOADER },
  { SF_USB_VID_MEDIATEK, 0x6000, SF_USB_DEVICE_KIND_PRELOADER },
  { 0x0FCE, 0xF200, SF_USB_DEVICE_KIND_BROM },   /* Sony, BootROM */
  { 0x0FCE, 0xD1E9, SF_USB_DEVICE_KIND_BROM },
  { 0x0FCE, 0xD1E2, SF_USB_DEVICE_KIND_BROM },
  { 0x0FCE, 0xD1EC, SF_USB_DEVICE_KIND_BROM },
  { 0x0FCE, 0xD1DD, SF_USB_DEVICE_KIND_BROM },
  { 0x1004, 0x6000, SF_USB_DEVICE_KIND_PRELOADER }, /* LG */
  { 0x22D9, 0x0006, SF_USB_DEVICE_KIND_PRELOADER }, /* OPPO */

  { SF_USB_VID_MEDIATEK, 0x2004, SF_USB_DEVICE_KIND_ANDROID_POWERED_ON },
  { SF_USB_VID_MEDIATEK, 0x2005, SF_USB_DEVICE_KIND_ANDROID_POWERED_ON },
  { SF_USB_VID_MEDIATEK, 0x2006, SF_USB_DEVICE_KIND_ANDROID_POWERED_ON },
  { SF_USB_VID_MEDIATEK, 0x2007, SF_USB_DEVICE_KIND_ANDROID_POWERED_ON },
  { SF_USB_VID_MEDIATEK, 0x2008, SF_USB_DEVICE_KIND_ANDROID_POWERED_ON },
  { SF_USB_VID_MEDIATEK, 0x200A, SF_USB_DEVICE_KIND_ANDROID_POWERED_ON },
  { SF_USB_VID_MEDIATEK, 0x200B, SF_USB_DEVICE_KIND_ANDROID_POWERED_ON },
  { SF_USB_VID_MEDIATEK, 0x200C, SF_USB_DEVICE_KIND_ANDROID_POWERED_ON },
  { SF_USB_VID_MEDIATEK, 0x201C, SF_USB_DEVICE_KIND_ANDROID_POWERED_ON },
  { SF_USB_VID_MEDIATEK, 0x201D, SF_USB_DEVICE_KIND_ANDROID_POWERED_ON },
  { SF_USB_VID_GOOGLE, 0x4EE0, SF_USB_DEVICE_KIND_ANDROID_POWERED_ON },  /* fastboot */
  { SF_USB_VID_GOOGLE, 0x4EE1, SF_USB_DEVICE_KIND_ANDROID_POWERED_ON },  /* MTP */
  { SF_USB_VID_GOOGLE, 0x4EE2, SF_USB_DEVICE_KIND_ANDROID_POWERED_ON },  /* MTP + ADB */
  { SF_USB_VID_GOOGLE, 0x4EE3, SF_USB_DEVICE_KIND_ANDROID_POWERED_ON },  /* RNDIS */
  { SF_USB_VID_GOOGLE, 0x4EE4, SF_USB_DEVICE_KIND_ANDROID_POWERED_ON },  /* RNDIS + ADB */
  { SF_USB_VID_GOOGLE, 0x4EE5, SF_USB_DEVICE_KIND_ANDROID_POWERED_ON },  /* PTP */
  { SF_USB_VID_GOOGLE, 0x4EE6, SF_USB_DEVICE_KIND_ANDROID_POWERED_ON },  /* PTP + ADB */
  { SF_USB_VID_GOOGLE, 0x4EE7, SF_USB_DEVICE_KIND_ANDROID_POWERED_ON },  /* ADB */
  { SF_USB_VID_GOOGLE, 0x4EE8, SF_USB_DEVICE_KIND_ANDROID_POWERED_ON },  /* MIDI */
  { SF_USB_VID_GOOGLE, 0x4EE9, SF_USB_DEVICE_KIND_ANDROID_POWERED_ON },  /* MIDI + ADB */
  { SF_USB_VID_GOOGLE, 0xD001, SF_USB_DEVICE_KIND_ANDROID_POWERED_ON },  /* ADB (recovery) */
  { SF_USB_VID_GOOGLE, 0xD002, SF_USB_DEVICE_KIND_ANDROID_POWERED_ON },
};

/**
 * sf_usb_device_kind_from_ids:
 *
 * Returns: what @vid:@pid is on its own; %SF_USB_DEVICE_KIND_UNKNOWN for
 *   anything not in the table (which may still be an Android phone of
 *   another brand: look at its interfaces).
 */
SfUsbDeviceKind
sf_usb_device_kind_from_ids (guint16 vid,
                             guint16 pid)
{
  for (guint i = 0; i < G_N_ELEMENTS (id_table); i++) {
    if (id_table[i].vid == vid && id_table[i].pid == pid)
      return id_table[i].kind;
  }
  return SF_USB_DEVICE_KIND_UNKNOWN;
}

const char *
sf_usb_device_kind_to_string (SfUsbDeviceKind kind)
{
  switch (kind) {
  case SF_USB_DEVICE_KIND_BROM: return "brom";
  case SF_USB_DEVICE_KIND_PRELOADER: return "preloader";
  case SF_USB_DEVICE_KIND_DA: return "da";
  case SF_USB_DEVICE_KIND_ANDROID_POWERED_ON: return "android";
  case SF_USB_DEVICE_KIND_VIRTUAL: return "virtual";
  case SF_USB_DEVICE_KIND_UNKNOWN:
  default:
    return "unknown";
  }
}

gboolean
sf_usb_device_kind_is_flashable (SfUsbDeviceKind kind)
{
  return kind == SF_USB_DEVICE_KIND_BROM || kind == SF_USB_DEVICE_KIND_PRELOADER ||
         kind == SF_USB_DEVICE_KIND_DA || kind == SF_USB_DEVICE_KIND_VIRTUAL;
}

/* ---- the object --------------------------------------------------------------- */

static void
sf_usb_device_finalize (GObject *object)
{
  SfUsbDevice *self = SF_USB_DEVICE (object);

  g_clear_pointer (&self->port_path, g_free);
  g_clear_pointer (&self->sysfs_root, g_free);
  g_clear_pointer (&self->tty_path, g_free);
  g_clear_pointer (&self->chip, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->id, g_free);

  G_OBJECT_CLASS (sf_usb_device_parent_class)->finalize (object);
}

static void
sf_usb_device_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  SfUsbDevice *self = SF_USB_DEVICE (object);

  switch (prop_id) {
  case PROP_VENDOR_ID:
    g_value_set_uint (value, self->vid);
    break;
  case PROP_PRODUCT_ID:
    g_value_set_uint (value, self->pid);
    break;
  case PROP_KIND:
    g_value_set_enum (value, self->kind);
    break;
  case PROP_BUS:
    g_value_set_uint (value, self->bus);
    break;
  case PROP_ADDRESS:
    g_value_set_uint (value, self->address);
    break;
  case PROP_PORT_PATH:
    g_value_set_string (value, self->port_path);
    break;
  case PROP_TTY_PATH:
    g_value_set_string (value, self->tty_path);
    break;
  case PROP_NAME:
    g_value_set_string (value, self->name);
    break;
  case PROP_CHIP:
    g_value_set_string (value, self->chip);
    break;
  case PROP_ARRIVAL_TIME:
    g_value_set_int64 (value, self->arrival_time);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
sf_usb_device_class_init (SfUsbDeviceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = sf_usb_device_finalize;
  object_class->get_property = sf_usb_device_get_property;

  properties[PROP_VENDOR_ID] = g_param_spec_uint ("vendor-id", NULL, NULL, 0, G_MAXUINT16, 0, ro);
  properties[PROP_PRODUCT_ID] = g_param_spec_uint ("product-id", NULL, NULL, 0, G_MAXUINT16, 0, ro);
  properties[PROP_KIND] = g_param_spec_enum ("kind", NULL, NULL, SF_TYPE_USB_DEVICE_KIND,
                                             SF_USB_DEVICE_KIND_UNKNOWN, ro);
  properties[PROP_BUS] = g_param_spec_uint ("bus", NULL, NULL, 0, G_MAXUINT8, 0, ro);
  properties[PROP_ADDRESS] = g_param_spec_uint ("address", NULL, NULL, 0, G_MAXUINT8, 0, ro);
  properties[PROP_PORT_PATH] = g_param_spec_string ("port-path", NULL, NULL, NULL, ro);
  properties[PROP_TTY_PATH] = g_param_spec_string ("tty-path", NULL, NULL, NULL, ro);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, ro);
  properties[PROP_CHIP] = g_param_spec_string ("chip", NULL, NULL, NULL, ro);
  properties[PROP_ARRIVAL_TIME] = g_param_spec_int64 ("arrival-time", NULL, NULL, 0, G_MAXINT64, 0, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sf_usb_device_init (SfUsbDevice *self)
{
  self->arrival_time = g_get_monotonic_time ();
  self->mode = SF_BROM_MODE_AUTO;
}

static char *
make_name (SfUsbDevice *self)
{
  switch (self->kind) {
  case SF_USB_DEVICE_KIND_BROM:
    return g_strdup_printf (_("MediaTek BootROM on USB %s"), self->port_path);
  case SF_USB_DEVICE_KIND_PRELOADER:
    return g_strdup_printf (_("MediaTek preloader on USB %s"), self->port_path);
  case SF_USB_DEVICE_KIND_DA:
    return g_strdup_printf (_("MediaTek download agent on USB %s"), self->port_path);
  case SF_USB_DEVICE_KIND_ANDROID_POWERED_ON:
    return g_strdup_printf (_("Phone running Android on USB %s (%04x:%04x)"),
                            self->port_path, self->vid, self->pid);
  case SF_USB_DEVICE_KIND_VIRTUAL:
    return g_strdup_printf (_("Virtual phone %s on %s"),
                            self->chip != NULL ? self->chip : "MT6572",
                            self->tty_path != NULL ? self->tty_path : "?");
  case SF_USB_DEVICE_KIND_UNKNOWN:
  default:
    return g_strdup_printf (_("USB device %04x:%04x on %s"), self->vid, self->pid, self->port_path);
  }
}

/**
 * sf_usb_device_new:
 * @sysfs_root: (nullable): where sysfs is ("/sys" when %NULL)
 *
 * Returns: (transfer full): a device of @kind; its tty is looked up in
 *   sysfs now (it may not be there yet).
 */
SfUsbDevice *
sf_usb_device_new (guint16          vid,
                   guint16          pid,
                   SfUsbDeviceKind  kind,
                   guint8           bus,
                   guint8           address,
                   const char      *port_path,
                   const char      *sysfs_root)
{
  SfUsbDevice *self;
  g_autofree char *tty = NULL;

  g_return_val_if_fail (port_path != NULL, NULL);

  self = g_object_new (SF_TYPE_USB_DEVICE, NULL);
  self->vid = vid;
  self->pid = pid;
  self->kind = kind;
  self->bus = bus;
  self->address = address;
  self->port_path = g_strdup (port_path);
  self->sysfs_root = g_strdup (sysfs_root != NULL ? sysfs_root : SF_SYSFS_DEFAULT_ROOT);
  self->id = g_strconcat ("usb:", port_path, NULL);
  if (kind == SF_USB_DEVICE_KIND_BROM)
    self->mode = SF_BROM_MODE_BROM;
  else if (kind == SF_USB_DEVICE_KIND_PRELOADER)
    self->mode = SF_BROM_MODE_PRELOADER;
  tty = sf_sysfs_find_tty (self->sysfs_root, port_path);
  if (tty != NULL)
    self->tty_path = g_build_filename ("/dev", tty, NULL);
  self->name = make_name (self);
  return self;
}

SfUsbDevice *
sf_usb_device_new_virtual (const char *id,
                           const char *tty_path,
                           SfBromMode  mode,
                           const char *chip)
{
  SfUsbDevice *self;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (tty_path != NULL, NULL);

  self = g_object_new (SF_TYPE_USB_DEVICE, NULL);
  self->kind = SF_USB_DEVICE_KIND_VIRTUAL;
  self->vid = SF_USB_VID_MEDIATEK;
  self->pid = mode == SF_BROM_MODE_PRELOADER ? SF_USB_PID_PRELOADER : SF_USB_PID_BROM;
  self->port_path = g_strdup (id);
  self->id = g_strconcat ("virtual:", id, NULL);
  self->tty_path = g_strdup (tty_path);
  self->chip = g_strdup (chip);
  self->mode = mode;
  self->name = make_name (self);
  return self;
}

guint16
sf_usb_device_get_vendor_id (SfUsbDevice *self)
{
  g_return_val_if_fail (SF_IS_USB_DEVICE (self), 0);
  return self->vid;
}

guint16
sf_usb_device_get_product_id (SfUsbDevice *self)
{
  g_return_val_if_fail (SF_IS_USB_DEVICE (self), 0);
  return self->pid;
}

SfUsbDeviceKind
sf_usb_device_get_kind (SfUsbDevice *self)
{
  g_return_val_if_fail (SF_IS_USB_DEVICE (self), SF_USB_DEVICE_KIND_UNKNOWN);
  return self->kind;
}

const char *
sf_usb_device_get_port_path (SfUsbDevice *self)
{
  g_return_val_if_fail (SF_IS_USB_DEVICE (self), NULL);
  return self->port_path;
}

const char *
sf_usb_device_get_tty_path (SfUsbDevice *self)
{
  g_return_val_if_fail (SF_IS_USB_DEVICE (self), NULL);
  return self->tty_path;
}

const char *
sf_usb_device_get_name (SfUsbDevice *self)
{
  g_return_val_if_fail (SF_IS_USB_DEVICE (self), NULL);
  return self->name;
}

const char *
sf_usb_device_get_chip (SfUsbDevice *self)
{
  g_return_val_if_fail (SF_IS_USB_DEVICE (self), NULL);
  return self->chip;
}

SfBromMode
sf_usb_device_get_mode (SfUsbDevice *self)
{
  g_return_val_if_fail (SF_IS_USB_DEVICE (self), SF_BROM_MODE_AUTO);
  return self->mode;
}

gint64
sf_usb_device_get_arrival_time (SfUsbDevice *self)
{
  g_return_val_if_fail (SF_IS_USB_DEVICE (self), 0);
  return self->arrival_time;
}

const char *
sf_usb_device_get_id (SfUsbDevice *self)
{
  g_return_val_if_fail (SF_IS_USB_DEVICE (self), NULL);
  return self->id;
}

char *
sf_usb_device_dup_node_path (SfUsbDevice *self)
{
  g_return_val_if_fail (SF_IS_USB_DEVICE (self), NULL);

  if (self->kind == SF_USB_DEVICE_KIND_VIRTUAL)
    return NULL;
  return g_strdup_printf ("/dev/bus/usb/%03u/%03u", self->bus, self->address);
}

void
sf_usb_device_set_tty_path (SfUsbDevice *self,
                            const char  *tty_path)
{
  g_return_if_fail (SF_IS_USB_DEVICE (self));

  if (g_strcmp0 (self->tty_path, tty_path) == 0)
    return;
  g_free (self->tty_path);
  self->tty_path = g_strdup (tty_path);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TTY_PATH]);
  if (self->kind == SF_USB_DEVICE_KIND_VIRTUAL) {
    g_free (self->name);
    self->name = make_name (self);
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
  }
}

static gboolean
usable (const char *path,
        int        *out_errno)
{
  if (access (path, R_OK | W_OK) == 0)
    return TRUE;
  if (out_errno != NULL)
    *out_errno = errno;
  return FALSE;
}

/* Sleeps POLL_US, waking early when @cancellable fires. */
static gboolean
nap (GCancellable  *cancellable,
     GError       **error)
{
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  g_usleep (POLL_US);
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

char *
sf_usb_device_wait_for_port (SfUsbDevice   *self,
                             guint          timeout_ms,
                             GCancellable  *cancellable,
                             GError       **error)
{
  gint64 start = g_get_monotonic_time ();
  gint64 deadline = start + (gint64) timeout_ms * 1000;
  gint64 tty_denied_since = 0;
  g_autofree char *node = NULL;
  g_autofree char *tty = NULL;
  g_autofree char *sysfs_dir = NULL;
  int tty_errno = 0;

  g_return_val_if_fail (SF_IS_USB_DEVICE (self), NULL);

  if (self->kind == SF_USB_DEVICE_KIND_VIRTUAL) {
    for (;;) {
      if (usable (self->tty_path, &tty_errno))
        return g_strdup (self->tty_path);
      if (g_get_monotonic_time () >= deadline)
        break;
      if (!nap (cancellable, error))
        return NULL;
    }
    sf_set_device_error (error, SF_ERROR_COM_PORT_OPEN_FAIL, _("cannot open %s: %s"),
                         self->tty_path, g_strerror (tty_errno));
    return NULL;
  }

  node = sf_usb_device_dup_node_path (self);
  sysfs_dir = g_build_filename (self->sysfs_root, "bus", "usb", "devices", self->port_path, NULL);
  for (;;) {
    gint64 now = g_get_monotonic_time ();
    g_autofree char *name = sf_sysfs_find_tty (self->sysfs_root, self->port_path);

    if (name != NULL) {
      g_free (tty);
      tty = g_build_filename ("/dev", name, NULL);
      if (usable (tty, &tty_errno))
        return g_steal_pointer (&tty);
      if (tty_errno == EACCES || tty_errno == EPERM) {
        if (tty_denied_since == 0)
          tty_denied_since = now;
        /* udev gives the seated user an ACL a moment after the node
         * appears; past that, the raw USB node may still be ours. */
        if (now - tty_denied_since >= TTY_ACL_GRACE_US && usable (node, NULL)) {
          g_debug ("%s: may not open %s, using libusb", self->port_path, tty);
          return g_strconcat ("usb:", self->port_path, NULL);
        }
      }
    } else if (now - start >= NO_TTY_GRACE_US && usable (node, NULL)) {
      /* No cdc_acm (not loaded, or blacklisted): talk USB ourselves. */
      g_debug ("%s: no tty, using libusb", self->port_path);
      return g_strconcat ("usb:", self->port_path, NULL);
    }

    if (now >= deadline)
      break;
    if (!g_file_test (sysfs_dir, G_FILE_TEST_EXISTS)) {
      sf_set_device_error (error, SF_ERROR_DISCONNECTED,
                           _("the phone on USB %s went away before its port could be opened"), self->port_path);
      return NULL;
    }
    if (!nap (cancellable, error))
      return NULL;
  }

  if (tty != NULL)
    sf_set_device_error (error, SF_ERROR_COM_PORT_OPEN_FAIL,
                         _("you may not open %s (%s), nor the raw USB node %s: install the udev rule (scatterflash-cli devices says how)"),
                         tty, g_strerror (tty_errno), node);
  else
    sf_set_device_error (error, SF_ERROR_COM_PORT_OPEN_FAIL,
                         _("no serial port appeared for the phone on USB %s within %u ms, and you may not open %s"),
                         self->port_path, timeout_ms, node);
  return NULL;
}
