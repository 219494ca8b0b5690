/* sf-make-da.c — writes the synthetic DA file the virtual phone boots
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: sf-make-da OUTPUT
 *
 * The file has the real MTK_AllInOne_DA.bin layout (protocol.md §5:
 * header, 0xDC-byte entries, 20-byte region records, little-endian), and
 * the MT6572 entry has the field values of a real file (§12). The region
 * bytes are ours, not MediaTek code: an ASCII banner, then pseudo-random
 * bytes from a fixed seed, and a generated "signature" at the end of DA1 and
 * DA2. The output is the same, byte for byte, on every run and machine.
 */

#include "config.h"

#include <glib.h>
#include <string.h>

#include "sf-mtk.h"

#define IDENTIFIER        "MTK_AllInOne_DA_scatterflash"
#define REGION_ALIGN      0x10

typedef struct {
  guint32  length;       /* signature included */
  guint32  address;
  guint32  sig_length;
} RegionSpec;

typedef struct {
  guint16     hw_code;
  guint16     hw_sub_code;
  guint16     hw_version;
  guint16     sw_version;
  guint16     page_size;
  guint       n_regions;
  RegionSpec  regions[3];
} EntrySpec;

/* In file order, as in a real file: MT6572 before MT6582, MT6580 last. */
static const EntrySpec entries[] = {
  /* §12: the MT6572 entry of a real MTK_AllInOne_DA.bin. */
  { SF_HW_CODE_MT6572, 0x0000, 0xCA00, 0x0000, 4096, 3, {
    { 0x270, 0x80010000, 0 },
    { 0xE9D4, 0x02007000, 0x100 },
    { 0x27130, 0x80000000, 0x100 },
  } },
  /* Plausible values: DA1 in the SRAM of the newer chips (§4), DA2 in DRAM. */
  { SF_HW_CODE_MT6582, 0x0000, 0xCA00, 0x0000, 4096, 3, {
    { 0x270, 0x80010000, 0 },
    { 0xF1C8, 0x00200000, 0x100 },
    { 0x2A5E0, 0x80000000, 0x100 },
  } },
  { SF_HW_CODE_MT6580, 0x0000, 0xCA00, 0x0000, 4096, 3, {
    { 0x270, 0x80010000, 0 },
    { 0x10A3C, 0x00200000, 0x100 },
    { 0x2C7F8, 0x80000000, 0x100 },
  } },
};

static void
put_le16 (guint8  *p,
          guint16  v)
{
  p[0] = (guint8) v;
  p[1] = (guint8) (v >> 8);
}

static void
put_le32 (guint8  *p,
          guint32  v)
{
  p[0] = (guint8) v;
  p[1] = (guint8) (v >> 8);
  p[2] = (guint8) (v >> 16);
  p[3] = (guint8) (v >> 24);
}

/* xorshift32: fixed, portable, and independent of GLib's GRand. */
static guint32
next_random (guint32 *state)
{
  guint32 x = *state;

  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  *state = x;
  return x;
}

static void
fill_random (guint8  *p,
             gsize    len,
             guint32  seed)
{
  guint32 state = seed != 0 ? seed : 0x9E3779B9u;

  for (gsize i = 0; i < len; i++)
    p[i] = (guint8) (next_random (&state) >> 24);
}

static const char *
region_name (guint index)
{
  switch (index) {
  case SF_DA_REGION_DA1: return "DA1";
  case SF_DA_REGION_DA2: return "DA2";
  default: return "header region";
  }
}

/* The bytes of one region: banner + pseudo-random body + signature. */
static void
fill_region (guint8            *p,
             const EntrySpec   *entry,
             guint              index)
{
  const RegionSpec *spec = &entry->regions[index];
  guint32 body_len = spec->length - spec->sig_length;
  g_autofree char *banner = g_strdup_printf ("Scatterflash synthetic %s for MT%04X on the virtual phone"
                                             " \xe2\x80\x94 not MediaTek code\n",
                                             region_name (index), entry->hw_code);
  gsize banner_len = MIN (strlen (banner), (gsize) body_len);

  memcpy (p, banner, banner_len);
  fill_random (p + banner_len, body_len - banner_len,
               ((guint32) entry->hw_code << 16) | (index << 8) | 0x5A);
  if (spec->sig_length > 0)
    fill_random (p + body_len, spec->sig_length,
                 ((guint32) entry->hw_code << 16) | (index << 8) | 0xA5);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  guint n = G_N_ELEMENTS (entries);
  gsize table_end = SF_DA_FILE_HEADER_LEN + (gsize) n * SF_DA_ENTRY_LEN;
  gsize data_at = (table_end + 0xFF) & ~(gsize) 0xFF;   /* regions from 0x300 */
  guint8 *p;

  if (argc != 2) {
    g_printerr ("Usage: %s OUTPUT\n", argv[0]);
    return 2;
  }

  /* Header and table, zero-filled; the layout leaves unused fields 0. */
  g_byte_array_set_size (out, (guint) data_at);
  memset (out->data, 0, out->len);
  p = out->data;
  memcpy (p, SF_DA_FILE_DESCRIPTION, strlen (SF_DA_FILE_DESCRIPTION));
  memcpy (p + 0x20, IDENTIFIER, strlen (IDENTIFIER));
  put_le32 (p + 0x60, SF_DA_FILE_VERSION);
  put_le32 (p + 0x64, SF_DA_FILE_MAGIC);
  put_le32 (p + 0x68, n);

  for (guint e = 0; e < n; e++) {
    const EntrySpec *entry = &entries[e];
    gsize at = SF_DA_FILE_HEADER_LEN + (gsize) e * SF_DA_ENTRY_LEN;

    p = out->data + at;
    put_le16 (p + 0x00, SF_DA_ENTRY_MAGIC);
    put_le16 (p + 0x02, entry->hw_code);
    put_le16 (p + 0x04, entry->hw_sub_code);
    put_le16 (p + 0x06, entry->hw_version);
    put_le16 (p + 0x08, entry->sw_version);
    put_le16 (p + 0x0C, entry->page_size);
    put_le16 (p + 0x10, 0);                       /* entry_region_index */
    put_le16 (p + 0x12, (guint16) entry->n_regions);

    for (guint r = 0; r < entry->n_regions; r++) {
      const RegionSpec *spec = &entry->regions[r];
      gsize offset = out->len;
      gsize padded = (spec->length + REGION_ALIGN - 1) & ~(gsize) (REGION_ALIGN - 1);
      guint8 *rec;

      g_byte_array_set_size (out, (guint) (offset + padded));
      memset (out->data + offset, 0, padded);
      fill_region (out->data + offset, entry, r);

      /* The array may have moved: address the record afresh. */
      rec = out->data + at + 0x14 + (gsize) r * SF_DA_REGION_LEN;
      put_le32 (rec + 0x00, (guint32) offset);
      put_le32 (rec + 0x04, spec->length);
      put_le32 (rec + 0x08, spec->address);
      put_le32 (rec + 0x0C, spec->length - spec->sig_length);   /* §12: m_len − m_sig_len */
      put_le32 (rec + 0x10, spec->sig_length);
    }
  }

  if (!g_file_set_contents (argv[1], (const char *) out->data, out->len, &error)) {
    g_printerr ("sf-make-da: %s\n", error->message);
    return 1;
  }
  return 0;
}
