import type { Rng } from '../rng.js'
import type { ProjectContext } from './context.js'
import { stageFor } from './stages.js'

/** Education projects at schools and health projects at clinics, in poverty areas. */
export function serviceProjects(ctx: ProjectContext, eduRng: Rng, healthRng: Rng): void {
  const { lookup, demo, countyOf, householdsIn, villagesUnder, add } = ctx
  const { facilities, summary, povertyVillages } = ctx.input
  const pcSet = new Set(ctx.povertyCounties)
  const inPovertyArea = (code: string) => povertyVillages.has(code) || (lookup.get(code)?.row.level === 'township' && pcSet.has(countyOf(code)))
  for (const s of facilities.school) {
    if (s.level === 'county_middle' || !inPovertyArea(s.area_code)) continue
    if (!eduRng.chance(s.level === 'township_central' ? (demo ? 0.25 : 0.6) : demo ? 0.1 : 0.4)) continue
    const villages = villagesUnder(s.area_code)
    const year = eduRng.weighted([2015, 2016, 2017, 2018, 2019, 2020], [15, 25, 25, 18, 12, 5])
    add(
      {
        type: 'education',
        name: `${s.name}改善办学条件项目`,
        stage: stageFor(year, eduRng),
        year,
        budget: s.level === 'township_central' ? eduRng.range(800_000, 5_000_000) : eduRng.range(100_000, 800_000),
        county_code: countyOf(s.area_code),
        village_code: lookup.get(s.area_code)?.row.level === 'village' ? s.area_code : null,
        beneficiary_households: villages.reduce((sum, v) => sum + (summary.villages.get(v)?.withPupils ?? 0), 0),
        beneficiary_villages: villages.length,
        geom: s.geom,
      },
      eduRng,
    )
  }
  for (const c of facilities.clinic) {
    if (c.level === 'county_hospital' || !inPovertyArea(c.area_code)) continue
    if (!healthRng.chance(c.level === 'township_health_centre' ? (demo ? 0.2 : 0.5) : demo ? 0.1 : 0.5)) continue
    const villages = villagesUnder(c.area_code)
    const year = healthRng.weighted([2015, 2016, 2017, 2018, 2019, 2020], [8, 20, 25, 22, 17, 8])
    add(
      {
        type: 'health',
        name: c.level === 'village_clinic' ? `${c.name}标准化建设项目` : `${c.name}改扩建工程`,
        stage: stageFor(year, healthRng),
        year,
        budget: c.level === 'village_clinic' ? healthRng.range(80_000, 250_000) : healthRng.range(1_000_000, 6_000_000),
        county_code: countyOf(c.area_code),
        village_code: lookup.get(c.area_code)?.row.level === 'village' ? c.area_code : null,
        beneficiary_households: villages.reduce((sum, v) => sum + householdsIn(v, year), 0),
        beneficiary_villages: villages.length,
        geom: c.geom,
      },
      healthRng,
    )
  }
}
