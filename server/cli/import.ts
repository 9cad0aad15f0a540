import { readFile } from 'node:fs/promises'
import { loadConfig } from '../infra/config.js'
import { openAndMigrate } from '../start-up.js'
import { failAndExit } from './fail.js'
import { defineCommand, oneOf, UsageError } from './args.js'
import { ROLES } from '../../domain/roles.js'
import { ADMIN_CODE } from '../../domain/admin-codes.js'
import { openSessionAsOwner, sessionIdHash } from '../auth/session-store.js'
import { withCaller } from '../db/caller-transactions.js'
import { parseTable } from '../reports/import-parse.js'
import { planHouseholdImport } from '../reports/import-households.js'
import { runHouseholdPlan } from '../reports/import-run.js'

const cli = defineCommand({
  name: 'import',
  command: 'npm run import',
  usage: 'npm run import -- --file FILE --role ROLE --area CODE [--dry-run]',
  summary:
    'Imports households with members from a CSV (UTF-8 or GB18030) or XLSX file as an account of that role and area would through ' +
    'POST /api/imports: checked row by row, then in one transaction either pending change requests (county, township, village offices) ' +
    'or applied with history (province administrator). Prints the problems of a file that has any and writes nothing then.',
  options: {
    file: { type: 'string', value: 'FILE', help: 'the CSV or XLSX file' },
    role: { type: 'string', value: 'ROLE', help: `import as an enabled account of this role: ${ROLES.join(', ')}` },
    area: { type: 'string', value: 'CODE', help: 'and of this area (a division code)' },
    'dry-run': { type: 'boolean', help: 'check and report only' },
  },
  notes: ['The database: DATABASE_URL, or unset the embedded PostGIS under DATA_DIR (README.md, Configuration).'],
})
const opts = cli.parse(process.argv.slice(2), (o) => {
  if (o.file === undefined || o.role === undefined || o.area === undefined) throw new UsageError('--file, --role and --area are required')
  const role = oneOf('role', o.role, ROLES)
  if (!ADMIN_CODE.test(o.area)) throw new UsageError('--area must be a division code (2, 4, 6, 9 or 12 digits)')
  return { ...o, role, file: o.file, area: o.area }
})

try {
  const config = loadConfig()
  const body = await readFile(opts.file)
  const db = await openAndMigrate(config, (m) => process.stderr.write(`povmap: ${m}\n`))
  const { rows } = await db.query<{ id: number; username: string }>('SELECT id, username FROM app_user WHERE role = $1 AND scope_code = $2 AND NOT disabled ORDER BY id LIMIT 1', [opts.role, opts.area])
  const user = rows[0]
  if (!user) throw new Error(`no enabled account has role ${opts.role} and area ${opts.area}`)
  const sid = await openSessionAsOwner(db, user.id, 24 * 3600)
  let shown = -1
  const progress = (p: number) => {
    const n = Math.floor(p / 5) * 5
    if (n > shown) process.stderr.write(`povmap: import ${(shown = n)}%\n`)
  }
  try {
    const caller = { sid, role: opts.role, scope: opts.area, userId: user.id, username: user.username }
    const plan = await planHouseholdImport(db, await parseTable(body), { scope: opts.area, onProgress: (s) => progress(s * 40) })
    for (const e of plan.errors.slice(0, 200)) process.stdout.write(`row ${e.row}\t${e.column}\t${e.value}\t${e.problem}\n`)
    process.stderr.write(`povmap: ${plan.rows} rows: ${plan.create} to create, ${plan.change} to change, ${plan.unchanged} unchanged, ${plan.errors.length} problems\n`)
    if (plan.errors.length) process.exitCode = 1
    else if (!opts['dry-run']) {
      const run = await withCaller(db, caller, (tx) =>
        runHouseholdPlan(tx, plan, {
          role: opts.role,
          area: opts.area,
          noticeDays: config.registry.noticeDays,
          audit: { actorId: user.id, actorUsername: user.username, actorRole: opts.role, detail: { via: 'npm run import' } },
          onProgress: (s) => progress(40 + 60 * s),
        }),
      )
      process.stderr.write(`povmap: committed: batch ${run.batch ?? '—'}, ${run.requests.length} ${run.mode === 'applied' ? 'applied' : 'pending'} change requests\n`)
    }
  } finally {
    await db.query('DELETE FROM app_session WHERE sid_hash = $1', [sessionIdHash(sid)])
    await db.close()
  }
} catch (err) {
  failAndExit('import', err)
}
