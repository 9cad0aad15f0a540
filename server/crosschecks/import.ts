import type { Queryable } from '../db/types.js'
import { MAX_IMPORT_ROWS, type RegistryKind } from '../../domain/crosschecks/registries.js'
import { rulesOf } from '../../domain/crosschecks/rules.js'
import { validateRows, type RowError } from '../../domain/crosschecks/validate-rows.js'
import { parseRegistryFile } from './parse-file.js'
import { RULE_SQL, type CrosscheckRuleCode } from './rule-queries.js'

export interface ImportRequest {
  registry: RegistryKind
  body: Buffer
  fileName: string | null
  /** The area the import is for: the importer's own (the records match households in it only). */
  area: string
  /** The importing user; null for the demo loader (the owner, without a session). */
  userId: number | null
  username: string | null
  dryRun: boolean
  today?: Date
}

export interface ImportResult {
  registry: RegistryKind
  format: 'csv' | 'xlsx'
  rows: number
  errors: RowError[]
  /** Whether the records were written (a dry run or a file with errors writes nothing). */
  imported: boolean
  importId: number | null
  matched: number
  /** New flags by rule. */
  flags: Record<string, number>
}

const INSERT_IMPORT = `INSERT INTO xc_import (registry, area_code, file_name, format, rows, imported_by, imported_by_username)
VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`

const INSERT_RECORDS = `INSERT INTO xc_record (import_id, import_area, row_no, id_number, name, fields, area_code)
SELECT $1, $2, u.row_no, u.id_number, u.name, u.fields::jsonb, u.area_code
FROM unnest($3::int[], $4::text[], $5::text[], $6::text[], $7::text[]) AS u(row_no, id_number, name, fields, area_code)`

const MATCH = `SELECT povmap_crosscheck_match($1) AS matched`

const CHUNK = 5000

/**
 * Reads, checks and (unless a dry run or the file has errors) writes one registry file, matches it to the
 * registry and runs its registry's rules: all in the caller's transaction, so a failure writes nothing.
 */
export async function importRegistryFile(tx: Queryable, req: ImportRequest): Promise<ImportResult> {
  const file = await parseRegistryFile(req.body, MAX_IMPORT_ROWS)
  const { records, errors } = validateRows(req.registry, file.header, file.rows, req.today)
  const result: ImportResult = { registry: req.registry, format: file.format, rows: file.rows.length, errors, imported: false, importId: null, matched: 0, flags: {} }
  if (errors.length > 0 || req.dryRun) return result

  const { rows } = await tx.query<{ id: string }>(INSERT_IMPORT, [req.registry, req.area, req.fileName?.slice(0, 200) ?? null, file.format, records.length, req.userId, req.username])
  const importId = Number(rows[0]!.id)
  for (let i = 0; i < records.length; i += CHUNK) {
    const part = records.slice(i, i + CHUNK)
    await tx.query(INSERT_RECORDS, [
      importId,
      req.area,
      part.map((r) => r.row),
      part.map((r) => r.idNumber),
      part.map((r) => r.name),
      part.map((r) => JSON.stringify(r.fields)),
      part.map((r) => r.areaCode),
    ])
  }
  const matched = Number((await tx.query<{ matched: number }>(MATCH, [importId])).rows[0]!.matched)
  const flags: Record<string, number> = {}
  for (const rule of rulesOf(req.registry)) flags[rule.code] = (await tx.query(RULE_SQL[rule.code as CrosscheckRuleCode], [importId])).rowCount
  return { ...result, imported: true, importId, matched, flags }
}
