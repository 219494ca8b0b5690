/* test-gui-i18n.c — the desktop app in another language (run once per
 * language in po/LINGUAS, with LANGUAGE set and SCATTERFLASH_LOCALEDIR pointing at
 * the build tree's catalogs)
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two things a translation can break that no .po check sees: the app not
 * finding its catalog (every label stays English), and long words that
 * widen the window or cut a button's label. Both are asserted here on the
 * real window, at 800×600, on every page and on an error page; the
 * screenshots (download-800-LL, error-800-LL) go to docs/screenshots/.
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <locale.h>
#include <string.h>

#include "sf-test-gui.h"
#include "sf-test-util.h"
#include "sf-window.h"

static gboolean
is_loaded (gpointer data)
{
  return !sf_window_is_loading (SF_WINDOW (data));
}

static gboolean
is_finished (gpointer data)
{
  return sf_window_get_result (SF_WINDOW (data)) != SF_WINDOW_RESULT_RUNNING;
}

/* Every label text shown under @widget, one string each. */
static void
collect_labels (GtkWidget *widget,
                GPtrArray *texts)
{
  if (!gtk_widget_get_visible (widget))
    return;
  if (GTK_IS_LABEL (widget))
    g_ptr_array_add (texts, g_strdup (gtk_label_get_label (GTK_LABEL (widget))));
  else if (GTK_IS_BUTTON (widget) && gtk_button_get_label (GTK_BUTTON (widget)) != NULL)
    g_ptr_array_add (texts, g_strdup (gtk_button_get_label (GTK_BUTTON (widget))));
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    collect_labels (c, texts);
}

static gboolean
shows (GtkWidget  *root,
       const char *text)
{
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);

  collect_labels (root, texts);
  for (guint i = 0; i < texts->len; i++) {
    if (g_strcmp0 (texts->pdata[i], text) == 0)
      return TRUE;
  }
  return FALSE;
}

/* What the window shows, for a failure's message (leaked: the test ends). */
static char *
shown_texts (GtkWidget *root)
{
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);

  collect_labels (root, texts);
  g_ptr_array_add (texts, NULL);
  {
    char *all = g_strjoinv (" | ", (char **) texts->pdata);

    if (strlen (all) > 600)
      strcpy (all + 597, "…");
    return all;
  }
}

/* The first label inside a button (of a header bar, a page or a dialog)
 * that is narrower than its text: a label cut by the layout. */
static GtkWidget *
find_cut_button_label (GtkWidget *widget,
                       gboolean   in_button)
{
  /* Not shown, or given no room at all (a view switcher's button for a
   * page that is not offered): nothing of it is on screen to be cut. */
  if (!gtk_widget_get_mapped (widget) || gtk_widget_get_width (widget) == 0)
    return NULL;
  in_button = in_button || GTK_IS_BUTTON (widget);
  if (in_button && GTK_IS_LABEL (widget)) {
    int natural = 0;

    gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &natural, NULL, NULL);
    if (gtk_widget_get_width (widget) + 1 < natural)
      return widget;
  }
  /* A stack keeps its hidden pages allocated (a view switcher's button
   * has a wide and a narrow layout): only the page shown counts. */
  if (GTK_IS_STACK (widget)) {
    GtkWidget *shown = gtk_stack_get_visible_child (GTK_STACK (widget));

    return shown != NULL ? find_cut_button_label (shown, in_button) : NULL;
  }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c)) {
    GtkWidget *cut = find_cut_button_label (c, in_button);

    if (cut != NULL)
      return cut;
  }
  return NULL;
}

static void
assert_fits (SfWindow   *win,
             const char *where)
{
  GtkWidget *cut;

  ck_assert_msg (gtk_widget_get_width (GTK_WIDGET (win)) <= 800, "%s: the window grew to %d pixels",
                 where, gtk_widget_get_width (GTK_WIDGET (win)));
  cut = find_cut_button_label (GTK_WIDGET (win), FALSE);
  ck_assert_msg (cut == NULL, "%s: the button label “%s” is cut", where,
                 cut != NULL ? gtk_label_get_label (GTK_LABEL (cut)) : "");
}

START_TEST (test_i18n_window)
{
  static const char *pages[] = { "download", "readback", "format", "phone" };
  const char *lang = g_getenv ("LANGUAGE");
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) da = g_file_new_for_path (g_getenv ("SF_SYNTHETIC_DA"));
  /* Messages the window shows once a firmware is open: the header's Open
   * button and the Scene row (every language translates both; some keep
   * SP Flash Tool's "Download" in English on purpose). */
  static const char *messages[] = { "_Open", "Scene" };
  SfWindow *win;

  ck_assert_msg (lang != NULL && *lang != '\0', "run with LANGUAGE set");
  for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
    ck_assert_msg (g_strcmp0 (g_dgettext (GETTEXT_PACKAGE, messages[i]), messages[i]) != 0,
                   "%s: “%s” is not translated: the catalog in %s was not found", lang, messages[i],
                   g_getenv ("SCATTERFLASH_LOCALEDIR"));

  win = sf_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (win), 800, 600);
  gtk_window_present (GTK_WINDOW (win));
  sf_window_set_da_file (win, da);
  ck_assert (sf_window_set_practice_pace (win, "none", &error));
  ck_assert (sf_window_set_practice_fault (win, "dram-fail", &error));
  sf_window_set_practice (win, TRUE);
  ck_assert (sf_test_gui_iterate_until (is_loaded, win, 20000));
  sf_test_gui_settle (300);

  for (guint i = 0; i < G_N_ELEMENTS (messages); i++) {
    const char *translated = g_dgettext (GETTEXT_PACKAGE, messages[i]);

    ck_assert_msg (shows (GTK_WIDGET (win), translated), "%s: the window does not show “%s”; it shows %s", lang,
                   translated, shown_texts (GTK_WIDGET (win)));
    ck_assert_msg (!shows (GTK_WIDGET (win), messages[i]), "%s: the window still shows “%s”", lang, messages[i]);
  }

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++) {
    sf_window_show_page (win, pages[i]);
    sf_test_gui_settle (200);
    assert_fits (win, pages[i]);
  }
  sf_window_show_page (win, "download");
  sf_test_gui_settle (200);
  {
    g_autofree char *name = g_strdup_printf ("download-800-%s", lang);

    sf_test_gui_screenshot (GTK_WIDGET (win), name);
  }

  /* An error page: the phone's DRAM fails (S_FT_ENABLE_DRAM_FAIL). */
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (win), "win.download", NULL));
  ck_assert (sf_test_gui_iterate_until (is_finished, win, 60000));
  ck_assert_int_eq (sf_window_get_result (win), SF_WINDOW_RESULT_FAILED);
  sf_test_gui_settle (300);
  assert_fits (win, "the error page");
  /* The error's name stays as SP Flash Tool prints it, for forum searches. */
  ck_assert_msg (shows (GTK_WIDGET (win), "S_FT_ENABLE_DRAM_FAIL (4032)"),
                 "%s: the error page does not show “S_FT_ENABLE_DRAM_FAIL (4032)”; it shows %s", lang,
                 shown_texts (GTK_WIDGET (win)));
  {
    g_autofree char *name = g_strdup_printf ("error-800-%s", lang);

    sf_test_gui_screenshot (GTK_WIDGET (win), name);
  }
  gtk_window_destroy (GTK_WINDOW (win));
  sf_test_gui_settle (200);
}
END_TEST

static Suite *
i18n_suite (void)
{
  Suite *s = suite_create ("gui-i18n");
  TCase *tc = tcase_create ("window");

  tcase_set_timeout (tc, 300);
  tcase_add_test (tc, test_i18n_window);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("SCATTERFLASH_LOCALEDIR"));
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  /* The window's templates are translated in the default domain, as in
   * the app's main(). */
  textdomain (GETTEXT_PACKAGE);
  if (!sf_test_gui_init ())
    return 77;
  return sf_test_run_suite (i18n_suite ());
}
