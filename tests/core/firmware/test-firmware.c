/* test-firmware.c — SfFirmware, SfImage and SfArchive on folders and archives
 * built in the test from a fixture scatter and small generated images
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <string.h>

#include <glib/gstdio.h>

#include "sf-archive.h"
#include "sf-da-file.h"
#include "sf-error.h"
#include "sf-firmware.h"
#include "sf-image.h"
#include "sf-test-util.h"

#define MT6572_FIXTURE "mt6572-v1.1.1-emmc.txt"
#define LEGACY_FIXTURE "mt6589-legacy-emmc.txt"
#define SCATTER_NAME   "MT6572_Android_scatter.txt"

#define SPARSE_BLOCK   4096u

/* ---- building images byte by byte ------------------------------------------ */

static void
put_le16 (GByteArray *a,
          guint16     v)
{
  guint8 b[2] = { v & 0xff, v >> 8 };

  g_byte_array_append (a, b, 2);
}

static void
put_le32 (GByteArray *a,
          guint32     v)
{
  guint8 b[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24 };

  g_byte_array_append (a, b, 4);
}

static void
put_bytes (GByteArray *a,
           const void *data,
           gsize       len)
{
  g_byte_array_append (a, data, (guint) len);
}

static void
put_fill (GByteArray *a,
          guint8      value,
          gsize       len)
{
  for (gsize i = 0; i < len; i++)
    g_byte_array_append (a, &value, 1);
}

/* Bytes that do not compress, so archives really have to stream them. */
static void
put_noise (GByteArray *a,
           gsize       len,
           guint32     seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);

  for (gsize i = 0; i < len; i++) {
    guint8 b = (guint8) g_rand_int (rand);

    g_byte_array_append (a, &b, 1);
  }
}

/* An Android sparse image: the 28-byte header, one RAW chunk of @raw_blocks
 * blocks of noise, one DONT_CARE chunk of @skip_blocks blocks. */
static GBytes *
make_sparse (guint32 raw_blocks,
             guint32 skip_blocks,
             guint16 major)
{
  GByteArray *a = g_byte_array_new ();

  put_le32 (a, 0xED26FF3A);
  put_le16 (a, major);
  put_le16 (a, 0);                       /* minor */
  put_le16 (a, 28);                      /* file header size */
  put_le16 (a, 12);                      /* chunk header size */
  put_le32 (a, SPARSE_BLOCK);
  put_le32 (a, raw_blocks + skip_blocks);
  put_le32 (a, 2);                       /* chunks */
  put_le32 (a, 0);                       /* checksum */

  put_le16 (a, 0xCAC1);                  /* RAW */
  put_le16 (a, 0);
  put_le32 (a, raw_blocks);
  put_le32 (a, 12 + raw_blocks * SPARSE_BLOCK);
  put_noise (a, (gsize) raw_blocks * SPARSE_BLOCK, 7);

  put_le16 (a, 0xCAC3);                  /* DONT_CARE */
  put_le16 (a, 0);
  put_le32 (a, skip_blocks);
  put_le32 (a, 12);

  return g_byte_array_free_to_bytes (a);
}

static GBytes *
make_ext4_like (void)
{
  GByteArray *a = g_byte_array_new ();

  put_fill (a, 0, 1024 + 0x38);
  put_le16 (a, 0xEF53);
  put_fill (a, 0, 8192 - a->len);
  return g_byte_array_free_to_bytes (a);
}

/* A preloader: GFH_FILE_INFO first ("MMM", version 1, size 0x38, type 0). */
static GBytes *
make_gfh_preloader (void)
{
  GByteArray *a = g_byte_array_new ();
  char name[12] = "FILE_INFO";

  put_bytes (a, "MMM\x01", 4);
  put_le16 (a, 0x38);
  put_le16 (a, 0);
  put_bytes (a, name, sizeof name);
  put_le32 (a, 1);
  put_le16 (a, 1);
  put_fill (a, 0, 2);
  put_le32 (a, 0);
  put_le32 (a, 16384);
  put_le32 (a, 0x20000);
  put_le32 (a, 0x300);
  put_le32 (a, 0);
  put_le32 (a, 0x300);
  put_le32 (a, 1);
  put_noise (a, 16384 - a->len, 11);
  return g_byte_array_free_to_bytes (a);
}

static GBytes *
make_mtk_header (const char *name,
                 gsize       payload)
{
  GByteArray *a = g_byte_array_new ();
  char field[32] = { 0 };

  g_strlcpy (field, name, sizeof field);
  put_le32 (a, 0x58881688);
  put_le32 (a, (guint32) payload);
  put_bytes (a, field, sizeof field);
  put_fill (a, 0xff, 512 - a->len);
  put_noise (a, payload, 13);
  return g_byte_array_free_to_bytes (a);
}

static GBytes *
make_android_boot (void)
{
  GByteArray *a = g_byte_array_new ();

  put_bytes (a, "ANDROID!", 8);
  put_noise (a, 6000, 17);
  return g_byte_array_free_to_bytes (a);
}

static GBytes *
make_mbr (void)
{
  GByteArray *a = g_byte_array_new ();

  put_fill (a, 0, 510);
  put_bytes (a, "\x55\xaa", 2);
  return g_byte_array_free_to_bytes (a);
}

/* ---- the firmware set --------------------------------------------------------- */

typedef struct {
  const char   *partition;    /* in mt6572-v1.1.1-emmc.txt */
  const char   *file;         /* name written; NULL = not written (missing) */
  SfImageState  state;
  SfImageKind   kind;
  guint64       data_size;    /* 0: the file size */
} Expect;

/* userdata.img claims 0x80000 blocks of 4 KiB = 2 GiB, the partition holds
 * 0x48000000 (1.125 GiB): too large, in a file of a few KiB. */
#define HUGE_SKIP_BLOCKS (0x80000u - 1u)

static const Expect expected[] = {
  { "PRELOADER", "preloader_hx72_a40_emmc.bin", SF_IMAGE_STATE_OK, SF_IMAGE_KIND_GFH, 0 },
  { "MBR", "MBR", SF_IMAGE_STATE_OK, SF_IMAGE_KIND_RAW, 0 },
  { "EBR1", "EBR1", SF_IMAGE_STATE_INVALID, SF_IMAGE_KIND_RAW, 0 },
  { "PRO_INFO", NULL, SF_IMAGE_STATE_NONE, SF_IMAGE_KIND_RAW, 0 },
  { "UBOOT", "LK.BIN", SF_IMAGE_STATE_OK, SF_IMAGE_KIND_MTK_HEADER, 0 },
  { "BOOTIMG", NULL, SF_IMAGE_STATE_MISSING, SF_IMAGE_KIND_RAW, 0 },
  { "RECOVERY", "recovery.img", SF_IMAGE_STATE_OK, SF_IMAGE_KIND_ANDROID_BOOT, 0 },
  { "SEC_RO", "secro.img", SF_IMAGE_STATE_EMPTY, SF_IMAGE_KIND_RAW, 0 },
  { "LOGO", "logo.bin", SF_IMAGE_STATE_OK, SF_IMAGE_KIND_MTK_HEADER, 0 },
  { "ANDROID", "system.img", SF_IMAGE_STATE_OK, SF_IMAGE_KIND_SPARSE, (300u + 724u) * SPARSE_BLOCK },
  { "CACHE", "cache.img", SF_IMAGE_STATE_OK, SF_IMAGE_KIND_EXT4, 0 },
  { "USRDATA", "userdata.img", SF_IMAGE_STATE_TOO_LARGE, SF_IMAGE_KIND_SPARSE,
    (guint64) (1u + HUGE_SKIP_BLOCKS) * SPARSE_BLOCK },
  { "FAT", NULL, SF_IMAGE_STATE_NONE, SF_IMAGE_KIND_RAW, 0 },
  { "BMTPOOL", NULL, SF_IMAGE_STATE_NONE, SF_IMAGE_KIND_RAW, 0 },
};

/* name → GBytes: what goes next to the scatter. */
static GHashTable *
make_image_set (void)
{
  GHashTable *set = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_bytes_unref);

  g_hash_table_insert (set, "preloader_hx72_a40_emmc.bin", make_gfh_preloader ());
  g_hash_table_insert (set, "MBR", make_mbr ());
  g_hash_table_insert (set, "EBR1", make_sparse (1, 1, 2));           /* sparse v2: invalid */
  g_hash_table_insert (set, "LK.BIN", make_mtk_header ("LK", 20000)); /* scatter says lk.bin */
  g_hash_table_insert (set, "recovery.img", make_android_boot ());
  g_hash_table_insert (set, "secro.img", g_bytes_new (NULL, 0));
  g_hash_table_insert (set, "logo.bin", make_mtk_header ("LOGO", 40000));
  g_hash_table_insert (set, "system.img", make_sparse (300, 724, 1));
  g_hash_table_insert (set, "cache.img", make_ext4_like ());
  g_hash_table_insert (set, "userdata.img", make_sparse (1, HUGE_SKIP_BLOCKS, 1));
  g_hash_table_insert (set, "README.txt", g_bytes_new_static ("not a scatter\n", 14));
  return set;
}

static GBytes *
read_fixture (const char *name)
{
  g_autofree char *path = sf_test_fixture_path (name);
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize len = 0;

  ck_assert_msg (g_file_get_contents (path, &data, &len, &error), "%s", error ? error->message : "?");
  return g_bytes_new_take (data, len);
}

/* Made around every test that writes files: the folder it writes them in,
 * and the scatter of the firmware set. */
static char *tmpdir;
static GBytes *mt6572_scatter;

static void
setup (void)
{
  tmpdir = sf_test_make_tempdir ();
  mt6572_scatter = read_fixture (MT6572_FIXTURE);
}

static void
teardown (void)
{
  sf_test_rm_rf (tmpdir);
  g_clear_pointer (&tmpdir, g_free);
  g_clear_pointer (&mt6572_scatter, g_bytes_unref);
}

static void
write_bytes (const char *path,
             GBytes     *bytes)
{
  gsize len = 0;
  const void *data = g_bytes_get_data (bytes, &len);

  sf_test_write_file (path, data != NULL ? data : "", len);
}

static void
write_named (const char *dir,
             const char *name,
             GBytes     *bytes)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  write_bytes (path, bytes);
}

static void
write_folder (const char *dir,
              GHashTable *set)
{
  g_autofree char *scatter_path = g_build_filename (dir, SCATTER_NAME, NULL);
  GHashTableIter iter;
  gpointer key, value;

  write_bytes (scatter_path, mt6572_scatter);
  g_hash_table_iter_init (&iter, set);
  while (g_hash_table_iter_next (&iter, &key, &value)) {
    g_autofree char *path = g_build_filename (dir, key, NULL);

    write_bytes (path, value);
  }
}

static char *
sha256_of_bytes (GBytes *bytes)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, data != NULL ? data : (const guint8 *) "", len);
}

static char *
sha256_of_stream (GInputStream *stream,
                  guint64      *out_len)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GError) error = NULL;
  guint8 buf[65536];
  guint64 total = 0;
  gssize n;

  while ((n = g_input_stream_read (stream, buf, sizeof buf, NULL, &error)) > 0) {
    g_checksum_update (sum, buf, n);
    total += (guint64) n;
  }
  ck_assert_msg (n == 0, "read failed: %s", error ? error->message : "?");
  *out_len = total;
  return g_strdup (g_checksum_get_string (sum));
}

static SfPartition *
find_partition (SfFirmware *fw,
                const char *name)
{
  SfLayout *layout = sf_scatter_get_layout (sf_firmware_get_scatter (fw), 0);
  SfPartition *p = sf_layout_find_partition (layout, name);

  ck_assert_msg (p != NULL, "no partition %s", name);
  return p;
}

static SfFirmware *
open_firmware (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  SfFirmware *fw = sf_firmware_open (file, NULL, &error);

  ck_assert_msg (fw != NULL, "%s: %s", path, error ? error->message : "?");
  return fw;
}

/* Any code of SF_ERROR will do. */
#define ANY_SF_ERROR (-1)

/* Opening @path must fail with @code (or ANY_SF_ERROR). Returns the error
 * for further checks. */
static GError *
open_firmware_fails (const char *path,
                     gint        code)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GError *error = NULL;
  g_autoptr(SfFirmware) fw = sf_firmware_open (file, NULL, &error);

  ck_assert_msg (fw == NULL, "%s opened, but should not have", path);
  ck_assert (error != NULL);
  if (code == ANY_SF_ERROR)
    ck_assert_msg (error->domain == SF_ERROR, "%s", error->message);
  else
    ck_assert_msg (g_error_matches (error, SF_ERROR, code), "%s", error->message);
  return error;
}

static void
assert_mentions (const GError *error,
                 const char   *text)
{
  ck_assert_msg (strstr (error->message, text) != NULL, "“%s” does not mention “%s”", error->message, text);
}

static void
assert_starts_with (const GError *error,
                    const char   *prefix)
{
  ck_assert_msg (g_str_has_prefix (error->message, prefix), "“%s” does not start with “%s”", error->message, prefix);
}

/* Not checked by assert_image(). */
#define ANY_KIND ((SfImageKind) -1)

/* What the firmware says of the image of partition @name: its @state, and
 * where given, how its path ends and its @kind. */
static SfPartition *
assert_image (SfFirmware   *fw,
              const char   *name,
              SfImageState  state,
              const char   *path_suffix,
              SfImageKind   kind)
{
  SfPartition *p = find_partition (fw, name);
  SfImageState got = sf_firmware_get_image_state (fw, p);
  const char *path = sf_firmware_get_image_path (fw, p);
  SfImage *image = sf_firmware_get_image (fw, p);

  ck_assert_msg (got == state, "%s: state %s, expected %s", name,
                 sf_image_state_to_string (got), sf_image_state_to_string (state));
  if (path_suffix != NULL)
    ck_assert_msg (path != NULL && g_str_has_suffix (path, path_suffix), "%s: path %s, expected …%s",
                   name, path != NULL ? path : "(none)", path_suffix);
  if (kind != ANY_KIND) {
    ck_assert_msg (image != NULL, "%s: no image", name);
    ck_assert_msg (image->kind == kind, "%s: kind %s, expected %s", name,
                   sf_image_kind_to_string (image->kind), sf_image_kind_to_string (kind));
  }
  return p;
}

/* Checks every partition of the set; @path_prefix is what image paths start
 * with ("/tmp/…/" or "fw.zip/firmware/"). */
static void
check_firmware (SfFirmware *fw,
                GHashTable *set,
                const char *path_prefix)
{
  const char *scatter_name = sf_scatter_get_display_name (sf_firmware_get_scatter (fw));

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++) {
    const Expect *e = &expected[i];
    SfPartition *p = assert_image (fw, e->partition, e->state, NULL, ANY_KIND);
    SfImage *image = sf_firmware_get_image (fw, p);
    const char *path = sf_firmware_get_image_path (fw, p);
    g_autoptr(GError) error = NULL;
    g_autofree char *where = g_strdup_printf ("%s:%u: ", scatter_name, p->line);
    gboolean ok;

    ok = sf_firmware_check_image (fw, p, &error);
    ck_assert_msg (ok == (e->state == SF_IMAGE_STATE_OK), "%s: check_image gave %d", e->partition, ok);
    if (!ok) {
      assert_starts_with (error, where);
      assert_mentions (error, e->partition);
    }

    switch (e->state) {
    case SF_IMAGE_STATE_NONE:
      ck_assert (image == NULL);
      ck_assert (path == NULL);
      ck_assert (g_error_matches (error, SF_ERROR, SF_ERROR_NOT_DOWNLOADABLE));
      break;
    case SF_IMAGE_STATE_MISSING:
      ck_assert (image == NULL);
      ck_assert (path == NULL);
      ck_assert (g_error_matches (error, SF_ERROR, SF_ERROR_IMAGE_MISSING));
      assert_mentions (error, p->file_name);
      assert_mentions (error, "untick");
      break;
    case SF_IMAGE_STATE_INVALID:
      ck_assert (image == NULL);
      ck_assert (path != NULL);
      ck_assert (g_error_matches (error, SF_ERROR, SF_ERROR_IMAGE_INVALID));
      assert_mentions (error, "version 2");
      break;
    case SF_IMAGE_STATE_EMPTY:
      ck_assert (g_error_matches (error, SF_ERROR, SF_ERROR_IMAGE_EMPTY));
      assert_mentions (error, e->file);
      break;
    case SF_IMAGE_STATE_TOO_LARGE:
      {
        g_autofree char *size_text = g_strdup_printf ("%" G_GUINT64_FORMAT " bytes", e->data_size);
        g_autofree char *room_text = g_strdup_printf ("%" G_GUINT64_FORMAT " bytes", p->size);

        ck_assert (g_error_matches (error, SF_ERROR, SF_ERROR_IMAGE_TOO_LARGE));
        assert_mentions (error, e->file);
        assert_mentions (error, size_text);
        assert_mentions (error, room_text);
        assert_mentions (error, " — ");
      }
      break;
    case SF_IMAGE_STATE_OK:
    default:
      break;
    }

    if (e->file != NULL) {
      GBytes *bytes = g_hash_table_lookup (set, e->file);
      guint64 size = g_bytes_get_size (bytes);
      g_autofree char *want_path = g_strconcat (path_prefix, e->file, NULL);
      g_autoptr(GInputStream) stream = NULL;
      g_autofree char *want_sum = sha256_of_bytes (bytes);
      g_autofree char *got_sum = NULL;
      guint64 got_len = 0;

      ck_assert_msg (g_strcmp0 (path, want_path) == 0, "%s: path %s, expected %s", e->partition, path, want_path);

      if (e->state != SF_IMAGE_STATE_INVALID) {
        ck_assert_msg (image != NULL, "%s: no image", e->partition);
        ck_assert_msg (image->kind == e->kind, "%s: kind %s", e->partition, sf_image_kind_to_string (image->kind));
        ck_assert_uint_eq (image->file_size, size);
        ck_assert_uint_eq (image->data_size, e->data_size ? e->data_size : size);
      }

      /* The exact bytes come back out, however they are stored. */
      g_clear_error (&error);
      stream = sf_firmware_open_image (fw, p, NULL, &error);
      ck_assert_msg (stream != NULL, "%s: %s", e->partition, error ? error->message : "?");
      got_sum = sha256_of_stream (stream, &got_len);
      ck_assert_uint_eq (got_len, size);
      ck_assert_str_eq (got_sum, want_sum);
    } else {
      g_autoptr(GInputStream) stream = NULL;

      g_clear_error (&error);
      stream = sf_firmware_open_image (fw, p, NULL, &error);
      ck_assert (stream == NULL);
      ck_assert (error != NULL);
    }
  }
}

/* ---- archives written with libarchive ------------------------------------------ */

typedef enum {
  KIND_ZIP,
  KIND_TAR_GZ,
  KIND_TAR_XZ,
  KIND_7Z,
  KIND_TAR,
  KIND_RAR4,
  KIND_RAR5,
} ArchiveKind;

static const char * const archive_names[] = {
  "firmware.zip", "firmware.tar.gz", "firmware.tar.xz", "firmware.7z", "firmware.tar",
  "firmware.rar", "firmware-rar5.rar",
};

static void
archive_add (struct archive *a,
             const char     *path,
             GBytes         *bytes)
{
  struct archive_entry *entry = archive_entry_new ();
  gsize len = 0;
  const void *data = g_bytes_get_data (bytes, &len);

  archive_entry_set_pathname (entry, path);
  archive_entry_set_filetype (entry, AE_IFREG);
  archive_entry_set_perm (entry, 0644);
  archive_entry_set_size (entry, (la_int64_t) len);
  archive_entry_set_mtime (entry, 1767225600, 0);
  ck_assert_msg (archive_write_header (a, entry) == ARCHIVE_OK, "%s", archive_error_string (a));
  if (len > 0)
    ck_assert_msg (archive_write_data (a, data, len) == (la_ssize_t) len, "%s", archive_error_string (a));
  archive_entry_free (entry);
}

static void
archive_add_dir (struct archive *a,
                 const char     *path)
{
  struct archive_entry *entry = archive_entry_new ();

  archive_entry_set_pathname (entry, path);
  archive_entry_set_filetype (entry, AE_IFDIR);
  archive_entry_set_perm (entry, 0755);
  ck_assert_msg (archive_write_header (a, entry) == ARCHIVE_OK, "%s", archive_error_string (a));
  archive_entry_free (entry);
}

static struct archive *
archive_begin (const char  *path,
               ArchiveKind  kind)
{
  struct archive *a = archive_write_new ();

  switch (kind) {
  case KIND_ZIP:
    archive_write_set_format_zip (a);
    break;
  case KIND_TAR_GZ:
    archive_write_set_format_pax_restricted (a);
    archive_write_add_filter_gzip (a);
    break;
  case KIND_TAR_XZ:
    archive_write_set_format_pax_restricted (a);
    archive_write_add_filter_xz (a);
    break;
  case KIND_7Z:
    archive_write_set_format_7zip (a);
    break;
  case KIND_TAR:
  default:
    archive_write_set_format_ustar (a);
    break;
  }
  ck_assert_msg (archive_write_open_filename (a, path) == ARCHIVE_OK, "%s", archive_error_string (a));
  return a;
}

static void
archive_end (struct archive *a)
{
  ck_assert_msg (archive_write_close (a) == ARCHIVE_OK, "%s", archive_error_string (a));
  archive_write_free (a);
}

/* RAR has no free writer, so tests/make-rar.py ($SF_MAKE_RAR) writes one of
 * stored entries, from the same files staged in a folder of their own: the
 * layout of write_archive(), with @corrupt (an entry path, or %NULL) given
 * a data bit that its CRC-32 does not match. */
static void
write_rar (const char  *path,
           ArchiveKind  kind,
           GHashTable  *set,
           const char  *corrupt)
{
  g_autoptr(GList) names = g_list_sort (g_hash_table_get_keys (set), (GCompareFunc) strcmp);
  g_autofree char *stage = sf_test_make_tempdir ();
  g_autofree char *firmware = g_build_filename (stage, "firmware", NULL);
  g_autofree char *notes = g_build_filename (stage, "notes.md", NULL);
  g_autofree char *scatter = g_build_filename (firmware, SCATTER_NAME, NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  const char *python = g_getenv ("SF_PYTHON");
  const char *script = g_getenv ("SF_MAKE_RAR");
  gsize len = 0;
  const char *data = g_bytes_get_data (mt6572_scatter, &len);
  int status = -1;

  ck_assert_msg (script != NULL, "SF_MAKE_RAR is not set: run the tests with meson test");
  ck_assert (g_mkdir (firmware, 0755) == 0);
  sf_test_write_file (notes, "# notes\n", 8);
  sf_test_write_file (scatter, data, len);
  g_ptr_array_add (argv, g_strdup (python != NULL ? python : "python3"));
  g_ptr_array_add (argv, g_strdup (script));
  g_ptr_array_add (argv, g_strdup (kind == KIND_RAR5 ? "--format=5" : "--format=4"));
  if (corrupt != NULL)
    g_ptr_array_add (argv, g_strconcat ("--corrupt-crc=", corrupt, NULL));
  g_ptr_array_add (argv, g_strdup ("-C"));
  g_ptr_array_add (argv, g_strdup (stage));
  g_ptr_array_add (argv, g_strdup (path));
  g_ptr_array_add (argv, g_strdup ("notes.md"));
  g_ptr_array_add (argv, g_strdup ("firmware"));
  g_ptr_array_add (argv, g_strdup ("firmware/" SCATTER_NAME));
  for (GList *l = names; l != NULL; l = l->next) {
    g_autofree char *file = g_build_filename (firmware, l->data, NULL);
    gsize size = 0;
    const char *bytes = g_bytes_get_data (g_hash_table_lookup (set, l->data), &size);

    sf_test_write_file (file, bytes != NULL ? bytes : "", size);
    g_ptr_array_add (argv, g_strconcat ("firmware/", l->data, NULL));
  }
  g_ptr_array_add (argv, NULL);

  ck_assert_msg (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                               NULL, NULL, NULL, &err, &status, &error),
                 "%s", error ? error->message : "?");
  ck_assert_msg (g_spawn_check_wait_status (status, NULL), "make-rar.py: %s", err);
  sf_test_rm_rf (stage);
}

/* The firmware set under "firmware/" in an archive, plus a stray file at the top. */
static void
write_archive (const char  *path,
               ArchiveKind  kind,
               GHashTable  *set)
{
  g_autoptr(GList) names = NULL;
  g_autoptr(GBytes) notes = NULL;
  struct archive *a;

  if (kind == KIND_RAR4 || kind == KIND_RAR5) {
    write_rar (path, kind, set, NULL);
    return;
  }
  names = g_list_sort (g_hash_table_get_keys (set), (GCompareFunc) strcmp);
  notes = g_bytes_new_static ("# notes\n", 8);
  a = archive_begin (path, kind);

  archive_add (a, "notes.md", notes);
  archive_add_dir (a, "firmware/");
  archive_add (a, "firmware/" SCATTER_NAME, mt6572_scatter);
  for (GList *l = names; l != NULL; l = l->next) {
    g_autofree char *entry_path = g_strconcat ("firmware/", l->data, NULL);

    archive_add (a, entry_path, g_hash_table_lookup (set, l->data));
  }
  archive_end (a);
}

/* ---- tests ------------------------------------------------------------------------ */

START_TEST (test_probe_kinds)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) gfh = make_gfh_preloader ();
  g_autoptr(GBytes) lk = make_mtk_header ("LK", 100);
  g_autoptr(GBytes) boot = make_android_boot ();
  g_autoptr(GBytes) ext4 = make_ext4_like ();
  guint8 head[SF_IMAGE_PROBE_BYTES] = { 0 };
  struct {
    GBytes      *bytes;
    SfImageKind  kind;
  } cases[] = {
    { gfh, SF_IMAGE_KIND_GFH },
    { lk, SF_IMAGE_KIND_MTK_HEADER },
    { boot, SF_IMAGE_KIND_ANDROID_BOOT },
    { ext4, SF_IMAGE_KIND_EXT4 },
  };
  static const struct {
    const char  *magic;
    gsize        magic_len;
    gboolean     brlyt;       /* "BRLYT" at 0x200 */
    SfImageKind  kind;
  } heads[] = {
    /* A preloader read back from eMMC: the boot header, BRLYT at 0x200. */
    { "EMMC_BOOT", 9, TRUE, SF_IMAGE_KIND_GFH },
    /* Without BRLYT it is just bytes. */
    { "EMMC_BOOT", 9, FALSE, SF_IMAGE_KIND_RAW },
    { "UBI#", 4, FALSE, SF_IMAGE_KIND_UBI },
    /* "MMM" with version 1 but a non-FILE_INFO first block is no preloader. */
    { "MMM\x01\x38\x00\x07\x00", 8, FALSE, SF_IMAGE_KIND_RAW },
  };
  static const struct {
    SfImageKind  kind;
    const char  *name;
  } kind_names[] = {
    { SF_IMAGE_KIND_RAW, "raw" },
    { SF_IMAGE_KIND_SPARSE, "sparse" },
    { SF_IMAGE_KIND_EXT4, "ext4" },
    { SF_IMAGE_KIND_GFH, "gfh-bootloader" },
    { SF_IMAGE_KIND_MTK_HEADER, "mtk-header" },
    { SF_IMAGE_KIND_ANDROID_BOOT, "android-boot" },
    { SF_IMAGE_KIND_UBI, "ubi" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    gsize len = 0;
    const guint8 *data = g_bytes_get_data (cases[i].bytes, &len);
    g_autoptr(SfImage) image = sf_image_probe (data, MIN (len, SF_IMAGE_PROBE_BYTES), len, "x", &error);

    ck_assert_msg (image != NULL, "%s", error ? error->message : "?");
    ck_assert_int_eq (image->kind, cases[i].kind);
    ck_assert_uint_eq (image->file_size, len);
    ck_assert_uint_eq (image->data_size, len);
  }

  /* Magic numbers in a head of SF_IMAGE_PROBE_BYTES, the rest zeros. */
  for (guint i = 0; i < G_N_ELEMENTS (heads); i++) {
    g_autoptr(SfImage) image = NULL;

    memset (head, 0, sizeof head);
    memcpy (head, heads[i].magic, heads[i].magic_len);
    if (heads[i].brlyt)
      memcpy (head + 0x200, "BRLYT", 5);
    image = sf_image_probe (head, sizeof head, 1 << 20, "x", &error);
    ck_assert_msg (image != NULL, "head %u: %s", i, error ? error->message : "?");
    ck_assert_msg (image->kind == heads[i].kind, "head %u: kind %s, expected %s", i,
                   sf_image_kind_to_string (image->kind), sf_image_kind_to_string (heads[i].kind));
  }
  {
    g_autoptr(SfImage) image = sf_image_probe (NULL, 0, 0, "x", &error);

    ck_assert_int_eq (image->kind, SF_IMAGE_KIND_RAW);
    ck_assert_uint_eq (image->data_size, 0);
  }

  for (guint i = 0; i < G_N_ELEMENTS (kind_names); i++)
    ck_assert_str_eq (sf_image_kind_to_string (kind_names[i].kind), kind_names[i].name);
}
END_TEST

START_TEST (test_probe_sparse)
{
  g_autoptr(GBytes) bytes = make_sparse (3, 5, 1);
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(SfImage) image = NULL;
  g_autoptr(SfImage) copy = NULL;
  guint8 head[28];

  /* Through a stream that hands out a few bytes at a time would be nicer;
   * a memory stream at least checks the read loop and the sizes. */
  stream = g_memory_input_stream_new_from_data (data, (gssize) len, NULL);
  image = sf_image_probe_stream (stream, len, "system.img", NULL, &error);
  ck_assert_msg (image != NULL, "%s", error ? error->message : "?");
  ck_assert_int_eq (image->kind, SF_IMAGE_KIND_SPARSE);
  ck_assert_uint_eq (image->file_size, len);
  ck_assert_uint_eq (image->data_size, 8 * SPARSE_BLOCK);
  ck_assert_uint_eq (image->sparse_block_size, SPARSE_BLOCK);
  ck_assert_uint_eq (image->sparse_total_blocks, 8);
  ck_assert_uint_eq (image->sparse_total_chunks, 2);

  copy = g_boxed_copy (SF_TYPE_IMAGE, image);
  ck_assert_ptr_eq (copy, image);

  /* 64-bit: 0x300000 blocks of 4 KiB is 12 GiB. */
  memcpy (head, data, sizeof head);
  head[16] = 0x00; head[17] = 0x00; head[18] = 0x30; head[19] = 0x00;
  {
    g_autoptr(SfImage) big = sf_image_probe (head, sizeof head, sizeof head, "big.img", &error);

    ck_assert_msg (big != NULL, "%s", error ? error->message : "?");
    ck_assert_uint_eq (big->data_size, G_GUINT64_CONSTANT (0x300000) * 4096);
  }
}
END_TEST

static void
assert_sparse_invalid (const guint8 *head,
                       gsize         len,
                       const char   *expect_text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SfImage) image = sf_image_probe (head, len, len, "bad.img", &error);

  ck_assert (image == NULL);
  ck_assert_msg (g_error_matches (error, SF_ERROR, SF_ERROR_IMAGE_INVALID), "%s", error ? error->message : "?");
  ck_assert_msg (g_str_has_prefix (error->message, "bad.img: "), "%s", error->message);
  ck_assert_msg (strstr (error->message, expect_text) != NULL, "“%s” lacks “%s”", error->message, expect_text);
  ck_assert_msg (strstr (error->message, " — ") != NULL, "%s", error->message);
}

START_TEST (test_probe_sparse_bad)
{
  g_autoptr(GBytes) bytes = make_sparse (1, 1, 1);
  const guint8 *good = g_bytes_get_data (bytes, NULL);
  guint8 head[40];

  memcpy (head, good, sizeof head);
  head[4] = 2;                          /* major version 2 */
  assert_sparse_invalid (head, sizeof head, "version 2");

  memcpy (head, good, sizeof head);
  head[8] = 20;                         /* file header 20 bytes */
  assert_sparse_invalid (head, sizeof head, "20");

  memcpy (head, good, sizeof head);
  head[10] = 8;                         /* chunk header 8 bytes */
  assert_sparse_invalid (head, sizeof head, "8");

  memcpy (head, good, sizeof head);
  head[12] = 0x02; head[13] = 0x10;     /* block size 4098 */
  assert_sparse_invalid (head, sizeof head, "4098");

  memcpy (head, good, sizeof head);
  head[12] = 0; head[13] = 0; head[14] = 0; head[15] = 0;
  assert_sparse_invalid (head, sizeof head, "block size");

  /* Cut inside the header. */
  assert_sparse_invalid (good, 20, "header");
}
END_TEST

START_TEST (test_folder)
{
  g_autoptr(GHashTable) set = make_image_set ();
  g_autoptr(SfFirmware) fw = NULL;
  g_autofree char *prefix = g_strconcat (tmpdir, "/", NULL);
  g_autofree char *scatter_path = g_build_filename (tmpdir, SCATTER_NAME, NULL);

  write_folder (tmpdir, set);

  /* The folder. */
  fw = open_firmware (tmpdir);
  ck_assert (!sf_firmware_is_archive (fw));
  ck_assert_str_eq (sf_firmware_get_display_name (fw), tmpdir);
  check_firmware (fw, set, prefix);
  g_clear_object (&fw);

  /* The scatter file itself. */
  fw = open_firmware (scatter_path);
  check_firmware (fw, set, prefix);
}
END_TEST

START_TEST (test_too_large_message)
{
  g_autoptr(GHashTable) set = make_image_set ();
  g_autoptr(SfFirmware) fw = NULL;
  g_autoptr(GError) error = NULL;
  SfPartition *p;
  g_autofree char *expect_start = NULL;

  write_folder (tmpdir, set);
  fw = open_firmware (tmpdir);
  p = find_partition (fw, "USRDATA");
  ck_assert_uint_eq (p->line, 276);   /* mt6572-v1.1.1-emmc.txt: "- partition_index: SYS17" */
  ck_assert (!sf_firmware_check_image (fw, p, &error));
  expect_start = g_strdup_printf ("%s/%s:276: userdata.img expands to ", tmpdir, SCATTER_NAME);
  assert_starts_with (error, expect_start);
  assert_mentions (error, "(2147483648 bytes) but partition USRDATA holds");
  assert_mentions (error, "(1207959552 bytes) — use the firmware made for this phone");

  g_clear_error (&error);
  p = find_partition (fw, "BOOTIMG");
  ck_assert (!sf_firmware_check_image (fw, p, &error));
  assert_mentions (error, ":156: boot.img is missing (partition BOOTIMG) — put it next to the scatter file or untick BOOTIMG");
}
END_TEST

/* Another image picked by hand (the app's "choose another image"): probed
 * at once, written instead of the scatter's, refused when unusable. */
START_TEST (test_set_image_file)
{
  g_autoptr(GHashTable) set = make_image_set ();
  g_autoptr(SfFirmware) fw = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *own = g_build_filename (tmpdir, "my-boot.img", NULL);
  g_autoptr(GFile) own_file = g_file_new_for_path (own);
  g_autoptr(GFile) folder = g_file_new_for_path (tmpdir);
  g_autoptr(GFile) nowhere = g_file_new_build_filename (tmpdir, "not-there.img", NULL);
  g_autoptr(GInputStream) in = NULL;
  guint8 bytes[4096], back[4096];
  gsize got = 0;
  SfPartition *boot, *usrdata;

  for (gsize i = 0; i < sizeof bytes; i++)
    bytes[i] = (guint8) (i * 7 + 3);
  write_folder (tmpdir, set);
  sf_test_write_file (own, bytes, sizeof bytes);
  fw = open_firmware (tmpdir);

  /* BOOTIMG's boot.img is missing: pick our own. */
  boot = find_partition (fw, "BOOTIMG");
  ck_assert_int_eq (sf_firmware_get_image_state (fw, boot), SF_IMAGE_STATE_MISSING);
  ck_assert_msg (sf_firmware_set_image_file (fw, boot, own_file, NULL, &error), "%s", error ? error->message : "");
  ck_assert_int_eq (sf_firmware_get_image_state (fw, boot), SF_IMAGE_STATE_OK);
  ck_assert_str_eq (sf_firmware_get_image_path (fw, boot), own);
  ck_assert (sf_firmware_check_image (fw, boot, NULL));
  in = sf_firmware_open_image (fw, boot, NULL, &error);
  ck_assert_msg (in != NULL, "%s", error ? error->message : "");
  ck_assert (g_input_stream_read_all (in, back, sizeof back, &got, NULL, NULL));
  ck_assert_uint_eq (got, sizeof bytes);
  ck_assert (memcmp (bytes, back, sizeof bytes) == 0);

  /* USRDATA's image is too large: a small one makes it fit. */
  usrdata = find_partition (fw, "USRDATA");
  ck_assert_int_eq (sf_firmware_get_image_state (fw, usrdata), SF_IMAGE_STATE_TOO_LARGE);
  ck_assert (sf_firmware_set_image_file (fw, usrdata, own_file, NULL, NULL));
  ck_assert_int_eq (sf_firmware_get_image_state (fw, usrdata), SF_IMAGE_STATE_OK);

  /* A folder or a missing file is refused, and the partition keeps its image. */
  ck_assert (!sf_firmware_set_image_file (fw, boot, folder, NULL, &error));
  ck_assert_msg (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE), "%s", error->message);
  g_clear_error (&error);
  ck_assert (!sf_firmware_set_image_file (fw, boot, nowhere, NULL, &error));
  ck_assert (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND));
  ck_assert_str_eq (sf_firmware_get_image_path (fw, boot), own);
  ck_assert_int_eq (sf_firmware_get_image_state (fw, boot), SF_IMAGE_STATE_OK);
}
END_TEST

/* The firmware set in a @kind archive called @name: read in place, every
 * image as check_firmware() wants it. */
static void
check_archive (const char  *name,
               ArchiveKind  kind)
{
  g_autofree char *path = g_build_filename (tmpdir, name, NULL);
  g_autofree char *prefix = g_strconcat (name, "/firmware/", NULL);
  g_autofree char *scatter_name = g_strconcat (prefix, SCATTER_NAME, NULL);
  g_autoptr(GHashTable) set = make_image_set ();
  g_autoptr(SfFirmware) fw = NULL;
  g_autoptr(GDir) listing = NULL;

  write_archive (path, kind, set);
  fw = open_firmware (path);
  ck_assert (sf_firmware_is_archive (fw));
  ck_assert_str_eq (sf_scatter_get_display_name (sf_firmware_get_scatter (fw)), scatter_name);
  check_firmware (fw, set, prefix);

  /* Nothing was unpacked next to the archive. */
  listing = g_dir_open (tmpdir, 0, NULL);
  ck_assert_str_eq (g_dir_read_name (listing), name);
  ck_assert_ptr_null (g_dir_read_name (listing));
}

START_TEST (test_archive)
{
  ArchiveKind kind = (ArchiveKind) _i;

  check_archive (archive_names[kind], kind);
}
END_TEST

/* Every image of @fw that can be written, read whole by the check pass. */
static gboolean
check_all_images (SfFirmware  *fw,
                  GError     **error)
{
  SfLayout *layout = sf_scatter_get_layout (sf_firmware_get_scatter (fw), 0);
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();

  for (guint i = 0; i < sf_layout_get_n_partitions (layout); i++) {
    SfPartition *p = sf_layout_get_partition (layout, i);

    if (sf_firmware_get_image_state (fw, p) == SF_IMAGE_STATE_OK)
      g_ptr_array_add (parts, p);
  }
  ck_assert_uint_gt (parts->len, 3);
  if (!sf_firmware_check_images (fw, parts, TRUE, NULL, NULL, NULL, error))
    return FALSE;
  for (guint i = 0; i < parts->len; i++)
    ck_assert_ptr_nonnull (sf_firmware_get_image_digest (fw, g_ptr_array_index (parts, i)));
  return TRUE;
}

START_TEST (test_archive_check_pass)
{
  /* Issue 13: every kind of good archive passes the check pass (its
   * format's and compression's own checks included), and each image gets
   * what its partition should hold. */
  ArchiveKind kind = (ArchiveKind) _i;
  g_autofree char *path = g_build_filename (tmpdir, archive_names[kind], NULL);
  g_autoptr(GHashTable) set = make_image_set ();
  g_autoptr(SfFirmware) fw = NULL;
  g_autoptr(GError) error = NULL;

  write_archive (path, kind, set);
  fw = open_firmware (path);
  ck_assert_msg (check_all_images (fw, &error), "%s", error ? error->message : "");
}
END_TEST

START_TEST (test_gzip_several_members)
{
  /* gzip files may hold several members one after the other (pigz -i, cat
   * a.gz b.gz); the last trailer then covers only the last one, which is
   * no reason to call the archive damaged. */
  g_autofree char *tar = g_build_filename (tmpdir, "firmware.tar", NULL);
  g_autofree char *tgz = g_build_filename (tmpdir, "firmware.tar.gz", NULL);
  g_autoptr(GHashTable) set = make_image_set ();
  g_autoptr(SfFirmware) fw = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  GString *out = g_string_new (NULL);
  gsize len = 0;

  write_archive (tar, KIND_TAR, set);
  ck_assert (g_file_get_contents (tar, &data, &len, NULL));
  for (guint m = 0; m < 2; m++) {
    struct archive *a = archive_write_new ();
    struct archive_entry *entry = archive_entry_new ();
    gsize from = m == 0 ? 0 : len / 2;
    gsize to = m == 0 ? len / 2 : len;
    g_autofree guint8 *buf = g_malloc (len + 65536);
    size_t used = 0;

    archive_write_set_format_raw (a);
    archive_write_add_filter_gzip (a);
    archive_write_set_bytes_in_last_block (a, 1);
    ck_assert (archive_write_open_memory (a, buf, len + 65536, &used) == ARCHIVE_OK);
    archive_entry_set_pathname (entry, "firmware.tar");
    archive_entry_set_filetype (entry, AE_IFREG);
    ck_assert (archive_write_header (a, entry) == ARCHIVE_OK);
    ck_assert (archive_write_data (a, data + from, to - from) == (la_ssize_t) (to - from));
    ck_assert (archive_write_close (a) == ARCHIVE_OK);
    archive_write_free (a);
    archive_entry_free (entry);
    g_string_append_len (out, (const char *) buf, (gssize) used);
  }
  sf_test_write_file (tgz, out->str, out->len);
  g_string_free (out, TRUE);

  fw = open_firmware (tgz);
  ck_assert_msg (check_all_images (fw, &error), "%s", error ? error->message : "");
}
END_TEST

START_TEST (test_archive_by_content)
{
  /* A zip without a .zip name is still found to be an archive. */
  check_archive ("firmware.package", KIND_ZIP);
}
END_TEST

START_TEST (test_archive_entry_stream)
{
  g_autofree char *path = g_build_filename (tmpdir, "a.tar.xz", NULL);
  g_autoptr(GBytes) big = make_sparse (600, 0, 1);   /* 2.4 MB of noise */
  g_autoptr(GBytes) small = make_mbr ();
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(SfArchive) archive = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) s1 = NULL;
  g_autoptr(GInputStream) s2 = NULL;
  g_autofree char *want_big = sha256_of_bytes (big);
  g_autofree char *want_small = sha256_of_bytes (small);
  g_autofree char *got = NULL;
  const SfArchiveEntry *e;
  struct archive *a;
  guint64 len = 0;
  guint64 measured = 0;

  a = archive_begin (path, KIND_TAR_XZ);
  archive_add (a, "./x/big.img", big);
  archive_add (a, "./x/small.bin", small);
  archive_end (a);

  archive = sf_archive_open (file, NULL, &error);
  ck_assert_msg (archive != NULL, "%s", error ? error->message : "?");
  ck_assert_uint_eq (sf_archive_get_entries (archive)->len, 2);
  ck_assert_str_eq (sf_archive_get_display_name (archive), "a.tar.xz");

  /* "./" is dropped from entry paths. */
  e = sf_archive_find_entry (archive, "x/big.img");
  ck_assert_ptr_nonnull (e);
  ck_assert (e->size_known);
  ck_assert_uint_eq (e->size, g_bytes_get_size (big));
  ck_assert (sf_archive_measure_entry (archive, e, &measured, NULL, &error));
  ck_assert_uint_eq (measured, g_bytes_get_size (big));

  /* Two entries streamed at once, each with its own reader. */
  s1 = sf_archive_open_entry (archive, e, NULL, &error);
  ck_assert_msg (s1 != NULL, "%s", error ? error->message : "?");
  s2 = sf_archive_open_entry (archive, sf_archive_find_entry (archive, "x/small.bin"), NULL, &error);
  ck_assert_msg (s2 != NULL, "%s", error ? error->message : "?");

  got = sha256_of_stream (s2, &len);
  ck_assert_uint_eq (len, 512);
  ck_assert_str_eq (got, want_small);
  g_free (got);
  got = sha256_of_stream (s1, &len);
  ck_assert_uint_eq (len, g_bytes_get_size (big));
  ck_assert_str_eq (got, want_big);
  ck_assert (g_input_stream_close (s1, NULL, NULL));

  /* Reading a closed stream is an error, not a crash. */
  {
    guint8 buf[16];

    ck_assert_int_eq (g_input_stream_read (s1, buf, sizeof buf, NULL, NULL), -1);
  }
}
END_TEST

typedef struct {
  GHashTable *set;    /* entry basename → GBytes written */
  guint       calls;
} HeadCheck;

static gboolean
on_head (const SfArchiveEntry  *entry,
         const guint8          *head,
         gsize                  head_len,
         const GError          *read_error,
         gpointer               user_data,
         GError               **error)
{
  HeadCheck *check = user_data;
  g_autofree char *base = g_path_get_basename (entry->path);
  GBytes *bytes = g_hash_table_lookup (check->set, base);
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  ck_assert_msg (read_error == NULL, "%s: %s", entry->path, read_error->message);
  ck_assert_msg (entry->size_known, "%s: size still unknown", entry->path);
  ck_assert_uint_eq (entry->size, len);
  ck_assert_uint_eq (head_len, MIN (len, SF_IMAGE_PROBE_BYTES));
  ck_assert (head_len == 0 || memcmp (head, data, head_len) == 0);
  check->calls++;
  return TRUE;
}

/* Zip offset of the central directory, from the end-of-central-directory
 * record (no comment, so it is the last 22 bytes). */
static gsize
zip_central_directory (const guint8 *data,
                       gsize         len)
{
  const guint8 *eocd = data + len - 22;

  ck_assert (memcmp (eocd, "PK\x05\x06", 4) == 0);
  return eocd[16] | (eocd[17] << 8) | (eocd[18] << 16) | ((gsize) eocd[19] << 24);
}

START_TEST (test_archive_heads)
{
  g_autofree char *path = g_build_filename (tmpdir, "images.zip", NULL);
  g_autofree char *streamed = g_build_filename (tmpdir, "streamed.zip", NULL);
  g_autoptr(GHashTable) set = make_image_set ();
  g_autofree char *data = NULL;
  gsize len = 0;

  write_archive (path, KIND_ZIP, set);

  /* Once with the central directory (sizes known), once cut off just after
   * its first bytes: then libarchive reads the zip front to back, the
   * sizes of deflated entries come after their data, and are counted. */
  ck_assert (g_file_get_contents (path, &data, &len, NULL));
  sf_test_write_file (streamed, data, zip_central_directory ((const guint8 *) data, len) + 64);

  for (guint round = 0; round < 2; round++) {
    g_autoptr(GFile) file = g_file_new_for_path (round == 0 ? path : streamed);
    g_autoptr(SfArchive) archive = NULL;
    g_autoptr(GPtrArray) wanted = g_ptr_array_new ();
    g_autoptr(GError) error = NULL;
    GPtrArray *entries;
    HeadCheck check = { set, 0 };
    guint n_unknown = 0;

    archive = sf_archive_open (file, NULL, &error);
    ck_assert_msg (archive != NULL, "%s", error ? error->message : "?");
    entries = sf_archive_get_entries (archive);
    ck_assert_uint_eq (entries->len, g_hash_table_size (set) + 2);   /* + scatter, notes.md */
    for (guint i = 0; i < entries->len; i++) {
      SfArchiveEntry *e = g_ptr_array_index (entries, i);

      ck_assert_ptr_null (e->kept);
      if (!e->size_known)
        n_unknown++;
      if (g_str_has_prefix (e->path, "firmware/") && !g_str_has_suffix (e->path, "/" SCATTER_NAME))
        g_ptr_array_add (wanted, e);
    }
    if (round == 1)
      ck_assert_uint_gt (n_unknown, 0);

    ck_assert_msg (sf_archive_read_heads (archive, wanted, SF_IMAGE_PROBE_BYTES, on_head, &check, NULL, &error),
                   "%s", error ? error->message : "?");
    ck_assert_uint_eq (check.calls, g_hash_table_size (set));
  }

  /* The whole firmware from the streamed zip: same states, sizes and bytes. */
  {
    g_autoptr(SfFirmware) fw = open_firmware (streamed);

    check_firmware (fw, set, "streamed.zip/firmware/");
  }
}
END_TEST

START_TEST (test_zip_without_scatter)
{
  g_autofree char *path = g_build_filename (tmpdir, "photos.zip", NULL);
  g_autoptr(GBytes) img = make_mbr ();
  g_autoptr(GError) error = NULL;
  struct archive *a = archive_begin (path, KIND_ZIP);

  archive_add (a, "boot.img", img);
  archive_add (a, "a/b/c/deep_scatter.txt", img);   /* too deep to count */
  archive_end (a);

  error = open_firmware_fails (path, SF_ERROR_NO_SCATTER);
  assert_starts_with (error, "photos.zip: no scatter file");
}
END_TEST

START_TEST (test_corrupt_archives)
{
  g_autofree char *good = g_build_filename (tmpdir, "good.zip", NULL);
  g_autofree char *cut = g_build_filename (tmpdir, "cut.zip", NULL);
  g_autofree char *cut_tgz = g_build_filename (tmpdir, "cut.tar.gz", NULL);
  g_autofree char *junk = g_build_filename (tmpdir, "junk.zip", NULL);
  g_autofree char *empty = g_build_filename (tmpdir, "empty.7z", NULL);
  g_autoptr(GHashTable) set = make_image_set ();
  g_autofree char *data = NULL;
  gsize len = 0;
  GByteArray *noise = g_byte_array_new ();

  write_archive (good, KIND_ZIP, set);
  ck_assert (g_file_get_contents (good, &data, &len, NULL));

  /* Cut in the middle: the central directory is gone and a local entry ends
   * early. Try several cut points. */
  for (gsize at = 100; at < len; at += len / 7) {
    g_autoptr(GError) error = NULL;
    g_autoptr(GFile) file = g_file_new_for_path (cut);
    g_autoptr(SfFirmware) fw = NULL;

    sf_test_write_file (cut, data, at);
    fw = sf_firmware_open (file, NULL, &error);
    if (fw == NULL) {
      ck_assert (error != NULL);
      ck_assert_msg (error->domain == SF_ERROR, "%s", error->message);
      assert_starts_with (error, "cut.zip");
    } else {
      /* Cut after the scatter: it opens and the cut images are reported. */
      ck_assert (sf_firmware_get_scatter (fw) != NULL);
    }
  }

  write_archive (good, KIND_TAR_GZ, set);
  g_clear_pointer (&data, g_free);
  ck_assert (g_file_get_contents (good, &data, &len, NULL));
  sf_test_write_file (cut_tgz, data, len / 2);
  {
    g_autoptr(GError) error = open_firmware_fails (cut_tgz, SF_ERROR_ARCHIVE);

    assert_mentions (error, " — ");
  }

  put_noise (noise, 5000, 99);
  sf_test_write_file (junk, noise->data, noise->len);
  g_byte_array_unref (noise);
  {
    g_autoptr(GError) error = open_firmware_fails (junk, SF_ERROR_ARCHIVE);

    assert_starts_with (error, "junk.zip: ");
  }

  sf_test_write_file (empty, "", 0);
  g_error_free (open_firmware_fails (empty, ANY_SF_ERROR));
}
END_TEST

/* libarchive does not compare a stored RAR entry with its CRC-32 (3.6.2):
 * our own reading of the headers does. A bit flipped in an image's data
 * (its header intact) is damage the check pass finds, and a stream of the
 * image fails at its end; the image is never called verified. A damaged
 * scatter stops the opening. */
START_TEST (test_rar_crc_mismatch)
{
  ArchiveKind kind = _i == 0 ? KIND_RAR4 : KIND_RAR5;
  g_autofree char *path = g_build_filename (tmpdir, archive_names[kind], NULL);
  g_autoptr(GHashTable) set = make_image_set ();
  g_autoptr(SfFirmware) fw = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) stream = NULL;
  SfPartition *cache;
  gssize n;
  char buf[4096];

  write_rar (path, kind, set, "firmware/cache.img");
  fw = open_firmware (path);
  cache = sf_layout_find_partition (sf_scatter_get_layout (sf_firmware_get_scatter (fw), 0), "CACHE");
  ck_assert_int_eq (sf_firmware_get_image_state (fw, cache), SF_IMAGE_STATE_OK);

  ck_assert (!check_all_images (fw, &error));
  ck_assert_msg (g_error_matches (error, SF_ERROR, SF_ERROR_IMAGE_CHECKSUM), "%s", error->message);
  assert_mentions (error, "firmware/cache.img");
  assert_mentions (error, "CRC-32");
  ck_assert_ptr_null (sf_firmware_get_image_digest (fw, cache));
  g_clear_error (&error);

  stream = sf_firmware_open_image (fw, cache, NULL, &error);
  ck_assert_msg (stream != NULL, "%s", error ? error->message : "?");
  while ((n = g_input_stream_read (stream, buf, sizeof buf, NULL, &error)) > 0)
    ;
  ck_assert_int_eq (n, -1);
  ck_assert (g_error_matches (error, SF_ERROR, SF_ERROR_IMAGE_CHECKSUM));
  g_clear_error (&error);
  g_clear_object (&fw);

  write_rar (path, kind, set, "firmware/" SCATTER_NAME);
  error = open_firmware_fails (path, SF_ERROR_IMAGE_CHECKSUM);
  assert_mentions (error, SCATTER_NAME);
}
END_TEST

START_TEST (test_encrypted_zip)
{
  g_autofree char *path = g_build_filename (tmpdir, "locked.zip", NULL);
  g_autoptr(GError) error = NULL;
  struct archive *a = archive_write_new ();

  archive_write_set_format_zip (a);
  if (archive_write_set_options (a, "zip:encryption=traditional") != ARCHIVE_OK ||
      archive_write_set_passphrase (a, "secret") != ARCHIVE_OK) {
    /* libarchive built without zip encryption: nothing to test. */
    archive_write_free (a);
      return;
  }
  ck_assert_msg (archive_write_open_filename (a, path) == ARCHIVE_OK, "%s", archive_error_string (a));
  archive_add (a, "fw/" SCATTER_NAME, mt6572_scatter);
  archive_end (a);

  error = open_firmware_fails (path, SF_ERROR_ARCHIVE);
  assert_starts_with (error, "locked.zip/fw/" SCATTER_NAME ": ");
  assert_mentions (error, "encrypted");
  assert_mentions (error, "password");
}
END_TEST

START_TEST (test_odd_names)
{
  g_autoptr(GBytes) noise = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SfFirmware) fw = NULL;
  g_autofree char *cfg = g_build_filename (tmpdir, "hx72.cfg", NULL);
  g_autofree char *bin = g_build_filename (tmpdir, "firmware.bin", NULL);
  GByteArray *bytes = g_byte_array_new ();

  /* A scatter under a name that says nothing is still read as one. */
  write_bytes (cfg, mt6572_scatter);
  fw = open_firmware (cfg);
  ck_assert_str_eq (sf_scatter_get_project (sf_firmware_get_scatter (fw)), "hx72_a40_emmc");

  /* Binary data that is no archive: the archive reader's complaint. */
  put_noise (bytes, 3000, 5);
  noise = g_byte_array_free_to_bytes (bytes);
  write_bytes (bin, noise);
  error = open_firmware_fails (bin, SF_ERROR_ARCHIVE);
  assert_mentions (error, "not an archive");
}
END_TEST

START_TEST (test_scatter_choice)
{
  g_autoptr(GBytes) other = read_fixture ("mt6572-v1.1.1-emmc-16m-boot-upper-hex.txt");
  g_autofree char *main_path = g_build_filename (tmpdir, "MT6572_Android_scatter.txt", NULL);
  g_autofree char *other_path = g_build_filename (tmpdir, "old_scatter_backup.txt", NULL);
  g_autofree char *third_path = g_build_filename (tmpdir, "MT6572_Android_scatter_old.txt", NULL);
  g_autoptr(SfFirmware) fw = NULL;
  g_autoptr(GError) error = NULL;

  /* Two candidates, one of them *_Android_scatter*.txt: that one. */
  write_bytes (main_path, mt6572_scatter);
  write_bytes (other_path, other);
  fw = open_firmware (tmpdir);
  ck_assert_str_eq (sf_scatter_get_display_name (sf_firmware_get_scatter (fw)), main_path);
  ck_assert_str_eq (sf_scatter_get_project (sf_firmware_get_scatter (fw)), "hx72_a40_emmc");
  g_clear_object (&fw);

  /* Two that both look right: the user must choose, and is told which. */
  write_bytes (third_path, other);
  error = open_firmware_fails (tmpdir, SF_ERROR_MANY_SCATTERS);
  assert_mentions (error, "MT6572_Android_scatter.txt");
  assert_mentions (error, "MT6572_Android_scatter_old.txt");
}
END_TEST

START_TEST (test_scatter_depth)
{
  g_autofree char *deep_dir = g_build_filename (tmpdir, "HX72_A40", "SP_Flash", NULL);
  g_autofree char *deep = g_build_filename (deep_dir, SCATTER_NAME, NULL);
  g_autofree char *deeper = g_build_filename (tmpdir, "a", "b", "c", SCATTER_NAME, NULL);
  g_autofree char *boot = g_build_filename (deep_dir, "boot.img", NULL);
  g_autofree char *junk = g_build_filename (tmpdir, "__MACOSX", "._" SCATTER_NAME, NULL);
  g_autoptr(GBytes) img = make_android_boot ();
  g_autoptr(SfFirmware) fw = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *empty_dir = g_build_filename (tmpdir, "empty", NULL);

  ck_assert_int_eq (g_mkdir (empty_dir, 0755), 0);

  /* Three levels down is too deep. */
  write_bytes (deeper, mt6572_scatter);
  error = open_firmware_fails (tmpdir, SF_ERROR_NO_SCATTER);

  /* Two levels down is found, and macOS leftovers are ignored; images are
   * next to the scatter. */
  write_bytes (deep, mt6572_scatter);
  write_bytes (boot, img);
  write_bytes (junk, mt6572_scatter);
  fw = open_firmware (tmpdir);
  ck_assert_str_eq (sf_scatter_get_display_name (sf_firmware_get_scatter (fw)), deep);
  assert_image (fw, "BOOTIMG", SF_IMAGE_STATE_OK, NULL, ANY_KIND);

  g_clear_error (&error);
  error = open_firmware_fails (empty_dir, SF_ERROR_NO_SCATTER);
  assert_mentions (error, ": no scatter file (…_Android_scatter.txt) in this folder — pick the folder the firmware was unpacked to");

  g_clear_error (&error);
  {
    g_autofree char *nowhere = g_build_filename (empty_dir, "nothing-here", NULL);

    error = open_firmware_fails (nowhere, SF_ERROR_SCATTER_OPEN);
  }
}
END_TEST

START_TEST (test_case_insensitive)
{
  g_autoptr(GBytes) lk = make_mtk_header ("LK", 1000);
  g_autoptr(GBytes) boot = make_android_boot ();
  g_autoptr(GBytes) sys = make_sparse (1, 1, 1);
  g_autoptr(SfFirmware) fw = NULL;

  write_named (tmpdir, SCATTER_NAME, mt6572_scatter);
  write_named (tmpdir, "Lk.Bin", lk);
  write_named (tmpdir, "BOOT.IMG", boot);
  /* An exact match wins over a case-insensitive one. */
  write_named (tmpdir, "System.img", boot);
  write_named (tmpdir, "system.img", sys);

  fw = open_firmware (tmpdir);
  assert_image (fw, "UBOOT", SF_IMAGE_STATE_OK, "/Lk.Bin", ANY_KIND);
  assert_image (fw, "BOOTIMG", SF_IMAGE_STATE_OK, "/BOOT.IMG", ANY_KIND);
  assert_image (fw, "ANDROID", SF_IMAGE_STATE_OK, "/system.img", SF_IMAGE_KIND_SPARSE);
}
END_TEST

START_TEST (test_legacy)
{
  g_autoptr(GBytes) scatter = read_fixture (LEGACY_FIXTURE);
  g_autoptr(GBytes) boot = make_android_boot ();
  g_autoptr(GBytes) gfh = make_gfh_preloader ();
  g_autoptr(GBytes) mbr = make_mbr ();
  g_autoptr(SfFirmware) fw = NULL;
  g_autoptr(GError) error = NULL;
  SfPartition *p;

  write_named (tmpdir, "MT6589_Android_scatter_emmc.txt", scatter);
  write_named (tmpdir, "boot.img", boot);
  write_named (tmpdir, "preloader_sf89.bin", gfh);
  write_named (tmpdir, "EBR2", mbr);

  fw = open_firmware (tmpdir);
  ck_assert_int_eq (sf_scatter_get_format (sf_firmware_get_scatter (fw)), SF_SCATTER_FORMAT_LEGACY);

  /* No file name in a legacy file: the one its partition name implies. */
  p = assert_image (fw, "BOOTIMG", SF_IMAGE_STATE_OK, "/boot.img", SF_IMAGE_KIND_ANDROID_BOOT);
  ck_assert_ptr_null (p->file_name);

  /* No project in a legacy file: the one preloader*.bin there is. */
  assert_image (fw, "PRELOADER", SF_IMAGE_STATE_OK, "/preloader_sf89.bin", SF_IMAGE_KIND_GFH);
  assert_image (fw, "EBR2", SF_IMAGE_STATE_OK, NULL, ANY_KIND);

  p = assert_image (fw, "UBOOT", SF_IMAGE_STATE_MISSING, NULL, ANY_KIND);
  ck_assert (!sf_firmware_check_image (fw, p, &error));
  assert_mentions (error, "lk.bin is missing (partition UBOOT)");

  assert_image (fw, "ANDROID", SF_IMAGE_STATE_MISSING, NULL, ANY_KIND);
  assert_image (fw, "NVRAM", SF_IMAGE_STATE_NONE, NULL, ANY_KIND);
  g_clear_object (&fw);

  /* Two preloaders: neither is guessed, and the message says why. */
  write_named (tmpdir, "preloader_other.bin", gfh);
  fw = open_firmware (tmpdir);
  p = assert_image (fw, "PRELOADER", SF_IMAGE_STATE_MISSING, NULL, ANY_KIND);
  g_clear_error (&error);
  ck_assert (!sf_firmware_check_image (fw, p, &error));
  assert_mentions (error, "preloader_other.bin, preloader_sf89.bin");
}
END_TEST

START_TEST (test_shared_image)
{
  /* One file for two partitions (scp.img for scp1 and scp2) is fine. */
  static const char header[] =
    "- general: MTK_PLATFORM_CFG\n"
    "  info:\n"
    "    - config_version: V1.1.2\n"
    "      platform: MT6771\n"
    "      project: test\n"
    "      storage: EMMC\n"
    "      boot_channel: MSDC_0\n"
    "      block_size: 0x20000\n";
  static const struct {
    guint32 start, size;
  } parts[] = {
    { 0x0, 0x100000 },
    { 0x100000, 0x1000 },
  };
  g_autoptr(GString) scatter = g_string_new (header);
  g_autofree char *path = g_build_filename (tmpdir, "MT6771_Android_scatter.txt", NULL);
  g_autofree char *img_path = g_build_filename (tmpdir, "scp.img", NULL);
  g_autoptr(GBytes) img = make_mtk_header ("SCP", 8000);
  g_autoptr(SfFirmware) fw = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++) {
    g_string_append_printf (scatter,
                            "- partition_index: SYS%u\n"
                            "  partition_name: scp%u\n"
                            "  file_name: scp.img\n"
                            "  is_download: true\n"
                            "  type: NORMAL_ROM\n"
                            "  linear_start_addr: 0x%x\n"
                            "  physical_start_addr: 0x%x\n"
                            "  partition_size: 0x%x\n"
                            "  region: EMMC_USER\n"
                            "  storage: HW_STORAGE_EMMC\n"
                            "  boundary_check: true\n"
                            "  is_reserved: false\n"
                            "  operation_type: UPDATE\n"
                            "  reserve: 0x00\n"
                            "\n",
                            i, i + 1, parts[i].start, parts[i].start, parts[i].size);
  }
  sf_test_write_file (path, scatter->str, scatter->len);
  write_bytes (img_path, img);
  fw = open_firmware (path);
  assert_image (fw, "scp1", SF_IMAGE_STATE_OK, NULL, ANY_KIND);
  /* The same file is too large for the 4 KiB scp2. */
  assert_image (fw, "scp2", SF_IMAGE_STATE_TOO_LARGE, NULL, ANY_KIND);
  ck_assert_ptr_eq (sf_firmware_get_image (fw, find_partition (fw, "scp1")),
                    sf_firmware_get_image (fw, find_partition (fw, "scp2")));
}
END_TEST

START_TEST (test_sample_firmware)
{
  /* The sample firmware the quick start flashes: every image there and fit. */
  const char *dir = g_getenv ("SF_SAMPLE_FIRMWARE");
  g_autoptr(SfFirmware) fw = NULL;
  SfPartition *android;
  SfLayout *layout;
  guint n_ok = 0;

  ck_assert_msg (dir != NULL, "SF_SAMPLE_FIRMWARE is not set: run the tests with meson test");
  fw = open_firmware (dir);
  layout = sf_scatter_get_layout (sf_firmware_get_scatter (fw), 0);
  ck_assert_str_eq (sf_scatter_get_project (sf_firmware_get_scatter (fw)), "scatterflash_sample");

  for (guint i = 0; i < layout->partitions->len; i++) {
    SfPartition *p = g_ptr_array_index (layout->partitions, i);
    g_autoptr(GError) error = NULL;
    SfImageState state = sf_firmware_get_image_state (fw, p);

    if (p->file_name == NULL) {
      ck_assert_int_eq (state, SF_IMAGE_STATE_NONE);
      continue;
    }
    ck_assert_msg (sf_firmware_check_image (fw, p, &error), "%s", error ? error->message : "?");
    n_ok++;
  }
  ck_assert_uint_eq (n_ok, 11);
  assert_image (fw, "PRELOADER", SF_IMAGE_STATE_OK, NULL, SF_IMAGE_KIND_GFH);
  assert_image (fw, "UBOOT", SF_IMAGE_STATE_OK, NULL, SF_IMAGE_KIND_MTK_HEADER);
  assert_image (fw, "BOOTIMG", SF_IMAGE_STATE_OK, NULL, SF_IMAGE_KIND_ANDROID_BOOT);
  android = assert_image (fw, "ANDROID", SF_IMAGE_STATE_OK, NULL, SF_IMAGE_KIND_SPARSE);
  /* The ext4 image is smaller than its partition on purpose
   * (tools/make-sample-firmware.sh): 4 MiB expanded. */
  ck_assert_uint_eq (sf_firmware_get_image (fw, android)->data_size, 4 * 1024 * 1024);
  ck_assert_uint_le (sf_firmware_get_image (fw, android)->data_size, android->size);
  assert_image (fw, "SEC_RO", SF_IMAGE_STATE_OK, NULL, SF_IMAGE_KIND_RAW);
}
END_TEST

/* ---- the download agent that ships with the firmware ------------------------------ */

static GBytes *
read_synthetic_da (void)
{
  const char *path = g_getenv ("SF_SYNTHETIC_DA");
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize len = 0;

  ck_assert_msg (path != NULL, "SF_SYNTHETIC_DA is not set: run the tests with meson test");
  ck_assert_msg (g_file_get_contents (path, &data, &len, &error), "%s", error ? error->message : "?");
  return g_bytes_new_take (data, len);
}

/* Named like a DA file, but not one. */
static GBytes *
make_fake_da (void)
{
  return g_bytes_new_static ("MTK_DOWNLOAD_AGENT but nothing after it\n", 40);
}

/* The firmware's DA; fails the test when it has none. */
static SfDaFile *
assert_da (SfFirmware *fw,
           const char *want_name)
{
  g_autoptr(GError) error = NULL;
  SfDaFile *da = sf_firmware_open_da (fw, NULL, &error);

  ck_assert_msg (error == NULL, "%s", error->message);
  ck_assert_msg (da != NULL, "no DA found, wanted %s", want_name);
  ck_assert_str_eq (sf_da_file_get_display_name (da), want_name);
  ck_assert_msg (g_str_has_prefix (sf_da_file_get_identifier (da), "MTK_AllInOne_DA"),
                 "%s", sf_da_file_get_identifier (da));
  ck_assert_uint_ge (sf_da_file_get_n_entries (da), 3);
  return da;
}

static void
assert_no_da (SfFirmware *fw)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SfDaFile) da = sf_firmware_open_da (fw, NULL, &error);

  ck_assert_msg (da == NULL, "found %s", da != NULL ? sf_da_file_get_display_name (da) : "");
  ck_assert_msg (error == NULL, "%s", error->message);
}

/* The MT6572 entry's DA1 and DA2 as @da streams them are the bytes of the
 * synthetic DA file. */
static void
assert_da_regions (SfDaFile *da,
                   GBytes   *bytes)
{
  g_autoptr(GError) error = NULL;
  const SfDaEntry *entry = sf_da_file_find_entry (da, 0x6572, 0, 0, &error);
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  ck_assert_msg (entry != NULL, "%s", error ? error->message : "?");
  ck_assert_uint_eq (sf_da_file_get_size (da), len);
  for (guint r = SF_DA_REGION_DA1; r <= SF_DA_REGION_DA2; r++) {
    const SfDaRegion *region = &entry->regions[r];
    g_autoptr(GInputStream) s = sf_da_file_open_region (da, entry, r, NULL, &error);
    g_autofree char *want = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data + region->offset,
                                                         region->length);
    g_autofree char *got = NULL;
    guint64 total = 0;

    ck_assert_msg (s != NULL, "%s", error ? error->message : "?");
    got = sha256_of_stream (s, &total);
    ck_assert_uint_eq (total, region->length);
    ck_assert_str_eq (got, want);
  }
}

/* Opens the firmware at @path: its DA is @want_name (NULL: it has none and
 * says no error), and that DA's MT6572 regions stream as @da_bytes. */
static void
check_da_choice (const char *path,
                 const char *want_name,
                 GBytes     *da_bytes)
{
  g_autoptr(SfFirmware) fw = open_firmware (path);

  if (want_name == NULL) {
    assert_no_da (fw);
  } else {
    g_autoptr(SfDaFile) da = assert_da (fw, want_name);

    assert_da_regions (da, da_bytes);
  }
}

START_TEST (test_da_in_folder)
{
  g_autofree char *fw_dir = g_build_filename (tmpdir, "firmware", NULL);
  g_autofree char *scatter_path = g_build_filename (fw_dir, SCATTER_NAME, NULL);
  g_autofree char *mtk_da = g_build_filename (fw_dir, "MTK_AllInOne_DA.bin", NULL);
  g_autofree char *swsec = g_build_filename (fw_dir, "DA_SWSEC.bin", NULL);
  g_autoptr(GBytes) da_bytes = read_synthetic_da ();
  g_autoptr(GBytes) fake = make_fake_da ();
  g_autoptr(GBytes) img = make_android_boot ();

  write_bytes (scatter_path, mt6572_scatter);
  write_named (fw_dir, "boot.img", img);
  /* A real DA, but not named like one; and names with "da" inside a word. */
  write_named (fw_dir, "data.bin", da_bytes);
  write_named (fw_dir, "lk_dapp.bin", da_bytes);
  write_named (fw_dir, "MTK_AllInOne_DA.txt", da_bytes);
  check_da_choice (tmpdir, NULL, da_bytes);

  /* An invalid DA named first is passed over; "AllInOne" wins over another
   * valid one; a macOS "._" leftover is no candidate. */
  write_named (fw_dir, "A_AllInOne_DA.bin", fake);
  write_named (fw_dir, "._MTK_AllInOne_DA.bin", da_bytes);
  write_named (fw_dir, "DA_SWSEC.bin", da_bytes);
  write_named (fw_dir, "MTK_AllInOne_DA.bin", da_bytes);
  check_da_choice (tmpdir, mtk_da, da_bytes);

  /* Without it, the other one. */
  ck_assert_int_eq (g_unlink (mtk_da), 0);
  check_da_choice (scatter_path, swsec, da_bytes);

  /* Only invalid ones: none, and no error. */
  write_bytes (swsec, fake);
  check_da_choice (tmpdir, NULL, da_bytes);
}
END_TEST

START_TEST (test_da_folder_one_level_up)
{
  g_autofree char *fw_dir = g_build_filename (tmpdir, "firmware", NULL);
  g_autofree char *scatter_path = g_build_filename (fw_dir, SCATTER_NAME, NULL);
  g_autofree char *up_da = g_build_filename (tmpdir, "MTK_AllInOne_DA.bin", NULL);
  g_autofree char *near_da = g_build_filename (fw_dir, "da_pl.bin", NULL);
  g_autofree char *deep_dir = g_build_filename (tmpdir, "x", "y", NULL);
  g_autoptr(GBytes) da_bytes = read_synthetic_da ();

  write_bytes (scatter_path, mt6572_scatter);
  write_bytes (up_da, da_bytes);
  /* In a folder beside the scatter's: not looked at. */
  write_named (deep_dir, "MTK_DA_V5.bin", da_bytes);

  /* The folder the user gave holds the firmware folder and the DA. */
  check_da_choice (tmpdir, up_da, da_bytes);
  /* Never above the folder, or the scatter's folder, the user gave. */
  check_da_choice (fw_dir, NULL, da_bytes);
  check_da_choice (scatter_path, NULL, da_bytes);

  /* One next to the scatter comes before one a level up. */
  write_bytes (near_da, da_bytes);
  check_da_choice (tmpdir, near_da, da_bytes);
}
END_TEST

/* What goes into a DA test archive. */
typedef enum {
  PUT_SCATTER,
  PUT_IMAGE,
  PUT_DA,
  PUT_FAKE_DA,
} Put;

typedef struct {
  const char *path;
  Put         put;
} DaMember;

typedef struct {
  DaMember    members[5];   /* up to a NULL path */
  const char *want;         /* the DA found, after "ARCHIVE/"; NULL = none */
} DaArchiveCase;

static const DaArchiveCase da_archive_cases[] = {
  /* None: a real DA not named like one, and one in a folder beside the
   * scatter's. */
  { { { "firmware/" SCATTER_NAME, PUT_SCATTER }, { "firmware/boot.img", PUT_IMAGE },
      { "firmware/data.bin", PUT_DA }, { "tools/MTK_AllInOne_DA.bin", PUT_DA } }, NULL },
  /* An invalid one next to the scatter is passed over; the one a level up,
   * at the top of the archive, is taken, and read in place: streamed out of
   * the archive. */
  { { { "notes.md", PUT_IMAGE }, { "firmware/" SCATTER_NAME, PUT_SCATTER },
      { "firmware/A_AllInOne_DA.bin", PUT_FAKE_DA }, { "firmware/boot.img", PUT_IMAGE },
      { "MTK_DA_V5.bin", PUT_DA } }, "MTK_DA_V5.bin" },
  /* Next to the scatter wins over the top; AllInOne over another name. */
  { { { "DA_SWSEC.bin", PUT_DA }, { "firmware/" SCATTER_NAME, PUT_SCATTER },
      { "firmware/DA_PL.bin", PUT_DA }, { "firmware/MTK_AllInOne_DA.bin", PUT_DA } },
    "firmware/MTK_AllInOne_DA.bin" },
  /* A scatter at the top: nothing above it to look at. */
  { { { SCATTER_NAME, PUT_SCATTER }, { "sub/MTK_AllInOne_DA.bin", PUT_DA },
      { "MTK_AllInOne_DA.bin", PUT_FAKE_DA } }, NULL },
};

/* Loop index: the case, then 0 zip, 1 tar.gz. */
START_TEST (test_da_in_archive)
{
  const DaArchiveCase *dc = &da_archive_cases[_i / 2];
  ArchiveKind kind = _i % 2 == 0 ? KIND_ZIP : KIND_TAR_GZ;
  const char *name = archive_names[kind];
  g_autofree char *path = g_build_filename (tmpdir, name, NULL);
  g_autofree char *want = dc->want != NULL ? g_strdup_printf ("%s/%s", name, dc->want) : NULL;
  g_autoptr(GBytes) da_bytes = read_synthetic_da ();
  g_autoptr(GBytes) fake = make_fake_da ();
  g_autoptr(GBytes) img = make_android_boot ();
  GBytes *contents[] = { mt6572_scatter, img, da_bytes, fake };
  struct archive *a = archive_begin (path, kind);

  for (guint m = 0; m < G_N_ELEMENTS (dc->members) && dc->members[m].path != NULL; m++)
    archive_add (a, dc->members[m].path, contents[dc->members[m].put]);
  archive_end (a);
  check_da_choice (path, want, da_bytes);
}
END_TEST

static Suite *
firmware_suite (void)
{
  Suite *s = suite_create ("firmware");
  TCase *image = tcase_create ("image");
  TCase *folder = tcase_create ("folder");
  TCase *archive = tcase_create ("archive");
  TCase *da = tcase_create ("da");

  tcase_add_test (image, test_probe_kinds);
  tcase_add_test (image, test_probe_sparse);
  tcase_add_test (image, test_probe_sparse_bad);
  suite_add_tcase (s, image);

  tcase_add_test (folder, test_folder);
  tcase_add_test (folder, test_set_image_file);
  tcase_add_test (folder, test_too_large_message);
  tcase_add_test (folder, test_scatter_choice);
  tcase_add_test (folder, test_scatter_depth);
  tcase_add_test (folder, test_case_insensitive);
  tcase_add_test (folder, test_legacy);
  tcase_add_test (folder, test_shared_image);
  tcase_add_test (folder, test_sample_firmware);
  suite_add_tcase (s, folder);

  tcase_add_loop_test (archive, test_archive, 0, G_N_ELEMENTS (archive_names));
  tcase_add_test (archive, test_archive_by_content);
  tcase_add_loop_test (archive, test_archive_check_pass, 0, G_N_ELEMENTS (archive_names));
  tcase_add_test (archive, test_gzip_several_members);
  tcase_add_test (archive, test_archive_entry_stream);
  tcase_add_test (archive, test_archive_heads);
  tcase_add_test (archive, test_zip_without_scatter);
  tcase_add_test (archive, test_corrupt_archives);
  tcase_add_loop_test (archive, test_rar_crc_mismatch, 0, 2);
  tcase_add_test (archive, test_encrypted_zip);
  tcase_add_test (archive, test_odd_names);
  suite_add_tcase (s, archive);

  tcase_add_checked_fixture (folder, setup, teardown);
  tcase_add_checked_fixture (archive, setup, teardown);
  tcase_add_checked_fixture (da, setup, teardown);
  tcase_set_timeout (da, 60);
  tcase_add_test (da, test_da_in_folder);
  tcase_add_test (da, test_da_folder_one_level_up);
  tcase_add_loop_test (da, test_da_in_archive, 0, 2 * G_N_ELEMENTS (da_archive_cases));
  suite_add_tcase (s, da);

  return s;
}

int
main (void)
{
  return sf_test_run_suite (firmware_suite ());
}
