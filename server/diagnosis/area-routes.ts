import type { FastifyPluginAsync } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { childCodeLength, childLevelOf } from '../../domain/admin-codes.js'
import { FIRST_YEAR, LAST_YEAR, POVERTY_CAUSES, PROJECT_STAGES, PROJECT_TYPES } from '../../domain/codes.js'
import { CodeParams, errorResponses, YearQuery } from '../../domain/schemas/common.js'
import { AreaIndicators, ChildrenIndicator, ChildrenIndicatorQuery, Diagnosis, Projects, ProjectsQuery, type ChildValue, type Money, type Project } from '../../domain/schemas/diagnosis.js'
import type { Static } from 'typebox'
import type { RegistryFigures } from '../../domain/schemas/areas.js'
import { noArea } from '../areas/routes.js'
import { AREA_CAUSES, AREA_GAPS, AREA_INDICATOR_VALUES, AREA_INDICATORS, AREA_SERIES, CHILDREN_INDICATOR, GAP_BITS, PROJECT_LIST, PROJECT_SUMMARY } from './diagnosis-queries.js'
import { areaHead, indicatorOf, noIndicator, visibleParent } from './lookups.js'

const errors = errorResponses(400, 404)
const DISTANCES = { school: 'dist_school_km', clinic: 'dist_clinic_km', township: 'dist_township_km', county: 'dist_county_km' } as const

interface ProjectGroup extends Money {
  stage: string
  type: string
}

function sumGroups(groups: readonly ProjectGroup[]): Money {
  return groups.reduce(
    (s, g) => ({
      count: s.count + g.count,
      budgetYuan: s.budgetYuan + g.budgetYuan,
      spentYuan: s.spentYuan + g.spentYuan,
      beneficiaryHouseholds: s.beneficiaryHouseholds + g.beneficiaryHouseholds,
    }),
    { count: 0, budgetYuan: 0, spentYuan: 0, beneficiaryHouseholds: 0 },
  )
}

/**
 * What the diagnosis adds to an area, mounted by the areas capability under /api/areas/:code: its
 * indicators beside its parent's, one indicator of each child (choropleths), the diagnosis (registry by
 * year, 两不愁三保障 gaps, causes, distances, projects) and its projects. Every query runs as the caller
 * (row-level security decides what is counted), one transaction per request; the figures of an area
 * inside the caller's scope are complete by construction: everything under it is in scope too.
 */
const areaDiagnosis: FastifyPluginAsync = async (app) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()

  r.get(
    '/indicators',
    {
      schema: {
        summary: "Every indicator of an area (aggregated from its villages) and its parent's average",
        description:
          'Counts are summed, yes/no indicators give the share of villages, all others are means weighted by rural population. ' +
          "The parent's average is the parent's value computed the same way; for counts, its total divided by its number of child areas.",
        tags: ['diagnosis'],
        params: CodeParams,
        querystring: YearQuery,
        response: { 200: AreaIndicators, ...errors },
      },
    },
    async (req, reply) => {
      const found = await app.scopedDb(req).run(async (tx) => {
        const a = await areaHead(tx, req.params.code)
        if (!a) return null
        const { rows } = await tx.query<AreaIndicators['indicators'][number]>(AREA_INDICATORS, [a.code, req.query.year, visibleParent(req, a.parentCode)])
        return { a, rows }
      })
      if (!found) return reply.code(404).send(noArea(req.params.code))
      const { a, rows } = found
      return {
        code: a.code,
        name: a.name,
        level: a.level,
        year: req.query.year,
        parent: a.parentCode ? { code: a.parentCode, name: a.parentName ?? '' } : null,
        indicators: rows,
      }
    },
  )

  r.get(
    '/children/indicator',
    {
      schema: {
        summary: 'One indicator for each division one level below (choropleth values; classify on the client)',
        tags: ['diagnosis'],
        params: CodeParams,
        querystring: ChildrenIndicatorQuery,
        response: { 200: ChildrenIndicator, ...errors },
      },
    },
    async (req, reply) => {
      const { code } = req.params
      const childLength = childCodeLength(code)
      const found = await app.scopedDb(req).run(async (tx) => {
        if (!(await areaHead(tx, code))) return { missing: noArea(code) }
        if (!(await indicatorOf(tx, req.query.indicator))) return { missing: noIndicator(req.query.indicator) }
        return { rows: childLength ? (await tx.query<Static<typeof ChildValue>>(CHILDREN_INDICATOR, [code, req.query.indicator, req.query.year, childLength])).rows : [] }
      })
      if ('missing' in found) return reply.code(404).send(found.missing)
      const values = found.rows.map(({ code, name, value, villages }) => ({ code, name, value, villages }))
      return { code, indicator: req.query.indicator, year: req.query.year, level: childLevelOf(code), values }
    },
  )

  r.get(
    '/diagnosis',
    {
      schema: {
        summary: 'Diagnosis of an area: registry by year, 两不愁三保障 gaps, main causes, distances, projects',
        tags: ['diagnosis'],
        params: CodeParams,
        querystring: YearQuery,
        response: { 200: Diagnosis, ...errors },
      },
    },
    async (req, reply) => {
      const { year } = req.query
      const found = await app.scopedDb(req).run(async (tx) => {
        const a = await areaHead(tx, req.params.code)
        if (!a) return null
        return {
          a,
          series: await tx.query<Omit<RegistryFigures, 'incidence'>>(AREA_SERIES, [a.code, FIRST_YEAR, LAST_YEAR]),
          gaps: await tx.query<Record<string, number>>(AREA_GAPS, [a.code, year]),
          causes: await tx.query<Diagnosis['causes'][number]>(AREA_CAUSES, [a.code, year, POVERTY_CAUSES]),
          dist: await tx.query<{ code: string; value: number | null }>(AREA_INDICATOR_VALUES, [a.code, year, Object.values(DISTANCES)]),
          projects: await tx.query<ProjectGroup>(PROJECT_SUMMARY, [a.code]),
        }
      })
      if (!found) return reply.code(404).send(noArea(req.params.code))
      const { a, series, gaps, causes, dist, projects } = found
      const pop = a.ruralPopulation
      const g = gaps.rows[0]!
      const km = new Map(dist.rows.map((d) => [d.code, d.value]))
      return {
        code: a.code,
        name: a.name,
        level: a.level,
        year,
        ruralPopulation: pop,
        series: series.rows.map((s) => ({ ...s, incidence: pop ? s.poorPeople / pop : null })),
        gaps: {
          households: g.households!,
          poorHouseholds: g.poorHouseholds!,
          anyGap: g.anyGap!,
          anyGapPoor: g.anyGapPoor!,
          byGap: GAP_BITS.map(([gap]) => ({ gap, households: g[gap]!, poorHouseholds: g[`${gap}_poor`]! })),
        },
        causes: causes.rows,
        distances: Object.fromEntries(Object.entries(DISTANCES).map(([k, c]) => [k, km.get(c) ?? null])) as Diagnosis['distances'],
        projects: sumGroups(projects.rows),
      }
    },
  )

  r.get(
    '/projects',
    {
      schema: {
        summary: 'Projects in an area (county code down to counties, village code below), with stage and spending',
        tags: ['diagnosis'],
        params: CodeParams,
        querystring: ProjectsQuery,
        response: { 200: Projects, ...errors },
      },
    },
    async (req, reply) => {
      const found = await app.scopedDb(req).run(async (tx) => {
        const a = await areaHead(tx, req.params.code)
        if (!a) return null
        return { a, groups: await tx.query<ProjectGroup>(PROJECT_SUMMARY, [a.code]), list: await tx.query<Project>(PROJECT_LIST, [a.code, req.query.limit]) }
      })
      if (!found) return reply.code(404).send(noArea(req.params.code))
      const { a, groups, list } = found
      const by = <K extends 'stage' | 'type'>(key: K, order: readonly string[]) =>
        order.map((v) => ({ [key]: v, ...sumGroups(groups.rows.filter((g) => g[key] === v)) }) as { [P in K]: string } & Money).filter((x) => x.count > 0)
      return { code: a.code, total: sumGroups(groups.rows), byStage: by('stage', PROJECT_STAGES), byType: by('type', PROJECT_TYPES), projects: list.rows }
    },
  )
}

export default areaDiagnosis
