import { LAST_YEAR } from '../../../domain/codes.js'
import { AdminLookup } from '../admin-lookup.js'
import type { Facilities } from '../facilities.js'
import type { HouseholdSummary } from '../households/index.js'
import { yearIndex, type Environment } from '../indicators.js'
import type { Rng } from '../rng.js'
import type { RoadNetwork } from '../roads/index.js'
import type { AdminAreaRow, ProjectRow, Scale } from '../types.js'
import { spentFor } from './stages.js'

export interface ProjectInput {
  areas: readonly AdminAreaRow[]
  env: Environment
  roads: RoadNetwork
  facilities: Facilities
  summary: HouseholdSummary
  povertyVillages: ReadonlySet<string>
  scale: Scale
}

export type NewProject = Omit<ProjectRow, 'id' | 'spent_yuan' | 'budget_yuan'> & { budget: number }

/** What every kind of project reads, and `add`, which appends a row (ids in order of addition). */
export interface ProjectContext {
  input: ProjectInput
  lookup: AdminLookup
  demo: boolean
  /** Designated poverty counties. */
  povertyCounties: string[]
  countyOf(code: string): string
  householdsIn(village: string, year?: number): number
  villagesUnder(code: string): string[]
  add(p: NewProject, r: Rng): void
}

export function projectContext(input: ProjectInput, rows: ProjectRow[]): ProjectContext {
  const { summary } = input
  const lookup = new AdminLookup(input.areas)
  const demo = input.scale === 'demo'
  const countyOf = (code: string) => lookup.countyOf(code)?.row.code ?? code.slice(0, 6)
  const householdsIn = (village: string, year = LAST_YEAR) => summary.villages.get(village)?.registered[yearIndex(year)] ?? 0
  const villagesUnder = (code: string): string[] => {
    const a = lookup.get(code)
    if (!a) return []
    if (a.row.level === 'village') return [code]
    return a.children.flatMap((c) => villagesUnder(c.row.code))
  }
  const add = (p: NewProject, r: Rng) => {
    const budget = Math.round(p.budget / 100) * 100
    const { budget: _b, ...rest } = p
    rows.push({ id: rows.length + 1, ...rest, budget_yuan: budget, spent_yuan: spentFor(p.stage, budget, r) })
  }
  const povertyCounties = lookup.counties.filter((c) => c.row.poverty_designated).map((c) => c.row.code)
  return { input, lookup, demo, povertyCounties, countyOf, householdsIn, villagesUnder, add }
}
