import type { Db } from '../../server/db/types.js'
import type { Dataset, Scale } from '../generate/types.js'
import { csvChunks } from './csv.js'
import { LOAD_ORDER, TABLE_COLUMNS } from './table-columns.js'

/** Rows per table, as arrays or streams (the province scale streams households and members). */
export type DatasetSource = { [T in keyof Dataset]: Iterable<Dataset[T][number]> | AsyncIterable<Dataset[T][number]> }

export interface LoadInfo {
  scale: Scale
  seed: number
  generatorVersion: string
  /** Expected rows per table, for the progress bar; streamed tables may be estimates. */
  expectedRows: Partial<Record<keyof Dataset, number>>
}

export interface LoadProgress {
  (loadedRows: number, table: keyof Dataset): void
}

/**
 * Replaces everything a previous load put in the database, in ONE transaction: a load killed half-way
 * rolls back and leaves the earlier data as it was. Returns the row count per table.
 */
export async function loadDataset(db: Db, source: DatasetSource, info: LoadInfo, progress?: LoadProgress): Promise<Record<keyof Dataset, number>> {
  const counts = await db.transaction(async (tx) => {
    // Children first would be needed for DELETE; TRUNCATE of the whole set at once handles the references.
    await tx.exec(`TRUNCATE ${[...LOAD_ORDER].reverse().join(', ')}`)
    const counts = {} as Record<keyof Dataset, number>
    let loaded = 0
    for (const table of LOAD_ORDER) {
      const columns = TABLE_COLUMNS[table] as readonly string[]
      const rows = source[table] as Iterable<Record<string, unknown>> | AsyncIterable<Record<string, unknown>>
      counts[table] = await tx.copyFrom(
        table,
        columns,
        csvChunks(rows, columns, 5000, (n) => {
          loaded += n
          progress?.(loaded, table)
        }),
      )
    }
    // Derived tables (household counts per area) are rebuilt in the same transaction as the rows they sum.
    await tx.query('SELECT refresh_household_agg()')
    await tx.query('INSERT INTO data_load (scale, seed, generator_version, counts) VALUES ($1, $2, $3, $4)', [
      info.scale,
      info.seed,
      info.generatorVersion,
      JSON.stringify(counts),
    ])
    return counts
  })
  // Fresh planner statistics, so tile and stats queries use the indexes right after a load.
  await db.exec(`ANALYZE ${LOAD_ORDER.join(', ')}`)
  return counts
}

/** The last completed load, or null when the database holds no demo data yet. */
export async function lastLoad(db: Pick<Db, 'query'>): Promise<{ scale: string; seed: number; generator_version: string; counts: Record<string, number> } | null> {
  const { rows } = await db.query<{ scale: string; seed: number; generator_version: string; counts: Record<string, number> }>(
    'SELECT scale, seed, generator_version, counts FROM data_load ORDER BY id DESC LIMIT 1',
  )
  return rows[0] ?? null
}
