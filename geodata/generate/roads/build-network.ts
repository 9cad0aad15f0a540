import { length as turfLength } from '@turf/length'
import type { LineString, Position } from 'geojson'
import { AdminLookup, isRuralVillage, shortAreaName, villageTerrain, type AreaNode } from '../admin-lookup.js'
import type { Rng } from '../rng.js'
import { distanceKm, round6, SegmentIndex, type LonLat } from '../spatial-index.js'
import type { AdminAreaRow, RoadRow, Terrain } from '../types.js'
import { shortestDistances, type Graph } from './graph.js'
import { PAVED_BEFORE_REGISTRY, type Edge, type RoadClass, type RoadNetwork } from './network.js'
import { coordKey, crossing, gabrielEdges, UnionFind, type Cut } from './planar.js'
import { shapeLine } from './shape.js'

const BACKBONE_MAX_KM = 30
const NATIONAL_ROUTES = ['G319', 'G209', 'G207', 'G320', 'G322', 'G106', 'G107', 'G240', 'G241', 'G234', 'G353', 'G354', 'G355', 'G356', 'G536', 'G537', 'G538', 'G347', 'G351', 'G352']
const CLASS_RANK: Record<RoadClass, number> = { national: 0, provincial: 1, county: 2, township: 3, village: 4 }

function smoothstep(x: number, lo: number, hi: number): number {
  const t = Math.min(1, Math.max(0, (x - lo) / (hi - lo)))
  return t * t * (3 - 2 * t)
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
