/**
 * `npm run bench:reports`: the province's full report set as one XLSX workbook (GET /api/reports/all?area=43&format=xlsx,
 * every table rolled up over the whole registry, as the province administrator), against a reference measured in the
 * same run: the raw SQL that sums the same registry facts per village (one GROUP BY as the owner, no roll-up, no
 * workbook).
 *
 * It works on a database of its own (created and dropped: DATABASE_URL's server, else an embedded one under
 * .vitest-tmp), loaded with the demo data (or the small test fixture, or the province registry).
 */
import { mkdtempSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import ExcelJS from 'exceljs'
import { buildApp } from '../server/app.js'
import { defineCommand, intOption, oneOf } from '../server/cli/args.js'
import { generateAndLoad } from '../geodata/load/generate-and-load.js'
import { loadDataset } from '../geodata/load/load-dataset.js'
import { openTestDb, TMP_ROOT } from '../tests/helpers/test-db.js'
import { fixtureDataset } from '../tests/helpers/fixture-dataset.js'
import { loginAs } from '../tests/helpers/auth.js'
import { pct } from './percentile.js'

const cli = defineCommand({
  name: 'bench:reports',
  command: 'npm run bench:reports',
  usage: 'npm run bench:reports -- [--scale fixture|demo|province] [--runs N]',
  summary:
    "Builds the province's full report set as XLSX through GET /api/reports/all?area=43&format=xlsx N times and prints the time (p50, max) " +
    'against the raw SQL of the same per-village registry facts measured in the same run.',
  options: {
    scale: { type: 'string', value: 'fixture|demo|province', default: 'demo', help: "the data loaded into the benchmark's own database" },
    runs: { type: 'string', value: 'N', default: '3', help: 'workbooks built' },
  },
  notes: ["The database: a fresh one on DATABASE_URL's server when set, else an embedded one; dropped at the end."],
})
const { scale, runs } = cli.parse(process.argv.slice(2), (o) => ({
  scale: oneOf('scale', o.scale, ['fixture', 'demo', 'province'] as const),
  runs: intOption('runs', o.runs, 1, 100, 3),
}))

const log = (m: string) => process.stderr.write(`bench:reports: ${m}\n`)
const t = await openTestDb({ migrate: true })
const dataDir = mkdtempSync(join(TMP_ROOT, 'bench-reports-'))
let app: FastifyInstance | undefined
try {
  const t0 = Date.now()
  if (scale === 'fixture') await loadDataset(t.db, fixtureDataset(), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
  else await generateAndLoad(t.db, { scale, seed: 1, dataDir, log })
  const { rows } = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM household')
  log(`${scale} data (${rows[0]!.n} households) loaded in ${((Date.now() - t0) / 1000).toFixed(0)} s on the ${t.db.kind} database`)
  app = await buildApp({ dataDir, db: t.db, serveClient: false, hardening: { rateLimit: { apiPerMinute: 1e6, tilesPerMinute: 1e6 } } })
  const admin = await loginAs(app, t.db, 'province_admin')

  const raw: number[] = []
  const xlsx: number[] = []
  let sheets = 0
  for (let i = 0; i < runs; i++) {
    let at = performance.now()
    await t.db.query(`SELECT h.village_code, y.status, h.main_cause, h.attribute, count(*), sum(h.size) FROM household h
      JOIN household_year y ON y.household_id = h.id AND y.year = 2020 LEFT JOIN household_year p ON p.household_id = h.id AND p.year = 2019
      GROUP BY 1, 2, 3, 4`)
    await t.db.query(`SELECT COALESCE(village_code, county_code), type, stage, count(*), sum(round(budget_yuan)) FROM project WHERE year <= 2020 GROUP BY 1, 2, 3`)
    raw.push(performance.now() - at)
    at = performance.now()
    const res = await admin.inject('/api/reports/all?area=43&year=2020&format=xlsx')
    xlsx.push(performance.now() - at)
    if (res.statusCode !== 200) throw new Error(`the report answered ${res.statusCode}: ${res.body.slice(0, 300)}`)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer)
    sheets = wb.worksheets.length
  }
  const ms = (v: number) => `${v.toFixed(0)} ms`
  process.stdout.write(
    [
      `bench:reports (${scale} data, ${t.db.kind} database; a shared, noisy machine: read the ratio, not the milliseconds)`,
      `  raw SQL of the facts (reference)   p50 ${ms(pct(raw, 50))}  max ${ms(Math.max(...raw))}`,
      `  full report set as XLSX (${sheets} sheets)  p50 ${ms(pct(xlsx, 50))}  max ${ms(Math.max(...xlsx))}  = ${(pct(xlsx, 50) / pct(raw, 50)).toFixed(1)} × the raw SQL`,
      '',
    ].join('\n'),
  )
} finally {
  await app?.close()
  await t.dispose()
}
