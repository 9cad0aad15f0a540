/**
 * The registry workflow's tests share this set-up: a migrated database of their own with the small fixture
 * (湘西 → 花垣县 → 2 townships → 4 villages around 十八洞村), the app with NOTICE_DAYS as asked and tile
 * versions read on every request, and signed-in users of each role.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { buildApp } from '../../../server/app.js'
import { mkdirSync, mkdtempSync } from 'node:fs'
import { join } from 'node:path'
import { openTestDb, TMP_ROOT, type TestDb } from '../../helpers/test-db.js'
import { fixtureDataset, FIXTURE } from '../../helpers/fixture-dataset.js'
import { loadDataset } from '../../../geodata/load/load-dataset.js'
import { loginAs, type TestSession } from '../../helpers/auth.js'
import { idCheckChar } from '../../../domain/registry/validation.js'
import type { Role } from '../../../domain/roles.js'
import type { Db, Queryable } from '../../../server/db/types.js'

export { FIXTURE }

export interface RegistryWorld {
  t: TestDb
  app: FastifyInstance
  sql<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>
  as(role: Role, scope?: string): Promise<TestSession>
  /** Every statement the app sent since the last clear (session look-ups included). */
  statements: string[]
  close(): Promise<void>
}

/** The database with every statement the app sends recorded (inside transactions too). */
function recording(db: Db, into: string[]): Db {
  const wrap = (q: Queryable): Queryable => ({
    query: (sql, params, o) => (into.push(sql), q.query(sql, params, o)),
    exec: (sql) => (into.push(sql), q.exec(sql)),
    copyFrom: (t, c, r) => q.copyFrom(t, c, r),
  })
  return { ...wrap(db), kind: db.kind, transaction: (fn) => db.transaction((tx) => fn(wrap(tx))), close: () => db.close() }
}

export async function registryWorld(opts: { noticeDays?: number; householdsPerVillage?: number } = {}): Promise<RegistryWorld> {
  const t = await openTestDb({ migrate: true })
  await loadDataset(t.db, fixtureDataset({ householdsPerVillage: opts.householdsPerVillage ?? 12 }), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
  const statements: string[] = []
  // On the server kind t.location is a URL: photos go to a directory of the test's own.
  mkdirSync(TMP_ROOT, { recursive: true })
  const dataDir = t.db.kind === 'embedded' ? t.location : mkdtempSync(join(TMP_ROOT, 'registry-'))
  const app = await buildApp({
    dataDir,
    db: recording(t.db, statements),
    serveClient: false,
    registry: { noticeDays: opts.noticeDays ?? 0 },
    tiles: { tileService: { versionTtlMs: 0 } },
    hardening: { rateLimit: { apiPerMinute: 100_000, tilesPerMinute: 100_000 } },
  })
  return {
    t,
    app,
    sql: async <R = Record<string, unknown>>(text: string, params: unknown[] = []) => (await t.db.query<R>(text, params)).rows,
    as: (role: Role, scope?: string) => loginAs(app, t.db, role, scope ? { scope } : {}),
    statements,
    async close() {
      await app.close()
      await t.dispose()
    },
  }
}

/** A valid GB 11643 ID number of 花垣县 with this birth date and sequence (odd last sequence digit: a man). */
export function idNumber(birth = '19800101', seq = '001'): string {
  const first = `433124${birth}${seq}`
  return first + idCheckChar(first)
}
let serial = 100
/** A fresh valid ID number (unique within a test run). */
export const freshId = (sex: 'M' | 'F' = 'M'): string => {
  serial += 2
  return idNumber('19850315', String(serial + (sex === 'M' ? 1 : 0)).padStart(3, '0').slice(-3))
}

export const post = (s: TestSession, url: string, payload: unknown = {}): Promise<LightMyRequestResponse> => s.inject({ method: 'POST', url, payload: payload as object })

/** A household of the village (default 十八洞村) with its ref, version and latest status. */
export async function householdOf(w: RegistryWorld, opts: { village?: string; status?: string; skip?: number } = {}) {
  const rows = await w.sql<{ id: string; ref: string; version: number; status: string; size: number; village: string }>(
    `SELECT h.id::text AS id, h.ref::text AS ref, h.version, y.status, h.size, h.village_code AS village
     FROM household h JOIN household_year y ON y.household_id = h.id AND y.year = (SELECT max(year) FROM household_year x WHERE x.household_id = h.id)
     WHERE h.village_code = $1 AND ($2::text IS NULL OR y.status = $2) ORDER BY h.id OFFSET $3 LIMIT 1`,
    [opts.village ?? FIXTURE.villages[0], opts.status ?? null, opts.skip ?? 0],
  )
  if (!rows[0]) throw new Error(`no household in ${opts.village ?? FIXTURE.villages[0]} with status ${opts.status}`)
  return rows[0]
}

/** A point inside a fixture village (the villages are squares of FIXTURE.cell degrees). */
export function insideVillage(i = 0): [number, number] {
  const [x0, y0] = FIXTURE.origin
  return [x0 + (i % 2) * FIXTURE.cell + FIXTURE.cell / 2 + 0.001, y0 + Math.floor(i / 2) * FIXTURE.cell + FIXTURE.cell / 2 + 0.001]
}
