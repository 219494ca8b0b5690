/* sf-window.h — the main window
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "sf-application.h"
#include "sf-plan.h"

G_BEGIN_DECLS

/* How the last download ended. */
typedef enum {
  SF_WINDOW_RESULT_NONE,
  SF_WINDOW_RESULT_RUNNING,
  SF_WINDOW_RESULT_DONE,
  SF_WINDOW_RESULT_FAILED,
  SF_WINDOW_RESULT_STOPPED,
} SfWindowResult;

#define SF_TYPE_WINDOW (sf_window_get_type ())

G_DECLARE_FINAL_TYPE (SfWindow, sf_window, SF, WINDOW, AdwApplicationWindow)

/* @application: (nullable) */
SfWindow       *sf_window_new             (SfApplication *application) G_GNUC_WARN_UNUSED_RESULT;
/* Opens a scatter file, a folder or an archive in the background. */
void            sf_window_load_firmware   (SfWindow      *self,
                                           GFile         *location);
gboolean        sf_window_is_loading      (SfWindow      *self);
/* The open firmware, or NULL. (transfer none) */
SfFirmware     *sf_window_get_firmware    (SfWindow      *self);
/* (transfer none) (element-type SfPartitionItem) */
GListModel     *sf_window_get_partitions  (SfWindow      *self);
void            sf_window_set_port        (SfWindow      *self,
                                           const char    *port);
/* A DA file to use instead of the firmware's or the bundled one (NULL: none). */
void            sf_window_set_da_file     (SfWindow      *self,
                                           GFile         *file);
SfWindowResult  sf_window_get_result      (SfWindow      *self);
/* Bytes moved so far by the running (or last) job, and in all. */
void            sf_window_get_progress    (SfWindow      *self,
                                           guint64       *done,
                                           guint64       *total);
/* Why the last job failed or stopped, or NULL. */
const GError   *sf_window_get_error       (SfWindow      *self);
/* The job view's log, as Save would write it. (transfer full) */
char           *sf_window_get_log         (SfWindow      *self);
/* Writes @file into partition @name instead of the scatter's image. */
gboolean        sf_window_set_partition_image (SfWindow   *self,
                                           const char    *name,
                                           GFile         *file,
                                           GError       **error);
/* "download", "readback", "format", "phone", or "job" (the job view). */
void            sf_window_show_page       (SfWindow      *self,
                                           const char    *name);

/* What the banner under the header bar says about the open firmware (why
 * it was refused, what in it cannot be written), or NULL when it is hidden. */
const char     *sf_window_get_banner      (SfWindow      *self);

/* What the Download Agent row says: the file, or why it cannot be used. */
const char     *sf_window_get_da_status   (SfWindow      *self);
/* A page of the view stack by name. (transfer none) */
GtkWidget      *sf_window_get_page        (SfWindow      *self,
                                           const char    *name);

/* Repair-shop station: Download flashes every phone plugged in, each with
 * its own worker and row, until Stop. */
void            sf_window_set_station     (SfWindow      *self,
                                           gboolean       station);
/* (transfer none): the SfStationView */
GtkWidget      *sf_window_get_station     (SfWindow      *self);

/* Practice mode: the sample firmware onto a virtual phone in this process. */
void            sf_window_set_practice    (SfWindow      *self,
                                           gboolean       practice);
gboolean        sf_window_get_practice    (SfWindow      *self);
/* A fault for the next practice runs, as scatterflash-sim --fault takes it
 * ("unplug-after=1M"); NULL for none. */
gboolean        sf_window_set_practice_fault (SfWindow   *self,
                                           const char    *spec,
                                           GError       **error);
/* "none", "full-speed" or "high-speed" (the default). */
gboolean        sf_window_set_practice_pace (SfWindow    *self,
                                           const char    *pace,
                                           GError       **error);

G_END_DECLS
