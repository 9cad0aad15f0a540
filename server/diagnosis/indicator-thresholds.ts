/**
 * Reference values the diagnosis compares indicators with. indicator_def has no threshold column
 * yet (a later migration should move these there); until then they live here, on the server, and
 * reach the client through GET /api/indicators. An indicator without an entry has no threshold.
 * A lower_better indicator should stay at or below its value, a higher_better one at or above it.
 */
import type { Threshold } from '../../domain/schemas/diagnosis.js'

export const INDICATOR_THRESHOLDS: Readonly<Record<string, Threshold>> = {
  poverty_incidence: {
    value: 2,
    basis: 'exit_criterion',
    note: { zh: '贫困村、贫困县退出：贫困发生率低于2%（西部地区3%）', en: 'Exit of a poverty village or county: incidence below 2% (3% in western regions)' },
  },
  safe_water_share: {
    value: 1,
    basis: 'exit_criterion',
    note: { zh: '两不愁三保障：饮水安全全部达标', en: 'Two assurances, three guarantees: safe drinking water for every household' },
  },
  safe_housing_share: {
    value: 1,
    basis: 'exit_criterion',
    note: { zh: '两不愁三保障：住房安全全部达标', en: 'Two assurances, three guarantees: safe housing for every household' },
  },
  road_hardened: {
    value: 1,
    basis: 'exit_criterion',
    note: { zh: '贫困村退出：通硬化路', en: 'Exit of a poverty village: a paved road to the village' },
  },
  dist_clinic_km: {
    value: 5,
    basis: 'planning_target',
    note: { zh: '规划参考：5公里内有医疗机构', en: 'Planning reference: a clinic within 5 km' },
  },
}
