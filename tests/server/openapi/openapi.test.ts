import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { Validator } from '@seriousme/openapi-schema-validator'
import { buildApp } from '../../../server/app.js'
import { loadDataset } from '../../../geodata/load/load-dataset.js'
import { openTestDb, type TestDb } from '../../helpers/test-db.js'
import { fixtureDataset, FIXTURE } from '../../helpers/fixture-dataset.js'
import { createTestUser } from '../../helpers/auth.js'

type Security = Record<string, string[]>[]
interface Operation {
  operationId?: string
  security?: Security
}
interface Scheme {
  type: string
  in: 'cookie' | 'header'
  name: string
}
interface Doc {
  openapi: string
  paths: Record<string, Record<string, Operation>>
  components: { securitySchemes: Record<string, Scheme> }
}

const operations = (doc: Doc) =>
  Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ method: method.toUpperCase(), path, op })))
const schemesOf = (op: Operation) => (op.security ?? []).flatMap((requirement) => Object.keys(requirement))

/**
 * A client that knows the API only from the document: it finds an operation by its operationId, fills
 * in the path, and sends the credentials of the operation's security schemes (header keys it was
 * given; cookies the server set, kept in a jar).
 */
function documentClient(doc: Doc, base: string) {
  const byId = new Map(operations(doc).map((o) => [o.op.operationId!, o]))
  const jar = new Map<string, string>()
  const keys = new Map<string, string>()
  return {
    jar,
    setKey: (scheme: string, value: string) => void keys.set(scheme, value),
    async call(operationId: string, req: { params?: Record<string, string>; query?: Record<string, string>; body?: unknown } = {}) {
      const found = byId.get(operationId)
      if (!found) throw new Error(`no operation ${operationId}`)
      const url = new URL(found.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(req.params?.[name] ?? '')), base)
      for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v)
      const headers: Record<string, string> = {}
      for (const name of schemesOf(found.op)) {
        const scheme = doc.components.securitySchemes[name]!
        if (scheme.in === 'header') headers[scheme.name] = keys.get(name) ?? ''
      }
      if (jar.size > 0) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ')
      if (req.body !== undefined) headers['content-type'] = 'application/json'
      const res = await fetch(url, { method: found.method, headers, body: req.body === undefined ? undefined : JSON.stringify(req.body) })
      for (const line of res.headers.getSetCookie()) {
        const pair = line.split(';')[0]!
        jar.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1))
      }
      return { status: res.status, body: (res.headers.get('content-type') ?? '').includes('json') ? ((await res.json()) as Record<string, unknown>) : await res.text() }
    },
  }
}

describe('the OpenAPI document', () => {
  let t: TestDb
  let app: FastifyInstance
  let doc: Doc

  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    await loadDataset(t.db, fixtureDataset(), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
    app = await buildApp({ dataDir: t.location, db: t.db, serveClient: false })
    await app.listen({ port: 0, host: '127.0.0.1' })
    doc = (await app.inject('/api/docs/json')).json()
  }, 180_000)

  afterAll(async () => {
    await app?.close()
    await t?.dispose()
  })

  it('is a valid OpenAPI 3 document', async () => {
    expect(doc.openapi).toMatch(/^3\.0\./)
    const result = await new Validator().validate(structuredClone(doc) as unknown as Record<string, unknown>)
    expect(result.errors ?? []).toEqual([])
    expect(result.valid).toBe(true)
  })

  it('gives every operation an operationId, unique and usable as an identifier', () => {
    const ids = operations(doc).map((o) => o.op.operationId)
    expect(ids.length).toBeGreaterThan(30)
    for (const id of ids) expect(id).toMatch(/^[a-z][A-Za-z0-9]*$/)
    expect(new Set(ids).size).toBe(ids.length)
    // Stable: derived from the method and the URL, wherever the route is declared.
    expect(operations(doc).find((o) => o.path === '/api/areas/{code}/children')?.op.operationId).toBe('getAreasChildren')
  })

  it('declares the session cookie and the CSRF header', () => {
    expect(doc.components.securitySchemes).toEqual({
      sessionCookie: expect.objectContaining({ type: 'apiKey', in: 'cookie', name: 'povmap_sid' }),
      csrfToken: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'x-csrf-token' }),
    })
  })

  it('lists the session cookie on exactly the operations that answer 401 without a session, and the CSRF header on every state change', async () => {
    const checked: string[] = []
    for (const { method, path, op } of operations(doc)) {
      const res = await app.inject({ method: method as 'GET', url: path.replace(/\{\w+\}/g, '1') })
      const schemes = schemesOf(op)
      expect(schemes.includes('sessionCookie'), `${method} ${path} answered ${res.statusCode} without a session`).toBe(res.statusCode === 401)
      if (method !== 'GET') expect(schemes, `${method} ${path}`).toContain('csrfToken')
      checked.push(`${method} ${path}`)
    }
    // Public ones among them, sign-in included.
    expect(checked).toEqual(expect.arrayContaining(['GET /api/health', 'POST /api/auth/login', 'GET /styles/povmap.json']))
  })

  it('drives a client that signs in, reads an area and signs out by operationId alone', async () => {
    const user = await createTestUser(t.db, 'leader', { scope: FIXTURE.county })
    const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
    const client = documentClient(doc, base)

    const csrf = await client.call('getAuthCsrf')
    client.setKey('csrfToken', (csrf.body as { csrfToken: string }).csrfToken)
    const login = await client.call('postAuthLogin', { body: { username: user.username, password: user.password } })
    expect(login.status).toBe(200)
    client.setKey('csrfToken', (login.body as { csrfToken: string }).csrfToken)
    // The cookie the server set is the one the document names.
    expect(client.jar.has(doc.components.securitySchemes.sessionCookie!.name)).toBe(true)

    const area = await client.call('getAreasByCode', { params: { code: FIXTURE.county } })
    expect(area).toMatchObject({ status: 200, body: { code: FIXTURE.county, level: 'county' } })
    const stats = await client.call('getAreasStats', { params: { code: FIXTURE.county }, query: { year: '2018' } })
    expect(stats).toMatchObject({ status: 200, body: { code: FIXTURE.county, year: 2018 } })

    expect((await client.call('postAuthLogout')).status).toBeLessThan(300)
    expect((await client.call('getAuthMe')).status).toBe(401)
  })

  it('names the __Host- cookie when the server runs with Secure cookies', async () => {
    const secure = await buildApp({ dataDir: t.location, db: t.db, serveClient: false, auth: { cookieSecure: true } })
    try {
      const secureDoc = (await secure.inject('/api/docs/json')).json() as Doc
      expect(secureDoc.components.securitySchemes.sessionCookie!.name).toBe('__Host-povmap_sid')
    } finally {
      await secure.close()
    }
  })
})
