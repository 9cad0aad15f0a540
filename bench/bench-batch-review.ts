/**
 * `npm run bench:batch-review`: approving an import batch of N change requests (household.update, township
 * review: each approval applies its request) through POST /api/imports/batches/{id}/decide, against the
 * reference measured in the same run: approving other requests one by one through
 * POST /api/change-requests/{id}/approve (per request). Both go through povmap_cr_decide; the batch saves the
 * round trips, the per-request transaction and audit statements, and re-scores identification once.
 *
 * It works on a database of its own (created and dropped: DATABASE_URL's server, else an embedded one under
 * .vitest-tmp), loaded with the small test fixture sized to the requests.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { loadavg } from 'node:os'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../server/app.js'
import { defineCommand, intOption } from '../server/cli/args.js'
import { loadDataset } from '../geodata/load/load-dataset.js'
import { openTestDb, TMP_ROOT } from '../tests/helpers/test-db.js'
import { fixtureDataset } from '../tests/helpers/fixture-dataset.js'
import { loginAs } from '../tests/helpers/auth.js'

const cli = defineCommand({
  name: 'bench:batch-review',
  command: 'npm run bench:batch-review',
  usage: 'npm run bench:batch-review -- [--count N] [--reference N]',
  summary: 'Approves an import batch of N change requests at once and prints the time per request against approving --reference others one by one, measured in the same run.',
  options: {
    count: { type: 'string', value: 'N', default: '1000', help: 'requests in the batch' },
    reference: { type: 'string', value: 'N', default: '200', help: 'requests approved one by one for the reference' },
  },
  notes: ['The database: a fresh one on DATABASE_URL\'s server when set, else an embedded one; dropped at the end.'],
})
const { count, reference } = cli.parse(process.argv.slice(2), (o) => ({
  count: intOption('count', o.count, 1, 100_000, 1000),
  reference: intOption('reference', o.reference, 1, 100_000, 200),
}))

const log = (m: string) => process.stderr.write(`bench:batch-review: ${m}\n`)
const t = await openTestDb({ migrate: true })
const dataDir = mkdtempSync(join(TMP_ROOT, 'bench-batch-review-'))
let app: FastifyInstance | undefined
try {
  await loadDataset(t.db, fixtureDataset({ householdsPerVillage: Math.ceil((count + reference) / 4) + 10 }), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
  app = await buildApp({ dataDir, db: t.db, serveClient: false, registry: { noticeDays: 0 }, auth: { loginPerMinute: 10_000 }, hardening: { rateLimit: { apiPerMinute: 1e6, tilesPerMinute: 1e6 } } })
  const county = await loginAs(app, t.db, 'county_officer')
  const towns = new Map([['433124110', await loginAs(app, t.db, 'township_officer', { scope: '433124110' })], ['433124111', await loginAs(app, t.db, 'township_officer', { scope: '433124111' })]])
  const targets = (await t.db.query<{ ref: string; version: number; township: string }>('SELECT ref::text, version, left(village_code, 9) AS township FROM household ORDER BY id LIMIT $1', [count + reference])).rows
  log(`proposing ${targets.length} changes as a county officer`)
  const ids: number[] = []
  for (const [i, h] of targets.entries()) {
    const res = await county.inject({ method: 'POST', url: '/api/change-requests', payload: { kind: 'household.update', target: h.ref, baseVersion: h.version, reason: '基准测试', changes: { kmToMarket: (i % 50) + 0.5 } } })
    if (res.statusCode !== 201) throw new Error(`proposing answered ${res.statusCode}: ${res.body.slice(0, 200)}`)
    ids.push(res.json().id)
  }
  // The first `count` requests as one import batch of the county officer (what a county import files).
  const batch = (
    await t.db.query<{ id: number }>(
      `INSERT INTO import_batch (kind, area_code, mode, rows, creates, changes, unchanged, request_ids, created_by, created_by_username)
       VALUES ('households', '433124', 'requests', $1, 0, $1, 0, $2, $3, $4) RETURNING id`,
      [count, ids.slice(0, count), county.user.id, county.user.username],
    )
  ).rows[0]!.id
  const load = loadavg()
  let at = performance.now()
  let applied = 0
  for (const s of towns.values()) {
    const res = await s.inject({ method: 'POST', url: `/api/imports/batches/${batch}/decide`, payload: { decision: 'approve' } })
    if (res.statusCode !== 200) throw new Error(`deciding answered ${res.statusCode}: ${res.body.slice(0, 200)}`)
    applied += res.json().applied as number
  }
  const batchMs = performance.now() - at
  if (applied !== count) throw new Error(`${applied} requests applied, expected ${count}`)
  at = performance.now()
  for (const [i, h] of targets.slice(count).entries()) {
    const res = await towns.get(h.township)!.inject({ method: 'POST', url: `/api/change-requests/${ids[count + i]}/approve`, payload: {} })
    if (res.statusCode !== 200 || res.json().state !== 'applied') throw new Error(`approving answered ${res.statusCode}: ${res.body.slice(0, 200)}`)
  }
  const oneMs = (performance.now() - at) / reference
  process.stdout.write(
    [
      `bench:batch-review — ${t.db.kind} database, load average ${load.map((x) => x.toFixed(2)).join(' ')}`,
      `one by one (reference, ${reference} requests)  ${oneMs.toFixed(1)} ms per request`,
      `batch of ${count}                         ${(batchMs / count).toFixed(1)} ms per request, ${(batchMs / 1000).toFixed(2)} s in all   ×${(oneMs / (batchMs / count)).toFixed(1)} faster than the reference`,
      '',
    ].join('\n'),
  )
} finally {
  await app?.close()
  await t.dispose()
  rmSync(dataDir, { recursive: true, force: true })
}
