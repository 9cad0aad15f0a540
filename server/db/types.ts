/** One interface for both databases: the app never knows whether PGlite or a pg pool answers. */
export interface QueryResult<R> {
  rows: R[]
  rowCount: number
}

export interface QueryOptions {
  /**
   * Keep the statement prepared on the connection (a server's pool): the next run skips parsing and,
   * once PostgreSQL settles on a generic plan, planning — which costs more than running a small tile
   * query under row-level security. For statements run very often with the same text; the embedded
   * database ignores it.
   */
  prepare?: boolean
}

export interface Queryable {
  /** One statement with `$n` bind parameters. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[], opts?: QueryOptions): Promise<QueryResult<R>>
  /** Several statements, no parameters (migrations, DDL). */
  exec(sql: string): Promise<void>
  /**
   * Bulk-loads CSV text (no header) into table(columns) with COPY; each chunk is whole rows.
   * Table and column names come from code, never from requests; they are checked and quoted.
   */
  copyFrom(table: string, columns: readonly string[], csvChunks: Iterable<string> | AsyncIterable<string>): Promise<number>
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/

/** The COPY statement for a table and its columns, refusing anything that is not a plain identifier. */
export function copySql(table: string, columns: readonly string[], source: string): string {
  for (const id of [table, ...columns]) if (!IDENTIFIER.test(id)) throw new Error(`not a plain SQL identifier: ${JSON.stringify(id)}`)
  return `COPY "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) FROM ${source} WITH (FORMAT csv)`
}

export type DbKind = 'embedded' | 'server'

export interface Db extends Queryable {
  readonly kind: DbKind
  /**
   * Runs fn inside BEGIN … COMMIT on one connection; ROLLBACK when fn throws.
   * On the embedded database transactions are serialised: no other statement runs until it ends.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>
  /**
   * Calls onNotice for each NOTIFY on the channel, and once more after each reconnection (notices sent
   * while disconnected are lost; the caller must assume it missed some). Resolves to a stop function.
   * Only a server database has other processes to hear from: the embedded one has no listen.
   */
  listen?(channel: string, onNotice: () => void): Promise<() => Promise<void>>
  /**
   * Server only: one statement, in its own implicit transaction, on a connection of a separate pool
   * whose session is set up for `view` (server/db/scoped.ts, viewQueryable). A connection set up for the
   * same key is reused as it is, so the statement is the only round trip; otherwise the set-up runs
   * first. The embedded database has one connection and no such pool: it runs reads in transactions.
   */
  queryInView?<R = Record<string, unknown>>(view: SessionView, sql: string, params?: readonly unknown[], opts?: QueryOptions): Promise<QueryResult<R>>
  close(): Promise<void>
}

/** Session settings a connection of a server's view pool holds (Db.queryInView). */
export interface SessionView {
  /** Names the settings: connections set up under the same key are interchangeable. */
  key: string
  /** One statement that sets them for the session (set_config(…, false)), with bind parameters. */
  setupSql: string
  setupParams: readonly unknown[]
  /** Whether the set-up statement's rows prove the settings took; false discards the connection. */
  verify(rows: readonly Record<string, unknown>[]): boolean
}

/** A database failure with the operation that failed; the driver's error is kept as `cause`, never shown to clients. */
export class DbError extends Error {
  override name = 'DbError'
  readonly code: string | undefined
  constructor(message: string, opts: { cause?: unknown; code?: string } = {}) {
    super(message, { cause: opts.cause })
    this.code = opts.code
  }
}

/** The database cannot be reached (down, wrong address, refused). */
export class DbUnavailableError extends DbError {
  override name = 'DbUnavailableError'
}
