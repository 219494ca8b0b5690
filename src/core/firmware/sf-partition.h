/* sf-partition.h
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * SfOperation:
 *
 * What a partition's `operation_type` means to each download scene
 * (scatter-format.md §7). Values the tool does not know become
 * %SF_OPERATION_UNKNOWN, which the scenes treat like %SF_OPERATION_INVISIBLE:
 * never written by default.
 */
typedef enum {
  SF_OPERATION_NONE,          /* no operation_type (legacy files) */
  SF_OPERATION_BOOTLOADERS,
  SF_OPERATION_UPDATE,
  SF_OPERATION_INVISIBLE,
  SF_OPERATION_PROTECTED,
  SF_OPERATION_BINREGION,
  SF_OPERATION_RESERVED,
  SF_OPERATION_UNKNOWN,
} SfOperation;

/**
 * SfScatterField:
 * @key: the key as written
 * @value: the value as written, trailing blanks removed ("" when empty)
 * @line: 1-based line of the key
 *
 * One `key: value` line, kept in file order, unknown keys included.
 */
typedef struct {
  char  *key;
  char  *value;
  guint  line;
} SfScatterField;

/**
 * SfPartition:
 *
 * One entry of a scatter file. Immutable once its #SfScatter is loaded; read
 * the fields directly. Strings that the file says `NONE` (or leaves out) are
 * %NULL. @start and @size are exactly as written: an end-relative
 * `0xFFFFnnnn` start stays as it is and sets @end_relative.
 */
typedef struct {
  /*< private >*/
  gatomicrefcount  ref_count;

  /*< public >*/
  guint            index;          /* position in its layout, from 0 */
  guint            line;           /* 1-based line where the entry begins */
  char            *name;           /* never NULL; "" for an anonymous entry */
  char            *file_name;      /* NULL for NONE or absent */
  char            *type;           /* NULL for NONE or absent */
  char            *operation_type; /* as written; NULL when absent */
  SfOperation      operation;
  char            *region;         /* NULL for NONE or absent */
  char            *storage;        /* per-partition storage, NULL when absent */
  guint64          start;          /* linear_start_addr (legacy: the address) */
  guint64          physical_start;
  guint64          size;           /* partition_size; 0 also means "to the end" */
  gboolean         is_download;
  gboolean         has_is_download;
  gboolean         is_reserved;
  gboolean         has_is_reserved;
  gboolean         has_size;       /* FALSE for legacy entries */
  gboolean         has_physical_start;
  gboolean         boundary_check; /* TRUE unless the file says false */
  gboolean         end_relative;   /* start is 0xFFFFnnnn, counted from the end */
  GPtrArray       *fields;         /* (element-type SfScatterField): every key line */
} SfPartition;

#define SF_TYPE_PARTITION (sf_partition_get_type ())

GType         sf_partition_get_type        (void) G_GNUC_CONST;
SfPartition  *sf_partition_new             (void) G_GNUC_WARN_UNUSED_RESULT;
SfPartition  *sf_partition_ref             (SfPartition *self);
void          sf_partition_unref           (SfPartition *self);

const char   *sf_partition_get_field       (const SfPartition *self,
                                            const char        *key);
gboolean      sf_partition_is_bootloader   (const SfPartition *self);
gboolean      sf_partition_is_calibration  (const SfPartition *self);

SfOperation   sf_operation_from_string     (const char        *text);
const char   *sf_operation_to_string       (SfOperation        op);
SfOperation   sf_operation_guess           (const char        *name,
                                            gboolean           download);

void          sf_scatter_field_free        (SfScatterField    *field);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SfPartition, sf_partition_unref)

G_END_DECLS
