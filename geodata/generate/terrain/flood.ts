/** Flooding a grid from its outlets: every cell gets a parent towards an outlet (water.ts routes on it). */
import { NEIGHBOUR_DX, NEIGHBOUR_DY } from './grid.js'

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
