import type { Environment, VillageEnv } from '../indicators.js'
import { smoothstep } from '../indicators.js'
import type { Rng } from '../rng.js'
import type { AdminAreaRow } from '../types.js'
import { FIRST_YEAR } from '../../../domain/codes.js'
import { HUNAN_POVERTY_VILLAGES, HUNAN_RURAL_VILLAGES, SHIBADONG } from './codes.js'

export interface PovertyVillageOptions {
  /** Number of poverty villages (default ≈6,900 × rural villages / 23,700). */
  target?: number
  /** Share of them inside designated poverty counties (default 0.75). */
  shareInPovertyCounties?: number
}

export interface PovertySelection {
  /** A copy of the areas with poverty_designated set on the chosen villages (counties untouched). */
  areas: AdminAreaRow[]
  povertyVillages: Set<string>
}

/** 0–1: how hard a village's environment is (the weight of its designation and its poverty). */
export function hardship(v: VillageEnv): number {
  return (
    0.35 * smoothstep(v.steepness, 0.3, 0.98) +
    0.2 * smoothstep(v.distRoadKm[0]!, 0.3, 3) +
    0.15 * smoothstep(v.distCountyKm, 15, 70) +
    0.1 * smoothstep(v.distSchoolKm, 1, 6) +
    0.1 * smoothstep(v.distClinicKm, 0.5, 5) +
    0.1 * (v.roadHardenedYear > FIRST_YEAR ? 1 : 0)
  )
}

function povertyCounties(areas: readonly AdminAreaRow[]): Set<string> {
  return new Set(areas.filter((a) => a.level === 'county' && a.poverty_designated).map((a) => a.code))
}

export function selectPovertyVillages(areas: readonly AdminAreaRow[], env: Environment, rng: Rng, opts: PovertyVillageOptions = {}): PovertySelection {
  const pc = povertyCounties(areas)
  const rural = [...env.villages.values()].filter((v) => v.rural).sort((a, b) => (a.code < b.code ? -1 : 1))
  const target = Math.min(rural.length, opts.target ?? Math.round((HUNAN_POVERTY_VILLAGES * rural.length) / HUNAN_RURAL_VILLAGES))
  const inside = rural.filter((v) => v.countyCode && pc.has(v.countyCode))
  const outside = rural.filter((v) => !(v.countyCode && pc.has(v.countyCode)))
  const share = opts.shareInPovertyCounties ?? 0.75
  let nIn = Math.min(inside.length, Math.round(target * share))
  const nOut = Math.min(outside.length, target - nIn)
  nIn = Math.min(inside.length, target - nOut)
  const chosen = new Set<string>()
  if (env.villages.get(SHIBADONG)?.rural) chosen.add(SHIBADONG)
  // Weighted sampling without replacement (Efraimidis–Spirakis keys).
  const pick = (pool: VillageEnv[], n: number) => {
    const keyed = pool.map((v) => ({ v, key: Math.log(1 - rng.next()) / Math.exp(4.5 * hardship(v)) })).sort((a, b) => b.key - a.key)
    let taken = pool.filter((v) => chosen.has(v.code)).length
    for (const { v } of keyed) {
      if (taken >= n) break
      if (chosen.has(v.code)) continue
      chosen.add(v.code)
      taken++
    }
  }
  pick(inside, nIn)
  pick(outside, nOut)
  const copy = areas.map((a) => (a.level === 'village' ? { ...a, poverty_designated: chosen.has(a.code) } : a))
  return { areas: copy, povertyVillages: chosen }
}
