/**
 * Mis-identification leads (错评/漏评), ranked by a score made of named reasons:
 * - wrongly in (misid_in): a household registered poor in the year whose records look non-poor (income well
 *   above the line, no deprivation, a car, a company, a public salary or an employee's pension from the
 *   cross-checks, the model's low probability of being poor);
 * - wrongly out (misid_out): a household lifted out (exited) that looks deprived (income under the line,
 *   missing 两不愁三保障 items, cross-check gaps, poor by the Alkire–Foster identification, the model's high
 *   probability), or an unregistered person on
 *   the allowance or in an unsafe house (from the civil-affairs and housing files).
 * Pure: the server gathers the inputs and stores the result as flags of the rules misid_in / misid_out.
 */
import { RULES_BY_CODE, type RuleCode } from './rules.js'

export const DEPRIVATIONS = ['income', 'food_clothing', 'education', 'medical', 'housing', 'water'] as const
export type Deprivation = (typeof DEPRIVATIONS)[number]

export interface HouseholdEvidence {
  status: 'poor' | 'lifted' | 'returned'
  /** Income per person over the year's poverty line. */
  incomeRatio: number
  deprivations: readonly Deprivation[]
  /** Rules with a flag on the household that was not cleared. */
  flags: readonly RuleCode[]
  /** The model's probability that the household is poor (null: no model). */
  modelPoor: number | null
  /** Poor by the Alkire–Foster identification (c_i ≥ k), where it has run (null or absent: not known). */
  afPoor?: boolean | null
}

export interface Reason {
  code: string
  weight: number
  value?: number | string
}

export interface Lead {
  rule: 'misid_in' | 'misid_out'
  score: number
  reasons: Reason[]
}

/** A household becomes a lead from this score up (one strong sign, or two weaker ones). */
export const LEAD_THRESHOLD = 0.3

const GAP_RULES: readonly RuleCode[] = ['uninsured', 'pupil_not_enrolled', 'housing_mismatch']

const round = (x: number) => Math.round(x * 1000) / 1000

/** The lead a registered household makes in a year, or null. */
export function householdLead(e: HouseholdEvidence): Lead | null {
  const reasons: Reason[] = []
  const poor = e.status !== 'lifted'
  if (poor) {
    if (e.incomeRatio >= 2) reasons.push({ code: 'income_well_above_line', weight: 0.4, value: round(e.incomeRatio) })
    else if (e.incomeRatio >= 1.5) reasons.push({ code: 'income_above_line', weight: 0.25, value: round(e.incomeRatio) })
    if (e.deprivations.length === 0) reasons.push({ code: 'no_deprivation', weight: 0.2 })
    for (const rule of [...new Set(e.flags)].sort()) if (RULES_BY_CODE[rule]?.nonPoorSign) reasons.push({ code: `flag:${rule}`, weight: 0.3 })
    if (e.modelPoor !== null && e.modelPoor < 0.3) reasons.push({ code: 'model_non_poor', weight: 0.15, value: round(e.modelPoor) })
    if (e.afPoor === false && e.deprivations.length === 0) reasons.push({ code: 'af_non_poor', weight: 0.1 })
  } else {
    if (e.incomeRatio < 1) reasons.push({ code: 'income_below_line', weight: 0.4, value: round(e.incomeRatio) })
    for (const d of e.deprivations) if (d !== 'income') reasons.push({ code: `deprived:${d}`, weight: 0.15 })
    for (const rule of [...new Set(e.flags)].sort()) if (GAP_RULES.includes(rule)) reasons.push({ code: `flag:${rule}`, weight: 0.15 })
    if (e.modelPoor !== null && e.modelPoor > 0.7) reasons.push({ code: 'model_poor', weight: 0.15, value: round(e.modelPoor) })
    if (e.afPoor === true) reasons.push({ code: 'af_poor', weight: 0.2 })
  }
  const score = round(reasons.reduce((s, r) => s + r.weight, 0))
  return score >= LEAD_THRESHOLD ? { rule: poor ? 'misid_in' : 'misid_out', score, reasons } : null
}

/** The lead an unregistered person makes from the external records naming them. */
export function strangerLead(e: { allowance: boolean; unsafeHousing: boolean }): Lead | null {
  const reasons: Reason[] = []
  if (e.allowance) reasons.push({ code: 'unregistered_allowance', weight: 0.5 })
  if (e.unsafeHousing) reasons.push({ code: 'unregistered_unsafe_housing', weight: 0.4 })
  const score = round(reasons.reduce((s, r) => s + r.weight, 0))
  return score >= LEAD_THRESHOLD ? { rule: 'misid_out', score, reasons } : null
}
