/* sf-rar-headers.c — the CRC-32s in a RAR archive's file headers
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libarchive (3.6, 3.7) reads RAR 4 and RAR 5 but does not compare a stored
 * (uncompressed) entry's data with the CRC-32 in its header; forum packages
 * often store the images that way, as they hardly compress. So we read the
 * CRC-32s off the headers ourselves, one per file header in archive order
 * (which is the order libarchive hands out its entries in), and the entry
 * stream compares them at the end of each entry (issue 18). Only what both
 * readers agree on is used: an archive whose headers we cannot walk, that
 * encrypts its headers, or whose file headers do not match libarchive's
 * entries in number and name is read without this check, as before.
 *
 * Formats: RAR 4 as in unrar's technote.txt (7-byte blocks: HEAD_CRC,
 * HEAD_TYPE, HEAD_FLAGS, HEAD_SIZE; a file header 0x74 carries PACK_SIZE,
 * FILE_CRC and the name); RAR 5 as in rarlab.com's "RAR 5.0 archive format"
 * (CRC-32, then size, type and flags as variable-length integers; a file
 * header 2 with an optional data CRC-32). The test archives come from
 * tests/make-rar.py.
 */

#include "config.h"

#include <string.h>

#include "sf-rar-headers.h"

void
sf_rar_file_clear (SfRarFile *file)
{
  g_free (file->name);
}

static gboolean
read_exact (GInputStream  *in,
            void          *buf,
            gsize          len,
            GCancellable  *cancellable)
{
  gsize got = 0;

  return g_input_stream_read_all (in, buf, len, &got, cancellable, NULL) && got == len;
}

static gboolean
skip_exact (GInputStream  *in,
            guint64        len,
            GCancellable  *cancellable)
{
  return len == 0 ||
         (len <= G_MAXINT64 &&
          g_seekable_seek (G_SEEKABLE (in), (goffset) len, G_SEEK_CUR, cancellable, NULL));
}

static guint32
le32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

static gboolean
rar4_walk (GInputStream  *in,
           GArray        *files,
           GCancellable  *cancellable)
{
  for (;;) {
    guint8 head[7];
    g_autofree guint8 *rest = NULL;
    guint type, flags, size;
    guint64 data = 0;

    if (!read_exact (in, head, sizeof head, cancellable))
      return FALSE;  /* no end-of-archive block: cut short */
    type = head[2];
    flags = (guint) head[3] | (guint) head[4] << 8;
    size = (guint) head[5] | (guint) head[6] << 8;
    if (size < sizeof head)
      return FALSE;
    rest = g_malloc (size - sizeof head + 1);
    if (!read_exact (in, rest, size - sizeof head, cancellable))
      return FALSE;
    size -= sizeof head;

    if (type == 0x7B)                              /* end of archive */
      return TRUE;
    if (type == 0x73 && (flags & 0x0080) != 0)     /* encrypted headers */
      return FALSE;

    if (type == 0x74 || type == 0x7A) {            /* file, or service header */
      guint name_size;
      gsize name_at = 25;

      if (size < 25)
        return FALSE;
      data = le32 (rest);
      if ((flags & 0x0100) != 0) {                 /* 64-bit sizes */
        if (size < 33)
          return FALSE;
        data |= (guint64) le32 (rest + 25) << 32;
        name_at = 33;
      }
      name_size = (guint) rest[19] | (guint) rest[20] << 8;
      if (name_at + name_size > size)
        return FALSE;
      if (type == 0x74) {
        SfRarFile file = { 0 };

        /* Split over volumes (0x01, 0x02), encrypted (0x04), a folder
         * (0x00E0): no CRC-32 of the data to check here. Unicode names
         * (0x0200) are "ascii\0encoded": the plain part is the name. */
        file.has_crc = (flags & 0x0007) == 0 && (flags & 0x00E0) != 0x00E0;
        file.crc = le32 (rest + 9);
        file.name = g_strndup ((const char *) rest + name_at, name_size);
        g_strdelimit (file.name, "\\", '/');
        if ((flags & 0x0200) != 0 && strlen (file.name) == name_size)
          g_clear_pointer (&file.name, g_free);    /* UTF-8 name, no plain part */
        g_array_append_val (files, file);
      }
    } else if ((flags & 0x8000) != 0) {            /* ADD_SIZE */
      if (size < 4)
        return FALSE;
      data = le32 (rest);
    }

    if (!skip_exact (in, data, cancellable))
      return FALSE;
  }
}

/* A RAR 5 variable-length integer from @p (up to @end). */
static gboolean
vint (const guint8 **p,
      const guint8  *end,
      guint64       *out)
{
  guint64 value = 0;

  for (guint shift = 0; shift < 64 && *p < end; shift += 7) {
    guint8 byte = *(*p)++;

    value |= (guint64) (byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) {
      *out = value;
      return TRUE;
    }
  }
  return FALSE;
}

static gboolean
rar5_walk (GInputStream  *in,
           GArray        *files,
           GCancellable  *cancellable)
{
  for (;;) {
    guint8 crc_and_size[4 + 3];
    const guint8 *p = crc_and_size + 4;
    g_autofree guint8 *head = NULL;
    const guint8 *end;
    guint64 size = 0, type = 0, flags = 0, skip = 0, data = 0;
    gsize have;

    /* CRC-32, then the header's size in at most 3 bytes (headers are under
     * 2 MB), then the header. */
    if (!read_exact (in, crc_and_size, sizeof crc_and_size, cancellable))
      return FALSE;
    if (!vint (&p, crc_and_size + sizeof crc_and_size, &size) || size == 0 || size > 2 * 1024 * 1024)
      return FALSE;
    have = (gsize) (crc_and_size + sizeof crc_and_size - p);
    head = g_malloc ((gsize) size + have);
    memcpy (head, p, have);
    if (size > have && !read_exact (in, head + have, (gsize) size - have, cancellable))
      return FALSE;
    if (size < have && !g_seekable_seek (G_SEEKABLE (in), -(goffset) (have - size), G_SEEK_CUR, cancellable, NULL))
      return FALSE;
    p = head;
    end = head + size;

    if (!vint (&p, end, &type) || !vint (&p, end, &flags))
      return FALSE;
    if ((flags & 0x0001) != 0 && !vint (&p, end, &skip))   /* extra area size */
      return FALSE;
    if ((flags & 0x0002) != 0 && !vint (&p, end, &data))   /* data area size */
      return FALSE;

    if (type == 5)                                 /* end of archive */
      return TRUE;
    if (type == 4)                                 /* encrypted headers */
      return FALSE;
    if (type == 2) {                               /* file */
      guint64 file_flags = 0, unpacked = 0, attributes = 0, compression = 0, host = 0, name_len = 0;
      SfRarFile file = { 0 };

      if (!vint (&p, end, &file_flags) || !vint (&p, end, &unpacked) || !vint (&p, end, &attributes))
        return FALSE;
      if ((file_flags & 0x0002) != 0) {            /* mtime */
        if (end - p < 4)
          return FALSE;
        p += 4;
      }
      if ((file_flags & 0x0004) != 0) {            /* data CRC-32 */
        if (end - p < 4)
          return FALSE;
        file.crc = le32 (p);
        p += 4;
      }
      if (!vint (&p, end, &compression) || !vint (&p, end, &host) || !vint (&p, end, &name_len) ||
          name_len > (guint64) (end - p))
        return FALSE;
      /* A folder, or data split over volumes (0x0008, 0x0010): nothing to
       * check here. */
      file.has_crc = (file_flags & 0x0004) != 0 && (file_flags & 0x0001) == 0 && (flags & 0x0018) == 0;
      file.name = g_strndup ((const char *) p, (gsize) name_len);
      g_array_append_val (files, file);
    }

    if (!skip_exact (in, data, cancellable))
      return FALSE;
  }
}

GArray *
sf_rar_list_files (GFile         *file,
                   const char    *display_name,
                   GCancellable  *cancellable)
{
  static const guint8 rar4_mark[] = { 'R', 'a', 'r', '!', 0x1A, 0x07, 0x00 };
  static const guint8 rar5_mark[] = { 'R', 'a', 'r', '!', 0x1A, 0x07, 0x01, 0x00 };
  g_autoptr(GFileInputStream) in = g_file_read (file, cancellable, NULL);
  g_autoptr(GArray) files = g_array_new (FALSE, TRUE, sizeof (SfRarFile));
  guint8 mark[8];
  gboolean ok;

  g_array_set_clear_func (files, (GDestroyNotify) sf_rar_file_clear);
  if (in == NULL || !read_exact (G_INPUT_STREAM (in), mark, 7, cancellable))
    return NULL;
  if (memcmp (mark, rar4_mark, sizeof rar4_mark) == 0) {
    ok = rar4_walk (G_INPUT_STREAM (in), files, cancellable);
  } else if (memcmp (mark, rar5_mark, 7) == 0 &&
             read_exact (G_INPUT_STREAM (in), mark + 7, 1, cancellable) && mark[7] == rar5_mark[7]) {
    ok = rar5_walk (G_INPUT_STREAM (in), files, cancellable);
  } else {
    return NULL;  /* not RAR, or a self-extracting one: not checked here */
  }
  if (!ok) {
    g_debug ("%s: RAR headers not understood; the data's CRC-32s are not checked", display_name);
    return NULL;
  }
  return g_steal_pointer (&files);
}

