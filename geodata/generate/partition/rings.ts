/**
 * Planar geometry on open rings (no repeated closing point). Outer rings counter-clockwise, holes
 * clockwise: the interior is always on the left.
 */
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon'
import type { MultiPolygon, Position } from 'geojson'

/** Output precision: 6 decimals (≈ 0.1 m). */
const PRECISION = 1e6
export const KM_PER_DEG = 111.32
/** Rings with less area than this (deg²) after rounding are dropped (≈ 0.001 m²). */
const AREA_EPS = 1e-13

export type Pt = [number, number]
export type Ring = Pt[]
/** [outer, ...holes] */
export type Poly = Ring[]

export function ringArea(r: Ring): number {
  const n = r.length
  if (n < 3) return 0
  const [x0, y0] = r[0]!
  let s = 0
  for (let i = 1; i < n - 1; i++) {
    const a = r[i]!
    const b = r[i + 1]!
    s += (a[0] - x0) * (b[1] - y0) - (b[0] - x0) * (a[1] - y0)
  }
  return s / 2
}

export function netArea(rings: Ring[]): number {
  let s = 0
  for (const r of rings) s += ringArea(r)
  return s
}

export function pointInRing(x: number, y: number, r: Ring): boolean {
  let inside = false
  for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
    const [xi, yi] = r[i]!
    const [xj, yj] = r[j]!
    if (yi > y !== yj > y && x < xi + ((y - yi) * (xj - xi)) / (yj - yi)) inside = !inside
  }
  return inside
}

/** Open ring from a GeoJSON ring (drops the closing point). */
export function openRing(ring: Position[]): Ring {
  const out: Ring = ring.map((p) => [p[0]!, p[1]!])
  const first = out[0]
  const last = out[out.length - 1]
  if (first && last && out.length > 1 && first[0] === last[0] && first[1] === last[1]) out.pop()
  return out
}

/** All rings of a MultiPolygon, oriented (outer CCW, holes CW). */
export function ringsOf(mp: Position[][][]): Ring[] {
  const out: Ring[] = []
  for (const poly of mp) {
    poly.forEach((ring, k) => {
      const r = openRing(ring)
      const a = ringArea(r)
      if (a === 0) return
      if ((k === 0) !== a > 0) r.reverse()
      out.push(r)
    })
  }
  return out
}

/** A point just beside the ring's longest edge, on its left (the polygon interior for any ring). */
export function leftOfLongestEdge(r: Ring): Pt {
  let best = 0
  let bestLen = -1
  for (let i = 0; i < r.length; i++) {
    const a = r[i]!
    const b = r[(i + 1) % r.length]!
    const len = Math.hypot(b[0] - a[0], b[1] - a[1])
    if (len > bestLen) {
      bestLen = len
      best = i
    }
  }
  const a = r[best]!
  const b = r[(best + 1) % r.length]!
  const off = 1e-4
  return [(a[0] + b[0]) / 2 - (b[1] - a[1]) * off, (a[1] + b[1]) / 2 + (b[0] - a[0]) * off]
}

/** Groups oriented rings into polygons: each hole goes to the smallest outer ring holding it. */
export function assemble(rings: Ring[]): Poly[] | null {
  const outers: { ring: Ring; area: number }[] = []
  const holes: Ring[] = []
  for (const r of rings) {
    const a = ringArea(r)
    if (a > 0) outers.push({ ring: r, area: a })
    else if (a < 0) holes.push(r)
  }
  const polys: Poly[] = outers.map((o) => [o.ring])
  for (const h of holes) {
    const [x, y] = leftOfLongestEdge(h)
    let best = -1
    for (let k = 0; k < outers.length; k++) {
      if (pointInRing(x, y, outers[k]!.ring) && (best < 0 || outers[k]!.area < outers[best]!.area)) best = k
    }
    if (best < 0) return null
    polys[best]!.push(h)
  }
  return polys
}

/**
 * Rounds a ring to the output grid; drops repeated points and zero-width spikes (exact, in integer
 * micro-degrees). Null when nothing with area is left.
 */
function roundRing(r: Ring): Ring | null {
  const q: [number, number][] = []
  for (const p of r) {
    const x = Math.round(p[0] * PRECISION)
    const y = Math.round(p[1] * PRECISION)
    const last = q[q.length - 1]
    if (!last || last[0] !== x || last[1] !== y) q.push([x, y])
  }
  let changed = true
  while (changed && q.length >= 3) {
    changed = false
    for (let i = 0; i < q.length && q.length >= 3; i++) {
      const a = q[(i + q.length - 1) % q.length]!
      const b = q[i]!
      const c = q[(i + 1) % q.length]!
      if (a[0] === b[0] && a[1] === b[1]) {
        q.splice(i, 1)
        changed = true
        i--
        continue
      }
      const cross = (b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0])
      const dot = (b[0] - a[0]) * (c[0] - b[0]) + (b[1] - a[1]) * (c[1] - b[1])
      if (cross === 0 && dot <= 0) {
        q.splice(i, 1)
        changed = true
        i--
      }
    }
  }
  if (q.length < 3) return null
  return q.map(([x, y]) => [x / PRECISION, y / PRECISION])
}

/** Splits a ring at repeated vertices (a ring touching itself is invalid; two rings may touch). */
function splitAtRepeats(r: Ring): Ring[] {
  const seen = new Map<string, number>()
  for (let i = 0; i < r.length; i++) {
    const key = `${r[i]![0]},${r[i]![1]}`
    const j = seen.get(key)
    if (j !== undefined) {
      return [...splitAtRepeats(r.slice(j, i)), ...splitAtRepeats([...r.slice(0, j), ...r.slice(i)])]
    }
    seen.set(key, i)
  }
  return [r]
}

/**
 * Oriented rings → rounded GeoJSON MultiPolygon coordinates (closed rings, RFC 7946 orientation):
 * rounded, cleaned, split where they touch themselves, holes grouped with their outer ring.
 */
export function finish(rings: Ring[]): Position[][][] {
  const clean: Ring[] = []
  for (const r of rings) {
    const rounded = roundRing(r)
    if (!rounded) continue
    for (const piece of splitAtRepeats(rounded)) {
      const p = roundRing(piece)
      if (p && Math.abs(ringArea(p)) > AREA_EPS) clean.push(p)
    }
  }
  const polys = assemble(clean)
  if (!polys) throw new Error('a hole lies outside every outer ring')
  return polys.map((poly) => poly.map((r) => [...r, r[0]!]))
}

export function multiPolygon(coordinates: Position[][][]): MultiPolygon {
  return { type: 'MultiPolygon', coordinates }
}

/** Area of a MultiPolygon in km² (planar, scaled by the cosine of the latitude). */
export function areaKm2(mp: Position[][][]): number {
  let s = 0
  for (const poly of mp) {
    for (const ring of poly) {
      const r = openRing(ring)
      const lat = r[0]?.[1] ?? 0
      s += ringArea(r) * KM_PER_DEG * KM_PER_DEG * Math.cos((lat * Math.PI) / 180)
    }
  }
  return Math.abs(s)
}

/** A point strictly inside: the middle of the widest horizontal chord, over a few scan lines. */
export function interiorPoint(mp: Position[][][]): Pt | null {
  let best: Pt | null = null
  let bestWidth = 0
  for (const poly of mp) {
    const rings = poly.map(openRing)
    const ys = rings[0]!.map((p) => p[1])
    const minY = Math.min(...ys)
    const maxY = Math.max(...ys)
    for (const f of [0.5, 0.3, 0.7, 0.15, 0.85, 0.41, 0.59]) {
      const y = minY + (maxY - minY) * f + (maxY - minY) * 1.234567e-7
      const xs: number[] = []
      for (const r of rings) {
        for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
          const [xi, yi] = r[i]!
          const [xj, yj] = r[j]!
          if (yi > y !== yj > y) xs.push(xi + ((y - yi) * (xj - xi)) / (yj - yi))
        }
      }
      xs.sort((a, b) => a - b)
      for (let k = 0; k + 1 < xs.length; k += 2) {
        const w = xs[k + 1]! - xs[k]!
        if (w > bestWidth) {
          bestWidth = w
          best = [(xs[k]! + xs[k + 1]!) / 2, y]
        }
      }
    }
  }
  return best
}

export function roundPt(p: Pt): Pt {
  return [Math.round(p[0] * PRECISION) / PRECISION, Math.round(p[1] * PRECISION) / PRECISION]
}

export function strictlyInside(p: Pt, mp: Position[][][]): boolean {
  return booleanPointInPolygon(p, multiPolygon(mp), { ignoreBoundary: true })
}
