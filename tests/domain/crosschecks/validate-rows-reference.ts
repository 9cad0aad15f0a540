/**
 * The row-by-row check as first written (before it was tuned for a million rows): the reference the tuned
 * domain/crosschecks/validate-rows.ts must agree with, report and records alike (validate-rows.test.ts).
 */
import { ADMIN_CODE } from '../../../domain/admin-codes.js'
import { maskIdNumber, maskName } from '../../../domain/masking.js'
import { idNumberProblem } from '../../../domain/registry/validation.js'
import { REGISTRIES, type RegistryColumn, type RegistryKind } from '../../../domain/crosschecks/registries.js'
import { normaliseDate, type ExternalRecord, type RowError, type ValidatedFile } from '../../../domain/crosschecks/validate-rows.js'

/** Stops listing after this many errors: a wrong file is refused anyway, and the report stays readable. */
const MAX_REPORTED_ERRORS = 500

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

/**
 * Checks a parsed file (header row and data rows of strings) against the registry's layout. Cells are
 * trimmed; an empty line is skipped. `today` bounds the birth dates of ID numbers.
 */
export function referenceValidateRows(kind: RegistryKind, header: readonly string[], rows: readonly (readonly string[])[], today: Date = new Date()): ValidatedFile {
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

  const records: ExternalRecord[] = []
  const seen = new Map<string, number>()
  rows.forEach((cells, i) => {
    const row = i + 2
    if (cells.every((c) => c.trim() === '')) return
    const fields: Record<string, string | number | null> = {}
    let idNumber = ''
    let name = ''
    let areaCode: string | null = null
    let ok = true
    for (const c of def.columns) {
      const j = at.get(c.header)
      const raw = j === undefined ? '' : (cells[j] ?? '').trim()
      const fail = (problem: string) => {
        ok = false
        add({ row, column: c.header, value: shown(c, raw), problem })
      }
      if (raw === '') {
        if (c.required) fail(PROBLEMS.required)
        else fields[c.key] = null
        continue
      }
      if (raw.length > 200) {
        fail(PROBLEMS.tooLong)
        continue
      }
      switch (c.type) {
        case 'idNumber': {
          const problem = idNumberProblem(raw, today)
          if (problem) fail(PROBLEMS[`id${problem}`])
          else idNumber = raw
          break
        }
        case 'name':
          name = raw
          break
        case 'enum':
          if (!c.values!.includes(raw)) fail(PROBLEMS.enum(c.values!))
          else fields[c.key] = raw
          break
        case 'date': {
          const d = normaliseDate(raw)
          if (!d) fail(PROBLEMS.date)
          else fields[c.key] = d
          break
        }
        case 'number': {
          const n = Number(raw.replace(/,/g, ''))
          if (!/^-?[\d,]+(\.\d+)?$/.test(raw) || !Number.isFinite(n)) fail(PROBLEMS.number)
          else fields[c.key] = n
          break
        }
        case 'areaCode':
          if (!ADMIN_CODE.test(raw)) fail(PROBLEMS.areaCode)
          else areaCode = raw
          break
        case 'text':
          fields[c.key] = raw
          break
      }
    }
    if (!ok) return
    const key = def.unique.map((k) => (k === 'idNumber' ? idNumber : String(fields[k]))).join('\u0000')
    const first = seen.get(key)
    if (first !== undefined) {
      const c = def.columns.find((x) => x.key === def.unique[0])!
      add({ row, column: c.header, value: shown(c, c.key === 'idNumber' ? idNumber : String(fields[c.key])), problem: PROBLEMS.duplicate(first) })
      return
    }
    seen.set(key, row)
    records.push({ row, idNumber, name, areaCode, fields })
  })
  if (records.length === 0 && errors.length === 0) add({ row: 2, column: '', value: '', problem: PROBLEMS.empty })
  return { records: errors.length > 0 ? [] : records, errors }
}
