/**
 * A vector-tile layer is declared once, in its folder tiles/layers/<id>/: its zoom bands (each naming
 * its SQL file and generalised geometry column), the SQL functions they call, attribute schema,
 * filters, caching flags, legend and MapLibre paint. The server (routes, TileJSON, style, migration
 * runner), the client (legend, filters, paint) and the tests all read these declarations.
 * This module and the declarations are environment-neutral: no Node or DOM imports.
 */

export type FieldType = 'String' | 'Number' | 'Boolean'

export interface ZoomBand {
  minzoom: number
  maxzoom: number
  /**
   * File in the layer's folder; parameters $1 z, $2 x, $3 y, $4 the normalised filter (jsonb). Returns
   * id, geom (3857) and the fields. Bands may share a file: it names the band's values as psql does,
   * :"geom" for the geometry column and :'name' for a value of `vars`.
   */
  sql: string
  /** The geometry column drawn (:"geom"): a generalised copy per band (geom_z6, geom_z9, geom_z12) or geom_3857. */
  geom?: string
  /** Values the band's SQL takes as :'name' (a list as a text[] literal). From the declaration only, never from a request. */
  vars?: Readonly<Record<string, string | number | readonly string[]>>
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
  /** Holds data about people: browsers keep its tiles for less long (a minute instead of five). */
  personal: boolean
  /**
   * Drawn from tables without row-level security (public infrastructure): its tiles are the same for
   * every signed-in caller and share one cache entry. Every other layer is cached per role and area.
   */
  scopeFree: boolean
  /** Has a style source of its own, so that the client can change its tile URL (its filters) alone; else in the base source. */
  ownSource: boolean
  /** In the combined base tile. */
  inBase: boolean
  /**
   * SQL functions its bands call: CREATE OR REPLACE files in the layer's folder, applied in this order
   * after the migrations whenever one changes (server/migrations/runner.ts).
   */
  functions?: readonly string[]
  legend: { attribute: string; entries: readonly LegendEntry[] }
  /** MapLibre style layers drawing it; `source`/`source-layer` are filled in by the style builder. */
  style: readonly StyleLayer[]
  /** Other colourings the client may switch to, by name (households: by main cause). */
  variants?: Readonly<Record<string, PaintVariant>>
}

/** A colouring by another attribute: paint properties replacing the style's, by style layer id, and the colours its legend shows. */
export interface PaintVariant {
  attribute: string
  colors: Readonly<Record<string, string>>
  paint: Readonly<Record<string, Readonly<Record<string, unknown>>>>
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

const SQL_NAME = /^[a-z_][a-z0-9_]*$/

export function defineLayer(def: LayerDef): LayerDef {
  for (const b of def.bands) {
    if (b.minzoom > b.maxzoom) throw new Error(`${def.id}: band ${b.sql} has minzoom > maxzoom`)
    for (const f of b.fields) if (!(f in def.fields)) throw new Error(`${def.id}: band ${b.sql} names undeclared field ${f}`)
    if (b.geom !== undefined && !SQL_NAME.test(b.geom)) throw new Error(`${def.id}: band ${b.sql} names geometry column ${b.geom}, not a plain identifier`)
    for (const [k, v] of Object.entries(b.vars ?? {})) {
      for (const item of Array.isArray(v) ? v : [v]) if (!SQL_NAME.test(String(item)) && !/^\d+$/.test(String(item))) throw new Error(`${def.id}: band ${b.sql} var ${k} holds ${item}, not a plain word`)
    }
  }
  if (def.scopeFree && def.personal) throw new Error(`${def.id}: a layer of personal data is never the same for every caller`)
  for (const [name, v] of Object.entries(def.variants ?? {})) {
    for (const id of Object.keys(v.paint)) if (!def.style.some((s) => s.id === id)) throw new Error(`${def.id}: paint variant ${name} names no style layer ${id}`)
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
