/* sf-cli-common.h — what the scatterflash-cli subcommands share
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "sf-firmware.h"
#include "sf-plan.h"

G_BEGIN_DECLS

/* Exit codes (style.md §11). Only main() and the subcommand entry points use them. */
enum {
  SF_EXIT_OK = 0,
  SF_EXIT_FAILED = 1,
  SF_EXIT_USAGE = 2,
  SF_EXIT_INTERRUPTED = 130,
};

typedef int (*SfCliCommand) (int argc, char **argv);

int        sf_cli_scatter          (int           argc,
                                    char        **argv);
int        sf_cli_plan             (int           argc,
                                    char        **argv);
int        sf_cli_da               (int           argc,
                                    char        **argv);
int        sf_cli_info             (int           argc,
                                    char        **argv);
int        sf_cli_download         (int           argc,
                                    char        **argv);
int        sf_cli_readback         (int           argc,
                                    char        **argv);
int        sf_cli_format           (int           argc,
                                    char        **argv);
int        sf_cli_backup           (int           argc,
                                    char        **argv);
int        sf_cli_restore          (int           argc,
                                    char        **argv);
int        sf_cli_devices          (int           argc,
                                    char        **argv);

/* Parses a subcommand's options; on a usage error prints it with the
 * "Try … --help" line and returns FALSE. */
gboolean   sf_cli_parse_options    (GOptionContext  *context,
                                    const char      *command,
                                    int             *argc,
                                    char          ***argv);
int        sf_cli_usage_error      (const char      *command,
                                    const char      *format,
                                    ...) G_GNUC_PRINTF (2, 3);
/* Prints "scatterflash-cli: MESSAGE" on stderr and returns the exit code that
 * fits the error: 2 for bad input, 1 for a failed operation. */
int        sf_cli_report_error     (const GError    *error);
void       sf_cli_print_issues     (GPtrArray       *issues);

/* TRUE when @path is a folder or an archive rather than a scatter file. */
gboolean   sf_cli_is_package       (const char      *path);
SfFirmware *sf_cli_open_firmware   (const char      *path,
                                    GError         **error);

void       sf_cli_print_json       (JsonNode        *root);
GStrv      sf_cli_split_list       (const char      *text);
/* The steps of @plan as `plan` prints them (text, or one JSON document). */
void       sf_cli_print_plan       (SfPlan          *plan,
                                    gboolean         json);
/* JSON members: a NULL string becomes null; numbers are JSON integers. */
void       sf_cli_json_string      (JsonBuilder     *builder,
                                    const char      *key,
                                    const char      *value);
void       sf_cli_json_uint        (JsonBuilder     *builder,
                                    const char      *key,
                                    guint64          value);
void       sf_cli_json_issues      (JsonBuilder     *builder,
                                    const char      *key,
                                    GPtrArray       *issues);
/* The one parser of every number option (@option, e.g. "--start", names it
 * in the message). With @size: hex "0x1F600000", decimal "524288", or "512K",
 * "4M", "1G" (binary multiples); without: decimal only. No sign, nothing
 * after it, at most 2^63 - 1; errors are G_OPTION_ERROR_BAD_VALUE. */
gboolean   sf_cli_parse_number     (const char      *option,
                                    const char      *text,
                                    gboolean         size,
                                    guint64         *out,
                                    GError         **error);

/* Opens the firmware at @firmware_path once, for the plan of @scene over
 * @partitions and for the DA it may ship; the exit status (issues and
 * errors printed). */
int        sf_cli_open_plan        (const char          *command,
                                    const char          *firmware_path,
                                    SfScene              scene,
                                    const char * const  *partitions,
                                    SfPlan             **out_plan,
                                    SfFirmware         **out_firmware);
/* --region/--start/--length of format and readback: SF_EXIT_OK when fine,
 * else the usage error's exit status (printed). */
int        sf_cli_parse_range      (const char          *command,
                                    const char          *region,
                                    const char          *start_text,
                                    const char          *length_text,
                                    guint               *part,
                                    guint64             *start,
                                    guint64             *length);

/* One row of a table on stdout, indented by two: cell i padded to
 * |widths[i]| characters (left-aligned when negative, right-aligned when
 * positive), the last cell as it is. Counting characters, not bytes, keeps
 * translated headers and words in their columns. */
void       sf_cli_print_row        (const int           *widths,
                                    const char * const  *cells,
                                    guint                n_cells);

G_END_DECLS
