import { createReadStream, createWriteStream, type WriteStream } from 'node:fs'
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises'
import { once } from 'node:events'
import { join } from 'node:path'
import { generateDataset, datasetCounts, type GeneratedDataset, type GeneratedTables } from '../generate/index.js'
import { saveTerrain, terrainPath } from '../terrain-format.js'
import type { Dataset, Scale } from '../generate/types.js'
import { GENERATION_BAR_TOTAL, generationOnBar, noProgress, type ProgressFactory } from '../progress.js'
import type { LoadTarget } from './load-target.js'
import { HOUSEHOLD_YEAR_LOAD_COLUMNS, loadDataset, type CsvSource, type DatasetSource } from './load-dataset.js'
import { TABLE_COLUMNS } from './table-columns.js'
import { csvField } from './csv.js'

export interface GenerateAndLoadOptions {
  scale: Scale
  seed: number
  dataDir: string
  log: (msg: string) => void
  /** How generation and loading show their progress (a terminal bar, say); nothing by default. */
  progress?: ProgressFactory
}

/**
 * The province's registry in one pass over the per-village batches (they never fit in memory at
 * once, and generating them costs about 80 s a pass): households go straight to COPY while each
 * batch's years and members are written as CSV to files under `dir`, which COPY reads next.
 */
export function spoolRegistry(d: Pick<GeneratedDataset, 'householdBatches'>, dir: string): Pick<DatasetSource, 'household' | 'household_year' | 'member'> {
  const yearsFile = join(dir, 'household_year.csv')
  const membersFile = join(dir, 'member.csv')
  let spooled = false
  async function* households(): AsyncGenerator<Dataset['household'][number]> {
    const years = createWriteStream(yearsFile)
    const members = createWriteStream(membersFile)
    try {
      for (const batch of d.householdBatches()) {
        yield* batch.household
        await write(years, csvLines(batch.household_year.map((y) => ({ ...y, village_code: batch.village_code })), HOUSEHOLD_YEAR_LOAD_COLUMNS))
        await write(members, csvLines(batch.member, TABLE_COLUMNS.member))
      }
      spooled = true
    } finally {
      await Promise.all([close(years), close(members)])
    }
  }
  const readBack = (file: string): CsvSource => ({
    csv: (async function* () {
      if (!spooled) throw new Error('the registry spool is incomplete: households were not loaded first')
      yield* wholeLines(createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 }))
    })(),
  })
  return { household: households(), household_year: readBack(yearsFile), member: readBack(membersFile) }
}

const csvLines = <R extends object>(rows: readonly R[], columns: readonly string[]) =>
  rows.map((r) => columns.map((c) => csvField((r as Record<string, unknown>)[c])).join(',') + '\n').join('')

async function write(stream: WriteStream, text: string): Promise<void> {
  if (text && !stream.write(text)) await once(stream, 'drain')
}

async function close(stream: WriteStream): Promise<void> {
  if (stream.closed) return
  await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())))
}

/** Chunks of a text stream cut at line ends (COPY on the embedded database takes whole rows). */
async function* wholeLines(stream: AsyncIterable<string>): AsyncGenerator<string> {
  let rest = ''
  for await (const chunk of stream) {
    const text = rest + chunk
    const cut = text.lastIndexOf('\n') + 1
    rest = text.slice(cut)
    if (cut > 0) yield text.slice(0, cut)
  }
  if (rest) yield rest.endsWith('\n') ? rest : `${rest}\n`
}

/**
 * Generates the synthetic dataset for a scale and seed, loads it in one transaction (replacing the
 * previous load), then puts its DEM where the terrain tiles read it.
 */
export async function generateAndLoad(db: LoadTarget, opts: GenerateAndLoadOptions): Promise<Record<keyof Dataset, number>> {
  return loadGenerated(db, generate(opts), opts)
}

/** The generation half alone, on this thread (CPU only, no database); generate/worker/ runs it off-thread. */
export function generate(opts: Omit<GenerateAndLoadOptions, 'dataDir'>): GeneratedDataset {
  const t0 = Date.now()
  opts.log(`generating the ${opts.scale} dataset (seed ${opts.seed}): terrain, water, townships and villages, roads, facilities, households…`)
  const bar = (opts.progress ?? noProgress)('generating', GENERATION_BAR_TOTAL)
  let d: GeneratedDataset
  try {
    d = generateDataset({ scale: opts.scale, seed: opts.seed }, {}, generationOnBar(bar))
  } finally {
    bar.stop()
  }
  opts.log(`generated in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  return d
}

/**
 * Loads a generated dataset and saves its DEM. The province scale's registry is streamed from
 * `householdBatches`, so a dataset generated in a worker (without them) loads at the demo scale only.
 */
export async function loadGenerated(
  db: LoadTarget,
  d: GeneratedTables & Partial<Pick<GeneratedDataset, 'householdBatches'>>,
  opts: GenerateAndLoadOptions,
): Promise<Record<keyof Dataset, number>> {
  const streamed = d.scale === 'province'
  if (streamed && !d.householdBatches) throw new Error('a province load streams its registry: generate it in the loading thread')
  const expected = streamed ? datasetCounts(d) : undefined
  if (streamed) await mkdir(opts.dataDir, { recursive: true })
  const spool = streamed ? await mkdtemp(join(opts.dataDir, 'load-spool-')) : undefined
  const source: DatasetSource = { ...d, ...(spool ? spoolRegistry({ householdBatches: d.householdBatches! }, spool) : {}) }
  const counts = expected ?? datasetCounts(d)
  const total = Object.values(counts).reduce((s, n) => s + n, 0)
  const bar = (opts.progress ?? noProgress)('loading', total)
  const t1 = Date.now()
  let loaded: Record<keyof Dataset, number>
  try {
    loaded = await loadDataset(db, source, { scale: d.scale, seed: d.seed, generatorVersion: d.generator_version, expectedRows: counts }, (n, table) =>
      bar.update(n, table),
    )
  } finally {
    bar.stop()
    if (spool) await rm(spool, { recursive: true, force: true })
  }
  const dem = terrainPath(opts.dataDir)
  await saveTerrain(`${dem}.partial`, d.terrain)
  await rename(`${dem}.partial`, dem)
  opts.log(`loaded ${total.toLocaleString('en')} rows in ${((Date.now() - t1) / 1000).toFixed(1)} s`)
  return loaded
}
