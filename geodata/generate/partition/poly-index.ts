/** Point-in-polygon index (horizontal strips of edges) for the many samples drawn per parent. */
import { netArea, type Ring } from './rings.js'

export interface PolyIndex {
  rings: Ring[]
  minX: number
  minY: number
  maxX: number
  maxY: number
  /** Net area in deg². */
  area: number
  /** cos(mid-latitude): x is multiplied by it wherever distances matter. */
  kx: number
  contains(x: number, y: number): boolean
}

export function polyIndex(rings: Ring[]): PolyIndex {
  let minX = Infinity
  let minY = Infinity
  let maxX = -Infinity
  let maxY = -Infinity
  let nEdges = 0
  for (const r of rings) {
    nEdges += r.length
    for (const [x, y] of r) {
      if (x < minX) minX = x
      if (x > maxX) maxX = x
      if (y < minY) minY = y
      if (y > maxY) maxY = y
    }
  }
  const edges = new Float64Array(nEdges * 4)
  let e = 0
  for (const r of rings) {
    for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
      edges[e++] = r[j]![0]
      edges[e++] = r[j]![1]
      edges[e++] = r[i]![0]
      edges[e++] = r[i]![1]
    }
  }
  const nStrips = Math.max(1, Math.min(512, Math.round(Math.sqrt(nEdges))))
  const h = (maxY - minY) / nStrips || 1
  const strips: number[][] = Array.from({ length: nStrips }, () => [])
  for (let k = 0; k < nEdges; k++) {
    const y1 = edges[k * 4 + 1]!
    const y2 = edges[k * 4 + 3]!
    const s0 = Math.max(0, Math.min(nStrips - 1, Math.floor((Math.min(y1, y2) - minY) / h)))
    const s1 = Math.max(0, Math.min(nStrips - 1, Math.floor((Math.max(y1, y2) - minY) / h)))
    for (let s = s0; s <= s1; s++) strips[s]!.push(k)
  }
  return {
    rings,
    minX,
    minY,
    maxX,
    maxY,
    area: netArea(rings),
    kx: Math.cos((((minY + maxY) / 2) * Math.PI) / 180),
    contains(x, y) {
      if (x < minX || x > maxX || y < minY || y > maxY) return false
      const strip = strips[Math.max(0, Math.min(nStrips - 1, Math.floor((y - minY) / h)))]!
      let inside = false
      for (const k of strip) {
        const x1 = edges[k * 4]!
        const y1 = edges[k * 4 + 1]!
        const x2 = edges[k * 4 + 2]!
        const y2 = edges[k * 4 + 3]!
        if (y1 > y !== y2 > y && x < x1 + ((y - y1) * (x2 - x1)) / (y2 - y1)) inside = !inside
      }
      return inside
    },
  }
}
