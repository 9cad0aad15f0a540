import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../../server/app.js'
import { openTestDb, type TestDb } from '../../helpers/test-db.js'
import { loadDataset } from '../../../geodata/load/load-dataset.js'
import { loginAs, sessionCaller, type TestSession } from '../../helpers/auth.js'
import { FIXTURE } from '../../helpers/fixture-dataset.js'
import { withCaller, type DbCaller } from '../../../server/db/caller-transactions.js'
import type { Queryable } from '../../../server/db/types.js'
import { parseTable } from '../../../server/reports/import-parse.js'
import { ImportCancelled, maskChanges, planHouseholdImport, type ImportPlan } from '../../../server/reports/import-households.js'
import { runHouseholdPlan } from '../../../server/reports/import-run.js'
import { HOUSEHOLD_IMPORT_COLUMNS } from '../../../domain/reports/import-columns.js'
import { reportDataset } from './report-dataset.js'
import { csvText, householdRows, idOf, pointIn, type HouseholdRow } from './import-fixtures.js'

const V = FIXTURE.villages
const col = (key: string) => HOUSEHOLD_IMPORT_COLUMNS.findIndex((c) => c.key === key)

// Households made by the first file, changed by the second.
const HA: HouseholdRow = { village: V[0]!, at: pointIn(0, 0.003, 0.003), members: [{ name: '龙甲', sex: 'M', id: idOf(41, 'M'), relation: '户主' }, { name: '石乙', sex: 'F', id: idOf(42, 'F'), relation: '配偶' }] }
const HB: HouseholdRow = { village: V[1]!, at: pointIn(1, 0.003, 0.003), members: [{ name: '麻丙', sex: 'M', id: idOf(43, 'M'), relation: '户主' }, { name: '吴丁', sex: 'F', id: idOf(44, 'F'), relation: '配偶' }, { name: '麻戊', sex: 'M', id: idOf(45, 'M', '433124', '20100101'), relation: '之子' }] }
const HC: HouseholdRow = { village: V[2]!, at: pointIn(2, 0.003, 0.003), members: [{ name: '杨己', sex: 'F', id: idOf(46, 'F'), relation: '户主' }] }
// The second file: HA moves within its village, changes cause, income and phone, gains a member; HB's spouse is renamed; HC as it was; HD is new.
const HA2: HouseholdRow = { ...HA, at: pointIn(0, 0.004, 0.004), cause: '缺资金', income: 4100, members: [...HA.members, { name: '龙庚', sex: 'M', id: idOf(47, 'M', '433124', '20120101'), relation: '之子' }] }
const HB2: HouseholdRow = { ...HB, members: [HB.members[0]!, { ...HB.members[1]!, name: '吴丁丁' }, HB.members[2]!] }
const HD: HouseholdRow = { village: V[3]!, at: pointIn(3, 0.003, 0.003), members: [{ name: '龙辛', sex: 'M', id: idOf(48, 'M'), relation: '户主' }, { name: '彭壬', sex: 'F', id: idOf(49, 'F'), relation: '配偶' }] }
const IDS = [41, 42, 43, 44, 46, 48, 49].map((n) => idOf(n, n % 2 ? 'M' : 'F')).concat(idOf(45, 'M', '433124', '20100101'), idOf(47, 'M', '433124', '20120101'))

function secondFile(): Buffer {
  const rows = householdRows([HA2, HB2, HC, HD])
  for (const r of rows.slice(1, 4)) r[col('phone')] = '13900001111'
  return Buffer.from(csvText(rows), 'utf8')
}

/** What an import writes, without ids, refs or clocks: households keyed by their head's ID number. */
async function snapshot(q: Queryable, since: { request: number; history: number }) {
  const key = `(SELECT min(k.id_number) FROM member k WHERE k.household_id = %s)`
  const sql = async (text: string, params: unknown[] = []) => (await q.query(text, params)).rows
  return {
    households: await sql(
      `SELECT ${key.replace('%s', 'h.id')} AS key, to_jsonb(h) - 'id' - 'ref' - 'updated_at' - 'geom' - 'geom_3857' AS h, ST_AsText(h.geom) AS at
       FROM household h WHERE h.id IN (SELECT household_id FROM member WHERE id_number = ANY ($1)) ORDER BY 1`,
      [IDS],
    ),
    members: await sql(
      `SELECT ${key.replace('%s', 'm.household_id')} AS key, row_number() OVER (PARTITION BY m.household_id ORDER BY m.id) AS no, to_jsonb(m) - 'id' - 'household_id' AS m
       FROM member m WHERE m.household_id IN (SELECT household_id FROM member WHERE id_number = ANY ($1)) ORDER BY 1, 2`,
      [IDS],
    ),
    years: await sql(
      `SELECT ${key.replace('%s', 'y.household_id')} AS key, to_jsonb(y) - 'household_id' AS y
       FROM household_year y WHERE y.household_id IN (SELECT household_id FROM member WHERE id_number = ANY ($1)) ORDER BY 1, y.year`,
      [IDS],
    ),
    requests: await sql(
      `SELECT ${key.replace('%s', 'r.household_id')} AS key, r.kind, r.state, r.base_version, r.applied_version, r.changes, r.changes_masked, r.area_code, r.current_step,
              r.proposed_by_username, r.before - 'ref' - 'updatedAt' AS before, r.notice_ends_at IS NOT NULL AS notice, r.attachments,
              (SELECT jsonb_agg(jsonb_build_array(s.no, s.action, s.decision, s.by_username, s.comment, s.area_code)) FROM change_request_step s WHERE s.request_id = r.id) AS steps
       FROM change_request r WHERE r.id > $1 ORDER BY r.id`,
      [since.request],
    ),
    history: await sql(
      `SELECT ${key.replace('%s', 'x.household_id')} AS key, x.kind, x.version, x.field, x.before, x.after, x.proposed_by, x.area_code,
              (SELECT jsonb_agg(e - 'at') FROM jsonb_array_elements(x.steps) e) AS steps
       FROM household_history x WHERE x.id > $1 ORDER BY x.id`,
      [since.history],
    ),
    aggregates: await sql('SELECT area_code, year, status, main_cause, gaps, households, people FROM household_agg ORDER BY 1, 2, 3, 4, 5'),
    identification: await sql(
      `SELECT ${key.replace('%s', 'x.household_id')} AS key, to_jsonb(x) - 'household_id' - 'computed_at' AS x FROM household_identification x
       WHERE x.household_id IN (SELECT household_id FROM member WHERE id_number = ANY ($1)) ORDER BY 1, x.year`,
      [IDS],
    ),
    profile: await sql('SELECT area_code, year, mask, poor_official, households, people FROM identification_profile WHERE households <> 0 ORDER BY 1, 2, 3, 4'),
  }
}

class Rollback extends Error {}

describe('imports: the batch apply (migration 0023)', () => {
  let t: TestDb
  let app: FastifyInstance
  let admin: DbCaller
  let adminHttp: TestSession

  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    await loadDataset(t.db, reportDataset(), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
    admin = await sessionCaller(t.db, 'province_admin', '43')
    app = await buildApp({ dataDir: t.location, db: t.db, serveClient: false })
    adminHttp = await loginAs(app, t.db, 'province_admin')
  }, 120_000)
  afterAll(async () => {
    await app?.close()
    await t?.dispose()
  })

  const marks = async () =>
    (await t.db.query<{ request: number; history: number }>('SELECT (SELECT COALESCE(max(id), 0) FROM change_request)::int AS request, (SELECT COALESCE(max(id), 0) FROM household_history)::int AS history')).rows[0]!
  const plan = async (file: Buffer) => planHouseholdImport(t.db, await parseTable(file), { scope: '43' })
  const runOptions = () => ({ role: 'province_admin', area: '43', noticeDays: 7, audit: { actorId: admin.userId, actorUsername: admin.username, actorRole: 'province_admin' } })

  /** The plan applied one operation at a time through povmap_import_apply (migration 0019), read back, rolled back. */
  async function oneByOne(p: ImportPlan, since: { request: number; history: number }) {
    let seen: Awaited<ReturnType<typeof snapshot>> | undefined
    await withCaller(t.db, admin, async (tx) => {
      for (const op of p.households.flatMap((h) => h.ops)) {
        const version = op.target ? (await tx.query<{ version: number }>('SELECT version FROM household WHERE ref = $1', [op.target])).rows[0]!.version : null
        await tx.query('SELECT povmap_import_apply($1, $2::uuid, $3, $4::jsonb, $5::jsonb, $6)', [op.kind, op.target ?? null, version, JSON.stringify(op.changes), JSON.stringify(maskChanges(op.changes)), 'one by one'])
      }
      await tx.query('RESET ROLE')
      seen = await snapshot(tx, since)
      throw new Rollback()
    }).catch((e: unknown) => {
      if (!(e instanceof Rollback)) throw e
    })
    return seen!
  }

  it('writes what the workflow writes one operation at a time: rows, requests, steps, history, aggregates, identification', async () => {
    for (const file of [Buffer.from(csvText(householdRows([HA, HB, HC])), 'utf8'), secondFile()]) {
      const p = await plan(file)
      expect(p.errors).toEqual([])
      const since = await marks()
      const expected = await oneByOne(p, since)
      await withCaller(t.db, admin, (tx) => runHouseholdPlan(tx, p, runOptions()))
      const got = await snapshot(t.db, since)
      expect(got).toEqual(expected)
      expect(got.requests.length).toBeGreaterThan(0)
    }
  }, 120_000)

  it('a county officer’s batch files the change requests the workflow files one at a time', async () => {
    const county = await sessionCaller(t.db, 'county_officer')
    const rows = householdRows([{ ...HC, cause: '缺技术' }, { village: V[2]!, at: pointIn(2, 0.006, 0.002), members: [{ name: '田癸', sex: 'F', id: idOf(50, 'F'), relation: '户主' }] }])
    const p = await planHouseholdImport(t.db, await parseTable(Buffer.from(csvText(rows), 'utf8')), { scope: county.scope })
    expect(p).toMatchObject({ errors: [], create: 1, change: 1 })
    const since = await marks()
    let expected: Awaited<ReturnType<typeof snapshot>> | undefined
    await withCaller(t.db, county, async (tx) => {
      for (const op of p.households.flatMap((h) => h.ops)) {
        await tx.query(`SELECT povmap_cr_propose($1, $2::uuid, $3, $4::jsonb, $5::jsonb, $6, '{}'::uuid[], 7)`, [op.kind, op.target ?? null, op.baseVersion ?? null, JSON.stringify(op.changes), JSON.stringify(maskChanges(op.changes)), 'one by one'])
      }
      await tx.query('RESET ROLE')
      expected = await snapshot(tx, since)
      throw new Rollback()
    }).catch((e: unknown) => {
      if (!(e instanceof Rollback)) throw e
    })
    const run = await withCaller(t.db, county, (tx) => runHouseholdPlan(tx, p, { role: 'county_officer', area: county.scope, noticeDays: 7, audit: { actorId: county.userId, actorUsername: county.username, actorRole: 'county_officer' } }))
    expect(run).toMatchObject({ mode: 'requests', requests: [expect.any(Number), expect.any(Number)] })
    expect(await snapshot(t.db, since)).toEqual(expected)
  })

  it('progress grows chunk by chunk to the end; a cancel between chunks rolls the whole run back', async () => {
    const households: HouseholdRow[] = Array.from({ length: 40 }, (_v, n) => ({
      village: V[n % 4]!,
      at: pointIn(n % 4, 0.001 + n * 0.0002, 0.008),
      members: [{ name: `彭${n}`, sex: 'F' as const, id: idOf(n, 'F', '433124', '19550505'), relation: '户主' }],
    }))
    const p = await plan(Buffer.from(csvText(householdRows(households)), 'utf8'))
    expect(p).toMatchObject({ errors: [], create: 40 })
    const count = 'SELECT (SELECT count(*) FROM household)::int AS h, (SELECT count(*) FROM change_request)::int AS r, (SELECT count(*) FROM household_history)::int AS x, (SELECT count(*) FROM import_batch)::int AS b'
    const before = (await t.db.query(count)).rows[0]
    let checks = 0
    const shares: number[] = []
    const cancelled = withCaller(t.db, admin, (tx) => runHouseholdPlan(tx, p, { ...runOptions(), onProgress: (x) => shares.push(x), isCancelled: () => ++checks > 5 }))
    await expect(cancelled).rejects.toBeInstanceOf(ImportCancelled)
    expect(shares.length).toBeGreaterThanOrEqual(4)
    expect((await t.db.query(count)).rows[0]).toEqual(before)
    shares.length = 0
    await withCaller(t.db, admin, (tx) => runHouseholdPlan(tx, p, { ...runOptions(), onProgress: (x) => shares.push(x) }))
    expect(shares.length).toBeGreaterThan(10)
    expect(shares.every((x, i) => i === 0 || x > shares[i - 1]!)).toBe(true)
    expect(shares.at(-1)).toBe(1)
  })

  it('the history of a changed household names exactly the fields that changed', async () => {
    const since = await marks()
    const changed = householdRows([{ ...HA2, cause: '因病', income: 4200 }, HB2, HC, HD])
    for (const r of changed.slice(1, 4)) r[col('phone')] = '13900001111'
    const file = Buffer.from(csvText(changed), 'utf8')
    const dry = (await adminHttp.inject({ method: 'POST', url: '/api/imports?dryRun=true', payload: file, headers: { 'content-type': 'text/csv' } })).json()
    expect(dry).toMatchObject({ create: 0, change: 1, unchanged: 3 })
    expect(dry.households.find((h: { action: string }) => h.action === 'change').diffs.map((d: { field: string }) => d.field).sort()).toEqual(['mainCause', 'year.2020.incomePerCapita'])
    const run = await adminHttp.inject({ method: 'POST', url: '/api/imports?dryRun=false', payload: file, headers: { 'content-type': 'text/csv' } })
    expect(run.statusCode, run.body).toBe(200)
    const { rows } = await t.db.query<{ field: string; before: unknown; after: unknown; version: number }>(
      'SELECT field, before, after, version FROM household_history WHERE id > $1 ORDER BY id',
      [since.history],
    )
    expect(rows).toEqual([
      // by API name, as the workflow writes them: incomePerCapita, mainCause
      { field: 'year.2020.incomePerCapita', before: 4100, after: 4200, version: 4 },
      { field: 'mainCause', before: 'capital', after: 'illness', version: 4 },
    ])
  })

  it('a bigger import: aggregates and identification equal a rebuild, history has a row per field, sent twice it changes nothing', async () => {
    const households: HouseholdRow[] = Array.from({ length: 400 }, (_v, n) => ({
      village: V[n % 4]!,
      at: pointIn(n % 4, 0.001 + (n % 17) * 0.001, 0.001 + (n % 19) * 0.0009),
      cause: n % 3 ? '因病' : '缺技术',
      income: 2500 + (n % 7) * 300,
      members: Array.from({ length: 1 + (n % 3) }, (_m, i) => ({ name: `龙${n}-${i}`, sex: i === 1 ? ('F' as const) : ('M' as const), id: idOf(i, i === 1 ? 'F' : 'M', '433124', new Date(Date.UTC(1960, 0, 1) + n * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '')), relation: ['户主', '配偶', '之子'][i]! })),
    }))
    const file = Buffer.from(csvText(householdRows(households)), 'utf8')
    const since = await marks()
    const tiles = async () => Number((await t.db.query<{ v: number }>(`SELECT version AS v FROM tile_layer_version WHERE layer = 'households'`)).rows[0]!.v)
    const tilesBefore = await tiles()
    const run = await adminHttp.inject({ method: 'POST', url: '/api/imports?dryRun=false', payload: file, headers: { 'content-type': 'text/csv' } })
    expect(run.statusCode, run.body).toBe(200)
    expect(run.json()).toMatchObject({ create: 400, requests: 400 })
    // The households' tiles move once per statement that writes households or their years (two), not once per household.
    expect((await tiles()) - tilesBefore).toBe(2)
    // Per new household: each member, its fields (village, location, attribute, standard, cause, income, phone) and its status.
    const members = households.reduce((s, h) => s + h.members.length, 0)
    const hist = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM household_history WHERE id > $1', [since.history])
    expect(hist.rows[0]!.n).toBe(members + 400 * 8)
    const rebuilt = `WITH v AS (
        SELECT h.village_code AS area_code, y.year, y.status, h.main_cause, assurance_gaps(y.food_clothing_ok, y.education_ok, y.medical_ok, y.housing_ok, y.water_ok) AS gaps,
               count(*)::int AS households, sum(h.size)::int AS people
        FROM household h JOIN household_year y ON y.household_id = h.id GROUP BY 1, 2, 3, 4, 5)
      SELECT left(area_code, n) AS area_code, year, status, main_cause, gaps, sum(households)::int AS households, sum(people)::int AS people
      FROM v, unnest(ARRAY[12, 9, 6, 4, 2]) AS n GROUP BY 1, 2, 3, 4, 5`
    const kept = 'SELECT area_code, year, status, main_cause, gaps, households, people FROM household_agg'
    expect((await t.db.query(`(${kept}) EXCEPT ALL (${rebuilt})`)).rows).toEqual([])
    expect((await t.db.query(`(${rebuilt}) EXCEPT ALL (${kept})`)).rows).toEqual([])
    const identified = async () => ({
      households: (await t.db.query('SELECT household_id, year, mask, score, poor_af, poor_official, people FROM household_identification ORDER BY 1, 2')).rows,
      profile: (await t.db.query('SELECT area_code, year, mask, poor_official, households, people FROM identification_profile WHERE households <> 0 ORDER BY 1, 2, 3, 4')).rows,
    })
    const kept2 = await identified()
    expect(kept2.households.length).toBe((await t.db.query('SELECT 1 FROM household_year')).rowCount)
    await t.db.query('SELECT identification_refresh_all()')
    expect(await identified()).toEqual(kept2)
    const count = 'SELECT (SELECT count(*) FROM household)::int AS h, (SELECT count(*) FROM member)::int AS m, (SELECT count(*) FROM household_history)::int AS x, (SELECT count(*) FROM change_request)::int AS r, (SELECT sum(version) FROM household)::int AS v'
    const after = (await t.db.query(count)).rows[0]
    const again = await adminHttp.inject({ method: 'POST', url: '/api/imports?dryRun=false', payload: file, headers: { 'content-type': 'text/csv' } })
    expect(again.json()).toMatchObject({ create: 0, change: 0, unchanged: 400, batch: null })
    expect((await t.db.query(count)).rows[0]).toEqual(after)
  }, 180_000)
})
