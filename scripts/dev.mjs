// `npm run dev`: the Fastify server restarting on change (tsx watch) and Vite's hot-reloading client on :5173.
import { spawn } from 'node:child_process'

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
