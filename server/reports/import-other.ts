/**
 * The import route's answer for projects and indicator values (issue 19); households stay in import-routes.ts.
 * A dry run plans and reports; a real run of the province administrator or a prefecture or county officer
 * (PROJECT_WRITERS) writes in one transaction through migration 0024's functions, and only when the file has
 * no problem. Tiles follow by themselves: the tables' triggers bump the 'projects' and 'villages' layer versions.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import ExcelJS from 'exceljs'
import { DEMO_NOTE } from '../../domain/reports/labels.js'
import { PROJECT_IMPORT_COLUMNS, INDICATOR_IMPORT_COLUMNS } from '../../domain/reports/project-import-columns.js'
import { auditFields } from '../audit/request-audit.js'
import { ImportFileError } from './import-parse.js'
import { planProjectImport, runOtherPlan, type OtherPlan } from './import-projects.js'
import { planIndicatorImport } from './import-indicators.js'
import { INDICATOR_IMPORT, PROJECT_IMPORT } from './import-other-queries.js'
import { templateCsv, templateXlsx } from './import-template.js'

/** Roles that may run a project or indicator import (dry runs: every registry role). */
export const PROJECT_WRITERS = ['province_admin', 'prefecture_officer', 'county_officer']

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

export interface OtherQuery {
  kind: 'projects' | 'indicators'
  dryRun: boolean
  format: 'json' | 'xlsx'
  crs?: string
}

async function reportWorkbook(plan: OtherPlan<unknown>, kind: OtherQuery['kind']): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  const p = wb.addWorksheet('问题', { views: [{ state: 'frozen', ySplit: 1 }] })
  p.addRow(['行号', '列', '值', '问题']).font = { bold: true }
  for (const e of plan.errors) p.addRow([e.row, e.column, e.value, e.problem])
  p.columns.forEach((c, i) => (c.width = [8, 16, 24, 60][i]))
  const s = wb.addWorksheet('处理结果', { views: [{ state: 'frozen', ySplit: 1 }] })
  s.addRow([kind === 'projects' ? '项目编号' : '村/指标/年度', '行号', '处理', '变化', ...(kind === 'projects' ? ['GCJ-02 已转换'] : [])]).font = { bold: true }
  const action = { create: '新增', change: '变更', unchanged: '无变化' }
  for (const h of plan.items) {
    s.addRow([h.key, h.rows.join('、'), action[h.action], h.diffs.map((d) => `${d.field}: ${JSON.stringify(d.before)} → ${JSON.stringify(d.after)}`).join('；'), ...(kind === 'projects' ? [h.converted ? '是' : ''] : [])])
  }
  s.columns.forEach((c, i) => (c.width = [28, 10, 8, 80, 14][i]))
  s.addRow([])
  s.addRow([`共 ${plan.rows} 行：新增 ${plan.create}，变更 ${plan.change}，无变化 ${plan.unchanged}，问题 ${plan.errors.length} 处。${plan.crs ? `坐标系：${plan.crs}。` : ''}${DEMO_NOTE.zh}`])
  return Buffer.from(await wb.xlsx.writeBuffer())
}

/** The template of a kind other than households. */
export async function otherTemplate(kind: OtherQuery['kind'], format: 'csv' | 'xlsx'): Promise<Buffer> {
  const columns = kind === 'projects' ? PROJECT_IMPORT_COLUMNS : INDICATOR_IMPORT_COLUMNS
  return format === 'csv' ? templateCsv(columns) : templateXlsx(columns, kind === 'projects' ? '扶贫项目' : '村级指标')
}

export async function importOther(app: FastifyInstance, req: FastifyRequest, reply: FastifyReply, q: OtherQuery, mapping: Record<string, string>, body: Buffer) {
  const caller = req.caller!
  if (!q.dryRun && !PROJECT_WRITERS.includes(caller.role)) {
    return reply.code(403).send({ error: 'Forbidden', message: `the role ${caller.role} may check an import of ${q.kind} (dry run) but not run one` })
  }
  const opts = { scope: caller.scope, anywhere: caller.role === 'province_admin', mapping, crs: q.crs ?? null }
  try {
    const plan: OtherPlan<unknown> = q.kind === 'projects' ? await planProjectImport(app.db, body, opts) : await planIndicatorImport(app.db, body, opts)
    let batch: number | null = null
    if (!q.dryRun) {
      if (plan.errors.length) {
        return reply.code(400).send({ error: 'Bad Request', message: `the file has ${plan.errors.length} problems: nothing was imported; run a dry run and correct them` })
      }
      batch = (
        await app.scopedDb(req).run((tx) => runOtherPlan(tx, plan, q.kind === 'projects' ? PROJECT_IMPORT : INDICATOR_IMPORT, { kind: q.kind, area: caller.scope, audit: auditFields(req) }))
      ).batch
    } else {
      await app.audit(req, { action: 'import.check', outcome: 'ok', area: caller.scope, detail: { kind: q.kind, rows: plan.rows, errors: plan.errors.length, create: plan.create, change: plan.change, unchanged: plan.unchanged } })
    }
    if (q.format === 'xlsx') return reply.type(XLSX_TYPE).header('content-disposition', 'attachment; filename="import-report.xlsx"').send(await reportWorkbook(plan, q.kind))
    const { writes: _writes, items, ...rest } = plan
    return { ...rest, items: items.slice(0, 2000), dryRun: q.dryRun, ...(q.dryRun ? {} : { batch, mode: 'applied' as const }) }
  } catch (err) {
    if (err instanceof ImportFileError) return reply.code(400).send({ error: 'Bad Request', message: err.message })
    // The owner-rights functions' last word (a file changed between check and run, or a race): nothing written.
    const code = (err as { code?: string }).code
    if (code === '42501') return reply.code(403).send({ error: 'Forbidden', message: 'the database refused the import (outside your area): nothing was imported' })
    if (code === '22023') return reply.code(400).send({ error: 'Bad Request', message: 'the database refused a row of the import: nothing was imported; run a dry run again' })
    throw err
  }
}
