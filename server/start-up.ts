import type { Config } from './infra/config.js'
import type { Db } from './db/types.js'
import { openDb } from './db/open-db.js'
import { migrate } from './migrations/runner.js'
import { sqlFunctionFiles } from './tiles/layer-sql.js'
import { migrationsDir } from './infra/paths.js'
import { progressBar, ProgressBars, type Progress } from './infra/progress.js'
import type { EmbeddedStage } from './db/embedded-protocol.js'
import { lastLoad } from '../geodata/load/load-dataset.js'
import { loadGenerated } from '../geodata/load/generate-and-load.js'
import type { GeneratedTables } from '../geodata/generate/index.js'
import { generateInWorker } from '../geodata/generate/worker/generate-in-worker.js'
import { GENERATION_BAR_TOTAL, generationOnBar } from '../geodata/progress.js'
import { existsSync } from 'node:fs'
import { join } from 'node:path'

const STAGES: Record<EmbeddedStage, [number, string]> = {
  open: [1, 'opening the embedded PostgreSQL (first run ≈20 s)'],
  postgis: [2, 'loading PostGIS'],
  ready: [3, 'ready'],
}

/** Opens the configured database with visible progress (a bar of `progress`) and applies pending migrations. */
export async function openAndMigrate(
  config: Config,
  log: (msg: string) => void,
  onIdleError?: (err: Error) => void,
  progress: (title: string, total: number) => Progress = progressBar,
): Promise<Db> {
  let db: Db
  if (config.databaseUrl) {
    db = await openDb(config, { onIdleError })
  } else {
    const bar = progress('database', 3)
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

/** The demo dataset, generated on a worker thread with its progress on `bar`. */
async function generateDemo(config: Config, bar: Progress, log: (msg: string) => void, signal?: AbortSignal): Promise<GeneratedTables> {
  const t0 = Date.now()
  const d = await generateInWorker({ scale: 'demo', seed: config.demoSeed }, { onProgress: generationOnBar(bar), signal })
  bar.update(GENERATION_BAR_TOTAL, 'done')
  log(`generated the demo data (seed ${config.demoSeed}) in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  return d
}

/** Loads the demo data unless the database holds a load already (LOAD_DEMO=auto); `pregenerated` saves generating it. */
async function loadDemoIfEmpty(db: Db, config: Config, log: (msg: string) => void, pregenerated?: GeneratedTables): Promise<void> {
  if (config.loadDemo !== 'auto' || (await lastLoad(db)) !== null) return
  let d = pregenerated
  if (!d) {
    log('first run: loading the demo data (示例数据); later starts skip this')
    const bars = new ProgressBars(['generating'])
    try {
      d = await generateDemo(config, bars.bar('generating', GENERATION_BAR_TOTAL), log)
    } finally {
      bars.stop()
    }
  }
  await loadGenerated(db, d, { scale: 'demo', seed: config.demoSeed, dataDir: config.dataDir, log, progress: progressBar })
}

/**
 * Opens the database and, on a first run, gets the demo data into it. On a fresh embedded data
 * directory the demo data is generated on a worker thread while PGlite initialises in its own, each
 * with its progress bar; lines logged meanwhile are printed once the bars are done.
 */
export async function openWithDemoData(config: Config, log: (msg: string) => void, onIdleError?: (err: Error) => void): Promise<Db> {
  let db: Db | undefined
  let pregenerated: GeneratedTables | undefined
  if (isFreshEmbedded(config)) {
    log('first run: preparing the demo data (示例数据) while the database initialises — a few minutes here; later starts skip this')
    const bars = new ProgressBars(['database', 'generating'])
    const later: string[] = []
    const stopGenerating = new AbortController()
    const generating = generateDemo(config, bars.bar('generating', GENERATION_BAR_TOTAL), (m) => later.push(m), stopGenerating.signal)
    // It may fail before it is awaited below: not an unhandled rejection.
    generating.catch(() => undefined)
    try {
      db = await openAndMigrate(config, (m) => later.push(m), onIdleError, (title, total) => bars.bar(title, total))
      pregenerated = await generating
    } catch (err) {
      stopGenerating.abort(err)
      await db?.close()
      throw err
    } finally {
      bars.stop()
      for (const m of later) log(m)
    }
  } else {
    db = await openAndMigrate(config, log, onIdleError)
  }
  try {
    await loadDemoIfEmpty(db, config, log, pregenerated)
  } catch (err) {
    await db.close()
    throw err
  }
  return db
}
