/**
 * The default measure (AF indicators, weights, k) as the caller reads it, and the /mpi answer of an
 * area from its deprivation patterns (domain/identification/profile.ts: exact for any weights and k).
 */
import type { AfIndicatorDef, Mpi } from '../../domain/identification/schemas.js'
import { measureFromProfile, type ProfileRow } from '../../domain/identification/profile.js'
import type { Queryable } from '../db/types.js'
import { AF_INDICATORS, DEFAULT_SCENARIO } from './identification-queries.js'

export type { ProfileRow }

export interface Measure {
  defs: AfIndicatorDef[]
  /** Raw weights per code (normalised on use). */
  rawWeights: Record<string, number>
  k: number
}

export async function defaultMeasure(tx: Queryable): Promise<Measure & { updatedAt: string; updatedBy: string | null }> {
  const defs = (await tx.query<AfIndicatorDef>(AF_INDICATORS)).rows
  const s = (await tx.query<{ k: number; weights: Record<string, number>; updatedAt: Date; updatedBy: string | null }>(DEFAULT_SCENARIO)).rows[0]
  return { defs, rawWeights: s?.weights ?? {}, k: s?.k ?? 1 / 3, updatedAt: (s?.updatedAt ?? new Date(0)).toISOString(), updatedBy: s?.updatedBy ?? null }
}

/** Throws RangeError when the weights weigh nothing. */
export function mpiOf(m: Measure, head: { code: string; name: string; year: number; scenario: number | null }, rows: readonly ProfileRow[]): Mpi {
  const g = measureFromProfile(m.defs, m.rawWeights, m.k, rows)
  return {
    code: head.code,
    name: head.name,
    year: head.year,
    k: m.k,
    scenario: head.scenario,
    population: g.population,
    poorPopulation: g.poorPopulation,
    households: g.households,
    poorHouseholds: g.poorHouseholds,
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
