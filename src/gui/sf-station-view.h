/* sf-station-view.h — several phones at once: one row, one worker per phone
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "sf-da-file.h"
#include "sf-plan.h"
#include "sf-usb-device.h"

G_BEGIN_DECLS

#define SF_TYPE_STATION_VIEW (sf_station_view_get_type ())

G_DECLARE_FINAL_TYPE (SfStationView, sf_station_view, SF, STATION_VIEW, AdwBin)

/**
 * SfStationView:
 *
 * A repair shop's station: every phone plugged in while it runs gets its own
 * worker, running the same plan, and its own row with progress and result.
 * Emits "finished" once stopped and every phone's worker has ended.
 */
SfStationView  *sf_station_view_new         (void) G_GNUC_WARN_UNUSED_RESULT;

/* Starts taking phones. @backup_dir: (nullable) */
void            sf_station_view_start       (SfStationView  *self,
                                             SfPlan         *plan,
                                             SfDaFile       *da,
                                             gboolean        verify,
                                             GFile          *backup_dir);
/* A phone arrived: a flashable one is flashed at once; a phone running
 * Android gets a row that says to switch it off. Ignored when stopped. */
void            sf_station_view_add_phone   (SfStationView  *self,
                                             SfUsbDevice    *device);
/* Takes no more phones and stops those in progress between two packets. */
void            sf_station_view_stop        (SfStationView  *self);
gboolean        sf_station_view_is_running  (SfStationView  *self);

/* Phones finished so far: flashed and failed (stopped ones count as failed). */
guint           sf_station_view_get_n_done   (SfStationView *self);
guint           sf_station_view_get_n_failed (SfStationView *self);
/* What happened to every phone, one line per event, as Save Log writes it.
 * (transfer full) */
char           *sf_station_view_get_log      (SfStationView *self);

G_END_DECLS
