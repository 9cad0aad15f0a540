/** Cell-centred grids: their shape, rasterising polygons onto them, masks, neighbour order. */
import { DONGTING_LAKE } from './hunan.js'

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
export const NEIGHBOUR_DX = [0, -1, 1, 0, -1, 1, -1, 1]
export const NEIGHBOUR_DY = [-1, 0, 0, 1, -1, -1, 1, 1]

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
