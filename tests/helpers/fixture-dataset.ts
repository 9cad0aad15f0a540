import type { Dataset } from '../../geodata/generate/types.js'
import { createRng } from '../../geodata/generate/rng.js'
import { HouseholdIds } from '../../geodata/generate/household-ids.js'
import { POVERTY_CAUSES } from '../../domain/codes.js'

/**
 * A small, hand-shaped dataset for fast tests: 湖南省 → 湘西州 → 花垣县 → 2 townships → 4 square villages
 * around 十八洞村, with households, roads, water, facilities and projects in them. Deterministic.
 */
export const FIXTURE = {
  county: '433124',
  townships: ['433124110', '433124111'],
  villages: ['433124110226', '433124110227', '433124111201', '433124111202'],
  /** West/south corner and size (degrees) of the 2×2 block of villages. */
  origin: [109.5, 28.3] as const,
  cell: 0.02,
}

/** Years of the extra indicators below (slope_deg has 2020 only). */
export const FIXTURE_INDICATOR_YEARS = [2019, 2020] as const

/**
 * A few more environment indicators (codes and units as the demo generator writes them), with
 * values by village index vi (FIXTURE.villages order) and year index yi (FIXTURE_INDICATOR_YEARS):
 * a km distance, a share, a count, a yes/no and a percentage, so every aggregation kind is tested.
 * Village 3 has no dist_school_km value in 2019, to test areas with missing values.
 */
export const FIXTURE_INDICATORS = [
  { code: 'dist_school_km', name_zh: '距最近学校距离', name_en: 'Distance to nearest school', unit: 'km', direction: 'lower_better', category: 'education', description: null,
    values: (vi: number, yi: number) => (vi === 3 && yi === 0 ? null : [1.5, 4, 6.5, 9][vi]! - yi * 0.5) },
  { code: 'dist_clinic_km', name_zh: '距最近医疗机构距离', name_en: 'Distance to nearest clinic', unit: 'km', direction: 'lower_better', category: 'health', description: null,
    values: (vi: number) => [0.8, 3.2, 5.5, 7.1][vi]! },
  { code: 'dist_township_km', name_zh: '距乡镇公路里程', name_en: 'Road distance to township seat', unit: 'km', direction: 'lower_better', category: 'transport', description: null,
    values: (vi: number) => [2, 5, 3, 8][vi]! },
  { code: 'dist_county_km', name_zh: '距县城公路里程', name_en: 'Road distance to county seat', unit: 'km', direction: 'lower_better', category: 'transport', description: null,
    values: (vi: number) => [20, 24, 31, 35][vi]! },
  { code: 'safe_water_share', name_zh: '饮水安全户占比', name_en: 'Share of households with safe drinking water', unit: 'ratio', direction: 'higher_better', category: 'water', description: null,
    values: (vi: number, yi: number) => [0.95, 0.7, 0.85, 0.6][vi]! + yi * 0.05 },
  { code: 'poor_households', name_zh: '贫困户数', name_en: 'Poor households', unit: 'households', direction: 'lower_better', category: 'poverty', description: null,
    values: (vi: number, yi: number) => [12, 30, 18, 41][vi]! - yi * 5 },
  { code: 'road_hardened', name_zh: '通硬化路', name_en: 'Paved road to the village', unit: 'bool', direction: 'higher_better', category: 'transport', description: null,
    values: (vi: number, yi: number) => (vi === 3 && yi === 0 ? 0 : vi === 1 ? 0 : 1) },
  { code: 'poverty_incidence', name_zh: '贫困发生率', name_en: 'Poverty incidence', unit: '%', direction: 'lower_better', category: 'poverty', description: null,
    values: (vi: number, yi: number) => [1.2, 4.5, 2.8, 6.3][vi]! - yi * 0.4 },
] as const

const square = (x: number, y: number, w: number, h: number) => ({
  type: 'MultiPolygon' as const,
  coordinates: [[[[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]]]],
})
const point = (x: number, y: number) => ({ type: 'Point' as const, coordinates: [x, y] })

export function fixtureDataset(opts: { householdsPerVillage?: number; seed?: number } = {}): Dataset {
  const per = opts.householdsPerVillage ?? 150
  const rng = createRng(opts.seed ?? 7)
  const [x0, y0] = FIXTURE.origin
  const c = FIXTURE.cell
  const villageBox = (i: number) => [x0 + (i % 2) * c, y0 + Math.floor(i / 2) * c] as const
  const area = (code: string, level: Dataset['admin_area'][number]['level'], name: string, parent: string | null, x: number, y: number, w: number, h: number) => ({
    code, level, name, parent_code: parent, geom: square(x, y, w, h), seat: point(x + w / 2, y + h / 2),
    poverty_designated: level === 'village' || level === 'county', rural_population: level === 'village' ? 1200 : 4800, geom_synthetic: level !== 'county',
  })
  const admin_area: Dataset['admin_area'] = [
    area('43', 'province', '湖南省', null, x0 - 1, y0 - 1, 3, 3),
    area('4331', 'prefecture', '湘西土家族苗族自治州', '43', x0 - 0.5, y0 - 0.5, 1.5, 1.5),
    area('433124', 'county', '花垣县', '4331', x0, y0, 2 * c, 2 * c),
    area('433124110', 'township', '双龙镇', '433124', x0, y0, 2 * c, c),
    area('433124111', 'township', '测试乡', '433124', x0, y0 + c, 2 * c, c),
    ...FIXTURE.villages.map((code, i) => {
      const [x, y] = villageBox(i)
      return area(code, 'village', i === 0 ? '十八洞村' : `测试${i}村`, code.slice(0, 9), x, y, c, c)
    }),
  ]
  const household: Dataset['household'] = []
  const household_year: Dataset['household_year'] = []
  const member: Dataset['member'] = []
  // Ids as the generator hands them out: non-sequential, from a stream of their own.
  const ids = new HouseholdIds(createRng(opts.seed ?? 7).fork('household-ids'))
  let memberId = 0
  FIXTURE.villages.forEach((code, i) => {
    const [x, y] = villageBox(i)
    for (let k = 0; k < per; k++) {
      const hid = ids.next()
      const size = rng.int(1, 6)
      household.push({
        id: hid, village_code: code, geom: point(+(x + rng.range(0.001, c - 0.001)).toFixed(6), +(y + rng.range(0.001, c - 0.001)).toFixed(6)),
        size, identification_standard: 'national', attribute: rng.pick(['general', 'dibao', 'wubao', 'dibao_poor'] as const),
        main_cause: rng.pick(POVERTY_CAUSES), other_causes: rng.chance(0.5) ? ['water'] : [], phone: `138${String(rng.int(0, 99999999)).padStart(8, '0')}`,
        registered_year: 2014, housing_area_m2: rng.range(30, 120), housing_structure: 'brick_wood', housing_safety: rng.pick(['A', 'B', 'C', 'D'] as const),
        relocated: false, water_source: 'tap', water_difficulty: rng.chance(0.2), cooking_fuel: 'firewood', road_hardened: rng.chance(0.7),
        km_to_market: rng.range(1, 20), land_paddy_mu: 1, land_dry_mu: 0.5, land_forest_mu: 2,
      })
      const liftedIn = rng.int(2015, 2020)
      for (let year = 2014; year <= 2020; year++) {
        const status = year < liftedIn ? 'poor' : year === liftedIn + 1 && rng.chance(0.05) ? 'returned' : 'lifted'
        const ok = status === 'lifted'
        household_year.push({
          household_id: hid, year, status, income_per_capita: ok ? 5200 : 2100,
          food_clothing_ok: ok || rng.chance(0.8), education_ok: ok || rng.chance(0.7), medical_ok: ok || rng.chance(0.6), housing_ok: ok || rng.chance(0.5), water_ok: ok || rng.chance(0.6),
        })
      }
      member.push({
        id: ++memberId, household_id: hid, name: '龙某某', sex: 'M', id_number: '43312419800101001X', relation: 'head', ethnicity: 'Miao', birth_year: 1980,
        schooling: 'primary', in_school: null, health: 'chronic', labour: 'ordinary', migrant_months: 0, dibao: false, wubao: false, medical_insurance: true, pension: false,
      })
    }
  })
  const line = (coords: number[][]) => ({ type: 'LineString' as const, coordinates: coords })
  return {
    admin_area,
    indicator_def: [
      { code: 'slope_deg', name_zh: '平均坡度', name_en: 'Mean slope', unit: '°', direction: 'lower_better', category: 'natural', description: null },
      ...FIXTURE_INDICATORS.map(({ values: _v, ...def }) => def),
    ],
    indicator_value: [
      ...FIXTURE.villages.map((code, i) => ({ area_code: code, indicator_code: 'slope_deg', year: 2020, value: 10 + i })),
      ...FIXTURE_INDICATORS.flatMap((d) =>
        FIXTURE_INDICATOR_YEARS.flatMap((year, yi) =>
          FIXTURE.villages.flatMap((area_code, vi) => {
            const value = d.values(vi, yi)
            return value === null ? [] : [{ area_code, indicator_code: d.code, year, value }]
          }),
        ),
      ),
    ],
    road: [
      { id: 1, class: 'national', name: 'G209', source_node: 1, target_node: 2, length_m: 4400, geom: line([[x0 - 0.1, y0 + c], [x0 + 2 * c + 0.1, y0 + c]]) },
      { id: 2, class: 'village', name: null, source_node: 2, target_node: 3, length_m: 2200, geom: line([[x0 + c / 2, y0 + c], [x0 + c / 2, y0 + c / 2]]) },
    ],
    water: [
      { id: 1, kind: 'river', name: '峒河', stream_order: 3, capacity: null, area_code: null, geom: line([[x0, y0 + 0.005], [x0 + 2 * c, y0 + 0.035]]) },
      { id: 2, kind: 'supply_works', name: '十八洞村供水站', stream_order: null, capacity: 200, area_code: FIXTURE.villages[0]!, geom: point(x0 + 0.004, y0 + 0.004) },
    ],
    school: [
      { id: 1, level: 'county_middle', name: '花垣县第一中学', area_code: '433124', capacity: 2000, geom: point(x0 + c, y0 + c) },
      { id: 2, level: 'village_primary', name: '十八洞村小学', area_code: FIXTURE.villages[0]!, capacity: 80, geom: point(x0 + 0.01, y0 + 0.01) },
    ],
    clinic: [
      { id: 1, level: 'county_hospital', name: '花垣县人民医院', area_code: '433124', beds: 300, doctors: 80, geom: point(x0 + c + 0.002, y0 + c) },
      { id: 2, level: 'village_clinic', name: '十八洞村卫生室', area_code: FIXTURE.villages[0]!, beds: 2, doctors: 1, geom: point(x0 + 0.012, y0 + 0.01) },
    ],
    household,
    household_year,
    member,
    project: [
      { id: 1, type: 'road', name: '十八洞村通组公路', stage: 'completed', year: 2016, budget_yuan: 1.2e6, spent_yuan: 1.18e6, county_code: '433124', village_code: FIXTURE.villages[0]!, beneficiary_households: 40, beneficiary_villages: 1, geom: line([[x0 + c / 2, y0 + c], [x0 + c / 2, y0 + c / 2]]) },
      { id: 2, type: 'water', name: '十八洞村饮水工程', stage: 'construction', year: 2019, budget_yuan: 3e5, spent_yuan: 1e5, county_code: '433124', village_code: FIXTURE.villages[0]!, beneficiary_households: 60, beneficiary_villages: 1, geom: point(x0 + 0.004, y0 + 0.004) },
    ],
  }
}
