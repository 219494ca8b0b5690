/* test-plan.c — SfPlan: what each scene does to which partition
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "sf-mtk.h"
#include "sf-plan.h"
#include "sf-test-util.h"

/* The folder one test builds its firmware in; made and removed around every test. */
static char *tmpdir;

static void
setup (void)
{
  tmpdir = sf_test_make_tempdir ();
}

static void
teardown (void)
{
  sf_test_rm_rf (tmpdir);
  g_clear_pointer (&tmpdir, g_free);
}

/* ---- building firmware folders ----------------------------------------- */

static void
copy_fixture (const char *fixture,
              const char *scatter_name)
{
  g_autofree char *src = sf_test_fixture_path (fixture);
  g_autofree char *dst = g_build_filename (tmpdir, scatter_name, NULL);
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0;

  ck_assert_msg (g_file_get_contents (src, &data, &len, &error), "%s", error ? error->message : "?");
  sf_test_write_file (dst, data, len);
}

/* A raw image: @size bytes of a filler that matches no magic number. */
static void
write_image (const char *name,
             gsize       size)
{
  g_autofree char *path = g_build_filename (tmpdir, name, NULL);
  g_autofree guint8 *data = g_malloc (MAX (size, 1));

  memset (data, 0x5A, size);
  sf_test_write_file (path, data, size);
}

static void
put_le16 (GByteArray *out,
          guint16     v)
{
  guint8 b[2] = { v & 0xff, v >> 8 };

  g_byte_array_append (out, b, sizeof b);
}

static void
put_le32 (GByteArray *out,
          guint32     v)
{
  guint8 b[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24 };

  g_byte_array_append (out, b, sizeof b);
}

#define SPARSE_BLOCK      4096u
#define SPARSE_BLOCKS     512u
#define SPARSE_FILE_SIZE  (28u + (12u + SPARSE_BLOCK) + 12u + 16u)
#define SPARSE_DATA_SIZE  ((guint64) SPARSE_BLOCKS * SPARSE_BLOCK)

/* An Android sparse image, byte by byte: one raw block, 255 blocks of
 * "don't care" and 256 filled ones, so it puts 2 MiB on the flash from a
 * file of 4164 bytes. */
static void
write_sparse_image (const char *name)
{
  g_autofree char *path = g_build_filename (tmpdir, name, NULL);
  g_autoptr(GByteArray) out = g_byte_array_new ();
  guint8 block[SPARSE_BLOCK];

  put_le32 (out, 0xED26FF3A);         /* magic */
  put_le16 (out, 1);                  /* major version */
  put_le16 (out, 0);                  /* minor version */
  put_le16 (out, 28);                 /* file header size */
  put_le16 (out, 12);                 /* chunk header size */
  put_le32 (out, SPARSE_BLOCK);       /* block size */
  put_le32 (out, SPARSE_BLOCKS);      /* blocks in the output */
  put_le32 (out, 3);                  /* chunks */
  put_le32 (out, 0);                  /* checksum (unused) */

  put_le16 (out, 0xCAC1);             /* raw */
  put_le16 (out, 0);
  put_le32 (out, 1);
  put_le32 (out, 12 + SPARSE_BLOCK);
  memset (block, 0xA5, sizeof block);
  g_byte_array_append (out, block, sizeof block);

  put_le16 (out, 0xCAC3);             /* don't care */
  put_le16 (out, 0);
  put_le32 (out, 255);
  put_le32 (out, 12);

  put_le16 (out, 0xCAC2);             /* fill */
  put_le16 (out, 0);
  put_le32 (out, 256);
  put_le32 (out, 16);
  put_le32 (out, 0xDEADBEEF);

  ck_assert_uint_eq (out->len, SPARSE_FILE_SIZE);
  sf_test_write_file (path, out->data, out->len);
}

static SfFirmware *
open_firmware (void)
{
  g_autoptr(GFile) dir = g_file_new_for_path (tmpdir);
  g_autoptr(GError) error = NULL;
  SfFirmware *firmware;

  firmware = sf_firmware_open (dir, NULL, &error);
  ck_assert_msg (firmware != NULL, "%s", error ? error->message : "?");
  return firmware;
}

/* Image sizes for the MT6572 firmware: all different, so a step that picks
 * the wrong image shows. */
#define MT6572_PRELOADER_BYTES 0x1100
#define MT6572_MBR_BYTES       0x200
#define MT6572_EBR1_BYTES      0x400
#define MT6572_LK_BYTES        0x2300
#define MT6572_BOOT_BYTES      0x4400
#define MT6572_RECOVERY_BYTES  0x4500
#define MT6572_SECRO_BYTES     0x800
#define MT6572_LOGO_BYTES      0x1800
#define MT6572_CACHE_BYTES     0x3000
#define MT6572_USERDATA_BYTES  0x3100

/* Every image above, system.img as it is written (expanded). */
#define MT6572_IMAGE_BYTES     (MT6572_PRELOADER_BYTES + MT6572_MBR_BYTES + MT6572_EBR1_BYTES + \
                                MT6572_LK_BYTES + MT6572_BOOT_BYTES + MT6572_RECOVERY_BYTES + \
                                MT6572_SECRO_BYTES + MT6572_LOGO_BYTES + SPARSE_DATA_SIZE + \
                                MT6572_CACHE_BYTES + MT6572_USERDATA_BYTES)

/* PRO_INFO, NVRAM, PROTECT_F and PROTECT_S, as the scatter sizes them. */
#define MT6572_CALIBRATION_BYTES (0x300000 + 0x500000 + 0xa00000 + 0xa00000)

/* The MT6572 scatter's partitions as an ExpectedStep has them: name,
 * address, length. */
#define MT6572_PRELOADER "PRELOADER", 0x0, 0xc00000
#define MT6572_MBR       "MBR", 0xc00000, 0x80000
#define MT6572_EBR1      "EBR1", 0xc80000, 0x80000
#define MT6572_PRO_INFO  "PRO_INFO", 0xd00000, 0x300000
#define MT6572_NVRAM     "NVRAM", 0x1000000, 0x500000
#define MT6572_PROTECT_F "PROTECT_F", 0x1500000, 0xa00000
#define MT6572_PROTECT_S "PROTECT_S", 0x1f00000, 0xa00000
#define MT6572_SECCFG    "SECCFG", 0x2900000, 0x20000
#define MT6572_UBOOT     "UBOOT", 0x2920000, 0x60000
#define MT6572_BOOTIMG   "BOOTIMG", 0x2980000, 0x800000
#define MT6572_RECOVERY  "RECOVERY", 0x3180000, 0x800000
#define MT6572_SEC_RO    "SEC_RO", 0x3980000, 0x60000
#define MT6572_MISC      "MISC", 0x39e0000, 0x80000
#define MT6572_LOGO      "LOGO", 0x3a60000, 0x400000
#define MT6572_EXPDB     "EXPDB", 0x3e60000, 0xa00000
#define MT6572_ANDROID   "ANDROID", 0x4860000, 0x30000000
#define MT6572_CACHE     "CACHE", 0x34860000, 0x10000000
#define MT6572_USRDATA   "USRDATA", 0x44860000, 0x48000000
#define MT6572_FAT       "FAT", 0x8c860000, 0

/* Backup or restore steps for the calibration partitions. */
#define MT6572_CALIBRATION_STEPS(kind) \
  { kind, MT6572_PRO_INFO, 0x300000 }, \
  { kind, MT6572_NVRAM, 0x500000 }, \
  { kind, MT6572_PROTECT_F, 0xa00000 }, \
  { kind, MT6572_PROTECT_S, 0xa00000 }

/* Every image written, in scatter order. */
#define MT6572_DOWNLOAD_STEPS \
  { SF_STEP_DOWNLOAD, MT6572_PRELOADER, MT6572_PRELOADER_BYTES }, \
  { SF_STEP_DOWNLOAD, MT6572_MBR, MT6572_MBR_BYTES }, \
  { SF_STEP_DOWNLOAD, MT6572_EBR1, MT6572_EBR1_BYTES }, \
  { SF_STEP_DOWNLOAD, MT6572_UBOOT, MT6572_LK_BYTES }, \
  { SF_STEP_DOWNLOAD, MT6572_BOOTIMG, MT6572_BOOT_BYTES }, \
  { SF_STEP_DOWNLOAD, MT6572_RECOVERY, MT6572_RECOVERY_BYTES }, \
  { SF_STEP_DOWNLOAD, MT6572_SEC_RO, MT6572_SECRO_BYTES }, \
  { SF_STEP_DOWNLOAD, MT6572_LOGO, MT6572_LOGO_BYTES }, \
  { SF_STEP_DOWNLOAD, MT6572_ANDROID, SPARSE_DATA_SIZE }, \
  { SF_STEP_DOWNLOAD, MT6572_CACHE, MT6572_CACHE_BYTES }, \
  { SF_STEP_DOWNLOAD, MT6572_USRDATA, MT6572_USERDATA_BYTES }

/* mt6572-v1.1.1-emmc.txt: 20 partitions, 11 with an image;
 * system.img is the sparse one. Without @with_userdata, userdata.img is
 * not there at all. */
static void
make_mt6572_firmware (gboolean with_images,
                      gboolean with_userdata)
{
  copy_fixture ("mt6572-v1.1.1-emmc.txt", "MT6572_Android_scatter.txt");
  if (!with_images)
    return;

  write_image ("preloader_hx72_a40_emmc.bin", MT6572_PRELOADER_BYTES);
  write_image ("MBR", MT6572_MBR_BYTES);
  write_image ("EBR1", MT6572_EBR1_BYTES);
  write_image ("lk.bin", MT6572_LK_BYTES);
  write_image ("boot.img", MT6572_BOOT_BYTES);
  write_image ("recovery.img", MT6572_RECOVERY_BYTES);
  write_image ("secro.img", MT6572_SECRO_BYTES);
  write_image ("logo.bin", MT6572_LOGO_BYTES);
  write_sparse_image ("system.img");
  write_image ("cache.img", MT6572_CACHE_BYTES);
  if (with_userdata)
    write_image ("userdata.img", MT6572_USERDATA_BYTES);
}

typedef enum {
  HAND_PLAIN = 0,
  HAND_NVRAM_IMAGE = 1 << 0,   /* a backup-style BINREGION nvram with nvram.bin */
  HAND_NVDATA = 1 << 1,        /* an INVISIBLE nvdata without image */
  HAND_TAIL = 1 << 2,          /* an INVISIBLE "tail", counted from the end */
} HandFlags;

static void
append_entry (GString    *s,
              guint       index,
              const char *name,
              const char *file,
              guint64     start,
              guint64     size,
              const char *region,
              const char *op)
{
  g_string_append_printf (s,
                          "- partition_index: SYS%u\n"
                          "  partition_name: %s\n"
                          "  file_name: %s\n"
                          "  is_download: %s\n"
                          "  type: %s\n"
                          "  linear_start_addr: 0x%" G_GINT64_MODIFIER "x\n"
                          "  physical_start_addr: 0x%" G_GINT64_MODIFIER "x\n"
                          "  partition_size: 0x%" G_GINT64_MODIFIER "x\n"
                          "  region: %s\n"
                          "  storage: HW_STORAGE_EMMC\n"
                          "  boundary_check: true\n"
                          "  is_reserved: false\n"
                          "  operation_type: %s\n"
                          "  reserve: 0x00\n"
                          "\n",
                          index, name, file != NULL ? file : "NONE",
                          file != NULL ? "true" : "false",
                          strcmp (op, "BOOTLOADERS") == 0 ? "SV5_BL_BIN" : "NORMAL_ROM",
                          start, start, size, region, op);
}

/* A small V1.1.2 scatter written here: two bootloaders (preloader in boot1,
 * loader_ext1 in the user area), lk and boot, an end-relative sgpt, and no
 * NVRAM unless @flags asks for one. User-area partitions follow each other.
 * Every partition that names a file gets one. */
static void
make_hand_firmware (HandFlags flags)
{
  g_autoptr(GString) s = g_string_new (NULL);
  g_autofree char *path = g_build_filename (tmpdir, "MT6580_Android_scatter.txt", NULL);
  guint64 addr = 0;
  guint index = 0;

  g_string_append (s,
                   "############################################################################################################\n"
                   "#\n"
                   "#  General Setting\n"
                   "#\n"
                   "############################################################################################################\n"
                   "- general: MTK_PLATFORM_CFG\n"
                   "  info:\n"
                   "    - config_version: V1.1.2\n"
                   "      platform: MT6580\n"
                   "      project: handmade\n"
                   "      storage: EMMC\n"
                   "      boot_channel: MSDC_0\n"
                   "      block_size: 0x20000\n"
                   "############################################################################################################\n"
                   "#\n"
                   "#  Layout Setting\n"
                   "#\n"
                   "############################################################################################################\n");

  append_entry (s, index++, "preloader", "preloader_hand.bin", 0, 0x40000, "EMMC_BOOT_1", "BOOTLOADERS");
  append_entry (s, index++, "loader_ext1", "loader_ext1.bin", addr, 0x80000, "EMMC_USER", "BOOTLOADERS");
  addr += 0x80000;
  if (flags & HAND_NVRAM_IMAGE) {
    append_entry (s, index++, "nvram", "nvram.bin", addr, 0x100000, "EMMC_USER", "BINREGION");
    addr += 0x100000;
  }
  if (flags & HAND_NVDATA) {
    append_entry (s, index++, "nvdata", NULL, addr, 0x100000, "EMMC_USER", "INVISIBLE");
    addr += 0x100000;
  }
  append_entry (s, index++, "lk", "lk.bin", addr, 0x80000, "EMMC_USER", "UPDATE");
  addr += 0x80000;
  append_entry (s, index++, "boot", "boot.img", addr, 0x400000, "EMMC_USER", "UPDATE");
  if (flags & HAND_TAIL)
    append_entry (s, index++, "tail", NULL, G_GUINT64_CONSTANT (0xFFFF0200), 0x40000, "EMMC_USER", "INVISIBLE");
  append_entry (s, index++, "sgpt", NULL, G_GUINT64_CONSTANT (0xFFFF0004), 0x80000, "EMMC_USER", "RESERVED");

  sf_test_write_file (path, s->str, s->len);

  write_image ("preloader_hand.bin", 0x900);
  write_image ("loader_ext1.bin", 0xA00);
  write_image ("lk.bin", 0xB00);
  write_image ("boot.img", 0xC00);
  if (flags & HAND_NVRAM_IMAGE)
    write_image ("nvram.bin", 0xD00);
}

/* The hand-written scatter's partitions as an ExpectedStep has them, where
 * make_hand_firmware() puts them when nvram or nvdata is there. */
#define HANDMADE_PRELOADER   "preloader", 0x0, 0x40000
#define HANDMADE_LOADER_EXT1 "loader_ext1", 0x0, 0x80000
#define HANDMADE_NVRAM       "nvram", 0x80000, 0x100000
#define HANDMADE_NVDATA      "nvdata", 0x80000, 0x100000
#define HANDMADE_LK          "lk", 0x180000, 0x80000
#define HANDMADE_BOOT        "boot", 0x200000, 0x400000

/* ---- checking plans ------------------------------------------------------ */

typedef struct {
  SfStepKind  kind;
  const char *name;        /* NULL for the whole-storage format */
  guint64     address;
  guint64     length;
  guint64     transfer;
} ExpectedStep;

static char *
describe_plan (SfPlan *plan)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < sf_plan_get_n_steps (plan); i++) {
    const SfPlanStep *step = sf_plan_get_step (plan, i);

    g_string_append_printf (s, "\n  %u %s %s", i, sf_step_kind_to_string (step->kind),
                            step->partition != NULL ? step->partition->name : "-");
  }
  return g_string_free (s, FALSE);
}

static void
assert_steps (SfPlan             *plan,
              const ExpectedStep *expected,
              guint               n_expected)
{
  g_autofree char *desc = describe_plan (plan);
  guint64 total = 0;

  ck_assert_msg (sf_plan_get_n_steps (plan) == n_expected,
                 "%u steps, expected %u:%s", sf_plan_get_n_steps (plan), n_expected, desc);

  for (guint i = 0; i < n_expected; i++) {
    const SfPlanStep *step = sf_plan_get_step (plan, i);
    const ExpectedStep *want = &expected[i];

    ck_assert_msg (step->kind == want->kind, "step %u is %s, expected %s:%s", i,
                   sf_step_kind_to_string (step->kind), sf_step_kind_to_string (want->kind), desc);
    if (want->name == NULL) {
      ck_assert_ptr_null (step->partition);
      ck_assert_ptr_null (step->region);
    } else {
      ck_assert_msg (step->partition != NULL, "step %u has no partition", i);
      ck_assert_msg (strcmp (step->partition->name, want->name) == 0,
                     "step %u is on %s, expected %s:%s", i, step->partition->name, want->name, desc);
      ck_assert_ptr_eq (step->region, step->partition->region);
    }
    ck_assert_msg (step->address == want->address, "step %u (%s) address 0x%" G_GINT64_MODIFIER "x, expected 0x%" G_GINT64_MODIFIER "x",
                   i, want->name, step->address, want->address);
    ck_assert_msg (step->length == want->length, "step %u (%s) length 0x%" G_GINT64_MODIFIER "x, expected 0x%" G_GINT64_MODIFIER "x",
                   i, want->name, step->length, want->length);
    ck_assert_msg (step->transfer_bytes == want->transfer,
                   "step %u (%s) transfers 0x%" G_GINT64_MODIFIER "x, expected 0x%" G_GINT64_MODIFIER "x",
                   i, want->name, step->transfer_bytes, want->transfer);
    if (step->kind == SF_STEP_DOWNLOAD) {
      ck_assert_msg (step->image != NULL, "download step %u has no image", i);
      ck_assert_uint_eq (step->image->data_size, step->transfer_bytes);
    } else {
      ck_assert_msg (step->image == NULL, "%s step %u has an image", sf_step_kind_to_string (step->kind), i);
    }
    total += want->transfer;
  }

  ck_assert_uint_eq (sf_plan_get_total_bytes (plan), total);
}

static const SfPlanStep *
find_step (SfPlan     *plan,
           SfStepKind  kind,
           const char *name)
{
  for (guint i = 0; i < sf_plan_get_n_steps (plan); i++) {
    const SfPlanStep *step = sf_plan_get_step (plan, i);

    if (step->kind == kind && step->partition != NULL && strcmp (step->partition->name, name) == 0)
      return step;
  }
  return NULL;
}

/* The partition of the plan's firmware's first layout called @name. */
static SfPartition *
scatter_partition (SfFirmware *firmware,
                   const char *name)
{
  SfScatter *scatter = sf_firmware_get_scatter (firmware);
  SfPartition *part = sf_layout_find_partition (sf_scatter_get_layout (scatter, 0), name);

  ck_assert_msg (part != NULL, "the scatter has no %s", name);
  return part;
}

/* Errors about one partition say `FILE:LINE: ` first. */
static void
assert_error_at (const GError *error,
                 SfFirmware   *firmware,
                 const char   *name)
{
  SfScatter *scatter = sf_firmware_get_scatter (firmware);
  SfPartition *part = scatter_partition (firmware, name);
  g_autofree char *prefix = g_strdup_printf ("%s:%u: ", sf_scatter_get_display_name (scatter), part->line);

  ck_assert_uint_gt (part->line, 0);
  ck_assert_msg (g_str_has_prefix (error->message, prefix),
                 "“%s” does not start with “%s”", error->message, prefix);
  ck_assert_msg (strstr (error->message, name) != NULL, "“%s” does not name %s", error->message, name);
}

static gboolean
warnings_mention (SfPlan     *plan,
                  const char *name,
                  const char *text)
{
  GPtrArray *warnings = sf_plan_get_warnings (plan);

  for (guint i = 0; i < warnings->len; i++) {
    const SfIssue *issue = g_ptr_array_index (warnings, i);

    ck_assert_int_eq (issue->severity, SF_SEVERITY_WARNING);
    if (strstr (issue->message, name) != NULL && strstr (issue->message, text) != NULL)
      return TRUE;
  }
  return FALSE;
}

#define N_STEPS(a) G_N_ELEMENTS (a)

/* A plan that must be made. */
static SfPlan *
expect_plan (SfFirmware         *firmware,
             const char         *storage,
             SfScene             scene,
             const char * const *names)
{
  g_autoptr(GError) error = NULL;
  SfPlan *plan = sf_plan_new (firmware, storage, scene, names, &error);

  ck_assert_msg (plan != NULL, "%s", error ? error->message : "?");
  return plan;
}

/* A plan that must be made with exactly the @expected steps. */
static SfPlan *
expect_steps (SfFirmware         *firmware,
              const char         *storage,
              SfScene             scene,
              const char * const *names,
              const ExpectedStep *expected,
              guint               n_expected)
{
  SfPlan *plan = expect_plan (firmware, storage, scene, names);

  assert_steps (plan, expected, n_expected);
  return plan;
}

/* A plan that must be refused with @code; when @at names a partition, the
 * message is about that one and starts at its line. Returns the error for
 * further checks. */
static GError *
expect_plan_error (SfFirmware         *firmware,
                   const char         *storage,
                   SfScene             scene,
                   const char * const *names,
                   SfError             code,
                   const char         *at)
{
  GError *error = NULL;
  g_autoptr(SfPlan) plan = sf_plan_new (firmware, storage, scene, names, &error);

  ck_assert_ptr_null (plan);
  ck_assert_msg (g_error_matches (error, SF_ERROR, code), "%s", error ? error->message : "no error");
  if (at != NULL)
    assert_error_at (error, firmware, at);
  return error;
}

static void
assert_error_mentions (const GError *error,
                       const char   *text)
{
  ck_assert_msg (strstr (error->message, text) != NULL, "“%s” does not mention “%s”", error->message, text);
}

/* ---- MT6572 (V1.1.1) ----------------------------------------------------- */

START_TEST (test_download_only_default)
{
  g_autoptr(SfFirmware) firmware = NULL;
  g_autoptr(SfPlan) plan = NULL;
  const SfPlanStep *step;
  static const ExpectedStep expected[] = {
    MT6572_DOWNLOAD_STEPS,
  };

  make_mt6572_firmware (TRUE, TRUE);
  firmware = open_firmware ();
  plan = expect_steps (firmware, NULL, SF_SCENE_DOWNLOAD_ONLY, NULL, expected, N_STEPS (expected));

  ck_assert_uint_eq (sf_plan_get_total_bytes (plan), MT6572_IMAGE_BYTES);
  ck_assert_int_eq (sf_plan_get_scene (plan), SF_SCENE_DOWNLOAD_ONLY);
  ck_assert_ptr_eq (sf_plan_get_firmware (plan), firmware);
  ck_assert_ptr_eq (sf_plan_get_layout (plan), sf_scatter_get_layout (sf_firmware_get_scatter (firmware), 0));
  ck_assert_uint_eq (sf_plan_get_warnings (plan)->len, 0);

  /* The preloader goes to boot1, the rest to the user area. */
  ck_assert_str_eq (sf_plan_get_step (plan, 0)->region, "EMMC_BOOT_1");
  ck_assert_str_eq (sf_plan_get_step (plan, 1)->region, "EMMC_USER");

  /* The sparse image crosses the link expanded, not as the file is. */
  step = find_step (plan, SF_STEP_DOWNLOAD, "ANDROID");
  ck_assert_ptr_nonnull (step);
  ck_assert_int_eq (step->image->kind, SF_IMAGE_KIND_SPARSE);
  ck_assert_uint_eq (step->image->file_size, SPARSE_FILE_SIZE);
  ck_assert_uint_eq (step->transfer_bytes, SPARSE_DATA_SIZE);
  ck_assert_uint_ne (step->transfer_bytes, step->image->file_size);

  /* Steps hold their own references. */
  ck_assert_ptr_eq (step->image, sf_firmware_get_image (firmware, step->partition));
}
END_TEST

START_TEST (test_download_only_default_refuses_bad_images)
{
  g_autoptr(SfFirmware) firmware = NULL;
  g_autoptr(SfPlan) plan = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *recovery = g_build_filename (tmpdir, "recovery.img", NULL);
  const char *names[] = { "PRELOADER", "MBR", "EBR1", "UBOOT", "BOOTIMG", "SEC_RO", "LOGO",
                          "ANDROID", "USRDATA", NULL };

  make_mt6572_firmware (TRUE, TRUE);
  /* An empty cache.img and no recovery.img at all. */
  write_image ("cache.img", 0);
  ck_assert_int_eq (g_remove (recovery), 0);
  firmware = open_firmware ();

  /* The default set is every image the scatter names: a missing one is an
   * error at its line (scatter order: RECOVERY before CACHE), never a silent
   * skip that would leave the phone without it. */
  error = expect_plan_error (firmware, NULL, SF_SCENE_DOWNLOAD_ONLY, NULL, SF_ERROR_IMAGE_MISSING, "RECOVERY");
  assert_error_mentions (error, "recovery.img");
  g_clear_error (&error);

  /* Once RECOVERY is back, the empty cache.img is the error. */
  write_image ("recovery.img", MT6572_RECOVERY_BYTES);
  g_clear_object (&firmware);
  firmware = open_firmware ();
  error = expect_plan_error (firmware, NULL, SF_SCENE_DOWNLOAD_ONLY, NULL, SF_ERROR_IMAGE_EMPTY, "CACHE");

  /* Leaving them out by name works. */
  plan = expect_plan (firmware, NULL, SF_SCENE_DOWNLOAD_ONLY, names);
  ck_assert_uint_eq (sf_plan_get_n_steps (plan), 9);
  ck_assert_ptr_null (find_step (plan, SF_STEP_DOWNLOAD, "CACHE"));
  ck_assert_ptr_null (find_step (plan, SF_STEP_DOWNLOAD, "RECOVERY"));
  ck_assert_ptr_nonnull (find_step (plan, SF_STEP_DOWNLOAD, "USRDATA"));
  ck_assert_ptr_nonnull (find_step (plan, SF_STEP_DOWNLOAD, "LOGO"));
}
END_TEST

START_TEST (test_download_only_explicit)
{
  g_autoptr(SfFirmware) firmware = NULL;
  g_autoptr(SfPlan) plan = NULL;
  /* Any case, any order, one name twice: scatter order, once each. */
  const char *names[] = { "android", "BootImg", "mbr", "MBR", NULL };
  static const ExpectedStep expected[] = {
    { SF_STEP_DOWNLOAD, MT6572_MBR, MT6572_MBR_BYTES },
    { SF_STEP_DOWNLOAD, MT6572_BOOTIMG, MT6572_BOOT_BYTES },
    { SF_STEP_DOWNLOAD, MT6572_ANDROID, SPARSE_DATA_SIZE },
  };

  make_mt6572_firmware (TRUE, FALSE);
  firmware = open_firmware ();
  plan = expect_steps (firmware, NULL, SF_SCENE_DOWNLOAD_ONLY, names, expected, N_STEPS (expected));

  ck_assert_uint_eq (sf_plan_get_total_bytes (plan),
                     MT6572_MBR_BYTES + MT6572_BOOT_BYTES + SPARSE_DATA_SIZE);
  ck_assert_uint_eq (sf_plan_get_warnings (plan)->len, 0);
}
END_TEST

START_TEST (test_download_only_unknown_name)
{
  g_autoptr(SfFirmware) firmware = NULL;
  g_autoptr(GError) error = NULL;
  const char *names[] = { "BOOTIMG", "sytsem", NULL };

  make_mt6572_firmware (TRUE, FALSE);
  firmware = open_firmware ();
  error = expect_plan_error (firmware, NULL, SF_SCENE_DOWNLOAD_ONLY, names, SF_ERROR_UNKNOWN_PARTITION, NULL);
  assert_error_mentions (error, "sytsem");
  /* It lists some names that would do. */
  assert_error_mentions (error, "PRELOADER");
  assert_error_mentions (error, "MBR");
}
END_TEST

START_TEST (test_download_only_nothing_selected)
{
  g_autoptr(SfFirmware) firmware = NULL;
  g_autoptr(GError) error = NULL;
  const char *no_names[] = { NULL };

  /* No image at all: the first one the scatter names is reported. */
  make_mt6572_firmware (FALSE, FALSE);
  firmware = open_firmware ();
  error = expect_plan_error (firmware, NULL, SF_SCENE_DOWNLOAD_ONLY, NULL, SF_ERROR_IMAGE_MISSING, "PRELOADER");
  g_clear_error (&error);

  /* An empty list of names is nothing ticked, not "the default". */
  error = expect_plan_error (firmware, NULL, SF_SCENE_DOWNLOAD_ONLY, no_names, SF_ERROR_NOTHING_SELECTED, NULL);
  assert_error_mentions (error, "select at least one partition");
}
END_TEST

START_TEST (test_download_only_refusals)
{
  g_autoptr(SfFirmware) firmware = NULL;
  g_autoptr(GError) error = NULL;
  const char *reserved[] = { "BMTPOOL", NULL };
  const char *no_file[] = { "NVRAM", NULL };
  const char *missing[] = { "USRDATA", NULL };

  make_mt6572_firmware (TRUE, FALSE);
  firmware = open_firmware ();

  error = expect_plan_error (firmware, NULL, SF_SCENE_DOWNLOAD_ONLY, reserved, SF_ERROR_NOT_DOWNLOADABLE, "BMTPOOL");
  assert_error_mentions (error, "RESERVED");
  g_clear_error (&error);

  /* NVRAM names no file. */
  error = expect_plan_error (firmware, NULL, SF_SCENE_DOWNLOAD_ONLY, no_file, SF_ERROR_NOT_DOWNLOADABLE, "NVRAM");
  g_clear_error (&error);

  /* USRDATA names userdata.img, which is not there: the firmware's own error. */
  error = expect_plan_error (firmware, NULL, SF_SCENE_DOWNLOAD_ONLY, missing, SF_ERROR_IMAGE_MISSING, NULL);
  assert_error_mentions (error, "userdata.img");
}
END_TEST

START_TEST (test_firmware_upgrade)
{
  g_autoptr(SfFirmware) firmware = NULL;
  g_autoptr(SfPlan) plan = NULL;
  static const ExpectedStep expected[] = {
    /* The calibration goes to the host first. */
    MT6572_CALIBRATION_STEPS (SF_STEP_BACKUP),
    /* Bootloaders: written, not formatted. */
    { SF_STEP_DOWNLOAD, MT6572_PRELOADER, MT6572_PRELOADER_BYTES },
    { SF_STEP_FORMAT, MT6572_MBR, 0 },
    { SF_STEP_DOWNLOAD, MT6572_MBR, MT6572_MBR_BYTES },
    { SF_STEP_FORMAT, MT6572_EBR1, 0 },
    { SF_STEP_DOWNLOAD, MT6572_EBR1, MT6572_EBR1_BYTES },
    /* INVISIBLE: formatted only. */
    { SF_STEP_FORMAT, MT6572_SECCFG, 0 },
    { SF_STEP_FORMAT, MT6572_UBOOT, 0 },
    { SF_STEP_DOWNLOAD, MT6572_UBOOT, MT6572_LK_BYTES },
    { SF_STEP_FORMAT, MT6572_BOOTIMG, 0 },
    { SF_STEP_DOWNLOAD, MT6572_BOOTIMG, MT6572_BOOT_BYTES },
    { SF_STEP_FORMAT, MT6572_RECOVERY, 0 },
    { SF_STEP_DOWNLOAD, MT6572_RECOVERY, MT6572_RECOVERY_BYTES },
    { SF_STEP_FORMAT, MT6572_SEC_RO, 0 },
    { SF_STEP_DOWNLOAD, MT6572_SEC_RO, MT6572_SECRO_BYTES },
    { SF_STEP_FORMAT, MT6572_MISC, 0 },
    { SF_STEP_FORMAT, MT6572_LOGO, 0 },
    { SF_STEP_DOWNLOAD, MT6572_LOGO, MT6572_LOGO_BYTES },
    { SF_STEP_FORMAT, MT6572_EXPDB, 0 },
    { SF_STEP_FORMAT, MT6572_ANDROID, 0 },
    { SF_STEP_DOWNLOAD, MT6572_ANDROID, SPARSE_DATA_SIZE },
    { SF_STEP_FORMAT, MT6572_CACHE, 0 },
    { SF_STEP_DOWNLOAD, MT6572_CACHE, MT6572_CACHE_BYTES },
    { SF_STEP_FORMAT, MT6572_USRDATA, 0 },
    { SF_STEP_DOWNLOAD, MT6572_USRDATA, MT6572_USERDATA_BYTES },
    /* Size 0 runs to the end: only the device knows how long it is. */
    { SF_STEP_FORMAT, MT6572_FAT, 0 },
    /* BMTPOOL is RESERVED: nothing. */
  };

  make_mt6572_firmware (TRUE, TRUE);
  firmware = open_firmware ();
  plan = expect_steps (firmware, NULL, SF_SCENE_FIRMWARE_UPGRADE, NULL, expected, N_STEPS (expected));

  ck_assert_uint_eq (sf_plan_get_total_bytes (plan), MT6572_CALIBRATION_BYTES + MT6572_IMAGE_BYTES);
  ck_assert_int_eq (sf_plan_get_scene (plan), SF_SCENE_FIRMWARE_UPGRADE);
}
END_TEST

START_TEST (test_firmware_upgrade_missing_image)
{
  g_autoptr(SfFirmware) firmware = NULL;
  g_autoptr(GError) error = NULL;

  make_mt6572_firmware (TRUE, FALSE);
  firmware = open_firmware ();
  error = expect_plan_error (firmware, NULL, SF_SCENE_FIRMWARE_UPGRADE, NULL, SF_ERROR_IMAGE_MISSING, "USRDATA");
  assert_error_mentions (error, "download-only");
  g_clear_error (&error);

  /* Format All + Download checks the same. */
  error = expect_plan_error (firmware, NULL, SF_SCENE_FORMAT_ALL_DOWNLOAD, NULL, SF_ERROR_IMAGE_MISSING, "USRDATA");
}
END_TEST

START_TEST (test_fixed_scenes_refuse_names)
{
  g_autoptr(SfFirmware) firmware = NULL;
  g_autoptr(GError) error = NULL;
  const char *names[] = { "BOOTIMG", NULL };

  make_mt6572_firmware (TRUE, TRUE);
  firmware = open_firmware ();

  error = expect_plan_error (firmware, NULL, SF_SCENE_FIRMWARE_UPGRADE, names, SF_ERROR_FAILED, NULL);
  assert_error_mentions (error, "Firmware Upgrade scene writes every image");
  assert_error_mentions (error, "download-only");
  g_clear_error (&error);

  error = expect_plan_error (firmware, NULL, SF_SCENE_FORMAT_ALL_DOWNLOAD, names, SF_ERROR_FAILED, NULL);
  assert_error_mentions (error, "Format All + Download scene writes every image");
}
END_TEST

START_TEST (test_format_all_download)
{
  g_autoptr(SfFirmware) firmware = NULL;
  g_autoptr(SfPlan) plan = NULL;
  static const ExpectedStep expected[] = {
    MT6572_CALIBRATION_STEPS (SF_STEP_BACKUP),
    { SF_STEP_FORMAT_ALL, NULL, 0, 0, 0 },
    MT6572_DOWNLOAD_STEPS,
    /* SP Flash Tool loses the IMEI here; we write the backups back. */
    MT6572_CALIBRATION_STEPS (SF_STEP_RESTORE),
  };

  make_mt6572_firmware (TRUE, TRUE);
  firmware = open_firmware ();
  plan = expect_steps (firmware, NULL, SF_SCENE_FORMAT_ALL_DOWNLOAD, NULL, expected, N_STEPS (expected));

  ck_assert_uint_eq (sf_plan_get_total_bytes (plan), 2 * MT6572_CALIBRATION_BYTES + MT6572_IMAGE_BYTES);
  ck_assert_uint_eq (sf_plan_get_warnings (plan)->len, 0);
}
END_TEST

START_TEST (test_format_default)
{
  g_autoptr(SfFirmware) firmware = NULL;
  g_autoptr(SfPlan) plan = NULL;
  /* Not PRELOADER (bootloader), not PRO_INFO/NVRAM/PROTECT_F/PROTECT_S
   * (calibration), not BMTPOOL (reserved, end-relative). */
  static const ExpectedStep expected[] = {
    { SF_STEP_FORMAT, MT6572_MBR, 0 },
    { SF_STEP_FORMAT, MT6572_EBR1, 0 },
    { SF_STEP_FORMAT, MT6572_SECCFG, 0 },
    { SF_STEP_FORMAT, MT6572_UBOOT, 0 },
    { SF_STEP_FORMAT, MT6572_BOOTIMG, 0 },
    { SF_STEP_FORMAT, MT6572_RECOVERY, 0 },
    { SF_STEP_FORMAT, MT6572_SEC_RO, 0 },
    { SF_STEP_FORMAT, MT6572_MISC, 0 },
    { SF_STEP_FORMAT, MT6572_LOGO, 0 },
    { SF_STEP_FORMAT, MT6572_EXPDB, 0 },
    { SF_STEP_FORMAT, MT6572_ANDROID, 0 },
    { SF_STEP_FORMAT, MT6572_CACHE, 0 },
    { SF_STEP_FORMAT, MT6572_USRDATA, 0 },
    { SF_STEP_FORMAT, MT6572_FAT, 0 },
  };

  /* Formatting needs no image. */
  make_mt6572_firmware (FALSE, FALSE);
  firmware = open_firmware ();
  plan = expect_steps (firmware, NULL, SF_SCENE_FORMAT, NULL, expected, N_STEPS (expected));

  ck_assert_uint_eq (sf_plan_get_total_bytes (plan), 0);
}
END_TEST

START_TEST (test_format_named)
{
  g_autoptr(SfFirmware) firmware = NULL;
  g_autoptr(SfPlan) plan = NULL;
  g_autoptr(GError) error = NULL;
  const char *names[] = { "cache", "nvram", NULL };
  const char *reserved[] = { "cache", "bmtpool", NULL };
  static const ExpectedStep expected[] = {
    { SF_STEP_BACKUP, MT6572_NVRAM, 0x500000 },
    { SF_STEP_FORMAT, MT6572_NVRAM, 0 },
    { SF_STEP_FORMAT, MT6572_CACHE, 0 },
  };

  make_mt6572_firmware (FALSE, FALSE);
  firmware = open_firmware ();
  plan = expect_steps (firmware, NULL, SF_SCENE_FORMAT, names, expected, N_STEPS (expected));

  ck_assert_uint_eq (sf_plan_get_total_bytes (plan), 0x500000);
  ck_assert_uint_eq (sf_plan_get_warnings (plan)->len, 1);
  ck_assert (warnings_mention (plan, "NVRAM", "calibration"));

  error = expect_plan_error (firmware, NULL, SF_SCENE_FORMAT, reserved, SF_ERROR_UNSUPPORTED, "BMTPOOL");
}
END_TEST

START_TEST (test_readback)
{
  g_autoptr(SfFirmware) firmware = NULL;
  g_autoptr(SfPlan) plan = NULL;
  g_autoptr(GError) error = NULL;
  const char *names[] = { "bmtpool", "FAT", "bootimg", NULL };
  static const ExpectedStep expected[] = {
    { SF_STEP_READBACK, MT6572_BOOTIMG, 0x800000 },
    /* Size 0 and an end-relative start: the device tells the length. */
    { SF_STEP_READBACK, MT6572_FAT, 0 },
    { SF_STEP_READBACK, "BMTPOOL", G_GUINT64_CONSTANT (0xFFFF0080), 0, 0 },
  };

  make_mt6572_firmware (FALSE, FALSE);
  firmware = open_firmware ();

  error = expect_plan_error (firmware, NULL, SF_SCENE_READBACK, NULL, SF_ERROR_NOTHING_SELECTED, NULL);

  plan = expect_steps (firmware, NULL, SF_SCENE_READBACK, names, expected, N_STEPS (expected));
  ck_assert_uint_eq (sf_plan_get_total_bytes (plan), 0x800000);
}
END_TEST

/* ---- MT6580 (V1.1.2): partitions over 4 GiB -------------------------------- */

START_TEST (test_mt6580_large_partitions)
{
  g_autoptr(SfFirmware) firmware = NULL;
  g_autoptr(SfPlan) plan = NULL;
  const char *names[] = { "userdata", "proinfo", NULL };
  const char *present[] = { "preloader", "userdata", NULL };
  static const ExpectedStep readback[] = {
    { SF_STEP_READBACK, "proinfo", 0x80000, 0x300000, 0x300000 },
    { SF_STEP_READBACK, "userdata", 0xA4100000, G_GUINT64_CONSTANT (0x118000000), G_GUINT64_CONSTANT (0x118000000) },
  };
  static const ExpectedStep download[] = {
    { SF_STEP_DOWNLOAD, "preloader", 0x0, 0x40000, 0x700 },
    { SF_STEP_DOWNLOAD, "userdata", 0xA4100000, G_GUINT64_CONSTANT (0x118000000), 0x900 },
  };

  copy_fixture ("mt6580-v1.1.2-emmc-gpt.txt", "MT6580_Android_scatter.txt");
  write_image ("preloader_sf6580_a1.bin", 0x700);
  write_image ("userdata.img", 0x900);
  firmware = open_firmware ();

  plan = expect_steps (firmware, NULL, SF_SCENE_READBACK, names, readback, N_STEPS (readback));
  ck_assert_uint_eq (sf_plan_get_total_bytes (plan), G_GUINT64_CONSTANT (0x118300000));

  g_clear_object (&plan);
  plan = expect_steps (firmware, NULL, SF_SCENE_DOWNLOAD_ONLY, present, download, N_STEPS (download));
  ck_assert_str_eq (sf_plan_get_step (plan, 0)->region, "EMMC_BOOT_1");
}
END_TEST

/* ---- MT6785 (V2.1.0 combo): choosing the storage --------------------------- */

START_TEST (test_combo_storage)
{
  g_autoptr(SfFirmware) firmware = NULL;
  g_autoptr(SfPlan) plan = NULL;
  g_autoptr(GError) error = NULL;
  const char *present[] = { "preloader", "boot", "logo", NULL };
  static const ExpectedStep expected[] = {
    { SF_STEP_DOWNLOAD, "preloader", 0x0, 0x80000, 0x600 },
    { SF_STEP_DOWNLOAD, "boot", 0x1d988000, 0x4000000, 0x1400 },
    { SF_STEP_DOWNLOAD, "logo", 0x21988000, 0x1000000, 0x1500 },
  };
  /* The UFS layout's boot LUs give the preloader twice the room. */
  static const ExpectedStep expected_ufs[] = {
    { SF_STEP_DOWNLOAD, "preloader", 0x0, 0x100000, 0x600 },
    { SF_STEP_DOWNLOAD, "boot", 0x1d988000, 0x4000000, 0x1400 },
    { SF_STEP_DOWNLOAD, "logo", 0x21988000, 0x1000000, 0x1500 },
  };

  copy_fixture ("mt6785-v2.1.0-combo-crlf.txt", "MT6785_Android_scatter.txt");
  write_image ("preloader_sf6785.bin", 0x600);
  write_image ("boot.img", 0x1400);
  write_image ("logo.bin", 0x1500);
  firmware = open_firmware ();

  /* The first layout when none is asked for. */
  plan = expect_steps (firmware, NULL, SF_SCENE_DOWNLOAD_ONLY, present, expected, N_STEPS (expected));
  ck_assert_str_eq (sf_plan_get_layout (plan)->storage, "EMMC");
  ck_assert_str_eq (sf_plan_get_step (plan, 0)->region, "EMMC_BOOT1_BOOT2");
  ck_assert_str_eq (sf_plan_get_step (plan, 1)->region, "EMMC_USER");

  g_clear_object (&plan);
  plan = expect_steps (firmware, "UFS", SF_SCENE_DOWNLOAD_ONLY, present, expected_ufs, N_STEPS (expected_ufs));
  ck_assert_str_eq (sf_plan_get_layout (plan)->storage, "UFS");
  ck_assert_ptr_eq (sf_plan_get_layout (plan), sf_scatter_get_layout (sf_firmware_get_scatter (firmware), 1));
  ck_assert_str_eq (sf_plan_get_step (plan, 0)->region, "UFS_LU0_LU1");
  ck_assert_str_eq (sf_plan_get_step (plan, 1)->region, "UFS_LU2");

  /* Any case. */
  g_clear_object (&plan);
  plan = expect_plan (firmware, "ufs", SF_SCENE_READBACK, (const char *[]) { "sgpt", NULL });
  ck_assert_str_eq (sf_plan_get_layout (plan)->storage, "UFS");
  ck_assert_uint_eq (sf_plan_get_step (plan, 0)->address, 0xFFFF0000);

  error = expect_plan_error (firmware, "NAND", SF_SCENE_DOWNLOAD_ONLY, present, SF_ERROR_UNSUPPORTED, NULL);
  assert_error_mentions (error, "NAND");
  assert_error_mentions (error, "EMMC");
  assert_error_mentions (error, "UFS");
}
END_TEST

/* ---- a hand-written V1.1.2 scatter ---------------------------------------- */

START_TEST (test_no_nvram)
{
  g_autoptr(SfFirmware) firmware = NULL;
  g_autoptr(SfPlan) plan = NULL;
  g_autoptr(GError) error = NULL;

  make_hand_firmware (HAND_PLAIN);
  firmware = open_firmware ();
  error = expect_plan_error (firmware, NULL, SF_SCENE_FIRMWARE_UPGRADE, NULL, SF_ERROR_NO_NVRAM, NULL);
  assert_error_mentions (error, "NVRAM");

  /* Format All + Download does not need it. */
  plan = expect_plan (firmware, NULL, SF_SCENE_FORMAT_ALL_DOWNLOAD, NULL);
}
END_TEST

START_TEST (test_nvdata_counts_as_nvram)
{
  g_autoptr(SfFirmware) firmware = NULL;
  g_autoptr(SfPlan) plan = NULL;
  static const ExpectedStep expected[] = {
    { SF_STEP_DOWNLOAD, HANDMADE_PRELOADER, 0x900 },
    { SF_STEP_DOWNLOAD, HANDMADE_LOADER_EXT1, 0xA00 },
    { SF_STEP_FORMAT, HANDMADE_NVDATA, 0 },
    { SF_STEP_FORMAT, HANDMADE_LK, 0 },
    { SF_STEP_DOWNLOAD, HANDMADE_LK, 0xB00 },
    { SF_STEP_FORMAT, HANDMADE_BOOT, 0 },
    { SF_STEP_DOWNLOAD, HANDMADE_BOOT, 0xC00 },
  };

  make_hand_firmware (HAND_NVDATA);
  firmware = open_firmware ();
  plan = expect_steps (firmware, NULL, SF_SCENE_FIRMWARE_UPGRADE, NULL, expected, N_STEPS (expected));
}
END_TEST

START_TEST (test_bootloaders_together)
{
  g_autoptr(SfFirmware) firmware = NULL;
  g_autoptr(SfPlan) plan = NULL;
  g_autoptr(GError) error = NULL;
  const char *mixed[] = { "preloader", "boot", NULL };
  const char *both[] = { "loader_ext1", "preloader", "boot", NULL };
  g_autofree char *ext_path = NULL;

  make_hand_firmware (HAND_PLAIN);
  firmware = open_firmware ();

  error = expect_plan_error (firmware, NULL, SF_SCENE_DOWNLOAD_ONLY, mixed, SF_ERROR_BL_INCONSISTENT, "loader_ext1");
  assert_error_mentions (error, "preloader");

  plan = expect_plan (firmware, NULL, SF_SCENE_DOWNLOAD_ONLY, both);
  ck_assert_uint_eq (sf_plan_get_n_steps (plan), 3);
  ck_assert_str_eq (sf_plan_get_step (plan, 0)->partition->name, "preloader");
  ck_assert_str_eq (sf_plan_get_step (plan, 1)->partition->name, "loader_ext1");
  ck_assert_str_eq (sf_plan_get_step (plan, 2)->partition->name, "boot");
  g_clear_object (&plan);
  g_clear_object (&firmware);

  /* Only bootloaders with an image count. */
  ext_path = g_build_filename (tmpdir, "loader_ext1.bin", NULL);
  ck_assert_int_eq (g_remove (ext_path), 0);
  firmware = open_firmware ();
  plan = expect_plan (firmware, NULL, SF_SCENE_DOWNLOAD_ONLY, mixed);
  ck_assert_uint_eq (sf_plan_get_n_steps (plan), 2);
}
END_TEST

START_TEST (test_calibration_with_image)
{
  g_autoptr(SfFirmware) firmware = NULL;
  g_autoptr(SfPlan) plan = NULL;
  const char *names[] = { "NVRAM", NULL };
  static const ExpectedStep download_default[] = {
    { SF_STEP_DOWNLOAD, HANDMADE_PRELOADER, 0x900 },
    { SF_STEP_DOWNLOAD, HANDMADE_LOADER_EXT1, 0xA00 },
    { SF_STEP_DOWNLOAD, HANDMADE_LK, 0xB00 },
    { SF_STEP_DOWNLOAD, HANDMADE_BOOT, 0xC00 },
  };
  static const ExpectedStep download_named[] = {
    { SF_STEP_DOWNLOAD, HANDMADE_NVRAM, 0xD00 },
  };
  static const ExpectedStep format_all[] = {
    { SF_STEP_BACKUP, HANDMADE_NVRAM, 0x100000 },
    { SF_STEP_FORMAT_ALL, NULL, 0, 0, 0 },
    { SF_STEP_DOWNLOAD, HANDMADE_PRELOADER, 0x900 },
    { SF_STEP_DOWNLOAD, HANDMADE_LOADER_EXT1, 0xA00 },
    { SF_STEP_DOWNLOAD, HANDMADE_LK, 0xB00 },
    { SF_STEP_DOWNLOAD, HANDMADE_BOOT, 0xC00 },
    { SF_STEP_RESTORE, HANDMADE_NVRAM, 0x100000 },
  };
  static const ExpectedStep upgrade[] = {
    { SF_STEP_BACKUP, HANDMADE_NVRAM, 0x100000 },
    { SF_STEP_DOWNLOAD, HANDMADE_PRELOADER, 0x900 },
    { SF_STEP_DOWNLOAD, HANDMADE_LOADER_EXT1, 0xA00 },
    { SF_STEP_FORMAT, HANDMADE_LK, 0 },
    { SF_STEP_DOWNLOAD, HANDMADE_LK, 0xB00 },
    { SF_STEP_FORMAT, HANDMADE_BOOT, 0 },
    { SF_STEP_DOWNLOAD, HANDMADE_BOOT, 0xC00 },
  };

  /* A backup-style scatter: nvram is BINREGION, is_download, with nvram.bin. */
  make_hand_firmware (HAND_NVRAM_IMAGE);
  firmware = open_firmware ();

  /* Not written unless asked for by name. */
  plan = expect_steps (firmware, NULL, SF_SCENE_DOWNLOAD_ONLY, NULL, download_default, N_STEPS (download_default));
  ck_assert_uint_eq (sf_plan_get_warnings (plan)->len, 1);
  ck_assert (warnings_mention (plan, "nvram", "calibration"));

  g_clear_object (&plan);
  plan = expect_steps (firmware, NULL, SF_SCENE_DOWNLOAD_ONLY, names, download_named, N_STEPS (download_named));
  ck_assert_uint_eq (sf_plan_get_warnings (plan)->len, 1);
  ck_assert (warnings_mention (plan, "nvram", "overwrites the phone's own calibration/IMEI"));

  g_clear_object (&plan);
  plan = expect_steps (firmware, NULL, SF_SCENE_FORMAT_ALL_DOWNLOAD, NULL, format_all, N_STEPS (format_all));
  ck_assert_uint_eq (sf_plan_get_warnings (plan)->len, 1);
  ck_assert (warnings_mention (plan, "nvram", "calibration"));

  g_clear_object (&plan);
  plan = expect_steps (firmware, NULL, SF_SCENE_FIRMWARE_UPGRADE, NULL, upgrade, N_STEPS (upgrade));
}
END_TEST

/* A partition counted from the end of the storage is never written or erased
 * by default, whatever its operation_type. */
START_TEST (test_end_relative_left_alone)
{
  g_autoptr(SfFirmware) firmware = NULL;
  g_autoptr(SfPlan) plan = NULL;
  static const ExpectedStep format[] = {
    { SF_STEP_FORMAT, HANDMADE_NVDATA, 0 },
    { SF_STEP_FORMAT, HANDMADE_LK, 0 },
    { SF_STEP_FORMAT, HANDMADE_BOOT, 0 },
  };
  static const ExpectedStep named[] = {
    { SF_STEP_FORMAT, "tail", G_GUINT64_CONSTANT (0xFFFF0200), 0, 0 },
  };

  make_hand_firmware (HAND_TAIL | HAND_NVDATA);
  firmware = open_firmware ();
  ck_assert (scatter_partition (firmware, "tail")->end_relative);

  /* Firmware Upgrade erases INVISIBLE partitions, but not this one. */
  plan = expect_plan (firmware, NULL, SF_SCENE_FIRMWARE_UPGRADE, NULL);
  ck_assert_ptr_nonnull (find_step (plan, SF_STEP_FORMAT, "nvdata"));
  ck_assert_ptr_null (find_step (plan, SF_STEP_FORMAT, "tail"));
  ck_assert_uint_eq (sf_plan_get_n_steps (plan), 7);
  g_clear_object (&plan);

  plan = expect_steps (firmware, NULL, SF_SCENE_FORMAT, NULL, format, N_STEPS (format));
  g_clear_object (&plan);

  /* …but it may be named, and then only the device knows its length. */
  plan = expect_steps (firmware, NULL, SF_SCENE_FORMAT, (const char *[]) { "TAIL", NULL }, named, N_STEPS (named));
}
END_TEST

/* ---- names ------------------------------------------------------------------ */

START_TEST (test_scene_names)
{
  static const struct {
    const char *id;
    const char *title;
    SfScene     scene;
  } scenes[] = {
    { "download-only", "Download Only", SF_SCENE_DOWNLOAD_ONLY },
    { "firmware-upgrade", "Firmware Upgrade", SF_SCENE_FIRMWARE_UPGRADE },
    { "format-all-download", "Format All + Download", SF_SCENE_FORMAT_ALL_DOWNLOAD },
    { "format", "Format", SF_SCENE_FORMAT },
    { "readback", "Readback", SF_SCENE_READBACK },
  };
  SfScene scene;

  for (guint i = 0; i < G_N_ELEMENTS (scenes); i++) {
    scene = (SfScene) 99;
    ck_assert_msg (sf_scene_from_string (scenes[i].id, &scene), "%s", scenes[i].id);
    ck_assert_int_eq (scene, scenes[i].scene);
    ck_assert_str_eq (sf_scene_to_string (scenes[i].scene), scenes[i].id);
    ck_assert_str_eq (sf_scene_get_title (scenes[i].scene), scenes[i].title);
  }

  scene = SF_SCENE_READBACK;
  ck_assert (!sf_scene_from_string ("Download Only", &scene));
  ck_assert (!sf_scene_from_string ("DOWNLOAD-ONLY", &scene));
  ck_assert (!sf_scene_from_string ("", &scene));
  ck_assert (!sf_scene_from_string (NULL, &scene));
  ck_assert_int_eq (scene, SF_SCENE_READBACK);
  ck_assert (sf_scene_from_string ("format", NULL));

  ck_assert_str_eq (sf_step_kind_to_string (SF_STEP_BACKUP), "backup");
  ck_assert_str_eq (sf_step_kind_to_string (SF_STEP_FORMAT), "format");
  ck_assert_str_eq (sf_step_kind_to_string (SF_STEP_FORMAT_ALL), "format-all");
  ck_assert_str_eq (sf_step_kind_to_string (SF_STEP_DOWNLOAD), "download");
  ck_assert_str_eq (sf_step_kind_to_string (SF_STEP_RESTORE), "restore");
  ck_assert_str_eq (sf_step_kind_to_string (SF_STEP_READBACK), "readback");
}
END_TEST

/* The plan keeps what it points at alive by itself. */
START_TEST (test_plan_holds_references)
{
  g_autoptr(SfFirmware) firmware = NULL;
  g_autoptr(SfPlan) plan = NULL;
  const SfPlanStep *step;

  make_mt6572_firmware (TRUE, FALSE);
  firmware = open_firmware ();
  plan = expect_plan (firmware, NULL, SF_SCENE_DOWNLOAD_ONLY, (const char *[]) { "android", NULL });

  g_object_add_weak_pointer (G_OBJECT (firmware), (gpointer *) &firmware);
  g_object_unref (firmware);
  ck_assert_ptr_nonnull (firmware);   /* the plan still holds it */

  step = sf_plan_get_step (plan, 0);
  ck_assert_str_eq (step->partition->name, "ANDROID");
  ck_assert_uint_eq (step->image->data_size, SPARSE_DATA_SIZE);
  ck_assert_str_eq (step->region, "EMMC_USER");

  g_clear_object (&plan);
  ck_assert_ptr_null (firmware);      /* …and let it go */
}
END_TEST

/* A plan without a firmware: the phone's own ranges, the table backup
 * first, reads counted in the total, erases not. */
START_TEST (test_raw_plan)
{
  g_autoptr(SfPlan) plan = sf_plan_new_raw ();
  g_autoptr(GFile) file = g_file_new_for_path ("/tmp/boot1.bin");
  g_autoptr(GFile) folder = g_file_new_for_path ("/tmp/backup");
  const SfPlanStep *step;

  ck_assert_ptr_null (sf_plan_get_firmware (plan));
  ck_assert_ptr_null (sf_plan_get_layout (plan));
  ck_assert_uint_eq (sf_plan_get_n_steps (plan), 0);
  ck_assert_int_eq (sf_plan_get_scene (plan), SF_SCENE_READBACK);

  sf_plan_add_raw_readback (plan, SF_EMMC_PART_BOOT1, 0, 0x1000, file);
  ck_assert_int_eq (sf_plan_get_scene (plan), SF_SCENE_READBACK);
  sf_plan_add_raw_format (plan, SF_EMMC_PART_USER, 0x80000, 0);
  ck_assert_int_eq (sf_plan_get_scene (plan), SF_SCENE_FORMAT);
  sf_plan_add_table_backup (plan, folder);

  ck_assert_uint_eq (sf_plan_get_n_steps (plan), 3);
  ck_assert_uint_eq (sf_plan_get_total_bytes (plan), 0x1000);

  step = sf_plan_get_step (plan, 0);
  ck_assert_int_eq (step->kind, SF_STEP_TABLE_BACKUP);
  ck_assert (g_file_equal (step->file, folder));
  ck_assert_ptr_null (step->partition);
  ck_assert_str_eq (sf_step_kind_to_string (step->kind), "table-backup");

  step = sf_plan_get_step (plan, 1);
  ck_assert_int_eq (step->kind, SF_STEP_RAW_READBACK);
  ck_assert_uint_eq (step->part, SF_EMMC_PART_BOOT1);
  ck_assert_uint_eq (step->length, 0x1000);
  ck_assert_uint_eq (step->transfer_bytes, 0x1000);
  ck_assert_str_eq (step->region, "EMMC_BOOT_1");
  ck_assert (g_file_equal (step->file, file));

  step = sf_plan_get_step (plan, 2);
  ck_assert_int_eq (step->kind, SF_STEP_RAW_FORMAT);
  ck_assert_uint_eq (step->part, SF_EMMC_PART_USER);
  ck_assert_uint_eq (step->offset, 0x80000);
  ck_assert_uint_eq (step->length, 0);
  ck_assert_uint_eq (step->transfer_bytes, 0);
  ck_assert_ptr_null (step->file);
}
END_TEST

static Suite *
plan_suite (void)
{
  Suite *s = suite_create ("plan");
  TCase *tc;

  tc = tcase_create ("download-only");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_download_only_default);
  tcase_add_test (tc, test_download_only_default_refuses_bad_images);
  tcase_add_test (tc, test_download_only_explicit);
  tcase_add_test (tc, test_download_only_unknown_name);
  tcase_add_test (tc, test_download_only_nothing_selected);
  tcase_add_test (tc, test_download_only_refusals);
  tcase_add_test (tc, test_bootloaders_together);
  tcase_add_test (tc, test_calibration_with_image);
  suite_add_tcase (s, tc);

  tc = tcase_create ("fixed-scenes");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_firmware_upgrade);
  tcase_add_test (tc, test_firmware_upgrade_missing_image);
  tcase_add_test (tc, test_fixed_scenes_refuse_names);
  tcase_add_test (tc, test_format_all_download);
  tcase_add_test (tc, test_no_nvram);
  tcase_add_test (tc, test_nvdata_counts_as_nvram);
  suite_add_tcase (s, tc);

  tc = tcase_create ("format-readback");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_format_default);
  tcase_add_test (tc, test_format_named);
  tcase_add_test (tc, test_readback);
  tcase_add_test (tc, test_mt6580_large_partitions);
  tcase_add_test (tc, test_end_relative_left_alone);
  suite_add_tcase (s, tc);

  tc = tcase_create ("storage");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_combo_storage);
  suite_add_tcase (s, tc);

  tc = tcase_create ("api");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_scene_names);
  tcase_add_test (tc, test_plan_holds_references);
  tcase_add_test (tc, test_raw_plan);
  suite_add_tcase (s, tc);

  return s;
}

int
main (void)
{
  return sf_test_run_suite (plan_suite ());
}
