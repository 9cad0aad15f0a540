/**
 * A change request side by side: one row per field it touches, with the value before (as the request
 * recorded it, or the record as it is now) and the value proposed. Pure: the review screen renders it.
 */
import type { ChangeRequest } from './registry-api.js'

export interface DiffRow {
  /** Path into the changes: `mainCause`, `member.idNumber`, `members[0].name`, `status`. */
  field: string
  before: unknown
  after: unknown
  /** Whether the value differs (a new record's fields all count as changed). */
  changed: boolean
}

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Nested objects and arrays of objects as `a.b` / `a[0].b` paths; arrays of plain values stay whole. */
export function flatten(o: Obj, prefix = ''): Obj {
  const out: Obj = {}
  for (const [k, v] of Object.entries(o)) {
    const p = prefix ? `${prefix}.${k}` : k
    if (isObj(v)) Object.assign(out, flatten(v, p))
    else if (Array.isArray(v) && v.some(isObj)) v.forEach((x, i) => (isObj(x) ? Object.assign(out, flatten(x, `${p}[${i}]`)) : (out[`${p}[${i}]`] = x)))
    else out[p] = v
  }
  return out
}

/** The status a kind of change leads to (shown as the `status` row). */
export const STATUS_AFTER: Readonly<Record<string, string>> = { 'household.exit': 'lifted', 'household.return': 'returned', 'household.remove': 'removed' }

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null)

/**
 * The rows of a request. `before` is what the fields held: the request's own `before` when the server
 * recorded it, else the caller's current view of the target (flattened the same way).
 */
export function diffRows(req: Pick<ChangeRequest, 'kind' | 'changes'>, before: Obj | null): DiffRow[] {
  const changes = req.changes ?? {}
  const was = before ? flatten(before) : {}
  const rows: DiffRow[] = []
  const status = STATUS_AFTER[req.kind]
  if (status) rows.push({ field: 'status', before: was.status ?? null, after: status, changed: was.status !== status })
  const fresh = req.kind === 'household.create' || req.kind === 'member.add' || (req.kind === 'measure.upsert' && changes.measureId == null)
  // A member change names the member by number: the before values are that member's.
  const member = req.kind === 'member.update' || req.kind === 'member.remove' ? Number(changes.memberNo) : null
  for (const [field, after] of Object.entries(flatten(changes))) {
    if (field === 'memberNo' || field === 'measureId') continue
    let prior: unknown = fresh ? null : (was[field] ?? null)
    if (member !== null && prior === null) prior = was[`members[${member - 1}].${field}`] ?? was[`member.${field}`] ?? null
    rows.push({ field, before: prior, after, changed: fresh || !same(prior, after) })
  }
  if (req.kind === 'member.remove') rows.unshift({ field: 'memberNo', before: changes.memberNo, after: null, changed: true })
  return rows
}
