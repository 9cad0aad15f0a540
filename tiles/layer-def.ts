/**
 * A vector-tile layer is declared once: its zoom bands (each with its own SQL file and
 * generalisation), attribute schema, filters, legend and MapLibre paint. The server (routes,
 * TileJSON, style), the client (legend, filters) and the tests all read these declarations.
 * This module and the declarations are environment-neutral: no Node or DOM imports.
 */

export type FieldType = 'String' | 'Number' | 'Boolean'

export interface ZoomBand {
  minzoom: number
  maxzoom: number
  /** File in the layer's folder; parameters $1 z, $2 x, $3 y, $4 the normalised filter (jsonb). Returns id, geom (3857) and the fields. */
  sql: string
  /** What this band shows, for the docs and TileJSON description. */
  note: string
  /** Fields this band's features carry (subset of the layer's fields). */
  fields: readonly string[]
}

export interface Localised {
  zh: string
  en: string
}

export interface LegendEntry {
  /** The attribute value this entry stands for (or a class label). */
  value: string
  label: Localised
  color: string
  shape: 'fill' | 'line' | 'circle'
}

export type FilterSpec =
  | { kind: 'int'; min: number; max: number; default: number; label: Localised }
  | { kind: 'enum-list'; values: readonly string[]; label: Localised }

export interface LayerDef {
  id: string
  title: Localised
  description: string
  minzoom: number
  maxzoom: number
  bands: readonly ZoomBand[]
  /** Attribute schema: name → MVT value type. */
  fields: Readonly<Record<string, FieldType>>
  /** Query-string filters this layer accepts; anything else is a 400. */
  filters: Readonly<Record<string, FilterSpec>>
  /** Most features one tile may carry (a guard, not a target). */
  maxFeatures: number
  /** Tiles depend on who asks (personal data): Cache-Control private, cache key per scope. */
  personal: boolean
  /** In the combined base tile. */
  inBase: boolean
  legend: { attribute: string; entries: readonly LegendEntry[] }
  /** MapLibre style layers drawing it; `source`/`source-layer` are filled in by the style builder. */
  style: readonly StyleLayer[]
}

/**
 * A MapLibre style layer without its source. Expressions are typed loosely here (spread `match`
 * arms defeat the spec's tuple types); the whole generated style is checked by the spec validator in tests.
 */
export interface StyleLayer {
  id: string
  type: 'fill' | 'line' | 'symbol' | 'circle' | 'heatmap' | 'fill-extrusion'
  filter?: unknown
  minzoom?: number
  maxzoom?: number
  layout?: Record<string, unknown>
  paint?: Record<string, unknown>
}

export function defineLayer(def: LayerDef): LayerDef {
  for (const b of def.bands) {
    if (b.minzoom > b.maxzoom) throw new Error(`${def.id}: band ${b.sql} has minzoom > maxzoom`)
    for (const f of b.fields) if (!(f in def.fields)) throw new Error(`${def.id}: band ${b.sql} names undeclared field ${f}`)
  }
  const sorted = [...def.bands].sort((a, b) => a.minzoom - b.minzoom)
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.minzoom !== sorted[i - 1]!.maxzoom + 1) throw new Error(`${def.id}: zoom bands must be contiguous`)
  }
  return def
}

export function bandFor(def: LayerDef, z: number): ZoomBand | undefined {
  return def.bands.find((b) => z >= b.minzoom && z <= b.maxzoom)
}
