/**
 * `npm run bench:approvals`: approving change requests one after another, per-request latency (p50, p95)
 * through the whole app (routing, session, validation, the caller's transaction, the database's workflow
 * function that applies the change, history, aggregates, tile versions, audit), against a reference
 * measured in the same run on the same rows: the raw SQL update of those households, one transaction each,
 * as the owner (the registry's triggers included: aggregates and tile versions).
 *
 * It works on a database of its own (created and dropped: DATABASE_URL's server, else an embedded one under
 * .vitest-tmp), loaded with the demo data (or the small test fixture, or the province registry).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../server/app.js'
import { defineCommand, intOption, oneOf } from '../server/cli/args.js'
import { generateAndLoad } from '../geodata/load/generate-and-load.js'
import { loadDataset } from '../geodata/load/load-dataset.js'
import { openTestDb, TMP_ROOT, type TestDb } from '../tests/helpers/test-db.js'
import { createPgDb } from '../server/db/pg-db.js'
import { fixtureDataset } from '../tests/helpers/fixture-dataset.js'
import { loginAs, type TestSession } from '../tests/helpers/auth.js'
import { pct } from './percentile.js'

const cli = defineCommand({
  name: 'bench:approvals',
  command: 'npm run bench:approvals',
  usage: 'npm run bench:approvals -- [--scale fixture|demo|province] [--count N]',
  summary:
    'Approves N change requests in a row (household.update, township review: each approval applies its request) and prints the per-request ' +
    'latency p50/p95 against the raw SQL update of the same households measured in the same run.',
  options: {
    scale: { type: 'string', value: 'fixture|demo|province', default: 'demo', help: 'the data loaded into the benchmark\'s own database' },
    count: { type: 'string', value: 'N', default: '1000', help: 'requests approved in a row' },
  },
  notes: [
    'The database: a fresh one on DATABASE_URL\'s server when set, else an embedded one; dropped at the end.',
    'BENCH_DATABASE_URL: instead, a throwaway database already migrated and loaded (a previous run\'s, say): used as it is, not dropped, --scale ignored.',
  ],
})
const { scale, count } = cli.parse(process.argv.slice(2), (o) => ({
  scale: oneOf('scale', o.scale, ['fixture', 'demo', 'province'] as const),
  count: intOption('count', o.count, 1, 100_000, 1000),
}))

const log = (m: string) => process.stderr.write(`bench:approvals: ${m}\n`)
const reuse = process.env.BENCH_DATABASE_URL
const t: TestDb = reuse
  ? (() => {
      const db = createPgDb({ connectionString: reuse, poolMax: 4, connectTimeoutMs: 5000, statementTimeoutMs: 600_000 })
      return { db, location: reuse, dispose: () => db.close() }
    })()
  : await openTestDb({ migrate: true })
const dataDir = mkdtempSync(join(TMP_ROOT, 'bench-approvals-'))
let app: FastifyInstance | undefined
try {
  const t0 = Date.now()
  if (reuse) log('using BENCH_DATABASE_URL as it is')
  else if (scale === 'fixture') await loadDataset(t.db, fixtureDataset({ householdsPerVillage: Math.ceil(count / 4) + 10 }), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
  else await generateAndLoad(t.db, { scale, seed: 1, dataDir, log })
  if (!reuse) log(`${scale} data loaded in ${((Date.now() - t0) / 1000).toFixed(0)} s on the ${t.db.kind} database`)
  const [{ households }] = (await t.db.query<{ households: number }>('SELECT count(*)::int AS households FROM household')).rows as [{ households: number }]

  app = await buildApp({
    dataDir,
    db: t.db,
    serveClient: false,
    registry: { noticeDays: 0 },
    auth: { loginPerMinute: 10_000 },
    hardening: { rateLimit: { apiPerMinute: 1e6, tilesPerMinute: 1e6 } },
  })
  // The households to change: `count` of 湘西 (where the demo's registry is whole), village by village.
  const targets = (
    await t.db.query<{ id: string; ref: string; version: number; township: string; county: string }>(
      `SELECT id::text, ref::text AS ref, version, left(village_code, 9) AS township, left(village_code, 6) AS county
       FROM household WHERE starts_with(village_code, '4331') ORDER BY village_code, id LIMIT $1`,
      [count],
    )
  ).rows
  if (targets.length < count) throw new Error(`only ${targets.length} households in 湘西 at this scale; ask for --count ${targets.length}`)
  const sessions = new Map<string, TestSession>()
  const session = async (role: 'county_officer' | 'township_officer', scope: string) => {
    const key = `${role}:${scope}`
    if (!sessions.has(key)) sessions.set(key, await loginAs(app!, t.db, role, { scope }))
    return sessions.get(key)!
  }

  // Proposals (the county officer of each household's county), timed too, then the approvals in a row.
  const proposeMs: number[] = []
  const ids: number[] = []
  for (const [i, h] of targets.entries()) {
    const s = await session('county_officer', h.county)
    const at = performance.now()
    const res = await s.inject({ method: 'POST', url: '/api/change-requests', payload: { kind: 'household.update', target: h.ref, baseVersion: h.version, reason: '基准测试', changes: { kmToMarket: (i % 50) + 0.5 } } })
    proposeMs.push(performance.now() - at)
    if (res.statusCode !== 201) throw new Error(`proposing answered ${res.statusCode}: ${res.body}`)
    ids.push(res.json().id)
  }
  for (const h of targets) await session('township_officer', h.township)
  const approveMs: number[] = []
  for (const [i, h] of targets.entries()) {
    const s = await session('township_officer', h.township)
    const at = performance.now()
    const res = await s.inject({ method: 'POST', url: `/api/change-requests/${ids[i]}/approve`, payload: {} })
    approveMs.push(performance.now() - at)
    if (res.statusCode !== 200 || res.json().state !== 'applied') throw new Error(`approving answered ${res.statusCode}: ${res.body.slice(0, 300)}`)
  }

  // Reference: the raw update of the same rows, one transaction each (the triggers rebuild aggregates and bump tile versions).
  const rawMs: number[] = []
  for (const [i, h] of targets.entries()) {
    const at = performance.now()
    await t.db.transaction((tx) => tx.query('UPDATE household SET km_to_market = $1, version = version + 1, updated_at = now() WHERE id = $2', [(i % 50) + 1.5, h.id]))
    rawMs.push(performance.now() - at)
  }
  const applied = (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM change_request WHERE state = 'applied' AND id = ANY ($1)`, [ids])).rows[0]!.n
  if (applied !== count) throw new Error(`${applied} requests applied, expected ${count}`)

  const f = (ms: number) => `${ms.toFixed(1)} ms`
  const row = (name: string, xs: number[], ref = rawMs) =>
    `${name.padEnd(28)} p50 ${f(pct(xs, 50)).padStart(9)}  p95 ${f(pct(xs, 95)).padStart(9)}  mean ${f(xs.reduce((a, b) => a + b, 0) / xs.length).padStart(9)}` +
    (xs === ref ? '' : `   ×${(pct(xs, 50) / pct(ref, 50)).toFixed(1)} / ×${(pct(xs, 95) / pct(ref, 95)).toFixed(1)} the reference (p50 / p95)`)
  process.stdout.write(
    [
      `bench:approvals — ${count} requests approved in a row, ${reuse ? 'BENCH_DATABASE_URL' : scale} data (${households.toLocaleString('en')} households), ${t.db.kind} database`,
      row('raw SQL update (reference)', rawMs),
      row('approve (applies)', approveMs),
      row('propose', proposeMs),
      `total approving: ${(approveMs.reduce((a, b) => a + b, 0) / 1000).toFixed(1)} s; requests per second in a row: ${(count / (approveMs.reduce((a, b) => a + b, 0) / 1000)).toFixed(0)}`,
      '',
    ].join('\n'),
  )
} finally {
  await app?.close()
  await t.dispose()
  rmSync(dataDir, { recursive: true, force: true })
}
