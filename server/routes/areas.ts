import type { FastifyPluginAsync } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type, type Static } from 'typebox'
import { FIRST_YEAR, LAST_YEAR } from '../../domain/codes.js'
import { AREA_BY_CODE, AREA_CHILDREN, AREA_EXISTS, AREA_STATS, SEARCH_AREAS } from '../areas/area-queries.js'

const Code = Type.String({
  pattern: '^[0-9]{2}([0-9]{2}([0-9]{2}([0-9]{3}([0-9]{3})?)?)?)?$',
  description: 'administrative code: 2 province, 4 prefecture, 6 county, 9 township, 12 village digits',
})
const Level = Type.Union(['province', 'prefecture', 'county', 'township', 'village'].map((l) => Type.Literal(l)))
const Area = Type.Object({
  code: Type.String(),
  name: Type.String(),
  level: Level,
  parentCode: Type.Union([Type.String(), Type.Null()]),
  centroid: Type.Array(Type.Number(), { minItems: 2, maxItems: 2, description: '[lon, lat] WGS84' }),
  bbox: Type.Array(Type.Number(), { minItems: 4, maxItems: 4, description: '[west, south, east, north] WGS84' }),
})
const Stats = Type.Object({
  code: Type.String(),
  year: Type.Integer(),
  households: Type.Integer({ description: 'registered households in the year' }),
  people: Type.Integer(),
  poorHouseholds: Type.Integer({ description: 'households poor that year (status poor or returned)' }),
  poorPeople: Type.Integer(),
  liftedHouseholds: Type.Integer(),
  returnedHouseholds: Type.Integer(),
  incidence: Type.Union([Type.Number(), Type.Null()], { description: 'poor people / rural population (0-1); null without population' }),
})
const SearchHit = Type.Object({ code: Type.String(), name: Type.String(), level: Level, path: Type.String() })
const errors = { 400: { $ref: 'ErrorBody#' }, 404: { $ref: 'ErrorBody#' } }

const areas: FastifyPluginAsync = async (app) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  const notFound = (code: string) => ({ error: 'Not Found', message: `no administrative division with code ${code}` })

  r.get(
    '/api/areas/:code',
    {
      // The divisions above the caller's area answer too (breadcrumbs), with name and outline only.
      config: { area: 'path' },
      schema: { summary: "One administrative division (the caller's area, below it, or above it)", tags: ['areas'], params: Type.Object({ code: Code }), response: { 200: Area, ...errors } },
    },
    async (req, reply) => {
      const { rows } = await app.scopedDb(req).query<Record<string, unknown>>(AREA_BY_CODE, [req.params.code])
      return rows[0] ?? reply.code(404).send(notFound(req.params.code))
    },
  )

  r.get(
    '/api/areas/:code/children',
    {
      config: { area: 'path' },
      schema: {
        summary: "The divisions one level below (of a division above the caller's area: only the one on the way to it)",
        tags: ['areas'],
        params: Type.Object({ code: Code }),
        response: { 200: Type.Array(Area), ...errors },
      },
    },
    async (req, reply) => {
      const children = await app.scopedDb(req).run(async (tx) => {
        const exists = await tx.query(AREA_EXISTS, [req.params.code])
        return exists.rowCount === 0 ? null : (await tx.query<Record<string, unknown>>(AREA_CHILDREN, [req.params.code])).rows
      })
      return children ?? reply.code(404).send(notFound(req.params.code))
    },
  )

  r.get(
    '/api/areas/:code/stats',
    {
      schema: {
        summary: 'Registered poor population of an area in a year',
        tags: ['areas'],
        params: Type.Object({ code: Code }),
        querystring: Type.Object({ year: Type.Integer({ minimum: FIRST_YEAR, maximum: LAST_YEAR, default: LAST_YEAR }) }, { additionalProperties: false }),
        response: { 200: Stats, ...errors },
      },
    },
    async (req, reply) => {
      const found = await app.scopedDb(req).run(async (tx) => {
        const area = await tx.query<{ rural_population: number | null }>(AREA_EXISTS, [req.params.code])
        if (area.rowCount === 0) return null
        const { rows } = await tx.query<Omit<Static<typeof Stats>, 'code' | 'year' | 'incidence'>>(AREA_STATS, [req.params.code, req.query.year])
        return { s: rows[0]!, pop: area.rows[0]!.rural_population }
      })
      if (!found) return reply.code(404).send(notFound(req.params.code))
      const { s, pop } = found
      return { code: req.params.code, year: req.query.year, ...s, incidence: pop ? s.poorPeople / pop : null }
    },
  )

  r.get(
    '/api/search',
    {
      schema: {
        summary: "Divisions in the caller's area whose name or code matches, best first",
        tags: ['areas'],
        querystring: Type.Object(
          { q: Type.String({ minLength: 1, maxLength: 50, pattern: '^[^\\u0000-\\u001f]*$', description: 'name or code; no control characters' }), limit: Type.Integer({ minimum: 1, maximum: 50, default: 20 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(SearchHit), 400: { $ref: 'ErrorBody#' } },
      },
    },
    async (req) => {
      const q = req.query.q.trim()
      if (!q) return []
      // LIKE wildcards in the user's text are matched literally.
      const prefix = `${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
      return (await app.scopedDb(req).query<Static<typeof SearchHit>>(SEARCH_AREAS, [q, prefix, req.query.limit])).rows
    },
  )
}

export default areas
