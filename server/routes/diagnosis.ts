import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type, type Static } from 'typebox'
import { ASSURANCE_GAPS, FIRST_YEAR, LAST_YEAR, POVERTY_CAUSES, POVERTY_LINE, PROJECT_STAGES, PROJECT_TYPES } from '../../domain/codes.js'
import {
  AREA_CAUSES,
  AREA_GAPS,
  AREA_HEAD,
  AREA_INDICATOR_VALUES,
  AREA_INDICATORS,
  AREA_SERIES,
  CHILDREN_INDICATOR,
  GAP_BITS,
  HOUSEHOLD,
  HOUSEHOLD_HISTORY,
  HOUSEHOLD_MEMBERS,
  INDICATOR_DEFS,
  INDICATOR_DIRECTION,
  PROJECT_LIST,
  PROJECT_SUMMARY,
  VILLAGE_PROJECTS,
} from '../diagnosis/diagnosis-queries.js'
import { INDICATOR_THRESHOLDS } from '../diagnosis/indicator-thresholds.js'
import { areaRelation } from '../../domain/admin-codes.js'
import type { Queryable } from '../db/types.js'

const Code = Type.String({
  pattern: '^[0-9]{2}([0-9]{2}([0-9]{2}([0-9]{3}([0-9]{3})?)?)?)?$',
  description: 'administrative code: 2 province, 4 prefecture, 6 county, 9 township, 12 village digits',
})
const IndicatorCode = Type.String({ pattern: '^[a-z][a-z0-9_]*$', maxLength: 64, description: 'indicator code (GET /api/indicators)' })
const Year = Type.Integer({ minimum: FIRST_YEAR, maximum: LAST_YEAR, default: LAST_YEAR })
const Level = Type.Union([Type.Literal('province'), Type.Literal('prefecture'), Type.Literal('county'), Type.Literal('township'), Type.Literal('village')])
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])
const Num = Type.Number()
const Int = Type.Integer()
const LonLat = Type.Array(Num, { minItems: 2, maxItems: 2, description: '[lon, lat] WGS84' })
const Bbox = Type.Array(Num, { minItems: 4, maxItems: 4, description: '[west, south, east, north] WGS84' })
const Localised = Type.Object({ zh: Type.String(), en: Type.String() })
const Direction = Type.Union([Type.Literal('higher_better'), Type.Literal('lower_better')])
const errors = { 400: { $ref: 'ErrorBody#' }, 404: { $ref: 'ErrorBody#' } }
const Ref = Type.String({
  pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
  description: 'opaque household id (household.ref, a UUID; the household tiles carry it as `ref`)',
})
const YearQuery = Type.Object({ year: Year }, { additionalProperties: false })

const Indicator = Type.Object({
  code: Type.String(),
  nameZh: Type.String(),
  nameEn: Type.String(),
  unit: Type.String(),
  direction: Direction,
  category: Type.String(),
  description: Nullable(Type.String()),
  aggregation: Type.Union([Type.Literal('sum'), Type.Literal('share'), Type.Literal('weighted_mean')], {
    description: "how villages combine into a larger area: sum (counts), share (yes/no: share of villages), weighted_mean (by rural population)",
  }),
  years: Type.Array(Int, { description: 'years holding values' }),
  threshold: Nullable(
    Type.Object({
      value: Num,
      basis: Type.Union([Type.Literal('exit_criterion'), Type.Literal('planning_target')]),
      note: Localised,
    }),
  ),
})

const AreaIndicators = Type.Object({
  code: Type.String(),
  name: Type.String(),
  level: Level,
  year: Int,
  parent: Nullable(Type.Object({ code: Type.String(), name: Type.String() })),
  indicators: Type.Array(
    Type.Object({
      code: Type.String(),
      value: Nullable(Num),
      villages: Type.Integer({ description: 'villages with a value that year' }),
      parentAverage: Nullable(Type.Number({ description: "the parent's value (for sums: its total per child area)" })),
    }),
  ),
})

const ChildValue = Type.Object({
  code: Type.String(),
  name: Type.String(),
  value: Nullable(Num),
  villages: Int,
})
const ChildrenIndicator = Type.Object({
  code: Type.String(),
  indicator: Type.String(),
  year: Int,
  level: Nullable(Level),
  values: Type.Array(ChildValue),
})

const YearFigures = Type.Object({
  year: Int,
  households: Int,
  people: Int,
  poorHouseholds: Int,
  poorPeople: Int,
  liftedHouseholds: Int,
  returnedHouseholds: Int,
  incidence: Nullable(Type.Number({ description: 'poor people / rural population (0–1)' })),
})
const Money = { count: Int, budgetYuan: Num, spentYuan: Num, beneficiaryHouseholds: Int }
const Diagnosis = Type.Object({
  code: Type.String(),
  name: Type.String(),
  level: Level,
  year: Int,
  ruralPopulation: Nullable(Num),
  series: Type.Array(YearFigures, { description: `${FIRST_YEAR}–${LAST_YEAR}, registered households by status` }),
  gaps: Type.Object({
    households: Type.Integer({ description: 'registered households that year' }),
    poorHouseholds: Int,
    anyGap: Type.Integer({ description: 'households with at least one gap' }),
    anyGapPoor: Int,
    byGap: Type.Array(Type.Object({ gap: Type.String(), households: Int, poorHouseholds: Int })),
  }),
  causes: Type.Array(Type.Object({ cause: Type.String(), households: Int, people: Int, poorHouseholds: Int }), { description: 'by main cause' }),
  distances: Type.Object(
    { school: Nullable(Num), clinic: Nullable(Num), township: Nullable(Num), county: Nullable(Num) },
    { description: 'km, the villages’ values weighted by rural population (indicators dist_*_km)' },
  ),
  projects: Type.Object(Money),
})

const Project = Type.Object({
  id: Int,
  name: Type.String(),
  type: Type.String(),
  stage: Type.String(),
  year: Int,
  budgetYuan: Num,
  spentYuan: Num,
  countyCode: Type.String(),
  villageCode: Nullable(Type.String()),
  beneficiaryHouseholds: Int,
  at: LonLat,
})
const Projects = Type.Object({
  code: Type.String(),
  total: Type.Object(Money),
  byStage: Type.Array(Type.Object({ stage: Type.String(), ...Money })),
  byType: Type.Array(Type.Object({ type: Type.String(), ...Money })),
  projects: Type.Array(Project, { description: 'latest first, up to limit' }),
})

const Household = Type.Object(
  {
    id: Type.Integer({ description: 'internal id (the tile feature id): non-sequential, never used in a URL' }),
    ref: Type.String({ description: 'opaque id for URLs (GET /api/households/{ref}, …/members)' }),
    villageCode: Type.String(),
    villageName: Type.String(),
    year: Int,
    status: Type.String(),
    size: Int,
    attribute: Type.String(),
    identificationStandard: Type.String(),
    registeredYear: Int,
    mainCause: Type.String(),
    otherCauses: Type.Array(Type.String()),
    incomePerCapita: Num,
    povertyLine: Num,
    assurance: Type.Object(Object.fromEntries(ASSURANCE_GAPS.map((g) => [g, Type.Boolean()])), { description: 'true where the guarantee is met' }),
    gaps: Type.Array(Type.String()),
    housing: Type.Object({ safety: Nullable(Type.String()), structure: Nullable(Type.String()), areaM2: Nullable(Num), relocated: Type.Boolean() }),
    water: Type.Object({ source: Nullable(Type.String()), difficulty: Type.Boolean() }),
    roadHardened: Type.Boolean(),
    kmToMarket: Nullable(Num),
    members: Type.Object({ count: Int, labour: Int, inSchool: Int, ill: Int, disabled: Int, migrant: Int, medicalInsurance: Int }),
    measures: Type.Object({
      relocation: Type.Boolean({ description: '易地扶贫搬迁' }),
      socialSecurity: Type.Boolean({ description: '兜底保障: a dibao/wubao household' }),
      projects: Type.Array(Type.Object({ id: Int, name: Type.String(), type: Type.String(), stage: Type.String(), year: Int }), {
        description: "projects of the household's village up to the year",
      }),
    }),
    history: Type.Array(Type.Object({ year: Int, status: Type.String() })),
    at: LonLat,
  },
  { description: 'Popup fields only: never names, ID numbers or phone numbers' },
)

const InspectionItem = Type.Object({
  rank: Int,
  code: Type.String(),
  name: Type.String(),
  level: Level,
  value: Nullable(Num),
  villages: Int,
  lagging: Type.Boolean({ description: "worse than the parent's value" }),
  poorHouseholds: Int,
  poorPeople: Int,
  incidence: Nullable(Num),
  centroid: LonLat,
  bbox: Bbox,
})
const Inspection = Type.Object({
  parent: Type.Object({ code: Type.String(), name: Type.String(), level: Level }),
  indicator: Type.Object({ code: Type.String(), direction: Direction }),
  year: Int,
  level: Nullable(Level),
  parentValue: Nullable(Num),
  items: Type.Array(InspectionItem, { description: 'worst first by the indicator’s direction; areas without a value last' }),
})

type Head = { code: string; name: string; level: Static<typeof Level>; parentCode: string | null; parentName: string | null; ruralPopulation: number | null }

/** Length of the codes one level below a code of this length. */
const CHILD_CODE_LENGTH: Readonly<Record<number, number>> = { 2: 4, 4: 6, 6: 9, 9: 12 }
const CHILD_LEVEL: Readonly<Record<number, Static<typeof Level>>> = { 2: 'prefecture', 4: 'county', 6: 'township', 9: 'village' }
const DISTANCES = { school: 'dist_school_km', clinic: 'dist_clinic_km', township: 'dist_township_km', county: 'dist_county_km' } as const

/**
 * Every query runs as the caller (app.scopedDb: the request role with the caller's area, so row-level
 * security decides what is counted), one transaction per request. The figures of an area inside the
 * caller's scope are complete by construction: everything under it is in scope too.
 */
const diagnosis: FastifyPluginAsync = async (app) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  const run = <T>(req: FastifyRequest, fn: (tx: Queryable) => Promise<T>) => app.scopedDb(req).run(fn)
  const noArea = (code: string) => ({ error: 'Not Found', message: `no administrative division with code ${code}` })
  const noIndicator = (code: string) => ({ error: 'Not Found', message: `no indicator ${code}` })
  const head = async (tx: Queryable, code: string): Promise<Head | undefined> => (await tx.query<Head>(AREA_HEAD, [code])).rows[0]
  const indicatorOf = async (tx: Queryable, code: string) =>
    (await tx.query<{ direction: Static<typeof Direction>; aggregation: string }>(INDICATOR_DIRECTION, [code])).rows[0]
  /**
   * The parent whose average may be shown: only one inside the caller's area. Above it the caller
   * sees names, never figures, and under RLS a figure of it would count the caller's part only.
   */
  const visibleParent = (req: FastifyRequest, parentCode: string | null) =>
    parentCode !== null && req.caller && areaRelation(req.caller.scope, parentCode) === 'inside' ? parentCode : null

  r.get(
    '/api/indicators',
    { schema: { summary: 'Environment indicator definitions', tags: ['diagnosis'], response: { 200: Type.Array(Indicator) } } },
    async (req) => {
      // Years holding values: those of the caller's area (indicator values are scoped).
      const { rows } = await app.scopedDb(req).query<Omit<Static<typeof Indicator>, 'threshold'>>(INDICATOR_DEFS, [FIRST_YEAR, LAST_YEAR])
      return rows.map((d) => ({ ...d, threshold: INDICATOR_THRESHOLDS[d.code] ?? null }))
    },
  )

  r.get(
    '/api/areas/:code/indicators',
    {
      schema: {
        summary: "Every indicator of an area (aggregated from its villages) and its parent's average",
        description:
          'Counts are summed, yes/no indicators give the share of villages, all others are means weighted by rural population. ' +
          "The parent's average is the parent's value computed the same way; for counts, its total divided by its number of child areas.",
        tags: ['diagnosis'],
        params: Type.Object({ code: Code }),
        querystring: YearQuery,
        response: { 200: AreaIndicators, ...errors },
      },
    },
    async (req, reply) => {
      const found = await run(req, async (tx) => {
        const a = await head(tx, req.params.code)
        if (!a) return null
        const { rows } = await tx.query<Static<typeof AreaIndicators>['indicators'][number]>(AREA_INDICATORS, [a.code, req.query.year, visibleParent(req, a.parentCode)])
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
    '/api/areas/:code/children/indicator',
    {
      schema: {
        summary: 'One indicator for each division one level below (choropleth values; classify on the client)',
        tags: ['diagnosis'],
        params: Type.Object({ code: Code }),
        querystring: Type.Object({ indicator: IndicatorCode, year: Year }, { additionalProperties: false }),
        response: { 200: ChildrenIndicator, ...errors },
      },
    },
    async (req, reply) => {
      const { code } = req.params
      const childLength = CHILD_CODE_LENGTH[code.length]
      const found = await run(req, async (tx) => {
        if (!(await head(tx, code))) return { missing: noArea(code) }
        if (!(await indicatorOf(tx, req.query.indicator))) return { missing: noIndicator(req.query.indicator) }
        return { rows: childLength ? (await tx.query<Static<typeof ChildValue>>(CHILDREN_INDICATOR, [code, req.query.indicator, req.query.year, childLength])).rows : [] }
      })
      if ('missing' in found) return reply.code(404).send(found.missing)
      const values = found.rows.map(({ code, name, value, villages }) => ({ code, name, value, villages }))
      return { code, indicator: req.query.indicator, year: req.query.year, level: CHILD_LEVEL[code.length] ?? null, values }
    },
  )

  r.get(
    '/api/areas/:code/diagnosis',
    {
      schema: {
        summary: 'Diagnosis of an area: registry by year, 两不愁三保障 gaps, main causes, distances, projects',
        tags: ['diagnosis'],
        params: Type.Object({ code: Code }),
        querystring: YearQuery,
        response: { 200: Diagnosis, ...errors },
      },
    },
    async (req, reply) => {
      const { year } = req.query
      const found = await run(req, async (tx) => {
        const a = await head(tx, req.params.code)
        if (!a) return null
        return {
          a,
          series: await tx.query<Omit<Static<typeof YearFigures>, 'incidence'>>(AREA_SERIES, [a.code, FIRST_YEAR, LAST_YEAR]),
          gaps: await tx.query<Record<string, number>>(AREA_GAPS, [a.code, year]),
          causes: await tx.query<Static<typeof Diagnosis>['causes'][number]>(AREA_CAUSES, [a.code, year, POVERTY_CAUSES]),
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
        distances: Object.fromEntries(Object.entries(DISTANCES).map(([k, c]) => [k, km.get(c) ?? null])) as Static<typeof Diagnosis>['distances'],
        projects: sumGroups(projects.rows),
      }
    },
  )

  r.get(
    '/api/areas/:code/projects',
    {
      schema: {
        summary: 'Projects in an area (county code down to counties, village code below), with stage and spending',
        tags: ['diagnosis'],
        params: Type.Object({ code: Code }),
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }) }, { additionalProperties: false }),
        response: { 200: Projects, ...errors },
      },
    },
    async (req, reply) => {
      const found = await run(req, async (tx) => {
        const a = await head(tx, req.params.code)
        if (!a) return null
        return { a, groups: await tx.query<ProjectGroup>(PROJECT_SUMMARY, [a.code]), list: await tx.query<Static<typeof Project>>(PROJECT_LIST, [a.code, req.query.limit]) }
      })
      if (!found) return reply.code(404).send(noArea(req.params.code))
      const { a, groups, list } = found
      const by = <K extends 'stage' | 'type'>(key: K, order: readonly string[]) =>
        order
          .map((v) => ({ [key]: v, ...sumGroups(groups.rows.filter((g) => g[key] === v)) }) as { [P in K]: string } & Static<typeof Projects>['total'])
          .filter((x) => x.count > 0)
      return { code: a.code, total: sumGroups(groups.rows), byStage: by('stage', PROJECT_STAGES), byType: by('type', PROJECT_TYPES), projects: list.rows }
    },
  )

  r.get(
    // The path parameter keeps its name `id` (the household guard of the auth plugin keys on
    // /api/households/:id) but holds the opaque ref: a numeric id in a URL is a 400.
    '/api/households/:id',
    {
      schema: {
        summary: 'A household for the map popup: status, size, causes, measures, 两不愁三保障 (never names, ID numbers or phones)',
        tags: ['diagnosis'],
        params: Type.Object({ id: Ref }),
        querystring: YearQuery,
        response: { 200: Household, ...errors },
      },
    },
    async (req, reply) => {
      const { year } = req.query
      const found = await run(req, async (tx) => {
        const h = (await tx.query<HouseholdRow>(HOUSEHOLD, [req.params.id, year])).rows[0]
        if (!h) return null
        if (h.year === null) return { noRecord: true as const }
        return {
          h,
          history: await tx.query<{ year: number; status: string }>(HOUSEHOLD_HISTORY, [h.id]),
          members: await tx.query<Static<typeof Household>['members']>(HOUSEHOLD_MEMBERS, [h.id]),
          projects: await tx.query<Static<typeof Household>['measures']['projects'][number]>(VILLAGE_PROJECTS, [h.villageCode, year]),
        }
      })
      if (!found) return reply.code(404).send({ error: 'Not Found', message: `no household ${req.params.id}` })
      if ('noRecord' in found) return reply.code(404).send({ error: 'Not Found', message: `household ${req.params.id} has no record for ${year}` })
      const { h, history, members, projects } = found
      const assurance = Object.fromEntries(ASSURANCE_GAPS.map((g) => [g, h[`${g}_ok`]])) as Record<(typeof ASSURANCE_GAPS)[number], boolean>
      return {
        id: Number(h.id),
        ref: h.ref,
        villageCode: h.villageCode,
        villageName: h.villageName,
        year: h.year,
        status: h.status!,
        size: h.size,
        attribute: h.attribute,
        identificationStandard: h.identificationStandard,
        registeredYear: h.registeredYear,
        mainCause: h.mainCause,
        otherCauses: h.otherCauses,
        incomePerCapita: h.incomePerCapita!,
        povertyLine: POVERTY_LINE[year]!,
        assurance,
        gaps: ASSURANCE_GAPS.filter((g) => !assurance[g]),
        housing: { safety: h.housingSafety, structure: h.housingStructure, areaM2: h.housingAreaM2, relocated: h.relocated },
        water: { source: h.waterSource, difficulty: h.waterDifficulty },
        roadHardened: h.roadHardened,
        kmToMarket: h.kmToMarket,
        members: members.rows[0]!,
        measures: { relocation: h.relocated, socialSecurity: h.attribute !== 'general', projects: projects.rows },
        history: history.rows,
        at: h.at,
      }
    },
  )

  r.get(
    '/api/inspection',
    {
      schema: {
        summary: 'The divisions one level below a parent, ranked worst first by an indicator (for inspection trips)',
        tags: ['diagnosis'],
        querystring: Type.Object({ parent: Code, indicator: IndicatorCode, year: Year }, { additionalProperties: false }),
        response: { 200: Inspection, ...errors },
      },
    },
    async (req, reply) => {
      const { parent: code, indicator, year } = req.query
      const childLength = CHILD_CODE_LENGTH[code.length]
      const found = await run(req, async (tx) => {
        const p = await head(tx, code)
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
        level: CHILD_LEVEL[code.length] ?? null,
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

interface ProjectGroup {
  stage: string
  type: string
  count: number
  budgetYuan: number
  spentYuan: number
  beneficiaryHouseholds: number
}

function sumGroups(groups: readonly ProjectGroup[]) {
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

interface ChildRow {
  code: string
  name: string
  level: Static<typeof Level>
  value: number | null
  villages: number
  ruralPopulation: number | null
  poorHouseholds: number
  poorPeople: number
  centroid: number[]
  bbox: number[]
}

interface HouseholdRow {
  id: number
  ref: string
  villageCode: string
  villageName: string
  size: number
  attribute: string
  identificationStandard: string
  registeredYear: number
  mainCause: string
  otherCauses: string[]
  housingAreaM2: number | null
  housingStructure: string | null
  housingSafety: string | null
  relocated: boolean
  waterSource: string | null
  waterDifficulty: boolean
  roadHardened: boolean
  kmToMarket: number | null
  year: number | null
  status: string | null
  incomePerCapita: number | null
  food_clothing_ok: boolean
  education_ok: boolean
  medical_ok: boolean
  housing_ok: boolean
  water_ok: boolean
  at: number[]
}

export default diagnosis
