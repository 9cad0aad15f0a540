import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { LRUCache } from 'lru-cache'
import type { TileAddress } from './tile-filters.js'
import { TerrainPool } from './terrain-pool.js'
import { terrainPath } from '../../geodata/terrain-format.js'
import { tileOutside, type Bounds } from './terrain-render.js'


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
