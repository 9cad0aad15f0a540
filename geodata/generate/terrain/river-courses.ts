/**
 * The main rivers as smooth courses (source to mouth, with a strictly falling bed) and the widths of
 * the valley floor and walls carved along them.
 */
import { metresPerDegree } from '../../terrain-format.js'
import { LAKE_SURFACE_M, MAIN_RIVERS, type LonLat, type MainRiverSpec } from './hunan.js'

export interface MainRiverCourse {
  name: string
  nameEn: string
  /** Smoothed course, source to mouth, rounded to 6 decimals. */
  coords: LonLat[]
  /** Bed elevation at each vertex, strictly decreasing to LAKE_SURFACE_M at the mouth. */
  bedM: number[]
  /** Metres from the first vertex. */
  distM: number[]
}

const COURSE_STEP_M = 400
/** Meanders: two sines across the smoothed course, faded out at both ends. */
const MEANDER_AMPLITUDE_M = 450

let coursesCache: MainRiverCourse[] | undefined

/**
 * The main rivers as drawn: Catmull–Rom through the control points, a small meander, resampled
 * every ~400 m. Independent of the seed: these are real rivers, and water.ts must find exactly the
 * lines that terrain.ts carved.
 */
export function mainRiverCourses(): MainRiverCourse[] {
  coursesCache ??= MAIN_RIVERS.map((spec, index) => buildCourse(spec, index))
  return coursesCache.map((c) => ({ ...c, coords: c.coords.map((p) => [p[0], p[1]] as LonLat), bedM: [...c.bedM], distM: [...c.distM] }))
}

function buildCourse(spec: MainRiverSpec, index: number): MainRiverCourse {
  const ctrl = spec.controls
  // Dense uniform Catmull–Rom through the control points, carrying the bed linearly.
  const dense: [number, number, number][] = []
  for (let i = 0; i < ctrl.length - 1; i++) {
    const p0 = ctrl[Math.max(0, i - 1)]!
    const p1 = ctrl[i]!
    const p2 = ctrl[i + 1]!
    const p3 = ctrl[Math.min(ctrl.length - 1, i + 2)]!
    const steps = 40
    for (let s = 0; s < steps; s++) {
      const t = s / steps
      dense.push([catmullRom(p0[0], p1[0], p2[0], p3[0], t), catmullRom(p0[1], p1[1], p2[1], p3[1], t), p1[2] + (p2[2] - p1[2]) * t])
    }
  }
  const last = ctrl[ctrl.length - 1]!
  dense.push([last[0], last[1], last[2]])

  // Resample at a constant step, then push each vertex sideways for the meander.
  const cum = cumulativeMetres(dense.map((p) => [p[0], p[1]] as LonLat))
  const total = cum[cum.length - 1]!
  const n = Math.max(2, Math.round(total / COURSE_STEP_M) + 1)
  const coords: LonLat[] = []
  const bedM: number[] = []
  let k = 0
  for (let i = 0; i < n; i++) {
    const target = (total * i) / (n - 1)
    while (k < dense.length - 2 && cum[k + 1]! < target) k++
    const a = dense[k]!
    const b = dense[k + 1]!
    const seg = cum[k + 1]! - cum[k]!
    const t = seg > 0 ? Math.min(1, Math.max(0, (target - cum[k]!) / seg)) : 0
    let lon = a[0] + (b[0] - a[0]) * t
    let lat = a[1] + (b[1] - a[1]) * t
    const m = metresPerDegree(lat)
    const dx = (b[0] - a[0]) * m.lon
    const dy = (b[1] - a[1]) * m.lat
    const len = Math.hypot(dx, dy) || 1
    const fade = Math.min(1, target / 5000, (total - target) / 5000)
    const phase = index * 1.7
    const off =
      MEANDER_AMPLITUDE_M *
      fade *
      (0.65 * Math.sin((2 * Math.PI * target) / 9000 + phase) + 0.35 * Math.sin((2 * Math.PI * target) / 3700 + 2 * phase))
    lon += (-dy / len) * (off / m.lon)
    lat += (dx / len) * (off / m.lat)
    coords.push([round6(lon), round6(lat)])
    bedM.push(a[2] + (b[2] - a[2]) * t)
  }
  // Strictly decreasing bed (a hair per vertex) so that the carved floor never holds water.
  bedM[bedM.length - 1] = LAKE_SURFACE_M
  for (let i = bedM.length - 2; i >= 0; i--) bedM[i] = Math.max(bedM[i]!, bedM[i + 1]! + 0.001)
  return { name: spec.name, nameEn: spec.nameEn, coords, bedM, distM: cumulativeMetres(coords) }
}

function catmullRom(p0: number, p1: number, p2: number, p3: number, t: number): number {
  const t2 = t * t
  const t3 = t2 * t
  return 0.5 * (2 * p1 + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t2 + (-p0 + 3 * p1 - 3 * p2 + p3) * t3)
}

function cumulativeMetres(line: readonly LonLat[]): number[] {
  const out = [0]
  for (let i = 1; i < line.length; i++) {
    const a = line[i - 1]!
    const b = line[i]!
    const m = metresPerDegree((a[1] + b[1]) / 2)
    out.push(out[i - 1]! + Math.hypot((b[0] - a[0]) * m.lon, (b[1] - a[1]) * m.lat))
  }
  return out
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6
}

/**
 * Half-width of the flat floor carved along a main river, growing downstream. At least 1.6 cell
 * diagonals, so that the four cells a bilinear sample on the river line reads are all floor cells
 * (that is what makes the sampled river profile monotonic).
 */
export function riverFloorHalfWidthM(fraction: number, cellDeg: number): number {
  const m = metresPerDegree(27.5)
  const cellDiagonal = cellDeg * Math.hypot(m.lon, m.lat)
  return Math.max(600 + 300 * fraction, 1.6 * cellDiagonal)
}

/** Width of the valley side over which the carving blends into the surrounding relief. */
export function riverWallWidthM(fraction: number): number {
  return 5000 + 4000 * fraction
}
