import type { FastifyPluginAsync } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type, type Static } from 'typebox'
import { appendAudit } from '../auth/audit.js'
import { auditFields } from '../plugins/auth.js'

const Entry = Type.Object({
  id: Type.Integer(),
  at: Type.String({ description: 'ISO 8601, UTC' }),
  user: Type.Union([Type.String(), Type.Null()]),
  role: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  outcome: Type.String(),
  area: Type.Union([Type.String(), Type.Null()]),
  target: Type.Union([Type.String(), Type.Null()]),
  detail: Type.Record(Type.String(), Type.Unknown()),
  ip: Type.Union([Type.String(), Type.Null()]),
  userAgent: Type.Union([Type.String(), Type.Null()]),
})
const Page = Type.Object({
  items: Type.Array(Entry),
  next: Type.Union([Type.Integer(), Type.Null()], { description: 'pass as `before` for the next (older) page' }),
})
const Query = Type.Object(
  {
    user: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'username, exact' })),
    area: Type.Optional(Type.String({ pattern: '^[0-9]{2}([0-9]{2}([0-9]{2}([0-9]{3}([0-9]{3})?)?)?)?$', description: 'this area and everything below it' })),
    action: Type.Optional(Type.String({ pattern: '^[a-z][a-z_.]*$', maxLength: 40 })),
    outcome: Type.Optional(Type.Union([Type.Literal('ok'), Type.Literal('denied'), Type.Literal('failed')])),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    before: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'entries older than this id' })),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  },
  { additionalProperties: false },
)

// Filters are bind parameters; NULL means "no filter". Row-level security limits the rows to the
// auditor's area whatever the filters say.
const LIST = `SELECT id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, actor_username AS user, actor_role AS role,
  action, outcome, area_code AS area, target, detail, ip, user_agent AS "userAgent"
FROM audit_log
WHERE ($1::text IS NULL OR actor_username = $1)
  AND ($2::text IS NULL OR starts_with(area_code, $2))
  AND ($3::text IS NULL OR action = $3)
  AND ($4::text IS NULL OR outcome = $4)
  AND ($5::timestamptz IS NULL OR at >= $5)
  AND ($6::timestamptz IS NULL OR at < $6)
  AND ($7::bigint IS NULL OR id < $7)
ORDER BY id DESC
LIMIT $8`

/** The auditor's view of the audit log: filters by user, area, action, outcome and time; newest first, by pages. */
const audit: FastifyPluginAsync = async (app) => {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/api/audit',
    {
      // `area` here is a filter; RLS (not the URL check) keeps the auditor inside their area.
      config: { access: 'audit', area: 'none' },
      schema: { summary: 'Audit log entries (auditors only), newest first', tags: ['audit'], querystring: Query, response: { 200: Page, 400: { $ref: 'ErrorBody#' }, 401: { $ref: 'ErrorBody#' }, 403: { $ref: 'ErrorBody#' } } },
    },
    async (req) => {
      const q = req.query
      const rows = await app.scopedDb(req).run(async (tx) => {
        const { rows } = await tx.query<Static<typeof Entry>>(LIST, [
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
