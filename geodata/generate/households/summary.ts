/** Summaries of the registry for indicators and projects. */
import { YEARS, yearIndex, type VillageRegistryStats } from '../indicators.js'
import type { HouseholdBatch, HouseholdEvent } from './batch.js'
import type { VillagePlan } from './plan.js'

export interface VillageHouseholdSummary {
  households: number
  people: number
  /** Per year index: households registered by then, poor or returned, without safe water / housing. */
  registered: number[]
  poorHouseholds: number[]
  poorPeople: number[]
  lackingWater: number[]
  lackingHousing: number[]
  /** Households with a member in school (primary to college) at registration. */
  withPupils: number
  relocated: number
}

export interface HouseholdSummary {
  villages: Map<string, VillageHouseholdSummary>
  events: HouseholdEvent[]
}

const zeros = () => YEARS.map(() => 0)

export class HouseholdSummarizer {
  readonly villages = new Map<string, VillageHouseholdSummary>()
  readonly events: HouseholdEvent[] = []

  add(batch: HouseholdBatch): void {
    const s: VillageHouseholdSummary = this.villages.get(batch.village_code) ?? {
      households: 0,
      people: 0,
      registered: zeros(),
      poorHouseholds: zeros(),
      poorPeople: zeros(),
      lackingWater: zeros(),
      lackingHousing: zeros(),
      withPupils: 0,
      relocated: 0,
    }
    this.villages.set(batch.village_code, s)
    const size = new Map<number, number>()
    for (const h of batch.household) {
      s.households++
      s.people += h.size
      size.set(h.id, h.size)
      if (h.relocated) s.relocated++
    }
    const pupils = new Set<number>()
    for (const m of batch.member) if (m.in_school !== null && m.in_school !== 'preschool') pupils.add(m.household_id)
    s.withPupils += pupils.size
    for (const y of batch.household_year) {
      const i = yearIndex(y.year)
      s.registered[i]!++
      if (y.status !== 'lifted') {
        s.poorHouseholds[i]!++
        s.poorPeople[i]! += size.get(y.household_id) ?? 0
      }
      if (!y.water_ok) s.lackingWater[i]!++
      if (!y.housing_ok) s.lackingHousing[i]!++
    }
    this.events.push(...batch.events)
  }

  summary(): HouseholdSummary {
    return { villages: this.villages, events: this.events }
  }
}

/**
 * Registry figures per village for the indicators: the generated rows scaled up to the modelled
 * full registry (identical at 'province' scale); villages without rows in the demo take the
 * province-wide shares by year.
 */
export function registryStats(plans: readonly VillagePlan[], summary: HouseholdSummary): Map<string, VillageRegistryStats> {
  const total = { households: 0, people: 0, poor: zeros(), poorPeople: zeros(), water: zeros(), housing: zeros() }
  for (const s of summary.villages.values()) {
    total.households += s.households
    total.people += s.people
    YEARS.forEach((_, i) => {
      total.poor[i]! += s.poorHouseholds[i]!
      total.poorPeople[i]! += s.poorPeople[i]!
      total.water[i]! += s.lackingWater[i]!
      total.housing[i]! += s.lackingHousing[i]!
    })
  }
  const out = new Map<string, VillageRegistryStats>()
  for (const p of plans) {
    const s = summary.villages.get(p.code)
    const reg = p.registryHouseholds
    if (s && s.households > 0) {
      const f = reg / s.households
      out.set(p.code, {
        registryHouseholds: reg,
        poorHouseholds: s.poorHouseholds.map((x) => Math.round(x * f)),
        poorPeople: s.poorPeople.map((x) => Math.round(x * f)),
        lackingWater: s.lackingWater.map((x) => x * f),
        lackingHousing: s.lackingHousing.map((x) => x * f),
      })
    } else {
      const hh = total.households || 1
      out.set(p.code, {
        registryHouseholds: reg,
        poorHouseholds: total.poor.map((x) => Math.round((x / hh) * reg)),
        poorPeople: total.poorPeople.map((x) => Math.round((x / hh) * reg)),
        lackingWater: total.water.map((x) => (x / hh) * reg),
        lackingHousing: total.housing.map((x) => (x / hh) * reg),
      })
    }
  }
  return out
}
