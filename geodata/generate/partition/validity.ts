import type { MultiPolygon } from 'geojson'
import { leftOfLongestEdge, openRing, pointInRing, ringArea, type Pt, type Ring } from './rings.js'

/**
 * What makes a MultiPolygon invalid (OGC simple features), as messages; empty when valid. Checks ring
 * closure and size, repeated points, zero area, segments that cross, overlap or touch within a ring,
 * holes outside their shell and polygons whose interiors overlap. Rings of different polygons, or a
 * hole and its shell, may touch at points. Meant for the rounded output (collinearity tolerance 1e-13).
 */
export function geometryProblems(geom: MultiPolygon): string[] {
  const problems: string[] = []
  const polys: Ring[][] = []
  for (const [pi, poly] of geom.coordinates.entries()) {
    const rings: Ring[] = []
    for (const [ri, ring] of poly.entries()) {
      const where = `polygon ${pi} ring ${ri}`
      const f = ring[0]
      const l = ring[ring.length - 1]
      if (ring.length < 4) problems.push(`${where}: fewer than 4 positions`)
      if (!f || !l || f[0] !== l[0] || f[1] !== l[1]) problems.push(`${where}: not closed`)
      const r = openRing(ring)
      for (let i = 0; i < r.length; i++) {
        const a = r[i]!
        const b = r[(i + 1) % r.length]!
        if (a[0] === b[0] && a[1] === b[1]) problems.push(`${where}: repeated point ${a.join(',')}`)
      }
      if (ringArea(r) === 0) problems.push(`${where}: zero area`)
      rings.push(r)
    }
    polys.push(rings)
  }
  if (problems.length > 0) return problems

  // Segment pairs, bucketed in a grid.
  interface Seg {
    ax: number
    ay: number
    bx: number
    by: number
    ring: number
    i: number
    n: number
  }
  const segs: Seg[] = []
  let ringId = 0
  for (const rings of polys) {
    for (const r of rings) {
      for (let i = 0; i < r.length; i++) {
        const a = r[i]!
        const b = r[(i + 1) % r.length]!
        segs.push({ ax: a[0], ay: a[1], bx: b[0], by: b[1], ring: ringId, i, n: r.length })
      }
      ringId++
    }
  }
  let minX = Infinity
  let minY = Infinity
  let maxX = -Infinity
  let maxY = -Infinity
  for (const s of segs) {
    minX = Math.min(minX, s.ax, s.bx)
    maxX = Math.max(maxX, s.ax, s.bx)
    minY = Math.min(minY, s.ay, s.by)
    maxY = Math.max(maxY, s.ay, s.by)
  }
  const g = Math.max(1, Math.min(1024, Math.ceil(Math.sqrt(segs.length / 2))))
  const cw = (maxX - minX) / g || 1
  const ch = (maxY - minY) / g || 1
  const cellX = (x: number) => Math.max(0, Math.min(g - 1, Math.floor((x - minX) / cw)))
  const cellY = (y: number) => Math.max(0, Math.min(g - 1, Math.floor((y - minY) / ch)))
  const grid = new Map<number, number[]>()
  segs.forEach((s, k) => {
    for (let cx = cellX(Math.min(s.ax, s.bx)); cx <= cellX(Math.max(s.ax, s.bx)); cx++) {
      for (let cy = cellY(Math.min(s.ay, s.by)); cy <= cellY(Math.max(s.ay, s.by)); cy++) {
        const key = cx * g + cy
        const list = grid.get(key)
        if (list) list.push(k)
        else grid.set(key, [k])
      }
    }
  })
  const EPS = 1e-13
  const orient = (ax: number, ay: number, bx: number, by: number, cx: number, cy: number) => {
    const d = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)
    return d > EPS ? 1 : d < -EPS ? -1 : 0
  }
  const onSeg = (s: Seg, x: number, y: number) =>
    Math.min(s.ax, s.bx) - EPS <= x && x <= Math.max(s.ax, s.bx) + EPS && Math.min(s.ay, s.by) - EPS <= y && y <= Math.max(s.ay, s.by) + EPS
  const same = (x1: number, y1: number, x2: number, y2: number) => x1 === x2 && y1 === y2
  for (const [key, list] of grid) {
    const gx = Math.floor(key / g)
    const gy = key % g
    for (let p = 0; p < list.length; p++) {
      for (let q = p + 1; q < list.length; q++) {
        const s = segs[list[p]!]!
        const t = segs[list[q]!]!
        // Test each pair once: in the cell holding the low corner of the overlap of their boxes.
        const ox = Math.max(Math.min(s.ax, s.bx), Math.min(t.ax, t.bx))
        const oy = Math.max(Math.min(s.ay, s.by), Math.min(t.ay, t.by))
        if (ox > Math.min(Math.max(s.ax, s.bx), Math.max(t.ax, t.bx)) + EPS) continue
        if (oy > Math.min(Math.max(s.ay, s.by), Math.max(t.ay, t.by)) + EPS) continue
        if (cellX(ox) !== gx || cellY(oy) !== gy) continue
        const o1 = orient(s.ax, s.ay, s.bx, s.by, t.ax, t.ay)
        const o2 = orient(s.ax, s.ay, s.bx, s.by, t.bx, t.by)
        const o3 = orient(t.ax, t.ay, t.bx, t.by, s.ax, s.ay)
        const o4 = orient(t.ax, t.ay, t.bx, t.by, s.bx, s.by)
        const sameRing = s.ring === t.ring
        const adjacent = sameRing && ((s.i + 1) % s.n === t.i || (t.i + 1) % t.n === s.i)
        const at = `${s.ax},${s.ay}`
        if (o1 * o2 < 0 && o3 * o4 < 0) {
          problems.push(`segments cross near ${at}`)
          continue
        }
        if (o1 === 0 && o2 === 0) {
          // Collinear: overlap of positive length?
          const ux = s.bx - s.ax
          const uy = s.by - s.ay
          const len2 = ux * ux + uy * uy
          const ta = ((t.ax - s.ax) * ux + (t.ay - s.ay) * uy) / len2
          const tb = ((t.bx - s.bx) * ux + (t.by - s.by) * uy) / len2 + 1
          const lo = Math.max(0, Math.min(ta, tb))
          const hi = Math.min(1, Math.max(ta, tb))
          if (hi - lo > 1e-9) {
            problems.push(`segments overlap near ${at}`)
            continue
          }
        }
        if (!sameRing || adjacent) continue
        // Same ring, not adjacent: any contact is a self-intersection.
        const touch =
          (o1 === 0 && onSeg(s, t.ax, t.ay)) ||
          (o2 === 0 && onSeg(s, t.bx, t.by)) ||
          (o3 === 0 && onSeg(t, s.ax, s.ay)) ||
          (o4 === 0 && onSeg(t, s.bx, s.by)) ||
          same(s.ax, s.ay, t.ax, t.ay)
        if (touch) problems.push(`ring touches itself near ${at}`)
      }
    }
  }
  if (problems.length > 0) return problems

  // Holes inside their shell; polygons not inside one another.
  const insidePoly = (x: number, y: number, rings: Ring[]) =>
    pointInRing(x, y, rings[0]!) && !rings.slice(1).some((h) => pointInRing(x, y, h))
  const interiorSide = (r: Ring): Pt => {
    const p = leftOfLongestEdge(r)
    if (ringArea(r) > 0) return p
    return leftOfLongestEdge([...r].reverse())
  }
  polys.forEach((rings, pi) => {
    rings.slice(1).forEach((h, hi) => {
      // Just outside the hole = inside the polygon.
      const pr = ringArea(h) < 0 ? leftOfLongestEdge(h) : leftOfLongestEdge([...h].reverse())
      if (!pointInRing(pr[0], pr[1], rings[0]!)) problems.push(`polygon ${pi} hole ${hi + 1} outside its shell`)
    })
  })
  for (let a = 0; a < polys.length; a++) {
    const [x, y] = interiorSide(polys[a]![0]!)
    for (let b = 0; b < polys.length; b++) {
      if (a !== b && insidePoly(x, y, polys[b]!)) problems.push(`polygon ${a} overlaps polygon ${b}`)
    }
  }
  return problems
}
