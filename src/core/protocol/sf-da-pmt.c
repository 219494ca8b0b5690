/* sf-da-pmt.c — the DA session's partition-table commands: read (A5) and
 * write (A4) the phone's table (protocol.md §6.12, §13.6)
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sf-da-private.h"
#include "sf-error.h"

/* ---- §6.12 the phone's partition table ----------------------------------- */

SfPartitionTable *
sf_da_read_pmt (SfDa          *self,
                GCancellable  *cancellable,
                GError       **error)
{
  const SfError code = SF_ERROR_FT_DA_NO_RESPONSE;
  const char *what = "SDMMC_READ_PMT (A5)";
  g_autofree guint8 *data = NULL;
  guint32 len = 0;
  guint32 status = 0;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (SF_IS_DA (self), NULL);

  if (!sf_wire_write_u8 (&self->wire, SF_DA_CMD_SDMMC_READ_PMT, code, what, cancellable, error))
    return NULL;
  if (!sf_da_expect_status (self, SF_DA_ACK, SF_DA_REPLY_TIMEOUT_MS, code, what, &status, cancellable, &local_error)) {
    /* §13.10: a blank phone has no table yet; that is a first download. */
    if (status == SF_DA_ERR_NO_PMT) {
      g_debug ("PMT: none on the phone (error reply %u)", status);
      return sf_partition_table_new ();
    }
    g_propagate_error (error, g_steal_pointer (&local_error));
    return NULL;
  }
  if (!sf_wire_read_be (&self->wire, 4, &len, code, what, cancellable, error))
    return NULL;
  if (len > SF_PMT_MAX_LEN) {
    /* Do not read an absurd amount: the DA and we disagree on the wire. */
    sf_set_device_error (error, SF_ERROR_PMT_INVALID,
                         _("the download agent announced a table of %u bytes (at most %u expected)"),
                         len, (guint) SF_PMT_MAX_LEN);
    return NULL;
  }
  data = g_malloc (MAX (len, 1));
  if (!sf_wire_write_u8 (&self->wire, SF_DA_ACK, code, what, cancellable, error) ||
      (len > 0 && !sf_wire_read (&self->wire, data, len, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error)) ||
      !sf_wire_write_u8 (&self->wire, SF_DA_ACK, code, what, cancellable, error))
    return NULL;
  return sf_partition_table_parse (data, len, sf_da_get_user_base (self), error);
}

gboolean
sf_da_write_pmt (SfDa                *self,
                 const SfPartitionTable *table,
                 GCancellable        *cancellable,
                 GError             **error)
{
  const SfError code = SF_ERROR_FT_DOWNLOAD_FAIL;
  const char *what = "SDMMC_WRITE_PMT (A4)";
  g_autoptr(GBytes) bytes = NULL;
  const guint8 *data;
  gsize len = 0;
  guint8 w[4];
  guint32 count;

  g_return_val_if_fail (SF_IS_DA (self), FALSE);
  g_return_val_if_fail (table != NULL, FALSE);

  bytes = sf_partition_table_to_bytes (table, sf_da_get_user_base (self));
  data = g_bytes_get_data (bytes, &len);
  count = (guint32) (len / SF_PMT_RECORD_SIZE);

  /* §13.6: the entry count, each record answered 69, the mode word. */
  sf_wire_put_be32 (w, count);
  if (!sf_wire_write_u8 (&self->wire, SF_DA_CMD_SDMMC_WRITE_PMT, code, what, cancellable, error) ||
      !expect (self, SF_DA_ACK, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error) ||
      !sf_wire_write (&self->wire, w, 4, code, what, cancellable, error) ||
      !expect (self, SF_DA_ACK, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error))
    return FALSE;
  for (guint32 i = 0; i < count; i++) {
    if (!sf_wire_write (&self->wire, data + (gsize) i * SF_PMT_RECORD_SIZE, SF_PMT_RECORD_SIZE, code, what,
                        cancellable, error) ||
        !expect (self, SF_DA_CONT_CHAR, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error))
      return FALSE;
  }
  sf_wire_put_be32 (w, SF_PMT_MODE_NEW);
  return sf_wire_write (&self->wire, w, 4, code, what, cancellable, error) &&
         expect (self, SF_DA_ACK, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error) &&
         expect (self, SF_DA_ACK, SF_DA_REPLY_TIMEOUT_MS, code, what, cancellable, error);
}
