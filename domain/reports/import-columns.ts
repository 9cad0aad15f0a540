/**
 * The columns an import file may hold, recognised by their Chinese or English header, and how a cell's
 * text becomes a value: Chinese labels or codes for coded fields, 是/否 for yes/no. The template writes
 * the first Chinese header of each column.
 */
import { CAUSE_LABELS, ATTRIBUTE_LABELS } from './labels.js'

export type CellKind = 'text' | 'int' | 'number' | 'bool' | 'enum'

export interface ImportColumn {
  key: string
  /** Headers recognised, Chinese first (the template's), then English; compared without spaces, case or brackets. */
  headers: readonly string[]
  kind: CellKind
  required?: boolean
  /** enum: accepted text → code (codes themselves are accepted too). */
  values?: Readonly<Record<string, string>>
  /** A personal column: its values are masked in reports. */
  personal?: boolean
  example: string
  /** Households with members: a household's column or a member's (the sheet it sits on in a two-sheet workbook). */
  part?: 'household' | 'member'
}

const byLabel = (labels: Readonly<Record<string, { zh: string }>>): Record<string, string> =>
  Object.fromEntries(Object.entries(labels).flatMap(([code, l]) => [[l.zh, code], [code, code]]))
const codes = (map: Record<string, string>): Record<string, string> => ({ ...map, ...Object.fromEntries(Object.values(map).map((c) => [c, c])) })

const RELATIONS = codes({ 户主: 'head', 配偶: 'spouse', 之子: 'son', 儿子: 'son', 之女: 'daughter', 女儿: 'daughter', 之儿媳: 'daughter_in_law', 儿媳: 'daughter_in_law', 之女婿: 'son_in_law', 女婿: 'son_in_law', 之孙子: 'grandson', 孙子: 'grandson', 之孙女: 'granddaughter', 孙女: 'granddaughter', 之父: 'father', 父亲: 'father', 之母: 'mother', 母亲: 'mother', 兄弟: 'brother', 姐妹: 'sister', 其他: 'other' })
const ETHNICITIES = codes({ 汉族: 'han', 土家族: 'tujia', 苗族: 'miao', 侗族: 'dong', 瑶族: 'yao', 白族: 'bai', 回族: 'hui', 壮族: 'zhuang' })
const SCHOOLING = codes({ 学龄前: 'preschool', 文盲或半文盲: 'illiterate', 文盲: 'illiterate', 小学: 'primary', 初中: 'junior', 高中: 'senior', 大专及以上: 'college' })
const HEALTH = codes({ 健康: 'healthy', 长期慢性病: 'chronic', 大病: 'serious', 患有大病: 'serious', 残疾: 'disabled' })
const LABOUR = codes({ 普通劳动力: 'ordinary', 技能劳动力: 'skilled', 丧失劳动力: 'lost', 无劳动力: 'none' })
const SEXES = codes({ 男: 'M', 女: 'F' })
const STANDARDS = codes({ 国家标准: 'national', 省定标准: 'provincial' })

/** Households with members: one row per member, the household's columns repeated; the head's ID number keys the household. */
export const HOUSEHOLD_IMPORT_COLUMNS: readonly ImportColumn[] = [
  { key: 'headIdNumber', headers: ['户主身份证号', 'head_id_number', 'headIdNumber'], kind: 'text', required: true, personal: true, example: '433124198001010012', part: 'household' },
  { key: 'villageCode', headers: ['村代码', '行政村代码', 'village_code', 'villageCode'], kind: 'text', required: true, example: '433124110226', part: 'household' },
  { key: 'lon', headers: ['经度', 'lon', 'longitude'], kind: 'number', required: true, example: '109.51', part: 'household' },
  { key: 'lat', headers: ['纬度', 'lat', 'latitude'], kind: 'number', required: true, example: '28.31', part: 'household' },
  { key: 'year', headers: ['年度', 'year'], kind: 'int', required: true, example: '2020', part: 'household' },
  { key: 'attribute', headers: ['贫困户属性', 'attribute'], kind: 'enum', required: true, values: byLabel(ATTRIBUTE_LABELS), example: '一般贫困户', part: 'household' },
  { key: 'identificationStandard', headers: ['识别标准', 'identification_standard', 'identificationStandard'], kind: 'enum', required: true, values: STANDARDS, example: '国家标准', part: 'household' },
  { key: 'mainCause', headers: ['主要致贫原因', 'main_cause', 'mainCause'], kind: 'enum', required: true, values: byLabel(CAUSE_LABELS), example: '因病', part: 'household' },
  { key: 'size', headers: ['家庭人口数', 'size'], kind: 'int', required: true, example: '1', part: 'household' },
  { key: 'incomePerCapita', headers: ['人均纯收入', 'income_per_capita', 'incomePerCapita'], kind: 'number', required: true, example: '3200', part: 'household' },
  { key: 'phone', headers: ['联系电话', 'phone'], kind: 'text', personal: true, example: '13800001234', part: 'household' },
  { key: 'name', headers: ['姓名', '成员姓名', 'name'], kind: 'text', required: true, personal: true, example: '龙某', part: 'member' },
  { key: 'sex', headers: ['性别', 'sex'], kind: 'enum', required: true, values: SEXES, example: '男', part: 'member' },
  { key: 'idNumber', headers: ['身份证号', '成员身份证号', 'id_number', 'idNumber'], kind: 'text', required: true, personal: true, example: '433124198001010012', part: 'member' },
  { key: 'relation', headers: ['与户主关系', 'relation'], kind: 'enum', required: true, values: RELATIONS, example: '户主', part: 'member' },
  { key: 'ethnicity', headers: ['民族', 'ethnicity'], kind: 'enum', required: true, values: ETHNICITIES, example: '苗族', part: 'member' },
  { key: 'schooling', headers: ['文化程度', 'schooling'], kind: 'enum', required: true, values: SCHOOLING, example: '小学', part: 'member' },
  { key: 'health', headers: ['健康状况', 'health'], kind: 'enum', required: true, values: HEALTH, example: '健康', part: 'member' },
  { key: 'labour', headers: ['劳动能力', 'labour'], kind: 'enum', required: true, values: LABOUR, example: '普通劳动力', part: 'member' },
]

/**
 * A two-sheet workbook (households on one sheet, members on another) joins them by this column on both
 * sheets, or else by the head's ID number when both sheets have it.
 */
export const HOUSEHOLD_KEY_COLUMN: ImportColumn = { key: 'householdKey', headers: ['户编号', '户号', '家庭编号', 'household_key', 'householdKey', 'household_no'], kind: 'text', example: 'H0001' }

/** Sheet names of a two-sheet household workbook, Chinese or English (compared in lower case, spaces dropped). */
export const HOUSEHOLD_SHEET_NAMES = { households: ['户信息', '户基本信息', '家庭信息', '家庭基本信息', '贫困户信息', 'households', 'household'], members: ['家庭成员', '成员信息', '家庭成员信息', '成员', 'members', 'member', 'householdmembers'] } as const

/** A header as compared: no spaces, brackets or their contents (units), lower case. */
export const normaliseHeader = (h: string): string => h.replace(/[（(][^）)]*[）)]/g, '').replace(/[\s_*]/g, '').toLowerCase()

/** Which column each header of a file is (or null), from the headers alone or a mapping the user chose. */
export function mapHeaders(headers: readonly string[], columns: readonly ImportColumn[], mapping: Readonly<Record<string, string>> = {}): (ImportColumn | null)[] {
  const byHeader = new Map(columns.flatMap((c) => c.headers.map((h) => [normaliseHeader(h), c] as const)))
  const byKey = new Map(columns.map((c) => [c.key, c]))
  return headers.map((h) => (mapping[h] !== undefined ? (byKey.get(mapping[h]!) ?? null) : (byHeader.get(normaliseHeader(h)) ?? null)))
}
