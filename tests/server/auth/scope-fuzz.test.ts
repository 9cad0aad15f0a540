/**
 * Parameters and filters fuzzed with fast-check (fixed seeds): whatever a caller sends, the answer
 * is never a 5xx and never holds a row outside the caller's area.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fc from 'fast-check'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../../server/app.js'
import { openTestDb, type TestDb } from '../../helpers/test-db.js'
import { fixtureDataset, FIXTURE } from '../../helpers/fixture-dataset.js'
import { loadDataset } from '../../../geodata/load/load-dataset.js'
import { loginAs, type TestSession } from '../../helpers/auth.js'
import { decodeTile, layerFeatures } from '../../helpers/tiles.js'
import { tilesCovering } from '../../../server/tiles/tile-math.js'
import { areaRelation } from '../../../domain/admin-codes.js'
import { holdsPersonalBesidesRefs } from '../../helpers/personal.js'
import { ASSURANCE_GAPS, HOUSEHOLD_STATUSES, POVERTY_CAUSES } from '../../../domain/codes.js'
import { normaliseFilter } from '../../../server/tiles/tile-filters.js'
import { LAYER_BY_ID } from '../../../tiles/registry.js'

const RUNS = 40
const KNOWN = ['43', '4331', '4301', '433124', '433125', ...FIXTURE.townships, ...FIXTURE.villages]

/** Area codes: the fixture's, their neighbours, and random digit strings of every length. */
const areaCode = fc.oneof(
  fc.constantFrom(...KNOWN),
  fc.constantFrom(...KNOWN).chain((c) => fc.integer({ min: 0, max: 9 }).map((d) => `${c.slice(0, -1)}${d}`)),
  fc.constantFrom(2, 4, 6, 9, 12).chain((n) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n })),
  fc.string({ maxLength: 14 }),
)
const junk = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom("'", '%', '_', '\\', '%00', '-1', '2020.5', '99999999999', ';--', '../'))

describe('fuzzed parameters never leave the caller’s area and never 5xx', () => {
  let t: TestDb
  let app: FastifyInstance
  let team: TestSession
  let township: TestSession
  let viewer: TestSession
  let auditor: TestSession
  const callers = () => [team, township, viewer]
  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    await loadDataset(t.db, fixtureDataset({ householdsPerVillage: 30 }), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
    // The filter-combination bound is fuzzed on an app of its own (below); here it is out of the way.
    app = await buildApp({
      dataDir: t.location,
      db: t.db,
      serveClient: false,
      auth: { loginPerMinute: 500 },
      hardening: { rateLimit: { apiPerMinute: 100_000, tilesPerMinute: 100_000 } },
      tiles: { filterSets: { max: 100_000 } },
    })
    team = await loginAs(app, t.db, 'village_team', { scope: FIXTURE.villages[0]! })
    township = await loginAs(app, t.db, 'township_officer', { scope: FIXTURE.townships[1]! })
    viewer = await loginAs(app, t.db, 'department_viewer', { scope: FIXTURE.townships[0]! })
    auditor = await loginAs(app, t.db, 'auditor', { scope: FIXTURE.county })
    // Give the auditor something to read in more than one area.
    await township.inject(`/api/areas/${FIXTURE.villages[0]}/stats`)
  })
  afterAll(async () => {
    await app?.close()
    await t?.dispose()
  })

  const codesIn = (body: string) => [...body.matchAll(/"(?:code|parentCode|area)":"([0-9]+)"/g)].map((m) => m[1]!)

  it('area routes: 200 only inside (or, for heads and children, on the way up to) the caller’s area', async () => {
    const paths = ['', '/children', '/stats', '/indicators', '/diagnosis', '/projects', '/children/indicator?indicator=dist_school_km']
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(0, 1, 2), areaCode, fc.constantFrom(...paths), fc.option(fc.oneof(fc.integer({ min: 2000, max: 2030 }).map(String), junk)), async (who, code, path, year) => {
        const s = callers()[who]!
        const sep = path.includes('?') ? '&' : '?'
        const url = `/api/areas/${encodeURIComponent(code)}${path}${year === null ? '' : `${sep}year=${encodeURIComponent(year)}`}`
        const res = await s.inject(url)
        expect(res.statusCode, url).toBeLessThan(500)
        if (res.statusCode !== 200) return
        const rel = areaRelation(s.user.scope, code)
        expect(rel === 'inside' || (rel === 'above' && (path === '' || path === '/children')), `${s.user.scope} got ${url}`).toBe(true)
        for (const c of codesIn(res.body)) {
          const r = areaRelation(s.user.scope, c)
          expect(r === 'inside' || (r === 'above' && (path === '' || path === '/children' || c.length < code.length)), `${url} shows ${c} to ${s.user.scope}`).toBe(true)
        }
        expect(holdsPersonalBesidesRefs(res.body)).toBe(false)
      }),
      { seed: 20131103, numRuns: RUNS * 3 },
    )
  })

  it('search: any text finds divisions of the caller’s area only', async () => {
    const text = fc.oneof(fc.string({ minLength: 1, maxLength: 50 }), fc.constantFrom('村', '镇', '花垣', '十八洞', '433', '4331241', '%', '_', '\\', '湖南'))
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(0, 1, 2), text, fc.option(fc.integer({ min: -5, max: 80 })), async (who, q, limit) => {
        const s = callers()[who]!
        const url = `/api/search?q=${encodeURIComponent(q)}${limit === null ? '' : `&limit=${limit}`}`
        const res = await s.inject(url)
        expect(res.statusCode, url).toBeLessThan(500)
        if (res.statusCode !== 200) return
        for (const hit of res.json() as { code: string }[]) expect(hit.code.startsWith(s.user.scope), `${q} → ${hit.code}`).toBe(true)
      }),
      { seed: 2013, numRuns: RUNS * 2 },
    )
  })

  it('household tile filters: any combination gives only in-scope households that match the filter', async () => {
    const [X0, Y0] = FIXTURE.origin
    const tiles = [...tilesCovering([X0, Y0, X0 + 0.04, Y0 + 0.04], 13), ...tilesCovering([X0, Y0, X0 + 0.04, Y0 + 0.04], 10)]
    const list = <T extends string>(values: readonly T[]) => fc.option(fc.oneof(fc.subarray([...values], { minLength: 1 }).map((v) => v.join(',')), junk))
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(0, 1, 2),
        fc.constantFrom(...tiles),
        fc.option(fc.oneof(fc.integer({ min: 2010, max: 2025 }).map(String), junk)),
        list(HOUSEHOLD_STATUSES),
        list(POVERTY_CAUSES),
        list(ASSURANCE_GAPS),
        async (who, at, year, status, cause, gap) => {
          const s = callers()[who]!
          const q = new URLSearchParams()
          if (year !== null) q.set('year', year)
          if (status !== null) q.set('status', status)
          if (cause !== null) q.set('cause', cause)
          if (gap !== null) q.set('gap', gap)
          const url = `/tiles/households/${at.z}/${at.x}/${at.y}.mvt?${q}`
          const res = await s.inject(url)
          expect([200, 204, 400], url).toContain(res.statusCode)
          if (res.statusCode !== 200) return
          for (const f of layerFeatures(decodeTile(res.rawPayload), 'households', at)) {
            const p = f.properties!
            const where = String(p.village_code ?? p.code)
            expect(where.startsWith(s.user.scope), `${url} shows ${where} to ${s.user.scope}`).toBe(true)
            // An empty value means no filter.
            if (p.status !== undefined && status) expect(status.split(',')).toContain(p.status)
            if (p.village_code !== undefined) expect(s.user.role).not.toBe('department_viewer')
          }
        },
      ),
      { seed: 4331, numRuns: RUNS * 2 },
    )
  })

  it('tile filter combinations: a caller gets at most the bound of distinct ones, never a 5xx, and a combination in use is never refused', async () => {
    const MAX = 6
    const bounded = await buildApp({
      dataDir: t.location,
      db: t.db,
      serveClient: false,
      auth: { loginPerMinute: 500, sessionTrustMs: 60_000 },
      hardening: { rateLimit: { apiPerMinute: 100_000, tilesPerMinute: 100_000 } },
      tiles: { filterSets: { max: MAX, windowMs: 3_600_000 } },
    })
    try {
      // Over HTTP, so that URLs answered before are served by the early path as a map's would be.
      await bounded.listen({ port: 0, host: '127.0.0.1' })
      const base = `http://127.0.0.1:${(bounded.server.address() as { port: number }).port}`
      const who = [
        await loginAs(bounded, t.db, 'village_team', { scope: FIXTURE.villages[0]! }),
        await loginAs(bounded, t.db, 'township_officer', { scope: FIXTURE.townships[1]! }),
        await loginAs(bounded, t.db, 'department_viewer', { scope: FIXTURE.townships[0]! }),
      ]
      // The model: the combinations each caller has been given (the window outlasts the test).
      const given = who.map(() => new Set<string>())
      const [X0, Y0] = FIXTURE.origin
      const tiles = [...tilesCovering([X0, Y0, X0 + 0.04, Y0 + 0.04], 13), ...tilesCovering([X0, Y0, X0 + 0.04, Y0 + 0.04], 10)]
      const list = <T extends string>(values: readonly T[]) => fc.option(fc.oneof(fc.subarray([...values], { minLength: 1, maxLength: 2 }).map((v) => v.join(',')), junk), { freq: 2 })
      const request = fc.record({
        who: fc.constantFrom(0, 1, 2),
        layer: fc.constantFrom('households', 'base'),
        at: fc.constantFrom(...tiles),
        year: fc.option(fc.oneof(fc.integer({ min: 2014, max: 2020 }).map(String), junk), { freq: 2 }),
        status: list(HOUSEHOLD_STATUSES),
        cause: list(POVERTY_CAUSES.slice(0, 3)),
      })
      await fc.assert(
        fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 6 }), async (requests) => {
          for (const r of requests) {
            const q = new URLSearchParams()
            if (r.year !== null) q.set('year', r.year)
            if (r.status !== null) q.set('status', r.status)
            if (r.cause !== null) q.set('cause', r.cause)
            const url = `/tiles/${r.layer}/${r.at.z}/${r.at.x}/${r.at.y}.mvt?${q}`
            const res = await fetch(`${base}${url}`, { headers: { cookie: who[r.who]!.cookie } })
            const layers = r.layer === 'base' ? undefined : [LAYER_BY_ID.get(r.layer)!]
            let combination: string | undefined
            try {
              const normalised = JSON.stringify(normaliseFilter(layers ?? [...LAYER_BY_ID.values()].filter((l) => l.inBase), Object.fromEntries(q)))
              const defaults = JSON.stringify(normaliseFilter(layers ?? [...LAYER_BY_ID.values()].filter((l) => l.inBase), {}))
              combination = normalised === defaults ? undefined : normalised
            } catch {
              // A filter the whitelist refuses is a 400 before any bound or SQL.
              expect(res.status, url).toBe(400)
              continue
            }
            const mine = given[r.who]!
            const allowed = combination === undefined || mine.has(combination) || mine.size < MAX
            if (allowed) expect([200, 204], `${url} for caller ${r.who} holding ${mine.size}`).toContain(res.status)
            else expect(res.status, `${url} for caller ${r.who} holding ${mine.size}`).toBe(429)
            if (res.status === 429) {
              expect(((await res.json()) as { message: string }).message).toMatch(/filter combinations/)
              continue
            }
            if (combination !== undefined) mine.add(combination)
            if (res.status !== 200) continue
            for (const f of layerFeatures(decodeTile(Buffer.from(await res.arrayBuffer())), 'households', r.at)) {
              const where = String(f.properties!.village_code ?? f.properties!.code)
              expect(where.startsWith(who[r.who]!.user.scope), `${url} shows ${where}`).toBe(true)
            }
          }
        }),
        { seed: 14, numRuns: RUNS },
      )
      // The bound was reached, and held, for every caller.
      for (const set of given) expect(set.size).toBe(MAX)
    } finally {
      await bounded.close()
    }
  })

  it('household detail and export: random refs, ids and codes never open another area', async () => {
    const { rows } = await t.db.query<{ ref: string; id: number; village: string }>('SELECT ref::text AS ref, id, village_code AS village FROM household ORDER BY random() LIMIT 40')
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(0, 1),
        fc.oneof(fc.constantFrom(...rows), fc.uuid().map((ref) => ({ ref, id: 1, village: '' }))),
        fc.constantFrom('members', 'popup', 'numeric', 'reveal', 'export'),
        areaCode,
        async (who, h, what, code) => {
          const s = [team, township][who]!
          const res =
            what === 'members'
              ? await s.inject(`/api/households/${h.ref}/members`)
              : what === 'popup'
                ? await s.inject(`/api/households/${h.ref}`)
                : what === 'numeric'
                  ? await s.inject(`/api/households/${h.id}`)
                  : what === 'reveal'
                    ? await s.inject({ method: 'POST', url: `/api/households/${h.ref}/members/reveal`, payload: { reason: 'fuzz check' } })
                    : await s.inject(`/api/areas/${encodeURIComponent(code)}/households.csv`)
          expect(res.statusCode, `${what} ${h.ref}`).toBeLessThan(500)
          // Household URLs take the opaque ref only: a numeric id is refused before any lookup.
          if (what === 'numeric') expect(res.statusCode).toBe(400)
          if (res.statusCode !== 200) return
          if (what === 'export') {
            expect(areaRelation(s.user.scope, code)).toBe('inside')
            for (const line of res.body.replace(/^\uFEFF/, '').trim().split('\r\n').slice(1)) expect(line.split(',')[1]!.startsWith(s.user.scope)).toBe(true)
          } else {
            expect(h.village.startsWith(s.user.scope), `${what} of ${h.village} shown to ${s.user.scope}`).toBe(true)
          }
          if (what !== 'reveal') expect(holdsPersonalBesidesRefs(res.body)).toBe(false)
        },
      ),
      { seed: 1103, numRuns: RUNS * 2 },
    )
  })

  it('audit filters: any combination answers entries of the auditor’s area only', async () => {
    const iso = fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString())
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          user: fc.option(fc.oneof(fc.constantFrom(team.user.username, township.user.username), junk)),
          area: fc.option(areaCode),
          action: fc.option(fc.oneof(fc.constantFrom('login', 'household.members', 'access.denied'), junk)),
          outcome: fc.option(fc.oneof(fc.constantFrom('ok', 'denied', 'failed'), junk)),
          from: fc.option(fc.oneof(iso, junk)),
          to: fc.option(fc.oneof(iso, junk)),
          before: fc.option(fc.oneof(fc.integer({ min: -3, max: 10_000 }).map(String), junk)),
          limit: fc.option(fc.oneof(fc.integer({ min: -3, max: 300 }).map(String), junk)),
        }),
        async (filters) => {
          const q = new URLSearchParams(Object.entries(filters).filter(([, v]) => v !== null) as [string, string][])
          const res = await auditor.inject(`/api/audit?${q}`)
          expect(res.statusCode, String(q)).toBeLessThan(500)
          if (res.statusCode !== 200) return
          for (const e of res.json().items as { area: string | null }[]) expect(e.area?.startsWith(FIXTURE.county), `${q}: ${e.area}`).toBe(true)
        },
      ),
      { seed: 433124, numRuns: RUNS * 2 },
    )
  })
})
