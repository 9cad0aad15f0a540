import type { FastifyPluginAsync } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Health } from '../../domain/schemas/health.js'
import { appliedMigrations } from '../migrations/runner.js'
import { sitingServiceFor } from '../siting/routes.js'

/** GET /api/health: liveness and database readiness, public. */
const health: FastifyPluginAsync = async (app) => {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/api/health',
    { schema: { summary: 'Liveness and database readiness', tags: ['system'], response: { 200: Health, 503: Health } } },
    async (_req, reply) => {
      const db = app.db
      try {
        const { rows } = await db.query<{ postgis: string }>('SELECT postgis_lib_version() AS postgis')
        const applied = await appliedMigrations(db)
        // The travel times computed in the background after start (and after data changes): their progress.
        const accessibility = await sitingServiceFor(db)?.status()
        return {
          status: 'ok' as const,
          db: { kind: db.kind, postgis: rows[0]?.postgis ?? null },
          migrations: { applied: applied.length, latest: applied.at(-1) ?? null },
          ...(accessibility ? { accessibility } : {}),
        }
      } catch (err) {
        app.log.warn({ err }, 'health check: database unreachable')
        return reply.code(503).send({ status: 'unavailable' as const, db: { kind: db.kind, postgis: null }, migrations: { applied: 0, latest: null } })
      }
    },
  )
}

export default health
