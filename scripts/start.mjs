// `npm start`: build if needed, then run the compiled server in this process (signals reach it directly).
import { buildIfNeeded } from './build-if-needed.mjs'

buildIfNeeded()
await import('../dist/server/server.js')
