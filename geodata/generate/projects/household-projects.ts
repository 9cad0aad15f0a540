import { shortAreaName } from '../admin-lookup.js'
import type { Rng } from '../rng.js'
import { lonLatOf, pointGeom, randomPointNear } from '../spatial-index.js'
import type { ProjectContext } from './context.js'
import { bundles, byVillage, modalYear, onlyPovertyInDemo } from './household-work.js'
import { builtStage } from './stages.js'

/** Dangerous-house renovation (危房改造), at the renovated households. */
export function housingProjects(ctx: ProjectContext, housingRng: Rng): void {
  const { lookup, countyOf, add } = ctx
  for (const b of bundles(ctx, 'housing', (code) => onlyPovertyInDemo(ctx, code))) {
    const year = modalYear(b.years)
    const name = b.village ? shortAreaName(lookup.get(b.village)!.row.name) : lookup.get(b.key)?.row.name ?? ''
    add(
      {
        type: 'housing',
        name: `${name}农村危房改造项目`,
        stage: builtStage(year, housingRng),
        year,
        budget: b.households * housingRng.range(15_000, 35_000),
        county_code: countyOf(b.villages[0]!),
        village_code: b.village,
        beneficiary_households: b.households,
        beneficiary_villages: b.villages.length,
        geom: pointGeom(b.at),
      },
      housingRng,
    )
  }
}

/** One resettlement site (易地扶贫搬迁安置点) per township that relocated households, near its seat. */
export function relocationProjects(ctx: ProjectContext, relocRng: Rng): void {
  const { lookup, countyOf, add } = ctx
  const { env } = ctx.input
  const byTownship = new Map<string, { years: Map<number, number>; households: number; villages: Set<string> }>()
  for (const [code, x] of byVillage(ctx, 'relocation')) {
    const t = env.villages.get(code)?.townshipCode
    if (!t) continue
    const agg = byTownship.get(t) ?? { years: new Map(), households: 0, villages: new Set() }
    for (const [y, n] of x.years) agg.years.set(y, (agg.years.get(y) ?? 0) + n)
    agg.households += x.households
    agg.villages.add(code)
    byTownship.set(t, agg)
  }
  for (const [t, agg] of [...byTownship].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const township = lookup.get(t)
    if (!township?.row.seat) continue
    const year = modalYear(agg.years)
    add(
      {
        type: 'relocation',
        name: `${township.row.name}易地扶贫搬迁安置点`,
        stage: builtStage(year, relocRng),
        year,
        budget: agg.households * 3.5 * relocRng.range(55_000, 65_000),
        county_code: countyOf(t),
        village_code: null,
        beneficiary_households: agg.households,
        beneficiary_villages: agg.villages.size,
        geom: pointGeom(randomPointNear(lonLatOf(township.row.seat), 1.2, township.row.geom, relocRng)),
      },
      relocRng,
    )
  }
}
