/**
 * Rolling facts up to the rows of a report: one row per child area, each the sum of the facts below it,
 * plus an "own level" row for facts that belong to the area itself and to none of its children (a
 * county-wide project); the total is the sum of the rows. Integer facts, so the sums are exact.
 */
import type { ReportTableDef } from './tables.js'

/** One summed fact: a leaf code (a village, or a county for county-wide projects), a fact key, its values. */
export interface Fact {
  code: string
  key: string
  values: Readonly<Record<string, number>>
}

export interface AreaRef {
  code: string
  name: string
}

export type ReportRow = { code: string; name: string; own?: boolean } & Record<string, number | string | boolean | undefined>

export interface RolledUp {
  rows: ReportRow[]
  total: Record<string, number>
}

/** Suffix of the row that holds an area's own facts (本级). */
export const OWN_LEVEL_SUFFIX = '本级'

/**
 * The rows of `def` for `area`: its children in code order (zeros where nothing is recorded), then the
 * area's own row when some fact lies under the area but under none of the children. A village has no
 * children: its one row is itself.
 */
export function rollUp(def: ReportTableDef, facts: readonly Fact[], area: AreaRef, children: readonly AreaRef[]): RolledUp {
  const sorted = [...children].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
  const zero = () => Object.fromEntries(def.columns.map((c) => [c.key, 0])) as Record<string, number>
  const sums = new Map<string, Record<string, number>>(sorted.map((c) => [c.code, zero()]))
  let own: Record<string, number> | null = null
  // Columns by fact key, so each fact is visited once.
  const byFact = new Map<string, { key: string; value: string }[]>()
  for (const c of def.columns) byFact.set(c.fact, [...(byFact.get(c.fact) ?? []), { key: c.key, value: c.value }])
  const childLength = sorted[0]?.code.length
  for (const f of facts) {
    if (!f.code.startsWith(area.code)) continue
    const cols = byFact.get(f.key)
    if (!cols) continue
    let target = childLength !== undefined && f.code.length >= childLength ? sums.get(f.code.slice(0, childLength)) : undefined
    if (!target) target = own ??= zero()
    for (const c of cols) target[c.key]! += f.values[c.value] ?? 0
  }
  const rows: ReportRow[] = sorted.map((c) => ({ code: c.code, name: c.name, ...sums.get(c.code)! }))
  if (!sorted.length) own ??= zero()
  if (own) rows.push({ code: area.code, name: sorted.length ? `${area.name}${OWN_LEVEL_SUFFIX}` : area.name, own: true, ...own })
  const total = zero()
  for (const r of rows) for (const c of def.columns) total[c.key]! += r[c.key] as number
  return { rows, total }
}
