import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDb, type TestDb } from '../../helpers/test-db.js'
import { openEmbeddedDb } from '../../../server/db/embedded-db.js'
import { DbError } from '../../../server/db/types.js'

/** The embedded database is one PGlite connection shared by every request. */
describe('embedded database', () => {
  let t: TestDb
  beforeAll(async () => {
    t = await openTestDb({ kind: 'embedded' })
    await t.db.exec('CREATE TABLE counter (n int NOT NULL); INSERT INTO counter VALUES (0); CREATE TABLE log (tx int, step int)')
  })
  afterAll(async () => t?.dispose())

  it('concurrent transactions never interleave: read-modify-write loses no update', async () => {
    const N = 25
    await Promise.all(
      Array.from({ length: N }, (_, i) =>
        t.db.transaction(async (tx) => {
          const { rows } = await tx.query<{ n: number }>('SELECT n FROM counter')
          await tx.query('INSERT INTO log VALUES ($1, 1)', [i])
          // Yield to the event loop mid-transaction: other requests are queued, not run inside this one.
          await new Promise((r) => setTimeout(r, 2))
          await tx.query('INSERT INTO log VALUES ($1, 2)', [i])
          await tx.query('UPDATE counter SET n = $1', [rows[0]!.n + 1])
        }),
      ),
    )
    const { rows } = await t.db.query<{ n: number }>('SELECT n FROM counter')
    expect(rows[0]!.n).toBe(N)
    // Every transaction's two log rows are adjacent in insertion order.
    const log = await t.db.query<{ tx: number; step: number }>('SELECT tx, step FROM log ORDER BY ctid')
    for (let i = 0; i < log.rows.length; i += 2) {
      expect(log.rows[i]!.tx).toBe(log.rows[i + 1]!.tx)
      expect([log.rows[i]!.step, log.rows[i + 1]!.step]).toEqual([1, 2])
    }
  })

  it('plain queries issued during a transaction wait for it and do not see its uncommitted rows', async () => {
    await t.db.exec('DELETE FROM log')
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const tx = t.db.transaction(async (q) => {
      await q.query('INSERT INTO log VALUES (99, 1)')
      await gate
      throw new Error('abort on purpose')
    })
    const outside = t.db.query<{ n: number }>('SELECT count(*) AS n FROM log')
    release()
    await expect(tx).rejects.toThrow('abort on purpose')
    expect((await outside).rows[0]!.n).toBe(0)
  })

  it('a slow query runs off the event loop', async () => {
    let ticks = 0
    const timer = setInterval(() => ticks++, 20)
    await t.db.query('SELECT pg_sleep(1)')
    clearInterval(timer)
    // On the main thread the loop would be frozen for the whole second (0 ticks).
    expect(ticks).toBeGreaterThan(20)
  })

  it('a failed statement reports the error and the connection keeps working', async () => {
    const err = await t.db.query('SELECT * FROM no_such_table').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DbError)
    expect((err as Error).message).toMatch(/no_such_table/)
    expect((await t.db.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }])
  })

  it('int8 and numeric come back as numbers, as from the server driver', async () => {
    const { rows } = await t.db.query('SELECT 5::int8 AS a, 2.5::numeric AS b, $1::text AS c', ['x'])
    expect(rows).toEqual([{ a: 5, b: 2.5, c: 'x' }])
  })

  it('rowCount means what it means with pg: rows returned by a SELECT, rows changed by an UPDATE', async () => {
    expect((await t.db.query('SELECT * FROM generate_series(1, 3)')).rowCount).toBe(3)
    expect((await t.db.query('SELECT 1 WHERE false')).rowCount).toBe(0)
    await t.db.exec('CREATE TABLE rc (n int); INSERT INTO rc VALUES (1), (2)')
    expect((await t.db.query('UPDATE rc SET n = n + 1')).rowCount).toBe(2)
  })

  it('a second process-level open of the same DATA_DIR is refused', async () => {
    // The pid file belongs to this process: simulate another live owner with the parent's pid.
    const { writeFileSync } = await import('node:fs')
    const { join } = await import('node:path')
    writeFileSync(join(t.location, 'povmap.pid'), String(process.ppid))
    await expect(openEmbeddedDb({ dataDir: t.location })).rejects.toThrow(/in use by process/)
    writeFileSync(join(t.location, 'povmap.pid'), String(process.pid))
  })
})
