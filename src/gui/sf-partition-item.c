/* sf-partition-item.c — one row of the partition checklist
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "sf-partition-item.h"

struct _SfPartitionItem
{
  GObject       parent_instance;

  SfPartition  *partition;
  char         *file;
  char         *problem;
  char         *warning;
  char         *note;
  gboolean      enabled;
  gboolean      fixed;
};

G_DEFINE_FINAL_TYPE (SfPartitionItem, sf_partition_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_FILE,
  PROP_PROBLEM,
  PROP_WARNING,
  PROP_ENABLED,
  PROP_SELECTABLE,
  PROP_NOTE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* g_set_str() is GLib 2.76. */
static gboolean
replace_str (char       **field,
             const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static void
sf_partition_item_finalize (GObject *object)
{
  SfPartitionItem *self = SF_PARTITION_ITEM (object);

  g_clear_pointer (&self->partition, sf_partition_unref);
  g_free (self->file);
  g_free (self->problem);
  g_free (self->warning);
  g_free (self->note);

  G_OBJECT_CLASS (sf_partition_item_parent_class)->finalize (object);
}

static void
sf_partition_item_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  SfPartitionItem *self = SF_PARTITION_ITEM (object);

  switch (prop_id) {
  case PROP_NAME:
    g_value_set_string (value, sf_partition_item_get_name (self));
    break;
  case PROP_FILE:
    g_value_set_string (value, self->file);
    break;
  case PROP_PROBLEM:
    g_value_set_string (value, self->problem);
    break;
  case PROP_WARNING:
    g_value_set_string (value, self->warning);
    break;
  case PROP_ENABLED:
    g_value_set_boolean (value, self->enabled);
    break;
  case PROP_SELECTABLE:
    g_value_set_boolean (value, sf_partition_item_get_selectable (self));
    break;
  case PROP_NOTE:
    g_value_set_string (value, self->note);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
sf_partition_item_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  SfPartitionItem *self = SF_PARTITION_ITEM (object);

  switch (prop_id) {
  case PROP_ENABLED:
    sf_partition_item_set_enabled (self, g_value_get_boolean (value));
    break;
  case PROP_WARNING:
    sf_partition_item_set_warning (self, g_value_get_string (value));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
sf_partition_item_class_init (SfPartitionItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sf_partition_item_finalize;
  object_class->get_property = sf_partition_item_get_property;
  object_class->set_property = sf_partition_item_set_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_FILE] =
    g_param_spec_string ("file", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROBLEM] =
    g_param_spec_string ("problem", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_WARNING] =
    g_param_spec_string ("warning", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ENABLED] =
    g_param_spec_boolean ("enabled", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECTABLE] =
    g_param_spec_boolean ("selectable", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NOTE] =
    g_param_spec_string ("note", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sf_partition_item_init (SfPartitionItem *self)
{
}

SfPartitionItem *
sf_partition_item_new (SfPartition *partition)
{
  SfPartitionItem *self;

  g_return_val_if_fail (partition != NULL, NULL);

  self = g_object_new (SF_TYPE_PARTITION_ITEM, NULL);
  self->partition = sf_partition_ref (partition);
  return self;
}

SfPartition *
sf_partition_item_get_partition (SfPartitionItem *self)
{
  g_return_val_if_fail (SF_IS_PARTITION_ITEM (self), NULL);
  return self->partition;
}

const char *
sf_partition_item_get_name (SfPartitionItem *self)
{
  g_return_val_if_fail (SF_IS_PARTITION_ITEM (self), NULL);
  return self->partition->name;
}

const char *
sf_partition_item_get_region (SfPartitionItem *self)
{
  g_return_val_if_fail (SF_IS_PARTITION_ITEM (self), NULL);
  return self->partition->region;
}

guint64
sf_partition_item_get_begin (SfPartitionItem *self)
{
  g_return_val_if_fail (SF_IS_PARTITION_ITEM (self), 0);
  return self->partition->start;
}

guint64
sf_partition_item_get_end (SfPartitionItem *self)
{
  const SfPartition *p;

  g_return_val_if_fail (SF_IS_PARTITION_ITEM (self), 0);
  p = self->partition;
  return p->size > 0 ? p->start + p->size - 1 : p->start;
}

const char *
sf_partition_item_get_file (SfPartitionItem *self)
{
  g_return_val_if_fail (SF_IS_PARTITION_ITEM (self), NULL);
  return self->file;
}

const char *
sf_partition_item_get_problem (SfPartitionItem *self)
{
  g_return_val_if_fail (SF_IS_PARTITION_ITEM (self), NULL);
  return self->problem;
}

void
sf_partition_item_set_image (SfPartitionItem *self,
                             const char      *file,
                             const char      *problem,
                             gboolean         tick)
{
  g_return_if_fail (SF_IS_PARTITION_ITEM (self));

  g_object_freeze_notify (G_OBJECT (self));
  if (replace_str (&self->file, file))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILE]);
  if (replace_str (&self->problem, problem)) {
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBLEM]);
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTABLE]);
  }
  sf_partition_item_set_enabled (self, problem == NULL && tick);
  g_object_thaw_notify (G_OBJECT (self));
}

const char *
sf_partition_item_get_warning (SfPartitionItem *self)
{
  g_return_val_if_fail (SF_IS_PARTITION_ITEM (self), NULL);
  return self->warning;
}

void
sf_partition_item_set_warning (SfPartitionItem *self,
                               const char      *warning)
{
  g_return_if_fail (SF_IS_PARTITION_ITEM (self));

  if (replace_str (&self->warning, warning))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WARNING]);
}

gboolean
sf_partition_item_get_enabled (SfPartitionItem *self)
{
  g_return_val_if_fail (SF_IS_PARTITION_ITEM (self), FALSE);
  return self->enabled;
}

void
sf_partition_item_set_enabled (SfPartitionItem *self,
                               gboolean         enabled)
{
  g_return_if_fail (SF_IS_PARTITION_ITEM (self));

  /* A row without a usable image cannot be ticked, and a scene's own set
   * is not the user's to change. */
  if (self->fixed)
    return;
  enabled = enabled && self->problem == NULL;
  if (self->enabled == enabled)
    return;
  self->enabled = enabled;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENABLED]);
}

gboolean
sf_partition_item_get_selectable (SfPartitionItem *self)
{
  g_return_val_if_fail (SF_IS_PARTITION_ITEM (self), FALSE);
  return self->problem == NULL && !self->fixed;
}

void
sf_partition_item_set_fixed (SfPartitionItem *self,
                             gboolean         written)
{
  gboolean enabled;

  g_return_if_fail (SF_IS_PARTITION_ITEM (self));

  g_object_freeze_notify (G_OBJECT (self));
  if (!self->fixed) {
    self->fixed = TRUE;
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTABLE]);
  }
  enabled = !!written;
  if (self->enabled != enabled) {
    self->enabled = enabled;
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENABLED]);
  }
  g_object_thaw_notify (G_OBJECT (self));
}

gboolean
sf_partition_item_get_fixed (SfPartitionItem *self)
{
  g_return_val_if_fail (SF_IS_PARTITION_ITEM (self), FALSE);
  return self->fixed;
}

const char *
sf_partition_item_get_note (SfPartitionItem *self)
{
  g_return_val_if_fail (SF_IS_PARTITION_ITEM (self), NULL);
  return self->note;
}

void
sf_partition_item_set_note (SfPartitionItem *self,
                            const char      *note)
{
  g_return_if_fail (SF_IS_PARTITION_ITEM (self));

  if (replace_str (&self->note, note))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NOTE]);
}
