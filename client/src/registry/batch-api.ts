/** Import batches under review (GET /api/imports/batches…, POST …/decide): see server/reports/import-batches.ts. */
import { read, send } from './registry-api.js'

export interface BatchSummary {
  id: number
  kind: string
  mode: string
  areaCode: string
  createdBy: string
  createdAt: string
  rows: number
  creates: number
  changes: number
  unchanged: number
  states: Record<string, number>
  waiting: number
}
export interface BatchRequest {
  id: number
  kind: string
  state: string
  target: string | null
  areaCode: string
  villageName: string | null
  currentStep: { no: number; action: string; role: string } | null
  mayDecide: boolean
  diffs: { field: string; before: unknown; after: unknown }[]
}
export interface BatchDetail {
  batch: Omit<BatchSummary, 'states' | 'waiting'>
  total: number
  page: number
  pageSize: number
  requests: BatchRequest[]
}
export interface DecideResult {
  batch: number
  decision: string
  decided: number
  applied: number
  refused: number
  results: { id: number; status: number; state: string | null; message: string | null }[]
}

export const batchApi = {
  list: (signal?: AbortSignal) => read<{ items: BatchSummary[] }>('/api/imports/batches', signal),
  get: (id: number, page = 1, signal?: AbortSignal) => read<BatchDetail>(`/api/imports/batches/${id}?page=${page}&pageSize=500`, signal),
  decide: (id: number, body: { decision: 'approve' | 'reject'; requestIds?: number[]; note?: string }, csrfToken: string) => send<DecideResult>(`/api/imports/batches/${id}/decide`, body, csrfToken),
}
