import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type, type Static } from 'typebox'
import { withAccounts } from '../db/scoped.js'
import { DbError, type Queryable } from '../db/types.js'
import { appendAudit } from '../auth/audit.js'
import { auditFields } from '../plugins/auth.js'
import { createUser, findUserById, setDisabled } from '../auth/users.js'
import { generatePassword } from '../auth/passwords.js'
import { decideAccountRequest, findAccountRequest, listAccountRequests, recordCreatedAccount, type AccountRequest } from '../auth/account-requests.js'

const NullableString = (description?: string) => Type.Union([Type.String(description ? { description } : {}), Type.Null()])
const NullableInteger = (description: string) => Type.Union([Type.Integer(), Type.Null()], { description })

/** An account request as the API shows it (four eyes on accounts, migration 0010). */
export const AccountRequestBody = Type.Object(
  {
    id: Type.Integer(),
    kind: Type.Union([Type.Literal('create'), Type.Literal('disable')]),
    state: Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('rejected')]),
    username: Type.String(),
    displayName: Type.String(),
    role: Type.String(),
    scope: Type.String({ description: 'the account’s area' }),
    department: NullableString(),
    userId: NullableInteger('the account: the one to disable, or the one an approved creation made (null until then)'),
    requestedBy: Type.String(),
    requestedAt: Type.String({ description: 'ISO 8601, UTC' }),
    decidedBy: NullableString(),
    decidedAt: NullableString('ISO 8601, UTC'),
  },
  { description: 'an account to create or an auditor to disable, waiting for (or decided by) a second person' },
)
export type AccountRequestBody = Static<typeof AccountRequestBody>

export function accountRequestBody(r: AccountRequest): AccountRequestBody {
  return {
    id: r.id,
    kind: r.kind,
    state: r.state,
    username: r.username,
    displayName: r.displayName,
    role: r.role,
    scope: r.scope,
    department: r.department,
    userId: r.userId,
    requestedBy: r.requestedBy,
    requestedAt: r.requestedAt,
    decidedBy: r.decidedBy,
    decidedAt: r.decidedAt,
  }
}

const err = { $ref: 'ErrorBody#' }
const Decision = Type.Object({
  request: AccountRequestBody,
  initialPassword: Type.Optional(
    Type.String({ description: 'approved creation only: the new account’s first password, shown to the approver this once (never stored in clear); hand it to the account’s holder, who changes it (POST /api/auth/password)' }),
  ),
})

type Outcome = { status: 200; body: Static<typeof Decision> } | { status: 403 | 404 | 409; message: string; audit?: string }

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
        querystring: Type.Object(
          {
            state: Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('rejected')], { default: 'pending' }),
            limit: Type.Integer({ minimum: 1, maximum: 200, default: 100 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(AccountRequestBody), 400: err, 401: err, 403: err },
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
          params: Type.Object({ id: Type.String({ pattern: '^[0-9]{1,9}$' }) }),
          response: { 200: Decision, 400: err, 401: err, 403: err, 404: err, 409: err },
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
  const decided = await decideAccountRequest(tx, id, 'approved', by)
  if (!decided) return { status: 409, message: `account request ${id} was decided meanwhile` }
  await setDisabled(tx, target.id, true)
  await audit('ok')
  await appendAudit(tx, { ...auditFields(req), action: 'user.disable', outcome: 'ok', area: target.scope, target: target.username, detail: { request: id, requestedBy: request.requestedBy } })
  return { status: 200, body: { request: accountRequestBody(decided) } }
}

export default accountRequests
