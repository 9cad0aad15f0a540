import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fc from 'fast-check'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../../server/app.js'
import { openTestDb, serverUrl, type TestDb } from '../../helpers/test-db.js'
import { fixtureDataset, FIXTURE } from '../../helpers/fixture-dataset.js'
import { loadDataset } from '../../../geodata/load/load-dataset.js'
import { APP_ROLE, asApp, withCaller, type DbCaller } from '../../../server/db/caller-transactions.js'
import { describeRequestLogin, requestLoginProblem } from '../../../server/db/request-login.js'
import { RequestDb } from '../../../server/db/request-db.js'
import { randomBytes } from 'node:crypto'
import { createPgDb } from '../../../server/db/pg-db.js'
import type { Db } from '../../../server/db/types.js'
import { ROLES, type Role } from '../../../domain/roles.js'
import { maskIdNumber, maskName, maskPhone } from '../../../domain/masking.js'
import { LAYER_BY_ID, SCOPE_FREE_LAYERS } from '../../../tiles/registry.js'
import { loginAs, sessionCaller } from '../../helpers/auth.js'

/** Tables holding people or what they did: RLS on and forced. */
const PERSONAL_TABLES = ['household', 'household_year', 'member', 'audit_log', 'photo']
/** Area-keyed data: scoped the same way (officials see their own area and nothing else). */
const SCOPED_TABLES = ['household_agg', 'indicator_value', 'project', 'admin_area']
/**
 * Tables the request role reads without row-level security, each for a reason: public
 * infrastructure and definitions, tile cache versions, and the auth tables (no personal registry
 * data; the sign-in code needs them before any scope exists).
 */
// Shared reference data and configuration, no person in them: the indicator system and its versions, the
// poverty lines, the review chains, data versions (tiles, accessibility).
const UNSCOPED_READABLE = ['road', 'water', 'school', 'clinic', 'indicator_def', 'indicator_def_version', 'poverty_line', 'review_chain_step', 'tile_layer_version', 'access_state']

/**
 * Functions that run with the owner's rights, each reviewed: it derives the caller from the session
 * (povmap_session_caller / povmap_caller_scope), never from its arguments, or returns only sums for the
 * caller's area, or is a trigger/batch function the request role cannot call.
 */
const REVIEWED_DEFINERS = [
  // session binding and reveal (0009)
  'povmap_caller_scope', 'povmap_reveal_household', 'povmap_session_caller',
  // identification (0013, 0020-0022): triggers and batch re-scoring; indicator edits check the admin role
  'identification_after_registry_change', 'identification_default_update', 'identification_identify', 'identification_profile_apply',
  'identification_refresh_all', 'identification_refresh_households', 'identification_refresh_profile', 'identification_rescore', 'indicator_def_edit',
  // identification batch (0027; owner only) and the default measure's background job (0027; checks the admin role)
  'identification_batch_begin', 'identification_batch_end', 'identification_batch_profile', 'identification_batch_year', 'identification_default_set',
  'identification_rescore_year',
  // registry workflow (0012): every write checks role, area, state and version of the session's caller
  'povmap_cr_decide', 'povmap_cr_object', 'povmap_cr_propose', 'povmap_cr_refresh', 'povmap_cr_resolve', 'povmap_cr_resubmit', 'povmap_cr_withdraw',
  // cross-checks (0017, 0026): staging and matching within the importer's area
  'povmap_crosscheck_match', 'povmap_crosscheck_stage',
  // imports by the province administrator (0019), reports as sums inside the caller's area (0015, 0019)
  'povmap_import_apply', 'povmap_report_change_facts', 'povmap_report_household_facts', 'povmap_report_measure_facts',
  // household imports as batches (0023): staged, then applied (province administrator) or proposed, caller from the session
  'povmap_import_apply_batch', 'povmap_import_propose_batch', 'povmap_import_stage',
  // project and indicator-value imports (0024): province administrator, prefecture and county officers, in the session's area
  'povmap_indicator_import', 'povmap_project_import',
  // import batches reviewed (0028): povmap_cr_decide per request as the session's caller; measures applied by the province administrator
  'povmap_cr_decide_many', 'povmap_import_apply_measure',
  // siting for department viewers: sums only (0014, 0018); a scenario becomes planned projects for county planners and above (0025)
  'povmap_poor_within', 'povmap_scenario_to_projects', 'povmap_siting_demand',
  // work teams and data quality: counts for aggregate roles (0016)
  'povmap_village_quality', 'povmap_village_teams', 'povmap_waiting_requests',
]


describe('database roles and row-level security', () => {
  let t: TestDb
  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    await loadDataset(t.db, fixtureDataset(), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
  })
  afterAll(async () => {
    await t?.dispose()
  })
  // The database derives who is asking from a live session: each caller here is one.
  const caller = (role: Role, scope: string): Promise<DbCaller> => sessionCaller(t.db, role, scope)

  it('the request role cannot log in, is no superuser, cannot bypass RLS and owns nothing', async () => {
    const { rows } = await t.db.query<Record<string, boolean>>(
      `SELECT rolsuper, rolbypassrls, rolcanlogin, rolcreaterole, rolcreatedb, rolreplication,
         (SELECT count(*)::int FROM pg_auth_members m WHERE m.member = r.oid) AS "memberOf"
       FROM pg_roles r WHERE rolname = $1`,
      [APP_ROLE],
    )
    // Member of no role: it has exactly the privileges granted to it, nothing inherited.
    expect(rows).toEqual([{ rolsuper: false, rolbypassrls: false, rolcanlogin: false, rolcreaterole: false, rolcreatedb: false, rolreplication: false, memberOf: 0 }])
    const { rows: owned } = await t.db.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM pg_class WHERE relowner = r.oid) + (SELECT count(*) FROM pg_proc WHERE proowner = r.oid)
            + (SELECT count(*) FROM pg_type WHERE typowner = r.oid) + (SELECT count(*) FROM pg_namespace WHERE nspowner = r.oid) AS n
       FROM pg_roles r WHERE r.rolname = $1`,
      [APP_ROLE],
    )
    expect(owned[0]!.n).toBe(0)
  })

  it('every personal-data and area-keyed table has RLS enabled and forced; every other table it reads is listed', async () => {
    const { rows } = await t.db.query<{ t: string; rls: boolean; forced: boolean }>(
      `SELECT c.relname AS t, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'`,
    )
    const by = new Map(rows.map((r) => [r.t, r]))
    for (const name of [...PERSONAL_TABLES, ...SCOPED_TABLES]) expect(by.get(name), name).toMatchObject({ rls: true, forced: true })
    // A new table granted to the request role without RLS fails here until someone decides about it.
    const { rows: readable } = await t.db.query<{ t: string }>(
      `SELECT c.relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind = 'r' AND NOT c.relrowsecurity
         AND (has_table_privilege($1, c.oid, 'SELECT') OR has_any_column_privilege($1, c.oid, 'SELECT'))`,
      [APP_ROLE],
    )
    expect(readable.map((r) => r.t).sort()).toEqual([...UNSCOPED_READABLE, 'spatial_ref_sys'].sort())
    // The layers shared across callers in the tile cache read only such tables.
    for (const id of SCOPE_FREE_LAYERS) expect(LAYER_BY_ID.get(id)!.personal).toBe(false)
    for (const table of ['road', 'water', 'school', 'clinic']) expect(by.get(table)!.rls).toBe(false)
  })

  it('the request role may only append to the audit log and never read raw names, ID numbers or phones', async () => {
    const priv = async (table: string, p: string) =>
      (await t.db.query<{ ok: boolean }>('SELECT has_table_privilege($1, $2, $3) AS ok', [APP_ROLE, table, p])).rows[0]!.ok
    expect(await priv('audit_log', 'INSERT')).toBe(true)
    expect(await priv('audit_log', 'SELECT')).toBe(true)
    for (const p of ['UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) expect(await priv('audit_log', p), p).toBe(false)
    for (const table of ['household', 'household_year', 'member', 'admin_area', 'project']) {
      for (const p of ['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) expect(await priv(table, p), `${table} ${p}`).toBe(false)
    }
    // Photos: appended by work teams (RLS checks who and where), never changed or removed by a request.
    for (const p of ['UPDATE', 'DELETE', 'TRUNCATE']) expect(await priv('photo', p), `photo ${p}`).toBe(false)
    const col = async (table: string, c: string) =>
      (await t.db.query<{ ok: boolean }>('SELECT has_column_privilege($1, $2, $3, $4) AS ok', [APP_ROLE, table, c, 'SELECT'])).rows[0]!.ok
    expect(await col('member', 'name')).toBe(false)
    expect(await col('member', 'id_number')).toBe(false)
    expect(await col('household', 'phone')).toBe(false)
    expect(await col('member', 'name_masked')).toBe(true)
    expect(await col('household', 'phone_masked')).toBe(true)
    expect((await t.db.query<{ ok: boolean }>("SELECT has_table_privilege($1, 'app_secret', 'SELECT') AS ok", [APP_ROLE])).rows[0]!.ok).toBe(false)

    // Tried for real, as the request role with a full scope:
    const admin = await caller('province_admin', '43')
    await asApp(t.db, (tx) => tx.query("INSERT INTO audit_log (action, outcome) VALUES ('test.append', 'ok')"))
    for (const sql of ["UPDATE audit_log SET outcome = 'denied'", 'DELETE FROM audit_log', 'TRUNCATE audit_log', 'SELECT name FROM member LIMIT 1', 'SELECT id_number FROM member LIMIT 1', 'SELECT phone FROM household LIMIT 1', 'SELECT * FROM member LIMIT 1', "UPDATE household SET size = 1"]) {
      await expect(withCaller(t.db, admin, (tx) => tx.query(sql)), sql).rejects.toThrow(/permission denied/)
    }
    // Append-only holds for the owner too.
    await expect(t.db.query("UPDATE audit_log SET outcome = 'denied'")).rejects.toThrow(/append-only/)
    await expect(t.db.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/)
  })

  it('without a scope the request role sees no row of any scoped table, for every role', async () => {
    const tables = [...PERSONAL_TABLES, ...SCOPED_TABLES]
    for (const role of [null, ...ROLES]) {
      const counts = await t.db.transaction(async (tx) => {
        await tx.query("SELECT set_config('role', $1, true), set_config('povmap.role', $2, true)", [APP_ROLE, role ?? ''])
        const out: Record<string, number> = {}
        for (const table of tables) out[table] = (await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n
        return out
      })
      expect(counts, String(role)).toEqual(Object.fromEntries(tables.map((x) => [x, 0])))
    }
    // The owner sees them all (the data is there).
    const { rows } = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM household')
    expect(rows[0]!.n).toBe(600)
  })

  it('each role sees its own area and nothing else; department viewers, leaders and auditors see no household', async () => {
    const count = (c: DbCaller, sql: string) => withCaller(t.db, c, async (tx) => (await tx.query<{ n: number }>(sql)).rows[0]!.n)
    const households = 'SELECT count(*)::int AS n FROM household'
    expect(await count(await caller('province_admin', '43'), households)).toBe(600)
    expect(await count(await caller('county_officer', FIXTURE.county), households)).toBe(600)
    expect(await count(await caller('township_officer', FIXTURE.townships[0]!), households)).toBe(300)
    expect(await count(await caller('village_team', FIXTURE.villages[0]!), households)).toBe(150)
    expect(await count(await caller('village_team', FIXTURE.villages[0]!), 'SELECT count(*)::int AS n FROM member')).toBe(150)
    expect(await count(await caller('village_team', FIXTURE.villages[0]!), 'SELECT count(*)::int AS n FROM household_year')).toBe(150 * 7)
    expect(await count(await caller('township_officer', '433125001'), households)).toBe(0)
    for (const role of ['department_viewer', 'leader', 'auditor'] as const) {
      expect(await count(await caller(role, '43'), households), role).toBe(0)
      expect(await count(await caller(role, '43'), 'SELECT count(*)::int AS n FROM member'), role).toBe(0)
    }
    // Aggregates: in scope only, for every role that sees data.
    const agg = "SELECT count(DISTINCT area_code)::int AS n FROM household_agg WHERE level = 'village'"
    expect(await count(await caller('department_viewer', FIXTURE.townships[1]!), agg)).toBe(2)
    expect(await count(await caller('leader', '43'), agg)).toBe(4)
    expect(await count(await caller('auditor', '43'), agg)).toBe(0)
    expect(await count(await caller('township_officer', FIXTURE.townships[0]!), "SELECT count(*)::int AS n FROM household_agg WHERE area_code = '433124'")).toBe(0)
    // Divisions: the path up to the province and everything below.
    const areas = await withCaller(t.db, await caller('township_officer', FIXTURE.townships[0]!), async (tx) =>
      (await tx.query<{ code: string }>('SELECT code FROM admin_area ORDER BY code')).rows.map((r) => r.code),
    )
    expect(areas).toEqual(['43', '4331', '433124', '433124110', '433124110226', '433124110227'])
    // Projects: the village's own and the county-wide ones of its county.
    const projects = await withCaller(t.db, await caller('village_team', FIXTURE.villages[1]!), async (tx) => (await tx.query('SELECT id FROM project')).rows)
    expect(projects).toEqual([])
  })

  it('the masked columns equal the masking rules of the server, for any text (fuzzed, fixed seed)', async () => {
    const samples = fc.sample(fc.string({ minLength: 0, maxLength: 24, unit: fc.constantFrom(...'0123456789X张王欧阳龙某a'.split('')) }), { seed: 2013, numRuns: 60 })
    for (const s of samples) {
      const { rows } = await t.db.query<{ n: string; i: string; p: string }>('SELECT povmap_mask_name($1) AS n, povmap_mask_id_number($1) AS i, povmap_mask_phone($1) AS p', [s])
      expect(rows[0], s).toEqual({ n: maskName(s), i: maskIdNumber(s), p: maskPhone(s) })
    }
  })

  it('reveal: only case-working roles, only in scope, and always with an audit row written by the database', async () => {
    const { rows } = await t.db.query<{ ref: string }>('SELECT ref::text AS ref FROM household WHERE village_code = $1 ORDER BY id LIMIT 1', [FIXTURE.villages[0]])
    const ref = rows[0]!.ref
    const auditRows = async () => (await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE action = 'household.reveal' AND target = $1", [ref])).rows[0]!.n
    const reveal = (c: DbCaller) => withCaller(t.db, c, async (tx) => (await tx.query('SELECT * FROM povmap_reveal_household($1::uuid, $2)', [ref, 'home visit'])).rows)
    for (const role of ['province_admin', 'prefecture_officer', 'department_viewer', 'leader', 'auditor'] as const) {
      await expect(reveal(await caller(role, '43')), role).rejects.toThrow(/may not reveal/)
    }
    expect(await reveal(await caller('village_team', FIXTURE.villages[1]!))).toEqual([])
    expect(await auditRows()).toBe(0)
    // The actor is the session's user, whatever the process claims about it.
    const team = await caller('village_team', FIXTURE.villages[0]!)
    const shown = await reveal({ ...team, userId: 9, username: 'team.shibadong', ip: '127.0.0.1' })
    expect(shown).toEqual([
      { phone: expect.stringMatching(/^138[0-9]{8}$/), member_no: 0, name: null, id_number: null },
      { phone: null, member_no: 1, name: '龙某某', id_number: '43312419800101001X' },
    ])
    const { rows: audit } = await t.db.query('SELECT actor_id, actor_username, actor_role, outcome, area_code, detail, ip FROM audit_log WHERE action = $1 AND target = $2', ['household.reveal', ref])
    expect(audit).toEqual([{ actor_id: team.userId, actor_username: team.username, actor_role: 'village_team', outcome: 'ok', area_code: FIXTURE.villages[0], detail: { reason: 'home visit' }, ip: '127.0.0.1' }])
    // A reveal whose transaction rolls back leaves no trace and no data behind.
    await expect(
      withCaller(t.db, await caller('village_team', FIXTURE.villages[0]!), async (tx) => {
        await tx.query('SELECT * FROM povmap_reveal_household($1::uuid, $2)', [ref, 'rolled back'])
        throw new Error('client went away')
      }),
    ).rejects.toThrow(/client went away/)
    expect(await auditRows()).toBe(1)
  })

  it('the database trusts a live session, not settings: the request role forging a caller, reading or writing accounts, sessions or another actor’s audit rows is refused', async () => {
    const households = 'SELECT count(*)::int AS n FROM household'
    // Settings any role can set name nobody: the old povmap.scope / povmap.role are ignored.
    const forged = await asApp(t.db, async (tx) => {
      await tx.query("SELECT set_config('povmap.scope', '43', true), set_config('povmap.role', 'province_admin', true), set_config('povmap.user_id', '1', true)")
      return (await tx.query<{ n: number }>(households)).rows[0]!.n
    })
    expect(forged).toBe(0)
    await expect(
      asApp(t.db, async (tx) => {
        await tx.query("SELECT set_config('povmap.role', 'village_team', true), set_config('povmap.scope', $1, true)", [FIXTURE.villages[0]])
        const { rows } = await tx.query<{ ref: string }>('SELECT ref::text AS ref FROM household LIMIT 1')
        return tx.query("SELECT * FROM povmap_reveal_household(COALESCE($1, gen_random_uuid()::text)::uuid, 'forged settings')", [rows[0]?.ref ?? null])
      }),
    ).rejects.toThrow(/may not reveal/)
    // A made-up session id, or the stored hash of a real one, is an error, not a caller.
    const live = await caller('province_admin', '43')
    const { rows: hashRows } = await t.db.query<{ h: string }>('SELECT sid_hash AS h FROM app_session WHERE user_id = $1', [live.userId])
    for (const sid of ['made-up-session-id', hashRows[0]!.h]) {
      await expect(withCaller(t.db, { ...live, sid }, (tx) => tx.query(households)), sid).rejects.toThrow(/session has ended/)
    }
    expect(await withCaller(t.db, live, async (tx) => (await tx.query<{ n: number }>(households)).rows[0]!.n)).toBe(600)
    // A session still waiting for its second factor sees no data.
    const enrolling = await sessionCaller(t.db, 'county_officer', FIXTURE.county, { factor: 'enrol' })
    expect(await withCaller(t.db, enrolling, async (tx) => (await tx.query<{ n: number }>(households)).rows[0]!.n)).toBe(0)

    // Accounts and sessions: nothing, with or without a session. Nor may it become the accounts role.
    const other = await caller('auditor', '43')
    const refused = [
      'SELECT password_hash FROM app_user',
      'SELECT totp_secret FROM app_user',
      'SELECT id, username FROM app_user',
      `UPDATE app_user SET password_hash = 'x' WHERE id = ${other.userId}`,
      `UPDATE app_user SET totp_enabled = false, totp_secret = NULL WHERE id = ${other.userId}`,
      `UPDATE app_user SET disabled = true WHERE id = ${other.userId}`,
      "INSERT INTO app_user (username, display_name, role, scope_code, password_hash) VALUES ('mallory', 'm', 'province_admin', '43', 'x')",
      'SELECT * FROM app_session',
      `INSERT INTO app_session (sid_hash, user_id, data, expires_at) VALUES (repeat('a', 64), ${other.userId}, '{"factor":"ok"}', now() + interval '1 hour')`,
      `UPDATE app_session SET data = '{"factor":"ok"}'`,
      'DELETE FROM app_session',
      'SELECT * FROM app_secret',
    ]
    // (Switching roles is checked against the login, not the current role: that the request login of
    // APP_DATABASE_URL cannot become povmap_auth or the owner is tested below, on a server.)
    for (const sql of refused) {
      await expect(asApp(t.db, (tx) => tx.query(sql)), sql).rejects.toThrow(/permission denied/)
      await expect(withCaller(t.db, live, (tx) => tx.query(sql)), sql).rejects.toThrow(/permission denied/)
    }

    // Audit rows: the actor is the session's user, or nobody when no session is set.
    const insert = `INSERT INTO audit_log (actor_id, actor_username, actor_role, action, outcome) VALUES ($1, $2, $3, 'test.actor', 'ok')`
    const own = [live.userId, live.username, 'province_admin']
    await expect(withCaller(t.db, live, (tx) => tx.query(insert, own))).resolves.toBeDefined()
    await expect(asApp(t.db, (tx) => tx.query(insert, [null, null, null]))).resolves.toBeDefined()
    for (const [who, params] of [
      [live, [other.userId, other.username, 'auditor']],
      [live, [live.userId, live.username, 'auditor']],
      [live, [live.userId, 'someone.else', 'province_admin']],
      [live, [null, null, null]],
      [null, own],
      [null, [null, 'admin.hunan', null]],
    ] as [DbCaller | null, unknown[]][]) {
      await expect(withCaller(t.db, who, (tx) => tx.query(insert, params)), JSON.stringify(params)).rejects.toThrow(/row-level security/)
    }
  })

  it('a household added without an id gets a random one in [1, 2^48), clear of the loaded ids in [2^48, 2^49)', async () => {
    const { rows } = await t.db.query<{ lo: number; hi: number }>('SELECT min(id) AS lo, max(id) AS hi FROM household')
    expect(rows[0]!.lo).toBeGreaterThanOrEqual(2 ** 48)
    expect(rows[0]!.hi).toBeLessThan(2 ** 49)
    const ids = await t.db.transaction(async (tx) => {
      const out: number[] = []
      for (let i = 0; i < 3; i++) {
        const r = await tx.query<{ id: number }>(
          `INSERT INTO household (village_code, geom, size, identification_standard, attribute, main_cause, registered_year)
           VALUES ($1, ST_SetSRID(ST_MakePoint(109.51, 28.31), 4326), 2, 'national', 'general', 'illness', 2020) RETURNING id`,
          [FIXTURE.villages[0]],
        )
        out.push(r.rows[0]!.id)
      }
      // Leave the fixture as it was for the other tests.
      await tx.query('DELETE FROM household WHERE id = ANY ($1::bigint[])', [out])
      return out
    })
    expect(new Set(ids).size).toBe(3)
    for (const id of ids) {
      expect(Number.isSafeInteger(id)).toBe(true)
      expect(id).toBeGreaterThanOrEqual(1)
      expect(id).toBeLessThan(2 ** 48)
    }
  })

  it('the bounding-box operator is LEAKPROOF, so that tile queries keep their spatial index under RLS', async () => {
    const { rows } = await t.db.query<{ leakproof: boolean }>(
      `SELECT f.proleakproof AS leakproof FROM pg_operator o JOIN pg_proc f ON f.oid = o.oprcode
       WHERE o.oprname = '&&' AND o.oprleft = 'geometry'::regtype AND o.oprright = 'geometry'::regtype`,
    )
    expect(rows).toEqual([{ leakproof: true }])
    const plan = await withCaller(t.db, await caller('province_admin', '43'), async (tx) => {
      await tx.query('SET LOCAL enable_seqscan = off')
      const { rows } = await tx.query<Record<string, string>>('EXPLAIN SELECT id FROM household WHERE geom_3857 && ST_TileEnvelope(14, 13367, 6827)')
      return rows.map((r) => Object.values(r)[0]).join('\n')
    })
    expect(plan).toMatch(/household_geom_3857_idx/)
  })

  it('tile and query functions run as the caller (SECURITY INVOKER); definers are the reviewed list, with a fixed search_path', async () => {
    const { rows } = await t.db.query<{ name: string }>(
      `SELECT p.proname AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE n.nspname = 'public' AND p.prosecdef
         -- PostGIS's own (extension members) are not ours to judge
         AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
       ORDER BY 1`,
    )
    // A new definer fails here until someone has reviewed it and added it to REVIEWED_DEFINERS.
    expect(rows.map((r) => r.name)).toEqual([...REVIEWED_DEFINERS].sort())
    // A definer without its own search_path could be steered to objects a caller created.
    const { rows: unpinned } = await t.db.query<{ name: string }>(
      `SELECT p.proname AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE n.nspname = 'public' AND p.prosecdef AND p.proname = ANY($1::text[])
         AND NOT EXISTS (SELECT 1 FROM unnest(coalesce(p.proconfig, '{}')) c WHERE c LIKE 'search_path=%')`,
      [REVIEWED_DEFINERS],
    )
    expect(unpinned.map((r) => r.name)).toEqual([])
    const { rows: execs } = await t.db.query<{ ok: boolean }>(
      "SELECT has_function_privilege($1, 'povmap_reveal_household(uuid, text)', 'EXECUTE') AS ok UNION ALL SELECT has_function_privilege('public', 'povmap_reveal_household(uuid, text)', 'EXECUTE')",
      [APP_ROLE],
    )
    expect(execs.map((r) => r.ok)).toEqual([true, false])
  })

  /** A pool of exactly one connection: every transaction reuses the same server session. */
  async function onePool(): Promise<{ db: Db; close(): Promise<void> }> {
    if (t.db.kind === 'embedded') return { db: t.db, close: async () => {} }
    const db = createPgDb({ connectionString: t.location, poolMax: 1, connectTimeoutMs: 5000, statementTimeoutMs: 10_000 })
    return { db, close: () => db.close() }
  }

  it('a pooled connection of size 1 does not carry one caller into the next transaction, after commit, rollback or error', async () => {
    const p = await onePool()
    const bare = async () => (await p.db.query<{ u: string; s: string }>("SELECT current_user AS u, COALESCE(current_setting('povmap.sid', true), '') AS s")).rows[0]
    const owner = (await bare())!.u
    try {
      await withCaller(p.db, await caller('village_team', FIXTURE.villages[0]!), (tx) => tx.query('SELECT 1'))
      expect(await bare()).toEqual({ u: owner, s: '' })
      await expect(withCaller(p.db, await caller('village_team', FIXTURE.villages[0]!), async () => { throw new Error('boom') })).rejects.toThrow('boom')
      expect(await bare()).toEqual({ u: owner, s: '' })
      await expect(withCaller(p.db, await caller('village_team', FIXTURE.villages[0]!), (tx) => tx.query('SELECT 1/0'))).rejects.toThrow()
      expect(await bare()).toEqual({ u: owner, s: '' })
      // The next caller without a scope sees nothing, not the previous caller's village.
      expect(await asApp(p.db, async (tx) => (await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM household')).rows[0]!.n)).toBe(0)
      // Interleaved callers on the one connection: each sees exactly its own area, every time.
      const who = [await caller('village_team', FIXTURE.villages[0]!), await caller('village_team', FIXTURE.villages[3]!), await caller('township_officer', FIXTURE.townships[1]!), await caller('province_admin', '43')]
      const expected = [150, 150, 300, 600]
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          withCaller(p.db, who[i % 4]!, async (tx) => (await tx.query<{ n: number; v: string }>('SELECT count(*)::int AS n, min(village_code) AS v FROM household')).rows[0]!),
        ),
      )
      results.forEach((r, i) => {
        expect(r.n, `request ${i}`).toBe(expected[i % 4])
        expect(r.v.startsWith(who[i % 4]!.scope), `request ${i}`).toBe(true)
      })
    } finally {
      await p.close()
    }
  })

  it('over HTTP on a pool of size 1, alternating users never see each other’s area', async () => {
    const p = await onePool()
    let app: FastifyInstance | undefined
    try {
      app = await buildApp({ dataDir: t.location, db: p.db, serveClient: false })
      const a = await loginAs(app, t.db, 'village_team', { scope: FIXTURE.villages[0]! })
      const b = await loginAs(app, t.db, 'village_team', { scope: FIXTURE.villages[3]! })
      const codes = async (s: typeof a) => ((await s.inject('/api/search?q=%E6%9D%91')).json() as { code: string }[]).map((h) => h.code)
      for (let i = 0; i < 10; i++) {
        const [ra, rb] = await Promise.all([codes(a), codes(b)])
        expect(ra).toEqual([FIXTURE.villages[0]])
        expect(rb).toEqual([FIXTURE.villages[3]])
        expect((await a.inject(`/api/areas/${FIXTURE.villages[3]}/stats`)).statusCode).toBe(404)
        expect((await b.inject(`/api/areas/${FIXTURE.villages[3]}/stats`)).json().households).toBe(150)
      }
    } finally {
      await app?.close()
      await p.close()
    }
  })

  it.runIf(serverUrl)('APP_DATABASE_URL: a login role that is only a member of povmap_app serves scoped queries, cannot lock or change the audit log, cannot become the owner', async () => {
    const web = `povmap_t_web_${randomBytes(4).toString('hex')}`
    const { rows: me } = await t.db.query<{ u: string }>('SELECT current_user AS u')
    const ownerRole = me[0]!.u
    // Role names from this code only (identifiers cannot be bind parameters).
    await t.db.exec(`CREATE ROLE ${web} LOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS; GRANT ${APP_ROLE} TO ${web}`)
    const url = new URL(t.location)
    url.username = web
    const pool = (connectionString: string) => createPgDb({ connectionString, poolMax: 2, connectTimeoutMs: 5000, statementTimeoutMs: 10_000 })
    const webDb = pool(url.toString())
    const owner = pool(t.location)
    let app: FastifyInstance | undefined
    try {
      expect(await describeRequestLogin(webDb)).toEqual({ user: web, superuser: false, bypassRls: false, createRole: false, createDb: false, memberOf: [APP_ROLE], owns: 0 })
      expect(requestLoginProblem(await describeRequestLogin(webDb))).toBeNull()
      expect(requestLoginProblem(await describeRequestLogin(owner))).toMatch(/superuser|member of/)

      const requests = new RequestDb(owner, webDb)
      const who = await requests.withCaller(await caller('county_officer', FIXTURE.county), async (tx) =>
        (await tx.query<{ s: string; c: string; n: number }>('SELECT session_user AS s, current_user AS c, count(*)::int AS n FROM household')).rows[0],
      )
      expect(who).toEqual({ s: web, c: APP_ROLE, n: 600 })
      // Views (tile statements) too: their connections are the request login's, never the owner's.
      const viewed = await requests.view(await caller('county_officer', FIXTURE.county)).query<{ s: string; c: string; n: number }>(
        'SELECT session_user AS s, current_user AS c, count(*)::int AS n FROM household',
      )
      expect(viewed.rows[0]).toEqual({ s: web, c: APP_ROLE, n: 600 })
      // The whole app over it: sign-in, sessions, audit appends and a scoped household read.
      app = await buildApp({ dataDir: t.location, db: owner, requestPool: webDb, serveClient: false })
      const officer = await loginAs(app, owner, 'county_officer')
      const { rows: h } = await owner.query<{ ref: string }>('SELECT ref::text AS ref FROM household WHERE village_code = $1 LIMIT 1', [FIXTURE.villages[0]])
      const members = await officer.inject(`/api/households/${h[0]!.ref}/members`)
      expect(members.statusCode, members.body).toBe(200)
      expect((await owner.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE action = 'household.members' AND target = $1", [h[0]!.ref])).rows[0]!.n).toBe(1)

      // The audit log: no row lock, change or removal, neither as the login role nor as the request role.
      const admin = await caller('auditor', '43')
      for (const sql of ['SELECT id FROM audit_log FOR UPDATE', 'SELECT id FROM audit_log FOR NO KEY UPDATE', "UPDATE audit_log SET outcome = 'denied'", 'DELETE FROM audit_log', 'TRUNCATE audit_log']) {
        await expect(webDb.query(sql), `${web}: ${sql}`).rejects.toThrow(/permission denied/)
        await expect(requests.withCaller(admin, (tx) => tx.query(sql)), `${APP_ROLE}: ${sql}`).rejects.toThrow(/permission denied/)
      }
      // And no way up to the owner (or any other role).
      for (const sql of [`SET ROLE ${ownerRole}`, `SET SESSION AUTHORIZATION ${ownerRole}`, 'SET ROLE pg_write_all_data']) {
        await expect(webDb.query(sql), sql).rejects.toThrow(/permission denied/)
      }
      await expect(webDb.transaction((tx) => tx.query("SELECT set_config('role', $1, true)", [ownerRole]))).rejects.toThrow(/permission denied/)
      await expect(requests.withCaller(admin, (tx) => tx.query(`SET LOCAL ROLE ${ownerRole}`))).rejects.toThrow(/permission denied/)
      for (const sql of ['SELECT password_hash FROM app_user', 'SELECT * FROM app_session', "SELECT set_config('role', 'povmap_auth', true)"]) {
        await expect(webDb.transaction((tx) => tx.query(sql)), `${web}: ${sql}`).rejects.toThrow(/permission denied/)
      }
      // Alone, without switching to the request role, it reads nothing at all.
      await expect(webDb.query('SELECT count(*) FROM household')).rejects.toThrow(/permission denied/)
    } finally {
      await app?.close()
      await webDb.close()
      await owner.close()
      await t.db.exec(`DROP ROLE IF EXISTS ${web}`)
    }
  })

  it.runIf(serverUrl)('the request role is one per cluster: creating it again is harmless and its privileges are checked', async () => {
    // Another database of the same cluster migrates while this one exists (as the test databases do).
    const other = await openTestDb({ migrate: true, kind: 'server' })
    try {
      const { rows } = await other.db.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_roles WHERE rolname = $1', [APP_ROLE])
      expect(rows[0]!.n).toBe(1)
    } finally {
      await other.dispose()
    }
  })
})
