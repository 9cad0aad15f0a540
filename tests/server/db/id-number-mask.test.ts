/**
 * Masked ID numbers (issue 14, low): 433124********001X kept the sequence digits and the check digit; with
 * the birth year and sex beside it in the member list, a few dozen numbers fit. Now the area and the last
 * two characters stay: 433124**********1X, in the database's masked column (rows written before the
 * migration included), in free text it keeps, and in the server's own masking of log lines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { openTestDb, TMP_ROOT, type TestDb } from '../../helpers/test-db.js'
import { migrate } from '../../../server/migrations/runner.js'
import { migrationsDir } from '../../../server/infra/paths.js'
import { loadDataset } from '../../../geodata/load/load-dataset.js'
import { fixtureDataset, FIXTURE } from '../../helpers/fixture-dataset.js'
import { maskIdNumber, scrubPersonal } from '../../../domain/masking.js'

const ID = '43312419800101001X'
const MASKED = '433124**********1X'

describe('ID numbers are masked down to the area and the last two characters', () => {
  it('the server masks them so: 18 and 15 characters; anything shorter whole', () => {
    expect(maskIdNumber(ID)).toBe(MASKED)
    expect(maskIdNumber('433124198001011234')).toBe('433124**********34')
    expect(maskIdNumber('433124800101123')).toBe('433124*******23')
    expect(maskIdNumber('4331241980')).toBe('**********')
    expect(maskIdNumber('')).toBe('')
    const line = scrubPersonal(`call about ${ID} today`)
    expect(line).toBe(`call about ${MASKED} today`)
    expect(line).not.toMatch(/001X|19800101/)
  })

  describe('in the database', () => {
    let t: TestDb
    let before: string
    beforeAll(async () => {
      // The registry as it stood before the migration that changes the mask: rows already masked the old way.
      mkdirSync(TMP_ROOT, { recursive: true })
      before = mkdtempSync(join(TMP_ROOT, 'migrations-before-mask-'))
      for (const f of readdirSync(migrationsDir).filter((n) => /^\d{4}_/.test(n) && Number(n.slice(0, 4)) < 10)) cpSync(join(migrationsDir, f), join(before, f))
      t = await openTestDb()
      await migrate(t.db, before)
      await loadDataset(t.db, fixtureDataset({ householdsPerVillage: 5 }), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
      await t.db.query(
        `INSERT INTO photo (ref, subject, area_code, media_type, bytes, sha256, caption) VALUES (gen_random_uuid(), 'village', $1, 'image/jpeg', 1, repeat('a', 64), $2)`,
        [FIXTURE.villages[0], '门前 433124********001X 家'],
      )
      await migrate(t.db, migrationsDir)
    })
    afterAll(async () => {
      await t?.dispose()
      if (before) rmSync(before, { recursive: true, force: true })
    })

    it('every member row, old or new, carries the new mask', async () => {
      const { rows } = await t.db.query<{ masked: string; n: number }>('SELECT id_number_masked AS masked, count(*)::int AS n FROM member GROUP BY 1')
      expect(rows).toEqual([{ masked: MASKED, n: 20 }])
      const { rows: fresh } = await t.db.query<{ f: string; t: string }>('SELECT povmap_mask_id_number($1) AS f, povmap_mask_in_text($2) AS t', [ID, `reason: ${ID}, 13812345678`])
      expect(fresh).toEqual([{ f: MASKED, t: `reason: ${MASKED}, 138****5678` }])
      // Kept captions follow.
      expect((await t.db.query('SELECT caption FROM photo')).rows).toEqual([{ caption: `门前 ${MASKED} 家` }])
    })

    it('the request role still reads the masked column, and never the number', async () => {
      const can = async (column: string) =>
        (await t.db.query<{ ok: boolean }>("SELECT has_column_privilege('povmap_app', 'member', $1, 'SELECT') AS ok", [column])).rows[0]!.ok
      expect(await can('id_number_masked')).toBe(true)
      expect(await can('id_number')).toBe(false)
      expect(await can('name')).toBe(false)
    })
  })
})
