/**
 * Runs an import plan in ONE transaction of the importer (so a failure, a cancel or a killed process leaves
 * the database as it was): the plan's operations are staged in chunks (progress and cancel between them), then
 * one call of the database (migration 0023) checks them all again and either files them as pending change
 * requests of one batch (a county, township or village office's import, reviewed like any other) or applies
 * them with their history (the province administrator's), as set operations. Idempotent by natural key: the
 * plan holds only what differs.
 */
import type { Queryable } from '../db/types.js'
import { appendAudit, type AuditEntry } from '../audit/audit-log.js'
import { ImportCancelled, maskChanges, type ImportPlan } from './import-households.js'
import { BATCH_INSERT, BATCH_REQUESTS, IMPORT_APPLY_BATCH, IMPORT_LONG_STATEMENT, IMPORT_PROPOSE_BATCH, IMPORT_STAGE } from './import-queries.js'

export interface RunOptions {
  role: string
  area: string
  noticeDays: number
  /** Audit fields of the importer (who, from where). */
  audit: Omit<AuditEntry, 'action' | 'outcome'>
  onProgress?: (share: number) => void
  isCancelled?: () => boolean
}

export interface RunResult {
  batch: number | null
  mode: 'requests' | 'applied'
  requests: number[]
}

/** Roles whose import becomes change requests; the province administrator's is applied directly. */
export const PROPOSING_ROLES = ['county_officer', 'township_officer', 'village_team']

/** Operations per staging call (a household's creation with its members is about 1 kB of JSON). */
const STAGE_CHUNK = 5000
/** The share of the run's progress that staging stands for (the batch call is the rest). */
const STAGE_SHARE = 0.5

export async function runHouseholdPlan(tx: Queryable, plan: ImportPlan, opts: RunOptions): Promise<RunResult> {
  const mode = opts.role === 'province_admin' ? 'applied' : 'requests'
  const ops = plan.households.flatMap((h) => h.ops.map((op) => ({ op, key: h.key })))
  if (ops.length === 0) {
    await appendAudit(tx, { ...opts.audit, action: 'import.run', outcome: 'ok', area: opts.area, detail: { kind: 'households', mode, rows: plan.rows, create: 0, change: 0, unchanged: plan.unchanged } })
    return { batch: null, mode, requests: [] }
  }
  const batch = (await tx.query<{ id: number }>(BATCH_INSERT, ['households', opts.area, mode, plan.rows, plan.create, plan.change, plan.unchanged])).rows[0]!.id
  const reason = `批量导入（第 ${batch} 批）`
  // Chunks small enough for a few dozen progress steps on a small file, large enough to be few on a big one.
  const chunk = Math.min(STAGE_CHUNK, Math.max(1, Math.ceil(ops.length / 20)))
  for (let i = 0; i < ops.length; i += chunk) {
    if (opts.isCancelled?.()) throw new ImportCancelled('cancelled')
    const staged = ops.slice(i, i + chunk).map(({ op }) => ({ kind: op.kind, target: op.target ?? null, baseVersion: op.baseVersion ?? null, changes: op.changes, masked: maskChanges(op.changes) }))
    await tx.query(IMPORT_STAGE, [JSON.stringify(staged)])
    opts.onProgress?.((STAGE_SHARE * Math.min(ops.length, i + chunk)) / ops.length)
  }
  if (opts.isCancelled?.()) throw new ImportCancelled('cancelled')
  await tx.exec(IMPORT_LONG_STATEMENT)
  const { rows } =
    mode === 'applied'
      ? await tx.query<{ ids: number[] }>(IMPORT_APPLY_BATCH, [reason])
      : await tx.query<{ ids: number[] }>(IMPORT_PROPOSE_BATCH, [reason, opts.noticeDays])
  const requests = rows[0]!.ids.map(Number)
  await tx.query(BATCH_REQUESTS, [batch, requests])
  await appendAudit(tx, {
    ...opts.audit,
    action: 'import.run',
    outcome: 'ok',
    area: opts.area,
    target: `import_batch:${batch}`,
    detail: { kind: 'households', mode, rows: plan.rows, create: plan.create, change: plan.change, unchanged: plan.unchanged, requests: requests.length },
  })
  opts.onProgress?.(1)
  return { batch, mode, requests }
}
