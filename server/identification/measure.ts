/**
 * The AF measure of an area from its deprivation patterns (identification_profile rows), with the
 * pure functions of domain/identification: exactly the figures the per-household results give, for
 * any weights and k, because every household of a pattern has the same score.
 */
import type { AfIndicator, AfSums } from '../../domain/identification/alkire-foster.js'
import { addHousehold, aggregateFromSums, emptySums, isAfPoor, normaliseWeights } from '../../domain/identification/alkire-foster.js'
import type { AfIndicatorDef, Mpi } from '../../domain/identification/schemas.js'
import type { Queryable } from '../db/types.js'
import { AF_INDICATORS, DEFAULT_SCENARIO } from './identification-queries.js'

export interface ProfileRow {
  mask: number
  poorOfficial: boolean
  households: number
  people: number
}

export interface Measure {
  defs: AfIndicatorDef[]
  indicators: AfIndicator[]
  weights: Record<string, number>
  k: number
}

export const weightsOf = (defs: readonly AfIndicatorDef[], raw: Record<string, number>): AfIndicator[] =>
  defs.map((d) => ({ code: d.code, dimension: d.dimension, weight: Math.max(0, raw[d.code] ?? 0) }))

/** The AF indicators and the default weights and k, as the caller reads them. */
export async function defaultMeasure(tx: Queryable): Promise<Measure & { rawWeights: Record<string, number>; updatedAt: string; updatedBy: string | null }> {
  const defs = (await tx.query<AfIndicatorDef>(AF_INDICATORS)).rows
  const s = (await tx.query<{ k: number; weights: Record<string, number>; updatedAt: Date; updatedBy: string | null }>(DEFAULT_SCENARIO)).rows[0]
  const rawWeights = s?.weights ?? {}
  const indicators = weightsOf(defs, rawWeights)
  return { defs, indicators, weights: normaliseWeights(indicators), k: s?.k ?? 1 / 3, rawWeights, updatedAt: (s?.updatedAt ?? new Date(0)).toISOString(), updatedBy: s?.updatedBy ?? null }
}

/** Sums of an area's patterns; households counted alongside people. */
export function sumProfile(m: Measure, bits: readonly { code: string; afBit: number }[], rows: readonly ProfileRow[]) {
  const sums: AfSums = emptySums(m.indicators)
  let households = 0
  let poorHouseholds = 0
  for (const r of rows) {
    let score = 0
    const deprived: string[] = []
    for (const b of bits) {
      if ((r.mask & (1 << b.afBit)) === 0) continue
      deprived.push(b.code)
      score += m.weights[b.code] ?? 0
    }
    const poor = isAfPoor(score, m.k)
    addHousehold(sums, r.people, { score, poor, poorOfficial: r.poorOfficial, deprived })
    households += r.households
    if (poor) poorHouseholds += r.households
  }
  return { sums, households, poorHouseholds }
}

export function mpiOf(m: Measure, head: { code: string; name: string; year: number; scenario: number | null }, rows: readonly ProfileRow[]): Mpi {
  const { sums, households, poorHouseholds } = sumProfile(m, m.defs, rows)
  const g = aggregateFromSums(m.indicators, sums, m.weights)
  return {
    code: head.code,
    name: head.name,
    year: head.year,
    k: m.k,
    scenario: head.scenario,
    population: g.population,
    poorPopulation: g.poorPopulation,
    households,
    poorHouseholds,
    H: g.H,
    A: g.A,
    M0: g.M0,
    censored: g.censored,
    contributions: g.contributions,
    weights: g.weights,
    vulnerable: g.vulnerable,
    severe: g.severe,
    officialPoorPopulation: g.officialPoorPopulation,
    officialH: g.officialH,
  }
}
