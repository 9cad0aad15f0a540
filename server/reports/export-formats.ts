/**
 * The registry export in the formats people open: CSV (UTF-8 with BOM, formula starts neutralised),
 * XLSX (Chinese headers and labels), GeoJSON (RFC 7946, codes), zipped Shapefile (codes, WGS84 .prj, UTF-8 text with a .cpg). Every format carries the same rows; personal fields arrive already masked.
 */
import ExcelJS from 'exceljs'
import { stringify } from 'csv-stringify/sync'
import shpwrite from '@mapbox/shp-write'
import JSZip from 'jszip'
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

/** A DBF character field's size as shp-write writes it (bytes). */
const DBF_TEXT_BYTES = 254

/**
 * A string as shp-write must be handed it to write UTF-8: shp-write (through `dbf`) writes one byte per
 * character (charCodeAt), which garbles Chinese. Given the UTF-8 bytes one per character, it writes exactly
 * those; cut at a character boundary to the field's 254 bytes (84 Chinese characters).
 */
export function dbfUtf8(s: string): string {
  let bytes = Buffer.from(s, 'utf8')
  if (bytes.length > DBF_TEXT_BYTES) {
    let end = DBF_TEXT_BYTES
    while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--
    bytes = bytes.subarray(0, end)
  }
  return bytes.toString('latin1')
}

/**
 * A zipped Shapefile whose DBF text is UTF-8, declared by a .cpg 'UTF-8'. UTF-8 rather than GBK (ArcMap's
 * default in a Chinese locale without a .cpg): every character survives (rare characters of names outside
 * GBK too), and QGIS, GDAL/OGR, ArcGIS Pro and ArcMap ≥ 10.2.1 read the .cpg.
 */
export async function shapefileZip(fc: GeoJSON.FeatureCollection, name: string, prj = WGS84_PRJ): Promise<Buffer> {
  const utf8 = {
    ...fc,
    features: fc.features.map((f) => ({ ...f, properties: Object.fromEntries(Object.entries(f.properties ?? {}).map(([k, v]) => [k, typeof v === 'string' ? dbfUtf8(v) : v])) })),
  }
  // One layer: every feature of one kind (points; lines; or polygons, shp-write writes Polygon and MultiPolygon apart).
  const types = { point: name, polyline: name, polygon: name }
  const zipped = (await shpwrite.zip(utf8, { outputType: 'nodebuffer', compression: 'DEFLATE', prj, types })) as unknown as Buffer
  const zip = await JSZip.loadAsync(zipped)
  for (const shp of zip.file(/\.shp$/i)) zip.file(shp.name.replace(/\.shp$/i, '.cpg'), 'UTF-8')
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' })
}

/** The registry as a zipped Shapefile: codes, and the Chinese village name and masked head's name in UTF-8. */
export async function exportShapefile(rows: readonly ExportRow[], name: string): Promise<Buffer> {
  return shapefileZip(exportGeoJson(rows), name)
}
