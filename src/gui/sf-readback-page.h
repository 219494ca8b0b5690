/* sf-readback-page.h — the Readback page: partitions of the phone into files
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "sf-partition-table.h"
#include "sf-firmware.h"
#include "sf-flash-job.h"

G_BEGIN_DECLS

#define SF_TYPE_READBACK_PAGE (sf_readback_page_get_type ())

G_DECLARE_FINAL_TYPE (SfReadbackPage, sf_readback_page, SF, READBACK_PAGE, AdwBin)

SfReadbackPage *sf_readback_page_new               (void) G_GNUC_WARN_UNUSED_RESULT;
/* @firmware: (nullable): its scatter layout lists the partitions. */
void            sf_readback_page_set_firmware      (SfReadbackPage      *self,
                                                    SfFirmware          *firmware);
/* @table: (nullable): the phone's own table, from the last SF_EVENT_DEVICE;
 * lists the partitions when no firmware is open. */
void            sf_readback_page_set_partition_table  (SfReadbackPage      *self,
                                                    SfPartitionTable       *table);
/* A job runs: the page is insensitive. */
void            sf_readback_page_set_busy          (SfReadbackPage      *self,
                                                    gboolean             busy);
/* Adds this page's work to @job (built by the window with port + DA).
 * FALSE with @error when nothing is chosen, the destination is unusable,
 * or a file would be replaced that the user did not agree to replace. */
gboolean        sf_readback_page_configure_job     (SfReadbackPage      *self,
                                                    SfFlashJob          *job,
                                                    GError             **error);
/* One line for the job view, e.g. "Reading back 3 partitions into
 * ~/Scatterflash Readback". (transfer full) */
char           *sf_readback_page_describe          (SfReadbackPage      *self) G_GNUC_WARN_UNUSED_RESULT;
/* Where the last job configured writes its files. (transfer none) */
GFile          *sf_readback_page_get_output_folder (SfReadbackPage      *self);

/* Ticks exactly @names (case-insensitive; NULL: none). */
void            sf_readback_page_set_selected      (SfReadbackPage      *self,
                                                    const char * const  *names);
/* The ticked partitions' names. (transfer full) */
GStrv           sf_readback_page_get_selected      (SfReadbackPage      *self) G_GNUC_WARN_UNUSED_RESULT;
/* Every listed partition's name. (transfer full) */
GStrv           sf_readback_page_get_partition_names (SfReadbackPage    *self) G_GNUC_WARN_UNUSED_RESULT;
/* Where the files go (NAME.bin in @folder). */
void            sf_readback_page_set_folder        (SfReadbackPage      *self,
                                                    GFile               *folder);
/* (transfer none) */
GFile          *sf_readback_page_get_folder        (SfReadbackPage      *self);
/* "Back up everything": the boot area and every partition of the phone's
 * own table into a new timestamped folder in the destination. Ignored
 * (and unset) while a firmware is open and the phone's table is unknown. */
void            sf_readback_page_set_back_up_everything (SfReadbackPage *self,
                                                         gboolean        everything);
gboolean        sf_readback_page_get_back_up_everything (SfReadbackPage *self);

/* Signal "start" (no arguments, G_SIGNAL_RUN_LAST): the user pressed Read
 * Back (action "readback.start") and agreed to replace any existing file.
 * The window then builds the job, calls sf_readback_page_configure_job()
 * and runs it. Other actions: "readback.select-all", "readback.select-none",
 * "readback.choose-folder". */

/* An address range to read as well (SP Flash Tool's readback): @part is
 * SF_EMMC_PART_*, @begin and @length as typed (hex); @begin NULL turns the
 * range off. */
void            sf_readback_page_set_range         (SfReadbackPage      *self,
                                                    guint                part,
                                                    const char          *begin,
                                                    const char          *length);
/* Why the range cannot be read (NULL: fine, or no range asked for). */
const char     *sf_readback_page_get_range_error   (SfReadbackPage      *self);

G_END_DECLS
