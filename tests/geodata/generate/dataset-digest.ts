/**
 * SHA-256 digests of generated data, one per table, so that a checksum test names the table whose
 * values changed. Rows are hashed as canonical JSON (keys sorted): only values count, not the order in
 * which a generator happened to set its fields.
 */
import { createHash } from 'node:crypto'
import type { GeneratedTables } from '../../../geodata/generate/index.js'
import type { Dataset, Terrain } from '../../../geodata/generate/types.js'

function isNumberTree(v: readonly unknown[]): boolean {
  for (const x of v) if (typeof x !== 'number' && !(Array.isArray(x) && isNumberTree(x))) return false
  return true
}

// Rows of one table share their keys: sort each set of keys once.
const sortedKeys = new Map<string, [string, string][]>()

function keysOf(o: object): [string, string][] {
  const keys = Object.keys(o)
  const id = keys.join('\0')
  let sorted = sortedKeys.get(id)
  if (!sorted) sortedKeys.set(id, (sorted = keys.sort().map((k) => [k, `${JSON.stringify(k)}:`])))
  return sorted
}

/** Canonical JSON of a value: object keys sorted, arrays in order, undefined as null. */
export function canonicalJson(v: unknown): string {
  if (v === undefined) return 'null'
  if (v === null || typeof v !== 'object') return JSON.stringify(v)
  if (Array.isArray(v)) {
    // Coordinates: nested arrays of numbers are canonical as JSON already (and the bulk of the bytes).
    if (isNumberTree(v)) return JSON.stringify(v)
    let s = '['
    for (let i = 0; i < v.length; i++) s += (i > 0 ? ',' : '') + canonicalJson(v[i])
    return `${s}]`
  }
  const o = v as Record<string, unknown>
  let s = '{'
  let first = true
  for (const [k, quoted] of keysOf(o)) {
    s += (first ? '' : ',') + quoted + canonicalJson(o[k])
    first = false
  }
  return `${s}}`
}

/** Primitives, and arrays of them at any depth: JSON already canonical. */
function isFlat(v: unknown): boolean {
  return v === null || typeof v !== 'object' || (Array.isArray(v) && v.every(isFlat))
}

/** Every key any row has, sorted (rows of one table mostly share one key order: checked once per change). */
function columnsOf(rows: readonly object[]): string[] {
  const keys = new Set<string>()
  let last: string[] = []
  for (const r of rows) {
    const k = Object.keys(r)
    if (k.length !== last.length || k.some((x, i) => x !== last[i])) for (const x of (last = k)) keys.add(x)
  }
  return [...keys].sort()
}

/**
 * A table's rows, column by column: the row count, then each column (sorted by name) as one JSON array,
 * a missing value as null. Column-wise, JSON.stringify does the bulk of the work natively.
 */
export function digestRows(rows: readonly object[]): string {
  const hash = createHash('sha256').update(`${rows.length}\n`)
  for (const column of columnsOf(rows)) {
    const values = rows.map((r) => (r as Record<string, unknown>)[column] ?? null)
    hash.update(`${JSON.stringify(column)}:`)
    if (values.every(isFlat)) hash.update(JSON.stringify(values))
    else for (const v of values) hash.update(`${canonicalJson(v)},`)
    hash.update('\n')
  }
  return hash.digest('hex')
}

/** The DEM: its grid (bounds, size, cell) and every elevation, as little-endian int16. */
export function digestTerrain(t: Terrain): string {
  const { west, south, east, north, width, height, cellDeg } = t
  const bytes = Buffer.alloc(t.data.length * 2)
  for (let i = 0; i < t.data.length; i++) bytes.writeInt16LE(t.data[i]!, 2 * i)
  return createHash('sha256').update(canonicalJson({ west, south, east, north, width, height, cellDeg })).update(bytes).digest('hex')
}

export type TableDigests = Record<keyof Dataset, string>

// A record, not a list: the compiler insists on every table of Dataset.
const TABLES: Record<keyof Dataset, true> = {
  admin_area: true,
  indicator_def: true,
  indicator_value: true,
  road: true,
  water: true,
  school: true,
  clinic: true,
  household: true,
  household_year: true,
  member: true,
  project: true,
}

export function digestTables(d: Dataset): TableDigests {
  const out = {} as TableDigests
  for (const table of Object.keys(TABLES) as (keyof Dataset)[]) out[table] = digestRows(d[table])
  return out
}

/** One digest over several named digests (the whole dataset), in key order. */
export function digestOfDigests(parts: Record<string, string>): string {
  return createHash('sha256').update(canonicalJson(parts)).digest('hex')
}

/** What the checksum tests compare: the generator version, the registry counts and every digest. */
export function datasetDigests(d: GeneratedTables): { generator_version: string; registryCounts: GeneratedTables['registryCounts'] } & TableDigests & { terrain: string } {
  return { generator_version: d.generator_version, registryCounts: d.registryCounts, ...digestTables(d), terrain: digestTerrain(d.terrain) }
}
