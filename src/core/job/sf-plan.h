/* sf-plan.h
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sf-firmware.h"

G_BEGIN_DECLS

typedef enum {
  SF_SCENE_DOWNLOAD_ONLY,
  SF_SCENE_FIRMWARE_UPGRADE,
  SF_SCENE_FORMAT_ALL_DOWNLOAD,
  SF_SCENE_FORMAT,
  SF_SCENE_READBACK,
} SfScene;

typedef enum {
  SF_STEP_BACKUP,      /* read a calibration partition to the host before anything may erase it */
  SF_STEP_FORMAT,      /* erase one partition */
  SF_STEP_FORMAT_ALL,  /* erase the whole storage; its size comes from the device */
  SF_STEP_DOWNLOAD,    /* write an image into a partition */
  SF_STEP_RESTORE,     /* write a backup taken by an earlier SF_STEP_BACKUP back */
  SF_STEP_READBACK,    /* read a partition into a file */
  /* Without a firmware (sf_plan_new_raw()): the phone's own terms. */
  SF_STEP_RAW_FORMAT,    /* erase a range of an eMMC area */
  SF_STEP_RAW_READBACK,  /* read a range of an eMMC area into a file */
  SF_STEP_TABLE_BACKUP,  /* read the boot area and every partition of the phone's own table into a folder */
} SfStepKind;

/**
 * SfPlanStep:
 *
 * One step of a plan. @length is the flash area the step covers (0 when only
 * the device can tell: a whole-storage format, a partition of size 0 that runs
 * to the end). @transfer_bytes is what crosses the USB link, so progress and
 * ETA are known before the first byte moves.
 *
 * The steps of a plan without a firmware have no partition: @part, @offset
 * and @length say where on the phone (@length 0: to the end of @part), and
 * @file where a read goes (for SF_STEP_TABLE_BACKUP, the folder).
 */
typedef struct {
  SfStepKind    kind;
  SfPartition  *partition;       /* NULL for SF_STEP_FORMAT_ALL */
  SfImage      *image;           /* SF_STEP_DOWNLOAD only */
  const char   *region;          /* the partition's region, or NULL */
  guint64       address;         /* linear_start_addr as the scatter writes it */
  guint64       length;
  guint64       transfer_bytes;
  guint         part;            /* SF_STEP_RAW_*: an SF_EMMC_PART_* */
  guint64       offset;          /* SF_STEP_RAW_*: where in @part */
  GFile        *file;            /* SF_STEP_RAW_READBACK, SF_STEP_TABLE_BACKUP */
} SfPlanStep;

#define SF_TYPE_PLAN (sf_plan_get_type ())

G_DECLARE_FINAL_TYPE (SfPlan, sf_plan, SF, PLAN, GObject)

/* @storage: which layout of a V2 combo scatter ("EMMC", "UFS"); NULL for the first.
 * @partitions: (nullable): names of the ticked partitions; NULL means the
 *   scene's default (every downloadable partition that has an image). */
SfPlan            *sf_plan_new                 (SfFirmware          *firmware,
                                                const char          *storage,
                                                SfScene              scene,
                                                const char * const  *partitions,
                                                GError             **error) G_GNUC_WARN_UNUSED_RESULT;
/* A plan of the phone's own ranges, with no firmware (Format and Readback
 * by address, the whole flash, a backup by the phone's table). Its scene is
 * SF_SCENE_FORMAT once it erases, else SF_SCENE_READBACK. */
SfPlan            *sf_plan_new_raw             (void) G_GNUC_WARN_UNUSED_RESULT;
void               sf_plan_add_raw_format      (SfPlan              *self,
                                                guint                part,
                                                guint64              offset,
                                                guint64              length);
void               sf_plan_add_raw_readback    (SfPlan              *self,
                                                guint                part,
                                                guint64              offset,
                                                guint64              length,
                                                GFile               *file);
/* Comes before every raw read and erase of the plan. */
void               sf_plan_add_table_backup    (SfPlan              *self,
                                                GFile               *folder);

SfScene            sf_plan_get_scene           (SfPlan              *self);
SfFirmware        *sf_plan_get_firmware        (SfPlan              *self);
SfLayout          *sf_plan_get_layout          (SfPlan              *self);
guint              sf_plan_get_n_steps         (SfPlan              *self);
const SfPlanStep  *sf_plan_get_step            (SfPlan              *self,
                                                guint                index);
guint64            sf_plan_get_total_bytes     (SfPlan              *self);
GPtrArray         *sf_plan_get_warnings        (SfPlan              *self);

gboolean           sf_scene_from_string        (const char          *text,
                                                SfScene             *out_scene);
const char        *sf_scene_to_string          (SfScene              scene);
const char        *sf_scene_get_title          (SfScene              scene);
const char        *sf_step_kind_to_string      (SfStepKind           kind);

G_END_DECLS
