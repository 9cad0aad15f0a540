/**
 * The 建档立卡 registry: poverty villages, poor households, their members and their status per year.
 *
 * - `selectPovertyVillages` designates ≈6,900 poverty villages (scaled to the number of rural villages
 *   given), about three quarters inside the designated poverty counties, chosen with weights that grow
 *   with slope, distance to paved road, county seat, school and clinic.
 * - `planHouseholds` models every village's full registry (≈6 million poor people in 2014, ≈1.7 million
 *   households province-wide in 2014; 十八洞村 136 households) and how many of them become rows: all
 *   of them at 'province' scale, a sample of ≈50,000 at 'demo' scale (十八洞村 whole, 花垣县 and
 *   湘西 well covered, a few in the non-poverty villages of poverty counties).
 * - `householdBatches` yields one batch per village (households, household_year, members), so the
 *   province registry can be streamed; `generateHouseholds` collects them for the demo.
 *
 * Consistency that tests check: each poverty cause has its evidence in the household (因病 → a member
 * with a chronic or serious illness, 因残 → a disabled member, 因学 → a member in school, 缺劳力 → at
 * most one able labourer and an old or incapacitated member, 缺水 → water difficulty, 交通条件落后 → no
 * paved road to the home, 因灾 → a village at risk, 缺土地 → under 0.8 mu of farmland per person);
 * status sequences are legal (poor from registration, lifted later, returned only after lifted);
 * income is below the year's line exactly when poor or returned; 两不愁三保障 all hold once lifted.
 */
import { FIRST_YEAR, LAST_YEAR, POVERTY_LINE, type PovertyCause } from '../../domain/codes.js'
import { AdminLookup } from './admin-lookup.js'
import { smoothstep, YEARS, yearIndex, type Environment, type VillageEnv, type VillageRegistryStats } from './indicators.js'
import { HouseholdIds } from './household-ids.js'
import type { Rng } from './rng.js'
import { distanceKm, insideArea, pointGeom, randomPointIn, randomPointNear, type LonLat } from './spatial-index.js'
import type { AdminAreaRow, HouseholdRow, HouseholdYearRow, MemberRow, Scale } from './types.js'

// --- codes used in member rows (the client translates them) ------------------------------------
export const MEMBER_RELATIONS = ['head', 'spouse', 'son', 'daughter', 'daughter_in_law', 'son_in_law', 'grandson', 'granddaughter', 'father', 'mother', 'brother', 'sister', 'other'] as const
export const ETHNICITIES = ['han', 'tujia', 'miao', 'dong', 'yao', 'bai', 'hui', 'zhuang'] as const
export const SCHOOLING_LEVELS = ['preschool', 'illiterate', 'primary', 'junior', 'senior', 'college'] as const
export const IN_SCHOOL_STAGES = ['preschool', 'primary', 'junior', 'senior', 'vocational', 'college'] as const
export const COOKING_FUELS = ['firewood', 'coal', 'lpg', 'piped_gas', 'electricity', 'biogas'] as const

type Ethnicity = (typeof ETHNICITIES)[number]
type Relation = (typeof MEMBER_RELATIONS)[number]
type Schooling = (typeof SCHOOLING_LEVELS)[number]
type Stage = (typeof IN_SCHOOL_STAGES)[number]

/** Province-wide reference figures the scaled targets are derived from. */
export const HUNAN_RURAL_VILLAGES = 23_700
export const HUNAN_POVERTY_VILLAGES = 6_900
export const HUNAN_POOR_PEOPLE_2014 = 6_000_000
/** Demo households outside 湘西 (which the demo holds whole). */
export const DEMO_HOUSEHOLDS = 30_000
export const SHIBADONG = '433124110226'
export const HUAYUAN = '433124'
export const XIANGXI = '4331'

// =================================================================================================
// Poverty villages
// =================================================================================================

export interface PovertyVillageOptions {
  /** Number of poverty villages (default ≈6,900 × rural villages / 23,700). */
  target?: number
  /** Share of them inside designated poverty counties (default 0.75). */
  shareInPovertyCounties?: number
}

export interface PovertySelection {
  /** A copy of the areas with poverty_designated set on the chosen villages (counties untouched). */
  areas: AdminAreaRow[]
  povertyVillages: Set<string>
}

/** 0–1: how hard a village's environment is (the weight of its designation and its poverty). */
export function hardship(v: VillageEnv): number {
  return (
    0.35 * smoothstep(v.steepness, 0.3, 0.98) +
    0.2 * smoothstep(v.distRoadKm[0]!, 0.3, 3) +
    0.15 * smoothstep(v.distCountyKm, 15, 70) +
    0.1 * smoothstep(v.distSchoolKm, 1, 6) +
    0.1 * smoothstep(v.distClinicKm, 0.5, 5) +
    0.1 * (v.roadHardenedYear > FIRST_YEAR ? 1 : 0)
  )
}

function povertyCounties(areas: readonly AdminAreaRow[]): Set<string> {
  return new Set(areas.filter((a) => a.level === 'county' && a.poverty_designated).map((a) => a.code))
}

export function selectPovertyVillages(areas: readonly AdminAreaRow[], env: Environment, rng: Rng, opts: PovertyVillageOptions = {}): PovertySelection {
  const pc = povertyCounties(areas)
  const rural = [...env.villages.values()].filter((v) => v.rural).sort((a, b) => (a.code < b.code ? -1 : 1))
  const target = Math.min(rural.length, opts.target ?? Math.round((HUNAN_POVERTY_VILLAGES * rural.length) / HUNAN_RURAL_VILLAGES))
  const inside = rural.filter((v) => v.countyCode && pc.has(v.countyCode))
  const outside = rural.filter((v) => !(v.countyCode && pc.has(v.countyCode)))
  const share = opts.shareInPovertyCounties ?? 0.75
  let nIn = Math.min(inside.length, Math.round(target * share))
  const nOut = Math.min(outside.length, target - nIn)
  nIn = Math.min(inside.length, target - nOut)
  const chosen = new Set<string>()
  if (env.villages.get(SHIBADONG)?.rural) chosen.add(SHIBADONG)
  // Weighted sampling without replacement (Efraimidis–Spirakis keys).
  const pick = (pool: VillageEnv[], n: number) => {
    const keyed = pool.map((v) => ({ v, key: Math.log(1 - rng.next()) / Math.exp(4.5 * hardship(v)) })).sort((a, b) => b.key - a.key)
    let taken = pool.filter((v) => chosen.has(v.code)).length
    for (const { v } of keyed) {
      if (taken >= n) break
      if (chosen.has(v.code)) continue
      chosen.add(v.code)
      taken++
    }
  }
  pick(inside, nIn)
  pick(outside, nOut)
  const copy = areas.map((a) => (a.level === 'village' ? { ...a, poverty_designated: chosen.has(a.code) } : a))
  return { areas: copy, povertyVillages: chosen }
}

// =================================================================================================
// Plan: the modelled registry per village and the rows generated from it
// =================================================================================================

export interface VillagePlan {
  code: string
  countyCode: string
  poverty: boolean
  /** Households in the modelled full registry (all registration years). */
  registryHouseholds: number
  /** Households generated as rows: all of the registry at 'province' scale, a sample in the demo. */
  rows: number
}

export interface HouseholdPlanOptions {
  scale: Scale
  /** Demo rows outside 湘西 (default ≈30,000 × villages / 29,534); 湘西 is always whole. */
  demoHouseholds?: number
  /** Registered poor people in 2014 in all (default ≈6,000,000 × rural villages / 23,700). */
  poorPeople2014?: number
}

const MEAN_HOUSEHOLD_SIZE = 3.75

export function planHouseholds(
  env: Environment,
  povertyVillages: ReadonlySet<string>,
  povertyCountyCodes: ReadonlySet<string>,
  rng: Rng,
  opts: HouseholdPlanOptions,
): VillagePlan[] {
  const villages = [...env.villages.values()].sort((a, b) => (a.code < b.code ? -1 : 1))
  const ruralCount = villages.filter((v) => v.rural).length
  const targetPeople = opts.poorPeople2014 ?? (HUNAN_POOR_PEOPLE_2014 * ruralCount) / HUNAN_RURAL_VILLAGES
  const raw = villages.map((v) => {
    const h = hardship(v)
    const inPc = !!v.countyCode && povertyCountyCodes.has(v.countyCode)
    if (!v.rural) return 0.004
    if (povertyVillages.has(v.code)) return 0.16 + 0.3 * h
    return inPc ? 0.06 + 0.12 * h : 0.02 + 0.07 * h
  })
  // Scale the incidences so the province totals ≈ the target (within a plausible factor).
  let k = 1
  for (let iter = 0; iter < 20; iter++) {
    const total = villages.reduce((s, v, i) => s + Math.min(0.65, k * raw[i]!) * v.ruralPopulation, 0)
    if (total <= 0) break
    k = Math.min(2, Math.max(0.5, k * (targetPeople / total)))
  }
  const noise = rng.fork('incidence')
  const plans: VillagePlan[] = villages.map((v, i) => {
    const inc = Math.min(0.65, k * raw[i]! * Math.exp(noise.normal(0, 0.15)))
    // ≈ 8 % of the registry was added in 2015–2016.
    let registry = Math.round(((inc * v.ruralPopulation) / MEAN_HOUSEHOLD_SIZE) * 1.08)
    if (v.code === SHIBADONG) registry = 136
    return { code: v.code, countyCode: v.countyCode ?? v.code.slice(0, 6), poverty: povertyVillages.has(v.code), registryHouseholds: registry, rows: registry }
  })
  if (opts.scale === 'demo') sampleForDemo(plans, povertyCountyCodes, rng.fork('demo'), opts.demoHouseholds ?? Math.round((DEMO_HOUSEHOLDS * villages.length) / 29_534))
  return plans
}

function stochasticRound(x: number, rng: Rng): number {
  const f = Math.floor(x)
  return f + (rng.chance(x - f) ? 1 : 0)
}

/**
 * Demo rows: the whole registry of 湘西 (all 8 counties, 十八洞村 included), and a sample of
 * `budget` households elsewhere — poverty villages first, a few in other villages of poverty counties.
 */
function sampleForDemo(plans: VillagePlan[], pc: ReadonlySet<string>, rng: Rng, budget: number): void {
  const whole = (p: VillagePlan) => p.code.startsWith(XIANGXI) || p.code === SHIBADONG
  const poor = plans.filter((p) => p.poverty && !whole(p))
  const others = plans.filter((p) => !p.poverty && pc.has(p.countyCode) && !whole(p))
  const poorBudget = others.length > 0 ? budget * 0.8 : budget
  const minRows = (p: VillagePlan) => Math.min(3, p.registryHouseholds)
  const expected = (f: number) => poor.reduce((s, p) => s + Math.min(p.registryHouseholds, Math.max(minRows(p), f * p.registryHouseholds)), 0)
  let lo = 0
  let hi = 1
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2
    if (expected(mid) > poorBudget) hi = mid
    else lo = mid
  }
  for (const p of plans) p.rows = whole(p) ? p.registryHouseholds : 0
  for (const p of poor) p.rows = Math.min(p.registryHouseholds, Math.max(minRows(p), stochasticRound(lo * p.registryHouseholds, rng)))
  const otherTotal = others.reduce((s, p) => s + p.registryHouseholds, 0)
  const g = otherTotal > 0 ? Math.min(1, (budget - poorBudget) / otherTotal) : 0
  for (const p of others) p.rows = Math.min(p.registryHouseholds, stochasticRound(g * p.registryHouseholds, rng))
}

// =================================================================================================
// ID numbers (GB 11643)
// =================================================================================================

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const ID_CHECK = '10X98765432'

/** The 18th character of a citizen ID number from its first 17 digits (GB 11643-1999). */
export function gb11643CheckDigit(first17: string): string {
  if (!/^[0-9]{17}$/.test(first17)) throw new Error(`gb11643CheckDigit: expected 17 digits, got ${JSON.stringify(first17)}`)
  let sum = 0
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * ID_WEIGHTS[i]!
  return ID_CHECK[sum % 11]!
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28
  return [4, 6, 9, 11].includes(month) ? 30 : 31
}

/** Well-formed, a real calendar date and a correct check digit. */
export function isValidIdNumber(id: string): boolean {
  if (!/^[0-9]{17}[0-9X]$/.test(id)) return false
  const y = Number(id.slice(6, 10))
  const m = Number(id.slice(10, 12))
  const d = Number(id.slice(12, 14))
  if (y < 1880 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return false
  return gb11643CheckDigit(id.slice(0, 17)) === id[17]
}

/** Days since 1900-01-01 (proleptic Gregorian), without Date. */
function dayNumber(y: number, m: number, d: number): number {
  const a = m <= 2 ? y - 1 : y
  const era = Math.floor(a / 400)
  const yoe = a - era * 400
  const mp = (m + 9) % 12
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 693_901
}

const ID_DAYS = 50_000

/** Hands out ID numbers unique per (county, birth date, sex): sequence odd for men, even for women. */
export class IdNumberAllocator {
  private readonly counters = new Map<string, Uint16Array>()

  next(county: string, year: number, month: number, day: number, sex: 'M' | 'F'): string {
    let counts = this.counters.get(county)
    if (!counts) this.counters.set(county, (counts = new Uint16Array(ID_DAYS * 2)))
    let y = year
    let m = month
    let d = day
    for (;;) {
      const slot = Math.max(0, Math.min(ID_DAYS - 1, dayNumber(y, m, d))) * 2 + (sex === 'M' ? 0 : 1)
      const k = counts[slot]!
      if (k < 499) {
        counts[slot] = k + 1
        const seq = sex === 'M' ? 2 * k + 1 : 2 * k + 2
        const first17 = `${county}${String(y).padStart(4, '0')}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}${String(seq).padStart(3, '0')}`
        return first17 + gb11643CheckDigit(first17)
      }
      // That date is full for this county and sex: take the next day.
      d++
      if (d > daysInMonth(y, m)) {
        d = 1
        m++
        if (m > 12) {
          m = 1
          y++
        }
      }
    }
  }
}

// =================================================================================================
// Names and ethnicity
// =================================================================================================

type Profile = Partial<Record<Ethnicity, number>>

const COUNTY_ETHNICITY: Record<string, Profile> = {
  '433101': { tujia: 40, miao: 35, han: 25 },
  '433122': { miao: 40, tujia: 30, han: 30 },
  '433123': { miao: 55, tujia: 20, han: 25 },
  '433124': { miao: 77, tujia: 8, han: 15 },
  '433125': { tujia: 50, miao: 35, han: 15 },
  '433126': { tujia: 45, miao: 40, han: 15 },
  '433127': { tujia: 75, miao: 5, han: 20 },
  '433130': { tujia: 60, miao: 5, han: 35 },
  '430802': { tujia: 65, bai: 4, han: 31 },
  '430811': { tujia: 60, han: 40 },
  '430821': { tujia: 55, han: 45 },
  '430822': { tujia: 50, bai: 20, han: 30 },
  '430726': { tujia: 50, han: 50 },
  '431222': { tujia: 25, miao: 15, han: 60 },
  '431225': { dong: 50, miao: 15, han: 35 },
  '431226': { miao: 70, han: 30 },
  '431227': { dong: 80, han: 20 },
  '431228': { dong: 55, han: 45 },
  '431229': { miao: 45, dong: 30, han: 25 },
  '431230': { dong: 75, miao: 5, han: 20 },
  '431281': { dong: 10, miao: 10, han: 80 },
  '431129': { yao: 65, han: 35 },
  '431125': { yao: 50, han: 50 },
  '431126': { yao: 10, han: 90 },
  '431127': { yao: 15, han: 85 },
  '430529': { miao: 55, dong: 5, yao: 5, han: 35 },
  '430527': { miao: 35, dong: 20, han: 45 },
  '431022': { yao: 5, han: 95 },
}
const DEFAULT_PROFILE: Profile = { han: 97, tujia: 1, miao: 1, hui: 0.5, zhuang: 0.5 }

function ethnicityOf(county: string, rng: Rng): Ethnicity {
  const p = COUNTY_ETHNICITY[county] ?? DEFAULT_PROFILE
  const keys = Object.keys(p) as Ethnicity[]
  return rng.weighted(keys, keys.map((k) => p[k]!))
}

const SURNAMES: Record<Ethnicity, [string, number][]> = {
  han: [['刘', 8], ['李', 8], ['王', 7], ['陈', 7], ['张', 6], ['周', 5], ['唐', 5], ['彭', 4], ['谭', 4], ['罗', 4], ['胡', 4], ['曾', 4], ['黄', 4], ['杨', 4], ['邓', 4], ['蒋', 3], ['肖', 3], ['欧阳', 1], ['段', 2], ['贺', 2], ['廖', 2], ['龙', 1], ['吴', 3], ['易', 2], ['谢', 2], ['朱', 2], ['何', 2], ['许', 1], ['汤', 1], ['戴', 1], ['雷', 1], ['袁', 2], ['文', 1], ['钟', 1]],
  tujia: [['彭', 10], ['田', 9], ['向', 9], ['覃', 6], ['王', 5], ['张', 5], ['李', 5], ['冉', 3], ['鲁', 2], ['谢', 2], ['龚', 2], ['黄', 3], ['杨', 3], ['宋', 2], ['舒', 2], ['符', 1], ['瞿', 1]],
  miao: [['石', 10], ['龙', 10], ['吴', 9], ['麻', 7], ['杨', 6], ['施', 5], ['田', 4], ['廖', 3], ['隆', 3], ['滕', 2], ['张', 2], ['梁', 2], ['时', 1], ['欧', 1], ['秧', 1]],
  dong: [['杨', 10], ['吴', 9], ['龙', 6], ['石', 5], ['粟', 5], ['欧', 3], ['姚', 3], ['陆', 2], ['胡', 2], ['蒲', 2], ['舒', 2]],
  yao: [['盘', 10], ['赵', 8], ['邓', 7], ['李', 5], ['冯', 4], ['黄', 4], ['奉', 4], ['唐', 3], ['任', 2], ['郑', 2], ['沈', 2]],
  bai: [['王', 8], ['谷', 6], ['钟', 6], ['熊', 5], ['李', 4], ['张', 3], ['杜', 3]],
  hui: [['马', 10], ['海', 3], ['沙', 3], ['翦', 2], ['丁', 2]],
  zhuang: [['韦', 8], ['覃', 6], ['黄', 5], ['陆', 3], ['蒙', 3]],
}
const SURNAME_LISTS = Object.fromEntries(
  Object.entries(SURNAMES).map(([k, list]) => [k, { names: list.map((x) => x[0]), weights: list.map((x) => x[1]) }]),
) as Record<Ethnicity, { names: string[]; weights: number[] }>

const GIVEN = {
  maleOld: [...'德明国华建军平福贵生荣祥林成春富永金正学文光海云清忠和发顺有昌进才志茂玉'],
  femaleOld: [...'秀英兰桂芳玉珍梅凤莲花翠香菊琴云春娥素淑月娟英芝彩'],
  maleYoung: [...'伟强勇杰涛鹏宇浩俊飞斌龙波超刚辉峰磊鑫博文轩子豪睿航宏明阳'],
  femaleYoung: [...'丽燕萍婷丹倩慧娜雪妮欣怡琳敏静艳霞佳雨晴梦瑶涵思颖蕾'],
}

function givenName(sex: 'M' | 'F', birthYear: number, rng: Rng, generation?: string): string {
  const young = birthYear >= 1975
  const pool = sex === 'M' ? (young ? GIVEN.maleYoung : GIVEN.maleOld) : young ? GIVEN.femaleYoung : GIVEN.femaleOld
  if (generation) return generation + rng.pick(pool)
  if (rng.chance(young ? 0.3 : 0.15)) return rng.pick(pool)
  return rng.pick(pool) + rng.pick(pool)
}

// =================================================================================================
// Households
// =================================================================================================

interface Person {
  sex: 'M' | 'F'
  birthYear: number
  relation: Relation
  surname: string
  ethnicity: Ethnicity
  health: MemberRow['health']
  labour: MemberRow['labour']
  schooling: Schooling
  inSchool: Stage | null
  migrantMonths: number
  generation?: string
}

type Structure = 'single_elderly' | 'elderly_couple' | 'nuclear' | 'three_gen' | 'with_parents' | 'single_adult'
const STRUCTURES: Structure[] = ['single_elderly', 'elderly_couple', 'nuclear', 'three_gen', 'with_parents', 'single_adult']
const STRUCTURE_WEIGHTS: Partial<Record<PovertyCause, number[]>> & { default: number[] } = {
  default: [6, 10, 38, 22, 18, 6],
  labour: [30, 35, 7, 8, 10, 10],
  schooling: [0, 0, 55, 20, 25, 0],
  illness: [8, 12, 33, 22, 19, 6],
  disability: [6, 8, 34, 22, 18, 12],
}

const CAUSE_WEIGHTS: Record<PovertyCause, number> = {
  illness: 0.36,
  disability: 0.09,
  schooling: 0.08,
  disaster: 0.03,
  land: 0.03,
  water: 0.03,
  skills: 0.11,
  labour: 0.08,
  capital: 0.1,
  transport: 0.04,
  drive: 0.03,
  other: 0.02,
}
const CAUSES = Object.keys(CAUSE_WEIGHTS) as PovertyCause[]

const isAble = (p: Pick<Person, 'labour'>) => p.labour === 'ordinary' || p.labour === 'skilled'
const inSchoolProper = (p: Pick<Person, 'inSchool'>) => p.inSchool !== null && p.inSchool !== 'preschool'

/** The household facts a poverty cause needs (what tests check for every main and other cause). */
export interface CauseEvidence {
  members: readonly Pick<MemberRow, 'health' | 'labour' | 'in_school' | 'birth_year'>[]
  registeredYear: number
  waterDifficulty: boolean
  roadHardened: boolean
  disasterRisk: number
  landPerPersonMu: number
}

export function causeHasEvidence(cause: string, e: CauseEvidence): boolean {
  const ms = e.members
  switch (cause) {
    case 'illness':
      return ms.some((m) => m.health === 'chronic' || m.health === 'serious')
    case 'disability':
      return ms.some((m) => m.health === 'disabled')
    case 'schooling':
      return ms.some((m) => m.in_school !== null && m.in_school !== 'preschool')
    case 'labour': {
      const able = ms.filter((m) => m.labour === 'ordinary' || m.labour === 'skilled').length
      return able <= 1 && ms.some((m) => m.labour === 'lost' || e.registeredYear - m.birth_year >= 60)
    }
    case 'water':
      return e.waterDifficulty
    case 'transport':
      return !e.roadHardened
    case 'disaster':
      return e.disasterRisk >= 0.25
    case 'land':
      return e.landPerPersonMu < 0.8
    default:
      return true
  }
}

/** Aggregates per village, kind and year of what households went through (for projects). */
export interface HouseholdEvent {
  village_code: string
  kind: 'housing' | 'relocation' | 'water'
  year: number
  households: number
  /** Sum of the households' positions (divide by `households` for the mean). */
  lonSum: number
  latSum: number
}

export interface HouseholdBatch {
  village_code: string
  household: HouseholdRow[]
  household_year: HouseholdYearRow[]
  member: MemberRow[]
  /** Renovations, relocations and water connections of this batch's households, by year. */
  events: HouseholdEvent[]
}

export interface HouseholdContext {
  areas: readonly AdminAreaRow[]
  env: Environment
  plans: readonly VillagePlan[]
}

function ageAt(p: Person, year: number): number {
  return year - p.birthYear
}

function schoolingFor(age: number, birthYear: number, rng: Rng): { schooling: Schooling; inSchool: Stage | null } {
  if (age < 3) return { schooling: 'preschool', inSchool: null }
  if (age < 6) return { schooling: 'preschool', inSchool: rng.chance(0.65) ? 'preschool' : null }
  if (age < 12) return { schooling: 'primary', inSchool: rng.chance(0.985) ? 'primary' : null }
  if (age < 15) return rng.chance(0.95) ? { schooling: 'junior', inSchool: 'junior' } : { schooling: 'primary', inSchool: null }
  if (age < 18) {
    if (rng.chance(0.7)) return rng.chance(0.58) ? { schooling: 'senior', inSchool: 'senior' } : { schooling: 'senior', inSchool: 'vocational' }
    return { schooling: 'junior', inSchool: null }
  }
  if (age < 23 && rng.chance(0.22)) return { schooling: 'college', inSchool: 'college' }
  const table: [Schooling[], number[]] =
    birthYear < 1950
      ? [['illiterate', 'primary', 'junior'], [45, 45, 10]]
      : birthYear < 1970
        ? [['illiterate', 'primary', 'junior', 'senior'], [15, 45, 35, 5]]
        : birthYear < 1990
          ? [['illiterate', 'primary', 'junior', 'senior', 'college'], [3, 25, 55, 13, 4]]
          : [['primary', 'junior', 'senior', 'college'], [10, 55, 28, 7]]
  return { schooling: rng.weighted(table[0], table[1]), inSchool: null }
}

function baseHealth(age: number, rng: Rng): Person['health'] {
  const [dis, chr, ser] = age < 16 ? [0.01, 0.01, 0.003] : age < 60 ? [0.035, 0.06, 0.012] : [0.06, 0.25, 0.04]
  const u = rng.next()
  return u < dis ? 'disabled' : u < dis + chr ? 'chronic' : u < dis + chr + ser ? 'serious' : 'healthy'
}

function baseLabour(p: Person, age: number, rng: Rng): Person['labour'] {
  if (age < 16 || inSchoolProper(p)) return 'none'
  if (p.health === 'disabled') return rng.chance(0.75) ? 'lost' : 'ordinary'
  if (p.health === 'serious') return rng.chance(0.8) ? 'lost' : 'ordinary'
  if (age >= 70) return 'none'
  if (p.health === 'chronic' && rng.chance(0.3)) return 'lost'
  if (age >= 60) return rng.weighted(['ordinary', 'lost', 'none'] as const, [50, 20, 30])
  return rng.chance(0.12) ? 'skilled' : 'ordinary'
}

class VillageHouseholdGenerator {
  constructor(
    private readonly ids: { member: number },
    private readonly householdIds: HouseholdIds,
    private readonly idNumbers: IdNumberAllocator,
  ) {}

  household(env: VillageEnv, plan: VillagePlan, geomOf: (code: string) => AdminAreaRow | undefined, ctx: HouseholdContext, hamlets: LonLat[], rng: Rng, batch: HouseholdBatch): void {
    // Non-sequential: the id is the tile feature id (see household-ids.ts).
    const id = this.householdIds.next()
    const village = geomOf(env.code)!
    const county = plan.countyCode
    // 十八洞村's 136 poor households were all identified in 2014.
    const registeredYear = plan.code === SHIBADONG ? FIRST_YEAR : rng.weighted([2014, 2015, 2016], [92, 5, 3])
    const refYear = registeredYear

    // Location: clustered round the village seat or one of its hamlets (自然村).
    const center = rng.chance(0.55) || hamlets.length === 0 ? env.seat : rng.pick(hamlets)
    const pos = randomPointNear(center, 0.25 + 0.4 * env.steepness, village.geom, rng)

    // Environment at the home.
    const roadKm = ctx.env.roadDistanceKm(pos, registeredYear)
    const villageUnpaved = env.roadHardenedYear > registeredYear
    const roadHardened = villageUnpaved ? rng.chance(0.05) : !rng.chance(0.04 + 0.6 * smoothstep(roadKm, 0.4, 3))
    const works = ctx.env.nearestWaterWorks(pos, registeredYear)
    const worksKm = works?.km ?? 30
    const waterDifficulty = rng.chance(Math.min(0.9, 0.04 + 0.45 * smoothstep(worksKm, 2, 12) + 0.2 * smoothstep(env.steepness, 0.5, 0.95)))
    const disasterRisk = env.disasterRisk

    // Main cause, weighted by the environment among those the environment allows.
    const w = CAUSES.map((c) => {
      const base = CAUSE_WEIGHTS[c]
      switch (c) {
        case 'water':
          return waterDifficulty ? base * 6 : 0
        case 'transport':
          return roadHardened ? 0 : base * (3 + 6 * smoothstep(roadKm, 0.5, 4))
        case 'disaster':
          return disasterRisk >= 0.25 ? base * (1 + 6 * disasterRisk) : 0
        case 'land':
          return base * (1 + 2 * env.steepness)
        default:
          return base
      }
    })
    const mainCause = rng.weighted(CAUSES, w)

    // Members.
    const ethnicity = ethnicityOf(county, rng)
    const members = this.members(mainCause, ethnicity, county, refYear, rng)
    // Land (mu): paddy on flatter ground, forest on steeper ground.
    const flat = 1 - env.steepness
    let paddy = Math.max(0, rng.normal(0.9 * flat + 0.2, 0.3)) * members.length
    let dry = Math.max(0, rng.normal(0.5, 0.25)) * members.length
    const forest = Math.max(0, rng.normal(2 + 10 * (1 - flat), 2)) * (0.5 + 0.5 * members.length)
    if (mainCause === 'land') {
      const scale = (rng.range(0.2, 0.7) * members.length) / Math.max(0.01, paddy + dry)
      paddy *= scale
      dry *= scale
    }
    const landPerPerson = (paddy + dry) / members.length

    // Other causes: evidence first (illness, disability), then others the household allows.
    const evidence: CauseEvidence = {
      members: members.map((m) => ({ health: m.health, labour: m.labour, in_school: m.inSchool, birth_year: m.birthYear })),
      registeredYear,
      waterDifficulty,
      roadHardened,
      disasterRisk,
      landPerPersonMu: landPerPerson,
    }
    const others: PovertyCause[] = []
    const hasSerious = members.some((m) => m.health === 'serious' || m.health === 'chronic')
    if (mainCause !== 'illness' && hasSerious && rng.chance(0.85)) others.push('illness')
    if (mainCause !== 'disability' && members.some((m) => m.health === 'disabled') && rng.chance(0.8)) others.push('disability')
    const extra = rng.weighted([0, 1, 2], [35, 40, 25])
    for (let i = 0; others.length < 2 && i < extra; i++) {
      const pool = CAUSES.filter((c) => c !== mainCause && c !== 'other' && !others.includes(c) && causeHasEvidence(c, evidence))
      if (pool.length === 0) break
      others.push(rng.weighted(pool, pool.map((c) => w[CAUSES.indexOf(c)]! + 0.01)))
    }

    // Attribute and 低保/五保.
    const adults = members.filter((m) => ageAt(m, refYear) >= 16)
    const noChildren = members.every((m) => m.relation === 'head' || m.relation === 'spouse')
    const frail = members.some((m) => m.health === 'serious' || m.health === 'disabled') || mainCause === 'labour'
    let attribute: HouseholdRow['attribute'] = 'general'
    if (members.length <= 2 && noChildren && adults.every((m) => ageAt(m, refYear) >= 60 || m.health === 'disabled') && rng.chance(0.5)) attribute = 'wubao'
    else if (frail && rng.chance(0.45)) attribute = 'dibao_poor'
    else if (rng.chance(0.04)) attribute = 'dibao'

    // Housing.
    const steep = smoothstep(env.steepness, 0.4, 0.95)
    const structure = rng.weighted(['reinforced_concrete', 'brick_concrete', 'brick_wood', 'earth_bamboo', 'other'] as const, [5, 35 - 15 * steep, 35, 15 + 20 * steep, 5])
    const safetyWeights: Record<typeof structure, number[]> = {
      reinforced_concrete: [80, 20, 0, 0],
      brick_concrete: [25, 60, 13, 2],
      brick_wood: [5, 55, 28, 12],
      earth_bamboo: [0, 30, 40, 30],
      other: [10, 50, 30, 10],
    }
    const safety = rng.weighted(['A', 'B', 'C', 'D'] as const, safetyWeights[structure])
    const unsafe = safety === 'C' || safety === 'D'
    const relocated = rng.chance(Math.min(0.6, 0.01 + 0.3 * smoothstep(env.steepness, 0.7, 0.98) * (0.5 + disasterRisk) + (unsafe ? 0.05 : 0) + (villageUnpaved ? 0.08 : 0)))

    // Years: lifted, returned, and when each gap closed.
    let lift = rng.weighted([2015, 2016, 2017, 2018, 2019, 2020], plan.poverty ? [8, 15, 21, 24, 23, 9] : [14, 21, 24, 21, 15, 5])
    if ((mainCause === 'illness' || mainCause === 'disability' || mainCause === 'labour') && rng.chance(0.3)) lift++
    const relocationYear = relocated ? Math.max(registeredYear + 1, rng.weighted([2016, 2017, 2018, 2019], [25, 35, 30, 10])) : null
    if (relocationYear) lift = Math.max(lift, relocationYear)
    lift = Math.max(lift, registeredYear + 1)
    if (lift > LAST_YEAR) lift = LAST_YEAR
    if (rng.chance(0.002)) lift = LAST_YEAR + 1 // a handful still poor at the end of 2020
    let returnFrom = 0
    let returnTo = 0
    if (lift <= 2018 && rng.chance(0.03)) {
      returnFrom = lift + rng.int(1, 2)
      returnTo = Math.min(LAST_YEAR - 1, returnFrom + rng.int(0, 1))
      if (returnFrom > returnTo) returnFrom = returnTo = 0
    }
    const closeBy = Math.min(lift, LAST_YEAR)
    const fixYear = (p: number) => (rng.chance(p) ? rng.int(registeredYear + 1, Math.max(registeredYear + 1, closeBy)) : 0)
    const housingFix = unsafe ? (relocationYear ?? rng.int(Math.max(2015, registeredYear + 1), Math.max(2015, registeredYear + 1, closeBy))) : 0
    let waterFix = 0
    if (waterDifficulty) {
      // Connected when a supply works opened nearby, else by a household or village project.
      const later = ctx.env.nearestWaterWorks(pos, closeBy)
      waterFix = later && later.year > registeredYear && later.km < 8 ? later.year : rng.int(registeredYear + 1, Math.max(registeredYear + 1, closeBy))
      if (relocationYear) waterFix = Math.min(waterFix, relocationYear)
    }
    const school = members.some((m) => ageAt(m, refYear) >= 6 && ageAt(m, refYear) < 16)
    const educationFix = school ? fixYear(mainCause === 'schooling' ? 0.5 : 0.12) : 0
    const medicalFix = hasSerious ? fixYear(mainCause === 'illness' ? 0.5 : 0.25) : 0
    const r0 = rng.range(0.45, 0.93)
    const foodFix = fixYear(r0 < 0.6 ? 0.35 : 0.05)

    for (let y = registeredYear; y <= LAST_YEAR; y++) {
      const line = POVERTY_LINE[y]!
      const returned = returnFrom > 0 && y >= returnFrom && y <= returnTo
      const status: HouseholdYearRow['status'] = y < lift ? 'poor' : returned ? 'returned' : 'lifted'
      let income: number
      if (status === 'poor') income = line * Math.min(0.97, r0 + 0.04 * (y - registeredYear) + rng.range(-0.03, 0.03))
      else if (status === 'returned') income = line * rng.range(0.6, 0.95)
      else income = line * (1.08 + 0.1 * (y - lift) + rng.range(0, 0.6))
      income = Math.floor(income)
      if (status !== 'lifted' && income >= line) income = line - 1
      const open = (fix: number) => status === 'poor' && fix > 0 && y < fix
      batch.household_year.push({
        household_id: id,
        year: y,
        status,
        income_per_capita: income,
        food_clothing_ok: !open(foodFix),
        education_ok: !open(educationFix),
        medical_ok: !(open(medicalFix) || (returned && y === returnFrom && hasSerious)),
        housing_ok: status === 'lifted' || !(unsafe && y < housingFix),
        water_ok: status === 'lifted' || !(waterDifficulty && y < waterFix),
      })
    }

    const addEvent = (kind: HouseholdEvent['kind'], year: number) => {
      if (year < FIRST_YEAR || year > LAST_YEAR) return
      let e = batch.events.find((x) => x.kind === kind && x.year === year)
      if (!e) batch.events.push((e = { village_code: env.code, kind, year, households: 0, lonSum: 0, latSum: 0 }))
      e.households++
      e.lonSum += pos[0]
      e.latSum += pos[1]
    }
    if (relocationYear) addEvent('relocation', relocationYear)
    else if (unsafe && housingFix) addEvent('housing', housingFix)
    if (waterDifficulty && waterFix) addEvent('water', waterFix)

    const fuel = rng.weighted([...COOKING_FUELS], [30 + 40 * steep, 10, 25, 2, 20, 5 + 5 * steep])
    const waterSource: HouseholdRow['water_source'] = waterDifficulty
      ? rng.weighted(['unprotected_well', 'river_lake', 'rainwater', 'protected_well'] as const, [45, 25, 15, 15])
      : worksKm < 4 && rng.chance(0.8)
        ? 'tap'
        : rng.weighted(['protected_well', 'tap', 'bottled'] as const, [70, 28, 2])
    const old = members.every((m) => ageAt(m, refYear) >= 65)
    batch.household.push({
      id,
      village_code: env.code,
      geom: pointGeom(pos),
      size: members.length,
      identification_standard: rng.chance(0.95) ? 'national' : 'provincial',
      attribute,
      main_cause: mainCause,
      other_causes: others,
      phone: old && rng.chance(0.5) ? null : `1${rng.pick(['3', '5', '8'])}${String(rng.int(0, 999_999_999)).padStart(9, '0')}`,
      registered_year: registeredYear,
      housing_area_m2: Math.round(members.length * rng.range(15, 32) + rng.range(10, 40)),
      housing_structure: structure,
      housing_safety: safety,
      relocated,
      water_source: waterSource,
      water_difficulty: waterDifficulty,
      cooking_fuel: fuel,
      road_hardened: roadHardened,
      km_to_market: Math.round((env.distTownshipKm * rng.range(0.8, 1.2) + rng.range(0, 1.5)) * 10) / 10,
      land_paddy_mu: Math.round(paddy * 10) / 10,
      land_dry_mu: Math.round(dry * 10) / 10,
      land_forest_mu: Math.round(forest * 10) / 10,
    })
    // Land rounding must not break the 缺土地 evidence.
    const h = batch.household[batch.household.length - 1]!
    if (mainCause === 'land' || others.includes('land')) {
      while ((h.land_paddy_mu! + h.land_dry_mu!) / members.length >= 0.8) {
        h.land_paddy_mu = Math.max(0, Math.round((h.land_paddy_mu! - 0.1) * 10) / 10)
        h.land_dry_mu = Math.max(0, Math.round((h.land_dry_mu! - 0.1) * 10) / 10)
      }
    }

    const insured = rng.chance(0.97)
    for (const m of members) {
      const month = rng.int(1, 12)
      const day = rng.int(1, daysInMonth(m.birthYear, month))
      const age = ageAt(m, refYear)
      batch.member.push({
        id: ++this.ids.member,
        household_id: id,
        name: m.surname + givenName(m.sex, m.birthYear, rng, m.generation),
        sex: m.sex,
        id_number: this.idNumbers.next(county, m.birthYear, month, day, m.sex),
        relation: m.relation,
        ethnicity: m.ethnicity,
        birth_year: m.birthYear,
        schooling: m.schooling,
        in_school: m.inSchool,
        health: m.health,
        labour: m.labour,
        migrant_months: m.migrantMonths,
        dibao: attribute === 'dibao' || attribute === 'dibao_poor',
        wubao: attribute === 'wubao' && m.relation === 'head',
        medical_insurance: insured || rng.chance(0.5),
        pension: age >= 16 && !inSchoolProper(m) && rng.chance(age >= 60 ? 0.92 : 0.75),
      })
    }
  }

  /** Members of a household whose main cause is `cause`, with that cause's evidence in place. */
  private members(cause: PovertyCause, ethnicity: Ethnicity, county: string, ref: number, rng: Rng): Person[] {
    const structure = rng.weighted(STRUCTURES, STRUCTURE_WEIGHTS[cause] ?? STRUCTURE_WEIGHTS.default)
    const surname = () => {
      const l = SURNAME_LISTS[ethnicity]
      return rng.weighted(l.names, l.weights)
    }
    const person = (relation: Relation, sex: 'M' | 'F', age: number, sn: string, eth: Ethnicity = ethnicity): Person => ({
      sex,
      birthYear: ref - Math.max(0, Math.round(age)),
      relation,
      surname: sn,
      ethnicity: eth,
      health: 'healthy',
      labour: 'ordinary',
      schooling: 'primary',
      inSchool: null,
      migrantMonths: 0,
    })
    const spouseEth = () => (rng.chance(0.85) ? ethnicity : ethnicityOf(county, rng))
    const ms: Person[] = []
    const headSurname = surname()
    const addChildren = (parentAge: number, n: number, sn: string, rel: 'child' | 'grandchild', eth: Ethnicity) => {
      const gen = rng.chance(0.5) ? rng.pick(GIVEN.maleOld) : undefined
      for (let i = 0; i < n; i++) {
        const maxAge = Math.min(rel === 'child' ? 26 : 16, parentAge - 20)
        if (maxAge < 0) break
        const sex = rng.chance(0.53) ? 'M' : 'F'
        const relation: Relation = rel === 'child' ? (sex === 'M' ? 'son' : 'daughter') : sex === 'M' ? 'grandson' : 'granddaughter'
        const p = person(relation, sex, rng.int(0, maxAge), sn, eth)
        if (gen && sex === 'M') p.generation = gen
        ms.push(p)
      }
    }
    switch (structure) {
      case 'single_elderly': {
        ms.push(person('head', rng.chance(0.55) ? 'M' : 'F', rng.int(62, 88), headSurname))
        break
      }
      case 'elderly_couple': {
        const age = rng.int(60, 85)
        ms.push(person('head', 'M', age, headSurname), person('spouse', 'F', age - rng.int(0, 5), surname(), spouseEth()))
        break
      }
      case 'single_adult': {
        ms.push(person('head', rng.chance(0.7) ? 'M' : 'F', rng.int(25, 60), headSurname))
        break
      }
      case 'nuclear':
      case 'with_parents': {
        const age = rng.int(structure === 'nuclear' ? 26 : 30, 55)
        const maleHead = rng.chance(0.86)
        ms.push(person('head', maleHead ? 'M' : 'F', age, headSurname))
        const married = rng.chance(0.9)
        const spouseName = surname()
        if (married) ms.push(person('spouse', maleHead ? 'F' : 'M', age + rng.int(-4, 4), spouseName, spouseEth()))
        const kidsName = maleHead || !married ? headSurname : spouseName
        addChildren(age, rng.weighted([1, 2, 3], [35, 45, 20]), kidsName, 'child', ethnicity)
        if (structure === 'with_parents') {
          const pAge = Math.min(95, age + rng.int(22, 32))
          if (rng.chance(0.75)) ms.push(person('mother', 'F', pAge - rng.int(0, 4), surname(), ethnicity))
          if (ms.length < 3 || rng.chance(0.55)) ms.push(person('father', 'M', pAge, headSurname, ethnicity))
        }
        break
      }
      case 'three_gen': {
        const age = rng.int(48, 68)
        ms.push(person('head', 'M', age, headSurname))
        if (rng.chance(0.85)) ms.push(person('spouse', 'F', age - rng.int(0, 5), surname(), spouseEth()))
        const sonAge = Math.min(age - 20, rng.int(22, 40))
        ms.push(person('son', 'M', sonAge, headSurname))
        if (rng.chance(0.8)) ms.push(person('daughter_in_law', 'F', sonAge - rng.int(0, 4), surname(), spouseEth()))
        addChildren(sonAge, rng.weighted([1, 2, 3], [45, 42, 13]), headSurname, 'grandchild', ethnicity)
        if (rng.chance(0.25)) ms.push(person('daughter', 'F', Math.max(16, sonAge - rng.int(2, 8)), headSurname))
        break
      }
    }
    // Schooling, health and labour by age.
    for (const m of ms) {
      const age = ageAt(m, ref)
      const s = schoolingFor(age, m.birthYear, rng)
      m.schooling = s.schooling
      m.inSchool = s.inSchool
      m.health = baseHealth(age, rng)
    }
    const adultsIdx = ms.map((m, i) => (ageAt(m, ref) >= 16 && !inSchoolProper(m) ? i : -1)).filter((i) => i >= 0)
    // The main cause's evidence.
    if (cause === 'illness') {
      const i = adultsIdx.length > 0 ? rng.pick(adultsIdx) : rng.int(0, ms.length - 1)
      ms[i]!.health = rng.chance(0.45) ? 'serious' : 'chronic'
    } else if (cause === 'disability') {
      const i = adultsIdx.length > 0 && rng.chance(0.8) ? rng.pick(adultsIdx) : rng.int(0, ms.length - 1)
      ms[i]!.health = 'disabled'
    } else if (cause === 'schooling' && !ms.some(inSchoolProper)) {
      const head = ms[0]!
      const age = Math.max(6, Math.min(20, ageAt(head, ref) - 20))
      const sex = rng.chance(0.5) ? 'M' : 'F'
      const child = person(sex === 'M' ? 'son' : 'daughter', sex, rng.int(Math.min(age, 15), age), head.surname)
      const a = ageAt(child, ref)
      child.inSchool = a < 12 ? 'primary' : a < 15 ? 'junior' : a < 18 ? rng.pick(['senior', 'vocational'] as const) : 'college'
      child.schooling = child.inSchool === 'vocational' ? 'senior' : child.inSchool
      ms.push(child)
    }
    for (const m of ms) {
      const age = ageAt(m, ref)
      m.labour = baseLabour(m, age, rng)
      if (isAble(m) && age < 56 && rng.chance(0.45)) m.migrantMonths = rng.int(3, 12)
    }
    if (cause === 'labour') {
      // At most one able labourer, and someone old or incapacitated.
      let able = ms.filter(isAble)
      while (able.length > 1) {
        const m = able[able.length - 1]!
        m.labour = 'lost'
        m.migrantMonths = 0
        if (m.health === 'healthy') m.health = 'chronic'
        able = ms.filter(isAble)
      }
      if (!ms.some((m) => m.labour === 'lost' || ageAt(m, ref) >= 60)) {
        const m = ms.find((x) => ageAt(x, ref) >= 16) ?? ms[0]!
        m.labour = 'lost'
        m.migrantMonths = 0
        if (m.health === 'healthy') m.health = rng.chance(0.5) ? 'chronic' : 'disabled'
      }
    }
    return ms
  }
}

/** Per-village batches of households, members and yearly rows, in village-code order. */
export function* householdBatches(ctx: HouseholdContext, rng: Rng): Generator<HouseholdBatch> {
  const lookup = new AdminLookup(ctx.areas)
  // The id keys come from a stream of their own: the registry's other numbers do not move.
  const gen = new VillageHouseholdGenerator({ member: 0 }, new HouseholdIds(rng.fork('household-ids')), new IdNumberAllocator())
  const geomOf = (code: string) => lookup.get(code)?.row
  const plans = [...ctx.plans].sort((a, b) => (a.code < b.code ? -1 : 1))
  for (const plan of plans) {
    if (plan.rows <= 0) continue
    const env = ctx.env.villages.get(plan.code)
    const area = geomOf(plan.code)
    if (!env || !area) continue
    const vr = rng.fork(plan.code)
    // Hamlets (自然村): random spots of the village, pulled toward the seat where the village is large.
    const hamlets: LonLat[] = []
    if (area.geom) {
      const n = vr.int(2, 6)
      for (let i = 0; i < n; i++) {
        const p = randomPointIn(area.geom, vr)
        if (!p) continue
        const km = distanceKm(p, env.seat)
        const f = km > 3 ? 3 / km : 1
        const q: LonLat = [env.seat[0] + (p[0] - env.seat[0]) * f, env.seat[1] + (p[1] - env.seat[1]) * f]
        if (insideArea(q, area.geom)) hamlets.push(q)
      }
    }
    const batch: HouseholdBatch = { village_code: plan.code, household: [], household_year: [], member: [], events: [] }
    for (let i = 0; i < plan.rows; i++) gen.household(env, plan, geomOf, ctx, hamlets, vr, batch)
    yield batch
  }
}

// =================================================================================================
// Summaries for indicators and projects
// =================================================================================================

export interface VillageHouseholdSummary {
  households: number
  people: number
  /** Per year index: households registered by then, poor or returned, without safe water / housing. */
  registered: number[]
  poorHouseholds: number[]
  poorPeople: number[]
  lackingWater: number[]
  lackingHousing: number[]
  /** Households with a member in school (primary to college) at registration. */
  withPupils: number
  relocated: number
}

export interface HouseholdSummary {
  villages: Map<string, VillageHouseholdSummary>
  events: HouseholdEvent[]
}

const zeros = () => YEARS.map(() => 0)

export class HouseholdSummarizer {
  readonly villages = new Map<string, VillageHouseholdSummary>()
  readonly events: HouseholdEvent[] = []

  add(batch: HouseholdBatch): void {
    const s: VillageHouseholdSummary = this.villages.get(batch.village_code) ?? {
      households: 0,
      people: 0,
      registered: zeros(),
      poorHouseholds: zeros(),
      poorPeople: zeros(),
      lackingWater: zeros(),
      lackingHousing: zeros(),
      withPupils: 0,
      relocated: 0,
    }
    this.villages.set(batch.village_code, s)
    const size = new Map<number, number>()
    for (const h of batch.household) {
      s.households++
      s.people += h.size
      size.set(h.id, h.size)
      if (h.relocated) s.relocated++
    }
    const pupils = new Set<number>()
    for (const m of batch.member) if (m.in_school !== null && m.in_school !== 'preschool') pupils.add(m.household_id)
    s.withPupils += pupils.size
    for (const y of batch.household_year) {
      const i = yearIndex(y.year)
      s.registered[i]!++
      if (y.status !== 'lifted') {
        s.poorHouseholds[i]!++
        s.poorPeople[i]! += size.get(y.household_id) ?? 0
      }
      if (!y.water_ok) s.lackingWater[i]!++
      if (!y.housing_ok) s.lackingHousing[i]!++
    }
    this.events.push(...batch.events)
  }

  summary(): HouseholdSummary {
    return { villages: this.villages, events: this.events }
  }
}

/**
 * Registry figures per village for the indicators: the generated rows scaled up to the modelled
 * full registry (identical at 'province' scale); villages without rows in the demo take the
 * province-wide shares by year.
 */
export function registryStats(plans: readonly VillagePlan[], summary: HouseholdSummary): Map<string, VillageRegistryStats> {
  const total = { households: 0, people: 0, poor: zeros(), poorPeople: zeros(), water: zeros(), housing: zeros() }
  for (const s of summary.villages.values()) {
    total.households += s.households
    total.people += s.people
    YEARS.forEach((_, i) => {
      total.poor[i]! += s.poorHouseholds[i]!
      total.poorPeople[i]! += s.poorPeople[i]!
      total.water[i]! += s.lackingWater[i]!
      total.housing[i]! += s.lackingHousing[i]!
    })
  }
  const out = new Map<string, VillageRegistryStats>()
  for (const p of plans) {
    const s = summary.villages.get(p.code)
    const reg = p.registryHouseholds
    if (s && s.households > 0) {
      const f = reg / s.households
      out.set(p.code, {
        registryHouseholds: reg,
        poorHouseholds: s.poorHouseholds.map((x) => Math.round(x * f)),
        poorPeople: s.poorPeople.map((x) => Math.round(x * f)),
        lackingWater: s.lackingWater.map((x) => x * f),
        lackingHousing: s.lackingHousing.map((x) => x * f),
      })
    } else {
      const hh = total.households || 1
      out.set(p.code, {
        registryHouseholds: reg,
        poorHouseholds: total.poor.map((x) => Math.round((x / hh) * reg)),
        poorPeople: total.poorPeople.map((x) => Math.round((x / hh) * reg)),
        lackingWater: total.water.map((x) => (x / hh) * reg),
        lackingHousing: total.housing.map((x) => (x / hh) * reg),
      })
    }
  }
  return out
}

export interface GeneratedHouseholds {
  household: HouseholdRow[]
  household_year: HouseholdYearRow[]
  member: MemberRow[]
  summary: HouseholdSummary
}

/** All batches collected into arrays (the demo), with their summary. */
export function generateHouseholds(ctx: HouseholdContext, rng: Rng): GeneratedHouseholds {
  const out: GeneratedHouseholds = { household: [], household_year: [], member: [], summary: { villages: new Map(), events: [] } }
  const sum = new HouseholdSummarizer()
  for (const b of householdBatches(ctx, rng)) {
    for (const h of b.household) out.household.push(h)
    for (const y of b.household_year) out.household_year.push(y)
    for (const m of b.member) out.member.push(m)
    sum.add(b)
  }
  out.summary = sum.summary()
  return out
}

/** Summary only, streaming the batches without keeping them (the first pass at 'province' scale). */
export function summarizeHouseholds(ctx: HouseholdContext, rng: Rng): HouseholdSummary {
  const sum = new HouseholdSummarizer()
  for (const b of householdBatches(ctx, rng)) sum.add(b)
  return sum.summary()
}

