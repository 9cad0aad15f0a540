/**
 * The load generator of bench:tiles, in a process of its own: on 2 cores, autocannon in the same
 * process as the server under test would take its CPU from that server (and more from a fast one
 * than from a slow one). Receives one job over IPC, answers with the summary.
 */
import autocannon from 'autocannon'
import { pct } from './percentile.js'

export interface LoadJob {
  port: number
  paths: string[]
  connections: number
  seconds: number
  headers: Record<string, string>
}

export interface LoadSummary {
  requests: number
  seconds: number
  p50: number
  p95: number
  meanBytes: number
  maxBytes: number
  errors: number
}


async function run(job: LoadJob): Promise<LoadSummary> {
  const reqs = job.paths.map((path) => ({ method: 'GET' as const, path }))
  const connections = Math.min(job.connections, reqs.length)
  const lat: number[] = []
  let bytes = 0
  let maxBytes = 0
  let errors = 0
  let client = 0
  const started = Date.now()
  await new Promise<void>((resolve, reject) => {
    const inst = autocannon(
      {
        url: `http://127.0.0.1:${job.port}`,
        connections,
        duration: job.seconds,
        headers: job.headers,
        requests: reqs,
        timeout: 300,
        // Each connection walks the list from its own offset: no two ask for the same tile at once.
        setupClient: (c: { setRequests: (r: typeof reqs) => void }) => {
          const k = Math.floor((client++ * reqs.length) / connections)
          c.setRequests([...reqs.slice(k), ...reqs.slice(0, k)])
        },
      } as autocannon.Options,
      (err) => (err ? reject(err) : resolve()),
    )
    inst.on('response', (_c: unknown, status: number, resBytes: number, ms: number) => {
      if (status >= 400) errors++
      lat.push(ms)
      bytes += resBytes
      if (resBytes > maxBytes) maxBytes = resBytes
    })
  })
  return { requests: lat.length, seconds: (Date.now() - started) / 1000, p50: pct(lat, 50), p95: pct(lat, 95), meanBytes: bytes / Math.max(1, lat.length), maxBytes, errors }
}

process.on('message', (job: LoadJob) => {
  run(job).then(
    (summary) => process.send!({ summary }, () => process.exit(0)),
    (err: unknown) => process.send!({ error: String(err) }, () => process.exit(1)),
  )
})
