/**
 * The AF what-if for siting (issue 18): how H, A and M0 of an area change when a project removes some
 * deprivations of the households it reaches (a water works: the water criteria; a school: schooling; a
 * clinic: chronic care), with the default weights and k. Reads household_identification as the caller
 * (row-level security: registry roles, the caller's area) and computes with domain/identification.
 */
import type { AfHousehold } from '../../domain/identification/alkire-foster.js'
import { whatIfRemoved } from '../../domain/identification/alkire-foster.js'
import { indicatorsWithWeights } from '../../domain/identification/profile.js'
import type { Queryable } from '../db/types.js'
import { defaultMeasure } from './measure.js'

const AREA_HOUSEHOLDS = `SELECT household_id::text AS id, people, deprived FROM household_identification
WHERE starts_with(village_code, $1) AND year = $2 ORDER BY household_id`

/** `reached`: ids of the households the project serves; `removes`: the AF indicator codes it fixes for them. */
export async function afWhatIf(tx: Queryable, areaCode: string, year: number, reached: ReadonlySet<string>, removes: readonly string[]) {
  const m = await defaultMeasure(tx)
  const indicators = indicatorsWithWeights(m.defs, m.rawWeights)
  const rows = (await tx.query<{ id: string; people: number; deprived: string[] }>(AREA_HOUSEHOLDS, [areaCode, year])).rows
  const households: AfHousehold[] = rows.map((r) => ({ people: r.people, deprived: Object.fromEntries(r.deprived.map((c) => [c, true])) }))
  const result = whatIfRemoved(indicators, m.k, households, (_h, i) => (reached.has(rows[i]!.id) ? removes : []))
  return { ...result, k: m.k, households: rows.length, reached: rows.filter((r) => reached.has(r.id)).length }
}
