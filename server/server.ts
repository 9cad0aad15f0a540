import { buildApp, loggerOptions } from './app.js'
import { loadConfig } from './config.js'
import { openWithDemoData } from './start-up.js'
import { failAndExit } from './cli/fail.js'

/** The only file that listens: open the database, migrate, serve, and shut down cleanly on a signal. */
async function main(): Promise<void> {
  let config
  try {
    config = loadConfig()
  } catch (err) {
    failAndExit('bad configuration', err)
  }
  const log = (msg: string) => process.stderr.write(`povmap: ${msg}\n`)
  log(config.databaseUrl ? 'database: PostgreSQL server (DATABASE_URL)' : `database: embedded PostGIS in ${config.dataDir}`)

  // Filled in as start-up proceeds; a signal at any point closes whatever is open so far.
  const running: { app?: Awaited<ReturnType<typeof buildApp>>; db?: Awaited<ReturnType<typeof openWithDemoData>> } = {}
  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) {
      log(`${signal} again: still closing the database cleanly, please wait`)
      return
    }
    stopping = true
    log(`${signal}: finishing in-flight requests and closing the database`)
    try {
      await running.app?.close()
      await running.db?.close()
      log('stopped cleanly')
      process.exit(0)
    } catch (err) {
      failAndExit('shutdown', err)
    }
  }
  process.on('SIGINT', () => void stop('SIGINT'))
  process.on('SIGTERM', () => void stop('SIGTERM'))

  let db
  try {
    db = await openWithDemoData(config, log, (err) => running.app?.log.warn({ err }, 'idle database client error'))
  } catch (err) {
    failAndExit('cannot start', err)
  }
  running.db = db
  if (stopping) return
  const app = await buildApp({ db, dataDir: config.dataDir, logger: loggerOptions(config.logLevel) })
  running.app = app
  try {
    await app.listen({ port: config.port, host: config.host })
  } catch (err) {
    await db.close()
    failAndExit(`cannot listen on ${config.host}:${config.port}`, err)
  }
  log(`serving on http://${config.host}:${config.port}/ (API docs at /api/docs)`)
}

void main()
