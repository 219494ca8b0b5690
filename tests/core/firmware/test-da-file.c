/* test-da-file.c — SfDaFile: the MTK_AllInOne_DA.bin layout (protocol.md §5, §12)
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The DA files here are written by the test itself, field by field, from the
 * layout in the document, not with the code under test or sf-make-da.
 */

#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "sf-archive.h"
#include "sf-da-file.h"
#include "sf-error.h"
#include "sf-test-util.h"

#define HEADER_LEN   0x6C
#define ENTRY_DC     0xDC
#define ENTRY_D8     0xD8
#define ADVICE       "use the MTK_AllInOne_DA.bin that came with SP Flash Tool"

typedef struct {
  guint32 offset, length, address, sig_offset, sig_length;
} TRegion;

typedef struct {
  guint16  magic;
  guint16  hw_code, hw_sub_code, hw_version, sw_version, page_size, region_index, n_regions;
  TRegion  regions[10];
} TEntry;

static void
put16 (guint8  *p,
       guint16  v)
{
  p[0] = v & 0xFF;
  p[1] = v >> 8;
}

static void
put32 (guint8  *p,
       guint32  v)
{
  p[0] = v & 0xFF;
  p[1] = (v >> 8) & 0xFF;
  p[2] = (v >> 16) & 0xFF;
  p[3] = v >> 24;
}

/* Header and table per §5.1/§5.2 into @out (at least HEADER_LEN + n × size bytes). */
static void
write_table (guint8        *out,
             const char    *identifier,
             guint32        version,
             const TEntry  *entries,
             guint          n,
             guint          entry_size)
{
  memset (out, 0, HEADER_LEN + (gsize) n * entry_size);
  memcpy (out, "MTK_DOWNLOAD_AGENT", 18);
  memcpy (out + 0x20, identifier, strlen (identifier));
  put32 (out + 0x60, version);
  put32 (out + 0x64, 0x22668899);
  put32 (out + 0x68, n);

  for (guint i = 0; i < n; i++) {
    const TEntry *e = &entries[i];
    guint8 *p = out + HEADER_LEN + (gsize) i * entry_size;
    guint8 *r;

    put16 (p + 0x00, e->magic ? e->magic : 0xDADA);
    put16 (p + 0x02, e->hw_code);
    put16 (p + 0x04, e->hw_sub_code);
    put16 (p + 0x06, e->hw_version);
    if (entry_size == ENTRY_DC) {
      put16 (p + 0x08, e->sw_version);
      put16 (p + 0x0A, 0x1111);           /* reserved1: must be ignored */
      put16 (p + 0x0C, e->page_size);
      put16 (p + 0x0E, 0x2222);           /* reserved */
      put16 (p + 0x10, e->region_index);
      put16 (p + 0x12, e->n_regions);
      r = p + 0x14;
    } else {
      put16 (p + 0x08, e->page_size);
      put16 (p + 0x0A, 0x2222);
      put16 (p + 0x0C, e->region_index);
      put16 (p + 0x0E, e->n_regions);
      r = p + 0x10;
    }
    for (guint k = 0; k < 10; k++) {
      const TRegion *reg = &e->regions[k];

      put32 (r + k * 20 + 0x00, reg->offset);
      put32 (r + k * 20 + 0x04, reg->length);
      put32 (r + k * 20 + 0x08, reg->address);
      put32 (r + k * 20 + 0x0C, reg->sig_offset);
      put32 (r + k * 20 + 0x10, reg->sig_length);
    }
  }
}

static void
fill_pattern (guint8  *p,
              gsize    len,
              guint32  seed)
{
  guint32 x = seed * 2654435761u + 1;

  for (gsize i = 0; i < len; i++) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    p[i] = (guint8) (x >> 24);
  }
}

/* A whole small DA file: table, then each used region filled with a pattern
 * seeded by its offset, in @size bytes. */
static GByteArray *
make_da (const TEntry  *entries,
         guint          n,
         guint          entry_size,
         gsize          size)
{
  GByteArray *buf = g_byte_array_sized_new ((guint) size);

  g_byte_array_set_size (buf, (guint) size);
  memset (buf->data, 0xEE, size);
  write_table (buf->data, "MTK_AllInOne_DA_test", 4, entries, n, entry_size);
  for (guint i = 0; i < n; i++) {
    for (guint k = 0; k < entries[i].n_regions && k < 10; k++) {
      const TRegion *r = &entries[i].regions[k];

      if ((gsize) r->offset + r->length <= size)
        fill_pattern (buf->data + r->offset, r->length, r->offset);
    }
  }
  return buf;
}

/* Three entries with every field distinct, regions after the table. */
static void
good_entries (TEntry e[3])
{
  memset (e, 0, 3 * sizeof (TEntry));
  e[0] = (TEntry) { 0, 0x6572, 0x8A00, 0xCA00, 0x0001, 4096, 0, 3, {
    { 0x400, 0x180, 0x80010000, 0x180, 0 },
    { 0x600, 0x300, 0x02007000, 0x200, 0x100 },
    { 0xA00, 0x400, 0x80000000, 0x300, 0x100 },
  } };
  e[1] = (TEntry) { 0, 0x6582, 0x8A01, 0xCB00, 0x0002, 2048, 1, 3, {
    { 0x1000, 0x120, 0x80020000, 0x120, 0 },
    { 0x1200, 0x500, 0x00200000, 0x480, 0x80 },
    { 0x1800, 0x700, 0x80100000, 0x600, 0x100 },
  } };
  e[2] = (TEntry) { 0, 0x6580, 0x0000, 0x0000, 0x0000, 512, 2, 4, {
    { 0x2000, 0x10, 0x80030000, 0x10, 0 },
    { 0x2100, 0x200, 0x00201000, 0x200, 0 },
    { 0x2400, 0x800, 0x80200000, 0x700, 0x100 },
    { 0x3000, 0xFFF, 0x90000000, 0xFFF, 0 },
  } };
}

#define GOOD_SIZE 0x4000

/* good_entries() in @entry_size layout, GOOD_SIZE bytes. */
static GByteArray *
make_good_da (TEntry  e[3],
              guint   entry_size)
{
  good_entries (e);
  return make_da (e, 3, entry_size, GOOD_SIZE);
}

/* The folder a test writes its files in; made and removed around every test. */
static char *tmpdir;

static void
setup (void)
{
  tmpdir = sf_test_make_tempdir ();
}

static void
teardown (void)
{
  sf_test_rm_rf (tmpdir);
  g_clear_pointer (&tmpdir, g_free);
}

static char *
write_temp (const char  *name,
            const void  *data,
            gsize        len)
{
  char *path = g_build_filename (tmpdir, name, NULL);

  sf_test_write_file (path, data, len);
  return path;
}

static SfDaFile *
open_ok (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  SfDaFile *da = sf_da_file_new (file, NULL, &error);

  ck_assert_msg (da != NULL, "%s", error ? error->message : "?");
  ck_assert_ptr_null (error);
  return da;
}

/* @buf written to @name in the test's folder, then opened; its path in
 * @out_path where that is wanted. */
static SfDaFile *
open_written (const char  *name,
              GByteArray  *buf,
              char       **out_path)
{
  g_autofree char *path = write_temp (name, buf->data, buf->len);
  SfDaFile *da = open_ok (path);

  if (out_path != NULL)
    *out_path = g_steal_pointer (&path);
  return da;
}

static char *
open_fails (const char *path,
            gint        code)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(SfDaFile) da = sf_da_file_new (file, NULL, &error);

  ck_assert_msg (da == NULL, "%s was accepted", path);
  ck_assert_ptr_nonnull (error);
  ck_assert_msg (g_error_matches (error, SF_ERROR, code), "code %d, not %d: %s",
                 error->code, code, error->message);
  return g_strdup (error->message);
}

static void
assert_entry (const SfDaEntry *got,
              const TEntry    *want,
              gboolean         old_layout)
{
  ck_assert_ptr_nonnull (got);
  ck_assert_uint_eq (got->hw_code, want->hw_code);
  ck_assert_uint_eq (got->hw_sub_code, want->hw_sub_code);
  ck_assert_uint_eq (got->hw_version, want->hw_version);
  ck_assert_uint_eq (got->sw_version, old_layout ? 0 : want->sw_version);
  ck_assert_uint_eq (got->page_size, want->page_size);
  ck_assert_uint_eq (got->region_index, want->region_index);
  ck_assert_uint_eq (got->n_regions, want->n_regions);
  for (guint k = 0; k < want->n_regions; k++) {
    ck_assert_uint_eq (got->regions[k].offset, want->regions[k].offset);
    ck_assert_uint_eq (got->regions[k].length, want->regions[k].length);
    ck_assert_uint_eq (got->regions[k].address, want->regions[k].address);
    ck_assert_uint_eq (got->regions[k].sig_offset, want->regions[k].sig_offset);
    ck_assert_uint_eq (got->regions[k].sig_length, want->regions[k].sig_length);
  }
}

/* The @n entries of @da, in @entry_size layout, are @want as written. */
static void
assert_entries (SfDaFile     *da,
                const TEntry *want,
                guint         n,
                guint         entry_size)
{
  ck_assert_uint_eq (sf_da_file_get_entry_size (da), entry_size);
  ck_assert_uint_eq (sf_da_file_get_n_entries (da), n);
  for (guint i = 0; i < n; i++)
    assert_entry (sf_da_file_get_entry (da, i), &want[i], entry_size == ENTRY_D8);
}

/* An entry @da parsed, as the test would have written it. */
static TEntry
as_written (const SfDaEntry *entry)
{
  TEntry t = { 0, entry->hw_code, entry->hw_sub_code, entry->hw_version, entry->sw_version,
               entry->page_size, entry->region_index, entry->n_regions, { { 0 } } };

  for (guint k = 0; k < entry->n_regions && k < G_N_ELEMENTS (t.regions); k++) {
    const SfDaRegion *r = &entry->regions[k];

    t.regions[k] = (TRegion) { r->offset, r->length, r->address, r->sig_offset, r->sig_length };
  }
  return t;
}

static char *
sha256_of (const guint8 *data,
           gsize         len)
{
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, len);
}

/* Region @r of @entry, read to its end in @chunk-byte reads, is the bytes at
 * @want, as many as the entry says (which callers check first), and closes
 * cleanly. */
static void
assert_region_reads (SfDaFile        *da,
                     const SfDaEntry *entry,
                     guint            r,
                     const guint8    *want,
                     gsize            chunk)
{
  gsize len = entry->regions[r].length;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) s = sf_da_file_open_region (da, entry, r, NULL, &error);
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guint8 *buf = g_malloc (chunk);
  g_autofree char *expect = sha256_of (want, len);
  guint64 total = 0;
  gssize n;

  ck_assert_msg (s != NULL, "region %u: %s", r, error ? error->message : "?");
  while ((n = g_input_stream_read (s, buf, chunk, NULL, &error)) > 0) {
    g_checksum_update (sum, buf, n);
    total += (guint64) n;
  }
  ck_assert_msg (n == 0, "region %u: read failed: %s", r, error ? error->message : "?");
  ck_assert_uint_eq (total, len);
  ck_assert_str_eq (g_checksum_get_string (sum), expect);
  ck_assert (g_input_stream_close (s, NULL, NULL));
}

static const gsize read_sizes[] = { 1, 7, 0x100, 0x10000 };

/* Two regions of one entry streamed at once, as good_entries() has them:
 * DA1 and DA2 of the first entry, and the last region of the last entry
 * (the furthest into the file) before an earlier one. */
static const struct {
  guint entry, first, second;
} stream_pairs[] = {
  { 0, 1, 2 },
  { 2, 3, 1 },
};

/* What a DA file does whatever it is read from, with good_entries() @e,
 * perhaps moved, written into @file_bytes: every region streams its bytes in
 * reads of any size; two streams at once do not disturb each other; a region
 * past an entry's last is refused, in a message that names the DA file. */
static void
check_da_behaviour (SfDaFile     *da,
                    const TEntry  e[3],
                    const guint8 *file_bytes)
{
  ck_assert_uint_eq (sf_da_file_get_n_entries (da), 3);
  for (guint i = 0; i < 3; i++) {
    const SfDaEntry *entry = sf_da_file_get_entry (da, i);

    assert_entry (entry, &e[i], FALSE);
    for (guint r = 0; r < e[i].n_regions; r++) {
      for (guint c = 0; c < G_N_ELEMENTS (read_sizes); c++)
        assert_region_reads (da, entry, r, file_bytes + e[i].regions[r].offset, read_sizes[c]);
    }
  }

  for (guint p = 0; p < G_N_ELEMENTS (stream_pairs); p++) {
    const TEntry *want = &e[stream_pairs[p].entry];
    const SfDaEntry *entry = sf_da_file_get_entry (da, stream_pairs[p].entry);
    g_autoptr(GInputStream) a = sf_da_file_open_region (da, entry, stream_pairs[p].first, NULL, NULL);
    g_autoptr(GInputStream) b = sf_da_file_open_region (da, entry, stream_pairs[p].second, NULL, NULL);
    guint8 x[16], y[16];

    ck_assert (g_input_stream_read_all (a, x, sizeof x, NULL, NULL, NULL));
    ck_assert (g_input_stream_read_all (b, y, sizeof y, NULL, NULL, NULL));
    ck_assert_mem_eq (x, file_bytes + want->regions[stream_pairs[p].first].offset, sizeof x);
    ck_assert_mem_eq (y, file_bytes + want->regions[stream_pairs[p].second].offset, sizeof y);
  }

  /* No region 3 in a 3-region entry. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GInputStream) s = NULL;

    ck_assert_uint_eq (e[0].n_regions, 3);
    s = sf_da_file_open_region (da, sf_da_file_get_entry (da, 0), 3, NULL, &error);
    ck_assert_ptr_null (s);
    ck_assert (g_error_matches (error, SF_ERROR, SF_ERROR_INVALID_DA_FILE));
    ck_assert_msg (g_str_has_prefix (error->message, sf_da_file_get_display_name (da)), "%s", error->message);
    ck_assert_msg (strstr (error->message, "no region 3") != NULL, "%s", error->message);
  }
}

/* ---- parsing ------------------------------------------------------------ */

START_TEST (test_parse_dc_layout)
{
  TEntry e[3];
  g_autoptr(GByteArray) buf = make_good_da (e, ENTRY_DC);
  g_autofree char *path = NULL;
  g_autoptr(SfDaFile) da = open_written ("MTK_AllInOne_DA.bin", buf, &path);

  ck_assert_str_eq (sf_da_file_get_identifier (da), "MTK_AllInOne_DA_test");
  ck_assert_str_eq (sf_da_file_get_display_name (da), path);
  ck_assert_uint_eq (sf_da_file_get_version (da), 4);
  ck_assert_uint_eq (sf_da_file_get_size (da), GOOD_SIZE);
  assert_entries (da, e, 3, ENTRY_DC);
}
END_TEST

START_TEST (test_parse_d8_layout)
{
  TEntry e[3];
  g_autoptr(GByteArray) buf = make_good_da (e, ENTRY_D8);
  g_autoptr(SfDaFile) da = NULL;

  /* The §5.2 rule: the second entry's magic right at 0x6C + 0xD8. */
  ck_assert_uint_eq (buf->data[HEADER_LEN + ENTRY_D8], 0xDA);
  ck_assert_uint_eq (buf->data[HEADER_LEN + ENTRY_D8 + 1], 0xDA);
  da = open_written ("old_DA.bin", buf, NULL);
  assert_entries (da, e, 3, ENTRY_D8);
}
END_TEST

/* count == 1: no second magic to detect the layout by. */
START_TEST (test_parse_single_entry)
{
  TEntry e[3];

  good_entries (e);
  /* Region 0 may sit anywhere, even at 0 with no bytes: only DA1/DA2 are
   * held to the ≥ 0x100 rule. */
  e[1].regions[0] = (TRegion) { 0, 0, 0, 0, 0 };

  for (guint layout = 0; layout < 2; layout++) {
    guint size = layout == 0 ? ENTRY_DC : ENTRY_D8;
    g_autoptr(GByteArray) buf = make_da (&e[1], 1, size, GOOD_SIZE);
    g_autoptr(SfDaFile) da = open_written (layout == 0 ? "one-dc.bin" : "one-d8.bin", buf, NULL);

    assert_entries (da, &e[1], 1, size);
  }
}
END_TEST

START_TEST (test_version_tolerated)
{
  TEntry e[3];
  g_autoptr(GByteArray) buf = make_good_da (e, ENTRY_DC);
  g_autoptr(SfDaFile) da = NULL;

  put32 (buf->data + 0x60, 5);
  /* A 64-character identifier with no NUL after it. */
  memset (buf->data + 0x20, 'A', 64);
  da = open_written ("v5.bin", buf, NULL);

  ck_assert_uint_eq (sf_da_file_get_version (da), 5);
  ck_assert_uint_eq (strlen (sf_da_file_get_identifier (da)), 64);
  ck_assert_uint_eq (sf_da_file_get_n_entries (da), 3);
}
END_TEST

/* ---- picking the entry (§5.4) ------------------------------------------- */

START_TEST (test_find_entry)
{
  TEntry e[5];
  g_autoptr(GByteArray) buf = NULL;
  g_autofree char *path = NULL;
  g_autoptr(SfDaFile) da = NULL;
  static const struct {
    guint16 hw_code, hw_ver, sw_ver;
    int     want;   /* index, or -1 for no entry */
  } cases[] = {
    { 0x6572, 0xCA00, 0x0000, 2 },   /* chip sw 0 matches any sw_version */
    { 0x6572, 0xCA00, 0x0001, 3 },   /* entry 2 wants sw 2 */
    { 0x6572, 0xCA00, 0x0002, 2 },
    { 0x6572, 0xCB00, 0x0000, 1 },   /* first in file order wins */
    { 0x6572, 0xFFFF, 0xFFFF, 1 },
    { 0x6572, 0x0000, 0x0000, 1 },   /* chip hw 0 matches any hw_version */
    { 0x6572, 0xC9FF, 0x0000, 4 },
    { 0x6572, 0x8A00, 0x0005, 4 },
    { 0x6582, 0x0001, 0x0000, 0 },
    { 0x6572, 0x8000, 0x0000, -1 },  /* below every entry's hw_version */
    { 0x6580, 0xCA00, 0x0000, -1 },
  };
  /* What the no-entry messages say, and what they must not. */
  static const struct {
    guint16     hw_code, hw_ver;
    const char *mentions[3];
    const char *absent;
  } messages[] = {
    /* Each hw code once, in file order. */
    { 0x6580, 0xCA00, { "MT6580 (hw code 0x6580)", "0x6582, 0x6572", NULL }, "0x6572, 0x6572" },
    { 0x6572, 0x8000, { "MT6572 (hw code 0x6572)", "0x8A00", "0x8000" }, NULL },
  };

  memset (e, 0, sizeof e);
  for (guint i = 0; i < 5; i++) {
    e[i].n_regions = 3;
    e[i].page_size = 4096;
    e[i].regions[0] = (TRegion) { 0x800 + i * 0x600, 0x100, 0x80010000, 0x100, 0 };
    e[i].regions[1] = (TRegion) { 0x900 + i * 0x600, 0x200, 0x02007000, 0x100, 0x100 };
    e[i].regions[2] = (TRegion) { 0xB00 + i * 0x600, 0x200, 0x80000000, 0x100, 0x100 };
  }
  e[0].hw_code = 0x6582; e[0].hw_version = 0x0000;
  e[1].hw_code = 0x6572; e[1].hw_version = 0xCB00;
  e[2].hw_code = 0x6572; e[2].hw_version = 0xCA00; e[2].sw_version = 2;
  e[3].hw_code = 0x6572; e[3].hw_version = 0xCA00;
  e[4].hw_code = 0x6572; e[4].hw_version = 0x8A00;
  buf = make_da (e, 5, ENTRY_DC, GOOD_SIZE);
  da = open_written ("pick.bin", buf, &path);

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++) {
    g_autoptr(GError) error = NULL;
    const SfDaEntry *got = sf_da_file_find_entry (da, cases[c].hw_code, cases[c].hw_ver,
                                                  cases[c].sw_ver, &error);

    if (cases[c].want >= 0) {
      ck_assert_msg (got == sf_da_file_get_entry (da, cases[c].want),
                     "case %u: wanted entry %d, got %p (%s)", c, cases[c].want, (void *) got,
                     error ? error->message : "");
      ck_assert_ptr_null (error);
    } else {
      ck_assert_msg (got == NULL, "case %u: got an entry", c);
      ck_assert_msg (g_error_matches (error, SF_ERROR, SF_ERROR_DA_NO_ENTRY), "case %u", c);
      ck_assert_msg (g_str_has_prefix (error->message, path), "%s", error->message);
      ck_assert_msg (strstr (error->message, " — ") != NULL, "%s", error->message);
    }
  }

  for (guint m = 0; m < G_N_ELEMENTS (messages); m++) {
    g_autoptr(GError) error = NULL;

    ck_assert_ptr_null (sf_da_file_find_entry (da, messages[m].hw_code, messages[m].hw_ver, 0, &error));
    ck_assert_ptr_nonnull (error);
    for (guint k = 0; k < G_N_ELEMENTS (messages[m].mentions) && messages[m].mentions[k] != NULL; k++)
      ck_assert_msg (strstr (error->message, messages[m].mentions[k]) != NULL, "%s", error->message);
    if (messages[m].absent != NULL)
      ck_assert_msg (strstr (error->message, messages[m].absent) == NULL, "%s", error->message);
  }
}
END_TEST

START_TEST (test_chip_names)
{
  g_autofree char *a = sf_da_file_chip_name (0x6572);
  g_autofree char *b = sf_da_file_chip_name (0x0321);
  g_autofree char *c = sf_da_file_chip_name (0x65A2);
  g_autofree char *d = sf_da_file_describe_chip (0x8127);
  g_autofree char *f = sf_da_file_describe_chip (0x0279);

  ck_assert_str_eq (a, "MT6572");
  ck_assert_ptr_null (b);
  ck_assert_ptr_null (c);
  ck_assert_str_eq (d, "MT8127 (hw code 0x8127)");
  ck_assert_str_eq (f, "hw code 0x0279");
}
END_TEST

/* ---- validation --------------------------------------------------------- */

#define ENTRY_AT(i)      (HEADER_LEN + (i) * ENTRY_DC)
#define REGION_AT(i, r)  (ENTRY_AT (i) + 0x14 + (r) * 20)

typedef struct {
  const char *name;
  gsize       at;          /* where to patch */
  guint       width;       /* 1, 2 or 4 bytes; 0 = no patch */
  guint32     value;
  gsize       truncate;    /* 0 = keep the size */
  const char *want;        /* in the message */
} BadCase;

static const BadCase bad_cases[] = {
  { "description", 0x11, 1, 'X', 0, "description at offset 0x0" },
  { "description pad", 0x15, 1, 'x', 0, "followed by NUL bytes (byte 0x78 at offset 0x15)" },
  { "identifier", 0x25, 1, 0x01, 0, "identifier at offset 0x20 is not printable text (byte 0x01 at offset 0x25)" },
  { "identifier high", 0x21, 1, 0xC3, 0, "identifier at offset 0x20" },
  { "magic", 0x64, 4, 0x11223344, 0, "wrong magic 0x11223344 at offset 0x64" },
  { "count 0", 0x68, 4, 0, 0, "entry count at offset 0x68 is 0" },
  { "count 65", 0x68, 4, 65, 0, "entry count at offset 0x68 is 65" },
  { "count huge", 0x68, 4, 0xFFFFFFFF, 0, "is 4294967295" },
  { "count past table", 0x68, 4, 60, 0, "entry 3 at offset 0x300 does not start with the entry magic" },
  { "header truncated", 0, 0, 0, 0x50, "the file is truncated: it is 80 bytes" },
  { "table truncated", 0, 0, 0, 0x200, "the table of 3 entries (0xDC bytes each) needs 0x294 bytes" },
  { "entry magic", ENTRY_AT (1), 2, 0xDADB, 0, "entry 1 at offset 0x148 does not start with the entry magic 0xDADA (found 0xDADB)" },
  { "region count 11", ENTRY_AT (0) + 0x12, 2, 11, 0, "region count at offset 0x7E is 11" },
  { "region count 0", ENTRY_AT (2) + 0x12, 2, 0, 0, "entry 2 (MT6580 (hw code 0x6580)): the region count at offset 0x236 is 0" },
  { "region past end", REGION_AT (2, 3) + 4, 4, GOOD_SIZE - 0x3000 + 1, 0, "region 3: 0x1001 bytes at offset 0x3000 run past the end of the file (16384 bytes" },
  { "region 0 past end", REGION_AT (0, 0), 4, GOOD_SIZE, 0, "region 0: 0x180 bytes at offset 0x4000 run past the end" },
  { "region wraps", REGION_AT (0, 1), 4, 0xFFFFFF00, 0, "region 1 (DA1): 0x300 bytes at offset 0xFFFFFF00 run past the end" },
  { "file shorter than region", 0, 0, 0, 0x3800, "region 3: 0xFFF bytes at offset 0x3000 run past the end of the file (14336 bytes" },
  { "DA1 in header", REGION_AT (1, 1), 4, 0xFF, 0, "entry 1 (MT6582 (hw code 0x6582)), region 1 (DA1): its data offset 0xFF" },
  { "DA2 too short", REGION_AT (0, 2) + 4, 4, 0xFF, 0, "region 2 (DA2): its length 0xFF" },
  { "DA1 address 0", REGION_AT (0, 1) + 8, 4, 0, 0, "region 1 (DA1): its load address (record at offset 0x94) is 0" },
  { "signature too long", REGION_AT (1, 2) + 16, 4, 0x701, 0, "region 2 (DA2): its signature length 0x701 is larger than the region" },
};

START_TEST (test_invalid)
{
  const BadCase *bc = &bad_cases[_i];
  TEntry e[3];
  g_autoptr(GByteArray) buf = make_good_da (e, ENTRY_DC);
  g_autofree char *path = NULL;
  g_autofree char *msg = NULL;
  gsize len;

  if (bc->width == 1)
    buf->data[bc->at] = (guint8) bc->value;
  else if (bc->width == 2)
    put16 (buf->data + bc->at, (guint16) bc->value);
  else if (bc->width == 4)
    put32 (buf->data + bc->at, bc->value);
  len = bc->truncate ? bc->truncate : buf->len;

  path = write_temp ("MTK_AllInOne_DA.bin", buf->data, len);
  msg = open_fails (path, SF_ERROR_INVALID_DA_FILE);
  ck_assert_msg (strstr (msg, bc->want) != NULL, "%s: “%s” is not in “%s”", bc->name, bc->want, msg);
  /* FILE: what is wrong — what to do */
  ck_assert_msg (g_str_has_prefix (msg, path) && msg[strlen (path)] == ':', "%s: %s", bc->name, msg);
  ck_assert_msg (strstr (msg, " — " ADVICE) != NULL, "%s: %s", bc->name, msg);
}
END_TEST

START_TEST (test_invalid_whole_files)
{
  g_autofree char *empty = write_temp ("empty.bin", "", 0);
  g_autofree char *garbage = NULL;
  g_autofree char *scatter = NULL;
  g_autofree char *missing = g_build_filename (tmpdir, "missing.bin", NULL);
  g_autofree guint8 *noise = g_malloc (4096);
  g_autofree char *m1 = NULL;
  g_autofree char *m2 = NULL;
  g_autofree char *m3 = NULL;
  g_autofree char *m4 = NULL;
  g_autofree char *m5 = NULL;

  fill_pattern (noise, 4096, 7);
  garbage = write_temp ("garbage.bin", noise, 4096);
  scatter = write_temp ("MT6572_Android_scatter.txt", "- general: MTK_PLATFORM_CFG\n", 28);

  m1 = open_fails (empty, SF_ERROR_INVALID_DA_FILE);
  ck_assert_msg (strstr (m1, "empty") != NULL, "%s", m1);
  m2 = open_fails (garbage, SF_ERROR_INVALID_DA_FILE);
  ck_assert_msg (strstr (m2, "not a DA file") != NULL, "%s", m2);
  m3 = open_fails (scatter, SF_ERROR_INVALID_DA_FILE);
  ck_assert_msg (strstr (m3, "not a DA file") != NULL, "%s", m3);
  m4 = open_fails (missing, SF_ERROR_INVALID_DA_FILE);
  ck_assert_msg (g_str_has_prefix (m4, missing) && strstr (m4, "cannot open") != NULL, "%s", m4);
  m5 = open_fails (tmpdir, SF_ERROR_INVALID_DA_FILE);
  ck_assert_msg (g_str_has_prefix (m5, tmpdir), "%s", m5);
}
END_TEST

/* One entry, no good in either layout: the error of the current (0xDC)
 * layout is the one reported. */
START_TEST (test_invalid_single_entry)
{
  TEntry e[3];
  g_autoptr(GByteArray) buf = NULL;
  g_autofree char *path = NULL;
  g_autofree char *msg = NULL;

  good_entries (e);
  e[0].regions[1].address = 0;
  buf = make_da (e, 1, ENTRY_DC, GOOD_SIZE);
  path = write_temp ("one.bin", buf->data, buf->len);
  msg = open_fails (path, SF_ERROR_INVALID_DA_FILE);
  ck_assert_msg (strstr (msg, "region 1 (DA1): its load address") != NULL, "%s", msg);
}
END_TEST

/* ---- region streams ----------------------------------------------------- */

START_TEST (test_region_streams)
{
  TEntry e[3];
  g_autoptr(GByteArray) buf = make_good_da (e, ENTRY_DC);
  g_autoptr(SfDaFile) da = open_written ("da.bin", buf, NULL);

  check_da_behaviour (da, e, buf->data);
}
END_TEST

START_TEST (test_region_file_shrinks)
{
  TEntry e[3];
  g_autoptr(GByteArray) buf = make_good_da (e, ENTRY_DC);
  g_autofree char *path = NULL;
  g_autoptr(SfDaFile) da = open_written ("da.bin", buf, &path);
  g_autoptr(GInputStream) s = NULL;
  g_autoptr(GError) error = NULL;
  guint8 tmp[0x1000];
  gsize got = 0;

  ck_assert_int_eq (truncate (path, 0x2500), 0);   /* entry 2's DA2 is 0x2400 + 0x800 */

  s = sf_da_file_open_region (da, sf_da_file_get_entry (da, 2), 2, NULL, &error);
  ck_assert_msg (s != NULL, "%s", error ? error->message : "?");
  ck_assert (!g_input_stream_read_all (s, tmp, sizeof tmp, &got, NULL, &error));
  ck_assert_uint_eq (got, 0x100);
  ck_assert (g_error_matches (error, SF_ERROR, SF_ERROR_INVALID_DA_FILE));
  ck_assert_msg (strstr (error->message, "changed after it was opened") != NULL, "%s", error->message);
}
END_TEST

/* The size of the real file in §12; regions far into it, in a sparse file. */
#define BIG_SIZE 4064724

/* The regions of the real file's MT6572 entry (§12), which the synthetic DA
 * copies: lengths, load addresses and signature lengths. */
static const guint32 real_lengths[] = { 0x270, 0xE9D4, 0x27130 };
static const guint32 real_addresses[] = { 0x80010000, 0x02007000, 0x80000000 };
static const guint32 real_sigs[] = { 0, 0x100, 0x100 };

/* An entry like the real MT6572 one for @hw_code, its regions at @offsets. */
static TEntry
real_entry (guint16        hw_code,
            const guint32  offsets[3])
{
  TEntry t = { 0, hw_code, 0, 0xCA00, 0, 4096, 0, 3, { { 0 } } };

  for (guint r = 0; r < 3; r++) {
    t.regions[r] = (TRegion) { offsets[r], real_lengths[r], real_addresses[r],
                               real_lengths[r] - real_sigs[r], real_sigs[r] };
  }
  return t;
}

START_TEST (test_large_sparse_file)
{
  TEntry e[2];
  g_autofree char *path = g_build_filename (tmpdir, "MTK_AllInOne_DA.bin", NULL);
  g_autoptr(SfDaFile) da = NULL;
  guint8 table[HEADER_LEN + 2 * ENTRY_DC];
  int fd;

  static const guint32 first[] = { 0x1000, 0x200000, 0x280000 };
  /* The last region ends exactly at the end of the file. */
  static const guint32 second[] = { 0x300000, 0x310000, BIG_SIZE - 0x27130 };

  e[0] = real_entry (0x6573, first);
  e[1] = real_entry (0x6572, second);
  /* The §12 numbers, as they stand there. */
  ck_assert_uint_eq (e[1].regions[1].sig_offset, 0xE8D4);
  ck_assert_uint_eq (e[1].regions[2].sig_offset, 0x27030);
  write_table (table, "MTK_AllInOne_DA_v3", 4, e, 2, ENTRY_DC);

  fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ck_assert_int_ge (fd, 0);
  ck_assert_int_eq (pwrite (fd, table, sizeof table, 0), (ssize_t) sizeof table);
  for (guint i = 0; i < 2; i++) {
    for (guint r = 0; r < 3; r++) {
      g_autofree guint8 *data = g_malloc (e[i].regions[r].length);

      fill_pattern (data, e[i].regions[r].length, e[i].regions[r].offset);
      ck_assert_int_eq (pwrite (fd, data, e[i].regions[r].length, e[i].regions[r].offset),
                        (ssize_t) e[i].regions[r].length);
    }
  }
  ck_assert_int_eq (ftruncate (fd, BIG_SIZE), 0);
  ck_assert_int_eq (close (fd), 0);

  da = open_ok (path);
  ck_assert_uint_eq (sf_da_file_get_size (da), BIG_SIZE);
  ck_assert_str_eq (sf_da_file_get_identifier (da), "MTK_AllInOne_DA_v3");
  assert_entries (da, e, 2, ENTRY_DC);

  for (guint i = 0; i < 2; i++) {
    for (guint r = 0; r < 3; r++) {
      const TRegion *want = &e[i].regions[r];
      g_autofree guint8 *data = g_malloc (want->length);

      fill_pattern (data, want->length, want->offset);
      assert_region_reads (da, sf_da_file_get_entry (da, i), r, data, 4096);
    }
  }

  /* One byte past the end is refused. */
  {
    g_autofree char *msg = NULL;

    fd = g_open (path, O_WRONLY, 0);
    ck_assert_int_ge (fd, 0);
    ck_assert_int_eq (ftruncate (fd, BIG_SIZE - 1), 0);
    ck_assert_int_eq (close (fd), 0);
    msg = open_fails (path, SF_ERROR_INVALID_DA_FILE);
    ck_assert_msg (strstr (msg, "entry 1 (MT6572 (hw code 0x6572)), region 2 (DA2)") != NULL, "%s", msg);
    ck_assert_msg (strstr (msg, "run past the end of the file (4064723 bytes") != NULL, "%s", msg);
  }
}
END_TEST

/* ---- a DA file inside an archive ---------------------------------------- */

typedef struct {
  const char    *path;
  const guint8  *data;
  gsize          len;
} TMember;

/* An archive of @members, written with libarchive: a zip (@gzip FALSE) or a
 * tar.gz. */
static void
write_test_archive (const char     *path,
                    gboolean        gzip,
                    const TMember  *members,
                    guint           n)
{
  struct archive *a = archive_write_new ();

  if (gzip) {
    archive_write_set_format_pax_restricted (a);
    archive_write_add_filter_gzip (a);
  } else {
    archive_write_set_format_zip (a);
  }
  ck_assert_msg (archive_write_open_filename (a, path) == ARCHIVE_OK, "%s", archive_error_string (a));
  for (guint i = 0; i < n; i++) {
    struct archive_entry *entry = archive_entry_new ();

    archive_entry_set_pathname (entry, members[i].path);
    archive_entry_set_filetype (entry, AE_IFREG);
    archive_entry_set_perm (entry, 0644);
    archive_entry_set_size (entry, (la_int64_t) members[i].len);
    archive_entry_set_mtime (entry, 1767225600, 0);
    ck_assert_msg (archive_write_header (a, entry) == ARCHIVE_OK, "%s", archive_error_string (a));
    ck_assert_msg (archive_write_data (a, members[i].data, members[i].len) == (la_ssize_t) members[i].len,
                   "%s", archive_error_string (a));
    archive_entry_free (entry);
  }
  ck_assert_msg (archive_write_close (a) == ARCHIVE_OK, "%s", archive_error_string (a));
  archive_write_free (a);
}

/* An archive @name in the test's folder holding @data as
 * dir/MTK_AllInOne_DA.bin between two other files; returns its path. */
static char *
write_da_archive (const char    *name,
                  gboolean       gzip,
                  const guint8  *data,
                  gsize          len)
{
  static const char readme[] = "flash with care\n";
  g_autofree guint8 *after = g_malloc (0x9000);
  char *path = g_build_filename (tmpdir, name, NULL);
  TMember members[] = {
    { "dir/readme.txt", (const guint8 *) readme, sizeof readme - 1 },
    { "dir/MTK_AllInOne_DA.bin", data, len },
    { "dir/after.bin", after, 0x9000 },
  };

  fill_pattern (after, 0x9000, 77);
  write_test_archive (path, gzip, members, G_N_ELEMENTS (members));
  return path;
}

static SfArchive *
open_archive_ok (const char        *path,
                 SfArchiveKeepFunc  keep,
                 gpointer           keep_data)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  SfArchive *archive = sf_archive_open_full (file, keep, keep_data, NULL, &error);

  ck_assert_msg (archive != NULL, "%s: %s", path, error ? error->message : "?");
  return archive;
}

static SfDaFile *
open_in_archive (SfArchive  *archive,
                 GError    **error)
{
  const SfArchiveEntry *entry = sf_archive_find_entry (archive, "dir/MTK_AllInOne_DA.bin");

  ck_assert_ptr_nonnull (entry);
  return sf_da_file_new_from_archive (archive, entry, NULL, error);
}

/* The DA in the archive at @archive_path, which must open. */
static SfDaFile *
open_in_archive_ok (const char *archive_path)
{
  g_autoptr(SfArchive) archive = open_archive_ok (archive_path, NULL, NULL);
  g_autoptr(GError) error = NULL;
  SfDaFile *da = open_in_archive (archive, &error);

  ck_assert_msg (da != NULL, "%s", error ? error->message : "?");
  ck_assert_ptr_null (error);
  return da;
}

static gsize
keep_bytes (const char *path,
            gpointer    user_data)
{
  return GPOINTER_TO_SIZE (user_data);
}

/* Everything the two parses found, and every region's bytes, are the same. */
static void
assert_same_da (SfDaFile     *got,
                SfDaFile     *want,
                const guint8 *bytes)
{
  ck_assert_str_eq (sf_da_file_get_identifier (got), sf_da_file_get_identifier (want));
  ck_assert_uint_eq (sf_da_file_get_version (got), sf_da_file_get_version (want));
  ck_assert_uint_eq (sf_da_file_get_entry_size (got), sf_da_file_get_entry_size (want));
  ck_assert_uint_eq (sf_da_file_get_size (got), sf_da_file_get_size (want));
  ck_assert_uint_eq (sf_da_file_get_n_entries (got), sf_da_file_get_n_entries (want));

  for (guint i = 0; i < sf_da_file_get_n_entries (want); i++) {
    const SfDaEntry *a = sf_da_file_get_entry (got, i);
    const SfDaEntry *b = sf_da_file_get_entry (want, i);
    TEntry t = as_written (b);

    assert_entry (a, &t, FALSE);
    for (guint r = 0; r < b->n_regions; r++) {
      assert_region_reads (got, a, r, bytes + b->regions[r].offset, 0x1000);
      assert_region_reads (want, b, r, bytes + b->regions[r].offset, 0x1000);
    }
  }
}

/* Loop index: 0 zip, 1 tar.gz. */
START_TEST (test_archive_same_as_file)
{
  gboolean gzip = _i == 1;
  const char *name = gzip ? "firmware.tar.gz" : "firmware.zip";
  TEntry e[3];
  g_autoptr(GByteArray) buf = NULL;
  g_autofree char *archive_path = NULL;
  g_autofree char *want_name = g_strdup_printf ("%s/dir/MTK_AllInOne_DA.bin", name);
  g_autoptr(SfDaFile) from_file = NULL;
  g_autoptr(SfDaFile) from_archive = NULL;

  /* A last region far into the file, so reaching it reads through many
   * chunks of the entry. */
  good_entries (e);
  e[2].regions[3] = (TRegion) { 0x31230, 0xE000, 0x90000000, 0xDF00, 0x100 };
  buf = make_da (e, 3, ENTRY_DC, 0x40000);
  from_file = open_written ("MTK_AllInOne_DA.bin", buf, NULL);
  archive_path = write_da_archive (name, gzip, buf->data, buf->len);
  /* The DA file keeps the archive alive. */
  from_archive = open_in_archive_ok (archive_path);

  ck_assert_str_eq (sf_da_file_get_display_name (from_archive), want_name);
  ck_assert_uint_eq (sf_da_file_get_size (from_archive), 0x40000);
  assert_entries (from_archive, e, 3, ENTRY_DC);
  assert_same_da (from_archive, from_file, buf->data);

  /* The same behaviour from both; two region streams at once from the
   * archive, each on its own reader. */
  check_da_behaviour (from_file, e, buf->data);
  check_da_behaviour (from_archive, e, buf->data);
}
END_TEST

/* The archive may have kept the entry's first bytes while it was listed:
 * enough for the table, or too few, or all of it. The parse is the same. */
START_TEST (test_archive_kept_head)
{
  TEntry e[3];
  g_autoptr(GByteArray) buf = make_good_da (e, ENTRY_DC);
  g_autoptr(SfDaFile) from_file = open_written ("plain.bin", buf, NULL);
  g_autofree char *archive_path = write_da_archive ("kept.tar.gz", TRUE, buf->data, buf->len);
  /* The table of 3 entries ends at 0x6C + 3 × 0xDC = 0x300. */
  static const gsize keeps[] = { 0x40, 0x100, 0x2FF, 0x300, 0x1000, GOOD_SIZE + 1 };

  for (guint k = 0; k < G_N_ELEMENTS (keeps); k++) {
    g_autoptr(SfArchive) archive = open_archive_ok (archive_path, keep_bytes, GSIZE_TO_POINTER (keeps[k]));
    const SfArchiveEntry *entry = sf_archive_find_entry (archive, "dir/MTK_AllInOne_DA.bin");
    g_autoptr(GError) error = NULL;
    g_autoptr(SfDaFile) da = NULL;

    ck_assert_ptr_nonnull (entry->kept);
    ck_assert_uint_eq (g_bytes_get_size (entry->kept), MIN (keeps[k], GOOD_SIZE));
    da = sf_da_file_new_from_archive (archive, entry, NULL, &error);
    ck_assert_msg (da != NULL, "keep 0x%" G_GSIZE_MODIFIER "x: %s", keeps[k], error ? error->message : "?");
    assert_same_da (da, from_file, buf->data);
  }
}
END_TEST

typedef struct {
  const char *name;        /* of the archive */
  gboolean    gzip;
  guint32     magic;       /* patched in at 0x64; 0 = none */
  gsize       len;         /* of the DA written; 0 = all of it */
  gboolean    text;        /* a text file instead of the DA */
  const char *starts;      /* after "NAME/dir/MTK_AllInOne_DA.bin: " */
  const char *mentions[2];
} ArchiveBadCase;

static const ArchiveBadCase archive_bad_cases[] = {
  /* The wrong magic: the same message as for a file, named into the zip. */
  { "archive.zip", FALSE, 0x11223344, 0, FALSE, "",
    { "wrong magic 0x11223344 at offset 0x64", ADVICE } },
  /* Regions cut off: the entry's size is what they are checked against. */
  { "cut.tar.gz", TRUE, 0, 0x2800, FALSE, "",
    { "entry 2 (MT6580 (hw code 0x6580)), region 2 (DA2)", "run past the end of the file (10240 bytes" } },
  /* The table cut off. */
  { "short.zip", FALSE, 0, 0x200, FALSE, "",
    { "the file is truncated: the table of 3 entries", NULL } },
  /* Not a DA file at all. */
  { "text.zip", FALSE, 0, 0, TRUE, "not a DA file", { NULL, NULL } },
};

START_TEST (test_archive_invalid)
{
  const ArchiveBadCase *bc = &archive_bad_cases[_i];
  static const char not_da[] = "PK this is no download agent at all, just text\n";
  TEntry e[3];
  g_autoptr(GByteArray) buf = make_good_da (e, ENTRY_DC);
  g_autofree char *path = NULL;
  g_autofree char *starts = g_strdup_printf ("%s/dir/MTK_AllInOne_DA.bin: %s", bc->name, bc->starts);
  g_autoptr(SfArchive) archive = NULL;
  g_autoptr(SfDaFile) da = NULL;
  g_autoptr(GError) error = NULL;

  if (bc->magic != 0)
    put32 (buf->data + 0x64, bc->magic);
  if (bc->text)
    path = write_da_archive (bc->name, bc->gzip, (const guint8 *) not_da, sizeof not_da - 1);
  else
    path = write_da_archive (bc->name, bc->gzip, buf->data, bc->len ? bc->len : buf->len);

  archive = open_archive_ok (path, NULL, NULL);
  da = open_in_archive (archive, &error);
  ck_assert_msg (da == NULL, "%s was accepted", path);
  ck_assert_ptr_nonnull (error);
  ck_assert_msg (g_error_matches (error, SF_ERROR, SF_ERROR_INVALID_DA_FILE), "%s", error->message);
  ck_assert_msg (g_str_has_prefix (error->message, starts), "%s", error->message);
  for (guint k = 0; k < G_N_ELEMENTS (bc->mentions) && bc->mentions[k] != NULL; k++)
    ck_assert_msg (strstr (error->message, bc->mentions[k]) != NULL, "%s", error->message);
}
END_TEST

/* The archive changes on disk after the DA file was opened: reading a
 * region says so instead of handing out other bytes. */
START_TEST (test_archive_changed)
{
  TEntry e[3];
  g_autoptr(GByteArray) buf = make_good_da (e, ENTRY_DC);
  g_autofree char *path = write_da_archive ("changing.zip", FALSE, buf->data, buf->len);
  g_autoptr(SfDaFile) da = open_in_archive_ok (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) s = NULL;
  const TMember members[] = { { "other.bin", (const guint8 *) "x", 1 } };

  write_test_archive (path, FALSE, members, G_N_ELEMENTS (members));
  s = sf_da_file_open_region (da, sf_da_file_get_entry (da, 1), 2, NULL, &error);
  if (s != NULL) {
    guint8 tmp[0x100];
    gsize got = 0;

    ck_assert (!g_input_stream_read_all (s, tmp, sizeof tmp, &got, NULL, &error));
  }
  ck_assert_ptr_nonnull (error);
  ck_assert_msg (error->domain == SF_ERROR, "%s", error->message);
  ck_assert_msg (strstr (error->message, "changing.zip") != NULL, "%s", error->message);
}
END_TEST

/* ---- the synthetic DA (tools/sf-make-da) -------------------------------- */

static const char *
synthetic_da (void)
{
  const char *path = g_getenv ("SF_SYNTHETIC_DA");

  ck_assert_msg (path != NULL, "SF_SYNTHETIC_DA is not set: run the tests with meson test");
  return path;
}

START_TEST (test_synthetic_da)
{
  g_autoptr(SfDaFile) da = open_ok (synthetic_da ());
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;
  const SfDaEntry *mt6572;
  gboolean has_6582 = FALSE, has_6580 = FALSE;

  ck_assert_msg (g_str_has_prefix (sf_da_file_get_identifier (da), "MTK_AllInOne_DA"),
                 "%s", sf_da_file_get_identifier (da));
  ck_assert_uint_eq (sf_da_file_get_version (da), 4);
  ck_assert_uint_eq (sf_da_file_get_entry_size (da), 0xDC);
  ck_assert_uint_ge (sf_da_file_get_n_entries (da), 3);
  ck_assert (g_file_get_contents (synthetic_da (), &contents, &len, NULL));
  ck_assert_uint_eq (sf_da_file_get_size (da), len);

  /* §12: the MT6572 entry, as the simulator's GET_HW_SW_VER picks it (§3.3). */
  mt6572 = sf_da_file_find_entry (da, 0x6572, SF_SIM_HW_VER, SF_SIM_SW_VER, &error);
  ck_assert_msg (mt6572 != NULL, "%s", error ? error->message : "?");
  ck_assert_uint_eq (mt6572->hw_code, 0x6572);
  ck_assert_uint_eq (mt6572->hw_sub_code, 0x0000);
  ck_assert_uint_eq (mt6572->hw_version, 0xCA00);
  ck_assert_uint_eq (mt6572->sw_version, 0x0000);
  ck_assert_uint_eq (mt6572->page_size, 4096);
  ck_assert_uint_eq (mt6572->n_regions, 3);
  for (guint r = 0; r < 3; r++) {
    ck_assert_uint_eq (mt6572->regions[r].length, real_lengths[r]);
    ck_assert_uint_eq (mt6572->regions[r].address, real_addresses[r]);
    ck_assert_uint_eq (mt6572->regions[r].sig_length, real_sigs[r]);
  }

  for (guint i = 0; i < sf_da_file_get_n_entries (da); i++) {
    const SfDaEntry *entry = sf_da_file_get_entry (da, i);

    has_6582 |= entry->hw_code == 0x6582;
    has_6580 |= entry->hw_code == 0x6580;
    for (guint r = 0; r < entry->n_regions; r++) {
      const SfDaRegion *region = &entry->regions[r];

      /* §12: in every entry m_start_offset == m_len − m_sig_len. */
      ck_assert_uint_eq (region->sig_offset, region->length - region->sig_length);
      ck_assert_uint_le ((gsize) region->offset + region->length, len);
      assert_region_reads (da, entry, r, (const guint8 *) contents + region->offset, 0x1000);
    }
  }
  ck_assert (has_6582);
  ck_assert (has_6580);

  /* Our own bytes, marked as such. */
  {
    g_autoptr(GInputStream) s = sf_da_file_open_region (da, mt6572, SF_DA_REGION_DA1, NULL, NULL);
    char head[64] = { 0 };

    ck_assert (g_input_stream_read_all (s, head, sizeof head - 1, NULL, NULL, NULL));
    ck_assert_msg (g_str_has_prefix (head, "Scatterflash synthetic DA1"), "%s", head);
  }
}
END_TEST

/* ---- scatterflash-cli da ------------------------------------------------ */

/* The document @text, which must be one JSON object. */
static JsonNode *
parse_json_object (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *root = json_from_string (text, &error);

  ck_assert_msg (root != NULL, "stdout is not JSON: %s", error ? error->message : "(empty)");
  ck_assert (JSON_NODE_HOLDS_OBJECT (root));
  return root;
}

static gint64
int_member (JsonObject *obj,
            const char *name)
{
  JsonNode *node = json_object_get_member (obj, name);

  ck_assert_msg (node != NULL, "no “%s”", name);
  ck_assert_msg (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64,
                 "“%s” is not an integer", name);
  return json_node_get_int (node);
}

START_TEST (test_cli_json)
{
  g_autoptr(SfDaFile) da = open_ok (synthetic_da ());
  g_autoptr(JsonNode) doc = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  JsonObject *root;
  JsonArray *entries;
  JsonObject *first;
  JsonArray *regions;

  ck_assert_int_eq (sf_test_run_cli (&out, &err, "da", "--json", synthetic_da (), NULL), 0);
  doc = parse_json_object (out);
  root = json_node_get_object (doc);
  ck_assert_uint_eq (json_object_get_size (root), 2);
  ck_assert_str_eq (json_object_get_string_member (root, "identifier"), sf_da_file_get_identifier (da));
  entries = json_object_get_array_member (root, "entries");
  ck_assert_ptr_nonnull (entries);
  ck_assert_uint_eq (json_array_get_length (entries), sf_da_file_get_n_entries (da));

  /* The contract's example, literally. */
  first = json_array_get_object_element (entries, 0);
  ck_assert_int_eq (int_member (first, "hw_code"), 25970);
  ck_assert_int_eq (int_member (first, "hw_sub_code"), 0);
  ck_assert_int_eq (int_member (first, "hw_version"), 51712);
  ck_assert_int_eq (int_member (first, "sw_version"), 0);
  ck_assert_int_eq (int_member (first, "page_size"), 4096);
  regions = json_object_get_array_member (first, "regions");
  ck_assert_uint_eq (json_array_get_length (regions), 3);
  ck_assert_int_eq (int_member (json_array_get_object_element (regions, 1), "length"), 0xE9D4);
  ck_assert_int_eq (int_member (json_array_get_object_element (regions, 1), "address"), 0x02007000);
  ck_assert_int_eq (int_member (json_array_get_object_element (regions, 2), "address"), 0x80000000);
  ck_assert_int_eq (int_member (json_array_get_object_element (regions, 2), "sig_length"), 0x100);

  /* Every entry and region, in file order, as the library reads them. */
  for (guint i = 0; i < json_array_get_length (entries); i++) {
    JsonObject *obj = json_array_get_object_element (entries, i);
    const SfDaEntry *entry = sf_da_file_get_entry (da, i);
    JsonArray *regs = json_object_get_array_member (obj, "regions");

    ck_assert_uint_eq (json_object_get_size (obj), 6);
    ck_assert_int_eq (int_member (obj, "hw_code"), entry->hw_code);
    ck_assert_int_eq (int_member (obj, "hw_sub_code"), entry->hw_sub_code);
    ck_assert_int_eq (int_member (obj, "hw_version"), entry->hw_version);
    ck_assert_int_eq (int_member (obj, "sw_version"), entry->sw_version);
    ck_assert_int_eq (int_member (obj, "page_size"), entry->page_size);
    ck_assert_uint_eq (json_array_get_length (regs), entry->n_regions);
    for (guint r = 0; r < entry->n_regions; r++) {
      JsonObject *reg = json_array_get_object_element (regs, r);

      ck_assert_uint_eq (json_object_get_size (reg), 4);
      ck_assert_int_eq (int_member (reg, "offset"), entry->regions[r].offset);
      ck_assert_int_eq (int_member (reg, "length"), entry->regions[r].length);
      ck_assert_int_eq (int_member (reg, "address"), entry->regions[r].address);
      ck_assert_int_eq (int_member (reg, "sig_length"), entry->regions[r].sig_length);
    }
  }
  ck_assert_int_eq (int_member (json_array_get_object_element (entries, 1), "hw_code"), 0x6582);
  ck_assert_int_eq (int_member (json_array_get_object_element (entries, 2), "hw_code"), 0x6580);
}
END_TEST

START_TEST (test_cli_json_only_used_regions)
{
  TEntry e[3];
  g_autoptr(GByteArray) buf = make_good_da (e, ENTRY_D8);
  g_autoptr(JsonNode) doc = NULL;
  g_autofree char *path = write_temp ("old.bin", buf->data, buf->len);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  JsonArray *entries;
  JsonObject *third;

  ck_assert_int_eq (sf_test_run_cli (&out, &err, "da", "--json", path, NULL), 0);
  doc = parse_json_object (out);
  entries = json_object_get_array_member (json_node_get_object (doc), "entries");
  ck_assert_uint_eq (json_array_get_length (entries), 3);
  third = json_array_get_object_element (entries, 2);
  ck_assert_uint_eq (json_array_get_length (json_object_get_array_member (third, "regions")), 4);
  ck_assert_int_eq (int_member (third, "page_size"), 512);
  ck_assert_int_eq (int_member (json_array_get_object_element (entries, 1), "hw_sub_code"), 0x8A01);
  ck_assert_int_eq (int_member (json_array_get_object_element (entries, 1), "sw_version"), 0);
}
END_TEST

START_TEST (test_cli_text)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  ck_assert_int_eq (sf_test_run_cli (&out, &err, "da", synthetic_da (), NULL), 0);
  ck_assert_msg (strstr (out, "MTK_AllInOne_DA") != NULL, "%s", out);
  ck_assert_msg (strstr (out, "MT6572") != NULL && strstr (out, "0x6572") != NULL, "%s", out);
  ck_assert_msg (strstr (out, "0xCA00") != NULL, "%s", out);
  ck_assert_msg (strstr (out, "0xE9D4") != NULL && strstr (out, "0x02007000") != NULL, "%s", out);
  ck_assert_msg (strstr (out, "MT6580") != NULL, "%s", out);
}
END_TEST

START_TEST (test_cli_bad_file_exit_2)
{
  g_autofree char *contents = NULL;
  g_autofree char *truncated = NULL;
  g_autofree char *missing = g_build_filename (tmpdir, "nope.bin", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gsize len = 0;

  ck_assert (g_file_get_contents (synthetic_da (), &contents, &len, NULL));
  ck_assert_uint_gt (len, 0x200);
  truncated = write_temp ("MTK_AllInOne_DA.bin", contents, 0x200);

  ck_assert_int_eq (sf_test_run_cli (&out, &err, "da", "--json", truncated, NULL), 2);
  ck_assert_str_eq (out, "");
  ck_assert_msg (strstr (err, truncated) != NULL && strstr (err, ": ") != NULL, "%s", err);
  ck_assert_msg (strstr (err, "truncated") != NULL && strstr (err, " — ") != NULL, "%s", err);

  /* The whole table, but the regions cut off. */
  g_free (truncated);
  truncated = write_temp ("cut.bin", contents, len / 2);
  ck_assert_int_eq (sf_test_run_cli (&out, &err, "da", "--json", truncated, NULL), 2);
  ck_assert_str_eq (out, "");
  ck_assert_msg (strstr (err, "run past the end of the file") != NULL, "%s", err);

  ck_assert_int_eq (sf_test_run_cli (&out, &err, "da", missing, NULL), 2);
  ck_assert_str_eq (out, "");
  ck_assert_msg (strstr (err, missing) != NULL && strstr (err, " — ") != NULL, "%s", err);
}
END_TEST

START_TEST (test_cli_usage)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  ck_assert_int_eq (sf_test_run_cli (&out, &err, "da", NULL), 2);
  ck_assert_str_eq (out, "");
  ck_assert_msg (strstr (err, "scatterflash-cli da --help") != NULL, "%s", err);
  ck_assert_int_eq (sf_test_run_cli (&out, &err, "da", synthetic_da (), synthetic_da (), NULL), 2);
  ck_assert_int_eq (sf_test_run_cli (&out, &err, "da", "--no-such-option", synthetic_da (), NULL), 2);
  ck_assert_int_eq (sf_test_run_cli (&out, &err, "da", "--help", NULL), 0);
  ck_assert_msg (strstr (out, "--json") != NULL, "%s", out);
  ck_assert_int_eq (sf_test_run_cli (&out, &err, "--help", NULL), 0);
  ck_assert_msg (strstr (out, "  da ") != NULL, "%s", out);
}
END_TEST

static Suite *
da_file_suite (void)
{
  Suite *s = suite_create ("da-file");
  TCase *parse = tcase_create ("parse");
  TCase *invalid = tcase_create ("invalid");
  TCase *regions = tcase_create ("regions");
  TCase *archive = tcase_create ("archive");
  TCase *cli = tcase_create ("cli");
  TCase *all[] = { parse, invalid, regions, archive, cli };

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    tcase_add_checked_fixture (all[i], setup, teardown);

  tcase_add_test (parse, test_parse_dc_layout);
  tcase_add_test (parse, test_parse_d8_layout);
  tcase_add_test (parse, test_parse_single_entry);
  tcase_add_test (parse, test_version_tolerated);
  tcase_add_test (parse, test_find_entry);
  tcase_add_test (parse, test_chip_names);
  tcase_add_test (parse, test_synthetic_da);
  suite_add_tcase (s, parse);

  tcase_add_loop_test (invalid, test_invalid, 0, G_N_ELEMENTS (bad_cases));
  tcase_add_test (invalid, test_invalid_whole_files);
  tcase_add_test (invalid, test_invalid_single_entry);
  suite_add_tcase (s, invalid);

  tcase_set_timeout (regions, 60);
  tcase_add_test (regions, test_region_streams);
  tcase_add_test (regions, test_region_file_shrinks);
  tcase_add_test (regions, test_large_sparse_file);
  suite_add_tcase (s, regions);

  tcase_set_timeout (archive, 60);
  tcase_add_loop_test (archive, test_archive_same_as_file, 0, 2);
  tcase_add_test (archive, test_archive_kept_head);
  tcase_add_loop_test (archive, test_archive_invalid, 0, G_N_ELEMENTS (archive_bad_cases));
  tcase_add_test (archive, test_archive_changed);
  suite_add_tcase (s, archive);

  tcase_set_timeout (cli, 60);
  tcase_add_test (cli, test_cli_json);
  tcase_add_test (cli, test_cli_json_only_used_regions);
  tcase_add_test (cli, test_cli_text);
  tcase_add_test (cli, test_cli_bad_file_exit_2);
  tcase_add_test (cli, test_cli_usage);
  suite_add_tcase (s, cli);
  return s;
}

int
main (void)
{
  return sf_test_run_suite (da_file_suite ());
}
