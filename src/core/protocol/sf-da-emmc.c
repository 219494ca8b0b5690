/* sf-da-emmc.c — the DA session's eMMC commands: where each hardware
 * partition lies on the linear wire (§13.9), switching partitions (60),
 * writing (62, also from a sparse image), reading (D6) and formatting (D4)
 * (protocol.md §6.7–§6.10, §13.5, §13.9)
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "sf-da-private.h"
#include "sf-error.h"
#include "sf-sparse.h"

/* §13.5: how often a 62 packet the DA found damaged (3060) is sent again
 * before the write is abandoned with 96. */
#define WRITE_RESENDS  3

/* Two buffers for every packet of a session, made once. A 62 packet goes
 * out as [5A][data][checksum] in a single write, so the data sits at
 * offset 1; while the phone stores it, the next one is filled in the other
 * buffer. A D6 packet comes in as [data][checksum] in a single read. */
#define PACKET_ALLOC  (MAX (SF_DA_WRITE_PACKET_SIZE, SF_DA_READ_PACKET_SIZE) + 3)

static guint8 *
packet_buffer (SfDa  *self,
               guint  i)
{
  if (self->packets[i] == NULL)
    self->packets[i] = g_malloc (PACKET_ALLOC);
  return self->packets[i];
}


/* ---- flash commands ------------------------------------------------------ */

static gboolean
check_storage (SfDa     *self,
               GError  **error)
{
  if (self->have_flash_info && self->info.storage_type != SF_DA_STORAGE_TYPE_EMMC) {
    sf_set_device_error (error, SF_ERROR_DA_EMMC_NOT_FOUND,
                         _("the phone's storage is %s, and Scatterflash only writes eMMC"),
                         sf_da_storage_type_to_string (self->info.storage_type));
    return FALSE;
  }
  return TRUE;
}

/* The hardware partition's size from the DA2 report, its real place in
 * the linear space (§13.9). */
static guint64
hw_size (SfDa  *self,
         guint  part)
{
  switch (part) {
  case SF_EMMC_PART_BOOT1: return self->info.emmc_boot1_size;
  case SF_EMMC_PART_BOOT2: return self->info.emmc_boot2_size;
  case SF_EMMC_PART_RPMB: return self->info.emmc_rpmb_size;
  case SF_EMMC_PART_USER: return self->info.user_size;
  default:
    if (part >= SF_EMMC_PART_GP1 && part < SF_EMMC_PART_GP1 + 4)
      return self->info.emmc_gp_size[part - SF_EMMC_PART_GP1];
    return 0;
  }
}

static guint64
hw_base (SfDa  *self,
         guint  part)
{
  guint64 base = 0;

  for (guint p = SF_EMMC_PART_BOOT1; p < part && p < SF_EMMC_PART_USER; p++)
    base += hw_size (self, p);
  return base;
}

void
sf_da_set_user_base (SfDa    *self,
                     guint64  linear)
{
  g_return_if_fail (SF_IS_DA (self));

  self->have_user_base = TRUE;
  self->user_base = linear;
  g_debug ("user area at linear 0x%" PRIX64 " (the phone's: 0x%" PRIX64 ")",
           linear, hw_base (self, SF_EMMC_PART_USER));
}

guint64
sf_da_get_user_base (SfDa *self)
{
  g_return_val_if_fail (SF_IS_DA (self), 0);

  if (self->have_user_base)
    return self->user_base;
  return hw_base (self, SF_EMMC_PART_USER);
}

guint64
sf_da_get_phone_user_base (SfDa *self)
{
  g_return_val_if_fail (SF_IS_DA (self), 0);
  return hw_base (self, SF_EMMC_PART_USER);
}

static guint64
part_base (SfDa  *self,
           guint  part)
{
  return part == SF_EMMC_PART_USER ? sf_da_get_user_base (self) : hw_base (self, part);
}

guint64
sf_da_linear_address (SfDa    *self,
                      guint    part,
                      guint64  offset)
{
  g_return_val_if_fail (SF_IS_DA (self), 0);

  return part_base (self, part) + offset;
}

/* What the host may address as @part: the user area runs from its base
 * (the firmware's, if set) to the end of the card. */
static guint64
part_size (SfDa  *self,
           guint  part)
{
  if (!self->have_flash_info)
    return 0;
  if (part == SF_EMMC_PART_USER) {
    guint64 end = hw_base (self, SF_EMMC_PART_USER) + self->info.user_size;
    guint64 base = sf_da_get_user_base (self);

    return base < end ? end - base : 0;
  }
  return hw_size (self, part);
}

static const char *
part_name (guint part)
{
  switch (part) {
  case SF_EMMC_PART_BOOT1: return "BOOT1";
  case SF_EMMC_PART_BOOT2: return "BOOT2";
  case SF_EMMC_PART_RPMB: return "RPMB";
  case SF_EMMC_PART_USER: return "USER";
  default: return "GP";
  }
}

/* S_DA_INVALID_RANGE when [offset, offset + length) is not inside @part. */
static gboolean
check_range (SfDa     *self,
             guint     part,
             guint64   offset,
             guint64   length,
             GError  **error)
{
  guint64 size = part_size (self, part);

  if (part < SF_EMMC_PART_BOOT1 || part > SF_EMMC_PART_USER) {
    sf_set_device_error (error, SF_ERROR_DA_INVALID_RANGE, _("there is no eMMC partition %u"), part);
    return FALSE;
  }
  if (part == SF_EMMC_PART_USER && self->have_flash_info &&
      sf_da_get_user_base (self) < hw_base (self, SF_EMMC_PART_USER)) {
    /* The scatter's user area would begin inside BOOT or RPMB: writing
     * there overwrites the preloader (§13.9). */
    sf_set_device_error (error, SF_ERROR_DA_INVALID_RANGE,
                         _("the firmware puts the user area at linear 0x%" PRIX64 ", inside this phone's boot partitions (the user area starts at 0x%" PRIX64 ")"),
                         sf_da_get_user_base (self), hw_base (self, SF_EMMC_PART_USER));
    return FALSE;
  }
  if (size == 0)
    return TRUE;   /* not known: the DA checks */
  if (offset > size || length > size - offset) {
    sf_set_device_error (error, SF_ERROR_DA_INVALID_RANGE,
                         _("%" PRIu64 " bytes at 0x%" PRIX64 " run past the end of the phone's %s area (%" PRIu64 " bytes)"),
                         length, offset, part_name (part), size);
    return FALSE;
  }
  return TRUE;
}

gboolean
sf_da_switch_part (SfDa          *self,
                   guint          part,
                   GCancellable  *cancellable,
                   GError       **error)
{
  const SfError code = SF_ERROR_FT_DA_NO_RESPONSE;
  const char *what = "SDMMC_SWITCH_PART (60)";

  g_return_val_if_fail (SF_IS_DA (self), FALSE);

  return sf_wire_write_u8 (&self->wire, SF_DA_CMD_SDMMC_SWITCH_PART, code, what, cancellable, error) &&
         expect (self, SF_DA_ACK, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error) &&
         sf_wire_write_u8 (&self->wire, (guint8) part, code, what, cancellable, error) &&
         expect (self, SF_DA_ACK, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error);
}

/* One SDMMC_WRITE_DATA (62) command in progress: bytes are fed in any
 * pieces and go out in 1 MiB packets. */
typedef struct {
  SfDa            *da;
  guint64          length;        /* data bytes announced */
  guint64          padded;        /* the same, rounded up to 512 */
  guint64          fed;
  guint64          sent;          /* packet bytes sent, padding included */
  gsize            fill;          /* bytes in the packet buffer */
  guint            n_packets;     /* packets sent */
  guint            cur;           /* the packet buffer being filled */
  gboolean         ack_pending;   /* the last packet sent still awaits its 69 */
  gsize            pending_data;  /* data bytes (not padding) in that packet */
  gsize            pending_len;   /* its wire bytes: 5A, data, checksum */
  guint            pending_buf;   /* the buffer that holds it */
  /* progress of the whole operation */
  guint64         *done;
  guint64          total;
  SfProgressFunc   progress;
  gpointer         user_data;
} WriteCmd;

static gboolean
write_begin (WriteCmd      *w,
             SfDa          *self,
             guint          part,
             guint64        offset,
             guint64        length,
             GCancellable  *cancellable,
             GError       **error)
{
  const SfError code = SF_ERROR_FT_DOWNLOAD_FAIL;
  const char *what = "SDMMC_WRITE_DATA (62)";
  guint8 hdr[3 + 8 + 8 + 4];

  w->da = self;
  w->length = length;
  w->padded = (length + SF_EMMC_SECTOR - 1) / SF_EMMC_SECTOR * SF_EMMC_SECTOR;
  w->fed = 0;
  w->sent = 0;
  w->fill = 0;
  w->n_packets = 0;

  if (!check_range (self, part, offset, w->padded, error))
    return FALSE;

  packet_buffer (self, 0);
  packet_buffer (self, 1);
  w->cur = 0;
  w->ack_pending = FALSE;

  g_debug ("write: %s 0x%" PRIX64 " (linear 0x%" PRIX64 "), %" PRIu64 " bytes",
           part_name (part), offset, sf_da_linear_address (self, part, offset), length);
  hdr[0] = SF_DA_CMD_SDMMC_WRITE_DATA;
  hdr[1] = SF_DA_STORAGE_EMMC;     /* §13.5: a "verify checksum" flag, any non-zero */
  hdr[2] = (guint8) part;          /* ignored by the MT6572 DA (§13.9) */
  sf_wire_put_be64 (hdr + 3, sf_da_linear_address (self, part, offset));
  sf_wire_put_be64 (hdr + 11, w->padded);
  sf_wire_put_be32 (hdr + 19, SF_DA_WRITE_PACKET_SIZE);
  return sf_wire_write (&self->wire, hdr, sizeof hdr, code, what, cancellable, error) &&
         expect (self, SF_DA_ACK, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error);
}

static gsize
write_packet_len (WriteCmd *w)
{
  return (gsize) MIN ((guint64) SF_DA_WRITE_PACKET_SIZE, w->padded - w->sent);
}

/* Where the next bytes of the packet go. */
static inline guint8 *
write_cursor (WriteCmd *w)
{
  return w->da->packets[w->cur] + 1 + w->fill;
}

/* Reads the 69 of the last packet sent (§6.8). */
static gboolean
write_wait_ack (WriteCmd      *w,
                GCancellable  *cancellable,
                GError       **error)
{
  SfDa *self = w->da;
  char what[128];
  guint8 reply;

  if (!w->ack_pending)
    return TRUE;
  w->ack_pending = FALSE;
  g_snprintf (what, sizeof what, _("packet %u of SDMMC_WRITE_DATA (62)"), w->n_packets);
  for (guint resends = 0;; resends++) {
    guint32 status = 0;

    if (!sf_wire_read (&self->wire, &reply, 1, SF_DA_PACKET_TIMEOUT_MS, SF_ERROR_FT_DOWNLOAD_FAIL, what,
                       cancellable, error))
      return FALSE;
    if (reply != SF_DA_NACK)
      break;
    if (!sf_da_read_reply_code (self, SF_ERROR_FT_DOWNLOAD_FAIL, what, &status, cancellable, error))
      return FALSE;
    if (status != SF_DA_ERR_CHECKSUM) {
      sf_da_set_reply_error (error, SF_ERROR_FT_DOWNLOAD_FAIL, what, status);
      return FALSE;
    }
    /* §13.5: the DA waits for that packet again; 5A + packet + checksum
     * resends it, 96 abandons the write. Anything else would make it
     * spin for good. */
    if (resends == WRITE_RESENDS) {
      sf_wire_write_u8 (&self->wire, SF_DA_STOP_CHAR, SF_ERROR_FT_DOWNLOAD_FAIL, what, cancellable, NULL);
      sf_set_device_error (error, SF_ERROR_DA_SDMMC_WRITE_FAILED,
                           _("%s arrived damaged %u times (error %u); the write was abandoned"),
                           what, resends + 1, status);
      return FALSE;
    }
    g_debug ("write: %s arrived damaged, sending it again", what);
    if (!sf_wire_write (&self->wire, self->packets[w->pending_buf], w->pending_len, SF_ERROR_FT_DOWNLOAD_FAIL,
                        what, cancellable, error))
      return FALSE;
  }
  if (reply != SF_DA_CONT_CHAR) {
    sf_set_device_error (error, SF_ERROR_DA_SDMMC_WRITE_FAILED,
                         _("the download agent answered %s with 0x%02X instead of 0x%02X"),
                         what, reply, SF_DA_CONT_CHAR);
    return FALSE;
  }
  if (w->done != NULL) {
    *w->done += w->pending_data;
    if (w->progress != NULL)
      w->progress (*w->done, w->total, w->user_data);
  }
  return TRUE;
}

/* Sends the full packet: 5A, the data, its checksum in one write, once the
 * phone has taken the one before (§6.8: strictly one packet at a time).
 * Its 69 is read before the next packet goes, or by write_end(); the next
 * packet is filled meanwhile. */
static gboolean
write_flush (WriteCmd      *w,
             GCancellable  *cancellable,
             GError       **error)
{
  SfDa *self = w->da;
  guint8 *packet = self->packets[w->cur];
  guint16 sum = sf_da_checksum_update (0, packet + 1, w->fill);
  char what[128];

  packet[0] = SF_DA_ACK;
  packet[1 + w->fill] = sum >> 8;
  packet[2 + w->fill] = sum & 0xFF;
  if (!write_wait_ack (w, cancellable, error))
    return FALSE;

  g_snprintf (what, sizeof what, _("packet %u of SDMMC_WRITE_DATA (62)"), w->n_packets + 1);
  if (!sf_wire_write (&self->wire, packet, w->fill + 3, SF_ERROR_FT_DOWNLOAD_FAIL, what, cancellable, error))
    return FALSE;

  /* Progress counts data, not padding. */
  w->pending_data = (gsize) MIN ((guint64) w->fill, w->length - MIN (w->length, w->sent));
  w->pending_len = w->fill + 3;
  w->pending_buf = w->cur;
  w->ack_pending = TRUE;
  w->sent += w->fill;
  w->fill = 0;
  w->n_packets++;
  w->cur ^= 1;
  return TRUE;
}

/* How many data bytes fit at write_cursor(): the rest of the packet, and
 * never more than the command announced. */
static gsize
write_room (WriteCmd *w)
{
  return (gsize) MIN ((guint64) (write_packet_len (w) - w->fill), w->length - w->fed);
}

/* @n bytes were put at write_cursor(); sends the packet once it is full. */
static gboolean
write_commit (WriteCmd      *w,
              gsize          n,
              GCancellable  *cancellable,
              GError       **error)
{
  w->fill += n;
  w->fed += n;
  if (w->fill == write_packet_len (w))
    return write_flush (w, cancellable, error);
  return TRUE;
}

/* Feeds the RAW data of the current chunk of @reader, read straight into
 * the packet buffer. */
static gboolean
write_feed_raw (WriteCmd        *w,
                SfSparseReader  *reader,
                GCancellable    *cancellable,
                GError         **error)
{
  for (;;) {
    gsize room = write_room (w);
    gssize n;

    if (room == 0) {
      /* The command is complete; the chunk must be too. */
      guint8 extra;

      n = sf_sparse_reader_read_data (reader, &extra, 1, cancellable, error);
      if (n < 0)
        return FALSE;
      if (n > 0) {
        sf_set_error_at (error, SF_ERROR_FAILED, NULL, 0, NULL, "internal: more data than announced");
        return FALSE;
      }
      return TRUE;
    }
    n = sf_sparse_reader_read_data (reader, write_cursor (w), room, cancellable, error);
    if (n < 0)
      return FALSE;
    if (n == 0)
      return TRUE;
    if (!write_commit (w, (gsize) n, cancellable, error))
      return FALSE;
  }
}

/* Feeds @len bytes of a FILL pattern, generated in place. */
static gboolean
write_feed_fill (WriteCmd      *w,
                 const guint8   fill[4],
                 guint64        len,
                 GCancellable  *cancellable,
                 GError       **error)
{
  guint64 at = 0;

  if (len > w->length - w->fed) {
    sf_set_error_at (error, SF_ERROR_FAILED, NULL, 0, NULL,
                     "internal: %" PRIu64 " bytes more than announced", len);
    return FALSE;
  }
  while (at < len) {
    gsize n = (gsize) MIN ((guint64) write_room (w), len - at);

    sf_sparse_fill_pattern (fill, at, write_cursor (w), n);
    if (!write_commit (w, n, cancellable, error))
      return FALSE;
    at += n;
  }
  return TRUE;
}

static gboolean
write_end (WriteCmd      *w,
           GCancellable  *cancellable,
           GError       **error)
{
  if (w->fed != w->length) {
    sf_set_error_at (error, SF_ERROR_FAILED, NULL, 0, NULL,
                     "internal: %" PRIu64 " of %" PRIu64 " bytes fed",
                     w->fed, w->length);
    return FALSE;
  }
  if (w->sent < w->padded) {
    gsize pad = write_packet_len (w) - w->fill;

    memset (write_cursor (w), 0, pad);
    w->fill += pad;
    if (!write_flush (w, cancellable, error))
      return FALSE;
  }
  return write_wait_ack (w, cancellable, error);
}

static gboolean
write_from_stream (WriteCmd      *w,
                   GInputStream  *data,
                   guint64        length,
                   const char    *display_name,
                   GCancellable  *cancellable,
                   GError       **error)
{
  /* Read straight into the packet buffer: no copy for plain images. */
  while (w->fed < length) {
    gsize room = write_room (w);
    gsize got = 0;

    if (g_cancellable_set_error_if_cancelled (cancellable, error))
      return FALSE;
    room = (gsize) MIN ((guint64) room, length - w->fed);
    if (!g_input_stream_read_all (data, write_cursor (w), room, &got, cancellable, error))
      return FALSE;
    if (got < room) {
      sf_set_error_at (error, SF_ERROR_IMAGE_INVALID, display_name, 0, NULL,
                       _("the image ended after %" PRIu64 " of %" PRIu64 " bytes"),
                       w->fed + got, length);
      return FALSE;
    }
    if (!write_commit (w, got, cancellable, error))
      return FALSE;
  }
  return TRUE;
}

gboolean
sf_da_write (SfDa            *self,
             guint            part,
             guint64          offset,
             GInputStream    *data,
             guint64          length,
             SfProgressFunc   progress,
             gpointer         user_data,
             GCancellable    *cancellable,
             GError         **error)
{
  WriteCmd w = { 0 };
  guint64 done = 0;

  g_return_val_if_fail (SF_IS_DA (self), FALSE);
  g_return_val_if_fail (G_IS_INPUT_STREAM (data), FALSE);

  if (!check_storage (self, error))
    return FALSE;
  if (length == 0)
    return TRUE;

  w.done = &done;
  w.total = length;
  w.progress = progress;
  w.user_data = user_data;

  return write_begin (&w, self, part, offset, length, cancellable, error) &&
         write_from_stream (&w, data, length, NULL, cancellable, error) &&
         write_end (&w, cancellable, error);
}

/* A run of RAW/FILL chunks with no gap: one 62 command. */
typedef struct {
  guint64  offset;   /* in the expanded image */
  guint64  length;
} SparseRun;

/* Walks the whole image once, without writing, to find the runs. */
static GArray *
scan_sparse_runs (GInputStream  *data,
                  const char    *display_name,
                  guint64        partition_size,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(SfSparseReader) reader = NULL;
  g_autoptr(GArray) runs = g_array_new (FALSE, FALSE, sizeof (SparseRun));

  reader = sf_sparse_reader_new (data, display_name, partition_size, cancellable, error);
  if (reader == NULL)
    return NULL;

  for (;;) {
    const SfSparseChunk *chunk = NULL;

    if (!sf_sparse_reader_next (reader, &chunk, cancellable, error))
      return NULL;
    if (chunk == NULL)
      break;
    if (chunk->type != SF_SPARSE_CHUNK_RAW && chunk->type != SF_SPARSE_CHUNK_FILL)
      continue;
    if (chunk->length == 0)
      continue;
    if (runs->len > 0) {
      SparseRun *last = &g_array_index (runs, SparseRun, runs->len - 1);

      if (last->offset + last->length == chunk->offset) {
        last->length += chunk->length;
        continue;
      }
    }
    {
      SparseRun run = { chunk->offset, chunk->length };

      g_array_append_val (runs, run);
    }
  }
  return g_steal_pointer (&runs);
}

gboolean
sf_da_write_sparse (SfDa            *self,
                    guint            part,
                    guint64          offset,
                    GInputStream    *data,
                    const char      *display_name,
                    guint64          partition_size,
                    SfProgressFunc   progress,
                    gpointer         user_data,
                    GCancellable    *cancellable,
                    GError         **error)
{
  g_autoptr(SfSparseReader) reader = NULL;
  g_autoptr(GArray) runs = NULL;
  WriteCmd w = { 0 };
  gboolean in_cmd = FALSE;
  guint run_index = 0;
  guint64 done = 0;
  guint64 expanded;
  gboolean ok = FALSE;

  g_return_val_if_fail (SF_IS_DA (self), FALSE);
  g_return_val_if_fail (G_IS_INPUT_STREAM (data), FALSE);

  if (!check_storage (self, error))
    return FALSE;

  /* Check the whole image before the phone sees a byte, when we can go
   * back to the start afterwards. */
  if (G_IS_SEEKABLE (data) && g_seekable_can_seek (G_SEEKABLE (data))) {
    goffset start = g_seekable_tell (G_SEEKABLE (data));

    runs = scan_sparse_runs (data, display_name, partition_size, cancellable, error);
    if (runs == NULL)
      return FALSE;
    if (!g_seekable_seek (G_SEEKABLE (data), start, G_SEEK_SET, cancellable, error))
      return FALSE;
  }

  reader = sf_sparse_reader_new (data, display_name, partition_size, cancellable, error);
  if (reader == NULL)
    return FALSE;
  if (sf_sparse_reader_get_header (reader)->blk_sz % SF_EMMC_SECTOR != 0) {
    sf_set_error_at (error, SF_ERROR_UNSUPPORTED, display_name, 0, NULL,
                     _("the sparse block size %u is not a multiple of %u"),
                     sf_sparse_reader_get_header (reader)->blk_sz, SF_EMMC_SECTOR);
    return FALSE;
  }
  expanded = sf_sparse_reader_get_expanded_size (reader);
  if (!check_range (self, part, offset, expanded, error))
    return FALSE;

  w.done = &done;
  w.total = expanded;
  w.progress = progress;
  w.user_data = user_data;

  for (;;) {
    const SfSparseChunk *chunk = NULL;

    if (!sf_sparse_reader_next (reader, &chunk, cancellable, error))
      goto out;
    if (chunk == NULL)
      break;

    if (chunk->type == SF_SPARSE_CHUNK_CRC32)
      continue;
    if (chunk->type == SF_SPARSE_CHUNK_DONT_CARE || chunk->length == 0) {
      done += chunk->length;
      if (progress != NULL && chunk->length > 0)
        progress (done, expanded, user_data);
      continue;
    }

    /* Start a command: for the whole run when it is known, else for this
     * chunk alone. */
    if (!in_cmd) {
      guint64 len = chunk->length;

      if (runs != NULL) {
        const SparseRun *run;

        if (run_index >= runs->len ||
            (run = &g_array_index (runs, SparseRun, run_index))->offset != chunk->offset) {
          sf_set_error_at (error, SF_ERROR_IMAGE_INVALID, display_name, 0, NULL,
                           _("the sparse image changed while it was written"));
          goto out;
        }
        len = run->length;
        run_index++;
      }
      if (!write_begin (&w, self, part, offset + chunk->offset, len, cancellable, error))
        goto out;
      in_cmd = TRUE;
    }

    if (chunk->type == SF_SPARSE_CHUNK_RAW) {
      if (!write_feed_raw (&w, reader, cancellable, error))
        goto out;
    } else if (!write_feed_fill (&w, chunk->fill, chunk->length, cancellable, error)) {
      goto out;
    }

    if (w.fed == w.length) {
      if (!write_end (&w, cancellable, error))
        goto out;
      in_cmd = FALSE;
    }
  }

  if (in_cmd) {
    sf_set_error_at (error, SF_ERROR_IMAGE_INVALID, display_name, 0, NULL,
                     _("the sparse image changed while it was written"));
    goto out;
  }
  ok = TRUE;

out:
  return ok;
}

gboolean
sf_da_read (SfDa            *self,
            guint            part,
            guint64          offset,
            guint64          length,
            GOutputStream   *out,
            SfProgressFunc   progress,
            gpointer         user_data,
            GCancellable    *cancellable,
            GError         **error)
{
  const SfError code = SF_ERROR_FT_READBACK_FAIL;
  const char *what = "READ (D6)";
  guint8 hdr[3 + 8 + 8 + 4];
  guint8 *packet;
  guint64 done = 0;
  guint n_packets = 0;

  g_return_val_if_fail (SF_IS_DA (self), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);

  if (!check_storage (self, error) ||
      !check_range (self, part, offset, length, error))
    return FALSE;
  if (length == 0)
    return TRUE;

  /* No 60 before it: addresses are linear and the DA ignores 60 (§13.9). */
  packet = packet_buffer (self, 0);

  g_debug ("read: %s 0x%" PRIX64 " (linear 0x%" PRIX64 "), %" PRIu64 " bytes",
           part_name (part), offset, sf_da_linear_address (self, part, offset), length);
  hdr[0] = SF_DA_CMD_READ;
  hdr[1] = SF_DA_HOST_OS_LINUX;
  hdr[2] = SF_DA_STORAGE_EMMC;
  sf_wire_put_be64 (hdr + 3, sf_da_linear_address (self, part, offset));
  sf_wire_put_be64 (hdr + 11, length);
  sf_wire_put_be32 (hdr + 19, SF_DA_READ_PACKET_SIZE);
  if (!sf_wire_write (&self->wire, hdr, sizeof hdr, code, what, cancellable, error) ||
      !expect (self, SF_DA_ACK, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error))
    return FALSE;

  while (done < length) {
    gsize n = (gsize) MIN ((guint64) SF_DA_READ_PACKET_SIZE, length - done);
    guint16 sum;

    if (g_cancellable_set_error_if_cancelled (cancellable, error))
      return FALSE;
    /* The data and its checksum in one read. */
    if (!sf_wire_read (&self->wire, packet, n + 2, SF_DA_PACKET_TIMEOUT_MS, code, what, cancellable, error))
      return FALSE;
    n_packets++;

    sum = sf_da_checksum_update (0, packet, n);
    if (sum != sf_wire_be16 (packet + n)) {
      sf_set_device_error (error, SF_ERROR_DA_SDMMC_READ_FAILED,
                           _("packet %u of %s arrived damaged (checksum 0x%04X, the phone said 0x%04X)"),
                           n_packets, what, sum, sf_wire_be16 (packet + n));
      return FALSE;
    }

    /* ACK first: the phone sends the next packet while this one is
     * stored. */
    if (!sf_wire_write_u8 (&self->wire, SF_DA_ACK, code, what, cancellable, error))
      return FALSE;
    if (!g_output_stream_write_all (out, packet, n, NULL, cancellable, error)) {
      g_prefix_error (error, "%s (%u) ", sf_error_get_name (code), sf_error_get_number (code));
      return FALSE;
    }

    done += n;
    if (progress != NULL)
      progress (done, length, user_data);
  }
  return TRUE;
}

gboolean
sf_da_format (SfDa            *self,
              guint            part,
              guint64          offset,
              guint64          length,
              SfProgressFunc   progress,
              gpointer         user_data,
              GCancellable    *cancellable,
              GError         **error)
{
  const SfError code = SF_ERROR_FT_FORMAT_FAIL;
  const char *what = "FORMAT (D4)";
  guint8 hdr[5 + 8 + 8];

  g_return_val_if_fail (SF_IS_DA (self), FALSE);

  if (!check_storage (self, error) ||
      !check_range (self, part, offset, length, error))
    return FALSE;
  if (length == 0)
    return TRUE;

  /* One hardware partition per command, so a range never crosses RPMB
   * (§13.10); no 60 before it (§13.9). */
  g_debug ("format: %s 0x%" PRIX64 " (linear 0x%" PRIX64 "), %" PRIu64 " bytes",
           part_name (part), offset, sf_da_linear_address (self, part, offset), length);
  hdr[0] = SF_DA_CMD_FORMAT;
  hdr[1] = SF_DA_STORAGE_EMMC;
  hdr[2] = SF_DA_ERASE_NORMAL;
  hdr[3] = 0x00;                 /* validation off */
  hdr[4] = SF_DA_ADDR_LOGICAL;
  sf_wire_put_be64 (hdr + 5, sf_da_linear_address (self, part, offset));
  sf_wire_put_be64 (hdr + 13, length);
  if (!sf_wire_write (&self->wire, hdr, sizeof hdr, code, what, cancellable, error))
    return FALSE;

  for (;;) {
    guint8 acks[2], pct;
    guint32 init;

    if (!expect (self, SF_DA_ACK, SF_DA_FORMAT_TIMEOUT_MS, code, what, cancellable, error) ||
        !sf_wire_read (&self->wire, acks + 1, 1, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error))
      return FALSE;
    if (acks[1] != SF_DA_ACK) {
      sf_set_device_error (error, code, _("the download agent answered %s with %02X %02X"),
                           what, SF_DA_ACK, acks[1]);
      return FALSE;
    }
    if (!sf_wire_read_be (&self->wire, 4, &init, code, what, cancellable, error) ||
        !sf_wire_read (&self->wire, &pct, 1, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error) ||
        !sf_wire_write_u8 (&self->wire, SF_DA_ACK, code, what, cancellable, error))
      return FALSE;

    if (pct > 100) {
      sf_set_device_error (error, code, _("the download agent reported %u %% done"), pct);
      return FALSE;
    }
    if (progress != NULL)
      progress (length / 100 * pct + length % 100 * pct / 100, length, user_data);
    if (pct == 100)
      break;
  }

  {
    if (!expect (self, SF_DA_ACK, SF_DA_FORMAT_TIMEOUT_MS, code, what, cancellable, error) ||
        !expect (self, SF_DA_ACK, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error))
      return FALSE;
  }
  return TRUE;
}
