/* sf-cli-info.c — `info`: say what the connected phone is
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n.h>

#include "sf-cli-common.h"
#include "sf-cli-phone.h"
#include "sf-units.h"

static void
print_device_json (const SfDeviceInfo *d)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  sf_cli_json_string (b, "chip", d->chip);
  sf_cli_json_uint (b, "hw_code", d->hw_code);
  sf_cli_json_uint (b, "hw_sub_code", d->hw_sub_code);
  sf_cli_json_uint (b, "hw_version", d->hw_ver);
  sf_cli_json_uint (b, "sw_version", d->sw_ver);
  sf_cli_json_string (b, "mode", d->is_brom ? "brom" : "preloader");
  sf_cli_json_string (b, "storage", d->storage);
  sf_cli_json_uint (b, "boot1_size", d->boot1_size);
  sf_cli_json_uint (b, "boot2_size", d->boot2_size);
  sf_cli_json_uint (b, "rpmb_size", d->rpmb_size);
  sf_cli_json_uint (b, "user_size", d->user_size);
  sf_cli_json_uint (b, "ram_size", d->ram_size);
  /* The phone's own partition table; [] for a phone that has none, left
   * out when it could not be read. */
  if (d->table != NULL) {
    json_builder_set_member_name (b, "partitions");
    json_builder_begin_array (b);
    for (guint i = 0; i < sf_partition_table_get_n_entries (d->table); i++) {
      const SfPartitionTableEntry *e = sf_partition_table_get_entry (d->table, i);

      json_builder_begin_object (b);
      sf_cli_json_string (b, "name", e->name);
      sf_cli_json_uint (b, "offset", e->offset);
      sf_cli_json_uint (b, "size", e->size);
      json_builder_end_object (b);
    }
    json_builder_end_array (b);
  }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  sf_cli_print_json (root);
}

static void
print_partition_table (const SfPartitionTable *table)
{
  if (table == NULL) {
    g_print (_("Partition table: cannot be read\n"));
    return;
  }
  if (sf_partition_table_is_empty (table)) {
    g_print (_("Partition table: none (the phone was never flashed with a layout)\n"));
    return;
  }
  g_print (_("Partition table (user-area offsets):\n"));
  for (guint i = 0; i < sf_partition_table_get_n_entries (table); i++) {
    const SfPartitionTableEntry *e = sf_partition_table_get_entry (table, i);
    g_autofree char *size = sf_format_size (e->size);

    g_print ("  %-12s 0x%010" PRIx64 "  0x%010" PRIx64 "  %s\n",
             e->name, e->offset, e->size, size);
  }
}

int
sf_cli_info (int    argc,
             char **argv)
{
  g_auto(SfCliPhoneOptions) o = { 0 };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(SfDaFile) da_file = NULL;
  g_autoptr(SfDeviceInfo) device = NULL;
  SfFlashJob *job;
  SfBromMode mode;
  int status;

  g_option_context_set_summary (context,
                                _("Connect to a phone in download mode and say what it is: chip, hw code, "
                                  "BootROM or preloader, the sizes of its eMMC partitions and "
                                  "the partition table (PMT) stored on it."));
  if ((status = sf_cli_parse_phone_command (context, "info", NULL, &o, &argc, &argv, &mode)) != SF_EXIT_OK)
    return status;
  if (argc > 1)
    return sf_cli_usage_error ("info", _("info takes no arguments"));

  if ((status = sf_cli_choose_da (&o, NULL, &da_file)) != SF_EXIT_OK)
    return status;
  if ((status = sf_cli_new_phone_job (&o, da_file, mode, &job)) != SF_EXIT_OK)
    return status;
  /* Events go to stderr; the answer is the one document on stdout. */
  status = sf_cli_run_job (job, FALSE, &device);
  if (status == SF_EXIT_OK && device != NULL) {
    if (o.json) {
      print_device_json (device);
    } else {
      g_autofree char *boot1 = sf_format_size (device->boot1_size);
      g_autofree char *boot2 = sf_format_size (device->boot2_size);
      g_autofree char *user = sf_format_size (device->user_size);

      g_print (_("Chip: %s\nHW code: 0x%04x\nMode: %s\nStorage: %s\nBoot1: %s\nBoot2: %s\nUser: %s (%" PRIu64 " bytes)\n"),
               device->chip ? device->chip : "?", device->hw_code,
               device->is_brom ? "BootROM" : "preloader",
               device->storage ? device->storage : "?", boot1, boot2, user, device->user_size);
      print_partition_table (device->table);
    }
  }
  return status;
}
