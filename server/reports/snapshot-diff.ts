import type { Report } from '../../domain/reports/schemas.js'

export interface ReportChange {
  code: string
  name: string
  column: string
  frozen: number
  current: number
}

/** The cells of a frozen report whose live figure differs (rows matched by code; the total row as code ''). */
export function diffReports(frozen: Report, current: Report): ReportChange[] {
  const out: ReportChange[] = []
  const live = new Map(current.rows.map((r) => [r.code + (r.own ? '+' : ''), r]))
  const rows = [...frozen.rows.map((r) => ({ key: r.code + (r.own ? '+' : ''), row: r as Record<string, unknown> })), { key: '', row: { code: '', name: '合计', ...frozen.total } as Record<string, unknown> }]
  const liveTotal = { code: '', name: '合计', ...current.total } as Record<string, unknown>
  for (const { key, row } of rows) {
    const now = key === '' ? liveTotal : (live.get(key) as Record<string, unknown> | undefined)
    for (const c of frozen.columns) {
      const a = Number(row[c.key] ?? 0)
      const b = Number(now?.[c.key] ?? 0)
      if (a !== b) out.push({ code: String(row.code), name: String(row.name), column: c.key, frozen: a, current: b })
    }
  }
  return out
}
