import { terrainFromGrid, type Terrain } from '../../terrain-format.js'
import type { Rng } from '../rng.js'
import { priorityFlood } from './flood.js'
import { borderMask, lakeMask, type GridShape } from './grid.js'
import { DEFAULT_CELL_DEG, HUNAN_DEM_BOUNDS, LAKE_SURFACE_M } from './hunan.js'
import { createFractalNoise, NOISE_KM_PER_DEG_LAT, NOISE_KM_PER_DEG_LON, type NoiseSample } from './noise.js'
import { reliefFields, sampleField } from './relief-fields.js'
import { mainRiverCourses, type MainRiverCourse } from './river-courses.js'
import { lowerMainValleys, riverFloors } from './river-valleys.js'
import { streamPowerRelief } from './stream-power.js'

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
