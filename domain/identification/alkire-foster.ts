/**
 * Alkire–Foster multidimensional poverty identification and its aggregates, pure and shared: the
 * server's SQL computes the same figures set-based (and its tests compare with this module), the
 * siting what-if and the client's scenario preview call it directly.
 *
 * Every share is POPULATION-weighted: a household counts with its number of people, so H is the
 * share of people living in multidimensionally poor households, not the share of households.
 *
 * Weights are normalised to sum 1 over the indicators given, so a deprivation score c_i lies in
 * 0..1 whatever scale the user typed. A household is poor when c_i ≥ k (the AF dual cut-off) and
 * c_i > 0, so k = 0 means the union approach (deprived in anything), never "everyone".
 */

/** One indicator of the AF measure: the dimension it belongs to, its weight and its deprivation cut-off. */
export interface AfIndicator {
  code: string
  dimension: string
  /** Any non-negative number; normalised over all indicators of the measure. */
  weight: number
  /** Deprivation cut-off on the indicator's achievement value (optional when the caller passes booleans). */
  cutoff?: AfCutoff
  /** Counts in the official 两不愁三保障 + income rule (deprived in any → not exited). */
  official?: boolean
}

/** A household is deprived when its value is below (higher_better) or above (lower_better) the cut-off. */
export interface AfCutoff {
  value: number
  direction: 'higher_better' | 'lower_better'
}

export interface AfHousehold {
  /** Number of people: the population weight. */
  people: number
  /** Deprived per indicator code; a missing code counts as not deprived. */
  deprived: Readonly<Record<string, boolean>>
}

export interface AfHouseholdResult {
  /** Weighted deprivation score c_i in 0..1. */
  score: number
  /** c_i ≥ k. */
  poor: boolean
  /** Official rule: deprived in any official indicator. */
  poorOfficial: boolean
  /** Codes deprived in, in indicator order (uncensored). */
  deprived: string[]
}

/** Additive sums an area's figures derive from: add them across areas, then derive (see combineSums). */
export interface AfSums {
  population: number
  poorPopulation: number
  /** Σ people × c_i over poor households. */
  intensity: number
  /** People in poor households deprived in each indicator (censored). */
  censoredPeople: Record<string, number>
  /** People with 20 % ≤ c_i < 33⅓ %. */
  vulnerablePeople: number
  /** People with c_i ≥ 50 %. */
  severePeople: number
  /** People poor by the official rule. */
  officialPoorPopulation: number
}

export interface AfAggregate {
  population: number
  poorPopulation: number
  /** Headcount ratio: poor people / people. */
  H: number
  /** Intensity: mean c_i of the poor (0 when nobody is poor). */
  A: number
  /** Adjusted headcount ratio H × A. */
  M0: number
  /** Censored headcount ratio per indicator: poor and deprived people / people. */
  censored: Record<string, number>
  /** Share of M0 from each indicator: w_j h_j / M0; sums to 1 when M0 > 0, all 0 otherwise. */
  contributions: Record<string, number>
  /** Normalised weights. */
  weights: Record<string, number>
  vulnerable: number
  severe: number
  officialPoorPopulation: number
  officialH: number
}

/** Tolerance for c_i ≥ k: thirds and sixths are not exact in binary; the SQL uses the same. */
export const SCORE_EPSILON = 1e-9
export const VULNERABLE_FROM = 0.2
export const POOR_THRESHOLD_VULNERABLE_TO = 1 / 3
export const SEVERE_FROM = 0.5
/** Default poverty cut-off k: deprived in a third of the weighted indicators. */
export const DEFAULT_K = 1 / 3

export const isValidK = (k: number): boolean => Number.isFinite(k) && k >= 0 && k <= 1

/** Weights divided by their sum; throws when none is positive (no measure can be made). */
export const normaliseWeights = (indicators: readonly AfIndicator[]): Record<string, number> => {
  const total = indicators.reduce((s, i) => s + i.weight, 0)
  if (!(total > 0) || indicators.some((i) => !(i.weight >= 0) || !Number.isFinite(i.weight))) {
    throw new RangeError('AF weights must be finite, non-negative and not all zero')
  }
  return Object.fromEntries(indicators.map((i) => [i.code, i.weight / total]))
}

/** Whether an achievement value is deprived by a cut-off. */
export const isDeprivedBy = (cutoff: AfCutoff, value: number): boolean =>
  cutoff.direction === 'higher_better' ? value < cutoff.value : value > cutoff.value

export const atLeast = (score: number, k: number): boolean => score >= k - SCORE_EPSILON

/** AF poor: c_i ≥ k and deprived in something, so k = 0 is the union approach, never "everyone". */
export const isAfPoor = (score: number, k: number): boolean => score > SCORE_EPSILON && atLeast(score, k)

/** c_i, AF poor at k, official poor and the deprivations of one household. */
export const identifyHousehold = (indicators: readonly AfIndicator[], k: number, household: AfHousehold, weights = normaliseWeights(indicators)): AfHouseholdResult => {
  let score = 0
  let poorOfficial = false
  const deprived: string[] = []
  for (const ind of indicators) {
    if (household.deprived[ind.code] !== true) continue
    deprived.push(ind.code)
    score += weights[ind.code] ?? 0
    if (ind.official === true) poorOfficial = true
  }
  return { score, poor: isAfPoor(score, k), poorOfficial, deprived }
}

export const emptySums = (indicators: readonly AfIndicator[]): AfSums => ({
  population: 0,
  poorPopulation: 0,
  intensity: 0,
  censoredPeople: Object.fromEntries(indicators.map((i) => [i.code, 0])),
  vulnerablePeople: 0,
  severePeople: 0,
  officialPoorPopulation: 0,
})

/** Adds one identified household to running sums (mutates and returns `sums`). */
export const addHousehold = (sums: AfSums, people: number, result: AfHouseholdResult): AfSums => {
  sums.population += people
  if (result.poorOfficial) sums.officialPoorPopulation += people
  if (atLeast(result.score, VULNERABLE_FROM) && !atLeast(result.score, POOR_THRESHOLD_VULNERABLE_TO)) sums.vulnerablePeople += people
  if (atLeast(result.score, SEVERE_FROM)) sums.severePeople += people
  if (!result.poor) return sums
  sums.poorPopulation += people
  sums.intensity += people * result.score
  for (const code of result.deprived) sums.censoredPeople[code] = (sums.censoredPeople[code] ?? 0) + people
  return sums
}

/** Sums of several disjoint areas: the sums of their union (this is why decomposition is exact). */
export const combineSums = (indicators: readonly AfIndicator[], parts: readonly AfSums[]): AfSums => {
  const total = emptySums(indicators)
  for (const p of parts) {
    total.population += p.population
    total.poorPopulation += p.poorPopulation
    total.intensity += p.intensity
    total.vulnerablePeople += p.vulnerablePeople
    total.severePeople += p.severePeople
    total.officialPoorPopulation += p.officialPoorPopulation
    for (const [code, n] of Object.entries(p.censoredPeople)) total.censoredPeople[code] = (total.censoredPeople[code] ?? 0) + n
  }
  return total
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : 0)

/** H, A, M0, censored headcounts, contributions and shares from sums. */
export const aggregateFromSums = (indicators: readonly AfIndicator[], sums: AfSums, weights = normaliseWeights(indicators)): AfAggregate => {
  const { population: n, poorPopulation: q } = sums
  const H = ratio(q, n)
  const A = ratio(sums.intensity, q)
  const M0 = ratio(sums.intensity, n)
  const censored: Record<string, number> = {}
  const contributions: Record<string, number> = {}
  for (const ind of indicators) {
    const h = ratio(sums.censoredPeople[ind.code] ?? 0, n)
    censored[ind.code] = h
    contributions[ind.code] = M0 > 0 ? ((weights[ind.code] ?? 0) * h) / M0 : 0
  }
  return {
    population: n,
    poorPopulation: q,
    H,
    A,
    M0,
    censored,
    contributions,
    weights,
    vulnerable: ratio(sums.vulnerablePeople, n),
    severe: ratio(sums.severePeople, n),
    officialPoorPopulation: sums.officialPoorPopulation,
    officialH: ratio(sums.officialPoorPopulation, n),
  }
}

/** Identifies every household and aggregates them: the whole AF measure of one set of households. */
export const identifySet = (indicators: readonly AfIndicator[], k: number, households: readonly AfHousehold[]) => {
  const weights = normaliseWeights(indicators)
  const sums = emptySums(indicators)
  const results = households.map((h) => {
    const r = identifyHousehold(indicators, k, h, weights)
    addHousehold(sums, h.people, r)
    return r
  })
  return { results, sums, aggregate: aggregateFromSums(indicators, sums, weights) }
}

/**
 * Subgroup decomposition: an area's M0 as the population-weighted sum of its disjoint sub-areas'
 * M0, Σ (n_s / n) M0_s. Equals the M0 of the pooled households (tests hold both to that).
 */
export const decomposeM0 = (parts: readonly { population: number; M0: number }[]): number => {
  const n = parts.reduce((s, p) => s + p.population, 0)
  return n > 0 ? parts.reduce((s, p) => s + p.population * p.M0, 0) / n : 0
}

/**
 * What-if of removing deprivations (e.g. a water project fixes water_quality for some households):
 * the measure before and after and the changes ΔH, ΔA, ΔM0 (after − before).
 */
export const whatIfRemoved = (indicators: readonly AfIndicator[], k: number, households: readonly AfHousehold[], removed: (household: AfHousehold, index: number) => readonly string[]) => {
  const before = identifySet(indicators, k, households).aggregate
  const changed = households.map((h, i) => {
    const drop = removed(h, i)
    if (drop.length === 0) return h
    const deprived = { ...h.deprived }
    for (const code of drop) deprived[code] = false
    return { people: h.people, deprived }
  })
  const after = identifySet(indicators, k, changed).aggregate
  return { before, after, dH: after.H - before.H, dA: after.A - before.A, dM0: after.M0 - before.M0 }
}
