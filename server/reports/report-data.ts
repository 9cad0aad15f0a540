/**
 * Builds statistical tables: the facts of an area come from the database in one statement per source
 * (inside the caller's view), the rows are rolled up from them in code (domain/reports/rollup.ts).
 */
import type { Queryable } from '../db/types.js'
import type { AdminLevel } from '../../domain/admin-codes.js'
import { rollUp, type Fact } from '../../domain/reports/rollup.js'
import { REPORT_TABLES, type FactSource, type ReportTableDef } from '../../domain/reports/tables.js'
import type { Report } from '../../domain/reports/schemas.js'
import { CHANGE_FACTS, HOUSEHOLD_FACTS, MEASURE_FACTS, PROJECT_FACTS, REPORT_AREA, REPORT_CHILDREN } from './report-queries.js'

export interface ReportArea {
  code: string
  name: string
  level: AdminLevel
  ruralPopulation: number | null
}

/** What every table of an area and year is built from. */
export interface ReportContext {
  area: ReportArea
  children: ReportArea[]
  year: number
  facts: Partial<Record<FactSource, Fact[]>>
}

type FactRow = { code: string; key: string } & Record<string, number | string>

const VALUE_NAMES: Record<FactSource, readonly string[]> = {
  households: ['households', 'people'],
  projects: ['projects', 'budget', 'spent'],
  measures: ['measures', 'households'],
  changes: ['households'],
}

const FACT_SQL: Record<FactSource, string> = { households: HOUSEHOLD_FACTS, projects: PROJECT_FACTS, measures: MEASURE_FACTS, changes: CHANGE_FACTS }

const toFacts = (source: FactSource, rows: FactRow[]): Fact[] =>
  rows.map((r) => ({ code: r.code, key: r.key, values: Object.fromEntries(VALUE_NAMES[source].map((v) => [v, Number(r[v] ?? 0)])) }))

/** The area, its children and the facts of the sources asked for; null when the area is not visible. */
export async function loadReportContext(tx: Queryable, code: string, year: number, sources: readonly FactSource[]): Promise<ReportContext | null> {
  const area = (await tx.query<ReportArea>(REPORT_AREA, [code])).rows[0]
  if (!area) return null
  const children = (await tx.query<ReportArea>(REPORT_CHILDREN, [code])).rows
  const facts: ReportContext['facts'] = {}
  for (const source of new Set(sources)) {
    facts[source] = toFacts(source, (await tx.query<FactRow>(FACT_SQL[source], [code, year])).rows)
  }
  return { area, children, year, facts }
}

/** One table of a context, in the contract's JSON shape. */
export function buildReport(def: ReportTableDef, ctx: ReportContext): Report {
  const { rows, total } = rollUp(def, ctx.facts[def.source] ?? [], ctx.area, ctx.children)
  return {
    id: def.id,
    title: def.title.zh,
    titleEn: def.title.en,
    area: { code: ctx.area.code, name: ctx.area.name, level: ctx.area.level },
    year: ctx.year,
    columns: def.columns.map((c) => ({ key: c.key, title: c.title.zh, titleEn: c.title.en, unit: c.unit.zh })),
    rows,
    total,
    ...(def.note ? { note: def.note.zh } : {}),
  }
}

/** Every table (or the ones given) of an area and year, reading each source once. */
export async function buildReports(tx: Queryable, code: string, year: number, defs: readonly ReportTableDef[] = REPORT_TABLES): Promise<Report[] | null> {
  const ctx = await loadReportContext(tx, code, year, defs.map((d) => d.source))
  return ctx && defs.map((d) => buildReport(d, ctx))
}
