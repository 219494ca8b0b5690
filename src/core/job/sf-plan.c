/* sf-plan.c
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sf-error.h"
#include "sf-plan.h"
#include "sf-units.h"

/* How many partition names an "unknown partition" error suggests. */
#define MAX_SUGGESTED_NAMES 8

struct _SfPlan
{
  GObject     parent_instance;

  SfFirmware *firmware;
  SfLayout   *layout;
  SfScene     scene;
  GArray     *steps;     /* (element-type SfPlanStep) */
  GPtrArray  *warnings;  /* (element-type SfIssue) */
  guint64     total_bytes;
};

G_DEFINE_FINAL_TYPE (SfPlan, sf_plan, G_TYPE_OBJECT)

/* Everything the scene builders share while a plan is being worked out. The
 * plan object itself is only made once every check has passed. */
typedef struct {
  SfFirmware *firmware;
  SfScatter  *scatter;
  SfLayout   *layout;
  SfScene     scene;
  const char *file;      /* the scatter's display name, for messages */
  GArray     *steps;
  GPtrArray  *warnings;
} PlanBuilder;

static const struct {
  const char *id;
  const char *title;
} scene_names[] = {
  [SF_SCENE_DOWNLOAD_ONLY] = { "download-only", N_("Download Only") },
  [SF_SCENE_FIRMWARE_UPGRADE] = { "firmware-upgrade", N_("Firmware Upgrade") },
  [SF_SCENE_FORMAT_ALL_DOWNLOAD] = { "format-all-download", N_("Format All + Download") },
  [SF_SCENE_FORMAT] = { "format", N_("Format") },
  [SF_SCENE_READBACK] = { "readback", N_("Readback") },
};

static void
step_clear (gpointer data)
{
  SfPlanStep *step = data;

  g_clear_pointer (&step->partition, sf_partition_unref);
  g_clear_pointer (&step->image, sf_image_unref);
  g_clear_object (&step->file);
}

static void
sf_plan_dispose (GObject *object)
{
  SfPlan *self = (SfPlan *) object;

  g_clear_object (&self->firmware);
  g_clear_pointer (&self->layout, sf_layout_unref);

  G_OBJECT_CLASS (sf_plan_parent_class)->dispose (object);
}

static void
sf_plan_finalize (GObject *object)
{
  SfPlan *self = (SfPlan *) object;

  g_clear_pointer (&self->steps, g_array_unref);
  g_clear_pointer (&self->warnings, g_ptr_array_unref);

  G_OBJECT_CLASS (sf_plan_parent_class)->finalize (object);
}

static void
sf_plan_class_init (SfPlanClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sf_plan_dispose;
  object_class->finalize = sf_plan_finalize;
}

static void
sf_plan_init (SfPlan *self)
{
}

/* The flash area a partition covers, as far as the scatter tells: 0 when the
 * start is counted from the end of the storage or the size is 0 ("up to the
 * end"), since only the device can tell then. */
static guint64
partition_length (const SfPartition *part)
{
  if (part->end_relative)
    return 0;
  return part->size;
}

/* Whether the scatter alone says where the partition lies and how long it
 * is. Default sets never write a partition that fails this. A legacy entry
 * carries no size of its own (the parser works it out from its neighbours,
 * or leaves 0 for the last one), so only a size the file writes as 0 counts. */
static gboolean
partition_place_is_known (const SfPartition *part)
{
  if (part->end_relative)
    return FALSE;
  return part->size != 0 || !part->has_size;
}

static gboolean
is_calibration (const SfPartition *part)
{
  return part->operation == SF_OPERATION_PROTECTED ||
         part->operation == SF_OPERATION_BINREGION;
}

static const char *
partition_display_name (const SfPartition *part)
{
  return part->name[0] != '\0' ? part->name : _("(unnamed)");
}

static void
add_step (PlanBuilder *b,
          SfStepKind   kind,
          SfPartition *part,
          SfImage     *image,
          guint64      transfer_bytes)
{
  SfPlanStep step = { 0, };

  step.kind = kind;
  if (part != NULL) {
    step.partition = sf_partition_ref (part);
    step.region = part->region;
    step.address = part->start;
    step.length = partition_length (part);
  }
  if (image != NULL)
    step.image = sf_image_ref (image);
  step.transfer_bytes = transfer_bytes;

  g_array_append_val (b->steps, step);
}

/* The image of @part if it can be written as it is, else %NULL. */
static SfImage *
get_ok_image (SfFirmware  *firmware,
              SfPartition *part)
{
  if (sf_firmware_get_image_state (firmware, part) != SF_IMAGE_STATE_OK)
    return NULL;
  return sf_firmware_get_image (firmware, part);
}

/* Only called for partitions get_ok_image() has vouched for. */
static void
add_download_step (PlanBuilder *b,
                   SfPartition *part)
{
  SfImage *image = get_ok_image (b->firmware, part);

  g_return_if_fail (image != NULL);
  add_step (b, SF_STEP_DOWNLOAD, part, image, image->data_size);
}

static void
add_partition_step (PlanBuilder *b,
                    SfStepKind   kind,
                    SfPartition *part)
{
  guint64 transfer = 0;

  if (kind == SF_STEP_BACKUP || kind == SF_STEP_RESTORE || kind == SF_STEP_READBACK)
    transfer = partition_length (part);
  add_step (b, kind, part, NULL, transfer);
}

/* A warning about @part, at its line in the scatter. */
static void add_warning (PlanBuilder       *b,
                         SfError            code,
                         const SfPartition *part,
                         const char        *field,
                         const char        *advice,
                         const char        *format,
                         ...) G_GNUC_PRINTF (6, 7);

static void
add_warning (PlanBuilder       *b,
             SfError            code,
             const SfPartition *part,
             const char        *field,
             const char        *advice,
             const char        *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list ap;

  va_start (ap, format);
  message = g_strdup_vprintf (format, ap);
  va_end (ap);

  g_ptr_array_add (b->warnings,
                   sf_issue_new (SF_SEVERITY_WARNING, code, b->file,
                                 part != NULL ? part->line : 0,
                                 field, advice, "%s", message));
}

static gboolean
image_is_ok (PlanBuilder *b,
             SfPartition *part)
{
  return get_ok_image (b->firmware, part) != NULL;
}

/* ---- picking the layout ------------------------------------------------- */

static SfLayout *
choose_layout (SfScatter   *scatter,
               const char  *storage,
               GError     **error)
{
  const char *file = sf_scatter_get_display_name (scatter);
  guint n_layouts = sf_scatter_get_n_layouts (scatter);
  g_autoptr(GString) names = NULL;
  g_autofree char *advice = NULL;
  SfLayout *layout;

  if (n_layouts == 0) {
    sf_set_error_at (error, SF_ERROR_SCATTER_FORMAT, file, 0,
                     _("load a scatter file that lists partitions"),
                     _("The scatter file has no partition list"));
    return NULL;
  }

  if (storage == NULL)
    return sf_scatter_get_layout (scatter, 0);

  layout = sf_scatter_find_layout (scatter, storage);
  if (layout != NULL)
    return layout;

  names = g_string_new (NULL);
  for (guint i = 0; i < n_layouts; i++) {
    SfLayout *l = sf_scatter_get_layout (scatter, i);

    if (names->len > 0)
      g_string_append (names, ", ");
    g_string_append (names, l->storage != NULL ? l->storage : _("(storage not named)"));
  }
  advice = g_strdup_printf (_("choose one of the storages it has: %s"), names->str);
  sf_set_error_at (error, SF_ERROR_UNSUPPORTED, file, 0, advice,
                   _("The scatter file has no partition list for %s storage"), storage);
  return NULL;
}

/* ---- the ticked set ----------------------------------------------------- */

static gboolean
partition_suggested (SfScene            scene,
                     const SfPartition *part)
{
  if (part->name[0] == '\0')
    return FALSE;

  switch (scene) {
  case SF_SCENE_DOWNLOAD_ONLY:
  case SF_SCENE_FIRMWARE_UPGRADE:
  case SF_SCENE_FORMAT_ALL_DOWNLOAD:
    return part->is_download && part->operation != SF_OPERATION_RESERVED;
  case SF_SCENE_FORMAT:
    return part->operation != SF_OPERATION_RESERVED;
  case SF_SCENE_READBACK:
  default:
    return TRUE;
  }
}

static void
set_unknown_partition_error (PlanBuilder  *b,
                             const char   *name,
                             GError      **error)
{
  g_autoptr(GString) names = g_string_new (NULL);
  g_autofree char *advice = NULL;
  guint n_listed = 0;
  gboolean more = FALSE;

  for (guint pass = 0; pass < 2 && n_listed == 0; pass++) {
    for (guint i = 0; i < b->layout->partitions->len; i++) {
      const SfPartition *part = g_ptr_array_index (b->layout->partitions, i);

      /* The second pass runs only when no partition suits the scene. */
      if (part->name[0] == '\0' || (pass == 0 && !partition_suggested (b->scene, part)))
        continue;
      if (n_listed == MAX_SUGGESTED_NAMES) {
        more = TRUE;
        break;
      }
      if (n_listed > 0)
        g_string_append (names, ", ");
      g_string_append (names, part->name);
      n_listed++;
    }
  }
  if (more)
    g_string_append (names, ", …");

  if (n_listed > 0)
    advice = g_strdup_printf (_("valid names include %s"), names->str);
  else
    advice = g_strdup (_("the scatter file names no partitions"));

  if (b->layout->storage != NULL && sf_scatter_get_n_layouts (b->scatter) > 1)
    sf_set_error_at (error, SF_ERROR_UNKNOWN_PARTITION, b->file, 0, advice,
                     _("The %s partition list has no partition named “%s”"),
                     b->layout->storage, name);
  else
    sf_set_error_at (error, SF_ERROR_UNKNOWN_PARTITION, b->file, 0, advice,
                     _("The scatter file has no partition named “%s”"), name);
}

/* Turns the names the user gave into a tick per partition of the layout
 * (same order as layout->partitions). Names match case-insensitively, and a
 * name given twice is ticked once. */
static gboolean *
resolve_names (PlanBuilder        *b,
               const char * const *names,
               GError            **error)
{
  guint n = b->layout->partitions->len;
  g_autofree gboolean *ticked = g_new0 (gboolean, MAX (n, 1));
  gboolean any = FALSE;

  for (guint k = 0; names[k] != NULL; k++) {
    const char *name = names[k];
    gboolean found = FALSE;

    if (name[0] != '\0') {
      for (guint i = 0; i < n; i++) {
        const SfPartition *part = g_ptr_array_index (b->layout->partitions, i);

        if (g_ascii_strcasecmp (part->name, name) == 0) {
          ticked[i] = TRUE;
          found = TRUE;
          break;
        }
      }
    }

    if (!found) {
      set_unknown_partition_error (b, name, error);
      return NULL;
    }
    any = TRUE;
  }

  if (!any) {
    sf_set_error_at (error, SF_ERROR_NOTHING_SELECTED, NULL, 0,
                     _("select at least one partition"),
                     _("No partition is selected"));
    return NULL;
  }

  return g_steal_pointer (&ticked);
}

static gboolean
check_not_reserved (PlanBuilder  *b,
                    SfPartition  *part,
                    SfError       code,
                    GError      **error)
{
  if (part->operation != SF_OPERATION_RESERVED)
    return TRUE;

  sf_set_error_at (error, code, b->file, part->line,
                   _("leave it out; reserved areas belong to the storage itself"),
                   _("Partition %s is RESERVED: it is never written or erased"),
                   partition_display_name (part));
  return FALSE;
}

/* The image of a partition the user ticked by name must be usable. The
 * firmware's own error says what is wrong with it, at the partition's line
 * (SF_ERROR_NOT_DOWNLOADABLE when the scatter names no file). */
static gboolean
check_ticked_image (PlanBuilder  *b,
                    SfPartition  *part,
                    GError      **error)
{
  SfImageState state;

  if (image_is_ok (b, part))
    return TRUE;
  if (!sf_firmware_check_image (b->firmware, part, error))
    return FALSE;

  /* The firmware finds nothing wrong, yet has no image to offer. */
  state = sf_firmware_get_image_state (b->firmware, part);
  sf_set_error_at (error, SF_ERROR_NOT_DOWNLOADABLE, b->file, part->line,
                   _("check the image file"),
                   _("The image of partition %s cannot be written (%s)"),
                   partition_display_name (part), sf_image_state_to_string (state));
  return FALSE;
}

/* SP Flash Tool: "Bootloaders must be selected/deselected together". Only
 * bootloaders that could be ticked at all (they have an image) count. */
static gboolean
check_bootloaders (PlanBuilder     *b,
                   const gboolean  *ticked,
                   GError         **error)
{
  g_autoptr(GString) all = g_string_new (NULL);
  SfPartition *first_ticked = NULL;
  SfPartition *first_unticked = NULL;
  g_autofree char *advice = NULL;

  for (guint i = 0; i < b->layout->partitions->len; i++) {
    SfPartition *part = g_ptr_array_index (b->layout->partitions, i);

    if (part->operation != SF_OPERATION_BOOTLOADERS || !image_is_ok (b, part))
      continue;

    if (all->len > 0)
      g_string_append (all, ", ");
    g_string_append (all, partition_display_name (part));

    if (ticked[i] && first_ticked == NULL)
      first_ticked = part;
    else if (!ticked[i] && first_unticked == NULL)
      first_unticked = part;
  }

  if (first_ticked == NULL || first_unticked == NULL)
    return TRUE;

  advice = g_strdup_printf (_("select all of %s, or none of them"), all->str);
  sf_set_error_at (error, SF_ERROR_BL_INCONSISTENT, b->file, first_unticked->line, advice,
                   _("Bootloaders must be selected or deselected together: %s is selected but %s is not"),
                   partition_display_name (first_ticked),
                   partition_display_name (first_unticked));
  return FALSE;
}

/* What a scene does to a calibration partition (NVRAM and friends); the
 * user is always told. */
typedef enum {
  CALIBRATION_WRITTEN,
  CALIBRATION_SKIPPED,
  CALIBRATION_FORMATTED,
} CalibrationFate;

static const struct {
  SfError     code;
  const char *consequence;
  const char *advice;
} calibration_fates[] = {
  [CALIBRATION_WRITTEN] = {
    SF_ERROR_FAILED,
    N_("writing it overwrites the phone's own calibration/IMEI with the firmware's copy"),
    N_("leave it out unless this image was read from this very phone"),
  },
  /* A scatter made by a backup tool lists NVRAM and friends with an image;
   * writing those by default would replace this phone's calibration. */
  [CALIBRATION_SKIPPED] = {
    SF_ERROR_NOT_DOWNLOADABLE,
    N_("its image is not written, so the phone keeps its own calibration/IMEI"),
    N_("select it by name with download-only if this image was read from this very phone"),
  },
  [CALIBRATION_FORMATTED] = {
    SF_ERROR_FAILED,
    N_("formatting it erases the phone's calibration/IMEI; a copy is read back first"),
    N_("keep the backup: it is the only copy of this phone's calibration"),
  },
};

static void
warn_calibration (PlanBuilder     *b,
                  CalibrationFate  fate,
                  SfPartition     *part)
{
  add_warning (b, calibration_fates[fate].code, part, "operation_type",
               _(calibration_fates[fate].advice),
               /* TRANSLATORS: partition name, its operation_type, then what
                * happens to it */
               _("Partition %s is %s: %s"),
               partition_display_name (part),
               sf_operation_to_string (part->operation),
               _(calibration_fates[fate].consequence));
}

static void
warn_unknown_place_skipped (PlanBuilder *b,
                            SfPartition *part)
{
  add_warning (b, SF_ERROR_NOT_DOWNLOADABLE, part,
               part->end_relative ? "linear_start_addr" : "partition_size",
               _("select it by name with download-only to write it anyway"),
               _("Partition %s is not written: the scatter file does not say where it ends"),
               partition_display_name (part));
}

/* Default sets write only partitions whose place the scatter tells. */
static gboolean
place_known_or_warn (PlanBuilder *b,
                     SfPartition *part)
{
  if (partition_place_is_known (part))
    return TRUE;
  warn_unknown_place_skipped (b, part);
  return FALSE;
}

/* Whether a default set writes @part, whose image is usable: not the
 * calibration, and only where the scatter tells the place. Says why when
 * it leaves one out. */
static gboolean
default_set_writes (PlanBuilder *b,
                    SfPartition *part)
{
  if (is_calibration (part)) {
    warn_calibration (b, CALIBRATION_SKIPPED, part);
    return FALSE;
  }
  return place_known_or_warn (b, part);
}

static void
add_ticked_steps (PlanBuilder    *b,
                  const gboolean *ticked,
                  SfStepKind      kind)
{
  for (guint i = 0; i < b->layout->partitions->len; i++) {
    if (ticked[i])
      add_partition_step (b, kind, g_ptr_array_index (b->layout->partitions, i));
  }
}

/* ---- scenes ------------------------------------------------------------- */

static gboolean
build_download_only (PlanBuilder        *b,
                     const char * const *names,
                     GError            **error)
{
  guint n = b->layout->partitions->len;
  g_autofree gboolean *ticked = NULL;
  gboolean any = FALSE;

  if (names != NULL) {
    ticked = resolve_names (b, names, error);
    if (ticked == NULL)
      return FALSE;

    for (guint i = 0; i < n; i++) {
      SfPartition *part = g_ptr_array_index (b->layout->partitions, i);

      if (!ticked[i])
        continue;
      if (!check_not_reserved (b, part, SF_ERROR_NOT_DOWNLOADABLE, error) ||
          !check_ticked_image (b, part, error))
        return FALSE;
    }

    if (!check_bootloaders (b, ticked, error))
      return FALSE;
  } else {
    ticked = g_new0 (gboolean, MAX (n, 1));

    for (guint i = 0; i < n; i++) {
      SfPartition *part = g_ptr_array_index (b->layout->partitions, i);

      if (!part->is_download || part->operation == SF_OPERATION_RESERVED)
        continue;
      /* An image the scatter names that is missing, empty, broken or too
       * large is an error, not a silent skip: flashing the rest could leave
       * the phone without, say, its boot image. Pick partitions by name to
       * leave it out. */
      if (part->file_name != NULL && !is_calibration (part) && !image_is_ok (b, part) &&
          sf_firmware_get_image_state (b->firmware, part) != SF_IMAGE_STATE_NONE)
        return check_ticked_image (b, part, error);
      /* Download Only never touches calibration unless asked by name. */
      if (image_is_ok (b, part) && default_set_writes (b, part))
        ticked[i] = TRUE;
    }
  }

  for (guint i = 0; i < n; i++) {
    SfPartition *part = g_ptr_array_index (b->layout->partitions, i);

    if (!ticked[i])
      continue;
    if (is_calibration (part))
      warn_calibration (b, CALIBRATION_WRITTEN, part);
    add_download_step (b, part);
    any = TRUE;
  }

  if (!any) {
    sf_set_error_at (error, SF_ERROR_NOTHING_SELECTED, b->file, 0,
                     _("put the image files next to the scatter file, then select at least one partition"),
                     _("No partition has an image to download"));
    return FALSE;
  }

  return TRUE;
}

static gboolean
check_fixed_set (PlanBuilder        *b,
                 const char * const *names,
                 GError            **error)
{
  if (names == NULL)
    return TRUE;

  sf_set_error_at (error, SF_ERROR_FAILED, NULL, 0,
                   _("choose download-only to pick partitions"),
                   _("The %s scene writes every image"),
                   sf_scene_get_title (b->scene));
  return FALSE;
}

/* SP Flash Tool's "check load integrity": scenes that write every image
 * refuse to start when one is missing ("Partition [x] No image file Exist!"). */
static gboolean
check_load_integrity (PlanBuilder  *b,
                      GError      **error)
{
  for (guint i = 0; i < b->layout->partitions->len; i++) {
    SfPartition *part = g_ptr_array_index (b->layout->partitions, i);
    const char *title = sf_scene_get_title (b->scene);

    if (!part->is_download || part->operation == SF_OPERATION_RESERVED ||
        image_is_ok (b, part))
      continue;

    switch (sf_firmware_get_image_state (b->firmware, part)) {
    case SF_IMAGE_STATE_NONE:
      sf_set_error_at (error, SF_ERROR_NOT_DOWNLOADABLE, b->file, part->line,
                       _("choose download-only to write only some partitions"),
                       _("Partition %s has no image file, but the %s scene writes every image"),
                       partition_display_name (part), title);
      return FALSE;

    case SF_IMAGE_STATE_MISSING:
      /* A legacy scatter names no file: the firmware knows which it meant. */
      if (part->file_name == NULL)
        return check_ticked_image (b, part, error);
      sf_set_error_at (error, SF_ERROR_IMAGE_MISSING, b->file, part->line,
                       _("put it next to the scatter file, or choose download-only to write only the images you have"),
                       _("%s is missing (partition %s), but the %s scene writes every image"),
                       part->file_name, partition_display_name (part), title);
      return FALSE;

    case SF_IMAGE_STATE_EMPTY:
    case SF_IMAGE_STATE_INVALID:
    case SF_IMAGE_STATE_TOO_LARGE:
    case SF_IMAGE_STATE_OK:
    default:
      /* A broken image: the firmware says best what is wrong with it. */
      return check_ticked_image (b, part, error);
    }
  }

  return TRUE;
}

static gboolean
layout_has_nvram (const SfLayout *layout)
{
  for (guint i = 0; i < layout->partitions->len; i++) {
    const SfPartition *part = g_ptr_array_index (layout->partitions, i);

    if (part->operation == SF_OPERATION_BINREGION ||
        g_ascii_strcasecmp (part->name, "nvram") == 0 ||
        g_ascii_strcasecmp (part->name, "nvdata") == 0)
      return TRUE;
  }
  return FALSE;
}

/* A backup (or restore) step for every calibration partition. */
static void
add_calibration_steps (PlanBuilder *b,
                       SfStepKind   kind)
{
  for (guint i = 0; i < b->layout->partitions->len; i++) {
    SfPartition *part = g_ptr_array_index (b->layout->partitions, i);

    if (is_calibration (part))
      add_partition_step (b, kind, part);
  }
}

static gboolean
build_firmware_upgrade (PlanBuilder        *b,
                        const char * const *names,
                        GError            **error)
{
  if (!check_fixed_set (b, names, error))
    return FALSE;

  if (!layout_has_nvram (b->layout)) {
    sf_set_error_at (error, SF_ERROR_NO_NVRAM, b->file, 0,
                     _("use the scatter file made for this phone, or choose download-only"),
                     _("The scatter file has no NVRAM partition, and Firmware Upgrade needs one to keep the phone's calibration"));
    return FALSE;
  }

  if (!check_load_integrity (b, error))
    return FALSE;

  /* Our addition to SP Flash Tool: the calibration is on the host before
   * anything on the phone changes. */
  add_calibration_steps (b, SF_STEP_BACKUP);

  for (guint i = 0; i < b->layout->partitions->len; i++) {
    SfPartition *part = g_ptr_array_index (b->layout->partitions, i);

    /* Where the scatter cannot say where a partition is, leave it alone. */
    if (part->end_relative)
      continue;

    switch (part->operation) {
    case SF_OPERATION_BOOTLOADERS:
      /* SP Flash Tool does not erase the boot area first (its format step
       * for bootloaders does nothing unless "format whole flash" is set). */
      if (part->is_download && place_known_or_warn (b, part))
        add_download_step (b, part);
      break;

    case SF_OPERATION_UPDATE:
    case SF_OPERATION_NONE:
      /* Legacy entries have no operation_type: like UPDATE, written when
       * the download flag says so. */
      add_partition_step (b, SF_STEP_FORMAT, part);
      if (part->is_download && place_known_or_warn (b, part))
        add_download_step (b, part);
      break;

    case SF_OPERATION_INVISIBLE:
    case SF_OPERATION_UNKNOWN:
      add_partition_step (b, SF_STEP_FORMAT, part);
      break;

    case SF_OPERATION_PROTECTED:
    case SF_OPERATION_BINREGION:
      /* Kept where they are; a moved layout is dealt with once the device's
       * own partition table is known. */
      break;

    case SF_OPERATION_RESERVED:
    default:
      break;
    }
  }

  return TRUE;
}

static gboolean
build_format_all_download (PlanBuilder        *b,
                           const char * const *names,
                           GError            **error)
{
  if (!check_fixed_set (b, names, error) || !check_load_integrity (b, error))
    return FALSE;

  add_calibration_steps (b, SF_STEP_BACKUP);
  add_step (b, SF_STEP_FORMAT_ALL, NULL, NULL, 0);

  for (guint i = 0; i < b->layout->partitions->len; i++) {
    SfPartition *part = g_ptr_array_index (b->layout->partitions, i);

    if (part->is_download && part->operation != SF_OPERATION_RESERVED &&
        image_is_ok (b, part) && default_set_writes (b, part))
      add_download_step (b, part);
  }

  /* SP Flash Tool loses the IMEI here; we put the backups back. */
  add_calibration_steps (b, SF_STEP_RESTORE);

  return TRUE;
}

static gboolean
build_format (PlanBuilder        *b,
              const char * const *names,
              GError            **error)
{
  guint n = b->layout->partitions->len;
  g_autofree gboolean *ticked = NULL;

  if (names == NULL) {
    /* "Auto format: whole flash except bootloaders" — and, our choice, except
     * the calibration too. */
    for (guint i = 0; i < n; i++) {
      SfPartition *part = g_ptr_array_index (b->layout->partitions, i);

      switch (part->operation) {
      case SF_OPERATION_BOOTLOADERS:
      case SF_OPERATION_PROTECTED:
      case SF_OPERATION_BINREGION:
      case SF_OPERATION_RESERVED:
        continue;
      case SF_OPERATION_NONE:
      case SF_OPERATION_UPDATE:
      case SF_OPERATION_INVISIBLE:
      case SF_OPERATION_UNKNOWN:
      default:
        break;
      }
      if (part->end_relative)
        continue;
      add_partition_step (b, SF_STEP_FORMAT, part);
    }

    if (b->steps->len == 0) {
      sf_set_error_at (error, SF_ERROR_NOTHING_SELECTED, b->file, 0,
                       _("select the partitions to format by name"),
                       _("The scatter file has no partition that may be formatted by default"));
      return FALSE;
    }
    return TRUE;
  }

  ticked = resolve_names (b, names, error);
  if (ticked == NULL)
    return FALSE;

  for (guint i = 0; i < n; i++) {
    SfPartition *part = g_ptr_array_index (b->layout->partitions, i);

    if (ticked[i] && !check_not_reserved (b, part, SF_ERROR_UNSUPPORTED, error))
      return FALSE;
  }

  /* Backups first, so the calibration is safe before anything is erased. */
  for (guint i = 0; i < n; i++) {
    SfPartition *part = g_ptr_array_index (b->layout->partitions, i);

    if (!ticked[i] || !is_calibration (part))
      continue;

    warn_calibration (b, CALIBRATION_FORMATTED, part);
    add_partition_step (b, SF_STEP_BACKUP, part);
  }

  add_ticked_steps (b, ticked, SF_STEP_FORMAT);
  return TRUE;
}

static gboolean
build_readback (PlanBuilder        *b,
                const char * const *names,
                GError            **error)
{
  g_autofree gboolean *ticked = NULL;

  if (names == NULL) {
    sf_set_error_at (error, SF_ERROR_NOTHING_SELECTED, NULL, 0,
                     _("select at least one partition"),
                     _("Readback needs the partitions to read"));
    return FALSE;
  }

  ticked = resolve_names (b, names, error);
  if (ticked == NULL)
    return FALSE;

  add_ticked_steps (b, ticked, SF_STEP_READBACK);
  return TRUE;
}

/* ---- public API --------------------------------------------------------- */

/**
 * sf_plan_new:
 * @firmware: the firmware to flash from
 * @storage: (nullable): which layout of a V2 combo scatter to use ("EMMC",
 *   "UFS", any case); %NULL for the first
 * @scene: what to do
 * @partitions: (nullable) (array zero-terminated=1): names of the ticked
 *   partitions (any case); %NULL for the scene's default set
 * @error: return location for a #GError
 *
 * Works out, before any device is near, every step the scene takes and how
 * many bytes each one moves (scatter-format.md §7). Download Only writes the
 * ticked partitions and nothing else; by default those are the downloadable
 * ones with a usable image, leaving out calibration (PROTECTED, BINREGION)
 * and partitions whose place only the device knows (those get a warning).
 * Firmware Upgrade and Format All + Download write every image and refuse an
 * explicit @partitions list; both read the calibration partitions to the
 * host first, and Format All + Download writes them back afterwards. Format
 * erases the named partitions, or by default all but bootloaders,
 * calibration, reserved and end-relative ones. Readback reads the named
 * partitions.
 *
 * Returns: (transfer full): the plan, or %NULL with @error set.
 */
SfPlan *
sf_plan_new (SfFirmware          *firmware,
             const char          *storage,
             SfScene              scene,
             const char * const  *partitions,
             GError             **error)
{
  g_autoptr(GArray) steps = NULL;
  g_autoptr(GPtrArray) warnings = NULL;
  PlanBuilder b = { 0, };
  gboolean ok = FALSE;
  SfLayout *layout;
  SfPlan *self;

  g_return_val_if_fail (SF_IS_FIRMWARE (firmware), NULL);
  g_return_val_if_fail ((guint) scene <= SF_SCENE_READBACK, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  b.firmware = firmware;
  b.scatter = sf_firmware_get_scatter (firmware);
  b.scene = scene;
  b.file = sf_scatter_get_display_name (b.scatter);

  layout = choose_layout (b.scatter, storage, error);
  if (layout == NULL)
    return NULL;
  b.layout = layout;

  steps = g_array_new (FALSE, TRUE, sizeof (SfPlanStep));
  g_array_set_clear_func (steps, step_clear);
  warnings = g_ptr_array_new_with_free_func ((GDestroyNotify) sf_issue_unref);
  b.steps = steps;
  b.warnings = warnings;

  switch (scene) {
  case SF_SCENE_DOWNLOAD_ONLY:
    ok = build_download_only (&b, partitions, error);
    break;
  case SF_SCENE_FIRMWARE_UPGRADE:
    ok = build_firmware_upgrade (&b, partitions, error);
    break;
  case SF_SCENE_FORMAT_ALL_DOWNLOAD:
    ok = build_format_all_download (&b, partitions, error);
    break;
  case SF_SCENE_FORMAT:
    ok = build_format (&b, partitions, error);
    break;
  case SF_SCENE_READBACK:
    ok = build_readback (&b, partitions, error);
    break;
  default:
    g_assert_not_reached ();
  }

  if (!ok)
    return NULL;

  self = g_object_new (SF_TYPE_PLAN, NULL);
  self->firmware = g_object_ref (firmware);
  self->layout = sf_layout_ref (layout);
  self->scene = scene;
  self->steps = g_steal_pointer (&steps);
  self->warnings = g_steal_pointer (&warnings);
  for (guint i = 0; i < self->steps->len; i++)
    self->total_bytes += g_array_index (self->steps, SfPlanStep, i).transfer_bytes;

  return self;
}

/**
 * sf_plan_new_raw:
 *
 * A plan without a firmware, to be filled with sf_plan_add_raw_format(),
 * sf_plan_add_raw_readback() and sf_plan_add_table_backup(). Its firmware
 * and layout are %NULL.
 *
 * Returns: (transfer full): an empty plan.
 */
SfPlan *
sf_plan_new_raw (void)
{
  SfPlan *self = g_object_new (SF_TYPE_PLAN, NULL);

  self->scene = SF_SCENE_READBACK;
  self->steps = g_array_new (FALSE, TRUE, sizeof (SfPlanStep));
  g_array_set_clear_func (self->steps, step_clear);
  self->warnings = g_ptr_array_new_with_free_func ((GDestroyNotify) sf_issue_unref);
  return self;
}

/* Inserts a step at @at (the end: the number of steps). */
static void
add_raw_step (SfPlan      *self,
              guint        at,
              SfStepKind   kind,
              guint        part,
              guint64      offset,
              guint64      length,
              GFile       *file,
              guint64      transfer_bytes)
{
  SfPlanStep step = { 0, };

  g_return_if_fail (SF_IS_PLAN (self));
  g_return_if_fail (self->firmware == NULL);

  step.kind = kind;
  step.region = kind == SF_STEP_TABLE_BACKUP ? NULL : sf_emmc_part_to_region (part);
  step.part = part;
  step.offset = offset;
  step.length = length;
  step.file = file != NULL ? g_object_ref (file) : NULL;
  step.transfer_bytes = transfer_bytes;
  g_array_insert_val (self->steps, at, step);
  self->total_bytes += transfer_bytes;
}

/**
 * sf_plan_add_raw_format:
 * @part: an SF_EMMC_PART_*
 * @length: the bytes to erase from @offset; 0 for the rest of @part
 *
 * Adds an erase of a range of @part to a plan made by sf_plan_new_raw().
 */
void
sf_plan_add_raw_format (SfPlan  *self,
                        guint    part,
                        guint64  offset,
                        guint64  length)
{
  g_return_if_fail (SF_IS_PLAN (self));

  add_raw_step (self, self->steps->len, SF_STEP_RAW_FORMAT, part, offset, length, NULL, 0);
  self->scene = SF_SCENE_FORMAT;
}

/**
 * sf_plan_add_raw_readback:
 * @part: an SF_EMMC_PART_*
 * @length: the bytes to read from @offset; 0 for the rest of @part
 * @file: where they go (written under a temporary name, sf-output-file.c)
 *
 * Adds a read of a range of @part to a plan made by sf_plan_new_raw().
 */
void
sf_plan_add_raw_readback (SfPlan  *self,
                          guint    part,
                          guint64  offset,
                          guint64  length,
                          GFile   *file)
{
  g_return_if_fail (SF_IS_PLAN (self));
  g_return_if_fail (G_IS_FILE (file));

  add_raw_step (self, self->steps->len, SF_STEP_RAW_READBACK, part, offset, length, file, length);
}

/**
 * sf_plan_add_table_backup:
 * @folder: where the files go
 *
 * Adds, before the plan's raw reads and erases, a backup by the phone's own
 * partition table: the boot area as PRELOADER.bin, every partition of the
 * table as NAME.bin, and a scatter file that names them. How much that is
 * only the phone can tell.
 */
void
sf_plan_add_table_backup (SfPlan *self,
                          GFile  *folder)
{
  guint at = 0;

  g_return_if_fail (SF_IS_PLAN (self));
  g_return_if_fail (G_IS_FILE (folder));

  while (at < self->steps->len && g_array_index (self->steps, SfPlanStep, at).kind == SF_STEP_TABLE_BACKUP)
    at++;
  add_raw_step (self, at, SF_STEP_TABLE_BACKUP, 0, 0, 0, folder, 0);
}

SfScene
sf_plan_get_scene (SfPlan *self)
{
  g_return_val_if_fail (SF_IS_PLAN (self), SF_SCENE_DOWNLOAD_ONLY);

  return self->scene;
}

/**
 * sf_plan_get_firmware:
 *
 * Returns: (transfer none): the firmware the plan was made from.
 */
SfFirmware *
sf_plan_get_firmware (SfPlan *self)
{
  g_return_val_if_fail (SF_IS_PLAN (self), NULL);

  return self->firmware;
}

/**
 * sf_plan_get_layout:
 *
 * Returns: (transfer none): the partition list the plan uses.
 */
SfLayout *
sf_plan_get_layout (SfPlan *self)
{
  g_return_val_if_fail (SF_IS_PLAN (self), NULL);

  return self->layout;
}

guint
sf_plan_get_n_steps (SfPlan *self)
{
  g_return_val_if_fail (SF_IS_PLAN (self), 0);

  return self->steps->len;
}

/**
 * sf_plan_get_step:
 * @index: from 0 to sf_plan_get_n_steps() - 1
 *
 * Returns: (transfer none): the step, valid as long as the plan.
 */
const SfPlanStep *
sf_plan_get_step (SfPlan *self,
                  guint   index)
{
  g_return_val_if_fail (SF_IS_PLAN (self), NULL);
  g_return_val_if_fail (index < self->steps->len, NULL);

  return &g_array_index (self->steps, SfPlanStep, index);
}

/**
 * sf_plan_get_total_bytes:
 *
 * Returns: the bytes every step moves over the link together; steps whose
 *   size only the device knows count as 0.
 */
guint64
sf_plan_get_total_bytes (SfPlan *self)
{
  g_return_val_if_fail (SF_IS_PLAN (self), 0);

  return self->total_bytes;
}

/**
 * sf_plan_get_warnings:
 *
 * Returns: (transfer none) (element-type SfIssue): what the user should know
 *   before the plan runs (calibration written or skipped, partitions left
 *   out); empty when there is nothing to say.
 */
GPtrArray *
sf_plan_get_warnings (SfPlan *self)
{
  g_return_val_if_fail (SF_IS_PLAN (self), NULL);

  return self->warnings;
}

/**
 * sf_scene_from_string:
 * @text: a scene as the command line spells it ("download-only",
 *   "firmware-upgrade", "format-all-download", "format", "readback")
 * @out_scene: (out) (optional): where to store the scene
 *
 * Returns: %TRUE if @text names a scene.
 */
gboolean
sf_scene_from_string (const char *text,
                      SfScene    *out_scene)
{
  if (text == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (scene_names); i++) {
    if (g_strcmp0 (text, scene_names[i].id) == 0) {
      if (out_scene != NULL)
        *out_scene = (SfScene) i;
      return TRUE;
    }
  }
  return FALSE;
}

/**
 * sf_scene_to_string:
 *
 * Returns: the command-line spelling of @scene, never translated.
 */
const char *
sf_scene_to_string (SfScene scene)
{
  if ((guint) scene >= G_N_ELEMENTS (scene_names))
    return "unknown";
  return scene_names[scene].id;
}

/**
 * sf_scene_get_title:
 *
 * Returns: the translated name of @scene as SP Flash Tool shows it.
 */
const char *
sf_scene_get_title (SfScene scene)
{
  if ((guint) scene >= G_N_ELEMENTS (scene_names))
    return _("Unknown");
  return _(scene_names[scene].title);
}

/**
 * sf_step_kind_to_string:
 *
 * Returns: a short, stable, untranslated name for @kind.
 */
const char *
sf_step_kind_to_string (SfStepKind kind)
{
  switch (kind) {
  case SF_STEP_BACKUP: return "backup";
  case SF_STEP_FORMAT: return "format";
  case SF_STEP_FORMAT_ALL: return "format-all";
  case SF_STEP_DOWNLOAD: return "download";
  case SF_STEP_RESTORE: return "restore";
  case SF_STEP_READBACK: return "readback";
  case SF_STEP_RAW_FORMAT: return "raw-format";
  case SF_STEP_RAW_READBACK: return "raw-readback";
  case SF_STEP_TABLE_BACKUP: return "table-backup";
  default: return "unknown";
  }
}
