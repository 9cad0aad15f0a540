import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDb, type TestDb } from '../../helpers/test-db.js'
import { fixtureDataset, FIXTURE } from '../../helpers/fixture-dataset.js'
import { loadDataset } from '../../../geodata/load/load-dataset.js'
import { POVERTY_LINE } from '../../../domain/codes.js'
import { HAND, insertHandExample } from './hand-example.js'
import { identifyAll } from '../../../server/identification/batch.js'
import { afWhatIf } from '../../../server/identification/what-if.js'

describe('identification SQL (migration 0013)', () => {
  let t: TestDb
  const sql = async <R = Record<string, unknown>>(text: string, params: unknown[] = []) => (await t.db.query<R>(text, params)).rows

  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    await loadDataset(t.db, fixtureDataset({ householdsPerVillage: 40 }), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
    await insertHandExample(t.db)
  })
  afterAll(async () => {
    await t?.dispose()
  })

  it('poverty_line holds the lines of domain/codes.ts', async () => {
    const rows = await sql<{ year: number; yuan: number }>('SELECT year, yuan FROM poverty_line ORDER BY year')
    expect(Object.fromEntries(rows.map((r) => [r.year, r.yuan]))).toEqual(POVERTY_LINE)
  })

  it('the registry triggers identify the hand-computed households: c_i, AF and official poverty', async () => {
    const rows = await sql<{ household_id: string; score: number; poor_af: boolean; poor_official: boolean; deprived: string[] }>(
      'SELECT household_id::text, score, poor_af, poor_official, deprived FROM household_identification WHERE village_code = $1 AND year = $2 ORDER BY household_id',
      [HAND.village, HAND.year],
    )
    expect(rows.map((r) => r.score)).toEqual(Object.values(HAND.scores).map((s) => expect.closeTo(s, 12)))
    expect(rows.map((r) => r.poor_af)).toEqual([true, true, false, true, false])
    expect(rows.map((r) => r.poor_official)).toEqual([true, true, false, true, false])
    expect(rows[1]!.deprived).toEqual(['af_water_quantity', 'af_water_quality', 'af_water_convenience', 'af_water_reliability', 'af_housing'])
  })

  it('afWhatIf (siting): safe water for household B of the hand example takes it out of poverty', async () => {
    const w = await afWhatIf(t.db, HAND.village, HAND.year, new Set([String(HAND.ids.B)]), ['af_water_quantity', 'af_water_quality', 'af_water_convenience', 'af_water_reliability'])
    expect(w.households).toBe(5)
    expect(w.reached).toBe(1)
    expect(w.before.M0).toBeCloseTo(HAND.M0, 12)
    // B (2 people) keeps only its house (1/6 < k = 1/3): H loses 2/15, M0 loses 2 × 1/3 / 15.
    expect(w.dH).toBeCloseTo(-2 / 15, 12)
    expect(w.dM0).toBeCloseTo(-(2 / 3) / 15, 12)
    expect(w.after.A).toBeCloseTo((4 / 3 + 35 / 12) / 9, 12)
  })

  it('edits keep the profile equal to the per-household rows at every level (move, delete, insert)', async () => {
    const expectProfileWhole = async () => {
      const want = await sql<{ k: string }>(
        `SELECT left(village_code, l.n) || '/' || year || '/' || mask || '/' || poor_official || '/' || count(*) || '/' || sum(people) AS k
         FROM household_identification, (VALUES (12), (9), (6), (4), (2)) l (n) GROUP BY left(village_code, l.n), year, mask, poor_official ORDER BY 1`,
      )
      const got = await sql<{ k: string }>(`SELECT area_code || '/' || year || '/' || mask || '/' || poor_official || '/' || households || '/' || people AS k FROM identification_profile ORDER BY 1`)
      expect(got).toEqual(want)
    }
    await expectProfileWhole()
    const [h] = await sql<{ id: string; village_code: string }>('SELECT id::text, village_code FROM household WHERE village_code = $1 ORDER BY id LIMIT 1', [FIXTURE.villages[0]])
    await t.db.query('UPDATE household SET village_code = $2 WHERE id = $1', [h!.id, FIXTURE.villages[3]])
    await expectProfileWhole()
    expect((await sql<{ v: string }>('SELECT DISTINCT village_code AS v FROM household_identification WHERE household_id = $1', [h!.id])).map((r) => r.v)).toEqual([FIXTURE.villages[3]])
    const [row] = await sql<Record<string, unknown>>('SELECT * FROM household_year WHERE household_id = $1 AND year = 2018', [h!.id])
    await t.db.query('DELETE FROM household_year WHERE household_id = $1 AND year = 2018', [h!.id])
    await expectProfileWhole()
    await t.db.query(
      `INSERT INTO household_year (household_id, year, status, income_per_capita, food_clothing_ok, education_ok, medical_ok, housing_ok, water_ok)
       VALUES ($1, 2018, $2, $3, $4, $5, $6, $7, $8)`,
      [h!.id, row!.status, row!.income_per_capita, row!.food_clothing_ok, row!.education_ok, row!.medical_ok, row!.housing_ok, row!.water_ok],
    )
    await t.db.query('UPDATE household SET village_code = $2 WHERE id = $1', [h!.id, h!.village_code])
    await expectProfileWhole()
  })

  it('the batch job (npm run identify) rebuilds exactly what the triggers and the loader keep, with progress', async () => {
    const snapshot = async () =>
      sql<{ k: string }>(
        `SELECT concat_ws('/', household_id, year, village_code, people, income_per_capita, line, mask, deprived::text, round(score::numeric, 12),
           poor_af, poor_official, official_gaps::text) AS k
         FROM household_identification ORDER BY household_id, year`,
      )
    const profile = async () => sql<{ k: string }>(`SELECT area_code || '/' || year || '/' || mask || '/' || poor_official || '/' || households || '/' || people AS k FROM identification_profile ORDER BY 1`)
    const before = await snapshot()
    const profileBefore = await profile()
    await t.db.query('DELETE FROM household_identification WHERE year = 2019')
    const steps: [number, number, string][] = []
    const r = await identifyAll(t.db, { onProgress: (done, total, label) => steps.push([done, total, label]) })
    expect(r.households).toBe((await sql<{ n: number }>('SELECT count(*)::int AS n FROM household_year'))[0]!.n)
    expect(await snapshot()).toEqual(before)
    expect(await profile()).toEqual(profileBefore)
    expect(steps.map((s) => s[0])).toEqual(steps.map((_, i) => i))
    expect(steps.at(-1)).toEqual([steps.length - 1, steps.length - 1, 'areas'])
    // The full rebuild dropped and rebuilt the table's indexes: they are back, the same.
    expect((await sql<{ d: string }>("SELECT indexdef AS d FROM pg_indexes WHERE tablename = 'household_identification' ORDER BY indexname")).map((r) => r.d.replace(/ public\./g, ' '))).toEqual([
      'CREATE UNIQUE INDEX household_identification_pkey ON household_identification USING btree (household_id, year)',
      'CREATE INDEX household_identification_village_year_idx ON household_identification USING btree (village_code, year)',
    ])
    // One year again (npm run identify -- --year): the same rows, the indexes kept.
    await t.db.query('UPDATE household_identification SET score = 0.5, deprived = $1 WHERE year = 2017', [['x']])
    const one = await identifyAll(t.db, { years: [2017] })
    expect(one.households).toBe((await sql<{ n: number }>('SELECT count(*)::int AS n FROM household_year WHERE year = 2017'))[0]!.n)
    expect(await snapshot()).toEqual(before)
    expect(await profile()).toEqual(profileBefore)
  })

  it('the batch equals the per-household path column by column, for every household-year of the fixture', async () => {
    // identification_identify (the registry triggers' path, through identification_values) vs the batch's statement.
    const rows = async () =>
      sql<{ k: string }>(
        `SELECT concat_ws('/', household_id, year, village_code, people, income_per_capita, line, mask, deprived::text, score, poor_af, poor_official,
           official_gaps::text) AS k FROM household_identification ORDER BY household_id, year`,
      )
    await identifyAll(t.db)
    const batch = await rows()
    const ids = (await sql<{ id: string }>('SELECT id::text FROM household ORDER BY id')).map((r) => r.id)
    await t.db.query('SELECT identification_refresh_households($1::bigint[])', [ids])
    expect(await rows()).toEqual(batch)
    expect(batch.length).toBe((await sql<{ n: number }>('SELECT count(*)::int AS n FROM household_year'))[0]!.n)
  })
})
