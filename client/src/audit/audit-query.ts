/**
 * The audit screen's filters and pages as GET /api/audit's query string. Pure functions: what the
 * form holds is checked here (an i18n key per field that is wrong) before anything is asked.
 */
import type { AUDIT_OUTCOMES as DOMAIN_OUTCOMES } from '../../../domain/schemas/audit.js'
import { isCode } from '../areas/codes.js'

export type AuditOutcome = (typeof DOMAIN_OUTCOMES)[number]
/** The domain's list, written out so that the client bundle does not load the schema module (TypeBox). */
export const AUDIT_OUTCOMES = ['ok', 'denied', 'failed'] as const satisfies readonly AuditOutcome[]
export const AUDIT_PAGE_SIZE = 50

export interface AuditFilters {
  /** Username, exact (the server compares in lower case). */
  user: string
  /** An administrative code: that area and everything below it. */
  area: string
  /** An action such as household.reveal. */
  action: string
  outcome: AuditOutcome | ''
  /** Local date and time as a datetime-local input gives it ('2024-05-01T08:30'), or ''. */
  from: string
  to: string
}

export const NO_FILTERS: Readonly<AuditFilters> = { user: '', area: '', action: '', outcome: '', from: '', to: '' }

const ACTION = /^[a-z][a-z_.]*$/

/** A datetime-local value as an ISO instant (the browser's time zone), or null when it is not one. */
export function localToIso(local: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?$/.test(local)) return null
  const d = new Date(local.includes('T') ? local : `${local}T00:00`)
  return Number.isNaN(d.getTime()) ? null : d.toISOString()
}

/** What is wrong with the filters, as an i18n key per field; empty when they can be sent. */
export function auditFilterProblems(f: AuditFilters): Partial<Record<keyof AuditFilters, string>> {
  const problems: Partial<Record<keyof AuditFilters, string>> = {}
  const user = f.user.trim()
  if (user.length > 40) problems.user = 'audit.problems.user'
  const area = f.area.trim()
  if (area && !isCode(area)) problems.area = 'audit.problems.area'
  const action = f.action.trim()
  if (action && (action.length > 40 || !ACTION.test(action))) problems.action = 'audit.problems.action'
  const from = f.from ? localToIso(f.from) : null
  const to = f.to ? localToIso(f.to) : null
  if (f.from && !from) problems.from = 'audit.problems.time'
  if (f.to && !to) problems.to = 'audit.problems.time'
  if (from && to && from >= to) problems.to = 'audit.problems.order'
  return problems
}

/** The query string of one page: `before` is the id the previous (newer) page answered as `next`. */
export function auditQuery(f: AuditFilters, before: number | null, limit: number = AUDIT_PAGE_SIZE): string {
  const q = new URLSearchParams()
  const user = f.user.trim()
  if (user) q.set('user', user)
  const area = f.area.trim()
  if (area) q.set('area', area)
  const action = f.action.trim()
  if (action) q.set('action', action)
  if (f.outcome) q.set('outcome', f.outcome)
  const from = f.from ? localToIso(f.from) : null
  if (from) q.set('from', from)
  const to = f.to ? localToIso(f.to) : null
  if (to) q.set('to', to)
  if (before !== null) q.set('before', String(before))
  q.set('limit', String(limit))
  return q.toString()
}

/**
 * Pages by cursor: the log is newest first and each answer names the id to continue from, so going
 * back means remembering the cursors of the pages seen. `cursors[i]` opens page i + 1 (null: the newest).
 */
export interface AuditPaging {
  cursors: (number | null)[]
}

export const firstPage = (): AuditPaging => ({ cursors: [null] })
export const currentCursor = (p: AuditPaging): number | null => p.cursors.at(-1) ?? null
export const older = (p: AuditPaging, next: number): AuditPaging => ({ cursors: [...p.cursors, next] })
export const newer = (p: AuditPaging): AuditPaging => (p.cursors.length > 1 ? { cursors: p.cursors.slice(0, -1) } : p)

/** An entry's detail as short "key: value" lines (nested values as compact JSON). */
export function detailLines(detail: Record<string, unknown>): string[] {
  return Object.entries(detail).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
}
