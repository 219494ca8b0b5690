/* test-corpus.c — what must hold for every scatter file: the fixtures in
 * tests/data/scatter and, when there is one, an extra corpus of real files
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The extra corpus (SF_EXTRA_FIXTURES_DIR: ../shared/fixtures/scatter beside
 * the source tree, or the fixtures-dir option) is never needed: without it
 * this runs over our own fixtures alone. Nothing here knows a file's
 * values (test-scatter does, for the fixtures); it checks what is true of
 * any scatter file that loads, so that real files we cannot ship still
 * test the parser, the writer and `scatterflash-cli scatter --json`.
 */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "sf-scatter.h"
#include "sf-scatter-writer.h"
#include "sf-test-util.h"

/* Every *.txt of both folders, each folder's sorted by name. */
static GPtrArray *corpus;
static guint n_own;
static guint n_extra;

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static guint
add_folder (const char *folder)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  const char *name;

  if (dir == NULL)
    return 0;
  while ((name = g_dir_read_name (dir)) != NULL) {
    if (g_str_has_suffix (name, ".txt"))
      g_ptr_array_add (names, (gpointer) name);
  }
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (corpus, g_build_filename (folder, g_ptr_array_index (names, i), NULL));
  return names->len;
}

static char *
read_text (const char *path,
           gsize      *len)
{
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  ck_assert_msg (g_file_get_contents (path, &text, len, &error), "%s", error ? error->message : "?");
  return text;
}

/* Parsed from memory under the file's own name, which tells a legacy
 * file's platform and storage. */
static SfScatter *
parse_as (const char *path,
          const char *text,
          gsize       len)
{
  g_autofree char *base = g_path_get_basename (path);
  g_autoptr(GError) error = NULL;
  SfScatter *scatter = sf_scatter_new_from_data (text, len, base, &error);

  ck_assert_msg (scatter != NULL, "%s: %s", path, error ? error->message : "?");
  return scatter;
}

START_TEST (test_corpus_found)
{
  const char *extra = g_getenv ("SF_EXTRA_FIXTURES_DIR");

  /* tests/data/scatter: eleven files and more. */
  ck_assert_uint_ge (n_own, 11);
  /* Pointed at a folder, the corpus must be there. */
  if (extra != NULL && *extra != '\0')
    ck_assert_msg (n_extra > 0, "SF_EXTRA_FIXTURES_DIR=%s holds no *.txt scatter file", extra);
}
END_TEST

/* It loads and checks; its partitions are numbered, in file order, found by
 * name; issues point into the file. */
START_TEST (test_loads_and_holds_together)
{
  const char *path = g_ptr_array_index (corpus, _i);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(SfScatter) scatter = sf_scatter_new_from_file (file, NULL, &error);
  g_autofree char *text = NULL;
  gsize len = 0;
  guint n_lines = 0;
  guint last_line = 0;
  GPtrArray *issues;

  ck_assert_msg (scatter != NULL, "%s: %s", path, error ? error->message : "?");
  ck_assert_msg (sf_scatter_check (scatter, &error), "%s", error ? error->message : "?");

  text = read_text (path, &len);
  for (gsize i = 0; i < len; i++)
    n_lines += text[i] == '\n';
  if (len > 0 && text[len - 1] != '\n')
    n_lines++;

  ck_assert_uint_ge (sf_scatter_get_n_layouts (scatter), 1);
  for (guint l = 0; l < sf_scatter_get_n_layouts (scatter); l++) {
    SfLayout *layout = sf_scatter_get_layout (scatter, l);

    ck_assert_uint_ge (layout->partitions->len, 1);
    for (guint i = 0; i < layout->partitions->len; i++) {
      SfPartition *part = sf_layout_get_partition (layout, i);
      SfPartition *found;

      ck_assert_uint_eq (part->index, i);
      ck_assert_ptr_nonnull (part->name);
      ck_assert_msg (part->line > last_line && part->line <= n_lines, "%s: %s on line %u after line %u of %u",
                     path, part->name, part->line, last_line, n_lines);
      last_line = part->line;
      ck_assert_int_eq (part->end_relative, part->start <= G_MAXUINT32 && (part->start >> 16) == 0xFFFF);
      if (*part->name != '\0') {
        found = sf_layout_find_partition (layout, part->name);
        ck_assert_ptr_nonnull (found);
        ck_assert_int_eq (g_ascii_strcasecmp (found->name, part->name), 0);
      }
    }
  }

  issues = sf_scatter_get_issues (scatter);
  for (guint i = 0; i < issues->len; i++) {
    SfIssue *issue = g_ptr_array_index (issues, i);

    ck_assert_int_eq (issue->severity, SF_SEVERITY_WARNING);
    ck_assert_str_eq (issue->file, sf_scatter_get_display_name (scatter));
    ck_assert_uint_le (issue->line, n_lines);
    ck_assert_ptr_nonnull (issue->message);
  }
}
END_TEST

/* LF or CRLF, trailing blanks, a byte-order mark, more indentation: the
 * same map. */
START_TEST (test_line_ends_and_blanks)
{
  const char *path = g_ptr_array_index (corpus, _i);
  gsize len = 0;
  g_autofree char *text = read_text (path, &len);
  g_autoptr(SfScatter) orig = parse_as (path, text, len);

  for (guint variant = 0; variant < 4; variant++) {
    g_autofree char *mangled = sf_test_mangle (text, variant & 1, variant >= 1, variant == 2, variant == 3);
    g_autoptr(SfScatter) copy = parse_as (path, mangled, strlen (mangled));

    sf_test_assert_same_map (orig, copy);
  }
}
END_TEST

static void
assert_json_string (JsonObject *object,
                    const char *member,
                    const char *want,
                    const char *path)
{
  JsonNode *node = json_object_get_member (object, member);

  ck_assert_msg (node != NULL, "%s: no %s", path, member);
  if (want == NULL)
    ck_assert_msg (JSON_NODE_HOLDS_NULL (node), "%s: %s is not null", path, member);
  else
    ck_assert_str_eq (json_node_get_string (node), want);
}

/* `scatterflash-cli scatter --json` says what the library read. */
START_TEST (test_json_matches)
{
  const char *path = g_ptr_array_index (corpus, _i);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(SfScatter) scatter = sf_scatter_new_from_file (file, NULL, &error);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  JsonObject *root;
  JsonArray *layouts;
  int status;

  ck_assert_msg (scatter != NULL, "%s: %s", path, error ? error->message : "?");
  status = sf_test_run_cli (&out, &err, "scatter", "--json", path, NULL);
  ck_assert_msg (status == 0, "%s: exit %d: %s", path, status, err);
  ck_assert_msg (json_parser_load_from_data (parser, out, -1, &error), "%s: %s", path, error ? error->message : "?");
  root = json_node_get_object (json_parser_get_root (parser));

  assert_json_string (root, "format",
                      sf_scatter_get_format (scatter) == SF_SCATTER_FORMAT_LEGACY
                        ? "legacy" : sf_scatter_get_config_version (scatter), path);
  assert_json_string (root, "platform", sf_scatter_get_platform (scatter), path);
  assert_json_string (root, "project", sf_scatter_get_project (scatter), path);
  ck_assert_uint_eq (json_array_get_length (json_object_get_array_member (root, "warnings")),
                     sf_scatter_get_issues (scatter)->len);

  layouts = json_object_get_array_member (root, "layouts");
  ck_assert_uint_eq (json_array_get_length (layouts), sf_scatter_get_n_layouts (scatter));
  for (guint l = 0; l < sf_scatter_get_n_layouts (scatter); l++) {
    SfLayout *layout = sf_scatter_get_layout (scatter, l);
    JsonObject *lay = json_array_get_object_element (layouts, l);
    JsonArray *parts = json_object_get_array_member (lay, "partitions");

    assert_json_string (lay, "storage", layout->storage, path);
    ck_assert_uint_eq (json_array_get_length (parts), layout->partitions->len);
    for (guint i = 0; i < layout->partitions->len; i++) {
      SfPartition *part = sf_layout_get_partition (layout, i);
      JsonObject *p = json_array_get_object_element (parts, i);

      ck_assert_int_eq (json_object_get_int_member (p, "index"), part->index);
      assert_json_string (p, "name", part->name, path);
      assert_json_string (p, "file_name", part->file_name, path);
      assert_json_string (p, "region", part->region, path);
      assert_json_string (p, "operation_type", part->operation_type, path);
      ck_assert_uint_eq ((guint64) json_object_get_int_member (p, "start"), part->start);
      ck_assert_uint_eq ((guint64) json_object_get_int_member (p, "line"), part->line);
      if (part->has_size)
        ck_assert_uint_eq ((guint64) json_object_get_int_member (p, "size"), part->size);
      else
        ck_assert (json_object_get_null_member (p, "size"));
      if (part->has_is_download)
        ck_assert_int_eq (json_object_get_boolean_member (p, "is_download"), part->is_download);
      else
        ck_assert (json_object_get_null_member (p, "is_download"));
    }
  }
}
END_TEST

/* Every layout written back out as a V1.x file (as `backup` does) reads
 * back as the same partitions. */
START_TEST (test_writer_round_trip)
{
  const char *path = g_ptr_array_index (corpus, _i);
  gsize len = 0;
  g_autofree char *text = read_text (path, &len);
  g_autoptr(SfScatter) source = parse_as (path, text, len);

  for (guint l = 0; l < sf_scatter_get_n_layouts (source); l++) {
    SfLayout *layout = sf_scatter_get_layout (source, l);
    g_autoptr(SfScatterWriter) writer = sf_scatter_writer_new (source, layout);
    g_autoptr(GBytes) written = sf_scatter_writer_to_bytes (writer);
    g_autoptr(SfScatter) again = NULL;
    g_autoptr(GError) error = NULL;
    SfLayout *back;
    guint n = 0;

    again = sf_scatter_new_from_data (g_bytes_get_data (written, NULL), g_bytes_get_size (written),
                                      "written.txt", &error);
    ck_assert_msg (again != NULL, "%s, layout %u: %s", path, l, error ? error->message : "?");
    ck_assert_msg (sf_scatter_check (again, &error), "%s, layout %u: %s", path, l, error ? error->message : "?");
    ck_assert_int_eq (sf_scatter_get_format (again), SF_SCATTER_FORMAT_V1);
    ck_assert_pstr_eq (sf_scatter_get_platform (again), sf_scatter_get_platform (source));
    back = sf_scatter_get_layout (again, 0);
    for (guint i = 0; i < layout->partitions->len; i++) {
      SfPartition *want = sf_layout_get_partition (layout, i);
      SfPartition *got;

      /* An unnamed entry cannot be written as one. */
      if (*want->name == '\0')
        continue;
      ck_assert_uint_lt (n, back->partitions->len);
      got = sf_layout_get_partition (back, n++);
      ck_assert_str_eq (got->name, want->name);
      ck_assert_uint_eq (got->start, want->start);
      ck_assert_pstr_eq (got->region, want->region);
      if (want->has_size)
        ck_assert_uint_eq (got->size, want->size);
    }
    ck_assert_uint_eq (back->partitions->len, n);
  }
}
END_TEST

/* Cut anywhere, a file either loads as less or fails with one message that
 * names the file and says what to do; never a crash. */
START_TEST (test_prefixes)
{
  const char *path = g_ptr_array_index (corpus, _i);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *prefix = g_strconcat (base, ":", NULL);
  gsize len = 0;
  g_autofree char *text = read_text (path, &len);
  g_autoptr(SfScatter) whole = parse_as (path, text, len);

  for (gsize cut = 0; cut < len; cut += 1 + len / 61) {
    g_autoptr(GError) error = NULL;
    g_autoptr(SfScatter) part = sf_scatter_new_from_data (text, cut, base, &error);

    if (part == NULL) {
      ck_assert_msg (g_str_has_prefix (error->message, prefix), "%s cut at %" G_GSIZE_FORMAT ": %s",
                     path, cut, error->message);
      ck_assert_msg (strstr (error->message, " — ") != NULL, "%s cut at %" G_GSIZE_FORMAT ": no advice: %s",
                     path, cut, error->message);
    } else {
      ck_assert_uint_le (sf_scatter_get_n_layouts (part), sf_scatter_get_n_layouts (whole));
      for (guint l = 0; l < sf_scatter_get_n_layouts (part); l++)
        ck_assert_uint_le (sf_scatter_get_layout (part, l)->partitions->len,
                           sf_scatter_get_layout (whole, l)->partitions->len);
    }
  }
}
END_TEST

int
main (void)
{
  const char *own = g_getenv ("SF_FIXTURES_DIR");
  const char *extra = g_getenv ("SF_EXTRA_FIXTURES_DIR");
  Suite *s = suite_create ("corpus");
  TCase *tc = tcase_create ("corpus");
  int status;

  corpus = g_ptr_array_new_with_free_func (g_free);
  if (own != NULL)
    n_own = add_folder (own);
  if (extra != NULL && *extra != '\0')
    n_extra = add_folder (extra);
  /* Which files ran is in the test log. */
  g_print ("corpus: %u fixtures from %s, %u extra files from %s\n", n_own, own ? own : "(SF_FIXTURES_DIR unset)",
           n_extra, extra != NULL && *extra != '\0' ? extra : "(no SF_EXTRA_FIXTURES_DIR)");

  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_corpus_found);
  tcase_add_loop_test (tc, test_loads_and_holds_together, 0, corpus->len);
  tcase_add_loop_test (tc, test_line_ends_and_blanks, 0, corpus->len);
  tcase_add_loop_test (tc, test_json_matches, 0, corpus->len);
  tcase_add_loop_test (tc, test_writer_round_trip, 0, corpus->len);
  tcase_add_loop_test (tc, test_prefixes, 0, corpus->len);
  suite_add_tcase (s, tc);
  status = sf_test_run_suite (s);
  g_ptr_array_unref (corpus);
  return status;
}
