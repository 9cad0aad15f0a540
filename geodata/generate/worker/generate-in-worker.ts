import { Worker } from 'node:worker_threads'
import { terrainFromGrid } from '../../terrain-format.js'
import type { GeneratedTables } from '../index.js'
import type { GenerationProgress } from '../steps.js'
import type { Dataset, GenerateOptions } from '../types.js'
import { emptyTables, type GenerateReply, type GenerateRequest } from './protocol.js'

function startWorker(workerData: GenerateRequest): Worker {
  // Compiled (npm start): the .js next to this file. From source (tsx, vitest): the .ts through tsx,
  // which Node 20 cannot load by itself (as server/db/embedded-db.ts starts its worker).
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./generate-worker.js', import.meta.url), { workerData })
  const source = new URL('./generate-worker.ts', import.meta.url).href
  const boot = `import('tsx/esm/api').then((m) => m.tsImport(${JSON.stringify(source)}, ${JSON.stringify(source)}))`
  return new Worker(boot, { eval: true, workerData })
}

export interface InWorkerOptions {
  onProgress?: GenerationProgress
  /** Stops the worker (the promise then rejects with the signal's reason). */
  signal?: AbortSignal
}

/**
 * generateDataset on a worker thread, so that this thread stays free (the first start opens the
 * database meanwhile). The same dataset as in-thread, value for value (tested), less the registry
 * stream: 'demo' scale only, whose arrays hold every row; the province registry is streamed where it
 * is loaded, so it is generated in the loading thread.
 */
export function generateInWorker(opts: GenerateOptions, { onProgress, signal }: InWorkerOptions = {}): Promise<GeneratedTables> {
  if (opts.scale !== 'demo') return Promise.reject(new Error(`generateInWorker: only the demo scale, not ${opts.scale}`))
  if (signal?.aborted) return Promise.reject(signal.reason)
  const worker = startWorker(opts)
  const tables = emptyTables()
  return new Promise<GeneratedTables>((resolve, reject) => {
    let settled = false
    const settle = (fn: () => void) => {
      if (settled) return
      settled = true
      signal?.removeEventListener('abort', abort)
      fn()
    }
    const abort = () => {
      settle(() => reject(signal!.reason))
      void worker.terminate()
    }
    signal?.addEventListener('abort', abort, { once: true })
    worker.on('message', (m: GenerateReply) => {
      if (m.type === 'progress') onProgress?.(m.fraction, m.step)
      else if (m.type === 'rows') {
        const into = tables[m.table] as unknown[]
        for (const row of m.rows) into.push(row)
      } else if (m.type === 'done') settle(() => resolve({ ...(tables as Dataset), ...m.meta, terrain: terrainFromGrid(m.terrain) }))
      else settle(() => reject(new Error(`Unable to generate the ${opts.scale} dataset: ${m.message}`, { cause: Object.assign(new Error(m.message), { stack: m.stack }) })))
    })
    worker.on('error', (err) => settle(() => reject(new Error(`Unable to generate the ${opts.scale} dataset`, { cause: err }))))
    worker.on('exit', (code) => settle(() => reject(new Error(`Unable to generate the ${opts.scale} dataset: the worker exited (code ${code})`))))
  })
}
