import type { FastifyPluginAsync } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { errorResponses, IdParams } from '../../domain/schemas/common.js'
import { Account, AccountRequest, CreatedAccount, NewAccountBody } from '../../domain/schemas/accounts.js'
import { withAccounts } from '../db/caller-transactions.js'
import { appendAudit } from '../audit/audit-log.js'
import { auditFields } from '../audit/request-audit.js'
import { createUser, findUserById, listAccounts, setDisabled } from '../auth/users.js'
import { passwordProblem } from '../auth/passwords.js'
import { holdsPersonal } from '../../domain/masking.js'
import { APPROVAL_ROLES } from '../auth/roles.js'
import { roleCodeLengths, roleFitsArea, type Department, type Role } from '../../domain/roles.js'
import { accountRequestBody, createAccountRequest, pendingDisableRequest, usernameInUse, type NewAccountRequest } from './account-requests.js'


/**
 * Accounts, for the province administrator: list, create, disable (ends the user's sessions at once), enable.
 * Four eyes (migration 0010): an account of APPROVAL_ROLES, and disabling an auditor, are requests that
 * another administrator or an auditor decides (server/routes/account-requests.ts).
 */
const users: FastifyPluginAsync = async (app) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()

  r.get(
    '/api/users',
    { config: { access: 'admin' }, schema: { summary: 'Accounts in the administrator’s area', tags: ['users'], response: { 200: Type.Array(Account), ...errorResponses(401, 403) } } },
    async (req) => withAccounts(app.db, (tx) => listAccounts(tx, req.caller!.scope)),
  )

  r.post(
    '/api/users',
    {
      config: { access: 'admin', rateLimit: { max: 30, timeWindow: 60_000 } },
      schema: {
        summary: 'Create an account (password: at least 12 characters, not a common one), or ask for one that needs a second person',
        description:
          `An account of ${APPROVAL_ROLES.join(', ')} is not created here: the answer is a pending account request (202), ` +
          'which another province administrator or an auditor of the area approves (POST /api/account-requests/{id}/approve); ' +
          'its initial password is made then and shown to the approver once, so such a request carries no password.',
        tags: ['users'],
        body: NewAccountBody,
        response: { 201: CreatedAccount, 202: AccountRequest, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (req, reply) => {
      const b = req.body
      const admin = req.caller!
      const role = b.role as Role
      const bad = (message: string) => reply.code(400).send({ error: 'Bad Request', message })
      if (!b.scope.startsWith(admin.scope)) return reply.code(403).send({ error: 'Forbidden', message: `the area ${b.scope} is outside yours (${admin.scope})` })
      if (!roleFitsArea(role, b.scope)) return bad(`a ${role} works at the level of a code of ${roleCodeLengths(role).join(' or ')} digits`)
      if ((role === 'department_viewer') !== (b.department !== undefined)) return bad('a department is given for, and only for, a department_viewer')
      if (holdsPersonal(b.username) || holdsPersonal(b.displayName)) return bad('a username or display name must not be an ID number or phone number')
      const department = (b.department as Department | undefined) ?? null
      if (APPROVAL_ROLES.includes(role)) {
        if (b.password !== undefined) return bad(`a ${role} account is a request that a second person approves; its initial password is made then and shown to them: send no password`)
        const request = await withAccounts(app.db, async (tx) => {
          const ask: NewAccountRequest = { kind: 'create', username: b.username, displayName: b.displayName, role, scope: b.scope, department }
          const filed = (await usernameInUse(tx, b.username)) ? null : await createAccountRequest(tx, ask, { id: admin.userId, username: admin.username })
          if (filed) await appendAudit(tx, { ...auditFields(req), action: 'account.request', outcome: 'ok', area: b.scope, target: b.username, detail: { request: filed.id, kind: 'create', role } })
          return filed
        })
        if (request === null) return reply.code(409).send({ error: 'Conflict', message: `the username ${b.username} is taken or already asked for` })
        return reply.code(202).send(accountRequestBody(request))
      }
      if (b.password === undefined) return bad('a password is required')
      const password = b.password
      const problem = passwordProblem(password, b.username)
      if (problem) return bad(problem)
      const id = await withAccounts(app.db, async (tx) => {
        if (await usernameInUse(tx, b.username)) return null
        const newId = await createUser(tx, { username: b.username, displayName: b.displayName, role, scope: b.scope, department, password })
        await appendAudit(tx, { ...auditFields(req), action: 'user.create', outcome: 'ok', area: b.scope, target: b.username, detail: { role } })
        return newId
      })
      if (id === null) return reply.code(409).send({ error: 'Conflict', message: `the username ${b.username} is taken or already asked for` })
      return reply.code(201).send({ id })
    },
  )

  for (const action of ['disable', 'enable'] as const) {
    r.post(
      `/api/users/:id/${action}`,
      {
        config: { access: 'admin' },
        schema: {
          summary:
            action === 'disable'
              ? 'Disable an account: its sessions end at once; an auditor’s is a request (202) that another administrator or auditor approves'
              : 'Enable a disabled account',
          tags: ['users'],
          params: IdParams,
          response: { 204: Type.Null(), ...(action === 'disable' ? { 202: AccountRequest, ...errorResponses(409) } : {}), ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (req, reply) => {
        const admin = req.caller!
        const id = Number(req.params.id)
        if (id === admin.userId) return reply.code(400).send({ error: 'Bad Request', message: 'an administrator cannot disable their own account' })
        const done = await withAccounts(app.db, async (tx) => {
          const u = await findUserById(tx, id)
          if (!u || !u.scope.startsWith(admin.scope)) return 'not found' as const
          // Nobody disables an auditor alone: a request another administrator or auditor decides.
          if (action === 'disable' && u.role === 'auditor' && !u.disabled) {
            if (await pendingDisableRequest(tx, u.id)) return 'pending' as const
            const ask: NewAccountRequest = { kind: 'disable', username: u.username, displayName: u.displayName, role: u.role, scope: u.scope, department: u.department, userId: u.id }
            const filed = await createAccountRequest(tx, ask, { id: admin.userId, username: admin.username })
            if (!filed) return 'pending' as const
            await appendAudit(tx, { ...auditFields(req), action: 'account.request', outcome: 'ok', area: u.scope, target: u.username, detail: { request: filed.id, kind: 'disable', role: u.role } })
            return filed
          }
          await setDisabled(tx, id, action === 'disable')
          await appendAudit(tx, { ...auditFields(req), action: `user.${action}`, outcome: 'ok', area: u.scope, target: u.username })
          return 'done' as const
        })
        if (done === 'not found') return reply.code(404).send({ error: 'Not Found', message: `no account ${id} in your area` })
        if (done === 'pending') return reply.code(409).send({ error: 'Conflict', message: `disabling account ${id} is already asked for` })
        if (done !== 'done') return reply.code(202).send(accountRequestBody(done))
        return reply.code(204).send(null)
      },
    )
  }
}

export default users
