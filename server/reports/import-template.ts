/** Empty import files with the expected Chinese headers and one example row (CSV UTF-8 with BOM, or XLSX). */
import ExcelJS from 'exceljs'
import { stringify } from 'csv-stringify/sync'
import { HOUSEHOLD_KEY_COLUMN, type ImportColumn } from '../../domain/reports/import-columns.js'
import { DEMO_NOTE } from '../../domain/reports/labels.js'

export function templateCsv(columns: readonly ImportColumn[]): Buffer {
  const body = stringify([columns.map((c) => c.headers[0]!), columns.map((c) => c.example)], { record_delimiter: 'windows' })
  return Buffer.from(`\uFEFF${body}`, 'utf8')
}

/** One sheet of a template: the headers, one example row, text cells, drop-down lists for coded columns. */
function addSheet(wb: ExcelJS.Workbook, sheet: string, columns: readonly ImportColumn[]): void {
  const ws = wb.addWorksheet(sheet, { views: [{ state: 'frozen', ySplit: 1 }] })
  ws.addRow(columns.map((c) => c.headers[0]!)).font = { bold: true }
  // Text cells: ID numbers and codes must not become numbers (Excel would drop digits).
  ws.addRow(columns.map((c) => c.example))
  columns.forEach((c, i) => {
    const col = ws.getColumn(i + 1)
    col.width = Math.max(10, c.headers[0]!.length * 2 + 4)
    col.numFmt = '@'
    if (c.values) {
      const options = [...new Set(Object.keys(c.values).filter((k) => /\p{Script=Han}/u.test(k)))]
      const list = `"${options.join(',')}"`
      if (list.length <= 255) for (let r = 2; r <= 200; r++) ws.getCell(r, i + 1).dataValidation = { type: 'list', allowBlank: !c.required, formulae: [list] }
    }
  })
}

export async function templateXlsx(columns: readonly ImportColumn[], sheet: string): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  addSheet(wb, sheet, columns)
  const notes = wb.addWorksheet('说明')
  notes.addRow(['每行一名家庭成员；同一户的各行填写相同的户主身份证号和户信息。'])
  notes.addRow(['必填列：' + columns.filter((c) => c.required).map((c) => c.headers[0]).join('、')])
  notes.addRow([DEMO_NOTE.zh])
  return Buffer.from(await wb.xlsx.writeBuffer())
}

/** Households on one sheet (户信息), members on another (家庭成员), joined by 户编号. */
export async function templateTwoSheets(columns: readonly ImportColumn[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  addSheet(wb, '户信息', [HOUSEHOLD_KEY_COLUMN, ...columns.filter((c) => c.part !== 'member')])
  addSheet(wb, '家庭成员', [HOUSEHOLD_KEY_COLUMN, ...columns.filter((c) => c.part === 'member')])
  const notes = wb.addWorksheet('说明')
  notes.addRow(['“户信息”表每行一户，“家庭成员”表每行一名成员；两表以“户编号”对应（也可都用“户主身份证号”）。'])
  notes.addRow(['必填列：' + columns.filter((c) => c.required).map((c) => c.headers[0]).join('、')])
  notes.addRow([DEMO_NOTE.zh])
  return Buffer.from(await wb.xlsx.writeBuffer())
}
