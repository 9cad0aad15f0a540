import fp from 'fastify-plugin'
import type { Db } from '../db/types.js'
import { RequestDb } from '../db/request-db.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The owner's database handle (health, sign-in statements through withAccounts). */
    db: Db
    /** The database as requests use it: caller transactions, views, the accounts role. */
    requestDb: RequestDb
  }
}

export interface DbPluginOptions {
  db: Db
  /** APP_DATABASE_URL's pool, for request transactions and views (default: db). */
  requestPool?: Db
}

/**
 * Shares the already-open database with every route. The caller owns opening it (start-up shows
 * progress) and closing it (after the server stopped taking requests).
 */
export default fp<DbPluginOptions>(
  async (app, opts) => {
    app.decorate('db', opts.db)
    app.decorate('requestDb', new RequestDb(opts.db, opts.requestPool))
  },
  { name: 'db', fastify: '5.x' },
)
