import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../../server/app.js'
import { openTestDb, type TestDb } from '../../helpers/test-db.js'
import { fixtureDataset, FIXTURE, FIXTURE_INDICATORS } from '../../helpers/fixture-dataset.js'
import { loadDataset } from '../../../geodata/load/load-dataset.js'
import { ASSURANCE_GAPS, POVERTY_CAUSES } from '../../../domain/codes.js'
import { countingDb } from '../../helpers/counting-db.js'
import { loginAs, type TestSession } from '../../helpers/auth.js'

const CODES = ['43', '4331', FIXTURE.county, FIXTURE.townships[0]!, FIXTURE.townships[1]!, FIXTURE.villages[0]!, FIXTURE.villages[3]!]
const CHILD: Record<string, string> = { '43': '4331', '4331': FIXTURE.county }
/** Distinct village populations (the fixture gives every village 1200), so weighted means differ from plain ones. */
const POPULATIONS = [800, 1200, 1500, 2000]

describe('diagnosis API', () => {
  let t: TestDb
  let app: FastifyInstance
  let counter: ReturnType<typeof countingDb>
  // Data routes need a session (issue 6): these tests read as the province administrator (scope 43).
  let admin: TestSession
  const get = async (url: string) => {
    const res = await admin.inject(url)
    expect(res.statusCode, `${url}: ${res.body.slice(0, 200)}`).toBe(200)
    return res.json()
  }
  const sql = async <R = Record<string, unknown>>(text: string, params: unknown[] = []) => (await t.db.query<R>(text, params)).rows

  /**
   * An indicator's value over the villages under a code, written independently of the app's SQL:
   * counts summed, yes/no as the share of villages, others weighted by rural population.
   */
  async function expectedIndicator(code: string, indicator: string, year: number): Promise<{ value: number | null; villages: number }> {
    const [row] = await sql<{ unit: string; n: number; s: number | null; a: number | null; w: number | null }>(
      `SELECT d.unit, count(v.value)::int AS n, sum(v.value) AS s, avg(v.value) AS a,
              sum(v.value * a.rural_population) / NULLIF(sum(a.rural_population) FILTER (WHERE v.value IS NOT NULL), 0) AS w
       FROM indicator_def d
       LEFT JOIN indicator_value v ON v.indicator_code = d.code AND v.year = $3 AND left(v.area_code, length($1)) = $1
       LEFT JOIN admin_area a ON a.code = v.area_code
       WHERE d.code = $2 GROUP BY d.unit`,
      [code, indicator, year],
    )
    const value = row!.n === 0 ? null : row!.unit === 'households' ? row!.s : row!.unit === 'bool' ? row!.a : row!.w
    return { value, villages: row!.n }
  }

  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    await loadDataset(t.db, fixtureDataset(), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
    for (const [i, code] of FIXTURE.villages.entries()) {
      await t.db.query('UPDATE admin_area SET rural_population = $2 WHERE code = $1', [code, POPULATIONS[i]])
    }
    counter = countingDb(t.db)
    app = await buildApp({ dataDir: t.location, db: counter.db, serveClient: false })
    admin = await loginAs(app, t.db, 'province_admin')
  })
  afterAll(async () => {
    await app?.close()
    await t?.dispose()
  })

  it('GET /api/indicators lists every definition with its aggregation, years holding values and threshold', async () => {
    const body = await get('/api/indicators')
    // Village indicators only: the household-level (AF) ones of the indicator system have no village values (identification).
    const defs = await sql<{ code: string; name_zh: string; unit: string; direction: string }>("SELECT * FROM indicator_def WHERE level = 'village'")
    expect(body.map((d: { code: string }) => d.code).sort()).toEqual(defs.map((d) => d.code).sort())
    for (const d of defs) {
      const got = body.find((b: { code: string }) => b.code === d.code)
      const years = (await sql<{ year: number }>('SELECT DISTINCT year FROM indicator_value WHERE indicator_code = $1 ORDER BY year', [d.code])).map((r) => r.year)
      expect(got, d.code).toMatchObject({ nameZh: d.name_zh, unit: d.unit, direction: d.direction, years })
    }
    const byCode = Object.fromEntries(body.map((d: { code: string }) => [d.code, d]))
    expect(byCode.poor_households.aggregation).toBe('sum')
    expect(byCode.road_hardened.aggregation).toBe('share')
    expect(byCode.dist_school_km.aggregation).toBe('weighted_mean')
    expect(byCode.slope_deg.years).toEqual([2020])
    expect(byCode.poverty_incidence.threshold).toMatchObject({ value: 2, basis: 'exit_criterion' })
    expect(byCode.slope_deg.threshold).toBeNull()
  })

  it('area indicators equal the villages aggregated in SQL, with the parent’s average, for every level', async () => {
    for (const code of CODES) {
      for (const year of [2019, 2020]) {
        const body = await get(`/api/areas/${code}/indicators?year=${year}`)
        const [area] = await sql<{ parent_code: string | null; name: string }>('SELECT parent_code, name FROM admin_area WHERE code = $1', [code])
        expect(body.parent?.code ?? null).toBe(area!.parent_code)
        const [siblings] = area!.parent_code ? await sql<{ n: number }>('SELECT count(*)::int AS n FROM admin_area WHERE parent_code = $1', [area!.parent_code]) : [{ n: 0 }]
        for (const ind of ['slope_deg', ...FIXTURE_INDICATORS.map((d) => d.code)]) {
          const got = body.indicators.find((i: { code: string }) => i.code === ind)
          const want = await expectedIndicator(code, ind, year)
          expect(got.villages, `${code} ${ind} ${year}`).toBe(want.villages)
          if (want.value === null) expect(got.value).toBeNull()
          else expect(got.value, `${code} ${ind} ${year}`).toBeCloseTo(want.value, 9)
          const parent = area!.parent_code ? await expectedIndicator(area!.parent_code, ind, year) : { value: null }
          const parentAverage = parent.value === null ? null : ind === 'poor_households' ? parent.value / siblings!.n : parent.value
          if (parentAverage === null) expect(got.parentAverage, `${code} ${ind}`).toBeNull()
          else expect(got.parentAverage, `${code} ${ind} ${year}`).toBeCloseTo(parentAverage, 9)
        }
      }
    }
    // Weighted, not plain: the county's school distance in 2020 is Σ value × population / Σ population.
    const county = await get(`/api/areas/${FIXTURE.county}/indicators?year=2020`)
    const school = county.indicators.find((i: { code: string }) => i.code === 'dist_school_km')
    const values = [1.5, 4, 6.5, 9].map((v) => v - 0.5)
    expect(school.value).toBeCloseTo(values.reduce((s, v, i) => s + v * POPULATIONS[i]!, 0) / POPULATIONS.reduce((a, b) => a + b), 9)
  })

  it('children indicator values are each child’s aggregate, for choropleths at every level', async () => {
    for (const code of ['43', '4331', FIXTURE.county, ...FIXTURE.townships]) {
      for (const ind of ['safe_water_share', 'poor_households', 'road_hardened', 'dist_school_km']) {
        const body = await get(`/api/areas/${code}/children/indicator?indicator=${ind}&year=2019`)
        const kids = await sql<{ code: string; name: string; level: string }>('SELECT code, name, level FROM admin_area WHERE parent_code = $1 ORDER BY code', [code])
        expect(body.values.map((v: { code: string }) => v.code)).toEqual(kids.map((k) => k.code))
        expect(body.level).toBe(kids[0]!.level)
        for (const v of body.values) {
          const want = await expectedIndicator(v.code, ind, 2019)
          expect(v.villages).toBe(want.villages)
          if (want.value === null) expect(v.value).toBeNull()
          else expect(v.value, `${v.code} ${ind}`).toBeCloseTo(want.value, 9)
        }
      }
    }
    // Village 3 has no school distance in 2019: its value is null, its township's comes from village 2 alone.
    const tw = await get(`/api/areas/${FIXTURE.townships[1]}/children/indicator?indicator=dist_school_km&year=2019`)
    expect(tw.values).toEqual([
      { code: FIXTURE.villages[2], name: '测试2村', value: 6.5, villages: 1 },
      { code: FIXTURE.villages[3], name: '测试3村', value: null, villages: 0 },
    ])
    expect((await get(`/api/areas/${FIXTURE.villages[0]}/children/indicator?indicator=slope_deg&year=2020`)).values).toEqual([])
  })

  it('diagnosis figures equal what SQL counts in the registry itself', async () => {
    for (const code of CODES) {
      const year = 2016
      const body = await get(`/api/areas/${code}/diagnosis?year=${year}`)
      const [pop] = await sql<{ p: number }>(
        `SELECT COALESCE(a.rural_population, (SELECT sum(rural_population) FROM admin_area v WHERE v.level = 'village' AND left(v.code, length($1)) = $1))::float8 AS p
         FROM admin_area a WHERE a.code = $1`,
        [code],
      )
      expect(body.ruralPopulation).toBe(pop!.p)
      const series = await sql<Record<string, number>>(
        `SELECT y.year, count(*)::int AS households, sum(h.size)::int AS people,
           (count(*) FILTER (WHERE y.status IN ('poor', 'returned')))::int AS "poorHouseholds",
           COALESCE(sum(h.size) FILTER (WHERE y.status IN ('poor', 'returned')), 0)::int AS "poorPeople",
           (count(*) FILTER (WHERE y.status = 'lifted'))::int AS "liftedHouseholds",
           (count(*) FILTER (WHERE y.status = 'returned'))::int AS "returnedHouseholds"
         FROM household h JOIN household_year y ON y.household_id = h.id
         WHERE left(h.village_code, length($1)) = $1 GROUP BY y.year ORDER BY y.year`,
        [code],
      )
      expect(body.series, code).toEqual(series.map((s) => ({ ...s, incidence: s.poorPeople! / pop!.p })))
      expect(body.series.map((s: { year: number }) => s.year)).toEqual([2014, 2015, 2016, 2017, 2018, 2019, 2020])

      const gapCols = ASSURANCE_GAPS.map(
        (g) => `(count(*) FILTER (WHERE NOT y.${g}_ok))::int AS "${g}", (count(*) FILTER (WHERE NOT y.${g}_ok AND y.status <> 'lifted'))::int AS "${g}_poor"`,
      ).join(', ')
      const anyGap = ASSURANCE_GAPS.map((g) => `NOT y.${g}_ok`).join(' OR ')
      const [gaps] = await sql<Record<string, number>>(
        `SELECT count(*)::int AS households, (count(*) FILTER (WHERE y.status <> 'lifted'))::int AS poor,
           (count(*) FILTER (WHERE ${anyGap}))::int AS "anyGap", (count(*) FILTER (WHERE (${anyGap}) AND y.status <> 'lifted'))::int AS "anyGapPoor", ${gapCols}
         FROM household h JOIN household_year y ON y.household_id = h.id AND y.year = $2 WHERE left(h.village_code, length($1)) = $1`,
        [code, year],
      )
      expect(body.gaps).toEqual({
        households: gaps!.households,
        poorHouseholds: gaps!.poor,
        anyGap: gaps!.anyGap,
        anyGapPoor: gaps!.anyGapPoor,
        byGap: ASSURANCE_GAPS.map((g) => ({ gap: g, households: gaps![g], poorHouseholds: gaps![`${g}_poor`] })),
      })
      expect(gaps!.anyGap).toBeGreaterThan(0)

      const causes = await sql<{ cause: string; households: number; people: number; poorHouseholds: number }>(
        `SELECT h.main_cause AS cause, count(*)::int AS households, sum(h.size)::int AS people,
           (count(*) FILTER (WHERE y.status <> 'lifted'))::int AS "poorHouseholds"
         FROM household h JOIN household_year y ON y.household_id = h.id AND y.year = $2 WHERE left(h.village_code, length($1)) = $1
         GROUP BY h.main_cause`,
        [code, year],
      )
      expect(body.causes.map((c: { cause: string }) => c.cause)).toEqual([...POVERTY_CAUSES])
      for (const c of body.causes) expect(c, c.cause).toEqual(causes.find((x) => x.cause === c.cause) ?? { cause: c.cause, households: 0, people: 0, poorHouseholds: 0 })

      for (const [k, ind] of [['school', 'dist_school_km'], ['clinic', 'dist_clinic_km'], ['township', 'dist_township_km'], ['county', 'dist_county_km']] as const) {
        const want = await expectedIndicator(code, ind, year)
        expect(want.value).toBeNull() // the fixture has distances for 2019 and 2020 only
        expect(body.distances[k]).toBeNull()
      }
      const [proj] = await sql<Record<string, number>>(
        `SELECT count(*)::int AS count, COALESCE(sum(budget_yuan), 0)::float8 AS "budgetYuan", COALESCE(sum(spent_yuan), 0)::float8 AS "spentYuan",
           COALESCE(sum(beneficiary_households), 0)::int AS "beneficiaryHouseholds"
         FROM project WHERE CASE WHEN length($1) <= 6 THEN left(county_code, length($1)) = $1 ELSE left(village_code, length($1)) = $1 END`,
        [code],
      )
      expect(body.projects, code).toEqual(proj)
    }
    const v = await get(`/api/areas/${FIXTURE.villages[1]}/diagnosis?year=2020`)
    expect(v.distances).toEqual({ school: 3.5, clinic: 3.2, township: 5, county: 24 })
  })

  it('projects of an area: county code down to counties, village code below, with stage and spending', async () => {
    const county = await get(`/api/areas/${FIXTURE.county}/projects`)
    const all = await sql<Record<string, unknown>>(
      `SELECT id, name, type, stage, year, budget_yuan AS "budgetYuan", spent_yuan AS "spentYuan", county_code AS "countyCode",
         village_code AS "villageCode", beneficiary_households AS "beneficiaryHouseholds" FROM project ORDER BY year DESC, id`,
    )
    expect(county.projects.map(({ at: _at, ...p }: { at: number[] }) => p)).toEqual(all)
    expect(county.total).toEqual({ count: 2, budgetYuan: 1.5e6, spentYuan: 1.28e6, beneficiaryHouseholds: 100 })
    expect(county.byStage).toEqual([
      { stage: 'construction', count: 1, budgetYuan: 3e5, spentYuan: 1e5, beneficiaryHouseholds: 60 },
      { stage: 'completed', count: 1, budgetYuan: 1.2e6, spentYuan: 1.18e6, beneficiaryHouseholds: 40 },
    ])
    expect(county.byType.map((b: { type: string }) => b.type)).toEqual(['road', 'water'])
    // The water project is a point: its position is that point.
    const [x0, y0] = FIXTURE.origin
    expect(county.projects[0].at).toEqual([expect.closeTo(x0 + 0.004, 6), expect.closeTo(y0 + 0.004, 6)])
    expect((await get(`/api/areas/${FIXTURE.villages[0]}/projects`)).total.count).toBe(2)
    expect((await get(`/api/areas/${FIXTURE.villages[1]}/projects`))).toEqual({
      code: FIXTURE.villages[1], total: { count: 0, budgetYuan: 0, spentYuan: 0, beneficiaryHouseholds: 0 }, byStage: [], byType: [], projects: [],
    })
    expect((await get(`/api/areas/${FIXTURE.townships[1]}/projects`)).total.count).toBe(0)
    expect((await get(`/api/areas/43/projects?limit=1`)).projects).toHaveLength(1)
  })

  it('inspection ranks the children worst first by the indicator’s direction, with their figures', async () => {
    const lower = await get(`/api/inspection?parent=${FIXTURE.county}&indicator=poverty_incidence&year=2020`)
    const kids = await sql<{ code: string }>('SELECT code FROM admin_area WHERE parent_code = $1', [FIXTURE.county])
    const want = await Promise.all(kids.map(async (k) => ({ code: k.code, ...(await expectedIndicator(k.code, 'poverty_incidence', 2020)) })))
    want.sort((a, b) => b.value! - a.value!)
    expect(lower.items.map((i: { code: string }) => i.code)).toEqual(want.map((w) => w.code))
    expect(lower.items.map((i: { rank: number }) => i.rank)).toEqual([1, 2])
    const parent = await expectedIndicator(FIXTURE.county, 'poverty_incidence', 2020)
    expect(lower.parentValue).toBeCloseTo(parent.value!, 9)
    for (const item of lower.items) {
      expect(item.value).toBeCloseTo(want.find((w) => w.code === item.code)!.value!, 9)
      expect(item.lagging).toBe(item.value > lower.parentValue)
      const [s] = await sql<{ hh: number; pp: number; pop: number }>(
        `SELECT (count(*) FILTER (WHERE y.status <> 'lifted'))::int AS hh, COALESCE(sum(h.size) FILTER (WHERE y.status <> 'lifted'), 0)::int AS pp,
           (SELECT rural_population FROM admin_area WHERE code = $1) AS pop
         FROM household h JOIN household_year y ON y.household_id = h.id AND y.year = 2020 WHERE left(h.village_code, length($1)) = $1`,
        [item.code],
      )
      expect(item).toMatchObject({ poorHouseholds: s!.hh, poorPeople: s!.pp, incidence: s!.pp / s!.pop, level: 'township' })
    }
    expect(lower.items[0].lagging).toBe(true)

    // higher_better: the lowest share first.
    const higher = await get(`/api/inspection?parent=${FIXTURE.townships[0]}&indicator=safe_water_share&year=2019`)
    expect(higher.items.map((i: { code: string; value: number }) => [i.code, i.value])).toEqual([
      [FIXTURE.villages[1], 0.7],
      [FIXTURE.villages[0], 0.95],
    ])
    expect(higher.items[0].bbox).toEqual([FIXTURE.origin[0] + FIXTURE.cell, FIXTURE.origin[1], FIXTURE.origin[0] + 2 * FIXTURE.cell, FIXTURE.origin[1] + FIXTURE.cell])
    // Areas without a value come last.
    const missing = await get(`/api/inspection?parent=${FIXTURE.townships[1]}&indicator=dist_school_km&year=2019`)
    expect(missing.items.map((i: { value: number | null }) => i.value)).toEqual([6.5, null])
    expect(missing.items[1].lagging).toBe(false)
    // For counts the parent value is its total per child.
    const counts = await get(`/api/inspection?parent=${CHILD['43']}&indicator=poor_households&year=2020`)
    expect(counts.parentValue).toBe(12 + 30 + 18 + 41 - 4 * 5)
  })

  it('figures are computed as the caller: in their own area every role sees the province’s figures; above it no parent average', async () => {
    const cases = [
      ['county_officer', FIXTURE.county],
      ['township_officer', FIXTURE.townships[0]!],
      ['village_team', FIXTURE.villages[0]!],
      ['leader', FIXTURE.county],
      ['department_viewer', FIXTURE.county],
    ] as const
    for (const [role, scope] of cases) {
      const s = await loginAs(app, t.db, role, { scope })
      const unscopedBefore = counter.unscoped()
      const urls = [`/api/areas/${scope}/diagnosis?year=2016`, `/api/areas/${scope}/projects`]
      if (scope.length < 12) urls.push(`/api/areas/${scope}/children/indicator?indicator=poor_households&year=2020`, `/api/inspection?parent=${scope}&indicator=poverty_incidence&year=2020`)
      for (const url of urls) {
        const mine = await s.inject(url)
        expect(mine.statusCode, `${role} ${url}`).toBe(200)
        expect(mine.json(), `${role} ${url}`).toEqual(await get(url))
      }
      const mine = (await s.inject(`/api/areas/${scope}/indicators?year=2020`)).json()
      const full = await get(`/api/areas/${scope}/indicators?year=2020`)
      expect(mine.indicators.map(({ parentAverage: _p, ...i }: { parentAverage: number | null }) => i)).toEqual(full.indicators.map(({ parentAverage: _p, ...i }: { parentAverage: number | null }) => i))
      // The parent is above the caller: names only, no figure (and under RLS it would count this area alone).
      expect(mine.parent).toEqual(full.parent)
      expect(mine.indicators.every((i: { parentAverage: number | null }) => i.parentAverage === null), role).toBe(true)
      expect(full.indicators.some((i: { parentAverage: number | null }) => i.parentAverage !== null)).toBe(true)
      // Every data statement of these requests ran inside a scoped transaction.
      expect(counter.unscoped(), role).toBe(unscopedBefore)
    }
    // Another township is outside a township officer's area; department viewers see no household.
    const township = await loginAs(app, t.db, 'township_officer', { scope: FIXTURE.townships[0]! })
    expect((await township.inject(`/api/areas/${FIXTURE.townships[1]}/diagnosis`)).statusCode).toBe(404)
    const viewer = await loginAs(app, t.db, 'department_viewer', { scope: FIXTURE.county })
    const [h] = await sql<{ ref: string }>('SELECT ref::text AS ref FROM household LIMIT 1')
    expect((await viewer.inject(`/api/households/${h!.ref}`)).statusCode).toBe(403)
  })

  it('bad input is a 400 before any SQL, unknown codes and indicators a 404', async () => {
    for (const url of [
      '/api/areas/4/indicators',
      '/api/areas/43/indicators?year=2013',
      '/api/areas/43/indicators?foo=1',
      '/api/areas/43/children/indicator',
      '/api/areas/43/children/indicator?indicator=Slope&year=2020',
      "/api/areas/43/children/indicator?indicator=slope_deg';--",
      '/api/areas/43/diagnosis?year=x',
      '/api/areas/43a/projects',
      '/api/areas/43/projects?limit=0',
      '/api/inspection?parent=43',
      '/api/inspection?parent=433&indicator=slope_deg',
      `/api/inspection?parent=43&indicator=${'x'.repeat(65)}`,
    ]) {
      const before = counter.count()
      const res = await admin.inject(url)
      expect(res.statusCode, url).toBe(400)
      expect(res.json(), url).toEqual({ error: 'Bad Request', message: expect.any(String) })
      expect(counter.count(), url).toBe(before)
    }
    for (const url of [
      '/api/areas/4399/indicators',
      '/api/areas/4399/children/indicator?indicator=slope_deg',
      '/api/areas/43/children/indicator?indicator=no_such',
      '/api/areas/4399/diagnosis',
      '/api/areas/4399/projects',
      '/api/inspection?parent=4399&indicator=slope_deg',
      '/api/inspection?parent=43&indicator=no_such',
    ]) {
      const res = await admin.inject(url)
      expect(res.statusCode, url).toBe(404)
      expect(res.json(), url).toEqual({ error: 'Not Found', message: expect.any(String) })
    }
  })

  it('the OpenAPI document lists the diagnosis routes', async () => {
    const doc = await get('/api/docs/json')
    for (const p of ['/api/indicators', '/api/areas/{code}/indicators', '/api/areas/{code}/children/indicator', '/api/areas/{code}/diagnosis', '/api/areas/{code}/projects', '/api/inspection']) {
      expect(Object.keys(doc.paths)).toContain(p)
    }
  })
})
