/**
 * The routable network: road arcs timed by class and grade (driving) or by Tobler (walking, both
 * directions apart: uphill is slower), and the off-road walk from any point to a nearby road node.
 * Assumptions: a road that crosses a river crosses it on a bridge (the road layer is noded at
 * junctions only, and no road is cut at a river); an off-road walk may not cross a river line, except
 * as a ford costing FORD_PENALTY_S more when every nearby node lies across one.
 */
import { graphFromArcs, reverseGraph, type Arc, type Graph } from './graph.js'
import { driveSeconds, walkSeconds, type RoadClass } from './speeds.js'

export interface RoadInput {
  id: number
  cls: RoadClass
  source: number
  target: number
  lengthM: number
  /** Flat lon,lat pairs from the source node to the target node. */
  coords: number[]
}

export interface NetworkInput {
  roads: RoadInput[]
  /** River centre lines, each flat lon,lat pairs. */
  rivers: number[][]
}

export type Elevation = (lon: number, lat: number) => number

export const FORD_PENALTY_S = 600
/** Farthest a walk to the road is looked for (metres): beyond it the point is unconnected. */
export const MAX_SNAP_M = 15_000
const NODE_CELL = 0.01
const RIVER_CELL = 0.02
const SAMPLE_M = 100
/** Nearest nodes tried by snap(). */
const SNAP_CANDIDATES = 4

const RAD = Math.PI / 180
/** Metres per degree at a latitude (the same series as geodata/terrain-format.ts). */
export function metresPerDegree(lat: number): { lon: number; lat: number } {
  const p = lat * RAD
  return { lon: 111412.84 * Math.cos(p) - 93.5 * Math.cos(3 * p), lat: 111132.92 - 559.82 * Math.cos(2 * p) + 1.175 * Math.cos(4 * p) }
}

export function distanceM(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const m = metresPerDegree((lat1 + lat2) / 2)
  return Math.hypot((lon2 - lon1) * m.lon, (lat2 - lat1) * m.lat)
}

export interface Snap {
  node: number
  /** Seconds of the off-road walk (towards the node for 'to', from it for 'from'). */
  seconds: number
  metres: number
  ford: boolean
}

export interface Network {
  /** Road node id of each graph node. */
  nodeIds: Int32Array
  lon: Float64Array
  lat: Float64Array
  drive: Graph
  walk: Graph
  walkReverse: Graph
  /** Road arcs: the road id behind each drive arc (for the road-link reports). */
  elevation: Elevation
  nodeGrid: Map<string, number[]>
  riverGrid: Map<string, number[]>
  /** River segments: x1,y1,x2,y2 per segment. */
  riverSegs: Float64Array
}

const key = (x: number, y: number) => `${x},${y}`

/** Builds the network; `elevation` samples the DEM (a flat 0 when there is none). */
export function buildNetwork(input: NetworkInput, elevation: Elevation): Network {
  const index = new Map<number, number>()
  const lons: number[] = []
  const lats: number[] = []
  const ids: number[] = []
  const nodeOf = (id: number, lon: number, lat: number) => {
    let i = index.get(id)
    if (i === undefined) {
      i = ids.length
      index.set(id, i)
      ids.push(id)
      lons.push(lon)
      lats.push(lat)
    }
    return i
  }
  const drive: Arc[] = []
  const walk: Arc[] = []
  for (const r of input.roads) {
    const c = r.coords
    if (c.length < 4) continue
    const a = nodeOf(r.source, c[0]!, c[1]!)
    const b = nodeOf(r.target, c[c.length - 2]!, c[c.length - 1]!)
    if (a === b) continue
    // Sample the DEM every ~100 m along the line; time each piece by its own grade.
    let geomM = 0
    const pieces: { m: number; dz: number }[] = []
    let px = c[0]!
    let py = c[1]!
    let pz = elevation(px, py)
    for (let v = 2; v < c.length; v += 2) {
      const x = c[v]!
      const y = c[v + 1]!
      const segM = distanceM(px, py, x, y)
      const steps = Math.max(1, Math.ceil(segM / SAMPLE_M))
      for (let s = 1; s <= steps; s++) {
        const qx = px + ((x - px) * s) / steps
        const qy = py + ((y - py) * s) / steps
        const qz = elevation(qx, qy)
        pieces.push({ m: segM / steps, dz: qz - pz })
        pz = qz
      }
      geomM += segM
      px = x
      py = y
    }
    const scale = geomM > 0 && r.lengthM > 0 ? r.lengthM / geomM : 1
    let tDrive = 0
    let tUp = 0
    let tDown = 0
    for (const p of pieces) {
      const m = p.m * scale
      tDrive += driveSeconds(m, p.dz, r.cls)
      tUp += walkSeconds(m, p.dz, false)
      tDown += walkSeconds(m, -p.dz, false)
    }
    drive.push({ from: a, to: b, cost: tDrive }, { from: b, to: a, cost: tDrive })
    walk.push({ from: a, to: b, cost: tUp }, { from: b, to: a, cost: tDown })
  }
  const n = ids.length
  const walkGraph = graphFromArcs(n, walk)
  const nodeGrid = new Map<string, number[]>()
  for (let i = 0; i < n; i++) {
    const k = key(Math.floor(lons[i]! / NODE_CELL), Math.floor(lats[i]! / NODE_CELL))
    const list = nodeGrid.get(k)
    if (list) list.push(i)
    else nodeGrid.set(k, [i])
  }
  const segs: number[] = []
  const riverGrid = new Map<string, number[]>()
  for (const line of input.rivers) {
    for (let v = 0; v + 3 < line.length; v += 2) {
      const s = segs.length / 4
      const [x1, y1, x2, y2] = [line[v]!, line[v + 1]!, line[v + 2]!, line[v + 3]!]
      segs.push(x1, y1, x2, y2)
      for (let gx = Math.floor(Math.min(x1, x2) / RIVER_CELL); gx <= Math.floor(Math.max(x1, x2) / RIVER_CELL); gx++)
        for (let gy = Math.floor(Math.min(y1, y2) / RIVER_CELL); gy <= Math.floor(Math.max(y1, y2) / RIVER_CELL); gy++) {
          const k = key(gx, gy)
          const list = riverGrid.get(k)
          if (list) list.push(s)
          else riverGrid.set(k, [s])
        }
    }
  }
  return {
    nodeIds: Int32Array.from(ids),
    lon: Float64Array.from(lons),
    lat: Float64Array.from(lats),
    drive: graphFromArcs(n, drive),
    walk: walkGraph,
    walkReverse: reverseGraph(walkGraph),
    elevation,
    nodeGrid,
    riverGrid,
    riverSegs: Float64Array.from(segs),
  }
}

function segmentsCross(ax: number, ay: number, bx: number, by: number, cx: number, cy: number, dx: number, dy: number): boolean {
  const o = (px: number, py: number, qx: number, qy: number, rx: number, ry: number) => (qx - px) * (ry - py) - (qy - py) * (rx - px)
  const d1 = o(cx, cy, dx, dy, ax, ay)
  const d2 = o(cx, cy, dx, dy, bx, by)
  const d3 = o(ax, ay, bx, by, cx, cy)
  const d4 = o(ax, ay, bx, by, dx, dy)
  return d1 * d2 < 0 && d3 * d4 < 0
}

/** Whether the straight walk between two points crosses a river line. */
export function crossesRiver(net: Network, x1: number, y1: number, x2: number, y2: number): boolean {
  const seen = new Set<number>()
  for (let gx = Math.floor(Math.min(x1, x2) / RIVER_CELL); gx <= Math.floor(Math.max(x1, x2) / RIVER_CELL); gx++)
    for (let gy = Math.floor(Math.min(y1, y2) / RIVER_CELL); gy <= Math.floor(Math.max(y1, y2) / RIVER_CELL); gy++) {
      for (const s of net.riverGrid.get(key(gx, gy)) ?? []) {
        if (seen.has(s)) continue
        seen.add(s)
        const r = net.riverSegs
        if (segmentsCross(x1, y1, x2, y2, r[4 * s]!, r[4 * s + 1]!, r[4 * s + 2]!, r[4 * s + 3]!)) return true
      }
    }
  return false
}

/** Seconds to walk straight (off-road) from one point to another over the DEM, in 5 pieces. */
export function offRoadSeconds(net: Pick<Network, 'elevation'>, x1: number, y1: number, x2: number, y2: number): number {
  const total = distanceM(x1, y1, x2, y2)
  if (total === 0) return 0
  let t = 0
  let z = net.elevation(x1, y1)
  for (let s = 1; s <= 5; s++) {
    const nz = net.elevation(x1 + ((x2 - x1) * s) / 5, y1 + ((y2 - y1) * s) / 5)
    t += walkSeconds(total / 5, nz - z, true)
    z = nz
  }
  return t
}

/**
 * The road node a point walks to ('to') or is walked to from ('from'): the quickest of the four
 * nearest nodes by Tobler over the DEM, not across a river unless every one is (a ford). Undefined
 * when no node lies within MAX_SNAP_M.
 */
export function snap(net: Network, lon: number, lat: number, dir: 'to' | 'from' = 'to'): Snap | undefined {
  const gx = Math.floor(lon / NODE_CELL)
  const gy = Math.floor(lat / NODE_CELL)
  const near: { i: number; m: number }[] = []
  const maxRing = Math.ceil(MAX_SNAP_M / 1000 / (NODE_CELL * 100)) + 1
  for (let ring = 0; ring <= maxRing; ring++) {
    for (let x = gx - ring; x <= gx + ring; x++)
      for (let y = gy - ring; y <= gy + ring; y++) {
        if (Math.max(Math.abs(x - gx), Math.abs(y - gy)) !== ring) continue
        for (const i of net.nodeGrid.get(key(x, y)) ?? []) near.push({ i, m: distanceM(lon, lat, net.lon[i]!, net.lat[i]!) })
      }
    // A node found in ring r is within r+1 cells; anything closer lies in the rings searched so far plus one.
    if (near.length >= SNAP_CANDIDATES && ring >= 1) {
      const sorted = near.sort((a, b) => a.m - b.m)
      const ringM = ring * NODE_CELL * metresPerDegree(lat).lat * 0.85
      if (sorted[SNAP_CANDIDATES - 1]!.m <= ringM) break
    }
  }
  near.sort((a, b) => a.m - b.m || a.i - b.i)
  let best: Snap | undefined
  let bestFord: Snap | undefined
  for (const { i, m } of near.slice(0, SNAP_CANDIDATES)) {
    if (m > MAX_SNAP_M) break
    const [x1, y1, x2, y2] = dir === 'to' ? [lon, lat, net.lon[i]!, net.lat[i]!] : [net.lon[i]!, net.lat[i]!, lon, lat]
    const t = offRoadSeconds(net, x1, y1, x2, y2)
    if (crossesRiver(net, lon, lat, net.lon[i]!, net.lat[i]!)) {
      if (!bestFord || t + FORD_PENALTY_S < bestFord.seconds) bestFord = { node: i, seconds: t + FORD_PENALTY_S, metres: m, ford: true }
    } else if (!best || t < best.seconds) best = { node: i, seconds: t, metres: m, ford: false }
  }
  return best ?? bestFord
}
