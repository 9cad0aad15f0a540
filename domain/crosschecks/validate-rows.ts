/**
 * Row-by-row checking of a registry file against its department's column layout (registries.ts): the
 * headers, then every cell (ID numbers by GB 11643, enumerations, dates, numbers, codes) and duplicate
 * rows. A file with any error is refused whole; the report says which row, which column, which value and
 * what is wrong. ID numbers in the report are masked (the report goes back to the importer's screen and
 * may be kept).
 */
import { ADMIN_CODE } from '../admin-codes.js'
import { maskIdNumber, maskName } from '../masking.js'
import { idNumberProblem } from '../registry/validation.js'
import { REGISTRIES, type RegistryColumn, type RegistryKind } from './registries.js'

export interface RowError {
  /** 1-based line of the file: 1 is the header row, data starts at 2. */
  row: number
  column: string
  value: string
  problem: string
}

export interface ExternalRecord {
  /** The file's line of this record (2 for the first data row). */
  row: number
  idNumber: string
  name: string
  /** The record's own 行政区划代码, where its layout has one. */
  areaCode: string | null
  /** Every other column by key, typed (numbers as numbers, dates as YYYY-MM-DD). */
  fields: Record<string, string | number | null>
}

export interface ValidatedFile {
  records: ExternalRecord[]
  errors: RowError[]
}

/** Stops listing after this many errors: a wrong file is refused anyway, and the report stays readable. */
export const MAX_REPORTED_ERRORS = 500

const PROBLEMS = {
  missingColumn: '缺少列 missing column',
  unknownColumn: '多余或未知的列 unknown column',
  duplicateColumn: '列重复 duplicate column',
  required: '必填 required',
  idformat: '身份证号格式错误 not an 18-character ID number',
  idchecksum: '身份证号校验码错误（GB 11643） wrong check digit (GB 11643)',
  idbirthDate: '身份证号中的出生日期不存在 no such birth date',
  idfuture: '身份证号中的出生日期在将来 birth date in the future',
  enum: (values: readonly string[]) => `应为 must be one of: ${values.join('、')}`,
  date: '日期格式应为 YYYY-MM-DD date must be YYYY-MM-DD',
  number: '应为数字 must be a number',
  areaCode: '行政区划代码应为2/4/6/9/12位 not an administrative code',
  duplicate: (row: number) => `与第 ${row} 行重复 duplicate of row ${row}`,
  empty: '文件没有数据行 the file has no data rows',
  tooLong: '超过200个字符 longer than 200 characters',
} as const

const shown = (c: RegistryColumn, v: string) => (c.type === 'idNumber' ? maskIdNumber(v) : c.type === 'name' ? maskName(v) : v.slice(0, 60))

const uniqueValue = (c: RegistryColumn, idNumber: string, fields: Record<string, string | number | null>) => (c.key === 'idNumber' ? idNumber : String(fields[c.key]))

/** A date cell as YYYY-MM-DD (also from YYYY/MM/DD, YYYY.MM.DD, YYYYMMDD), or null when it is none. */
export function normaliseDate(v: string): string | null {
  const m = /^(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?$/.exec(v) ?? /^(\d{4})-(\d{2})-(\d{2})T/.exec(v)
  if (!m) return null
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const t = new Date(Date.UTC(y, mo - 1, d))
  if (y < 1900 || y > 2100 || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) return null
  return `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`
}

/**
 * Checks a parsed file (header row and data rows of strings) against the registry's layout. Cells are
 * trimmed; an empty line is skipped. `today` bounds the birth dates of ID numbers.
 */
export function validateRows(kind: RegistryKind, header: readonly string[], rows: readonly (readonly string[])[], today: Date = new Date()): ValidatedFile {
  const def = REGISTRIES[kind]
  const errors: RowError[] = []
  const add = (e: RowError) => {
    if (errors.length < MAX_REPORTED_ERRORS) errors.push(e)
  }
  const heads = header.map((h) => h.replace(/^\uFEFF/, '').trim())
  const at = new Map<string, number>()
  heads.forEach((h, i) => {
    if (h === '') return
    if (at.has(h)) add({ row: 1, column: h, value: h, problem: PROBLEMS.duplicateColumn })
    else at.set(h, i)
    if (!def.columns.some((c) => c.header === h)) add({ row: 1, column: h, value: h, problem: PROBLEMS.unknownColumn })
  })
  for (const c of def.columns) if (!at.has(c.header) && c.required) add({ row: 1, column: c.header, value: '', problem: PROBLEMS.missingColumn })
  if (errors.length > 0) return { records: [], errors }

  // Per file, not per row: each column's cell index and allowed values, so that the loop over a million
  // rows allocates only what it keeps (no closures or lists per row).
  const cols = def.columns.map((c) => ({ c, j: at.get(c.header), allowed: c.values ? new Set(c.values) : null }))
  const uniqueCols = def.unique.map((k) => def.columns.find((x) => x.key === k)!)
  const firstUnique = uniqueCols[0]!
  const records: ExternalRecord[] = []
  const seen = new Map<string, number>()
  for (let i = 0; i < rows.length; i++) {
    const cells = rows[i]!
    const row = i + 2
    let blank = true
    for (let k = 0; k < cells.length && blank; k++) if (cells[k]!.trim() !== '') blank = false
    if (blank) continue
    const fields: Record<string, string | number | null> = {}
    let idNumber = ''
    let name = ''
    let areaCode: string | null = null
    let ok = true
    for (const { c, j, allowed } of cols) {
      const raw = j === undefined ? '' : (cells[j] ?? '').trim()
      let problem: string | null = null
      if (raw === '') {
        if (c.required) problem = PROBLEMS.required
        else fields[c.key] = null
      } else if (raw.length > 200) {
        problem = PROBLEMS.tooLong
      } else {
        switch (c.type) {
          case 'idNumber': {
            const p = idNumberProblem(raw, today)
            if (p) problem = PROBLEMS[`id${p}`]
            else idNumber = raw
            break
          }
          case 'name':
            name = raw
            break
          case 'enum':
            if (!allowed!.has(raw)) problem = PROBLEMS.enum(c.values!)
            else fields[c.key] = raw
            break
          case 'date': {
            const d = normaliseDate(raw)
            if (!d) problem = PROBLEMS.date
            else fields[c.key] = d
            break
          }
          case 'number': {
            const n = Number(raw.replace(/,/g, ''))
            if (!/^-?[\d,]+(\.\d+)?$/.test(raw) || !Number.isFinite(n)) problem = PROBLEMS.number
            else fields[c.key] = n
            break
          }
          case 'areaCode':
            if (!ADMIN_CODE.test(raw)) problem = PROBLEMS.areaCode
            else areaCode = raw
            break
          case 'text':
            fields[c.key] = raw
            break
        }
      }
      if (problem !== null) {
        ok = false
        add({ row, column: c.header, value: shown(c, raw), problem })
      }
    }
    if (!ok) continue
    const key = uniqueCols.length === 1 ? uniqueValue(firstUnique, idNumber, fields) : uniqueCols.map((c) => uniqueValue(c, idNumber, fields)).join('\u0000')
    const first = seen.get(key)
    if (first !== undefined) {
      add({ row, column: firstUnique.header, value: shown(firstUnique, uniqueValue(firstUnique, idNumber, fields)), problem: PROBLEMS.duplicate(first) })
      continue
    }
    seen.set(key, row)
    // After the first error the file is refused: only the duplicate check needs the rows that follow.
    if (errors.length === 0) records.push({ row, idNumber, name, areaCode, fields })
  }
  if (records.length === 0 && errors.length === 0) add({ row: 2, column: '', value: '', problem: PROBLEMS.empty })
  return { records: errors.length > 0 ? [] : records, errors }
}
