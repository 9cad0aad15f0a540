/** The identification routes the client uses (through the shared helpers; a 204 POST here, with the CSRF token). */
import { ApiError, getJson, postJson } from '../api/http.js'
import type { ChildrenMpiProfile, HouseholdWhy, IdentificationConfig, IndicatorPatch, IndicatorSystemEntry, IndicatorVersion, Mpi, MpiProfile, Scenario } from '../../../domain/identification/schemas.js'

const enc = encodeURIComponent

/** A POST answered 204 (no body), with the CSRF token. */
async function postNoContent(url: string, body: unknown, csrfToken: string): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/json', 'x-csrf-token': csrfToken },
    body: JSON.stringify(body),
  })
  if (!res.ok) {
    const b = (await res.json().catch(() => ({}))) as { message?: string; code?: string }
    throw new ApiError(res.status, b.message ?? `${res.status} ${res.statusText}`, b.code)
  }
}

export const identificationApi = {
  config: (signal?: AbortSignal) => getJson<IdentificationConfig>('/api/identification/config', signal),
  setDefault: (k: number, weights: Record<string, number>, csrf: string) => postJson<IdentificationConfig>('/api/identification/config', { k, weights }, csrf),
  mpi: (code: string, year: number, signal?: AbortSignal) => getJson<Mpi>(`/api/areas/${enc(code)}/mpi?year=${year}`, signal),
  profile: (code: string, year: number, signal?: AbortSignal) => getJson<MpiProfile>(`/api/areas/${enc(code)}/mpi/profile?year=${year}`, signal),
  childrenProfile: (code: string, year: number, signal?: AbortSignal) => getJson<ChildrenMpiProfile>(`/api/areas/${enc(code)}/children/mpi/profile?year=${year}`, signal),
  why: (ref: string, year: number, signal?: AbortSignal) => getJson<HouseholdWhy>(`/api/households/${enc(ref)}/identification?year=${year}`, signal),
  scenarios: (signal?: AbortSignal) => getJson<Scenario[]>('/api/identification/scenarios', signal),
  saveScenario: (body: { name: string; k: number; weights: Record<string, number>; shared?: boolean }, csrf: string) =>
    postJson<{ id: number }>('/api/identification/scenarios', body, csrf),
  deleteScenario: (id: number, csrf: string) => postNoContent('/api/identification/scenarios/delete', { id }, csrf),
  indicatorSystem: (signal?: AbortSignal) => getJson<IndicatorSystemEntry[]>('/api/indicator-system', signal),
  indicatorVersions: (code: string, signal?: AbortSignal) => getJson<IndicatorVersion[]>(`/api/indicator-system/versions?indicator=${enc(code)}`, signal),
  editIndicator: (code: string, patch: IndicatorPatch, csrf: string) => postJson<IndicatorSystemEntry>(`/api/indicator-system?indicator=${enc(code)}`, patch, csrf),
}
