/**
 * Assistance measures (帮扶措施) from a table (issue 19): one row per measure, the household by its head's ID
 * number or its ref. Rows are checked with the registry's validation (domain/registry/validation.ts,
 * measure.upsert) and the importer's area, then planned by the natural key household + family + start date:
 * no measure with that key → a new one; one → a change of the fields that differ (a progress note counts only
 * when the measure has no note with that text, so the same file twice changes nothing); several → a problem
 * (the key does not say which). A real run is one transaction: the province administrator's measures are
 * applied at once with their history (migration 0028), anyone else's become pending change requests of one
 * batch, reviewed like any other (a key already waiting for review is left alone).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import ExcelJS from 'exceljs'
import { mapHeaders } from '../../domain/reports/import-columns.js'
import { MEASURE_IMPORT_COLUMNS, normaliseDate } from '../../domain/reports/measure-import-columns.js'
import { DEMO_NOTE } from '../../domain/reports/labels.js'
import { validateChanges } from '../../domain/registry/validation.js'
import { maskIdNumber } from '../../domain/masking.js'
import type { Queryable } from '../db/types.js'
import { appendAudit, type AuditEntry } from '../audit/audit-log.js'
import { auditFields } from '../audit/request-audit.js'
import { refusalOf } from '../registry/refusals.js'
import { maskChanges } from '../registry/mask-changes.js'
import { ImportFileError, parseTable } from './import-parse.js'
import type { ImportProblem } from './import-households.js'
import { convertCell, type OtherPlan, type PlannedItem } from './import-projects.js'
import { templateCsv, templateXlsx } from './import-template.js'
import { BATCH_INSERT, BATCH_REQUESTS } from './import-queries.js'
import { MEASURE_APPLY, MEASURE_EXISTING, MEASURE_HOUSEHOLDS, MEASURE_PENDING, MEASURE_PROPOSE } from './import-measure-queries.js'

/** Roles that may run a measure import: the province administrator applies, the county, township and village offices propose. */
export const MEASURE_WRITERS = ['province_admin', 'county_officer', 'township_officer', 'village_team']

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
const COMPARED = ['family', 'title', 'cadre', 'amountYuan', 'startDate', 'targetDate', 'status'] as const
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

export interface MeasureWrite {
  ref: string
  householdId: number
  version: number
  changes: Record<string, unknown>
}

interface Household {
  id: number
  ref: string
  villageCode: string
  version: number
}

interface Existing {
  id: number
  householdId: number
  family: string
  title: string | null
  cadre: string
  amountYuan: number
  startDate: string
  targetDate: string
  status: string
  notes: string[]
}

export async function planMeasureImport(db: Queryable, body: Buffer, opts: { scope: string; mapping?: Readonly<Record<string, string>>; today?: Date }): Promise<OtherPlan<MeasureWrite>> {
  const table = await parseTable(body)
  const mapped = mapHeaders(table.headers, MEASURE_IMPORT_COLUMNS, opts.mapping)
  const columnOf = new Map<string, { index: number; header: string }>()
  mapped.forEach((col, index) => {
    if (col && !columnOf.has(col.key)) columnOf.set(col.key, { index, header: table.headers[index]! })
  })
  const base = { rows: table.rows.length, unmapped: table.headers.filter((_h, i) => mapped[i] === null), encoding: table.encoding, crs: null, converted: 0 }
  const head = (key: string) => MEASURE_IMPORT_COLUMNS.find((c) => c.key === key)!.headers[0]!
  const missing = [
    ...(!columnOf.has('headIdNumber') && !columnOf.has('householdRef') ? [head('headIdNumber')] : []),
    ...MEASURE_IMPORT_COLUMNS.filter((c) => c.required && !columnOf.has(c.key)).map((c) => c.headers[0]!),
  ]
  if (missing.length) return { ...base, errors: missing.map((m) => ({ row: 1, column: m, value: '', problem: '缺少此列（可在映射步骤中指定）' })), create: 0, change: 0, unchanged: 0, items: [], writes: [] }
  const errors: ImportProblem[] = []
  const problem = (row: number, key: string, value: string, text: string) => errors.push({ row, column: columnOf.get(key)?.header ?? head(key), value, problem: text })

  // 1. cells → changes, checked as a measure.upsert request would be.
  interface Row {
    row: number
    idNumber?: string
    ref?: string
    changes: Record<string, unknown>
  }
  const rows: Row[] = []
  for (const { row, cells } of table.rows) {
    const v: Record<string, string | number> = {}
    // Cells that could not be read: named once, and the validation below does not name them again.
    const unread = new Set<string>()
    let bad = false
    for (const col of MEASURE_IMPORT_COLUMNS) {
      const at = columnOf.get(col.key)
      if (!at) continue
      const text = cells[at.index] ?? ''
      const r = convertCell(col, col.key === 'startDate' || col.key === 'targetDate' ? normaliseDate(text) : text)
      if (r.problem) {
        problem(row, col.key, col.personal ? maskIdNumber(text) : text, r.problem)
        unread.add(col.key)
      } else if (r.value !== undefined) v[col.key] = r.value
    }
    const idNumber = typeof v.headIdNumber === 'string' ? v.headIdNumber.toUpperCase() : undefined
    const ref = typeof v.householdRef === 'string' ? v.householdRef.toLowerCase() : undefined
    if (!idNumber && !ref) {
      problem(row, columnOf.has('headIdNumber') ? 'headIdNumber' : 'householdRef', '', '必填项为空（户主身份证号或户编码）')
      bad = true
    } else if (ref && !UUID.test(ref)) {
      problem(row, 'householdRef', ref, '户编码格式不正确')
      bad = true
    }
    const changes: Record<string, unknown> = Object.fromEntries(
      ['family', 'title', 'cadre', 'amountYuan', 'startDate', 'targetDate', 'status', 'note'].filter((k) => v[k] !== undefined).map((k) => [k, v[k]]),
    )
    const fields = validateChanges('measure.upsert', changes, { today: opts.today }).filter((f) => !unread.has(f.field.replace(/^changes\./, '')))
    for (const f of fields) {
      const key = f.field.replace(/^changes\./, '')
      problem(row, columnOf.has(key) ? key : 'family', String(changes[key] ?? ''), f.message.zh)
    }
    if (!bad && unread.size === 0 && fields.length === 0) rows.push({ row, ...(idNumber ? { idNumber } : {}), ...(ref ? { ref } : {}), changes })
  }

  // 2. households, in the importer's area.
  const found = (await db.query<{ idNumber: string | null; ref_in: string | null } & Household>(MEASURE_HOUSEHOLDS, [
    [...new Set(rows.flatMap((r) => (r.idNumber ? [r.idNumber] : [])))],
    [...new Set(rows.flatMap((r) => (r.ref && !r.idNumber ? [r.ref] : [])))],
  ])).rows
  const byId = new Map(found.filter((f) => f.idNumber).map((f) => [f.idNumber!, f]))
  const byRef = new Map(found.filter((f) => f.ref_in).map((f) => [f.ref_in!, f]))
  const located: (Row & { h: Household })[] = []
  for (const r of rows) {
    const h = r.idNumber ? byId.get(r.idNumber) : byRef.get(r.ref!)
    const key = r.idNumber ? 'headIdNumber' : 'householdRef'
    const shown = r.idNumber ? maskIdNumber(r.idNumber) : r.ref!
    if (!h) problem(r.row, key, shown, '扶贫对象库中没有该户')
    else if (!h.villageCode.startsWith(opts.scope)) problem(r.row, key, shown, '该户不在您的辖区内')
    else located.push({ ...r, h: { id: Number(h.id), ref: h.ref, villageCode: h.villageCode, version: h.version } })
  }

  // 3. the natural key: household + family + start date.
  const ids = [...new Set(located.map((r) => r.h.id))]
  const existing = (await db.query<Existing>(MEASURE_EXISTING, [ids])).rows
  const pending = new Set((await db.query<{ householdId: number; family: string; startDate: string }>(MEASURE_PENDING, [ids])).rows.map((p) => `${Number(p.householdId)}|${p.family}|${p.startDate}`))
  const byKey = new Map<string, Existing[]>()
  for (const e of existing) {
    const k = `${Number(e.householdId)}|${e.family}|${e.startDate}`
    byKey.set(k, [...(byKey.get(k) ?? []), e])
  }
  const seen = new Map<string, number>()
  const items: PlannedItem[] = []
  const writes: MeasureWrite[] = []
  for (const r of located) {
    const k = `${r.h.id}|${r.changes.family}|${r.changes.startDate}`
    const label = `${r.idNumber ? maskIdNumber(r.idNumber) : r.h.ref}/${r.changes.family}/${r.changes.startDate}`
    if (seen.has(k)) {
      problem(r.row, 'startDate', String(r.changes.startDate), `与第 ${seen.get(k)} 行重复（同一户、同一类别、同一开始日期）`)
      continue
    }
    seen.set(k, r.row)
    const matches = byKey.get(k) ?? []
    if (matches.length > 1) {
      problem(r.row, 'startDate', String(r.changes.startDate), `该户有 ${matches.length} 条同类别、同开始日期的措施，无法确定对应哪一条`)
      continue
    }
    if (pending.has(k)) {
      items.push({ key: label, rows: [r.row], action: 'unchanged', diffs: [] })
      continue
    }
    const m = matches[0]
    if (!m) {
      items.push({ key: label, rows: [r.row], action: 'create', diffs: Object.entries(r.changes).map(([field, after]) => ({ field, before: null, after })) })
      writes.push({ ref: r.h.ref, householdId: r.h.id, version: r.h.version, changes: r.changes })
      continue
    }
    // The apply keeps a title when none is given; a note is new when the measure has none with that text.
    const diffs: { field: string; before: unknown; after: unknown }[] = COMPARED.filter((f) => r.changes[f] !== undefined && r.changes[f] !== (f === 'amountYuan' ? Number(m[f]) : m[f])).map((f) => ({ field: f, before: m[f], after: r.changes[f] }))
    if (typeof r.changes.note === 'string' && !m.notes.includes(r.changes.note)) diffs.push({ field: 'note', before: null, after: r.changes.note })
    if (diffs.length === 0) {
      items.push({ key: label, rows: [r.row], action: 'unchanged', diffs: [] })
      continue
    }
    // The workflow's measure.upsert replaces every field: send them all, the note only when new.
    const changes: Record<string, unknown> = { measureId: m.id, ...r.changes }
    if (!diffs.some((d) => d.field === 'note')) delete changes.note
    items.push({ key: label, rows: [r.row], action: 'change', diffs })
    writes.push({ ref: r.h.ref, householdId: r.h.id, version: r.h.version, changes })
  }
  errors.sort((a, b) => a.row - b.row)
  const count = (a: PlannedItem['action']) => items.filter((i) => i.action === a).length
  return { ...base, errors, items, create: count('create'), change: count('change'), unchanged: count('unchanged'), writes: errors.length ? [] : writes }
}

export interface MeasureRunOptions {
  role: string
  area: string
  noticeDays: number
  audit: Omit<AuditEntry, 'action' | 'outcome'>
}

/** The measures in the importer's transaction: applied (province administrator) or proposed, one batch. */
export async function runMeasurePlan(tx: Queryable, plan: OtherPlan<MeasureWrite>, opts: MeasureRunOptions): Promise<{ batch: number | null; mode: 'applied' | 'requests'; requests: number[] }> {
  const mode = opts.role === 'province_admin' ? 'applied' : 'requests'
  const detail = { kind: 'measures', mode, rows: plan.rows, create: plan.create, change: plan.change, unchanged: plan.unchanged }
  if (plan.writes.length === 0) {
    await appendAudit(tx, { ...opts.audit, action: 'import.run', outcome: 'ok', area: opts.area, detail })
    return { batch: null, mode, requests: [] }
  }
  const batch = (await tx.query<{ id: number }>(BATCH_INSERT, ['measures', opts.area, mode, plan.rows, plan.create, plan.change, plan.unchanged])).rows[0]!.id
  const reason = `批量导入帮扶措施（第 ${batch} 批）`
  const versions = new Map<number, number>()
  const requests: number[] = []
  for (const w of plan.writes) {
    const masked = maskChanges(w.changes)
    if (mode === 'applied') {
      // Each applied measure moves its household one version on.
      const version = versions.get(w.householdId) ?? w.version
      requests.push((await tx.query<{ id: number }>(MEASURE_APPLY, [w.ref, version, JSON.stringify(w.changes), JSON.stringify(masked), reason])).rows[0]!.id)
      versions.set(w.householdId, version + 1)
    } else {
      requests.push((await tx.query<{ id: number }>(MEASURE_PROPOSE, [w.ref, w.version, JSON.stringify(w.changes), JSON.stringify(masked), reason, opts.noticeDays])).rows[0]!.id)
    }
  }
  await tx.query(BATCH_REQUESTS, [batch, requests])
  await appendAudit(tx, { ...opts.audit, action: 'import.run', outcome: 'ok', area: opts.area, target: `import_batch:${batch}`, detail: { ...detail, requests: requests.length } })
  return { batch, mode, requests }
}

export async function measureTemplate(format: 'csv' | 'xlsx'): Promise<Buffer> {
  return format === 'csv' ? templateCsv(MEASURE_IMPORT_COLUMNS) : templateXlsx(MEASURE_IMPORT_COLUMNS, '帮扶措施')
}

async function reportWorkbook(plan: OtherPlan<MeasureWrite>): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  const p = wb.addWorksheet('问题', { views: [{ state: 'frozen', ySplit: 1 }] })
  p.addRow(['行号', '列', '值', '问题']).font = { bold: true }
  for (const e of plan.errors) p.addRow([e.row, e.column, e.value, e.problem])
  const s = wb.addWorksheet('处理结果', { views: [{ state: 'frozen', ySplit: 1 }] })
  s.addRow(['户/类别/开始日期', '行号', '处理', '变化']).font = { bold: true }
  const action = { create: '新增', change: '变更', unchanged: '无变化' }
  for (const h of plan.items) s.addRow([h.key, h.rows.join('、'), action[h.action], h.diffs.map((d) => `${d.field}: ${JSON.stringify(d.before)} → ${JSON.stringify(d.after)}`).join('；')])
  s.addRow([])
  s.addRow([`共 ${plan.rows} 行：新增 ${plan.create}，变更 ${plan.change}，无变化 ${plan.unchanged}，问题 ${plan.errors.length} 处。${DEMO_NOTE.zh}`])
  return Buffer.from(await wb.xlsx.writeBuffer())
}

/** The import route's answer for kind=measures. */
export async function importMeasures(app: FastifyInstance, req: FastifyRequest, reply: FastifyReply, q: { dryRun: boolean; format: 'json' | 'xlsx'; noticeDays: number }, mapping: Record<string, string>, body: Buffer) {
  const caller = req.caller!
  if (!q.dryRun && !MEASURE_WRITERS.includes(caller.role)) {
    return reply.code(403).send({ error: 'Forbidden', message: `the role ${caller.role} may check an import of measures (dry run) but not run one` })
  }
  try {
    const plan = await planMeasureImport(app.db, body, { scope: caller.scope, mapping })
    let run: Awaited<ReturnType<typeof runMeasurePlan>> | null = null
    if (!q.dryRun) {
      if (plan.errors.length) return reply.code(400).send({ error: 'Bad Request', message: `the file has ${plan.errors.length} problems: nothing was imported; run a dry run and correct them` })
      run = await app.scopedDb(req).run((tx) => runMeasurePlan(tx, plan, { role: caller.role, area: caller.scope, noticeDays: q.noticeDays, audit: auditFields(req) }))
    } else {
      await app.audit(req, { action: 'import.check', outcome: 'ok', area: caller.scope, detail: { kind: 'measures', rows: plan.rows, errors: plan.errors.length, create: plan.create, change: plan.change, unchanged: plan.unchanged } })
    }
    if (q.format === 'xlsx') return reply.type(XLSX_TYPE).header('content-disposition', 'attachment; filename="import-report.xlsx"').send(await reportWorkbook(plan))
    const { writes: _writes, items, ...rest } = plan
    return { ...rest, items: items.slice(0, 2000), dryRun: q.dryRun, ...(run ? { batch: run.batch, mode: run.mode, requests: run.requests.length } : {}) }
  } catch (err) {
    if (err instanceof ImportFileError) return reply.code(400).send({ error: 'Bad Request', message: err.message })
    const refusal = refusalOf(err)
    if (refusal) return reply.code(refusal.status === 403 ? 403 : 400).send({ error: refusal.status === 403 ? 'Forbidden' : 'Bad Request', message: `the registry refused a measure: ${refusal.en}; nothing was imported` })
    if ((err as { code?: string }).code === '42501') return reply.code(403).send({ error: 'Forbidden', message: 'the database refused the import: nothing was imported' })
    throw err
  }
}
