/**
 * The one place where the two databases differ for tiles. A PostGIS server builds the MVT itself
 * (ST_AsMVT); the embedded PostGIS has no protobuf, so it returns the rows with geometries already
 * clipped and scaled to tile units (tile_geom(), same clipping as ST_AsMVTGeom) and they are
 * encoded here with @maplibre/vt-pbf.
 */
import { fromVectorTileJs, type VectorTileFeatureLike, type VectorTileLayerLike } from '@maplibre/vt-pbf'
import type Point from '@mapbox/point-geometry'
import type { Geometry, Position } from 'geojson'
import type { Queryable } from '../db/types.js'
import { EXTENT, type BandStatements } from './layer-sql.js'

export type TileEncoder = 'sql' | 'js'

export interface TileRequest {
  z: number
  x: number
  y: number
  /** The normalised filter as JSON (the $4 of every tile statement), made once per tile for all its layers. */
  filterJson: string
}

/** The bytes of an MVT layer from its mvtSql column (base64 text; the line breaks PostgreSQL puts in are skipped). */
export function mvtBytes(base64: string | null | undefined): Buffer {
  return base64 ? Buffer.from(base64, 'base64') : EMPTY
}

const EMPTY = Buffer.alloc(0)

/** Encodes one layer of one tile; an empty layer gives an empty buffer. */
export async function encodeLayer(db: Queryable, st: BandStatements, t: TileRequest, encoder: TileEncoder): Promise<Buffer> {
  const params = [t.z, t.x, t.y, t.filterJson]
  if (encoder === 'sql') {
    const { rows } = await db.query<{ mvt: string | null }>(st.mvtSql, params, { prepare: true })
    return mvtBytes(rows[0]?.mvt)
  }
  const { rows } = await db.query<Record<string, unknown> & { id: number | null; tile_geojson: string | null }>(st.rowsSql, params)
  const features: VectorTileFeatureLike[] = []
  for (const row of rows) {
    if (!row.tile_geojson) continue
    const shape = toTileGeometry(JSON.parse(row.tile_geojson) as Geometry)
    if (!shape) continue
    const properties: Record<string, string | number | boolean> = {}
    for (const f of st.band.fields) {
      const v = row[f]
      if (v !== null && v !== undefined) properties[f] = v as string | number | boolean
    }
    features.push({
      type: shape.type,
      id: row.id === null || row.id === undefined ? undefined : Number(row.id),
      properties,
      extent: EXTENT,
      loadGeometry: () => shape.rings as Point[][],
    })
  }
  if (features.length === 0) return EMPTY
  const layer: VectorTileLayerLike = { version: 2, name: st.layer.id, extent: EXTENT, length: features.length, feature: (i: number) => features[i]! }
  const bytes = fromVectorTileJs({ layers: { [st.layer.id]: layer } })
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

type XY = { x: number; y: number }
const xy = (p: Position): XY => ({ x: p[0]!, y: p[1]! })

/** GeoJSON in tile units → MVT geometry type and rings; degenerate parts left by snapping are dropped. */
export function toTileGeometry(g: Geometry): { type: 1 | 2 | 3; rings: XY[][] } | null {
  switch (g.type) {
    case 'Point':
      return { type: 1, rings: [[xy(g.coordinates)]] }
    case 'MultiPoint':
      return g.coordinates.length ? { type: 1, rings: g.coordinates.map((p) => [xy(p)]) } : null
    case 'LineString':
    case 'MultiLineString': {
      const lines = (g.type === 'LineString' ? [g.coordinates] : g.coordinates).filter((l) => l.length >= 2)
      return lines.length ? { type: 2, rings: lines.map((l) => l.map(xy)) } : null
    }
    case 'Polygon':
    case 'MultiPolygon': {
      const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates
      const rings: XY[][] = []
      for (const poly of polys) {
        if ((poly[0]?.length ?? 0) < 4) continue
        for (const ring of poly) if (ring.length >= 4) rings.push(ring.map(xy))
      }
      return rings.length ? { type: 3, rings } : null
    }
    case 'GeometryCollection': {
      // Clipping can split a polygon into polygons plus slivers of lines; keep the dominant kind.
      const parts = g.geometries.map(toTileGeometry).filter((p): p is NonNullable<typeof p> => p !== null)
      const best = Math.max(0, ...parts.map((p) => p.type))
      const same = parts.filter((p) => p.type === best)
      return same.length ? { type: best as 1 | 2 | 3, rings: same.flatMap((p) => p.rings) } : null
    }
  }
}
