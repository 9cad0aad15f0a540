import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { get as get_ } from 'node:http'
import { gunzipSync } from 'node:zlib'
import type { FastifyInstance } from 'fastify'
import { validateStyleMin } from '@maplibre/maplibre-gl-style-spec'
import { buildApp } from '../../../server/app.js'
import { openTestDb, serverUrl, type TestDb } from '../../helpers/test-db.js'
import { fixtureDataset, FIXTURE } from '../../helpers/fixture-dataset.js'
import { loadDataset } from '../../../geodata/load/load-dataset.js'
import { decodeTile, layerFeatures, lonLatToTile } from '../../helpers/tiles.js'
import { LAYERS, LAYER_BY_ID, BASE_LAYERS } from '../../../tiles/registry.js'
import { bandFor } from '../../../tiles/layer-def.js'
import type { Db, Queryable } from '../../../server/db/types.js'
import { loginAs, type TestSession } from '../../helpers/auth.js'
import { loadLayerStatements } from '../../../server/tiles/layer-sql.js'

/**
 * Counts the data statements the app sends, to prove bad requests are refused before any SQL. Since
 * issue 6 every request also loads its session (app_session) and each transaction starts by switching
 * to the request role (set_config): those are counted apart, in `auth`.
 */
function countingDb(db: Db) {
  let n = 0
  let auth = 0
  const log: string[] = []
  const isAuth = (sql: string) => /set_config\('role'|app_session/.test(sql)
  const count = (sql: string) => (isAuth(sql) ? auth++ : (n++, log.push(sql)))
  const wrap = (q: Queryable): Queryable => ({
    query: (sql, params) => (count(sql), q.query(sql, params)),
    exec: (sql) => (count(sql), q.exec(sql)),
    copyFrom: (t, c, r) => (n++, q.copyFrom(t, c, r)),
  })
  const counted: Db = {
    ...db,
    ...wrap(db),
    kind: db.kind,
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    // Tile statements run in views on a server: counted like any other statement (their set-up is
    // inside the database handle and not counted).
    queryInView: db.queryInView ? (view, sql, params, opts) => (count(sql), db.queryInView!(view, sql, params, opts)) : undefined,
    close: () => db.close(),
  }
  return { db: counted, count: () => n, authCount: () => auth, statementsSince: (from: number) => log.slice(from) }
}

/** The layer each tile statement renders (its band's SQL, either encoder), or the statement itself. */
const STATEMENT_LAYER = new Map([...loadLayerStatements().values()].flat().flatMap((st) => [[st.mvtSql, st.layer.id], [st.rowsSql, st.layer.id]]))
const layersRendered = (statements: string[]) => statements.map((sql) => STATEMENT_LAYER.get(sql) ?? sql).filter((l) => !/tile_layer_version/.test(l)).sort()

/** Listens on a free loopback port; throughFastify() counts the requests that reached Fastify's hooks. */
async function listenCounting(app: FastifyInstance) {
  let n = 0
  app.addHook('onRequest', async () => {
    n++
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  return { base: `http://127.0.0.1:${(app.server.address() as { port: number }).port}`, throughFastify: () => n }
}

const [X0, Y0] = FIXTURE.origin
const centre = lonLatToTile(X0 + FIXTURE.cell, Y0 + FIXTURE.cell, 14)

describe('vector tiles', () => {
  let t: TestDb
  let app: FastifyInstance
  let counter: ReturnType<typeof countingDb>
  // Tiles need a session (issue 6): these tests read as the province administrator (scope 43), who
  // sees every household; what other roles and areas see is tested in tests/server/auth/.
  let admin: TestSession
  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    await loadDataset(t.db, fixtureDataset(), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
    counter = countingDb(t.db)
    app = await buildApp({ dataDir: t.location, db: counter.db, serveClient: false, tiles: { tileService: { versionTtlMs: 0 } } })
    admin = await loginAs(app, t.db, 'province_admin')
  })
  afterAll(async () => {
    await app?.close()
    await t?.dispose()
  })

  const get = (url: string, headers: Record<string, string> = {}) => admin.inject({ url, headers })

  it('a z14 household tile holds exactly the households SQL finds in its (buffered) envelope, each inside the tile', async () => {
    const res = await get(`/tiles/households/${centre.z}/${centre.x}/${centre.y}.mvt`)
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('application/vnd.mapbox-vector-tile')
    const tile = decodeTile(res.rawPayload)
    expect(Object.keys(tile.layers)).toEqual(['households'])
    const { rows } = await t.db.query<{ n: number }>(
      `SELECT count(*) AS n FROM household h JOIN household_year y ON y.household_id = h.id AND y.year = 2020
       WHERE ST_Intersects(h.geom_3857, ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096))`,
      [centre.z, centre.x, centre.y],
    )
    const features = layerFeatures(tile, 'households', centre)
    expect(rows[0]!.n).toBeGreaterThan(50)
    expect(features).toHaveLength(rows[0]!.n)
    // Buffer: 64/4096 of a tile on each side.
    const n = 2 ** centre.z
    const span = 360 / n
    const west = (centre.x / n) * 360 - 180 - span / 64
    const east = west + span + (2 * span) / 64
    for (const f of features) {
      const [lon] = (f.geometry as GeoJSON.Point).coordinates as [number, number]
      expect(lon).toBeGreaterThanOrEqual(west)
      expect(lon).toBeLessThanOrEqual(east)
    }
    const ids = new Set(features.map((f) => f.id))
    const { rows: inDb } = await t.db.query<{ id: number }>('SELECT id FROM household WHERE id = ANY($1::bigint[])', [[...ids]])
    expect(inDb).toHaveLength(ids.size)
  })

  it('z12-13 tiles (year rows read per village) hold the households and attributes SQL finds, filters and row-level security included', async () => {
    const sqlPoints = async (z: number, x: number, y: number, where: string) => {
      const { rows } = await t.db.query<{ id: string; status: string; gaps: number; village: string }>(
        `SELECT h.id::text AS id, y.status, h.village_code AS village,
                assurance_gaps(y.food_clothing_ok, y.education_ok, y.medical_ok, y.housing_ok, y.water_ok) AS gaps
         FROM household h JOIN household_year y ON y.household_id = h.id AND y.year = 2016
         WHERE ST_Intersects(h.geom_3857, ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096)) ${where}`,
        [z, x, y],
      )
      return rows
    }
    const tilePoints = (res: { statusCode: number; rawPayload: Buffer }, at: { z: number; x: number; y: number }) =>
      res.statusCode === 204 ? [] : layerFeatures(decodeTile(res.rawPayload), 'households', at)
    const asMap = (items: { id: string; status: unknown; gaps: unknown }[]) => new Map(items.map((i) => [i.id, [i.status, i.gaps]]))
    for (const z of [12, 13]) {
      const at = lonLatToTile(X0 + FIXTURE.cell, Y0 + FIXTURE.cell, z)
      const filters = [
        ['', ''],
        ['&status=poor,returned&gap=water', "AND y.status IN ('poor', 'returned') AND NOT y.water_ok"],
      ] as const
      for (const [query, where] of filters) {
        const want = await sqlPoints(z, at.x, at.y, where)
        if (query === '') expect(want.length, `z${z}`).toBeGreaterThan(50)
        const got = tilePoints(await get(`/tiles/households/${z}/${at.x}/${at.y}.mvt?year=2016${query}`), at)
        expect(asMap(got.map((f) => ({ id: String(f.id), status: f.properties?.status, gaps: f.properties?.gaps }))), `z${z}${query}`).toEqual(asMap(want))
      }
      // A village team sees its village's households only, here as at z14.
      const team = await loginAs(app, t.db, 'village_team')
      const theirs = tilePoints(await team.inject(`/tiles/households/${z}/${at.x}/${at.y}.mvt?year=2016`), at)
      const wantTeam = await sqlPoints(z, at.x, at.y, `AND h.village_code = '${team.user.scope}'`)
      expect(wantTeam.length, `z${z} team`).toBeGreaterThan(0)
      expect(theirs.length).toBe(wantTeam.length)
      expect(theirs.every((f) => f.properties?.village_code === team.user.scope)).toBe(true)
    }
  })

  it('attributes and their types are exactly as declared, and personal fields never appear', async () => {
    for (const z of [6, 8, 10, 14]) {
      const at = lonLatToTile(X0 + FIXTURE.cell, Y0 + FIXTURE.cell, z)
      const res = await get(`/tiles/base/${at.z}/${at.x}/${at.y}.mvt`)
      expect(res.statusCode).toBe(200)
      const tile = decodeTile(res.rawPayload)
      for (const [name, layer] of Object.entries(tile.layers)) {
        const def = LAYER_BY_ID.get(name)!
        expect(def, name).toBeDefined()
        const band = bandFor(def, z)!
        for (let i = 0; i < layer.length; i++) {
          const props = layer.feature(i).properties
          for (const [k, v] of Object.entries(props)) {
            expect(band.fields, `${name} z${z} field ${k}`).toContain(k)
            const want = def.fields[k] === 'Number' ? 'number' : def.fields[k] === 'Boolean' ? 'boolean' : 'string'
            expect(typeof v, `${name}.${k}`).toBe(want)
          }
          expect(JSON.stringify(props)).not.toMatch(/龙某某|43312419800101001X|138\d{8}/)
        }
      }
      expect(Object.keys(tile.layers).every((l) => BASE_LAYERS.some((b) => b.id === l))).toBe(true)
    }
  })

  it('below z12 households are aggregates whose counts add up to the registry', async () => {
    const at = lonLatToTile(X0 + FIXTURE.cell, Y0 + FIXTURE.cell, 7)
    const tile = decodeTile((await get(`/tiles/households/${at.z}/${at.x}/${at.y}.mvt?year=2016&status=poor`)).rawPayload)
    const features = layerFeatures(tile, 'households', at)
    expect(features).toHaveLength(1)
    const { rows } = await t.db.query<{ n: number }>(
      "SELECT count(*) AS n FROM household h JOIN household_year y ON y.household_id = h.id WHERE y.year = 2016 AND y.status = 'poor' AND h.village_code LIKE '433124%'",
    )
    expect(features[0]!.properties).toMatchObject({ code: '433124', name: '花垣县', count: rows[0]!.n, poor: rows[0]!.n })
    expect(features[0]!.properties!.lifted).toBe(0)
  })

  it('aggregate-only roles get no aggregate of fewer than 3 households, however fine the filter; registry roles do', async () => {
    // A village, year and filter that leave one or two households.
    const { rows } = await t.db.query<{ code: string; status: string; cause: string; n: number; x: number; y: number }>(
      `SELECT a.area_code AS code, a.status, a.main_cause AS cause, sum(a.households)::int AS n,
              ST_X(ST_Transform(ar.label_3857, 4326)) AS x, ST_Y(ST_Transform(ar.label_3857, 4326)) AS y
       FROM household_agg a JOIN admin_area ar ON ar.code = a.area_code
       WHERE a.level = 'village' AND a.year = 2016 GROUP BY 1, 2, 3, ar.label_3857 HAVING sum(a.households) BETWEEN 1 AND 2 ORDER BY 1, 2, 3 LIMIT 1`,
    )
    const small = rows[0]!
    expect(small).toBeDefined()
    const at = lonLatToTile(small.x, small.y, 10)
    const url = `/tiles/households/${at.z}/${at.x}/${at.y}.mvt?year=2016&status=${small.status}&cause=${small.cause}`
    const villages = async (s: TestSession, u = url) => {
      const res = await s.inject(u)
      return res.statusCode === 204 ? [] : layerFeatures(decodeTile(res.rawPayload), 'households', at).map((f) => f.properties!)
    }
    // A registry role sees the village with its one or two households…
    for (const role of ['province_admin', 'county_officer'] as const) {
      const seen = await villages(role === 'province_admin' ? admin : await loginAs(app, t.db, role))
      expect(seen.find((p) => p.code === small.code), role).toMatchObject({ count: small.n })
    }
    // …an aggregate-only role of an area holding it does not, at any aggregate zoom; the larger ones it keeps.
    for (const role of ['leader', 'department_viewer'] as const) {
      const s = await loginAs(app, t.db, role)
      expect((await villages(s)).find((p) => p.code === small.code), role).toBeUndefined()
      for (const z of [6, 8, 10]) {
        const t2 = lonLatToTile(small.x, small.y, z)
        const res = await s.inject(`/tiles/households/${z}/${t2.x}/${t2.y}.mvt?year=2016&status=${small.status}&cause=${small.cause}`)
        const counts = res.statusCode === 204 ? [] : layerFeatures(decodeTile(res.rawPayload), 'households', t2).map((f) => f.properties!.count as number)
        expect(counts.every((n) => n >= 3), `${role} z${z}: ${counts}`).toBe(true)
      }
      const unfiltered = await villages(s, `/tiles/households/${at.z}/${at.x}/${at.y}.mvt?year=2016`)
      expect(unfiltered.length, role).toBeGreaterThan(0)
      expect(unfiltered.every((p) => (p.count as number) >= 3)).toBe(true)
    }
  })

  it('filters change what the tile holds and are part of the cache key', async () => {
    const base = `/tiles/households/${centre.z}/${centre.x}/${centre.y}.mvt`
    const all = layerFeatures(decodeTile((await get(`${base}?year=2015`)).rawPayload), 'households', centre)
    const illness = layerFeatures(decodeTile((await get(`${base}?year=2015&cause=illness`)).rawPayload), 'households', centre)
    const water = layerFeatures(decodeTile((await get(`${base}?year=2015&gap=water`)).rawPayload), 'households', centre)
    expect(illness.length).toBeGreaterThan(0)
    expect(illness.length).toBeLessThan(all.length)
    expect(illness.every((f) => f.properties!.main_cause === 'illness')).toBe(true)
    expect(water.every((f) => ((f.properties!.gaps as number) & 16) !== 0)).toBe(true)
    // Same filter in another order and with duplicates normalises to the same tile.
    const a = await get(`${base}?status=poor,lifted&year=2015`)
    const b = await get(`${base}?year=2015&status=lifted,poor,poor`)
    expect(a.headers.etag).toBe(b.headers.etag)
  })

  it('a base tile is cached per layer, each part by its own filters: a household filter renders the household layer alone', async () => {
    const at = lonLatToTile(X0 + FIXTURE.cell, Y0 + FIXTURE.cell, 10)
    const url = `/tiles/base/${at.z}/${at.x}/${at.y}.mvt?year=2019`
    const first = await get(url)
    expect(first.statusCode).toBe(200)
    const everyLayer = BASE_LAYERS.filter((l) => bandFor(l, at.z)).map((l) => l.id).sort()
    expect(Object.keys(decodeTile(first.rawPayload).layers).sort()).toEqual(everyLayer)

    // Only the household filter changes: only the household layer is rendered again.
    let from = counter.count()
    const poor = await get(`${url}&status=poor`)
    expect(poor.statusCode).toBe(200)
    expect(layersRendered(counter.statementsSince(from))).toEqual(['households'])
    const tile = decodeTile(poor.rawPayload)
    expect(Object.keys(tile.layers).sort()).toEqual(everyLayer)
    const households = layerFeatures(tile, 'households', at)
    expect(households.length).toBeGreaterThan(0)
    expect(households.every((f) => f.properties!.count === f.properties!.poor)).toBe(true)
    // The tile's ETag is its bytes': another body, another ETag, and 304 for the one the caller holds.
    expect(poor.headers.etag).not.toBe(first.headers.etag)
    expect((await get(`${url}&status=poor`, { 'if-none-match': String(poor.headers.etag) })).statusCode).toBe(304)
    expect((await get(url, { 'if-none-match': String(poor.headers.etag) })).statusCode).toBe(200)
    expect((await get(url, { 'if-none-match': String(first.headers.etag) })).statusCode).toBe(304)

    // The year is a filter of villages and households both: those two are rendered again, nothing else.
    from = counter.count()
    expect((await get(`/tiles/base/${at.z}/${at.x}/${at.y}.mvt?year=2018&status=poor`)).statusCode).toBe(200)
    expect(layersRendered(counter.statementsSince(from))).toEqual(['households', 'villages'])
    // A layer's own tile with the same filter is the part the base tile already rendered.
    from = counter.count()
    const alone = await get(`/tiles/households/${at.z}/${at.x}/${at.y}.mvt?year=2019&status=poor`)
    expect(alone.statusCode).toBe(200)
    expect(layersRendered(counter.statementsSince(from))).toEqual([])
    expect(layerFeatures(decodeTile(alone.rawPayload), 'households', at).map((f) => f.properties)).toEqual(households.map((f) => f.properties))
  })

  it('a caller may use a bounded number of filter combinations within a window; more answer 429, on either path', async () => {
    const bounded = await buildApp({
      dataDir: t.location,
      db: t.db,
      serveClient: false,
      auth: { sessionTrustMs: 60_000 },
      tiles: { tileService: { versionTtlMs: 60_000 }, filterSets: { max: 3, windowMs: 60_000 } },
    })
    try {
      const { base } = await listenCounting(bounded)
      const s = await loginAs(bounded, t.db, 'province_admin')
      // Same role and area as s (its tiles are cached for s too), and another view (rendered anew for s).
      const peer = await loginAs(bounded, t.db, 'province_admin')
      const other = await loginAs(bounded, t.db, 'county_officer')
      const get = (who: TestSession, q: string, layer = 'households') =>
        fetch(`${base}/tiles/${layer}/${centre.z}/${centre.x}/${centre.y}.mvt${q}`, { headers: { cookie: who.cookie } }).then((r) => r.status)
      const answered = [200, 204]
      for (const q of ['?year=2016&status=poor', '?year=2016&status=lifted', '?year=2015']) expect(answered, q).toContain(await get(s, q))
      // The same combinations spelled another way, or for the base set, are not new ones.
      expect(answered).toContain(await get(s, '?status=poor&year=2016'))
      expect(answered).toContain(await get(s, '?year=2016&status=lifted', 'base'))
      // A fourth combination is refused, with a message that says why and when to try again.
      const refused = await fetch(`${base}/tiles/households/${centre.z}/${centre.x}/${centre.y}.mvt?year=2016&status=returned`, { headers: { cookie: s.cookie } })
      expect(refused.status).toBe(429)
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
      expect(((await refused.json()) as { message: string }).message).toMatch(/filter combinations/)
      // The unfiltered tile and the combinations in use still answer; other callers have budgets of their own.
      expect(answered).toContain(await get(s, ''))
      expect(answered).toContain(await get(s, '?year=2016&status=poor'))
      expect(answered).toContain(await get(peer, '?year=2016&status=returned'))
      expect(answered).toContain(await get(other, '?year=2016&cause=illness'))
      // Those URLs are now ones the route has answered (so served before Fastify for trusted callers):
      // one cached for s's role and area, one not. Neither lets s past its bound.
      expect(await get(s, '?year=2016&status=returned')).toBe(429)
      expect(await get(s, '?year=2016&cause=illness')).toBe(429)
    } finally {
      await bounded.close()
    }
  })

  it('ETag / If-None-Match answers 304; every tile is private (tiles need a session), household tiles for less long', async () => {
    const url = `/tiles/roads/${centre.z}/${centre.x}/${centre.y}.mvt`
    const first = await get(url)
    expect(first.statusCode).toBe(200)
    expect(first.headers['cache-control']).toBe('private, max-age=300')
    expect(first.headers.vary).toMatch(/Cookie/)
    const again = await get(url, { 'if-none-match': String(first.headers.etag) })
    expect(again.statusCode).toBe(304)
    expect((await get(`/tiles/households/${centre.z}/${centre.x}/${centre.y}.mvt`)).headers['cache-control']).toBe('private, max-age=60')
  })

  it('a caller that accepts gzip gets the tile gzip-compressed, compressed once and cached with the tile, on either path', async () => {
    const fresh = await buildApp({ dataDir: t.location, db: t.db, serveClient: false, auth: { sessionTrustMs: 60_000 }, tiles: { tileService: { versionTtlMs: 60_000 } } })
    try {
      const { base, throughFastify } = await listenCounting(fresh)
      const s = await loginAs(fresh, t.db, 'province_admin')
      const url = `/tiles/base/${centre.z}/${centre.x}/${centre.y}.mvt?year=2019`
      const plain = await s.inject({ url, headers: { 'accept-encoding': 'identity' } })
      expect(plain.statusCode).toBe(200)
      expect(plain.headers['content-encoding']).toBeUndefined()
      const stored = fresh.tiles.cacheStats()
      const zipped = await s.inject({ url, headers: { 'accept-encoding': 'gzip, deflate, br' } })
      expect(zipped.statusCode).toBe(200)
      expect(zipped.headers).toMatchObject({ 'content-encoding': 'gzip', 'content-type': 'application/vnd.mapbox-vector-tile', vary: 'Accept-Encoding, Cookie' })
      expect(zipped.headers.etag).not.toBe(plain.headers.etag)
      expect(zipped.rawPayload.length).toBeLessThan(plain.rawPayload.length)
      expect(gunzipSync(zipped.rawPayload).equals(plain.rawPayload)).toBe(true)
      // The same cache entry, now holding the gzip bytes as well; compressed once however often asked.
      const after = fresh.tiles.cacheStats()
      expect(after.entries).toBe(stored.entries)
      expect(after.bytes).toBe(stored.bytes + zipped.rawPayload.length)
      expect(after.compressions).toBe(stored.compressions + 1)
      expect((await s.inject({ url, headers: { 'accept-encoding': 'gzip', 'if-none-match': String(zipped.headers.etag) } })).statusCode).toBe(304)
      expect((await s.inject({ url, headers: { 'accept-encoding': 'identity', 'if-none-match': String(zipped.headers.etag) } })).statusCode).toBe(200)

      // Over HTTP the URL is now served before Fastify: the same bytes and headers, nothing compressed again.
      const seen = throughFastify()
      const raw = await new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>((resolve, reject) =>
        get_(`${base}${url}`, { headers: { cookie: s.cookie, 'accept-encoding': 'gzip' } }, (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }))
        }).on('error', reject),
      )
      expect(throughFastify()).toBe(seen)
      expect(raw.status).toBe(200)
      expect(raw.headers).toMatchObject({ 'content-encoding': 'gzip', etag: zipped.headers.etag, 'content-length': String(zipped.rawPayload.length) })
      expect(raw.body.equals(zipped.rawPayload)).toBe(true)
      expect(fresh.tiles.cacheStats()).toEqual(after)
    } finally {
      await fresh.close()
    }
  })

  it('an update to a household invalidates household tiles and leaves other layers cached', async () => {
    const url = `/tiles/households/${centre.z}/${centre.x}/${centre.y}.mvt?year=2020`
    const before = await get(url)
    const roadsBefore = await get(`/tiles/roads/${centre.z}/${centre.x}/${centre.y}.mvt`)
    const { rows } = await t.db.query<{ id: number }>(
      'SELECT h.id FROM household h WHERE ST_Intersects(h.geom_3857, ST_TileEnvelope($1, $2, $3)) ORDER BY id LIMIT 1',
      [centre.z, centre.x, centre.y],
    )
    const hid = rows[0]!.id
    await t.db.query("UPDATE household_year SET status = 'returned' WHERE household_id = $1 AND year = 2020", [hid])
    const after = await get(url)
    expect(after.headers.etag).not.toBe(before.headers.etag)
    const f = layerFeatures(decodeTile(after.rawPayload), 'households', centre).find((x) => x.id === hid)
    expect(f!.properties!.status).toBe('returned')
    const versions = await app.tiles.layerVersions()
    const { rows: v } = await t.db.query<{ layer: string; version: number }>('SELECT layer, version FROM tile_layer_version')
    expect(Object.fromEntries(versions)).toEqual(Object.fromEntries(v.map((r) => [r.layer, r.version])))
    const queriesBefore = counter.count()
    const roadsAfter = await get(`/tiles/roads/${centre.z}/${centre.x}/${centre.y}.mvt`)
    expect(roadsAfter.headers.etag).toBe(roadsBefore.headers.etag)
    // Only the version lookup ran: the roads tile itself came from the cache.
    expect(counter.count() - queriesBefore).toBe(1)
    // The aggregate table followed the edit too.
    const { rows: agg } = await t.db.query<{ n: number }>(
      "SELECT sum(households) AS n FROM household_agg WHERE area_code = $1 AND year = 2020 AND status = 'returned'",
      [FIXTURE.county],
    )
    const { rows: raw } = await t.db.query<{ n: number }>(
      "SELECT count(*) AS n FROM household_year y JOIN household h ON h.id = y.household_id WHERE y.year = 2020 AND y.status = 'returned' AND h.village_code LIKE '433124%'",
    )
    expect(agg[0]!.n).toBe(raw[0]!.n)
  })

  it('bad requests answer 400 or 404 with a JSON message and send no SQL', async () => {
    const bad = [
      ['/tiles/nope/1/0/0.mvt', 404],
      ['/tiles/roads/23/0/0.mvt', 400],
      ['/tiles/roads/3/8/0.mvt', 400],
      ['/tiles/roads/3/0/8.mvt', 400],
      ['/tiles/roads/-1/0/0.mvt', 400],
      ['/tiles/roads/1.5/0/0.mvt', 400],
      ['/tiles/roads/1/0/0.png', 400],
      ['/tiles/roads/1/0/0.mvt?year=2020', 400],
      ['/tiles/households/1/0/0.mvt?year=1999', 400],
      ['/tiles/households/1/0/0.mvt?year=20x0', 400],
      ['/tiles/households/1/0/0.mvt?status=rich', 400],
      ["/tiles/households/1/0/0.mvt?cause=illness'%3B%20DROP%20TABLE%20household--", 400],
      ['/tiles/households/1/0/0.mvt?status=poor&status=lifted', 400],
      ['/tiles/households/1/0/0.mvt?name=x', 400],
    ] as const
    const before = counter.count()
    const authBefore = counter.authCount()
    for (const [url, status] of bad) {
      const res = await get(url)
      expect(res.statusCode, url).toBe(status)
      expect(res.json(), url).toEqual({ error: expect.any(String), message: expect.any(String) })
    }
    expect(counter.count()).toBe(before)
    // Not even a session lookup: the process trusts a session it read a moment ago (at most one
    // transaction, role switch + session read, if that moment has passed).
    expect(counter.authCount() - authBefore).toBeLessThanOrEqual(2)
  })

  it('a cached tile for a caller the process trusts costs no database statement; sign-out ends that at once', async () => {
    const c = countingDb(t.db)
    const fast = await buildApp({ dataDir: t.location, db: c.db, serveClient: false })
    try {
      const s = await loginAs(fast, t.db, 'province_admin')
      const url = `/tiles/households/14/${centre.x}/${centre.y}.mvt?year=2020`
      const first = await s.inject(url)
      expect(first.statusCode).toBe(200)
      const before = [c.count(), c.authCount()]
      const again = await s.inject(url)
      expect(again.statusCode).toBe(200)
      expect(again.rawPayload.equals(first.rawPayload)).toBe(true)
      expect(again.headers).toMatchObject({ etag: first.headers.etag, 'cache-control': first.headers['cache-control'], 'content-type': 'application/vnd.mapbox-vector-tile', 'x-content-type-options': 'nosniff' })
      expect([c.count(), c.authCount()]).toEqual(before)
      // Another caller with another view gets its own rendering, never this one's bytes by key.
      const team = await loginAs(fast, t.db, 'village_team')
      const theirs = await team.inject(url)
      expect(theirs.rawPayload.equals(first.rawPayload)).toBe(false)

      expect((await s.inject({ method: 'POST', url: '/api/auth/logout', payload: {} })).statusCode).toBeLessThan(300)
      expect((await s.inject(url)).statusCode).toBe(401)
    } finally {
      await fast.close()
    }
  })

  it('over HTTP, a cached tile is answered before Fastify for a trusted caller, with the same bytes and headers; anything else goes the full way', async () => {
    const c = countingDb(t.db)
    // Trust and layer versions held long enough that a slow machine cannot make this test take the full path.
    const fast = await buildApp({ dataDir: t.location, db: c.db, serveClient: false, auth: { sessionTrustMs: 60_000 }, tiles: { tileService: { versionTtlMs: 60_000 } } })
    try {
      const { base, throughFastify } = await listenCounting(fast)
      const s = await loginAs(fast, t.db, 'province_admin')
      const url = `/tiles/households/14/${centre.x}/${centre.y}.mvt?year=2020`
      const get = (u: string, headers: Record<string, string> = {}) => fetch(`${base}${u}`, { headers: { cookie: s.cookie, ...headers } })
      const first = await get(url)
      expect(first.status).toBe(200)
      const firstBytes = Buffer.from(await first.arrayBuffer())
      const seen = throughFastify()
      const sql = [c.count(), c.authCount()]

      const again = await get(url)
      expect(again.status).toBe(200)
      expect(Buffer.from(await again.arrayBuffer()).equals(firstBytes)).toBe(true)
      for (const h of ['etag', 'cache-control', 'vary', 'content-type', 'content-length', 'x-content-type-options', 'cross-origin-resource-policy']) {
        expect(again.headers.get(h), h).toBe(first.headers.get(h))
      }
      const notModified = await get(url, { 'if-none-match': first.headers.get('etag')! })
      expect(notModified.status).toBe(304)
      expect(throughFastify()).toBe(seen)
      expect([c.count(), c.authCount()]).toEqual(sql)

      // A URL spelled differently: the full path, every check.
      expect((await get(`/tiles/households/14/${centre.x}/${centre.y}.mvt?year=2020&status=poor,lifted,returned`)).status).toBe(200)
      expect(throughFastify()).toBe(seen + 1)
      // Another caller, once trusted, asking for a URL answered before: not cached for their role and
      // area, so rendered early, in their own view (one statement), without Fastify.
      const team = await loginAs(fast, t.db, 'village_team')
      await fetch(`${base}/tiles/households/14/0/0.mvt`, { headers: { cookie: team.cookie } }) // trusted from here
      const [viaFastify, statements] = [throughFastify(), c.count()]
      const theirs = await fetch(`${base}${url}`, { headers: { cookie: team.cookie } })
      expect(theirs.status).toBe(200)
      expect(throughFastify()).toBe(viaFastify)
      expect(c.count()).toBe(statements + 1)
      const theirBytes = Buffer.from(await theirs.arrayBuffer())
      expect(theirBytes.equals(firstBytes)).toBe(false)
      const villages = layerFeatures(decodeTile(theirBytes), 'households', centre).map((f) => String(f.properties?.village_code))
      expect(villages.length).toBeGreaterThan(0)
      expect(villages.every((v) => v.startsWith(team.user.scope))).toBe(true)
      // A forged cookie: the full path, 401.
      const forged = s.cookie.replace(/povmap_sid=(.)/, (_m, ch: string) => `povmap_sid=${ch === 'a' ? 'b' : 'a'}`)
      expect(forged).not.toBe(s.cookie)
      expect((await fetch(`${base}${url}`, { headers: { cookie: forged } })).status).toBe(401)

      // Sign-out: the very next request for the cached tile is refused.
      expect((await s.inject({ method: 'POST', url: '/api/auth/logout', payload: {} })).statusCode).toBeLessThan(300)
      const before = throughFastify()
      expect((await get(url)).status).toBe(401)
      expect(throughFastify()).toBe(before + 1)
    } finally {
      await fast.close()
    }
  })

  it('an uncached tile rendered before Fastify counts against the caller’s tile rate limit; over it, or when shedding, the full path answers', async () => {
    const limited = await buildApp({
      dataDir: t.location,
      db: t.db,
      serveClient: false,
      auth: { sessionTrustMs: 60_000 },
      hardening: { rateLimit: { tilesPerMinute: 4 } },
      tiles: { tileService: { cacheBytes: 1, versionTtlMs: 60_000 } },
    })
    try {
      const { base, throughFastify } = await listenCounting(limited)
      const s = await loginAs(limited, t.db, 'province_admin')
      const url = `/tiles/households/14/${centre.x}/${centre.y}.mvt?year=2020`
      const get = () => fetch(`${base}${url}`, { headers: { cookie: s.cookie } })
      const afterLogin = throughFastify()
      const statuses: number[] = []
      for (let i = 0; i < 4; i++) statuses.push((await get()).status)
      // The first through Fastify (which remembers the URL), the next three rendered early (a 1-byte
      // cache keeps nothing), each counted: the fifth is over the limit of 4 and goes to the full path.
      expect(statuses).toEqual([200, 200, 200, 200])
      expect(throughFastify()).toBe(afterLogin + 1)
      const viaFastify = throughFastify()
      const fifth = await get()
      expect(fifth.status).toBe(429)
      expect(((await fifth.json()) as { error: string }).error).toBe('Too Many Requests')
      expect(throughFastify()).toBe(viaFastify + 1)
    } finally {
      await limited.close()
    }
    // Shedding: admission is refused while the process is under pressure, granted otherwise.
    const shedding = await buildApp({ dataDir: t.location, db: t.db, serveClient: false, hardening: { underPressure: { maxHeapUsedBytes: 1, sampleIntervalMs: 5 } } })
    try {
      await shedding.ready()
      await new Promise((r) => setTimeout(r, 50))
      expect(await shedding.admitEarly('/tiles/households/14/0/0.mvt', { userId: 1 })).toBe(false)
      expect(await app.admitEarly('/tiles/households/14/0/0.mvt', { userId: 1 })).toBe(true)
    } finally {
      await shedding.close()
    }
  })

  it('an empty tile answers 204', async () => {
    const res = await get('/tiles/households/14/0/0.mvt')
    expect(res.statusCode).toBe(204)
    expect(res.rawPayload.length).toBe(0)
  })

  it('TileJSON lists the declared layers and fields; the style validates and uses only our sources', async () => {
    const tj = (await get('/tiles/base.json')).json()
    expect(tj.tilejson).toBe('3.0.0')
    expect(tj.vector_layers.map((l: { id: string }) => l.id)).toEqual(BASE_LAYERS.map((l) => l.id))
    expect(tj.tiles[0]).toMatch(/\/tiles\/base\/\{z\}\/\{x\}\/\{y\}\.mvt$/)
    for (const l of LAYERS) {
      const one = await get(`/tiles/${l.id}.json`)
      expect(one.json().vector_layers[0].fields).toEqual(l.fields)
    }
    expect((await get('/tiles/nope.json')).statusCode).toBe(404)
    const style = (await get('/styles/povmap.json', { host: 'localhost:8080' })).json()
    expect(validateStyleMin(style)).toEqual([])
    const urls = JSON.stringify(style.sources).match(/https?:\/\/[^/"]+/g) ?? []
    expect(new Set(urls)).toEqual(new Set(['http://localhost:8080']))
    expect(style.glyphs).toBeUndefined()
    const drawn = new Set(style.layers.map((l: { 'source-layer'?: string }) => l['source-layer']).filter(Boolean))
    expect([...drawn].sort()).toEqual(LAYERS.map((l) => l.id).sort())
  })

  it.runIf(serverUrl)('ST_AsMVT (server) and the JS encoder (embedded path) give the same features', async () => {
    const sqlApp = await buildApp({ dataDir: t.location, db: t.db, serveClient: false, tiles: { tileService: { encoder: 'sql' } } })
    const jsApp = await buildApp({ dataDir: t.location, db: t.db, serveClient: false, tiles: { tileService: { encoder: 'js' } } })
    const onSql = await loginAs(sqlApp, t.db, 'province_admin')
    const onJs = await loginAs(jsApp, t.db, 'province_admin')
    try {
      for (const z of [7, 10, 12, 14]) {
        const at = lonLatToTile(X0 + FIXTURE.cell, Y0 + FIXTURE.cell, z)
        const url = `/tiles/base/${at.z}/${at.x}/${at.y}.mvt`
        const a = decodeTile((await onSql.inject(url)).rawPayload)
        const b = decodeTile((await onJs.inject(url)).rawPayload)
        expect(Object.keys(b.layers).sort(), `z${z}`).toEqual(Object.keys(a.layers).sort())
        for (const name of Object.keys(a.layers)) {
          const fa = layerFeatures(a, name, at).map((f) => ({ id: f.id, p: f.properties, t: f.geometry.type }))
          const fb = layerFeatures(b, name, at).map((f) => ({ id: f.id, p: f.properties, t: f.geometry.type }))
          const key = (f: { id: unknown; p: unknown }) => JSON.stringify([f.id, f.p])
          expect(fb.map(key).sort(), `${name} z${z}`).toEqual(fa.map(key).sort())
        }
      }
    } finally {
      await sqlApp.close()
      await jsApp.close()
    }
  })
})
