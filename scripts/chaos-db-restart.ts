/**
 * Restarts PostgreSQL under load and measures what the clients see (`POVMAP_CHAOS=1 npx tsx
 * scripts/chaos-db-restart.ts`; tests/server/auth/chaos.test.ts calls runChaos).
 *
 * It never touches the PostgreSQL of DATABASE_URL: it creates a private cluster of its own (initdb,
 * port chosen at random, under /tmp; PostGIS from the installed packages), loads the test fixture,
 * starts `server/server.ts` as a separate process with the production settings, signs in, and runs
 * autocannon on loopback against signed-in data routes and tiles while it stops PostgreSQL for
 * POVMAP_CHAOS_DOWN_S seconds (default 5) and starts it again. It reports the answers before, while
 * down and after, the latency of the 503s, how long errors went on after PostgreSQL was back, and
 * whether the server process stayed up; figures go to test-artifacts/chaos-db-restart.json.
 */
import { spawn, execFile, execFileSync, type ChildProcess } from 'node:child_process'
import { promisify } from 'node:util'
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir, userInfo } from 'node:os'
import autocannon from 'autocannon'
import pg from 'pg'
import { createPgDb } from '../server/db/pg-db.js'
import { migrate } from '../server/migrations/runner.js'
import { migrationsDir, repoRoot } from '../server/infra/paths.js'
import { loadDataset } from '../geodata/load/load-dataset.js'
import { fixtureDataset, FIXTURE } from '../tests/helpers/fixture-dataset.js'
import { createTestUser, mergeCookies } from '../tests/helpers/auth.js'
import { tilesCovering } from '../server/tiles/tile-math.js'
import { defineCommand } from '../server/cli/args.js'
import { pct } from '../bench/percentile.js'

export interface ChaosReport {
  connections: number
  durationS: number
  downS: number
  before: Phase
  down: Phase
  after: Phase
  /** Seconds from PostgreSQL accepting connections again to the last non-2xx answer. */
  errorsStopAfterS: number | null
  /** Seconds from PostgreSQL accepting connections again to the first 2xx answer. */
  firstOkAfterS: number | null
  serverStayedUp: boolean
  statusCounts: Record<string, number>
  timeline: { t: number; ok: number; s503: number; other: number; p99: number }[]
}
interface Phase {
  requests: number
  rps: number
  ok: number
  s503: number
  other: number
  p50: number
  p99: number
  max: number
  p50of503: number | null
  p99of503: number | null
}

const PGBIN = process.env.POVMAP_CHAOS_PGBIN ?? '/usr/lib/postgresql/15/bin'
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** A throwaway PostgreSQL cluster we may stop and start at will. */
function privateCluster() {
  const root = userInfo().uid === 0
  const dir = mkdtempSync(join(tmpdir(), 'povmap-chaos-pg-'))
  const data = join(dir, 'data')
  mkdirSync(data)
  const port = 20000 + Math.floor(Math.random() * 20000)
  if (root) {
    // initdb refuses to run as root: the cluster belongs to the postgres user.
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim())
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim())
    chmodSync(dir, 0o755)
    chownSync(dir, uid, gid)
    chownSync(data, uid, gid)
  }
  const file = (cmd: string) => (root ? 'runuser' : join(PGBIN, cmd))
  const argv = (cmd: string, args: string[]) => (root ? ['-u', 'postgres', '--', join(PGBIN, cmd), ...args] : args)
  // Asynchronous: the load generator in this process keeps running while PostgreSQL stops and starts.
  const run = async (cmd: string, args: string[]) => {
    await promisify(execFile)(file(cmd), argv(cmd, args))
  }
  execFileSync(file('initdb'), argv('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']), { stdio: 'pipe' })
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start: () => run('pg_ctl', ['-D', data, '-o', opts, '-l', join(dir, 'log'), '-w', 'start']),
    stop: () => run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  }
}

export async function runChaos(opts: { connections?: number; durationS?: number; downS?: number; downAtS?: number; log?: (m: string) => void } = {}): Promise<ChaosReport> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`chaos: ${m}\n`))
  const connections = opts.connections ?? 16
  const durationS = opts.durationS ?? 30
  const downS = opts.downS ?? Number(process.env.POVMAP_CHAOS_DOWN_S ?? 5)
  const downAtS = opts.downAtS ?? 8
  const cluster = privateCluster()
  let server: ChildProcess | undefined
  try {
    await cluster.start()
    log(`private PostgreSQL at ${cluster.url}`)
    const admin = new pg.Client({ connectionString: cluster.url })
    await admin.connect()
    await admin.query('CREATE DATABASE povmap_chaos')
    await admin.end()
    const url = cluster.url.replace(/\/postgres$/, '/povmap_chaos')
    const db = createPgDb({ connectionString: url, poolMax: 2, connectTimeoutMs: 5000, statementTimeoutMs: 60_000 })
    await migrate(db, migrationsDir)
    await loadDataset(db, fixtureDataset(), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
    const user = await createTestUser(db, 'county_officer', { totp: false })
    await db.close()

    // The real server, production settings, as its own process.
    const port = 20000 + Math.floor(Math.random() * 20000)
    let serverOut = ''
    server = spawn(process.execPath, ['--import', 'tsx', 'server/server.ts'], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: url, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: process.env.POVMAP_CHAOS_VERBOSE ? 'warn' : 'error',
        LOAD_DEMO: 'never', DEMO_ACCOUNTS: 'never', TOTP_REQUIRED: 'off', RATE_LIMIT_API_PER_MIN: '10000000', RATE_LIMIT_TILES_PER_MIN: '10000000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    server.stdout!.on('data', (d) => (serverOut += d))
    server.stderr!.on('data', (d) => (serverOut += d))
    let exited: number | null = null
    server.on('exit', (code) => (exited = code ?? -1))
    const base = `http://127.0.0.1:${port}`
    for (let i = 0; ; i++) {
      if (exited !== null) throw new Error(`server exited: ${serverOut}`)
      if (i > 240) throw new Error(`server not up: ${serverOut}`)
      if ((await fetch(`${base}/api/health`).catch(() => null))?.status === 200) break
      await sleep(250)
    }
    const pre = await fetch(`${base}/api/auth/csrf`)
    const preCookie = mergeCookies('', { headers: { 'set-cookie': pre.headers.getSetCookie() } })
    const { csrfToken } = (await pre.json()) as { csrfToken: string }
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: preCookie, 'x-csrf-token': csrfToken },
      body: JSON.stringify({ username: user.username, password: user.password }),
    })
    if (login.status !== 200) throw new Error(`login answered ${login.status}`)
    const cookie = mergeCookies('', { headers: { 'set-cookie': login.headers.getSetCookie() } })

    const [X0, Y0] = FIXTURE.origin
    const tiles = tilesCovering([X0, Y0, X0 + 0.04, Y0 + 0.04], 14)
    const paths = [
      `/api/areas/${FIXTURE.county}/stats?year=2016`,
      `/api/areas/${FIXTURE.townships[0]}/stats?year=2019`,
      `/api/search?q=${encodeURIComponent('村')}`,
      `/api/areas/${FIXTURE.county}/children`,
      ...tiles.slice(0, 4).map((t) => `/tiles/households/${t.z}/${t.x}/${t.y}.mvt?year=2018`),
    ]
    const started = Date.now()
    const samples: { t: number; status: number; ms: number }[] = []
    let tDown = 0
    let tUp = 0
    const chaos = (async () => {
      await sleep(downAtS * 1000)
      tDown = (Date.now() - started) / 1000
      log(`stopping PostgreSQL at t=${tDown.toFixed(1)} s`)
      await cluster.stop()
      await sleep(downS * 1000)
      await cluster.start()
      tUp = (Date.now() - started) / 1000
      log(`PostgreSQL accepts connections again at t=${tUp.toFixed(1)} s`)
    })()
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
      const inst = autocannon(
        { url: base, connections, duration: durationS, timeout: 10, headers: { cookie }, requests: paths.map((p) => ({ method: 'GET' as const, path: p })) },
        (err, res) => (err ? reject(err) : resolve(res)),
      )
      inst.on('response', (_c: unknown, status: number, _bytes: number, ms: number) => samples.push({ t: (Date.now() - started) / 1000, status, ms }))
    })
    await chaos
    const health = await fetch(`${base}/api/health`).then((r) => r.status).catch(() => 0)

    const phase = (from: number, to: number): Phase => {
      const xs = samples.filter((s) => s.t >= from && s.t < to)
      const ms = xs.map((s) => s.ms)
      const m503 = xs.filter((s) => s.status === 503).map((s) => s.ms)
      return {
        requests: xs.length,
        rps: Math.round(xs.length / Math.max(0.001, to - from)),
        ok: xs.filter((s) => s.status >= 200 && s.status < 300).length,
        s503: m503.length,
        other: xs.filter((s) => s.status !== 503 && (s.status < 200 || s.status >= 300)).length,
        p50: pct(ms, 50),
        p99: pct(ms, 99),
        max: Math.max(0, ...ms),
        p50of503: m503.length ? pct(m503, 50) : null,
        p99of503: m503.length ? pct(m503, 99) : null,
      }
    }
    const bad = samples.filter((s) => s.t >= tUp && (s.status < 200 || s.status >= 300))
    const firstOk = samples.find((s) => s.t >= tUp && s.status >= 200 && s.status < 300)
    const statusCounts: Record<string, number> = {}
    for (const s of samples) statusCounts[s.status] = (statusCounts[s.status] ?? 0) + 1
    statusCounts.timeouts = result.timeouts
    statusCounts.errors = result.errors
    const timeline = []
    for (let t = 0; t < durationS; t++) {
      const xs = samples.filter((s) => s.t >= t && s.t < t + 1)
      timeline.push({ t, ok: xs.filter((s) => s.status < 300).length, s503: xs.filter((s) => s.status === 503).length, other: xs.filter((s) => s.status >= 300 && s.status !== 503).length, p99: pct(xs.map((s) => s.ms), 99) })
    }
    const report: ChaosReport = {
      connections,
      durationS,
      downS,
      before: phase(1, tDown),
      down: phase(tDown, tUp),
      after: phase(tUp, durationS + 1),
      errorsStopAfterS: bad.length ? +(bad.at(-1)!.t - tUp).toFixed(3) : 0,
      firstOkAfterS: firstOk ? +(firstOk.t - tUp).toFixed(3) : null,
      serverStayedUp: exited === null && health === 200,
      statusCounts,
      timeline,
    }
    if (process.env.POVMAP_CHAOS_VERBOSE) log(serverOut)
    mkdirSync(join(repoRoot, 'test-artifacts'), { recursive: true })
    writeFileSync(join(repoRoot, 'test-artifacts', 'chaos-db-restart.json'), `${JSON.stringify(report, null, 2)}\n`)
    return report
  } finally {
    server?.kill('SIGTERM')
    await sleep(500)
    await cluster.stop().catch(() => undefined)
    cluster.remove()
  }
}

if (process.argv[1]?.endsWith('chaos-db-restart.ts')) {
  const cli = defineCommand({
    name: 'chaos-db-restart',
    command: 'npx tsx scripts/chaos-db-restart.ts',
    usage: 'POVMAP_CHAOS=1 npx tsx scripts/chaos-db-restart.ts',
    summary:
      'Restarts PostgreSQL under load — a private cluster it creates, never the one of DATABASE_URL — and reports the 503s and the ' +
      'recovery: answers before, while down and after, how long errors went on after PostgreSQL was back, whether the server stayed up. ' +
      'Exits 1 when the server process did not stay up.',
    notes: [
      'Environment: POVMAP_CHAOS=1 (required: it stops and starts a PostgreSQL cluster); POVMAP_CHAOS_DOWN_S, seconds PostgreSQL stays ' +
        'down (default 5); POVMAP_CHAOS_PGBIN, where initdb and pg_ctl are (default /usr/lib/postgresql/15/bin); POVMAP_CHAOS_VERBOSE=1 ' +
        'prints the server’s output.',
      'Writes test-artifacts/chaos-db-restart.json.',
    ],
  })
  cli.parse(process.argv.slice(2))
  if (process.env.POVMAP_CHAOS !== '1') cli.usageError('set POVMAP_CHAOS=1 to run it: it stops and starts a PostgreSQL cluster (a private one it creates)')
  const r = await runChaos()
  const { timeline, ...summary } = r
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`)
  process.stdout.write(`timeline (s: ok / 503 / other, p99 ms):\n${timeline.map((x) => `  ${String(x.t).padStart(2)}: ${x.ok} / ${x.s503} / ${x.other}, ${x.p99.toFixed(0)}`).join('\n')}\n`)
  process.exit(r.serverStayedUp ? 0 : 1)
}
