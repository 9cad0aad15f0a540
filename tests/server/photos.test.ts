import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { PNG } from 'pngjs'
import { buildApp } from '../../server/app.js'
import { openTestDb, TMP_ROOT, type TestDb } from '../helpers/test-db.js'
import { fixtureDataset, FIXTURE } from '../helpers/fixture-dataset.js'
import { loadDataset } from '../../geodata/load/load-dataset.js'
import { loginAs, type TestSession } from '../helpers/auth.js'
import { phoneJpeg, phonePng, PHOTO_SECRETS, strippedJpeg } from '../helpers/photos.js'
import { MAX_PHOTO_BYTES } from '../../server/routes/photos.js'
import { ImageError, stripImageMetadata } from '../../server/photos/strip-metadata.js'
import { withCaller, type DbCaller } from '../../server/db/scoped.js'
import type { Role } from '../../server/auth/roles.js'

const [V0, V1] = [FIXTURE.villages[0]!, FIXTURE.villages[1]!]

describe('stripImageMetadata', () => {
  it('drops Exif, XMP and comments from a JPEG and keeps JFIF, the ICC profile, tables and the scan', () => {
    const out = stripImageMetadata(phoneJpeg(5), 'image/jpeg')
    expect(out.equals(strippedJpeg(5))).toBe(true)
    for (const s of PHOTO_SECRETS) expect(out.includes(Buffer.from(s)), s).toBe(false)
    expect(out.includes(Buffer.from('ICC_PROFILE'))).toBe(true)
  })

  it('drops eXIf and text chunks from a PNG, which stays a readable image', () => {
    const out = stripImageMetadata(phonePng(), 'image/png')
    for (const s of PHOTO_SECRETS) expect(out.includes(Buffer.from(s)), s).toBe(false)
    expect(PNG.sync.read(out)).toMatchObject({ width: 4, height: 4 })
  })

  it('refuses what does not parse', () => {
    const jpeg = phoneJpeg()
    for (const bad of [Buffer.from([0xff, 0xd8, 0xff]), jpeg.subarray(0, 30), Buffer.concat([jpeg.subarray(0, 4), Buffer.from([0xff, 0xff])]), Buffer.from('GIF89a')]) {
      expect(() => stripImageMetadata(bad, 'image/jpeg')).toThrow(ImageError)
    }
    expect(() => stripImageMetadata(phonePng().subarray(0, 40), 'image/png')).toThrow(ImageError)
  })
})

describe('photo routes', () => {
  let t: TestDb
  let app: FastifyInstance
  let dataDir: string
  const s = {} as Record<'team0' | 'team1' | 'admin' | 'prefecture' | 'county' | 'township' | 'leader' | 'viewer' | 'auditor', TestSession>
  let householdRef: string
  let otherHouseholdRef: string
  const photos = {} as Record<'household' | 'village' | 'project' | 'png', string>

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
    app = await buildApp({ dataDir, db: t.db, serveClient: false, auth: { loginPerMinute: 500 } })
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

  it('a work team uploads photos of its village, a household and a project: metadata stripped, files named by ref, mode 0600, audited', async () => {
    const res = await upload(s.team0, `household=${householdRef}&lon=109.5012&lat=28.3011&caption=${encodeURIComponent('门前 13812345678 家')}`, phoneJpeg(1))
    expect(res.statusCode, res.body).toBe(201)
    const body = res.json()
    expect(body).toMatchObject({
      subject: 'household', areaCode: V0, household: householdRef, project: null, mediaType: 'image/jpeg', bytes: strippedJpeg(1).length,
      caption: '门前 138****5678 家', at: [109.5012, 28.3011], url: `/api/photos/${body.ref}`,
    })
    photos.household = body.ref
    const file = join(dataDir, 'photos', `${body.ref}.jpg`)
    const stored = readFileSync(file)
    expect(stored.equals(strippedJpeg(1))).toBe(true)
    for (const secret of PHOTO_SECRETS) expect(stored.includes(Buffer.from(secret)), secret).toBe(false)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(statSync(join(dataDir, 'photos')).mode & 0o777).toBe(0o700)
    const { rows } = await t.db.query<{ sha256: string; uploaded_by_username: string }>('SELECT sha256, uploaded_by_username FROM photo WHERE ref = $1', [body.ref])
    expect(rows).toEqual([{ sha256: createHash('sha256').update(stored).digest('hex'), uploaded_by_username: s.team0.user.username }])
    expect(await audits('photo.upload', body.ref)).toBe(1)

    photos.village = (await upload(s.team0, `area=${V0}`, phoneJpeg(2))).json().ref
    photos.project = (await upload(s.team0, 'project=1', phoneJpeg(3))).json().ref
    const png = await upload(s.team0, `area=${V0}`, phonePng(), 'image/png')
    expect(png.statusCode, png.body).toBe(201)
    photos.png = png.json().ref
    const pngStored = readFileSync(join(dataDir, 'photos', `${photos.png}.png`))
    expect(PNG.sync.read(pngStored)).toMatchObject({ width: 4, height: 4 })
    for (const secret of PHOTO_SECRETS) expect(pngStored.includes(Buffer.from(secret)), secret).toBe(false)
    expect(photoFiles()).toEqual([photos.household, photos.village, photos.project].map((r) => `${r}.jpg`).concat(`${photos.png}.png`).sort())
  })

  it('uploads are refused outside the team’s village, for other roles, and for bodies that are not the image they claim; nothing is left on disk', async () => {
    const before = photoFiles()
    const cases: [TestSession, string, Buffer, string, number][] = [
      [s.team0, `household=${otherHouseholdRef}`, phoneJpeg(), 'image/jpeg', 404],
      [s.team0, `area=${V1}`, phoneJpeg(), 'image/jpeg', 404],
      [s.team0, `area=${FIXTURE.townships[0]}`, phoneJpeg(), 'image/jpeg', 400],
      [s.team1, 'project=1', phoneJpeg(), 'image/jpeg', 404],
      [s.team0, 'project=999', phoneJpeg(), 'image/jpeg', 404],
      [s.team0, 'project=3', phoneJpeg(), 'image/jpeg', 403],
      [s.county, `area=${V0}`, phoneJpeg(), 'image/jpeg', 403],
      [s.admin, `area=${V0}`, phoneJpeg(), 'image/jpeg', 403],
      [s.leader, `area=${V0}`, phoneJpeg(), 'image/jpeg', 403],
      [s.team0, '', phoneJpeg(), 'image/jpeg', 400],
      [s.team0, `area=${V0}&project=1`, phoneJpeg(), 'image/jpeg', 400],
      [s.team0, `area=${V0}&lon=109.5`, phoneJpeg(), 'image/jpeg', 400],
      [s.team0, `area=${V0}&path=../../etc`, phoneJpeg(), 'image/jpeg', 400],
      [s.team0, `area=${V0}`, phoneJpeg(), 'image/png', 415],
      [s.team0, `area=${V0}`, Buffer.from('{"a":1}'), 'application/json', 415],
      [s.team0, `area=${V0}`, Buffer.from('GIF89a....'), 'image/gif', 415],
      [s.team0, `area=${V0}`, Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff]), Buffer.alloc(20)]), 'image/jpeg', 400],
      [s.team0, `area=${V0}`, Buffer.alloc(MAX_PHOTO_BYTES + 1, 0xff), 'image/jpeg', 413],
    ]
    for (const [who, query, body, type, status] of cases) {
      const res = await upload(who, query, body, type)
      expect(res.statusCode, `${who.user.role} ${query} ${type}: ${res.body.slice(0, 200)}`).toBe(status)
      expect(res.json()).toEqual({ error: expect.any(String), message: expect.any(String) })
    }
    // Without the CSRF token: refused like every state change.
    const noCsrf = await app.inject({ method: 'POST', url: `/api/photos?area=${V0}`, headers: { cookie: s.team0.cookie, 'content-type': 'image/jpeg' }, payload: phoneJpeg() })
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
      expect(res.rawPayload.equals(strippedJpeg(1))).toBe(true)
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
    const team: DbCaller = { role: 'village_team', scope: V0, userId: s.team0.user.id, username: s.team0.user.username }
    await expect(insert(team)).resolves.toBeDefined()
    await expect(insert(team, { household: hid })).resolves.toBeDefined()
    const refused: [DbCaller, Parameters<typeof insert>[1]][] = [
      [{ ...team, role: 'county_officer', scope: FIXTURE.county }, {}],
      [{ ...team, role: 'province_admin', scope: '43' }, {}],
      [team, { area: V1 }],
      [team, { by: s.team1.user.id }],
      [{ ...team, scope: V1 }, { area: V1, household: hid }],
      [team, { area: FIXTURE.villages[2] }],
    ]
    for (const [c, o] of refused) await expect(insert(c, o), `${c.role} ${JSON.stringify(o)}`).rejects.toThrow(/row-level security|violates/)
    for (const sql of ['UPDATE photo SET caption = NULL', 'DELETE FROM photo']) {
      await expect(withCaller(t.db, team, (tx) => tx.query(sql)), sql).rejects.toThrow(/permission denied/)
    }
  })
})
