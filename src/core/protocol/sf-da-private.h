/* sf-da-private.h — what the files of a DA session share: the object and
 * its reply helpers (sf-da.c, sf-da-emmc.c, sf-da-pmt.c)
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sf-da.h"
#include "sf-error.h"
#include "sf-wire.h"

G_BEGIN_DECLS

struct _SfDa
{
  GObject       parent_instance;

  SfWire        wire;
  SfDaInfo      info;
  gboolean      have_flash_info;
  guint8       *packets[2];      /* PACKET_ALLOC bytes each, made on first use */
  /* §13.9: where the user area starts on the linear wire, when the
   * firmware says (sf_da_set_user_base()); else from the DA2 report. */
  gboolean      have_user_base;
  guint64       user_base;
  GBytes       *emi_source;      /* a preloader image, for a BootROM phone */
  char         *emi_name;
};

/* §13.7: the DA answered A5 + @status where @what needed something else. */
void      sf_da_set_reply_error  (GError       **error,
                                  SfError        code,
                                  const char    *what,
                                  guint32        status);
/* The u32 of an error reply whose A5 was just read. */
gboolean  sf_da_read_reply_code  (SfDa          *self,
                                  SfError        code,
                                  const char    *what,
                                  guint32       *status,
                                  GCancellable  *cancellable,
                                  GError       **error);
/* One byte that must be @want; an error reply instead is read whole and
 * reported, with its code in @out_status when given. */
gboolean  sf_da_expect_status    (SfDa          *self,
                                  guint8         want,
                                  guint          timeout_ms,
                                  SfError        code,
                                  const char    *what,
                                  guint32       *out_status,
                                  GCancellable  *cancellable,
                                  GError       **error);

static inline gboolean
expect (SfDa          *self,
        guint8         want,
        guint          timeout_ms,
        SfError        code,
        const char    *what,
        GCancellable  *cancellable,
        GError       **error)
{
  return sf_da_expect_status (self, want, timeout_ms, code, what, NULL, cancellable, error);
}

G_END_DECLS
