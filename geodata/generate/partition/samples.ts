/** Density samples of a region: more in the plains, fewer in the mountains, bumps round urban anchors. */
import type { Rng } from '../rng.js'
import type { PolyIndex } from './poly-index.js'
import type { RegionPlan } from './region.js'
import { KM_PER_DEG, type Pt } from './rings.js'
import type { Surface } from './surface.js'

/** Seed density ∝ 1 / (1 + elevation / ELEVATION_SCALE_M): plains get more, smaller units. */
const ELEVATION_SCALE_M = 300
const MIN_SAMPLES_PER_UNIT = 20
const SAMPLES_PER_WEIGHT = 10
/** Area of one urban community (社区), sizing the density bump round a seat. */
const URBAN_KM2_PER_WEIGHT = 1.5

function density(surface: Surface, x: number, y: number): number {
  return 1 / (1 + Math.max(0, surface.elevation(x, y)) / ELEVATION_SCALE_M)
}

/** Samples from the base density plus Gaussian bumps round the urban anchors. */
export function samplePool(idx: PolyIndex, plan: RegionPlan, surface: Surface, rng: Rng): Pt[] {
  const { minX, minY, maxX, maxY, kx } = idx
  let envelope = 0
  let sum = 0
  let count = 0
  const g = 12
  for (let i = 0; i < g; i++) {
    for (let j = 0; j < g; j++) {
      const x = minX + ((i + 0.5) / g) * (maxX - minX)
      const y = minY + ((j + 0.5) / g) * (maxY - minY)
      const d = density(surface, x, y)
      envelope = Math.max(envelope, d)
      if (idx.contains(x, y)) {
        sum += d
        count++
      }
    }
  }
  envelope = Math.min(1, envelope * 1.25)
  const baseMass = idx.area * kx * (count > 0 ? sum / count : envelope)
  const totalWeight = plan.weights.reduce((s, w) => s + w, 0)
  const urbanWeight = Math.min(0.9 * totalWeight, plan.bumps.reduce((s, b) => s + b.weight, 0))
  const unitDeg2 = URBAN_KM2_PER_WEIGHT / (KM_PER_DEG * KM_PER_DEG)
  const bumps = plan.bumps
    .filter((b) => b.weight > 0)
    .map((b) => ({
      at: b.at,
      sigma: Math.sqrt((b.weight * unitDeg2) / (2 * Math.PI)),
      mass: (baseMass * Math.min(b.weight, urbanWeight)) / (totalWeight - urbanWeight),
    }))
  const components = [0, ...bumps.map((_, k) => k + 1)]
  const masses = [baseMass, ...bumps.map((b) => b.mass)]
  const total = Math.ceil(Math.max(MIN_SAMPLES_PER_UNIT * plan.n, SAMPLES_PER_WEIGHT * totalWeight))
  const pool: Pt[] = []
  const fromBase = (): Pt => {
    for (let tries = 0; tries < 200_000; tries++) {
      const x = rng.range(minX, maxX)
      const y = rng.range(minY, maxY)
      if (!idx.contains(x, y)) continue
      if (rng.next() * envelope > density(surface, x, y)) continue
      return [x, y]
    }
    throw new Error('no sample found inside the region')
  }
  while (pool.length < total) {
    const c = bumps.length === 0 ? 0 : rng.weighted(components, masses)
    if (c === 0) {
      pool.push(fromBase())
      continue
    }
    const b = bumps[c - 1]!
    let p: Pt | null = null
    for (let tries = 0; tries < 50 && !p; tries++) {
      const x = b.at[0] + (rng.normal() * b.sigma) / kx
      const y = b.at[1] + rng.normal() * b.sigma
      if (idx.contains(x, y)) p = [x, y]
    }
    pool.push(p ?? fromBase())
  }
  return pool
}
