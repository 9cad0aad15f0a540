/**
 * What the per-layer tile tests share: a database of their own with the fixture dataset (plus any rows a
 * layer's bands need), the app, a province administrator (who sees everything), and the layer's tiles
 * decoded. Expected features come from SQL written in the test, not from the layer's own SQL files.
 */
import { afterAll, beforeAll } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../server/app.js'
import type { Db } from '../../server/db/types.js'
import { openTestDb, type TestDb } from '../helpers/test-db.js'
import { fixtureDataset, FIXTURE } from '../helpers/fixture-dataset.js'
import { loadDataset } from '../../geodata/load/load-dataset.js'
import { decodeTile, layerFeatures, lonLatToTile } from '../helpers/tiles.js'
import { loginAs, type TestSession } from '../helpers/auth.js'

export type At = { z: number; x: number; y: number }

/** The tile of zoom z at the middle of the fixture's villages. */
export const fixtureTile = (z: number): At => lonLatToTile(FIXTURE.origin[0] + FIXTURE.cell, FIXTURE.origin[1] + FIXTURE.cell, z)

/** The buffered envelope of tile ($1, $2, $3) as the tiles clip it: 64 of 4096 units on each side. */
export const BUFFERED = 'ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096)'

/** WKT of a line or polygon in WGS84 through these points (a polygon closes itself). */
export const wkt = (kind: 'LINESTRING' | 'POLYGON', pts: readonly (readonly [number, number])[]) => {
  const ring = (kind === 'POLYGON' ? [...pts, pts[0]!] : pts).map(([x, y]) => `${x} ${y}`).join(', ')
  return `SRID=4326;${kind}(${kind === 'POLYGON' ? `(${ring})` : ring})`
}

export function layerTileTest(opts: { more?: (db: Db) => Promise<void> } = {}) {
  let t: TestDb
  let app: FastifyInstance
  let admin: TestSession
  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    await loadDataset(t.db, fixtureDataset(), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
    await opts.more?.(t.db)
    app = await buildApp({ dataDir: t.location, db: t.db, serveClient: false, tiles: { tileService: { versionTtlMs: 0 } } })
    admin = await loginAs(app, t.db, 'province_admin')
  })
  afterAll(async () => {
    await app?.close()
    await t?.dispose()
  })
  return {
    /** The features of one layer's tile at `at` (none for a 204), as GeoJSON in WGS84 with id and properties. */
    async features(layer: string, at: At, query = '') {
      const res = await admin.inject(`/tiles/${layer}/${at.z}/${at.x}/${at.y}.mvt${query}`)
      if (res.statusCode === 204) return []
      if (res.statusCode !== 200) throw new Error(`${layer} ${at.z}/${at.x}/${at.y}${query} answered ${res.statusCode}: ${res.body}`)
      return layerFeatures(decodeTile(res.rawPayload), layer, at)
    },
    /** Rows of a query whose $1, $2, $3 are the tile's z, x, y. */
    async rows<T extends Record<string, unknown>>(sql: string, at: At, more: unknown[] = []): Promise<T[]> {
      return (await t.db.query<T>(sql, [at.z, at.x, at.y, ...more])).rows
    },
  }
}

/** Ids, sorted, as strings (bigint ids arrive as numbers from tiles and as strings or numbers from SQL). */
export const sortedIds = (items: readonly { id?: unknown }[]) => items.map((i) => String(i.id)).sort()
