import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../server/app.js'
import { openTestDb, type TestDb } from '../helpers/test-db.js'
import { loginAs } from '../helpers/auth.js'

describe('app', () => {
  let t: TestDb
  let app: FastifyInstance
  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    app = await buildApp({ dataDir: t.location, db: t.db, serveClient: false })
    // A route that fails the way a bug would: its message must not reach the client.
    app.get('/api/test-boom', async () => {
      throw new Error('SELECT secret FROM users -- at Object.<anonymous> (server/x.ts:1:1)')
    })
    await app.ready()
  })
  afterAll(async () => {
    await app?.close()
    await t?.dispose()
  })

  it('unknown routes answer a JSON 404', async () => {
    const res = await app.inject('/api/no-such-thing')
    expect(res.statusCode).toBe(404)
    expect(res.json()).toEqual({ error: 'Not Found', message: expect.stringContaining('/api/no-such-thing') })
  })

  it('a 500 hides the error text and stack', async () => {
    // Data routes need a session (issue 6); the failing route is reached signed in.
    const leader = await loginAs(app, t.db, 'leader')
    const res = await leader.inject('/api/test-boom')
    expect(res.statusCode).toBe(500)
    expect(res.json()).toEqual({ error: 'Internal Server Error', message: 'internal error' })
    expect(res.body).not.toMatch(/secret|Object\.<anonymous>/)
  })
})
