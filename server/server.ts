import { buildApp, loggerOptions } from './app.js'
import { loadConfig } from './infra/config.js'
import { openWithDemoData } from './start-up.js'
import { failAndExit } from './cli/fail.js'
import { ensureDemoAccounts, sessionSecret } from './auth/demo-accounts.js'
import { prepareAccountSecrets } from './auth/account-secrets.js'
import { openRequestPool } from './db/request-pool.js'
import { SERVER_SHEDDING } from './plugins/hardening.js'
import { sitingServiceFor } from './siting/routes.js'

/** How often the server checks whether roads, facilities or households changed since the travel times were computed. */
const ACCESSIBILITY_CHECK_MS = 30_000

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
  const running: { app?: Awaited<ReturnType<typeof buildApp>>; db?: Awaited<ReturnType<typeof openWithDemoData>>; requestDb?: Awaited<ReturnType<typeof openRequestPool>> } = {}
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
      await running.requestDb?.close()
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
  const a = config.auth
  let secret
  try {
    await prepareAccountSecrets(config, db, log)
    if (config.appDatabaseUrl) {
      running.requestDb = await openRequestPool(config, (err) => running.app?.log.warn({ err }, 'idle database client error (request pool)'))
      log('requests: connecting as the login role of APP_DATABASE_URL (member of povmap_app only)')
    }
    secret = await sessionSecret(db, a.sessionSecret)
    if (a.demoAccounts === 'auto') printDemoAccounts(await ensureDemoAccounts(db, { password: a.demoPassword, totp: a.totp, totpRoles: a.totpRoles }), log)
  } catch (err) {
    await running.requestDb?.close()
    await db.close()
    failAndExit('cannot prepare the accounts', err)
  }
  if (a.totp === 'off') log('warning: TOTP_REQUIRED=off — roles that see personal data sign in with a password only (demo use only)')
  if (!a.cookieSecure) log('note: session cookies without Secure (COOKIE_SECURE=false): fine on http://localhost, set COOKIE_SECURE=true behind HTTPS')
  const app = await buildApp({
    db,
    requestPool: running.requestDb,
    dataDir: config.dataDir,
    logger: loggerOptions(config.logLevel),
    trustProxy: a.trustProxy,
    auth: { sessionSecret: secret, cookieSecure: a.cookieSecure, totp: a.totp, totpRoles: a.totpRoles, idleMinutes: a.idleMinutes, maxHours: a.maxHours, loginPerMinute: a.loginPerMinute },
    hardening: {
      rateLimit: { apiPerMinute: a.apiPerMinute, tilesPerMinute: a.tilesPerMinute },
      underPressure: SERVER_SHEDDING,
    },
    photos: { quota: config.photos },
    registry: config.registry,
  })
  running.app = app
  // A first run's demo load leaves gigabytes of garbage that V8 collects only under allocation
  // pressure, and until then the heap check sheds every request with 503. `npm start` exposes gc.
  globalThis.gc?.()
  try {
    await app.listen({ port: config.port, host: config.host })
  } catch (err) {
    await running.requestDb?.close()
    await db.close()
    failAndExit(`cannot listen on ${config.host}:${config.port}`, err)
  }
  log(`serving on http://${config.host}:${config.port}/ (API docs at /api/docs)`)
  // Travel times for siting and the accessibility indicators: computed now when missing or stale (after a
  // first run's demo load), and again whenever the data they rest on change; off the request path.
  sitingServiceFor(db)?.watch(ACCESSIBILITY_CHECK_MS, {
    done: (r) => log(`accessibility: travel times of ${r.households.toLocaleString('en')} households computed in the background in ${(r.elapsedMs / 1000).toFixed(1)} s`),
    error: (err) => app.log.error({ err }, 'accessibility computation failed'),
  })
}

/** Shown once, at the first start: the accounts are created only while none exists. */
function printDemoAccounts(created: Awaited<ReturnType<typeof ensureDemoAccounts>>, log: (msg: string) => void): void {
  if (created.length === 0) return
  log('demo accounts created (shown this once; change the passwords with POST /api/auth/password):')
  for (const c of created) {
    log(`  ${c.username.padEnd(20)} ${c.role.padEnd(18)} scope ${c.scope.padEnd(12)} password ${c.password}`)
    if (c.totpUri) log(`  ${''.padEnd(20)} TOTP secret ${c.totpSecret} (${c.totpUri})`)
  }
}

void main()
