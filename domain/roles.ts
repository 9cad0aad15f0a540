/**
 * Who works with the platform: the roles of its accounts, the departments of department viewers,
 * which roles see what, and the level of the area each role works at. What a route requires of a
 * role (access levels) is the server's; the database enforces the same split with row-level security.
 */
import { CODE_LENGTHS, levelOf, type AdminLevel } from './admin-codes.js'

export const ROLES = [
  'province_admin',
  'prefecture_officer',
  'county_officer',
  'township_officer',
  'village_team',
  'department_viewer',
  'leader',
  'auditor',
] as const
export type Role = (typeof ROLES)[number]

export const DEPARTMENTS = ['transport', 'water', 'education', 'health'] as const
export type Department = (typeof DEPARTMENTS)[number]

/** Roles that work with households and people: household points, members (masked), popups, exports. */
export const REGISTRY_ROLES: readonly Role[] = ['province_admin', 'prefecture_officer', 'county_officer', 'township_officer', 'village_team']
/** Roles that see aggregates, indicators, projects, divisions and the map (no personal data for the last two). */
export const DATA_ROLES: readonly Role[] = [...REGISTRY_ROLES, 'department_viewer', 'leader']
/** Roles that work case by case and may reveal one household's names, ID numbers and phone (audited). */
export const REVEAL_ROLES: readonly Role[] = ['county_officer', 'township_officer', 'village_team']
/** Roles that work in the field and upload photos of their village (驻村工作队). */
export const FIELD_ROLES: readonly Role[] = ['village_team']
/**
 * Roles that need a second factor by default (TOTP_ROLES changes the list): the ones that see personal
 * data, and auditors, who read who saw it.
 */
export const TOTP_ROLES: readonly Role[] = [...REGISTRY_ROLES, 'auditor']

/** The levels whose areas an account of each role may be given. */
export const ROLE_LEVELS: Readonly<Record<Role, readonly AdminLevel[]>> = {
  province_admin: ['province'],
  prefecture_officer: ['prefecture'],
  county_officer: ['county'],
  township_officer: ['township'],
  village_team: ['village'],
  department_viewer: ['province', 'prefecture', 'county'],
  leader: ['province', 'prefecture', 'county'],
  auditor: ['province', 'prefecture', 'county'],
}

/** Whether an account of this role may work in the area with this code. */
export function roleFitsArea(role: Role, code: string): boolean {
  const level = levelOf(code)
  return level !== null && ROLE_LEVELS[role].includes(level)
}

/** The code lengths of a role's areas (for messages). */
export const roleCodeLengths = (role: Role): number[] => ROLE_LEVELS[role].map((l) => CODE_LENGTHS[l])
