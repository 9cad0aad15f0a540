/**
 * `npm run bench:tiles`: household-tile throughput and latency of every contender on the same tile
 * lists, measured in one run, printed as ratios, and written to tiles/BENCHMARK.md.
 *
 * Contenders: floor = the raw tile SQL through a pool (no HTTP); naive = a minimal Fastify + pg tile
 * server with the usual ST_AsMVTGeom(ST_Transform(geom, 3857)) query, no aggregation, no cache;
 * ours uncached and cached (the real app over HTTP); ceiling = bare node:http returning the same bytes.
 */
import { randomBytes } from 'node:crypto'
import http from 'node:http'
import os from 'node:os'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Fastify from 'fastify'
import pg from 'pg'
import { loadConfig } from '../server/infra/config.js'
import { openDb } from '../server/db/open-db.js'
import type { Queryable } from '../server/db/types.js'
import { buildApp, loggerOptions } from '../server/app.js'
import { SERVER_SHEDDING } from '../server/plugins/hardening.js'
import { loadLayerStatements, statementFor } from '../server/tiles/layer-sql.js'
import { lonLatToTile, tilesCovering } from '../server/tiles/tile-math.js'
import { HUNAN_BOUNDS } from '../server/tiles/style.js'
import { lastLoad } from '../geodata/load/load-dataset.js'
import { createRng } from '../geodata/generate/rng.js'
import { repoRoot } from '../server/infra/paths.js'
import { loginOverHttp, sessionCaller } from '../tests/helpers/auth.js'
import { viewQueryable } from '../server/db/views.js'
import { CONNECTIONS, floor, LOAD_TOOL, loadTest, onePass, paired, ROUNDS, SECONDS, tilePath as path, type Result, type Tile } from './tile-measure.js'
import { mvtBytes } from '../server/tiles/mvt-encoder.js'
import { statementName } from '../server/db/pg-db.js'
import { defineCommand } from '../server/cli/args.js'

defineCommand({
  name: 'bench:tiles',
  command: 'npm run bench:tiles',
  usage: 'npm run bench:tiles',
  summary:
    'Household-tile throughput and latency of every contender on the same tile lists (the raw-SQL floor, a naive peer, ours uncached ' +
    'and cached, a bare node:http ceiling), printed as ratios and written to tiles/BENCHMARK.md; load from wrk when installed, else autocannon.',
  notes: [
    'Environment: BENCH_SECONDS (per measurement, default 5), BENCH_CONNECTIONS (default 4), BENCH_ROUNDS (default 3), BENCH_LISTS (only these tile lists, comma-separated; no report written), BENCH_LOAD=autocannon, BENCH_WRITE=0 (print only).',
    'BENCH_FAST_PATH=compare adds, per list, ours with against ours without the cached-tile fast path (uncached and cached, alternating rounds); BENCH_FAST_PATH=only measures that alone (no report written).',
  ],
}).parse(process.argv.slice(2))

const YEAR = 2020

// ---- tile lists shared by every contender -------------------------------------------------------
const uniq = (tiles: Tile[]) => [...new Map(tiles.map((t) => [`${t.z}/${t.x}/${t.y}`, t])).values()]
const around = (lon: number, lat: number, z: number, r: number) => {
  const c = lonLatToTile(lon, lat, z)
  const out: Tile[] = []
  for (let dx = -r; dx <= r; dx++) for (let dy = -r; dy <= r; dy++) out.push({ z, x: c.x + dx, y: c.y + dy })
  return out
}
const HUAYUAN: [number, number] = [109.48, 28.58]
const rng = createRng(42)
// The ladder's points: inside 湘西 (where the demo's registry is whole) and across the province.
const points = Array.from({ length: 50 }, (_, i) =>
  i < 25 ? [rng.range(109.2, 110.5), rng.range(27.8, 29.3)] : [rng.range(HUNAN_BOUNDS[0], HUNAN_BOUNDS[2]), rng.range(HUNAN_BOUNDS[1], HUNAN_BOUNDS[3])],
) as [number, number][]
const ladder = (zs: number[]) => uniq(points.flatMap(([lon, lat]) => zs.map((z) => lonLatToTile(lon, lat, z))))
const LISTS: Record<string, Tile[]> = {
  'pan z12': around(...HUAYUAN, 12, 3),
  'pan z14': around(...HUAYUAN, 14, 4),
  'ladder z4-8': ladder([4, 5, 6, 7, 8]),
  'ladder z9-11': ladder([9, 10, 11]),
  'ladder z12-14': ladder([12, 13, 14]),
  'ladder z15-16': ladder([15, 16]),
  'Hunan z4-7': [4, 5, 6, 7].flatMap((z) => tilesCovering(HUNAN_BOUNDS, z)),
  empty: Array.from({ length: 30 }, (_, i) => ({ z: 10, x: 900 + i, y: 400 })),
}
// BENCH_LISTS=empty,pan z14 runs only those lists (while working on one of them; a full run writes the report).
const only = process.env.BENCH_LISTS?.split(',').map((s) => s.trim())
if (only) for (const name of Object.keys(LISTS)) if (!only.includes(name)) delete LISTS[name]

// ---- contenders -------------------------------------------------------------------------------------
const NAIVE_SQL = `SELECT ST_AsMVT(q, 'households', 4096, 'geom') AS mvt FROM (
  SELECT h.id, h.ref::text AS ref, h.village_code, y.status, h.main_cause, h.size,
         ST_AsMVTGeom(ST_Transform(h.geom, 3857), ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom
  FROM household h JOIN household_year y ON y.household_id = h.id AND y.year = $4
  WHERE h.geom && ST_Transform(ST_TileEnvelope($1, $2, $3), 4326)) q`

async function naivePeer(connectionString: string) {
  const pool = new pg.Pool({ connectionString, max: CONNECTIONS })
  const app = Fastify()
  // Its low-zoom tiles take seconds; those still running when the load stops would eat the next
  // contender's CPU (and its multi-megabyte results stall this process), so the run waits for them.
  let running = 0
  let drained: (() => void) | undefined
  app.get<{ Params: { z: string; x: string; y: string } }>('/tiles/households/:z/:x/:y', async (req, reply) => {
    const y = req.params.y.replace('.mvt', '')
    running++
    try {
      const { rows } = await pool.query(NAIVE_SQL, [+req.params.z, +req.params.x, +y, YEAR])
      return reply.type('application/vnd.mapbox-vector-tile').send(rows[0].mvt)
    } finally {
      if (--running === 0) drained?.()
    }
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const idle = () => (running === 0 ? Promise.resolve() : new Promise<void>((r) => (drained = r)))
  return { port: (app.server.address() as { port: number }).port, idle, close: async () => (await app.close(), await pool.end()) }
}

async function listen(app: Awaited<ReturnType<typeof buildApp>>) {
  await app.listen({ port: 0, host: '127.0.0.1' })
  return (app.server.address() as { port: number }).port
}

// ---- run ----------------------------------------------------------------------------------------------
const config = loadConfig()
const db = await openDb(config)
const load = await lastLoad(db)
if (!load) {
  process.stderr.write('bench:tiles: the database holds no data; run `npm run load -- --scale demo` (or province) first\n')
  process.exit(2)
}
const counts = load.counts as Record<string, number>
process.stderr.write(`bench:tiles on ${db.kind} database, ${load.scale} scale (seed ${load.seed}): ${counts.household} households\n`)

const statements = loadLayerStatements()
const filter = JSON.stringify({ year: YEAR })
// The floor: the same prepared statement as the app, with the same plan settings as the app's view
// connections (generic plans), run by the owner on connections of its own (no HTTP, no session, no
// row-level security). floor scoped: the app's own database path, a view connection of a province
// administrator (server/db/views.ts, viewQueryable: role, scope, RLS), i.e. what access control costs
// in the database alone.
// The view is bound to a session of its own (the database derives role and area from it); its account has
// a random password, never signed in with.
const view = viewQueryable(db, await sessionCaller(db, 'province_admin', '43', { password: randomBytes(24).toString('base64url') }))
const ownerPool = db.kind === 'server' ? new pg.Pool({ connectionString: config.databaseUrl!, max: CONNECTIONS, options: '-c plan_cache_mode=force_generic_plan' }) : null
const ownerQuery: Queryable['query'] = ownerPool
  ? async (sql, params, opts) => {
      const r = await ownerPool.query({ text: sql, values: params as unknown[], ...(opts?.prepare ? { name: statementName(sql) } : {}) })
      return { rows: r.rows, rowCount: r.rowCount ?? 0 }
    }
  : (sql, params, opts) => db.query(sql, params, opts)
/** The floor's bytes of a tile: the MVT on a server; on the embedded database, the rows' GeoJSON (only its size is used). */
const floorTile = (scoped: boolean) => async (t: Tile): Promise<Uint8Array> => {
  const st = statementFor(statements, 'households', t.z)!
  const query: Queryable['query'] = scoped ? view.query : ownerQuery
  if (db.kind === 'server') {
    const { rows } = await query<{ mvt: string | null }>(st.mvtSql, [t.z, t.x, t.y, filter], { prepare: true })
    return mvtBytes(rows[0]?.mvt)
  }
  const { rows } = await query<{ tile_geojson: string | null }>(st.rowsSql, [t.z, t.x, t.y, filter])
  return Buffer.from(rows.map((r) => r.tile_geojson ?? '').join(''))
}
const floorRun = (scoped: boolean) => async (t: Tile) => (await floorTile(scoped)(t)).length

/** A bare node:http server on a free loopback port. */
async function listenBare(handler: http.RequestListener) {
  const server = http.createServer(handler)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { server, port: (server.address() as { port: number }).port }
}

/**
 * "floor over HTTP": the owner's floor statement behind a bare node:http handler (no framework, no
 * session, no row-level security, no cache). What any HTTP tile server on this machine, Node and pg
 * can reach at best: the distance from it to the floor is HTTP's share, not ours.
 */
function floorOverHttp() {
  return listenBare((req, res) => {
    const m = /^\/tiles\/households\/(\d+)\/(\d+)\/(\d+)\.mvt$/.exec(req.url ?? '')
    if (!m) return void res.writeHead(404).end()
    floorTile(false)({ z: +m[1]!, x: +m[2]!, y: +m[3]! }).then(
      (body) => (body.length ? res.writeHead(200, { 'content-type': 'application/vnd.mapbox-vector-tile', 'content-length': body.length }).end(body) : res.writeHead(204).end()),
      () => res.writeHead(500).end(),
    )
  })
}

// Tile serving itself is measured: the per-client rate limit (6,000 tiles/min by default) is lifted;
// shedding is on, as in server.ts.
const hardening = { rateLimit: { tilesPerMinute: 1e9, apiPerMinute: 1e9 }, underPressure: SERVER_SHEDDING }
// The app as server.ts runs it (logger at info, to a sink here), bar the rate limit.
const logger = loggerOptions('info', { write: () => true })
const uncachedApp = await buildApp({ db, dataDir: config.dataDir, serveClient: false, logger, hardening, tiles: { tileService: { cacheBytes: 1 } } })
const cachedApp = await buildApp({ db, dataDir: config.dataDir, serveClient: false, logger, hardening })
const uncachedPort = await listen(uncachedApp)
const cachedPort = await listen(cachedApp)
// BENCH_FAST_PATH: the same two apps without the cached-tile fast path (server/tiles/fast-path.ts), to see whether it pays.
const FAST_PATH = process.env.BENCH_FAST_PATH
const slowApps = FAST_PATH
  ? {
      uncached: await buildApp({ db, dataDir: config.dataDir, serveClient: false, logger, hardening, tiles: { tileService: { cacheBytes: 1 }, fastPath: false } }),
      cached: await buildApp({ db, dataDir: config.dataDir, serveClient: false, logger, hardening, tiles: { fastPath: false } }),
    }
  : undefined
const slowPorts = slowApps ? { uncached: await listen(slowApps.uncached), cached: await listen(slowApps.cached) } : undefined
// Household tiles need a session: a province administrator (scope 43) sees every household.
// Shedding may refuse the first sign-in while the freshly built apps still busy the event loop: tried again.
const session = async (port: number, tries = 10): Promise<{ cookie: string }> => {
  try {
    const c = await loginOverHttp(`http://127.0.0.1:${port}`, db, 'province_admin')
    return { cookie: `${c.name}=${c.value}` }
  } catch (err) {
    if (tries <= 1 || !/answered 503/.test(String(err))) throw err
    await new Promise((r) => setTimeout(r, 1000))
    return session(port, tries - 1)
  }
}
const uncachedAuth = await session(uncachedPort)
const cachedAuth = await session(cachedPort)
const slowAuth = slowPorts ? { uncached: await session(slowPorts.uncached), cached: await session(slowPorts.cached) } : undefined
const naive = db.kind === 'server' ? await naivePeer(config.databaseUrl!) : null
const floorHttp = db.kind === 'server' ? await floorOverHttp() : null

// The ceilings: the same tiles from a Map, no framework, no database. "bare node:http" sends the
// body with only the headers node needs; "bare, same response" sends exactly our status and headers
// (ETag, private caching, Vary: Cookie, nosniff, CORP), which node itself takes ~10 µs to write.
const responses = new Map<string, { body: Buffer; headers: Record<string, string> }>()
const SAME_HEADERS = ['content-type', 'cache-control', 'etag', 'vary', 'x-content-type-options', 'cross-origin-resource-policy']
const bareServer = (sameResponse: boolean) =>
  listenBare((req, res) => {
    const r = responses.get(req.url ?? '')
    if (!r || r.body.length === 0) {
      res.writeHead(204, sameResponse && r ? r.headers : undefined).end()
      return
    }
    const headers = sameResponse ? { ...r.headers, 'content-length': r.body.length } : { 'content-type': 'application/vnd.mapbox-vector-tile', 'content-length': r.body.length }
    res.writeHead(200, headers).end(r.body)
  })
const bare = await bareServer(false)
const bareSame = await bareServer(true)

const rows: string[] = []
const summary: string[] = []
const fastPathRows: string[] = []
const fastPathSummary: string[] = []
const fmt = (r: Result | undefined) => (r ? `${r.tilesPerS.toFixed(r.tilesPerS < 10 ? 2 : 0)} t/s, p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms, mean ${(r.meanBytes / 1024).toFixed(1)} KB${r.maxBytes === null ? '' : `, max ${(r.maxBytes / 1024).toFixed(1)} KB`}${r.errors ? `, ${r.errors} errors` : ''}` : '—')
let largest = 0
for (const [name, tiles] of Object.entries(LISTS)) {
  process.stderr.write(`  ${name}: ${tiles.length} tiles…\n`)
  if (slowApps && slowPorts && slowAuth) {
    // Every app answers each URL once through its route first: the fast path serves only URLs answered before.
    const apps = [[uncachedApp, uncachedAuth], [cachedApp, cachedAuth], [slowApps.uncached, slowAuth.uncached], [slowApps.cached, slowAuth.cached]] as const
    for (const [app, auth] of apps) for (const t of tiles) await app.inject({ url: path(t), headers: auth })
    const u = await paired(() => loadTest(uncachedPort, tiles, SECONDS, uncachedAuth), () => loadTest(slowPorts.uncached, tiles, SECONDS, slowAuth.uncached))
    const c = await paired(() => loadTest(cachedPort, tiles, SECONDS, cachedAuth), () => loadTest(slowPorts.cached, tiles, SECONDS, slowAuth.cached))
    const rounds = (x: number[]) => x.map((v) => v.toFixed(2)).join(', ')
    fastPathRows.push(`| ${name} (${tiles.length}) | uncached, fast path | ${fmt(u.a)} |`, `| | uncached, no fast path | ${fmt(u.b)} |`, `| | cached, fast path | ${fmt(c.a)} |`, `| | cached, no fast path | ${fmt(c.b)} |`)
    fastPathSummary.push(`- ${name}: with / without the fast path, uncached ${(u.a.tilesPerS / u.b.tilesPerS).toFixed(2)} (rounds ${rounds(u.ratios)}), cached ${(c.a.tilesPerS / c.b.tilesPerS).toFixed(2)} (rounds ${rounds(c.ratios)})`)
    if (FAST_PATH === 'only') continue
  }
  // One untimed pass first: whichever contender ran first would otherwise pay for reading the list's
  // pages into PostgreSQL's cache (and for new connections' first plans), and the floor runs first.
  for (const t of tiles) await floorRun(false)(t)
  for (const t of tiles) await uncachedApp.inject({ url: path(t), headers: uncachedAuth })
  const uncached = await paired(() => loadTest(uncachedPort, tiles, SECONDS, uncachedAuth), () => floor(floorRun(false), tiles))
  const [ours, f] = [uncached.a, uncached.b]
  const fs = await floor(floorRun(true), tiles)
  const fh = floorHttp ? await loadTest(floorHttp.port, tiles, SECONDS, uncachedAuth) : undefined
  for (const t of tiles) await cachedApp.inject({ url: path(t), headers: cachedAuth }) // warm the cache
  for (const t of tiles) {
    const res = await cachedApp.inject({ url: path(t), headers: cachedAuth })
    const headers = Object.fromEntries(SAME_HEADERS.filter((h) => res.headers[h] !== undefined).map((h) => [h, String(res.headers[h])]))
    responses.set(path(t), { body: res.rawPayload, headers })
    largest = Math.max(largest, res.rawPayload.length)
  }
  const cachedRounds = await paired(() => loadTest(cachedPort, tiles, SECONDS, cachedAuth), () => loadTest(bare.port, tiles, SECONDS, cachedAuth))
  const [cached, ceiling] = [cachedRounds.a, cachedRounds.b]
  const ceilingSame = await loadTest(bareSame.port, tiles, SECONDS, cachedAuth)
  const lowZoom = name === 'ladder z4-8' || name === 'Hunan z4-7'
  const n = !naive ? undefined : lowZoom ? await onePass(naive.port, tiles, uncachedAuth) : name.startsWith('pan') ? await loadTest(naive.port, tiles, SECONDS, uncachedAuth) : undefined
  await naive?.idle()
  rows.push(`| ${name} (${tiles.length}) | floor | ${fmt(f)} |`, `| | floor scoped | ${fmt(fs)} |`, ...(fh ? [`| | floor over HTTP | ${fmt(fh)} |`] : []), `| | ours uncached | ${fmt(ours)} |`, `| | ours cached | ${fmt(cached)} |`, `| | bare node:http | ${fmt(ceiling)} |`, `| | bare, same response | ${fmt(ceilingSame)} |`)
  if (n) rows.push(`| | naive peer${lowZoom ? ' (one pass)' : ''} | ${fmt(n)} |`)
  const r = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : '—')
  summary.push(
    `- ${name}: ours uncached / floor = ${r(ours.tilesPerS, f.tilesPerS)} (rounds ${uncached.ratios.map((x) => x.toFixed(2)).join(', ')}; / floor scoped = ${r(ours.tilesPerS, fs.tilesPerS)}${fh ? `; / floor over HTTP = ${r(ours.tilesPerS, fh.tilesPerS)}; floor over HTTP / floor = ${r(fh.tilesPerS, f.tilesPerS)}` : ''}); ours cached / bare node:http = ${r(cached.tilesPerS, ceiling.tilesPerS)} (rounds ${cachedRounds.ratios.map((x) => x.toFixed(2)).join(', ')}; / same response = ${r(cached.tilesPerS, ceilingSame.tilesPerS)})` +
      (n ? `; ours / naive: ${r(ours.tilesPerS, n.tilesPerS)}× tiles/s, ${r(n.meanBytes, ours.meanBytes)}× smaller tiles` : ''),
  )
}

const cpu = os.cpus()[0]?.model ?? 'unknown CPU'
const report = `# Tile benchmark

Measured by \`npm run bench:tiles\` on ${new Date().toISOString().slice(0, 10)}: ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB,
Node ${process.version}, ${db.kind === 'server' ? 'PostgreSQL server (DATABASE_URL)' : 'embedded PGlite'}, ${load.scale} scale (${counts.household} households),
layer \`households\` (year ${YEAR}) as a signed-in province administrator (rate limit lifted), ${CONNECTIONS} connections, ${LOAD_TOOL === 'wrk' ? "wrk (Debian's, in C)" : 'autocannon'} on loopback in a separate process.
Floor: the app's prepared tile statement as the owner, no HTTP, on connections with the app's plan settings (generic plans);
floor scoped: the app's own database path for it (a view connection: request role, scope, row-level security on); floor over HTTP:
the owner's floor statement behind a bare node:http handler (no framework, session, RLS or cache). Each contender runs ${SECONDS} s per list;
ours uncached and the floor, and ours cached and bare node:http, run ${ROUNDS} rounds each, alternating which goes first; the round
with the median ratio is shown (every round's ratio is listed), and the other contenders run once, next to it;
uncached = the app with a 1-byte cache; the naive peer's low-zoom lists
(ladder z4-8, Hunan z4-7), of which it finishes no tile within ${SECONDS} s, are instead timed as one pass over the list, ${CONNECTIONS} tiles at a time; both apps run as server.ts runs them (logger at info, shedding on). Ceilings: bare
node:http sends the same body with node's minimal headers; "bare, same response" sends our status and headers too (ETag,
private caching, Vary, nosniff, CORP). Every HTTP contender gets the same requests (the session cookie included, which only ours
reads). Connections walk the list from different offsets, never two on the same tile at once.

## Ratios
${summary.join('\n')}
- largest tile served: ${(largest / 1024).toFixed(1)} KB

## Figures
| tile list | contender | result |
|---|---|---|
${rows.join('\n')}
${fastPathSummary.length ? `
## The cached-tile fast path
The same two apps (uncached, cached) with and without it (app option tiles.fastPath), ${ROUNDS} rounds each, alternating which goes first; the median round's ratio (every round's listed).
${fastPathSummary.join('\n')}

| tile list | contender | result |
|---|---|---|
${fastPathRows.join('\n')}
` : ''}`
process.stdout.write(report)
if (process.env.BENCH_WRITE !== '0' && !only && FAST_PATH !== 'only') {
  // The hand-written reading of the figures (from "## Reading it" on) stays; the figures above it are replaced.
  const file = join(repoRoot, 'tiles', 'BENCHMARK.md')
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : ''
  const notes = previous.indexOf('\n## Reading it')
  writeFileSync(file, notes >= 0 ? report + previous.slice(notes) : report)
}

await uncachedApp.close()
await cachedApp.close()
await slowApps?.uncached.close()
await slowApps?.cached.close()
await naive?.close()
await ownerPool?.end()
bare.server.close()
bareSame.server.close()
floorHttp?.server.close()
await db.close()
