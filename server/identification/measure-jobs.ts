/**
 * Changes of the default measure (weights and k, an AF indicator's cut-off) re-score or re-identify
 * every household: minutes at province scale, so they run as a background job of this process, not
 * inside the request. The request validates and answers 202 with the job; GET …/jobs/{id} tells how far
 * it has come. The job is ONE transaction as the province administrator who asked (readers see the old
 * measure until it commits, a failure leaves everything as it was). One job at a time per database: a
 * second change while one is queued or running is refused (409) with the running job.
 */
import { randomUUID } from 'node:crypto'

export type MeasureJobKind = 'default-measure' | 'indicator'
export type MeasureJobState = 'running' | 'done' | 'failed'

export interface MeasureJob {
  id: string
  kind: MeasureJobKind
  /** Who asked (user id), the only caller the job is shown to besides other province administrators. */
  owner: number
  state: MeasureJobState
  /** 0–100. */
  percent: number
  /** What the job is doing now ('years', 'areas', …) or why it failed (no database detail). */
  step: string
  startedAt: string
  finishedAt: string | null
}

/** Finished jobs are kept this long for their GET. */
const KEEP_MS = 60 * 60_000

/** Tells the job how far it has come (share 0..1) and at which step. */
export type Progress = (share: number, step: string) => void

export class MeasureJobs {
  private readonly jobs = new Map<string, MeasureJob>()
  private current: MeasureJob | null = null
  /** Resolves when the running job has ended (tests and shutdown wait on it). */
  private tail: Promise<void> = Promise.resolve()

  /** The job now queued or running, if any. */
  running(): MeasureJob | null {
    return this.current
  }

  get(id: string): MeasureJob | undefined {
    return this.jobs.get(id)
  }

  /**
   * Starts `work` in the background and returns its job, or `{ busy }` with the job that runs already.
   * `work` gets a progress callback; its errors end the job as failed (logged by `onError`).
   */
  start(kind: MeasureJobKind, owner: number, work: (progress: Progress) => Promise<void>, onError: (err: unknown) => void): MeasureJob | { busy: MeasureJob } {
    if (this.current) return { busy: this.current }
    const now = Date.now()
    for (const [id, j] of this.jobs) if (j.finishedAt && now - Date.parse(j.finishedAt) > KEEP_MS) this.jobs.delete(id)
    const job: MeasureJob = { id: randomUUID(), kind, owner, state: 'running', percent: 0, step: 'queued', startedAt: new Date(now).toISOString(), finishedAt: null }
    this.jobs.set(job.id, job)
    this.current = job
    const progress: Progress = (share, step) => {
      job.percent = Math.round(Math.min(Math.max(share, 0), 1) * 1000) / 10
      job.step = step
    }
    // After the response: setImmediate lets the 202 go out before the first statement is sent.
    this.tail = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => work(progress))
      .then(
        () => {
          job.state = 'done'
          job.percent = 100
          job.step = 'done'
        },
        (err: unknown) => {
          job.state = 'failed'
          job.step = 'failed'
          onError(err)
        },
      )
      .finally(() => {
        job.finishedAt = new Date().toISOString()
        this.current = null
      })
    return job
  }

  /** Waits for the running job, if any, to end. */
  async idle(): Promise<void> {
    await this.tail
  }
}

/** One MeasureJobs per database handle, shared by the routes of every capability that change the measure. */
const registry = new WeakMap<object, MeasureJobs>()
export function measureJobsFor(db: object): MeasureJobs {
  let jobs = registry.get(db)
  if (!jobs) registry.set(db, (jobs = new MeasureJobs()))
  return jobs
}

/** The 409 answer while a change runs. */
export function jobBusy(job: MeasureJob) {
  return { error: 'Conflict', message: `a change of the measure is running (job ${job.id}, ${job.percent} %); try again when it is done`, job }
}
