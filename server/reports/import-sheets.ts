/**
 * Households with members from a two-sheet workbook: households on one sheet (户信息 / households), members
 * on another (家庭成员 / members), joined by a household key column on both (户编号), or else by the head's ID
 * number when both sheets have it. The join gives the one-sheet table the plan reads (a row per member, the
 * household's cells repeated); each row remembers the rows it came from, so that the report names the sheet
 * and the row a problem sits on.
 */
import { HOUSEHOLD_IMPORT_COLUMNS, HOUSEHOLD_KEY_COLUMN, HOUSEHOLD_SHEET_NAMES, mapHeaders, normaliseHeader, type ImportColumn } from '../../domain/reports/import-columns.js'
import { maskIdNumber } from '../../domain/masking.js'
import type { ParsedTable, SheetTable } from './import-parse.js'

export interface SheetProblem {
  sheet: string
  row: number
  column: string
  value: string
  problem: string
}

/** Where the joined table's cells came from: its first householdColumns columns from the households sheet. */
export interface TableOrigin {
  households: string
  members: string
  householdColumns: number
  /** joined row (the member's row on its sheet) → the household's row on its sheet */
  householdRow: Map<number, number>
}

const nameOf = (s: string) => s.replace(/\s/g, '').toLowerCase()
function sheetPart(name: string): 'households' | 'members' | null {
  const n = nameOf(name)
  if ((HOUSEHOLD_SHEET_NAMES.members as readonly string[]).includes(n) || n.includes('成员') || n.includes('member')) return 'members'
  if ((HOUSEHOLD_SHEET_NAMES.households as readonly string[]).includes(n) || n.includes('household')) return 'households'
  return null
}

function columnIndex(headers: readonly string[], col: ImportColumn, mapping: Readonly<Record<string, string>>): number {
  const names = new Set(col.headers.map(normaliseHeader))
  return headers.findIndex((h) => mapping[h] === col.key || (mapping[h] === undefined && names.has(normaliseHeader(h))))
}

/**
 * The table a household import plans from: the file's own (CSV, one sheet), or the join of a workbook's
 * households and members sheets, with the problems of the join (unknown or repeated keys, households
 * without members).
 */
export function householdTable(table: ParsedTable, mapping: Readonly<Record<string, string>> = {}): { table: ParsedTable; origin?: TableOrigin; problems: SheetProblem[] } {
  const parts = (table.sheets ?? []).map((s) => ({ s, part: sheetPart(s.name) }))
  const hs = parts.filter((p) => p.part === 'households')
  const ms = parts.filter((p) => p.part === 'members')
  if (hs.length !== 1 || ms.length !== 1) return { table, problems: [] }
  const H: SheetTable = hs[0]!.s
  const M: SheetTable = ms[0]!.s
  const head = HOUSEHOLD_IMPORT_COLUMNS.find((c) => c.key === 'headIdNumber')!
  let keyCol = HOUSEHOLD_KEY_COLUMN
  let hKey = columnIndex(H.headers, keyCol, mapping)
  let mKey = columnIndex(M.headers, keyCol, mapping)
  if (hKey < 0 || mKey < 0) {
    keyCol = head
    hKey = columnIndex(H.headers, head, mapping)
    mKey = columnIndex(M.headers, head, mapping)
  }
  const problems: SheetProblem[] = []
  const shown = (v: string) => (keyCol === head && v !== '' ? maskIdNumber(v) : v)
  if (hKey < 0 || mKey < 0) {
    const sheet = hKey < 0 ? H.name : M.name
    problems.push({ sheet, row: 1, column: HOUSEHOLD_KEY_COLUMN.headers[0]!, value: '', problem: `两个工作表都应有“${HOUSEHOLD_KEY_COLUMN.headers[0]}”列（或“${head.headers[0]}”列）以对应户与成员` })
    return { table: { ...table, headers: H.headers, rows: [] }, problems }
  }
  // The households sheet's columns (its key only when it is the head's ID number), then the members sheet's
  // own: neither its key nor a household column repeated there.
  const hCols = H.headers.map((_h, i) => i).filter((i) => i !== hKey || keyCol === head)
  const mMapped = mapHeaders(M.headers, HOUSEHOLD_IMPORT_COLUMNS, mapping)
  const mCols = M.headers.map((_h, i) => i).filter((i) => i !== mKey && mMapped[i]?.part !== 'household')
  const byKey = new Map<string, SheetTable['rows'][number]>()
  for (const r of H.rows) {
    const key = r.cells[hKey] ?? ''
    const first = byKey.get(key)
    if (key === '') problems.push({ sheet: H.name, row: r.row, column: H.headers[hKey]!, value: '', problem: '户编号为空' })
    else if (first) problems.push({ sheet: H.name, row: r.row, column: H.headers[hKey]!, value: shown(key), problem: `户编号重复（与第 ${first.row} 行相同）` })
    else byKey.set(key, r)
  }
  const withMembers = new Set<string>()
  const householdRow = new Map<number, number>()
  const rows: ParsedTable['rows'] = []
  for (const r of M.rows) {
    const key = r.cells[mKey] ?? ''
    const h = byKey.get(key)
    if (!h) {
      problems.push({ sheet: M.name, row: r.row, column: M.headers[mKey]!, value: shown(key), problem: key === '' ? '户编号为空' : `“${H.name}”表中没有此户` })
      continue
    }
    withMembers.add(key)
    householdRow.set(r.row, h.row)
    rows.push({ row: r.row, cells: [...hCols.map((i) => h.cells[i] ?? ''), ...mCols.map((i) => r.cells[i] ?? '')] })
  }
  for (const [key, h] of byKey) {
    if (!withMembers.has(key)) problems.push({ sheet: H.name, row: h.row, column: H.headers[hKey]!, value: shown(key), problem: `“${M.name}”表中没有该户的成员` })
  }
  return {
    table: { ...table, headers: [...hCols.map((i) => H.headers[i]!), ...mCols.map((i) => M.headers[i]!)], rows },
    origin: { households: H.name, members: M.name, householdColumns: hCols.length, householdRow },
    problems,
  }
}
