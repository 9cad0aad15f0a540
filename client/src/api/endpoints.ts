/** One function per API route the client uses. */
import { getCached, getJson } from './http.js'
import type { Area, AreaIndicators, AreaStats, ChildrenIndicator, Diagnosis, Health, Household, HouseholdMembers, Indicator, Inspection, Projects, SearchHit } from './types.js'

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
  inspection: (parent: string, indicator: string, year: number, signal?: AbortSignal) =>
    getJson<Inspection>(`/api/inspection?parent=${enc(parent)}&indicator=${enc(indicator)}&year=${year}`, signal),
}
