import type { FastifyPluginAsync } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { ASSURANCE_GAPS } from '../../domain/codes.js'
import { errorResponses } from '../../domain/schemas/common.js'
import { HouseholdList, HouseholdListQuery, type HouseholdListItem } from '../../domain/schemas/registry.js'
import { LAYER_BY_ID } from '../../tiles/registry.js'
import { normaliseFilter, TileRequestError } from '../tiles/tile-filters.js'
import { appendAudit } from '../audit/audit-log.js'
import { auditFields } from '../audit/request-audit.js'
import { HOUSEHOLD_COUNT, HOUSEHOLD_ORDER, householdPage } from './registry-queries.js'

type Row = Omit<HouseholdListItem, 'gaps'> & { gaps: number; total: number }

/**
 * GET /api/households: the households of an area in the caller's view, a page at a time, sorted and filtered on the
 * server (status, cause and gap filters as the households tile layer takes them), for the household list screen.
 * The area check (inside the caller's area, else 404) is the access rules'; row-level security decides the rows.
 */
const householdList: FastifyPluginAsync = async (app) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  r.get(
    '/api/households',
    {
      config: { access: 'registry' },
      schema: {
        summary: 'Households of an area, a page at a time (server-side sort and filters; no names, ID numbers or phones)',
        tags: ['registry'],
        querystring: HouseholdListQuery,
        response: { 200: HouseholdList, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      const { area, year, page, pageSize, sort, q, status, cause, gap } = req.query
      let filter: Record<string, unknown>
      try {
        filter = normaliseFilter([LAYER_BY_ID.get('households')!], { status, cause, gap })
      } catch (err) {
        if (err instanceof TileRequestError) return reply.code(400).send({ error: 'Bad Request', message: err.message })
        throw err
      }
      const search = q?.trim() ? q.trim() : null
      const params = [area, year, JSON.stringify(filter), search]
      const { rows, total } = await app.scopedDb(req).run(async (tx) => {
        const rows = (await tx.query<Row>(householdPage(HOUSEHOLD_ORDER[sort]), [...params, pageSize, (page - 1) * pageSize])).rows
        const total = rows[0]?.total ?? (page > 1 ? (await tx.query<{ total: number }>(HOUSEHOLD_COUNT, params)).rows[0]!.total : 0)
        await appendAudit(tx, { ...auditFields(req), action: 'household.list', outcome: 'ok', area, detail: { year, sort, page, pageSize, filter, q: search !== null } })
        return { rows, total }
      })
      return {
        total,
        page,
        pageSize,
        items: rows.map(({ total: _t, gaps, ...row }) => ({ ...row, gaps: ASSURANCE_GAPS.filter((_g, i) => (gaps & (1 << i)) !== 0) })),
      }
    },
  )
}

export default householdList
