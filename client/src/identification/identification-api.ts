/** The identification routes the client uses (through the shared helpers; a 204 POST here, with the CSRF token). */
import { ApiError, getJson, postJson } from '../api/http.js'
import type { ChildrenMpiProfile, HouseholdWhy, IdentificationConfig, IndicatorPatch, IndicatorSystemEntry, IndicatorVersion, MeasureJob, Mpi, MpiProfile, Scenario } from '../../../domain/identification/schemas.js'

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
  /** 202: a background job re-scores every household (waitForJob). */
  setDefault: (k: number, weights: Record<string, number>, csrf: string) => postJson<MeasureJob>('/api/identification/config', { k, weights }, csrf),
  job: (id: string, signal?: AbortSignal) => getJson<MeasureJob>(`/api/identification/config/jobs/${enc(id)}`, signal),
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
  /** The entry, or (a changed AF cut-off or direction) the background job that re-identifies every household. */
  editIndicator: (code: string, patch: IndicatorPatch, csrf: string) => postJson<IndicatorSystemEntry | MeasureJob>(`/api/indicator-system?indicator=${enc(code)}`, patch, csrf),
}

/** Follows a measure job until it ends (polling; the job answers from memory); throws when it failed. */
export async function waitForJob(job: MeasureJob, onProgress: (j: MeasureJob) => void, intervalMs = 500): Promise<MeasureJob> {
  let j = job
  onProgress(j)
  while (j.state === 'running') {
    await new Promise((r) => setTimeout(r, intervalMs))
    j = await identificationApi.job(j.id)
    onProgress(j)
  }
  if (j.state === 'failed') throw new ApiError(500, 'the change of the measure failed and was rolled back', 'job_failed')
  return j
}

export const isJob = (x: object): x is MeasureJob => 'state' in x && 'percent' in x
