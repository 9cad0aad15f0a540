/**
 * Generates a dataset on a worker thread (generate-in-worker.ts starts it): a minute of CPU that on the
 * main thread would freeze everything else there, the database's progress bar included.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { generateDataset } from '../index.js'
import type { Dataset } from '../types.js'
import { emptyTables, ROWS_PER_MESSAGE, type GenerateReply, type GenerateRequest } from './protocol.js'

const port = parentPort
if (!port) throw new Error('generate-worker must run as a worker thread')
const post = (m: GenerateReply, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer)

const opts = workerData as GenerateRequest
try {
  let lastPosted = -1
  const d = generateDataset(opts, {}, (fraction, step) => {
    // A message per thousandth at most: the caller redraws a bar, no more often is useful.
    if (fraction - lastPosted < 0.001 && fraction < 1) return
    lastPosted = fraction
    post({ type: 'progress', fraction, step })
  })
  for (const table of Object.keys(emptyTables()) as (keyof Dataset)[]) {
    const rows = d[table]
    for (let i = 0; i < rows.length; i += ROWS_PER_MESSAGE) post({ type: 'rows', table, rows: rows.slice(i, i + ROWS_PER_MESSAGE) })
  }
  const { west, south, east, north, width, height, cellDeg, data } = d.terrain
  post(
    {
      type: 'done',
      meta: { scale: d.scale, seed: d.seed, generator_version: d.generator_version, registryCounts: d.registryCounts },
      terrain: { west, south, east, north, width, height, cellDeg, data },
    },
    [data.buffer as ArrayBuffer],
  )
} catch (err) {
  post({ type: 'error', message: (err as Error)?.message ?? String(err), stack: (err as Error)?.stack })
}
