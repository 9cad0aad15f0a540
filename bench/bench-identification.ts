/**
 * `npm run bench:identification`: the full AF identification of the loaded registry (every household
 * and year, then every area's profile) and the re-identification of one household after an edit, each
 * beside a raw-SQL reference measured in the same run on the same tables:
 *   - full: a plain scan and aggregate of household_year ⋈ household ⋈ member (what any identification
 *     must at least read: the raw-scan floor), then ours (npm run identify's batch, with its time per year),
 *     and the per-year statement before migration 0027 (identification_identify, one year, rolled back);
 *   - one household: reading its rows (household_year, member), then ours (the trigger's function,
 *     identification_refresh_households: identify its years, rebuild its villages' and ancestors' profile).
 * Prints figures, ratios and the extrapolation to the province (1.7 M households). The machine is shared
 * and noisy: read the ratios, not the absolute figures. Loads the demo first when the database is empty.
 */
import { loadConfig } from '../server/infra/config.js'
import { openAndMigrate } from '../server/start-up.js'
import { generateAndLoad } from '../geodata/load/generate-and-load.js'
import { identifyAll } from '../server/identification/batch.js'
import { createRng } from '../geodata/generate/rng.js'
import { defineCommand } from '../server/cli/args.js'
import { progressBar } from '../server/infra/progress.js'
import { pct as percentile } from './percentile.js'

defineCommand({
  name: 'bench:identification',
  command: 'npm run bench:identification',
  usage: 'npm run bench:identification',
  summary: 'Full AF identification and one household re-identified, each against a raw-SQL reference in the same run; extrapolated to the province.',
  notes: ['The database: DATABASE_URL, or the embedded one under DATA_DIR; an empty one gets the demo load first.', 'BENCH_ONE (households re-identified, default 50), BENCH_ROUNDS (full runs, default 2).'],
}).parse(process.argv.slice(2))

const PROVINCE_HOUSEHOLDS = 1_700_000
class RolledBack extends Error {}
const ONE = Number(process.env.BENCH_ONE ?? 50)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2)
const log = (m: string) => process.stderr.write(`bench: ${m}\n`)
const ms = (x: number) => `${x.toFixed(1)} ms`

const config = loadConfig()
const db = await openAndMigrate(config, log)
try {
  const n = async (sql: string) => Number((await db.query<{ n: number }>(sql)).rows[0]!.n)
  if ((await n('SELECT count(*) AS n FROM household')) === 0) {
    log('empty database: loading the demo first')
    await generateAndLoad(db, { scale: 'demo', seed: 1, dataDir: config.dataDir, log, progress: progressBar })
  }
  const households = await n('SELECT count(*) AS n FROM household')
  const householdYears = await n('SELECT count(*) AS n FROM household_year')
  const members = await n('SELECT count(*) AS n FROM member')
  const years = await n('SELECT count(DISTINCT year) AS n FROM household_year')
  log(`scale: ${households} households, ${householdYears} household-years (${years} years), ${members} members; database ${db.kind}`)

  const time = async (fn: () => Promise<unknown>) => {
    const t0 = performance.now()
    await fn()
    return performance.now() - t0
  }
  const REFERENCE = `SELECT y.year, count(*) AS n, sum(h.size) AS people, sum(y.income_per_capita) AS income,
      count(*) FILTER (WHERE NOT (y.food_clothing_ok AND y.education_ok AND y.medical_ok AND y.housing_ok AND y.water_ok)) AS gaps,
      sum(m.members) AS members, sum(m.uninsured) AS uninsured
    FROM household_year y JOIN household h ON h.id = y.household_id
    LEFT JOIN (SELECT household_id, count(*) AS members, count(*) FILTER (WHERE NOT medical_insurance) AS uninsured FROM member GROUP BY 1) m
      ON m.household_id = y.household_id
    GROUP BY y.year`
  const full: { ref: number; ours: number; steps: Record<string, number> }[] = []
  for (let r = 0; r < ROUNDS; r++) {
    const ref = await time(() => db.transaction(async (tx) => void (await tx.query(REFERENCE))))
    let steps: Record<string, number> = {}
    const ours = await time(async () => void ({ steps } = await identifyAll(db)))
    full.push({ ref, ours, steps })
    log(`full round ${r + 1}: reference scan ${ms(ref)}, identification ${ms(ours)}`)
  }
  const best = full.reduce((a, b) => (b.ours < a.ours ? b : a))
  const bestRef = Math.min(...full.map((f) => f.ref))
  const yearSteps = Object.entries(best.steps).filter(([k]) => /^\d{4}$/.test(k))
  // The statement of every year before migration 0027, on the middle year, rolled back (what it replaced).
  const [midYear, midOurs] = yearSteps[Math.floor(yearSteps.length / 2)] ?? ['', 0]
  let previousYear = 0
  if (midYear) {
    previousYear = await time(() =>
      db
        .transaction(async (tx) => {
          await tx.exec("SET LOCAL work_mem = '256MB'")
          await tx.query('SELECT identification_identify($1)', [Number(midYear)])
          throw new RolledBack()
        })
        .catch((e: unknown) => {
          if (!(e instanceof RolledBack)) throw e
        }),
    )
    log(`previous per-year statement (identification_identify ${midYear}): ${ms(previousYear)}`)
  }

  const rng = createRng(17)
  const ids = (await db.query<{ id: string }>('SELECT id::text FROM household ORDER BY id')).rows.map((r) => r.id)
  const sample = Array.from({ length: Math.min(ONE, ids.length) }, () => ids[rng.int(0, ids.length - 1)]!)
  const oneRef: number[] = []
  const oneOurs: number[] = []
  for (const id of sample) {
    oneRef.push(
      await time(() =>
        db.transaction(async (tx) => {
          await tx.query('SELECT * FROM household_year WHERE household_id = $1', [id])
          await tx.query('SELECT * FROM member WHERE household_id = $1', [id])
        }),
      ),
    )
    // What a registry edit costs: the trigger's function inside the edit's transaction.
    oneOurs.push(await time(() => db.transaction(async (tx) => void (await tx.query('SELECT identification_refresh_households(ARRAY[$1::bigint])', [id])))))
  }
  const med = (xs: number[]) => percentile(xs, 50)
  const perHousehold = best.ours / households
  const lines = [
    `identification benchmark (${db.kind} database, ${households} households, ${householdYears} household-years over ${years} years, ${members} members; best of ${ROUNDS})`,
    `  full identification:  ${ms(best.ours)}  (reference scan of the same tables ${ms(bestRef)}; ratio ${(best.ours / bestRef).toFixed(2)}×)`,
    `    ${(householdYears / (best.ours / 1000)).toFixed(0)} household-years/s; raw-scan floor ${ms(bestRef)} → ratio ${(best.ours / bestRef).toFixed(2)}×`,
    `    per step: ${Object.entries(best.steps).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ')}`,
    `    per year: median ${ms(percentile(yearSteps.map(([, v]) => v), 50))}; the statement before migration 0027 on ${midYear}: ${ms(previousYear)} vs ${ms(midOurs)} now (${(previousYear / Math.max(midOurs, 1e-9)).toFixed(1)}× faster)`,
    `    province extrapolated (linear): ${PROVINCE_HOUSEHOLDS.toLocaleString('en-US')} households × ${years} years ≈ ${((perHousehold * PROVINCE_HOUSEHOLDS) / 1000).toFixed(1)} s; one year ≈ ${((perHousehold * PROVINCE_HOUSEHOLDS) / years / 1000).toFixed(1)} s (target: under 120 s)`,
    `  one household re-identified (${sample.length} samples): median ${ms(med(oneOurs))}, p95 ${ms(percentile(oneOurs, 95))} (reference read of its rows: median ${ms(med(oneRef))}; ratio ${(med(oneOurs) / med(oneRef)).toFixed(1)}×; target under 1000 ms)`,
  ]
  process.stdout.write(lines.join('\n') + '\n')
} finally {
  await db.close()
}
