import type { Config } from './config.js'
import type { Db } from './db/types.js'
import { openDb } from './db/open-db.js'
import { migrate } from './migrations/runner.js'
import { migrationsDir } from './paths.js'
import { progressBar } from './progress.js'
import type { EmbeddedStage } from './db/embedded-protocol.js'
import { lastLoad } from '../geodata/load/load-dataset.js'
import { generateAndLoad } from '../geodata/load/generate-and-load.js'

const STAGES: Record<EmbeddedStage, [number, string]> = {
  open: [1, 'opening the embedded PostgreSQL (first run ≈20 s)'],
  postgis: [2, 'loading PostGIS'],
  ready: [3, 'ready'],
}

/** Opens the configured database with visible progress and applies pending migrations. */
export async function openAndMigrate(config: Config, log: (msg: string) => void, onIdleError?: (err: Error) => void): Promise<Db> {
  let db: Db
  if (config.databaseUrl) {
    db = await openDb(config, { onIdleError })
  } else {
    const bar = progressBar('database', 3)
    try {
      db = await openDb(config, { onProgress: (s) => bar.update(...STAGES[s]) })
    } finally {
      bar.stop()
    }
  }
  try {
    const r = await migrate(db, migrationsDir, log)
    log(`migrations: ${r.applied.length} applied now, ${r.alreadyApplied} already applied`)
  } catch (err) {
    await db.close()
    throw err
  }
  return db
}

/** First start: an empty database gets the demo data (LOAD_DEMO=never skips it). */
export async function loadDemoOnFirstRun(db: Db, config: Config, log: (msg: string) => void): Promise<void> {
  if (config.loadDemo === 'never' || (await lastLoad(db)) !== null) return
  log('first run: loading the demo data (示例数据) — a few minutes on a small machine; later starts skip this')
  await generateAndLoad(db, { scale: 'demo', seed: config.demoSeed, dataDir: config.dataDir, log })
}
