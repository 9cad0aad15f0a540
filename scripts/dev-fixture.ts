import { defineCommand, intOption } from '../server/cli/args.js'
import { failAndExit } from '../server/cli/fail.js'
import { ensureClientBuilt, startFixtureApp } from '../tests/helpers/browser.js'
import { createTestUser, TEST_PASSWORD } from '../tests/helpers/auth.js'

const { port } = defineCommand({
  name: 'dev-fixture',
  command: 'npx tsx scripts/dev-fixture.ts',
  usage: 'npx tsx scripts/dev-fixture.ts [--port N]',
  summary:
    'Serves the app (the client built first when its sources changed) on a fresh database holding the small test fixture ' +
    '(十八洞村 and its neighbours) and a synthetic DEM, to try the map client by hand without a demo load. It creates a province ' +
    'administrator (second factor off, for this throw-away database only) and prints the credentials; the database is thrown away on Ctrl-C.',
  options: { port: { type: 'string', value: 'N', help: 'listen on 127.0.0.1:N (default: 8090)' } },
  notes: ['The database: embedded under .vitest-tmp/, or with DATABASE_URL one created on that server for the run (as the tests do).'],
}).parse(process.argv.slice(2), (o) => ({ port: intOption('port', o.port, 1, 65535, 8090) }))

const fixture = await (async () => {
  try {
    ensureClientBuilt()
    const started = await startFixtureApp({ port, auth: { totp: 'off' } })
    const user = await createTestUser(started.db.db, 'province_admin', { username: 'demo-admin', totp: false })
    process.stdout.write(`povmap fixture app on ${started.url}/ — sign in as ${user.username} / ${TEST_PASSWORD} (Ctrl-C stops it)\n`)
    return started
  } catch (err) {
    failAndExit('dev-fixture', err)
  }
})()
const stop = async () => {
  await fixture.close()
  process.exit(0)
}
process.once('SIGINT', () => void stop())
process.once('SIGTERM', () => void stop())
