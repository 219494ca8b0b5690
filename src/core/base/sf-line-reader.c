/* sf-line-reader.c
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "sf-error.h"
#include "sf-line-reader.h"

#define CHUNK_SIZE 65536

struct _SfLineReader {
  GInputStream *stream;
  char         *display_name;
  gsize         max_line;
  guint64       max_total;
  guint64       total;       /* bytes read from the stream so far */
  guint         line;        /* number of the line last handed out */
  gboolean      eof;
  char         *buf;         /* CHUNK_SIZE bytes of input */
  gsize         buf_pos;
  gsize         buf_len;
  GString      *current;     /* the line being assembled */
};

/**
 * sf_line_reader_new:
 * @stream: the text to read
 * @display_name: how errors name the file
 * @max_line: the longest line accepted, in bytes
 * @max_total: the largest input accepted, in bytes
 *
 * Returns: (transfer full): a new reader.
 */
SfLineReader *
sf_line_reader_new (GInputStream *stream,
                    const char   *display_name,
                    gsize         max_line,
                    guint64       max_total)
{
  SfLineReader *self = g_new0 (SfLineReader, 1);

  self->stream = g_object_ref (stream);
  self->display_name = g_strdup (display_name);
  self->max_line = max_line;
  self->max_total = max_total;
  self->buf = g_malloc (CHUNK_SIZE);
  self->current = g_string_sized_new (256);
  return self;
}

void
sf_line_reader_free (SfLineReader *self)
{
  if (self == NULL)
    return;
  g_clear_object (&self->stream);
  g_free (self->display_name);
  g_free (self->buf);
  g_string_free (self->current, TRUE);
  g_free (self);
}

guint
sf_line_reader_get_line (SfLineReader *self)
{
  return self->line;
}

static gboolean
fill (SfLineReader  *self,
      GCancellable  *cancellable,
      GError       **error)
{
  gssize n;

  n = g_input_stream_read (self->stream, self->buf, CHUNK_SIZE, cancellable, error);
  if (n < 0)
    return FALSE;

  self->buf_pos = 0;
  self->buf_len = (gsize) n;
  if (n == 0)
    self->eof = TRUE;

  self->total += (guint64) n;
  if (self->total > self->max_total) {
    sf_set_error_at (error, SF_ERROR_SCATTER_TOO_LARGE, self->display_name, 0,
                     _("pick the *_Android_scatter.txt file of the firmware"),
                     _("this file is larger than %" PRIu64 " bytes, far larger than any scatter file"),
                     self->max_total);
    return FALSE;
  }
  return TRUE;
}

/**
 * sf_line_reader_next:
 * @line: (out) (transfer none): the next line, valid until the next call
 * @length: (out) (optional): its length in bytes
 *
 * Returns: %TRUE with a line; %FALSE at the end of the input (with @error
 *   unset) or on error.
 */
gboolean
sf_line_reader_next (SfLineReader  *self,
                     const char   **line,
                     gsize         *length,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_string_truncate (self->current, 0);

  for (;;) {
    const char *start;
    const char *nl;
    gsize avail;
    gsize take;

    if (self->buf_pos >= self->buf_len) {
      if (self->eof)
        break;
      if (!fill (self, cancellable, error))
        return FALSE;
      if (self->buf_len == 0)
        break;
    }

    start = self->buf + self->buf_pos;
    avail = self->buf_len - self->buf_pos;
    nl = memchr (start, '\n', avail);
    take = nl != NULL ? (gsize) (nl - start) : avail;

    if (memchr (start, '\0', take) != NULL) {
      sf_set_error_at (error, SF_ERROR_SCATTER_BINARY, self->display_name, self->line + 1,
                       _("pick the *_Android_scatter.txt file of the firmware"),
                       _("binary data (a NUL byte): this is not a text scatter file"));
      return FALSE;
    }
    if (self->current->len + take > self->max_line) {
      sf_set_error_at (error, SF_ERROR_SCATTER_FORMAT, self->display_name, self->line + 1,
                       _("pick the *_Android_scatter.txt file of the firmware"),
                       _("line longer than %" "zu" " bytes: this is not a scatter file"),
                       self->max_line);
      return FALSE;
    }

    g_string_append_len (self->current, start, (gssize) take);
    self->buf_pos += take;

    if (nl != NULL) {
      self->buf_pos++;  /* the newline */
      goto got_line;
    }
  }

  /* End of input: a last line without a newline still counts. */
  if (self->current->len == 0)
    return FALSE;

got_line:
  self->line++;
  if (self->current->len > 0 && self->current->str[self->current->len - 1] == '\r')
    g_string_truncate (self->current, self->current->len - 1);
  *line = self->current->str;
  if (length != NULL)
    *length = self->current->len;
  return TRUE;
}
