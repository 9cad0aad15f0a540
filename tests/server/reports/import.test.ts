import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import ExcelJS from 'exceljs'
import Papa from 'papaparse'
import { buildApp } from '../../../server/app.js'
import { openTestDb, type TestDb } from '../../helpers/test-db.js'
import { loadDataset } from '../../../geodata/load/load-dataset.js'
import { loginAs, type TestSession } from '../../helpers/auth.js'
import { FIXTURE } from '../../helpers/fixture-dataset.js'
import { HOUSEHOLD_IMPORT_COLUMNS } from '../../../domain/reports/import-columns.js'
import { reportDataset, EXTRA } from './report-dataset.js'
import { csvText, gb18030, householdRows, idOf, pointIn, type HouseholdRow } from './import-fixtures.js'

const V = FIXTURE.villages
const header = (key: string) => HOUSEHOLD_IMPORT_COLUMNS.find((c) => c.key === key)!.headers[0]!

// Households of the planted file, one row per member (the header is row 1).
const H1: HouseholdRow = { village: V[0]!, at: pointIn(0), members: [{ name: '龙大', sex: 'M', id: idOf(1, 'M'), relation: '户主' }, { name: '石二', sex: 'F', id: idOf(2, 'F'), relation: '配偶' }] } // rows 2, 3
const H2: HouseholdRow = { village: V[1]!, at: pointIn(1), members: [{ name: '麻三', sex: 'M', id: idOf(3, 'M'), relation: '户主' }] } // row 4
const badChecksum = idOf(5, 'F').slice(0, 17) + (idOf(5, 'F').endsWith('0') ? '1' : '0')
const H3: HouseholdRow = { village: V[2]!, at: pointIn(2), members: [{ name: '龙四', sex: 'M', id: idOf(4, 'M'), relation: '户主' }, { name: '吴五', sex: 'F', id: badChecksum, relation: '配偶' }] } // rows 5, 6
const H4: HouseholdRow = { village: V[3]!, at: pointIn(3), members: [{ name: '龙六', sex: 'M', id: idOf(6, 'M'), relation: '户主' }, { name: '石二', sex: 'F', id: idOf(2, 'F'), relation: '配偶' }] } // rows 7, 8 (8: duplicate)
const H5: HouseholdRow = { village: EXTRA.village, at: [FIXTURE.origin[0] + 0.065, FIXTURE.origin[1] + 0.005], members: [{ name: '彭七', sex: 'M', id: idOf(7, 'M', '433125'), relation: '户主' }] } // row 9
const H6: HouseholdRow = { village: V[0]!, at: pointIn(0, 0.004), cause: '因懒', members: [{ name: '龙八', sex: 'M', id: idOf(8, 'M'), relation: '户主' }] } // row 10
const H7: HouseholdRow = { village: V[1]!, at: pointIn(1, 0.004), size: 3, members: [{ name: '龙九', sex: 'M', id: idOf(9, 'M'), relation: '户主' }, { name: '杨十', sex: 'F', id: idOf(10, 'F'), relation: '配偶' }] } // rows 11, 12
const H8: HouseholdRow = { village: V[2]!, at: pointIn(3), members: [{ name: '龙十一', sex: 'M', id: idOf(11, 'M'), relation: '户主' }] } // row 13: a point in village 3
const H9: HouseholdRow = { village: V[3]!, at: pointIn(3, 0.012), members: [{ name: '龙十二', sex: 'M', id: idOf(12, 'M'), relation: '户主' }, { name: '龙十三', sex: 'M', id: idOf(13, 'M', '433124', '20100101'), relation: '之子' }] }

describe('imports: dry run, real run, idempotency', () => {
  let t: TestDb
  let app: FastifyInstance
  let county: TestSession
  let admin: TestSession

  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    await loadDataset(t.db, reportDataset(), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
    app = await buildApp({ dataDir: t.location, db: t.db, serveClient: false })
    county = await loginAs(app, t.db, 'county_officer')
    admin = await loginAs(app, t.db, 'province_admin')
  }, 120_000)
  afterAll(async () => {
    await app?.close()
    await t?.dispose()
  })

  const post = (s: TestSession, body: Buffer | string, query: string, type = 'text/csv') =>
    s.inject({ method: 'POST', url: `/api/imports?${query}`, payload: body, headers: { 'content-type': type } })
  const counts = async () =>
    (
      await t.db.query<{ households: number; members: number; years: number; requests: number; history: number; batches: number; versions: number }>(
        `SELECT (SELECT count(*) FROM household)::int AS households, (SELECT count(*) FROM member)::int AS members,
           (SELECT count(*) FROM household_year)::int AS years, (SELECT count(*) FROM change_request)::int AS requests,
           (SELECT count(*) FROM household_history)::int AS history, (SELECT count(*) FROM import_batch)::int AS batches,
           (SELECT COALESCE(sum(version), 0) FROM household)::int AS versions`,
      )
    ).rows[0]!

  it('templates: the Chinese headers and one example row, as CSV and XLSX', async () => {
    const csv = await county.inject('/api/imports/template?kind=households&format=csv')
    expect(csv.statusCode).toBe(200)
    const parsed = Papa.parse<string[]>(csv.body.replace(/^\uFEFF/, ''), { skipEmptyLines: true })
    expect(parsed.data[0]).toEqual(HOUSEHOLD_IMPORT_COLUMNS.map((c) => c.headers[0]))
    expect(parsed.data).toHaveLength(2)
    const xlsx = await county.inject('/api/imports/template?kind=households&format=xlsx')
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer)
    expect((wb.worksheets[0]!.getRow(1).values as unknown[]).slice(1)).toEqual(HOUSEHOLD_IMPORT_COLUMNS.map((c) => c.headers[0]))
    // The example row passes a dry run's cell checks (its village is real).
    const dry = await post(county, xlsx.rawPayload, 'dryRun=true', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    expect(dry.statusCode, dry.body).toBe(200)
    expect(dry.json().rows).toBe(1)
  })

  it('a file with planted errors (GB18030): the dry run names each error and nothing else, and writes nothing', async () => {
    const before = await counts()
    const file = gb18030(csvText(householdRows([H1, H2, H3, H4, H5, H6, H7, H8])))
    const res = await post(county, file, 'kind=households&dryRun=true')
    expect(res.statusCode, res.body).toBe(200)
    const report = res.json()
    expect(report.encoding).toBe('gb18030')
    expect(report.rows).toBe(12)
    expect(report.unmapped).toEqual([])
    const named = report.errors.map((e: { row: number; column: string }) => `${e.row} ${e.column}`)
    expect(named).toEqual([
      `6 ${header('idNumber')}`, // bad checksum
      `8 ${header('idNumber')}`, // duplicate ID (row 3's)
      `9 ${header('villageCode')}`, // village outside the importer's area
      `10 ${header('mainCause')}`, // unknown cause
      `11 ${header('size')}`, // size ≠ members
      `13 ${header('lon')}`, // point outside its village
    ])
    const problems = report.errors.map((e: { problem: string }) => e.problem)
    expect(problems[0]).toMatch(/校验码/)
    expect(problems[1]).toMatch(/重复.*第 3 行/)
    expect(problems[2]).toMatch(/辖区/)
    expect(problems[3]).toMatch(/取值无效/)
    expect(problems[4]).toMatch(/家庭成员人数/)
    expect(problems[5]).toMatch(/村界/)
    // Personal values are masked in the report.
    expect(report.errors[0].value).toMatch(/^433124\*+/)
    expect(report).toMatchObject({ create: 2, change: 0, unchanged: 0 })
    expect(await counts()).toEqual(before)
    // The same report as a workbook.
    const xlsx = await post(county, file, 'kind=households&dryRun=true&format=xlsx')
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer)
    expect(wb.getWorksheet('问题')!.rowCount).toBe(7)
    // A real run of a file with problems writes nothing either.
    expect((await post(admin, file, 'kind=households&dryRun=false')).statusCode).toBe(400)
    expect(await counts()).toEqual(before)
  })

  it('the province administrator’s run applies with history; the same file twice changes nothing; a changed field is a change', async () => {
    const before = await counts()
    const file = Buffer.from(csvText(householdRows([H1, H2, H9])), 'utf8')
    const first = await post(admin, file, 'kind=households&dryRun=false')
    expect(first.statusCode, first.body).toBe(200)
    expect(first.json()).toMatchObject({ create: 3, change: 0, unchanged: 0, mode: 'applied', requests: 3, errors: [] })
    const after = await counts()
    expect(after.households - before.households).toBe(3)
    expect(after.members - before.members).toBe(5)
    expect(after.requests - before.requests).toBe(3)
    expect(after.history).toBeGreaterThan(before.history)
    const { rows } = await t.db.query<{ village: string; size: number; cause: string; state: string }>(
      `SELECT h.village_code AS village, h.size, h.main_cause AS cause, r.state FROM member m JOIN household h ON h.id = m.household_id
       JOIN change_request r ON r.household_id = h.id WHERE m.id_number = $1`,
      [idOf(12, 'M')],
    )
    expect(rows).toEqual([{ village: V[3], size: 2, cause: 'illness', state: 'applied' }])
    // Twice: nothing to do, nothing written.
    const again = await post(admin, file, 'kind=households&dryRun=false')
    expect(again.json()).toMatchObject({ create: 0, change: 0, unchanged: 3, batch: null })
    expect(await counts()).toEqual(after)
    // One field changed in the file: a change with its diff, applied with history.
    const changed = Buffer.from(csvText(householdRows([H1, { ...H2, cause: '缺资金' }, H9])), 'utf8')
    const dry = (await post(admin, changed, 'kind=households&dryRun=true')).json()
    expect(dry).toMatchObject({ create: 0, change: 1, unchanged: 2 })
    expect(dry.households.find((h: { action: string }) => h.action === 'change').diffs).toEqual([{ field: 'mainCause', before: 'illness', after: 'capital' }])
    expect((await post(admin, changed, 'kind=households&dryRun=false')).statusCode).toBe(200)
    const h2 = await t.db.query<{ cause: string; version: number }>(`SELECT h.main_cause AS cause, h.version FROM member m JOIN household h ON h.id = m.household_id WHERE m.id_number = $1`, [idOf(3, 'M')])
    expect(h2.rows).toEqual([{ cause: 'capital', version: 2 }])
    const hist = await t.db.query(`SELECT 1 FROM household_history WHERE field = 'mainCause' AND before = '"illness"' AND after = '"capital"'`)
    expect(hist.rowCount).toBe(1)
  })

  it('a county officer’s run becomes one batch of change requests for review; sent twice, nothing new', async () => {
    const H10: HouseholdRow = { village: V[1]!, at: pointIn(1, 0.012), members: [{ name: '石十四', sex: 'F', id: idOf(14, 'F'), relation: '户主' }] }
    const file = Buffer.from(csvText(householdRows([H10])), 'utf8')
    const before = await counts()
    const res = await post(county, file, 'kind=households&dryRun=false')
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({ create: 1, mode: 'requests', requests: 1 })
    const batch = res.json().batch as number
    const { rows } = await t.db.query<{ state: string; kind: string; ids: number[] }>(
      `SELECT r.state, r.kind, b.request_ids AS ids FROM import_batch b JOIN change_request r ON r.id = ANY (b.request_ids) WHERE b.id = $1`,
      [batch],
    )
    expect(rows).toEqual([{ state: 'pending', kind: 'household.create', ids: [expect.any(Number)] }])
    const after = await counts()
    expect(after.households).toBe(before.households)
    const twice = await post(county, file, 'kind=households&dryRun=false')
    expect(twice.json()).toMatchObject({ create: 0, unchanged: 1, batch: null })
    expect(await counts()).toEqual(after)
  })

  it('headers that differ are mapped by the user; a job reports its progress', async () => {
    const rows = householdRows([{ ...H9, members: [{ name: '龙十五', sex: 'M', id: idOf(15, 'M'), relation: '户主' }] }])
    rows[0]![0] = '户主证件号码'
    const file = Buffer.from(csvText(rows), 'utf8')
    const unmapped = (await post(county, file, 'dryRun=true')).json()
    expect(unmapped.unmapped).toEqual(['户主证件号码'])
    expect(unmapped.errors).toEqual([{ row: 1, column: header('headIdNumber'), value: '', problem: expect.stringMatching(/缺少此列/) }])
    const job = '00000000-0000-4000-8000-000000000001'
    const mapped = await post(county, file, `dryRun=true&job=${job}&mapping=${encodeURIComponent(JSON.stringify({ 户主证件号码: 'headIdNumber' }))}`)
    expect(mapped.json()).toMatchObject({ errors: [], create: 1 })
    expect((await county.inject(`/api/imports/progress?job=${job}`)).json()).toEqual({ job, percent: 100, state: 'done' })
    expect((await admin.inject(`/api/imports/progress?job=${job}`)).json()).toMatchObject({ state: 'unknown' })
  })
})
