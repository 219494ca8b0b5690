/* sf-window.c — the main window: firmware and checklist, the job view
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>
#include <errno.h>
#include <string.h>

#include <glib/gi18n.h>

#include "sf-chip.h"
#include "sf-da-file.h"
#include "sf-device-monitor.h"
#include "sf-device-page.h"
#include "sf-error.h"
#include "sf-error-text.h"
#include "sf-firmware.h"
#include "sf-firmware-check.h"
#include "sf-flash-job.h"
#include "sf-format-page.h"
#include "sf-host-check.h"
#include "sf-partition-item.h"
#include "sf-plan.h"
#include "sf-job-progress.h"
#include "sf-preferences-window.h"
#include "sf-readback-page.h"
#include "sf-sim.h"
#include "sf-station-view.h"
#include "sf-window.h"
#include "sf-worker.h"

/* The queue is drained at most this often (about a frame at 30 Hz): a 1 GB
 * download posts a thousand progress events, the window draws 30 a second. */
#define DRAIN_INTERVAL_MS 33

/* In practice mode the virtual phone is "plugged in" this long after
 * Download, so that the user sees the instructions first. */
#define PRACTICE_PLUG_MS 1500


#define MAX_RECENT 10

typedef enum {
  JOB_DOWNLOAD,
  JOB_READBACK,
  JOB_FORMAT,
  JOB_IDENTIFY,
} JobKind;

struct _SfWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  AdwViewSwitcherTitle *switcher_title;
  GtkStack             *action_stack;
  GtkRevealer          *practice_revealer;
  GtkRevealer          *host_revealer;
  GtkLabel             *host_label;
  GtkRevealer          *firmware_revealer;
  GtkWidget            *firmware_banner;
  GtkImage             *firmware_icon;
  GtkLabel             *firmware_label;
  GtkStack             *mode_stack;
  AdwViewStack         *view_stack;
  GtkStack             *download_stack;
  AdwStatusPage        *empty_page;
  AdwActionRow         *firmware_row;
  AdwActionRow         *da_row;
  GtkWidget            *da_reset_button;
  AdwComboRow          *scene_row;
  AdwActionRow         *port_row;
  GtkEntry             *port_entry;
  GtkListBox           *phones_list;
  AdwActionRow         *station_row;
  GtkSwitch            *station_switch;
  SfStationView        *station;
  GtkCheckButton       *select_all_check;
  GtkLabel             *info_label;
  GtkColumnView        *partition_view;
  GtkColumnViewColumn  *check_column;
  GtkColumnViewColumn  *name_column;
  GtkColumnViewColumn  *begin_column;
  GtkColumnViewColumn  *end_column;
  GtkColumnViewColumn  *region_column;
  GtkColumnViewColumn  *file_column;
  GtkStack             *job_stack;
  GtkSpinner           *job_spinner;
  GtkLabel             *job_title;
  GtkLabel             *job_instructions;
  GtkLabel             *partition_label;
  GtkLabel             *partition_percent;
  GtkProgressBar       *partition_bar;
  GtkLabel             *total_percent;
  GtkProgressBar       *total_bar;
  GtkLabel             *stats_label;
  GtkWidget            *result_box;
  GtkImage             *result_icon;
  GtkLabel             *result_title;
  GtkLabel             *result_code;
  GtkWidget            *open_folder_button;
  GtkLabel             *result_text;
  GtkExpander          *log_expander;
  GtkTextView          *log_view;
  GMenu                *recent_section;
  SfReadbackPage       *readback_page;
  SfFormatPage         *format_page;
  SfDevicePage         *device_page;

  GSettings            *settings;     /* NULL when the schema is not installed */
  GListStore           *partitions;
  gboolean              select_all_busy;
  SfFirmware           *firmware;
  SfDaFile             *firmware_da;  /* the DA that came with the firmware */
  GFile                *da_override;
  GCancellable         *load_cancellable;
  GtkNativeDialog      *chooser;
  gboolean              loading;
  gboolean              verify;
  char                 *load_problem;  /* why the last firmware opened was refused */
  char                 *scene_problem; /* why the scene cannot run this firmware */
  GHashTable           *user_ticks;    /* Download Only's ticks while another scene is shown */

  /* Phones on the bus (and virtual phones that announce themselves) */
  SfDeviceMonitor      *monitor;
  gboolean              waiting;       /* a job waits for a phone to arrive */
  JobKind               waiting_kind;
  SfUsbDevice          *arrived;       /* the phone that just arrived */
  GPtrArray            *host_problems; /* (element-type SfHostProblem) */
  GCancellable         *host_cancellable;

  /* Practice mode: a virtual phone in this process */
  gboolean              practice;
  SfSimPace             practice_pace;
  SfSimFaults           practice_faults;
  SfSim                *sim;
  guint                 plug_id;
  gboolean              practice_sample; /* practice opened the sample: nothing was open */

  /* The running job */
  JobKind               job_kind;
  SfFlashJob           *pending_job;  /* waiting for the virtual phone to be plugged in */
  SfWorker             *worker;
  guint                 drain_id;
  SfWindowResult        result;
  GError               *error;
  char                 *partition;
  char                 *step_kind;
  gint64                started_us;
  SfJobProgress        *progress;     /* the job's events, folded (sf-job-progress.h) */
  GPtrArray            *finished;     /* partitions done, in order */
  gboolean              reached_phone; /* the job talked to the phone: Again needs a replug */
  gboolean              step_open;    /* a step began and has not ended */
  SfUsbDevice          *replugged;    /* a phone that arrived since the job ended */
  char                 *replug_port;  /* the typed port, watched for the replug */
  gboolean              replug_gone;
  guint                 replug_id;
  SfDeviceInfo         *device;
};

G_DEFINE_FINAL_TYPE (SfWindow, sf_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_VERIFY,
  PROP_PRACTICE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const SfScene scenes[] = {
  SF_SCENE_DOWNLOAD_ONLY,
  SF_SCENE_FIRMWARE_UPGRADE,
  SF_SCENE_FORMAT_ALL_DOWNLOAD,
};

static void log_line (SfWindow *self, const char *format, ...) G_GNUC_PRINTF (2, 3);
static void show_host_problems (SfWindow *self);

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

static gboolean
is_busy (SfWindow *self)
{
  return self->worker != NULL || self->pending_job != NULL || self->waiting ||
         (self->station != NULL && sf_station_view_is_running (self->station));
}

static void
update_actions (SfWindow *self)
{
  gboolean running = is_busy (self);
  gboolean idle = !running && !self->loading;
  gboolean in_job = !g_str_equal (gtk_stack_get_visible_child_name (self->mode_stack), "pages");

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.open", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.open-folder", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.open-recent", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.choose-da", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.reset-da", idle && self->da_override != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.practice", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.download",
                                 idle && self->firmware != NULL && !in_job);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.again", idle && in_job);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.back", idle && in_job);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.stop", running);
  gtk_widget_set_visible (self->da_reset_button, self->da_override != NULL);

  if (running)
    gtk_stack_set_visible_child_name (self->action_stack, "stop");
  else if (in_job || g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "download") != 0)
    /* The other pages have their own button at the bottom. */
    gtk_stack_set_visible_child_name (self->action_stack, "none");
  else
    gtk_stack_set_visible_child_name (self->action_stack, "download");
  gtk_widget_set_sensitive (GTK_WIDGET (self->switcher_title), !in_job);
  if (self->readback_page != NULL) {
    sf_readback_page_set_busy (self->readback_page, !idle);
    sf_format_page_set_busy (self->format_page, !idle);
    sf_device_page_set_busy (self->device_page, !idle);
  }
}

/* ---- settings ------------------------------------------------------------ */

static char *
location_to_string (GFile *location)
{
  char *path = g_file_get_path (location);

  return path != NULL ? path : g_file_get_uri (location);
}

static GFile *
location_from_string (const char *text)
{
  return g_path_is_absolute (text) ? g_file_new_for_path (text) : g_file_new_for_uri (text);
}

static void
rebuild_recent_menu (SfWindow *self)
{
  g_auto(GStrv) recent = NULL;

  g_menu_remove_all (self->recent_section);
  if (self->settings == NULL)
    return;
  recent = g_settings_get_strv (self->settings, "recent-firmware");
  for (guint i = 0; recent[i] != NULL; i++) {
    g_autoptr(GFile) file = location_from_string (recent[i]);
    g_autofree char *base = g_file_get_basename (file);
    g_autoptr(GFile) parent = g_file_get_parent (file);
    g_autofree char *parent_base = parent != NULL ? g_file_get_basename (parent) : NULL;
    g_autofree char *label = parent_base != NULL ? g_strdup_printf ("%s/%s", parent_base, base)
                                                 : g_strdup (base);
    /* Menu labels take "_" as a mnemonic: MT6572_Android_scatter.txt keeps its own. */
    g_auto(GStrv) parts = g_strsplit (label, "_", -1);
    g_autofree char *escaped = g_strjoinv ("__", parts);
    g_autoptr(GMenuItem) item = g_menu_item_new (escaped, NULL);

    g_menu_item_set_action_and_target_value (item, "win.open-recent", g_variant_new_string (recent[i]));
    g_menu_append_item (self->recent_section, item);
  }
}

static void
remember_firmware (SfWindow *self,
                   GFile    *location)
{
  g_autofree char *text = location_to_string (location);
  g_auto(GStrv) old = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) recent = NULL;
  guint n = 1;

  if (self->settings == NULL)
    return;
  old = g_settings_get_strv (self->settings, "recent-firmware");
  g_strv_builder_add (builder, text);
  for (guint i = 0; old[i] != NULL && n < MAX_RECENT; i++) {
    if (g_str_equal (old[i], text))
      continue;
    g_strv_builder_add (builder, old[i]);
    n++;
  }
  recent = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "recent-firmware", (const char * const *) recent);
  rebuild_recent_menu (self);
}

/* ---- the checklist ------------------------------------------------------- */

static void
update_select_all (SfWindow *self)
{
  GListModel *model = G_LIST_MODEL (self->partitions);
  guint n = g_list_model_get_n_items (model), ticked = 0, tickable = 0;

  for (guint i = 0; i < n; i++) {
    g_autoptr(SfPartitionItem) item = g_list_model_get_item (model, i);

    tickable += sf_partition_item_get_selectable (item);
    ticked += sf_partition_item_get_enabled (item);
  }
  self->select_all_busy = TRUE;
  gtk_check_button_set_inconsistent (self->select_all_check, ticked > 0 && ticked < tickable);
  gtk_check_button_set_active (self->select_all_check, tickable > 0 && ticked == tickable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->select_all_check), tickable > 0);
  self->select_all_busy = FALSE;
}

static void
on_select_all_toggled (GtkCheckButton *check,
                       SfWindow       *self)
{
  GListModel *model = G_LIST_MODEL (self->partitions);
  gboolean active;

  if (self->select_all_busy)
    return;
  /* From "some" a click ticks everything. */
  active = gtk_check_button_get_active (check) || gtk_check_button_get_inconsistent (check);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++) {
    g_autoptr(SfPartitionItem) item = g_list_model_get_item (model, i);

    sf_partition_item_set_enabled (item, active);
  }
  update_select_all (self);
}

static void
on_item_enabled (SfPartitionItem *item,
                 GParamSpec      *pspec,
                 SfWindow        *self)
{
  update_select_all (self);
}

static void
on_check_setup (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  GtkWidget *check = gtk_check_button_new ();

  gtk_list_item_set_child (item, check);
}

static void
on_check_bind (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  SfPartitionItem *row = gtk_list_item_get_item (item);
  GtkWidget *check = gtk_list_item_get_child (item);
  g_autofree char *label = g_strdup_printf (_("Write %s"), sf_partition_item_get_name (row));
  GBinding *active, *sensitive;

  gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  active = g_object_bind_property (row, "enabled", check, "active",
                                   G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  sensitive = g_object_bind_property (row, "selectable", check, "sensitive", G_BINDING_SYNC_CREATE);
  g_object_set_data (G_OBJECT (item), "sf-binding", active);
  g_object_set_data (G_OBJECT (item), "sf-binding-sensitive", sensitive);
}

static void
on_check_unbind (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  user_data)
{
  GBinding *active = g_object_steal_data (G_OBJECT (item), "sf-binding");
  GBinding *sensitive = g_object_steal_data (G_OBJECT (item), "sf-binding-sensitive");

  if (active != NULL)
    g_binding_unbind (active);
  if (sensitive != NULL)
    g_binding_unbind (sensitive);
}

typedef enum {
  COLUMN_NAME,
  COLUMN_BEGIN,
  COLUMN_END,
  COLUMN_REGION,
} Column;

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

static void
on_label_bind (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  SfPartitionItem *row = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);
  Column column = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (factory), "sf-column"));
  g_autofree char *text = NULL;

  switch (column) {
  case COLUMN_NAME:
    text = g_strdup (sf_partition_item_get_name (row));
    break;
  case COLUMN_BEGIN:
    text = g_strdup_printf ("0x%016" PRIx64 "", sf_partition_item_get_begin (row));
    break;
  case COLUMN_END:
    text = g_strdup_printf ("0x%016" PRIx64 "", sf_partition_item_get_end (row));
    break;
  case COLUMN_REGION:
    text = g_strdup (sf_partition_item_get_region (row));
    break;
  default:
    g_assert_not_reached ();
  }
  gtk_label_set_text (GTK_LABEL (label), text != NULL ? text : "");
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

/* The image column: a warning sign, where the image is, and a button to
 * pick another one. */

static void pick_image (SfWindow *self, SfPartitionItem *item);
static void update_firmware_banner (SfWindow *self);
static void populate_partitions (SfWindow *self);

static void
update_file_cell (GtkWidget       *box,
                  SfPartitionItem *row)
{
  GtkWidget *icon = gtk_widget_get_first_child (box);
  GtkWidget *label = gtk_widget_get_next_sibling (icon);
  const char *file = sf_partition_item_get_file (row);
  const char *problem = sf_partition_item_get_problem (row);
  const char *warning = sf_partition_item_get_warning (row);
  const char *note = sf_partition_item_get_note (row);
  g_autofree char *text = NULL;
  g_autofree char *tooltip = NULL;

  gtk_widget_remove_css_class (icon, "success");
  if (note != NULL) {
    /* What the scene does to a row it does not write: kept calibration. */
    gtk_image_set_from_icon_name (GTK_IMAGE (icon), "security-high-symbolic");
    gtk_widget_add_css_class (icon, "success");
    gtk_widget_remove_css_class (icon, "warning");
    gtk_widget_remove_css_class (icon, "error");
    text = g_strdup (note);
    tooltip = g_strdup (note);
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  } else if (problem != NULL) {
    const char *colon = strstr (problem, ": ");
    g_autofree char *where = colon != NULL ? g_strndup (problem, colon - problem) : NULL;

    gtk_image_set_from_icon_name (GTK_IMAGE (icon), "dialog-error-symbolic");
    gtk_widget_add_css_class (icon, "error");
    gtk_widget_remove_css_class (icon, "warning");
    /* The cell starts with what is wrong ("logo.bin is missing"); the
     * scatter file's line is in the tooltip and the banner. */
    text = g_strdup (where != NULL && strstr (where, ".txt:") != NULL ? colon + 2 : problem);
    tooltip = g_strdup (problem);
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  } else if (warning != NULL) {
    gtk_image_set_from_icon_name (GTK_IMAGE (icon), "dialog-warning-symbolic");
    gtk_widget_add_css_class (icon, "warning");
    gtk_widget_remove_css_class (icon, "error");
    text = g_strdup_printf ("%s — %s", file != NULL ? file : "", warning);
    tooltip = g_strdup (warning);
  } else {
    const char *folder = g_object_get_data (G_OBJECT (row), "sf-folder");

    if (file != NULL && folder != NULL && g_str_has_prefix (file, folder))
      text = g_strdup (file + strlen (folder));
    else
      text = g_strdup (file != NULL ? file : _("(no image)"));
    tooltip = g_strdup (file);
  }
  if (note == NULL && problem == NULL)
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_START);
  /* A kept partition has no image to choose. */
  gtk_widget_set_visible (gtk_widget_get_last_child (box), note == NULL);
  gtk_widget_set_visible (icon, note != NULL || problem != NULL || warning != NULL);
  gtk_label_set_text (GTK_LABEL (label), text);
  gtk_widget_set_tooltip_text (label, tooltip);
  gtk_widget_set_sensitive (label, problem == NULL);
}

static void
on_row_notify (SfPartitionItem *row,
               GParamSpec      *pspec,
               GtkWidget       *box)
{
  update_file_cell (box, row);
}

static void
on_pick_clicked (GtkButton   *button,
                 GtkListItem *item)
{
  SfPartitionItem *row = gtk_list_item_get_item (item);
  SfWindow *self = SF_WINDOW (gtk_widget_get_root (GTK_WIDGET (button)));

  if (row != NULL)
    pick_image (self, row);
}

static void
on_file_setup (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *icon = gtk_image_new ();
  GtkWidget *label = gtk_label_new (NULL);
  GtkWidget *button = gtk_button_new_from_icon_name ("document-open-symbolic");

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_START);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, _("Choose Another Image"));
  g_signal_connect (button, "clicked", G_CALLBACK (on_pick_clicked), item);
  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), button);
  gtk_list_item_set_child (item, box);
}

static void
on_file_bind (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  SfPartitionItem *row = gtk_list_item_get_item (item);
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *button = gtk_widget_get_last_child (box);
  g_autofree char *label = g_strdup_printf (_("Choose another image for %s"), sf_partition_item_get_name (row));
  gulong id;

  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  update_file_cell (box, row);
  id = g_signal_connect (row, "notify", G_CALLBACK (on_row_notify), box);
  g_object_set_data (G_OBJECT (item), "sf-notify", GSIZE_TO_POINTER ((gsize) id));
}

static void
on_file_unbind (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  SfPartitionItem *row = gtk_list_item_get_item (item);
  gulong id = (gulong) GPOINTER_TO_SIZE (g_object_steal_data (G_OBJECT (item), "sf-notify"));

  if (row != NULL && id != 0)
    g_signal_handler_disconnect (row, id);
}

static void
on_partition_activate (GtkColumnView *view,
                       guint          position,
                       SfWindow      *self)
{
  g_autoptr(SfPartitionItem) item = g_list_model_get_item (G_LIST_MODEL (self->partitions), position);

  if (item != NULL && !is_busy (self))
    pick_image (self, item);
}

/* @text without the firmware's folder in front of file names: the user
 * knows where the firmware is (the Firmware row says it). */
static char *
strip_folder (SfFirmware *firmware,
              const char *text)
{
  const char *where = firmware != NULL ? sf_firmware_get_display_name (firmware) : NULL;
  g_autofree char *parent = where != NULL ? g_path_get_dirname (where) : NULL;
  const char *folders[] = { where, parent };
  char *result = g_strdup (text);

  for (guint i = 0; i < G_N_ELEMENTS (folders); i++) {
    g_autofree char *prefix = NULL;
    g_auto(GStrv) parts = NULL;

    if (folders[i] == NULL || g_str_equal (folders[i], ".") || g_str_equal (folders[i], "/"))
      continue;
    prefix = g_strconcat (folders[i], G_DIR_SEPARATOR_S, NULL);
    parts = g_strsplit (result, prefix, -1);
    g_free (result);
    result = g_strjoinv ("", parts);
  }
  return result;
}

/* Why @partition's image cannot be written, or NULL when it can. */
static char *
image_problem (SfFirmware  *firmware,
               SfPartition *partition)
{
  g_autoptr(GError) error = NULL;

  if (sf_firmware_check_image (firmware, partition, &error))
    return NULL;
  return strip_folder (firmware, error->message);
}

static void
set_item_image (SfWindow        *self,
                SfPartitionItem *item,
                gboolean         tick)
{
  SfPartition *p = sf_partition_item_get_partition (item);
  g_autofree char *problem = image_problem (self->firmware, p);

  sf_partition_item_set_image (item, sf_firmware_get_image_path (self->firmware, p), problem, tick);
  /* The Image Location column shows names inside the firmware's folder. */
  g_object_set_data_full (G_OBJECT (item), "sf-folder",
                          g_strconcat (sf_firmware_get_display_name (self->firmware), G_DIR_SEPARATOR_S, NULL),
                          g_free);
}

gboolean
sf_window_set_partition_image (SfWindow    *self,
                               const char  *name,
                               GFile       *file,
                               GError     **error)
{
  GListModel *model;

  g_return_val_if_fail (SF_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (name != NULL && G_IS_FILE (file), FALSE);

  model = G_LIST_MODEL (self->partitions);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++) {
    g_autoptr(SfPartitionItem) item = g_list_model_get_item (model, i);

    if (!g_str_equal (sf_partition_item_get_name (item), name))
      continue;
    if (!sf_firmware_set_image_file (self->firmware, sf_partition_item_get_partition (item), file,
                                     NULL, error))
      return FALSE;
    if (sf_partition_item_get_fixed (item)) {
      /* The scene may run now: what it writes is worked out again. */
      populate_partitions (self);
      return TRUE;
    }
    set_item_image (self, item, TRUE);
    update_select_all (self);
    update_firmware_banner (self);
    return TRUE;
  }
  g_set_error (error, SF_ERROR, SF_ERROR_UNKNOWN_PARTITION, _("No partition %s in the checklist"), name);
  return FALSE;
}

static void
on_image_chosen (GtkNativeDialog *dialog,
                 int              response,
                 gpointer         user_data)
{
  SfWindow *self = user_data;
  SfPartitionItem *item = g_object_get_data (G_OBJECT (dialog), "sf-item");

  if (response == GTK_RESPONSE_ACCEPT && item != NULL && self->firmware != NULL) {
    g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
    g_autoptr(GError) error = NULL;

    if (file != NULL &&
        !sf_window_set_partition_image (self, sf_partition_item_get_name (item), file, &error))
      show_toast (self, error->message, 0);
  }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
pick_image (SfWindow        *self,
            SfPartitionItem *item)
{
  g_autofree char *title = g_strdup_printf (_("Image for %s"), sf_partition_item_get_name (item));
  GtkFileChooserNative *chooser;

  if (self->firmware == NULL || is_busy (self))
    return;
  chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Choose"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_object_set_data_full (G_OBJECT (chooser), "sf-item", g_object_ref (item), g_object_unref);
  g_signal_connect (chooser, "response", G_CALLBACK (on_image_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ---- loading a firmware -------------------------------------------------- */

/* The warning of the scatter file about @p, if any: issues are located by
 * line, and an entry runs from its line to the next entry's. */
static const SfIssue *
find_issue (GPtrArray         *issues,
            const SfPartition *p,
            const SfPartition *next)
{
  for (guint i = 0; issues != NULL && i < issues->len; i++) {
    const SfIssue *issue = g_ptr_array_index (issues, i);

    if (issue->line >= p->line && (next == NULL || issue->line < next->line))
      return issue;
  }
  return NULL;
}

/* The planner speaks the command line's words ("choose download-only");
 * the window shows the scenes by their titles. */
static char *
scene_words (const char *text)
{
  static const SfScene named[] = {
    SF_SCENE_FORMAT_ALL_DOWNLOAD, SF_SCENE_FIRMWARE_UPGRADE, SF_SCENE_DOWNLOAD_ONLY,
  };
  char *result = g_strdup (text);

  for (guint i = 0; i < G_N_ELEMENTS (named); i++) {
    g_auto(GStrv) parts = g_strsplit (result, sf_scene_to_string (named[i]), -1);

    g_free (result);
    result = g_strjoinv (sf_scene_get_title (named[i]), parts);
  }
  return result;
}

static SfScene
current_scene (SfWindow *self)
{
  guint selected = adw_combo_row_get_selected (self->scene_row);

  return selected < G_N_ELEMENTS (scenes) ? scenes[selected] : SF_SCENE_DOWNLOAD_ONLY;
}

/* Download Only writes what the user ticks; the other scenes write their
 * own set, which the planner decides (for the command line too: its
 * download --scene passes no list either). */
static gboolean
scene_picks_partitions (SfScene scene)
{
  return scene == SF_SCENE_DOWNLOAD_ONLY;
}

static void
add_download_steps (GHashTable *names,
                    SfPlan     *plan)
{
  for (guint i = 0; plan != NULL && i < sf_plan_get_n_steps (plan); i++) {
    const SfPlanStep *step = sf_plan_get_step (plan, i);

    if (step->kind == SF_STEP_DOWNLOAD && step->partition != NULL)
      g_hash_table_add (names, step->partition->name);
  }
}

/* The partitions Download Only writes unless the user says otherwise. */
static GHashTable *
default_ticks (SfWindow *self)
{
  GHashTable *names = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(SfPlan) plan = sf_plan_new (self->firmware, NULL, SF_SCENE_DOWNLOAD_ONLY, NULL, NULL);
  SfLayout *layout = sf_scatter_get_layout (sf_firmware_get_scatter (self->firmware), 0);

  if (plan == NULL && layout != NULL) {
    /* The default set is refused as a whole when an image is missing or
     * broken (flashing the rest could leave the phone without its boot
     * image by accident). The rows that can be written are ticked, the
     * others say why, and so does the banner. */
    g_autoptr(GPtrArray) usable = g_ptr_array_new ();

    for (guint i = 0; i < sf_layout_get_n_partitions (layout); i++) {
      SfPartition *p = sf_layout_get_partition (layout, i);

      if (p->is_download && !sf_partition_is_calibration (p) &&
          sf_firmware_check_image (self->firmware, p, NULL))
        g_ptr_array_add (usable, p->name);
    }
    g_ptr_array_add (usable, NULL);
    if (usable->len > 1)
      plan = sf_plan_new (self->firmware, NULL, SF_SCENE_DOWNLOAD_ONLY, (const char * const *) usable->pdata,
                          NULL);
  }
  add_download_steps (names, plan);
  return names;
}

/* The DA file that a job would use now; NULL with @error when it is
 * unusable. */
static SfDaFile *
choose_da (SfWindow  *self,
           GError   **error)
{
  g_autoptr(GFile) bundled = NULL;

  if (self->da_override != NULL)
    return sf_da_file_new (self->da_override, NULL, error);
  if (self->firmware_da != NULL && !self->practice)
    return g_object_ref (self->firmware_da);
  bundled = sf_da_file_find_bundled ();
  return sf_da_file_new (bundled, NULL, error);
}

/* Whether @da can start this firmware's chip at all (the check SP Flash
 * Tool makes only once the phone answers), made before anything starts. */
static gboolean
check_da_for_firmware (SfWindow  *self,
                       SfDaFile  *da,
                       GError   **error)
{
  return sf_firmware_check_da (self->firmware, da, error);
}

static void update_da_row (SfWindow *self);

static SfDaFile *
choose_checked_da (SfWindow  *self,
                   GError   **error)
{
  g_autoptr(SfDaFile) da = choose_da (self, error);

  if (da == NULL || !check_da_for_firmware (self, da, error)) {
    update_da_row (self);
    return NULL;
  }
  return g_steal_pointer (&da);
}

static void
update_da_row (SfWindow *self)
{
  g_autofree char *subtitle = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SfDaFile) da = NULL;

  if (self->da_override != NULL)
    subtitle = g_file_get_basename (self->da_override);
  else if (self->firmware_da != NULL)
    /* Translators: the DA file found next to the scatter file */
    subtitle = g_strdup_printf (_("From the firmware: %s"), sf_da_file_get_display_name (self->firmware_da));
  else if (self->practice)
    /* Translators: %s is a file name */
    subtitle = g_strdup_printf (_("Bundled: %s"), SF_BUNDLED_DA_NAME);
  else
    /* Translators: %s is a file name */
    subtitle = g_strdup_printf (_("Bundled: %s, for the virtual phone only: a real phone needs "
                                  "MTK_AllInOne_DA.bin from SP Flash Tool or the firmware"), SF_BUNDLED_DA_NAME);
  if (self->da_override == NULL && self->firmware_da == NULL && !self->practice)
    gtk_widget_add_css_class (GTK_WIDGET (self->da_row), "warning");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->da_row), "warning");

  /* A DA that cannot be read or cannot start this chip is shown here,
   * where the user can change it. Reading it is quick: header and table. */
  da = choose_da (self, &error);
  if (da != NULL)
    check_da_for_firmware (self, da, &error);
  if (error != NULL) {
    g_free (subtitle);
    subtitle = g_strdup (error->message);
    gtk_widget_add_css_class (GTK_WIDGET (self->da_row), "error");
  } else {
    gtk_widget_remove_css_class (GTK_WIDGET (self->da_row), "error");
  }
  adw_action_row_set_subtitle (self->da_row, subtitle);
  if (self->da_override != NULL && error == NULL) {
    g_autofree char *where = location_to_string (self->da_override);

    gtk_widget_set_tooltip_text (GTK_WIDGET (self->da_row), where);
  } else {
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->da_row), subtitle);
  }
  update_firmware_banner (self);
}

/* The banner under the header bar: why the firmware cannot be used, or
 * what in it cannot be written. It stays, in full, until the firmware (or
 * what is wrong with it) changes. */
static void
update_firmware_banner (SfWindow *self)
{
  g_autoptr(GString) text = g_string_new (NULL);
  gboolean error = FALSE;

  if (self->load_problem != NULL) {
    g_string_append (text, self->load_problem);
    error = TRUE;
  } else if (self->firmware != NULL) {
    GListModel *model = G_LIST_MODEL (self->partitions);
    g_autoptr(GError) da_error = NULL;
    g_autoptr(SfDaFile) da = NULL;
    guint n_problems = 0;

    if (!scene_picks_partitions (current_scene (self))) {
      /* The scene's own set: only whether it can run at all. */
      if (self->scene_problem != NULL) {
        /* Translators: a scene (Format All + Download), then why it cannot run */
        g_string_append_printf (text, _("%s cannot start with this firmware: %s"),
                                sf_scene_get_title (current_scene (self)), self->scene_problem);
        error = TRUE;
      }
    } else {
      for (guint i = 0; i < g_list_model_get_n_items (model); i++) {
        g_autoptr(SfPartitionItem) item = g_list_model_get_item (model, i);
        const char *problem = sf_partition_item_get_problem (item);

        if (problem == NULL)
          continue;
        if (n_problems++ == 0)
          g_string_append (text, _("These partitions cannot be written and are left unticked; "
                                   "the others can be:"));
        g_string_append_printf (text, "\n%s: %s", sf_partition_item_get_name (item), problem);
      }
    }
    da = choose_da (self, &da_error);
    if (da != NULL)
      check_da_for_firmware (self, da, &da_error);
    if (da_error != NULL) {
      if (text->len > 0)
        g_string_append (text, "\n");
      /* Translators: why the download agent cannot be used */
      g_string_append_printf (text, _("Download Agent: %s"), da_error->message);
      error = TRUE;
    }
  }
  gtk_label_set_text (self->firmware_label, text->str);
  gtk_image_set_from_icon_name (self->firmware_icon, error ? "dialog-error-symbolic" : "dialog-warning-symbolic");
  if (error) {
    gtk_widget_add_css_class (self->firmware_banner, "refused");
    gtk_widget_remove_css_class (self->firmware_banner, "problem");
  } else {
    gtk_widget_add_css_class (self->firmware_banner, "problem");
    gtk_widget_remove_css_class (self->firmware_banner, "refused");
  }
  gtk_revealer_set_reveal_child (self->firmware_revealer, text->len > 0);
}

static const char *
kept_note (SfScene scene)
{
  if (scene == SF_SCENE_FORMAT_ALL_DOWNLOAD)
    return _("Kept: backed up, then written back");
  return _("Kept: backed up, left in place");
}

/* The checklist for the open firmware and the chosen scene: Download
 * Only's rows are the user's to tick; the other scenes show what they will
 * do, with the ticks fixed and the calibration they keep marked. */
static void
populate_partitions (SfWindow *self)
{
  SfScatter *scatter;
  SfLayout *layout;
  GPtrArray *issues;
  SfScene scene = current_scene (self);
  gboolean fixed = !scene_picks_partitions (scene);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) written = NULL;
  g_autoptr(GHashTable) kept = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(SfPlan) plan = NULL;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&self->scene_problem, g_free);
  if (self->firmware == NULL) {
    g_list_store_remove_all (self->partitions);
    update_select_all (self);
    update_firmware_banner (self);
    return;
  }
  scatter = sf_firmware_get_scatter (self->firmware);
  layout = sf_scatter_get_layout (scatter, 0);
  issues = sf_scatter_get_issues (scatter);

  if (fixed) {
    written = g_hash_table_new (g_str_hash, g_str_equal);
    plan = sf_plan_new (self->firmware, NULL, scene, NULL, &error);
    if (plan == NULL)
      self->scene_problem = scene_words (error->message);
    add_download_steps (written, plan);
    for (guint i = 0; plan != NULL && i < sf_plan_get_n_steps (plan); i++) {
      const SfPlanStep *step = sf_plan_get_step (plan, i);

      if (step->kind == SF_STEP_BACKUP && step->partition != NULL)
        g_hash_table_add (kept, step->partition->name);
    }
  } else {
    written = self->user_ticks != NULL ? g_hash_table_ref (self->user_ticks) : default_ticks (self);
  }

  for (guint i = 0; layout != NULL && i < sf_layout_get_n_partitions (layout); i++) {
    SfPartition *p = sf_layout_get_partition (layout, i);
    SfPartition *next = i + 1 < sf_layout_get_n_partitions (layout) ? sf_layout_get_partition (layout, i + 1) : NULL;
    g_autoptr(SfPartitionItem) item = NULL;
    gboolean keeps = g_hash_table_contains (kept, p->name);
    const SfIssue *issue;

    /* As SP Flash Tool does: only what the scatter marks for download,
     * and the calibration a scene keeps. */
    if (!p->is_download && !keeps)
      continue;
    item = sf_partition_item_new (p);
    if (p->is_download)
      set_item_image (self, item, !fixed && g_hash_table_contains (written, p->name));
    if (fixed)
      sf_partition_item_set_fixed (item, g_hash_table_contains (written, p->name));
    issue = find_issue (issues, p, next);
    if (keeps)
      sf_partition_item_set_note (item, kept_note (scene));
    else if (issue != NULL && issue->severity == SF_SEVERITY_WARNING)
      sf_partition_item_set_warning (item, issue->message);
    else if (sf_partition_is_calibration (p))
      sf_partition_item_set_warning (item, _("holds the phone’s own calibration (IMEI, radio): "
                                             "writing it replaces this phone’s with the firmware’s"));
    g_signal_connect_object (item, "notify::enabled", G_CALLBACK (on_item_enabled), self, 0);
    g_ptr_array_add (items, g_steal_pointer (&item));
  }
  g_list_store_splice (self->partitions, 0, g_list_model_get_n_items (G_LIST_MODEL (self->partitions)),
                       items->pdata, items->len);
  {
    GtkWidget *scroller = gtk_widget_get_ancestor (GTK_WIDGET (self->partition_view), GTK_TYPE_SCROLLED_WINDOW);

    /* Another table starts at its first row (PRELOADER). */
    if (scroller != NULL)
      gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller)), 0);
  }
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->select_all_check),
                               fixed ? _("This scene writes its own set of partitions: choose Download Only "
                                         "to pick them")
                                     : _("Tick or untick every partition that has an image"));
  update_select_all (self);
  update_firmware_banner (self);
}

/* Download Only's ticks, kept while another scene shows its own. */
static void
save_user_ticks (SfWindow *self)
{
  GListModel *model = G_LIST_MODEL (self->partitions);

  g_clear_pointer (&self->user_ticks, g_hash_table_unref);
  self->user_ticks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++) {
    g_autoptr(SfPartitionItem) item = g_list_model_get_item (model, i);

    if (sf_partition_item_get_enabled (item))
      g_hash_table_add (self->user_ticks, g_strdup (sf_partition_item_get_name (item)));
  }
}

static void
show_firmware (SfWindow   *self,
               SfFirmware *firmware,
               SfDaFile   *da)
{
  SfScatter *scatter = sf_firmware_get_scatter (firmware);
  g_autofree char *info = NULL;
  g_autofree char *subtitle = NULL;
  const char *format;

  g_set_object (&self->firmware, firmware);
  g_set_object (&self->firmware_da, da);
  g_clear_pointer (&self->load_problem, g_free);
  g_clear_pointer (&self->user_ticks, g_hash_table_unref);
  sf_readback_page_set_firmware (self->readback_page, firmware);
  sf_format_page_set_firmware (self->format_page, firmware);
  populate_partitions (self);

  if (sf_scatter_get_format (scatter) == SF_SCATTER_FORMAT_LEGACY)
    format = _("legacy");
  else
    format = sf_scatter_get_config_version (scatter);
  /* Translators: platform, project and scatter format of the open firmware */
  info = g_strdup_printf (_("Platform %s · Project %s · Scatter %s"),
                          sf_scatter_get_platform (scatter) ? sf_scatter_get_platform (scatter) : _("unknown"),
                          sf_scatter_get_project (scatter) ? sf_scatter_get_project (scatter) : _("unknown"),
                          format ? format : _("unknown"));
  gtk_label_set_text (self->info_label, info);
  /* The name; where it is, in the tooltip. */
  subtitle = g_path_get_basename (sf_firmware_get_display_name (firmware));
  adw_action_row_set_subtitle (self->firmware_row, subtitle);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->firmware_row), sf_firmware_get_display_name (firmware));
  adw_view_switcher_title_set_subtitle (self->switcher_title, subtitle);
  update_da_row (self);
  update_firmware_banner (self);
  gtk_stack_set_visible_child_name (self->download_stack, "firmware");
  adw_view_stack_set_visible_child_name (self->view_stack, "download");
}

/* Nothing is open any more: the firmware was refused, or practice put the
 * sample away. @problem: (nullable): why, for the banner. */
static void
unload_firmware (SfWindow   *self,
                 const char *problem)
{
  g_clear_object (&self->firmware);
  g_clear_object (&self->firmware_da);
  g_clear_pointer (&self->user_ticks, g_hash_table_unref);
  g_free (self->load_problem);
  self->load_problem = g_strdup (problem);
  sf_readback_page_set_firmware (self->readback_page, NULL);
  sf_format_page_set_firmware (self->format_page, NULL);
  populate_partitions (self);
  adw_view_switcher_title_set_subtitle (self->switcher_title, NULL);
  update_da_row (self);
  update_firmware_banner (self);
  if (problem != NULL) {
    adw_status_page_set_title (self->empty_page, _("This Firmware Cannot Be Used"));
    adw_status_page_set_description (self->empty_page, _("The reason is shown above. Open another firmware, or "
                                                         "correct this one and open it again."));
    adw_status_page_set_icon_name (self->empty_page, "dialog-error-symbolic");
  } else {
    adw_status_page_set_title (self->empty_page, _("Open a Firmware"));
    adw_status_page_set_description (self->empty_page, _("Choose the firmware’s scatter file "
                                                         "(MT65xx_Android_scatter.txt), its folder, or the archive "
                                                         "it came in. You can also drop it on this window."));
    adw_status_page_set_icon_name (self->empty_page, "phone-symbolic");
  }
  gtk_stack_set_visible_child_name (self->download_stack, "empty");
}

typedef struct {
  SfFirmware *firmware;
  SfDaFile   *da;
} Loaded;

static void
loaded_free (Loaded *loaded)
{
  g_clear_object (&loaded->firmware);
  g_clear_object (&loaded->da);
  g_free (loaded);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;
  Loaded *loaded = g_new0 (Loaded, 1);

  loaded->firmware = sf_firmware_open (G_FILE (task_data), cancellable, &error);
  /* Exactly what scatterflash-cli checks before it uses a firmware. */
  if (loaded->firmware != NULL && !sf_firmware_check_load (loaded->firmware, &error))
    g_clear_object (&loaded->firmware);
  if (loaded->firmware == NULL) {
    loaded_free (loaded);
    g_task_return_error (task, g_steal_pointer (&error));
    return;
  }
  /* A DA file that does not parse is passed over here: the bundled one
   * or the user's choice is used instead. */
  loaded->da = sf_firmware_open_da (loaded->firmware, cancellable, NULL);
  g_task_return_pointer (task, loaded, (GDestroyNotify) loaded_free);
}

static void
on_load_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  SfWindow *self = SF_WINDOW (source);
  g_autoptr(GError) error = NULL;
  Loaded *loaded = g_task_propagate_pointer (G_TASK (result), &error);
  GFile *location = g_task_get_task_data (G_TASK (result));

  self->loading = FALSE;
  g_clear_object (&self->load_cancellable);

  if (loaded != NULL) {
    show_firmware (self, loaded->firmware, loaded->da);
    if (!self->practice_sample)
      remember_firmware (self, location);
    loaded_free (loaded);
  } else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    g_autofree char *name = g_file_get_parse_name (location);
    g_autofree char *base = g_file_get_basename (location);
    g_autofree char *problem = NULL;

    /* The message names FILE:LINE for a bad scatter. Whatever was open
     * before is put away: the table must never show one firmware while
     * the banner speaks of another. */
    g_autoptr(GFile) parent = g_file_get_parent (location);
    GFile *folders[] = { location, parent };
    g_autofree char *message = g_strdup (error->message);

    /* File names are enough: the folder is where the user just was. */
    for (guint i = 0; i < G_N_ELEMENTS (folders); i++) {
      g_autofree char *folder = folders[i] != NULL ? g_file_get_parse_name (folders[i]) : NULL;
      g_autofree char *prefix = folder != NULL ? g_strconcat (folder, G_DIR_SEPARATOR_S, NULL) : NULL;
      g_auto(GStrv) parts = prefix != NULL ? g_strsplit (message, prefix, -1) : NULL;

      if (parts != NULL) {
        g_free (message);
        message = g_strjoinv ("", parts);
      }
    }
    /* Translators: a file name, then why it cannot be used */
    problem = g_strdup_printf (_("%s cannot be used. %s"), base, message);
    unload_firmware (self, problem);
    g_warning ("%s: %s", name, error->message);
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

  if (is_busy (self)) {
    show_toast (self, _("Stop the running job before opening another firmware"), 5);
    return;
  }
  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  /* The user's own choice from now on, in practice or not. */
  self->practice_sample = FALSE;
  self->load_cancellable = g_cancellable_new ();
  self->loading = TRUE;
  gtk_stack_set_visible_child_name (self->mode_stack, "pages");
  gtk_stack_set_visible_child_name (self->download_stack, "loading");
  adw_view_stack_set_visible_child_name (self->view_stack, "download");
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
  gboolean for_da = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "sf-da"));

  if (response == GTK_RESPONSE_ACCEPT) {
    g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

    if (file != NULL && for_da) {
      g_autoptr(GError) error = NULL;
      g_autoptr(SfDaFile) da = sf_da_file_new (file, NULL, &error);

      if (da == NULL) {
        show_toast (self, error->message, 0);
      } else {
        sf_window_set_da_file (self, file);
        if (self->settings != NULL) {
          g_autofree char *text = location_to_string (file);

          g_settings_set_string (self->settings, "last-da", text);
        }
      }
    } else if (file != NULL) {
      sf_window_load_firmware (self, file);
    }
  }
  gtk_native_dialog_destroy (dialog);
  g_clear_object (&self->chooser);
}

static void
open_chooser (SfWindow *self,
              gboolean  folder,
              gboolean  for_da)
{
  GtkFileChooserNative *chooser;
  const char *title;

  if (self->chooser != NULL) {
    gtk_native_dialog_show (self->chooser);
    return;
  }

  title = for_da ? _("Choose a Download Agent") : folder ? _("Open Firmware Folder") : _("Open Firmware");
  chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self),
                                         folder ? GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER
                                                : GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Open"), _("_Cancel"));
  if (for_da) {
    g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

    gtk_file_filter_set_name (filter, _("Download Agents (*.bin)"));
    gtk_file_filter_add_pattern (filter, "*.bin");
    gtk_file_filter_add_pattern (filter, "*.BIN");
    gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  } else if (!folder) {
    static const char *patterns[] = {
      "*_scatter*.txt", "*.txt", "*.zip", "*.7z", "*.tar", "*.tar.gz", "*.tgz",
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
  g_object_set_data (G_OBJECT (chooser), "sf-da", GINT_TO_POINTER (for_da));
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
  open_chooser (SF_WINDOW (widget), g_str_equal (action_name, "win.open-folder"), FALSE);
}

static void
open_recent_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  g_autoptr(GFile) file = location_from_string (g_variant_get_string (parameter, NULL));

  sf_window_load_firmware (SF_WINDOW (widget), file);
}

static void
choose_da_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  open_chooser (SF_WINDOW (widget), FALSE, TRUE);
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

static gboolean
on_drop (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         SfWindow      *self)
{
  GSList *files;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  files = g_value_get_boxed (value);
  if (files == NULL || is_busy (self))
    return FALSE;
  /* One firmware at a time: the first one dropped. */
  sf_window_load_firmware (self, G_FILE (files->data));
  return TRUE;
}

/* ---- practice mode ------------------------------------------------------- */

static GFile *
sample_firmware (void)
{
  const char *dir = g_getenv ("SF_SAMPLE_FIRMWARE");
  g_autoptr(GFile) stamp = NULL;

  if (dir != NULL && dir[0] != '\0')
    return g_file_new_for_path (dir);
  /* The build tree's sample is complete once its stamp is there. */
  stamp = sf_find_data_file ("data/sample-firmware.stamp", "sample-firmware");
  if (g_str_has_suffix (g_file_peek_path (stamp), ".stamp")) {
    g_autoptr(GFile) parent = g_file_get_parent (stamp);

    return g_file_get_child (parent, "sample-firmware");
  }
  return g_steal_pointer (&stamp);
}

static char *
practice_storage (void)
{
  return g_build_filename (g_get_user_cache_dir (), "scatterflash", "practice-phone", NULL);
}

void
sf_window_set_practice (SfWindow *self,
                        gboolean  practice)
{
  g_return_if_fail (SF_IS_WINDOW (self));

  practice = !!practice;
  if (self->practice == practice || is_busy (self))
    return;
  /* Practice runs the open firmware on the virtual phone: the sample only
   * when nothing is open, and it is put away again afterwards. What the
   * user opened is never replaced. */
  if (practice) {
    g_autoptr(GFile) sample = self->firmware == NULL && !self->loading ? sample_firmware () : NULL;

    if (sample != NULL && !g_file_query_exists (sample, NULL)) {
      g_autofree char *where = g_file_get_parse_name (sample);
      g_autofree char *text = g_strdup_printf (_("Practice mode needs the sample firmware, which is not installed "
                                                 "(looked in %s)"), where);

      show_toast (self, text, 0);
      return;
    }
    self->practice = TRUE;
    gtk_widget_add_css_class (GTK_WIDGET (self), "practice");
    adw_view_switcher_title_set_title (self->switcher_title, _("Scatterflash — Practice"));
    if (sample != NULL) {
      sf_window_load_firmware (self, sample);
      self->practice_sample = TRUE;
    }
  } else {
    self->practice = FALSE;
    gtk_widget_remove_css_class (GTK_WIDGET (self), "practice");
    adw_view_switcher_title_set_title (self->switcher_title, _("Scatterflash"));
    if (self->practice_sample) {
      self->practice_sample = FALSE;
      if (self->load_cancellable != NULL)
        g_cancellable_cancel (self->load_cancellable);
      unload_firmware (self, NULL);
    }
  }
  update_da_row (self);
  gtk_revealer_set_reveal_child (self->practice_revealer, practice);
  gtk_widget_set_visible (GTK_WIDGET (self->port_row), !practice);
  gtk_widget_set_visible (GTK_WIDGET (self->station_row), !practice);
  show_host_problems (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRACTICE]);
}

gboolean
sf_window_get_practice (SfWindow *self)
{
  g_return_val_if_fail (SF_IS_WINDOW (self), FALSE);
  return self->practice;
}

gboolean
sf_window_set_practice_fault (SfWindow    *self,
                              const char  *spec,
                              GError     **error)
{
  SfSimOptions opts;

  g_return_val_if_fail (SF_IS_WINDOW (self), FALSE);

  sf_sim_options_init (&opts);
  if (spec != NULL && !sf_sim_options_add_fault (&opts, spec, error))
    return FALSE;
  self->practice_faults = opts.faults;
  return TRUE;
}

gboolean
sf_window_set_practice_pace (SfWindow    *self,
                             const char  *pace,
                             GError     **error)
{
  g_return_val_if_fail (SF_IS_WINDOW (self), FALSE);
  return sf_sim_parse_pace (pace, &self->practice_pace, error);
}

/* Makes the virtual phone, not yet plugged in: its port is known. */
static gboolean
make_virtual_phone (SfWindow  *self,
                    GError   **error)
{
  g_autofree char *dir = practice_storage ();
  SfSimOptions opts;

  if (g_mkdir_with_parents (dir, 0700) != 0) {
    int saved = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                 _("Cannot make the virtual phone’s storage %s: %s"), dir, g_strerror (saved));
    return FALSE;
  }
  sf_sim_options_init (&opts);
  opts.storage_dir = dir;
  opts.pace = self->practice_pace;
  opts.faults = self->practice_faults;
  /* Through the preloader: the Readback, Format and Device pages have no
   * firmware for the DRAM settings that a BootROM entry asks for
   * (protocol.md §13.2). */
  opts.mode = SF_SIM_MODE_PRELOADER;
  self->sim = sf_sim_new (&opts, error);
  return self->sim != NULL;
}

/* ---- the job view -------------------------------------------------------- */

static void
log_line (SfWindow   *self,
          const char *format,
          ...)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->log_view);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%H:%M:%S");
  g_autofree char *text = NULL;
  g_autofree char *line = NULL;
  GtkTextIter end;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  line = g_strdup_printf ("%s.%03d  %s\n", stamp, g_date_time_get_microsecond (now) / 1000, text);
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, line, -1);
  /* The log follows what is new. */
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_move_mark (buffer, gtk_text_buffer_get_insert (buffer), &end);
  gtk_text_view_scroll_mark_onscreen (self->log_view, gtk_text_buffer_get_insert (buffer));
}

static char *
format_duration (gint64 us)
{
  gint64 s = us / G_USEC_PER_SEC;

  if (s < 60)
    return g_strdup_printf (ngettext ("%d second", "%d seconds", (int) s), (int) s);
  if (s < 3600)
    /* Translators: minutes and seconds */
    return g_strdup_printf (_("%d min %02d s"), (int) (s / 60), (int) (s % 60));
  /* Translators: hours and minutes */
  return g_strdup_printf (_("%d h %02d min"), (int) (s / 3600), (int) (s % 3600 / 60));
}

static const char *
job_progress_title (JobKind kind)
{
  switch (kind) {
  case JOB_DOWNLOAD: return _("Downloading…");
  case JOB_READBACK: return _("Reading Back…");
  case JOB_FORMAT: return _("Formatting…");
  case JOB_IDENTIFY: return _("Identifying the Phone…");
  default: return "";
  }
}

static const char *
step_verb (const char *kind)
{
  if (kind == NULL)
    return _("Working on");
  if (g_str_equal (kind, "download"))
    return _("Writing");
  if (g_str_equal (kind, "readback"))
    return _("Reading");
  if (g_str_equal (kind, "backup"))
    return _("Backing up");
  if (g_str_equal (kind, "restore"))
    return _("Restoring");
  if (g_str_equal (kind, "format") || g_str_equal (kind, "format-all"))
    return _("Erasing");
  if (g_str_equal (kind, "verify"))
    return _("Verifying");
  return kind;
}

static void
show_progress (SfWindow *self)
{
  SfJobProgress *p = self->progress;
  gint64 now = g_get_monotonic_time ();
  double total_fraction = sf_job_progress_get_fraction (p);
  double step_fraction = sf_job_progress_get_step_fraction (p);
  double speed = sf_job_progress_get_speed (p, now);
  double left_s = sf_job_progress_get_eta (p, now);
  guint64 overall_done = sf_job_progress_get_done (p);
  guint64 overall_total = sf_job_progress_get_total (p);
  g_autofree char *total_text = NULL;
  g_autofree char *step_text = NULL;
  g_autofree char *done = NULL;
  g_autofree char *of = NULL;
  g_autofree char *stats = NULL;

  gtk_progress_bar_set_fraction (self->total_bar, total_fraction);
  gtk_progress_bar_set_fraction (self->partition_bar, step_fraction);
  total_text = g_strdup_printf ("%d %%", (int) (total_fraction * 100));
  step_text = g_strdup_printf ("%d %%", (int) (step_fraction * 100));
  gtk_label_set_text (self->total_percent, total_text);
  gtk_label_set_text (self->partition_percent, self->partition != NULL ? step_text : "");

  if (self->partition != NULL) {
    g_autofree char *label = g_strdup_printf ("%s %s", step_verb (self->step_kind), self->partition);

    gtk_label_set_text (self->partition_label, label);
    gtk_label_set_text (self->job_title, job_progress_title (self->job_kind));
  }

  /* One unit system everywhere: powers of two, as the sizes in the table. */
  done = g_format_size_full (overall_done, G_FORMAT_SIZE_IEC_UNITS);
  of = g_format_size_full (overall_total, G_FORMAT_SIZE_IEC_UNITS);
  if (speed > 0 && left_s >= 0) {
    g_autofree char *rate = g_format_size_full ((guint64) speed, G_FORMAT_SIZE_IEC_UNITS);
    gint64 left_us = (gint64) (left_s * G_USEC_PER_SEC);
    g_autofree char *left = format_duration (left_us);

    if (left_us < G_USEC_PER_SEC)
      /* Translators: "120 MB of 1.2 GB · 35.2 MB/s · almost done" */
      stats = g_strdup_printf (_("%s of %s · %s/s · almost done"), done, of, rate);
    else
      /* Translators: "120 MB of 1.2 GB · 35.2 MB/s · about 32 seconds left" */
      stats = g_strdup_printf (_("%s of %s · %s/s · about %s left"), done, of, rate, left);
  } else if (overall_total > 0) {
    stats = g_strdup_printf (_("%s of %s"), done, of);
  }
  gtk_label_set_text (self->stats_label, stats != NULL ? stats : "");
}

static void
set_instructions (SfWindow   *self,
                  const char *title,
                  const char *text)
{
  gtk_label_set_text (self->job_title, title);
  gtk_label_set_text (self->job_instructions, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->job_instructions), text != NULL);
}

static const char *
connect_instructions (void)
{
  return _("Now connect the powered-off phone with its USB cable. If it has a removable battery, "
           "take it out and put it back first. If nothing happens, hold Volume Down while you "
           "plug it in.");
}

/* Where to reach a phone the monitor sees: its tty, else its raw USB device. */
static char *
device_port (SfUsbDevice *device)
{
  if (sf_usb_device_get_tty_path (device) != NULL)
    return g_strdup (sf_usb_device_get_tty_path (device));
  return g_strdup_printf ("usb:%s", sf_usb_device_get_port_path (device));
}

static const char *
job_noun (JobKind kind)
{
  switch (kind) {
  case JOB_DOWNLOAD: return _("Download");
  case JOB_READBACK: return _("Readback");
  case JOB_FORMAT: return _("Format");
  case JOB_IDENTIFY: return _("Identification");
  default: return "";
  }
}

static char *
join_finished (SfWindow *self)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < self->finished->len; i++) {
    if (i > 0)
      g_string_append (s, ", ");
    g_string_append (s, g_ptr_array_index (self->finished, i));
  }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static const char *
replug_advice (SfWindow *self)
{
  if (self->practice)
    return _("The virtual phone is unplugged and plugged in again for you: press Again to run it once more.");
  return _("Unplug the phone and plug it in again, then press Again.");
}

static void
show_result (SfWindow *self)
{
  g_autofree char *title = NULL;
  g_autofree char *code = NULL;
  g_autofree char *text = NULL;
  g_autofree char *finished = join_finished (self);
  g_autofree char *took = format_duration (g_get_monotonic_time () - self->started_us);
  GtkWidget *icon = GTK_WIDGET (self->result_icon);

  gtk_widget_remove_css_class (icon, "success");
  gtk_widget_remove_css_class (icon, "error");
  gtk_widget_remove_css_class (icon, "warning");

  switch (self->result) {
  case SF_WINDOW_RESULT_DONE: {
    g_autofree char *noun = g_strdup_printf (_("%s Complete"), job_noun (self->job_kind));

    title = g_steal_pointer (&noun);
    if (self->job_kind == JOB_DOWNLOAD && self->practice)
      text = g_strdup_printf (self->verify ? _("Written and verified in %s: %s.\n\nWith a real phone you would now "
                                               "unplug it and switch it on.")
                                           : _("Written in %s: %s.\n\nWith a real phone you would now unplug it "
                                               "and switch it on."),
                              took, finished[0] ? finished : _("nothing"));
    else if (self->job_kind == JOB_DOWNLOAD)
      text = g_strdup_printf (self->verify ? _("Written and verified in %s: %s.\n\nUnplug the phone and switch it on.")
                                           : _("Written in %s: %s.\n\nUnplug the phone and switch it on."),
                              took, finished[0] ? finished : _("nothing"));
    else if (self->job_kind == JOB_READBACK && sf_readback_page_get_output_folder (self->readback_page) != NULL) {
      g_autofree char *folder = sf_gui_folder_display_name (sf_readback_page_get_output_folder (self->readback_page));

      /* Translators: a time, a folder, then partition names */
      text = g_strdup_printf (_("Read in %s, saved in %s: %s."), took, folder,
                              finished[0] ? finished : _("an address range"));
    } else if (self->job_kind == JOB_IDENTIFY && self->device != NULL)
      text = g_strdup_printf (_("The phone has an %s. Its storage and partition table are on the Phone page."),
                              self->device->chip != NULL ? self->device->chip : _("unknown chip"));
    else
      text = g_strdup_printf (_("Done in %s."), took);
    if (self->practice) {
      g_autofree char *with = g_strdup_printf (_("%s\n\nThis was practice: only the virtual phone on this "
                                                 "computer was written."), text);

      g_free (text);
      text = g_steal_pointer (&with);
    }
    gtk_image_set_from_icon_name (self->result_icon, "emblem-ok-symbolic");
    gtk_widget_add_css_class (icon, "success");
    break;
  }
  case SF_WINDOW_RESULT_STOPPED: {
    g_autoptr(GString) s = g_string_new (NULL);

    title = g_strdup (_("Stopped"));
    if (finished[0] != '\0')
      g_string_append_printf (s, _("You stopped it after %s. Already written: %s. The phone is left in download "
                                   "mode: run the job to the end before you use the phone."), took, finished);
    else if (self->reached_phone)
      g_string_append (s, _("You stopped it before anything was written to the phone."));
    else
      g_string_append (s, _("You stopped it before the phone was connected."));
    if (self->reached_phone)
      g_string_append_printf (s, "\n\n%s", replug_advice (self));
    text = g_string_free (g_steal_pointer (&s), FALSE);
    gtk_image_set_from_icon_name (self->result_icon, "process-stop-symbolic");
    gtk_widget_add_css_class (icon, "warning");
    break;
  }
  case SF_WINDOW_RESULT_FAILED: {
    g_autoptr(GString) s = g_string_new (NULL);
    g_autofree char *advice = NULL;

    sf_gui_describe_error (self->error, &title, &code, &advice);
    if (self->step_open && self->partition != NULL) {
      g_autofree char *verb = g_utf8_strdown (step_verb (self->step_kind), -1);

      /* Translators: "It went wrong while writing BOOTIMG." */
      g_string_append_printf (s, _("It went wrong while %s %s."), verb, self->partition);
    }
    /* What was changed on the phone, not what was only read from it. */
    if (sf_job_progress_get_written (self->progress)->len > 0) {
      GPtrArray *written = sf_job_progress_get_written (self->progress);
      g_autoptr(GString) list = g_string_new (NULL);

      for (guint i = 0; i < written->len; i++)
        g_string_append_printf (list, "%s%s", i > 0 ? ", " : "", (const char *) g_ptr_array_index (written, i));
      if (s->len > 0)
        g_string_append_c (s, ' ');
      g_string_append_printf (s, _("Already written: %s."), list->str);
    }
    if (s->len > 0)
      g_string_append (s, "\n\n");
    /* Translators: one piece of advice follows */
    g_string_append_printf (s, _("What to do: %s"), advice);
    if (self->reached_phone)
      g_string_append_printf (s, "\n\n%s", replug_advice (self));
    text = g_string_free (g_steal_pointer (&s), FALSE);
    gtk_image_set_from_icon_name (self->result_icon, "dialog-error-symbolic");
    gtk_widget_add_css_class (icon, "error");
    /* The error's own words, with its protocol detail, for whoever helps. */
    log_line (self, "%s", self->error->message);
    break;
  }
  case SF_WINDOW_RESULT_NONE:
  case SF_WINDOW_RESULT_RUNNING:
  default:
    return;
  }
  gtk_label_set_text (self->result_title, title);
  gtk_label_set_text (self->result_code, code != NULL ? code : "");
  gtk_widget_set_visible (GTK_WIDGET (self->result_code), code != NULL);
  gtk_label_set_text (self->result_text, text);
  gtk_widget_set_visible (self->open_folder_button,
                          self->result == SF_WINDOW_RESULT_DONE && self->job_kind == JOB_READBACK);
  gtk_stack_set_visible_child_name (self->job_stack, "result");
  log_line (self, "%s%s%s: %s", title, code != NULL ? " · " : "", code != NULL ? code : "", text);
  if (self->result == SF_WINDOW_RESULT_FAILED)
    gtk_expander_set_expanded (self->log_expander, TRUE);
}

static void
finish_job (SfWindow       *self,
            SfWindowResult  result,
            const GError   *error)
{
  /* The FINISHED or FAILED event is the worker's last word: joining is immediate. */
  if (self->worker != NULL) {
    sf_worker_join (self->worker);
    g_clear_object (&self->worker);
  }
  g_clear_handle_id (&self->drain_id, g_source_remove);
  g_clear_handle_id (&self->plug_id, g_source_remove);
  g_clear_pointer (&self->pending_job, sf_flash_job_free);
  if (self->sim != NULL) {
    /* Unplug the virtual phone. */
    sf_sim_stop (self->sim);
    g_clear_pointer (&self->sim, sf_sim_free);
  }
  g_clear_error (&self->error);
  if (error != NULL)
    self->error = g_error_copy (error);
  self->result = result;
  gtk_spinner_stop (self->job_spinner);
  show_progress (self);
  show_result (self);
  update_actions (self);
}

static void
log_device (SfWindow           *self,
            const SfDeviceInfo *d)
{
  log_line (self, _("Phone: %s (hw code 0x%04x, sub 0x%04x, hw 0x%04x, sw 0x%04x), %s"),
            d->chip != NULL ? d->chip : _("unknown chip"), d->hw_code, d->hw_sub_code, d->hw_ver, d->sw_ver,
            d->is_brom ? _("BootROM mode") : _("preloader mode"));
  if (d->has_storage) {
    g_autofree char *user = g_format_size_full (d->user_size, G_FORMAT_SIZE_IEC_UNITS);
    g_autofree char *boot = g_format_size_full (d->boot1_size, G_FORMAT_SIZE_IEC_UNITS);
    g_autofree char *ram = g_format_size_full (d->ram_size, G_FORMAT_SIZE_IEC_UNITS);

    log_line (self, _("Storage: %s, user area %s, boot areas %s each, RAM %s"),
              d->storage != NULL ? d->storage : "?", user, boot, ram);
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

    sf_job_progress_add_event (self->progress, e);
    switch (e->kind) {
    case SF_EVENT_STAGE:
      set_instructions (self, e->message, NULL);
      log_line (self, "%s", e->message);
      break;
    case SF_EVENT_DEVICE:
      if (e->device != NULL) {
        g_clear_pointer (&self->device, sf_device_info_free);
        self->device = sf_device_info_copy (e->device);
        log_device (self, e->device);
        sf_device_page_set_info (self->device_page, self->device);
        if (self->device->table != NULL)
          sf_readback_page_set_partition_table (self->readback_page, self->device->table);
        if (e->device->chip != NULL) {
          g_autofree char *title = g_strdup_printf (_("Connected to %s"), e->device->chip);

          set_instructions (self, title, _("Keep the cable plugged in until this is done."));
        }
      }
      break;
    case SF_EVENT_STEP_BEGIN:
      g_free (self->partition);
      self->partition = g_strdup (e->partition != NULL ? e->partition : _("the whole flash"));
      g_free (self->step_kind);
      self->step_kind = g_strdup (e->message);
      self->step_open = TRUE;
      gtk_widget_set_visible (GTK_WIDGET (self->job_instructions), FALSE);
      log_line (self, "%s %s (%" PRIu64 " bytes)", step_verb (e->message), self->partition, e->total);
      dirty = TRUE;
      break;
    case SF_EVENT_PROGRESS:
      dirty = TRUE;
      break;
    case SF_EVENT_STEP_END:
      self->step_open = FALSE;
      /* Written, then verified: named once. */
      if (e->partition != NULL &&
          !g_ptr_array_find_with_equal_func (self->finished, e->partition, g_str_equal, NULL))
        g_ptr_array_add (self->finished, g_strdup (e->partition));
      dirty = TRUE;
      break;
    case SF_EVENT_LOG:
      log_line (self, "%s", e->message);
      break;
    case SF_EVENT_FINISHED:
      self->drain_id = 0;
      finish_job (self, SF_WINDOW_RESULT_DONE, NULL);
      return G_SOURCE_REMOVE;
    case SF_EVENT_FAILED:
      self->drain_id = 0;
      finish_job (self,
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

static void
start_worker (SfWindow *self)
{
  SfFlashJob *job = g_steal_pointer (&self->pending_job);

  self->worker = sf_worker_new ();
  self->reached_phone = TRUE;
  sf_worker_start (self->worker, "sf-flash", sf_flash_job_run, job, (GDestroyNotify) sf_flash_job_free);
  self->drain_id = g_timeout_add (DRAIN_INTERVAL_MS, on_drain, self);
  update_actions (self);
}

static gboolean
on_plug_virtual_phone (gpointer user_data)
{
  SfWindow *self = user_data;
  g_autoptr(GError) error = NULL;

  self->plug_id = 0;
  log_line (self, _("The virtual phone is plugged in on %s"), sf_sim_get_port_path (self->sim));
  if (!sf_sim_start (self->sim, &error)) {
    finish_job (self, SF_WINDOW_RESULT_FAILED, error);
    return G_SOURCE_REMOVE;
  }
  start_worker (self);
  return G_SOURCE_REMOVE;
}

/* Takes @job and shows the job view until it ends. */
static void
run_job (SfWindow   *self,
         JobKind     kind,
         SfFlashJob *job,
         guint64     total_bytes,
         const char *description)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->log_view);

  self->job_kind = kind;
  self->pending_job = job;
  self->result = SF_WINDOW_RESULT_RUNNING;
  g_clear_error (&self->error);
  g_clear_pointer (&self->partition, g_free);
  g_clear_pointer (&self->step_kind, g_free);
  g_ptr_array_set_size (self->finished, 0);
  self->reached_phone = FALSE;
  self->step_open = FALSE;
  g_clear_object (&self->replugged);
  /* A new fold per job; the plan's byte count comes with the first event. */
  g_clear_object (&self->progress);
  self->progress = sf_job_progress_new ();
  (void) total_bytes;
  self->started_us = g_get_monotonic_time ();

  gtk_text_buffer_set_text (buffer, "", -1);
  log_line (self, "%s", description);
  gtk_label_set_text (self->partition_label, "");
  gtk_stack_set_visible_child_name (self->job_stack, "running");
  gtk_stack_set_visible_child_name (self->mode_stack, "job");
  gtk_spinner_start (self->job_spinner);
  show_progress (self);

  if (self->practice) {
    set_instructions (self, _("Connect the Phone"),
                      _("Practice: the virtual phone is plugged in for you in a moment, as a real one would be "
                        "when you connect it switched off."));
    self->plug_id = g_timeout_add (PRACTICE_PLUG_MS, on_plug_virtual_phone, self);
  } else {
    set_instructions (self, _("Connect the Phone"), connect_instructions ());
    start_worker (self);
  }
  update_actions (self);
}

/* ---- what on this machine gets in the way --------------------------------- */

static void
show_host_problems (SfWindow *self)
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
  show_host_problems (self);
}

static void
start_host_check (SfWindow *self)
{
  g_autoptr(GTask) task = NULL;

  self->host_cancellable = g_cancellable_new ();
  task = g_task_new (self, self->host_cancellable, on_host_checked, NULL);
  g_task_set_source_tag (task, start_host_check);
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
  log_line (self, "%s", problem->message);
  if (self->host_problems == NULL)
    self->host_problems = g_ptr_array_new_with_free_func ((GDestroyNotify) sf_host_problem_free);
  g_ptr_array_add (self->host_problems, problem);
  show_host_problems (self);
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
  show_toast (self, _("Commands copied: paste them into a terminal"), 3);
}

static void
dismiss_host_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  gtk_revealer_set_reveal_child (SF_WINDOW (widget)->host_revealer, FALSE);
}

/* ---- waiting for a phone ------------------------------------------------- */

static void download_action (GtkWidget *widget, const char *action_name, GVariant *parameter);
static void start_page_job (SfWindow *self, JobKind kind);

/* No phone yet: the job view asks for one, and the job starts the moment
 * the monitor sees it arrive (a preloader port is there for seconds only). */
static void
start_waiting (SfWindow *self,
               JobKind   kind)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->log_view);

  self->waiting = TRUE;
  self->waiting_kind = kind;
  self->job_kind = kind;
  self->result = SF_WINDOW_RESULT_RUNNING;
  g_clear_error (&self->error);
  g_ptr_array_set_size (self->finished, 0);
  self->reached_phone = FALSE;
  self->step_open = FALSE;
  g_clear_object (&self->replugged);
  g_clear_object (&self->progress);
  self->progress = sf_job_progress_new ();
  g_clear_pointer (&self->partition, g_free);
  self->started_us = g_get_monotonic_time ();
  gtk_text_buffer_set_text (buffer, "", -1);
  log_line (self, "%s", _("Waiting for a phone in download mode"));
  set_instructions (self, _("Connect the Phone"), connect_instructions ());
  gtk_label_set_text (self->partition_label, "");
  gtk_stack_set_visible_child_name (self->job_stack, "running");
  gtk_stack_set_visible_child_name (self->mode_stack, "job");
  gtk_spinner_start (self->job_spinner);
  show_progress (self);
  update_actions (self);
}

static void
on_device_added (SfDeviceMonitor *monitor,
                 SfUsbDevice     *device,
                 SfWindow        *self)
{
  SfUsbDeviceKind kind = sf_usb_device_get_kind (device);

  log_line (self, _("Arrived: %s"), sf_usb_device_get_name (device));
  check_device_access (self, device);
  if (sf_station_view_is_running (self->station)) {
    sf_station_view_add_phone (self->station, device);
    update_actions (self);
    return;
  }
  if (!self->waiting) {
    /* Plugged in again after a job, before Again: Again takes it. */
    if (!is_busy (self) && sf_usb_device_kind_is_flashable (kind))
      g_set_object (&self->replugged, device);
    return;
  }
  if (kind == SF_USB_DEVICE_KIND_ANDROID_POWERED_ON) {
    set_instructions (self, _("Switch the Phone Off First"),
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
  update_actions (self);
  if (self->waiting_kind == JOB_DOWNLOAD)
    download_action (GTK_WIDGET (self), "win.download", NULL);
  else
    start_page_job (self, self->waiting_kind);
  /* Whatever happened, the phone was for this one attempt. */
  g_clear_object (&self->arrived);
  if (self->result == SF_WINDOW_RESULT_RUNNING && !is_busy (self)) {
    g_autoptr(GError) error = g_error_new_literal (SF_ERROR, SF_ERROR_FAILED,
                                                   _("The job could not start on the phone that arrived"));

    finish_job (self, SF_WINDOW_RESULT_FAILED, error);
  }
}

static GtkWidget *
make_phone_row (gpointer item,
                gpointer user_data)
{
  SfUsbDevice *device = item;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name ("phone-symbolic");
  const char *tty = sf_usb_device_get_tty_path (device);
  const char *chip = sf_usb_device_get_chip (device);
  g_autofree char *subtitle = NULL;

  /* Named by where it is plugged in and what it is; the tty changes with
   * every replug. */
  if (sf_usb_device_get_kind (device) == SF_USB_DEVICE_KIND_ANDROID_POWERED_ON)
    subtitle = g_strdup (_("Switched on: switch it off to flash it"));
  else if (sf_usb_device_get_kind (device) == SF_USB_DEVICE_KIND_VIRTUAL)
    /* Translators: the chip of a virtual phone, then its tty */
    subtitle = g_strdup_printf (_("Virtual phone · %s · %s"), chip != NULL ? chip : "MT6572", tty != NULL ? tty : "?");
  else if (chip != NULL)
    /* Translators: the mode (BootROM, preloader), the USB port path, the chip */
    subtitle = g_strdup_printf (_("%s · USB port %s · %s"),
                                sf_usb_device_kind_to_string (sf_usb_device_get_kind (device)),
                                sf_usb_device_get_port_path (device), chip);
  else
    /* Translators: the mode (BootROM, preloader), then the USB port path */
    subtitle = g_strdup_printf (_("%s · USB port %s"), sf_usb_device_kind_to_string (sf_usb_device_get_kind (device)),
                                sf_usb_device_get_port_path (device));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), sf_usb_device_get_name (device));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  return row;
}

static void
on_phones_changed (GListModel *model,
                   guint       position,
                   guint       removed,
                   guint       added,
                   SfWindow   *self)
{
  guint n = g_list_model_get_n_items (model);
  g_autofree char *subtitle = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->phones_list), n > 0);
  if (n == 0)
    subtitle = g_strdup (_("Leave empty to wait for the phone"));
  else
    subtitle = g_strdup_printf (ngettext ("%u phone connected", "%u phones connected", n), n);
  adw_action_row_set_subtitle (self->port_row, subtitle);
}

static void
start_monitor (SfWindow *self)
{
  g_autoptr(GError) error = NULL;
  const char *virtual_dir = g_getenv ("SCATTERFLASH_VIRTUAL_DIR");
  GListModel *devices;

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
  devices = sf_device_monitor_get_devices (self->monitor);
  gtk_list_box_bind_model (self->phones_list, devices, make_phone_row, NULL, NULL);
  g_signal_connect_object (devices, "items-changed", G_CALLBACK (on_phones_changed), self, 0);
  on_phones_changed (devices, 0, 0, 0, self);
}

/* ---- downloading --------------------------------------------------------- */

static void start_waiting (SfWindow *self, JobKind kind);

/* The port of the phone to talk to: the virtual phone's in practice mode,
 * the one typed in, the phone that just arrived, or one already there.
 * NULL without an error: there is none yet, and the job waits for it. */
static char *
choose_port (SfWindow  *self,
             GError   **error)
{
  g_autofree char *port = NULL;
  GListModel *devices;

  if (self->practice) {
    if (!make_virtual_phone (self, error))
      return NULL;
    return g_strdup (sf_sim_get_port_path (self->sim));
  }
  port = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->port_entry))));
  if (port[0] != '\0')
    return g_steal_pointer (&port);
  if (self->arrived != NULL)
    return device_port (self->arrived);

  devices = self->monitor != NULL ? sf_device_monitor_get_devices (self->monitor) : NULL;
  for (guint i = 0; devices != NULL && i < g_list_model_get_n_items (devices); i++) {
    g_autoptr(SfUsbDevice) device = g_list_model_get_item (devices, i);

    if (sf_usb_device_kind_is_flashable (sf_usb_device_get_kind (device)))
      return device_port (device);
  }
  return NULL;
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

  self->job_kind = JOB_DOWNLOAD;
  sf_station_view_start (self->station, plan, da, self->verify, backup_dir);
  gtk_stack_set_visible_child_name (self->mode_stack, "station");
  for (guint i = 0; i < g_list_model_get_n_items (devices); i++) {
    g_autoptr(SfUsbDevice) device = g_list_model_get_item (devices, i);

    sf_station_view_add_phone (self->station, device);
  }
  update_actions (self);
}

static void
on_station_finished (SfWindow *self)
{
  g_autofree char *text = g_strdup_printf (_("%u flashed, %u failed"), sf_station_view_get_n_done (self->station),
                                           sf_station_view_get_n_failed (self->station));

  show_toast (self, text, 5);
  update_actions (self);
}

/* The port for a job of @kind into @out_port. FALSE when the job cannot
 * start now: the reason is shown, or the job view waits for a phone. */
static gboolean
acquire_port (SfWindow  *self,
              JobKind    kind,
              char     **out_port)
{
  g_autoptr(GError) error = NULL;

  *out_port = choose_port (self, &error);
  if (*out_port != NULL)
    return TRUE;
  if (error != NULL)
    show_toast (self, error->message, 5);
  else
    start_waiting (self, kind);
  return FALSE;
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
  return job;
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
  g_autofree char *description = NULL;
  g_autofree char *firmware_name = NULL;
  g_autofree char *da_name = NULL;
  SfFlashJob *job;
  guint n_written = 0;
  SfScene scene;

  if (self->firmware == NULL || is_busy (self) || self->loading)
    return;

  scene = current_scene (self);
  if (scene_picks_partitions (scene)) {
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
  }

  /* The other scenes write their own set (what the table shows). */
  plan = sf_plan_new (self->firmware, NULL, scene,
                      scene_picks_partitions (scene) ? (const char * const *) names->pdata : NULL, &error);
  if (plan == NULL) {
    g_autofree char *text = scene_words (error->message);

    show_toast (self, text, 0);
    return;
  }
  for (guint i = 0; i < sf_plan_get_n_steps (plan); i++)
    n_written += sf_plan_get_step (plan, i)->kind == SF_STEP_DOWNLOAD;
  da = choose_checked_da (self, &error);
  if (da == NULL) {
    show_toast (self, error->message, 0);
    return;
  }
  if (!self->practice && gtk_switch_get_active (self->station_switch)) {
    start_station (self, plan, da);
    return;
  }
  if (!acquire_port (self, JOB_DOWNLOAD, &port))
    return;

  job = new_job (self, port, da);
  sf_flash_job_set_plan (job, plan);
  sf_flash_job_set_verify (job, self->verify);
  firmware_name = g_path_get_basename (sf_firmware_get_display_name (self->firmware));
  da_name = g_path_get_basename (sf_da_file_get_display_name (da));
  description = g_strdup_printf (_("%s: %u partitions of %s, DA %s, port %s"),
                                 sf_scene_get_title (scene), n_written, firmware_name, da_name, port);
  run_job (self, JOB_DOWNLOAD, job, sf_plan_get_total_bytes (plan), description);
}

/* A job from the Readback, Format or Phone page: the window brings the
 * port and the DA, the page adds its steps. */
static void
start_page_job (SfWindow *self,
                JobKind   kind)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SfDaFile) da = NULL;
  g_autofree char *port = NULL;
  g_autofree char *description = NULL;
  g_autoptr(SfFlashJob) job = NULL;
  gboolean ok = TRUE;

  if (is_busy (self) || self->loading)
    return;
  da = choose_checked_da (self, &error);
  if (da == NULL) {
    show_toast (self, error->message, 0);
    return;
  }
  if (!acquire_port (self, kind, &port))
    return;
  job = new_job (self, port, da);

  switch (kind) {
  case JOB_READBACK:
    ok = sf_readback_page_configure_job (self->readback_page, job, &error);
    description = ok ? sf_readback_page_describe (self->readback_page) : NULL;
    break;
  case JOB_FORMAT:
    ok = sf_format_page_configure_job (self->format_page, job, &error);
    description = ok ? sf_format_page_describe (self->format_page) : NULL;
    break;
  case JOB_IDENTIFY:
    description = g_strdup (_("Identifying the phone: chip, storage and partition table"));
    break;
  case JOB_DOWNLOAD:
  default:
    g_assert_not_reached ();
  }
  if (!ok) {
    /* Nothing starts: the virtual phone made for it goes again. */
    g_clear_pointer (&self->sim, sf_sim_free);
    show_toast (self, error->message, 0);
    return;
  }
  run_job (self, kind, g_steal_pointer (&job), 0, description);
  if (!self->practice && self->arrived == NULL &&
      gtk_editable_get_text (GTK_EDITABLE (self->port_entry))[0] != '\0') {
    /* Not silently: the port comes from the Download page. */
    g_autofree char *text = g_strdup_printf (_("Using %s, the phone port typed on the Download page. %s"), port,
                                             connect_instructions ());

    set_instructions (self, _("Connect the Phone"), text);
    log_line (self, _("Port %s, as typed on the Download page"), port);
  }
}

static void
on_readback_start (SfWindow *self)
{
  start_page_job (self, JOB_READBACK);
}

static void
on_format_start (SfWindow *self)
{
  start_page_job (self, JOB_FORMAT);
}

static void
on_identify (SfWindow *self)
{
  start_page_job (self, JOB_IDENTIFY);
}

static void
stop_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SfWindow *self = SF_WINDOW (widget);

  if (sf_station_view_is_running (self->station)) {
    sf_station_view_stop (self->station);
    update_actions (self);
    return;
  }
  if (self->worker != NULL) {
    /* The worker answers with a FAILED (cancelled) event, shown as "Stopped". */
    sf_worker_cancel (self->worker);
    set_instructions (self, _("Stopping…"), _("Finishing the packet on its way, then letting the phone go."));
  } else if (self->pending_job != NULL || self->waiting) {
    g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Stopped"));

    self->waiting = FALSE;
    finish_job (self, SF_WINDOW_RESULT_STOPPED, error);
  }
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SfWindow *self = SF_WINDOW (widget);

  if (is_busy (self))
    return;
  gtk_stack_set_visible_child_name (self->mode_stack, "pages");
  update_actions (self);
}

/* Whether the monitor still lists @device. */
static gboolean
still_plugged_in (SfWindow    *self,
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
  log_line (self, _("%s is back"), self->replug_port);
  if (self->waiting_kind == JOB_DOWNLOAD)
    download_action (GTK_WIDGET (self), "win.download", NULL);
  else
    start_page_job (self, self->waiting_kind);
  return G_SOURCE_REMOVE;
}

static void
again_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  SfWindow *self = SF_WINDOW (widget);
  JobKind kind = self->job_kind;
  g_autoptr(SfUsbDevice) replugged = NULL;

  if (is_busy (self))
    return;
  /* A phone that a job talked to answers no second handshake: the job runs
   * again on the phone plugged in after it (practice plugs in a new
   * virtual phone by itself). */
  if (!self->practice && self->reached_phone) {
    replugged = g_steal_pointer (&self->replugged);
    if (replugged == NULL || !still_plugged_in (self, replugged)) {
      g_autofree char *typed = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->port_entry))));

      start_waiting (self, kind);
      set_instructions (self, _("Plug the Phone In Again"),
                        _("Unplug the phone if it is still connected, then plug it in again, switched off. "
                          "The job starts when it arrives."));
      g_clear_handle_id (&self->replug_id, g_source_remove);
      if (typed[0] != '\0' && g_path_is_absolute (typed)) {
        g_free (self->replug_port);
        self->replug_port = g_steal_pointer (&typed);
        self->replug_gone = FALSE;
        self->replug_id = g_timeout_add (250, on_replug_poll, self);
      }
      return;
    }
    g_set_object (&self->arrived, replugged);
  }
  back_action (widget, action_name, parameter);
  if (kind == JOB_DOWNLOAD)
    gtk_widget_activate_action (widget, "win.download", NULL);
  else
    start_page_job (self, kind);
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

static char *
get_log_text (SfWindow *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->log_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
copy_log_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  SfWindow *self = SF_WINDOW (widget);
  g_autofree char *text = get_log_text (self);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);
  show_toast (self, _("Log copied"), 2);
}

static void
on_log_saved (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(SfWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    show_toast (self, error->message, 0);
  else
    show_toast (self, _("Log saved"), 2);
}

static void
on_log_chooser_response (GtkNativeDialog *dialog,
                         int              response,
                         gpointer         user_data)
{
  SfWindow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT) {
    g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
    char *text = get_log_text (self);
    g_autoptr(GBytes) bytes = g_bytes_new_take (text, strlen (text));

    if (file != NULL)
      g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                           NULL, on_log_saved, g_object_ref (self));
  }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
save_log_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  SfWindow *self = SF_WINDOW (widget);
  GtkFileChooserNative *chooser;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *name = g_date_time_format (now, "scatterflash-%Y%m%d-%H%M%S.log");

  chooser = gtk_file_chooser_native_new (_("Save Log"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_log_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
practice_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  SfWindow *self = SF_WINDOW (widget);

  sf_window_set_practice (self, !self->practice);
}

/* ---- the window ---------------------------------------------------------- */

static void
on_scene_selected (AdwComboRow *row,
                   GParamSpec  *pspec,
                   SfWindow    *self)
{
  guint selected = adw_combo_row_get_selected (row);
  static const char *subtitles[] = {
    N_("Calibration (IMEI) stays"),
    N_("Calibration backed up and kept"),
    N_("Erases first; calibration kept"),
  };

  if (selected < G_N_ELEMENTS (scenes)) {
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _(subtitles[selected]));
    if (self->settings != NULL)
      g_settings_set_string (self->settings, "scene", sf_scene_to_string (scenes[selected]));
  }
  if (self->firmware != NULL) {
    g_autoptr(SfPartitionItem) first = g_list_model_get_item (G_LIST_MODEL (self->partitions), 0);

    /* Leaving Download Only: its ticks come back with it. */
    if (first != NULL && !sf_partition_item_get_fixed (first))
      save_user_ticks (self);
    populate_partitions (self);
  }
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
  if (sf_scene_from_string (scene_text, &scene)) {
    for (guint i = 0; i < G_N_ELEMENTS (scenes); i++)
      if (scenes[i] == scene)
        adw_combo_row_set_selected (self->scene_row, i);
  }
  da = g_settings_get_string (self->settings, "last-da");
  if (da[0] != '\0') {
    g_autoptr(GFile) file = location_from_string (da);

    if (g_file_query_exists (file, NULL))
      g_set_object (&self->da_override, file);
  }
  rebuild_recent_menu (self);
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
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);

  gtk_widget_dispose_template (GTK_WIDGET (self), SF_TYPE_WINDOW);
  /* The pages went with the view stack, the station with the mode stack. */
  self->station = NULL;
  self->readback_page = NULL;
  self->format_page = NULL;
  self->device_page = NULL;

  g_clear_object (&self->partitions);
  g_clear_object (&self->firmware);
  g_clear_object (&self->firmware_da);
  g_clear_object (&self->da_override);
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
  gtk_widget_class_bind_template_child (widget_class, SfWindow, scene_row);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, port_row);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, port_entry);
  gtk_widget_class_bind_template_child (widget_class, SfWindow, phones_list);
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

  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.open-folder", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.open-recent", "s", open_recent_action);
  gtk_widget_class_install_action (widget_class, "win.choose-da", NULL, choose_da_action);
  gtk_widget_class_install_action (widget_class, "win.reset-da", NULL, reset_da_action);
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

  self->device_page = sf_device_page_new ();
  page = adw_view_stack_add_titled (self->view_stack, GTK_WIDGET (self->device_page), "phone", _("Phone"));
  adw_view_stack_page_set_icon_name (page, "phone-symbolic");
  g_signal_connect_swapped (self->device_page, "identify", G_CALLBACK (on_identify), self);
}

static void
sf_window_init (SfWindow *self)
{
  g_autoptr(GtkListItemFactory) check_factory = NULL;
  g_autoptr(GtkListItemFactory) file_factory = NULL;
  g_autoptr(GtkNoSelection) selection = NULL;
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->finished = g_ptr_array_new_with_free_func (g_free);
  self->progress = sf_job_progress_new ();
  self->practice_pace = SF_SIM_PACE_HIGH_SPEED;
  sf_window_set_practice_fault (self, NULL, NULL);
  self->partitions = g_list_store_new (SF_TYPE_PARTITION_ITEM);
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->partitions)));
  gtk_column_view_set_model (self->partition_view, GTK_SELECTION_MODEL (selection));
  g_signal_connect (self->partition_view, "activate", G_CALLBACK (on_partition_activate), self);
  g_signal_connect (self->select_all_check, "toggled", G_CALLBACK (on_select_all_toggled), self);

  check_factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (check_factory, "setup", G_CALLBACK (on_check_setup), NULL);
  g_signal_connect (check_factory, "bind", G_CALLBACK (on_check_bind), NULL);
  g_signal_connect (check_factory, "unbind", G_CALLBACK (on_check_unbind), NULL);
  gtk_column_view_column_set_factory (self->check_column, check_factory);
  set_label_factory (self->name_column, COLUMN_NAME, FALSE);
  set_label_factory (self->begin_column, COLUMN_BEGIN, TRUE);
  set_label_factory (self->end_column, COLUMN_END, TRUE);
  set_label_factory (self->region_column, COLUMN_REGION, FALSE);
  file_factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (file_factory, "setup", G_CALLBACK (on_file_setup), NULL);
  g_signal_connect (file_factory, "bind", G_CALLBACK (on_file_bind), NULL);
  g_signal_connect (file_factory, "unbind", G_CALLBACK (on_file_unbind), NULL);
  gtk_column_view_column_set_factory (self->file_column, file_factory);

  add_pages (self);
  self->station = sf_station_view_new ();
  gtk_stack_add_named (self->mode_stack, GTK_WIDGET (self->station), "station");
  g_signal_connect_swapped (self->station, "finished", G_CALLBACK (on_station_finished), self);
  g_signal_connect_swapped (self->view_stack, "notify::visible-child-name", G_CALLBACK (update_actions), self);
  g_signal_connect (self->scene_row, "notify::selected", G_CALLBACK (on_scene_selected), self);
  on_scene_selected (self->scene_row, NULL, self);

  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  start_monitor (self);
  start_host_check (self);
  self->settings = sf_gui_settings_new ();
  restore_settings (self);
  update_da_row (self);

  gtk_stack_set_visible_child_name (self->download_stack, "empty");
  gtk_stack_set_visible_child_name (self->mode_stack, "pages");
  update_actions (self);
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
  update_da_row (self);
  update_actions (self);
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
  return get_log_text (self);
}

void
sf_window_set_scene (SfWindow *self,
                     SfScene   scene)
{
  g_return_if_fail (SF_IS_WINDOW (self));

  for (guint i = 0; i < G_N_ELEMENTS (scenes); i++)
    if (scenes[i] == scene)
      adw_combo_row_set_selected (self->scene_row, i);
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
  update_actions (self);
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
