import { describe, expect, it } from 'vitest'
import { registryStats } from '../../../geodata/generate/households/index.js'
import { computeEnvironment, generateIndicatorValues, INDICATOR_DEFS, YEARS } from '../../../geodata/generate/indicators.js'
import { createRng } from '../../../geodata/generate/rng.js'
import { distanceKm, pointSegmentDistanceKm } from '../../../geodata/generate/spatial-index.js'
import { runStandIn } from './stand-in.js'

const run = runStandIn(31)
const values = run.indicators
const value = new Map(values.map((r) => [`${r.area_code}|${r.indicator_code}|${r.year}`, r.value]))
const get = (code: string, indicator: string, year: number) => value.get(`${code}|${indicator}|${year}`)!
const villages = [...run.env.villages.values()]

describe('INDICATOR_DEFS', () => {
  it('defines each indicator once with a valid code and direction', () => {
    const codes = INDICATOR_DEFS.map((d) => d.code)
    expect(new Set(codes).size).toBe(codes.length)
    for (const d of INDICATOR_DEFS) {
      expect(d.code).toMatch(/^[a-z][a-z0-9_]*$/)
      expect(['higher_better', 'lower_better']).toContain(d.direction)
      expect(d.name_zh).toMatch(/[\u4e00-\u9fff]/)
    }
    for (const c of ['elevation_m', 'slope_deg', 'dist_road_km', 'dist_township_km', 'dist_county_km', 'dist_school_km', 'dist_clinic_km', 'dist_water_works_km', 'safe_water_share', 'safe_housing_share', 'poverty_incidence', 'poor_households', 'road_hardened', 'broadband'])
      expect(codes).toContain(c)
  })
})

describe('generateIndicatorValues', () => {
  it('gives every village every indicator for every year, once', () => {
    expect(values).toHaveLength(villages.length * INDICATOR_DEFS.length * YEARS.length)
    expect(value.size).toBe(values.length)
    const defs = new Set(INDICATOR_DEFS.map((d) => d.code))
    for (const r of values) {
      expect(defs.has(r.indicator_code)).toBe(true)
      expect(Number.isFinite(r.value)).toBe(true)
    }
  })

  it('measures school and clinic distances against the real nearest facility', () => {
    for (const v of villages) {
      const school = Math.min(...run.facilities.school.map((s) => distanceKm(v.seat, s.geom.coordinates as [number, number])))
      const clinic = Math.min(...run.facilities.clinic.map((s) => distanceKm(v.seat, s.geom.coordinates as [number, number])))
      expect(get(v.code, 'dist_school_km', 2016)).toBeCloseTo(school, 1)
      expect(get(v.code, 'dist_clinic_km', 2016)).toBeCloseTo(clinic, 1)
    }
  })

  it('measures the distance to paved road against the roads paved that year', () => {
    const v = villages.find((x) => x.roadHardenedYear > 2014)!
    for (const year of [2014, 2020]) {
      const paved = run.roads.rows.filter((r) => run.roads.hardenedYear.get(r.id)! <= year)
      const d = Math.min(...paved.flatMap((r) => r.geom.coordinates.slice(1).map((b, i) => pointSegmentDistanceKm(v.seat, r.geom.coordinates[i] as [number, number], b as [number, number]))))
      expect(run.env.roadDistanceKm(v.seat, year)).toBeCloseTo(d, 6)
    }
    expect(run.env.roadDistanceKm(v.seat, 2020)).toBeLessThan(run.env.roadDistanceKm(v.seat, 2014))
  })

  it('improves over time as roads and water works are built and households lifted', () => {
    for (const v of villages) {
      for (let i = 1; i < YEARS.length; i++) {
        const [a, b] = [YEARS[i - 1]!, YEARS[i]!]
        expect(get(v.code, 'dist_road_km', b)).toBeLessThanOrEqual(get(v.code, 'dist_road_km', a))
        expect(get(v.code, 'dist_water_works_km', b)).toBeLessThanOrEqual(get(v.code, 'dist_water_works_km', a))
        expect(get(v.code, 'road_hardened', b)).toBeGreaterThanOrEqual(get(v.code, 'road_hardened', a))
        expect(get(v.code, 'broadband', b)).toBeGreaterThanOrEqual(get(v.code, 'broadband', a))
      }
      expect(get(v.code, 'road_hardened', 2014)).toBe(v.roadHardenedYear <= 2014 ? 1 : 0)
      expect(get(v.code, 'road_hardened', 2020)).toBe(1)
      for (const s of ['safe_water_share', 'safe_housing_share']) {
        expect(get(v.code, s, 2014)).toBeGreaterThanOrEqual(0)
        expect(get(v.code, s, 2020)).toBeLessThanOrEqual(1)
        expect(get(v.code, s, 2020)).toBeGreaterThanOrEqual(get(v.code, s, 2014))
      }
      expect(get(v.code, 'poverty_incidence', 2020)).toBeLessThanOrEqual(get(v.code, 'poverty_incidence', 2014))
    }
    const mean = (ind: string, y: number) => villages.reduce((s, v) => s + get(v.code, ind, y), 0) / villages.length
    expect(mean('poverty_incidence', 2020)).toBeLessThan(mean('poverty_incidence', 2014) / 10)
    expect(mean('safe_water_share', 2020)).toBeGreaterThan(mean('safe_water_share', 2014))
  })

  it('counts poor households exactly as the household table does at province scale', () => {
    const status = new Map<string, number>()
    const villageOf = new Map(run.households.household.map((h) => [h.id, h.village_code]))
    for (const y of run.households.household_year)
      if (y.status !== 'lifted') {
        const k = `${villageOf.get(y.household_id)}|${y.year}`
        status.set(k, (status.get(k) ?? 0) + 1)
      }
    for (const v of villages) for (const y of YEARS) expect(get(v.code, 'poor_households', y)).toBe(status.get(`${v.code}|${y}`) ?? 0)
  })

  it('gives poverty villages higher slope, distance and incidence than other rural villages', () => {
    const rural = villages.filter((v) => v.rural)
    const mean = (pv: boolean, ind: string) => {
      const xs = rural.filter((v) => run.povertyVillages.has(v.code) === pv)
      return xs.reduce((s, v) => s + get(v.code, ind, 2014), 0) / xs.length
    }
    for (const ind of ['slope_deg', 'dist_road_km', 'poverty_incidence']) expect(mean(true, ind)).toBeGreaterThan(mean(false, ind))
  })

  it('writes only the years asked for', () => {
    const stats = registryStats(run.plans, run.households.summary)
    const some = generateIndicatorValues(run.env, stats, { yearsFor: (v) => (run.povertyVillages.has(v.code) ? YEARS : [2014, 2020]) })
    const pv = run.povertyVillages.size
    expect(some).toHaveLength(INDICATOR_DEFS.length * (pv * YEARS.length + (villages.length - pv) * 2))
  })

  it('is deterministic', () => {
    const env = computeEnvironment({ areas: run.areas, terrain: run.terrain, roads: run.roads, facilities: run.facilities, water: run.water }, createRng(31).fork('environment'))
    const again = generateIndicatorValues(env, registryStats(run.plans, run.households.summary))
    expect(JSON.stringify(again)).toBe(JSON.stringify(values))
  })
})
