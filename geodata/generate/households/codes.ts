/** Coded values of member rows (the client translates them) and the registry's reference figures. */
export const MEMBER_RELATIONS = ['head', 'spouse', 'son', 'daughter', 'daughter_in_law', 'son_in_law', 'grandson', 'granddaughter', 'father', 'mother', 'brother', 'sister', 'other'] as const
export const ETHNICITIES = ['han', 'tujia', 'miao', 'dong', 'yao', 'bai', 'hui', 'zhuang'] as const
export const SCHOOLING_LEVELS = ['preschool', 'illiterate', 'primary', 'junior', 'senior', 'college'] as const
export const IN_SCHOOL_STAGES = ['preschool', 'primary', 'junior', 'senior', 'vocational', 'college'] as const
export const COOKING_FUELS = ['firewood', 'coal', 'lpg', 'piped_gas', 'electricity', 'biogas'] as const

export type Ethnicity = (typeof ETHNICITIES)[number]
export type Relation = (typeof MEMBER_RELATIONS)[number]
export type Schooling = (typeof SCHOOLING_LEVELS)[number]
export type Stage = (typeof IN_SCHOOL_STAGES)[number]

/** Province-wide reference figures the scaled targets are derived from. */
export const HUNAN_RURAL_VILLAGES = 23_700
export const HUNAN_POVERTY_VILLAGES = 6_900
export const HUNAN_POOR_PEOPLE_2014 = 6_000_000
/** Demo households outside 湘西 (which the demo holds whole). */
export const DEMO_HOUSEHOLDS = 30_000
export const SHIBADONG = '433124110226'
export const HUAYUAN = '433124'
export const XIANGXI = '4331'
