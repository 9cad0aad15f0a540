/**
 * Maximal covering: choose k candidate sites so that the weight (people) of the demand within the
 * service standard of at least one chosen site is largest. Greedy with lazy evaluation (CELF: a
 * site's gain only falls as others are chosen, so a stale gain is an upper bound) and then swap
 * local search; brute force for tests. Greedy alone is within 1 − 1/e of the optimum (coverage is
 * submodular); the swaps only improve it. The exact MILP lives with the server (it needs the solver).
 */
import { MinHeap } from './graph.js'

export interface CoverInstance {
  /** Weight of each demand unit (people of poor households). */
  weights: ArrayLike<number>
  /** For each candidate, the demand units within the standard of it (each index once). */
  covers: readonly Int32Array[]
}

export interface CoverSolution {
  /** Chosen candidates in the order greedy took them (swaps replace in place). */
  sites: number[]
  /** Weight covered by the sites together. */
  value: number
  /** Marginal weight each site adds after the ones before it in `sites`. */
  gains: number[]
}

/** Weight covered by a set of sites. */
export function coverValue(inst: CoverInstance, sites: readonly number[]): number {
  const seen = new Uint8Array(inst.weights.length)
  let v = 0
  for (const s of sites)
    for (const i of inst.covers[s]!) {
      if (!seen[i]) {
        seen[i] = 1
        v += inst.weights[i]!
      }
    }
  return v
}

/** Marginal gains of sites in their order. */
export function marginalGains(inst: CoverInstance, sites: readonly number[]): number[] {
  const seen = new Uint8Array(inst.weights.length)
  return sites.map((s) => {
    let g = 0
    for (const i of inst.covers[s]!) {
      if (!seen[i]) {
        seen[i] = 1
        g += inst.weights[i]!
      }
    }
    return g
  })
}

/** Lazy greedy (CELF). Stops early when no site adds anything. */
export function greedyCover(inst: CoverInstance, k: number): CoverSolution {
  const covered = new Uint8Array(inst.weights.length)
  // Max-heap through negated keys; ties go to the lower candidate index (deterministic).
  const heap = new MinHeap(Math.max(16, inst.covers.length))
  const bound = new Float64Array(inst.covers.length)
  const m = inst.covers.length
  inst.covers.forEach((c, j) => {
    let g = 0
    for (const i of c) g += inst.weights[i]!
    bound[j] = g
    heap.push(-g + j / (m * 1e6 + 1), j)
  })
  const round = new Int32Array(m).fill(0)
  const sites: number[] = []
  const gains: number[] = []
  let value = 0
  while (sites.length < k && heap.size > 0) {
    const j = heap.pop()
    if (round[j] !== sites.length) {
      let g = 0
      for (const i of inst.covers[j]!) if (!covered[i]) g += inst.weights[i]!
      bound[j] = g
      round[j] = sites.length
      heap.push(-g + j / (m * 1e6 + 1), j)
      continue
    }
    if (bound[j]! <= 0) break
    sites.push(j)
    gains.push(bound[j]!)
    value += bound[j]!
    for (const i of inst.covers[j]!) covered[i] = 1
  }
  return { sites, value, gains }
}

/**
 * Swap local search: replace a chosen site by an unchosen one while that covers more, best swap
 * first, until no swap helps, `maxPasses` passes or `deadline` (ms since epoch, from the caller's clock).
 */
export function swapImprove(inst: CoverInstance, start: readonly number[], opts: { maxPasses?: number; deadline?: number; now?: () => number } = {}): CoverSolution {
  const sites = [...start]
  const n = inst.weights.length
  const count = new Int32Array(n)
  for (const s of sites) for (const i of inst.covers[s]!) count[i]!++
  const chosen = new Set(sites)
  const now = opts.now ?? (() => 0)
  for (let pass = 0; pass < (opts.maxPasses ?? 5); pass++) {
    let improved = false
    for (let p = 0; p < sites.length; p++) {
      if (opts.deadline !== undefined && now() > opts.deadline) break
      const s = sites[p]!
      let loss = 0
      for (const i of inst.covers[s]!) if (count[i] === 1) loss += inst.weights[i]!
      for (const i of inst.covers[s]!) count[i]!--
      let best = -1
      let bestGain = loss + 1e-9
      for (let c = 0; c < inst.covers.length; c++) {
        if (chosen.has(c)) continue
        let g = 0
        for (const i of inst.covers[c]!) if (count[i] === 0) g += inst.weights[i]!
        if (g > bestGain) {
          bestGain = g
          best = c
        }
      }
      const take = best >= 0 ? best : s
      for (const i of inst.covers[take]!) count[i]!++
      if (best >= 0) {
        chosen.delete(s)
        chosen.add(best)
        sites[p] = best
        improved = true
      }
    }
    if (!improved) break
  }
  // Rank the final sites as greedy would: largest marginal gain first.
  const ranked = greedyCover({ weights: inst.weights, covers: sites.map((s) => inst.covers[s]!) }, sites.length)
  const order = ranked.sites.map((i) => sites[i]!)
  for (const s of sites) if (!order.includes(s)) order.push(s)
  const gains = marginalGains(inst, order)
  return { sites: order, value: gains.reduce((a, b) => a + b, 0), gains }
}

/** Every k-subset (small instances only: tests and checks). */
export function bruteForceCover(inst: CoverInstance, k: number): CoverSolution {
  const m = inst.covers.length
  const kk = Math.min(k, m)
  let best: number[] = []
  let bestValue = -1
  const pick: number[] = []
  const walk = (from: number) => {
    if (pick.length === kk) {
      const v = coverValue(inst, pick)
      if (v > bestValue) {
        bestValue = v
        best = [...pick]
      }
      return
    }
    for (let j = from; j <= m - (kk - pick.length); j++) {
      pick.push(j)
      walk(j + 1)
      pick.pop()
    }
  }
  walk(0)
  return { sites: best, value: Math.max(0, bestValue), gains: marginalGains(inst, best) }
}

/**
 * The maximal covering problem as a MILP in CPLEX LP format (for HiGHS): maximise Σ wᵢ yᵢ subject to
 * yᵢ ≤ Σ_{j covers i} xⱼ, Σ xⱼ = k, x binary, 0 ≤ y ≤ 1. Demand nobody covers is left out.
 */
export function coverLp(inst: CoverInstance, k: number): string {
  const by: number[][] = Array.from({ length: inst.weights.length }, () => [])
  inst.covers.forEach((c, j) => {
    for (const i of c) by[i]!.push(j)
  })
  const ys = by.map((js, i) => (js.length > 0 && inst.weights[i]! > 0 ? i : -1)).filter((i) => i >= 0)
  const lines: string[] = ['Maximize', ` obj: ${ys.length ? ys.map((i) => `${inst.weights[i]} y${i}`).join(' + ') : '0 x0'}`, 'Subject To']
  for (const i of ys) lines.push(` c${i}: y${i} - ${by[i]!.map((j) => `x${j}`).join(' - ')} <= 0`)
  // Exactly k sites (k ≤ candidates): the answer names as many sites as were asked for, some maybe adding nothing.
  lines.push(` k: ${inst.covers.map((_, j) => `x${j}`).join(' + ')} = ${Math.min(k, inst.covers.length)}`)
  lines.push('Bounds')
  for (const i of ys) lines.push(` 0 <= y${i} <= 1`)
  lines.push('Binary', ` ${inst.covers.map((_, j) => `x${j}`).join(' ')}`, 'End')
  return lines.join('\n')
}
