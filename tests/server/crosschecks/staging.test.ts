import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDb, type TestDb } from '../../helpers/test-db.js'
import { loadDataset } from '../../../geodata/load/load-dataset.js'
import { sessionCaller } from '../../helpers/auth.js'
import { withCaller, type DbCaller } from '../../../server/db/caller-transactions.js'
import { writeRegistryRecords } from '../../../server/crosschecks/import.js'
import type { Queryable } from '../../../server/db/types.js'
import type { ExternalRecord } from '../../../domain/crosschecks/validate-rows.js'
import type { Dataset } from '../../../geodata/generate/types.js'
import { crosscheckDataset } from './crosscheck-fixture.js'

// The set-based write of an import (migration 0026): staged rows reach xc_record exactly (awkward text
// included, through COPY on a server and batched INSERTs embedded), matched to the lowest-id member of the
// area by ID number, in file order; only the caller's own fresh import can be staged and matched, once.
describe('crosschecks: staged import', () => {
  let t: TestDb
  let data: Dataset
  let county: DbCaller
  const bulk = () => (t.db.kind === 'server' ? 'copy' : 'insert') as 'copy' | 'insert'
  const sql = async <R = Record<string, unknown>>(text: string, params: unknown[] = []) => (await t.db.query<R>(text, params)).rows

  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    data = crosscheckDataset(4)
    // Two members share an ID number (a data error the registry may hold): the lower id matches.
    data.member[5] = { ...data.member[5]!, id_number: data.member[2]!.id_number }
    await loadDataset(t.db, data, { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
    county = await sessionCaller(t.db, 'county_officer', '433124')
  }, 120_000)
  afterAll(async () => {
    await t?.dispose()
  })

  it('writes every staged row as it was, matched by ID number in the area, in file order', async () => {
    const stranger = '430102198001010013'
    const records: ExternalRecord[] = [
      { row: 2, idNumber: data.member[0]!.id_number, name: '龙,"某"', areaCode: null, fields: { plate: '湘U,"1"\n2', vehicleType: '小型轿车', owner: null, registered: '2018-05-01', state: '正常' } },
      { row: 3, idNumber: stranger, name: '张三', areaCode: '433124110226', fields: { plate: '', vehicleType: '普通二轮摩托车', registered: null, state: '注销', note: 'a\\b\r\nc' } },
      { row: 5, idNumber: data.member[5]!.id_number, name: "O'Neil", areaCode: null, fields: { plate: '湘U3', vehicleType: '小型轿车', registered: '2019-01-01', state: '正常' } },
    ]
    const written = await withCaller(t.db, county, (tx) =>
      writeRegistryRecords(tx, { registry: 'vehicles', fileName: 'v.csv', area: '433124', userId: county.userId, username: county.username, bulk: bulk() }, 'csv', records),
    )
    expect(written.matched).toBe(2)
    const stored = await sql<{ row_no: number; id_number: string; name: string; fields: unknown; area_code: string | null; member_id: string | null; import_area: string; person_key: string }>(
      'SELECT row_no, id_number, name, fields, area_code, member_id, import_area, person_key FROM xc_record WHERE import_id = $1 ORDER BY id',
      [written.importId],
    )
    expect(stored.map((r) => ({ row: r.row_no, idNumber: r.id_number, name: r.name, areaCode: r.area_code, fields: r.fields }))).toEqual(records)
    const lowest = Math.min(...data.member.filter((m) => m.id_number === data.member[5]!.id_number).map((m) => m.id))
    expect(stored.map((r) => (r.member_id === null ? null : Number(r.member_id)))).toEqual([data.member[0]!.id, null, lowest])
    expect(lowest).toBe(data.member[2]!.id)
    expect(stored.every((r) => r.import_area === '433124' && /^[0-9a-f]{32}$/.test(r.person_key))).toBe(true)
    expect(await sql('SELECT rows, matched FROM xc_import WHERE id = $1', [written.importId])).toEqual([{ rows: 3, matched: 2 }])
  })

  it('refuses records written directly, another caller’s import, a second match, and a staged count other than declared', async () => {
    await expect(
      withCaller(t.db, county, (tx) => tx.query("INSERT INTO xc_record (import_id, import_area, row_no, id_number, name, fields) VALUES (1, '433124', 2, '430102198001010013', 'x', '{}')")),
    ).rejects.toThrow(/permission denied/)
    const newImport = (tx: Queryable, c: DbCaller, rows: number) =>
      tx
        .query<{ id: string }>("INSERT INTO xc_import (registry, area_code, format, rows, imported_by, imported_by_username) VALUES ('vehicles', $1, 'csv', $2, $3, $4) RETURNING id", [c.scope, rows, c.userId, c.username])
        .then((r) => r.rows[0]!.id)
    // Another officer of the same county stages nothing for this one's import.
    const mine = await withCaller(t.db, county, (tx) => newImport(tx, county, 1))
    const other = await sessionCaller(t.db, 'county_officer', '433124')
    await expect(withCaller(t.db, other, (tx) => tx.query('SELECT povmap_crosscheck_stage($1)', [mine]))).rejects.toThrow(/not the caller/)
    // Matching without staging, and with fewer rows staged than declared.
    await expect(withCaller(t.db, county, async (tx) => tx.query('SELECT povmap_crosscheck_match($1)', [await newImport(tx, county, 1)]))).rejects.toThrow(/no staged records/)
    await expect(
      withCaller(t.db, county, async (tx) => {
        const id = await newImport(tx, county, 2)
        await tx.query('SELECT povmap_crosscheck_stage($1)', [id])
        await tx.query("INSERT INTO pg_temp.xc_stage (row_no, id_number, name, fields) VALUES (2, '430102198001010013', 'x', '{}')")
        return tx.query('SELECT povmap_crosscheck_match($1)', [id])
      }),
    ).rejects.toThrow(/declares 2 rows, 1 are staged/)
    // The request role may only insert into the staging table, not read or change it.
    await expect(
      withCaller(t.db, county, async (tx) => {
        await tx.query('SELECT povmap_crosscheck_stage($1)', [await newImport(tx, county, 1)])
        return tx.query('SELECT * FROM pg_temp.xc_stage')
      }),
    ).rejects.toThrow(/permission denied/)
    // An import matched once cannot be staged or matched again (its records would be written twice).
    const done = await withCaller(t.db, county, (tx) =>
      writeRegistryRecords(tx, { registry: 'vehicles', fileName: null, area: '433124', userId: county.userId, username: county.username, bulk: bulk() }, 'csv', [
        { row: 2, idNumber: '430102198001010013', name: '张三', areaCode: null, fields: { plate: '湘U9', vehicleType: '小型轿车', registered: null, state: '正常' } },
      ]),
    )
    await expect(withCaller(t.db, county, (tx) => tx.query('SELECT povmap_crosscheck_stage($1)', [done.importId]))).rejects.toThrow(/matched already/)
    // Nothing else was written; the first test's import of the registry was replaced by this one.
    expect(await sql('SELECT import_id::int AS "importId", count(*)::int AS n FROM xc_record GROUP BY import_id')).toEqual([{ importId: done.importId, n: 1 }])
  })
})
