/* sf-event.h — what a worker reports while it talks to a phone
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "sf-partition-table.h"

G_BEGIN_DECLS

typedef enum {
  SF_EVENT_STAGE,       /* @message: what is happening now ("Sending the download agent") */
  SF_EVENT_DEVICE,      /* @device: who answered */
  SF_EVENT_STEP_BEGIN,  /* @step, @partition, @message (the step kind), @total */
  SF_EVENT_PROGRESS,    /* @step, @done / @total, @overall_done / @overall_total */
  SF_EVENT_STEP_END,    /* @step, @partition, @total */
  SF_EVENT_LOG,         /* @message */
  SF_EVENT_FINISHED,    /* the job is done and succeeded */
  SF_EVENT_FAILED,      /* @error; the job is over */
} SfEventKind;

/* What the phone said about itself. */
typedef struct {
  char     *chip;          /* "MT6572", or NULL for an unknown hw code */
  guint16   hw_code;
  guint16   hw_sub_code;
  guint16   hw_ver;
  guint16   sw_ver;
  gboolean  is_brom;       /* BootROM (TRUE) or preloader */
  gboolean  has_storage;   /* the fields below are known (a DA ran) */
  char     *storage;       /* "EMMC", "NAND" */
  guint64   boot1_size;
  guint64   boot2_size;
  guint64   rpmb_size;
  guint64   user_size;
  guint64   ram_size;
  /* The phone's own partition table (PMT), once the DA read it: NULL before
   * that; an empty table for a phone never flashed with a layout. */
  SfPartitionTable *table;
} SfDeviceInfo;

typedef struct {
  SfEventKind    kind;
  gint64         time_us;        /* g_get_monotonic_time() when it happened */
  gint           step;           /* index in the plan, or -1 */
  char          *partition;
  char          *message;
  guint64        done;
  guint64        total;
  guint64        overall_done;
  guint64        overall_total;
  SfDeviceInfo  *device;
  GError        *error;
} SfEvent;

SfEvent       *sf_event_new            (SfEventKind          kind) G_GNUC_WARN_UNUSED_RESULT;
void           sf_event_free           (SfEvent             *event);
const char    *sf_event_kind_to_string (SfEventKind          kind);

SfDeviceInfo  *sf_device_info_copy     (const SfDeviceInfo  *info) G_GNUC_WARN_UNUSED_RESULT;
void           sf_device_info_free     (SfDeviceInfo        *info);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SfEvent, sf_event_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SfDeviceInfo, sf_device_info_free)

G_END_DECLS
