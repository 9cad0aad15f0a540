import type { Dataset, Scale } from '../generate/types.js'
import { csvChunks } from './csv.js'
import { LOAD_ORDER, TABLE_COLUMNS } from './table-columns.js'
import { householdRef, householdRefKey } from './household-refs.js'
import type { LoadQueryable, LoadTarget } from './load-target.js'
import { loadWorkTeams, WORK_TEAM_TABLES } from './work-teams.js'

/**
 * Rows already written as COPY CSV (whole lines, columns in TABLE_COLUMNS order; household_year with
 * village_code last): what the loader spools to disk at province scale instead of generating twice.
 */
export interface CsvSource {
  csv: AsyncIterable<string>
}

/** Rows per table, as arrays or streams (the province scale streams households and members). */
export type DatasetSource = { [T in keyof Dataset]: Iterable<Dataset[T][number]> | AsyncIterable<Dataset[T][number]> | CsvSource }

/** household's load columns: the generated ones plus its ref, derived from its id (household-refs.ts). */
export const HOUSEHOLD_LOAD_COLUMNS = [...TABLE_COLUMNS.household, 'ref'] as const

/** household_year's load columns: the generated ones plus its village (migration 0006). */
export const HOUSEHOLD_YEAR_LOAD_COLUMNS = [...TABLE_COLUMNS.household_year, 'village_code'] as const

const isCsv = (v: unknown): v is CsvSource => typeof v === 'object' && v !== null && 'csv' in v

async function* countedCsv(source: CsvSource, onRows: (n: number) => void): AsyncGenerator<string> {
  for await (const chunk of source.csv) {
    let n = 0
    for (let i = chunk.indexOf('\n'); i !== -1; i = chunk.indexOf('\n', i + 1)) n++
    yield chunk
    onRows(n)
  }
}

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
export async function loadDataset(db: LoadTarget, source: DatasetSource, info: LoadInfo, progress?: LoadProgress): Promise<Record<keyof Dataset, number>> {
  const { counts, schema } = await db.transaction(async (tx) => {
    // A load is one long transaction by design; the per-statement timeout guards requests, not this.
    await tx.exec('SET LOCAL statement_timeout = 0')
    // Identification triggers re-identify per statement; the load identifies everything once at the end.
    await tx.exec("SET LOCAL povmap.identification_deferred = 'on'")
    // A database migrated only part of the way (a test of a later migration loads data first) lacks the
    // later capabilities' tables: they are loaded when their migrations are there.
    const { rows: has } = await tx.query<{ teams: boolean; identification: boolean; catalogue: boolean }>(
      `SELECT to_regclass('public.work_team') IS NOT NULL AND to_regclass('public.assistance_measure') IS NOT NULL AS teams,
              to_regprocedure('identification_refresh_all()') IS NOT NULL AS identification,
              to_regprocedure('indicator_catalogue_restore()') IS NOT NULL AS catalogue`,
    )
    const schema = has[0]!
    const teamTables = schema.teams ? WORK_TEAM_TABLES : []
    // Children first would be needed for DELETE; TRUNCATE of the whole set at once handles the references.
    await tx.exec(`TRUNCATE ${[...teamTables, ...[...LOAD_ORDER].reverse()].join(', ')}`)
    // Per-row foreign-key triggers triple the cost of COPY (measured on PGlite); where the loader may,
    // it skips them and checks every reference in one set-based pass before committing instead.
    const { rows: su } = await tx.query<{ su: boolean }>('SELECT rolsuper AS su FROM pg_roles WHERE rolname = current_user')
    const deferChecks = su[0]?.su === true
    if (deferChecks) await tx.exec('SET LOCAL session_replication_role = replica')
    // Households keep their refs from one load to the next: a keyed hash of the registry id.
    const refKey = await householdRefKey(tx)
    const counts = {} as Record<keyof Dataset, number>
    let loaded = 0
    for (const table of LOAD_ORDER) {
      const columns: readonly string[] =
        table === 'household_year' ? HOUSEHOLD_YEAR_LOAD_COLUMNS : table === 'household' ? HOUSEHOLD_LOAD_COLUMNS : TABLE_COLUMNS[table]
      const onRows = (n: number) => {
        loaded += n
        progress?.(loaded, table)
      }
      const from = source[table]
      let chunks: AsyncIterable<string>
      if (isCsv(from)) {
        if (table === 'household') throw new Error('households are loaded from rows, not CSV: their refs are derived from their ids while loading')
        chunks = countedCsv(from, onRows)
      } else {
        let rows = from as RowSource
        if (table === 'household_year') rows = withVillage(rows, source.household)
        if (table === 'household') rows = withRef(rows, refKey)
        chunks = csvChunks(rows, columns, 5000, onRows)
      }
      counts[table] = await tx.copyFrom(table, columns, chunks)
    }
    // Work teams, pairings and wishes of the registry just loaded (migration 0016).
    if (schema.teams) await loadWorkTeams(tx, info.seed)
    if (deferChecks) {
      await tx.exec('SET LOCAL session_replication_role = origin')
      await checkReferences(tx, LOAD_ORDER)
      await checkReferences(tx, teamTables)
      await checkHouseholdYearVillages(tx)
    }
    // Derived tables (household counts per area) are rebuilt in the same transaction as the rows they sum.
    await tx.query('SELECT refresh_household_agg()')
    // The indicator system's edits outlive the reload of indicator_def; then the AF identification of every household.
    if (schema.catalogue) await tx.query('SELECT indicator_catalogue_restore()')
    if (schema.identification) await tx.query('SELECT identification_refresh_all()')
    await tx.query('INSERT INTO data_load (scale, seed, generator_version, counts) VALUES ($1, $2, $3, $4)', [
      info.scale,
      info.seed,
      info.generatorVersion,
      JSON.stringify(counts),
    ])
    return { counts, schema }
  })
  // Fresh planner statistics, so tile and stats queries use the indexes right after a load.
  await db.transaction(async (tx) => {
    await tx.exec('SET LOCAL statement_timeout = 0')
    await tx.exec(`ANALYZE ${[...LOAD_ORDER, 'household_agg'].join(', ')}`)
    if (schema.identification) await tx.exec('ANALYZE household_identification, identification_profile')
    if (schema.teams) await tx.exec(`ANALYZE ${WORK_TEAM_TABLES.join(', ')}`)
  })
  return counts
}

type RowSource = Iterable<Record<string, unknown>> | AsyncIterable<Record<string, unknown>>

/** Household rows with their ref (household-refs.ts): the same household gets the same ref at every load. */
async function* withRef(rows: RowSource, key: Buffer): AsyncGenerator<Record<string, unknown>> {
  for await (const row of rows) {
    const id = row.id
    if (typeof id !== 'number' && typeof id !== 'bigint' && typeof id !== 'string') throw new Error('a household row without an id')
    yield { ...row, ref: householdRef(key, id) }
  }
}

/**
 * household_year rows with their household's village (migration 0006; row-level security reads it).
 * Streamed sources put it on each row; for arrays it is looked up from the households.
 */
async function* withVillage(rows: RowSource, households: DatasetSource['household']): AsyncGenerator<Record<string, unknown>> {
  let villageOf: Map<unknown, string> | undefined
  for await (const row of rows) {
    if (typeof row.village_code === 'string') {
      yield row
      continue
    }
    if (!villageOf) {
      if (!Array.isArray(households)) throw new Error('household_year rows of a streamed source must carry village_code')
      villageOf = new Map(households.map((h) => [h.id, h.village_code]))
    }
    const village = villageOf.get(row.household_id)
    if (village === undefined) throw new Error(`household_year row for unknown household ${String(row.household_id)}`)
    yield { ...row, village_code: village }
  }
}

/**
 * Row-level security trusts household_year.village_code: a row carrying another village than its
 * household would show it to the wrong area. Loads in replica mode skip the trigger that sets it,
 * so the result is checked here, in one join.
 */
async function checkHouseholdYearVillages(tx: LoadQueryable): Promise<void> {
  const { rows } = await tx.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM household_year y JOIN household h ON h.id = y.household_id WHERE y.village_code <> h.village_code',
  )
  if ((rows[0]?.n ?? 0) > 0) throw new Error(`load refused: ${rows[0]!.n} household_year rows carry another village than their household`)
}

/** Every foreign key of the loaded tables, read from the catalogue, checked with one anti-join each. */
async function checkReferences(tx: LoadQueryable, tables: readonly string[]): Promise<void> {
  const { rows } = await tx.query<{ sql: string; name: string }>(
    `SELECT c.conname AS name,
            format('SELECT count(*) AS n FROM %I t WHERE t.%I IS NOT NULL AND NOT EXISTS (SELECT 1 FROM %I r WHERE r.%I = t.%I)',
                   cl.relname, a.attname, rf.relname, af.attname, a.attname) AS sql
     FROM pg_constraint c
     JOIN pg_class cl ON cl.oid = c.conrelid
     JOIN pg_class rf ON rf.oid = c.confrelid
     JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
     JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
     WHERE c.contype = 'f' AND cardinality(c.conkey) = 1 AND cl.relname = ANY ($1::text[])
     ORDER BY 1`,
    [tables],
  )
  for (const r of rows) {
    const { rows: bad } = await tx.query<{ n: number }>(r.sql)
    if (bad[0]!.n > 0) throw new Error(`load refused: ${bad[0]!.n} rows break the reference ${r.name}`)
  }
}

/** The last completed load, or null when the database holds no demo data yet. */
export async function lastLoad(db: Pick<LoadQueryable, 'query'>): Promise<{ scale: string; seed: number; generator_version: string; counts: Record<string, number> } | null> {
  const { rows } = await db.query<{ scale: string; seed: number; generator_version: string; counts: Record<string, number> }>(
    'SELECT scale, seed, generator_version, counts FROM data_load ORDER BY id DESC LIMIT 1',
  )
  return rows[0] ?? null
}
