/** Schemas of the identification API (AF measure, scenarios, the household's "why") and the indicator system. */
import { Type, type Static } from 'typebox'
import { AdminLevel, AreaCode, Nullable, OneOf, UtcTime, UUID_PATTERN, Year } from '../schemas/common.js'

export const Fraction = (description?: string) => Type.Number({ minimum: 0, maximum: 1, ...(description ? { description } : {}) })
export const K = Type.Number({ minimum: 0, maximum: 1, description: 'poverty cut-off k: a household is AF-poor when its weighted deprivation score c_i ≥ k (and c_i > 0)' })
const ScenarioId = Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'a saved scenario (GET /api/identification/scenarios); its weights and k' })

export const MpiQuery = Type.Object(
  { year: Year, k: Type.Optional(K), scenario: Type.Optional(ScenarioId) },
  { additionalProperties: false },
)
export type MpiQuery = Static<typeof MpiQuery>

const ByIndicator = (description: string) => Type.Record(Type.String(), Type.Number(), { description })

/** The AF measure of one area; all shares are of PEOPLE (households weighted by their size). */
export const Mpi = Type.Object({
  code: Type.String(),
  name: Type.String(),
  year: Type.Integer(),
  k: Type.Number(),
  scenario: Nullable(Type.Integer(), { description: 'the saved scenario used, null for the default measure' }),
  population: Type.Integer({ description: 'people in identified households' }),
  poorPopulation: Type.Integer({ description: 'people in AF-poor households' }),
  households: Type.Integer(),
  poorHouseholds: Type.Integer(),
  H: Fraction('headcount ratio: poor people / people'),
  A: Fraction('intensity: mean deprivation score of the poor'),
  M0: Fraction('adjusted headcount ratio H × A'),
  censored: ByIndicator('censored headcount ratio per indicator: people poor and deprived in it / people'),
  contributions: ByIndicator('share of M0 from each indicator (sum 1 when M0 > 0)'),
  weights: ByIndicator('normalised weights (sum 1)'),
  vulnerable: Fraction('people with 20 % ≤ c_i < 33⅓ %'),
  severe: Fraction('people with c_i ≥ 50 %'),
  officialPoorPopulation: Type.Integer({ description: 'people poor by the official rule: income under the line or any 两不愁三保障 item not assured' }),
  officialH: Fraction('officialPoorPopulation / population'),
})
export type Mpi = Static<typeof Mpi>

/** Deprivation patterns of an area: enough to compute the measure for any weights and k (the client's sliders). */
export const MpiProfile = Type.Object({
  code: Type.String(),
  name: Type.String(),
  year: Type.Integer(),
  rows: Type.Array(
    Type.Object({
      mask: Type.Integer({ description: 'bit af_bit of each indicator deprived in' }),
      poorOfficial: Type.Boolean(),
      households: Type.Integer(),
      people: Type.Integer(),
    }),
  ),
})
export type MpiProfile = Static<typeof MpiProfile>
export const ChildrenMpiProfile = Type.Object({ code: Type.String(), year: Type.Integer(), level: Nullable(AdminLevel), children: Type.Array(MpiProfile) })
export type ChildrenMpiProfile = Static<typeof ChildrenMpiProfile>

export const Bilingual = Type.Object({ zh: Type.String(), en: Type.String() })
export type Bilingual = Static<typeof Bilingual>

export const AfIndicatorDef = Type.Object({
  code: Type.String(),
  nameZh: Type.String(),
  nameEn: Type.String(),
  unit: Type.String(),
  dimension: Type.String(),
  afBit: Type.Integer({ minimum: 0, maximum: 9 }),
  direction: OneOf(['higher_better', 'lower_better']),
  cutoff: Nullable(Type.Number(), { description: 'deprivation cut-off (indicator_def.threshold_value)' }),
  note: Bilingual,
})
export type AfIndicatorDef = Static<typeof AfIndicatorDef>

export const Weights = Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]*$', maxLength: 64 }), Type.Number({ minimum: 0, maximum: 1000 }), {
  description: 'weight per AF indicator code, any non-negative scale (normalised); missing codes weigh 0',
})

export const IdentificationConfig = Type.Object({
  indicators: Type.Array(AfIndicatorDef),
  dimensions: Type.Array(Type.String(), { description: 'dimension codes in indicator order' }),
  k: Type.Number(),
  weights: Weights,
  updatedAt: UtcTime(),
  updatedBy: Nullable(Type.String()),
})
export type IdentificationConfig = Static<typeof IdentificationConfig>

export const Scenario = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  areaCode: Type.String(),
  shared: Type.Boolean(),
  isDefault: Type.Boolean(),
  mine: Type.Boolean(),
  k: Type.Number(),
  weights: Weights,
  createdAt: UtcTime(),
})
export type Scenario = Static<typeof Scenario>

export const ScenarioBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    k: K,
    weights: Weights,
    areaCode: Type.Optional(AreaCode),
    shared: Type.Optional(Type.Boolean({ description: 'visible to everyone whose area lies inside areaCode' })),
  },
  { additionalProperties: false },
)
export const DefaultMeasureBody = Type.Object({ k: K, weights: Weights }, { additionalProperties: false })

/** A change of the default measure running in the background (server/identification/measure-jobs.ts). */
export const MeasureJob = Type.Object({
  id: Type.String({ pattern: UUID_PATTERN }),
  kind: OneOf(['default-measure', 'indicator'] as const),
  state: OneOf(['running', 'done', 'failed'] as const, { description: 'running until its transaction commits (done) or rolls back (failed)' }),
  percent: Type.Number({ minimum: 0, maximum: 100 }),
  step: Type.String({ description: "what it does now: queued, years (re-scoring, with year), identify, done, failed" }),
  startedAt: UtcTime(),
  finishedAt: Nullable(UtcTime()),
})
export type MeasureJob = Static<typeof MeasureJob>
export const MeasureJobParams = Type.Object({ id: Type.String({ pattern: UUID_PATTERN }) })
export const MeasureJobConflict = Type.Object({ error: Type.String(), message: Type.String(), job: MeasureJob }, { description: 'another change of the measure is running' })

export const HouseholdWhyQuery = Type.Object({ year: Year }, { additionalProperties: false })

export const HouseholdWhy = Type.Object({
  ref: Type.String(),
  year: Type.Integer(),
  k: Type.Number(),
  score: Fraction('c_i with the default weights'),
  poorAf: Type.Boolean(),
  poorOfficial: Type.Boolean(),
  income: Type.Number(),
  line: Nullable(Type.Number()),
  indicators: Type.Array(
    Type.Object({
      code: Type.String(),
      nameZh: Type.String(),
      nameEn: Type.String(),
      dimension: Type.String(),
      weight: Type.Number({ description: 'normalised' }),
      value: Nullable(Type.Number()),
      cutoff: Nullable(Type.Number()),
      deprived: Type.Boolean(),
      text: Bilingual,
    }),
  ),
  officialGaps: Type.Array(Type.Object({ code: Type.String(), text: Bilingual })),
  verdict: Type.Object({ af: Bilingual, official: Bilingual }),
})
export type HouseholdWhy = Static<typeof HouseholdWhy>

/** The indicator system (指标体系): every indicator_def row with everything editable. */
export const IndicatorThreshold = Type.Object({
  value: Type.Number(),
  basis: OneOf(['exit_criterion', 'planning_target', 'deprivation_cutoff']),
  note: Bilingual,
})
export const IndicatorSystemEntry = Type.Object({
  code: Type.String(),
  nameZh: Type.String(),
  nameEn: Type.String(),
  unit: Type.String(),
  level: OneOf(['household', 'village']),
  direction: OneOf(['higher_better', 'lower_better']),
  category: Type.String(),
  dimension: Nullable(Type.String()),
  source: Nullable(Type.String()),
  description: Nullable(Type.String()),
  threshold: Nullable(IndicatorThreshold),
  afBit: Nullable(Type.Integer()),
  version: Type.Integer(),
})
export type IndicatorSystemEntry = Static<typeof IndicatorSystemEntry>

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max })
export const IndicatorPatch = Type.Object(
  {
    nameZh: Type.Optional(Text(100)),
    nameEn: Type.Optional(Text(200)),
    unit: Type.Optional(Text(40)),
    direction: Type.Optional(OneOf(['higher_better', 'lower_better'])),
    category: Type.Optional(Text(40)),
    dimension: Type.Optional(Nullable(Text(40))),
    source: Type.Optional(Nullable(Text(300))),
    description: Type.Optional(Nullable(Text(1000))),
    threshold: Type.Optional(
      Nullable(
        Type.Object(
          {
            value: Type.Number({ minimum: -1e9, maximum: 1e9 }),
            basis: OneOf(['exit_criterion', 'planning_target', 'deprivation_cutoff']),
            note: Type.Object({ zh: Text(300), en: Text(300) }, { additionalProperties: false }),
          },
          { additionalProperties: false },
        ),
      ),
    ),
    note: Type.Optional(Type.String({ maxLength: 500, description: 'why the change (kept in the history)' })),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type IndicatorPatch = Static<typeof IndicatorPatch>
export const IndicatorQuery = Type.Object({ indicator: Type.String({ pattern: '^[a-z][a-z0-9_]*$', maxLength: 64 }) }, { additionalProperties: false })
export const ScenarioDeleteBody = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) }, { additionalProperties: false })

export const IndicatorVersion = Type.Object({
  code: Type.String(),
  version: Type.Integer(),
  definition: Type.Record(Type.String(), Type.Unknown()),
  changedAt: UtcTime(),
  changedBy: Nullable(Type.String()),
  note: Nullable(Type.String()),
})
export type IndicatorVersion = Static<typeof IndicatorVersion>
