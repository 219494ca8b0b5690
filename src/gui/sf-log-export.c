/* sf-log-export.c — Save Log: a log's text into a file the user chooses
 *
 * The job view and the station view both save their log; this is the one
 * way they do it.
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "sf-log-export.h"

typedef struct {
  GtkWidget       *owner;
  AdwToastOverlay *toasts;
  SfLogTextFunc    get_text;
} Export;

static void
export_free (Export *export)
{
  g_clear_object (&export->owner);
  g_clear_object (&export->toasts);
  g_free (export);
}

static void
report (Export     *export,
        const char *text,
        guint       timeout)
{
  g_autofree char *escaped = NULL;
  AdwToast *toast;

  if (export->toasts == NULL) {
    g_debug ("Save Log: %s", text);
    return;
  }
  escaped = g_markup_escape_text (text, -1);
  toast = adw_toast_new (escaped);
  adw_toast_set_timeout (toast, timeout);
  adw_toast_overlay_add_toast (export->toasts, toast);
}

static void
on_log_saved (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Export *export = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    report (export, error->message, 0);
  else
    report (export, _("Log saved"), 2);
  export_free (export);
}

static void
on_chooser_response (GtkNativeDialog *dialog,
                     int              response,
                     gpointer         user_data)
{
  Export *export = user_data;
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  if (file != NULL) {
    /* The text as it is now: a running job's log has grown since Save. */
    char *text = export->get_text (export->owner);
    g_autoptr(GBytes) bytes = g_bytes_new_take (text, strlen (text));

    g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                         NULL, on_log_saved, export);
  } else {
    export_free (export);
  }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

void
sf_log_export_save (GtkWidget       *owner,
                    AdwToastOverlay *toasts,
                    const char      *title,
                    const char      *name_format,
                    SfLogTextFunc    get_text)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *name = NULL;
  GtkRoot *root;
  GtkFileChooserNative *chooser;
  Export *export;

  g_return_if_fail (GTK_IS_WIDGET (owner));
  g_return_if_fail (toasts == NULL || ADW_IS_TOAST_OVERLAY (toasts));
  g_return_if_fail (title != NULL && name_format != NULL && get_text != NULL);

  export = g_new0 (Export, 1);
  export->owner = g_object_ref (owner);
  export->toasts = toasts != NULL ? g_object_ref (toasts) : NULL;
  export->get_text = get_text;

  name = g_date_time_format (now, name_format);
  root = gtk_widget_get_root (owner);
  chooser = gtk_file_chooser_native_new (title, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_chooser_response), export);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}
