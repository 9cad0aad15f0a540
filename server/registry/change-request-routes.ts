import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { errorResponses } from '../../domain/schemas/common.js'
import {
  ApproveBody,
  ChangeRequest,
  ChangeRequestBody,
  ChangeRequestList,
  ChangeRequestListQuery,
  ChangeRequestParams,
  ConflictBody,
  ObjectionBody,
  ObjectionParams,
  RejectBody,
  ResolveBody,
  ResubmitBody,
  ValidationErrorBody,
  WithdrawBody,
  type ChangeRequestSummary,
} from '../../domain/schemas/registry.js'
import { fieldError, MESSAGES, validateChangeRequest, validateChanges, type FieldError } from '../../domain/registry/validation.js'
import type { ChangeKind } from '../../domain/registry/enums.js'
import type { Role } from '../../domain/roles.js'
import type { Queryable } from '../db/types.js'
import { appendAudit } from '../audit/audit-log.js'
import { auditFields } from '../audit/request-audit.js'
import { ERROR_NAMES, refusalOf } from './refusals.js'
import { maskChanges } from './mask-changes.js'
import {
  CHAIN,
  DECIDE,
  HOUSEHOLD_VALUES,
  HOUSEHOLD_VALUES_BY_ID,
  OBJECT,
  OBJECTIONS,
  PROPOSE,
  REFRESH,
  REQUEST_BY_ID,
  REQUEST_HOUSEHOLD_VALUES,
  REQUEST_LIST,
  RESOLVE,
  RESUBMIT,
  STEPS,
  WITHDRAW,
} from './registry-queries.js'

export interface ChangeRequestOptions {
  /** NOTICE_DAYS: how long a public notice (公示) step lasts; 0 passes it as soon as it is reached. */
  noticeDays: number
}

/** Roles that propose changes (the village work team; township and county officers too). */
export const PROPOSER_ROLES: readonly Role[] = ['village_team', 'township_officer', 'county_officer']

type SummaryRow = {
  id: number
  kind: ChangeKind
  state: ChangeRequestSummary['state']
  target: string | null
  areaCode: string
  villageName: string
  reason: string
  proposedById: number
  proposedByUsername: string
  proposedByRole: string
  proposedAt: string
  updatedAt: string
  currentStep: number | null
  stepAction: 'appraise' | 'notice' | 'review' | 'approve' | null
  stepRole: string | null
  noticeEndsAt: string | null
  openObjections: number
}
type DetailRow = SummaryRow & {
  householdId: string | null
  baseVersion: number | null
  changes: Record<string, unknown>
  attachments: string[]
  round: number
  appliedAt: string | null
  appliedVersion: number | null
  before: Record<string, unknown> | null
}

const summaryOf = (r: SummaryRow): ChangeRequestSummary => ({
  id: r.id,
  kind: r.kind,
  state: r.state,
  target: r.target,
  areaCode: r.areaCode,
  villageName: r.villageName,
  reason: r.reason,
  proposedBy: { id: r.proposedById, username: r.proposedByUsername, role: r.proposedByRole },
  proposedAt: r.proposedAt,
  updatedAt: r.updatedAt,
  currentStep:
    r.state === 'pending' && r.currentStep !== null
      ? { no: r.currentStep, action: r.stepAction!, role: r.stepRole!, noticeEndsAt: r.stepAction === 'notice' ? r.noticeEndsAt : null, openObjections: r.openObjections }
      : null,
})

const errors = errorResponses(401, 403, 404)
const stepResponses = { 200: ChangeRequest, 400: ValidationErrorBody, 409: ConflictBody, ...errors }

/**
 * Change requests (变更申请): propose, the queues, one request with its steps, and the steps themselves —
 * approve, reject, resubmit, withdraw, objections during public notices. The database functions of migration
 * 0012 take the caller from the session and decide; this plugin validates first (domain/registry/validation.ts,
 * nothing reaches SQL when a field is wrong), maps their refusals to statuses and writes the audit entries in
 * the same transaction.
 */
const changeRequests: FastifyPluginAsync<ChangeRequestOptions> = async (app, opts) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  const noticeDays = opts.noticeDays

  /** 400 with the fields named. */
  const invalid = (reply: FastifyReply, fields: FieldError[]) =>
    reply.code(400).send({
      error: 'Bad Request',
      message: `invalid change request: ${fields.map((f) => `${f.field}: ${f.message.en}`).join('; ')}`.slice(0, 500),
      fields,
    })

  /** The body failed its schema: the domain's validation names the fields where it can, else the schema's path. */
  const schemaFields = (req: FastifyRequest, domain: FieldError[]): FieldError[] => {
    if (domain.length > 0) return domain
    const v = req.validationError as { validation?: { instancePath?: string }[] } | undefined
    const path = (v?.validation?.[0]?.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.') || 'body'
    return [fieldError(path, MESSAGES.oneOf)]
  }

  /** The request as the caller sees it, with its chain, steps, objections, current values and what the caller may do. */
  const readRequest = async (tx: Queryable, req: FastifyRequest, id: number): Promise<ChangeRequest | null> => {
    const row = (await tx.query<DetailRow>(REQUEST_BY_ID, [id])).rows[0]
    if (!row) return null
    // One statement at a time: a transaction is one connection.
    const chain = await tx.query<ChangeRequest['chain'][number]>(CHAIN, [row.kind])
    const [steps, objections] = [
      await tx.query<{ no: number; action: ChangeRequest['steps'][number]['action']; decision: ChangeRequest['steps'][number]['decision']; byId: number | null; byUsername: string | null; byRole: string | null; at: string; comment: string | null; round: number }>(STEPS, [id]),
      await tx.query<{ id: number; step: number; text: string; recordedById: number; recordedByUsername: string; recordedByRole: string; at: string; resolution: string | null; resolvedById: number | null; resolvedByUsername: string | null; resolvedByRole: string | null; resolvedAt: string | null }>(OBJECTIONS, [id]),
    ]
    let before = row.before
    if (row.state !== 'applied' && row.householdId !== null) {
      const year = typeof row.changes.year === 'number' ? row.changes.year : null
      const current = (await tx.query<{ v: Record<string, unknown> | null }>(HOUSEHOLD_VALUES_BY_ID, [row.householdId, year])).rows[0]?.v ?? null
      before = current
    }
    const c = req.caller!
    const mine = row.proposedById === c.userId
    const pending = row.state === 'pending'
    const atNotice = pending && row.stepAction === 'notice'
    const takesStep = pending && !atNotice && row.stepRole === c.role && !mine
    return {
      ...summaryOf(row),
      baseVersion: row.baseVersion,
      changes: row.changes,
      attachments: row.attachments.map((ref) => ({ ref, url: `/api/photos/${ref}` })),
      chain: chain.rows,
      steps: steps.rows.map((s) => ({
        no: s.no,
        action: s.action,
        decision: s.decision,
        by: s.byUsername === null ? null : { id: s.byId, username: s.byUsername, role: s.byRole ?? '' },
        at: s.at,
        comment: s.comment,
        round: s.round,
      })),
      objections: objections.rows.map((o) => ({
        id: o.id,
        step: o.step,
        text: o.text,
        recordedBy: { id: o.recordedById, username: o.recordedByUsername, role: o.recordedByRole },
        at: o.at,
        resolution: o.resolution,
        resolvedBy: o.resolvedByUsername === null ? null : { id: o.resolvedById, username: o.resolvedByUsername, role: o.resolvedByRole ?? '' },
        resolvedAt: o.resolvedAt,
      })),
      round: row.round,
      appliedAt: row.appliedAt,
      appliedVersion: row.appliedVersion,
      before,
      may: {
        approve: takesStep,
        reject: takesStep,
        resubmit: mine && row.state === 'rejected',
        withdraw: mine && (pending || row.state === 'rejected'),
        object: atNotice && PROPOSER_ROLES.includes(c.role),
        resolve: atNotice && row.openObjections > 0 && (c.role === 'township_officer' || c.role === 'county_officer'),
      },
    }
  }

  /**
   * Runs one workflow step as the caller, writes its audit entry and answers the request after it; a refusal of
   * the database becomes its status (409 with the household's current values for a stale version).
   */
  const step = async (
    req: FastifyRequest,
    reply: FastifyReply,
    action: string,
    target: string | null,
    run: (tx: Queryable) => Promise<{ id: number; detail?: Record<string, unknown> }>,
  ) => {
    try {
      const body = await app.scopedDb(req).run(async (tx) => {
        const { id, detail } = await run(tx)
        const after = (await readRequest(tx, req, id))!
        await appendAudit(tx, { ...auditFields(req), action, outcome: 'ok', area: after.areaCode, target: `change-request:${id}`, detail: { kind: after.kind, state: after.state, household: after.target, ...detail } })
        if (after.state === 'applied' && after.appliedAt !== null && detail?.applies !== false)
          await appendAudit(tx, { ...auditFields(req), action: 'change.apply', outcome: 'ok', area: after.areaCode, target: after.target, detail: { request: id, kind: after.kind, version: after.appliedVersion } })
        return after
      })
      return reply.code(action === 'change.propose' ? 201 : 200).send(body)
    } catch (err) {
      const refusal = refusalOf(err)
      if (!refusal) throw err
      await app.auditQuietly(req, { action, outcome: 'denied', area: req.caller!.scope, target, detail: { status: refusal.status, reason: refusal.en.slice(0, 200) } })
      if (refusal.status === 400)
        return invalid(reply, [{ field: refusal.field ?? 'changes', message: { zh: refusal.zh, en: refusal.en } }])
      if (refusal.status === 409) {
        const ref = typeof target === 'string' && /^[0-9a-f-]{36}$/.test(target) ? target : null
        const requestId = target?.startsWith('change-request:') ? Number(target.slice('change-request:'.length)) : null
        const current = await app.scopedDb(req).run(async (tx) => {
          if (ref) return (await tx.query<{ v: Record<string, unknown> }>(HOUSEHOLD_VALUES, [ref])).rows[0]?.v ?? null
          if (requestId !== null) return (await tx.query<{ v: Record<string, unknown> }>(REQUEST_HOUSEHOLD_VALUES, [requestId])).rows[0]?.v ?? null
          return null
        })
        return reply.code(409).send({ error: 'Conflict', message: refusal.en, code: refusal.field === 'baseVersion' ? 'stale_version' : 'state', current })
      }
      return reply.code(refusal.status).send({ error: ERROR_NAMES[refusal.status], message: refusal.en })
    }
  }

  // Steps whose body failed its schema (a rejection without a comment…): 400 naming the field, before any SQL.
  // Proposing and resubmitting validate with the domain's rules in their handlers.
  app.addHook('preHandler', async (req, reply) => {
    const url = req.routeOptions.url ?? ''
    if (!req.validationError || url === '/api/change-requests' || url.endsWith('/resubmit')) return
    return invalid(reply, schemaFields(req, []))
  })

  const forbidden = async (req: FastifyRequest, reply: FastifyReply, action: string, message: string) => {
    await app.auditQuietly(req, { action, outcome: 'denied', area: req.caller!.scope, target: req.url.split('?')[0]!, detail: { reason: 'role' } })
    return reply.code(403).send({ error: 'Forbidden', message })
  }

  r.post(
    '/api/change-requests',
    {
      attachValidation: true,
      config: { access: 'registry' },
      schema: {
        summary: 'Propose a change to the registry (a new household, fields, exit, return, removal, members, an assistance measure)',
        description:
          'Answers 201 with the request, waiting at the first step of its kind\'s review chain (GET /api/registry/chains). ' +
          '400 names every invalid field (Chinese and English); 409 when baseVersion is not the household\'s version, with its current values; ' +
          '404 for a household or village outside your area; 403 for roles that do not propose (province administrators and prefecture officers read only).',
        tags: ['registry'],
        body: ChangeRequestBody,
        response: { 201: ChangeRequest, 400: ValidationErrorBody, 409: ConflictBody, ...errors },
      },
    },
    async (req, reply) => {
      const b = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>
      const fields = validateChangeRequest({ kind: b.kind, target: b.target, baseVersion: b.baseVersion, changes: b.changes, reason: b.reason, attachments: b.attachments })
      if (fields.length > 0 || req.validationError) return invalid(reply, schemaFields(req, fields))
      if (!PROPOSER_ROLES.includes(req.caller!.role))
        return forbidden(req, reply, 'change.propose', `the role ${req.caller!.role} reads change requests but does not propose them`)
      const body = req.body
      return step(req, reply, 'change.propose', body.target ?? null, async (tx) => {
        const id = (
          await tx.query<{ id: number }>(PROPOSE, [
            body.kind,
            body.target ?? null,
            body.baseVersion ?? null,
            JSON.stringify(body.changes),
            JSON.stringify(maskChanges(body.changes)),
            body.reason.trim(),
            body.attachments ?? [],
            noticeDays,
          ])
        ).rows[0]!.id
        return { id }
      })
    },
  )

  r.get(
    '/api/change-requests',
    {
      config: { access: 'registry' },
      schema: {
        summary: "The caller's queue: requests waiting for them (waiting), their own (mine), or every request of their area (area)",
        tags: ['registry'],
        querystring: ChangeRequestListQuery,
        response: { 200: ChangeRequestList, ...errorResponses(400, 401, 403) },
      },
    },
    async (req) => {
      const { queue, state, kind, household, page, pageSize } = req.query
      const c = req.caller!
      const rows = await app.scopedDb(req).query<SummaryRow & { total: number }>(REQUEST_LIST, [
        queue,
        c.userId,
        c.role,
        state ?? null,
        kind ?? null,
        household ?? null,
        pageSize,
        (page - 1) * pageSize,
      ])
      return { total: rows.rows[0]?.total ?? 0, page, pageSize, items: rows.rows.map(summaryOf) }
    },
  )

  r.get(
    '/api/change-requests/:id',
    {
      config: { access: 'registry' },
      schema: {
        summary: 'One change request with its chain, steps (who, when, decision, comment), objections and the current values it would change',
        tags: ['registry'],
        params: ChangeRequestParams,
        response: { 200: ChangeRequest, ...errors },
      },
    },
    async (req, reply) => {
      const id = Number(req.params.id)
      // A notice period that is over passes when someone looks (the database records it).
      const body = await app.scopedDb(req).run(async (tx) => {
        await tx.query(REFRESH, [id, noticeDays])
        const found = await readRequest(tx, req, id)
        if (found) await appendAudit(tx, { ...auditFields(req), action: 'change.view', outcome: 'ok', area: found.areaCode, target: `change-request:${id}`, detail: { kind: found.kind } })
        return found
      })
      if (body) return body
      await app.auditQuietly(req, { action: 'access.denied', outcome: 'denied', area: req.caller!.scope, target: `change-request:${id}`, detail: { reason: 'change-request', route: req.routeOptions.url } })
      return reply.code(404).send({ error: 'Not Found', message: `no change request ${id}` })
    },
  )

  const decide = (approve: boolean) => async (req: FastifyRequest<{ Params: { id: string }; Body: { comment?: string } }>, reply: FastifyReply) => {
    const id = Number(req.params.id)
    return step(req, reply, approve ? 'change.approve' : 'change.reject', `change-request:${id}`, async (tx) => {
      await tx.query(DECIDE, [id, approve, req.body?.comment?.trim() || null, noticeDays])
      return { id }
    })
  }

  r.post(
    '/api/change-requests/:id/approve',
    {
      attachValidation: true,
      config: { access: 'registry' },
      schema: {
        summary: 'Approve the step the request waits at (the last approval applies it)',
        tags: ['registry'],
        params: ChangeRequestParams,
        body: ApproveBody,
        response: stepResponses,
      },
    },
    decide(true),
  )
  r.post(
    '/api/change-requests/:id/reject',
    {
      attachValidation: true,
      config: { access: 'registry' },
      schema: { summary: 'Reject the step the request waits at, with a comment: it goes back to the proposer', tags: ['registry'], params: ChangeRequestParams, body: RejectBody, response: stepResponses },
    },
    decide(false),
  )

  r.post(
    '/api/change-requests/:id/resubmit',
    {
      attachValidation: true,
      config: { access: 'registry' },
      schema: {
        summary: 'Send a rejected request again (the proposer), with new changes, reason, baseVersion or attachments when given',
        tags: ['registry'],
        params: ChangeRequestParams,
        body: ResubmitBody,
        response: stepResponses,
      },
    },
    async (req, reply) => {
      const id = Number(req.params.id)
      const b = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>
      // The kind is the request's: read it (as the caller) to validate new changes against it.
      const kind = (await app.scopedDb(req).query<{ kind: ChangeKind }>('SELECT kind FROM change_request WHERE id = $1', [id])).rows[0]?.kind
      if (!kind) return reply.code(404).send({ error: 'Not Found', message: `no change request ${id}` })
      const fields = [
        ...(b.changes !== undefined ? validateChanges(kind, b.changes) : []),
        ...validateChangeRequest({ kind, target: '00000000-0000-4000-8000-000000000000', baseVersion: b.baseVersion ?? 1, changes: {}, reason: b.reason ?? 'x', attachments: b.attachments }).filter(
          (f) => !f.field.startsWith('changes') && f.field !== 'target',
        ),
      ]
      if (fields.length > 0 || req.validationError) return invalid(reply, schemaFields(req, fields))
      const body = req.body
      return step(req, reply, 'change.resubmit', `change-request:${id}`, async (tx) => {
        await tx.query(RESUBMIT, [
          id,
          body.changes === undefined ? null : JSON.stringify(body.changes),
          body.changes === undefined ? null : JSON.stringify(maskChanges(body.changes)),
          body.reason?.trim() ?? null,
          body.baseVersion ?? null,
          body.attachments ?? null,
          noticeDays,
        ])
        return { id }
      })
    },
  )

  r.post(
    '/api/change-requests/:id/withdraw',
    {
      attachValidation: true,
      config: { access: 'registry' },
      schema: { summary: 'Withdraw a pending or rejected request (the proposer)', tags: ['registry'], params: ChangeRequestParams, body: WithdrawBody, response: stepResponses },
    },
    async (req, reply) => {
      const id = Number(req.params.id)
      return step(req, reply, 'change.withdraw', `change-request:${id}`, async (tx) => {
        await tx.query(WITHDRAW, [id, noticeDays])
        return { id, detail: req.body?.comment ? { comment: req.body.comment.slice(0, 200) } : {} }
      })
    },
  )

  r.post(
    '/api/change-requests/:id/objections',
    {
      attachValidation: true,
      config: { access: 'registry' },
      schema: {
        summary: 'Record an objection received during the public notice (公示) the request waits at; the chain waits until it is resolved',
        tags: ['registry'],
        params: ChangeRequestParams,
        body: ObjectionBody,
        response: stepResponses,
      },
    },
    async (req, reply) => {
      const id = Number(req.params.id)
      return step(req, reply, 'change.object', `change-request:${id}`, async (tx) => {
        const objection = (await tx.query<{ id: number }>(OBJECT, [id, req.body.text.trim(), noticeDays])).rows[0]!.id
        return { id, detail: { objection } }
      })
    },
  )

  r.post(
    '/api/change-requests/:id/objections/:objection/resolve',
    {
      attachValidation: true,
      config: { access: 'registry' },
      schema: {
        summary: 'Record how an objection was resolved (township or county officer); the notice passes once its period is over and none is open',
        tags: ['registry'],
        params: ObjectionParams,
        body: ResolveBody,
        response: stepResponses,
      },
    },
    async (req, reply) => {
      const id = Number(req.params.id)
      return step(req, reply, 'change.resolve', `change-request:${id}`, async (tx) => {
        await tx.query(RESOLVE, [id, Number(req.params.objection), req.body.resolution.trim(), noticeDays])
        return { id, detail: { objection: Number(req.params.objection) } }
      })
    },
  )
}

export default changeRequests
