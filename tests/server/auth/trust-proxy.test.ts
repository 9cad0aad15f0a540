/**
 * TRUST_PROXY (issue 14, finding 4): trusting every hop let any client pick its own address with a
 * forged X-Forwarded-For (the leftmost entry), dodging the sign-in rate limit and writing a made-up
 * address into the audit log. Only the proxies named (addresses, CIDRs) or counted (hops) are trusted;
 * `true` stops start-up with one line that says what to use instead.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../../server/app.js'
import { ConfigError, loadConfig } from '../../../server/infra/config.js'
import { openTestDb, type TestDb } from '../../helpers/test-db.js'
import { mergeCookies } from '../../helpers/auth.js'

describe('TRUST_PROXY: the configuration', () => {
  const parse = (v: string | undefined) => loadConfig(v === undefined ? {} : { TRUST_PROXY: v }).auth.trustProxy

  it('takes nothing (the default), a number of hops, or a list of proxy addresses and CIDRs', () => {
    expect(parse(undefined)).toBe(false)
    expect(parse('false')).toBe(false)
    expect(parse('1')).toBe(1)
    expect(parse('2')).toBe(2)
    expect(parse('10.0.0.2')).toEqual(['10.0.0.2'])
    expect(parse(' 10.0.0.2, 10.1.0.0/16 ,fd00::/8,::1 ')).toEqual(['10.0.0.2', '10.1.0.0/16', 'fd00::/8', '::1'])
    expect(parse('loopback,uniquelocal')).toEqual(['loopback', 'uniquelocal'])
  })

  it('refuses `true` (every hop) with one line naming the variable and what to use instead', () => {
    for (const v of ['true', 'TRUE', 'yes', 'on']) {
      let err: unknown
      try {
        parse(v)
      } catch (e) {
        err = e
      }
      expect(err, v).toBeInstanceOf(ConfigError)
      const message = (err as Error).message
      expect(message).toMatch(/^invalid TRUST_PROXY: /)
      expect(message).toMatch(/number of proxies/)
      expect(message).toMatch(/addresses/)
      expect(message).not.toMatch(/\n/)
    }
  })

  it('refuses addresses that are not addresses, ranges that hold every address, and silly hop counts', () => {
    for (const v of ['0', '-1', '17', '1.5', '10.0.0.300', '10.0.0.0/33', 'fd00::/129', '0.0.0.0/0', '::/0', '10.0.0.1,,10.0.0.2', 'proxy.example', '10.0.0.1 10.0.0.2', 'all']) {
      expect(() => parse(v), v).toThrow(ConfigError)
      expect(() => parse(v), v).toThrow(/^invalid TRUST_PROXY: /)
    }
  })
})

describe('TRUST_PROXY=1 behind one proxy: the client address is the one the proxy appended', () => {
  let t: TestDb
  let app: FastifyInstance
  const PROXY = '10.0.0.2'

  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    app = await buildApp({ dataDir: t.location, db: t.db, serveClient: false, trustProxy: loadConfig({ TRUST_PROXY: '1' }).auth.trustProxy, auth: { loginPerMinute: 2 } })
    await app.ready()
  })
  afterAll(async () => {
    await app?.close()
    await t?.dispose()
  })

  /** A failed sign-in through the proxy: the client sent `forged` as X-Forwarded-For, the proxy appended `client`. */
  const signInThroughProxy = async (username: string, client: string, forged: string) => {
    const headers = { 'x-forwarded-for': `${forged}, ${client}` }
    const pre = await app.inject({ url: '/api/auth/csrf', remoteAddress: PROXY, headers })
    return app.inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: PROXY,
      headers: { ...headers, cookie: mergeCookies('', pre), 'x-csrf-token': pre.json().csrfToken },
      payload: { username, password: 'not-the-password-1' },
    })
  }

  it('the audit row carries the address the proxy saw, not the forged leftmost one', async () => {
    expect((await signInThroughProxy('nobody.forged', '203.0.113.7', '6.6.6.6')).statusCode).toBe(401)
    const { rows } = await t.db.query<{ ip: string }>("SELECT ip FROM audit_log WHERE action = 'login' AND actor_username = 'nobody.forged'")
    expect(rows).toEqual([{ ip: '203.0.113.7' }])
  })

  it('the sign-in rate limit counts the real client, whatever it forges', async () => {
    const statuses: number[] = []
    for (const forged of ['1.1.1.1', '2.2.2.2', '3.3.3.3']) statuses.push((await signInThroughProxy('nobody.limited', '203.0.113.9', forged)).statusCode)
    expect(statuses).toEqual([401, 401, 429])
    // Another client behind the same proxy has a budget of its own.
    expect((await signInThroughProxy('nobody.limited', '203.0.113.10', '3.3.3.3')).statusCode).toBe(401)
  })

  it('a client that reaches povmap directly from a public address is not a proxy: its X-Forwarded-For is ignored', async () => {
    const pre = await app.inject({ url: '/api/auth/csrf', remoteAddress: '198.51.100.5' })
    const res = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: '198.51.100.5',
      headers: { 'x-forwarded-for': '6.6.6.6', cookie: mergeCookies('', pre), 'x-csrf-token': pre.json().csrfToken },
      payload: { username: 'nobody.direct', password: 'not-the-password-1' },
    })
    expect(res.statusCode).toBe(401)
    const { rows } = await t.db.query<{ ip: string }>("SELECT ip FROM audit_log WHERE action = 'login' AND actor_username = 'nobody.direct'")
    expect(rows).toEqual([{ ip: '198.51.100.5' }])
  })

  it('TRUST_PROXY as a list trusts those proxies only', async () => {
    const listed = await buildApp({ dataDir: t.location, db: t.db, serveClient: false, trustProxy: loadConfig({ TRUST_PROXY: `${PROXY},192.168.7.0/24` }).auth.trustProxy })
    try {
      const ipOf = async (remoteAddress: string, xff: string) => {
        const username = `nobody.${Math.random().toString(36).slice(2, 8)}`
        const pre = await listed.inject({ url: '/api/auth/csrf', remoteAddress })
        await listed.inject({
          method: 'POST',
          url: '/api/auth/login',
          remoteAddress,
          headers: { 'x-forwarded-for': xff, cookie: mergeCookies('', pre), 'x-csrf-token': pre.json().csrfToken },
          payload: { username, password: 'not-the-password-1' },
        })
        return (await t.db.query<{ ip: string }>("SELECT ip FROM audit_log WHERE action = 'login' AND actor_username = $1", [username])).rows[0]?.ip
      }
      expect(await ipOf(PROXY, '6.6.6.6, 203.0.113.7')).toBe('203.0.113.7')
      // Two listed proxies in a row: the address the outer one appended.
      expect(await ipOf(PROXY, '6.6.6.6, 203.0.113.8, 192.168.7.3')).toBe('203.0.113.8')
      // Not a listed proxy (another host on the private network): its own address.
      expect(await ipOf('10.0.0.99', '6.6.6.6, 203.0.113.7')).toBe('10.0.0.99')
    } finally {
      await listed.close()
    }
  })
})
