import type { FastifyPluginAsync } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { errorResponses, IdParams } from '../../domain/schemas/common.js'
import { AccountRequest } from '../../domain/schemas/accounts.js'
import { withAccounts } from '../db/caller-transactions.js'
import { appendAudit } from '../audit/audit-log.js'
import { auditFields } from '../audit/request-audit.js'
import { findUserById } from '../auth/users.js'
import { APPROVAL_ROLES } from '../auth/roles.js'
import { accountRequestBody, createAccountRequest, type NewAccountRequest } from './account-requests.js'
import { pendingResetRequest, resetTotp } from './totp-reset.js'

/**
 * A lost second factor (issue 16): the province administrator resets it, ending the account's sessions,
 * so that the next sign-in enrols a new one. Never its own. For an account that may reveal, audit or
 * administer (APPROVAL_ROLES) the reset is a request another administrator or an auditor of the area
 * approves (four eyes, as for creating such an account): an administrator holding a phished password
 * could otherwise replace the factor that stops it. Everything is audited.
 */
const totpReset: FastifyPluginAsync = async (app) => {
  app.withTypeProvider<TypeBoxTypeProvider>().post(
    '/api/users/:id/totp/reset',
    {
      config: { access: 'admin', rateLimit: { max: 30, timeWindow: 60_000 } },
      schema: {
        summary: 'Reset a lost second factor: ends the account’s sessions, its next sign-in enrols again (of a role that may reveal, audit or administer: a request, 202)',
        description:
          `For ${APPROVAL_ROLES.join(', ')} the answer is a pending account request (kind totp_reset) that another province administrator ` +
          'or an auditor of the area approves (POST /api/account-requests/{id}/approve); never for one’s own account.',
        tags: ['users'],
        params: IdParams,
        response: { 204: Type.Null(), 202: AccountRequest, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      const admin = req.caller!
      const id = Number(req.params.id)
      if (id === admin.userId) {
        await app.audit(req, { action: 'user.totp_reset', outcome: 'denied', area: admin.scope, target: admin.username, detail: { reason: 'own account' } })
        return reply.code(400).send({ error: 'Bad Request', message: 'an administrator cannot reset their own second factor: another administrator does' })
      }
      const done = await withAccounts(app.db, async (tx) => {
        const u = await findUserById(tx, id)
        if (!u || !u.scope.startsWith(admin.scope)) return 'not found' as const
        if (!u.totpEnabled) return 'no factor' as const
        if (APPROVAL_ROLES.includes(u.role)) {
          if (await pendingResetRequest(tx, u.id)) return 'pending' as const
          const ask: NewAccountRequest = { kind: 'totp_reset', username: u.username, displayName: u.displayName, role: u.role, scope: u.scope, department: u.department, userId: u.id }
          const filed = await createAccountRequest(tx, ask, { id: admin.userId, username: admin.username })
          if (!filed) return 'pending' as const
          await appendAudit(tx, { ...auditFields(req), action: 'account.request', outcome: 'ok', area: u.scope, target: u.username, detail: { request: filed.id, kind: 'totp_reset', role: u.role } })
          return filed
        }
        await resetTotp(tx, u.id)
        await appendAudit(tx, { ...auditFields(req), action: 'user.totp_reset', outcome: 'ok', area: u.scope, target: u.username, detail: { role: u.role } })
        return 'done' as const
      })
      if (done === 'not found') return reply.code(404).send({ error: 'Not Found', message: `no account ${id} in your area` })
      if (done === 'no factor') return reply.code(409).send({ error: 'Conflict', message: `account ${id} has no second factor to reset` })
      if (done === 'pending') return reply.code(409).send({ error: 'Conflict', message: `resetting the second factor of account ${id} is already asked for` })
      if (done !== 'done') return reply.code(202).send(accountRequestBody(done))
      return reply.code(204).send(null)
    },
  )
}

export default totpReset
