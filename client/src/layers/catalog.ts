/**
 * What the client shows of the tile layer declarations (tiles/layers/*): titles, legends, filters.
 * They are imported, not copied, so the legend and the filters always match the server's paint and
 * whitelists.
 */
import { LAYERS, LAYER_BY_ID } from '../../../tiles/registry.js'
import type { FilterSpec, LayerDef, Localised, StyleLayer } from '../../../tiles/layer-def.js'

export { LAYERS, LAYER_BY_ID }
export type { FilterSpec, LayerDef, Localised, StyleLayer }

/** Layers the user can switch on and off (the admin outlines are always drawn). */
export const TOGGLE_LAYERS: readonly LayerDef[] = LAYERS.filter((l) => l.id !== 'admin')
/** The choropleth is not a tile layer of its own: it colours the admin polygons. */
export const CHOROPLETH = 'choropleth'
export const TOGGLE_IDS: readonly string[] = [...TOGGLE_LAYERS.map((l) => l.id), CHOROPLETH]

export function layerDef(id: string): LayerDef {
  const l = LAYER_BY_ID.get(id)
  if (!l) throw new Error(`no tile layer ${id} in tiles/registry`)
  return l
}

export const HOUSEHOLDS = layerDef('households')
export const PROJECTS = layerDef('projects')
export const ADMIN = layerDef('admin')

/** The values an enum-list filter of a layer accepts. */
export function filterValues(layer: LayerDef, key: string): readonly string[] {
  const f = layer.filters[key]
  return f?.kind === 'enum-list' ? f.values : []
}

/** The declared year filter of the households layer: bounds and default. */
export function yearFilter(layer: LayerDef): { min: number; max: number; default: number } {
  const f = layer.filters.year
  if (f?.kind !== 'int') throw new Error(`${layer.id} has no year filter`)
  return { min: f.min, max: f.max, default: f.default }
}

export function localised(l: Localised, locale: string): string {
  return locale.startsWith('zh') ? l.zh : l.en
}

/** Zoom from which the households layer carries single households instead of aggregates. */
export const HOUSEHOLD_POINT_ZOOM = HOUSEHOLDS.bands.find((b) => b.fields.includes('status'))?.minzoom ?? 12
