/**
 * `npm run bench:wire`: bytes on the wire for the 十八洞村 opening view — what a village work team's
 * browser downloads from a cold cache until the map is idle. Prints a table and writes the
 * "Bytes on the wire" section of client/BENCHMARK.md (the rest of the file is left as it is).
 *
 * Data: the server this starts reads DATABASE_URL (the demo data, `npm run load -- --scale demo`) or,
 * unset, the embedded database under DATA_DIR. It writes one temporary village-team account of
 * 十八洞村 (random password, disabled at the end), its session and the audit entries of its requests.
 *
 * Measured by Playwright (request.sizes(): response headers and body as transferred, after
 * Content-Encoding) for every response of the page, its tile worker's included, from navigation
 * until the map is idle plus a quiet second, in a fresh browser context (cold cache) each run.
 * `--help` lists the options.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import { loadConfig } from '../server/infra/config.js'
import { openDb } from '../server/db/open-db.js'
import { buildApp } from '../server/app.js'
import { repoRoot } from '../server/infra/paths.js'
import { defineCommand, intOption } from '../server/cli/args.js'
import { loginOverHttp } from '../tests/helpers/auth.js'
import { CHROMIUM, CHROMIUM_ARGS, ensureClientBuilt, signedInState } from '../tests/helpers/browser.js'

declare const window: { __povmap?: { map: { loaded(): boolean; isMoving(): boolean } } }

const SHIBADONG = '433124110226'
const PATH = `/?sel=${SHIBADONG}`
const SECTION = '## Bytes on the wire'

const opts = defineCommand({
  name: 'bench:wire',
  command: 'npm run bench:wire',
  usage: 'npm run bench:wire -- [--runs N] [--label TEXT] [--no-write]',
  summary:
    'Bytes on the wire for the 十八洞村 opening view: what a village work team’s browser downloads from a cold cache until the map ' +
    'is idle, by kind of response and Content-Encoding. Prints a table and writes its section of client/BENCHMARK.md.',
  options: {
    runs: { type: 'string', value: 'N', default: '3', help: 'page loads; the table shows the median' },
    label: { type: 'string', value: 'TEXT', default: 'now', help: 'the heading of these figures (a later run with the same label replaces them)' },
    'no-write': { type: 'boolean', help: 'print only' },
  },
  notes: [
    'The database: DATABASE_URL, or unset the embedded PostGIS under DATA_DIR, holding the demo data (npm run load -- --scale demo); ' +
      'a temporary village-team account of 十八洞村, its session and audit entries are written. Needs /usr/bin/chromium.',
  ],
}).parse(process.argv.slice(2), (v) => ({ runs: intOption('runs', v.runs, 1, 20, 3), label: v.label, write: !v['no-write'] }))
const log = (s: string) => process.stderr.write(`${s}\n`)

type Kind = 'document' | 'script' | 'style sheet' | 'vector tiles' | 'terrain tiles' | 'API (JSON)' | 'map style, TileJSON' | 'other'
interface Row {
  url: string
  kind: Kind
  encoding: string
  bytes: number
}

function kindOf(url: string, mime: string): Kind {
  const path = new URL(url).pathname
  if (path.endsWith('.mvt')) return 'vector tiles'
  if (path.startsWith('/tiles/terrain/')) return 'terrain tiles'
  if (path.startsWith('/styles/') || /^\/tiles\/[a-z]+\.json$/.test(path)) return 'map style, TileJSON'
  if (path.startsWith('/api/')) return 'API (JSON)'
  if (mime.includes('html')) return 'document'
  if (mime.includes('javascript') || /\.m?js$/.test(path)) return 'script'
  if (mime.includes('css')) return 'style sheet'
  return 'other'
}

const config = loadConfig()
const db = await openDb(config)
ensureClientBuilt()
const app = await buildApp({ db, dataDir: config.dataDir, logger: false, hardening: { rateLimit: { tilesPerMinute: 1e9, apiPerMinute: 1e9 } } })
await app.listen({ port: 0, host: '127.0.0.1' })
const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
const session = await loginOverHttp(base, db, 'village_team', { scope: SHIBADONG, password: `bench-${randomBytes(12).toString('hex')}!` })

async function measure(browser: Browser): Promise<Row[]> {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN', storageState: signedInState(base, session) })
  const page = await ctx.newPage()
  // Page events include the requests of MapLibre's tile worker; sizes() are as transferred (encoded).
  const rows: Promise<Row>[] = []
  page.on('requestfinished', (req) => {
    rows.push(
      (async () => {
        const [sizes, res] = await Promise.all([req.sizes(), req.response()])
        const headers = res ? await res.allHeaders() : {}
        const url = req.url()
        return { url, kind: kindOf(url, headers['content-type'] ?? ''), encoding: headers['content-encoding'] ?? 'identity', bytes: sizes.responseHeadersSize + sizes.responseBodySize }
      })(),
    )
  })
  await page.goto(`${base}${PATH}`)
  await page.waitForSelector('[data-map-idle]', { timeout: 180_000 })
  await page.waitForFunction(() => !!window.__povmap && window.__povmap.map.loaded() && !window.__povmap.map.isMoving(), undefined, { timeout: 120_000, polling: 100 })
  await page.waitForTimeout(1000)
  const done = await Promise.all(rows)
  await ctx.close()
  return done.filter((r) => r.url.startsWith(base))
}

const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true })
const all: Row[][] = []
try {
  for (let i = 0; i < opts.runs; i++) {
    all.push(await measure(browser))
    log(`  run ${i + 1}: ${all.at(-1)!.reduce((s, r) => s + r.bytes, 0)} bytes in ${all.at(-1)!.length} responses`)
  }
} finally {
  await browser.close().catch(() => undefined)
  await db.query('UPDATE app_user SET disabled = true WHERE id = $1', [session.user.id]).catch(() => undefined)
  await app.close()
  await db.close()
}

const total = (rows: Row[]) => rows.reduce((s, r) => s + r.bytes, 0)
const sorted = [...all].sort((a, b) => total(a) - total(b))
const median = sorted[Math.floor(sorted.length / 2)]!
const kb = (n: number) => (n / 1024).toFixed(1)
const kinds = [...new Set(median.map((r) => r.kind))].sort()
const byKind = kinds.map((k) => {
  const rs = median.filter((r) => r.kind === k)
  const enc = [...new Set(rs.map((r) => r.encoding))].join(', ')
  return `| ${k} | ${rs.length} | ${kb(total(rs))} | ${enc} |`
})
const largest = [...median].sort((a, b) => b.bytes - a.bytes).slice(0, 8)
const table = `### ${opts.label}

Cold cache, ${opts.runs} run(s) (totals ${sorted.map((r) => kb(total(r))).join(' / ')} KiB); the median run:
**${kb(total(median))} KiB in ${median.length} responses**.

| what | responses | KiB on the wire | Content-Encoding |
|---|---|---|---|
${byKind.join('\n')}

Largest: ${largest.map((r) => `\`${new URL(r.url).pathname}\` ${kb(r.bytes)}`).join(', ')}.
`
process.stdout.write(table)

if (opts.write) {
  const file = join(repoRoot, 'client', 'BENCHMARK.md')
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : ''
  const start = previous.indexOf(`\n${SECTION}`)
  const intro = `${SECTION}

\`npm run bench:wire\`: the 十八洞村 opening view (\`${PATH}\`, signed in as its village work team,
1400×900) from a cold browser cache until the map is idle: the sum of the bytes each response took on
the wire (Playwright's \`request.sizes()\`: response headers and body as transferred, the tile
worker's requests included). A run adds its figures under its \`--label\`; older labels stay for comparison.
`
  let section = start >= 0 ? previous.slice(start + 1) : intro
  const heading = `### ${opts.label}\n`
  const at = section.indexOf(heading)
  if (at >= 0) {
    const next = section.indexOf('\n### ', at + heading.length)
    section = section.slice(0, at) + table + (next >= 0 ? section.slice(next) : '')
  } else section = `${section.trimEnd()}\n\n${table}`
  writeFileSync(file, `${start >= 0 ? previous.slice(0, start) : previous.trimEnd()}\n\n${section.trimEnd()}\n`)
  log('wrote the bytes-on-the-wire section of client/BENCHMARK.md')
}
