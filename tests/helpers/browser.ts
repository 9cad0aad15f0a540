/**
 * End-to-end helpers: the built client, the app on a fresh fixture database, and headless Chromium.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core'
import { buildApp, type AppOptions } from '../../server/app.js'
import { repoRoot } from '../../server/infra/paths.js'
import { loadDataset } from '../../geodata/load/load-dataset.js'
import { saveTerrain, terrainFromGrid, terrainPath } from '../../geodata/terrain-format.js'
import { openTestDb, TMP_ROOT, type TestDb } from './test-db.js'
import { fixtureDataset, FIXTURE } from './fixture-dataset.js'
import { SESSION_HINT_KEY } from '../../client/src/api/session-hint.js'

export const CHROMIUM = '/usr/bin/chromium'
export const hasChromium = existsSync(CHROMIUM)
export const ARTIFACTS = join(repoRoot, 'test-artifacts')

const CLIENT_SOURCES = ['client', 'tiles', 'domain', 'vite.config.ts', 'tsconfig.client.json', 'package.json']

function newest(path: string): number {
  if (!existsSync(path)) return 0
  const st = statSync(path)
  if (!st.isDirectory()) return st.mtimeMs
  let max = 0
  for (const name of readdirSync(path)) if (!name.startsWith('.') && name !== 'node_modules') max = Math.max(max, newest(join(path, name)))
  return max
}

/** Builds dist/client with Vite when it is missing or older than any client source. */
export function ensureClientBuilt(): void {
  const index = join(repoRoot, 'dist', 'client', 'index.html')
  const built = existsSync(index) ? statSync(index).mtimeMs : 0
  const source = Math.max(...CLIENT_SOURCES.map((s) => newest(join(repoRoot, s))))
  if (built >= source) return
  execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] })
}

export interface FixtureApp {
  url: string
  app: FastifyInstance
  db: TestDb
  close(): Promise<void>
}

/**
 * The whole app (API, tiles, style, built client) on a fresh database holding the fixture, with a
 * small synthetic DEM so that hillshade and terrain tiles answer like after a demo load.
 */
export async function startFixtureApp(opts: { port?: number; host?: string; logger?: boolean; auth?: AppOptions['auth'] } = {}): Promise<FixtureApp> {
  const db = await openTestDb({ migrate: true })
  await loadDataset(db.db, fixtureDataset(), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
  const dataDir = db.db.kind === 'embedded' ? db.location : mkdtempSync(join(TMP_ROOT, 'data-'))
  await saveTerrain(terrainPath(dataDir), fixtureTerrain())
  const app = await buildApp({ db: db.db, dataDir, logger: opts.logger ? { level: 'info' } : false, auth: opts.auth })
  await app.listen({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 0 })
  const addr = app.server.address()
  const port = typeof addr === 'object' && addr ? addr.port : opts.port
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    app,
    db,
    async close() {
      await app.close()
      await db.dispose()
      if (dataDir !== db.location) rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** A hill over the fixture's villages (≈ 300–900 m), on a 0.002° grid around them. */
export function fixtureTerrain() {
  const [x0, y0] = FIXTURE.origin
  const cellDeg = 0.002
  const west = x0 - 0.3
  const north = y0 + 0.34
  const width = 300
  const height = 300
  const data = new Int16Array(width * height)
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      const dx = (i - 150) / 40
      const dy = (j - 170) / 40
      data[j * width + i] = Math.round(300 + 600 * Math.exp(-(dx * dx + dy * dy) / 2) + 40 * Math.sin(i / 7) * Math.cos(j / 9))
    }
  }
  return terrainFromGrid({ west, north, east: west + width * cellDeg, south: north - height * cellDeg, width, height, cellDeg, data })
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
]

/**
 * What a browser that signed in at baseUrl holds, for browser.newContext({ storageState }): the
 * session cookie (from loginOverHttp) and the client's note that it signed in, without which it shows
 * the sign-in form without asking the server (client/src/api/session-hint.ts).
 */
export function signedInState(baseUrl: string, cookie: { name: string; value: string }): NonNullable<BrowserContextOptions['storageState']> {
  const url = new URL(baseUrl)
  return {
    cookies: [{ name: cookie.name, value: cookie.value, domain: url.hostname, path: '/', expires: -1, httpOnly: true, secure: false, sameSite: 'Strict' }],
    origins: [{ origin: url.origin, localStorage: [{ name: SESSION_HINT_KEY, value: '1' }] }],
  }
}

/** Debian's Chromium; Playwright gives every launch a fresh temporary profile (user-data dir) of its own. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true })
}

/** Console errors and uncaught exceptions of a page, collected from the start. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`)
  })
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`))
  return errors
}

/**
 * A fresh page signed in with `cookie` at `baseUrl + path`, once its map has loaded. The contexts opened
 * before are closed first (one map draws at a time on two cores); the new one is kept in `contexts`.
 */
export async function openSignedInPage(
  browser: Browser,
  contexts: BrowserContext[],
  baseUrl: string,
  cookie: { name: string; value: string },
  path: string,
): Promise<{ page: Page; errors: string[] }> {
  for (const c of contexts.splice(0)) await c.close().catch(() => {})
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN', storageState: signedInState(baseUrl, cookie) })
  contexts.push(ctx)
  const page = await ctx.newPage()
  const errors = collectErrors(page)
  await page.goto(`${baseUrl}${path}`)
  await page.waitForSelector('[data-map-loaded]', { timeout: 120_000 })
  return { page, errors }
}
