/* sf-da-file.c — a download agent file (MTK_AllInOne_DA.bin layout)
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The layout is protocol.md §5, all little-endian. Only the 0x6C-byte
 * header and the entry table are read when the file is opened; a real file
 * is ~4 MB and holds the DAs of a dozen and more chips, of which one entry's
 * two regions are ever sent. Regions are streamed on demand by
 * sf_da_file_open_region().
 *
 * The file is either on disk (sf_da_file_new()) or an entry of a firmware
 * archive (sf_da_file_new_from_archive()), read in place like the images.
 * Both are parsed from a stream by the same code; a region of an archive
 * entry is reached by reading through the entry up to it, as archives
 * cannot seek, so memory use stays bounded either way.
 *
 * Choices this parser makes where the sources leave room:
 *
 * - The version field (0x60) is recorded but not checked. da-boot wants
 *   exactly 4, mtkclient ignores it; every real file seen has 4, and the
 *   entries are checked by their own magic (0xDADA) anyway, so a file with
 *   another version is accepted when everything else holds.
 *   sf_da_file_get_version() tells the caller what it was.
 * - The description pad (0x12–0x1F) must be NUL, as in da-boot.
 * - The entry size is told apart as mtkclient does (§5.2): when the two bytes
 *   at 0x6C + 0xD8 are `DA DA`, entries are 0xD8 bytes. With a single entry
 *   there is no second magic to look at, so the 0xDC layout is tried first
 *   and the old one only when the current one does not validate.
 * - An entry must use 1–10 regions. The DA1/DA2 sanity checks of §5.3
 *   (offset ≥ 0x100, length ≥ 0x100, load address ≠ 0) apply to regions 1 and
 *   2 when the entry has them; every used region must lie inside the file
 *   and have a signature no longer than itself.
 */

#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "sf-archive.h"
#include "sf-da-file.h"
#include "sf-error.h"

#define DA_FILE_OFFSET_IDENTIFIER   0x20
#define DA_FILE_IDENTIFIER_LEN      64
#define DA_FILE_DESCRIPTION_LEN     32
#define DA_FILE_OFFSET_VERSION      0x60
#define DA_FILE_OFFSET_MAGIC        0x64
#define DA_FILE_OFFSET_COUNT        0x68
#define DA_FILE_MAX_ENTRIES         64
/* §5.3: da-boot's per-region sanity limits, applied to DA1 and DA2. */
#define DA_REGION_MIN_OFFSET        0x100
#define DA_REGION_MIN_LENGTH        0x100

#define ADVICE_DA_FILE _("use the MTK_AllInOne_DA.bin that came with SP Flash Tool, or the bundled one")

struct _SfDaFile
{
  GObject     parent_instance;

  GFile                 *file;       /* a file on disk, or … */
  SfArchive             *archive;    /* … an entry of this archive */
  const SfArchiveEntry  *entry;      /* owned by @archive */
  char                  *display_name;
  char                  *identifier;
  guint32                version;
  guint                  entry_size; /* SF_DA_ENTRY_LEN or SF_DA_ENTRY_LEN_OLD */
  guint64                file_size;
  GArray                *entries;    /* SfDaEntry */
};

G_DEFINE_FINAL_TYPE (SfDaFile, sf_da_file, G_TYPE_OBJECT)

static guint16
read_le16 (const guint8 *p)
{
  return (guint16) (p[0] | (p[1] << 8));
}

static guint32
read_le32 (const guint8 *p)
{
  return (guint32) p[0] | ((guint32) p[1] << 8) | ((guint32) p[2] << 16) | ((guint32) p[3] << 24);
}

/**
 * sf_da_file_chip_name:
 * @hw_code: an entry's hw code (mtkclient's "DA code", §4)
 *
 * The DA code of an entry is the chip's number written in hex digits
 * (`0x6572` for MT6572, `0x8127` for MT8127), so the name can be read off
 * it when all four digits are decimal.
 *
 * Returns: (transfer full) (nullable): "MT6572", or %NULL when @hw_code
 *   does not look like a chip number.
 */
char *
sf_da_file_chip_name (guint16 hw_code)
{
  if (hw_code < 0x1000)
    return NULL;
  for (guint shift = 0; shift < 16; shift += 4) {
    if (((hw_code >> shift) & 0xF) > 9)
      return NULL;
  }
  return g_strdup_printf ("MT%04X", hw_code);
}

/**
 * sf_da_file_describe_chip:
 * @hw_code: an entry's or a chip's hw code
 *
 * Returns: (transfer full): "MT6572 (hw code 0x6572)", or "hw code 0x0321"
 *   when no name can be given; for messages.
 */
char *
sf_da_file_describe_chip (guint16 hw_code)
{
  g_autofree char *name = sf_da_file_chip_name (hw_code);

  if (name != NULL)
    return g_strdup_printf (_("%s (hw code 0x%04X)"), name, hw_code);
  return g_strdup_printf (_("hw code 0x%04X"), hw_code);
}

static const char *
region_role (guint index)
{
  switch (index) {
  case SF_DA_REGION_DA1: return " (DA1)";
  case SF_DA_REGION_DA2: return " (DA2)";
  default: return "";
  }
}

/* ---- region stream ------------------------------------------------------ */

/* Hands out exactly @remaining bytes of the file it wraps, which is already
 * positioned on the region's first byte. */
G_DECLARE_FINAL_TYPE (SfDaRegionStream, sf_da_region_stream, SF, DA_REGION_STREAM, GInputStream)

struct _SfDaRegionStream
{
  GInputStream   parent_instance;

  GInputStream  *base;
  char          *display_name;
  guint64        remaining;
  guint64        region_end;  /* file offset just past the region, for messages */
};

G_DEFINE_FINAL_TYPE (SfDaRegionStream, sf_da_region_stream, G_TYPE_INPUT_STREAM)

static gssize
sf_da_region_stream_read (GInputStream  *stream,
                          void          *buffer,
                          gsize          count,
                          GCancellable  *cancellable,
                          GError       **error)
{
  SfDaRegionStream *self = SF_DA_REGION_STREAM (stream);
  gssize n;

  if (self->remaining == 0 || count == 0)
    return 0;
  if (self->base == NULL) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED, _("the stream is already closed"));
    return -1;
  }

  count = (gsize) MIN ((guint64) count, self->remaining);
  count = MIN (count, (gsize) G_MAXSSIZE);
  n = g_input_stream_read (self->base, buffer, count, cancellable, error);
  if (n < 0)
    return -1;
  if (n == 0) {
    /* Checked against the size when the file was opened: it has shrunk. */
    sf_set_error_at (error, SF_ERROR_INVALID_DA_FILE, self->display_name, 0,
                     _("open the DA file again, and do not change it while flashing"),
                     _("the file ends %" PRIu64 " bytes before the end of the region "
                       "(offset 0x%" PRIX64 "); it changed after it was opened"),
                     self->remaining, self->region_end);
    return -1;
  }

  self->remaining -= (guint64) n;
  return n;
}

static gboolean
sf_da_region_stream_close (GInputStream  *stream,
                           GCancellable  *cancellable,
                           GError       **error)
{
  SfDaRegionStream *self = SF_DA_REGION_STREAM (stream);
  gboolean ok = TRUE;

  if (self->base != NULL)
    ok = g_input_stream_close (self->base, cancellable, error);
  g_clear_object (&self->base);
  return ok;
}

static void
sf_da_region_stream_finalize (GObject *object)
{
  SfDaRegionStream *self = SF_DA_REGION_STREAM (object);

  g_clear_object (&self->base);
  g_free (self->display_name);

  G_OBJECT_CLASS (sf_da_region_stream_parent_class)->finalize (object);
}

static void
sf_da_region_stream_class_init (SfDaRegionStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = sf_da_region_stream_finalize;
  stream_class->read_fn = sf_da_region_stream_read;
  stream_class->close_fn = sf_da_region_stream_close;
}

static void
sf_da_region_stream_init (SfDaRegionStream *self)
{
}

/* ---- SfDaFile ----------------------------------------------------------- */

static void
sf_da_file_finalize (GObject *object)
{
  SfDaFile *self = SF_DA_FILE (object);

  g_clear_object (&self->file);
  g_clear_object (&self->archive);
  g_free (self->display_name);
  g_free (self->identifier);
  g_clear_pointer (&self->entries, g_array_unref);

  G_OBJECT_CLASS (sf_da_file_parent_class)->finalize (object);
}

static void
sf_da_file_class_init (SfDaFileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sf_da_file_finalize;
}

static void
sf_da_file_init (SfDaFile *self)
{
  self->entries = g_array_new (FALSE, TRUE, sizeof (SfDaEntry));
}

/* Reads up to @count bytes; fewer only at the end of the file. */
static gboolean
read_at_most (GInputStream  *stream,
              guint8        *buffer,
              gsize          count,
              gsize         *out_read,
              const char    *name,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!g_input_stream_read_all (stream, buffer, count, out_read, cancellable, &local_error)) {
    /* An archive entry's read errors already say where and why. */
    if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
        local_error->domain == SF_ERROR) {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
    sf_set_error_at (error, SF_ERROR_INVALID_DA_FILE, name, 0,
                     _("check that the file is readable"),
                     _("cannot read: %s"), local_error->message);
    return FALSE;
  }
  return TRUE;
}

static gboolean
parse_header (SfDaFile      *self,
              const guint8  *head,
              gsize          got,
              guint32       *out_count,
              GError       **error)
{
  const char *name = self->display_name;
  gsize desc_len = strlen (SF_DA_FILE_DESCRIPTION);
  const guint8 *ident = head + DA_FILE_OFFSET_IDENTIFIER;
  gsize ident_len;
  guint32 magic;
  guint32 count;

  if (got == 0) {
    sf_set_error_at (error, SF_ERROR_INVALID_DA_FILE, name, 0, ADVICE_DA_FILE,
                     _("the file is empty, not a DA file"));
    return FALSE;
  }
  if (got < desc_len || memcmp (head, SF_DA_FILE_DESCRIPTION, desc_len) != 0) {
    sf_set_error_at (error, SF_ERROR_INVALID_DA_FILE, name, 0, ADVICE_DA_FILE,
                     _("not a DA file: the description at offset 0x0 is not “%s”"),
                     SF_DA_FILE_DESCRIPTION);
    return FALSE;
  }
  if (got < SF_DA_FILE_HEADER_LEN) {
    sf_set_error_at (error, SF_ERROR_INVALID_DA_FILE, name, 0, ADVICE_DA_FILE,
                     _("the file is truncated: it is %" "zu" " bytes, "
                       "the DA file header alone is %u (0x%X)"),
                     got, SF_DA_FILE_HEADER_LEN, SF_DA_FILE_HEADER_LEN);
    return FALSE;
  }
  for (gsize i = desc_len; i < DA_FILE_DESCRIPTION_LEN; i++) {
    if (head[i] != 0) {
      sf_set_error_at (error, SF_ERROR_INVALID_DA_FILE, name, 0, ADVICE_DA_FILE,
                       _("not a DA file: the description at offset 0x0 is not “%s” followed by NUL "
                         "bytes (byte 0x%02X at offset 0x%" "zX)"),
                       SF_DA_FILE_DESCRIPTION, head[i], i);
      return FALSE;
    }
  }

  /* The identifier: printable ASCII up to the first NUL (or all 64 bytes). */
  ident_len = 0;
  while (ident_len < DA_FILE_IDENTIFIER_LEN && ident[ident_len] != 0)
    ident_len++;
  for (gsize i = 0; i < ident_len; i++) {
    if (ident[i] < 0x20 || ident[i] > 0x7E) {
      sf_set_error_at (error, SF_ERROR_INVALID_DA_FILE, name, 0, ADVICE_DA_FILE,
                       _("the identifier at offset 0x%X is not printable text "
                         "(byte 0x%02X at offset 0x%" "zX)"),
                       DA_FILE_OFFSET_IDENTIFIER, ident[i], DA_FILE_OFFSET_IDENTIFIER + i);
      return FALSE;
    }
  }
  self->identifier = g_strndup ((const char *) ident, ident_len);

  self->version = read_le32 (head + DA_FILE_OFFSET_VERSION);
  if (self->version != SF_DA_FILE_VERSION)
    g_debug ("%s: DA file version %u, not %u; accepted", name, self->version, SF_DA_FILE_VERSION);

  magic = read_le32 (head + DA_FILE_OFFSET_MAGIC);
  if (magic != SF_DA_FILE_MAGIC) {
    sf_set_error_at (error, SF_ERROR_INVALID_DA_FILE, name, 0, ADVICE_DA_FILE,
                     _("wrong magic 0x%08X at offset 0x%X, a DA file has 0x%08X there"),
                     magic, DA_FILE_OFFSET_MAGIC, SF_DA_FILE_MAGIC);
    return FALSE;
  }

  count = read_le32 (head + DA_FILE_OFFSET_COUNT);
  if (count == 0 || count > DA_FILE_MAX_ENTRIES) {
    sf_set_error_at (error, SF_ERROR_INVALID_DA_FILE, name, 0, ADVICE_DA_FILE,
                     _("the entry count at offset 0x%X is %u; a DA file holds 1 to %u entries"),
                     DA_FILE_OFFSET_COUNT, count, DA_FILE_MAX_ENTRIES);
    return FALSE;
  }

  *out_count = count;
  return TRUE;
}

/* Decodes and checks entry @index, which starts at @p (file offset
 * @offset), in the layout of @entry_size bytes. */
static gboolean
parse_entry (SfDaFile      *self,
             const guint8  *p,
             guint          index,
             guint          entry_size,
             SfDaEntry     *entry,
             GError       **error)
{
  const char *name = self->display_name;
  gsize offset = SF_DA_FILE_HEADER_LEN + (gsize) index * entry_size;
  gboolean old = entry_size == SF_DA_ENTRY_LEN_OLD;
  /* The old layout lacks sw_version and reserved1 (4 bytes at 0x08). */
  gsize shift = old ? 4 : 0;
  gsize regions_at = 0x14 - shift;
  guint16 magic;
  g_autofree char *chip = NULL;

  memset (entry, 0, sizeof *entry);
  magic = read_le16 (p);
  if (magic != SF_DA_ENTRY_MAGIC) {
    sf_set_error_at (error, SF_ERROR_INVALID_DA_FILE, name, 0, ADVICE_DA_FILE,
                     _("entry %u at offset 0x%" "zX does not start with the entry "
                       "magic 0x%04X (found 0x%04X)"),
                     index, offset, SF_DA_ENTRY_MAGIC, magic);
    return FALSE;
  }

  entry->hw_code = read_le16 (p + 0x02);
  entry->hw_sub_code = read_le16 (p + 0x04);
  entry->hw_version = read_le16 (p + 0x06);
  entry->sw_version = old ? 0 : read_le16 (p + 0x08);
  entry->page_size = read_le16 (p + 0x0C - shift);
  entry->region_index = read_le16 (p + 0x10 - shift);
  entry->n_regions = read_le16 (p + 0x12 - shift);
  chip = sf_da_file_describe_chip (entry->hw_code);

  if (entry->n_regions == 0 || entry->n_regions > SF_DA_MAX_REGIONS) {
    sf_set_error_at (error, SF_ERROR_INVALID_DA_FILE, name, 0, ADVICE_DA_FILE,
                     _("entry %u (%s): the region count at offset 0x%" "zX is %u; "
                       "an entry uses 1 to %u regions"),
                     index, chip, offset + 0x12 - shift, entry->n_regions, SF_DA_MAX_REGIONS);
    return FALSE;
  }

  for (guint r = 0; r < entry->n_regions; r++) {
    const guint8 *q = p + regions_at + (gsize) r * SF_DA_REGION_LEN;
    gsize record = offset + regions_at + (gsize) r * SF_DA_REGION_LEN;
    SfDaRegion *region = &entry->regions[r];
    guint64 end;

    region->offset = read_le32 (q + 0x00);
    region->length = read_le32 (q + 0x04);
    region->address = read_le32 (q + 0x08);
    region->sig_offset = read_le32 (q + 0x0C);
    region->sig_length = read_le32 (q + 0x10);

    if (r == SF_DA_REGION_DA1 || r == SF_DA_REGION_DA2) {
      if (region->offset < DA_REGION_MIN_OFFSET) {
        sf_set_error_at (error, SF_ERROR_INVALID_DA_FILE, name, 0, ADVICE_DA_FILE,
                         _("entry %u (%s), region %u%s: its data offset 0x%X (record at offset "
                           "0x%" "zX) lies in the file header; it must be at least 0x%X"),
                         index, chip, r, region_role (r), region->offset, record, DA_REGION_MIN_OFFSET);
        return FALSE;
      }
      if (region->length < DA_REGION_MIN_LENGTH) {
        sf_set_error_at (error, SF_ERROR_INVALID_DA_FILE, name, 0, ADVICE_DA_FILE,
                         _("entry %u (%s), region %u%s: its length 0x%X (record at offset "
                           "0x%" "zX) is too small; a DA is at least 0x%X bytes"),
                         index, chip, r, region_role (r), region->length, record, DA_REGION_MIN_LENGTH);
        return FALSE;
      }
      if (region->address == 0) {
        sf_set_error_at (error, SF_ERROR_INVALID_DA_FILE, name, 0, ADVICE_DA_FILE,
                         _("entry %u (%s), region %u%s: its load address (record at offset "
                           "0x%" "zX) is 0"),
                         index, chip, r, region_role (r), record);
        return FALSE;
      }
    }

    if (region->sig_length > region->length) {
      sf_set_error_at (error, SF_ERROR_INVALID_DA_FILE, name, 0, ADVICE_DA_FILE,
                       _("entry %u (%s), region %u%s: its signature length 0x%X is larger than "
                         "the region (0x%X bytes; record at offset 0x%" "zX)"),
                       index, chip, r, region_role (r), region->sig_length, region->length, record);
      return FALSE;
    }

    /* 64-bit sum: offset + length cannot wrap. */
    end = (guint64) region->offset + region->length;
    if (end > self->file_size) {
      sf_set_error_at (error, SF_ERROR_INVALID_DA_FILE, name, 0, ADVICE_DA_FILE,
                       _("entry %u (%s), region %u%s: 0x%X bytes at offset 0x%X run past the end "
                         "of the file (%" PRIu64 " bytes; record at offset "
                         "0x%" "zX); the file is truncated or damaged"),
                       index, chip, r, region_role (r), region->length, region->offset,
                       self->file_size, record);
      return FALSE;
    }
  }

  return TRUE;
}

/* Parses the @count entries in @table (@got bytes from offset 0x6C) in the
 * layout of @entry_size bytes. */
static gboolean
parse_table (SfDaFile      *self,
             const guint8  *table,
             gsize          got,
             guint32        count,
             guint          entry_size,
             GError       **error)
{
  gsize need = (gsize) count * entry_size;

  if (got < need) {
    sf_set_error_at (error, SF_ERROR_INVALID_DA_FILE, self->display_name, 0, ADVICE_DA_FILE,
                     _("the file is truncated: the table of %u entries (0x%X bytes each) needs "
                       "0x%" "zX bytes from offset 0x%X, the file has only "
                       "0x%" "zX there"),
                     count, entry_size, need, SF_DA_FILE_HEADER_LEN, got);
    return FALSE;
  }

  g_array_set_size (self->entries, 0);
  for (guint i = 0; i < count; i++) {
    SfDaEntry entry;

    if (!parse_entry (self, table + (gsize) i * entry_size, i, entry_size, &entry, error)) {
      g_array_set_size (self->entries, 0);
      return FALSE;
    }
    g_array_append_val (self->entries, entry);
  }
  self->entry_size = entry_size;
  return TRUE;
}

/* Reads and checks the header and the entry table from @stream, which is
 * on the file's first byte; self->file_size must be set. The one parser for
 * files on disk and archive entries alike. */
static gboolean
parse_stream (SfDaFile      *self,
              GInputStream  *stream,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree guint8 *table = NULL;
  guint8 head[SF_DA_FILE_HEADER_LEN];
  gsize got = 0;
  gsize table_got = 0;
  guint32 count = 0;

  if (!read_at_most (stream, head, sizeof head, &got, self->display_name, cancellable, error))
    return FALSE;
  if (!parse_header (self, head, got, &count, error))
    return FALSE;

  /* At most 64 × 0xDC bytes: read the table as the larger layout would need,
   * then decide which layout it is. */
  table = g_malloc0 ((gsize) count * SF_DA_ENTRY_LEN);
  if (!read_at_most (stream, table, (gsize) count * SF_DA_ENTRY_LEN, &table_got,
                     self->display_name, cancellable, error))
    return FALSE;

  if (count >= 2) {
    /* §5.2: a second entry magic right after 0xD8 bytes means the old layout. */
    gboolean old = table_got >= SF_DA_ENTRY_LEN_OLD + 2 &&
                   read_le16 (table + SF_DA_ENTRY_LEN_OLD) == SF_DA_ENTRY_MAGIC;

    if (!parse_table (self, table, table_got, count,
                      old ? SF_DA_ENTRY_LEN_OLD : SF_DA_ENTRY_LEN, error))
      return FALSE;
  } else if (!parse_table (self, table, table_got, count, SF_DA_ENTRY_LEN, &local_error)) {
    /* One entry: nothing to tell the layouts apart by but whether it makes sense. */
    if (!parse_table (self, table, table_got, count, SF_DA_ENTRY_LEN_OLD, NULL)) {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  }

  g_debug ("%s: “%s”, version %u, %u entries of 0x%X bytes, %" PRIu64 " bytes",
           self->display_name, self->identifier, self->version, self->entries->len,
           self->entry_size, self->file_size);
  return TRUE;
}

/**
 * sf_da_file_new:
 * @file: the DA file, e.g. `MTK_AllInOne_DA.bin`
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads and checks the header and the entry table (protocol.md §5); the
 * regions stay on disk until sf_da_file_open_region().
 *
 * Returns: (transfer full): the DA file, or %NULL with @error set
 *   (%SF_ERROR_INVALID_DA_FILE, or %G_IO_ERROR_CANCELLED).
 */
SfDaFile *
sf_da_file_new (GFile         *file,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autoptr(SfDaFile) self = NULL;
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (SF_TYPE_DA_FILE, NULL);
  self->file = g_object_ref (file);
  self->display_name = g_file_get_parse_name (file);

  stream = g_file_read (file, cancellable, &local_error);
  if (stream == NULL) {
    if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
    sf_set_error_at (error, SF_ERROR_INVALID_DA_FILE, self->display_name, 0,
                     _("check the path and that you may read the file"),
                     _("cannot open the DA file: %s"), local_error->message);
    return NULL;
  }

  info = g_file_input_stream_query_info (stream, G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                         cancellable, &local_error);
  if (info == NULL) {
    sf_set_error_at (error, SF_ERROR_INVALID_DA_FILE, self->display_name, 0,
                     _("check that the file is readable"),
                     _("cannot read: %s"), local_error->message);
    return NULL;
  }
  self->file_size = (guint64) g_file_info_get_size (info);

  if (!parse_stream (self, G_INPUT_STREAM (stream), cancellable, error))
    return NULL;
  return g_steal_pointer (&self);
}

/* Whether the bytes the archive kept of @entry while it was listed hold the
 * header and the whole table, so the entry need not be read again. */
static gboolean
kept_holds_table (const SfArchiveEntry *entry)
{
  const guint8 *data;
  gsize len = 0;
  guint32 count;

  if (entry->kept == NULL)
    return FALSE;
  if (entry->kept_all)
    return TRUE;
  data = g_bytes_get_data (entry->kept, &len);
  if (len < SF_DA_FILE_HEADER_LEN)
    return FALSE;
  /* A count out of range fails on the header alone. */
  count = read_le32 (data + DA_FILE_OFFSET_COUNT);
  if (count == 0 || count > DA_FILE_MAX_ENTRIES)
    return TRUE;
  return len >= SF_DA_FILE_HEADER_LEN + (gsize) count * SF_DA_ENTRY_LEN;
}

/**
 * sf_da_file_new_from_archive:
 * @archive: a firmware archive
 * @entry: the DA file's entry in @archive
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * As sf_da_file_new(), for a DA file inside an archive, which is read in
 * place and never unpacked: the header and the table are read from the
 * start of the entry, and sf_da_file_open_region() reads through the entry
 * again up to the region. Messages name the file
 * `firmware.zip/dir/MTK_AllInOne_DA.bin`. @self keeps a reference on
 * @archive.
 *
 * Returns: (transfer full): the DA file, or %NULL with @error set
 *   (%SF_ERROR_INVALID_DA_FILE; %SF_ERROR_ARCHIVE when the entry cannot be
 *   read out of the archive; or %G_IO_ERROR_CANCELLED).
 */
SfDaFile *
sf_da_file_new_from_archive (SfArchive             *archive,
                             const SfArchiveEntry  *entry,
                             GCancellable          *cancellable,
                             GError               **error)
{
  g_autoptr(SfDaFile) self = NULL;
  g_autoptr(GInputStream) stream = NULL;

  g_return_val_if_fail (SF_IS_ARCHIVE (archive), NULL);
  g_return_val_if_fail (entry != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (SF_TYPE_DA_FILE, NULL);
  self->archive = g_object_ref (archive);
  self->entry = entry;
  self->display_name = g_strdup_printf ("%s/%s", sf_archive_get_display_name (archive), entry->path);

  if (!sf_archive_measure_entry (archive, entry, &self->file_size, cancellable, error))
    return NULL;

  if (kept_holds_table (entry))
    stream = g_memory_input_stream_new_from_bytes (entry->kept);
  else
    stream = sf_archive_open_entry (archive, entry, cancellable, error);
  if (stream == NULL)
    return NULL;

  if (!parse_stream (self, stream, cancellable, error))
    return NULL;
  g_input_stream_close (stream, NULL, NULL);
  return g_steal_pointer (&self);
}

/**
 * sf_da_file_get_display_name:
 *
 * Returns: how messages name the file: its parse name, or
 *   `firmware.zip/dir/MTK_AllInOne_DA.bin` for a file in an archive.
 */
const char *
sf_da_file_get_display_name (SfDaFile *self)
{
  g_return_val_if_fail (SF_IS_DA_FILE (self), NULL);

  return self->display_name;
}

/**
 * sf_da_file_get_identifier:
 *
 * Returns: the identifier at offset 0x20, e.g. "MTK_AllInOne_DA_v3".
 */
const char *
sf_da_file_get_identifier (SfDaFile *self)
{
  g_return_val_if_fail (SF_IS_DA_FILE (self), NULL);

  return self->identifier;
}

/**
 * sf_da_file_get_version:
 *
 * Returns: the version field at offset 0x60 (4 in every real file; other
 *   values are accepted, see the top of this file).
 */
guint32
sf_da_file_get_version (SfDaFile *self)
{
  g_return_val_if_fail (SF_IS_DA_FILE (self), 0);

  return self->version;
}

/**
 * sf_da_file_get_entry_size:
 *
 * Returns: %SF_DA_ENTRY_LEN (0xDC) or, for old files, %SF_DA_ENTRY_LEN_OLD (0xD8).
 */
guint
sf_da_file_get_entry_size (SfDaFile *self)
{
  g_return_val_if_fail (SF_IS_DA_FILE (self), 0);

  return self->entry_size;
}

/**
 * sf_da_file_get_size:
 *
 * Returns: the size of the file in bytes when it was opened.
 */
guint64
sf_da_file_get_size (SfDaFile *self)
{
  g_return_val_if_fail (SF_IS_DA_FILE (self), 0);

  return self->file_size;
}

guint
sf_da_file_get_n_entries (SfDaFile *self)
{
  g_return_val_if_fail (SF_IS_DA_FILE (self), 0);

  return self->entries->len;
}

/**
 * sf_da_file_get_entry:
 * @index: 0 to sf_da_file_get_n_entries() − 1, in file order
 *
 * Returns: (transfer none): the entry, owned by @self.
 */
const SfDaEntry *
sf_da_file_get_entry (SfDaFile *self,
                      guint     index)
{
  g_return_val_if_fail (SF_IS_DA_FILE (self), NULL);
  g_return_val_if_fail (index < self->entries->len, NULL);

  return &g_array_index (self->entries, SfDaEntry, index);
}

/**
 * sf_da_file_find_entry:
 * @hw_code: the chip's DA code (GET_HW_CODE, §4)
 * @hw_version: the chip's hw_ver from GET_HW_SW_VER; 0 matches any entry
 * @sw_version: the chip's sw_ver from GET_HW_SW_VER; 0 matches any entry
 *
 * §5.4: the first entry in file order with @hw_code whose hw_version and
 * sw_version the chip's reach.
 *
 * Returns: (transfer none): the entry, or %NULL with %SF_ERROR_DA_NO_ENTRY.
 */
const SfDaEntry *
sf_da_file_find_entry (SfDaFile  *self,
                       guint16    hw_code,
                       guint16    hw_version,
                       guint16    sw_version,
                       GError   **error)
{
  g_autoptr(GString) codes = NULL;
  g_autofree char *chip = NULL;
  guint n_same_code = 0;
  guint16 need_hw = G_MAXUINT16;
  guint16 need_sw = G_MAXUINT16;

  g_return_val_if_fail (SF_IS_DA_FILE (self), NULL);

  for (guint i = 0; i < self->entries->len; i++) {
    const SfDaEntry *entry = &g_array_index (self->entries, SfDaEntry, i);

    if (entry->hw_code != hw_code)
      continue;
    if ((hw_version == 0 || entry->hw_version <= hw_version) &&
        (sw_version == 0 || entry->sw_version <= sw_version))
      return entry;
    n_same_code++;
    need_hw = MIN (need_hw, entry->hw_version);
    need_sw = MIN (need_sw, entry->sw_version);
  }

  chip = sf_da_file_describe_chip (hw_code);
  if (n_same_code > 0) {
    sf_set_error_at (error, SF_ERROR_DA_NO_ENTRY, self->display_name, 0,
                     _("use a DA file from a newer SP Flash Tool release that supports this chip revision"),
                     _("the %u entries for %s want hw version 0x%04X and sw version 0x%04X or later "
                       "(the lowest of each); the chip reports hw version 0x%04X, sw version 0x%04X"),
                     n_same_code, chip, need_hw, need_sw, hw_version, sw_version);
    return NULL;
  }

  codes = g_string_new (NULL);
  for (guint i = 0; i < self->entries->len; i++) {
    const SfDaEntry *entry = &g_array_index (self->entries, SfDaEntry, i);
    gboolean seen = FALSE;

    for (guint j = 0; j < i && !seen; j++)
      seen = g_array_index (self->entries, SfDaEntry, j).hw_code == entry->hw_code;
    if (seen)
      continue;
    if (codes->len > 0)
      g_string_append (codes, ", ");
    g_string_append_printf (codes, "0x%04X", entry->hw_code);
  }
  sf_set_error_at (error, SF_ERROR_DA_NO_ENTRY, self->display_name, 0,
                   _("use a DA file made for this chip, such as the MTK_AllInOne_DA.bin of an SP Flash "
                     "Tool release that supports it"),
                   _("the file has no DA for %s; it has entries for hw codes %s"),
                   chip, codes->str);
  return NULL;
}

/* Takes @base, positioned on @region's first byte. */
static GInputStream *
wrap_region (SfDaFile          *self,
             GInputStream      *base,
             const SfDaRegion  *region)
{
  SfDaRegionStream *region_stream = g_object_new (sf_da_region_stream_get_type (), NULL);

  region_stream->base = base;
  region_stream->display_name = g_strdup (self->display_name);
  region_stream->remaining = region->length;
  region_stream->region_end = (guint64) region->offset + region->length;
  return G_INPUT_STREAM (region_stream);
}

/* The archive entry, read through up to @offset. An entry that ends sooner
 * is not an error here: the region stream then reports that it changed. */
static GInputStream *
open_entry_at (SfDaFile      *self,
               guint64        offset,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(GInputStream) stream = NULL;

  stream = sf_archive_open_entry (self->archive, self->entry, cancellable, error);
  if (stream == NULL)
    return NULL;

  while (offset > 0) {
    gssize n = g_input_stream_skip (stream, (gsize) MIN (offset, (guint64) G_MAXSSIZE),
                                    cancellable, error);

    if (n < 0)
      return NULL;
    if (n == 0)
      break;
    offset -= (guint64) n;
  }
  return g_steal_pointer (&stream);
}

/**
 * sf_da_file_open_region:
 * @entry: an entry of @self
 * @index: the region: %SF_DA_REGION_DA1, %SF_DA_REGION_DA2, …
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Opens the file afresh and streams exactly region->length bytes from
 * region->offset, signature included; the rest of the file is never read.
 * In an archive, the entry is read from its start and the bytes before the
 * region are skipped (read and dropped, never held). Each call returns an
 * independent stream.
 *
 * Returns: (transfer full): the region's bytes, or %NULL with @error set.
 */
GInputStream *
sf_da_file_open_region (SfDaFile         *self,
                        const SfDaEntry  *entry,
                        guint             index,
                        GCancellable     *cancellable,
                        GError          **error)
{
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GInputStream) base = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *chip = NULL;
  const SfDaRegion *region;

  g_return_val_if_fail (SF_IS_DA_FILE (self), NULL);
  g_return_val_if_fail (entry != NULL, NULL);

  if (index >= entry->n_regions) {
    chip = sf_da_file_describe_chip (entry->hw_code);
    sf_set_error_at (error, SF_ERROR_INVALID_DA_FILE, self->display_name, 0, ADVICE_DA_FILE,
                     _("the entry for %s has no region %u%s; it has %u"),
                     chip, index, region_role (index), entry->n_regions);
    return NULL;
  }
  region = &entry->regions[index];

  if (self->archive != NULL) {
    base = open_entry_at (self, region->offset, cancellable, error);
    if (base == NULL)
      return NULL;
    return wrap_region (self, g_steal_pointer (&base), region);
  }

  stream = g_file_read (self->file, cancellable, &local_error);
  if (stream != NULL)
    g_seekable_seek (G_SEEKABLE (stream), region->offset, G_SEEK_SET, cancellable, &local_error);
  if (local_error != NULL) {
    if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
    sf_set_error_at (error, SF_ERROR_INVALID_DA_FILE, self->display_name, 0,
                     _("check the path and that you may read the file"),
                     _("cannot read the DA file: %s"), local_error->message);
    return NULL;
  }

  return wrap_region (self, G_INPUT_STREAM (g_steal_pointer (&stream)), region);
}

GFile *
sf_find_data_file (const char *build_relative,
                   const char *installed_name)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);

  if (exe != NULL) {
    g_autofree char *dir = g_path_get_dirname (exe);
    /* build/src/cli/scatterflash-cli, or a test in build/tests/ */
    g_autofree char *built = g_build_filename (dir, "..", "..", build_relative, NULL);
    g_autofree char *built_test = g_build_filename (dir, "..", build_relative, NULL);

    if (g_file_test (built, G_FILE_TEST_EXISTS))
      return g_file_new_for_path (built);
    if (g_file_test (built_test, G_FILE_TEST_EXISTS))
      return g_file_new_for_path (built_test);
  }
  return g_file_new_build_filename (PKGDATADIR, installed_name, NULL);
}

GFile *
sf_da_file_find_bundled (void)
{
  return sf_find_data_file ("tools/" SF_BUNDLED_DA_NAME, SF_BUNDLED_DA_NAME);
}

/**
 * sf_da_file_choose:
 * @override: (nullable): a DA file the user named (`--da`, the window's
 *   DA row)
 * @shipped: (nullable): the DA that ships with the firmware
 *   (sf_firmware_open_da()), when it is to be used
 * @error: return location for a #GError
 *
 * The DA a job uses, the same for every face: @override when given, else
 * @shipped, else the one bundled with Scatterflash
 * (sf_da_file_find_bundled()). Whether it can start the firmware's chip is
 * sf_firmware_check_da().
 *
 * Returns: (transfer full): the DA file, or %NULL with @error set when the
 *   file to use cannot be read as one.
 */
SfDaFile *
sf_da_file_choose (GFile     *override,
                   SfDaFile  *shipped,
                   GError   **error)
{
  g_autoptr(GFile) bundled = NULL;

  g_return_val_if_fail (override == NULL || G_IS_FILE (override), NULL);
  g_return_val_if_fail (shipped == NULL || SF_IS_DA_FILE (shipped), NULL);

  if (override != NULL)
    return sf_da_file_new (override, NULL, error);
  if (shipped != NULL)
    return g_object_ref (shipped);
  bundled = sf_da_file_find_bundled ();
  return sf_da_file_new (bundled, NULL, error);
}
