/* sf-station.h — several phones at once: one worker per phone, as they arrive
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "sf-device-monitor.h"
#include "sf-flash-job.h"
#include "sf-job-progress.h"

G_BEGIN_DECLS

/**
 * SfStation:
 *
 * A repair shop's bench: every flashable phone that arrives gets a job of
 * its own on its own worker, and the rules of who is taken live here, for
 * `download --watch` and the window's station view alike:
 *
 * - a phone running Android is refused (it has to be switched off);
 * - a USB socket whose phone is still being flashed is not taken twice (a
 *   phone that re-enumerates mid-job);
 * - a real phone that finished on a socket less than
 *   SF_DEVICE_MONITOR_REFLASH_GUARD_US ago is refused: it is restarting,
 *   not a new phone (virtual phones are made on purpose and are taken);
 * - with a limit, no more phones than that are taken.
 *
 * Each worker's events are drained on the station's main context every
 * SF_STATION_DRAIN_MS and folded into the phone's SfJobProgress; the faces
 * draw from that. Signals are emitted on that main context.
 */

#define SF_STATION_DRAIN_MS 33

typedef enum {
  SF_STATION_REFUSED_POWERED_ON,    /* running Android: switch it off first */
  SF_STATION_REFUSED_JUST_FLASHED,  /* came back right after it was flashed */
} SfStationRefusal;

/* One phone of the station. The fields are read-only for the faces. */
typedef struct {
  guint          number;        /* 1, 2, … in the order they came */
  SfUsbDevice   *device;
  SfJobProgress *progress;      /* state, figures, result */
  gboolean       present;       /* still plugged in */
  gint64         started_us;
  gpointer       face_data;     /* for the face: its row, say */
} SfStationPhone;

/* Makes the job for a phone that arrived (on the main context). */
typedef SfFlashJob *(*SfStationJobFunc) (SfUsbDevice *device,
                                         gpointer     user_data);

#define SF_TYPE_STATION (sf_station_get_type ())

G_DECLARE_FINAL_TYPE (SfStation, sf_station, SF, STATION, GObject)

SfStation        *sf_station_new            (SfStationJobFunc  make_job,
                                             gpointer          user_data,
                                             GDestroyNotify    destroy) G_GNUC_WARN_UNUSED_RESULT;
/* At most @count phones (0: no limit). */
void              sf_station_set_limit      (SfStation        *self,
                                             guint             count);
/* Takes the phones @monitor reports from now on, and those already
 * plugged in. The station keeps a reference. */
void              sf_station_watch          (SfStation        *self,
                                             SfDeviceMonitor  *monitor);
/* A phone that arrived, for a face that has its own monitor. */
void              sf_station_add_device     (SfStation        *self,
                                             SfUsbDevice      *device);
void              sf_station_remove_device  (SfStation        *self,
                                             SfUsbDevice      *device);
/* No more phones; the running ones are stopped. "idle" follows once every
 * worker has ended. */
void              sf_station_stop           (SfStation        *self);

guint             sf_station_get_n_phones   (SfStation        *self);
SfStationPhone   *sf_station_get_phone      (SfStation        *self,
                                             guint             index);
guint             sf_station_get_n_running  (SfStation        *self);
/* Whether the station takes no more phones (stopped, or the limit is met). */
gboolean          sf_station_is_closed      (SfStation        *self);

G_END_DECLS
