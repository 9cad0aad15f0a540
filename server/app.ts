import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { Db } from './db/types.js'
import dbPlugin from './plugins/db.js'
import errorsPlugin from './plugins/errors.js'
import clientPlugin from './plugins/client.js'
import health from './routes/health.js'
import tiles from './routes/tiles.js'
import areas from './routes/areas.js'
import diagnosis from './routes/diagnosis.js'
import { TileService, type TileServiceOptions } from './tiles/tile-service.js'
import { TerrainTiles } from './tiles/terrain-tiles.js'
import { ErrorBody } from './schemas.js'
import { clientDistDir } from './paths.js'

export interface AppOptions {
  db: Db
  /** DATA_DIR: the generated DEM for terrain tiles lives here. */
  dataDir: string
  logger?: FastifyServerOptions['logger']
  /** Serve the built client from dist/client (default true). */
  serveClient?: boolean
  tiles?: { tileService?: TileServiceOptions }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Tile rendering and cache, shared so that write routes can invalidate it. */
    tiles: TileService
    terrain: TerrainTiles
  }
}

export const loggerOptions = (level: string): FastifyServerOptions['logger'] => ({
  level,
  timestamp: () => `,"time":"${new Date().toISOString()}"`,
  redact: { paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'], censor: '[redacted]' },
})

/** Builds the whole application; only server.ts listens, tests use app.inject(). */
export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: 1024 * 1024,
    requestTimeout: 60_000,
    return503OnClosing: true,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  })
  app.addSchema(ErrorBody)
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'povmap API', description: '精准扶贫一张图 — Hunan precision poverty alleviation platform', version: '0.1.0' },
    },
  })
  await app.register(swaggerUi, { routePrefix: '/api/docs' })
  await app.register(errorsPlugin)
  await app.register(dbPlugin, { db: opts.db })
  await app.register(health)
  app.decorate('tiles', new TileService(opts.db, opts.tiles?.tileService))
  app.decorate('terrain', new TerrainTiles(opts.dataDir))
  await app.register(tiles, { service: app.tiles, terrain: app.terrain })
  await app.register(areas)
  await app.register(diagnosis)
  if (opts.serveClient !== false) await app.register(clientPlugin, { dir: clientDistDir })
  else
    app.setNotFoundHandler((req, reply) =>
      reply.code(404).send({ error: 'Not Found', message: `${req.method} ${req.url.split('?')[0]} is not a povmap route` }),
    )
  return app
}
