/**
 * Coded values of the registry, defined once: the generator writes them, the database checks them,
 * tile filters whitelist them, the API validates them and the client translates them.
 */

/** 建档立卡 status in a year: 未脱贫, 已脱贫, 返贫. */
export const HOUSEHOLD_STATUSES = ['poor', 'lifted', 'returned'] as const
export type HouseholdStatus = (typeof HOUSEHOLD_STATUSES)[number]

/**
 * The statuses counted as poor in a year: not yet lifted, or returned to poverty. Every "poor"
 * figure (poor households, poor people, incidence) counts these; SQL in .sql files spells them out.
 */
export const POOR_STATUSES: readonly HouseholdStatus[] = ['poor', 'returned']
export const isPoor = (status: string): boolean => (POOR_STATUSES as readonly string[]).includes(status)

/** 致贫原因, one main cause plus up to two others. */
export const POVERTY_CAUSES = [
  'illness', // 因病
  'disability', // 因残
  'schooling', // 因学
  'disaster', // 因灾
  'land', // 缺土地
  'water', // 缺水
  'skills', // 缺技术
  'labour', // 缺劳力
  'capital', // 缺资金
  'transport', // 交通条件落后
  'drive', // 自身发展动力不足
  'other', // 其他
] as const
export type PovertyCause = (typeof POVERTY_CAUSES)[number]

/** 一般贫困户, 低保户, 五保户, 低保贫困户. */
export const HOUSEHOLD_ATTRIBUTES = ['general', 'dibao', 'wubao', 'dibao_poor'] as const

/** 两不愁三保障 plus safe drinking water: the gap names used by filters and the diagnosis panel. */
export const ASSURANCE_GAPS = ['food_clothing', 'education', 'medical', 'housing', 'water'] as const
export type AssuranceGap = (typeof ASSURANCE_GAPS)[number]

export const ROAD_CLASSES = ['national', 'provincial', 'county', 'township', 'village'] as const
export const WATER_KINDS = ['river', 'lake', 'reservoir', 'supply_works'] as const
export const SCHOOL_LEVELS = ['county_middle', 'township_central', 'village_primary'] as const
export const CLINIC_LEVELS = ['county_hospital', 'township_health_centre', 'village_clinic'] as const
export const PROJECT_TYPES = ['road', 'water', 'housing', 'relocation', 'industry', 'education', 'health'] as const
export const PROJECT_STAGES = ['plan', 'approved', 'construction', 'completed', 'evaluated'] as const

/** Registry years covered by the demo (建档立卡 began 2014; all were lifted by 2020). */
export const FIRST_YEAR = 2014
export const LAST_YEAR = 2020

/** National poverty line in current yuan per person per year. */
export const POVERTY_LINE: Record<number, number> = {
  2014: 2736,
  2015: 2855,
  2016: 2952,
  2017: 3335,
  2018: 3535,
  2019: 3747,
  2020: 4000,
}
