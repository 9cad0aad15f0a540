/**
 * Serves the app on a fresh embedded database holding the small test fixture (十八洞村 and its
 * neighbours) plus a synthetic DEM, to try the map client by hand without a demo load:
 *   npx vite build && npx tsx scripts/dev-fixture.ts [port]
 * It creates a province administrator (second factor off, for this throw-away database only) and
 * prints the credentials. The database is thrown away on Ctrl-C.
 */
import { startFixtureApp } from '../tests/helpers/browser.js'
import { createTestUser, TEST_PASSWORD } from '../tests/helpers/auth.js'

const port = Number(process.argv[2] ?? 8090)
const fixture = await startFixtureApp({ port, auth: { totp: 'off' } })
const user = await createTestUser(fixture.db.db, 'province_admin', { username: 'demo-admin', totp: false })
process.stdout.write(`povmap fixture app on ${fixture.url}/ — sign in as ${user.username} / ${TEST_PASSWORD} (Ctrl-C stops it)\n`)
const stop = async () => {
  await fixture.close()
  process.exit(0)
}
process.once('SIGINT', () => void stop())
process.once('SIGTERM', () => void stop())
