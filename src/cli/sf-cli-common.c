/* sf-cli-common.c — what the scatterflash-cli subcommands share
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "sf-cli-common.h"
#include "sf-mtk.h"
#include "sf-units.h"

gboolean
sf_cli_parse_options (GOptionContext   *context,
                      const char       *command,
                      int              *argc,
                      char           ***argv)
{
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error)) {
    sf_cli_usage_error (command, "%s", error->message);
    return FALSE;
  }
  return TRUE;
}

int
sf_cli_usage_error (const char *command,
                    const char *format,
                    ...)
{
  g_autofree char *msg = NULL;
  va_list ap;

  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);

  g_printerr ("scatterflash-cli %s: %s\n", command, msg);
  g_printerr (_("Try “scatterflash-cli %s --help”\n"), command);
  return SF_EXIT_USAGE;
}

int
sf_cli_report_error (const GError *error)
{
  g_printerr ("scatterflash-cli: %s\n", error->message);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return SF_EXIT_INTERRUPTED;
  /* Everything this version can fail on is the input's fault: the scatter,
   * the firmware package, the images or the options. */
  return SF_EXIT_USAGE;
}

void
sf_cli_print_issues (GPtrArray *issues)
{
  for (guint i = 0; issues != NULL && i < issues->len; i++) {
    SfIssue *issue = g_ptr_array_index (issues, i);
    g_autofree char *text = sf_issue_to_string (issue);

    g_printerr ("%s: %s\n",
                issue->severity == SF_SEVERITY_ERROR ? _("error") : _("warning"),
                text);
  }
}

static gboolean
has_archive_magic (const char *path)
{
  static const struct {
    const char *magic;
    gsize       len;
  } magics[] = {
    { "PK\x03\x04", 4 },                 /* zip */
    { "PK\x05\x06", 4 },                 /* empty zip */
    { "7z\xBC\xAF\x27\x1C", 6 },         /* 7-Zip */
    { "\x1F\x8B", 2 },                   /* gzip */
    { "\xFD" "7zXZ", 5 },                /* xz */
    { "BZh", 3 },                        /* bzip2 */
    { "Rar!", 4 },                       /* rar */
  };
  guchar head[8] = { 0 };
  gsize got;
  FILE *f = fopen (path, "rb");

  if (f == NULL)
    return FALSE;
  got = fread (head, 1, sizeof head, f);
  fclose (f);

  for (guint i = 0; i < G_N_ELEMENTS (magics); i++) {
    if (got >= magics[i].len && memcmp (head, magics[i].magic, magics[i].len) == 0)
      return TRUE;
  }
  return FALSE;
}

gboolean
sf_cli_is_package (const char *path)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);
  static const char * const suffixes[] = {
    ".zip", ".7z", ".tar", ".tgz", ".txz", ".tbz2", ".tar.gz", ".tar.xz", ".tar.bz2", ".rar",
  };

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++) {
    if (g_str_has_suffix (lower, suffixes[i]))
      return TRUE;
  }
  return has_archive_magic (path);
}

SfFirmware *
sf_cli_open_firmware (const char  *path,
                      GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);

  return sf_firmware_open (file, NULL, error);
}

/* "a, b,,c" → { "a", "b", "c" } */
GStrv
sf_cli_split_list (const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; parts[i] != NULL; i++) {
    char *name = g_strstrip (parts[i]);

    if (*name != '\0')
      g_strv_builder_add (builder, name);
  }
  return g_strv_builder_end (builder);
}

void
sf_cli_print_json (JsonNode *root)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  fputs (text, stdout);
  fputc ('\n', stdout);
}

/* json-glib writes strings as they are, and a scatter file from Windows
 * may hold a Latin-1 or GBK byte: JSON must be UTF-8, so invalid
 * sequences become U+FFFD. */
static void
add_utf8_string (JsonBuilder *builder,
                 const char  *value)
{
  if (g_utf8_validate (value, -1, NULL)) {
    json_builder_add_string_value (builder, value);
  } else {
    g_autofree char *valid = g_utf8_make_valid (value, -1);

    json_builder_add_string_value (builder, valid);
  }
}

void
sf_cli_json_string (JsonBuilder *builder,
                    const char  *key,
                    const char  *value)
{
  json_builder_set_member_name (builder, key);
  if (value != NULL)
    add_utf8_string (builder, value);
  else
    json_builder_add_null_value (builder);
}

void
sf_cli_json_uint (JsonBuilder *builder,
                  const char  *key,
                  guint64      value)
{
  json_builder_set_member_name (builder, key);
  /* json-glib holds gint64; addresses and sizes stay far below 2^63. */
  json_builder_add_int_value (builder, (gint64) value);
}

void
sf_cli_json_issues (JsonBuilder *builder,
                    const char  *key,
                    GPtrArray   *issues)
{
  json_builder_set_member_name (builder, key);
  json_builder_begin_array (builder);
  for (guint i = 0; issues != NULL && i < issues->len; i++) {
    g_autofree char *text = sf_issue_to_string (g_ptr_array_index (issues, i));

    add_utf8_string (builder, text);
  }
  json_builder_end_array (builder);
}

gboolean
sf_cli_parse_number (const char  *option,
                     const char  *text,
                     gboolean     size,
                     guint64     *out,
                     GError     **error)
{
  const char *problem = NULL;

  if (text == NULL || *text == '\0') {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("%s needs a value"), option);
    return FALSE;
  }
  if (sf_parse_number (text, size ? SF_NUMBER_BYTES : SF_NUMBER_DECIMAL, out, &problem))
    return TRUE;
  /* Translators: an option and what is wrong with its value, e.g.
   * "--start must not be negative" or "--length takes a byte count: …" */
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("%s %s (not “%s”)"), option, problem, text);
  return FALSE;
}

/* Opens the firmware once: for the plan, and for the DA it may ship. */
int
sf_cli_open_plan (const char          *command,
                  const char          *firmware_path,
                  SfScene              scene,
                  const char * const  *partitions,
                  SfPlan             **out_plan,
                  SfFirmware         **out_firmware)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SfFirmware) firmware = NULL;

  firmware = sf_cli_open_firmware (firmware_path, &error);
  if (firmware == NULL)
    return sf_cli_report_error (error);
  if (!sf_scatter_check (sf_firmware_get_scatter (firmware), &error))
    return sf_cli_report_error (error);
  *out_plan = sf_plan_new (firmware, NULL, scene, partitions, &error);
  if (*out_plan == NULL)
    return sf_cli_report_error (error);
  sf_cli_print_issues (sf_plan_get_warnings (*out_plan));
  *out_firmware = g_steal_pointer (&firmware);
  return SF_EXIT_OK;
}

/* --region/--start/--length of format and readback; 0 when fine, else the
 * usage error's exit status. */
int
sf_cli_parse_range (const char *command,
                    const char *region,
                    const char *start_text,
                    const char *length_text,
                    guint      *part,
                    guint64    *start,
                    guint64    *length)
{
  g_autoptr(GError) error = NULL;

  if (region == NULL || (*part = sf_emmc_part_from_region (region)) == 0)
    return sf_cli_usage_error (command, _("--region must be EMMC_USER, EMMC_BOOT_1 or EMMC_BOOT_2"));
  if (length_text == NULL)
    return sf_cli_usage_error (command, _("--length is required with --region: how many bytes"));
  if (!sf_cli_parse_number ("--start", start_text ? start_text : "0", TRUE, start, &error) ||
      !sf_cli_parse_number ("--length", length_text, TRUE, length, &error))
    return sf_cli_usage_error (command, "%s", error->message);
  if (*length == 0)
    return sf_cli_usage_error (command, _("--length must not be 0"));
  if (*start > G_MAXINT64 - *length)
    return sf_cli_usage_error (command, _("--start plus --length is too large"));
  if (*start % SF_EMMC_SECTOR != 0 || *length % SF_EMMC_SECTOR != 0)
    return sf_cli_usage_error (command, _("eMMC works in whole 512-byte sectors: --start and --length "
                                          "must be multiples of 512"));
  return SF_EXIT_OK;
}

void
sf_cli_print_row (const int          *widths,
                  const char * const *cells,
                  guint               n_cells)
{
  g_autoptr(GString) line = g_string_new ("  ");

  for (guint i = 0; i < n_cells; i++) {
    const char *cell = cells[i] != NULL ? cells[i] : "";
    /* Characters, not bytes: "Раздел" is 6 wide and 12 bytes long. */
    glong len = g_utf8_strlen (cell, -1);
    glong pad = i + 1 < n_cells ? MAX (0, ABS (widths[i]) - len) : 0;

    if (i > 0)
      g_string_append_c (line, ' ');
    if (widths[i] > 0)
      g_string_append_printf (line, "%*s", (int) pad, "");
    g_string_append (line, cell);
    if (widths[i] < 0)
      g_string_append_printf (line, "%*s", (int) pad, "");
  }
  g_string_append_c (line, '\n');
  g_print ("%s", line->str);
}

