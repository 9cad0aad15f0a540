/**
 * Runs an import plan in ONE transaction of the importer (so a failure, a cancel or a killed process leaves
 * the database as it was): a county, township or village office's import becomes pending change requests of
 * one batch, reviewed like any other; the province administrator's is applied at once through the
 * workflow's apply, with its history. Idempotent by natural key: the plan holds only what differs.
 */
import type { Queryable } from '../db/types.js'
import { appendAudit, type AuditEntry } from '../audit/audit-log.js'
import { ImportCancelled, maskChanges, type ImportPlan } from './import-households.js'
import { BATCH_INSERT, BATCH_REQUESTS, IMPORT_APPLY, IMPORT_PROPOSE, IMPORT_VERSION } from './import-queries.js'

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

export async function runHouseholdPlan(tx: Queryable, plan: ImportPlan, opts: RunOptions): Promise<RunResult> {
  const mode = opts.role === 'province_admin' ? 'applied' : 'requests'
  const ops = plan.households.flatMap((h) => h.ops.map((op) => ({ op, key: h.key })))
  if (ops.length === 0) {
    await appendAudit(tx, { ...opts.audit, action: 'import.run', outcome: 'ok', area: opts.area, detail: { kind: 'households', mode, rows: plan.rows, create: 0, change: 0, unchanged: plan.unchanged } })
    return { batch: null, mode, requests: [] }
  }
  const batch = (await tx.query<{ id: number }>(BATCH_INSERT, ['households', opts.area, mode, plan.rows, plan.create, plan.change, plan.unchanged])).rows[0]!.id
  const reason = `批量导入（第 ${batch} 批）`
  const requests: number[] = []
  let i = 0
  for (const { op } of ops) {
    if (opts.isCancelled?.()) throw new ImportCancelled('cancelled')
    const changes = JSON.stringify(op.changes)
    const masked = JSON.stringify(maskChanges(op.changes))
    // Operations of one household in a row: each applied one moves its version on.
    const version = op.target ? (await tx.query<{ version: number }>(IMPORT_VERSION, [op.target])).rows[0]?.version ?? null : null
    const { rows } =
      mode === 'applied'
        ? await tx.query<{ id: number }>(IMPORT_APPLY, [op.kind, op.target ?? null, version, changes, masked, reason])
        : await tx.query<{ id: number }>(IMPORT_PROPOSE, [op.kind, op.target ?? null, version, changes, masked, reason, opts.noticeDays])
    requests.push(rows[0]!.id)
    if (++i % 50 === 0) opts.onProgress?.(i / ops.length)
  }
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
