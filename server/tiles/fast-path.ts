/**
 * The cached-tile fast path. A map asks for dozens of tiles a second, and for a cached one Fastify's
 * request lifecycle costs more than node's HTTP server does to send it. So a tile URL the tile route
 * has answered (and so checked: layer, address, filters, access) is answered again on node's request
 * event, before Fastify, for a caller the auth plugin already trusts (app.answerEarly): from the cache,
 * or rendered in the caller's view once admitted (not shedding, within the caller's tile rate limit).
 * Anything else (an unknown URL, a refusal, a failed rendering) goes to Fastify, which answers with
 * every check and log; nothing is written before the tile is in hand. Both paths answer with sendTile().
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import type { FastifyInstance, FastifyServerFactory } from 'fastify'
import type { LayerDef } from '../../tiles/layer-def.js'
import { roleAllows, type Access, type Caller as SignedIn } from '../auth/roles.js'
import type { TileAddress } from './tile-filters.js'
import type { Tile, TileScope, TileService } from './tile-service.js'

export const MVT = 'application/vnd.mapbox-vector-tile'

/** A .mvt or .png tile under /tiles/ (not TileJSON): what gets the short header set and no request log. */
export function isBinaryTileUrl(url: string): boolean {
  return url.startsWith('/tiles/') && /\.(?:mvt|png)(?:\?|$)/.test(url)
}

/** Whether an Accept-Encoding header accepts gzip (not refused with q=0). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false
  for (const part of header.split(',')) {
    const [name, ...params] = part.split(';')
    const coding = name!.trim().toLowerCase()
    if (coding !== 'gzip' && coding !== 'x-gzip' && coding !== '*') continue
    const q = params.map((p) => /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p)?.[1]).find((v) => v !== undefined)
    if (q === undefined || Number(q) > 0) return true
  }
  return false
}

/**
 * Sends a data tile: 304 when the caller holds this ETag, 204 when it is empty (MapLibre takes that
 * for a tile without features), else 200 with the bytes, gzip-compressed for a caller that accepts it
 * where the tile carries its gzip bytes (TileService.withGzip), with an ETag of their own. `send`
 * writes the status, headers and body on the path at hand (Fastify's reply or node's response). Every
 * data tile needs a session, so none may sit in a shared cache; Vary: Cookie keeps one user's tiles
 * from the next user of the browser.
 */
export function sendTile<R>(
  send: (status: 200 | 204 | 304, headers: Record<string, string | number>, body?: Buffer) => R,
  tile: Tile,
  personal: boolean,
  ifNoneMatch: string | undefined,
  gzip: boolean,
): R {
  const gz = gzip ? tile.gzip : undefined
  const headers: Record<string, string | number> = {
    'cache-control': personal ? 'private, max-age=60' : 'private, max-age=300',
    etag: gz ? `${tile.etag.slice(0, -1)}-gz"` : tile.etag,
    vary: 'Accept-Encoding, Cookie',
  }
  if (ifNoneMatch === headers.etag) return send(304, headers)
  if (tile.body.length === 0) return send(204, headers)
  const body = gz ?? tile.body
  headers['content-type'] = MVT
  if (gz) headers['content-encoding'] = 'gzip'
  headers['content-length'] = body.length
  return send(200, headers, body)
}

/**
 * A request header read from node's raw list without building req.headers (which the fast path
 * would otherwise be the first to ask for); undefined when absent or given more than once.
 */
export function rawHeader(req: IncomingMessage, lowerCaseName: string): string | undefined {
  const raw = req.rawHeaders
  let found: string | undefined
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!
    if (name.length === lowerCaseName.length && name.toLowerCase() === lowerCaseName) {
      if (found !== undefined) return undefined
      found = raw[i + 1]
    }
  }
  return found
}

/**
 * Takes a GET and returns true, or returns false (having written nothing) to let Fastify answer. Having
 * taken it, it may still hand it to Fastify with `pass()` (once) as long as it has written nothing.
 */
export type RawAnswer = (req: IncomingMessage, res: ServerResponse, pass: () => void) => boolean

/** The answers tried on node's request event, and the HTTP server (Fastify's serverFactory) that tries them. */
export class EarlyAnswers {
  private readonly answers: RawAnswer[] = []
  private open = true

  add(answer: RawAnswer): void {
    this.answers.push(answer)
  }

  /** From now on every request goes to Fastify (which answers 503 while closing). */
  close(): void {
    this.open = false
  }

  /** Tries the answers; false when none took the request. `pass` hands it to Fastify afterwards. */
  answer(req: IncomingMessage, res: ServerResponse, pass: () => void = () => undefined): boolean {
    if (!this.open || req.method !== 'GET') return false
    for (const a of this.answers) {
      try {
        if (a(req, res, pass)) return true
      } catch (err) {
        // Should an answer fail anyway, Fastify answers (and logs) what it can, unless the response has begun.
        if (res.headersSent) {
          res.destroy(err as Error)
          return true
        }
      }
    }
    return false
  }

  /** Fastify's serverFactory: node's HTTP server with the timeouts Fastify would give its own. */
  readonly serverFactory: FastifyServerFactory = (handler, opts) => {
    const server = http.createServer((req, res) => {
      let passed = false
      const pass = () => {
        if (passed || res.headersSent) return
        passed = true
        handler(req, res)
      }
      if (!this.answer(req, res, pass)) handler(req, res)
    })
    const o = opts as { keepAliveTimeout?: number; requestTimeout?: number; connectionTimeout?: number; maxRequestsPerSocket?: number }
    if (o.keepAliveTimeout !== undefined) server.keepAliveTimeout = o.keepAliveTimeout
    if (o.requestTimeout !== undefined) server.requestTimeout = o.requestTimeout
    server.setTimeout(o.connectionTimeout ?? 0)
    if (o.maxRequestsPerSocket && o.maxRequestsPerSocket > 0) server.maxRequestsPerSocket = o.maxRequestsPerSocket
    return server
  }
}

/** What the tile route read from a URL it answered; the fast path serves only these, exactly as requested. */
export interface AnsweredTile {
  name: string
  layers: readonly LayerDef[]
  addr: TileAddress
  filter: Record<string, unknown>
  personal: boolean
  access: Access
  /** requestKey() of the tile. */
  key: string
  /** The normalised filter as counted against the caller's FilterBudget; undefined for the layer set's defaults. */
  combination: string | undefined
}

type Caller = Pick<SignedIn, 'role' | 'scope' | 'userId'>

/** What the fast path asks of the tile route: the same checks and the same view. */
export interface TileFastPathDeps {
  service: TileService
  filtersAllowed(combination: string | undefined, userId: number): boolean
  scopeKey(layers: readonly LayerDef[], caller: Caller): string
  scope(layers: readonly LayerDef[], caller: Caller & { sid: string }): TileScope
}

/** Registers the fast path for tiles; `remember` is called by the tile route with each URL it answered. */
export function tileFastPath(app: FastifyInstance, deps: TileFastPathDeps): { remember(url: string, read: () => AnsweredTile): void } {
  const answered = new Map<string, AnsweredTile>()
  const send = (req: IncomingMessage, res: ServerResponse, tile: Tile, personal: boolean, gzip: boolean) =>
    sendTile((status, headers, body) => void res.writeHead(status, { ...app.binaryHeaders, ...headers }).end(body), tile, personal, rawHeader(req, 'if-none-match'), gzip)

  app.answerEarly((req, res, caller, pass, sid) => {
    const known = answered.get(req.url!)
    if (!known || !roleAllows(known.access, caller.role)) return false
    // A caller past its filter bound goes to the route, which answers 429.
    if (!deps.filtersAllowed(known.combination, caller.userId)) return false
    const gzip = acceptsGzip(rawHeader(req, 'accept-encoding'))
    const tile = deps.service.cached(known.name, known.layers, known.key, deps.scopeKey(known.layers, caller))
    const ready = tile && gzip ? deps.service.withGzip(tile) : tile
    if (ready && !(ready instanceof Promise)) {
      send(req, res, ready, known.personal, gzip)
      return true
    }
    // Compressing a cached tile needs no admission; rendering one does.
    const rendering = ready ?? app.admitEarly(req.url!, caller).then((admitted) => (admitted ? deps.service.tile(known.name, known.layers, known.addr, known.filter, deps.scope(known.layers, { ...caller, sid }), known.key) : undefined))
    rendering
      .then((rendered) => (rendered && gzip ? deps.service.withGzip(rendered) : rendered))
      .then((rendered) => (rendered ? send(req, res, rendered, known.personal, gzip) : pass()))
      // Fastify renders a failed tile again and answers (and logs) the error; a half-written answer closes the connection.
      .catch(() => (res.headersSent ? res.destroy() : pass()))
    return true
  })

  return {
    remember(url, read) {
      if (answered.has(url)) return
      if (answered.size >= 20_000) answered.clear()
      answered.set(url, read())
    },
  }
}
