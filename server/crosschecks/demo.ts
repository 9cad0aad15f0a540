/**
 * The cross-check demo (npm run crosscheck:demo) as a function the command and its test share: the other
 * departments' registries generated with planted mismatches for an area, imported as the loader does
 * (no session, bulk COPY), then each rule's flags compared with what was planted.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Db } from '../db/types.js'
import { REGISTRY_KINDS } from '../../domain/crosschecks/registries.js'
import { MISID_DEFAULT_YEAR, RULES } from '../../domain/crosschecks/rules.js'
import { generateExternalRegistries, registryFile, type RegistryHousehold, type RegistryMember } from '../../geodata/generate/external-registries.js'
import { importRegistryFile } from './import.js'
import { scanMisidentification, type ScanResult } from './misid-scan.js'

const HOUSEHOLDS = 'SELECT id::float8 AS id, village_code, attribute, housing_safety FROM household WHERE starts_with(village_code, $1)'
const MEMBERS = `SELECT m.id::float8 AS id, m.household_id::float8 AS household_id, m.id_number, m.name, m.sex, m.birth_year, m.relation, m.in_school,
  m.medical_insurance, m.pension FROM member m JOIN household h ON h.id = m.household_id WHERE starts_with(h.village_code, $1)`
/** Cross-check flags of the area by rule: every one (any import) and whether this run's imports made it. */
const FLAGS = `SELECT rule, member_id::float8 AS "memberId", household_id::float8 AS "householdId", import_id = ANY ($2::bigint[]) AS "thisRun"
  FROM xc_flag WHERE year = 0 AND starts_with(village_code, $1)`

export interface DemoRule {
  code: string
  name: string
  planted: number
  /** Flags this run's imports made. */
  found: number
  /** Planted cases with no flag of the rule (from this run or an earlier one). */
  missing: string[]
  /** Flags this run made on a case that was not planted. */
  extra: string[]
}

export interface DemoResult {
  households: number
  members: number
  strangers: number
  rules: DemoRule[]
  /** Every rule flagged exactly its planted cases. */
  exact: boolean
  scan: ScanResult
  elapsedMs: number
}

export async function runCrosscheckDemo(
  db: Db,
  opts: { area: string; seed: number; perRule: number; dir?: string; log?: (m: string) => void },
): Promise<DemoResult> {
  const log = opts.log ?? (() => {})
  const households = (await db.query<RegistryHousehold>(HOUSEHOLDS, [opts.area])).rows
  const members = (await db.query<RegistryMember>(MEMBERS, [opts.area])).rows
  if (households.length === 0) throw new Error(`no household in ${opts.area}: load the demo data first (npm run load)`)
  const t0 = Date.now()
  const ext = generateExternalRegistries(households, members, { seed: opts.seed, perRule: opts.perRule })
  const importIds = await db.transaction(async (tx) => {
    await tx.exec('SET LOCAL statement_timeout = 0')
    const ids: number[] = []
    for (const kind of REGISTRY_KINDS) {
      const file = await registryFile(kind, ext.tables[kind])
      if (opts.dir) await writeFile(join(opts.dir, file.name), file.bytes)
      const r = await importRegistryFile(tx, { registry: kind, body: file.bytes, fileName: file.name, area: opts.area, userId: null, username: null, dryRun: false, bulk: 'copy' })
      if (r.errors.length > 0) throw new Error(`${file.name}: ${r.errors.length} rows refused, first: row ${r.errors[0]!.row} ${r.errors[0]!.column} ${r.errors[0]!.problem}`)
      log(`${file.name}: ${r.rows} rows, ${r.matched} matched, flags ${JSON.stringify(r.flags)}`)
      if (r.importId !== null) ids.push(r.importId)
    }
    return ids
  })
  const flags = (await db.query<{ rule: string; memberId: number | null; householdId: number | null; thisRun: boolean }>(FLAGS, [opts.area, importIds])).rows
  const key = (m: number | null, h: number | null) => `${m ?? '-'}/${h ?? '-'}`
  const rules = RULES.filter((r) => r.registry).map((rule) => {
    const planted = new Set(ext.planted.filter((p) => p.rule === rule.code).map((p) => key(p.memberId, p.householdId)))
    const mine = flags.filter((f) => f.rule === rule.code)
    const any = new Set(mine.map((f) => key(f.memberId, f.householdId)))
    const now = mine.filter((f) => f.thisRun).map((f) => key(f.memberId, f.householdId))
    return { code: rule.code, name: rule.name.zh, planted: planted.size, found: now.length, missing: [...planted].filter((k) => !any.has(k)), extra: now.filter((k) => !planted.has(k)) }
  })
  const scan = await scanMisidentification((fn) => db.transaction(fn), opts.area, MISID_DEFAULT_YEAR)
  return {
    households: households.length,
    members: members.length,
    strangers: ext.strangers.length,
    rules,
    exact: rules.every((r) => r.missing.length === 0 && r.extra.length === 0),
    scan,
    elapsedMs: Date.now() - t0,
  }
}
