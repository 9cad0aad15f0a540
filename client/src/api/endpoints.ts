/** One function per API route the client uses. */
import { getCached, getFile, getJson, postJson } from './http.js'
import type { Area, AreaStats, SearchHit } from '../../../domain/schemas/areas.js'
import type { AuditLogPage } from '../../../domain/schemas/audit.js'
import type { AreaIndicators, ChildrenIndicator, Diagnosis, Indicator, Inspection, Projects } from '../../../domain/schemas/diagnosis.js'
import type { Health } from '../../../domain/schemas/health.js'
import type { Household, HouseholdMembers } from '../../../domain/schemas/households.js'

const enc = encodeURIComponent

export const api = {
  health: (signal?: AbortSignal) => getJson<Health>('/api/health', signal),
  area: (code: string, signal?: AbortSignal) => getCached<Area>(`/api/areas/${enc(code)}`, signal),
  children: (code: string, signal?: AbortSignal) => getCached<Area[]>(`/api/areas/${enc(code)}/children`, signal),
  stats: (code: string, year: number, signal?: AbortSignal) => getJson<AreaStats>(`/api/areas/${enc(code)}/stats?year=${year}`, signal),
  search: (q: string, signal?: AbortSignal) => getJson<SearchHit[]>(`/api/search?q=${enc(q)}&limit=12`, signal),
  indicators: (signal?: AbortSignal) => getCached<Indicator[]>('/api/indicators', signal),
  areaIndicators: (code: string, year: number, signal?: AbortSignal) =>
    getJson<AreaIndicators>(`/api/areas/${enc(code)}/indicators?year=${year}`, signal),
  childrenIndicator: (code: string, indicator: string, year: number, signal?: AbortSignal) =>
    getJson<ChildrenIndicator>(`/api/areas/${enc(code)}/children/indicator?indicator=${enc(indicator)}&year=${year}`, signal),
  diagnosis: (code: string, year: number, signal?: AbortSignal) => getJson<Diagnosis>(`/api/areas/${enc(code)}/diagnosis?year=${year}`, signal),
  projects: (code: string, signal?: AbortSignal) => getJson<Projects>(`/api/areas/${enc(code)}/projects?limit=50`, signal),
  household: (id: number | string, year: number, signal?: AbortSignal) => getJson<Household>(`/api/households/${enc(String(id))}?year=${year}`, signal),
  /** By the household's opaque ref (never the internal id); masked, and every read is audited. */
  householdMembers: (ref: string, signal?: AbortSignal) => getJson<HouseholdMembers>(`/api/households/${enc(ref)}/members`, signal),
  /**
   * Names, ID numbers and phone of one household in clear (county, township and village teams only),
   * with the reason the server writes to the audit log in the same transaction.
   */
  revealMembers: (ref: string, reason: string, csrfToken: string, signal?: AbortSignal) =>
    postJson<HouseholdMembers>(`/api/households/${enc(ref)}/members/reveal`, { reason }, csrfToken, signal),
  /** The masked household list of an area as CSV, for the year and filters of the map (audited). */
  householdsCsv: (code: string, query: string, signal?: AbortSignal) => getFile(`/api/areas/${enc(code)}/households.csv?${query}`, signal),
  /** Auditors: one page of the audit log; `query` from audit/audit-query.ts. */
  audit: (query: string, signal?: AbortSignal) => getJson<AuditLogPage>(`/api/audit?${query}`, signal),
  /** Answers the session's new CSRF token (the session continues under a new id, the user's others end). */
  changePassword: (current: string, next: string, csrfToken: string) => postJson<{ csrfToken: string }>('/api/auth/password', { current, next }, csrfToken),
  inspection: (parent: string, indicator: string, year: number, signal?: AbortSignal) =>
    getJson<Inspection>(`/api/inspection?parent=${enc(parent)}&indicator=${enc(indicator)}&year=${year}`, signal),
}
