/** The identification routes the client uses (GET through the shared helpers; PUT and DELETE here, with the CSRF token). */
import { ApiError, getJson, postJson } from '../api/http.js'
import type { ChildrenMpiProfile, HouseholdWhy, IdentificationConfig, IndicatorSystemEntry, Mpi, MpiProfile, Scenario } from '../../../domain/identification/schemas.js'

const enc = encodeURIComponent

async function send<T>(method: 'PUT' | 'DELETE', url: string, body: unknown, csrfToken: string): Promise<T | null> {
  const res = await fetch(url, {
    method,
    headers: { accept: 'application/json', 'x-csrf-token': csrfToken, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (!res.ok) {
    const b = (await res.json().catch(() => ({}))) as { message?: string; code?: string }
    throw new ApiError(res.status, b.message ?? `${res.status} ${res.statusText}`, b.code)
  }
  return res.status === 204 ? null : ((await res.json()) as T)
}

export const identificationApi = {
  config: (signal?: AbortSignal) => getJson<IdentificationConfig>('/api/identification/config', signal),
  setDefault: (k: number, weights: Record<string, number>, csrf: string) => send<IdentificationConfig>('PUT', '/api/identification/config', { k, weights }, csrf),
  mpi: (code: string, year: number, signal?: AbortSignal) => getJson<Mpi>(`/api/areas/${enc(code)}/mpi?year=${year}`, signal),
  profile: (code: string, year: number, signal?: AbortSignal) => getJson<MpiProfile>(`/api/areas/${enc(code)}/mpi/profile?year=${year}`, signal),
  childrenProfile: (code: string, year: number, signal?: AbortSignal) => getJson<ChildrenMpiProfile>(`/api/areas/${enc(code)}/children/mpi/profile?year=${year}`, signal),
  why: (ref: string, year: number, signal?: AbortSignal) => getJson<HouseholdWhy>(`/api/identification/households/${enc(ref)}?year=${year}`, signal),
  scenarios: (signal?: AbortSignal) => getJson<Scenario[]>('/api/identification/scenarios', signal),
  saveScenario: (body: { name: string; k: number; weights: Record<string, number>; shared?: boolean }, csrf: string) =>
    postJson<{ id: number }>('/api/identification/scenarios', body, csrf),
  deleteScenario: (id: number, csrf: string) => send<null>('DELETE', `/api/identification/scenarios/${id}`, undefined, csrf),
  indicatorSystem: (signal?: AbortSignal) => getJson<IndicatorSystemEntry[]>('/api/indicator-system', signal),
}
