import { hash } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import type { Db, Queryable } from '../db/types.js'
import type { LayerDef } from '../../tiles/layer-def.js'
import { loadLayerStatements, statementFor, type BandStatements } from './layer-sql.js'
import { encodeLayer, type TileEncoder } from './mvt-encoder.js'
import type { TileAddress } from './tile-filters.js'

export interface Tile {
  body: Buffer
  etag: string
}

/**
 * Who the tile is rendered for: `run` executes the tile's SQL as that caller (row-level security
 * decides what the tile holds); `key` names what the caller may see (role and area) and is part of
 * the cache key, so that one caller's tile is never served to another with a different view.
 */
export interface TileScope {
  key: string
  run<T>(fn: (q: Queryable) => Promise<T>): Promise<T>
}

export interface TileServiceOptions {
  /** 'sql' (ST_AsMVT) on a server, 'js' on the embedded database; tests force either. */
  encoder?: TileEncoder
  cacheBytes?: number
  /**
   * How long a read of the layer versions is trusted (ms): a data change reaches the tiles within it.
   * (No route writes to the tables behind a layer; loads and other processes bump the versions.)
   */
  versionTtlMs?: number
}

/** One read of the layers' data versions, with the version part of cache keys built from it (per layer set). */
interface LayerVersions {
  at: number
  map: Map<string, number>
  tags: Map<string, string>
}

/** What a tile URL fixes of its cache key: the layer set's name, the address and the normalised filter. */
export function requestKey(name: string, addr: TileAddress, filter: Record<string, unknown>): string {
  return `${name}|${addr.z}/${addr.x}/${addr.y}|${JSON.stringify(filter)}`
}

/**
 * Renders tiles from the declared layers and keeps them in an LRU bounded in bytes. Keys carry each
 * layer's data version (bumped by triggers on the tables behind it), so a change invalidates exactly
 * the affected layers' tiles; concurrent requests for one uncached tile share one rendering.
 */
export class TileService {
  readonly encoder: TileEncoder
  private readonly statements = loadLayerStatements()
  private readonly cache: LRUCache<string, Tile>
  private readonly inflight = new Map<string, Promise<Tile>>()
  private versions: LayerVersions | undefined
  private versionsPending: Promise<LayerVersions> | undefined
  private readonly versionTtlMs: number

  constructor(
    private readonly db: Db,
    opts: TileServiceOptions = {},
  ) {
    this.encoder = opts.encoder ?? (db.kind === 'server' ? 'sql' : 'js')
    this.versionTtlMs = opts.versionTtlMs ?? 1000
    this.cache = new LRUCache<string, Tile>({ maxSize: opts.cacheBytes ?? 128 * 1024 * 1024, sizeCalculation: (t) => t.body.length + 64 })
  }

  /**
   * The data version of each layer. Not personal (a counter per layer), so it is read outside any
   * caller's transaction: one statement, shared by every request within the TTL.
   */
  async layerVersions(): Promise<Map<string, number>> {
    return (await this.freshVersions()).map
  }

  private freshVersions(): Promise<LayerVersions> {
    if (this.versions && Date.now() - this.versions.at < this.versionTtlMs) return Promise.resolve(this.versions)
    this.versionsPending ??= this.db
      .query<{ layer: string; version: number }>('SELECT layer, version FROM tile_layer_version')
      .then(({ rows }) => {
        this.versions = { at: Date.now(), map: new Map(rows.map((r) => [r.layer, r.version])), tags: new Map() }
        return this.versions
      })
      .finally(() => {
        this.versionsPending = undefined
      })
    return this.versionsPending
  }

  /**
   * The tile with these layers (one, or the base set); an empty body when it holds no feature.
   * Without a scope the tile is rendered by the connecting owner (offline seeding only). `request`:
   * requestKey() of the tile, when the caller already has it.
   */
  async tile(name: string, layers: readonly LayerDef[], addr: TileAddress, filter: Record<string, unknown>, scope?: TileScope, request = requestKey(name, addr, filter)): Promise<Tile> {
    const key = this.keyOf(await this.freshVersions(), name, layers, request, scope?.key)
    const hit = this.cache.get(key)
    if (hit) return hit
    let pending = this.inflight.get(key)
    if (!pending) {
      pending = this.render(layers, addr, filter, scope).finally(() => this.inflight.delete(key))
      this.inflight.set(key, pending)
    }
    const tile = await pending
    this.cache.set(key, tile)
    return tile
  }

  /**
   * The cached tile, answered synchronously, or undefined: when it is not cached, or when the layer
   * versions are not fresh enough to tell whether it still is (then tile() decides). `request` is
   * requestKey() of the tile, which a caller serving the same URL again keeps.
   */
  cached(name: string, layers: readonly LayerDef[], request: string, scopeKey: string): Tile | undefined {
    const v = this.versions
    if (!v || Date.now() - v.at >= this.versionTtlMs) return undefined
    return this.cache.get(this.keyOf(v, name, layers, request, scopeKey))
  }

  /** The cache key: the layers' data versions, the tile and filter (requestKey) and who it is for. */
  private keyOf(versions: LayerVersions, name: string, layers: readonly LayerDef[], request: string, scopeKey: string | undefined): string {
    let tag = versions.tags.get(name)
    if (tag === undefined) {
      tag = layers.map((l) => `${l.id}@${versions.map.get(l.id) ?? 0}`).join(',')
      versions.tags.set(name, tag)
    }
    return `${tag}|${request}|${scopeKey !== undefined ? `scope:${scopeKey}` : 'owner'}`
  }

  private async render(layers: readonly LayerDef[], addr: TileAddress, filter: Record<string, unknown>, scope: TileScope | undefined): Promise<Tile> {
    const t = { z: addr.z, x: addr.x, y: addr.y, filterJson: JSON.stringify(filter) }
    const bands = layers.map((l) => statementFor(this.statements, l.id, addr.z)).filter((s): s is BandStatements => s !== undefined)
    // MVT layers are independent protobuf messages: concatenating them makes one multi-layer tile.
    // Each layer is its own statement (in the caller's view), so that a pool renders them in parallel.
    const one = (st: BandStatements) => (q: Queryable) => encodeLayer(q, st, t, this.encoder)
    const parts = (await Promise.all(bands.map((st) => (scope ? scope.run(one(st)) : one(st)(this.db))))).filter((p) => p.length > 0)
    // A tile whose features all come from one layer (every non-empty single-layer tile) is that layer’s bytes, uncopied.
    const body = parts.length === 1 ? parts[0]! : Buffer.concat(parts)
    return { body, etag: `"${hash('sha1', body, 'base64url')}"` }
  }

  cacheStats() {
    return { entries: this.cache.size, bytes: this.cache.calculatedSize }
  }
}
