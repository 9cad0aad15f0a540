import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { openTestDb, TMP_ROOT, type TestDb } from '../../helpers/test-db.js'
import { loadDataset } from '../../../geodata/load/load-dataset.js'
import { createTestUser } from '../../helpers/auth.js'
import { openEmbeddedDb } from '../../../server/db/embedded-db.js'
import { createPgDb } from '../../../server/db/pg-db.js'
import type { Db } from '../../../server/db/types.js'
import { repoRoot } from '../../../server/infra/paths.js'
import { FIXTURE } from '../../helpers/fixture-dataset.js'
import { reportDataset } from './report-dataset.js'
import { csvText, householdRows, idOf, pointIn, type HouseholdRow } from './import-fixtures.js'

const COUNTS = `SELECT (SELECT count(*) FROM household)::int AS households, (SELECT count(*) FROM member)::int AS members,
  (SELECT count(*) FROM change_request)::int AS requests, (SELECT count(*) FROM household_history)::int AS history,
  (SELECT count(*) FROM import_batch)::int AS batches, (SELECT count(*) FROM audit_log WHERE action = 'import.run')::int AS runs`

/**
 * A real import killed half-way (SIGKILL of the process running it, `npm run import`) leaves the database as it
 * was: the run is one transaction.
 */
describe('an import process killed half-way', () => {
  let t: TestDb
  let db: Db
  let file: string

  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    await loadDataset(t.db, reportDataset(), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
    await createTestUser(t.db, 'province_admin', { scope: '43' })
    const households: HouseholdRow[] = Array.from({ length: 240 }, (_v, n) => ({
      village: FIXTURE.villages[n % 4]!,
      at: pointIn(n % 4, 0.002 + (n % 13) * 0.001, 0.002 + (n % 11) * 0.0015),
      members: [{ name: `龙${n}`, sex: 'M' as const, id: idOf(n, 'M', '433124', '19700101'), relation: '户主' }],
    }))
    const dir = mkdtempSync(join(TMP_ROOT, 'import-'))
    file = join(dir, 'households.csv')
    writeFileSync(file, csvText(householdRows(households)))
    db = t.db
  }, 120_000)
  afterAll(async () => {
    await db?.close().catch(() => undefined)
    if (t) await t.dispose().catch(() => undefined)
  })

  it('leaves every table as before', async () => {
    const before = (await db.query(COUNTS)).rows[0]
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent' }
    if (db.kind === 'embedded') {
      // One process at a time on an embedded data directory.
      await db.close()
      env.DATA_DIR = t.location
      delete env.DATABASE_URL
    } else env.DATABASE_URL = t.location
    // node itself with tsx as a loader (the tsx command would run the script in a child of its own, out of reach of the kill).
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli/import.ts', '--file', file, '--role', 'province_admin', '--area', '43'], { cwd: repoRoot, env })
    let err = ''
    let killedAt: string | null = null
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString()
      const m = /import (\d+)%/g
      for (const x of err.matchAll(m)) {
        if (killedAt === null && Number(x[1]) >= 45 && Number(x[1]) < 100) {
          killedAt = x[0]
          child.kill('SIGKILL')
        }
      }
    })
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, s) => resolve(s)))
    expect(killedAt, err.slice(-2000)).not.toBeNull()
    expect(signal).toBe('SIGKILL')
    expect(err).not.toMatch(/committed/)
    db = db.kind === 'embedded' ? await openEmbeddedDb({ dataDir: t.location }) : createPgDb({ connectionString: t.location, poolMax: 2, connectTimeoutMs: 5000, statementTimeoutMs: 60_000 })
    expect((await db.query(COUNTS)).rows[0]).toEqual(before)
  }, 240_000)
})
