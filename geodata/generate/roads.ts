/**
 * Synthetic road network: a noded, routable graph whose nodes are the seats of every division.
 *
 * - Backbone: the Gabriel graph (a planar subgraph of the Delaunay triangulation that contains the
 *   minimum spanning tree) over the seats of the province, prefectures, counties and townships,
 *   without edges longer than 30 km unless they are needed for connectivity. Its edges are classed by
 *   what they carry: shortest paths between neighbouring prefecture seats → national roads, between
 *   neighbouring county seats → provincial, from a county seat to its township seats → county, the
 *   rest (township seat ↔ neighbouring township seat) → township roads.
 * - Village roads from every village seat to its township seat. Some villages on steep, remote
 *   ground had no hardened (paved) road when the registry began in 2014; `villageHardenedYear`
 *   says when theirs was paved (the road projects of projects.ts follow these roads).
 * - Lines bend toward lower ground: intermediate vertices are offset sideways to where the terrain
 *   is lower, with a penalty for leaving the straight line.
 * - Noding: wherever two roads cross, both are split and share a new node, so every line's
 *   endpoints are graph nodes and the network is one connected graph.
 */
import { Delaunay } from 'd3-delaunay'
import { length as turfLength } from '@turf/length'
import type { LineString, Position } from 'geojson'
import { FIRST_YEAR } from '../../domain/codes.js'
import { AdminLookup, isRuralVillage, shortAreaName, villageTerrain, type AreaNode } from './admin-lookup.js'
import type { Rng } from './rng.js'
import { distanceKm, offsetKm, round6, SegmentIndex, type LonLat } from './spatial-index.js'
import type { AdminAreaRow, RoadRow, Terrain } from './types.js'

export type RoadClass = RoadRow['class']

/** A hardened year at or before this means "paved before the registry began". */
export const PAVED_BEFORE_REGISTRY = FIRST_YEAR - 1

export interface RoadNetwork {
  rows: RoadRow[]
  /** Node ids run from 1 to nodeCount; nodePos[id] is the node's position (index 0 unused). */
  nodeCount: number
  nodePos: [number, number][]
  /** The graph node at the seat of each division that has a seat, by area code. */
  seatNode: Map<string, number>
  /** Year each road row was paved, by row id (PAVED_BEFORE_REGISTRY for the existing network). */
  hardenedYear: Map<number, number>
  /** Year each village's road to its township seat was paved (PAVED_BEFORE_REGISTRY if before 2014). */
  villageHardenedYear: Map<string, number>
  /** The rows that make up each village's road, in order from the village seat. */
  villageRoadIds: Map<string, number[]>
}

interface Edge {
  a: number
  b: number
  cls: RoadClass
  name: string | null
  hardened: number
  village: string | null
  coords: [number, number][]
}

const BACKBONE_MAX_KM = 30
const NATIONAL_ROUTES = ['G319', 'G209', 'G207', 'G320', 'G322', 'G106', 'G107', 'G240', 'G241', 'G234', 'G353', 'G354', 'G355', 'G356', 'G536', 'G537', 'G538', 'G347', 'G351', 'G352']
const CLASS_RANK: Record<RoadClass, number> = { national: 0, provincial: 1, county: 2, township: 3, village: 4 }

class MinHeap {
  private keys: number[] = []
  private vals: number[] = []
  get size(): number {
    return this.keys.length
  }
  push(key: number, val: number): void {
    const k = this.keys
    const v = this.vals
    let i = k.length
    k.push(key)
    v.push(val)
    while (i > 0) {
      const p = (i - 1) >> 1
      if (k[p]! <= key) break
      k[i] = k[p]!
      v[i] = v[p]!
      i = p
    }
    k[i] = key
    v[i] = val
  }
  pop(): [number, number] {
    const k = this.keys
    const v = this.vals
    const top: [number, number] = [k[0]!, v[0]!]
    const lastK = k.pop()!
    const lastV = v.pop()!
    const n = k.length
    if (n > 0) {
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        if (l >= n) break
        const r = l + 1
        const c = r < n && k[r]! < k[l]! ? r : l
        if (k[c]! >= lastK) break
        k[i] = k[c]!
        v[i] = v[c]!
        i = c
      }
      k[i] = lastK
      v[i] = lastV
    }
    return top
  }
}

/** Adjacency of an undirected weighted graph on nodes 1..n. */
export interface Graph {
  n: number
  adj: { to: number; w: number; edge: number }[][]
}

export function roadGraph(rows: readonly RoadRow[], nodeCount: number): Graph {
  const adj: Graph['adj'] = Array.from({ length: nodeCount + 1 }, () => [])
  for (const r of rows) {
    adj[r.source_node]!.push({ to: r.target_node, w: r.length_m / 1000, edge: r.id })
    adj[r.target_node]!.push({ to: r.source_node, w: r.length_m / 1000, edge: r.id })
  }
  return { n: nodeCount, adj }
}

/** Dijkstra from `source`; distances (km) per node, Infinity where unreachable or beyond maxKm. */
export function shortestDistances(graph: Graph, source: number, maxKm = Infinity): { dist: Float64Array; prevEdge: Int32Array; prevNode: Int32Array } {
  const dist = new Float64Array(graph.n + 1).fill(Infinity)
  const prevEdge = new Int32Array(graph.n + 1).fill(-1)
  const prevNode = new Int32Array(graph.n + 1).fill(-1)
  const heap = new MinHeap()
  dist[source] = 0
  heap.push(0, source)
  while (heap.size > 0) {
    const [d, u] = heap.pop()
    if (d > dist[u]! || d > maxKm) continue
    for (const { to, w, edge } of graph.adj[u]!) {
      const nd = d + w
      if (nd < dist[to]!) {
        dist[to] = nd
        prevEdge[to] = edge
        prevNode[to] = u
        heap.push(nd, to)
      }
    }
  }
  return { dist, prevEdge, prevNode }
}

/** Dijkstra with a cut-off that touches only the nodes it reaches: node → distance (km). */
export function localDistances(graph: Graph, source: number, maxKm: number): Map<number, number> {
  const dist = new Map<number, number>([[source, 0]])
  const heap = new MinHeap()
  heap.push(0, source)
  while (heap.size > 0) {
    const [d, u] = heap.pop()
    if (d > dist.get(u)!) continue
    for (const { to, w } of graph.adj[u]!) {
      const nd = d + w
      if (nd <= maxKm && nd < (dist.get(to) ?? Infinity)) {
        dist.set(to, nd)
        heap.push(nd, to)
      }
    }
  }
  return dist
}

function smoothstep(x: number, lo: number, hi: number): number {
  const t = Math.min(1, Math.max(0, (x - lo) / (hi - lo)))
  return t * t * (3 - 2 * t)
}

/** Gabriel edges of a point set (pairs of indexes), via the Delaunay triangulation. */
function gabrielEdges(points: LonLat[]): [number, number][] {
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

class UnionFind {
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

/** A line from a to b bent toward lower ground; endpoints exact, inner vertices rounded to 6 decimals. */
function shapeLine(a: LonLat, b: LonLat, terrain: Terrain, rng: Rng, village: boolean): [number, number][] {
  const lenKm = distanceKm(a, b)
  const n = village ? (lenKm < 0.8 ? 0 : Math.min(4, Math.max(1, Math.floor(lenKm / 1.2)))) : Math.min(10, Math.max(1, Math.floor(lenKm / 2.5)))
  const out: [number, number][] = [[a[0], a[1]]]
  if (n > 0) {
    // Unit vector perpendicular to a→b, in km.
    const c = Math.cos((((a[1] + b[1]) / 2) * Math.PI) / 180) * 111.32
    const ex = (b[0] - a[0]) * c
    const ny = (b[1] - a[1]) * 110.574
    const len = Math.hypot(ex, ny) || 1
    const px = -ny / len
    const py = ex / len
    const maxOff = Math.min(0.18 * lenKm, village ? 0.8 : 5)
    let prev = 0
    for (let i = 1; i <= n; i++) {
      const t = i / (n + 1)
      const base: LonLat = [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]
      const taper = Math.sqrt(Math.sin(Math.PI * t))
      let best = 0
      let bestCost = Infinity
      // A sideways step of at most 0.6 × the spacing keeps the line from zigzagging between valleys.
      const maxStep = (0.6 * lenKm) / (n + 1)
      for (const k of [-1, -0.5, 0, 0.5, 1]) {
        const want = (k + rng.range(-0.15, 0.15)) * maxOff * taper
        const off = Math.min(prev + maxStep, Math.max(prev - maxStep, want))
        const p = offsetKm(base, px * off, py * off)
        const cost = terrain.elevation(p[0], p[1]) + 30 * Math.abs(off) + 60 * Math.abs(off - prev)
        if (cost < bestCost) {
          bestCost = cost
          best = off
        }
      }
      prev = best
      const p = offsetKm(base, px * best, py * best)
      out.push([round6(p[0]), round6(p[1])])
    }
  }
  out.push([b[0], b[1]])
  return out
}

function coordKey(p: LonLat): string {
  return `${p[0].toFixed(6)},${p[1].toFixed(6)}`
}

interface Cut {
  seg: number
  t: number
  node: number
  pos: [number, number]
}

/** Proper crossing of segments p1–p2 and q1–q2 (interiors only): [t on p, u on q] or null. */
function crossing(p1: LonLat, p2: LonLat, q1: LonLat, q2: LonLat): [number, number] | null {
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

export function buildRoadNetwork(areas: readonly AdminAreaRow[], terrain: Terrain, rng: Rng): RoadNetwork {
  const lookup = new AdminLookup(areas)
  const shapeRng = rng.fork('shape')
  const pavedRng = rng.fork('paved')

  // --- nodes: one per distinct seat position, in level then code order -------------------------
  const nodePos: [number, number][] = [[0, 0]]
  const nodeByKey = new Map<string, number>()
  const seatNode = new Map<string, number>()
  const nodeAt = (p: LonLat): number => {
    const q: [number, number] = [round6(p[0]), round6(p[1])]
    const key = coordKey(q)
    let id = nodeByKey.get(key)
    if (id === undefined) {
      id = nodePos.length
      nodePos.push(q)
      nodeByKey.set(key, id)
    }
    return id
  }
  const levels: AreaNode[][] = [lookup.province ? [lookup.province] : [], lookup.prefectures, lookup.counties, lookup.townships, lookup.villages]
  for (const list of levels) for (const a of list) if (a.seat) seatNode.set(a.row.code, nodeAt(a.seat))

  // --- backbone graph over province/prefecture/county/township seats ---------------------------
  const backboneNodes = [...new Set([...levels.slice(0, 4).flat()].filter((a) => a.seat).map((a) => seatNode.get(a.row.code)!))].sort((x, y) => x - y)
  const pts = backboneNodes.map((id) => nodePos[id]!)
  const candidate = gabrielEdges(pts)
    .map(([i, j]) => ({ a: backboneNodes[i]!, b: backboneNodes[j]!, km: distanceKm(pts[i]!, pts[j]!) }))
    .sort((x, y) => x.km - y.km || x.a - y.a || x.b - y.b)
  const uf = new UnionFind(nodePos.length)
  const backbone = candidate.filter((e) => uf.union(e.a, e.b) || e.km <= BACKBONE_MAX_KM)
  const bbGraph: Graph = { n: nodePos.length - 1, adj: Array.from({ length: nodePos.length }, () => []) }
  backbone.forEach((e, idx) => {
    bbGraph.adj[e.a]!.push({ to: e.b, w: e.km, edge: idx })
    bbGraph.adj[e.b]!.push({ to: e.a, w: e.km, edge: idx })
  })
  const cls: (RoadClass | null)[] = backbone.map(() => null)
  const names: (string | null)[] = backbone.map(() => null)
  const markPath = (from: number, to: number, c: RoadClass, name: string | null, sp?: ReturnType<typeof shortestDistances>) => {
    const { prevEdge, prevNode } = sp ?? shortestDistances(bbGraph, from)
    for (let v = to; v !== from && prevEdge[v]! >= 0; v = prevNode[v]!) {
      const e = prevEdge[v]!
      if (cls[e] === null) {
        cls[e] = c
        names[e] = name
      }
    }
  }
  // National: between neighbouring prefecture seats.
  const prefSeats = [...new Set(lookup.prefectures.filter((p) => p.seat).map((p) => seatNode.get(p.row.code)!))].sort((x, y) => x - y)
  gabrielEdges(prefSeats.map((id) => nodePos[id]!)).forEach(([i, j], k) => markPath(prefSeats[i]!, prefSeats[j]!, 'national', NATIONAL_ROUTES[k % NATIONAL_ROUTES.length]!))
  // Provincial: between neighbouring county seats (and the provincial capital).
  const countySeats = [
    ...new Set([...(lookup.province ? [lookup.province] : []), ...lookup.counties].filter((c) => c.seat).map((c) => seatNode.get(c.row.code)!)),
  ].sort((x, y) => x - y)
  gabrielEdges(countySeats.map((id) => nodePos[id]!)).forEach(([i, j], k) => markPath(countySeats[i]!, countySeats[j]!, 'provincial', `S${201 + (k % 150)}`))
  // County: from each county seat to its townships' seats.
  for (const county of lookup.counties) {
    const from = seatNode.get(county.row.code)
    if (from === undefined) continue
    const sp = shortestDistances(bbGraph, from)
    let k = 0
    for (const t of county.children) {
      const to = seatNode.get(t.row.code)
      if (to !== undefined && to !== from) markPath(from, to, 'county', `X${String(++k).padStart(3, '0')}`, sp)
    }
  }
  let townshipRoadNo = 0

  const edges: Edge[] = []
  backbone.forEach((e, i) => {
    const c = cls[i] ?? 'township'
    const name = names[i] ?? `Y${String(++townshipRoadNo % 1000).padStart(3, '0')}`
    edges.push({ a: e.a, b: e.b, cls: c, name, hardened: PAVED_BEFORE_REGISTRY, village: null, coords: [] })
  })
  edges.sort((x, y) => CLASS_RANK[x.cls] - CLASS_RANK[y.cls] || x.a - y.a || x.b - y.b)

  // --- village roads ----------------------------------------------------------------------------
  const villageHardenedYear = new Map<string, number>()
  const backbonePts = backboneNodes.map((id) => ({ id, p: nodePos[id]! }))
  const steepness = villageTerrain(lookup.villages, terrain)
  for (const v of lookup.villages) {
    const vn = seatNode.get(v.row.code)
    if (vn === undefined || !v.seat) continue
    let tn = v.parent ? seatNode.get(v.parent.row.code) : undefined
    if (tn === undefined) {
      // A township without a seat: connect to the nearest backbone node.
      let best = Infinity
      for (const { id, p } of backbonePts) {
        const km = distanceKm(v.seat, p)
        if (km < best) {
          best = km
          tn = id
        }
      }
    }
    const lenKm = tn === undefined ? 0 : distanceKm(nodePos[vn]!, nodePos[tn]!)
    let hardened = PAVED_BEFORE_REGISTRY
    // A village whose seat is the township seat has no road of its own to pave.
    if (isRuralVillage(v.row) && tn !== undefined && tn !== vn) {
      const steep = steepness.get(v.row.code)?.steepness ?? 0
      const pUnpaved = Math.min(0.85, 0.005 + 0.4 * smoothstep(steep, 0.7, 0.98) + 0.15 * smoothstep(lenKm, 4, 14))
      if (pavedRng.chance(pUnpaved)) hardened = pavedRng.weighted([2015, 2016, 2017, 2018, 2019, 2020], [14, 20, 24, 22, 14, 6])
    }
    villageHardenedYear.set(v.row.code, hardened)
    if (tn === undefined || tn === vn) continue
    edges.push({ a: vn, b: tn, cls: 'village', name: `${shortAreaName(v.row.name)}通村公路`, hardened, village: v.row.code, coords: [] })
  }

  // --- shapes -----------------------------------------------------------------------------------
  for (const e of edges) e.coords = shapeLine(nodePos[e.a]!, nodePos[e.b]!, terrain, shapeRng, e.cls === 'village')

  // --- noding: split both roads wherever two cross ----------------------------------------------
  const index = new SegmentIndex<{ edge: number; seg: number }>(0.02)
  edges.forEach((e, ei) => {
    for (let s = 1; s < e.coords.length; s++) index.add(e.coords[s - 1]!, e.coords[s]!, { edge: ei, seg: s - 1 })
  })
  const found: { ea: number; sa: number; t: number; eb: number; sb: number; u: number; pos: [number, number] }[] = []
  for (const [key, bucket] of index.buckets()) {
    for (let i = 0; i < bucket.length; i++) {
      const s1 = bucket[i]!
      for (let j = i + 1; j < bucket.length; j++) {
        const s2 = bucket[j]!
        if (s1.item.edge === s2.item.edge) continue
        const hit = crossing(s1.a, s1.b, s2.a, s2.b)
        if (!hit) continue
        const pos: [number, number] = [s1.a[0] + (s1.b[0] - s1.a[0]) * hit[0], s1.a[1] + (s1.b[1] - s1.a[1]) * hit[0]]
        // Count each crossing once: in the bucket that holds its position.
        if (SegmentIndex.cellOf(pos, index.cellSizeDeg) !== key) continue
        const [first, second, t, u] = s1.item.edge < s2.item.edge ? [s1, s2, hit[0], hit[1]] : [s2, s1, hit[1], hit[0]]
        found.push({ ea: first.item.edge, sa: first.item.seg, t, eb: second.item.edge, sb: second.item.seg, u, pos: [round6(pos[0]), round6(pos[1])] })
      }
    }
  }
  found.sort((x, y) => x.ea - y.ea || x.sa - y.sa || x.t - y.t || x.eb - y.eb)
  const cuts: Cut[][] = edges.map(() => [])
  for (const f of found) {
    const node = nodeAt(f.pos)
    cuts[f.ea]!.push({ seg: f.sa, t: f.t, node, pos: f.pos })
    cuts[f.eb]!.push({ seg: f.sb, t: f.u, node, pos: f.pos })
  }

  // --- rows ---------------------------------------------------------------------------------------
  const rows: RoadRow[] = []
  const hardenedYear = new Map<number, number>()
  const villageRoadIds = new Map<string, number[]>()
  const emit = (e: Edge, from: number, to: number, coords: [number, number][]) => {
    const clean: Position[] = []
    for (const c of coords) {
      const last = clean[clean.length - 1]
      if (!last || last[0] !== c[0] || last[1] !== c[1]) clean.push(c)
    }
    if (from === to || clean.length < 2) return
    const geom: LineString = { type: 'LineString', coordinates: clean }
    const id = rows.length + 1
    rows.push({
      id,
      class: e.cls,
      name: e.name,
      source_node: from,
      target_node: to,
      length_m: Math.round(turfLength({ type: 'Feature', properties: {}, geometry: geom }, { units: 'kilometers' }) * 1e4) / 10,
      geom,
    })
    hardenedYear.set(id, e.hardened)
    if (e.village) {
      let list = villageRoadIds.get(e.village)
      if (!list) villageRoadIds.set(e.village, (list = []))
      list.push(id)
    }
  }
  edges.forEach((e, ei) => {
    const list = cuts[ei]!.sort((x, y) => x.seg - y.seg || x.t - y.t)
    let from = e.a
    let piece: [number, number][] = [e.coords[0]!]
    let seg = 0
    for (const cut of list) {
      while (seg < cut.seg) piece.push(e.coords[++seg]!)
      piece.push(cut.pos)
      emit(e, from, cut.node, piece)
      from = cut.node
      piece = [cut.pos]
    }
    while (seg < e.coords.length - 1) piece.push(e.coords[++seg]!)
    emit(e, from, e.b, piece)
  })

  return { rows, nodeCount: nodePos.length - 1, nodePos, seatNode, hardenedYear, villageHardenedYear, villageRoadIds }
}

/** The road rows of the network (see buildRoadNetwork for the hardened-road metadata). */
export function generateRoads(areas: readonly AdminAreaRow[], terrain: Terrain, rng: Rng): RoadRow[] {
  return buildRoadNetwork(areas, terrain, rng).rows
}

/** Village codes whose road to the township seat was not yet paved in `year`. */
export function villagesWithoutHardenedRoad(net: RoadNetwork, year: number): string[] {
  const out: string[] = []
  for (const [code, y] of net.villageHardenedYear) if (y > year) out.push(code)
  return out
}

/** Whether the road row was paved in `year`. */
export function isHardened(net: RoadNetwork, roadId: number, year: number): boolean {
  return (net.hardenedYear.get(roadId) ?? PAVED_BEFORE_REGISTRY) <= year
}

