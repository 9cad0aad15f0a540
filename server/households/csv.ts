/** A CSV cell, quoted when needed, with formula starts (= + - @ tab CR) neutralised against CSV injection. */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return ''
  let s = String(v)
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** Rows as CSV for spreadsheets: UTF-8 with a byte-order mark, CRLF line ends, a header line of the column names. */
export function csvDocument(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const lines = [columns.join(','), ...rows.map((row) => columns.map((c) => csvCell(row[c])).join(','))]
  return `\uFEFF${lines.join('\r\n')}\r\n`
}
