import type { Db, Queryable, QueryResult } from './types.js'
import { DbError } from './types.js'
import { AREA_CODE, ROLES, type Role } from '../auth/roles.js'

/** The request role (migration 0004): owns nothing, cannot log in, cannot bypass row-level security. */
export const APP_ROLE = 'povmap_app'

/** What the database policies read: the caller's role and area, plus who and where for audit rows. */
export interface DbCaller {
  role: Role
  scope: string
  userId: number | null
  username: string | null
  ip?: string
  userAgent?: string
  requestId?: string
}

// One statement, bind parameters only. set_config(…, true) is transaction-local: COMMIT or ROLLBACK
// puts the role and every setting back, so a pooled connection never carries a caller into the
// next transaction. set_config('role', …) is SET LOCAL ROLE.
const SETUP = `SELECT set_config('role', '${APP_ROLE}', true) AS role,
  set_config('povmap.scope', $1, true) AS scope, set_config('povmap.role', $2, true),
  set_config('povmap.user_id', $3, true), set_config('povmap.username', $4, true),
  set_config('povmap.ip', $5, true), set_config('povmap.user_agent', $6, true), set_config('povmap.request_id', $7, true)`

function setupParams(caller: DbCaller | null): string[] {
  if (caller) {
    // Checked here too: a malformed scope would be a silent widening or narrowing of what RLS shows.
    if (!AREA_CODE.test(caller.scope)) throw new DbError(`refusing a scoped transaction for malformed scope ${JSON.stringify(caller.scope.slice(0, 20))}`)
    if (!ROLES.includes(caller.role)) throw new DbError(`refusing a scoped transaction for unknown role ${JSON.stringify(String(caller.role).slice(0, 20))}`)
  }
  return [
    caller?.scope ?? '',
    caller?.role ?? '',
    caller?.userId === null || caller?.userId === undefined ? '' : String(caller.userId),
    caller?.username ?? '',
    (caller?.ip ?? '').slice(0, 64),
    (caller?.userAgent ?? '').slice(0, 200),
    (caller?.requestId ?? '').slice(0, 64),
  ]
}

/**
 * Runs fn in one transaction as the request role with the caller's scope set, on either database
 * kind. `caller` null: the request role with no scope, which sees no registry row (sessions, login,
 * audit appends). The transaction commits when fn resolves and rolls back when it throws.
 */
export async function withCaller<T>(db: Db, caller: DbCaller | null, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  const params = setupParams(caller)
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ role: string; scope: string }>(SETUP, params)
    // The statement returns what it set: proof that this transaction runs as the request role.
    if (rows[0]?.role !== APP_ROLE) throw new DbError('could not switch to the request role')
    return fn(tx)
  })
}

/** The request role with no caller: for sessions, sign-in and appending audit rows. */
export function asApp<T>(db: Db, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return withCaller(db, null, fn)
}

/** A per-request handle: every call is its own scoped transaction, or `run` groups several. */
export interface ScopedDb {
  readonly caller: DbCaller
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>
  run<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>
}

export function scopedDb(db: Db, caller: DbCaller): ScopedDb {
  return {
    caller,
    query: <R>(sql: string, params?: readonly unknown[]) => withCaller(db, caller, (tx) => tx.query<R>(sql, params)),
    run: (fn) => withCaller(db, caller, fn),
  }
}
