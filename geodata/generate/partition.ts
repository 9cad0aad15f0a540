/**
 * The admin_area rows, province to village: real NBS codes, names and county outlines, synthetic
 * township and village outlines.
 *
 * Townships partition their county outline and villages partition their township. In each parent:
 * density samples (more in the plains, fewer in the mountains, extra round urban seats), seeds spread
 * by Lloyd steps on the Voronoi diagram (d3-delaunay), then weighted so that each unit's cell (a power
 * diagram, i.e. a Voronoi diagram of weighted seeds) holds its share of the density — a township in
 * proportion to its number of villages — and the convex cells clipped to the parent. Neighbouring
 * cells share their vertices and their crossings with the parent boundary, and a final noding pass
 * puts every crossing into the parent's and the neighbours' rings too, so the children cover the
 * parent without gaps or overlaps. Prefectures and the province are dissolves of the real outlines.
 *
 * Deterministic: all randomness comes from the Rng passed in, forked per county and per township, so a
 * county's townships and villages do not depend on which other counties are partitioned in the same run.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Delaunay } from 'd3-delaunay'
import * as polyclip from 'polyclip-ts'
import { booleanPointInPolygon } from '@turf/turf'
import type { FeatureCollection, MultiPolygon, Point, Position } from 'geojson'
import { ADMIN_LEVELS, type AdminLevel } from '../../domain/admin-codes.js'
import type { Rng } from './rng.js'
import type { AdminAreaRow, Terrain } from './types.js'

// ---------------------------------------------------------------------------------------------
// Sources
// ---------------------------------------------------------------------------------------------

/** One row of geodata/sources/hunan-divisions.json (NBS 2023). */
export interface DivisionRecord {
  code: string
  name: string
  level: AdminLevel
  parent: string | null
}

export interface CountyProperties {
  /** Current NBS code (renamed counties already re-coded, see RECONCILIATION.md). */
  code: string
  name: string
}

export type CountyCollection = FeatureCollection<MultiPolygon, CountyProperties>

/** A development or management zone without an outline of its own (reconciliation.json). */
export interface ZoneRecord {
  code: string
  name: string
  /** County whose outline holds the zone's townships. */
  boundaryParent: string
  boundaryParentName: string
  townships: string[]
  /** Approximate point (±a few km) inside the zone, checked to lie inside the parent outline. */
  probe: [number, number]
  note: string
}

export interface Reconciliation {
  boundarySource: string
  divisionSource: string
  zones: ZoneRecord[]
}

export interface PartitionSources {
  divisions: DivisionRecord[]
  counties: CountyCollection
  reconciliation: Reconciliation
}

/** Reads the three source files; `dir` is resolved against the working directory (the repo root). */
export function readSources(dir = 'geodata/sources'): PartitionSources {
  const read = (file: string): unknown => {
    try {
      return JSON.parse(readFileSync(join(dir, file), 'utf8'))
    } catch (cause) {
      throw new Error(`Unable to read source ${file} from ${dir}`, { cause })
    }
  }
  const divisionsFile = read('hunan-divisions.json') as { divisions?: unknown }
  const counties = read('hunan-counties.geojson') as CountyCollection
  const reconciliation = read('reconciliation.json') as Reconciliation
  if (!Array.isArray(divisionsFile.divisions)) throw new Error('hunan-divisions.json: no divisions array')
  if (counties.type !== 'FeatureCollection' || !Array.isArray(counties.features)) {
    throw new Error('hunan-counties.geojson: not a FeatureCollection')
  }
  if (!Array.isArray(reconciliation.zones)) throw new Error('reconciliation.json: no zones array')
  const divisions = divisionsFile.divisions as DivisionRecord[]
  for (const d of divisions) {
    if (!ADMIN_LEVELS.includes(d.level)) throw new Error(`hunan-divisions.json: ${d.code} has level ${String(d.level)}`)
  }
  return { divisions, counties, reconciliation }
}

// ---------------------------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------------------------

/**
 * Hunan's 51 designated poverty counties (贫困县) of 2014–2020: 40 national ones (37 in the Wuling and
 * Luoxiao contiguous poverty areas, 3 national key counties outside them: 平江, 新田, 江华) and 11
 * provincial ones. Basis: the provincial government's exit approvals — 2016: 洪江区 (the 洪江 management
 * district, 431271), 武陵源区; 2017: 祁东, 双牌, 江永, 宁远, 鹤城区, 洪江市, 吉首 (湘政函〔2018〕45号) plus
 * 茶陵, 炎陵, 石门 and two of the next six; 2018: 新邵, 绥宁, 武冈, 永定区, 慈利, 安化, 江华, 辰溪, 新晃,
 * 芷江, 会同, 靖州, 双峰 (second batch) plus four more; 2019: the last 20 (湘政函〔2020〕17号). The six
 * not seen in a batch list (平江, 汝城, 桂东, 宜章, 安仁, 中方) are inferred: the 20 national key counties and
 * the 6 Luoxiao counties are certain, 中方 is the remaining Wuling county that makes 51. Uncertain are
 * therefore only 中方县 and the exact national/provincial split, which this flag does not carry.
 */
export const POVERTY_COUNTY_CODES: ReadonlySet<string> = new Set([
  '430224', // 茶陵县 (Luoxiao)
  '430225', // 炎陵县 (Luoxiao)
  '430426', // 祁东县 (provincial)
  '430522', // 新邵县
  '430523', // 邵阳县 (national key)
  '430524', // 隆回县 (national key)
  '430525', // 洞口县
  '430527', // 绥宁县
  '430528', // 新宁县
  '430529', // 城步苗族自治县 (national key)
  '430581', // 武冈市
  '430626', // 平江县 (national key)
  '430726', // 石门县
  '430802', // 永定区 (provincial)
  '430811', // 武陵源区 (provincial)
  '430821', // 慈利县
  '430822', // 桑植县 (national key)
  '430923', // 安化县 (national key)
  '431022', // 宜章县 (Luoxiao)
  '431026', // 汝城县 (national key, Luoxiao)
  '431027', // 桂东县 (national key, Luoxiao)
  '431028', // 安仁县 (Luoxiao)
  '431123', // 双牌县 (provincial)
  '431125', // 江永县 (provincial)
  '431126', // 宁远县 (provincial)
  '431128', // 新田县 (national key)
  '431129', // 江华瑶族自治县 (national key)
  '431202', // 鹤城区 (provincial)
  '431221', // 中方县 (inferred, see above)
  '431222', // 沅陵县 (national key)
  '431223', // 辰溪县
  '431224', // 溆浦县
  '431225', // 会同县
  '431226', // 麻阳苗族自治县
  '431227', // 新晃侗族自治县
  '431228', // 芷江侗族自治县
  '431229', // 靖州苗族侗族自治县
  '431230', // 通道侗族自治县 (national key)
  '431271', // 怀化市洪江管理区 = 洪江区 (provincial; a zone without an outline)
  '431281', // 洪江市 (provincial)
  '431321', // 双峰县 (provincial)
  '431322', // 新化县 (national key)
  '431382', // 涟源市
  '433101', // 吉首市 (provincial)
  '433122', // 泸溪县 (national key)
  '433123', // 凤凰县 (national key)
  '433124', // 花垣县 (national key)
  '433125', // 保靖县 (national key)
  '433126', // 古丈县 (national key)
  '433127', // 永顺县 (national key)
  '433130', // 龙山县 (national key)
])

/** Output precision: 6 decimals (≈ 0.1 m). */
const PRECISION = 1e6
/** Seed density ∝ 1 / (1 + elevation / ELEVATION_SCALE_M): plains get more, smaller units. */
const ELEVATION_SCALE_M = 300
const LLOYD_STEPS = 2
/** Iterations of the capacity-constrained relaxation (some of them Lloyd moves). */
const CAPACITY_STEPS = 28
const MIN_SAMPLES_PER_UNIT = 20
const SAMPLES_PER_WEIGHT = 10
/** Area of one urban community (社区), sizing the density bump round a seat. */
const URBAN_KM2_PER_WEIGHT = 1.5
const KM_PER_DEG = 111.32
/**
 * Holes smaller than this in a dissolve are slivers between county outlines that do not quite meet
 * (the source has one of ≈ 0.005 km² at 111.735E 29.920N) and are closed. The one larger hole in the
 * province (≈ 11.6 km² between 会同县 and 靖州县 at 109.53–109.60E, 26.72–26.77N) is kept: it is compact and
 * lies between two counties only, so it is a gap in the source, not a misaligned border.
 */
const SLIVER_HOLE_KM2 = 1
/** Holes below this in a zone (union of its township cells) are rounding artefacts. */
const ZONE_SLIVER_HOLE_KM2 = 0.001
/** Rings with less area than this (deg²) after rounding are dropped (≈ 0.001 m²). */
const AREA_EPS = 1e-13

// ---------------------------------------------------------------------------------------------
// Terrain input
// ---------------------------------------------------------------------------------------------

export type ElevationFn = (lon: number, lat: number) => number

/** Anything with an elevation; `Terrain` qualifies. */
export interface ElevationModel {
  elevation(lon: number, lat: number): number
  slopeDeg?(lon: number, lat: number): number
}

interface Surface {
  elevation: ElevationFn
  slopeDeg: ElevationFn
}

function surfaceOf(terrain: Terrain | ElevationModel | ElevationFn): Surface {
  const elevation: ElevationFn =
    typeof terrain === 'function' ? terrain : (lon, lat) => terrain.elevation(lon, lat)
  if (typeof terrain !== 'function' && terrain.slopeDeg) {
    const model = terrain
    return { elevation, slopeDeg: (lon, lat) => model.slopeDeg!(lon, lat) }
  }
  const h = 0.002
  const slopeDeg: ElevationFn = (lon, lat) => {
    const mx = 2 * h * KM_PER_DEG * 1000 * Math.cos((lat * Math.PI) / 180)
    const my = 2 * h * KM_PER_DEG * 1000
    const gx = (elevation(lon + h, lat) - elevation(lon - h, lat)) / mx
    const gy = (elevation(lon, lat + h) - elevation(lon, lat - h)) / my
    return (Math.atan(Math.hypot(gx, gy)) * 180) / Math.PI
  }
  return { elevation, slopeDeg }
}

// ---------------------------------------------------------------------------------------------
// Planar geometry on open rings (no repeated closing point). Outer rings counter-clockwise, holes
// clockwise: the interior is always on the left.
// ---------------------------------------------------------------------------------------------

type Pt = [number, number]
type Ring = Pt[]
/** [outer, ...holes] */
type Poly = Ring[]

function ringArea(r: Ring): number {
  const n = r.length
  if (n < 3) return 0
  const [x0, y0] = r[0]!
  let s = 0
  for (let i = 1; i < n - 1; i++) {
    const a = r[i]!
    const b = r[i + 1]!
    s += (a[0] - x0) * (b[1] - y0) - (b[0] - x0) * (a[1] - y0)
  }
  return s / 2
}

function netArea(rings: Ring[]): number {
  let s = 0
  for (const r of rings) s += ringArea(r)
  return s
}

function pointInRing(x: number, y: number, r: Ring): boolean {
  let inside = false
  for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
    const [xi, yi] = r[i]!
    const [xj, yj] = r[j]!
    if (yi > y !== yj > y && x < xi + ((y - yi) * (xj - xi)) / (yj - yi)) inside = !inside
  }
  return inside
}

/** Open ring from a GeoJSON ring (drops the closing point). */
function openRing(ring: Position[]): Ring {
  const out: Ring = ring.map((p) => [p[0]!, p[1]!])
  const first = out[0]
  const last = out[out.length - 1]
  if (first && last && out.length > 1 && first[0] === last[0] && first[1] === last[1]) out.pop()
  return out
}

/** All rings of a MultiPolygon, oriented (outer CCW, holes CW). */
function ringsOf(mp: Position[][][]): Ring[] {
  const out: Ring[] = []
  for (const poly of mp) {
    poly.forEach((ring, k) => {
      const r = openRing(ring)
      const a = ringArea(r)
      if (a === 0) return
      if ((k === 0) !== a > 0) r.reverse()
      out.push(r)
    })
  }
  return out
}

/** A point just beside the ring's longest edge, on its left (the polygon interior for any ring). */
function leftOfLongestEdge(r: Ring): Pt {
  let best = 0
  let bestLen = -1
  for (let i = 0; i < r.length; i++) {
    const a = r[i]!
    const b = r[(i + 1) % r.length]!
    const len = Math.hypot(b[0] - a[0], b[1] - a[1])
    if (len > bestLen) {
      bestLen = len
      best = i
    }
  }
  const a = r[best]!
  const b = r[(best + 1) % r.length]!
  const off = 1e-4
  return [(a[0] + b[0]) / 2 - (b[1] - a[1]) * off, (a[1] + b[1]) / 2 + (b[0] - a[0]) * off]
}

/** Groups oriented rings into polygons: each hole goes to the smallest outer ring holding it. */
function assemble(rings: Ring[]): Poly[] | null {
  const outers: { ring: Ring; area: number }[] = []
  const holes: Ring[] = []
  for (const r of rings) {
    const a = ringArea(r)
    if (a > 0) outers.push({ ring: r, area: a })
    else if (a < 0) holes.push(r)
  }
  const polys: Poly[] = outers.map((o) => [o.ring])
  for (const h of holes) {
    const [x, y] = leftOfLongestEdge(h)
    let best = -1
    for (let k = 0; k < outers.length; k++) {
      if (pointInRing(x, y, outers[k]!.ring) && (best < 0 || outers[k]!.area < outers[best]!.area)) best = k
    }
    if (best < 0) return null
    polys[best]!.push(h)
  }
  return polys
}

/**
 * Rounds a ring to the output grid; drops repeated points and zero-width spikes (exact, in integer
 * micro-degrees). Null when nothing with area is left.
 */
function roundRing(r: Ring): Ring | null {
  const q: [number, number][] = []
  for (const p of r) {
    const x = Math.round(p[0] * PRECISION)
    const y = Math.round(p[1] * PRECISION)
    const last = q[q.length - 1]
    if (!last || last[0] !== x || last[1] !== y) q.push([x, y])
  }
  let changed = true
  while (changed && q.length >= 3) {
    changed = false
    for (let i = 0; i < q.length && q.length >= 3; i++) {
      const a = q[(i + q.length - 1) % q.length]!
      const b = q[i]!
      const c = q[(i + 1) % q.length]!
      if (a[0] === b[0] && a[1] === b[1]) {
        q.splice(i, 1)
        changed = true
        i--
        continue
      }
      const cross = (b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0])
      const dot = (b[0] - a[0]) * (c[0] - b[0]) + (b[1] - a[1]) * (c[1] - b[1])
      if (cross === 0 && dot <= 0) {
        q.splice(i, 1)
        changed = true
        i--
      }
    }
  }
  if (q.length < 3) return null
  return q.map(([x, y]) => [x / PRECISION, y / PRECISION])
}

/** Splits a ring at repeated vertices (a ring touching itself is invalid; two rings may touch). */
function splitAtRepeats(r: Ring): Ring[] {
  const seen = new Map<string, number>()
  for (let i = 0; i < r.length; i++) {
    const key = `${r[i]![0]},${r[i]![1]}`
    const j = seen.get(key)
    if (j !== undefined) {
      return [...splitAtRepeats(r.slice(j, i)), ...splitAtRepeats([...r.slice(0, j), ...r.slice(i)])]
    }
    seen.set(key, i)
  }
  return [r]
}

/**
 * Oriented rings → rounded GeoJSON MultiPolygon coordinates (closed rings, RFC 7946 orientation):
 * rounded, cleaned, split where they touch themselves, holes grouped with their outer ring.
 */
function finish(rings: Ring[]): Position[][][] {
  const clean: Ring[] = []
  for (const r of rings) {
    const rounded = roundRing(r)
    if (!rounded) continue
    for (const piece of splitAtRepeats(rounded)) {
      const p = roundRing(piece)
      if (p && Math.abs(ringArea(p)) > AREA_EPS) clean.push(p)
    }
  }
  const polys = assemble(clean)
  if (!polys) throw new Error('a hole lies outside every outer ring')
  return polys.map((poly) => poly.map((r) => [...r, r[0]!]))
}

function multiPolygon(coordinates: Position[][][]): MultiPolygon {
  return { type: 'MultiPolygon', coordinates }
}

/** Area of a MultiPolygon in km² (planar, scaled by the cosine of the latitude). */
function areaKm2(mp: Position[][][]): number {
  let s = 0
  for (const poly of mp) {
    for (const ring of poly) {
      const r = openRing(ring)
      const lat = r[0]?.[1] ?? 0
      s += ringArea(r) * KM_PER_DEG * KM_PER_DEG * Math.cos((lat * Math.PI) / 180)
    }
  }
  return Math.abs(s)
}

/** A point strictly inside: the middle of the widest horizontal chord, over a few scan lines. */
function interiorPoint(mp: Position[][][]): Pt | null {
  let best: Pt | null = null
  let bestWidth = 0
  for (const poly of mp) {
    const rings = poly.map(openRing)
    const ys = rings[0]!.map((p) => p[1])
    const minY = Math.min(...ys)
    const maxY = Math.max(...ys)
    for (const f of [0.5, 0.3, 0.7, 0.15, 0.85, 0.41, 0.59]) {
      const y = minY + (maxY - minY) * f + (maxY - minY) * 1.234567e-7
      const xs: number[] = []
      for (const r of rings) {
        for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
          const [xi, yi] = r[i]!
          const [xj, yj] = r[j]!
          if (yi > y !== yj > y) xs.push(xi + ((y - yi) * (xj - xi)) / (yj - yi))
        }
      }
      xs.sort((a, b) => a - b)
      for (let k = 0; k + 1 < xs.length; k += 2) {
        const w = xs[k + 1]! - xs[k]!
        if (w > bestWidth) {
          bestWidth = w
          best = [(xs[k]! + xs[k + 1]!) / 2, y]
        }
      }
    }
  }
  return best
}

function roundPt(p: Pt): Pt {
  return [Math.round(p[0] * PRECISION) / PRECISION, Math.round(p[1] * PRECISION) / PRECISION]
}

function strictlyInside(p: Pt, mp: Position[][][]): boolean {
  return booleanPointInPolygon(p, multiPolygon(mp), { ignoreBoundary: true })
}

// ---------------------------------------------------------------------------------------------
// Point-in-polygon index (horizontal strips of edges) for the many samples drawn per parent
// ---------------------------------------------------------------------------------------------

interface PolyIndex {
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

function polyIndex(rings: Ring[]): PolyIndex {
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

// ---------------------------------------------------------------------------------------------
// Clipping a polygon (any rings, holes, several parts) to a convex cell, one half-plane at a time.
// Parts that fall apart stay separate rings; the pieces between the boundary crossings on each cut
// line are re-linked in order along the line, so the result is exact for generic positions. A
// degenerate configuration returns null and the caller falls back to polyclip.
// ---------------------------------------------------------------------------------------------

/** Keeps the part of `rings` left of the directed line through (ax, ay) with direction (dx, dy). */
function clipHalfPlane(rings: Ring[], ax: number, ay: number, dx: number, dy: number): Ring[] | null {
  const out: Ring[] = []
  const chains: Ring[] = []
  const events: { t: number; chain: number; entry: boolean }[] = []
  const cross = (p: Pt, q: Pt, sp: number, sq: number): Pt => {
    if (sq === 0) return q
    if (sp === 0) return p
    const f = sp / (sp - sq)
    return [p[0] + (q[0] - p[0]) * f, p[1] + (q[1] - p[1]) * f]
  }
  for (const ring of rings) {
    const n = ring.length
    const s = new Float64Array(n)
    let nIn = 0
    for (let i = 0; i < n; i++) {
      const p = ring[i]!
      s[i] = dx * (p[1] - ay) - dy * (p[0] - ax)
      if (s[i]! >= 0) nIn++
    }
    if (nIn === n) {
      out.push(ring)
      continue
    }
    if (nIn === 0) continue
    let k = 0
    while (s[k]! >= 0) k++
    let cur: Ring | null = null
    for (let j = 1; j <= n; j++) {
      const ip = (k + j - 1) % n
      const ic = (k + j) % n
      const sp = s[ip]!
      const sc = s[ic]!
      if (sc >= 0) {
        if (sp < 0) {
          const q = cross(ring[ip]!, ring[ic]!, sp, sc)
          cur = [q, ring[ic]!]
          events.push({ t: (q[0] - ax) * dx + (q[1] - ay) * dy, chain: chains.length, entry: true })
          chains.push(cur)
        } else cur!.push(ring[ic]!)
      } else if (sp >= 0) {
        const q = cross(ring[ip]!, ring[ic]!, sp, sc)
        cur!.push(q)
        events.push({ t: (q[0] - ax) * dx + (q[1] - ay) * dy, chain: chains.length - 1, entry: false })
        cur = null
      }
    }
  }
  if (events.length === 0) return out
  // Along the line (interior on its left) the result's boundary runs from each exit to the next entry.
  events.sort((a, b) => a.t - b.t || (a.entry ? 1 : 0) - (b.entry ? 1 : 0))
  const next = new Int32Array(chains.length).fill(-1)
  for (let e = 0; e < events.length; e += 2) {
    const ex = events[e]!
    const en = events[e + 1]
    if (!en || ex.entry || !en.entry) return null
    next[ex.chain] = en.chain
  }
  const used = new Uint8Array(chains.length)
  for (let c0 = 0; c0 < chains.length; c0++) {
    if (used[c0]) continue
    const ring: Ring = []
    let c = c0
    while (!used[c]) {
      used[c] = 1
      for (const p of chains[c]!) ring.push(p)
      c = next[c]!
      if (c < 0) return null
    }
    if (c !== c0) return null
    out.push(ring)
  }
  return out
}

function clipToConvex(rings: Ring[], cell: Ring): Ring[] | null {
  let minX = Infinity
  let minY = Infinity
  let maxX = -Infinity
  let maxY = -Infinity
  for (const [x, y] of cell) {
    minX = Math.min(minX, x)
    maxX = Math.max(maxX, x)
    minY = Math.min(minY, y)
    maxY = Math.max(maxY, y)
  }
  let cur: Ring[] = rings.filter((r) => {
    let rx0 = Infinity
    let ry0 = Infinity
    let rx1 = -Infinity
    let ry1 = -Infinity
    for (const [x, y] of r) {
      if (x < rx0) rx0 = x
      if (x > rx1) rx1 = x
      if (y < ry0) ry0 = y
      if (y > ry1) ry1 = y
    }
    return rx1 >= minX && rx0 <= maxX && ry1 >= minY && ry0 <= maxY
  })
  for (let i = 0; i < cell.length && cur.length > 0; i++) {
    const a = cell[i]!
    const b = cell[(i + 1) % cell.length]!
    const next = clipHalfPlane(cur, a[0], a[1], b[0] - a[0], b[1] - a[1])
    if (!next) return null
    cur = next
  }
  return cur
}

function toPolyclip(polys: Poly[]): polyclip.Geom {
  return polys.map((poly) => poly.map((r) => [...r, r[0]!] as [number, number][]))
}

/** Oriented open rings from polyclip output. */
function fromPolyclip(mp: polyclip.Geom): Ring[] {
  return ringsOf(mp as Position[][][])
}

// ---------------------------------------------------------------------------------------------
// Partition of one parent region into n units
//
// Samples are drawn with the wanted density: 1 / (1 + elevation / 300 m), plus Gaussian bumps round
// urban anchors. Seeds start as samples and are spread by two Lloyd steps on the Voronoi diagram
// (d3-delaunay); then every unit gets a seed (the seat unit the seed nearest the seat, a zone's
// townships grown over Delaunay neighbours round the zone's anchor, urban units next to the seat, the
// rest by distance from the seat). A capacity-constrained relaxation follows: each seed carries a
// weight, cells are the cells of the power diagram (the Voronoi diagram of weighted seeds), and the
// weights are tuned, with Lloyd moves in between, until each unit holds a share of the sample mass
// proportional to its weight — its number of villages for a township, 1 for a village. A unit's area
// thus follows its weight divided by the density: villages are smaller in the plains, larger in the
// mountains, whatever township they are in.
// ---------------------------------------------------------------------------------------------

interface RegionPlan {
  n: number
  /** The region's seat; urban units gather round it and the `seatUnit`'s cell holds it. */
  seat: Pt
  seatUnit: number | null
  /** Units placed next to the seat, in this order. */
  nearSeat: number[]
  /** Groups kept together round an anchor (zones inside their parent's outline). */
  clusters: { anchor: Pt; units: number[] }[]
  /** All other units; earlier ones get seeds nearer the seat. */
  rest: number[]
  /** Each unit's share of the density mass, relative to the others'. */
  weights: number[]
  /** Extra density round urban anchors, `weight` in the units of `weights`. */
  bumps: { at: Pt; weight: number }[]
}

interface RegionUnit {
  /** Rounded output geometry. */
  geom: Position[][][]
  /** Its rings, for partitioning the unit in turn. */
  rings: Ring[]
  seed: Pt
  /** Density samples that fell in the unit: seat candidates. */
  samples: Pt[]
}

function partitionRegion(rings: Ring[], plan: RegionPlan, surface: Surface, rng: Rng, what: string): RegionUnit[] {
  const idx = polyIndex(rings)
  for (let attempt = 0; attempt < 4; attempt++) {
    const units = tryPartition(idx, plan, surface, attempt === 0 ? rng : rng.fork(`retry:${attempt}`))
    if (units) return units
  }
  throw new Error(`Unable to partition ${what} into ${plan.n} non-empty units`)
}

function density(surface: Surface, x: number, y: number): number {
  return 1 / (1 + Math.max(0, surface.elevation(x, y)) / ELEVATION_SCALE_M)
}

/** Samples from the base density plus Gaussian bumps round the urban anchors. */
function samplePool(idx: PolyIndex, plan: RegionPlan, surface: Surface, rng: Rng): Pt[] {
  const { minX, minY, maxX, maxY, kx } = idx
  let envelope = 0
  let sum = 0
  let count = 0
  const g = 12
  for (let i = 0; i < g; i++) {
    for (let j = 0; j < g; j++) {
      const x = minX + ((i + 0.5) / g) * (maxX - minX)
      const y = minY + ((j + 0.5) / g) * (maxY - minY)
      const d = density(surface, x, y)
      envelope = Math.max(envelope, d)
      if (idx.contains(x, y)) {
        sum += d
        count++
      }
    }
  }
  envelope = Math.min(1, envelope * 1.25)
  const baseMass = idx.area * kx * (count > 0 ? sum / count : envelope)
  const totalWeight = plan.weights.reduce((s, w) => s + w, 0)
  const urbanWeight = Math.min(0.9 * totalWeight, plan.bumps.reduce((s, b) => s + b.weight, 0))
  const unitDeg2 = URBAN_KM2_PER_WEIGHT / (KM_PER_DEG * KM_PER_DEG)
  const bumps = plan.bumps
    .filter((b) => b.weight > 0)
    .map((b) => ({
      at: b.at,
      sigma: Math.sqrt((b.weight * unitDeg2) / (2 * Math.PI)),
      mass: (baseMass * Math.min(b.weight, urbanWeight)) / (totalWeight - urbanWeight),
    }))
  const components = [0, ...bumps.map((_, k) => k + 1)]
  const masses = [baseMass, ...bumps.map((b) => b.mass)]
  const total = Math.ceil(Math.max(MIN_SAMPLES_PER_UNIT * plan.n, SAMPLES_PER_WEIGHT * totalWeight))
  const pool: Pt[] = []
  const fromBase = (): Pt => {
    for (let tries = 0; tries < 200_000; tries++) {
      const x = rng.range(minX, maxX)
      const y = rng.range(minY, maxY)
      if (!idx.contains(x, y)) continue
      if (rng.next() * envelope > density(surface, x, y)) continue
      return [x, y]
    }
    throw new Error('no sample found inside the region')
  }
  while (pool.length < total) {
    const c = bumps.length === 0 ? 0 : rng.weighted(components, masses)
    if (c === 0) {
      pool.push(fromBase())
      continue
    }
    const b = bumps[c - 1]!
    let p: Pt | null = null
    for (let tries = 0; tries < 50 && !p; tries++) {
      const x = b.at[0] + (rng.normal() * b.sigma) / kx
      const y = b.at[1] + rng.normal() * b.sigma
      if (idx.contains(x, y)) p = [x, y]
    }
    pool.push(p ?? fromBase())
  }
  return pool
}

/** Keeps the part of a convex ring where nx·x + ny·y ≤ c (Sutherland–Hodgman; exact for convex). */
function cutConvex(poly: Ring, nx: number, ny: number, c: number): Ring {
  const out: Ring = []
  for (let i = 0; i < poly.length; i++) {
    const a = poly[i]!
    const b = poly[(i + 1) % poly.length]!
    const fa = nx * a[0] + ny * a[1] - c
    const fb = nx * b[0] + ny * b[1] - c
    if (fa <= 0) out.push(a)
    if (fa <= 0 !== fb <= 0) {
      const t = fa / (fa - fb)
      out.push([a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t])
    }
  }
  return out
}

function tryPartition(idx: PolyIndex, plan: RegionPlan, surface: Surface, rng: Rng): RegionUnit[] | null {
  const { n } = plan
  const pool = samplePool(idx, plan, surface, rng)

  if (n === 1) {
    const geom = finish(idx.rings)
    if (geom.length === 0) return null
    return [{ geom, rings: ringsOf(geom), seed: pool[0]!, samples: pool }]
  }

  // Local coordinates (x scaled by cos(latitude), centred on the region) for all distance work.
  const kx = idx.kx
  const x0 = (idx.minX + idx.maxX) / 2
  const y0 = (idx.minY + idx.maxY) / 2
  const N = pool.length
  const pu = new Float64Array(N)
  const pv = new Float64Array(N)
  pool.forEach((p, k) => {
    pu[k] = (p[0] - x0) * kx
    pv[k] = p[1] - y0
  })
  const su = new Float64Array(n)
  const sv = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    su[i] = pu[i]!
    sv[i] = pv[i]!
  }
  const toLonLat = (u: number, v: number): Pt => [u / kx + x0, v + y0]
  const flat = (): Float64Array => {
    const f = new Float64Array(2 * n)
    for (let i = 0; i < n; i++) {
      f[2 * i] = su[i]!
      f[2 * i + 1] = sv[i]!
    }
    return f
  }
  const voronoiOwners = (delaunay: Delaunay<Pt>): Int32Array => {
    const owner = new Int32Array(N)
    let hint = 0
    for (let k = 0; k < N; k++) {
      hint = delaunay.find(pu[k]!, pv[k]!, hint)
      owner[k] = hint
    }
    return owner
  }
  // During the relaxation a sample of a large region only looks at its K nearest seeds (refreshed
  // after the seeds move); the final cells are exact.
  const K = n > 16 ? 8 : n
  let near = new Int32Array(0)
  const refreshNear = () => {
    if (K === n) return
    near = new Int32Array(N * K)
    const d = new Float64Array(K)
    for (let k = 0; k < N; k++) {
      let filled = 0
      for (let i = 0; i < n; i++) {
        const di = (pu[k]! - su[i]!) ** 2 + (pv[k]! - sv[i]!) ** 2
        if (filled === K && di >= d[K - 1]!) continue
        let j = filled < K ? filled++ : K - 1
        while (j > 0 && d[j - 1]! > di) {
          d[j] = d[j - 1]!
          near[k * K + j] = near[k * K + j - 1]!
          j--
        }
        d[j] = di
        near[k * K + j] = i
      }
    }
  }
  const nearOwners = (w: Float64Array): Int32Array => {
    if (K === n) return powerOwners(w)
    const owner = new Int32Array(N)
    for (let k = 0; k < N; k++) {
      let best = 0
      let bestD = Infinity
      for (let c = k * K; c < k * K + K; c++) {
        const i = near[c]!
        const d = (pu[k]! - su[i]!) ** 2 + (pv[k]! - sv[i]!) ** 2 - w[i]!
        if (d < bestD) {
          bestD = d
          best = i
        }
      }
      owner[k] = best
    }
    return owner
  }
  const powerOwners = (w: Float64Array): Int32Array => {
    const owner = new Int32Array(N)
    for (let k = 0; k < N; k++) {
      let best = 0
      let bestD = Infinity
      for (let i = 0; i < n; i++) {
        const d = (pu[k]! - su[i]!) ** 2 + (pv[k]! - sv[i]!) ** 2 - w[i]!
        if (d < bestD) {
          bestD = d
          best = i
        }
      }
      owner[k] = best
    }
    return owner
  }
  /** Lloyd move: each seed to the mean of its samples, or to its sample nearest that mean if outside. */
  const moveSeeds = (owner: Int32Array) => {
    const mu = new Float64Array(n)
    const mv = new Float64Array(n)
    const cnt = new Int32Array(n)
    for (let k = 0; k < N; k++) {
      const o = owner[k]!
      mu[o] = mu[o]! + pu[k]!
      mv[o] = mv[o]! + pv[k]!
      cnt[o] = cnt[o]! + 1
    }
    for (let i = 0; i < n; i++) {
      if (cnt[i] === 0) continue
      const u = mu[i]! / cnt[i]!
      const v = mv[i]! / cnt[i]!
      const [x, y] = toLonLat(u, v)
      if (idx.contains(x, y)) {
        su[i] = u
        sv[i] = v
        continue
      }
      let best = -1
      let bestD = Infinity
      for (let k = 0; k < N; k++) {
        if (owner[k] !== i) continue
        const d = (pu[k]! - u) ** 2 + (pv[k]! - v) ** 2
        if (d < bestD) {
          bestD = d
          best = k
        }
      }
      su[i] = pu[best]!
      sv[i] = pv[best]!
    }
  }

  for (let step = 0; step < LLOYD_STEPS; step++) moveSeeds(voronoiOwners(new Delaunay(flat())))
  const keys = new Set<string>()
  for (let i = 0; i < n; i++) keys.add(`${su[i]},${sv[i]}`)
  if (keys.size < n) return null
  const delaunay = new Delaunay<Pt>(flat())

  // Which seed each unit gets.
  const seat: Pt = [(plan.seat[0] - x0) * kx, plan.seat[1] - y0]
  const local = (p: Pt): Pt => [(p[0] - x0) * kx, p[1] - y0]
  const seedOf = new Int32Array(n).fill(-1)
  const taken = new Uint8Array(n)
  const dist2 = (i: number, p: Pt) => (su[i]! - p[0]) ** 2 + (sv[i]! - p[1]) ** 2
  const nearestFree = (p: Pt): number => {
    let best = -1
    let bestD = Infinity
    for (let i = 0; i < n; i++) {
      if (taken[i]) continue
      const d = dist2(i, p)
      if (d < bestD) {
        bestD = d
        best = i
      }
    }
    return best
  }
  const give = (unit: number, s: number) => {
    seedOf[unit] = s
    taken[s] = 1
  }
  if (plan.seatUnit !== null) give(plan.seatUnit, delaunay.find(seat[0], seat[1]))
  for (const cluster of plan.clusters) {
    // Grow the cluster over Delaunay neighbours from the seed nearest its anchor, so that its cells touch.
    const anchor = local(cluster.anchor)
    const members: number[] = []
    for (const unit of cluster.units) {
      let best = -1
      let bestD = Infinity
      for (const s of members) {
        for (const nb of delaunay.neighbors(s)) {
          if (taken[nb]) continue
          const d = dist2(nb, anchor)
          if (d < bestD) {
            bestD = d
            best = nb
          }
        }
      }
      if (best < 0) best = nearestFree(anchor)
      give(unit, best)
      members.push(best)
    }
  }
  for (const unit of plan.nearSeat) give(unit, nearestFree(seat))
  const free = [...Array(n).keys()].filter((i) => !taken[i]).sort((a, b) => dist2(a, seat) - dist2(b, seat))
  plan.rest.forEach((unit, k) => give(unit, free[k]!))
  if (seedOf.some((s) => s < 0)) throw new Error('partition plan does not cover every unit')

  // Capacity-constrained relaxation: each seed's weight is raised while its cell holds less than its
  // share of the samples and lowered while it holds more. The steps adapt per cell (grown while the
  // sign holds, halved when it flips), which copes with dense urban bumps next to sparse hills.
  // Raising a weight by δ moves each edge of its cell out by δ / (2·seed distance): ≈ (π/2)·δ of area.
  const totalWeight = plan.weights.reduce((s, w) => s + w, 0)
  const target = new Float64Array(n)
  plan.weights.forEach((w, unit) => {
    target[seedOf[unit]!] = (N * w) / totalWeight
  })
  const areaPerSample = (idx.area * kx) / N
  const weight = new Float64Array(n)
  const stepSize = target.map((t) => (0.1 * t * areaPerSample) / (Math.PI / 2))
  const lastSign = new Int8Array(n)
  // The seat unit's seed sits on the seat (inside the parent), so that the seat stays in its cell.
  const seatSeed = plan.seatUnit === null ? -1 : seedOf[plan.seatUnit]!
  const pinSeat = () => {
    if (seatSeed < 0) return
    su[seatSeed] = seat[0]
    sv[seatSeed] = seat[1]
  }
  pinSeat()
  refreshNear()
  for (let step = 0; step < CAPACITY_STEPS; step++) {
    const owner = nearOwners(weight)
    if (step % 7 === 6 && step < CAPACITY_STEPS - 12) {
      moveSeeds(owner)
      pinSeat()
      refreshNear()
      continue
    }
    const cnt = new Float64Array(n)
    for (let k = 0; k < N; k++) cnt[owner[k]!] = cnt[owner[k]!]! + 1
    for (let i = 0; i < n; i++) {
      const gap = target[i]! - cnt[i]!
      const sign = Math.abs(gap) <= Math.max(0.5, 0.03 * target[i]!) ? 0 : gap > 0 ? 1 : -1
      if (sign !== 0) {
        if (sign === lastSign[i]) stepSize[i] = stepSize[i]! * 1.25
        else if (lastSign[i] !== 0) stepSize[i] = stepSize[i]! * 0.5
        weight[i] = weight[i]! + sign * stepSize[i]!
      }
      lastSign[i] = sign
    }
  }

  // Power cells, clipped to the parent. Should a cell come out empty, the weights are damped, down to
  // the plain Voronoi diagram of (distinct) seeds inside the parent, where no cell can be empty.
  const distinct = new Set<string>()
  for (let i = 0; i < n; i++) distinct.add(`${su[i]},${sv[i]}`)
  if (distinct.size < n) return null
  const w = (idx.maxX - idx.minX) * kx
  const h = idx.maxY - idx.minY
  const m = 0.01 * Math.max(w, h) + 1e-6
  const box: Ring = [
    [-w / 2 - m, -h / 2 - m],
    [w / 2 + m, -h / 2 - m],
    [w / 2 + m, h / 2 + m],
    [-w / 2 - m, h / 2 + m],
  ]
  for (const [scale, holdSeat] of [
    [1, true],
    [0.5, true],
    [0.25, true],
    [0, true],
    [0, false],
  ] as const) {
    const ws = weight.map((x) => x * scale)
    if (holdSeat && seatSeed >= 0) {
      // Weight the seat unit just enough that the seat lies inside its cell, ≈ 2.5e-6° in.
      let need = ws[seatSeed]!
      for (let j = 0; j < n; j++) {
        if (j !== seatSeed) need = Math.max(need, dist2(seatSeed, seat) - dist2(j, seat) + ws[j]! + 1e-7)
      }
      ws[seatSeed] = need
    }
    const cells: Ring[] = []
    for (let i = 0; i < n; i++) {
      let poly = box
      for (let j = 0; j < n && poly.length >= 3; j++) {
        if (j === i) continue
        const nx = 2 * (su[j]! - su[i]!)
        const ny = 2 * (sv[j]! - sv[i]!)
        const c = su[j]! ** 2 + sv[j]! ** 2 - su[i]! ** 2 - sv[i]! ** 2 + ws[i]! - ws[j]!
        poly = cutConvex(poly, nx, ny, c)
      }
      const cell = poly.map(([u, v]) => toLonLat(u, v))
      if (cell.length < 3 || ringArea(cell) <= 0) break
      cells.push(cell)
    }
    if (cells.length < n) continue

    const pieces: Ring[][] = []
    let ok = true
    for (const cell of cells) {
      const clipped = clipToConvex(idx.rings, cell)
      if (!clipped) {
        ok = false
        break
      }
      pieces.push(clipped)
    }
    // The pieces must add up to the parent; otherwise (a degenerate crossing) let polyclip do it.
    if (ok && Math.abs(pieces.reduce((s, c) => s + netArea(c), 0) - idx.area) > 1e-9 * Math.abs(idx.area)) ok = false
    if (!ok) {
      const parent = toPolyclip(assemble(idx.rings) ?? [])
      cells.forEach((cell, i) => {
        pieces[i] = fromPolyclip(polyclip.intersection(parent, [[...cell, cell[0]!]]))
      })
    }

    const owner = powerOwners(ws)
    const units: RegionUnit[] = []
    for (let unit = 0; unit < n; unit++) {
      const s = seedOf[unit]!
      const geom = finish(pieces[s]!)
      if (geom.length === 0) break
      units.push({ geom, rings: ringsOf(geom), seed: toLonLat(su[s]!, sv[s]!), samples: pool.filter((_, k) => owner[k] === s) })
    }
    if (units.length === n) return units
  }
  return null
}

// ---------------------------------------------------------------------------------------------
// Seats
// ---------------------------------------------------------------------------------------------

/** Low, flat and not far from the centre: seats sit in valleys. */
function seatScore(p: Pt, surface: Surface, centre: Pt, radius: number, kx: number): number {
  const d = Math.hypot((p[0] - centre[0]) * kx, p[1] - centre[1]) / radius
  return Math.max(0, surface.elevation(p[0], p[1])) + 20 * surface.slopeDeg(p[0], p[1]) + 300 * d * d
}

function bestSeat(candidates: Pt[], geom: Position[][][], surface: Surface, centre: Pt, radius: number): Pt {
  const kx = Math.cos((centre[1] * Math.PI) / 180)
  const scored = candidates
    .map((p) => ({ p, s: seatScore(p, surface, centre, radius, kx) }))
    .sort((a, b) => a.s - b.s)
  for (const { p } of scored.slice(0, 16)) {
    const q = roundPt(p)
    if (strictlyInside(q, geom)) return q
  }
  const fallback = interiorPoint(geom)
  if (fallback) {
    const q = roundPt(fallback)
    if (strictlyInside(q, geom)) return q
  }
  throw new Error('no interior point for a seat')
}

function radiusOf(rings: Ring[]): number {
  const idxArea = Math.abs(netArea(rings))
  return Math.max(1e-4, Math.sqrt(idxArea / Math.PI))
}

function areaCentroid(rings: Ring[]): Pt {
  let a = 0
  let cx = 0
  let cy = 0
  const [x0, y0] = rings[0]![0]!
  for (const r of rings) {
    for (let i = 0; i < r.length; i++) {
      const p = r[i]!
      const q = r[(i + 1) % r.length]!
      const f = (p[0] - x0) * (q[1] - y0) - (q[0] - x0) * (p[1] - y0)
      a += f
      cx += (p[0] - x0 + q[0] - x0) * f
      cy += (p[1] - y0 + q[1] - y0) * f
    }
  }
  return [x0 + cx / (3 * a), y0 + cy / (3 * a)]
}

/** The county seat: the best of a few points near the centre of the outline. */
function countySeat(rings: Ring[], geom: Position[][][], surface: Surface, rng: Rng): Pt {
  const idx = polyIndex(rings)
  const centre = areaCentroid(rings)
  const radius = radiusOf(rings)
  const near: Pt[] = []
  const any: Pt[] = []
  for (let tries = 0; tries < 4000 && near.length < 24; tries++) {
    const x = rng.range(idx.minX, idx.maxX)
    const y = rng.range(idx.minY, idx.maxY)
    if (!idx.contains(x, y)) continue
    if (Math.hypot((x - centre[0]) * idx.kx, y - centre[1]) < 0.5 * radius) near.push([x, y])
    else if (any.length < 24) any.push([x, y])
  }
  return bestSeat(near.length >= 4 ? near : [...near, ...any], geom, surface, centre, 0.5 * radius)
}

// ---------------------------------------------------------------------------------------------
// Dissolves
// ---------------------------------------------------------------------------------------------

/** Union of MultiPolygons, holes under `maxHoleKm2` closed, rounded. */
function dissolve(geoms: Position[][][][], maxHoleKm2: number): Position[][][] {
  const [first, ...rest] = geoms.map((g) => g as polyclip.Geom)
  if (!first) return []
  const rings = fromPolyclip(polyclip.union(first, ...rest))
  return finish(rings.filter((r) => ringArea(r) > 0 || areaKm2([[[...r, r[0]!]]]) >= maxHoleKm2))
}

/**
 * A county outline as a valid MultiPolygon. 55 of the source outlines are not valid as they stand:
 * zero-width spikes (宁远县 loses 1,156 of its 2,098 vertices to them), rings that touch themselves at a
 * vertex and two small bow-ties (鹤城区, 中方县). Rounding and cleaning (spikes dropped, rings split where
 * they touch themselves) fixes them all while keeping the area (to ≤ 4e-7); a polyclip union of the
 * outline with itself remains as the fallback for anything else.
 */
function repairOutline(outline: MultiPolygon): Position[][][] {
  const plain = finish(ringsOf(outline.coordinates))
  if (plain.length > 0 && geometryProblems(multiPolygon(plain)).length === 0) return plain
  const repaired = finish(fromPolyclip(polyclip.union(outline.coordinates as polyclip.Geom)))
  const problems = geometryProblems(multiPolygon(repaired))
  if (problems.length > 0) throw new Error(`outline still invalid after repair: ${problems.slice(0, 3).join('; ')}`)
  return repaired
}

// ---------------------------------------------------------------------------------------------
// Noding
// ---------------------------------------------------------------------------------------------

/**
 * Inserts into the rings of `targets` every vertex of `sources` (targets included) that lies on one of
 * their edges, within `tol` degrees. Clipping puts a child's boundary crossings on its parent's edges;
 * rounded to 1e-6° they sit up to 0.7e-6° off those edges, so without this the parent and its children,
 * and the children of two neighbouring parents, would be separated by slivers of that width. The
 * tolerance covers a crossing and the rounded ends of the (sub-)edge it is tested against.
 * Returns the noded coordinates, in the order of `targets`.
 */
function nodeTogether(targets: Position[][][][], sources: Position[][][][], tol = 2e-6): Position[][][][] {
  const cell = 0.002
  const cellKey = (cx: number, cy: number) => cx * 1_000_003 + cy
  const grid = new Map<number, Pt[]>()
  const seen = new Set<string>()
  for (const geom of sources) {
    for (const poly of geom) {
      for (const ring of poly) {
        for (const p of ring) {
          const key = `${p[0]},${p[1]}`
          if (seen.has(key)) continue
          seen.add(key)
          const ck = cellKey(Math.floor(p[0]! / cell), Math.floor(p[1]! / cell))
          const list = grid.get(ck)
          if (list) list.push([p[0]!, p[1]!])
          else grid.set(ck, [[p[0]!, p[1]!]])
        }
      }
    }
  }
  const hits: { t: number; p: Pt }[] = []
  const visit = (ck: number, a: Position, b: Position, dx: number, dy: number, len2: number, len: number) => {
    for (const v of grid.get(ck) ?? []) {
      const t = ((v[0] - a[0]!) * dx + (v[1] - a[1]!) * dy) / len2
      if (t <= 0 || t >= 1) continue
      if (Math.abs((v[0] - a[0]!) * dy - (v[1] - a[1]!) * dx) / len > tol) continue
      if ((v[0] === a[0] && v[1] === a[1]) || (v[0] === b[0] && v[1] === b[1])) continue
      hits.push({ t, p: v })
    }
  }
  const nodeRing = (ring: Position[]): Position[] => {
    const out: Position[] = []
    for (let i = 0; i + 1 < ring.length; i++) {
      const a = ring[i]!
      const b = ring[i + 1]!
      out.push(a)
      const dx = b[0]! - a[0]!
      const dy = b[1]! - a[1]!
      const len2 = dx * dx + dy * dy
      if (len2 === 0) continue
      const len = Math.sqrt(len2)
      hits.length = 0
      if (len < 4 * cell) {
        // Short edge: the cells of its box, widened by the tolerance.
        const x0 = Math.floor((Math.min(a[0]!, b[0]!) - tol) / cell)
        const x1 = Math.floor((Math.max(a[0]!, b[0]!) + tol) / cell)
        const y0 = Math.floor((Math.min(a[1]!, b[1]!) - tol) / cell)
        const y1 = Math.floor((Math.max(a[1]!, b[1]!) + tol) / cell)
        for (let cx = x0; cx <= x1; cx++) for (let cy = y0; cy <= y1; cy++) visit(cellKey(cx, cy), a, b, dx, dy, len2, len)
      } else {
        // Long edge: the cells along it and their neighbours.
        const cells = new Set<number>()
        const steps = Math.ceil(len / cell) + 1
        for (let k = 0; k <= steps; k++) {
          const cx = Math.floor((a[0]! + (dx * k) / steps) / cell)
          const cy = Math.floor((a[1]! + (dy * k) / steps) / cell)
          for (let ox = -1; ox <= 1; ox++) for (let oy = -1; oy <= 1; oy++) cells.add(cellKey(cx + ox, cy + oy))
        }
        for (const ck of cells) visit(ck, a, b, dx, dy, len2, len)
      }
      hits.sort((u, w) => u.t - w.t)
      for (const h of hits) out.push([h.p[0], h.p[1]])
    }
    out.push(ring[ring.length - 1]!)
    return out
  }
  return targets.map((geom) => geom.map((poly) => poly.map(nodeRing)))
}

// ---------------------------------------------------------------------------------------------
// Validity
// ---------------------------------------------------------------------------------------------

/**
 * What makes a MultiPolygon invalid (OGC simple features), as messages; empty when valid. Checks ring
 * closure and size, repeated points, zero area, segments that cross, overlap or touch within a ring,
 * holes outside their shell and polygons whose interiors overlap. Rings of different polygons, or a
 * hole and its shell, may touch at points. Meant for the rounded output (collinearity tolerance 1e-13).
 */
export function geometryProblems(geom: MultiPolygon): string[] {
  const problems: string[] = []
  const polys: Ring[][] = []
  for (const [pi, poly] of geom.coordinates.entries()) {
    const rings: Ring[] = []
    for (const [ri, ring] of poly.entries()) {
      const where = `polygon ${pi} ring ${ri}`
      const f = ring[0]
      const l = ring[ring.length - 1]
      if (ring.length < 4) problems.push(`${where}: fewer than 4 positions`)
      if (!f || !l || f[0] !== l[0] || f[1] !== l[1]) problems.push(`${where}: not closed`)
      const r = openRing(ring)
      for (let i = 0; i < r.length; i++) {
        const a = r[i]!
        const b = r[(i + 1) % r.length]!
        if (a[0] === b[0] && a[1] === b[1]) problems.push(`${where}: repeated point ${a.join(',')}`)
      }
      if (ringArea(r) === 0) problems.push(`${where}: zero area`)
      rings.push(r)
    }
    polys.push(rings)
  }
  if (problems.length > 0) return problems

  // Segment pairs, bucketed in a grid.
  interface Seg {
    ax: number
    ay: number
    bx: number
    by: number
    ring: number
    i: number
    n: number
  }
  const segs: Seg[] = []
  let ringId = 0
  for (const rings of polys) {
    for (const r of rings) {
      for (let i = 0; i < r.length; i++) {
        const a = r[i]!
        const b = r[(i + 1) % r.length]!
        segs.push({ ax: a[0], ay: a[1], bx: b[0], by: b[1], ring: ringId, i, n: r.length })
      }
      ringId++
    }
  }
  let minX = Infinity
  let minY = Infinity
  let maxX = -Infinity
  let maxY = -Infinity
  for (const s of segs) {
    minX = Math.min(minX, s.ax, s.bx)
    maxX = Math.max(maxX, s.ax, s.bx)
    minY = Math.min(minY, s.ay, s.by)
    maxY = Math.max(maxY, s.ay, s.by)
  }
  const g = Math.max(1, Math.min(1024, Math.ceil(Math.sqrt(segs.length / 2))))
  const cw = (maxX - minX) / g || 1
  const ch = (maxY - minY) / g || 1
  const cellX = (x: number) => Math.max(0, Math.min(g - 1, Math.floor((x - minX) / cw)))
  const cellY = (y: number) => Math.max(0, Math.min(g - 1, Math.floor((y - minY) / ch)))
  const grid = new Map<number, number[]>()
  segs.forEach((s, k) => {
    for (let cx = cellX(Math.min(s.ax, s.bx)); cx <= cellX(Math.max(s.ax, s.bx)); cx++) {
      for (let cy = cellY(Math.min(s.ay, s.by)); cy <= cellY(Math.max(s.ay, s.by)); cy++) {
        const key = cx * g + cy
        const list = grid.get(key)
        if (list) list.push(k)
        else grid.set(key, [k])
      }
    }
  })
  const EPS = 1e-13
  const orient = (ax: number, ay: number, bx: number, by: number, cx: number, cy: number) => {
    const d = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)
    return d > EPS ? 1 : d < -EPS ? -1 : 0
  }
  const onSeg = (s: Seg, x: number, y: number) =>
    Math.min(s.ax, s.bx) - EPS <= x && x <= Math.max(s.ax, s.bx) + EPS && Math.min(s.ay, s.by) - EPS <= y && y <= Math.max(s.ay, s.by) + EPS
  const same = (x1: number, y1: number, x2: number, y2: number) => x1 === x2 && y1 === y2
  for (const [key, list] of grid) {
    const gx = Math.floor(key / g)
    const gy = key % g
    for (let p = 0; p < list.length; p++) {
      for (let q = p + 1; q < list.length; q++) {
        const s = segs[list[p]!]!
        const t = segs[list[q]!]!
        // Test each pair once: in the cell holding the low corner of the overlap of their boxes.
        const ox = Math.max(Math.min(s.ax, s.bx), Math.min(t.ax, t.bx))
        const oy = Math.max(Math.min(s.ay, s.by), Math.min(t.ay, t.by))
        if (ox > Math.min(Math.max(s.ax, s.bx), Math.max(t.ax, t.bx)) + EPS) continue
        if (oy > Math.min(Math.max(s.ay, s.by), Math.max(t.ay, t.by)) + EPS) continue
        if (cellX(ox) !== gx || cellY(oy) !== gy) continue
        const o1 = orient(s.ax, s.ay, s.bx, s.by, t.ax, t.ay)
        const o2 = orient(s.ax, s.ay, s.bx, s.by, t.bx, t.by)
        const o3 = orient(t.ax, t.ay, t.bx, t.by, s.ax, s.ay)
        const o4 = orient(t.ax, t.ay, t.bx, t.by, s.bx, s.by)
        const sameRing = s.ring === t.ring
        const adjacent = sameRing && ((s.i + 1) % s.n === t.i || (t.i + 1) % t.n === s.i)
        const at = `${s.ax},${s.ay}`
        if (o1 * o2 < 0 && o3 * o4 < 0) {
          problems.push(`segments cross near ${at}`)
          continue
        }
        if (o1 === 0 && o2 === 0) {
          // Collinear: overlap of positive length?
          const ux = s.bx - s.ax
          const uy = s.by - s.ay
          const len2 = ux * ux + uy * uy
          const ta = ((t.ax - s.ax) * ux + (t.ay - s.ay) * uy) / len2
          const tb = ((t.bx - s.bx) * ux + (t.by - s.by) * uy) / len2 + 1
          const lo = Math.max(0, Math.min(ta, tb))
          const hi = Math.min(1, Math.max(ta, tb))
          if (hi - lo > 1e-9) {
            problems.push(`segments overlap near ${at}`)
            continue
          }
        }
        if (!sameRing || adjacent) continue
        // Same ring, not adjacent: any contact is a self-intersection.
        const touch =
          (o1 === 0 && onSeg(s, t.ax, t.ay)) ||
          (o2 === 0 && onSeg(s, t.bx, t.by)) ||
          (o3 === 0 && onSeg(t, s.ax, s.ay)) ||
          (o4 === 0 && onSeg(t, s.bx, s.by)) ||
          same(s.ax, s.ay, t.ax, t.ay)
        if (touch) problems.push(`ring touches itself near ${at}`)
      }
    }
  }
  if (problems.length > 0) return problems

  // Holes inside their shell; polygons not inside one another.
  const insidePoly = (x: number, y: number, rings: Ring[]) =>
    pointInRing(x, y, rings[0]!) && !rings.slice(1).some((h) => pointInRing(x, y, h))
  const interiorSide = (r: Ring): Pt => {
    const p = leftOfLongestEdge(r)
    if (ringArea(r) > 0) return p
    return leftOfLongestEdge([...r].reverse())
  }
  polys.forEach((rings, pi) => {
    rings.slice(1).forEach((h, hi) => {
      // Just outside the hole = inside the polygon.
      const pr = ringArea(h) < 0 ? leftOfLongestEdge(h) : leftOfLongestEdge([...h].reverse())
      if (!pointInRing(pr[0], pr[1], rings[0]!)) problems.push(`polygon ${pi} hole ${hi + 1} outside its shell`)
    })
  })
  for (let a = 0; a < polys.length; a++) {
    const [x, y] = interiorSide(polys[a]![0]!)
    for (let b = 0; b < polys.length; b++) {
      if (a !== b && insidePoly(x, y, polys[b]!)) problems.push(`polygon ${a} overlaps polygon ${b}`)
    }
  }
  return problems
}

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

/** 街道 (urban street office). */
export function isStreetOffice(name: string): boolean {
  return name.endsWith('街道')
}

/** 社区 / 居委会: an urban residents' committee rather than a village (村). */
export function isCommunity(name: string): boolean {
  return /社区|居委会|居民委员会/.test(name)
}

// ---------------------------------------------------------------------------------------------
// The partition
// ---------------------------------------------------------------------------------------------

function villagePopulation(name: string, inStreetOffice: boolean, elevation: number, rng: Rng): number {
  if (isCommunity(name)) return rng.int(0, 300)
  // ≈ 2,500 people in the plains, ≈ 1,250 at 900 m; clamped to the range of real villages.
  const typical = 2500 / (1 + Math.max(0, elevation) / 900)
  const p = Math.min(3500, Math.max(800, typical * Math.exp(rng.normal(0, 0.25))))
  // A village under a street office has mostly been built over.
  return Math.round(inStreetOffice ? p * 0.4 : p)
}

/**
 * Every division of `input.divisions` as an admin_area row, sorted by code. The divisions may be a
 * subset (a few counties with their ancestors and descendants); a zone needs its boundary parent in it.
 *
 * Zones: their townships are placed inside the boundary parent's outline together with the parent's
 * own townships, clustered round the zone's probe point, and the zone's geometry is the union of its
 * townships. The parent county keeps its full real outline, so it overlaps the zone — that is how
 * these zones are: carved out administratively, not cut from the outline the boundary source draws.
 */
export function partitionAdmin(
  input: PartitionSources,
  terrain: Terrain | ElevationModel | ElevationFn,
  rng: Rng,
): AdminAreaRow[] {
  const surface = surfaceOf(terrain)
  const byCode = new Map<string, DivisionRecord>()
  const children = new Map<string, DivisionRecord[]>()
  for (const d of input.divisions) {
    if (byCode.has(d.code)) throw new Error(`division ${d.code} appears twice`)
    byCode.set(d.code, d)
  }
  for (const d of input.divisions) {
    if (d.level === 'province') {
      if (d.parent !== null) throw new Error(`province ${d.code} has a parent`)
      continue
    }
    if (!d.parent || !byCode.has(d.parent)) throw new Error(`division ${d.code} ${d.name}: parent ${d.parent} missing`)
    const list = children.get(d.parent)
    if (list) list.push(d)
    else children.set(d.parent, [d])
  }
  for (const list of children.values()) list.sort((a, b) => (a.code < b.code ? -1 : 1))
  const kids = (code: string) => children.get(code) ?? []

  const outlines = new Map(input.counties.features.map((f) => [f.properties.code, f.geometry]))
  const zoneByCode = new Map(input.reconciliation.zones.map((z) => [z.code, z]))
  const counties = input.divisions.filter((d) => d.level === 'county').sort((a, b) => (a.code < b.code ? -1 : 1))
  const zonesOf = new Map<string, ZoneRecord[]>()
  for (const c of counties) {
    if (outlines.has(c.code)) continue
    const zone = zoneByCode.get(c.code)
    if (!zone) throw new Error(`county ${c.code} ${c.name} has no outline and no zone entry in reconciliation.json`)
    if (!outlines.has(zone.boundaryParent)) throw new Error(`zone ${c.code}: boundary parent ${zone.boundaryParent} has no outline`)
    if (!byCode.has(zone.boundaryParent)) {
      throw new Error(`zone ${c.code} ${c.name} needs its boundary parent ${zone.boundaryParent} among the divisions`)
    }
    const list = zonesOf.get(zone.boundaryParent)
    if (list) list.push(zone)
    else zonesOf.set(zone.boundaryParent, [zone])
  }

  const rows = new Map<string, AdminAreaRow>()
  const put = (d: DivisionRecord, geom: Position[][][] | null, seat: Pt | null, synthetic: boolean) => {
    rows.set(d.code, {
      code: d.code,
      level: d.level,
      name: d.name,
      parent_code: d.parent,
      geom: geom && geom.length > 0 ? multiPolygon(geom) : null,
      seat: seat ? ({ type: 'Point', coordinates: [seat[0], seat[1]] } satisfies Point) : null,
      poverty_designated: d.level === 'county' && POVERTY_COUNTY_CODES.has(d.code),
      rural_population: d.level === 'village' ? 0 : null,
      geom_synthetic: synthetic,
    })
  }
  const countyGeoms = new Map<string, Position[][][]>()

  const partitionTownship = (t: DivisionRecord, unit: RegionUnit, seat: Pt) => {
    const villages = kids(t.code)
    if (villages.length === 0) return
    const trng = rng.fork(`township:${t.code}`)
    const community = villages.flatMap((v, i) => (isCommunity(v.name) ? [i] : []))
    const others = villages.flatMap((v, i) => (isCommunity(v.name) ? [] : [i]))
    const plan: RegionPlan = {
      n: villages.length,
      seat,
      seatUnit: community[0] ?? null,
      nearSeat: community.slice(1),
      clusters: [],
      rest: others,
      weights: villages.map(() => 1),
      bumps: [{ at: seat, weight: community.length }],
    }
    const parts = partitionRegion(unit.rings, plan, surface, trng.fork('villages'), `township ${t.code} ${t.name}`)
    const prng = trng.fork('population')
    villages.forEach((v, i) => {
      const part = parts[i]!
      const vSeat =
        i === plan.seatUnit && strictlyInside(seat, part.geom)
          ? seat
          : bestSeat([part.seed, ...part.samples], part.geom, surface, part.seed, radiusOf(part.rings))
      put(v, part.geom, vSeat, true)
      const pts = part.samples.length > 0 ? part.samples : [vSeat]
      const elevation = pts.reduce((s, p) => s + surface.elevation(p[0], p[1]), 0) / pts.length
      rows.get(v.code)!.rural_population = villagePopulation(v.name, isStreetOffice(t.name), elevation, prng)
    })
  }

  for (const c of counties) {
    const outline = outlines.get(c.code)
    if (!outline) continue
    const crng = rng.fork(`county:${c.code}`)
    let geom: Position[][][]
    try {
      geom = repairOutline(outline)
    } catch (cause) {
      throw new Error(`Unable to use the outline of county ${c.code} ${c.name}`, { cause })
    }
    countyGeoms.set(c.code, geom)
    const rings = ringsOf(geom)
    const seat = countySeat(rings, geom, surface, crng.fork('seat'))
    put(c, geom, seat, false)

    const own = kids(c.code)
    const zones = zonesOf.get(c.code) ?? []
    const units: DivisionRecord[] = [...own, ...zones.flatMap((z) => kids(z.code))]
    if (units.length === 0) continue
    const idx = polyIndex(rings)
    const clusters = zones.map((z) => {
      const anchor: Pt = idx.contains(z.probe[0], z.probe[1]) ? z.probe : (interiorPoint(geom) ?? seat)
      const first = units.findIndex((u) => u.parent === z.code)
      return { zone: z, anchor, units: kids(z.code).map((_, k) => first + k) }
    })
    // Street offices are dense: their communities make the density bump round the seat (or zone anchor).
    const urbanWeight = (t: DivisionRecord) =>
      isStreetOffice(t.name) ? Math.max(1, kids(t.code).filter((v) => isCommunity(v.name)).length) : 0
    const plan: RegionPlan = {
      n: units.length,
      seat,
      seatUnit: own.length > 0 ? 0 : null,
      nearSeat: own.flatMap((t, i) => (i > 0 && isStreetOffice(t.name) ? [i] : [])),
      clusters: clusters.map(({ anchor, units: u }) => ({ anchor, units: u })),
      rest: own.flatMap((t, i) => (i > 0 && !isStreetOffice(t.name) ? [i] : [])),
      // A township's share of the outline: its number of villages.
      weights: units.map((t) => Math.max(1, kids(t.code).length)),
      bumps: [
        { at: seat, weight: own.reduce((s, t) => s + urbanWeight(t), 0) },
        ...clusters.map(({ zone, anchor }) => ({ at: anchor, weight: kids(zone.code).reduce((s, t) => s + urbanWeight(t), 0) })),
      ],
    }
    const parts = partitionRegion(rings, plan, surface, crng.fork('townships'), `county ${c.code} ${c.name}`)
    units.forEach((t, i) => {
      const part = parts[i]!
      const tSeat =
        i === plan.seatUnit && strictlyInside(seat, part.geom)
          ? seat
          : bestSeat([part.seed, ...part.samples], part.geom, surface, part.seed, radiusOf(part.rings))
      put(t, part.geom, tSeat, true)
      partitionTownship(t, part, tSeat)
    })
    // Townships and villages share their boundary vertices; the real outline stays as it is.
    const members = units.flatMap((t) => [t, ...kids(t.code)]).map((d) => rows.get(d.code)!)
    const before = members.map((r) => r.geom!.coordinates)
    const noded = nodeTogether(before, [geom, ...before])
    members.forEach((r, i) => {
      const changed = noded[i]!.some((poly, pi) => poly.some((ring, ri) => ring.length !== before[i]![pi]![ri]!.length))
      if (!changed) return
      const g = finish(ringsOf(noded[i]!))
      // Should noding make a ring touch itself, the un-noded shape stays: valid beats seamless.
      if (g.length === 0 || geometryProblems(multiPolygon(g)).length > 0) return
      r.geom = multiPolygon(g)
      if (r.seat && !strictlyInside(r.seat.coordinates as Pt, g)) {
        const q = interiorPoint(g)
        if (!q || !strictlyInside(roundPt(q), g)) throw new Error(`no seat inside ${r.level} ${r.code}`)
        r.seat = { type: 'Point', coordinates: roundPt(q) }
      }
    })
    for (const { zone } of clusters) {
      const d = byCode.get(zone.code)!
      const townships = kids(zone.code)
      const zGeom = dissolve(
        townships.map((t) => rows.get(t.code)!.geom!.coordinates),
        ZONE_SLIVER_HOLE_KM2,
      )
      const first = townships[0] ? rows.get(townships[0].code)!.seat : null
      put(d, zGeom, first ? (first.coordinates as Pt) : null, true)
    }
  }

  // Prefectures: dissolve of their counties' outlines; the seat is the first urban district's (xx02).
  const prefectures = input.divisions.filter((d) => d.level === 'prefecture').sort((a, b) => (a.code < b.code ? -1 : 1))
  for (const p of prefectures) {
    const members = kids(p.code)
    const geoms = members.flatMap((c) => {
      const g = countyGeoms.get(c.code)
      return g ? [g] : []
    })
    const geom = geoms.length > 0 ? dissolve(geoms, SLIVER_HOLE_KM2) : null
    const seatCounty = members.find((c) => c.code === `${p.code}02`) ?? members[0]
    const seat = seatCounty ? rows.get(seatCounty.code)?.seat : null
    put(p, geom, seat ? (seat.coordinates as Pt) : null, false)
  }
  for (const prov of input.divisions.filter((d) => d.level === 'province')) {
    const prefs = kids(prov.code)
    const geoms = prefs.flatMap((p) => {
      const g = rows.get(p.code)?.geom
      return g ? [g.coordinates] : []
    })
    const geom = geoms.length > 0 ? dissolve(geoms, SLIVER_HOLE_KM2) : null
    // 长沙市 (4301) is the capital.
    const capital = prefs.find((p) => p.code === `${prov.code}01`) ?? prefs[0]
    const seat = capital ? rows.get(capital.code)?.seat : null
    put(prov, geom, seat ? (seat.coordinates as Pt) : null, false)
  }

  // Rural population: villages drawn above, every level above is the sum of its children.
  const levelsUp = [...ADMIN_LEVELS].reverse().slice(1)
  for (const level of levelsUp) {
    for (const row of rows.values()) {
      if (row.level !== level) continue
      row.rural_population = kids(row.code).reduce((s, k) => s + (rows.get(k.code)?.rural_population ?? 0), 0)
    }
  }
  return [...rows.values()].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
}

// ---------------------------------------------------------------------------------------------
// Stats
// ---------------------------------------------------------------------------------------------

export interface PartitionStats {
  rows: Record<AdminLevel, number>
  withGeom: Record<AdminLevel, number>
  withSeat: Record<AdminLevel, number>
  /** Mean area in km² per level (rows with a geometry). */
  meanAreaKm2: Record<AdminLevel, number>
  ruralPopulation: number
  povertyCounties: number
}

export function partitionStats(rows: readonly AdminAreaRow[]): PartitionStats {
  const zero = () => Object.fromEntries(ADMIN_LEVELS.map((l) => [l, 0])) as Record<AdminLevel, number>
  const stats: PartitionStats = {
    rows: zero(),
    withGeom: zero(),
    withSeat: zero(),
    meanAreaKm2: zero(),
    ruralPopulation: 0,
    povertyCounties: 0,
  }
  for (const r of rows) {
    stats.rows[r.level]++
    if (r.geom) {
      stats.withGeom[r.level]++
      stats.meanAreaKm2[r.level] += areaKm2(r.geom.coordinates)
    }
    if (r.seat) stats.withSeat[r.level]++
    if (r.level === 'province') stats.ruralPopulation += r.rural_population ?? 0
    if (r.level === 'county' && r.poverty_designated) stats.povertyCounties++
  }
  for (const l of ADMIN_LEVELS) {
    if (stats.withGeom[l] > 0) stats.meanAreaKm2[l] /= stats.withGeom[l]
  }
  return stats
}
