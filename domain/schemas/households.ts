/** A household: the map popup (no personal data), its members (masked unless revealed) and the CSV export. */
import { Type, type Static } from 'typebox'
import { ASSURANCE_GAPS } from '../codes.js'
import { HouseholdRef, LonLat, Nullable, UtcTime, Year } from './common.js'

export const HouseholdParams = Type.Object({ id: HouseholdRef })

const ProjectRef = Type.Object({ id: Type.Integer(), name: Type.String(), type: Type.String(), stage: Type.String(), year: Type.Integer() })

export const Household = Type.Object(
  {
    id: Type.Integer({ description: 'internal id (the tile feature id): non-sequential, never used in a URL' }),
    ref: Type.String({ description: 'opaque id for URLs (GET /api/households/{ref}, …/members)' }),
    villageCode: Type.String(),
    villageName: Type.String(),
    year: Type.Integer(),
    status: Type.String(),
    size: Type.Integer(),
    attribute: Type.String(),
    identificationStandard: Type.String(),
    registeredYear: Type.Integer(),
    mainCause: Type.String(),
    otherCauses: Type.Array(Type.String()),
    incomePerCapita: Type.Number(),
    povertyLine: Type.Number(),
    assurance: Type.Object(Object.fromEntries(ASSURANCE_GAPS.map((g) => [g, Type.Boolean()])), { description: 'true where the guarantee is met' }),
    gaps: Type.Array(Type.String()),
    housing: Type.Object({ safety: Nullable(Type.String()), structure: Nullable(Type.String()), areaM2: Nullable(Type.Number()), relocated: Type.Boolean() }),
    water: Type.Object({ source: Nullable(Type.String()), difficulty: Type.Boolean() }),
    roadHardened: Type.Boolean(),
    kmToMarket: Nullable(Type.Number()),
    members: Type.Object({
      count: Type.Integer(),
      labour: Type.Integer(),
      inSchool: Type.Integer(),
      ill: Type.Integer(),
      disabled: Type.Integer(),
      migrant: Type.Integer(),
      medicalInsurance: Type.Integer(),
    }),
    measures: Type.Object({
      relocation: Type.Boolean({ description: '易地扶贫搬迁' }),
      socialSecurity: Type.Boolean({ description: '兜底保障: a dibao/wubao household' }),
      projects: Type.Array(ProjectRef, { description: "projects of the household's village up to the year" }),
    }),
    history: Type.Array(Type.Object({ year: Type.Integer(), status: Type.String() })),
    at: LonLat,
    version: Type.Integer({ minimum: 1, description: 'grows by one with each applied change request; send it as baseVersion (registry workflow)' }),
    updatedAt: UtcTime('when the last change request was applied (ISO 8601, UTC)'),
    outsideBoundary: Nullable(Type.Object({ reason: Type.String() }), { description: 'set when the household is kept outside its village outline on purpose' }),
    cookingFuel: Nullable(Type.String()),
    land: Type.Object({ paddyMu: Nullable(Type.Number()), dryMu: Nullable(Type.Number()), forestMu: Nullable(Type.Number()) }),
  },
  { description: 'Popup fields only: never names, ID numbers or phone numbers' },
)
export type Household = Static<typeof Household>

export const HouseholdMember = Type.Object({
  no: Type.Integer({ description: 'position in the household (1 = first registered member)' }),
  name: Type.String({ description: 'masked (张*) unless revealed' }),
  idNumber: Type.String({ description: 'masked (433124**********34: area and last two) unless revealed' }),
  sex: Type.String(),
  relation: Type.String(),
  ethnicity: Type.String(),
  birthYear: Type.Integer(),
  schooling: Type.String(),
  inSchool: Nullable(Type.String()),
  health: Type.String(),
  labour: Type.String(),
  migrantMonths: Type.Integer(),
  dibao: Type.Boolean(),
  wubao: Type.Boolean(),
  medicalInsurance: Type.Boolean(),
  pension: Type.Boolean(),
})
export type HouseholdMember = Static<typeof HouseholdMember>

/** GET /api/households/{ref}/members: names, ID numbers and phone masked by the server (张*, 433124**********34, 138****5678). */
export const HouseholdMembers = Type.Object({
  ref: Type.String(),
  villageCode: Type.String(),
  phone: Nullable(Type.String(), { description: 'masked (138****5678) unless revealed' }),
  revealed: Type.Boolean(),
  members: Type.Array(HouseholdMember),
})
export type HouseholdMembers = Static<typeof HouseholdMembers>

export const RevealBody = Type.Object(
  { reason: Type.String({ minLength: 4, maxLength: 500, description: 'why the originals are needed (kept in the audit log)' }) },
  { additionalProperties: false },
)
export type RevealBody = Static<typeof RevealBody>

// The household map layer's filters, as its tiles take them: the export holds what the map shows.
const FilterList = Type.Optional(Type.String({ maxLength: 200, description: 'comma list, the values of the households tile layer filter of that name' }))
export const HouseholdExportQuery = Type.Object({ year: Year, status: FilterList, cause: FilterList, gap: FilterList }, { additionalProperties: false })
