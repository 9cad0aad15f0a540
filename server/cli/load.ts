import { loadConfig } from '../infra/config.js'
import { openAndMigrate } from '../start-up.js'
import { failAndExit } from './fail.js'
import { defineCommand, intOption, oneOf } from './args.js'
import { generateAndLoad } from '../../geodata/load/generate-and-load.js'
import { progressBar } from '../infra/progress.js'

const cli = defineCommand({
  name: 'load',
  command: 'npm run load',
  usage: 'npm run load -- [--scale demo|province] [--seed N]',
  summary: 'Generates the synthetic data of Hunan and loads it into the configured database (migrating it first), replacing what a previous load put there, in one transaction.',
  options: {
    scale: { type: 'string', value: 'demo|province', default: 'demo', help: 'demo: about 50,000 households, 十八洞村 whole and 湘西 well covered; province: the whole registry' },
    seed: { type: 'string', value: 'N', help: 'seed of the generators, 0 to 2147483647 (default: 1)' },
  },
  notes: ['The database: DATABASE_URL, or unset the embedded PostGIS under DATA_DIR (README.md, Configuration).'],
})
const { scale, seed } = cli.parse(process.argv.slice(2), (o) => ({
  scale: oneOf('scale', o.scale, ['demo', 'province'] as const),
  seed: intOption('seed', o.seed, 0, 2 ** 31 - 1, 1),
}))

try {
  const config = loadConfig()
  const log = (m: string) => process.stderr.write(`povmap: ${m}\n`)
  const db = await openAndMigrate(config, log)
  try {
    const counts = await generateAndLoad(db, { scale, seed, dataDir: config.dataDir, log, progress: progressBar })
    log(`rows: ${Object.entries(counts).map(([t, n]) => `${t} ${n}`).join(', ')}`)
  } finally {
    await db.close()
  }
} catch (err) {
  failAndExit('load', err)
}
