import { loadConfig } from '../config.js'
import { openAndMigrate } from '../start-up.js'
import { failAndExit } from './fail.js'
import { intOption, parseOptions, UsageError } from './args.js'
import { generateAndLoad } from '../../geodata/load/generate-and-load.js'

/** `npm run load -- --scale demo|province [--seed N]`: generates and loads the demo data, replacing a previous load. */
try {
  const opts = parseOptions(process.argv.slice(2), { scale: { type: 'string', default: 'demo' }, seed: { type: 'string' } })
  if (opts.scale !== 'demo' && opts.scale !== 'province') throw new UsageError(`--scale must be demo or province, got "${opts.scale}"`)
  const seed = intOption('seed', opts.seed, 0, 2 ** 31 - 1, 1)
  const config = loadConfig()
  const log = (m: string) => process.stderr.write(`povmap: ${m}\n`)
  const db = await openAndMigrate(config, log)
  try {
    const counts = await generateAndLoad(db, { scale: opts.scale, seed, dataDir: config.dataDir, log })
    log(`rows: ${Object.entries(counts).map(([t, n]) => `${t} ${n}`).join(', ')}`)
  } finally {
    await db.close()
  }
} catch (err) {
  failAndExit('load', err)
}
