import { performance } from 'node:perf_hooks'
import type { Queryable } from '../db/types.js'
import { MAX_IMPORT_ROWS, type RegistryKind } from '../../domain/crosschecks/registries.js'
import { rulesOf } from '../../domain/crosschecks/rules.js'
import { validateRows, type ExternalRecord, type RowError } from '../../domain/crosschecks/validate-rows.js'
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
  /**
   * How the records reach the staging table: COPY (a server's request role copies from STDIN), or batched
   * INSERTs where COPY is a file read the request role may not do (the embedded database's COPY).
   */
  bulk: 'copy' | 'insert'
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

/** The staging table of povmap_crosscheck_stage (migration 0026), in the transaction's temporary schema. */
const STAGE = `SELECT povmap_crosscheck_stage($1)`
const STAGE_TABLE = 'xc_stage'
const STAGE_COLUMNS = ['row_no', 'id_number', 'name', 'fields', 'area_code'] as const
const STAGE_INSERT = `INSERT INTO pg_temp.xc_stage (row_no, id_number, name, fields, area_code)
SELECT u.row_no, u.id_number, u.name, u.fields::jsonb, u.area_code FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[]) AS u(row_no, id_number, name, fields, area_code)`
const MATCH = `SELECT povmap_crosscheck_match($1) AS matched`

/** Matched records from which the rules are planned with hash joins only. */
const BIG_IMPORT = 20_000

/**
 * Rows per COPY chunk: small enough that each chunk's strings die young (10,000-row chunks lived long
 * enough to be promoted, and the full collections that followed tripled the time to stage 1 M rows).
 */
const COPY_CHUNK = 1000
/** Rows per INSERT where COPY is not allowed. */
const INSERT_CHUNK = 10_000

/** A CSV field for COPY: quoted when it holds a quote, comma or line break (unquoted empty is NULL). */
const csvField = (v: string) => (/[",\r\n]/.test(v) || v === '' ? `"${v.replace(/"/g, '""')}"` : v)

/** The checked records as COPY CSV chunks for the staging table. */
export function* stageCsv(records: readonly ExternalRecord[]): Generator<string> {
  for (let i = 0; i < records.length; i += COPY_CHUNK) {
    let out = ''
    for (let k = i; k < Math.min(i + COPY_CHUNK, records.length); k++) {
      const r = records[k]!
      out += `${r.row},${csvField(r.idNumber)},${csvField(r.name)},${csvField(JSON.stringify(r.fields))},${r.areaCode === null ? '' : csvField(r.areaCode)}\n`
    }
    yield out
  }
}

/** A file read and checked row by row: its records when it has no error. Writes nothing. */
export async function checkRegistryFile(registry: RegistryKind, body: Buffer, opts: { maxRows?: number; today?: Date } = {}) {
  const file = await parseRegistryFile(body, opts.maxRows ?? MAX_IMPORT_ROWS)
  const { records, errors } = validateRows(registry, file.header, file.rows, opts.today)
  return { format: file.format, rows: file.rows.length, records, errors }
}

export interface WrittenImport {
  importId: number
  matched: number
  /** New flags by rule. */
  flags: Record<string, number>
}

/** Phase times of writeRegistryRecords (the benchmark reads them). */
export interface WriteTimings {
  stage: number
  match: number
  rules: number
}

/**
 * Writes checked records as one import of the caller's: COPY (or batched INSERTs) into the transaction's staging table, one
 * set-based statement that matches them by ID number and writes them into xc_record
 * (povmap_crosscheck_match), then the registry's rules, each one INSERT … SELECT.
 */
export async function writeRegistryRecords(
  tx: Queryable,
  req: Pick<ImportRequest, 'registry' | 'fileName' | 'area' | 'userId' | 'username' | 'bulk'>,
  format: 'csv' | 'xlsx',
  records: readonly ExternalRecord[],
  timings?: WriteTimings,
): Promise<WrittenImport> {
  const now = () => performance.now()
  let t0 = now()
  const { rows } = await tx.query<{ id: string }>(INSERT_IMPORT, [req.registry, req.area, req.fileName?.slice(0, 200) ?? null, format, records.length, req.userId, req.username])
  const importId = Number(rows[0]!.id)
  await tx.query(STAGE, [importId])
  if (req.bulk === 'copy') await tx.copyFrom(STAGE_TABLE, STAGE_COLUMNS, stageCsv(records))
  else {
    for (let i = 0; i < records.length; i += INSERT_CHUNK) {
      const part = records.slice(i, i + INSERT_CHUNK)
      await tx.query(STAGE_INSERT, [part.map((r) => r.row), part.map((r) => r.idNumber), part.map((r) => r.name), part.map((r) => JSON.stringify(r.fields)), part.map((r) => r.areaCode)])
    }
  }
  if (timings) timings.stage = now() - t0
  t0 = now()
  const matched = Number((await tx.query<{ matched: number }>(MATCH, [importId])).rows[0]!.matched)
  if (timings) timings.match = now() - t0
  t0 = now()
  const flags: Record<string, number> = {}
  // The planner cannot know how many of the records just written meet a rule's condition on their fields
  // (it guesses a handful) and joins them to members and households row by row; past some thousands of
  // matched records, hash joins are several times faster. Transaction-local, and put back after the rules.
  const was = matched > BIG_IMPORT ? (await tx.query<{ was: string }>(`SELECT current_setting('enable_nestloop') AS was, set_config('enable_nestloop', 'off', true)`)).rows[0]!.was : null
  for (const rule of rulesOf(req.registry)) flags[rule.code] = (await tx.query(RULE_SQL[rule.code as CrosscheckRuleCode], [importId])).rowCount
  if (was !== null) await tx.query(`SELECT set_config('enable_nestloop', $1, true)`, [was])
  if (timings) timings.rules = now() - t0
  return { importId, matched, flags }
}

/**
 * Reads, checks and (unless a dry run or the file has errors) writes one registry file, matches it to the
 * registry and runs its registry's rules: all in the caller's transaction, so a failure writes nothing.
 */
export async function importRegistryFile(tx: Queryable, req: ImportRequest): Promise<ImportResult> {
  const file = await checkRegistryFile(req.registry, req.body, { today: req.today })
  const result: ImportResult = { registry: req.registry, format: file.format, rows: file.rows, errors: file.errors, imported: false, importId: null, matched: 0, flags: {} }
  if (file.errors.length > 0 || req.dryRun) return result
  const written = await writeRegistryRecords(tx, req, file.format, file.records)
  return { ...result, imported: true, ...written }
}
