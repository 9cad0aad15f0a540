/**
 * Work teams (因村派人), development wishes (发展意愿) and data-quality counters of an area (issue 16):
 * the answers of server/workteams/ routes; the client takes its types from here.
 */
import { Type, type Static } from 'typebox'
import { AdminLevel, AreaCode, HouseholdRef, Nullable, OneOf, Year } from './common.js'

export const TEAM_ROLES = ['first_secretary', 'member', 'pairing_cadre'] as const
export const WISH_KINDS = ['industry', 'employment', 'skills_training', 'relocation', 'housing', 'water', 'road', 'education', 'health', 'finance', 'other'] as const
export const WISH_STATUSES = ['open', 'in_progress', 'met', 'dropped'] as const
export type WishKind = (typeof WISH_KINDS)[number]

/** Names of the wish kinds, Chinese first. */
export const WISH_KIND_NAMES: Readonly<Record<WishKind, { zh: string; en: string }>> = {
  industry: { zh: '产业发展', en: 'Industry' },
  employment: { zh: '就业', en: 'Employment' },
  skills_training: { zh: '技能培训', en: 'Skills training' },
  relocation: { zh: '易地搬迁', en: 'Relocation' },
  housing: { zh: '住房', en: 'Housing' },
  water: { zh: '饮水', en: 'Drinking water' },
  road: { zh: '道路', en: 'Road' },
  education: { zh: '教育', en: 'Education' },
  health: { zh: '健康', en: 'Health' },
  finance: { zh: '金融', en: 'Finance' },
  other: { zh: '其他', en: 'Other' },
}

const Day = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'YYYY-MM-DD' })

/** A cadre: name and unit in clear (posted in the village), the phone masked like a household's. */
export const Cadre = Type.Object({
  id: Type.Integer(),
  role: OneOf(TEAM_ROLES),
  name: Type.String(),
  unit: Type.String(),
  phone: Nullable(Type.String({ description: 'masked: 138****5678' })),
  startedOn: Day,
  endedOn: Nullable(Day),
  pairedHouseholds: Type.Integer(),
})
export type Cadre = Static<typeof Cadre>

/** Counts of an area's work teams (any data role). */
export const TeamCounts = Type.Object({
  villages: Type.Integer(),
  povertyVillages: Type.Integer(),
  withTeam: Type.Integer({ description: 'villages with an active work team (resident or not)' }),
  withResidentTeam: Type.Integer(),
  withoutResidentTeam: Type.Integer(),
  povertyWithoutResidentTeam: Type.Integer({ description: 'the flag: poverty villages without an active resident team' }),
  cadres: Type.Integer({ description: 'first secretaries, team members and pairing cadres' }),
  pairedHouseholds: Type.Integer(),
  households: Type.Integer({ description: 'registered households' }),
})

export const VillageTeam = Type.Object({
  code: AreaCode,
  name: Type.String(),
  poverty: Type.Boolean(),
  residentTeam: Type.Boolean(),
  flag: Type.Boolean({ description: 'a poverty village without an active resident team' }),
  team: Nullable(Type.Object({ dispatchedBy: Type.String(), resident: Type.Boolean(), startedOn: Day, endedOn: Nullable(Day) })),
  cadres: Type.Integer(),
  pairedHouseholds: Type.Integer(),
  households: Type.Integer(),
  members: Nullable(Type.Array(Cadre), { description: 'the first secretary, members and pairing cadres; null for roles that see counts only (department viewers, leaders)' }),
})

export const AreaWorkTeams = Type.Object({
  code: AreaCode,
  level: AdminLevel,
  counts: TeamCounts,
  children: Type.Array(Type.Object({ code: AreaCode, name: Type.String(), counts: TeamCounts }), { description: 'the same counts for each area one level down (none for a village)' }),
  villages: Nullable(Type.Array(VillageTeam), { description: 'each village of the area with its team and flag, for a county and below; null above (use children)' }),
})
export type AreaWorkTeams = Static<typeof AreaWorkTeams>

export const Wish = Type.Object({
  id: Type.Integer(),
  kind: OneOf(WISH_KINDS),
  note: Type.String(),
  recordedOn: Day,
  status: OneOf(WISH_STATUSES),
})

export const HouseholdWishes = Type.Object({
  ref: HouseholdRef,
  villageCode: AreaCode,
  pairedWith: Nullable(Cadre, { description: 'the household’s 帮扶责任人' }),
  wishes: Type.Array(Wish),
})
export type HouseholdWishes = Static<typeof HouseholdWishes>

export const QualityCounts = Type.Object({
  households: Type.Integer({ description: 'registered households' }),
  outsideVillage: Type.Integer({ description: 'households whose location lies outside their village polygon' }),
  invalidIdMembers: Type.Integer({ description: 'members without a valid ID number (GB 11643 format, birth date, check character)' }),
  sizeMismatch: Type.Integer({ description: 'households whose size differs from their member count' }),
  notUpdated: Type.Integer({ description: 'households without a registry record for the year' }),
  waitingRequests: Type.Integer({ description: 'change requests pending for longer than `days`' }),
  povertyVillagesWithoutTeam: Type.Integer({ description: 'poverty villages without an active resident work team' }),
  problems: Type.Integer({ description: 'the sum of the counters above but households' }),
})
export type QualityCounts = Static<typeof QualityCounts>

export const DataQualityQuery = Type.Object(
  {
    days: Type.Integer({ minimum: 1, maximum: 365, default: 7, description: 'a change request waiting longer than this many days counts' }),
    year: Year,
  },
  { additionalProperties: false },
)

export const AreaDataQuality = Type.Object({
  code: AreaCode,
  name: Type.String(),
  level: AdminLevel,
  year: Type.Integer(),
  days: Type.Integer(),
  counts: QualityCounts,
  children: Type.Array(Type.Object({ code: AreaCode, name: Type.String(), counts: QualityCounts })),
})
export type AreaDataQuality = Static<typeof AreaDataQuality>
