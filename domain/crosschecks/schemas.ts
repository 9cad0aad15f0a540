/** The API's schemas of the cross-checks capability (数据比对, 错评漏评); the client takes its types from them. */
import { Type, type Static } from 'typebox'
import { AreaCode, Nullable, OneOf, UtcTime } from '../schemas/common.js'
import { FIRST_YEAR, LAST_YEAR } from '../codes.js'
import { REGISTRY_KINDS } from './registries.js'
import { FLAG_STATES, MISID_DEFAULT_YEAR, RULE_CODES, SEVERITIES } from './rules.js'

const Text = Type.Object({ zh: Type.String(), en: Type.String() })

export const RegistryLayout = Type.Object({
  kind: OneOf(REGISTRY_KINDS),
  zh: Type.String(),
  en: Type.String(),
  department: Text,
  columns: Type.Array(Type.Object({ key: Type.String(), header: Type.String(), type: Type.String(), required: Type.Boolean(), values: Type.Optional(Type.Array(Type.String())) })),
  unique: Type.Array(Type.String()),
})
export type RegistryLayout = Static<typeof RegistryLayout>

export const ImportQuery = Type.Object(
  {
    registry: OneOf(REGISTRY_KINDS, { description: 'which department’s registry the file is' }),
    dryRun: Type.Boolean({ default: true, description: 'true: check and report only (the default); false: import, match and run the rules' }),
    fileName: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
)

export const RowError = Type.Object({ row: Type.Integer(), column: Type.String(), value: Type.String(), problem: Type.String() })

export const ImportAnswer = Type.Object({
  registry: OneOf(REGISTRY_KINDS),
  format: OneOf(['csv', 'xlsx'] as const),
  rows: Type.Integer({ description: 'data rows in the file' }),
  errors: Type.Array(RowError, { description: 'row by row; any error refuses the whole file and nothing is written' }),
  imported: Type.Boolean(),
  importId: Nullable(Type.Integer()),
  matched: Type.Integer({ description: 'records matched to a member by ID number' }),
  flags: Type.Record(Type.String(), Type.Integer(), { description: 'new flags by rule' }),
  misidentification: Nullable(Type.Object({ misid_in: Type.Integer(), misid_out: Type.Integer() }), { description: 'leads after the rescan of the area (null: dry run, or an area above a county)' }),
})
export type ImportAnswer = Static<typeof ImportAnswer>

export const ImportItem = Type.Object({
  id: Type.Integer(),
  registry: OneOf(REGISTRY_KINDS),
  area: Type.String(),
  fileName: Nullable(Type.String()),
  format: Type.String(),
  rows: Type.Integer(),
  matched: Type.Integer(),
  importedBy: Nullable(Type.String()),
  importedAt: UtcTime(),
  current: Type.Boolean(),
})
export const ImportList = Type.Array(ImportItem)
export const ImportListQuery = Type.Object({ area: Type.Optional(AreaCode) }, { additionalProperties: false })

export const RuleItem = Type.Object({
  code: OneOf(RULE_CODES),
  registry: Nullable(OneOf(REGISTRY_KINDS)),
  mode: Type.String(),
  name: Text,
  evidence: Text,
  severity: OneOf(SEVERITIES),
  open: Type.Integer(),
  confirmed: Type.Integer(),
  cleared: Type.Integer(),
  confirmationRate: Nullable(Type.Number({ description: 'confirmed / (confirmed + cleared) among the decided flags of the area; null before any decision' })),
})
export type RuleItem = Static<typeof RuleItem>
export const RulesQuery = Type.Object({ area: Type.Optional(AreaCode) }, { additionalProperties: false })

export const Flag = Type.Object({
  id: Type.Integer(),
  rule: OneOf(RULE_CODES),
  severity: OneOf(SEVERITIES),
  state: OneOf(FLAG_STATES),
  villageCode: Type.String(),
  villageName: Nullable(Type.String()),
  householdRef: Nullable(Type.String()),
  member: Nullable(Type.String({ description: 'the member’s name, masked' })),
  year: Nullable(Type.Integer()),
  score: Nullable(Type.Number()),
  reasons: Type.Array(Type.Object({ code: Type.String(), weight: Type.Number(), value: Type.Optional(Type.Union([Type.Number(), Type.String()])) })),
  evidence: Type.Object({ registry: Type.Record(Type.String(), Type.Unknown()), external: Type.Record(Type.String(), Type.Unknown()) }),
  createdAt: UtcTime(),
  decidedBy: Nullable(Type.String()),
  decidedAt: Nullable(UtcTime()),
  note: Nullable(Type.String()),
})
export type Flag = Static<typeof Flag>

export const FlagPage = Type.Object({ total: Type.Integer(), items: Type.Array(Flag) })
export type FlagPage = Static<typeof FlagPage>

export const FlagQuery = Type.Object(
  {
    rule: Type.Optional(OneOf(RULE_CODES)),
    state: Type.Optional(OneOf(FLAG_STATES)),
    page: Type.Integer({ minimum: 1, maximum: 10000, default: 1 }),
    pageSize: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  },
  { additionalProperties: false },
)

export const MisidQuery = Type.Object(
  {
    year: Type.Integer({ minimum: FIRST_YEAR, maximum: LAST_YEAR, default: MISID_DEFAULT_YEAR }),
    kind: Type.Optional(OneOf(['misid_in', 'misid_out'] as const)),
    state: Type.Optional(OneOf(FLAG_STATES)),
    page: Type.Integer({ minimum: 1, maximum: 10000, default: 1 }),
    pageSize: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  },
  { additionalProperties: false },
)
export const MisidYearQuery = Type.Object({ year: Type.Integer({ minimum: FIRST_YEAR, maximum: LAST_YEAR, default: MISID_DEFAULT_YEAR }) }, { additionalProperties: false })

export const ModelReport = Type.Object({
  area: Type.String(),
  year: Type.Integer(),
  method: Type.String(),
  features: Type.Array(Type.String()),
  trainSize: Type.Integer(),
  testSize: Type.Integer({ description: 'held-out households (a fixed quarter, by a hash of the id)' }),
  testPositives: Type.Integer(),
  precision: Nullable(Type.Number({ description: 'of "poor" on the held-out households' })),
  recall: Nullable(Type.Number()),
  accuracy: Nullable(Type.Number()),
})
export type ModelReport = Static<typeof ModelReport>

export const ScanAnswer = Type.Object({
  area: Type.String(),
  year: Type.Integer(),
  households: Type.Integer(),
  leads: Type.Object({ misid_in: Type.Integer(), misid_out: Type.Integer() }),
  model: Type.Omit(ModelReport, ['area', 'year']),
})

export const DecisionBody = Type.Object(
  { note: Type.String({ minLength: 2, maxLength: 1000, description: 'the evidence for the decision (what was checked, with whom)' }) },
  { additionalProperties: false },
)
export const FlagParams = Type.Object({ id: Type.String({ pattern: '^[0-9]{1,15}$' }) })
