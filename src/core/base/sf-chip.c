/* sf-chip.c — what Scatterflash knows about each MediaTek chip
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "sf-chip.h"

/* protocol.md §4 (mtkclient brom_config.py and mtk_config.py). MT6572
 * first: it is the chip the project is built around. */
static const SfChip chips[] = {
  { 0x6572, 0x6572, "MT6572", "MT6572",
    0x10007000, 0x22000064, 0, 0x11005000, 0x81E00000, SF_DA_PROTOCOL_LEGACY },
  { 0x6582, 0x6582, "MT6582", "MT6582/MT6574/MT8382",
    0x10007000, 0x22000064, 0, 0x11002000, 0x80001000, SF_DA_PROTOCOL_LEGACY },
  { 0x6580, 0x6580, "MT6580", "MT6580",
    0x10007000, 0x22000064, 0, 0x11005000, 0x80001000, SF_DA_PROTOCOL_LEGACY },
  { 0x6592, 0x6592, "MT6592", "MT6592/MT8392",
    0x10007000, 0x22000064, 0x10000500, 0x11002000, 0x80001000, SF_DA_PROTOCOL_LEGACY },
  { 0x0321, 0x6735, "MT6735", "MT6735/T, MT8735A",
    0x10212000, 0x22000000, 0, 0x11002000, 0x40200000, SF_DA_PROTOCOL_LEGACY },
  { 0x0766, 0x6765, "MT6765", "MT6765/MT8768t (Helio P35/G35)",
    0x10007000, 0x22000064, 0, 0x11002000, 0x40200000, SF_DA_PROTOCOL_XFLASH },
};

/**
 * sf_chip_find_by_hw_code:
 * @hw_code: the GET_HW_CODE answer
 *
 * Returns: (nullable): the chip, or %NULL when the table does not know it.
 */
const SfChip *
sf_chip_find_by_hw_code (guint16 hw_code)
{
  for (gsize i = 0; i < G_N_ELEMENTS (chips); i++) {
    if (chips[i].hw_code == hw_code)
      return &chips[i];
  }
  return NULL;
}

/**
 * sf_chip_find_by_name:
 * @platform: a scatter file's `platform` ("MT6572", case does not matter)
 *
 * Returns: (nullable): the chip, or %NULL.
 */
const SfChip *
sf_chip_find_by_name (const char *platform)
{
  g_return_val_if_fail (platform != NULL, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (chips); i++) {
    if (g_ascii_strcasecmp (chips[i].name, platform) == 0)
      return &chips[i];
  }
  return NULL;
}

guint
sf_chip_get_n_chips (void)
{
  return G_N_ELEMENTS (chips);
}

const SfChip *
sf_chip_get_nth (guint index)
{
  g_return_val_if_fail (index < G_N_ELEMENTS (chips), NULL);

  return &chips[index];
}

/**
 * sf_chip_is_supported:
 *
 * Returns: whether Scatterflash can flash this chip: only chips with the
 *   legacy DA protocol (protocol.md §6).
 */
gboolean
sf_chip_is_supported (const SfChip *chip)
{
  return chip != NULL && chip->da_protocol == SF_DA_PROTOCOL_LEGACY;
}
