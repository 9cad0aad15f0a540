// `npm run dev`: the Fastify server restarting on change (tsx watch) and Vite's hot-reloading client on :5173.
import { spawn } from 'node:child_process'
import { defineCommand } from '../server/cli/args.js'

defineCommand({
  name: 'dev',
  command: 'npm run dev',
  usage: 'npm run dev',
  summary: 'Runs the API (server/server.ts under tsx watch, restarting on change) and the Vite dev server with hot reload on http://127.0.0.1:5173/, which forwards API and tile requests to it.',
  notes: ['PORT: the API’s port (default 8080); the rest of the configuration as for npm start (README.md, Configuration).'],
}).parse(process.argv.slice(2))

const apiPort = process.env.PORT ?? '8080'
const children = [
  spawn('npx', ['tsx', 'watch', '--clear-screen=false', 'server/server.ts'], { stdio: 'inherit', env: { ...process.env, PORT: apiPort, NODE_OPTIONS: [process.env.NODE_OPTIONS, '--expose-gc'].filter(Boolean).join(' ') } }),
  spawn('npx', ['vite'], { stdio: 'inherit', env: { ...process.env, API_PORT: apiPort } }),
]
process.stderr.write('povmap dev: open http://127.0.0.1:5173/ (API on :' + apiPort + ')\n')
const stop = (signal) => {
  for (const c of children) c.kill(signal)
}
process.on('SIGINT', () => stop('SIGINT'))
process.on('SIGTERM', () => stop('SIGTERM'))
for (const c of children) c.on('exit', (code) => { stop('SIGTERM'); process.exitCode = code ?? 0 })
