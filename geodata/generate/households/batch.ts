/** What the registry is generated from and yields, one village at a time. */
import type { Environment } from '../indicators.js'
import type { AdminAreaRow, HouseholdRow, HouseholdYearRow, MemberRow } from '../types.js'
import type { VillagePlan } from './plan.js'

/** Aggregates per village, kind and year of what households went through (for projects). */
export interface HouseholdEvent {
  village_code: string
  kind: 'housing' | 'relocation' | 'water'
  year: number
  households: number
  /** Sum of the households' positions (divide by `households` for the mean). */
  lonSum: number
  latSum: number
}

export interface HouseholdBatch {
  village_code: string
  household: HouseholdRow[]
  household_year: HouseholdYearRow[]
  member: MemberRow[]
  /** Renovations, relocations and water connections of this batch's households, by year. */
  events: HouseholdEvent[]
}

export interface HouseholdContext {
  areas: readonly AdminAreaRow[]
  env: Environment
  plans: readonly VillagePlan[]
}
