/**
 * Schools, clinics and drinking-water supply works, placed near the seats of the divisions they
 * serve (inside their area) and named the way they are signposted: 花垣县第一中学, 双龙镇中心学校,
 * 十八洞村小学, 花垣县人民医院, 双龙镇卫生院, 十八洞村卫生室, 双龙镇水厂, 十八洞村集中供水工程.
 *
 * Village schools are fewer where the village is remote and steep (schools were consolidated into
 * township central schools); most villages have a clinic (卫生室). Supply works have the year they
 * began supplying water: county and most township works existed before 2014, many village works were
 * built 2015–2020 under the rural drinking-water programme (projects.ts turns those into projects).
 */
import { PAVED_BEFORE_REGISTRY } from './roads/index.js'
import { AdminLookup, isRuralTownship, isRuralVillage, shortAreaName, villageTerrain, type AreaNode } from './admin-lookup.js'
import type { Rng } from './rng.js'
import { distanceKm, pointGeom, randomPointNear } from './spatial-index.js'
import type { AdminAreaRow, ClinicRow, SchoolRow, Terrain, WaterRow } from './types.js'

export interface FacilityOptions {
  /** Supply-works ids are waterIdOffset + 1, + 2, …: keep them clear of the water generator's ids. */
  waterIdOffset: number
}

export interface Facilities {
  school: SchoolRow[]
  clinic: ClinicRow[]
  /** WaterRow kind 'supply_works', Point geometry, capacity in m³/day. */
  supplyWorks: WaterRow[]
  /** Year each supply works began supplying water, by water id (≤ 2013: before the registry). */
  supplyWorksYear: Map<number, number>
}

function smoothstep(x: number, lo: number, hi: number): number {
  const t = Math.min(1, Math.max(0, (x - lo) / (hi - lo)))
  return t * t * (3 - 2 * t)
}

export function generateFacilities(areas: readonly AdminAreaRow[], terrain: Terrain, rng: Rng, opts: FacilityOptions): Facilities {
  const lookup = new AdminLookup(areas)
  const schoolRng = rng.fork('schools')
  const clinicRng = rng.fork('clinics')
  const waterRng = rng.fork('supply-works')
  const school: SchoolRow[] = []
  const clinic: ClinicRow[] = []
  const supplyWorks: WaterRow[] = []
  const supplyWorksYear = new Map<number, number>()

  const near = (a: AreaNode, sdKm: number, r: Rng) => pointGeom(randomPointNear(a.seat!, sdKm, a.row.geom, r))
  const addSchool = (level: SchoolRow['level'], name: string, a: AreaNode, capacity: number, sdKm: number) =>
    school.push({ id: school.length + 1, level, name, area_code: a.row.code, capacity: Math.max(1, Math.round(capacity)), geom: near(a, sdKm, schoolRng) })
  const addClinic = (level: ClinicRow['level'], name: string, a: AreaNode, beds: number, doctors: number, sdKm: number) =>
    clinic.push({
      id: clinic.length + 1,
      level,
      name,
      area_code: a.row.code,
      beds: Math.max(0, Math.round(beds)),
      doctors: Math.max(0, Math.round(doctors)),
      geom: near(a, sdKm, clinicRng),
    })
  const addWorks = (name: string, a: AreaNode, capacity: number, year: number, sdKm: number) => {
    const id = opts.waterIdOffset + supplyWorks.length + 1
    supplyWorks.push({
      id,
      kind: 'supply_works',
      name,
      stream_order: null,
      capacity: Math.round(capacity),
      area_code: a.row.code,
      geom: near(a, sdKm, waterRng),
    })
    supplyWorksYear.set(id, year)
  }

  for (const county of lookup.counties) {
    if (!county.seat) continue
    const name = county.row.name
    const pop = county.row.rural_population ?? 300_000
    const size = Math.min(2, Math.max(0.4, pop / 400_000))
    addSchool('county_middle', `${name}第一中学`, county, schoolRng.range(2000, 4000) * Math.sqrt(size), 1.2)
    if (schoolRng.chance(0.4 + 0.3 * size)) addSchool('county_middle', `${name}第二中学`, county, schoolRng.range(1200, 3000) * Math.sqrt(size), 1.5)
    if (/自治|土家|苗/.test(name) || county.row.code.startsWith('4331')) addSchool('county_middle', `${name}民族中学`, county, schoolRng.range(1000, 2500), 1.5)
    const beds = clinicRng.range(250, 700) * size
    addClinic('county_hospital', `${name}人民医院`, county, beds, beds * clinicRng.range(0.3, 0.45), 1)
    if (clinicRng.chance(0.85)) {
      const b = clinicRng.range(120, 400) * size
      addClinic('county_hospital', `${name}中医医院`, county, b, b * clinicRng.range(0.3, 0.45), 1.5)
    }
    addWorks(`${name}自来水厂`, county, waterRng.range(20_000, 80_000) * size, PAVED_BEFORE_REGISTRY, 2)
  }

  for (const t of lookup.townships) {
    if (!t.seat) continue
    const label = t.row.name
    const rural = isRuralTownship(t.row.name)
    const pop = t.row.rural_population ?? 20_000
    addSchool('township_central', rural ? `${label}中心学校` : `${label}中心小学`, t, schoolRng.range(300, 900) * Math.sqrt(pop / 20_000), 0.6)
    const beds = rural ? clinicRng.range(12, 50) * Math.sqrt(pop / 20_000) : clinicRng.range(5, 30)
    addClinic('township_health_centre', rural ? `${label}卫生院` : `${label}社区卫生服务中心`, t, beds, 3 + beds * clinicRng.range(0.3, 0.5), 0.6)
    if (rural && waterRng.chance(0.7)) {
      const year = waterRng.chance(0.8) ? PAVED_BEFORE_REGISTRY : waterRng.weighted([2015, 2016, 2017, 2018, 2019], [2, 3, 3, 2, 1])
      addWorks(`${label}水厂`, t, waterRng.range(500, 4000) * Math.sqrt(pop / 20_000), year, 1.2)
    }
  }

  const steepness = villageTerrain(lookup.villages, terrain)
  for (const v of lookup.villages) {
    if (!v.seat) continue
    const short = shortAreaName(v.row.name)
    const township = v.parent
    const remoteKm = township?.seat ? distanceKm(v.seat, township.seat) : 0
    const pop = v.row.rural_population ?? 1500
    if (!isRuralVillage(v.row)) {
      if (clinicRng.chance(0.5)) addClinic('village_clinic', `${short}卫生服务站`, v, 0, clinicRng.int(2, 5), 0.3)
      continue
    }
    const remote = Math.max(smoothstep(remoteKm, 3, 12), smoothstep(steepness.get(v.row.code)?.steepness ?? 0, 0.6, 0.97))
    if (schoolRng.chance((0.5 - 0.3 * remote) * Math.min(1.3, Math.sqrt(pop / 1500)))) {
      addSchool('village_primary', `${short}小学`, v, schoolRng.range(40, 260) * (1 - 0.5 * remote), 0.4)
    }
    if (clinicRng.chance(0.92 - 0.12 * remote)) addClinic('village_clinic', `${short}卫生室`, v, clinicRng.chance(0.3) ? 1 : 0, clinicRng.int(1, 3), 0.3)
    // Village water works: a few old ones; many new ones in steep or remote villages.
    const pNew = 0.03 + 0.15 * remote
    if (waterRng.chance(0.06)) addWorks(`${short}集中供水工程`, v, waterRng.range(30, 300), PAVED_BEFORE_REGISTRY, 0.5)
    else if (waterRng.chance(pNew)) {
      const year = waterRng.weighted([2015, 2016, 2017, 2018, 2019, 2020], [10, 16, 20, 20, 16, 6])
      addWorks(`${short}集中供水工程`, v, waterRng.range(20, 200), year, 0.5)
    }
  }
  return { school, clinic, supplyWorks, supplyWorksYear }
}
