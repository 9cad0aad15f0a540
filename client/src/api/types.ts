/** Shapes of the povmap API responses (see the OpenAPI document at /api/docs). */
import type { AdminLevel } from '../../../domain/admin-codes.js'

export type { AdminLevel }
export type Direction = 'higher_better' | 'lower_better'

export interface Health {
  status: 'ok' | 'unavailable'
  db: { kind: 'embedded' | 'server'; postgis: string | null }
  migrations: { applied: number; latest: string | null }
}

export interface Area {
  code: string
  name: string
  level: AdminLevel
  parentCode: string | null
  centroid: [number, number]
  bbox: [number, number, number, number]
}

export interface SearchHit {
  code: string
  name: string
  level: AdminLevel
  path: string
}

export interface AreaStats {
  code: string
  year: number
  households: number
  people: number
  poorHouseholds: number
  poorPeople: number
  liftedHouseholds: number
  returnedHouseholds: number
  incidence: number | null
}

export interface Indicator {
  code: string
  nameZh: string
  nameEn: string
  unit: string
  direction: Direction
  category: string
  description: string | null
  aggregation: 'sum' | 'share' | 'weighted_mean'
  years: number[]
  threshold: { value: number; basis: 'exit_criterion' | 'planning_target'; note: { zh: string; en: string } } | null
}

export interface AreaIndicators {
  code: string
  name: string
  level: AdminLevel
  year: number
  parent: { code: string; name: string } | null
  indicators: { code: string; value: number | null; villages: number; parentAverage: number | null }[]
}

export interface ChildrenIndicator {
  code: string
  indicator: string
  year: number
  level: AdminLevel | null
  values: { code: string; name: string; value: number | null; villages: number }[]
}

export interface YearFigures {
  year: number
  households: number
  people: number
  poorHouseholds: number
  poorPeople: number
  liftedHouseholds: number
  returnedHouseholds: number
  incidence: number | null
}

export interface Money {
  count: number
  budgetYuan: number
  spentYuan: number
  beneficiaryHouseholds: number
}

export interface Diagnosis {
  code: string
  name: string
  level: AdminLevel
  year: number
  ruralPopulation: number | null
  series: YearFigures[]
  gaps: {
    households: number
    poorHouseholds: number
    anyGap: number
    anyGapPoor: number
    byGap: { gap: string; households: number; poorHouseholds: number }[]
  }
  causes: { cause: string; households: number; people: number; poorHouseholds: number }[]
  distances: { school: number | null; clinic: number | null; township: number | null; county: number | null }
  projects: Money
}

export interface Project {
  id: number
  name: string
  type: string
  stage: string
  year: number
  budgetYuan: number
  spentYuan: number
  countyCode: string
  villageCode: string | null
  beneficiaryHouseholds: number
  at: [number, number]
}

export interface Projects {
  code: string
  total: Money
  byStage: (Money & { stage: string })[]
  byType: (Money & { type: string })[]
  projects: Project[]
}

export interface Household {
  /** The internal numeric id (the tile feature id). */
  id: number
  /**
   * The household's opaque reference (a UUID): what the user sees and what follow-up requests
   * (members) use. Optional until every server answers it.
   */
  ref?: string
  villageCode: string
  villageName: string
  year: number
  status: string
  size: number
  attribute: string
  identificationStandard: string
  registeredYear: number
  mainCause: string
  otherCauses: string[]
  incomePerCapita: number
  povertyLine: number
  assurance: Record<string, boolean>
  gaps: string[]
  housing: { safety: string | null; structure: string | null; areaM2: number | null; relocated: boolean }
  water: { source: string | null; difficulty: boolean }
  roadHardened: boolean
  kmToMarket: number | null
  members: { count: number; labour: number; inSchool: number; ill: number; disabled: number; migrant: number; medicalInsurance: number }
  measures: { relocation: boolean; socialSecurity: boolean; projects: { id: number; name: string; type: string; stage: string; year: number }[] }
  history: { year: number; status: string }[]
  at: [number, number]
}

/** GET /api/households/{ref}/members: names, ID numbers and phone masked by the server (张*, 433124**********34, 138****5678). */
export interface HouseholdMembers {
  ref: string
  villageCode: string
  phone: string | null
  revealed: boolean
  members: {
    no: number
    name: string
    idNumber: string
    sex: string
    relation: string
    ethnicity: string
    birthYear: number
    schooling: string
    inSchool: string | null
    health: string
    labour: string
    migrantMonths: number
    dibao: boolean
    wubao: boolean
    medicalInsurance: boolean
    pension: boolean
  }[]
}

export interface InspectionItem {
  rank: number
  code: string
  name: string
  level: AdminLevel
  value: number | null
  villages: number
  lagging: boolean
  poorHouseholds: number
  poorPeople: number
  incidence: number | null
  centroid: [number, number]
  bbox: [number, number, number, number]
}

export interface Inspection {
  parent: { code: string; name: string; level: AdminLevel }
  indicator: { code: string; direction: Direction }
  year: number
  level: AdminLevel | null
  parentValue: number | null
  items: InspectionItem[]
}

/** GET /api/audit (auditors): one page of entries, newest first. */
export type { AuditLogEntry, AuditLogPage } from '../../../domain/schemas/audit.js'
