/* sf-window.c — the main window: firmware, partition checklist, download
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "sf-da-file.h"
#include "sf-firmware.h"
#include "sf-flash-job.h"
#include "sf-partition-item.h"
#include "sf-plan.h"
#include "sf-window.h"
#include "sf-worker.h"

/* The queue is drained at most this often: ~30 frames a second. */
#define DRAIN_INTERVAL_MS 33

struct _SfWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  AdwWindowTitle       *window_title;
  GtkDropDown          *scene_dropdown;
  GtkEntry             *port_entry;
  GtkStack             *main_stack;
  GtkLabel             *info_label;
  GtkColumnView        *partition_view;
  GtkColumnViewColumn  *check_column;
  GtkColumnViewColumn  *name_column;
  GtkColumnViewColumn  *begin_column;
  GtkColumnViewColumn  *end_column;
  GtkColumnViewColumn  *region_column;
  GtkColumnViewColumn  *file_column;
  GtkLabel             *progress_label;
  GtkProgressBar       *progress_bar;

  GListStore           *partitions;
  SfFirmware           *firmware;
  GFile                *da_override;
  GCancellable         *load_cancellable;
  GtkNativeDialog      *chooser;
  gboolean              loading;

  /* The running download */
  SfWorker             *worker;
  guint                 drain_id;
  SfWindowResult        result;
  char                 *stage;
  char                 *partition;
  guint64               overall_done;
  guint64               overall_total;
};

G_DEFINE_FINAL_TYPE (SfWindow, sf_window, ADW_TYPE_APPLICATION_WINDOW)

static const SfScene scenes[] = {
  SF_SCENE_DOWNLOAD_ONLY,
  SF_SCENE_FIRMWARE_UPGRADE,
  SF_SCENE_FORMAT_ALL_DOWNLOAD,
};

static void
show_toast (SfWindow   *self,
            const char *text,
            guint       timeout)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  AdwToast *toast = adw_toast_new (escaped);

  adw_toast_set_timeout (toast, timeout);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
update_actions (SfWindow *self)
{
  gboolean running = self->worker != NULL;
  gboolean idle = !running && !self->loading;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.open", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.open-folder", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.download", idle && self->firmware != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.stop", running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->scene_dropdown), !running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->port_entry), !running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->partition_view), !running);
}

/* Column factories */

static void
on_check_setup (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  GtkWidget *check = gtk_check_button_new ();

  gtk_accessible_update_property (GTK_ACCESSIBLE (check),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Write this partition"),
                                  -1);
  gtk_list_item_set_child (item, check);
}

static void
on_check_bind (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  SfPartitionItem *row = gtk_list_item_get_item (item);
  GtkWidget *check = gtk_list_item_get_child (item);
  GBinding *binding;

  gtk_widget_set_sensitive (check, sf_partition_item_get_selectable (row));
  binding = g_object_bind_property (row, "enabled", check, "active",
                                    G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_object_set_data (G_OBJECT (item), "sf-binding", binding);
}

static void
on_check_unbind (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  user_data)
{
  GBinding *binding = g_object_steal_data (G_OBJECT (item), "sf-binding");

  if (binding != NULL)
    g_binding_unbind (binding);
}

static void
on_label_setup (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  if (GPOINTER_TO_INT (user_data) != 0)
    gtk_widget_add_css_class (label, "monospace");
  gtk_list_item_set_child (item, label);
}

typedef enum {
  COLUMN_NAME,
  COLUMN_BEGIN,
  COLUMN_END,
  COLUMN_REGION,
  COLUMN_FILE,
} Column;

static void
on_label_bind (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  SfPartitionItem *row = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);
  Column column = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (factory), "sf-column"));
  g_autofree char *text = NULL;
  const char *file;

  switch (column) {
  case COLUMN_NAME:
    text = g_strdup (sf_partition_item_get_name (row));
    break;
  case COLUMN_BEGIN:
    text = g_strdup_printf ("0x%016" G_GINT64_MODIFIER "x", sf_partition_item_get_begin (row));
    break;
  case COLUMN_END:
    text = g_strdup_printf ("0x%016" G_GINT64_MODIFIER "x", sf_partition_item_get_end (row));
    break;
  case COLUMN_REGION:
    text = g_strdup (sf_partition_item_get_region (row));
    break;
  case COLUMN_FILE:
    file = sf_partition_item_get_file (row);
    if (file == NULL)
      text = g_strdup (_("(no file)"));
    else if (!sf_partition_item_get_selectable (row))
      /* Translators: a file the scatter names but the firmware lacks */
      text = g_strdup_printf (_("%s (missing)"), file);
    else
      text = g_strdup (file);
    gtk_widget_set_tooltip_text (label, file);
    break;
  default:
    g_assert_not_reached ();
  }
  gtk_label_set_text (GTK_LABEL (label), text != NULL ? text : "");
  gtk_widget_set_sensitive (label, sf_partition_item_get_selectable (row));
}

static void
set_label_factory (GtkColumnViewColumn *column,
                   Column               which,
                   gboolean             monospace)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  g_object_set_data (G_OBJECT (factory), "sf-column", GINT_TO_POINTER (which));
  g_signal_connect (factory, "setup", G_CALLBACK (on_label_setup), GINT_TO_POINTER (monospace));
  g_signal_connect (factory, "bind", G_CALLBACK (on_label_bind), NULL);
  gtk_column_view_column_set_factory (column, factory);
}

/* Loading a firmware */

static void
show_firmware (SfWindow   *self,
               SfFirmware *firmware)
{
  SfScatter *scatter = sf_firmware_get_scatter (firmware);
  SfLayout *layout = sf_scatter_get_layout (scatter, 0);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *info = NULL;
  g_autofree char *subtitle = NULL;
  const char *format;

  g_set_object (&self->firmware, firmware);

  for (guint i = 0; layout != NULL && i < sf_layout_get_n_partitions (layout); i++) {
    SfPartition *p = sf_layout_get_partition (layout, i);
    SfImageState state;
    guint64 end;

    /* As SP Flash Tool does: only what the scatter marks for download. */
    if (!p->is_download)
      continue;
    state = sf_firmware_get_image_state (firmware, p);
    end = p->size > 0 ? p->start + p->size - 1 : p->start;
    g_ptr_array_add (items, sf_partition_item_new (p->name, p->region, p->start, end,
                                                   p->file_name, state == SF_IMAGE_STATE_OK));
  }
  g_list_store_splice (self->partitions, 0, g_list_model_get_n_items (G_LIST_MODEL (self->partitions)),
                       items->pdata, items->len);

  if (sf_scatter_get_format (scatter) == SF_SCATTER_FORMAT_LEGACY)
    format = _("legacy");
  else
    format = sf_scatter_get_config_version (scatter);
  /* Translators: platform, project and scatter format of the open firmware */
  info = g_strdup_printf (_("Platform: %s    Project: %s    Scatter format: %s"),
                          sf_scatter_get_platform (scatter) ? sf_scatter_get_platform (scatter) : _("unknown"),
                          sf_scatter_get_project (scatter) ? sf_scatter_get_project (scatter) : _("unknown"),
                          format ? format : _("unknown"));
  gtk_label_set_text (self->info_label, info);
  subtitle = g_path_get_basename (sf_firmware_get_display_name (firmware));
  adw_window_title_set_subtitle (self->window_title, subtitle);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->window_title), sf_firmware_get_display_name (firmware));
  gtk_label_set_text (self->progress_label, _("Ready"));
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_stack_set_visible_child_name (self->main_stack, "firmware");
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;
  SfFirmware *firmware = sf_firmware_open (G_FILE (task_data), cancellable, &error);

  if (firmware == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, firmware, g_object_unref);
}

static void
on_load_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  SfWindow *self = SF_WINDOW (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(SfFirmware) firmware = g_task_propagate_pointer (G_TASK (result), &error);

  self->loading = FALSE;
  g_clear_object (&self->load_cancellable);

  if (firmware != NULL) {
    show_firmware (self, firmware);
  } else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    /* The message already names FILE:LINE for a bad scatter. */
    show_toast (self, error->message, 0);
  }
  update_actions (self);
}

void
sf_window_load_firmware (SfWindow *self,
                         GFile    *location)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (SF_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (location));

  if (self->worker != NULL) {
    show_toast (self, _("Stop the download before opening another firmware"), 5);
    return;
  }
  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  self->load_cancellable = g_cancellable_new ();
  self->loading = TRUE;
  update_actions (self);

  /* An archive can take a while to read: never on the main thread. */
  task = g_task_new (self, self->load_cancellable, on_load_done, NULL);
  g_task_set_source_tag (task, sf_window_load_firmware);
  g_task_set_task_data (task, g_object_ref (location), g_object_unref);
  g_task_run_in_thread (task, load_thread);
}

static void
on_chooser_response (GtkNativeDialog *dialog,
                     int              response,
                     gpointer         user_data)
{
  SfWindow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT) {
    g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

    if (file != NULL)
      sf_window_load_firmware (self, file);
  }
  gtk_native_dialog_destroy (dialog);
  g_clear_object (&self->chooser);
}

static void
open_chooser (SfWindow *self,
              gboolean  folder)
{
  GtkFileChooserNative *chooser;

  if (self->chooser != NULL) {
    gtk_native_dialog_show (self->chooser);
    return;
  }

  chooser = gtk_file_chooser_native_new (folder ? _("Open Firmware Folder") : _("Open Firmware"),
                                         GTK_WINDOW (self),
                                         folder ? GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER
                                                : GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Open"), _("_Cancel"));
  if (!folder) {
    static const char *patterns[] = {
      "*_scatter*.txt", "*.txt", "*.zip", "*.7z", "*.rar", "*.tar", "*.tar.gz", "*.tgz",
      "*.tar.xz", "*.tar.bz2",
    };
    g_autoptr(GtkFileFilter) firmware = gtk_file_filter_new ();
    g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

    gtk_file_filter_set_name (firmware, _("Scatter Files and Firmware Archives"));
    for (guint i = 0; i < G_N_ELEMENTS (patterns); i++)
      gtk_file_filter_add_pattern (firmware, patterns[i]);
    gtk_file_filter_set_name (all, _("All Files"));
    gtk_file_filter_add_pattern (all, "*");
    gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), firmware);
    gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);
  }
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_chooser_response), self);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->chooser);
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  open_chooser (SF_WINDOW (widget), g_str_equal (action_name, "win.open-folder"));
}

/* Downloading */

static void
show_progress (SfWindow *self)
{
  g_autofree char *text = NULL;
  double fraction = 0;

  if (self->overall_total > 0)
    fraction = CLAMP ((double) self->overall_done / (double) self->overall_total, 0.0, 1.0);
  gtk_progress_bar_set_fraction (self->progress_bar, fraction);

  if (self->partition != NULL)
    /* Translators: stage, partition and percent done, e.g. "Writing: SYSTEM — 42 %" */
    text = g_strdup_printf (_("%s: %s — %d %%"), self->stage ? self->stage : "", self->partition,
                            (int) (fraction * 100));
  else
    text = g_strdup_printf (_("%s — %d %%"), self->stage ? self->stage : "", (int) (fraction * 100));
  gtk_label_set_text (self->progress_label, text);
}

static void
finish_download (SfWindow       *self,
                 SfWindowResult  result,
                 const GError   *error)
{
  /* The FINISHED or FAILED event is the worker's last word: joining is immediate. */
  if (self->worker != NULL) {
    sf_worker_join (self->worker);
    g_clear_object (&self->worker);
  }
  self->drain_id = 0;
  self->result = result;
  update_actions (self);

  switch (result) {
  case SF_WINDOW_RESULT_DONE:
    gtk_progress_bar_set_fraction (self->progress_bar, 1.0);
    gtk_label_set_text (self->progress_label, _("Done: every ticked partition was written"));
    show_toast (self, _("Done"), 5);
    break;
  case SF_WINDOW_RESULT_STOPPED:
    gtk_label_set_text (self->progress_label, _("Stopped"));
    show_toast (self, _("Stopped"), 5);
    break;
  case SF_WINDOW_RESULT_FAILED: {
    GtkWidget *dialog;

    gtk_label_set_text (self->progress_label, _("Failed"));
    dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Download Failed"),
                                     error != NULL ? error->message : NULL);
    adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
    gtk_window_present (GTK_WINDOW (dialog));
    break;
  }
  case SF_WINDOW_RESULT_NONE:
  case SF_WINDOW_RESULT_RUNNING:
  default:
    break;
  }
}

static gboolean
on_drain (gpointer user_data)
{
  SfWindow *self = user_data;
  GAsyncQueue *queue = sf_worker_get_queue (self->worker);
  gboolean dirty = FALSE;
  SfEvent *raw;

  /* Progress is coalesced: only the last numbers of this frame are drawn. */
  while ((raw = g_async_queue_try_pop (queue)) != NULL) {
    g_autoptr(SfEvent) e = raw;

    switch (e->kind) {
    case SF_EVENT_STAGE:
      g_free (self->stage);
      self->stage = g_strdup (e->message);
      g_clear_pointer (&self->partition, g_free);
      dirty = TRUE;
      break;
    case SF_EVENT_DEVICE:
      if (e->device != NULL && e->device->chip != NULL) {
        g_free (self->stage);
        self->stage = g_strdup_printf (_("Connected to %s"), e->device->chip);
        dirty = TRUE;
      }
      break;
    case SF_EVENT_STEP_BEGIN:
      g_free (self->partition);
      self->partition = g_strdup (e->partition);
      if (e->message != NULL) {
        g_free (self->stage);
        self->stage = g_strdup (e->message);
      }
      dirty = TRUE;
      break;
    case SF_EVENT_PROGRESS:
      self->overall_done = e->overall_done;
      self->overall_total = e->overall_total;
      dirty = TRUE;
      break;
    case SF_EVENT_LOG:
      g_debug ("%s", e->message);
      break;
    case SF_EVENT_STEP_END:
      break;
    case SF_EVENT_FINISHED:
      finish_download (self, SF_WINDOW_RESULT_DONE, NULL);
      return G_SOURCE_REMOVE;
    case SF_EVENT_FAILED:
      finish_download (self,
                       g_error_matches (e->error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                         ? SF_WINDOW_RESULT_STOPPED : SF_WINDOW_RESULT_FAILED,
                       e->error);
      return G_SOURCE_REMOVE;
    default:
      break;
    }
  }
  if (dirty)
    show_progress (self);
  return G_SOURCE_CONTINUE;
}

/* The bundled DA: in the build tree next to this program, else installed. */
static GFile *
bundled_da (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);

  if (exe != NULL) {
    g_autofree char *dir = g_path_get_dirname (exe);
    g_autofree char *built = g_build_filename (dir, "..", "..", "tools", SF_BUNDLED_DA_NAME, NULL);

    if (g_file_test (built, G_FILE_TEST_IS_REGULAR))
      return g_file_new_for_path (built);
  }
  return g_file_new_build_filename (PKGDATADIR, SF_BUNDLED_DA_NAME, NULL);
}

static SfDaFile *
choose_da (SfWindow  *self,
           GError   **error)
{
  g_autoptr(SfDaFile) da = NULL;
  g_autoptr(GFile) bundled = NULL;

  if (self->da_override != NULL)
    return sf_da_file_new (self->da_override, NULL, error);

  /* Only the file's header and entry table are read: quick enough here. */
  da = sf_firmware_open_da (self->firmware, NULL, error);
  if (da != NULL || (error != NULL && *error != NULL))
    return g_steal_pointer (&da);

  bundled = bundled_da ();
  return sf_da_file_new (bundled, NULL, error);
}

static void
download_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  SfWindow *self = SF_WINDOW (widget);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SfPlan) plan = NULL;
  g_autoptr(SfDaFile) da = NULL;
  g_autofree char *port = NULL;
  SfFlashJob *job;
  guint selected;
  SfScene scene;

  if (self->firmware == NULL || self->worker != NULL || self->loading)
    return;

  port = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->port_entry))));
  if (port[0] == '\0') {
    show_toast (self, _("Enter the phone’s port first, e.g. /dev/ttyACM0"), 5);
    gtk_widget_grab_focus (GTK_WIDGET (self->port_entry));
    return;
  }

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->partitions)); i++) {
    g_autoptr(SfPartitionItem) item = g_list_model_get_item (G_LIST_MODEL (self->partitions), i);

    if (sf_partition_item_get_enabled (item))
      g_ptr_array_add (names, (gpointer) sf_partition_item_get_name (item));
  }
  if (names->len == 0) {
    show_toast (self, _("Tick at least one partition to download"), 5);
    return;
  }
  g_ptr_array_add (names, NULL);

  selected = gtk_drop_down_get_selected (self->scene_dropdown);
  scene = selected < G_N_ELEMENTS (scenes) ? scenes[selected] : SF_SCENE_DOWNLOAD_ONLY;

  plan = sf_plan_new (self->firmware, NULL, scene, (const char * const *) names->pdata, &error);
  if (plan == NULL) {
    show_toast (self, error->message, 0);
    return;
  }
  da = choose_da (self, &error);
  if (da == NULL) {
    show_toast (self, error->message, 0);
    return;
  }

  job = sf_flash_job_new (port, da);
  sf_flash_job_set_plan (job, plan);
  sf_flash_job_set_verify (job, FALSE);

  g_clear_pointer (&self->stage, g_free);
  g_clear_pointer (&self->partition, g_free);
  self->stage = g_strdup (_("Waiting for the phone"));
  self->overall_done = 0;
  self->overall_total = sf_plan_get_total_bytes (plan);
  self->result = SF_WINDOW_RESULT_RUNNING;
  show_progress (self);

  self->worker = sf_worker_new ();
  sf_worker_start (self->worker, "sf-flash", sf_flash_job_run, job, (GDestroyNotify) sf_flash_job_free);
  self->drain_id = g_timeout_add (DRAIN_INTERVAL_MS, on_drain, self);
  update_actions (self);
}

static void
stop_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SfWindow *self = SF_WINDOW (widget);

  /* The worker answers with a FAILED (cancelled) event, shown as "Stopped". */
  if (self->worker != NULL) {
    sf_worker_cancel (self->worker);
    gtk_label_set_text (self->progress_label, _("Stopping…"));
  }
}

static gboolean
sf_window_close_request (GtkWindow *window)
{
  SfWindow *self = SF_WINDOW (window);

  /* Closing stops the job: the phone is left in download mode. */
  if (self->worker != NULL)
    sf_worker_cancel (self->worker);
  return GTK_WINDOW_CLASS (sf_window_parent_class)->close_request (window);
}

static void
sf_window_dispose (GObject *object)
{
  SfWindow *self = SF_WINDOW (object);

  g_clear_handle_id (&self->drain_id, g_source_remove);
  if (self->worker != NULL) {
    sf_worker_cancel (self->worker);
    sf_worker_join (self->worker);
    g_clear_object (&self->worker);
  }
  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);

  gtk_widget_dispose_template (GTK_WIDGET (self), SF_TYPE_WINDOW);

  g_clear_object (&self->partitions);
  g_clear_object (&self->firmware);
  g_clear_object (&self->da_override);

  G_OBJECT_CLASS (sf_window_parent_class)->dispose (object);
}

static void
sf_window_finalize (GObject *object)
{
  SfWindow *self = SF_WINDOW (object);

  g_free (self->stage);
  g_free (self->partition);

  G_OBJECT_CLASS (sf_window_parent_class)->finalize (object);
}

static void
sf_window_class_init (SfWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = sf_window_dispose;
  object_class->finalize = sf_window_finalize;
  window_class->close_request = sf_window_close_request;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/Scatterflash/ui/sf-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SfWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, scene_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, port_entry);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, info_label);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, partition_view);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, check_column);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, name_column);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, begin_column);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, end_column);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, region_column);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, file_column);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, progress_label);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, progress_bar);

  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.open-folder", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.download", NULL, download_action);
  gtk_widget_class_install_action (widget_class, "win.stop", NULL, stop_action);
}

static void
sf_window_init (SfWindow *self)
{
  g_autoptr(GtkListItemFactory) check_factory = NULL;
  g_autoptr(GtkNoSelection) selection = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->partitions = g_list_store_new (SF_TYPE_PARTITION_ITEM);
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->partitions)));
  gtk_column_view_set_model (self->partition_view, GTK_SELECTION_MODEL (selection));

  check_factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (check_factory, "setup", G_CALLBACK (on_check_setup), NULL);
  g_signal_connect (check_factory, "bind", G_CALLBACK (on_check_bind), NULL);
  g_signal_connect (check_factory, "unbind", G_CALLBACK (on_check_unbind), NULL);
  gtk_column_view_column_set_factory (self->check_column, check_factory);
  set_label_factory (self->name_column, COLUMN_NAME, FALSE);
  set_label_factory (self->begin_column, COLUMN_BEGIN, TRUE);
  set_label_factory (self->end_column, COLUMN_END, TRUE);
  set_label_factory (self->region_column, COLUMN_REGION, FALSE);
  set_label_factory (self->file_column, COLUMN_FILE, FALSE);

  gtk_stack_set_visible_child_name (self->main_stack, "empty");
  update_actions (self);
}

SfWindow *
sf_window_new (SfApplication *application)
{
  return g_object_new (SF_TYPE_WINDOW, "application", application, NULL);
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
}

SfWindowResult
sf_window_get_result (SfWindow *self)
{
  g_return_val_if_fail (SF_IS_WINDOW (self), SF_WINDOW_RESULT_NONE);
  return self->result;
}
