import type { FastifyPluginAsync } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { Area, AreaStats, SearchHit, SearchQuery } from '../../domain/schemas/areas.js'
import { CodeParams, errorResponses, YearQuery } from '../../domain/schemas/common.js'
import { AREA_BY_CODE, AREA_CHILDREN, AREA_EXISTS, AREA_STATS, SEARCH_AREAS } from './area-queries.js'

const errors = errorResponses(400, 404)
export const noArea = (code: string) => ({ error: 'Not Found', message: `no administrative division with code ${code}` })

export interface AreasOptions {
  /** What other capabilities add to an area (diagnosis, the households export), mounted under /api/areas/:code. */
  subresources?: readonly FastifyPluginAsync[]
}

/** The one place the /api/areas/:code URL family is declared: its own routes, and the sub-resources it mounts. */
export const AREA_PREFIX = '/api/areas/:code'

/**
 * Administrative divisions: one, its children, its registered-poor figures, search by name or code, and
 * the sub-resources other capabilities add to an area.
 */
const areas: FastifyPluginAsync<AreasOptions> = async (app, opts) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()

  r.get(
    AREA_PREFIX,
    {
      // The divisions above the caller's area answer too (breadcrumbs), with name and outline only.
      config: { area: 'path' },
      schema: { summary: "One administrative division (the caller's area, below it, or above it)", tags: ['areas'], params: CodeParams, response: { 200: Area, ...errors } },
    },
    async (req, reply) => {
      const { rows } = await app.scopedDb(req).query<Area>(AREA_BY_CODE, [req.params.code])
      return rows[0] ?? reply.code(404).send(noArea(req.params.code))
    },
  )

  r.get(
    `${AREA_PREFIX}/children`,
    {
      config: { area: 'path' },
      schema: {
        summary: "The divisions one level below (of a division above the caller's area: only the one on the way to it)",
        tags: ['areas'],
        params: CodeParams,
        response: { 200: Type.Array(Area), ...errors },
      },
    },
    async (req, reply) => {
      const children = await app.scopedDb(req).run(async (tx) => {
        const exists = await tx.query(AREA_EXISTS, [req.params.code])
        return exists.rowCount === 0 ? null : (await tx.query<Area>(AREA_CHILDREN, [req.params.code])).rows
      })
      return children ?? reply.code(404).send(noArea(req.params.code))
    },
  )

  r.get(
    `${AREA_PREFIX}/stats`,
    {
      schema: { summary: 'Registered poor population of an area in a year', tags: ['areas'], params: CodeParams, querystring: YearQuery, response: { 200: AreaStats, ...errors } },
    },
    async (req, reply) => {
      const found = await app.scopedDb(req).run(async (tx) => {
        const area = await tx.query<{ rural_population: number | null }>(AREA_EXISTS, [req.params.code])
        if (area.rowCount === 0) return null
        const { rows } = await tx.query<Omit<AreaStats, 'code' | 'year' | 'incidence'>>(AREA_STATS, [req.params.code, req.query.year])
        return { s: rows[0]!, pop: area.rows[0]!.rural_population }
      })
      if (!found) return reply.code(404).send(noArea(req.params.code))
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
        querystring: SearchQuery,
        response: { 200: Type.Array(SearchHit), ...errorResponses(400) },
      },
    },
    async (req) => {
      const q = req.query.q.trim()
      if (!q) return []
      // LIKE wildcards in the user's text are matched literally.
      const prefix = `${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
      return (await app.scopedDb(req).query<SearchHit>(SEARCH_AREAS, [q, prefix, req.query.limit])).rows
    },
  )

  // Sub-resources run every check their own routes declare (the area code in the path included).
  for (const sub of opts.subresources ?? []) await app.register(sub, { prefix: AREA_PREFIX })
}

export default areas
