import type { FastifyPluginAsync } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type, type Static } from 'typebox'
import { FIRST_YEAR, LAST_YEAR } from '../../domain/codes.js'
import { appendAudit } from '../auth/audit.js'
import { auditFields } from '../plugins/auth.js'
import { REVEAL_ROLES } from '../../domain/roles.js'
import { scrubPersonal } from '../auth/masking.js'

const Ref = Type.String({
  pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
  description: 'opaque household id (household.ref, a UUID); the internal numeric id is never used here',
})
const Code = Type.String({ pattern: '^[0-9]{2}([0-9]{2}([0-9]{2}([0-9]{3}([0-9]{3})?)?)?)?$' })
const Member = Type.Object({
  no: Type.Integer({ description: 'position in the household (1 = first registered member)' }),
  name: Type.String({ description: 'masked (张*) unless revealed' }),
  idNumber: Type.String({ description: 'masked (433124**********34: area and last two) unless revealed' }),
  sex: Type.String(),
  relation: Type.String(),
  ethnicity: Type.String(),
  birthYear: Type.Integer(),
  schooling: Type.String(),
  inSchool: Type.Union([Type.String(), Type.Null()]),
  health: Type.String(),
  labour: Type.String(),
  migrantMonths: Type.Integer(),
  dibao: Type.Boolean(),
  wubao: Type.Boolean(),
  medicalInsurance: Type.Boolean(),
  pension: Type.Boolean(),
})
const Members = Type.Object({
  ref: Type.String(),
  villageCode: Type.String(),
  phone: Type.Union([Type.String(), Type.Null()], { description: 'masked (138****5678) unless revealed' }),
  revealed: Type.Boolean(),
  members: Type.Array(Member),
})
type MembersBody = Static<typeof Members>
const err = { $ref: 'ErrorBody#' }

const HOUSEHOLD = `SELECT h.id, h.ref::text AS ref, h.village_code AS "villageCode", h.phone_masked AS phone FROM household h WHERE h.ref = $1::uuid`
const MEMBERS = `SELECT (row_number() OVER (ORDER BY m.id))::int AS no, m.name_masked AS name, m.id_number_masked AS "idNumber", m.sex,
  m.relation, m.ethnicity, m.birth_year AS "birthYear", m.schooling, m.in_school AS "inSchool", m.health, m.labour,
  m.migrant_months AS "migrantMonths", m.dibao, m.wubao, m.medical_insurance AS "medicalInsurance", m.pension
FROM member m WHERE m.household_id = $1 ORDER BY m.id`
const REVEAL = `SELECT phone, member_no AS no, name, id_number AS "idNumber" FROM povmap_reveal_household($1::uuid, $2)`

/** Rows of the masked export, at most EXPORT_MAX_ROWS. */
const EXPORT = `SELECT h.ref::text AS ref, h.village_code, v.name AS village, y.year, y.status, h.main_cause, h.size, h.attribute,
  round(y.income_per_capita::numeric, 0)::float8 AS income_per_capita,
  assurance_gaps(y.food_clothing_ok, y.education_ok, y.medical_ok, y.housing_ok, y.water_ok) AS gaps,
  h.housing_safety, h.phone_masked AS phone, round(ST_X(h.geom)::numeric, 4)::float8 AS lon, round(ST_Y(h.geom)::numeric, 4)::float8 AS lat
FROM household h
JOIN household_year y ON y.household_id = h.id AND y.year = $2
JOIN admin_area v ON v.code = h.village_code
WHERE starts_with(h.village_code, $1)
ORDER BY h.village_code, h.id
LIMIT $3`
export const EXPORT_MAX_ROWS = 50_000
const EXPORT_COLUMNS = ['ref', 'village_code', 'village', 'year', 'status', 'main_cause', 'size', 'attribute', 'income_per_capita', 'gaps', 'housing_safety', 'phone', 'lon', 'lat'] as const

/** A CSV cell, quoted when needed, with formula starts (= + - @ tab CR) neutralised against CSV injection. */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return ''
  let s = String(v)
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/**
 * Personal detail of one household: its members, masked by default (a read that is audited), and
 * revealed one household at a time with a reason, for the roles that work case by case (audited by
 * the database function that returns the originals). Plus the masked household list of an area as CSV.
 */
const households: FastifyPluginAsync = async (app) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()

  const readMembers = async (req: Parameters<typeof app.scopedDb>[0], ref: string, reveal: string | null) =>
    app.scopedDb(req).run(async (tx) => {
      const h = (await tx.query<{ id: number; ref: string; villageCode: string; phone: string | null }>(HOUSEHOLD, [ref])).rows[0]
      if (!h) return null
      const members = (await tx.query<MembersBody['members'][number]>(MEMBERS, [h.id])).rows
      const body: MembersBody = { ref: h.ref, villageCode: h.villageCode, phone: h.phone, revealed: false, members }
      if (reveal === null) {
        await appendAudit(tx, { ...auditFields(req), action: 'household.members', outcome: 'ok', area: h.villageCode, target: h.ref, detail: { members: members.length } })
        return body
      }
      // The database checks the role and scope again and writes the audit entry in this transaction.
      const originals = (await tx.query<{ phone: string | null; no: number; name: string | null; idNumber: string | null }>(REVEAL, [ref, reveal])).rows
      if (originals.length === 0) return null
      const byNo = new Map(originals.map((o) => [o.no, o]))
      return {
        ...body,
        revealed: true,
        phone: byNo.get(0)?.phone ?? null,
        members: members.map((m) => ({ ...m, name: byNo.get(m.no)?.name ?? m.name, idNumber: byNo.get(m.no)?.idNumber ?? m.idNumber })),
      }
    })

  const notFound = async (req: Parameters<typeof app.scopedDb>[0], ref: string) => {
    // Filed under the caller's area: its auditors see the probing (issue 14).
    await app.audit(req, { action: 'access.denied', outcome: 'denied', area: req.caller?.scope ?? null, target: ref, detail: { reason: 'household', route: req.routeOptions.url } })
    return { error: 'Not Found', message: `no household ${ref}` }
  }

  r.get(
    '/api/households/:id/members',
    {
      config: { access: 'registry', householdGuard: false },
      schema: {
        summary: 'Members of a household, names, ID numbers and phone masked (every read is audited)',
        tags: ['households'],
        params: Type.Object({ id: Ref }),
        response: { 200: Members, 400: err, 401: err, 403: err, 404: err },
      },
    },
    async (req, reply) => {
      const body = await readMembers(req, req.params.id, null)
      return body ?? reply.code(404).send(await notFound(req, req.params.id))
    },
  )

  r.post(
    '/api/households/:id/members/reveal',
    {
      config: { access: 'registry', householdGuard: false, rateLimit: { max: 30, timeWindow: 60_000 } },
      schema: {
        summary: 'Members of one household with names, ID numbers and phone in clear (county, township and village teams; audited with the reason)',
        tags: ['households'],
        params: Type.Object({ id: Ref }),
        body: Type.Object({ reason: Type.String({ minLength: 4, maxLength: 500, description: 'why the originals are needed (kept in the audit log)' }) }, { additionalProperties: false }),
        response: { 200: Members, 400: err, 401: err, 403: err, 404: err },
      },
    },
    async (req, reply) => {
      const c = req.caller!
      if (!REVEAL_ROLES.includes(c.role)) {
        await app.audit(req, { action: 'household.reveal', outcome: 'denied', area: c.scope, target: req.params.id, detail: { reason: 'role' } })
        return reply.code(403).send({ error: 'Forbidden', message: `the role ${c.role} sees personal data masked only` })
      }
      // The reason goes to the audit log: no ID number or phone in it.
      const body = await readMembers(req, req.params.id, scrubPersonal(req.body.reason.trim()))
      return body ?? reply.code(404).send(await notFound(req, req.params.id))
    },
  )

  r.get(
    '/api/areas/:code/households.csv',
    {
      config: { access: 'registry', rateLimit: { max: 10, timeWindow: 60_000 } },
      schema: {
        summary: 'The registered households of an area in a year as CSV (UTF-8 with BOM), phone masked, no names or ID numbers (audited)',
        tags: ['households'],
        params: Type.Object({ code: Code }),
        querystring: Type.Object({ year: Type.Integer({ minimum: FIRST_YEAR, maximum: LAST_YEAR, default: LAST_YEAR }) }, { additionalProperties: false }),
        response: { 400: err, 401: err, 403: err, 404: err, 413: err },
      },
    },
    async (req, reply) => {
      const { code } = req.params
      const { year } = req.query
      const rows = await app.scopedDb(req).run(async (tx) => {
        const found = (await tx.query<Record<string, unknown>>(EXPORT, [code, year, EXPORT_MAX_ROWS + 1])).rows
        await appendAudit(tx, {
          ...auditFields(req),
          action: 'export.households',
          outcome: found.length > EXPORT_MAX_ROWS ? 'denied' : 'ok',
          area: code,
          detail: { year, rows: Math.min(found.length, EXPORT_MAX_ROWS), masked: true },
        })
        return found
      })
      if (rows.length > EXPORT_MAX_ROWS) {
        return reply.code(413).send({ error: 'Payload Too Large', message: `more than ${EXPORT_MAX_ROWS} households: export a smaller area` })
      }
      const lines = [EXPORT_COLUMNS.join(','), ...rows.map((row) => EXPORT_COLUMNS.map((c) => csvCell(row[c])).join(','))]
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="households-${code}-${year}.csv"`)
        .send(`\uFEFF${lines.join('\r\n')}\r\n`)
    },
  )
}

export default households
