/**
 * What the loader needs of a database, declared here so that geodata imports nothing from the server:
 * server/db's Db (both the embedded and the server kind) satisfies these structurally.
 */
export interface LoadQueryable {
  /** One statement with `$n` bind parameters. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<{ rows: R[] }>
  /** Several statements, no parameters. */
  exec(sql: string): Promise<void>
  /** COPY of CSV text (whole rows per chunk) into table(columns); resolves to the row count. */
  copyFrom(table: string, columns: readonly string[], csvChunks: Iterable<string> | AsyncIterable<string>): Promise<number>
}

export interface LoadTarget extends LoadQueryable {
  /** Runs fn inside BEGIN … COMMIT on one connection; ROLLBACK when fn throws. */
  transaction<T>(fn: (tx: LoadQueryable) => Promise<T>): Promise<T>
}
