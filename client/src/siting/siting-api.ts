/** The siting routes the client uses (../shared/api-contract.md, "Accessibility and siting"). */
import type { Static } from 'typebox'
import { ApiError, getJson, postJson } from '../api/http.js'
import type { IsochroneAnswer, RoadLinksAnswer, Scenario, ScenarioProjects, SitingAnswer, SitingBody } from '../../../domain/siting/schemas.js'

export type Isochrones = Static<typeof IsochroneAnswer>
export type RoadLinks = Static<typeof RoadLinksAnswer>
export type SavedScenario = Static<typeof Scenario> & { result: SitingAnswer; request: SitingBody }

export const sitingApi = {
  site: (body: SitingBody, csrf: string, signal?: AbortSignal) => postJson<SitingAnswer>('/api/siting', body, csrf, signal),
  isochrones: (body: { lon: number; lat: number; minutes: number[]; mode: 'drive' | 'walk' }, csrf: string, signal?: AbortSignal) =>
    postJson<Isochrones>('/api/isochrones', body, csrf, signal),
  roadLinks: (body: { area: string; year?: number }, csrf: string, signal?: AbortSignal) => postJson<RoadLinks>('/api/siting/road-links', body, csrf, signal),
  scenarios: (area: string | null, signal?: AbortSignal) => getJson<SavedScenario[]>(`/api/siting/scenarios${area ? `?area=${encodeURIComponent(area)}` : ''}`, signal),
  save: (name: string, request: SitingBody, csrf: string) => postJson<SavedScenario>('/api/siting/scenarios', { name, request }, csrf),
  async remove(id: number, csrf: string): Promise<void> {
    const res = await fetch(`/api/siting/scenarios/${id}`, { method: 'DELETE', headers: { 'x-csrf-token': csrf } })
    if (!res.ok) throw new ApiError(res.status, `${res.status} ${res.statusText}`)
  },
  /** The scenario's sites as planned projects (county-level planners and above); a second call adds none. */
  toProjects: (id: number, csrf: string) => postJson<ScenarioProjects>(`/api/siting/scenarios/${id}/projects`, {}, csrf),
  exportUrl: (id: number, format: 'geojson' | 'xlsx') => `/api/siting/scenarios/${id}/export?format=${format}`,
}
