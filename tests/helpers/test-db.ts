import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { createHash, randomBytes } from 'node:crypto'
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

/** Repeatable SQL files applied with the migrations (the tiles' SQL functions). */
const repeatables = () => sqlFunctionFiles()

/**
 * Names the migrated schema: a hash of every migration and repeatable file, so a template built
 * from other SQL (another checkout, an edited migration) is never reused.
 */
function schemaKey(): string {
  const h = createHash('sha256')
  for (const name of readdirSync(migrationsDir).filter((n) => n.endsWith('.sql')).sort()) {
    h.update(name).update(readFileSync(join(migrationsDir, name)))
  }
  for (const r of repeatables()) h.update(r.id).update(readFileSync(r.path))
  return h.digest('hex').slice(0, 16)
}

const migrateDb = (db: Db) => migrate(db, migrationsDir, undefined, { repeatable: repeatables() })

/**
 * Migrating costs ≈5 s embedded and ≈2.5 s on the server for every test file; a migrated copy is
 * built once per schema and cloned instead (directory copy / CREATE DATABASE … TEMPLATE).
 */
async function embeddedMigratedTemplate(): Promise<string> {
  const template = join(TMP_ROOT, `template-migrated-${schemaKey()}`)
  if (existsSync(join(template, 'ready'))) return template
  const base = await embeddedTemplate()
  const building = mkdtempSync(join(TMP_ROOT, 'building-'))
  cpSync(join(base, 'pglite'), join(building, 'pglite'), { recursive: true })
  const db = await openEmbeddedDb({ dataDir: building })
  await migrateDb(db)
  await db.close()
  rmSync(join(building, 'povmap.pid'), { force: true })
  mkdirSync(join(building, 'ready'))
  try {
    renameSync(building, template)
  } catch {
    rmSync(building, { recursive: true, force: true })
  }
  return template
}

const TEMPLATE_LOCK = 7_140_432_099

/** The server's migrated template database, built under an advisory lock by the first test file that needs it. */
async function serverMigratedTemplate(admin: pg.Client): Promise<string> {
  const name = `povmap_tpl_${schemaKey()}`
  const exists = async () => (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1
  if (await exists()) return name
  await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK])
  try {
    if (await exists()) return name
    const building = `povmap_tplb_${process.pid}_${randomBytes(4).toString('hex')}`
    await admin.query(`CREATE DATABASE ${building}`)
    const url = new URL(serverUrl!)
    url.pathname = `/${building}`
    const db = createPgDb({ connectionString: url.toString(), poolMax: 2, connectTimeoutMs: 5000, statementTimeoutMs: 120_000 })
    try {
      await migrateDb(db)
    } finally {
      await db.close()
    }
    // Renamed only once complete: a crash half-way leaves a povmap_tplb_ database, never a broken template.
    await admin.query(`ALTER DATABASE ${building} RENAME TO ${name}`)
    return name
  } finally {
    await admin.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK])
  }
}

/** CREATE DATABASE … TEMPLATE fails while another session is copying the same template; it is retried. */
async function createFromTemplate(admin: pg.Client, name: string, template: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`)
      return
    } catch (err) {
      if (attempt >= 50 || !/being accessed by other users/.test((err as Error).message)) throw err
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200))
    }
  }
}

/** A database of this test's own on the configured kind, optionally migrated. */
export async function openTestDb(opts: { migrate?: boolean; kind?: 'embedded' | 'server' } = {}): Promise<TestDb> {
  const kind = opts.kind ?? (serverUrl ? 'server' : 'embedded')
  if (kind === 'server') {
    if (!serverUrl) throw new Error('a server test database needs DATABASE_URL')
    const name = `povmap_t_${process.pid}_${randomBytes(4).toString('hex')}`
    const admin = new pg.Client({ connectionString: serverUrl })
    await admin.connect()
    try {
      if (opts.migrate) await createFromTemplate(admin, name, await serverMigratedTemplate(admin))
      else await admin.query(`CREATE DATABASE ${name}`)
    } finally {
      await admin.end()
    }
    const url = new URL(serverUrl)
    url.pathname = `/${name}`
    const db = createPgDb({ connectionString: url.toString(), poolMax: 4, connectTimeoutMs: 5000, statementTimeoutMs: 60_000 })
    return {
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
  }
  const template = opts.migrate ? await embeddedMigratedTemplate() : await embeddedTemplate()
  const dir = mkdtempSync(join(TMP_ROOT, 'db-'))
  cpSync(join(template, 'pglite'), join(dir, 'pglite'), { recursive: true })
  const db = await openEmbeddedDb({ dataDir: dir })
  return {
    db,
    location: dir,
    async dispose() {
      await db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
