/* sf-window-phones.c — the window and the phones: the device monitor, the port, the replug, what on this machine gets in the way
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "sf-error.h"
#include "sf-host-check.h"
#include "sf-window-private.h"

/* Where to reach a phone the monitor sees: its tty, else its raw USB device. */
char *
sf_window_device_port (SfUsbDevice *device)
{
  if (sf_usb_device_get_tty_path (device) != NULL)
    return g_strdup (sf_usb_device_get_tty_path (device));
  return g_strdup_printf ("usb:%s", sf_usb_device_get_port_path (device));
}

void
sf_window_show_host_problems (SfWindow *self)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; self->host_problems != NULL && i < self->host_problems->len; i++) {
    const SfHostProblem *p = g_ptr_array_index (self->host_problems, i);
    g_autofree char *message = g_markup_escape_text (p->message, -1);
    g_autofree char *command = p->command != NULL ? g_markup_escape_text (p->command, -1) : NULL;

    if (text->len > 0)
      g_string_append_c (text, '\n');
    g_string_append (text, message);
    if (command != NULL)
      g_string_append_printf (text, "\n<tt>%s</tt>", command);
  }
  gtk_label_set_markup (self->host_label, text->str);
  gtk_revealer_set_reveal_child (self->host_revealer, text->len > 0 && !self->practice);
}

static void
host_check_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  /* It reads /proc: off the main thread. */
  g_task_return_pointer (task, sf_host_check_system (NULL), (GDestroyNotify) g_ptr_array_unref);
}

static void
on_host_checked (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GPtrArray *problems = g_task_propagate_pointer (G_TASK (result), NULL);
  SfWindow *self;

  if (problems == NULL || g_task_had_error (G_TASK (result)))
    return;
  self = SF_WINDOW (source);
  g_clear_pointer (&self->host_problems, g_ptr_array_unref);
  self->host_problems = problems;
  sf_window_show_host_problems (self);
}

void
sf_window_start_host_check (SfWindow *self)
{
  g_autoptr(GTask) task = NULL;

  self->host_cancellable = g_cancellable_new ();
  task = g_task_new (self, self->host_cancellable, on_host_checked, NULL);
  g_task_set_source_tag (task, sf_window_start_host_check);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, host_check_thread);
}

/* A phone arrived that we may not open: say so with the fix, now. */
static void
check_device_access (SfWindow    *self,
                     SfUsbDevice *device)
{
  SfHostProblem *problem = sf_host_check_device (device, NULL);

  if (problem == NULL)
    return;
  sf_window_log_line (self, "%s", problem->message);
  if (self->host_problems == NULL)
    self->host_problems = g_ptr_array_new_with_free_func ((GDestroyNotify) sf_host_problem_free);
  g_ptr_array_add (self->host_problems, problem);
  sf_window_show_host_problems (self);
}

static void
on_device_added (SfDeviceMonitor *monitor,
                 SfUsbDevice     *device,
                 SfWindow        *self)
{
  SfUsbDeviceKind kind = sf_usb_device_get_kind (device);

  sf_window_log_line (self, _("Arrived: %s"), sf_usb_device_get_name (device));
  check_device_access (self, device);
  if (sf_station_view_is_running (self->station)) {
    sf_station_view_add_phone (self->station, device);
    sf_window_update_actions (self);
    return;
  }
  if (self->check_cancellable != NULL) {
    /* Download is still reading the images: the phone is for it. */
    if (sf_usb_device_kind_is_flashable (kind))
      g_set_object (&self->arrived, device);
    return;
  }
  if (!self->waiting) {
    /* Plugged in again after a job, before Again: Again takes it. */
    if (!sf_window_is_busy (self) && sf_usb_device_kind_is_flashable (kind))
      g_set_object (&self->replugged, device);
    return;
  }
  if (kind == SF_USB_DEVICE_KIND_ANDROID_POWERED_ON) {
    sf_window_set_instructions (self, _("Switch the Phone Off First"),
                                _("This phone is running Android. Unplug it, switch it off completely, "
                                  "then plug it in again while it is off."));
    return;
  }
  if (!sf_usb_device_kind_is_flashable (kind))
    return;
  /* Start right away: the job opens the port and retries while the tty
   * settles. */
  self->waiting = FALSE;
  g_set_object (&self->arrived, device);
  sf_window_update_actions (self);
  if (self->waiting_kind == SF_WINDOW_JOB_DOWNLOAD)
    sf_window_start_download (self);
  else
    sf_window_start_page_job (self, self->waiting_kind);
  if (self->result == SF_WINDOW_RESULT_RUNNING && !sf_window_is_busy (self)) {
    g_autoptr(GError) error = g_error_new_literal (SF_ERROR, SF_ERROR_FAILED,
                                                   _("The job could not start on the phone that arrived"));

    sf_window_finish_job (self, SF_WINDOW_RESULT_FAILED, error);
  }
}

void
sf_window_start_monitor (SfWindow *self)
{
  g_autoptr(GError) error = NULL;
  const char *virtual_dir = g_getenv ("SCATTERFLASH_VIRTUAL_DIR");

  self->monitor = sf_device_monitor_new ();
  if (!sf_device_monitor_start (self->monitor, &error)) {
    /* Without hotplug the port can still be typed in. */
    g_debug ("No USB hotplug: %s", error->message);
    g_clear_error (&error);
  }
  if (virtual_dir != NULL && virtual_dir[0] != '\0' &&
      !sf_device_monitor_add_virtual_dir (self->monitor, virtual_dir, &error))
    g_warning ("%s: %s", virtual_dir, error->message);
  g_signal_connect_object (self->monitor, "device-added", G_CALLBACK (on_device_added), self, 0);
  sf_phone_chooser_set_devices (self->phone_chooser, sf_device_monitor_get_devices (self->monitor));
}

/* The phone for a job of @kind: the virtual phone's port in practice
 * mode; for a download, the port typed on the Download page; the phone
 * that just arrived; the phone chosen in the Phone row. NULL without an
 * error: none yet (the Phone row waits for the next phone), and the job
 * waits for it. */
static char *
choose_port (SfWindow         *self,
             SfWindowJobKind   kind,
             SfUsbDevice     **out_device,
             GError          **error)
{
  g_autoptr(SfUsbDevice) arrived = g_steal_pointer (&self->arrived);
  SfUsbDevice *chosen = sf_phone_chooser_get_device (self->phone_chooser);

  if (self->practice) {
    if (!sf_window_make_virtual_phone (self, error))
      return NULL;
    return g_strdup (sf_sim_get_port_path (self->sim));
  }
  if (kind == SF_WINDOW_JOB_DOWNLOAD) {
    g_autofree char *port = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->port_entry))));

    if (port[0] != '\0')
      return g_steal_pointer (&port);
  }
  /* The phone the job was waiting for, unless it left again. */
  if (arrived != NULL && sf_window_still_plugged_in (self, arrived)) {
    *out_device = g_steal_pointer (&arrived);
    return sf_window_device_port (*out_device);
  }
  if (chosen == NULL)
    return NULL;
  if (!sf_usb_device_kind_is_flashable (sf_usb_device_get_kind (chosen))) {
    /* Translators: a phone's name */
    g_set_error (error, SF_ERROR, SF_ERROR_NOT_IN_DOWNLOAD_MODE,
                 _("%s is switched on: unplug it, switch it off completely, and plug it in again"),
                 sf_usb_device_get_name (chosen));
    return NULL;
  }
  *out_device = g_object_ref (chosen);
  return sf_window_device_port (chosen);
}

gboolean
sf_window_acquire_port (SfWindow         *self,
                        SfWindowJobKind   kind,
                        SfUsbDevice     **out_device,
                        char            **out_port)
{
  g_autoptr(GError) error = NULL;

  *out_device = NULL;
  *out_port = choose_port (self, kind, out_device, &error);
  if (*out_port != NULL)
    return TRUE;
  if (error != NULL)
    sf_window_show_toast (self, error->message, 5);
  else
    sf_window_start_waiting (self, kind);
  return FALSE;
}

/* Whether the monitor still lists @device. */
gboolean
sf_window_still_plugged_in (SfWindow    *self,
                            SfUsbDevice *device)
{
  GListModel *devices = self->monitor != NULL ? sf_device_monitor_get_devices (self->monitor) : NULL;

  for (guint i = 0; devices != NULL && i < g_list_model_get_n_items (devices); i++) {
    g_autoptr(SfUsbDevice) d = g_list_model_get_item (devices, i);

    if (d == device)
      return TRUE;
  }
  return FALSE;
}

/* A typed port (no hotplug needed): the phone is back once its port went
 * away and came again. */
static gboolean
on_replug_poll (gpointer user_data)
{
  SfWindow *self = user_data;
  gboolean there;

  if (!self->waiting) {
    self->replug_id = 0;
    return G_SOURCE_REMOVE;
  }
  there = g_file_test (self->replug_port, G_FILE_TEST_EXISTS);
  if (!there) {
    self->replug_gone = TRUE;
    return G_SOURCE_CONTINUE;
  }
  if (!self->replug_gone)
    return G_SOURCE_CONTINUE;
  self->replug_id = 0;
  self->waiting = FALSE;
  sf_window_log_line (self, _("%s is back"), self->replug_port);
  if (self->waiting_kind == SF_WINDOW_JOB_DOWNLOAD)
    sf_window_start_download (self);
  else
    sf_window_start_page_job (self, self->waiting_kind);
  return G_SOURCE_REMOVE;
}

void
sf_window_wait_for_replug (SfWindow        *self,
                           SfWindowJobKind  kind)
{
  /* A port typed on the Download page is watched going and coming back. */
  g_autofree char *typed = kind == SF_WINDOW_JOB_DOWNLOAD
                             ? g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->port_entry))))
                             : g_strdup ("");

  sf_window_start_waiting (self, kind);
  sf_window_set_instructions (self, _("Plug the Phone In Again"),
                              _("Unplug the phone if it is still connected, then plug it in again, switched off. "
                                "The job starts when it arrives."));
  g_clear_handle_id (&self->replug_id, g_source_remove);
  if (typed[0] != '\0' && g_path_is_absolute (typed)) {
    g_free (self->replug_port);
    self->replug_port = g_steal_pointer (&typed);
    self->replug_gone = FALSE;
    self->replug_id = g_timeout_add (250, on_replug_poll, self);
  }
}
