import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestSession } from '../../helpers/auth.js'
import { phoneJpeg } from '../../helpers/photos.js'
import { FIXTURE, freshId, householdOf, idNumber, insideVillage, post, registryWorld, type RegistryWorld } from './registry-setup.js'

// NOTICE_DAYS=7: every validation rule answered 400 with the field named and nothing written; public notice
// periods that hold the chain, objections that hold it longer until resolved.
describe('registry validation and public notices', () => {
  let w: RegistryWorld
  let team: TestSession
  let town: TestSession
  let county: TestSession
  const V0 = FIXTURE.villages[0]!
  const head = (o: Record<string, unknown> = {}) => ({ name: '龙大山', sex: 'M', idNumber: freshId('M'), relation: 'head', ethnicity: 'miao', schooling: 'primary', health: 'healthy', labour: 'ordinary', ...o })
  const create = (o: Record<string, unknown> = {}) => ({
    kind: 'household.create', reason: '农户申请',
    changes: { villageCode: V0, location: insideVillage(0), year: 2020, attribute: 'general', identificationStandard: 'national', mainCause: 'illness', incomePerCapita: 2500, members: [head()], ...o },
  })

  beforeAll(async () => {
    w = await registryWorld({ noticeDays: 7 })
    team = await w.as('village_team', V0)
    town = await w.as('township_officer', '433124110')
    county = await w.as('county_officer', '433124')
  }, 240_000)
  afterAll(async () => w?.close())

  /** What a refused request must leave as it was. */
  const snapshot = async () => ({
    requests: await w.sql('SELECT count(*)::int AS n FROM change_request'),
    households: await w.sql('SELECT count(*)::int AS n, sum(version)::int AS v FROM household'),
    members: await w.sql('SELECT count(*)::int AS n FROM member'),
  })

  describe('every rule: 400 with the field named, nothing written', () => {
    const update = (changes: Record<string, unknown>) => async () => {
      const h = await householdOf(w)
      return { kind: 'household.update', target: h.ref, baseVersion: h.version, reason: '核实', changes }
    }
    const onHousehold = (kind: string, changes: Record<string, unknown>) => async () => {
      const h = await householdOf(w)
      return { kind, target: h.ref, baseVersion: h.version, reason: '核实', changes }
    }
    const wrongCheck = (id: string) => id.slice(0, 17) + (id[17] === '0' ? '1' : '0')
    // [rule, body, field]; "db" rules are checked by the database functions, the others before any SQL.
    const cases: [string, () => Promise<object> | object, string, 'db'?][] = [
      ['ID number format', () => create({ members: [head({ idNumber: '43312419800101' })] }), 'changes.members[0].idNumber'],
      ['ID number check digit (GB 11643)', () => create({ members: [head({ idNumber: wrongCheck(freshId('M')) })] }), 'changes.members[0].idNumber'],
      ['ID number birth date', () => create({ members: [head({ idNumber: idNumber('19800230', '011') })] }), 'changes.members[0].idNumber'],
      ['ID number born in the future', () => create({ members: [head({ idNumber: idNumber('20991231', '011') })] }), 'changes.members[0].idNumber'],
      ['birth year against the ID number', () => create({ members: [head({ birthYear: 1950 })] }), 'changes.members[0].birthYear'],
      ['relation', onHousehold('member.add', { member: head({ relation: 'neighbour' }) }), 'changes.member.relation'],
      ['ethnicity', onHousehold('member.update', { memberNo: 1, ethnicity: 'klingon' }), 'changes.ethnicity'],
      ['health', onHousehold('member.update', { memberNo: 1, health: 'fine' }), 'changes.health'],
      ['labour', onHousehold('member.update', { memberNo: 1, labour: 'some' }), 'changes.labour'],
      ['schooling', onHousehold('member.update', { memberNo: 1, schooling: 'phd' }), 'changes.schooling'],
      ['main cause', update({ mainCause: 'bad_luck' }), 'changes.mainCause'],
      ['other causes', update({ otherCauses: ['land', 'land'] }), 'changes.otherCauses'],
      ['attribute', update({ attribute: 'rich' }), 'changes.attribute'],
      ['housing structure', update({ housingStructure: 'glass' }), 'changes.housingStructure'],
      ['income range', update({ incomePerCapita: -100 }), 'changes.incomePerCapita'],
      ['land range', update({ landDryMu: 1e7 }), 'changes.landDryMu'],
      ['housing area range', update({ housingAreaM2: -1 }), 'changes.housingAreaM2'],
      ['size range', update({ size: 30 }), 'changes.size'],
      ['year in the future', onHousehold('household.exit', { year: 2031 }), 'changes.year'],
      ['measure family', onHousehold('measure.upsert', { family: 'luck', cadre: '张三', amountYuan: 1, startDate: '2020-01-01', targetDate: '2020-02-01', status: 'planned' }), 'changes.family'],
      ['measure status', onHousehold('measure.upsert', { family: 'health', cadre: '张三', amountYuan: 1, startDate: '2020-01-01', targetDate: '2020-02-01', status: 'later' }), 'changes.status'],
      ['measure start in the future', onHousehold('measure.upsert', { family: 'health', cadre: '张三', amountYuan: 1, startDate: '2099-01-01', targetDate: '2099-02-01', status: 'done' }), 'changes.startDate'],
      ['removal reason', onHousehold('household.remove', { removalReason: 'bored' }), 'changes.removalReason'],
      ['size = members on create', () => create({ size: 4 }), 'changes.size'],
      ['one head', () => create({ members: [head({ relation: 'son' })] }), 'changes.members'],
      ['unknown field', update({ favouriteColour: 'red' }), 'changes.favouriteColour'],
      ['reason', async () => ({ ...(await update({ kmToMarket: 1 })()), reason: '' }), 'reason'],
      ['kind', async () => ({ ...(await update({ kmToMarket: 1 })()), kind: 'household.paint' }), 'kind'],
      ['base version', async () => ({ ...(await update({ kmToMarket: 1 })()), baseVersion: undefined }), 'baseVersion'],
      ['ID number already registered', async () => {
        // A registered member with a valid ID number (the fixture's are not checksummed).
        const taken = freshId('M')
        await w.sql(`UPDATE member SET id_number = $1 WHERE id = (SELECT min(id) FROM member)`, [taken])
        return create({ members: [head({ idNumber: taken })] })
      }, 'changes.members[0].idNumber', 'db'],
      ['location outside the village', () => create({ location: insideVillage(3) }), 'changes.location', 'db'],
      ['size against the stored members', update({ size: 9 }), 'changes.size', 'db'],
      ['a member number that does not exist', onHousehold('member.update', { memberNo: 15, health: 'chronic' }), 'changes.memberNo', 'db'],
      ['an attachment that is not a photo of the household', async () => ({ ...(await update({ kmToMarket: 1 })()), attachments: ['00000000-0000-4000-8000-000000000000'] }), 'attachments', 'db'],
    ]
    it.each(cases)('%s', async (_rule, make, field, where) => {
      const body = await make()
      const before = await snapshot()
      w.statements.length = 0
      const res = await post(team, '/api/change-requests', body)
      expect(res.statusCode, res.body.slice(0, 300)).toBe(400)
      const answer = res.json()
      const named = answer.fields.find((f: { field: string }) => f.field === field)
      expect(named, JSON.stringify(answer.fields)).toBeDefined()
      expect(named.message.zh).toMatch(/[\u4e00-\u9fff]/)
      expect(named.message.en).toMatch(/[a-z]/)
      expect(await snapshot()).toEqual(before)
      const reachedDb = w.statements.some((q) => q.includes('povmap_cr_propose'))
      expect(reachedDb, where === 'db' ? 'the database checks this rule' : 'refused before any SQL').toBe(where === 'db')
    })

    it('an attachment is a photo of the household uploaded by the team: the request links it', async () => {
      const h = await householdOf(w, { skip: 3 })
      const photo = await team.inject({ method: 'POST', url: `/api/photos?household=${h.ref}`, headers: { 'content-type': 'image/jpeg' }, payload: await phoneJpeg({ seed: 5 }) })
      expect(photo.statusCode, photo.body).toBe(201)
      const ref = photo.json().ref as string
      const res = await post(team, '/api/change-requests', { kind: 'household.update', target: h.ref, baseVersion: h.version, reason: '危房改造完成', changes: { housingSafety: 'A' }, attachments: [ref] })
      expect(res.statusCode, res.body).toBe(201)
      expect(res.json().attachments).toEqual([{ ref, url: `/api/photos/${ref}` }])
      // A photo of another household of the village is not evidence for this one.
      const other = await householdOf(w, { skip: 4 })
      const wrong = await post(team, '/api/change-requests', { kind: 'household.update', target: other.ref, baseVersion: other.version, reason: '危房改造完成', changes: { housingSafety: 'A' }, attachments: [ref] })
      expect(wrong.statusCode).toBe(400)
      expect(wrong.json().fields[0].field).toBe('attachments')
    })

    it('a location outside the village is kept with an explicit flag and a reason', async () => {
      const res = await post(team, '/api/change-requests', create({ location: insideVillage(3), outsideBoundary: { reason: '易地扶贫搬迁安置点在邻村' } }))
      expect(res.statusCode, res.body).toBe(201)
    })
  })

  it('a notice period holds the chain; an objection holds it until resolved; then review and approval apply it', async () => {
    const [h] = await w.sql<{ ref: string; version: number; year: number }>(
      `SELECT h.ref::text AS ref, h.version, max(y.year) AS year FROM household h JOIN household_year y ON y.household_id = h.id AND y.status = 'poor'
       WHERE h.village_code = $1 GROUP BY h.id ORDER BY h.id DESC LIMIT 1`,
      [V0],
    )
    const res = await post(team, '/api/change-requests', { kind: 'household.exit', target: h!.ref, baseVersion: h!.version, reason: '达到脱贫标准', changes: { year: h!.year } })
    expect(res.statusCode, res.body).toBe(201)
    const id = res.json().id as number
    const at = res.json().currentStep
    expect(at).toMatchObject({ no: 1, action: 'notice', openObjections: 0 })
    expect(Date.parse(at.noticeEndsAt) - Date.now()).toBeGreaterThan(6.9 * 86_400_000)
    const waiting = async (s: TestSession) => (await s.inject('/api/change-requests?queue=waiting')).json().items.map((i: { id: number }) => i.id)
    expect(await waiting(town)).not.toContain(id)
    expect((await post(town, `/api/change-requests/${id}/approve`, {})).statusCode).toBe(409)

    // An objection during the notice, recorded by the village team.
    const admin = await w.as('province_admin', '43')
    expect((await post(admin, `/api/change-requests/${id}/objections`, { text: '村民反映该户有在外务工收入未核实' })).statusCode).toBe(403)
    const objected = await post(team, `/api/change-requests/${id}/objections`, { text: '村民反映该户有在外务工收入未核实' })
    expect(objected.statusCode, objected.body).toBe(200)
    const objection = objected.json().objections[0].id
    expect(objected.json().currentStep.openObjections).toBe(1)

    // The period ends (moved back here); the open objection still holds the chain.
    await w.sql(`UPDATE change_request SET notice_ends_at = now() - interval '1 minute' WHERE id = $1`, [id])
    const held = (await town.inject(`/api/change-requests/${id}`)).json()
    expect(held.currentStep).toMatchObject({ no: 1, action: 'notice' })
    expect(held.may).toMatchObject({ approve: false, resolve: true })
    expect((await post(town, `/api/change-requests/${id}/approve`, {})).statusCode).toBe(409)
    expect(await waiting(town)).toContain(id) // to resolve the objection

    expect((await post(team, `/api/change-requests/${id}/objections/${objection}/resolve`, { resolution: '已核实' })).statusCode).toBe(403)
    const resolved = await post(town, `/api/change-requests/${id}/objections/${objection}/resolve`, { resolution: '经核实务工收入已计入，异议不成立' })
    expect(resolved.statusCode, resolved.body).toBe(200)
    expect(resolved.json().currentStep).toMatchObject({ no: 2, action: 'review', role: 'township_officer' })
    expect(resolved.json().steps[0]).toMatchObject({ no: 1, action: 'notice', decision: 'noticed', by: null })
    expect((await post(town, `/api/change-requests/${id}/objections/${objection}/resolve`, { resolution: 'again' })).statusCode).toBe(409)

    expect((await post(town, `/api/change-requests/${id}/approve`, { comment: '乡镇审核同意' })).json().currentStep).toMatchObject({ no: 3, role: 'county_officer' })
    const applied = await post(county, `/api/change-requests/${id}/approve`, { comment: '县审批公告' })
    expect(applied.json()).toMatchObject({ state: 'applied', objections: [{ resolution: '经核实务工收入已计入，异议不成立', resolvedBy: { username: town.user.username } }] })
    const history = (await town.inject(`/api/households/${h!.ref}/history`)).json()
    expect(history.find((e: { field: string }) => e.field === `year.${h!.year}.status`)).toMatchObject({
      before: 'poor', after: 'lifted', approvedBy: ['公示', town.user.username, county.user.username],
    })
  })
})
