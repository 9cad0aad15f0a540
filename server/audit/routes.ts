import type { FastifyPluginAsync } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { errorResponses } from '../../domain/schemas/common.js'
import { AuditLogPage, AuditLogQuery, type AuditLogEntry } from '../../domain/schemas/audit.js'
import { appendAudit, AUDIT_LOG_PAGE } from './audit-log.js'
import { auditFields } from './request-audit.js'


/** The auditor's view of the audit log: filters by user, area, action, outcome and time; newest first, by pages. */
const audit: FastifyPluginAsync = async (app) => {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/api/audit',
    {
      // `area` here is a filter; RLS (not the URL check) keeps the auditor inside their area.
      config: { access: 'audit', area: 'none' },
      schema: { summary: 'Audit log entries (auditors only), newest first', tags: ['audit'], querystring: AuditLogQuery, response: { 200: AuditLogPage, ...errorResponses(400, 401, 403) } },
    },
    async (req) => {
      const q = req.query
      const rows = await app.scopedDb(req).run(async (tx) => {
        const { rows } = await tx.query<AuditLogEntry>(AUDIT_LOG_PAGE, [
          q.user?.toLowerCase() ?? null,
          q.area ?? null,
          q.action ?? null,
          q.outcome ?? null,
          q.from ?? null,
          q.to ?? null,
          q.before ?? null,
          q.limit + 1,
        ])
        await appendAudit(tx, { ...auditFields(req), action: 'audit.read', outcome: 'ok', area: req.caller!.scope, detail: { filters: { ...q } } })
        return rows
      })
      const items = rows.slice(0, q.limit).map((e) => ({ ...e, id: Number(e.id) }))
      return { items, next: rows.length > q.limit ? items.at(-1)!.id : null }
    },
  )
}

export default audit
