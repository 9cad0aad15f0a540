/** How bench:tiles measures a contender: the same tile lists, load and rounds for every one of them. */
import http from 'node:http'
import { join } from 'node:path'
import { fork } from 'node:child_process'
import { pct } from './percentile.js'
import { repoRoot } from '../server/infra/paths.js'
import { wrkInstalled, type LoadJob, type LoadSummary, type LoadTool } from './load-client.js'

export type Tile = { z: number; x: number; y: number }
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 4)
export const tilePath = (t: Tile) => `/tiles/households/${t.z}/${t.x}/${t.y}.mvt`

export interface Result {
  tilesPerS: number
  p50: number
  p95: number
  meanBytes: number
  maxBytes: number | null
  errors: number
}

export const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
// BENCH_LOAD=autocannon forces the npm generator where wrk is installed.
export const LOAD_TOOL: LoadTool = process.env.BENCH_LOAD === 'autocannon' || !(await wrkInstalled()) ? 'autocannon' : 'wrk'

/** Requests the list's tiles for a fixed time, from a separate process (bench/load-client.ts). */
export async function loadTest(port: number, tiles: Tile[], seconds = SECONDS, headers: Record<string, string> = {}): Promise<Result> {
  const child = fork(join(repoRoot, 'bench', 'load-client.ts'), { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const job: LoadJob = { tool: LOAD_TOOL, port, paths: tiles.map(tilePath), connections: CONNECTIONS, seconds, headers }
  const answer = await new Promise<{ summary?: LoadSummary; error?: string }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { summary?: LoadSummary; error?: string }))
    child.once('error', reject)
    child.once('exit', (code) => (code ? reject(new Error(`load client exited with ${code}`)) : undefined))
    child.send(job)
  })
  if (!answer.summary) throw new Error(`load client failed: ${answer.error}`)
  const r = answer.summary
  return { tilesPerS: r.requests / r.seconds, p50: r.p50, p95: r.p95, meanBytes: r.meanBytes, maxBytes: r.maxBytes, errors: r.errors }
}

/**
 * Runs `run` over the list, CONNECTIONS tiles at a time: for `seconds`, walking the list round, or,
 * with seconds undefined, once through it however long that takes.
 */
export async function drive(run: (t: Tile) => Promise<{ bytes: number; ok: boolean }>, tiles: Tile[], seconds?: number): Promise<Result> {
  const lat: number[] = []
  const bytes: number[] = []
  let errors = 0
  let next = 0
  const started = performance.now()
  const until = started + (seconds ?? 0) * 1000
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (seconds === undefined ? next < tiles.length : performance.now() < until) {
        const t = tiles[next++ % tiles.length]!
        const t0 = performance.now()
        const r = await run(t)
        lat.push(performance.now() - t0)
        bytes.push(r.bytes)
        if (!r.ok) errors++
      }
    }),
  )
  const secs = (performance.now() - started) / 1000
  return { tilesPerS: lat.length / secs, p50: pct(lat, 50), p95: pct(lat, 95), meanBytes: bytes.reduce((s, b) => s + b, 0) / bytes.length, maxBytes: bytes.reduce((m, b) => Math.max(m, b), 0), errors }
}

/** The raw tile SQL through a pool, same concurrency and time, no HTTP: what PostgreSQL itself costs. */
export function floor(run: (t: Tile) => Promise<number>, tiles: Tile[], seconds = SECONDS): Promise<Result> {
  return drive(async (t) => ({ bytes: await run(t), ok: true }), tiles, seconds)
}

/** A GET on loopback: the body's size and whether the status is below 400. */
export function httpGet(port: number, p: string, headers: Record<string, string>): Promise<{ bytes: number; ok: boolean }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: p, headers }, (res) => {
        let bytes = 0
        res.on('data', (d: Buffer) => (bytes += d.length))
        res.on('end', () => resolve({ bytes, ok: (res.statusCode ?? 500) < 400 }))
        res.on('error', reject)
      })
      .on('error', reject)
  })
}

/**
 * One pass over the list, each tile once, however long it takes: for the naive peer's low-zoom
 * tiles, of which a timed run finishes none (each holds every household below it).
 */
export function onePass(port: number, tiles: Tile[], headers: Record<string, string>): Promise<Result> {
  return drive((t) => httpGet(port, tilePath(t), headers), tiles)
}

export const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3))

/**
 * Measures a against b in ROUNDS rounds, alternating which goes first; the round with the median
 * ratio a/b stands for both. A VM's speed drifts by tens of per cent within a minute (neighbours),
 * and single rounds of the same pair (pan z14, BENCH_ROUNDS=5) read from 0.38 to 0.73 within one run here.
 */
export async function paired(a: () => Promise<Result>, b: () => Promise<Result>): Promise<{ a: Result; b: Result; ratios: number[] }> {
  const rounds: { a: Result; b: Result; ratio: number }[] = []
  for (let i = 0; i < ROUNDS; i++) {
    let ra: Result, rb: Result
    if (i % 2 === 0) [ra, rb] = [await a(), await b()]
    else [rb, ra] = [await b(), await a()]
    rounds.push({ a: ra, b: rb, ratio: rb.tilesPerS > 0 ? ra.tilesPerS / rb.tilesPerS : 0 })
  }
  const median = [...rounds].sort((x, y) => x.ratio - y.ratio)[(rounds.length - 1) >> 1]!
  return { a: median.a, b: median.b, ratios: rounds.map((r) => r.ratio) }
}

