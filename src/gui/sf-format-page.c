/* sf-format-page.c — the Format page: erase partitions, the whole flash or a range
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n.h>

#include "sf-format-page.h"
#include "sf-hex-field.h"
#include "sf-mtk.h"
#include "sf-plan.h"
#include "sf-preferences-window.h"

struct _SfFormatPage
{
  AdwBin               parent_instance;

  /* Template widgets */
  GtkWidget           *content;
  AdwPreferencesGroup *mode_group;
  AdwActionRow        *auto_row;
  AdwActionRow        *calibration_row;
  GtkCheckButton      *auto_check;
  GtkCheckButton      *calibration_check;
  GtkCheckButton      *whole_check;
  GtkCheckButton      *manual_check;
  AdwPreferencesGroup *whole_group;
  AdwPreferencesGroup *manual_group;
  AdwComboRow         *region_row;
  AdwEntryRow         *begin_row;
  AdwEntryRow         *length_row;
  GtkLabel            *begin_error_label;
  GtkLabel            *length_error_label;
  GtkLabel            *summary_label;

  GSettings           *settings;     /* NULL without the schema */
  SfFirmware          *firmware;
  GtkWidget           *dialog;       /* the confirmation (weak) */
  char                *manual_error; /* NULL when the range is fine */
  guint64              begin;
  guint64              length;
  gboolean             busy;
  gboolean             manual_touched;
  gboolean             filling;      /* the fields are set from code */
};

G_DEFINE_FINAL_TYPE (SfFormatPage, sf_format_page, ADW_TYPE_BIN)

enum {
  SIGNAL_START,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- the manual range -------------------------------------------------------- */

static void
validate_manual (SfFormatPage *self)
{
  const char *begin_text = gtk_editable_get_text (GTK_EDITABLE (self->begin_row));
  const char *length_text = gtk_editable_get_text (GTK_EDITABLE (self->length_row));
  gboolean on_length, length_empty;
  const char *problem;

  g_free (self->manual_error);
  self->manual_error = sf_hex_field_check_range (begin_text, length_text, _("how many bytes to erase"),
                                                 &self->begin, &self->length, &on_length, &length_empty);
  problem = self->manual_error;
  sf_hex_field_show_error (self->begin_row, self->begin_error_label, problem != NULL && !on_length ? problem : NULL);
  /* An empty length is not an error yet, only not done. */
  sf_hex_field_show_error (self->length_row, self->length_error_label,
                           problem != NULL && on_length && !length_empty ? problem : NULL);
}

/* ---- modes ------------------------------------------------------------------------ */

static SfFormatMode
current_mode (SfFormatPage *self)
{
  if (gtk_check_button_get_active (self->calibration_check))
    return SF_FORMAT_MODE_AUTO_CALIBRATION;
  if (gtk_check_button_get_active (self->whole_check))
    return SF_FORMAT_MODE_WHOLE_FLASH;
  if (gtk_check_button_get_active (self->manual_check))
    return SF_FORMAT_MODE_MANUAL;
  return SF_FORMAT_MODE_AUTO;
}

static GtkCheckButton *
mode_check (SfFormatPage *self,
            SfFormatMode  mode)
{
  switch (mode) {
  case SF_FORMAT_MODE_AUTO_CALIBRATION: return self->calibration_check;
  case SF_FORMAT_MODE_WHOLE_FLASH: return self->whole_check;
  case SF_FORMAT_MODE_MANUAL: return self->manual_check;
  case SF_FORMAT_MODE_AUTO:
  default: return self->auto_check;
  }
}

static const char *
region_name (SfFormatPage *self)
{
  return sf_hex_field_region_name (adw_combo_row_get_selected (self->region_row));
}

static guint
region_part (SfFormatPage *self)
{
  return sf_hex_field_region_part (adw_combo_row_get_selected (self->region_row));
}

static SfPlan *
build_plan (SfFormatPage  *self,
            GError       **error)
{
  g_auto(GStrv) names = NULL;

  if (self->firmware == NULL) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                         _("Open a firmware first: its scatter file says where the partitions are"));
    return NULL;
  }
  /* Auto is the plan's default set; with calibration, an explicit list
   * whose calibration partitions the plan backs up first. */
  if (current_mode (self) == SF_FORMAT_MODE_AUTO_CALIBRATION)
    names = sf_layout_list_erasable (sf_scatter_get_layout (sf_firmware_get_scatter (self->firmware), 0));
  return sf_plan_new (self->firmware, NULL, SF_SCENE_FORMAT, (const char * const *) names, error);
}

static void
update_state (SfFormatPage *self)
{
  SfFormatMode mode = current_mode (self);
  gboolean ready = FALSE;
  g_autofree char *summary = NULL;

  adw_preferences_group_set_description (self->mode_group,
                                         self->firmware != NULL
                                           ? _("Formatting erases data on the phone for good. Read back what you want to keep first.")
                                           : _("Formatting erases data on the phone for good. Read back what you want to keep first. "
                                               "Auto needs a firmware: open one to use it."));
  gtk_widget_set_sensitive (GTK_WIDGET (self->auto_row), self->firmware != NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->calibration_row), self->firmware != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->whole_group), mode == SF_FORMAT_MODE_WHOLE_FLASH);
  gtk_widget_set_visible (GTK_WIDGET (self->manual_group), mode == SF_FORMAT_MODE_MANUAL);

  switch (mode) {
  case SF_FORMAT_MODE_AUTO:
  case SF_FORMAT_MODE_AUTO_CALIBRATION:
    ready = self->firmware != NULL;
    summary = ready ? sf_format_page_describe (self)
                    : g_strdup (_("Open a firmware to use Auto"));
    break;
  case SF_FORMAT_MODE_WHOLE_FLASH:
    ready = TRUE;
    summary = sf_format_page_describe (self);
    break;
  case SF_FORMAT_MODE_MANUAL:
  default:
    ready = self->manual_error == NULL;
    summary = ready ? sf_format_page_describe (self) : g_strdup (self->manual_error);
    break;
  }
  gtk_label_set_text (self->summary_label, summary);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->summary_label), summary);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "format.start", ready && !self->busy);
}

static void
on_mode_toggled (SfFormatPage *self)
{
  /* Also called while the template is built, before the children are bound. */
  if (self->summary_label == NULL)
    return;
  update_state (self);
}

static void
on_manual_changed (SfFormatPage *self)
{
  if (self->summary_label == NULL)
    return;
  if (!self->filling)
    self->manual_touched = TRUE;
  validate_manual (self);
  update_state (self);
}

/* ---- confirming -------------------------------------------------------------------- */

static char *
join_partitions (SfPlan     *plan,
                 SfStepKind  kind,
                 guint      *out_n)
{
  g_autoptr(GString) text = g_string_new (NULL);
  guint n = 0;

  for (guint i = 0; i < sf_plan_get_n_steps (plan); i++) {
    const SfPlanStep *step = sf_plan_get_step (plan, i);

    if (step->kind != kind || step->partition == NULL)
      continue;
    if (n++ > 0)
      g_string_append (text, ", ");
    g_string_append (text, step->partition->name);
  }
  *out_n = n;
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
on_confirm_response (AdwMessageDialog *dialog,
                     const char       *response,
                     gpointer          user_data)
{
  SfFormatPage *self = user_data;

  if (g_strcmp0 (response, "format") == 0)
    g_signal_emit (self, signals[SIGNAL_START], 0);
}

static void
start_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  SfFormatPage *self = SF_FORMAT_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  g_autofree char *heading = NULL;
  GtkWidget *dialog;

  if (self->busy)
    return;

  switch (current_mode (self)) {
  case SF_FORMAT_MODE_AUTO:
  case SF_FORMAT_MODE_AUTO_CALIBRATION: {
    g_autoptr(SfPlan) plan = build_plan (self, &error);
    g_autofree char *erased = NULL;
    g_autofree char *saved = NULL;
    guint n_erased = 0, n_saved = 0;

    if (plan == NULL) {
      gtk_label_set_text (self->summary_label, error->message);
      return;
    }
    erased = join_partitions (plan, SF_STEP_FORMAT, &n_erased);
    saved = join_partitions (plan, SF_STEP_BACKUP, &n_saved);
    heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Erase %u Partition?", "Erase %u Partitions?",
                                            n_erased), n_erased);
    /* Translators: %s is a list of partition names */
    g_string_append_printf (body, _("These partitions of the phone are erased: %s."), erased);
    g_string_append (body, "\n\n");
    if (n_saved > 0) {
      g_autoptr(GFile) folder = sf_gui_default_backup_folder (self->settings);
      g_autofree char *folder_name = sf_gui_folder_display_name (folder);

      /* Translators: a list of partition names, then a folder */
      g_string_append_printf (body, _("The calibration (%s: IMEI, Wi‑Fi and Bluetooth addresses) is backed up to "
                                      "%s first and is not written back. Keep that backup: it is the only copy "
                                      "of this phone’s calibration. The bootloader is kept."),
                              saved, folder_name);
    } else {
      g_string_append (body, _("The bootloader and the calibration (IMEI, NVRAM) are kept."));
    }
    break;
  }
  case SF_FORMAT_MODE_WHOLE_FLASH:
    heading = g_strdup (_("Erase the Whole Flash?"));
    g_string_append (body, _("Everything on the phone is erased: boot area 1 with the bootloader, boot area 2, "
                             "and the whole user area with the calibration (IMEI, NVRAM), which is not backed up.\n\n"
                             "The phone will not start until you flash a firmware with Download."));
    break;
  case SF_FORMAT_MODE_MANUAL:
  default: {
    g_autofree char *size = NULL;

    if (self->manual_error != NULL) {
      gtk_widget_grab_focus (GTK_WIDGET (self->begin_row));
      return;
    }
    size = g_format_size_full (self->length, G_FORMAT_SIZE_IEC_UNITS);
    heading = g_strdup (_("Erase This Range?"));
    /* Translators: region, first and last byte, and size, e.g. "EMMC_USER from 0x0 to 0xFFFFF (1.0 MiB)" */
    g_string_append_printf (body, _("%s from 0x%" PRIX64 " to 0x%" PRIX64 " (%s) is erased."),
                            region_name (self), self->begin, self->begin + self->length - 1, size);
    g_string_append (body, "\n\n");
    g_string_append (body, _("Nothing is backed up first: if the range holds the calibration (IMEI, NVRAM) "
                             "or the bootloader, they are lost."));
    break;
  }
  }

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading, body->str);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "format", _("_Erase"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "format", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_confirm_response), self, 0);

  if (self->dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->dialog));
  g_set_weak_pointer (&self->dialog, dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- GObject ------------------------------------------------------------------------ */

static void
sf_format_page_dispose (GObject *object)
{
  SfFormatPage *self = SF_FORMAT_PAGE (object);

  if (self->dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->dialog));
  g_clear_weak_pointer (&self->dialog);

  /* AdwBin would unparent its child after the template disposed it. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), SF_TYPE_FORMAT_PAGE);

  g_clear_object (&self->settings);
  g_clear_object (&self->firmware);

  G_OBJECT_CLASS (sf_format_page_parent_class)->dispose (object);
}

static void
sf_format_page_finalize (GObject *object)
{
  SfFormatPage *self = SF_FORMAT_PAGE (object);

  g_free (self->manual_error);

  G_OBJECT_CLASS (sf_format_page_parent_class)->finalize (object);
}

static void
sf_format_page_class_init (SfFormatPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sf_format_page_dispose;
  object_class->finalize = sf_format_page_finalize;

  /**
   * SfFormatPage::start:
   *
   * The user pressed Format and confirmed what is erased.
   */
  signals[SIGNAL_START] = g_signal_new ("start", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/Scatterflash/ui/sf-format-page.ui");
  gtk_widget_class_bind_template_child (widget_class, SfFormatPage, content);
  gtk_widget_class_bind_template_child (widget_class, SfFormatPage, mode_group);
  gtk_widget_class_bind_template_child (widget_class, SfFormatPage, auto_row);
  gtk_widget_class_bind_template_child (widget_class, SfFormatPage, calibration_row);
  gtk_widget_class_bind_template_child (widget_class, SfFormatPage, auto_check);
  gtk_widget_class_bind_template_child (widget_class, SfFormatPage, calibration_check);
  gtk_widget_class_bind_template_child (widget_class, SfFormatPage, whole_check);
  gtk_widget_class_bind_template_child (widget_class, SfFormatPage, manual_check);
  gtk_widget_class_bind_template_child (widget_class, SfFormatPage, whole_group);
  gtk_widget_class_bind_template_child (widget_class, SfFormatPage, manual_group);
  gtk_widget_class_bind_template_child (widget_class, SfFormatPage, region_row);
  gtk_widget_class_bind_template_child (widget_class, SfFormatPage, begin_row);
  gtk_widget_class_bind_template_child (widget_class, SfFormatPage, length_row);
  gtk_widget_class_bind_template_child (widget_class, SfFormatPage, begin_error_label);
  gtk_widget_class_bind_template_child (widget_class, SfFormatPage, length_error_label);
  gtk_widget_class_bind_template_child (widget_class, SfFormatPage, summary_label);
  gtk_widget_class_bind_template_callback (widget_class, on_mode_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_manual_changed);

  gtk_widget_class_install_action (widget_class, "format.start", NULL, start_action);
}

static void
sf_format_page_init (SfFormatPage *self)
{
  self->filling = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));
  self->filling = FALSE;

  self->settings = sf_gui_settings_new ();
  /* Without a firmware only the modes that need none can run. */
  gtk_check_button_set_active (self->manual_check, TRUE);
  validate_manual (self);
  update_state (self);
}

/* ---- public API --------------------------------------------------------------------- */

SfFormatPage *
sf_format_page_new (void)
{
  return g_object_new (SF_TYPE_FORMAT_PAGE, NULL);
}

void
sf_format_page_set_firmware (SfFormatPage *self,
                             SfFirmware   *firmware)
{
  g_return_if_fail (SF_IS_FORMAT_PAGE (self));
  g_return_if_fail (firmware == NULL || SF_IS_FIRMWARE (firmware));

  if (!g_set_object (&self->firmware, firmware))
    return;
  /* Auto is the usual choice once a firmware is there, unless the user
   * already typed a range; without one, Auto cannot run. */
  if (firmware != NULL && current_mode (self) == SF_FORMAT_MODE_MANUAL && !self->manual_touched)
    gtk_check_button_set_active (self->auto_check, TRUE);
  else if (firmware == NULL && (current_mode (self) == SF_FORMAT_MODE_AUTO ||
                                current_mode (self) == SF_FORMAT_MODE_AUTO_CALIBRATION))
    gtk_check_button_set_active (self->manual_check, TRUE);
  update_state (self);
}

void
sf_format_page_set_busy (SfFormatPage *self,
                         gboolean      busy)
{
  g_return_if_fail (SF_IS_FORMAT_PAGE (self));

  self->busy = !!busy;
  gtk_widget_set_sensitive (self->content, !self->busy);
  update_state (self);
}

SfFormatMode
sf_format_page_get_mode (SfFormatPage *self)
{
  g_return_val_if_fail (SF_IS_FORMAT_PAGE (self), SF_FORMAT_MODE_AUTO);
  return current_mode (self);
}

void
sf_format_page_set_mode (SfFormatPage *self,
                         SfFormatMode  mode)
{
  g_return_if_fail (SF_IS_FORMAT_PAGE (self));
  g_return_if_fail (mode <= SF_FORMAT_MODE_MANUAL);

  gtk_check_button_set_active (mode_check (self, mode), TRUE);
  update_state (self);
}

void
sf_format_page_set_manual (SfFormatPage *self,
                           guint         part,
                           const char   *begin,
                           const char   *length)
{
  g_return_if_fail (SF_IS_FORMAT_PAGE (self));

  for (guint i = 0; i < SF_HEX_FIELD_N_REGIONS; i++) {
    if (sf_hex_field_region_part (i) == part)
      adw_combo_row_set_selected (self->region_row, i);
  }
  gtk_editable_set_text (GTK_EDITABLE (self->begin_row), begin != NULL ? begin : "");
  gtk_editable_set_text (GTK_EDITABLE (self->length_row), length != NULL ? length : "");
  validate_manual (self);
  update_state (self);
}

const char *
sf_format_page_get_manual_error (SfFormatPage *self)
{
  g_return_val_if_fail (SF_IS_FORMAT_PAGE (self), NULL);
  return self->manual_error;
}

gboolean
sf_format_page_configure_job (SfFormatPage  *self,
                              SfFlashJob    *job,
                              GError       **error)
{
  g_return_val_if_fail (SF_IS_FORMAT_PAGE (self), FALSE);
  g_return_val_if_fail (job != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Each mode does what `scatterflash-cli format` does with its option. */
  switch (current_mode (self)) {
  case SF_FORMAT_MODE_AUTO:
  case SF_FORMAT_MODE_AUTO_CALIBRATION: {
    g_autoptr(SfPlan) plan = build_plan (self, error);
    g_autoptr(GFile) backups = NULL;

    if (plan == NULL)
      return FALSE;
    backups = sf_gui_default_backup_folder (self->settings);
    sf_flash_job_set_backup_dir (job, backups);
    sf_flash_job_set_plan (job, plan);
    return TRUE;
  }
  case SF_FORMAT_MODE_WHOLE_FLASH:
    sf_flash_job_add_erase (job, SF_EMMC_PART_USER, 0, 0);
    sf_flash_job_add_erase (job, SF_EMMC_PART_BOOT1, 0, 0);
    sf_flash_job_add_erase (job, SF_EMMC_PART_BOOT2, 0, 0);
    return TRUE;
  case SF_FORMAT_MODE_MANUAL:
  default:
    validate_manual (self);
    if (self->manual_error != NULL) {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, self->manual_error);
      return FALSE;
    }
    sf_flash_job_add_erase (job, region_part (self), self->begin, self->length);
    return TRUE;
  }
}

char *
sf_format_page_describe (SfFormatPage *self)
{
  g_return_val_if_fail (SF_IS_FORMAT_PAGE (self), NULL);

  switch (current_mode (self)) {
  case SF_FORMAT_MODE_AUTO:
    return g_strdup (_("Format: everything but the bootloader and the calibration will be erased"));
  case SF_FORMAT_MODE_AUTO_CALIBRATION:
    return g_strdup (_("Format: everything but the bootloader will be erased; the calibration is backed up first"));
  case SF_FORMAT_MODE_WHOLE_FLASH:
    return g_strdup (_("Format: the whole flash will be erased, both boot areas and the user area"));
  case SF_FORMAT_MODE_MANUAL:
  default: {
    g_autofree char *size = NULL;

    if (self->manual_error != NULL)
      return g_strdup (self->manual_error);
    size = g_format_size_full (self->length, G_FORMAT_SIZE_IEC_UNITS);
    /* Translators: region, begin address and size, e.g. "Format: EMMC_USER from 0x100000, 1.0 MiB will be erased" */
    return g_strdup_printf (_("Format: %s from 0x%" PRIX64 ", %s will be erased"), region_name (self),
                            self->begin, size);
  }
  }
}
