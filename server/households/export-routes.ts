import type { FastifyPluginAsync } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { CodeParams, errorResponses, YearQuery } from '../../domain/schemas/common.js'
import { appendAudit } from '../audit/audit-log.js'
import { auditFields } from '../plugins/auth.js'
import { csvDocument } from './csv.js'
import { HOUSEHOLD_EXPORT } from './household-queries.js'

export const EXPORT_MAX_ROWS = 50_000
const EXPORT_COLUMNS = ['ref', 'village_code', 'village', 'year', 'status', 'main_cause', 'size', 'attribute', 'income_per_capita', 'gaps', 'housing_safety', 'phone', 'lon', 'lat'] as const

/** The registered households of an area as CSV: masked (no names or ID numbers, phone masked), bounded, audited. */
const exportRoutes: FastifyPluginAsync = async (app) => {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/api/areas/:code/households.csv',
    {
      config: { access: 'registry', rateLimit: { max: 10, timeWindow: 60_000 } },
      schema: {
        summary: 'The registered households of an area in a year as CSV (UTF-8 with BOM), phone masked, no names or ID numbers (audited)',
        tags: ['households'],
        params: CodeParams,
        querystring: YearQuery,
        response: errorResponses(400, 401, 403, 404, 413),
      },
    },
    async (req, reply) => {
      const { code } = req.params
      const { year } = req.query
      const rows = await app.scopedDb(req).run(async (tx) => {
        const found = (await tx.query<Record<string, unknown>>(HOUSEHOLD_EXPORT, [code, year, EXPORT_MAX_ROWS + 1])).rows
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
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="households-${code}-${year}.csv"`)
        .send(csvDocument(EXPORT_COLUMNS, rows))
    },
  )
}

export default exportRoutes
