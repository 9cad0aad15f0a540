/**
 * Synthetic work teams (因村派人), pairings of cadres with households (结对帮扶) and households' development
 * wishes (发展意愿、项目需求), for migration 0016's tables. Deterministic: each village draws from its own
 * stream (`fork('work-teams').fork(code)`), so a village's rows depend on the seed, the village and its
 * households alone, never on the order of the others. The ids of cadres and wishes are numbered by the
 * caller in village order. Most poverty villages get a resident team; some get none or one that only
 * visits, so that the map shows the flag (a poverty village without a resident team).
 */
import type { Rng } from './rng.js'
import { createRng } from './rng.js'
import { GIVEN, SURNAME_LISTS } from './households/names.js'
import { TEAM_ROLES, WISH_KINDS, WISH_STATUSES, type WishKind } from '../../domain/schemas/workteams.js'
import type { MeasureFamily } from '../../domain/registry/enums.js'


export interface TeamVillage {
  code: string
  poverty: boolean
  countyName: string
}

export interface TeamHousehold {
  /** The household's id as the database holds it (a bigint, as text or number). */
  id: string | number
  /** Poor or returned in the latest registry year. */
  poor: boolean
}

export interface WorkTeamRow {
  village_code: string
  dispatched_by: string
  resident: boolean
  started_on: string
  ended_on: string | null
}

export interface WorkTeamMemberRow {
  id: number
  village_code: string
  role: (typeof TEAM_ROLES)[number]
  name: string
  unit: string
  phone: string
  started_on: string
  ended_on: string | null
}

export interface PairingRow {
  household_id: string | number
  cadre_id: number
  village_code: string
  since: string
}

export interface WishRow {
  id: number
  household_id: string | number
  village_code: string
  kind: WishKind
  note: string
  recorded_on: string
  status: (typeof WISH_STATUSES)[number]
}

export interface VillageTeamRows {
  team: WorkTeamRow | null
  members: WorkTeamMemberRow[]
  pairings: PairingRow[]
  wishes: WishRow[]
}

/** Provincial and county units that sent teams and cadres (派出单位); county ones carry the county's name. */
const PROVINCE_UNITS = ['湖南省扶贫开发办公室', '湖南省交通运输厅', '湖南省水利厅', '湖南省卫生健康委员会', '湖南省农业农村厅', '国网湖南省电力有限公司', '中国农业银行湖南省分行']
const COUNTY_UNITS = ['人民政府办公室', '交通运输局', '水利局', '教育局', '卫生健康局', '农业农村局', '人力资源和社会保障局', '财政局', '人民医院', '自然资源局', '住房和城乡建设局', '林业局']

const WISH_NOTES: Readonly<Record<WishKind, readonly string[]>> = {
  industry: ['希望发展黄桃种植，需要种苗和技术指导', '想扩大养猪规模，需要建圈舍', '希望加入茶叶合作社', '想种植猕猴桃，缺少资金和销路'],
  employment: ['希望到县城务工', '需要就近就业岗位（扶贫车间）', '希望推荐公益性岗位'],
  skills_training: ['希望参加厨师培训', '想学习电工技能', '需要种养殖实用技术培训'],
  relocation: ['愿意易地扶贫搬迁到集中安置点', '希望搬迁到镇上'],
  housing: ['住房为危房，需要改造', '希望修缮屋顶'],
  water: ['饮水不稳定，需要接通自来水', '需要修建蓄水池'],
  road: ['组里通户路未硬化', '希望修通产业路'],
  education: ['孩子上高中需要助学金', '希望落实雨露计划补助'],
  health: ['慢性病需要签约家庭医生', '需要办理门诊特殊病种'],
  finance: ['希望申请扶贫小额信贷', '需要产业发展贷款贴息'],
  other: ['希望办理低保', '需要购买农机具'],
}
const WISH_WEIGHTS = [30, 18, 10, 4, 8, 6, 6, 7, 6, 4, 3]

const pad = (n: number) => String(n).padStart(2, '0')
const date = (rng: Rng, fromYear: number, toYear: number) => `${rng.int(fromYear, toYear)}-${pad(rng.int(1, 12))}-${pad(rng.int(1, 28))}`

function personName(rng: Rng): string {
  const list = SURNAME_LISTS.han
  const sex = rng.chance(0.75) ? 'M' : 'F'
  const pool = sex === 'M' ? GIVEN.maleYoung : GIVEN.femaleYoung
  return rng.weighted(list.names, list.weights) + rng.pick(pool) + (rng.chance(0.6) ? rng.pick(pool) : '')
}

const phone = (rng: Rng) => `1${rng.pick(['3', '5', '7', '8', '9'])}${String(rng.int(0, 999_999_999)).padStart(9, '0')}`
const countyUnit = (rng: Rng, v: TeamVillage) => `${v.countyName}${rng.pick(COUNTY_UNITS)}`

/**
 * One village's rows. `nextId` numbers cadres and wishes (the caller keeps it across villages). Every
 * registered household is paired with a cadre; about 40 % have a wish, poor ones more often.
 */
export function generateVillageTeam(seed: number, village: TeamVillage, households: readonly TeamHousehold[], nextId: () => number): VillageTeamRows {
  const rng = createRng(seed).fork('work-teams').fork(village.code)
  const members: WorkTeamMemberRow[] = []
  // Poverty villages: 85 % a resident team, 5 % a team that only visits, 10 % none yet. Others: 8 % a team.
  const roll = rng.next()
  const hasTeam = village.poverty ? roll < 0.9 : roll < 0.08
  const resident = hasTeam && (village.poverty ? roll < 0.85 : true)
  let team: WorkTeamRow | null = null
  if (hasTeam) {
    const provincial = rng.chance(0.2)
    const dispatchedBy = provincial ? rng.pick(PROVINCE_UNITS) : countyUnit(rng, village)
    const startedOn = date(rng, 2015, 2018)
    team = { village_code: village.code, dispatched_by: dispatchedBy, resident, started_on: startedOn, ended_on: null }
    members.push({ id: nextId(), village_code: village.code, role: 'first_secretary', name: personName(rng), unit: dispatchedBy, phone: phone(rng), started_on: startedOn, ended_on: null })
    for (let i = rng.int(1, 3); i > 0; i--) {
      members.push({ id: nextId(), village_code: village.code, role: 'member', name: personName(rng), unit: rng.chance(0.5) ? dispatchedBy : countyUnit(rng, village), phone: phone(rng), started_on: startedOn, ended_on: null })
    }
  }
  // One cadre for about five households: the team's members first, then cadres of county units.
  const needed = Math.ceil(households.length / 5)
  while (members.length < needed) {
    members.push({ id: nextId(), village_code: village.code, role: 'pairing_cadre', name: personName(rng), unit: countyUnit(rng, village), phone: phone(rng), started_on: date(rng, 2015, 2017), ended_on: null })
  }
  const pairings: PairingRow[] = []
  const wishes: WishRow[] = []
  households.forEach((h, i) => {
    const cadre = members[i % members.length]!
    pairings.push({ household_id: h.id, cadre_id: cadre.id, village_code: village.code, since: cadre.started_on })
    if (rng.chance(h.poor ? 0.6 : 0.3)) {
      const kind = rng.weighted(WISH_KINDS, WISH_WEIGHTS)
      const status = rng.weighted(WISH_STATUSES, h.poor ? [40, 35, 20, 5] : [10, 20, 60, 10])
      wishes.push({ id: nextId(), household_id: h.id, village_code: village.code, kind, note: rng.pick(WISH_NOTES[kind]), recorded_on: date(rng, 2016, 2020), status })
    }
  })
  return { team, members, pairings, wishes }
}

// ---- assistance measures (帮扶计划, migration 0012's assistance_measure) ------------------------------------------
type Family = MeasureFamily

export interface MeasureHousehold extends TeamHousehold {
  mainCause: string
  /** Lifted out of poverty in the latest registry year. */
  lifted: boolean
}

export interface MeasureRow {
  household_id: string | number
  village_code: string
  family: Family
  title: string
  cadre: string
  amount_yuan: number
  start_date: string
  target_date: string
  status: 'planned' | 'under_way' | 'done' | 'dropped'
  notes: string
}

/** The measure that answers a main cause first (因户施策), then the common ones. */
const FAMILY_BY_CAUSE: Readonly<Record<string, Family>> = {
  illness: 'health', disability: 'social_security', schooling: 'education', disaster: 'housing_renovation', land: 'industry', water: 'other',
  skills: 'employment', labour: 'social_security', capital: 'finance', transport: 'relocation', drive: 'employment', other: 'industry',
}
const TITLES: Readonly<Record<Family, readonly string[]>> = {
  industry: ['黄桃种植', '猕猴桃种植', '生猪养殖', '茶叶种植', '湘西黄牛养殖'],
  employment: ['转移就业交通补贴', '扶贫车间就业', '公益性岗位'],
  relocation: ['易地扶贫搬迁集中安置'],
  education: ['雨露计划职业教育补助', '义务教育阶段助学'],
  health: ['家庭医生签约服务', '大病专项救治'],
  housing_renovation: ['农村危房改造补助'],
  eco_compensation: ['生态护林员岗位'],
  social_security: ['农村低保兜底', '特困供养'],
  finance: ['扶贫小额信贷'],
  other: ['饮水安全巩固提升'],
}
const AMOUNTS: Readonly<Record<Family, readonly [number, number]>> = {
  industry: [2000, 10000], employment: [500, 3000], relocation: [20000, 60000], education: [1000, 3000], health: [500, 8000],
  housing_renovation: [8000, 35000], eco_compensation: [8000, 10000], social_security: [1500, 5000], finance: [10000, 50000], other: [500, 3000],
}

/**
 * A household's assistance plan: one measure for its main cause and, for a household still poor, often an
 * industry or employment measure too; its paired cadre is responsible. Lifted households' measures are
 * done; the others under way or planned. Own stream per household (`fork('measures')`).
 */
export function generateMeasures(seed: number, villageCode: string, h: MeasureHousehold, cadre: string): MeasureRow[] {
  const rng = createRng(seed).fork('measures').fork(String(h.id))
  const families: Family[] = [FAMILY_BY_CAUSE[h.mainCause] ?? 'industry']
  if (!h.lifted && rng.chance(0.6)) {
    const extra: Family = rng.chance(0.6) ? 'industry' : 'employment'
    if (!families.includes(extra)) families.push(extra)
  }
  return families.map((family) => {
    const startYear = rng.int(2015, 2019)
    const start = `${startYear}-${pad(rng.int(1, 12))}-${pad(rng.int(1, 28))}`
    const target = `${Math.min(startYear + rng.int(1, 2), 2020)}-12-31`
    const [lo, hi] = AMOUNTS[family]
    const status = h.lifted ? 'done' : rng.weighted(['under_way', 'planned', 'done'] as const, [60, 25, 15])
    const notes = status === 'planned' ? [] : [{ at: `${start}T00:00:00Z`, by: cadre, text: status === 'done' ? '已落实' : '正在实施' }]
    return {
      household_id: h.id, village_code: villageCode, family, title: rng.pick(TITLES[family]), cadre, amount_yuan: Math.round(rng.range(lo, hi) / 100) * 100,
      start_date: start, target_date: target, status, notes: JSON.stringify(notes),
    }
  })
}
