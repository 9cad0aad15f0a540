import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon'
import { describe, expect, it } from 'vitest'
import { PROJECT_STAGES, PROJECT_TYPES } from '../../../domain/codes.js'
import { generateProjects } from '../../../geodata/generate/projects/index.js'
import { createRng } from '../../../geodata/generate/rng.js'
import { PAVED_BEFORE_REGISTRY } from '../../../geodata/generate/roads/index.js'
import { runStandIn } from './stand-in.js'

const run = runStandIn(41)
const projects = run.projects
const area = new Map(run.areas.map((a) => [a.code, a]))
const householdsIn = (village: string) => run.households.household.filter((h) => h.village_code === village).length

describe('generateProjects', () => {
  it('uses allowed types and stages, unique ids and real counties', () => {
    expect(new Set(projects.map((p) => p.id)).size).toBe(projects.length)
    for (const p of projects) {
      expect(PROJECT_TYPES).toContain(p.type)
      expect(PROJECT_STAGES).toContain(p.stage)
      expect(area.get(p.county_code)?.level).toBe('county')
      if (p.village_code) {
        expect(area.get(p.village_code)?.level).toBe('village')
        expect(p.village_code.startsWith(p.county_code)).toBe(true)
      }
      expect(p.year).toBeGreaterThanOrEqual(2015)
      expect(p.year).toBeLessThanOrEqual(2020)
    }
    for (const t of PROJECT_TYPES) expect(projects.some((p) => p.type === t), t).toBe(true)
  })

  it('paves each late village road with a project that follows the road', () => {
    const late = [...run.roads.villageHardenedYear].filter(([, y]) => y > PAVED_BEFORE_REGISTRY)
    expect(late.length).toBeGreaterThan(0)
    const vertices = new Set(run.roads.rows.flatMap((r) => r.geom.coordinates.map((c) => c.join(','))))
    for (const [code, year] of late) {
      const p = projects.filter((x) => x.type === 'road' && x.village_code === code)
      expect(p).toHaveLength(1)
      expect(p[0]!.year).toBe(year)
      expect(['completed', 'evaluated']).toContain(p[0]!.stage)
      expect(p[0]!.geom.type).toBe('LineString')
      const coords = (p[0]!.geom as { coordinates: number[][] }).coordinates
      for (const c of coords) expect(vertices.has(c.join(','))).toBe(true)
      expect(coords[0]).toEqual(area.get(code)!.seat!.coordinates)
    }
  })

  it('builds a water project at each supply works opened after 2014', () => {
    for (const w of run.facilities.supplyWorks) {
      const y = run.facilities.supplyWorksYear.get(w.id)!
      if (y <= PAVED_BEFORE_REGISTRY) continue
      // Village names repeat across townships: match on the works' position too.
      const p = projects.filter((x) => x.type === 'water' && x.name === w.name && x.year === y && JSON.stringify(x.geom) === JSON.stringify(w.geom))
      expect(p, w.name!).toHaveLength(1)
    }
  })

  it('keeps money plausible for each stage', () => {
    for (const p of projects) {
      expect(p.budget_yuan).toBeGreaterThan(0)
      expect(p.spent_yuan).toBeLessThanOrEqual(p.budget_yuan * 1.06)
      if (p.stage === 'plan') expect(p.spent_yuan).toBe(0)
      if (p.stage === 'completed' || p.stage === 'evaluated') expect(p.spent_yuan).toBeGreaterThanOrEqual(p.budget_yuan * 0.95)
      if (p.year <= 2017) expect(['completed', 'evaluated']).toContain(p.stage)
    }
    const recent = projects.filter((p) => p.year >= 2019)
    expect(recent.some((p) => p.stage === 'construction' || p.stage === 'approved' || p.stage === 'plan')).toBe(true)
  })

  it('counts beneficiaries among the households of the villages served', () => {
    for (const p of projects) {
      expect(p.beneficiary_households).toBeGreaterThanOrEqual(0)
      expect(p.beneficiary_villages).toBeGreaterThanOrEqual(p.village_code ? 1 : 0)
      if (p.village_code && p.beneficiary_villages === 1) expect(p.beneficiary_households).toBeLessThanOrEqual(householdsIn(p.village_code))
    }
    const relocated = run.households.household.filter((h) => h.relocated).length
    const sites = projects.filter((p) => p.type === 'relocation')
    expect(sites.reduce((s, p) => s + p.beneficiary_households, 0)).toBe(relocated)
    const renovated = projects.filter((p) => p.type === 'housing').reduce((s, p) => s + p.beneficiary_households, 0)
    expect(renovated).toBeLessThanOrEqual(run.households.household.filter((h) => ['C', 'D'].includes(h.housing_safety!)).length)
  })

  it('places relocation sites near a township seat inside the township', () => {
    for (const p of projects.filter((x) => x.type === 'relocation')) {
      const t = run.areas.find((a) => a.level === 'township' && p.name.startsWith(a.name) && a.parent_code === p.county_code)!
      expect(booleanPointInPolygon((p.geom as { coordinates: number[] }).coordinates, t.geom!)).toBe(true)
    }
  })

  it('is deterministic: same seed identical, another seed different', () => {
    const input = { areas: run.areas, env: run.env, roads: run.roads, facilities: run.facilities, summary: run.households.summary, povertyVillages: run.povertyVillages, scale: 'province' as const }
    expect(JSON.stringify(generateProjects(input, createRng(41).fork('projects')))).toBe(JSON.stringify(projects))
    expect(JSON.stringify(generateProjects(input, createRng(42).fork('projects')))).not.toBe(JSON.stringify(projects))
  })
})
