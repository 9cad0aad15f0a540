/**
 * Administrative divisions: their levels and the rules of their codes, which are strings of 2 digits
 * (province), 4 (prefecture), 6 (county), 9 (township) or 12 (village), each starting with its parent's.
 */

export const ADMIN_LEVELS = ['province', 'prefecture', 'county', 'township', 'village'] as const
export type AdminLevel = (typeof ADMIN_LEVELS)[number]

/** Digits of a code at each level, in level order. */
export const CODE_LENGTHS: Readonly<Record<AdminLevel, number>> = { province: 2, prefecture: 4, county: 6, township: 9, village: 12 }

/** Hunan. */
export const PROVINCE_CODE = '43'

/** A code of any level, as a JSON-schema pattern (route schemas) and as a RegExp. */
export const ADMIN_CODE_PATTERN = '^[0-9]{2}([0-9]{2}([0-9]{2}([0-9]{3}([0-9]{3})?)?)?)?$'
export const ADMIN_CODE = new RegExp(ADMIN_CODE_PATTERN)

export const isAdminCode = (s: string): boolean => ADMIN_CODE.test(s)

const levelIndex = (code: string) => ADMIN_LEVELS.findIndex((l) => CODE_LENGTHS[l] === code.length)

/** The level of a code, or null when its length is no level's. */
export function levelOf(code: string): AdminLevel | null {
  return ADMIN_LEVELS[levelIndex(code)] ?? null
}

/** The level one below a code's, or null for a village (or a malformed code). */
export function childLevelOf(code: string): AdminLevel | null {
  const i = levelIndex(code)
  return i < 0 ? null : (ADMIN_LEVELS[i + 1] ?? null)
}

/** Length of the codes one level below, or null for a village. */
export function childCodeLength(code: string): number | null {
  const level = childLevelOf(code)
  return level ? CODE_LENGTHS[level] : null
}

/** The code of the division one level up, or null for the province. */
export function parentOf(code: string): string | null {
  const up = ADMIN_LEVELS[levelIndex(code) - 1]
  return up ? code.slice(0, CODE_LENGTHS[up]) : null
}

/** The code and its ancestors, province first. */
export function lineage(code: string): string[] {
  return ADMIN_LEVELS.map((l) => CODE_LENGTHS[l])
    .filter((n) => n <= code.length)
    .map((n) => code.slice(0, n))
}

/** Whether a division lies in an area (is it, or below it). */
export const isInside = (code: string, area: string): boolean => code.startsWith(area)

/** How a code relates to an area: in it (or it), one of the divisions above it, or elsewhere. */
export type AreaRelation = 'inside' | 'above' | 'outside'

export function areaRelation(area: string, code: string): AreaRelation {
  if (isInside(code, area)) return 'inside'
  if (isInside(area, code)) return 'above'
  return 'outside'
}
