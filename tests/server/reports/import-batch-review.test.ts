import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../../server/app.js'
import { openTestDb, type TestDb } from '../../helpers/test-db.js'
import { loadDataset } from '../../../geodata/load/load-dataset.js'
import { loginAs, type TestSession } from '../../helpers/auth.js'
import { FIXTURE } from '../../helpers/fixture-dataset.js'
import { reportDataset } from './report-dataset.js'
import { csvText, householdRows, idOf, pointIn, type HouseholdRow } from './import-fixtures.js'

const V = FIXTURE.villages
// Two households in township 433124110 (V0, V1), one in 433124111 (V2).
const HA: HouseholdRow = { village: V[0]!, at: pointIn(0, 0.003, 0.003), members: [{ name: '龙甲', sex: 'M', id: idOf(61, 'M'), relation: '户主' }, { name: '石乙', sex: 'F', id: idOf(62, 'F'), relation: '配偶' }] }
const HB: HouseholdRow = { village: V[1]!, at: pointIn(1, 0.003, 0.003), members: [{ name: '麻丙', sex: 'M', id: idOf(63, 'M'), relation: '户主' }] }
const HC: HouseholdRow = { village: V[2]!, at: pointIn(2, 0.003, 0.003), members: [{ name: '杨己', sex: 'F', id: idOf(66, 'F'), relation: '户主' }] }
const csv = (hs: HouseholdRow[]) => Buffer.from(csvText(householdRows(hs)), 'utf8')

const REBUILT = `WITH v AS (
    SELECT h.village_code AS area_code, y.year, y.status, h.main_cause, assurance_gaps(y.food_clothing_ok, y.education_ok, y.medical_ok, y.housing_ok, y.water_ok) AS gaps,
           count(*)::int AS households, sum(h.size)::int AS people
    FROM household h JOIN household_year y ON y.household_id = h.id GROUP BY 1, 2, 3, 4, 5)
  SELECT left(area_code, n) AS area_code, year, status, main_cause, gaps, sum(households)::int AS households, sum(people)::int AS people
  FROM v, unnest(ARRAY[12, 9, 6, 4, 2]) AS n GROUP BY 1, 2, 3, 4, 5`
const KEPT = 'SELECT area_code, year, status, main_cause, gaps, households, people FROM household_agg'

describe('import batches: review (GET /api/imports/batches, POST …/decide)', () => {
  let t: TestDb
  let app: FastifyInstance
  let admin: TestSession
  let county: TestSession
  let town110: TestSession
  let town111: TestSession

  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    await loadDataset(t.db, reportDataset(), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
    app = await buildApp({ dataDir: t.location, db: t.db, serveClient: false, registry: { noticeDays: 0 } })
    admin = await loginAs(app, t.db, 'province_admin')
    county = await loginAs(app, t.db, 'county_officer')
    town110 = await loginAs(app, t.db, 'township_officer')
    town111 = await loginAs(app, t.db, 'township_officer', { scope: '433124111' })
    const made = await admin.inject({ method: 'POST', url: '/api/imports?dryRun=false', payload: csv([HA, HB, HC]), headers: { 'content-type': 'text/csv' } })
    expect(made.statusCode, made.body).toBe(200)
  }, 120_000)
  afterAll(async () => {
    await app?.close()
    await t?.dispose()
  })

  const countyImport = async (hs: HouseholdRow[]) => {
    const res = await county.inject({ method: 'POST', url: '/api/imports?dryRun=false', payload: csv(hs), headers: { 'content-type': 'text/csv' } })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json().mode).toBe('requests')
    return res.json() as { batch: number; requests: number }
  }
  const household = async (id: string) =>
    (await t.db.query<{ cause: string; version: number; size: number }>('SELECT h.main_cause AS cause, h.version, h.size FROM household h JOIN member m ON m.household_id = h.id WHERE m.id_number = $1', [id])).rows[0]!
  const aggregatesEqualRebuild = async () => {
    expect((await t.db.query(`(${KEPT}) EXCEPT ALL (${REBUILT})`)).rows).toEqual([])
    expect((await t.db.query(`(${REBUILT}) EXCEPT ALL (${KEPT})`)).rows).toEqual([])
  }

  it('approving a batch applies every request waiting at the step, with history; aggregates equal a rebuild', async () => {
    // HA: a new cause and a new member (two requests on one household, filed against the same version); HB, HC: a new cause.
    const HA2 = { ...HA, cause: '缺资金', members: [...HA.members, { name: '龙庚', sex: 'M' as const, id: idOf(67, 'M', '433124', '20120101'), relation: '之子' }] }
    const { batch, requests } = await countyImport([HA2, { ...HB, cause: '缺技术' }, { ...HC, cause: '缺技术' }])
    expect(requests).toBe(4)

    const list = await town110.inject({ url: '/api/imports/batches' })
    expect(list.statusCode, list.body).toBe(200)
    const mine = list.json().items.find((b: { id: number }) => b.id === batch)
    // the township sees its three requests (HA: 2, HB: 1), not HC's
    expect(mine).toMatchObject({ kind: 'households', states: { pending: 3 }, waiting: 3 })
    const detail = (await town110.inject({ url: `/api/imports/batches/${batch}` })).json()
    expect(detail.total).toBe(3)
    const update = detail.requests.find((x: { kind: string; diffs: { field: string }[] }) => x.kind === 'household.update' && x.diffs.some((d) => d.field === 'mainCause'))
    expect(update.diffs).toContainEqual({ field: 'mainCause', before: 'illness', after: 'capital' })
    expect(update.mayDecide).toBe(true)

    const historyBefore = Number((await t.db.query<{ n: string }>('SELECT count(*) AS n FROM household_history')).rows[0]!.n)
    const done = await town110.inject({ method: 'POST', url: `/api/imports/batches/${batch}/decide`, payload: { decision: 'approve', note: '核实无误' } })
    expect(done.statusCode, done.body).toBe(200)
    expect(done.json()).toMatchObject({ decided: 3, applied: 3, refused: 0 })
    expect(await household(HA.members[0]!.id)).toMatchObject({ cause: 'capital', size: 3, version: 3 })
    expect(await household(HB.members[0]!.id)).toMatchObject({ cause: 'skills', version: 2 })
    // HC waits for its own township
    expect(await household(HC.members[0]!.id)).toMatchObject({ cause: 'illness', version: 1 })
    const { rows: states } = await t.db.query<{ state: string; n: number }>(
      `SELECT r.state, count(*)::int AS n FROM change_request r, import_batch b WHERE b.id = $1 AND r.id = ANY (b.request_ids) GROUP BY 1 ORDER BY 1`,
      [batch],
    )
    expect(states).toEqual([{ state: 'applied', n: 3 }, { state: 'pending', n: 1 }])
    const history = await t.db.query<{ field: string; steps: { by: string }[] }>('SELECT field, steps FROM household_history WHERE id > $1 ORDER BY id', [historyBefore])
    expect(history.rows.map((h) => h.field).sort()).toEqual(['mainCause', 'mainCause', 'members[3]', 'size'])
    expect(history.rows.every((h) => h.steps.some((s) => s.by === town110.user.username))).toBe(true)
    await aggregatesEqualRebuild()
    const audited = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE actor_username = $1 AND action IN ('change.approve', 'change.apply') AND detail ->> 'batch' = $2`, [town110.user.username, String(batch)])
    expect(audited.rows[0]!.n).toBe(6)

    // The other township approves HC's row; nothing is left for the first.
    expect((await town111.inject({ method: 'POST', url: `/api/imports/batches/${batch}/decide`, payload: { decision: 'approve' } })).json()).toMatchObject({ decided: 1, applied: 1 })
    expect(await household(HC.members[0]!.id)).toMatchObject({ cause: 'skills', version: 2 })
    expect((await town110.inject({ method: 'POST', url: `/api/imports/batches/${batch}/decide`, payload: { decision: 'approve' } })).statusCode).toBe(409)
    await aggregatesEqualRebuild()
    // Identification, deferred during the batch and refreshed once at its end, equals a full recomputation.
    const identified = async () => ({
      households: (await t.db.query('SELECT household_id, year, mask, score, poor_af, poor_official, people FROM household_identification ORDER BY 1, 2')).rows,
      profile: (await t.db.query('SELECT area_code, year, mask, poor_official, households, people FROM identification_profile WHERE households <> 0 ORDER BY 1, 2, 3, 4')).rows,
    })
    const kept = await identified()
    await t.db.query('SELECT identification_refresh_all()')
    expect(await identified()).toEqual(kept)
  })

  it('rejecting writes nothing to the registry; chosen rows only; a row decided twice is 409 in the results', async () => {
    const { batch } = await countyImport([{ ...HA, cause: '因残', members: [...HA.members, { name: '龙庚', sex: 'M', id: idOf(67, 'M', '433124', '20120101'), relation: '之子' }] }, { ...HB, cause: '因残' }])
    const registry = 'SELECT (SELECT count(*) FROM household_history)::int AS x, (SELECT sum(version) FROM household)::int AS v, (SELECT count(*) FROM member)::int AS m'
    const before = (await t.db.query(registry)).rows[0]
    const ids = (await town110.inject({ url: `/api/imports/batches/${batch}` })).json().requests.map((x: { id: number }) => x.id) as number[]
    expect(ids).toHaveLength(2)
    expect((await town110.inject({ method: 'POST', url: `/api/imports/batches/${batch}/decide`, payload: { decision: 'reject' } })).statusCode).toBe(400)
    const one = await town110.inject({ method: 'POST', url: `/api/imports/batches/${batch}/decide`, payload: { decision: 'reject', requestIds: [ids[0]], note: '原因不实' } })
    expect(one.json()).toMatchObject({ decided: 1, applied: 0, results: [{ id: ids[0], status: 200, state: 'rejected' }] })
    const again = await town110.inject({ method: 'POST', url: `/api/imports/batches/${batch}/decide`, payload: { decision: 'approve', requestIds: [ids[0], 999999] } })
    expect(again.json()).toMatchObject({ decided: 0, refused: 2, results: [{ id: ids[0], status: 409 }, { id: 999999, status: 404 }] })
    expect((await town110.inject({ method: 'POST', url: `/api/imports/batches/${batch}/decide`, payload: { decision: 'reject', note: '原因不实' } })).json()).toMatchObject({ decided: 1 })
    expect((await t.db.query(registry)).rows[0]).toEqual(before)
    expect((await t.db.query<{ state: string }>('SELECT DISTINCT r.state FROM change_request r, import_batch b WHERE b.id = $1 AND r.id = ANY (b.request_ids)', [batch])).rows).toEqual([{ state: 'rejected' }])
  })

  it('out of area 404, the importer 403 (no self-approval), a role without the step 403', async () => {
    const { batch } = await countyImport([{ ...HB, cause: '因学' }])
    const elsewhere = await loginAs(app, t.db, 'township_officer', { scope: '433125110' })
    expect((await elsewhere.inject({ url: `/api/imports/batches/${batch}` })).statusCode).toBe(404)
    expect((await elsewhere.inject({ method: 'POST', url: `/api/imports/batches/${batch}/decide`, payload: { decision: 'approve' } })).statusCode).toBe(404)
    expect((await elsewhere.inject({ url: '/api/imports/batches' })).json().items.map((b: { id: number }) => b.id)).not.toContain(batch)
    expect((await town111.inject({ url: `/api/imports/batches/${batch}` })).statusCode).toBe(404)
    expect((await county.inject({ method: 'POST', url: `/api/imports/batches/${batch}/decide`, payload: { decision: 'approve' } })).statusCode).toBe(403)
    const village = await loginAs(app, t.db, 'village_team', { scope: V[1]! })
    expect((await village.inject({ method: 'POST', url: `/api/imports/batches/${batch}/decide`, payload: { decision: 'approve' } })).statusCode).toBe(403)
    // A second county officer (not the importer) is not the step's role either: per request 403.
    const other = await loginAs(app, t.db, 'county_officer')
    const chosen = await other.inject({ method: 'POST', url: `/api/imports/batches/${batch}/decide`, payload: { decision: 'approve', requestIds: (await town110.inject({ url: `/api/imports/batches/${batch}` })).json().requests.map((x: { id: number }) => x.id) } })
    expect(chosen.json()).toMatchObject({ decided: 0, results: [{ status: 403 }] })
    expect(await household(HB.members[0]!.id)).toMatchObject({ cause: 'skills' })
  })
})
