import type { Config } from '../infra/config.js'
import type { Db } from './types.js'
import { createPgDb } from './pg-db.js'
import { describeRequestLogin, requestLoginProblem } from './request-login.js'

/**
 * APP_DATABASE_URL: opens the pool that request transactions use (a login role that is a member of
 * povmap_app only; buildApp's requestPool). Refuses a role that could do more than povmap_app.
 * The caller closes the pool after the server stopped taking requests.
 */
export async function openRequestPool(config: Config, onIdleError?: (err: Error) => void): Promise<Db> {
  if (!config.appDatabaseUrl) throw new Error('openRequestPool needs APP_DATABASE_URL')
  const db = createPgDb({
    connectionString: config.appDatabaseUrl,
    poolMax: config.pg.poolMax,
    connectTimeoutMs: config.pg.connectTimeoutMs,
    statementTimeoutMs: config.pg.statementTimeoutMs,
    onIdleError,
  })
  try {
    const problem = requestLoginProblem(await describeRequestLogin(db))
    if (problem) throw new Error(`APP_DATABASE_URL is refused: ${problem}`)
  } catch (err) {
    await db.close()
    throw err
  }
  return db
}
