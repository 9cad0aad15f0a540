/** Messages between the main thread and the PGlite worker. */
export type WorkerRequest =
  | { id: number; op: 'query'; sql: string; params: readonly unknown[] }
  | { id: number; op: 'exec'; sql: string }
  | { id: number; op: 'copy'; sql: string; data: string }
  | { id: number; op: 'close' }

/** A request before the proxy numbers it. */
export type UnnumberedRequest = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never

export type WorkerReply =
  | { type: 'progress'; stage: EmbeddedStage }
  | { type: 'ready' }
  | { type: 'fatal'; message: string }
  | { id: number; type: 'result'; rows: unknown[]; rowCount: number }
  | { id: number; type: 'error'; message: string; code: string | undefined }

export type EmbeddedStage = 'open' | 'postgis' | 'ready'

export interface EmbeddedWorkerData {
  pgdataDir: string
}
