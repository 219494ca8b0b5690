/* sf-flash-job-calibration.c — a flash job's side of the calibration
 * journal (sf-calibration.h): open it, back up before an erase, restore,
 * and put the calibration back when a job fails
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sf-flash-job-private.h"


/* The error stays what it was (its name and number lead the message);
 * what became of the calibration follows it. */
static void
append_to_error (GError     **error,
                 const char  *text)
{
  char *joined;

  if (error == NULL || *error == NULL || text == NULL)
    return;
  joined = g_strconcat ((*error)->message, "\n", text, NULL);
  g_free ((*error)->message);
  (*error)->message = joined;
}

static void
on_calibration_log (const char *message,
                    gpointer    user_data)
{
  SfFlashSession *s = user_data;

  sf_worker_post_log (s->worker, "%s", message);
}

/* Once the phone is known: its journal, and what an earlier job left
 * pending is put back before this job does anything else. */
gboolean
sf_flash_session_open_calibration (SfFlashSession  *s,
                                   GCancellable    *cancellable,
                                   GError         **error)
{
  const SfBromInfo *brom = sf_brom_get_info (s->brom);
  const SfDaInfo *da = sf_da_get_info (s->da);
  g_autofree char *id = sf_calibration_phone_id (brom->chip != NULL ? brom->chip->name : NULL,
                                                 da->emmc_cid, G_N_ELEMENTS (da->emmc_cid));

  s->calibration = sf_calibration_new (s->job->backup_dir, NULL, id);
  sf_calibration_set_phone (s->calibration, brom->chip != NULL ? brom->chip->name : NULL, da->user_size);
  sf_calibration_set_log_func (s->calibration, on_calibration_log, s);
  if (s->job->plan != NULL)
    sf_calibration_set_scatter (s->calibration, sf_firmware_get_scatter (sf_plan_get_firmware (s->job->plan)),
                                sf_plan_get_layout (s->job->plan));
  if (!sf_calibration_load_journal (s->calibration, error))
    return FALSE;
  if (!sf_calibration_is_pending (s->calibration))
    return TRUE;

  {
    g_autofree char *list = sf_calibration_list_pending (s->calibration);
    g_autofree char *where = g_file_get_parse_name (sf_calibration_get_pending_folder (s->calibration));

    sf_worker_post_stage (s->worker, _("Putting back the calibration an earlier job left in %s"), where);
    sf_worker_post_log (s->worker, _("An earlier job on this phone stopped while its calibration (%s) was at risk"), list);
  }
  if (!sf_calibration_recover (s->calibration, s->da, NULL, NULL, cancellable, error)) {
    g_autofree char *what = sf_calibration_describe_pending (s->calibration);

    append_to_error (error, what);
    return FALSE;
  }
  return TRUE;
}

/* A plan that ran to its end: calibration that was to be kept is checked
 * on the phone (and the journal goes); calibration the user chose to erase
 * stays in its backup. */
gboolean
sf_flash_session_settle_calibration (SfFlashSession  *s,
                                     GCancellable    *cancellable,
                                     GError         **error)
{
  SfScene scene = sf_plan_get_scene (s->job->plan);
  gboolean kept = scene == SF_SCENE_FIRMWARE_UPGRADE ||
                  (scene == SF_SCENE_FORMAT_ALL_DOWNLOAD && s->job->restore);

  if (!sf_calibration_is_pending (s->calibration))
    return TRUE;
  if (!kept)
    return sf_calibration_release (s->calibration, error);
  sf_worker_post_stage (s->worker, _("Checking the phone's calibration"));
  return sf_calibration_recover (s->calibration, s->da, NULL, NULL, cancellable, error);
}

/* The job failed while calibration was at risk: put it back over the same
 * connection if the phone still answers, else say where it is. */
void
sf_flash_session_put_calibration_back (SfFlashSession  *s,
                                       GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *list = sf_calibration_list_pending (s->calibration);
  g_autofree char *what = NULL;

  if (s->da != NULL) {
    sf_worker_post_stage (s->worker, _("Putting the phone's calibration back"));
    /* Not the job's cancellable: after Stop, this is still worth doing. */
    if (sf_calibration_recover (s->calibration, s->da, NULL, NULL, NULL, &local_error)) {
      g_autofree char *done = g_strdup_printf (_("The phone's calibration (%s) was put back and checked."), list);

      append_to_error (error, done);
      return;
    }
    sf_worker_post_log (s->worker, _("Could not put the calibration back: %s"), local_error->message);
  }
  what = sf_calibration_describe_pending (s->calibration);
  append_to_error (error, what);
}

/* A range format (or the whole flash) without a firmware: the phone's own
 * table says where its calibration is. Every calibration partition the
 * erases reach is backed up, and the journal written, before the first. */
gboolean
sf_flash_session_backup_before_raw_erase (SfFlashSession  *s,
                                          GCancellable    *cancellable,
                                          GError         **error)
{
  SfPlan *raw = s->job->raw;
  gboolean any_erase = FALSE;

  for (guint i = 0; raw != NULL && i < sf_plan_get_n_steps (raw); i++)
    any_erase |= sf_plan_get_step (raw, i)->kind == SF_STEP_RAW_FORMAT;
  if (!any_erase)
    return TRUE;
  if (s->table == NULL || sf_partition_table_is_empty (s->table)) {
    sf_worker_post_log (s->worker, _("The phone has no partition table, so no calibration can be found to back up"));
    return TRUE;
  }

  for (guint t = 0; t < sf_partition_table_get_n_entries (s->table); t++) {
    const SfPartitionTableEntry *e = sf_partition_table_get_entry (s->table, t);
    SfOperation op = sf_operation_guess (e->name, TRUE);
    gboolean reached = FALSE;

    if (op != SF_OPERATION_PROTECTED && op != SF_OPERATION_BINREGION)
      continue;
    for (guint i = 0; i < sf_plan_get_n_steps (raw) && !reached; i++) {
      const SfPlanStep *r = sf_plan_get_step (raw, i);
      guint64 end = r->length != 0 ? r->offset + r->length : G_MAXUINT64;

      reached = r->kind == SF_STEP_RAW_FORMAT && r->part == SF_EMMC_PART_USER &&
                r->offset < e->offset + e->size && e->offset < end;
    }
    if (!reached)
      continue;
    sf_flash_session_begin_step (s, -1, e->name, "backup", e->size);
    if (!sf_calibration_backup (s->calibration, s->da, e->name, SF_EMMC_PART_USER, e->offset, e->size,
                                e->offset, sf_flash_session_on_progress, s, cancellable, error))
      return FALSE;
    sf_flash_session_end_step (s, "backup");
  }
  return sf_calibration_arm (s->calibration, "format", error);
}

gboolean
sf_flash_session_run_backup (SfFlashSession    *s,
                             const SfPlanStep  *step,
                             guint              part,
                             guint64            offset,
                             GCancellable      *cancellable,
                             GError           **error)
{
  if (step->length == 0) {
    sf_set_device_error (error, SF_ERROR_UNSUPPORTED,
                         _("cannot back up partition %s: the scatter file gives it no size, so nothing was erased"),
                         step->partition->name);
    return FALSE;
  }
  return sf_calibration_backup (s->calibration, s->da, step->partition->name, part, offset, step->length,
                                step->address, sf_flash_session_on_progress, s, cancellable, error);
}

gboolean
sf_flash_session_run_restore (SfFlashSession    *s,
                              const SfPlanStep  *step,
                              guint              part,
                              guint64            offset,
                              GCancellable      *cancellable,
                              GError           **error)
{
  (void) part;
  (void) offset;
  return sf_calibration_restore (s->calibration, s->da, step->partition->name, sf_flash_session_on_progress, s,
                                 cancellable, error);
}

/* Firmware Upgrade: the kept partitions that moved, at their new places. */
gboolean
sf_flash_session_run_moves (SfFlashSession  *s,
                            GCancellable    *cancellable,
                            GError         **error)
{
  for (guint i = 0; s->moves != NULL && i < s->moves->len; i++) {
    const SfFlashMove *m = &g_array_index (s->moves, SfFlashMove, i);

    sf_flash_session_begin_step (s, -1, m->partition->name, "restore", m->size);
    if (!sf_calibration_restore (s->calibration, s->da, m->partition->name, sf_flash_session_on_progress, s,
                                 cancellable, error))
      return FALSE;
    sf_flash_session_end_step (s, "restore");
  }
  return TRUE;
}
