import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { ADMIN_CODE, areaRelation } from '../../domain/admin-codes.js'
import { roleAllows } from './roles.js'

/** Parameter and query names that hold an administrative code. */
const AREA_KEYS = ['code', 'parent', 'area', 'areaCode']

export const deny = (reply: FastifyReply, status: 401 | 403 | 404, message: string) =>
  reply.code(status).send({ error: status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Not Found', message })

function areaCodesOf(req: FastifyRequest): string[] {
  const out: string[] = []
  for (const bag of [req.params, req.query] as (Record<string, unknown> | undefined)[]) {
    if (!bag || typeof bag !== 'object') continue
    for (const k of AREA_KEYS) {
      const v = bag[k]
      if (typeof v === 'string' && ADMIN_CODE.test(v)) out.push(v)
    }
  }
  return out
}

/**
 * The access rules every route passes through, deny by default (the route inventory gives each route
 * its access and area rule): who — signed in, second factor, role; where — area codes in the URL
 * inside the caller's area. Denials are audited under the caller's area. Personal and scoped answers
 * are marked no-store.
 */
export default fp(
  async (app) => {
    const checkWho = async (req: FastifyRequest, reply: FastifyReply) => {
      if (req.is404) return
      const access = req.routeOptions.config.access ?? 'data'
      if (access === 'public') return
      const c = req.caller
      if (!c) return deny(reply, 401, 'sign in first (POST /api/auth/login)')
      if (c.factor !== 'ok' && access !== 'signed-in') {
        return deny(reply, 403, 'this account needs a second factor: enrol one (POST /api/auth/totp/enrol) before using the data')
      }
      if (!roleAllows(access, c.role)) {
        await app.auditQuietly(req, { action: 'access.denied', outcome: 'denied', area: c.scope, target: `${req.method} ${req.routeOptions.url}`, detail: { reason: 'role', access } })
        return deny(reply, 403, `the role ${c.role} may not use this`)
      }
    }
    // A request with a body is checked before the body is read: otherwise anyone could make the server
    // hold an 8 MiB photo or a 1 MiB JSON body for as long as they take to send it. preParsing runs after
    // every onRequest hook (the session and caller, the rate limit) and before the body is read; Node
    // discards an unread body once the answer is sent. Requests without a body: preValidation.
    app.addHook('preParsing', async (req, reply) => {
      const length = req.headers['content-length']
      // Awaited to the end of a refusal's answer, so that no body parser starts meanwhile (Fastify's `return reply`).
      if ((length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined) await checkWho(req, reply)
    })
    app.addHook('preValidation', checkWho)

    // Where: an area code in the URL lies in the caller's area (or above it, for routes of 'path').
    app.addHook('preHandler', async (req, reply) => {
      if (req.is404) return
      const config = req.routeOptions.config
      const c = req.caller
      if (!c || config.access === 'public' || config.area === 'none') return
      for (const code of areaCodesOf(req)) {
        const rel = areaRelation(c.scope, code)
        if (rel === 'inside' || (rel === 'above' && config.area === 'path')) continue
        // Filed under the caller's area (its auditors see the probing), with the area asked for in the detail.
        await app.auditQuietly(req, { action: 'access.denied', outcome: 'denied', area: c.scope, target: `${req.method} ${req.routeOptions.url}`, detail: { reason: 'area', relation: rel, area: code } })
        return rel === 'above' ? deny(reply, 403, `the area ${code} is above yours (${c.scope}): only its name and outline are shown`) : deny(reply, 404, `no administrative division with code ${code}`)
      }
    })

    // Personal and scoped answers must not be stored by the browser or any cache on the way.
    app.addHook('onSend', async (req, reply, payload) => {
      if (!req.is404 && req.routeOptions.config.access !== 'public' && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store')
      return payload
    })
  },
  { name: 'access-checks', fastify: '5.x', dependencies: ['sessions', 'request-audit', 'route-inventory'] },
)
