/**
 * Surface water on the synthetic DEM: the four main rivers as terrain.ts carved them, Dongting
 * Lake, tributaries traced downhill on the DEM, and reservoirs in mountain valleys (six real ones
 * at their approximate places, a few synthetic). Drinking-water supply works are another
 * generator's job.
 *
 * Tributaries follow the flow of the terrain: water is routed over edge neighbours by Priority-Flood
 * from the lake, the main river floors and the grid edge, which on the depression-free DEM is
 * steepest descent; streams start where the drainage area reaches CHANNEL_AREA_KM2 and end where
 * they meet a bigger stream, a main river or the lake. Their lines are simplified only where the
 * shortcut never climbs, so elevation along every line is non-increasing downstream (checked).
 */
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { MultiPolygon, Position } from 'geojson'
import type { Rng } from './rng.js'
import type { Terrain, WaterRow } from './types.js'
import {
  DONGTING_LAKE,
  borderMask,
  lakeMask,
  mainRiverCourses,
  priorityFlood,
  profileMaxRise,
  rasterizePolygon,
  riverFloors,
  type GridShape,
  type LonLat,
  type MainRiverCourse,
} from './terrain/index.js'
import { metresPerDegree } from '../terrain-format.js'

/** Drainage area where a stream begins (a channel head). */
const CHANNEL_AREA_KM2 = 15
/** Drainage area a stream needs at its mouth to be kept: a few hundred streams over the province. */
const TRIBUTARY_MOUTH_AREA_KM2 = 150
/** Shorter simplified lines are dropped. */
const MIN_TRIBUTARY_LENGTH_KM = 6
/** Share of a stream's cells that must lie inside Hunan. */
const MIN_SHARE_IN_PROVINCE = 0.5
/** Planar tolerance of the simplification, in cells. */
const SIMPLIFY_TOLERANCE_CELLS = 0.7
/** How far a stream's last cell may be from the line it joins for the junction to be snapped. */
const SNAP_MAX_M = 1500
/** Rounding noise allowed when checking that a line never climbs, metres. */
const RISE_EPSILON_M = 1e-6
/** Synthetic reservoirs besides the real ones. */
const SYNTHETIC_RESERVOIRS = 8
/** Closest two reservoirs may be, and a reservoir to the lake. */
const RESERVOIR_SPACING_KM = 25
const RESERVOIR_LAKE_CLEARANCE_KM = 15
/** Where a real reservoir looks for its river around the given position. */
const RESERVOIR_SEARCH_KM = 20

export interface ReservoirSpec {
  name: string
  lon: number
  lat: number
  /** Storage in 10⁴ m³ (≈ real total capacities). */
  capacity: number
  /** Dammed river: the nearest main river, or the biggest tributary near the position. */
  on: 'main' | 'tributary'
}

/** Large real reservoirs of Hunan at approximate positions. */
export const REAL_RESERVOIRS: readonly ReservoirSpec[] = [
  { name: '东江水库', lon: 113.3, lat: 25.9, capacity: 915_000, on: 'tributary' }, // Zixing, on the Lei
  { name: '柘溪水库', lon: 111.0, lat: 28.2, capacity: 357_000, on: 'main' }, // Anhua, on the Zi
  { name: '五强溪水库', lon: 110.9, lat: 28.6, capacity: 429_000, on: 'main' }, // Yuanling, on the Yuan
  { name: '凤滩水库', lon: 110.55, lat: 28.62, capacity: 173_000, on: 'tributary' }, // Yuanling, on the You
  { name: '欧阳海水库', lon: 112.75, lat: 26.15, capacity: 42_400, on: 'tributary' }, // Guiyang, on the Chong
  { name: '黄石水库', lon: 111.32, lat: 29.18, capacity: 60_700, on: 'tributary' }, // Taoyuan
]

export interface GeneratedWater {
  /** Ids from 1: main rivers, the lake, real reservoirs, synthetic reservoirs, tributaries. */
  rows: WaterRow[]
  counts: { mainRivers: number; lakes: number; reservoirs: number; tributaries: number }
}

export function generateWater(terrain: Terrain, rng: Rng): GeneratedWater {
  const courses = mainRiverCourses()
  const flow = routeFlow(terrain)
  const streams = extractTributaries(terrain, flow, courses)
  const names = createNamer(rng.fork('water-names'))
  const reservoirs = placeReservoirs(terrain, flow, courses, streams, rng.fork('water-reservoirs'), names)

  const rows: WaterRow[] = []
  const nextId = () => rows.length + 1
  const maxTributaryOrder = streams.reduce((m, s) => Math.max(m, s.order), 1)
  for (const course of courses) {
    rows.push({
      id: nextId(),
      kind: 'river',
      name: course.name,
      stream_order: maxTributaryOrder + 1,
      capacity: null,
      area_code: null,
      geom: { type: 'LineString', coordinates: course.coords.map(roundPosition) },
    })
  }
  rows.push({
    id: nextId(),
    kind: 'lake',
    name: '洞庭湖',
    stream_order: null,
    capacity: null,
    area_code: null,
    geom: { type: 'MultiPolygon', coordinates: DONGTING_LAKE.map((part) => [part.ring.map(roundPosition)]) },
  })
  for (const r of reservoirs) {
    rows.push({ id: nextId(), kind: 'reservoir', name: r.name, stream_order: null, capacity: r.capacity, area_code: null, geom: r.geom })
  }
  for (const s of streams) {
    rows.push({
      id: nextId(),
      kind: 'river',
      name: names.river(s.order),
      stream_order: s.order,
      capacity: null,
      area_code: null,
      geom: { type: 'LineString', coordinates: s.line.map(roundPosition) },
    })
  }
  return {
    rows,
    counts: { mainRivers: courses.length, lakes: 1, reservoirs: reservoirs.length, tributaries: streams.length },
  }
}

// ---------------------------------------------------------------------------------------------
// Flow routing
// ---------------------------------------------------------------------------------------------

/** Where the flow of a cell ends, if it ends there. */
const Sink = { None: 0, Lake: 1, MainRiver: 2, Edge: 3 } as const

interface Flow {
  grid: GridShape
  /** Downstream neighbour of each cell, -1 at the sinks. */
  parent: Int32Array
  /** Sinks first, every cell after its downstream neighbour. */
  order: Int32Array
  /** Upstream cells including the cell itself. */
  cells: Int32Array
  cellAreaKm2: number
  sink: Uint8Array
  inProvince: Uint8Array
}

function routeFlow(terrain: Terrain): Flow {
  const grid: GridShape = { west: terrain.west, north: terrain.north, width: terrain.width, height: terrain.height, cellDeg: terrain.cellDeg }
  const n = grid.width * grid.height
  const sink = new Uint8Array(n)
  const edge = borderMask(grid.width, grid.height)
  const lake = lakeMask(grid)
  const floor = riverFloors(grid, mainRiverCourses())
  for (let i = 0; i < n; i++) {
    if (lake[i]) sink[i] = Sink.Lake
    else if (!Number.isNaN(floor[i]!)) sink[i] = Sink.MainRiver
    else if (edge[i]) sink[i] = Sink.Edge
  }
  const isOutlet = new Uint8Array(n)
  for (let i = 0; i < n; i++) isOutlet[i] = sink[i]! === Sink.None ? 0 : 1
  // On a copy: the flood fills whatever depressions a foreign DEM may have.
  const { order, parent } = priorityFlood(terrain.data.slice(), grid.width, grid.height, isOutlet, 4)
  const cells = new Int32Array(n).fill(1)
  for (let j = n - 1; j >= 0; j--) {
    const c = order[j]!
    const p = parent[c]!
    if (p >= 0) cells[p] = cells[p]! + cells[c]!
  }
  const m = metresPerDegree((terrain.north + terrain.south) / 2)
  const cellAreaKm2 = (grid.cellDeg * m.lon * grid.cellDeg * m.lat) / 1e6
  return { grid, parent, order, cells, cellAreaKm2, sink, inProvince: provinceMask(grid) }
}

const COUNTIES_FILE = 'geodata/sources/hunan-counties.geojson'

/**
 * Cells inside Hunan's county outlines. The file is looked up from the working directory (the repo
 * root, as partition.ts does) and else beside this module's source tree.
 */
function provinceMask(grid: GridShape): Uint8Array {
  const candidates = [COUNTIES_FILE, fileURLToPath(new URL('../sources/hunan-counties.geojson', import.meta.url))]
  const path = candidates.find((p) => existsSync(p)) ?? COUNTIES_FILE
  let counties: { features: { geometry: MultiPolygon }[] }
  try {
    counties = JSON.parse(readFileSync(path, 'utf8')) as typeof counties
  } catch (cause) {
    throw new Error(`Unable to read the county outlines from ${path}`, { cause })
  }
  const mask = new Uint8Array(grid.width * grid.height)
  for (const f of counties.features) for (const polygon of f.geometry.coordinates) rasterizePolygon(grid, polygon, mask)
  return mask
}

// ---------------------------------------------------------------------------------------------
// Tributaries
// ---------------------------------------------------------------------------------------------

interface Tributary {
  /** Simplified line, source to mouth. */
  line: LonLat[]
  /** Strahler order at the mouth (channel network from CHANNEL_AREA_KM2). */
  order: number
  /** Raw flow path, source to the cell where it joins. */
  cells: number[]
}

interface StreamPath {
  cells: number[]
  /** Cell past the last own cell: on a bigger stream, a main river floor, the lake or the edge. */
  mouth: number
  head: number
}

/**
 * Hack's decomposition of the channel network: at every junction the branch with the larger area
 * carries on and the others end there. Each channel head thus starts one stream.
 */
function extractTributaries(terrain: Terrain, flow: Flow, courses: MainRiverCourse[]): Tributary[] {
  const { grid, parent, order, cells, sink, inProvince } = flow
  const n = grid.width * grid.height
  const channelCells = Math.ceil(CHANNEL_AREA_KM2 / flow.cellAreaKm2)
  const isChannel = (c: number) => sink[c] === Sink.None && cells[c]! >= channelCells

  // Upstream first: Strahler order, the main (largest) upstream branch, and channel heads.
  const strahler = new Uint8Array(n)
  const topOrder = new Uint8Array(n)
  const topCount = new Uint8Array(n)
  const mainBranch = new Int32Array(n).fill(-1)
  const hasChannelAbove = new Uint8Array(n)
  for (let j = n - 1; j >= 0; j--) {
    const c = order[j]!
    if (!isChannel(c)) continue
    strahler[c] = topOrder[c] === 0 ? 1 : topCount[c]! >= 2 ? topOrder[c]! + 1 : topOrder[c]!
    const p = parent[c]!
    if (p < 0) continue
    hasChannelAbove[p] = 1
    if (strahler[c]! > topOrder[p]!) {
      topOrder[p] = strahler[c]!
      topCount[p] = 1
    } else if (strahler[c] === topOrder[p]) topCount[p] = topCount[p]! + 1
    const best = mainBranch[p]!
    if (best < 0 || cells[c]! > cells[best]! || (cells[c] === cells[best] && c < best)) mainBranch[p] = c
  }

  const paths: StreamPath[] = []
  const streamOfCell = new Int32Array(n).fill(-1)
  for (let head = 0; head < n; head++) {
    if (!isChannel(head) || hasChannelAbove[head]) continue
    const path: number[] = []
    let c = head
    let mouth = -1
    for (;;) {
      path.push(c)
      streamOfCell[c] = paths.length
      const p = parent[c]!
      if (p < 0) break // an isolated sink cell; cannot happen for a channel cell
      if (sink[p] !== Sink.None || mainBranch[p] !== c) {
        mouth = p
        break
      }
      c = p
    }
    paths.push({ cells: path, mouth, head })
  }

  // Biggest first, so that the stream a tributary joins is decided (kept or dropped) before it.
  const mouthCells = Math.ceil(TRIBUTARY_MOUTH_AREA_KM2 / flow.cellAreaKm2)
  const candidates = paths
    .map((path, index) => ({ path, index, area: cells[path.cells[path.cells.length - 1]!]! }))
    .filter((p) => p.area >= mouthCells && p.path.mouth >= 0 && sink[p.path.mouth] !== Sink.Edge)
    .sort((a, b) => b.area - a.area || a.path.head - b.path.head)

  const kept = new Map<number, Tributary>()
  const result: Tributary[] = []
  for (const { path, index } of candidates) {
    const target = sink[path.mouth] === Sink.None ? streamOfCell[path.mouth]! : -1
    if (sink[path.mouth] === Sink.None && !kept.has(target)) continue
    let inside = 0
    for (const c of path.cells) inside += inProvince[c]!
    if (inside < MIN_SHARE_IN_PROVINCE * path.cells.length) continue

    const raw = [...path.cells, path.mouth].map((c) => cellCentre(grid, c))
    const line = simplifyDownhill(terrain, raw, SIMPLIFY_TOLERANCE_CELLS * grid.cellDeg)
    const joined = sink[path.mouth] === Sink.Lake ? null : sink[path.mouth] === Sink.MainRiver ? courseLines(courses) : [kept.get(target)!.line]
    if (joined) snapMouth(terrain, line, joined)
    if (lineLengthKm(line) < MIN_TRIBUTARY_LENGTH_KM) continue
    if (profileMaxRise(terrain, line) > RISE_EPSILON_M) continue // never expected; the check keeps the promise
    const tributary: Tributary = { line, order: strahler[path.cells[path.cells.length - 1]!]!, cells: path.cells }
    kept.set(index, tributary)
    result.push(tributary)
  }
  return result
}

function cellCentre(grid: GridShape, cell: number): LonLat {
  const x = cell % grid.width
  const y = (cell - x) / grid.width
  return [grid.west + (x + 0.5) * grid.cellDeg, grid.north - (y + 0.5) * grid.cellDeg]
}

function courseLines(courses: MainRiverCourse[]): LonLat[][] {
  return courses.map((c) => c.coords)
}

/**
 * Douglas–Peucker that also keeps a vertex wherever dropping it would make the shortcut climb
 * anywhere over the bilinear DEM. The raw path steps between edge-adjacent cell centres, where the
 * surface is linear and never rises, so the recursion always ends with a non-rising line.
 */
function simplifyDownhill(terrain: Terrain, line: LonLat[], toleranceDeg: number): LonLat[] {
  const keep = new Uint8Array(line.length)
  keep[0] = 1
  keep[line.length - 1] = 1
  const stack: [number, number][] = [[0, line.length - 1]]
  while (stack.length > 0) {
    const [i, j] = stack.pop()!
    if (j - i < 2) continue
    const a = line[i]!
    const b = line[j]!
    const kx = Math.cos((((a[1] + b[1]) / 2) * Math.PI) / 180)
    let worst = -1
    let worstDist = -1
    for (let k = i + 1; k < j; k++) {
      const d = segmentDistance(line[k]!, a, b, kx)
      if (d > worstDist) {
        worstDist = d
        worst = k
      }
    }
    if (worstDist > toleranceDeg || profileMaxRise(terrain, [a, b]) > RISE_EPSILON_M) {
      keep[worst] = 1
      stack.push([i, worst], [worst, j])
    }
  }
  return line.filter((_, k) => keep[k])
}

/** Distance in degrees of latitude from p to the segment a–b, x scaled by kx (cos latitude). */
function segmentDistance(p: LonLat, a: LonLat, b: LonLat, kx: number): number {
  const ax = (a[0] - p[0]) * kx
  const ay = a[1] - p[1]
  const dx = (b[0] - a[0]) * kx
  const dy = b[1] - a[1]
  const len2 = dx * dx + dy * dy
  const t = len2 > 0 ? Math.min(1, Math.max(0, -(ax * dx + ay * dy) / len2)) : 0
  return Math.hypot(ax + dx * t, ay + dy * t)
}

/**
 * Replaces the mouth cell's centre by the nearest point on the line joined, where that is close and
 * the last step stays non-rising, so the tributary visibly touches its river.
 */
function snapMouth(terrain: Terrain, line: LonLat[], joined: LonLat[][]): void {
  const mouth = line[line.length - 1]!
  const before = line[line.length - 2]!
  let best: LonLat | null = null
  let bestM = SNAP_MAX_M
  for (const other of joined) {
    for (let k = 0; k + 1 < other.length; k++) {
      const foot = nearestOnSegment(mouth, other[k]!, other[k + 1]!)
      const d = distanceM(mouth, foot)
      if (d < bestM) {
        bestM = d
        best = foot
      }
    }
  }
  if (!best) return
  const snapped: LonLat = [round6(best[0]), round6(best[1])]
  if (profileMaxRise(terrain, [before, snapped]) > RISE_EPSILON_M) return
  line[line.length - 1] = snapped
}

function nearestOnSegment(p: LonLat, a: LonLat, b: LonLat): LonLat {
  const kx = Math.cos((p[1] * Math.PI) / 180)
  const dx = (b[0] - a[0]) * kx
  const dy = b[1] - a[1]
  const len2 = dx * dx + dy * dy
  const t = len2 > 0 ? Math.min(1, Math.max(0, ((p[0] - a[0]) * kx * dx + (p[1] - a[1]) * dy) / len2)) : 0
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]
}

function distanceM(a: LonLat, b: LonLat): number {
  const m = metresPerDegree((a[1] + b[1]) / 2)
  return Math.hypot((b[0] - a[0]) * m.lon, (b[1] - a[1]) * m.lat)
}

function lineLengthKm(line: LonLat[]): number {
  let total = 0
  for (let k = 0; k + 1 < line.length; k++) total += distanceM(line[k]!, line[k + 1]!)
  return total / 1000
}

// ---------------------------------------------------------------------------------------------
// Reservoirs
// ---------------------------------------------------------------------------------------------

interface Reservoir {
  name: string
  capacity: number
  geom: MultiPolygon
}

interface DamSite {
  at: LonLat
  /** Unit vector (east, north) pointing downstream. */
  downstream: [number, number]
}

/**
 * Real reservoirs sit on the main river or the biggest stream near their given position; synthetic
 * ones on tributaries in the hills and mountains of the province, spaced apart. Each is an
 * elongated blob along its valley with the dam at the site, reaching upstream.
 */
function placeReservoirs(
  terrain: Terrain,
  flow: Flow,
  courses: MainRiverCourse[],
  streams: Tributary[],
  rng: Rng,
  names: Namer,
): Reservoir[] {
  const placed: { site: DamSite; reservoir: Reservoir }[] = []
  const farFromOthers = (p: LonLat) => placed.every((r) => distanceM(p, r.site.at) >= RESERVOIR_SPACING_KM * 1000)
  for (const spec of REAL_RESERVOIRS) {
    names.reserve(spec.name)
    const site = realDamSite(flow, spec.on === 'main' ? courses : [], [spec.lon, spec.lat], placed.map((p) => p.site.at))
    if (!site) continue
    placed.push({ site, reservoir: { name: spec.name, capacity: spec.capacity, geom: blob(site, spec.capacity, rng) } })
  }
  const candidates = streams.filter((s) => s.cells.length > 20)
  for (let attempt = 0; attempt < 400 && placed.length < REAL_RESERVOIRS.length + SYNTHETIC_RESERVOIRS && candidates.length > 0; attempt++) {
    const stream = rng.pick(candidates)
    const k = rng.int(Math.floor(stream.cells.length * 0.3), Math.floor(stream.cells.length * 0.8))
    const cell = stream.cells[k]!
    const at = cellCentre(flow.grid, cell)
    const z = terrain.elevation(at[0], at[1])
    if (z < 150 || z > 900 || !flow.inProvince[cell]) continue
    if (distanceToLakeM(at) < RESERVOIR_LAKE_CLEARANCE_KM * 1000 || !farFromOthers(at)) continue
    const site = { at, downstream: flowDirection(flow, cell) }
    // Log-uniform 300…30 000 (10⁴ m³): small to medium reservoirs.
    const capacity = Math.round(300 * 100 ** rng.next())
    placed.push({ site, reservoir: { name: names.reservoir(), capacity, geom: blob(site, capacity, rng) } })
  }
  return placed.map((p) => p.reservoir)
}

function distanceToLakeM(p: LonLat): number {
  let best = Infinity
  for (const { ring } of DONGTING_LAKE) {
    for (let k = 0; k + 1 < ring.length; k++) best = Math.min(best, distanceM(p, nearestOnSegment(p, ring[k]!, ring[k + 1]!)))
  }
  return best
}

/**
 * On the nearest of `courses` within reach, else on the stream with the largest area nearby that
 * keeps its distance from the dams already placed.
 */
function realDamSite(flow: Flow, courses: MainRiverCourse[], near: LonLat, avoid: LonLat[]): DamSite | null {
  let best: DamSite | null = null
  let bestM = RESERVOIR_SEARCH_KM * 1000
  for (const course of courses) {
    for (let k = 0; k + 1 < course.coords.length; k++) {
      const a = course.coords[k]!
      const b = course.coords[k + 1]!
      const foot = nearestOnSegment(near, a, b)
      const d = distanceM(near, foot)
      if (d < bestM) {
        bestM = d
        const m = metresPerDegree(a[1])
        const ex = (b[0] - a[0]) * m.lon
        const ny = (b[1] - a[1]) * m.lat
        const len = Math.hypot(ex, ny) || 1
        best = { at: foot, downstream: [ex / len, ny / len] }
      }
    }
  }
  if (best) return best
  const { grid } = flow
  const cx = Math.floor((near[0] - grid.west) / grid.cellDeg)
  const cy = Math.floor((grid.north - near[1]) / grid.cellDeg)
  const m = metresPerDegree(near[1])
  const rx = Math.ceil((RESERVOIR_SEARCH_KM * 1000) / m.lon / grid.cellDeg)
  const ry = Math.ceil((RESERVOIR_SEARCH_KM * 1000) / m.lat / grid.cellDeg)
  let bestCell = -1
  for (let y = Math.max(0, cy - ry); y <= Math.min(grid.height - 1, cy + ry); y++) {
    for (let x = Math.max(0, cx - rx); x <= Math.min(grid.width - 1, cx + rx); x++) {
      const c = y * grid.width + x
      if (flow.sink[c] !== Sink.None || (bestCell >= 0 && flow.cells[c]! <= flow.cells[bestCell]!)) continue
      const at = cellCentre(grid, c)
      if (distanceM(near, at) > RESERVOIR_SEARCH_KM * 1000) continue
      if (avoid.some((p) => distanceM(p, at) < RESERVOIR_SPACING_KM * 1000)) continue
      bestCell = c
    }
  }
  return bestCell < 0 ? null : { at: cellCentre(grid, bestCell), downstream: flowDirection(flow, bestCell) }
}

/** Mean direction of the flow over a few cells up- and downstream of a cell. */
function flowDirection(flow: Flow, cell: number): [number, number] {
  let down = cell
  for (let k = 0; k < 8 && flow.parent[down]! >= 0; k++) down = flow.parent[down]!
  const a = cellCentre(flow.grid, cell)
  const b = cellCentre(flow.grid, down)
  const m = metresPerDegree(a[1])
  const ex = (b[0] - a[0]) * m.lon
  const ny = (b[1] - a[1]) * m.lat
  const len = Math.hypot(ex, ny)
  return len > 0 ? [ex / len, ny / len] : [1, 0]
}

/**
 * A star-shaped blob (so never self-intersecting): an ellipse along the valley whose length grows
 * with the capacity, wobbled by a few random harmonics, centred upstream of the dam.
 */
function blob(site: DamSite, capacity: number, rng: Rng): MultiPolygon {
  const semiMajorM = 1000 * Math.min(9, Math.max(1.2, 1 + 1.6 * Math.log10(capacity / 100)))
  const semiMinorM = semiMajorM * rng.range(0.28, 0.4)
  const harmonics = [2, 3, 5].map((k) => ({ k, amp: rng.range(0.04, 0.12), phase: rng.range(0, 2 * Math.PI) }))
  const [ux, uy] = site.downstream
  const m = metresPerDegree(site.at[1])
  // The dam end of the ellipse at the site: the centre lies 0.8 semi-major upstream.
  const cx = site.at[0] - (ux * 0.8 * semiMajorM) / m.lon
  const cy = site.at[1] - (uy * 0.8 * semiMajorM) / m.lat
  const ring: Position[] = []
  const vertices = 48
  for (let v = 0; v < vertices; v++) {
    const theta = (2 * Math.PI * v) / vertices
    let r = 1
    for (const h of harmonics) r += h.amp * Math.sin(h.k * theta + h.phase)
    const along = Math.cos(theta) * semiMajorM * r
    const across = Math.sin(theta) * semiMinorM * r
    // (along, across) in the frame of the valley; counter-clockwise as theta grows.
    const ex = along * ux - across * uy
    const ny = along * uy + across * ux
    ring.push([round6(cx + ex / m.lon), round6(cy + ny / m.lat)])
  }
  ring.push([ring[0]![0]!, ring[0]![1]!])
  return { type: 'MultiPolygon', coordinates: [[ring]] }
}

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

/** First and second characters of made-up but plausible place names. */
const NAME_FIRST = [...'青白黄清石龙凤桃梅竹杉松枫柳茶沙金银铜马牛鹿鹤燕云月花兰莲长高东西南北新大小双三九安永宁太平仙灵紫碧岩潭田湾塘坪桐樟栗芦蒲乌麻杨']
const NAME_SECOND = [...'田坪冲坳塘湾岭山源岩洞桥口头家峰林坡潭滩洲港铺阳陵门关冈垄寨坝岗湖']

interface Namer {
  /** A unique made-up river name; bigger streams are 河 or 水, small ones mostly 溪. */
  river(order: number): string
  reservoir(): string
  /** Marks a name as taken. */
  reserve(name: string): void
}

function createNamer(rng: Rng): Namer {
  const taken = new Set<string>()
  const unique = (suffix: () => string): string => {
    for (let attempt = 0; attempt < 200; attempt++) {
      const name = rng.pick(NAME_FIRST) + rng.pick(NAME_SECOND) + suffix()
      if (!taken.has(name)) {
        taken.add(name)
        return name
      }
    }
    // Practically unreachable with ~2 800 stems; a third character keeps the name unique anyway.
    const name = rng.pick(NAME_FIRST) + rng.pick(NAME_FIRST) + rng.pick(NAME_SECOND) + suffix()
    taken.add(name)
    return name
  }
  return {
    river: (order) =>
      unique(() =>
        order >= 4 ? rng.weighted(['河', '水', '江'], [5, 3, 1]) : order === 3 ? rng.weighted(['河', '水', '溪'], [6, 2, 2]) : rng.weighted(['溪', '河'], [7, 3]),
      ),
    reservoir: () => unique(() => '水库'),
    reserve: (name) => {
      taken.add(name)
    },
  }
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6
}

function roundPosition(p: readonly number[]): Position {
  return [round6(p[0]!), round6(p[1]!)]
}

