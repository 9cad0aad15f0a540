import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import ExcelJS from 'exceljs'
import Papa from 'papaparse'
import proj4 from 'proj4'
import { buildApp } from '../../../server/app.js'
import { openTestDb, type TestDb } from '../../helpers/test-db.js'
import { loadDataset } from '../../../geodata/load/load-dataset.js'
import { loginAs, sessionCaller, type TestSession } from '../../helpers/auth.js'
import { withCaller } from '../../../server/db/caller-transactions.js'
import { FIXTURE } from '../../helpers/fixture-dataset.js'
import { PROJECT_IMPORT_COLUMNS, INDICATOR_IMPORT_COLUMNS } from '../../../domain/reports/project-import-columns.js'
import { shapefileZip } from '../../../server/reports/export-formats.js'
import { reportDataset, EXTRA } from './report-dataset.js'
import { csvText } from './import-fixtures.js'
import { metres, wgs84ToGcj02 } from './gcj-reference.js'

const V = FIXTURE.villages
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

/**
 * Control point: WGS84 (109.512345, 28.315678), in village 0, and its coordinates in CGCS2000 / 3-degree
 * Gauss–Krüger CM 111E (EPSG:4546) as GDAL 3.6 / PROJ compute them (`gdaltransform -s_srs EPSG:4326 -t_srs
 * EPSG:4546`): an independent reference for proj4js parsing the .prj.
 */
const CONTROL = { lon: 109.512345, lat: 28.315678, x: 354091.040862327, y: 3134324.43155398 }
const GK_111_PRJ =
  'PROJCS["CGCS2000_3_Degree_GK_CM_111E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",111.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]'
/** The same projection as a PROJ string (the test's own forward transform for lines and polygons). */
const toGk = proj4('EPSG:4326', '+proj=tmerc +lat_0=0 +lon_0=111 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs')
const gk = (lon: number, lat: number) => toGk.forward([lon, lat]) as [number, number]

const header = (key: string) => PROJECT_IMPORT_COLUMNS.find((c) => c.key === key)!.headers[0]!
const PROJECT_HEADER = ['code', 'name', 'type', 'stage', 'year', 'budget', 'spent', 'villageCode', 'lon', 'lat'].map(header)
const projectRow = (code: string, over: Partial<Record<'name' | 'type' | 'stage' | 'year' | 'budget' | 'spent' | 'village', string>>, at: readonly number[]) => [
  code, over.name ?? `项目${code}`, over.type ?? '道路交通', over.stage ?? '在建', over.year ?? '2020', over.budget ?? '100000', over.spent ?? '50000', over.village ?? V[0]!, String(at[0]), String(at[1]),
]

describe('imports of projects and indicator values', () => {
  let t: TestDb
  let app: FastifyInstance
  let county: TestSession
  let admin: TestSession
  let township: TestSession

  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    await loadDataset(t.db, reportDataset(), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
    app = await buildApp({ dataDir: t.location, db: t.db, serveClient: false })
    county = await loginAs(app, t.db, 'county_officer', { scope: FIXTURE.county })
    admin = await loginAs(app, t.db, 'province_admin')
    township = await loginAs(app, t.db, 'township_officer', { scope: FIXTURE.townships[0] })
  }, 120_000)
  afterAll(async () => {
    await app?.close()
    await t?.dispose()
  })

  const post = (s: TestSession, body: Buffer | string, query: string, type = 'text/csv') =>
    s.inject({ method: 'POST', url: `/api/imports?${query}`, payload: body, headers: { 'content-type': type } })
  const state = async () =>
    (
      await t.db.query<{ projects: string; values: string; pv: number; vv: number }>(
        `SELECT (SELECT json_agg(p ORDER BY p.code)::text FROM (SELECT code, name, type, stage, year, budget_yuan, spent_yuan, county_code, village_code, ST_AsText(geom) AS g FROM project) p) AS projects,
                (SELECT json_agg(v ORDER BY v.area_code, v.indicator_code, v.year)::text FROM indicator_value v) AS values,
                (SELECT version FROM tile_layer_version WHERE layer = 'projects') AS pv, (SELECT version FROM tile_layer_version WHERE layer = 'villages') AS vv`,
      )
    ).rows[0]!
  const stored = async (code: string) =>
    (await t.db.query<{ geom: GeoJSON.Geometry; county: string; village: string | null }>(`SELECT ST_AsGeoJSON(geom)::json AS geom, county_code AS county, village_code AS village FROM project WHERE code = $1`, [code])).rows[0]

  it('migration 0024: loaded projects have deterministic codes (county and id)', async () => {
    const { rows } = await t.db.query<{ id: number; code: string }>('SELECT id, code FROM project ORDER BY id')
    expect(rows).toEqual([
      { id: 1, code: 'XM433124-000001' },
      { id: 2, code: 'XM433124-000002' },
      { id: 3, code: 'XM433124-000003' },
      { id: 4, code: 'XM433125-000004' },
    ])
  })

  it('templates of both kinds: Chinese headers, one example row, which a dry run accepts as a file', async () => {
    for (const [kind, columns] of [['projects', PROJECT_IMPORT_COLUMNS], ['indicators', INDICATOR_IMPORT_COLUMNS]] as const) {
      const csv = await county.inject(`/api/imports/template?kind=${kind}&format=csv`)
      expect(csv.statusCode).toBe(200)
      const parsed = Papa.parse<string[]>(csv.body.replace(/^\uFEFF/, ''), { skipEmptyLines: true })
      expect(parsed.data[0]).toEqual(columns.map((c) => c.headers[0]))
      expect(parsed.data).toHaveLength(2)
      const xlsx = await county.inject(`/api/imports/template?kind=${kind}&format=xlsx`)
      const wb = new ExcelJS.Workbook()
      await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer)
      expect((wb.worksheets[0]!.getRow(1).values as unknown[]).slice(1)).toEqual(columns.map((c) => c.headers[0]))
      const dry = await post(county, xlsx.rawPayload, `kind=${kind}&dryRun=true`, XLSX)
      expect(dry.statusCode, dry.body).toBe(200)
      expect(dry.json().rows).toBe(1)
    }
  })

  it('projects with planted errors: the dry run names each, exactly, and writes nothing', async () => {
    const before = await state()
    const inV0 = [109.505, 28.305]
    const file = csvText([
      PROJECT_HEADER,
      projectRow('T-1', {}, inV0), // 2: fine
      projectRow('T-2', { type: '修路' }, inV0), // 3: bad type
      projectRow('T-3', { village: EXTRA.village }, [109.565, 28.305]), // 4: outside the county officer's area
      projectRow('T-1', {}, inV0), // 5: duplicate code
      projectRow('T-5', { budget: '1000', spent: '2000' }, inV0), // 6: spent > budget
      projectRow('T-6', { village: V[1]! }, inV0), // 7: the point is not in the village named
      projectRow('T-7', { year: '1990' }, inV0), // 8: year out of range
      projectRow('XM433125-000004', { village: V[0]! }, inV0), // 9: a code registered in another county
    ])
    const res = await post(county, file, 'kind=projects&dryRun=true')
    expect(res.statusCode, res.body).toBe(200)
    const r = res.json()
    expect(r.errors.map((e: { row: number; column: string; problem: string }) => [e.row, e.column, e.problem])).toEqual([
      [3, '项目类型', expect.stringMatching(/^取值无效/)],
      [4, '村代码', '该村不在您的辖区内'],
      [4, '经度', '项目位置不在您的辖区内'],
      [5, '项目编号', '项目编号重复（与第 2 行相同）'],
      [6, '已完成投资（元）', '已完成投资超过总投资'],
      [7, '经度', `项目位置不在 ${V[1]} 村界内`],
      [8, '年度', expect.stringMatching(/^年度应在 2000–\d{4} 之间$/)],
      [9, '项目编号', '该项目编号已在其他辖区登记'],
    ])
    expect([r.rows, r.create, r.change, r.unchanged]).toEqual([8, 1, 0, 0])
    expect(r.items).toEqual([{ key: 'T-1', rows: [2], action: 'create', diffs: [] }])
    // The same report as a workbook: one line per problem.
    const book = await post(county, file, 'kind=projects&dryRun=true&format=xlsx')
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(book.rawPayload as unknown as ArrayBuffer)
    expect(wb.getWorksheet('问题')!.rowCount).toBe(1 + r.errors.length)
    expect(wb.getWorksheet('处理结果')!.getRow(2).getCell(1).value).toBe('T-1')
    // A real run of a file with problems writes nothing either.
    const run = await post(county, file, 'kind=projects&dryRun=false')
    expect(run.statusCode).toBe(400)
    expect(await state()).toEqual(before)
  })

  it('GeoJSON in CGCS2000 3° Gauss–Krüger (crs member EPSG:4546) lands within 1 m of the control point; run twice, nothing changes', async () => {
    const [ax, ay] = gk(109.505, 28.305)
    const [bx, by] = gk(109.515, 28.315)
    const fc = {
      type: 'FeatureCollection',
      crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::4546' } },
      features: [
        { type: 'Feature', geometry: { type: 'Point', coordinates: [CONTROL.x, CONTROL.y] }, properties: { 项目编号: 'GJ-1', 项目名称: '控制点水池', 项目类型: '饮水安全', 项目阶段: '规划', 年度: 2021, 总投资: 50000, 已完成投资: 0, 村代码: V[0] } },
        { type: 'Feature', geometry: { type: 'Polygon', coordinates: [[[ax, ay], [bx, ay], [bx, by], [ax, by], [ax, ay]]] }, properties: { 项目编号: 'GJ-2', 项目名称: '产业园', 项目类型: 'industry', 项目阶段: 'approved', 年度: 2021, 总投资: 9e5, 已完成投资: 1e5 } },
      ],
    }
    const dry = await post(county, JSON.stringify(fc), 'kind=projects&dryRun=true', 'application/octet-stream')
    expect(dry.statusCode, dry.body).toBe(200)
    expect(dry.json()).toMatchObject({ errors: [], create: 2, crs: 'EPSG:4546 CGCS2000_3_Degree_GK_CM_111E', converted: 0 })
    const v0 = (await state()).pv
    const run = await post(county, JSON.stringify(fc), 'kind=projects&dryRun=false', 'application/octet-stream')
    expect(run.statusCode, run.body).toBe(200)
    expect(run.json()).toMatchObject({ create: 2, mode: 'applied', batch: expect.any(Number) })
    const p = await stored('GJ-1')
    expect(metres((p!.geom as GeoJSON.Point).coordinates, [CONTROL.lon, CONTROL.lat])).toBeLessThan(1)
    expect(p!.county).toBe(FIXTURE.county)
    const poly = (await stored('GJ-2'))!
    expect(poly.village).toBeNull()
    const ring = (poly.geom as GeoJSON.Polygon).coordinates[0]!
    expect(metres(ring[0]!, [109.505, 28.305])).toBeLessThan(1)
    expect(metres(ring[2]!, [109.515, 28.315])).toBeLessThan(1)
    // The map shows them: the projects layer's version moved on.
    const after = await state()
    expect(after.pv).toBeGreaterThan(v0)
    const again = await post(county, JSON.stringify(fc), 'kind=projects&dryRun=false', 'application/octet-stream')
    expect(again.json()).toMatchObject({ create: 0, change: 0, unchanged: 2, batch: null })
    expect(await state()).toEqual(after)
    // Audit: the run, with the system it read.
    const { rows } = await t.db.query<{ detail: { kind: string; crs: string } }>(`SELECT detail FROM audit_log WHERE action = 'import.run' ORDER BY id DESC LIMIT 2`)
    expect(rows.map((x) => x.detail.kind)).toEqual(['projects', 'projects'])
  })

  it('a zipped Shapefile in CGCS2000 GK (its .prj), with a line and Chinese attributes, lands right; one attribute changed is a change', async () => {
    const line = [gk(109.522, 28.305), gk(109.535, 28.312)]
    const fc = (name: string): GeoJSON.FeatureCollection => ({
      type: 'FeatureCollection',
      features: [{ type: 'Feature', geometry: { type: 'LineString', coordinates: line }, properties: { code: 'SHP-1', name, type: '道路交通', stage: '已完工', year: 2019, budget: 800000, spent: 800000, village: V[1]! } }],
    })
    const zip = await shapefileZip(fc('测试1村通组公路'), 'roads', GK_111_PRJ)
    const dry = await post(county, zip, 'kind=projects&dryRun=true', 'application/zip')
    expect(dry.statusCode, dry.body).toBe(200)
    expect(dry.json()).toMatchObject({ errors: [], create: 1, crs: 'EPSG:4546 CGCS2000_3_Degree_GK_CM_111E', encoding: 'UTF-8' })
    expect((await post(county, zip, 'kind=projects&dryRun=false', 'application/zip')).statusCode).toBe(200)
    const s = (await t.db.query<{ name: string; geom: GeoJSON.LineString }>(`SELECT name, ST_AsGeoJSON(geom)::json AS geom FROM project WHERE code = 'SHP-1'`)).rows[0]!
    expect(s.name).toBe('测试1村通组公路')
    expect(metres(s.geom.coordinates[0]!, [109.522, 28.305])).toBeLessThan(1)
    expect(metres(s.geom.coordinates[1]!, [109.535, 28.312])).toBeLessThan(1)
    const changed = await post(county, await shapefileZip(fc('测试1村通组公路（二期）'), 'roads', GK_111_PRJ), 'kind=projects&dryRun=true', 'application/zip')
    expect(changed.json().items).toEqual([{ key: 'SHP-1', rows: [1], action: 'change', diffs: [{ field: 'name', before: '测试1村通组公路', after: '测试1村通组公路（二期）' }] }])
  })

  it('a GCJ-02 CSV (坐标系 column, or crs=gcj02) is converted to WGS84 within 1 m and flagged', async () => {
    const gcj = wgs84ToGcj02(CONTROL.lon, CONTROL.lat)
    expect(metres(gcj, [CONTROL.lon, CONTROL.lat])).toBeGreaterThan(100) // the offset is real here
    const file = csvText([
      [...PROJECT_HEADER, header('crs')],
      [...projectRow('GCJ-1', { village: V[0]! }, gcj), 'GCJ-02'],
      [...projectRow('WGS-1', { village: V[0]! }, [109.503, 28.303]), 'WGS84'],
    ])
    const dry = await post(county, file, 'kind=projects&dryRun=true')
    expect(dry.statusCode, dry.body).toBe(200)
    const r = dry.json()
    expect(r).toMatchObject({ errors: [], create: 2, converted: 1 })
    expect(r.crs).toContain('GCJ-02')
    expect(r.items.map((i: { key: string; converted?: boolean }) => [i.key, i.converted ?? false])).toEqual([['GCJ-1', true], ['WGS-1', false]])
    expect((await post(county, file, 'kind=projects&dryRun=false')).statusCode).toBe(200)
    expect(metres(((await stored('GCJ-1'))!.geom as GeoJSON.Point).coordinates, [CONTROL.lon, CONTROL.lat])).toBeLessThan(1)
    // The whole file by option.
    const opt = csvText([PROJECT_HEADER, projectRow('GCJ-2', { village: V[0]! }, gcj)])
    expect((await post(county, opt, 'kind=projects&dryRun=false&crs=gcj02')).json()).toMatchObject({ create: 1, converted: 1 })
    expect(metres(((await stored('GCJ-2'))!.geom as GeoJSON.Point).coordinates, [CONTROL.lon, CONTROL.lat])).toBeLessThan(1)
    // Projected coordinates in a table, the system by option; without it they are refused, not guessed.
    const gkFile = csvText([PROJECT_HEADER, projectRow('GK-1', { village: V[0]! }, [CONTROL.x, CONTROL.y])])
    expect((await post(county, gkFile, 'kind=projects&dryRun=true')).json().errors).toEqual([{ row: 2, column: '经度', value: `${CONTROL.x}, ${CONTROL.y}`, problem: '坐标不是经纬度：请指定坐标系（如 EPSG:4546）' }])
    expect((await post(county, gkFile, 'kind=projects&dryRun=false&crs=EPSG:4546')).json()).toMatchObject({ create: 1, crs: 'EPSG:4546 CGCS2000_3_Degree_GK_CM_111E' })
    expect(metres(((await stored('GK-1'))!.geom as GeoJSON.Point).coordinates, [CONTROL.lon, CONTROL.lat])).toBeLessThan(1)
  })

  it('who may run: a township officer only checks; the administrator anywhere; out of area is refused by the database as well', async () => {
    const file = csvText([PROJECT_HEADER, projectRow('TW-1', {}, [109.505, 28.305])])
    expect((await post(township, file, 'kind=projects&dryRun=true')).statusCode).toBe(200)
    const res = await post(township, file, 'kind=projects&dryRun=false')
    expect(res.statusCode).toBe(403)
    // The province administrator places projects anywhere (here in the other county).
    const there = csvText([PROJECT_HEADER, projectRow('ADM-1', { village: EXTRA.village }, [109.565, 28.305])])
    expect((await post(admin, there, 'kind=projects&dryRun=false')).json()).toMatchObject({ errors: [], create: 1 })
    expect((await stored('ADM-1'))!.county).toBe(EXTRA.county)
    // The owner-rights function's own check, past the server's: a county officer writing into another county.
    const before = await state()
    const outside = JSON.stringify([{ code: 'X-1', name: 'x', type: 'road', stage: 'plan', year: 2020, budget: 1, spent: 0, countyCode: EXTRA.county, villageCode: null, households: 0, villages: 0, geometry: { type: 'Point', coordinates: [109.565, 28.305] } }])
    const officer = await sessionCaller(t.db, 'county_officer', FIXTURE.county)
    await expect(withCaller(t.db, officer, (tx) => tx.query('SELECT povmap_project_import($1::jsonb)', [outside]))).rejects.toMatchObject({ code: '42501' })
    const pair = JSON.stringify([{ villageCode: EXTRA.village, indicatorCode: 'poverty_incidence', year: 2020, value: 1 }])
    await expect(withCaller(t.db, officer, (tx) => tx.query('SELECT povmap_indicator_import($1::jsonb)', [pair]))).rejects.toMatchObject({ code: '42501' })
    expect(await state()).toEqual(before)
  })

  it('indicator values: planted errors named exactly; long and wide layouts; run twice changes nothing', async () => {
    const before = await state()
    const long = csvText([
      ['村代码', '指标', '年度', '数值'],
      [V[0]!, '贫困发生率', '2020', '0.5'], // 2: fine (a change of the loaded 0.8)
      [V[1]!, '幸福指数', '2020', '3'], // 3: unknown indicator
      [EXTRA.village, 'poverty_incidence', '2020', '1'], // 4: out-of-area village
      [V[2]!, 'safe_water_share', '2020', '1.5'], // 5: a share above 1
      [V[3]!, '贫困发生率', '2031', '1'], // 6: year in the future
      ['433124999999', '贫困发生率', '2020', '1'], // 7: no such village
      [V[0]!, 'poverty_incidence', '2020', '0.6'], // 8: the same key as row 2
    ])
    const dry = await post(county, long, 'kind=indicators&dryRun=true')
    expect(dry.statusCode, dry.body).toBe(200)
    const r = dry.json()
    expect(r.errors.map((e: { row: number; column: string; problem: string }) => [e.row, e.column, e.problem])).toEqual([
      [3, '指标', '没有该指标（应为指标体系中的代码或中文名称）'],
      [4, '村代码', '该村不在您的辖区内'],
      [5, '数值', '应在 0–1 之间（饮水安全户占比，单位 ratio）'],
      [6, '年度', expect.stringMatching(/^年度应在 2000–\d{4} 之间$/)],
      [7, '村代码', '没有该村（村代码应为 12 位）'],
      [8, '数值', '与第 2 行重复（同一村、指标和年度）'],
    ])
    expect(r.items).toEqual([{ key: `${V[0]}/poverty_incidence/2020`, rows: [2], action: 'change', diffs: [{ field: 'value', before: 1.2 - 0.4, after: 0.5 }] }])
    expect((await post(county, long, 'kind=indicators&dryRun=false')).statusCode).toBe(400)
    expect(await state()).toEqual(before)

    // Wide: a column per indicator (Chinese name with unit, or code), villages by name.
    const wide = csvText([
      ['村名称', '年度', '贫困发生率（%）', 'safe_water_share'],
      ['十八洞村', '2020', '0.5', '0.99'],
      ['测试1村', '2020', '4.2', ''],
    ])
    const w = await post(county, wide, 'kind=indicators&dryRun=false')
    expect(w.statusCode, w.body).toBe(200)
    expect(w.json()).toMatchObject({ errors: [], create: 0, change: 3, unchanged: 0 })
    const { rows } = await t.db.query<{ area_code: string; indicator_code: string; value: number }>(
      `SELECT area_code, indicator_code, value FROM indicator_value WHERE year = 2020 AND area_code = ANY ($1) AND indicator_code IN ('poverty_incidence', 'safe_water_share') ORDER BY 1, 2`,
      [[V[0], V[1]]],
    )
    expect(rows.map((x) => [x.area_code, x.indicator_code, x.value])).toEqual([
      [V[0], 'poverty_incidence', 0.5],
      [V[0], 'safe_water_share', 0.99],
      [V[1], 'poverty_incidence', 4.2],
      [V[1], 'safe_water_share', 0.7 + 0.05],
    ])
    const after = await state()
    expect(after.vv).toBeGreaterThan(before.vv)
    const again = await post(county, wide, 'kind=indicators&dryRun=false')
    expect(again.json()).toMatchObject({ create: 0, change: 0, unchanged: 3, batch: null })
    expect(await state()).toEqual(after)
  })
})
