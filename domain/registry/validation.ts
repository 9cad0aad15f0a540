/**
 * The one validation of registry changes, used by the API (before any SQL), the client's forms (as the
 * user types) and imports (row by row). Each failure names the field (a path into `changes`, such as
 * `members[1].idNumber`) and says what is wrong in Chinese and English. What needs the database is checked
 * there by the server: ID numbers unique across the registry, the location inside the household's village,
 * the size against the stored members, the version.
 */
import { FIRST_YEAR, LAST_YEAR } from '../codes.js'
import {
  ASSURANCE_GAPS,
  CHANGE_KINDS,
  COOKING_FUELS,
  ETHNICITIES,
  HEALTH_STATES,
  HOUSEHOLD_ATTRIBUTES,
  HOUSING_SAFETY,
  HOUSING_STRUCTURES,
  IDENTIFICATION_STANDARDS,
  IN_SCHOOL_STAGES,
  LABOUR_CAPACITIES,
  MEASURE_FAMILIES,
  MEASURE_STATUSES,
  MEMBER_RELATIONS,
  POVERTY_CAUSES,
  RANGES,
  REMOVAL_REASONS,
  SCHOOLING_LEVELS,
  SEXES,
  TEXT_LIMITS,
  WATER_SOURCES,
  type ChangeKind,
} from './enums.js'
import { HOUSEHOLD_FIELDS, MEMBER_FIELDS, YEAR_FIELDS } from './changes.js'

export interface Message {
  zh: string
  en: string
}
export interface FieldError {
  /** A path into the request: `reason`, `changes.mainCause`, `changes.members[1].idNumber`. */
  field: string
  message: Message
}
export interface ValidationContext {
  /** "Now" for the not-in-the-future rules (tests fix it). */
  today?: Date
}

/** Field names as people read them. */
export const FIELD_LABELS: Readonly<Record<string, Message>> = {
  kind: { zh: '变更类型', en: 'Kind of change' },
  target: { zh: '变更对象', en: 'Target household' },
  baseVersion: { zh: '基于版本', en: 'Base version' },
  reason: { zh: '变更理由', en: 'Reason' },
  attachments: { zh: '附件照片', en: 'Attached photos' },
  changes: { zh: '变更内容', en: 'Changes' },
  villageCode: { zh: '所在行政村', en: 'Village' },
  location: { zh: '户位置', en: 'Location' },
  outsideBoundary: { zh: '村界外说明', en: 'Outside-boundary note' },
  'outsideBoundary.reason': { zh: '村界外原因', en: 'Reason for lying outside the village' },
  year: { zh: '年度', en: 'Year' },
  size: { zh: '家庭人口数', en: 'Household size' },
  attribute: { zh: '贫困户属性', en: 'Household attribute' },
  identificationStandard: { zh: '识别标准', en: 'Identification standard' },
  mainCause: { zh: '主要致贫原因', en: 'Main poverty cause' },
  otherCauses: { zh: '其他致贫原因', en: 'Other poverty causes' },
  phone: { zh: '联系电话', en: 'Phone' },
  housingAreaM2: { zh: '住房面积', en: 'Housing floor area' },
  housingStructure: { zh: '住房结构', en: 'Housing structure' },
  housingSafety: { zh: '住房安全等级', en: 'Housing safety rating' },
  relocated: { zh: '易地扶贫搬迁', en: 'Relocated' },
  waterSource: { zh: '饮水来源', en: 'Drinking-water source' },
  waterDifficulty: { zh: '饮水困难', en: 'Water difficulty' },
  cookingFuel: { zh: '炊事燃料', en: 'Cooking fuel' },
  roadHardened: { zh: '通硬化路', en: 'Hardened road' },
  kmToMarket: { zh: '距集市距离', en: 'Distance to market' },
  landPaddyMu: { zh: '水田面积', en: 'Paddy land' },
  landDryMu: { zh: '旱地面积', en: 'Dry land' },
  landForestMu: { zh: '林地面积', en: 'Forest land' },
  incomePerCapita: { zh: '人均纯收入', en: 'Net income per person' },
  foodClothingOk: { zh: '不愁吃穿', en: 'Food and clothing assured' },
  educationOk: { zh: '义务教育保障', en: 'Compulsory education assured' },
  medicalOk: { zh: '基本医疗保障', en: 'Basic medical care assured' },
  housingOk: { zh: '住房安全保障', en: 'Safe housing assured' },
  waterOk: { zh: '饮水安全', en: 'Safe drinking water' },
  members: { zh: '家庭成员', en: 'Members' },
  member: { zh: '家庭成员', en: 'Member' },
  memberNo: { zh: '成员序号', en: 'Member number' },
  name: { zh: '姓名', en: 'Name' },
  sex: { zh: '性别', en: 'Sex' },
  idNumber: { zh: '身份证号', en: 'ID number' },
  relation: { zh: '与户主关系', en: 'Relation to the head' },
  ethnicity: { zh: '民族', en: 'Ethnicity' },
  birthYear: { zh: '出生年份', en: 'Year of birth' },
  schooling: { zh: '文化程度', en: 'Schooling' },
  inSchool: { zh: '在校生状况', en: 'In school' },
  health: { zh: '健康状况', en: 'Health' },
  labour: { zh: '劳动能力', en: 'Labour capacity' },
  migrantMonths: { zh: '务工时间', en: 'Months of migrant work' },
  dibao: { zh: '低保', en: 'Dibao' },
  wubao: { zh: '五保', en: 'Wubao' },
  medicalInsurance: { zh: '参加新农合', en: 'Rural medical insurance' },
  pension: { zh: '参加养老保险', en: 'Basic pension' },
  removalReason: { zh: '减少原因', en: 'Reason for removal' },
  note: { zh: '说明', en: 'Note' },
  measureId: { zh: '措施编号', en: 'Measure id' },
  family: { zh: '帮扶措施类别', en: 'Measure family' },
  title: { zh: '措施内容', en: 'Measure' },
  cadre: { zh: '帮扶责任人', en: 'Responsible cadre' },
  amountYuan: { zh: '金额', en: 'Amount' },
  startDate: { zh: '开始日期', en: 'Start date' },
  targetDate: { zh: '计划完成日期', en: 'Target date' },
  status: { zh: '状态', en: 'Status' },
  comment: { zh: '意见', en: 'Comment' },
}

const labelOf = (path: string): Message => {
  const last = path.replace(/\[\d+\]/g, '').split('.').pop()!
  return FIELD_LABELS[path.replace(/^changes\./, '').replace(/\[\d+\]/g, '')] ?? FIELD_LABELS[last] ?? { zh: last, en: last }
}

/** Messages of the rules, per field label. */
export const MESSAGES = {
  required: (l: Message): Message => ({ zh: `${l.zh}为必填项`, en: `${l.en} is required` }),
  unknown: (l: Message): Message => ({ zh: `不能修改“${l.zh}”`, en: `${l.en} is not a field of this kind of change` }),
  oneOf: (l: Message): Message => ({ zh: `${l.zh}取值无效`, en: `${l.en} is not one of the allowed values` }),
  boolean: (l: Message): Message => ({ zh: `${l.zh}应为“是”或“否”`, en: `${l.en} must be yes or no` }),
  integer: (l: Message): Message => ({ zh: `${l.zh}应为整数`, en: `${l.en} must be a whole number` }),
  range: (l: Message, min: number, max: number): Message => ({ zh: `${l.zh}应在 ${min} 至 ${max} 之间`, en: `${l.en} must be between ${min} and ${max}` }),
  text: (l: Message, max: number): Message => ({ zh: `${l.zh}应为 1 至 ${max} 个字`, en: `${l.en} must be 1 to ${max} characters` }),
  idFormat: (l: Message): Message => ({ zh: `${l.zh}应为 18 位（前 17 位为数字，末位为数字或 X）`, en: `${l.en} must be 18 characters: 17 digits and a digit or X` }),
  idChecksum: (l: Message): Message => ({ zh: `${l.zh}校验码错误（GB 11643）`, en: `${l.en} has a wrong check digit (GB 11643)` }),
  idBirthDate: (l: Message): Message => ({ zh: `${l.zh}中的出生日期无效`, en: `${l.en} holds an impossible birth date` }),
  future: (l: Message): Message => ({ zh: `${l.zh}不能晚于今天`, en: `${l.en} cannot be in the future` }),
  birthYearMismatch: (l: Message): Message => ({ zh: `${l.zh}与身份证号中的出生日期不一致`, en: `${l.en} differs from the birth date in the ID number` }),
  date: (l: Message): Message => ({ zh: `${l.zh}应为日期（YYYY-MM-DD）`, en: `${l.en} must be a date (YYYY-MM-DD)` }),
  dateOrder: (l: Message): Message => ({ zh: `${l.zh}不能早于开始日期`, en: `${l.en} cannot be before the start date` }),
  phone: (l: Message): Message => ({ zh: `${l.zh}应为 11 位手机号或带区号的固定电话`, en: `${l.en} must be an 11-digit mobile or a landline with its area code` }),
  sizeMismatch: (l: Message): Message => ({ zh: `${l.zh}应等于家庭成员人数`, en: `${l.en} must equal the number of members` }),
  otherCauses: (l: Message): Message => ({ zh: `${l.zh}最多两项，且不能与主要致贫原因相同或重复`, en: `${l.en}: at most two, none repeated or equal to the main cause` }),
  oneHead: (l: Message): Message => ({ zh: `${l.zh}中应恰有一位户主`, en: `${l.en} must have exactly one head of household` }),
  duplicateId: (l: Message): Message => ({ zh: `${l.zh}重复`, en: `${l.en} appears twice` }),
  notEmpty: (l: Message): Message => ({ zh: `${l.zh}至少需要一项修改`, en: `${l.en} must change at least one field` }),
  idTaken: (l: Message): Message => ({ zh: `${l.zh}已在扶贫对象库中登记`, en: `${l.en} is already in the registry` }),
  outsideVillage: (l: Message): Message => ({
    zh: `${l.zh}不在所属村界内：请改正位置，或注明“村界外”及原因`,
    en: `${l.en} lies outside the household's village: correct it, or mark it outside the boundary with a reason`,
  }),
  membersMismatch: (l: Message): Message => ({ zh: `${l.zh}应等于已登记的家庭成员人数`, en: `${l.en} must equal the number of registered members` }),
} as const

export const fieldError = (field: string, rule: (l: Message) => Message): FieldError => ({ field, message: rule(labelOf(field)) })

// ---- GB 11643 ----------------------------------------------------------------------------------------------
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const ID_CHECK = '10X98765432'

/** The check character of the first 17 digits (GB 11643-1999, ISO 7064 MOD 11-2). */
export function idCheckChar(first17: string): string {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i]!
  return ID_CHECK[sum % 11]!
}

/** The birth date an ID number holds, or null when it holds none that exists. */
export function idBirthDate(id: string): { year: number; month: number; day: number } | null {
  const m = /^\d{6}(\d{4})(\d{2})(\d{2})/.exec(id)
  if (!m) return null
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const d = new Date(Date.UTC(year, month - 1, day))
  if (year < 1890 || d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null
  return { year, month, day }
}

export type IdNumberProblem = 'format' | 'checksum' | 'birthDate' | 'future'

/** What is wrong with an 18-character resident ID number, or null. A lower-case x is refused: the standard writes X. */
export function idNumberProblem(id: string, today: Date = new Date()): IdNumberProblem | null {
  if (!/^\d{17}[\dX]$/.test(id)) return 'format'
  const birth = idBirthDate(id)
  if (!birth) return 'birthDate'
  if (Date.UTC(birth.year, birth.month - 1, birth.day) > today.getTime()) return 'future'
  if (idCheckChar(id.slice(0, 17)) !== id[17]) return 'checksum'
  return null
}

// ---- rules -------------------------------------------------------------------------------------------------
type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

class Checker {
  readonly errors: FieldError[] = []
  constructor(readonly today: Date) {}
  add(field: string, rule: (l: Message) => Message): void {
    if (!this.errors.some((e) => e.field === field)) this.errors.push(fieldError(field, rule))
  }
  has(field: string): boolean {
    return this.errors.some((e) => e.field === field)
  }
  required(o: Obj, key: string, path: string): boolean {
    if (o[key] === undefined || o[key] === null || o[key] === '') {
      this.add(path, MESSAGES.required)
      return false
    }
    return true
  }
  oneOf(v: unknown, values: readonly string[], path: string, nullable = false): void {
    if (v === null && nullable) return
    if (typeof v !== 'string' || !values.includes(v)) this.add(path, MESSAGES.oneOf)
  }
  bool(v: unknown, path: string): void {
    if (typeof v !== 'boolean') this.add(path, MESSAGES.boolean)
  }
  number(v: unknown, r: { min: number; max: number }, path: string, opts: { integer?: boolean; nullable?: boolean } = {}): void {
    if (v === null && opts.nullable) return
    if (typeof v !== 'number' || !Number.isFinite(v)) return this.add(path, (l) => MESSAGES.range(l, r.min, r.max))
    if (opts.integer && !Number.isInteger(v)) return this.add(path, MESSAGES.integer)
    if (v < r.min || v > r.max) this.add(path, (l) => MESSAGES.range(l, r.min, r.max))
  }
  text(v: unknown, max: number, path: string, nullable = false): void {
    if (v === null && nullable) return
    if (typeof v !== 'string' || v.trim().length === 0 || [...v].length > max) this.add(path, (l) => MESSAGES.text(l, max))
  }
  year(v: unknown, path: string): void {
    if (typeof v !== 'number' || !Number.isInteger(v)) return this.add(path, MESSAGES.integer)
    if (v > this.today.getUTCFullYear()) return this.add(path, MESSAGES.future)
    if (v < FIRST_YEAR || v > LAST_YEAR) this.add(path, (l) => MESSAGES.range(l, FIRST_YEAR, LAST_YEAR))
  }
  date(v: unknown, path: string, notFuture: boolean): number | null {
    if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v)) {
      this.add(path, MESSAGES.date)
      return null
    }
    const t = Date.parse(`${v}T00:00:00Z`)
    if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== v) {
      this.add(path, MESSAGES.date)
      return null
    }
    if (notFuture && t > this.today.getTime()) this.add(path, MESSAGES.future)
    return t
  }
  idNumber(v: unknown, path: string): void {
    if (typeof v !== 'string') return this.add(path, MESSAGES.idFormat)
    const p = idNumberProblem(v, this.today)
    if (p === 'format') this.add(path, MESSAGES.idFormat)
    else if (p === 'birthDate') this.add(path, MESSAGES.idBirthDate)
    else if (p === 'future') this.add(path, MESSAGES.future)
    else if (p === 'checksum') this.add(path, MESSAGES.idChecksum)
  }
  unknownKeys(o: Obj, allowed: readonly string[], prefix: string): void {
    for (const k of Object.keys(o)) if (!allowed.includes(k)) this.add(`${prefix}${k}`, MESSAGES.unknown)
  }
}

const PHONE = /^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/

/** Household and year fields present in `o` (partial). */
function householdFields(c: Checker, o: Obj, p: string): void {
  const at = (k: string) => `${p}${k}`
  if ('attribute' in o) c.oneOf(o.attribute, HOUSEHOLD_ATTRIBUTES, at('attribute'))
  if ('identificationStandard' in o) c.oneOf(o.identificationStandard, IDENTIFICATION_STANDARDS, at('identificationStandard'))
  if ('mainCause' in o) c.oneOf(o.mainCause, POVERTY_CAUSES, at('mainCause'))
  if ('otherCauses' in o) {
    const v = o.otherCauses
    if (!Array.isArray(v)) c.add(at('otherCauses'), MESSAGES.oneOf)
    else {
      v.forEach((x, i) => c.oneOf(x, POVERTY_CAUSES, `${at('otherCauses')}[${i}]`))
      if (v.length > 2 || new Set(v).size !== v.length || (typeof o.mainCause === 'string' && v.includes(o.mainCause))) c.add(at('otherCauses'), MESSAGES.otherCauses)
    }
  }
  if ('phone' in o && o.phone !== null && (typeof o.phone !== 'string' || !PHONE.test(o.phone))) c.add(at('phone'), MESSAGES.phone)
  if ('housingAreaM2' in o) c.number(o.housingAreaM2, RANGES.housingAreaM2, at('housingAreaM2'), { nullable: true })
  if ('housingStructure' in o) c.oneOf(o.housingStructure, HOUSING_STRUCTURES, at('housingStructure'), true)
  if ('housingSafety' in o) c.oneOf(o.housingSafety, HOUSING_SAFETY, at('housingSafety'), true)
  if ('waterSource' in o) c.oneOf(o.waterSource, WATER_SOURCES, at('waterSource'), true)
  if ('cookingFuel' in o) c.oneOf(o.cookingFuel, COOKING_FUELS, at('cookingFuel'), true)
  for (const k of ['relocated', 'waterDifficulty', 'roadHardened', 'foodClothingOk', 'educationOk', 'medicalOk', 'housingOk', 'waterOk']) if (k in o) c.bool(o[k], at(k))
  if ('kmToMarket' in o) c.number(o.kmToMarket, RANGES.kmToMarket, at('kmToMarket'), { nullable: true })
  for (const k of ['landPaddyMu', 'landDryMu', 'landForestMu']) if (k in o) c.number(o[k], RANGES.landMu, at(k), { nullable: true })
  if ('incomePerCapita' in o) c.number(o.incomePerCapita, RANGES.incomePerCapita, at('incomePerCapita'))
  if ('year' in o) c.year(o.year, at('year'))
  if ('size' in o) c.number(o.size, RANGES.size, at('size'), { integer: true })
  if ('location' in o) {
    const v = o.location
    const ok = Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number' && Number.isFinite(x))
    if (!ok || (v as number[])[0]! < RANGES.lon.min || (v as number[])[0]! > RANGES.lon.max || (v as number[])[1]! < RANGES.lat.min || (v as number[])[1]! > RANGES.lat.max)
      c.add(at('location'), (l) => MESSAGES.range(l, RANGES.lon.min, RANGES.lat.max))
  }
  if ('outsideBoundary' in o && o.outsideBoundary !== null) {
    if (!isObj(o.outsideBoundary)) c.add(at('outsideBoundary'), MESSAGES.required)
    else {
      c.unknownKeys(o.outsideBoundary, ['reason'], at('outsideBoundary.'))
      c.text(o.outsideBoundary.reason, TEXT_LIMITS.reason, at('outsideBoundary.reason'))
    }
  }
}

const HOUSEHOLD_KEYS = [...Object.keys(HOUSEHOLD_FIELDS), ...Object.keys(YEAR_FIELDS)]
const MEMBER_KEYS = Object.keys(MEMBER_FIELDS)

/** A member: every field when `whole`, else those present. */
function memberFields(c: Checker, o: Obj, p: string, whole: boolean): void {
  const at = (k: string) => `${p}${k}`
  c.unknownKeys(o, MEMBER_KEYS, p)
  if (whole) for (const k of ['name', 'sex', 'idNumber', 'relation', 'ethnicity', 'schooling', 'health', 'labour']) c.required(o, k, at(k))
  if (o.name !== undefined) c.text(o.name, TEXT_LIMITS.name, at('name'))
  if (o.sex !== undefined) c.oneOf(o.sex, SEXES, at('sex'))
  if (o.idNumber !== undefined) c.idNumber(o.idNumber, at('idNumber'))
  if (o.relation !== undefined) c.oneOf(o.relation, MEMBER_RELATIONS, at('relation'))
  if (o.ethnicity !== undefined) c.oneOf(o.ethnicity, ETHNICITIES, at('ethnicity'))
  if (o.schooling !== undefined) c.oneOf(o.schooling, SCHOOLING_LEVELS, at('schooling'))
  if (o.inSchool !== undefined) c.oneOf(o.inSchool, IN_SCHOOL_STAGES, at('inSchool'), true)
  if (o.health !== undefined) c.oneOf(o.health, HEALTH_STATES, at('health'))
  if (o.labour !== undefined) c.oneOf(o.labour, LABOUR_CAPACITIES, at('labour'))
  if (o.migrantMonths !== undefined) c.number(o.migrantMonths, RANGES.migrantMonths, at('migrantMonths'), { integer: true })
  for (const k of ['dibao', 'wubao', 'medicalInsurance', 'pension']) if (o[k] !== undefined) c.bool(o[k], at(k))
  if (o.birthYear !== undefined) {
    const y = o.birthYear
    if (typeof y !== 'number' || !Number.isInteger(y)) c.add(at('birthYear'), MESSAGES.integer)
    else if (y > c.today.getUTCFullYear()) c.add(at('birthYear'), MESSAGES.future)
    else if (y < 1890) c.add(at('birthYear'), (l) => MESSAGES.range(l, 1890, c.today.getUTCFullYear()))
    else if (typeof o.idNumber === 'string' && !c.has(at('idNumber')) && idBirthDate(o.idNumber)?.year !== y) c.add(at('birthYear'), MESSAGES.birthYearMismatch)
  }
  // The sex digit (17th) of an ID number is odd for men, even for women.
  if (typeof o.idNumber === 'string' && !c.has(at('idNumber')) && (o.sex === 'M' || o.sex === 'F') && (Number(o.idNumber[16]) % 2 === 1) !== (o.sex === 'M'))
    c.add(at('sex'), (l) => ({ zh: `${l.zh}与身份证号不一致`, en: `${l.en} differs from the ID number's sex digit` }))
}

const notes = (c: Checker, o: Obj, p: string) => {
  if (o.note !== undefined) c.text(o.note, TEXT_LIMITS.note, `${p}note`)
}
const memberNo = (c: Checker, o: Obj, p: string) => {
  if (c.required(o, 'memberNo', `${p}memberNo`)) c.number(o.memberNo, { min: 1, max: RANGES.size.max }, `${p}memberNo`, { integer: true })
}

/**
 * The failures of a request's `changes` for its kind; [] when it may go to the database. `prefix` is put
 * before every field path (the API uses `changes.`; a form its own).
 */
export function validateChanges(kind: ChangeKind, changes: unknown, ctx: ValidationContext = {}, prefix = 'changes.'): FieldError[] {
  const c = new Checker(ctx.today ?? new Date())
  const p = prefix
  if (!isObj(changes)) {
    c.add(p.replace(/\.$/, '') || 'changes', MESSAGES.required)
    return c.errors
  }
  const o = changes
  switch (kind) {
    case 'household.create': {
      c.unknownKeys(o, ['villageCode', 'location', 'outsideBoundary', 'year', 'size', 'members', ...HOUSEHOLD_KEYS], p)
      for (const k of ['villageCode', 'location', 'year', 'attribute', 'identificationStandard', 'mainCause', 'incomePerCapita', 'members']) c.required(o, k, `${p}${k}`)
      if (o.villageCode !== undefined && (typeof o.villageCode !== 'string' || !/^\d{12}$/.test(o.villageCode))) c.add(`${p}villageCode`, MESSAGES.oneOf)
      householdFields(c, o, p)
      if (o.members !== undefined) {
        if (!Array.isArray(o.members) || o.members.length < 1 || o.members.length > RANGES.size.max) c.add(`${p}members`, (l) => MESSAGES.range(l, 1, RANGES.size.max))
        else {
          o.members.forEach((m, i) => (isObj(m) ? memberFields(c, m, `${p}members[${i}].`, true) : c.add(`${p}members[${i}]`, MESSAGES.required)))
          if (o.members.filter((m) => isObj(m) && m.relation === 'head').length !== 1) c.add(`${p}members`, MESSAGES.oneHead)
          const ids = o.members.map((m) => (isObj(m) ? m.idNumber : undefined))
          ids.forEach((id, i) => {
            if (typeof id === 'string' && ids.indexOf(id) !== i) c.add(`${p}members[${i}].idNumber`, MESSAGES.duplicateId)
          })
          if (o.size !== undefined && o.size !== o.members.length && !c.has(`${p}size`)) c.add(`${p}size`, MESSAGES.sizeMismatch)
        }
      }
      break
    }
    case 'household.update': {
      c.unknownKeys(o, ['year', 'location', 'outsideBoundary', 'size', ...HOUSEHOLD_KEYS], p)
      householdFields(c, o, p)
      if (Object.keys(o).filter((k) => k !== 'year').length === 0) c.add(p.replace(/\.$/, '') || 'changes', MESSAGES.notEmpty)
      break
    }
    case 'household.exit':
      c.unknownKeys(o, ['year', 'incomePerCapita', 'note'], p)
      householdFields(c, o, p)
      notes(c, o, p)
      break
    case 'household.return':
      c.unknownKeys(o, ['year', 'mainCause', 'incomePerCapita', 'note'], p)
      householdFields(c, o, p)
      notes(c, o, p)
      break
    case 'household.remove':
      c.unknownKeys(o, ['removalReason', 'note'], p)
      if (c.required(o, 'removalReason', `${p}removalReason`)) c.oneOf(o.removalReason, REMOVAL_REASONS, `${p}removalReason`)
      notes(c, o, p)
      break
    case 'member.add':
      c.unknownKeys(o, ['member'], p)
      if (!isObj(o.member)) c.add(`${p}member`, MESSAGES.required)
      else memberFields(c, o.member, `${p}member.`, true)
      break
    case 'member.update':
      memberNo(c, o, p)
      memberFields(c, Object.fromEntries(Object.entries(o).filter(([k]) => k !== 'memberNo')), p, false)
      if (Object.keys(o).length < 2) c.add(p.replace(/\.$/, '') || 'changes', MESSAGES.notEmpty)
      break
    case 'member.remove':
      c.unknownKeys(o, ['memberNo', 'removalReason', 'note'], p)
      memberNo(c, o, p)
      if (o.removalReason !== undefined) c.oneOf(o.removalReason, REMOVAL_REASONS, `${p}removalReason`)
      notes(c, o, p)
      break
    case 'measure.upsert': {
      c.unknownKeys(o, ['measureId', 'family', 'title', 'cadre', 'amountYuan', 'startDate', 'targetDate', 'status', 'note'], p)
      for (const k of ['family', 'cadre', 'amountYuan', 'startDate', 'targetDate', 'status']) c.required(o, k, `${p}${k}`)
      if (o.measureId !== undefined) c.number(o.measureId, { min: 1, max: 2 ** 31 - 1 }, `${p}measureId`, { integer: true })
      if (o.family !== undefined) c.oneOf(o.family, MEASURE_FAMILIES, `${p}family`)
      if (o.title !== undefined) c.text(o.title, TEXT_LIMITS.title, `${p}title`)
      if (o.cadre !== undefined) c.text(o.cadre, TEXT_LIMITS.cadre, `${p}cadre`)
      if (o.amountYuan !== undefined) c.number(o.amountYuan, RANGES.amountYuan, `${p}amountYuan`)
      if (o.status !== undefined) c.oneOf(o.status, MEASURE_STATUSES, `${p}status`)
      // A measure under way or done has started: its start is not in the future. A target date may be.
      const started = o.status === 'under_way' || o.status === 'done'
      const start = o.startDate !== undefined ? c.date(o.startDate, `${p}startDate`, started) : null
      const target = o.targetDate !== undefined ? c.date(o.targetDate, `${p}targetDate`, false) : null
      if (start !== null && target !== null && target < start) c.add(`${p}targetDate`, MESSAGES.dateOrder)
      notes(c, o, p)
      break
    }
  }
  return c.errors
}

/** The request around the changes: kind, target, base version, reason, attachments. */
export interface ChangeRequestInput {
  kind: unknown
  target?: unknown
  baseVersion?: unknown
  changes: unknown
  reason: unknown
  attachments?: unknown
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** Every failure of a whole request (the body of POST /api/change-requests). */
export function validateChangeRequest(r: ChangeRequestInput, ctx: ValidationContext = {}): FieldError[] {
  const c = new Checker(ctx.today ?? new Date())
  c.oneOf(r.kind, CHANGE_KINDS, 'kind')
  c.text(r.reason, TEXT_LIMITS.reason, 'reason')
  if (r.kind !== 'household.create' && CHANGE_KINDS.includes(r.kind as ChangeKind)) {
    if (typeof r.target !== 'string' || !UUID.test(r.target)) c.add('target', MESSAGES.required)
    if (r.baseVersion === undefined || r.baseVersion === null) c.add('baseVersion', MESSAGES.required)
  } else if (r.target !== undefined && r.target !== null) c.add('target', MESSAGES.unknown)
  if (r.baseVersion !== undefined && r.baseVersion !== null) c.number(r.baseVersion, { min: 1, max: 2 ** 31 - 1 }, 'baseVersion', { integer: true })
  if (r.attachments !== undefined && (!Array.isArray(r.attachments) || r.attachments.length > 10 || !r.attachments.every((a) => typeof a === 'string' && UUID.test(a))))
    c.add('attachments', MESSAGES.oneOf)
  const errors = c.errors
  if (CHANGE_KINDS.includes(r.kind as ChangeKind)) errors.push(...validateChanges(r.kind as ChangeKind, r.changes, ctx))
  return errors
}

/** The assurance fields by gap name (两不愁三保障 + water), as household_year holds them. */
export const GAP_FIELDS: Readonly<Record<(typeof ASSURANCE_GAPS)[number], keyof typeof YEAR_FIELDS>> = {
  food_clothing: 'foodClothingOk',
  education: 'educationOk',
  medical: 'medicalOk',
  housing: 'housingOk',
  water: 'waterOk',
}
