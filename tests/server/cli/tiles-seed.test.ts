import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { rmSync, statSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { openTestDb, serverUrl, type TestDb } from '../../helpers/test-db.js'
import { fixtureDataset, FIXTURE } from '../../helpers/fixture-dataset.js'
import { loadDataset } from '../../../geodata/load/load-dataset.js'
import { decodeTile, layerFeatures, lonLatToTile } from '../../helpers/tiles.js'
import { createTestUser, type TestUser } from '../../helpers/auth.js'
import { repoRoot } from '../../../server/infra/paths.js'
import { createPgDb } from '../../../server/db/pg-db.js'
import { openEmbeddedDb } from '../../../server/db/embedded-db.js'
import type { Db } from '../../../server/db/types.js'

describe('npm run tiles:seed', () => {
  let t: TestDb
  let out: string
  let officer: TestUser
  const seed = (...args: string[]) => {
    const env = { ...process.env, ...(serverUrl ? { DATABASE_URL: t.location } : { DATA_DIR: t.location }), LOG_LEVEL: 'warn' }
    return spawnSync(process.execPath, ['--import', 'tsx', 'server/cli/tiles-seed.ts', ...args], { cwd: repoRoot, env, encoding: 'utf8' })
  }
  /** The seeding process opens the database itself (the embedded one takes one process at a time): open it again to look. */
  const inDb = async <T>(fn: (db: Db) => Promise<T>): Promise<T> => {
    const db = serverUrl ? createPgDb({ connectionString: t.location, poolMax: 1, connectTimeoutMs: 5000, statementTimeoutMs: 60_000 }) : await openEmbeddedDb({ dataDir: t.location })
    try {
      return await fn(db)
    } finally {
      await db.close()
    }
  }
  const tileAt = (file: string, z: number) => {
    const at = lonLatToTile(FIXTURE.origin[0] + FIXTURE.cell, FIXTURE.origin[1] + FIXTURE.cell, z)
    const mb = new Database(file, { readonly: true })
    try {
      const meta = Object.fromEntries((mb.prepare('SELECT name, value FROM metadata').all() as { name: string; value: string }[]).map((r) => [r.name, r.value]))
      // The fixture's tile, stored with a TMS row.
      const row = mb.prepare('SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?').get(z, at.x, 2 ** z - 1 - at.y) as { tile_data: Buffer }
      return { meta, at, tile: decodeTile(gunzipSync(row.tile_data)) }
    } finally {
      mb.close()
    }
  }
  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    await loadDataset(t.db, fixtureDataset({ householdsPerVillage: 20 }), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
    officer = await createTestUser(t.db, 'township_officer', { scope: FIXTURE.townships[0]! })
    await t.db.close()
    out = join(serverUrl ? repoRoot : t.location, '.vitest-tmp', `seed-${process.pid}.mbtiles`)
  })
  afterAll(async () => {
    for (const f of [out, join(out, '..', `seed-${process.pid}-township.mbtiles`)]) if (f) rmSync(f, { force: true })
    await t?.dispose()
  })

  it('writes an MBTiles file (mode 0600) whose tiles decode and whose metadata lists the layers, households left out', () => {
    const run = seed('--maxzoom', '9', '--out', out)
    expect(run.status, run.stderr).toBe(0)
    expect(run.stderr).toMatch(/wrote \d+ tiles/)
    expect(statSync(out).mode & 0o777).toBe(0o600)
    const { meta, tile } = tileAt(out, 9)
    expect(meta.format).toBe('pbf')
    const layers = JSON.parse(meta.json!).vector_layers.map((l: { id: string }) => l.id)
    expect(layers).toContain('admin')
    expect(layers).not.toContain('households')
    expect(Object.keys(tile.layers)).toContain('admin')
    expect(Object.keys(tile.layers)).not.toContain('households')
  }, 120_000)

  it('writes households only when asked, with a role and an area, in that view, and records the export', async () => {
    const refused = seed('--maxzoom', '9', '--households', '--out', out)
    expect(refused.status).toBe(2)
    expect(refused.stderr.trim()).toMatch(/^povmap: tiles:seed: --households needs --role and --area/)
    const nobody = seed('--maxzoom', '9', '--households', '--role', 'county_officer', '--area', '433125', '--out', out)
    expect(nobody.status).toBe(1)
    expect(nobody.stderr).toMatch(/no enabled account has role county_officer and area 433125/)

    const theirs = join(out, '..', `seed-${process.pid}-township.mbtiles`)
    const run = seed('--minzoom', '9', '--maxzoom', '9', '--households', '--role', 'township_officer', '--area', officer.scope, '--out', theirs)
    expect(run.status, run.stderr).toBe(0)
    expect(statSync(theirs).mode & 0o777).toBe(0o600)
    const { meta, tile, at } = tileAt(theirs, 9)
    expect(JSON.parse(meta.json!).vector_layers.map((l: { id: string }) => l.id)).toContain('households')
    // Row-level security as for a request of that role: the officer's own township, not the other one.
    const townships = layerFeatures(tile, 'households', at).map((f) => f.properties!.code)
    expect(townships).toEqual([officer.scope])
    await inDb(async (db) => {
      const { rows } = await db.query<{ actor_username: string; area_code: string }>("SELECT actor_username, area_code FROM audit_log WHERE action = 'export.households' ORDER BY id")
      expect(rows).toEqual([{ actor_username: officer.username, area_code: officer.scope }])
      // The session it rendered with is gone.
      expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM app_session WHERE user_id = $1', [officer.id])).rows[0]!.n).toBe(0)
    })
  }, 180_000)

  it('refuses a bad --maxzoom with one line and a hint, exit status 2', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'server/cli/tiles-seed.ts', '--maxzoom', 'x'], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } })
    expect(run.status).toBe(2)
    expect(run.stderr.trim().split('\n')).toEqual(['povmap: tiles:seed: --maxzoom must be a whole number, got "x"', "Try 'npm run tiles:seed -- --help'."])
  })
})
