/* sf-application.h
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SF_TYPE_APPLICATION (sf_application_get_type ())

G_DECLARE_FINAL_TYPE (SfApplication, sf_application, SF, APPLICATION, AdwApplication)

SfApplication *sf_application_new (void) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
