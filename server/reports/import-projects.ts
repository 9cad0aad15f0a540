/**
 * Projects from a table, a GeoJSON or a zipped Shapefile (issue 19): each record's cells checked (type and
 * stage enumerations, year range, budgets, code), its geometry converted to WGS84 from the file's system and
 * checked against the database (valid, inside the importer's area, in its village), then planned by project
 * code as creations, changes (with field diffs) or nothing to do. The run is one call of the owner-rights
 * function of migration 0024, in the importer's transaction.
 */
import type { Queryable } from '../db/types.js'
import { mapHeaders, type ImportColumn } from '../../domain/reports/import-columns.js'
import { PROJECT_IMPORT_COLUMNS, projectYearRange } from '../../domain/reports/project-import-columns.js'
import type { FieldDiff, ImportProblem } from './import-households.js'
import { CrsError, crsOfName, geometryToWgs84, type SourceCrs } from './import-crs.js'
import { readProjectSource } from './import-sources.js'
import { APPLIED_BATCH, PROJECT_CHECKS, PROJECT_IMPORT } from './import-other-queries.js'
import { appendAudit, type AuditEntry } from '../audit/audit-log.js'

export interface PlannedItem {
  /** The natural key: a project code, or village/indicator/year. */
  key: string
  rows: number[]
  action: 'create' | 'change' | 'unchanged'
  diffs: FieldDiff[]
  /** The geometry was in GCJ-02 and was converted to WGS84. */
  converted?: boolean
}

export interface OtherPlan<W> {
  rows: number
  errors: ImportProblem[]
  create: number
  change: number
  unchanged: number
  items: PlannedItem[]
  unmapped: string[]
  encoding: string | null
  /** The coordinate system detected or chosen (projects), e.g. "EPSG:4546 CGCS2000_3_Degree_GK_CM_111E". */
  crs: string | null
  /** Records whose coordinates were GCJ-02 and are now WGS84. */
  converted: number
  /** What the run writes: creations and changes only. */
  writes: W[]
}

export interface ProjectWrite {
  code: string
  name: string
  type: string
  stage: string
  year: number
  budget: number
  spent: number
  countyCode: string
  villageCode: string | null
  households: number
  villages: number
  geometry: GeoJSON.Geometry
}

export interface OtherPlanOptions {
  /** The importer's area, and whether their role may place projects anywhere (the province administrator). */
  scope: string
  anywhere: boolean
  mapping?: Readonly<Record<string, string>>
  /** Request option: wgs84, cgcs2000, gcj02, EPSG:NNNN or auto (null). */
  crs?: string | null
  today?: Date
}

/** A cell's text as a value of its column, or the problem (the household import's rules). */
export function convertCell(col: ImportColumn, text: string): { value?: string | number; problem?: string } {
  if (text === '') return col.required ? { problem: '必填项为空' } : {}
  switch (col.kind) {
    case 'text':
      return { value: text }
    case 'int':
      return /^-?\d{1,9}$/.test(text) ? { value: Number(text) } : { problem: '应为整数' }
    case 'number': {
      const n = Number(text.replace(/,/g, ''))
      return Number.isFinite(n) ? { value: n } : { problem: '应为数字' }
    }
    case 'enum': {
      const code = col.values![text]
      return code === undefined ? { problem: `取值无效（可填：${[...new Set(Object.keys(col.values!).filter((k) => /\p{Script=Han}/u.test(k)))].join('、')}）` } : { value: code }
    }
    case 'bool':
      return ['是', 'yes', 'true', '1'].includes(text) ? { value: 'true' } : ['否', 'no', 'false', '0'].includes(text) ? { value: 'false' } : { problem: '应为“是”或“否”' }
  }
}

/** Rings closed with 4 positions, lines of 2: what PostGIS needs to read a geometry at all. */
function shapeProblem(g: GeoJSON.Geometry): string | null {
  const ring = (r: GeoJSON.Position[]) => r.length >= 4 && r[0]![0] === r.at(-1)![0] && r[0]![1] === r.at(-1)![1]
  switch (g.type) {
    case 'Point':
      return null
    case 'MultiPoint':
      return g.coordinates.length ? null : '几何为空'
    case 'LineString':
      return g.coordinates.length >= 2 ? null : '线至少需要 2 个点'
    case 'MultiLineString':
      return g.coordinates.length && g.coordinates.every((l) => l.length >= 2) ? null : '线至少需要 2 个点'
    case 'Polygon':
      return g.coordinates.length && g.coordinates.every(ring) ? null : '面的环应闭合且至少 4 个点'
    case 'MultiPolygon':
      return g.coordinates.length && g.coordinates.every((p) => p.length && p.every(ring)) ? null : '面的环应闭合且至少 4 个点'
    default:
      return `不支持的几何类型 ${g.type}`
  }
}

const COMPARED = ['name', 'type', 'stage', 'year', 'budget', 'spent', 'countyCode', 'villageCode', 'households', 'villages'] as const
const REQUIRED = ['code', 'name', 'type', 'stage', 'year', 'budget', 'spent'] as const
const CODE = /^[0-9A-Za-z][0-9A-Za-z_./-]{0,39}$/

const geometryText = (g: GeoJSON.Geometry) => (g.type === 'Point' ? g.coordinates.join(', ') : `${g.type}（${JSON.stringify('coordinates' in g ? g.coordinates : []).split('],[').length} 个点）`)

export async function planProjectImport(db: Queryable, body: Buffer, opts: OtherPlanOptions): Promise<OtherPlan<ProjectWrite>> {
  const source = await readProjectSource(body, opts.crs ?? null)
  const isTable = source.format === 'csv' || source.format === 'xlsx'
  const errors: ImportProblem[] = []
  const mapped = mapHeaders(source.headers, PROJECT_IMPORT_COLUMNS, opts.mapping)
  const columnOf = new Map<string, { header: string; col: ImportColumn }>()
  mapped.forEach((col, i) => {
    if (col && !columnOf.has(col.key)) columnOf.set(col.key, { header: source.headers[i]!, col })
  })
  const unmapped = source.headers.filter((_h, i) => mapped[i] === null)
  const base = { rows: source.records.length, unmapped, encoding: source.encoding, crs: isTable && !opts.crs ? null : source.crs.label }
  const geometryColumn = isTable ? (columnOf.get('lon')?.header ?? '经度') : '几何'
  const missing = [...REQUIRED, ...(isTable ? (['lon', 'lat'] as const) : [])].filter((k) => !columnOf.has(k))
  if (missing.length) {
    const header = (k: string) => PROJECT_IMPORT_COLUMNS.find((c) => c.key === k)!.headers[0]!
    return { ...base, errors: missing.map((k) => ({ row: 1, column: header(k), value: '', problem: '缺少此列（可在映射步骤中指定）' })), create: 0, change: 0, unchanged: 0, items: [], converted: 0, writes: [] }
  }
  const header = (key: string) => columnOf.get(key)?.header ?? key
  const problem = (row: number, key: string, value: string, text: string) => errors.push({ row, column: key === 'geometry' ? geometryColumn : header(key), value, problem: text })
  const [minYear, maxYear] = projectYearRange(opts.today)

  // 1. cells, coordinates and the checks that need no database.
  interface Candidate {
    row: number
    write: ProjectWrite
    converted: boolean
    given: { county: string | null }
  }
  const candidates: Candidate[] = []
  const firstRow = new Map<string, number>()
  const systems = new Set<string>()
  for (const rec of source.records) {
    const v: Record<string, string | number | undefined> = {}
    const text = (key: string) => rec.cells[columnOf.get(key)?.header ?? ''] ?? ''
    let bad = false
    for (const [key, { header: h, col }] of columnOf) {
      const r = convertCell(col, rec.cells[h] ?? '')
      if (r.problem) {
        problem(rec.row, key, rec.cells[h] ?? '', r.problem)
        bad = true
      } else v[key] = r.value
    }
    const check = (ok: boolean, key: string, message: string) => {
      if (!ok) {
        problem(rec.row, key, key === 'geometry' ? (isTable ? `${text('lon')}, ${text('lat')}` : '') : text(key), message)
        bad = true
      }
    }
    if (typeof v.code === 'string') {
      check(CODE.test(v.code), 'code', '项目编号只能含字母、数字和 _ . / -，至多 40 个字符')
      const first = firstRow.get(v.code)
      if (first !== undefined) check(false, 'code', `项目编号重复（与第 ${first} 行相同）`)
      else firstRow.set(v.code, rec.row)
    }
    if (typeof v.name === 'string') check(v.name.length <= 200, 'name', '项目名称过长（至多 200 字）')
    if (typeof v.year === 'number') check(v.year >= minYear && v.year <= maxYear, 'year', `年度应在 ${minYear}–${maxYear} 之间`)
    if (typeof v.budget === 'number') check(v.budget >= 0, 'budget', '总投资不能为负数')
    if (typeof v.spent === 'number') {
      check(v.spent >= 0, 'spent', '已完成投资不能为负数')
      if (typeof v.budget === 'number' && v.budget >= 0) check(v.spent <= v.budget, 'spent', '已完成投资超过总投资')
    }
    for (const k of ['households', 'villages'] as const) if (typeof v[k] === 'number') check((v[k] as number) >= 0, k, '不能为负数')
    if (typeof v.villageCode === 'string') check(/^\d{12}$/.test(v.villageCode), 'villageCode', '村代码应为 12 位数字')
    if (typeof v.countyCode === 'string') {
      check(/^\d{6}$/.test(v.countyCode), 'countyCode', '县代码应为 6 位数字')
      if (typeof v.villageCode === 'string') check(v.villageCode.startsWith(v.countyCode), 'villageCode', '村代码不属于所填的县')
    }
    // The coordinate system: a 坐标系 cell of a table row, else the file's.
    let crs: SourceCrs = rec.crs
    if (typeof v.crs === 'string') {
      const c = crsOfName(v.crs)
      if (!c) check(false, 'crs', '未知坐标系（可填：WGS84、CGCS2000、GCJ-02 或 EPSG 代码）')
      else crs = c
    }
    let geometry: GeoJSON.Geometry | null = rec.geometry
    if (isTable) geometry = typeof v.lon === 'number' && typeof v.lat === 'number' ? { type: 'Point', coordinates: [v.lon, v.lat] } : null
    else if (!geometry) check(false, 'geometry', '缺少几何')
    if (geometry) {
      const shape = shapeProblem(geometry)
      if (shape) check(false, 'geometry', shape)
      else {
        try {
          geometry = geometryToWgs84(geometry, crs)
        } catch (err) {
          if (!(err instanceof CrsError)) throw err
          check(false, 'geometry', isTable ? '坐标不是经纬度：请指定坐标系（如 EPSG:4546）' : `坐标无法转换：${err.message}`)
        }
      }
    }
    if (bad || !geometry) continue
    systems.add(crs.label)
    candidates.push({
      row: rec.row,
      converted: crs.kind === 'gcj02',
      given: { county: (v.countyCode as string | undefined) ?? null },
      write: {
        code: v.code as string,
        name: v.name as string,
        type: v.type as string,
        stage: v.stage as string,
        year: v.year as number,
        budget: v.budget as number,
        spent: v.spent as number,
        countyCode: (v.countyCode as string | undefined) ?? (v.villageCode as string | undefined)?.slice(0, 6) ?? '',
        villageCode: (v.villageCode as string | undefined) ?? null,
        households: (v.households as number | undefined) ?? 0,
        villages: (v.villages as number | undefined) ?? 0,
        geometry,
      },
    })
  }

  // 2. against the database: geometry valid, where it lies, the village holding it, the importer's area, the project by code.
  type Check = {
    i: number; valid: boolean; countyAt: string | null; villageExists: boolean; inVillage: boolean | null; countyExists: boolean; inScope: boolean
    id: number | null; name: string; type: string; stage: string; year: number; budget: number; spent: number; countyCode: string; villageCode: string | null
    households: number; villages: number; sameGeometry: boolean | null; oldType: string | null; oldPoints: number | null
  }
  const checks = candidates.length
    ? (
        await db.query<Check>(PROJECT_CHECKS, [
          candidates.map((c) => c.write.code),
          candidates.map((c) => JSON.stringify(c.write.geometry)),
          candidates.map((c) => c.write.villageCode ?? ''),
          candidates.map((c) => c.given.county ?? ''),
          opts.anywhere ? null : opts.scope,
        ])
      ).rows
    : []
  const items: PlannedItem[] = []
  const writes: ProjectWrite[] = []
  for (const k of checks) {
    const c = candidates[k.i - 1]!
    const w = c.write
    const before = errors.length
    const fail = (key: string, value: string, message: string) => problem(c.row, key, value, message)
    const at = geometryText(w.geometry)
    if (!k.valid) fail('geometry', at, '几何无效（自相交或退化）')
    else {
      if (!k.inScope) fail('geometry', at, '项目位置不在您的辖区内')
      if (w.villageCode) {
        if (!k.villageExists) fail('villageCode', w.villageCode, '没有该村')
        else if (!w.villageCode.startsWith(opts.scope) && !opts.anywhere) fail('villageCode', w.villageCode, '该村不在您的辖区内')
        else if (!k.inVillage) fail('geometry', at, `项目位置不在 ${w.villageCode} 村界内`)
      }
      if (c.given.county && !k.countyExists) fail('countyCode', c.given.county, '没有该县')
      if (!w.countyCode) {
        if (k.countyAt) w.countyCode = k.countyAt
        else fail('geometry', at, '项目位置不在任何县内')
      }
      if (errors.length === before && w.countyCode && !opts.anywhere && !w.countyCode.startsWith(opts.scope.slice(0, 6))) fail(c.given.county ? 'countyCode' : 'geometry', w.countyCode, '该县不在您的辖区内')
    }
    if (k.id !== null && !opts.anywhere && !k.countyCode.startsWith(opts.scope)) fail('code', w.code, '该项目编号已在其他辖区登记')
    if (errors.length > before) continue
    if (k.id === null) {
      items.push({ key: w.code, rows: [c.row], action: 'create', diffs: [], ...(c.converted ? { converted: true } : {}) })
      writes.push(w)
      continue
    }
    const diffs: FieldDiff[] = []
    for (const f of COMPARED) if ((k[f] ?? null) !== (w[f] ?? null)) diffs.push({ field: f, before: k[f] ?? null, after: w[f] ?? null })
    if (!k.sameGeometry) diffs.push({ field: 'geometry', before: `${k.oldType}（${k.oldPoints} 个点）`, after: at })
    items.push({ key: w.code, rows: [c.row], action: diffs.length ? 'change' : 'unchanged', diffs, ...(c.converted ? { converted: true } : {}) })
    if (diffs.length) writes.push(w)
  }
  errors.sort((a, b) => a.row - b.row || a.column.localeCompare(b.column))
  const count = (a: PlannedItem['action']) => items.filter((h) => h.action === a).length
  const crs = isTable ? (systems.size ? [...systems].join('；') : base.crs) : source.crs.label
  return { ...base, crs, errors, items, create: count('create'), change: count('change'), unchanged: count('unchanged'), converted: candidates.filter((c) => c.converted).length, writes }
}

export interface OtherRunOptions {
  kind: 'projects' | 'indicators'
  area: string
  audit: Omit<AuditEntry, 'action' | 'outcome'>
}

/**
 * Runs a project or indicator plan in the importer's transaction: the owner-rights function writes (it checks
 * role and area again), a batch records the counts, the audit log the run. Nothing to write: only the audit.
 */
export async function runOtherPlan<W>(tx: Queryable, plan: OtherPlan<W>, query: string, opts: OtherRunOptions): Promise<{ batch: number | null; written: number }> {
  const detail = { kind: opts.kind, mode: 'applied', rows: plan.rows, create: plan.create, change: plan.change, unchanged: plan.unchanged, ...(plan.crs ? { crs: plan.crs, converted: plan.converted } : {}) }
  if (plan.writes.length === 0) {
    await appendAudit(tx, { ...opts.audit, action: 'import.run', outcome: 'ok', area: opts.area, detail })
    return { batch: null, written: 0 }
  }
  const written = Number((await tx.query<{ n: number }>(query, [JSON.stringify(plan.writes)])).rows[0]!.n)
  const batch = (await tx.query<{ id: number }>(APPLIED_BATCH, [opts.kind, opts.area, plan.rows, plan.create, plan.change, plan.unchanged])).rows[0]!.id
  await appendAudit(tx, { ...opts.audit, action: 'import.run', outcome: 'ok', area: opts.area, target: `import_batch:${batch}`, detail: { ...detail, written } })
  return { batch, written }
}

export { PROJECT_IMPORT }
