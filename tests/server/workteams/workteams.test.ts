/**
 * Work teams (因村派人), wishes (发展意愿) and the data-quality counters of an area (issue 16): the answers
 * equal SQL written here over the registry (as the owner), for the area and each child; roles and areas
 * are respected (department viewers and leaders get counts, never a name; out-of-area codes and
 * households answer 404 like every area route).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../../server/app.js'
import { openTestDb, type TestDb } from '../../helpers/test-db.js'
import { fixtureDataset, FIXTURE } from '../../helpers/fixture-dataset.js'
import { loadDataset } from '../../../geodata/load/load-dataset.js'
import { loginAs, type TestSession } from '../../helpers/auth.js'
import { decodeTile, layerFeatures, lonLatToTile } from '../../helpers/tiles.js'
import type { AreaDataQuality, AreaWorkTeams, HouseholdWishes, QualityCounts } from '../../../domain/schemas/workteams.js'

/** GB 11643, written here from the standard (not from the code under test): format, birth date from 1890 and not in the future, check character. */
function validIdNumber(id: string): boolean {
  const m = /^\d{6}(\d{4})(\d{2})(\d{2})\d{3}[\dX]$/.exec(id)
  if (!m) return false
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const birth = new Date(Date.UTC(y, mo - 1, d))
  if (y < 1890 || birth.getUTCMonth() !== mo - 1 || birth.getUTCDate() !== d || birth.getTime() > Date.now()) return false
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const sum = weights.reduce((s, w, i) => s + w * Number(id[i]), 0)
  return '10X98765432'[sum % 11] === id[17]
}

describe('work teams, wishes and data-quality counters', () => {
  let t: TestDb
  let app: FastifyInstance
  let admin: TestSession
  let county: TestSession
  let team: TestSession
  let viewer: TestSession
  let leader: TestSession
  const sql = async <R = Record<string, unknown>>(text: string, params: unknown[] = []) => (await t.db.query<R>(text, params)).rows
  const ok = async <T>(s: TestSession, url: string): Promise<T> => {
    const res = await s.inject(url)
    expect(res.statusCode, `${url}: ${res.body.slice(0, 300)}`).toBe(200)
    return res.json() as T
  }

  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    await loadDataset(t.db, fixtureDataset(), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
    // Problems the counters must find, one of each kind, in two villages of different townships.
    const [v0, , v2, v3] = FIXTURE.villages
    const pick = async (village: string, n: number) =>
      (await sql<{ id: string }>('SELECT id::text AS id FROM household WHERE village_code = $1 ORDER BY id LIMIT $2', [village, n])).map((r) => r.id)
    const [a, b, c] = await pick(v0!, 3)
    await t.db.query('UPDATE household SET geom = ST_SetSRID(ST_MakePoint(100, 20), 4326) WHERE id = $1', [a]) // outside its village
    // Outside too, but kept there on purpose with a reason (the workflow's flag): not a problem.
    const [kept] = await pick(v0!, 4).then((ids) => ids.slice(3))
    await t.db.query("UPDATE household SET geom = ST_SetSRID(ST_MakePoint(100, 20), 4326), outside_boundary_reason = '搬迁安置点在村界外' WHERE id = $1", [kept])
    await t.db.query('UPDATE household SET size = size + 1 WHERE id = $1', [b]) // size ≠ members
    await t.db.query('DELETE FROM household_year WHERE household_id = $1 AND year = 2020', [c]) // not updated in 2020
    const [d] = await pick(v2!, 1)
    // A valid ID number (GB 11643) for every member of one household, so that valid and invalid ones are both counted.
    await t.db.query("UPDATE member SET id_number = '11010519491231002X' WHERE household_id = $1", [d])
    // One team ends: its village loses its resident team (the fixture's last village has none at all).
    const ended = await t.db.query("UPDATE work_team SET ended_on = DATE '2019-12-31', started_on = LEAST(started_on, DATE '2019-01-01') WHERE village_code = $1", [v2])
    if (ended.rowCount !== 1 || (await sql('SELECT 1 FROM work_team WHERE village_code = $1', [v3])).length !== 0) throw new Error('the demo teams of the fixture changed: adapt this test')
    app = await buildApp({ dataDir: t.location, db: t.db, serveClient: false, tiles: { tileService: { versionTtlMs: 0 } } })
    admin = await loginAs(app, t.db, 'province_admin')
    county = await loginAs(app, t.db, 'county_officer')
    team = await loginAs(app, t.db, 'village_team')
    viewer = await loginAs(app, t.db, 'department_viewer')
    leader = await loginAs(app, t.db, 'leader')
  })
  afterAll(async () => {
    await app?.close()
    await t?.dispose()
  })

  /** The counters of every village, computed here: JS for ID numbers (the domain's GB 11643 rule), SQL for the rest. */
  async function expectedByVillage(year: number): Promise<Map<string, QualityCounts>> {
    const villages = await sql<{ code: string; poverty: boolean; resident: boolean }>(
      `SELECT a.code, a.poverty_designated AS poverty,
              EXISTS (SELECT 1 FROM work_team w WHERE w.village_code = a.code AND w.resident AND w.started_on <= current_date AND (w.ended_on IS NULL OR w.ended_on >= current_date)) AS resident
       FROM admin_area a WHERE a.level = 'village'`,
    )
    const households = await sql<{ village: string; outside: boolean; mismatch: boolean; stale: boolean }>(
      `SELECT h.village_code AS village, NOT ST_Covers(v.geom, h.geom) AND h.outside_boundary_reason IS NULL AS outside,
              h.size <> (SELECT count(*) FROM member m WHERE m.household_id = h.id) AS mismatch,
              NOT EXISTS (SELECT 1 FROM household_year y WHERE y.household_id = h.id AND y.year = $1) AS stale
       FROM household h JOIN admin_area v ON v.code = h.village_code`,
      [year],
    )
    const members = await sql<{ village: string; id_number: string }>('SELECT h.village_code AS village, m.id_number FROM member m JOIN household h ON h.id = m.household_id')
    const out = new Map<string, QualityCounts>()
    for (const v of villages) {
      out.set(v.code, {
        households: 0, outsideVillage: 0, invalidIdMembers: 0, sizeMismatch: 0, notUpdated: 0, waitingRequests: 0,
        povertyVillagesWithoutTeam: v.poverty && !v.resident ? 1 : 0, problems: 0,
      })
    }
    for (const h of households) {
      const c = out.get(h.village)!
      c.households++
      c.outsideVillage += Number(h.outside)
      c.sizeMismatch += Number(h.mismatch)
      c.notUpdated += Number(h.stale)
    }
    for (const m of members) if (!validIdNumber(m.id_number)) out.get(m.village)!.invalidIdMembers++
    for (const c of out.values()) c.problems = c.outsideVillage + c.invalidIdMembers + c.sizeMismatch + c.notUpdated + c.waitingRequests + c.povertyVillagesWithoutTeam
    return out
  }
  const sumUnder = (by: Map<string, QualityCounts>, prefix: string): QualityCounts => {
    const s: QualityCounts = { households: 0, outsideVillage: 0, invalidIdMembers: 0, sizeMismatch: 0, notUpdated: 0, waitingRequests: 0, povertyVillagesWithoutTeam: 0, problems: 0 }
    for (const [code, c] of by) if (code.startsWith(prefix)) for (const k of Object.keys(s) as (keyof QualityCounts)[]) s[k] += c[k]
    return s
  }

  it('data quality: the counters of an area and of each child equal SQL over the registry, at every level', async () => {
    const by = await expectedByVillage(2020)
    // The planted problems are there to be found (the counters are not all zero by accident).
    const all = sumUnder(by, '43')
    expect(all.outsideVillage).toBe(1)
    // (The fixture's households have one member whatever their size: many mismatches besides the planted one.)
    expect(all.sizeMismatch).toBeGreaterThanOrEqual(1)
    expect(all.notUpdated).toBeGreaterThanOrEqual(1)
    expect(all.povertyVillagesWithoutTeam).toBeGreaterThanOrEqual(1)
    expect(all.invalidIdMembers).toBeGreaterThan(0)
    expect(all.invalidIdMembers).toBeLessThan((await sql<{ n: number }>('SELECT count(*)::int AS n FROM member'))[0]!.n)
    for (const code of ['43', '4331', FIXTURE.county, ...FIXTURE.townships, FIXTURE.villages[0]!]) {
      const body = await ok<AreaDataQuality>(admin, `/api/areas/${code}/data-quality`)
      expect(body).toMatchObject({ code, year: 2020, days: 7 })
      expect(body.counts, code).toEqual(sumUnder(by, code))
      const children = await sql<{ code: string }>('SELECT code FROM admin_area WHERE parent_code = $1 ORDER BY code', [code])
      expect(body.children.map((c) => c.code)).toEqual(children.map((c) => c.code))
      for (const c of body.children) expect(c.counts, c.code).toEqual(sumUnder(by, c.code))
    }
    // Another year counts the households without a record of that year.
    const y2015 = await expectedByVillage(2015)
    expect((await ok<AreaDataQuality>(admin, `/api/areas/${FIXTURE.county}/data-quality?year=2015`)).counts).toEqual(sumUnder(y2015, FIXTURE.county))
  })

  it('data quality: department viewers and leaders get the same counts of their area; a village team its village only', async () => {
    const by = await expectedByVillage(2020)
    expect((await ok<AreaDataQuality>(viewer, `/api/areas/${FIXTURE.county}/data-quality`)).counts).toEqual(sumUnder(by, FIXTURE.county))
    expect((await ok<AreaDataQuality>(leader, `/api/areas/${FIXTURE.townships[1]}/data-quality`)).counts).toEqual(sumUnder(by, FIXTURE.townships[1]!))
    expect((await ok<AreaDataQuality>(team, `/api/areas/${FIXTURE.villages[0]}/data-quality`)).counts).toEqual(sumUnder(by, FIXTURE.villages[0]!))
    expect((await team.inject(`/api/areas/${FIXTURE.villages[1]}/data-quality`)).statusCode).toBe(404)
    expect((await team.inject(`/api/areas/${FIXTURE.townships[0]}/data-quality`)).statusCode).toBe(403)
    expect((await county.inject('/api/areas/433125/data-quality')).statusCode).toBe(404)
  })

  it('the database’s GB 11643 check agrees with the standard on edge cases', async () => {
    const check = (first17: string) => first17 + '10X98765432'[[7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2].reduce((s, w, i) => s + w * Number(first17[i]), 0) % 11]
    const ids = [
      check('11010519491231002'), check('43312420000229001'), check('43312419000229001'), check('43312419800431001'), check('43312419801301001'),
      check('43312418891231001'), check('43312418900101001'), check('43312420991231001'), check('43312419800100001'), check('43312419801232001'),
      '11010519491231002X'.toLowerCase(), '110105194912310021', '4331241980010100', 'abcdefghijklmnopqr', '',
    ]
    const rows = await sql<{ v: boolean }>('SELECT povmap_id_number_valid(x) AS v FROM unnest($1::text[]) WITH ORDINALITY AS u(x, i) ORDER BY i', [ids])
    expect(rows.map((r) => r.v)).toEqual(ids.map(validIdNumber))
    expect(rows.filter((r) => r.v).length).toBeGreaterThanOrEqual(3)
  })

  it('data quality: a change to the registry shows in the counters at once (they are kept only while the data stays)', async () => {
    const url = `/api/areas/${FIXTURE.county}/data-quality`
    const before = await ok<AreaDataQuality>(admin, url)
    const [h] = await sql<{ id: string; geom: string }>('SELECT id::text AS id, ST_AsEWKT(geom) AS geom FROM household WHERE village_code = $1 AND outside_boundary_reason IS NULL ORDER BY id DESC LIMIT 1', [FIXTURE.villages[3]])
    await t.db.query('UPDATE household SET geom = ST_SetSRID(ST_MakePoint(100, 20), 4326) WHERE id = $1', [h!.id])
    try {
      const after = await ok<AreaDataQuality>(admin, url)
      expect(after.counts.outsideVillage).toBe(before.counts.outsideVillage + 1)
      expect(after.counts).toEqual(sumUnder(await expectedByVillage(2020), FIXTURE.county))
    } finally {
      await t.db.query('UPDATE household SET geom = $2::geometry WHERE id = $1', [h!.id, h!.geom])
    }
    expect((await ok<AreaDataQuality>(admin, url)).counts).toEqual(before.counts)
  })

  it('the quality map layer: the counters of the route per village, the same for a department viewer; a village team its village only', async () => {
    const at = lonLatToTile(FIXTURE.origin[0] + FIXTURE.cell, FIXTURE.origin[1] + FIXTURE.cell, 12)
    const features = async (s: TestSession) => {
      const res = await s.inject(`/tiles/quality/${at.z}/${at.x}/${at.y}.mvt?year=2020`)
      if (res.statusCode === 204) return []
      expect(res.statusCode, res.body.slice(0, 200)).toBe(200)
      return layerFeatures(decodeTile(res.rawPayload), 'quality', at).map((f) => f.properties as Record<string, unknown>)
    }
    const byAdmin = await features(admin)
    expect(byAdmin.map((p) => p.code).sort()).toEqual([...FIXTURE.villages].sort())
    for (const v of FIXTURE.villages) {
      const route = await ok<AreaDataQuality>(admin, `/api/areas/${v}/data-quality`)
      const p = byAdmin.find((x) => x.code === v)!
      expect({ households: p.households, outside: p.outside, bad_ids: p.bad_ids, size_mismatch: p.size_mismatch, not_updated: p.not_updated, no_team: p.no_team }, v).toEqual({
        households: route.counts.households, outside: route.counts.outsideVillage, bad_ids: route.counts.invalidIdMembers, size_mismatch: route.counts.sizeMismatch,
        not_updated: route.counts.notUpdated, no_team: route.counts.povertyVillagesWithoutTeam,
      })
    }
    const sortByCode = (xs: Record<string, unknown>[]) => [...xs].sort((a, b) => String(a.code).localeCompare(String(b.code)))
    expect(sortByCode(await features(viewer))).toEqual(sortByCode(byAdmin))
    expect((await features(team)).map((p) => p.code)).toEqual([FIXTURE.villages[0]])
  })

  it('data quality: bad input is a 400; an unknown area a 404', async () => {
    for (const q of ['days=0', 'days=366', 'days=x', 'year=2013', 'year=2021', 'other=1']) {
      const res = await admin.inject(`/api/areas/43/data-quality?${q}`)
      expect(res.statusCode, q).toBe(400)
      expect(res.json()).toMatchObject({ error: 'Bad Request' })
    }
    expect((await admin.inject('/api/areas/433124999/data-quality')).statusCode).toBe(404)
  })

  it('data quality: change requests waiting longer than N days at their step are counted, per child area', async () => {
    const hasTable = (await sql<{ t: string | null }>("SELECT to_regclass('public.change_request')::text AS t"))[0]!.t !== null
    if (!hasTable) {
      expect((await ok<AreaDataQuality>(admin, `/api/areas/${FIXTURE.county}/data-quality?days=3`)).counts.waitingRequests).toBe(0)
      return
    }
    // Requests as the workflow leaves them (written here as the owner): waiting 10 days, 2 days, and a rejected one.
    const [v0, , v2] = FIXTURE.villages
    const add = (village: string, state: string, ageDays: number) =>
      t.db.query(
        `INSERT INTO change_request (kind, state, area_code, base_version, changes, changes_masked, reason, proposed_by, proposed_by_username, proposed_by_role,
                                     proposed_at, updated_at, current_step)
         VALUES ('household.update', $2, $1, 1, '{}', '{}', 'test', 1, 'test', 'village_team', now() - make_interval(days => $3), now() - make_interval(days => $3),
                 CASE WHEN $2 = 'pending' THEN 1 END)`,
        [village, state, ageDays],
      )
    await add(v0!, 'pending', 10)
    await add(v0!, 'pending', 2)
    await add(v2!, 'pending', 10)
    await add(v2!, 'rejected', 10)
    const waiting = async (days: number, prefix: string) =>
      (await sql<{ n: number }>(
        "SELECT count(*)::int AS n FROM change_request WHERE starts_with(area_code, $1) AND state = 'pending' AND updated_at < now() - make_interval(days => $2)",
        [prefix, days],
      ))[0]!.n
    for (const days of [1, 3, 30]) {
      const body = await ok<AreaDataQuality>(admin, `/api/areas/${FIXTURE.county}/data-quality?days=${days}`)
      expect(body.counts.waitingRequests, `days=${days}`).toBe(await waiting(days, FIXTURE.county))
      for (const c of body.children) expect(c.counts.waitingRequests).toBe(await waiting(days, c.code))
    }
    expect(await waiting(3, FIXTURE.county)).toBe(2)
    // The default is 7 days; a village team sees its own village's.
    expect((await ok<AreaDataQuality>(team, `/api/areas/${v0}/data-quality`)).counts.waitingRequests).toBe(1)
    expect((await ok<AreaDataQuality>(viewer, `/api/areas/${FIXTURE.county}/data-quality?days=1`)).counts.waitingRequests).toBe(3)
  })

  it('work teams: counts, villages and their flag equal SQL; cadres by name with the phone masked for registry roles', async () => {
    const body = await ok<AreaWorkTeams>(county, `/api/areas/${FIXTURE.county}/work-teams`)
    const villages = await sql<{ code: string; poverty: boolean; resident: boolean; cadres: number; paired: number; households: number }>(
      `SELECT a.code, a.poverty_designated AS poverty,
              EXISTS (SELECT 1 FROM work_team w WHERE w.village_code = a.code AND w.resident AND w.started_on <= current_date AND (w.ended_on IS NULL OR w.ended_on >= current_date)) AS resident,
              (SELECT count(*)::int FROM work_team_member m WHERE m.village_code = a.code AND (m.ended_on IS NULL OR m.ended_on >= current_date)) AS cadres,
              (SELECT count(*)::int FROM household_pairing p JOIN household h ON h.id = p.household_id WHERE h.village_code = a.code) AS paired,
              (SELECT count(*)::int FROM household h WHERE h.village_code = a.code) AS households
       FROM admin_area a WHERE a.level = 'village' AND starts_with(a.code, $1) ORDER BY a.code`,
      [FIXTURE.county],
    )
    expect(body.villages!.map((v) => v.code)).toEqual(villages.map((v) => v.code))
    for (const v of villages) {
      const got = body.villages!.find((x) => x.code === v.code)!
      expect(got, v.code).toMatchObject({ poverty: v.poverty, residentTeam: v.resident, flag: v.poverty && !v.resident, cadres: v.cadres, pairedHouseholds: v.paired, households: v.households })
      expect(got.members!.length).toBe(v.cadres)
    }
    // Village 2's team ended in 2019, village 3 never had one: both are flagged, the others not.
    expect(body.villages!.map((v) => v.flag)).toEqual([false, false, true, true])
    expect(body.villages!.find((v) => v.code === FIXTURE.villages[2])!.team).toMatchObject({ resident: true, endedOn: '2019-12-31' })
    expect(body.counts).toMatchObject({
      villages: villages.length,
      withResidentTeam: villages.filter((v) => v.resident).length,
      povertyWithoutResidentTeam: villages.filter((v) => v.poverty && !v.resident).length,
      cadres: villages.reduce((s, v) => s + v.cadres, 0),
      households: villages.reduce((s, v) => s + v.households, 0),
    })
    expect(body.children.map((c) => c.counts.villages)).toEqual(FIXTURE.townships.map((tw) => villages.filter((v) => v.code.startsWith(tw)).length))
    // Cadres: names in clear (posted in the village), phones masked, never the original.
    const phones = await sql<{ phone: string; name: string }>('SELECT phone, name FROM work_team_member WHERE starts_with(village_code, $1)', [FIXTURE.county])
    expect(phones.length).toBeGreaterThan(0)
    const text = JSON.stringify(body)
    for (const p of phones) expect(text).not.toContain(p.phone)
    const first = body.villages!.find((v) => v.members!.length > 0)!.members![0]!
    expect(first.phone).toMatch(/^1[0-9]{2}\*{4}[0-9]{4}$/)
    expect(phones.map((p) => p.name)).toContain(first.name)
    // Above a county: counts per child area, no village list.
    const province = await ok<AreaWorkTeams>(admin, '/api/areas/43/work-teams')
    expect(province.villages).toBeNull()
    expect(province.counts).toEqual(body.counts)
  })

  it('work teams: department viewers and leaders get the counts and no name; out-of-area codes answer 404', async () => {
    const asCounty = await ok<AreaWorkTeams>(county, `/api/areas/${FIXTURE.county}/work-teams`)
    for (const s of [viewer]) {
      const body = await ok<AreaWorkTeams>(s, `/api/areas/${FIXTURE.county}/work-teams`)
      expect(body.counts).toEqual(asCounty.counts)
      for (const v of body.villages!) expect(v.members).toBeNull()
      const names = await sql<{ name: string }>('SELECT name FROM work_team_member')
      const text = JSON.stringify(body)
      for (const n of names) expect(text).not.toContain(`"${n.name}"`)
    }
    const asLeader = await ok<AreaWorkTeams>(leader, '/api/areas/4331/work-teams')
    expect(asLeader.counts).toEqual(asCounty.counts)
    expect((await team.inject(`/api/areas/${FIXTURE.villages[1]}/work-teams`)).statusCode).toBe(404)
    expect((await county.inject('/api/areas/433125/work-teams')).statusCode).toBe(404)
    expect((await viewer.inject('/api/areas/4331/work-teams')).statusCode).toBe(403)
  })

  it('demo data: every household has a paired cadre, and an assistance plan naming that cadre as responsible', async () => {
    const [row] = await sql<{ households: number; paired: number; planned: number; mismatched: number; families: number }>(
      `SELECT (SELECT count(*)::int FROM household) AS households,
              (SELECT count(*)::int FROM household_pairing) AS paired,
              (SELECT count(DISTINCT household_id)::int FROM assistance_measure) AS planned,
              (SELECT count(*)::int FROM assistance_measure a JOIN household_pairing p ON p.household_id = a.household_id
                 JOIN work_team_member m ON m.id = p.cadre_id WHERE a.cadre <> m.name OR a.village_code <> p.village_code) AS mismatched,
              (SELECT count(DISTINCT family)::int FROM assistance_measure) AS families`,
    )
    expect(row!.households).toBeGreaterThan(0)
    expect(row).toMatchObject({ paired: row!.households, planned: row!.households, mismatched: 0 })
    expect(row!.families).toBeGreaterThan(3)
  })

  it('wishes: a household’s wishes and paired cadre equal SQL; only registry roles of its area see them', async () => {
    const [h] = await sql<{ id: string; ref: string; village: string }>(
      'SELECT h.id::text AS id, h.ref::text AS ref, h.village_code AS village FROM household h WHERE h.village_code = $1 AND EXISTS (SELECT 1 FROM household_wish w WHERE w.household_id = h.id) ORDER BY h.id LIMIT 1',
      [FIXTURE.villages[0]],
    )
    const body = await ok<HouseholdWishes>(team, `/api/households/${h!.ref}/wishes`)
    const wishes = await sql("SELECT id::int AS id, kind, note, to_char(recorded_on, 'YYYY-MM-DD') AS \"recordedOn\", status FROM household_wish WHERE household_id = $1 ORDER BY recorded_on, id", [h!.id])
    expect(wishes.length).toBeGreaterThan(0)
    expect(body).toMatchObject({ ref: h!.ref, villageCode: h!.village })
    expect(body.wishes).toEqual(wishes)
    const [cadre] = await sql<{ id: number; name: string; phone: string }>(
      'SELECT m.id::int AS id, m.name, m.phone FROM household_pairing p JOIN work_team_member m ON m.id = p.cadre_id WHERE p.household_id = $1',
      [h!.id],
    )
    expect(body.pairedWith).toMatchObject({ id: cadre!.id, name: cadre!.name })
    expect(JSON.stringify(body)).not.toContain(cadre!.phone)
    expect((await county.inject(`/api/households/${h!.ref}/wishes`)).statusCode).toBe(200)
    // Another village's team, department viewers and leaders: no.
    const other = await loginAs(app, t.db, 'village_team', { scope: FIXTURE.villages[1] })
    expect((await other.inject(`/api/households/${h!.ref}/wishes`)).statusCode).toBe(404)
    expect((await viewer.inject(`/api/households/${h!.ref}/wishes`)).statusCode).toBe(403)
    expect((await leader.inject(`/api/households/${h!.ref}/wishes`)).statusCode).toBe(403)
    expect((await team.inject('/api/households/00000000-0000-4000-8000-000000000000/wishes')).statusCode).toBe(404)
    expect((await team.inject('/api/households/12/wishes')).statusCode).toBe(400)
  })
})
