// `npm start`: build if needed, then run the compiled server in this process (signals reach it directly).
import { defineCommand } from '../server/cli/args.js'
import { buildIfNeeded } from './build-if-needed.mjs'

defineCommand({
  name: 'start',
  command: 'npm start',
  usage: 'npm start',
  summary:
    'Builds the server and the client when their sources changed, opens the configured database, migrates it, loads the demo data ' +
    'and creates the demo accounts on the first run (progress shown), and serves the map and the API until Ctrl-C or SIGTERM.',
  notes: ['Configured by environment variables only: PORT, HOST, DATABASE_URL, DATA_DIR, LOAD_DEMO, COOKIE_SECURE and more (README.md, Configuration and Settings).'],
}).parse(process.argv.slice(2))
buildIfNeeded()
await import('../dist/server/server.js')
