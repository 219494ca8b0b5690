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

/* A job on @port (or on the phone that just arrived) with @da, and the
 * calibration backups where the preferences say. */
static SfFlashJob *
new_job (SfWindow   *self,
         const char *port,
         SfDaFile   *da)
{
  g_autoptr(GFile) backup_dir = sf_gui_default_backup_folder (self->settings);
  SfFlashJob *job = self->arrived != NULL ? sf_flash_job_new_for_device (self->arrived, da)
                                          : sf_flash_job_new (port, da);

  sf_flash_job_set_backup_dir (job, backup_dir);
  /* As scatterflash-cli --emi-from: only a phone in BootROM mode uses it. */
  if (self->emi_file != NULL)
    sf_flash_job_set_emi_file (job, self->emi_file);
  return job;
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

void
sf_window_start_download (SfWindow *self)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SfPlan) plan = NULL;
  g_autoptr(SfDaFile) da = NULL;
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
  if (!self->practice && gtk_switch_get_active (self->station_switch)) {
    start_station (self, plan, da);
    return;
  }
  if (!sf_window_acquire_port (self, SF_WINDOW_JOB_DOWNLOAD, &port))
    return;

  job = new_job (self, port, da);
  sf_flash_job_set_plan (job, plan);
  sf_flash_job_set_verify (job, self->verify);
  firmware_name = g_path_get_basename (sf_firmware_get_display_name (self->firmware));
  da_name = g_path_get_basename (sf_da_file_get_display_name (da));
  description = g_strdup_printf (_("%s: %u partitions of %s, DA %s, port %s"),
                                 sf_scene_get_title (scene), n_written, firmware_name, da_name, port);
  sf_window_run_job (self, SF_WINDOW_JOB_DOWNLOAD, job, sf_plan_get_total_bytes (plan), description);
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
  if (!sf_window_acquire_port (self, kind, &port))
    return;
  job = new_job (self, port, da);

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
  sf_window_run_job (self, kind, g_steal_pointer (&job), 0, description);
  if (!self->practice && self->arrived == NULL &&
      gtk_editable_get_text (GTK_EDITABLE (self->port_entry))[0] != '\0') {
    /* Not silently: the port comes from the Download page. */
    g_autofree char *text = g_strdup_printf (_("Using %s, the phone port typed on the Download page. %s"), port,
                                             sf_window_connect_instructions ());

    sf_window_set_instructions (self, _("Connect the Phone"), text);
    sf_window_log_line (self, _("Port %s, as typed on the Download page"), port);
  }
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
  } else if (self->pending_job != NULL || self->waiting) {
    g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Stopped"));

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
  g_clear_object (&self->arrived);
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
