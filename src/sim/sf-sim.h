/* sf-sim.h — the virtual phone: an MT6572-family BootROM, preloader and
 * legacy DA on a pseudo-terminal
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The simulator is the DEVICE side of docs/protocol.md,
 * written from that document alone (never from the host code in src/core),
 * so that a misreading on one side shows up as a failing test. It opens a
 * pty pair; the host opens the slave path (sf_sim_get_port_path()) as if it
 * were /dev/ttyACMn. The phone runs on its own thread.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SF_SIM_ERROR (sf_sim_error_quark ())

typedef enum {
  SF_SIM_ERROR_INVALID_OPTION,
  SF_SIM_ERROR_STORAGE,
  SF_SIM_ERROR_PTY,
  SF_SIM_ERROR_IO,
} SfSimError;

GQuark sf_sim_error_quark (void);

typedef enum {
  SF_SIM_MODE_BROM,        /* USB PID 0003: no READY, FE→FE, FF→05, D4 status 0001 */
  SF_SIM_MODE_PRELOADER,   /* USB PID 2000: READY, first A0 swallowed, FE→01 */
} SfSimMode;

/* §13.8: the BootROM, the preloader and the DA until the host's 70 01 run
 * at USB full speed; after it the DA's own port at high speed. */
typedef enum {
  SF_SIM_PACE_NONE,        /* as fast as the pty goes */
  SF_SIM_PACE_FULL_SPEED,  /* ~1 MB/s all along: a phone behind a USB 1.1 port; 72 stays 5A 00 */
  SF_SIM_PACE_HIGH_SPEED,  /* ~1 MB/s until 70 01, then ~40 MB/s */
} SfSimPace;

/* How a run of the device ended (sf_sim_get_result()). */
typedef enum {
  SF_SIM_RESULT_RUNNING,   /* not started, or still running */
  SF_SIM_RESULT_FINISHED,  /* DA FINISH (D9) done, port hung up */
  SF_SIM_RESULT_UNPLUGGED, /* the unplug-after fault hung up the port */
  SF_SIM_RESULT_STOPPED,   /* sf_sim_stop() */
  SF_SIM_RESULT_FAILED,    /* storage or pty error: see sf_sim_get_error() */
} SfSimResult;

typedef enum {
  SF_SIM_EVENT_PORT_CHANGED, /* re-plugged on a new pty (persist mode, or new_port_on_switch) */
  SF_SIM_EVENT_DONE,         /* the device thread has ended */
  SF_SIM_EVENT_FIRST_BYTE,   /* the first byte of a session came from the host */
} SfSimEvent;

typedef struct _SfSim SfSim;

/* Called on the simulator's thread. */
typedef void (*SfSimEventFunc) (SfSim      *sim,
                                SfSimEvent  event,
                                gpointer    user_data);

/* Injected faults. Every one of them makes the host fail, never succeed;
 * see src/sim/README.md for what the host observes. Integers are -1 when
 * the fault is off. */
typedef struct {
  gint64   unplug_after;    /* hang up after this many flash data bytes */
  gint64   stall_after;     /* stop reading and answering after this many */
  gint64   write_error_at;  /* error reply to the 62 packet that covers this user-area offset */
  gint64   wrong_chip;      /* hw code that FD reports instead of the chip's */
  gboolean bad_checksum;    /* SEND_DA checksum off by one bit */
  gboolean dram_fail;       /* stage-2 DRAM status 0xBC3, E8 NACKed, then silence */
  gboolean no_emmc;         /* no eMMC: emmc_ret 0xBC4, id and sizes zero */
  gboolean powered_on;      /* a phone running Android: an AT modem that echoes */
  gboolean pmt_missing;     /* A5 always answers 1037, as on a blank phone (§13.10) */
  gboolean no_reenumerate;  /* after 70 01 the port cannot be opened again, the phone is silent (§13.8) */
} SfSimFaults;

/* A board: the eMMC+DRAM package it carries. Its eMMC CID is what the DA
 * reports, and its DRAM starts only with the EMI entry made for it
 * (protocol.md §13.3–13.4). The sample firmware's preloader has
 * entries for both boards; the "universal" sample's for neither. */
typedef struct {
  const char  *name;               /* "sample-a", "sample-b" */
  guint8       cid[16];            /* the eMMC specification's byte order */
  guint8       emi_id_len;         /* how much of the CID the EMI entry's ID holds */
  guint64      dram_size;
} SfSimBoard;

typedef struct {
  guint16         hw_code;         /* SF_HW_CODE_MT6572 (default), _MT6582, _MT6580 */
  /* NULL: board sample-a (realda-phone's default CID). In BootROM mode
   * the DA answers 0xBBF and runs E8 as MediaTek's DA does, and only the
   * board's own EMI entry brings the DRAM up (protocol.md §13.2–13.4). */
  const SfSimBoard *board;
  SfSimMode       mode;
  const char     *storage_dir;     /* required; boot1.bin, boot2.bin, rpmb.bin, user.bin */
  guint64         emmc_user_size;  /* bytes, multiple of 512; default 4 GiB */
  SfSimPace       pace;
  gboolean        persist;         /* after a finish or unplug, re-plug on a new pty */
  /* §13.8: after 70 01 the phone leaves the bus and comes back as the DA's
   * port on a NEW pty (SF_SIM_EVENT_PORT_CHANGED, a new PORT line), as a
   * phone whose tty gets another name; FALSE: on the same path. */
  gboolean        new_port_on_switch;
  SfSimFaults     faults;
  SfSimEventFunc  event_func;
  gpointer        event_data;
} SfSimOptions;

#define SF_SIM_BOOT_SIZE          (4 * 1024 * 1024)
#define SF_SIM_RPMB_SIZE          (4 * 1024 * 1024)
/* §13.9: where the user area starts on the DA's linear wire */
#define SF_SIM_USER_BASE          (2 * SF_SIM_BOOT_SIZE + SF_SIM_RPMB_SIZE)
#define SF_SIM_DEFAULT_USER_SIZE  (G_GUINT64_CONSTANT (4) * 1024 * 1024 * 1024)

/* Fills @opts with the defaults: MT6572, BROM mode, 4 GiB, no pace, no faults. */
void         sf_sim_options_init        (SfSimOptions  *opts);
/* "sample-a", "sample-b" → the board. */
gboolean     sf_sim_parse_board         (const char    *text,
                                         const SfSimBoard **board,
                                         GError       **error);
/* Parses one --fault SPEC ("unplug-after=4096", "bad-checksum", …) into @opts. */
gboolean     sf_sim_options_add_fault   (SfSimOptions  *opts,
                                         const char    *spec,
                                         GError       **error);
/* "MT6572", "mt6582", "6580" or "0x6580" → hw code. */
gboolean     sf_sim_parse_chip          (const char    *text,
                                         guint16       *hw_code,
                                         GError       **error);
gboolean     sf_sim_parse_mode          (const char    *text,
                                         SfSimMode     *mode,
                                         GError       **error);
gboolean     sf_sim_parse_pace          (const char    *text,
                                         SfSimPace     *pace,
                                         GError       **error);
/* "4096", "64K", "512M", "4G" (binary multiples) → bytes. */
gboolean     sf_sim_parse_size          (const char    *text,
                                         guint64       *size,
                                         GError       **error);

/* Opens the storage files (creating sparse ones when missing, keeping
 * existing data) and the pty pair. The port path is valid from here on. */
SfSim       *sf_sim_new                 (const SfSimOptions  *opts,
                                         GError             **error) G_GNUC_WARN_UNUSED_RESULT;
/* The slave path the host opens, e.g. "/dev/pts/7". In persist mode it
 * changes after a re-plug (SF_SIM_EVENT_PORT_CHANGED); every returned
 * string stays valid until sf_sim_free(). */
const char  *sf_sim_get_port_path       (SfSim               *self);
/* Powers the phone on: the device runs on its own thread. */
gboolean     sf_sim_start               (SfSim               *self,
                                         GError             **error);
/* Waits up to @timeout_ms (-1: forever) for the device thread to end;
 * returns TRUE if it has ended. */
gboolean     sf_sim_wait                (SfSim               *self,
                                         int                  timeout_ms);
SfSimResult  sf_sim_get_result          (SfSim               *self);
/* The error behind SF_SIM_RESULT_FAILED, or NULL. */
const GError *sf_sim_get_error          (SfSim               *self);
/* Flash data bytes moved so far (62 payload received + D6 data sent). */
guint64      sf_sim_get_flash_bytes     (SfSim               *self);
/* The payload bytes (DA uploads, flash data) that moved at USB full speed,
 * before the DA's 70 01, and at high speed after it, in all sessions so
 * far: what a paced link's time is made of (bench-flash's ideal). */
void         sf_sim_get_paced_bytes     (SfSim               *self,
                                         guint64             *full_speed,
                                         guint64             *high_speed);
/* Stops the device thread (if running) and waits for it. Idempotent. */
void         sf_sim_stop                (SfSim               *self);
void         sf_sim_free                (SfSim               *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SfSim, sf_sim_free)

G_END_DECLS
