/* sf-flash-job-checks.c — what a flash job checks: the images before the
 * phone, the phone's table against the firmware's layout (and the new
 * table it writes at the end), and the readback of what was written
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "sf-flash-job-private.h"
#include "sf-compare-stream.h"
#include "sf-sparse.h"

/* ---- the phone's partition table ------------------------------------------- */

static gboolean
is_ticked (SfPlan      *plan,
           SfPartition *partition)
{
  for (guint i = 0; i < sf_plan_get_n_steps (plan); i++) {
    const SfPlanStep *step = sf_plan_get_step (plan, i);

    if (step->kind == SF_STEP_DOWNLOAD && step->partition == partition)
      return TRUE;
  }
  return FALSE;
}

/* scatter-format.md §7: Download Only first compares every unticked
 * partition's place and size with the phone's table; if the layout moved,
 * writing only some partitions would leave a phone whose table and data
 * disagree, so nothing is written (SP Flash Tool's 8038). */
gboolean
sf_flash_session_check_download_only (SfFlashSession  *s,
                                      GError         **error)
{
  SfPlan *plan = s->job->plan;
  SfScatter *scatter = sf_firmware_get_scatter (sf_plan_get_firmware (plan));
  SfLayout *layout = sf_plan_get_layout (plan);

  if (s->table_error != NULL) {
    sf_set_device_error (error, SF_ERROR_ROM_MUST_ENABLE,
                         _("the phone's partition table cannot be read (%s), so the layout cannot be checked"),
                         s->table_error->message);
    return FALSE;
  }
  if (sf_partition_table_is_empty (s->table))
    return TRUE;   /* a fresh phone: nothing to compare with */

  for (guint i = 0; i < sf_layout_get_n_partitions (layout); i++) {
    SfPartition *p = sf_layout_get_partition (layout, i);
    const SfPartitionTableEntry *e;
    gboolean listed = FALSE;
    guint64 offset = 0, size = 0;

    if (is_ticked (plan, p))
      continue;
    if (!sf_partition_table_place (scatter, layout, p, &listed, &offset, &size, error))
      return FALSE;
    if (!listed)
      continue;
    e = sf_partition_table_lookup (s->table, p->name);
    if (e == NULL) {
      sf_set_device_error (error, SF_ERROR_ROM_MUST_ENABLE,
                           _("PMT changed for the ROM: partition %s of the scatter file is not in the phone's partition table"),
                           p->name);
      return FALSE;
    }
    if (e->offset != offset || e->size != size) {
      sf_set_device_error (error, SF_ERROR_ROM_MUST_ENABLE,
                           _("PMT changed for the ROM: partition %s is at user offset 0x%" PRIX64 " "
                             "(0x%" PRIX64 " bytes) on the phone but at 0x%" PRIX64 " "
                             "(0x%" PRIX64 " bytes) in the scatter file"),
                           p->name, e->offset, e->size, offset, size);
      return FALSE;
    }
  }
  return TRUE;
}

static gboolean
is_kept (const SfPartition *p)
{
  return p->operation == SF_OPERATION_PROTECTED || p->operation == SF_OPERATION_BINREGION;
}

/* scatter-format.md §7, Firmware Upgrade: a PROTECTED or BINREGION partition
 * at the same place and size is left alone; one that moved with the same
 * size is read at its old place and written at the new one after the
 * downloads; one whose size changed would lose its data, so nothing is
 * written. A partition the phone's table does not have stays as it is. */
gboolean
sf_flash_session_check_firmware_upgrade (SfFlashSession  *s,
                                         GError         **error)
{
  SfPlan *plan = s->job->plan;
  SfScatter *scatter = sf_firmware_get_scatter (sf_plan_get_firmware (plan));
  SfLayout *layout = sf_plan_get_layout (plan);

  if (sf_partition_table_is_empty (s->table))
    return TRUE;

  for (guint i = 0; i < sf_layout_get_n_partitions (layout); i++) {
    SfPartition *p = sf_layout_get_partition (layout, i);
    const SfPartitionTableEntry *e;
    gboolean listed = FALSE;
    guint64 offset = 0, size = 0;
    SfFlashMove move;

    if (!is_kept (p))
      continue;
    if (!sf_partition_table_place (scatter, layout, p, &listed, &offset, &size, error))
      return FALSE;
    if (!listed || (e = sf_partition_table_lookup (s->table, p->name)) == NULL)
      continue;
    if (e->size != size) {
      sf_set_device_error (error, SF_ERROR_DATA_LOST,
                           _("partition %s holds 0x%" PRIX64 " bytes on the phone but "
                             "0x%" PRIX64 " in the scatter file"),
                           p->name, e->size, size);
      return FALSE;
    }
    if (e->offset == offset)
      continue;
    move.partition = p;
    move.from = e->offset;
    move.to = offset;
    move.size = size;
    g_array_append_val (s->moves, move);
    s->overall_total += size;
    sf_worker_post_log (s->worker,
                        _("%s moves from user offset 0x%" PRIX64 " to 0x%" PRIX64 ": "
                          "it is backed up at the old place and written at the new one"),
                        p->name, move.from, move.to);
  }
  return TRUE;
}

const SfFlashMove *
sf_flash_session_find_move (SfFlashSession    *s,
                            const SfPartition *partition)
{
  for (guint i = 0; s->moves != NULL && i < s->moves->len; i++) {
    const SfFlashMove *m = &g_array_index (s->moves, SfFlashMove, i);

    if (m->partition == partition)
      return m;
  }
  return NULL;
}

static gboolean
writes_table (SfFlashSession *s)
{
  SfScene scene = sf_plan_get_scene (s->job->plan);

  return scene == SF_SCENE_FORMAT_ALL_DOWNLOAD || scene == SF_SCENE_FIRMWARE_UPGRADE ||
         (scene == SF_SCENE_DOWNLOAD_ONLY && s->table != NULL && sf_partition_table_is_empty (s->table));
}

/* The table of the firmware's layout, which the job writes at its end. */
static SfPartitionTable *
firmware_table (SfFlashSession  *s,
                GError         **error)
{
  SfPlan *plan = s->job->plan;

  return sf_partition_table_new_from_layout (sf_firmware_get_scatter (sf_plan_get_firmware (plan)),
                                             sf_plan_get_layout (plan), error);
}

/* The table the job will write at its end must fit, before the first write. */
gboolean
sf_flash_session_check_table_fits (SfFlashSession  *s,
                                   GError         **error)
{
  g_autoptr(SfPartitionTable) table = NULL;

  if (!writes_table (s))
    return TRUE;
  table = firmware_table (s, error);
  return table != NULL;
}

gboolean
sf_flash_session_write_table (SfFlashSession  *s,
                              GCancellable    *cancellable,
                              GError         **error)
{
  g_autoptr(SfPartitionTable) table = NULL;

  if (!writes_table (s))
    return TRUE;

  table = firmware_table (s, error);
  if (table == NULL)
    return FALSE;
  if (sf_partition_table_is_empty (table))
    return TRUE;
  sf_worker_post_stage (s->worker, _("Writing the partition table"));
  if (!sf_da_write_pmt (s->da, table, cancellable, error))
    return FALSE;
  g_clear_pointer (&s->table, sf_partition_table_unref);
  s->table = g_steal_pointer (&table);
  sf_worker_post_log (s->worker,
                      g_dngettext (GETTEXT_PACKAGE, "The phone's partition table now lists %u partition",
                                   "The phone's partition table now lists %u partitions",
                                   sf_partition_table_get_n_entries (s->table)),
                      sf_partition_table_get_n_entries (s->table));
  return TRUE;
}

/* ---- verify ----------------------------------------------------------------- */

typedef struct {
  SfSparseReader  *reader;
  guint8           fill[4];
  guint64          fill_offset;
  gboolean         is_fill;
} SparseExpect;

static gboolean
expect_sparse (guint8        *buf,
               gsize          len,
               gpointer       user_data,
               GCancellable  *cancellable,
               GError       **error)
{
  SparseExpect *e = user_data;
  gsize got = 0;

  if (e->is_fill) {
    sf_sparse_fill_pattern (e->fill, e->fill_offset, buf, len);
    e->fill_offset += len;
    return TRUE;
  }
  while (got < len) {
    gssize n = sf_sparse_reader_read_data (e->reader, buf + got, len - got, cancellable, error);

    if (n < 0)
      return FALSE;
    if (n == 0)
      break;
    got += (gsize) n;
  }
  /* The DA's write pads the last run to a whole sector with zeros. */
  memset (buf + got, 0, len - got);
  return TRUE;
}

static gboolean
check_compare (SfCompareStream *compare,
               const char      *partition,
               guint64          base,
               GError         **error)
{
  guint64 at = 0;

  if (sf_compare_stream_get_mismatch (compare, &at)) {
    sf_set_device_error (error, SF_ERROR_VERIFY_MISMATCH,
                         _("partition %s differs from its image at byte %" PRIu64),
                         partition, base + at);
    return FALSE;
  }
  return TRUE;
}

static guint64
round_up_sector (guint64 n)
{
  return (n + SF_EMMC_SECTOR - 1) / SF_EMMC_SECTOR * SF_EMMC_SECTOR;
}

/* Compares the partition with what was taken from its image before the
 * write (sf_firmware_check_images()), region by region: the image is not
 * read again, so a source that gives other bytes on a second read cannot
 * make a bad write look good. */
static gboolean
verify_with_digest (SfFlashSession  *s,
                    const char      *partition,
                    const SfDigest  *digest,
                    guint            part,
                    guint64          offset,
                    GCancellable    *cancellable,
                    GError         **error)
{
  g_autoptr(GOutputStream) compare = sf_compare_stream_new_for_digest (digest, SF_EMMC_SECTOR);
  guint n = sf_digest_get_n_regions (digest);
  guint64 at = 0;

  for (guint i = 0; i < n; i++) {
    guint64 r_offset = 0, r_length = 0;

    sf_digest_get_region (digest, i, &r_offset, &r_length);
    if (r_length == 0)
      continue;
    if (!sf_da_read (s->da, part, offset + r_offset, round_up_sector (r_length), compare,
                     n == 1 ? sf_flash_session_on_progress : NULL, s, cancellable, error))
      return FALSE;
  }
  if (sf_compare_stream_get_mismatch (SF_COMPARE_STREAM (compare), &at)) {
    sf_set_device_error (error, SF_ERROR_VERIFY_MISMATCH,
                         _("partition %s differs from what was written, in the MiB from byte %" PRIu64),
                         partition, at);
    return FALSE;
  }
  return TRUE;
}

gboolean
sf_flash_session_verify_download (SfFlashSession    *s,
                                  const SfPlanStep  *step,
                                  guint              part,
                                  guint64            offset,
                                  GCancellable      *cancellable,
                                  GError           **error)
{
  const SfDigest *digest = sf_firmware_get_image_digest (sf_plan_get_firmware (s->job->plan), step->partition);
  g_autoptr(GInputStream) image = NULL;

  if (digest != NULL)
    return verify_with_digest (s, step->partition->name, digest, part, offset, cancellable, error);

  image = sf_flash_session_open_image (s, step, cancellable, error);
  if (image == NULL)
    return FALSE;

  if (step->image->kind != SF_IMAGE_KIND_SPARSE) {
    g_autoptr(GOutputStream) compare = sf_compare_stream_new_for_stream (image);

    return sf_da_read (s->da, part, offset, round_up_sector (step->image->file_size), compare,
                       sf_flash_session_on_progress, s, cancellable, error) &&
           check_compare (SF_COMPARE_STREAM (compare), step->partition->name, 0, error);
  } else {
    g_autoptr(SfSparseReader) reader = NULL;
    const SfSparseChunk *chunk;
    SparseExpect e = { 0 };

    reader = sf_sparse_reader_new (image, step->partition->file_name, 0, cancellable, error);
    if (reader == NULL)
      return FALSE;
    e.reader = reader;
    /* Each RAW and FILL run is read back and compared; DONT_CARE runs were
     * not written, so whatever the phone has there is fine. */
    while (sf_sparse_reader_next (reader, &chunk, cancellable, error)) {
      g_autoptr(GOutputStream) compare = NULL;

      if (chunk == NULL)
        return TRUE;
      if (chunk->type != SF_SPARSE_CHUNK_RAW && chunk->type != SF_SPARSE_CHUNK_FILL)
        continue;
      e.is_fill = chunk->type == SF_SPARSE_CHUNK_FILL;
      memcpy (e.fill, chunk->fill, sizeof e.fill);
      e.fill_offset = 0;
      compare = sf_compare_stream_new (expect_sparse, &e);
      if (!sf_da_read (s->da, part, offset + chunk->offset, chunk->length, compare,
                       NULL, NULL, cancellable, error) ||
          !check_compare (SF_COMPARE_STREAM (compare), step->partition->name, chunk->offset, error))
        return FALSE;
    }
    return FALSE;
  }
}

/* ---- the images, before the phone ------------------------------------------ */

static void
on_check_image (const char *image_name,
                guint       index,
                guint       n,
                gpointer    user_data)
{
  SfFlashSession *s = user_data;

  sf_worker_post_stage (s->worker, _("Checking %s (%u of %u)"), image_name, index + 1, n);
}

/* Every image the plan writes is read whole and checked (archive CRCs, sparse
 * CRC32 chunks) before the phone is waited for: a damaged firmware fails
 * here, with nothing written. */
gboolean
sf_flash_session_check_images (SfFlashSession  *s,
                               GCancellable    *cancellable,
                               GError         **error)
{
  SfPlan *plan = s->job->plan;
  g_autoptr(GPtrArray) partitions = g_ptr_array_new ();

  for (guint i = 0; i < sf_plan_get_n_steps (plan); i++) {
    const SfPlanStep *step = sf_plan_get_step (plan, i);

    if (step->kind == SF_STEP_DOWNLOAD)
      g_ptr_array_add (partitions, step->partition);
  }
  return partitions->len == 0 ||
         sf_firmware_check_images (sf_plan_get_firmware (plan), partitions, s->job->verify,
                                   on_check_image, s, cancellable, error);
}
