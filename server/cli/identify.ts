import { loadConfig } from '../infra/config.js'
import { openAndMigrate } from '../start-up.js'
import { failAndExit } from './fail.js'
import { defineCommand, intOption } from './args.js'
import { progressBar } from '../infra/progress.js'
import { identifyAll } from '../identification/batch.js'
import { FIRST_YEAR } from '../../domain/codes.js'

const cli = defineCommand({
  name: 'identify',
  command: 'npm run identify',
  usage: 'npm run identify -- [--year YYYY]',
  summary:
    'Identifies every registered household again by the Alkire–Foster measure (the indicator system and default weights and k in the ' +
    'database) and the official rule, and rebuilds the figures of every area: per year one set-based statement, with a progress bar.',
  options: {
    year: { type: 'string', value: 'YYYY', help: 'only this year (default: every year with registry rows)' },
  },
  notes: ['The database: DATABASE_URL, or unset the embedded PostGIS under DATA_DIR (README.md, Configuration).', 'A demo load already ends with this step.'],
})
const opts = cli.parse(process.argv.slice(2), (o) => ({ year: o.year === undefined ? undefined : intOption('year', o.year, FIRST_YEAR, 2030, FIRST_YEAR) }))

try {
  const config = loadConfig()
  const db = await openAndMigrate(config, (m) => process.stderr.write(`povmap: ${m}\n`))
  try {
    let bar: ReturnType<typeof progressBar> | undefined
    const r = await identifyAll(db, {
      years: opts.year === undefined ? undefined : [opts.year],
      onProgress: (done, total, label) => {
        bar ??= progressBar('identify', total)
        bar.update(done, label)
      },
    })
    bar?.stop()
    process.stderr.write(`povmap: identified ${r.households} household-years (${r.years.join(', ') || 'no year'}) in ${(r.ms / 1000).toFixed(1)} s\n`)
  } finally {
    await db.close()
  }
} catch (err) {
  failAndExit('identify', err)
}
