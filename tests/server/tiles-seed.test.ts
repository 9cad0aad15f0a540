import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { gunzipSync } from 'node:zlib'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { openTestDb, serverUrl, type TestDb } from '../helpers/test-db.js'
import { fixtureDataset, FIXTURE } from '../helpers/fixture-dataset.js'
import { loadDataset } from '../../geodata/load/load-dataset.js'
import { decodeTile, lonLatToTile } from '../helpers/tiles.js'
import { repoRoot } from '../../server/paths.js'

describe('npm run tiles:seed', () => {
  let t: TestDb
  let out: string
  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    await loadDataset(t.db, fixtureDataset({ householdsPerVillage: 20 }), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
    // The seeding process opens the database itself: the embedded one takes one process at a time.
    await t.db.close()
    out = join(serverUrl ? repoRoot : t.location, '.vitest-tmp', `seed-${process.pid}.mbtiles`)
  })
  afterAll(async () => t?.dispose())

  it('writes an MBTiles file whose tiles decode and whose metadata lists the layers', () => {
    const env = { ...process.env, ...(serverUrl ? { DATABASE_URL: t.location } : { DATA_DIR: t.location }), LOG_LEVEL: 'warn' }
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'server/cli/tiles-seed.ts', '--maxzoom', '9', '--out', out], { cwd: repoRoot, env, encoding: 'utf8' })
    expect(run.status, run.stderr).toBe(0)
    expect(run.stderr).toMatch(/wrote \d+ tiles/)
    const mb = new Database(out, { readonly: true })
    const meta = Object.fromEntries((mb.prepare('SELECT name, value FROM metadata').all() as { name: string; value: string }[]).map((r) => [r.name, r.value]))
    expect(meta.format).toBe('pbf')
    expect(JSON.parse(meta.json!).vector_layers.map((l: { id: string }) => l.id)).toContain('households')
    // The fixture's tile at z9, stored with a TMS row.
    const at = lonLatToTile(FIXTURE.origin[0] + FIXTURE.cell, FIXTURE.origin[1] + FIXTURE.cell, 9)
    const row = mb.prepare('SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?').get(9, at.x, 2 ** 9 - 1 - at.y) as { tile_data: Buffer }
    const tile = decodeTile(gunzipSync(row.tile_data))
    expect(Object.keys(tile.layers)).toEqual(expect.arrayContaining(['admin', 'households']))
    mb.close()
  }, 120_000)

  it('refuses a bad --maxzoom with one line', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'server/cli/tiles-seed.ts', '--maxzoom', 'x'], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } })
    expect(run.status).toBe(1)
    expect(run.stderr.trim()).toBe('povmap: tiles:seed: --maxzoom must be a whole number, got "x"')
  })
})
