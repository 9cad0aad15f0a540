import type { TileAddress } from './tile-filters.js'
import type { Bounds } from './terrain-render.js'

/** A tile asked of a worker (terrain-worker.ts): the DEM file and which load of it. */
export interface TerrainRequest extends TileAddress {
  id: number
  path: string
  generation: number
}

/** A worker's answer: the PNG and its ETag, or that the tile is outside the DEM; the DEM's bounds either way. */
export type TerrainReply =
  | { id: number; ok: true; outside?: false; body: ArrayBuffer; etag: string; bounds: Bounds; renderedBy: number }
  | { id: number; ok: true; outside: true; bounds: Bounds; renderedBy: number }
  | { id: number; ok: false; message: string }
