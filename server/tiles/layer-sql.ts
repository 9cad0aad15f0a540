import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { LayerDef, ZoomBand } from '../../tiles/layer-def.js'
import { LAYERS, SQL_FUNCTION_FILES } from '../../tiles/registry.js'
import { repoRoot } from '../infra/paths.js'

export const EXTENT = 4096
export const BUFFER = 64

/** The statements for one zoom band of one layer, read once from its .sql file. */
export interface BandStatements {
  layer: LayerDef
  band: ZoomBand
  /**
   * Server path: the whole MVT layer from ST_AsMVT, as base64 text (mvtBytes decodes it). Params: $1 z,
   * $2 x, $3 y, $4 filter jsonb. Not bytea: node-postgres reads every result as text, and turning
   * bytea's hex text back into bytes cost 213 µs for a 66 KB tile, against 22 µs from base64 (a third
   * fewer bytes on the wire, too).
   */
  mvtSql: string
  /** Embedded path: rows with the geometry in tile units as GeoJSON, encoded in JS. Same params. */
  rowsSql: string
}

const quoteIdent = (name: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`tile field ${name} is not a plain identifier`)
  return `"${name}"`
}

const quoteLiteral = (v: string | number | readonly string[]) => `'${(typeof v === 'object' ? `{${v.join(',')}}` : String(v)).replaceAll("'", "''")}'`

/**
 * A band's SQL with its values put in, as psql puts in variables: :"geom" the band's geometry column,
 * :'name' a value of its vars. They come from the declaration (checked by defineLayer), never from a
 * request; a name the band does not give is an error at start-up.
 */
export function bandSql(layer: LayerDef, band: ZoomBand, text: string): string {
  return text.replace(/(?<!:):(["'])([a-z_][a-z0-9_]*)\1/g, (_m, quote: string, name: string) => {
    if (quote === '"') {
      if (name !== 'geom') throw new Error(`${layer.id}/${band.sql}: :"${name}" is not a band value (only :"geom")`)
      return quoteIdent(band.geom ?? 'geom_3857')
    }
    const v = band.vars?.[name]
    if (v === undefined) throw new Error(`${layer.id}/${band.sql}: the band z${band.minzoom}-${band.maxzoom} gives no value :'${name}'`)
    return quoteLiteral(v)
  })
}

function statements(layer: LayerDef, band: ZoomBand): BandStatements {
  const file = join(repoRoot, 'tiles', 'layers', layer.id, band.sql)
  const body = bandSql(layer, band, readFileSync(file, 'utf8')).replace(/;\s*$/, '')
  const cols = band.fields.map(quoteIdent).join(', ')
  // $4 is referenced by every statement so that its type is known even where the band SQL has no filter.
  const rows = `(${body}\n) AS r WHERE $4::jsonb IS NOT NULL`
  return {
    layer,
    band,
    mvtSql:
      `SELECT encode(ST_AsMVT(t, ${`'${layer.id}'`}, ${EXTENT}, 'geom', 'id'), 'base64') AS mvt FROM (` +
      `SELECT ${cols}, id, ST_AsMVTGeom(geom, ST_TileEnvelope($1, $2, $3), ${EXTENT}, ${BUFFER}, true) AS geom FROM ${rows} LIMIT ${layer.maxFeatures}` +
      `) AS t WHERE geom IS NOT NULL`,
    rowsSql:
      `SELECT ${cols}, id, ST_AsGeoJSON(tile_geom(geom, $1, $2, $3, ${EXTENT}, ${BUFFER}), 0) AS tile_geojson FROM ${rows} LIMIT ${layer.maxFeatures}`,
  }
}

/** Every band of every declared layer, keyed by layer id; the SQL files are read once at start-up. */
export function loadLayerStatements(): Map<string, BandStatements[]> {
  return new Map(LAYERS.map((l) => [l.id, l.bands.map((b) => statements(l, b))]))
}

/** The tiles' SQL function files (registry SQL_FUNCTION_FILES) for the migration runner: id = path from the repository root. */
export function sqlFunctionFiles(): { id: string; path: string }[] {
  return SQL_FUNCTION_FILES.map((f) => ({ id: `tiles/${f}`, path: join(repoRoot, 'tiles', f) }))
}

export function statementFor(all: Map<string, BandStatements[]>, layerId: string, z: number): BandStatements | undefined {
  return all.get(layerId)?.find((s) => z >= s.band.minzoom && z <= s.band.maxzoom)
}
