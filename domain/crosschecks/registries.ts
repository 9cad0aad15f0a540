/**
 * The other departments' registries (数据比对) and the column layout of each one's export, declared once:
 * the import reads files by these Chinese headers, the demo generator writes them, the client shows them.
 * Every registry is matched to the poverty registry by the citizen ID number (column key `idNumber`);
 * `name` is the person's name. Both are personal data: kept only in columns the request role cannot read.
 */

export const REGISTRY_KINDS = [
  'social_security', // 人社：养老保险
  'medical_insurance', // 医保：基本医疗保险参保
  'civil_affairs', // 民政：低保、特困供养
  'population', // 公安：户籍人口变动（死亡、迁出）
  'vehicles', // 公安交管：机动车登记
  'companies', // 市场监管：企业登记
  'payroll', // 财政：财政供养人员
  'housing_safety', // 住建：农村危房鉴定
  'school_rolls', // 教育：学籍
] as const
export type RegistryKind = (typeof REGISTRY_KINDS)[number]

export type ColumnType = 'idNumber' | 'name' | 'text' | 'date' | 'number' | 'enum' | 'areaCode'

export interface RegistryColumn {
  /** Key of the value in a record (`idNumber` and `name` are the personal columns). */
  key: string
  /** The header as the department's export writes it. */
  header: string
  type: ColumnType
  required: boolean
  values?: readonly string[]
}

export interface RegistryDef {
  kind: RegistryKind
  zh: string
  en: string
  /** The department that keeps it. */
  department: { zh: string; en: string }
  columns: readonly RegistryColumn[]
  /** Columns whose values together identify one row: a second row with the same values is a duplicate. */
  unique: readonly string[]
}

const id = (header: string): RegistryColumn => ({ key: 'idNumber', header, type: 'idNumber', required: true })
const name = (header: string): RegistryColumn => ({ key: 'name', header, type: 'name', required: true })
const col = (key: string, header: string, type: ColumnType, required = true, values?: readonly string[]): RegistryColumn => ({ key, header, type, required, ...(values ? { values } : {}) })

/** Cars and lorries (not tricycles, low-speed farm trucks or motorcycles): what a poor household would not own. */
export const CAR_TYPES = ['小型轿车', '小型普通客车', '中型普通客车', '重型货车', '轻型货车'] as const
export const VEHICLE_TYPES = [...CAR_TYPES, '三轮汽车', '低速货车', '普通二轮摩托车'] as const
export const ACTIVE_COMPANY_STATES = ['存续', '在业'] as const
/** Insurance schemes of employees (a stable wage or an employee's pension), not the rural residents' scheme. */
export const EMPLOYEE_PENSION_SCHEMES = ['企业职工基本养老保险', '机关事业单位养老保险'] as const

export const REGISTRIES: Readonly<Record<RegistryKind, RegistryDef>> = {
  social_security: {
    kind: 'social_security', zh: '养老保险参保', en: 'Pension insurance', department: { zh: '人力资源和社会保障局', en: 'Human Resources and Social Security' },
    columns: [
      name('姓名'), id('社会保障号码'),
      col('scheme', '险种类型', 'enum', true, ['城乡居民基本养老保险', ...EMPLOYEE_PENSION_SCHEMES]),
      col('state', '参保状态', 'enum', true, ['正常参保', '暂停缴费', '领取待遇', '终止参保']),
      col('base', '缴费基数（元/月）', 'number', false),
      col('since', '参保日期', 'date'),
    ],
    unique: ['idNumber', 'scheme'],
  },
  medical_insurance: {
    kind: 'medical_insurance', zh: '基本医疗保险参保', en: 'Medical insurance', department: { zh: '医疗保障局', en: 'Healthcare Security' },
    columns: [
      name('姓名'), id('身份证号码'),
      col('scheme', '参保险种', 'enum', true, ['城乡居民基本医疗保险', '职工基本医疗保险']),
      col('state', '参保状态', 'enum', true, ['参保缴费', '暂停参保', '终止参保']),
      col('year', '参保年度', 'number'),
    ],
    unique: ['idNumber'],
  },
  civil_affairs: {
    kind: 'civil_affairs', zh: '低保和特困供养', en: 'Minimum living allowance and destitute support', department: { zh: '民政局', en: 'Civil Affairs' },
    columns: [
      name('姓名'), id('身份证号码'),
      col('category', '救助类别', 'enum', true, ['农村低保', '特困供养']),
      col('persons', '保障人数', 'number'),
      col('amount', '月保障金（元）', 'number'),
      col('areaCode', '行政区划代码', 'areaCode'),
      col('approved', '审批日期', 'date'),
    ],
    unique: ['idNumber'],
  },
  population: {
    kind: 'population', zh: '户籍人口变动', en: 'Population register changes', department: { zh: '公安局', en: 'Public Security' },
    columns: [
      name('姓名'), id('公民身份号码'),
      col('change', '变动类型', 'enum', true, ['死亡', '户口迁出', '户口迁入', '出生']),
      col('date', '变动日期', 'date'),
      col('destination', '迁往地区', 'text', false),
    ],
    unique: ['idNumber', 'change'],
  },
  vehicles: {
    kind: 'vehicles', zh: '机动车登记', en: 'Vehicle registrations', department: { zh: '公安交警支队', en: 'Traffic Police' },
    columns: [
      col('plate', '号牌号码', 'text'),
      col('vehicleType', '车辆类型', 'enum', true, VEHICLE_TYPES),
      name('所有人'), id('身份证明号码'),
      col('registered', '初次登记日期', 'date'),
      col('state', '机动车状态', 'enum', true, ['正常', '注销', '报废']),
    ],
    unique: ['plate'],
  },
  companies: {
    kind: 'companies', zh: '企业登记', en: 'Company registrations', department: { zh: '市场监督管理局', en: 'Market Regulation' },
    columns: [
      col('creditCode', '统一社会信用代码', 'text'),
      col('company', '企业名称', 'text'),
      name('法定代表人'), id('法定代表人证件号码'),
      col('capital', '注册资本（万元）', 'number'),
      col('founded', '成立日期', 'date'),
      col('state', '登记状态', 'enum', true, ['存续', '在业', '注销', '吊销']),
    ],
    unique: ['creditCode'],
  },
  payroll: {
    kind: 'payroll', zh: '财政供养人员', en: 'Public payroll', department: { zh: '财政局', en: 'Finance' },
    columns: [
      name('姓名'), id('身份证号'),
      col('employer', '工作单位', 'text'),
      col('category', '人员类别', 'enum', true, ['在职在编', '离退休', '编外聘用']),
      col('salary', '月应发工资（元）', 'number'),
    ],
    unique: ['idNumber'],
  },
  housing_safety: {
    kind: 'housing_safety', zh: '农村住房安全鉴定', en: 'Rural housing safety ratings', department: { zh: '住房和城乡建设局', en: 'Housing and Urban-Rural Development' },
    columns: [
      name('户主姓名'), id('户主身份证号'),
      col('areaCode', '行政区划代码', 'areaCode'),
      col('rating', '鉴定等级', 'enum', true, ['A', 'B', 'C', 'D']),
      col('rated', '鉴定日期', 'date'),
      col('assessor', '鉴定机构', 'text', false),
    ],
    unique: ['idNumber'],
  },
  school_rolls: {
    kind: 'school_rolls', zh: '中小学学籍', en: 'School rolls', department: { zh: '教育局', en: 'Education' },
    columns: [
      name('学生姓名'), id('身份证件号'),
      col('school', '学校名称', 'text'),
      col('grade', '年级', 'text'),
      col('state', '学籍状态', 'enum', true, ['在读', '休学', '转出', '毕业']),
    ],
    unique: ['idNumber'],
  },
}

/** The most rows one import file may hold (a county's extract; bigger areas import county by county). */
export const MAX_IMPORT_ROWS = 200_000
/** The largest import file accepted, in bytes. */
export const MAX_IMPORT_BYTES = 32 * 1024 * 1024
