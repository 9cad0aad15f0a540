import { shortAreaName } from '../admin-lookup.js'
import type { Rng } from '../rng.js'
import { pointGeom, randomPointNear } from '../spatial-index.js'
import type { ProjectContext } from './context.js'
import { stageFor } from './stages.js'

const INDUSTRIES_MOUNTAIN = ['猕猴桃', '油茶', '茶叶', '中药材', '黄牛养殖', '蜜蜂养殖', '乡村旅游', '椪柑', '黄桃', '烤烟']
const INDUSTRIES_PLAIN = ['蔬菜', '生猪养殖', '水产养殖', '优质稻', '柑橘', '光伏扶贫', '农产品加工', '乡村旅游']

/** Industry projects (产业扶贫) in poverty villages, by the lie of the land. */
export function industryProjects(ctx: ProjectContext, industryRng: Rng): void {
  const { lookup, demo, countyOf, householdsIn, add } = ctx
  const { env, povertyVillages } = ctx.input
  for (const code of [...povertyVillages].sort()) {
    const v = env.villages.get(code)
    const area = lookup.get(code)
    if (!v || !area) continue
    const n = demo ? (industryRng.chance(0.2) ? 1 : 0) : industryRng.weighted([1, 2, 3], [50, 35, 15])
    const households = householdsIn(code)
    const list = v.steepness > 0.5 ? INDUSTRIES_MOUNTAIN : INDUSTRIES_PLAIN
    const used = new Set<string>()
    for (let i = 0; i < n; i++) {
      const industry = code === '433124110226' && i === 0 ? '猕猴桃' : industryRng.pick(list)
      if (used.has(industry)) continue
      used.add(industry)
      const year = industryRng.weighted([2015, 2016, 2017, 2018, 2019, 2020], [10, 18, 22, 22, 18, 10])
      add(
        {
          type: 'industry',
          name: `${shortAreaName(area.row.name)}${industry}产业扶贫项目`,
          stage: stageFor(year, industryRng),
          year,
          budget: industryRng.range(200_000, 2_000_000),
          county_code: countyOf(code),
          village_code: code,
          beneficiary_households: Math.round(households * industryRng.range(0.3, 0.9)),
          beneficiary_villages: 1,
          geom: pointGeom(randomPointNear(v.seat, 0.8, area.row.geom, industryRng)),
        },
        industryRng,
      )
    }
  }
}
