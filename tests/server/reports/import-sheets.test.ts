import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import ExcelJS from 'exceljs'
import { buildApp } from '../../../server/app.js'
import { openTestDb, type TestDb } from '../../helpers/test-db.js'
import { loadDataset } from '../../../geodata/load/load-dataset.js'
import { loginAs, type TestSession } from '../../helpers/auth.js'
import { FIXTURE } from '../../helpers/fixture-dataset.js'
import { HOUSEHOLD_IMPORT_COLUMNS } from '../../../domain/reports/import-columns.js'
import { reportDataset } from './report-dataset.js'
import { idOf, pointIn } from './import-fixtures.js'

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
const V = FIXTURE.villages
const head = (key: string) => HOUSEHOLD_IMPORT_COLUMNS.find((c) => c.key === key)!.headers[0]!

/** A household row of the 户信息 sheet and its members on 家庭成员, as a person fills the two-sheet template. */
interface Sheets {
  households: Record<string, string>[]
  members: Record<string, string>[]
}
const household = (key: string, n: number, village: number, size: number, extra: Record<string, string> = {}): Record<string, string> => {
  const [lon, lat] = pointIn(village, 0.002 + n * 0.001, 0.002)
  return { 户编号: key, [head('headIdNumber')]: idOf(n, 'M', '433124', '19660101'), [head('villageCode')]: V[village]!, [head('lon')]: String(lon), [head('lat')]: String(lat), [head('year')]: '2020', [head('attribute')]: '一般贫困户', [head('identificationStandard')]: '国家标准', [head('mainCause')]: '因病', [head('size')]: String(size), [head('incomePerCapita')]: '3300', [head('phone')]: '13812345678', ...extra }
}
const member = (key: string, name: string, id: string, sex: '男' | '女', relation: string, extra: Record<string, string> = {}): Record<string, string> => ({
  户编号: key, [head('name')]: name, [head('sex')]: sex, [head('idNumber')]: id, [head('relation')]: relation, [head('ethnicity')]: '苗族', [head('schooling')]: '小学', [head('health')]: '健康', [head('labour')]: '普通劳动力', ...extra,
})

/** The template's two sheets (their headers, in order), filled with these rows. */
async function fill(template: Buffer, s: Sheets, names = { households: '户信息', members: '家庭成员' }): Promise<Buffer> {
  const t = new ExcelJS.Workbook()
  await t.xlsx.load(template as unknown as ArrayBuffer)
  const wb = new ExcelJS.Workbook()
  for (const [part, name] of [['households', names.households], ['members', names.members]] as const) {
    const headers = (t.worksheets[part === 'households' ? 0 : 1]!.getRow(1).values as string[]).slice(1)
    const ws = wb.addWorksheet(name)
    ws.addRow(headers)
    for (const r of s[part]) ws.addRow(headers.map((h) => r[h] ?? ''))
  }
  return Buffer.from(await wb.xlsx.writeBuffer())
}

describe('imports: a two-sheet workbook (households and members)', () => {
  let t: TestDb
  let app: FastifyInstance
  let admin: TestSession
  let template: Buffer

  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    await loadDataset(t.db, reportDataset(), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
    app = await buildApp({ dataDir: t.location, db: t.db, serveClient: false })
    admin = await loginAs(app, t.db, 'province_admin')
    const res = await admin.inject('/api/imports/template?kind=households&format=xlsx&sheets=2')
    expect(res.statusCode).toBe(200)
    template = res.rawPayload
  }, 120_000)
  afterAll(async () => {
    await app?.close()
    await t?.dispose()
  })

  const post = (body: Buffer, query: string) => admin.inject({ method: 'POST', url: `/api/imports?kind=households&${query}`, payload: body, headers: { 'content-type': XLSX } })
  const counts = async () =>
    (await t.db.query<{ h: number; m: number; x: number; v: number }>('SELECT (SELECT count(*) FROM household)::int AS h, (SELECT count(*) FROM member)::int AS m, (SELECT count(*) FROM household_history)::int AS x, (SELECT sum(version)::int FROM household) AS v')).rows[0]!

  it('the template: households and members on two sheets joined by 户编号; its example row passes', async () => {
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(template as unknown as ArrayBuffer)
    expect(wb.worksheets.map((w) => w.name)).toEqual(['户信息', '家庭成员', '说明'])
    const row1 = (i: number) => (wb.worksheets[i]!.getRow(1).values as string[]).slice(1)
    expect(row1(0)).toEqual(['户编号', ...HOUSEHOLD_IMPORT_COLUMNS.filter((c) => c.part === 'household').map((c) => c.headers[0])])
    expect(row1(1)).toEqual(['户编号', ...HOUSEHOLD_IMPORT_COLUMNS.filter((c) => c.part === 'member').map((c) => c.headers[0])])
    const dry = await post(template, 'dryRun=true')
    expect(dry.statusCode, dry.body).toBe(200)
    expect(dry.json()).toMatchObject({ rows: 1, errors: [] })
  })

  it('round trip: imported once with history, the same workbook twice changes nothing', async () => {
    const file = await fill(template, {
      households: [household('A1', 1, 0, 2), household('A2', 2, 1, 1)],
      members: [
        member('A1', '龙一', idOf(1, 'M', '433124', '19660101'), '男', '户主'),
        member('A2', '石二', idOf(2, 'M', '433124', '19660101'), '男', '户主'),
        member('A1', '吴三', idOf(3, 'F', '433124', '19680101'), '女', '配偶'),
      ],
    })
    const before = await counts()
    const run = await post(file, 'dryRun=false')
    expect(run.statusCode, run.body).toBe(200)
    expect(run.json()).toMatchObject({ errors: [], create: 2, mode: 'applied', requests: 2 })
    const { rows } = await t.db.query<{ village: string; size: number; names: string[] }>(
      `SELECT h.village_code AS village, h.size, array_agg(m.name ORDER BY m.id) AS names FROM household h JOIN member m ON m.household_id = h.id
       WHERE h.id IN (SELECT household_id FROM member WHERE id_number = ANY ($1)) GROUP BY h.id ORDER BY h.village_code`,
      [[idOf(1, 'M', '433124', '19660101'), idOf(2, 'M', '433124', '19660101')]],
    )
    expect(rows).toEqual([{ village: V[0], size: 2, names: ['龙一', '吴三'] }, { village: V[1], size: 1, names: ['石二'] }])
    const after = await counts()
    expect(after.h - before.h).toBe(2)
    expect(after.m - before.m).toBe(3)
    const again = await post(file, 'dryRun=false')
    expect(again.json()).toMatchObject({ create: 0, change: 0, unchanged: 2, batch: null })
    expect(await counts()).toEqual(after)
  })

  it('problems name their sheet and row: a bad cell on either sheet, a member of no household, a household without members', async () => {
    const file = await fill(
      template,
      {
        households: [household('B1', 11, 0, 1, { [head('mainCause')]: '因懒' }), household('B2', 12, 1, 1), household('B3', 13, 2, 1)],
        members: [
          member('B2', '龙甲', idOf(12, 'M', '433124', '19660101'), '男', '户主', { [head('health')]: '很好' }),
          member('B1', '龙乙', idOf(11, 'M', '433124', '19660101'), '男', '户主'),
          member('B9', '龙丙', idOf(14, 'M', '433124', '19660101'), '男', '户主'),
        ],
      },
      { households: 'Households', members: 'Members' },
    )
    const before = await counts()
    const res = await post(file, 'dryRun=true')
    expect(res.statusCode, res.body).toBe(200)
    const named = res.json().errors.map((e: { sheet: string; row: number; column: string }) => `${e.sheet} ${e.row} ${e.column}`)
    expect(named).toEqual([
      `Households 2 ${head('mainCause')}`, // unknown cause, on the households sheet
      'Households 4 户编号', // B3 has no members
      `Members 2 ${head('health')}`, // a bad member cell
      'Members 4 户编号', // B9 is no household
    ])
    expect((await post(file, 'dryRun=false')).statusCode).toBe(400)
    expect(await counts()).toEqual(before)
    // The report as a workbook names the sheet too.
    const xlsx = await post(file, 'dryRun=true&format=xlsx')
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer)
    expect((wb.getWorksheet('问题')!.getRow(2).values as unknown[]).slice(1, 4)).toEqual(['Households', 2, head('mainCause')])
  })
})
