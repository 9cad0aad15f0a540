/**
 * Household refs (issue 14, low): every reload (npm run load) gave every household a new random ref, so
 * audit rows and links naming a household lost it. A loaded household's ref is now a keyed hash of its
 * registry id: the same at every reload into the same database, unrelated to the id for anyone without
 * the key (kept in app_secret), and never derived from a person's ID number.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDb, type TestDb } from '../../helpers/test-db.js'
import { fixtureDataset } from '../../helpers/fixture-dataset.js'
import { loadDataset } from '../../../geodata/load/load-dataset.js'
import { householdRef } from '../../../geodata/load/household-refs.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const info = { scale: 'demo' as const, seed: 7, generatorVersion: 'fixture', expectedRows: {} }

describe('household refs survive a reload', () => {
  let t: TestDb
  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
  })
  afterAll(async () => t?.dispose())

  const refs = async () => new Map((await t.db.query<{ id: string; ref: string }>('SELECT id::text AS id, ref::text AS ref FROM household')).rows.map((r) => [r.id, r.ref]))

  it('loading the same registry twice keeps every household’s ref', async () => {
    const dataset = fixtureDataset({ householdsPerVillage: 10 })
    await loadDataset(t.db, dataset, info)
    const first = await refs()
    expect(first.size).toBe(40)
    await loadDataset(t.db, dataset, info)
    const second = await refs()
    expect(second).toEqual(first)
    // Distinct, UUID-shaped (version 8: application-defined).
    expect(new Set(first.values()).size).toBe(40)
    for (const ref of first.values()) expect(ref).toMatch(UUID)
    // A larger registry: the households already there keep theirs, the new ones get their own.
    await loadDataset(t.db, fixtureDataset({ householdsPerVillage: 12 }), info)
    const third = await refs()
    for (const [id, ref] of first) if (third.has(id)) expect(third.get(id), id).toBe(ref)
    expect(new Set(third.values()).size).toBe(third.size)
  })

  it('the ref is keyed: another key (another database) gives other refs; the id alone does not give it', () => {
    const a = Buffer.alloc(32, 1)
    const b = Buffer.alloc(32, 2)
    expect(householdRef(a, 281474976710656)).toBe(householdRef(a, 281474976710656))
    expect(householdRef(a, 281474976710656)).not.toBe(householdRef(b, 281474976710656))
    expect(householdRef(a, 281474976710656)).not.toBe(householdRef(a, 281474976710657))
    expect(householdRef(a, 281474976710656)).toMatch(UUID)
  })

  it('the key stays in the database, out of the request role’s reach; households added later still get a random ref', async () => {
    const { rows } = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM app_secret WHERE name = 'household_ref_key'")
    expect(rows[0]!.n).toBe(1)
    expect((await t.db.query<{ ok: boolean }>("SELECT has_table_privilege('povmap_app', 'app_secret', 'SELECT') AS ok")).rows[0]!.ok).toBe(false)
    const { rows: added } = await t.db.query<{ ref: string }>(
      `INSERT INTO household (village_code, geom, size, identification_standard, attribute, main_cause, registered_year)
       SELECT village_code, geom, 1, identification_standard, attribute, main_cause, registered_year FROM household LIMIT 1 RETURNING ref::text AS ref`,
    )
    expect(added[0]!.ref).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/)
  })
})
