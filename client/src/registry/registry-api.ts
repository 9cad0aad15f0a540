/**
 * The registry workflow's routes (../shared/api-contract.md, "Registry workflow"), for the household
 * list and page, the edit forms and the review queue. Failures keep the API's body: a 400 names the
 * fields that are wrong, a 409 carries the household's current values, and the forms show both.
 */
import { ApiError, getJson, notifySessionEnded } from '../api/http.js'
import type { Photo } from '../../../domain/schemas/photos.js'
import type { HouseholdWishes } from '../../../domain/schemas/workteams.js'
import type {
  ChainStep,
  ChangeRequest,
  ChangeRequestList,
  ChangeRequestSummary,
  HistoryEntry,
  HouseholdList,
  HouseholdListItem,
  Measure,
  Measures,
  Objection,
  StepRecord,
} from '../../../domain/schemas/registry.js'

const enc = encodeURIComponent

export type { HouseholdListItem, HouseholdList, ChangeRequest, ChangeRequestSummary, ChangeRequestList, HistoryEntry, Measure, Measures, Objection, StepRecord, ChainStep }

/** GET /api/households/{ref}: the popup's record plus `version` (and whatever else the server adds). */
export interface HouseholdRecord {
  ref: string
  id?: number
  villageCode: string
  villageName: string
  year: number
  status: string
  size: number
  version: number
  attribute: string
  identificationStandard?: string
  mainCause: string
  otherCauses: string[]
  incomePerCapita: number
  povertyLine?: number
  assurance?: Record<string, boolean>
  gaps?: string[]
  housing?: { safety: string | null; structure: string | null; areaM2: number | null; relocated: boolean }
  water?: { source: string | null; difficulty: boolean }
  roadHardened?: boolean
  kmToMarket?: number | null
  cookingFuel?: string | null
  land?: { paddyMu: number | null; dryMu: number | null; forestMu: number | null }
  outsideBoundary?: { reason: string } | null
  updatedAt?: string
  history?: { year: number; status: string }[]
  at?: [number, number]
  [k: string]: unknown
}

export interface NewChangeRequest {
  kind: string
  target?: string
  baseVersion?: number
  changes: Record<string, unknown>
  reason: string
  attachments?: string[]
}

export interface FieldProblem {
  field: string
  message: string | { zh: string; en: string }
}

/**
 * A failed registry request with the API's body: `fields` on a validation failure (400), `current`
 * (the household as it is now) on a stale version (409).
 */
export class RegistryError extends ApiError {
  override name = 'RegistryError'
  constructor(
    status: number,
    message: string,
    code: string | undefined,
    readonly body: Record<string, unknown>,
  ) {
    super(status, message, code)
  }
  get fields(): FieldProblem[] {
    const f = this.body.fields
    return Array.isArray(f) ? f.filter((x): x is FieldProblem => !!x && typeof x === 'object' && 'field' in x) : []
  }
  get current(): Record<string, unknown> | null {
    const c = this.body.current
    return c && typeof c === 'object' ? (c as Record<string, unknown>) : null
  }
}

async function failure(url: string, res: Response): Promise<RegistryError> {
  let body: Record<string, unknown> = {}
  try {
    body = (await res.json()) as Record<string, unknown>
  } catch {
    // not JSON: the status line says it
  }
  if (res.status === 401) notifySessionEnded()
  const message = typeof body.message === 'string' ? body.message : `${res.status} ${res.statusText} (${url})`
  return new RegistryError(res.status, message, typeof body.code === 'string' ? body.code : undefined, body)
}

/** A POST with the session's CSRF token; an empty answer (204) is null. */
export async function send<T>(url: string, body: unknown, csrfToken: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    signal,
    headers: { accept: 'application/json', 'content-type': 'application/json', 'x-csrf-token': csrfToken },
    body: JSON.stringify(body ?? {}),
  })
  if (!res.ok) throw await failure(url, res)
  return (res.status === 204 ? null : await res.json()) as T
}

/** A GET whose failure keeps the body (a 404 of a household out of reach, a 409's current values). */
export async function read<T>(url: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(url, { signal, headers: { accept: 'application/json' } })
  if (!res.ok) throw await failure(url, res)
  return (await res.json()) as T
}

/** Uploads a photo of a household (raw image body: the photos route takes no multipart). */
export async function uploadHouseholdPhoto(ref: string, file: Blob, csrfToken: string, caption?: string): Promise<Photo> {
  const type = file.type === 'image/png' ? 'image/png' : 'image/jpeg'
  const url = `/api/photos?household=${enc(ref)}`
  const res = await fetch(url, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': type, 'x-csrf-token': csrfToken, ...(caption ? { 'x-photo-caption': enc(caption) } : {}) },
    body: file,
  })
  if (!res.ok) throw await failure(url, res)
  return (await res.json()) as Photo
}

export const registryApi = {
  households: (query: string, signal?: AbortSignal) => read<HouseholdList>(`/api/households?${query}`, signal),
  household: (ref: string, year: number, signal?: AbortSignal) => read<HouseholdRecord>(`/api/households/${enc(ref)}?year=${year}`, signal),
  history: (ref: string, signal?: AbortSignal) => read<HistoryEntry[]>(`/api/households/${enc(ref)}/history`, signal),
  measures: (ref: string, signal?: AbortSignal) => read<Measures>(`/api/households/${enc(ref)}/measures`, signal),
  wishes: (ref: string, signal?: AbortSignal) => read<HouseholdWishes>(`/api/households/${enc(ref)}/wishes`, signal),
  /** Photos of the household's village; the page keeps the household's own. */
  villagePhotos: (village: string, signal?: AbortSignal) => getJson<Photo[]>(`/api/photos?area=${enc(village)}&subject=household&limit=500`, signal),
  propose: (body: NewChangeRequest, csrf: string) => send<ChangeRequest>('/api/change-requests', body, csrf),
  queue: (query: string, signal?: AbortSignal) => read<ChangeRequestList>(`/api/change-requests?${query}`, signal),
  request: (id: number, signal?: AbortSignal) => read<ChangeRequest>(`/api/change-requests/${id}`, signal),
  approve: (id: number, comment: string, csrf: string) => send<ChangeRequest>(`/api/change-requests/${id}/approve`, comment ? { comment } : {}, csrf),
  reject: (id: number, comment: string, csrf: string) => send<ChangeRequest>(`/api/change-requests/${id}/reject`, { comment }, csrf),
  resubmit: (id: number, body: { changes?: Record<string, unknown>; reason?: string; baseVersion?: number }, csrf: string) =>
    send<ChangeRequest>(`/api/change-requests/${id}/resubmit`, body, csrf),
  withdraw: (id: number, comment: string, csrf: string) => send<ChangeRequest>(`/api/change-requests/${id}/withdraw`, comment ? { comment } : {}, csrf),
  object: (id: number, text: string, csrf: string) => send<ChangeRequest>(`/api/change-requests/${id}/objections`, { text }, csrf),
  resolve: (id: number, objection: number, resolution: string, csrf: string) =>
    send<ChangeRequest>(`/api/change-requests/${id}/objections/${objection}/resolve`, { resolution }, csrf),
  dataQuality: (code: string, signal?: AbortSignal) => read<Record<string, unknown>>(`/api/areas/${enc(code)}/data-quality`, signal),
}

/**
 * Roles that propose changes (server/registry/README.md): village teams, township and county officers.
 * Province administrators and prefecture officers read requests but take no step.
 */
export const PROPOSER_ROLES: readonly string[] = ['county_officer', 'township_officer', 'village_team']
