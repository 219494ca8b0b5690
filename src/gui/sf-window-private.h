/* sf-window-private.h — what the files of SfWindow share: the instance
 * struct and the functions one part of the window calls in another
 *
 * The window is one class in several files, by concern (as GNOME Text
 * Editor splits its window): sf-window.c (class, template, settings, the
 * public API), sf-window-actions.c (the win.* actions), sf-window-job.c
 * (the job view), sf-window-firmware.c (firmware, scene and DA rows,
 * loading, recent files), sf-window-columns.c (the partition list),
 * sf-window-phones.c (the device monitor, the port, the host check) and
 * sf-window-practice.c (the virtual phone in this process).
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "sf-da-file.h"
#include "sf-device-monitor.h"
#include "sf-phone-page.h"
#include "sf-firmware.h"
#include "sf-flash-job.h"
#include "sf-format-page.h"
#include "sf-job-progress.h"
#include "sf-partition-item.h"
#include "sf-phone-chooser.h"
#include "sf-plan.h"
#include "sf-readback-page.h"
#include "sf-sim.h"
#include "sf-station-view.h"
#include "sf-window.h"
#include "sf-worker.h"

G_BEGIN_DECLS

typedef enum {
  SF_WINDOW_JOB_DOWNLOAD,
  SF_WINDOW_JOB_READBACK,
  SF_WINDOW_JOB_FORMAT,
  SF_WINDOW_JOB_IDENTIFY,
} SfWindowJobKind;

struct _SfWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  AdwViewSwitcherTitle *switcher_title;
  GtkStack             *action_stack;
  GtkRevealer          *practice_revealer;
  GtkRevealer          *host_revealer;
  GtkLabel             *host_label;
  GtkRevealer          *firmware_revealer;
  GtkWidget            *firmware_banner;
  GtkImage             *firmware_icon;
  GtkLabel             *firmware_label;
  GtkStack             *mode_stack;
  AdwViewStack         *view_stack;
  GtkStack             *download_stack;
  AdwStatusPage        *empty_page;
  AdwActionRow         *firmware_row;
  AdwActionRow         *da_row;
  GtkWidget            *da_reset_button;
  AdwActionRow         *emi_row;
  GtkWidget            *emi_clear_button;
  AdwComboRow          *scene_row;
  AdwActionRow         *port_row;
  GtkEntry             *port_entry;
  GtkWidget            *phone_strip;
  SfPhoneChooser       *phone_chooser;
  AdwActionRow         *station_row;
  GtkSwitch            *station_switch;
  SfStationView        *station;
  GtkCheckButton       *select_all_check;
  GtkLabel             *info_label;
  GtkColumnView        *partition_view;
  GtkColumnViewColumn  *check_column;
  GtkColumnViewColumn  *name_column;
  GtkColumnViewColumn  *begin_column;
  GtkColumnViewColumn  *end_column;
  GtkColumnViewColumn  *region_column;
  GtkColumnViewColumn  *file_column;
  GtkStack             *job_stack;
  GtkSpinner           *job_spinner;
  GtkLabel             *job_title;
  GtkLabel             *job_instructions;
  GtkLabel             *partition_label;
  GtkLabel             *partition_percent;
  GtkProgressBar       *partition_bar;
  GtkLabel             *total_percent;
  GtkProgressBar       *total_bar;
  GtkLabel             *stats_label;
  GtkWidget            *result_box;
  GtkImage             *result_icon;
  GtkLabel             *result_title;
  GtkLabel             *result_code;
  GtkWidget            *open_folder_button;
  GtkLabel             *result_text;
  GtkExpander          *log_expander;
  GtkTextView          *log_view;
  GMenu                *recent_section;
  SfReadbackPage       *readback_page;
  SfFormatPage         *format_page;
  SfPhonePage          *phone_page;

  GSettings            *settings;     /* NULL when the schema is not installed */
  GListStore           *partitions;
  gboolean              select_all_busy;
  SfFirmware           *firmware;
  SfDaFile             *firmware_da;  /* the DA that came with the firmware */
  GFile                *da_override;
  GFile                *emi_file;      /* DRAM settings for a BootROM phone, as --emi-from */
  GCancellable         *load_cancellable;
  GtkNativeDialog      *chooser;
  gboolean              loading;
  gboolean              verify;
  char                 *load_problem;  /* why the last firmware opened was refused */
  char                 *scene_problem; /* why the scene cannot run this firmware */
  GHashTable           *user_ticks;    /* Download Only's ticks while another scene is shown */

  /* Phones on the bus (and virtual phones that announce themselves) */
  SfDeviceMonitor      *monitor;
  gboolean              waiting;       /* a job waits for a phone to arrive */
  GCancellable         *check_cancellable; /* the firmware's images are being checked */
  gboolean              images_checked; /* for the download about to start (sf-window-actions.c) */
  gboolean              keep_log;      /* the next job continues the log of a check or a wait */
  SfWindowJobKind       waiting_kind;
  SfUsbDevice          *arrived;       /* the phone that just arrived */
  GPtrArray            *host_problems; /* (element-type SfHostProblem) */
  GCancellable         *host_cancellable;

  /* Practice mode: a virtual phone in this process */
  gboolean              practice;
  SfSimPace             practice_pace;
  SfSimFaults           practice_faults;
  SfSim                *sim;
  guint                 plug_id;
  gboolean              practice_sample; /* practice opened the sample: nothing was open */

  /* The running job */
  SfWindowJobKind       job_kind;
  SfFlashJob           *pending_job;  /* waiting for the virtual phone to be plugged in */
  SfWorker             *worker;
  guint                 drain_id;
  SfWindowResult        result;
  GError               *error;
  char                 *partition;
  char                 *step_kind;
  gint64                started_us;
  SfJobProgress        *progress;     /* the job's events, folded (sf-job-progress.h) */
  GPtrArray            *finished;     /* partitions done, in order */
  gboolean              reached_phone; /* the job talked to the phone: Again needs a replug */
  gboolean              step_open;    /* a step began and has not ended */
  SfUsbDevice          *replugged;    /* a phone that arrived since the job ended */
  char                 *replug_port;  /* the typed port, watched for the replug */
  gboolean              replug_gone;
  guint                 replug_id;
  SfDeviceInfo         *device;
};

/* sf-window.c */
void            sf_window_show_toast             (SfWindow         *self,
                                                  const char       *text,
                                                  guint             timeout);
/* A job runs, waits for its phone, or the station runs. */
gboolean        sf_window_is_busy                (SfWindow         *self);
/* Enables the actions and shows the header bar's button for the state. */
void            sf_window_update_actions         (SfWindow         *self);

/* sf-window-actions.c */
void            sf_window_class_add_actions      (GtkWidgetClass   *widget_class);
/* Download with the scene and ticks shown; also when a phone arrives. */
void            sf_window_start_download         (SfWindow         *self);
/* A job from the Readback, Format or Phone page. */
void            sf_window_start_page_job         (SfWindow         *self,
                                                  SfWindowJobKind   kind);

/* sf-window-columns.c */
void            sf_window_columns_init           (SfWindow         *self);
void            sf_window_update_select_all      (SfWindow         *self);
/* The scatter's (or the chosen) image of @item, and why it cannot be written. */
void            sf_window_set_item_image         (SfWindow         *self,
                                                  SfPartitionItem  *item,
                                                  gboolean          tick);

/* sf-window-firmware.c */
void            sf_window_firmware_init          (SfWindow         *self);
char           *sf_window_location_to_string     (GFile            *location) G_GNUC_WARN_UNUSED_RESULT;
GFile          *sf_window_location_from_string   (const char       *text) G_GNUC_WARN_UNUSED_RESULT;
void            sf_window_rebuild_recent_menu    (SfWindow         *self);
SfScene         sf_window_current_scene          (SfWindow         *self);
/* The scene from last time; Format All + Download only when chosen again. */
void            sf_window_restore_scene          (SfWindow         *self,
                                                  SfScene           scene);
gboolean        sf_window_scene_picks_partitions (SfScene           scene);
/* The planner's words with the scenes' titles ("Download Only"). */
char           *sf_window_scene_words            (const char       *text) G_GNUC_WARN_UNUSED_RESULT;
/* The DA a job would use now, checked against the firmware's chip. */
SfDaFile       *sf_window_choose_checked_da      (SfWindow         *self,
                                                  GError          **error) G_GNUC_WARN_UNUSED_RESULT;
void            sf_window_update_da_row          (SfWindow         *self);
void            sf_window_update_emi_row         (SfWindow         *self);
void            sf_window_update_firmware_banner (SfWindow         *self);
void            sf_window_populate_partitions    (SfWindow         *self);
/* @problem: (nullable): why nothing is open, for the banner. */
void            sf_window_unload_firmware        (SfWindow         *self,
                                                  const char       *problem);
void            sf_window_open_chooser           (SfWindow         *self,
                                                  gboolean          folder,
                                                  gboolean          for_da);

/* sf-window-job.c */
void            sf_window_log_line               (SfWindow         *self,
                                                  const char       *format,
                                                  ...) G_GNUC_PRINTF (2, 3);
void            sf_window_set_instructions       (SfWindow         *self,
                                                  const char       *title,
                                                  const char       *text);
const char     *sf_window_connect_instructions   (void);
void            sf_window_finish_job             (SfWindow         *self,
                                                  SfWindowResult    result,
                                                  const GError     *error);
/* Runs the pending job on a worker and drains its events. */
void            sf_window_start_worker           (SfWindow         *self);
/* The job view for a new job of @kind, @first_line in its log. */
void            sf_window_begin_job_view         (SfWindow         *self,
                                                  SfWindowJobKind   kind,
                                                  const char       *first_line);
/* Takes @job and shows the job view until it ends. */
void            sf_window_run_job                (SfWindow         *self,
                                                  SfWindowJobKind   kind,
                                                  SfFlashJob       *job,
                                                  const char       *description);
/* The job view asks for a phone; the job starts when one arrives. */
void            sf_window_start_waiting          (SfWindow         *self,
                                                  SfWindowJobKind   kind);
char           *sf_window_get_log_text           (SfWindow         *self) G_GNUC_WARN_UNUSED_RESULT;

/* sf-window-phones.c */
void            sf_window_start_host_check       (SfWindow         *self);
void            sf_window_show_host_problems     (SfWindow         *self);
void            sf_window_start_monitor          (SfWindow         *self);
char           *sf_window_device_port            (SfUsbDevice      *device) G_GNUC_WARN_UNUSED_RESULT;
/* The phone for a job of @kind: a port (typed, or the practice phone's)
 * or @out_device, which the monitor lists. FALSE when the job cannot start
 * now: the reason is shown, or the job view waits for a phone. */
gboolean        sf_window_acquire_port           (SfWindow         *self,
                                                  SfWindowJobKind   kind,
                                                  SfUsbDevice     **out_device,
                                                  char            **out_port);
gboolean        sf_window_still_plugged_in       (SfWindow         *self,
                                                  SfUsbDevice      *device);
/* Again after a job that reached the phone: waits for it to be plugged
 * in again (a typed port is watched going and coming back). */
void            sf_window_wait_for_replug        (SfWindow         *self,
                                                  SfWindowJobKind   kind);

/* sf-window-practice.c */
gboolean        sf_window_make_virtual_phone     (SfWindow         *self,
                                                  GError          **error);
/* Plugs the virtual phone in a moment from now, then starts the job. */
void            sf_window_plug_virtual_phone_later (SfWindow       *self);

G_END_DECLS
