import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon'
import { describe, expect, it } from 'vitest'
import { isRuralVillage, shortAreaName } from '../../../geodata/generate/admin-lookup.js'
import { generateFacilities } from '../../../geodata/generate/facilities.js'
import { createRng } from '../../../geodata/generate/rng.js'
import { distanceKm } from '../../../geodata/generate/spatial-index.js'
import { standIn, WATER_ID_OFFSET } from './stand-in.js'

const base = standIn()
const fac = generateFacilities(base.areas, base.terrain, createRng(5).fork('facilities'), { waterIdOffset: WATER_ID_OFFSET })
const area = new Map(base.areas.map((a) => [a.code, a]))
const byLevel = (level: string) => base.areas.filter((a) => a.level === level)

describe('shortAreaName', () => {
  it('turns committee names into the names people use', () => {
    expect(shortAreaName('大坪村民委员会')).toBe('大坪村')
    expect(shortAreaName('花园村村民委员会会')).toBe('花园村')
    expect(shortAreaName('新村村委会')).toBe('新村')
    expect(shortAreaName('红星社区居委会')).toBe('红星社区')
    expect(shortAreaName('十八洞村')).toBe('十八洞村')
    expect(isRuralVillage({ name: '城关社区居委会', level: 'village' })).toBe(false)
    expect(isRuralVillage({ name: '十八洞村', level: 'village' })).toBe(true)
  })
})

describe('generateFacilities', () => {
  it('gives every county a middle school and a hospital, every township a central school and a health centre', () => {
    for (const c of byLevel('county')) {
      expect(fac.school.some((s) => s.level === 'county_middle' && s.area_code === c.code && s.name === `${c.name}第一中学`)).toBe(true)
      expect(fac.clinic.some((h) => h.level === 'county_hospital' && h.area_code === c.code && h.name === `${c.name}人民医院`)).toBe(true)
    }
    for (const t of byLevel('township')) {
      expect(fac.school.filter((s) => s.level === 'township_central' && s.area_code === t.code)).toHaveLength(1)
      expect(fac.clinic.filter((h) => h.level === 'township_health_centre' && h.area_code === t.code)).toHaveLength(1)
    }
    expect(fac.school.map((s) => s.name)).toContain('花垣县第一中学')
    expect(fac.school.map((s) => s.name)).toContain('双龙镇中心学校')
    expect(fac.clinic.map((s) => s.name)).toContain('双龙镇卫生院')
  })

  it('names village schools and clinics after the village', () => {
    for (const s of fac.school.filter((x) => x.level === 'village_primary')) expect(s.name).toBe(`${shortAreaName(area.get(s.area_code)!.name)}小学`)
    for (const c of fac.clinic.filter((x) => x.level === 'village_clinic')) expect(c.name).toMatch(/(卫生室|卫生服务站)$/)
    const villages = byLevel('village').filter(isRuralVillage)
    const withClinic = villages.filter((v) => fac.clinic.some((c) => c.area_code === v.code)).length
    const withSchool = villages.filter((v) => fac.school.some((c) => c.area_code === v.code)).length
    expect(withClinic / villages.length).toBeGreaterThan(0.7)
    expect(withSchool).toBeGreaterThan(0)
    expect(withSchool).toBeLessThan(villages.length * 0.7)
  })

  it('puts every facility near its seat and inside its area', () => {
    const all = [...fac.school, ...fac.clinic, ...fac.supplyWorks]
    for (const f of all) {
      const a = area.get(f.area_code!)!
      const p = f.geom.coordinates as [number, number]
      expect(booleanPointInPolygon(p, a.geom!), `${f.name} in ${a.name}`).toBe(true)
      expect(distanceKm(p, a.seat!.coordinates as [number, number])).toBeLessThan(12)
    }
  })

  it('keeps capacities plausible and ids unique', () => {
    for (const s of fac.school) expect(s.capacity).toBeGreaterThan(0)
    for (const c of fac.clinic) {
      expect(c.beds).toBeGreaterThanOrEqual(0)
      expect(c.doctors).toBeGreaterThanOrEqual(0)
    }
    expect(new Set(fac.school.map((s) => s.id)).size).toBe(fac.school.length)
    expect(new Set(fac.clinic.map((s) => s.id)).size).toBe(fac.clinic.length)
    const hospital = fac.clinic.find((c) => c.level === 'county_hospital')!
    const village = fac.clinic.find((c) => c.level === 'village_clinic')!
    expect(hospital.beds).toBeGreaterThan(village.beds)
  })

  it('makes supply works points with a capacity, ids above the offset and a first year', () => {
    expect(fac.supplyWorks.length).toBeGreaterThan(byLevel('county').length)
    for (const w of fac.supplyWorks) {
      expect(w.kind).toBe('supply_works')
      expect(w.geom.type).toBe('Point')
      expect(w.capacity).toBeGreaterThan(0)
      expect(w.id).toBeGreaterThan(WATER_ID_OFFSET)
      const year = fac.supplyWorksYear.get(w.id)!
      expect(year).toBeGreaterThanOrEqual(2013)
      expect(year).toBeLessThanOrEqual(2020)
    }
    expect(new Set(fac.supplyWorks.map((w) => w.id)).size).toBe(fac.supplyWorks.length)
    expect([...fac.supplyWorksYear.values()].some((y) => y > 2014)).toBe(true)
  })

  it('is deterministic: same seed identical, another seed different', () => {
    const again = generateFacilities(base.areas, base.terrain, createRng(5).fork('facilities'), { waterIdOffset: WATER_ID_OFFSET })
    expect(JSON.stringify(again.school)).toBe(JSON.stringify(fac.school))
    expect(JSON.stringify(again.supplyWorks)).toBe(JSON.stringify(fac.supplyWorks))
    const other = generateFacilities(base.areas, base.terrain, createRng(6).fork('facilities'), { waterIdOffset: WATER_ID_OFFSET })
    expect(JSON.stringify(other.clinic)).not.toBe(JSON.stringify(fac.clinic))
  })
})
