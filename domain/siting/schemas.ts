/** API schemas of accessibility and siting (../shared/api-contract.md, "Accessibility and siting"). */
import { Type, type Static } from 'typebox'
import { ADMIN_CODE_PATTERN } from '../admin-codes.js'

const Lon = Type.Number({ minimum: 108, maximum: 115, description: 'longitude, WGS84 (Hunan and its surroundings)' })
const Lat = Type.Number({ minimum: 24, maximum: 31, description: 'latitude, WGS84' })
const Area = Type.String({ pattern: ADMIN_CODE_PATTERN, description: 'the area to site in: a division code inside the caller’s area' })
const Year = Type.Integer({ minimum: 2014, maximum: 2020, description: 'registry year (default: the latest year the area still has poor households with the gap)' })
export const Point = Type.Object({ lon: Lon, lat: Lat }, { additionalProperties: false })

export const FACILITIES = ['water', 'clinic', 'school'] as const
export type SitingFacility = (typeof FACILITIES)[number]

export const IsochroneBody = Type.Object(
  {
    lon: Lon,
    lat: Lat,
    minutes: Type.Array(Type.Integer({ minimum: 1, maximum: 180 }), { minItems: 1, maxItems: 6, uniqueItems: true }),
    mode: Type.Union([Type.Literal('drive'), Type.Literal('walk')]),
    year: Type.Optional(Year),
  },
  { additionalProperties: false },
)
export type IsochroneBody = Static<typeof IsochroneBody>

const Polygonal = Type.Object({ type: Type.Union([Type.Literal('MultiPolygon')]), coordinates: Type.Array(Type.Array(Type.Array(Type.Array(Type.Number())))) })

export const IsochroneAnswer = Type.Object({
  type: Type.Literal('FeatureCollection'),
  features: Type.Array(
    Type.Object({
      type: Type.Literal('Feature'),
      geometry: Polygonal,
      properties: Type.Object({
        minutes: Type.Integer(),
        mode: Type.String(),
        poorHouseholds: Type.Union([Type.Integer(), Type.Null()], { description: 'poor households inside, within the caller’s area; null: fewer than 3 for a role that sees aggregates only' }),
      }),
    }),
  ),
  year: Type.Integer(),
  elapsedMs: Type.Number(),
})

export const SitingBody = Type.Object(
  {
    area: Area,
    facility: Type.Union([Type.Literal('water'), Type.Literal('clinic'), Type.Literal('school')]),
    k: Type.Integer({ minimum: 1, maximum: 50, description: 'number of sites (at most: a budget may buy fewer)' }),
    budgetYuan: Type.Optional(Type.Number({ minimum: 0, maximum: 1e11, description: 'budget; with siteCostYuan, sites are at most floor(budget / cost)' })),
    siteCostYuan: Type.Optional(Type.Number({ minimum: 0.01, maximum: 1e10, description: 'cost of one site' })),
    standardMinutes: Type.Integer({ minimum: 5, maximum: 180, description: 'service standard: a household within this many minutes is covered' }),
    objective: Type.Union([Type.Literal('coverage'), Type.Literal('p-median')]),
    gap: Type.Optional(Type.Boolean({ description: 'count only poor households with the matching gap (water: without safe water; school: education; clinic: medical care)' })),
    year: Type.Optional(Year),
    candidates: Type.Optional(Type.Array(Point, { minItems: 1, maxItems: 5000, description: 'candidate sites (map clicks); default: the village seats, or a grid with candidateSource grid' })),
    candidateSource: Type.Optional(Type.Union([Type.Literal('villages'), Type.Literal('grid'), Type.Literal('given')])),
    gridSpacingM: Type.Optional(Type.Integer({ minimum: 100, maximum: 20000 })),
    solver: Type.Optional(Type.Union([Type.Literal('auto'), Type.Literal('greedy'), Type.Literal('exact')])),
  },
  { additionalProperties: false },
)
export type SitingBody = Static<typeof SitingBody>

const Figures = Type.Object({ population: Type.Number(), poorPopulation: Type.Number(), H: Type.Number(), A: Type.Number(), M0: Type.Number() })
const WhatIfRow = Type.Object({ code: Type.String(), name: Type.Optional(Type.String()), before: Figures, after: Figures, dH: Type.Number(), dA: Type.Number(), dM0: Type.Number() })
export const WhatIf = Type.Object({
  removes: Type.Array(Type.String(), { description: 'AF indicators the project removes for the households it covers' }),
  households: Type.Integer({ description: 'households (any status) whose deprivation it removes' }),
  villages: Type.Array(WhatIfRow),
  counties: Type.Array(WhatIfRow),
  total: WhatIfRow,
})

export const SitingAnswer = Type.Object({
  sites: Type.Array(
    Type.Object({
      lon: Type.Number(),
      lat: Type.Number(),
      covered: Type.Integer({ description: 'poor households (of the target) within the standard of this site' }),
      gain: Type.Number({ description: 'marginal gain in rank order: people newly covered (coverage) or people·minutes saved (p-median)' }),
      rank: Type.Integer(),
    }),
  ),
  covered: Type.Integer({ description: 'target poor households within the standard of a new site or an existing facility' }),
  total: Type.Integer({ description: 'target poor households in the area' }),
  coveredBefore: Type.Integer({ description: 'of them, already within the standard of an existing facility' }),
  solver: Type.String(),
  elapsedMs: Type.Number(),
  year: Type.Integer(),
  candidates: Type.Integer(),
  existing: Type.Integer(),
  greedyValue: Type.Number(),
  exactValue: Type.Union([Type.Number(), Type.Null()]),
  coverage: Type.Object({ type: Type.Literal('FeatureCollection'), features: Type.Array(Type.Any()) }, { description: 'each site’s area within the standard (polygons), rank in properties' }),
  villages: Type.Array(
    Type.Object({ code: Type.String(), name: Type.String(), total: Type.Union([Type.Integer(), Type.Null()]), covered: Type.Union([Type.Integer(), Type.Null()]) }),
    { description: 'target poor households per village and how many are covered (null: fewer than 3, for roles that see aggregates only)' },
  ),
  whatIf: WhatIf,
})
export type SitingAnswer = Static<typeof SitingAnswer>

export const RoadLinksBody = Type.Object(
  {
    area: Area,
    year: Type.Optional(Year),
    links: Type.Optional(Type.Array(Type.Object({ from: Point, to: Point }, { additionalProperties: false }), { minItems: 1, maxItems: 50, description: 'drawn links; default: generated between nearby villages the network joins only by a long way round' })),
    maxKm: Type.Optional(Type.Number({ minimum: 0.5, maximum: 10 })),
  },
  { additionalProperties: false },
)
export const RoadLinksAnswer = Type.Object({
  links: Type.Array(
    Type.Object({
      from: Type.Object({ lon: Type.Number(), lat: Type.Number(), code: Type.Optional(Type.String()), name: Type.Optional(Type.String()) }),
      to: Type.Object({ lon: Type.Number(), lat: Type.Number(), code: Type.Optional(Type.String()), name: Type.Optional(Type.String()) }),
      km: Type.Number(),
      savedMinutes: Type.Number({ description: 'reduction of poor households’ total minutes to their township seat' }),
      households: Type.Integer({ description: 'poor households whose trip gets shorter' }),
      perKm: Type.Number(),
    }),
  ),
  year: Type.Integer(),
  elapsedMs: Type.Number(),
})

export const ScenarioBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 80 }), request: SitingBody },
  { additionalProperties: false },
)
export const ScenarioQuery = Type.Object({ area: Type.Optional(Area) }, { additionalProperties: false })
export const ScenarioParams = Type.Object({ id: Type.String({ pattern: '^[0-9]{1,9}$' }) })
export const ExportQuery = Type.Object({ format: Type.Union([Type.Literal('geojson'), Type.Literal('xlsx')]) }, { additionalProperties: false })

export const Scenario = Type.Object({
  id: Type.Integer(),
  areaCode: Type.String(),
  name: Type.String(),
  facility: Type.String(),
  request: Type.Any(),
  result: Type.Any({ description: 'the siting answer as computed when saved' }),
  createdAt: Type.String(),
})

/** Who may make a scenario's sites planned projects (migration 0025): county-level planners and above. */
export const PLANNING_ROLES = ['province_admin', 'prefecture_officer', 'county_officer'] as const

export const ScenarioProjectsBody = Type.Object(
  { year: Type.Optional(Type.Integer({ minimum: 2014, maximum: 2035, description: 'the projects’ year (default: the scenario’s registry year)' })) },
  { additionalProperties: false },
)
export const ScenarioProjects = Type.Object({
  scenarioId: Type.Integer(),
  created: Type.Integer({ description: 'projects made by this call (0 when the scenario had become projects before)' }),
  projects: Type.Array(
    Type.Object({
      id: Type.Integer(),
      site: Type.Integer({ description: 'the site’s rank in the scenario' }),
      created: Type.Boolean(),
      name: Type.String(),
      type: Type.String(),
      stage: Type.String(),
      year: Type.Integer(),
      budgetYuan: Type.Number(),
      countyCode: Type.String(),
      villageCode: Type.Union([Type.String(), Type.Null()]),
      geometry: Type.Any({ description: 'GeoJSON geometry: the site (a point), or a road link (a line)' }),
    }),
  ),
})
export type ScenarioProjects = Static<typeof ScenarioProjects>
