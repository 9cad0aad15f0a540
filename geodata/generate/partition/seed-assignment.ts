import type { Delaunay } from 'd3-delaunay'
import type { RegionPlan } from './region.js'
import type { Pt } from './rings.js'
import type { Seeds } from './seeds.js'

/**
 * Which seed each unit gets: the seat unit the seed nearest the seat, a zone's townships grown over
 * Delaunay neighbours round the zone's anchor, urban units next to the seat, the rest by distance
 * from the seat. Returns the seed of each unit.
 */
export function assignSeeds(plan: RegionPlan, seeds: Seeds, delaunay: Delaunay<Pt>): Int32Array {
  const { n } = seeds
  const seat = seeds.local(plan.seat)
  const seedOf = new Int32Array(n).fill(-1)
  const taken = new Uint8Array(n)
  const dist2 = (i: number, p: Pt) => seeds.dist2(i, p)
  const nearestFree = (p: Pt): number => {
    let best = -1
    let bestD = Infinity
    for (let i = 0; i < n; i++) {
      if (taken[i]) continue
      const d = dist2(i, p)
      if (d < bestD) {
        bestD = d
        best = i
      }
    }
    return best
  }
  const give = (unit: number, s: number) => {
    seedOf[unit] = s
    taken[s] = 1
  }
  if (plan.seatUnit !== null) give(plan.seatUnit, delaunay.find(seat[0], seat[1]))
  for (const cluster of plan.clusters) {
    // Grow the cluster over Delaunay neighbours from the seed nearest its anchor, so that its cells touch.
    const anchor = seeds.local(cluster.anchor)
    const members: number[] = []
    for (const unit of cluster.units) {
      let best = -1
      let bestD = Infinity
      for (const s of members) {
        for (const nb of delaunay.neighbors(s)) {
          if (taken[nb]) continue
          const d = dist2(nb, anchor)
          if (d < bestD) {
            bestD = d
            best = nb
          }
        }
      }
      if (best < 0) best = nearestFree(anchor)
      give(unit, best)
      members.push(best)
    }
  }
  for (const unit of plan.nearSeat) give(unit, nearestFree(seat))
  const free = [...Array(n).keys()].filter((i) => !taken[i]).sort((a, b) => dist2(a, seat) - dist2(b, seat))
  plan.rest.forEach((unit, k) => give(unit, free[k]!))
  if (seedOf.some((s) => s < 0)) throw new Error('partition plan does not cover every unit')
  return seedOf
}
