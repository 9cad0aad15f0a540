import { Worker } from 'node:worker_threads'
import { join } from 'node:path'
import { copySql, type Db, DbError, DbUnavailableError, type Queryable, type QueryResult } from './types.js'
import type { EmbeddedStage, EmbeddedWorkerData, UnnumberedRequest, WorkerReply, WorkerRequest } from './embedded-protocol.js'
import { SerialQueue } from './serial-queue.js'
import { lockDataDir } from './data-dir-lock.js'

export interface EmbeddedDbOptions {
  dataDir: string
  onProgress?: (stage: EmbeddedStage) => void
}

type Pending = { resolve: (r: QueryResult<unknown>) => void; reject: (e: Error) => void }

function startWorker(workerData: EmbeddedWorkerData): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./embedded-worker.js', import.meta.url), { workerData })
  // Running from source (tsx, vitest): load the .ts worker through tsx, which Node 20 cannot do by itself.
  const source = new URL('./embedded-worker.ts', import.meta.url).href
  const boot = `import('tsx/esm/api').then((m) => m.tsImport(${JSON.stringify(source)}, ${JSON.stringify(source)}))`
  return new Worker(boot, { eval: true, workerData })
}

/** Opens (creating if needed) the embedded PostGIS under dataDir/pglite, in a worker thread. */
export async function openEmbeddedDb(opts: EmbeddedDbOptions): Promise<Db> {
  const unlock = lockDataDir(opts.dataDir)
  const worker = startWorker({ pgdataDir: join(opts.dataDir, 'pglite') })
  const pending = new Map<number, Pending>()
  let nextId = 1
  let dead: Error | undefined

  const ready = new Promise<void>((resolve, reject) => {
    worker.on('message', (m: WorkerReply) => {
      if (m.type === 'progress') opts.onProgress?.(m.stage)
      else if (m.type === 'ready') {
        opts.onProgress?.('ready')
        resolve()
      } else if (m.type === 'fatal') reject(new DbUnavailableError(`cannot open the embedded database: ${m.message}`))
      else {
        const p = pending.get(m.id)
        if (!p) return
        pending.delete(m.id)
        if (m.type === 'result') p.resolve({ rows: m.rows, rowCount: m.rowCount })
        else p.reject(new DbError(`query failed: ${m.message}`, { code: m.code }))
      }
    })
    const die = (err: Error) => {
      dead = new DbUnavailableError(`the embedded database stopped: ${err.message}`, { cause: err })
      for (const p of pending.values()) p.reject(dead)
      pending.clear()
      unlock()
      reject(dead)
    }
    worker.on('error', die)
    worker.on('exit', (code) => die(new Error(`worker exited with code ${code}`)))
  })

  const send = <R>(req: UnnumberedRequest): Promise<QueryResult<R>> => {
    if (dead) return Promise.reject(dead)
    const id = nextId++
    return new Promise<QueryResult<R>>((resolve, reject) => {
      pending.set(id, { resolve: resolve as Pending['resolve'], reject })
      worker.postMessage({ ...req, id } as WorkerRequest)
    })
  }

  const direct: Queryable = {
    query: <R>(sql: string, params: readonly unknown[] = []) => send<R>({ op: 'query', sql, params }),
    exec: async (sql: string) => {
      await send({ op: 'exec', sql })
    },
    copyFrom: async (table, columns, chunks) => {
      const sql = copySql(table, columns, "'/dev/blob'")
      let rows = 0
      for await (const data of chunks) {
        rows += (
          await send({ op: 'copy', sql, data }).catch((err: DbError) => {
            throw new DbError(`COPY into ${table} failed: ${err.message.replace(/^query failed: /, '')}`, { cause: err, code: err.code })
          })
        ).rowCount
      }
      return rows
    },
  }

  try {
    await ready
  } catch (err) {
    await worker.terminate()
    throw err
  }

  // PGlite is a single connection: every statement, and every transaction as a whole, takes the queue.
  const queue = new SerialQueue()
  let closing: Promise<void> | undefined

  return {
    kind: 'embedded',
    query: (sql, params) => queue.run(() => direct.query(sql, params)),
    exec: (sql) => queue.run(() => direct.exec(sql)),
    copyFrom: (table, columns, chunks) => queue.run(() => direct.copyFrom(table, columns, chunks)),
    transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      return queue.run(async () => {
        await direct.exec('BEGIN')
        try {
          const result = await fn(direct)
          await direct.exec('COMMIT')
          return result
        } catch (err) {
          if (!dead) await direct.exec('ROLLBACK').catch(() => undefined)
          throw err
        }
      })
    },
    close() {
      closing ??= queue.run(async () => {
        if (dead) return
        await send({ op: 'close' }).catch(() => undefined)
        worker.removeAllListeners('exit')
        await worker.terminate()
        dead = new DbUnavailableError('the embedded database is closed')
        unlock()
      })
      return closing
    },
  }
}
