import fp from 'fastify-plugin'
import type { FastifyRequest } from 'fastify'
import type { Queryable } from '../db/types.js'
import { appendAudit, type AuditEntry } from './audit-log.js'

/** An entry of this request, less what the request itself says (who, from where, which request). */
export type RequestAuditEntry = Omit<AuditEntry, 'actorId' | 'actorUsername' | 'actorRole' | 'ip' | 'userAgent' | 'requestId'>

declare module 'fastify' {
  interface FastifyInstance {
    /** Appends an audit entry for this request (own transaction; use appendAudit(tx, …) inside one). */
    audit(req: FastifyRequest, entry: RequestAuditEntry): Promise<void>
    /** As audit, for denials: never held up or undone by a failing audit write, which is logged. */
    auditQuietly(req: FastifyRequest, entry: RequestAuditEntry): Promise<void>
  }
}

/** Who did it and from where, for an audit entry of this request. */
export function auditFields(req: FastifyRequest) {
  return {
    actorId: req.caller?.userId ?? null,
    actorUsername: req.caller?.username ?? null,
    actorRole: req.caller?.role ?? null,
    ip: req.ip,
    userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : null,
    requestId: req.id,
  }
}

/** Audit entries of requests, written as the caller's session (the database checks that the actor is its user) or anonymously. */
export default fp(
  async (app) => {
    const audit = async (req: FastifyRequest, entry: RequestAuditEntry) => {
      const write = (tx: Queryable) => appendAudit(tx, { ...entry, ...auditFields(req) })
      await (req.caller ? app.requestDb.withCaller(app.dbCaller(req), write) : app.requestDb.asApp(write))
    }
    app.decorate('audit', audit)
    app.decorate('auditQuietly', (req: FastifyRequest, entry: RequestAuditEntry) =>
      audit(req, entry).catch((err: unknown) => req.log.warn({ err }, 'could not write the audit entry of a denied request')),
    )
  },
  { name: 'request-audit', fastify: '5.x', dependencies: ['db', 'sessions'] },
)
