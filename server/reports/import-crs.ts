/**
 * The coordinate system of an imported file, and its coordinates in WGS84 (what povmap stores). Known:
 * WGS84 (EPSG:4326); CGCS2000 (EPSG:4490) and its Gauss–Krüger projections (3° and 6° zones, with or without
 * the zone number in the easting: EPSG:4491–4554), from an EPSG code or a .prj's WKT (proj4 parses it); and
 * GCJ-02, the offset datum of Chinese web maps (高德, 腾讯), which has no EPSG code: named by an option or a
 * 坐标系 column, or marked in a .prj or file name, and converted with gcoord. CGCS2000 and WGS84 differ by a
 * few centimetres (both ITRF-based): taken as equal, as PROJ does.
 */
import proj4 from 'proj4'
import gcoordImport from 'gcoord'
import { IMPORT_CRS_NAMES } from '../../domain/reports/project-import-columns.js'

// gcoord is CommonJS whose types declare an ES default export: under Node's interop the default import is
// module.exports itself (the runtime shape), under a bundler it may be wrapped; both are handled.
type Gcoord = typeof gcoordImport extends { default: infer D } ? D : typeof gcoordImport
const gcoord = ((gcoordImport as { default?: Gcoord }).default ?? gcoordImport) as Gcoord

export interface SourceCrs {
  /** What the report says, e.g. "EPSG:4546 CGCS2000_3_Degree_GK_CM_111E". */
  label: string
  kind: 'wgs84' | 'cgcs2000' | 'gcj02' | 'projected'
  epsg: number | null
  /** One position to WGS84 longitude, latitude. */
  toWgs84: (xy: readonly number[]) => [number, number]
}

export class CrsError extends Error {}

const identity = (xy: readonly number[]): [number, number] => [xy[0]!, xy[1]!]

export const WGS84: SourceCrs = { label: 'EPSG:4326 WGS84', kind: 'wgs84', epsg: 4326, toWgs84: identity }
export const CGCS2000: SourceCrs = { label: 'EPSG:4490 CGCS2000', kind: 'cgcs2000', epsg: 4490, toWgs84: identity }
export const GCJ02: SourceCrs = {
  label: 'GCJ-02（已转换为 WGS84）',
  kind: 'gcj02',
  epsg: null,
  toWgs84: (xy) => gcoord.transform([xy[0]!, xy[1]!] as [number, number], gcoord.GCJ02, gcoord.WGS84) as [number, number],
}

/** The Gauss–Krüger zone of a CGCS2000 EPSG code: central meridian and false easting, or null. */
export function cgcs2000Zone(epsg: number): { cm: number; fe: number; name: string } | null {
  if (epsg >= 4491 && epsg <= 4501) {
    const zone = epsg - 4491 + 13
    return { cm: 6 * zone - 3, fe: zone * 1e6 + 5e5, name: `CGCS2000_GK_Zone_${zone}` }
  }
  if (epsg >= 4502 && epsg <= 4512) return { cm: 75 + 6 * (epsg - 4502), fe: 5e5, name: `CGCS2000_GK_CM_${75 + 6 * (epsg - 4502)}E` }
  if (epsg >= 4513 && epsg <= 4533) {
    const zone = epsg - 4513 + 25
    return { cm: 3 * zone, fe: zone * 1e6 + 5e5, name: `CGCS2000_3_Degree_GK_Zone_${zone}` }
  }
  if (epsg >= 4534 && epsg <= 4554) return { cm: 75 + 3 * (epsg - 4534), fe: 5e5, name: `CGCS2000_3_Degree_GK_CM_${75 + 3 * (epsg - 4534)}E` }
  return null
}

/**
 * The EPSG code of a CGCS2000 Gauss–Krüger projection by its central meridian and false easting, or null. A 3°
 * zone and a 6° zone may share both (CM 111E): the WKT's name says which.
 */
function cgcs2000Epsg(cm: number, fe: number, threeDegree: boolean): number | null {
  const ranges = threeDegree ? [[4513, 4554], [4491, 4512]] : [[4491, 4512], [4513, 4554]]
  for (const [from, to] of ranges) {
    for (let e = from!; e <= to!; e++) {
      const z = cgcs2000Zone(e)!
      if (Math.abs(z.cm - cm) < 1e-9 && Math.abs(z.fe - fe) < 1e-6) return e
    }
  }
  return null
}

const projected = (label: string, epsg: number | null, converter: proj4.Converter): SourceCrs => ({
  label,
  kind: 'projected',
  epsg,
  toWgs84: (xy) => converter.forward([xy[0]!, xy[1]!]) as [number, number],
})

/** A system by EPSG code (4326, 4490, 4491–4554), or null when povmap does not know it. */
export function crsOfEpsg(epsg: number): SourceCrs | null {
  if (epsg === 4326) return WGS84
  if (epsg === 4490) return CGCS2000
  const z = cgcs2000Zone(epsg)
  if (!z) return null
  const def = `+proj=tmerc +lat_0=0 +lon_0=${z.cm} +k=1 +x_0=${z.fe} +y_0=0 +ellps=GRS80 +units=m +no_defs`
  return projected(`EPSG:${epsg} ${z.name}`, epsg, proj4(def, 'EPSG:4326'))
}

/** A system by name as a user writes it (option or 坐标系 cell): wgs84, cgcs2000, gcj02, EPSG:NNNN, 4546… */
export function crsOfName(name: string): SourceCrs | null {
  const n = name.trim().toLowerCase().replace(/\s+/g, '')
  const known = IMPORT_CRS_NAMES[n]
  if (known) return known === 'wgs84' ? WGS84 : known === 'cgcs2000' ? CGCS2000 : GCJ02
  const m = /^(?:epsg:?|urn:ogc:def:crs:epsg:[\d.]*:)?(\d{4,5})$/.exec(n)
  if (m) return crsOfEpsg(Number(m[1]))
  if (n === 'urn:ogc:def:crs:ogc:1.3:crs84' || n === 'crs84') return WGS84
  return null
}

const GCJ_MARK = /gcj[-_ ]?0?2|火星|mars/i

/** The system of a .prj's WKT (and the file's name, where GCJ-02 data is often marked). */
export function crsOfPrj(prj: string | null, fileName = ''): SourceCrs {
  if (GCJ_MARK.test(prj ?? '') || GCJ_MARK.test(fileName)) return GCJ02
  if (!prj || !prj.trim()) return { ...WGS84, label: 'EPSG:4326 WGS84（无 .prj，按 WGS84）' }
  let def: proj4.ProjectionDefinition & { datumCode?: string; name?: string; x0?: number; long0?: number; k0?: number; lat0?: number }
  let converter: proj4.Converter
  try {
    converter = proj4(prj, 'EPSG:4326')
    def = proj4.Proj(prj) as typeof def
  } catch (err) {
    throw new CrsError(`the .prj is not a coordinate system proj4 reads: ${(err as Error).message}`, { cause: err })
  }
  const datum = (def.datumCode ?? '').toLowerCase()
  const name = def.name ?? def.title ?? ''
  if (def.projName === 'longlat') {
    if (datum.includes('china') || /cgcs|china.*2000/i.test(name)) return { ...CGCS2000, label: `EPSG:4490 CGCS2000 (${name || 'GEOGCS'})` }
    if (datum === 'wgs84' || /wgs.?84/i.test(name)) return { ...WGS84, label: `EPSG:4326 WGS84 (${name || 'GEOGCS'})` }
    throw new CrsError(`the .prj names a geographic system povmap does not convert (${name || datum}): use WGS84, CGCS2000 or GCJ-02`)
  }
  const cgcs = datum.includes('china') || /cgcs/i.test(name)
  const tmerc = /gauss|transverse|tmerc/i.test(def.projName ?? '')
  const epsg = cgcs && tmerc && (def.k0 ?? 1) === 1 && (def.lat0 ?? 0) === 0 ? cgcs2000Epsg(((def.long0 ?? 0) * 180) / Math.PI, def.x0 ?? 0, /3_?deg/i.test(name)) : null
  return projected(epsg ? `EPSG:${epsg} ${name}` : name || String(def.projName), epsg, converter)
}

const round7 = (v: number) => Math.round(v * 1e7) / 1e7

/**
 * Every position of a geometry to WGS84, rounded to 1e-7° (about a centimetre): the stored value, so a second
 * import of the same file compares equal. Throws CrsError when a position is not a finite longitude, latitude.
 */
export function geometryToWgs84<G extends GeoJSON.Geometry>(g: G, crs: SourceCrs): G {
  const pos = (p: GeoJSON.Position): GeoJSON.Position => {
    if (p.length < 2 || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) throw new CrsError('a position is not two numbers')
    const [x, y] = crs.toWgs84(p)
    if (!Number.isFinite(x) || !Number.isFinite(y) || Math.abs(x) > 180 || Math.abs(y) > 90) {
      throw new CrsError(crs.kind === 'projected' ? 'the coordinates are not of the .prj’s system' : 'the coordinates are not longitude and latitude: name the coordinate system (e.g. crs=EPSG:4546)')
    }
    return [round7(x), round7(y)]
  }
  const deep = (c: unknown): unknown => (typeof (c as unknown[])[0] === 'number' ? pos(c as GeoJSON.Position) : (c as unknown[]).map(deep))
  switch (g.type) {
    case 'Point':
    case 'LineString':
    case 'Polygon':
    case 'MultiPoint':
    case 'MultiLineString':
    case 'MultiPolygon':
      return { type: g.type, coordinates: deep(g.coordinates) } as G
    default:
      throw new CrsError(`a ${g.type} is not a project geometry (Point, LineString, Polygon or Multi*)`)
  }
}
