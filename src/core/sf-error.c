/* sf-error.c
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "sf-error.h"

G_DEFINE_QUARK (sf-error-quark, sf_error)

/**
 * sf_error_get_name:
 * @code: an #SfError
 *
 * Returns: the name SP Flash Tool gives the same failure where it has one
 *   (so that users can search for it), else a name of our own.
 */
const char *
sf_error_get_name (SfError code)
{
  switch (code) {
  case SF_ERROR_FAILED: return "SF_ERROR_FAILED";
  case SF_ERROR_SCATTER_OPEN: return "S_DL_SCAT_OPEN_FAIL";
  case SF_ERROR_SCATTER_FORMAT: return "S_DL_SCAT_INCORRECT_FORMAT";
  case SF_ERROR_SCATTER_VERSION: return "S_DL_SCAT_VERSION_UNSUPPORTED";
  case SF_ERROR_SCATTER_TOO_LARGE: return "SF_SCATTER_TOO_LARGE";
  case SF_ERROR_SCATTER_BINARY: return "SF_SCATTER_BINARY";
  case SF_ERROR_SCATTER_TRUNCATED: return "SF_SCATTER_TRUNCATED";
  case SF_ERROR_SCATTER_FIELD: return "S_DL_SCAT_INCORRECT_FORMAT";
  case SF_ERROR_SCATTER_ORDER: return "S_DL_SCAT_ADDR_IS_NOT_ASCENDING_ORDER";
  case SF_ERROR_SCATTER_OVERLAP: return "S_DL_LOAD_REGION_IS_OVERLAP";
  case SF_ERROR_SCATTER_DUPLICATE: return "SF_SCATTER_DUPLICATE_PARTITION";
  case SF_ERROR_BL_INCONSISTENT: return "ERROR_BL_INCONSISTENT";
  case SF_ERROR_NO_SCATTER: return "S_DL_SCAT_OPEN_FAIL";
  case SF_ERROR_MANY_SCATTERS: return "SF_MANY_SCATTERS";
  case SF_ERROR_ARCHIVE: return "SF_ARCHIVE";
  case SF_ERROR_IMAGE_MISSING: return "S_FTHND_FILE_IS_NOT_LOADED_YET";
  case SF_ERROR_IMAGE_EMPTY: return "E_APP_BAT_DATA";
  case SF_ERROR_IMAGE_TOO_LARGE: return "S_DL_PMT_ERR_NO_SPACE";
  case SF_ERROR_IMAGE_INVALID: return "SF_IMAGE_INVALID";
  case SF_ERROR_NOTHING_SELECTED: return "SF_NOTHING_SELECTED";
  case SF_ERROR_UNKNOWN_PARTITION: return "SF_UNKNOWN_PARTITION";
  case SF_ERROR_NOT_DOWNLOADABLE: return "SF_NOT_DOWNLOADABLE";
  case SF_ERROR_NO_NVRAM: return "FT_UPGRADE_BACKUP_ROM_NOT_EXIST";
  case SF_ERROR_UNSUPPORTED: return "SF_UNSUPPORTED";
  case SF_ERROR_INVALID_DA_FILE: return "S_INVALID_DA_FILE";
  case SF_ERROR_DA_NO_ENTRY: return "S_DA_FILE_NO_ENTRY_FOR_CHIP";
  default: return "SF_ERROR_UNKNOWN";
  }
}

/**
 * sf_format_located:
 *
 * Returns: (transfer full): `FILE:LINE: what — advice`, leaving out the
 *   parts that are %NULL (or a line of 0).
 */
char *
sf_format_located (const char *file,
                   guint       line,
                   const char *what,
                   const char *advice)
{
  GString *msg = g_string_new (NULL);

  if (file != NULL && line > 0)
    g_string_append_printf (msg, "%s:%u: ", file, line);
  else if (file != NULL)
    g_string_append_printf (msg, "%s: ", file);
  g_string_append (msg, what);
  if (advice != NULL && *advice != '\0')
    g_string_append_printf (msg, " — %s", advice);

  return g_string_free (msg, FALSE);
}

/**
 * sf_set_error_at:
 * @error: return location for a #GError
 * @code: the #SfError code
 * @file: (nullable): the file the problem is in, as the user knows it
 * @line: 1-based line, or 0 when no line applies
 * @advice: (nullable): what the user can do about it
 * @format: printf-style text saying what is wrong
 *
 * Sets @error to one message in the project's shape:
 * `FILE:LINE: what is wrong — what to do`.
 */
void
sf_set_error_at (GError     **error,
                 SfError      code,
                 const char  *file,
                 guint        line,
                 const char  *advice,
                 const char  *format,
                 ...)
{
  g_autofree char *what = NULL;
  g_autofree char *msg = NULL;
  va_list ap;

  if (error == NULL)
    return;

  va_start (ap, format);
  what = g_strdup_vprintf (format, ap);
  va_end (ap);

  msg = sf_format_located (file, line, what, advice);
  g_set_error_literal (error, SF_ERROR, code, msg);
}
