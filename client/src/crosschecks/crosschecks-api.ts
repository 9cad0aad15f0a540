/**
 * The cross-checks routes (server/crosschecks/routes.ts): registry layouts, file imports with their row
 * report, the flags of an area, their review, the rules' confirmation rates, the mis-identification leads
 * and the model's held-out figures.
 */
import { ApiError, getJson, postJson } from '../api/http.js'
import type { Flag, FlagPage, ImportAnswer, ModelReport, RegistryLayout, RuleItem } from '../../../domain/crosschecks/schemas.js'
import type { RegistryKind } from '../../../domain/crosschecks/registries.js'

export type { Flag, FlagPage, ImportAnswer, ModelReport, RegistryLayout, RuleItem }

const enc = encodeURIComponent

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

/** The type a file is sent as: XLSX by its name, else CSV (the server reads both by their first bytes). */
export const fileContentType = (name: string) => (/\.xlsx$/i.test(name) ? XLSX : 'text/csv')

async function upload(url: string, file: Blob, type: string, csrf: string): Promise<ImportAnswer> {
  const res = await fetch(url, { method: 'POST', headers: { accept: 'application/json', 'content-type': type, 'x-csrf-token': csrf }, body: file })
  const body = (await res.json().catch(() => ({}))) as { message?: string; code?: string }
  if (!res.ok) throw new ApiError(res.status, body.message ?? `${res.status}`, body.code)
  return body as ImportAnswer
}

export const crosschecksApi = {
  registries: (signal?: AbortSignal) => getJson<RegistryLayout[]>('/api/crosschecks/registries', signal),
  importFile: (registry: RegistryKind, file: File, dryRun: boolean, csrf: string) =>
    upload(`/api/crosschecks/imports?registry=${registry}&dryRun=${dryRun}&fileName=${enc(file.name.slice(0, 200))}`, file, fileContentType(file.name), csrf),
  rules: (area: string, signal?: AbortSignal) => getJson<RuleItem[]>(`/api/crosschecks/rules?area=${enc(area)}`, signal),
  flags: (area: string, query: { rule?: string; state?: string; page?: number }, signal?: AbortSignal) =>
    getJson<FlagPage>(`/api/areas/${enc(area)}/flags?${new URLSearchParams(Object.entries({ pageSize: '50', ...query }).filter(([, v]) => v !== undefined && v !== '').map(([k, v]): [string, string] => [k, String(v)]))}`, signal),
  misidentification: (area: string, query: { year: number; kind?: string; state?: string; page?: number }, signal?: AbortSignal) =>
    getJson<FlagPage>(`/api/areas/${enc(area)}/misidentification?${new URLSearchParams(Object.entries({ pageSize: '50', ...query }).filter(([, v]) => v !== undefined && v !== '').map(([k, v]): [string, string] => [k, String(v)]))}`, signal),
  model: (area: string, year: number, signal?: AbortSignal) => getJson<ModelReport>(`/api/areas/${enc(area)}/misidentification/model?year=${year}`, signal),
  scan: (area: string, year: number, csrf: string) => postJson<unknown>(`/api/areas/${enc(area)}/misidentification/scan?year=${year}`, {}, csrf),
  decide: (id: number, decision: 'confirm' | 'clear', note: string, csrf: string) => postJson<Flag>(`/api/flags/${id}/${decision}`, { note }, csrf),
}

/** The evidence of a flag as rows: each key with the registry's value beside the external record's. */
export function evidenceRows(f: Pick<Flag, 'evidence'>): { key: string; registry: unknown; external: unknown }[] {
  const keys = [...new Set([...Object.keys(f.evidence.registry), ...Object.keys(f.evidence.external)])]
  return keys.map((key) => ({ key, registry: f.evidence.registry[key], external: f.evidence.external[key] }))
}

/** A value of the evidence as text (lists joined, nothing as a dash). */
export function shownValue(v: unknown): string {
  if (v === null || v === undefined || v === '') return '—'
  if (Array.isArray(v)) return v.length ? v.map(shownValue).join('、') : '—'
  if (typeof v === 'boolean') return v ? '✓' : '✗'
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(3)
  if (typeof v === 'object') return JSON.stringify(v)
  return String(v)
}
