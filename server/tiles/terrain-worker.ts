/**
 * Renders terrain tiles on a worker thread (server/tiles/terrain-pool.ts starts it): sampling the DEM
 * and encoding the PNG cost ~10 ms of CPU per tile, which on the main thread would hold every other
 * request up behind a burst of tiles (terrain tiles are public).
 */
import { parentPort, threadId } from 'node:worker_threads'
import { createHash } from 'node:crypto'
import { loadTerrain, type Terrain } from '../../geodata/terrain-format.js'
import { renderTerrainTile, tileOutside } from './terrain-render.js'
import type { TerrainReply, TerrainRequest } from './terrain-protocol.js'

const port = parentPort
if (!port) throw new Error('terrain-worker must run as a worker thread')

/** The DEM of the last load this worker saw (a new generation means a new load: read the file again). */
let loaded: { path: string; generation: number; terrain: Terrain } | undefined

port.on('message', (req: TerrainRequest) => {
  void handle(req)
})

async function handle(req: TerrainRequest): Promise<void> {
  const reply = (m: TerrainReply, transfer: ArrayBuffer[] = []) => port!.postMessage(m, transfer)
  try {
    if (!loaded || loaded.path !== req.path || loaded.generation !== req.generation) {
      loaded = undefined
      loaded = { path: req.path, generation: req.generation, terrain: await loadTerrain(req.path) }
    }
    const { terrain } = loaded
    const bounds: [number, number, number, number] = [terrain.west, terrain.south, terrain.east, terrain.north]
    if (tileOutside(req, bounds)) return reply({ id: req.id, ok: true, outside: true, bounds, renderedBy: threadId })
    const png = renderTerrainTile(terrain, req)
    const etag = `"${createHash('sha1').update(png).digest('base64url')}"`
    // The PNG's own memory moves to the main thread (no copy); a buffer sharing Node's pool is copied first.
    const own = png.byteOffset === 0 && png.byteLength === png.buffer.byteLength ? (png.buffer as ArrayBuffer) : new Uint8Array(png).buffer
    reply({ id: req.id, ok: true, body: own, etag, bounds, renderedBy: threadId }, [own])
  } catch (err) {
    reply({ id: req.id, ok: false, message: (err as Error)?.message ?? String(err) })
  }
}
