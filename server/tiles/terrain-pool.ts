import { Worker } from 'node:worker_threads'
import type { TerrainReply, TerrainRequest } from './terrain-protocol.js'

/** The pool has as much work waiting as it takes: the caller answers 503 instead of queueing more. */
export class TerrainBusyError extends Error {
  override name = 'TerrainBusyError'
}

type Job = { req: TerrainRequest; resolve: (r: TerrainReply) => void; reject: (e: Error) => void }
type Slot = { worker: Worker; job: Job | undefined }

function startWorker(): Worker {
  // Compiled (npm start): the .js next to this file. From source (tsx, vitest): the .ts through tsx,
  // which Node 20 cannot load by itself (as server/db/embedded-db.ts starts its worker).
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./terrain-worker.js', import.meta.url))
  const source = new URL('./terrain-worker.ts', import.meta.url).href
  const boot = `import('tsx/esm/api').then((m) => m.tsImport(${JSON.stringify(source)}, ${JSON.stringify(source)}))`
  return new Worker(boot, { eval: true })
}

/**
 * A few worker threads that render terrain tiles, one tile at a time each, started on first use.
 * At most `maxPending` tiles wait or render at once; beyond that run() throws TerrainBusyError. An
 * idle worker does not keep the process alive.
 */
export class TerrainPool {
  private readonly slots: Slot[] = []
  private readonly queue: Job[] = []
  private nextId = 1
  private closed = false

  constructor(
    readonly size: number,
    readonly maxPending: number,
  ) {}

  /** Tiles waiting for a worker or being rendered. */
  pending(): number {
    return this.queue.length + this.slots.filter((s) => s.job).length
  }

  run(req: Omit<TerrainRequest, 'id'>): Promise<TerrainReply> {
    if (this.closed) return Promise.reject(new Error('terrain tiles are closed'))
    if (this.pending() >= this.maxPending) return Promise.reject(new TerrainBusyError(`${this.maxPending} terrain tiles are already waiting`))
    return new Promise<TerrainReply>((resolve, reject) => {
      this.queue.push({ req: { ...req, id: this.nextId++ }, resolve, reject })
      this.dispatch()
    })
  }

  async close(): Promise<void> {
    this.closed = true
    for (const job of this.queue.splice(0)) job.reject(new Error('terrain tiles are closed'))
    await Promise.all(this.slots.splice(0).map((s) => (s.job?.reject(new Error('terrain tiles are closed')), s.worker.terminate())))
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => !s.job)
      if (!slot && this.slots.length < this.size) slot = this.spawn()
      if (!slot) return
      const job = this.queue.shift()!
      slot.job = job
      // A worker with a tile in hand keeps the process alive until it answers; an idle one does not.
      slot.worker.ref()
      slot.worker.postMessage(job.req)
    }
  }

  private spawn(): Slot {
    const slot: Slot = { worker: startWorker(), job: undefined }
    slot.worker.unref()
    slot.worker.on('message', (m: TerrainReply) => {
      const job = slot.job
      if (!job || job.req.id !== m.id) return
      slot.job = undefined
      slot.worker.unref()
      job.resolve(m)
      this.dispatch()
    })
    // A worker that dies fails the tile it had and is replaced by the next dispatch.
    const die = (err: Error) => {
      const i = this.slots.indexOf(slot)
      if (i < 0) return
      this.slots.splice(i, 1)
      slot.job?.reject(err)
      slot.job = undefined
      if (!this.closed) this.dispatch()
    }
    slot.worker.on('error', die)
    slot.worker.on('exit', (code) => die(new Error(`terrain worker exited with code ${code}`)))
    this.slots.push(slot)
    return slot
  }
}
