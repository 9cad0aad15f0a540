import type { FastifyPluginAsync } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { CodeParams, errorResponses } from '../../domain/schemas/common.js'
import { HouseholdExportQuery } from '../../domain/schemas/households.js'
import { LAYER_BY_ID } from '../../tiles/registry.js'
import { normaliseFilter, TileRequestError } from '../tiles/tile-filters.js'
import { appendAudit } from '../audit/audit-log.js'
import { auditFields } from '../audit/request-audit.js'
import { csvDocument } from './csv.js'
import { HOUSEHOLD_EXPORT } from './household-queries.js'

export const EXPORT_MAX_ROWS = 50_000
const EXPORT_COLUMNS = ['ref', 'village_code', 'village', 'year', 'status', 'main_cause', 'size', 'attribute', 'income_per_capita', 'gaps', 'housing_safety', 'phone', 'lon', 'lat'] as const

/**
 * The registered households of an area as CSV: masked (no names or ID numbers, phone masked), bounded,
 * audited. A sub-resource of an area: the areas capability mounts it under /api/areas/:code.
 */
const householdsExport: FastifyPluginAsync = async (app) => {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/households.csv',
    {
      config: { access: 'registry', rateLimit: { max: 10, timeWindow: 60_000 } },
      schema: {
        summary: 'The registered households of an area in a year as CSV (UTF-8 with BOM), phone masked, no names or ID numbers (audited)',
        tags: ['households'],
        params: CodeParams,
        querystring: HouseholdExportQuery,
        response: errorResponses(400, 401, 403, 404, 413),
      },
    },
    async (req, reply) => {
      const { code } = req.params
      const { year, ...lists } = req.query
      let filter: Record<string, unknown>
      try {
        filter = { ...normaliseFilter([LAYER_BY_ID.get('households')!], lists), year }
      } catch (err) {
        if (err instanceof TileRequestError) return reply.code(400).send({ error: 'Bad Request', message: err.message })
        throw err
      }
      const rows = await app.scopedDb(req).run(async (tx) => {
        const found = (await tx.query<Record<string, unknown>>(HOUSEHOLD_EXPORT, [code, year, EXPORT_MAX_ROWS + 1, JSON.stringify(filter)])).rows
        await appendAudit(tx, {
          ...auditFields(req),
          action: 'export.households',
          outcome: found.length > EXPORT_MAX_ROWS ? 'denied' : 'ok',
          area: code,
          detail: { year, ...lists, rows: Math.min(found.length, EXPORT_MAX_ROWS), masked: true },
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

export default householdsExport
