/* sf-window-actions.c — the window's actions (win.*): open, download, stop, again, the log
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "sf-host-check.h"
#include "sf-log-export.h"
#include "sf-preferences-window.h"
#include "sf-window-private.h"

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  sf_window_open_chooser (SF_WINDOW (widget), g_str_equal (action_name, "win.open-folder"), FALSE);
}

static void
open_recent_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  g_autoptr(GFile) file = sf_window_location_from_string (g_variant_get_string (parameter, NULL));

  sf_window_load_firmware (SF_WINDOW (widget), file);
}

static void
choose_da_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  sf_window_open_chooser (SF_WINDOW (widget), FALSE, TRUE);
}

static void
reset_da_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  SfWindow *self = SF_WINDOW (widget);

  sf_window_set_da_file (self, NULL);
  if (self->settings != NULL)
    g_settings_set_string (self->settings, "last-da", "");
}

static void
copy_host_commands_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  SfWindow *self = SF_WINDOW (widget);
  g_autoptr(GString) commands = g_string_new (NULL);

  for (guint i = 0; self->host_problems != NULL && i < self->host_problems->len; i++) {
    const SfHostProblem *p = g_ptr_array_index (self->host_problems, i);

    if (p->command == NULL)
      continue;
    if (commands->len > 0)
      g_string_append_c (commands, '\n');
    g_string_append (commands, p->command);
  }
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), commands->str);
  sf_window_show_toast (self, _("Commands copied: paste them into a terminal"), 3);
}

static void
dismiss_host_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  gtk_revealer_set_reveal_child (SF_WINDOW (widget)->host_revealer, FALSE);
}

/* Several phones at once: each phone plugged in from now on (and each one
 * already there) is flashed with @plan by its own worker. */
static void
start_station (SfWindow *self,
               SfPlan   *plan,
               SfDaFile *da)
{
  g_autoptr(GFile) backup_dir = sf_gui_default_backup_folder (self->settings);
  GListModel *devices = sf_device_monitor_get_devices (self->monitor);

  self->job_kind = SF_WINDOW_JOB_DOWNLOAD;
  sf_station_view_start (self->station, plan, da, self->verify, backup_dir);
  gtk_stack_set_visible_child_name (self->mode_stack, "station");
  for (guint i = 0; i < g_list_model_get_n_items (devices); i++) {
    g_autoptr(SfUsbDevice) device = g_list_model_get_item (devices, i);

    sf_station_view_add_phone (self->station, device);
  }
  sf_window_update_actions (self);
}

/* A job on @device (a phone the monitor lists) or @port, with @da, and the
 * calibration backups where the preferences say. */
static SfFlashJob *
new_job (SfWindow    *self,
         SfUsbDevice *device,
         const char  *port,
         SfDaFile    *da)
{
  g_autoptr(GFile) backup_dir = sf_gui_default_backup_folder (self->settings);
  SfFlashJob *job = device != NULL ? sf_flash_job_new_for_device (device, da) : sf_flash_job_new (port, da);

  sf_flash_job_set_backup_dir (job, backup_dir);
  /* As scatterflash-cli --emi-from: only a phone in BootROM mode uses it. */
  if (self->emi_file != NULL)
    sf_flash_job_set_emi_file (job, self->emi_file);
  /* Else a readback, a format or identifying a phone that comes up through
   * its BootROM: the open firmware's preloader sets its DRAM up. */
  else if (self->firmware != NULL)
    sf_flash_job_set_emi_firmware (job, self->firmware);
  return job;
}

/* Which phone the job went to, by name, USB port and chip. */
static void
log_phone (SfWindow    *self,
           SfUsbDevice *device)
{
  g_autofree char *what = NULL;

  if (device == NULL)
    return;
  what = sf_phone_chooser_describe (device);
  /* Translators: a phone's name, then its mode, USB port and chip */
  sf_window_log_line (self, _("Phone: %s (%s)"), sf_usb_device_get_name (device), what);
}

/* ---- DRAM settings from a preloader (--emi-from) ------------------------- */

static void
on_emi_chosen (GtkNativeDialog *dialog,
               int              response,
               gpointer         user_data)
{
  SfWindow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT) {
    g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

    if (file != NULL) {
      g_set_object (&self->emi_file, file);
      sf_window_update_emi_row (self);
      sf_window_update_actions (self);
    }
  }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
choose_emi_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("DRAM Settings From a Preloader"), GTK_WINDOW (widget),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Choose"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_emi_chosen), widget);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
clear_emi_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  SfWindow *self = SF_WINDOW (widget);

  g_clear_object (&self->emi_file);
  sf_window_update_emi_row (self);
  sf_window_update_actions (self);
}

/* ---- the images, checked before the phone is waited for ------------------ */

typedef struct {
  SfWindow *self;
  char     *text;
} CheckNote;

static gboolean
show_check_note (gpointer data)
{
  CheckNote *note = data;

  if (note->self->check_cancellable != NULL) {
    sf_window_set_instructions (note->self, _("Checking the Firmware"), note->text);
    sf_window_log_line (note->self, "%s", note->text);
  }
  g_object_unref (note->self);
  g_free (note->text);
  g_free (note);
  return G_SOURCE_REMOVE;
}

/* On the check's thread: the main loop says which image it is at. */
static void
on_check_image (const char *image_name,
                guint       index,
                guint       n,
                gpointer    user_data)
{
  CheckNote *note = g_new0 (CheckNote, 1);

  note->self = g_object_ref (user_data);
  note->text = g_strdup_printf (_("Checking %s (%u of %u)"), image_name, index + 1, n);
  /* At the priority of the check's answer, so that the notes come first. */
  g_idle_add_full (G_PRIORITY_DEFAULT, show_check_note, note, NULL);
}

typedef struct {
  SfPlan   *plan;
  gboolean  verify;
} Check;

static void
check_free (Check *check)
{
  g_clear_object (&check->plan);
  g_free (check);
}

static void
check_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Check *check = task_data;
  g_autoptr(GPtrArray) partitions = g_ptr_array_new ();
  GError *error = NULL;

  for (guint i = 0; i < sf_plan_get_n_steps (check->plan); i++)
    if (sf_plan_get_step (check->plan, i)->kind == SF_STEP_DOWNLOAD)
      g_ptr_array_add (partitions, sf_plan_get_step (check->plan, i)->partition);
  if (sf_firmware_check_images (sf_plan_get_firmware (check->plan), partitions, check->verify, on_check_image,
                                source_object, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
on_images_checked (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  SfWindow *self = SF_WINDOW (source);
  g_autoptr(GError) error = NULL;

  /* Stopped (its answer is not waited for), or the window was closed. */
  if (self->check_cancellable == NULL || self->check_cancellable != g_task_get_cancellable (G_TASK (result)))
    return;
  g_clear_object (&self->check_cancellable);
  if (!g_task_propagate_boolean (G_TASK (result), &error)) {
    /* The firmware's fault, found with the phone not even plugged in: the
     * result page and the log say it in the command line's words. */
    gboolean stopped = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

    sf_window_finish_job (self, stopped ? SF_WINDOW_RESULT_STOPPED : SF_WINDOW_RESULT_FAILED, error);
    return;
  }
  self->images_checked = TRUE;
  self->keep_log = TRUE;
  sf_window_start_download (self);
}

/* Reads every image @plan writes, with its checks (archive CRCs, sparse
 * chunks), as scatterflash-cli download does before it waits for a phone:
 * a damaged firmware is refused before anything is plugged in, and the
 * job finds the images checked. Download goes on when it is done. */
static void
check_images (SfWindow *self,
              SfPlan   *plan)
{
  g_autoptr(GTask) task = NULL;
  Check *check = g_new0 (Check, 1);

  check->plan = g_object_ref (plan);
  check->verify = self->verify;
  sf_window_begin_job_view (self, SF_WINDOW_JOB_DOWNLOAD, _("Checking the firmware’s images"));
  sf_window_set_instructions (self, _("Checking the Firmware"), _("Every image is read once before the phone is "
                                                                   "connected."));
  self->check_cancellable = g_cancellable_new ();
  task = g_task_new (self, self->check_cancellable, on_images_checked, NULL);
  g_task_set_source_tag (task, check_images);
  g_task_set_task_data (task, check, (GDestroyNotify) check_free);
  g_task_run_in_thread (task, check_thread);
  sf_window_update_actions (self);
}

void
sf_window_start_download (SfWindow *self)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SfPlan) plan = NULL;
  g_autoptr(SfDaFile) da = NULL;
  g_autoptr(SfUsbDevice) device = NULL;
  g_autofree char *port = NULL;
  g_autofree char *description = NULL;
  g_autofree char *firmware_name = NULL;
  g_autofree char *da_name = NULL;
  SfFlashJob *job;
  guint n_written = 0;
  SfScene scene;

  if (self->firmware == NULL || sf_window_is_busy (self) || self->loading)
    return;

  scene = sf_window_current_scene (self);
  if (sf_window_scene_picks_partitions (scene)) {
    for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->partitions)); i++) {
      g_autoptr(SfPartitionItem) item = g_list_model_get_item (G_LIST_MODEL (self->partitions), i);

      if (sf_partition_item_get_enabled (item))
        g_ptr_array_add (names, (gpointer) sf_partition_item_get_name (item));
    }
    if (names->len == 0) {
      sf_window_show_toast (self, _("Tick at least one partition to download"), 5);
      return;
    }
    g_ptr_array_add (names, NULL);
  }

  /* The other scenes write their own set (what the table shows). */
  plan = sf_plan_new (self->firmware, NULL, scene,
                      sf_window_scene_picks_partitions (scene) ? (const char * const *) names->pdata : NULL, &error);
  if (plan == NULL) {
    g_autofree char *text = sf_window_scene_words (error->message);

    sf_window_show_toast (self, text, 0);
    return;
  }
  for (guint i = 0; i < sf_plan_get_n_steps (plan); i++)
    n_written += sf_plan_get_step (plan, i)->kind == SF_STEP_DOWNLOAD;
  da = sf_window_choose_checked_da (self, &error);
  if (da == NULL) {
    sf_window_show_toast (self, error->message, 0);
    return;
  }
  if (!self->images_checked) {
    check_images (self, plan);
    return;
  }
  if (!self->practice && gtk_switch_get_active (self->station_switch)) {
    self->images_checked = FALSE;
    self->keep_log = FALSE;
    start_station (self, plan, da);
    return;
  }
  if (!sf_window_acquire_port (self, SF_WINDOW_JOB_DOWNLOAD, &device, &port))
    return;

  job = new_job (self, device, port, da);
  sf_flash_job_set_plan (job, plan);
  sf_flash_job_set_verify (job, self->verify);
  firmware_name = g_path_get_basename (sf_firmware_get_display_name (self->firmware));
  da_name = g_path_get_basename (sf_da_file_get_display_name (da));
  description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s: %u partition of %s, DA %s, port %s",
                                              "%s: %u partitions of %s, DA %s, port %s", n_written),
                                 sf_scene_get_title (scene), n_written, firmware_name, da_name, port);
  sf_window_run_job (self, SF_WINDOW_JOB_DOWNLOAD, job, description);
  log_phone (self, device);
}

static void
download_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  sf_window_start_download (SF_WINDOW (widget));
}

/* A job from the Readback, Format or Phone page: the window brings the
 * port and the DA, the page adds its steps. */
void
sf_window_start_page_job (SfWindow        *self,
                          SfWindowJobKind  kind)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SfDaFile) da = NULL;
  g_autoptr(SfUsbDevice) device = NULL;
  g_autofree char *port = NULL;
  g_autofree char *description = NULL;
  g_autoptr(SfFlashJob) job = NULL;
  gboolean ok = TRUE;

  if (sf_window_is_busy (self) || self->loading)
    return;
  da = sf_window_choose_checked_da (self, &error);
  if (da == NULL) {
    sf_window_show_toast (self, error->message, 0);
    return;
  }
  if (!sf_window_acquire_port (self, kind, &device, &port))
    return;
  job = new_job (self, device, port, da);

  switch (kind) {
  case SF_WINDOW_JOB_READBACK:
    ok = sf_readback_page_configure_job (self->readback_page, job, &error);
    description = ok ? sf_readback_page_describe (self->readback_page) : NULL;
    break;
  case SF_WINDOW_JOB_FORMAT:
    ok = sf_format_page_configure_job (self->format_page, job, &error);
    description = ok ? sf_format_page_describe (self->format_page) : NULL;
    break;
  case SF_WINDOW_JOB_IDENTIFY:
    description = g_strdup (_("Identifying the phone: chip, storage and partition table"));
    break;
  case SF_WINDOW_JOB_DOWNLOAD:
  default:
    g_assert_not_reached ();
  }
  if (!ok) {
    /* Nothing starts: the virtual phone made for it goes again. */
    g_clear_pointer (&self->sim, sf_sim_free);
    sf_window_show_toast (self, error->message, 0);
    return;
  }
  sf_window_run_job (self, kind, g_steal_pointer (&job), description);
  log_phone (self, device);
}

static void
stop_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SfWindow *self = SF_WINDOW (widget);

  if (sf_station_view_is_running (self->station)) {
    sf_station_view_stop (self->station);
    sf_window_update_actions (self);
    return;
  }
  if (self->worker != NULL) {
    /* The worker answers with a FAILED (cancelled) event, shown as "Stopped". */
    sf_worker_cancel (self->worker);
    sf_window_set_instructions (self, _("Stopping…"), _("Finishing the packet on its way, then letting the phone go."));
  } else if (self->check_cancellable != NULL || self->pending_job != NULL || self->waiting) {
    g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Stopped"));

    /* A check of the images stops between two blocks; nothing waits for it. */
    if (self->check_cancellable != NULL)
      g_cancellable_cancel (self->check_cancellable);
    g_clear_object (&self->check_cancellable);
    self->waiting = FALSE;
    sf_window_finish_job (self, SF_WINDOW_RESULT_STOPPED, error);
  }
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SfWindow *self = SF_WINDOW (widget);

  if (sf_window_is_busy (self))
    return;
  gtk_stack_set_visible_child_name (self->mode_stack, "pages");
  sf_window_update_actions (self);
}

static void
again_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  SfWindow *self = SF_WINDOW (widget);
  SfWindowJobKind kind = self->job_kind;
  g_autoptr(SfUsbDevice) replugged = NULL;

  if (sf_window_is_busy (self))
    return;
  /* A phone that a job talked to answers no second handshake: the job runs
   * again on the phone plugged in after it (practice plugs in a new
   * virtual phone by itself). */
  if (!self->practice && self->reached_phone) {
    replugged = g_steal_pointer (&self->replugged);
    if (replugged == NULL || !sf_window_still_plugged_in (self, replugged)) {
      sf_window_wait_for_replug (self, kind);
      return;
    }
    g_set_object (&self->arrived, replugged);
  }
  back_action (widget, action_name, parameter);
  if (kind == SF_WINDOW_JOB_DOWNLOAD)
    gtk_widget_activate_action (widget, "win.download", NULL);
  else
    sf_window_start_page_job (self, kind);
}

/* The readback's folder in the file manager (through the portal in a
 * Flatpak). */
static void
open_output_folder_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  SfWindow *self = SF_WINDOW (widget);
  GFile *folder = sf_readback_page_get_output_folder (self->readback_page);
  g_autofree char *uri = folder != NULL ? g_file_get_uri (folder) : NULL;

  if (uri != NULL)
    gtk_show_uri (GTK_WINDOW (self), uri, GDK_CURRENT_TIME);
}

static void
copy_log_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  SfWindow *self = SF_WINDOW (widget);
  g_autofree char *text = sf_window_get_log_text (self);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);
  sf_window_show_toast (self, _("Log copied"), 2);
}

static char *
log_text (GtkWidget *owner)
{
  return sf_window_get_log_text (SF_WINDOW (owner));
}

static void
save_log_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  sf_log_export_save (widget, SF_WINDOW (widget)->toast_overlay, _("Save Log"), "scatterflash-%Y%m%d-%H%M%S.log",
                      log_text);
}

static void
practice_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  SfWindow *self = SF_WINDOW (widget);

  sf_window_set_practice (self, !self->practice);
}

void
sf_window_class_add_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.open-folder", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.open-recent", "s", open_recent_action);
  gtk_widget_class_install_action (widget_class, "win.choose-da", NULL, choose_da_action);
  gtk_widget_class_install_action (widget_class, "win.reset-da", NULL, reset_da_action);
  gtk_widget_class_install_action (widget_class, "win.choose-emi", NULL, choose_emi_action);
  gtk_widget_class_install_action (widget_class, "win.clear-emi", NULL, clear_emi_action);
  gtk_widget_class_install_action (widget_class, "win.download", NULL, download_action);
  gtk_widget_class_install_action (widget_class, "win.stop", NULL, stop_action);
  gtk_widget_class_install_action (widget_class, "win.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "win.again", NULL, again_action);
  gtk_widget_class_install_action (widget_class, "win.copy-log", NULL, copy_log_action);
  gtk_widget_class_install_action (widget_class, "win.open-output-folder", NULL, open_output_folder_action);
  gtk_widget_class_install_action (widget_class, "win.save-log", NULL, save_log_action);
  gtk_widget_class_install_action (widget_class, "win.practice", NULL, practice_action);
  gtk_widget_class_install_property_action (widget_class, "win.verify", "verify");
  gtk_widget_class_install_action (widget_class, "win.copy-host-commands", NULL, copy_host_commands_action);
  gtk_widget_class_install_action (widget_class, "win.dismiss-host", NULL, dismiss_host_action);
}
