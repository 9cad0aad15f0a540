import type { Db, Queryable } from './types.js'
import { asApp, scopedDb, withAccounts, withCaller, type DbCaller, type ScopedDb } from './caller-transactions.js'
import { viewKey, viewQueryable, type DbView } from './views.js'

/**
 * The database as requests use it, one per app (the db plugin makes it): request transactions and views
 * run on `requests`, the pool of APP_DATABASE_URL's login role (a member of povmap_app and nothing else,
 * so that even a statement that escaped the role switch runs without the owner's rights), or on the
 * owner's pool where there is none; the accounts role, which that login cannot become, runs on the owner's.
 * Migrations, loads and start-up use the owner's Db directly.
 */
export class RequestDb {
  /** View handles by view key: the tile routes ask for one on every request. */
  private readonly views = new Map<string, Queryable>()

  constructor(
    readonly owner: Db,
    readonly requests: Db = owner,
  ) {}

  withCaller<T>(caller: DbCaller | null, fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return withCaller(this.requests, caller, fn)
  }

  asApp<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return asApp(this.requests, fn)
  }

  withAccounts<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return withAccounts(this.owner, fn)
  }

  /** A handle whose every call is a transaction as this caller. */
  scoped(caller: DbCaller): ScopedDb {
    return scopedDb(this.requests, caller)
  }

  /** Single read statements as the view's role and area (viewQueryable), one handle per view. */
  view(view: DbView): Queryable {
    const key = viewKey(view)
    let q = this.views.get(key)
    if (!q) {
      q = viewQueryable(this.requests, view)
      if (this.views.size >= 10_000) this.views.clear()
      this.views.set(key, q)
    }
    return q
  }
}
