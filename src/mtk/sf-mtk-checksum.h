/* sf-mtk-checksum.h — the DA's packet checksum, for the host and the virtual phone
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The one piece of logic the host and the virtual phone share (everything
 * else each side writes on its own from docs/protocol.md): the checksum of
 * a `62` or `D6` packet is the byte sum & 0xFFFF (§6.8, §13.5). It runs over
 * every byte that crosses the link, on both sides of the lock-step, so it
 * must be fast; tests/test-units.c holds it to the byte-at-a-time
 * definition for every length, alignment and carry.
 */

#pragma once

#include <glib.h>
#include <string.h>

/* The byte sum of @data, added to @sum, & 0xFFFF. */
static inline guint16
sf_mtk_byte_sum16 (guint16       sum,
                   const guint8 *data,
                   gsize         len)
{
  /* Eight bytes at a time: the even and odd bytes of a word are added in
   * 16-bit lanes, which cannot overflow within 128 words (128 × 2 × 255). */
  const guint64 low_bytes = G_GUINT64_CONSTANT (0x00FF00FF00FF00FF);
  guint64 s = sum;

  while (len >= 8) {
    gsize words = MIN (len / 8, 128);
    guint64 lanes = 0;

    for (gsize i = 0; i < words; i++) {
      guint64 w;

      memcpy (&w, data + 8 * i, 8);
      lanes += (w & low_bytes) + ((w >> 8) & low_bytes);
    }
    s += (lanes & 0xFFFF) + ((lanes >> 16) & 0xFFFF) + ((lanes >> 32) & 0xFFFF) + (lanes >> 48);
    data += 8 * words;
    len -= 8 * words;
  }
  for (gsize i = 0; i < len; i++)
    s += data[i];
  return (guint16) (s & 0xFFFF);
}
