import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon'
import { describe, expect, it } from 'vitest'
import { HOUSEHOLD_ATTRIBUTES, POVERTY_CAUSES, POVERTY_LINE } from '../../../domain/codes.js'
import {
  gb11643CheckDigit,
  generateHouseholds,
  householdBatches,
  IdNumberAllocator,
  isValidIdNumber,
  SHIBADONG,
} from '../../../geodata/generate/households/index.js'
import { createRng } from '../../../geodata/generate/rng.js'
import type { HouseholdYearRow, MemberRow } from '../../../geodata/generate/types.js'
import { runStandIn } from './stand-in.js'

const run = runStandIn(21)
const { household, household_year: years, member } = run.households
const area = new Map(run.areas.map((a) => [a.code, a]))
const byId = new Map(household.map((h) => [h.id, h]))
const membersOf = new Map<number, MemberRow[]>()
for (const m of member) membersOf.set(m.household_id, [...(membersOf.get(m.household_id) ?? []), m])
const yearsOf = new Map<number, HouseholdYearRow[]>()
for (const y of years) yearsOf.set(y.household_id, [...(yearsOf.get(y.household_id) ?? []), y])

describe('gb11643CheckDigit / isValidIdNumber', () => {
  it('computes the GB 11643 check character', () => {
    // The standard's own example.
    expect(gb11643CheckDigit('11010519491231002')).toBe('X')
    expect(isValidIdNumber('11010519491231002X')).toBe(true)
    expect(isValidIdNumber('110105194912310021')).toBe(false)
    expect(isValidIdNumber('11010519490231002X')).toBe(false) // 31 February… 0231 is not a date
    expect(() => gb11643CheckDigit('1234')).toThrow()
  })

  it('IdNumberAllocator: odd sequence for men, even for women, unique when a date fills up', () => {
    const alloc = new IdNumberAllocator()
    const ids = Array.from({ length: 1200 }, (_, i) => alloc.next('433124', 1980, 2, 28, i % 2 ? 'F' : 'M'))
    expect(new Set(ids).size).toBe(ids.length)
    for (const [i, id] of ids.entries()) {
      expect(isValidIdNumber(id)).toBe(true)
      expect(Number(id[16]) % 2).toBe(i % 2 ? 0 : 1)
    }
    // 499 per sex and day (001–997 odd, 002–998 even): the rest spill into 29 February 1980 (a leap year).
    expect(ids.filter((id) => id.slice(6, 14) === '19800228')).toHaveLength(998)
    expect(ids.filter((id) => id.slice(6, 14) === '19800229')).toHaveLength(202)
  })
})

describe('generateHouseholds', () => {
  it('gives members valid, unique ID numbers that encode the county, birth date and sex', () => {
    const seen = new Set<string>()
    for (const m of member) {
      const h = byId.get(m.household_id) ?? null
      expect(isValidIdNumber(m.id_number), m.id_number).toBe(true)
      expect(seen.has(m.id_number)).toBe(false)
      seen.add(m.id_number)
      expect(Number(m.id_number.slice(6, 10))).toBe(m.birth_year)
      expect(Number(m.id_number[16]) % 2).toBe(m.sex === 'M' ? 1 : 0)
      if (h) expect(m.id_number.slice(0, 6)).toBe(h.village_code.slice(0, 6))
    }
  })

  it('puts every household inside its village polygon, near the village seat', () => {
    for (const h of household) {
      const v = area.get(h.village_code)!
      expect(v.level).toBe('village')
      expect(booleanPointInPolygon(h.geom.coordinates, v.geom!)).toBe(true)
    }
  })

  it('backs every poverty cause with the household’s members or environment', () => {
    const age = (m: MemberRow, y: number) => y - m.birth_year
    for (const h of household) {
      const ms = membersOf.get(h.id)!
      expect(ms).toHaveLength(h.size)
      expect(POVERTY_CAUSES).toContain(h.main_cause)
      expect(h.other_causes.length).toBeLessThanOrEqual(2)
      expect(h.other_causes).not.toContain(h.main_cause)
      for (const cause of [h.main_cause, ...h.other_causes]) {
        const ok = (() => {
          switch (cause) {
            case 'illness':
              return ms.some((m) => m.health === 'chronic' || m.health === 'serious')
            case 'disability':
              return ms.some((m) => m.health === 'disabled')
            case 'schooling':
              return ms.some((m) => m.in_school !== null && m.in_school !== 'preschool')
            case 'labour':
              return ms.filter((m) => m.labour === 'ordinary' || m.labour === 'skilled').length <= 1 && ms.some((m) => m.labour === 'lost' || age(m, h.registered_year) >= 60)
            case 'water':
              return h.water_difficulty
            case 'transport':
              return !h.road_hardened
            case 'disaster':
              return run.env.villages.get(h.village_code)!.disasterRisk >= 0.25
            case 'land':
              return (h.land_paddy_mu! + h.land_dry_mu!) / h.size < 0.8
            default:
              return true
          }
        })()
        expect(ok, `household ${h.id}: ${cause}`).toBe(true)
      }
    }
  })

  it('mostly lists 因病 where a member is seriously or chronically ill', () => {
    const ill = household.filter((h) => membersOf.get(h.id)!.some((m) => m.health === 'serious'))
    const listed = ill.filter((h) => h.main_cause === 'illness' || h.other_causes.includes('illness'))
    expect(listed.length / ill.length).toBeGreaterThan(0.8)
    const share = household.filter((h) => h.main_cause === 'illness').length / household.length
    expect(share).toBeGreaterThan(0.25)
    expect(share).toBeLessThan(0.5)
  })

  it('gives transport as a cause more often where roads are far', () => {
    const dist = (h: (typeof household)[number]) => run.env.villages.get(h.village_code)!.distRoadKm[0]!
    const mean = (xs: typeof household) => xs.reduce((s, h) => s + dist(h), 0) / xs.length
    const transport = household.filter((h) => h.main_cause === 'transport')
    expect(transport.length).toBeGreaterThan(0)
    expect(mean(transport)).toBeGreaterThan(mean(household))
  })

  it('keeps status sequences legal and incomes on the right side of the line', () => {
    for (const h of household) {
      const ys = yearsOf.get(h.id)!.sort((a, b) => a.year - b.year)
      expect(h.registered_year).toBeGreaterThanOrEqual(2014)
      expect(h.registered_year).toBeLessThanOrEqual(2016)
      expect(ys.map((y) => y.year)).toEqual(Array.from({ length: 2021 - h.registered_year }, (_, i) => h.registered_year + i))
      expect(ys[0]!.status).toBe('poor')
      let lifted = false
      for (const y of ys) {
        if (y.status === 'poor') expect(lifted, `household ${h.id} poor again after lifted`).toBe(false)
        if (y.status === 'returned') expect(lifted).toBe(true)
        if (y.status === 'lifted') lifted = true
        if (y.status === 'lifted') {
          expect(y.income_per_capita).toBeGreaterThanOrEqual(POVERTY_LINE[y.year]!)
          expect([y.food_clothing_ok, y.education_ok, y.medical_ok, y.housing_ok, y.water_ok]).toEqual([true, true, true, true, true])
        } else expect(y.income_per_capita).toBeLessThan(POVERTY_LINE[y.year]!)
      }
    }
    const final = years.filter((y) => y.year === 2020)
    expect(final.filter((y) => y.status === 'lifted').length / final.length).toBeGreaterThan(0.98)
    const returned = new Set(years.filter((y) => y.status === 'returned').map((y) => y.household_id))
    expect(returned.size).toBeGreaterThan(0)
    expect(returned.size / household.length).toBeLessThan(0.08)
  })

  it('shows 两不愁三保障 gaps early for poor households with reasons, closed as they are lifted', () => {
    const gaps2014 = years.filter((y) => y.year === 2014 && !(y.housing_ok && y.water_ok && y.medical_ok && y.education_ok && y.food_clothing_ok))
    expect(gaps2014.length / years.filter((y) => y.year === 2014).length).toBeGreaterThan(0.2)
    for (const y of years) {
      const h = byId.get(y.household_id)
      if (!h) continue
      if (!y.water_ok) expect(h.water_difficulty).toBe(true)
      if (!y.housing_ok) expect(['C', 'D']).toContain(h.housing_safety)
    }
  })

  it('fills the registry form fields with allowed codes', () => {
    for (const h of household) {
      expect(HOUSEHOLD_ATTRIBUTES).toContain(h.attribute)
      expect(h.size).toBeGreaterThanOrEqual(1)
      expect(h.size).toBeLessThanOrEqual(20)
      if (h.phone !== null) expect(h.phone).toMatch(/^1[358][0-9]{9}$/)
    }
    for (const m of member) {
      expect(m.name).toMatch(/^[\u4e00-\u9fff]{2,4}$/)
      expect(['head', 'spouse', 'son', 'daughter', 'daughter_in_law', 'son_in_law', 'grandson', 'granddaughter', 'father', 'mother', 'brother', 'sister', 'other']).toContain(m.relation)
    }
    expect(new Set(household.map((h) => h.id)).size).toBe(household.length)
    expect(new Set(member.map((m) => m.id)).size).toBe(member.length)
    const heads = member.filter((m) => m.relation === 'head')
    expect(heads).toHaveLength(household.length)
    const mean = member.length / household.length
    expect(mean).toBeGreaterThan(3)
    expect(mean).toBeLessThan(4.5)
  })

  it('makes Miao the main ethnicity in 花垣县 and Han in 永定区 less so than Tujia', () => {
    const share = (county: string, eth: string) => {
      const ms = member.filter((m) => m.id_number.startsWith(county))
      return ms.filter((m) => m.ethnicity === eth).length / ms.length
    }
    expect(share('433124', 'miao')).toBeGreaterThan(0.5)
    expect(share('430802', 'tujia')).toBeGreaterThan(share('430802', 'han'))
  })

  it('chooses poverty villages where slope is high and services are far, mostly in poverty counties', () => {
    const rural = [...run.env.villages.values()].filter((v) => v.rural)
    const pv = rural.filter((v) => run.povertyVillages.has(v.code))
    const other = rural.filter((v) => !run.povertyVillages.has(v.code))
    const mean = (xs: typeof rural, f: (v: (typeof rural)[number]) => number) => xs.reduce((s, v) => s + f(v), 0) / xs.length
    expect(pv.length).toBe(Math.round((6900 * rural.length) / 23_700))
    expect(run.povertyVillages.has(SHIBADONG)).toBe(true)
    expect(mean(pv, (v) => v.slopeDeg)).toBeGreaterThan(mean(other, (v) => v.slopeDeg))
    expect(mean(pv, (v) => v.distRoadKm[0]!)).toBeGreaterThan(mean(other, (v) => v.distRoadKm[0]!))
    expect(mean(pv, (v) => v.distSchoolKm + v.distClinicKm)).toBeGreaterThan(mean(other, (v) => v.distSchoolKm + v.distClinicKm))
    const inPc = pv.filter((v) => ['433124', '430822'].includes(v.countyCode!)).length
    expect(inPc / pv.length).toBeGreaterThan(0.6)
    for (const a of run.areas) if (a.level === 'village') expect(a.poverty_designated).toBe(run.povertyVillages.has(a.code))
    // More registered households per village in poverty villages.
    const per = (codes: Set<string>, inside: boolean) => {
      const vs = rural.filter((v) => codes.has(v.code) === inside)
      return household.filter((h) => vs.some((v) => v.code === h.village_code)).length / vs.length
    }
    expect(per(run.povertyVillages, true)).toBeGreaterThan(per(run.povertyVillages, false))
  })

  it('registers 136 households in 十八洞村, all in 2014', () => {
    const sbd = household.filter((h) => h.village_code === SHIBADONG)
    expect(sbd).toHaveLength(136)
    expect(sbd.every((h) => h.registered_year === 2014)).toBe(true)
  })

  it('samples the demo: 湘西 whole, the budget elsewhere, 十八洞村 whole, most sampled rows in poverty villages', () => {
    const demo = runStandIn(21, 'demo')
    const hh = demo.households.household
    const inXiangxi = (code: string) => code.startsWith('4331')
    const xiangxiRegistry = demo.plans.filter((p) => inXiangxi(p.code)).reduce((s, p) => s + p.registryHouseholds, 0)
    expect(xiangxiRegistry).toBeGreaterThan(0)
    expect(hh.filter((h) => inXiangxi(h.village_code))).toHaveLength(xiangxiRegistry)
    const outside = hh.filter((h) => !inXiangxi(h.village_code))
    // The budget (1,200) caps the sample; a small stand-in may hold fewer eligible households than that.
    const eligible = demo.plans
      .filter((p) => !inXiangxi(p.code) && (demo.povertyVillages.has(p.code) || ['433124', '430822'].includes(p.code.slice(0, 6))))
      .reduce((s, p) => s + p.registryHouseholds, 0)
    expect(outside.length).toBeLessThanOrEqual(1200 * 1.1)
    expect(outside.length).toBeGreaterThanOrEqual(Math.min(1200, eligible) * 0.5)
    expect(hh.filter((h) => h.village_code === SHIBADONG)).toHaveLength(136)
    // The sample favours poverty villages: their share of it exceeds their share of the eligible registry.
    const povertyEligible = demo.plans.filter((p) => !inXiangxi(p.code) && demo.povertyVillages.has(p.code)).reduce((s, p) => s + p.registryHouseholds, 0)
    expect(outside.filter((h) => demo.povertyVillages.has(h.village_code)).length / outside.length).toBeGreaterThan(povertyEligible / eligible)
    const pc = new Set(['433124', '430822'])
    expect(outside.every((h) => demo.povertyVillages.has(h.village_code) || pc.has(h.village_code.slice(0, 6)))).toBe(true)
  })

  it('streams the same rows in per-village batches', () => {
    const ctx = { areas: run.areas, env: run.env, plans: run.plans }
    let n = 0
    let last = ''
    for (const b of householdBatches(ctx, createRng(21).fork('households'))) {
      expect(b.village_code > last).toBe(true)
      last = b.village_code
      expect(b.household.every((h) => h.village_code === b.village_code)).toBe(true)
      n += b.household.length
    }
    expect(n).toBe(household.length)
  })

  it('is deterministic: same seed identical, another seed different', () => {
    const ctx = { areas: run.areas, env: run.env, plans: run.plans }
    const again = generateHouseholds(ctx, createRng(21).fork('households'))
    expect(JSON.stringify(again.member)).toBe(JSON.stringify(member))
    expect(JSON.stringify(again.household_year)).toBe(JSON.stringify(years))
    const other = generateHouseholds(ctx, createRng(22).fork('households'))
    expect(JSON.stringify(other.household)).not.toBe(JSON.stringify(household))
  })
})
