import { loadConfig } from '../infra/config.js'
import { openAndMigrate } from '../start-up.js'
import { failAndExit } from './fail.js'
import { defineCommand } from './args.js'
import { progressBar } from '../infra/progress.js'
import { SitingService } from '../siting/siting-service.js'

const cli = defineCommand({
  name: 'accessibility',
  command: 'npm run accessibility',
  usage: 'npm run accessibility -- [--if-stale]',
  summary:
    'Computes the travel time of every household and village seat to the nearest school, clinic, township seat, county seat and ' +
    'water supply works over the road network and the DEM (walk to the road by Tobler, drive by road class and grade, walk to the door), ' +
    'and stores them (household_access, village_access, and per village the access_*_min indicators).',
  options: {
    'if-stale': { type: 'boolean', help: 'only when roads, facilities, divisions or households changed since the last computation' },
  },
  notes: ['The database: DATABASE_URL, or unset the embedded PostGIS under DATA_DIR; the DEM: DATA_DIR/terrain/dem.bin (flat without it).'],
})
const opts = cli.parse(process.argv.slice(2), (o) => o)

try {
  const config = loadConfig()
  const db = await openAndMigrate(config, (m) => process.stderr.write(`povmap: ${m}\n`))
  const service = new SitingService(db, config.dataDir)
  try {
    if (opts['if-stale'] && (await service.fresh())) {
      process.stderr.write('povmap: accessibility is up to date\n')
    } else {
      let bar: ReturnType<typeof progressBar> | undefined
      let step = ''
      const result = await service.computeAccessibility((s, done, total) => {
        if (s !== step) {
          bar?.stop()
          step = s
          bar = progressBar(`accessibility: ${s}`, total)
        }
        bar!.update(done)
      })
      bar?.stop()
      const p = result.phases
      const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`
      process.stderr.write(
        `povmap: travel times of ${result.households.toLocaleString('en')} households in ${sec(result.elapsedMs)} ` +
          `(network ${sec(p.network)} beside reading the points ${sec(p.read)}, snapping and timing ${sec(p.households)}, writing ${sec(p.write)})\n`,
      )
    }
  } finally {
    await service.close()
    await db.close()
  }
} catch (err) {
  failAndExit('accessibility', err)
}
