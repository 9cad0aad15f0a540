import { rename } from 'node:fs/promises'
import type { Db } from '../../server/db/types.js'
import { progressBar } from '../../server/progress.js'
import { terrainPath } from '../../server/tiles/terrain-tiles.js'
import { generateDataset, datasetCounts, type GeneratedDataset } from '../generate/index.js'
import { saveTerrain } from '../generate/terrain.js'
import type { Dataset, Scale } from '../generate/types.js'
import { loadDataset, type DatasetSource } from './load-dataset.js'

export interface GenerateAndLoadOptions {
  scale: Scale
  seed: number
  dataDir: string
  log: (msg: string) => void
}

/** Household tables straight from the per-village batches (the province scale never holds them all). */
function* fromBatches<T extends 'household' | 'member'>(d: GeneratedDataset, table: T): Generator<Dataset[T][number]> {
  for (const batch of d.householdBatches()) yield* batch[table] as Dataset[T][number][]
}

/** household_year rows from the batches, each with its village (the loader needs it; see withVillage). */
function* yearsFromBatches(d: GeneratedDataset): Generator<Dataset['household_year'][number] & { village_code: string }> {
  for (const batch of d.householdBatches()) for (const y of batch.household_year) yield { ...y, village_code: batch.village_code }
}

/**
 * Generates the synthetic dataset for a scale and seed, loads it in one transaction (replacing the
 * previous load), then puts its DEM where the terrain tiles read it.
 */
export async function generateAndLoad(db: Db, opts: GenerateAndLoadOptions): Promise<Record<keyof Dataset, number>> {
  return loadGenerated(db, generate(opts), opts)
}

/** The generation half alone (CPU only, no database): it can run while the database opens. */
export function generate(opts: Omit<GenerateAndLoadOptions, 'dataDir'>): GeneratedDataset {
  const t0 = Date.now()
  opts.log(`generating the ${opts.scale} dataset (seed ${opts.seed}): terrain, water, townships and villages, roads, facilities, households…`)
  const d = generateDataset({ scale: opts.scale, seed: opts.seed })
  opts.log(`generated in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  return d
}

export async function loadGenerated(db: Db, d: GeneratedDataset, opts: GenerateAndLoadOptions): Promise<Record<keyof Dataset, number>> {
  const streamed = d.scale === 'province'
  const expected = streamed ? datasetCounts(d) : undefined
  const source: DatasetSource = {
    ...d,
    household: streamed ? fromBatches(d, 'household') : d.household,
    household_year: streamed ? yearsFromBatches(d) : d.household_year,
    member: streamed ? fromBatches(d, 'member') : d.member,
  }
  const counts = expected ?? datasetCounts(d)
  const total = Object.values(counts).reduce((s, n) => s + n, 0)
  const bar = progressBar('loading', total)
  const t1 = Date.now()
  let loaded: Record<keyof Dataset, number>
  try {
    loaded = await loadDataset(db, source, { scale: d.scale, seed: d.seed, generatorVersion: d.generator_version, expectedRows: counts }, (n, table) =>
      bar.update(n, table),
    )
  } finally {
    bar.stop()
  }
  const dem = terrainPath(opts.dataDir)
  await saveTerrain(`${dem}.partial`, d.terrain)
  await rename(`${dem}.partial`, dem)
  opts.log(`loaded ${total.toLocaleString('en')} rows in ${((Date.now() - t1) / 1000).toFixed(1)} s`)
  return loaded
}
