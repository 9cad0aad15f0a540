/**
 * The load generator of bench:tiles, in a process of its own: on 2 cores, a load generator in the same
 * process as the server under test would take its CPU from that server (and more from a fast one
 * than from a slow one). Receives one job over IPC, answers with the summary.
 *
 * Two generators: wrk (Debian's, written in C) when it is installed, else autocannon (npm). Whichever
 * runs shares the machine's cores with the server, the database and the ceilings, and wrk takes less
 * of them per request than autocannon does, so the server's own figures come out less distorted.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import autocannon from 'autocannon'
import { pct } from './percentile.js'
import { defineCommand } from '../server/cli/args.js'

export type LoadTool = 'wrk' | 'autocannon'

export interface LoadJob {
  tool: LoadTool
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
  /** Response bytes per request, headers included. */
  meanBytes: number
  /** The largest response (autocannon only; wrk does not report it). */
  maxBytes: number | null
  /** Responses with a status of 400 or more (wrk: outside 2xx/3xx), plus connection errors. */
  errors: number
}

/** Whether Debian's wrk can be run here. */
export async function wrkInstalled(): Promise<boolean> {
  return new Promise((resolve) => {
    const p = spawn('wrk', ['--version'], { stdio: 'ignore' })
    p.once('error', () => resolve(false))
    p.once('exit', () => resolve(true))
  })
}

async function runAutocannon(job: LoadJob): Promise<LoadSummary> {
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

// The requests are formatted once; connections take them in turn, so with more tiles than connections
// no two ask for the same tile at once. done() prints one JSON line for the summary.
const WRK_SCRIPT = `
local paths = PATHS
local headers = HEADERS
local reqs = {}
local next = 0
init = function(args)
  for k, v in pairs(headers) do wrk.headers[k] = v end
  for i, p in ipairs(paths) do reqs[i] = wrk.format("GET", p) end
end
request = function()
  next = next % #reqs + 1
  return reqs[next]
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK-SUMMARY {"requests":%d,"us":%d,"bytes":%d,"p50":%d,"p95":%d,"errors":%d}\\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(95),
    e.status + e.connect + e.read + e.write + e.timeout))
end
`

async function runWrk(job: LoadJob): Promise<LoadSummary> {
  const dir = mkdtempSync(join(tmpdir(), 'povmap-wrk-'))
  try {
    const lua = (v: unknown) => JSON.stringify(v) // ASCII paths and header values: JSON strings are Lua strings
    const paths = `{ ${job.paths.map(lua).join(', ')} }`
    const headers = `{ ${Object.entries(job.headers).map(([k, v]) => `[${lua(k)}] = ${lua(v)}`).join(', ')} }`
    const script = join(dir, 'tiles.lua')
    writeFileSync(script, WRK_SCRIPT.replace('PATHS', paths).replace('HEADERS', headers))
    const connections = Math.min(job.connections, job.paths.length)
    const args = ['-t1', `-c${connections}`, `-d${job.seconds}s`, '--timeout', '300s', '-s', script, `http://127.0.0.1:${job.port}`]
    const out = await new Promise<string>((resolve, reject) => {
      const p = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'inherit'] })
      let text = ''
      p.stdout.on('data', (d: Buffer) => (text += d.toString()))
      p.once('error', reject)
      p.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited with ${code}: ${text}`))))
    })
    const line = /WRK-SUMMARY (\{.*\})/.exec(out)
    if (!line) throw new Error(`wrk printed no summary: ${out}`)
    const s = JSON.parse(line[1]!) as { requests: number; us: number; bytes: number; p50: number; p95: number; errors: number }
    return { requests: s.requests, seconds: s.us / 1e6, p50: s.p50 / 1000, p95: s.p95 / 1000, meanBytes: s.bytes / Math.max(1, s.requests), maxBytes: null, errors: s.errors }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

// Only as a forked child (bench-tiles imports this module for its types and wrkInstalled too).
if (process.send) {
  process.on('message', (job: LoadJob) => {
    ;(job.tool === 'wrk' ? runWrk(job) : runAutocannon(job)).then(
      (summary) => process.send!({ summary }, () => process.exit(0)),
      (err: unknown) => process.send!({ error: String(err) }, () => process.exit(1)),
    )
  })
} else if (process.argv[1]?.endsWith('load-client.ts')) {
  const cli = defineCommand({
    name: 'load-client',
    command: 'npx tsx bench/load-client.ts',
    usage: 'npx tsx bench/load-client.ts',
    summary: 'The load generator of npm run bench:tiles, in a process of its own: bench:tiles forks it and sends it one job over IPC.',
  })
  cli.parse(process.argv.slice(2))
  cli.usageError('it takes its job over IPC from npm run bench:tiles: run that instead')
}
