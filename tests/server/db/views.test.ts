import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import pg from 'pg'
import { openTestDb, type TestDb } from '../../helpers/test-db.js'
import { fixtureDataset, FIXTURE } from '../../helpers/fixture-dataset.js'
import { loadDataset } from '../../../geodata/load/load-dataset.js'
import { APP_ROLE, viewQueryable, withCaller, type DbView } from '../../../server/db/scoped.js'
import { createPgDb } from '../../../server/db/pg-db.js'
import { DbError, type Db } from '../../../server/db/types.js'
import { createRng } from '../../../geodata/generate/rng.js'

// Tile statements run in a "view" (role and area only) on connections that keep the view's settings
// between statements. These tests hold it to what withCaller's transaction guarantees: the same rows,
// nothing of a user, and nothing left behind for the next view or for the owner's pool.
describe('views: single statements as a role and area', () => {
  let t: TestDb
  // On a server: a second handle on the same database with one connection per pool, so that every
  // view below shares the one view connection and must be set up again whenever the view changes.
  let narrow: Db
  let views: DbView[]
  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    await loadDataset(t.db, fixtureDataset(), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
    narrow = t.db.kind === 'server' ? createPgDb({ connectionString: t.location, poolMax: 1, connectTimeoutMs: 5000, statementTimeoutMs: 60_000 }) : t.db
    views = [
      { role: 'province_admin', scope: '43' },
      { role: 'county_officer', scope: FIXTURE.county },
      { role: 'township_officer', scope: FIXTURE.townships[1]! },
      { role: 'village_team', scope: FIXTURE.villages[0]! },
      { role: 'leader', scope: FIXTURE.county },
      { role: 'auditor', scope: '43' },
    ]
  })
  afterAll(async () => {
    if (narrow && narrow !== t.db) await narrow.close()
    await t?.dispose()
  })

  const count = `SELECT (SELECT count(*) FROM household)::int AS households, (SELECT count(*) FROM household_agg)::int AS aggregates`

  it('runs each statement as the request role with the view’s role and area, and nothing of a user', async () => {
    const { rows } = await viewQueryable(t.db, { role: 'county_officer', scope: FIXTURE.county }).query<Record<string, string>>(
      `SELECT current_user AS "user", current_setting('povmap.scope') AS scope, current_setting('povmap.role') AS role,
              current_setting('povmap.user_id') AS "userId", current_setting('povmap.username') AS username, current_setting('povmap.ip') AS ip`,
    )
    expect(rows[0]).toEqual({ user: APP_ROLE, scope: FIXTURE.county, role: 'county_officer', userId: '', username: '', ip: '' })
  })

  it('alternating views on one connection see exactly what withCaller shows each of them', async () => {
    const expected = new Map<string, unknown>()
    for (const v of views) {
      const { rows } = await withCaller(t.db, { ...v, userId: 1, username: 'someone' }, (tx) => tx.query(count))
      expected.set(`${v.role}:${v.scope}`, rows[0])
    }
    // The views do not all see the same: the comparison below could not pass by accident.
    expect(new Set([...expected.values()].map((r) => JSON.stringify(r))).size).toBeGreaterThanOrEqual(3)
    const rng = createRng(11)
    for (let i = 0; i < 40; i++) {
      const v = views[Math.floor(rng.next() * views.length)]!
      const { rows } = await viewQueryable(narrow, v).query(count)
      expect(rows[0], `${v.role}:${v.scope}`).toEqual(expected.get(`${v.role}:${v.scope}`))
    }
  })

  it('the same role in two areas are two views: alternating them never shows one area the other’s rows', async () => {
    const areas: DbView[] = [
      { role: 'village_team', scope: FIXTURE.villages[0]! },
      { role: 'village_team', scope: FIXTURE.villages[1]! },
    ]
    const expected = await Promise.all(areas.map(async (v) => (await withCaller(t.db, { ...v, userId: 1, username: 'someone' }, (tx) => tx.query(count))).rows[0]))
    expect(expected[0]).not.toEqual(expected[1])
    for (let i = 0; i < 6; i++) {
      const k = i % 2
      const { rows } = await viewQueryable(narrow, areas[k]!).query(count)
      expect(rows[0], areas[k]!.scope).toEqual(expected[k])
    }
  })

  it('a failing statement leaves no view behind, and the owner’s connections never carry one', async () => {
    const village = viewQueryable(narrow, { role: 'village_team', scope: FIXTURE.villages[0]! })
    await expect(village.query('SELECT 1 / 0')).rejects.toThrow(DbError)
    const { rows } = await viewQueryable(narrow, { role: 'province_admin', scope: '43' }).query<{ scope: string; role: string }>(
      `SELECT current_setting('povmap.scope') AS scope, current_setting('povmap.role') AS role`,
    )
    expect(rows[0]).toEqual({ scope: '43', role: 'province_admin' })
    // The owner's pool (migrations, loads, transactions) is untouched by any view's session settings.
    const owner = await narrow.query<{ user: string; scope: string | null }>(`SELECT current_user AS "user", current_setting('povmap.scope', true) AS scope`)
    expect(owner.rows[0]!.user).not.toBe(APP_ROLE)
    expect(owner.rows[0]!.scope ?? '').toBe('')
  })

  it('refuses a malformed area or an unknown role before any SQL, and anything but a single read', async () => {
    expect(() => viewQueryable(t.db, { role: 'province_admin', scope: "43' OR true" })).toThrow(DbError)
    expect(() => viewQueryable(t.db, { role: 'superuser' as DbView['role'], scope: '43' })).toThrow(DbError)
    const v = viewQueryable(t.db, { role: 'province_admin', scope: '43' })
    await expect(v.exec('DELETE FROM household')).rejects.toThrow(/single read statements/)
    await expect(v.copyFrom('household', ['id'], ['1\n'])).rejects.toThrow(/single read statements/)
    expect((await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM household')).rows[0]!.n).toBeGreaterThan(0)
  })

  it.runIf(!!process.env.DATABASE_URL)('on a server, a connection already set up for the view takes one round trip per statement', async () => {
    const v = viewQueryable(narrow, { role: 'township_officer', scope: FIXTURE.townships[0]! })
    await v.query('SELECT 1') // sets the one connection up for this view
    const spy = vi.spyOn(pg.Client.prototype, 'query')
    try {
      for (let i = 0; i < 5; i++) await v.query(count, [], { prepare: true })
      const texts = spy.mock.calls.map((c) => (typeof c[0] === 'string' ? c[0] : (c[0] as { text: string }).text))
      expect(texts).toEqual(Array(5).fill(count))
      // Another view on the same connection: its set-up first, then the statement.
      spy.mockClear()
      await viewQueryable(narrow, { role: 'province_admin', scope: '43' }).query(count)
      expect(spy.mock.calls.length).toBe(2)
    } finally {
      spy.mockRestore()
    }
  })
})
