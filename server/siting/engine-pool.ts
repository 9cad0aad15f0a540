import { Worker } from 'node:worker_threads'
import type { NetworkInput } from '../../domain/siting/network.js'
import { packedBuffers, packNetwork, type EngineJob, type EngineReply, type EngineRequest } from './engine-protocol.js'

function startWorker(): Worker {
  // Compiled: the .js beside this file; from source (tsx, vitest) through tsx, as server/tiles/terrain-pool.ts.
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./engine-worker.js', import.meta.url))
  const source = new URL('./engine-worker.ts', import.meta.url).href
  const boot = `import('tsx/esm/api').then((m) => m.tsImport(${JSON.stringify(source)}, ${JSON.stringify(source)}))`
  return new Worker(boot, { eval: true })
}

type Pending = { resolve: (r: EngineReply) => void; reject: (e: Error) => void }

/**
 * One worker thread running the siting engine; jobs run one after another there. The network travels
 * to the worker once per version: a job names the version, and when the worker has another one it
 * answers needNetwork and the job is sent again with the network (read by `network()`).
 */
export class EnginePool {
  private worker: Worker | undefined
  private readonly pending = new Map<number, Pending>()
  private nextId = 1
  private closed = false

  constructor(private readonly demPath: string) {}

  async run<T>(version: string, network: () => Promise<NetworkInput>, job: EngineJob): Promise<T> {
    let reply = await this.send({ version, demPath: this.demPath, job })
    if (!reply.ok && reply.needNetwork) {
      const packed = packNetwork(await network())
      reply = await this.send({ version, demPath: this.demPath, job, network: packed }, packedBuffers(packed))
    }
    if (!reply.ok) throw new Error(`siting engine: ${reply.message}`)
    return reply.result as T
  }

  private send(req: Omit<EngineRequest, 'id'>, transfer: ArrayBuffer[] = []): Promise<EngineReply> {
    if (this.closed) return Promise.reject(new Error('the siting engine is closed'))
    const w = this.ensure()
    const id = this.nextId++
    return new Promise<EngineReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      w.ref()
      w.postMessage({ ...req, id }, transfer)
    })
  }

  private ensure(): Worker {
    if (this.worker) return this.worker
    const w = startWorker()
    w.unref()
    w.on('message', (m: EngineReply) => {
      const p = this.pending.get(m.id)
      if (!p) return
      this.pending.delete(m.id)
      if (this.pending.size === 0) w.unref()
      p.resolve(m)
    })
    const die = (err: Error) => {
      if (this.worker !== w) return
      this.worker = undefined
      for (const p of this.pending.values()) p.reject(err)
      this.pending.clear()
    }
    w.on('error', die)
    w.on('exit', (code) => die(new Error(`siting worker exited with code ${code}`)))
    this.worker = w
    return w
  }

  async close(): Promise<void> {
    this.closed = true
    const w = this.worker
    this.worker = undefined
    for (const p of this.pending.values()) p.reject(new Error('the siting engine is closed'))
    this.pending.clear()
    await w?.terminate()
  }
}
