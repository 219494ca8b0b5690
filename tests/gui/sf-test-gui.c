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
