import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDb, type TestDb } from '../../helpers/test-db.js'
import { sessionCaller } from '../../helpers/auth.js'
import { withCaller, type DbCaller } from '../../../server/db/caller-transactions.js'

// The request role writes the registry only through the workflow functions of migration 0012: no grant lets
// it change a registry or workflow table, read the proposed values in clear, or call the apply step itself.
describe('registry workflow: the request role’s rights in the database', () => {
  let t: TestDb
  let township: DbCaller
  let prefecture: DbCaller

  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    township = await sessionCaller(t.db, 'township_officer', '433124110')
    prefecture = await sessionCaller(t.db, 'prefecture_officer', '4331')
  })
  afterAll(async () => t?.dispose())

  const refused = async (caller: DbCaller, sql: string) => {
    const err = await withCaller(t.db, caller, (tx) => tx.query(sql)).then(
      () => null,
      (e: { code?: string }) => e,
    )
    return err?.code
  }

  it.each([
    ['UPDATE household SET size = size'],
    ['DELETE FROM member'],
    ["INSERT INTO household_year (household_id, year, status, income_per_capita, food_clothing_ok, education_ok, medical_ok, housing_ok, water_ok) VALUES (1, 2020, 'poor', 1, true, true, true, true, true)"],
    ["INSERT INTO change_request (kind, area_code, changes, changes_masked, reason, proposed_by, proposed_by_username, proposed_by_role, current_step) VALUES ('household.create', '433124110226', '{}', '{}', 'x', 1, 'x', 'village_team', 1)"],
    ["UPDATE change_request SET state = 'applied'"],
    ['SELECT changes FROM change_request'],
    ["INSERT INTO change_request_step (request_id, round, no, action, decision, area_code) VALUES (1, 1, 1, 'notice', 'noticed', '433124110226')"],
    ["INSERT INTO household_history (household_id, household_ref, area_code, request_id, kind, version, at, proposed_by, steps, field) VALUES (1, gen_random_uuid(), '433124110226', 1, 'household.update', 2, now(), 'x', '[]', 'size')"],
    ["INSERT INTO assistance_measure (household_id, village_code, family, cadre, amount_yuan, start_date, target_date, status) VALUES (1, '433124110226', 'other', 'x', 1, '2020-01-01', '2020-01-02', 'planned')"],
    ["UPDATE review_chain_step SET role = 'village_team'"],
    ['SELECT povmap_cr_apply(1)'],
    ["SELECT povmap_cr_advance(1, 0)"],
  ])('refused: %s', async (sql) => {
    expect(await refused(township, sql)).toBe('42501')
  })

  it('the workflow functions check the caller themselves: a prefecture officer proposes nothing', async () => {
    expect(await refused(prefecture, "SELECT povmap_cr_propose('household.update', gen_random_uuid(), 1, '{}', '{}', 'x', '{}', 0)")).toBe('PV403')
    expect(await refused(township, "SELECT povmap_cr_propose('household.update', gen_random_uuid(), 1, '{}', '{}', 'x', '{}', 0)")).toBe('PV404')
    expect(await refused(township, 'SELECT povmap_cr_decide(123, true, NULL, 0)')).toBe('PV404')
  })
})
