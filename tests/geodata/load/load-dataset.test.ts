import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Dataset } from '../../../geodata/generate/types.js'
import { loadDataset, lastLoad, type DatasetSource } from '../../../geodata/load/load-dataset.js'
import { csvField } from '../../../geodata/load/csv.js'
import { spoolRegistry } from '../../../geodata/load/generate-and-load.js'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openTestDb, type TestDb } from '../../helpers/test-db.js'

const square = (x: number, y: number, d: number) => ({
  type: 'MultiPolygon' as const,
  coordinates: [[[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]],
})
const point = (x: number, y: number) => ({ type: 'Point' as const, coordinates: [x, y] })

/** A tiny dataset covering every table and the awkward values: NULLs, quotes, commas, arrays, geometries. */
function tinyDataset(householdCount: number): Dataset {
  const admin = (code: string, level: Dataset['admin_area'][number]['level'], parent: string | null, x: number, d: number) => ({
    code, level, name: `测试"${code}",区`, parent_code: parent, geom: square(x, 28, d), seat: point(x + d / 2, 28 + d / 2),
    poverty_designated: level === 'village', rural_population: 1000, geom_synthetic: level !== 'county',
  })
  const households = Array.from({ length: householdCount }, (_, i) => ({
    id: i + 1, village_code: '433124110226', geom: point(109.01 + i * 1e-5, 28.01), size: 3, identification_standard: 'national' as const,
    attribute: 'general' as const, main_cause: 'illness', other_causes: ['water', 'skills'], phone: null, registered_year: 2014,
    housing_area_m2: 60.5, housing_structure: 'brick_wood' as const, housing_safety: 'C' as const, relocated: false, water_source: 'tap' as const,
    water_difficulty: false, cooking_fuel: 'firewood', road_hardened: true, km_to_market: 3.2, land_paddy_mu: 1, land_dry_mu: null, land_forest_mu: 2,
  }))
  return {
    admin_area: [
      admin('43', 'province', null, 109, 1), admin('4331', 'prefecture', '43', 109, 0.5), admin('433124', 'county', '4331', 109, 0.2),
      admin('433124110', 'township', '433124', 109, 0.1), admin('433124110226', 'village', '433124110', 109, 0.05),
    ],
    indicator_def: [{ code: 'slope_deg', name_zh: '坡度', name_en: 'Slope', unit: '°', direction: 'lower_better', category: 'natural', description: null }],
    indicator_value: [{ area_code: '433124110226', indicator_code: 'slope_deg', year: 2014, value: 17.5 }],
    road: [{ id: 1, class: 'village', name: null, source_node: 1, target_node: 2, length_m: 1234.5, geom: { type: 'LineString', coordinates: [[109, 28], [109.01, 28.01]] } }],
    water: [{ id: 1, kind: 'river', name: '峒河', stream_order: 3, capacity: null, area_code: null, geom: { type: 'LineString', coordinates: [[109, 28], [109.1, 28.1]] } }],
    school: [{ id: 1, level: 'village_primary', name: '十八洞村小学', area_code: '433124110226', capacity: 120, geom: point(109.02, 28.02) }],
    clinic: [{ id: 1, level: 'village_clinic', name: '十八洞村卫生室', area_code: '433124110226', beds: 2, doctors: 1, geom: point(109.02, 28.02) }],
    household: households,
    household_year: households.map((h) => ({ household_id: h.id, year: 2014, status: 'poor' as const, income_per_capita: 2100, food_clothing_ok: true, education_ok: true, medical_ok: false, housing_ok: false, water_ok: true })),
    member: households.map((h) => ({ id: h.id, household_id: h.id, name: '龙某', sex: 'M' as const, id_number: '43312419800101001X', relation: 'head', ethnicity: 'Miao', birth_year: 1980, schooling: 'primary', in_school: null, health: 'chronic' as const, labour: 'ordinary' as const, migrant_months: 0, dibao: false, wubao: false, medical_insurance: true, pension: false })),
    project: [{ id: 1, type: 'road', name: '十八洞村通组公路', stage: 'completed', year: 2016, budget_yuan: 1.2e6, spent_yuan: 1.18e6, county_code: '433124', village_code: '433124110226', beneficiary_households: 20, beneficiary_villages: 1, geom: { type: 'LineString', coordinates: [[109, 28], [109.01, 28.01]] } }],
  }
}

const info = { scale: 'demo' as const, seed: 1, generatorVersion: 'test', expectedRows: {} }

describe('loadDataset', () => {
  let t: TestDb
  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
  })
  afterAll(async () => t?.dispose())

  it('csvField writes NULL, booleans, quotes, arrays and geometries as COPY expects', () => {
    expect(csvField(null)).toBe('')
    expect(csvField('')).toBe('""')
    expect(csvField(true)).toBe('t')
    expect(csvField('a,"b"')).toBe('"a,""b"""')
    expect(csvField(['x', 'y"z'])).toBe('"{""x"",""y\\""z""}"')
    expect(csvField(point(1.5, 2))).toBe('SRID=4326;POINT(1.5 2)')
    expect(() => csvField(Number.NaN)).toThrow(/non-finite/)
  })

  it('loads every table and the database holds exactly those rows', async () => {
    const counts = await loadDataset(t.db, tinyDataset(7), info)
    expect(counts).toMatchObject({ admin_area: 5, household: 7, member: 7, household_year: 7, project: 1 })
    const { rows } = await t.db.query<{ n: number; causes: string[]; name: string; area: number; inside: boolean }>(
      `SELECT (SELECT count(*) FROM household) AS n, (SELECT other_causes FROM household WHERE id = 1) AS causes,
              (SELECT name FROM admin_area WHERE code = '4331') AS name,
              (SELECT ST_Area(geom) FROM admin_area WHERE code = '43') AS area,
              (SELECT bool_and(ST_Intersects(h.geom, v.geom)) FROM household h JOIN admin_area v ON v.code = h.village_code) AS inside`,
    )
    expect(rows[0]).toEqual({ n: 7, causes: ['water', 'skills'], name: '测试"4331",区', area: expect.closeTo(1, 9), inside: true })
    expect(await lastLoad(t.db)).toMatchObject({ scale: 'demo', seed: 1, counts: { household: 7 } })
  })

  it('re-loading replaces the previous load cleanly', async () => {
    await loadDataset(t.db, tinyDataset(3), info)
    const { rows } = await t.db.query<{ n: number; loads: number }>('SELECT (SELECT count(*) FROM household) AS n, (SELECT count(*) FROM data_load) AS loads')
    expect(rows[0]).toEqual({ n: 3, loads: 2 })
  })

  it('a broken reference is refused even where per-row checks are skipped during COPY', async () => {
    const d = tinyDataset(2)
    const err = await loadDataset(t.db, { ...d, member: d.member.map((m) => ({ ...m, household_id: 999_999 })) }, info).catch((e: unknown) => e)
    expect(String(err)).toMatch(/member_household_id_fkey|violates foreign key/)
    const { rows } = await t.db.query<{ n: number }>('SELECT count(*) AS n FROM household')
    expect(rows[0]!.n).toBe(3)
  })

  it('a load that fails half-way leaves the earlier data intact', async () => {
    const bad = tinyDataset(12000) as unknown as DatasetSource
    // The 11,000th household breaks a CHECK constraint: two COPY chunks have gone in by then.
    const households = [...(bad.household as Dataset['household'])]
    households[11000] = { ...households[11000]!, size: 0 }
    const err = await loadDataset(t.db, { ...bad, household: households }, info).catch((e: unknown) => e)
    expect(String(err)).toMatch(/household/)
    const { rows } = await t.db.query<{ n: number; m: number; loads: number }>(
      'SELECT (SELECT count(*) FROM household) AS n, (SELECT count(*) FROM member) AS m, (SELECT count(*) FROM data_load) AS loads',
    )
    expect(rows[0]).toEqual({ n: 3, m: 3, loads: 2 })
  })
  it('household_year rows carry their household\'s village (row-level security reads it); a wrong one is refused', async () => {
    await loadDataset(t.db, tinyDataset(4), info)
    const villages = async () =>
      (await t.db.query<{ n: number; same: boolean }>('SELECT count(*)::int AS n, bool_and(y.village_code = h.village_code) AS same FROM household_year y JOIN household h ON h.id = y.household_id')).rows[0]
    expect(await villages()).toEqual({ n: 4, same: true })

    // A streamed source states the village on each row: one that names another village is refused,
    // and the earlier load stays.
    const d = tinyDataset(2)
    const source: DatasetSource = { ...d, household_year: d.household_year.map((y, i) => ({ ...y, village_code: i === 0 ? '433124110226' : '433124110999' })) }
    await expect(loadDataset(t.db, source, info)).rejects.toThrow(/another village than their household|foreign key|violates/)
    expect(await villages()).toEqual({ n: 4, same: true })

    // Outside the loader the triggers keep it: an insert takes the household's village whatever it
    // says, and a household that moves takes its years along.
    await t.db.transaction(async (tx) => {
      await tx.query("INSERT INTO household_year (household_id, year, status, income_per_capita, food_clothing_ok, education_ok, medical_ok, housing_ok, water_ok, village_code) VALUES (1, 2015, 'lifted', 5000, true, true, true, true, true, '43')")
      await tx.query("INSERT INTO admin_area (code, level, name, parent_code) VALUES ('433124110227', 'village', '测试村', '433124110')")
      await tx.query("UPDATE household SET village_code = '433124110227' WHERE id = 1")
    })
    const { rows } = await t.db.query<{ year: number; village_code: string }>('SELECT year, village_code FROM household_year WHERE household_id = 1 ORDER BY year')
    expect(rows).toEqual([{ year: 2014, village_code: '433124110227' }, { year: 2015, village_code: '433124110227' }])
    expect(await villages()).toEqual({ n: 5, same: true })
  })
  it('the province path loads the registry from one pass over the batches (years and members spooled to disk)', async () => {
    const d = tinyDataset(5)
    let passes = 0
    const householdBatches = function* () {
      passes++
      for (const [i, h] of d.household.entries()) {
        yield { village_code: h.village_code, household: [h], household_year: [d.household_year[i]!], member: [d.member[i]!], events: [] }
      }
    }
    const dir = await mkdtemp(join(tmpdir(), 'povmap-spool-'))
    try {
      const counts = await loadDataset(t.db, { ...d, ...spoolRegistry({ householdBatches } as never, dir) }, info)
      expect(counts).toMatchObject({ household: 5, household_year: 5, member: 5 })
      expect(passes).toBe(1)
      const { rows } = await t.db.query<{ y: number; m: number; same: boolean; names: string[] }>(
        `SELECT (SELECT count(*)::int FROM household_year) AS y, (SELECT count(*)::int FROM member) AS m,
                (SELECT bool_and(y.village_code = h.village_code) FROM household_year y JOIN household h ON h.id = y.household_id) AS same,
                (SELECT array_agg(DISTINCT name) FROM member) AS names`,
      )
      expect(rows[0]).toEqual({ y: 5, m: 5, same: true, names: ['龙某'] })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
