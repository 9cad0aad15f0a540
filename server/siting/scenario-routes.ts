import type { FastifyPluginAsync } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { errorResponses } from '../../domain/schemas/common.js'
import { ExportQuery, PLANNING_ROLES, Scenario, ScenarioBody, ScenarioParams, ScenarioProjects, ScenarioProjectsBody, ScenarioQuery, type SitingAnswer } from '../../domain/siting/schemas.js'
import { DbError } from '../db/types.js'
import { runSiting, SitingInputError } from './siting-run.js'
import type { SitingService } from './siting-service.js'
import { scenarioGeoJson, scenarioXlsx } from './scenario-export.js'
import * as Q from './siting-queries.js'

interface ScenarioRow {
  id: number
  areaCode: string
  name: string
  facility: string
  request: unknown
  result: SitingAnswer
  createdAt: Date | string
}
const out = (r: ScenarioRow) => ({ ...r, createdAt: new Date(r.createdAt).toISOString() })

/**
 * Saved siting scenarios: saving runs the siting again on the server (what is stored is what the
 * server computed, never a client's figures), listing and comparing, deleting one's own, export, and
 * making a scenario's sites planned projects (county-level planners and above).
 */
const scenarios: FastifyPluginAsync<{ service: SitingService }> = async (app, opts) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  const errors = errorResponses(400, 401, 403, 404)

  r.post(
    '/api/siting/scenarios',
    { schema: { summary: 'Save a siting scenario (computed again and stored with its result)', tags: ['siting'], body: ScenarioBody, response: { 201: Scenario, ...errors } } },
    async (req, reply) => {
      let result: SitingAnswer
      try {
        result = await runSiting(opts.service, app.scopedDb(req), req.body.request, (err) => req.log.error({ err }, 'accessibility refresh failed'))
      } catch (err) {
        if (err instanceof SitingInputError) return reply.code(400).send({ error: 'Bad Request', message: err.message })
        throw err
      }
      const row = (
        await app.scopedDb(req).query<{ id: number; createdAt: Date }>(Q.SAVE_SCENARIO, [req.body.request.area, req.body.name, req.body.request.facility, JSON.stringify(req.body.request), JSON.stringify(result)])
      ).rows[0]!
      return reply.code(201).send(out({ id: row.id, areaCode: req.body.request.area, name: req.body.name, facility: req.body.request.facility, request: req.body.request, result, createdAt: row.createdAt }))
    },
  )

  r.get(
    '/api/siting/scenarios',
    { schema: { summary: 'Saved siting scenarios in your area (latest 50)', tags: ['siting'], querystring: ScenarioQuery, response: { 200: Type.Array(Scenario), ...errors } } },
    async (req) => (await app.scopedDb(req).query<ScenarioRow>(Q.LIST_SCENARIOS, [req.query.area ?? null])).rows.map(out),
  )

  r.delete(
    '/api/siting/scenarios/:id',
    { schema: { summary: 'Delete one of your saved scenarios', tags: ['siting'], params: ScenarioParams, response: { 204: Type.Null(), ...errors } } },
    async (req, reply) => {
      const gone = (await app.scopedDb(req).query(Q.DELETE_SCENARIO, [Number(req.params.id)])).rows[0]
      if (!gone) return reply.code(404).send({ error: 'Not Found', message: `no scenario ${req.params.id} of yours` })
      return reply.code(204).send(null)
    },
  )

  r.post(
    '/api/siting/scenarios/:id/projects',
    {
      config: { access: 'registry' },
      schema: {
        summary: 'Make a saved scenario’s sites planned projects (stage plan), once: a second call adds none',
        description:
          'For the province administrator and prefecture and county officers, for a scenario in their area: each site (a road scenario: each link) ' +
          'becomes a project of the matching type (water, education, health, road) in the village it lies in, its budget the scenario’s cost per site. ' +
          'Department viewers site and save scenarios but do not plan projects.',
        tags: ['siting'],
        params: ScenarioParams,
        body: ScenarioProjectsBody,
        response: { 200: ScenarioProjects, ...errors },
      },
    },
    async (req, reply) => {
      const db = app.scopedDb(req)
      if (!(PLANNING_ROLES as readonly string[]).includes(db.caller.role)) {
        await app.auditQuietly(req, { action: 'access.denied', outcome: 'denied', area: db.caller.scope, target: `${req.method} ${req.routeOptions.url}`, detail: { reason: 'role', access: 'planning' } })
        return reply.code(403).send({ error: 'Forbidden', message: `the role ${db.caller.role} may not put projects into the plan` })
      }
      const id = Number(req.params.id)
      try {
        return await db.run(async (tx) => {
          const made = (await tx.query<{ id: number; site: number; created: boolean }>(Q.SCENARIO_TO_PROJECTS, [id, req.body.year ?? null])).rows
          const created = new Set(made.filter((m) => m.created).map((m) => m.id))
          const rows = (await tx.query<Omit<ScenarioProjects['projects'][number], 'created' | 'geometry'> & { geometry: string }>(Q.SCENARIO_PROJECTS, [made.map((m) => m.id)])).rows
          return {
            scenarioId: id,
            created: created.size,
            projects: rows.map((p) => ({ ...p, budgetYuan: Number(p.budgetYuan), created: created.has(p.id), geometry: JSON.parse(p.geometry) as unknown })),
          }
        })
      } catch (err) {
        if (err instanceof DbError && err.code === 'P0002') return reply.code(404).send({ error: 'Not Found', message: `no scenario ${id} in your area` })
        if (err instanceof DbError && err.code === '42501') return reply.code(403).send({ error: 'Forbidden', message: 'you may not put projects into the plan' })
        throw err
      }
    },
  )

  r.get(
    '/api/siting/scenarios/:id/export',
    {
      schema: {
        summary: 'A saved scenario as GeoJSON (sites and coverage) or XLSX (sites, villages, what-if)',
        tags: ['siting'],
        params: ScenarioParams,
        querystring: ExportQuery,
        response: { 200: Type.Any(), ...errors },
      },
    },
    async (req, reply) => {
      const row = (await app.scopedDb(req).query<ScenarioRow>(Q.GET_SCENARIO, [Number(req.params.id)])).rows[0]
      if (!row) return reply.code(404).send({ error: 'Not Found', message: `no scenario ${req.params.id}` })
      const base = `siting-${row.id}`
      if (req.query.format === 'geojson') {
        return reply.type('application/geo+json').header('content-disposition', `attachment; filename="${base}.geojson"`).send(JSON.stringify(scenarioGeoJson(row)))
      }
      const buf = await scenarioXlsx(row)
      return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').header('content-disposition', `attachment; filename="${base}.xlsx"`).send(buf)
    },
  )
}

export default scenarios
