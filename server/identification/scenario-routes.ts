import type { FastifyPluginAsync } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { areaRelation } from '../../domain/admin-codes.js'
import { errorResponses } from '../../domain/schemas/common.js'
import { DefaultMeasureBody, IdentificationConfig, MeasureJob, MeasureJobConflict, MeasureJobParams, Scenario, ScenarioBody, ScenarioDeleteBody } from '../../domain/identification/schemas.js'
import { DELETE_SCENARIO, IDENTIFIED_YEARS, INSERT_SCENARIO, LONG_ADMIN_STATEMENT, RESCORE_YEAR, SCENARIOS, SET_DEFAULT } from './identification-queries.js'
import { jobBusy, measureJobsFor } from './measure-jobs.js'
import { defaultMeasure } from './measure.js'

/** Weights naming only AF indicators, at least one positive; else the reason. */
function weightsProblem(weights: Record<string, number>, codes: readonly string[]): string | null {
  const unknown = Object.keys(weights).filter((c) => !codes.includes(c))
  if (unknown.length) return `not AF indicators: ${unknown.join(', ')}`
  if (!Object.values(weights).some((w) => w > 0)) return 'at least one weight must be positive'
  return null
}
const bad = (message: string, field = 'weights') => ({ error: 'Bad Request', message, fields: { [field]: message } })

/**
 * The identification configuration (AF indicators, default weights and k), saved scenarios (weights
 * and k of a user, optionally shared with an area) and, for the province administrator, the default
 * measure itself (a background job re-scores every household: measure-jobs.ts).
 */
const identificationScenarioRoutes: FastifyPluginAsync = async (app) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()

  r.get(
    '/api/identification/config',
    { schema: { summary: 'AF indicators, dimensions, default weights and k', tags: ['identification'], response: { 200: IdentificationConfig } } },
    async (req) => {
      const m = await app.scopedDb(req).run((tx) => defaultMeasure(tx))
      const dimensions = [...new Set(m.defs.map((d) => d.dimension))]
      return { indicators: m.defs, dimensions, k: m.k, weights: m.rawWeights, updatedAt: m.updatedAt, updatedBy: m.updatedBy }
    },
  )

  r.post(
    '/api/identification/config',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Set the default weights and k (province administrator): 202 with a background job that re-scores every household',
        description:
          'The measure and the scores change together when the job commits (GET /api/identification/config/jobs/{id}); until then every read ' +
          'answers the old measure. One change at a time: while one runs, another is refused with 409 and the running job.',
        tags: ['identification'],
        body: DefaultMeasureBody,
        response: { 202: MeasureJob, 409: MeasureJobConflict, ...errorResponses(400, 403) },
      },
    },
    async (req, reply) => {
      const jobs = measureJobsFor(app.requestDb)
      const busy = jobs.running()
      if (busy) return reply.code(409).send(jobBusy(busy))
      const scoped = app.scopedDb(req)
      const m = await scoped.run((tx) => defaultMeasure(tx))
      const problem = weightsProblem(req.body.weights, m.defs.map((d) => d.code))
      if (problem) return reply.code(400).send(bad(problem))
      const { k, weights } = req.body
      const started = jobs.start(
        'default-measure',
        req.caller!.userId,
        (progress) =>
          scoped.run(async (tx) => {
            // Beyond a request's usual statement limit at province scale; the job is one transaction.
            await tx.exec(LONG_ADMIN_STATEMENT)
            await tx.query(SET_DEFAULT, [k, JSON.stringify(weights)])
            const years = (await tx.query<{ year: number }>(IDENTIFIED_YEARS)).rows.map((r) => r.year)
            for (const [i, year] of years.entries()) {
              progress(i / years.length, `years ${year}`)
              await tx.query(RESCORE_YEAR, [year])
            }
            progress(1, 'commit')
          }),
        (err) => req.log.error({ err }, 'identification: the default measure job failed'),
      )
      if ('busy' in started) return reply.code(409).send(jobBusy(started.busy))
      await app.audit(req, { action: 'identification.default', outcome: 'ok', area: req.caller!.scope, target: 'identification_scenario:default', detail: { k, job: started.id } })
      return reply.code(202).header('location', `/api/identification/config/jobs/${started.id}`).send(started)
    },
  )

  r.get(
    '/api/identification/config/jobs/:id',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'How far a change of the default measure has come: state and percent',
        tags: ['identification'],
        params: MeasureJobParams,
        response: { 200: MeasureJob, ...errorResponses(400, 403, 404) },
      },
    },
    async (req, reply) => {
      const job = measureJobsFor(app.requestDb).get(req.params.id)
      return job ?? reply.code(404).send({ error: 'Not Found', message: `no job ${req.params.id} of the measure (finished jobs are kept an hour)` })
    },
  )

  r.get(
    '/api/identification/scenarios',
    { schema: { summary: 'The default measure, your saved scenarios and those shared with your area', tags: ['identification'], response: { 200: Type.Array(Scenario) } } },
    async (req) => (await app.scopedDb(req).query<Scenario>(SCENARIOS, [req.caller!.userId])).rows.map((s) => ({ ...s, mine: s.mine === true })),
  )

  r.post(
    '/api/identification/scenarios',
    {
      schema: {
        summary: 'Save a scenario (weights and k) for yourself, or shared with an area inside yours',
        tags: ['identification'],
        body: ScenarioBody,
        response: { 201: Type.Object({ id: Type.Integer() }), ...errorResponses(400, 403) },
      },
    },
    async (req, reply) => {
      const c = req.caller!
      const areaCode = req.body.areaCode ?? c.scope
      if (areaRelation(c.scope, areaCode) !== 'inside') return reply.code(403).send({ error: 'Forbidden', message: `the area ${areaCode} is not inside yours (${c.scope})` })
      const result = await app.scopedDb(req).run(async (tx) => {
        const m = await defaultMeasure(tx)
        const problem = weightsProblem(req.body.weights, m.defs.map((d) => d.code))
        if (problem) return { problem }
        const { rows } = await tx.query<{ id: number }>(INSERT_SCENARIO, [req.body.name, c.userId, areaCode, req.body.shared ?? false, req.body.k, JSON.stringify(req.body.weights)])
        return { id: rows[0]!.id }
      })
      if ('problem' in result) return reply.code(400).send(bad(result.problem!))
      return reply.code(201).send({ id: result.id })
    },
  )

  r.post(
    '/api/identification/scenarios/delete',
    { schema: { summary: 'Delete a scenario of yours', tags: ['identification'], body: ScenarioDeleteBody, response: { 204: Type.Null(), ...errorResponses(400, 404) } } },
    async (req, reply) => {
      const { rowCount } = await app.scopedDb(req).query(DELETE_SCENARIO, [req.body.id, req.caller!.userId])
      return rowCount ? reply.code(204).send(null) : reply.code(404).send({ error: 'Not Found', message: `no scenario ${req.body.id} of yours` })
    },
  )
}

export default identificationScenarioRoutes
