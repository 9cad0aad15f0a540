/**
 * Who may do what. The database enforces the same split with row-level security (migration 0004:
 * povmap_sees_registry / povmap_sees_aggregates / povmap_reveal_household); this module decides
 * early, before any SQL, and gives the deny its status and audit entry. The roles themselves and
 * which of them see what are domain vocabulary (domain/roles.ts).
 */
import { DATA_ROLES, FIELD_ROLES, REGISTRY_ROLES, REVEAL_ROLES, type Department, type Role } from '../../domain/roles.js'

/**
 * Accounts a province administrator cannot create alone (four eyes, migration 0010): roles that may do what
 * the administrator may not (reveal, audit), and administrators, who would approve the rest. Another
 * province administrator or an auditor of the area approves; disabling an auditor is a request too.
 */
export const APPROVAL_ROLES: readonly Role[] = ['province_admin', ...REVEAL_ROLES, 'auditor']
/** Who decides account requests (another person than the requester, see APPROVAL_ROLES). */
export const REVIEW_ROLES: readonly Role[] = ['province_admin', 'auditor']

/**
 * What a route requires; declared as `config: { access }` on the route, with defaults by path
 * (see defaultAccess): deny by default, public only where listed.
 * - public: no session (health, login, docs, the static client, the style, TileJSON, terrain)
 * - signed-in: any signed-in user, also one who still has to enrol a second factor (me, logout, password, TOTP)
 * - data: DATA_ROLES (map, tiles, areas, indicators, diagnosis)
 * - registry: REGISTRY_ROLES (household detail, members, exports)
 * - field: FIELD_ROLES (uploading photos of their village)
 * - audit: auditor
 * - admin: province_admin (accounts)
 * - review: REVIEW_ROLES (account requests: the second pair of eyes)
 */
export type Access = 'public' | 'signed-in' | 'data' | 'registry' | 'field' | 'audit' | 'admin' | 'review'
export const ACCESS_LEVELS: readonly Access[] = ['public', 'signed-in', 'data', 'registry', 'field', 'audit', 'admin', 'review']

export function roleAllows(access: Access, role: Role): boolean {
  switch (access) {
    case 'public':
    case 'signed-in':
      return true
    case 'data':
      return DATA_ROLES.includes(role)
    case 'registry':
      return REGISTRY_ROLES.includes(role)
    case 'field':
      return FIELD_ROLES.includes(role)
    case 'audit':
      return role === 'auditor'
    case 'admin':
      return role === 'province_admin'
    case 'review':
      return REVIEW_ROLES.includes(role)
  }
}

/**
 * The access a route gets when it declares none. Deny by default: everything under /api and /tiles
 * needs a signed-in data role; household routes need a registry role; only the listed paths are public.
 */
export function defaultAccess(method: string, url: string): Access {
  if (url === '/api/health' || url === '/api/docs' || url.startsWith('/api/docs/')) return 'public'
  // Layer descriptions and the style hold no data; the DEM is synthetic public relief. The map frame
  // can draw before anyone signs in.
  if (url === '/styles/povmap.json' || url === '/tiles/:file' || url.startsWith('/tiles/terrain/')) return 'public'
  if (url.startsWith('/api/households')) return 'registry'
  if (url.startsWith('/api/') || url === '/api' || url.startsWith('/tiles/') || url.startsWith('/styles/')) return 'data'
  // Everything else is the static client (built files) registered by @fastify/static.
  return method === 'GET' || method === 'HEAD' ? 'public' : 'data'
}

export interface Caller {
  userId: number
  username: string
  displayName: string
  role: Role
  /** Administrative code of the user's area; the user sees it and everything below it. */
  scope: string
  department: Department | null
  /** 'enrol': signed in with the password but a second factor is required and not yet set up. */
  factor: 'ok' | 'enrol'
}
