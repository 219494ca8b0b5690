/* sf-window.c — the main window: the class, its template and settings, the public API
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "sf-preferences-window.h"
#include "sf-window-private.h"

G_DEFINE_FINAL_TYPE (SfWindow, sf_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_VERIFY,
  PROP_PRACTICE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

void
sf_window_show_toast (SfWindow   *self,
                      const char *text,
                      guint       timeout)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  AdwToast *toast = adw_toast_new (escaped);

  adw_toast_set_timeout (toast, timeout);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

gboolean
sf_window_is_busy (SfWindow *self)
{
  return self->worker != NULL || self->pending_job != NULL || self->waiting || self->check_cancellable != NULL ||
         (self->station != NULL && sf_station_view_is_running (self->station));
}

void
sf_window_update_actions (SfWindow *self)
{
  gboolean running = sf_window_is_busy (self);
  gboolean idle = !running && !self->loading;
  gboolean in_job = !g_str_equal (gtk_stack_get_visible_child_name (self->mode_stack), "pages");

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.open", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.open-folder", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.open-recent", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.choose-da", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.reset-da", idle && self->da_override != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.choose-emi", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.clear-emi", idle && self->emi_file != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.practice", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.download",
                                 idle && self->firmware != NULL && !in_job);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.again", idle && in_job);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.back", idle && in_job);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.stop", running);
  gtk_widget_set_visible (self->da_reset_button, self->da_override != NULL);
  gtk_widget_set_visible (self->emi_clear_button, self->emi_file != NULL);

  if (running)
    gtk_stack_set_visible_child_name (self->action_stack, "stop");
  else if (in_job || g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "download") != 0)
    /* The other pages have their own button at the bottom. */
    gtk_stack_set_visible_child_name (self->action_stack, "none");
  else
    gtk_stack_set_visible_child_name (self->action_stack, "download");
  gtk_widget_set_sensitive (GTK_WIDGET (self->switcher_title), !in_job);
  gtk_widget_set_sensitive (GTK_WIDGET (self->phone_chooser), idle);
  if (self->readback_page != NULL) {
    sf_readback_page_set_busy (self->readback_page, !idle);
    sf_format_page_set_busy (self->format_page, !idle);
    sf_phone_page_set_busy (self->phone_page, !idle);
  }
}

static void
on_station_finished (SfWindow *self)
{
  g_autofree char *text = g_strdup_printf (_("%u flashed, %u failed"), sf_station_view_get_n_done (self->station),
                                           sf_station_view_get_n_failed (self->station));

  sf_window_show_toast (self, text, 5);
  sf_window_update_actions (self);
}

static void
on_readback_start (SfWindow *self)
{
  sf_window_start_page_job (self, SF_WINDOW_JOB_READBACK);
}

static void
on_format_start (SfWindow *self)
{
  sf_window_start_page_job (self, SF_WINDOW_JOB_FORMAT);
}

static void
on_identify (SfWindow *self)
{
  sf_window_start_page_job (self, SF_WINDOW_JOB_IDENTIFY);
}

static void
restore_settings (SfWindow *self)
{
  g_autofree char *scene_text = NULL;
  g_autofree char *da = NULL;
  SfScene scene;

  if (self->settings == NULL)
    return;
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
  g_settings_bind (self->settings, "verify-after-write", self, "verify", G_SETTINGS_BIND_DEFAULT);

  scene_text = g_settings_get_string (self->settings, "scene");
  if (sf_scene_from_string (scene_text, &scene))
    sf_window_restore_scene (self, scene);
  da = g_settings_get_string (self->settings, "last-da");
  if (da[0] != '\0') {
    g_autoptr(GFile) file = sf_window_location_from_string (da);

    if (g_file_query_exists (file, NULL))
      g_set_object (&self->da_override, file);
  }
  sf_window_rebuild_recent_menu (self);
}

static gboolean
sf_window_close_request (GtkWindow *window)
{
  SfWindow *self = SF_WINDOW (window);

  if (self->settings != NULL) {
    int width, height;

    gtk_window_get_default_size (window, &width, &height);
    g_settings_set_int (self->settings, "window-width", width);
    g_settings_set_int (self->settings, "window-height", height);
    g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  }
  /* Closing stops the job between two packets: the phone is left in
   * download mode, never half-way through a command. */
  if (self->worker != NULL)
    sf_worker_cancel (self->worker);
  return GTK_WINDOW_CLASS (sf_window_parent_class)->close_request (window);
}

static void
sf_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  SfWindow *self = SF_WINDOW (object);

  switch (prop_id) {
  case PROP_VERIFY:
    g_value_set_boolean (value, self->verify);
    break;
  case PROP_PRACTICE:
    g_value_set_boolean (value, self->practice);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
sf_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  SfWindow *self = SF_WINDOW (object);

  switch (prop_id) {
  case PROP_VERIFY:
    if (self->verify != g_value_get_boolean (value)) {
      self->verify = g_value_get_boolean (value);
      g_object_notify_by_pspec (object, pspec);
    }
    break;
  case PROP_PRACTICE:
    sf_window_set_practice (self, g_value_get_boolean (value));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
sf_window_dispose (GObject *object)
{
  SfWindow *self = SF_WINDOW (object);

  g_clear_handle_id (&self->drain_id, g_source_remove);
  g_clear_handle_id (&self->plug_id, g_source_remove);
  g_clear_handle_id (&self->replug_id, g_source_remove);
  if (self->host_cancellable != NULL)
    g_cancellable_cancel (self->host_cancellable);
  g_clear_object (&self->host_cancellable);
  if (self->monitor != NULL) {
    /* Before the widgets go: it reports the phones leaving. */
    g_signal_handlers_disconnect_by_data (sf_device_monitor_get_devices (self->monitor), self);
    sf_device_monitor_stop (self->monitor);
    g_clear_object (&self->monitor);
  }
  if (self->worker != NULL) {
    sf_worker_cancel (self->worker);
    sf_worker_join (self->worker);
    g_clear_object (&self->worker);
  }
  g_clear_pointer (&self->pending_job, sf_flash_job_free);
  if (self->sim != NULL) {
    sf_sim_stop (self->sim);
    g_clear_pointer (&self->sim, sf_sim_free);
  }
  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  if (self->check_cancellable != NULL)
    g_cancellable_cancel (self->check_cancellable);
  g_clear_object (&self->check_cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);

  gtk_widget_dispose_template (GTK_WIDGET (self), SF_TYPE_WINDOW);
  /* The pages went with the view stack, the station with the mode stack. */
  self->station = NULL;
  self->readback_page = NULL;
  self->format_page = NULL;
  self->phone_page = NULL;

  g_clear_object (&self->partitions);
  g_clear_object (&self->firmware);
  g_clear_object (&self->firmware_da);
  g_clear_object (&self->da_override);
  g_clear_object (&self->emi_file);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (sf_window_parent_class)->dispose (object);
}

static void
sf_window_finalize (GObject *object)
{
  SfWindow *self = SF_WINDOW (object);

  g_free (self->partition);
  g_free (self->step_kind);
  g_free (self->load_problem);
  g_free (self->scene_problem);
  g_free (self->replug_port);
  g_clear_pointer (&self->user_ticks, g_hash_table_unref);
  g_clear_error (&self->error);
  g_clear_pointer (&self->finished, g_ptr_array_unref);
  g_clear_object (&self->progress);
  g_clear_pointer (&self->device, sf_device_info_free);
  g_clear_object (&self->arrived);
  g_clear_object (&self->replugged);
  g_clear_pointer (&self->host_problems, g_ptr_array_unref);

  G_OBJECT_CLASS (sf_window_parent_class)->finalize (object);
}

static void
sf_window_class_init (SfWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->get_property = sf_window_get_property;
  object_class->set_property = sf_window_set_property;
  object_class->dispose = sf_window_dispose;
  object_class->finalize = sf_window_finalize;
  window_class->close_request = sf_window_close_request;

  properties[PROP_VERIFY] =
    g_param_spec_boolean ("verify", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PRACTICE] =
    g_param_spec_boolean ("practice", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (SF_TYPE_PHONE_CHOOSER);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/Scatterflash/ui/sf-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SfWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, action_stack);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, practice_revealer);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, host_revealer);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, host_label);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, firmware_revealer);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, firmware_banner);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, firmware_icon);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, firmware_label);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, mode_stack);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, download_stack);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, firmware_row);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, da_row);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, da_reset_button);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, emi_row);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, emi_clear_button);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, scene_row);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, port_row);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, port_entry);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, phone_strip);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, phone_chooser);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, station_row);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, station_switch);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, select_all_check);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, info_label);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, partition_view);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, check_column);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, name_column);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, begin_column);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, end_column);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, region_column);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, file_column);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, job_stack);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, job_spinner);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, job_title);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, job_instructions);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, partition_label);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, partition_percent);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, partition_bar);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, total_percent);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, total_bar);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, stats_label);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, result_box);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, result_icon);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, result_title);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, result_code);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, open_folder_button);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, result_text);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, log_expander);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, log_view);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, recent_section);

  sf_window_class_add_actions (widget_class);
}

static void
add_pages (SfWindow *self)
{
  AdwViewStackPage *page;

  self->readback_page = sf_readback_page_new ();
  page = adw_view_stack_add_titled (self->view_stack, GTK_WIDGET (self->readback_page), "readback", _("Readback"));
  adw_view_stack_page_set_icon_name (page, "document-revert-symbolic");
  g_signal_connect_swapped (self->readback_page, "start", G_CALLBACK (on_readback_start), self);

  self->format_page = sf_format_page_new ();
  page = adw_view_stack_add_titled (self->view_stack, GTK_WIDGET (self->format_page), "format", _("Format"));
  adw_view_stack_page_set_icon_name (page, "edit-clear-all-symbolic");
  g_signal_connect_swapped (self->format_page, "start", G_CALLBACK (on_format_start), self);

  self->phone_page = sf_phone_page_new ();
  page = adw_view_stack_add_titled (self->view_stack, GTK_WIDGET (self->phone_page), "phone", _("Phone"));
  adw_view_stack_page_set_icon_name (page, "phone-symbolic");
  g_signal_connect_swapped (self->phone_page, "identify", G_CALLBACK (on_identify), self);
}

static void
sf_window_init (SfWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->finished = g_ptr_array_new_with_free_func (g_free);
  self->progress = sf_job_progress_new ();
  self->practice_pace = SF_SIM_PACE_HIGH_SPEED;
  sf_window_set_practice_fault (self, NULL, NULL);
  self->partitions = g_list_store_new (SF_TYPE_PARTITION_ITEM);
  sf_window_columns_init (self);

  add_pages (self);
  self->station = sf_station_view_new ();
  gtk_stack_add_named (self->mode_stack, GTK_WIDGET (self->station), "station");
  g_signal_connect_swapped (self->station, "finished", G_CALLBACK (on_station_finished), self);
  g_signal_connect_swapped (self->view_stack, "notify::visible-child-name", G_CALLBACK (sf_window_update_actions), self);
  sf_window_firmware_init (self);

  sf_window_start_monitor (self);
  sf_window_start_host_check (self);
  self->settings = sf_gui_settings_new ();
  restore_settings (self);
  sf_window_update_da_row (self);
  sf_window_update_emi_row (self);

  gtk_stack_set_visible_child_name (self->download_stack, "empty");
  gtk_stack_set_visible_child_name (self->mode_stack, "pages");
  sf_window_update_actions (self);
}

SfWindow *
sf_window_new (SfApplication *application)
{
  return g_object_new (SF_TYPE_WINDOW, "application", application, NULL);
}

SfFirmware *
sf_window_get_firmware (SfWindow *self)
{
  g_return_val_if_fail (SF_IS_WINDOW (self), NULL);
  return self->firmware;
}

gboolean
sf_window_is_loading (SfWindow *self)
{
  g_return_val_if_fail (SF_IS_WINDOW (self), FALSE);
  return self->loading;
}

GListModel *
sf_window_get_partitions (SfWindow *self)
{
  g_return_val_if_fail (SF_IS_WINDOW (self), NULL);
  return G_LIST_MODEL (self->partitions);
}

void
sf_window_set_port (SfWindow   *self,
                    const char *port)
{
  g_return_if_fail (SF_IS_WINDOW (self));
  gtk_editable_set_text (GTK_EDITABLE (self->port_entry), port != NULL ? port : "");
}

void
sf_window_set_da_file (SfWindow *self,
                       GFile    *file)
{
  g_return_if_fail (SF_IS_WINDOW (self));
  g_set_object (&self->da_override, file);
  sf_window_update_da_row (self);
  sf_window_update_actions (self);
}

SfWindowResult
sf_window_get_result (SfWindow *self)
{
  g_return_val_if_fail (SF_IS_WINDOW (self), SF_WINDOW_RESULT_NONE);
  return self->result;
}

const GError *
sf_window_get_error (SfWindow *self)
{
  g_return_val_if_fail (SF_IS_WINDOW (self), NULL);
  return self->error;
}

char *
sf_window_get_log (SfWindow *self)
{
  g_return_val_if_fail (SF_IS_WINDOW (self), NULL);
  return sf_window_get_log_text (self);
}

void
sf_window_show_page (SfWindow   *self,
                     const char *name)
{
  g_return_if_fail (SF_IS_WINDOW (self));

  if (g_str_equal (name, "job")) {
    gtk_stack_set_visible_child_name (self->mode_stack, "job");
  } else {
    gtk_stack_set_visible_child_name (self->mode_stack, "pages");
    adw_view_stack_set_visible_child_name (self->view_stack, name);
  }
  sf_window_update_actions (self);
}

void
sf_window_get_progress (SfWindow *self,
                        guint64  *done,
                        guint64  *total)
{
  g_return_if_fail (SF_IS_WINDOW (self));

  if (done != NULL)
    *done = self->progress != NULL ? sf_job_progress_get_done (self->progress) : 0;
  if (total != NULL)
    *total = self->progress != NULL ? sf_job_progress_get_total (self->progress) : 0;
}

GtkWidget *
sf_window_get_page (SfWindow   *self,
                    const char *name)
{
  g_return_val_if_fail (SF_IS_WINDOW (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return adw_view_stack_get_child_by_name (self->view_stack, name);
}

const char *
sf_window_get_banner (SfWindow *self)
{
  g_return_val_if_fail (SF_IS_WINDOW (self), NULL);

  if (!gtk_revealer_get_reveal_child (self->firmware_revealer))
    return NULL;
  return gtk_label_get_text (self->firmware_label);
}

const char *
sf_window_get_da_status (SfWindow *self)
{
  g_return_val_if_fail (SF_IS_WINDOW (self), NULL);
  return adw_action_row_get_subtitle (self->da_row);
}

void
sf_window_set_station (SfWindow *self,
                       gboolean  station)
{
  g_return_if_fail (SF_IS_WINDOW (self));
  gtk_switch_set_active (self->station_switch, station);
}

GtkWidget *
sf_window_get_station (SfWindow *self)
{
  g_return_val_if_fail (SF_IS_WINDOW (self), NULL);
  return GTK_WIDGET (self->station);
}
