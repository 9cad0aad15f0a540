/** Planar helpers of the network: Gabriel edges, union–find, and crossings of segments. */
import { Delaunay } from 'd3-delaunay'
import type { LonLat } from '../spatial-index.js'

/** Gabriel edges of a point set (pairs of indexes), via the Delaunay triangulation. */
export function gabrielEdges(points: LonLat[]): [number, number][] {
  if (points.length < 2) return []
  if (points.length === 2) return [[0, 1]]
  const lat0 = points.reduce((s, p) => s + p[1], 0) / points.length
  const c = Math.cos((lat0 * Math.PI) / 180)
  const xy = points.map((p) => [p[0] * c, p[1]] as [number, number])
  const d = Delaunay.from(xy)
  const { triangles, halfedges } = d
  const next = (e: number) => (e % 3 === 2 ? e - 2 : e + 1)
  const obtuseAt = (e: number) => {
    const i = xy[triangles[e]!]!
    const j = xy[triangles[next(e)]!]!
    const k = xy[triangles[next(next(e))]!]!
    return (i[0] - k[0]) * (j[0] - k[0]) + (i[1] - k[1]) * (j[1] - k[1]) <= 0
  }
  const out: [number, number][] = []
  for (let e = 0; e < triangles.length; e++) {
    const h = halfedges[e]!
    if (h > e) continue
    if (obtuseAt(e) || (h >= 0 && obtuseAt(h))) continue
    const i = triangles[e]!
    const j = triangles[next(e)]!
    out.push(i < j ? [i, j] : [j, i])
  }
  if (out.length === 0) {
    // Collinear input: d3-delaunay leaves no triangles; chain the points in order.
    const order = points.map((_, i) => i).sort((a, b) => points[a]![0] - points[b]![0] || points[a]![1] - points[b]![1])
    for (let i = 1; i < order.length; i++) out.push([order[i - 1]!, order[i]!])
  }
  return out
}

export class UnionFind {
  private readonly parent: Int32Array
  constructor(n: number) {
    this.parent = new Int32Array(n).map((_, i) => i)
  }
  find(x: number): number {
    while (this.parent[x] !== x) {
      this.parent[x] = this.parent[this.parent[x]!]!
      x = this.parent[x]!
    }
    return x
  }
  union(a: number, b: number): boolean {
    const ra = this.find(a)
    const rb = this.find(b)
    if (ra === rb) return false
    this.parent[ra] = rb
    return true
  }
}

export function coordKey(p: LonLat): string {
  return `${p[0].toFixed(6)},${p[1].toFixed(6)}`
}

export interface Cut {
  seg: number
  t: number
  node: number
  pos: [number, number]
}

/** Proper crossing of segments p1–p2 and q1–q2 (interiors only): [t on p, u on q] or null. */
export function crossing(p1: LonLat, p2: LonLat, q1: LonLat, q2: LonLat): [number, number] | null {
  const rx = p2[0] - p1[0]
  const ry = p2[1] - p1[1]
  const sx = q2[0] - q1[0]
  const sy = q2[1] - q1[1]
  const den = rx * sy - ry * sx
  if (Math.abs(den) < 1e-18) return null
  const qpx = q1[0] - p1[0]
  const qpy = q1[1] - p1[1]
  const t = (qpx * sy - qpy * sx) / den
  const u = (qpx * ry - qpy * rx) / den
  const eps = 1e-9
  if (t <= eps || t >= 1 - eps || u <= eps || u >= 1 - eps) return null
  return [t, u]
}
