/* sf-event.c — what a worker reports while it talks to a phone
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "sf-event.h"

/**
 * sf_event_new:
 *
 * Returns: (transfer full): an event stamped with the current time.
 */
SfEvent *
sf_event_new (SfEventKind kind)
{
  SfEvent *event = g_new0 (SfEvent, 1);

  event->kind = kind;
  event->step = -1;
  event->time_us = g_get_monotonic_time ();
  return event;
}

void
sf_event_free (SfEvent *event)
{
  if (event == NULL)
    return;
  g_free (event->partition);
  g_free (event->message);
  g_clear_pointer (&event->device, sf_device_info_free);
  g_clear_error (&event->error);
  g_free (event);
}

const char *
sf_event_kind_to_string (SfEventKind kind)
{
  switch (kind) {
  case SF_EVENT_STAGE: return "stage";
  case SF_EVENT_DEVICE: return "device";
  case SF_EVENT_STEP_BEGIN: return "step-begin";
  case SF_EVENT_PROGRESS: return "progress";
  case SF_EVENT_STEP_END: return "step-end";
  case SF_EVENT_LOG: return "log";
  case SF_EVENT_FINISHED: return "finished";
  case SF_EVENT_FAILED: return "failed";
  default: return "unknown";
  }
}

/**
 * sf_device_info_copy:
 *
 * Returns: (transfer full): a copy of @info.
 */
SfDeviceInfo *
sf_device_info_copy (const SfDeviceInfo *info)
{
  SfDeviceInfo *copy = g_memdup2 (info, sizeof *info);

  copy->chip = g_strdup (info->chip);
  copy->storage = g_strdup (info->storage);
  if (info->table != NULL)
    copy->table = sf_partition_table_ref (info->table);
  return copy;
}

void
sf_device_info_free (SfDeviceInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->chip);
  g_free (info->storage);
  g_clear_pointer (&info->table, sf_partition_table_unref);
  g_free (info);
}
