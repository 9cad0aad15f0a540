/**
 * `npm run crosscheck:demo`: the other departments' registries for a demo area, generated with planted
 * mismatches (geodata/generate/external-registries.ts), written as the files each department sends, then
 * imported through the same import as POST /api/crosschecks/imports (as the loader: no session, so no
 * importer), and the mis-identification leads ranked. Prints what was planted and what each rule found,
 * and exits 1 when a rule missed a planted case or flagged one that was not planted.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { loadConfig } from '../infra/config.js'
import { openAndMigrate } from '../start-up.js'
import { failAndExit } from '../cli/fail.js'
import { defineCommand, intOption, UsageError } from '../cli/args.js'
import { isAdminCode } from '../../domain/admin-codes.js'
import { MISID_DEFAULT_YEAR } from '../../domain/crosschecks/rules.js'
import { runCrosscheckDemo } from './demo.js'

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

try {
  const config = loadConfig()
  const log = (m: string) => process.stderr.write(`povmap: ${m}\n`)
  const db = await openAndMigrate(config, log)
  let exact = false
  try {
    const dir = join(config.dataDir, 'crosschecks-demo')
    await mkdir(dir, { recursive: true })
    const r = await runCrosscheckDemo(db, { area, seed, perRule, dir, log })
    log(`${r.households} households, ${r.members} members of ${area}; files in ${dir}; ${(r.elapsedMs / 1000).toFixed(1)} s`)
    for (const rule of r.rules) {
      const off = [...rule.missing.map((k) => `missing ${k}`), ...rule.extra.map((k) => `extra ${k}`)]
      process.stdout.write(`${rule.code.padEnd(20)} planted ${rule.planted}  new flags ${rule.found}  ${rule.name}${off.length ? `  ≠ ${off.join(', ')}` : ''}\n`)
    }
    const m = r.scan.model
    process.stdout.write(`mis-identification ${MISID_DEFAULT_YEAR}: ${r.scan.leads.misid_in} 错评 leads, ${r.scan.leads.misid_out} 漏评 leads (${r.strangers} unregistered planted)\n`)
    process.stdout.write(`model: ${m.method}; train ${m.trainSize}, held out ${m.testSize}; precision ${m.precision?.toFixed(3) ?? '–'}, recall ${m.recall?.toFixed(3) ?? '–'}, accuracy ${m.accuracy?.toFixed(3) ?? '–'}\n`)
    exact = r.exact
  } finally {
    await db.close()
  }
  // A rule that missed a planted case or flagged one that was not planted fails the command (CI runs it).
  if (!exact) {
    process.stderr.write('povmap: crosscheck:demo: some rule did not find exactly its planted cases\n')
    process.exitCode = 1
  }
} catch (err) {
  failAndExit('crosscheck:demo', err)
}
