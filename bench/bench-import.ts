/**
 * `npm run bench:import`: importing households with members through POST /api/imports — the dry run (parse,
 * the registry's validation row by row, the database checks, the plan), the real run (one transaction; the
 * province administrator's import, staged and applied as one batch with its history, migration 0023), the
 * same file again (nothing to do), and a county officer's real run of other households (pending change
 * requests) — against a reference measured in the same run on the same rows: a raw COPY of the file's rows
 * into a plain table (no validation, no history).
 *
 * It works on a database of its own (created and dropped: DATABASE_URL's server, else an embedded one under
 * .vitest-tmp), holding the small test fixture's divisions.
 */
import { mkdtempSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../server/app.js'
import { defineCommand, intOption } from '../server/cli/args.js'
import { loadDataset } from '../geodata/load/load-dataset.js'
import { openTestDb, TMP_ROOT } from '../tests/helpers/test-db.js'
import { fixtureDataset, FIXTURE } from '../tests/helpers/fixture-dataset.js'
import { loginAs } from '../tests/helpers/auth.js'
import { idCheckChar } from '../domain/registry/validation.js'
import { HOUSEHOLD_IMPORT_COLUMNS } from '../domain/reports/import-columns.js'

const cli = defineCommand({
  name: 'bench:import',
  command: 'npm run bench:import',
  usage: 'npm run bench:import -- [--households N] [--members M] [--run N] [--county N]',
  summary:
    'Imports N households with M members each (a CSV of N×M rows) as a dry run and the first --run of them as a real run through ' +
    'POST /api/imports (then the same file again), and --county other households as a county officer\'s change requests; prints the ' +
    'times and their ratio to a raw COPY of the same rows measured in the same run.',
  options: {
    households: { type: 'string', value: 'N', default: '100000', help: 'households in the file' },
    members: { type: 'string', value: 'M', default: '2', help: 'members per household' },
    run: { type: 'string', value: 'N', help: 'households imported by the real run (default: all of them)' },
    county: { type: 'string', value: 'N', help: "households of a county officer's real run, as change requests (default: as many as --households; 0: none)" },
  },
  notes: ["The database: a fresh one on DATABASE_URL's server when set, else an embedded one; dropped at the end."],
})
const opts = cli.parse(process.argv.slice(2), (o) => {
  const households = intOption('households', o.households, 1, 1_000_000, 100_000)
  return { households, members: intOption('members', o.members, 1, 10, 2), run: intOption('run', o.run, 1, households, households), county: intOption('county', o.county, 0, 1_000_000, households) }
})

const log = (m: string) => process.stderr.write(`bench:import: ${m}\n`)
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`

/** Unique valid ID numbers: birth dates from 1950 on, 500 per day and sex. */
function idNumber(n: number, sex: 'M' | 'F'): string {
  const day = new Date(Date.UTC(1950, 0, 1) + Math.floor(n / 500) * 86_400_000)
  const birth = day.toISOString().slice(0, 10).replace(/-/g, '')
  const first17 = `433124${birth}${String(2 * (n % 500) + (sex === 'M' ? 1 : 0)).padStart(3, '0')}`
  return first17 + idCheckChar(first17)
}

function fileRows(from: number, count: number, members: number): string[][] {
  const rows: string[][] = []
  const [x0, y0] = FIXTURE.origin
  for (let h = from; h < from + count; h++) {
    const v = h % 4
    const lon = (x0 + (v % 2) * FIXTURE.cell + 0.001 + ((h * 7919) % 18000) / 1e6).toFixed(6)
    const lat = (y0 + Math.floor(v / 2) * FIXTURE.cell + 0.001 + ((h * 104729) % 18000) / 1e6).toFixed(6)
    const head = idNumber(h * members, 'M')
    for (let m = 0; m < members; m++) {
      const sex = m === 1 ? 'F' : 'M'
      const values: Record<string, string> = {
        headIdNumber: head, villageCode: FIXTURE.villages[v]!, lon, lat, year: '2020', attribute: '一般贫困户', identificationStandard: '国家标准',
        mainCause: '因病', size: String(members), incomePerCapita: String(3000 + (h % 900)), phone: '13812345678', name: `龙${m}`,
        sex: sex === 'M' ? '男' : '女', idNumber: m === 0 ? head : idNumber(h * members + m, sex), relation: m === 0 ? '户主' : m === 1 ? '配偶' : '之子',
        ethnicity: '苗族', schooling: '小学', health: '健康', labour: '普通劳动力',
      }
      rows.push(HOUSEHOLD_IMPORT_COLUMNS.map((c) => values[c.key]!))
    }
  }
  return rows
}
const csv = (rows: string[][]) => [HOUSEHOLD_IMPORT_COLUMNS.map((c) => c.headers[0]).join(','), ...rows.map((r) => r.join(','))].join('\r\n') + '\r\n'

const t = await openTestDb({ migrate: true })
let app: FastifyInstance | undefined
try {
  await loadDataset(t.db, fixtureDataset({ householdsPerVillage: 5 }), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
  app = await buildApp({ dataDir: mkdtempSync(join(TMP_ROOT, 'bench-import-')), db: t.db, serveClient: false, hardening: { rateLimit: { apiPerMinute: 1e6, tilesPerMinute: 1e6 } } })
  const admin = await loginAs(app, t.db, 'province_admin')
  const all = fileRows(0, opts.households, opts.members)
  const body = Buffer.from(csv(all), 'utf8')
  log(`${opts.households} households, ${all.length} rows, ${(body.length / 1e6).toFixed(1)} MB, on the ${t.db.kind} database`)

  // Reference: the same rows COPYed into a plain table, no checks at all.
  await t.db.exec(`CREATE TABLE bench_import_raw (${HOUSEHOLD_IMPORT_COLUMNS.map((c) => `${c.key.replace(/[A-Z]/g, (x) => `_${x.toLowerCase()}`)} text`).join(', ')})`)
  const cols = HOUSEHOLD_IMPORT_COLUMNS.map((c) => c.key.replace(/[A-Z]/g, (x) => `_${x.toLowerCase()}`))
  let at = performance.now()
  const lines = all.map((r) => r.join(',') + '\n')
  const chunks: string[] = []
  for (let i = 0; i < lines.length; i += 5000) chunks.push(lines.slice(i, i + 5000).join(''))
  await t.db.copyFrom('bench_import_raw', cols, chunks)
  const copyMs = performance.now() - at
  log(`raw COPY of the rows: ${secs(copyMs)}`)

  const post = (s: typeof admin, payload: Buffer, dryRun: boolean) =>
    s.inject({ method: 'POST', url: `/api/imports?kind=households&dryRun=${dryRun}`, payload, headers: { 'content-type': 'text/csv' } })
  at = performance.now()
  const dry = await post(admin, body, true)
  const dryMs = performance.now() - at
  if (dry.statusCode !== 200) throw new Error(`the dry run answered ${dry.statusCode}: ${dry.body.slice(0, 300)}`)
  const report = dry.json() as { errors: unknown[]; create: number }
  log(`dry run: ${secs(dryMs)} (${report.create} to create, ${report.errors.length} problems)`)

  const runBody = opts.run === opts.households ? body : Buffer.from(csv(all.slice(0, opts.run * opts.members)), 'utf8')
  at = performance.now()
  const real = await post(admin, runBody, false)
  const runMs = performance.now() - at
  if (real.statusCode !== 200) throw new Error(`the real run answered ${real.statusCode}: ${real.body.slice(0, 300)}`)
  log(`real run of ${opts.run} households: ${secs(runMs)}`)
  const counts = async () =>
    (await t.db.query<{ households: number; history: number; requests: number }>('SELECT (SELECT count(*) FROM household)::int AS households, (SELECT count(*) FROM household_history)::int AS history, (SELECT count(*) FROM change_request)::int AS requests')).rows[0]!
  const afterRun = await counts()

  // The same file again: planned, nothing to write.
  at = performance.now()
  const again = await post(admin, runBody, false)
  const againMs = performance.now() - at
  const againReport = again.json() as { create: number; change: number; unchanged: number }
  if (again.statusCode !== 200 || againReport.create + againReport.change !== 0) throw new Error(`the second run answered ${again.statusCode}: ${again.body.slice(0, 300)}`)
  if (JSON.stringify(await counts()) !== JSON.stringify(afterRun)) throw new Error('the second run of the same file changed the database')
  log(`the same file again: ${secs(againMs)} (${againReport.unchanged} unchanged)`)

  // A county officer's import of other households: one batch of pending change requests.
  let countyMs = 0
  let countyDryMs = 0
  if (opts.county > 0) {
    const county = await loginAs(app, t.db, 'county_officer')
    const countyBody = Buffer.from(csv(fileRows(opts.households, opts.county, opts.members)), 'utf8')
    at = performance.now()
    const countyDry = await post(county, countyBody, true)
    countyDryMs = performance.now() - at
    if (countyDry.statusCode !== 200) throw new Error(`the county dry run answered ${countyDry.statusCode}: ${countyDry.body.slice(0, 300)}`)
    at = performance.now()
    const proposed = await post(county, countyBody, false)
    countyMs = performance.now() - at
    if (proposed.statusCode !== 200 || (proposed.json() as { requests: number }).requests !== opts.county) throw new Error(`the county run answered ${proposed.statusCode}: ${proposed.body.slice(0, 300)}`)
    log(`county officer's run of ${opts.county} households: ${secs(countyMs)} (dry run ${secs(countyDryMs)})`)
  }

  const copyOf = (households: number) => (copyMs * households) / opts.households
  process.stdout.write(
    [
      `bench:import (${t.db.kind} database; a shared, noisy machine: read the ratios, not the seconds)`,
      `  rows                          ${all.length} (${opts.households} households × ${opts.members} members)`,
      `  raw COPY (reference)          ${secs(copyMs)}`,
      `  dry run                       ${secs(dryMs)}  = ${(dryMs / copyMs).toFixed(1)} × COPY`,
      `  real run, applied (${opts.run} households)  ${secs(runMs)}  = ${(runMs / copyOf(opts.run)).toFixed(1)} × COPY of as many rows = ${(runMs / dryMs).toFixed(2)} × the dry run; ` +
        `${((runMs / opts.run) * 1000).toFixed(0)} µs per household (${afterRun.history} history rows, ${afterRun.requests} change requests in the database)`,
      `    of which writing (real run − its own planning ≈ the dry run)  ${secs(Math.max(0, runMs - dryMs * (opts.run / opts.households)))}`,
      `  the same file again           ${secs(againMs)}  = ${(againMs / copyOf(opts.run)).toFixed(1)} × COPY (nothing written)`,
      ...(opts.county > 0
        ? [`  county officer's run (${opts.county} households → change requests)  ${secs(countyMs)}  = ${(countyMs / copyOf(opts.county)).toFixed(1)} × COPY = ${(countyMs / countyDryMs).toFixed(2)} × its dry run`]
        : []),
      '',
    ].join('\n'),
  )
} finally {
  await app?.close()
  await t.dispose()
}
