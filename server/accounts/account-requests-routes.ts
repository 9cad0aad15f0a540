import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { errorResponses, IdParams } from '../../domain/schemas/common.js'
import { AccountDecision, AccountRequest, AccountRequestQuery } from '../../domain/schemas/accounts.js'
import { withAccounts } from '../db/caller-transactions.js'
import { DbError, type Queryable } from '../db/types.js'
import { appendAudit } from '../audit/audit-log.js'
import { auditFields } from '../audit/request-audit.js'
import { createUser, findUserById, setDisabled } from '../auth/users.js'
import { generatePassword } from '../auth/passwords.js'
import { decideAccountRequest, findAccountRequest, listAccountRequests, recordCreatedAccount, accountRequestBody } from './account-requests.js'
import { resetTotp } from './totp-reset.js'

type Outcome = { status: 200; body: AccountDecision } | { status: 403 | 404 | 409; message: string; audit?: string }

/**
 * The second pair of eyes: province administrators and auditors whose area holds the account list the
 * requests and approve or reject them; the requester never approves its own, and the auditor a request
 * would disable decides nothing about it. Only an approval creates the account (with a fresh password for
 * the approver to hand over) or disables the auditor; everything is audited.
 */
const accountRequests: FastifyPluginAsync = async (app) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()

  r.get(
    '/api/account-requests',
    {
      config: { access: 'review' },
      schema: {
        summary: 'Account requests of the caller’s area (administrators and auditors), newest first',
        tags: ['users'],
        querystring: AccountRequestQuery,
        response: { 200: Type.Array(AccountRequest), ...errorResponses(400, 401, 403) },
      },
    },
    async (req) => (await withAccounts(app.db, (tx) => listAccountRequests(tx, req.caller!.scope, req.query.state, req.query.limit))).map(accountRequestBody),
  )

  for (const verdict of ['approve', 'reject'] as const) {
    r.post(
      `/api/account-requests/:id/${verdict}`,
      {
        config: { access: 'review', rateLimit: { max: 60, timeWindow: 60_000 } },
        schema: {
          summary:
            verdict === 'approve'
              ? 'Approve an account request (not one’s own): creates the account, answering its initial password once, or disables the auditor'
              : 'Reject an account request (the requester may withdraw its own)',
          tags: ['users'],
          params: IdParams,
          response: { 200: AccountDecision, ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (req, reply) => {
        const out = await withAccounts(app.db, (tx) => decide(tx, req, Number(req.params.id), verdict))
        return send(reply, out)
      },
    )
  }

  const send = (reply: FastifyReply, out: Outcome) =>
    out.status === 200
      ? reply.code(200).send(out.body)
      : reply.code(out.status).send({ error: out.status === 403 ? 'Forbidden' : out.status === 404 ? 'Not Found' : 'Conflict', message: out.message })
}

async function decide(tx: Queryable, req: FastifyRequest, id: number, verdict: 'approve' | 'reject'): Promise<Outcome> {
  const me = req.caller!
  const request = await findAccountRequest(tx, id)
  // Outside the caller's area it does not exist, as for every other area-scoped thing.
  if (!request || !request.scope.startsWith(me.scope)) return { status: 404, message: `no account request ${id} in your area` }
  const action = verdict === 'approve' ? 'account.approve' : 'account.reject'
  const audit = (outcome: 'ok' | 'denied', detail: Record<string, unknown> = {}) =>
    appendAudit(tx, { ...auditFields(req), action, outcome, area: request.scope, target: request.username, detail: { request: id, kind: request.kind, role: request.role, requestedBy: request.requestedBy, ...detail } })
  const refuse = async (message: string, reason: string): Promise<Outcome> => {
    await audit('denied', { reason })
    return { status: 403, message }
  }
  if (request.kind === 'disable' && request.userId === me.userId) return refuse('a request to disable your own account is decided by someone else', 'own account')
  if (request.kind === 'totp_reset' && request.userId === me.userId) return refuse('a request to reset your own second factor is decided by someone else', 'own account')
  if (verdict === 'approve' && request.requestedById === me.userId) return refuse('your own request needs a second person: another province administrator or an auditor approves it', 'own request')
  if (request.state !== 'pending') return { status: 409, message: `account request ${id} was already ${request.state}` }

  const by = { id: me.userId, username: me.username }
  if (verdict === 'reject') {
    const decided = await decideAccountRequest(tx, id, 'rejected', by)
    if (!decided) return { status: 409, message: `account request ${id} was decided meanwhile` }
    await audit('ok')
    return { status: 200, body: { request: accountRequestBody(decided) } }
  }

  if (request.kind === 'create') {
    const taken = await tx.query('SELECT 1 FROM app_user WHERE username = $1', [request.username])
    if (taken.rowCount > 0) return { status: 409, message: `the username ${request.username} is taken meanwhile: reject this request` }
    const decided = await decideAccountRequest(tx, id, 'approved', by)
    if (!decided) return { status: 409, message: `account request ${id} was decided meanwhile` }
    const initialPassword = generatePassword(20)
    let userId: number
    try {
      userId = await createUser(tx, { username: request.username, displayName: request.displayName, role: request.role, scope: request.scope, department: request.department, password: initialPassword })
    } catch (e) {
      // Taken between the check and the insert: the whole approval rolls back.
      if (e instanceof DbError && e.code === '23505') throw Object.assign(new Error(`the username ${request.username} is taken`), { statusCode: 409 })
      throw e
    }
    const withAccount = await recordCreatedAccount(tx, id, userId)
    await audit('ok')
    await appendAudit(tx, { ...auditFields(req), action: 'user.create', outcome: 'ok', area: request.scope, target: request.username, detail: { role: request.role, request: id, requestedBy: request.requestedBy } })
    return { status: 200, body: { request: accountRequestBody(withAccount), initialPassword } }
  }

  const target = request.userId === null ? undefined : await findUserById(tx, request.userId)
  if (!target || target.username !== request.username || target.role !== request.role) return { status: 409, message: `the account of request ${id} no longer is as asked: reject this request` }
  if (request.kind === 'totp_reset') {
    if (!target.totpEnabled) return { status: 409, message: `the account of request ${id} has no second factor any more: reject this request` }
    const decided = await decideAccountRequest(tx, id, 'approved', by)
    if (!decided) return { status: 409, message: `account request ${id} was decided meanwhile` }
    await resetTotp(tx, target.id)
    await audit('ok')
    await appendAudit(tx, { ...auditFields(req), action: 'user.totp_reset', outcome: 'ok', area: target.scope, target: target.username, detail: { request: id, requestedBy: request.requestedBy } })
    return { status: 200, body: { request: accountRequestBody(decided) } }
  }
  const decided = await decideAccountRequest(tx, id, 'approved', by)
  if (!decided) return { status: 409, message: `account request ${id} was decided meanwhile` }
  await setDisabled(tx, target.id, true)
  await audit('ok')
  await appendAudit(tx, { ...auditFields(req), action: 'user.disable', outcome: 'ok', area: target.scope, target: target.username, detail: { request: id, requestedBy: request.requestedBy } })
  return { status: 200, body: { request: accountRequestBody(decided) } }
}

export default accountRequests
