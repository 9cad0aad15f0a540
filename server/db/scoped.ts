import type { Db, Queryable, QueryOptions, QueryResult, SessionView } from './types.js'
import { DbError } from './types.js'
import { ROLES, type Role } from '../../domain/roles.js'
import { ADMIN_CODE } from '../../domain/admin-codes.js'

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

function setupParams(caller: DbCaller | null): string[] {
  if (caller) {
    // Checked here too: these are what the tile cache and the early checks key on.
    if (!ADMIN_CODE.test(caller.scope)) throw new DbError(`refusing a scoped transaction for malformed scope ${JSON.stringify(caller.scope.slice(0, 20))}`)
    if (!ROLES.includes(caller.role)) throw new DbError(`refusing a scoped transaction for unknown role ${JSON.stringify(String(caller.role).slice(0, 20))}`)
    if (!caller.sid) throw new DbError('refusing a scoped transaction without a session')
  }
  return [caller?.sid ?? '', (caller?.ip ?? '').slice(0, 64), (caller?.userAgent ?? '').slice(0, 200), (caller?.requestId ?? '').slice(0, 64)]
}

// ---- APP_DATABASE_URL: request transactions on connections of a login role that owns nothing -------------
/** Owner database → the pool request transactions use instead (see useRequestConnections). */
const requestConnections = new WeakMap<Db, Db>()

/**
 * From now on every request transaction for `owner` (withCaller, asApp, scopedDb: all of them, sessions
 * and audit appends included) runs on `request`: a pool that connects as a login role which is a member
 * of povmap_app and nothing else. Even a statement that escaped the role switch would then run without
 * the owner's rights. Migrations, loads and start-up keep using `owner` directly.
 */
export function useRequestConnections(owner: Db, request: Db): void {
  requestConnections.set(owner, request)
}

/** The database request transactions for `db` run on: the registered request pool, or db itself. */
export function requestDbOf(db: Db): Db {
  return requestConnections.get(db) ?? db
}

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

/** What the login role of a request pool is; used to refuse a start on one that could do more than povmap_app. */
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

/**
 * Runs fn in one transaction as the request role with the caller's scope set, on either database
 * kind. `caller` null: the request role with no scope, which sees no registry row (sessions, login,
 * audit appends). The transaction commits when fn resolves and rolls back when it throws.
 */
export async function withCaller<T>(db: Db, caller: DbCaller | null, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  const params = setupParams(caller)
  return requestDbOf(db).transaction(async (tx) => {
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

/** A per-request handle: every call is its own scoped transaction, or `run` groups several. */
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

// ---- views: reads that depend on the role and area alone, one round trip each ---------------------------
/**
 * A role and an area: what row-level security reads, and what tiles are cached by. The database learns
 * them from the session `sid` of a caller who has them (any caller of that role and area will do).
 */
export interface DbView {
  role: Role
  scope: string
  sid: string
}

// The same settings as SETUP, for the session (set_config(…, false)): a view connection keeps them
// between statements. The address and request settings are emptied.
// Prepared statements in a view use their generic plan from the first run: PostgreSQL's default keeps
// re-planning a tile statement for every tile (a generic plan's estimate for `geom && $envelope` looks
// worse than the custom one), and planning it under row-level security took 0.27 ms against 0.31 ms to
// run it (z14 province tile). Statements meant for a view must plan well with parameters unknown.
const VIEW_SETUP = `SELECT set_config('role', '${APP_ROLE}', false) AS role, set_config('povmap.sid', $1, false) AS sid,
  set_config('povmap.ip', '', false), set_config('povmap.user_agent', '', false), set_config('povmap.request_id', '', false),
  set_config('plan_cache_mode', 'force_generic_plan', false)`

/**
 * What names a view: connections and handles set up for the same key are interchangeable. The session
 * is part of it: a connection holds one session's id, and a statement on it fails once that session
 * ends (another session of the same role and area sets it up again).
 */
const viewKey = (view: DbView) => `${view.role}:${view.scope}:${view.sid}`

function sessionView(view: DbView): SessionView {
  setupParams({ ...view, userId: null, username: null })
  return {
    key: viewKey(view),
    setupSql: VIEW_SETUP,
    setupParams: [view.sid],
    verify: (rows) => rows[0]?.role === APP_ROLE && rows[0]?.sid === view.sid,
  }
}
/**
 * Runs each statement alone, as the request role with the view's role and area, on either database
 * kind: for single-statement reads on the hot path (tile rendering). On a server it is one round trip
 * on a connection already set up for the view (Db.queryInView), instead of BEGIN, set-up, statement and
 * COMMIT; on the embedded database it is withCaller. Only `query`: a view runs reads, never writes or DDL.
 */
export function viewQueryable(db: Db, view: DbView): Queryable {
  // One handle per database, role and area: the tile routes ask for one on every request.
  let handles = viewHandles.get(db)
  if (!handles) viewHandles.set(db, (handles = new Map()))
  const key = viewKey(view)
  let q = handles.get(key)
  if (!q) {
    if (handles.size >= 10_000) handles.clear()
    q = newViewQueryable(db, view)
    handles.set(key, q)
  }
  return q
}

const viewHandles = new WeakMap<Db, Map<string, Queryable>>()

function newViewQueryable(db: Db, view: DbView): Queryable {
  const session = sessionView(view)
  const refuse = async (): Promise<never> => {
    throw new DbError('a view runs single read statements only')
  }
  return {
    query: <R>(sql: string, params?: readonly unknown[], opts?: QueryOptions) => {
      // Looked up per statement: request connections may be registered after the handle was made.
      const target = requestDbOf(db)
      return target.queryInView
        ? target.queryInView<R>(session, sql, params, opts)
        : withCaller(db, { ...view, userId: null, username: null }, (tx) => tx.query<R>(sql, params, opts))
    },
    exec: refuse,
    copyFrom: refuse,
  }
}
