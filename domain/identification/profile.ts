/**
 * The AF measure from deprivation PATTERNS (households and people per deprivation mask, the rows of
 * identification_profile): every household of a pattern has the same score, so this gives exactly
 * the per-household figures for any weights and k. The server answers /mpi with it; the client
 * recomputes it while the user moves the weight and k sliders.
 */
import type { AfAggregate, AfIndicator } from './alkire-foster.js'
import { addHousehold, aggregateFromSums, emptySums, isAfPoor, normaliseWeights } from './alkire-foster.js'

export interface ProfileRow {
  /** Bit afBit set for each indicator deprived in. */
  mask: number
  poorOfficial: boolean
  households: number
  people: number
}

export interface PatternIndicator {
  code: string
  dimension: string
  afBit: number
}

export interface MeasureFromProfile extends AfAggregate {
  households: number
  poorHouseholds: number
}

/** AF indicators with raw weights (missing codes weigh 0, negatives count as 0). */
export const indicatorsWithWeights = (defs: readonly PatternIndicator[], raw: Readonly<Record<string, number>>): AfIndicator[] =>
  defs.map((d) => ({ code: d.code, dimension: d.dimension, weight: Math.max(0, raw[d.code] ?? 0) }))

/** The measure of one set of patterns; throws RangeError when no weight is positive. */
export function measureFromProfile(defs: readonly PatternIndicator[], rawWeights: Readonly<Record<string, number>>, k: number, rows: readonly ProfileRow[]): MeasureFromProfile {
  const indicators = indicatorsWithWeights(defs, rawWeights)
  const weights = normaliseWeights(indicators)
  const sums = emptySums(indicators)
  let households = 0
  let poorHouseholds = 0
  for (const r of rows) {
    let score = 0
    const deprived: string[] = []
    for (const d of defs) {
      if ((r.mask & (1 << d.afBit)) === 0) continue
      deprived.push(d.code)
      score += weights[d.code] ?? 0
    }
    const poor = isAfPoor(score, k)
    addHousehold(sums, r.people, { score, poor, poorOfficial: r.poorOfficial, deprived })
    households += r.households
    if (poor) poorHouseholds += r.households
  }
  return { ...aggregateFromSums(indicators, sums, weights), households, poorHouseholds }
}
