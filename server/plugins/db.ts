import fp from 'fastify-plugin'
import type { Db } from '../db/types.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Db
  }
}

export interface DbPluginOptions {
  db: Db
}

/**
 * Shares the already-open database with every route. The caller owns opening it (start-up shows
 * progress) and closing it (after the server stopped taking requests).
 */
export default fp<DbPluginOptions>(
  async (app, opts) => {
    app.decorate('db', opts.db)
  },
  { name: 'db', fastify: '5.x' },
)
