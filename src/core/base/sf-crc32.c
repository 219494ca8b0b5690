/* sf-crc32.c — CRC-32 (IEEE 802.3, as zlib, gzip, zip and Android sparse use it)
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* GLib has no CRC-32, and zlib would be a dependency for one function.
 * Slicing-by-8 tables keep it well above USB speed (over 1 GB/s), so
 * checking an image while it streams costs next to nothing; the combine
 * step is zlib's x^(2^n) method, so long runs of one pattern cost a few
 * multiplications instead of a pass over gigabytes of zeros. */

#include "config.h"

#include "sf-crc32.h"

#define POLY 0xEDB88320u   /* reflected 0x04C11DB7 */

static guint32 table[8][256];
static guint32 x2n_table[32];   /* x^(2^n) mod p(x) */

static gpointer
init_tables (gpointer data)
{
  for (guint i = 0; i < 256; i++) {
    guint32 c = i;

    for (guint k = 0; k < 8; k++)
      c = c & 1 ? (c >> 1) ^ POLY : c >> 1;
    table[0][i] = c;
  }
  for (guint i = 0; i < 256; i++) {
    for (guint t = 1; t < 8; t++)
      table[t][i] = (table[t - 1][i] >> 8) ^ table[0][table[t - 1][i] & 0xFF];
  }
  return NULL;
}

static void
ensure_tables (void)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, init_tables, NULL);
}

guint32
sf_crc32 (guint32     crc,
          const void *data,
          gsize       len)
{
  const guint8 *p = data;
  guint32 c = ~crc;

  ensure_tables ();

  while (len > 0 && ((guintptr) p & 7) != 0) {
    c = table[0][(c ^ *p++) & 0xFF] ^ (c >> 8);
    len--;
  }
  while (len >= 8) {
    /* Byte by byte, so it is the same on any endianness. */
    guint32 lo = c ^ ((guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24);
    guint32 hi = (guint32) p[4] | (guint32) p[5] << 8 | (guint32) p[6] << 16 | (guint32) p[7] << 24;

    c = table[7][lo & 0xFF] ^ table[6][(lo >> 8) & 0xFF] ^
        table[5][(lo >> 16) & 0xFF] ^ table[4][lo >> 24] ^
        table[3][hi & 0xFF] ^ table[2][(hi >> 8) & 0xFF] ^
        table[1][(hi >> 16) & 0xFF] ^ table[0][hi >> 24];
    p += 8;
    len -= 8;
  }
  while (len > 0) {
    c = table[0][(c ^ *p++) & 0xFF] ^ (c >> 8);
    len--;
  }
  return ~c;
}

/* a(x) × b(x) mod p(x), both reflected. */
static guint32
multmodp (guint32 a,
          guint32 b)
{
  guint32 m = 1u << 31;
  guint32 p = 0;

  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) == 0)
        break;
    }
    m >>= 1;
    b = b & 1 ? (b >> 1) ^ POLY : b >> 1;
  }
  return p;
}

static gpointer
init_x2n (gpointer data)
{
  guint32 p = 1u << 30;   /* x^1 */

  x2n_table[0] = p;
  for (guint n = 1; n < 32; n++)
    x2n_table[n] = p = multmodp (p, p);
  return NULL;
}

/* x^(n × 2^k) mod p(x) */
static guint32
x2nmodp (guint64 n,
         guint   k)
{
  static GOnce once = G_ONCE_INIT;
  guint32 p = 1u << 31;   /* x^0 */

  g_once (&once, init_x2n, NULL);
  while (n > 0) {
    if (n & 1)
      p = multmodp (x2n_table[k & 31], p);
    n >>= 1;
    k++;
  }
  return p;
}

guint32
sf_crc32_combine (guint32 crc_a,
                  guint32 crc_b,
                  guint64 len_b)
{
  return multmodp (x2nmodp (len_b, 3), crc_a) ^ crc_b;
}

guint32
sf_crc32_repeat (guint32       crc,
                 const guint8  pattern[4],
                 guint64       count)
{
  /* Doubling: @block is the CRC of the pattern repeated 2^i times. */
  guint32 block = sf_crc32 (0, pattern, 4);
  guint64 block_len = 4;

  while (count > 0) {
    if (count & 1)
      crc = sf_crc32_combine (crc, block, block_len);
    count >>= 1;
    if (count > 0) {
      block = sf_crc32_combine (block, block, block_len);
      block_len *= 2;
    }
  }
  return crc;
}
