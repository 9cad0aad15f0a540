import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { errorResponses } from '../../domain/schemas/common.js'
import { HouseholdParams } from '../../domain/schemas/households.js'
import { Chains, History, Measures, type HistoryEntry, type Measure } from '../../domain/schemas/registry.js'
import type { ChangeKind, StepAction } from '../../domain/registry/enums.js'
import type { Queryable } from '../db/types.js'
import { appendAudit } from '../audit/audit-log.js'
import { auditFields } from '../audit/request-audit.js'
import { CHAINS, HISTORY, HISTORY_AREA, HOUSEHOLD_HEAD, MEASURES } from './registry-queries.js'

type Step = { no: number; action: StepAction; by: string | null; at: string; comment: string | null }
type HistoryRow = Omit<HistoryEntry, 'approvedBy' | 'steps'> & { steps: Step[] }

/**
 * A household's history (one entry per field of each applied request, oldest first: who proposed, who decided
 * each step, before → after) and its assistance plan (帮扶计划); the review chains as configured. A household
 * outside the caller's area is a 404 (audited); a removed household keeps its history.
 */
const householdHistory: FastifyPluginAsync<{ noticeDays: number }> = async (app, opts) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()

  /** The household's village when the caller may see it (or, removed, its history), audited as a view; else a 404. */
  const visible = async (req: FastifyRequest, tx: Queryable, ref: string) => {
    const head = (await tx.query<{ id: string; village: string; version: number }>(HOUSEHOLD_HEAD, [ref])).rows[0]
    const village = head?.village ?? (await tx.query<{ village: string }>(HISTORY_AREA, [ref])).rows[0]?.village
    if (village) await appendAudit(tx, { ...auditFields(req), action: 'household.view', outcome: 'ok', area: village, target: ref, detail: { route: req.routeOptions.url } })
    return village ? { head } : null
  }
  const notFound = async (req: FastifyRequest, ref: string) => {
    await app.auditQuietly(req, { action: 'access.denied', outcome: 'denied', area: req.caller!.scope, target: ref, detail: { reason: 'household', route: req.routeOptions.url } })
    return { error: 'Not Found', message: `no household ${ref}` }
  }

  r.get(
    '/api/households/:id/history',
    {
      config: { access: 'registry' },
      schema: {
        summary: "A household's history: one entry per field of each applied change request, oldest first (names, ID numbers, phones masked)",
        tags: ['registry'],
        params: HouseholdParams,
        response: { 200: History, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      const rows = await app.scopedDb(req).run(async (tx) => ((await visible(req, tx, req.params.id)) ? (await tx.query<HistoryRow>(HISTORY, [req.params.id])).rows : null))
      if (!rows) return reply.code(404).send(await notFound(req, req.params.id))
      return rows.map((h) => ({
        ...h,
        kind: h.kind as ChangeKind,
        approvedBy: h.steps.map((s) => s.by ?? '公示'),
      }))
    },
  )

  r.get(
    '/api/households/:id/measures',
    {
      config: { access: 'registry' },
      schema: {
        summary: "A household's assistance plan (帮扶计划): measures by family, responsible cadre, amount, dates, status, progress notes",
        tags: ['registry'],
        params: HouseholdParams,
        response: { 200: Measures, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      const found = await app.scopedDb(req).run(async (tx) => {
        const v = await visible(req, tx, req.params.id)
        if (!v?.head) return null
        return { version: v.head.version, measures: (await tx.query<Measure>(MEASURES, [v.head.id])).rows }
      })
      if (!found) return reply.code(404).send(await notFound(req, req.params.id))
      return { ref: req.params.id, ...found }
    },
  )

  r.get(
    '/api/registry/chains',
    {
      config: { access: 'registry' },
      schema: { summary: 'The review chain of each kind of change (the configuration table) and NOTICE_DAYS', tags: ['registry'], response: { 200: Chains, ...errorResponses(401, 403) } },
    },
    async (req) => {
      const rows = (await app.scopedDb(req).query<{ kind: ChangeKind; no: number; action: StepAction; role: Chains['chains'][number]['steps'][number]['role']; noticeDays: number | null }>(CHAINS)).rows
      const byKind = new Map<ChangeKind, Chains['chains'][number]['steps']>()
      for (const { kind, ...s } of rows) byKind.set(kind, [...(byKind.get(kind) ?? []), s])
      return { noticeDays: opts.noticeDays, chains: [...byKind].map(([kind, steps]) => ({ kind, steps })) }
    },
  )
}

export default householdHistory
