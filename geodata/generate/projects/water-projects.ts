import { LAST_YEAR } from '../../../domain/codes.js'
import { shortAreaName } from '../admin-lookup.js'
import type { Rng } from '../rng.js'
import { PAVED_BEFORE_REGISTRY } from '../roads/index.js'
import { pointGeom, randomPointNear } from '../spatial-index.js'
import type { ProjectContext } from './context.js'
import { bundles, modalYear, onlyPovertyInDemo } from './household-work.js'
import { builtStage } from './stages.js'

/**
 * Every supply works opened 2015–2020, at the works; village drinking-water projects where
 * registered households were connected without a new works.
 */
export function waterProjects(ctx: ProjectContext, waterRng: Rng): void {
  const { lookup, countyOf, householdsIn, villagesUnder, add } = ctx
  const { env, facilities } = ctx.input
  const newWorksVillages = new Set<string>()
  for (const w of facilities.supplyWorks) {
    const year = facilities.supplyWorksYear.get(w.id) ?? PAVED_BEFORE_REGISTRY
    if (year <= PAVED_BEFORE_REGISTRY || year > LAST_YEAR || !w.area_code || w.geom.type !== 'Point') continue
    const area = lookup.get(w.area_code)
    if (!area) continue
    const villages = villagesUnder(w.area_code)
    if (area.row.level === 'village') newWorksVillages.add(w.area_code)
    add(
      {
        type: 'water',
        name: w.name ?? `${area.row.name}供水工程`,
        stage: builtStage(year, waterRng),
        year,
        budget: (w.capacity ?? 100) * waterRng.range(2500, 5000),
        county_code: countyOf(w.area_code),
        village_code: area.row.level === 'village' ? w.area_code : null,
        beneficiary_households: villages.reduce((s, v) => s + householdsIn(v, year), 0),
        beneficiary_villages: villages.length,
        geom: w.geom,
      },
      waterRng,
    )
  }
  // Household connections (饮水安全巩固提升) where no new works was built: one project per village.
  for (const b of bundles(ctx, 'water', (code) => newWorksVillages.has(code) || onlyPovertyInDemo(ctx, code))) {
    const year = modalYear(b.years)
    const name = b.village ? shortAreaName(lookup.get(b.village)!.row.name) : lookup.get(b.key)?.row.name ?? ''
    const home = lookup.get(b.village ?? b.villages[0]!)!
    add(
      {
        type: 'water',
        name: `${name}农村饮水安全巩固提升工程`,
        stage: builtStage(year, waterRng),
        year,
        budget: 80_000 * b.villages.length + b.households * waterRng.range(3000, 8000),
        county_code: countyOf(b.villages[0]!),
        village_code: b.village,
        beneficiary_households: b.households,
        beneficiary_villages: b.villages.length,
        geom: pointGeom(b.village ? randomPointNear(env.villages.get(b.village)!.seat, 0.3, home.row.geom, waterRng) : b.at),
      },
      waterRng,
    )
  }
}
