/**
 * Clipping a polygon (any rings, holes, several parts) to a convex cell, one half-plane at a time.
 * Parts that fall apart stay separate rings; the pieces between the boundary crossings on each cut
 * line are re-linked in order along the line, so the result is exact for generic positions. A
 * degenerate configuration returns null and the caller falls back to polyclip.
 */
import type { Position } from 'geojson'
import type * as polyclip from 'polyclip-ts'
import { ringsOf, type Poly, type Pt, type Ring } from './rings.js'

/** Keeps the part of `rings` left of the directed line through (ax, ay) with direction (dx, dy). */
function clipHalfPlane(rings: Ring[], ax: number, ay: number, dx: number, dy: number): Ring[] | null {
  const out: Ring[] = []
  const chains: Ring[] = []
  const events: { t: number; chain: number; entry: boolean }[] = []
  const cross = (p: Pt, q: Pt, sp: number, sq: number): Pt => {
    if (sq === 0) return q
    if (sp === 0) return p
    const f = sp / (sp - sq)
    return [p[0] + (q[0] - p[0]) * f, p[1] + (q[1] - p[1]) * f]
  }
  for (const ring of rings) {
    const n = ring.length
    const s = new Float64Array(n)
    let nIn = 0
    for (let i = 0; i < n; i++) {
      const p = ring[i]!
      s[i] = dx * (p[1] - ay) - dy * (p[0] - ax)
      if (s[i]! >= 0) nIn++
    }
    if (nIn === n) {
      out.push(ring)
      continue
    }
    if (nIn === 0) continue
    let k = 0
    while (s[k]! >= 0) k++
    let cur: Ring | null = null
    for (let j = 1; j <= n; j++) {
      const ip = (k + j - 1) % n
      const ic = (k + j) % n
      const sp = s[ip]!
      const sc = s[ic]!
      if (sc >= 0) {
        if (sp < 0) {
          const q = cross(ring[ip]!, ring[ic]!, sp, sc)
          cur = [q, ring[ic]!]
          events.push({ t: (q[0] - ax) * dx + (q[1] - ay) * dy, chain: chains.length, entry: true })
          chains.push(cur)
        } else cur!.push(ring[ic]!)
      } else if (sp >= 0) {
        const q = cross(ring[ip]!, ring[ic]!, sp, sc)
        cur!.push(q)
        events.push({ t: (q[0] - ax) * dx + (q[1] - ay) * dy, chain: chains.length - 1, entry: false })
        cur = null
      }
    }
  }
  if (events.length === 0) return out
  // Along the line (interior on its left) the result's boundary runs from each exit to the next entry.
  events.sort((a, b) => a.t - b.t || (a.entry ? 1 : 0) - (b.entry ? 1 : 0))
  const next = new Int32Array(chains.length).fill(-1)
  for (let e = 0; e < events.length; e += 2) {
    const ex = events[e]!
    const en = events[e + 1]
    if (!en || ex.entry || !en.entry) return null
    next[ex.chain] = en.chain
  }
  const used = new Uint8Array(chains.length)
  for (let c0 = 0; c0 < chains.length; c0++) {
    if (used[c0]) continue
    const ring: Ring = []
    let c = c0
    while (!used[c]) {
      used[c] = 1
      for (const p of chains[c]!) ring.push(p)
      c = next[c]!
      if (c < 0) return null
    }
    if (c !== c0) return null
    out.push(ring)
  }
  return out
}

export function clipToConvex(rings: Ring[], cell: Ring): Ring[] | null {
  let minX = Infinity
  let minY = Infinity
  let maxX = -Infinity
  let maxY = -Infinity
  for (const [x, y] of cell) {
    minX = Math.min(minX, x)
    maxX = Math.max(maxX, x)
    minY = Math.min(minY, y)
    maxY = Math.max(maxY, y)
  }
  let cur: Ring[] = rings.filter((r) => {
    let rx0 = Infinity
    let ry0 = Infinity
    let rx1 = -Infinity
    let ry1 = -Infinity
    for (const [x, y] of r) {
      if (x < rx0) rx0 = x
      if (x > rx1) rx1 = x
      if (y < ry0) ry0 = y
      if (y > ry1) ry1 = y
    }
    return rx1 >= minX && rx0 <= maxX && ry1 >= minY && ry0 <= maxY
  })
  for (let i = 0; i < cell.length && cur.length > 0; i++) {
    const a = cell[i]!
    const b = cell[(i + 1) % cell.length]!
    const next = clipHalfPlane(cur, a[0], a[1], b[0] - a[0], b[1] - a[1])
    if (!next) return null
    cur = next
  }
  return cur
}

export function toPolyclip(polys: Poly[]): polyclip.Geom {
  return polys.map((poly) => poly.map((r) => [...r, r[0]!] as [number, number][]))
}

/** Oriented open rings from polyclip output. */
export function fromPolyclip(mp: polyclip.Geom): Ring[] {
  return ringsOf(mp as Position[][][])
}
