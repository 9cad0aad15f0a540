/**
 * The reports capability's routes (../shared/api-contract.md, "Import, export, reports"): statistical tables,
 * snapshots, exports, imports. Files are plain links (the session cookie goes with them); imports send the
 * file as the body with the CSRF token.
 */
import { ApiError, getCached, getJson, postJson } from '../api/http.js'
import type { Report, SnapshotOut } from '../../../domain/reports/schemas.js'

const enc = encodeURIComponent

export type { Report, SnapshotOut }
export interface ReportListItem {
  id: string
  title: string
  titleEn: string
}
export interface ImportProblem {
  row: number
  column: string
  value: string
  problem: string
}
export interface ImportReport {
  rows: number
  errors: ImportProblem[]
  create: number
  change: number
  unchanged: number
  households?: { key: string; rows: number[]; action: 'create' | 'change' | 'unchanged'; diffs: { field: string; before: unknown; after: unknown }[] }[]
  /** projects and indicators: item by item (project code, or village/indicator/year) */
  items?: { key: string; rows: number[]; action: 'create' | 'change' | 'unchanged'; diffs: { field: string; before: unknown; after: unknown }[]; converted?: boolean }[]
  /** projects: the coordinate system detected or chosen, and how many records were GCJ-02 */
  crs?: string | null
  converted?: number
  unmapped: string[]
  encoding: string | null
  dryRun: boolean
  batch?: number | null
  mode?: 'requests' | 'applied'
  requests?: number
}
export interface JobState {
  job: string | null
  percent: number
  state: string
}

export const EXPORT_FORMATS = ['csv', 'xlsx', 'geojson', 'shp'] as const
/** Column keys of each import, for the mapping step (domain/reports/import-columns.ts, project-import-columns.ts). */
export { HOUSEHOLD_IMPORT_COLUMNS } from '../../../domain/reports/import-columns.js'
export { PROJECT_IMPORT_COLUMNS, INDICATOR_IMPORT_COLUMNS } from '../../../domain/reports/project-import-columns.js'
export { MEASURE_IMPORT_COLUMNS } from '../../../domain/reports/measure-import-columns.js'
export const IMPORT_KINDS = ['households', 'projects', 'indicators', 'measures'] as const
export type ImportKind = (typeof IMPORT_KINDS)[number]
/** Coordinate systems a project file may be in when it does not say (GCJ-02 is converted to WGS84). */
export const IMPORT_CRS = ['auto', 'wgs84', 'cgcs2000', 'gcj02'] as const

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

export const reportsApi = {
  tables: (signal?: AbortSignal) => getCached<ReportListItem[]>('/api/reports', signal),
  report: (table: string, area: string, year: number, snapshot: number | null, signal?: AbortSignal) =>
    getJson<Report>(`/api/reports/${enc(table)}?area=${enc(area)}&year=${year}${snapshot ? `&snapshot=${snapshot}` : ''}`, signal),
  fileUrl: (table: string, area: string, year: number, format: 'xlsx' | 'pdf', snapshot?: number | null) =>
    `/api/reports/${enc(table)}?area=${enc(area)}&year=${year}&format=${format}${snapshot ? `&snapshot=${snapshot}` : ''}`,
  snapshots: (area: string, signal?: AbortSignal) => getJson<SnapshotOut[]>(`/api/report-snapshots?area=${enc(area)}`, signal),
  freeze: (body: { table: string; area: string; year: number; periodKind: string; period: string }, csrf: string) => postJson<SnapshotOut[]>('/api/report-snapshots', body, csrf),
  exportUrl: (area: string, year: number, format: string) => `/api/export?area=${enc(area)}&year=${year}&format=${format}`,
  templateUrl: (format: 'csv' | 'xlsx', kind: ImportKind = 'households') => `/api/imports/template?kind=${kind}&format=${format}`,
  /** The import itself: a dry run or the real one; `asXlsx` answers the report as a workbook (a Blob). */
  async upload(file: Blob, opts: { dryRun: boolean; job: string; mapping: Record<string, string>; csrf: string; asXlsx?: boolean; kind?: ImportKind; crs?: string }): Promise<ImportReport | Blob> {
    const q = new URLSearchParams({ kind: opts.kind ?? 'households', dryRun: String(opts.dryRun), job: opts.job })
    if (opts.crs && opts.crs !== 'auto') q.set('crs', opts.crs)
    if (Object.keys(opts.mapping).length) q.set('mapping', JSON.stringify(opts.mapping))
    if (opts.asXlsx) q.set('format', 'xlsx')
    const name = (file as File).name ?? ''
    const type = /\.xlsx$/i.test(name) ? XLSX : /\.zip$/i.test(name) ? 'application/zip' : /\.(geo)?json$/i.test(name) ? 'application/geo+json' : 'text/csv'
    const res = await fetch(`/api/imports?${q}`, { method: 'POST', body: file, headers: { 'content-type': type, 'x-csrf-token': opts.csrf, accept: 'application/json' } })
    if (!res.ok) {
      const body = (await res.json().catch(() => ({}))) as { message?: string }
      throw new ApiError(res.status, body.message ?? res.statusText)
    }
    return opts.asXlsx ? res.blob() : ((await res.json()) as ImportReport)
  },
  progress: (job: string) => getJson<JobState>(`/api/imports/progress?job=${enc(job)}`),
  cancel: (job: string, csrf: string) => postJson<JobState>(`/api/imports/cancel?job=${enc(job)}`, {}, csrf),
}
