/** Environment indicators, the diagnosis of an area, its projects and the inspection ranking. */
import { Type, type Static } from 'typebox'
import { FIRST_YEAR, LAST_YEAR } from '../codes.js'
import { AdminLevel, AreaCode, Bbox, LonLat, Nullable, OneOf, Year } from './common.js'
import { RegistryFigures } from './areas.js'

export const IndicatorCode = Type.String({ pattern: '^[a-z][a-z0-9_]*$', maxLength: 64, description: 'indicator code (GET /api/indicators)' })
export const Direction = OneOf(['higher_better', 'lower_better'])
export type Direction = Static<typeof Direction>
export const Aggregation = OneOf(['sum', 'share', 'weighted_mean'], {
  description: 'how villages combine into a larger area: sum (counts), share (yes/no: share of villages), weighted_mean (by rural population)',
})

export const Threshold = Type.Object({
  value: Type.Number(),
  basis: OneOf(['exit_criterion', 'planning_target'], { description: 'exit_criterion: part of the official exit criteria; planning_target: a reference a planner chose' }),
  note: Type.Object({ zh: Type.String(), en: Type.String() }),
})
export type Threshold = Static<typeof Threshold>

export const Indicator = Type.Object({
  code: Type.String(),
  nameZh: Type.String(),
  nameEn: Type.String(),
  unit: Type.String(),
  direction: Direction,
  category: Type.String(),
  description: Nullable(Type.String()),
  aggregation: Aggregation,
  years: Type.Array(Type.Integer(), { description: 'years holding values' }),
  threshold: Nullable(Threshold),
})
export type Indicator = Static<typeof Indicator>

export const AreaIndicators = Type.Object({
  code: Type.String(),
  name: Type.String(),
  level: AdminLevel,
  year: Type.Integer(),
  parent: Nullable(Type.Object({ code: Type.String(), name: Type.String() })),
  indicators: Type.Array(
    Type.Object({
      code: Type.String(),
      value: Nullable(Type.Number()),
      villages: Type.Integer({ description: 'villages with a value that year' }),
      parentAverage: Nullable(Type.Number({ description: "the parent's value (for sums: its total per child area)" })),
    }),
  ),
})
export type AreaIndicators = Static<typeof AreaIndicators>

export const ChildValue = Type.Object({ code: Type.String(), name: Type.String(), value: Nullable(Type.Number()), villages: Type.Integer() })
export const ChildrenIndicator = Type.Object({
  code: Type.String(),
  indicator: Type.String(),
  year: Type.Integer(),
  level: Nullable(AdminLevel),
  values: Type.Array(ChildValue),
})
export type ChildrenIndicator = Static<typeof ChildrenIndicator>
export const ChildrenIndicatorQuery = Type.Object({ indicator: IndicatorCode, year: Year }, { additionalProperties: false })

/** Projects counted together: how many, their money and the households they reach. */
export const Money = Type.Object({ count: Type.Integer(), budgetYuan: Type.Number(), spentYuan: Type.Number(), beneficiaryHouseholds: Type.Integer() })
export type Money = Static<typeof Money>

export const Diagnosis = Type.Object({
  code: Type.String(),
  name: Type.String(),
  level: AdminLevel,
  year: Type.Integer(),
  ruralPopulation: Nullable(Type.Number()),
  series: Type.Array(RegistryFigures, { description: `${FIRST_YEAR}–${LAST_YEAR}, registered households by status` }),
  gaps: Type.Object({
    households: Type.Integer({ description: 'registered households that year' }),
    poorHouseholds: Type.Integer(),
    anyGap: Type.Integer({ description: 'households with at least one gap' }),
    anyGapPoor: Type.Integer(),
    byGap: Type.Array(Type.Object({ gap: Type.String(), households: Type.Integer(), poorHouseholds: Type.Integer() })),
  }),
  causes: Type.Array(Type.Object({ cause: Type.String(), households: Type.Integer(), people: Type.Integer(), poorHouseholds: Type.Integer() }), { description: 'by main cause' }),
  distances: Type.Object(
    { school: Nullable(Type.Number()), clinic: Nullable(Type.Number()), township: Nullable(Type.Number()), county: Nullable(Type.Number()) },
    { description: 'km, the villages’ values weighted by rural population (indicators dist_*_km)' },
  ),
  projects: Money,
})
export type Diagnosis = Static<typeof Diagnosis>

export const Project = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  type: Type.String(),
  stage: Type.String(),
  year: Type.Integer(),
  budgetYuan: Type.Number(),
  spentYuan: Type.Number(),
  countyCode: Type.String(),
  villageCode: Nullable(Type.String()),
  beneficiaryHouseholds: Type.Integer(),
  at: LonLat,
})
export type Project = Static<typeof Project>

export const Projects = Type.Object({
  code: Type.String(),
  total: Money,
  byStage: Type.Array(Type.Object({ stage: Type.String(), ...Money.properties })),
  byType: Type.Array(Type.Object({ type: Type.String(), ...Money.properties })),
  projects: Type.Array(Project, { description: 'latest first, up to limit' }),
})
export type Projects = Static<typeof Projects>
export const ProjectsQuery = Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }) }, { additionalProperties: false })

export const InspectionItem = Type.Object({
  rank: Type.Integer(),
  code: Type.String(),
  name: Type.String(),
  level: AdminLevel,
  value: Nullable(Type.Number()),
  villages: Type.Integer(),
  lagging: Type.Boolean({ description: "worse than the parent's value" }),
  poorHouseholds: Type.Integer(),
  poorPeople: Type.Integer(),
  incidence: Nullable(Type.Number()),
  centroid: LonLat,
  bbox: Bbox,
})
export type InspectionItem = Static<typeof InspectionItem>

export const Inspection = Type.Object({
  parent: Type.Object({ code: Type.String(), name: Type.String(), level: AdminLevel }),
  indicator: Type.Object({ code: Type.String(), direction: Direction }),
  year: Type.Integer(),
  level: Nullable(AdminLevel),
  parentValue: Nullable(Type.Number()),
  items: Type.Array(InspectionItem, { description: 'worst first by the indicator’s direction; areas without a value last' }),
})
export type Inspection = Static<typeof Inspection>
export const InspectionQuery = Type.Object({ parent: AreaCode, indicator: IndicatorCode, year: Year }, { additionalProperties: false })
