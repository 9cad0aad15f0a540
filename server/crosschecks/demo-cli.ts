/**
 * `npm run crosscheck:demo`: the other departments' registries for a demo area, generated with planted
 * mismatches (geodata/generate/external-registries.ts), written as the files each department sends, then
 * imported through the same import as POST /api/crosschecks/imports (as the loader: no session, so no
 * importer), and the mis-identification leads ranked. Prints what was planted and what each rule found.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { loadConfig } from '../infra/config.js'
import { openAndMigrate } from '../start-up.js'
import { failAndExit } from '../cli/fail.js'
import { defineCommand, intOption, UsageError } from '../cli/args.js'
import { isAdminCode } from '../../domain/admin-codes.js'
import { REGISTRY_KINDS } from '../../domain/crosschecks/registries.js'
import { MISID_DEFAULT_YEAR, RULES } from '../../domain/crosschecks/rules.js'
import { generateExternalRegistries, registryFile, type RegistryHousehold, type RegistryMember } from '../../geodata/generate/external-registries.js'
import { importRegistryFile } from './import.js'
import { scanMisidentification } from './misid-scan.js'

const cli = defineCommand({
  name: 'crosscheck:demo',
  command: 'npm run crosscheck:demo',
  usage: 'npm run crosscheck:demo -- [--area CODE] [--seed N] [--per-rule N]',
  summary:
    'Generates the other departments’ registries (pensions, medical insurance, allowances, population, vehicles, companies, public payroll, ' +
    'housing ratings, school rolls) for an area of the loaded demo data, with planted mismatches, writes them as CSV/XLSX files under ' +
    'DATA_DIR/crosschecks-demo, imports them (replacing an earlier import of the area) and ranks the mis-identification leads.',
  options: {
    area: { type: 'string', value: 'CODE', default: '433124', help: 'a county or smaller area of the demo (default 433124 花垣县)' },
    seed: { type: 'string', value: 'N', default: '1', help: 'seed of the generator' },
    'per-rule': { type: 'string', value: 'N', default: '3', help: 'planted cases per rule' },
  },
  notes: ['The database: DATABASE_URL, or unset the embedded PostGIS under DATA_DIR, holding the demo data (npm run load).'],
})
const { area, seed, perRule } = cli.parse(process.argv.slice(2), (o) => {
  const code = o.area ?? '433124'
  if (!isAdminCode(code) || code.length < 6) throw new UsageError(`--area must be a county, township or village code, not ${JSON.stringify(code)}`)
  return { area: code, seed: intOption('seed', o.seed, 0, 2 ** 31 - 1, 1), perRule: intOption('per-rule', o['per-rule'], 1, 20, 3) }
})

const HOUSEHOLDS = 'SELECT id::float8 AS id, village_code, attribute, housing_safety FROM household WHERE starts_with(village_code, $1)'
const MEMBERS = `SELECT m.id::float8 AS id, m.household_id::float8 AS household_id, m.id_number, m.name, m.sex, m.birth_year, m.relation, m.in_school,
  m.medical_insurance, m.pension FROM member m JOIN household h ON h.id = m.household_id WHERE starts_with(h.village_code, $1)`

try {
  const config = loadConfig()
  const log = (m: string) => process.stderr.write(`povmap: ${m}\n`)
  const db = await openAndMigrate(config, log)
  try {
    const households = (await db.query<RegistryHousehold>(HOUSEHOLDS, [area])).rows
    const members = (await db.query<RegistryMember>(MEMBERS, [area])).rows
    if (households.length === 0) throw new Error(`no household in ${area}: load the demo data first (npm run load)`)
    const t0 = Date.now()
    const ext = generateExternalRegistries(households, members, { seed, perRule })
    const dir = join(config.dataDir, 'crosschecks-demo')
    await mkdir(dir, { recursive: true })
    const found = await db.transaction(async (tx) => {
      await tx.exec('SET LOCAL statement_timeout = 0')
      const flags: Record<string, number> = {}
      for (const kind of REGISTRY_KINDS) {
        const file = await registryFile(kind, ext.tables[kind])
        await writeFile(join(dir, file.name), file.bytes)
        const r = await importRegistryFile(tx, { registry: kind, body: file.bytes, fileName: file.name, area, userId: null, username: null, dryRun: false, bulk: 'copy' })
        if (r.errors.length > 0) throw new Error(`${file.name}: ${r.errors.length} rows refused, first: row ${r.errors[0]!.row} ${r.errors[0]!.column} ${r.errors[0]!.problem}`)
        log(`${file.name}: ${r.rows} rows, ${r.matched} matched, flags ${JSON.stringify(r.flags)}`)
        Object.assign(flags, r.flags)
      }
      return flags
    })
    const scan = await scanMisidentification((fn) => db.transaction(fn), area, MISID_DEFAULT_YEAR)
    log(`${households.length} households, ${members.length} members of ${area}; files in ${dir}; ${((Date.now() - t0) / 1000).toFixed(1)} s`)
    for (const rule of RULES.filter((r) => r.registry)) {
      const planted = ext.planted.filter((p) => p.rule === rule.code).length
      process.stdout.write(`${rule.code.padEnd(20)} planted ${planted}  new flags ${found[rule.code] ?? 0}  ${rule.name.zh}\n`)
    }
    const m = scan.model
    process.stdout.write(`mis-identification ${MISID_DEFAULT_YEAR}: ${scan.leads.misid_in} 错评 leads, ${scan.leads.misid_out} 漏评 leads (${ext.strangers.length} unregistered planted)\n`)
    process.stdout.write(`model: ${m.method}; train ${m.trainSize}, held out ${m.testSize}; precision ${m.precision?.toFixed(3) ?? '–'}, recall ${m.recall?.toFixed(3) ?? '–'}, accuracy ${m.accuracy?.toFixed(3) ?? '–'}\n`)
  } finally {
    await db.close()
  }
} catch (err) {
  failAndExit('crosscheck:demo', err)
}
