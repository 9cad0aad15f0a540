// Rebuilds dist/ when any source is newer than the last build, so `npm start` after a `git pull` serves current code.
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { execFileSync } from 'node:child_process'

const root = new URL('..', import.meta.url).pathname
const SOURCES = ['domain', 'server', 'client', 'tiles', 'geodata', 'package.json', 'vite.config.ts', 'tsconfig.server.json']
const STAMPS = ['dist/server/server.js', 'dist/client/index.html']

function newest(path) {
  if (!existsSync(path)) return 0
  const st = statSync(path)
  if (!st.isDirectory()) return /\.(ts|vue|css|html|json|mjs|sql)$/.test(path) ? st.mtimeMs : 0
  let max = 0
  for (const name of readdirSync(path)) {
    if (name === 'node_modules' || name.startsWith('.')) continue
    max = Math.max(max, newest(join(path, name)))
  }
  return max
}

export function buildIfNeeded() {
  const built = Math.min(...STAMPS.map((s) => (existsSync(join(root, s)) ? statSync(join(root, s)).mtimeMs : 0)))
  const source = Math.max(...SOURCES.map((s) => newest(join(root, s))))
  if (built > 0 && built >= source) return
  process.stderr.write('povmap: building server and client (first run or sources changed)…\n')
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' })
}
