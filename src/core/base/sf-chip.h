/* sf-chip.h — what Scatterflash knows about each MediaTek chip
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  SF_DA_PROTOCOL_LEGACY,   /* mtkclient DAmode 3: what Scatterflash speaks */
  SF_DA_PROTOCOL_XFLASH,   /* DAmode 5 (V5) */
} SfDaProtocol;

/**
 * SfChip:
 *
 * One row of protocol.md §4. Static data: never freed.
 */
typedef struct {
  guint16       hw_code;         /* GET_HW_CODE answer */
  guint16       da_code;         /* hw_code of the chip's DA file entry */
  const char   *name;            /* "MT6572": matches a scatter's platform */
  const char   *description;     /* every marketing name of the die */
  guint32       wdt_addr;        /* watchdog register */
  guint32       wdt_value;       /* written there to stop it */
  guint32       wdt_addr2;       /* a second register to write, or 0 (MT6592) */
  guint32       uart_base;
  guint32       pl_payload_addr; /* where the preloader loads a DA (§4) */
  SfDaProtocol  da_protocol;
} SfChip;

const SfChip  *sf_chip_find_by_hw_code    (guint16       hw_code);
const SfChip  *sf_chip_find_by_name       (const char   *platform);
guint          sf_chip_get_n_chips        (void);
const SfChip  *sf_chip_get_nth            (guint         index);
gboolean       sf_chip_is_supported       (const SfChip *chip);

G_END_DECLS
