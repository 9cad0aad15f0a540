import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify'
import openapi from './openapi/plugin.js'
import type { Db } from './db/types.js'
import type { TrustProxy } from './infra/config.js'
import dbPlugin from './plugins/db.js'
import errorsPlugin from './plugins/errors.js'
import clientPlugin from './plugins/client.js'
import health from './health/routes.js'
import tiles from './tiles/routes.js'
import areas from './areas/routes.js'
import diagnosis, { areaDiagnosis } from './diagnosis/routes.js'
import { TileService, type TileServiceOptions } from './tiles/tile-service.js'
import { TerrainTiles, type TerrainTilesOptions } from './tiles/terrain-tiles.js'
import type { FilterBudgetOptions } from './tiles/filter-budget.js'
import { ErrorBody } from '../domain/schemas/common.js'
import { clientDistDir } from './infra/paths.js'
// auth (issue 6)
import hardeningPlugin, { type HardeningOptions } from './plugins/hardening.js'
import authPlugin, { type AuthOptions } from './auth/plugin.js'
import authRoutes, { type AuthRoutesOptions } from './auth/routes.js'
import accounts from './accounts/routes.js'
import auditRoutes from './audit/routes.js'
import householdsRoutes, { householdsExport } from './households/routes.js'
import photosRoutes, { type PhotosOptions } from './photos/routes.js'
import registryRoutes, { type RegistryOptions } from './registry/routes.js'
import workteamsRoutes from './workteams/routes.js'
import identificationRoutes from './identification/routes.js'
import sitingRoutes from './siting/routes.js'
import reportsRoutes from './reports/routes.js'
import crosscheckRoutes from './crosschecks/routes.js'
import { join } from 'node:path'
import { EarlyAnswers, isBinaryTileUrl } from './tiles/fast-path.js'
import { trustProxyOption } from './http/trust-proxy.js'
export { loggerOptions } from './infra/logging.js'

export interface AppOptions {
  db: Db
  /** APP_DATABASE_URL's pool: request transactions and views run on it (default: db). */
  requestPool?: Db
  /** DATA_DIR: the generated DEM for terrain tiles lives here. */
  dataDir: string
  logger?: FastifyServerOptions['logger']
  /** Serve the built client from dist/client (default true). */
  serveClient?: boolean
  tiles?: { tileService?: TileServiceOptions; terrain?: TerrainTilesOptions; filterSets?: FilterBudgetOptions; fastPath?: boolean }
  /** Sessions, cookies, second factor, sign-in rate (issue 6). */
  auth?: AuthOptions & AuthRoutesOptions
  hardening?: HardeningOptions
  /** Field photos: upload quota per user, pixel limit (DATA_DIR/photos holds the files). */
  photos?: Omit<PhotosOptions, 'dir'>
  /**
   * Behind a TLS-terminating proxy: which X-Forwarded-* hops to trust (protocol for Secure cookies, client
   * address for audit and rate limits): a number of proxies, or their addresses/CIDRs (TRUST_PROXY). Never
   * `true`: every hop would let a client forge its address with the leftmost X-Forwarded-For entry.
   */
  trustProxy?: TrustProxy
  /** Registry workflow: NOTICE_DAYS (issue 16). */
  registry?: RegistryOptions
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Tile rendering and cache, shared so that write routes can invalidate it. */
    tiles: TileService
    terrain: TerrainTiles
    /** Answers served on node's request event before Fastify (see EarlyAnswers; registered through app.answerEarly). */
    earlyAnswers: EarlyAnswers
  }
}

/** Builds the whole application; only server.ts listens, tests use app.inject(). */
export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const earlyAnswers = new EarlyAnswers()
  const app = Fastify({
    logger: opts.logger ?? false,
    // Tiles are not logged per request: a map asks for dozens a second, and two log lines cost more
    // than serving a cached tile. Their failures are logged where they happen; access logs of static
    // resources are the reverse proxy's or the CDN's.
    logController: new LogController({ disableRequestLogging: (req: { url: string }) => isBinaryTileUrl(req.url) }),
    serverFactory: earlyAnswers.serverFactory,
    bodyLimit: 1024 * 1024,
    requestTimeout: 60_000,
    return503OnClosing: true,
    trustProxy: trustProxyOption(opts.trustProxy),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  })
  app.decorate('earlyAnswers', earlyAnswers)
  app.addHook('preClose', async () => earlyAnswers.close())
  app.addSchema(ErrorBody)
  await app.register(errorsPlugin)
  await app.register(dbPlugin, { db: opts.db, requestPool: opts.requestPool })
  // auth (issue 6): before every route, so that each one passes the access rules and rate limits.
  await app.register(hardeningPlugin, { secure: opts.auth?.cookieSecure, ...opts.hardening })
  await app.register(authPlugin, opts.auth ?? {})
  await app.register(openapi)
  await app.register(health)
  await app.register(authRoutes, { loginPerMinute: opts.auth?.loginPerMinute })
  await app.register(accounts)
  await app.register(auditRoutes)
  await app.register(householdsRoutes)
  await app.register(photosRoutes, { ...opts.photos, dir: join(opts.dataDir, 'photos') })
  app.decorate('tiles', new TileService(opts.db, opts.tiles?.tileService))
  app.decorate('terrain', new TerrainTiles(opts.dataDir, opts.tiles?.terrain))
  app.addHook('onClose', async () => app.terrain.close())
  await app.register(tiles, { service: app.tiles, terrain: app.terrain, filterSets: opts.tiles?.filterSets, fastPath: opts.tiles?.fastPath })
  await app.register(areas, { subresources: [areaDiagnosis, householdsExport] })
  await app.register(diagnosis)
  // The platform's work beyond the map: registry workflow, identification, siting, imports/exports/reports.
  await app.register(registryRoutes, opts.registry ?? {})
  await app.register(workteamsRoutes)
  await app.register(identificationRoutes)
  await app.register(crosscheckRoutes)
  await app.register(sitingRoutes, { dataDir: opts.dataDir })
  await app.register(reportsRoutes)
  if (opts.serveClient !== false) await app.register(clientPlugin, { dir: clientDistDir })
  else
    app.setNotFoundHandler((req, reply) =>
      reply.code(404).send({ error: 'Not Found', message: `${req.method} ${req.url.split('?')[0]} is not a povmap route` }),
    )
  return app
}
