import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { createPgDb } from '../../server/db/pg-db.js'
import { openEmbeddedDb } from '../../server/db/embedded-db.js'
import type { Db } from '../../server/db/types.js'
import { migrate } from '../../server/migrations/runner.js'
import { sqlFunctionFiles } from '../../server/tiles/layer-sql.js'
import { migrationsDir, repoRoot } from '../../server/infra/paths.js'

export const serverUrl = process.env.DATABASE_URL || undefined
export const TMP_ROOT = join(repoRoot, '.vitest-tmp')

export interface TestDb {
  db: Db
  /** DATA_DIR (embedded) or connection string (server) of this test's own database. */
  location: string
  dispose(): Promise<void>
}

/**
 * The first open of PGlite with PostGIS costs ≈15 s; a closed, pristine data directory with the
 * extension created is kept as a template and copied for each test database (≈3 s to open).
 */
async function embeddedTemplate(): Promise<string> {
  const template = join(TMP_ROOT, 'template-postgis')
  if (existsSync(join(template, 'ready'))) return template
  mkdirSync(TMP_ROOT, { recursive: true })
  const building = mkdtempSync(join(TMP_ROOT, 'building-'))
  const db = await openEmbeddedDb({ dataDir: building })
  await db.close()
  rmSync(join(building, 'povmap.pid'), { force: true })
  mkdirSync(join(building, 'ready'))
  try {
    renameSync(building, template)
  } catch {
    // Another test file finished its template first; use that one.
    rmSync(building, { recursive: true, force: true })
  }
  return template
}

/** A fresh empty directory for an embedded database, seeded from the template. */
export async function freshEmbeddedDataDir(): Promise<string> {
  const template = await embeddedTemplate()
  const dir = mkdtempSync(join(TMP_ROOT, 'db-'))
  cpSync(join(template, 'pglite'), join(dir, 'pglite'), { recursive: true })
  return dir
}

/** A database of this test's own on the configured kind, optionally migrated. */
export async function openTestDb(opts: { migrate?: boolean; kind?: 'embedded' | 'server' } = {}): Promise<TestDb> {
  const kind = opts.kind ?? (serverUrl ? 'server' : 'embedded')
  let t: TestDb
  if (kind === 'server') {
    if (!serverUrl) throw new Error('a server test database needs DATABASE_URL')
    const name = `povmap_t_${process.pid}_${randomBytes(4).toString('hex')}`
    const admin = new pg.Client({ connectionString: serverUrl })
    await admin.connect()
    await admin.query(`CREATE DATABASE ${name}`)
    await admin.end()
    const url = new URL(serverUrl)
    url.pathname = `/${name}`
    const db = createPgDb({ connectionString: url.toString(), poolMax: 4, connectTimeoutMs: 5000, statementTimeoutMs: 60_000 })
    t = {
      db,
      location: url.toString(),
      async dispose() {
        await db.close()
        const a = new pg.Client({ connectionString: serverUrl })
        await a.connect()
        await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
        await a.end()
      },
    }
  } else {
    const dir = await freshEmbeddedDataDir()
    const db = await openEmbeddedDb({ dataDir: dir })
    t = {
      db,
      location: dir,
      async dispose() {
        await db.close()
        rmSync(dir, { recursive: true, force: true })
      },
    }
  }
  if (opts.migrate) await migrate(t.db, migrationsDir, undefined, { repeatable: sqlFunctionFiles() })
  return t
}
