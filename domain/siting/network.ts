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
  coords: ArrayLike<number>
}

export interface NetworkInput {
  roads: RoadInput[]
  /** River centre lines, each flat lon,lat pairs. */
  rivers: ArrayLike<number>[]
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
  /** River segments: x1,y1,x2,y2 per segment, and the RIVER_CELL grid of them. */
  riverSegs: Float64Array
  riverIndex: GridIndex
  /** Road segments x1,y1,x2,y2, the road (index into `roads`) of each and its metres from the road's source. */
  roadSegs: Float64Array
  segRoad: Int32Array
  segStartM: Float64Array
  /** The NODE_CELL grid of the road segments. */
  segIndex: GridIndex
  /** Per road: graph nodes, geometric length, and seconds along it (drive either way, walk a→b and b→a). */
  roads: { a: number; b: number; geomM: number; drive: number; walkAB: number; walkBA: number }[]
}

/**
 * Segments by the cells of a regular lon/lat grid that their bounding boxes touch, in compressed rows
 * over the grid's extent (cell (gx, gy) holds items[start[c]..start[c + 1]], c = (gy − y0)·w + gx − x0),
 * each cell's segments in ascending order; `seen` and `gen` let a search visit each segment once
 * without a Set (a search takes the next generation).
 */
export interface GridIndex {
  cell: number
  x0: number
  y0: number
  w: number
  h: number
  start: Int32Array
  items: Int32Array
  seen: Int32Array
  gen: number
}

/** Cells of the densest grid index allowed (a network spanning more is refused: bad coordinates). */
const MAX_GRID_CELLS = 16_000_000

function gridIndex(segs: Float64Array, cell: number): GridIndex {
  const n = segs.length / 4
  let minX = Infinity
  let minY = Infinity
  let maxX = -Infinity
  let maxY = -Infinity
  for (let i = 0; i < n; i++) {
    minX = Math.min(minX, segs[4 * i]!, segs[4 * i + 2]!)
    maxX = Math.max(maxX, segs[4 * i]!, segs[4 * i + 2]!)
    minY = Math.min(minY, segs[4 * i + 1]!, segs[4 * i + 3]!)
    maxY = Math.max(maxY, segs[4 * i + 1]!, segs[4 * i + 3]!)
  }
  const x0 = n ? Math.floor(minX / cell) : 0
  const y0 = n ? Math.floor(minY / cell) : 0
  const w = n ? Math.floor(maxX / cell) - x0 + 1 : 0
  const h = n ? Math.floor(maxY / cell) - y0 + 1 : 0
  if (w * h > MAX_GRID_CELLS) throw new Error(`buildNetwork: segments span ${w}×${h} cells of ${cell}°: coordinates out of range?`)
  const start = new Int32Array(w * h + 1)
  const each = (i: number, visit: (c: number) => void) => {
    const gx1 = Math.floor(Math.min(segs[4 * i]!, segs[4 * i + 2]!) / cell) - x0
    const gx2 = Math.floor(Math.max(segs[4 * i]!, segs[4 * i + 2]!) / cell) - x0
    const gy1 = Math.floor(Math.min(segs[4 * i + 1]!, segs[4 * i + 3]!) / cell) - y0
    const gy2 = Math.floor(Math.max(segs[4 * i + 1]!, segs[4 * i + 3]!) / cell) - y0
    for (let gx = gx1; gx <= gx2; gx++) for (let gy = gy1; gy <= gy2; gy++) visit(gy * w + gx)
  }
  for (let i = 0; i < n; i++) each(i, (c) => start[c + 1]!++)
  for (let c = 0; c < w * h; c++) start[c + 1]! += start[c]!
  const fill = start.slice(0, Math.max(0, w * h))
  const items = new Int32Array(start[w * h]!)
  for (let i = 0; i < n; i++) each(i, (c) => (items[fill[c]!++] = i))
  return { cell, x0, y0, w, h, start, items, seen: new Int32Array(n), gen: 0 }
}

/** Starts a search over the index: the generation that marks its visited segments. */
function nextGen(g: GridIndex): number {
  if (g.gen >= 0x7fffffff) {
    g.seen.fill(0)
    g.gen = 0
  }
  return ++g.gen
}

/** The compressed row of cell (gx, gy), or -1 when it lies outside the index's extent. */
function cellOf(g: GridIndex, gx: number, gy: number): number {
  const x = gx - g.x0
  const y = gy - g.y0
  return x < 0 || y < 0 || x >= g.w || y >= g.h ? -1 : y * g.w + x
}

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
    // The line's length first (the road's stated length scales it), then the DEM sampled every ~100 m
    // along it, each piece timed by its own grade.
    let geomM = 0
    for (let v = 2; v < c.length; v += 2) geomM += distanceM(c[v - 2]!, c[v - 1]!, c[v]!, c[v + 1]!)
    const scale = geomM > 0 && r.lengthM > 0 ? r.lengthM / geomM : 1
    let tDrive = 0
    let tUp = 0
    let tDown = 0
    let along = 0
    let pz = elevation(c[0]!, c[1]!)
    for (let v = 2; v < c.length; v += 2) {
      const px = c[v - 2]!
      const py = c[v - 1]!
      const x = c[v]!
      const y = c[v + 1]!
      const segM = distanceM(px, py, x, y)
      const steps = Math.max(1, Math.ceil(segM / SAMPLE_M))
      const m = (segM / steps) * scale
      for (let s = 1; s <= steps; s++) {
        const qz = elevation(px + ((x - px) * s) / steps, py + ((y - py) * s) / steps)
        const dz = qz - pz
        tDrive += driveSeconds(m, dz, r.cls)
        tUp += walkSeconds(m, dz, false)
        tDown += walkSeconds(m, -dz, false)
        pz = qz
      }
      roadSegs.push(px, py, x, y)
      segRoad.push(roads.length)
      segStartM.push(along)
      along += segM
    }
    drive.push({ from: a, to: b, cost: tDrive }, { from: b, to: a, cost: tDrive })
    walk.push({ from: a, to: b, cost: tUp }, { from: b, to: a, cost: tDown })
    roads.push({ a, b, geomM: geomM, drive: tDrive, walkAB: tUp, walkBA: tDown })
  }
  const n = ids.length
  const walkGraph = graphFromArcs(n, walk)
  const segs: number[] = []
  for (const line of input.rivers) for (let v = 0; v + 3 < line.length; v += 2) segs.push(line[v]!, line[v + 1]!, line[v + 2]!, line[v + 3]!)
  const riverSegs = Float64Array.from(segs)
  const roadSegArray = Float64Array.from(roadSegs)
  return {
    nodeIds: Int32Array.from(ids),
    lon: Float64Array.from(lons),
    lat: Float64Array.from(lats),
    drive: graphFromArcs(n, drive),
    walk: walkGraph,
    walkReverse: reverseGraph(walkGraph),
    elevation,
    riverSegs,
    riverIndex: gridIndex(riverSegs, RIVER_CELL),
    roadSegs: roadSegArray,
    segRoad: Int32Array.from(segRoad),
    segStartM: Float64Array.from(segStartM),
    segIndex: gridIndex(roadSegArray, NODE_CELL),
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
  const g = net.riverIndex
  const gen = nextGen(g)
  const r = net.riverSegs
  for (let gx = Math.floor(Math.min(x1, x2) / RIVER_CELL); gx <= Math.floor(Math.max(x1, x2) / RIVER_CELL); gx++)
    for (let gy = Math.floor(Math.min(y1, y2) / RIVER_CELL); gy <= Math.floor(Math.max(y1, y2) / RIVER_CELL); gy++) {
      const c = cellOf(g, gx, gy)
      if (c < 0) continue
      for (let k = g.start[c]!, end = g.start[c + 1]!; k < end; k++) {
        const s = g.items[k]!
        if (g.seen[s] === gen) continue
        g.seen[s] = gen
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
  const g = net.segIndex
  const search: RingSearch = { net, lon, lat, mlon: m.lon, mlat: m.lat, gen: nextGen(g), found: 0 }
  for (let ring = 0; ring <= maxRing; ring++) {
    if (ring === 0) visitCell(search, gx, gy)
    else {
      for (let x = gx - ring; x <= gx + ring; x++) {
        visitCell(search, x, gy - ring)
        visitCell(search, x, gy + ring)
      }
      for (let y = gy - ring + 1; y < gy + ring; y++) {
        visitCell(search, gx - ring, y)
        visitCell(search, gx + ring, y)
      }
    }
    // Everything nearer than the searched rings' inner distance has been seen.
    if (search.found >= SNAP_CANDIDATES && TOP_M[SNAP_CANDIDATES - 1]! <= ring * cellM) break
    if (search.found > 0 && ring >= 1 && TOP_M[0]! > MAX_SNAP_M) break
  }
  let best: Snap | undefined
  let bestFord: Snap | undefined
  const options = Math.min(search.found, SNAP_CANDIDATES)
  for (let o = 0; o < options; o++) {
    const sg = TOP_SEG[o]!
    const metres = TOP_M[o]!
    if (metres > MAX_SNAP_M) break
    const qx = TOP_QX[o]!
    const qy = TOP_QY[o]!
    const road = net.roads[net.segRoad[sg]!]!
    const r = net.roadSegs
    const segM = distanceM(r[4 * sg]!, r[4 * sg + 1]!, r[4 * sg + 2]!, r[4 * sg + 3]!)
    const frac = road.geomM > 0 ? Math.min(1, (net.segStartM[sg]! + TOP_T[o]! * segM) / road.geomM) : 0
    const walk = dir === 'to' ? offRoadSeconds(net, lon, lat, qx, qy) : offRoadSeconds(net, qx, qy, lon, lat)
    const ford = crossesRiver(net, lon, lat, qx, qy)
    // Along the road from the joining point to a (towards the source) or to b; 'from' runs the other way.
    const toA = mode === 'drive' ? frac * road.drive : frac * (dir === 'to' ? road.walkBA : road.walkAB)
    const toB = mode === 'drive' ? (1 - frac) * road.drive : (1 - frac) * (dir === 'to' ? road.walkAB : road.walkBA)
    for (let end = 0; end < 2; end++) {
      const node = end === 0 ? road.a : road.b
      const seconds = walk + (end === 0 ? toA : toB) + (ford ? FORD_PENALTY_S : 0)
      if (ford) {
        if (!bestFord || seconds < bestFord.seconds) bestFord = { node, seconds, metres, ford }
      } else if (!best || seconds < best.seconds) best = { node, seconds, metres, ford }
    }
  }
  return best ?? bestFord
}

/** One snap's search state; the nearest segments so far live in the TOP_ arrays (snap is synchronous, never re-entered). */
interface RingSearch {
  net: Network
  lon: number
  lat: number
  mlon: number
  mlat: number
  gen: number
  /** Segments seen so far (the TOP_ arrays hold the nearest SNAP_CANDIDATES of them). */
  found: number
}
const TOP_M = new Float64Array(SNAP_CANDIDATES)
const TOP_SEG = new Int32Array(SNAP_CANDIDATES)
const TOP_QX = new Float64Array(SNAP_CANDIDATES)
const TOP_QY = new Float64Array(SNAP_CANDIDATES)
const TOP_T = new Float64Array(SNAP_CANDIDATES)

/** Projects the point on each segment of a cell not seen yet, keeping the nearest (by metres, then segment). */
function visitCell(q: RingSearch, gx: number, gy: number): void {
  const g = q.net.segIndex
  const c = cellOf(g, gx, gy)
  if (c < 0) return
  const r = q.net.roadSegs
  for (let k = g.start[c]!, end = g.start[c + 1]!; k < end; k++) {
    const sg = g.items[k]!
    if (g.seen[sg] === q.gen) continue
    g.seen[sg] = q.gen
    const x1 = r[4 * sg]!
    const y1 = r[4 * sg + 1]!
    const x2 = r[4 * sg + 2]!
    const y2 = r[4 * sg + 3]!
    // Projection in a local metric plane.
    const ux = (x2 - x1) * q.mlon
    const uy = (y2 - y1) * q.mlat
    const len2 = ux * ux + uy * uy
    const t = len2 > 0 ? Math.min(1, Math.max(0, ((q.lon - x1) * q.mlon * ux + (q.lat - y1) * q.mlat * uy) / len2)) : 0
    const qx = x1 + (x2 - x1) * t
    const qy = y1 + (y2 - y1) * t
    const metres = distanceM(q.lon, q.lat, qx, qy)
    let p = Math.min(q.found, SNAP_CANDIDATES)
    q.found++
    if (p === SNAP_CANDIDATES && (TOP_M[p - 1]! < metres || (TOP_M[p - 1] === metres && TOP_SEG[p - 1]! < sg))) continue
    if (p === SNAP_CANDIDATES) p--
    while (p > 0 && (TOP_M[p - 1]! > metres || (TOP_M[p - 1] === metres && TOP_SEG[p - 1]! > sg))) {
      TOP_M[p] = TOP_M[p - 1]!
      TOP_SEG[p] = TOP_SEG[p - 1]!
      TOP_QX[p] = TOP_QX[p - 1]!
      TOP_QY[p] = TOP_QY[p - 1]!
      TOP_T[p] = TOP_T[p - 1]!
      p--
    }
    TOP_M[p] = metres
    TOP_SEG[p] = sg
    TOP_QX[p] = qx
    TOP_QY[p] = qy
    TOP_T[p] = t
  }
}
