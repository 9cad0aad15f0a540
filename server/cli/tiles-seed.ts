import { join } from 'node:path'
import { loadConfig } from '../config.js'
import { openAndMigrate } from '../start-up.js'
import { failAndExit } from './fail.js'
import { intOption, parseOptions } from './args.js'
import { TileService } from '../tiles/tile-service.js'
import { BASE_LAYERS } from '../../tiles/registry.js'
import { HUNAN_BOUNDS, HUNAN_CENTER, tileJson } from '../tiles/style.js'
import { MbtilesWriter } from '../tiles/mbtiles-writer.js'
import { normaliseFilter } from '../tiles/tile-filters.js'
import { progressBar } from '../progress.js'
import { tilesCovering } from '../tiles/tile-math.js'

/** `npm run tiles:seed -- --maxzoom N [--minzoom N] [--out file.mbtiles]`: pre-renders the base tiles of Hunan. */
try {
  const opts = parseOptions(process.argv.slice(2), { maxzoom: { type: 'string' }, minzoom: { type: 'string' }, out: { type: 'string' } })
  const config = loadConfig()
  const maxzoom = intOption('maxzoom', opts.maxzoom, 0, 14, 10)
  const minzoom = intOption('minzoom', opts.minzoom, 0, maxzoom, 0)
  const out = opts.out ?? join(config.dataDir, 'tiles', 'povmap.mbtiles')
  const db = await openAndMigrate(config, (m) => process.stderr.write(`povmap: ${m}\n`))
  const service = new TileService(db, { cacheBytes: 1 })
  const filter = normaliseFilter(BASE_LAYERS, {})
  const tiles = Array.from({ length: maxzoom - minzoom + 1 }, (_, i) => tilesCovering(HUNAN_BOUNDS, minzoom + i)).flat()
  const total = tiles.length
  const tj = tileJson('', 'base', BASE_LAYERS, 'povmap base tiles of Hunan (demo data)')
  const writer = new MbtilesWriter(out, {
    name: 'povmap',
    format: 'pbf',
    type: 'overlay',
    version: '1.0.0',
    description: tj.description,
    attribution: tj.attribution,
    bounds: HUNAN_BOUNDS.join(','),
    center: [...HUNAN_CENTER, minzoom].join(','),
    minzoom: String(minzoom),
    maxzoom: String(maxzoom),
    json: JSON.stringify({ vector_layers: tj.vector_layers }),
  })
  const bar = progressBar('tiles:seed', total)
  let done = 0
  let written = 0
  for (const t of tiles) {
    const tile = await service.tile('base', BASE_LAYERS, t, filter)
    if (tile.body.length > 0) {
      writer.add(t.z, t.x, t.y, tile.body)
      written++
    }
    bar.update(++done, `z${t.z}`)
  }
  bar.stop()
  writer.finish()
  await db.close()
  process.stderr.write(`povmap: wrote ${written} tiles (z${minzoom}-${maxzoom}, ${total - written} empty skipped) to ${out}\n`)
} catch (err) {
  failAndExit('tiles:seed', err)
}
