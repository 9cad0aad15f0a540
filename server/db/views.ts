/**
 * Views: reads that depend on the role and area alone (tile rendering), one round trip each on a server.
 * A view connection keeps the request role and a session's id as session settings between statements.
 */
import type { Db, Queryable, QueryOptions, SessionView } from './types.js'
import { DbError } from './types.js'
import type { Role } from '../../domain/roles.js'
import { APP_ROLE, checkCaller, withCaller } from './caller-transactions.js'

/**
 * A role and an area: what row-level security reads, and what tiles are cached by. The database learns
 * them from the session `sid` of a caller who has them (any caller of that role and area will do).
 */
export interface DbView {
  role: Role
  scope: string
  sid: string
}

// The settings of a request transaction, for the session (set_config(…, false)): a view connection
// keeps them between statements. The address and request settings are emptied.
// Prepared statements in a view use their generic plan from the first run: PostgreSQL's default keeps
// re-planning a tile statement for every tile (a generic plan's estimate for `geom && $envelope` looks
// worse than the custom one), and planning under row-level security cost about as much as running it.
// Statements meant for a view must plan well with parameters unknown.
const VIEW_SETUP = `SELECT set_config('role', '${APP_ROLE}', false) AS role, set_config('povmap.sid', $1, false) AS sid,
  set_config('povmap.ip', '', false), set_config('povmap.user_agent', '', false), set_config('povmap.request_id', '', false),
  set_config('plan_cache_mode', 'force_generic_plan', false)`

/**
 * What names a view: connections and handles set up for the same key are interchangeable. The session
 * is part of it: a connection holds one session's id, and a statement on it fails once that session
 * ends (another session of the same role and area sets it up again).
 */
export const viewKey = (view: DbView) => `${view.role}:${view.scope}:${view.sid}`

function sessionView(view: DbView): SessionView {
  checkCaller(view)
  return {
    key: viewKey(view),
    setupSql: VIEW_SETUP,
    setupParams: [view.sid],
    verify: (rows) => rows[0]?.role === APP_ROLE && rows[0]?.sid === view.sid,
  }
}

/**
 * Runs each statement alone on `db`, as the request role with the view's role and area: on a server one
 * round trip on a connection already set up for the view (Db.queryInView) instead of BEGIN, set-up,
 * statement and COMMIT; on the embedded database withCaller. Only `query`: a view runs reads, never
 * writes or DDL. Refuses a malformed view before any SQL.
 */
export function viewQueryable(db: Db, view: DbView): Queryable {
  const session = sessionView(view)
  const refuse = async (): Promise<never> => {
    throw new DbError('a view runs single read statements only')
  }
  return {
    query: <R>(sql: string, params?: readonly unknown[], opts?: QueryOptions) =>
      db.queryInView
        ? db.queryInView<R>(session, sql, params, opts)
        : withCaller(db, { ...view, userId: null, username: null }, (tx) => tx.query<R>(sql, params, opts)),
    exec: refuse,
    copyFrom: refuse,
  }
}
