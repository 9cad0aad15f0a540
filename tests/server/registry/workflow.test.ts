import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CHANGE_KINDS, type ChangeKind } from '../../../domain/registry/enums.js'
import type { TestSession } from '../../helpers/auth.js'
import { decodeTile, layerFeatures, lonLatToTile } from '../../helpers/tiles.js'
import { FIXTURE, freshId, householdOf, insideVillage, post, registryWorld, type RegistryWorld } from './registry-setup.js'

// The registry workflow on the small fixture, NOTICE_DAYS=0 (notice steps pass as soon as they are reached):
// who may propose, see and take each step of each kind inside and outside their area, the flows (reject →
// resubmit → approve, withdraw), stale versions, concurrency, history and tiles.
describe('registry workflow', () => {
  let w: RegistryWorld
  const s = {} as Record<'team' | 'team2' | 'town' | 'townB' | 'townOther' | 'county' | 'pref' | 'admin' | 'viewer' | 'leader' | 'auditor', TestSession>
  const V0 = FIXTURE.villages[0]!
  const used = new Set<string>()

  /** A household of 十八洞村 no other test of this file changes. */
  const fresh = async (opts: { status?: string } = {}) => {
    for (let skip = 0; ; skip++) {
      const h = await householdOf(w, { ...opts, skip })
      if (!used.has(h.ref)) {
        used.add(h.ref)
        return h
      }
    }
  }
  const member = (o: Record<string, unknown> = {}) => ({
    name: '龙小妹', sex: 'F', idNumber: freshId('F'), relation: 'daughter', ethnicity: 'miao', schooling: 'primary', health: 'healthy', labour: 'none', ...o,
  })
  const measure = { family: 'industry', cadre: '施金通', amountYuan: 3000, startDate: '2020-03-01', targetDate: '2020-12-31', status: 'under_way', note: '发放猕猴桃苗 200 株' }

  /** A valid request body of each kind, on a household of its own. */
  const bodyOf = async (kind: ChangeKind) => {
    if (kind === 'household.create')
      return {
        kind, reason: '农户申请，民主评议通过',
        changes: { villageCode: V0, location: insideVillage(0), year: 2020, attribute: 'general', identificationStandard: 'national', mainCause: 'illness', incomePerCapita: 2500,
          members: [member({ name: '龙大山', sex: 'M', idNumber: freshId('M'), relation: 'head', labour: 'ordinary' })] },
      }
    if (kind === 'household.exit') {
      const h = await fresh()
      const [y] = await w.sql<{ year: number }>(`SELECT max(year) AS year FROM household_year WHERE household_id = $1 AND status IN ('poor', 'returned')`, [h.id])
      if (y?.year == null) throw new Error('the fixture household was never poor')
      return { kind, target: h.ref, baseVersion: h.version, reason: '收入稳定超过标准，两不愁三保障达标', changes: { year: y.year } }
    }
    if (kind === 'household.return') {
      const h = await fresh({ status: 'lifted' })
      return { kind, target: h.ref, baseVersion: h.version, reason: '因病返贫', changes: { mainCause: 'illness' } }
    }
    const h = await fresh()
    if (kind === 'member.remove') {
      // The fixture's households have one member: add one as the owner first.
      await w.sql(
        `INSERT INTO member (id, household_id, name, sex, id_number, relation, ethnicity, birth_year, schooling, health, labour)
         VALUES (nextval('member_app_id_seq'), $1, '龙二', 'M', $2, 'son', 'miao', 1985, 'junior', 'healthy', 'ordinary')`,
        [h.id, freshId('M')],
      )
    }
    const changes: Record<ChangeKind, unknown> = {
      'household.create': null,
      'household.update': { housingAreaM2: 77, waterSource: 'tap' },
      'household.exit': null,
      'household.return': null,
      'household.remove': { removalReason: 'moved_out', note: '全家迁往县城' },
      'member.add': { member: member() },
      'member.update': { memberNo: 1, health: 'chronic' },
      'member.remove': { memberNo: 2, removalReason: 'moved_out' },
      'measure.upsert': measure,
    }
    return { kind, target: h.ref, baseVersion: h.version, reason: '入户核实', changes: changes[kind] }
  }

  beforeAll(async () => {
    w = await registryWorld({ noticeDays: 0, householdsPerVillage: 40 })
    const [V1] = [FIXTURE.villages[1]!]
    s.team = await w.as('village_team', V0)
    s.team2 = await w.as('village_team', V1)
    s.town = await w.as('township_officer', '433124110')
    s.townB = await w.as('township_officer', '433124110')
    s.townOther = await w.as('township_officer', '433124111')
    s.county = await w.as('county_officer', '433124')
    s.pref = await w.as('prefecture_officer', '4331')
    s.admin = await w.as('province_admin', '43')
    s.viewer = await w.as('department_viewer', '433124')
    s.leader = await w.as('leader', '4331')
    s.auditor = await w.as('auditor', '43')
  }, 240_000)
  afterAll(async () => w?.close())

  const detail = async (id: number, by: TestSession = s.admin) => {
    const res = await by.inject(`/api/change-requests/${id}`)
    expect(res.statusCode, res.body).toBe(200)
    return res.json()
  }

  it.each(CHANGE_KINDS)('%s: who may propose, inside and outside the area', async (kind) => {
    const body = await bodyOf(kind)
    const expected: [keyof typeof s, number][] = [
      ['team', 201], ['team2', 404], ['town', 201], ['townOther', 404], ['county', 201],
      ['pref', 403], ['admin', 403], ['viewer', 403], ['leader', 403], ['auditor', 403],
    ]
    for (const [who, status] of expected) {
      const b = kind === 'household.create' ? { ...body, changes: { ...(body.changes as object), members: [{ ...(body.changes as { members: object[] }).members[0], idNumber: freshId('M') }] } } : body
      const res = await post(s[who], '/api/change-requests', b)
      expect(res.statusCode, `${kind} by ${who}: ${res.body.slice(0, 300)}`).toBe(status)
      if (status === 201) expect(res.json()).toMatchObject({ kind, state: 'pending', proposedBy: { username: s[who].user.username } })
    }
  })

  it.each(CHANGE_KINDS)('%s: who may see it and take each step; the last approval applies it', async (kind) => {
    const proposed = await post(s.team, '/api/change-requests', await bodyOf(kind))
    expect(proposed.statusCode, proposed.body).toBe(201)
    const id = proposed.json().id as number
    // Seeing: the registry roles of the area; others of the area's roles 403, other areas 404.
    const sees: [keyof typeof s, number][] = [
      ['team', 200], ['town', 200], ['county', 200], ['pref', 200], ['admin', 200],
      ['team2', 404], ['townOther', 404], ['viewer', 403], ['leader', 403], ['auditor', 403],
    ]
    for (const [who, status] of sees) expect((await s[who].inject(`/api/change-requests/${id}`)).statusCode, `${kind} seen by ${who}`).toBe(status)
    const chain = (await detail(id)).chain as { no: number; action: string; role: string }[]
    for (const step of chain.filter((c) => c.action !== 'notice')) {
      const now = await detail(id)
      expect(now.currentStep, `${kind}: waits at step ${step.no}`).toMatchObject({ no: step.no, role: step.role })
      const taker = step.role === 'township_officer' ? 'town' : 'county'
      const waiting = (await s[taker].inject('/api/change-requests?queue=waiting')).json().items.map((i: { id: number }) => i.id)
      expect(waiting).toContain(id)
      for (const who of Object.keys(s) as (keyof typeof s)[]) {
        if (who === taker || (who === 'townB' && taker === 'town')) continue
        const res = await post(s[who], `/api/change-requests/${id}/approve`, {})
        const expected = ['team2', 'townOther'].includes(who) ? 404 : 403
        expect(res.statusCode, `${kind} step ${step.no} approved by ${who}: ${res.body.slice(0, 200)}`).toBe(expected)
      }
      expect((await detail(id)).currentStep?.no).toBe(step.no)
      const ok = await post(s[taker], `/api/change-requests/${id}/approve`, { comment: '同意' })
      expect(ok.statusCode, ok.body.slice(0, 300)).toBe(200)
    }
    const done = await detail(id)
    expect(done.state).toBe('applied')
    // Notice steps are in the steps, without a person; the others name who decided.
    expect(done.steps.map((x: { no: number }) => x.no)).toEqual(chain.map((c) => c.no))
    expect(done.steps.filter((x: { decision: string }) => x.decision === 'noticed').length).toBe(chain.filter((c) => c.action === 'notice').length)
    const mine = (await s.team.inject('/api/change-requests?queue=mine&state=applied')).json().items.map((i: { id: number }) => i.id)
    expect(mine).toContain(id)
    const [audit] = await w.sql<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'change.apply' AND detail ->> 'request' = $1`, [String(id)])
    expect(audit!.n).toBe(1)
  })

  it('nobody approves their own request, even in the right role', async () => {
    const h = await fresh()
    const res = await post(s.town, '/api/change-requests', { kind: 'household.update', target: h.ref, baseVersion: h.version, reason: '乡镇核实', changes: { kmToMarket: 3 } })
    expect(res.statusCode).toBe(201)
    const own = await post(s.town, `/api/change-requests/${res.json().id}/approve`, {})
    expect(own.statusCode).toBe(403)
    expect((await detail(res.json().id, s.town)).may).toMatchObject({ approve: false, withdraw: true })
    expect((await detail(res.json().id, s.townB)).may).toMatchObject({ approve: true, withdraw: false })
    expect((await post(s.townB, `/api/change-requests/${res.json().id}/approve`, {})).statusCode).toBe(200)
  })

  it('a household moved outside its village is kept with its flag and reason; moved back, the flag goes', async () => {
    const h = await fresh()
    const move = async (changes: object, version: number) => {
      const id = (await post(s.team, '/api/change-requests', { kind: 'household.update', target: h.ref, baseVersion: version, reason: '搬迁', changes })).json().id
      expect((await post(s.town, `/api/change-requests/${id}/approve`, {})).json().state).toBe('applied')
    }
    await move({ location: insideVillage(3), outsideBoundary: { reason: '易地扶贫搬迁至集中安置点' } }, h.version)
    const away = (await s.team.inject(`/api/households/${h.ref}`)).json()
    expect(away).toMatchObject({ version: h.version + 1, outsideBoundary: { reason: '易地扶贫搬迁至集中安置点' }, villageCode: V0 })
    expect(away.at[0]).toBeCloseTo(insideVillage(3)[0], 5)
    await move({ location: insideVillage(0) }, h.version + 1)
    expect((await s.team.inject(`/api/households/${h.ref}`)).json()).toMatchObject({ version: h.version + 2, outsideBoundary: null })
  })

  it('reject → resubmit → approve, and withdraw', async () => {
    const h = await fresh()
    const id = (await post(s.team, '/api/change-requests', { kind: 'household.update', target: h.ref, baseVersion: h.version, reason: '住房面积更正', changes: { housingAreaM2: 60 } })).json().id
    expect((await post(s.town, `/api/change-requests/${id}/reject`, {})).statusCode).toBe(400) // a rejection needs a comment
    const rejected = await post(s.town, `/api/change-requests/${id}/reject`, { comment: '请附住房照片并核实面积' })
    expect(rejected.json()).toMatchObject({ state: 'rejected', currentStep: null })
    expect((await post(s.town, `/api/change-requests/${id}/approve`, {})).statusCode).toBe(409)
    expect((await post(s.team2, `/api/change-requests/${id}/resubmit`, {})).statusCode).toBe(404)
    expect((await post(s.county, `/api/change-requests/${id}/resubmit`, {})).statusCode).toBe(403)
    const again = await post(s.team, `/api/change-requests/${id}/resubmit`, { changes: { housingAreaM2: 64 }, reason: '已复核面积' })
    expect(again.json()).toMatchObject({ state: 'pending', round: 2, changes: { housingAreaM2: 64 }, currentStep: { no: 1 } })
    const applied = await post(s.town, `/api/change-requests/${id}/approve`, {})
    expect(applied.json()).toMatchObject({ state: 'applied', appliedVersion: h.version + 1 })
    expect(applied.json().steps.map((x: { round: number; decision: string }) => [x.round, x.decision])).toEqual([[1, 'rejected'], [2, 'approved']])
    const [row] = await w.sql<{ a: number }>('SELECT housing_area_m2 AS a FROM household WHERE ref = $1', [h.ref])
    expect(row!.a).toBe(64)

    const h2 = await fresh()
    const id2 = (await post(s.team, '/api/change-requests', { kind: 'household.update', target: h2.ref, baseVersion: h2.version, reason: '误报', changes: { roadHardened: true } })).json().id
    expect((await post(s.town, `/api/change-requests/${id2}/withdraw`, {})).statusCode).toBe(403)
    expect((await post(s.team, `/api/change-requests/${id2}/withdraw`, {})).json()).toMatchObject({ state: 'withdrawn' })
    expect((await post(s.town, `/api/change-requests/${id2}/approve`, {})).statusCode).toBe(409)
    expect((await post(s.team, `/api/change-requests/${id2}/withdraw`, {})).statusCode).toBe(409)
    const [v] = await w.sql<{ version: number }>('SELECT version FROM household WHERE ref = $1', [h2.ref])
    expect(v!.version).toBe(h2.version)
  })

  it('a stale version is a 409 with the current values, and changes nothing', async () => {
    const h = await fresh()
    const first = (await post(s.team, '/api/change-requests', { kind: 'household.update', target: h.ref, baseVersion: h.version, reason: '核实一', changes: { housingAreaM2: 50 } })).json().id
    const second = (await post(s.team, '/api/change-requests', { kind: 'household.update', target: h.ref, baseVersion: h.version, reason: '核实二', changes: { housingAreaM2: 90, kmToMarket: 9 } })).json().id
    expect((await post(s.town, `/api/change-requests/${first}/approve`, {})).statusCode).toBe(200)
    const snapshot = async () => ({
      household: await w.sql('SELECT version, housing_area_m2, km_to_market, updated_at FROM household WHERE ref = $1', [h.ref]),
      history: await w.sql('SELECT count(*)::int AS n FROM household_history WHERE household_ref = $1', [h.ref]),
      request: await w.sql('SELECT state, current_step FROM change_request WHERE id = $1', [second]),
      steps: await w.sql('SELECT count(*)::int AS n FROM change_request_step WHERE request_id = $1', [second]),
    })
    const before = await snapshot()
    const stale = await post(s.town, `/api/change-requests/${second}/approve`, {})
    expect(stale.statusCode).toBe(409)
    expect(stale.json()).toMatchObject({ error: 'Conflict', code: 'stale_version', current: { version: h.version + 1, housingAreaM2: 50, ref: h.ref } })
    expect(await snapshot()).toEqual(before)
    // Proposing on the old version is a 409 too, and writes no request.
    const [{ n }] = (await w.sql<{ n: number }>('SELECT count(*)::int AS n FROM change_request')) as [{ n: number }]
    const late = await post(s.team, '/api/change-requests', { kind: 'household.update', target: h.ref, baseVersion: h.version, reason: '核实三', changes: { housingAreaM2: 70 } })
    expect(late.statusCode).toBe(409)
    expect(late.json().current).toMatchObject({ version: h.version + 1 })
    expect((await w.sql<{ n: number }>('SELECT count(*)::int AS n FROM change_request'))[0]!.n).toBe(n)
  })

  it('20 approvals of one request at once apply it exactly once', async () => {
    const h = await fresh()
    const id = (await post(s.team, '/api/change-requests', { kind: 'household.update', target: h.ref, baseVersion: h.version, reason: '并发', changes: { landPaddyMu: 2.5 } })).json().id
    const officers = [s.town, s.townB, await w.as('township_officer', '433124110'), await w.as('township_officer', '433124110')]
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => post(officers[i % officers.length]!, `/api/change-requests/${id}/approve`, {})))
    const codes = answers.map((a) => a.statusCode).sort()
    expect(codes.filter((c) => c === 200)).toHaveLength(1)
    expect(codes.filter((c) => c === 409)).toHaveLength(19)
    const [row] = await w.sql<{ version: number }>('SELECT version FROM household WHERE ref = $1', [h.ref])
    expect(row!.version).toBe(h.version + 1)
    expect((await w.sql('SELECT 1 FROM change_request_step WHERE request_id = $1', [id])).length).toBe(1)
    expect((await w.sql('SELECT 1 FROM household_history WHERE request_id = $1', [id])).length).toBe(1)
  })

  it('20 edits of different households at once all land, and the area figures stay exact', async () => {
    const targets = await w.sql<{ ref: string; version: number; village: string }>(
      `SELECT ref::text AS ref, version, village_code AS village FROM household WHERE starts_with(village_code, '433124110') AND NOT (ref::text = ANY ($1)) ORDER BY id LIMIT 20`,
      [[...used]],
    )
    expect(targets).toHaveLength(20)
    targets.forEach((t) => used.add(t.ref))
    const team = { [FIXTURE.villages[0]!]: s.team, [FIXTURE.villages[1]!]: s.team2 }
    const ids = await Promise.all(
      targets.map(async (t, i) => {
        const res = await post(team[t.village]!, '/api/change-requests', { kind: 'household.update', target: t.ref, baseVersion: t.version, reason: '批量核实', changes: { incomePerCapita: 6000 + i, kmToMarket: i } })
        expect(res.statusCode, res.body).toBe(201)
        return res.json().id as number
      }),
    )
    const answers = await Promise.all(ids.map((id) => post(s.town, `/api/change-requests/${id}/approve`, {})))
    expect(answers.map((a) => a.statusCode)).toEqual(ids.map(() => 200))
    const rows = await w.sql<{ ref: string; version: number; km: number; income: number }>(
      `SELECT h.ref::text AS ref, h.version, h.km_to_market AS km, y.income_per_capita AS income FROM household h
       JOIN household_year y ON y.household_id = h.id AND y.year = (SELECT max(year) FROM household_year x WHERE x.household_id = h.id) WHERE h.ref::text = ANY ($1)`,
      [targets.map((t) => t.ref)],
    )
    for (const [i, t] of targets.entries()) expect(rows.find((r) => r.ref === t.ref)).toMatchObject({ version: t.version + 1, km: i, income: 6000 + i })
    // The aggregates rebuilt by the concurrent applies equal a count from the registry itself.
    const [agg] = await w.sql<{ households: number; people: number }>(`SELECT sum(households)::int AS households, sum(people)::int AS people FROM household_agg WHERE area_code = '433124110' AND year = 2020`)
    const [direct] = await w.sql<{ households: number; people: number }>(
      `SELECT count(*)::int AS households, sum(h.size)::int AS people FROM household h JOIN household_year y ON y.household_id = h.id AND y.year = 2020 WHERE starts_with(h.village_code, '433124110')`,
    )
    expect(agg).toEqual(direct)
  })

  it('the history equals the sequence of applied requests, field by field', async () => {
    const h = await fresh()
    const apply = async (kind: ChangeKind, changes: object, version: number) => {
      const id = (await post(s.team, '/api/change-requests', { kind, target: h.ref, baseVersion: version, reason: '记录', changes })).json().id
      const res = await post(s.town, `/api/change-requests/${id}/approve`, { comment: `ok ${kind}` })
      expect(res.statusCode, res.body).toBe(200)
      return id as number
    }
    const [b] = await w.sql<{ area: number; fuel: string; km: number }>('SELECT housing_area_m2 AS area, cooking_fuel AS fuel, km_to_market AS km FROM household WHERE ref = $1', [h.ref])
    const r1 = await apply('household.update', { housingAreaM2: 81, cookingFuel: 'lpg' }, h.version)
    const r2 = await apply('household.update', { housingAreaM2: 85 }, h.version + 1)
    const r3 = await apply('measure.upsert', measure, h.version + 2)
    const r4 = await apply('member.update', { memberNo: 1, health: 'serious' }, h.version + 3)
    const history = (await s.county.inject(`/api/households/${h.ref}/history`)).json()
    // The measure the request made (a load may have given the household measures of its own).
    const [m] = await w.sql<{ id: number }>('SELECT id FROM assistance_measure WHERE household_id = $1 AND cadre = $2 ORDER BY id DESC LIMIT 1', [h.id, measure.cadre])
    expect(history.map((e: { requestId: number; version: number; field: string; before: unknown; after: unknown }) => [e.requestId, e.version, e.field, e.before, e.after])).toEqual([
      [r1, h.version + 1, 'cookingFuel', b!.fuel, 'lpg'],
      [r1, h.version + 1, 'housingAreaM2', b!.area, 81],
      [r2, h.version + 2, 'housingAreaM2', 81, 85],
      ...['amountYuan', 'cadre', 'family', 'note', 'startDate', 'status', 'targetDate'].map((f) => [r3, h.version + 3, `measures[${m!.id}].${f}`, null, (measure as Record<string, unknown>)[f]]),
      [r4, h.version + 4, 'members[1].health', expect.any(String), 'serious'],
    ])
    expect(history[0]).toMatchObject({ proposedBy: s.team.user.username, approvedBy: [s.town.user.username], steps: [{ action: 'review', by: s.town.user.username, comment: 'ok household.update' }] })
    const measures = (await s.team.inject(`/api/households/${h.ref}/measures`)).json()
    expect(measures.version).toBe(h.version + 4)
    expect(measures.measures.find((x: { id: number }) => x.id === m!.id)).toMatchObject({ family: 'industry', cadre: '施金通', status: 'under_way', notes: [{ text: measure.note, by: s.team.user.username }] })
    expect((await s.team2.inject(`/api/households/${h.ref}/history`)).statusCode).toBe(404)
  })

  it("the household's tile changes after approval while other layers stay cached", async () => {
    const h = await fresh({ status: 'lifted' })
    const [p] = await w.sql<{ lon: number; lat: number }>('SELECT ST_X(geom) AS lon, ST_Y(geom) AS lat FROM household WHERE ref = $1', [h.ref])
    const t = lonLatToTile(p!.lon, p!.lat, 14)
    const tile = async (layer: string) => s.county.inject(`/tiles/${layer}/${t.z}/${t.x}/${t.y}.mvt`)
    const statusInTile = async () => {
      const res = await tile('households')
      const f = layerFeatures(decodeTile(res.rawPayload), 'households', t).find((x) => Number(x.id) === Number(h.id))
      return f?.properties?.status
    }
    expect(await statusInTile()).toBe('lifted')
    const roadsBefore = await tile('roads')
    const versions = async () => Object.fromEntries((await w.sql<{ layer: string; version: number }>('SELECT layer, version::int FROM tile_layer_version')).map((r) => [r.layer, r.version]))
    const v0 = await versions()
    const id = (await post(s.team, '/api/change-requests', { kind: 'household.return', target: h.ref, baseVersion: h.version, reason: '因病返贫', changes: { mainCause: 'illness' } })).json().id
    expect((await post(s.town, `/api/change-requests/${id}/approve`, {})).statusCode).toBe(200)
    expect((await post(s.county, `/api/change-requests/${id}/approve`, {})).json().state).toBe('applied')
    expect(await statusInTile()).toBe('returned')
    const v1 = await versions()
    expect(v1.households).toBeGreaterThan(v0.households!)
    for (const layer of ['roads', 'water', 'schools', 'clinics', 'projects', 'admin']) expect(v1[layer], layer).toBe(v0[layer])
    // The roads tile is answered from the cache: no tile statement runs for it.
    w.statements.length = 0
    const roadsAfter = await tile('roads')
    expect(roadsAfter.headers.etag).toBe(roadsBefore.headers.etag)
    expect(w.statements.filter((q) => /\broad\b/.test(q))).toEqual([])
    // The area figures show it too.
    const stats = (await s.county.inject('/api/areas/433124110226/stats?year=2020')).json()
    const [direct] = await w.sql<{ n: number }>(`SELECT count(*)::int AS n FROM household_year WHERE village_code = $1 AND year = 2020 AND status = 'returned'`, [V0])
    expect(stats.returnedHouseholds).toBe(direct!.n)
  })

  it('after every change above, the area aggregates equal a rebuild from the registry', async () => {
    const rebuilt = `WITH v AS (
        SELECT h.village_code AS area_code, y.year, y.status, h.main_cause, assurance_gaps(y.food_clothing_ok, y.education_ok, y.medical_ok, y.housing_ok, y.water_ok) AS gaps,
               count(*)::int AS households, sum(h.size)::int AS people
        FROM household h JOIN household_year y ON y.household_id = h.id GROUP BY 1, 2, 3, 4, 5)
      SELECT left(area_code, n) AS area_code, year, status, main_cause, gaps, sum(households)::int AS households, sum(people)::int AS people
      FROM v, unnest(ARRAY[12, 9, 6, 4, 2]) AS n GROUP BY 1, 2, 3, 4, 5`
    const kept = 'SELECT area_code, year, status, main_cause, gaps, households, people FROM household_agg'
    expect(await w.sql(`(${kept}) EXCEPT ALL (${rebuilt})`)).toEqual([])
    expect(await w.sql(`(${rebuilt}) EXCEPT ALL (${kept})`)).toEqual([])
    expect((await w.sql<{ n: number }>('SELECT count(*)::int AS n FROM change_request WHERE state = $1', ['applied']))[0]!.n).toBeGreaterThanOrEqual(40)
  })

  it('the household list pages, sorts and filters on the server, in the caller\'s area only', async () => {
    const all = await w.sql<{ ref: string }>(`SELECT h.ref::text AS ref FROM household h JOIN household_year y ON y.household_id = h.id AND y.year = 2020 WHERE starts_with(h.village_code, '433124110') ORDER BY h.village_code, h.ref`)
    const page1 = (await s.town.inject('/api/households?area=433124110&pageSize=5&page=1')).json()
    const page2 = (await s.town.inject('/api/households?area=433124110&pageSize=5&page=2')).json()
    expect(page1.total).toBe(all.length)
    expect([...page1.items, ...page2.items].map((i: { ref: string }) => i.ref)).toEqual(all.slice(0, 10).map((r) => r.ref))
    const lifted = (await s.town.inject('/api/households?area=433124110&status=lifted&sort=-income&pageSize=200')).json()
    expect(lifted.items.every((i: { status: string }) => i.status === 'lifted')).toBe(true)
    const incomes = lifted.items.map((i: { incomePerCapita: number }) => i.incomePerCapita)
    expect(incomes).toEqual([...incomes].sort((a, b) => b - a))
    expect((await s.town.inject('/api/households?area=433124111')).statusCode).toBe(404)
    expect((await s.team.inject(`/api/households?area=${FIXTURE.villages[1]}`)).statusCode).toBe(404)
    expect((await s.viewer.inject('/api/households?area=433124')).statusCode).toBe(403)
    expect((await s.town.inject('/api/households?area=433124110&status=rich')).statusCode).toBe(400)
    const one = (await s.team.inject(`/api/households?area=${V0}&q=${page1.items[0].ref.slice(0, 8)}`)).json()
    expect(one.items.map((i: { ref: string }) => i.ref)).toContain(page1.items[0].ref)
  })
})
