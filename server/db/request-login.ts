/** APP_DATABASE_URL: what the login role of a request pool may do, to refuse one that could do more than povmap_app. */
import type { Db } from './types.js'
import { APP_ROLE } from './caller-transactions.js'

export interface RequestLogin {
  user: string
  superuser: boolean
  bypassRls: boolean
  createRole: boolean
  createDb: boolean
  /** Roles it may SET ROLE to or inherits from, povmap_app expected alone. */
  memberOf: string[]
  /** Objects it owns in this database (tables, functions, types, schemas). */
  owns: number
}

/** What the login role of a pool is. */
export async function describeRequestLogin(db: Db): Promise<RequestLogin> {
  const { rows } = await db.query<RequestLogin>(
    `SELECT r.rolname AS user, r.rolsuper AS superuser, r.rolbypassrls AS "bypassRls", r.rolcreaterole AS "createRole", r.rolcreatedb AS "createDb",
       ARRAY(SELECT g.rolname::text FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid ORDER BY 1) AS "memberOf",
       ((SELECT count(*) FROM pg_class WHERE relowner = r.oid) + (SELECT count(*) FROM pg_proc WHERE proowner = r.oid)
        + (SELECT count(*) FROM pg_type WHERE typowner = r.oid) + (SELECT count(*) FROM pg_namespace WHERE nspowner = r.oid))::int AS owns
     FROM pg_roles r WHERE r.rolname = session_user`,
  )
  return rows[0]!
}

/** Why a login role must not serve requests, or null when it is fit (member of povmap_app only, no privileges of its own). */
export function requestLoginProblem(l: RequestLogin): string | null {
  if (l.superuser) return `${l.user} is a superuser`
  if (l.bypassRls) return `${l.user} may bypass row-level security`
  if (l.createRole || l.createDb) return `${l.user} may create roles or databases`
  if (l.owns > 0) return `${l.user} owns ${l.owns} objects in this database`
  if (l.memberOf.length !== 1 || l.memberOf[0] !== APP_ROLE) return `${l.user} must be a member of ${APP_ROLE} and of no other role (is: ${l.memberOf.join(', ') || 'none'})`
  return null
}
