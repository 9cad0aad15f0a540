/** The modelled registry per village and the rows generated from it. */
import type { Environment } from '../indicators.js'
import type { Rng } from '../rng.js'
import type { Scale } from '../types.js'
import { DEMO_HOUSEHOLDS, HUNAN_POOR_PEOPLE_2014, HUNAN_RURAL_VILLAGES, SHIBADONG, XIANGXI } from './codes.js'
import { hardship } from './poverty-villages.js'

export interface VillagePlan {
  code: string
  countyCode: string
  poverty: boolean
  /** Households in the modelled full registry (all registration years). */
  registryHouseholds: number
  /** Households generated as rows: all of the registry at 'province' scale, a sample in the demo. */
  rows: number
}

export interface HouseholdPlanOptions {
  scale: Scale
  /** Demo rows outside 湘西 (default ≈30,000 × villages / 29,534); 湘西 is always whole. */
  demoHouseholds?: number
  /** Registered poor people in 2014 in all (default ≈6,000,000 × rural villages / 23,700). */
  poorPeople2014?: number
}

const MEAN_HOUSEHOLD_SIZE = 3.75

export function planHouseholds(
  env: Environment,
  povertyVillages: ReadonlySet<string>,
  povertyCountyCodes: ReadonlySet<string>,
  rng: Rng,
  opts: HouseholdPlanOptions,
): VillagePlan[] {
  const villages = [...env.villages.values()].sort((a, b) => (a.code < b.code ? -1 : 1))
  const ruralCount = villages.filter((v) => v.rural).length
  const targetPeople = opts.poorPeople2014 ?? (HUNAN_POOR_PEOPLE_2014 * ruralCount) / HUNAN_RURAL_VILLAGES
  const raw = villages.map((v) => {
    const h = hardship(v)
    const inPc = !!v.countyCode && povertyCountyCodes.has(v.countyCode)
    if (!v.rural) return 0.004
    if (povertyVillages.has(v.code)) return 0.16 + 0.3 * h
    return inPc ? 0.06 + 0.12 * h : 0.02 + 0.07 * h
  })
  // Scale the incidences so the province totals ≈ the target (within a plausible factor).
  let k = 1
  for (let iter = 0; iter < 20; iter++) {
    const total = villages.reduce((s, v, i) => s + Math.min(0.65, k * raw[i]!) * v.ruralPopulation, 0)
    if (total <= 0) break
    k = Math.min(2, Math.max(0.5, k * (targetPeople / total)))
  }
  const noise = rng.fork('incidence')
  const plans: VillagePlan[] = villages.map((v, i) => {
    const inc = Math.min(0.65, k * raw[i]! * Math.exp(noise.normal(0, 0.15)))
    // ≈ 8 % of the registry was added in 2015–2016.
    let registry = Math.round(((inc * v.ruralPopulation) / MEAN_HOUSEHOLD_SIZE) * 1.08)
    if (v.code === SHIBADONG) registry = 136
    return { code: v.code, countyCode: v.countyCode ?? v.code.slice(0, 6), poverty: povertyVillages.has(v.code), registryHouseholds: registry, rows: registry }
  })
  if (opts.scale === 'demo') sampleForDemo(plans, povertyCountyCodes, rng.fork('demo'), opts.demoHouseholds ?? Math.round((DEMO_HOUSEHOLDS * villages.length) / 29_534))
  return plans
}

function stochasticRound(x: number, rng: Rng): number {
  const f = Math.floor(x)
  return f + (rng.chance(x - f) ? 1 : 0)
}

/**
 * Demo rows: the whole registry of 湘西 (all 8 counties, 十八洞村 included), and a sample of
 * `budget` households elsewhere — poverty villages first, a few in other villages of poverty counties.
 */
function sampleForDemo(plans: VillagePlan[], pc: ReadonlySet<string>, rng: Rng, budget: number): void {
  const whole = (p: VillagePlan) => p.code.startsWith(XIANGXI) || p.code === SHIBADONG
  const poor = plans.filter((p) => p.poverty && !whole(p))
  const others = plans.filter((p) => !p.poverty && pc.has(p.countyCode) && !whole(p))
  const poorBudget = others.length > 0 ? budget * 0.8 : budget
  const minRows = (p: VillagePlan) => Math.min(3, p.registryHouseholds)
  const expected = (f: number) => poor.reduce((s, p) => s + Math.min(p.registryHouseholds, Math.max(minRows(p), f * p.registryHouseholds)), 0)
  let lo = 0
  let hi = 1
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2
    if (expected(mid) > poorBudget) hi = mid
    else lo = mid
  }
  for (const p of plans) p.rows = whole(p) ? p.registryHouseholds : 0
  for (const p of poor) p.rows = Math.min(p.registryHouseholds, Math.max(minRows(p), stochasticRound(lo * p.registryHouseholds, rng)))
  const otherTotal = others.reduce((s, p) => s + p.registryHouseholds, 0)
  const g = otherTotal > 0 ? Math.min(1, (budget - poorBudget) / otherTotal) : 0
  for (const p of others) p.rows = Math.min(p.registryHouseholds, stochasticRound(g * p.registryHouseholds, rng))
}
