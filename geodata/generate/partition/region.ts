/**
 * Partition of one parent region into n units.
 *
 * Samples are drawn with the wanted density: 1 / (1 + elevation / 300 m), plus Gaussian bumps round
 * urban anchors. Seeds start as samples and are spread by two Lloyd steps on the Voronoi diagram
 * (d3-delaunay); then every unit gets a seed (the seat unit the seed nearest the seat, a zone's
 * townships grown over Delaunay neighbours round the zone's anchor, urban units next to the seat, the
 * rest by distance from the seat). A capacity-constrained relaxation follows: each seed carries a
 * weight, cells are the cells of the power diagram (the Voronoi diagram of weighted seeds), and the
 * weights are tuned, with Lloyd moves in between, until each unit holds a share of the sample mass
 * proportional to its weight — its number of villages for a township, 1 for a village. A unit's area
 * thus follows its weight divided by the density: villages are smaller in the plains, larger in the
 * mountains, whatever township they are in.
 */
import { Delaunay } from 'd3-delaunay'
import type { Position } from 'geojson'
import type { Rng } from '../rng.js'
import { relaxCapacities } from './capacity.js'
import { polyIndex, type PolyIndex } from './poly-index.js'
import { powerCells } from './power-cells.js'
import { finish, ringsOf, type Pt, type Ring } from './rings.js'
import { samplePool } from './samples.js'
import { assignSeeds } from './seed-assignment.js'
import { Seeds } from './seeds.js'
import type { Surface } from './surface.js'

const LLOYD_STEPS = 2

export interface RegionPlan {
  n: number
  /** The region's seat; urban units gather round it and the `seatUnit`'s cell holds it. */
  seat: Pt
  seatUnit: number | null
  /** Units placed next to the seat, in this order. */
  nearSeat: number[]
  /** Groups kept together round an anchor (zones inside their parent's outline). */
  clusters: { anchor: Pt; units: number[] }[]
  /** All other units; earlier ones get seeds nearer the seat. */
  rest: number[]
  /** Each unit's share of the density mass, relative to the others'. */
  weights: number[]
  /** Extra density round urban anchors, `weight` in the units of `weights`. */
  bumps: { at: Pt; weight: number }[]
}

export interface RegionUnit {
  /** Rounded output geometry. */
  geom: Position[][][]
  /** Its rings, for partitioning the unit in turn. */
  rings: Ring[]
  seed: Pt
  /** Density samples that fell in the unit: seat candidates. */
  samples: Pt[]
}

export function partitionRegion(rings: Ring[], plan: RegionPlan, surface: Surface, rng: Rng, what: string): RegionUnit[] {
  const idx = polyIndex(rings)
  for (let attempt = 0; attempt < 4; attempt++) {
    const units = tryPartition(idx, plan, surface, attempt === 0 ? rng : rng.fork(`retry:${attempt}`))
    if (units) return units
  }
  throw new Error(`Unable to partition ${what} into ${plan.n} non-empty units`)
}

function tryPartition(idx: PolyIndex, plan: RegionPlan, surface: Surface, rng: Rng): RegionUnit[] | null {
  const { n } = plan
  const pool = samplePool(idx, plan, surface, rng)

  if (n === 1) {
    const geom = finish(idx.rings)
    if (geom.length === 0) return null
    return [{ geom, rings: ringsOf(geom), seed: pool[0]!, samples: pool }]
  }

  const seeds = new Seeds(idx, pool, n)
  for (let step = 0; step < LLOYD_STEPS; step++) seeds.moveSeeds(seeds.voronoiOwners(new Delaunay(seeds.flat())))
  if (!seeds.distinct()) return null
  const seedOf = assignSeeds(plan, seeds, new Delaunay<Pt>(seeds.flat()))
  const { weight, seatSeed } = relaxCapacities(plan, seeds, seedOf, idx)
  return powerCells(idx, seeds, pool, seedOf, weight, seatSeed, seeds.local(plan.seat))
}
