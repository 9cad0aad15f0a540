import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, writeFileSync, cpSync, rmSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { migrate, MigrationError, appliedMigrations } from '../../../server/migrations/runner.js'
import { migrationsDir } from '../../../server/infra/paths.js'
import { openTestDb, type TestDb } from '../../helpers/test-db.js'

describe('migrate', () => {
  let t: TestDb
  let dir: string
  beforeAll(async () => {
    t = await openTestDb()
    dir = mkdtempSync(join(tmpdir(), 'povmap-mig-'))
  })
  afterAll(async () => {
    await t?.dispose()
    rmSync(dir, { recursive: true, force: true })
  })

  it('applies every migration once, in order, and records checksums', async () => {
    cpSync(migrationsDir, dir, { recursive: true })
    const first = await migrate(t.db, dir)
    expect(first.applied.length).toBeGreaterThanOrEqual(2)
    expect(first.applied).toEqual([...first.applied].sort())
    const second = await migrate(t.db, dir)
    expect(second.applied).toEqual([])
    expect(second.alreadyApplied).toBe(first.applied.length)
    expect(await appliedMigrations(t.db)).toEqual(first.applied)
    const { rows } = await t.db.query<{ n: number }>("SELECT count(*) AS n FROM schema_migrations WHERE checksum ~ '^[0-9a-f]{64}$'")
    expect(rows[0]!.n).toBe(first.applied.length)
  })

  it('a failing migration rolls back whole and is not recorded', async () => {
    writeFileSync(join(dir, '9001_create_half.sql'), 'CREATE TABLE half_done (id int);\nSELECT no_such_function();\n')
    await expect(migrate(t.db, dir)).rejects.toThrow(/9001_create_half failed/)
    const { rows } = await t.db.query<{ t: string | null }>("SELECT to_regclass('half_done')::text AS t")
    expect(rows[0]!.t).toBeNull()
    expect(await appliedMigrations(t.db)).not.toContain('9001_create_half')
    rmSync(join(dir, '9001_create_half.sql'))
  })

  it('refuses to run when an applied file was changed, and applies nothing new', async () => {
    const applied = await appliedMigrations(t.db)
    const changed = join(dir, `${applied[0]}.sql`)
    writeFileSync(changed, '-- edited after it landed\nCREATE EXTENSION IF NOT EXISTS postgis;\n')
    writeFileSync(join(dir, '9002_create_later.sql'), 'CREATE TABLE later (id int);')
    const err = await migrate(t.db, dir).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(MigrationError)
    expect((err as Error).message).toMatch(new RegExp(`${applied[0]} was changed after it was applied`))
    const { rows } = await t.db.query<{ t: string | null }>("SELECT to_regclass('later')::text AS t")
    expect(rows[0]!.t).toBeNull()
  })

  it('rejects file names that do not follow NNNN_verb_object.sql', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'povmap-mig-bad-'))
    mkdirSync(bad, { recursive: true })
    writeFileSync(join(bad, '1_x.sql'), 'SELECT 1')
    await expect(migrate(t.db, bad)).rejects.toThrow(/does not match NNNN_verb_object.sql/)
    rmSync(bad, { recursive: true, force: true })
  })
})
