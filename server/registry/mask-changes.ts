import { maskIdNumber, maskName, maskPhone } from '../../domain/masking.js'

/**
 * The proposed values as every reader gets them: names, ID numbers and phones masked like the member list
 * (the clear values stay in change_request.changes, which only the database functions read).
 */
export function maskChanges(v: unknown, key = ''): unknown {
  if (Array.isArray(v)) return v.map((x) => maskChanges(x))
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, maskChanges(x, k)]))
  if (typeof v !== 'string') return v
  if (key === 'name') return maskName(v)
  if (key === 'idNumber') return maskIdNumber(v)
  if (key === 'phone') return maskPhone(v)
  return v
}
