/**
 * The cross-check rules (比对规则) and the mis-identification checks (错评/漏评), declared once: names,
 * the evidence each flag shows side by side (the registry's value against the external record's), and a
 * severity. The server runs each rule's SQL (server/crosschecks/rule-queries.ts, one statement per code:
 * its type requires one for every rule here); the client and GET /api/crosschecks/rules read this list.
 */
import type { RegistryKind } from './registries.js'

export const SEVERITIES = ['high', 'medium', 'low'] as const
export type Severity = (typeof SEVERITIES)[number]

export const RULE_CODES = [
  'vehicle_owner',
  'company_officer',
  'public_payroll',
  'employee_pension',
  'deceased_listed',
  'migrated_out',
  'uninsured',
  'pupil_not_enrolled',
  'assistance_mismatch',
  'housing_mismatch',
  'misid_in',
  'misid_out',
] as const
export type RuleCode = (typeof RULE_CODES)[number]

export const FLAG_STATES = ['open', 'confirmed', 'cleared'] as const
export type FlagState = (typeof FLAG_STATES)[number]

export interface Text {
  zh: string
  en: string
}

export interface RuleDef {
  code: RuleCode
  /** The registry whose import runs the rule; null for the mis-identification checks (from the registry itself). */
  registry: RegistryKind | null
  /**
   * presence: a matching external record says something the registry contradicts; absence: a member the
   * registry says should be in the external registry is not in its latest import for the area; derived:
   * the household's own records (and the other flags) rank it.
   */
  mode: 'presence' | 'absence' | 'derived'
  name: Text
  /** What the flag shows: the registry's side and the external record's side. */
  evidence: Text
  severity: Severity
  /** A confirmed flag of this rule says the household looks non-poor (used by the 错评 score). */
  nonPoorSign: boolean
}

const rule = (code: RuleCode, registry: RegistryKind | null, mode: RuleDef['mode'], severity: Severity, nonPoorSign: boolean, name: Text, evidence: Text): RuleDef => ({
  code, registry, mode, name, evidence, severity, nonPoorSign,
})

export const RULES: readonly RuleDef[] = [
  rule('vehicle_owner', 'vehicles', 'presence', 'high', true,
    { zh: '家庭成员名下有小汽车或货车', en: 'A member owns a car or lorry' },
    { zh: '登记户的状态、人均纯收入 ↔ 号牌、车辆类型、初次登记日期', en: "household status and income ↔ plate, vehicle type, first registration" }),
  rule('company_officer', 'companies', 'presence', 'high', true,
    { zh: '家庭成员是存续企业的法定代表人', en: 'A member is the legal representative of an active company' },
    { zh: '登记户的状态、人均纯收入 ↔ 企业名称、注册资本、成立日期、登记状态', en: 'household status and income ↔ company, registered capital, founded, state' }),
  rule('public_payroll', 'payroll', 'presence', 'high', true,
    { zh: '家庭成员为财政供养人员', en: 'A member is on the public payroll' },
    { zh: '成员劳动力状况 ↔ 工作单位、人员类别、月工资', en: "member's labour ↔ employer, category, monthly salary" }),
  rule('employee_pension', 'social_security', 'presence', 'medium', true,
    { zh: '家庭成员参加职工养老保险（有稳定工资或职工养老金）', en: "A member is in an employee's pension scheme (stable wage or pension)" },
    { zh: '成员劳动力状况、是否参加养老保险 ↔ 险种类型、参保状态、缴费基数', en: "member's labour and pension ↔ scheme, state, contribution base" }),
  rule('deceased_listed', 'population', 'presence', 'medium', false,
    { zh: '已死亡人员仍在家庭成员中', en: 'A deceased person is still listed as a member' },
    { zh: '成员出生年份、与户主关系 ↔ 变动类型（死亡）、变动日期', en: 'member birth year and relation ↔ change (death), date' }),
  rule('migrated_out', 'population', 'presence', 'low', false,
    { zh: '户口已迁出的人员仍在家庭成员中', en: 'A member whose household registration moved away is still listed' },
    { zh: '成员外出务工月数 ↔ 变动类型（迁出）、变动日期、迁往地区', en: 'member migrant months ↔ change (moved out), date, destination' }),
  rule('uninsured', 'medical_insurance', 'absence', 'medium', false,
    { zh: '登记为已参加医保，医保部门无参保缴费记录', en: 'Registered as insured, but no paid-up medical insurance on record' },
    { zh: '成员“参加医保”=是 ↔ 最近一次医保数据中无参保缴费记录', en: "member 'medically insured' = yes ↔ no paid-up enrolment in the latest import" }),
  rule('pupil_not_enrolled', 'school_rolls', 'absence', 'medium', false,
    { zh: '登记为在校义务教育学生，学籍库中无在读学籍', en: 'Registered as a pupil in compulsory school, but on no school roll' },
    { zh: '成员在校阶段（小学/初中） ↔ 最近一次学籍数据中无在读记录', en: "member's school stage (primary/junior) ↔ no enrolled record in the latest import" }),
  rule('assistance_mismatch', 'civil_affairs', 'presence', 'low', false,
    { zh: '民政享受低保或特困供养，登记户属性为一般贫困户', en: "Receives the allowance or destitute support, but the household's attribute is 'general'" },
    { zh: '户属性 ↔ 救助类别、保障人数、月保障金', en: 'household attribute ↔ category, persons, monthly amount' }),
  rule('housing_mismatch', 'housing_safety', 'presence', 'medium', false,
    { zh: '住建鉴定为C级或D级危房，登记为住房安全（A/B级）', en: 'Rated C or D (unsafe) by housing, but registered as safe (A/B)' },
    { zh: '登记的住房安全等级 ↔ 鉴定等级、鉴定日期、鉴定机构', en: 'registered housing safety ↔ rating, date, assessor' }),
  rule('misid_in', null, 'derived', 'high', false,
    { zh: '疑似错评：登记贫困户看起来不贫困', en: 'Possibly wrongly in: a registered poor household that looks non-poor' },
    { zh: '人均纯收入与贫困线之比、无任何缺失指标、比对疑点（车辆、企业、财政供养、职工养老）、模型概率', en: 'income against the line, no deprivation, cross-check flags (vehicle, company, payroll, pension), model probability' }),
  rule('misid_out', null, 'derived', 'high', false,
    { zh: '疑似漏评：已脱贫户或未登记人员看起来仍贫困', en: 'Possibly wrongly out: an exited household or an unregistered person that looks deprived' },
    { zh: '收入低于贫困线、缺失的两不愁三保障指标、民政救助或危房鉴定（未登记人员）、模型概率', en: 'income below the line, missing 两不愁三保障 items, allowance or unsafe-housing records (unregistered), model probability' }),
]

export const RULES_BY_CODE: Readonly<Record<RuleCode, RuleDef>> = Object.fromEntries(RULES.map((r) => [r.code, r])) as Record<RuleCode, RuleDef>

/** The rules an import of this registry runs. */
export const rulesOf = (registry: RegistryKind): RuleDef[] => RULES.filter((r) => r.registry === registry)

/**
 * The year the mis-identification checks look at by default: every household of the demo was lifted
 * by 2020 (all poverty counties exited), so 2019 is the last year with registered poor to check.
 */
export const MISID_DEFAULT_YEAR = 2019
