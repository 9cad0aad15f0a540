import type { FastifyPluginAsync } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { errorResponses } from '../../domain/schemas/common.js'
import { IsochroneAnswer, IsochroneBody, RoadLinksAnswer, RoadLinksBody, SitingAnswer, SitingBody } from '../../domain/siting/schemas.js'
import type { IsochroneBand } from '../../domain/siting/engine.js'
import { SitingService } from './siting-service.js'
import { runSiting, SitingInputError, planningYear } from './siting-run.js'
import { runRoadLinks } from './road-links.js'
import scenarioRoutes from './scenario-routes.js'
import * as Q from './siting-queries.js'

export interface SitingOptions {
  /** DATA_DIR: the DEM the network's grades and walks are read from. */
  dataDir?: string
}

/** The siting service of the app running on a database (tests and the CLI reach it through this). */
const services = new WeakMap<object, SitingService>()
export const sitingServiceFor = (db: object): SitingService | undefined => services.get(db)

const errors = errorResponses(400, 401, 403)

/**
 * Accessibility and siting (issue 18): isochrones, siting of water works, clinics and schools, road
 * links, saved scenarios. Graph work runs on the engine's worker thread; households are read in the
 * database on the caller's behalf and only sums leave it.
 */
const siting: FastifyPluginAsync<SitingOptions> = async (app, opts) => {
  const service = new SitingService(app.db, opts.dataDir ?? 'data')
  services.set(app.db, service)
  app.addHook('onClose', async () => service.close())
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  const bad = (message: string) => ({ error: 'Bad Request', message })

  r.post(
    '/api/isochrones',
    {
      schema: {
        summary: 'Isochrones from a point by car or on foot, with the poor households inside (counted in the database, within your area)',
        tags: ['siting'],
        body: IsochroneBody,
        response: { 200: IsochroneAnswer, ...errors },
      },
    },
    async (req) => {
      const started = Date.now()
      const { lon, lat, minutes, mode } = req.body
      const bands = await service.run<IsochroneBand[]>({ op: 'isochrone', lon, lat, minutes, mode })
      const db = app.scopedDb(req)
      const counts = await db.run(async (tx) => {
        const year = req.body.year ?? (await planningYear(tx, db.caller.scope, 0))
        const n: (number | null)[] = []
        for (const b of bands) {
          const geom = JSON.stringify({ type: 'MultiPolygon', coordinates: b.polygons })
          n.push(b.polygons.length ? ((await tx.query<{ n: number | null }>(Q.POOR_WITHIN, [geom, year])).rows[0]?.n ?? null) : 0)
        }
        return { year, n }
      })
      return {
        type: 'FeatureCollection' as const,
        features: bands.map((b, i) => ({
          type: 'Feature' as const,
          geometry: { type: 'MultiPolygon' as const, coordinates: b.polygons },
          properties: { minutes: b.minutes, mode, poorHouseholds: counts.n[i] ?? null },
        })),
        year: counts.year,
        elapsedMs: Date.now() - started,
      }
    },
  )

  r.post(
    '/api/siting',
    {
      schema: {
        summary: 'Sites for water works, clinics or schools covering the most poor households (people-weighted) within a service standard',
        description: 'Maximal covering (greedy with lazy evaluation and swaps; exact MILP by HiGHS on small instances) or p-median; existing facilities count as open. Answers counts and site positions only.',
        tags: ['siting'],
        body: SitingBody,
        response: { 200: SitingAnswer, ...errors },
      },
    },
    async (req, reply) => {
      try {
        return await runSiting(service, app.scopedDb(req), req.body, (err) => req.log.error({ err }, 'accessibility refresh failed'))
      } catch (err) {
        if (err instanceof SitingInputError) return reply.code(400).send(bad(err.message))
        throw err
      }
    },
  )

  r.post(
    '/api/siting/road-links',
    {
      schema: {
        summary: 'Candidate village road links ranked by the reduction of poor households’ total travel time to their township seat per km',
        tags: ['siting'],
        body: RoadLinksBody,
        response: { 200: RoadLinksAnswer, ...errors },
      },
    },
    async (req, reply) => {
      try {
        return await runRoadLinks(service, app.scopedDb(req), req.body, (err) => req.log.error({ err }, 'accessibility refresh failed'))
      } catch (err) {
        if (err instanceof SitingInputError) return reply.code(400).send(bad(err.message))
        throw err
      }
    },
  )

  await app.register(scenarioRoutes, { service })
}

export default siting
