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
  /** Road segments x1,y1,x2,y2, the road (index into `roads`) of each and its metres from the road's source. */
  roadSegs: Float64Array
  segRoad: Int32Array
  segStartM: Float64Array
  segGrid: Map<string, number[]>
  /** Per road: graph nodes, geometric length, and seconds along it (drive either way, walk a→b and b→a). */
  roads: { a: number; b: number; geomM: number; drive: number; walkAB: number; walkBA: number }[]
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
  const roads: Network['roads'] = []
  const roadSegs: number[] = []
  const segRoad: number[] = []
  const segStartM: number[] = []
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
    let along = 0
    for (let v = 0; v + 3 < c.length; v += 2) {
      roadSegs.push(c[v]!, c[v + 1]!, c[v + 2]!, c[v + 3]!)
      segRoad.push(roads.length)
      segStartM.push(along)
      along += distanceM(c[v]!, c[v + 1]!, c[v + 2]!, c[v + 3]!)
    }
    roads.push({ a, b, geomM: geomM, drive: tDrive, walkAB: tUp, walkBA: tDown })
  }
  const segGrid = new Map<string, number[]>()
  for (let sg = 0; sg < segRoad.length; sg++) {
    const [x1, y1, x2, y2] = [roadSegs[4 * sg]!, roadSegs[4 * sg + 1]!, roadSegs[4 * sg + 2]!, roadSegs[4 * sg + 3]!]
    for (let gx = Math.floor(Math.min(x1, x2) / NODE_CELL); gx <= Math.floor(Math.max(x1, x2) / NODE_CELL); gx++)
      for (let gy = Math.floor(Math.min(y1, y2) / NODE_CELL); gy <= Math.floor(Math.max(y1, y2) / NODE_CELL); gy++) {
        const k = key(gx, gy)
        const list = segGrid.get(k)
        if (list) list.push(sg)
        else segGrid.set(k, [sg])
      }
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
    roadSegs: Float64Array.from(roadSegs),
    segRoad: Int32Array.from(segRoad),
    segStartM: Float64Array.from(segStartM),
    segGrid,
    roads,
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
 * Where a point joins the network ('to': a household walking to the road; 'from': the road to a facility's
 * door): the nearest road segments (the four nearest), reached by an off-road walk (Tobler over the DEM)
 * to the nearest point on each, then along that road to one of its end nodes (driving, or walking in
 * 'walk' mode) — the quickest of these. A walk may not cross a river unless every option does (a ford,
 * FORD_PENALTY_S more). Undefined when no road lies within MAX_SNAP_M.
 */
export function snap(net: Network, lon: number, lat: number, dir: 'to' | 'from' = 'to', mode: 'drive' | 'walk' = 'drive'): Snap | undefined {
  const m = metresPerDegree(lat)
  const gx = Math.floor(lon / NODE_CELL)
  const gy = Math.floor(lat / NODE_CELL)
  const cellM = NODE_CELL * Math.min(m.lon, m.lat)
  const maxRing = Math.ceil(MAX_SNAP_M / cellM) + 1
  const found = new Map<number, { metres: number; qx: number; qy: number; t: number }>()
  const seen = new Set<number>()
  for (let ring = 0; ring <= maxRing; ring++) {
    for (let x = gx - ring; x <= gx + ring; x++)
      for (let y = gy - ring; y <= gy + ring; y++) {
        if (Math.max(Math.abs(x - gx), Math.abs(y - gy)) !== ring) continue
        for (const sg of net.segGrid.get(key(x, y)) ?? []) {
          if (seen.has(sg)) continue
          seen.add(sg)
          const r = net.roadSegs
          const [x1, y1, x2, y2] = [r[4 * sg]!, r[4 * sg + 1]!, r[4 * sg + 2]!, r[4 * sg + 3]!]
          // Projection in a local metric plane.
          const ux = (x2 - x1) * m.lon
          const uy = (y2 - y1) * m.lat
          const len2 = ux * ux + uy * uy
          const t = len2 > 0 ? Math.min(1, Math.max(0, ((lon - x1) * m.lon * ux + (lat - y1) * m.lat * uy) / len2)) : 0
          const qx = x1 + (x2 - x1) * t
          const qy = y1 + (y2 - y1) * t
          found.set(sg, { metres: distanceM(lon, lat, qx, qy), qx, qy, t })
        }
      }
    // Everything nearer than the searched rings' inner distance has been seen.
    const nearest = [...found.values()].map((f) => f.metres).sort((a, b) => a - b)
    if (nearest.length >= SNAP_CANDIDATES && nearest[SNAP_CANDIDATES - 1]! <= ring * cellM) break
    if (nearest.length > 0 && ring >= 1 && nearest[0]! > MAX_SNAP_M) break
  }
  const options = [...found.entries()].sort((a, b) => a[1].metres - b[1].metres || a[0] - b[0]).slice(0, SNAP_CANDIDATES)
  let best: Snap | undefined
  let bestFord: Snap | undefined
  for (const [sg, f] of options) {
    if (f.metres > MAX_SNAP_M) break
    const road = net.roads[net.segRoad[sg]!]!
    const r = net.roadSegs
    const segM = distanceM(r[4 * sg]!, r[4 * sg + 1]!, r[4 * sg + 2]!, r[4 * sg + 3]!)
    const frac = road.geomM > 0 ? Math.min(1, (net.segStartM[sg]! + f.t * segM) / road.geomM) : 0
    const walk = dir === 'to' ? offRoadSeconds(net, lon, lat, f.qx, f.qy) : offRoadSeconds(net, f.qx, f.qy, lon, lat)
    const ford = crossesRiver(net, lon, lat, f.qx, f.qy)
    // Along the road from the joining point to a (towards the source) or to b; 'from' runs the other way.
    const toA = mode === 'drive' ? frac * road.drive : frac * (dir === 'to' ? road.walkBA : road.walkAB)
    const toB = mode === 'drive' ? (1 - frac) * road.drive : (1 - frac) * (dir === 'to' ? road.walkAB : road.walkBA)
    for (const [node, along] of [[road.a, toA], [road.b, toB]] as const) {
      const seconds = walk + along + (ford ? FORD_PENALTY_S : 0)
      const option: Snap = { node, seconds, metres: f.metres, ford }
      if (ford) {
        if (!bestFord || seconds < bestFord.seconds) bestFord = option
      } else if (!best || seconds < best.seconds) best = option
    }
  }
  return best ?? bestFord
}
