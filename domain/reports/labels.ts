/**
 * Chinese (and English) names of the registry's coded values, for what people open outside the app:
 * report sheets, exports, import templates. Chinese first: the tables are filed with offices that read
 * them in Chinese; the client translates the same codes from its own messages.
 */
import type { HouseholdStatus, PovertyCause, AssuranceGap } from '../codes.js'
import type { HOUSEHOLD_ATTRIBUTES, PROJECT_STAGES, PROJECT_TYPES } from '../codes.js'

export interface Label {
  zh: string
  en: string
}

export const STATUS_LABELS: Readonly<Record<HouseholdStatus, Label>> = {
  poor: { zh: '未脱贫', en: 'Poor' },
  lifted: { zh: '已脱贫', en: 'Lifted out' },
  returned: { zh: '返贫', en: 'Returned to poverty' },
}

export const CAUSE_LABELS: Readonly<Record<PovertyCause, Label>> = {
  illness: { zh: '因病', en: 'Illness' },
  disability: { zh: '因残', en: 'Disability' },
  schooling: { zh: '因学', en: 'Schooling costs' },
  disaster: { zh: '因灾', en: 'Disaster' },
  land: { zh: '缺土地', en: 'Lack of land' },
  water: { zh: '缺水', en: 'Lack of water' },
  skills: { zh: '缺技术', en: 'Lack of skills' },
  labour: { zh: '缺劳力', en: 'Lack of labour' },
  capital: { zh: '缺资金', en: 'Lack of capital' },
  transport: { zh: '交通条件落后', en: 'Poor transport' },
  drive: { zh: '自身发展动力不足', en: 'Lack of drive' },
  other: { zh: '其他', en: 'Other' },
}

export const ATTRIBUTE_LABELS: Readonly<Record<(typeof HOUSEHOLD_ATTRIBUTES)[number], Label>> = {
  general: { zh: '一般贫困户', en: 'General' },
  dibao: { zh: '低保户', en: 'Dibao' },
  wubao: { zh: '五保户', en: 'Wubao' },
  dibao_poor: { zh: '低保贫困户', en: 'Dibao poor' },
}

export const GAP_LABELS: Readonly<Record<AssuranceGap, Label>> = {
  food_clothing: { zh: '吃穿不愁', en: 'Food and clothing' },
  education: { zh: '义务教育', en: 'Compulsory education' },
  medical: { zh: '基本医疗', en: 'Basic medical care' },
  housing: { zh: '住房安全', en: 'Safe housing' },
  water: { zh: '饮水安全', en: 'Safe drinking water' },
}

export const PROJECT_TYPE_LABELS: Readonly<Record<(typeof PROJECT_TYPES)[number], Label>> = {
  road: { zh: '道路交通', en: 'Roads' },
  water: { zh: '饮水安全', en: 'Water' },
  housing: { zh: '危房改造', en: 'Housing' },
  relocation: { zh: '易地扶贫搬迁', en: 'Relocation' },
  industry: { zh: '产业发展', en: 'Industry' },
  education: { zh: '教育', en: 'Education' },
  health: { zh: '医疗卫生', en: 'Health' },
}

export const STAGE_LABELS: Readonly<Record<(typeof PROJECT_STAGES)[number], Label>> = {
  plan: { zh: '规划', en: 'Planned' },
  approved: { zh: '已批复', en: 'Approved' },
  construction: { zh: '在建', en: 'Under construction' },
  completed: { zh: '已完工', en: 'Completed' },
  evaluated: { zh: '已评估', en: 'Evaluated' },
}

export const LEVEL_LABELS: Readonly<Record<string, Label>> = {
  province: { zh: '省', en: 'Province' },
  prefecture: { zh: '市州', en: 'Prefecture' },
  county: { zh: '县市区', en: 'County' },
  township: { zh: '乡镇', en: 'Township' },
  village: { zh: '村', en: 'Village' },
}

/** The note every sheet and printed page carries while the data is synthetic. */
export const DEMO_NOTE: Label = { zh: '示例数据：除区划名称、代码和县界外均为合成数据，不代表真实情况。', en: 'Demo data (示例数据): synthetic except division names, codes and county outlines.' }

export const MEASURE_STATUS_LABELS: Readonly<Record<string, Label>> = {
  planned: { zh: '计划', en: 'Planned' },
  under_way: { zh: '实施中', en: 'Under way' },
  done: { zh: '已完成', en: 'Done' },
  dropped: { zh: '已取消', en: 'Dropped' },
}
