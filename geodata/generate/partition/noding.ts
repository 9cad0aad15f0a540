import type { Position } from 'geojson'
import type { Pt } from './rings.js'

/**
 * Inserts into the rings of `targets` every vertex of `sources` (targets included) that lies on one of
 * their edges, within `tol` degrees. Clipping puts a child's boundary crossings on its parent's edges;
 * rounded to 1e-6° they sit up to 0.7e-6° off those edges, so without this the parent and its children,
 * and the children of two neighbouring parents, would be separated by slivers of that width. The
 * tolerance covers a crossing and the rounded ends of the (sub-)edge it is tested against.
 * Returns the noded coordinates, in the order of `targets`.
 */
export function nodeTogether(targets: Position[][][][], sources: Position[][][][], tol = 2e-6): Position[][][][] {
  const cell = 0.002
  const cellKey = (cx: number, cy: number) => cx * 1_000_003 + cy
  const grid = new Map<number, Pt[]>()
  const seen = new Set<string>()
  for (const geom of sources) {
    for (const poly of geom) {
      for (const ring of poly) {
        for (const p of ring) {
          const key = `${p[0]},${p[1]}`
          if (seen.has(key)) continue
          seen.add(key)
          const ck = cellKey(Math.floor(p[0]! / cell), Math.floor(p[1]! / cell))
          const list = grid.get(ck)
          if (list) list.push([p[0]!, p[1]!])
          else grid.set(ck, [[p[0]!, p[1]!]])
        }
      }
    }
  }
  const hits: { t: number; p: Pt }[] = []
  const visit = (ck: number, a: Position, b: Position, dx: number, dy: number, len2: number, len: number) => {
    for (const v of grid.get(ck) ?? []) {
      const t = ((v[0] - a[0]!) * dx + (v[1] - a[1]!) * dy) / len2
      if (t <= 0 || t >= 1) continue
      if (Math.abs((v[0] - a[0]!) * dy - (v[1] - a[1]!) * dx) / len > tol) continue
      if ((v[0] === a[0] && v[1] === a[1]) || (v[0] === b[0] && v[1] === b[1])) continue
      hits.push({ t, p: v })
    }
  }
  const nodeRing = (ring: Position[]): Position[] => {
    const out: Position[] = []
    for (let i = 0; i + 1 < ring.length; i++) {
      const a = ring[i]!
      const b = ring[i + 1]!
      out.push(a)
      const dx = b[0]! - a[0]!
      const dy = b[1]! - a[1]!
      const len2 = dx * dx + dy * dy
      if (len2 === 0) continue
      const len = Math.sqrt(len2)
      hits.length = 0
      if (len < 4 * cell) {
        // Short edge: the cells of its box, widened by the tolerance.
        const x0 = Math.floor((Math.min(a[0]!, b[0]!) - tol) / cell)
        const x1 = Math.floor((Math.max(a[0]!, b[0]!) + tol) / cell)
        const y0 = Math.floor((Math.min(a[1]!, b[1]!) - tol) / cell)
        const y1 = Math.floor((Math.max(a[1]!, b[1]!) + tol) / cell)
        for (let cx = x0; cx <= x1; cx++) for (let cy = y0; cy <= y1; cy++) visit(cellKey(cx, cy), a, b, dx, dy, len2, len)
      } else {
        // Long edge: the cells along it and their neighbours.
        const cells = new Set<number>()
        const steps = Math.ceil(len / cell) + 1
        for (let k = 0; k <= steps; k++) {
          const cx = Math.floor((a[0]! + (dx * k) / steps) / cell)
          const cy = Math.floor((a[1]! + (dy * k) / steps) / cell)
          for (let ox = -1; ox <= 1; ox++) for (let oy = -1; oy <= 1; oy++) cells.add(cellKey(cx + ox, cy + oy))
        }
        for (const ck of cells) visit(ck, a, b, dx, dy, len2, len)
      }
      hits.sort((u, w) => u.t - w.t)
      for (const h of hits) out.push([h.p[0], h.p[1]])
    }
    out.push(ring[ring.length - 1]!)
    return out
  }
  return targets.map((geom) => geom.map((poly) => poly.map(nodeRing)))
}
