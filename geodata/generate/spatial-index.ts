/**
 * Small geometry helpers and grid-bucket indexes shared by the road, facility, indicator, household
 * and project generators. Distances use a local equirectangular projection (accurate to well under
 * 1 % at Hunan's latitudes over the tens of kilometres these generators measure); kdbush and other
 * spatial packages are not dependencies, so nearest-neighbour search is a ring search over grid cells.
 */
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon'
import type { MultiPolygon, Point, Position } from 'geojson'
import type { Rng } from './rng.js'

export type LonLat = readonly [number, number]

export const KM_PER_DEG_LAT = 110.574
export const KM_PER_DEG_LON_EQUATOR = 111.32
const RAD = Math.PI / 180

export function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6
}

export function roundPos(p: LonLat): [number, number] {
  return [round6(p[0]), round6(p[1])]
}

export function pointGeom(p: LonLat): Point {
  return { type: 'Point', coordinates: roundPos(p) }
}

export function lonLatOf(point: Point): [number, number] {
  return [point.coordinates[0]!, point.coordinates[1]!]
}

export function distanceKm(a: LonLat, b: LonLat): number {
  const c = Math.cos(((a[1] + b[1]) / 2) * RAD) * KM_PER_DEG_LON_EQUATOR
  return Math.hypot((b[0] - a[0]) * c, (b[1] - a[1]) * KM_PER_DEG_LAT)
}

/** Shortest distance in km from p to the segment a–b. */
export function pointSegmentDistanceKm(p: LonLat, a: LonLat, b: LonLat): number {
  const c = Math.cos(p[1] * RAD) * KM_PER_DEG_LON_EQUATOR
  const ax = (a[0] - p[0]) * c
  const ay = (a[1] - p[1]) * KM_PER_DEG_LAT
  const dx = (b[0] - p[0]) * c - ax
  const dy = (b[1] - p[1]) * KM_PER_DEG_LAT - ay
  const len2 = dx * dx + dy * dy
  let t = len2 > 0 ? -(ax * dx + ay * dy) / len2 : 0
  t = t < 0 ? 0 : t > 1 ? 1 : t
  return Math.hypot(ax + t * dx, ay + t * dy)
}

/** Moves a position by east/north offsets in km. */
export function offsetKm(p: LonLat, eastKm: number, northKm: number): [number, number] {
  return [p[0] + eastKm / (Math.cos(p[1] * RAD) * KM_PER_DEG_LON_EQUATOR), p[1] + northKm / KM_PER_DEG_LAT]
}

export function insideArea(p: LonLat, geom: MultiPolygon | null): boolean {
  if (!geom) return false
  return booleanPointInPolygon([p[0], p[1]], geom)
}

export function bboxOf(geom: MultiPolygon): [number, number, number, number] {
  let w = Infinity
  let s = Infinity
  let e = -Infinity
  let n = -Infinity
  for (const poly of geom.coordinates)
    for (const ring of poly)
      for (const pos of ring) {
        if (pos[0]! < w) w = pos[0]!
        if (pos[0]! > e) e = pos[0]!
        if (pos[1]! < s) s = pos[1]!
        if (pos[1]! > n) n = pos[1]!
      }
  return [w, s, e, n]
}

/**
 * A random position near `center` (normal offsets with `sdKm` per axis) that lies inside `geom`;
 * after `tries` misses, the position falls back to `center` (a seat is inside its area).
 */
export function randomPointNear(
  center: LonLat,
  sdKm: number,
  geom: MultiPolygon | null,
  rng: Rng,
  tries = 30,
): [number, number] {
  for (let i = 0; i < tries; i++) {
    const p = roundPos(offsetKm(center, rng.normal(0, sdKm), rng.normal(0, sdKm)))
    if (!geom || insideArea(p, geom)) return p
  }
  return roundPos(center)
}

/** A uniformly random position inside `geom` (rejection in its bounding box); null if none found. */
export function randomPointIn(geom: MultiPolygon, rng: Rng, tries = 60): [number, number] | null {
  const [w, s, e, n] = bboxOf(geom)
  for (let i = 0; i < tries; i++) {
    const p = roundPos([rng.range(w, e), rng.range(s, n)])
    if (insideArea(p, geom)) return p
  }
  return null
}

/**
 * Up to `n` deterministic sample positions spread over an area (centres of a regular grid over
 * the bounding box that fall inside), used to average terrain and distances over a village.
 */
export function samplePositions(geom: MultiPolygon, n: number): [number, number][] {
  const [w, s, e, nn] = bboxOf(geom)
  const out: [number, number][] = []
  for (let k = 2; k <= 8 && out.length < n; k++) {
    out.length = 0
    for (let i = 0; i < k; i++)
      for (let j = 0; j < k; j++) {
        const p: [number, number] = [w + ((i + 0.5) / k) * (e - w), nn - ((j + 0.5) / k) * (nn - s)]
        if (insideArea(p, geom)) out.push(p)
      }
  }
  if (out.length <= n) return out
  const step = out.length / n
  return Array.from({ length: n }, (_, i) => out[Math.floor(i * step)]!)
}

function cellKey(cx: number, cy: number): number {
  return (cx + 40000) * 80000 + (cy + 40000)
}

/** Lower bound, in km, of the distance to anything in rings beyond `ring` around a query at `lat`. */
function ringBoundKm(ring: number, cellDeg: number, lat: number): number {
  const maxLat = Math.min(89, Math.abs(lat) + (ring + 1) * cellDeg)
  return ring * cellDeg * Math.min(KM_PER_DEG_LAT, Math.cos(maxLat * RAD) * KM_PER_DEG_LON_EQUATOR)
}

export interface Nearest<T> {
  item: T
  km: number
}

/** Points in grid buckets; nearest-item queries by ring search, with an optional item filter. */
export class PointIndex<T> {
  private readonly cells = new Map<number, { p: LonLat; item: T }[]>()
  private minX = Infinity
  private maxX = -Infinity
  private minY = Infinity
  private maxY = -Infinity
  size = 0

  constructor(private readonly cellDeg = 0.05) {}

  add(p: LonLat, item: T): void {
    const cx = Math.floor(p[0] / this.cellDeg)
    const cy = Math.floor(p[1] / this.cellDeg)
    const key = cellKey(cx, cy)
    let bucket = this.cells.get(key)
    if (!bucket) this.cells.set(key, (bucket = []))
    bucket.push({ p, item })
    this.minX = Math.min(this.minX, cx)
    this.maxX = Math.max(this.maxX, cx)
    this.minY = Math.min(this.minY, cy)
    this.maxY = Math.max(this.maxY, cy)
    this.size++
  }

  nearest(p: LonLat, filter?: (item: T) => boolean, maxKm = Infinity): Nearest<T> | null {
    if (this.size === 0) return null
    const cx = Math.floor(p[0] / this.cellDeg)
    const cy = Math.floor(p[1] / this.cellDeg)
    const maxRing = Math.max(
      Math.abs(cx - this.minX),
      Math.abs(cx - this.maxX),
      Math.abs(cy - this.minY),
      Math.abs(cy - this.maxY),
    )
    let best: Nearest<T> | null = null
    for (let r = 0; r <= maxRing; r++) {
      for (let x = cx - r; x <= cx + r; x++) {
        const edge = x === cx - r || x === cx + r
        for (let y = cy - r; y <= cy + r; y += edge ? 1 : 2 * r) {
          const bucket = this.cells.get(cellKey(x, y))
          if (bucket)
            for (const e of bucket) {
              if (filter && !filter(e.item)) continue
              const km = distanceKm(p, e.p)
              if (km <= maxKm && (!best || km < best.km)) best = { item: e.item, km }
            }
          if (r === 0) break
        }
      }
      const bound = ringBoundKm(r, this.cellDeg, p[1])
      if ((best && best.km <= bound) || bound > maxKm) break
    }
    return best
  }
}

export interface Segment<T> {
  a: LonLat
  b: LonLat
  item: T
}

/** Line segments in every grid bucket their bounding box touches; nearest-segment queries. */
export class SegmentIndex<T> {
  private readonly cells = new Map<number, Segment<T>[]>()
  private minX = Infinity
  private maxX = -Infinity
  private minY = Infinity
  private maxY = -Infinity
  size = 0

  constructor(private readonly cellDeg = 0.02) {}

  add(a: LonLat, b: LonLat, item: T): void {
    const seg: Segment<T> = { a, b, item }
    const x0 = Math.floor(Math.min(a[0], b[0]) / this.cellDeg)
    const x1 = Math.floor(Math.max(a[0], b[0]) / this.cellDeg)
    const y0 = Math.floor(Math.min(a[1], b[1]) / this.cellDeg)
    const y1 = Math.floor(Math.max(a[1], b[1]) / this.cellDeg)
    for (let x = x0; x <= x1; x++)
      for (let y = y0; y <= y1; y++) {
        const key = cellKey(x, y)
        let bucket = this.cells.get(key)
        if (!bucket) this.cells.set(key, (bucket = []))
        bucket.push(seg)
      }
    this.minX = Math.min(this.minX, x0)
    this.maxX = Math.max(this.maxX, x1)
    this.minY = Math.min(this.minY, y0)
    this.maxY = Math.max(this.maxY, y1)
    this.size++
  }

  addLine(coords: readonly Position[], item: T): void {
    for (let i = 1; i < coords.length; i++) {
      const a = coords[i - 1]!
      const b = coords[i]!
      this.add([a[0]!, a[1]!], [b[0]!, b[1]!], item)
    }
  }

  /** Every bucket (for pairwise work such as noding); a segment appears in each bucket it touches. */
  buckets(): IterableIterator<[number, Segment<T>[]]> {
    return this.cells.entries()
  }

  static cellOf(p: LonLat, cellDeg: number): number {
    return cellKey(Math.floor(p[0] / cellDeg), Math.floor(p[1] / cellDeg))
  }

  get cellSizeDeg(): number {
    return this.cellDeg
  }

  private visit(p: LonLat, maxKm: number, fn: (s: Segment<T>, km: number) => void, stop: () => number): void {
    if (this.size === 0) return
    const cx = Math.floor(p[0] / this.cellDeg)
    const cy = Math.floor(p[1] / this.cellDeg)
    const maxRing = Math.max(
      Math.abs(cx - this.minX),
      Math.abs(cx - this.maxX),
      Math.abs(cy - this.minY),
      Math.abs(cy - this.maxY),
    )
    const seen = new Set<Segment<T>>()
    for (let r = 0; r <= maxRing; r++) {
      for (let x = cx - r; x <= cx + r; x++) {
        const edge = x === cx - r || x === cx + r
        for (let y = cy - r; y <= cy + r; y += edge ? 1 : 2 * r) {
          const bucket = this.cells.get(cellKey(x, y))
          if (bucket)
            for (const s of bucket) {
              if (seen.has(s)) continue
              seen.add(s)
              const km = pointSegmentDistanceKm(p, s.a, s.b)
              if (km <= maxKm) fn(s, km)
            }
          if (r === 0) break
        }
      }
      const bound = ringBoundKm(r, this.cellDeg, p[1])
      if (bound >= stop() || bound > maxKm) break
    }
  }

  nearest(p: LonLat, filter?: (item: T) => boolean, maxKm = Infinity): Nearest<T> | null {
    let best: Nearest<T> | null = null
    this.visit(
      p,
      maxKm,
      (s, km) => {
        if (filter && !filter(s.item)) return
        if (!best || km < best.km) best = { item: s.item, km }
      },
      () => (best ? best.km : Infinity),
    )
    return best
  }

  /** Every segment within `maxKm` of p, with its distance. */
  within(p: LonLat, maxKm: number): Nearest<T>[] {
    const out: Nearest<T>[] = []
    this.visit(p, maxKm, (s, km) => out.push({ item: s.item, km }), () => Infinity)
    return out
  }
}
