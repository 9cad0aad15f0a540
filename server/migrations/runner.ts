import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Db } from '../db/types.js'

export interface MigrationFile {
  id: string
  checksum: string
  sql: string
}

export interface MigrateResult {
  applied: string[]
  alreadyApplied: number
  /** Repeatable files applied in this run (new or changed since they were last applied). */
  reapplied: string[]
}

/**
 * A SQL file applied again whenever it changes (CREATE OR REPLACE of functions: the tiles' SQL
 * functions live beside their layers, not in migrations). id: its path from the repository root.
 */
export interface RepeatableSource {
  id: string
  path: string
}

export class MigrationError extends Error {
  override name = 'MigrationError'
}

const FILE_PATTERN = /^(\d{4})_[a-z0-9_]+\.sql$/

/** Reads `NNNN_verb_object.sql` files in order; anything else in the folder is an error, not silently skipped. */
export async function readMigrations(dir: string): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.sql')).sort()
  const seen = new Set<string>()
  const files: MigrationFile[] = []
  for (const name of names) {
    const m = FILE_PATTERN.exec(name)
    if (!m) throw new MigrationError(`migration file name ${name} does not match NNNN_verb_object.sql`)
    if (seen.has(m[1]!)) throw new MigrationError(`two migrations share the number ${m[1]}`)
    seen.add(m[1]!)
    const sql = await readFile(join(dir, name), 'utf8')
    files.push({ id: name.replace(/\.sql$/, ''), sql, checksum: checksumOf(sql) })
  }
  return files
}

const checksumOf = (sql: string) => createHash('sha256').update(sql).digest('hex')

async function readRepeatables(sources: readonly RepeatableSource[]): Promise<MigrationFile[]> {
  return Promise.all(
    sources.map(async (r) => {
      const sql = await readFile(r.path, 'utf8').catch((err: unknown) => {
        throw new MigrationError(`repeatable SQL file ${r.id} cannot be read: ${(err as Error).message}`, { cause: err })
      })
      return { id: r.id, sql, checksum: checksumOf(sql) }
    }),
  )
}

const LEDGER = `CREATE TABLE IF NOT EXISTS schema_migrations (
  id text PRIMARY KEY,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`

const REPEATABLE_LEDGER = `CREATE TABLE IF NOT EXISTS schema_repeatables (
  id text PRIMARY KEY,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`

// Any constant shared by every povmap process: concurrent starts against one server wait for each other.
const LOCK_KEY = 7_140_432_001

/**
 * Applies pending migrations in order and records their checksums, then applies each repeatable file
 * that is new or changed since it was last applied (in the given order: a function before those that
 * call it), all in one transaction: a failing file leaves the database as it was and stops start-up.
 * A migration changed after it was applied stops everything before any new one runs.
 */
export async function migrate(db: Db, dir: string, log: (msg: string) => void = () => {}, opts: { repeatable?: readonly RepeatableSource[] } = {}): Promise<MigrateResult> {
  const files = await readMigrations(dir)
  const repeatable = await readRepeatables(opts.repeatable ?? [])
  await db.exec(LEDGER)
  await db.exec(REPEATABLE_LEDGER)
  const check = async (tx: Pick<Db, 'query'>) => {
    const { rows } = await tx.query<{ id: string; checksum: string }>('SELECT id, checksum FROM schema_migrations ORDER BY id')
    const known = new Map(rows.map((r) => [r.id, r.checksum]))
    for (const f of files) {
      const sum = known.get(f.id)
      if (sum !== undefined && sum !== f.checksum) {
        throw new MigrationError(
          `migration ${f.id} was changed after it was applied (checksum ${sum.slice(0, 12)} in the database, ${f.checksum.slice(0, 12)} on disk); migrations are forward-only: restore the file and add a new migration`,
        )
      }
    }
    const onDisk = new Set(files.map((f) => f.id))
    const unknown = rows.filter((r) => !onDisk.has(r.id)).map((r) => r.id)
    if (unknown.length) throw new MigrationError(`the database has migrations this code does not know: ${unknown.join(', ')}; is the code older than the database?`)
    return known
  }
  const run = async (tx: Pick<Db, 'exec'>, what: string, f: MigrationFile) => {
    try {
      await tx.exec(f.sql)
    } catch (err) {
      throw new MigrationError(`${what} ${f.id} failed: ${(err as Error).message}`, { cause: err })
    }
  }
  const result = await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY])
    const known = await check(tx)
    const applied: string[] = []
    for (const f of files) {
      if (known.has(f.id)) continue
      await run(tx, 'migration', f)
      await tx.query('INSERT INTO schema_migrations (id, checksum) VALUES ($1, $2)', [f.id, f.checksum])
      applied.push(f.id)
    }
    const { rows } = await tx.query<{ id: string; checksum: string }>('SELECT id, checksum FROM schema_repeatables')
    const sums = new Map(rows.map((r) => [r.id, r.checksum]))
    const reapplied: string[] = []
    for (const f of repeatable) {
      if (sums.get(f.id) === f.checksum) continue
      await run(tx, 'repeatable SQL file', f)
      await tx.query(
        'INSERT INTO schema_repeatables (id, checksum) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET checksum = EXCLUDED.checksum, applied_at = now()',
        [f.id, f.checksum],
      )
      reapplied.push(f.id)
    }
    return { applied, alreadyApplied: files.length - applied.length, reapplied }
  })
  for (const id of result.applied) log(`applied migration ${id}`)
  for (const id of result.reapplied) log(`applied ${id}`)
  return result
}

export async function appliedMigrations(db: Pick<Db, 'query'>): Promise<string[]> {
  const { rows } = await db.query<{ present: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS present")
  if (!rows[0]?.present) return []
  const applied = await db.query<{ id: string }>('SELECT id FROM schema_migrations ORDER BY id')
  return applied.rows.map((r) => r.id)
}
