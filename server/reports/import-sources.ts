/**
 * Records of a project import, whatever the file: a table (CSV/XLSX, one row per project with 经度/纬度), a
 * GeoJSON FeatureCollection, or a zipped Shapefile (.shp, .dbf, .prj, .cpg). Each record is the text of its
 * attribute cells by header and its geometry still in the file's coordinate system, with that system.
 */
import JSZip from 'jszip'
import shp from 'shpjs'
import { CrsError, crsOfName, crsOfPrj, WGS84, type SourceCrs } from './import-crs.js'
import { decodeText, ImportFileError, IMPORT_MAX_ROWS, parseTable } from './import-parse.js'

export interface SourceRecord {
  /** Row of the table (header is row 1), or feature number (1-based) of a GIS file. */
  row: number
  /** Cell text by the file's header / attribute name. */
  cells: Record<string, string>
  geometry: GeoJSON.Geometry | null
  /** The geometry's system (a table's row may name its own in a 坐标系 column: resolved later). */
  crs: SourceCrs
}

export interface ProjectSource {
  format: 'csv' | 'xlsx' | 'geojson' | 'shp'
  headers: string[]
  records: SourceRecord[]
  encoding: string | null
  /** The system the file declares (.prj, GeoJSON crs) or the option chose; tables: per row where a column says. */
  crs: SourceCrs
  /** Whether the system came from the file itself (a table's comes from the option or the default). */
  declared: boolean
}

const isZip = (b: Buffer) => b.length > 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04

const cellText = (v: unknown): string => (v === null || v === undefined ? '' : v instanceof Date ? v.toISOString().slice(0, 10) : String(v).trim())

function fromFeatures(features: readonly GeoJSON.Feature[], crs: SourceCrs, format: 'geojson' | 'shp', encoding: string | null, declared: boolean): ProjectSource {
  if (features.length > IMPORT_MAX_ROWS) throw new ImportFileError(`more than ${IMPORT_MAX_ROWS} features: split the file`)
  const headers: string[] = []
  const seen = new Set<string>()
  const records = features.map((f, i) => {
    const cells: Record<string, string> = {}
    for (const [k, v] of Object.entries(f.properties ?? {})) {
      if (!seen.has(k)) {
        seen.add(k)
        headers.push(k)
      }
      cells[k] = cellText(v)
    }
    return { row: i + 1, cells, geometry: f.geometry ?? null, crs }
  })
  return { format, headers, records, encoding, crs, declared }
}

/** A GeoJSON text: RFC 7946 (WGS84), or the 2008 `crs` member naming an EPSG system or GCJ-02. */
function readGeoJson(text: string, option: SourceCrs | null): ProjectSource {
  let gj: { type?: string; features?: GeoJSON.Feature[]; crs?: { properties?: { name?: string } } }
  try {
    gj = JSON.parse(text) as typeof gj
  } catch {
    throw new ImportFileError('the file is not valid JSON')
  }
  const features = gj.type === 'FeatureCollection' && Array.isArray(gj.features) ? gj.features : gj.type === 'Feature' ? [gj as unknown as GeoJSON.Feature] : null
  if (!features) throw new ImportFileError('a GeoJSON import is a FeatureCollection (or one Feature)')
  const named = gj.crs?.properties?.name
  let crs = option ?? WGS84
  if (named) {
    const c = crsOfName(named)
    if (!c) throw new ImportFileError(`the GeoJSON names a coordinate system povmap does not convert: ${named}`)
    crs = c
  }
  return fromFeatures(features, crs, 'geojson', 'utf-8', Boolean(named))
}

/**
 * A zipped Shapefile (one layer). The DBF's text is read in its .cpg's encoding; without one, as UTF-8 when
 * it decodes as such, else GB18030 (what Chinese ArcGIS writes without a .cpg).
 */
async function readShapefile(zip: JSZip, shpName: string, option: SourceCrs | null): Promise<ProjectSource> {
  const base = shpName.slice(0, -4)
  const part = (ext: string) => zip.file(new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.${ext}$`, 'i'))[0]
  const shpBytes = await part('shp')!.async('nodebuffer')
  const dbfFile = part('dbf')
  const prj = part('prj') ? await part('prj')!.async('string') : null
  let cpg = part('cpg') ? (await part('cpg')!.async('string')).trim() : null
  let crs: SourceCrs
  try {
    crs = prj || !option ? crsOfPrj(prj, shpName) : option
  } catch (err) {
    if (err instanceof CrsError) throw new ImportFileError(err.message)
    throw err
  }
  let features: GeoJSON.Feature[]
  try {
    const dbf = dbfFile ? await dbfFile.async('nodebuffer') : undefined
    if (dbf && !cpg) {
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(dbf)
        cpg = 'utf-8'
      } catch {
        cpg = 'gb18030'
      }
    }
    // '936' is ArcGIS's name of GBK; TextDecoder knows gbk and gb18030 by name.
    const encoding = cpg && /^(?:cp|ansi\s*)?936$/i.test(cpg) ? 'gbk' : (cpg ?? undefined)
    // No .prj given to shpjs: the coordinates stay in the file's system, converted (and reported) here.
    const fc = (await shp({ shp: shpBytes, ...(dbf ? { dbf, cpg: encoding } : {}) })) as GeoJSON.FeatureCollection
    features = fc.features
  } catch (err) {
    throw new ImportFileError(`the Shapefile cannot be read: ${(err as Error).message}`)
  }
  return fromFeatures(features, crs, 'shp', cpg, Boolean(prj))
}

/** The records of a project import file; `crsOption` is the request's `crs` (null: auto). */
export async function readProjectSource(body: Buffer, crsOption: string | null): Promise<ProjectSource> {
  let option: SourceCrs | null = null
  if (crsOption && crsOption !== 'auto') {
    option = crsOfName(crsOption)
    if (!option) throw new ImportFileError(`unknown coordinate system ${crsOption}: use wgs84, cgcs2000, gcj02 or EPSG:4491–4554`)
  }
  if (isZip(body)) {
    const zip = await JSZip.loadAsync(body).catch(() => null)
    const shps = zip ? zip.file(/\.shp$/i).filter((f) => !f.name.includes('__MACOSX')) : []
    if (zip && shps.length > 1) throw new ImportFileError('the zip holds more than one Shapefile: one layer per import')
    if (zip && shps.length === 1) return readShapefile(zip, shps[0]!.name, option)
  }
  const head = body.subarray(0, 64).toString('utf8').replace(/^\uFEFF/, '').trimStart()
  if (head.startsWith('{')) return readGeoJson(decodeText(body).text, option)
  const table = await parseTable(body)
  const records = table.rows.map(({ row, cells }) => ({ row, cells: Object.fromEntries(table.headers.map((h, i) => [h, cells[i] ?? ''])), geometry: null, crs: option ?? WGS84 }))
  return { format: table.format, headers: table.headers, records, encoding: table.encoding, crs: option ?? WGS84, declared: false }
}
