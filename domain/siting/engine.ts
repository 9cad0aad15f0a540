/**
 * What the siting capability computes on a network: travel times to the nearest facility of a kind,
 * isochrone polygons, and covering / p-median instances for candidate sites. The server runs these on
 * a worker thread; the tests and the benchmark call them directly.
 */
import { dijkstra, type Graph, type Source } from './graph.js'
import { gridRings } from './isochrone-grid.js'
import { distanceM, metresPerDegree, snap, type Network, type Snap } from './network.js'
import { OFF_PATH, toblerKmh } from './speeds.js'
import type { CoverInstance } from './covering.js'
import type { MedianInstance } from './p-median.js'

export type Mode = 'drive' | 'walk'

/** Sources for a multi-source search from facilities (each walked to from its road node). */
export function facilitySources(net: Network, points: readonly (readonly number[])[]): Source[] {
  const out: Source[] = []
  for (const [lon, lat] of points) {
    const s = snap(net, lon!, lat!, 'from')
    if (s) out.push({ node: s.node, cost: s.seconds })
  }
  return out
}

/** Seconds from every node to the nearest of the facilities (driving; walking uses the reversed walk graph). */
export function timesToNearest(net: Network, facilities: readonly (readonly number[])[], mode: Mode = 'drive'): Float64Array {
  const g = mode === 'drive' ? net.drive : net.walkReverse
  return dijkstra(g, facilitySources(net, facilities))
}

/** Off-road walking speed (m/s) used to paint isochrones beyond the nodes: Tobler on the flat, off paths. */
const PAINT_MS = (toblerKmh(0) * OFF_PATH) / 3.6
/** How far beyond a road node an isochrone reaches on foot at most (metres). */
const PAINT_MAX_M = 1500

export interface IsochroneBand {
  minutes: number
  /** MultiPolygon coordinates. */
  polygons: number[][][][]
}

/** Isochrone polygons from a point (travel outwards), one per limit, drawn on a grid of ≤ 240 cells a side. */
export function isochrone(net: Network, lon: number, lat: number, minutes: readonly number[], mode: Mode): IsochroneBand[] {
  const max = Math.max(...minutes) * 60
  const s = snap(net, lon, lat, 'to', mode)
  const g: Graph = mode === 'drive' ? net.drive : net.walk
  const reached: number[] = []
  const dist = s ? dijkstra(g, [{ node: s.node, cost: s.seconds }], max, undefined, reached) : new Float64Array(0)
  // Extent: the reached nodes and the point, plus what a walk can add.
  let w = lon
  let e = lon
  let so = lat
  let n = lat
  for (const i of reached) {
    w = Math.min(w, net.lon[i]!)
    e = Math.max(e, net.lon[i]!)
    so = Math.min(so, net.lat[i]!)
    n = Math.max(n, net.lat[i]!)
  }
  const m = metresPerDegree(lat)
  const padLon = PAINT_MAX_M / m.lon
  const padLat = PAINT_MAX_M / m.lat
  w -= padLon
  e += padLon
  so -= padLat
  n += padLat
  const cellM = Math.max(60, Math.max((e - w) * m.lon, (n - so) * m.lat) / 240)
  const dx = cellM / m.lon
  const dy = cellM / m.lat
  const width = Math.max(1, Math.ceil((e - w) / dx))
  const height = Math.max(1, Math.ceil((n - so) / dy))
  const t = new Float64Array(width * height).fill(Infinity)
  const paint = (x0: number, y0: number, t0: number) => {
    const reach = Math.min(PAINT_MAX_M, (max - t0) * PAINT_MS)
    if (reach < 0) return
    const cx = Math.floor((x0 - w) / dx)
    const cy = Math.floor((y0 - so) / dy)
    const r = Math.ceil(reach / cellM)
    for (let y = Math.max(0, cy - r); y <= Math.min(height - 1, cy + r); y++)
      for (let x = Math.max(0, cx - r); x <= Math.min(width - 1, cx + r); x++) {
        const d = distanceM(x0, y0, w + (x + 0.5) * dx, so + (y + 0.5) * dy)
        if (d > reach + cellM / 2) continue
        const tt = t0 + d / PAINT_MS
        if (tt < t[y * width + x]!) t[y * width + x] = tt
      }
  }
  paint(lon, lat, 0)
  for (const i of reached) paint(net.lon[i]!, net.lat[i]!, dist[i]!)
  const spec = { west: w, south: so, dx, dy, width, height }
  return [...minutes]
    .sort((a, b) => a - b)
    .map((mins) => ({ minutes: mins, polygons: gridRings(spec, (c) => t[c]! <= mins * 60).map((ring) => [ring]) }))
}

export interface DemandGroup {
  /** Road node id the households walk to. */
  node: number
  walkS: number
  /** People (the covering weight). */
  people: number
  households: number
}

export interface Candidate {
  lon: number
  lat: number
}

export interface SiteInstance {
  cover: CoverInstance
  /** Demand groups already within the standard of an existing facility (not in cover.weights' count). */
  alreadyCovered: Uint8Array
  /** Seconds from each group to its nearest existing facility (Infinity when none). */
  existingS: Float64Array
  /** The snap of each candidate (undefined: unconnected, covers nothing). */
  snaps: (Snap | undefined)[]
}

/**
 * Which demand groups each candidate reaches within `standardS` (driving, walking at both ends), with
 * the groups an existing facility already serves taken out. One bounded search per candidate.
 */
export function coverInstance(net: Network, groups: readonly DemandGroup[], candidates: readonly Candidate[], existing: readonly Candidate[], standardS: number): SiteInstance {
  const nodeIndex = nodeIndexOf(net)
  const gNode = groups.map((g) => nodeIndex.get(g.node) ?? -1)
  const byNode = new Map<number, number[]>()
  gNode.forEach((v, gi) => {
    if (v < 0) return
    const list = byNode.get(v)
    if (list) list.push(gi)
    else byNode.set(v, [gi])
  })
  const existingDist = dijkstra(net.drive, facilitySources(net, existing.map((c) => [c.lon, c.lat])))
  const existingS = Float64Array.from(groups, (g, gi) => (gNode[gi]! >= 0 ? g.walkS + existingDist[gNode[gi]!]! : Infinity))
  const alreadyCovered = Uint8Array.from(existingS, (s) => (s <= standardS ? 1 : 0))
  const weights = Float64Array.from(groups, (g, gi) => (alreadyCovered[gi] ? 0 : g.people))
  const dist = new Float64Array(net.drive.n)
  const reached: number[] = []
  const snaps = candidates.map((c) => snap(net, c.lon, c.lat, 'from'))
  const covers = snaps.map((s) => {
    if (!s || s.seconds > standardS) return new Int32Array(0)
    reached.length = 0
    dijkstra(net.drive, [{ node: s.node, cost: s.seconds }], standardS, dist, reached)
    const out: number[] = []
    for (const v of reached) for (const gi of byNode.get(v) ?? []) if (weights[gi]! > 0 && dist[v]! + groups[gi]!.walkS <= standardS) out.push(gi)
    return Int32Array.from(out)
  })
  return { cover: { weights, covers }, alreadyCovered, existingS, snaps }
}

/** Seconds a group waits when nobody can reach it, in p-median sums (4 hours). */
export const UNREACHABLE_S = 4 * 3600

/** The p-median instance: seconds from every group to every candidate (full searches, so keep candidates few). */
export function medianInstance(net: Network, groups: readonly DemandGroup[], candidates: readonly Candidate[], existing: readonly Candidate[]): MedianInstance & { snaps: (Snap | undefined)[] } {
  const nodeIndex = nodeIndexOf(net)
  const gNode = groups.map((g) => nodeIndex.get(g.node) ?? -1)
  const cap = (s: number) => Math.min(UNREACHABLE_S, s)
  const existingDist = dijkstra(net.drive, facilitySources(net, existing.map((c) => [c.lon, c.lat])))
  const existingS = Float64Array.from(groups, (g, gi) => cap(gNode[gi]! >= 0 ? g.walkS + existingDist[gNode[gi]!]! : Infinity))
  const dist = new Float64Array(net.drive.n)
  const snaps = candidates.map((c) => snap(net, c.lon, c.lat, 'from'))
  const times = snaps.map((s) => {
    const row = new Float32Array(groups.length).fill(UNREACHABLE_S)
    if (!s) return row
    dijkstra(net.drive, [{ node: s.node, cost: s.seconds }], UNREACHABLE_S, dist)
    groups.forEach((g, gi) => {
      if (gNode[gi]! >= 0) row[gi] = cap(dist[gNode[gi]!]! + g.walkS)
    })
    return row
  })
  return { weights: Float64Array.from(groups, (g) => g.people), existing: existingS, times, snaps }
}

const indexCache = new WeakMap<Network, Map<number, number>>()
/** Graph node of each road node id. */
export function nodeIndexOf(net: Network): Map<number, number> {
  let m = indexCache.get(net)
  if (!m) {
    m = new Map()
    net.nodeIds.forEach((id, i) => m!.set(id, i))
    indexCache.set(net, m)
  }
  return m
}
