import pg from 'pg'
import { from as copyFromStream } from 'pg-copy-streams'
import { pipeline } from 'node:stream/promises'
import { Readable } from 'node:stream'
import { createHash } from 'node:crypto'
import { copySql, type Db, DbError, DbUnavailableError, type Queryable, type QueryOptions, type QueryResult, type SessionView } from './types.js'
import { INT8_OID, NUMERIC_OID, parseNumber } from './type-parsers.js'

export interface PgDbOptions {
  connectionString: string
  poolMax: number
  connectTimeoutMs: number
  statementTimeoutMs: number
  /** Called for errors of idle clients (server restart, network cut); they must not crash the process. */
  onIdleError?: (err: Error) => void
}

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID || oid === NUMERIC_OID) return parseNumber
    return pg.types.getTypeParser(oid, format)
  },
}

/** Error codes and messages that mean "cannot reach the server" rather than "bad statement". */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'EAI_AGAIN', '57P01', '57P02', '57P03', '08006', '08001', '08004', '3D000', '28P01', '28000'])

export function describePgError(err: unknown): { unavailable: boolean; code: string | undefined } {
  const e = err as { code?: string; message?: string }
  const code = e?.code
  const unavailable =
    (code !== undefined && UNAVAILABLE_CODES.has(code)) ||
    /timeout exceeded when trying to connect|Connection terminated|connect ECONNREFUSED|connection error and is not queryable|Client was closed and is not queryable/i.test(e?.message ?? '')
  return { unavailable, code }
}

function wrap(err: unknown, what: string): DbError {
  const { unavailable, code } = describePgError(err)
  const detail = (err as Error)?.message ?? String(err)
  return unavailable
    ? new DbUnavailableError(`database unavailable (${what}): ${detail}`, { cause: err, code })
    : new DbError(`${what} failed: ${detail}`, { cause: err, code })
}

async function copyInto(client: pg.PoolClient, table: string, columns: readonly string[], chunks: Iterable<string> | AsyncIterable<string>): Promise<number> {
  const stream = client.query(copyFromStream(copySql(table, columns, 'STDIN')))
  try {
    await pipeline(Readable.from(chunks), stream)
  } catch (err) {
    throw wrap(err, `COPY into ${table}`)
  }
  return Number(stream.rowCount ?? 0)
}

const names = new Map<string, string>()
/** A prepared statement's name: the same text gets the same name on every connection. */
export function statementName(sql: string): string {
  let name = names.get(sql)
  if (!name) {
    name = `povmap_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`
    names.set(sql, name)
  }
  return name
}

/** One statement on a client or pool, with our type parsers; prepared (named) when opts.prepare. */
async function queryOn<R>(client: pg.PoolClient | pg.Pool, sql: string, params: readonly unknown[] = [], opts?: QueryOptions): Promise<QueryResult<R>> {
  try {
    const r = await client.query({ text: sql, values: params as unknown[], types, ...(opts?.prepare ? { name: statementName(sql) } : {}) })
    return { rows: r.rows as R[], rowCount: r.rowCount ?? r.rows.length }
  } catch (err) {
    throw wrap(err, 'query')
  }
}

function queryable(client: pg.PoolClient | pg.Pool): Queryable {
  return {
    async copyFrom(table, columns, chunks) {
      if (client instanceof pg.Pool) {
        const c = await client.connect().catch((err: unknown) => {
          throw wrap(err, 'connect')
        })
        try {
          return await copyInto(c, table, columns, chunks)
        } finally {
          c.release()
        }
      }
      return copyInto(client, table, columns, chunks)
    },
    query: (sql, params, opts) => queryOn(client, sql, params, opts),
    async exec(sql: string): Promise<void> {
      try {
        await client.query(sql)
      } catch (err) {
        throw wrap(err, 'exec')
      }
    },
  }
}

/**
 * Runs fn on a client checked out of the pool and returns it afterwards, unless its connection failed
 * or fn called `broken` (the client is then destroyed instead of going back to the pool). pg-pool
 * listens for errors of idle clients only: a checked-out client whose connection drops between two
 * statements (a server restart) would emit an unhandled 'error' and end the process.
 */
async function withClient<T>(pool: pg.Pool, fn: (client: pg.PoolClient, broken: (err: Error) => void) => Promise<T>): Promise<T> {
  let client: pg.PoolClient
  try {
    client = await pool.connect()
  } catch (err) {
    throw wrap(err, 'connect')
  }
  let failure: Error | undefined
  const broken = (err: Error) => {
    failure ??= err
  }
  client.on('error', broken)
  try {
    return await fn(client, broken)
  } finally {
    client.removeListener('error', broken)
    client.release(failure)
  }
}

export function createPgDb(opts: PgDbOptions): Db {
  const newPool = (applicationName: string) => {
    const p = new pg.Pool({
      connectionString: opts.connectionString,
      max: opts.poolMax,
      connectionTimeoutMillis: opts.connectTimeoutMs,
      idleTimeoutMillis: 30_000,
      statement_timeout: opts.statementTimeoutMs,
      // A transaction left open by a stuck request must not hold locks and a connection for ever.
      idle_in_transaction_session_timeout: Math.max(opts.statementTimeoutMs, 60_000),
      application_name: applicationName,
    })
    p.on('error', (err) => opts.onIdleError?.(err))
    return p
  }
  const pool = newPool('povmap')
  const direct = queryable(pool)
  let closed = false
  // queryInView's connections hold session-level settings (a role, an area), so they live in a pool of
  // their own that nothing else draws from: a connection set up for one view is never handed to code
  // that expects the login role. Opened on first use; `viewOf` is the key each connection is set up for.
  let viewPool: pg.Pool | undefined
  const viewOf = new WeakMap<pg.PoolClient, string>()
  return {
    kind: 'server',
    query: direct.query,
    exec: direct.exec,
    copyFrom: direct.copyFrom,
    transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      return withClient(pool, async (client, broken) => {
        const tx = queryable(client)
        try {
          await tx.exec('BEGIN')
          const result = await fn(tx)
          await tx.exec('COMMIT')
          return result
        } catch (err) {
          try {
            await client.query('ROLLBACK')
          } catch (rollbackErr) {
            // A client whose rollback failed is in an unknown state: destroyed, not returned.
            broken(rollbackErr as Error)
          }
          throw err
        }
      })
    },
    async listen(channel: string, onNotice: () => void) {
      if (!/^[a-z_]+$/.test(channel)) throw new DbError(`not a channel name: ${JSON.stringify(channel)}`)
      let client: pg.Client | undefined
      let stopped = false
      let retry: NodeJS.Timeout | undefined
      // A dedicated connection (LISTEN holds it); lost connections are retried every second.
      const connect = async () => {
        if (stopped) return
        const c = new pg.Client({ connectionString: opts.connectionString, connectionTimeoutMillis: opts.connectTimeoutMs, application_name: 'povmap-listen' })
        c.on('notification', (m) => {
          if (m.channel === channel) onNotice()
        })
        c.on('error', (err) => {
          opts.onIdleError?.(err)
          if (client === c) client = undefined
          c.end().catch(() => undefined)
          if (!stopped) retry = setTimeout(() => void connect(), 1000).unref()
        })
        try {
          await c.connect()
          await c.query(`LISTEN ${channel}`)
          client = c
          onNotice()
        } catch (err) {
          opts.onIdleError?.(err as Error)
          c.end().catch(() => undefined)
          if (!stopped) retry = setTimeout(() => void connect(), 1000).unref()
        }
      }
      await connect()
      return async () => {
        stopped = true
        clearTimeout(retry)
        await client?.end().catch(() => undefined)
      }
    },
    async queryInView<R>(view: SessionView, sql: string, params: readonly unknown[] = [], qopts?: QueryOptions): Promise<QueryResult<R>> {
      if (closed) throw new DbUnavailableError('database unavailable (query): the pool is closed')
      viewPool ??= newPool('povmap-views')
      return withClient(viewPool, async (client, broken) => {
        try {
          if (viewOf.get(client) !== view.key) {
            viewOf.delete(client)
            const { rows } = await queryOn<Record<string, unknown>>(client, view.setupSql, view.setupParams, { prepare: true })
            if (!view.verify(rows)) throw new DbError('could not set up the session view')
            viewOf.set(client, view.key)
          }
          return await queryOn<R>(client, sql, params, qopts)
        } catch (err) {
          // Whatever failed, the connection's state is not worth reasoning about: it is closed, not reused.
          broken(err instanceof Error ? err : new Error(String(err)))
          throw err
        }
      })
    },
    async close() {
      if (closed) return
      closed = true
      await Promise.all([pool.end(), viewPool?.end()])
    },
  }
}
