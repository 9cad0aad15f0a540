import { loadConfig } from '../infra/config.js'
import { openAndMigrate } from '../start-up.js'
import { failAndExit } from './fail.js'
import { defineCommand } from './args.js'

defineCommand({
  name: 'migrate',
  command: 'npm run migrate',
  usage: 'npm run migrate',
  summary: 'Applies the migrations (migrations/*.sql, each once, in order) to the configured database and exits.',
  notes: ['The database: DATABASE_URL, or unset the embedded PostGIS under DATA_DIR (README.md, Configuration).'],
}).parse(process.argv.slice(2))

try {
  const config = loadConfig()
  const db = await openAndMigrate(config, (m) => process.stderr.write(`povmap: ${m}\n`))
  await db.close()
} catch (err) {
  failAndExit('migrate', err)
}
