/* sf-window-firmware.c — the window's firmware: loading, the Firmware, Scene and DA rows, the banner, recent files
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "sf-firmware-check.h"
#include "sf-window-private.h"

#define MAX_RECENT 10

static const SfScene scenes[] = {
  SF_SCENE_DOWNLOAD_ONLY,
  SF_SCENE_FIRMWARE_UPGRADE,
  SF_SCENE_FORMAT_ALL_DOWNLOAD,
};

char *
sf_window_location_to_string (GFile *location)
{
  char *path = g_file_get_path (location);

  return path != NULL ? path : g_file_get_uri (location);
}

GFile *
sf_window_location_from_string (const char *text)
{
  return g_path_is_absolute (text) ? g_file_new_for_path (text) : g_file_new_for_uri (text);
}

void
sf_window_rebuild_recent_menu (SfWindow *self)
{
  g_auto(GStrv) recent = NULL;

  g_menu_remove_all (self->recent_section);
  if (self->settings == NULL)
    return;
  recent = g_settings_get_strv (self->settings, "recent-firmware");
  for (guint i = 0; recent[i] != NULL; i++) {
    g_autoptr(GFile) file = sf_window_location_from_string (recent[i]);
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
  g_autofree char *text = sf_window_location_to_string (location);
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
  sf_window_rebuild_recent_menu (self);
}

static void
on_item_enabled (SfPartitionItem *item,
                 GParamSpec      *pspec,
                 SfWindow        *self)
{
  sf_window_update_select_all (self);
}

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
char *
sf_window_scene_words (const char *text)
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

SfScene
sf_window_current_scene (SfWindow *self)
{
  guint selected = adw_combo_row_get_selected (self->scene_row);

  return selected < G_N_ELEMENTS (scenes) ? scenes[selected] : SF_SCENE_DOWNLOAD_ONLY;
}

/* Download Only writes what the user ticks; the other scenes write their
 * own set, which the planner decides (for the command line too: its
 * download --scene passes no list either). */
gboolean
sf_window_scene_picks_partitions (SfScene scene)
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
  /* The CLI's choice (sf_da_file_choose): chosen, else the firmware's,
   * else the bundled one; practice never uses the firmware's own. */
  return sf_da_file_choose (self->da_override, self->practice ? NULL : self->firmware_da, error);
}

SfDaFile *
sf_window_choose_checked_da (SfWindow  *self,
                             GError   **error)
{
  g_autoptr(SfDaFile) da = choose_da (self, error);

  /* Whether @da can start this firmware's chip at all (the check SP Flash
   * Tool makes only once the phone answers), made before anything starts. */
  if (da == NULL || !sf_firmware_check_da (self->firmware, da, error)) {
    sf_window_update_da_row (self);
    return NULL;
  }
  return g_steal_pointer (&da);
}

void
sf_window_update_da_row (SfWindow *self)
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
    sf_firmware_check_da (self->firmware, da, &error);
  if (error != NULL) {
    g_free (subtitle);
    subtitle = g_strdup (error->message);
    gtk_widget_add_css_class (GTK_WIDGET (self->da_row), "error");
  } else {
    gtk_widget_remove_css_class (GTK_WIDGET (self->da_row), "error");
  }
  adw_action_row_set_subtitle (self->da_row, subtitle);
  if (self->da_override != NULL && error == NULL) {
    g_autofree char *where = sf_window_location_to_string (self->da_override);

    gtk_widget_set_tooltip_text (GTK_WIDGET (self->da_row), where);
  } else {
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->da_row), subtitle);
  }
  sf_window_update_firmware_banner (self);
}

/* The DRAM settings row: the Download page's --emi-from. */
void
sf_window_update_emi_row (SfWindow *self)
{
  g_autofree char *subtitle = NULL;
  g_autofree char *tooltip = NULL;

  if (self->emi_file != NULL) {
    g_autofree char *name = g_file_get_basename (self->emi_file);

    /* Translators: a preloader file, e.g. a backup of the phone's own */
    subtitle = g_strdup_printf (_("%s, instead of the firmware’s preloader"), name);
    tooltip = sf_window_location_to_string (self->emi_file);
  } else {
    subtitle = g_strdup (_("The firmware’s preloader. A dead phone (BootROM mode) needs it to start its memory"));
    tooltip = g_strdup (_("A phone that comes up in BootROM mode (a dead phone, or one plugged in with Volume "
                          "Down held) needs its memory (DRAM) set up from a preloader. Error 5054 means that "
                          "the preloader was built for another memory chip: then choose the phone’s own "
                          "preloader here, such as a backup of it."));
  }
  adw_action_row_set_subtitle (self->emi_row, subtitle);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->emi_row), tooltip);
}

/* The banner under the header bar: why the firmware cannot be used, or
 * what in it cannot be written. It stays, in full, until the firmware (or
 * what is wrong with it) changes. */
void
sf_window_update_firmware_banner (SfWindow *self)
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

    if (!sf_window_scene_picks_partitions (sf_window_current_scene (self))) {
      /* The scene's own set: only whether it can run at all. */
      if (self->scene_problem != NULL) {
        /* Translators: a scene (Format All + Download), then why it cannot run */
        g_string_append_printf (text, _("%s cannot start with this firmware: %s"),
                                sf_scene_get_title (sf_window_current_scene (self)), self->scene_problem);
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
      sf_firmware_check_da (self->firmware, da, &da_error);
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
void
sf_window_populate_partitions (SfWindow *self)
{
  SfScatter *scatter;
  SfLayout *layout;
  GPtrArray *issues;
  SfScene scene = sf_window_current_scene (self);
  gboolean fixed = !sf_window_scene_picks_partitions (scene);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) written = NULL;
  g_autoptr(GHashTable) kept = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(SfPlan) plan = NULL;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&self->scene_problem, g_free);
  if (self->firmware == NULL) {
    g_list_store_remove_all (self->partitions);
    sf_window_update_select_all (self);
    sf_window_update_firmware_banner (self);
    return;
  }
  scatter = sf_firmware_get_scatter (self->firmware);
  layout = sf_scatter_get_layout (scatter, 0);
  issues = sf_scatter_get_issues (scatter);

  if (fixed) {
    written = g_hash_table_new (g_str_hash, g_str_equal);
    plan = sf_plan_new (self->firmware, NULL, scene, NULL, &error);
    if (plan == NULL)
      self->scene_problem = sf_window_scene_words (error->message);
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
      sf_window_set_item_image (self, item, !fixed && g_hash_table_contains (written, p->name));
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
  sf_window_update_select_all (self);
  sf_window_update_firmware_banner (self);
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
  sf_window_populate_partitions (self);

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
  sf_window_update_da_row (self);
  sf_window_update_firmware_banner (self);
  gtk_stack_set_visible_child_name (self->download_stack, "firmware");
  adw_view_stack_set_visible_child_name (self->view_stack, "download");
}

/* Nothing is open any more: the firmware was refused, or practice put the
 * sample away. @problem: (nullable): why, for the banner. */
void
sf_window_unload_firmware (SfWindow   *self,
                           const char *problem)
{
  g_clear_object (&self->firmware);
  g_clear_object (&self->firmware_da);
  g_clear_pointer (&self->user_ticks, g_hash_table_unref);
  g_free (self->load_problem);
  self->load_problem = g_strdup (problem);
  sf_readback_page_set_firmware (self->readback_page, NULL);
  sf_format_page_set_firmware (self->format_page, NULL);
  sf_window_populate_partitions (self);
  adw_view_switcher_title_set_subtitle (self->switcher_title, NULL);
  sf_window_update_da_row (self);
  sf_window_update_firmware_banner (self);
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
    sf_window_unload_firmware (self, problem);
    g_warning ("%s: %s", name, error->message);
  }
  sf_window_update_actions (self);
}

void
sf_window_load_firmware (SfWindow *self,
                         GFile    *location)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (SF_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (location));

  if (sf_window_is_busy (self)) {
    sf_window_show_toast (self, _("Stop the running job before opening another firmware"), 5);
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
  sf_window_update_actions (self);

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
        sf_window_show_toast (self, error->message, 0);
      } else {
        sf_window_set_da_file (self, file);
        if (self->settings != NULL) {
          g_autofree char *text = sf_window_location_to_string (file);

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

void
sf_window_open_chooser (SfWindow *self,
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
  g_object_set_data (G_OBJECT (chooser), "sf-da", GINT_TO_POINTER (for_da));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_chooser_response), self);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->chooser);
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
  if (files == NULL || sf_window_is_busy (self))
    return FALSE;
  /* One firmware at a time: the first one dropped. */
  sf_window_load_firmware (self, G_FILE (files->data));
  return TRUE;
}

static void
on_scene_selected (AdwComboRow *row,
                   GParamSpec  *pspec,
                   SfWindow    *self)
{
  guint selected = adw_combo_row_get_selected (row);
  static const char *subtitles[] = {
    N_("Calibration (IMEI) stays"),
    N_("Calibration backed up and kept"),
    N_("Erases everything on the phone first; calibration kept"),
  };

  if (selected < G_N_ELEMENTS (scenes)) {
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _(subtitles[selected]));
    gtk_widget_remove_css_class (GTK_WIDGET (row), "warning");
    if (scenes[selected] == SF_SCENE_FORMAT_ALL_DOWNLOAD)
      gtk_widget_add_css_class (GTK_WIDGET (row), "warning");
    if (self->settings != NULL)
      g_settings_set_string (self->settings, "scene", sf_scene_to_string (scenes[selected]));
  }
  if (self->firmware != NULL) {
    g_autoptr(SfPartitionItem) first = g_list_model_get_item (G_LIST_MODEL (self->partitions), 0);

    /* Leaving Download Only: its ticks come back with it. */
    if (first != NULL && !sf_partition_item_get_fixed (first))
      save_user_ticks (self);
    sf_window_populate_partitions (self);
  }
}

void
sf_window_restore_scene (SfWindow *self,
                         SfScene   scene)
{
  /* Format All + Download erases the whole phone: it is chosen by hand
   * each time, never brought back by itself from last time. */
  gboolean erases = scene == SF_SCENE_FORMAT_ALL_DOWNLOAD;

  for (guint i = 0; i < G_N_ELEMENTS (scenes); i++)
    if (scenes[i] == (erases ? SF_SCENE_DOWNLOAD_ONLY : scene))
      adw_combo_row_set_selected (self->scene_row, i);
  if (erases && self->settings != NULL)
    g_settings_set_string (self->settings, "scene", sf_scene_to_string (SF_SCENE_DOWNLOAD_ONLY));
  if (erases)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self->scene_row),
                                 _("Format All + Download was chosen last time. It erases everything on the phone, "
                                   "so choose it again if you mean to"));
}

void
sf_window_firmware_init (SfWindow *self)
{
  GtkDropTarget *drop;

  g_signal_connect (self->scene_row, "notify::selected", G_CALLBACK (on_scene_selected), self);
  on_scene_selected (self->scene_row, NULL, self);

  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
}
