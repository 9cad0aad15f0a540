import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { PNG } from 'pngjs'
import { buildApp } from '../../../server/app.js'
import { openTestDb, TMP_ROOT, type TestDb } from '../../helpers/test-db.js'
import { fixtureDataset, FIXTURE } from '../../helpers/fixture-dataset.js'
import { loadDataset } from '../../../geodata/load/load-dataset.js'
import sharp from 'sharp'
import { createTestUser, login, loginAs, sessionCaller, type TestSession } from '../../helpers/auth.js'
import { jpegClaiming, phoneJpeg, phonePng, pngClaiming, PHOTO_SECRETS, plainJpeg, TRAILER_SECRET } from '../../helpers/photos.js'
import { slowBody } from '../../helpers/slow-body.js'
import { loggerOptions } from '../../../server/infra/logging.js'
import { MAX_PHOTO_BYTES } from '../../../server/photos/routes.js'
import { withCaller, type DbCaller } from '../../../server/db/caller-transactions.js'
import type { Role } from '../../../domain/roles.js'

const [V0, V1] = [FIXTURE.villages[0]!, FIXTURE.villages[1]!]

describe('photo routes', () => {
  let t: TestDb
  let app: FastifyInstance
  let dataDir: string
  const s = {} as Record<'team0' | 'team1' | 'admin' | 'prefecture' | 'county' | 'township' | 'leader' | 'viewer' | 'auditor', TestSession>
  let householdRef: string
  let otherHouseholdRef: string
  const photos = {} as Record<'household' | 'village' | 'project' | 'png', string>
  const logLines: string[] = []
  let port: number

  const upload = (who: TestSession, query: string, body: Buffer, type = 'image/jpeg', headers: Record<string, string> = {}) =>
    who.inject({ method: 'POST', url: `/api/photos?${query}`, headers: { 'content-type': type, ...headers }, payload: body })
  const photoFiles = () => readdirSync(join(dataDir, 'photos')).sort()
  const audits = async (action: string, target: string) =>
    (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log WHERE action = $1 AND target = $2', [action, target])).rows[0]!.n

  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    await loadDataset(t.db, fixtureDataset({ householdsPerVillage: 10 }), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
    mkdirSync(TMP_ROOT, { recursive: true })
    dataDir = mkdtempSync(join(TMP_ROOT, 'photos-'))
    app = await buildApp({ dataDir, db: t.db, serveClient: false, auth: { loginPerMinute: 500 }, logger: loggerOptions('info', { write: (l) => logLines.push(l) }) })
    await app.listen({ port: 0, host: '127.0.0.1' })
    port = (app.server.address() as { port: number }).port
    const as = (role: Role, scope?: string) => loginAs(app, t.db, role, scope ? { scope } : {})
    Object.assign(s, {
      team0: await as('village_team', V0),
      team1: await as('village_team', V1),
      admin: await as('province_admin'),
      prefecture: await as('prefecture_officer'),
      county: await as('county_officer'),
      township: await as('township_officer', FIXTURE.townships[0]),
      leader: await as('leader', '4331'),
      viewer: await as('department_viewer', FIXTURE.county),
      auditor: await as('auditor'),
    })
    const refOf = async (village: string) => (await t.db.query<{ ref: string }>('SELECT ref::text AS ref FROM household WHERE village_code = $1 ORDER BY id LIMIT 1', [village])).rows[0]!.ref
    householdRef = await refOf(V0)
    // A county-wide project (no village): the county's teams see it, none may file photos under it.
    await t.db.query(
      `INSERT INTO project (id, type, name, stage, year, budget_yuan, spent_yuan, county_code, village_code, geom)
       VALUES (3, 'road', '县道改造', 'construction', 2019, 1e6, 2e5, $1, NULL, ST_SetSRID(ST_MakePoint(109.52, 28.32), 4326))`,
      [FIXTURE.county],
    )
    otherHouseholdRef = await refOf(V1)
  })
  afterAll(async () => {
    await app?.close()
    await t?.dispose()
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  })

  /** What sharp reads of stored bytes: the picture and whatever metadata is left. */
  const storedMeta = (bytes: Buffer) => sharp(bytes).metadata()
  const expectNoMetadata = async (stored: Buffer, what: string) => {
    for (const secret of [...PHOTO_SECRETS, TRAILER_SECRET, 'Exif\0\0', 'MPF\0', 'caBX', 'eXIf', 'tEXt']) expect(stored.includes(Buffer.from(secret)), `${what}: ${secret}`).toBe(false)
    const m = await storedMeta(stored)
    expect({ exif: m.exif, xmp: m.xmp, iptc: m.iptc, icc: m.icc, comments: m.comments }, what).toEqual({ exif: undefined, xmp: undefined, iptc: undefined, icc: undefined, comments: undefined })
  }

  it('a work team uploads photos of its village, a household and a project: re-encoded without metadata, files named by ref, mode 0600, audited', async () => {
    const caption = '门前 13812345678 家'
    const res = await upload(s.team0, `household=${householdRef}&lon=109.5012&lat=28.3011`, await phoneJpeg({ seed: 1 }), 'image/jpeg', { 'x-photo-caption': encodeURIComponent(caption) })
    expect(res.statusCode, res.body).toBe(201)
    const body = res.json()
    photos.household = body.ref
    const file = join(dataDir, 'photos', `${body.ref}.jpg`)
    const stored = readFileSync(file)
    expect(body).toMatchObject({
      subject: 'household', areaCode: V0, household: householdRef, project: null, mediaType: 'image/jpeg', bytes: stored.length,
      caption: '门前 138****5678 家', at: [109.5012, 28.3011], url: `/api/photos/${body.ref}`,
    })
    expect(await storedMeta(stored)).toMatchObject({ format: 'jpeg', width: 16, height: 8 })
    await expectNoMetadata(stored, 'jpeg')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(statSync(join(dataDir, 'photos')).mode & 0o777).toBe(0o700)
    const { rows } = await t.db.query<{ sha256: string; uploaded_by_username: string }>('SELECT sha256, uploaded_by_username FROM photo WHERE ref = $1', [body.ref])
    expect(rows).toEqual([{ sha256: createHash('sha256').update(stored).digest('hex'), uploaded_by_username: s.team0.user.username }])
    expect(await audits('photo.upload', body.ref)).toBe(1)

    photos.village = (await upload(s.team0, `area=${V0}`, await phoneJpeg({ seed: 2 }))).json().ref
    photos.project = (await upload(s.team0, 'project=1', await phoneJpeg({ seed: 3 }))).json().ref
    const png = await upload(s.team0, `area=${V0}`, phonePng(), 'image/png')
    expect(png.statusCode, png.body).toBe(201)
    photos.png = png.json().ref
    const pngStored = readFileSync(join(dataDir, 'photos', `${photos.png}.png`))
    expect(PNG.sync.read(pngStored)).toMatchObject({ width: 4, height: 4 })
    await expectNoMetadata(pngStored, 'png')
    expect(photoFiles()).toEqual([photos.household, photos.village, photos.project].map((r) => `${r}.jpg`).concat(`${photos.png}.png`).sort())
  })

  it('uploads are refused outside the team’s village, for other roles, for bodies that are not the image they claim, and above 40 megapixels; nothing is left on disk', async () => {
    const before = photoFiles()
    const jpeg = await phoneJpeg()
    const cases: [TestSession, string, Buffer, string, number][] = [
      [s.team0, `household=${otherHouseholdRef}`, jpeg, 'image/jpeg', 404],
      [s.team0, `area=${V1}`, jpeg, 'image/jpeg', 404],
      [s.team0, `area=${FIXTURE.townships[0]}`, jpeg, 'image/jpeg', 400],
      [s.team1, 'project=1', jpeg, 'image/jpeg', 404],
      [s.team0, 'project=999', jpeg, 'image/jpeg', 404],
      [s.team0, 'project=3', jpeg, 'image/jpeg', 403],
      [s.county, `area=${V0}`, jpeg, 'image/jpeg', 403],
      [s.admin, `area=${V0}`, jpeg, 'image/jpeg', 403],
      [s.leader, `area=${V0}`, jpeg, 'image/jpeg', 403],
      [s.team0, '', jpeg, 'image/jpeg', 400],
      [s.team0, `area=${V0}&project=1`, jpeg, 'image/jpeg', 400],
      [s.team0, `area=${V0}&lon=109.5`, jpeg, 'image/jpeg', 400],
      [s.team0, `area=${V0}&path=../../etc`, jpeg, 'image/jpeg', 400],
      // The caption travels in x-photo-caption; in the URL it would reach the request log.
      [s.team0, `area=${V0}&caption=note`, jpeg, 'image/jpeg', 400],
      [s.team0, `area=${V0}`, jpeg, 'image/png', 415],
      [s.team0, `area=${V0}`, Buffer.from('{"a":1}'), 'application/json', 415],
      [s.team0, `area=${V0}`, Buffer.from('GIF89a....'), 'image/gif', 415],
      [s.team0, `area=${V0}`, Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff]), Buffer.alloc(20)]), 'image/jpeg', 400],
      // A JPEG container whose scan is not image data.
      [s.team0, `area=${V0}`, Buffer.concat([jpeg.subarray(0, jpeg.length - 80), Buffer.alloc(78, 0x55), Buffer.from([0xff, 0xd9])]), 'image/jpeg', 400],
      [s.team0, `area=${V0}`, Buffer.alloc(MAX_PHOTO_BYTES + 1, 0xff), 'image/jpeg', 413],
      // Small files that claim 48 and 50 megapixels: refused from the header, before anything is decoded.
      [s.team0, `area=${V0}`, await jpegClaiming(8000, 6000), 'image/jpeg', 413],
      [s.team0, `area=${V0}`, pngClaiming(10000, 5000), 'image/png', 413],
    ]
    for (const [who, query, body, type, status] of cases) {
      const res = await upload(who, query, body, type)
      expect(res.statusCode, `${who.user.role} ${query} ${type}: ${res.body.slice(0, 200)}`).toBe(status)
      expect(res.json()).toEqual({ error: expect.any(String), message: expect.any(String) })
      if (status === 413 && body.length < MAX_PHOTO_BYTES) expect(res.json().message, query).toMatch(/megapixels/)
    }
    // Without the CSRF token: refused like every state change.
    const noCsrf = await app.inject({ method: 'POST', url: `/api/photos?area=${V0}`, headers: { cookie: s.team0.cookie, 'content-type': 'image/jpeg' }, payload: jpeg })
    expect(noCsrf.statusCode).toBe(403)
    expect(photoFiles()).toEqual(before)
    const { rows } = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE action = 'access.denied' AND actor_username = $1 AND target = $2", [s.team0.user.username, otherHouseholdRef])
    expect(rows[0]!.n).toBe(1)
  })

  it('lists: household photos for the registry roles of the area only; leaders and departments see village and project photos', async () => {
    const list = async (who: TestSession, area: string) => {
      const res = await who.inject(`/api/photos?area=${area}`)
      expect(res.statusCode, `${who.user.role}: ${res.body.slice(0, 200)}`).toBe(200)
      return (res.json() as { ref: string; subject: string; at: number[] | null }[]).map((p) => p.ref).sort()
    }
    const all = Object.values(photos).sort()
    const nonHousehold = [photos.village, photos.project, photos.png].sort()
    for (const who of [s.admin, s.prefecture, s.county, s.township, s.team0]) expect(await list(who, who.user.scope), who.user.role).toEqual(all)
    expect(await list(s.leader, '4331')).toEqual(nonHousehold)
    expect(await list(s.viewer, FIXTURE.county)).toEqual(nonHousehold)
    expect(await list(s.team1, V1)).toEqual([])
    expect(await list(s.admin, V1)).toEqual([])
    const households = (await s.county.inject(`/api/photos?area=${FIXTURE.county}&subject=household`)).json()
    expect(households).toEqual([expect.objectContaining({ ref: photos.household, household: householdRef, at: [109.5012, 28.3011] })])
    expect((await s.team1.inject(`/api/photos?area=${V0}`)).statusCode).toBe(404)
    expect((await s.township.inject(`/api/photos?area=${FIXTURE.county}`)).statusCode).toBe(403)
    expect((await s.auditor.inject('/api/photos?area=43')).statusCode).toBe(403)
  })

  it('bytes: in scope only; every household-photo read is audited; other readers get 404 (audited)', async () => {
    const get = (who: TestSession, ref: string) => who.inject(`/api/photos/${ref}`)
    const before = await audits('photo.view', photos.household)
    for (const who of [s.admin, s.prefecture, s.county, s.township, s.team0]) {
      const res = await get(who, photos.household)
      expect(res.statusCode, who.user.role).toBe(200)
      expect(res.headers['content-type']).toBe('image/jpeg')
      expect(res.headers['cache-control']).toBe('private, no-store')
      expect(res.rawPayload.equals(readFileSync(join(dataDir, 'photos', `${photos.household}.jpg`)))).toBe(true)
    }
    expect(await audits('photo.view', photos.household)).toBe(before + 5)
    const { rows } = await t.db.query<{ area_code: string; actor_username: string }>("SELECT area_code, actor_username FROM audit_log WHERE action = 'photo.view' AND target = $1 ORDER BY id DESC LIMIT 1", [photos.household])
    expect(rows).toEqual([{ area_code: V0, actor_username: s.team0.user.username }])
    for (const who of [s.leader, s.viewer, s.team1]) {
      const res = await get(who, photos.household)
      expect(res.statusCode, who.user.role).toBe(404)
      expect(res.json()).toEqual({ error: 'Not Found', message: expect.any(String) })
      const { rows: denied } = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE action = 'access.denied' AND actor_username = $1 AND target = $2", [who.user.username, photos.household])
      expect(denied[0]!.n, who.user.role).toBe(1)
    }
    expect(await audits('photo.view', photos.household)).toBe(before + 5)
    // Village and project photos: every data role of the area; not a personal read, not audited as one.
    for (const who of [s.leader, s.viewer, s.team0]) expect((await get(who, photos.village)).statusCode, who.user.role).toBe(200)
    expect((await get(s.team1, photos.village)).statusCode).toBe(404)
    expect(await audits('photo.view', photos.village)).toBe(0)
    expect((await get(s.auditor, photos.village)).statusCode).toBe(403)
    for (const bad of ['not-a-ref', '..%2F..%2Fsecret.key', `${photos.village}.jpg`]) expect((await get(s.admin, bad)).statusCode, bad).toBe(400)
    expect((await get(s.admin, '00000000-0000-4000-8000-000000000000')).statusCode).toBe(404)
  })

  it('row-level security: only a work team inserts, for its own village, as itself, a subject that is in that village', async () => {
    const { rows } = await t.db.query<{ id: number }>('SELECT id FROM household WHERE ref = $1', [householdRef])
    const hid = rows[0]!.id
    const insert = (c: DbCaller, o: { area?: string; household?: number | null; by?: number | null } = {}) =>
      withCaller(t.db, c, (tx) =>
        tx.query(
          `INSERT INTO photo (ref, subject, area_code, household_id, media_type, bytes, sha256, uploaded_by)
           VALUES (gen_random_uuid(), $1, $2, $3, 'image/jpeg', 10, repeat('0', 64), $4)`,
          [o.household ? 'household' : 'village', o.area ?? V0, o.household ?? null, o.by === undefined ? c.userId : o.by],
        ),
      )
    const team: DbCaller = { ...(await sessionCaller(t.db, 'village_team', V0)) }
    await expect(insert(team)).resolves.toBeDefined()
    await expect(insert(team, { household: hid })).resolves.toBeDefined()
    const refused: [DbCaller, Parameters<typeof insert>[1]][] = [
      [await sessionCaller(t.db, 'county_officer', FIXTURE.county), {}],
      [await sessionCaller(t.db, 'province_admin', '43'), {}],
      [team, { area: V1 }],
      [team, { by: s.team1.user.id }],
      [await sessionCaller(t.db, 'village_team', V1), { area: V1, household: hid }],
      [team, { area: FIXTURE.villages[2] }],
    ]
    for (const [c, o] of refused) await expect(insert(c, o), `${c.role} ${JSON.stringify(o)}`).rejects.toThrow(/row-level security|violates/)
    for (const sql of ['UPDATE photo SET caption = NULL', 'DELETE FROM photo']) {
      await expect(withCaller(t.db, team, (tx) => tx.query(sql)), sql).rejects.toThrow(/permission denied/)
    }
  })

  it('uploads: a trailer after the JPEG’s end of image (multi-picture, maker) and unknown PNG chunks (C2PA) do not survive; the Exif orientation is applied', async () => {
    const jpeg = await phoneJpeg({ seed: 4, trailer: true, orientation: 6 })
    expect(jpeg.includes(Buffer.from(TRAILER_SECRET))).toBe(true)
    const res = await upload(s.team0, `area=${V0}`, jpeg)
    expect(res.statusCode, res.body).toBe(201)
    const stored = readFileSync(join(dataDir, 'photos', `${res.json().ref}.jpg`))
    await expectNoMetadata(stored, 'jpeg with a trailer')
    // 16×8 taken with the phone turned (orientation 6): stored upright, 8×16, with no orientation tag left to apply.
    const upright = await storedMeta(stored)
    expect(upright).toMatchObject({ format: 'jpeg', width: 8, height: 16 })
    expect(upright.orientation).toBeUndefined()

    const png = phonePng({ c2pa: true })
    expect(png.includes(Buffer.from(TRAILER_SECRET))).toBe(true)
    const pres = await upload(s.team0, `area=${V0}`, png, 'image/png')
    expect(pres.statusCode, pres.body).toBe(201)
    const pngStored = readFileSync(join(dataDir, 'photos', `${pres.json().ref}.png`))
    await expectNoMetadata(pngStored, 'png with caBX')
    expect(PNG.sync.read(pngStored)).toMatchObject({ width: 4, height: 4 })
    // The bytes served are the bytes stored.
    expect((await s.team0.inject(`/api/photos/${pres.json().ref}`)).rawPayload.equals(pngStored)).toBe(true)
  })

  it('uploads: the caption travels URI-encoded in x-photo-caption; it is stored (masked) and reaches no log line', async () => {
    const caption = '村口的新桥 龙某 13912345678'
    const res = await upload(s.team0, `area=${V0}`, await plainJpeg(), 'image/jpeg', { 'x-photo-caption': encodeURIComponent(caption) })
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json().caption).toBe('村口的新桥 龙某 139****5678')
    expect((await t.db.query<{ caption: string }>('SELECT caption FROM photo WHERE ref = $1', [res.json().ref])).rows[0]!.caption).toBe('村口的新桥 龙某 139****5678')
    const logged = logLines.join('\n')
    expect(logLines.some((l) => JSON.parse(l).req?.url === `/api/photos?area=${V0}`), 'the upload is logged').toBe(true)
    for (const text of ['村口的新桥', encodeURIComponent('村口的新桥'), '139****5678']) expect(logged.includes(text), text).toBe(false)
    // Not URI-encoded UTF-8, or too long: 400, nothing stored.
    const before = photoFiles()
    for (const bad of ['%E6%9D', encodeURIComponent('桥'.repeat(201))]) {
      const r = await upload(s.team0, `area=${V0}`, await plainJpeg(), 'image/jpeg', { 'x-photo-caption': bad })
      expect(r.statusCode, bad.slice(0, 20)).toBe(400)
      expect(r.json().message).toMatch(/x-photo-caption/)
    }
    expect(photoFiles()).toEqual(before)
  })

  it('uploads: where a household photo was taken reaches no log line', async () => {
    const res = await upload(s.team0, `household=${householdRef}&lon=109.512345&lat=28.312345`, await plainJpeg(), 'image/jpeg')
    expect(res.statusCode, res.body).toBe(201)
    const line = logLines.map((l) => JSON.parse(l) as { req?: { url?: string } }).find((l) => l.req?.url?.startsWith(`/api/photos?household=${householdRef}`))
    expect(line?.req?.url).toBe(`/api/photos?household=${householdRef}&lon=[redacted]&lat=[redacted]`)
    expect(logLines.join('\n')).not.toMatch(/109\.512345|28\.312345/)
  })

  it('uploads: a caller who may not upload is answered before the body is read (anonymous 401; no second factor or another role 403, audited)', async () => {
    const slowPhoto = (headers: Record<string, string>) =>
      slowBody(port, { path: `/api/photos?area=${V0}`, declared: 8_000_000, first: Buffer.from([0xff, 0xd8, 0xff]), headers: { 'content-type': 'image/jpeg', ...headers } })
    const anonymous = await slowPhoto({})
    expect(anonymous.status, anonymous.body).toBe(401)
    // At ≈3 MB/s the whole body takes 2.5 s; the answer comes before half of it is sent.
    expect(anonymous.sentAtAnswer).toBeLessThan(anonymous.declared / 2)
    // JSON bodies (1 MiB allowed) too.
    const json = await slowBody(port, { path: '/api/users', declared: 1_000_000, chunk: 16 * 1024, first: Buffer.from('{"username":"'), headers: { 'content-type': 'application/json' } })
    expect(json.status, json.body).toBe(401)
    expect(json.sentAtAnswer).toBeLessThan(json.declared / 2)

    const county = await slowPhoto(s.county.headers)
    expect(county.status, county.body).toBe(403)
    expect(JSON.parse(county.body)).toEqual({ error: 'Forbidden', message: 'the role county_officer may not use this' })
    expect(county.sentAtAnswer).toBeLessThan(county.declared / 2)
    const { rows } = await t.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM audit_log WHERE action = 'access.denied' AND actor_username = $1 AND target = 'POST /api/photos' AND detail->>'reason' = 'role'",
      [s.county.user.username],
    )
    expect(rows[0]!.n).toBeGreaterThanOrEqual(1)

    const enrolling = await login(app, await createTestUser(t.db, 'village_team', { scope: V0, totp: false }))
    expect(enrolling.login.json().user.factor).toBe('enrol')
    const noFactor = await slowPhoto(enrolling.headers)
    expect(noFactor.status, noFactor.body).toBe(403)
    expect(JSON.parse(noFactor.body).message).toMatch(/second factor/)
    expect(noFactor.sentAtAnswer).toBeLessThan(noFactor.declared / 2)
  })

  it('uploads: a per-user quota of photos and bytes per hour, refused with 429 before the body is read', async () => {
    const quotaDir = mkdtempSync(join(TMP_ROOT, 'photos-quota-'))
    const quotaApp = await buildApp({ dataDir: quotaDir, db: t.db, serveClient: false, auth: { loginPerMinute: 500 }, photos: { quota: { uploadsPerHour: 2, bytesPerHour: 3_000_000 } } })
    try {
      await quotaApp.listen({ port: 0, host: '127.0.0.1' })
      const quotaPort = (quotaApp.server.address() as { port: number }).port
      const [a, b] = [await loginAs(quotaApp, t.db, 'village_team', { scope: V0 }), await loginAs(quotaApp, t.db, 'village_team', { scope: V0 })]
      const sendNow = async (who: TestSession, seed: number) =>
        who.inject({ method: 'POST', url: `/api/photos?area=${V0}`, headers: { 'content-type': 'image/jpeg' }, payload: await plainJpeg(16, 8, seed) })
      expect((await sendNow(a, 1)).statusCode).toBe(201)
      // 4 MB more would pass 3 MB this hour: refused before the body is read.
      const big = await slowBody(quotaPort, { path: `/api/photos?area=${V0}`, declared: 4_000_000, first: Buffer.from([0xff, 0xd8, 0xff]), headers: { 'content-type': 'image/jpeg', ...a.headers } })
      expect(big.status, big.body).toBe(429)
      expect(JSON.parse(big.body).message).toMatch(/quota.*3 MB|3 MB.*quota/i)
      expect(big.sentAtAnswer).toBeLessThan(big.declared / 2)
      expect((await sendNow(a, 2)).statusCode).toBe(201)
      const third = await sendNow(a, 3)
      expect(third.statusCode, third.body).toBe(429)
      expect(third.json()).toEqual({ error: 'Too Many Requests', message: expect.stringMatching(/quota.*2 photos/i) })
      expect(Number(third.headers['retry-after'])).toBeGreaterThan(3000)
      expect(Number(third.headers['retry-after'])).toBeLessThanOrEqual(3600)
      // Per user: another member of the team still uploads.
      expect((await sendNow(b, 4)).statusCode).toBe(201)
      expect(readdirSync(join(quotaDir, 'photos'))).toHaveLength(3)
    } finally {
      await quotaApp.close()
      rmSync(quotaDir, { recursive: true, force: true })
    }
  })
})
