import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { PNG } from 'pngjs'
import { threadId } from 'node:worker_threads'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../../server/app.js'
import { saveTerrain, terrainFromGrid, terrainPath } from '../../../geodata/terrain-format.js'
import { decodeTerrarium } from '../../../server/tiles/terrain-render.js'
import type { Db } from '../../../server/db/types.js'
import { lonLatToTile } from '../../helpers/tiles.js'

/**
 * Terrain tiles need no database: a stand-in that fails loudly if anything queries it, as a database
 * without the tables would (42P01: start-up work of other plugins, such as the auth plugin's, takes
 * that for a database not migrated yet). It has no getter/setter (Fastify's decorate() would take it
 * for an accessor), is not a thenable, and like the embedded database has no listen.
 */
const NOT_METHODS = new Set<PropertyKey>(['getter', 'setter', 'then', 'listen'])
const refuse = (k: PropertyKey) => () => {
  throw Object.assign(new Error(`terrain tiles must not query (${String(k)})`), { code: '42P01' })
}
const noDb = new Proxy({ kind: 'embedded' }, { get: (t, k) => (k === 'kind' ? 'embedded' : k === 'close' ? async () => {} : NOT_METHODS.has(k) ? undefined : refuse(k)) }) as unknown as Db

describe('terrain tiles', () => {
  let dir: string
  let app: FastifyInstance
  // A ramp: 10 m per cell eastwards plus 3 m per cell southwards, over 109–111 E, 27–29 N.
  const width = 200
  const height = 200
  const cellDeg = 0.01
  const data = new Int16Array(width * height).map((_, i) => (i % width) * 10 + Math.floor(i / width) * 3)
  const terrain = terrainFromGrid({ west: 109, north: 29, south: 27, east: 111, width, height, cellDeg, data })
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'povmap-terrain-'))
    app = await buildApp({ db: noDb, dataDir: dir, serveClient: false })
  })
  afterAll(async () => {
    await app.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('answers 404 until a DEM exists', async () => {
    const res = await app.inject('/tiles/terrain/8/206/107.png')
    expect(res.statusCode).toBe(404)
    expect(res.json().message).toMatch(/no terrain yet/)
  })

  it('encodes the DEM in Terrarium: decoded pixels equal the elevation at their centres', async () => {
    await saveTerrain(terrainPath(dir), terrain)
    app.terrain.reset()
    const t = lonLatToTile(110, 28, 9)
    const res = await app.inject(`/tiles/terrain/${t.z}/${t.x}/${t.y}.png`)
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('image/png')
    const png = PNG.sync.read(res.rawPayload)
    expect([png.width, png.height]).toEqual([256, 256])
    const n = 2 ** t.z
    for (const [i, j] of [[0, 0], [128, 64], [255, 255], [17, 200]] as const) {
      const lon = ((t.x + (i + 0.5) / 256) / n) * 360 - 180
      const lat = (Math.atan(Math.sinh(Math.PI * (1 - (2 * (t.y + (j + 0.5) / 256)) / n))) * 180) / Math.PI
      const k = (j * 256 + i) * 4
      const h = decodeTerrarium(png.data[k]!, png.data[k + 1]!, png.data[k + 2]!)
      expect(h).toBeCloseTo(terrain.elevation(lon, lat), 1)
    }
    const again = await app.inject({ url: `/tiles/terrain/${t.z}/${t.x}/${t.y}.png`, headers: { 'if-none-match': String(res.headers.etag) } })
    expect(again.statusCode).toBe(304)
  })

  it('renders off the event loop: a trivial request answers while 50 uncached tiles render, each in a worker thread', async () => {
    // z12 tiles around 110 E 28 N, none rendered before (the other tests use z9).
    const at = lonLatToTile(110, 28, 12)
    const burst = Array.from({ length: 50 }, (_, k) => `/tiles/terrain/12/${at.x - 5 + (k % 10)}/${at.y - 2 + Math.floor(k / 10)}.png`)
    let done = 0
    const pending = burst.map((url) => app.inject(url).then((res) => (done++, res)))
    // The style is built in memory: it waits only for whatever else holds the event loop.
    const style = await app.inject('/styles/povmap.json')
    const doneBeforeStyle = done
    expect(style.statusCode).toBe(200)
    const tiles = await Promise.all(pending)
    expect(tiles.map((r) => r.statusCode)).toEqual(burst.map(() => 200))
    // Fifty tiles take at least ten times one tile's rendering, spread over a pool of a few threads:
    // a request arriving after them was answered long before they were all done.
    expect(doneBeforeStyle).toBeLessThan(25)
    // And the proof that does not depend on timing: each was rendered by a worker thread, not this one.
    const rendered = await Promise.all([0, 1, 2, 3].map((k) => app.terrain.tile({ z: 13, x: 2 * at.x + k, y: 2 * at.y })))
    for (const r of rendered) {
      expect(typeof r?.renderedBy).toBe('number')
      expect(r?.renderedBy).not.toBe(threadId)
    }
  })

  it('renders nothing outside the DEM, and refuses work past a bounded queue with 503', async () => {
    const far = await app.inject('/tiles/terrain/9/0/0.png')
    expect(far.statusCode).toBe(204)
    expect(far.body).toBe('')
    const small = await buildApp({ db: noDb, dataDir: dir, serveClient: false, tiles: { terrain: { threads: 1, maxPending: 3 } } })
    try {
      const at = lonLatToTile(110, 28, 11)
      // Nine tiles inside the DEM at once: three are taken (the first worker is still starting), the rest refused.
      const answers = await Promise.all(Array.from({ length: 9 }, (_, k) => small.inject(`/tiles/terrain/11/${at.x - 4 + k}/${at.y}.png`)))
      const codes = answers.map((r) => r.statusCode)
      expect(codes.filter((c) => c === 200).length).toBeGreaterThanOrEqual(3)
      const busy = answers.filter((r) => r.statusCode === 503)
      expect(busy.length).toBeGreaterThan(0)
      expect(busy[0]!.headers['retry-after']).toBe('1')
      expect(busy[0]!.json().message).toMatch(/too many terrain tiles/)
      expect(codes.every((c) => c === 200 || c === 503)).toBe(true)
    } finally {
      await small.close()
    }
  })

  it('refuses malformed addresses', async () => {
    for (const url of ['/tiles/terrain/9/999/0.png', '/tiles/terrain/9/1/1.mvt', '/tiles/terrain/x/1/1.png']) {
      expect((await app.inject(url)).statusCode, url).toBe(400)
    }
  })
})
