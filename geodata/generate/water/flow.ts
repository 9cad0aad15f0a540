/** Flow routing on the DEM: where each cell drains, how much drains through it, where it ends. */
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { MultiPolygon } from 'geojson'
import { metresPerDegree, type Terrain } from '../../terrain-format.js'
import { borderMask, lakeMask, mainRiverCourses, priorityFlood, rasterizePolygon, riverFloors, type GridShape } from '../terrain/index.js'

/** Where the flow of a cell ends, if it ends there. */
export const Sink = { None: 0, Lake: 1, MainRiver: 2, Edge: 3 } as const

export interface Flow {
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

export function routeFlow(terrain: Terrain): Flow {
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
  const candidates = [COUNTIES_FILE, fileURLToPath(new URL('../../sources/hunan-counties.geojson', import.meta.url))]
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
