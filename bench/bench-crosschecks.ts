/**
 * `npm run bench:crosschecks`: cross-checking 1 million external records against the registry, phase by
 * phase, with a raw-SQL join measured in the same run as the floor:
 *   parse + check — the CSV through papaparse and the row-by-row check (GB 11643, enumerations, dates, duplicates);
 *   load — the records into xc_record (COPY, as the loader does; the route inserts in batches as the caller);
 *   match — povmap_crosscheck_match: supersede, keyed person hash, member by ID number in the import's area;
 *   rules — the vehicle rule's INSERT … SELECT over the matched records;
 *   reference — SELECT count(*) FROM xc_record JOIN member ON id_number (the same join, no writes).
 * On a throwaway database of the configured kind (DATABASE_URL's server, else the embedded PostGIS): a
 * synthetic registry of --members members in one county, and --records vehicle records of which --share
 * name a member. The machine is shared and noisy: read the ratios, not the milliseconds.
 */
import { performance } from 'node:perf_hooks'
import Papa from 'papaparse'
import { defineCommand, intOption } from '../server/cli/args.js'
import { openTestDb } from '../tests/helpers/test-db.js'
import { validateRows } from '../domain/crosschecks/validate-rows.js'
import { REGISTRIES } from '../domain/crosschecks/registries.js'
import { gb11643CheckDigit } from '../geodata/generate/households/id-numbers.js'
import { RULE_SQL } from '../server/crosschecks/rule-queries.js'
import type { Queryable } from '../server/db/types.js'

const opts = defineCommand({
  name: 'bench:crosschecks',
  command: 'npm run bench:crosschecks',
  usage: 'npm run bench:crosschecks -- [--records N] [--members N] [--share PERCENT]',
  summary: 'Cross-checks external records against a synthetic registry on a throwaway database, phase by phase, against a raw-SQL join measured in the same run.',
  options: {
    records: { type: 'string', value: 'N', default: '1000000', help: 'external records (vehicle registrations)' },
    members: { type: 'string', value: 'N', default: '1000000', help: 'registry members (4 per household)' },
    share: { type: 'string', value: 'PERCENT', default: '30', help: 'records naming a registry member' },
  },
  notes: ['The database: a throwaway one on DATABASE_URL’s server (created and dropped), or unset an embedded PostGIS in .vitest-tmp.'],
}).parse(process.argv.slice(2), (v) => ({
  records: intOption('records', v.records, 1000, 5_000_000, 1_000_000),
  members: intOption('members', v.members, 1000, 10_000_000, 1_000_000),
  share: intOption('share', v.share, 0, 100, 30),
}))

const log = (s: string) => process.stderr.write(`${s}\n`)
const ms = (t0: number) => performance.now() - t0

/** The i-th synthetic ID number of county 433124: a real date and a right check digit. */
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
  log(`database: ${db.kind}; registry ${opts.members} members, ${opts.records} records (${opts.share}% of them members)`)
  const households = Math.ceil(opts.members / 4)
  let t0 = performance.now()
  await db.transaction(async (tx) => {
    await tx.exec('SET LOCAL statement_timeout = 0')
    await tx.exec(`INSERT INTO admin_area (code, level, name, parent_code) VALUES ('43', 'province', '湖南省', NULL), ('4331', 'prefecture', '湘西州', '43'),
      ('433124', 'county', '花垣县', '4331'), ('433124110', 'township', '双龙镇', '433124'), ('433124110226', 'village', '十八洞村', '433124110')`)
    await tx.query(`INSERT INTO household (id, village_code, geom, size, identification_standard, attribute, main_cause, registered_year)
      SELECT g, '433124110226', ST_SetSRID(ST_MakePoint(109.5, 28.3), 4326), 4, 'national', 'general', 'illness', 2014 FROM generate_series(1, $1::int) g`, [households])
    await tx.query(`INSERT INTO household_year (household_id, year, status, income_per_capita, food_clothing_ok, education_ok, medical_ok, housing_ok, water_ok, village_code)
      SELECT g, 2019, 'poor', 3000, true, true, true, true, true, '433124110226' FROM generate_series(1, $1::int) g`, [households])
  })
  const ids = Array.from({ length: opts.members }, (_, i) => idNumber(i))
  const untimed = <T>(fn: (tx: Queryable) => Promise<T>) =>
    db.transaction(async (tx) => {
      await tx.exec('SET LOCAL statement_timeout = 0')
      return fn(tx)
    })
  await untimed((tx) => tx.copyFrom('member', ['id', 'household_id', 'name', 'sex', 'id_number', 'relation', 'ethnicity', 'birth_year', 'schooling', 'health', 'labour'], (function* () {
    for (let i = 0; i < ids.length; i += 50_000) {
      yield ids.slice(i, i + 50_000).map((id, k) => `${i + k + 1},${Math.floor((i + k) / 4) + 1},龙某,M,${id},head,Miao,1980,primary,healthy,ordinary\n`).join('')
    }
  })()))
  await db.exec('ANALYZE household; ANALYZE member')
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
  const csv = lines.join('\n')
  const makeMs = ms(t0)

  t0 = performance.now()
  const parsed = Papa.parse<string[]>(csv, { skipEmptyLines: 'greedy' })
  const checked = validateRows('vehicles', parsed.data[0]!, parsed.data.slice(1))
  const checkMs = ms(t0)
  if (checked.errors.length > 0) throw new Error(`the generated file has errors: ${JSON.stringify(checked.errors.slice(0, 3))}`)

  t0 = performance.now()
  const importId = await db.transaction(async (tx) => {
    const { rows } = await tx.query<{ id: string }>("INSERT INTO xc_import (registry, area_code, format, rows) VALUES ('vehicles', '43', 'csv', $1) RETURNING id", [checked.records.length])
    return Number(rows[0]!.id)
  })
  const q = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)
  await untimed((tx) => tx.copyFrom('xc_record', ['import_id', 'import_area', 'row_no', 'id_number', 'name', 'fields'], (function* () {
    for (let i = 0; i < checked.records.length; i += 50_000) {
      yield checked.records.slice(i, i + 50_000).map((r) => `${importId},43,${r.row},${r.idNumber},${q(r.name)},${q(JSON.stringify(r.fields))}\n`).join('')
    }
  })()))
  await db.exec('ANALYZE xc_record')
  const loadMs = ms(t0)

  const timed = async (sql: string, params: unknown[]) => {
    const s = performance.now()
    const r = await db.transaction(async (tx) => {
      await tx.exec('SET LOCAL statement_timeout = 0')
      return tx.query<Record<string, unknown>>(sql, params)
    })
    return { ms: ms(s), r }
  }
  // The floor first and last: the same join, read only (the average of the two, so the cache state is fair to both).
  const REFERENCE = 'SELECT count(*)::int AS n FROM xc_record r JOIN member m ON m.id_number = r.id_number WHERE r.import_id = $1'
  const ref1 = await timed(REFERENCE, [importId])
  const match = await timed('SELECT povmap_crosscheck_match($1) AS matched', [importId])
  const rules = await timed(RULE_SQL.vehicle_owner, [importId])
  const ref2 = await timed(REFERENCE, [importId])
  const refMs = (ref1.ms + ref2.ms) / 2
  const matched = Number(match.r.rows[0]!.matched)
  if (matched !== Number(ref1.r.rows[0]!.n)) throw new Error(`matched ${matched}, the reference join counts ${String(ref1.r.rows[0]!.n)}`)

  const row = (name: string, v: number, note = '') => `| ${name} | ${(v / 1000).toFixed(2)} s | ${(v / refMs).toFixed(1)}× | ${note} |`
  process.stdout.write(
    [
      `Cross-checking ${opts.records.toLocaleString('en')} records against ${opts.members.toLocaleString('en')} members (${db.kind} database); ${matched.toLocaleString('en')} matched, ${rules.r.rowCount.toLocaleString('en')} flags.`,
      '',
      '| phase | time | × raw join | |',
      '|---|---|---|---|',
      row('make the CSV (test data)', makeMs),
      row('parse + check row by row', checkMs, `${Math.round(opts.records / (checkMs / 1000)).toLocaleString('en')} rows/s`),
      row('load (COPY)', loadMs),
      row('match (povmap_crosscheck_match)', match.ms),
      row('rule vehicle_owner', rules.ms),
      row('reference: raw SQL join (count)', refMs),
      row('cross-check total (check + load + match + rule)', checkMs + loadMs + match.ms + rules.ms),
      '',
    ].join('\n'),
  )
} finally {
  await t.dispose()
}
