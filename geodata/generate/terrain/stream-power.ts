import { metresPerDegree } from '../../terrain-format.js'
import type { Rng } from '../rng.js'
import { invasionFlood } from './flood.js'
import { NEIGHBOUR_DX, NEIGHBOUR_DY, type GridShape } from './grid.js'

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
 * Steady-state stream-power relief (as in Cordonnier et al. 2016). A drainage network is laid out
 * by invasion percolation over the `routing` surface with a little per-cell randomness, then
 * elevations are integrated upstream along it, every step rising by distance × k × area^-½: steep
 * headwaters, gentle big valleys, and no depressions, since each cell stands above its receiver.
 * k is scaled block by block so the mean follows `target`. A few rounds of re-pointing each cell at
 * its steepest neighbour and integrating again turn the random tree into smooth hillslopes and
 * dendritic valleys.
 */
export function streamPowerRelief(
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
