import type { Geometry } from 'geojson'
import { toEwkt } from './ewkt.js'

function isGeometry(v: object): v is Geometry {
  return 'type' in v && ('coordinates' in v || 'geometries' in v)
}

const quote = (s: string) => `"${s.replaceAll('"', '""')}"`

/** PostgreSQL array literal for text[]: every element quoted, so commas and braces are safe. */
function pgTextArray(items: readonly unknown[]): string {
  return `{${items.map((i) => `"${String(i).replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`
}

/** One CSV field for COPY … WITH (FORMAT csv): unquoted empty = NULL, everything else quoted when needed. */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return ''
  if (typeof v === 'boolean') return v ? 't' : 'f'
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`cannot load a non-finite number (${v})`)
    return String(v)
  }
  if (typeof v === 'string') return v === '' || /[",\n\r]/.test(v) ? quote(v) : v
  if (Array.isArray(v)) return quote(pgTextArray(v))
  if (typeof v === 'object' && isGeometry(v)) {
    const text = toEwkt(v)
    return text.includes(',') ? quote(text) : text
  }
  throw new Error(`cannot load a value of type ${typeof v}`)
}

/** Rows → CSV text chunks of at most `rowsPerChunk` rows, in the given column order. */
export async function* csvChunks<R extends object>(
  rows: Iterable<R> | AsyncIterable<R>,
  columns: readonly (keyof R & string)[],
  rowsPerChunk = 5000,
  onRows?: (n: number) => void,
): AsyncGenerator<string> {
  let lines: string[] = []
  for await (const row of rows) {
    lines.push(columns.map((c) => csvField(row[c])).join(','))
    if (lines.length >= rowsPerChunk) {
      yield lines.join('\n') + '\n'
      onRows?.(lines.length)
      lines = []
    }
  }
  if (lines.length) {
    yield lines.join('\n') + '\n'
    onRows?.(lines.length)
  }
}
