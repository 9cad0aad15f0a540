/**
 * The registry workflow's vocabulary (issue 16): kinds of change, request and step states, the review
 * chain's step actions, assistance-measure families and statuses, and the coded values of a household's
 * and a member's fields that forms, the API and imports check. Values the demo generator writes are the
 * same strings (geodata/generate/households/codes.ts); the registry's own codes come from domain/codes.ts.
 */
export { HOUSEHOLD_STATUSES, POVERTY_CAUSES, HOUSEHOLD_ATTRIBUTES, ASSURANCE_GAPS } from '../codes.js'

/** What a change request does. `target` is a household ref for all but household.create. */
export const CHANGE_KINDS = [
  'household.create', // 新识别: a new household, with its members
  'household.update', // fields of the household or of its registry year, location included
  'household.exit', // 脱贫退出
  'household.return', // 返贫
  'household.remove', // 自然减少 (death, moved out, duplicate…), with a reason
  'member.add',
  'member.update',
  'member.remove',
  'measure.upsert', // 帮扶计划: add or change one assistance measure
] as const
export type ChangeKind = (typeof CHANGE_KINDS)[number]

/** Identification and exit changes: their chain has democratic appraisal, public notices and the county's approval. */
export const IDENTIFICATION_KINDS: readonly ChangeKind[] = ['household.create', 'household.exit', 'household.return', 'household.remove']

/** pending: waiting at a step; rejected: back with the proposer (resubmit or withdraw); withdrawn and applied are final. */
export const CHANGE_STATES = ['pending', 'rejected', 'withdrawn', 'applied'] as const
export type ChangeState = (typeof CHANGE_STATES)[number]

/**
 * What a step of a review chain does: appraise (民主评议, recorded by the village team), notice (公示: a
 * period in the village during which objections are recorded; it passes when the period is over and no
 * objection is open), review (乡镇审核), approve (县审批、公告). The last step's approval applies the request.
 */
export const STEP_ACTIONS = ['appraise', 'notice', 'review', 'approve'] as const
export type StepAction = (typeof STEP_ACTIONS)[number]
/** A decision taken at a step; `notice` is written by the system when a notice period passes. */
export const STEP_DECISIONS = ['approved', 'rejected', 'noticed'] as const
export type StepDecision = (typeof STEP_DECISIONS)[number]

/** 帮扶措施 families (五个一批 and the others of the standard plan), with their Chinese and English names. */
export const MEASURE_FAMILIES = ['industry', 'employment', 'relocation', 'education', 'health', 'housing_renovation', 'eco_compensation', 'social_security', 'finance', 'other'] as const
export type MeasureFamily = (typeof MEASURE_FAMILIES)[number]
export const MEASURE_FAMILY_NAMES: Readonly<Record<MeasureFamily, { zh: string; en: string }>> = {
  industry: { zh: '产业', en: 'Industry' },
  employment: { zh: '就业', en: 'Employment' },
  relocation: { zh: '易地搬迁', en: 'Relocation' },
  education: { zh: '教育', en: 'Education' },
  health: { zh: '健康', en: 'Health' },
  housing_renovation: { zh: '危房改造', en: 'Dilapidated-housing renovation' },
  eco_compensation: { zh: '生态补偿', en: 'Ecological compensation' },
  social_security: { zh: '社会保障兜底', en: 'Social-security safety net' },
  finance: { zh: '金融', en: 'Finance' },
  other: { zh: '其他', en: 'Other' },
}

/** planned → under_way → done, or dropped. */
export const MEASURE_STATUSES = ['planned', 'under_way', 'done', 'dropped'] as const
export type MeasureStatus = (typeof MEASURE_STATUSES)[number]

/** 自然减少: why a household leaves the registry other than by exit. */
export const REMOVAL_REASONS = ['death', 'moved_out', 'duplicate', 'merged', 'other'] as const
export type RemovalReason = (typeof REMOVAL_REASONS)[number]

// ---- coded values of a household's fields (as in the household table's checks) ------------------------------
export const IDENTIFICATION_STANDARDS = ['national', 'provincial'] as const
export const HOUSING_STRUCTURES = ['reinforced_concrete', 'brick_concrete', 'brick_wood', 'earth_bamboo', 'other'] as const
export const HOUSING_SAFETY = ['A', 'B', 'C', 'D'] as const
export const WATER_SOURCES = ['tap', 'protected_well', 'unprotected_well', 'river_lake', 'rainwater', 'bottled'] as const
export const COOKING_FUELS = ['firewood', 'coal', 'lpg', 'piped_gas', 'electricity', 'biogas'] as const

// ---- coded values of a member's fields ------------------------------------------------------------------------
export const SEXES = ['M', 'F'] as const
export const MEMBER_RELATIONS = ['head', 'spouse', 'son', 'daughter', 'daughter_in_law', 'son_in_law', 'grandson', 'granddaughter', 'father', 'mother', 'brother', 'sister', 'other'] as const
export const ETHNICITIES = ['han', 'tujia', 'miao', 'dong', 'yao', 'bai', 'hui', 'zhuang'] as const
export const SCHOOLING_LEVELS = ['preschool', 'illiterate', 'primary', 'junior', 'senior', 'college'] as const
export const IN_SCHOOL_STAGES = ['preschool', 'primary', 'junior', 'senior', 'vocational', 'college'] as const
export const HEALTH_STATES = ['healthy', 'chronic', 'serious', 'disabled'] as const
export const LABOUR_CAPACITIES = ['ordinary', 'skilled', 'lost', 'none'] as const

// ---- numeric ranges (forms, API and imports check the same bounds) --------------------------------------------
export const RANGES = {
  size: { min: 1, max: 20 },
  incomePerCapita: { min: 0, max: 1_000_000 },
  housingAreaM2: { min: 0, max: 2_000 },
  landMu: { min: 0, max: 10_000 },
  kmToMarket: { min: 0, max: 500 },
  migrantMonths: { min: 0, max: 12 },
  amountYuan: { min: 0, max: 100_000_000 },
  /** Hunan with a margin: a location outside it is a typing error, not a household outside its village. */
  lon: { min: 108.5, max: 114.5 },
  lat: { min: 24.5, max: 30.5 },
} as const

/** Free-text limits. */
export const TEXT_LIMITS = { reason: 500, comment: 500, note: 1000, name: 40, cadre: 40, title: 100 } as const
