import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../../server/app.js'
import { openTestDb, type TestDb } from '../../helpers/test-db.js'
import { fixtureDataset, FIXTURE } from '../../helpers/fixture-dataset.js'
import { loadDataset } from '../../../geodata/load/load-dataset.js'
import { loginAs, type TestSession } from '../../helpers/auth.js'
import { decomposeM0 } from '../../../domain/identification/alkire-foster.js'
import type { Mpi } from '../../../domain/identification/schemas.js'
import { HAND, insertHandExample } from './hand-example.js'
import { measureJobsFor } from '../../../server/identification/measure-jobs.js'

const load = (db: TestDb['db']) => loadDataset(db, fixtureDataset({ householdsPerVillage: 40 }), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })

describe('identification API', () => {
  let t: TestDb
  let app: FastifyInstance
  let admin: TestSession
  let county: TestSession
  const sql = async <R = Record<string, unknown>>(text: string, params: unknown[] = []) => (await t.db.query<R>(text, params)).rows
  const get = async <T = unknown>(s: TestSession, url: string): Promise<T> => {
    const res = await s.inject(url)
    expect(res.statusCode, `${url}: ${res.body.slice(0, 300)}`).toBe(200)
    return res.json() as T
  }
  /** M0 of an area straight from the per-household table (people-weighted, default measure). */
  const directM0 = async (code: string, year: number) =>
    (
      await sql<{ m0: number | null; n: number }>(
        `SELECT sum(people * score) FILTER (WHERE poor_af) / NULLIF(sum(people), 0) AS m0, COALESCE(sum(people), 0)::int AS n
         FROM household_identification WHERE starts_with(village_code, $1) AND year = $2`,
        [code, year],
      )
    )[0]!

  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    await load(t.db)
    await insertHandExample(t.db)
    app = await buildApp({ dataDir: t.location, db: t.db, serveClient: false })
    admin = await loginAs(app, t.db, 'province_admin')
    county = await loginAs(app, t.db, 'county_officer')
  })
  afterAll(async () => {
    await app?.close()
    await t?.dispose()
  })

  it('GET /mpi of the hand-computed village equals the hand computation', async () => {
    const m = await get<Mpi>(admin, `/api/areas/${HAND.village}/mpi?year=${HAND.year}`)
    expect(m).toMatchObject({ code: HAND.village, year: HAND.year, population: 15, poorPopulation: 11, households: 5, poorHouseholds: 3 })
    expect(m.k).toBeCloseTo(1 / 3, 12)
    expect(m.H).toBeCloseTo(HAND.H, 12)
    expect(m.A).toBeCloseTo(HAND.A, 12)
    expect(m.M0).toBeCloseTo(HAND.M0, 12)
    for (const [code, h] of Object.entries(HAND.censored)) expect(m.censored[code], code).toBeCloseTo(h, 12)
    for (const [code, c] of Object.entries(HAND.contributions)) expect(m.contributions[code], code).toBeCloseTo(c, 12)
    expect(m.severe).toBeCloseTo(HAND.severe, 12)
    expect(m.vulnerable).toBeCloseTo(HAND.vulnerable, 12)
    expect(m.officialH).toBeCloseTo(HAND.officialH, 12)
    expect(Object.values(m.weights).reduce((s, w) => s + w, 0)).toBeCloseTo(1, 12)
  })

  it('k moves the cut-off: at k = 0.5 only household D (5 people, c = 7/12) is poor', async () => {
    const m = await get<Mpi>(admin, `/api/areas/${HAND.village}/mpi?year=${HAND.year}&k=0.5`)
    expect(m.poorPopulation).toBe(5)
    expect(m.M0).toBeCloseTo((5 * 7) / 12 / 15, 12)
  })

  it('the profiles the client recomputes from hold the same people as /mpi, for the area and each child', async () => {
    type Rows = { rows: { mask: number; poorOfficial: boolean; households: number; people: number }[] }
    const area = await get<Rows & { code: string }>(admin, `/api/areas/${FIXTURE.county}/mpi/profile?year=2019`)
    const mpi = await get<Mpi>(admin, `/api/areas/${FIXTURE.county}/mpi?year=2019`)
    expect(area.rows.reduce((s, r) => s + r.people, 0)).toBe(mpi.population)
    expect(area.rows.reduce((s, r) => s + r.households, 0)).toBe(mpi.households)
    const children = await get<{ level: string; children: (Rows & { code: string })[] }>(admin, `/api/areas/${FIXTURE.county}/children/mpi/profile?year=2019`)
    expect(children.level).toBe('township')
    const byChild = await get<Mpi[]>(admin, `/api/areas/${FIXTURE.county}/children/mpi?year=2019`)
    expect(children.children.map((c) => [c.code, c.rows.reduce((s, r) => s + r.people, 0)])).toEqual(byChild.map((c) => [c.code, c.population]))
    const [direct] = await sql<{ n: number }>('SELECT count(DISTINCT (mask, poor_official))::int AS n FROM household_identification WHERE starts_with(village_code, $1) AND year = 2019', [FIXTURE.county])
    expect(area.rows).toHaveLength(direct!.n)
  })

  it('k outside 0..1 and a bad year answer 400 with the error body', async () => {
    for (const q of ['k=1.01', 'k=-0.1', 'k=abc', 'year=1999']) {
      const res = await admin.inject(`/api/areas/${FIXTURE.county}/mpi?year=2020&${q}`)
      expect(res.statusCode, q).toBe(400)
      expect(res.json()).toHaveProperty('error')
    }
  })

  it('decomposition holds at every level: M0 = population-weighted sum of the children, = the households', async () => {
    const codes = ['43', '4331', FIXTURE.county, ...FIXTURE.townships]
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...codes), fc.integer({ min: 2014, max: 2020 }), fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }), async (code, year, k) => {
        const q = `year=${year}${k === undefined ? '' : `&k=${k}`}`
        const parent = await get<Mpi>(admin, `/api/areas/${code}/mpi?${q}`)
        const children = await get<Mpi[]>(admin, `/api/areas/${code}/children/mpi?${q}`)
        expect(children.reduce((s, c) => s + c.population, 0)).toBe(parent.population)
        expect(decomposeM0(children)).toBeCloseTo(parent.M0, 10)
        expect(children.reduce((s, c) => s + c.poorPopulation, 0)).toBe(parent.poorPopulation)
        if (k === undefined) {
          const d = await directM0(code, year)
          expect(parent.population).toBe(d.n)
          expect(parent.M0).toBeCloseTo(d.m0 ?? 0, 10)
        }
      }),
      { numRuns: 12 },
    )
  })

  it('respects area and role: aggregates for department viewers and leaders, out-of-area rejected, no household for viewers', async () => {
    const viewer = await loginAs(app, t.db, 'department_viewer')
    const leader = await loginAs(app, t.db, 'leader')
    const village = await loginAs(app, t.db, 'village_team')
    const auditor = await loginAs(app, t.db, 'auditor')
    expect((await viewer.inject(`/api/areas/${FIXTURE.county}/mpi?year=2020`)).statusCode).toBe(200)
    expect((await leader.inject(`/api/areas/4331/children/mpi?year=2020`)).statusCode).toBe(200)
    expect((await village.inject(`/api/areas/${FIXTURE.villages[2]}/mpi?year=2020`)).statusCode).toBe(404)
    expect((await village.inject(`/api/areas/${FIXTURE.townships[0]}/children/mpi?year=2020`)).statusCode).toBe(403)
    expect((await county.inject(`/api/areas/43/mpi?year=2020`)).statusCode).toBe(403)
    expect((await auditor.inject(`/api/areas/43/mpi?year=2020`)).statusCode).toBe(403)
    const [b] = await sql<{ ref: string }>('SELECT ref::text FROM household WHERE id = $1', [HAND.ids.B])
    expect((await viewer.inject(`/api/households/${b!.ref}/identification?year=2020`)).statusCode).toBe(403)
    expect((await village.inject(`/api/households/${b!.ref}/identification?year=2020`)).statusCode).toBe(404)
    // The village team's own village: its figures are its households' only.
    const own = await get<Mpi>(village, `/api/areas/${FIXTURE.villages[0]}/mpi?year=2020`)
    expect(own.population).toBe((await directM0(FIXTURE.villages[0]!, 2020)).n)
  })

  it('GET /api/households/:id/identification explains both rules in words', async () => {
    const [b] = await sql<{ ref: string }>('SELECT ref::text FROM household WHERE id = $1', [HAND.ids.B])
    const why = await get<{ score: number; poorAf: boolean; poorOfficial: boolean; indicators: { code: string; deprived: boolean; text: { zh: string } }[]; officialGaps: { code: string }[]; verdict: { af: { zh: string } } }>(
      county,
      `/api/households/${b!.ref}/identification?year=2020`,
    )
    expect(why.score).toBeCloseTo(HAND.scores.B, 12)
    expect(why.poorAf).toBe(true)
    expect(why.poorOfficial).toBe(true)
    expect(why.indicators.filter((i) => i.deprived).map((i) => i.code)).toEqual(['af_water_quantity', 'af_water_quality', 'af_water_convenience', 'af_water_reliability', 'af_housing'])
    expect(why.indicators.find((i) => i.code === 'af_housing')!.text.zh).toContain('D级')
    expect(why.officialGaps.map((g) => g.code)).toEqual(['housing', 'water'])
    expect(why.verdict.af.zh).toContain('多维贫困')
  })

  it('re-identifies one household incrementally after a registry edit', async () => {
    await t.db.query('UPDATE household_year SET income_per_capita = 3000 WHERE household_id = $1 AND year = $2', [HAND.ids.C, HAND.year])
    const [c] = await sql<{ score: number; poor_af: boolean }>('SELECT score, poor_af FROM household_identification WHERE household_id = $1 AND year = $2', [HAND.ids.C, HAND.year])
    expect(c!.score).toBeCloseTo(1 / 12 + 1 / 6, 12)
    expect(c!.poor_af).toBe(false)
    await t.db.query('UPDATE member SET medical_insurance = false WHERE household_id = $1', [HAND.ids.C])
    const [c2] = await sql<{ score: number; poor_af: boolean }>('SELECT score, poor_af FROM household_identification WHERE household_id = $1 AND year = $2', [HAND.ids.C, HAND.year])
    expect(c2!.poor_af).toBe(false) // insurance is one indicator however many members lack it
    await t.db.query('UPDATE household_year SET food_clothing_ok = false WHERE household_id = $1 AND year = $2', [HAND.ids.C, HAND.year])
    const m = await get<Mpi>(admin, `/api/areas/${HAND.village}/mpi?year=${HAND.year}`)
    expect(m.poorPopulation).toBe(14)
    expect((await directM0(HAND.township, HAND.year)).m0).toBeCloseTo((await get<Mpi>(admin, `/api/areas/${HAND.township}/mpi?year=${HAND.year}`)).M0, 12)
    await t.db.query('UPDATE household_year SET income_per_capita = 5000, food_clothing_ok = true WHERE household_id = $1 AND year = $2', [HAND.ids.C, HAND.year])
    await t.db.query('UPDATE member SET medical_insurance = true WHERE household_id = $1', [HAND.ids.C])
    await t.db.query('UPDATE member SET medical_insurance = false WHERE id = (SELECT min(id) FROM member WHERE household_id = $1)', [HAND.ids.C])
    expect((await get<Mpi>(admin, `/api/areas/${HAND.village}/mpi?year=${HAND.year}`)).M0).toBeCloseTo(HAND.M0, 12)
  })

  it('scenarios: saved per user, used by ?scenario=, invisible to others, deleted by the owner', async () => {
    const res = await county.inject({ method: 'POST', url: '/api/identification/scenarios', payload: { name: '收入加权', k: 0.5, weights: { af_income: 1, af_housing: 1 } } })
    expect(res.statusCode, res.body).toBe(201)
    const { id } = res.json() as { id: number }
    const list = await get<{ id: number; mine: boolean }[]>(county, '/api/identification/scenarios')
    expect(list.find((s) => s.id === id)?.mine).toBe(true)
    const m = await get<Mpi>(county, `/api/areas/${FIXTURE.county}/mpi?year=2020&scenario=${id}`)
    expect(m.k).toBe(0.5)
    expect(m.weights.af_income).toBeCloseTo(0.5, 12)
    const other = await loginAs(app, t.db, 'township_officer')
    expect((await other.inject(`/api/areas/${FIXTURE.townships[0]}/mpi?year=2020&scenario=${id}`)).statusCode).toBe(404)
    expect((await county.inject({ method: 'POST', url: '/api/identification/scenarios', payload: { name: 'x', k: 0.3, weights: { nope: 1 } } })).statusCode).toBe(400)
    expect((await county.inject({ method: 'POST', url: '/api/identification/scenarios', payload: { name: 'x', k: 0.3, weights: { af_income: 1 }, areaCode: '4331' } })).statusCode).toBe(403)
    expect((await other.inject({ method: 'POST', url: '/api/identification/scenarios/delete', payload: { id } })).statusCode).toBe(404)
    expect((await county.inject({ method: 'POST', url: '/api/identification/scenarios/delete', payload: { id } })).statusCode).toBe(204)
  })

  /** Polls a measure job until it is no longer running; its last answer. */
  const waitJob = async (id: string) => {
    for (;;) {
      const j = await get<{ id: string; state: string; percent: number }>(admin, `/api/identification/config/jobs/${id}`)
      if (j.state !== 'running') return j
      await new Promise((r) => setTimeout(r, 20))
    }
  }

  it('the default measure: only the province administrator sets it; a background job re-scores every household', async () => {
    const before = await get<{ k: number; weights: Record<string, number> }>(county, '/api/identification/config')
    expect((await county.inject({ method: 'POST', url: '/api/identification/config', payload: { k: 0.5, weights: before.weights } })).statusCode).toBe(403)
    const res = await admin.inject({ method: 'POST', url: '/api/identification/config', payload: { k: 0.5, weights: before.weights } })
    expect(res.statusCode, res.body).toBe(202)
    const job = res.json<{ id: string; kind: string; state: string }>()
    expect(job).toMatchObject({ kind: 'default-measure', state: 'running' })
    expect(res.headers.location).toBe(`/api/identification/config/jobs/${job.id}`)
    expect((await county.inject(`/api/identification/config/jobs/${job.id}`)).statusCode).toBe(403)
    expect(await waitJob(job.id)).toMatchObject({ state: 'done', percent: 100 })
    expect((await get<{ k: number }>(county, '/api/identification/config')).k).toBe(0.5)
    const [d] = await sql<{ poor_af: boolean }>('SELECT poor_af FROM household_identification WHERE household_id = $1 AND year = $2', [HAND.ids.A, HAND.year])
    expect(d!.poor_af).toBe(false)
    // Every household-year as the default measure scores it now (the mask table of migration 0013).
    const wrong = await sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM household_identification x
       JOIN identification_mask_table((SELECT weights FROM identification_scenario WHERE is_default)) s ON s.mask = x.mask
       WHERE abs(x.score - s.score) > 1e-12 OR x.poor_af <> af_poor(s.score, 0.5)`,
    )
    expect(wrong[0]!.n).toBe(0)
    const back = await admin.inject({ method: 'POST', url: '/api/identification/config', payload: { k: before.k, weights: before.weights } })
    expect(back.statusCode).toBe(202)
    expect((await waitJob(back.json<{ id: string }>().id)).state).toBe('done')
    const [a] = await sql<{ poor_af: boolean }>('SELECT poor_af FROM household_identification WHERE household_id = $1 AND year = $2', [HAND.ids.A, HAND.year])
    expect(a!.poor_af).toBe(true)
    expect((await admin.inject(`/api/identification/config/jobs/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`)).statusCode).toBe(404)
  })

  it('the default measure: a second change while one runs is refused with the running job; a failed job is reported', async () => {
    const jobs = measureJobsFor(app.requestDb)
    let release!: () => void
    const held = jobs.start('default-measure', 1, () => new Promise<void>((r) => (release = r)), () => {})
    if ('busy' in held) throw new Error('a job was running already')
    const before = await get<{ k: number; weights: Record<string, number> }>(admin, '/api/identification/config')
    const res = await admin.inject({ method: 'POST', url: '/api/identification/config', payload: { k: 0.2, weights: before.weights } })
    expect(res.statusCode).toBe(409)
    expect(res.json()).toMatchObject({ error: 'Conflict', job: { id: held.id, state: 'running' } })
    expect(await get(admin, `/api/identification/config/jobs/${held.id}`)).toMatchObject({ state: 'running', percent: 0 })
    release()
    await jobs.idle()
    expect(await get(admin, `/api/identification/config/jobs/${held.id}`)).toMatchObject({ state: 'done', percent: 100 })
    // Weights that weigh nothing: refused before any job starts.
    const zero = Object.fromEntries(Object.keys(before.weights).map((c) => [c, 0]))
    expect((await admin.inject({ method: 'POST', url: '/api/identification/config', payload: { k: 0.2, weights: zero } })).statusCode).toBe(400)
    expect(jobs.running()).toBeNull()
    // A job that fails is reported failed, with its error passed on, and frees the slot.
    const errors: unknown[] = []
    const failing = jobs.start('default-measure', 1, async () => { throw new Error('boom') }, (e) => errors.push(e))
    await jobs.idle()
    expect(jobs.get((failing as { id: string }).id)).toMatchObject({ state: 'failed', step: 'failed' })
    expect(errors.map(String)).toEqual(['Error: boom'])
    expect(jobs.running()).toBeNull()
  })

  it('the indicator system: thresholds served from the database, edits versioned, admin only, kept across a reload', async () => {
    const indicators = await get<{ code: string; threshold: { value: number } | null }[]>(county, '/api/indicators')
    expect(indicators.find((i) => i.code === 'poverty_incidence')?.threshold?.value).toBe(2)
    expect(indicators.some((i) => i.code.startsWith('af_'))).toBe(false)
    const denied = await county.inject({ method: 'POST', url: '/api/indicator-system?indicator=af_income', payload: { threshold: { value: 1.2, basis: 'deprivation_cutoff', note: { zh: '1.2倍', en: '1.2 times' } } } })
    expect(denied.statusCode).toBe(403)
    expect((await sql<{ n: number }>("SELECT count(*)::int AS n FROM indicator_def_version WHERE code = 'af_income'"))[0]!.n).toBe(1)
    const poorBefore = (await sql<{ n: number }>('SELECT count(*)::int AS n FROM household_identification WHERE mask & 1 <> 0'))[0]!.n
    const res = await admin.inject({ method: 'POST', url: '/api/indicator-system?indicator=af_income', payload: { threshold: { value: 1.3, basis: 'deprivation_cutoff', note: { zh: '1.3倍', en: '1.3 times' } }, note: 'test' } })
    // A changed AF cut-off: the edit and the re-identification of every household as a background job.
    expect(res.statusCode, res.body).toBe(202)
    expect(await waitJob(res.json<{ id: string }>().id)).toMatchObject({ state: 'done', percent: 100 })
    expect((await get<{ code: string }[]>(county, '/api/indicator-system')).find((e) => e.code === 'af_income')).toMatchObject({ version: 2, threshold: { value: 1.3 } })
    // Names only: no re-identification, answered at once.
    const renamed = await admin.inject({ method: 'POST', url: '/api/indicator-system?indicator=af_clothing', payload: { nameEn: 'Food and clothing', note: 'name' } })
    expect(renamed.statusCode, renamed.body).toBe(200)
    expect(renamed.json()).toMatchObject({ code: 'af_clothing', nameEn: 'Food and clothing', version: 2 })
    const versions = await get<{ version: number; changedBy: string | null; note: string | null }[]>(county, '/api/indicator-system/versions?indicator=af_income')
    expect(versions.map((v) => v.version)).toEqual([2, 1])
    expect(versions[0]!.note).toBe('test')
    // 1.3 × the line: households earning between the line and 1.3 × it are now deprived in income.
    const poorAfter = (await sql<{ n: number }>('SELECT count(*)::int AS n FROM household_identification WHERE mask & 1 <> 0'))[0]!.n
    const expected = (await sql<{ n: number }>('SELECT count(*)::int AS n FROM household_identification WHERE income_per_capita < 1.3 * line'))[0]!.n
    expect(poorAfter).toBe(expected)
    expect(poorAfter).toBeGreaterThan(poorBefore)
    const wrong = await admin.inject({ method: 'POST', url: '/api/indicator-system?indicator=poverty_incidence', payload: { threshold: { value: 3, basis: 'deprivation_cutoff', note: { zh: 'x', en: 'x' } } } })
    expect(wrong.statusCode).toBe(400)
    await load(t.db)
    expect((await sql<{ v: number; version: number }>("SELECT threshold_value AS v, version FROM indicator_def WHERE code = 'af_income'"))[0]).toEqual({ v: 1.3, version: 2 })
    expect((await sql<{ v: number }>("SELECT threshold_value AS v FROM indicator_def WHERE code = 'poverty_incidence'"))[0]!.v).toBe(2)
    expect((await sql<{ n: number }>('SELECT count(*)::int AS n FROM household_identification'))[0]!.n).toBe(
      (await sql<{ n: number }>('SELECT count(*)::int AS n FROM household_year'))[0]!.n,
    )
  })
})
