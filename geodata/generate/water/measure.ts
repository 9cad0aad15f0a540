/** Distances and rounding on lon/lat lines, and cell centres of a grid. */
import type { Position } from 'geojson'
import { metresPerDegree } from '../../terrain-format.js'
import type { GridShape, LonLat } from '../terrain/index.js'

export function cellCentre(grid: GridShape, cell: number): LonLat {
  const x = cell % grid.width
  const y = (cell - x) / grid.width
  return [grid.west + (x + 0.5) * grid.cellDeg, grid.north - (y + 0.5) * grid.cellDeg]
}

/** Distance in degrees of latitude from p to the segment a–b, x scaled by kx (cos latitude). */
export function segmentDistance(p: LonLat, a: LonLat, b: LonLat, kx: number): number {
  const ax = (a[0] - p[0]) * kx
  const ay = a[1] - p[1]
  const dx = (b[0] - a[0]) * kx
  const dy = b[1] - a[1]
  const len2 = dx * dx + dy * dy
  const t = len2 > 0 ? Math.min(1, Math.max(0, -(ax * dx + ay * dy) / len2)) : 0
  return Math.hypot(ax + dx * t, ay + dy * t)
}

export function nearestOnSegment(p: LonLat, a: LonLat, b: LonLat): LonLat {
  const kx = Math.cos((p[1] * Math.PI) / 180)
  const dx = (b[0] - a[0]) * kx
  const dy = b[1] - a[1]
  const len2 = dx * dx + dy * dy
  const t = len2 > 0 ? Math.min(1, Math.max(0, ((p[0] - a[0]) * kx * dx + (p[1] - a[1]) * dy) / len2)) : 0
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]
}

export function distanceM(a: LonLat, b: LonLat): number {
  const m = metresPerDegree((a[1] + b[1]) / 2)
  return Math.hypot((b[0] - a[0]) * m.lon, (b[1] - a[1]) * m.lat)
}

export function lineLengthKm(line: LonLat[]): number {
  let total = 0
  for (let k = 0; k + 1 < line.length; k++) total += distanceM(line[k]!, line[k + 1]!)
  return total / 1000
}

export function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6
}

export function roundPosition(p: readonly number[]): Position {
  return [round6(p[0]!), round6(p[1]!)]
}
