import { hash } from 'node:crypto'
import { promisify } from 'node:util'
import { gzip } from 'node:zlib'
import { LRUCache } from 'lru-cache'
import type { Db, Queryable } from '../db/types.js'
import type { LayerDef } from '../../tiles/layer-def.js'
import { loadLayerStatements, statementFor } from './layer-sql.js'
import { encodeLayer, type TileEncoder } from './mvt-encoder.js'
import type { TileAddress } from './tile-filters.js'

export interface Tile {
  body: Buffer
  etag: string
  /** The cache key it is kept under. */
  key?: string
  /** The body gzip-compressed (withGzip), kept in the same cache entry; null where compression does not pay. */
  gzip?: Buffer | null
}

/**
 * Who the tile is rendered for: `run` executes the tile's SQL as that caller (row-level security
 * decides what the tile holds); `key` names what the caller may see (role and area) and is part of
 * the cache key of every layer that depends on it, so that one caller's tile is never served to
 * another with a different view.
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
  tags: Map<string, { tag: string; scopeFree: boolean }>
}

/** What a tile URL fixes of its cache key: the layer set's name, the address and the normalised filter. */
export function requestKey(name: string, addr: TileAddress, filter: Record<string, unknown>): string {
  return `${name}|${addr.z}/${addr.x}/${addr.y}|${JSON.stringify(filter)}`
}

/**
 * The part of a normalised filter (tile-filters.ts) that one layer declares, in the same order: what
 * normaliseFilter gives for that layer alone, so a layer's part of a base tile and the layer's own
 * tile share one cache entry.
 */
export function layerFilter(layer: LayerDef, filter: Record<string, unknown>): Record<string, unknown> {
  const own: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(filter)) if (k in layer.filters || (k === 'gapmask' && 'gap' in layer.filters)) own[k] = v
  return own
}

/**
 * Renders tiles from the declared layers and keeps them in an LRU bounded in bytes. A tile of several
 * layers (base) is the concatenation of its layers' parts, and each part is cached by what that layer
 * depends on alone: its own filters, its data version and, unless it is public infrastructure, the
 * caller's role and area. Changing one layer's filter, or one layer's data, renders that layer again
 * and nothing else. Keys carry each layer's data version (bumped by triggers on the tables behind
 * it); concurrent requests for one uncached tile or part share one rendering.
 */
export class TileService {
  readonly encoder: TileEncoder
  private readonly statements = loadLayerStatements()
  private readonly cache: LRUCache<string, Tile>
  private readonly inflight = new Map<string, Promise<Tile>>()
  private readonly compressing = new Map<string, Promise<Tile>>()
  private compressions = 0
  private versions: LayerVersions | undefined
  private versionsPending: Promise<LayerVersions> | undefined
  private readonly versionTtlMs: number

  constructor(
    private readonly db: Db,
    opts: TileServiceOptions = {},
  ) {
    this.encoder = opts.encoder ?? (db.kind === 'server' ? 'sql' : 'js')
    this.versionTtlMs = opts.versionTtlMs ?? 1000
    this.cache = new LRUCache<string, Tile>({ maxSize: opts.cacheBytes ?? 128 * 1024 * 1024, sizeCalculation: (t) => t.body.length + (t.gzip?.length ?? 0) + 64 })
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
    const versions = await this.freshVersions()
    const key = this.keyOf(versions, name, layers, request, scope?.key)
    const hit = this.cache.get(key)
    if (hit) return hit
    // A one-layer tile is its layer's part (the same key); a base tile is assembled from its parts.
    if (layers.length === 1) return this.shared(key, () => this.renderPart(layers[0]!, addr, filter, scope))
    return this.shared(key, () => this.assemble(versions, layers, addr, filter, scope))
  }

  /**
   * The cached tile, answered synchronously, or undefined: when it is not cached, or when the layer
   * versions are not fresh enough to tell whether it still is (then tile() decides). `request` is
   * requestKey() of the tile, which a caller serving the same URL again keeps; `scopeKey` the caller's
   * TileScope key.
   */
  cached(name: string, layers: readonly LayerDef[], request: string, scopeKey: string): Tile | undefined {
    const v = this.versions
    if (!v || Date.now() - v.at >= this.versionTtlMs) return undefined
    return this.cache.get(this.keyOf(v, name, layers, request, scopeKey))
  }

  /**
   * The cache key: the layers' data versions, the tile and filter (requestKey) and whose view it shows:
   * everyone's when every layer is public infrastructure, else the caller's role and area.
   */
  private keyOf(versions: LayerVersions, name: string, layers: readonly LayerDef[], request: string, scopeKey: string | undefined): string {
    let t = versions.tags.get(name)
    if (t === undefined) {
      t = { tag: layers.map((l) => `${l.id}@${versions.map.get(l.id) ?? 0}`).join(','), scopeFree: layers.every((l) => l.scopeFree) }
      versions.tags.set(name, t)
    }
    return `${t.tag}|${request}|${scopeKey === undefined ? 'owner' : t.scopeFree ? 'everyone' : `scope:${scopeKey}`}`
  }

  /** One rendering per key at a time; the result is cached under that key. */
  private shared(key: string, make: () => Promise<Tile>): Promise<Tile> {
    let pending = this.inflight.get(key)
    if (!pending) {
      pending = make()
        .then(({ body, etag }) => {
          const tile = { body, etag, key }
          this.cache.set(key, tile)
          return tile
        })
        .finally(() => this.inflight.delete(key))
      this.inflight.set(key, pending)
    }
    return pending
  }

  /**
   * A base tile: each layer's part from the cache, keyed as that layer's own tile with the layer's own
   * filters (layerFilter), or rendered. MVT layers are independent protobuf messages: concatenating
   * them makes one multi-layer tile.
   */
  private async assemble(versions: LayerVersions, layers: readonly LayerDef[], addr: TileAddress, filter: Record<string, unknown>, scope: TileScope | undefined): Promise<Tile> {
    const drawn = layers.filter((l) => statementFor(this.statements, l.id, addr.z) !== undefined)
    // Each part is its own statement (in the caller's view), so that a pool renders them in parallel.
    const parts = await Promise.all(
      drawn.map((l) => {
        const own = layerFilter(l, filter)
        const key = this.keyOf(versions, l.id, [l], requestKey(l.id, addr, own), scope?.key)
        return this.cache.get(key) ?? this.shared(key, () => this.renderPart(l, addr, own, scope))
      }),
    )
    const bodies = parts.map((p) => p.body).filter((b) => b.length > 0)
    // A tile whose features all come from one layer is that layer's tile, bytes and ETag, uncopied.
    if (bodies.length === 1) return parts.find((p) => p.body.length > 0)!
    const body = bodies.length === 0 ? EMPTY : Buffer.concat(bodies)
    return { body, etag: etagOf(body) }
  }

  /** One layer's tile (or part of a base tile), rendered with that layer's filters alone. */
  private async renderPart(layer: LayerDef, addr: TileAddress, filter: Record<string, unknown>, scope: TileScope | undefined): Promise<Tile> {
    const st = statementFor(this.statements, layer.id, addr.z)
    if (!st) return { body: EMPTY, etag: etagOf(EMPTY) }
    const t = { z: addr.z, x: addr.x, y: addr.y, filterJson: JSON.stringify(layerFilter(layer, filter)) }
    const one = (q: Queryable) => encodeLayer(q, st, t, this.encoder)
    const body = await (scope ? scope.run(one) : one(this.db))
    return { body, etag: etagOf(body) }
  }

  /**
   * The tile with its gzip bytes: compressed once (off the event loop, one compression per entry at a
   * time) and kept in its cache entry, the entry's size counting both. At once when already done.
   */
  withGzip(tile: Tile): Tile | Promise<Tile> {
    if (tile.gzip !== undefined || tile.body.length === 0) return tile
    const key = tile.key ?? tile.etag
    let pending = this.compressing.get(key)
    if (!pending) {
      pending = gzipAsync(tile.body)
        .then((gz) => {
          this.compressions++
          // Below about a packet, or where it saves little, the plain bytes go out.
          const done: Tile = { ...tile, gzip: tile.body.length >= MIN_GZIP && gz.length < tile.body.length * 0.9 ? gz : null }
          if (tile.key !== undefined && this.cache.peek(tile.key) === tile) this.cache.set(tile.key, done)
          return done
        })
        .finally(() => this.compressing.delete(key))
      this.compressing.set(key, pending)
    }
    return pending
  }

  cacheStats() {
    return { entries: this.cache.size, bytes: this.cache.calculatedSize, compressions: this.compressions }
  }
}

const EMPTY = Buffer.alloc(0)
const MIN_GZIP = 1024
const gzipAsync = promisify(gzip)

function etagOf(body: Buffer): string {
  return `"${hash('sha1', body, 'base64url')}"`
}
