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
  GObject   parent_instance;

  char     *name;
  char     *region;
  guint64   begin;
  guint64   end;
  char     *file;
  gboolean  enabled;
  gboolean  selectable;
};

G_DEFINE_FINAL_TYPE (SfPartitionItem, sf_partition_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_REGION,
  PROP_BEGIN,
  PROP_END,
  PROP_FILE,
  PROP_ENABLED,
  PROP_SELECTABLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
sf_partition_item_finalize (GObject *object)
{
  SfPartitionItem *self = SF_PARTITION_ITEM (object);

  g_free (self->name);
  g_free (self->region);
  g_free (self->file);

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
    g_value_set_string (value, self->name);
    break;
  case PROP_REGION:
    g_value_set_string (value, self->region);
    break;
  case PROP_BEGIN:
    g_value_set_uint64 (value, self->begin);
    break;
  case PROP_END:
    g_value_set_uint64 (value, self->end);
    break;
  case PROP_FILE:
    g_value_set_string (value, self->file);
    break;
  case PROP_ENABLED:
    g_value_set_boolean (value, self->enabled);
    break;
  case PROP_SELECTABLE:
    g_value_set_boolean (value, self->selectable);
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
  case PROP_NAME:
    self->name = g_value_dup_string (value);
    break;
  case PROP_REGION:
    self->region = g_value_dup_string (value);
    break;
  case PROP_BEGIN:
    self->begin = g_value_get_uint64 (value);
    break;
  case PROP_END:
    self->end = g_value_get_uint64 (value);
    break;
  case PROP_FILE:
    self->file = g_value_dup_string (value);
    break;
  case PROP_ENABLED:
    sf_partition_item_set_enabled (self, g_value_get_boolean (value));
    break;
  case PROP_SELECTABLE:
    self->selectable = g_value_get_boolean (value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
sf_partition_item_class_init (SfPartitionItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = sf_partition_item_finalize;
  object_class->get_property = sf_partition_item_get_property;
  object_class->set_property = sf_partition_item_set_property;

  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, ro);
  properties[PROP_REGION] = g_param_spec_string ("region", NULL, NULL, NULL, ro);
  properties[PROP_BEGIN] = g_param_spec_uint64 ("begin", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_END] = g_param_spec_uint64 ("end", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_FILE] = g_param_spec_string ("file", NULL, NULL, NULL, ro);
  properties[PROP_ENABLED] =
    g_param_spec_boolean ("enabled", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECTABLE] = g_param_spec_boolean ("selectable", NULL, NULL, TRUE, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sf_partition_item_init (SfPartitionItem *self)
{
}

SfPartitionItem *
sf_partition_item_new (const char *name,
                       const char *region,
                       guint64     begin,
                       guint64     end,
                       const char *file,
                       gboolean    selectable)
{
  return g_object_new (SF_TYPE_PARTITION_ITEM,
                       "name", name,
                       "region", region,
                       "begin", begin,
                       "end", end,
                       "file", file,
                       "selectable", selectable,
                       "enabled", selectable,
                       NULL);
}

const char *
sf_partition_item_get_name (SfPartitionItem *self)
{
  g_return_val_if_fail (SF_IS_PARTITION_ITEM (self), NULL);
  return self->name;
}

const char *
sf_partition_item_get_region (SfPartitionItem *self)
{
  g_return_val_if_fail (SF_IS_PARTITION_ITEM (self), NULL);
  return self->region;
}

guint64
sf_partition_item_get_begin (SfPartitionItem *self)
{
  g_return_val_if_fail (SF_IS_PARTITION_ITEM (self), 0);
  return self->begin;
}

guint64
sf_partition_item_get_end (SfPartitionItem *self)
{
  g_return_val_if_fail (SF_IS_PARTITION_ITEM (self), 0);
  return self->end;
}

const char *
sf_partition_item_get_file (SfPartitionItem *self)
{
  g_return_val_if_fail (SF_IS_PARTITION_ITEM (self), NULL);
  return self->file;
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

  enabled = !!enabled;
  /* A row without its image can never be ticked. */
  if (enabled && !self->selectable)
    return;
  if (self->enabled == enabled)
    return;
  self->enabled = enabled;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENABLED]);
}

gboolean
sf_partition_item_get_selectable (SfPartitionItem *self)
{
  g_return_val_if_fail (SF_IS_PARTITION_ITEM (self), FALSE);
  return self->selectable;
}
