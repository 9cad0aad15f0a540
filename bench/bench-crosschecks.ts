/**
 * `npm run bench:crosschecks`: cross-checking external records against the registry end to end, by the
 * code the import route runs (server/crosschecks/import.ts), as a county officer's session, phase by phase:
 *   parse + check — the CSV through papaparse and the row-by-row check (GB 11643, enumerations, dates, duplicates);
 *   stage — the import row and the records COPYed into the transaction's staging table (migration 0026;
 *           batched INSERTs on the embedded database, whose COPY reads a file the request role may not);
 *   match — povmap_crosscheck_match: supersede, keyed person hash, member by ID number in the import's area,
 *           the records written into xc_record in one statement;
 *   rules — the vehicle rule's INSERT … SELECT over the matched records; commit.
 * Floors measured in the same run on the same rows: papaparse alone, a raw COPY of the same staged text into
 * an UNLOGGED table without index or constraint, a bare count of its join with member by ID number, and a
 * plain INSERT … SELECT of those rows into a logged table without index (what writing them at all costs).
 * The database: BENCH_DATABASE_URL's or DATABASE_URL's server when set (a throwaway database created and
 * dropped there), else the embedded PostGIS (smaller default sizes). The machine is shared and noisy: read
 * the ratios, not the seconds.
 */
import { performance } from 'node:perf_hooks'
import { loadavg } from 'node:os'
import Papa from 'papaparse'
import { defineCommand, intOption } from '../server/cli/args.js'
import { REGISTRIES } from '../domain/crosschecks/registries.js'
import { gb11643CheckDigit } from '../geodata/generate/households/id-numbers.js'
import { checkRegistryFile, stageCsv, writeRegistryRecords, type WriteTimings } from '../server/crosschecks/import.js'
import { withCaller } from '../server/db/caller-transactions.js'
import type { Queryable } from '../server/db/types.js'

const serverUrl = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || undefined
const opts = defineCommand({
  name: 'bench:crosschecks',
  command: 'npm run bench:crosschecks',
  usage: 'npm run bench:crosschecks -- [--records N] [--members N] [--share PERCENT]',
  summary: 'Cross-checks external records against a synthetic registry end to end on a throwaway database, phase by phase, against floors measured in the same run.',
  options: {
    records: { type: 'string', value: 'N', help: 'external records (vehicle registrations); default 1000000 on a server, 100000 embedded' },
    members: { type: 'string', value: 'N', help: 'registry members (4 per household); default as --records' },
    share: { type: 'string', value: 'PERCENT', default: '30', help: 'records naming a registry member' },
  },
  notes: [
    'The database: a throwaway one on the server of BENCH_DATABASE_URL, else DATABASE_URL (created and dropped); with neither, an embedded PostGIS in .vitest-tmp.',
    'The embedded database is single-threaded and slower: its default is 100,000 records; --records overrides it.',
    'BENCH_KEEP=1 keeps a server\'s throwaway database (its URL is printed) for inspection; drop it yourself.',
  ],
}).parse(process.argv.slice(2), (v) => {
  const fallback = serverUrl ? 1_000_000 : 100_000
  const records = intOption('records', v.records, 1000, 5_000_000, fallback)
  return {
    records,
    members: intOption('members', v.members, 1000, 10_000_000, records),
    share: intOption('share', v.share, 0, 100, 30),
  }
})

// The test helpers open the throwaway database on DATABASE_URL's server: point it at the chosen one.
if (serverUrl) process.env.DATABASE_URL = serverUrl
const { openTestDb } = await import('../tests/helpers/test-db.js')
const { sessionCaller } = await import('../tests/helpers/auth.js')

const log = (s: string) => process.stderr.write(`bench:crosschecks: ${s}\n`)
const ms = (t0: number) => performance.now() - t0
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ')

/** The i-th synthetic ID number of a county: a real date and a right check digit. */
function idNumber(i: number, region = '433124'): string {
  const day = i % 10_000
  const y = 1940 + (day % 70)
  const m = 1 + (Math.floor(day / 70) % 12)
  const d = 1 + (Math.floor(day / 840) % 28)
  const seq = String(Math.floor(i / 10_000) % 1000).padStart(3, '0')
  const first17 = `${region}${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}${seq}`
  return first17 + gb11643CheckDigit(first17)
}

const t = await openTestDb({ migrate: true })
try {
  const db = t.db
  const where = db.kind === 'server' ? `server database (throwaway, on ${new URL(serverUrl!).host} from ${process.env.BENCH_DATABASE_URL ? 'BENCH_DATABASE_URL' : 'DATABASE_URL'})` : 'embedded database (PGlite)'
  log(`${where}; registry ${opts.members} members, ${opts.records} records (${opts.share}% of them members); load average ${load()}`)
  const untimed = <T>(fn: (tx: Queryable) => Promise<T>) =>
    db.transaction(async (tx) => {
      await tx.exec('SET LOCAL statement_timeout = 0')
      return fn(tx)
    })
  const households = Math.ceil(opts.members / 4)
  let t0 = performance.now()
  await untimed(async (tx) => {
    await tx.exec(`INSERT INTO admin_area (code, level, name, parent_code) VALUES ('43', 'province', '湖南省', NULL), ('4331', 'prefecture', '湘西州', '43'),
      ('433124', 'county', '花垣县', '4331'), ('433124110', 'township', '双龙镇', '433124'), ('433124110226', 'village', '十八洞村', '433124110')`)
    await tx.query(`INSERT INTO household (id, village_code, geom, size, identification_standard, attribute, main_cause, registered_year)
      SELECT g, '433124110226', ST_SetSRID(ST_MakePoint(109.5, 28.3), 4326), 4, 'national', 'general', 'illness', 2014 FROM generate_series(1, $1::int) g`, [households])
    await tx.query(`INSERT INTO household_year (household_id, year, status, income_per_capita, food_clothing_ok, education_ok, medical_ok, housing_ok, water_ok, village_code)
      SELECT g, 2019, 'poor', 3000, true, true, true, true, true, '433124110226' FROM generate_series(1, $1::int) g`, [households])
  })
  const ids = Array.from({ length: opts.members }, (_, i) => idNumber(i))
  await untimed((tx) => tx.copyFrom('member', ['id', 'household_id', 'name', 'sex', 'id_number', 'relation', 'ethnicity', 'birth_year', 'schooling', 'health', 'labour'], (function* () {
    for (let i = 0; i < ids.length; i += 50_000) {
      yield ids.slice(i, i + 50_000).map((id, k) => `${i + k + 1},${Math.floor((i + k) / 4) + 1},龙某,M,${id},head,Miao,1980,primary,healthy,ordinary\n`).join('')
    }
  })()))
  await db.exec('ANALYZE household; ANALYZE household_year; ANALYZE member')
  const officer = await sessionCaller(db, 'county_officer', '433124')
  log(`registry written in ${(ms(t0) / 1000).toFixed(1)} s`)

  // The department's file: a header and --records rows, the members among them spread through it.
  t0 = performance.now()
  const header = REGISTRIES.vehicles.columns.map((c) => c.header)
  const lines = [header.join(',')]
  const hits = Math.round((opts.records * opts.share) / 100)
  for (let i = 0; i < opts.records; i++) {
    const member = i < hits
    const id = member ? ids[(i * 7919) % ids.length]! : idNumber(i, '430102')
    lines.push(`湘U${String(i).padStart(7, '0')},${i % 3 === 0 ? '小型轿车' : '普通二轮摩托车'},龙某,${id},2018-05-01,正常`)
  }
  const body = Buffer.from(lines.join('\n'))
  lines.length = 0
  const makeMs = ms(t0)
  log(`file of ${(body.length / 1e6).toFixed(0)} MB made; load average ${load()}`)

  // Floor of parsing: papaparse alone on the same text.
  t0 = performance.now()
  const papaRows = Papa.parse<string[]>(body.toString('utf8'), { skipEmptyLines: 'greedy' }).data.length
  const papaMs = ms(t0)

  // Ours, end to end: parse + check, then one transaction of the county officer's session.
  t0 = performance.now()
  const checked = await checkRegistryFile('vehicles', body, { maxRows: opts.records })
  const checkMs = ms(t0)
  if (checked.errors.length > 0) throw new Error(`the generated file has errors: ${JSON.stringify(checked.errors.slice(0, 3))}`)
  if (checked.records.length !== papaRows - 1) throw new Error(`${checked.records.length} records, papaparse read ${papaRows - 1} rows`)
  const timings: WriteTimings = { stage: 0, match: 0, rules: 0 }
  t0 = performance.now()
  const written = await withCaller(db, officer, async (tx) => {
    await tx.exec('SET LOCAL statement_timeout = 0')
    return writeRegistryRecords(tx, { registry: 'vehicles', fileName: 'bench.csv', area: '433124', userId: officer.userId, username: officer.username, bulk: db.kind === 'server' ? 'copy' : 'insert' }, checked.format, checked.records, timings)
  })
  const txMs = ms(t0)
  const commitMs = txMs - timings.stage - timings.match - timings.rules
  const loadAfter = load()

  // Floors on the same rows: a raw COPY of the staged text into an UNLOGGED table (no index, no constraint,
  // no policy), a bare count of its join with member by ID number, a plain logged write (all rolled back).
  let copyMs = 0
  let joinMs = 0
  let writeMs = 0
  let joined = 0
  class RolledBack extends Error {}
  await untimed(async (tx) => {
    await tx.exec('CREATE UNLOGGED TABLE bench_xc_floor (row_no integer, id_number text, name text, fields jsonb, area_code text)')
    let s = performance.now()
    await tx.copyFrom('bench_xc_floor', ['row_no', 'id_number', 'name', 'fields', 'area_code'], stageCsv(checked.records))
    copyMs = ms(s)
    await tx.exec("SET LOCAL work_mem = '256MB'; ANALYZE bench_xc_floor")
    s = performance.now()
    joined = Number((await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM bench_xc_floor f JOIN member m ON m.id_number = f.id_number')).rows[0]!.n)
    joinMs = ms(s)
    // What writing the same rows durably costs at least: a logged table, no index, no constraint.
    await tx.exec('CREATE TABLE bench_xc_written (row_no integer, id_number text, name text, fields jsonb, area_code text)')
    s = performance.now()
    await tx.exec('INSERT INTO bench_xc_written SELECT * FROM bench_xc_floor')
    writeMs = ms(s)
    throw new RolledBack()
  }).catch((err: unknown) => {
    if (!(err instanceof RolledBack)) throw err
  })

  // What the import wrote, against the floor's join and the rule's definition.
  const [stored] = (await db.query<{ records: number; matched: number; flags: number }>(
    `SELECT (SELECT count(*) FROM xc_record WHERE import_id = $1)::int AS records, (SELECT count(*) FROM xc_record WHERE import_id = $1 AND member_id IS NOT NULL)::int AS matched,
      (SELECT count(*) FROM xc_flag WHERE import_id = $1 AND rule = 'vehicle_owner')::int AS flags`,
    [written.importId],
  )).rows
  if (stored!.records !== checked.records.length) throw new Error(`${stored!.records} records stored of ${checked.records.length}`)
  if (written.matched !== joined || stored!.matched !== joined) throw new Error(`matched ${written.matched} (${stored!.matched} stored), the bare join counts ${joined}`)
  const carOwners = Array.from({ length: hits }, (_, i) => i).filter((i) => i % 3 === 0).length
  if (stored!.flags !== carOwners || written.flags.vehicle_owner !== carOwners) throw new Error(`${stored!.flags} vehicle_owner flags, ${carOwners} car owners planted`)

  const total = checkMs + txMs
  const floor = papaMs + copyMs + joinMs + writeMs
  const s = (v: number) => `${(v / 1000).toFixed(2)} s`
  const row = (name: string, v: number, ref: number | null, note = '') => `| ${name} | ${s(v)} | ${ref === null ? '' : `${(v / ref).toFixed(1)}×`} | ${note} |`
  process.stdout.write(
    [
      `Cross-checking ${opts.records.toLocaleString('en')} vehicle records against ${opts.members.toLocaleString('en')} members on the ${where}, ` +
        `as a county officer; ${written.matched.toLocaleString('en')} matched, ${stored!.flags.toLocaleString('en')} flags.`,
      `Load average (1, 5, 15 min) after the import: ${loadAfter} on ${(await import('node:os')).cpus().length} CPUs.`,
      '',
      '| phase | time | × its floor | |',
      '|---|---|---|---|',
      row('make the CSV (test data, not counted)', makeMs, null),
      row('parse + check row by row', checkMs, papaMs, `floor: papaparse alone; ${Math.round(opts.records / (checkMs / 1000)).toLocaleString('en')} rows/s`),
      row(`stage (import row, ${db.kind === 'server' ? 'COPY' : 'batched INSERTs'} into the staging table)`, timings.stage, copyMs, 'floor: raw COPY into an unlogged table'),
      row('match (povmap_crosscheck_match, writes xc_record)', timings.match, joinMs + writeMs, 'floor: bare join count + plain logged INSERT of the rows'),
      row('rule vehicle_owner', timings.rules, joinMs, 'floor: bare join count'),
      row('commit', commitMs, null),
      row('**cross-check end to end**', total, floor, `floor sum ${s(floor)}; target 120 s at 1 M on the server`),
      '',
      `Floors: papaparse ${s(papaMs)}, raw COPY ${s(copyMs)}, bare join count ${s(joinMs)} (${joined.toLocaleString('en')} rows), ` +
        `plain INSERT … SELECT of the rows into a logged table without index ${s(writeMs)}.`,
      '',
    ].join('\n'),
  )
} finally {
  if (process.env.BENCH_KEEP && t.db.kind === 'server') {
    await t.db.close()
    log(`kept the database for inspection: ${t.location}`)
  } else await t.dispose()
}
