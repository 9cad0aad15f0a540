/**
 * Review of import batches (issue 19): a county officer's import becomes pending change requests of one batch;
 * its reviewers list the batches of their area, read a batch's requests with their diffs, and approve or
 * reject the whole batch (every request waiting at the caller's step) or chosen rows. Each request is decided
 * by the workflow's own povmap_cr_decide (migration 0028 calls it per request in one transaction), so role,
 * area, self-approval, notices, history and aggregates hold as for one request; refusals come back per row.
 * Registered with the registry routes: it needs their NOTICE_DAYS.
 */
import type { FastifyPluginAsync } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { AreaCode, errorResponses, Nullable, OneOf } from '../../domain/schemas/common.js'
import { auditFields } from '../audit/request-audit.js'
import { AUDIT_MANY, BATCH_BY_ID, BATCH_DECIDABLE, BATCH_LIST, BATCH_PENDING_SEEN, BATCH_REQUESTS_PAGE, DECIDE_MANY } from './import-batch-queries.js'

/** Roles that take a step of some review chain (review_chain_step.role). */
const REVIEWER_ROLES = ['village_team', 'township_officer', 'county_officer', 'prefecture_officer', 'province_admin']

const BatchParams = Type.Object({ id: Type.String({ pattern: '^[0-9]{1,9}$' }) }, { additionalProperties: false })
const BatchListQuery = Type.Object({ area: Type.Optional(AreaCode) }, { additionalProperties: false })
const BatchQuery = Type.Object(
  { page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }), pageSize: Type.Integer({ minimum: 1, maximum: 2000, default: 500 }) },
  { additionalProperties: false },
)
const BatchSummary = Type.Object({
  id: Type.Integer(),
  kind: Type.String(),
  mode: Type.String(),
  areaCode: Type.String(),
  createdBy: Type.String(),
  createdAt: Type.String(),
  rows: Type.Integer(),
  creates: Type.Integer(),
  changes: Type.Integer(),
  unchanged: Type.Integer(),
  states: Type.Record(Type.String(), Type.Integer(), { description: 'requests in your area by state (pending, rejected, withdrawn, applied)' }),
  waiting: Type.Integer({ description: 'requests waiting at a step you take' }),
})
const Diff = Type.Object({ field: Type.String(), before: Type.Unknown(), after: Type.Unknown() })
const BatchRequest = Type.Object({
  id: Type.Integer(),
  kind: Type.String(),
  state: Type.String(),
  target: Nullable(Type.String()),
  areaCode: Type.String(),
  villageName: Nullable(Type.String()),
  currentStep: Nullable(Type.Object({ no: Type.Integer(), action: Type.String(), role: Type.String() })),
  mayDecide: Type.Boolean(),
  diffs: Type.Array(Diff, { description: 'per proposed field: the current value (masked as you read it; for an applied request the one it replaced) and the proposed one' }),
})
const BatchDetail = Type.Object({
  batch: Type.Omit(BatchSummary, ['states', 'waiting']),
  total: Type.Integer({ description: 'requests of the batch in your area' }),
  page: Type.Integer(),
  pageSize: Type.Integer(),
  requests: Type.Array(BatchRequest),
})
const DecideBody = Type.Object(
  {
    decision: OneOf(['approve', 'reject'] as const),
    requestIds: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 2 ** 31 - 1 }), { minItems: 1, maxItems: 100_000, description: 'only these requests of the batch (default: every one waiting at your step)' })),
    note: Type.Optional(Type.String({ maxLength: 500, description: 'the comment on each step; required to reject' })),
  },
  { additionalProperties: false },
)
const DecideResult = Type.Object({
  batch: Type.Integer(),
  decision: Type.String(),
  decided: Type.Integer({ description: 'requests that took the step' }),
  applied: Type.Integer({ description: 'of those, applied to the registry (their chain ended)' }),
  refused: Type.Integer(),
  results: Type.Array(
    Type.Object({
      id: Type.Integer(),
      status: Type.Integer({ description: '200, or the refusal: 403 not your step or your own, 404 not in the batch or out of your area, 409 no longer at that step or stale' }),
      state: Nullable(Type.String()),
      message: Nullable(Type.String()),
    }),
  ),
})

/** The English text of a workflow refusal ({ field, en, zh } JSON in the message). */
const refusalText = (message: string | null): string | null => {
  if (message === null) return null
  try {
    return (JSON.parse(message.slice(message.indexOf('{'))) as { en: string }).en
  } catch {
    return message.slice(0, 200)
  }
}

type BatchRow = { id: number; kind: string; mode: string; areaCode: string; createdById: number; createdBy: string; createdAt: string; rows: number; creates: number; changes: number; unchanged: number }

const importBatches: FastifyPluginAsync<{ noticeDays: number }> = async (app, opts) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()

  r.get(
    '/api/imports/batches',
    {
      config: { access: 'registry' },
      schema: {
        summary: 'Import batches whose change requests are in your area (or made for it), newest first, with their requests counted by state',
        tags: ['reports'],
        querystring: BatchListQuery,
        response: { 200: Type.Object({ items: Type.Array(BatchSummary) }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      const c = req.caller!
      const area = req.query.area ?? c.scope
      if (!area.startsWith(c.scope)) return reply.code(404).send({ error: 'Not Found', message: `no area ${area} in your area` })
      const rows = await app.scopedDb(req).query<BatchRow & { states: Record<string, number>; waiting: number }>(BATCH_LIST, [area, c.role, c.userId])
      return { items: rows.rows.map(({ createdById: _c, ...b }) => b) }
    },
  )

  r.get(
    '/api/imports/batches/:id',
    {
      config: { access: 'registry' },
      schema: {
        summary: 'One import batch with its change requests in your area, each with its step and its diffs (current → proposed)',
        tags: ['reports'],
        params: BatchParams,
        querystring: BatchQuery,
        response: { 200: BatchDetail, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      const c = req.caller!
      const { page, pageSize } = req.query
      const found = await app.scopedDb(req).run(async (tx) => {
        const batch = (await tx.query<BatchRow & { requestIds: number[] }>(BATCH_BY_ID, [Number(req.params.id)])).rows[0]
        if (!batch) return null
        const rows = (
          await tx.query<{ id: number; kind: string; state: string; target: string | null; areaCode: string; villageName: string | null; currentStep: number | null; stepAction: string | null; stepRole: string | null; proposedById: number; total: number; diffs: { field: string; before: unknown; after: unknown }[] }>(
            BATCH_REQUESTS_PAGE,
            [batch.requestIds, pageSize, (page - 1) * pageSize],
          )
        ).rows
        return { batch, rows }
      })
      if (!found) return reply.code(404).send({ error: 'Not Found', message: `no import batch ${req.params.id} in your area` })
      const { requestIds: _ids, createdById: _c, ...batch } = found.batch
      return {
        batch,
        total: found.rows[0]?.total ?? 0,
        page,
        pageSize,
        requests: found.rows.map((x) => ({
          id: x.id,
          kind: x.kind,
          state: x.state,
          target: x.target,
          areaCode: x.areaCode,
          villageName: x.villageName,
          currentStep: x.state === 'pending' && x.currentStep !== null ? { no: x.currentStep, action: x.stepAction ?? '', role: x.stepRole ?? '' } : null,
          mayDecide: x.state === 'pending' && x.stepAction !== 'notice' && x.stepRole === c.role && x.proposedById !== c.userId,
          diffs: x.diffs,
        })),
      }
    },
  )

  r.post(
    '/api/imports/batches/:id/decide',
    {
      config: { access: 'registry' },
      schema: {
        summary: 'Approve or reject a batch: every request waiting at your step, or the chosen ones; refusals are reported per request',
        description:
          'Each request goes through the workflow\'s decide (povmap_cr_decide): the last approval applies it with its history. ' +
          '404 for a batch outside your area; 403 when your role takes no step of it or you made it; 409 when no request waits at your step. ' +
          'Requests no longer at your step come back with status 409 in results, the others are decided.',
        tags: ['reports'],
        params: BatchParams,
        body: DecideBody,
        response: { 200: DecideResult, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      const c = req.caller!
      const id = Number(req.params.id)
      const { decision, requestIds } = req.body
      const note = req.body.note?.trim() || null
      const approve = decision === 'approve'
      if (!approve && !note) return reply.code(400).send({ error: 'Bad Request', message: 'a rejection needs a note (the reason, for the importer)' })
      const denied = async (status: 403 | 404 | 409, message: string) => {
        await app.auditQuietly(req, { action: approve ? 'change.approve' : 'change.reject', outcome: 'denied', area: c.scope, target: `import_batch:${id}`, detail: { status, reason: message.slice(0, 200) } })
        return reply.code(status).send({ error: status === 403 ? 'Forbidden' : status === 404 ? 'Not Found' : 'Conflict', message })
      }
      if (!REVIEWER_ROLES.includes(c.role)) return denied(403, `the role ${c.role} takes no review step`)
      const outcome = await app.scopedDb(req).run(async (tx) => {
        const batch = (await tx.query<BatchRow & { requestIds: number[] }>(BATCH_BY_ID, [id])).rows[0]
        if (!batch) return { status: 404 as const, message: `no import batch ${id} in your area` }
        if (batch.createdById === c.userId) return { status: 403 as const, message: 'nobody approves or rejects their own import' }
        const inBatch = new Set(batch.requestIds)
        const outside = requestIds ? [...new Set(requestIds)].filter((x) => !inBatch.has(x)) : []
        const chosen = requestIds ? [...new Set(requestIds)].filter((x) => inBatch.has(x)) : (await tx.query<{ id: number }>(BATCH_DECIDABLE, [batch.requestIds, c.role, c.userId])).rows.map((x) => x.id)
        if (chosen.length === 0 && outside.length === 0) {
          const pending = (await tx.query<{ n: number }>(BATCH_PENDING_SEEN, [batch.requestIds])).rows[0]!.n
          return pending > 0
            ? { status: 403 as const, message: `none of the batch's ${pending} pending requests in your area waits at a step of the role ${c.role}` }
            : { status: 409 as const, message: 'no request of this batch is pending in your area' }
        }
        const decided = chosen.length
          ? (await tx.query<{ id: number; state: string | null; status: number; message: string | null; areaCode: string | null; kind: string | null; target: string | null; appliedVersion: number | null }>(DECIDE_MANY, [chosen, approve, note, opts.noticeDays])).rows
          : []
        const ok = decided.filter((d) => d.status === 200)
        // The audit entries the single routes write: the step, and the apply when the chain ended.
        const entries = ok.flatMap((d) => [
          { action: approve ? 'change.approve' : 'change.reject', area: d.areaCode, target: `change-request:${d.id}`, detail: { kind: d.kind, state: d.state, household: d.target, batch: id } },
          ...(d.state === 'applied' ? [{ action: 'change.apply', area: d.areaCode, target: d.target, detail: { request: d.id, kind: d.kind, version: d.appliedVersion, batch: id } }] : []),
        ])
        if (entries.length) {
          const a = auditFields(req)
          await tx.query(AUDIT_MANY, [a.actorId, a.actorUsername, a.actorRole, entries.map((e) => e.action), entries.map((e) => e.area), entries.map((e) => e.target), entries.map((e) => JSON.stringify(e.detail)), a.ip, a.userAgent, a.requestId])
        }
        const results = [
          ...decided.map((d) => ({ id: d.id, status: d.status, state: d.state, message: d.status === 200 ? null : refusalText(d.message) })),
          ...outside.map((x) => ({ id: x, status: 404, state: null, message: `request ${x} is not in batch ${id}` })),
        ]
        return { status: 200 as const, body: { batch: id, decision, decided: ok.length, applied: ok.filter((d) => d.state === 'applied').length, refused: results.length - ok.length, results } }
      })
      if (outcome.status !== 200) return denied(outcome.status, outcome.message)
      return outcome.body
    },
  )
}

export default importBatches
