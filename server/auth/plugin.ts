import fp from 'fastify-plugin'
import sessions, { type AuthOptions } from './sessions.js'
import answerEarly from './answer-early.js'
import requestAudit from '../audit/request-audit.js'
import routeInventory from './route-inventory.js'
import accessChecks from './access-checks.js'
import csrf from './csrf.js'

export type { AuthOptions }

/**
 * Sign-in state and the access rules every route passes through, in the order their hooks must run:
 * sessions (and the caller of each request), early answers for trusted callers, request audit, the
 * route inventory, who/where checks, then CSRF. Registered before every route.
 */
export default fp<AuthOptions>(
  async (app, opts) => {
    await app.register(sessions, opts)
    await app.register(answerEarly)
    await app.register(requestAudit)
    await app.register(routeInventory)
    await app.register(accessChecks)
    await app.register(csrf)
  },
  { name: 'auth', fastify: '5.x', dependencies: ['db'] },
)
