import type { Db, Queryable } from '../../server/db/types.js'

/**
 * Counts the statements the app sends, inside transactions too (the routes run as the caller, one
 * scoped transaction per request), to prove bad requests are refused before any SQL. Loading the
 * session and switching to the request role (issue 6) happen on every request and are not counted.
 */
export function countingDb(db: Db) {
  let n = 0
  let outside = 0
  const isAuth = (sql: string) => /set_config\('role'|app_session/.test(sql)
  const counting = <Q extends Queryable>(q: Q): Queryable => ({
    query: (sql, params) => (isAuth(sql) || n++, q.query(sql, params)),
    exec: (sql) => (isAuth(sql) || n++, q.exec(sql)),
    copyFrom: (t, c, r) => (n++, q.copyFrom(t, c, r)),
  })
  const top = counting(db)
  const counted: Db = {
    ...top,
    // A data statement outside a transaction cannot have been scoped to the caller.
    query: (sql, params) => (isAuth(sql) || outside++, top.query(sql, params)),
    kind: db.kind,
    transaction: (fn) => db.transaction((tx) => fn(counting(tx))),
    close: () => db.close(),
  }
  return { db: counted, count: () => n, unscoped: () => outside }
}
