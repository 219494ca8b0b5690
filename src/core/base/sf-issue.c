/* sf-issue.c
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "sf-issue.h"

G_DEFINE_BOXED_TYPE (SfIssue, sf_issue, sf_issue_ref, sf_issue_unref)

/**
 * sf_issue_new:
 *
 * Returns: (transfer full): a new validation result.
 */
SfIssue *
sf_issue_new (SfSeverity  severity,
              SfError     code,
              const char *file,
              guint       line,
              const char *field,
              const char *advice,
              const char *format,
              ...)
{
  SfIssue *self = g_new0 (SfIssue, 1);
  va_list ap;

  g_atomic_ref_count_init (&self->ref_count);
  self->severity = severity;
  self->code = code;
  self->file = g_strdup (file);
  self->line = line;
  self->field = g_strdup (field);
  self->advice = g_strdup (advice);
  va_start (ap, format);
  self->message = g_strdup_vprintf (format, ap);
  va_end (ap);

  return self;
}

SfIssue *
sf_issue_ref (SfIssue *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
sf_issue_unref (SfIssue *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_free (self->file);
  g_free (self->field);
  g_free (self->message);
  g_free (self->advice);
  g_free (self);
}

/**
 * sf_issue_to_string:
 *
 * Returns: (transfer full): `FILE:LINE: what is wrong — what to do`
 */
char *
sf_issue_to_string (const SfIssue *self)
{
  return sf_format_located (self->file, self->line, self->message, self->advice);
}

void
sf_issue_to_error (const SfIssue  *self,
                   GError        **error)
{
  g_autofree char *text = NULL;

  if (error == NULL)
    return;
  text = sf_issue_to_string (self);
  g_set_error_literal (error, SF_ERROR, self->code, text);
}
