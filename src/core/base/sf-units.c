/* sf-units.c — one home for sizes, byte counts and eMMC regions
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The command line, the window and the core each had their own number
 * parser (one overflowed silently), their own unit system (MB in one
 * message, MiB in the next) and five tables of region names. */

#include "config.h"

#include <inttypes.h>
#include <errno.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "sf-mtk.h"
#include "sf-units.h"

char *
sf_format_size (guint64 bytes)
{
  char *text = g_format_size_full (bytes, G_FORMAT_SIZE_IEC_UNITS);
  char *nbsp;

  /* GLib puts a no-break space before the unit. */
  while ((nbsp = strstr (text, "\u00a0")) != NULL) {
    nbsp[0] = ' ';
    memmove (nbsp + 1, nbsp + 2, strlen (nbsp + 2) + 1);
  }
  return text;
}

char *
sf_format_size_exact (guint64 bytes)
{
  g_autofree char *human = sf_format_size (bytes);

  /* Translators: a size and its exact byte count, "1.5 MiB (1572864 bytes)" */
  return g_strdup_printf (_("%s (%" PRIu64 " bytes)"), human, bytes);
}

gboolean
sf_parse_number (const char   *text,
                 SfNumberKind  kind,
                 guint64      *out,
                 const char  **out_problem)
{
  const char *p = text;
  const char *digits;
  gboolean hex;
  guint64 value = 0;
  guint shift = 0;
  guint base;

  g_return_val_if_fail (out != NULL, FALSE);

  if (p == NULL)
    p = "";
  if (kind == SF_NUMBER_HEX) {
    while (g_ascii_isspace (*p))
      p++;
  }
  if (*p == '\0')
    goto not_a_number;
  if (*p == '-') {
    *out_problem = _("must not be negative");
    return FALSE;
  }
  hex = kind == SF_NUMBER_HEX || (kind == SF_NUMBER_BYTES && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'));
  if (hex && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
    p += 2;
  base = hex ? 16 : 10;
  digits = p;
  for (; hex ? g_ascii_isxdigit (*p) : g_ascii_isdigit (*p); p++) {
    guint digit = (guint) (hex ? g_ascii_xdigit_value (*p) : g_ascii_digit_value (*p));

    if (value > (G_MAXUINT64 - digit) / base)
      goto too_large;
    value = value * base + digit;
  }
  if (p == digits)
    goto not_a_number;
  if (kind == SF_NUMBER_BYTES) {
    switch (*p) {
    case 'K': case 'k': shift = 10; p++; break;
    case 'M': case 'm': shift = 20; p++; break;
    case 'G': case 'g': shift = 30; p++; break;
    default: break;
    }
  }
  if (kind == SF_NUMBER_HEX) {
    while (g_ascii_isspace (*p))
      p++;
  }
  if (*p != '\0')
    goto not_a_number;
  if (value > ((guint64) G_MAXINT64 >> shift))
    goto too_large;
  *out = value << shift;
  return TRUE;

not_a_number:
  switch (kind) {
  case SF_NUMBER_HEX:
    *out_problem = _("is not a hexadecimal number, e.g. 0x100000");
    break;
  case SF_NUMBER_BYTES:
    *out_problem = _("takes a byte count: hex (0x1F600000), decimal (524288), or with K, M or G (512K, 4M, 1G)");
    break;
  case SF_NUMBER_DECIMAL:
  default:
    *out_problem = _("takes a whole number");
    break;
  }
  return FALSE;

too_large:
  *out_problem = _("is too large");
  return FALSE;
}

gboolean
sf_is_sector_aligned (guint64 bytes)
{
  return bytes % SF_EMMC_SECTOR == 0;
}

static const struct {
  const char *name;
  guint       part;
} regions[] = {
  /* The canonical name of each comes first. */
  { "EMMC_USER", SF_EMMC_PART_USER },
  { "EMMC_BOOT_1", SF_EMMC_PART_BOOT1 },
  { "EMMC_BOOT_2", SF_EMMC_PART_BOOT2 },
  { "USER", SF_EMMC_PART_USER },
  { "EMMC_BOOT1", SF_EMMC_PART_BOOT1 },
  { "BOOT1", SF_EMMC_PART_BOOT1 },
  { "EMMC_BOOT1_BOOT2", SF_EMMC_PART_BOOT1 },
  { "EMMC_BOOT2", SF_EMMC_PART_BOOT2 },
  { "BOOT2", SF_EMMC_PART_BOOT2 },
};

guint
sf_emmc_part_from_region (const char *region)
{
  for (guint i = 0; region != NULL && i < G_N_ELEMENTS (regions); i++) {
    if (g_ascii_strcasecmp (region, regions[i].name) == 0)
      return regions[i].part;
  }
  return 0;
}

const char *
sf_emmc_part_to_region (guint part)
{
  for (guint i = 0; i < G_N_ELEMENTS (regions); i++) {
    if (regions[i].part == part)
      return regions[i].name;
  }
  return "?";
}

/* Whole milliseconds left until @deadline_us (monotonic), rounded up; 0
 * once it has passed. */
guint
sf_ms_until (gint64 deadline_us)
{
  gint64 left_us = deadline_us - g_get_monotonic_time ();

  return left_us > 0 ? (guint) ((left_us + 999) / 1000) : 0;
}
