/** Where the seat (驻地) of a unit lies: low, flat, near its centre, strictly inside. */
import type { Position } from 'geojson'
import type { Rng } from '../rng.js'
import { polyIndex } from './poly-index.js'
import { interiorPoint, netArea, roundPt, strictlyInside, type Pt, type Ring } from './rings.js'
import type { Surface } from './surface.js'

/** Low, flat and not far from the centre: seats sit in valleys. */
function seatScore(p: Pt, surface: Surface, centre: Pt, radius: number, kx: number): number {
  const d = Math.hypot((p[0] - centre[0]) * kx, p[1] - centre[1]) / radius
  return Math.max(0, surface.elevation(p[0], p[1])) + 20 * surface.slopeDeg(p[0], p[1]) + 300 * d * d
}

export function bestSeat(candidates: Pt[], geom: Position[][][], surface: Surface, centre: Pt, radius: number): Pt {
  const kx = Math.cos((centre[1] * Math.PI) / 180)
  const scored = candidates
    .map((p) => ({ p, s: seatScore(p, surface, centre, radius, kx) }))
    .sort((a, b) => a.s - b.s)
  for (const { p } of scored.slice(0, 16)) {
    const q = roundPt(p)
    if (strictlyInside(q, geom)) return q
  }
  const fallback = interiorPoint(geom)
  if (fallback) {
    const q = roundPt(fallback)
    if (strictlyInside(q, geom)) return q
  }
  throw new Error('no interior point for a seat')
}

export function radiusOf(rings: Ring[]): number {
  const idxArea = Math.abs(netArea(rings))
  return Math.max(1e-4, Math.sqrt(idxArea / Math.PI))
}

function areaCentroid(rings: Ring[]): Pt {
  let a = 0
  let cx = 0
  let cy = 0
  const [x0, y0] = rings[0]![0]!
  for (const r of rings) {
    for (let i = 0; i < r.length; i++) {
      const p = r[i]!
      const q = r[(i + 1) % r.length]!
      const f = (p[0] - x0) * (q[1] - y0) - (q[0] - x0) * (p[1] - y0)
      a += f
      cx += (p[0] - x0 + q[0] - x0) * f
      cy += (p[1] - y0 + q[1] - y0) * f
    }
  }
  return [x0 + cx / (3 * a), y0 + cy / (3 * a)]
}

/** The county seat: the best of a few points near the centre of the outline. */
export function countySeat(rings: Ring[], geom: Position[][][], surface: Surface, rng: Rng): Pt {
  const idx = polyIndex(rings)
  const centre = areaCentroid(rings)
  const radius = radiusOf(rings)
  const near: Pt[] = []
  const any: Pt[] = []
  for (let tries = 0; tries < 4000 && near.length < 24; tries++) {
    const x = rng.range(idx.minX, idx.maxX)
    const y = rng.range(idx.minY, idx.maxY)
    if (!idx.contains(x, y)) continue
    if (Math.hypot((x - centre[0]) * idx.kx, y - centre[1]) < 0.5 * radius) near.push([x, y])
    else if (any.length < 24) any.push([x, y])
  }
  return bestSeat(near.length >= 4 ? near : [...near, ...any], geom, surface, centre, 0.5 * radius)
}
