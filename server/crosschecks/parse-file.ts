import Papa from 'papaparse'
import ExcelJS from 'exceljs'
import iconv from 'iconv-lite'

/** A registry file as a header row and data rows of strings. */
export interface ParsedFile {
  format: 'csv' | 'xlsx'
  header: string[]
  rows: string[][]
}

export class FileFormatError extends Error {}

const isZip = (b: Buffer) => b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04

/**
 * CSV text: UTF-8 (with or without a byte-order mark), or GB18030/GBK as departments' Excel exports on
 * Chinese Windows write it (bytes that are not valid UTF-8 are read as GB18030).
 */
export function decodeText(b: Buffer): string {
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return b.subarray(3).toString('utf8')
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b)
  } catch {
    return iconv.decode(b, 'gb18030')
  }
}

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return ''
  if (v instanceof Date) return v.toISOString().slice(0, 10)
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((t) => t.text).join('')
    if ('text' in v && typeof v.text === 'string') return v.text
    if ('result' in v) return cellText(v.result as ExcelJS.CellValue)
    return ''
  }
  return String(v)
}

/**
 * Reads a CSV or XLSX file (told apart by its first bytes: an XLSX is a ZIP). XLSX: the first worksheet;
 * `maxRows` bounds the rows read, so a huge sheet is refused rather than held in memory.
 */
export async function parseRegistryFile(body: Buffer, maxRows: number): Promise<ParsedFile> {
  if (isZip(body)) {
    const wb = new ExcelJS.Workbook()
    try {
      await wb.xlsx.load(body as unknown as ArrayBuffer)
    } catch (err) {
      throw new FileFormatError('the file is neither a readable XLSX workbook nor CSV text', { cause: err })
    }
    const ws = wb.worksheets[0]
    if (!ws) throw new FileFormatError('the workbook has no worksheet')
    if (ws.rowCount > maxRows + 1) throw new FileFormatError(`the file has more than ${maxRows} rows`)
    const width = ws.columnCount
    const all: string[][] = []
    ws.eachRow({ includeEmpty: true }, (row) => {
      const cells: string[] = []
      for (let c = 1; c <= width; c++) cells.push(cellText(row.getCell(c).value))
      all.push(cells)
    })
    return { format: 'xlsx', header: all[0] ?? [], rows: all.slice(1) }
  }
  const text = decodeText(body)
  const parsed = Papa.parse<string[]>(text, { skipEmptyLines: 'greedy' })
  if (parsed.data.length > maxRows + 1) throw new FileFormatError(`the file has more than ${maxRows} rows`)
  const fatal = parsed.errors.find((e) => e.type === 'Quotes')
  if (fatal) throw new FileFormatError(`CSV: ${fatal.message} (row ${(fatal.row ?? 0) + 1})`)
  return { format: 'csv', header: parsed.data[0] ?? [], rows: parsed.data.slice(1) }
}
