/** A saved scenario as GeoJSON (sites as points, coverage polygons) or as an XLSX workbook. */
import ExcelJS from 'exceljs'
import type { SitingAnswer } from '../../domain/siting/schemas.js'

interface Saved {
  id: number
  name: string
  areaCode: string
  facility: string
  result: SitingAnswer
}

/** RFC 7946: WGS84, no crs member; sites as points, then each site's coverage polygon. */
export function scenarioGeoJson(s: Saved) {
  return {
    type: 'FeatureCollection',
    features: [
      ...s.result.sites.map((site) => ({
        type: 'Feature',
        geometry: { type: 'Point', coordinates: [site.lon, site.lat] },
        properties: { scenario: s.name, facility: s.facility, rank: site.rank, covered: site.covered, gain: site.gain },
      })),
      ...s.result.coverage.features.map((f: { geometry: unknown; properties: Record<string, unknown> }) => ({ type: 'Feature', geometry: f.geometry, properties: { scenario: s.name, kind: 'coverage', ...f.properties } })),
    ],
  }
}

/** A text cell never starts a formula (CSV/XLSX injection). */
const safe = (v: string) => (/^[=+\-@]/.test(v) ? `'${v}` : v)

export async function scenarioXlsx(s: Saved): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  const sites = wb.addWorksheet('选址 Sites')
  sites.addRow(['排序 rank', '经度 lon', '纬度 lat', '覆盖贫困户 covered', '边际增益 gain'])
  for (const site of s.result.sites) sites.addRow([site.rank, site.lon, site.lat, site.covered, site.gain])
  sites.addRow([])
  sites.addRow([safe(s.name), safe(s.areaCode), s.facility, `covered ${s.result.covered} / ${s.result.total}`, s.result.solver])
  const villages = wb.addWorksheet('村 Villages')
  villages.addRow(['代码 code', '名称 name', '目标户 total', '覆盖 covered'])
  for (const v of s.result.villages) villages.addRow([v.code, safe(v.name), v.total, v.covered])
  const wi = wb.addWorksheet('多维贫困 What-if')
  wi.addRow(['代码 code', '名称 name', 'H 前', 'H 后', 'A 前', 'A 后', 'M0 前', 'M0 后', 'ΔM0'])
  for (const row of [...s.result.whatIf.counties, ...s.result.whatIf.villages])
    wi.addRow([row.code, safe(row.name ?? ''), row.before.H, row.after.H, row.before.A, row.after.A, row.before.M0, row.after.M0, row.dM0])
  return Buffer.from(await wb.xlsx.writeBuffer())
}
