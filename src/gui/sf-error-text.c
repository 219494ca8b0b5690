/* sf-error-text.c — what went wrong, in words for people
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "sf-error.h"
#include "sf-error-text.h"

/* A plain headline and one piece of advice for the failures people meet;
 * the error's own words (with the protocol detail) go to the log. */
static const struct {
  SfError     code;
  const char *headline;
  const char *advice;
} plain_errors[] = {
  { SF_ERROR_DISCONNECTED, N_("The phone was unplugged"),
    N_("Use a USB port on the computer itself (no hub), keep the cable still, and check that the battery is charged.") },
  { SF_ERROR_TIMEOUT, N_("The phone stopped answering"),
    N_("Try another USB cable or port (no hub), and stop ModemManager (sudo systemctl stop ModemManager).") },
  { SF_ERROR_FT_DA_NO_RESPONSE, N_("The phone stopped answering"),
    N_("Try another USB cable or port (no hub), and stop ModemManager (sudo systemctl stop ModemManager).") },
  { SF_ERROR_COM_PORT_OPEN_FAIL, N_("The phone’s port could not be opened"),
    N_("Install the udev rule (see the banner at the top, or the README), or stop ModemManager, then try again.") },
  { SF_ERROR_NOT_IN_DOWNLOAD_MODE, N_("The phone is switched on"),
    N_("Switch the phone off completely before you plug it in.") },
  { SF_ERROR_BROM_STARTCMD_FAIL, N_("The phone did not answer"),
    N_("Switch the phone off completely, and plug it in only after you press Again. If nothing happens, "
       "hold Volume Down while you plug it in.") },
  { SF_ERROR_BROM_STARTCMD_TIMEOUT, N_("The phone did not answer"),
    N_("Switch the phone off completely, and plug it in only after you press Again. If nothing happens, "
       "hold Volume Down while you plug it in.") },
  { SF_ERROR_FT_ENABLE_DRAM_FAIL, N_("The phone’s memory could not be started"),
    N_("Use the firmware made for this exact phone: its preloader sets up the memory.") },
  { SF_ERROR_DL_GET_DRAM_SETTING_FAIL, N_("The preloader was built for another memory chip"),
    N_("A dead phone (BootROM mode) needs its memory (DRAM) set up from a preloader, and error 5054 means this "
       "one was built for another memory chip. Choose the phone’s own preloader (a backup of it) under DRAM "
       "Settings From on the Download page, then press Again. Nothing was written.") },
  /* The image's own advice (the command line's words) follows. */
  { SF_ERROR_IMAGE_INVALID, N_("An image of the firmware is damaged"), NULL },
  { SF_ERROR_IMAGE_CHECKSUM, N_("An image of the firmware is damaged"), NULL },
  { SF_ERROR_DA_EMMC_NOT_FOUND, N_("The phone’s storage was not found"),
    N_("Scatterflash writes phones with eMMC storage only. Check that the firmware is for this exact phone.") },
  { SF_ERROR_DA_SDMMC_WRITE_FAILED, N_("Writing to the phone failed"),
    N_("Try another USB cable and port. If it fails at the same place again, the phone’s storage may be worn out.") },
  { SF_ERROR_FT_DOWNLOAD_FAIL, N_("Writing to the phone failed"),
    N_("Try another USB cable and port. If it fails at the same place again, the phone’s storage may be worn out.") },
  { SF_ERROR_VERIFY_MISMATCH, N_("What was written reads back differently"),
    N_("Try another USB cable and port. If it fails at the same place again, the phone’s storage may be worn out.") },
  { SF_ERROR_CHIP_TYPE_NOT_MATCH, N_("This firmware is for another phone"),
    N_("Use the firmware made for this exact phone.") },
  { SF_ERROR_BROM_HW_VER_INCORRECT, N_("This phone’s chip is not supported"),
    N_("Scatterflash flashes MediaTek MT6572, MT6582, MT6580, MT6592 and MT6735 phones.") },
  { SF_ERROR_SECURITY_SLA_FAIL, N_("This phone only accepts its maker’s tools"),
    N_("It needs its vendor’s download agent and authentication file, which Scatterflash does not support.") },
  { SF_ERROR_ROM_MUST_ENABLE, N_("The phone’s partition layout is different"),
    N_("Nothing was written. Choose the Firmware Upgrade scene, which keeps the calibration (IMEI).") },
  { SF_ERROR_PRELOADER_MISMATCH, N_("The firmware’s preloader is for another board"),
    N_("Nothing was written: use the firmware made for this phone’s board.") },
  { SF_ERROR_INVALID_DA_FILE, N_("The download agent file cannot be used"),
    N_("Choose the MTK_AllInOne_DA.bin that came with SP Flash Tool or with the firmware.") },
  { SF_ERROR_DA_NO_ENTRY, N_("The download agent does not know this phone"),
    N_("Choose the download agent that came with the firmware, or one made for this chip.") },
  { SF_ERROR_BROM_SEND_DA_FAIL, N_("The phone refused the download agent"),
    N_("Choose the download agent made for this chip.") },
  { SF_ERROR_BROM_JUMP_DA_FAIL, N_("The phone refused the download agent"),
    N_("Choose the download agent made for this chip.") },
  { SF_ERROR_BROM_SEND_DA_CHKSUM_DIFF, N_("The download agent arrived damaged"),
    N_("Try another USB cable or port (no hub).") },
};

/* "the phone did not say" → "The phone did not say." */
static char *
sentence (const char *text)
{
  g_autoptr(GString) s = g_string_new (NULL);
  const char *rest;
  gunichar first;

  if (text == NULL || *text == '\0' || !g_utf8_validate (text, -1, NULL))
    return g_strdup (text != NULL ? text : "");
  /* The first letter in any script: "đ" and "п" too, not only ASCII. */
  first = g_utf8_get_char (text);
  rest = g_utf8_next_char (text);
  g_string_append_unichar (s, g_unichar_totitle (first));
  g_string_append (s, rest);
  if (!g_str_has_suffix (s->str, ".") && !g_str_has_suffix (s->str, ")"))
    g_string_append_c (s, '.');
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* The result page for a failure: a plain headline, SP Flash Tool's name and
 * number where it has one (for searching), and one piece of advice. */
void
sf_gui_describe_error (const GError  *error,
                       char         **out_title,
                       char         **out_code,
                       char         **out_advice)
{
  const char *dash = strstr (error->message, " — ");
  gboolean ours = error->domain == SF_ERROR;

  *out_code = NULL;
  if (ours && sf_error_get_number (error->code) != 0)
    *out_code = g_strdup_printf ("%s (%u)", sf_error_get_name (error->code), sf_error_get_number (error->code));

  *out_title = NULL;
  for (guint i = 0; ours && i < G_N_ELEMENTS (plain_errors); i++) {
    if (plain_errors[i].code == (SfError) error->code) {
      *out_title = g_strdup (_(plain_errors[i].headline));
      if (plain_errors[i].advice != NULL) {
        *out_advice = g_strdup (_(plain_errors[i].advice));
        return;
      }
      break;
    }
  }
  /* A headline of ours may come with the error's own advice. */
  if (*out_title == NULL && ours && sf_error_get_summary (error->code) != NULL) {
    g_autofree char *title = sentence (sf_error_get_summary (error->code));

    title[strlen (title) - 1] = '\0';
    *out_title = g_steal_pointer (&title);
  } else if (*out_title == NULL) {
    *out_title = g_strdup (_("It Did Not Work"));
  }
  if (ours && sf_error_get_advice (error->code) != NULL)
    *out_advice = sentence (sf_error_get_advice (error->code));
  else if (dash != NULL)
    *out_advice = sentence (dash + strlen (" — "));
  else
    *out_advice = sentence (error->message);
}
