import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { PNG } from 'pngjs'
import { LRUCache } from 'lru-cache'
import type { Terrain } from '../../geodata/generate/types.js'
import type { TileAddress } from './tile-filters.js'
import { TerrainPool } from './terrain-pool.js'

export const TERRAIN_TILE_SIZE = 256

/** Where the loader writes the DEM it generated, and where the tile server reads it. */
export function terrainPath(dataDir: string): string {
  return join(dataDir, 'terrain', 'dem.bin')
}

/**
 * Terrarium encoding (as MapLibre's raster-dem 'terrarium' expects):
 * height = R × 256 + G + B / 256 − 32768.
 */
export function encodeTerrarium(height: number, out: Uint8Array, at: number): void {
  const v = Math.max(0, Math.min(65535.996, height + 32768))
  const whole = Math.floor(v)
  out[at] = whole >> 8
  out[at + 1] = whole & 255
  out[at + 2] = Math.floor((v - whole) * 256)
  out[at + 3] = 255
}

export function decodeTerrarium(r: number, g: number, b: number): number {
  return r * 256 + g + b / 256 - 32768
}

/** One 256×256 Terrarium PNG cut from the DEM: each pixel samples the elevation at its centre. */
export function renderTerrainTile(terrain: Terrain, t: TileAddress): Buffer {
  const size = TERRAIN_TILE_SIZE
  const png = new PNG({ width: size, height: size })
  const n = 2 ** t.z
  const lons = new Float64Array(size)
  for (let i = 0; i < size; i++) lons[i] = ((t.x + (i + 0.5) / size) / n) * 360 - 180
  for (let j = 0; j < size; j++) {
    const my = Math.PI * (1 - (2 * (t.y + (j + 0.5) / size)) / n)
    const lat = (Math.atan(Math.sinh(my)) * 180) / Math.PI
    for (let i = 0; i < size; i++) encodeTerrarium(terrain.elevation(lons[i]!, lat), png.data, (j * size + i) * 4)
  }
  return PNG.sync.write(png, { colorType: 6 })
}

/** West, south, east, north (WGS84). */
export type Bounds = [number, number, number, number]

/** Whether a tile lies wholly outside these bounds (touching an edge counts as outside). */
export function tileOutside(t: TileAddress, [west, south, east, north]: Bounds): boolean {
  const n = 2 ** t.z
  const lon = (x: number) => (x / n) * 360 - 180
  const lat = (y: number) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / n))) * 180) / Math.PI
  return lon(t.x + 1) <= west || lon(t.x) >= east || lat(t.y) <= south || lat(t.y + 1) >= north
}

/** A tile asked of a worker (server/tiles/terrain-worker.ts): the DEM file and which load of it. */
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

export interface TerrainTile {
  body: Buffer
  etag: string
  /** The thread that rendered it (a worker's threadId). */
  renderedBy: number
}

export interface TerrainTilesOptions {
  /** Worker threads (default: one less than the cores, between 1 and 4). */
  threads?: number
  /** Tiles waiting or rendering at once; one more is refused (TerrainBusyError, answered 503). Default 256. */
  maxPending?: number
  /** Bytes of rendered tiles kept (default 64 MiB). */
  cacheBytes?: number
}

/**
 * Serves terrain tiles from DATA_DIR's DEM. Tiles are rendered on a small pool of worker threads
 * (the route is public, and a tile costs ~10 ms of CPU that would otherwise hold up every request),
 * at most one rendering per tile at a time, the results kept in an LRU bounded in bytes; the pool's
 * queue is bounded too. Tiles wholly outside the DEM are not rendered (tile() answers undefined).
 */
export class TerrainTiles {
  /** Bumped by reset(): workers read the DEM again, and cache keys of the previous load no longer match. */
  private generation = 0
  private bounds: { generation: number; bounds: Bounds } | undefined
  private readonly pool: TerrainPool
  private readonly cache: LRUCache<string, TerrainTile>
  private readonly inflight = new Map<string, Promise<TerrainTile | undefined>>()

  constructor(
    private readonly dataDir: string,
    opts: TerrainTilesOptions = {},
  ) {
    this.pool = new TerrainPool(opts.threads ?? Math.max(1, Math.min(4, availableParallelism() - 1)), opts.maxPending ?? 256)
    this.cache = new LRUCache({ maxSize: opts.cacheBytes ?? 64 * 1024 * 1024, sizeCalculation: (v) => v.body.length + 64 })
  }

  available(): boolean {
    return existsSync(terrainPath(this.dataDir))
  }

  /** Forget the DEM and every tile cut from it (after a new load). */
  reset(): void {
    this.generation++
    this.bounds = undefined
    this.cache.clear()
  }

  /** The tile, or undefined when it lies wholly outside the DEM. Throws TerrainBusyError when too many tiles are waiting. */
  tile(t: TileAddress): Promise<TerrainTile | undefined> {
    const generation = this.generation
    const key = `${generation}:${t.z}/${t.x}/${t.y}`
    const hit = this.cache.get(key)
    if (hit) return Promise.resolve(hit)
    if (this.bounds?.generation === generation && tileOutside(t, this.bounds.bounds)) return Promise.resolve(undefined)
    let pending = this.inflight.get(key)
    if (!pending) {
      pending = this.render(t, generation, key).finally(() => this.inflight.delete(key))
      this.inflight.set(key, pending)
    }
    return pending
  }

  private async render(t: TileAddress, generation: number, key: string): Promise<TerrainTile | undefined> {
    const reply = await this.pool.run({ z: t.z, x: t.x, y: t.y, path: terrainPath(this.dataDir), generation })
    if (!reply.ok) throw new Error(`Unable to render terrain tile ${t.z}/${t.x}/${t.y}: ${reply.message}`)
    if (generation === this.generation) this.bounds = { generation, bounds: reply.bounds }
    if (reply.outside) return undefined
    const tile = { body: Buffer.from(reply.body), etag: reply.etag, renderedBy: reply.renderedBy }
    this.cache.set(key, tile)
    return tile
  }

  /** Stops the worker threads (app close). */
  close(): Promise<void> {
    return this.pool.close()
  }
}
