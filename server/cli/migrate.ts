import { loadConfig } from '../config.js'
import { openAndMigrate } from '../start-up.js'
import { failAndExit } from './fail.js'

/** `npm run migrate`: applies migrations/*.sql to the configured database and exits. */
try {
  const config = loadConfig()
  const db = await openAndMigrate(config, (m) => process.stderr.write(`povmap: ${m}\n`))
  await db.close()
} catch (err) {
  failAndExit('migrate', err)
}
