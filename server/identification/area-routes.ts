import type { FastifyPluginAsync } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { childCodeLength, childLevelOf } from '../../domain/admin-codes.js'
import { CodeParams, errorResponses, YearQuery } from '../../domain/schemas/common.js'
import { ChildrenMpiProfile, Mpi, MpiProfile, MpiQuery } from '../../domain/identification/schemas.js'
import type { Queryable } from '../db/types.js'
import { AREA_PREFIX, noArea } from '../areas/routes.js'
import { areaHead } from '../diagnosis/lookups.js'
import { AREA_PROFILE, CHILDREN_PROFILE, SCENARIO_BY_ID } from './identification-queries.js'
import { defaultMeasure, mpiOf, type Measure, type ProfileRow } from './measure.js'

const errors = errorResponses(400, 404)
const noScenario = (id: number) => ({ error: 'Not Found', message: `no scenario ${id} you may read` })

/** The default measure, or a saved scenario's weights and k; the query's k overrides either. */
async function measureFor(tx: Queryable, q: MpiQuery): Promise<Measure | null> {
  const m = await defaultMeasure(tx)
  let { k, rawWeights } = m
  if (q.scenario !== undefined) {
    const s = (await tx.query<{ k: number; weights: Record<string, number> }>(SCENARIO_BY_ID, [q.scenario])).rows[0]
    if (!s) return null
    k = s.k
    rawWeights = s.weights
  }
  return { defs: m.defs, rawWeights, k: q.k ?? k }
}

/** The measures of several areas; 'bad' when the weights weigh nothing. */
function measures<T>(fn: () => T): T | 'bad' {
  try {
    return fn()
  } catch (e) {
    if (e instanceof RangeError) return 'bad'
    throw e
  }
}

interface ChildProfileRow extends Partial<ProfileRow> {
  code: string
  name: string
}

function groupChildren(rows: readonly ChildProfileRow[]) {
  const out = new Map<string, { code: string; name: string; rows: ProfileRow[] }>()
  for (const r of rows) {
    let c = out.get(r.code)
    if (!c) out.set(r.code, (c = { code: r.code, name: r.name, rows: [] }))
    if (r.mask !== undefined && r.mask !== null) c.rows.push({ mask: r.mask, poorOfficial: r.poorOfficial!, households: r.households!, people: r.people! })
  }
  return [...out.values()]
}

/**
 * The AF measure of an area and of its children (choropleths), and their deprivation patterns (the
 * client recomputes them for unsaved weights and k). Area and role checks as every area read: an
 * area outside the caller's is rejected before any SQL; row-level security counts only the caller's area.
 */
const identificationAreaRoutes: FastifyPluginAsync = async (app) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  const badWeights = { error: 'Bad Request', message: 'the scenario weighs no indicator' }

  r.get(
    `${AREA_PREFIX}/mpi`,
    {
      schema: {
        summary: 'Alkire–Foster measure of an area: H, A, M0, censored headcounts, contributions (people-weighted)',
        tags: ['identification'],
        params: CodeParams,
        querystring: MpiQuery,
        response: { 200: Mpi, ...errors },
      },
    },
    async (req, reply) => {
      const { code } = req.params
      const found = await app.scopedDb(req).run(async (tx) => {
        const a = await areaHead(tx, code)
        if (!a) return { missing: noArea(code) }
        const m = await measureFor(tx, req.query)
        if (!m) return { missing: noScenario(req.query.scenario!) }
        return { a, m, rows: (await tx.query<ProfileRow>(AREA_PROFILE, [code, req.query.year])).rows }
      })
      if ('missing' in found) return reply.code(404).send(found.missing)
      const mpi = measures(() => mpiOf(found.m, { code, name: found.a.name, year: req.query.year, scenario: req.query.scenario ?? null }, found.rows))
      return mpi === 'bad' ? reply.code(400).send(badWeights) : mpi
    },
  )

  r.get(
    `${AREA_PREFIX}/children/mpi`,
    {
      schema: {
        summary: 'The Alkire–Foster measure of each division one level below (choropleths)',
        tags: ['identification'],
        params: CodeParams,
        querystring: MpiQuery,
        response: { 200: Type.Array(Mpi), ...errors },
      },
    },
    async (req, reply) => {
      const { code } = req.params
      const childLength = childCodeLength(code)
      const found = await app.scopedDb(req).run(async (tx) => {
        if (!(await areaHead(tx, code))) return { missing: noArea(code) }
        const m = await measureFor(tx, req.query)
        if (!m) return { missing: noScenario(req.query.scenario!) }
        return { m, rows: childLength ? (await tx.query<ChildProfileRow>(CHILDREN_PROFILE, [code, req.query.year, childLength])).rows : [] }
      })
      if ('missing' in found) return reply.code(404).send(found.missing)
      const list = measures(() => groupChildren(found.rows).map((c) => mpiOf(found.m, { code: c.code, name: c.name, year: req.query.year, scenario: req.query.scenario ?? null }, c.rows)))
      return list === 'bad' ? reply.code(400).send(badWeights) : list
    },
  )

  r.get(
    `${AREA_PREFIX}/mpi/profile`,
    {
      schema: {
        summary: "An area's households and people by deprivation pattern (recompute the measure for any weights and k)",
        tags: ['identification'],
        params: CodeParams,
        querystring: YearQuery,
        response: { 200: MpiProfile, ...errors },
      },
    },
    async (req, reply) => {
      const { code } = req.params
      const found = await app.scopedDb(req).run(async (tx) => {
        const a = await areaHead(tx, code)
        return a ? { a, rows: (await tx.query<ProfileRow>(AREA_PROFILE, [code, req.query.year])).rows } : null
      })
      if (!found) return reply.code(404).send(noArea(code))
      return { code, name: found.a.name, year: req.query.year, rows: found.rows }
    },
  )

  r.get(
    `${AREA_PREFIX}/children/mpi/profile`,
    {
      schema: {
        summary: 'The deprivation patterns of each division one level below',
        tags: ['identification'],
        params: CodeParams,
        querystring: YearQuery,
        response: { 200: ChildrenMpiProfile, ...errors },
      },
    },
    async (req, reply) => {
      const { code } = req.params
      const childLength = childCodeLength(code)
      const found = await app.scopedDb(req).run(async (tx) => {
        if (!(await areaHead(tx, code))) return null
        return childLength ? (await tx.query<ChildProfileRow>(CHILDREN_PROFILE, [code, req.query.year, childLength])).rows : []
      })
      if (!found) return reply.code(404).send(noArea(code))
      return { code, year: req.query.year, level: childLevelOf(code), children: groupChildren(found).map((c) => ({ ...c, year: req.query.year })) }
    },
  )
}

export default identificationAreaRoutes
