/**
 * Households with members from a table: each row checked with the registry's one validation
 * (domain/registry/validation.ts) and against the database (village in the importer's area, location in
 * its village, ID numbers registered elsewhere), then planned by natural key — the head's ID number for
 * the household, each member's ID number — as creations, changes (with field diffs) or nothing to do.
 * Running the plan stages its operations and applies or proposes them as one batch, in one transaction (import-run.ts).
 */
import type { Queryable } from '../db/types.js'
import { validateChanges, type FieldError } from '../../domain/registry/validation.js'
import { HOUSEHOLD_IMPORT_COLUMNS, mapHeaders, type ImportColumn } from '../../domain/reports/import-columns.js'
import { maskIdNumber, maskName, maskPhone } from '../../domain/masking.js'
import type { ParsedTable } from './import-parse.js'
import { householdTable, type TableOrigin } from './import-sheets.js'
import { IMPORT_EXISTING_MEMBERS, IMPORT_LOCATIONS_OUTSIDE, IMPORT_PENDING_CREATES, IMPORT_VILLAGES } from './import-queries.js'

export interface ImportProblem {
  /** A two-sheet workbook: the sheet of the row. */
  sheet?: string
  row: number
  column: string
  value: string
  problem: string
}
export interface FieldDiff {
  field: string
  before: unknown
  after: unknown
}
export interface ImportOp {
  kind: 'household.create' | 'household.update' | 'member.add' | 'member.update'
  /** household ref (all but create) */
  target?: string
  /** the household's version the plan compared with (all but create) */
  baseVersion?: number
  changes: Record<string, unknown>
}
export interface PlannedHousehold {
  /** The head's ID number, masked. */
  key: string
  rows: number[]
  action: 'create' | 'change' | 'unchanged'
  diffs: FieldDiff[]
  ops: ImportOp[]
}
export interface ImportPlan {
  rows: number
  errors: ImportProblem[]
  create: number
  change: number
  unchanged: number
  households: PlannedHousehold[]
  /** Headers that matched no column (ignored). */
  unmapped: string[]
  encoding: string | null
}

export interface PlanOptions {
  /** The importer's area. */
  scope: string
  mapping?: Readonly<Record<string, string>>
  /** 0..1 of the planning. */
  onProgress?: (share: number) => void
  isCancelled?: () => boolean
  today?: Date
}

export class ImportCancelled extends Error {}

type Values = Record<string, string | number | undefined>
const HOUSEHOLD_KEYS = ['villageCode', 'lon', 'lat', 'year', 'attribute', 'identificationStandard', 'mainCause', 'size', 'incomePerCapita', 'phone'] as const
const MEMBER_KEYS = ['name', 'sex', 'idNumber', 'relation', 'ethnicity', 'schooling', 'health', 'labour'] as const
const COMPARED_HOUSEHOLD = ['attribute', 'identificationStandard', 'mainCause', 'phone'] as const
const COMPARED_MEMBER = ['name', 'sex', 'relation', 'ethnicity', 'schooling', 'health', 'labour'] as const

/** The value shown in a report: personal columns masked (the file's own text, but reports travel). */
function shown(col: ImportColumn | undefined, v: string): string {
  if (!col?.personal || v === '') return v
  return col.key === 'name' ? maskName(v) : col.key === 'phone' ? maskPhone(v) : maskIdNumber(v)
}

function convert(col: ImportColumn, text: string): { value?: string | number; problem?: string } {
  if (text === '') return col.required ? { problem: '必填项为空' } : {}
  switch (col.kind) {
    case 'text':
      return { value: text }
    case 'int':
      return /^-?\d{1,9}$/.test(text) ? { value: Number(text) } : { problem: '应为整数' }
    case 'number': {
      const n = Number(text)
      return text !== '' && Number.isFinite(n) ? { value: n } : { problem: '应为数字' }
    }
    case 'enum': {
      const code = col.values![text]
      return code === undefined ? { problem: `取值无效（可填：${[...new Set(Object.keys(col.values!).filter((k) => /\p{Script=Han}/u.test(k)))].join('、')}）` } : { value: code }
    }
    case 'bool':
      return ['是', 'yes', 'true', '1'].includes(text) ? { value: 'true' } : ['否', 'no', 'false', '0'].includes(text) ? { value: 'false' } : { problem: '应为“是”或“否”' }
  }
}

/** The sheet and row a cell of the joined table came from. */
function placeOf(origin: TableOrigin, row: number, column: number): { sheet: string; row: number } {
  return column < origin.householdColumns ? { sheet: origin.households, row: origin.householdRow.get(row) ?? row } : { sheet: origin.members, row }
}

/** Problems in the file's order: the households sheet first, then by row and column. */
function sortProblems(errors: ImportProblem[], origin: TableOrigin | undefined): ImportProblem[] {
  const rank = (p: ImportProblem) => (origin && p.sheet === origin.members ? 1 : 0)
  return errors.sort((a, b) => rank(a) - rank(b) || a.row - b.row || a.column.localeCompare(b.column))
}

export async function planHouseholdImport(db: Queryable, input: ParsedTable, opts: PlanOptions): Promise<ImportPlan> {
  // A two-sheet workbook is joined first; its rows keep the member's row number (the household's through origin).
  const { table, origin, problems: joinProblems } = householdTable(input, opts.mapping)
  const errors: ImportProblem[] = [...joinProblems]
  const mapped = mapHeaders(table.headers, HOUSEHOLD_IMPORT_COLUMNS, opts.mapping)
  const columnOf = new Map<string, { index: number; header: string; col: ImportColumn }>()
  mapped.forEach((col, index) => {
    if (col && !columnOf.has(col.key)) columnOf.set(col.key, { index, header: table.headers[index]!, col })
  })
  const unmapped = table.headers.filter((_h, i) => mapped[i] === null)
  const base = { rows: table.rows.length, unmapped, encoding: table.encoding, households: [] as PlannedHousehold[] }
  const missing = HOUSEHOLD_IMPORT_COLUMNS.filter((c) => c.required && !columnOf.has(c.key))
  if (missing.length) {
    const sheet = (c: ImportColumn) => (origin ? { sheet: c.part === 'member' ? origin.members : origin.households } : {})
    errors.push(...missing.map((c) => ({ ...sheet(c), row: 1, column: c.headers[0]!, value: '', problem: '缺少此列（可在映射步骤中指定）' })))
    return { ...base, errors: sortProblems(errors, origin), create: 0, change: 0, unchanged: 0 }
  }
  const header = (key: string) => columnOf.get(key)?.header ?? key
  const problem = (row: number, key: string, value: string, text: string) => {
    const at = origin ? placeOf(origin, row, columnOf.get(key)?.index ?? origin.householdColumns) : { row }
    errors.push({ ...at, column: header(key), value: shown(columnOf.get(key)?.col, value), problem: text })
  }

  // 1. cells → values, row by row; a row with a bad cell still joins its household (which is then not imported).
  const parsed = table.rows.map(({ row, cells }) => {
    const values: Values = {}
    let bad = false
    for (const [key, { index, col }] of columnOf) {
      const text = cells[index] ?? ''
      const r = convert(col, text)
      if (r.problem) {
        problem(row, key, text, r.problem)
        bad = true
      } else values[key] = r.value
    }
    return { row, cells, values, bad }
  })
  opts.onProgress?.(0.2)

  // 2. households by the head's ID number, in file order.
  const groups = new Map<string, typeof parsed>()
  for (const p of parsed) {
    const key = String(p.values.headIdNumber ?? p.cells[columnOf.get('headIdNumber')!.index] ?? '')
    groups.set(key, [...(groups.get(key) ?? []), p])
  }
  const seenIds = new Map<string, number>()
  const badGroups = new Set<string>()
  for (const [key, rows] of groups) {
    if (rows.some((r) => r.bad)) badGroups.add(key)
    // The household's columns must agree on every row of it.
    for (const r of rows.slice(1)) {
      for (const k of HOUSEHOLD_KEYS) {
        if (r.values[k] !== undefined && rows[0]!.values[k] !== undefined && r.values[k] !== rows[0]!.values[k]) {
          problem(r.row, k, String(r.cells[columnOf.get(k)!.index] ?? ''), '与同户第一行不一致')
          badGroups.add(key)
        }
      }
    }
    for (const r of rows) {
      const id = r.values.idNumber
      if (typeof id !== 'string') continue
      const first = seenIds.get(id)
      if (first !== undefined) {
        problem(r.row, 'idNumber', id, `身份证号重复（与第 ${first} 行相同）`)
        badGroups.add(key)
      } else seenIds.set(id, r.row)
    }
  }

  // 3. the registry's validation, per household.
  const built = new Map<string, { rows: typeof parsed; changes: Record<string, unknown> }>()
  let done = 0
  for (const [key, rows] of groups) {
    if (opts.isCancelled?.()) throw new ImportCancelled('cancelled')
    if (++done % 500 === 0) opts.onProgress?.(0.2 + (0.4 * done) / groups.size)
    if (badGroups.has(key)) continue
    const h = rows[0]!.values
    const changes: Record<string, unknown> = {
      villageCode: h.villageCode,
      location: [h.lon, h.lat],
      year: h.year,
      attribute: h.attribute,
      identificationStandard: h.identificationStandard,
      mainCause: h.mainCause,
      size: h.size,
      incomePerCapita: h.incomePerCapita,
      ...(h.phone !== undefined ? { phone: h.phone } : {}),
      members: rows.map((r) => Object.fromEntries(MEMBER_KEYS.map((k) => [k, r.values[k]]))),
    }
    const failures: FieldError[] = validateChanges('household.create', changes, { today: opts.today })
    for (const f of failures) {
      const m = /^changes\.members(?:\[(\d+)\])?(?:\.(\w+))?/.exec(f.field)
      if (m) {
        const r = rows[m[1] !== undefined ? Number(m[1]) : 0] ?? rows[0]!
        const k = m[2] ?? 'relation'
        problem(r.row, k, String(r.cells[columnOf.get(k)?.index ?? -1] ?? ''), f.message.zh)
      } else {
        const k = f.field.replace(/^changes\./, '').split(/[.[]/)[0]!
        const col = k === 'location' ? 'lon' : columnOf.has(k) ? k : 'headIdNumber'
        problem(rows[0]!.row, col, String(rows[0]!.cells[columnOf.get(col)!.index] ?? ''), f.message.zh)
      }
    }
    if (failures.length) badGroups.add(key)
    else built.set(key, { rows, changes })
  }
  opts.onProgress?.(0.6)

  // 4. what needs the database: the village (in the importer's area), the location in it, ID numbers elsewhere.
  const villages = new Set((await db.query<{ code: string }>(IMPORT_VILLAGES, [[...new Set([...built.values()].map((b) => String(b.changes.villageCode)))]])).rows.map((r) => r.code))
  for (const [key, b] of built) {
    const v = String(b.changes.villageCode)
    if (!villages.has(v) || !v.startsWith(opts.scope)) {
      problem(b.rows[0]!.row, 'villageCode', v, villages.has(v) ? '该村不在您的辖区内' : '没有该村（村代码应为 12 位）')
      built.delete(key)
    }
  }
  const list = [...built.entries()]
  const outside = new Set(
    (
      await db.query<{ i: number }>(IMPORT_LOCATIONS_OUTSIDE, [
        list.map(([, b]) => b.changes.villageCode),
        list.map(([, b]) => (b.changes.location as number[])[0]),
        list.map(([, b]) => (b.changes.location as number[])[1]),
      ])
    ).rows.map((r) => Number(r.i) - 1),
  )
  for (const i of outside) {
    const [key, b] = list[i]!
    problem(b.rows[0]!.row, 'lon', String(b.rows[0]!.cells[columnOf.get('lon')!.index]), '户位置不在所属村界内')
    built.delete(key)
  }
  opts.onProgress?.(0.75)

  type Existing = {
    idNumber: string; householdId: number; ref: string; villageCode: string; version: number; no: number
    name: string; sex: string; relation: string; ethnicity: string; schooling: string; health: string; labour: string
    attribute: string; identificationStandard: string; mainCause: string; phone: string | null; lon: number; lat: number; incomePerCapita: number | null
  }
  const ids = [...built.values()].flatMap((b) => (b.changes.members as { idNumber: string }[]).map((m) => [m.idNumber, Number(b.changes.year)] as const))
  const existing = new Map<string, Existing>()
  for (let i = 0; i < ids.length; i += 20_000) {
    const chunk = ids.slice(i, i + 20_000)
    const found = await db.query<Existing>(IMPORT_EXISTING_MEMBERS, [chunk.map((x) => x[0]), chunk.map((x) => x[1])])
    for (const e of found.rows) existing.set(e.idNumber, e)
  }

  const pending = new Set((await db.query<{ id: string }>(IMPORT_PENDING_CREATES, [[...built.keys()]])).rows.map((r) => r.id))

  // 5. the plan: by the head's ID number, a household to create or to compare field by field.
  const households: PlannedHousehold[] = []
  for (const [key, b] of built) {
    const rows = b.rows
    const members = b.changes.members as Record<string, unknown>[]
    const head = existing.get(key)
    const masked = maskIdNumber(key)
    let failed = false
    members.forEach((m, i) => {
      const e = existing.get(String(m.idNumber))
      if (e && (!head || e.householdId !== head.householdId)) {
        problem(rows[i]!.row, 'idNumber', String(m.idNumber), '身份证号已在扶贫对象库中登记（属于另一户）')
        failed = true
      }
    })
    if (head && !head.villageCode.startsWith(opts.scope)) {
      problem(rows[0]!.row, 'headIdNumber', key, '该户已在其他辖区登记')
      failed = true
    }
    if (failed) continue
    if (!head && pending.has(key)) {
      // Sent before and still under review: the same file twice proposes nothing new.
      households.push({ key: masked, rows: rows.map((r) => r.row), action: 'unchanged', diffs: [], ops: [] })
      continue
    }
    if (!head) {
      households.push({ key: masked, rows: rows.map((r) => r.row), action: 'create', diffs: [], ops: [{ kind: 'household.create', changes: b.changes }] })
      continue
    }
    const diffs: FieldDiff[] = []
    const update: Record<string, unknown> = {}
    for (const k of COMPARED_HOUSEHOLD) {
      const after = b.changes[k] ?? null
      if (after !== (head[k] ?? null)) {
        diffs.push({ field: k, before: k === 'phone' && head.phone ? maskPhone(head.phone) : head[k], after: k === 'phone' && after ? maskPhone(String(after)) : after })
        update[k] = after
      }
    }
    const [lon, lat] = b.changes.location as [number, number]
    if (Math.abs(lon - head.lon) > 5e-7 || Math.abs(lat - head.lat) > 5e-7) {
      diffs.push({ field: 'location', before: [head.lon, head.lat], after: [lon, lat] })
      update.location = [lon, lat]
    }
    if (b.changes.villageCode !== head.villageCode) diffs.push({ field: 'villageCode', before: head.villageCode, after: b.changes.villageCode })
    if (head.incomePerCapita !== null && b.changes.incomePerCapita !== head.incomePerCapita) {
      diffs.push({ field: `year.${String(b.changes.year)}.incomePerCapita`, before: head.incomePerCapita, after: b.changes.incomePerCapita })
      update.incomePerCapita = b.changes.incomePerCapita
    }
    const ops: ImportOp[] = []
    for (const m of members) {
      const e = existing.get(String(m.idNumber))
      if (!e) {
        diffs.push({ field: 'members', before: null, after: maskIdNumber(String(m.idNumber)) })
        ops.push({ kind: 'member.add', target: head.ref, baseVersion: head.version, changes: { member: m } })
        continue
      }
      const patch: Record<string, unknown> = {}
      for (const k of COMPARED_MEMBER) {
        if (m[k] !== e[k]) {
          patch[k] = m[k]
          diffs.push({ field: `members[${maskIdNumber(e.idNumber)}].${k}`, before: k === 'name' ? maskName(e.name) : e[k], after: k === 'name' ? maskName(String(m[k])) : m[k] })
        }
      }
      if (Object.keys(patch).length) ops.push({ kind: 'member.update', target: head.ref, baseVersion: head.version, changes: { memberNo: e.no, ...patch } })
    }
    if (Object.keys(update).length) ops.unshift({ kind: 'household.update', target: head.ref, baseVersion: head.version, changes: { ...update, ...(update.incomePerCapita !== undefined ? { year: b.changes.year } : {}) } })
    // Moving a household to another village is a change of its own (not an import's): reported, not done.
    if (b.changes.villageCode !== head.villageCode) {
      problem(rows[0]!.row, 'villageCode', String(b.changes.villageCode), `该户已登记在 ${head.villageCode}，迁移请单独申请`)
      continue
    }
    households.push({ key: masked, rows: rows.map((r) => r.row), action: ops.length ? 'change' : 'unchanged', diffs, ops })
  }
  opts.onProgress?.(1)
  sortProblems(errors, origin)
  const count = (a: PlannedHousehold['action']) => households.filter((h) => h.action === a).length
  return { ...base, errors, households, create: count('create'), change: count('change'), unchanged: count('unchanged') }
}

/** The same changes with names, ID numbers and phones masked (what the request role reads back). */
export function maskChanges(changes: Record<string, unknown>): Record<string, unknown> {
  const maskMember = (m: Record<string, unknown>) => ({
    ...m,
    ...(typeof m.name === 'string' ? { name: maskName(m.name) } : {}),
    ...(typeof m.idNumber === 'string' ? { idNumber: maskIdNumber(m.idNumber) } : {}),
  })
  const out: Record<string, unknown> = maskMember(changes)
  if (typeof changes.phone === 'string') out.phone = maskPhone(changes.phone)
  if (Array.isArray(changes.members)) out.members = (changes.members as Record<string, unknown>[]).map(maskMember)
  if (changes.member && typeof changes.member === 'object') out.member = maskMember(changes.member as Record<string, unknown>)
  return out
}
