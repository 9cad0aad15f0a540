/**
 * The what-if of a project on multidimensional poverty, by the identification capability's
 * Alkire–Foster measure (domain/identification/alkire-foster.ts): households grouped by village and
 * AF deprivation mask (bits of indicator_def.af_bit), some of whose deprivations the project removes,
 * give H, A and M0 before and after per village, per county and for the whole area.
 */
import { whatIfRemoved, type AfHousehold, type AfIndicator } from '../identification/alkire-foster.js'

export interface AfMeasure {
  /** AF indicators with their mask bit and weight (the default identification scenario's). */
  indicators: { code: string; bit: number; weight: number }[]
  k: number
}

export interface WhatIfGroup {
  /** Village code. */
  village: string
  /** AF deprivation mask. */
  mask: number
  people: number
  /** Mask bits the project removes for these households (0: unaffected). */
  removes: number
}

export interface AfFigures {
  population: number
  poorPopulation: number
  H: number
  A: number
  M0: number
}

export interface WhatIfRow {
  code: string
  before: AfFigures
  after: AfFigures
  dH: number
  dA: number
  dM0: number
}

/** Which AF indicators a facility's coverage removes (the water works: every drinking-water indicator). */
export const REMOVES_BY_FACILITY: Readonly<Record<string, readonly string[]>> = {
  water: ['af_water_quantity', 'af_water_quality', 'af_water_convenience', 'af_water_reliability'],
  school: ['af_schooling'],
  clinic: ['af_chronic_care'],
}

export function removalMask(measure: AfMeasure, facility: string): number {
  const codes = REMOVES_BY_FACILITY[facility] ?? []
  return measure.indicators.filter((i) => codes.includes(i.code)).reduce((m, i) => m | (1 << i.bit), 0)
}

const figures = (a: { population: number; poorPopulation: number; H: number; A: number; M0: number }): AfFigures => ({
  population: a.population,
  poorPopulation: a.poorPopulation,
  H: a.H,
  A: a.A,
  M0: a.M0,
})

function rowOf(measure: AfMeasure, code: string, groups: readonly WhatIfGroup[]): WhatIfRow {
  const indicators: AfIndicator[] = measure.indicators.map((i) => ({ code: i.code, dimension: i.code, weight: i.weight }))
  const households: AfHousehold[] = groups.map((g) => ({
    people: g.people,
    deprived: Object.fromEntries(measure.indicators.map((i) => [i.code, (g.mask & (1 << i.bit)) !== 0])),
  }))
  const r = whatIfRemoved(indicators, measure.k, households, (_h, idx) => {
    const rm = groups[idx]!.removes & groups[idx]!.mask
    return measure.indicators.filter((i) => (rm & (1 << i.bit)) !== 0).map((i) => i.code)
  })
  return { code, before: figures(r.before), after: figures(r.after), dH: r.dH, dA: r.dA, dM0: r.dM0 }
}

/**
 * Before and after for every village some group of which the project affects, for every county
 * holding one, and for all groups together (the area). Villages are sorted by ΔM0 (largest fall first).
 */
export function whatIf(measure: AfMeasure, groups: readonly WhatIfGroup[]): { villages: WhatIfRow[]; counties: WhatIfRow[]; total: WhatIfRow } {
  const byVillage = new Map<string, WhatIfGroup[]>()
  for (const g of groups) {
    const list = byVillage.get(g.village)
    if (list) list.push(g)
    else byVillage.set(g.village, [g])
  }
  const affected = [...byVillage.entries()].filter(([, gs]) => gs.some((g) => (g.removes & g.mask) !== 0))
  const villages = affected.map(([code, gs]) => rowOf(measure, code, gs)).sort((a, b) => a.dM0 - b.dM0 || (a.code < b.code ? -1 : 1))
  const countyCodes = [...new Set(affected.map(([code]) => code.slice(0, 6)))].sort()
  const counties = countyCodes.map((c) => rowOf(measure, c, groups.filter((g) => g.village.startsWith(c))))
  return { villages, counties, total: rowOf(measure, '', groups) }
}
