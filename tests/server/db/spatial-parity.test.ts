import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { openTestDb, serverUrl, type TestDb } from '../../helpers/test-db.js'
import type { Queryable } from '../../../server/db/types.js'
import { repoRoot } from '../../../server/infra/paths.js'

/**
 * The same spatial SQL must give the same answers on the embedded PostGIS (WASM, PG 18) and on a
 * PostGIS server. Answers are compared with a golden file, and directly when both are at hand.
 */
const QUERIES: Record<string, string> = {
  transform_3857: `SELECT round(ST_X(p)::numeric, 4)::float8 AS x, round(ST_Y(p)::numeric, 4)::float8 AS y
    FROM (SELECT ST_Transform(ST_SetSRID(ST_MakePoint(109.4946, 28.3575), 4326), 3857) AS p) s`,
  transform_back: `SELECT ST_AsText(ST_Transform(ST_Transform(ST_SetSRID(ST_MakePoint(113.0, 28.2), 4326), 3857), 4326), 9) AS wkt`,
  area_geography_km2: `SELECT round((ST_Area(ST_GeomFromText('POLYGON((109.4 28.3,109.6 28.3,109.6 28.45,109.4 28.45,109.4 28.3))', 4326)::geography) / 1e6)::numeric, 6)::float8 AS km2`,
  length_geography_m: `SELECT round(ST_Length(ST_GeomFromText('LINESTRING(112.9 28.2,113.0 28.25,113.1 28.2)', 4326)::geography)::numeric, 3)::float8 AS m`,
  intersects: `SELECT a.id, b.id AS other, ST_Intersects(a.g, b.g) AS hit FROM
    (VALUES (1, ST_GeomFromText('POLYGON((0 0,2 0,2 2,0 2,0 0))', 4326)), (2, ST_GeomFromText('POINT(1 1)', 4326)),
            (3, ST_GeomFromText('LINESTRING(3 3,4 4)', 4326)), (4, ST_GeomFromText('POINT(2 2)', 4326))) a(id, g)
    CROSS JOIN (VALUES (1, ST_GeomFromText('POLYGON((0 0,2 0,2 2,0 2,0 0))', 4326)), (2, ST_GeomFromText('POINT(1 1)', 4326)),
            (3, ST_GeomFromText('LINESTRING(3 3,4 4)', 4326)), (4, ST_GeomFromText('POINT(2 2)', 4326))) b(id, g)
    ORDER BY a.id, b.id`,
  voronoi_cells: `WITH pts AS (SELECT ST_Collect(ST_MakePoint(x::float8, y::float8)) AS g FROM (VALUES (0.1,0.2),(1.3,0.4),(0.7,1.9),(2.2,2.1),(1.1,1.1),(2.9,0.3),(0.2,2.8)) v(x, y)),
    cells AS (SELECT (ST_Dump(ST_VoronoiPolygons(g, 0, ST_MakeEnvelope(-1, -1, 4, 4)))).geom AS c FROM pts)
    SELECT round(ST_Area(c)::numeric, 6)::float8 AS area, ST_AsText(ST_SnapToGrid(ST_Centroid(c), 1e-6)) AS centroid FROM cells ORDER BY 1, 2`,
  buffer_area: `SELECT round(ST_Area(ST_Buffer(ST_MakePoint(0, 0), 1, 'quad_segs=16'))::numeric, 8)::float8 AS area`,
  dwithin_geography: `SELECT ST_DWithin(ST_MakePoint(109.49, 28.35)::geography, ST_MakePoint(109.50, 28.35)::geography, 1000) AS near,
    ST_DWithin(ST_MakePoint(109.49, 28.35)::geography, ST_MakePoint(109.52, 28.35)::geography, 1000) AS far`,
  tile_envelope: `SELECT ST_AsText(ST_SnapToGrid(ST_TileEnvelope(12, 3292, 1685), 0.001)) AS wkt`,
}

async function answers(db: Queryable): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {}
  for (const [name, sql] of Object.entries(QUERIES)) out[name] = (await db.query(sql)).rows
  return out
}

const golden = JSON.parse(readFileSync(join(repoRoot, 'tests/fixtures/spatial-golden.json'), 'utf8')) as Record<string, unknown>

describe('spatial SQL parity', () => {
  let t: TestDb
  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
  })
  afterAll(async () => t?.dispose())

  it(`answers match the golden file on the configured database`, async () => {
    const got = await answers(t.db)
    if (process.env.UPDATE_GOLDEN) {
      const { writeFileSync } = await import('node:fs')
      writeFileSync(join(repoRoot, 'tests/fixtures/spatial-golden.json'), JSON.stringify(got, null, 2) + '\n')
    }
    expect(Object.keys(got).sort()).toEqual(Object.keys(golden).sort())
    for (const name of Object.keys(QUERIES)) expect(got[name], name).toEqual(golden[name])
  })

  it.runIf(serverUrl)('embedded and server give identical answers in one run', async () => {
    const embedded = await openTestDb({ kind: "embedded", migrate: true })
    try {
      expect(await answers(embedded.db)).toEqual(await answers(t.db))
    } finally {
      await embedded.dispose()
    }
  })

  it('the embedded database has no protobuf (MVT is encoded in JS there)', async () => {
    if (t.db.kind !== 'embedded') return
    await expect(t.db.query('SELECT ST_AsMVTGeom(ST_TileEnvelope(0,0,0), ST_TileEnvelope(0,0,0))')).rejects.toThrow(/protobuf/)
  })
})
