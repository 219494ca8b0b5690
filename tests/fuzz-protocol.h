/* fuzz-protocol.h — the protocol fuzz target's driver, shared with its seed maker
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sf-transport.h"

G_BEGIN_DECLS

/* Byte 0 of an input: where the host starts. */
enum {
  SF_FUZZ_START_BROM,     /* after the handshake: identify … JUMP_DA, DA start, commands */
  SF_FUZZ_START_DA,       /* DA sync … USB status, commands */
  SF_FUZZ_START_COMMANDS, /* DA commands only */
};

/* The low 3 bits of an op byte. */
enum {
  SF_FUZZ_OP_USB_STATUS,
  SF_FUZZ_OP_SWITCH_PART,
  SF_FUZZ_OP_READ,
  SF_FUZZ_OP_WRITE,
  SF_FUZZ_OP_FORMAT,
  SF_FUZZ_OP_READ_PMT,
  SF_FUZZ_OP_WRITE_PMT,
  SF_FUZZ_OP_FINISH,
};

#define SF_FUZZ_PROTOCOL_N_OPS     15
#define SF_FUZZ_PROTOCOL_HEADER    (1 + SF_FUZZ_PROTOCOL_N_OPS)
#define SF_FUZZ_PROTOCOL_DA1_ADDR  0x02007000
#define SF_FUZZ_PROTOCOL_DA1_LEN   0x200
#define SF_FUZZ_PROTOCOL_DA2_ADDR  0x80000000
#define SF_FUZZ_PROTOCOL_DA2_LEN   0x1800

/* Called when the host reaches the start of @stage (SF_FUZZ_START_DA,
 * SF_FUZZ_START_COMMANDS). */
typedef void (*SfFuzzMarkFunc) (guint     stage,
                                gpointer  user_data);

/* Runs the host from @start over @transport, with the SF_FUZZ_PROTOCOL_N_OPS
 * commands in @ops. */
gboolean  sf_fuzz_protocol_run  (SfTransport     *transport,
                                 guint            start,
                                 const guint8    *ops,
                                 SfFuzzMarkFunc   mark,
                                 gpointer         user_data,
                                 GError         **error);

G_END_DECLS
