import { spawn, type ChildProcess } from 'node:child_process'
import { repoRoot } from '../../server/infra/paths.js'

export interface ServerProcess {
  child: ChildProcess
  url: string
  output(): string
  exited: Promise<number | null>
}

/** Runs `server/server.ts` as its own process (so signals and exits are real) on a free-ish port. */
export function spawnServer(env: Record<string, string | undefined>, script = 'server/server.ts'): ServerProcess {
  const port = String(20000 + Math.floor(Math.random() * 20000))
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: port, HOST: '127.0.0.1', LOG_LEVEL: 'warn', LOAD_DEMO: 'never', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
  return { child, url: `http://127.0.0.1:${port}`, output: () => out, exited }
}

export async function waitForHealth(p: ServerProcess, timeoutMs = 90_000): Promise<Record<string, unknown>> {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    if (p.child.exitCode !== null) throw new Error(`server exited early:\n${p.output()}`)
    try {
      const res = await fetch(`${p.url}/api/health`)
      if (res.status === 200) return (await res.json()) as Record<string, unknown>
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error(`server not healthy after ${timeoutMs} ms:\n${p.output()}`)
}
