import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import pg from 'pg'
import { openTestDb, type TestDb } from '../../helpers/test-db.js'
import { fixtureDataset, FIXTURE } from '../../helpers/fixture-dataset.js'
import { loadDataset } from '../../../geodata/load/load-dataset.js'
import { APP_ROLE, withCaller } from '../../../server/db/caller-transactions.js'
import { viewQueryable, type DbView } from '../../../server/db/views.js'
import { createPgDb } from '../../../server/db/pg-db.js'
import { DbError, type Db } from '../../../server/db/types.js'
import { createRng } from '../../../geodata/generate/rng.js'
import { sessionCaller } from '../../helpers/auth.js'

// Tile statements run in a "view" (role and area only) on connections that keep the view's settings
// between statements. These tests hold it to what withCaller's transaction guarantees: the same rows,
// nothing of a user, and nothing left behind for the next view or for the owner's pool.
describe('views: single statements as a role and area', () => {
  let t: TestDb
  // On a server: a second handle on the same database with one connection per pool, so that every
  // view below shares the one view connection and must be set up again whenever the view changes.
  let narrow: Db
  let views: (DbView & { userId: number | null; username: string | null })[]
  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    await loadDataset(t.db, fixtureDataset(), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
    narrow = t.db.kind === 'server' ? createPgDb({ connectionString: t.location, poolMax: 1, connectTimeoutMs: 5000, statementTimeoutMs: 60_000 }) : t.db
    // A view is set up from a live session of its role and area: the database trusts nothing else.
    views = [
      await sessionCaller(t.db, 'province_admin', '43'),
      await sessionCaller(t.db, 'county_officer', FIXTURE.county),
      await sessionCaller(t.db, 'township_officer', FIXTURE.townships[1]!),
      await sessionCaller(t.db, 'village_team', FIXTURE.villages[0]!),
      await sessionCaller(t.db, 'leader', FIXTURE.county),
      await sessionCaller(t.db, 'auditor', '43'),
    ]
  })
  afterAll(async () => {
    if (narrow && narrow !== t.db) await narrow.close()
    await t?.dispose()
  })

  const count = `SELECT (SELECT count(*) FROM household)::int AS households, (SELECT count(*) FROM household_agg)::int AS aggregates`

  it('runs each statement as the request role with the role and area the database derives from the session', async () => {
    const { rows } = await viewQueryable(t.db, views[1]!).query<Record<string, string>>(
      `SELECT current_user AS "user", povmap_scope() AS scope, povmap_role() AS role, current_setting('povmap.ip') AS ip`,
    )
    expect(rows[0]).toEqual({ user: APP_ROLE, scope: FIXTURE.county, role: 'county_officer', ip: '' })
  })

  it('a statement in the view of a session that has ended fails: it never answers an empty tile', async () => {
    const v = await sessionCaller(t.db, 'county_officer', FIXTURE.county)
    const view = viewQueryable(narrow, v)
    expect((await view.query<{ households: number }>(count)).rows[0]!.households).toBe(600)
    await t.db.query('DELETE FROM app_session WHERE user_id = $1', [v.userId])
    await expect(view.query(count)).rejects.toThrow(/session has ended/)
    // A made-up session id is refused the same way.
    await expect(viewQueryable(narrow, { ...v, sid: 'forged-session-id' }).query(count)).rejects.toThrow(/session has ended/)
  })

  it('alternating views on one connection see exactly what withCaller shows each of them', async () => {
    const expected = new Map<string, unknown>()
    for (const v of views) {
      const { rows } = await withCaller(t.db, v, (tx) => tx.query(count))
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
    const areas = [await sessionCaller(t.db, 'village_team', FIXTURE.villages[0]!), await sessionCaller(t.db, 'village_team', FIXTURE.villages[1]!)]
    const expected = await Promise.all(areas.map(async (v) => (await withCaller(t.db, v, (tx) => tx.query(count))).rows[0]))
    expect(expected[0]).not.toEqual(expected[1])
    for (let i = 0; i < 6; i++) {
      const k = i % 2
      const { rows } = await viewQueryable(narrow, areas[k]!).query(count)
      expect(rows[0], areas[k]!.scope).toEqual(expected[k])
    }
  })

  it('a failing statement leaves no view behind, and the owner’s connections never carry one', async () => {
    const village = viewQueryable(narrow, views[3]!)
    await expect(village.query('SELECT 1 / 0')).rejects.toThrow(DbError)
    const { rows } = await viewQueryable(narrow, views[0]!).query<{ scope: string; role: string }>(`SELECT povmap_scope() AS scope, povmap_role() AS role`)
    expect(rows[0]).toEqual({ scope: '43', role: 'province_admin' })
    // The owner's pool (migrations, loads, transactions) is untouched by any view's session settings.
    const owner = await narrow.query<{ user: string; scope: string | null }>(`SELECT current_user AS "user", current_setting('povmap.sid', true) AS scope`)
    expect(owner.rows[0]!.user).not.toBe(APP_ROLE)
    expect(owner.rows[0]!.scope ?? '').toBe('')
  })

  it('refuses a malformed area or an unknown role before any SQL, and anything but a single read', async () => {
    expect(() => viewQueryable(t.db, { ...views[0]!, scope: "43' OR true" })).toThrow(DbError)
    expect(() => viewQueryable(t.db, { ...views[0]!, role: 'superuser' as DbView['role'] })).toThrow(DbError)
    expect(() => viewQueryable(t.db, { ...views[0]!, sid: '' })).toThrow(DbError)
    const v = viewQueryable(t.db, views[0]!)
    await expect(v.exec('DELETE FROM household')).rejects.toThrow(/single read statements/)
    await expect(v.copyFrom('household', ['id'], ['1\n'])).rejects.toThrow(/single read statements/)
    expect((await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM household')).rows[0]!.n).toBeGreaterThan(0)
  })

  it.runIf(!!process.env.DATABASE_URL)('on a server, a connection already set up for the view takes one round trip per statement', async () => {
    const v = viewQueryable(narrow, await sessionCaller(t.db, 'township_officer', FIXTURE.townships[0]!))
    await v.query('SELECT 1') // sets the one connection up for this view
    const spy = vi.spyOn(pg.Client.prototype, 'query')
    try {
      for (let i = 0; i < 5; i++) await v.query(count, [], { prepare: true })
      const texts = spy.mock.calls.map((c) => (typeof c[0] === 'string' ? c[0] : (c[0] as { text: string }).text))
      expect(texts).toEqual(Array(5).fill(count))
      // Another view on the same connection: its set-up first, then the statement.
      spy.mockClear()
      await viewQueryable(narrow, views[0]!).query(count)
      expect(spy.mock.calls.length).toBe(2)
    } finally {
      spy.mockRestore()
    }
  })
})
