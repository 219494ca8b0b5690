/* sf-sim-private.h — what sf-sim.c (plumbing) and sf-sim-device.c
 * (protocol) share
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sf-sim.h"

G_BEGIN_DECLS

/* Why the device stopped talking: set by the I/O helpers when they fail. */
typedef enum {
  SF_SIM_END_NONE,
  SF_SIM_END_STOP,     /* sf_sim_stop() woke us */
  SF_SIM_END_FINISH,   /* DA FINISH: hang up */
  SF_SIM_END_UNPLUG,   /* unplug-after fault: hang up */
  SF_SIM_END_ERROR,    /* I/O or storage error, in self->thread_error */
} SfSimEnd;

/* In the order of the DA's linear space (§13.9): BOOT1 | BOOT2 | RPMB |
 * USER (no GP partitions). */
enum {
  SF_SIM_STORE_BOOT1,
  SF_SIM_STORE_BOOT2,
  SF_SIM_STORE_RPMB,
  SF_SIM_STORE_USER,
  SF_SIM_N_STORES,
};

typedef struct {
  int     fd;
  guint64 size;
} SfSimStore;

struct _SfSim {
  SfSimOptions  opts;
  char         *storage_dir;
  /* The board's CID with this eMMC's own serial number (storage/serial):
   * two virtual phones are two phones, as the journal of their
   * calibration needs (docs/scenes.md §3). */
  guint8        cid[16];

  /* lock guards result, error, port_path, flash_bytes, paced_* and done */
  GMutex        lock;
  GCond         cond;
  SfSimResult   result;
  GError       *error;
  gboolean      done;
  char         *port_path;
  GPtrArray    *old_paths;   /* earlier port paths, kept valid until free */

  GThread      *thread;
  int           wake_fds[2]; /* sf_sim_stop() writes to [1] */
  gint          stop_requested; /* atomic: set by sf_sim_stop() before it wakes the thread */
  int           master_fd;
  int           slave_fd;    /* held open so a host close does not hang up the master */
  GArray       *gone_masters; /* (element-type int) ptys left by a re-enumeration, locked, kept until free */

  SfSimStore    stores[SF_SIM_N_STORES];
  GHashTable   *regs;        /* addr → value for D0–D4 and 7A/7B */

  /* Device-thread state */
  SfSimEnd      end;
  GError       *thread_error;
  guint64       flash_bytes;
  guint64       paced_full;   /* DA and flash data bytes moved before 70 01 (all sessions) */
  guint64       paced_high;   /* and after it */
  gboolean      unplug_fired; /* a flaky cable: the unplug fault fires once */
  gint64        pace_t0;
  guint64       pace_bytes;
  gboolean      da_sent;
  gboolean      first_byte_seen; /* SF_SIM_EVENT_FIRST_BYTE sent this session */
  gboolean      high_speed;   /* after 70 01 (§13.8) */
};

/* sf-sim.c: I/O for the device thread. All return FALSE once the session
 * is over (self->end says why). */
gboolean  sf_sim_recv          (SfSim        *self,
                                void         *buf,
                                gsize         len);
/* Like sf_sim_recv() but gives up after @timeout_ms (-1: never): returns 1
 * when all bytes came, 0 on timeout (bytes so far are lost), -1 when the
 * session is over. */
int       sf_sim_recv_timeout  (SfSim        *self,
                                void         *buf,
                                gsize         len,
                                int           timeout_ms);
gboolean  sf_sim_send          (SfSim        *self,
                                const void   *buf,
                                gsize         len);
/* Sends without waiting; drops what does not fit (READY while nobody listens). */
void      sf_sim_send_try      (SfSim        *self,
                                const void   *buf,
                                gsize         len);
/* Sleeps, waking early only for sf_sim_stop(); FALSE if stopped. */
gboolean  sf_sim_sleep         (SfSim        *self,
                                int           ms);
/* Waits for sf_sim_stop() without reading: a stalled or dead phone. */
void      sf_sim_hang          (SfSim        *self);
/* Throttles to the configured pace after @len payload bytes moved. */
gboolean  sf_sim_pace          (SfSim        *self,
                                gsize         len);
/* Drops what the host has not read yet if more than @max bytes wait. */
void      sf_sim_trim_output   (SfSim        *self,
                                gsize         max);
void      sf_sim_add_flash_bytes (SfSim      *self,
                                  gsize       len);
void      sf_sim_set_thread_error (SfSim     *self,
                                   GError    *error);

/* §13.8 with new_port_on_switch: once the host has read what was sent,
 * leaves the bus (the pty goes away) and comes back on a new pty, without
 * a new session. FALSE when the session is over. */
gboolean  sf_sim_reenumerate   (SfSim        *self);

/* The board when none was chosen. */
const SfSimBoard *sf_sim_default_board (void);

/* sf-sim-device.c: runs one power-on of the phone until self->end is set. */
void      sf_sim_device_run_session (SfSim   *self);

G_END_DECLS
