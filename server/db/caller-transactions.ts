/**
 * Transactions as the request roles (migrations 0004 and 0009): as povmap_app for a caller, whom the
 * database derives from the session id alone, or with no session; as povmap_auth for sign-in, sessions
 * and accounts. Each runs on the Db it is given: RequestDb chooses the request pool.
 */
import type { Db, Queryable, QueryOptions, QueryResult } from './types.js'
import { DbError } from './types.js'
import { ROLES, type Role } from '../../domain/roles.js'
import { isAdminCode } from '../../domain/admin-codes.js'

/** The request role (migration 0004): owns nothing, cannot log in, cannot bypass row-level security. */
export const APP_ROLE = 'povmap_app'

/** The request role for sign-in, sessions and accounts (migration 0009): reads no registry data. */
export const ACCOUNTS_ROLE = 'povmap_auth'

/**
 * Who a request transaction runs for. The database trusts `sid` alone: the raw session id, from which
 * it looks up the user, role and area itself (povmap_session_caller, migration 0009). role and scope
 * are this process's copy, for checks made before any SQL; ip, user agent and request id go into
 * audit rows.
 */
export interface DbCaller {
  sid: string
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
const SETUP = `SELECT set_config('role', '${APP_ROLE}', true) AS role, set_config('povmap.sid', $1, true),
  set_config('povmap.ip', $2, true), set_config('povmap.user_agent', $3, true), set_config('povmap.request_id', $4, true)`

/** Refuses a caller the tile cache and the early checks could not key on: malformed area, unknown role, no session. */
export function checkCaller(caller: Pick<DbCaller, 'sid' | 'role' | 'scope'>): void {
  if (!isAdminCode(caller.scope)) throw new DbError(`refusing a scoped transaction for malformed scope ${JSON.stringify(caller.scope.slice(0, 20))}`)
  if (!ROLES.includes(caller.role)) throw new DbError(`refusing a scoped transaction for unknown role ${JSON.stringify(String(caller.role).slice(0, 20))}`)
  if (!caller.sid) throw new DbError('refusing a scoped transaction without a session')
}

function setupParams(caller: DbCaller | null): string[] {
  if (caller) checkCaller(caller)
  return [caller?.sid ?? '', (caller?.ip ?? '').slice(0, 64), (caller?.userAgent ?? '').slice(0, 200), (caller?.requestId ?? '').slice(0, 64)]
}

/**
 * Runs fn in one transaction on `db` as the request role with the caller's session set. `caller` null:
 * the request role with no session, which sees no registry row (sessions, login, audit appends). The
 * transaction commits when fn resolves and rolls back when it throws.
 */
export async function withCaller<T>(db: Db, caller: DbCaller | null, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  const params = setupParams(caller)
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ role: string; scope: string }>(SETUP, params, { prepare: true })
    // The statement returns what it set: proof that this transaction runs as the request role.
    if (rows[0]?.role !== APP_ROLE) throw new DbError('could not switch to the request role')
    return fn(tx)
  })
}

/** The request role with no session: it sees no scoped row and may append only anonymous audit rows. */
export function asApp<T>(db: Db, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return withCaller(db, null, fn)
}

const ACCOUNTS_SETUP = `SELECT set_config('role', '${ACCOUNTS_ROLE}', true) AS role`

/**
 * Runs fn in one transaction as the accounts role, on the owner's connections (the request login of
 * APP_DATABASE_URL cannot switch to it): for the fixed statements of sign-in, sessions and account
 * administration, which the request role may not run.
 */
export function withAccounts<T>(db: Db, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ role: string }>(ACCOUNTS_SETUP, [], { prepare: true })
    if (rows[0]?.role !== ACCOUNTS_ROLE) throw new DbError('could not switch to the accounts role')
    return fn(tx)
  })
}

/** A per-request handle: every call is its own transaction as the caller, or `run` groups several. */
export interface ScopedDb {
  readonly caller: DbCaller
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[], opts?: QueryOptions): Promise<QueryResult<R>>
  run<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>
}

export function scopedDb(db: Db, caller: DbCaller): ScopedDb {
  return {
    caller,
    query: <R>(sql: string, params?: readonly unknown[], opts?: QueryOptions) => withCaller(db, caller, (tx) => tx.query<R>(sql, params, opts)),
    run: (fn) => withCaller(db, caller, fn),
  }
}
