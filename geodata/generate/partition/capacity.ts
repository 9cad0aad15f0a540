import type { PolyIndex } from './poly-index.js'
import type { RegionPlan } from './region.js'
import type { Seeds } from './seeds.js'

/** Iterations of the capacity-constrained relaxation (some of them Lloyd moves). */
const CAPACITY_STEPS = 28

/**
 * Capacity-constrained relaxation: each seed's weight is raised while its cell holds less than its
 * share of the samples and lowered while it holds more. The steps adapt per cell (grown while the
 * sign holds, halved when it flips), which copes with dense urban bumps next to sparse hills.
 * Raising a weight by δ moves each edge of its cell out by δ / (2·seed distance): ≈ (π/2)·δ of area.
 * Moves the seeds (Lloyd steps in between); returns each seed's weight and the seat unit's seed (-1: none).
 */
export function relaxCapacities(plan: RegionPlan, seeds: Seeds, seedOf: Int32Array, idx: PolyIndex): { weight: Float64Array; seatSeed: number } {
  const { n, N, su, sv } = seeds
  const seat = seeds.local(plan.seat)
  const totalWeight = plan.weights.reduce((s, w) => s + w, 0)
  const target = new Float64Array(n)
  plan.weights.forEach((w, unit) => {
    target[seedOf[unit]!] = (N * w) / totalWeight
  })
  const areaPerSample = (idx.area * idx.kx) / N
  const weight = new Float64Array(n)
  const stepSize = target.map((t) => (0.1 * t * areaPerSample) / (Math.PI / 2))
  const lastSign = new Int8Array(n)
  // The seat unit's seed sits on the seat (inside the parent), so that the seat stays in its cell.
  const seatSeed = plan.seatUnit === null ? -1 : seedOf[plan.seatUnit]!
  const pinSeat = () => {
    if (seatSeed < 0) return
    su[seatSeed] = seat[0]
    sv[seatSeed] = seat[1]
  }
  pinSeat()
  seeds.refreshNear()
  for (let step = 0; step < CAPACITY_STEPS; step++) {
    const owner = seeds.nearOwners(weight)
    if (step % 7 === 6 && step < CAPACITY_STEPS - 12) {
      seeds.moveSeeds(owner)
      pinSeat()
      seeds.refreshNear()
      continue
    }
    const cnt = new Float64Array(n)
    for (let k = 0; k < N; k++) cnt[owner[k]!] = cnt[owner[k]!]! + 1
    for (let i = 0; i < n; i++) {
      const gap = target[i]! - cnt[i]!
      const sign = Math.abs(gap) <= Math.max(0.5, 0.03 * target[i]!) ? 0 : gap > 0 ? 1 : -1
      if (sign !== 0) {
        if (sign === lastSign[i]) stepSize[i] = stepSize[i]! * 1.25
        else if (lastSign[i] !== 0) stepSize[i] = stepSize[i]! * 0.5
        weight[i] = weight[i]! + sign * stepSize[i]!
      }
      lastSign[i] = sign
    }
  }
  return { weight, seatSeed }
}
