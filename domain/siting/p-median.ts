/**
 * p-median: choose p sites minimising the weighted total travel time of the demand to its nearest
 * open facility (existing ones count as open). Greedy then swap, over a dense candidate × demand
 * matrix of seconds (unreachable: `unreachable` seconds, a penalty, so that the sum stays finite).
 */
export interface MedianInstance {
  weights: ArrayLike<number>
  /** Seconds from demand i to its nearest existing facility (the penalty when none). */
  existing: Float64Array
  /** Row j: seconds from every demand unit to candidate j. */
  times: readonly Float32Array[]
}

export interface MedianSolution {
  sites: number[]
  /** Weighted total seconds with the sites open. */
  cost: number
  /** Reduction of the weighted total each site brings after the ones before it. */
  gains: number[]
}

export function medianCost(inst: MedianInstance, sites: readonly number[]): number {
  let total = 0
  for (let i = 0; i < inst.weights.length; i++) {
    let best = inst.existing[i]!
    for (const s of sites) best = Math.min(best, inst.times[s]![i]!)
    total += inst.weights[i]! * best
  }
  return total
}

export function greedyMedian(inst: MedianInstance, p: number): MedianSolution {
  const n = inst.weights.length
  const cur = Float64Array.from(inst.existing)
  const sites: number[] = []
  const gains: number[] = []
  let cost = 0
  for (let i = 0; i < n; i++) cost += inst.weights[i]! * cur[i]!
  const chosen = new Set<number>()
  while (sites.length < p) {
    let best = -1
    let bestGain = 0
    inst.times.forEach((row, j) => {
      if (chosen.has(j)) return
      let g = 0
      for (let i = 0; i < n; i++) {
        const d = cur[i]! - row[i]!
        if (d > 0) g += inst.weights[i]! * d
      }
      if (g > bestGain) {
        bestGain = g
        best = j
      }
    })
    if (best < 0) break
    chosen.add(best)
    sites.push(best)
    gains.push(bestGain)
    cost -= bestGain
    const row = inst.times[best]!
    for (let i = 0; i < n; i++) cur[i] = Math.min(cur[i]!, row[i]!)
  }
  return { sites, cost, gains }
}

/** Swap local search for p-median (first improvement per position, a few passes). */
export function swapMedian(inst: MedianInstance, start: readonly number[], opts: { maxPasses?: number; deadline?: number; now?: () => number } = {}): MedianSolution {
  const sites = [...start]
  let cost = medianCost(inst, sites)
  const now = opts.now ?? (() => 0)
  for (let pass = 0; pass < (opts.maxPasses ?? 3); pass++) {
    let improved = false
    for (let p = 0; p < sites.length; p++) {
      if (opts.deadline !== undefined && now() > opts.deadline) break
      for (let c = 0; c < inst.times.length; c++) {
        if (sites.includes(c)) continue
        const trial = [...sites]
        trial[p] = c
        const tc = medianCost(inst, trial)
        if (tc < cost - 1e-6) {
          sites[p] = c
          cost = tc
          improved = true
        }
      }
    }
    if (!improved) break
  }
  const gains: number[] = []
  let prev = medianCost(inst, [])
  for (let i = 0; i < sites.length; i++) {
    const c = medianCost(inst, sites.slice(0, i + 1))
    gains.push(prev - c)
    prev = c
  }
  return { sites, cost, gains }
}
