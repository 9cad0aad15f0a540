import type { FastifyPluginAsync } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type, type Static } from 'typebox'
import { withAccounts } from '../db/scoped.js'
import { appendAudit } from '../auth/audit.js'
import { auditFields } from '../plugins/auth.js'
import { createUser, findUserById, setDisabled } from '../auth/users.js'
import { passwordProblem, PASSWORD_MAX_LENGTH } from '../auth/passwords.js'
import { holdsPersonal } from '../auth/masking.js'
import { AREA_CODE, DEPARTMENTS, ROLES, ROLE_SCOPE_LENGTHS, type Department, type Role } from '../auth/roles.js'

const Account = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  displayName: Type.String(),
  role: Type.String(),
  scope: Type.String(),
  department: Type.Union([Type.String(), Type.Null()]),
  totpEnabled: Type.Boolean(),
  disabled: Type.Boolean(),
  locked: Type.Boolean(),
  lastLoginAt: Type.Union([Type.String(), Type.Null()]),
})
const err = { $ref: 'ErrorBody#' }

const LIST = `SELECT id, username, display_name AS "displayName", role, scope_code AS scope, department, totp_enabled AS "totpEnabled", disabled,
  COALESCE(locked_until > now(), false) AS locked,
  to_char(last_login_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "lastLoginAt"
FROM app_user WHERE starts_with(scope_code, $1) ORDER BY scope_code, username`

/** Accounts, for the province administrator: list, create, disable (ends the user's sessions at once), enable. */
const users: FastifyPluginAsync = async (app) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()

  r.get(
    '/api/users',
    { config: { access: 'admin' }, schema: { summary: 'Accounts in the administrator’s area', tags: ['users'], response: { 200: Type.Array(Account), 401: err, 403: err } } },
    async (req) => (await withAccounts(app.db, (tx) => tx.query<Static<typeof Account>>(LIST, [req.caller!.scope]))).rows,
  )

  r.post(
    '/api/users',
    {
      config: { access: 'admin', rateLimit: { max: 30, timeWindow: 60_000 } },
      schema: {
        summary: 'Create an account (password: at least 12 characters, not a common one)',
        tags: ['users'],
        body: Type.Object(
          {
            username: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{2,39}$' }),
            displayName: Type.String({ minLength: 1, maxLength: 80 }),
            role: Type.Union(ROLES.map((x) => Type.Literal(x))),
            scope: Type.String({ pattern: AREA_CODE.source }),
            department: Type.Optional(Type.Union(DEPARTMENTS.map((x) => Type.Literal(x)))),
            password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH }),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ id: Type.Integer() }), 400: err, 401: err, 403: err, 409: err },
      },
    },
    async (req, reply) => {
      const b = req.body
      const admin = req.caller!
      const role = b.role as Role
      const bad = (message: string) => reply.code(400).send({ error: 'Bad Request', message })
      if (!b.scope.startsWith(admin.scope)) return reply.code(403).send({ error: 'Forbidden', message: `the area ${b.scope} is outside yours (${admin.scope})` })
      if (!ROLE_SCOPE_LENGTHS[role].includes(b.scope.length)) return bad(`a ${role} works at the level of a code of ${ROLE_SCOPE_LENGTHS[role].join(' or ')} digits`)
      if ((role === 'department_viewer') !== (b.department !== undefined)) return bad('a department is given for, and only for, a department_viewer')
      if (holdsPersonal(b.username) || holdsPersonal(b.displayName)) return bad('a username or display name must not be an ID number or phone number')
      const problem = passwordProblem(b.password, b.username)
      if (problem) return bad(problem)
      const id = await withAccounts(app.db, async (tx) => {
        const exists = await tx.query('SELECT 1 FROM app_user WHERE username = $1', [b.username])
        if (exists.rowCount > 0) return null
        const newId = await createUser(tx, { username: b.username, displayName: b.displayName, role, scope: b.scope, department: (b.department as Department | undefined) ?? null, password: b.password })
        await appendAudit(tx, { ...auditFields(req), action: 'user.create', outcome: 'ok', area: b.scope, target: b.username, detail: { role } })
        return newId
      })
      if (id === null) return reply.code(409).send({ error: 'Conflict', message: `the username ${b.username} is taken` })
      return reply.code(201).send({ id })
    },
  )

  for (const action of ['disable', 'enable'] as const) {
    r.post(
      `/api/users/:id/${action}`,
      {
        config: { access: 'admin' },
        schema: {
          summary: action === 'disable' ? 'Disable an account: its sessions end at once' : 'Enable a disabled account',
          tags: ['users'],
          params: Type.Object({ id: Type.String({ pattern: '^[0-9]{1,9}$' }) }),
          response: { 204: Type.Null(), 400: err, 401: err, 403: err, 404: err },
        },
      },
      async (req, reply) => {
        const admin = req.caller!
        const id = Number(req.params.id)
        if (id === admin.userId) return reply.code(400).send({ error: 'Bad Request', message: 'an administrator cannot disable their own account' })
        const done = await withAccounts(app.db, async (tx) => {
          const u = await findUserById(tx, id)
          if (!u || !u.scope.startsWith(admin.scope)) return false
          await setDisabled(tx, id, action === 'disable')
          await appendAudit(tx, { ...auditFields(req), action: `user.${action}`, outcome: 'ok', area: u.scope, target: u.username })
          return true
        })
        if (!done) return reply.code(404).send({ error: 'Not Found', message: `no account ${id} in your area` })
        return reply.code(204).send(null)
      },
    )
  }
}

export default users
