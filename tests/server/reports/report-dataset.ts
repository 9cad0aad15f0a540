import type { Dataset } from '../../../geodata/generate/types.js'
import { fixtureDataset, FIXTURE } from '../../helpers/fixture-dataset.js'

/** A second county (one township, one village) beside the fixture's 花垣县, so prefecture rows have two children. */
export const EXTRA = { county: '433125', township: '433125100', village: '433125100201' }

/**
 * The fixture dataset with a second county whose households copy those of the fixture's last village
 * (new ids), and a county-wide project (no village) so that the county's "own level" row is exercised.
 */
export function reportDataset(): Dataset {
  const d = fixtureDataset({ householdsPerVillage: 40 })
  const [x0, y0] = FIXTURE.origin
  const c = FIXTURE.cell
  const sq = (x: number, y: number, w: number) => ({ type: 'MultiPolygon' as const, coordinates: [[[[x, y], [x + w, y], [x + w, y + w], [x, y + w], [x, y]]]] })
  const pt = (x: number, y: number) => ({ type: 'Point' as const, coordinates: [x, y] })
  const X = x0 + 3 * c
  const area = (code: string, level: 'county' | 'township' | 'village', name: string, parent: string) => ({
    code, level, name, parent_code: parent, geom: sq(X, y0, c), seat: pt(X + c / 2, y0 + c / 2), poverty_designated: true, rural_population: 900, geom_synthetic: true,
  })
  d.admin_area.push(area(EXTRA.county, 'county', '保靖县', '4331'), area(EXTRA.township, 'township', '迁陵镇', EXTRA.county), area(EXTRA.village, 'village', '测试5村', EXTRA.township))
  const source = d.household.filter((h) => h.village_code === FIXTURE.villages[3])
  const idMap = new Map<number, number>()
  source.forEach((h, i) => {
    const id = 9_000_000_000 + i
    idMap.set(h.id, id)
    const [hx, hy] = (h.geom as unknown as { coordinates: [number, number] }).coordinates
    d.household.push({ ...h, id, village_code: EXTRA.village, geom: pt(hx - x0 - c + X, hy) })
  })
  for (const y of d.household_year.filter((r) => idMap.has(r.household_id))) d.household_year.push({ ...y, household_id: idMap.get(y.household_id)! })
  let mid = Math.max(...d.member.map((m) => m.id))
  for (const m of d.member.filter((r) => idMap.has(r.household_id))) d.member.push({ ...m, id: ++mid, household_id: idMap.get(m.household_id)! })
  d.project.push(
    { id: 3, type: 'industry', name: '花垣县茶叶产业园', stage: 'approved', year: 2017, budget_yuan: 2.5e6, spent_yuan: 1.25e6, county_code: FIXTURE.county, village_code: null, beneficiary_households: 200, beneficiary_villages: 4, geom: pt(x0 + c, y0 + c) },
    { id: 4, type: 'road', name: '测试5村通村公路', stage: 'construction', year: 2018, budget_yuan: 8e5 + 0.4, spent_yuan: 3e5, county_code: EXTRA.county, village_code: EXTRA.village, beneficiary_households: 30, beneficiary_villages: 1, geom: pt(X + 0.005, y0 + 0.005) },
  )
  return d
}
