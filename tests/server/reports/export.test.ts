import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import ExcelJS from 'exceljs'
import Papa from 'papaparse'
import shp from 'shpjs'
import { buildApp } from '../../../server/app.js'
import { openTestDb, type TestDb } from '../../helpers/test-db.js'
import { loadDataset } from '../../../geodata/load/load-dataset.js'
import { loginAs, type TestSession } from '../../helpers/auth.js'
import { FIXTURE } from '../../helpers/fixture-dataset.js'
import { reportDataset, EXTRA } from './report-dataset.js'
import { SHEET_COLUMNS } from '../../../server/reports/export-formats.js'
import { PMTiles, type Source } from 'pmtiles'
import { decodeTile } from '../../helpers/tiles.js'
import { tilesCovering } from '../../../server/tiles/tile-math.js'

/** A PMTiles archive held in memory, for the pmtiles reader. */
class BufferSource implements Source {
  constructor(private readonly b: Buffer) {}
  getKey = () => 'memory'
  getBytes = async (offset: number, length: number) => ({ data: new Uint8Array(this.b.subarray(offset, offset + length)).buffer })
}

const YEAR = 2018

describe('GET /api/export: the caller’s view of the registry in the formats people open', () => {
  let t: TestDb
  let app: FastifyInstance
  let county: TestSession
  let truth: Map<string, { lon: number; lat: number; phone: string; village: string; size: number; status: string }>

  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    await loadDataset(t.db, reportDataset(), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
    // A division name that a spreadsheet would run as a formula.
    await t.db.query(`UPDATE admin_area SET name = '=HYPERLINK("http://x")' WHERE code = $1`, [FIXTURE.villages[1]])
    app = await buildApp({ dataDir: t.location, db: t.db, serveClient: false })
    county = await loginAs(app, t.db, 'county_officer')
    const { rows } = await t.db.query<{ ref: string; lon: number; lat: number; phone: string; village: string; size: number; status: string }>(
      `SELECT h.ref::text AS ref, ST_X(h.geom) AS lon, ST_Y(h.geom) AS lat, h.phone, h.village_code AS village, h.size, y.status
       FROM household h JOIN household_year y ON y.household_id = h.id AND y.year = $2 WHERE h.village_code LIKE $1 || '%'`,
      [FIXTURE.county, YEAR],
    )
    truth = new Map(rows.map((r) => [r.ref, r]))
  }, 120_000)
  afterAll(async () => {
    await app?.close()
    await t?.dispose()
  })

  const get = async (format: string, extra = '') => {
    const res = await county.inject(`/api/export?area=${FIXTURE.county}&year=${YEAR}&format=${format}${extra}`)
    expect(res.statusCode, res.body.slice(0, 200)).toBe(200)
    return res
  }

  it('CSV: UTF-8 with BOM, Chinese headers and labels, every household of the area once, personal data masked, formulas neutralised', async () => {
    const res = await get('csv')
    expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]))
    const parsed = Papa.parse<Record<string, string>>(res.body.replace(/^\uFEFF/, ''), { header: true, skipEmptyLines: true })
    expect(parsed.errors).toEqual([])
    expect(parsed.meta.fields).toEqual(SHEET_COLUMNS.map((c) => c.header))
    expect(parsed.data.map((r) => r['户编号']).sort()).toEqual([...truth.keys()].sort())
    for (const r of parsed.data) {
      const h = truth.get(r['户编号']!)!
      expect(r['村代码']).toBe(h.village)
      expect(r['家庭人口（人）']).toBe(String(h.size))
      expect(r['脱贫状态']).toBe({ poor: '未脱贫', lifted: '已脱贫', returned: '返贫' }[h.status])
      expect(r['联系电话（脱敏）']).toBe(`${h.phone.slice(0, 3)}****${h.phone.slice(-4)}`)
      expect(r['户主姓名（脱敏）']).toBe('龙**')
      expect(r['户主身份证号（脱敏）']).toMatch(/^433124\*{10}1X$/)
      if (h.village === FIXTURE.villages[1]) expect(r['村']).toBe(`'=HYPERLINK("http://x")`)
    }
    expect(res.body).not.toMatch(/43312419800101001X/)
    for (const h of truth.values()) expect(res.body.includes(h.phone)).toBe(false)
  })

  it('filters narrow the rows as on the map', async () => {
    const res = await get('csv', '&status=poor,returned&cause=illness')
    const parsed = Papa.parse<Record<string, string>>(res.body.replace(/^\uFEFF/, ''), { header: true, skipEmptyLines: true })
    const { rows } = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM household h JOIN household_year y ON y.household_id = h.id AND y.year = $2
       WHERE h.village_code LIKE $1 || '%' AND y.status IN ('poor', 'returned') AND h.main_cause = 'illness'`,
      [FIXTURE.county, YEAR],
    )
    expect(parsed.data.length).toBe(rows[0]!.n)
    expect((await county.inject(`/api/export?area=${FIXTURE.county}&status=rich`)).statusCode).toBe(400)
  })

  it('XLSX: the same rows with Chinese headers and labels, formulas neutralised', async () => {
    const res = await get('xlsx')
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer)
    const ws = wb.getWorksheet('建档立卡户')!
    expect((ws.getRow(2).values as unknown[]).slice(1)).toEqual(SHEET_COLUMNS.map((c) => c.header))
    expect(String(ws.getRow(1).getCell(1).value)).toMatch(/示例数据/)
    const refs: string[] = []
    ws.eachRow((row, i) => {
      if (i <= 2) return
      const ref = String(row.getCell(1).value)
      refs.push(ref)
      const h = truth.get(ref)!
      expect(row.getCell(17).value).toBeCloseTo(h.lon, 6)
      expect(row.getCell(16).value).toBe(`${h.phone.slice(0, 3)}****${h.phone.slice(-4)}`)
      if (h.village === FIXTURE.villages[1]) expect(row.getCell(4).value).toBe(`'=HYPERLINK("http://x")`)
    })
    expect(refs.sort()).toEqual([...truth.keys()].sort())
  })

  it('GeoJSON and zipped Shapefile give back the points and rows', async () => {
    const gj = (await get('geojson')).json() as GeoJSON.FeatureCollection<GeoJSON.Point>
    expect(gj.features.length).toBe(truth.size)
    for (const f of gj.features) {
      const h = truth.get(f.properties!.ref as string)!
      expect(f.geometry.coordinates[0]).toBeCloseTo(h.lon, 6)
      expect(f.geometry.coordinates[1]).toBeCloseTo(h.lat, 6)
      expect(f.properties!.phone).toBe(`${h.phone.slice(0, 3)}****${h.phone.slice(-4)}`)
    }
    const zip = (await get('shp')).rawPayload
    const back = (await shp(zip)) as GeoJSON.FeatureCollection<GeoJSON.Point>
    expect(back.features.length).toBe(truth.size)
    for (const f of back.features) {
      const h = truth.get(f.properties!.ref as string)!
      expect(f.geometry.coordinates[0]).toBeCloseTo(h.lon, 6)
      expect(f.geometry.coordinates[1]).toBeCloseTo(h.lat, 6)
      expect(f.properties!.village).toBe(h.village)
      expect(f.properties!.head_id).toMatch(/^433124\*{10}1X$/)
    }
  })

  it('PMTiles: the base layers of an area, households only for the registry roles, re-read by the pmtiles reader', async () => {
    const [x0, y0] = FIXTURE.origin
    const read = async (s: TestSession) => {
      const res = await s.inject(`/api/export/pmtiles?area=${FIXTURE.villages[0]}&minzoom=12&maxzoom=14`)
      expect(res.statusCode, res.body.slice(0, 200)).toBe(200)
      const archive = new PMTiles(new BufferSource(res.rawPayload))
      const header = await archive.getHeader()
      expect(header).toMatchObject({ specVersion: 3, tileType: 1, minZoom: 12, maxZoom: 14, clustered: true })
      const layers = new Set<string>()
      const households = new Set<number>()
      for (const t of tilesCovering([x0, y0, x0 + FIXTURE.cell, y0 + FIXTURE.cell], 14)) {
        const tile = await archive.getZxy(t.z, t.x, t.y)
        if (!tile) continue
        const vt = decodeTile(new Uint8Array(tile.data))
        for (const name of Object.keys(vt.layers)) layers.add(name)
        const h = vt.layers.households
        for (let i = 0; h && i < h.length; i++) households.add(Number(h.feature(i).id))
      }
      return { layers, households, metadata: (await archive.getMetadata()) as { vector_layers: { id: string }[] } }
    }
    const officer = await read(county)
    const { rows } = await t.db.query<{ id: number }>('SELECT id::float8 AS id FROM household WHERE village_code = $1', [FIXTURE.villages[0]])
    expect(rows.length).toBeGreaterThan(0)
    for (const r of rows) expect(officer.households.has(r.id)).toBe(true)
    expect(officer.layers.has('admin')).toBe(true)
    expect(officer.metadata.vector_layers.map((l) => l.id)).toContain('households')
    const leader = await read(await loginAs(app, t.db, 'leader', { scope: '4331' }))
    expect(leader.layers.has('households')).toBe(false)
    expect(leader.layers.has('admin')).toBe(true)
    expect(leader.metadata.vector_layers.map((l) => l.id)).not.toContain('households')
    expect((await county.inject(`/api/export/pmtiles?area=${EXTRA.village}`)).statusCode).toBe(404)
  })

  it('out of the area is refused, roles without the registry too, and every export is audited', async () => {
    expect((await county.inject(`/api/export?area=${EXTRA.county}&year=${YEAR}`)).statusCode).toBe(404)
    expect((await county.inject(`/api/export?area=4331&year=${YEAR}`)).statusCode).toBe(403)
    const leader = await loginAs(app, t.db, 'leader', { scope: '4331' })
    expect((await leader.inject(`/api/export?area=4331&year=${YEAR}`)).statusCode).toBe(403)
    const { rows } = await t.db.query<{ detail: { format: string; rows: number } }>(
      `SELECT detail FROM audit_log WHERE action = 'export.registry' AND actor_username = $1 AND outcome = 'ok' ORDER BY id`,
      [county.user.username],
    )
    expect(rows.map((r) => r.detail.format)).toEqual(['csv', 'csv', 'xlsx', 'geojson', 'shp'])
    expect(rows[0]!.detail.rows).toBe(truth.size)
  })
})
