/* sf-scatter.c
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A MediaTek scatter file is read line by line, never with a YAML library:
 * the V1.x/V2.x files look like YAML but are printed by Perl scripts and
 * edited by hand, and the legacy files are not YAML at all. The reader keys
 * on what each line *is* ("- partition_index:", "- storage_type:", "key:
 * value", "NAME 0xADDR", "{", "}") rather than on indentation, which varies
 * between generators (scatter-format.md §9). */

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "sf-line-reader.h"
#include "sf-scatter.h"

#define MAX_LINE 4096

struct _SfScatter {
  GObject          parent_instance;

  char            *display_name;
  SfScatterFormat  format;
  char            *config_version;
  char            *platform;
  char            *project;
  GPtrArray       *header_fields;   /* (element-type SfScatterField) */
  GPtrArray       *layouts;         /* (element-type SfLayout) */
  GPtrArray       *issues;          /* (element-type SfIssue) */
};

G_DEFINE_FINAL_TYPE (SfScatter, sf_scatter, G_TYPE_OBJECT)

static void
sf_scatter_finalize (GObject *object)
{
  SfScatter *self = (SfScatter *) object;

  g_free (self->display_name);
  g_free (self->config_version);
  g_free (self->platform);
  g_free (self->project);
  g_clear_pointer (&self->header_fields, g_ptr_array_unref);
  g_clear_pointer (&self->layouts, g_ptr_array_unref);
  g_clear_pointer (&self->issues, g_ptr_array_unref);

  G_OBJECT_CLASS (sf_scatter_parent_class)->finalize (object);
}

static void
sf_scatter_class_init (SfScatterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sf_scatter_finalize;
}

static void
sf_scatter_init (SfScatter *self)
{
  self->header_fields = g_ptr_array_new_with_free_func ((GDestroyNotify) sf_scatter_field_free);
  self->layouts = g_ptr_array_new_with_free_func ((GDestroyNotify) sf_layout_unref);
  self->issues = g_ptr_array_new_with_free_func ((GDestroyNotify) sf_issue_unref);
}

/* ------------------------------------------------------------------------ */
/* Parser state                                                             */
/* ------------------------------------------------------------------------ */

typedef enum {
  MODE_DETECT,
  MODE_LEGACY,
  MODE_YAML,
} Mode;

typedef enum {
  CTX_NONE,              /* before any header */
  CTX_PLATFORM_HEADER,   /* - general: MTK_PLATFORM_CFG */
  CTX_STORAGE_SECTION,   /* - storage_type: X, before its header */
  CTX_STORAGE_HEADER,    /* - general: MTK_STORAGE_CFG */
  CTX_OTHER_HEADER,      /* - general: something we do not know */
  CTX_PARTITION,         /* - partition_index: SYSn */
} Context;

typedef struct {
  SfScatter    *scatter;
  const char   *file;         /* display name, for messages */
  char         *basename;
  Mode          mode;
  Context       ctx;
  guint         line;

  gboolean      seen_platform_header;
  gboolean      seen_storage_type;
  char         *header_storage;
  char         *header_boot_channel;
  guint64       header_block_size;

  SfLayout     *layout;       /* (unowned) the layout being filled */
  SfPartition  *part;         /* (unowned) the entry being filled */

  /* legacy: */
  gboolean      brace_open;
  guint         brace_line;
  gboolean      part_braced;  /* the current entry has had its "{" */
  gboolean      any_braced;   /* some entry has */

  /* partition_index of the layout's first entry: hand-made files count
   * from SYS1, which is said once rather than on every entry */
  guint64       first_index;

  /* which keys the current partition has, to spot repeats and gaps */
  GHashTable   *seen_keys;
} Parser;

static void
add_issue (Parser     *p,
           SfSeverity  severity,
           SfError     code,
           guint       line,
           const char *field,
           const char *advice,
           const char *message)
{
  g_ptr_array_add (p->scatter->issues,
                   sf_issue_new (severity, code, p->file, line, field, advice, "%s", message));
}

static void
warn (Parser     *p,
      guint       line,
      const char *field,
      const char *advice,
      const char *message)
{
  add_issue (p, SF_SEVERITY_WARNING, SF_ERROR_FAILED, line, field, advice, message);
}

static char *
strip (char *s)
{
  return g_strstrip (s);
}

/* NONE (any case) and "" both mean "nothing". */
static char *
dup_value (const char *value)
{
  if (value == NULL || *value == '\0' || g_ascii_strcasecmp (value, "NONE") == 0)
    return NULL;
  return g_strdup (value);
}

/* "0x…" hexadecimal (any case, up to 64 bits) or plain decimal. */
static gboolean
parse_number (const char *text,
              guint64    *out)
{
  guint64 value = 0;
  const char *s = text;
  guint base = 10;
  guint digits = 0;

  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s += 2;
  }
  for (; *s != '\0'; s++) {
    int d = g_ascii_xdigit_value (*s);

    if (d < 0 || (guint) d >= base)
      return FALSE;
    if (value > (G_MAXUINT64 - (guint64) d) / base)
      return FALSE;  /* more than 64 bits */
    value = value * base + (guint64) d;
    digits++;
  }
  if (digits == 0)
    return FALSE;
  *out = value;
  return TRUE;
}

static gboolean
parse_bool (const char *text,
            gboolean   *out)
{
  if (g_ascii_strcasecmp (text, "true") == 0) {
    *out = TRUE;
    return TRUE;
  }
  if (g_ascii_strcasecmp (text, "false") == 0) {
    *out = FALSE;
    return TRUE;
  }
  return FALSE;
}

static gboolean
is_end_relative (guint64 start)
{
  return start <= G_MAXUINT32 && (start >> 16) == 0xFFFF;
}

static void
add_field (GPtrArray  *fields,
           const char *key,
           const char *value,
           guint       line)
{
  SfScatterField *field = g_new0 (SfScatterField, 1);

  field->key = g_strdup (key);
  field->value = g_strdup (value);
  field->line = line;
  g_ptr_array_add (fields, field);
}

/* Splits "key: value" (value may be empty). The key is a plain identifier. */
static gboolean
split_key_value (char   *text,
                 char  **key,
                 char  **value)
{
  char *colon = strchr (text, ':');

  /* "key:value" without the blank is not YAML, but hand edits do it. */
  if (colon == NULL || colon == text)
    return FALSE;

  *colon = '\0';
  *key = strip (text);
  *value = strip (colon + 1);

  if (**key == '\0')
    return FALSE;
  for (const char *c = *key; *c != '\0'; c++) {
    if (!g_ascii_isalnum (*c) && *c != '_' && *c != '-' && *c != '.')
      return FALSE;
  }
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Partitions                                                               */
/* ------------------------------------------------------------------------ */

static gboolean
finish_partition (Parser   *p,
                  gboolean  at_eof,
                  GError  **error)
{
  SfPartition *part = p->part;
  static const char * const required[] = { "partition_name", "linear_start_addr", "partition_size" };

  if (part == NULL)
    return TRUE;
  p->part = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (required); i++) {
    if (g_hash_table_contains (p->seen_keys, required[i]))
      continue;
    if (at_eof) {
      sf_set_error_at (error, SF_ERROR_SCATTER_TRUNCATED, p->file, part->line,
                       _("the file looks cut short: download the firmware again"),
                       _("partition %s has no %s"),
                       *part->name ? part->name : _("(unnamed)"), required[i]);
    } else {
      sf_set_error_at (error, SF_ERROR_SCATTER_FIELD, p->file, part->line,
                       _("every partition needs partition_name, linear_start_addr and partition_size; "
                         "use the scatter file that came with the firmware"),
                       _("partition %s has no %s"),
                       *part->name ? part->name : _("(unnamed)"), required[i]);
    }
    return FALSE;
  }

  if (!g_hash_table_contains (p->seen_keys, "is_download"))
    warn (p, part->line, "is_download",
          _("add is_download: true or false"),
          _("no is_download: the partition is not written by default"));

  part->end_relative = is_end_relative (part->start);
  g_hash_table_remove_all (p->seen_keys);
  return TRUE;
}

static gboolean
partition_field (Parser      *p,
                 const char  *key,
                 const char  *value,
                 GError     **error)
{
  SfPartition *part = p->part;
  gboolean *flag = NULL;
  gboolean *has_flag = NULL;
  guint64 *number = NULL;
  gboolean *has_number = NULL;

  if (g_hash_table_contains (p->seen_keys, key)) {
    g_autofree char *msg = g_strdup_printf (_("%s is given twice for partition %s; the last one counts"),
                                            key, part->name);
    warn (p, p->line, key, NULL, msg);
  } else {
    g_hash_table_add (p->seen_keys, g_strdup (key));
  }
  add_field (part->fields, key, value, p->line);

  if (strcmp (key, "partition_name") == 0) {
    g_free (part->name);
    part->name = g_strdup (value);
  } else if (strcmp (key, "file_name") == 0) {
    g_free (part->file_name);
    part->file_name = dup_value (value);
  } else if (strcmp (key, "type") == 0) {
    g_free (part->type);
    part->type = dup_value (value);
  } else if (strcmp (key, "region") == 0) {
    g_free (part->region);
    part->region = dup_value (value);
  } else if (strcmp (key, "storage") == 0) {
    g_free (part->storage);
    part->storage = dup_value (value);
  } else if (strcmp (key, "operation_type") == 0) {
    g_free (part->operation_type);
    part->operation_type = dup_value (value);
    part->operation = sf_operation_from_string (part->operation_type);
  } else if (strcmp (key, "is_download") == 0) {
    flag = &part->is_download;
    has_flag = &part->has_is_download;
  } else if (strcmp (key, "is_reserved") == 0) {
    flag = &part->is_reserved;
    has_flag = &part->has_is_reserved;
  } else if (strcmp (key, "boundary_check") == 0) {
    flag = &part->boundary_check;
  } else if (strcmp (key, "linear_start_addr") == 0) {
    number = &part->start;
  } else if (strcmp (key, "physical_start_addr") == 0) {
    number = &part->physical_start;
    has_number = &part->has_physical_start;
  } else if (strcmp (key, "partition_size") == 0) {
    number = &part->size;
    has_number = &part->has_size;
  }

  if (flag != NULL) {
    if (!parse_bool (value, flag)) {
      sf_set_error_at (error, SF_ERROR_SCATTER_FIELD, p->file, p->line,
                       _("write true or false"),
                       _("%s: “%s” is not true or false"), key, value);
      return FALSE;
    }
    if (has_flag != NULL)
      *has_flag = TRUE;
  }

  if (number != NULL) {
    if (!parse_number (value, number)) {
      sf_set_error_at (error, SF_ERROR_SCATTER_FIELD, p->file, p->line,
                       _("write a hexadecimal number such as 0x1c00000 (at most 64 bits)"),
                       _("%s: “%s” is not a number"), key, value);
      return FALSE;
    }
    if (has_number != NULL)
      *has_number = TRUE;
  }

  return TRUE;
}

static SfLayout *
ensure_layout (Parser *p)
{
  if (p->layout == NULL) {
    SfLayout *layout = sf_layout_new ();

    layout->storage = g_strdup (p->header_storage);
    layout->boot_channel = g_strdup (p->header_boot_channel);
    layout->block_size = p->header_block_size;
    layout->line = p->line;
    g_ptr_array_add (p->scatter->layouts, layout);
    p->layout = layout;
  }
  return p->layout;
}

static gboolean
begin_partition (Parser      *p,
                 const char  *value,
                 GError     **error)
{
  SfLayout *layout;
  SfPartition *part;
  guint64 index;

  if (!finish_partition (p, FALSE, error))
    return FALSE;

  if (!p->seen_platform_header) {
    sf_set_error_at (error, SF_ERROR_SCATTER_FORMAT, p->file, p->line,
                     _("a scatter file begins with “- general: MTK_PLATFORM_CFG”; use the file that came with the firmware"),
                     _("partition before the general header"));
    return FALSE;
  }

  layout = ensure_layout (p);
  part = sf_partition_new ();
  part->index = layout->partitions->len;
  part->line = p->line;
  g_ptr_array_add (layout->partitions, part);
  p->part = part;
  p->ctx = CTX_PARTITION;

  if (g_ascii_strncasecmp (value, "SYS", 3) != 0 || !g_ascii_isdigit (value[3]) ||
      !parse_number (value + 3, &index) || strchr (value + 3, 'x') != NULL) {
    g_autofree char *msg = g_strdup_printf (_("partition_index “%s” is not SYSn"), value);
    if (part->index == 0)
      p->first_index = 0;
    warn (p, p->line, "partition_index", NULL, msg);
  } else if (part->index == 0 && index != 0) {
    g_autofree char *msg = g_strdup_printf (_("partition_index starts at %s, not SYS0; the entries are taken in file order"),
                                            value);
    p->first_index = index;
    warn (p, p->line, "partition_index", NULL, msg);
  } else if (part->index == 0) {
    p->first_index = 0;
  } else if (index != part->index + p->first_index) {
    g_autofree char *msg = g_strdup_printf (_("partition_index is %s but this is entry %u"),
                                            value, part->index);
    warn (p, p->line, "partition_index", NULL, msg);
  }

  return partition_field (p, "partition_index", value, error);
}

/* ------------------------------------------------------------------------ */
/* Headers                                                                  */
/* ------------------------------------------------------------------------ */

static gboolean
header_field (Parser      *p,
              const char  *key,
              const char  *value,
              GError     **error)
{
  guint64 number = 0;
  gboolean storage_level = (p->ctx == CTX_STORAGE_HEADER || p->ctx == CTX_STORAGE_SECTION);

  if (p->ctx == CTX_OTHER_HEADER)
    return TRUE;

  if (strcmp (key, "block_size") == 0 && *value != '\0' && !parse_number (value, &number)) {
    sf_set_error_at (error, SF_ERROR_SCATTER_FIELD, p->file, p->line,
                     _("write a hexadecimal number such as 0x20000"),
                     _("block_size: “%s” is not a number"), value);
    return FALSE;
  }

  if (storage_level) {
    SfLayout *layout = ensure_layout (p);

    add_field (layout->fields, key, value, p->line);
    if (strcmp (key, "storage") == 0 && layout->storage == NULL) {
      layout->storage = dup_value (value);
    } else if (strcmp (key, "boot_channel") == 0) {
      g_free (layout->boot_channel);
      layout->boot_channel = dup_value (value);
    } else if (strcmp (key, "block_size") == 0) {
      layout->block_size = number;
    }
    return TRUE;
  }

  add_field (p->scatter->header_fields, key, value, p->line);
  if (strcmp (key, "config_version") == 0) {
    g_free (p->scatter->config_version);
    p->scatter->config_version = dup_value (value);
  } else if (strcmp (key, "platform") == 0) {
    g_free (p->scatter->platform);
    p->scatter->platform = dup_value (value);
  } else if (strcmp (key, "project") == 0) {
    g_free (p->scatter->project);
    p->scatter->project = dup_value (value);
  } else if (strcmp (key, "storage") == 0) {
    g_free (p->header_storage);
    p->header_storage = dup_value (value);
  } else if (strcmp (key, "boot_channel") == 0) {
    g_free (p->header_boot_channel);
    p->header_boot_channel = dup_value (value);
  } else if (strcmp (key, "block_size") == 0) {
    p->header_block_size = number;
  }
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* V1.x / V2.x lines                                                        */
/* ------------------------------------------------------------------------ */

static gboolean
yaml_line (Parser      *p,
           char        *content,
           GError     **error)
{
  gboolean item = FALSE;
  char *key = NULL;
  char *value = NULL;

  if (content[0] == '-' && (content[1] == ' ' || content[1] == '\t')) {
    item = TRUE;
    content = strip (content + 1);
  }

  if (!split_key_value (content, &key, &value)) {
    sf_set_error_at (error, SF_ERROR_SCATTER_FORMAT, p->file, p->line,
                     _("each line is “key: value”; the file may be damaged or cut short — download the firmware again"),
                     _("cannot read “%s”"), content);
    return FALSE;
  }

  if (item && strcmp (key, "general") == 0) {
    if (!finish_partition (p, FALSE, error))
      return FALSE;
    if (g_ascii_strcasecmp (value, "MTK_PLATFORM_CFG") == 0) {
      if (p->seen_platform_header) {
        sf_set_error_at (error, SF_ERROR_SCATTER_FORMAT, p->file, p->line,
                         _("two scatter files may have been pasted together; use the original file"),
                         _("a second MTK_PLATFORM_CFG header"));
        return FALSE;
      }
      p->seen_platform_header = TRUE;
      p->ctx = CTX_PLATFORM_HEADER;
    } else if (g_ascii_strcasecmp (value, "MTK_STORAGE_CFG") == 0) {
      p->ctx = CTX_STORAGE_HEADER;
    } else {
      g_autofree char *msg = g_strdup_printf (_("unknown section “%s” ignored"), value);
      warn (p, p->line, "general", NULL, msg);
      p->ctx = CTX_OTHER_HEADER;
    }
    return TRUE;
  }

  if (item && strcmp (key, "storage_type") == 0) {
    SfLayout *layout;

    if (!finish_partition (p, FALSE, error))
      return FALSE;
    if (!p->seen_platform_header) {
      sf_set_error_at (error, SF_ERROR_SCATTER_FORMAT, p->file, p->line,
                       _("a scatter file begins with “- general: MTK_PLATFORM_CFG”; use the file that came with the firmware"),
                       _("storage_type section before the general header"));
      return FALSE;
    }
    layout = sf_layout_new ();
    layout->storage = dup_value (value);
    layout->line = p->line;
    g_ptr_array_add (p->scatter->layouts, layout);
    p->layout = layout;
    p->seen_storage_type = TRUE;
    p->ctx = CTX_STORAGE_SECTION;
    return TRUE;
  }

  /* An entry begins at partition_index, with or without its "- ". */
  if (strcmp (key, "partition_index") == 0)
    return begin_partition (p, value, error);

  switch (p->ctx) {
  case CTX_PARTITION:
    return partition_field (p, key, value, error);

  case CTX_PLATFORM_HEADER:
  case CTX_STORAGE_HEADER:
  case CTX_STORAGE_SECTION:
  case CTX_OTHER_HEADER:
    /* "info:" and "description:" only open nested lists. */
    if (*value == '\0' && (strcmp (key, "info") == 0 || strcmp (key, "description") == 0))
      return TRUE;
    return header_field (p, key, value, error);

  case CTX_NONE:
  default:
    sf_set_error_at (error, SF_ERROR_SCATTER_FORMAT, p->file, p->line,
                     _("a scatter file begins with “- general: MTK_PLATFORM_CFG”; use the file that came with the firmware"),
                     _("“%s” before the general header"), key);
    return FALSE;
  }
}

/* ------------------------------------------------------------------------ */
/* Legacy lines: NAME 0xADDR, {, }                                          */
/* ------------------------------------------------------------------------ */

static gboolean
parse_legacy_entry (const char  *content,
                    char       **name,
                    guint64     *address)
{
  const char *space = content;
  g_autofree char *ident = NULL;

  while (*space != '\0' && (g_ascii_isalnum (*space) || *space == '_'))
    space++;
  if (space == content || (*space != ' ' && *space != '\t'))
    return FALSE;

  ident = g_strndup (content, (gsize) (space - content));
  while (*space == ' ' || *space == '\t')
    space++;
  if (!(space[0] == '0' && (space[1] == 'x' || space[1] == 'X')))
    return FALSE;
  if (!parse_number (space, address))
    return FALSE;

  *name = g_steal_pointer (&ident);
  return TRUE;
}

/* Every legacy entry is followed by "{" and "}" (ptgen prints them even when
 * empty). A list of "name 0xADDR" lines without them is something else: the
 * partition list an OTA package carries (ota_scatter.txt, update_scatter.txt,
 * a dump's scatter.txt), which SP Flash Tool refuses as "The scatter file is
 * invalid" and which would otherwise read as a layout in which everything is
 * written (scatter-format.md §12). Called when the next entry begins, and at
 * the end of the file. */
static gboolean
legacy_check_braced (Parser   *p,
                     gboolean  at_eof,
                     GError  **error)
{
  if (p->part == NULL || p->part_braced)
    return TRUE;

  if (!p->any_braced) {
    sf_set_error_at (error, SF_ERROR_SCATTER_FORMAT, p->file, p->part->line,
                     _("open the *_Android_scatter.txt file of the firmware; this list only tells an OTA update where its partitions are"),
                     _("a list of partition names and addresses without “{” and “}”: "
                       "the partition list of an OTA update, not an SP Flash Tool scatter file"));
  } else {
    sf_set_error_at (error, at_eof ? SF_ERROR_SCATTER_TRUNCATED : SF_ERROR_SCATTER_FORMAT,
                     p->file, p->part->line,
                     at_eof ? _("the file looks cut short: download the firmware again")
                            : _("each entry is “NAME 0xADDRESS” followed by “{” and “}”; the file may be damaged"),
                     _("entry %s has no “{” and “}”"), p->part->name);
  }
  return FALSE;
}

static gboolean
legacy_line (Parser      *p,
             const char  *content,
             GError     **error)
{
  g_autofree char *name = NULL;
  guint64 address = 0;
  SfLayout *layout;
  SfPartition *part;
  gboolean download = TRUE;
  const char *plain;

  if (strcmp (content, "{") == 0) {
    if (p->part == NULL || p->brace_open) {
      sf_set_error_at (error, SF_ERROR_SCATTER_FORMAT, p->file, p->line,
                       _("each entry is “NAME 0xADDRESS” followed by “{” and “}”"),
                       _("“{” without an entry"));
      return FALSE;
    }
    p->brace_open = TRUE;
    p->brace_line = p->line;
    p->part_braced = TRUE;
    p->any_braced = TRUE;
    return TRUE;
  }
  if (strcmp (content, "}") == 0) {
    if (!p->brace_open) {
      sf_set_error_at (error, SF_ERROR_SCATTER_FORMAT, p->file, p->line,
                       _("each entry is “NAME 0xADDRESS” followed by “{” and “}”"),
                       _("“}” without “{”"));
      return FALSE;
    }
    p->brace_open = FALSE;
    return TRUE;
  }
  if (p->brace_open) {
    /* Some old generators put settings between the braces; keep them. */
    add_field (p->part->fields, "", content, p->line);
    return TRUE;
  }

  if (!parse_legacy_entry (content, &name, &address)) {
    sf_set_error_at (error, SF_ERROR_SCATTER_FORMAT, p->file, p->line,
                     _("each entry is “NAME 0xADDRESS” followed by “{” and “}”; the file may be damaged"),
                     _("cannot read “%s”"), content);
    return FALSE;
  }

  if (!legacy_check_braced (p, FALSE, error))
    return FALSE;

  plain = name;
  if (g_str_has_prefix (plain, "__NODL_")) {
    plain += strlen ("__NODL_");
    download = FALSE;
  }

  layout = ensure_layout (p);
  part = sf_partition_new ();
  part->index = layout->partitions->len;
  part->line = p->line;
  g_free (part->name);
  part->name = g_strdup (plain);
  part->start = address;
  part->is_download = download;
  part->has_is_download = TRUE;
  part->operation = sf_operation_guess (plain, download);
  part->end_relative = is_end_relative (address);
  part->is_reserved = part->operation == SF_OPERATION_RESERVED;
  add_field (part->fields, name, content + strlen (name), p->line);
  g_ptr_array_add (layout->partitions, part);
  p->part = part;
  p->part_braced = FALSE;
  return TRUE;
}

/* Legacy files carry no sizes: each runs to the next entry. The last normal
 * one runs to the reserved tail (unknown here), so it keeps size 0, as a
 * size-0 partition in the newer formats. has_size stays FALSE: the file does
 * not say it. */
static void
legacy_derive_sizes (SfLayout *layout)
{
  for (guint i = 0; i + 1 < layout->partitions->len; i++) {
    SfPartition *part = g_ptr_array_index (layout->partitions, i);
    SfPartition *next = g_ptr_array_index (layout->partitions, i + 1);

    if (!part->end_relative && !next->end_relative && next->start > part->start)
      part->size = next->start - part->start;
  }
}

static void
legacy_from_file_name (Parser *p)
{
  g_autofree char *lower = g_ascii_strdown (p->basename, -1);
  const char *s;

  for (s = lower; (s = strstr (s, "mt")) != NULL; s++) {
    guint n = 0;

    while (n < 4 && g_ascii_isdigit (s[2 + n]))
      n++;
    if (n == 4) {
      gsize len = 6;

      if (g_ascii_isalpha (s[6]) && !g_ascii_isalpha (s[7]))
        len = 7;
      p->scatter->platform = g_ascii_strup (s, (gssize) len);
      break;
    }
  }

  g_free (p->header_storage);
  p->header_storage = g_strdup (strstr (lower, "_emmc") != NULL ? "EMMC" : "NAND");
}

/* ------------------------------------------------------------------------ */
/* Driving the parse                                                        */
/* ------------------------------------------------------------------------ */

static gboolean
detect (Parser      *p,
        const char  *content,
        GError     **error)
{
  g_autofree char *name = NULL;
  guint64 address;

  if (content[0] == '<') {
    sf_set_error_at (error, SF_ERROR_SCATTER_VERSION, p->file, p->line,
                     _("use the .txt scatter file of the same firmware"),
                     _("XML scatter files are not supported yet"));
    return FALSE;
  }
  if (content[0] == '-') {
    p->mode = MODE_YAML;
    return TRUE;
  }
  if (parse_legacy_entry (content, &name, &address)) {
    p->mode = MODE_LEGACY;
    p->scatter->format = SF_SCATTER_FORMAT_LEGACY;
    legacy_from_file_name (p);
    return TRUE;
  }
  sf_set_error_at (error, SF_ERROR_SCATTER_FORMAT, p->file, p->line,
                   _("open the *_Android_scatter.txt file that came with the firmware"),
                   _("not a MediaTek scatter file: expected “- general: MTK_PLATFORM_CFG” or “NAME 0xADDRESS”"));
  return FALSE;
}

/* "BIRDTOOLMINVER[3.0]": a line some vendors' own flashing tools put before
 * the header (the oldest tool version that may use the file). It says
 * nothing about the layout. SP Flash Tool refuses the file ("The scatter
 * file is invalid") and forum guides tell people to delete the line; we
 * drop it with a warning instead (scatter-format.md §12). */
static gboolean
is_tool_marker (const char *content)
{
  const char *s = content;

  if (!g_ascii_isalpha (*s))
    return FALSE;
  while (g_ascii_isalnum (*s) || *s == '_')
    s++;
  if (*s != '[')
    return FALSE;
  s = strchr (s, ']');
  return s != NULL && s[1] == '\0' && strchr (content, ':') == NULL &&
         strchr (strchr (content, '[') + 1, '[') == NULL;
}

/* Version numbers after the "V": V1.1.2 → 1, 1, 2. */
static void
parse_version (const char *version,
               guint      *major,
               guint      *minor,
               guint      *micro)
{
  g_auto(GStrv) parts = NULL;
  guint *out[] = { major, minor, micro };

  *major = *minor = *micro = 0;
  if (version == NULL || (version[0] != 'V' && version[0] != 'v'))
    return;
  parts = g_strsplit (version + 1, ".", 3);
  for (guint i = 0; parts[i] != NULL && i < 3; i++)
    *out[i] = (guint) g_ascii_strtoull (parts[i], NULL, 10);
}

static gboolean
finish_yaml (Parser   *p,
             GError  **error)
{
  SfScatter *self = p->scatter;
  guint major, minor, micro;

  if (!finish_partition (p, TRUE, error))
    return FALSE;

  if (!p->seen_platform_header) {
    sf_set_error_at (error, SF_ERROR_SCATTER_FORMAT, p->file, 0,
                     _("a scatter file begins with “- general: MTK_PLATFORM_CFG”; use the file that came with the firmware"),
                     _("no MTK_PLATFORM_CFG header"));
    return FALSE;
  }
  if (self->config_version == NULL) {
    sf_set_error_at (error, SF_ERROR_SCATTER_VERSION, p->file, 0,
                     _("the general header needs a line such as “config_version: V1.1.2”"),
                     _("no config_version in the general header"));
    return FALSE;
  }

  parse_version (self->config_version, &major, &minor, &micro);
  if (major == 1) {
    self->format = SF_SCATTER_FORMAT_V1;
  } else if (major == 2) {
    self->format = SF_SCATTER_FORMAT_V2;
  } else {
    sf_set_error_at (error, SF_ERROR_SCATTER_VERSION, p->file, 0,
                     _("Scatterflash reads versions V1.x and V2.x; check for a newer Scatterflash"),
                     _("config_version %s is not a known scatter version"), self->config_version);
    return FALSE;
  }
  return TRUE;
}

static gboolean
parse_lines (Parser        *p,
             SfLineReader  *reader,
             GCancellable  *cancellable,
             GError       **error)
{
  const char *raw;
  gsize len;

  while (sf_line_reader_next (reader, &raw, &len, cancellable, error)) {
    g_autofree char *copy = NULL;
    char *content;

    p->line = sf_line_reader_get_line (reader);

    /* A byte-order mark from a Windows editor. */
    if (p->line == 1 && len >= 3 && memcmp (raw, "\xEF\xBB\xBF", 3) == 0)
      raw += 3;

    copy = g_strdup (raw);
    content = strip (copy);
    if (*content == '\0' || *content == '#')
      continue;

    if (p->mode == MODE_DETECT && is_tool_marker (content)) {
      g_autofree char *msg = g_strdup_printf (_("“%s” before the scatter header is another flashing tool's mark, not part of the layout; ignored"),
                                              content);
      warn (p, p->line, NULL, NULL, msg);
      continue;
    }
    if (p->mode == MODE_DETECT && !detect (p, content, error))
      return FALSE;

    if (p->mode == MODE_LEGACY) {
      if (!legacy_line (p, content, error))
        return FALSE;
    } else if (!yaml_line (p, content, error)) {
      return FALSE;
    }
  }

  if (error != NULL && *error != NULL)
    return FALSE;

  if (p->mode == MODE_DETECT) {
    sf_set_error_at (error, SF_ERROR_SCATTER_FORMAT, p->file, 0,
                     _("open the *_Android_scatter.txt file that came with the firmware"),
                     _("the file is empty"));
    return FALSE;
  }

  if (p->mode == MODE_LEGACY) {
    if (p->brace_open) {
      sf_set_error_at (error, SF_ERROR_SCATTER_TRUNCATED, p->file, p->brace_line,
                       _("the file looks cut short: download the firmware again"),
                       _("“{” is never closed"));
      return FALSE;
    }
    if (!legacy_check_braced (p, TRUE, error))
      return FALSE;
    legacy_derive_sizes (p->layout);
  } else if (!finish_yaml (p, error)) {
    return FALSE;
  }

  if (p->scatter->layouts->len == 0 ||
      sf_layout_get_n_partitions (g_ptr_array_index (p->scatter->layouts, 0)) == 0) {
    sf_set_error_at (error, SF_ERROR_SCATTER_TRUNCATED, p->file, 0,
                     _("the file looks cut short: download the firmware again"),
                     _("no partitions"));
    return FALSE;
  }
  for (guint i = 0; i < p->scatter->layouts->len; i++) {
    SfLayout *layout = g_ptr_array_index (p->scatter->layouts, i);

    if (layout->partitions->len == 0) {
      sf_set_error_at (error, SF_ERROR_SCATTER_TRUNCATED, p->file, layout->line,
                       _("the file looks cut short: download the firmware again"),
                       _("storage section %s has no partitions"),
                       layout->storage ? layout->storage : "?");
      return FALSE;
    }
  }
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Validation: results kept as SfIssues with file, line and field           */
/* ------------------------------------------------------------------------ */

/* An entry that asks for nothing: not downloaded, and with no name or
 * reserved. */
static gboolean
is_filler (const SfPartition *part)
{
  return !part->is_download && (part->name[0] == '\0' || part->is_reserved) &&
         part->operation != SF_OPERATION_BOOTLOADERS;
}

static void
validate_layout (Parser   *p,
                 SfLayout *layout)
{
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) last_in_region = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) bootloaders = g_ptr_array_new ();
  g_autoptr(GPtrArray) fillers = g_ptr_array_new ();
  gboolean legacy = p->scatter->format == SF_SCATTER_FORMAT_LEGACY;
  gboolean seen_tail = FALSE;

  for (guint i = 0; i < layout->partitions->len; i++) {
    SfPartition *part = g_ptr_array_index (layout->partitions, i);
    const char *region = part->region ? part->region : "";
    SfPartition *prev;
    g_autofree char *upper = g_ascii_strup (part->name, -1);

    /* Names are unique (case-insensitively: SP Flash Tool matches either). */
    if (*part->name != '\0') {
      SfPartition *other = g_hash_table_lookup (names, upper);

      if (other != NULL) {
        g_autofree char *msg = g_strdup_printf (_("partition %s appears twice (also on line %u)"),
                                                part->name, other->line);
        add_issue (p, SF_SEVERITY_ERROR, SF_ERROR_SCATTER_DUPLICATE, part->line, "partition_name",
                   _("each partition name may appear once; use the scatter file that came with the firmware"),
                   msg);
      } else {
        g_hash_table_insert (names, g_steal_pointer (&upper), part);
      }
    }

    if (part->operation == SF_OPERATION_UNKNOWN) {
      g_autofree char *msg = g_strdup_printf (_("unknown operation_type “%s”: %s is never written by default"),
                                              part->operation_type, part->name);
      warn (p, part->line, "operation_type", NULL, msg);
    }

    if (sf_partition_is_calibration (part) && part->is_download && part->file_name != NULL) {
      g_autofree char *msg = g_strdup_printf (_("%s holds one phone's own calibration (IMEI) yet is marked for download"),
                                              part->name);
      warn (p, part->line, "is_download",
            _("this looks like a backup of another phone: writing it replaces this phone's IMEI and calibration"),
            msg);
    }

    if (part->operation == SF_OPERATION_BOOTLOADERS)
      g_ptr_array_add (bootloaders, part);

    if (part->end_relative) {
      seen_tail = TRUE;
      continue;
    }

    if (seen_tail && !part->is_reserved && !is_filler (part)) {
      g_autofree char *msg = g_strdup_printf (_("%s follows an end-relative (0xFFFF…) partition"), part->name);
      warn (p, part->line, "linear_start_addr", NULL, msg);
    }

    if (!legacy && part->start % 512 != 0) {
      g_autofree char *msg = g_strdup_printf (_("%s starts at 0x%" PRIx64 ", not on a 512-byte sector"),
                                              part->name, part->start);
      warn (p, part->line, "linear_start_addr", NULL, msg);
    }

    if (part->has_size && part->size > G_MAXUINT64 - part->start) {
      g_autofree char *msg = g_strdup_printf (_("%s runs past the end of a 64-bit address space"), part->name);
      add_issue (p, SF_SEVERITY_ERROR, SF_ERROR_SCATTER_OVERLAP, part->line, "partition_size",
                 _("use the scatter file that came with the firmware"), msg);
      continue;
    }

    prev = g_hash_table_lookup (last_in_region, region);
    /* Tool-generated files carry filler entries that SP Flash Tool skips:
     * nothing to write and no name (or reserved), at an address that breaks
     * the order (an empty entry at 0x0 after BMTPOOL, say). Such an entry is
     * said, left out of the layout, and the file loads. An entry that is
     * written still has to fit. */
    if (prev != NULL && is_filler (part) &&
        (part->start < prev->start ||
         (prev->has_size && prev->size > 0 && prev->start + prev->size > part->start))) {
      g_autofree char *msg = g_strdup_printf (_("%s at 0x%" PRIx64 " is out of place after %s (line %u); it is not written and is left out"),
                                              *part->name != '\0' ? part->name : _("an entry with no name"),
                                              part->start, prev->name, prev->line);
      warn (p, part->line, "linear_start_addr", NULL, msg);
      g_ptr_array_add (fillers, part);
      continue;
    }
    if (prev != NULL) {
      gboolean combo = g_strcmp0 (sf_partition_get_field (prev, "combo_partsize_check"), "true") == 0 ||
                       g_strcmp0 (sf_partition_get_field (part, "combo_partsize_check"), "true") == 0;

      if (part->start < prev->start) {
        g_autofree char *msg = g_strdup_printf (_("%s starts at 0x%" PRIx64 ", before %s (0x%" PRIx64 " on line %u): addresses must ascend"),
                                                part->name, part->start, prev->name, prev->start, prev->line);
        add_issue (p, SF_SEVERITY_ERROR, SF_ERROR_SCATTER_ORDER, part->line, "linear_start_addr",
                   _("the file was edited by hand or is damaged; use the scatter file that came with the firmware"),
                   msg);
      } else if (prev->has_size && prev->size > 0 && prev->start + prev->size > part->start && !combo) {
        g_autofree char *msg = g_strdup_printf (_("%s (0x%" PRIx64 ", 0x%" PRIx64 " bytes, line %u) overlaps %s at 0x%" PRIx64 ""),
                                                prev->name, prev->start, prev->size, prev->line,
                                                part->name, part->start);
        add_issue (p, SF_SEVERITY_ERROR, SF_ERROR_SCATTER_OVERLAP, part->line, "linear_start_addr",
                   _("the file was edited by hand or is damaged; use the scatter file that came with the firmware"),
                   msg);
      } else if (prev->has_size && prev->size == 0) {
        g_autofree char *msg = g_strdup_printf (_("%s (line %u) has size 0, “to the end”, yet %s follows it"),
                                                prev->name, prev->line, part->name);
        warn (p, part->line, "partition_size", NULL, msg);
      }
    }
    g_hash_table_insert (last_in_region, (gpointer) region, part);
  }

  /* Fillers out of place leave the layout; the rest keep their order. */
  for (guint i = 0; i < fillers->len; i++)
    g_ptr_array_remove (layout->partitions, g_ptr_array_index (fillers, i));
  for (guint i = 0; fillers->len > 0 && i < layout->partitions->len; i++)
    ((SfPartition *) g_ptr_array_index (layout->partitions, i))->index = i;

  /* Bootloaders go together (ERROR_BL_INCONSISTENT): a file that asks for one
   * bootloader image to be written and another not contradicts itself. */
  for (guint i = 1; i < bootloaders->len; i++) {
    SfPartition *first = g_ptr_array_index (bootloaders, 0);
    SfPartition *part = g_ptr_array_index (bootloaders, i);

    if (first->file_name != NULL && part->file_name != NULL && first->is_download != part->is_download) {
      g_autofree char *msg = g_strdup_printf (_("bootloaders %s (line %u) and %s disagree on is_download"),
                                              first->name, first->line, part->name);
      add_issue (p, SF_SEVERITY_ERROR, SF_ERROR_BL_INCONSISTENT, part->line, "is_download",
                 _("bootloaders must be written together; use the scatter file that came with the firmware"),
                 msg);
    }
  }

  if (layout->storage != NULL && !legacy) {
    for (guint i = 0; i < layout->partitions->len; i++) {
      SfPartition *part = g_ptr_array_index (layout->partitions, i);

      if (part->storage != NULL && g_str_has_prefix (part->storage, "HW_STORAGE_") &&
          g_ascii_strcasecmp (part->storage + strlen ("HW_STORAGE_"), layout->storage) != 0) {
        g_autofree char *msg = g_strdup_printf (_("%s says %s but the layout is for %s"),
                                                part->name, part->storage, layout->storage);
        warn (p, part->line, "storage", NULL, msg);
        break;
      }
    }
  }
}

static void
validate (Parser *p)
{
  if (p->scatter->platform == NULL)
    warn (p, 0, "platform",
          p->scatter->format == SF_SCATTER_FORMAT_LEGACY
            ? _("keep the original file name, such as MT6589_Android_scatter_emmc.txt")
            : NULL,
          _("no platform: the chip the firmware is for is unknown"));

  for (guint i = 0; i < p->scatter->layouts->len; i++)
    validate_layout (p, g_ptr_array_index (p->scatter->layouts, i));
}

/* ------------------------------------------------------------------------ */
/* Public API                                                               */
/* ------------------------------------------------------------------------ */

/**
 * sf_scatter_new_from_stream:
 * @stream: the scatter text
 * @display_name: how messages name the file; its last component also gives
 *   a legacy file's platform and storage (`MT6589_Android_scatter_emmc.txt`)
 *
 * Reads and checks a scatter file. Fails only when the text cannot be read as
 * a scatter file; contradictions (overlaps, addresses out of order, …) are
 * kept as issues: see sf_scatter_get_issues() and sf_scatter_check().
 *
 * Returns: (transfer full): the partition map, or %NULL with @error set.
 */
SfScatter *
sf_scatter_new_from_stream (GInputStream  *stream,
                            const char    *display_name,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_autoptr(SfScatter) self = NULL;
  g_autoptr(SfLineReader) reader = NULL;
  g_autoptr(GHashTable) seen_keys = NULL;
  Parser p = { 0 };
  gboolean ok;

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);
  g_return_val_if_fail (display_name != NULL, NULL);

  self = g_object_new (SF_TYPE_SCATTER, NULL);
  self->display_name = g_strdup (display_name);
  seen_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  p.scatter = self;
  p.file = self->display_name;
  p.basename = g_path_get_basename (display_name);
  p.seen_keys = seen_keys;

  reader = sf_line_reader_new (stream, display_name, MAX_LINE, SF_SCATTER_MAX_BYTES);
  ok = parse_lines (&p, reader, cancellable, error);
  if (ok)
    validate (&p);

  g_free (p.basename);
  g_free (p.header_storage);
  g_free (p.header_boot_channel);

  if (!ok)
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * sf_scatter_new_from_file:
 *
 * Returns: (transfer full): the partition map of @file, or %NULL with @error set.
 */
SfScatter *
sf_scatter_new_from_file (GFile         *file,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  name = g_file_get_parse_name (file);
  if (g_file_query_file_type (file, G_FILE_QUERY_INFO_NONE, cancellable) == G_FILE_TYPE_DIRECTORY) {
    sf_set_error_at (error, SF_ERROR_SCATTER_OPEN, name, 0,
                     _("give the scatter file itself, or open the folder as a firmware"),
                     _("this is a folder, not a scatter file"));
    return NULL;
  }

  stream = g_file_read (file, cancellable, &local_error);
  if (stream == NULL) {
    sf_set_error_at (error, SF_ERROR_SCATTER_OPEN, name, 0,
                     _("check the path and that you may read the file"),
                     _("cannot open: %s"), local_error->message);
    return NULL;
  }
  return sf_scatter_new_from_stream (G_INPUT_STREAM (stream), name, cancellable, error);
}

/**
 * sf_scatter_new_from_data:
 *
 * Returns: (transfer full): the partition map in @data, or %NULL with @error set.
 */
SfScatter *
sf_scatter_new_from_data (const char  *data,
                          gsize        length,
                          const char  *display_name,
                          GError     **error)
{
  g_autoptr(GInputStream) stream = NULL;

  stream = g_memory_input_stream_new_from_data (data, (gssize) length, NULL);
  return sf_scatter_new_from_stream (stream, display_name, NULL, error);
}

const char *
sf_scatter_get_display_name (SfScatter *self)
{
  g_return_val_if_fail (SF_IS_SCATTER (self), NULL);
  return self->display_name;
}

SfScatterFormat
sf_scatter_get_format (SfScatter *self)
{
  g_return_val_if_fail (SF_IS_SCATTER (self), SF_SCATTER_FORMAT_LEGACY);
  return self->format;
}

/**
 * sf_scatter_get_config_version:
 *
 * Returns: (nullable): `config_version` as written; %NULL for legacy files.
 */
const char *
sf_scatter_get_config_version (SfScatter *self)
{
  g_return_val_if_fail (SF_IS_SCATTER (self), NULL);
  return self->config_version;
}

/**
 * sf_scatter_get_platform:
 *
 * Returns: (nullable): the chip, `MT6572`; for legacy files from the file name.
 */
const char *
sf_scatter_get_platform (SfScatter *self)
{
  g_return_val_if_fail (SF_IS_SCATTER (self), NULL);
  return self->platform;
}

const char *
sf_scatter_get_project (SfScatter *self)
{
  g_return_val_if_fail (SF_IS_SCATTER (self), NULL);
  return self->project;
}

/**
 * sf_scatter_get_addressing:
 *
 * Returns: %SF_ADDRESSING_LINEAR for legacy and V1.1.1 (and older V1.x)
 *   files, whose user-area addresses include the boot areas;
 *   %SF_ADDRESSING_REGION for V1.1.2 and later.
 */
SfAddressing
sf_scatter_get_addressing (SfScatter *self)
{
  guint major, minor, micro;

  g_return_val_if_fail (SF_IS_SCATTER (self), SF_ADDRESSING_REGION);

  if (self->format == SF_SCATTER_FORMAT_LEGACY)
    return SF_ADDRESSING_LINEAR;
  parse_version (self->config_version, &major, &minor, &micro);
  if (major == 1 && (minor < 1 || (minor == 1 && micro <= 1)))
    return SF_ADDRESSING_LINEAR;
  return SF_ADDRESSING_REGION;
}

/**
 * sf_scatter_get_header_fields:
 *
 * Returns: (transfer none) (element-type SfScatterField): the general
 *   header's keys in file order, unknown ones included.
 */
GPtrArray *
sf_scatter_get_header_fields (SfScatter *self)
{
  g_return_val_if_fail (SF_IS_SCATTER (self), NULL);
  return self->header_fields;
}

guint
sf_scatter_get_n_layouts (SfScatter *self)
{
  g_return_val_if_fail (SF_IS_SCATTER (self), 0);
  return self->layouts->len;
}

/**
 * sf_scatter_get_layout:
 *
 * Returns: (transfer none): the layout at @index.
 */
SfLayout *
sf_scatter_get_layout (SfScatter *self,
                       guint      index)
{
  g_return_val_if_fail (SF_IS_SCATTER (self), NULL);
  g_return_val_if_fail (index < self->layouts->len, NULL);
  return g_ptr_array_index (self->layouts, index);
}

/**
 * sf_scatter_find_layout:
 * @storage: `EMMC`, `UFS`, `NAND`…; case does not matter
 *
 * Returns: (transfer none) (nullable): the layout for that storage.
 */
SfLayout *
sf_scatter_find_layout (SfScatter  *self,
                        const char *storage)
{
  g_return_val_if_fail (SF_IS_SCATTER (self), NULL);
  g_return_val_if_fail (storage != NULL, NULL);

  for (guint i = 0; i < self->layouts->len; i++) {
    SfLayout *layout = g_ptr_array_index (self->layouts, i);

    if (layout->storage != NULL && g_ascii_strcasecmp (layout->storage, storage) == 0)
      return layout;
  }
  return NULL;
}

/**
 * sf_scatter_get_issues:
 *
 * Returns: (transfer none) (element-type SfIssue): what validation found,
 *   warnings and errors, in file order per check.
 */
GPtrArray *
sf_scatter_get_issues (SfScatter *self)
{
  g_return_val_if_fail (SF_IS_SCATTER (self), NULL);
  return self->issues;
}

/**
 * sf_scatter_check:
 *
 * Returns: %FALSE, with @error set to the first error-severity issue, when
 *   the file contradicts itself; %TRUE when only warnings (or nothing) remain.
 */
gboolean
sf_scatter_check (SfScatter  *self,
                  GError    **error)
{
  g_return_val_if_fail (SF_IS_SCATTER (self), FALSE);

  for (guint i = 0; i < self->issues->len; i++) {
    SfIssue *issue = g_ptr_array_index (self->issues, i);

    if (issue->severity == SF_SEVERITY_ERROR) {
      sf_issue_to_error (issue, error);
      return FALSE;
    }
  }
  return TRUE;
}

/**
 * sf_scatter_looks_like_name:
 * @basename: a file name without folders
 *
 * Returns: %TRUE for names a scatter file has: `MT6572_Android_scatter.txt`,
 *   `MT6589_Android_scatter_emmc.txt`, or any `*scatter*.txt`.
 */
gboolean
sf_scatter_looks_like_name (const char *basename)
{
  g_autofree char *lower = NULL;

  g_return_val_if_fail (basename != NULL, FALSE);

  lower = g_ascii_strdown (basename, -1);
  return strstr (lower, "scatter") != NULL && g_str_has_suffix (lower, ".txt");
}
