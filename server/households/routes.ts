import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { ASSURANCE_GAPS, POVERTY_LINE } from '../../domain/codes.js'
import { errorResponses, YearQuery } from '../../domain/schemas/common.js'
import { Household, HouseholdMembers, HouseholdParams, RevealBody, type HouseholdMember } from '../../domain/schemas/households.js'
import { REVEAL_ROLES } from '../../domain/roles.js'
import { appendAudit } from '../audit/audit-log.js'
import { auditFields } from '../audit/request-audit.js'
import { scrubPersonal } from '../../domain/masking.js'
import { HOUSEHOLD_CONTACT, HOUSEHOLD_HISTORY, HOUSEHOLD_POPUP, MEMBER_COUNTS, MEMBER_LIST, REVEAL_MEMBERS, VILLAGE_PROJECTS } from './household-queries.js'
import { guardHouseholds } from './household-guard.js'

const errors = errorResponses(400, 401, 403, 404)

interface PopupRow {
  id: number
  ref: string
  villageCode: string
  villageName: string
  size: number
  attribute: string
  identificationStandard: string
  registeredYear: number
  mainCause: string
  otherCauses: string[]
  housingAreaM2: number | null
  housingStructure: string | null
  housingSafety: string | null
  relocated: boolean
  waterSource: string | null
  waterDifficulty: boolean
  roadHardened: boolean
  kmToMarket: number | null
  year: number | null
  status: string | null
  incomePerCapita: number | null
  food_clothing_ok: boolean
  education_ok: boolean
  medical_ok: boolean
  housing_ok: boolean
  water_ok: boolean
  at: number[]
  version: number
  updatedAt: string
  outsideBoundaryReason: string | null
  cookingFuel: string | null
  landPaddyMu: number | null
  landDryMu: number | null
  landForestMu: number | null
}

/**
 * One household: the map popup (no personal data), its members masked (every read audited) and revealed
 * one household at a time with a reason, for the roles that work case by case (audited by the database
 * function that returns the originals). Their masked list of an area as CSV is an area's sub-resource
 * (export-routes.ts, mounted by the areas capability).
 */
const households: FastifyPluginAsync = async (app) => {
  guardHouseholds(app)
  const r = app.withTypeProvider<TypeBoxTypeProvider>()

  r.get(
    // The path parameter keeps its name `id` (the household guard keys on /api/households/:id) but holds
    // the opaque ref: a numeric id in a URL is a 400.
    '/api/households/:id',
    {
      schema: {
        summary: 'A household for the map popup: status, size, causes, measures, 两不愁三保障 (never names, ID numbers or phones)',
        tags: ['households'],
        params: HouseholdParams,
        querystring: YearQuery,
        response: { 200: Household, ...errors },
      },
    },
    async (req, reply) => {
      const { year } = req.query
      const found = await app.scopedDb(req).run(async (tx) => {
        const h = (await tx.query<PopupRow>(HOUSEHOLD_POPUP, [req.params.id, year])).rows[0]
        if (!h) return null
        if (h.year === null) return { noRecord: true as const }
        return {
          h,
          history: await tx.query<{ year: number; status: string }>(HOUSEHOLD_HISTORY, [h.id]),
          members: await tx.query<Household['members']>(MEMBER_COUNTS, [h.id]),
          projects: await tx.query<Household['measures']['projects'][number]>(VILLAGE_PROJECTS, [h.villageCode, year]),
        }
      })
      if (!found) return reply.code(404).send({ error: 'Not Found', message: `no household ${req.params.id}` })
      if ('noRecord' in found) return reply.code(404).send({ error: 'Not Found', message: `household ${req.params.id} has no record for ${year}` })
      const { h, history, members, projects } = found
      const assurance = Object.fromEntries(ASSURANCE_GAPS.map((g) => [g, h[`${g}_ok`]])) as Record<(typeof ASSURANCE_GAPS)[number], boolean>
      return {
        id: Number(h.id),
        ref: h.ref,
        villageCode: h.villageCode,
        villageName: h.villageName,
        year: h.year,
        status: h.status!,
        size: h.size,
        attribute: h.attribute,
        identificationStandard: h.identificationStandard,
        registeredYear: h.registeredYear,
        mainCause: h.mainCause,
        otherCauses: h.otherCauses,
        incomePerCapita: h.incomePerCapita!,
        povertyLine: POVERTY_LINE[year]!,
        assurance,
        gaps: ASSURANCE_GAPS.filter((g) => !assurance[g]),
        housing: { safety: h.housingSafety, structure: h.housingStructure, areaM2: h.housingAreaM2, relocated: h.relocated },
        water: { source: h.waterSource, difficulty: h.waterDifficulty },
        roadHardened: h.roadHardened,
        kmToMarket: h.kmToMarket,
        members: members.rows[0]!,
        measures: { relocation: h.relocated, socialSecurity: h.attribute !== 'general', projects: projects.rows },
        history: history.rows,
        at: h.at,
        version: h.version,
        updatedAt: h.updatedAt,
        outsideBoundary: h.outsideBoundaryReason === null ? null : { reason: h.outsideBoundaryReason },
        cookingFuel: h.cookingFuel,
        land: { paddyMu: h.landPaddyMu, dryMu: h.landDryMu, forestMu: h.landForestMu },
      }
    },
  )

  const readMembers = async (req: FastifyRequest, ref: string, reveal: string | null) =>
    app.scopedDb(req).run(async (tx) => {
      const h = (await tx.query<{ id: number; ref: string; villageCode: string; phone: string | null }>(HOUSEHOLD_CONTACT, [ref])).rows[0]
      if (!h) return null
      const members = (await tx.query<HouseholdMember>(MEMBER_LIST, [h.id])).rows
      const body: HouseholdMembers = { ref: h.ref, villageCode: h.villageCode, phone: h.phone, revealed: false, members }
      if (reveal === null) {
        await appendAudit(tx, { ...auditFields(req), action: 'household.members', outcome: 'ok', area: h.villageCode, target: h.ref, detail: { members: members.length } })
        return body
      }
      // The database checks the role and scope again and writes the audit entry in this transaction.
      const originals = (await tx.query<{ phone: string | null; no: number; name: string | null; idNumber: string | null }>(REVEAL_MEMBERS, [ref, reveal])).rows
      if (originals.length === 0) return null
      const byNo = new Map(originals.map((o) => [o.no, o]))
      return {
        ...body,
        revealed: true,
        phone: byNo.get(0)?.phone ?? null,
        members: members.map((m) => ({ ...m, name: byNo.get(m.no)?.name ?? m.name, idNumber: byNo.get(m.no)?.idNumber ?? m.idNumber })),
      }
    })

  const notFound = async (req: FastifyRequest, ref: string) => {
    // Filed under the caller's area: its auditors see the probing.
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
        params: HouseholdParams,
        response: { 200: HouseholdMembers, ...errors },
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
        params: HouseholdParams,
        body: RevealBody,
        response: { 200: HouseholdMembers, ...errors },
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

}

export { default as householdsExport } from './export-routes.js'
export default households
