/* sf-window.h — the main window
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "sf-application.h"

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
/* (transfer none) (element-type SfPartitionItem) */
GListModel     *sf_window_get_partitions  (SfWindow      *self);
void            sf_window_set_port        (SfWindow      *self,
                                           const char    *port);
/* A DA file to use instead of the firmware's or the bundled one (NULL: none). */
void            sf_window_set_da_file     (SfWindow      *self,
                                           GFile         *file);
SfWindowResult  sf_window_get_result      (SfWindow      *self);

G_END_DECLS
