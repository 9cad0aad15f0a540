/**
 * The `changes` of a change request, per kind: which fields each kind takes, the column each household
 * field writes, and the TypeScript shapes. The server's validation (validation.ts) and the database's
 * apply function (migration 0012, povmap_cr_apply) take the same names.
 */
import type { ChangeKind, MeasureFamily, MeasureStatus, RemovalReason } from './enums.js'

/** Fields of the household row a request may set (household.create, household.update). API name → column. */
export const HOUSEHOLD_FIELDS = {
  attribute: 'attribute',
  identificationStandard: 'identification_standard',
  mainCause: 'main_cause',
  otherCauses: 'other_causes',
  phone: 'phone',
  housingAreaM2: 'housing_area_m2',
  housingStructure: 'housing_structure',
  housingSafety: 'housing_safety',
  relocated: 'relocated',
  waterSource: 'water_source',
  waterDifficulty: 'water_difficulty',
  cookingFuel: 'cooking_fuel',
  roadHardened: 'road_hardened',
  kmToMarket: 'km_to_market',
  landPaddyMu: 'land_paddy_mu',
  landDryMu: 'land_dry_mu',
  landForestMu: 'land_forest_mu',
} as const
export type HouseholdField = keyof typeof HOUSEHOLD_FIELDS

/** Fields of the household's registry year (household_year) a request may set; `year` says which year. */
export const YEAR_FIELDS = {
  incomePerCapita: 'income_per_capita',
  foodClothingOk: 'food_clothing_ok',
  educationOk: 'education_ok',
  medicalOk: 'medical_ok',
  housingOk: 'housing_ok',
  waterOk: 'water_ok',
} as const
export type YearField = keyof typeof YEAR_FIELDS

/** Fields of a member row. API name → column. */
export const MEMBER_FIELDS = {
  name: 'name',
  sex: 'sex',
  idNumber: 'id_number',
  relation: 'relation',
  ethnicity: 'ethnicity',
  birthYear: 'birth_year',
  schooling: 'schooling',
  inSchool: 'in_school',
  health: 'health',
  labour: 'labour',
  migrantMonths: 'migrant_months',
  dibao: 'dibao',
  wubao: 'wubao',
  medicalInsurance: 'medical_insurance',
  pension: 'pension',
} as const
export type MemberField = keyof typeof MEMBER_FIELDS
/** Personal member and household fields: masked in every answer (history, request bodies), like the member list. */
export const PERSONAL_FIELDS = ['name', 'idNumber', 'phone'] as const

export interface MemberInput {
  name: string
  sex: 'M' | 'F'
  idNumber: string
  relation: string
  ethnicity: string
  /** Optional: taken from the ID number when absent; must agree with it when given. */
  birthYear?: number
  schooling: string
  inSchool?: string | null
  health: string
  labour: string
  migrantMonths?: number
  dibao?: boolean
  wubao?: boolean
  medicalInsurance?: boolean
  pension?: boolean
}

/** Where a household is: [lon, lat] WGS84. Outside its village's outline only with `outsideBoundary`. */
export type Location = [number, number]
export interface OutsideBoundary {
  /** Why the household lies outside its village's outline (e.g. relocated to a township settlement). */
  reason: string
}

export type HouseholdFieldValues = Partial<{
  attribute: string
  identificationStandard: string
  mainCause: string
  otherCauses: string[]
  phone: string | null
  housingAreaM2: number | null
  housingStructure: string | null
  housingSafety: string | null
  relocated: boolean
  waterSource: string | null
  waterDifficulty: boolean
  cookingFuel: string | null
  roadHardened: boolean
  kmToMarket: number | null
  landPaddyMu: number | null
  landDryMu: number | null
  landForestMu: number | null
  incomePerCapita: number
  foodClothingOk: boolean
  educationOk: boolean
  medicalOk: boolean
  housingOk: boolean
  waterOk: boolean
}>

/** household.create: a new household (新识别), status poor in `year`, with its members; size = members. */
export type HouseholdCreateChanges = HouseholdFieldValues & {
  villageCode: string
  location: Location
  outsideBoundary?: OutsideBoundary | null
  year: number
  size?: number
  attribute: string
  identificationStandard: string
  mainCause: string
  incomePerCapita: number
  members: MemberInput[]
}
/** household.update: any household or year fields (at least one), a new location; `year` defaults to the household's latest. */
export type HouseholdUpdateChanges = HouseholdFieldValues & { year?: number; location?: Location; outsideBoundary?: OutsideBoundary | null; size?: number }
/** household.exit (脱贫): status lifted in `year` (default the latest), optionally with that year's income. */
export type HouseholdExitChanges = { year?: number; incomePerCapita?: number; note?: string }
/** household.return (返贫): status returned in `year`, optionally a new main cause and income. */
export type HouseholdReturnChanges = { year?: number; mainCause?: string; incomePerCapita?: number; note?: string }
/** household.remove (自然减少): the household leaves the registry; its history stays. */
export type HouseholdRemoveChanges = { removalReason: RemovalReason; note?: string }
export type MemberAddChanges = { member: MemberInput }
/** memberNo: the member's `no` in GET /api/households/{ref}/members at baseVersion. */
export type MemberUpdateChanges = Partial<Omit<MemberInput, never>> & { memberNo: number }
export type MemberRemoveChanges = { memberNo: number; removalReason?: RemovalReason; note?: string }
/** measure.upsert: a new measure (no measureId) or a change to one; `note` appends a progress note. */
export type MeasureUpsertChanges = {
  measureId?: number
  family: MeasureFamily
  title?: string
  cadre: string
  amountYuan: number
  startDate: string
  targetDate: string
  status: MeasureStatus
  note?: string
}

export interface ChangesByKind {
  'household.create': HouseholdCreateChanges
  'household.update': HouseholdUpdateChanges
  'household.exit': HouseholdExitChanges
  'household.return': HouseholdReturnChanges
  'household.remove': HouseholdRemoveChanges
  'member.add': MemberAddChanges
  'member.update': MemberUpdateChanges
  'member.remove': MemberRemoveChanges
  'measure.upsert': MeasureUpsertChanges
}
export type Changes<K extends ChangeKind = ChangeKind> = ChangesByKind[K]

/** Whether a kind names an existing household as its target (all but household.create). */
export const needsTarget = (kind: ChangeKind): boolean => kind !== 'household.create'
