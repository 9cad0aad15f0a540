/**
 * Synthetic DEM of Hunan. Hand-placed mountain ranges (Wuling, Xuefeng, Nanling, Luoxiao), hills
 * rising away from Dongting Lake, the lake plain and seeded gradient noise give a smooth target
 * surface; a steady-state stream-power model then erodes a dendritic network of valleys into it,
 * draining to the lake, the floors of the four main rivers (湘江, 资水, 沅江, 澧水, whose beds fall
 * monotonically to the lake) and the grid edge. A final Priority-Flood leaves no depression, so
 * every cell drains along a non-rising path of edge neighbours (water.ts traces tributaries on it).
 *
 * Grid: cell-centred (a value is the elevation at the centre of its cell), row 0 is the north edge,
 * metres in Int16. Coordinates WGS84 lon/lat; the river and lake outlines are approximations of
 * the real ones, drawn by hand. Also here: the binary file format the loader writes and the tile
 * server reads, and the grid algorithms water.ts shares (rasterising, flooding, profiles).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { Rng } from './rng.js'
import type { Terrain } from './types.js'

export type LonLat = [number, number]

/** Hunan's extent (counties' bbox 108.79–114.26 E, 24.64–30.13 N) padded by ~0.1–0.2°. */
export const HUNAN_DEM_BOUNDS = { west: 108.6, south: 24.5, east: 114.4, north: 30.3 } as const
/** ≈ 245 m × 277 m at 28° N. */
export const DEFAULT_CELL_DEG = 0.0025
/** Dongting Lake surface; the lake cells of the DEM are flat at this level. */
export const LAKE_SURFACE_M = 30

const RAD = Math.PI / 180

/** Metres per degree of longitude and latitude at a latitude (WGS84 series). */
export function metresPerDegree(lat: number): { lon: number; lat: number } {
  const p = lat * RAD
  return {
    lon: 111412.84 * Math.cos(p) - 93.5 * Math.cos(3 * p),
    lat: 111132.92 - 559.82 * Math.cos(2 * p) + 1.175 * Math.cos(4 * p),
  }
}

// ---------------------------------------------------------------------------------------------
// Hand-drawn features: main rivers and Dongting Lake
// ---------------------------------------------------------------------------------------------

export interface MainRiverSpec {
  name: string
  nameEn: string
  /** [lon, lat, bed elevation m] from the upstream end to the mouth inside Dongting Lake. */
  controls: readonly (readonly [number, number, number])[]
}

/**
 * Approximate real courses through the towns they pass; the bed elevations are of the order of the
 * real water levels (Xiang ≈ 50 m at Hengyang, 30 m at Changsha; a drop at the Zhexi and Wuqiangxi
 * dams). Each river ends inside one lobe of Dongting Lake.
 */
export const MAIN_RIVERS: readonly MainRiverSpec[] = [
  {
    name: '湘江',
    nameEn: 'Xiang',
    controls: [
      [110.9, 25.9, 240], // from Guangxi (Quanzhou)
      [111.15, 26.15, 170], // Dong'an
      [111.4, 26.33, 120],
      [111.62, 26.25, 100], // Yongzhou, Lingling (Xiao joins)
      [111.76, 26.45, 90],
      [111.9, 26.58, 80], // Qiyang
      [112.15, 26.63, 70],
      [112.4, 26.75, 58],
      [112.6, 26.9, 50], // Hengyang
      [112.75, 27.08, 45],
      [112.86, 27.25, 42], // Hengshan
      [113.02, 27.48, 38],
      [113.12, 27.7, 36], // Lukou
      [113.1, 27.84, 35], // Zhuzhou
      [112.95, 27.87, 34], // Xiangtan
      [112.92, 28.02, 33],
      [112.96, 28.2, 32], // Changsha
      [112.88, 28.38, 31.6], // Wangcheng
      [112.89, 28.6, 31.2],
      [112.87, 28.78, 30.6], // Xiangyin
      [112.86, 28.97, 30], // East Dongting
    ],
  },
  {
    name: '资水',
    nameEn: 'Zi',
    controls: [
      [110.35, 26.32, 380], // Chengbu
      [110.5, 26.55, 350],
      [110.65, 26.72, 330], // Wugang
      [110.95, 26.95, 280],
      [111.25, 27.1, 240],
      [111.47, 27.24, 215], // Shaoyang
      [111.55, 27.45, 200],
      [111.45, 27.65, 185], // Lengshuijiang
      [111.3, 27.75, 175], // Xinhua
      [111.18, 27.95, 168],
      [111.08, 28.15, 160], // Zhexi reservoir
      [111.15, 28.32, 110], // below the Zhexi dam
      [111.22, 28.38, 100], // Anhua
      [111.45, 28.38, 90],
      [111.75, 28.45, 70],
      [112.05, 28.5, 45], // Taojiang
      [112.33, 28.57, 35], // Yiyang
      [112.4, 28.72, 32],
      [112.45, 28.9, 30], // South Dongting
    ],
  },
  {
    name: '沅江',
    nameEn: 'Yuan',
    controls: [
      [109.3, 26.95, 260], // from Guizhou (Jinping)
      [109.6, 27.1, 220], // Tuokou
      [109.95, 27.2, 190], // Hongjiang
      [110.0, 27.45, 175], // Zhongfang
      [110.1, 27.75, 160],
      [110.19, 28.0, 145], // Chenxi
      [110.22, 28.22, 130], // Luxi
      [110.4, 28.45, 110], // Yuanling
      [110.62, 28.55, 105],
      [110.85, 28.63, 100], // Wuqiangxi reservoir
      [111.05, 28.75, 55], // below the dam
      [111.3, 28.85, 45],
      [111.48, 28.9, 40], // Taoyuan
      [111.69, 29.03, 35], // Changde
      [111.85, 28.96, 33],
      [111.97, 28.91, 31], // Hanshou
      [112.06, 28.96, 30], // West Dongting
    ],
  },
  {
    name: '澧水',
    nameEn: 'Li',
    controls: [
      [109.85, 29.55, 560], // below Badagongshan
      [110.15, 29.4, 330], // Sangzhi
      [110.33, 29.2, 210],
      [110.48, 29.13, 165], // Zhangjiajie, Yongding
      [110.75, 29.28, 120],
      [111.0, 29.38, 95],
      [111.13, 29.43, 85], // Cili
      [111.38, 29.58, 60], // Shimen
      [111.6, 29.62, 45],
      [111.76, 29.63, 38], // Lixian
      [111.88, 29.6, 35], // Jinshi
      [111.98, 29.48, 33],
      [112.07, 29.36, 31],
      [112.12, 29.25, 30], // West Dongting
    ],
  },
]

/**
 * Dongting Lake as three lobes (West 目平湖, South, East), counter-clockwise and closed. They are
 * separate, as in the dry season; the plain between them is at 33–45 m.
 */
export const DONGTING_LAKE: readonly { name: string; ring: readonly LonLat[] }[] = [
  {
    name: '西洞庭湖',
    ring: closeRing([
      [111.99, 28.9],
      [112.06, 28.87],
      [112.15, 28.89],
      [112.23, 28.95],
      [112.27, 29.04],
      [112.25, 29.14],
      [112.2, 29.24],
      [112.15, 29.32],
      [112.09, 29.33],
      [112.06, 29.25],
      [112.02, 29.14],
      [111.97, 29.02],
    ]),
  },
  {
    name: '南洞庭湖',
    ring: closeRing([
      [112.36, 28.86],
      [112.46, 28.83],
      [112.58, 28.85],
      [112.68, 28.88],
      [112.73, 28.95],
      [112.68, 29.02],
      [112.58, 29.05],
      [112.48, 29.02],
      [112.4, 28.96],
      [112.35, 28.91],
    ]),
  },
  {
    name: '东洞庭湖',
    ring: closeRing([
      [112.8, 28.92],
      [112.88, 28.9],
      [112.95, 28.97],
      [113.02, 29.08],
      [113.07, 29.18],
      [113.1, 29.28],
      [113.12, 29.38],
      [113.14, 29.46],
      [113.09, 29.47],
      [113.03, 29.42],
      [112.97, 29.36],
      [112.92, 29.28],
      [112.87, 29.18],
      [112.83, 29.08],
      [112.79, 29.0],
    ]),
  },
]

function closeRing(points: LonLat[]): LonLat[] {
  let twiceArea = 0
  for (let i = 0; i < points.length; i++) {
    const [x0, y0] = points[i]!
    const [x1, y1] = points[(i + 1) % points.length]!
    twiceArea += x0 * y1 - x1 * y0
  }
  const ccw = twiceArea > 0 ? points : [...points].reverse()
  return [...ccw, ccw[0]!]
}

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
function riverWallWidthM(fraction: number): number {
  return 5000 + 4000 * fraction
}

// ---------------------------------------------------------------------------------------------
// Grid helpers
// ---------------------------------------------------------------------------------------------

/** The shape of a cell-centred grid (a Terrain is one). */
export interface GridShape {
  west: number
  north: number
  width: number
  height: number
  cellDeg: number
}

/**
 * Marks the cells whose centre lies inside a polygon (even–odd over all its rings, so holes work).
 * Marks are OR-ed into `mask`.
 */
export function rasterizePolygon(grid: GridShape, rings: readonly (readonly (readonly number[])[])[], mask: Uint8Array): void {
  const { west, north, width, height, cellDeg } = grid
  const crossings = new Map<number, number[]>()
  for (const ring of rings) {
    for (let i = 0; i + 1 < ring.length; i++) {
      const a = ring[i]!
      const b = ring[i + 1]!
      const ay = a[1]!
      const by = b[1]!
      if (ay === by) continue
      // Rows whose centre latitude lies in [min, max) of the edge.
      const rowTop = Math.ceil((north - Math.max(ay, by)) / cellDeg - 0.5)
      const rowBottom = Math.floor((north - Math.min(ay, by)) / cellDeg - 0.5)
      for (let r = Math.max(0, rowTop); r <= Math.min(height - 1, rowBottom); r++) {
        const lat = north - (r + 0.5) * cellDeg
        if (lat < Math.min(ay, by) || lat >= Math.max(ay, by)) continue
        const x = a[0]! + ((lat - ay) / (by - ay)) * (b[0]! - a[0]!)
        let list = crossings.get(r)
        if (!list) crossings.set(r, (list = []))
        list.push(x)
      }
    }
  }
  for (const [r, xs] of crossings) {
    xs.sort((p, q) => p - q)
    for (let k = 0; k + 1 < xs.length; k += 2) {
      const c0 = Math.max(0, Math.ceil((xs[k]! - west) / cellDeg - 0.5))
      const c1 = Math.min(width - 1, Math.floor((xs[k + 1]! - west) / cellDeg - 0.5))
      for (let c = c0; c <= c1; c++) mask[r * width + c] = 1
    }
  }
}

/** Cells of the grid inside Dongting Lake. */
export function lakeMask(grid: GridShape): Uint8Array {
  const mask = new Uint8Array(grid.width * grid.height)
  for (const part of DONGTING_LAKE) rasterizePolygon(grid, [part.ring], mask)
  return mask
}

/** Neighbour offsets in a fixed order (N, W, E, S, then the diagonals) for deterministic results. */
const NEIGHBOUR_DX = [0, -1, 1, 0, -1, 1, -1, 1]
const NEIGHBOUR_DY = [-1, 0, 0, 1, -1, -1, 1, 1]

/**
 * Priority-Flood (Barnes et al. 2014) over an integer DEM with a bucket queue. Starting from the
 * outlet cells it raises every depression to its spill level, in place, and returns the visiting
 * order and, for every non-outlet cell, the neighbour it was reached from. On the filled DEM that
 * parent is a lowest neighbour, never higher than the cell, and inside flats the FIFO order leads
 * towards the outlet: following parents is steepest descent that always arrives.
 */
export function priorityFlood(
  data: Int16Array,
  width: number,
  height: number,
  isOutlet: Uint8Array,
  neighbours: 4 | 8 = 4,
): { order: Int32Array; parent: Int32Array } {
  const n = width * height
  let min = Infinity
  let max = -Infinity
  for (let i = 0; i < n; i++) {
    const v = data[i]!
    if (v < min) min = v
    if (v > max) max = v
  }
  const levels = max - min + 1
  const head = new Int32Array(levels).fill(-1)
  const tail = new Int32Array(levels).fill(-1)
  const next = new Int32Array(n)
  const seen = new Uint8Array(n)
  const parent = new Int32Array(n).fill(-1)
  const order = new Int32Array(n)
  const push = (cell: number, level: number) => {
    next[cell] = -1
    const t = tail[level]!
    if (t >= 0) next[t] = cell
    else head[level] = cell
    tail[level] = cell
  }
  for (let i = 0; i < n; i++) {
    if (isOutlet[i]) {
      seen[i] = 1
      push(i, data[i]! - min)
    }
  }
  const offsets = NEIGHBOUR_DX.slice(0, neighbours).map((dx, k) => NEIGHBOUR_DY[k]! * width + dx)
  let count = 0
  for (let level = 0; level < levels; level++) {
    while (head[level]! >= 0) {
      const c = head[level]!
      head[level] = next[c]!
      if (head[level]! < 0) tail[level] = -1
      order[count++] = c
      const x = c % width
      const y = (c - x) / width
      const z = data[c]!
      const interior = x > 0 && y > 0 && x < width - 1 && y < height - 1
      for (let k = 0; k < neighbours; k++) {
        if (!interior) {
          const nx = x + NEIGHBOUR_DX[k]!
          const ny = y + NEIGHBOUR_DY[k]!
          if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue
        }
        const nb = c + offsets[k]!
        if (seen[nb]) continue
        seen[nb] = 1
        parent[nb] = c
        if (data[nb]! < z) data[nb] = z
        push(nb, data[nb]! - min)
      }
    }
  }
  if (count !== n) throw new Error(`priorityFlood: ${n - count} cells are not connected to an outlet`)
  return { order, parent }
}

/**
 * Invasion percolation from the outlets over D8 neighbours: always visit the lowest cell on the
 * frontier, without filling. Depressions are entered at their spill point and explored lowest
 * first, so every cell gets a parent towards an outlet; over a randomised surface the parents form
 * river-like trees. Levels are decimetres in a bucket queue (FIFO within a level) whose non-empty
 * buckets are tracked in a bitset, so stepping back down into a depression and up again is cheap.
 */
export function invasionFlood(
  surface: Float32Array,
  width: number,
  height: number,
  isOutlet: Uint8Array,
): { order: Int32Array; parent: Int32Array } {
  const n = width * height
  let min = Infinity
  let max = -Infinity
  for (let i = 0; i < n; i++) {
    const v = surface[i]!
    if (v < min) min = v
    if (v > max) max = v
  }
  const levelOf = (cell: number) => Math.floor((surface[cell]! - min) * 10)
  const levels = Math.floor((max - min) * 10) + 1
  const head = new Int32Array(levels).fill(-1)
  const tail = new Int32Array(levels).fill(-1)
  const occupied = new Uint32Array((levels >> 5) + 1)
  const next = new Int32Array(n)
  const seen = new Uint8Array(n)
  const parent = new Int32Array(n).fill(-1)
  const order = new Int32Array(n)
  let level = levels
  const push = (cell: number) => {
    const l = levelOf(cell)
    next[cell] = -1
    const t = tail[l]!
    if (t >= 0) next[t] = cell
    else {
      head[l] = cell
      occupied[l >> 5] = occupied[l >> 5]! | (1 << (l & 31))
    }
    tail[l] = cell
    if (l < level) level = l
  }
  for (let i = 0; i < n; i++) {
    if (isOutlet[i]) {
      seen[i] = 1
      push(i)
    }
  }
  const offsets = NEIGHBOUR_DX.map((dx, k) => NEIGHBOUR_DY[k]! * width + dx)
  let count = 0
  for (;;) {
    // Lowest non-empty bucket at or above `level`.
    let word = level >> 5
    let bits = occupied[word]! & (~0 << (level & 31))
    while (bits === 0 && ++word < occupied.length) bits = occupied[word]!
    if (bits === 0) break
    level = (word << 5) + (31 - Math.clz32(bits & -bits))
    const c = head[level]!
    head[level] = next[c]!
    if (head[level]! < 0) {
      tail[level] = -1
      occupied[word] = occupied[word]! & ~(1 << (level & 31))
    }
    order[count++] = c
    const x = c % width
    const y = (c - x) / width
    const interior = x > 0 && y > 0 && x < width - 1 && y < height - 1
    for (let k = 0; k < 8; k++) {
      if (!interior) {
        const nx = x + NEIGHBOUR_DX[k]!
        const ny = y + NEIGHBOUR_DY[k]!
        if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue
      }
      const nb = c + offsets[k]!
      if (seen[nb]) continue
      seen[nb] = 1
      parent[nb] = c
      push(nb)
    }
  }
  if (count !== n) throw new Error(`invasionFlood: ${n - count} cells are not connected to an outlet`)
  return { order, parent }
}

/** Cells on the edge of the grid. */
export function borderMask(width: number, height: number): Uint8Array {
  const mask = new Uint8Array(width * height)
  for (let x = 0; x < width; x++) {
    mask[x] = 1
    mask[(height - 1) * width + x] = 1
  }
  for (let y = 0; y < height; y++) {
    mask[y * width] = 1
    mask[y * width + width - 1] = 1
  }
  return mask
}

// ---------------------------------------------------------------------------------------------
// Terrain object and persistence
// ---------------------------------------------------------------------------------------------

export interface TerrainGrid extends GridShape {
  south: number
  east: number
  data: Int16Array
}

/** Wraps a grid as a Terrain: bilinear elevation between cell centres, clamped at the edges. */
export function terrainFromGrid(grid: TerrainGrid): Terrain {
  const { west, north, width, height, cellDeg, data } = grid
  if (data.length !== width * height) {
    throw new Error(`terrainFromGrid: ${data.length} values for a ${width}×${height} grid`)
  }
  const elevation = (lon: number, lat: number): number => {
    const fx = Math.min(width - 1, Math.max(0, (lon - west) / cellDeg - 0.5))
    const fy = Math.min(height - 1, Math.max(0, (north - lat) / cellDeg - 0.5))
    const x0 = Math.min(width - 2, Math.floor(fx))
    const y0 = Math.min(height - 2, Math.floor(fy))
    const tx = fx - x0
    const ty = fy - y0
    const i = y0 * width + x0
    const top = data[i]! + (data[i + 1]! - data[i]!) * tx
    const bottom = data[i + width]! + (data[i + width + 1]! - data[i + width]!) * tx
    return top + (bottom - top) * ty
  }
  const slopeDeg = (lon: number, lat: number): number => {
    const h = cellDeg
    const m = metresPerDegree(lat)
    const dzdx = (elevation(lon + h, lat) - elevation(lon - h, lat)) / (2 * h * m.lon)
    const dzdy = (elevation(lon, lat + h) - elevation(lon, lat - h)) / (2 * h * m.lat)
    return Math.atan(Math.hypot(dzdx, dzdy)) / RAD
  }
  return { west, south: grid.south, east: grid.east, north, width, height, cellDeg, data, elevation, slopeDeg }
}

const FILE_MAGIC = 'POVMAPDEM'
const FILE_VERSION = 1

interface TerrainFileHeader {
  version: number
  west: number
  south: number
  east: number
  north: number
  width: number
  height: number
  cellDeg: number
  unit: 'm'
  layout: 'int16le, row-major from the north edge, cell-centred'
}

/**
 * Compact binary: "POVMAPDEM\n", uint32 LE header length, header JSON (space-padded so the data
 * starts on an even offset), then width × height Int16 LE metres.
 */
export function terrainToBuffer(terrain: Terrain): Buffer {
  const header: TerrainFileHeader = {
    version: FILE_VERSION,
    west: terrain.west,
    south: terrain.south,
    east: terrain.east,
    north: terrain.north,
    width: terrain.width,
    height: terrain.height,
    cellDeg: terrain.cellDeg,
    unit: 'm',
    layout: 'int16le, row-major from the north edge, cell-centred',
  }
  const magic = Buffer.from(`${FILE_MAGIC}\n`, 'ascii')
  let json = JSON.stringify(header)
  if ((magic.length + 4 + Buffer.byteLength(json)) % 2 !== 0) json += ' '
  const jsonBuf = Buffer.from(json, 'utf8')
  const offset = magic.length + 4 + jsonBuf.length
  const out = Buffer.alloc(offset + terrain.data.length * 2)
  magic.copy(out, 0)
  out.writeUInt32LE(jsonBuf.length, magic.length)
  jsonBuf.copy(out, magic.length + 4)
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength)
  for (let i = 0; i < terrain.data.length; i++) view.setInt16(offset + 2 * i, terrain.data[i]!, true)
  return out
}

export function terrainFromBuffer(buf: Buffer): Terrain {
  const magicLength = FILE_MAGIC.length + 1
  if (buf.length < magicLength + 4 || buf.toString('ascii', 0, FILE_MAGIC.length) !== FILE_MAGIC) {
    throw new Error('terrainFromBuffer: not a povmap DEM (bad magic)')
  }
  const jsonLength = buf.readUInt32LE(magicLength)
  const offset = magicLength + 4 + jsonLength
  const header = JSON.parse(buf.toString('utf8', magicLength + 4, offset)) as TerrainFileHeader
  if (header.version !== FILE_VERSION) {
    throw new Error(`terrainFromBuffer: DEM file version ${header.version}, expected ${FILE_VERSION}`)
  }
  const n = header.width * header.height
  if (buf.length !== offset + 2 * n) {
    throw new Error(`terrainFromBuffer: ${buf.length - offset} data bytes for a ${header.width}×${header.height} grid`)
  }
  const data = new Int16Array(n)
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  for (let i = 0; i < n; i++) data[i] = view.getInt16(offset + 2 * i, true)
  return terrainFromGrid({ ...header, data })
}

export async function saveTerrain(path: string, terrain: Terrain): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, terrainToBuffer(terrain))
}

export async function loadTerrain(path: string): Promise<Terrain> {
  try {
    return terrainFromBuffer(await readFile(path))
  } catch (err) {
    throw new Error(`Unable to load terrain from ${path}`, { cause: err })
  }
}

// ---------------------------------------------------------------------------------------------
// Relief
// ---------------------------------------------------------------------------------------------

interface RangeSpec {
  name: string
  /** Gaussian half-width across the crest line, km. */
  widthKm: number
  /** [lon, lat, crest amplitude m] along the crest. */
  crest: readonly (readonly [number, number, number])[]
}

/** Crest amplitudes; the relief is amplitude × (0.45…1.2 by noise) on top of the hills. */
const RANGES: readonly RangeSpec[] = [
  // 武陵山: the north-west massif of Xiangxi and Zhangjiajie up to the Hubei border.
  { name: 'Wuling', widthKm: 42, crest: [[108.85, 27.9, 1200], [109.3, 28.4, 1350], [109.75, 28.95, 1450], [110.2, 29.45, 1500], [110.7, 29.85, 1500], [111.1, 30.15, 1300]] },
  { name: 'Wuling south', widthKm: 28, crest: [[109.4, 28.1, 900], [109.95, 28.6, 1000], [110.6, 29.0, 1000], [111.2, 29.35, 800]] },
  { name: 'Wuling west (Huaihua)', widthKm: 28, crest: [[108.8, 26.9, 900], [109.1, 27.4, 950], [109.35, 27.9, 1000]] },
  // 雪峰山: SW→NE through the centre-west, lower towards Taojiang.
  { name: 'Xuefeng', widthKm: 22, crest: [[109.8, 26.3, 1200], [110.15, 26.85, 1400], [110.45, 27.35, 1550], [110.8, 27.85, 1450], [111.2, 28.2, 1250], [111.6, 28.45, 900], [111.95, 28.6, 550]] },
  // 南岭: Yuechengling, Dupangling, Jiuyi, Mengzhu, Qitian ranges along the southern border.
  { name: 'Nanling', widthKm: 30, crest: [[110.2, 25.95, 1300], [110.7, 25.55, 1300], [111.3, 25.3, 1500], [111.9, 25.2, 1400], [112.4, 25.12, 1450], [112.8, 25.08, 1550], [113.3, 25.15, 1350], [113.8, 25.35, 1200], [114.35, 25.5, 1000]] },
  { name: 'Yuechengling', widthKm: 18, crest: [[110.0, 25.9, 1300], [110.45, 26.2, 1150], [110.8, 26.4, 800]] },
  { name: 'Qitianling', widthKm: 14, crest: [[112.7, 25.45, 1100], [112.85, 25.75, 1200]] },
  // 罗霄山 along the Jiangxi border, with 幕阜山 in the north.
  { name: 'Luoxiao', widthKm: 24, crest: [[113.6, 25.6, 1300], [113.95, 26.2, 1450], [114.05, 26.8, 1300], [114.0, 27.4, 1100], [114.05, 27.9, 1100], [114.05, 28.4, 1200], [113.85, 28.8, 1100], [113.75, 29.1, 1000], [113.95, 29.45, 850]] },
  // 衡山 (南岳), a lone range among the central hills.
  { name: 'Hengshan', widthKm: 9, crest: [[112.6, 27.15, 750], [112.7, 27.35, 850]] },
]

const PEAKS: readonly { name: string; lon: number; lat: number; amplitudeM: number; radiusKm: number }[] = [
  { name: '壶瓶山', lon: 110.8, lat: 30.05, amplitudeM: 1900, radiusKm: 12 },
  { name: '八大公山', lon: 110.1, lat: 29.75, amplitudeM: 1750, radiusKm: 12 },
  { name: '苏宝顶', lon: 110.45, lat: 27.35, amplitudeM: 1800, radiusKm: 10 },
  { name: '韭菜岭', lon: 111.25, lat: 25.35, amplitudeM: 1850, radiusKm: 10 },
  { name: '九嶷山', lon: 111.95, lat: 25.28, amplitudeM: 1650, radiusKm: 10 },
  { name: '莽山', lon: 112.95, lat: 24.97, amplitudeM: 1800, radiusKm: 10 },
  { name: '八面山', lon: 113.75, lat: 26.05, amplitudeM: 1850, radiusKm: 10 },
  { name: '神农峰', lon: 113.97, lat: 26.5, amplitudeM: 1900, radiusKm: 10 },
  { name: '大围山', lon: 114.1, lat: 28.42, amplitudeM: 1500, radiusKm: 10 },
  { name: '幕阜山', lon: 113.8, lat: 28.98, amplitudeM: 1500, radiusKm: 10 },
]

/** The Dongting Lake plain (with the Jianghan plain north of it), faded out over ~15 km. */
const PLAIN_OUTLINE: readonly LonLat[] = [
  [111.62, 28.98],
  [111.72, 29.58],
  [111.9, 29.98],
  [111.98, 30.4],
  [113.55, 30.4],
  [113.45, 29.85],
  [113.22, 29.5],
  [113.15, 29.2],
  [113.02, 28.85],
  [112.88, 28.55],
  [112.55, 28.6],
  [112.3, 28.68],
  [112.0, 28.75],
  [111.78, 28.86],
]
const PLAIN_FADE_KM = 15
const LAKE_CENTRE: LonLat = [112.55, 29.05]

/** Smooth large-scale fields sampled on a coarse lattice (crest distances are costly per cell). */
interface ReliefFields {
  /** Mountain amplitude, m. */
  mountain: Float32Array
  /** 1 on the lake plain, 0 away from it. */
  plain: Float32Array
  /** Hill baseline rising away from the lake, m. */
  baseline: Float32Array
  nx: number
  ny: number
  west: number
  north: number
  step: number
}

const RELIEF_STEP_DEG = 0.02

let reliefFieldsCache: ReliefFields | undefined

/** The fields are fixed (no seed), so they are computed once per process. */
function reliefFields(): ReliefFields {
  reliefFieldsCache ??= buildReliefFields()
  return reliefFieldsCache
}

function buildReliefFields(): ReliefFields {
  const { west, north, east, south } = HUNAN_DEM_BOUNDS
  const step = RELIEF_STEP_DEG
  const nx = Math.round((east - west) / step) + 1
  const ny = Math.round((north - south) / step) + 1
  const mountain = new Float32Array(nx * ny)
  const plain = new Float32Array(nx * ny)
  const baseline = new Float32Array(nx * ny)
  for (let y = 0; y < ny; y++) {
    const lat = north - y * step
    const kmLon = metresPerDegree(lat).lon / 1000
    const kmLat = metresPerDegree(lat).lat / 1000
    for (let x = 0; x < nx; x++) {
      const lon = west + x * step
      let amp = 0
      for (const range of RANGES) {
        const { distKm, value } = distanceToCrest(lon, lat, range.crest, kmLon, kmLat)
        amp = Math.max(amp, value * Math.exp(-((distKm / range.widthKm) ** 2)))
      }
      for (const peak of PEAKS) {
        const d = Math.hypot((lon - peak.lon) * kmLon, (lat - peak.lat) * kmLat)
        amp = Math.max(amp, peak.amplitudeM * Math.exp(-((d / peak.radiusKm) ** 2)))
      }
      const i = y * nx + x
      mountain[i] = amp
      const inside = pointInRing(lon, lat, PLAIN_OUTLINE)
      const edgeKm = distanceToRingKm(lon, lat, PLAIN_OUTLINE, kmLon, kmLat)
      plain[i] = inside ? 1 : 1 - smoothstep(0, PLAIN_FADE_KM, edgeKm)
      const lakeKm = Math.hypot((lon - LAKE_CENTRE[0]) * kmLon, (lat - LAKE_CENTRE[1]) * kmLat)
      baseline[i] = Math.min(330, 45 + 0.65 * lakeKm)
    }
  }
  return { mountain, plain, baseline, nx, ny, west, north, step }
}

function sampleField(f: ReliefFields, field: Float32Array, lon: number, lat: number): number {
  const fx = Math.min(f.nx - 1.000001, Math.max(0, (lon - f.west) / f.step))
  const fy = Math.min(f.ny - 1.000001, Math.max(0, (f.north - lat) / f.step))
  const x0 = Math.floor(fx)
  const y0 = Math.floor(fy)
  const tx = fx - x0
  const ty = fy - y0
  const i = y0 * f.nx + x0
  const top = field[i]! + (field[i + 1]! - field[i]!) * tx
  const bottom = field[i + f.nx]! + (field[i + f.nx + 1]! - field[i + f.nx]!) * tx
  return top + (bottom - top) * ty
}

/** Distance to a crest polyline and the crest amplitude at the nearest point. */
function distanceToCrest(
  lon: number,
  lat: number,
  crest: readonly (readonly [number, number, number])[],
  kmLon: number,
  kmLat: number,
): { distKm: number; value: number } {
  let best = Infinity
  let value = 0
  for (let i = 0; i + 1 < crest.length; i++) {
    const a = crest[i]!
    const b = crest[i + 1]!
    const ax = (a[0] - lon) * kmLon
    const ay = (a[1] - lat) * kmLat
    const bx = (b[0] - lon) * kmLon
    const by = (b[1] - lat) * kmLat
    const dx = bx - ax
    const dy = by - ay
    const len2 = dx * dx + dy * dy
    const t = len2 > 0 ? Math.min(1, Math.max(0, -(ax * dx + ay * dy) / len2)) : 0
    const d = Math.hypot(ax + dx * t, ay + dy * t)
    if (d < best) {
      best = d
      value = a[2] + (b[2] - a[2]) * t
    }
  }
  return { distKm: best, value }
}

function distanceToRingKm(lon: number, lat: number, ring: readonly LonLat[], kmLon: number, kmLat: number): number {
  let best = Infinity
  for (let i = 0; i < ring.length; i++) {
    const a = ring[i]!
    const b = ring[(i + 1) % ring.length]!
    const ax = (a[0] - lon) * kmLon
    const ay = (a[1] - lat) * kmLat
    const dx = (b[0] - a[0]) * kmLon
    const dy = (b[1] - a[1]) * kmLat
    const len2 = dx * dx + dy * dy
    const t = len2 > 0 ? Math.min(1, Math.max(0, -(ax * dx + ay * dy) / len2)) : 0
    best = Math.min(best, Math.hypot(ax + dx * t, ay + dy * t))
  }
  return best
}

function pointInRing(lon: number, lat: number, ring: readonly LonLat[]): boolean {
  let inside = false
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!
    const [xj, yj] = ring[j]!
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside
  }
  return inside
}

function smoothstep(edge0: number, edge1: number, x: number): number {
  const t = Math.min(1, Math.max(0, (x - edge0) / (edge1 - edge0)))
  return t * t * (3 - 2 * t)
}

// ---------------------------------------------------------------------------------------------
// Noise
// ---------------------------------------------------------------------------------------------

/** Noise coordinates are kilometres (near-isotropic over Hunan). */
const NOISE_KM_PER_DEG_LON = 98.8
const NOISE_KM_PER_DEG_LAT = 110.8
/** Broad swells of the hills and the plain. */
const REGIONAL_WAVELENGTHS_KM = [128, 64, 32]
/** Where the drainage network prefers to run; the finer relief comes from the erosion model. */
const DETAIL_WAVELENGTHS_KM = [16, 8, 4]

interface Octave {
  freq: number
  amp: number
  cos: number
  sin: number
  ox: number
  oy: number
}

interface NoiseSample {
  /** Regional fBm, ≈ -1…1. */
  regional: number
  /** Detail fBm, ≈ -1…1. */
  detail: number
}

/**
 * Perlin gradient noise summed over octaves (amplitude ∝ wavelength). Each octave is rotated and
 * offset differently so the lattice directions do not line up into visible grid artefacts.
 */
function createFractalNoise(rng: Rng): (x: number, y: number, out: NoiseSample) => void {
  const size = 1024
  const mask = size - 1
  const perm = new Uint16Array(size * 2)
  const shuffled = rng.shuffle(Array.from({ length: size }, (_, i) => i))
  for (let i = 0; i < size * 2; i++) perm[i] = shuffled[i % size]!
  const gradX = new Float64Array(16)
  const gradY = new Float64Array(16)
  for (let i = 0; i < 16; i++) {
    gradX[i] = Math.cos((i * Math.PI) / 8)
    gradY[i] = Math.sin((i * Math.PI) / 8)
  }
  const octaves = (wavelengths: readonly number[]): Octave[] =>
    wavelengths.map((wavelength) => {
      const angle = rng.range(0, Math.PI * 2)
      return { freq: 1 / wavelength, amp: wavelength, cos: Math.cos(angle), sin: Math.sin(angle), ox: rng.range(0, size), oy: rng.range(0, size) }
    })
  const regional = octaves(REGIONAL_WAVELENGTHS_KM)
  const detail = octaves(DETAIL_WAVELENGTHS_KM)
  // Perlin values are about ±0.7; these bring the sums to about ±1.
  const regionalNorm = 1.6 / regional.reduce((sum, o) => sum + o.amp, 0)
  const detailNorm = 1.6 / detail.reduce((sum, o) => sum + o.amp, 0)

  const perlin = (x: number, y: number): number => {
    const xf0 = Math.floor(x)
    const yf0 = Math.floor(y)
    const xf = x - xf0
    const yf = y - yf0
    const xi = xf0 & mask
    const yi = yf0 & mask
    const u = xf * xf * xf * (xf * (xf * 6 - 15) + 10)
    const v = yf * yf * yf * (yf * (yf * 6 - 15) + 10)
    const pa = perm[xi]!
    const pb = perm[xi + 1]!
    const g00 = perm[pa + yi]! & 15
    const g10 = perm[pb + yi]! & 15
    const g01 = perm[pa + yi + 1]! & 15
    const g11 = perm[pb + yi + 1]! & 15
    const n00 = gradX[g00]! * xf + gradY[g00]! * yf
    const n10 = gradX[g10]! * (xf - 1) + gradY[g10]! * yf
    const n01 = gradX[g01]! * xf + gradY[g01]! * (yf - 1)
    const n11 = gradX[g11]! * (xf - 1) + gradY[g11]! * (yf - 1)
    const nx0 = n00 + (n10 - n00) * u
    const nx1 = n01 + (n11 - n01) * u
    return nx0 + (nx1 - nx0) * v
  }
  const sum = (octs: Octave[], x: number, y: number) => {
    let total = 0
    for (const o of octs) total += o.amp * perlin((x * o.cos - y * o.sin) * o.freq + o.ox, (x * o.sin + y * o.cos) * o.freq + o.oy)
    return total
  }
  return (x, y, out) => {
    out.regional = sum(regional, x, y) * regionalNorm
    out.detail = sum(detail, x, y) * detailNorm
  }
}

// ---------------------------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------------------------

const SOFT_CAP_START_M = 1800
const SOFT_CAP_RANGE_M = 310
/** Share of a range's crest amplitude that its mean elevation reaches (valleys pull the mean down). */
const MOUNTAIN_MEAN_FACTOR = 0.6
/** The smooth surfaces are evaluated every ~1 km and interpolated: they carry nothing finer. */
const LATTICE_DEG = 0.01
/**
 * Finest cell of the erosion model: the default grid runs it cell for cell; finer grids get its
 * result interpolated (the model's time and memory grow with the cell count).
 */
const EROSION_CELL_DEG = 0.0025
/**
 * Per-cell randomness of the flood that lays out the drainage network (invasion percolation). It
 * must beat the drop from cell to cell on the smooth routing surface, or the network grows as
 * parallel lines straight down every slope instead of branching.
 */
const ROUTING_JITTER_M = 40
/** Stream-power concavity m/n: channel gradient ∝ drainage area^-θ. */
const CONCAVITY = 0.7
/** Rounds of re-pointing the network at steepest descent and re-integrating the relief. */
const REORGANISE_ROUNDS = 1
/** Below this drainage area a cell is hillslope, not channel: its gradient no longer steepens. */
const HILLSLOPE_AREA_KM2 = 0.8
/** Keeps every cell strictly above its receiver even where the target is flat. */
const MIN_ERODIBILITY = 0.01
/** Side of the blocks over which the stream-power relief is scaled to the target mean, degrees. */
const CALIBRATION_BLOCK_DEG = 0.1

/**
 * Generates the DEM over HUNAN_DEM_BOUNDS. Same rng seed → identical data; the large-scale relief,
 * rivers and lake are fixed, the noise and the drainage network depend on the seed.
 * Default grid: 2320 × 2320 cells; the erosion model runs on cells of EROSION_CELL_DEG (or the
 * grid's own, if coarser) and is interpolated onto the grid, where the lake and river floors are
 * imposed at full resolution.
 */
export function generateTerrain(rng: Rng, opts?: { cellDeg?: number }): Terrain {
  const cellDeg = opts?.cellDeg ?? DEFAULT_CELL_DEG
  if (!(cellDeg > 0 && cellDeg <= 0.05)) throw new Error(`generateTerrain: cellDeg ${cellDeg} out of range (0, 0.05]`)
  const { west, north } = HUNAN_DEM_BOUNDS
  const width = Math.round((HUNAN_DEM_BOUNDS.east - west) / cellDeg)
  const height = Math.round((north - HUNAN_DEM_BOUNDS.south) / cellDeg)
  const grid: GridShape = { west, north, width, height, cellDeg }
  const n = width * height
  const courses = mainRiverCourses()

  // Full-resolution water: the lake surface, and the river floors at their bed.
  const lake = lakeMask(grid)
  const riverBed = riverFloors(grid, courses, cellDeg)

  const factor = Math.max(1, Math.round(EROSION_CELL_DEG / cellDeg))
  let surface: Float32Array
  if (factor === 1) surface = erodedRelief(grid, courses, { lake, riverBed }, rng)
  else {
    const coarse: GridShape = { west, north, width: Math.ceil(width / factor), height: Math.ceil(height / factor), cellDeg: cellDeg * factor }
    const water = { lake: lakeMask(coarse), riverBed: riverFloors(coarse, courses, cellDeg) }
    surface = upsample(erodedRelief(coarse, courses, water, rng), coarse, grid, factor)
  }

  const data = new Int16Array(n)
  for (let i = 0; i < n; i++) {
    let z = lake[i] ? LAKE_SURFACE_M : Number.isNaN(riverBed[i]!) ? surface[i]! : riverBed[i]!
    if (z > SOFT_CAP_START_M) z = SOFT_CAP_START_M + SOFT_CAP_RANGE_M * Math.tanh((z - SOFT_CAP_START_M) / SOFT_CAP_RANGE_M)
    data[i] = Math.round(z)
  }

  // A final fill over D4 neighbours, which water.ts traces on: the interpolation and the rounding
  // leave the odd cell below all four neighbours.
  const outlets = borderMask(width, height)
  for (let i = 0; i < n; i++) outlets[i] = outlets[i]! | lake[i]!
  priorityFlood(data, width, height, outlets, 4)

  return terrainFromGrid({
    west,
    north,
    east: west + width * cellDeg,
    south: north - height * cellDeg,
    width,
    height,
    cellDeg,
    data,
  })
}

/**
 * The relief on the erosion grid: smooth target and routing surfaces, outlets at the lake, the
 * river floors (both given for this grid) and the grid edge, stream-power relief between them,
 * then hillslope smoothing and edge-connected channels.
 */
function erodedRelief(
  grid: GridShape,
  courses: MainRiverCourse[],
  { lake, riverBed }: { lake: Uint8Array; riverBed: Float32Array },
  rng: Rng,
): Float32Array {
  const { width, height } = grid
  const n = width * height
  const { target, routing } = smoothSurfaces(grid, courses, rng.fork('terrain-noise'))
  const isOutlet = borderMask(width, height)
  const outletElevation = new Float32Array(n)
  const isWater = new Uint8Array(n)
  for (let i = 0; i < n; i++) {
    if (lake[i]) outletElevation[i] = LAKE_SURFACE_M
    else if (!Number.isNaN(riverBed[i]!)) outletElevation[i] = riverBed[i]!
    else {
      outletElevation[i] = target[i]!
      continue
    }
    isOutlet[i] = 1
    isWater[i] = 1
  }
  const { elevation, parent } = streamPowerRelief(grid, target, routing, isOutlet, outletElevation, rng.fork('terrain-network'))
  smoothHillslopes(elevation, width, height, isWater)
  connectDiagonalChannels(elevation, width, parent, isWater)
  return Float32Array.from(elevation)
}

/**
 * Two smooth surfaces from the hand-placed fields and the noise, per cell: `target`, the mean
 * elevation the relief should have around each place (lowered along the main valleys), and
 * `routing`, a rougher version whose hollows decide where the drainage network runs. Evaluated on a
 * ~1 km lattice and interpolated.
 */
function smoothSurfaces(grid: GridShape, courses: MainRiverCourse[], rng: Rng): { target: Float32Array; routing: Float32Array } {
  const step = Math.max(1, Math.round(LATTICE_DEG / grid.cellDeg))
  const lattice: GridShape = {
    west: grid.west,
    north: grid.north,
    width: Math.ceil(grid.width / step) + 1,
    height: Math.ceil(grid.height / step) + 1,
    cellDeg: step * grid.cellDeg,
  }
  const fields = reliefFields()
  const noise = createFractalNoise(rng)
  const m = lattice.width * lattice.height
  const target = new Float32Array(m)
  const routing = new Float32Array(m)
  const sample: NoiseSample = { regional: 0, detail: 0 }
  for (let y = 0; y < lattice.height; y++) {
    const lat = lattice.north - (y + 0.5) * lattice.cellDeg
    const ny = (lat - HUNAN_DEM_BOUNDS.south) * NOISE_KM_PER_DEG_LAT
    for (let x = 0; x < lattice.width; x++) {
      const lon = lattice.west + (x + 0.5) * lattice.cellDeg
      noise((lon - HUNAN_DEM_BOUNDS.west) * NOISE_KM_PER_DEG_LON, ny, sample)
      const base = sampleField(fields, fields.baseline, lon, lat)
      const amp = sampleField(fields, fields.mountain, lon, lat)
      const plain = sampleField(fields, fields.plain, lon, lat)
      const hills = Math.max(25, base + (25 + 0.35 * base) * sample.regional)
      const land = hills + amp * MOUNTAIN_MEAN_FACTOR
      const mean = land + (37 + 4 * sample.regional - land) * plain
      const roughness = (15 + 0.3 * base + 0.5 * amp) * (1 - plain) + 2 * plain
      const i = y * lattice.width + x
      target[i] = mean
      routing[i] = mean + 0.3 * roughness * sample.detail
    }
  }
  // Both: the network then runs down into the main valleys instead of alongside them.
  lowerMainValleys(target, lattice, courses)
  lowerMainValleys(routing, lattice, courses)
  return { target: upsample(target, lattice, grid, step), routing: upsample(routing, lattice, grid, step) }
}

/**
 * Bilinear from a coarse grid with the same north-west corner and `step` times the cell size onto
 * the fine grid's cell centres (clamped at the edges).
 */
function upsample(values: Float32Array, coarse: GridShape, fine: GridShape, step: number): Float32Array {
  const out = new Float32Array(fine.width * fine.height)
  const cw = coarse.width
  const ch = coarse.height
  const column0 = new Int32Array(fine.width)
  const column1 = new Int32Array(fine.width)
  const columnT = new Float32Array(fine.width)
  for (let x = 0; x < fine.width; x++) {
    const u = Math.min(cw - 1, Math.max(0, (x + 0.5) / step - 0.5))
    column0[x] = Math.floor(u)
    column1[x] = Math.min(cw - 1, column0[x]! + 1)
    columnT[x] = u - column0[x]!
  }
  for (let y = 0; y < fine.height; y++) {
    const v = Math.min(ch - 1, Math.max(0, (y + 0.5) / step - 0.5))
    const r0 = Math.floor(v) * cw
    const r1 = Math.min(ch - 1, Math.floor(v) + 1) * cw
    const ty = v - Math.floor(v)
    for (let x = 0; x < fine.width; x++) {
      const x0 = column0[x]!
      const x1 = column1[x]!
      const tx = columnT[x]!
      const top = values[r0 + x0]! + (values[r0 + x1]! - values[r0 + x0]!) * tx
      const bottom = values[r1 + x0]! + (values[r1 + x1]! - values[r1 + x0]!) * tx
      out[y * fine.width + x] = top + (bottom - top) * ty
    }
  }
  return out
}

/**
 * Steady-state stream-power relief (as in Cordonnier et al. 2016). A drainage network is laid out
 * by invasion percolation over the `routing` surface with a little per-cell randomness, then
 * elevations are integrated upstream along it, every step rising by distance × k × area^-½: steep
 * headwaters, gentle big valleys, and no depressions, since each cell stands above its receiver.
 * k is scaled block by block so the mean follows `target`. A few rounds of re-pointing each cell at
 * its steepest neighbour and integrating again turn the random tree into smooth hillslopes and
 * dendritic valleys.
 */
function streamPowerRelief(
  grid: GridShape,
  target: Float32Array,
  routing: Float32Array,
  isOutlet: Uint8Array,
  outletElevation: Float32Array,
  rng: Rng,
): { elevation: Float64Array; parent: Int32Array } {
  const { width, height, cellDeg, north } = grid
  const n = width * height
  const surface = routing // reused: routing is only needed for the first tree
  for (let i = 0; i < n; i++) surface[i] = isOutlet[i] ? outletElevation[i]! : routing[i]! + rng.range(0, ROUTING_JITTER_M)
  const flood = invasionFlood(surface, width, height, isOutlet)
  let order = flood.order
  const parent = flood.parent

  const m = metresPerDegree(27.5)
  const cellAreaKm2 = (cellDeg * m.lon * cellDeg * m.lat) / 1e6
  const dyKm = (cellDeg * m.lat) / 1000
  const dxKmByRow = new Float64Array(height)
  for (let y = 0; y < height; y++) dxKmByRow[y] = (cellDeg * metresPerDegree(north - (y + 0.5) * cellDeg).lon) / 1000
  const area = new Float32Array(n)
  const stepCost = new Float32Array(n)
  const elevation = new Float64Array(n)
  let k: Float32Array = new Float32Array(0)
  const hillslopeFactor = HILLSLOPE_AREA_KM2 ** -CONCAVITY
  for (let round = 0; round <= REORGANISE_ROUNDS; round++) {
    if (round > 0) {
      steepestReceivers(elevation, width, height, dxKmByRow, dyKm, isOutlet, parent)
      order = topologicalOrder(parent, isOutlet)
    }
    area.fill(cellAreaKm2)
    for (let j = n - 1; j >= 0; j--) {
      const c = order[j]!
      const p = parent[c]!
      if (p >= 0) area[p] = area[p]! + area[c]!
    }
    // Step length × area^-θ for each cell, towards its receiver.
    for (let y = 1; y < height - 1; y++) {
      const dx = dxKmByRow[y]!
      const diag = Math.hypot(dx, dyKm)
      for (let x = 1; x < width - 1; x++) {
        const i = y * width + x
        const p = parent[i]!
        if (p < 0) continue
        const offset = p - i
        const dist = offset === 1 || offset === -1 ? dx : offset === width || offset === -width ? dyKm : diag
        const a = area[i]!
        stepCost[i] = dist * (a <= HILLSLOPE_AREA_KM2 ? hillslopeFactor : a ** -CONCAVITY)
      }
    }
    // Fitted on the first tree and again on the last: the steepest-descent trees are shorter.
    if (round === 0 || round === REORGANISE_ROUNDS) k = calibrateErodibility(grid, target, order, parent, stepCost, outletElevation)
    for (let j = 0; j < n; j++) {
      const c = order[j]!
      const p = parent[c]!
      elevation[c] = p < 0 ? outletElevation[c]! : elevation[p]! + stepCost[c]! * k[c]!
    }
  }
  return { elevation, parent }
}

/**
 * Re-points every non-outlet cell at its steepest-descent D8 neighbour, where it has one. The grid
 * edge is all outlets, so every cell looked at has its eight neighbours.
 */
function steepestReceivers(
  elevation: Float64Array,
  width: number,
  height: number,
  dxKmByRow: Float64Array,
  dyKm: number,
  isOutlet: Uint8Array,
  parent: Int32Array,
): void {
  const offsets = NEIGHBOUR_DX.map((dx, k) => NEIGHBOUR_DY[k]! * width + dx)
  const inverseDistance = new Float64Array(8)
  for (let y = 1; y < height - 1; y++) {
    const dx = dxKmByRow[y]!
    for (let k = 0; k < 8; k++) inverseDistance[k] = 1 / (k >= 4 ? Math.hypot(dx, dyKm) : k === 0 || k === 3 ? dyKm : dx)
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x
      if (isOutlet[i]) continue
      const z = elevation[i]!
      let best = 0
      let receiver = -1
      for (let k = 0; k < 8; k++) {
        const nb = i + offsets[k]!
        const slope = (z - elevation[nb]!) * inverseDistance[k]!
        if (slope > best) {
          best = slope
          receiver = nb
        }
      }
      if (receiver >= 0) parent[i] = receiver
    }
  }
}

/** Outlets first, then every cell after its receiver (breadth first over the donor lists). */
function topologicalOrder(parent: Int32Array, isOutlet: Uint8Array): Int32Array {
  const n = parent.length
  const start = new Int32Array(n + 1)
  for (let i = 0; i < n; i++) {
    const p = parent[i]!
    if (p >= 0) start[p + 1] = start[p + 1]! + 1
  }
  for (let i = 0; i < n; i++) start[i + 1] = start[i + 1]! + start[i]!
  const fillAt = start.slice(0, n)
  const donors = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    const p = parent[i]!
    if (p >= 0) donors[fillAt[p]!++] = i
  }
  const order = new Int32Array(n)
  let tail = 0
  for (let i = 0; i < n; i++) if (isOutlet[i]) order[tail++] = i
  for (let head = 0; head < tail; head++) {
    const c = order[head]!
    for (let d = start[c]!; d < start[c + 1]!; d++) order[tail++] = donors[d]!
  }
  if (tail !== n) throw new Error(`topologicalOrder: ${n - tail} cells drain into a loop`)
  return order
}

/**
 * Per-cell k such that, over each ~10 km block, the mean relief above the outlets (with k = 1)
 * matches the target's; smoothed and interpolated so the blocks leave no steps.
 */
function calibrateErodibility(
  grid: GridShape,
  target: Float32Array,
  order: Int32Array,
  parent: Int32Array,
  stepCost: Float32Array,
  outletElevation: Float32Array,
): Float32Array {
  const { width, height, cellDeg } = grid
  const n = width * height
  // Unit-k relief above each cell's outlet, and that outlet's elevation.
  const relief = new Float32Array(n)
  const base = new Float32Array(n)
  for (let j = 0; j < n; j++) {
    const c = order[j]!
    const p = parent[c]!
    if (p < 0) base[c] = outletElevation[c]!
    else {
      base[c] = base[p]!
      relief[c] = relief[p]! + stepCost[c]!
    }
  }
  const blockCells = Math.max(1, Math.round(CALIBRATION_BLOCK_DEG / cellDeg))
  const bw = Math.ceil(width / blockCells)
  const bh = Math.ceil(height / blockCells)
  const wanted = new Float64Array(bw * bh)
  const got = new Float64Array(bw * bh)
  for (let y = 0; y < height; y++) {
    const by = Math.floor(y / blockCells)
    for (let x = 0; x < width; x++) {
      const i = y * width + x
      if (parent[i]! < 0) continue
      const b = by * bw + Math.floor(x / blockCells)
      wanted[b] = wanted[b]! + Math.max(0, target[i]! - base[i]!)
      got[b] = got[b]! + relief[i]!
    }
  }
  const ratio = new Float32Array(bw * bh)
  for (let b = 0; b < ratio.length; b++) ratio[b] = got[b]! > 0 ? Math.max(MIN_ERODIBILITY, wanted[b]! / got[b]!) : MIN_ERODIBILITY
  const smooth = new Float32Array(bw * bh)
  for (let y = 0; y < bh; y++) {
    for (let x = 0; x < bw; x++) {
      let sum = 0
      let weight = 0
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx
          const yy = y + dy
          if (xx < 0 || yy < 0 || xx >= bw || yy >= bh) continue
          const w = dx === 0 && dy === 0 ? 4 : dx === 0 || dy === 0 ? 2 : 1
          sum += ratio[yy * bw + xx]! * w
          weight += w
        }
      }
      smooth[y * bw + x] = sum / weight
    }
  }
  const k = relief // reused
  for (let y = 0; y < height; y++) {
    const fy = Math.min(bh - 1, Math.max(0, (y + 0.5) / blockCells - 0.5))
    const y0 = Math.min(Math.max(0, bh - 2), Math.floor(fy))
    const y1 = Math.min(bh - 1, y0 + 1)
    const ty = fy - y0
    for (let x = 0; x < width; x++) {
      const fx = Math.min(bw - 1, Math.max(0, (x + 0.5) / blockCells - 0.5))
      const x0 = Math.min(Math.max(0, bw - 2), Math.floor(fx))
      const x1 = Math.min(bw - 1, x0 + 1)
      const tx = fx - x0
      const top = smooth[y0 * bw + x0]! + (smooth[y0 * bw + x1]! - smooth[y0 * bw + x0]!) * tx
      const bottom = smooth[y1 * bw + x0]! + (smooth[y1 * bw + x1]! - smooth[y1 * bw + x0]!) * tx
      k[y * width + x] = top + (bottom - top) * ty
    }
  }
  return k
}

/**
 * One pass of a 3 × 3 binomial filter over the land cells: a stand-in for hillslope diffusion that
 * rounds off the ridges and the D8 path-length banding of the integrated relief. The few pits it
 * makes in narrow channels are filled afterwards.
 */
function smoothHillslopes(elevation: Float64Array, width: number, height: number, isWater: Uint8Array): void {
  const src = elevation.slice()
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x
      if (isWater[i]) continue
      const up = i - width
      const down = i + width
      elevation[i] =
        (4 * src[i]! + 2 * (src[i - 1]! + src[i + 1]! + src[up]! + src[down]!) + src[up - 1]! + src[up + 1]! + src[down - 1]! + src[down + 1]!) / 16
    }
  }
}

/**
 * Where a channel steps diagonally, the bilinear surface between the two cells bulges over the
 * higher corner cells, and a D4 walk has no way down. Lowering the lower corner to the upstream
 * cell's level gives every diagonal step an edge-connected, non-rising detour.
 */
function connectDiagonalChannels(data: Float64Array, width: number, parent: Int32Array, isWater: Uint8Array): void {
  for (let i = 0; i < data.length; i++) {
    const p = parent[i]!
    if (p < 0 || isWater[i]) continue
    const xi = i % width
    const xp = p % width
    const yi = (i - xi) / width
    const yp = (p - xp) / width
    if (xi === xp || yi === yp) continue
    const b = yp * width + xi
    const c = yi * width + xp
    const z = data[i]!
    if (data[b]! <= z || data[c]! <= z) continue
    const corner = isWater[b] ? c : isWater[c] ? b : data[b]! <= data[c]! ? b : c
    if (!isWater[corner]) data[corner] = z
  }
}

/** Visits, for each segment of each course, the grid cells within `reachM` of it. */
function forCellsNearCourses(
  grid: GridShape,
  courses: MainRiverCourse[],
  reachM: number,
  visit: (cell: number, distM: number, bedM: number, fraction: number) => void,
): void {
  const { west, north, width, height, cellDeg } = grid
  for (const course of courses) {
    const total = course.distM[course.distM.length - 1]!
    for (let k = 0; k + 1 < course.coords.length; k++) {
      const a = course.coords[k]!
      const b = course.coords[k + 1]!
      const m = metresPerDegree((a[1] + b[1]) / 2)
      const x0 = Math.max(0, Math.floor((Math.min(a[0], b[0]) - reachM / m.lon - west) / cellDeg))
      const x1 = Math.min(width - 1, Math.ceil((Math.max(a[0], b[0]) + reachM / m.lon - west) / cellDeg))
      const y0 = Math.max(0, Math.floor((north - Math.max(a[1], b[1]) - reachM / m.lat) / cellDeg))
      const y1 = Math.min(height - 1, Math.ceil((north - Math.min(a[1], b[1]) + reachM / m.lat) / cellDeg))
      const dx = (b[0] - a[0]) * m.lon
      const dy = (b[1] - a[1]) * m.lat
      const len2 = dx * dx + dy * dy
      const reach2 = reachM * reachM
      for (let y = y0; y <= y1; y++) {
        const py = (north - (y + 0.5) * cellDeg - a[1]) * m.lat
        for (let x = x0; x <= x1; x++) {
          const px = (west + (x + 0.5) * cellDeg - a[0]) * m.lon
          const t = len2 > 0 ? Math.min(1, Math.max(0, (px * dx + py * dy) / len2)) : 0
          const ex = px - dx * t
          const ey = py - dy * t
          const d2 = ex * ex + ey * ey
          if (d2 > reach2) continue
          const bed = course.bedM[k]! + (course.bedM[k + 1]! - course.bedM[k]!) * t
          visit(y * width + x, Math.sqrt(d2), bed, (course.distM[k]! + (course.distM[k + 1]! - course.distM[k]!) * t) / total)
        }
      }
    }
  }
}

/**
 * The flat floor along each main river: cells within the floor half-width (that of a grid of
 * `floorCellDeg`) hold the bed elevation of the nearest river point (NaN elsewhere). The nearest
 * river wins where two come close.
 */
export function riverFloors(grid: GridShape, courses: MainRiverCourse[], floorCellDeg: number = grid.cellDeg): Float32Array {
  const n = grid.width * grid.height
  const nearest = new Float32Array(n).fill(Infinity)
  const bed = new Float32Array(n).fill(NaN)
  forCellsNearCourses(grid, courses, riverFloorHalfWidthM(1, floorCellDeg), (cell, d, bedM, fraction) => {
    if (d < nearest[cell]! && d <= riverFloorHalfWidthM(fraction, floorCellDeg)) {
      nearest[cell] = d
      bed[cell] = bedM
    }
  })
  return bed
}

/**
 * Lowers a surface towards the bed along each main river, blending into the relief over the valley
 * side, so the calibrated relief opens wide valleys instead of gorges everywhere.
 */
function lowerMainValleys(target: Float32Array, lattice: GridShape, courses: MainRiverCourse[]): void {
  const n = lattice.width * lattice.height
  const nearest = new Float32Array(n).fill(Infinity)
  const bedAt = new Float32Array(n)
  const fractionAt = new Float32Array(n)
  const reach = riverFloorHalfWidthM(1, 0) + riverWallWidthM(1)
  forCellsNearCourses(lattice, courses, reach, (cell, d, bedM, fraction) => {
    if (d < nearest[cell]!) {
      nearest[cell] = d
      bedAt[cell] = bedM
      fractionAt[cell] = fraction
    }
  })
  for (let i = 0; i < n; i++) {
    const d = nearest[i]!
    if (d === Infinity) continue
    const f = fractionAt[i]!
    const floor = riverFloorHalfWidthM(f, 0)
    const ramp = smoothstep(floor, floor + riverWallWidthM(f), d)
    const bed = bedAt[i]!
    target[i] = bed + Math.max(0, target[i]! - bed) * ramp
  }
}

/**
 * The largest climb along a line over the bilinear DEM, exactly: the surface is quadratic between
 * the grid lines through cell centres, so it is evaluated at every crossing and at each piece's
 * turning point. 0 means the line never rises anywhere downstream.
 */
export function profileMaxRise(terrain: Terrain, line: readonly (readonly number[])[]): number {
  const { west, north, cellDeg, elevation } = terrain
  let runMin = Infinity
  let rise = 0
  const visit = (z: number) => {
    if (z - runMin > rise) rise = z - runMin
    if (z < runMin) runMin = z
  }
  for (let s = 0; s + 1 < line.length; s++) {
    const ax = line[s]![0]!
    const ay = line[s]![1]!
    const bx = line[s + 1]![0]!
    const by = line[s + 1]![1]!
    const ts = [0, 1]
    addCrossings(ts, (ax - west) / cellDeg - 0.5, (bx - west) / cellDeg - 0.5)
    addCrossings(ts, (north - ay) / cellDeg - 0.5, (north - by) / cellDeg - 0.5)
    ts.sort((p, q) => p - q)
    const at = (t: number) => elevation(ax + (bx - ax) * t, ay + (by - ay) * t)
    if (s === 0) visit(at(0))
    for (let k = 0; k + 1 < ts.length; k++) {
      const t0 = ts[k]!
      const t1 = ts[k + 1]!
      if (t1 - t0 < 1e-12) continue
      const f0 = at(t0)
      const fm = at((t0 + t1) / 2)
      const f1 = at(t1)
      const c = 2 * (f1 - 2 * fm + f0)
      const b = f1 - f0 - c
      if (c !== 0) {
        const tau = -b / (2 * c)
        if (tau > 0 && tau < 1) visit(at(t0 + (t1 - t0) * tau))
      }
      visit(f1)
    }
  }
  return rise
}

/** Parameters in (0, 1) where a segment from grid coordinate u0 to u1 crosses an integer. */
function addCrossings(out: number[], u0: number, u1: number): void {
  if (u0 === u1) return
  const lo = Math.min(u0, u1)
  const hi = Math.max(u0, u1)
  for (let g = Math.floor(lo) + 1; g < hi; g++) out.push((g - u0) / (u1 - u0))
}
