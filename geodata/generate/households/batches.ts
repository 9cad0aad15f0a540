import { AdminLookup } from '../admin-lookup.js'
import { HouseholdIds } from '../household-ids.js'
import type { Rng } from '../rng.js'
import { distanceKm, insideArea, randomPointIn, type LonLat } from '../spatial-index.js'
import type { HouseholdRow, HouseholdYearRow, MemberRow } from '../types.js'
import type { HouseholdBatch, HouseholdContext } from './batch.js'
import { VillageHouseholdGenerator } from './household.js'
import { IdNumberAllocator } from './id-numbers.js'
import { HouseholdSummarizer, type HouseholdSummary } from './summary.js'

/** Per-village batches of households, members and yearly rows, in village-code order. */
export function* householdBatches(ctx: HouseholdContext, rng: Rng): Generator<HouseholdBatch> {
  const lookup = new AdminLookup(ctx.areas)
  // The id keys come from a stream of their own: the registry's other numbers do not move.
  const gen = new VillageHouseholdGenerator({ member: 0 }, new HouseholdIds(rng.fork('household-ids')), new IdNumberAllocator())
  const geomOf = (code: string) => lookup.get(code)?.row
  const plans = [...ctx.plans].sort((a, b) => (a.code < b.code ? -1 : 1))
  for (const plan of plans) {
    if (plan.rows <= 0) continue
    const env = ctx.env.villages.get(plan.code)
    const area = geomOf(plan.code)
    if (!env || !area) continue
    const vr = rng.fork(plan.code)
    // Hamlets (自然村): random spots of the village, pulled toward the seat where the village is large.
    const hamlets: LonLat[] = []
    if (area.geom) {
      const n = vr.int(2, 6)
      for (let i = 0; i < n; i++) {
        const p = randomPointIn(area.geom, vr)
        if (!p) continue
        const km = distanceKm(p, env.seat)
        const f = km > 3 ? 3 / km : 1
        const q: LonLat = [env.seat[0] + (p[0] - env.seat[0]) * f, env.seat[1] + (p[1] - env.seat[1]) * f]
        if (insideArea(q, area.geom)) hamlets.push(q)
      }
    }
    const batch: HouseholdBatch = { village_code: plan.code, household: [], household_year: [], member: [], events: [] }
    for (let i = 0; i < plan.rows; i++) gen.household(env, plan, geomOf, ctx, hamlets, vr, batch)
    yield batch
  }
}

export interface GeneratedHouseholds {
  household: HouseholdRow[]
  household_year: HouseholdYearRow[]
  member: MemberRow[]
  summary: HouseholdSummary
}

/** Households done of those planned, after each batch. */
export type HouseholdProgress = (done: number, total: number) => void

/** The batches, telling `onProgress` how many households of the plans' total are done after each. */
function* reporting(ctx: HouseholdContext, rng: Rng, onProgress?: HouseholdProgress): Generator<HouseholdBatch> {
  const total = ctx.plans.reduce((s, p) => s + Math.max(0, p.rows), 0)
  let done = 0
  for (const b of householdBatches(ctx, rng)) {
    yield b
    done += b.household.length
    onProgress?.(done, total)
  }
}

/** All batches collected into arrays (the demo), with their summary. */
export function generateHouseholds(ctx: HouseholdContext, rng: Rng, onProgress?: HouseholdProgress): GeneratedHouseholds {
  const out: GeneratedHouseholds = { household: [], household_year: [], member: [], summary: { villages: new Map(), events: [] } }
  const sum = new HouseholdSummarizer()
  for (const b of reporting(ctx, rng, onProgress)) {
    for (const h of b.household) out.household.push(h)
    for (const y of b.household_year) out.household_year.push(y)
    for (const m of b.member) out.member.push(m)
    sum.add(b)
  }
  out.summary = sum.summary()
  return out
}

/** Summary only, streaming the batches without keeping them (the first pass at 'province' scale). */
export function summarizeHouseholds(ctx: HouseholdContext, rng: Rng, onProgress?: HouseholdProgress): HouseholdSummary {
  const sum = new HouseholdSummarizer()
  for (const b of reporting(ctx, rng, onProgress)) sum.add(b)
  return sum.summary()
}
