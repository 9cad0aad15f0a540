import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { migrate, MigrationError, appliedMigrations } from '../../../server/migrations/runner.js'
import { sqlFunctionFiles } from '../../../server/tiles/layer-sql.js'
import { migrationsDir } from '../../../server/infra/paths.js'
import { openTestDb, type TestDb } from '../../helpers/test-db.js'

describe('migrate: repeatable SQL files (the tiles’ SQL functions)', () => {
  let t: TestDb
  let dir: string
  let migrations: string
  const fn = (n: number) => `CREATE OR REPLACE FUNCTION povmap_test_answer() RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT ${n} $$;\n`
  const answer = async () => (await t.db.query<{ n: number }>('SELECT povmap_test_answer() AS n')).rows[0]!.n
  const ledger = async () =>
    Object.fromEntries((await t.db.query<{ id: string; checksum: string }>('SELECT id, checksum FROM schema_repeatables')).rows.map((r) => [r.id, r.checksum]))
  beforeAll(async () => {
    t = await openTestDb()
    dir = mkdtempSync(join(tmpdir(), 'povmap-repeatable-'))
    migrations = join(dir, 'migrations')
    cpSync(migrationsDir, migrations, { recursive: true })
  })
  afterAll(async () => {
    await t?.dispose()
    rmSync(dir, { recursive: true, force: true })
  })
  const mine = () => [...sqlFunctionFiles(), { id: 'test/answer.sql', path: join(dir, 'answer.sql') }]

  it('applies every file after the migrations and records its checksum; an unchanged file is not applied again', async () => {
    writeFileSync(join(dir, 'answer.sql'), fn(1))
    const first = await migrate(t.db, migrations, undefined, { repeatable: mine() })
    expect(first.applied.length).toBeGreaterThan(5)
    expect(first.reapplied).toEqual(mine().map((f) => f.id))
    expect(first.reapplied).toContain('tiles/layers/households/household_agg_features.sql')
    expect(Object.values(await ledger()).every((c) => /^[0-9a-f]{64}$/.test(c))).toBe(true)
    expect(await answer()).toBe(1)
    const again = await migrate(t.db, migrations, undefined, { repeatable: mine() })
    expect(again).toMatchObject({ applied: [], reapplied: [] })
  })

  it('a changed file is applied again, alone', async () => {
    const before = await ledger()
    writeFileSync(join(dir, 'answer.sql'), fn(2))
    const r = await migrate(t.db, migrations, undefined, { repeatable: mine() })
    expect(r.reapplied).toEqual(['test/answer.sql'])
    expect(await answer()).toBe(2)
    const after = await ledger()
    expect(after['test/answer.sql']).not.toBe(before['test/answer.sql'])
    expect({ ...after, 'test/answer.sql': undefined }).toEqual({ ...before, 'test/answer.sql': undefined })
  })

  it('a failing file stops the run with its name; nothing of the run stays, the new migration included', async () => {
    writeFileSync(join(migrations, '9101_create_later.sql'), 'CREATE TABLE later_one (id int);')
    writeFileSync(join(dir, 'answer.sql'), `${fn(3)}SELECT no_such_function();\n`)
    const err = await migrate(t.db, migrations, undefined, { repeatable: mine() }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(MigrationError)
    expect((err as Error).message).toMatch(/repeatable SQL file test\/answer.sql failed: .*no_such_function/)
    expect(await answer()).toBe(2)
    expect((await t.db.query<{ t: string | null }>("SELECT to_regclass('later_one')::text AS t")).rows[0]!.t).toBeNull()
    expect(await appliedMigrations(t.db)).not.toContain('9101_create_later')
    rmSync(join(migrations, '9101_create_later.sql'))
  })
})
