import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import ExcelJS from 'exceljs'
import { buildApp } from '../../../server/app.js'
import { openTestDb, type TestDb } from '../../helpers/test-db.js'
import { loadDataset } from '../../../geodata/load/load-dataset.js'
import { loginAs, type TestSession } from '../../helpers/auth.js'
import { FIXTURE } from '../../helpers/fixture-dataset.js'
import { MEASURE_IMPORT_COLUMNS } from '../../../domain/reports/measure-import-columns.js'
import { reportDataset } from './report-dataset.js'
import { csvText, householdRows, idOf, pointIn, type HouseholdRow } from './import-fixtures.js'

const V = FIXTURE.villages
const HA: HouseholdRow = { village: V[0]!, at: pointIn(0, 0.003, 0.003), members: [{ name: '龙甲', sex: 'M', id: idOf(71, 'M'), relation: '户主' }] }
const HB: HouseholdRow = { village: V[1]!, at: pointIn(1, 0.003, 0.003), members: [{ name: '麻丙', sex: 'M', id: idOf(73, 'M'), relation: '户主' }] }
const HC: HouseholdRow = { village: V[2]!, at: pointIn(2, 0.003, 0.003), members: [{ name: '杨己', sex: 'F', id: idOf(76, 'F'), relation: '户主' }] }
const A = HA.members[0]!.id
const B = HB.members[0]!.id
const C = HC.members[0]!.id

const HEADER = MEASURE_IMPORT_COLUMNS.filter((c) => c.key !== 'householdRef').map((c) => c.headers[0]!)
/** [head ID, family, title, cadre, amount, start, target, status, note] */
type Row = [string, string, string, string, string, string, string, string, string]
const file = (rows: Row[]) => Buffer.from(csvText([HEADER, ...rows]), 'utf8')
const GOOD: Row[] = [
  [A, '产业', '发展猕猴桃种植', '张三', '5000', '2020-03-01', '2020-12-31', '实施中', ''],
  [A, '教育', '雨露计划', '张三', '3000', '2020/9/1', '2021-06-30', '计划', ''],
  [B, '就业', '', '李四', '1200', '2020-04-01', '2020-10-31', '已完成', '已务工'],
  [C, '健康', '', '王五', '800', '2020-05-01', '2020-12-31', 'under_way', ''],
]

describe('imports: assistance measures (kind=measures)', () => {
  let t: TestDb
  let app: FastifyInstance
  let admin: TestSession
  let county: TestSession

  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    await loadDataset(t.db, reportDataset(), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
    app = await buildApp({ dataDir: t.location, db: t.db, serveClient: false, registry: { noticeDays: 0 } })
    admin = await loginAs(app, t.db, 'province_admin')
    county = await loginAs(app, t.db, 'county_officer')
    const made = await admin.inject({ method: 'POST', url: '/api/imports?dryRun=false', payload: Buffer.from(csvText(householdRows([HA, HB, HC])), 'utf8'), headers: { 'content-type': 'text/csv' } })
    expect(made.statusCode, made.body).toBe(200)
  }, 120_000)
  afterAll(async () => {
    await app?.close()
    await t?.dispose()
  })

  const post = (s: TestSession, body: Buffer, dryRun: boolean) => s.inject({ method: 'POST', url: `/api/imports?kind=measures&dryRun=${dryRun}`, payload: body, headers: { 'content-type': 'text/csv' } })
  const counts = async () =>
    (
      await t.db.query<{ measures: number; requests: number; history: number; versions: number; digest: string }>(
        `SELECT (SELECT count(*) FROM assistance_measure)::int AS measures, (SELECT count(*) FROM change_request)::int AS requests,
                (SELECT count(*) FROM household_history)::int AS history, (SELECT sum(version) FROM household)::int AS versions,
                (SELECT md5(string_agg(to_jsonb(a)::text, ',' ORDER BY a.id)) FROM assistance_measure a) AS digest`,
      )
    ).rows[0]!

  it('the template has the Chinese headers and an example row that passes a dry run but for its household', async () => {
    const res = await admin.inject('/api/imports/template?kind=measures&format=xlsx')
    expect(res.statusCode).toBe(200)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer)
    const ws = wb.getWorksheet('帮扶措施')!
    expect((ws.getRow(1).values as string[]).slice(1)).toEqual(MEASURE_IMPORT_COLUMNS.map((c) => c.headers[0]))
    const dry = (await admin.inject({ method: 'POST', url: '/api/imports?kind=measures&dryRun=true', payload: res.rawPayload, headers: { 'content-type': 'application/octet-stream' } })).json()
    // Only the example's ID number names no registered household.
    expect(dry.errors.map((e: { row: number; column: string; problem: string }) => [e.row, e.column, e.problem])).toEqual([[2, '户主身份证号', '扶贫对象库中没有该户']])
  })

  it('a file with planted errors: each named exactly (row, column), nothing else, and nothing written', async () => {
    const before = await counts()
    const township = await loginAs(app, t.db, 'township_officer')
    const planted = file([
      [A, '产业', '发展猕猴桃种植', '张三', '5000', '2020-03-01', '2020-12-31', '实施中', ''], // 2 fine
      [A, '种植', '', '张三', '5000', '2020-03-01', '2020-12-31', '实施中', ''], // 3 unknown family
      [A, '教育', '', '张三', '3000', '2020-13-01', '2021-06-30', '计划', ''], // 4 no such date
      [B, '就业', '', '李四', '1200', '2020-10-01', '2020-04-01', '已完成', ''], // 5 target before start
      [idOf(79, 'M'), '就业', '', '李四', '1200', '2020-04-01', '2020-10-31', '已完成', ''], // 6 no such household
      [C, '健康', '', '王五', '800', '2020-05-01', '2020-12-31', '实施中', ''], // 7 outside the township
      [A, '产业', '', '赵六', '100', '2020-03-01', '2020-12-31', '计划', ''], // 8 the key of row 2 again
      [B, '金融', '', '', '-5', '2020-04-01', '2020-10-31', '计划', ''], // 9 no cadre; negative amount
      [B, '金融', '', '李四', '10', '2020-04-01', '2020-10-31', '进行到一半', ''], // 10 unknown status
    ])
    const dry = await post(township, planted, true)
    expect(dry.statusCode, dry.body).toBe(200)
    const errors = dry.json().errors as { row: number; column: string; value: string; problem: string }[]
    expect(errors.map((e) => [e.row, e.column])).toEqual([
      [3, '帮扶措施类别'],
      [4, '开始日期'],
      [5, '计划完成日期'],
      [6, '户主身份证号'],
      [7, '户主身份证号'],
      [8, '开始日期'],
      [9, '帮扶责任人'],
      [9, '金额（元）'],
      [10, '实施状态'],
    ])
    expect(errors.find((e) => e.row === 7)!.problem).toBe('该户不在您的辖区内')
    expect(errors.find((e) => e.row === 8)!.problem).toMatch(/与第 2 行重复/)
    // ID numbers come back masked.
    expect(errors.find((e) => e.row === 6)!.value).not.toContain(idOf(79, 'M'))
    const run = await post(township, planted, false)
    expect(run.statusCode).toBe(400)
    expect(await counts()).toEqual(before)
  })

  it('the province administrator applies with history; the same file twice changes nothing; a change is a diff', async () => {
    const before = await counts()
    const dry = (await post(admin, file(GOOD), true)).json()
    expect(dry).toMatchObject({ errors: [], create: 4, change: 0, unchanged: 0 })
    const run = await post(admin, file(GOOD), false)
    expect(run.statusCode, run.body).toBe(200)
    expect(run.json()).toMatchObject({ mode: 'applied', requests: 4, batch: expect.any(Number) })
    const after = await counts()
    expect(after).toMatchObject({ measures: before.measures + 4, requests: before.requests + 4, versions: before.versions + 4 })
    const { rows } = await t.db.query<{ family: string; title: string | null; cadre: string; amount: number; start: string; target: string; status: string; notes: { text: string }[] }>(
      `SELECT a.family, a.title, a.cadre, a.amount_yuan AS amount, a.start_date::text AS start, a.target_date::text AS target, a.status, a.notes
       FROM assistance_measure a JOIN member m ON m.household_id = a.household_id WHERE m.id_number = ANY ($1) ORDER BY a.id`,
      [[A, B, C]],
    )
    expect(rows.map((r) => [r.family, r.title, r.cadre, r.amount, r.start, r.target, r.status, r.notes.map((n) => n.text)])).toEqual([
      ['industry', '发展猕猴桃种植', '张三', 5000, '2020-03-01', '2020-12-31', 'under_way', []],
      ['education', '雨露计划', '张三', 3000, '2020-09-01', '2021-06-30', 'planned', []],
      ['employment', null, '李四', 1200, '2020-04-01', '2020-10-31', 'done', ['已务工']],
      ['health', null, '王五', 800, '2020-05-01', '2020-12-31', 'under_way', []],
    ])
    const history = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM household_history WHERE kind = 'measure.upsert' AND field LIKE 'measures[%].family'`)
    expect(history.rows[0]!.n).toBe(4)

    const again = await post(admin, file(GOOD), false)
    expect(again.json()).toMatchObject({ create: 0, change: 0, unchanged: 4, batch: null })
    expect(await counts()).toEqual(after)

    const changed = GOOD.map((r) => [...r] as Row)
    changed[0]![7] = '已完成'
    changed[0]![8] = '已见效'
    const third = (await post(admin, file(changed), false)).json()
    expect(third).toMatchObject({ create: 0, change: 1, unchanged: 3 })
    expect(third.items.find((i: { action: string }) => i.action === 'change').diffs).toEqual([
      { field: 'status', before: 'under_way', after: 'done' },
      { field: 'note', before: null, after: '已见效' },
    ])
    const fourth = (await post(admin, file(changed), false)).json()
    expect(fourth).toMatchObject({ change: 0, unchanged: 4 })
  })

  it('a county officer’s measures become one batch of requests; sent again nothing new; the township approves them', async () => {
    const rows: Row[] = [
      [A, '金融', '小额信贷', '张三', '50000', '2020-06-01', '2023-06-01', '实施中', ''],
      [A, '生态补偿', '', '张三', '1000', '2020-01-01', '2020-12-31', '已完成', ''],
    ]
    const before = await counts()
    const run = await post(county, file(rows), false)
    expect(run.statusCode, run.body).toBe(200)
    expect(run.json()).toMatchObject({ mode: 'requests', requests: 2, create: 2 })
    const batch = run.json().batch as number
    expect(await counts()).toMatchObject({ measures: before.measures, requests: before.requests + 2 })
    expect((await post(county, file(rows), false)).json()).toMatchObject({ create: 0, unchanged: 2, batch: null })
    const township = await loginAs(app, t.db, 'township_officer')
    const decided = await township.inject({ method: 'POST', url: `/api/imports/batches/${batch}/decide`, payload: { decision: 'approve' } })
    // Two measures of one household filed against one version: the second is rebased on the first's.
    expect(decided.json(), decided.body).toMatchObject({ decided: 2, applied: 2, refused: 0 })
    expect(await counts()).toMatchObject({ measures: before.measures + 2, versions: before.versions + 2 })
    expect((await post(county, file(rows), true)).json()).toMatchObject({ create: 0, change: 0, unchanged: 2 })
  })
})
