/**
 * The registry export in the formats people open: CSV (UTF-8 with BOM, formula starts neutralised),
 * XLSX (Chinese headers and labels), GeoJSON (RFC 7946, codes), zipped Shapefile (codes, WGS84 .prj). Every format carries the same rows; personal fields arrive already masked.
 */
import ExcelJS from 'exceljs'
import { stringify } from 'csv-stringify/sync'
import shpwrite from '@mapbox/shp-write'
import { ASSURANCE_GAPS } from '../../domain/codes.js'
import { ATTRIBUTE_LABELS, CAUSE_LABELS, DEMO_NOTE, GAP_LABELS, STATUS_LABELS, type Label } from '../../domain/reports/labels.js'

export interface ExportRow {
  ref: string
  villageCode: string
  village: string
  township: string | null
  county: string | null
  year: number
  status: keyof typeof STATUS_LABELS
  mainCause: keyof typeof CAUSE_LABELS
  attribute: keyof typeof ATTRIBUTE_LABELS
  size: number
  incomePerCapita: number
  gaps: number
  housingSafety: string | null
  phone: string | null
  headName: string | null
  headIdNumber: string | null
  lon: number
  lat: number
}

export const EXPORT_FORMATS = ['csv', 'xlsx', 'geojson', 'shp'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

const gapNames = (mask: number, lang: keyof Label) => ASSURANCE_GAPS.filter((_g, i) => (mask & (1 << i)) !== 0).map((g) => GAP_LABELS[g][lang])

/** Columns of the spreadsheet formats: Chinese header, and the cell of a row (labels, not codes). */
export const SHEET_COLUMNS: readonly { header: string; cell: (r: ExportRow) => string | number | null }[] = [
  { header: '户编号', cell: (r) => r.ref },
  { header: '县市区', cell: (r) => r.county },
  { header: '乡镇', cell: (r) => r.township },
  { header: '村', cell: (r) => r.village },
  { header: '村代码', cell: (r) => r.villageCode },
  { header: '年度', cell: (r) => r.year },
  { header: '脱贫状态', cell: (r) => STATUS_LABELS[r.status]?.zh ?? r.status },
  { header: '主要致贫原因', cell: (r) => CAUSE_LABELS[r.mainCause]?.zh ?? r.mainCause },
  { header: '贫困户属性', cell: (r) => ATTRIBUTE_LABELS[r.attribute]?.zh ?? r.attribute },
  { header: '家庭人口（人）', cell: (r) => r.size },
  { header: '人均纯收入（元）', cell: (r) => r.incomePerCapita },
  { header: '两不愁三保障缺口', cell: (r) => gapNames(r.gaps, 'zh').join('、') },
  { header: '住房安全等级', cell: (r) => r.housingSafety },
  { header: '户主姓名（脱敏）', cell: (r) => r.headName },
  { header: '户主身份证号（脱敏）', cell: (r) => r.headIdNumber },
  { header: '联系电话（脱敏）', cell: (r) => r.phone },
  { header: '经度（WGS84）', cell: (r) => r.lon },
  { header: '纬度（WGS84）', cell: (r) => r.lat },
]

/** A text cell that a spreadsheet would take for a formula (= + - @, tab, CR) gets a leading apostrophe. */
export function neutralise(v: string | number | null): string | number | null {
  return typeof v === 'string' && /^[=+\-@\t\r]/.test(v) ? `'${v}` : v
}

export function exportCsv(rows: readonly ExportRow[]): Buffer {
  const body = stringify(
    rows.map((r) => SHEET_COLUMNS.map((c) => neutralise(c.cell(r)))),
    { header: true, columns: SHEET_COLUMNS.map((c) => c.header), record_delimiter: 'windows', cast: { number: (n) => String(n) } },
  )
  return Buffer.from(`\uFEFF${body}`, 'utf8')
}

export async function exportXlsx(rows: readonly ExportRow[], title: string): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  wb.creator = 'povmap 精准扶贫一张图'
  const ws = wb.addWorksheet('建档立卡户', { views: [{ state: 'frozen', ySplit: 2 }] })
  ws.addRow([`${title}（${DEMO_NOTE.zh}个人信息已脱敏。）`])
  ws.addRow(SHEET_COLUMNS.map((c) => c.header)).font = { bold: true }
  for (const r of rows) ws.addRow(SHEET_COLUMNS.map((c) => neutralise(c.cell(r))))
  SHEET_COLUMNS.forEach((c, i) => (ws.getColumn(i + 1).width = Math.max(10, c.header.length * 2 + 2)))
  return Buffer.from(await wb.xlsx.writeBuffer())
}

/** Properties of the GIS formats: codes (a GIS joins on them), names ≤ 10 characters for DBF. */
const gisProperties = (r: ExportRow) => ({
  ref: r.ref,
  village: r.villageCode,
  vname: r.village,
  year: r.year,
  status: r.status,
  cause: r.mainCause,
  attribute: r.attribute,
  size: r.size,
  income: r.incomePerCapita,
  gaps: gapNames(r.gaps, 'en').join(','),
  housing: r.housingSafety ?? '',
  phone: r.phone ?? '',
  head: r.headName ?? '',
  head_id: r.headIdNumber ?? '',
})

export function exportGeoJson(rows: readonly ExportRow[]): GeoJSON.FeatureCollection<GeoJSON.Point> {
  return {
    type: 'FeatureCollection',
    features: rows.map((r) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [r.lon, r.lat] }, properties: gisProperties(r) })),
  }
}

/** EPSG:4326 as the .prj of a Shapefile (the one shp-write writes by default too). */
const WGS84_PRJ = 'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["Degree",0.017453292519943295]]'

/**
 * shp-write writes DBF text one byte per character, which garbles Chinese: the Shapefile carries codes and
 * ASCII fields only (the village name and the masked head's name stay in the other formats).
 */
export async function exportShapefile(rows: readonly ExportRow[], name: string): Promise<Buffer> {
  const fc = exportGeoJson(rows)
  for (const f of fc.features) {
    const p = f.properties as Record<string, unknown>
    delete p.vname
    delete p.head
  }
  return (await shpwrite.zip(fc, { outputType: 'nodebuffer', compression: 'DEFLATE', prj: WGS84_PRJ, types: { point: name } })) as unknown as Buffer
}
