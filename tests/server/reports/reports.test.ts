import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import ExcelJS from 'exceljs'
import { buildApp } from '../../../server/app.js'
import { openTestDb, type TestDb } from '../../helpers/test-db.js'
import { loadDataset } from '../../../geodata/load/load-dataset.js'
import { loginAs, type TestSession } from '../../helpers/auth.js'
import { hasChromium } from '../../helpers/browser.js'
import { REPORT_TABLES } from '../../../domain/reports/tables.js'
import type { Report } from '../../../domain/reports/schemas.js'
import { reportDataset, EXTRA } from './report-dataset.js'
import { FIXTURE } from '../../helpers/fixture-dataset.js'

const YEAR = 2018

/** What a fact key means, written out against the registry tables (h household, y its year, p the year before). */
function householdCondition(key: string): string {
  if (key === 'all') return 'true'
  if (key === 'gap:any') return 'NOT (y.food_clothing_ok AND y.education_ok AND y.medical_ok AND y.housing_ok AND y.water_ok)'
  if (key === 'exit') return "y.status = 'lifted' AND p.status IN ('poor', 'returned')"
  if (key === 'return') return "y.status = 'returned' AND p.status = 'lifted'"
  const [kind, value] = key.split(':') as [string, string]
  if (!/^[a-z_]+$/.test(value)) throw new Error(value)
  if (kind === 'status') return `y.status = '${value}'`
  if (kind === 'cause') return `h.main_cause = '${value}'`
  if (kind === 'attr') return `h.attribute = '${value}'`
  if (kind === 'gap') return `NOT y.${value}_ok`
  throw new Error(key)
}
function measureCondition(key: string): string {
  if (key === 'all') return 'true'
  const [kind, value] = key.split(':') as [string, string]
  if (!/^[a-z_]+$/.test(value)) throw new Error(value)
  return kind === 'family' ? `family = '${value}'` : `status = '${value}'`
}
function changeCondition(key: string): string {
  const [kind, month] = key.split(':') as [string, string]
  if (!/^(exit|return)$/.test(kind) || !/^(all|\d\d)$/.test(month)) throw new Error(key)
  return `kind = 'household.${kind}'` + (month === 'all' ? '' : ` AND extract(month FROM applied_at AT TIME ZONE 'Asia/Shanghai') = ${Number(month)}`)
}
function projectCondition(key: string): string {
  if (key === 'all') return 'true'
  const [kind, value] = key.split(':') as [string, string]
  if (!/^[a-z_]+$/.test(value)) throw new Error(value)
  return kind === 'type' ? `type = '${value}'` : `stage = '${value}'`
}

/**
 * Assistance measures and applied exits/returns, written as the owner (as the registry workflow's functions
 * would leave them): measures of several families and statuses across the villages, and exits in three
 * months of 2018 (one household twice), a return, and one exit of 2019 that a 2018 report must not count.
 */
async function plantWorkflowRows(t: TestDb) {
  const { rows } = await t.db.query<{ id: number; ref: string; village: string }>(
    `SELECT id, ref::text AS ref, village_code AS village FROM household ORDER BY village_code, id`,
  )
  const families = ['industry', 'employment', 'education', 'health', 'social_security']
  const statuses = ['planned', 'under_way', 'done', 'dropped']
  for (let i = 0; i < rows.length; i += 7) {
    const h = rows[i]!
    await t.db.query(
      `INSERT INTO assistance_measure (household_id, village_code, family, title, cadre, amount_yuan, start_date, target_date, status)
       VALUES ($1, $2, $3, '测试措施', '张干部', 1000, $4::date, $4::date + 200, $5)`,
      [h.id, h.village, families[i % families.length], i % 3 === 0 ? '2019-03-01' : '2018-02-01', statuses[i % statuses.length]],
    )
  }
  const applied: [number, string, string][] = [
    [0, 'household.exit', '2018-03-10T04:00:00Z'],
    [0, 'household.exit', '2018-07-01T02:00:00Z'],
    [45, 'household.exit', '2018-07-20T02:00:00Z'],
    [90, 'household.return', '2018-11-30T17:00:00Z'], // 12-01 in Beijing
    [130, 'household.exit', '2018-12-31T16:30:00Z'], // 2019-01-01 00:30 in Beijing: not 2018
    [170, 'household.exit', '2018-05-05T05:00:00Z'],
  ]
  for (const [i, kind, at] of applied) {
    const h = rows[i % rows.length]!
    await t.db.query(
      `INSERT INTO change_request (kind, state, household_id, household_ref, area_code, base_version, changes, changes_masked, reason,
         proposed_by, proposed_by_username, proposed_by_role, current_step, applied_at, applied_version)
       VALUES ($1, 'applied', $2, $3::uuid, $4, 1, '{}', '{}', '测试', 1, 'tester', 'village_team', NULL, $5::timestamptz, 2)`,
      [kind, h.id, h.ref, h.village, at],
    )
  }
}

describe('statistical reports roll up level by level', () => {
  let t: TestDb
  let app: FastifyInstance
  let admin: TestSession
  let leader: TestSession
  let county: TestSession
  let areas: { code: string; level: string }[]

  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    await loadDataset(t.db, reportDataset(), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
    await plantWorkflowRows(t)
    app = await buildApp({ dataDir: t.location, db: t.db, serveClient: false })
    admin = await loginAs(app, t.db, 'province_admin')
    leader = await loginAs(app, t.db, 'leader', { scope: '4331' })
    county = await loginAs(app, t.db, 'county_officer')
    areas = (await t.db.query<{ code: string; level: string }>('SELECT code, level FROM admin_area ORDER BY code')).rows
  }, 120_000)
  afterAll(async () => {
    await app?.close()
    await t?.dispose()
  })

  const report = async (s: TestSession, table: string, area: string, year = YEAR): Promise<Report> => {
    const res = await s.inject(`/api/reports/${table}?area=${area}&year=${year}`)
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200)
    return res.json() as Report
  }

  const sqlCache = new Map<string, Record<string, number>>()
  /** The figure of one column for an area, straight from the registry (as the owner). */
  async function sqlFigure(source: string, fact: string, value: string, area: string): Promise<number> {
    const k = `${source}|${fact}|${area}`
    if (!sqlCache.has(k)) {
      const sql =
        source === 'measures'
          ? `SELECT count(*)::int AS measures, count(DISTINCT household_id)::int AS households FROM assistance_measure
             WHERE village_code LIKE $1 || '%' AND start_date < make_date($2 + 1, 1, 1) AND ${measureCondition(fact)}`
          : source === 'changes'
          ? `SELECT count(DISTINCT household_id)::int AS households FROM change_request
             WHERE state = 'applied' AND area_code LIKE $1 || '%' AND extract(year FROM applied_at AT TIME ZONE 'Asia/Shanghai') = $2 AND ${changeCondition(fact)}`
          : source === 'households'
          ? `SELECT count(*)::int AS households, COALESCE(sum(h.size), 0)::int AS people FROM household h
             JOIN household_year y ON y.household_id = h.id AND y.year = $2
             LEFT JOIN household_year p ON p.household_id = h.id AND p.year = $2 - 1
             WHERE h.village_code LIKE $1 || '%' AND ${householdCondition(fact)}`
          : `SELECT count(*)::int AS projects, COALESCE(sum(round(budget_yuan)), 0)::float8 AS budget, COALESCE(sum(round(spent_yuan)), 0)::float8 AS spent
             FROM project WHERE COALESCE(village_code, county_code) LIKE $1 || '%' AND year <= $2 AND ${projectCondition(fact)}`
      sqlCache.set(k, (await t.db.query<Record<string, number>>(sql, [area, YEAR])).rows[0]!)
    }
    return Number(sqlCache.get(k)![value])
  }

  it('GET /api/reports lists every table with its Chinese title', async () => {
    const res = await admin.inject('/api/reports')
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual(REPORT_TABLES.map((d) => ({ id: d.id, title: d.title.zh, titleEn: d.title.en })))
  })

  it('every table, at every level: rows add up to the total, each row is its child’s total, the total equals SQL over the registry', async () => {
    let checked = 0
    for (const def of REPORT_TABLES) {
      const byArea = new Map<string, Report>()
      for (const a of areas) byArea.set(a.code, await report(admin, def.id, a.code))
      for (const a of areas) {
        const rep = byArea.get(a.code)!
        expect(rep.columns.map((c) => c.key)).toEqual(def.columns.map((c) => c.key))
        const children = areas.filter((x) => x.code.length > a.code.length && x.code.startsWith(a.code) && areas.every((y) => !(y.code.length < x.code.length && y.code.length > a.code.length && x.code.startsWith(y.code))))
        expect(rep.rows.filter((r) => !r.own).map((r) => r.code)).toEqual(children.map((c) => c.code))
        for (const col of def.columns) {
          const sum = rep.rows.reduce((s, r) => s + Number(r[col.key]), 0)
          expect(rep.total[col.key], `${def.id} ${a.code} ${col.key}: total = sum of rows`).toBe(sum)
          for (const r of rep.rows.filter((x) => !x.own)) {
            expect(r[col.key], `${def.id} ${r.code} ${col.key}: row = the child's own total`).toBe(byArea.get(r.code)!.total[col.key])
          }
          expect(rep.total[col.key], `${def.id} ${a.code} ${col.key} = SQL`).toBe(await sqlFigure(def.source, col.fact, col.value, a.code))
          checked++
        }
      }
    }
    expect(checked).toBeGreaterThan(500)
  })

  it('a county-wide project sits in the county’s own row; the figures are not all zero', async () => {
    const rep = await report(admin, 'projects-type', FIXTURE.county)
    const own = rep.rows.find((r) => r.own)!
    expect(own).toMatchObject({ code: FIXTURE.county, name: '花垣县本级', projects: 1, industryProjects: 1, budget: 2_500_000 })
    const pref = await report(admin, 'projects-type', '4331')
    expect(pref.rows.map((r) => r.code)).toEqual([FIXTURE.county, EXTRA.county])
    // Up to 2018: the 2016 road and the county-wide 2017 park; the 2019 water works not yet.
    expect(pref.rows[0]!.projects).toBe(2)
    const status = await report(admin, 'status', '43')
    expect(status.total.registeredHouseholds).toBe(200)
    expect(status.total.poorHouseholds).toBeGreaterThan(0)
    const transitions = await report(admin, 'transitions', '43')
    expect(transitions.total.exitHouseholds).toBeGreaterThan(0)
    expect(transitions.note).toMatch(/不记录月份/)
    const months = await report(admin, 'transitions-month', '43')
    expect(months.total).toMatchObject({ exitHouseholds: 3, exit03: 1, exit07: 2, exit05: 1, exit01: 0, returnHouseholds: 1, return12: 1, return11: 0 })
    const measures = await report(leader, 'measures', '4331')
    expect(measures.total.measures).toBeGreaterThan(10)
    expect(measures.total.households).toBeGreaterThan(0)
    expect(measures.total.households).toBeLessThanOrEqual(measures.total.measures!)
  })

  it('roles that see aggregates only get the same figures; out of the area is refused', async () => {
    for (const table of ['status', 'attribute', 'projects-stage']) expect(await report(leader, table, '4331')).toEqual(await report(admin, table, '4331'))
    expect((await leader.inject(`/api/reports/status?area=43&year=${YEAR}`)).statusCode).toBe(403)
    expect((await county.inject(`/api/reports/status?area=${EXTRA.county}&year=${YEAR}`)).statusCode).toBe(404)
    expect((await admin.inject(`/api/reports/nosuch?area=43&year=${YEAR}`)).statusCode).toBe(404)
    expect((await admin.inject(`/api/reports/all?area=43&year=${YEAR}`)).statusCode).toBe(400)
  })

  it('XLSX: one sheet per table, Chinese headers with units, frozen headers, the rows of the JSON, the 示例数据 note', async () => {
    const res = await leader.inject(`/api/reports/all?area=4331&year=${YEAR}&format=xlsx`)
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/spreadsheetml/)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer)
    expect(wb.worksheets.map((w) => w.name)).toEqual(REPORT_TABLES.map((d) => d.sheet))
    for (const def of REPORT_TABLES) {
      const ws = wb.getWorksheet(def.sheet)!
      const json = await report(leader, def.id, '4331')
      expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 3 })
      const header = (ws.getRow(3).values as unknown[]).slice(1)
      expect(header).toEqual(['区划代码', '区划名称', ...def.columns.map((c) => `${c.title.zh}（${c.unit.zh}）`)])
      json.rows.forEach((r, i) => {
        const cells = (ws.getRow(4 + i).values as unknown[]).slice(1)
        expect(cells).toEqual([r.code, r.name, ...def.columns.map((c) => r[c.key])])
      })
      const total = (ws.getRow(4 + json.rows.length).values as unknown[]).slice(1)
      expect(total.slice(1)).toEqual(['合计', ...def.columns.map((c) => json.total[c.key])])
      const texts: string[] = []
      ws.eachRow((row) => texts.push(String(row.getCell(1).value ?? '')))
      expect(texts.some((x) => x.startsWith('示例数据'))).toBe(true)
    }
  })

  it.runIf(hasChromium)('PDF: an A4 report of the area printed by Chromium', async () => {
    const res = await leader.inject(`/api/reports/status?area=4331&year=${YEAR}&format=pdf`)
    expect(res.statusCode, res.body.slice(0, 200)).toBe(200)
    expect(res.headers['content-type']).toBe('application/pdf')
    const pdf = res.rawPayload
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
    // A4 in points: 595.28 × 841.89.
    expect(pdf.toString('latin1')).toMatch(/MediaBox\s*\[0 0 59[45](\.\d+)? 84[12](\.\d+)?\]/)
  }, 60_000)

  it('snapshots: a frozen report keeps its figures after an edit and says what changed; once per period; only in the area', async () => {
    const res = await county.inject({ method: 'POST', url: '/api/report-snapshots', payload: { table: 'status', area: FIXTURE.county, year: YEAR, periodKind: 'quarter', period: `${YEAR}-Q4` } })
    expect(res.statusCode, res.body).toBe(201)
    const [snap] = res.json() as { id: number }[]
    const before = await report(county, 'status', FIXTURE.county)
    // An edit after the report was filed: one poor household of the first village is lifted out.
    const { rows } = await t.db.query<{ household_id: number; size: number }>(
      `SELECT y.household_id, h.size FROM household_year y JOIN household h ON h.id = y.household_id WHERE y.year = $1 AND y.status = 'poor' AND h.village_code = $2 LIMIT 1`,
      [YEAR, FIXTURE.villages[0]],
    )
    await t.db.query(`UPDATE household_year SET status = 'lifted' WHERE household_id = $1 AND year = $2`, [rows[0]!.household_id, YEAR])
    const frozen = await county.inject(`/api/reports/status?area=${FIXTURE.county}&year=${YEAR}&snapshot=${snap!.id}`)
    expect(frozen.statusCode).toBe(200)
    const body = frozen.json() as Report
    expect(body.rows).toEqual(before.rows)
    expect(body.total).toEqual(before.total)
    expect(body.snapshot).toMatchObject({ id: snap!.id, period: `${YEAR}-Q4`, periodKind: 'quarter', createdBy: county.user.username })
    const township = FIXTURE.villages[0]!.slice(0, 9)
    expect(body.changes).toEqual(
      expect.arrayContaining([
        { code: township, name: '双龙镇', column: 'poorHouseholds', frozen: Number(before.rows[0]!.poorHouseholds), current: Number(before.rows[0]!.poorHouseholds) - 1 },
        { code: '', name: '合计', column: 'liftedPeople', frozen: before.total.liftedPeople!, current: before.total.liftedPeople! + rows[0]!.size },
      ]),
    )
    expect(body.changes).toHaveLength(8)
    const again = await county.inject({ method: 'POST', url: '/api/report-snapshots', payload: { table: 'status', area: FIXTURE.county, year: YEAR, periodKind: 'quarter', period: `${YEAR}-Q4` } })
    expect(again.statusCode).toBe(409)
    const outside = await county.inject({ method: 'POST', url: '/api/report-snapshots', payload: { table: 'status', area: EXTRA.county, year: YEAR, periodKind: 'year', period: String(YEAR) } })
    expect(outside.statusCode).toBe(404)
    const wrongPeriod = await county.inject({ method: 'POST', url: '/api/report-snapshots', payload: { table: 'status', area: FIXTURE.county, year: YEAR, periodKind: 'month', period: '2017-03' } })
    expect(wrongPeriod.statusCode).toBe(400)
    expect((await leader.inject({ method: 'POST', url: '/api/report-snapshots', payload: { table: 'status', area: '4331', year: YEAR, periodKind: 'year', period: String(YEAR) } })).statusCode).toBe(403)
    const list = await leader.inject('/api/report-snapshots?area=4331')
    expect(list.json()).toEqual([expect.objectContaining({ id: snap!.id, table: 'status', area: FIXTURE.county })])
    const audit = await t.db.query(`SELECT 1 FROM audit_log WHERE action = 'report.freeze' AND actor_username = $1`, [county.user.username])
    expect(audit.rowCount).toBe(1)
  })
})
