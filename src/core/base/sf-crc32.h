/* sf-crc32.h — CRC-32 (IEEE 802.3, as zlib, gzip, zip and Android sparse use it)
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Continues @crc (0 to start) over @len bytes: sf_crc32 (sf_crc32 (0, a), b)
 * is the CRC-32 of a followed by b, as zlib's crc32() and libsparse's
 * sparse_crc32() chain. */
guint32  sf_crc32         (guint32        crc,
                           const void    *data,
                           gsize          len);

/* The CRC-32 of A followed by B, from the CRCs of A and B and B's length. */
guint32  sf_crc32_combine (guint32        crc_a,
                           guint32        crc_b,
                           guint64        len_b);

/* Continues @crc over @pattern (4 bytes) repeated @count times, in
 * O(log @count): a sparse FILL or DONT_CARE run of gigabytes costs nothing. */
guint32  sf_crc32_repeat  (guint32        crc,
                           const guint8   pattern[4],
                           guint64        count);

G_END_DECLS
