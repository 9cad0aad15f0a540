import type { MultiPolygon, Position } from 'geojson'
import { metresPerDegree, type Terrain } from '../../terrain-format.js'
import type { Rng } from '../rng.js'
import { DONGTING_LAKE, type LonLat, type MainRiverCourse } from '../terrain/index.js'
import { Sink, type Flow } from './flow.js'
import { cellCentre, distanceM, nearestOnSegment, round6 } from './measure.js'
import type { Namer } from './names.js'
import type { Tributary } from './tributaries.js'

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

export interface Reservoir {
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
export function placeReservoirs(
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
