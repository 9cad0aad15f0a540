/**
 * Denials are the actor's (issue 14, low): a request for an area or household outside the caller's was
 * filed under the area asked for (or under no area at all for a household), so the auditors of the
 * caller's own area never saw their people probing. A denial's row now carries the caller's area, and what
 * was asked for in its detail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../../server/app.js'
import { openTestDb, type TestDb } from '../../helpers/test-db.js'
import { fixtureDataset, FIXTURE } from '../../helpers/fixture-dataset.js'
import { loadDataset } from '../../../geodata/load/load-dataset.js'
import { loginAs, type TestSession } from '../../helpers/auth.js'

interface Entry { user: string; action: string; outcome: string; area: string | null; target: string | null; detail: Record<string, unknown> }

describe('denials are filed under the area of whoever was denied', () => {
  let t: TestDb
  let app: FastifyInstance
  let countyAuditor: TestSession
  let provinceAuditor: TestSession
  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    await loadDataset(t.db, fixtureDataset({ householdsPerVillage: 5 }), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
    app = await buildApp({ dataDir: t.location, db: t.db, serveClient: false, auth: { loginPerMinute: 500 } })
    await app.ready()
    countyAuditor = await loginAs(app, t.db, 'auditor', { scope: FIXTURE.county })
    provinceAuditor = await loginAs(app, t.db, 'auditor')
  })
  afterAll(async () => {
    await app?.close()
    await t?.dispose()
  })

  const deniedSeenBy = async (auditor: TestSession, username: string): Promise<Entry[]> => {
    const res = await auditor.inject(`/api/audit?user=${username}&action=access.denied&limit=200`)
    expect(res.statusCode).toBe(200)
    return res.json().items
  }

  it('a county officer asking for another county and for its prefecture: the county’s auditor sees both', async () => {
    const officer = await loginAs(app, t.db, 'county_officer', { scope: FIXTURE.county })
    expect((await officer.inject('/api/areas/433125/stats?year=2020')).statusCode).toBe(404)
    expect((await officer.inject('/api/areas/4331/stats?year=2020')).statusCode).toBe(403)
    const seen = await deniedSeenBy(countyAuditor, officer.user.username)
    expect(seen.map((e) => ({ area: e.area, asked: e.detail.area, relation: e.detail.relation })).sort((a, b) => String(a.asked).localeCompare(String(b.asked)))).toEqual([
      { area: FIXTURE.county, asked: '4331', relation: 'above' },
      { area: FIXTURE.county, asked: '433125', relation: 'outside' },
    ])
    // The province's auditor sees them too; another county's does not.
    expect(await deniedSeenBy(provinceAuditor, officer.user.username)).toHaveLength(2)
    const other = await loginAs(app, t.db, 'auditor', { scope: '433125' })
    expect(await deniedSeenBy(other, officer.user.username)).toEqual([])
  })

  it('a village team asking for a household of another village: filed under its village, seen by its county’s auditor', async () => {
    const team = await loginAs(app, t.db, 'village_team', { scope: FIXTURE.villages[0]! })
    const { rows } = await t.db.query<{ ref: string }>('SELECT ref::text AS ref FROM household WHERE village_code = $1 LIMIT 1', [FIXTURE.villages[3]])
    expect((await team.inject(`/api/households/${rows[0]!.ref}/members`)).statusCode).toBe(404)
    expect((await team.inject(`/api/households/${rows[0]!.ref}?year=2020`)).statusCode).toBe(404)
    // A photo that is not the team's to see, the same.
    const photo = '00000000-0000-4000-8000-000000000000'
    expect((await team.inject(`/api/photos/${photo}`)).statusCode).toBe(404)
    const seen = await deniedSeenBy(countyAuditor, team.user.username)
    expect(seen).toHaveLength(3)
    expect(seen).toEqual([
      expect.objectContaining({ area: FIXTURE.villages[0], target: photo, outcome: 'denied' }),
      expect.objectContaining({ area: FIXTURE.villages[0], target: rows[0]!.ref, outcome: 'denied' }),
      expect.objectContaining({ area: FIXTURE.villages[0], target: rows[0]!.ref, outcome: 'denied' }),
    ])
  })
})
