/**
 * Indicator values per village and year from a table (issue 19): one value per row (村代码 or 村名称, 指标 as
 * code or Chinese name, 年度, 数值), or wide, one column per indicator (headed by its code or Chinese name,
 * units in brackets ignored). Checked against the indicator system (village-level indicators only, not the
 * ones the platform computes; a value in the range its unit declares) and the importer's area, then planned
 * by (village, indicator, year) as creations, changes or nothing to do.
 */
import type { Queryable } from '../db/types.js'
import { mapHeaders, normaliseHeader, type ImportColumn } from '../../domain/reports/import-columns.js'
import { COMPUTED_INDICATORS, INDICATOR_IMPORT_COLUMNS, indicatorYearRange, unitRange } from '../../domain/reports/project-import-columns.js'
import type { ImportProblem } from './import-households.js'
import { parseTable } from './import-parse.js'
import { INDICATOR_DEFS, INDICATOR_EXISTING, INDICATOR_VILLAGES } from './import-other-queries.js'
import { convertCell, type OtherPlan, type OtherPlanOptions, type PlannedItem } from './import-projects.js'

export interface IndicatorWrite {
  villageCode: string
  indicatorCode: string
  year: number
  value: number
}

interface Def {
  code: string
  nameZh: string
  unit: string
  level: string
}

export async function planIndicatorImport(db: Queryable, body: Buffer, opts: OtherPlanOptions): Promise<OtherPlan<IndicatorWrite>> {
  const table = await parseTable(body)
  const defs = (await db.query<Def>(INDICATOR_DEFS)).rows
  const defByText = new Map<string, Def>()
  for (const d of defs) defByText.set(normaliseHeader(d.nameZh), d)
  for (const d of defs) defByText.set(normaliseHeader(d.code), d)
  const errors: ImportProblem[] = []
  const mapped = mapHeaders(table.headers, INDICATOR_IMPORT_COLUMNS, opts.mapping)
  const columnOf = new Map<string, { index: number; header: string; col: ImportColumn }>()
  mapped.forEach((col, index) => {
    if (col && !columnOf.has(col.key)) columnOf.set(col.key, { index, header: table.headers[index]!, col })
  })
  // Wide: no 指标/数值 columns; every other header naming an indicator is one.
  const wide = !columnOf.has('indicator') && !columnOf.has('value')
  const wideColumns = wide ? table.headers.flatMap((h, index) => (mapped[index] === null && defByText.has(normaliseHeader(h)) ? [{ index, header: h, def: defByText.get(normaliseHeader(h))! }] : [])) : []
  const unmapped = table.headers.filter((_h, i) => mapped[i] === null && !wideColumns.some((w) => w.index === i))
  const base = { rows: table.rows.length, unmapped, encoding: table.encoding, crs: null, converted: 0 }
  const head = (key: string) => INDICATOR_IMPORT_COLUMNS.find((c) => c.key === key)!.headers[0]!
  const missing = [
    ...(!columnOf.has('villageCode') && !columnOf.has('villageName') ? [head('villageCode')] : []),
    ...(!columnOf.has('year') ? [head('year')] : []),
    ...(wide ? (wideColumns.length ? [] : ['指标列（表头为指标名称或代码）']) : ['indicator', 'value'].filter((k) => !columnOf.has(k)).map(head)),
  ]
  if (missing.length) return { ...base, errors: missing.map((m) => ({ row: 1, column: m, value: '', problem: '缺少此列（可在映射步骤中指定）' })), create: 0, change: 0, unchanged: 0, items: [], writes: [] }
  const problem = (row: number, column: string, value: string, text: string) => errors.push({ row, column, value, problem: text })
  const [minYear, maxYear] = indicatorYearRange(opts.today)

  // 1. cells; a row holds one value (long) or one per indicator column (wide).
  interface Cell {
    row: number
    village: { code?: string; name?: string }
    year: number
    def: Def
    value: number
    column: string
  }
  const cells: Cell[] = []
  for (const { row, cells: texts } of table.rows) {
    const v: Record<string, string | number | undefined> = {}
    let bad = false
    for (const [key, { index, header, col }] of columnOf) {
      const required = key === 'indicator' || key === 'value' ? !wide : col.required
      const r = convertCell({ ...col, required }, texts[index] ?? '')
      if (r.problem) {
        problem(row, header, texts[index] ?? '', r.problem)
        bad = true
      } else v[key] = r.value
    }
    if (v.villageCode === undefined && v.villageName === undefined) {
      problem(row, columnOf.get('villageCode')?.header ?? columnOf.get('villageName')!.header, '', '必填项为空（村代码或村名称）')
      bad = true
    }
    if (typeof v.year === 'number' && (v.year < minYear || v.year > maxYear)) {
      problem(row, columnOf.get('year')!.header, String(v.year), `年度应在 ${minYear}–${maxYear} 之间`)
      bad = true
    }
    if (bad) continue
    const village = { code: v.villageCode as string | undefined, name: v.villageName as string | undefined }
    const pairs: { def: Def | undefined; text: string; column: string; valueText: string }[] = wide
      ? wideColumns.map((w) => ({ def: w.def, text: w.header, column: w.header, valueText: texts[w.index] ?? '' })).filter((p) => p.valueText !== '')
      : [{ def: defByText.get(normaliseHeader(String(v.indicator))), text: String(v.indicator), column: columnOf.get('indicator')!.header, valueText: String(v.value) }]
    for (const p of pairs) {
      const valueColumn = wide ? p.column : columnOf.get('value')!.header
      if (!p.def) {
        problem(row, p.column, p.text, '没有该指标（应为指标体系中的代码或中文名称）')
        continue
      }
      if (p.def.level !== 'village') {
        problem(row, p.column, p.text, '户级指标由扶贫对象库计算，不能导入')
        continue
      }
      if (COMPUTED_INDICATORS.includes(p.def.code)) {
        problem(row, p.column, p.text, '该指标由平台计算（可达性），不能导入')
        continue
      }
      const n = Number(p.valueText.replace(/,/g, ''))
      if (p.valueText === '' || !Number.isFinite(n)) {
        problem(row, valueColumn, p.valueText, '应为数字')
        continue
      }
      const range = unitRange(p.def.unit)
      if (range && (n < range.min || n > range.max || (range.integer && !Number.isInteger(n)))) {
        problem(row, valueColumn, p.valueText, range.integer ? `应为 ${range.min} 或 ${range.max}（${p.def.nameZh}）` : range.max === Number.MAX_VALUE ? `不能为负数（${p.def.nameZh}）` : `应在 ${range.min}–${range.max} 之间（${p.def.nameZh}，单位 ${p.def.unit}）`)
        continue
      }
      cells.push({ row, village, year: v.year as number, def: p.def, value: n, column: valueColumn })
    }
  }

  // 2. villages by code or (unique) name, in the importer's area.
  const villages = (
    await db.query<{ code: string; name: string }>(INDICATOR_VILLAGES, [
      [...new Set(cells.flatMap((c) => (c.village.code ? [c.village.code] : [])))],
      [...new Set(cells.flatMap((c) => (c.village.name && !c.village.code ? [c.village.name] : [])))],
    ])
  ).rows
  const byCode = new Map(villages.map((v) => [v.code, v]))
  const villageColumn = columnOf.get('villageCode')?.header ?? columnOf.get('villageName')!.header
  const resolved: (Cell & { villageCode: string })[] = []
  const reported = new Set<string>()
  for (const c of cells) {
    const once = (text: string) => {
      const k = `${c.row}|${text}`
      if (!reported.has(k)) problem(c.row, villageColumn, c.village.code ?? c.village.name ?? '', text)
      reported.add(k)
    }
    let code = c.village.code
    if (code) {
      if (!byCode.has(code)) {
        once('没有该村（村代码应为 12 位）')
        continue
      }
      if (c.village.name && byCode.get(code)!.name !== c.village.name) {
        once(`村代码与村名称不一致（${code} 为${byCode.get(code)!.name}）`)
        continue
      }
    } else {
      const named = villages.filter((v) => v.name === c.village.name && (opts.anywhere || v.code.startsWith(opts.scope)))
      if (named.length !== 1) {
        once(named.length ? '村名称不唯一：请填村代码' : '您的辖区内没有该村名称')
        continue
      }
      code = named[0]!.code
    }
    if (!opts.anywhere && !code.startsWith(opts.scope)) {
      once('该村不在您的辖区内')
      continue
    }
    resolved.push({ ...c, villageCode: code })
  }

  // 3. the plan by (village, indicator, year).
  const first = new Map<string, number>()
  const unique: typeof resolved = []
  for (const c of resolved) {
    const key = `${c.villageCode}/${c.def.code}/${c.year}`
    const at = first.get(key)
    if (at !== undefined) problem(c.row, c.column, String(c.value), `与第 ${at} 行重复（同一村、指标和年度）`)
    else {
      first.set(key, c.row)
      unique.push(c)
    }
  }
  const existing = new Map(
    (await db.query<{ villageCode: string; indicator: string; year: number; value: number }>(INDICATOR_EXISTING, [unique.map((c) => c.villageCode), unique.map((c) => c.def.code), unique.map((c) => c.year)])).rows.map((r) => [
      `${r.villageCode}/${r.indicator}/${r.year}`,
      r.value,
    ]),
  )
  // A row with any problem writes nothing of it (its other values neither): the file is corrected and sent again.
  const badRows = new Set(errors.map((e) => e.row))
  const items: PlannedItem[] = []
  const writes: IndicatorWrite[] = []
  for (const c of unique) {
    if (badRows.has(c.row)) continue
    const key = `${c.villageCode}/${c.def.code}/${c.year}`
    const before = existing.get(key)
    const action = before === undefined ? 'create' : before === c.value ? 'unchanged' : 'change'
    items.push({ key, rows: [c.row], action, diffs: action === 'unchanged' ? [] : [{ field: 'value', before: before ?? null, after: c.value }] })
    if (action !== 'unchanged') writes.push({ villageCode: c.villageCode, indicatorCode: c.def.code, year: c.year, value: c.value })
  }
  errors.sort((a, b) => a.row - b.row || a.column.localeCompare(b.column))
  const count = (a: PlannedItem['action']) => items.filter((h) => h.action === a).length
  return { ...base, errors, items, create: count('create'), change: count('change'), unchanged: count('unchanged'), writes }
}
