/* sf-issue.h
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "sf-error.h"

G_BEGIN_DECLS

typedef enum {
  SF_SEVERITY_WARNING,
  SF_SEVERITY_ERROR,
} SfSeverity;

/**
 * SfIssue:
 *
 * One validation result: where (file, line, field), what is wrong, and what
 * the user can do about it.
 */
typedef struct {
  /*< private >*/
  gatomicrefcount  ref_count;

  /*< public >*/
  SfSeverity       severity;
  SfError          code;
  char            *file;      /* display name of the file */
  guint            line;      /* 1-based; 0 when the whole file is meant */
  char            *field;     /* the key concerned, or NULL */
  char            *message;   /* what is wrong */
  char            *advice;    /* what to do; may be NULL */
} SfIssue;

#define SF_TYPE_ISSUE (sf_issue_get_type ())

GType      sf_issue_get_type     (void) G_GNUC_CONST;
SfIssue   *sf_issue_new          (SfSeverity     severity,
                                  SfError        code,
                                  const char    *file,
                                  guint          line,
                                  const char    *field,
                                  const char    *advice,
                                  const char    *format,
                                  ...) G_GNUC_PRINTF (7, 8) G_GNUC_WARN_UNUSED_RESULT;
SfIssue   *sf_issue_ref          (SfIssue       *self);
void       sf_issue_unref        (SfIssue       *self);
char      *sf_issue_to_string    (const SfIssue *self) G_GNUC_WARN_UNUSED_RESULT;
void       sf_issue_to_error     (const SfIssue *self,
                                  GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SfIssue, sf_issue_unref)

G_END_DECLS
