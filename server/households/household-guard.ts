import type { FastifyInstance } from 'fastify'
import { appendAudit } from '../audit/audit-log.js'
import { auditFields } from '../audit/request-audit.js'
import { HOUSEHOLD_VILLAGE } from './household-queries.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: the route checks and audits the household itself (the generic check of /api/households/:id is skipped). */
    householdGuard?: boolean
  }
}

/**
 * Every route under /api/households/:id answers only for a household the caller may see: it is looked up
 * as the caller (row-level security), its view audited, and any other is a 404, audited as a denial filed
 * under the caller's area. Runs after the access checks (role, area), on this capability's routes only.
 */
export function guardHouseholds(app: FastifyInstance): void {
  app.addHook('preHandler', async (req, reply) => {
    const id = (req.params as Record<string, unknown> | undefined)?.id
    const c = req.caller
    if (!c || req.routeOptions.config.householdGuard === false || !req.routeOptions.url?.startsWith('/api/households/:id') || typeof id !== 'string') return
    const found = await app.scopedDb(req).run(async (tx) => {
      const v = (await tx.query<{ village: string }>(HOUSEHOLD_VILLAGE, [id])).rows[0]?.village
      if (v) await appendAudit(tx, { ...auditFields(req), action: 'household.view', outcome: 'ok', area: v, target: id, detail: { route: req.routeOptions.url } })
      return v !== undefined
    })
    if (found) return
    await app.auditQuietly(req, { action: 'access.denied', outcome: 'denied', area: c.scope, target: id, detail: { reason: 'household', route: req.routeOptions.url } })
    return reply.code(404).send({ error: 'Not Found', message: `no household ${id}` })
  })
}
