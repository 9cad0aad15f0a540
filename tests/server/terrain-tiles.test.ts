import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { PNG } from 'pngjs'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../server/app.js'
import { saveTerrain, terrainFromGrid } from '../../geodata/generate/terrain.js'
import { decodeTerrarium, terrainPath } from '../../server/tiles/terrain-tiles.js'
import type { Db } from '../../server/db/types.js'
import { lonLatToTile } from '../helpers/tiles.js'

/**
 * Terrain tiles need no database: a stand-in that fails loudly if anything queries it. It has no
 * getter/setter (Fastify's decorate() would take it for an accessor), is not a thenable, and like the
 * embedded database has no listen.
 */
const NOT_METHODS = new Set<PropertyKey>(['getter', 'setter', 'then', 'listen'])
const noDb = new Proxy({ kind: 'embedded' }, { get: (t, k) => (k === 'kind' ? 'embedded' : k === 'close' ? async () => {} : NOT_METHODS.has(k) ? undefined : () => { throw new Error(`terrain tiles must not query (${String(k)})`) }) }) as unknown as Db

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

  it('refuses malformed addresses', async () => {
    for (const url of ['/tiles/terrain/9/999/0.png', '/tiles/terrain/9/1/1.mvt', '/tiles/terrain/x/1/1.png']) {
      expect((await app.inject(url)).statusCode, url).toBe(400)
    }
  })
})
