import type { FastifyPluginAsync } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { errorResponses } from '../../domain/schemas/common.js'
import { areaRelation } from '../../domain/admin-codes.js'
import { REPORT_TABLES, REPORT_TABLE_BY_ID } from '../../domain/reports/tables.js'
import { Report, ReportListItem, ReportParams, ReportQuery, SnapshotBody, SnapshotListQuery, SnapshotOut, type Report as ReportT } from '../../domain/reports/schemas.js'
import { buildReports } from './report-data.js'
import { reportsWorkbook } from './report-xlsx.js'
import { PdfPrinter, PdfUnavailableError } from './report-pdf.js'
import { reportHtml, type AreaShape } from './report-print.js'
import { diffReports } from './snapshot-diff.js'
import { PRINT_SHAPES, SNAPSHOT_BY_ID, SNAPSHOT_INSERT, SNAPSHOT_LIST } from './report-queries.js'
import { appendAudit } from '../audit/audit-log.js'
import { auditFields } from '../audit/request-audit.js'

const noArea = (code: string) => ({ error: 'Not Found', message: `no administrative division with code ${code}` })
const ALL = 'all'

/**
 * Statistical tables (统计报表) of an area and year, rolled up from village to province so that every
 * row is the sum of its children: as JSON, XLSX (one sheet per table) or a printable PDF of the area;
 * snapshots freeze a table for a month, quarter or year.
 */
const reportRoutes: FastifyPluginAsync = async (app) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  const printer = new PdfPrinter()
  app.addHook('onClose', async () => printer.close())

  r.get('/api/reports', { schema: { summary: 'The statistical tables', tags: ['reports'], response: { 200: Type.Array(ReportListItem) } } }, async () =>
    REPORT_TABLES.map((t) => ({ id: t.id, title: t.title.zh, titleEn: t.title.en })),
  )

  r.get(
    '/api/reports/:table',
    {
      schema: {
        summary: 'A statistical table of an area and year: one row per child area, total = sum of rows (json, xlsx, pdf; `all` for every table as xlsx or pdf)',
        tags: ['reports'],
        params: ReportParams,
        querystring: ReportQuery,
        response: { 200: Report, ...errorResponses(400, 404, 503) },
      },
    },
    async (req, reply) => {
      const { table } = req.params
      const { area, year, format, snapshot } = req.query
      const defs = table === ALL ? REPORT_TABLES : REPORT_TABLE_BY_ID.get(table) ? [REPORT_TABLE_BY_ID.get(table)!] : null
      if (!defs) return reply.code(404).send({ error: 'Not Found', message: `no report table ${table} (GET /api/reports lists them)` })
      if (table === ALL && format === 'json') return reply.code(400).send({ error: 'Bad Request', message: 'table `all` is for xlsx and pdf; ask for one table as json' })
      const found = await app.scopedDb(req).run(async (tx) => {
        // The printed report of an area always opens with its key figures: every table is built for it.
        const reports = await buildReports(tx, area, year, format === 'pdf' && snapshot === undefined ? REPORT_TABLES : defs)
        const shapes = format === 'pdf' ? (await tx.query<AreaShape>(PRINT_SHAPES, [area])).rows : []
        if (!reports || snapshot === undefined) return reports && { reports, shapes }
        const snap = (await tx.query<SnapshotOut & { report: ReportT }>(SNAPSHOT_BY_ID, [snapshot])).rows[0]
        if (!snap || snap.area !== area || snap.year !== year || (table !== ALL && snap.table !== table)) return { missingSnapshot: true as const }
        const { report: frozen, ...meta } = snap
        return { reports: [{ ...frozen, snapshot: meta, changes: diffReports(frozen, reports.find((x) => x.id === snap.table)!) }], shapes }
      })
      if (!found) return reply.code(404).send(noArea(area))
      if ('missingSnapshot' in found) return reply.code(404).send({ error: 'Not Found', message: `no snapshot ${snapshot} of ${table} for ${area} in ${year}` })
      const { reports, shapes } = found
      if (format === 'json') return reports[0]!
      const name = `report-${table}-${area}-${year}`
      if (format === 'xlsx') {
        return reply
          .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
          .header('content-disposition', `attachment; filename="${name}.xlsx"`)
          .send(await reportsWorkbook(reports))
      }
      const ordered = table === ALL ? reports : [...reports.filter((x) => x.id === table), ...reports.filter((x) => x.id !== table)]
      let pdf: Buffer
      try {
        pdf = await printer.print(await reportHtml({ reports: ordered, shapes, generatedAt: new Date() }))
      } catch (err) {
        if (err instanceof PdfUnavailableError) return reply.code(503).send({ error: 'Service Unavailable', message: err.message })
        throw err
      }
      return reply.type('application/pdf').header('content-disposition', `attachment; filename="${name}.pdf"`).send(pdf)
    },
  )

  r.get(
    '/api/report-snapshots',
    { schema: { summary: 'Frozen reports of an area and below, newest first', tags: ['reports'], querystring: SnapshotListQuery, response: { 200: Type.Array(SnapshotOut), ...errorResponses(400, 404) } } },
    async (req) => (await app.scopedDb(req).query<SnapshotOut>(SNAPSHOT_LIST, [req.query.area, req.query.table ?? null])).rows,
  )

  r.post(
    '/api/report-snapshots',
    {
      config: { access: 'registry', rateLimit: { max: 20, timeWindow: 60_000 } },
      schema: {
        summary: 'Freezes a table (or `all`) of an area for a month, quarter or year: later edits do not change it (audited)',
        tags: ['reports'],
        body: SnapshotBody,
        response: { 201: Type.Array(SnapshotOut), ...errorResponses(400, 404, 409) },
      },
    },
    async (req, reply) => {
    const { table, area, year, periodKind, period } = req.body
    const caller = req.caller!
    if (areaRelation(caller.scope, area) !== 'inside') {
      await app.auditQuietly(req, { action: 'access.denied', outcome: 'denied', area: caller.scope, target: 'POST /api/report-snapshots', detail: { reason: 'area', area } })
      return reply.code(404).send(noArea(area))
    }
    if (!period.startsWith(String(year)) || (periodKind === 'year') !== (period.length === 4) || (periodKind === 'quarter') !== period.includes('Q')) {
      return reply.code(400).send({ error: 'Bad Request', message: `period ${period} is not a ${periodKind} of ${year}` })
    }
    const defs = table === ALL ? REPORT_TABLES : REPORT_TABLE_BY_ID.get(table) ? [REPORT_TABLE_BY_ID.get(table)!] : null
    if (!defs) return reply.code(404).send({ error: 'Not Found', message: `no report table ${table}` })
    const out = await app.scopedDb(req).run(async (tx) => {
      const reports = await buildReports(tx, area, year, defs)
      if (!reports) return null
      const made: SnapshotOut[] = []
      for (const rep of reports) {
        const row = (await tx.query<SnapshotOut>(SNAPSHOT_INSERT, [rep.id, area, year, periodKind, period, JSON.stringify(rep)])).rows[0]
        if (row) made.push(row)
      }
      if (made.length) await appendAudit(tx, { ...auditFields(req), action: 'report.freeze', outcome: 'ok', area, target: table, detail: { year, periodKind, period, tables: made.map((m) => m.table) } })
      return made
    })
    if (!out) return reply.code(404).send(noArea(area))
    if (out.length === 0) return reply.code(409).send({ error: 'Conflict', message: `${table} of ${area} is already frozen for ${period}` })
    return reply.code(201).send(out)
  },
  )
}

export default reportRoutes
