/* test-scatter.c — SfScatter against the scatter fixtures and broken ones
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "sf-scatter.h"
#include "sf-test-util.h"

/* Values read off the fixture files in tests/data/scatter (tests/data/README.md
 * says what each one is for), checked against an independent reader. */
typedef struct {
  guint        index;
  const char  *name;
  const char  *file_name;
  guint64      start;
  guint64      size;       /* G_MAXUINT64: no size (legacy) */
  const char  *region;
  const char  *operation;
  guint        line;
  gboolean     download;
} ExpectedPart;

typedef struct {
  const char          *fixture;
  const char          *as_name;      /* the name a user would have */
  SfScatterFormat      format;
  const char          *version;
  const char          *platform;
  const char          *project;
  const char          *storage;
  guint                n_layouts;
  guint                n_parts;      /* first layout */
  guint                n_download;   /* first layout */
  SfAddressing         addressing;
  ExpectedPart         parts[4];
} ExpectedFile;

#define NOSIZE G_MAXUINT64

static const ExpectedFile files[] = {
  { "mt6572-v1.1.1-emmc.txt", "MT6572_Android_scatter.txt",
    SF_SCATTER_FORMAT_V1, "V1.1.1", "MT6572", "hx72_a40_emmc", "EMMC", 1, 20, 11, SF_ADDRESSING_LINEAR,
    { { 0, "PRELOADER", "preloader_hx72_a40_emmc.bin", 0x0, 0xc00000, "EMMC_BOOT_1", "BOOTLOADERS", 21, TRUE },
      { 1, "MBR", "MBR", 0xc00000, 0x80000, "EMMC_USER", "UPDATE", 36, TRUE },
      { 18, "FAT", NULL, 0x8c860000, 0x0, "EMMC_USER", "INVISIBLE", 291, FALSE },
      { 19, "BMTPOOL", NULL, 0xFFFF0080, 0x1000000, "EMMC_USER", "RESERVED", 306, FALSE } } },
  { "mt6572-v1.1.1-emmc-16m-boot-upper-hex.txt", "MT6572_Android_scatter.txt",
    SF_SCATTER_FORMAT_V1, "V1.1.1", "MT6572", "sf72_b2", "EMMC", 1, 20, 12, SF_ADDRESSING_LINEAR,
    { { 0, "PRELOADER", "preloader_sf72_b2.bin", 0x0, 0x1000000, "EMMC_BOOT_1", "BOOTLOADERS", 21, TRUE },
      { 15, "PRELOAD", NULL, 0x4f40000, 0x8000000, "EMMC_USER", "UPDATE", 246, TRUE },
      { 18, "USRDATA", "data.img", 0x40f40000, 0x78000000, "EMMC_USER", "UPDATE", 291, TRUE },
      { 19, "BMTPOOL", NULL, 0xFFFF00a8, 0x1500000, "EMMC_USER", "RESERVED", 306, FALSE } } },
  { "mt6582-v1.1.1-emmc-vendor-partitions.txt", "MT6582_Android_scatter.txt",
    SF_SCATTER_FORMAT_V1, "V1.1.1", "MT6582", "sf82_v3", "EMMC", 1, 26, 13, SF_ADDRESSING_LINEAR,
    { { 0, "PRELOADER", "preloader_sf82_v3.bin", 0x0, 0xc00000, "EMMC_BOOT_1", "BOOTLOADERS", 21, TRUE },
      { 13, "LOGO", "logo.bin", 0x4400000, 0x800000, "EMMC_USER", "UPDATE", 216, TRUE },
      { 23, "USRDATA", "userdata.img", 0x66000000, 0x80000000, "EMMC_USER", "UPDATE", 366, TRUE },
      { 25, "BMTPOOL", NULL, 0xFFFF00a8, 0x1500000, "EMMC_USER", "RESERVED", 396, FALSE } } },
  { "mt6580-v1.1.2-emmc-gpt.txt", "MT6580_Android_scatter.txt",
    SF_SCATTER_FORMAT_V1, "V1.1.2", "MT6580", "sf6580_a1", "EMMC", 1, 24, 9, SF_ADDRESSING_REGION,
    { { 0, "preloader", "preloader_sf6580_a1.bin", 0x0, 0x40000, "EMMC_BOOT_1", "BOOTLOADERS", 21, TRUE },
      { 1, "pgpt", NULL, 0x0, 0x80000, "EMMC_USER", "INVISIBLE", 36, FALSE },
      { 22, "flashinfo", NULL, 0xFFFF0084, 0x1000000, "EMMC_USER", "RESERVED", 351, FALSE },
      { 23, "sgpt", NULL, 0xFFFF0004, 0x80000, "EMMC_USER", "RESERVED", 366, FALSE } } },
  { "mt6580-v1.1.2-emmc-small-loader-ext.txt", "MT6580_Android_scatter.txt",
    SF_SCATTER_FORMAT_V1, "V1.1.2", "MT6580", "sf6580_a1", "EMMC", 1, 11, 7, SF_ADDRESSING_REGION,
    { { 0, "preloader", "preloader_sf6580_a1.bin", 0x0, 0x40000, "EMMC_BOOT_1", "BOOTLOADERS", 11, TRUE },
      { 2, "loader_ext1", "loader_ext1.bin", 0x80000, 0x80000, "EMMC_USER", "BOOTLOADERS", 41, TRUE },
      { 9, "userdata", "userdata.img", 0x62980000, 0x80000000, "EMMC_USER", "UPDATE", 146, TRUE },
      { 10, "sgpt", NULL, 0xFFFF0004, 0x80000, "EMMC_USER", "RESERVED", 161, FALSE } } },
  { "mt6589-legacy-emmc.txt", "MT6589_Android_scatter_emmc.txt",
    SF_SCATTER_FORMAT_LEGACY, NULL, "MT6589", NULL, "EMMC", 1, 22, 12, SF_ADDRESSING_LINEAR,
    { { 0, "PRELOADER", NULL, 0x0, NOSIZE, NULL, NULL, 1, TRUE },
      { 3, "PMT", NULL, 0x700000, NOSIZE, NULL, NULL, 10, FALSE },
      { 19, "USRDATA", NULL, 0x6cc80000, NOSIZE, NULL, NULL, 58, TRUE },
      { 21, "BMTPOOL", NULL, 0xFFFF00a8, NOSIZE, NULL, NULL, 64, FALSE } } },
  { "mt6592-v1.1.2-emmc-mbr.txt", "MT6592_Android_scatter.txt",
    SF_SCATTER_FORMAT_V1, "V1.1.2", "MT6592", "sf92_tab", "EMMC", 1, 19, 12, SF_ADDRESSING_REGION,
    { { 0, "PRELOADER", "preloader_sf92_tab.bin", 0x0, 0x40000, "EMMC_BOOT_1", "BOOTLOADERS", 21, TRUE },
      { 1, "MBR", "MBR", 0x0, 0x80000, "EMMC_USER", "UPDATE", 36, TRUE },
      { 9, "BOOTIMG", "boot.img", 0x1da0000, 0x1000000, "EMMC_USER", "UPDATE", 156, TRUE },
      { 18, "USRDATA", "userdata.img", 0x7d6a0000, G_GUINT64_CONSTANT (0x120000000), "EMMC_USER", "UPDATE", 291, TRUE } } },
  { "mt6735-v1.1.2-emmc-crlf.txt", "MT6735_Android_scatter.txt",
    SF_SCATTER_FORMAT_V1, "V1.1.2", "MT6735", "sf6737m_35g", "EMMC", 1, 26, 9, SF_ADDRESSING_REGION,
    { { 0, "preloader", "preloader_sf6737m_35g.bin", 0x0, 0x40000, "EMMC_BOOT_1", "BOOTLOADERS", 21, TRUE },
      { 23, "userdata", "userdata.img", 0xe5b00000, G_GUINT64_CONSTANT (0x1a0000000), "EMMC_USER", "UPDATE", 366, TRUE },
      { 24, "flashinfo", NULL, 0xFFFF0084, 0x1000000, "EMMC_USER", "RESERVED", 381, FALSE },
      { 25, "sgpt", NULL, 0xFFFF0004, 0x80000, "EMMC_USER", "RESERVED", 396, FALSE } } },
  { "mt6765-v1.1.2-emmc-tool-generated.txt", "MT6765_Android_scatter.txt",
    SF_SCATTER_FORMAT_V1, "V1.1.2", "MT6765", "2023.04.17.1", "EMMC", 1, 31, 15, SF_ADDRESSING_REGION,
    { { 0, "preloader", "preloader.bin", 0x0, 0x80000, "EMMC_BOOT1_BOOT2", "BOOTLOADERS", 20, TRUE },
      { 1, "pgpt", "pgpt.bin", 0x0, 0x8000, "EMMC_USER", "INVISIBLE", 37, FALSE },
      { 29, "otp", "otp.img", G_GUINT64_CONSTANT (0xc05400000), 0x2b00000, "EMMC_USER", "RESERVED", 513, FALSE },
      { 30, "flashinfo", "flashinfo.img", G_GUINT64_CONSTANT (0xc07f00000), 0x1000000, "EMMC_USER", "RESERVED", 530, FALSE } } },
  { "mt6768-v1.1.8-emmc-crlf-ab.txt", "MT6768_Android_scatter.txt",
    SF_SCATTER_FORMAT_V1, "V1.1.8", "MT6768", "sf6768_ab", "EMMC", 1, 41, 14, SF_ADDRESSING_REGION,
    { { 0, "preloader", "preloader_sf68v1_64.bin", 0x0, 0x80000, "EMMC_BOOT1_BOOT2", "BOOTLOADERS", 23, TRUE },
      { 23, "scp_b", NULL, 0x1db88000, 0x600000, "EMMC_USER", "INVISIBLE", 414, FALSE },
      { 39, "flashinfo", NULL, 0xFFFF0080, 0x1000000, "EMMC_USER", "RESERVED", 686, FALSE },
      { 40, "sgpt", NULL, 0xFFFF0000, 0x8000, "EMMC_USER", "RESERVED", 703, FALSE } } },
  { "mt6771-v1.1.2-emmc-upgradable-keys.txt", "MT6771_Android_scatter.txt",
    SF_SCATTER_FORMAT_V1, "V1.1.2", "MT6771", "sf6771_s2", "EMMC", 1, 35, 18, SF_ADDRESSING_REGION,
    { { 0, "preloader", "preloader_sf6771_s2.bin", 0x0, 0x80000, "EMMC_BOOT1_BOOT2", "BOOTLOADERS", 21, TRUE },
      { 16, "scp2", "scp.img", 0x13688000, 0x100000, "EMMC_USER", "UPDATE", 293, TRUE },
      { 33, "flashinfo", NULL, 0xFFFF0080, 0x1000000, "EMMC_USER", "RESERVED", 582, FALSE },
      { 34, "sgpt", NULL, 0xFFFF0000, 0x4200, "EMMC_USER", "RESERVED", 599, FALSE } } },
  { "mt6785-v2.1.0-combo-crlf.txt", "MT6785_Android_scatter.txt",
    SF_SCATTER_FORMAT_V2, "V2.1.0", "MT6785", "sf6785_combo", "EMMC", 2, 37, 19, SF_ADDRESSING_REGION,
    { { 0, "preloader", "preloader_sf6785.bin", 0x0, 0x80000, "EMMC_BOOT1_BOOT2", "BOOTLOADERS", 26, TRUE },
      { 1, "pgpt", NULL, 0x0, 0x8000, "EMMC_USER", "INVISIBLE", 43, FALSE },
      { 29, "efuse", "efuse.img", 0x23b88000, 0x80000, "EMMC_USER", "UPDATE", 519, TRUE },
      { 36, "sgpt", NULL, 0xFFFF0000, 0x8000, "EMMC_USER", "RESERVED", 638, FALSE } } },
};

/* Copies a fixture under the name a user's file would have. */
static SfScatter *
load_as (const ExpectedFile *ef,
         char              **out_dir)
{
  g_autofree char *src = sf_test_fixture_path (ef->fixture);
  g_autofree char *contents = NULL;
  g_autofree char *dst = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0;
  char *dir = sf_test_make_tempdir ();
  SfScatter *scatter;

  ck_assert_msg (g_file_get_contents (src, &contents, &len, NULL), "cannot read %s", src);
  dst = g_build_filename (dir, ef->as_name, NULL);
  sf_test_write_file (dst, contents, len);
  file = g_file_new_for_path (dst);
  scatter = sf_scatter_new_from_file (file, NULL, &error);
  ck_assert_msg (scatter != NULL, "%s: %s", ef->fixture, error ? error->message : "?");
  *out_dir = dir;
  return scatter;
}

START_TEST (test_fixture_values)
{
  const ExpectedFile *ef = &files[_i];
  g_autofree char *dir = NULL;
  g_autoptr(SfScatter) scatter = load_as (ef, &dir);
  g_autoptr(GError) error = NULL;
  SfLayout *layout;
  guint n_download = 0;

  ck_assert_int_eq (sf_scatter_get_format (scatter), ef->format);
  ck_assert_pstr_eq (sf_scatter_get_config_version (scatter), ef->version);
  ck_assert_pstr_eq (sf_scatter_get_platform (scatter), ef->platform);
  ck_assert_pstr_eq (sf_scatter_get_project (scatter), ef->project);
  ck_assert_int_eq (sf_scatter_get_addressing (scatter), ef->addressing);
  ck_assert_uint_eq (sf_scatter_get_n_layouts (scatter), ef->n_layouts);
  ck_assert_msg (sf_scatter_check (scatter, &error), "%s: %s", ef->fixture, error ? error->message : "");

  layout = sf_scatter_get_layout (scatter, 0);
  ck_assert_pstr_eq (layout->storage, ef->storage);
  ck_assert_uint_eq (sf_layout_get_n_partitions (layout), ef->n_parts);

  for (guint i = 0; i < layout->partitions->len; i++) {
    SfPartition *part = sf_layout_get_partition (layout, i);

    ck_assert_uint_eq (part->index, i);
    if (part->is_download)
      n_download++;
  }
  ck_assert_uint_eq (n_download, ef->n_download);

  for (guint k = 0; k < G_N_ELEMENTS (ef->parts); k++) {
    const ExpectedPart *ep = &ef->parts[k];
    SfPartition *part = sf_layout_get_partition (layout, ep->index);

    ck_assert_str_eq (part->name, ep->name);
    ck_assert_pstr_eq (part->file_name, ep->file_name);
    ck_assert_uint_eq (part->start, ep->start);
    if (ep->size == NOSIZE) {
      ck_assert (!part->has_size);
    } else {
      ck_assert (part->has_size);
      ck_assert_uint_eq (part->size, ep->size);
    }
    ck_assert_pstr_eq (part->region, ep->region);
    ck_assert_pstr_eq (part->operation_type, ep->operation);
    ck_assert_uint_eq (part->line, ep->line);
    ck_assert_int_eq (part->is_download, ep->download);
    ck_assert_int_eq (part->end_relative, (ep->start >> 16) == 0xFFFF && ep->start <= G_MAXUINT32);
    ck_assert_ptr_eq (sf_layout_find_partition (layout, ep->name), part);
  }

  sf_test_rm_rf (dir);
}
END_TEST

START_TEST (test_combo_layouts)
{
  g_autoptr(SfScatter) scatter = sf_test_load_fixture ("mt6785-v2.1.0-combo-crlf.txt");
  SfLayout *emmc = sf_scatter_get_layout (scatter, 0);
  SfLayout *ufs = sf_scatter_get_layout (scatter, 1);
  SfPartition *part;

  ck_assert_str_eq (emmc->storage, "EMMC");
  ck_assert_str_eq (ufs->storage, "UFS");
  ck_assert_ptr_eq (sf_scatter_find_layout (scatter, "ufs"), ufs);
  ck_assert_ptr_null (sf_scatter_find_layout (scatter, "NAND"));
  ck_assert_str_eq (emmc->boot_channel, "MSDC_0");
  ck_assert_str_eq (ufs->boot_channel, "UFSHCI_0");
  ck_assert_uint_eq (emmc->block_size, 0x20000);
  ck_assert_uint_eq (ufs->block_size, 0x80000);
  ck_assert_uint_eq (ufs->partitions->len, 37);

  part = sf_layout_get_partition (ufs, 0);
  ck_assert_str_eq (part->region, "UFS_LU0_LU1");
  ck_assert_uint_eq (part->line, 668);
  ck_assert_uint_eq (part->size, 0x100000);
  /* Counted in the UFS layout's 512 KiB blocks, not eMMC's 128 KiB. */
  part = sf_layout_get_partition (ufs, 35);
  ck_assert_str_eq (part->name, "flashinfo");
  ck_assert_uint_eq (part->start, 0xFFFF0020);
  ck_assert (part->end_relative);
  ck_assert_uint_eq (sf_layout_find_partition (emmc, "flashinfo")->start, 0xFFFF0080);
  ck_assert_str_eq (sf_layout_get_partition (ufs, 27)->region, "UFS_LU2");
}
END_TEST

START_TEST (test_unknown_keys_kept)
{
  g_autoptr(SfScatter) scatter = sf_test_load_fixture ("mt6771-v1.1.2-emmc-upgradable-keys.txt");
  SfLayout *layout = sf_scatter_get_layout (scatter, 0);
  SfPartition *pre = sf_layout_get_partition (layout, 0);

  /* Keys the parser has no field for are kept as written. */
  ck_assert_pstr_eq (sf_partition_get_field (pre, "is_upgradable"), "true");
  ck_assert_pstr_eq (sf_partition_get_field (pre, "empty_boot_needed"), "false");
  ck_assert_pstr_eq (sf_partition_get_field (pre, "reserve"), "0x00");
  ck_assert_pstr_eq (sf_partition_get_field (pre, "no_such_key"), NULL);
  ck_assert_int_eq (pre->operation, SF_OPERATION_BOOTLOADERS);
}
END_TEST

START_TEST (test_v118_header_fields)
{
  g_autoptr(SfScatter) scatter = sf_test_load_fixture ("mt6768-v1.1.8-emmc-crlf-ab.txt");
  GPtrArray *fields = sf_scatter_get_header_fields (scatter);
  gboolean modem_check = FALSE;

  for (guint i = 0; i < fields->len; i++) {
    SfScatterField *f = g_ptr_array_index (fields, i);

    if (strcmp (f->key, "modem_check") == 0) {
      ck_assert_str_eq (f->value, "false");
      modem_check = TRUE;
    }
  }
  ck_assert (modem_check);
  ck_assert_uint_eq (sf_scatter_get_layout (scatter, 0)->block_size, 0x20000);
}
END_TEST

/* The same file with LF and with CRLF line ends, trailing blanks, a BOM and
 * other indentation must give the same map. */
START_TEST (test_line_ends_and_blanks)
{
  static const char * const names[] = {
    "mt6572-v1.1.1-emmc.txt",
    "mt6785-v2.1.0-combo-crlf.txt",
  };

  for (guint n = 0; n < G_N_ELEMENTS (names); n++) {
    g_autofree char *path = sf_test_fixture_path (names[n]);
    g_autofree char *text = NULL;
    g_autoptr(SfScatter) orig = NULL;
    g_autoptr(GError) error = NULL;

    ck_assert (g_file_get_contents (path, &text, NULL, NULL));
    orig = sf_scatter_new_from_data (text, strlen (text), "orig.txt", &error);
    ck_assert_msg (orig != NULL, "%s", error ? error->message : "");

    for (guint variant = 0; variant < 4; variant++) {
      g_autofree char *mangled = sf_test_mangle (text, variant & 1, variant >= 1, variant == 2, variant == 3);
      g_autoptr(SfScatter) copy = sf_scatter_new_from_data (mangled, strlen (mangled), "copy.txt", &error);

      ck_assert_msg (copy != NULL, "variant %u: %s", variant, error ? error->message : "");
      sf_test_assert_same_map (orig, copy);
    }
  }
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Broken input: one clear error with file and line, never a crash         */
/* ---------------------------------------------------------------------- */

static const char header[] =
  "- general: MTK_PLATFORM_CFG\n"
  "  info:\n"
  "    - config_version: V1.1.2\n"
  "      platform: MT6572\n"
  "      project: test\n"
  "      storage: EMMC\n"
  "      boot_channel: MSDC_0\n"
  "      block_size: 0x20000\n";

static char *
entry (guint        index,
       const char  *name,
       const char  *start,
       const char  *size,
       const char  *op,
       const char  *download)
{
  return g_strdup_printf ("- partition_index: SYS%u\n"
                          "  partition_name: %s\n"
                          "  file_name: %s.img\n"
                          "  is_download: %s\n"
                          "  type: NORMAL_ROM\n"
                          "  linear_start_addr: %s\n"
                          "  physical_start_addr: %s\n"
                          "  partition_size: %s\n"
                          "  region: %s\n"
                          "  storage: HW_STORAGE_EMMC\n"
                          "  boundary_check: true\n"
                          "  is_reserved: false\n"
                          "  operation_type: %s\n"
                          "  reserve: 0x00\n\n",
                          index, name, name, download, start, start, size,
                          strcmp (op, "BOOTLOADERS") == 0 ? "EMMC_BOOT_1" : "EMMC_USER", op);
}

typedef struct {
  const char *what;
  const char *text;         /* NULL: built by the test */
  SfError     code;
  guint       line;         /* 0: any */
  const char *needle;       /* must appear in the message */
} BadCase;

static void
assert_fails (const char *text,
              gsize       len,
              SfError     code,
              guint       line,
              const char *needle,
              const char *what)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SfScatter) scatter = sf_scatter_new_from_data (text, len, "bad_scatter.txt", &error);

  if (scatter != NULL) {
    /* Loaded: then the check must refuse it. */
    ck_assert_msg (!sf_scatter_check (scatter, &error), "%s: accepted", what);
  }
  ck_assert_msg (error != NULL, "%s: no error", what);
  ck_assert_msg (g_error_matches (error, SF_ERROR, code), "%s: code %d, want %d: %s",
                 what, error->code, code, error->message);
  ck_assert_msg (g_str_has_prefix (error->message, "bad_scatter.txt"), "%s: %s", what, error->message);
  if (line > 0) {
    g_autofree char *prefix = g_strdup_printf ("bad_scatter.txt:%u: ", line);

    ck_assert_msg (g_str_has_prefix (error->message, prefix), "%s: want line %u: %s",
                   what, line, error->message);
  }
  if (needle != NULL)
    ck_assert_msg (strstr (error->message, needle) != NULL, "%s: “%s” not in: %s",
                   what, needle, error->message);
  /* Every message says what to do. */
  ck_assert_msg (strstr (error->message, " — ") != NULL, "%s: no advice: %s", what, error->message);
}

START_TEST (test_bad_simple)
{
  static const BadCase cases[] = {
    { "empty", "", SF_ERROR_SCATTER_FORMAT, 0, "empty" },
    { "blank and comments", "\n\n# nothing\n   \n", SF_ERROR_SCATTER_FORMAT, 0, "empty" },
    { "prose", "Hello, this is a readme\n", SF_ERROR_SCATTER_FORMAT, 1, "not a MediaTek scatter" },
    { "xml", "<?xml version=\"1.0\"?>\n<root/>\n", SF_ERROR_SCATTER_VERSION, 1, "XML" },
    { "no header", "- partition_index: SYS0\n  partition_name: X\n", SF_ERROR_SCATTER_FORMAT, 1, "general header" },
    { "header only",
      "- general: MTK_PLATFORM_CFG\n  info:\n    - config_version: V1.1.2\n      platform: MT6572\n",
      SF_ERROR_SCATTER_TRUNCATED, 0, "no partitions" },
    { "no version",
      "- general: MTK_PLATFORM_CFG\n  info:\n    - platform: MT6572\n- partition_index: SYS0\n"
      "  partition_name: A\n  linear_start_addr: 0x0\n  partition_size: 0x100\n",
      SF_ERROR_SCATTER_VERSION, 0, "config_version" },
    { "version 3",
      "- general: MTK_PLATFORM_CFG\n  info:\n    - config_version: V3.0.0\n- partition_index: SYS0\n"
      "  partition_name: A\n  linear_start_addr: 0x0\n  partition_size: 0x100\n",
      SF_ERROR_SCATTER_VERSION, 0, "V3.0.0" },
    { "bad hex",
      "- general: MTK_PLATFORM_CFG\n  info:\n    - config_version: V1.1.2\n- partition_index: SYS0\n"
      "  partition_name: A\n  linear_start_addr: 0xZZ00\n  partition_size: 0x100\n",
      SF_ERROR_SCATTER_FIELD, 6, "linear_start_addr" },
    { "65-bit number",
      "- general: MTK_PLATFORM_CFG\n  info:\n    - config_version: V1.1.2\n- partition_index: SYS0\n"
      "  partition_name: A\n  linear_start_addr: 0x0\n  partition_size: 0x1FFFFFFFFFFFFFFFF\n",
      SF_ERROR_SCATTER_FIELD, 7, "partition_size" },
    { "bad bool",
      "- general: MTK_PLATFORM_CFG\n  info:\n    - config_version: V1.1.2\n- partition_index: SYS0\n"
      "  partition_name: A\n  is_download: maybe\n  linear_start_addr: 0x0\n  partition_size: 0x100\n",
      SF_ERROR_SCATTER_FIELD, 6, "is_download" },
    { "garbage line",
      "- general: MTK_PLATFORM_CFG\n  info:\n    - config_version: V1.1.2\n- partition_index: SYS0\n"
      "  partition_name: A\n  this is not a key\n",
      SF_ERROR_SCATTER_FORMAT, 6, NULL },
    { "missing size",
      "- general: MTK_PLATFORM_CFG\n  info:\n    - config_version: V1.1.2\n- partition_index: SYS0\n"
      "  partition_name: A\n  linear_start_addr: 0x0\n- partition_index: SYS1\n  partition_name: B\n"
      "  linear_start_addr: 0x100\n  partition_size: 0x100\n",
      SF_ERROR_SCATTER_FIELD, 4, "partition_size" },
    { "cut in last entry",
      "- general: MTK_PLATFORM_CFG\n  info:\n    - config_version: V1.1.2\n- partition_index: SYS0\n"
      "  partition_name: A\n  linear_start_addr: 0x0\n  partition_size: 0x100\n- partition_index: SYS1\n"
      "  partition_name: B\n  linear_start_addr: 0x100\n",
      SF_ERROR_SCATTER_TRUNCATED, 8, "partition_size" },
    { "two headers",
      "- general: MTK_PLATFORM_CFG\n  info:\n    - config_version: V1.1.2\n- general: MTK_PLATFORM_CFG\n",
      SF_ERROR_SCATTER_FORMAT, 4, "second" },
    { "legacy unclosed",
      "PRELOADER 0x0\n{\n}\nMBR 0x600000\n{\n", SF_ERROR_SCATTER_TRUNCATED, 5, "never closed" },
    { "legacy stray brace", "PRELOADER 0x0\n}\n", SF_ERROR_SCATTER_FORMAT, 2, NULL },
    { "legacy garbage", "PRELOADER 0x0\n{\n}\nMBR six\n", SF_ERROR_SCATTER_FORMAT, 4, NULL },
    { "legacy descending",
      "PRELOADER 0x0\n{\n}\nMBR 0x600000\n{\n}\nEBR1 0x500000\n{\n}\n", SF_ERROR_SCATTER_ORDER, 7, "EBR1" },
    { "legacy entry without braces",
      "PRELOADER 0x0\n{\n}\nMBR 0x600000\nEBR1 0x680000\n{\n}\n", SF_ERROR_SCATTER_FORMAT, 4, "MBR has no" },
    { "legacy cut before braces",
      "PRELOADER 0x0\n{\n}\nMBR 0x600000\n", SF_ERROR_SCATTER_TRUNCATED, 4, "MBR has no" },
    { "OTA list of one line", "preloader 0x0\n", SF_ERROR_SCATTER_FORMAT, 1, "OTA update" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    assert_fails (cases[i].text, strlen (cases[i].text), cases[i].code, cases[i].line,
                  cases[i].needle, cases[i].what);
}
END_TEST

START_TEST (test_bad_contradictions)
{
  g_autofree char *a = entry (0, "PRELOADER", "0x0", "0x40000", "BOOTLOADERS", "true");
  g_autofree char *b = entry (1, "boot", "0x100000", "0x200000", "UPDATE", "true");
  g_autofree char *c_overlap = entry (2, "system", "0x200000", "0x100000", "UPDATE", "true");
  g_autofree char *c_before = entry (2, "system", "0x80000", "0x100000", "UPDATE", "true");
  g_autofree char *c_dup = entry (2, "BOOT", "0x400000", "0x100000", "UPDATE", "true");
  g_autofree char *c_bl = entry (2, "loader_ext1", "0x40000", "0x40000", "BOOTLOADERS", "false");
  g_autofree char *good_c = entry (2, "system", "0x300000", "0x100000", "UPDATE", "true");
  g_autofree char *ok = g_strconcat (header, a, b, good_c, NULL);
  g_autofree char *overlap = g_strconcat (header, a, b, c_overlap, NULL);
  g_autofree char *before = g_strconcat (header, a, b, c_before, NULL);
  g_autofree char *dup = g_strconcat (header, a, b, c_dup, NULL);
  g_autofree char *bl = g_strconcat (header, a, b, c_bl, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SfScatter) good = sf_scatter_new_from_data (ok, strlen (ok), "ok.txt", &error);

  /* The control: the same entries without the contradiction pass. */
  ck_assert_msg (good != NULL && sf_scatter_check (good, &error), "%s", error ? error->message : "");

  /* Line 39 is where the third entry begins: 8 header lines + 2 × 15. */
  assert_fails (overlap, strlen (overlap), SF_ERROR_SCATTER_OVERLAP, 39, "overlaps", "overlap");
  assert_fails (before, strlen (before), SF_ERROR_SCATTER_ORDER, 39, "before boot", "descending");
  assert_fails (dup, strlen (dup), SF_ERROR_SCATTER_DUPLICATE, 39, "twice", "duplicate");
  assert_fails (bl, strlen (bl), SF_ERROR_BL_INCONSISTENT, 39, "PRELOADER", "bootloaders");
}
END_TEST

START_TEST (test_binary_and_huge)
{
  g_autofree char *binary = g_malloc0 (4096);
  gsize huge_len = 100 * 1024 * 1024;
  g_autofree char *huge = NULL;
  g_autofree char *long_line = g_malloc (100000);
  g_autofree char *text = NULL;

  memcpy (binary, "PK\x03\x04", 4);
  assert_fails (binary, 4096, SF_ERROR_SCATTER_BINARY, 1, "binary", "binary");

  /* A NUL byte deep inside an otherwise good file. */
  text = g_strconcat (header, "- partition_index: SYS0\n  partition_name: A_B\n", NULL);
  text[strlen (header) + 24 + 19] = '\0';
  assert_fails (text, strlen (header) + 24 + 22, SF_ERROR_SCATTER_BINARY, 10, "binary", "nul in text");

  memset (long_line, 'a', 99999);
  long_line[99999] = '\0';
  assert_fails (long_line, 99999, SF_ERROR_SCATTER_FORMAT, 1, "longer than", "long line");

  /* 100 MB of valid-looking lines: refused once past the size limit, long
   * before the end, with memory bounded by the reader's buffer. */
  huge = g_malloc (huge_len);
  for (gsize i = 0; i < huge_len; i++)
    huge[i] = (i % 32 == 31) ? '\n' : '#';
  assert_fails (huge, huge_len, SF_ERROR_SCATTER_TOO_LARGE, 0, "larger than", "huge");
}
END_TEST

/* Every prefix of a fixture (cut at many places) either parses to a prefix
 * of the map or fails with a message that names the file; never a crash. */
START_TEST (test_truncated_everywhere)
{
  g_autofree char *path = sf_test_fixture_path ("mt6572-v1.1.1-emmc.txt");
  g_autofree char *text = NULL;
  gsize len = 0;
  guint failures = 0;

  ck_assert (g_file_get_contents (path, &text, &len, NULL));
  for (gsize cut = 0; cut < len; cut += 7) {
    g_autoptr(GError) error = NULL;
    g_autoptr(SfScatter) scatter = sf_scatter_new_from_data (text, cut, "cut.txt", &error);

    if (scatter == NULL) {
      ck_assert (g_str_has_prefix (error->message, "cut.txt"));
      ck_assert (strstr (error->message, " — ") != NULL);
      failures++;
    } else {
      SfLayout *layout = sf_scatter_get_layout (scatter, 0);

      ck_assert_uint_le (layout->partitions->len, 20);
    }
  }
  /* Most cuts land inside an entry and must be refused. */
  ck_assert_uint_gt (failures, len / 7 / 2);
}
END_TEST

START_TEST (test_garbled)
{
  g_autofree char *path = sf_test_fixture_path ("mt6580-v1.1.2-emmc-gpt.txt");
  g_autofree char *text = NULL;
  gsize len = 0;
  GRand *rand = g_rand_new_with_seed (6572);

  ck_assert (g_file_get_contents (path, &text, &len, NULL));
  for (guint round = 0; round < 400; round++) {
    g_autofree char *copy = g_memdup2 (text, len);
    g_autoptr(GError) error = NULL;
    g_autoptr(SfScatter) scatter = NULL;

    for (guint k = 0; k < 1 + round % 8; k++)
      copy[g_rand_int_range (rand, 0, (gint32) len)] = (char) g_rand_int_range (rand, 1, 256);
    scatter = sf_scatter_new_from_data (copy, len, "garbled.txt", &error);
    if (scatter == NULL)
      ck_assert (g_str_has_prefix (error->message, "garbled.txt"));
    else
      ck_assert_uint_ge (sf_scatter_get_n_layouts (scatter), 1);
  }
  g_rand_free (rand);
}
END_TEST

/* The broken fixtures in tests/data/scatter/bad: each is a good file (the
 * small MT6580 one) with one mistake, and must fail with its own error, on
 * the line of the mistake. */
static const BadCase bad_files[] = {
  { "addresses-out-of-order.txt", NULL, SF_ERROR_SCATTER_ORDER, 101, "before lk" },
  { "overlap.txt", NULL, SF_ERROR_SCATTER_OVERLAP, 116, "overlaps recovery" },
  { "duplicate-name.txt", NULL, SF_ERROR_SCATTER_DUPLICATE, 116, "also on line 101" },
  { "bad-hex.txt", NULL, SF_ERROR_SCATTER_FIELD, 106, "0x98OOOO" },
  { "bad-bool.txt", NULL, SF_ERROR_SCATTER_FIELD, 89, "is_download" },
  { "missing-size.txt", NULL, SF_ERROR_SCATTER_FIELD, 71, "nvram has no partition_size" },
  { "truncated.txt", NULL, SF_ERROR_SCATTER_TRUNCATED, 161, "sgpt has no linear_start_addr" },
  { "bootloaders-disagree.txt", NULL, SF_ERROR_BL_INCONSISTENT, 41, "preloader (line 11) and loader_ext1" },
  { "no-config-version.txt", NULL, SF_ERROR_SCATTER_VERSION, 0, "config_version" },
  { "unknown-version.txt", NULL, SF_ERROR_SCATTER_VERSION, 0, "V3.0.0" },
  { "no-general-header.txt", NULL, SF_ERROR_SCATTER_FORMAT, 3, "general header" },
  { "legacy-unclosed-brace.txt", NULL, SF_ERROR_SCATTER_TRUNCATED, 17, "never closed" },
  { "legacy-descending.txt", NULL, SF_ERROR_SCATTER_ORDER, 13, "UBOOT starts at 0x520000" },
  { "ota-partition-list.txt", NULL, SF_ERROR_SCATTER_FORMAT, 1, "partition list of an OTA update" },
};

START_TEST (test_bad_files)
{
  const BadCase *bc = &bad_files[_i];
  g_autofree char *name = g_build_filename ("bad", bc->what, NULL);
  g_autofree char *path = sf_test_fixture_path (name);
  g_autofree char *text = NULL;
  gsize len = 0;

  ck_assert_msg (g_file_get_contents (path, &text, &len, NULL), "cannot read %s", path);
  assert_fails (text, len, bc->code, bc->line, bc->needle, bc->what);
}
END_TEST

/* A broken fixture nobody says what to expect of tests nothing. */
START_TEST (test_bad_files_listed)
{
  g_autofree char *dir_path = sf_test_fixture_path ("bad");
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;
  guint n = 0;

  ck_assert_msg (dir != NULL, "no folder %s", dir_path);
  while ((name = g_dir_read_name (dir)) != NULL) {
    gboolean listed = FALSE;

    for (guint i = 0; i < G_N_ELEMENTS (bad_files); i++)
      listed |= strcmp (bad_files[i].what, name) == 0;
    ck_assert_msg (listed, "bad/%s is not in bad_files[]", name);
    n++;
  }
  ck_assert_uint_eq (n, G_N_ELEMENTS (bad_files));
}
END_TEST

START_TEST (test_legacy_details)
{
  g_autoptr(GError) error = NULL;
  const char text[] =
    "PRELOADER 0x0\n{\n}\nMBR 0x600000\n{\n}\n__NODL_NVRAM 0xE00000\n{\n}\n"
    "ANDROID 0x1300000\n{\n}\n__NODL_RSV_OTP 0xFFFF00a8\n{\n}\n\n\n";
  g_autoptr(SfScatter) s = sf_scatter_new_from_data (text, strlen (text), "/x/MT6577_Android_scatter.txt", &error);
  SfLayout *layout;

  ck_assert_msg (s != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (sf_scatter_get_platform (s), "MT6577");
  layout = sf_scatter_get_layout (s, 0);
  ck_assert_str_eq (layout->storage, "NAND");  /* no _emmc in the name */
  ck_assert_uint_eq (layout->partitions->len, 5);
  ck_assert_str_eq (sf_layout_get_partition (layout, 2)->name, "NVRAM");
  ck_assert (!sf_layout_get_partition (layout, 2)->is_download);
  ck_assert_int_eq (sf_layout_get_partition (layout, 2)->operation, SF_OPERATION_BINREGION);
  ck_assert_int_eq (sf_layout_get_partition (layout, 0)->operation, SF_OPERATION_BOOTLOADERS);
  ck_assert_int_eq (sf_layout_get_partition (layout, 3)->operation, SF_OPERATION_UPDATE);
  ck_assert_str_eq (sf_layout_get_partition (layout, 4)->name, "RSV_OTP");
  ck_assert_int_eq (sf_layout_get_partition (layout, 4)->operation, SF_OPERATION_RESERVED);
  ck_assert (sf_layout_get_partition (layout, 4)->end_relative);
  ck_assert_uint_eq (sf_layout_get_partition (layout, 1)->size, 0xE00000 - 0x600000);
  ck_assert (!sf_layout_get_partition (layout, 1)->has_size);
  ck_assert_uint_eq (sf_layout_get_partition (layout, 3)->line, 10);
}
END_TEST

START_TEST (test_odd_but_valid)
{
  g_autoptr(GError) error = NULL;
  /* Mixed-case hex, 64-bit addresses, an empty value, unknown keys and
   * sections, tool-made indentation, a comment inside an entry. */
  const char text[] =
    "# banner\n"
    "- general: MTK_PLATFORM_CFG\n"
    "  info:\n"
    "  - config_version: V1.1.2\n"
    "    platform: MT6765\n"
    "    project:\n"
    "    storage: EMMC\n"
    "    vendor_key: 42\n"
    "- general: SOMETHING_NEW\n"
    "  info:\n"
    "  - foo: bar\n"
    "- partition_index: SYS0\n"
    "  partition_name: super\n"
    "  file_name: NONE\n"
    "  is_download: TRUE\n"
    "# a comment in an entry\n"
    "  linear_start_addr: 0x11C000000\n"
    "  partition_size: 0x2000aBcD00\n"
    "  region: NONE\n"
    "  operation_type: NEEDRESIZE\n"
    "  my_new_key: yes\n";
  g_autoptr(SfScatter) s = sf_scatter_new_from_data (text, strlen (text), "odd.txt", &error);
  SfPartition *part;
  gboolean warned_unknown_op = FALSE;
  GPtrArray *issues;

  ck_assert_msg (s != NULL, "%s", error ? error->message : "");
  ck_assert (sf_scatter_check (s, NULL));
  ck_assert_pstr_eq (sf_scatter_get_project (s), NULL);
  part = sf_layout_get_partition (sf_scatter_get_layout (s, 0), 0);
  ck_assert_uint_eq (part->start, G_GUINT64_CONSTANT (0x11C000000));
  ck_assert_uint_eq (part->size, G_GUINT64_CONSTANT (0x2000ABCD00));
  ck_assert (part->is_download);
  ck_assert_ptr_null (part->file_name);
  ck_assert_ptr_null (part->region);
  ck_assert_int_eq (part->operation, SF_OPERATION_UNKNOWN);
  ck_assert_str_eq (sf_partition_get_field (part, "my_new_key"), "yes");

  issues = sf_scatter_get_issues (s);
  for (guint i = 0; i < issues->len; i++) {
    SfIssue *issue = g_ptr_array_index (issues, i);

    ck_assert_int_eq (issue->severity, SF_SEVERITY_WARNING);
    if (g_strcmp0 (issue->field, "operation_type") == 0 && issue->line == 12)
      warned_unknown_op = TRUE;
  }
  ck_assert (warned_unknown_op);
}
END_TEST

START_TEST (test_backup_style_warning)
{
  g_autofree char *a = entry (0, "PRELOADER", "0x0", "0x40000", "BOOTLOADERS", "true");
  g_autofree char *b = entry (1, "nvram", "0x100000", "0x500000", "BINREGION", "true");
  g_autofree char *text = g_strconcat (header, a, b, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SfScatter) s = sf_scatter_new_from_data (text, strlen (text), "wiko.txt", &error);
  GPtrArray *issues;
  gboolean found = FALSE;

  ck_assert (s != NULL);
  ck_assert (sf_scatter_check (s, NULL));
  issues = sf_scatter_get_issues (s);
  for (guint i = 0; i < issues->len; i++) {
    SfIssue *issue = g_ptr_array_index (issues, i);

    if (issue->line == 24 && strstr (issue->message, "nvram") != NULL)
      found = TRUE;
  }
  ck_assert_msg (found, "no warning about the phone-specific nvram image");
}
END_TEST

START_TEST (test_tolerant_syntax)
{
  g_autoptr(GError) error = NULL;
  /* Hand edits: no blank after the colon, an entry without its "- ",
   * tabs for indentation. */
  const char text[] =
    "- general: MTK_PLATFORM_CFG\n"
    "  info:\n"
    "    - config_version: V1.1.2\n"
    "      platform:MT6580\n"
    "- partition_index: SYS0\n"
    "\tpartition_name:preloader\n"
    "\tlinear_start_addr: 0x0\n"
    "\tpartition_size: 0x40000\n"
    "partition_index: SYS1\n"
    "  partition_name: boot\n"
    "  linear_start_addr: 0x80000\n"
    "  partition_size: 0x1000000\n";
  g_autoptr(SfScatter) s = sf_scatter_new_from_data (text, strlen (text), "hand.txt", &error);
  SfLayout *layout;

  ck_assert_msg (s != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (sf_scatter_get_platform (s), "MT6580");
  layout = sf_scatter_get_layout (s, 0);
  ck_assert_uint_eq (layout->partitions->len, 2);
  ck_assert_str_eq (sf_layout_get_partition (layout, 0)->name, "preloader");
  ck_assert_str_eq (sf_layout_get_partition (layout, 1)->name, "boot");
  ck_assert_uint_eq (sf_layout_get_partition (layout, 1)->line, 9);
  ck_assert_uint_eq (sf_layout_get_partition (layout, 1)->size, 0x1000000);
}
END_TEST

/* A tool-generated file's filler entry (no name, reserved, not written, at
 * 0x0 after BMTPOOL) is said with its line and left out; the file loads.
 * The same entry marked for download still refuses the file. */
START_TEST (test_filler_entry_tolerated)
{
  g_autoptr(SfScatter) scatter = sf_test_load_fixture ("mt6572-v1.1.1-emmc-tool-filler.txt");
  g_autoptr(SfScatter) plain = sf_test_load_fixture ("mt6572-v1.1.1-emmc.txt");
  g_autoptr(GError) error = NULL;
  SfLayout *layout = sf_scatter_get_layout (scatter, 0);
  GPtrArray *issues = sf_scatter_get_issues (scatter);
  gboolean found = FALSE;

  ck_assert_msg (sf_scatter_check (scatter, &error), "%s", error ? error->message : "");
  ck_assert_uint_eq (layout->partitions->len, sf_scatter_get_layout (plain, 0)->partitions->len);
  for (guint i = 0; i < layout->partitions->len; i++) {
    ck_assert_uint_eq (sf_layout_get_partition (layout, i)->index, i);
    ck_assert_str_ne (sf_layout_get_partition (layout, i)->name, "");
  }
  for (guint i = 0; i < issues->len; i++) {
    SfIssue *issue = g_ptr_array_index (issues, i);

    if (issue->severity == SF_SEVERITY_WARNING && issue->line == 321 &&
        strstr (issue->message, "left out") != NULL)
      found = TRUE;
  }
  ck_assert_msg (found, "no warning on line 321 about the filler entry");

  /* Written, it is a contradiction again. */
  {
    g_autofree char *path = sf_test_fixture_path ("mt6572-v1.1.1-emmc-tool-filler.txt");
    g_autofree char *text = NULL;
    g_autofree char *edited = NULL;
    g_autoptr(SfScatter) bad = NULL;
    char *at;

    ck_assert (g_file_get_contents (path, &text, NULL, NULL));
    at = strstr (text, "  partition_name: \n");
    ck_assert (at != NULL);
    edited = g_strdup (text);
    at = edited + (at - text);
    at = strstr (at, "is_download: false");
    memcpy (at, "is_download: true ", strlen ("is_download: true "));
    bad = sf_scatter_new_from_data (edited, strlen (edited), "filler-written.txt", &error);
    ck_assert (bad != NULL);
    ck_assert (!sf_scatter_check (bad, NULL));
  }
}
END_TEST

/* Junk seen in real files (scatter-format.md §12), one fixture per kind:
 * each loads, checks, and says the junk with its line, once. */
typedef struct {
  const char *fixture;
  guint       line;        /* of the warning */
  const char *needle;      /* in the warning */
  guint       n_parts;     /* partitions kept in the first layout */
  guint       n_warnings;  /* all the file's warnings */
} JunkCase;

static const JunkCase junk_files[] = {
  /* a filler entry after BMTPOOL: left out */
  { "mt6572-v1.1.1-emmc-tool-filler.txt", 321, "an entry with no name at 0x0 is out of place", 20, 1 },
  /* a reserved tail at absolute addresses out of order: sgpt left out, and
   * its start is off a sector */
  { "mt6739-v1.1.6-emmc-reserved-tail-absolute.txt", 413, "sgpt at 0xea0fbd80 is out of place after flashinfo", 23, 2 },
  /* another tool's mark before the header: dropped */
  { "mt6580-v1.1.2-emmc-tool-marker-line.txt", 1, "BIRDTOOLMINVER[3.0]", 24, 1 },
  /* partition_index from SYS1: said once */
  { "mt6735-v1.1.2-emmc-index-from-1.txt", 21, "starts at SYS1", 24, 1 },
};

START_TEST (test_junk_tolerated)
{
  const JunkCase *jc = &junk_files[_i];
  g_autoptr(SfScatter) scatter = sf_test_load_fixture (jc->fixture);
  g_autoptr(GError) error = NULL;
  SfLayout *layout = sf_scatter_get_layout (scatter, 0);
  GPtrArray *issues = sf_scatter_get_issues (scatter);
  guint found = 0;

  ck_assert_msg (sf_scatter_check (scatter, &error), "%s: %s", jc->fixture, error ? error->message : "");
  ck_assert_uint_eq (layout->partitions->len, jc->n_parts);
  for (guint i = 0; i < layout->partitions->len; i++)
    ck_assert_uint_eq (sf_layout_get_partition (layout, i)->index, i);
  ck_assert_uint_eq (issues->len, jc->n_warnings);
  for (guint i = 0; i < issues->len; i++) {
    SfIssue *issue = g_ptr_array_index (issues, i);

    ck_assert_int_eq (issue->severity, SF_SEVERITY_WARNING);
    if (issue->line == jc->line && strstr (issue->message, jc->needle) != NULL)
      found++;
  }
  ck_assert_msg (found == 1, "%s: %u warnings on line %u with “%s”", jc->fixture, found, jc->line, jc->needle);
}
END_TEST

/* The marker is dropped only before the header; it changes nothing else. */
START_TEST (test_tool_marker_only_before_header)
{
  g_autoptr(SfScatter) marked = sf_test_load_fixture ("mt6580-v1.1.2-emmc-tool-marker-line.txt");
  g_autofree char *path = sf_test_fixture_path ("mt6580-v1.1.2-emmc-tool-marker-line.txt");
  g_autofree char *text = NULL;
  g_autofree char *moved = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SfScatter) bad = NULL;
  const char *rest;

  ck_assert (g_file_get_contents (path, &text, NULL, NULL));
  rest = strstr (text, "\n") + 1;
  ck_assert_ptr_nonnull (sf_layout_find_partition (sf_scatter_get_layout (marked, 0), "userdata"));
  /* After the header it is a line that is not "key: value". */
  moved = g_strconcat (rest, "BIRDTOOLMINVER[3.0]\n", NULL);
  bad = sf_scatter_new_from_data (moved, strlen (moved), "moved.txt", &error);
  ck_assert_ptr_null (bad);
  ck_assert (g_error_matches (error, SF_ERROR, SF_ERROR_SCATTER_FORMAT));
}
END_TEST

START_TEST (test_looks_like_name)
{
  ck_assert (sf_scatter_looks_like_name ("MT6572_Android_scatter.txt"));
  ck_assert (sf_scatter_looks_like_name ("MT6589_Android_scatter_emmc.txt"));
  ck_assert (sf_scatter_looks_like_name ("mt6580_scatter.TXT"));
  ck_assert (!sf_scatter_looks_like_name ("boot.img"));
  ck_assert (!sf_scatter_looks_like_name ("scatter.xml"));
  ck_assert (!sf_scatter_looks_like_name ("readme.txt"));
}
END_TEST

static Suite *
scatter_suite (void)
{
  Suite *s = suite_create ("scatter");
  TCase *tc = tcase_create ("fixtures");
  TCase *bad = tcase_create ("bad-input");

  tcase_add_loop_test (tc, test_fixture_values, 0, G_N_ELEMENTS (files));
  tcase_add_test (tc, test_combo_layouts);
  tcase_add_test (tc, test_unknown_keys_kept);
  tcase_add_test (tc, test_v118_header_fields);
  tcase_add_test (tc, test_line_ends_and_blanks);
  tcase_add_test (tc, test_legacy_details);
  tcase_add_test (tc, test_odd_but_valid);
  tcase_add_test (tc, test_backup_style_warning);
  tcase_add_test (tc, test_tolerant_syntax);
  tcase_add_test (tc, test_looks_like_name);
  tcase_add_test (tc, test_filler_entry_tolerated);
  tcase_add_loop_test (tc, test_junk_tolerated, 0, G_N_ELEMENTS (junk_files));
  tcase_add_test (tc, test_tool_marker_only_before_header);
  suite_add_tcase (s, tc);

  tcase_set_timeout (bad, 120);
  tcase_add_test (bad, test_bad_simple);
  tcase_add_test (bad, test_bad_contradictions);
  tcase_add_test (bad, test_binary_and_huge);
  tcase_add_test (bad, test_truncated_everywhere);
  tcase_add_test (bad, test_garbled);
  tcase_add_loop_test (bad, test_bad_files, 0, G_N_ELEMENTS (bad_files));
  tcase_add_test (bad, test_bad_files_listed);
  suite_add_tcase (s, bad);
  return s;
}

int
main (void)
{
  return sf_test_run_suite (scatter_suite ());
}
