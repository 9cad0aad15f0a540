/**
 * Other departments' registries for the demo area (数据比对), with planted mismatches: a car owner, a company
 * director, a deceased member still listed, a pupil on no school roll, a member on the public payroll, an
 * uninsured member… Everything else in them agrees with the registry (or concerns people not in it), so each
 * cross-check rule finds exactly the planted cases. Deterministic: same registry rows and seed, same files.
 * Written as the departments would send them (their own headers; CSV in UTF-8 or GB18030, or XLSX), so that
 * the demo goes through the real import.
 */
import ExcelJS from 'exceljs'
import iconv from 'iconv-lite'
import { createRng, type Rng } from './rng.js'
import { gb11643CheckDigit } from './households/id-numbers.js'
import { REGISTRIES, REGISTRY_KINDS, type RegistryKind } from '../../domain/crosschecks/registries.js'
import type { RuleCode } from '../../domain/crosschecks/rules.js'
import type { HouseholdRow, MemberRow } from './types.js'

export type RegistryHousehold = Pick<HouseholdRow, 'id' | 'village_code' | 'attribute' | 'housing_safety'>
export type RegistryMember = Pick<MemberRow, 'id' | 'household_id' | 'id_number' | 'name' | 'sex' | 'birth_year' | 'relation' | 'in_school' | 'medical_insurance' | 'pension'>

export interface PlantedCase {
  rule: RuleCode
  memberId: number
  householdId: number
}

/** An unregistered person the civil-affairs or housing file names in a village: a 漏评 lead. */
export interface PlantedStranger {
  registry: 'civil_affairs' | 'housing_safety'
  villageCode: string
  idNumber: string
}

export interface ExternalRegistries {
  /** Per registry: the header row (the department's headers) and the data rows, as strings. */
  tables: Record<RegistryKind, string[][]>
  planted: PlantedCase[]
  /** Unregistered people receiving the allowance or living in an unsafe house (both files name them). */
  strangers: PlantedStranger[]
}

/** How each department sends its file. */
export const FILE_FORMATS: Readonly<Record<RegistryKind, 'csv-utf8' | 'csv-gb18030' | 'xlsx'>> = {
  social_security: 'csv-utf8',
  medical_insurance: 'csv-utf8',
  civil_affairs: 'xlsx',
  population: 'csv-gb18030',
  vehicles: 'xlsx',
  companies: 'xlsx',
  payroll: 'csv-gb18030',
  housing_safety: 'csv-utf8',
  school_rolls: 'csv-utf8',
}

const REF_YEAR = 2020
const SURNAMES = ['龙', '石', '麻', '吴', '杨', '田', '彭', '向', '张', '王', '李', '刘']
const GIVEN = ['建国', '秀英', '志强', '桂兰', '海涛', '小红', '德明', '春花', '文军', '玉梅', '光辉', '金凤']
const TOWNS = ['长沙市', '广东省深圳市', '浙江省杭州市', '吉首市']

const pad = (n: number, w = 2) => String(n).padStart(w, '0')
const date = (rng: Rng, from: number, to: number) => `${rng.int(from, to)}-${pad(rng.int(1, 12))}-${pad(rng.int(1, 28))}`

/**
 * Generates the registries for `households` and their `members` (the demo area's registry, in any order: it
 * is sorted by id first). `perRule` planted cases per rule; `strangers` unregistered people per file.
 */
export function generateExternalRegistries(
  households: readonly RegistryHousehold[],
  members: readonly RegistryMember[],
  opts: { seed: number; perRule?: number; strangers?: number },
): ExternalRegistries {
  const rng = createRng(opts.seed).fork('external-registries')
  const perRule = opts.perRule ?? 2
  const hs = [...households].sort((a, b) => a.id - b.id)
  const ms = [...members].sort((a, b) => a.id - b.id)
  const householdOf = new Map(hs.map((h) => [h.id, h]))
  const known = new Set(ms.map((m) => m.id_number))
  const county = hs[0]?.village_code.slice(0, 6) ?? '433124'
  const villages = [...new Set(hs.map((h) => h.village_code))].sort()
  const age = (m: RegistryMember) => REF_YEAR - m.birth_year
  const adult = (m: RegistryMember) => age(m) >= 20 && age(m) < 60

  // People who are not in the registry (a valid ID number no member has).
  let strangerSeq = 0
  const stranger = (minAge = 20, maxAge = 70) => {
    for (;;) {
      const y = REF_YEAR - rng.int(minAge, maxAge)
      const first17 = `${county}${y}${pad(rng.int(1, 12))}${pad(rng.int(1, 28))}${pad(900 + (strangerSeq++ % 99), 3)}`
      const id = first17 + gb11643CheckDigit(first17)
      if (!known.has(id)) {
        known.add(id)
        return { id_number: id, name: rng.pick(SURNAMES) + rng.pick(GIVEN) }
      }
    }
  }

  // ---- the planted cases: distinct members, each meeting its rule's precondition --------------------------
  const planted: PlantedCase[] = []
  const used = new Set<number>()
  const usedHouseholds = new Set<number>()
  const plant = (rule: RuleCode, candidates: RegistryMember[]): RegistryMember[] => {
    const pool = rng.shuffle(candidates.filter((m) => !used.has(m.id) && !usedHouseholds.has(m.household_id)))
    const chosen = pool.slice(0, perRule)
    for (const m of chosen) {
      used.add(m.id)
      usedHouseholds.add(m.household_id)
      planted.push({ rule, memberId: m.id, householdId: m.household_id })
    }
    return chosen
  }
  const heads = ms.filter((m) => m.relation === 'head')
  const carOwners = plant('vehicle_owner', ms.filter(adult))
  const directors = plant('company_officer', ms.filter(adult))
  const payroll = plant('public_payroll', ms.filter(adult))
  const employees = plant('employee_pension', ms.filter(adult))
  const deceased = plant('deceased_listed', ms.filter((m) => age(m) >= 50))
  const movedOut = plant('migrated_out', ms.filter(adult))
  const uninsured = new Set(plant('uninsured', ms.filter((m) => m.medical_insurance)).map((m) => m.id))
  const dropouts = new Set(plant('pupil_not_enrolled', ms.filter((m) => m.in_school === 'primary' || m.in_school === 'junior')).map((m) => m.id))
  const allowance = plant('assistance_mismatch', heads.filter((m) => householdOf.get(m.household_id)?.attribute === 'general'))
  const unsafe = plant('housing_mismatch', heads.filter((m) => ['A', 'B', null].includes(householdOf.get(m.household_id)?.housing_safety ?? 'A')))

  const tables = Object.fromEntries(REGISTRY_KINDS.map((k) => [k, [REGISTRIES[k].columns.map((c) => c.header)]])) as Record<RegistryKind, string[][]>
  const push = (k: RegistryKind, row: Record<string, string>) => tables[k].push(REGISTRIES[k].columns.map((c) => row[c.key] ?? ''))
  const person = (m: { id_number: string; name: string }) => ({ idNumber: m.id_number, name: m.name })

  // ---- vehicles: the planted cars; members' motorcycles and tricycles, scrapped cars; strangers' cars ----------
  let plate = 0
  const nextPlate = () => `湘U${String.fromCharCode(65 + (plate % 26))}${pad(10000 + ((plate++ * 7919) % 90000), 5)}`
  for (const m of carOwners) push('vehicles', { ...person(m), plate: nextPlate(), vehicleType: rng.pick(['小型轿车', '小型普通客车']), registered: date(rng, 2015, 2019), state: '正常' })
  for (const m of ms) {
    if (used.has(m.id) || !adult(m)) continue
    if (rng.chance(0.04)) push('vehicles', { ...person(m), plate: nextPlate(), vehicleType: rng.pick(['普通二轮摩托车', '三轮汽车', '低速货车']), registered: date(rng, 2010, 2019), state: '正常' })
    else if (rng.chance(0.003)) push('vehicles', { ...person(m), plate: nextPlate(), vehicleType: '小型轿车', registered: date(rng, 2005, 2010), state: rng.pick(['注销', '报废']) })
  }
  for (let i = 0; i < Math.max(5, Math.round(ms.length * 0.01)); i++) push('vehicles', { ...person(stranger()), plate: nextPlate(), vehicleType: rng.pick(['小型轿车', '轻型货车', '普通二轮摩托车']), registered: date(rng, 2012, 2020), state: '正常' })

  // ---- companies -----------------------------------------------------------------------------------------------
  let company = 0
  const creditCode = () => `91${county}MA${pad(4 + (company % 5), 1)}${String(100000 + company++ * 37).padStart(8, '0').slice(-8)}`
  const companyName = () => `花垣县${rng.pick(['苗绣', '腊肉', '猕猴桃', '茶叶', '建材', '运输'])}${rng.pick(['有限公司', '农业开发有限公司', '专业合作社'])}`
  for (const m of directors) push('companies', { ...person(m), creditCode: creditCode(), company: companyName(), capital: String(rng.int(10, 500)), founded: date(rng, 2015, 2019), state: rng.pick(['存续', '在业']) })
  for (const m of ms) {
    if (!used.has(m.id) && adult(m) && rng.chance(0.002)) push('companies', { ...person(m), creditCode: creditCode(), company: companyName(), capital: String(rng.int(3, 50)), founded: date(rng, 2008, 2014), state: rng.pick(['注销', '吊销']) })
  }
  for (let i = 0; i < 5; i++) push('companies', { ...person(stranger()), creditCode: creditCode(), company: companyName(), capital: String(rng.int(10, 2000)), founded: date(rng, 2010, 2020), state: '存续' })

  // ---- public payroll --------------------------------------------------------------------------------------------
  const employer = () => rng.pick(['花垣县人民医院', '花垣县第一中学', '双龙镇人民政府', '花垣县农业农村局', '花垣县财政局'])
  for (const m of payroll) push('payroll', { ...person(m), employer: employer(), category: '在职在编', salary: String(rng.int(3800, 6500)) })
  for (let i = 0; i < Math.max(10, Math.round(ms.length * 0.01)); i++) push('payroll', { ...person(stranger(22, 60)), employer: employer(), category: rng.pick(['在职在编', '离退休']), salary: String(rng.int(3000, 8000)) })

  // ---- pensions: residents' scheme for members with a pension, the planted employees' scheme ------------------------
  for (const m of ms) {
    if (m.pension) push('social_security', { ...person(m), scheme: '城乡居民基本养老保险', state: age(m) >= 60 ? '领取待遇' : '正常参保', base: '', since: date(rng, 2010, 2016) })
    else if (!used.has(m.id) && adult(m) && rng.chance(0.003)) push('social_security', { ...person(m), scheme: '企业职工基本养老保险', state: '终止参保', base: String(rng.int(2000, 3000)), since: date(rng, 2005, 2010) })
  }
  for (const m of employees) push('social_security', { ...person(m), scheme: rng.pick(['企业职工基本养老保险', '机关事业单位养老保险']), state: '正常参保', base: String(rng.int(3000, 6000)), since: date(rng, 2015, 2019) })
  for (let i = 0; i < 10; i++) push('social_security', { ...person(stranger()), scheme: '企业职工基本养老保险', state: '正常参保', base: String(rng.int(3000, 6000)), since: date(rng, 2010, 2019) })

  // ---- medical insurance: every member the registry calls insured, but the planted ones (one of them suspended) -----
  let suspended = false
  for (const m of ms) {
    if (!m.medical_insurance) continue
    if (uninsured.has(m.id)) {
      if (!suspended) push('medical_insurance', { ...person(m), scheme: '城乡居民基本医疗保险', state: '暂停参保', year: String(REF_YEAR) })
      suspended = true
      continue
    }
    push('medical_insurance', { ...person(m), scheme: '城乡居民基本医疗保险', state: '参保缴费', year: String(REF_YEAR) })
  }
  for (let i = 0; i < 10; i++) push('medical_insurance', { ...person(stranger(0, 80)), scheme: rng.pick(['城乡居民基本医疗保险', '职工基本医疗保险']), state: '参保缴费', year: String(REF_YEAR) })

  // ---- school rolls: every pupil of the registry, but the planted ones (one of them suspended) ------------------------
  let suspendedPupil = false
  const school = (m: RegistryMember) => (m.in_school === 'junior' ? '花垣县第一中学' : `${rng.pick(['双龙镇', '花垣镇', '龙潭镇'])}中心小学`)
  for (const m of ms) {
    if (!['primary', 'junior', 'senior', 'vocational'].includes(m.in_school ?? '')) continue
    if (dropouts.has(m.id)) {
      if (!suspendedPupil) push('school_rolls', { ...person(m), school: school(m), grade: m.in_school === 'junior' ? '八年级' : '四年级', state: '休学' })
      suspendedPupil = true
      continue
    }
    push('school_rolls', { ...person(m), school: school(m), grade: m.in_school === 'junior' ? '七年级' : m.in_school === 'primary' ? '三年级' : '高一', state: '在读' })
  }
  for (let i = 0; i < 10; i++) push('school_rolls', { ...person(stranger(7, 14)), school: '花垣县第一中学', grade: '七年级', state: rng.chance(0.8) ? '在读' : '转出' })

  // ---- population: births and arrivals of members (no flag), the planted deaths and departures, strangers' deaths ------
  for (const m of deceased) push('population', { ...person(m), change: '死亡', date: date(rng, 2018, 2019), destination: '' })
  for (const m of movedOut) push('population', { ...person(m), change: '户口迁出', date: date(rng, 2017, 2019), destination: rng.pick(TOWNS) })
  for (const m of ms) {
    if (!used.has(m.id) && age(m) < 6 && rng.chance(0.5)) push('population', { ...person(m), change: '出生', date: `${m.birth_year}-${pad(rng.int(1, 12))}-${pad(rng.int(1, 28))}`, destination: '' })
    else if (!used.has(m.id) && m.relation !== 'head' && adult(m) && rng.chance(0.005)) push('population', { ...person(m), change: '户口迁入', date: date(rng, 2014, 2019), destination: '' })
  }
  for (let i = 0; i < 10; i++) push('population', { ...person(stranger(60, 95)), change: '死亡', date: date(rng, 2016, 2020), destination: '' })

  // ---- civil affairs and housing: the registry's allowance households and ratings as recorded, the planted ones, and
  // unregistered people of the area on the allowance in unsafe houses (漏评 leads) ------------------------------------
  const sizes = new Map<number, number>()
  for (const m of ms) sizes.set(m.household_id, (sizes.get(m.household_id) ?? 0) + 1)
  const allowanceHeads = new Set(allowance.map((m) => m.id))
  const unsafeHeads = new Set(unsafe.map((m) => m.id))
  for (const m of heads) {
    const h = householdOf.get(m.household_id)
    if (!h) continue
    const size = sizes.get(h.id) ?? 1
    if (h.attribute !== 'general' || allowanceHeads.has(m.id)) {
      const category = h.attribute === 'wubao' ? '特困供养' : '农村低保'
      push('civil_affairs', { ...person(m), category, persons: String(size), amount: String(category === '特困供养' ? 450 : 280 * size), areaCode: h.village_code, approved: date(rng, 2015, 2019) })
    }
    const rating = unsafeHeads.has(m.id) ? rng.pick(['C', 'D']) : (h.housing_safety ?? 'B')
    push('housing_safety', { ...person(m), areaCode: h.village_code, rating, rated: date(rng, 2017, 2019), assessor: '花垣县住房和城乡建设局' })
  }
  const strangers: PlantedStranger[] = []
  for (let i = 0; i < (opts.strangers ?? 2); i++) {
    const p = stranger(40, 80)
    const villageCode = rng.pick(villages.length ? villages : [`${county}000000`])
    push('civil_affairs', { ...person(p), category: '农村低保', persons: String(rng.int(1, 4)), amount: String(rng.int(280, 900)), areaCode: villageCode, approved: date(rng, 2018, 2019) })
    push('housing_safety', { ...person(p), areaCode: villageCode, rating: 'D', rated: date(rng, 2018, 2019), assessor: '花垣县住房和城乡建设局' })
    strangers.push({ registry: 'civil_affairs', villageCode, idNumber: p.id_number })
  }
  return { tables, planted, strangers }
}

/** CSV text of a table: fields quoted where needed, CRLF line ends. */
function csvText(rows: readonly string[][]): string {
  const cell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)
  return rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n'
}

/** One registry's file as its department sends it: its bytes and file name. */
export async function registryFile(kind: RegistryKind, rows: readonly string[][]): Promise<{ name: string; bytes: Buffer }> {
  const format = FILE_FORMATS[kind]
  if (format === 'xlsx') {
    const wb = new ExcelJS.Workbook()
    const ws = wb.addWorksheet(REGISTRIES[kind].zh)
    for (const r of rows) ws.addRow(r)
    return { name: `${kind}.xlsx`, bytes: Buffer.from(await wb.xlsx.writeBuffer()) }
  }
  const text = csvText(rows)
  return { name: `${kind}.csv`, bytes: format === 'csv-gb18030' ? iconv.encode(text, 'gb18030') : Buffer.from('\uFEFF' + text, 'utf8') }
}
