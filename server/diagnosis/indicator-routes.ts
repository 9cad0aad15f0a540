import type { FastifyPluginAsync } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { childCodeLength, childLevelOf } from '../../domain/admin-codes.js'
import { FIRST_YEAR, LAST_YEAR } from '../../domain/codes.js'
import { errorResponses } from '../../domain/schemas/common.js'
import { Indicator, Inspection, InspectionQuery, type ChildValue, type Threshold } from '../../domain/schemas/diagnosis.js'
import type { Static } from 'typebox'
import { noArea } from '../areas/routes.js'
import { AREA_INDICATOR_VALUES, CHILDREN_INDICATOR, INDICATOR_DEFS } from './diagnosis-queries.js'
import indicatorSystemRoutes from './indicator-system-routes.js'
import { areaHead, indicatorOf, noIndicator } from './lookups.js'

const errors = errorResponses(400, 404)

interface ChildRow extends Static<typeof ChildValue> {
  level: Inspection['parent']['level']
  ruralPopulation: number | null
  poorHouseholds: number
  poorPeople: number
  centroid: number[]
  bbox: number[]
}

/**
 * Environment indicators: their definitions, and the divisions below a parent ranked worst first by one
 * (inspection). Every query runs as the caller (row-level security decides what is counted), one
 * transaction per request.
 */
const indicatorRoutes: FastifyPluginAsync = async (app) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  await app.register(indicatorSystemRoutes)

  r.get(
    '/api/indicators',
    { schema: { summary: 'Environment indicator definitions', tags: ['diagnosis'], response: { 200: Type.Array(Indicator) } } },
    async (req) => {
      // Years holding values: those of the caller's area (indicator values are scoped).
      const { rows } = await app.scopedDb(req).query<Omit<Indicator, 'threshold'> & { tValue: number | null; tBasis: Threshold['basis'] | null; tZh: string | null; tEn: string | null }>(
        INDICATOR_DEFS,
        [FIRST_YEAR, LAST_YEAR],
      )
      // Thresholds come from the indicator system (indicator_def, editable and versioned).
      return rows.map(({ tValue, tBasis, tZh, tEn, ...d }) => ({
        ...d,
        threshold: tValue === null || tBasis === null ? null : { value: tValue, basis: tBasis, note: { zh: tZh ?? '', en: tEn ?? '' } },
      }))
    },
  )

  r.get(
    '/api/inspection',
    {
      schema: {
        summary: 'The divisions one level below a parent, ranked worst first by an indicator (for inspection trips)',
        tags: ['diagnosis'],
        querystring: InspectionQuery,
        response: { 200: Inspection, ...errors },
      },
    },
    async (req, reply) => {
      const { parent: code, indicator, year } = req.query
      const childLength = childCodeLength(code)
      const found = await app.scopedDb(req).run(async (tx) => {
        const p = await areaHead(tx, code)
        if (!p) return { missing: noArea(code) }
        const def = await indicatorOf(tx, indicator)
        if (!def) return { missing: noIndicator(indicator) }
        return {
          p,
          def,
          children: childLength ? await tx.query<ChildRow>(CHILDREN_INDICATOR, [code, indicator, year, childLength]) : { rows: [] as ChildRow[] },
          parentValues: await tx.query<{ code: string; value: number | null }>(AREA_INDICATOR_VALUES, [code, year, [indicator]]),
        }
      })
      if ('missing' in found) return reply.code(404).send(found.missing)
      const { p, def, children, parentValues } = found
      const total = parentValues.rows[0]?.value ?? null
      const parentValue = total === null ? null : def.aggregation === 'sum' ? (children.rows.length ? total / children.rows.length : null) : total
      const worse = (a: number, b: number) => (def.direction === 'lower_better' ? a > b : a < b)
      const ranked = [...children.rows].sort((a, b) => {
        if (a.value === null || b.value === null) return a.value === null ? (b.value === null ? a.code.localeCompare(b.code) : 1) : -1
        return a.value === b.value ? a.code.localeCompare(b.code) : worse(a.value, b.value) ? -1 : 1
      })
      return {
        parent: { code: p.code, name: p.name, level: p.level },
        indicator: { code: indicator, direction: def.direction },
        year,
        level: childLevelOf(code),
        parentValue,
        items: ranked.map((c, i) => ({
          rank: i + 1,
          code: c.code,
          name: c.name,
          level: c.level,
          value: c.value,
          villages: c.villages,
          lagging: c.value !== null && parentValue !== null && worse(c.value, parentValue),
          poorHouseholds: c.poorHouseholds,
          poorPeople: c.poorPeople,
          incidence: c.ruralPopulation ? c.poorPeople / c.ruralPopulation : null,
          centroid: c.centroid,
          bbox: c.bbox,
        })),
      }
    },
  )
}

export default indicatorRoutes
