import type { Config } from '../infra/config.js'
import type { Db } from './types.js'
import { createPgDb } from './pg-db.js'
import { openEmbeddedDb } from './embedded-db.js'
import type { EmbeddedStage } from './embedded-protocol.js'

export interface OpenDbHooks {
  onProgress?: (stage: EmbeddedStage) => void
  onIdleError?: (err: Error) => void
}

/** DATABASE_URL set → a pg pool to that server; unset → the embedded PostGIS under DATA_DIR. */
export async function openDb(config: Config, hooks: OpenDbHooks = {}): Promise<Db> {
  if (config.databaseUrl) {
    return createPgDb({
      connectionString: config.databaseUrl,
      poolMax: config.pg.poolMax,
      connectTimeoutMs: config.pg.connectTimeoutMs,
      statementTimeoutMs: config.pg.statementTimeoutMs,
      onIdleError: hooks.onIdleError,
    })
  }
  return openEmbeddedDb({ dataDir: config.dataDir, onProgress: hooks.onProgress })
}
