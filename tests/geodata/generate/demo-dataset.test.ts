import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateDataset, type GeneratedDataset } from '../../../geodata/generate/index.js'
import { openTestDb, serverUrl, type TestDb } from '../../helpers/test-db.js'
import { csvChunks } from '../../../geodata/load/csv.js'
import { TABLE_COLUMNS } from '../../../geodata/load/table-columns.js'

/** Spearman-free, plain Pearson correlation: the direction is what the issue asks for. */
function correlation(xs: number[], ys: number[]): number {
  const n = xs.length
  const mx = xs.reduce((s, v) => s + v, 0) / n
  const my = ys.reduce((s, v) => s + v, 0) / n
  let sxy = 0
  let sxx = 0
  let syy = 0
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my)
    sxx += (xs[i]! - mx) ** 2
    syy += (ys[i]! - my) ** 2
  }
  return sxy / Math.sqrt(sxx * syy)
}

/**
 * The demo as `npm start` loads it (seed 1): geometry checked by PostGIS itself, the registry's
 * placement and codes, and the relations between poverty and the environment. Generating it costs
 * a minute of CPU, so it runs in the embedded pass only; the PostGIS functions it uses are the ones
 * spatial-parity.test.ts proves equal on both databases.
 */
describe.skipIf(serverUrl)('demo dataset (seed 1)', () => {
  let d: GeneratedDataset
  let t: TestDb
  beforeAll(async () => {
    d = generateDataset({ scale: 'demo', seed: 1 })
    t = await openTestDb({ migrate: true })
    // Only the tables the geometry checks need: the whole load is exercised by the server start-up tests.
    await t.db.transaction(async (tx) => {
      await tx.exec('SET LOCAL session_replication_role = replica')
      for (const table of ['admin_area', 'household'] as const) {
        const cols = TABLE_COLUMNS[table] as readonly string[]
        await tx.copyFrom(table, cols, csvChunks(d[table] as unknown as Record<string, unknown>[], cols, 10000))
      }
    })
  }, 300_000)
  afterAll(async () => t?.dispose())

  it('has every real division, with 十八洞村 and its households', () => {
    const levels = new Map<string, number>()
    for (const a of d.admin_area) levels.set(a.level, (levels.get(a.level) ?? 0) + 1)
    expect(Object.fromEntries(levels)).toEqual({ province: 1, prefecture: 14, county: 134, township: 2008, village: 29534 })
    expect(d.admin_area.find((a) => a.code === '433124110226')?.name).toBe('十八洞村')
    expect(d.household.filter((h) => h.village_code === '433124110226').length).toBe(136)
    // 湘西 whole: every village with a registry in 湘西 has its households.
    expect(d.household.filter((h) => h.village_code.startsWith('4331')).length).toBeGreaterThan(100_000)
  })

  it('codes nest: every code starts with its parent code', () => {
    for (const a of d.admin_area) {
      if (a.parent_code) expect(a.code.startsWith(a.parent_code), a.code).toBe(true)
    }
    const villages = new Set(d.admin_area.filter((a) => a.level === 'village').map((a) => a.code))
    expect(d.household.every((h) => villages.has(h.village_code))).toBe(true)
  })

  it('every geometry is valid (PostGIS ST_IsValid)', async () => {
    const { rows } = await t.db.query<{ bad: number; n: number }>('SELECT count(*) FILTER (WHERE NOT ST_IsValid(geom)) AS bad, count(*) AS n FROM admin_area')
    expect(rows[0]).toEqual({ bad: 0, n: 31691 })
  })

  it('the villages of each county cover it without overlap (area sums within 0.5 %)', async () => {
    const { rows } = await t.db.query<{ code: string; county: number; villages: number; overlap: number }>(
      `SELECT c.code, ST_Area(c.geom::geography) AS county,
              (SELECT sum(ST_Area(v.geom::geography)) FROM admin_area v WHERE v.level = 'village' AND v.code LIKE c.code || '%') AS villages
       FROM admin_area c
       WHERE c.level = 'county' AND c.code NOT IN (SELECT DISTINCT left(z.code, 6) FROM admin_area z WHERE z.geom_synthetic AND z.level = 'county')`,
    )
    // Zones (no outline of their own) share their parent's outline: the parent and its zones are summed together below.
    expect(rows.length).toBeGreaterThan(100)
    for (const r of rows) {
      if (r.villages === null) continue
      const zoneVillages = await t.db.query<{ a: number }>(
        `SELECT COALESCE(sum(ST_Area(v.geom::geography)), 0) AS a FROM admin_area z JOIN admin_area v ON v.level = 'village' AND v.code LIKE z.code || '%'
         WHERE z.level = 'county' AND z.geom_synthetic AND ST_Within(ST_PointOnSurface(z.geom), (SELECT geom FROM admin_area WHERE code = $1))`,
        [r.code],
      )
      expect(Math.abs(r.villages + zoneVillages.rows[0]!.a - r.county) / r.county, r.code).toBeLessThan(0.005)
    }
    // Overlap inside one county: villages pairwise.
    const { rows: ov } = await t.db.query<{ a: number; total: number }>(
      `SELECT COALESCE(sum(ST_Area(ST_Intersection(a.geom, b.geom)::geography)), 0) AS a,
              (SELECT sum(ST_Area(geom::geography)) FROM admin_area WHERE level = 'village' AND code LIKE '433124%') AS total
       FROM admin_area a JOIN admin_area b ON a.code < b.code AND a.geom && b.geom AND ST_Intersects(a.geom, b.geom)
       WHERE a.level = 'village' AND b.level = 'village' AND a.code LIKE '433124%' AND b.code LIKE '433124%'`,
    )
    expect(ov[0]!.a / ov[0]!.total).toBeLessThan(1e-6)
  })

  it('every household lies in its own village', async () => {
    const { rows } = await t.db.query<{ outside: number; n: number }>(
      `SELECT count(*) FILTER (WHERE NOT ST_Intersects(h.geom, v.geom)) AS outside, count(*) AS n
       FROM household h JOIN admin_area v ON v.code = h.village_code`,
    )
    expect(rows[0]!.n).toBe(d.household.length)
    expect(rows[0]!.outside).toBe(0)
  })

  it('poverty incidence rises with slope and with distance to the township seat', () => {
    const value = new Map<string, number>()
    for (const v of d.indicator_value) if (v.year === 2014) value.set(`${v.area_code}|${v.indicator_code}`, v.value)
    const villages = d.admin_area.filter((a) => a.level === 'village' && value.has(`${a.code}|poverty_incidence`) && (a.rural_population ?? 0) > 300)
    const inc = villages.map((v) => value.get(`${v.code}|poverty_incidence`)!)
    const slope = villages.map((v) => value.get(`${v.code}|slope_deg`)!)
    const dist = villages.map((v) => value.get(`${v.code}|dist_township_km`)!)
    expect(villages.length).toBeGreaterThan(20000)
    expect(correlation(slope, inc)).toBeGreaterThan(0.1)
    expect(correlation(dist, inc)).toBeGreaterThan(0.1)
  })
})
