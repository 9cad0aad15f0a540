/**
 * Reports as an Excel workbook (exceljs): one sheet per table, Chinese titles and headers with their
 * units, the header rows frozen, a total row, the table's note and the 示例数据 note under it.
 */
import ExcelJS from 'exceljs'
import { DEMO_NOTE } from '../../domain/reports/labels.js'
import { REPORT_TABLE_BY_ID } from '../../domain/reports/tables.js'
import type { Report } from '../../domain/reports/schemas.js'

const HEADER_ROWS = 3

/** Adds one report as a sheet. */
export function addReportSheet(wb: ExcelJS.Workbook, report: Report, sheetName?: string): ExcelJS.Worksheet {
  const name = (sheetName ?? REPORT_TABLE_BY_ID.get(report.id)?.sheet ?? report.id).slice(0, 31)
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', xSplit: 2, ySplit: HEADER_ROWS }], pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 } })
  const width = 2 + report.columns.length
  ws.addRow([`${report.area.name} ${report.year}年 ${report.title}`])
  ws.mergeCells(1, 1, 1, width)
  ws.getRow(1).font = { bold: true, size: 14 }
  const units = [...new Set(report.columns.map((c) => c.unit))].join('、')
  ws.addRow([`单位：${units}`, '', `统计范围：${report.area.name}（${report.area.code}）`])
  ws.addRow(['区划代码', '区划名称', ...report.columns.map((c) => `${c.title}（${c.unit}）`)])
  const header = ws.getRow(HEADER_ROWS)
  header.font = { bold: true }
  header.alignment = { wrapText: true, vertical: 'middle', horizontal: 'center' }
  header.height = 42
  for (const r of report.rows) ws.addRow([r.code, r.name, ...report.columns.map((c) => Number(r[c.key] ?? 0))])
  const total = ws.addRow(['', '合计', ...report.columns.map((c) => report.total[c.key] ?? 0)])
  total.font = { bold: true }
  if (report.note) ws.addRow([`说明：${report.note}`])
  if (report.snapshot) {
    const s = report.snapshot
    ws.addRow([`冻结报表：${s.period}（${s.periodKind === 'year' ? '年报' : s.periodKind === 'quarter' ? '季报' : '月报'}），${s.createdBy} 于 ${s.createdAt} 冻结；以上为冻结时的数字。`])
    const titles = new Map(report.columns.map((c) => [c.key, c.title]))
    ws.addRow([(report.changes ?? []).length ? '冻结后发生的变化：' : '冻结后数字没有变化。'])
    for (const c of report.changes ?? []) ws.addRow([c.code, c.name, titles.get(c.column) ?? c.column, c.frozen, c.current])
  }
  ws.addRow([DEMO_NOTE.zh])
  ws.getColumn(1).width = 15
  ws.getColumn(2).width = 22
  for (let i = 3; i <= width; i++) {
    ws.getColumn(i).width = 12
    ws.getColumn(i).numFmt = '#,##0'
  }
  return ws
}

/** A workbook of the reports given, as bytes. */
export async function reportsWorkbook(reports: readonly Report[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  wb.creator = 'povmap 精准扶贫一张图'
  wb.created = new Date()
  for (const r of reports) addReportSheet(wb, r)
  return Buffer.from(await wb.xlsx.writeBuffer())
}
