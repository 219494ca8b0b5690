/* sf-window-practice.c — practice mode: the open firmware onto a virtual phone in this process
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>

#include <glib/gi18n.h>

#include "sf-window-private.h"

/* In practice mode the virtual phone is "plugged in" this long after
 * Download, so that the user sees the instructions first. */
#define PRACTICE_PLUG_MS 1500

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
  if (self->practice == practice || sf_window_is_busy (self))
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

      sf_window_show_toast (self, text, 0);
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
      sf_window_unload_firmware (self, NULL);
    }
  }
  sf_window_update_da_row (self);
  gtk_revealer_set_reveal_child (self->practice_revealer, practice);
  gtk_widget_set_visible (GTK_WIDGET (self->port_row), !practice);
  /* Practice has its own phone. */
  gtk_widget_set_visible (self->phone_strip, !practice);
  gtk_widget_set_visible (GTK_WIDGET (self->station_row), !practice);
  sf_window_show_host_problems (self);
  g_object_notify (G_OBJECT (self), "practice");
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
gboolean
sf_window_make_virtual_phone (SfWindow  *self,
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
  opts.mode = SF_SIM_MODE_BROM;
  self->sim = sf_sim_new (&opts, error);
  return self->sim != NULL;
}

static gboolean
on_plug_virtual_phone (gpointer user_data)
{
  SfWindow *self = user_data;
  g_autoptr(GError) error = NULL;

  self->plug_id = 0;
  sf_window_log_line (self, _("The virtual phone is plugged in on %s"), sf_sim_get_port_path (self->sim));
  if (!sf_sim_start (self->sim, &error)) {
    sf_window_finish_job (self, SF_WINDOW_RESULT_FAILED, error);
    return G_SOURCE_REMOVE;
  }
  sf_window_start_worker (self);
  return G_SOURCE_REMOVE;
}

void
sf_window_plug_virtual_phone_later (SfWindow *self)
{
  self->plug_id = g_timeout_add (PRACTICE_PLUG_MS, on_plug_virtual_phone, self);
}
