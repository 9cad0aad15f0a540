/**
 * The standard statistical tables (统计报表), declared once: the server builds them from facts, the XLSX
 * and PDF writers and the client read the same columns. A column sums one value of one fact key over
 * every fact below a row's area, so each level's row is the sum of its children by construction.
 */
import { ASSURANCE_GAPS, HOUSEHOLD_ATTRIBUTES, HOUSEHOLD_STATUSES, POVERTY_CAUSES, PROJECT_STAGES, PROJECT_TYPES } from '../codes.js'
import { MEASURE_FAMILIES, MEASURE_FAMILY_NAMES, MEASURE_STATUSES } from '../registry/enums.js'
import { MEASURE_STATUS_LABELS, ATTRIBUTE_LABELS, CAUSE_LABELS, GAP_LABELS, PROJECT_TYPE_LABELS, STAGE_LABELS, STATUS_LABELS, type Label } from './labels.js'

/** Where a table's facts come from: the registry (households of a year), projects (up to a year), assistance measures. */
export const FACT_SOURCES = ['households', 'projects', 'measures', 'changes'] as const
export type FactSource = (typeof FACT_SOURCES)[number]

/**
 * Fact keys per source. households: `all`, `status:<s>`, `cause:<c>`, `attr:<a>`, `gap:<g>`, `gap:any`,
 * `exit` (lifted this year, poor or returned the year before), `return` (returned this year, lifted the
 * year before); values `households`, `people`. projects: `all`, `type:<t>`, `stage:<s>`; values
 * `projects`, `budget`, `spent` (whole yuan). measures: `all`, `family:<f>`, `status:<s>`; values
 * `measures`, `households`. changes (exits and returns applied through the review chain): `exit:MM`,
 * `return:MM` (month of the approval, Beijing time), `exit:all`, `return:all`; value `households`.
 */
export interface ReportColumn {
  key: string
  title: Label
  unit: Label
  fact: string
  value: string
}

export interface ReportTableDef {
  id: string
  title: Label
  /** Sheet name in the workbook (≤ 31 characters). */
  sheet: string
  source: FactSource
  columns: readonly ReportColumn[]
  note?: Label
}

const HH: Label = { zh: '户', en: 'households' }
const PP: Label = { zh: '人', en: 'people' }
const N: Label = { zh: '个', en: 'count' }
const YUAN: Label = { zh: '元', en: 'yuan' }
const ITEMS: Label = { zh: '项', en: 'measures' }
const MONTHS = Array.from({ length: 12 }, (_v, i) => String(i + 1).padStart(2, '0'))

const households = (key: string, title: Label, fact: string): ReportColumn => ({ key, title, unit: HH, fact, value: 'households' })
const people = (key: string, title: Label, fact: string): ReportColumn => ({ key, title, unit: PP, fact, value: 'people' })
const both = (key: string, title: Label, fact: string): ReportColumn[] => [
  households(`${key}Households`, { zh: `${title.zh}户数`, en: `${title.en}: households` }, fact),
  people(`${key}People`, { zh: `${title.zh}人数`, en: `${title.en}: people` }, fact),
]
const camel = (s: string) => s.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())

export const REPORT_TABLES: readonly ReportTableDef[] = [
  {
    id: 'status',
    sheet: '按脱贫状态',
    title: { zh: '建档立卡贫困户及人口（按脱贫状态）', en: 'Registered poor households and people by status' },
    source: 'households',
    columns: [...both('registered', { zh: '建档立卡', en: 'Registered' }, 'all'), ...HOUSEHOLD_STATUSES.flatMap((s) => both(camel(s), STATUS_LABELS[s], `status:${s}`))],
  },
  {
    id: 'cause',
    sheet: '按致贫原因',
    title: { zh: '建档立卡贫困户（按主要致贫原因）', en: 'Registered poor households by main cause' },
    source: 'households',
    columns: [
      households('registeredHouseholds', { zh: '建档立卡户数', en: 'Registered households' }, 'all'),
      ...POVERTY_CAUSES.map((c) => households(camel(c), CAUSE_LABELS[c], `cause:${c}`)),
    ],
  },
  {
    id: 'attribute',
    sheet: '按贫困户属性',
    title: { zh: '建档立卡贫困户（按贫困户属性：低保、五保）', en: 'Registered poor households by attribute (dibao, wubao)' },
    source: 'households',
    columns: [...both('registered', { zh: '建档立卡', en: 'Registered' }, 'all'), ...HOUSEHOLD_ATTRIBUTES.flatMap((a) => both(camel(a), ATTRIBUTE_LABELS[a], `attr:${a}`))],
  },
  {
    id: 'gaps',
    sheet: '两不愁三保障',
    title: { zh: '“两不愁三保障”及饮水安全未达标户', en: 'Households with gaps in the two assurances and three guarantees' },
    source: 'households',
    columns: [
      households('registeredHouseholds', { zh: '建档立卡户数', en: 'Registered households' }, 'all'),
      households('anyGap', { zh: '有缺口户数', en: 'With any gap' }, 'gap:any'),
      ...ASSURANCE_GAPS.map((g) => households(camel(g), { zh: `${GAP_LABELS[g].zh}未保障`, en: `${GAP_LABELS[g].en}: not met` }, `gap:${g}`)),
    ],
  },
  {
    id: 'transitions',
    sheet: '脱贫与返贫',
    title: { zh: '脱贫与返贫（年度）', en: 'Exits and returns in the year' },
    source: 'households',
    columns: [...both('exit', { zh: '当年脱贫', en: 'Lifted out' }, 'exit'), ...both('return', { zh: '当年返贫', en: 'Returned' }, 'return')],
    note: {
      zh: '登记数据只记录年度状态，不记录月份：脱贫和返贫按本年与上年状态比较得出，按年统计。',
      en: 'The registry records a status per year, not the month: exits and returns compare this year with the last, per year.',
    },
  },
  {
    id: 'transitions-month',
    sheet: '脱贫与返贫按月',
    title: { zh: '脱贫与返贫（按月，经审批的变更）', en: 'Exits and returns by month (approved changes)' },
    source: 'changes',
    columns: [
      households('exitHouseholds', { zh: '全年脱贫', en: 'Lifted out in the year' }, 'exit:all'),
      ...MONTHS.map((m) => households(`exit${m}`, { zh: `${Number(m)}月脱贫`, en: `Lifted out, month ${Number(m)}` }, `exit:${m}`)),
      households('returnHouseholds', { zh: '全年返贫', en: 'Returned in the year' }, 'return:all'),
      ...MONTHS.map((m) => households(`return${m}`, { zh: `${Number(m)}月返贫`, en: `Returned, month ${Number(m)}` }, `return:${m}`)),
    ],
    note: {
      zh: '按县级审批通过的月份统计（北京时间）；导入的历史年度数据没有月份，见“脱贫与返贫（年度）”。',
      en: 'By the month of the county’s approval (Beijing time); imported yearly data has no month: see the yearly table.',
    },
  },
  {
    id: 'projects-type',
    sheet: '项目按类型',
    title: { zh: '扶贫项目及资金（按项目类型，截至本年度）', en: 'Projects and funds by type (up to the year)' },
    source: 'projects',
    columns: [
      { key: 'projects', title: { zh: '项目数', en: 'Projects' }, unit: N, fact: 'all', value: 'projects' },
      { key: 'budget', title: { zh: '计划投资', en: 'Budget' }, unit: YUAN, fact: 'all', value: 'budget' },
      { key: 'spent', title: { zh: '已到位资金', en: 'Spent' }, unit: YUAN, fact: 'all', value: 'spent' },
      ...PROJECT_TYPES.flatMap((t): ReportColumn[] => [
        { key: `${t}Projects`, title: { zh: `${PROJECT_TYPE_LABELS[t].zh}项目数`, en: `${PROJECT_TYPE_LABELS[t].en}: projects` }, unit: N, fact: `type:${t}`, value: 'projects' },
        { key: `${t}Budget`, title: { zh: `${PROJECT_TYPE_LABELS[t].zh}投资`, en: `${PROJECT_TYPE_LABELS[t].en}: budget` }, unit: YUAN, fact: `type:${t}`, value: 'budget' },
      ]),
    ],
    note: { zh: '未落到村的县级项目计入“本级”行。', en: 'County-wide projects (no village) are in the “own level” row.' },
  },
  {
    id: 'projects-stage',
    sheet: '项目按阶段',
    title: { zh: '扶贫项目及资金（按实施阶段，截至本年度）', en: 'Projects and funds by stage (up to the year)' },
    source: 'projects',
    columns: [
      { key: 'projects', title: { zh: '项目数', en: 'Projects' }, unit: N, fact: 'all', value: 'projects' },
      ...PROJECT_STAGES.flatMap((s): ReportColumn[] => [
        { key: `${s}Projects`, title: { zh: `${STAGE_LABELS[s].zh}项目数`, en: `${STAGE_LABELS[s].en}: projects` }, unit: N, fact: `stage:${s}`, value: 'projects' },
        { key: `${s}Spent`, title: { zh: `${STAGE_LABELS[s].zh}已到位资金`, en: `${STAGE_LABELS[s].en}: spent` }, unit: YUAN, fact: `stage:${s}`, value: 'spent' },
      ]),
    ],
    note: { zh: '未落到村的县级项目计入“本级”行。', en: 'County-wide projects (no village) are in the “own level” row.' },
  },
  {
    id: 'measures',
    sheet: '帮扶措施',
    title: { zh: '帮扶措施（按措施类别和实施状态，截至本年度）', en: 'Assistance measures by family and status (up to the year)' },
    source: 'measures',
    columns: [
      { key: 'measures', title: { zh: '措施数', en: 'Measures' }, unit: ITEMS, fact: 'all', value: 'measures' },
      households('households', { zh: '帮扶户数', en: 'Households assisted' }, 'all'),
      ...MEASURE_FAMILIES.map((f): ReportColumn => ({ key: camel(f), title: MEASURE_FAMILY_NAMES[f], unit: ITEMS, fact: `family:${f}`, value: 'measures' })),
      ...MEASURE_STATUSES.map((st): ReportColumn => ({ key: `status${camel(`_${st}`)}`, title: MEASURE_STATUS_LABELS[st]!, unit: ITEMS, fact: `status:${st}`, value: 'measures' })),
    ],
    note: { zh: '开始日期在本年度末以前的措施；状态为当前状态。', en: 'Measures started by the end of the year; their status as it is now.' },
  },
]

export const REPORT_TABLE_BY_ID: ReadonlyMap<string, ReportTableDef> = new Map(REPORT_TABLES.map((t) => [t.id, t]))
