import type { Config } from './config.js'
import type { Db } from './db/types.js'
import { openDb } from './db/open-db.js'
import { migrate } from './migrations/runner.js'
import { sqlFunctionFiles } from './tiles/layer-sql.js'
import { migrationsDir } from './paths.js'
import { progressBar } from './progress.js'
import type { EmbeddedStage } from './db/embedded-protocol.js'
import { lastLoad } from '../geodata/load/load-dataset.js'
import { generate, loadGenerated } from '../geodata/load/generate-and-load.js'
import type { GeneratedDataset } from '../geodata/generate/index.js'
import { existsSync } from 'node:fs'
import { join } from 'node:path'

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
    const r = await migrate(db, migrationsDir, log, { repeatable: sqlFunctionFiles() })
    log(`migrations: ${r.applied.length} applied now, ${r.alreadyApplied} already applied; ${r.reapplied.length} tile SQL function files applied`)
  } catch (err) {
    await db.close()
    throw err
  }
  return db
}

/** A brand-new embedded data directory: certainly a first run, known before the database opens. */
export function isFreshEmbedded(config: Config): boolean {
  return !config.databaseUrl && config.loadDemo === 'auto' && !existsSync(join(config.dataDir, 'pglite'))
}

/**
 * Opens the database and, on a first run, gets the demo data into it. On a fresh embedded data
 * directory the demo data is generated on this thread while PGlite initialises in its worker.
 */
export async function openWithDemoData(config: Config, log: (msg: string) => void, onIdleError?: (err: Error) => void): Promise<Db> {
  const fresh = isFreshEmbedded(config)
  if (fresh) log('first run: preparing the demo data (示例数据) while the database initialises — about 3 minutes here; later starts skip this')
  const opening = openAndMigrate(config, log, onIdleError)
  // It may fail before it is awaited below (a server refusing at once): not an unhandled rejection.
  opening.catch(() => undefined)
  // Let the worker start before this thread is busy generating.
  await new Promise((r) => setTimeout(r, 50))
  let pregenerated: GeneratedDataset | undefined
  try {
    pregenerated = fresh ? generate({ scale: 'demo', seed: config.demoSeed, log }) : undefined
  } catch (err) {
    await opening.then((db) => db.close()).catch(() => undefined)
    throw err
  }
  const db = await opening
  try {
    if (config.loadDemo === 'auto' && (await lastLoad(db)) === null) {
      if (!pregenerated) log('first run: loading the demo data (示例数据); later starts skip this')
      const d = pregenerated ?? generate({ scale: 'demo', seed: config.demoSeed, log })
      await loadGenerated(db, d, { scale: 'demo', seed: config.demoSeed, dataDir: config.dataDir, log })
    }
  } catch (err) {
    await db.close()
    throw err
  }
  return db
}
