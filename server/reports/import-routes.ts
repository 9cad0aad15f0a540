import type { FastifyPluginAsync } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import ExcelJS from 'exceljs'
import { errorResponses, OneOf, UUID_PATTERN } from '../../domain/schemas/common.js'
import { HOUSEHOLD_IMPORT_COLUMNS } from '../../domain/reports/import-columns.js'
import { DEMO_NOTE } from '../../domain/reports/labels.js'
import { auditFields } from '../audit/request-audit.js'
import { refusalOf } from '../registry/refusals.js'
import { ImportFileError, parseTable } from './import-parse.js'
import { ImportCancelled, planHouseholdImport, type ImportPlan } from './import-households.js'
import { PROPOSING_ROLES, runHouseholdPlan, type RunResult } from './import-run.js'
import { templateCsv, templateTwoSheets, templateXlsx } from './import-template.js'
import { importOther, otherTemplate } from './import-other.js'
import { importMeasures, measureTemplate } from './import-measures.js'

/** Largest import file: 100,000 households with their members as CSV is about 40 MB. */
export const IMPORT_MAX_BYTES = 64 * 1024 * 1024
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
const IMPORT_KINDS = ['households', 'projects', 'indicators', 'measures'] as const
const JOB_TTL_MS = 30 * 60_000

interface Job {
  owner: number
  percent: number
  state: 'running' | 'done' | 'failed' | 'cancelled'
  cancel: boolean
  at: number
}

const ImportQuery = Type.Object(
  {
    kind: OneOf(IMPORT_KINDS, { default: 'households' }),
    dryRun: Type.Boolean({ default: true, description: 'true: report only, nothing written' }),
    format: OneOf(['json', 'xlsx'] as const, { default: 'json', description: 'xlsx: the dry-run report as a workbook' }),
    job: Type.Optional(Type.String({ pattern: UUID_PATTERN, description: 'a UUID the client chooses, to follow the progress and cancel' })),
    mapping: Type.Optional(Type.String({ maxLength: 4000, description: 'JSON { "file header": "column key" } for headers not recognised by name' })),
    crs: Type.Optional(Type.String({ pattern: '^(auto|wgs84|cgcs2000|gcj02|EPSG:[0-9]{4,5})$', description: 'projects: the coordinates\' system when the file does not say (.prj, GeoJSON crs); gcj02 is converted to WGS84' })),
  },
  { additionalProperties: false },
)
const JobQuery = Type.Object({ job: Type.Optional(Type.String({ pattern: UUID_PATTERN })) }, { additionalProperties: false })
const JobState = Type.Object({ job: Type.Union([Type.String(), Type.Null()]), percent: Type.Number(), state: Type.String() })
const TemplateQuery = Type.Object(
  {
    kind: OneOf(IMPORT_KINDS, { default: 'households' }),
    format: OneOf(['csv', 'xlsx'] as const, { default: 'xlsx' }),
    sheets: Type.Integer({ minimum: 1, maximum: 2, default: 1, description: 'households as xlsx: 2 puts households and members on two sheets joined by 户编号' }),
  },
  { additionalProperties: false },
)

const Problem = Type.Object({ sheet: Type.Optional(Type.String({ description: 'a two-sheet workbook: the sheet of the row' })), row: Type.Integer(), column: Type.String(), value: Type.String(), problem: Type.String() })
const ImportReport = Type.Object({
  rows: Type.Integer(),
  errors: Type.Array(Problem),
  create: Type.Integer(),
  change: Type.Integer(),
  unchanged: Type.Integer(),
  households: Type.Optional(Type.Array(
    Type.Object({
      key: Type.String({ description: "the head's ID number, masked" }),
      rows: Type.Array(Type.Integer()),
      action: OneOf(['create', 'change', 'unchanged'] as const),
      diffs: Type.Array(Type.Object({ field: Type.String(), before: Type.Unknown(), after: Type.Unknown() })),
    }),
    { description: 'what the real run does, household by household (at most 2,000 listed)' },
  )),
  items: Type.Optional(
    Type.Array(
      Type.Object({
        key: Type.String({ description: 'project code, or village/indicator/year' }),
        rows: Type.Array(Type.Integer()),
        action: OneOf(['create', 'change', 'unchanged'] as const),
        diffs: Type.Array(Type.Object({ field: Type.String(), before: Type.Unknown(), after: Type.Unknown() })),
        converted: Type.Optional(Type.Boolean({ description: 'the geometry was GCJ-02, converted to WGS84' })),
      }),
      { description: 'projects and indicators: what the real run does, item by item (at most 2,000 listed)' },
    ),
  ),
  crs: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'projects: the coordinate system detected or chosen' })),
  converted: Type.Optional(Type.Integer({ description: 'projects: records converted from GCJ-02' })),
  unmapped: Type.Array(Type.String()),
  encoding: Type.Union([Type.String(), Type.Null()]),
  dryRun: Type.Boolean(),
  batch: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  mode: Type.Optional(OneOf(['requests', 'applied'] as const)),
  requests: Type.Optional(Type.Integer()),
})

async function reportWorkbook(plan: ImportPlan): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  const p = wb.addWorksheet('问题', { views: [{ state: 'frozen', ySplit: 1 }] })
  // A two-sheet workbook's problems name their sheet too.
  const sheets = plan.errors.some((e) => e.sheet !== undefined)
  p.addRow([...(sheets ? ['工作表'] : []), '行号', '列', '值', '问题']).font = { bold: true }
  for (const e of plan.errors) p.addRow([...(sheets ? [e.sheet ?? ''] : []), e.row, e.column, e.value, e.problem])
  p.columns.forEach((c, i) => (c.width = [...(sheets ? [12] : []), 8, 16, 24, 60][i]))
  const s = wb.addWorksheet('处理结果', { views: [{ state: 'frozen', ySplit: 1 }] })
  s.addRow(['户主身份证号（脱敏）', '行号', '处理', '变化']).font = { bold: true }
  const action = { create: '新增', change: '变更', unchanged: '无变化' }
  for (const h of plan.households) s.addRow([h.key, h.rows.join('、'), action[h.action], h.diffs.map((d) => `${d.field}: ${JSON.stringify(d.before)} → ${JSON.stringify(d.after)}`).join('；')])
  s.columns.forEach((c, i) => (c.width = [24, 16, 8, 80][i]))
  s.addRow([])
  s.addRow([`共 ${plan.rows} 行：新增 ${plan.create} 户，变更 ${plan.change} 户，无变化 ${plan.unchanged} 户，问题 ${plan.errors.length} 处。${DEMO_NOTE.zh}`])
  return Buffer.from(await wb.xlsx.writeBuffer())
}

/**
 * Imports (issue 19): templates, and households with members from CSV (UTF-8 or GB18030) or XLSX, checked row by
 * row with the registry's validation. A dry run reports problems and what a run would do; a real run is one
 * transaction. Progress (percent) and cancel by a job id the client chooses.
 */
const importRoutes: FastifyPluginAsync<{ noticeDays?: number }> = async (app, opts) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  const jobs = new Map<string, Job>()
  app.addContentTypeParser(['text/csv', 'text/plain', XLSX_TYPE, 'application/octet-stream', 'application/zip', 'application/geo+json'], { parseAs: 'buffer', bodyLimit: IMPORT_MAX_BYTES }, (_req, body, done) => done(null, body))

  r.get(
    '/api/imports/template',
    { config: { access: 'registry' }, schema: { summary: 'An empty import file with the expected Chinese headers and one example row (households as XLSX: one sheet, or households and members on two)', tags: ['reports'], querystring: TemplateQuery, response: errorResponses(400) } },
    async (req, reply) => {
      const { format, kind } = req.query
      if (kind === 'measures') {
        return reply.type(format === 'csv' ? 'text/csv; charset=utf-8' : XLSX_TYPE).header('content-disposition', `attachment; filename="import-measures-template.${format}"`).send(await measureTemplate(format))
      }
      if (kind !== 'households') {
        return reply.type(format === 'csv' ? 'text/csv; charset=utf-8' : XLSX_TYPE).header('content-disposition', `attachment; filename="import-${kind}-template.${format}"`).send(await otherTemplate(kind, format))
      }
      const file =
        format === 'csv'
          ? templateCsv(HOUSEHOLD_IMPORT_COLUMNS)
          : req.query.sheets === 2
            ? await templateTwoSheets(HOUSEHOLD_IMPORT_COLUMNS)
            : await templateXlsx(HOUSEHOLD_IMPORT_COLUMNS, '建档立卡户')
      return reply
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : XLSX_TYPE)
        .header('content-disposition', `attachment; filename="import-households-template.${format}"`)
        .send(file)
    },
  )

  r.get(
    '/api/imports/progress',
    { config: { access: 'registry' }, schema: { summary: 'How far an import (by its job id) has come, in percent', tags: ['reports'], querystring: JobQuery, response: { 200: JobState, ...errorResponses(400) } } },
    async (req) => {
      const job = req.query.job ? jobs.get(req.query.job) : undefined
      if (!job || job.owner !== req.caller!.userId) return { job: req.query.job ?? null, percent: 0, state: 'unknown' }
      return { job: req.query.job!, percent: Math.round(job.percent * 10) / 10, state: job.state }
    },
  )

  r.post(
    '/api/imports/cancel',
    { config: { access: 'registry' }, schema: { summary: 'Cancels a running import (its transaction is rolled back)', tags: ['reports'], querystring: JobQuery, response: { 200: JobState, ...errorResponses(400, 404) } } },
    async (req, reply) => {
      const job = req.query.job ? jobs.get(req.query.job) : undefined
      if (!job || job.owner !== req.caller!.userId) return reply.code(404).send({ error: 'Not Found', message: 'no running import with this job id' })
      job.cancel = true
      return { job: req.query.job!, percent: job.percent, state: job.state }
    },
  )

  r.post(
    '/api/imports',
    {
      bodyLimit: IMPORT_MAX_BYTES,
      config: { access: 'registry', rateLimit: { max: 20, timeWindow: 60_000 } },
      schema: {
        summary: 'Imports households with members (CSV UTF-8/GB18030 or XLSX), projects (also GeoJSON or a zipped Shapefile) or indicator values: a dry run reports row by row; a real run is one transaction',
        tags: ['reports'],
        querystring: ImportQuery,
        response: { 200: ImportReport, ...errorResponses(400, 403, 404, 409, 413) },
      },
    },
    async (req, reply) => {
      const { dryRun, format, job: jobId, mapping: mappingText } = req.query
      const caller = req.caller!
      const body = req.body
      if (!Buffer.isBuffer(body) || body.length === 0) return reply.code(400).send({ error: 'Bad Request', message: 'send the file as the body (text/csv or an XLSX workbook)' })
      if (!dryRun && caller.role !== 'province_admin' && !PROPOSING_ROLES.includes(caller.role)) {
        return reply.code(403).send({ error: 'Forbidden', message: `the role ${caller.role} may check an import (dry run) but not run one` })
      }
      let mapping: Record<string, string> = {}
      if (mappingText) {
        try {
          const m = JSON.parse(mappingText) as unknown
          if (!m || typeof m !== 'object' || Array.isArray(m) || Object.values(m).some((v) => typeof v !== 'string')) throw new Error('shape')
          mapping = m as Record<string, string>
        } catch {
          return reply.code(400).send({ error: 'Bad Request', message: 'mapping must be a JSON object of header → column key' })
        }
      }
      if (req.query.kind === 'measures') return importMeasures(app, req, reply, { dryRun, format, noticeDays: opts.noticeDays ?? 7 }, mapping, body)
      if (req.query.kind !== 'households') return importOther(app, req, reply, { kind: req.query.kind, dryRun, format, crs: req.query.crs }, mapping, body)
      for (const [id, j] of jobs) if (Date.now() - j.at > JOB_TTL_MS) jobs.delete(id)
      if (jobId && jobs.get(jobId)?.state === 'running') return reply.code(409).send({ error: 'Conflict', message: 'this job id is running already' })
      const job: Job = { owner: caller.userId, percent: 0, state: 'running', cancel: false, at: Date.now() }
      if (jobId) jobs.set(jobId, job)
      const share = dryRun ? 100 : 40
      try {
        const table = await parseTable(body)
        const plan = await planHouseholdImport(app.db, table, {
          scope: caller.scope,
          mapping,
          onProgress: (s) => (job.percent = s * share),
          isCancelled: () => job.cancel,
        })
        let run: RunResult | null = null
        if (!dryRun) {
          if (plan.errors.length) {
            job.state = 'failed'
            return reply.code(400).send({ error: 'Bad Request', message: `the file has ${plan.errors.length} problems: nothing was imported; run a dry run and correct them` })
          }
          run = await app.scopedDb(req).run((tx) =>
            runHouseholdPlan(tx, plan, {
              role: caller.role,
              area: caller.scope,
              noticeDays: opts.noticeDays ?? 7,
              audit: auditFields(req),
              onProgress: (s) => (job.percent = share + s * (100 - share)),
              isCancelled: () => job.cancel,
            }),
          )
        } else {
          await app.audit(req, { action: 'import.check', outcome: 'ok', area: caller.scope, detail: { kind: 'households', rows: plan.rows, errors: plan.errors.length, create: plan.create, change: plan.change, unchanged: plan.unchanged } })
        }
        job.percent = 100
        job.state = 'done'
        if (format === 'xlsx') {
          return reply.type(XLSX_TYPE).header('content-disposition', 'attachment; filename="import-report.xlsx"').send(await reportWorkbook(plan))
        }
        const { households, ...rest } = plan
        return {
          ...rest,
          households: households.slice(0, 2000).map(({ ops: _ops, ...h }) => h),
          dryRun,
          ...(run ? { batch: run.batch, mode: run.mode, requests: run.requests.length } : {}),
        }
      } catch (err) {
        job.state = err instanceof ImportCancelled ? 'cancelled' : 'failed'
        if (err instanceof ImportCancelled) return reply.code(409).send({ error: 'Conflict', message: 'the import was cancelled: nothing was written' })
        if (err instanceof ImportFileError) return reply.code(400).send({ error: 'Bad Request', message: err.message })
        const refusal = refusalOf(err)
        if (refusal) return reply.code(refusal.status === 403 ? 403 : 400).send({ error: refusal.status === 403 ? 'Forbidden' : 'Bad Request', message: `the registry refused a household: ${refusal.en}; nothing was imported` })
        throw err
      }
    },
  )
}

export default importRoutes
