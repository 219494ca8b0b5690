/* sf-test-gui.c — what the GUI tests share: the main loop, the style,
 * screenshots
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "sf-test-gui.h"

gboolean
sf_test_gui_init (void)
{
  g_autoptr(GtkCssProvider) css = NULL;

  /* The file choosers add what they save to the recent files (in the
   * test's XDG_DATA_HOME), under the program's name and command. */
  if (g_get_prgname () == NULL)
    g_set_prgname ("scatterflash-tests");
  g_set_application_name ("Scatterflash tests");
  /* GTK cannot live across fork(): the tests run in-process. */
  if (!gtk_init_check ())
    return FALSE;
  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, "/io/github/Scatterflash/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  return TRUE;
}

gboolean
sf_test_gui_iterate_until (gboolean (*done) (gpointer),
                           gpointer   data,
                           guint      timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!done (data)) {
    if (g_get_monotonic_time () > deadline)
      return FALSE;
    g_main_context_iteration (NULL, FALSE);
    g_usleep (1000);
  }
  return TRUE;
}

void
sf_test_gui_settle (guint ms)
{
  gint64 until = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < until) {
    g_main_context_iteration (NULL, FALSE);
    g_usleep (1000);
  }
}

void
sf_test_gui_set_dark (gboolean dark)
{
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      dark ? ADW_COLOR_SCHEME_FORCE_DARK : ADW_COLOR_SCHEME_FORCE_LIGHT);
}

void
sf_test_gui_screenshot (GtkWidget  *widget,
                        const char *name)
{
  const char *dir = g_getenv ("SF_SCREENSHOT_DIR");
  AdwStyleManager *style = adw_style_manager_get_default ();
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;
  GtkSnapshot *snapshot;
  GskRenderer *renderer;
  int width = 0, height = 0;

  if (dir == NULL || dir[0] == '\0')
    return;
  g_mkdir_with_parents (dir, 0755);
  /* Slow builds (sanitizers) take a while to map and draw the window. */
  for (int tries = 0; tries < 50 && node == NULL; tries++) {
    sf_test_gui_settle (300);
    width = gtk_widget_get_width (widget);
    height = gtk_widget_get_height (widget);
    if (!gtk_widget_get_mapped (widget) || width <= 0 || height <= 0)
      continue;
    g_clear_object (&paintable);
    paintable = gtk_widget_paintable_new (widget);
    snapshot = gtk_snapshot_new ();
    gdk_paintable_snapshot (paintable, snapshot, width, height);
    node = gtk_snapshot_free_to_node (snapshot);
  }
  ck_assert_msg (node != NULL, "%s: nothing was drawn", name);
  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  file = g_strdup_printf ("%s-%s.png", name, adw_style_manager_get_dark (style) ? "dark" : "light");
  path = g_build_filename (dir, file, NULL);
  ck_assert (gdk_texture_save_to_png (texture, path));
}

GtkWidget *
sf_test_gui_find_window (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++) {
    g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

    if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (window))
      return window;
  }
  return NULL;
}

static gboolean
chooser_shown (gpointer data)
{
  return sf_test_gui_find_window (GTK_TYPE_FILE_CHOOSER_DIALOG) != NULL;
}

gboolean
sf_test_gui_choose_file (GFile *file,
                         guint  timeout_ms)
{
  g_autoptr(GFile) folder = g_file_get_parent (file);
  g_autofree char *name = g_file_get_basename (file);
  GtkWidget *chooser;

  if (!sf_test_gui_iterate_until (chooser_shown, NULL, timeout_ms))
    return FALSE;
  /* The chooser goes to its first folder in the background: after that. */
  sf_test_gui_settle (300);
  chooser = sf_test_gui_find_window (GTK_TYPE_FILE_CHOOSER_DIALOG);
  ck_assert (gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL));
  /* An Open chooser selects a file only once its folder is read. */
  sf_test_gui_settle (300);
  if (gtk_file_chooser_get_action (GTK_FILE_CHOOSER (chooser)) == GTK_FILE_CHOOSER_ACTION_SAVE)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  else
    ck_assert (gtk_file_chooser_set_file (GTK_FILE_CHOOSER (chooser), file, NULL));
  sf_test_gui_settle (300);
  gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_ACCEPT);
  return TRUE;
}

GtkWidget *
sf_test_gui_find_widget (GtkWidget      *root,
                         gboolean      (*match) (GtkWidget *, gconstpointer),
                         gconstpointer   data)
{
  if (match (root, data))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child)) {
    GtkWidget *found = sf_test_gui_find_widget (child, match, data);

    if (found != NULL)
      return found;
  }
  return NULL;
}

static gboolean
is_row_titled (GtkWidget     *widget,
               gconstpointer  title)
{
  return ADW_IS_PREFERENCES_ROW (widget) &&
         g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0;
}

GtkWidget *
sf_test_gui_find_row (GtkWidget  *root,
                      const char *title)
{
  return sf_test_gui_find_widget (root, is_row_titled, title);
}
