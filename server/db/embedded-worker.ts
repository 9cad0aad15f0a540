/**
 * Runs PGlite (PostgreSQL + PostGIS compiled to WASM) on its own thread: PGlite computes on the
 * thread that calls it, and a slow query must not freeze the HTTP event loop.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { PGlite } from '@electric-sql/pglite'
import { postgis } from '@electric-sql/pglite-postgis'
import type { EmbeddedWorkerData, WorkerReply, WorkerRequest } from './embedded-protocol.js'
import { INT8_OID, NUMERIC_OID, parseNumber } from './type-parsers.js'

const port = parentPort
if (!port) throw new Error('embedded-worker must run as a worker thread')
const post = (m: WorkerReply) => port.postMessage(m)
const { pgdataDir } = workerData as EmbeddedWorkerData

let db: PGlite
try {
  post({ type: 'progress', stage: 'open' })
  db = await PGlite.create(pgdataDir, {
    extensions: { postgis },
    parsers: { [INT8_OID]: parseNumber, [NUMERIC_OID]: parseNumber },
  })
  post({ type: 'progress', stage: 'postgis' })
  // Loading the extension's WASM module is the slow part of the first open; do it before serving.
  await db.exec('CREATE EXTENSION IF NOT EXISTS postgis')
  post({ type: 'ready' })
} catch (err) {
  post({ type: 'fatal', message: (err as Error)?.message ?? String(err) })
  process.exit(1)
}

port.on('message', (req: WorkerRequest) => {
  void handle(req)
})

async function handle(req: WorkerRequest): Promise<void> {
  try {
    if (req.op === 'query') {
      const r = await db.query(req.sql, req.params as unknown[])
      // PGlite reports affectedRows 0 for a SELECT; pg's rowCount is the number of rows returned.
      post({ id: req.id, type: 'result', rows: r.rows, rowCount: r.fields.length > 0 ? r.rows.length : (r.affectedRows ?? 0) })
    } else if (req.op === 'copy') {
      // PGlite reads COPY … FROM '/dev/blob' from the blob passed with the query.
      const r = await db.query(req.sql, [], { blob: new Blob([req.data]) })
      post({ id: req.id, type: 'result', rows: [], rowCount: r.affectedRows ?? 0 })
    } else if (req.op === 'exec') {
      await db.exec(req.sql)
      post({ id: req.id, type: 'result', rows: [], rowCount: 0 })
    } else {
      await db.close()
      post({ id: req.id, type: 'result', rows: [], rowCount: 0 })
      port!.close()
    }
  } catch (err) {
    const e = err as { message?: string; code?: string }
    post({ id: req.id, type: 'error', message: e?.message ?? String(err), code: e?.code })
  }
}
