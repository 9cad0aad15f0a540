import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../../server/app.js'
import { openTestDb, serverUrl, type TestDb } from '../../helpers/test-db.js'
import { startTcpProxy } from '../../helpers/tcp-proxy.js'
import { createPgDb } from '../../../server/db/pg-db.js'

describe('health', () => {
  let t: TestDb
  let app: FastifyInstance
  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    app = await buildApp({ dataDir: t.location, db: t.db, serveClient: false })
  })
  afterAll(async () => {
    await app?.close()
    await t?.dispose()
  })

  it('GET /api/health reports the database kind, PostGIS version and migrations', async () => {
    const res = await app.inject('/api/health')
    expect(res.statusCode).toBe(200)
    const body = res.json()
    const { rows } = await t.db.query<{ v: string }>('SELECT postgis_lib_version() AS v')
    const { rows: mig } = await t.db.query<{ n: number }>('SELECT count(*) AS n FROM schema_migrations')
    expect(body).toEqual({
      status: 'ok',
      db: { kind: serverUrl ? 'server' : 'embedded', postgis: rows[0]!.v },
      migrations: { applied: mig[0]!.n, latest: expect.stringMatching(/^\d{4}_/) },
      // No data, nothing computed (tests/server/siting/accessibility-watch.test.ts follows a computation).
      accessibility: { state: 'none', computedAt: null, households: null, elapsedMs: null, lastFailedAt: null },
    })
  })

  it('the OpenAPI document lists the health route', async () => {
    const res = await app.inject('/api/docs/json')
    expect(res.statusCode).toBe(200)
    const doc = res.json()
    expect(doc.openapi).toMatch(/^3\./)
    expect(Object.keys(doc.paths)).toContain('/api/health')
  })

  it.runIf(serverUrl)('health answers 503 while the server is unreachable and recovers when it returns', async () => {
    const target = new URL(serverUrl!)
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) })
    const via = new URL(t.location)
    via.host = `127.0.0.1:${proxy.port}`
    const db = createPgDb({ connectionString: via.toString(), poolMax: 2, connectTimeoutMs: 1000, statementTimeoutMs: 5000, onIdleError: () => {} })
    const proxied = await buildApp({ dataDir: t.location, db, serveClient: false })
    try {
      expect((await proxied.inject('/api/health')).statusCode).toBe(200)
      proxy.down()
      const down = await proxied.inject('/api/health')
      expect(down.statusCode).toBe(503)
      expect(down.json()).toMatchObject({ status: 'unavailable', db: { kind: 'server', postgis: null } })
      proxy.up()
      expect((await proxied.inject('/api/health')).statusCode).toBe(200)
    } finally {
      await proxied.close()
      await db.close()
      await proxy.close()
    }
  })

  it('health answers 503 once the embedded database is gone', async () => {
    if (t.db.kind !== 'embedded') return
    const other = await openTestDb({ kind: 'embedded' })
    const a = await buildApp({ dataDir: t.location, db: other.db, serveClient: false })
    try {
      await other.db.close()
      const res = await a.inject('/api/health')
      expect(res.statusCode).toBe(503)
      expect(res.json()).toMatchObject({ status: 'unavailable', db: { kind: 'embedded', postgis: null } })
    } finally {
      await a.close()
      await other.dispose()
    }
  })
})
