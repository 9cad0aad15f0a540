import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type, type Static } from 'typebox'
import { CodeParams, errorResponses } from '../../domain/schemas/common.js'
import { REVEAL_ROLES } from '../../domain/roles.js'
import { MAX_IMPORT_BYTES, REGISTRIES, REGISTRY_KINDS } from '../../domain/crosschecks/registries.js'
import { MISID_DEFAULT_YEAR, RULES, RULES_BY_CODE, type RuleCode } from '../../domain/crosschecks/rules.js'
import {
  DecisionBody, Flag, FlagPage, FlagParams, FlagQuery, ImportAnswer, ImportList, ImportListQuery, ImportQuery, MisidQuery, MisidYearQuery, ModelReport,
  RegistryLayout, RuleItem, RulesQuery, ScanAnswer,
} from '../../domain/crosschecks/schemas.js'
import { scrubPersonal } from '../../domain/masking.js'
import { appendAudit } from '../audit/audit-log.js'
import { auditFields } from '../audit/request-audit.js'
import { DbError } from '../db/types.js'
import { importRegistryFile } from './import.js'
import { FileFormatError } from './parse-file.js'
import { evaluateModel, scanMisidentification } from './misid-scan.js'
import { DECIDE, FLAG_BY_ID, FLAG_PAGE, IMPORT_LIST, INSERT_REVIEW, MISID_PAGE, RULE_COUNTS } from './queries.js'

const errors = errorResponses(400, 401, 403, 404)

/** File bodies: a cross-site form cannot send these types, and the CSRF token is required as for every POST. */
const FILE_TYPES = ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/octet-stream']

/** Areas whose households the mis-identification scan ranks in one request (a county and below). */
const scannable = (area: string) => area.length >= 6

interface FlagRow extends Omit<Flag, 'severity'> {
  total?: number
}

const withSeverity = ({ total: _t, ...f }: FlagRow): Flag => ({ ...f, id: Number(f.id), severity: RULES_BY_CODE[f.rule as RuleCode].severity, reasons: f.reasons ?? [] })

/**
 * Cross-checks with other departments' registries (数据比对) and mis-identification leads (错评/漏评): imports
 * of registry files (checked row by row, nothing written when a row is wrong), the flags the rules raise,
 * their review by the area's officers, the rules' confirmation rates, the ranked leads and the model's
 * held-out figures. Every read and write runs as the caller under row-level security; imports, reads of
 * flags and decisions are audited.
 */
const crosschecks: FastifyPluginAsync = async (app) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  // Encapsulated: the file parsers exist for this plugin's routes only.
  app.addContentTypeParser(FILE_TYPES, { parseAs: 'buffer', bodyLimit: MAX_IMPORT_BYTES }, (_req, body, done) => done(null, body))

  r.get(
    '/api/crosschecks/registries',
    {
      config: { access: 'registry' },
      schema: { summary: 'The other departments’ registries and the column layout of each one’s file (Chinese headers)', tags: ['crosschecks'], response: { 200: Type.Array(RegistryLayout), ...errors } },
    },
    async () => REGISTRY_KINDS.map((k) => ({ ...REGISTRIES[k], columns: REGISTRIES[k].columns.map((c) => ({ ...c, ...(c.values ? { values: [...c.values] } : {}) })), unique: [...REGISTRIES[k].unique] })),
  )

  r.post(
    '/api/crosschecks/imports',
    {
      bodyLimit: MAX_IMPORT_BYTES,
      config: { access: 'registry', rateLimit: { max: 30, timeWindow: 60_000 } },
      schema: {
        summary: 'Import a registry file of another department (body: the CSV or XLSX bytes) for your area; dryRun=true only checks it',
        description:
          'Content-Type text/csv, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet or application/octet-stream. CSV in UTF-8 or GB18030. ' +
          'The headers must be the registry’s (GET /api/crosschecks/registries); ID numbers are checked by GB 11643, duplicates refused. A file with any ' +
          'error is refused whole with a row-by-row report, and nothing is written. A real import replaces the earlier import of the registry for the area, ' +
          'matches the records to members by ID number, raises the registry’s rules’ flags and (for a county or below) ranks the mis-identification leads again.',
        tags: ['crosschecks'],
        querystring: ImportQuery,
        response: { 200: ImportAnswer, ...errorResponses(400, 401, 403, 413, 415) },
      },
    },
    async (req, reply) => {
      const body = req.body
      if (!Buffer.isBuffer(body) || body.length === 0) return reply.code(415).send({ error: 'Unsupported Media Type', message: 'send the file as a text/csv or XLSX body' })
      const c = req.caller!
      const { registry, dryRun, fileName } = req.query
      const db = app.scopedDb(req)
      const bulk = app.requestDb.requests.kind === 'server' ? 'copy' : 'insert'
      try {
        const result = await db.run(async (tx) => {
          const r = await importRegistryFile(tx, { registry, body, fileName: fileName ?? null, area: c.scope, userId: c.userId, username: c.username, dryRun, bulk })
          await appendAudit(tx, {
            ...auditFields(req),
            action: 'crosscheck.import',
            outcome: r.errors.length > 0 ? 'failed' : 'ok',
            area: c.scope,
            target: registry,
            detail: { dryRun, format: r.format, rows: r.rows, errors: r.errors.length, matched: r.matched, flags: r.flags, importId: r.importId },
          })
          return r
        })
        // The leads of the area again, with the new flags (after the import committed: the model trains between two transactions).
        const misid = result.imported && scannable(c.scope) ? (await scanMisidentification((fn) => db.run(fn), c.scope, MISID_DEFAULT_YEAR)).leads : null
        return { ...result, misidentification: misid }
      } catch (err) {
        if (err instanceof FileFormatError) return reply.code(400).send({ error: 'Bad Request', message: err.message })
        throw err
      }
    },
  )

  r.get(
    '/api/crosschecks/imports',
    {
      config: { access: 'registry' },
      schema: { summary: 'Imports of other departments’ registries for the area (default: yours), newest first', tags: ['crosschecks'], querystring: ImportListQuery, response: { 200: ImportList, ...errors } },
    },
    async (req) => (await app.scopedDb(req).query<Static<typeof ImportList>[number]>(IMPORT_LIST, [req.query.area ?? req.caller!.scope])).rows,
  )

  r.get(
    '/api/crosschecks/rules',
    {
      config: { access: 'registry' },
      schema: {
        summary: 'The cross-check rules and mis-identification checks, each with its flags in the area by state and its confirmation rate',
        tags: ['crosschecks'],
        querystring: RulesQuery,
        response: { 200: Type.Array(RuleItem), ...errors },
      },
    },
    async (req) => {
      const counts = (await app.scopedDb(req).query<{ rule: string; open: number; confirmed: number; cleared: number }>(RULE_COUNTS, [req.query.area ?? req.caller!.scope])).rows
      const by = new Map(counts.map((x) => [x.rule, x]))
      return RULES.map((rule) => {
        const n = by.get(rule.code) ?? { open: 0, confirmed: 0, cleared: 0 }
        const decided = n.confirmed + n.cleared
        return { ...rule, open: n.open, confirmed: n.confirmed, cleared: n.cleared, confirmationRate: decided > 0 ? n.confirmed / decided : null }
      })
    },
  )

  r.get(
    '/api/areas/:code/flags',
    {
      config: { access: 'registry' },
      schema: {
        summary: 'Cross-check flags of an area, newest first, each with the evidence side by side (personal data masked; audited)',
        tags: ['crosschecks'],
        params: CodeParams,
        querystring: FlagQuery,
        response: { 200: FlagPage, ...errors },
      },
    },
    async (req) => {
      const { rule, state, page, pageSize } = req.query
      return app.scopedDb(req).run(async (tx) => {
        const rows = (await tx.query<FlagRow>(FLAG_PAGE, [req.params.code, rule ?? null, state ?? null, pageSize, (page - 1) * pageSize])).rows
        await appendAudit(tx, { ...auditFields(req), action: 'crosscheck.flags', outcome: 'ok', area: req.params.code, detail: { rule: rule ?? null, state: state ?? null, page, rows: rows.length } })
        return { total: rows[0]?.total ?? 0, items: rows.map(withSeverity) }
      })
    },
  )

  r.get(
    '/api/areas/:code/misidentification',
    {
      config: { access: 'registry' },
      schema: {
        summary: 'Mis-identification leads of an area in a year (错评: registered poor that look non-poor; 漏评: exited or unregistered that look deprived), best score first, with reasons and outcome',
        tags: ['crosschecks'],
        params: CodeParams,
        querystring: MisidQuery,
        response: { 200: FlagPage, ...errors },
      },
    },
    async (req) => {
      const { year, kind, state, page, pageSize } = req.query
      return app.scopedDb(req).run(async (tx) => {
        const rows = (await tx.query<FlagRow>(MISID_PAGE, [req.params.code, year, kind ?? null, state ?? null, pageSize, (page - 1) * pageSize])).rows
        await appendAudit(tx, { ...auditFields(req), action: 'crosscheck.flags', outcome: 'ok', area: req.params.code, detail: { misidentification: kind ?? 'both', year, page, rows: rows.length } })
        return { total: rows[0]?.total ?? 0, items: rows.map(withSeverity) }
      })
    },
  )

  r.post(
    '/api/areas/:code/misidentification/scan',
    {
      config: { access: 'registry', rateLimit: { max: 10, timeWindow: 60_000 } },
      schema: {
        summary: 'Rank the area’s households of a year again (a county or below) and store the leads; decided leads keep their outcome',
        tags: ['crosschecks'],
        params: CodeParams,
        querystring: MisidYearQuery,
        response: { 200: ScanAnswer, ...errors },
      },
    },
    async (req, reply) => {
      const { code } = req.params
      if (!scannable(code)) return reply.code(400).send({ error: 'Bad Request', message: `scan a county or a smaller area, not ${code}` })
      const db = app.scopedDb(req)
      return scanMisidentification((fn) => db.run(fn), code, req.query.year, (tx, result) =>
        appendAudit(tx, { ...auditFields(req), action: 'crosscheck.scan', outcome: 'ok', area: code, detail: { year: req.query.year, households: result.households, leads: result.leads } }),
      )
    },
  )

  r.get(
    '/api/areas/:code/misidentification/model',
    {
      config: { access: 'registry', rateLimit: { max: 10, timeWindow: 60_000 } },
      schema: {
        summary: 'The classification model trained on the area’s registry of a year (at most 20 000 households of it): precision and recall of “poor” on held-out households',
        tags: ['crosschecks'],
        params: CodeParams,
        querystring: MisidYearQuery,
        response: { 200: ModelReport, ...errors },
      },
    },
    async (req) => {
      const { code } = req.params
      const report = await app.scopedDb(req).run((tx) => evaluateModel(tx, code, req.query.year))
      return { area: code, year: req.query.year, ...report, features: [...report.features] }
    },
  )

  const decide = (state: 'confirmed' | 'cleared') => async (req: FastifyRequest<{ Params: { id: string }; Body: { note: string } }>, reply: import('fastify').FastifyReply) => {
    const c = req.caller!
    const id = req.params.id
    if (!REVEAL_ROLES.includes(c.role)) {
      await app.audit(req, { action: `crosscheck.${state === 'confirmed' ? 'confirm' : 'clear'}`, outcome: 'denied', area: c.scope, target: `flag:${id}`, detail: { reason: 'role' } })
      return reply.code(403).send({ error: 'Forbidden', message: `the role ${c.role} does not decide flags: the area's county, township or village officers do` })
    }
    const note = scrubPersonal(req.body.note.trim())
    if (note.length < 2) return reply.code(400).send({ error: 'Bad Request', message: 'a note with the evidence is required' })
    try {
      const out = await app.scopedDb(req).run(async (tx) => {
        const current = (await tx.query<FlagRow>(FLAG_BY_ID, [id])).rows[0]
        if (!current) return { status: 404 as const }
        if (current.state !== 'open') return { status: 409 as const, flag: withSeverity(current) }
        const done = (await tx.query<{ id: string; villageCode: string; rule: string }>(DECIDE, [id, state, note, c.userId, c.username])).rows[0]
        if (!done) return { status: 409 as const, flag: withSeverity(current) }
        await tx.query(INSERT_REVIEW, [id, done.villageCode, state, note, c.userId, c.username])
        await appendAudit(tx, { ...auditFields(req), action: `crosscheck.${state === 'confirmed' ? 'confirm' : 'clear'}`, outcome: 'ok', area: done.villageCode, target: `flag:${id}`, detail: { rule: done.rule, note } })
        return { status: 200 as const, flag: withSeverity((await tx.query<FlagRow>(FLAG_BY_ID, [id])).rows[0]!) }
      })
      if (out.status === 404) {
        await app.audit(req, { action: 'access.denied', outcome: 'denied', area: c.scope, target: `flag:${id}`, detail: { reason: 'flag', route: req.routeOptions.url } })
        return reply.code(404).send({ error: 'Not Found', message: `no flag ${id}` })
      }
      if (out.status === 409) return reply.code(409).send({ error: 'Conflict', message: `flag ${id} is already ${out.flag.state}` })
      return out.flag
    } catch (err) {
      // The database refuses a decision the caller may not take (row-level security), as a 403.
      if (err instanceof DbError && (err.code === '42501' || err.code === '55000')) return reply.code(403).send({ error: 'Forbidden', message: 'this flag cannot be decided by you' })
      throw err
    }
  }

  for (const [verb, state] of [['confirm', 'confirmed'], ['clear', 'cleared']] as const) {
    r.post(
      `/api/flags/:id/${verb}`,
      {
        config: { access: 'registry' },
        schema: {
          summary: verb === 'confirm' ? 'Confirm a flag (it was right) with the evidence note; county, township and village officers of its area' : 'Clear a flag (it was wrong) with the evidence note; county, township and village officers of its area',
          tags: ['crosschecks'],
          params: FlagParams,
          body: DecisionBody,
          response: { 200: Flag, ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      decide(state),
    )
  }
}

export default crosschecks
