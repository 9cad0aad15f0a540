/**
 * The whole identification as a batch job with progress: per year one set-based statement
 * (identification_batch_year, migration 0027: members aggregated once per batch, the mask computed
 * from the indicator system's cut-offs, no index upkeep in a full rebuild), then the profile of every
 * area once. One transaction: readers see the old results or the new ones, never half. The loader runs
 * the same SQL at the end of a load (identification_refresh_all).
 */
import type { Db } from '../db/types.js'

export interface BatchOptions {
  /** Years to identify (default: every year with registry rows, a full rebuild). */
  years?: readonly number[]
  /** Called after each batch: done and total batches, and what was done. */
  onProgress?: (done: number, total: number, label: string) => void
}

export interface BatchResult {
  households: number
  batches: number
  years: number[]
  ms: number
  /** Milliseconds per step: 'members' (aggregated once), each year, 'areas' (indexes and profile). */
  steps: Record<string, number>
}

export async function identifyAll(db: Db, opts: BatchOptions = {}): Promise<BatchResult> {
  const started = performance.now()
  return db.transaction(async (tx) => {
    await tx.exec('SET LOCAL statement_timeout = 0')
    const full = !opts.years
    const years = opts.years ? [...opts.years] : (await tx.query<{ year: number }>('SELECT DISTINCT year FROM household_year ORDER BY year')).rows.map((r) => r.year)
    // One statement per year over the whole province: a filter by a list of villages (= ANY of an
    // array) costs a comparison per village and row, four times the whole year's work for one county.
    const total = years.length + 1
    const steps: Record<string, number> = {}
    let done = 0
    let households = 0
    let t = performance.now()
    const step = (label: string) => {
      const now = performance.now()
      steps[label] = now - t
      t = now
    }
    opts.onProgress?.(0, total, 'start')
    await tx.query('SELECT identification_batch_begin($1)', [full])
    step('members')
    for (const year of years) {
      const { rows } = await tx.query<{ n: number }>('SELECT identification_batch_year($1) AS n', [year])
      households += rows[0]!.n
      step(String(year))
      opts.onProgress?.(++done, total, String(year))
    }
    await tx.query('SELECT identification_batch_end($1)', [full])
    step('areas')
    opts.onProgress?.(++done, total, 'areas')
    return { households, batches: total, years, ms: performance.now() - started, steps }
  })
}
