/**
 * An uploaded table as header and rows of text: XLSX (exceljs: the first sheet, and every sheet for layouts
 * of several) or CSV (papaparse) in UTF-8 (with or without BOM) or GB18030 (iconv-lite), the encoding of many
 * Chinese spreadsheets. Rows are numbered as the spreadsheet shows them: the header is row 1.
 */
import ExcelJS from 'exceljs'
import Papa from 'papaparse'
import iconv from 'iconv-lite'

export interface SheetTable {
  name: string
  headers: string[]
  rows: { row: number; cells: string[] }[]
}

export interface ParsedTable {
  headers: string[]
  rows: { row: number; cells: string[] }[]
  format: 'csv' | 'xlsx'
  encoding: 'utf-8' | 'gb18030' | null
  /** XLSX: every sheet with a header row, in the workbook's order (the first is headers and rows above). */
  sheets?: SheetTable[]
}

export class ImportFileError extends Error {}

/** Most rows one file may hold (a province's registry is imported per county). */
export const IMPORT_MAX_ROWS = 400_000

const isZip = (b: Buffer) => b.length > 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04

/** The text of a CSV file: UTF-8 when it decodes as such, else GB18030. */
export function decodeText(body: Buffer): { text: string; encoding: 'utf-8' | 'gb18030' } {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return { text: body.subarray(3).toString('utf8'), encoding: 'utf-8' }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(body), encoding: 'utf-8' }
  } catch {
    return { text: iconv.decode(body, 'gb18030'), encoding: 'gb18030' }
  }
}

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return ''
  if (typeof v === 'object') {
    if (v instanceof Date) return v.toISOString().slice(0, 10)
    if ('richText' in v) return v.richText.map((r) => r.text).join('')
    if ('result' in v) return v.result === undefined || v.result === null ? '' : String(v.result)
    if ('text' in v) return String(v.text)
    return ''
  }
  return String(v)
}

export async function parseTable(body: Buffer): Promise<ParsedTable> {
  if (isZip(body)) {
    const wb = new ExcelJS.Workbook()
    try {
      await wb.xlsx.load(body as unknown as ArrayBuffer)
    } catch {
      throw new ImportFileError('the file is neither CSV nor a readable XLSX workbook')
    }
    if (!wb.worksheets[0]) throw new ImportFileError('the workbook has no sheet')
    const total = wb.worksheets.reduce((n, ws) => n + ws.rowCount, 0)
    if (total > IMPORT_MAX_ROWS + wb.worksheets.length) throw new ImportFileError(`more than ${IMPORT_MAX_ROWS} rows: split the file`)
    const sheets = wb.worksheets.map((ws): SheetTable => {
      const width = ws.columnCount
      const read = (n: number) => Array.from({ length: width }, (_v, i) => cellText(ws.getRow(n).getCell(i + 1).value).trim())
      const rows: SheetTable['rows'] = []
      for (let n = 2; n <= ws.rowCount; n++) {
        const cells = read(n)
        if (cells.some((c) => c !== '')) rows.push({ row: n, cells })
      }
      return { name: ws.name, headers: read(1), rows }
    })
    const [first] = sheets
    return { headers: first!.headers, rows: first!.rows, format: 'xlsx', encoding: null, sheets }
  }
  const { text, encoding } = decodeText(body)
  // Blank lines are kept while parsing so that row numbers stay those of the file, then dropped.
  const all = Papa.parse<string[]>(text, { skipEmptyLines: false }).data
  if (all.length === 0 || all[0]!.every((h) => h.trim() === '')) throw new ImportFileError('the file is empty')
  if (all.length > IMPORT_MAX_ROWS + 1) throw new ImportFileError(`more than ${IMPORT_MAX_ROWS} rows: split the file`)
  const headers = all[0]!.map((h) => h.trim())
  const rows = all.slice(1).map((cells, i) => ({ row: i + 2, cells: cells.map((c) => c.trim()) })).filter((r) => r.cells.some((c) => c !== ''))
  return { headers, rows, format: 'csv', encoding }
}
