import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { BASE_LAYERS, LAYER_BY_ID } from '../../tiles/registry.js'
import type { LayerDef } from '../../tiles/layer-def.js'
import { requestKey, type TileScope, type TileService } from './tile-service.js'
import { FilterBudget, type FilterBudgetOptions } from './filter-budget.js'
import type { Caller } from '../auth/roles.js'
import type { TerrainTiles } from './terrain-tiles.js'
import { TerrainBusyError } from './terrain-pool.js'
import { normaliseFilter, parseTileAddress, TileRequestError, type TileAddress } from './tile-filters.js'
import { buildStyle, tileJson } from './style.js'
import { acceptsGzip, sendTile, tileFastPath } from './fast-path.js'

export interface TileRoutesOptions {
  service: TileService
  terrain: TerrainTiles
  /** How many distinct filter combinations a user may use within a window (FilterBudget; default 60 in 5 minutes). */
  filterSets?: FilterBudgetOptions
  /** Answer tile URLs answered before on node's request event (fast-path.ts); default true. */
  fastPath?: boolean
}

/** Our own origin for absolute URLs in TileJSON and the style; a malformed Host falls back to relative URLs. */
export function baseUrl(req: FastifyRequest): string {
  const host = req.host
  return /^[A-Za-z0-9.\-:[\]]{1,255}$/.test(host) ? `${req.protocol}://${host}` : ''
}

type TileParamsT = { layer: string; z: string; x: string; y: string }
type TileRequestOk = { ok: true; name: string; layers: readonly LayerDef[]; addr: TileAddress; filter: Record<string, unknown> }
type TileRequest = TileRequestOk | { ok: false; status: 400 | 404; message: string }
/** The layers, tile address and normalised filter of a tile URL, or why it is a 404 or a 400 (no SQL runs for either). */
function readTileRequest(params: TileParamsT, query: Record<string, unknown>): TileRequest {
  const layers = layersFor(params.layer)
  if (!layers) return { ok: false, status: 404, message: `no tile layer "${params.layer.slice(0, 40)}"` }
  try {
    return { ok: true, name: params.layer, layers, addr: parseTileAddress(params.z, params.x, params.y, '.mvt'), filter: normaliseFilter(layers, query) }
  } catch (err) {
    if (err instanceof TileRequestError) return { ok: false, status: 400, message: err.message }
    throw err
  }
}

/** Whose view a tile shows: the same for everyone (public infrastructure) or per role and area. */
function scopeKeyOf(layers: readonly LayerDef[], caller: Pick<Caller, 'role' | 'scope'>): string {
  return layers.every((l) => l.scopeFree) ? 'everyone' : `${caller.role}:${caller.scope}`
}

function layersFor(name: string): readonly LayerDef[] | undefined {
  if (name === 'base') return BASE_LAYERS
  const l = LAYER_BY_ID.get(name)
  return l ? [l] : undefined
}

const TileParams = Type.Object({
  layer: Type.String({ description: 'layer id (admin, villages, roads, water, schools, clinics, households, projects) or base' }),
  z: Type.String({ description: 'zoom 0-22' }),
  x: Type.String(),
  y: Type.String({ description: 'row, with the .mvt suffix' }),
})

const tiles: FastifyPluginAsync<TileRoutesOptions> = async (app, opts) => {
  const { service } = opts

  // Every filter combination is its own set of renderings and cache entries: a user may use a bounded
  // number of them at a time (the unfiltered tile, the layer set's defaults, never counts).
  const filterBudget = new FilterBudget(opts.filterSets)
  const defaults = new Map<string, string>()
  const combinationOf = (read: TileRequestOk): string | undefined => {
    let def = defaults.get(read.name)
    if (def === undefined) defaults.set(read.name, (def = JSON.stringify(normaliseFilter(read.layers, {}))))
    const json = JSON.stringify(read.filter)
    return json === def ? undefined : json
  }
  const filtersAllowed = (combination: string | undefined, userId: number) => combination === undefined || filterBudget.admit(`u${userId}`, combination)
  const tooManyFilters = (reply: FastifyReply, userId: number) => {
    const wait = filterBudget.retryAfterS(`u${userId}`)
    return reply
      .code(429)
      .header('retry-after', String(wait))
      .send({
        error: 'Too Many Requests',
        message: `too many different tile filter combinations: at most ${filterBudget.max} within ${Math.round(filterBudget.windowMs / 60_000) || 1} min per user; keep to the ones in use, or try again in ${wait} s`,
      })
  }

  // A tile depends on the caller's role and area alone (its cache key): both paths render it in that
  // view, one statement per layer, with nothing of the user set (app.requestDb.view: server/db/request-db.ts).
  const tileScope = (layers: readonly LayerDef[], caller: Pick<Caller, 'role' | 'scope'> & { sid: string }): TileScope => {
    const view = app.requestDb.view({ role: caller.role, scope: caller.scope, sid: caller.sid })
    return { key: scopeKeyOf(layers, caller), run: (fn) => fn(view) }
  }
  const fastPath = opts.fastPath === false ? undefined : tileFastPath(app, { service, filtersAllowed, scopeKey: scopeKeyOf, scope: tileScope })

  app.get<{ Params: { layer: string; z: string; x: string; y: string }; Querystring: Record<string, unknown> }>(
    '/tiles/:layer/:z/:x/:y',
    {
      schema: {
        summary: 'A Mapbox Vector Tile of one layer, or of the base set',
        description: 'Needs a session; what a tile holds depends on the caller’s role and area (row-level security). Empty tiles answer 204. Filters (households: year, status, cause, gap; villages: year; projects: type, stage) are comma lists checked against a whitelist; a user may use a bounded number of filter combinations at a time (default 60 within 5 minutes, the defaults not counted), 429 beyond.',
        tags: ['tiles'],
        params: TileParams,
        response: { 400: { $ref: 'ErrorBody#' }, 404: { $ref: 'ErrorBody#' } },
      },
    },
    async (req, reply) => {
      const read = readTileRequest(req.params, req.query)
      if (!read.ok) return reply.code(read.status).send({ error: read.status === 404 ? 'Not Found' : 'Bad Request', message: read.message })
      const { layers, addr, filter } = read
      if (req.caller && !filtersAllowed(combinationOf(read), req.caller.userId)) return tooManyFilters(reply, req.caller.userId)
      const personal = layers.some((l) => l.personal)
      const scope = tileScope(layers, app.dbCaller(req))
      try {
        const gzip = acceptsGzip(req.headers['accept-encoding'])
        const rendered = await service.tile(read.name, layers, addr, filter, scope)
        const tile = gzip ? await service.withGzip(rendered) : rendered
        fastPath?.remember(req.url, () => ({ ...read, personal, access: req.routeOptions.config.access ?? 'data', key: requestKey(read.name, addr, filter), combination: combinationOf(read) }))
        return sendTile((status, headers, body) => reply.code(status).headers(headers).send(body), tile, personal, req.headers['if-none-match'], gzip)
      } catch (err) {
        req.log.error({ err }, `Unable to get tile ${addr.z}/${addr.x}/${addr.y} from ${req.params.layer}`)
        throw err
      }
    },
  )

  app.get<{ Params: { z: string; x: string; y: string } }>(
    '/tiles/terrain/:z/:x/:y',
    {
      schema: {
        summary: 'Elevation tile (PNG, Terrarium encoding) for hillshade and 3D terrain',
        tags: ['tiles'],
        params: Type.Object({ z: Type.String(), x: Type.String(), y: Type.String({ description: 'row, with the .png suffix' }) }),
        response: { 400: { $ref: 'ErrorBody#' }, 404: { $ref: 'ErrorBody#' } },
      },
    },
    async (req, reply) => {
      let addr
      try {
        addr = parseTileAddress(req.params.z, req.params.x, req.params.y, '.png')
      } catch (err) {
        if (err instanceof TileRequestError) return reply.code(400).send({ error: 'Bad Request', message: err.message })
        throw err
      }
      if (addr.z > 15) return reply.code(404).send({ error: 'Not Found', message: 'terrain tiles go to zoom 15' })
      if (!opts.terrain.available()) return reply.code(404).send({ error: 'Not Found', message: 'no terrain yet: load the demo data (npm run load)' })
      let tile
      try {
        tile = await opts.terrain.tile(addr)
      } catch (err) {
        // Rendering is bounded: past that many waiting tiles the next one is refused, not queued.
        if (err instanceof TerrainBusyError) return reply.code(503).header('retry-after', '1').send({ error: 'Service Unavailable', message: 'too many terrain tiles are being rendered; try again shortly' })
        throw err
      }
      // Outside the DEM: nothing to draw, as for an empty vector tile (a 404 would be a console error in every browser).
      if (!tile) return reply.code(204).header('cache-control', 'public, max-age=3600').send()
      reply.header('cache-control', 'public, max-age=3600').header('etag', tile.etag)
      if (req.headers['if-none-match'] === tile.etag) return reply.code(304).send()
      return reply.type('image/png').send(tile.body)
    },
  )

  app.get<{ Params: { file: string } }>(
    '/tiles/:file',
    { schema: { summary: 'TileJSON 3.0.0 of a layer or of base ({layer}.json)', tags: ['tiles'], params: Type.Object({ file: Type.String() }) } },
    async (req, reply) => {
      const m = /^([a-z]+)\.json$/.exec(req.params.file)
      const layers = m ? layersFor(m[1]!) : undefined
      if (!m || !layers) return reply.code(404).send({ error: 'Not Found', message: `no TileJSON "${req.params.file.slice(0, 40)}"` })
      const description = m[1] === 'base' ? 'Base map of Hunan: every layer in one tile' : layers[0]!.description
      return reply.header('cache-control', 'public, max-age=60').send(tileJson(baseUrl(req), m[1]!, layers, description))
    },
  )

  app.get('/styles/povmap.json', { schema: { summary: 'The MapLibre style of the map client', tags: ['tiles'] } }, async (req, reply) => {
    return reply.header('cache-control', 'public, max-age=60').send(buildStyle(baseUrl(req)))
  })
}

export default tiles
